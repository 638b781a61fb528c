// Linear quantile regression (Koenker and Bassett 1978): b minimises
// sum_i rho_tau(y_i - x_i'b), rho_tau(u) = u (tau - 1{u < 0}), as quantreg::rq(method = "br")
// and statsmodels QuantReg. Solved exactly, as a linear programme, by an exterior-point
// simplex over "basic" solutions that interpolate p observations (the LP optimum is such a
// vertex; Koenker 2005, section 6.2, the Barrodale-Roberts idea):
//  1. start from the p rows with the smallest least-squares residuals that are linearly
//     independent; b interpolates them;
//  2. optimality test (Koenker 2005, theorem 2.1): with g = sum over non-basic rows of
//     psi_tau(r_i) x_i and v = -X_h^-T g, b is optimal iff every v_j lies in [tau - 1, tau]
//     (to 1e-9 relative);
//  3. otherwise leave basic row j along the edge with negative directional derivative and do
//     an exact line search (a weighted median over the breakpoints r_i / x_i'd), which brings
//     in the row where the slope turns non-negative; repeat.
// The objective decreases at every step, so the loop ends at the exact optimum; `optimal`
// reports the certificate and `iterations` the simplex steps. Cost per step O(n p + p^3).
// P10/P50/P90 forecasts: fit tau = 0.1, 0.5, 0.9 and call predict.
//
// Compile time: quantile_fit and quantile_model::predict are function templates with one
// unused, defaulted parameter, so that only translation units calling them instantiate the LU
// factorisations and the fit (see linear_model.hpp).
#ifndef SALESOPS_FORECAST_QUANTILE_REGRESSION_HPP
#define SALESOPS_FORECAST_QUANTILE_REGRESSION_HPP

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <ostream>
#include <utility>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/forecast/linear_model.hpp"

namespace salesops::forecast {

/// \brief A quantile-regression fit at one tau.
struct quantile_model {
  double tau = 0.5;              ///< quantile level in (0, 1)
  bool intercept = true;         ///< whether an intercept was fitted
  Eigen::VectorXd coefficients;  ///< estimates, intercept first
  Eigen::VectorXd residuals;     ///< y - X b
  double objective = 0;          ///< sum rho_tau(residuals), the minimised check loss
  std::vector<Eigen::Index> basis; ///< the p rows the solution interpolates
  std::size_t iterations = 0;    ///< simplex steps from the starting vertex
  bool optimal = false;          ///< the optimality certificate holds

