// Stage funnel over opportunity histories: per stage, how many opportunities entered it,
// advanced past it, were won after entering it, were lost in it or are still open in it, the
// stage-to-stage and cumulative conversion with proportion intervals (stats/proportion.hpp),
// and the distribution of time spent in the stage (R type-7 quantiles, stats/quantile.hpp).
// Cohort funnels group opportunities by their creation period (core/calendar.hpp) and flag
// cohorts whose conversion window has not elapsed. Counting rules follow the "furthest stage
// reached" convention of CRM funnel reports (Salesforce's historical-trend funnels):
//
// * an opportunity counts at most once per stage, however often it re-enters it;
// * its furthest stage is the highest stage index it ever entered (a backward move does not
//   undo progress);
// * skipped stages (entering stage 3 straight from stage 1) count as passed by default
//   (skipped_stage_rule::count_as_passed: the deal entered every stage up to its furthest);
//   with skipped_stage_rule::count_as_not_passed only stages actually recorded count.
//
// Exact definitions are in docs/funnel.md ("Stage funnels, time to convert and the Markov model").
//
// Compile time: the functions that reach Boost.Math (through stats::proportion_interval) are
// function templates with one unused, defaulted parameter, so only translation units calling
// them instantiate it (see stats/proportion.hpp); calls are written as before.
#ifndef SALESOPS_FUNNEL_STAGE_FUNNEL_HPP
#define SALESOPS_FUNNEL_STAGE_FUNNEL_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <vector>

#include "salesops/core/calendar.hpp"
#include "salesops/core/error.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/funnel/stage_history.hpp"
#include "salesops/stats/proportion.hpp"
#include "salesops/stats/quantile.hpp"

