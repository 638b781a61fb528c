// Incentive payouts from tiered rate tables, as Xactly Incent and Oracle Incentive
// Compensation define them. Attainment a is credit / quota (1.0 = 100 %); the payout is in
// units of the target incentive (1.0 = on-target variable pay). A table has tiers starting
// at attainments s_0 = 0 < s_1 < ... with rates r_k:
//  * flat (retroactive): payout = r_k * a for the highest tier k with s_k <= a, so crossing
//    a tier boundary re-rates every unit already earned (the classic "cliff").
//  * marginal (stepped): payout = sum_k r_k * |[s_k, s_{k+1}) intersected with [0, a)|, each
//    tier's rate on its own slice (tax-bracket style), continuous in a.
//  * interpolated: r_k is the payout AT attainment s_k, linear in between and constant-slope
//    beyond the last point (the slope of the last segment), as R's approx(rule = 2) except
//    the extrapolation. Accelerators are tiers with a higher rate above 100 %, decelerators a
//    lower one; a threshold pays nothing below it, and a cap bounds the payout.
#ifndef SALESOPS_QUOTA_PAYOUT_HPP
#define SALESOPS_QUOTA_PAYOUT_HPP

#include <algorithm>
#include <cstddef>
#include <limits>
#include <ostream>
#include <vector>

#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::quota {

/// \brief How a rate table turns attainment into payout.
enum class payout_mode {
  flat,        ///< rate of the highest tier reached, applied to all attainment
  marginal,    ///< each tier's rate on its own slice of attainment
  interpolated ///< rates are payouts at the tier starts, linear in between
};

/// \brief Prints "flat", "marginal" or "interpolated".
inline std::ostream& operator<<(std::ostream& out, payout_mode m) {
  return out << (m == payout_mode::flat ? "flat" : m == payout_mode::marginal ? "marginal" : "interpolated");
}

/// \brief A tiered incentive plan.
struct payout_plan {
  std::vector<double> tier_start; ///< attainment where each tier starts: 0, then increasing
  std::vector<double> tier_rate;  ///< rate per tier (payout at tier_start for interpolated)
  payout_mode mode = payout_mode::marginal; ///< how tiers combine
  double threshold = 0; ///< attainment below which the payout is 0 (>= 0)
  double cap = std::numeric_limits<double>::infinity(); ///< largest payout (> 0)
};

/// \brief Prints the plan, for debugging.
inline std::ostream& operator<<(std::ostream& out, const payout_plan& p) {
  out << "payout_plan{mode=" << p.mode << ", tiers=[";
  for (std::size_t i = 0; i < p.tier_start.size(); ++i)
    out << (i ? ", " : "") << p.tier_start[i] << ":" << p.tier_rate[i];
  return out << "], threshold=" << p.threshold << ", cap=" << p.cap << "}";
}

/// \brief Validates a plan.
/// \throws salesops::empty_input (no tier), salesops::length_mismatch,
///         salesops::out_of_range_value (first tier not at 0), salesops::not_sorted (tier
///         starts not strictly increasing, naming the row), salesops::negative_value (a rate,
///         naming the row; threshold < 0; cap <= 0), salesops::not_finite.
inline void check_payout_plan(const payout_plan& plan) {
  const char* fn = "payout_plan";
  check_non_empty(fn, "tier_start", plan.tier_start.size());
  check_equal_lengths(fn, "tier_start", plan.tier_start.size(), "tier_rate", plan.tier_rate.size());
  if (plan.tier_start[0] != 0.0)
    SALESOPS_THROW(out_of_range_value, fn, "tier_start", 0, "is ", plan.tier_start[0],
                   ", the first tier must start at 0");
  for (std::size_t i = 0; i < plan.tier_start.size(); ++i) {
    check_finite(fn, "tier_start", plan.tier_start[i], i);
    check_non_negative(fn, "tier_rate", plan.tier_rate[i], i);
    if (i > 0 && !(plan.tier_start[i] > plan.tier_start[i - 1]))
      SALESOPS_THROW(not_sorted, fn, "tier_start", i, "is ", plan.tier_start[i],
                     ", not above the previous tier start ", plan.tier_start[i - 1]);
  }
  check_non_negative(fn, "threshold", plan.threshold);
  if (!(plan.cap > 0)) SALESOPS_THROW(negative_value, fn, "cap", no_row, "must be positive (is ", plan.cap, ")");
}

