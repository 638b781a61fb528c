// Tests for salesops/stats/power.hpp.
#include <salesops/stats/power.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <sstream>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using salesops::stats::minimum_detectable_rate;
using salesops::stats::power_two_proportions;
using salesops::stats::sample_size_for_lift;
using salesops::stats::sample_size_two_proportions;

TEST_CASE("sample_size_two_proportions matches R's power.prop.test", "[stats][power]") {
  // R: power.prop.test(p1 = .1, p2 = .12, power = .8, tol = 1e-14)$n -> 3840.84748243627
  //    (default tol: 3840.84748243445)
  auto r = sample_size_two_proportions(0.1, 0.12);
  CHECK(r.n_per_arm == Approx(3840.84748243627).epsilon(1e-12));
  CHECK(r.n_required == 3841);
  CHECK(r.lift == Approx(0.2).epsilon(1e-12));
  // R: power.prop.test(p1 = .3, p2 = .25, power = .9, sig.level = 0.01, tol = 1e-14)$n
  //    -> 2370.7892416998
  r = sample_size_two_proportions(0.3, 0.25, 0.9, 0.01);
  CHECK(r.n_per_arm == Approx(2370.7892416998).epsilon(1e-12));
  // R: power.prop.test(p1 = .1, p2 = .12, power = .8, alternative = "one.sided",
  //                    tol = 1e-14)$n -> 3025.31525320885
  r = sample_size_two_proportions(0.1, 0.12, 0.8, 0.05, false);
  CHECK(r.n_per_arm == Approx(3025.31525320885).epsilon(1e-12));
  CHECK_FALSE(r.two_sided);
  // A 20% lift on a 10% baseline is the first design again.
  CHECK(sample_size_for_lift(0.1, 0.2).n_per_arm == Approx(3840.84748243627).epsilon(1e-12));
}

TEST_CASE("power_two_proportions matches R's power.prop.test", "[stats][power]") {
  // R: power.prop.test(n = 500, p1 = .1, p2 = .15)$power -> 0.667030628606175
  CHECK(power_two_proportions(500, 0.1, 0.15).power == Approx(0.667030628606175).epsilon(1e-12));
  // R: power.prop.test(n = 500, p1 = .1, p2 = .15, alternative = "one.sided")$power
  //    -> 0.772692423907572
  CHECK(power_two_proportions(500, 0.1, 0.15, 0.05, false).power ==
        Approx(0.772692423907572).epsilon(1e-12));
  // R: power.prop.test(n = 50, p1 = .5, p2 = .75, sig.level = 0.1)$power -> 0.833983523355428
  CHECK(power_two_proportions(50, 0.5, 0.75, 0.1).power ==
        Approx(0.833983523355428).epsilon(1e-12));
}

TEST_CASE("minimum_detectable_rate matches R's power.prop.test", "[stats][power]") {
  // R: power.prop.test(n = 2000, p1 = .1, power = .8, tol = 1e-14)$p2 -> 0.128156244305197
  const auto up = minimum_detectable_rate(2000, 0.1);
  CHECK(up.p_b == Approx(0.128156244305197).epsilon(1e-11));
  CHECK(up.lift == Approx(0.28156244305197).epsilon(1e-10));
  // Decreases: the design detects the mirrored rate below, with the same power formula.
  const auto down = minimum_detectable_rate(2000, 0.1, 0.8, 0.05, true, false);
  CHECK(down.p_b < 0.1);
  CHECK(power_two_proportions(2000, 0.1, down.p_b).power == Approx(0.8).epsilon(1e-10));
}

TEST_CASE("power, sample size and detectable rate invert each other", "[stats][power]") {
  const double alpha = GENERATE(0.01, 0.05);
  salesops::rng gen(GENERATE(71u, 72u, 73u));
  for (int i = 0; i < 50; ++i) {
    const double p_a = 0.01 + 0.9 * gen.uniform();
    const double p_b = std::min(0.99, p_a * (1.05 + gen.uniform()));
    const double target = 0.5 + 0.45 * gen.uniform();
    const bool two = gen.uniform() < 0.5;
    const auto design = sample_size_two_proportions(p_a, p_b, target, alpha, two);
    INFO(design);
    CHECK(power_two_proportions(design.n_per_arm, p_a, p_b, alpha, two).power ==
          Approx(target).epsilon(1e-10));
    const auto mde = minimum_detectable_rate(design.n_per_arm, p_a, target, alpha, two);
    CHECK(mde.p_b == Approx(p_b).epsilon(1e-9));
    // More trials, more power.
    CHECK(power_two_proportions(design.n_per_arm * 1.1, p_a, p_b, alpha, two).power > target);
  }
}