namespace salesops {
namespace funnel {

/// \brief How a stage that an opportunity jumped over is counted.
enum class skipped_stage_rule {
  count_as_passed,    ///< default: reaching stage k means every stage below k was entered
  count_as_not_passed ///< only stages with a history record count as entered
};

/// \brief Prints "count_as_passed" or "count_as_not_passed".
inline std::ostream& operator<<(std::ostream& out, skipped_stage_rule rule) {
  return out << (rule == skipped_stage_rule::count_as_passed ? "count_as_passed"
                                                             : "count_as_not_passed");
}

/// \brief Options of the stage funnel.
struct stage_funnel_options {
  skipped_stage_rule skipped = skipped_stage_rule::count_as_passed; ///< skipped-stage rule
  double level = 0.95;                                    ///< confidence level of intervals
  stats::interval_method method = stats::interval_method::wilson; ///< interval method
};

/// \brief Distribution of the days opportunities spent in a stage (completed stays only).
struct stage_time {
  std::uint64_t count = 0; ///< opportunities with a completed stay in the stage
  double p10 = 0;          ///< 10th percentile, days (R type 7)
  double p25 = 0;          ///< 25th percentile, days
  double median = 0;       ///< median, days
  double p75 = 0;          ///< 75th percentile, days
  double p90 = 0;          ///< 90th percentile, days
};

/// \brief Prints the percentiles.
inline std::ostream& operator<<(std::ostream& out, const stage_time& t) {
  return out << "stage_time{n=" << t.count << ", p10=" << t.p10 << ", p25=" << t.p25
             << ", median=" << t.median << ", p75=" << t.p75 << ", p90=" << t.p90 << "}";
}

/// \brief One stage of the funnel. Identity: entered == advanced + lost_here + open_here.
struct stage_funnel_row {
  std::uint32_t stage = 0;     ///< stage index
  std::uint64_t entered = 0;   ///< opportunities that entered the stage (per the skip rule)
  std::uint64_t advanced = 0;  ///< entered and (furthest stage > this stage, or won)
  std::uint64_t won = 0;       ///< entered and won
  std::uint64_t lost_here = 0; ///< entered, lost, furthest stage == this stage
  std::uint64_t open_here = 0; ///< entered, still open, furthest stage == this stage
  /// advanced / entered: conversion out of the stage (absent when entered == 0)
  std::optional<stats::conversion_rate> stage_conversion;
  /// entered / opportunities: share of all opportunities that reached the stage
  std::optional<stats::conversion_rate> cumulative_conversion;
  /// won / entered: win rate of the deals that entered the stage (absent when entered == 0)
  std::optional<stats::conversion_rate> win_rate;
  /// days in the stage, summed over re-entries, of opportunities whose stays all ended
  /// (absent when there are none)
  std::optional<stage_time> time_in_stage;
};

/// \brief Prints one row.
inline std::ostream& operator<<(std::ostream& out, const stage_funnel_row& r) {
  out << "stage " << r.stage << ": entered=" << r.entered << " advanced=" << r.advanced
      << " won=" << r.won << " lost_here=" << r.lost_here << " open_here=" << r.open_here;
  if (r.stage_conversion) out << " stage_conversion=" << *r.stage_conversion;
  if (r.cumulative_conversion) out << " cumulative=" << *r.cumulative_conversion;
  if (r.win_rate) out << " win_rate=" << *r.win_rate;
  if (r.time_in_stage) out << " time=" << *r.time_in_stage;
  return out;
}

/// \brief A stage funnel.
struct stage_funnel_result {
  std::uint64_t opportunities = 0; ///< opportunities with at least one history record
  std::uint64_t won = 0;           ///< of which won
  std::uint64_t lost = 0;          ///< of which lost
  std::uint64_t open = 0;          ///< of which still open
  std::vector<stage_funnel_row> stages; ///< one row per stage, in funnel order
  stage_funnel_options options;    ///< options used
};

/// \brief Prints the funnel, one stage per line.
inline std::ostream& operator<<(std::ostream& out, const stage_funnel_result& r) {
  out << "stage_funnel{opportunities=" << r.opportunities << " (won " << r.won << ", lost "
      << r.lost << ", open " << r.open << "), skipped=" << r.options.skipped << "\n";
  for (const auto& s : r.stages) out << "  " << s << "\n";
  return out << "}";
}

/// \brief Mergeable stage-funnel accumulator (update / merge / result).
///
/// Holds per-stage counts and each opportunity's days per stage (the quantiles need them
/// all, so merging concatenates: the merged result equals one pass exactly).
class stage_funnel_accumulator {
public:
  /// \brief An empty funnel of `stage_count` stages counted with `rule`.
  /// \throws salesops::out_of_range_value when stage_count == 0.
  explicit stage_funnel_accumulator(std::uint32_t stage_count,
                                    skipped_stage_rule rule = skipped_stage_rule::count_as_passed);

  /// \brief Adds one opportunity.
  /// \throws the exceptions of check_path.
  void update(const opportunity_path& path);

  /// \brief Adds another accumulator's opportunities.
  /// \throws salesops::length_mismatch for another stage count, salesops::out_of_range_value
  ///         for another skipped-stage rule.
  void merge(const stage_funnel_accumulator& other);

  /// \brief The funnel with intervals (options.skipped must equal the accumulator's rule).
  /// \throws salesops::out_of_range_value for a bad level or a different rule;
  ///         salesops::empty_input when no opportunity was added.
  template <class = void>
  stage_funnel_result result(const stage_funnel_options& options = {}) const;

