// Tests for salesops/pipeline/pipeline_metrics.hpp.
#include <salesops/pipeline/pipeline_metrics.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <vector>

using Catch::Matchers::Contains;
namespace pl = salesops::pipeline;

TEST_CASE("weighted pipeline, coverage and velocity by hand", "[pipeline][metrics]") {
  const std::vector<double> a = {1000, 2000, 500}, p = {0.1, 0.5, 0.9};
  CHECK(pl::weighted_pipeline(a, p) == Approx(100 + 1000 + 450));
  CHECK(pl::coverage_ratio(3500, 2000, 250) == Approx(2.0)); // 3500 / (2000 - 250)
  CHECK(std::isinf(pl::coverage_ratio(3500, 2000, 2500)));
  // 40 opportunities x 25 % x 12,000 / 60 days = 2,000 per day.
  CHECK(pl::pipeline_velocity(40, 0.25, 12000, 60) == Approx(2000));
  CHECK_THROWS_AS(pl::pipeline_velocity(40, 1.25, 12000, 60), salesops::out_of_range_value);
  CHECK_THROWS_AS(pl::pipeline_velocity(40, 0.25, 12000, 0), salesops::negative_value);
  CHECK_THROWS_AS(pl::coverage_ratio(10, 0), salesops::negative_value);
  const std::vector<double> bad_p = {0.1, 0.5, 2};
  CHECK_THROWS_WITH(pl::weighted_pipeline(a, bad_p), Contains("probs at row 2"));
}

TEST_CASE("slippage_of by hand", "[pipeline][metrics]") {
  // Period [100, 200). Opportunities:
  //  0: closes on 150, never moved                -> expected, not pushed
  //  1: moved 150 -> 230 (pushed out)              -> expected, pushed
  //  2: moved 90 -> 120, then 120 -> 210 (pushed)  -> expected, pushed
  //  3: moved 250 -> 260 (never in the period)     -> not expected
  //  4: moved 150 -> 180 (moved within the period) -> expected, not pushed
  const std::vector<double> amount = {100, 200, 300, 400, 500};
  const std::vector<std::int32_t> close = {150, 230, 210, 260, 180};
  const std::vector<std::uint64_t> opp = {1, 2, 2, 3, 4};
  const std::vector<std::int32_t> old_close = {150, 90, 120, 250, 150};
  const std::vector<std::int32_t> new_close = {230, 120, 210, 260, 180};
  const auto s = pl::slippage_of(amount, close, opp, old_close, new_close, 100, 200);
  CHECK(s.expected == 4);
  CHECK(s.pushed == 2);
  CHECK(s.rate == 0.5);
  CHECK(s.expected_amount == 1100);
  CHECK(s.amount_rate == Approx(500.0 / 1100.0));
  std::ostringstream o;
  o << s;
  CHECK_THAT(o.str(), Contains("pushed=2"));
  const std::vector<std::uint64_t> bad_opp = {1, 2, 9, 3, 4};
  CHECK_THROWS_WITH(pl::slippage_of(amount, close, bad_opp, old_close, new_close, 100, 200),
                    Contains("change_opportunity at row 2"));
  CHECK_THROWS_AS(pl::slippage_of(amount, close, opp, old_close, new_close, 200, 100),
                  salesops::out_of_range_value);
}
