// Tests for salesops/quota/payout.hpp.
#include <salesops/quota/payout.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using namespace salesops::quota;

namespace {
// Tiers: 0-100 % at rate 1, 100-150 % at 2 (accelerator), above 150 % at 1 (decelerator).
payout_plan accelerated(payout_mode mode) {
  payout_plan p;
  p.tier_start = {0.0, 1.0, 1.5};
  p.tier_rate = {1.0, 2.0, 1.0};
  p.mode = mode;
  p.threshold = 0.5;
  p.cap = 2.5;
  return p;
}
} // namespace

TEST_CASE("payout: marginal tiers by hand", "[quota][payout]") {
  const auto p = accelerated(payout_mode::marginal);
  CHECK(payout(p, 0.4) == 0.0);                    // below the 50 % threshold
  CHECK(payout(p, 0.8) == Approx(0.8));            // 0.8 * 1
  CHECK(payout(p, 1.2) == Approx(1.4));            // 1 * 1 + 0.2 * 2
  CHECK(payout(p, 1.8) == Approx(2.3));            // 1 + 0.5 * 2 + 0.3 * 1
  CHECK(payout(p, 2.5) == 2.5);                    // 1 + 1 + 1 = 3, capped at 2.5
}

TEST_CASE("payout: flat (retroactive) tiers by hand", "[quota][payout]") {
  const auto p = accelerated(payout_mode::flat);
  CHECK(payout(p, 0.8) == Approx(0.8));  // 1 * 0.8
  CHECK(payout(p, 1.2) == Approx(2.4));  // the 100 % tier re-rates everything: 2 * 1.2
  CHECK(payout(p, 1.6) == Approx(1.6));  // decelerator: 1 * 1.6
  // The cliff: just below and at 100 %.
  CHECK(payout(p, 0.999) == Approx(0.999));
  CHECK(payout(p, 1.0) == Approx(2.0));
}

TEST_CASE("payout: interpolated table matches R's approx inside the table", "[quota][payout]") {
  payout_plan p;
  p.tier_start = {0.0, 0.5, 1.0, 1.5};
  p.tier_rate = {0.0, 0.25, 1.0, 2.0};
  p.mode = payout_mode::interpolated;
  // R: approx(c(0, .5, 1, 1.5), c(0, .25, 1, 2), xout = c(.75, 1.25, 1.5))$y = 0.625 1.5 2
  CHECK(payout(p, 0.75) == Approx(0.625));
  CHECK(payout(p, 1.25) == Approx(1.5));
  CHECK(payout(p, 1.5) == Approx(2.0));
  // Beyond the table the last slope continues (R's rule = 2 would stay at 2): (2 - 1) / 0.5.
  CHECK(payout(p, 2.0) == Approx(3.0));
}

TEST_CASE("payout: marginal payout == integral of the rate schedule (brute force)", "[quota][payout]") {
  salesops::rng gen(GENERATE(1u, 2u, 3u));
  payout_plan p;
  p.tier_start = {0.0};
  p.tier_rate = {gen.uniform(0, 2)};
  for (int k = 1; k < 5; ++k) {
    p.tier_start.push_back(p.tier_start.back() + gen.uniform(0.1, 0.6));
    p.tier_rate.push_back(gen.uniform(0, 3));
  }
  p.mode = payout_mode::marginal;
  const double a = gen.uniform(0, 3);
  // Midpoint Riemann sum of the step rate function over [0, a] with 200,000 cells: each
  // cell straddling a tier boundary errs by at most 3 * cell, so the sum is within 1e-4.
  const int cells = 200000;
  double integral = 0;
  for (int c = 0; c < cells; ++c) {
    const double x = (c + 0.5) * a / cells;
    std::size_t k = 0;
    while (k + 1 < p.tier_start.size() && p.tier_start[k + 1] <= x) ++k;
    integral += p.tier_rate[k] * a / cells;
  }
  CHECK(payout(p, a) == Approx(integral).margin(1e-4));
  // Continuity of the marginal curve at every tier boundary.
  for (std::size_t k = 1; k < p.tier_start.size(); ++k)
    CHECK(payout(p, p.tier_start[k] - 1e-9) == Approx(payout(p, p.tier_start[k])).margin(1e-8));
}

TEST_CASE("payouts and payout_curve_of", "[quota][payout]") {
  const auto p = accelerated(payout_mode::marginal);
  const std::vector<double> att = {0.4, 1.2, 1.8};
  const auto v = payouts(p, att);
  CHECK(v[1] == Approx(1.4));
  const auto c = payout_curve_of(p, 0, 2, 5); // 0, 0.5, 1, 1.5, 2
  REQUIRE(c.payout.size() == 5);
  CHECK(c.attainment[3] == 1.5);
  CHECK(c.payout[1] == Approx(0.5));
  CHECK(c.payout[3] == Approx(2.0));
  CHECK(c.payout[4] == Approx(2.5)); // 1 + 1 + 0.5 = 2.5 (the cap)
  std::ostringstream s;
  s << c << p;
  CHECK_THAT(s.str(), Contains("1.5:2"));
}

TEST_CASE("payout: bad plans and attainments throw", "[quota][payout]") {
  auto p = accelerated(payout_mode::marginal);
  p.tier_start = {0.0, 1.5, 1.0};
  CHECK_THROWS_AS(payout(p, 1), salesops::not_sorted);
  CHECK_THROWS_WITH(payout(p, 1), Contains("tier_start at row 2"));
  p = accelerated(payout_mode::marginal);
  p.tier_rate[1] = -1;
  CHECK_THROWS_WITH(payout(p, 1), Contains("tier_rate at row 1"));
  p = accelerated(payout_mode::marginal);
  p.tier_start[0] = 0.2;
  CHECK_THROWS_AS(payout(p, 1), salesops::out_of_range_value);
  p = accelerated(payout_mode::marginal);
  p.cap = 0;
  CHECK_THROWS_AS(payout(p, 1), salesops::negative_value);
  p = accelerated(payout_mode::marginal);
  p.tier_rate.pop_back();
  CHECK_THROWS_AS(payout(p, 1), salesops::length_mismatch);
  p = accelerated(payout_mode::marginal);
  CHECK_THROWS_AS(payout(p, -0.1), salesops::negative_value);
  const std::vector<double> att = {1.0, std::nan("")};
  CHECK_THROWS_WITH(payouts(p, att), Contains("attainment at row 1"));
  CHECK_THROWS_AS(payout_curve_of(p, 1, 1, 5), salesops::out_of_range_value);
  CHECK_THROWS_AS(payout_curve_of(p, 0, 1, 1), salesops::out_of_range_value);
}
