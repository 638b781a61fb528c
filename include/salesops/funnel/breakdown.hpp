// Stage-funnel breakdowns by a segment key (rep, region, source, product): one stage funnel
// per segment, the largest `top_n` segments kept and the others folded into one "other" row,
// and each row's win rate compared with the REST of the population (all opportunities not in
// the row), never with the overall rate that contains the row (a segment compared with a
// total it belongs to is biased towards "no difference"). The comparison is Newcombe's
// interval for rate(segment) - rate(rest) and the pooled two-proportion z test
// (stats/two_proportion.hpp). Win rate here is won / (won + lost): open deals have no outcome
// yet and are left out of the comparison (they stay in the per-stage funnel).
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
#include "salesops/stats/two_proportion.hpp"

namespace salesops {
namespace funnel {

/// \brief A segment's win rate against the rest of the population.
struct rest_comparison {
  stats::conversion_rate rest;          ///< won / closed of every opportunity not in the row
  stats::difference_interval difference; ///< Newcombe interval of rate(row) - rate(rest)
  double z = 0;                          ///< pooled two-proportion z statistic
  double p_value = 1;                    ///< two-sided p-value of the z test (unadjusted)
};

/// \brief Prints the comparison.
inline std::ostream& operator<<(std::ostream& out, const rest_comparison& c) {
  return out << "vs rest " << c.rest << ": difference " << c.difference.difference << " ["
             << c.difference.lower << ", " << c.difference.upper << "], z=" << c.z
             << ", p=" << c.p_value;
}

/// \brief One row of a breakdown: a segment, or "other" (every segment below the top N).
struct breakdown_row {
  bool other = false;        ///< true for the folded "other" row
  std::uint32_t key = 0;     ///< segment key (0 and meaningless for "other")
  std::uint64_t segments = 1; ///< number of segments in the row (1 unless "other")
  stage_funnel_result funnel; ///< the row's stage funnel
  /// won / (won + lost) with interval (absent when the row has no closed deal)
  std::optional<stats::conversion_rate> win_rate;
  /// comparison with the rest (absent when the row or the rest has no closed deal)
  std::optional<rest_comparison> versus_rest;
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

  /// \brief The largest `top_n` segments and "other", each compared with its rest.
  /// \param top_n number of segments kept (0 keeps all)
  /// \param options counting rule (must match) and intervals
  /// \throws salesops::empty_input when nothing was added; salesops::out_of_range_value for
  ///         a bad level or rule.
  breakdown_result result(std::size_t top_n = 0, const stage_funnel_options& options = {}) const;

private:
  std::uint32_t stage_count_;
  skipped_stage_rule rule_;
  std::map<std::uint32_t, stage_funnel_accumulator> segments_;
};

/// \brief Breakdown of columnar histories by a per-opportunity segment key.
/// \param histories the stage histories
/// \param segment segment key of each opportunity (same length as histories.outcomes), e.g.
///        the simulator's owner, segment, source or product column
/// \param top_n number of segments kept before "other" (0 keeps all)
/// \param options counting rule and intervals
/// \throws salesops::length_mismatch when segment and outcomes differ in length; the
///         exceptions of for_each_opportunity and breakdown_accumulator::result.
breakdown_result segment_breakdown(const stage_histories& histories,
                                   span<const std::uint32_t> segment, std::size_t top_n = 0,
                                   const stage_funnel_options& options = {});

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

inline breakdown_result breakdown_accumulator::result(std::size_t top_n,
                                                      const stage_funnel_options& options) const {
  const char* fn = "breakdown_accumulator::result";
  stats::check_level(fn, "level", options.level);
  check_non_empty(fn, "segments", segments_.size());
  std::vector<std::pair<std::uint32_t, const stage_funnel_accumulator*>> order;
  stage_funnel_accumulator total(stage_count_, rule_);
  for (const auto& entry : segments_) {
    order.emplace_back(entry.first, &entry.second);
    total.merge(entry.second);
  }
  // Largest first; ties by key so the order does not depend on insertion or merge order.
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.second->opportunities() > b.second->opportunities();
  });
  const std::size_t kept = top_n == 0 ? order.size() : std::min(top_n, order.size());

  const std::uint64_t total_won = total.won(), total_closed = total.won() + total.lost();
  const auto make_row = [&](const stage_funnel_accumulator& acc) {
    breakdown_row row;
    row.funnel = acc.result(options);
    const std::uint64_t won = acc.won(), closed = acc.won() + acc.lost();
    if (closed > 0) row.win_rate = stats::proportion_interval(won, closed, options.level, options.method);
    const std::uint64_t rest_won = total_won - won, rest_closed = total_closed - closed;
    if (closed > 0 && rest_closed > 0) {
      rest_comparison c;
      c.rest = stats::proportion_interval(rest_won, rest_closed, options.level, options.method);
      // A = rest, B = the row: differences read "row minus rest".
      c.difference = stats::newcombe_interval(rest_won, rest_closed, won, closed, options.level);
      const auto z = stats::two_proportion_z_test(rest_won, rest_closed, won, closed);
      c.z = z.z;
      c.p_value = z.p_value;
      row.versus_rest = c;
    }
    return row;
  };

  breakdown_result r;
  r.total = total.result(options);
  for (std::size_t i = 0; i < kept; ++i) {
    breakdown_row row = make_row(*order[i].second);
    row.key = order[i].first;
    r.rows.push_back(std::move(row));
  }
  if (kept < order.size()) {
    stage_funnel_accumulator other(stage_count_, rule_);
    for (std::size_t i = kept; i < order.size(); ++i) other.merge(*order[i].second);
    breakdown_row row = make_row(other);
    row.other = true;
    row.segments = order.size() - kept;
    r.rows.push_back(std::move(row));
  }
  return r;
}

inline breakdown_result segment_breakdown(const stage_histories& histories,
                                          span<const std::uint32_t> segment, std::size_t top_n,
                                          const stage_funnel_options& options) {
  const char* fn = "segment_breakdown";
  check_equal_lengths(fn, "outcomes", histories.outcomes.size(), "segment", segment.size());
  breakdown_accumulator acc(histories.stage_count == 0 ? 1 : histories.stage_count,
                            options.skipped);
  for_each_opportunity(fn, histories,
                       [&](std::size_t o, const opportunity_path& p) { acc.update(segment[o], p); });
  return acc.result(top_n, options);
}

} // namespace funnel
} // namespace salesops

#endif // SALESOPS_FUNNEL_BREAKDOWN_HPP
