// Time to convert (creation to won) with open deals censored: the Kaplan-Meier curve with
// Greenwood intervals and the median time with its interval, from the stats module's
// estimator (stats/survival.hpp, R's survival::survfit). This header only decides what each
// opportunity contributes:
//
// * won:  converted at closed_at - created_at;
// * open: censored at as_of - created_at (it has not converted yet, and may);
// * lost: a competing risk. lost_deal_rule::never_convert (default) keeps a lost deal at risk,
//   never converting, until as_of (censored at as_of - created_at), so 1 - S(t) estimates the
//   share of ALL deals won within t days (the cumulative incidence of winning, when open deals
//   are censored independently of their fate). lost_deal_rule::censored censors it at its
//   close instead, which estimates the time to win in a world where deals are never lost:
//   1 - S(t) then over-states the win share and is only meaningful as a speed measure.
//
// Times are in days (seconds / 86400).
#ifndef SALESOPS_FUNNEL_TIME_TO_CONVERT_HPP
#define SALESOPS_FUNNEL_TIME_TO_CONVERT_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ostream>

#include "salesops/core/error.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/funnel/stage_history.hpp"
#include "salesops/stats/survival.hpp"

namespace salesops {
namespace funnel {

/// \brief How a lost deal enters the time-to-win curve.
enum class lost_deal_rule {
  never_convert, ///< default: at risk until as_of, never converting (cumulative win share)
  censored       ///< censored at its close (competing risk treated as censoring)
};

/// \brief Prints "never_convert" or "censored".
inline std::ostream& operator<<(std::ostream& out, lost_deal_rule rule) {
  return out << (rule == lost_deal_rule::never_convert ? "never_convert" : "censored");
}

/// \brief Options of the time-to-convert curve.
struct time_to_convert_options {
  lost_deal_rule lost = lost_deal_rule::never_convert; ///< treatment of lost deals
  double level = 0.95;                                 ///< level of the intervals
  stats::km_conf_type conf_type = stats::km_conf_type::log; ///< interval transformation
};

/// \brief Time from creation to won, with the counts behind it.
struct time_to_convert_result {
  stats::kaplan_meier_result curve; ///< S(t) = P(not won by t days), Greenwood intervals
  std::uint64_t won = 0;            ///< won deals (the conversions)
  std::uint64_t lost = 0;           ///< lost deals
  std::uint64_t open = 0;           ///< open deals (censored at their age)
  lost_deal_rule lost_rule = lost_deal_rule::never_convert; ///< rule used for lost deals
};

/// \brief Prints the counts and the median with its interval.
inline std::ostream& operator<<(std::ostream& out, const time_to_convert_result& r) {
  return out << "time_to_convert{won=" << r.won << ", lost=" << r.lost << ", open=" << r.open
             << ", lost deals " << r.lost_rule << ", median days " << r.curve.median << "}";
}

/// \brief Share converted by `days` days: 1 - S(days) with the interval [1 - upper, 1 - lower]
/// of the curve's last row at or before `days` (0 with [0, 0] before the first row).
/// \throws salesops::negative_value for days < 0 or NaN.
estimate_interval converted_by(const time_to_convert_result& r, double days);

/// \brief Mergeable accumulator of times to convert (update / merge / result).
class time_to_convert_accumulator {
public:
  /// \brief An empty accumulator; `as_of` is the extraction timestamp (seconds) at which open
  /// deals are censored, and lost ones under lost_deal_rule::never_convert.
  /// \throws salesops::negative_value when as_of < 0.
  explicit time_to_convert_accumulator(std::int64_t as_of,
                                       lost_deal_rule rule = lost_deal_rule::never_convert);

  /// \brief Adds one opportunity (`closed_at` ignored when open).
  /// \throws salesops::negative_value for created_at < 0; salesops::not_sorted when created_at
  ///         is after as_of, or a close is before created_at or after as_of;
  ///         salesops::out_of_range_value for an outcome other than open, won or lost.
  void update(std::int64_t created_at, outcome result, std::int64_t closed_at,
              std::size_t row = no_row);

  /// \brief Adds another shard (same as_of and rule).
  /// \throws salesops::out_of_range_value when as_of or the rule differ.
  void merge(const time_to_convert_accumulator& other);

