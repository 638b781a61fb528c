// Mergeable running moments: Welford's one-pass update (B. P. Welford, Technometrics 4,
// 1962) and the pairwise merge of Chan, Golub and LeVeque (1979), so per-shard states combine
// into the same mean and variance as one pass over all rows.
#ifndef SALESOPS_CORE_MOMENTS_HPP
#define SALESOPS_CORE_MOMENTS_HPP

#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <type_traits>

#include "salesops/core/validate.hpp"

namespace salesops {

/// \brief Summary of a column: count, mean, variances, extremes.
template <class Real = double> struct moments_summary {
  std::uint64_t count = 0; ///< number of values
  Real mean = 0;           ///< arithmetic mean (0 when count == 0)
  Real variance = 0;       ///< sample variance, divisor count - 1 (0 when count < 2)
  Real population_variance = 0; ///< divisor count (0 when count == 0)
  Real sd = 0;             ///< sqrt(variance)
  Real min = std::numeric_limits<Real>::infinity();  ///< smallest value (+inf when empty)
  Real max = -std::numeric_limits<Real>::infinity(); ///< largest value (-inf when empty)
};

/// \brief Prints the summary, for debugging.
template <class Real>
std::ostream& operator<<(std::ostream& out, const moments_summary<Real>& m) {
  return out << "moments{count=" << m.count << ", mean=" << m.mean << ", variance=" << m.variance
             << ", sd=" << m.sd << ", min=" << m.min << ", max=" << m.max << "}";
}

/// \brief Welford accumulator of mean and variance (update / merge / result).
template <class Real = double> class welford_moments {
  static_assert(std::is_floating_point_v<Real>, "welford_moments needs a floating-point Real");

public:
  /// \brief Adds one value.
  /// \throws salesops::not_finite when x is NaN or infinite (it would poison every moment).
  void update(Real x) {
    check_finite("welford_moments::update", "x", x);
    ++count_;
    const Real delta = x - mean_;
    mean_ += delta / static_cast<Real>(count_);
    m2_ += delta * (x - mean_);
    if (x < min_) min_ = x;
    if (x > max_) max_ = x;
  }

  /// \brief Combines another shard's state (Chan et al.'s parallel formula).
  void merge(const welford_moments& other) noexcept {
    if (other.count_ == 0) return;
    if (count_ == 0) {
      *this = other;
      return;
    }
    const Real n_a = static_cast<Real>(count_);
    const Real n_b = static_cast<Real>(other.count_);
    const Real n = n_a + n_b;
    const Real delta = other.mean_ - mean_;
    mean_ += delta * (n_b / n);
    m2_ += other.m2_ + delta * delta * (n_a * n_b / n);
    count_ += other.count_;
    if (other.min_ < min_) min_ = other.min_;
    if (other.max_ > max_) max_ = other.max_;
  }

  /// \brief The summary of every value seen.
  moments_summary<Real> result() const noexcept {
    moments_summary<Real> s;
    s.count = count_;
    s.mean = mean_;
    s.min = min_;
    s.max = max_;
    if (count_ > 0) s.population_variance = m2_ / static_cast<Real>(count_);
    if (count_ > 1) s.variance = m2_ / static_cast<Real>(count_ - 1);
    s.sd = std::sqrt(s.variance);
    return s;
  }

private:
  std::uint64_t count_ = 0;
  Real mean_ = 0;
  Real m2_ = 0; // sum of squared deviations from the running mean
  Real min_ = std::numeric_limits<Real>::infinity();
  Real max_ = -std::numeric_limits<Real>::infinity();
};

/// \brief One-pass moments of a column. Integer inputs give double results.
/// \throws salesops::not_finite naming the row of the first NaN or infinite value.
template <class T> auto moments(span<const T> values) {
  using Real = std::conditional_t<std::is_floating_point_v<T>, T, double>;
  check_finite("moments", "values", values);
  welford_moments<Real> acc;
  for (const T& x : values) acc.update(static_cast<Real>(x));
  return acc.result();
}

/// \brief One-pass moments of any contiguous container (std::vector, std::array, Eigen).
/// \throws salesops::not_finite naming the row of the first NaN or infinite value.
template <class Container> auto moments(const Container& values) {
  return moments(span<const typename Container::value_type>(values.data(), values.size()));
}

} // namespace salesops

#endif // SALESOPS_CORE_MOMENTS_HPP
