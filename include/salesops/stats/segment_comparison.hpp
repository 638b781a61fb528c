// A segment (rep, region, source...) compared with the REST of the population: the segment's
// conversions against everyone else's, never against the overall rate, which contains the
// segment itself and so shrinks every difference towards zero (a segment holding half the
// trials shows only half its true gap to the others, with a wrong standard error). The
// difference gets Newcombe's interval; the p-value is the pooled z test or Fisher's exact
// test; a breakdown adjusts the p-values across segments (Holm by default).
//
// Compile time: compare_with_rest and compare_segments_with_rest are function templates with
// one unused, defaulted parameter, so that only translation units calling them instantiate the
// intervals behind them (see forecast/linear_model.hpp).
#ifndef SALESOPS_STATS_SEGMENT_COMPARISON_HPP
#define SALESOPS_STATS_SEGMENT_COMPARISON_HPP

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/stats/fisher.hpp"
#include "salesops/stats/multiple_testing.hpp"
#include "salesops/stats/proportion.hpp"
#include "salesops/stats/two_proportion.hpp"

namespace salesops::stats {

/// \brief Test behind a segment's p-value.
enum class segment_test {
  z,     ///< pooled two-proportion z test (two_proportion_z_test): large counts
  fisher ///< Fisher's exact test (fisher_exact): any counts, exact
};

/// \brief The test's name ("z" or "fisher").
inline std::string_view to_string(segment_test test) noexcept {
  return test == segment_test::z ? "z" : "fisher";
}

/// \brief Prints the test's name.
inline std::ostream& operator<<(std::ostream& out, segment_test test) {
  return out << to_string(test);
}

/// \brief One segment against the rest of the population.
struct segment_comparison {
  std::size_t segment = 0;             ///< row of the segment in the input columns
  conversion_rate rate;                ///< the segment's rate with its Wilson interval
  conversion_rate rest;                ///< the rate of every other row pooled, Wilson interval
  difference_interval difference;      ///< segment minus rest, Newcombe's interval
  double p_value = 1;                  ///< two-sided p-value of `test`
  double adjusted_p_value = 1;         ///< p_value adjusted across the segments compared together
  segment_test test = segment_test::z; ///< test behind p_value
};

/// \brief Prints the comparison, for debugging.
inline std::ostream& operator<<(std::ostream& out, const segment_comparison& c) {
  return out << "segment_comparison{segment=" << c.segment << ", rate=" << c.rate
             << ", rest=" << c.rest << ", difference=" << c.difference << ", p_value=" << c.p_value
             << ", adjusted_p_value=" << c.adjusted_p_value << ", test=" << c.test << "}";
}

namespace detail {

struct population_totals {
  std::uint64_t successes = 0;
  std::uint64_t trials = 0;
};

inline population_totals check_segments(const char* fn, span<const std::uint64_t> successes,
                                        span<const std::uint64_t> trials) {
  check_equal_lengths(fn, "successes", successes.size(), "trials", trials.size());
  check_non_empty(fn, "trials", trials.size());
  population_totals total;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    check_counts(fn, "successes", successes[i], "trials", trials[i], i);
    total.successes += successes[i];
    total.trials += trials[i];
  }
  return total;
}

template <class = void>
segment_comparison compare_one(const char* fn, span<const std::uint64_t> successes,
                               span<const std::uint64_t> trials, const population_totals& total,
                               std::size_t segment, double level, segment_test test) {
  const std::uint64_t s = successes[segment], n = trials[segment];
  const std::uint64_t rest_s = total.successes - s, rest_n = total.trials - n;
  if (rest_n == 0)
    SALESOPS_THROW(empty_input, fn, "trials", segment,
                   "holds every trial: the rest of the population is empty");
  segment_comparison c;
  c.segment = segment;
  c.test = test;
  c.rate = proportion_interval(s, n, level);
  c.rest = proportion_interval(rest_s, rest_n, level);
  c.difference = newcombe_interval(rest_s, rest_n, s, n, level);
  c.p_value = test == segment_test::z ? two_proportion_z_test(rest_s, rest_n, s, n).p_value
                                      : fisher_exact(rest_s, rest_n, s, n).p_value;
  c.adjusted_p_value = c.p_value;
  return c;
}

} // namespace detail

/// \brief Compares row `segment` of (successes, trials) with all other rows pooled.
/// \param successes conversions per segment
/// \param trials trials per segment (each > 0)
/// \param segment the row to compare
/// \param level confidence level of the intervals
/// \param test test behind the p-value (adjusted_p_value equals p_value: one comparison)
/// \throws salesops::length_mismatch, salesops::empty_input (no rows, a row with 0 trials,
///         or a segment holding every trial), salesops::out_of_range_value (successes above
///         trials at a row, `segment` past the last row, level outside (0, 1)).
template <class = void>
segment_comparison compare_with_rest(span<const std::uint64_t> successes,
                                     span<const std::uint64_t> trials, std::size_t segment,
                                     double level = 0.95, segment_test test = segment_test::z) {
  constexpr const char* fn = "compare_with_rest";
  const auto total = detail::check_segments(fn, successes, trials);
  check_level(fn, "level", level);
  if (segment >= trials.size())
    SALESOPS_THROW(out_of_range_value, fn, "segment", no_row, "is ", segment, ", but there are ",
                   trials.size(), " rows");
  return detail::compare_one(fn, successes, trials, total, segment, level, test);
}

/// \brief Compares every row with the rest of the population and adjusts the p-values
/// across rows (Holm by default: family-wise error; benjamini_hochberg for many segments).
/// \returns one comparison per row, in input order.
/// \throws as compare_with_rest (a single row has no rest: empty_input).
template <class = void>
std::vector<segment_comparison>
compare_segments_with_rest(span<const std::uint64_t> successes, span<const std::uint64_t> trials,
                           double level = 0.95, segment_test test = segment_test::z,
                           p_adjust_method adjustment = p_adjust_method::holm) {
  constexpr const char* fn = "compare_segments_with_rest";
  const auto total = detail::check_segments(fn, successes, trials);
  check_level(fn, "level", level);
  std::vector<segment_comparison> out;
  std::vector<double> p;
  out.reserve(trials.size());
  for (std::size_t i = 0; i < trials.size(); ++i) {
    out.push_back(detail::compare_one(fn, successes, trials, total, i, level, test));
    p.push_back(out.back().p_value);
  }
  const auto adjusted = p_adjust(p, adjustment);
  for (std::size_t i = 0; i < out.size(); ++i) out[i].adjusted_p_value = adjusted[i];
  return out;
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_SEGMENT_COMPARISON_HPP
