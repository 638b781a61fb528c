// Input validation shared by every module. Each check throws the typed salesops exception
// naming the function, the argument, the first offending row and its value; none of them
// clamps, drops or repairs anything.
#ifndef SALESOPS_CORE_VALIDATE_HPP
#define SALESOPS_CORE_VALIDATE_HPP

#include <cmath>
#include <cstddef>
#include <type_traits>

#include "salesops/core/error.hpp"
#include "salesops/core/span.hpp"

namespace salesops {

/// \brief True for a finite floating-point value; always true for integers.
template <class T> constexpr bool is_finite_value(T x) noexcept {
  if constexpr (std::is_floating_point_v<T>) {
    return std::isfinite(x);
  } else {
    return true;
  }
}

/// \brief Throws not_finite unless `x` (row `row` of `argument`) is finite.
template <class T>
void check_finite(const char* function, const char* argument, T x, std::size_t row = no_row) {
  if (!is_finite_value(x)) SALESOPS_THROW(not_finite, function, argument, row, "is ", x);
}

/// \brief Throws not_finite at the first NaN or infinite element of `values`.
template <class T>
void check_finite(const char* function, const char* argument, span<const T> values) {
  for (std::size_t i = 0; i < values.size(); ++i) check_finite(function, argument, values[i], i);
}

/// \brief Throws unless `x` is finite and >= 0.
template <class T>
void check_non_negative(const char* function, const char* argument, T x,
                        std::size_t row = no_row) {
  check_finite(function, argument, x, row);
  if (x < T(0)) SALESOPS_THROW(negative_value, function, argument, row, "is negative (", x, ")");
}

/// \brief Throws at the first element of `values` that is not finite and >= 0.
template <class T>
void check_non_negative(const char* function, const char* argument, span<const T> values) {
  for (std::size_t i = 0; i < values.size(); ++i)
    check_non_negative(function, argument, values[i], i);
}

/// \brief Throws unless `x` is finite and > 0.
template <class T>
void check_positive(const char* function, const char* argument, T x, std::size_t row = no_row) {
  check_finite(function, argument, x, row);
  if (!(x > T(0)))
    SALESOPS_THROW(negative_value, function, argument, row, "must be positive (is ", x, ")");
}

/// \brief Throws unless `lo <= x <= hi` (and x is finite).
template <class T>
void check_in_range(const char* function, const char* argument, T x, T lo, T hi,
                    std::size_t row = no_row) {
  check_finite(function, argument, x, row);
  if (x < lo || x > hi)
    SALESOPS_THROW(out_of_range_value, function, argument, row, "is ", x, ", outside [", lo,
                   ", ", hi, "]");
}

/// \brief Throws unless `p` is a probability in [0, 1].
template <class T>
void check_probability(const char* function, const char* argument, T p,
                       std::size_t row = no_row) {
  check_in_range(function, argument, p, T(0), T(1), row);
}

/// \brief Throws at the first element of `values` outside [0, 1].
template <class T>
void check_probability(const char* function, const char* argument, span<const T> values) {
  for (std::size_t i = 0; i < values.size(); ++i)
    check_probability(function, argument, values[i], i);
}

/// \brief Throws length_mismatch unless `size_a == size_b`.
inline void check_equal_lengths(const char* function, const char* argument_a, std::size_t size_a,
                                const char* argument_b, std::size_t size_b) {
  if (size_a != size_b)
    SALESOPS_THROW(length_mismatch, function, argument_b, no_row, "has ", size_b,
                   " rows but ", argument_a, " has ", size_a);
}

/// \brief Throws empty_input when `size == 0`.
inline void check_non_empty(const char* function, const char* argument, std::size_t size) {
  if (size == 0) SALESOPS_THROW(empty_input, function, argument, no_row, "is empty");
}

/// \brief Throws not_sorted at the first row that is smaller than its predecessor.
template <class T>
void check_sorted(const char* function, const char* argument, span<const T> values) {
  for (std::size_t i = 1; i < values.size(); ++i)
    if (values[i] < values[i - 1])
      SALESOPS_THROW(not_sorted, function, argument, i, "is ", values[i],
                     ", smaller than the previous row (", values[i - 1], ")");
}

/// \brief True when `values` is non-decreasing (no exception).
template <class T> bool is_sorted_column(span<const T> values) noexcept {
  for (std::size_t i = 1; i < values.size(); ++i)
    if (values[i] < values[i - 1]) return false;
  return true;
}

} // namespace salesops

#endif // SALESOPS_CORE_VALIDATE_HPP
