// Tests for salesops/stats/segment_comparison.hpp.
#include <salesops/stats/segment_comparison.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using salesops::stats::compare_segments_with_rest;
using salesops::stats::compare_with_rest;
using salesops::stats::p_adjust_method;
using salesops::stats::segment_test;

namespace {
// Four segments (e.g. regions): conversions and trials.
const std::vector<std::uint64_t> wins = {30, 12, 45, 8};
const std::vector<std::uint64_t> deals = {200, 150, 250, 40};
} // namespace

TEST_CASE("compare_segments_with_rest matches R on segment vs rest", "[stats][segment]") {
  // R: s <- c(30, 12, 45, 8); n <- c(200, 150, 250, 40)
  //    p <- sapply(1:4, function(i) prop.test(c(s[i], sum(s[-i])), c(n[i], sum(n[-i])),
  //                                           correct = FALSE)$p.value)
  //    -> 0.940248046249914 0.00705291842629811 0.0721577757848333 0.343474034365864
  //    p.adjust(p, "holm") -> 0.940248046249914 0.0282116737051924 0.2164733273545
  //                           0.686948068731728
  //    p.adjust(p, "BH")   -> 0.940248046249914 0.0282116737051924 0.144315551569667
  //                           0.457965379154485
  const std::vector<double> p = {0.940248046249914, 0.00705291842629811, 0.0721577757848333,
                                 0.343474034365864};
  const std::vector<double> holm = {0.940248046249914, 0.0282116737051924, 0.2164733273545,
                                    0.686948068731728};
  const std::vector<double> bh = {0.940248046249914, 0.0282116737051924, 0.144315551569667,
                                  0.457965379154485};
  const auto h = compare_segments_with_rest(wins, deals);
  const auto b = compare_segments_with_rest(wins, deals, 0.95, segment_test::z,
                                            p_adjust_method::benjamini_hochberg);
  REQUIRE(h.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    INFO(h[i]);
    CHECK(h[i].segment == i);
    CHECK(h[i].p_value == Approx(p[i]).epsilon(1e-12));
    CHECK(h[i].adjusted_p_value == Approx(holm[i]).epsilon(1e-12));
    CHECK(b[i].adjusted_p_value == Approx(bh[i]).epsilon(1e-12));
    CHECK(h[i].rest.trials == 640 - deals[i]);
    CHECK(h[i].rest.successes == 95 - wins[i]);
  }
  // Segment 3 (8 of 40): Wilson intervals, R: prop.test(8, 40, correct = FALSE)$conf.int ->
  // 0.104999897254377 0.347573063463995; rest prop.test(87, 600, ...) -> 0.119084084503972
  // 0.175432723215756; Newcombe, statsmodels confint_proportions_2indep(8, 40, 87, 600,
  // method="newcomb") -> -0.0447555520460176 0.204831384349694.
  const auto& c = h[3];
  CHECK(c.rate.lower == Approx(0.104999897254377).epsilon(1e-12));
  CHECK(c.rate.upper == Approx(0.347573063463995).epsilon(1e-12));
  CHECK(c.rest.lower == Approx(0.119084084503972).epsilon(1e-12));
  CHECK(c.rest.upper == Approx(0.175432723215756).epsilon(1e-12));
  CHECK(c.difference.difference == Approx(0.2 - 0.145).epsilon(1e-14));
  CHECK(c.difference.lower == Approx(-0.0447555520460176).epsilon(1e-12));
  CHECK(c.difference.upper == Approx(0.204831384349694).epsilon(1e-12));
}

TEST_CASE("segment vs rest with Fisher's exact test matches R", "[stats][segment]") {
  // R: pf <- sapply(1:4, function(i) fisher.test(matrix(c(s[i], sum(s[-i]), n[i] - s[i],
  //                 sum(n[-i]) - sum(s[-i])), 2))$p.value)
  //    -> 1 0.0058143949566813 0.087072375100807 0.357040521976149
  //    p.adjust(pf, "holm") -> 1 0.0232575798267252 0.261217125302421 0.714081043952299
  const std::vector<double> pf = {1, 0.0058143949566813, 0.087072375100807, 0.357040521976149};
  const std::vector<double> holm = {1, 0.0232575798267252, 0.261217125302421, 0.714081043952299};
  const auto f = compare_segments_with_rest(wins, deals, 0.95, segment_test::fisher);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(f[i].test == segment_test::fisher);
    CHECK(f[i].p_value == Approx(pf[i]).epsilon(1e-10));
    CHECK(f[i].adjusted_p_value == Approx(holm[i]).epsilon(1e-10));
  }
  const auto one = compare_with_rest(wins, deals, 1, 0.95, segment_test::fisher);
  CHECK(one.p_value == Approx(pf[1]).epsilon(1e-10));
  CHECK(one.adjusted_p_value == one.p_value);
}

