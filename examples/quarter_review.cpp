// A quarter-in-progress review on simulated data: attainment per rep and team, pacing by the
// linear and the seasonal clock, and P(hit quota) from the open deals (probabilities: the
// simulator's true win probability of each deal's current stage).
//
// The simulated CRM runs 24 months from 2024-01-01; the review is taken on 2025-12-01, two of
// the three months of 2025-Q4 elapsed, using only what was known then (deals created before
// that day, their stage and expected close date on that day). Because the data continue to
// the quarter end, the review ends with a backtest: the predicted P(hit) against who hit.
// Bookings bunch at quarter end in the simulator (a win in months 1-2 is pushed to month 3
// with probability 0.13), as in real CRM data. What the backtest shows (seed 2026): the stage
// probabilities are P(won eventually), not P(won before the quarter ends), so deals that slip
// past the quarter make the pipeline outlook optimistic (company P(hit) 0.91, actual 86 % of
// quota), while the seasonal projection's interval holds the actual bookings.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <vector>

#include <salesops/core/calendar.hpp>
#include <salesops/core/sum.hpp>
#include <salesops/pipeline/revenue_outlook.hpp>
#include <salesops/quota/attainment.hpp>
#include <salesops/quota/pacing.hpp>
#include <salesops/simulate/crm.hpp>

namespace sim = salesops::simulate;
namespace q = salesops::quota;
namespace pl = salesops::pipeline;