  /// \brief Fitted tau-quantiles x0'b for new rows (one column per predictor).
  /// \throws salesops::length_mismatch when X_new has the wrong number of columns.
  template <class = void>
  Eigen::VectorXd predict(const Eigen::Ref<const Eigen::MatrixXd>& X_new) const {
    const Eigen::Index off = intercept ? 1 : 0;
    check_equal_lengths("quantile_model::predict", "coefficients (predictors)",
                        static_cast<std::size_t>(coefficients.size() - off), "X_new columns",
                        static_cast<std::size_t>(X_new.cols()));
    Eigen::VectorXd out = X_new * coefficients.tail(X_new.cols());
    if (intercept) out.array() += coefficients[0];
    return out;
  }
};

/// \brief Prints the fit, for debugging.
inline std::ostream& operator<<(std::ostream& out, const quantile_model& m) {
  out << "quantile_model{tau=" << m.tau << ", objective=" << m.objective
      << ", iterations=" << m.iterations << ", optimal=" << (m.optimal ? "true" : "false")
      << ", coef=[";
  for (Eigen::Index j = 0; j < m.coefficients.size(); ++j) out << (j ? ", " : "") << m.coefficients[j];
  return out << "]}";
}

/// \brief Exact linear quantile regression of y on X at level tau (see the file comment).
/// \throws salesops::out_of_range_value when tau is outside (0, 1); as forecast::fit for bad
///         X or y (and rank deficiency); salesops::not_converged if the simplex exceeds
///         100 n steps (cycling on degenerate data).
template <class = void>
quantile_model quantile_fit(const Eigen::Ref<const Eigen::MatrixXd>& X,
                            const Eigen::Ref<const Eigen::VectorXd>& y, double tau,
                            bool intercept = true);

template <class>
quantile_model quantile_fit(const Eigen::Ref<const Eigen::MatrixXd>& X,
                            const Eigen::Ref<const Eigen::VectorXd>& y, double tau,
                            bool intercept) {
  constexpr const char* fn = "forecast::quantile_fit";
  if (!(tau > 0 && tau < 1))
    SALESOPS_THROW(out_of_range_value, fn, "tau", no_row, "is ", tau, ", outside (0, 1)");
  lm_options lm;
  lm.intercept = intercept;
  const linear_model ls = fit(X, y, lm); // validates X and y, rejects rank deficiency
  const Eigen::Index n = X.rows(), off = intercept ? 1 : 0, p = X.cols() + off;
  Eigen::MatrixXd A(n, p); // design with the intercept column
  if (intercept) A.col(0).setOnes();
  A.rightCols(X.cols()) = X;

  // 1. Starting basis: smallest |LS residual| first, skipping dependent rows.
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    return std::abs(ls.residuals[a]) < std::abs(ls.residuals[b]);
  });
  quantile_model m;
  m.tau = tau;
  m.intercept = intercept;
  Eigen::MatrixXd rows(0, p);
  for (Eigen::Index i : order) {
    Eigen::MatrixXd trial(rows.rows() + 1, p);
    trial << rows, A.row(i);
    if (Eigen::FullPivLU<Eigen::MatrixXd>(trial).rank() == trial.rows()) {
      rows = std::move(trial);
      m.basis.push_back(i);
      if (rows.rows() == p) break;
    }
  }
  std::vector<bool> in_basis(static_cast<std::size_t>(n), false);
  for (Eigen::Index i : m.basis) in_basis[static_cast<std::size_t>(i)] = true;
  const double y_scale = std::max(1.0, y.cwiseAbs().maxCoeff());

  Eigen::VectorXd b;
  const std::size_t max_steps = 100 * static_cast<std::size_t>(n);
  for (;;) {
    Eigen::MatrixXd Xh(p, p);
    Eigen::VectorXd yh(p);
    for (Eigen::Index k = 0; k < p; ++k) {
      Xh.row(k) = A.row(m.basis[static_cast<std::size_t>(k)]);
      yh[k] = y[m.basis[static_cast<std::size_t>(k)]];
    }
    const Eigen::PartialPivLU<Eigen::MatrixXd> lu(Xh);
    b = lu.solve(yh);
    const Eigen::VectorXd r = y - A * b;
    // 2. Optimality certificate.
    Eigen::VectorXd g = Eigen::VectorXd::Zero(p);
    for (Eigen::Index i = 0; i < n; ++i)
      if (!in_basis[static_cast<std::size_t>(i)]) g += (tau - (r[i] < 0 ? 1.0 : 0.0)) * A.row(i).transpose();
    const Eigen::VectorXd v = -Xh.transpose().partialPivLu().solve(g);
    constexpr double eps = 1e-9;
    Eigen::Index leave = -1;
    double sigma = 0, slope = 0;
    for (Eigen::Index j = 0; j < p; ++j) {
      if (v[j] < tau - 1 - eps && v[j] + 1 - tau < slope) {
        leave = j, sigma = 1, slope = v[j] + 1 - tau;
      } else if (v[j] > tau + eps && tau - v[j] < slope) {
        leave = j, sigma = -1, slope = tau - v[j];
      }
    }
    if (leave < 0) {
      m.optimal = true;
      m.residuals = r;
      break;
    }
    if (m.iterations >= max_steps)
      SALESOPS_THROW(not_converged, fn, "y", no_row, "simplex did not terminate in ", max_steps,
                     " steps (degenerate data?)");
    ++m.iterations;
    // 3. Edge direction: basic row `leave` moves by sigma t, the other basic rows stay exact.
    Eigen::VectorXd unit = Eigen::VectorXd::Zero(p);
    unit[leave] = sigma;
    const Eigen::VectorXd d = lu.solve(unit);
    const Eigen::VectorXd ad = A * d;
    // Breakpoints t_i = r_i / (x_i'd) > 0; the slope rises by |x_i'd| at each.
    std::vector<std::pair<double, Eigen::Index>> breaks;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (in_basis[static_cast<std::size_t>(i)] || std::abs(ad[i]) < 1e-14) continue;
      const double t = r[i] / ad[i];
      if (t > -1e-12 * y_scale) breaks.emplace_back(std::max(t, 0.0), i);
    }
    std::sort(breaks.begin(), breaks.end());
    Eigen::Index enter = -1;
    for (const auto& br : breaks) {
      slope += std::abs(ad[br.second]);
      if (slope >= 0) {
        enter = br.second;
        break;
      }
    }
    if (enter < 0)
      SALESOPS_THROW(not_converged, fn, "y", no_row, "objective unbounded along an edge");
    in_basis[static_cast<std::size_t>(m.basis[static_cast<std::size_t>(leave)])] = false;
    in_basis[static_cast<std::size_t>(enter)] = true;
    m.basis[static_cast<std::size_t>(leave)] = enter;
  }
  m.coefficients = b;
  m.objective = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    m.objective += m.residuals[i] * (tau - (m.residuals[i] < 0 ? 1.0 : 0.0));
  return m;
}

} // namespace salesops::forecast

#endif // SALESOPS_FORECAST_QUANTILE_REGRESSION_HPP
