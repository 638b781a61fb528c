// Compensated summation of money and other long sums: Neumaier's improvement of Kahan
// summation (A. Neumaier, "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher
// Summen", ZAMM 54, 1974), which stays exact to working precision when a term is larger than
// the running sum. The accumulator merges, so partial sums per shard combine exactly as well.
#ifndef SALESOPS_CORE_SUM_HPP
#define SALESOPS_CORE_SUM_HPP

#include <cmath>
#include <iosfwd>
#include <ostream>
#include <type_traits>

#include "salesops/core/span.hpp"

namespace salesops {

/// \brief Neumaier-compensated running sum (accumulator: update / merge / result).
template <class Real = double> class neumaier_sum {
  static_assert(std::is_floating_point_v<Real>, "neumaier_sum needs a floating-point Real");

public:
  /// \brief Adds one term.
  void update(Real x) noexcept {
    const Real t = sum_ + x;
    // The smaller operand lost its low-order bits in t; recover them.
    if (std::fabs(sum_) >= std::fabs(x)) {
      compensation_ += (sum_ - t) + x;
    } else {
      compensation_ += (x - t) + sum_;
    }
    sum_ = t;
  }
  /// \brief Adds the state of another accumulator (the sum of both shards).
  void merge(const neumaier_sum& other) noexcept {
    update(other.sum_);
    compensation_ += other.compensation_;
  }
  /// \brief The compensated sum.
  Real result() const noexcept { return sum_ + compensation_; }

private:
  Real sum_ = 0;
  Real compensation_ = 0;
};

/// \brief Compensated sum of a column. Integer inputs give a double result.
template <class T> auto compensated_sum(span<const T> values) noexcept {
  using Real = std::conditional_t<std::is_floating_point_v<T>, T, double>;
  neumaier_sum<Real> acc;
  for (const T& x : values) acc.update(static_cast<Real>(x));
  return acc.result();
}

/// \brief Compensated sum of any contiguous container.
template <class Container> auto compensated_sum(const Container& values) noexcept {
  return compensated_sum(span<const typename Container::value_type>(values.data(), values.size()));
}

/// \brief Prints the sum, for debugging.
template <class Real> std::ostream& operator<<(std::ostream& out, const neumaier_sum<Real>& s) {
  return out << "neumaier_sum{" << s.result() << "}";
}

} // namespace salesops

#endif // SALESOPS_CORE_SUM_HPP