namespace detail {
inline double payout_unchecked(const payout_plan& plan, double a) {
  if (a < plan.threshold) return 0;
  const auto& s = plan.tier_start;
  const auto& r = plan.tier_rate;
  // k = highest tier with s_k <= a
  const auto k = static_cast<std::size_t>(std::upper_bound(s.begin(), s.end(), a) - s.begin()) - 1;
  double pay = 0;
  switch (plan.mode) {
  case payout_mode::flat:
    pay = r[k] * a;
    break;
  case payout_mode::marginal:
    for (std::size_t t = 0; t < k; ++t) pay += r[t] * (s[t + 1] - s[t]);
    pay += r[k] * (a - s[k]);
    break;
  case payout_mode::interpolated:
    if (s.size() == 1) {
      pay = r[0];
    } else {
      const std::size_t j = std::min(k, s.size() - 2); // segment [s_j, s_{j+1}], last extends
      pay = r[j] + (r[j + 1] - r[j]) * (a - s[j]) / (s[j + 1] - s[j]);
      pay = std::max(pay, 0.0); // a falling last segment cannot pay negative amounts
    }
    break;
  }
  return std::min(pay, plan.cap);
}
} // namespace detail

/// \brief Payout (in target-incentive units) at attainment `attainment` (>= 0).
/// \throws everything check_payout_plan throws; salesops::negative_value /
///         salesops::not_finite for a bad attainment.
inline double payout(const payout_plan& plan, double attainment) {
  check_payout_plan(plan);
  check_non_negative("payout", "attainment", attainment);
  return detail::payout_unchecked(plan, attainment);
}

/// \brief Payouts of many attainments (e.g. every rep), validating the plan once.
/// \throws as payout, naming the row of a bad attainment.
inline std::vector<double> payouts(const payout_plan& plan, span<const double> attainment) {
  check_payout_plan(plan);
  check_non_negative("payouts", "attainment", attainment);
  std::vector<double> out(attainment.size());
  for (std::size_t i = 0; i < attainment.size(); ++i)
    out[i] = detail::payout_unchecked(plan, attainment[i]);
  return out;
}

/// \brief A payout curve: payout at evenly spaced attainments.
struct payout_curve {
  std::vector<double> attainment; ///< attainment grid, from `from` to `to`
  std::vector<double> payout;     ///< payout at each grid point
};

/// \brief Prints the curve as "a:payout" pairs, for debugging.
inline std::ostream& operator<<(std::ostream& out, const payout_curve& c) {
  out << "payout_curve{";
  for (std::size_t i = 0; i < c.attainment.size(); ++i)
    out << (i ? ", " : "") << c.attainment[i] << ":" << c.payout[i];
  return out << "}";
}

/// \brief The payout curve on `points` >= 2 evenly spaced attainments in [from, to].
/// \throws as payout; salesops::out_of_range_value when points < 2 or to <= from.
inline payout_curve payout_curve_of(const payout_plan& plan, double from, double to,
                                    std::size_t points) {
  check_payout_plan(plan);
  check_non_negative("payout_curve_of", "from", from);
  check_finite("payout_curve_of", "to", to);
  if (points < 2) SALESOPS_THROW(out_of_range_value, "payout_curve_of", "points", no_row, "is ", points, ", need >= 2");
  if (!(to > from)) SALESOPS_THROW(out_of_range_value, "payout_curve_of", "to", no_row, "is ", to, ", not above from = ", from);
  payout_curve c;
  for (std::size_t i = 0; i < points; ++i) {
    const double a = from + (to - from) * static_cast<double>(i) / static_cast<double>(points - 1);
    c.attainment.push_back(a);
    c.payout.push_back(detail::payout_unchecked(plan, a));
  }
  return c;
}

} // namespace salesops::quota

#endif // SALESOPS_QUOTA_PAYOUT_HPP
