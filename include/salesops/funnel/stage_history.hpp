// Opportunity stage histories: the columnar input shared by the stage funnel, the Markov
// pipeline model, the breakdowns and time to convert. One row per stage entry (opportunity,
// stage, entered_at), rows grouped by opportunity and ordered by time inside each group — the
// layout of a CRM's stage-history table (Salesforce OpportunityHistory) and of the simulator's
// `stage_history` columns — plus one row per opportunity for its outcome and close time.
#ifndef SALESOPS_FUNNEL_STAGE_HISTORY_HPP
#define SALESOPS_FUNNEL_STAGE_HISTORY_HPP

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/outcome.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"

namespace salesops {
namespace funnel {

/// \brief Outcome of an opportunity (open, won, lost): the library-wide enum of
/// core/outcome.hpp, which the simulator's columns use too.
using outcome = salesops::outcome;

/// \brief Seconds per day: durations are reported in days.
inline constexpr double seconds_per_day = 86400.0;

/// \brief A point estimate with an interval (what the interval is says the function
/// returning it, e.g. posterior percentiles in markov_summary).
struct estimate_interval {
  double estimate = 0; ///< point estimate
  double lower = 0;    ///< lower bound
  double upper = 0;    ///< upper bound
};

/// \brief Prints "estimate [lower, upper]".
inline std::ostream& operator<<(std::ostream& out, const estimate_interval& e) {
  return out << e.estimate << " [" << e.lower << ", " << e.upper << "]";
}

/// \brief Columnar stage histories of a set of opportunities (views, nothing is copied).
///
/// History rows: `opportunity[r]` is a row index into the per-opportunity columns,
/// `stage[r]` a stage index in `0 .. stage_count-1` (funnel order), `entered_at[r]` the
/// timestamp (seconds since 1970-01-01 UTC) the opportunity entered that stage. The rows of
/// one opportunity must be contiguous and non-decreasing in time. Per-opportunity columns:
/// `outcomes[o]` and `closed_at[o]` (the close timestamp of a won or lost opportunity; ignored
/// for open ones). Opportunities without history rows take part in nothing.
struct stage_histories {
  span<const std::uint64_t> opportunity; ///< per history row: opportunity row index
  span<const std::uint32_t> stage;      ///< per history row: stage index entered
  span<const std::int64_t> entered_at;  ///< per history row: entry timestamp (s)
  span<const outcome> outcomes;         ///< per opportunity: open / won / lost
  span<const std::int64_t> closed_at;   ///< per opportunity: close timestamp (s), closed only
  std::uint32_t stage_count = 0;        ///< number of stages (won and lost are outcomes)
};

/// \brief One opportunity's history as seen by the per-opportunity accumulators.
struct opportunity_path {
  span<const std::uint32_t> stages;    ///< stages entered, in time order
  span<const std::int64_t> entered_at; ///< entry timestamps, same length
  funnel::outcome result = outcome::open; ///< outcome of the opportunity
  std::int64_t closed_at = 0;          ///< close timestamp (meaningful when closed)
};

/// \brief Close timestamps from close dates (e.g. the simulator's `close_date`): the last
/// second of each day, `86400 (d + 1) - 1`.
///
/// A CRM that records only the close day says the deal closed at some time that day, after
/// any stage entry of that day; the end of the day is the one instant never before the last
/// entry, so the last stay is over-stated by half a day on average.
std::vector<std::int64_t> close_timestamps(span<const std::int32_t> close_date);

/// \brief Validates `h` and calls `visit(opportunity_index, path)` once per opportunity that
/// has history rows, in row order.
///
/// \throws salesops::empty_input when there are no history rows or no opportunities;
/// salesops::length_mismatch for columns of unequal length; salesops::out_of_range_value for
/// a stage outside `0 .. stage_count-1`, an opportunity index outside the per-opportunity
/// columns or an outcome value that is not open/won/lost; salesops::negative_value for a
/// negative timestamp; salesops::not_sorted for an opportunity whose rows are not contiguous
/// (named at the row where it reappears), time going backwards inside a group, or a close
/// before the last stage entry. Every message names the function `function` and the row.
template <class Visitor>
void for_each_opportunity(const char* function, const stage_histories& h, Visitor&& visit);

/// \brief Calls `visit(stage, start, end, completed, next)` for each visit of a validated path.
///
/// A visit is a maximal run of consecutive records in the same stage (a repeated record of
/// the current stage is not a move). It starts at its first record's entry and ends at the
/// next visit's entry; the last visit ends at `closed_at` for a won or lost deal
/// (`completed` true) and is censored for an open deal (`completed` false, `end` == `start`).
/// `next` is the stage of the following visit, or -1 for the last one.
template <class Visitor> void for_each_visit(const opportunity_path& path, Visitor&& visit);

/// \brief Checks one path (used by the accumulators' update): equal lengths, stage range,
/// non-negative and non-decreasing times, close not before the last entry.
/// \throws the same typed exceptions as for_each_opportunity, rows relative to the path.
void check_path(const char* function, const opportunity_path& path, std::uint32_t stage_count);

// ---------------------------------------------------------------------------------------

template <class Visitor> void for_each_visit(const opportunity_path& p, Visitor&& visit) {
  const std::size_t n = p.stages.size();
  std::size_t first = 0;
  for (std::size_t i = 1; i <= n; ++i) {
    if (i < n && p.stages[i] == p.stages[first]) continue; // same visit
    if (i < n) {
      visit(p.stages[first], p.entered_at[first], p.entered_at[i], true,
            static_cast<std::int64_t>(p.stages[i]));
    } else {
      const bool closed = p.result != outcome::open;
      visit(p.stages[first], p.entered_at[first], closed ? p.closed_at : p.entered_at[first],
            closed, std::int64_t{-1});
    }
    first = i;
  }
}

inline std::vector<std::int64_t> close_timestamps(span<const std::int32_t> close_date) {
  std::vector<std::int64_t> out(close_date.size());
  for (std::size_t i = 0; i < close_date.size(); ++i)
    out[i] = (static_cast<std::int64_t>(close_date[i]) + 1) * 86400 - 1;
  return out;
}

inline void check_path(const char* function, const opportunity_path& p,
                       std::uint32_t stage_count) {
  check_equal_lengths(function, "stages", p.stages.size(), "entered_at", p.entered_at.size());
  check_non_empty(function, "stages", p.stages.size());
  const auto o = static_cast<unsigned>(p.result);
  if (o > 2u) SALESOPS_THROW(out_of_range_value, function, "outcome", no_row, "is ", o);
  for (std::size_t i = 0; i < p.stages.size(); ++i) {
    if (p.stages[i] >= stage_count)
      SALESOPS_THROW(out_of_range_value, function, "stage", i, "is ", p.stages[i],
                     ", outside [0, ", stage_count - 1, "]");
    check_non_negative(function, "entered_at", p.entered_at[i], i);
    if (i > 0 && p.entered_at[i] < p.entered_at[i - 1])
      SALESOPS_THROW(not_sorted, function, "entered_at", i, "is ", p.entered_at[i],
                     ", before the previous entry (", p.entered_at[i - 1], ")");
  }
  if (p.result != outcome::open && p.closed_at < p.entered_at[p.stages.size() - 1])
    SALESOPS_THROW(not_sorted, function, "closed_at", no_row, "is ", p.closed_at,
                   ", before the last stage entry (", p.entered_at[p.stages.size() - 1], ")");
}

template <class Visitor>
void for_each_opportunity(const char* function, const stage_histories& h, Visitor&& visit) {
  const std::size_t n = h.opportunity.size();
  check_equal_lengths(function, "opportunity", n, "stage", h.stage.size());
  check_equal_lengths(function, "opportunity", n, "entered_at", h.entered_at.size());
  check_equal_lengths(function, "outcomes", h.outcomes.size(), "closed_at", h.closed_at.size());
  check_non_empty(function, "opportunity", n);
  check_non_empty(function, "outcomes", h.outcomes.size());
  if (h.stage_count == 0)
    SALESOPS_THROW(out_of_range_value, function, "stage_count", no_row, "is ", h.stage_count,
                   ", must be at least 1");
  // A group is finished once another opportunity starts; seeing it again means the rows are
  // not grouped (they would otherwise be silently split into two opportunities).
  std::vector<bool> seen(h.outcomes.size(), false);
  std::size_t begin = 0;
  while (begin < n) {
    const std::uint64_t opp = h.opportunity[begin];
    if (opp >= h.outcomes.size())
      SALESOPS_THROW(out_of_range_value, function, "opportunity", begin, "is ", opp,
                     ", outside [0, ", h.outcomes.size() - 1, "]");
    const auto o = static_cast<std::size_t>(opp);
    if (seen[o])
      SALESOPS_THROW(not_sorted, function, "opportunity", begin, "is ", opp,
                     ", whose rows already appeared earlier (rows must be grouped)");
    seen[o] = true;
    std::size_t end = begin;
    while (end < n && h.opportunity[end] == opp) {
      if (h.stage[end] >= h.stage_count)
        SALESOPS_THROW(out_of_range_value, function, "stage", end, "is ", h.stage[end],
                       ", outside [0, ", h.stage_count - 1, "]");
      check_non_negative(function, "entered_at", h.entered_at[end], end);
      if (end > begin && h.entered_at[end] < h.entered_at[end - 1])
        SALESOPS_THROW(not_sorted, function, "entered_at", end, "is ", h.entered_at[end],
                       ", before the previous entry of opportunity ", opp, " (",
                       h.entered_at[end - 1], ")");
      ++end;
    }
    const auto code = static_cast<unsigned>(h.outcomes[o]);
    if (code > 2u) SALESOPS_THROW(out_of_range_value, function, "outcomes", o, "is ", code);
    if (h.outcomes[o] != outcome::open && h.closed_at[o] < h.entered_at[end - 1])
      SALESOPS_THROW(not_sorted, function, "closed_at", o, "is ", h.closed_at[o],
                     ", before the last stage entry of the opportunity (", h.entered_at[end - 1],
                     ")");
    opportunity_path path{h.stage.subspan(begin, end - begin),
                          h.entered_at.subspan(begin, end - begin), h.outcomes[o],
                          h.closed_at[o]};
    visit(o, path);
    begin = end;
  }
}

} // namespace funnel
} // namespace salesops

#endif // SALESOPS_FUNNEL_STAGE_HISTORY_HPP
