// Tests for salesops/stats/fisher.hpp.
#include <salesops/stats/fisher.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

#include <boost/math/distributions/hypergeometric.hpp>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using salesops::stats::alternative;
using salesops::stats::fisher_exact;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();
struct fisher_case {
  std::uint64_t s_a, n_a, s_b, n_b;
  alternative alt;
  double p_value, odds_ratio, lower, upper;
};
// R 4.2 (printed with %.15g): with m <- matrix(c(s_b, s_a, n_b - s_b, n_a - s_a), 2),
// p.value from fisher.test(m, alternative = alt); estimate and conf.int from the same
// fisher.test with its uniroot calls run at tol = 1e-15 instead of R's default 1.2e-4:
//   ft <- fisher.test; e <- new.env(parent = environment(fisher.test))
//   e$uniroot <- function(f, interval, ...) stats::uniroot(f, interval, ..., tol = 1e-15,
//                                                          maxiter = 10000)
//   environment(ft) <- e
// R's default-tolerance estimates agree to 4-5 digits, e.g. for (48/80, 56/70):
// fisher.test(m)$estimate = 2.64919, conf.int = 1.20912 6.04056 (tight: 6.03987).
const std::array<fisher_case, 24> r_cases{
    {{48, 80, 56, 70, alternative::two_sided, 0.0125211297492092, 2.6491872957237, 1.20911547892413,
      6.03987301313345},
     {48, 80, 56, 70, alternative::less, 0.997875268450446, 2.6491872957237, 0, 5.32595860990232},
     {48, 80, 56, 70, alternative::greater, 0.00632471112989836, 2.6491872957237, 1.35330739538059,
      inf},
     {3, 10, 9, 10, alternative::two_sided, 0.0197666110978804, 17.2690339379717, 1.38711353794342,
      1047.83998170383},
     {3, 10, 9, 10, alternative::less, 0.999642772088593, 17.2690339379717, 0, 514.47058836587},
     {3, 10, 9, 10, alternative::greater, 0.00988330554894021, 17.2690339379717, 1.83662111811319,
      inf},
     {0, 29, 5, 56, alternative::two_sided, 0.160621443209471, inf, 0.483271501042005, inf},
     {0, 29, 5, 56, alternative::less, 1, inf, 0, inf},
     {0, 29, 5, 56, alternative::greater, 0.116452418953672, inf, 0.647715693779394, inf},
     {95, 1000, 120, 1000, alternative::two_sided, 0.0829833066302141, 1.29887355267996,
      0.967869525540327, 1.74681702992755},
     {95, 1000, 120, 1000, alternative::less, 0.969837251680778, 1.29887355267996, 0,
      1.66785279798186},
     {95, 1000, 120, 1000, alternative::greater, 0.0414916533151071, 1.29887355267996,
      1.01289456691311, inf},
     {2, 38, 3, 40, alternative::two_sided, 1, 1.4524880866451, 0.156689573752488,
      18.3471031062318},
     {2, 38, 3, 40, alternative::less, 0.804329004329004, 1.4524880866451, 0, 12.3117602406143},
     {2, 38, 3, 40, alternative::greater, 0.524675324675325, 1.4524880866451, 0.213855257415359,
      inf},
     {1, 5, 4, 6, alternative::two_sided, 0.242424242424242, 6.43914640995915, 0.32490046755594,
      490.156275231001},
     {1, 5, 4, 6, alternative::less, 0.987012987012987, 6.43914640995915, 0, 240.145533064937},
     {1, 5, 4, 6, alternative::greater, 0.175324675324675, 6.43914640995915, 0.459492212080157,
      inf},
     {5, 5, 0, 7, alternative::two_sided, 0.00126262626262626, 0, 0, 0.295156668219107},
     {5, 5, 0, 7, alternative::less, 0.00126262626262626, 0, 0, 0.203051828056475},
     {5, 5, 0, 7, alternative::greater, 1, 0, 0, inf},
     {30, 40, 1, 12, alternative::two_sided, 5.44052634431335e-05, 0.0327438594993686,
      0.000682254318369232, 0.272343453333919},
     {30, 40, 1, 12, alternative::less, 5.44052634431336e-05, 0.0327438594993686, 0,
      0.217131357655612},
     {30, 40, 1, 12, alternative::greater, 0.999998575778444, 0.0327438594993686,
      0.00138570119495326, inf}}};
} // namespace

