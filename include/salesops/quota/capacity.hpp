// Ramp-adjusted quotas and sales capacity planning, the way sales-operations teams size
// hiring plans (the "ramped headcount" model of Bridge Group / Pavilion capacity models):
//  * a ramp schedule gives the productivity of a rep in month m after starting (m = 0 is the
//    calendar month the rep starts in), 1 after the schedule ends;
//  * ramp-adjusted quota of a period = full monthly quota x sum over the period's calendar
//    months of ramp(m);
//  * capacity in month t = ramped headcount x productivity of a ramped rep, where ramped
//    headcount = sum over cohorts (existing reps, hires) of expected survivors x ramp(age):
//    a cohort of size n hired in month h has n (1 - a)^(t - h) expected members in month t
//    under a constant monthly attrition rate a (existing reps: from month 0 of the plan).
#ifndef SALESOPS_QUOTA_CAPACITY_HPP
#define SALESOPS_QUOTA_CAPACITY_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <vector>

#include "salesops/core/calendar.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::quota {

/// \brief Productivity by month since start: productivity[m] for m < size(), 1 afterwards.
struct ramp_schedule {
  std::vector<double> productivity; ///< fraction of full productivity in month m, in [0, 1]
};

/// \brief Prints the schedule, for debugging.
inline std::ostream& operator<<(std::ostream& out, const ramp_schedule& r) {
  out << "ramp_schedule{";
  for (std::size_t m = 0; m < r.productivity.size(); ++m) out << (m ? ", " : "") << r.productivity[m];
  return out << "}";
}

/// \brief Throws out_of_range_value naming the row of a productivity outside [0, 1].
inline void check_ramp(const ramp_schedule& ramp) {
  for (std::size_t m = 0; m < ramp.productivity.size(); ++m)
    check_probability("ramp_schedule", "productivity", ramp.productivity[m], m);
}

/// \brief Productivity in month `m` since start (0 for m < 0: not started yet).
/// \throws as check_ramp.
inline double ramp_factor(const ramp_schedule& ramp, std::int64_t m) {
  check_ramp(ramp);
  if (m < 0) return 0;
  const auto i = static_cast<std::size_t>(m);
  return i < ramp.productivity.size() ? ramp.productivity[i] : 1.0;
}

namespace detail {
inline std::int64_t month_index(date d) {
  const civil_date c = to_civil(d);
  return static_cast<std::int64_t>(c.year) * 12 + static_cast<std::int64_t>(c.month) - 1;
}
} // namespace detail

/// \brief Ramp-adjusted quota of a rep who started on `start` for the calendar months that
/// start inside `p` (a month, quarter or year): monthly_quota x sum_m ramp(m).
/// \throws salesops::negative_value (monthly_quota < 0), out_of_range_value (ramp; p.end <=
///         p.start).
inline double ramp_adjusted_quota(double monthly_quota, const ramp_schedule& ramp, date start,
                                  const period& p) {
  check_non_negative("ramp_adjusted_quota", "monthly_quota", monthly_quota);
  check_ramp(ramp);
  if (p.end <= p.start)
    SALESOPS_THROW(out_of_range_value, "ramp_adjusted_quota", "period", no_row, "ends on ", p.end,
                   ", not after its start ", p.start);
  neumaier_sum<double> factor;
  for (std::int64_t m = detail::month_index(p.start); m <= detail::month_index(p.end - 1); ++m)
    factor.update(ramp_factor(ramp, m - detail::month_index(start)));
  return monthly_quota * factor.result();
}

/// \brief A cohort of reps: `count` reps who started in plan month `start_month` (negative
/// for reps already on board: -6 started six months before the plan).
struct rep_cohort {
  std::int64_t start_month = 0; ///< plan month of the start (0 = first month of the plan)
  double count = 0;             ///< number of reps (>= 0)
};

/// \brief One month of a capacity plan.
struct capacity_month {
  std::int64_t month = 0;         ///< plan month (0 = first)
  double headcount = 0;           ///< expected reps on board
  double ramped_headcount = 0;    ///< sum of expected reps x ramp(age)
  double capacity = 0;            ///< ramped_headcount x productivity
  double target = 0;              ///< the month's bookings target
  double cumulative_capacity = 0; ///< capacity summed from month 0
  double cumulative_target = 0;   ///< target summed from month 0
  double gap = 0;                 ///< cumulative_target - cumulative_capacity (> 0: short)
};

/// \brief Prints the month, for debugging.
inline std::ostream& operator<<(std::ostream& out, const capacity_month& c) {
  return out << "capacity_month{month=" << c.month << ", headcount=" << c.headcount
             << ", ramped=" << c.ramped_headcount << ", capacity=" << c.capacity
             << ", target=" << c.target << ", gap=" << c.gap << "}";
}

/// \brief Capacity plan over target.size() months.
/// \param cohorts existing reps and planned hires
/// \param ramp the ramp schedule of every rep
/// \param productivity monthly bookings of a fully ramped rep (>= 0)
/// \param monthly_attrition expected share of reps leaving each month, in [0, 1)
/// \param target bookings target per plan month (>= 0)
/// \throws salesops::negative_value (a cohort count, naming its row; productivity; a target,
///         naming its row), salesops::out_of_range_value (attrition; ramp), empty_input.
inline std::vector<capacity_month> capacity_plan(span<const rep_cohort> cohorts,
                                                 const ramp_schedule& ramp, double productivity,
                                                 double monthly_attrition,
                                                 span<const double> target) {
  const char* fn = "capacity_plan";
  check_ramp(ramp);
  check_non_negative(fn, "productivity", productivity);
  check_in_range(fn, "monthly_attrition", monthly_attrition, 0.0, 1.0);
  if (monthly_attrition == 1.0)
    SALESOPS_THROW(out_of_range_value, fn, "monthly_attrition", no_row, "is 1: nobody stays");
  check_non_empty(fn, "target", target.size());
  check_non_negative(fn, "target", target);
  for (std::size_t c = 0; c < cohorts.size(); ++c) check_non_negative(fn, "cohorts.count", cohorts[c].count, c);
  std::vector<capacity_month> plan;
  neumaier_sum<double> cum_cap, cum_target;
  for (std::size_t t = 0; t < target.size(); ++t) {
    const auto month = static_cast<std::int64_t>(t);
    capacity_month row;
    row.month = month;
    neumaier_sum<double> heads, ramped;
    for (const rep_cohort& c : cohorts) {
      if (c.start_month > month) continue; // not hired yet
      // Attrition runs from the later of the hire and the plan start.
      const std::int64_t exposed = month - std::max<std::int64_t>(c.start_month, 0);
      const double survivors = c.count * std::pow(1.0 - monthly_attrition, static_cast<double>(exposed));
      heads.update(survivors);
      ramped.update(survivors * ramp_factor(ramp, month - c.start_month));
    }
    row.headcount = heads.result();
    row.ramped_headcount = ramped.result();
    row.capacity = row.ramped_headcount * productivity;
    row.target = target[t];
    cum_cap.update(row.capacity);
    cum_target.update(row.target);
    row.cumulative_capacity = cum_cap.result();
    row.cumulative_target = cum_target.result();
    row.gap = row.cumulative_target - row.cumulative_capacity;
    plan.push_back(row);
  }
  return plan;
}

} // namespace salesops::quota

#endif // SALESOPS_QUOTA_CAPACITY_HPP
