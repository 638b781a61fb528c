// Linear least squares (OLS and WLS) with certified accuracy: the engine behind every
// regression in salesops. Reference: R's lm() (coefficients, NA for aliased columns,
// cov.unscaled = (X'WX)^-1 of summary.lm, residuals, sigma, df) and predict.lm's se.fit.
//
// Numerics of the default solver (lm_solver::householder_qr):
//  1. Weighted centring: each predictor column j is centred at its weighted mean m_j
//     (accumulated in long double) when the model has an intercept. The intercept column is
//     then orthogonal to every centred column, so it never enters the factorisation and its
//     estimate is the weighted mean of y.
//  2. Scaling: each centred, sqrt(w)-weighted column is divided by its 2-norm s_j, so the
//     factorised matrix Z has unit-norm columns (equilibration; the LRE of the solution no
//     longer depends on the units of X). s_j is computed on the column pre-scaled by a power
//     of two (exact), so its squares stay in double's range even where long double is plain
//     double (MSVC, ARM64 macOS) and |x| passes 1e154 or drops below 1e-154.
//  3. Unpivoted Householder QR of Z in place (Eigen::HouseholderQR, blocked), Q'y applied as
//     a Householder sequence. X'X is never formed.
//  4. Rank test, explicit and documented: since Z's columns have unit norm, |R_jj| is the
//     norm of column j's component orthogonal to the intercept and the preceding kept
//     columns (the sine of its angle to their span). Column j is aliased when
//     |R_jj| <= lm_options::rank_tolerance (default 1e-7, R's lm tol, but applied to the
//     centred and scaled design, which is why it does not drop a term of NIST Filip).
//     Columns are tested in order, as R's dqrdc2 does, so a later column that duplicates an
//     earlier one is the aliased one. rank_policy::error throws salesops::rank_deficient
//     naming the column; rank_policy::drop removes it and refactorises the rest (R's NA).
//  5. Back-transformation: coefficients b_j = a_j / s_j, intercept = ybar - sum m_j b_j;
//     the covariance (X'WX)^-1 is mapped with the same linear map from R^-1 R^-T, exactly
//     (no second factorisation), dividing by one s_j at a time, and the standard errors are
//     sigma sqrt((R^-1 R^-T)_jj) / s_j: a product s_j s_k or a variance 1 / s_j^2 leaves
//     double's range once |x| passes about 1e154, while the coefficient and its standard
//     error scale with 1 / x far beyond (a column of 1e200 x gives x's results times
//     1e-200). Residuals are computed in centred form, (y - ybar) - sum_j (x_j - m_j) b_j,
//     which avoids the cancellation of a large intercept.
//  6. condition_number is the 2-norm condition number of Z (the centred, weighted,
//     unit-norm design the solver factorised), i.e. sigma_max(R) / sigma_min(R).
//
// Polynomials (fit_polynomial): x is mapped to z = (x - c) / s with c the midrange and s the
// half range (so z lies in [-1, 1]) BEFORE powers are taken; the model is fitted on
// z, ..., z^D and the coefficients and covariance are mapped to the x, ..., x^D basis by the
// binomial expansion in long double. On NIST Filip this gives >= 12 correct digits where a
// QR of the raw powers gives about 7.
//
// The opt-in fast path lm_solver::normal_equations forms the Gram matrix Z'Z of the same
// centred and scaled design and uses its Cholesky factor as R. It squares the condition
// number (about half the correct digits on ill-conditioned designs); use it only for
// well-conditioned designs where speed matters.
//
// Compile time: functions whose bodies instantiate Eigen decompositions or products (fit,
// fit_polynomial, the factorisation behind them, linear_model::predict, factor_rows and
// hat_values) are function templates with one unused, defaulted parameter,
// `template <class = void>`. Callers write fit(X, y) as before, and a translation unit that
// includes this header without calling them instantiates none of HouseholderQR, LLT, JacobiSVD
// or the matrix products (measured: docs/benchmarks.md, "Compile time").
#ifndef SALESOPS_FORECAST_LINEAR_MODEL_HPP
#define SALESOPS_FORECAST_LINEAR_MODEL_HPP

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <ostream>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/scale.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::forecast {

/// \brief What fit() does when a column is aliased (numerically a combination of others).
enum class rank_policy {
  error, ///< throw salesops::rank_deficient naming the first aliased column (default)
  drop   ///< drop aliased columns as R's lm does: their coefficients are NaN (R's NA)
};

/// \brief Linear solver behind fit().
enum class lm_solver {
  householder_qr,  ///< centred, scaled Householder QR (default, accurate)
  normal_equations ///< Cholesky of the centred, scaled Gram matrix (opt-in, faster, fewer digits)
};

/// \brief Options of fit() and fit_polynomial().
struct lm_options {
  bool intercept = true;        ///< fit an intercept (X must not contain a column of ones)
  double rank_tolerance = 1e-7; ///< column j is aliased when |R_jj| <= this (unit-norm columns)
  rank_policy on_rank_deficiency = rank_policy::error; ///< error (default) or drop as R does
  lm_solver solver = lm_solver::householder_qr;        ///< accurate default or normal equations
  Eigen::VectorXd weights; ///< WLS weights >= 0, one per row; empty means OLS (all 1)
};

/// \brief Predictions for new rows, as R's predict.lm(..., se.fit = TRUE).
struct prediction {
  Eigen::VectorXd mean;    ///< fitted mean x0'b for each new row
  Eigen::VectorXd se_mean; ///< standard error of the mean, sigma * sqrt(x0'(X'WX)^-1 x0)
  double residual_sd = 0;  ///< sigma of the model (residual standard error)
  double df_residual = 0;  ///< residual degrees of freedom (for Student t quantiles)

  /// \brief Standard error of a new observation with weight 1: sqrt(se_mean^2 + sigma^2).
  Eigen::VectorXd se_observation() const {
    return (se_mean.array().square() + residual_sd * residual_sd).sqrt().matrix();
  }
};

/// \brief Prints the predictions, for debugging.
inline std::ostream& operator<<(std::ostream& out, const prediction& p) {
  out << "prediction{residual_sd=" << p.residual_sd << ", df=" << p.df_residual << ", rows=[";
  for (Eigen::Index i = 0; i < p.mean.size(); ++i)
    out << (i ? ", " : "") << p.mean[i] << " (se " << p.se_mean[i] << ")";
  return out << "]}";
}

/// \brief The factorisation a fit keeps for prediction and diagnostics (factor space).
///
/// Row x of the design maps to the factor-space row u_j = (x_j - center_j) / scale_j over
/// the kept columns (after the polynomial map z = (x - poly_center) / poly_scale and
/// powers, for polynomial models). Hat values, leverages and prediction variances are
/// computed from u and r_inverse without ever forming X'X.
struct lm_factorization {
  Eigen::VectorXd center;         ///< per design column: weighted mean (0 without intercept)
  Eigen::VectorXd scale;          ///< per design column: norm of the centred weighted column
  std::vector<Eigen::Index> kept; ///< design columns kept (not aliased), in order
  Eigen::MatrixXd r_inverse;      ///< R^-1 of the kept scaled columns (upper triangular)
  Eigen::VectorXd slope;          ///< coefficients of the kept design columns (design units)
  double y_center = 0;            ///< weighted mean of y (0 without intercept)
  double sum_weights = 0;         ///< sum of the weights (n for OLS)
  int poly_degree = 0;            ///< D > 0 for fit_polynomial models (design = z^1..z^D)
  double poly_center = 0;         ///< c of z = (x - c) / s for polynomial models
  double poly_scale = 1;          ///< s of z = (x - c) / s for polynomial models
  /// Map from the coefficients of the factorised design (intercept, z^1..z^D) to the reported
  /// ones (intercept, x^1..x^D) for polynomial models; empty (identity) otherwise.
  Eigen::MatrixXd coefficient_map;
};

/// \brief Prints "error" or "drop".
inline std::ostream& operator<<(std::ostream& out, rank_policy policy) {
  return out << (policy == rank_policy::drop ? "drop" : "error");
}

/// \brief Prints "householder_qr" or "normal_equations".
inline std::ostream& operator<<(std::ostream& out, lm_solver solver) {
  return out << (solver == lm_solver::normal_equations ? "normal_equations" : "householder_qr");
}

/// \brief Prints the options (the weights by count only), for debugging.
inline std::ostream& operator<<(std::ostream& out, const lm_options& o) {
  return out << "lm_options{intercept=" << (o.intercept ? "true" : "false")
             << ", rank_tolerance=" << o.rank_tolerance
             << ", on_rank_deficiency=" << o.on_rank_deficiency << ", solver=" << o.solver
             << ", weights=" << o.weights.size() << "}";
}

/// \brief Prints the factor-space state (kept columns, scaling, polynomial map), for debugging.
inline std::ostream& operator<<(std::ostream& out, const lm_factorization& f) {
  out << "lm_factorization{kept=[";
  for (std::size_t j = 0; j < f.kept.size(); ++j) out << (j ? ", " : "") << f.kept[j];
  out << "], scale=[";
  for (Eigen::Index j = 0; j < f.scale.size(); ++j) out << (j ? ", " : "") << f.scale[j];
  out << "], y_center=" << f.y_center << ", sum_weights=" << f.sum_weights;
  if (f.poly_degree > 0)
    out << ", poly_degree=" << f.poly_degree << ", poly_center=" << f.poly_center
        << ", poly_scale=" << f.poly_scale;
  return out << "}";
}

/// \brief A fitted linear model, as R's lm object plus summary.lm's cov.unscaled.
///
/// Coefficient vectors have the intercept first (when fitted), then one entry per column of
/// X in order. Aliased columns (rank_policy::drop) have NaN coefficient, standard error and
/// covariance row/column, as R's NA, and are flagged in `aliased`.
struct linear_model {
  Eigen::VectorXd coefficients; ///< estimates, intercept first
  Eigen::VectorXd std_errors;   ///< sigma * sqrt(diag(cov_unscaled)), from the factor
  /// (X'WX)^-1 including the intercept (R's cov.unscaled). An entry outside double's range
  /// (the variance of the slope of a predictor beyond about 1e154 in magnitude) underflows
  /// or overflows; std_errors are computed from the factor and do not.
  Eigen::MatrixXd cov_unscaled;
  Eigen::VectorXd residuals; ///< y - fitted (unweighted, as R's residuals())
  Eigen::VectorXd fitted;    ///< fitted values
  Eigen::VectorXd weights;   ///< the weights used (empty for OLS)
  double rss = 0;            ///< weighted residual sum of squares
  double tss = 0;    ///< weighted total SS about the weighted mean (about 0 without intercept)
  double sigma = 0;  ///< residual standard error sqrt(rss / df_residual)
  std::size_t n = 0; ///< observations with non-zero weight
  std::size_t df_residual = 0; ///< n - rank
  std::size_t rank = 0;        ///< number of estimated coefficients, intercept included
  bool intercept = true;       ///< whether an intercept was fitted
  std::vector<bool> aliased;   ///< per coefficient: dropped as aliased
  double condition_number = 1; ///< 2-norm condition number of the factorised (scaled) design
  lm_factorization factor;     ///< factor-space state for prediction and diagnostics

  /// \brief Number of coefficients (intercept included), aliased or not.
  Eigen::Index coefficient_count() const { return coefficients.size(); }

  /// \brief Rows of the kept, centred, scaled design (factor space) for a design X.
  /// \param X rows with one column per predictor (for polynomial models: x, or x..x^D).
  template <class = void>
  Eigen::MatrixXd factor_rows(const Eigen::Ref<const Eigen::MatrixXd>& X) const;

  /// \brief Means and standard errors of the mean for new rows, as R's predict.lm se.fit.
  /// \param X_new one column per predictor, intercept excluded (for polynomial models, one
  ///        column x or the D columns x..x^D, of which only the first is used).
  /// \throws salesops::length_mismatch when X_new has the wrong number of columns.
  /// \throws salesops::not_finite naming the row of a NaN or infinite value.
  template <class = void> prediction predict(const Eigen::Ref<const Eigen::MatrixXd>& X_new) const;

  /// \brief Leverages (diagonal of the weighted hat matrix) of the rows of the design X it
  /// was fitted on, from the factor space: h_i = w_i (1/sum w + |R^-T u_i|^2); O(n p^2),
  /// the n x n hat matrix is never formed.
  template <class = void>
  Eigen::VectorXd hat_values(const Eigen::Ref<const Eigen::MatrixXd>& X) const;
};

/// \brief Prints the model (coefficients, standard errors, sigma, rank), for debugging.
inline std::ostream& operator<<(std::ostream& out, const linear_model& m) {
  out << "linear_model{n=" << m.n << ", rank=" << m.rank << ", df=" << m.df_residual
      << ", sigma=" << m.sigma << ", condition=" << m.condition_number << ", coef=[";
  for (Eigen::Index j = 0; j < m.coefficients.size(); ++j)
    out << (j ? ", " : "") << m.coefficients[j] << " (" << m.std_errors[j] << ")";
  return out << "]}";
}

/// \brief Fits y = b0 + X b by (weighted) least squares.
/// \param X n x p predictors, without the intercept column (see lm_options::intercept).
/// \param y n responses.
/// \param options intercept, rank tolerance and policy, solver, weights.
/// \throws salesops::length_mismatch when y or the weights do not have X's row count.
/// \throws salesops::not_finite naming the row and column of a NaN or infinite value.
/// \throws salesops::negative_value naming the row of a negative weight.
/// \throws salesops::empty_input when all weights are zero or there are not more
///         observations (non-zero weights) than coefficients.
/// \throws salesops::rank_deficient naming the first aliased column (e.g. a constant column
///         with an intercept) under rank_policy::error.
/// \throws salesops::numerical_error naming the column when a coefficient or standard error
///         is beyond double's range (a predictor on a subnormal scale, about 1e-310).
template <class = void>
linear_model fit(const Eigen::Ref<const Eigen::MatrixXd>& X,
                 const Eigen::Ref<const Eigen::VectorXd>& y, const lm_options& options = {});

/// \brief Fits y = b0 + b1 x + ... + bD x^D in a rescaled basis (see the file comment) and
/// reports coefficients and covariance in the x^k basis.
/// \param x n values of the single predictor.
/// \param y n responses.
/// \param degree D >= 1.
/// \param options as fit(); without an intercept x is only scaled, not centred.
/// \throws as fit(); also salesops::out_of_range_value when degree < 1, and
///         salesops::rank_deficient whatever the policy when a power is aliased (x has at
///         most D distinct values): lower the degree.
template <class = void>
linear_model fit_polynomial(const Eigen::Ref<const Eigen::VectorXd>& x,
                            const Eigen::Ref<const Eigen::VectorXd>& y, int degree,
                            const lm_options& options = {});

namespace detail {

inline long double weighted_mean(const Eigen::Ref<const Eigen::VectorXd>& v,
                                 const Eigen::VectorXd& w, long double sum_w) {
  long double s = 0;
  if (w.size() == 0) {
    for (Eigen::Index i = 0; i < v.size(); ++i) s += v[i];
  } else {
    for (Eigen::Index i = 0; i < v.size(); ++i) s += static_cast<long double>(w[i]) * v[i];
  }
  return s / sum_w;
}

// Weighted norm of a centred column, sqrt(sum_i w_i (x_i - center)^2) (w empty: all 1), the
// column scale s_j of fit(). Its squares leave double's range once |x| passes about 1e154 (or
// drops below 1e-154), so x and the centre are first scaled by 2^-e, 2^e <= max |x_i| < 2^(e+1),
// and the norm scaled back: exact, since powers of two scale without rounding, so the result
// does not depend on Acc's range, only on its precision. That matters where long double is
// plain double (MSVC, ARM64 macOS); Acc is a parameter so that tests can run it in double.
template <class Acc = long double>
double centred_norm(const Eigen::Ref<const Eigen::VectorXd>& x, double center,
                    const Eigen::VectorXd& w) {
  const double largest = x.cwiseAbs().maxCoeff();
  if (!(largest > 0)) return 0;
  const int e = binade(largest);
  const Acc down = std::ldexp(Acc(1), -e);
  const Acc c = static_cast<Acc>(center) * down;
  Acc ss = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const Acc d = static_cast<Acc>(x[i]) * down - c;
    ss += (w.size() != 0 ? static_cast<Acc>(w[i]) : Acc(1)) * d * d;
  }
  return static_cast<double>(std::ldexp(std::sqrt(ss), e));
}

// sigma sqrt((T C T')_jj) for each row t_j of T: the standard errors of b = T a when a has
// covariance sigma^2 C (fit_polynomial's map to the x basis). The variance of x's slope, about
// 1 / s^2, leaves double's range once |x| passes about 1e154 (or drops below 1e-154) although
// its standard error does not, so each t_j is first scaled by a power of two (exact) to a
// largest magnitude in [1, 2) and the result scaled back: correct whatever long double's range
// (plain double on MSVC and ARM64 macOS). Real is a parameter so that tests can run it in double.
template <class Real>
Eigen::VectorXd mapped_std_errors(const Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>& T,
                                  const Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>& C,
                                  double sigma) {
  Eigen::VectorXd se(T.rows());
  for (Eigen::Index j = 0; j < T.rows(); ++j) {
    const Real largest = T.row(j).cwiseAbs().maxCoeff();
    const int e = binade(largest);
    const Eigen::Matrix<Real, 1, Eigen::Dynamic> t = T.row(j) * std::ldexp(Real(1), -e);
    se[j] =
        static_cast<double>(std::ldexp(std::sqrt((t * C).dot(t)), e) * static_cast<Real>(sigma));
  }
  return se;
}

// Validates the inputs of fit(); returns the sum of the weights and the count of non-zero ones.
inline void check_lm_inputs(const char* fn, const Eigen::Ref<const Eigen::MatrixXd>& X,
                            const Eigen::Ref<const Eigen::VectorXd>& y, const lm_options& o,
                            long double& sum_w, std::size_t& n_eff) {
  const auto n = static_cast<std::size_t>(X.rows());
  check_equal_lengths(fn, "X", n, "y", static_cast<std::size_t>(y.size()));
  if (o.weights.size() != 0)
    check_equal_lengths(fn, "X", n, "weights", static_cast<std::size_t>(o.weights.size()));
  for (Eigen::Index j = 0; j < X.cols(); ++j)
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      if (!std::isfinite(X(i, j)))
        SALESOPS_THROW(not_finite, fn, "X", static_cast<std::size_t>(i), "column ", j, " is ",
                       X(i, j));
  for (Eigen::Index i = 0; i < y.size(); ++i)
    check_finite(fn, "y", y[i], static_cast<std::size_t>(i));
  sum_w = 0;
  n_eff = 0;
  if (o.weights.size() == 0) {
    sum_w = static_cast<long double>(n);
    n_eff = n;
  } else {
    for (Eigen::Index i = 0; i < o.weights.size(); ++i) {
      check_non_negative(fn, "weights", o.weights[i], static_cast<std::size_t>(i));
      sum_w += o.weights[i];
      if (o.weights[i] > 0) ++n_eff;
    }
    if (n_eff == 0) SALESOPS_THROW(empty_input, fn, "weights", no_row, "are all zero");
  }
  if (!(o.rank_tolerance >= 0 && o.rank_tolerance < 1))
    SALESOPS_THROW(out_of_range_value, fn, "rank_tolerance", no_row, "is ", o.rank_tolerance,
                   ", outside [0, 1)");
  const auto p = static_cast<std::size_t>(X.cols()) + (o.intercept ? 1u : 0u);
  if (n_eff <= p)
    SALESOPS_THROW(empty_input, fn, "X", no_row, "has ", n_eff,
                   " observations (non-zero weights) for ", p,
                   " coefficients: need more observations than coefficients");
}

// One factorisation attempt on the kept columns. Returns the position (in `kept`) of the
// first aliased column, or -1 when the kept columns have full rank; on success fills R^-1,
// the scaled coefficients a and the condition number. A template only so that it is
// instantiated with fit() (see the file comment).
template <class = void>
Eigen::Index factorise(const Eigen::Ref<const Eigen::MatrixXd>& X,
                       const std::vector<Eigen::Index>& kept, const Eigen::VectorXd& center,
                       const Eigen::VectorXd& scale, const Eigen::VectorXd& sqrt_w,
                       const Eigen::VectorXd& yw, const lm_options& o, Eigen::MatrixXd& r_inverse,
                       Eigen::VectorXd& a, double& condition, double& r_jj) {
  const Eigen::Index n = X.rows();
  const auto k = static_cast<Eigen::Index>(kept.size());
  Eigen::MatrixXd Z(n, k);
  for (Eigen::Index c = 0; c < k; ++c) {
    const Eigen::Index j = kept[static_cast<std::size_t>(c)];
    if (sqrt_w.size() == 0)
      Z.col(c) = (X.col(j).array() - center[j]) / scale[j];
    else
      Z.col(c) = (X.col(j).array() - center[j]) * sqrt_w.array() / scale[j];
  }
  Eigen::MatrixXd R;
  Eigen::VectorXd qty;
  if (o.solver == lm_solver::householder_qr) {
    Eigen::HouseholderQR<Eigen::Ref<Eigen::MatrixXd>> qr(Z); // in place: no copy of Z
    R = Z.topRows(k).triangularView<Eigen::Upper>();
    qty = yw;
    qty.applyOnTheLeft(qr.householderQ().adjoint());
    qty.conservativeResize(k);
  } else {
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(k, k);
    G.selfadjointView<Eigen::Lower>().rankUpdate(Z.transpose());
    Eigen::LLT<Eigen::MatrixXd> llt(G);
    if (llt.info() != Eigen::Success) {
      // Not positive definite: find the first column whose Cholesky pivot fails by
      // factorising leading blocks (rare path).
      for (Eigen::Index c = 1; c <= k; ++c) {
        Eigen::LLT<Eigen::MatrixXd> lead(G.topLeftCorner(c, c));
        if (lead.info() != Eigen::Success) {
          r_jj = 0;
          return c - 1;
        }
      }
    }
    R = llt.matrixU();
    qty = llt.matrixL().solve(Z.transpose() * yw);
  }
  for (Eigen::Index c = 0; c < k; ++c)
    if (!(std::abs(R(c, c)) > o.rank_tolerance)) {
      r_jj = std::abs(R(c, c));
      return c;
    }
  r_inverse = R.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(k, k));
  a = R.triangularView<Eigen::Upper>().solve(qty);
  if (k > 0) {
    // R is square, so JacobiSVD's default QR preconditioner would never run: skipping it
    // gives the same singular values bit for bit and does not instantiate ColPivHouseholderQR.
    Eigen::JacobiSVD<Eigen::MatrixXd, Eigen::NoQRPreconditioner> svd(R);
    const auto& sv = svd.singularValues();
    condition = sv[0] / sv[k - 1];
  } else {
    condition = 1;
  }
  return -1;
}

