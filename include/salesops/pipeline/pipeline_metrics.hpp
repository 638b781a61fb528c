// Pipeline health metrics as sales-operations teams report them (HubSpot weighted forecasts,
// Salesforce pipeline inspection):
//  * weighted pipeline = sum amount_i x p_i over open deals (the mean of the open-deal revenue
//    of revenue_outlook.hpp: one definition, stats::weighted_bernoulli_moments_of);
//  * coverage ratio = open pipeline amount / remaining quota, remaining = quota - booked
//    (+inf once booked >= quota);
//  * pipeline velocity = (opportunities x win rate x average deal) / sales-cycle days, in
//    revenue per day;
//  * push (slippage) rate of a period [start, end) from the close-date change log: among
//    deals EXPECTED in the period (the final close date, or the old or new date of any change,
//    lies in it) the share PUSHED out (some change moved the date from inside the period to
//    end or later), by count and by amount.
#ifndef SALESOPS_PIPELINE_PIPELINE_METRICS_HPP
#define SALESOPS_PIPELINE_PIPELINE_METRICS_HPP

#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <vector>

#include "salesops/core/span.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/stats/weighted_bernoulli.hpp"

namespace salesops::pipeline {

/// \brief Weighted pipeline sum amount_i x p_i.
/// \throws as stats::weighted_bernoulli_moments_of (naming the row).
inline double weighted_pipeline(span<const double> amounts, span<const double> probs) {
  return stats::weighted_bernoulli_moments_of(amounts, probs).mean;
}

/// \brief Coverage ratio: open pipeline / (quota - booked); +inf when booked >= quota.
/// \throws salesops::negative_value (pipeline < 0, booked < 0, quota <= 0), not_finite.
inline double coverage_ratio(double open_pipeline, double quota, double booked = 0) {
  check_non_negative("coverage_ratio", "open_pipeline", open_pipeline);
  check_positive("coverage_ratio", "quota", quota);
  check_non_negative("coverage_ratio", "booked", booked);
  const double remaining = quota - booked;
  return remaining > 0 ? open_pipeline / remaining : std::numeric_limits<double>::infinity();
}

/// \brief Pipeline velocity in revenue per day: opportunities x win_rate x average_deal /
/// cycle_days.
/// \throws salesops::negative_value (opportunities, average_deal < 0; cycle_days <= 0),
///         salesops::out_of_range_value (win_rate outside [0, 1]).
inline double pipeline_velocity(double opportunities, double win_rate, double average_deal,
                                double cycle_days) {
  check_non_negative("pipeline_velocity", "opportunities", opportunities);
  check_probability("pipeline_velocity", "win_rate", win_rate);
  check_non_negative("pipeline_velocity", "average_deal", average_deal);
  check_positive("pipeline_velocity", "cycle_days", cycle_days);
  return opportunities * win_rate * average_deal / cycle_days;
}

/// \brief Push (slippage) counts and rates of one period.
struct slippage {
  std::uint64_t expected = 0; ///< deals expected in the period at some point
  std::uint64_t pushed = 0;   ///< of those, deals pushed out of it
  double expected_amount = 0; ///< their amount
  double pushed_amount = 0;   ///< amount of the pushed deals
  double rate = 0;            ///< pushed / expected (NaN when expected == 0)
  double amount_rate = 0;     ///< pushed_amount / expected_amount (NaN when 0)
};

/// \brief Prints the slippage, for debugging.
inline std::ostream& operator<<(std::ostream& out, const slippage& s) {
  return out << "slippage{expected=" << s.expected << ", pushed=" << s.pushed
             << ", rate=" << s.rate << ", amount_rate=" << s.amount_rate << "}";
}

/// \brief Push rate of the period [period_start, period_end) from the close-date log.
/// \param amount amount of each opportunity (>= 0)
/// \param close_date final close date of each opportunity (actual or expected)
/// \param change_opportunity opportunity row of each close-date change
/// \param old_close expected close date before the change
/// \param new_close expected close date after the change
/// \throws salesops::length_mismatch, salesops::out_of_range_value (period; an opportunity
///         row out of range, naming the change row), salesops::negative_value (amount).
inline slippage slippage_of(span<const double> amount, span<const std::int32_t> close_date,
                            span<const std::uint64_t> change_opportunity,
                            span<const std::int32_t> old_close, span<const std::int32_t> new_close,
                            std::int32_t period_start, std::int32_t period_end) {
  const char* fn = "slippage_of";
  check_equal_lengths(fn, "amount", amount.size(), "close_date", close_date.size());
  check_equal_lengths(fn, "change_opportunity", change_opportunity.size(), "old_close", old_close.size());
  check_equal_lengths(fn, "change_opportunity", change_opportunity.size(), "new_close", new_close.size());
  check_non_negative(fn, "amount", amount);
  if (period_end <= period_start)
    SALESOPS_THROW(out_of_range_value, fn, "period_end", no_row, "is ", period_end,
                   ", not after period_start ", period_start);
  auto inside = [&](std::int32_t d) { return d >= period_start && d < period_end; };
  const std::size_t n = amount.size();
  std::vector<unsigned char> expected(n, 0), pushed(n, 0);
  for (std::size_t i = 0; i < n; ++i) expected[i] = inside(close_date[i]) ? 1 : 0;
  for (std::size_t c = 0; c < change_opportunity.size(); ++c) {
    const auto i = change_opportunity[c];
    if (i >= n)
      SALESOPS_THROW(out_of_range_value, fn, "change_opportunity", c, "is ", i, ", not an opportunity row");
    if (inside(old_close[c]) || inside(new_close[c])) expected[i] = 1;
    if (inside(old_close[c]) && new_close[c] >= period_end) pushed[i] = 1;
  }
  slippage s;
  neumaier_sum<double> e_amt, p_amt;
  for (std::size_t i = 0; i < n; ++i) {
    if (!expected[i]) continue;
    ++s.expected;
    e_amt.update(amount[i]);
    if (pushed[i]) {
      ++s.pushed;
      p_amt.update(amount[i]);
    }
  }
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  s.expected_amount = e_amt.result();
  s.pushed_amount = p_amt.result();
  s.rate = s.expected ? static_cast<double>(s.pushed) / static_cast<double>(s.expected) : nan;
  s.amount_rate = s.expected_amount > 0 ? s.pushed_amount / s.expected_amount : nan;
  return s;
}

} // namespace salesops::pipeline

#endif // SALESOPS_PIPELINE_PIPELINE_METRICS_HPP
