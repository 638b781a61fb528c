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
#include "salesops/core/validate.hpp"

namespace salesops {

/// \brief Neumaier-compensated running sum (accumulator: update / merge / result).
///
/// update() does not check its argument (it sits in hot loops); callers validate input
/// columns first, e.g. with check_finite, or use compensated_sum, which does.
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
  /// \brief The compensated sum; +-infinity once the running sum overflowed (its compensation
  /// is then inf - inf, NaN, and must not turn an overflowed total into NaN).
  Real result() const noexcept { return std::isinf(sum_) ? sum_ : sum_ + compensation_; }

private:
  Real sum_ = 0;
  Real compensation_ = 0;
};

/// \brief Compensated sum of a column. Integer inputs give a double result.
/// \throws salesops::not_finite naming the row of the first NaN or infinite value, so a
/// bad amount never turns a total into NaN.
template <class T> auto compensated_sum(span<const T> values) {
  using Real = std::conditional_t<std::is_floating_point_v<T>, T, double>;
  neumaier_sum<Real> acc;
  for (std::size_t i = 0; i < values.size(); ++i) {
    check_finite("compensated_sum", "values", values[i], i);
    acc.update(static_cast<Real>(values[i]));
  }
  return acc.result();
}

/// \brief Compensated sum of any contiguous container.
/// \throws salesops::not_finite naming the row of the first NaN or infinite value.
template <class Container> auto compensated_sum(const Container& values) {
  return compensated_sum(span<const typename Container::value_type>(values.data(), values.size()));
}

/// \brief Prints the sum, for debugging.
template <class Real> std::ostream& operator<<(std::ostream& out, const neumaier_sum<Real>& s) {
  return out << "neumaier_sum{" << s.result() << "}";
}

} // namespace salesops

#endif // SALESOPS_CORE_SUM_HPP