// Refuses estimates beyond double's range (a predictor on a subnormal scale, about 1e-310, has
// a slope near 1e310) rather than returning inf, or NaN standard errors and residuals; names
// the design column (the power of x for fit_polynomial) before the intercept, which only
// inherits the fault. Aliased coefficients are NaN by design and not checked.
inline void check_finite_estimates(const char* fn, const char* argument, const linear_model& m,
                                   bool polynomial = false) {
  const Eigen::Index off = m.intercept ? 1 : 0, q = m.coefficients.size();
  // The coefficients first (slopes, then the intercept), then the standard errors: an
  // overflowing slope makes sigma, and so every standard error, inf or NaN.
  for (Eigen::Index t = 0; t < 2 * q; ++t) {
    const Eigen::Index j = (t + off) % q;
    if (m.aliased[static_cast<std::size_t>(j)] ||
        std::isfinite(t < q ? m.coefficients[j] : m.std_errors[j]))
      continue;
    const std::string term = m.intercept && j == 0 ? std::string("gives an intercept of ")
                             : polynomial
                                 ? "power " + std::to_string(j - off + 1) + " has coefficient "
                                 : "column " + std::to_string(j - off) + " has coefficient ";
    SALESOPS_THROW(numerical_error, fn, argument, no_row, term, m.coefficients[j],
                   " with standard error ", m.std_errors[j],
                   ", beyond double's range: rescale the predictor");
  }
}

