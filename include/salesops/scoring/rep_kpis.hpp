// KPIs per rep and period, the inputs of a scorecard. Deal KPIs (win rate by count and by
// value, deals won, bookings, deal size, cycle length) are the quota module's period KPIs
// (salesops::quota::kpi_accumulator: one definition per KPI); coverage and velocity are the
// pipeline module's (coverage_ratio, pipeline_velocity). Scoring adds only what a period
// report of one rep needs besides them:
//   pipeline generated = amounts of the deals CREATED in [start, end) (and their count);
//   open pipeline      = amounts of deals created before `end` and not closed before `end`;
//   attainment         = bookings / quota of the period;
//   activity counts    = calls, emails and meetings dated in [start, end).
#ifndef SALESOPS_SCORING_REP_KPIS_HPP
#define SALESOPS_SCORING_REP_KPIS_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/pipeline/pipeline_metrics.hpp"
#include "salesops/quota/kpi.hpp"

namespace salesops::scoring {

/// \brief One rep's KPIs in one period. Undefined ratios are quiet NaN, as in
/// quota::period_kpis (e.g. attainment without a quota, velocity without a won deal).
struct rep_kpis {
  quota::period_kpis deals;        ///< closed-deal KPIs (quota module definitions)
  std::uint64_t deals_created = 0; ///< deals created in the period
  double pipeline_generated = 0;   ///< amounts of the deals created in the period
  std::uint64_t open_deals = 0;    ///< deals open at the end of the period
  double open_pipeline = 0;        ///< amounts of the deals open at the end of the period
  double quota = 0;                ///< quota of the period (sum of the rep's quota rows)
  double attainment = 0;           ///< deals.bookings / quota (NaN without a quota)
  double coverage = 0;             ///< pipeline::coverage_ratio(open_pipeline, quota, bookings)
  double velocity = 0;             ///< pipeline::pipeline_velocity(open deals, win rate, deal size, cycle)
  std::uint64_t calls = 0;         ///< calls in the period
  std::uint64_t emails = 0;        ///< emails in the period
  std::uint64_t meetings = 0;      ///< meetings in the period
};

/// \brief Prints the KPIs, for debugging.
inline std::ostream& operator<<(std::ostream& out, const rep_kpis& k) {
  return out << "rep_kpis{" << k.deals << ", created=" << k.deals_created
             << ", pipeline_generated=" << k.pipeline_generated << ", open=" << k.open_deals
             << ", open_pipeline=" << k.open_pipeline << ", quota=" << k.quota
             << ", attainment=" << k.attainment << ", coverage=" << k.coverage
             << ", velocity=" << k.velocity << ", calls=" << k.calls << ", emails=" << k.emails
             << ", meetings=" << k.meetings << "}";
}

/// \brief Mergeable accumulator of one rep's period KPIs (update / merge / result): shards of
/// deals, activities and quota rows give the same KPIs as one pass.
class rep_kpi_accumulator {
public:
  /// \brief Adds a won deal closed in the period (amount >= 0, cycle_days >= 0).
  void add_won(double amount, double cycle_days) { deals_.add_won(amount, cycle_days); }
  /// \brief Adds a lost deal closed in the period.
  void add_lost(double amount) { deals_.add_lost(amount); }
  /// \brief Adds a deal created in the period.
  void add_created(double amount) {
    check_non_negative("rep_kpi_accumulator::add_created", "amount", amount);
    ++created_;
    generated_.update(amount);
  }
  /// \brief Adds a deal open at the end of the period.
  void add_open(double amount) {
    check_non_negative("rep_kpi_accumulator::add_open", "amount", amount);
    ++open_;
    open_value_.update(amount);
  }
  /// \brief Adds a quota amount of the period (> 0).
  void add_quota(double amount) {
    check_positive("rep_kpi_accumulator::add_quota", "amount", amount);
    quota_.update(amount);
  }
  /// \brief Adds one activity: 0 call, 1 email, 2 meeting.
  void add_activity(int kind) {
    if (kind < 0 || kind > 2)
      SALESOPS_THROW(out_of_range_value, "rep_kpi_accumulator::add_activity", "kind", no_row,
                     "is ", kind, ", not 0 (call), 1 (email) or 2 (meeting)");
    ++activities_[kind];
  }
  /// \brief Combines another shard's state for the same rep and period.
  void merge(const rep_kpi_accumulator& o) {
    deals_.merge(o.deals_);
    created_ += o.created_;
    generated_.merge(o.generated_);
    open_ += o.open_;
    open_value_.merge(o.open_value_);
    quota_.merge(o.quota_);
    for (int k = 0; k < 3; ++k) activities_[k] += o.activities_[k];
  }
  /// \brief The KPIs of everything added.
  rep_kpis result() const {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    rep_kpis k;
    k.deals = deals_.result();
    k.deals_created = created_;
    k.pipeline_generated = generated_.result();
    k.open_deals = open_;
    k.open_pipeline = open_value_.result();
    k.quota = quota_.result();
    k.attainment = k.quota > 0 ? k.deals.bookings / k.quota : nan;
    k.coverage = k.quota > 0 ? pipeline::coverage_ratio(k.open_pipeline, k.quota, k.deals.bookings) : nan;
    k.velocity = std::isnan(k.deals.win_rate_count) || std::isnan(k.deals.average_deal_size) ||
                         !(k.deals.mean_cycle_days > 0)
                     ? nan
                     : pipeline::pipeline_velocity(static_cast<double>(open_), k.deals.win_rate_count,
                                                   k.deals.average_deal_size, k.deals.mean_cycle_days);
    k.calls = activities_[0];
    k.emails = activities_[1];
    k.meetings = activities_[2];
    return k;
  }

private:
  quota::kpi_accumulator deals_;
  std::uint64_t created_ = 0;
  neumaier_sum<double> generated_;
  std::uint64_t open_ = 0;
  neumaier_sum<double> open_value_;
  neumaier_sum<double> quota_;
  std::uint64_t activities_[3] = {0, 0, 0};
};

/// \brief Opportunity columns (as salesops::simulate::opportunity_table).
template <class Outcome> struct opportunity_columns {
  span<const std::uint32_t> owner;      ///< rep of each deal
  span<const std::int32_t> created;     ///< created date (days since 1970-01-01)
  span<const std::int32_t> close_date;  ///< close date (expected close when open)
  span<const Outcome> outcome;          ///< enum with members won, lost (anything else: open)
  span<const double> amount;            ///< deal amount (>= 0)
};

/// \brief KPIs of every rep 0 .. rep_count-1 in the period [period_start, period_end).
///
/// Deals: closed (won or lost) with close date in the period feed the quota KPIs; created in
/// the period feed pipeline generated; created before period_end and open or closed on/after
/// period_end count as open at the end. Quota rows count when their period_start lies in the
/// period; activities when their date does. Activity kinds are any enum with members call,
/// email, meeting; any other value is an error (it used to count as a meeting). Activity and
/// quota rows are validated also outside the period.
/// \throws salesops::length_mismatch; salesops::out_of_range_value naming the row of a rep
///         index >= rep_count, an activity kind that is not call, email or meeting, a won deal
///         closed before it was created, or period_end <= period_start;
///         salesops::negative_value / salesops::not_finite naming the row of a bad deal amount
///         or of a quota_amount that is not > 0.
template <class Outcome, class Kind>
std::vector<rep_kpis> rep_kpis_of(const opportunity_columns<Outcome>& deals,
                                  span<const std::uint32_t> activity_rep,
                                  span<const std::int32_t> activity_date, span<const Kind> activity_kind,
                                  span<const std::uint32_t> quota_rep,
                                  span<const std::int32_t> quota_start, span<const double> quota_amount,
                                  std::int32_t period_start, std::int32_t period_end,
                                  std::size_t rep_count) {
  constexpr const char* fn = "rep_kpis_of";
  const std::size_t n = deals.owner.size();
  check_equal_lengths(fn, "owner", n, "created", deals.created.size());
  check_equal_lengths(fn, "owner", n, "close_date", deals.close_date.size());
  check_equal_lengths(fn, "owner", n, "outcome", deals.outcome.size());
  check_equal_lengths(fn, "owner", n, "amount", deals.amount.size());
  check_equal_lengths(fn, "activity_rep", activity_rep.size(), "activity_date", activity_date.size());
  check_equal_lengths(fn, "activity_rep", activity_rep.size(), "activity_kind", activity_kind.size());
  check_equal_lengths(fn, "quota_rep", quota_rep.size(), "quota_start", quota_start.size());
  check_equal_lengths(fn, "quota_rep", quota_rep.size(), "quota_amount", quota_amount.size());
  if (period_end <= period_start)
    SALESOPS_THROW(out_of_range_value, fn, "period_end", no_row, "is ", period_end,
                   ", not after period_start ", period_start);
  std::vector<rep_kpi_accumulator> acc(rep_count);
  const auto in_period = [&](std::int32_t d) { return d >= period_start && d < period_end; };
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t r = deals.owner[i];
    if (r >= rep_count)
      SALESOPS_THROW(out_of_range_value, fn, "owner", i, "is ", r, ", not below rep_count ", rep_count);
    const double amount = deals.amount[i];
    check_non_negative(fn, "amount", amount, i);
    const bool won = deals.outcome[i] == Outcome::won;
    const bool closed = won || deals.outcome[i] == Outcome::lost;
    if (closed && in_period(deals.close_date[i])) {
      if (won) {
        if (deals.close_date[i] < deals.created[i])
          SALESOPS_THROW(out_of_range_value, fn, "close_date", i, "is ", deals.close_date[i],
                         ", before the created date ", deals.created[i]);
        acc[r].add_won(amount, static_cast<double>(deals.close_date[i] - deals.created[i]));
      } else {
        acc[r].add_lost(amount);
      }
    }
    if (in_period(deals.created[i])) acc[r].add_created(amount);
    if (deals.created[i] < period_end && (!closed || deals.close_date[i] >= period_end))
      acc[r].add_open(amount);
  }
  for (std::size_t i = 0; i < activity_rep.size(); ++i) {
    if (activity_rep[i] >= rep_count)
      SALESOPS_THROW(out_of_range_value, fn, "activity_rep", i, "is ", activity_rep[i],
                     ", not below rep_count ", rep_count);
    const Kind k = activity_kind[i];
    if (!(k == Kind::call || k == Kind::email || k == Kind::meeting))
      SALESOPS_THROW(out_of_range_value, fn, "activity_kind", i, "is ", static_cast<long long>(k),
                     ", not call, email or meeting");
    if (!in_period(activity_date[i])) continue;
    acc[activity_rep[i]].add_activity(k == Kind::call ? 0 : k == Kind::email ? 1 : 2);
  }
  for (std::size_t i = 0; i < quota_rep.size(); ++i) {
    if (quota_rep[i] >= rep_count)
      SALESOPS_THROW(out_of_range_value, fn, "quota_rep", i, "is ", quota_rep[i],
                     ", not below rep_count ", rep_count);
    // Checked here so the error names rep_kpis_of and the row, not the accumulator.
    check_positive(fn, "quota_amount", quota_amount[i], i);
    if (in_period(quota_start[i])) acc[quota_rep[i]].add_quota(quota_amount[i]);
  }
  std::vector<rep_kpis> out(rep_count);
  for (std::size_t r = 0; r < rep_count; ++r) out[r] = acc[r].result();
  return out;
}

} // namespace salesops::scoring

#endif // SALESOPS_SCORING_REP_KPIS_HPP
