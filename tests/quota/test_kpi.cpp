// Tests for salesops/quota/kpi.hpp.
#include <salesops/quota/kpi.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

#include "maven_crm.hpp"

using Catch::Matchers::Contains;
using salesops::quota::kpi_accumulator;
using salesops::quota::period_kpis_of;
using salesops::quota::stage_conversion;
using salesops::quota::stage_conversion_accumulator;

namespace {
enum class outcome : unsigned char { open, won, lost };
}

TEST_CASE("period_kpis_of: hand-derived example", "[quota][kpi]") {
  // Period [0, 30). In the cohort: won 100 (cycle 10), won 300 (cycle 20), lost 600.
  // Skipped: an open deal of 1000 and a won deal closed on day 40 (after the period).
  const std::vector<double> amount = {100, 300, 600, 1000, 50};
  const std::vector<outcome> result = {outcome::won, outcome::won, outcome::lost, outcome::open,
                                       outcome::won};
  const std::vector<std::int32_t> created = {0, 5, 1, 2, 3};
  const std::vector<std::int32_t> closed = {10, 25, 12, 20, 40};
  const auto k = period_kpis_of(amount, result, created, closed, 0, 30);
  CHECK(k.won_count == 2);
  CHECK(k.lost_count == 1);
  CHECK(k.bookings == 400.0);
  CHECK(k.lost_value == 600.0);
  CHECK(k.win_rate_count == Approx(2.0 / 3.0)); // 2 won of 3 closed
  CHECK(k.win_rate_value == Approx(0.4));        // 400 / (400 + 600)
  CHECK(k.average_deal_size == 200.0);           // 400 / 2
  CHECK(k.median_deal_size == 200.0);            // (100 + 300) / 2
  CHECK(k.mean_cycle_days == 15.0);              // (10 + 20) / 2
  CHECK(k.median_cycle_days == 15.0);
  std::ostringstream s;
  s << k;
  CHECK_THAT(s.str(), Contains("bookings=400"));
}

TEST_CASE("period_kpis_of: empty cohort gives NaN ratios, not zeros", "[quota][kpi]") {
  const std::vector<double> amount = {100};
  const std::vector<outcome> result = {outcome::open};
  const std::vector<std::int32_t> day = {1};
  const auto k = period_kpis_of(amount, result, day, day, 0, 30);
  CHECK(k.won_count == 0);
  CHECK(k.bookings == 0.0);
  CHECK(std::isnan(k.win_rate_count));
  CHECK(std::isnan(k.average_deal_size));
  CHECK(std::isnan(k.median_cycle_days));
}

TEST_CASE("period_kpis_of: bad input names the row", "[quota][kpi]") {
  std::vector<double> amount = {100, 200, -5};
  const std::vector<outcome> result = {outcome::won, outcome::won, outcome::won};
  const std::vector<std::int32_t> created = {0, 0, 0};
  std::vector<std::int32_t> closed = {1, 2, 3};
  CHECK_THROWS_AS(period_kpis_of(amount, result, created, closed, 0, 30), salesops::negative_value);
  CHECK_THROWS_WITH(period_kpis_of(amount, result, created, closed, 0, 30), Contains("amount at row 2"));
  amount[2] = std::nan("");
  CHECK_THROWS_AS(period_kpis_of(amount, result, created, closed, 0, 30), salesops::not_finite);
  amount[2] = 5;
  CHECK_THROWS_AS(period_kpis_of(amount, result, created, closed, 30, 30), salesops::out_of_range_value);
  CHECK_THROWS_WITH(period_kpis_of(amount, result, created, closed, 30, 0), Contains("period_end"));
  closed[1] = -1; // won before it was created
  CHECK_THROWS_WITH(period_kpis_of(amount, result, created, closed, -5, 30), Contains("close_date at row 1"));
  const std::vector<std::int32_t> short_col = {0, 0};
  CHECK_THROWS_AS(period_kpis_of(amount, result, short_col, closed, 0, 30), salesops::length_mismatch);
}

TEST_CASE("kpi_accumulator: merge of shards from different distributions == one pass", "[quota][kpi]") {
  salesops::rng gen(GENERATE(11u, 12u, 13u));
  kpi_accumulator one_pass;
  std::array<kpi_accumulator, 3> shards{};
  for (int i = 0; i < 2000; ++i) {
    const auto s = static_cast<std::size_t>(i % 3);
    // Shard 0: small lognormal deals that mostly win; 1: large uniform deals that mostly
    // lose; 2: a mixture with long cycles.
    const double amount = s == 0 ? gen.lognormal(6, 1) : s == 1 ? gen.uniform(1e5, 1e6) : gen.exponential(1e-3);
    const bool won = gen.bernoulli(s == 0 ? 0.8 : s == 1 ? 0.1 : 0.5);
    const double cycle = std::floor(s == 2 ? gen.uniform(100, 400) : gen.uniform(0, 60));
    if (won) {
      one_pass.add_won(amount, cycle);
      shards[s].add_won(amount, cycle);
    } else {
      one_pass.add_lost(amount);
      shards[s].add_lost(amount);
    }
  }
  kpi_accumulator merged;
  for (const auto& s : shards) merged.merge(s);
  const auto a = merged.result();
  const auto b = one_pass.result();
  CHECK(a.won_count == b.won_count);
  CHECK(a.lost_count == b.lost_count);
  CHECK(a.bookings == Approx(b.bookings).epsilon(1e-14));
  CHECK(a.lost_value == Approx(b.lost_value).epsilon(1e-14));
  CHECK(a.win_rate_value == Approx(b.win_rate_value).epsilon(1e-14));
  CHECK(a.median_deal_size == b.median_deal_size); // same multiset, exact
  CHECK(a.median_cycle_days == b.median_cycle_days);
  CHECK(a.mean_cycle_days == Approx(b.mean_cycle_days).epsilon(1e-14));
}

