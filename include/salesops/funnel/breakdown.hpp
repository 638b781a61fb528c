// Stage-funnel breakdowns by a segment key (rep, region, source, product): one stage funnel
// per segment, the largest `top_n` segments kept and the others folded into one "other" row,
// and each row's win rate compared with the REST of the population (all opportunities not in
// the row), never with the overall rate that contains the row (a segment compared with a
// total it belongs to is biased towards "no difference"). The comparison is the stats module's
// (stats/segment_comparison.hpp): Newcombe's interval for rate(row) - rate(rest), a z or
// Fisher p-value, adjusted across the rows (Holm by default). Win rate here is won / (won +
// lost): open deals have no outcome yet and are left out of the comparison (they stay in the
// per-stage funnel).
//
// Compile time: result and segment_breakdown are function templates with one unused,
// defaulted parameter, as in stage_funnel.hpp.
#ifndef SALESOPS_FUNNEL_BREAKDOWN_HPP
#define SALESOPS_FUNNEL_BREAKDOWN_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/funnel/stage_funnel.hpp"
#include "salesops/funnel/stage_history.hpp"
#include "salesops/stats/proportion.hpp"
#include "salesops/stats/multiple_testing.hpp"
#include "salesops/stats/segment_comparison.hpp"

namespace salesops {
namespace funnel {

/// \brief Options of a breakdown.
struct breakdown_options {
  std::size_t top_n = 10;          ///< segments kept before "other" (0 keeps all)
  stage_funnel_options funnel;     ///< counting rule and intervals of every funnel
  stats::segment_test test = stats::segment_test::z; ///< test behind the p-values
  stats::p_adjust_method adjustment = stats::p_adjust_method::holm; ///< across the rows
};

/// \brief One row of a breakdown: a segment, or "other" (every segment below the top N).
struct breakdown_row {
  bool other = false;        ///< true for the folded "other" row
  std::uint32_t key = 0;     ///< segment key (0 and meaningless for "other")
  std::uint64_t segments = 1; ///< number of segments in the row (1 unless "other")
  stage_funnel_result funnel; ///< the row's stage funnel
  /// won / (won + lost) with interval (absent when the row has no closed deal)
  std::optional<stats::conversion_rate> win_rate;
  /// win rate against the rest of the population, p-value adjusted across the rows that
  /// have one (absent when the row has no closed deal or no other row has one)
  std::optional<stats::segment_comparison> versus_rest;
};

/// \brief Prints the row.
inline std::ostream& operator<<(std::ostream& out, const breakdown_row& r) {
  if (r.other) {
    out << "other (" << r.segments << " segments)";
  } else {
    out << "segment " << r.key;
  }
  out << ": opportunities=" << r.funnel.opportunities;
  if (r.win_rate) out << " win_rate=" << *r.win_rate;
  if (r.versus_rest) out << " " << *r.versus_rest;
  return out;
}

/// \brief A breakdown: rows ordered by opportunities (descending, ties by key), "other" last.
struct breakdown_result {
  std::vector<breakdown_row> rows; ///< top segments, then "other" when any were folded
  stage_funnel_result total;       ///< funnel of the whole population
};

/// \brief Prints one line per row.
inline std::ostream& operator<<(std::ostream& out, const breakdown_result& r) {
  out << "breakdown{" << r.rows.size() << " rows, total opportunities=" << r.total.opportunities
      << "\n";
  for (const auto& row : r.rows) out << "  " << row << "\n";
  return out << "}";
}

/// \brief Mergeable accumulator of one stage funnel per segment (update / merge / result).
class breakdown_accumulator {
public:
  /// \brief An empty breakdown over `stage_count` stages counted with `rule`.
  /// \throws salesops::out_of_range_value when stage_count == 0.
  explicit breakdown_accumulator(std::uint32_t stage_count,
                                 skipped_stage_rule rule = skipped_stage_rule::count_as_passed);

  /// \brief Adds one opportunity of segment `key`.
  /// \throws the exceptions of stage_funnel_accumulator::update.
  void update(std::uint32_t key, const opportunity_path& path);

  /// \brief Adds another breakdown's segments (same stage count and rule).
  /// \throws salesops::length_mismatch, salesops::out_of_range_value as
  ///         stage_funnel_accumulator::merge.
  void merge(const breakdown_accumulator& other);

