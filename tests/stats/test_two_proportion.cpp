// Tests for salesops/stats/two_proportion.hpp.
#include <salesops/stats/two_proportion.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <sstream>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using salesops::stats::alternative;
using salesops::stats::newcombe_interval;
using salesops::stats::two_proportion_chi_square;
using salesops::stats::two_proportion_z_test;

namespace {
struct prop_test_case {
  std::uint64_t s_b, n_b, s_a, n_a;
  bool correct;
  double statistic, p_value, lower, upper;
};
// R 4.2, printed with %.15g:
//   r <- prop.test(c(s_b, s_a), c(n_b, n_a), correct = correct)
//   c(r$statistic, r$p.value, r$conf.int)
const std::array<prop_test_case, 10> prop_tests{{
    {56, 70, 48, 80, true, 6.11427041029623, 0.0134094751786689, 0.04411204200618,
     0.35588795799382},
    {9, 10, 3, 10, true, 5.20833333333333, 0.0224788733661252, 0.160524279777149, 1},
    {5, 56, 0, 29, true, 1.37474022475369, 0.240999114196343, -0.0115697102963242,
     0.190141138867753},
    {120, 1000, 95, 1000, true, 3.00175884307211, 0.0831741766343147, -0.0031279832198134,
     0.0531279832198134},
    // |O - E| < 1/2 here: R's correction min(1/2, |d| / (1/n_a + 1/n_b)) makes X^2 vanish.
    {3, 40, 2, 38, true, 2.58440814171807e-31, 1, -0.108180773224566, 0.15291761532983},
    {56, 70, 48, 80, false, 7.02341137123746, 0.00804508136819656, 0.0575048991490372,
     0.342495100850963},
    {9, 10, 3, 10, false, 7.5, 0.00616989932054415, 0.260524279777149, 0.939475720222851},
    {5, 56, 0, 29, false, 2.75111607142857, 0.0971865681705797, 0.014600240442592,
     0.163971188128837},
    {120, 1000, 95, 1000, false, 3.25711680020846, 0.0711140616964462, -0.0021279832198134,
     0.0521279832198134},
    {3, 40, 2, 38, false, 0.16252343186734, 0.686843801426626, -0.0858123521719348,
     0.130549194277198},
}};
} // namespace

TEST_CASE("two_proportion_chi_square matches R's prop.test", "[stats][two_proportion]") {
  const auto& c = prop_tests[static_cast<std::size_t>(GENERATE(range(0, 10)))];
  const auto r = two_proportion_chi_square(c.s_a, c.n_a, c.s_b, c.n_b, c.correct);
  INFO(r);
  CHECK(r.yates == c.correct);
  CHECK(r.difference == Approx(static_cast<double>(c.s_b) / static_cast<double>(c.n_b) -
                               static_cast<double>(c.s_a) / static_cast<double>(c.n_a)));
  CHECK(r.statistic == Approx(c.statistic).epsilon(1e-12).margin(1e-12));
  CHECK(r.p_value == Approx(c.p_value).epsilon(1e-12));
  CHECK(r.lower == Approx(c.lower).epsilon(1e-12));
  CHECK(r.upper == Approx(c.upper).epsilon(1e-12));
}

TEST_CASE("two_proportion_z_test matches prop.test without correction", "[stats][two_proportion]") {
  // z^2 equals prop.test's X^2 with correct = FALSE (same table as above, sign from B - A).
  for (const auto& c : prop_tests) {
    if (c.correct) continue;
    const auto r = two_proportion_z_test(c.s_a, c.n_a, c.s_b, c.n_b);
    INFO(r);
    CHECK(r.z * r.z == Approx(c.statistic).epsilon(1e-12));
    CHECK((r.z > 0) == (r.difference > 0));
    CHECK(r.p_value == Approx(c.p_value).epsilon(1e-12));
  }
  // R: prop.test(c(56, 48), c(70, 80), correct = FALSE, alternative = "greater")$p.value
  //    -> 0.00402254068409829; "less" -> 0.995977459315902
  CHECK(two_proportion_z_test(48, 80, 56, 70, alternative::greater).p_value ==
        Approx(0.00402254068409829).epsilon(1e-12));
  CHECK(two_proportion_z_test(48, 80, 56, 70, alternative::less).p_value ==
        Approx(0.995977459315902).epsilon(1e-12));
  // R: prop.test(c(95, 120), c(1000, 1000), correct = FALSE, alternative = "less")$p.value
  //    -> 0.0355570308482232; "greater" -> 0.964442969151777
  CHECK(two_proportion_z_test(120, 1000, 95, 1000, alternative::less).p_value ==
        Approx(0.0355570308482232).epsilon(1e-12));
  CHECK(two_proportion_z_test(120, 1000, 95, 1000, alternative::greater).p_value ==
        Approx(0.964442969151777).epsilon(1e-12));
}

TEST_CASE("tests on tables with no variation give z = 0 and p = 1", "[stats][two_proportion]") {
  // Hand derivation: with 0 of 30 and 0 of 50 converting, the pooled rate is 0, the observed
  // difference is exactly 0, and Fisher's exact test on the table gives p = 1.
  const auto z = two_proportion_z_test(0, 30, 0, 50);
  CHECK(z.z == 0.0);
  CHECK(z.p_value == 1.0);
  const auto x = two_proportion_chi_square(40, 40, 7, 7);
  CHECK(x.statistic == 0.0);
  CHECK(x.p_value == 1.0);
}

