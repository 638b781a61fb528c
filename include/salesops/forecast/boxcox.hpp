// Box-Cox transform and its inverse with the optional bias adjustment, exactly as the R
// forecast package's BoxCox() / InvBoxCox(x, lambda, biasadj, fvar).
//
//   BoxCox(y)    = log(y)                    lambda == 0
//                = (y^lambda - 1) / lambda   otherwise
//   InvBoxCox(x) = exp(x)                    lambda == 0
//                = sign(z) |z|^(1/lambda),   z = lambda x + 1, otherwise
//                  (NaN where lambda < 0 and x > -1/lambda: R returns NA there)
//   biasadj:       InvBoxCox(x) * (1 + fvar (1 - lambda) / (2 InvBoxCox(x)^(2 lambda)))
//
// The bias adjustment turns the back-transformed median into the mean of the back-
// transformed forecast distribution (second-order Taylor expansion, Hyndman and
// Athanasopoulos, FPP3 section 5.6); fvar is the variance of the forecast on the
// transformed scale.
#ifndef SALESOPS_FORECAST_BOXCOX_HPP
#define SALESOPS_FORECAST_BOXCOX_HPP

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::forecast {

/// \brief Box-Cox transform of one value: log(y) for lambda == 0, (y^lambda - 1) / lambda
/// otherwise.
/// \throws salesops::not_finite for NaN or infinite y or lambda; salesops::negative_value
/// when y <= 0 (the transform is only a variance stabiliser for positive data; R would
/// silently return NaN or -Inf).
inline double box_cox(double y, double lambda, std::size_t row = no_row) {
  check_finite("forecast::box_cox", "lambda", lambda);
  check_positive("forecast::box_cox", "y", y, row);
  return lambda == 0.0 ? std::log(y) : (std::pow(y, lambda) - 1.0) / lambda;
}

/// \brief Box-Cox transform of a column (see the single-value overload).
/// \throws as box_cox(double, double), naming the row of the first bad value.
inline std::vector<double> box_cox(span<const double> y, double lambda) {
  std::vector<double> out(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = box_cox(y[i], lambda, i);
  return out;
}

/// \brief Inverse Box-Cox transform (the back-transformed median of a forecast), as R's
/// InvBoxCox(x, lambda): NaN, like R's NA, where lambda < 0 and x > -1/lambda (outside the
/// transform's range).
/// \throws salesops::not_finite for a NaN or infinite lambda.
inline double inv_box_cox(double x, double lambda) {
  check_finite("forecast::inv_box_cox", "lambda", lambda);
  if (lambda < 0 && x > -1.0 / lambda) return std::numeric_limits<double>::quiet_NaN();
  if (lambda == 0.0) return std::exp(x);
  const double z = x * lambda + 1.0;
  const double magnitude = std::pow(std::fabs(z), 1.0 / lambda);
  return z > 0 ? magnitude : (z < 0 ? -magnitude : 0.0);
}

/// \brief Bias-adjusted inverse Box-Cox (the back-transformed mean), as R's
/// InvBoxCox(x, lambda, biasadj = TRUE, fvar).
/// \param x forecast on the transformed scale.
/// \param lambda Box-Cox parameter.
/// \param fvar variance of the forecast on the transformed scale (>= 0).
/// \throws salesops::not_finite, salesops::negative_value for a negative fvar.
inline double inv_box_cox_biasadj(double x, double lambda, double fvar) {
  check_non_negative("forecast::inv_box_cox_biasadj", "fvar", fvar);
  const double out = inv_box_cox(x, lambda);
  return out * (1.0 + 0.5 * fvar * (1.0 - lambda) / std::pow(out, 2.0 * lambda));
}

} // namespace salesops::forecast

#endif // SALESOPS_FORECAST_BOXCOX_HPP