int main() {
  sim::config cfg;
  cfg.seed = 2026;
  const sim::dataset data = sim::simulate_crm(cfg);
  const auto& opp = data.opportunities;
  const salesops::date as_of = salesops::make_date(2025, 12, 1); // first day not yet elapsed
  const auto quarter = salesops::period_of(as_of, salesops::period_kind::quarter);
  std::printf("Quarter review %s on %s (%.0f%% of the quarter elapsed)\n",
              salesops::to_string(quarter).c_str(), salesops::format_date(as_of).c_str(),
              100 * salesops::elapsed_fraction(quarter, as_of));

  // Org: unit 0 = company, then regions, then teams; reps move between teams over time.
  const auto& org = data.org;
  const auto regions = static_cast<std::uint32_t>(org.region_names.size());
  std::vector<std::int64_t> parent = {q::no_parent};
  for (std::uint32_t r = 0; r < regions; ++r) parent.push_back(0);
  for (auto reg : org.team_region) parent.push_back(1 + static_cast<std::int64_t>(reg));
  std::vector<std::uint32_t> rep_unit, move_unit;
  for (auto t : org.rep_team) rep_unit.push_back(1 + regions + t);
  for (auto t : org.move_team) move_unit.push_back(1 + regions + t);
  const q::org_hierarchy hierarchy(parent, rep_unit, org.move_rep, org.move_date, move_unit);

  // Quarterly quotas of this quarter.
  std::vector<double> quota(org.rep_count(), 0.0);
  for (std::size_t i = 0; i < data.quotas.rep.size(); ++i)
    if (data.quotas.period[i] == sim::quota_period::quarter && data.quotas.period_start[i] == quarter.start)
      quota[data.quotas.rep[i]] = data.quotas.amount[i];
  // Reps hired after the quarter started have no quota row: give them a token quota of 1 so
  // the roll-up stays defined, and leave them out of the rep table.
  for (double& x : quota) x = std::max(x, 1.0);

  // Booked: won in [quarter start, as_of) — the data run on, but the review must not see them.
  const auto ledger = q::credit_won_deals(hierarchy, salesops::span<const std::uint32_t>(opp.owner),
      salesops::span<const double>(opp.amount), salesops::span<const sim::outcome>(opp.outcome),
      salesops::span<const salesops::date>(opp.close_date), {}, 1, quarter.start, as_of, as_of);
  const auto report = q::attainment_of(ledger, hierarchy, quota, {}, as_of);

  // Seasonal profile from the four previous quarters' won deals.
  std::vector<salesops::period> past;
  auto p = salesops::period_of(quarter.start - 1, salesops::period_kind::quarter);
  for (int k = 0; k < 4; ++k) {
    past.push_back(p);
    p = salesops::period_of(p.start - 1, salesops::period_kind::quarter);
  }
  std::vector<salesops::date> won_close;
  std::vector<double> won_amount;
  for (std::size_t i = 0; i < opp.size(); ++i)
    if (opp.outcome[i] == sim::outcome::won) {
      won_close.push_back(opp.close_date[i]);
      won_amount.push_back(opp.amount[i]);
    }
  const q::seasonal_profile profile(won_close, won_amount, past);
  const double f = salesops::elapsed_fraction(quarter, as_of);
  std::printf("Seasonal profile (4 past quarters): %.1f%% of a quarter's bookings by now "
              "(linear clock: %.1f%%); third month share %.1f%% (simulator truth %.1f%%)\n",
              100 * profile.share(f), 100 * f, 100 * (1 - profile.share(f)),
              100 * data.truth.third_month_won_share);

  // Deals open on as_of (created before it, not closed before it), with their stage and
  // expected close date on that day. The expected close on as_of is the new date of the last
  // change before as_of, else the old date of the first change after it, else the final
  // close date (a deal whose date never moved). Probabilities: the simulator's true P(won)
  // from the deal's stage (skill-0 rep), standing in for the funnel module's estimates.
  const std::int64_t as_of_ts = salesops::timestamp_from_date(as_of);
  std::vector<std::int64_t> stage_then(opp.size(), -1);
  for (std::size_t h = 0; h < opp.stage_opportunity.size(); ++h)
    if (opp.entered_at[h] < as_of_ts) stage_then[opp.stage_opportunity[h]] = opp.stage[h];
  std::vector<salesops::date> expected_close(opp.close_date);
  std::vector<char> settled(opp.size(), 0);
  for (std::size_t c = 0; c < opp.change_opportunity.size(); ++c) {
    const auto i = opp.change_opportunity[c];
    if (opp.changed_on[c] < as_of) {
      expected_close[i] = opp.new_close[c];
      settled[i] = 1;
    } else if (!settled[i]) {
      expected_close[i] = opp.old_close[c];
      settled[i] = 1;
    }
  }
  std::vector<std::uint32_t> open_rep, open_team;
  std::vector<double> open_amount, open_prob;
  for (std::size_t i = 0; i < opp.size(); ++i) {
    const bool open_then = opp.created[i] < as_of && stage_then[i] >= 0 &&
                           (opp.outcome[i] == sim::outcome::open || opp.close_date[i] >= as_of);
    if (!open_then || expected_close[i] < as_of || expected_close[i] >= quarter.end) continue;
    open_rep.push_back(opp.owner[i]);
    open_team.push_back(hierarchy.unit_of(opp.owner[i], as_of));
    open_amount.push_back(opp.amount[i]);
    open_prob.push_back(data.truth.win_probability(static_cast<Eigen::Index>(stage_then[i])));
  }
  // Whole-quarter actual bookings per rep, for the backtest.
  const auto actual = q::credit_won_deals(hierarchy, salesops::span<const std::uint32_t>(opp.owner),
      salesops::span<const double>(opp.amount), salesops::span<const sim::outcome>(opp.outcome),
      salesops::span<const salesops::date>(opp.close_date), {}, 1, quarter.start, quarter.end, quarter.end);
  // Amounts are in currency units with cents; a 100-unit grid step keeps the DP small, and
  // its rigorous error bound is reported (quantile_error, P(hit) bracket).
  pl::outlook_options options;
  options.exact_max_lattice = 0;
  options.grid_cells = 0; // set per group below
  std::vector<double> rep_booked, rep_quota;
  for (const auto& l : report.reps) {
    rep_booked.push_back(l.credit);
    rep_quota.push_back(l.quota);
  }
  const auto outlook_of = [&](const std::vector<std::uint32_t>& group, const std::vector<double>& booked,
                              const std::vector<double>& quota_of) {
    std::vector<pl::quota_outlook> out;
    for (std::size_t g = 0; g < booked.size(); ++g) {
      std::vector<double> a, pr;
      for (std::size_t i = 0; i < group.size(); ++i)
        if (group[i] == g) {
          a.push_back(open_amount[i]);
          pr.push_back(open_prob[i]);
        }
      pl::outlook_options o = options;
      o.grid_cells = std::max(1.0, salesops::compensated_sum(a) / 100.0);
      out.push_back(pl::revenue_outlook(a, pr, booked[g], quota_of[g], o));
    }
    return out;
  };
  const auto rep_outlook = outlook_of(open_rep, rep_booked, rep_quota);

  std::printf("\n%-6s %-10s %10s %10s %6s %12s %14s %6s %10s %10s\n", "rep", "team", "quota", "booked",
              "attain", "pace linear", "pace seasonal", "P(hit)", "P10", "P90");
  std::size_t shown = 0, at_risk = 0, hit = 0;
  double predicted = 0, brier = 0;
  for (std::uint32_t r = 0; r < org.rep_count(); ++r) {
    if (quota[r] <= 1.0) continue;
    const auto pace = q::pace(quarter, as_of, report.reps[r].credit, quota[r], &profile);
    const auto& o = rep_outlook[r];
    if (o.p_hit < 0.5) ++at_risk;
    const bool did_hit = actual.rep_credit(r) >= quota[r];
    hit += did_hit ? 1 : 0;
    predicted += o.p_hit;
    brier += (o.p_hit - (did_hit ? 1.0 : 0.0)) * (o.p_hit - (did_hit ? 1.0 : 0.0));
    if (shown++ >= 12) continue;
    const auto team = hierarchy.unit_of(r, as_of) - 1 - regions;
    std::printf("%-6u %-10s %10.0f %10.0f %5.0f%% %12.2f %14.2f %6.3f %10.0f %10.0f\n", r,
                org.team_names[team].c_str(), quota[r], report.reps[r].credit,
                100 * report.reps[r].attainment, pace.pace_linear, pace.pace_seasonal, o.p_hit,
                o.p10, o.p90);
  }
  std::printf("... %zu reps with a quarterly quota; %zu below a 50%% chance of hitting it\n", shown, at_risk);
  std::printf("Backtest at quarter end: %zu reps hit quota; the P(hit) predicted on %s sum to "
              "%.1f; Brier score %.3f\n", hit, salesops::format_date(as_of).c_str(), predicted,
              brier / static_cast<double>(shown));

  // Teams and company: the outlook of all their deals together (not a sum of rep figures).
  const std::size_t units = hierarchy.unit_count();
  std::vector<double> unit_booked(units), unit_quota(units);
  for (std::size_t u = 0; u < units; ++u) {
    unit_booked[u] = report.units[u].credit;
    unit_quota[u] = std::max(report.units[u].quota, 1.0);
  }
  std::vector<std::uint32_t> company(open_rep.size(), 0);
  const auto team_outlook = outlook_of(open_team, unit_booked, unit_quota);
  const auto company_outlook = outlook_of(company, unit_booked, unit_quota);
  std::printf("\n%-12s %12s %12s %6s %12s %14s %6s\n", "team", "quota", "booked", "attain",
              "pace linear", "pace seasonal", "P(hit)");
  for (std::size_t t = 0; t < org.team_names.size(); ++t) {
    const std::size_t u = 1 + regions + t;
    const auto pace = q::pace(quarter, as_of, report.units[u].credit, unit_quota[u], &profile);
    std::printf("%-12s %12.0f %12.0f %5.0f%% %12.2f %14.2f %6.3f\n", org.team_names[t].c_str(),
                unit_quota[u], report.units[u].credit, 100 * report.units[u].attainment,
                pace.pace_linear, pace.pace_seasonal, team_outlook[u].p_hit);
  }
  const auto pace = q::pace(quarter, as_of, report.units[0].credit, unit_quota[0], &profile);
  const auto& c = company_outlook[0];
  std::printf("%-12s %12.0f %12.0f %5.0f%% %12.2f %14.2f %6.3f\n", "company", unit_quota[0],
              report.units[0].credit, 100 * report.units[0].attainment, pace.pace_linear,
              pace.pace_seasonal, c.p_hit);
  std::printf("\nCompany outlook: expected %.0f (sd %.0f), P10 %.0f, P50 %.0f, P90 %.0f "
              "(+-%.0f), expected shortfall %.0f, P(hit) in [%.4f, %.4f]\n", c.expected, c.sd,
              c.p10, c.p50, c.p90, c.quantile_error, c.expected_shortfall, c.p_hit_lower, c.p_hit_upper);
  salesops::neumaier_sum<double> actual_total;
  for (std::uint32_t r = 0; r < org.rep_count(); ++r) actual_total.update(actual.rep_credit(r));
  std::printf("Actual quarter bookings: %.0f against a quota of %.0f\n", actual_total.result(), unit_quota[0]);
  std::printf("Seasonal projection %.0f [%.0f, %.0f] vs run rate %.0f; required per remaining "
              "business day %.0f\n", pace.projection_seasonal, pace.projection_low,
              pace.projection_high, pace.projection_run_rate, pace.required_per_business_day);
  return 0;
}