TEST_CASE("the rest is pooled: splitting or reordering other rows changes nothing",
          "[stats][segment]") {
  // Hand derivation of why the rest and not the overall: with two segments of equal size,
  // segment 0 against the rest is exactly rate_0 - rate_1, while against the overall it would
  // be (rate_0 - rate_1) / 2.
  const std::vector<std::uint64_t> s2 = {30, 10}, n2 = {100, 100};
  CHECK(compare_with_rest(s2, n2, 0).difference.difference == Approx(0.2).epsilon(1e-15));

  salesops::rng gen(GENERATE(51u, 52u, 53u));
  const std::size_t k = 2 + static_cast<std::size_t>(gen.uniform_int(8));
  std::vector<std::uint64_t> s(k), n(k);
  for (std::size_t i = 0; i < k; ++i) {
    n[i] = 1 + gen.uniform_int(500);
    // Segments drawn from different rates, so the comparison is not trivially null.
    s[i] = static_cast<std::uint64_t>(
        std::floor(gen.beta(1 + static_cast<double>(i), 5) * static_cast<double>(n[i] + 1)));
    s[i] = std::min(s[i], n[i]);
  }
  const auto all = compare_segments_with_rest(s, n);
  // Permutation invariance.
  std::vector<std::size_t> perm(k);
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  std::shuffle(perm.begin(), perm.end(), gen);
  std::vector<std::uint64_t> ps(k), pn(k);
  for (std::size_t i = 0; i < k; ++i) {
    ps[i] = s[perm[i]];
    pn[i] = n[perm[i]];
  }
  const auto shuffled = compare_segments_with_rest(ps, pn);
  for (std::size_t i = 0; i < k; ++i) {
    CHECK(shuffled[i].p_value == Approx(all[perm[i]].p_value).epsilon(1e-12));
    CHECK(shuffled[i].adjusted_p_value == Approx(all[perm[i]].adjusted_p_value).epsilon(1e-12));
    CHECK(shuffled[i].difference.lower == Approx(all[perm[i]].difference.lower).epsilon(1e-12));
  }
  // Splitting another row in two leaves segment 0's comparison unchanged.
  std::vector<std::uint64_t> ss = s, sn = n;
  const std::uint64_t half_n = sn[1] / 2, half_s = std::min(ss[1], half_n);
  ss.push_back(ss[1] - half_s);
  sn.push_back(sn[1] - half_n);
  ss[1] = half_s;
  sn[1] = half_n;
  if (sn[1] > 0) {
    const auto split = compare_with_rest(ss, sn, 0);
    CHECK(split.p_value == Approx(all[0].p_value).epsilon(1e-12));
    CHECK(split.difference.upper == Approx(all[0].difference.upper).epsilon(1e-12));
  }
}

TEST_CASE("segment_comparison prints", "[stats][segment]") {
  std::ostringstream out;
  out << compare_with_rest(wins, deals, 2);
  CHECK_THAT(out.str(),
             Contains("segment_comparison{segment=2") && Contains("rest=") && Contains("test=z"));
}

TEST_CASE("segment comparisons reject bad input", "[stats][segment]") {
  const std::vector<std::uint64_t> short_trials = {10, 10, 10};
  CHECK_THROWS_AS(compare_with_rest(wins, short_trials, 0), salesops::length_mismatch);
  const std::vector<std::uint64_t> none;
  CHECK_THROWS_AS(compare_segments_with_rest(none, none), salesops::empty_input);
  const std::vector<std::uint64_t> bad_s = {1, 2, 11}, bad_n = {5, 5, 10};
  CHECK_THROWS_AS(compare_segments_with_rest(bad_s, bad_n), salesops::out_of_range_value);
  CHECK_THROWS_WITH(compare_segments_with_rest(bad_s, bad_n),
                    Contains("compare_segments_with_rest: successes at row 2 is 11"));
  const std::vector<std::uint64_t> zero_n = {1, 0, 3}, zero_s = {0, 0, 1};
  CHECK_THROWS_WITH(compare_with_rest(zero_s, zero_n, 0), Contains("trials at row 1 is 0"));
  CHECK_THROWS_AS(compare_with_rest(wins, deals, 4), salesops::out_of_range_value);
  CHECK_THROWS_WITH(compare_with_rest(wins, deals, 4), Contains("segment is 4"));
  const std::vector<std::uint64_t> one_s = {3}, one_n = {10};
  CHECK_THROWS_AS(compare_segments_with_rest(one_s, one_n), salesops::empty_input);
  CHECK_THROWS_WITH(compare_with_rest(one_s, one_n, 0), Contains("at row 0 holds every trial"));
  CHECK_THROWS_AS(compare_with_rest(wins, deals, 0, 1.5), salesops::out_of_range_value);
}