// Step 5 of the file comment, shared by fit() and tsqr_accumulator::result(): fills m's
// coefficients (intercept first when `intercept`), std_errors, cov_unscaled and aliased from the
// factorisation f (centres, scales, kept columns, R^-1 of the scaled columns, slopes) and
// m.sigma. Design columns not in f.kept get NaN, as R's NA. A template only so that it is
// instantiated with its callers (see the file comment).
template <class = void>
void back_transform(const char* fn, const lm_factorization& f, bool intercept, linear_model& m) {
  const Eigen::Index p = f.center.size();
  const auto k = static_cast<Eigen::Index>(f.kept.size());
  const Eigen::Index off = intercept ? 1 : 0;
  const Eigen::Index q = p + off;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  m.coefficients = Eigen::VectorXd::Constant(q, nan);
  m.cov_unscaled = Eigen::MatrixXd::Constant(q, q, nan);
  m.aliased.assign(static_cast<std::size_t>(q), true);
  // C = D^-1 (R'R)^-1 D^-1 with D = diag(scale). Every step divides by one scale at a time
  // and the standard errors come from R^-1 directly: a product s_j s_k, or a variance
  // 1 / s_j^2, overflows or underflows once |x| passes about 1e154 (or drops below 1e-154),
  // although the coefficient and its standard error are representable far beyond that.
  const Eigen::MatrixXd cov_a = f.r_inverse * f.r_inverse.transpose();
  Eigen::VectorXd center_scaled(k); // centres of the kept columns in scale units, m_j / s_j
  m.std_errors = Eigen::VectorXd::Constant(q, nan);
  for (Eigen::Index c = 0; c < k; ++c) {
    const Eigen::Index jc = f.kept[static_cast<std::size_t>(c)];
    center_scaled[c] = f.center[jc] / f.scale[jc];
    m.coefficients[off + jc] = f.slope[c];
    m.aliased[static_cast<std::size_t>(off + jc)] = false;
    m.std_errors[off + jc] = m.sigma * (std::sqrt(cov_a(c, c)) / f.scale[jc]);
    for (Eigen::Index d = 0; d < k; ++d) {
      const Eigen::Index jd = f.kept[static_cast<std::size_t>(d)];
      m.cov_unscaled(off + jc, off + jd) = cov_a(c, d) / f.scale[jc] / f.scale[jd];
    }
  }
  if (intercept) {
    m.aliased[0] = false;
    long double b0 = f.y_center;
    for (Eigen::Index c = 0; c < k; ++c)
      b0 -= static_cast<long double>(f.center[f.kept[static_cast<std::size_t>(c)]]) * f.slope[c];
    m.coefficients[0] = static_cast<double>(b0);
    // Var(b0) = 1/sum w + m'C m and Cov(b0, b) = -C m, because ybar is uncorrelated with
    // the centred slopes; with C = D^-1 cov_a D^-1 these are (m/s)' cov_a (m/s) and
    // -(cov_a (m/s))_j / s_j.
    const Eigen::VectorXd Cm = cov_a * center_scaled;
    m.cov_unscaled(0, 0) = 1.0 / f.sum_weights + center_scaled.dot(Cm);
    m.std_errors[0] = m.sigma * std::sqrt(m.cov_unscaled(0, 0));
    for (Eigen::Index c = 0; c < k; ++c) {
      const Eigen::Index jc = f.kept[static_cast<std::size_t>(c)];
      m.cov_unscaled(0, off + jc) = m.cov_unscaled(off + jc, 0) = -Cm[c] / f.scale[jc];
    }
  }
  check_finite_estimates(fn, "X", m);
}

} // namespace detail