  /// \brief The curve, its median and their intervals.
  /// \throws salesops::empty_input when nothing was added; salesops::out_of_range_value for a
  ///         level outside (0, 1).
  time_to_convert_result result(double level = 0.95,
                                stats::km_conf_type conf_type = stats::km_conf_type::log) const;

private:
  std::int64_t as_of_;
  lost_deal_rule rule_;
  stats::kaplan_meier_accumulator km_;
  std::uint64_t won_ = 0, lost_ = 0, open_ = 0;
};

/// \brief Time to convert of columnar opportunities.
/// \param created_at creation timestamp of each opportunity (seconds)
/// \param outcomes outcome of each opportunity
/// \param closed_at close timestamp (ignored for open deals)
/// \param as_of extraction timestamp: open deals are censored at their age then
/// \param options lost-deal rule and intervals
/// \throws salesops::length_mismatch, salesops::empty_input, and the exceptions of
///         time_to_convert_accumulator::update naming the row.
time_to_convert_result time_to_convert(span<const std::int64_t> created_at,
                                       span<const outcome> outcomes,
                                       span<const std::int64_t> closed_at, std::int64_t as_of,
                                       const time_to_convert_options& options = {});

// ---------------------------------------------------------------------------------------

inline time_to_convert_accumulator::time_to_convert_accumulator(std::int64_t as_of,
                                                                lost_deal_rule rule)
    : as_of_(as_of), rule_(rule) {
  check_non_negative("time_to_convert_accumulator", "as_of", as_of);
}

inline void time_to_convert_accumulator::update(std::int64_t created_at, outcome result,
                                                std::int64_t closed_at, std::size_t row) {
  const char* fn = "time_to_convert";
  check_non_negative(fn, "created_at", created_at, row);
  if (created_at > as_of_)
    SALESOPS_THROW(not_sorted, fn, "created_at", row, "is ", created_at, ", after as_of (",
                   as_of_, ")");
  const auto code = static_cast<unsigned>(result);
  if (code > 2u) SALESOPS_THROW(out_of_range_value, fn, "outcomes", row, "is ", code);
  if (result != outcome::open && (closed_at < created_at || closed_at > as_of_))
    SALESOPS_THROW(not_sorted, fn, "closed_at", row, "is ", closed_at, ", outside [created_at ",
                   created_at, ", as_of ", as_of_, "]");
  const auto days = [created_at](std::int64_t t) {
    return static_cast<double>(t - created_at) / seconds_per_day;
  };
  switch (result) {
  case outcome::won:
    ++won_;
    km_.update(days(closed_at), true);
    break;
  case outcome::lost:
    ++lost_;
    km_.update(days(rule_ == lost_deal_rule::censored ? closed_at : as_of_), false);
    break;
  case outcome::open:
    ++open_;
    km_.update(days(as_of_), false);
    break;
  }
}

inline void time_to_convert_accumulator::merge(const time_to_convert_accumulator& other) {
  const char* fn = "time_to_convert_accumulator::merge";
  if (other.as_of_ != as_of_)
    SALESOPS_THROW(out_of_range_value, fn, "other.as_of", no_row, "is ", other.as_of_,
                   ", this accumulator's is ", as_of_);
  if (other.rule_ != rule_)
    SALESOPS_THROW(out_of_range_value, fn, "other", no_row, "uses lost-deal rule ", other.rule_,
                   ", this accumulator ", rule_);
  km_.merge(other.km_);
  won_ += other.won_;
  lost_ += other.lost_;
  open_ += other.open_;
}

inline time_to_convert_result time_to_convert_accumulator::result(
    double level, stats::km_conf_type conf_type) const {
  time_to_convert_result r;
  r.curve = km_.result(level, conf_type);
  r.won = won_;
  r.lost = lost_;
  r.open = open_;
  r.lost_rule = rule_;
  return r;
}

inline estimate_interval converted_by(const time_to_convert_result& r, double days) {
  check_non_negative("converted_by", "days", days);
  estimate_interval e{0.0, 0.0, 0.0};
  for (const auto& row : r.curve.rows) {
    if (row.time > days) break;
    e.estimate = 1.0 - row.survival;
    // Where the curve's bound is undefined (S = 0) the share is 1 with no spread left.
    e.lower = std::isnan(row.upper) ? e.estimate : 1.0 - row.upper;
    e.upper = std::isnan(row.lower) ? e.estimate : 1.0 - row.lower;
  }
  return e;
}

inline time_to_convert_result time_to_convert(span<const std::int64_t> created_at,
                                              span<const outcome> outcomes,
                                              span<const std::int64_t> closed_at,
                                              std::int64_t as_of,
                                              const time_to_convert_options& options) {
  const char* fn = "time_to_convert";
  check_equal_lengths(fn, "created_at", created_at.size(), "outcomes", outcomes.size());
  check_equal_lengths(fn, "created_at", created_at.size(), "closed_at", closed_at.size());
  check_non_empty(fn, "created_at", created_at.size());
  time_to_convert_accumulator acc(as_of, options.lost);
  for (std::size_t i = 0; i < created_at.size(); ++i)
    acc.update(created_at[i], outcomes[i], closed_at[i], i);
  return acc.result(options.level, options.conf_type);
}

} // namespace funnel
} // namespace salesops

#endif // SALESOPS_FUNNEL_TIME_TO_CONVERT_HPP
