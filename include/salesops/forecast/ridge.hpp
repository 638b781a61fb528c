// Ridge regression on standardised predictors with an unpenalised intercept, as R's
// MASS::lm.ridge: columns are centred and divided by their root mean square
// sqrt(sum (x - mean)^2 / n) (lm.ridge's `scales`), y is centred, and the penalised problem
// min |y_c - Z a|^2 + lambda |a|^2 is solved through the thin SVD Z = U D V'
// (a = V diag(d / (d^2 + lambda)) U'y_c), so any lambda costs O(np) after one SVD.
// The SVD is Eigen's one-sided Jacobi SVD with its default column-pivoting QR
// preconditioner: the QR reduces the tall n x p design to a p x p triangle whose SVD gives
// the same singular values and vectors. For p < 16 this is exactly the computation
// Eigen::BDCSVD runs (it hands small problems to that JacobiSVD), and for larger p it is at
// least as accurate; BDCSVD's divide-and-conquer code only pays for p in the hundreds and
// cost every caller ~15 s of compile time.
// The penalty lambda can be given or chosen by minimising
//  * GCV(lambda) = RSS / (n - df)^2, df = sum d^2 / (d^2 + lambda) (lm.ridge's GCV column), or
//  * leave-one-out CV = mean((e_i / (1 - h_ii))^2), h_ii = 1/n + sum_k U_ik^2 d_k^2/(d_k^2+lambda),
// over a log grid lambda = n 10^t, t in [-10, 4] (141 points), refined by golden-section
// search in log lambda between the grid neighbours of the best point (relative tolerance 1e-8).
//
// Compile time: ridge_fit and the path's evaluation are function templates with one unused,
// defaulted parameter, so that only translation units calling them instantiate the SVD (see
// linear_model.hpp).
#ifndef SALESOPS_FORECAST_RIDGE_HPP
#define SALESOPS_FORECAST_RIDGE_HPP

#include <Eigen/Dense>

#include <cmath>
#include <cstddef>
#include <limits>
#include <ostream>

#include "salesops/core/error.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::forecast {

/// \brief How ridge_fit() chooses lambda when none is given.
enum class ridge_criterion {
  gcv,          ///< generalised cross-validation (default)
  leave_one_out ///< exact leave-one-out prediction error via the hat values
};

/// \brief Options of ridge_fit().
struct ridge_options {
  double lambda = -1; ///< penalty >= 0 on the standardised scale; negative: choose it
  ridge_criterion criterion = ridge_criterion::gcv; ///< criterion used to choose lambda
};

/// \brief A ridge fit.
struct ridge_model {
  Eigen::VectorXd coefficients; ///< intercept first, then one per column (original units)
  Eigen::VectorXd fitted;       ///< fitted values
  Eigen::VectorXd residuals;    ///< y - fitted
  double lambda = 0;            ///< penalty used (standardised scale, as lm.ridge)
  double df = 0;                ///< effective degrees of freedom of the slopes, trace of the smoother
  double gcv = 0;               ///< RSS / (n - df)^2 at lambda
  double loo_cv = 0;            ///< mean squared leave-one-out error at lambda
  bool chosen = false;          ///< lambda was chosen by the criterion
};

/// \brief Prints the fit, for debugging.
inline std::ostream& operator<<(std::ostream& out, const ridge_model& m) {
  out << "ridge_model{lambda=" << m.lambda << ", df=" << m.df << ", gcv=" << m.gcv
      << ", loo_cv=" << m.loo_cv << ", coef=[";
  for (Eigen::Index j = 0; j < m.coefficients.size(); ++j) out << (j ? ", " : "") << m.coefficients[j];
  return out << "]}";
}

/// \brief Ridge regression of y on X (see the file comment).
/// \throws salesops::length_mismatch, salesops::not_finite (naming row and column),
///         salesops::empty_input when n < 2, salesops::rank_deficient naming a constant
///         column (it cannot be standardised), salesops::negative_value for a NaN lambda.
template <class = void>
ridge_model ridge_fit(const Eigen::Ref<const Eigen::MatrixXd>& X,
                      const Eigen::Ref<const Eigen::VectorXd>& y, const ridge_options& options = {});

namespace detail {

struct ridge_path {
  Eigen::MatrixXd U;
  Eigen::VectorXd d, uty, center, scale;
  Eigen::MatrixXd V;
  double y_mean = 0;
  Eigen::VectorXd yc;

  // Slopes on the standardised scale, residuals and criteria at lambda.
  template <class = void>
  void evaluate(double lambda, Eigen::VectorXd& a, Eigen::VectorXd& e, double& df, double& gcv,
                double& loo) const {
    const Eigen::ArrayXd d2 = d.array().square();
    const Eigen::ArrayXd shrink = d2 / (d2 + lambda);
    a = V * (d.array() / (d2 + lambda) * uty.array()).matrix();
    e = yc - U * (shrink * uty.array()).matrix();
    const double n = static_cast<double>(yc.size());
    df = shrink.sum();
    gcv = e.squaredNorm() / ((n - df) * (n - df));
    const Eigen::VectorXd h = (U.array().square().rowwise() * shrink.transpose()).rowwise().sum() + 1 / n;
    loo = (e.array() / (1 - h.array())).square().mean();
  }

