// Tests for salesops/quota/capacity.hpp.
#include <salesops/quota/capacity.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using namespace salesops::quota;
using salesops::make_date;

namespace {
const ramp_schedule four_month_ramp{{0.0, 0.25, 0.5, 0.75}};
}

TEST_CASE("ramp_adjusted_quota by hand", "[quota][capacity]") {
  // Starts 2026-02-10: February is month 0. Q1 = Jan (not started: 0), Feb (0), Mar (0.25).
  const auto q1 = salesops::make_period(salesops::period_kind::quarter, 2026, 1);
  CHECK(ramp_adjusted_quota(10000, four_month_ramp, make_date(2026, 2, 10), q1) == Approx(2500));
  // Q2 = Apr (0.5), May (0.75), Jun (1): 2.25 months of quota.
  const auto q2 = salesops::make_period(salesops::period_kind::quarter, 2026, 2);
  CHECK(ramp_adjusted_quota(10000, four_month_ramp, make_date(2026, 2, 10), q2) == Approx(22500));
  // A veteran gets the full quota.
  CHECK(ramp_adjusted_quota(10000, four_month_ramp, make_date(2020, 1, 1), q2) == Approx(30000));
  CHECK(ramp_factor(four_month_ramp, -1) == 0.0);
  CHECK(ramp_factor(four_month_ramp, 10) == 1.0);
  const ramp_schedule bad{{0.0, 1.5}};
  CHECK_THROWS_WITH(ramp_factor(bad, 0), Contains("productivity at row 1"));
  CHECK_THROWS_AS(ramp_adjusted_quota(-1, four_month_ramp, 0, q1), salesops::negative_value);
}

TEST_CASE("capacity_plan without attrition by hand", "[quota][capacity]") {
  // Two ramped reps plus one hire in month 0, productivity 100 per month, target 250.
  const std::vector<rep_cohort> cohorts = {{-12, 2}, {0, 1}};
  const std::vector<double> target(5, 250.0);
  const auto plan = capacity_plan(cohorts, four_month_ramp, 100, 0.0, target);
  REQUIRE(plan.size() == 5);
  const double expected_capacity[] = {200, 225, 250, 275, 300}; // 2 + ramp(t) reps
  for (std::size_t t = 0; t < 5; ++t) {
    CHECK(plan[t].headcount == 3.0);
    CHECK(plan[t].capacity == Approx(expected_capacity[t]));
  }
  CHECK(plan[4].cumulative_capacity == Approx(1250));
  CHECK(plan[4].gap == Approx(0)); // 5 x 250 - 1250
  CHECK(plan[1].gap == Approx(500 - 425));
  std::ostringstream s;
  s << plan[0];
  CHECK_THAT(s.str(), Contains("capacity=200"));
}

TEST_CASE("capacity_plan with attrition matches a simulation of individual reps", "[quota][capacity]") {
  // Brute force: simulate each rep month by month (leaves with probability a), average the
  // ramped headcount over many runs; the plan's expectation must lie within 4 standard errors.
  const double a = 0.05;
  const std::vector<rep_cohort> cohorts = {{-3, 10}, {2, 4}};
  const std::vector<double> target(8, 1000.0);
  const auto plan = capacity_plan(cohorts, four_month_ramp, 1.0, a, target);
  salesops::rng gen(17);
  const int runs = 4000;
  std::vector<double> sum(8, 0.0), sum_sq(8, 0.0);
  for (int run = 0; run < runs; ++run) {
    std::vector<double> ramped(8, 0.0);
    for (const auto& c : cohorts)
      for (int rep = 0; rep < static_cast<int>(c.count); ++rep) {
        bool present = true;
        for (std::int64_t t = 0; t < 8; ++t) {
          if (t < c.start_month) continue;
          if (t > std::max<std::int64_t>(c.start_month, 0) && present) present = !gen.bernoulli(a);
          if (present) ramped[static_cast<std::size_t>(t)] += ramp_factor(four_month_ramp, t - c.start_month);
        }
      }
    for (std::size_t t = 0; t < 8; ++t) {
      sum[t] += ramped[t];
      sum_sq[t] += ramped[t] * ramped[t];
    }
  }
  for (std::size_t t = 0; t < 8; ++t) {
    const double mean = sum[t] / runs;
    const double se = std::sqrt((sum_sq[t] / runs - mean * mean) / runs);
    CHECK(std::fabs(plan[t].ramped_headcount - mean) <= 4 * se + 1e-12);
  }
}

TEST_CASE("capacity_plan: bad input", "[quota][capacity]") {
  const std::vector<rep_cohort> cohorts = {{0, 1}, {1, -2}};
  const std::vector<double> target = {1, 2};
  CHECK_THROWS_WITH(capacity_plan(cohorts, four_month_ramp, 1, 0, target), Contains("cohorts.count at row 1"));
  const std::vector<rep_cohort> ok = {{0, 1}};
  CHECK_THROWS_AS(capacity_plan(ok, four_month_ramp, 1, 1.0, target), salesops::out_of_range_value);
  CHECK_THROWS_AS(capacity_plan(ok, four_month_ramp, -1, 0, target), salesops::negative_value);
  const std::vector<double> bad_target = {1, -2};
  CHECK_THROWS_WITH(capacity_plan(ok, four_month_ramp, 1, 0, bad_target), Contains("target at row 1"));
  const std::vector<double> none;
  CHECK_THROWS_AS(capacity_plan(ok, four_month_ramp, 1, 0, none), salesops::empty_input);
}