  /// \brief The largest `options.top_n` segments and "other", each compared with its rest.
  /// \throws salesops::empty_input when nothing was added; salesops::out_of_range_value for
  ///         a bad level or a counting rule other than the accumulator's.
  template <class = void>
  breakdown_result result(const breakdown_options& options = {}) const;

private:
  std::uint32_t stage_count_;
  skipped_stage_rule rule_;
  std::map<std::uint32_t, stage_funnel_accumulator> segments_;
};

/// \brief Breakdown of columnar histories by a per-opportunity segment key.
/// \param histories the stage histories
/// \param segment segment key of each opportunity (same length as histories.outcomes), e.g.
///        the simulator's owner, segment, source or product column
/// \param options top N, counting rule, intervals, test and p-value adjustment
/// \throws salesops::length_mismatch when segment and outcomes differ in length; the
///         exceptions of for_each_opportunity and breakdown_accumulator::result.
template <class = void>
breakdown_result segment_breakdown(const stage_histories& histories,
                                   span<const std::uint32_t> segment,
                                   const breakdown_options& options = {});

// ---------------------------------------------------------------------------------------

inline breakdown_accumulator::breakdown_accumulator(std::uint32_t stage_count,
                                                    skipped_stage_rule rule)
    : stage_count_(stage_count), rule_(rule) {
  if (stage_count == 0)
    SALESOPS_THROW(out_of_range_value, "breakdown_accumulator", "stage_count", no_row,
                   "is 0, must be at least 1");
}

inline void breakdown_accumulator::update(std::uint32_t key, const opportunity_path& path) {
  auto it = segments_.find(key);
  if (it == segments_.end())
    it = segments_.emplace(key, stage_funnel_accumulator(stage_count_, rule_)).first;
  it->second.update(path);
}

inline void breakdown_accumulator::merge(const breakdown_accumulator& other) {
  const char* fn = "breakdown_accumulator::merge";
  check_equal_lengths(fn, "stage_count", stage_count_, "other.stage_count", other.stage_count_);
  if (rule_ != other.rule_)
    SALESOPS_THROW(out_of_range_value, fn, "other", no_row, "uses skipped-stage rule ",
                   other.rule_, ", this accumulator ", rule_);
  for (const auto& entry : other.segments_) {
    auto it = segments_.find(entry.first);
    if (it == segments_.end()) {
      segments_.emplace(entry.first, entry.second);
    } else {
      it->second.merge(entry.second);
    }
  }
}

template <class>
breakdown_result breakdown_accumulator::result(const breakdown_options& options) const {
  const char* fn = "breakdown_accumulator::result";
  const stage_funnel_options& fo = options.funnel;
  stats::check_level(fn, "level", fo.level);
  check_non_empty(fn, "segments", segments_.size());
  std::vector<std::pair<std::uint32_t, const stage_funnel_accumulator*>> order;
  stage_funnel_accumulator total(stage_count_, rule_);
  for (const auto& entry : segments_) {
    order.emplace_back(entry.first, &entry.second);
    total.merge(entry.second);
  }
  // Largest first; ties by key (the map's order) so the result does not depend on insertion
  // or merge order.
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.second->opportunities() > b.second->opportunities();
  });
  const std::size_t kept =
      options.top_n == 0 ? order.size() : std::min(options.top_n, order.size());

  breakdown_result r;
  r.total = total.result(fo);
  std::vector<std::uint64_t> won, closed; // per row with a closed deal
  std::vector<std::size_t> compared;      // their row indices
  const auto add_row = [&](const stage_funnel_accumulator& acc, breakdown_row row) {
    row.funnel = acc.result(fo);
    const std::uint64_t c = acc.won() + acc.lost();
    if (c > 0) {
      row.win_rate = stats::proportion_interval(acc.won(), c, fo.level, fo.method);
      won.push_back(acc.won());
      closed.push_back(c);
      compared.push_back(r.rows.size());
    }
    r.rows.push_back(std::move(row));
  };
  for (std::size_t i = 0; i < kept; ++i) {
    breakdown_row row;
    row.key = order[i].first;
    add_row(*order[i].second, std::move(row));
  }
  if (kept < order.size()) {
    stage_funnel_accumulator other(stage_count_, rule_);
    for (std::size_t i = kept; i < order.size(); ++i) other.merge(*order[i].second);
    breakdown_row row;
    row.other = true;
    row.segments = order.size() - kept;
    add_row(other, std::move(row));
  }
  // Rows without a closed deal add nothing to anyone's rest, so leaving them out of the
  // comparison changes no other row's numbers.
  if (compared.size() >= 2) {
    const auto c = stats::compare_segments_with_rest(won, closed, fo.level, options.test,
                                                     options.adjustment);
    for (std::size_t i = 0; i < compared.size(); ++i) {
      r.rows[compared[i]].versus_rest = c[i];
      r.rows[compared[i]].versus_rest->segment = compared[i];
    }
  }
  return r;
}

template <class>
breakdown_result segment_breakdown(const stage_histories& histories,
                                   span<const std::uint32_t> segment,
                                   const breakdown_options& options) {
  const char* fn = "segment_breakdown";
  check_equal_lengths(fn, "outcomes", histories.outcomes.size(), "segment", segment.size());
  breakdown_accumulator acc(histories.stage_count == 0 ? 1 : histories.stage_count,
                            options.funnel.skipped);
  for_each_opportunity(fn, histories,
                       [&](std::size_t o, const opportunity_path& p) { acc.update(segment[o], p); });
  return acc.result(options);
}

} // namespace funnel
} // namespace salesops

#endif // SALESOPS_FUNNEL_BREAKDOWN_HPP
