// Tests of scoring/rep_kpis.hpp: per-rep period KPIs built on the quota module's KPIs.
#include "salesops/scoring/rep_kpis.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <vector>

#include "salesops/core/rng.hpp"

using namespace salesops;
using namespace salesops::scoring;
using Catch::Matchers::Contains;

namespace {
enum class result_kind : std::uint8_t { open, won, lost };
enum class touch : std::uint8_t { call, email, meeting };
} // namespace

TEST_CASE("rep KPIs of a hand-made period", "[scoring][rep_kpis]") {
  // Period [100, 130). Rep 0: won 1000 (created 80, closed 110: cycle 30), lost 500 (closed
  // 120), open 2000 (created 105). Rep 1: won 300 closed 140 (after the period: open at its
  // end), created 90. Rep 0 quota 4000; rep 1 none.
  const std::vector<std::uint32_t> owner = {0, 0, 0, 1};
  const std::vector<std::int32_t> created = {80, 95, 105, 90}, close = {110, 120, 150, 140};
  const std::vector<result_kind> outcome = {result_kind::won, result_kind::lost, result_kind::open,
                                            result_kind::won};
  const std::vector<double> amount = {1000, 500, 2000, 300};
  const opportunity_columns<result_kind> deals{owner, created, close, outcome, amount};
  const std::vector<std::uint32_t> a_rep = {0, 0, 1, 0, 1};
  const std::vector<std::int32_t> a_date = {100, 129, 101, 130, 99};
  const std::vector<touch> a_kind = {touch::call, touch::meeting, touch::email, touch::call, touch::call};
  const std::vector<std::uint32_t> q_rep = {0, 0};
  const std::vector<std::int32_t> q_start = {100, 130};
  const std::vector<double> q_amount = {4000, 9999};
  const auto k = rep_kpis_of(deals, span<const std::uint32_t>(a_rep), span<const std::int32_t>(a_date),
                             span<const touch>(a_kind), span<const std::uint32_t>(q_rep),
                             span<const std::int32_t>(q_start), span<const double>(q_amount), 100, 130, 2);
  REQUIRE(k.size() == 2);
  // Hand derivation for rep 0.
  CHECK(k[0].deals.won_count == 1);
  CHECK(k[0].deals.lost_count == 1);
  CHECK(k[0].deals.win_rate_count == 0.5);
  CHECK(k[0].deals.win_rate_value == Approx(1000.0 / 1500));
  CHECK(k[0].deals_created == 1);         // only the deal created on day 105
  CHECK(k[0].pipeline_generated == 2000);
  CHECK(k[0].open_deals == 1);
  CHECK(k[0].open_pipeline == 2000);
  CHECK(k[0].quota == 4000);
  CHECK(k[0].attainment == 0.25);
  CHECK(k[0].coverage == Approx(2000.0 / 3000)); // open / (quota - bookings)
  CHECK(k[0].velocity == Approx(1 * 0.5 * 1000.0 / 30)); // open deals x win rate x size / cycle
  CHECK(k[0].calls == 1);
  CHECK(k[0].meetings == 1);
  CHECK(k[0].emails == 0);
  // Rep 1: nothing closed in the period, no quota: NaN ratios, one open deal, one email.
  CHECK(std::isnan(k[1].deals.win_rate_count));
  CHECK(std::isnan(k[1].attainment));
  CHECK(std::isnan(k[1].velocity));
  CHECK(k[1].open_deals == 1);
  CHECK(k[1].emails == 1);
  CHECK(k[1].calls == 0);
  std::ostringstream out;
  out << k[0];
  CHECK(out.str().find("attainment=0.25") != std::string::npos);
  // Bad input names the row.
  const std::vector<std::uint32_t> bad_owner = {0, 0, 5, 1};
  const opportunity_columns<result_kind> bad{bad_owner, created, close, outcome, amount};
  CHECK_THROWS_WITH(rep_kpis_of(bad, span<const std::uint32_t>(a_rep), span<const std::int32_t>(a_date),
                                span<const touch>(a_kind), span<const std::uint32_t>(q_rep),
                                span<const std::int32_t>(q_start), span<const double>(q_amount), 100, 130, 2),
                    Contains("owner at row 2"));
}