template <class>
linear_model fit(const Eigen::Ref<const Eigen::MatrixXd>& X,
                 const Eigen::Ref<const Eigen::VectorXd>& y, const lm_options& o) {
  constexpr const char* fn = "forecast::fit";
  long double sum_w = 0;
  std::size_t n_eff = 0;
  detail::check_lm_inputs(fn, X, y, o, sum_w, n_eff);
  const Eigen::Index n = X.rows(), p = X.cols();
  const bool weighted = o.weights.size() != 0;

  linear_model m;
  m.intercept = o.intercept;
  m.weights = o.weights;
  m.n = n_eff;
  lm_factorization& f = m.factor;
  f.sum_weights = static_cast<double>(sum_w);
  f.center = Eigen::VectorXd::Zero(p);
  f.scale = Eigen::VectorXd::Ones(p);
  Eigen::VectorXd sqrt_w;
  if (weighted) sqrt_w = o.weights.cwiseSqrt();
  for (Eigen::Index j = 0; j < p; ++j) {
    if (o.intercept)
      f.center[j] = static_cast<double>(detail::weighted_mean(X.col(j), o.weights, sum_w));
    const double norm = detail::centred_norm(X.col(j), f.center[j], o.weights);
    // A zero-norm column (constant with an intercept, or all zero) keeps scale 1: its R_jj
    // is then 0 and the rank test flags it.
    if (norm > 0) f.scale[j] = norm;
  }
  f.y_center = o.intercept ? static_cast<double>(detail::weighted_mean(y, o.weights, sum_w)) : 0.0;
  Eigen::VectorXd yw = y.array() - f.y_center;
  if (weighted) yw.array() *= sqrt_w.array();

  for (Eigen::Index j = 0; j < p; ++j) f.kept.push_back(j);
  Eigen::VectorXd a;
  for (;;) {
    double r_jj = 0;
    const Eigen::Index bad = detail::factorise(X, f.kept, f.center, f.scale, sqrt_w, yw, o,
                                               f.r_inverse, a, m.condition_number, r_jj);
    if (bad < 0) break;
    const Eigen::Index col = f.kept[static_cast<std::size_t>(bad)];
    if (o.on_rank_deficiency == rank_policy::error) {
      bool constant = o.intercept;
      for (Eigen::Index i = 1; i < n && constant; ++i) constant = X(i, col) == X(0, col);
      if (constant)
        SALESOPS_THROW(rank_deficient, fn, "X", no_row, "column ", col, " is constant (", X(0, col),
                       "): it is aliased with the intercept");
      SALESOPS_THROW(rank_deficient, fn, "X", no_row, "column ", col,
                     " is aliased: numerically a linear combination of ",
                     o.intercept ? "the intercept and " : "",
                     "the columns before it (|R_jj| = ", r_jj, " <= rank_tolerance ",
                     o.rank_tolerance, ")");
    }
    f.kept.erase(f.kept.begin() + bad);
  }

  const Eigen::Index k = static_cast<Eigen::Index>(f.kept.size());
  m.rank = static_cast<std::size_t>(k + (o.intercept ? 1 : 0));
  m.df_residual = m.n - m.rank;
  f.slope.resize(k);
  for (Eigen::Index c = 0; c < k; ++c)
    f.slope[c] = a[c] / f.scale[f.kept[static_cast<std::size_t>(c)]];

  // Residuals in centred form (no cancellation against a large intercept).
  m.residuals = y.array() - f.y_center;
  for (Eigen::Index c = 0; c < k; ++c) {
    const Eigen::Index j = f.kept[static_cast<std::size_t>(c)];
    m.residuals.array() -= (X.col(j).array() - f.center[j]) * f.slope[c];
  }
  m.fitted = y - m.residuals;
  long double rss = 0, tss = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const long double w = weighted ? static_cast<long double>(o.weights[i]) : 1.0L;
    rss += w * m.residuals[i] * m.residuals[i];
    const long double d = static_cast<long double>(y[i]) - f.y_center;
    tss += w * d * d;
  }
  m.rss = static_cast<double>(rss);
  m.tss = static_cast<double>(tss);
  m.sigma = std::sqrt(m.rss / static_cast<double>(m.df_residual));

  detail::back_transform(fn, f, o.intercept, m);
  return m;
}