TEST_CASE("newcombe_interval matches Newcombe (1998) and statsmodels", "[stats][two_proportion]") {
  // statsmodels 0.13: confint_proportions_2indep(s_b, n_b, s_a, n_a, method="newcomb",
  // compare="diff"), printed with %.15g. Newcombe (1998) table II, method 10, gives the same
  // values to 4 decimals: (a) 0.0524, 0.3339; (b) 0.1705, 0.8090; (c) 0.0582, 0.8062;
  // (d) -0.0381, 0.1926; (e) -0.1611, 0.2775; (f) -0.2775, 0.2775; (g) 0.6791, 1;
  // (h) 0.6075, 1.
  struct row {
    std::uint64_t s_b, n_b, s_a, n_a;
    double lower, upper;
  };
  const std::array<row, 9> rows{{
      {56, 70, 48, 80, 0.052431472402365, 0.333872654036906},
      {9, 10, 3, 10, 0.170522723934503, 0.809017973535488},
      {6, 7, 2, 7, 0.0582279274823121, 0.806249637524228},
      {5, 56, 0, 29, -0.0381371479035369, 0.192560013855112},
      {0, 10, 0, 20, -0.161125158052819, 0.277532799862889},
      {0, 10, 0, 10, -0.277532799862889, 0.277532799862889},
      {10, 10, 0, 20, 0.679086037141915, 1},
      {10, 10, 0, 10, 0.607509350430524, 1},
      {120, 1000, 95, 1000, -0.0022021239178577, 0.0522824736821858},
  }};
  for (const auto& c : rows) {
    const auto r = newcombe_interval(c.s_a, c.n_a, c.s_b, c.n_b);
    INFO(r);
    CHECK(r.lower == Approx(c.lower).epsilon(1e-12).margin(1e-15));
    CHECK(r.upper == Approx(c.upper).epsilon(1e-12).margin(1e-15));
  }
  // statsmodels, alpha = 0.1: 0.0765641915440721 0.313644583582944
  const auto r90 = newcombe_interval(48, 80, 56, 70, 0.9);
  CHECK(r90.lower == Approx(0.0765641915440721).epsilon(1e-12));
  CHECK(r90.upper == Approx(0.313644583582944).epsilon(1e-12));
}

TEST_CASE("swapping A and B negates the difference and mirrors the intervals",
          "[stats][two_proportion]") {
  salesops::rng gen(GENERATE(21u, 22u, 23u));
  for (int i = 0; i < 200; ++i) {
    const std::uint64_t n_a = 1 + gen.uniform_int(300), n_b = 1 + gen.uniform_int(300);
    const std::uint64_t s_a = gen.uniform_int(n_a + 1), s_b = gen.uniform_int(n_b + 1);
    const auto ab = newcombe_interval(s_a, n_a, s_b, n_b);
    const auto ba = newcombe_interval(s_b, n_b, s_a, n_a);
    INFO(ab << " " << ba);
    CHECK(ab.difference == -ba.difference);
    CHECK(ab.lower == Approx(-ba.upper).margin(1e-14));
    CHECK(ab.lower <= ab.difference);
    CHECK(ab.difference <= ab.upper);
    CHECK(ab.lower >= -1.0);
    CHECK(ab.upper <= 1.0);
    const auto zab = two_proportion_z_test(s_a, n_a, s_b, n_b);
    const auto zba = two_proportion_z_test(s_b, n_b, s_a, n_a);
    CHECK(zab.z == Approx(-zba.z).margin(1e-12));
    CHECK(zab.p_value == Approx(zba.p_value).margin(1e-12));
    // The z test and the uncorrected chi-square are the same test.
    const auto x = two_proportion_chi_square(s_a, n_a, s_b, n_b, false);
    CHECK(x.p_value == Approx(zab.p_value).margin(1e-12));
    CHECK(two_proportion_chi_square(s_a, n_a, s_b, n_b, true).p_value >= x.p_value - 1e-15);
  }
}

TEST_CASE("two-proportion results print", "[stats][two_proportion]") {
  std::ostringstream out;
  out << two_proportion_z_test(1, 4, 3, 4, alternative::greater) << "\n"
      << two_proportion_chi_square(1, 4, 3, 4) << "\n"
      << newcombe_interval(1, 4, 3, 4);
  CHECK_THAT(out.str(), Contains("z_test{rate_a=0.25, rate_b=0.75, difference=0.5") &&
                            Contains("alternative=greater") && Contains("yates=true") &&
                            Contains("difference_interval{"));
}

TEST_CASE("two-proportion functions reject bad input", "[stats][two_proportion]") {
  CHECK_THROWS_AS(two_proportion_z_test(1, 0, 1, 2), salesops::empty_input);
  CHECK_THROWS_WITH(two_proportion_z_test(1, 2, 0, 0),
                    Contains("two_proportion_z_test: trials_b is 0"));
  CHECK_THROWS_AS(two_proportion_chi_square(3, 2, 1, 2), salesops::out_of_range_value);
  CHECK_THROWS_WITH(two_proportion_chi_square(1, 2, 5, 4),
                    Contains("successes_b is 5, more than trials_b (4)"));
  CHECK_THROWS_AS(two_proportion_chi_square(1, 2, 1, 2, true, 1.0), salesops::out_of_range_value);
  CHECK_THROWS_AS(newcombe_interval(1, 0, 1, 2), salesops::empty_input);
  CHECK_THROWS_WITH(newcombe_interval(3, 2, 1, 2), Contains("newcombe_interval: successes_a is 3"));
  CHECK_THROWS_WITH(newcombe_interval(1, 2, 1, 2, -1.0), Contains("level is -1"));
}
