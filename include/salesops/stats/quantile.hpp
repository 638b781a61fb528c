// Sample quantiles, R's default definition (Hyndman and Fan 1996, type 7, as in R's
// quantile(x, p) and NumPy's default): with the sorted values x_(1) <= ... <= x_(n),
// h = (n - 1) p, j = floor(h), g = h - j, Q(p) = (1 - g) x_(j+1) + g x_(j+2).
// Every module's median and percentiles come from here.
#ifndef SALESOPS_STATS_QUANTILE_HPP
#define SALESOPS_STATS_QUANTILE_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::stats {

/// \brief Result type of a quantile of T: T itself for floating point, double for integers.
template <class T>
using quantile_result_t = std::conditional_t<std::is_floating_point_v<T>, T, double>;

namespace detail {

// Type-7 interpolation between order statistics lo = x_(j+1) and hi = x_(j+2). R's form
// (1 - g) lo + g hi, skipped when lo == hi so equal values give that value exactly.
template <class Real> Real type7_interpolate(Real lo, Real hi, Real g) {
  if (g == Real(0) || lo == hi) return lo;
  return (Real(1) - g) * lo + g * hi;
}

// h = (n - 1) p split into its integer part j and fraction g.
template <class Real> void type7_position(std::size_t n, double p, std::size_t& j, Real& g) {
  const double h = static_cast<double>(n - 1) * p;
  const double j_floor = std::floor(h);
  j = static_cast<std::size_t>(j_floor);
  if (j >= n - 1) j = n - 1; // p == 1
  g = static_cast<Real>(h - j_floor);
}

template <class T> void check_quantile_input(const char* fn, span<const T> values, double p) {
  check_non_empty(fn, "values", values.size());
  check_probability(fn, "p", p);
  check_finite(fn, "values", values);
}

} // namespace detail

namespace detail {
// Type-7 quantile of validated, sorted, non-empty data.
template <class T> quantile_result_t<T> type7_sorted(span<const T> sorted, double p) {
  using Real = quantile_result_t<T>;
  std::size_t j = 0;
  Real g = 0;
  type7_position(sorted.size(), p, j, g);
  const Real lo = static_cast<Real>(sorted[j]);
  const Real hi = j + 1 < sorted.size() ? static_cast<Real>(sorted[j + 1]) : lo;
  return type7_interpolate(lo, hi, g);
}
} // namespace detail

/// \brief Type-7 quantile of values already sorted in non-decreasing order.
/// \param sorted the sample, non-decreasing (checked, O(n))
/// \param p probability in [0, 1]
/// \throws salesops::empty_input, salesops::out_of_range_value (p), salesops::not_finite
///         (a NaN or infinite value, naming its row), salesops::not_sorted.
template <class T> quantile_result_t<T> quantile_sorted(span<const T> sorted, double p) {
  detail::check_quantile_input("quantile_sorted", sorted, p);
  check_sorted("quantile_sorted", "sorted", sorted);
  return detail::type7_sorted(sorted, p);
}

/// \brief Type-7 quantile of unsorted values (R's quantile(x, p, type = 7)), in O(n): the
/// input is copied and partially ordered with std::nth_element, never modified.
/// \param values the sample, in any order
/// \param p probability in [0, 1]
/// \throws salesops::empty_input, salesops::out_of_range_value (p), salesops::not_finite
///         (NaN or infinite value, naming its row).
template <class T> quantile_result_t<T> quantile(span<const T> values, double p) {
  using Real = quantile_result_t<T>;
  detail::check_quantile_input("quantile", values, p);
  std::vector<Real> work(values.begin(), values.end());
  std::size_t j = 0;
  Real g = 0;
  detail::type7_position(work.size(), p, j, g);
  const auto nth = work.begin() + static_cast<std::ptrdiff_t>(j);
  std::nth_element(work.begin(), nth, work.end());
  const Real lo = *nth;
  // The next order statistic is the smallest element after the nth position.
  const Real hi = j + 1 < work.size() ? *std::min_element(nth + 1, work.end()) : lo;
  return detail::type7_interpolate(lo, hi, g);
}

/// \brief Median (type-7 quantile at 1/2: the mean of the two middle values for even n).
/// \throws salesops::empty_input, salesops::not_finite.
template <class T> quantile_result_t<T> median(span<const T> values) {
  return quantile(values, 0.5);
}

/// \brief Several type-7 quantiles of unsorted values with one sort (O(n log n)).
/// \param values the sample, in any order
/// \param probs probabilities in [0, 1], in any order; result[i] is the quantile at probs[i]
/// \throws salesops::empty_input, salesops::out_of_range_value naming the row of probs,
///         salesops::not_finite.
template <class T>
std::vector<quantile_result_t<T>> quantiles(span<const T> values, span<const double> probs) {
  using Real = quantile_result_t<T>;
  check_non_empty("quantiles", "values", values.size());
  check_probability("quantiles", "probs", probs);
  check_finite("quantiles", "values", values);
  std::vector<Real> work(values.begin(), values.end());
  std::sort(work.begin(), work.end());
  std::vector<Real> out;
  out.reserve(probs.size());
  for (double p : probs) out.push_back(detail::type7_sorted(span<const Real>(work), p));
  return out;
}

/// \brief quantile_sorted of any contiguous container (std::vector, std::array, Eigen).
template <class Container, class = std::enable_if_t<!std::is_arithmetic_v<Container>>>
auto quantile_sorted(const Container& sorted, double p) {
  return quantile_sorted(span<const typename Container::value_type>(
                             sorted.data(), static_cast<std::size_t>(sorted.size())),
                         p);
}

/// \brief quantile of any contiguous container (std::vector, std::array, Eigen vectors).
template <class Container, class = std::enable_if_t<!std::is_arithmetic_v<Container>>>
auto quantile(const Container& values, double p) {
  return quantile(span<const typename Container::value_type>(
                      values.data(), static_cast<std::size_t>(values.size())),
                  p);
}

/// \brief median of any contiguous container.
template <class Container, class = std::enable_if_t<!std::is_arithmetic_v<Container>>>
auto median(const Container& values) {
  return median(span<const typename Container::value_type>(
      values.data(), static_cast<std::size_t>(values.size())));
}

/// \brief quantiles of any contiguous container, probabilities in any contiguous container.
template <class Container, class Probs, class = std::enable_if_t<!std::is_arithmetic_v<Container>>>
auto quantiles(const Container& values, const Probs& probs) {
  return quantiles(span<const typename Container::value_type>(
                       values.data(), static_cast<std::size_t>(values.size())),
                   span<const double>(probs.data(), static_cast<std::size_t>(probs.size())));
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_QUANTILE_HPP