TEST_CASE("fisher_exact matches R's fisher.test", "[stats][fisher]") {
  const auto& c = r_cases[static_cast<std::size_t>(GENERATE(range(0, 24)))];
  const auto r = fisher_exact(c.s_a, c.n_a, c.s_b, c.n_b, c.alt);
  INFO(c.s_a << "/" << c.n_a << " vs " << c.s_b << "/" << c.n_b << ": " << r);
  CHECK(r.alt == c.alt);
  CHECK(r.p_value == Approx(c.p_value).epsilon(1e-12));
  // Root tolerances: ours 1e-14 in log psi, R's 1e-15 in psi or 1/psi.
  CHECK(r.odds_ratio == Approx(c.odds_ratio).epsilon(1e-9));
  CHECK(r.lower == Approx(c.lower).epsilon(1e-9));
  CHECK(r.upper == Approx(c.upper).epsilon(1e-9));
}

TEST_CASE("fisher_exact honours the level", "[stats][fisher]") {
  // R (tight uniroot as above): ft(matrix(c(56, 48, 14, 32), 2), conf.level = 0.9)$conf.int
  //   -> 1.35330739538059 5.32595860990232 (= the one-sided 95% bounds, as it must)
  const auto r = fisher_exact(48, 80, 56, 70, alternative::two_sided, 0.9);
  CHECK(r.level == 0.9);
  CHECK(r.lower == Approx(1.35330739538059).epsilon(1e-9));
  CHECK(r.upper == Approx(5.32595860990232).epsilon(1e-9));
}

TEST_CASE("fisher_exact p-values equal a brute-force enumeration of tables", "[stats][fisher]") {
  // Brute force: enumerate every table with the observed margins, weight it by Boost's
  // hypergeometric pdf, and sum those no more likely than the observed one (R's rule, with
  // its relative tolerance 1e-7) or the tails.
  salesops::rng gen(GENERATE(41u, 42u, 43u));
  for (int i = 0; i < 60; ++i) {
    const std::uint64_t n_a = 1 + gen.uniform_int(40), n_b = 1 + gen.uniform_int(40);
    const std::uint64_t s_a = gen.uniform_int(n_a + 1), s_b = gen.uniform_int(n_b + 1);
    const std::uint64_t successes = s_a + s_b, total = n_a + n_b;
    const boost::math::hypergeometric_distribution<double> law(
        static_cast<unsigned>(successes), static_cast<unsigned>(n_b), static_cast<unsigned>(total));
    const std::uint64_t lo = n_b > total - successes ? n_b - (total - successes) : 0;
    const std::uint64_t hi = std::min(n_b, successes);
    const double observed = boost::math::pdf(law, static_cast<unsigned>(s_b));
    double two = 0, less = 0, greater = 0;
    for (std::uint64_t x = lo; x <= hi; ++x) {
      const double p = boost::math::pdf(law, static_cast<unsigned>(x));
      if (p <= observed * (1 + 1e-7)) two += p;
      if (x <= s_b) less += p;
      if (x >= s_b) greater += p;
    }
    INFO(s_a << "/" << n_a << " vs " << s_b << "/" << n_b);
    CHECK(fisher_exact(s_a, n_a, s_b, n_b).p_value == Approx(std::min(1.0, two)).epsilon(1e-10));
    CHECK(fisher_exact(s_a, n_a, s_b, n_b, alternative::less).p_value ==
          Approx(std::min(1.0, less)).epsilon(1e-10));
    const auto g = fisher_exact(s_a, n_a, s_b, n_b, alternative::greater);
    CHECK(g.p_value == Approx(std::min(1.0, greater)).epsilon(1e-10));
    // Swapping the arms inverts the odds ratio and swaps the bounds.
    const auto ab = fisher_exact(s_a, n_a, s_b, n_b);
    const auto ba = fisher_exact(s_b, n_b, s_a, n_a);
    CHECK(ab.p_value == Approx(ba.p_value).epsilon(1e-10));
    if (std::isfinite(ab.odds_ratio) && ab.odds_ratio > 0)
      CHECK(ab.odds_ratio == Approx(1.0 / ba.odds_ratio).epsilon(1e-9));
    if (ab.lower > 0 && std::isfinite(ba.upper))
      CHECK(ab.lower == Approx(1.0 / ba.upper).epsilon(1e-9));
    CHECK(ab.lower <= ab.odds_ratio);
    CHECK(ab.odds_ratio <= ab.upper);
  }
}

TEST_CASE("fisher_exact handles large counts without overflow", "[stats][fisher]") {
  // R: fisher.test(matrix(c(5300, 5000, 94700, 95000), 2))$p.value -> 0.00248436752305604
  //    tight-tolerance estimate (as above) 1.06335764599756; chisq.test(m, correct = FALSE)
  //    gives a close Pearson p, 0.00240394827998469.
  const auto r = fisher_exact(5000, 100000, 5300, 100000);
  CHECK(r.p_value == Approx(0.00248436752305604).epsilon(1e-8));
  CHECK(r.odds_ratio == Approx(1.06335764599756).epsilon(1e-9));
}