TEST_CASE("minimum_detectable_rate keeps the digits of a tiny lift", "[stats][power]") {
  // R: power.prop.test(n = 1e12, p1 = 0.1, power = 0.8, tol = 1e-18)$p2 -> 0.10000118861508304
  // (mpmath agrees to 1e-17); an absolute tolerance of 1e-14 on p_b left the lift, 1.19e-5,
  // with only 8 digits (2.7e-9 relative).
  const auto r = minimum_detectable_rate(1e12, 0.1);
  CHECK(r.lift == Approx(0.10000118861508304 / 0.1 - 1.0).epsilon(1e-10));
  // power.prop.test(n = 1000, p1 = 0.1, power = 0.8, tol = 1e-18)$p2 -> 0.14074515431182419
  CHECK(minimum_detectable_rate(1000, 0.1).p_b == Approx(0.14074515431182419).epsilon(1e-14));
}

TEST_CASE("power_result prints", "[stats][power]") {
  std::ostringstream out;
  out << sample_size_two_proportions(0.1, 0.12);
  CHECK_THAT(out.str(), Contains("n_required=3841") && Contains("two_sided=true"));
}

TEST_CASE("power functions reject bad input", "[stats][power]") {
  CHECK_THROWS_AS(sample_size_two_proportions(0.1, 0.1), salesops::out_of_range_value);
  CHECK_THROWS_WITH(
      sample_size_two_proportions(0.1, 0.1),
      Contains("p_b is 0.10000000000000001: the rate to detect equals the baseline p_a"));
  CHECK_THROWS_WITH(sample_size_two_proportions(0.0, 0.1), Contains("p_a is 0, outside (0, 1)"));
  CHECK_THROWS_AS(sample_size_two_proportions(0.1, 0.2, 1.0), salesops::out_of_range_value);
  CHECK_THROWS_WITH(sample_size_two_proportions(0.1, 0.2, 0.01, 0.05),
                    Contains("power is 0.01, not above"));
  CHECK_THROWS_AS(power_two_proportions(0, 0.1, 0.2), salesops::negative_value);
  CHECK_THROWS_AS(power_two_proportions(std::numeric_limits<double>::quiet_NaN(), 0.1, 0.2),
                  salesops::not_finite);
  CHECK_THROWS_WITH(power_two_proportions(10, 0.1, 0.2, 1.5), Contains("sig_level is 1.5"));
  CHECK_THROWS_WITH(sample_size_for_lift(0.6, 1.0), Contains("relative_lift is 1"));
  CHECK_THROWS_AS(sample_size_for_lift(0.6, 0.0), salesops::out_of_range_value);
  // A lift lost in rounding (0.1 * (1 + 1e-17) == 0.1) is the lift's fault, not p_b's.
  CHECK_THROWS_WITH(sample_size_for_lift(0.1, 1e-17),
                    Contains("sample_size_for_lift") &&
                        Contains("relative_lift is 1.0000000000000001e-17") &&
                        Contains("equals the baseline"));
  // More trials than a 64-bit count holds: R's power.prop.test(p1 = 0.1, p2 = 0.1000000001,
  // power = 0.8)$n is 1.4128e20; its ceiling used to be cast to uint64_t (undefined, 0 here).
  CHECK_THROWS_AS(sample_size_for_lift(0.1, 1e-9), salesops::out_of_range_value);
  CHECK_THROWS_WITH(sample_size_for_lift(0.1, 1e-9),
                    Contains("relative_lift is 1.0000000000000001e-09") &&
                        Contains("more than a 64-bit count"));
  CHECK_THROWS_WITH(sample_size_two_proportions(0.1, 0.1000000001),
                    Contains("p_b is 0.1000000001: it needs"));
  CHECK_THROWS_WITH(power_two_proportions(1e30, 0.1, 0.2), Contains("n_per_arm is 1e+30"));
  // Just below 2^64 trials per arm is still a design.
  CHECK(power_two_proportions(1.8e19, 0.1, 0.2).n_required == 18000000000000000000ULL);
  CHECK_THROWS_WITH(minimum_detectable_rate(3, 0.5, 0.99), Contains("n_per_arm is 3, too small"));
}
