// Huber M-estimation of a linear model by iteratively reweighted least squares, as R's
// MASS::rlm(y ~ X, psi = psi.huber, k = 1.345, scale.est = "MAD", method = "M"):
// start from least squares; each iteration sets the scale to median(|e|) / 0.6745 (MASS's
// constant; statsmodels RLM uses 0.674489..., a 1e-5 relative difference in the scale), the
// weights to min(1, k / |e / scale|), and refits by weighted least squares (forecast::fit, the
// accurate QR path), until sqrt(sum(delta e^2) / sum(e_old^2)) <= tolerance (MASS's
// "resid" convergence test). The default tolerance, 1e-10, is far tighter than MASS's 1e-4,
// so results are the converged fixed point (compare with rlm(..., acc = 1e-12)).
//
// Compile time: huber_fit is a function template with one unused, defaulted parameter, so that
// only translation units calling it instantiate the fit (see linear_model.hpp).
#ifndef SALESOPS_FORECAST_ROBUST_HPP
#define SALESOPS_FORECAST_ROBUST_HPP

#include <Eigen/Dense>

#include <cmath>
#include <cstddef>
#include <ostream>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/forecast/linear_model.hpp"
#include "salesops/stats/quantile.hpp"

namespace salesops::forecast {

/// \brief Options of huber_fit().
struct huber_options {
  double k = 1.345;            ///< Huber tuning constant (95 % efficiency at the normal)
  double tolerance = 1e-10;    ///< convergence threshold of the relative residual change
  std::size_t max_iterations = 200; ///< IRLS iteration limit
  bool intercept = true;       ///< fit an intercept
};

/// \brief A Huber M-estimate.
struct huber_model {
  Eigen::VectorXd coefficients; ///< estimates, intercept first
  Eigen::VectorXd residuals;    ///< y - fitted
  Eigen::VectorXd weights;      ///< final IRLS weights min(1, k / |e / scale|)
  double scale = 0;             ///< MAD scale median(|e|) / 0.6745 used in the last iteration
  std::size_t iterations = 0;   ///< IRLS iterations performed
  bool converged = false;       ///< the tolerance was met within max_iterations
};

/// \brief Prints the estimate, for debugging.
inline std::ostream& operator<<(std::ostream& out, const huber_model& m) {
  out << "huber_model{scale=" << m.scale << ", iterations=" << m.iterations
      << ", converged=" << (m.converged ? "true" : "false") << ", coef=[";
  for (Eigen::Index j = 0; j < m.coefficients.size(); ++j) out << (j ? ", " : "") << m.coefficients[j];
  return out << "]}";
}

/// \brief Huber robust regression of y on X by IRLS (see the file comment).
/// \throws as forecast::fit (bad X or y, rank deficiency); salesops::out_of_range_value for
///         k <= 0, tolerance <= 0 or max_iterations == 0. Non-convergence is reported in
///         `converged`, not thrown.
template <class = void>
huber_model huber_fit(const Eigen::Ref<const Eigen::MatrixXd>& X,
                      const Eigen::Ref<const Eigen::VectorXd>& y,
                      const huber_options& options = {}) {
  constexpr const char* fn = "forecast::huber_fit";
  check_positive(fn, "k", options.k);
  check_positive(fn, "tolerance", options.tolerance);
  if (options.max_iterations == 0)
    SALESOPS_THROW(out_of_range_value, fn, "max_iterations", no_row, "is 0");
  lm_options lm;
  lm.intercept = options.intercept;
  linear_model current = fit(X, y, lm);
  huber_model out;
  for (out.iterations = 1; out.iterations <= options.max_iterations; ++out.iterations) {
    const Eigen::VectorXd abs_e = current.residuals.cwiseAbs();
    out.scale = stats::median(span<const double>(abs_e.data(), static_cast<std::size_t>(abs_e.size()))) / 0.6745;
    if (!(out.scale > 0)) { // exact fit of more than half the rows: nothing to downweight
      out.converged = true;
      break;
    }
    lm.weights = (options.k * out.scale / current.residuals.array().abs()).min(1.0).matrix();
    linear_model next = fit(X, y, lm);
    const double change = (next.residuals - current.residuals).squaredNorm();
    const double base = std::max(1e-20, current.residuals.squaredNorm());
    current = std::move(next);
    if (std::sqrt(change / base) <= options.tolerance) {
      out.converged = true;
      break;
    }
  }
  if (out.iterations > options.max_iterations) out.iterations = options.max_iterations;
  out.coefficients = current.coefficients;
  out.residuals = current.residuals;
  out.weights = lm.weights.size() ? lm.weights : Eigen::VectorXd::Ones(y.size());
  return out;
}

} // namespace salesops::forecast

#endif // SALESOPS_FORECAST_ROBUST_HPP