template <class>
Eigen::MatrixXd linear_model::factor_rows(const Eigen::Ref<const Eigen::MatrixXd>& X) const {
  constexpr const char* fn = "linear_model::predict";
  const Eigen::Index k = static_cast<Eigen::Index>(factor.kept.size());
  const Eigen::Index p = factor.center.size();
  const Eigen::Index expected = coefficients.size() - (intercept ? 1 : 0);
  if (!(X.cols() == expected || (factor.poly_degree > 0 && X.cols() == 1)))
    check_equal_lengths(fn, "coefficients (predictors)", static_cast<std::size_t>(expected),
                        "X_new columns", static_cast<std::size_t>(X.cols()));
  for (Eigen::Index j = 0; j < X.cols(); ++j)
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      if (!std::isfinite(X(i, j)))
        SALESOPS_THROW(not_finite, fn, "X_new", static_cast<std::size_t>(i), "column ", j, " is ",
                       X(i, j));
  Eigen::MatrixXd design;
  if (factor.poly_degree > 0) {
    design.resize(X.rows(), p);
    const Eigen::ArrayXd z = (X.col(0).array() - factor.poly_center) / factor.poly_scale;
    Eigen::ArrayXd power = z;
    for (Eigen::Index j = 0; j < p; ++j) {
      design.col(j) = power.matrix();
      power *= z;
    }
  }
  const Eigen::Ref<const Eigen::MatrixXd> D =
      factor.poly_degree > 0 ? Eigen::Ref<const Eigen::MatrixXd>(design) : X;
  Eigen::MatrixXd U(X.rows(), k);
  for (Eigen::Index c = 0; c < k; ++c) {
    const Eigen::Index j = factor.kept[static_cast<std::size_t>(c)];
    U.col(c) = (D.col(j).array() - factor.center[j]) / factor.scale[j];
  }
  return U;
}