  /// \brief Number of stages.
  std::uint32_t stage_count() const noexcept { return static_cast<std::uint32_t>(entered_.size()); }
  /// \brief The skipped-stage rule.
  skipped_stage_rule rule() const noexcept { return rule_; }
  /// \brief Opportunities added so far.
  std::uint64_t opportunities() const noexcept { return opportunities_; }
  /// \brief Won opportunities added so far.
  std::uint64_t won() const noexcept { return won_total_; }
  /// \brief Lost opportunities added so far.
  std::uint64_t lost() const noexcept { return lost_total_; }

private:
  skipped_stage_rule rule_;
  std::uint64_t opportunities_ = 0, won_total_ = 0, lost_total_ = 0;
  std::vector<std::uint64_t> entered_, advanced_, won_, lost_here_, open_here_;
  std::vector<std::vector<double>> days_;
  std::vector<char> seen_;      // scratch: stages recorded for the current opportunity
  std::vector<double> spent_;   // scratch: days per stage for the current opportunity
  std::vector<char> censored_;  // scratch: the stage's last stay is still running
};

/// \brief Stage funnel of columnar histories.
/// \throws the exceptions of for_each_opportunity and stage_funnel_accumulator::result.
template <class = void>
stage_funnel_result stage_funnel(const stage_histories& histories,
                                 const stage_funnel_options& options = {});

/// \brief One creation-period cohort.
struct cohort_funnel {
  salesops::period period;           ///< creation period of the cohort
  bool window_complete = false;      ///< period.end + window_days <= as_of
  stage_funnel_result funnel;        ///< the cohort's funnel
};

/// \brief Prints the period, the completeness flag and the funnel.
inline std::ostream& operator<<(std::ostream& out, const cohort_funnel& c) {
  return out << c.period << (c.window_complete ? " complete " : " window still open ")
             << c.funnel;
}

/// \brief Cohort funnels by creation period (calendar weeks, months, quarters or years).
///
/// Opportunity o belongs to the cohort `period_of(created[o], kind)`; cohorts are returned
/// in time order, only those holding at least one opportunity with history. A cohort's
/// conversion window is complete when every member had `window_days` days to convert before
/// the data were extracted: `period.end + window_days <= as_of` (as_of: first day NOT covered
/// by the data). Incomplete cohorts under-state conversion and are flagged, not dropped.
/// \param histories the stage histories
/// \param created creation date of each opportunity (same length as histories.outcomes)
/// \param kind cohort length
/// \param as_of extraction date (days since 1970-01-01)
/// \param window_days conversion window, days (>= 0)
/// \param options counting rule and intervals
/// \throws salesops::length_mismatch when created and outcomes differ in length;
///         salesops::negative_value for window_days < 0; salesops::out_of_range_value naming
///         cohort_funnels, `created` and the row of a creation date whose period does not fit
///         in salesops::date (within a period of the ends of its range), or for a kind the
///         calendar does not have; the exceptions of stage_funnel.
template <class = void>
std::vector<cohort_funnel> cohort_funnels(const stage_histories& histories,
                                          span<const date> created, period_kind kind,
                                          date as_of, std::int32_t window_days,
                                          const stage_funnel_options& options = {});

/// \brief Cohort funnels by fiscal period of `calendar` (fiscal months, quarters or years);
/// otherwise as the calendar overload.
template <class = void>
std::vector<cohort_funnel> cohort_funnels(const stage_histories& histories,
                                          span<const date> created, period_kind kind,
                                          const fiscal_calendar& calendar, date as_of,
                                          std::int32_t window_days,
                                          const stage_funnel_options& options = {});

/// \brief Cohort funnels by retail-calendar period of `calendar` (4-4-5 weeks, periods,
/// quarters or years); otherwise as the calendar overload.
template <class = void>
std::vector<cohort_funnel> cohort_funnels(const stage_histories& histories,
                                          span<const date> created, period_kind kind,
                                          const retail_calendar& calendar, date as_of,
                                          std::int32_t window_days,
                                          const stage_funnel_options& options = {});

// ---------------------------------------------------------------------------------------

namespace detail {

template <class = void>
std::optional<stats::conversion_rate>
rate_or_none(std::uint64_t successes, std::uint64_t trials, const stage_funnel_options& o) {
  if (trials == 0) return std::nullopt;
  return stats::proportion_interval(successes, trials, o.level, o.method);
}

template <class PeriodOf>
std::vector<cohort_funnel> cohort_funnels_impl(const stage_histories& h, span<const date> created,
                                               PeriodOf&& period_of_date, date as_of,
                                               std::int32_t window_days,
                                               const stage_funnel_options& options) {
  const char* fn = "cohort_funnels";
  check_equal_lengths(fn, "outcomes", h.outcomes.size(), "created", created.size());
  check_non_negative(fn, "window_days", window_days);
  stats::check_level(fn, "level", options.level);
  // A bad kind or calendar fails here, in the calendar's own words; after this probe a
  // calendar error can only come from a creation date whose period leaves salesops::date.
  period_of_date(date{0});
  // Keyed by period start: periods of one kind and calendar do not overlap.
  std::map<date, std::pair<period, stage_funnel_accumulator>> cohorts;
  for_each_opportunity(fn, h, [&](std::size_t o, const opportunity_path& p) {
    const period key = [&] {
      try {
        return period_of_date(created[o]);
      } catch (const out_of_range_value& e) {
        SALESOPS_THROW(out_of_range_value, fn, "created", o, "is ", created[o],
                       ", whose cohort period does not fit in salesops::date (", e.what(), ")");
      }
    }();
    auto it = cohorts.find(key.start);
    if (it == cohorts.end())
      it = cohorts
               .emplace(key.start, std::make_pair(key, stage_funnel_accumulator(
                                                            h.stage_count, options.skipped)))
               .first;
    it->second.second.update(p);
  });
  std::vector<cohort_funnel> out;
  for (const auto& entry : cohorts) {
    const period& p = entry.second.first;
    out.push_back({p, static_cast<std::int64_t>(p.end) + window_days <= as_of,
                   entry.second.second.result(options)});
  }
  return out;
}

} // namespace detail

inline stage_funnel_accumulator::stage_funnel_accumulator(std::uint32_t stage_count,
                                                          skipped_stage_rule rule)
    : rule_(rule) {
  if (stage_count == 0)
    SALESOPS_THROW(out_of_range_value, "stage_funnel_accumulator", "stage_count", no_row,
                   "is 0, must be at least 1");
  for (auto* v : {&entered_, &advanced_, &won_, &lost_here_, &open_here_}) v->assign(stage_count, 0);
  days_.resize(stage_count);
  seen_.assign(stage_count, 0);
  spent_.assign(stage_count, 0.0);
  censored_.assign(stage_count, 0);
}

inline void stage_funnel_accumulator::update(const opportunity_path& p) {
  const auto k = stage_count();
  check_path("stage_funnel_accumulator::update", p, k);
  std::fill(seen_.begin(), seen_.end(), 0);
  std::fill(spent_.begin(), spent_.end(), 0.0);
  std::fill(censored_.begin(), censored_.end(), 0);
  std::uint32_t furthest = 0;
  for (std::uint32_t s : p.stages) {
    seen_[s] = 1;
    furthest = std::max(furthest, s);
  }
  for_each_visit(p, [&](std::uint32_t s, std::int64_t start, std::int64_t end, bool completed,
                        std::int64_t) {
    if (completed) {
      spent_[s] += static_cast<double>(end - start) / seconds_per_day;
    } else {
      censored_[s] = 1;
    }
  });
  ++opportunities_;
  if (p.result == outcome::won) ++won_total_;
  if (p.result == outcome::lost) ++lost_total_;
  for (std::uint32_t s = 0; s < k; ++s) {
    const bool entered = rule_ == skipped_stage_rule::count_as_passed ? s <= furthest : seen_[s] != 0;
    if (!entered) continue;
    ++entered_[s];
    if (s < furthest || p.result == outcome::won) ++advanced_[s];
    if (p.result == outcome::won) ++won_[s];
    if (s == furthest && p.result == outcome::lost) ++lost_here_[s];
    if (s == furthest && p.result == outcome::open) ++open_here_[s];
    // Time is recorded for stages the deal actually sat in, once all its stays there ended.
    if (seen_[s] && !censored_[s]) days_[s].push_back(spent_[s]);
  }
}

inline void stage_funnel_accumulator::merge(const stage_funnel_accumulator& other) {
  const char* fn = "stage_funnel_accumulator::merge";
  check_equal_lengths(fn, "stage_count", stage_count(), "other.stage_count", other.stage_count());
  if (rule_ != other.rule_)
    SALESOPS_THROW(out_of_range_value, fn, "other", no_row, "uses skipped-stage rule ",
                   other.rule_, ", this accumulator ", rule_);
  opportunities_ += other.opportunities_;
  won_total_ += other.won_total_;
  lost_total_ += other.lost_total_;
  for (std::size_t s = 0; s < entered_.size(); ++s) {
    entered_[s] += other.entered_[s];
    advanced_[s] += other.advanced_[s];
    won_[s] += other.won_[s];
    lost_here_[s] += other.lost_here_[s];
    open_here_[s] += other.open_here_[s];
    days_[s].insert(days_[s].end(), other.days_[s].begin(), other.days_[s].end());
  }
}

template <class>
stage_funnel_result stage_funnel_accumulator::result(const stage_funnel_options& options) const {
  const char* fn = "stage_funnel_accumulator::result";
  stats::check_level(fn, "level", options.level);
  if (options.skipped != rule_)
    SALESOPS_THROW(out_of_range_value, fn, "options.skipped", no_row, "is ", options.skipped,
                   " but the accumulator counted with ", rule_);
  check_non_empty(fn, "opportunities", opportunities_);
  stage_funnel_result r;
  r.options = options;
  r.opportunities = opportunities_;
  r.won = won_total_;
  r.lost = lost_total_;
  r.open = opportunities_ - won_total_ - lost_total_;
  static const std::vector<double> probs{0.10, 0.25, 0.50, 0.75, 0.90};
  for (std::uint32_t s = 0; s < stage_count(); ++s) {
    stage_funnel_row row;
    row.stage = s;
    row.entered = entered_[s];
    row.advanced = advanced_[s];
    row.won = won_[s];
    row.lost_here = lost_here_[s];
    row.open_here = open_here_[s];
    row.stage_conversion = detail::rate_or_none(advanced_[s], entered_[s], options);
    row.cumulative_conversion = detail::rate_or_none(entered_[s], opportunities_, options);
    row.win_rate = detail::rate_or_none(won_[s], entered_[s], options);
    if (!days_[s].empty()) {
      const auto q = stats::quantiles(days_[s], probs);
      row.time_in_stage = stage_time{days_[s].size(), q[0], q[1], q[2], q[3], q[4]};
    }
    r.stages.push_back(std::move(row));
  }
  return r;
}

template <class>
stage_funnel_result stage_funnel(const stage_histories& histories,
                                 const stage_funnel_options& options) {
  stats::check_level("stage_funnel", "level", options.level);
  stage_funnel_accumulator acc(histories.stage_count == 0 ? 1 : histories.stage_count,
                               options.skipped);
  for_each_opportunity("stage_funnel", histories,
                       [&](std::size_t, const opportunity_path& p) { acc.update(p); });
  return acc.result(options);
}

template <class>
std::vector<cohort_funnel> cohort_funnels(const stage_histories& histories,
                                          span<const date> created, period_kind kind,
                                          date as_of, std::int32_t window_days,
                                          const stage_funnel_options& options) {
  return detail::cohort_funnels_impl(
      histories, created, [kind](date d) { return period_of(d, kind); }, as_of, window_days,
      options);
}

template <class>
std::vector<cohort_funnel> cohort_funnels(const stage_histories& histories,
                                          span<const date> created, period_kind kind,
                                          const fiscal_calendar& calendar, date as_of,
                                          std::int32_t window_days,
                                          const stage_funnel_options& options) {
  return detail::cohort_funnels_impl(
      histories, created, [kind, &calendar](date d) { return period_of(d, kind, calendar); },
      as_of, window_days, options);
}

template <class>
std::vector<cohort_funnel> cohort_funnels(const stage_histories& histories,
                                          span<const date> created, period_kind kind,
                                          const retail_calendar& calendar, date as_of,
                                          std::int32_t window_days,
                                          const stage_funnel_options& options) {
  return detail::cohort_funnels_impl(
      histories, created, [kind, &calendar](date d) { return period_of(d, kind, calendar); },
      as_of, window_days, options);
}

} // namespace funnel
} // namespace salesops

#endif // SALESOPS_FUNNEL_STAGE_FUNNEL_HPP
