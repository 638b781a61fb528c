// Mergeable counts of successes and trials — one rate, or one per segment (rep, region,
// stage...) indexed 0..k-1 — so conversion rates computed per shard, partition or day combine
// exactly: merging adds counts, which is what one pass over all rows would have counted.
//
// Compile time: result() and compare_with_rest() are member function templates with one unused,
// defaulted parameter, so that only translation units calling them instantiate the intervals
// (see forecast/linear_model.hpp).
#ifndef SALESOPS_STATS_PROPORTION_ACCUMULATOR_HPP
#define SALESOPS_STATS_PROPORTION_ACCUMULATOR_HPP

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <vector>

#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/stats/proportion.hpp"
#include "salesops/stats/segment_comparison.hpp"

namespace salesops::stats {

/// \brief Successes and trials of one rate (update / merge / result).
class proportion_accumulator {
public:
  /// \brief Adds one trial.
  void update(bool success) noexcept {
    ++trials_;
    successes_ += success ? 1 : 0;
  }
  /// \brief Adds `trials` trials of which `successes` succeeded.
  /// \throws salesops::out_of_range_value when successes > trials.
  void update(std::uint64_t successes, std::uint64_t trials) {
    if (successes > trials)
      SALESOPS_THROW(out_of_range_value, "proportion_accumulator::update", "successes", no_row,
                     "is ", successes, ", more than trials (", trials, ")");
    successes_ += successes;
    trials_ += trials;
  }
  /// \brief Adds another shard's counts.
  void merge(const proportion_accumulator& other) noexcept {
    successes_ += other.successes_;
    trials_ += other.trials_;
  }
  /// \brief Successes so far.
  std::uint64_t successes() const noexcept { return successes_; }
  /// \brief Trials so far.
  std::uint64_t trials() const noexcept { return trials_; }
  /// \brief The rate with its interval (proportion_interval).
  /// \throws salesops::empty_input when no trial was added.
  template <class = void>
  conversion_rate result(double level = 0.95,
                         interval_method method = interval_method::wilson) const {
    return proportion_interval(successes_, trials_, level, method);
  }

private:
  std::uint64_t successes_ = 0;
  std::uint64_t trials_ = 0;
};

/// \brief Prints the counts, for debugging.
inline std::ostream& operator<<(std::ostream& out, const proportion_accumulator& a) {
  return out << "proportion_accumulator{successes=" << a.successes() << ", trials=" << a.trials()
             << "}";
}

/// \brief Successes and trials per segment 0..size()-1, growing on demand (update / merge /
/// result); feeds compare_segments_with_rest.
class segmented_proportions {
public:
  /// \brief Starts with `segments` empty segments.
  explicit segmented_proportions(std::size_t segments = 0)
      : successes_(segments, 0), trials_(segments, 0) {}

  /// \brief Adds one trial of `segment`.
  void update(std::size_t segment, bool success) {
    grow(segment);
    ++trials_[segment];
    successes_[segment] += success ? 1 : 0;
  }
  /// \brief Adds `trials` trials of `segment`, `successes` of them successful.
  /// \throws salesops::out_of_range_value when successes > trials.
  void update(std::size_t segment, std::uint64_t successes, std::uint64_t trials) {
    if (successes > trials)
      SALESOPS_THROW(out_of_range_value, "segmented_proportions::update", "successes", segment,
                     "is ", successes, ", more than trials (", trials, ")");
    grow(segment);
    successes_[segment] += successes;
    trials_[segment] += trials;
  }
  /// \brief Adds a column of trials: row i belongs to segments[i] and succeeded when
  /// success[i] is 1.
  /// \throws salesops::length_mismatch; salesops::out_of_range_value naming the row of a flag
  ///         other than 0 or 1.
  void update(span<const std::uint32_t> segments, span<const std::uint8_t> success) {
    constexpr const char* fn = "segmented_proportions::update";
    check_equal_lengths(fn, "segments", segments.size(), "success", success.size());
    for (std::size_t i = 0; i < success.size(); ++i)
      if (success[i] > 1)
        SALESOPS_THROW(out_of_range_value, fn, "success", i, "is ", static_cast<int>(success[i]),
                       ", expected 0 or 1");
    for (std::size_t i = 0; i < segments.size(); ++i) update(segments[i], success[i] == 1);
  }
  /// \brief Adds another shard's counts, segment by segment.
  void merge(const segmented_proportions& other) {
    if (other.size() > 0) grow(other.size() - 1);
    for (std::size_t i = 0; i < other.size(); ++i) {
      successes_[i] += other.successes_[i];
      trials_[i] += other.trials_[i];
    }
  }
  /// \brief Number of segments (one past the largest segment index seen).
  std::size_t size() const noexcept { return trials_.size(); }
  /// \brief Successes per segment.
  span<const std::uint64_t> successes() const noexcept { return {successes_.data(), size()}; }
  /// \brief Trials per segment.
  span<const std::uint64_t> trials() const noexcept { return {trials_.data(), size()}; }

  /// \brief The rate of every segment with its interval, in segment order.
  /// \throws salesops::empty_input naming the row of a segment without trials.
  template <class = void>
  std::vector<conversion_rate> result(double level = 0.95,
                                      interval_method method = interval_method::wilson) const {
    std::vector<conversion_rate> out;
    out.reserve(size());
    for (std::size_t i = 0; i < size(); ++i) {
      detail::check_counts("segmented_proportions::result", "successes", successes_[i], "trials",
                           trials_[i], i);
      out.push_back(proportion_interval(successes_[i], trials_[i], level, method));
    }
    return out;
  }

  /// \brief Every segment against the rest of the population (compare_segments_with_rest).
  template <class = void>
  std::vector<segment_comparison>
  compare_with_rest(double level = 0.95, segment_test test = segment_test::z,
                    p_adjust_method adjustment = p_adjust_method::holm) const {
    return compare_segments_with_rest(successes(), trials(), level, test, adjustment);
  }

private:
  void grow(std::size_t segment) {
    if (segment >= trials_.size()) {
      successes_.resize(segment + 1, 0);
      trials_.resize(segment + 1, 0);
    }
  }
  std::vector<std::uint64_t> successes_;
  std::vector<std::uint64_t> trials_;
};

/// \brief Prints the counts per segment, for debugging.
inline std::ostream& operator<<(std::ostream& out, const segmented_proportions& a) {
  out << "segmented_proportions{";
  for (std::size_t i = 0; i < a.size(); ++i)
    out << (i ? ", " : "") << i << ": " << a.successes()[i] << "/" << a.trials()[i];
  return out << "}";
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_PROPORTION_ACCUMULATOR_HPP