template <class>
prediction linear_model::predict(const Eigen::Ref<const Eigen::MatrixXd>& X_new) const {
  const Eigen::MatrixXd U = factor_rows(X_new);
  prediction out;
  out.residual_sd = sigma;
  out.df_residual = static_cast<double>(df_residual);
  const Eigen::VectorXd scaled_slope = factor.slope.cwiseProduct([&] {
    Eigen::VectorXd s(static_cast<Eigen::Index>(factor.kept.size()));
    for (Eigen::Index c = 0; c < s.size(); ++c)
      s[c] = factor.scale[factor.kept[static_cast<std::size_t>(c)]];
    return s;
  }());
  out.mean = (U * scaled_slope).array() + factor.y_center;
  const Eigen::MatrixXd V = U * factor.r_inverse; // rows u' R^-1: |.|^2 = u'(Z'Z)^-1 u
  const double base = intercept ? 1.0 / factor.sum_weights : 0.0;
  out.se_mean = sigma * (V.rowwise().squaredNorm().array() + base).sqrt();
  return out;
}

template <class>
Eigen::VectorXd linear_model::hat_values(const Eigen::Ref<const Eigen::MatrixXd>& X) const {
  // A weighted fit's leverages carry each row's weight: X must be the fitted rows.
  if (weights.size() != 0)
    check_equal_lengths("linear_model::hat_values", "X rows", static_cast<std::size_t>(X.rows()),
                        "weights", static_cast<std::size_t>(weights.size()));
  const Eigen::MatrixXd V = factor_rows(X) * factor.r_inverse;
  Eigen::VectorXd h = V.rowwise().squaredNorm();
  if (intercept) h.array() += 1.0 / factor.sum_weights;
  if (weights.size() != 0) h.array() *= weights.array();
  return h;
}