TEST_CASE("rep deal KPIs equal the quota module's period KPIs per rep, and shards merge",
          "[scoring][rep_kpis]") {
  const auto seed = GENERATE(41u, 42u);
  rng gen(seed);
  const std::size_t n = 400, reps = 5;
  std::vector<std::uint32_t> owner(n);
  std::vector<std::int32_t> created(n), close(n);
  std::vector<result_kind> outcome(n);
  std::vector<double> amount(n);
  for (std::size_t i = 0; i < n; ++i) {
    owner[i] = static_cast<std::uint32_t>(gen.uniform_int(reps));
    created[i] = static_cast<std::int32_t>(gen.uniform_int(200));
    close[i] = created[i] + static_cast<std::int32_t>(gen.uniform_int(90));
    outcome[i] = static_cast<result_kind>(gen.uniform_int(3));
    // Two very different amount distributions: first half small, second half large.
    amount[i] = i < n / 2 ? gen.lognormal(5, 0.5) : gen.lognormal(11, 2);
  }
  const opportunity_columns<result_kind> deals{owner, created, close, outcome, amount};
  const std::vector<std::uint32_t> none_u;
  const std::vector<std::int32_t> none_d;
  const std::vector<touch> none_k;
  const std::vector<double> none_a;
  const auto k = rep_kpis_of(deals, span<const std::uint32_t>(none_u), span<const std::int32_t>(none_d),
                             span<const touch>(none_k), span<const std::uint32_t>(none_u),
                             span<const std::int32_t>(none_d), span<const double>(none_a), 60, 150, reps);
  for (std::uint32_t r = 0; r < reps; ++r) {
    // Brute force: the quota module's period_kpis_of on the rep's own rows.
    std::vector<double> am;
    std::vector<result_kind> oc;
    std::vector<std::int32_t> cr, cl;
    for (std::size_t i = 0; i < n; ++i)
      if (owner[i] == r) { am.push_back(amount[i]); oc.push_back(outcome[i]); cr.push_back(created[i]); cl.push_back(close[i]); }
    const auto want = quota::period_kpis_of(am, oc, cr, cl, 60, 150);
    CHECK(k[r].deals.won_count == want.won_count);
    CHECK(k[r].deals.bookings == Approx(want.bookings).epsilon(1e-14));
    CHECK(k[r].deals.median_cycle_days == want.median_cycle_days);
  }
  // Merge: the two halves (different distributions) accumulated apart == one pass.
  rep_kpi_accumulator one, first, second;
  for (std::size_t i = 0; i < n; ++i) {
    auto& shard = i < n / 2 ? first : second;
    for (auto* acc : {&one, &shard}) {
      acc->add_created(amount[i]);
      if (outcome[i] == result_kind::won) acc->add_won(amount[i], static_cast<double>(close[i] - created[i]));
      if (outcome[i] == result_kind::lost) acc->add_lost(amount[i]);
      acc->add_activity(static_cast<int>(i % 3));
    }
  }
  first.merge(second);
  const auto a = one.result(), b = first.result();
  CHECK(a.pipeline_generated == Approx(b.pipeline_generated).epsilon(1e-15));
  CHECK(a.deals.bookings == Approx(b.deals.bookings).epsilon(1e-15));
  CHECK(a.deals.median_deal_size == b.deals.median_deal_size);
  CHECK(a.calls == b.calls);
  CHECK(a.meetings == b.meetings);
  rep_kpi_accumulator bad;
  CHECK_THROWS_AS(bad.add_activity(3), out_of_range_value);
  CHECK_THROWS_AS(bad.add_quota(0), negative_value);
}

TEST_CASE("rep_kpis_of names itself and the row for a bad quota or an unknown activity kind",
          "[scoring][rep_kpis]") {
  enum class activity : std::uint8_t { call, email, meeting, demo };
  const std::vector<std::uint32_t> none_u;
  const std::vector<std::int32_t> none_d;
  const std::vector<result_kind> none_o;
  const std::vector<double> none_a;
  const opportunity_columns<result_kind> deals{none_u, none_d, none_d, none_o, none_a};
  const std::vector<std::uint32_t> a_rep = {0, 0, 0};
  const std::vector<std::int32_t> a_date = {1, 2, 3};
  const std::vector<activity> a_kind = {activity::call, activity::meeting, activity::demo};
  const std::vector<std::uint32_t> q_rep = {0, 0};
  const std::vector<std::int32_t> q_start = {0, 5};
  const std::vector<double> q_ok = {100, 200}, q_bad = {100, -5};
  const auto run = [&](const std::vector<activity>& kinds, const std::vector<double>& quota) {
    return rep_kpis_of(deals, span<const std::uint32_t>(a_rep), span<const std::int32_t>(a_date),
                       span<const activity>(kinds), span<const std::uint32_t>(q_rep),
                       span<const std::int32_t>(q_start), span<const double>(quota), 0, 10, 1);
  };
  // The demo counted as a second meeting.
  CHECK_THROWS_AS(run(a_kind, q_ok), out_of_range_value);
  CHECK_THROWS_WITH(run(a_kind, q_ok), Contains("rep_kpis_of: activity_kind at row 2 is 3"));
  const std::vector<activity> known = {activity::call, activity::meeting, activity::email};
  const auto k = run(known, q_ok);
  CHECK(k[0].meetings == 1);
  CHECK(k[0].quota == 300);
  // The error named rep_kpi_accumulator::add_quota and no row.
  CHECK_THROWS_AS(run(known, q_bad), negative_value);
  CHECK_THROWS_WITH(run(known, q_bad),
                    Contains("rep_kpis_of: quota_amount at row 1 must be positive (is -5)"));
}
