// `salesops demo` section "Organisation and bookings" (order 10): the simulated organisation
// every other section works on — its size, opportunities by outcome, the win rate by count
// with a Wilson interval, bookings by quarter (compensated sums) and the open pipeline.
#include "demo.hpp"

#include <salesops/core/calendar.hpp>
#include <salesops/core/sum.hpp>
#include <salesops/simulate/crm.hpp>
#include <salesops/stats/proportion.hpp>

#include <cstdint>
#include <iomanip>
#include <map>
#include <ostream>
#include <utility>

namespace {

namespace sim = salesops::simulate;
using salesops_cli::format_count;
using salesops_cli::format_money;

// Organisation size, opportunities by outcome, win rate by count, bookings by quarter
// (compensated sums of won amounts by the calendar quarter of the close date) and the open
// pipeline by forecast category.
void print_organisation(const salesops_cli::demo_context& ctx, std::ostream& out) {
  const sim::dataset& d = ctx.data;
  const sim::opportunity_table& t = d.opportunities;
  std::size_t hired = 0;
  for (const salesops::date start : d.org.rep_start) hired += start >= d.start ? 1 : 0;
  out << "  Organisation   " << d.org.region_names.size() << " regions, " << d.org.team_names.size()
      << " teams, " << d.org.rep_count() << " reps (" << hired << " hired during the period, "
      << d.org.move_rep.size() << " team moves)\n";

  std::uint64_t won = 0, lost = 0, open = 0;
  salesops::neumaier_sum<double> open_value[3];
  std::uint64_t open_count[3] = {0, 0, 0};
  std::map<salesops::date, std::pair<salesops::neumaier_sum<double>, std::uint64_t>> by_quarter;
  for (std::size_t i = 0; i < t.size(); ++i) {
    switch (t.outcome[i]) {
    case sim::outcome::won: {
      ++won;
      if (t.close_date[i] < d.start) break; // closed during the warm-up, before the period
      auto& q = by_quarter[salesops::period_of(t.close_date[i], salesops::period_kind::quarter).start];
      q.first.update(t.amount[i]);
      ++q.second;
      break;
    }
    case sim::outcome::lost: ++lost; break;
    case sim::outcome::open: {
      ++open;
      const auto c = static_cast<std::size_t>(t.forecast[i]); // pipeline, best_case, commit
      if (c < 3) {
        open_value[c].update(t.amount[i]);
        ++open_count[c];
      }
      break;
    }
    }
  }
  std::size_t warmup = 0;
  for (const salesops::date c : t.created) warmup += c < d.start ? 1 : 0;
  out << "  Opportunities  " << format_count(static_cast<long long>(t.size())) << " ("
      << format_count(static_cast<long long>(warmup)) << " created in the "
      << ctx.config.warmup_months << "-month warm-up before the period): "
      << format_count(static_cast<long long>(won)) << " won, "
      << format_count(static_cast<long long>(lost)) << " lost, "
      << format_count(static_cast<long long>(open)) << " open\n";
  if (won + lost > 0) {
    const auto rate = salesops::stats::proportion_interval(won, won + lost);
    out << std::fixed << std::setprecision(1) << "  Win rate       " << 100 * rate.rate
        << " % of closed deals by count (95 % Wilson interval " << 100 * rate.lower << " - "
        << 100 * rate.upper << " %)\n";
    out << std::defaultfloat << std::setprecision(6);
  }
  out << "  Bookings by quarter (won value, by close date)\n";
  salesops::neumaier_sum<double> total;
  for (const auto& [start, q] : by_quarter) {
    const auto p = salesops::period_of(start, salesops::period_kind::quarter);
    out << "    " << salesops::to_string(p) << std::setw(16) << format_money(q.first.result())
        << "  (" << q.second << " deals)\n";
    total.merge(q.first);
  }
  out << "    total  " << std::setw(16) << format_money(total.result()) << "\n";
  out << "  Open pipeline  commit " << format_money(open_value[2].result()) << " ("
      << open_count[2] << "), best case " << format_money(open_value[1].result()) << " ("
      << open_count[1] << "), pipeline " << format_money(open_value[0].result()) << " ("
      << open_count[0] << ")\n";
}

const salesops_cli::demo_registrar organisation_section{
    {"Organisation and bookings", 10, print_organisation}};

} // namespace