  template <class = void>
  double criterion(double lambda, ridge_criterion c) const {
    Eigen::VectorXd a, e;
    double df = 0, gcv = 0, loo = 0;
    evaluate(lambda, a, e, df, gcv, loo);
    return c == ridge_criterion::gcv ? gcv : loo;
  }
};

} // namespace detail

template <class>
ridge_model ridge_fit(const Eigen::Ref<const Eigen::MatrixXd>& X,
                      const Eigen::Ref<const Eigen::VectorXd>& y, const ridge_options& options) {
  constexpr const char* fn = "forecast::ridge_fit";
  const Eigen::Index n = X.rows(), p = X.cols();
  check_equal_lengths(fn, "X", static_cast<std::size_t>(n), "y", static_cast<std::size_t>(y.size()));
  if (n < 2) SALESOPS_THROW(empty_input, fn, "X", no_row, "has ", n, " rows, need at least 2");
  for (Eigen::Index j = 0; j < p; ++j)
    for (Eigen::Index i = 0; i < n; ++i)
      if (!std::isfinite(X(i, j)))
        SALESOPS_THROW(not_finite, fn, "X", static_cast<std::size_t>(i), "column ", j, " is ", X(i, j));
  for (Eigen::Index i = 0; i < n; ++i) check_finite(fn, "y", y[i], static_cast<std::size_t>(i));
  if (std::isnan(options.lambda)) SALESOPS_THROW(negative_value, fn, "lambda", no_row, "is NaN");

  detail::ridge_path path;
  path.center = X.colwise().mean().transpose();
  Eigen::MatrixXd Z = X.rowwise() - path.center.transpose();
  path.scale = (Z.colwise().squaredNorm() / static_cast<double>(n)).cwiseSqrt().transpose();
  for (Eigen::Index j = 0; j < p; ++j) {
    if (!(path.scale[j] > 0))
      SALESOPS_THROW(rank_deficient, fn, "X", no_row, "column ", j, " is constant (", X(0, j),
                     "): it cannot be standardised");
    Z.col(j) /= path.scale[j];
  }
  path.y_mean = y.mean();
  path.yc = y.array() - path.y_mean;
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(Z, Eigen::ComputeThinU | Eigen::ComputeThinV);
  path.U = svd.matrixU();
  path.V = svd.matrixV();
  path.d = svd.singularValues();
  path.uty = path.U.transpose() * path.yc;

  ridge_model m;
  if (options.lambda >= 0) {
    m.lambda = options.lambda;
  } else {
    m.chosen = true;
    const double dn = static_cast<double>(n);
    int best = 0;
    double best_value = std::numeric_limits<double>::infinity();
    for (int t = 0; t <= 140; ++t) {
      const double value = path.criterion(dn * std::pow(10.0, -10 + 0.1 * t), options.criterion);
      if (value < best_value) {
        best_value = value;
        best = t;
      }
    }
    // Golden-section search in log10(lambda) on the bracket around the best grid point.
    double lo = -10 + 0.1 * (best - 1), hi = -10 + 0.1 * (best + 1);
    const double g = (std::sqrt(5.0) - 1) / 2;
    auto f = [&](double t) { return path.criterion(dn * std::pow(10.0, t), options.criterion); };
    double c = hi - g * (hi - lo), d = lo + g * (hi - lo);
    double fc = f(c), fd = f(d);
    while (hi - lo > 1e-8) {
      if (fc < fd) {
        hi = d;
        d = c;
        fd = fc;
        c = hi - g * (hi - lo);
        fc = f(c);
      } else {
        lo = c;
        c = d;
        fc = fd;
        d = lo + g * (hi - lo);
        fd = f(d);
      }
    }
    const double t_best = (lo + hi) / 2;
    m.lambda = f(t_best) <= best_value ? dn * std::pow(10.0, t_best)
                                       : dn * std::pow(10.0, -10 + 0.1 * best);
  }
  Eigen::VectorXd a, e;
  path.evaluate(m.lambda, a, e, m.df, m.gcv, m.loo_cv);
  m.coefficients.resize(p + 1);
  m.coefficients.tail(p) = a.cwiseQuotient(path.scale);
  m.coefficients[0] = path.y_mean - path.center.dot(m.coefficients.tail(p));
  m.residuals = e;
  m.fitted = y - e;
  return m;
}

} // namespace salesops::forecast

#endif // SALESOPS_FORECAST_RIDGE_HPP