template <class>
linear_model fit_polynomial(const Eigen::Ref<const Eigen::VectorXd>& x,
                            const Eigen::Ref<const Eigen::VectorXd>& y, int degree,
                            const lm_options& options) {
  constexpr const char* fn = "forecast::fit_polynomial";
  if (degree < 1)
    SALESOPS_THROW(out_of_range_value, fn, "degree", no_row, "is ", degree, ", must be >= 1");
  check_equal_lengths(fn, "x", static_cast<std::size_t>(x.size()), "y",
                      static_cast<std::size_t>(y.size()));
  for (Eigen::Index i = 0; i < x.size(); ++i)
    check_finite(fn, "x", x[i], static_cast<std::size_t>(i));
  check_non_empty(fn, "x", static_cast<std::size_t>(x.size()));
  const double lo = x.minCoeff(), hi = x.maxCoeff();
  // z in [-1, 1]: centre at the midrange with an intercept; without one, centring would add
  // a constant term, so only scale by max |x|.
  const double c = options.intercept ? lo + (hi - lo) / 2 : 0.0;
  double s = options.intercept ? (hi - lo) / 2 : std::max(std::abs(lo), std::abs(hi));
  if (!(s > 0)) s = 1; // constant x: the fit below reports the aliased power
  const Eigen::Index D = degree;
  Eigen::MatrixXd Z(x.size(), D);
  const Eigen::ArrayXd z = (x.array() - c) / s;
  Eigen::ArrayXd power = z;
  for (Eigen::Index j = 0; j < D; ++j) {
    Z.col(j) = power.matrix();
    power *= z;
  }
  lm_options inner = options;
  inner.on_rank_deficiency = rank_policy::error;
  linear_model m;
  try {
    m = fit(Z, y, inner);
  } catch (const rank_deficient&) {
    SALESOPS_THROW(rank_deficient, fn, "x", no_row, "has too few distinct values for degree ",
                   degree, ": a power of x is aliased; lower the degree");
  }
  // b = T a with T[j][k] = C(k, j) (-c)^(k-j) / s^k (binomial expansion), in long double.
  const Eigen::Index off = options.intercept ? 1 : 0;
  const Eigen::Index q = D + off;
  using mat_ld = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
  mat_ld T = mat_ld::Zero(q, q);
  for (Eigen::Index kk = 1 - off; kk <= D; ++kk)
    for (Eigen::Index j = 1 - off; j <= kk; ++j) {
      long double binom = 1;
      for (Eigen::Index t = 1; t <= j; ++t)
        binom = binom * static_cast<long double>(kk - j + t) / static_cast<long double>(t);
      T(j - 1 + off, kk - 1 + off) =
          binom * std::pow(-static_cast<long double>(c), static_cast<long double>(kk - j)) /
          std::pow(static_cast<long double>(s), static_cast<long double>(kk));
    }
  const mat_ld C = m.cov_unscaled.cast<long double>();
  m.coefficients = (T * m.coefficients.cast<long double>()).cast<double>();
  const mat_ld cov = T * C * T.transpose();
  m.cov_unscaled = cov.cast<double>();
  m.std_errors = detail::mapped_std_errors(T, C, m.sigma);
  detail::check_finite_estimates(fn, "x", m, true);
  m.factor.poly_degree = degree;
  m.factor.poly_center = c;
  m.factor.poly_scale = s;
  m.factor.coefficient_map = T.cast<double>();
  return m;
}

} // namespace salesops::forecast

#endif // SALESOPS_FORECAST_LINEAR_MODEL_HPP