TEST_CASE("stage_conversion: hand-derived funnel with skips", "[quota][kpi]") {
  // 3 stages. Lost at stage 0 twice, lost at stage 1, lost at stage 2, won twice (one won
  // deal skipped straight from stage 0: it still counts as having reached every stage),
  // one open deal at stage 2 (ignored).
  const std::vector<int> top = {0, 0, 1, 2, 2, 0, 2};
  const std::vector<outcome> result = {outcome::lost, outcome::lost, outcome::lost, outcome::lost,
                                       outcome::won, outcome::won, outcome::open};
  const auto steps = stage_conversion(salesops::span<const int>(top), salesops::span<const outcome>(result), 3);
  REQUIRE(steps.size() == 3);
  // reached: stage0 = 6, stage1 = 4 (lost@1, lost@2, two won), stage2 = 3, won = 2.
  CHECK(steps[0].reached == 6);
  CHECK(steps[0].advanced == 4);
  CHECK(steps[1].reached == 4);
  CHECK(steps[1].advanced == 3);
  CHECK(steps[2].reached == 3);
  CHECK(steps[2].advanced == 2);
  CHECK(steps[2].rate == Approx(2.0 / 3.0));
  // Product of the step rates is the overall win rate: 4/6 * 3/4 * 2/3 = 2/6.
  CHECK(steps[0].rate * steps[1].rate * steps[2].rate == Approx(2.0 / 6.0));
  const std::vector<int> bad = {0, 3, 0, 0, 0, 0, 0};
  CHECK_THROWS_WITH(stage_conversion(salesops::span<const int>(bad), salesops::span<const outcome>(result), 3),
                    Contains("highest_stage at row 1"));
}

TEST_CASE("stage_conversion_accumulator: merged shards from different funnels == one pass", "[quota][kpi]") {
  salesops::rng gen(GENERATE(31u, 32u, 33u));
  // Three shards with different funnels: a leaky top, a leaky bottom, mostly won; 5 stages.
  const double win_p[3] = {0.1, 0.4, 0.8};
  std::vector<int> top;
  std::vector<outcome> result;
  std::array<stage_conversion_accumulator, 3> shards{stage_conversion_accumulator(5),
      stage_conversion_accumulator(5), stage_conversion_accumulator(5)};
  for (std::size_t s = 0; s < 3; ++s)
    for (int i = 0; i < 300; ++i) {
      const bool won = gen.bernoulli(win_p[s]);
      const int stage = s == 0 ? static_cast<int>(gen.uniform_int(2)) : static_cast<int>(2 + gen.uniform_int(3));
      shards[s].update(stage, won);
      top.push_back(stage);
      result.push_back(won ? outcome::won : outcome::lost);
    }
  stage_conversion_accumulator merged(5);
  for (std::size_t s : {1u, 2u, 0u}) merged.merge(shards[s]);
  const auto a = merged.result();
  const auto b = stage_conversion(salesops::span<const int>(top), salesops::span<const outcome>(result), 5);
  // Brute force: a deal reached stage s when it is won or its highest stage is >= s.
  for (std::size_t s = 0; s < 5; ++s) {
    std::uint64_t reached = 0;
    for (std::size_t i = 0; i < top.size(); ++i)
      reached += (result[i] == outcome::won || top[i] >= static_cast<int>(s)) ? 1 : 0;
    CHECK(a[s].reached == reached);
    CHECK(a[s].reached == b[s].reached);
    CHECK(a[s].advanced == b[s].advanced);
  }
  CHECK_THROWS_AS(merged.merge(stage_conversion_accumulator(4)), salesops::length_mismatch);
  CHECK_THROWS_WITH(merged.update(5, false), Contains("highest_stage"));
  CHECK_THROWS_AS(stage_conversion_accumulator(0), salesops::out_of_range_value);
}

TEST_CASE("period_kpis_of on the Maven CRM sample matches R", "[quota][kpi][maven]") {
  const auto d = maven::load();
  if (!d.loaded) {
    WARN("../shared/data/maven-crm is absent: skipped");
    return;
  }
  const auto k = period_kpis_of(d.value, d.result, d.engage, d.close,
                                salesops::make_date(2016, 1, 1), salesops::make_date(2018, 1, 1));
  // R: d <- read.csv("sales_pipeline.csv"); w <- d[d$deal_stage == "Won", ]
  //    nrow(w) 4238; nrow(d[d$deal_stage %in% c("Won","Lost"), ]) 6711
  //    mean(w$close_value) 2360.90939122227; median(w$close_value) 1117
  //    cyc <- as.numeric(as.Date(w$close_date) - as.Date(w$engage_date))
  //    mean(cyc) 51.7819726285984; median(cyc) 57
  CHECK(k.won_count == 4238);
  CHECK(k.won_count + k.lost_count == 6711);
  CHECK(k.win_rate_count == Approx(4238.0 / 6711.0).epsilon(1e-15));
  CHECK(k.bookings == 10005534.0);
  CHECK(k.average_deal_size == Approx(2360.90939122227).epsilon(1e-13));
  CHECK(k.median_deal_size == 1117.0);
  CHECK(k.mean_cycle_days == Approx(51.7819726285984).epsilon(1e-13));
  CHECK(k.median_cycle_days == 57.0);
  // Lost deals carry close_value 0 in this sample, so the win rate by value is 1.
  CHECK(k.win_rate_value == 1.0);
}
