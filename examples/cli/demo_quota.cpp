// Demo section "Quota attainment" (order 30): attainment of the last complete quarter of the
// simulated CRM, its spread across reps, and the quarter-end effect that breaks linear pacing.
#include "demo.hpp"

#include <cstdio>
#include <ostream>
#include <vector>

#include <salesops/core/calendar.hpp>
#include <salesops/quota/attainment.hpp>
#include <salesops/quota/pacing.hpp>

namespace {

namespace q = salesops::quota;
namespace sim = salesops::simulate;

void print_quota_section(const salesops_cli::demo_context& ctx, std::ostream& out) {
  const auto& d = ctx.data;
  const auto& opp = d.opportunities;
  // Last quarter that ends inside the data.
  auto quarter = salesops::period_of(d.end - 1, salesops::period_kind::quarter);
  if (quarter.end > d.end) quarter = salesops::period_of(quarter.start - 1, salesops::period_kind::quarter);
  std::vector<double> quota(d.org.rep_count(), 0.0);
  for (std::size_t i = 0; i < d.quotas.rep.size(); ++i)
    if (d.quotas.period[i] == sim::quota_period::quarter && d.quotas.period_start[i] == quarter.start)
      quota[d.quotas.rep[i]] = d.quotas.amount[i];
  std::vector<double> credit(d.org.rep_count(), 0.0);
  for (std::size_t i = 0; i < opp.size(); ++i)
    if (opp.outcome[i] == sim::outcome::won && opp.close_date[i] >= quarter.start && opp.close_date[i] < quarter.end)
      credit[opp.owner[i]] += opp.amount[i];
  std::vector<double> attainment;
  double total_credit = 0, total_quota = 0;
  for (std::size_t r = 0; r < quota.size(); ++r) {
    if (quota[r] <= 0) continue;
    attainment.push_back(credit[r] / quota[r]);
    total_credit += credit[r];
    total_quota += quota[r];
  }
  const auto dist = q::attainment_distribution_of(attainment);
  char line[200];
  std::snprintf(line, sizeof line, "  %s: company attainment %.1f%% (%.0f of %.0f)\n",
                salesops::to_string(quarter).c_str(), 100 * total_credit / total_quota, total_credit, total_quota);
  out << line;
  std::snprintf(line, sizeof line, "  reps at or above quota: %.0f%% of %zu; median %.0f%%, P10 %.0f%%, P90 %.0f%%, Gini %.2f\n",
                100 * dist.share_at_quota, dist.reps, 100 * dist.median, 100 * dist.p10, 100 * dist.p90, dist.gini);
  out << line;
  // Seasonal profile of the four quarters before it: the share booked by the end of month 2.
  std::vector<salesops::period> past;
  auto p = salesops::period_of(quarter.start - 1, salesops::period_kind::quarter);
  for (int k = 0; k < 4 && p.start >= d.start; ++k) {
    past.push_back(p);
    p = salesops::period_of(p.start - 1, salesops::period_kind::quarter);
  }
  if (past.empty()) return;
  std::vector<salesops::date> won_close;
  std::vector<double> won_amount;
  for (std::size_t i = 0; i < opp.size(); ++i)
    if (opp.outcome[i] == sim::outcome::won) {
      won_close.push_back(opp.close_date[i]);
      won_amount.push_back(opp.amount[i]);
    }
  const q::seasonal_profile profile(won_close, won_amount, past);
  const auto month3 = salesops::period_of(quarter.start + 62, salesops::period_kind::month).start;
  const double f = salesops::elapsed_fraction(quarter, month3);
  std::snprintf(line, sizeof line, "  third month carries %.1f%% of a quarter's bookings (truth %.1f%%): "
                "after two months linear pacing expects %.0f%%, seasonal %.0f%%\n",
                100 * (1 - profile.share(f)), 100 * d.truth.third_month_won_share, 100 * f, 100 * profile.share(f));
  out << line;
}

const salesops_cli::demo_registrar reg{{"Quota attainment", 30, print_quota_section}};

} // namespace