TEST_CASE("fisher_exact keeps full precision at 200 000 trials per arm", "[stats][fisher]") {
  // R 4.2, %.17g: phyper(100599, 200600, 199400, 2e5, lower.tail = FALSE)
  //   -> 0.029098314329759001 (the "greater" p-value); fisher.test(matrix(c(100600, 100000,
  //   99400, 100000), 2)) with the tight uniroot above -> p 0.0581966286595182, estimate
  //   1.01207240424493, conf.int 0.99958424530156 1.02471664078547. Weights walked up from
  //   the lower end of the support (200 000 steps to the mass) were off by 1.3e-10 here.
  const auto greater = fisher_exact(100000, 200000, 100600, 200000, alternative::greater);
  CHECK(greater.p_value == Approx(0.029098314329759001).epsilon(1e-13));
  const auto r = fisher_exact(100000, 200000, 100600, 200000);
  CHECK(r.p_value == Approx(0.0581966286595182).epsilon(1e-13));
  CHECK(r.odds_ratio == Approx(1.01207240424493).epsilon(1e-13));
  CHECK(r.lower == Approx(0.99958424530156).epsilon(1e-13));
  CHECK(r.upper == Approx(1.02471664078547).epsilon(1e-13));
}

TEST_CASE("fisher_result prints", "[stats][fisher]") {
  std::ostringstream out;
  out << fisher_exact(0, 7, 5, 5);
  CHECK_THAT(out.str(), Contains("fisher{p_value=") && Contains("odds_ratio=inf") &&
                            Contains("alternative=two.sided"));
}

TEST_CASE("fisher_exact rejects bad input", "[stats][fisher]") {
  CHECK_THROWS_AS(fisher_exact(0, 0, 1, 2), salesops::empty_input);
  CHECK_THROWS_WITH(fisher_exact(1, 2, 0, 0), Contains("fisher_exact: trials_b is 0"));
  CHECK_THROWS_AS(fisher_exact(3, 2, 1, 2), salesops::out_of_range_value);
  CHECK_THROWS_WITH(fisher_exact(1, 2, 3, 2), Contains("successes_b is 3, more than trials_b"));
  CHECK_THROWS_AS(fisher_exact(1, 2, 1, 2, alternative::less, 0.0), salesops::out_of_range_value);
}

TEST_CASE("fisher_exact at ten million trials per arm matches R", "[stats][fisher]") {
  // Each root-finding step walked the whole support (about 2 million cells here, 5.5 s a
  // call; the audit measured about 60 s for larger tables); now only the cells within e^-100
  // of the top or the observed weight. R 4.2, %.17g, with the tight uniroot above:
  //   m <- matrix(c(1003000, 1000000, 8997000, 9000000), 2)
  //   ft(m) -> p 0.025493966281877622, estimate 1.0033344446479386,
  //            conf.int 1.0004080734256366 1.0062693785983172
  //   ft(m, alternative = "less")$p.value -> 0.98730196360726419, "greater" 0.012746983140938547
  //   ft(matrix(c(1030000, 1000000, 8970000, 9000000), 2)) -> p 2.5729705890924818e-109,
  //            estimate 1.033444814353683, conf.int 1.0304481867989572 1.0364501821136767
  const auto r = fisher_exact(1000000, 10000000, 1003000, 10000000);
  CHECK(r.p_value == Approx(0.025493966281877622).margin(1e-14));
  CHECK(r.odds_ratio == Approx(1.0033344446479386).epsilon(1e-13));
  CHECK(r.lower == Approx(1.0004080734256366).epsilon(1e-13));
  CHECK(r.upper == Approx(1.0062693785983172).epsilon(1e-13));
  CHECK(fisher_exact(1000000, 10000000, 1003000, 10000000, alternative::less).p_value ==
        Approx(0.98730196360726419).margin(1e-14));
  CHECK(fisher_exact(1000000, 10000000, 1003000, 10000000, alternative::greater).p_value ==
        Approx(0.012746983140938547).margin(1e-14));
  // Far in the tail the p-value keeps its relative precision.
  const auto far = fisher_exact(1000000, 10000000, 1030000, 10000000);
  CHECK(far.p_value == Approx(2.5729705890924818e-109).epsilon(1e-11));
  CHECK(far.odds_ratio == Approx(1.033444814353683).epsilon(1e-13));
  CHECK(far.lower == Approx(1.0304481867989572).epsilon(1e-13));
  CHECK(far.upper == Approx(1.0364501821136767).epsilon(1e-13));
}
