// salesops error model: one hierarchy, one throw point.
//
// Bad input derives from std::invalid_argument, numerical trouble from std::domain_error,
// and every salesops exception also derives from salesops::error so callers can catch the
// library's failures in one place. Messages name the function, the argument, the row and
// the value, e.g. "funnel: timestamp at row 1042 is NaN" (the convention follows
// Boost.Math's policy errors, which always name the function and the offending value).
#ifndef SALESOPS_CORE_ERROR_HPP
#define SALESOPS_CORE_ERROR_HPP

#include <cstddef>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace salesops {

/// \brief Row index used when an error is not tied to one row.
inline constexpr std::size_t no_row = std::numeric_limits<std::size_t>::max();

/// \brief Common base of every salesops exception: where the error was found.
class error {
public:
  /// \brief The public function that rejected its input, e.g. "funnel".
  const std::string& function() const noexcept { return function_; }
  /// \brief The argument (or column) at fault, e.g. "timestamp".
  const std::string& argument() const noexcept { return argument_; }
  /// \brief The row index at fault, or salesops::no_row.
  std::size_t row() const noexcept { return row_; }
  /// \brief What is wrong, the message's text after the row (e.g. "is NaN"; may be empty).
  /// Callers that report errors in their own terms (a CSV's data rows counted from 1, a form
  /// field's label) rebuild the message from the four parts instead of parsing what().
  const std::string& detail() const noexcept { return detail_; }
  virtual ~error() = default;

protected:
  /// \brief Records where the error was found (used by the concrete exception types).
  error(std::string function, std::string argument, std::size_t row, std::string detail)
      : function_(std::move(function)), argument_(std::move(argument)), row_(row),
        detail_(std::move(detail)) {}

private:
  std::string function_;
  std::string argument_;
  std::size_t row_;
  std::string detail_;
};

/// \brief An argument has a value the function cannot accept.
class invalid_input : public std::invalid_argument, public error {
public:
  /// \brief Builds the exception; prefer SALESOPS_THROW, which formats the message.
  invalid_input(const std::string& message, std::string function, std::string argument,
                std::size_t row, std::string detail = {})
      : std::invalid_argument(message),
        error(std::move(function), std::move(argument), row, std::move(detail)) {}
};

/// \brief A value is NaN or infinite.
class not_finite : public invalid_input {
  using invalid_input::invalid_input;
};
/// \brief A value is negative (or zero where strictly positive is required).
class negative_value : public invalid_input {
  using invalid_input::invalid_input;
};
/// \brief Two columns that must have equal lengths do not.
class length_mismatch : public invalid_input {
  using invalid_input::invalid_input;
};
/// \brief A column that must be sorted is not.
class not_sorted : public invalid_input {
  using invalid_input::invalid_input;
};
/// \brief A value lies outside its allowed range or set (probability > 1, unknown stage...).
class out_of_range_value : public invalid_input {
  using invalid_input::invalid_input;
};
/// \brief An input that must hold at least one element (or enough rows) does not.
class empty_input : public invalid_input {
  using invalid_input::invalid_input;
};

/// \brief The computation cannot give a trustworthy answer for valid-looking input.
class numerical_error : public std::domain_error, public error {
public:
  /// \brief Builds the exception; prefer SALESOPS_THROW, which formats the message.
  numerical_error(const std::string& message, std::string function, std::string argument,
                  std::size_t row, std::string detail = {})
      : std::domain_error(message),
        error(std::move(function), std::move(argument), row, std::move(detail)) {}
};
/// \brief A design matrix is rank deficient under the documented tolerance.
class rank_deficient : public numerical_error {
  using numerical_error::numerical_error;
};
/// \brief An iterative method did not converge within its iteration limit.
class not_converged : public numerical_error {
  using numerical_error::numerical_error;
};

namespace detail {

template <class... Parts> std::string concat(const Parts&... parts) {
  std::ostringstream out;
  // Round-trip precision so the value in the message is the value that was rejected.
  out.precision(17);
  (out << ... << parts);
  return out.str();
}

template <class Error>
[[noreturn]] void throw_error(const char* function, const char* argument, std::size_t row,
                              const std::string& detail) {
  std::string message = std::string(function) + ": " + argument;
  if (row != no_row) message += " at row " + std::to_string(row);
  if (!detail.empty()) message += " " + detail;
  throw Error(message, function, argument, row, detail);
}

} // namespace detail
} // namespace salesops

/// \brief The one throw point of salesops.
///
/// `SALESOPS_THROW(not_finite, "funnel", "timestamp", 1042, "is NaN")` throws
/// salesops::not_finite with message "funnel: timestamp at row 1042 is NaN". Pass
/// salesops::no_row when no row applies; the trailing parts are streamed together.
#define SALESOPS_THROW(Error, function, argument, row, ...)                                    \
  ::salesops::detail::throw_error<::salesops::Error>(                                         \
      function, argument, row, ::salesops::detail::concat(__VA_ARGS__))

#endif // SALESOPS_CORE_ERROR_HPP
