// Inference for a fitted linear model, as R's summary.lm, confint.lm, logLik.lm, AIC and BIC
// give it, plus heteroskedasticity- and autocorrelation-consistent covariances:
//  * HC0-HC3 as sandwich::vcovHC(type = "HC0".."HC3") and statsmodels cov_type="HC0".."HC3";
//    for WLS the estimating functions are w_i e_i x_i (sandwich's convention for lm with
//    weights, statsmodels' on whitened data).
//  * Newey-West with a fixed lag L and Bartlett weights 1 - l/(L+1), as
//    sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = adjust) and statsmodels
//    cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": adjust}; `adjust` multiplies
//    by n/(n-k) (default true, statsmodels' default).
// Every sandwich is computed in the fit's centred, scaled factor space and mapped back with
// the same linear map as the coefficients, so X'X is never formed.
//
// Compile time: every function that instantiates a Boost.Math distribution or an Eigen product
// is a function template with one unused, defaulted parameter, so that only the functions a
// translation unit calls are instantiated (see linear_model.hpp).
#ifndef SALESOPS_FORECAST_INFERENCE_HPP
#define SALESOPS_FORECAST_INFERENCE_HPP

#include <Eigen/Dense>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <ostream>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/forecast/linear_model.hpp"

namespace salesops::forecast {

/// \brief One row of the coefficient table (R's summary.lm coefficients plus confint).
struct coefficient_row {
  double estimate = 0;  ///< coefficient (NaN when aliased)
  double std_error = 0; ///< standard error
  double t_value = 0;   ///< estimate / std_error
  double p_value = 0;   ///< two-sided p-value, Student t with df_residual degrees of freedom
  double lower = 0;     ///< lower bound of the `level` confidence interval
  double upper = 0;     ///< upper bound of the `level` confidence interval
  bool aliased = false; ///< dropped as aliased (all other fields NaN)
};

/// \brief Prints one coefficient row.
inline std::ostream& operator<<(std::ostream& out, const coefficient_row& r) {
  return out << "{estimate=" << r.estimate << ", se=" << r.std_error << ", t=" << r.t_value
             << ", p=" << r.p_value << ", ci=[" << r.lower << ", " << r.upper << "]"
             << (r.aliased ? ", aliased" : "") << "}";
}

/// \brief Model summary: R's summary.lm, confint, logLik, AIC, BIC, plus AICc.
struct lm_summary {
  std::vector<coefficient_row> coefficients; ///< intercept first, as linear_model
  double level = 0.95;        ///< confidence level of the intervals
  double residual_sd = 0;     ///< residual standard error (sigma)
  double r_squared = 0;       ///< R^2 (uncentered, about 0, without intercept, as R)
  double adj_r_squared = 0;   ///< 1 - (1 - R^2)(n - i)/df, i = 1 with intercept else 0
  /// Overall F test of all slopes: +inf (p 0) for an exact fit (rss = 0) of a response that
  /// varies; NaN, undefined, for an intercept-only model and when rss = tss = 0 (a constant
  /// response fitted exactly: 0 / 0, R's summary.lm gives NaN for F and p too).
  double f_statistic = 0;
  double f_df1 = 0;           ///< numerator df: rank - i
  double f_df2 = 0;           ///< denominator df: df_residual
  double f_p_value = 0;       ///< upper tail of F(f_df1, f_df2) (NaN when f_statistic is)
  double log_likelihood = 0;  ///< Gaussian log-likelihood as R's logLik.lm (with weights)
  double aic = 0;             ///< -2 logLik + 2 k, k = rank + 1 (sigma counts, as R)
  double bic = 0;             ///< -2 logLik + log(n) k
  double aicc = 0;            ///< aic + 2 k (k + 1) / (n - k - 1)
  std::size_t n = 0;          ///< observations with non-zero weight
  std::size_t rank = 0;       ///< estimated coefficients, intercept included
  std::size_t df_residual = 0; ///< n - rank
  double condition_number = 1; ///< condition number of the factorised design
};

/// \brief Prints the summary as an R-like table.
inline std::ostream& operator<<(std::ostream& out, const lm_summary& s) {
  out << "lm_summary{n=" << s.n << ", rank=" << s.rank << "\n";
  for (std::size_t j = 0; j < s.coefficients.size(); ++j)
    out << "  [" << j << "] " << s.coefficients[j] << "\n";
  return out << "  sigma=" << s.residual_sd << " on " << s.df_residual << " df, R2=" << s.r_squared
             << ", adjR2=" << s.adj_r_squared << ", F=" << s.f_statistic << " on " << s.f_df1
             << " and " << s.f_df2 << " df, p=" << s.f_p_value << ", logLik=" << s.log_likelihood
             << ", AIC=" << s.aic << ", BIC=" << s.bic << ", AICc=" << s.aicc << "}";
}

/// \brief Summary statistics of a fit, as R's summary.lm / confint / logLik / AIC / BIC.
/// \param model a fit from fit() or fit_polynomial().
/// \param level confidence level of the coefficient intervals, in (0, 1).
/// \throws salesops::out_of_range_value when level is outside (0, 1).
template <class = void>
lm_summary summarize(const linear_model& model, double level = 0.95);

/// \brief Heteroskedasticity-consistent covariance types (MacKinnon and White 1985).
enum class hc_type {
  hc0, ///< White: e_i^2
  hc1, ///< e_i^2 n / (n - k)
  hc2, ///< e_i^2 / (1 - h_i)
  hc3  ///< e_i^2 / (1 - h_i)^2
};

/// \brief Heteroskedasticity-consistent covariance of the coefficients (intercept first).
/// \param model the fit.
/// \param X the design it was fitted on (same rows and columns).
/// \param type HC0..HC3 (see hc_type).
/// \throws salesops::length_mismatch when X does not match the fit.
template <class = void>
Eigen::MatrixXd vcov_hc(const linear_model& model, const Eigen::Ref<const Eigen::MatrixXd>& X,
                        hc_type type = hc_type::hc3);

/// \brief Newey-West (Bartlett kernel) HAC covariance with a fixed lag (see file comment).
/// \param model the fit (rows in time order).
/// \param X the design it was fitted on.
/// \param lags L >= 0 (0 gives HC0, times n/(n-k) when adjust).
/// \param adjust multiply by n / (n - k) (statsmodels' use_correction, sandwich's adjust).
/// \throws salesops::length_mismatch when X does not match the fit.
template <class = void>
Eigen::MatrixXd vcov_newey_west(const linear_model& model,
                                const Eigen::Ref<const Eigen::MatrixXd>& X, std::size_t lags,
                                bool adjust = true);

/// \brief Standard errors (square roots of the diagonal) of a covariance matrix.
inline Eigen::VectorXd standard_errors(const Eigen::MatrixXd& covariance) {
  return covariance.diagonal().array().sqrt().matrix();
}

namespace detail {

template <class = void>
double t_two_sided_p(double t, double df) {
  if (std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(t)) return 0.0;
  boost::math::students_t dist(df);
  return 2 * boost::math::cdf(boost::math::complement(dist, std::abs(t)));
}

// Factor-space sandwich: scores g_i = omega_i * [1, u_i] (row i) with u the fit's factor
// rows; returns bread * meat * bread mapped to the original coefficients.
template <class = void>
Eigen::MatrixXd map_factor_covariance(const linear_model& m, const Eigen::MatrixXd& cov_theta) {
  // theta = (alpha0, a) with y = alpha0 + sum_c a_c u_c; b_j = a_c / s_j,
  // b0 = alpha0 - sum_c m_j a_c / s_j. M maps theta to the kept coefficients.
  const auto& f = m.factor;
  const Eigen::Index k = static_cast<Eigen::Index>(f.kept.size());
  const Eigen::Index off = m.intercept ? 1 : 0;
  const Eigen::Index q = m.coefficients.size();
  Eigen::MatrixXd M = Eigen::MatrixXd::Zero(q, k + off);
  if (m.intercept) M(0, 0) = 1;
  for (Eigen::Index c = 0; c < k; ++c) {
    const Eigen::Index j = f.kept[static_cast<std::size_t>(c)];
    M(off + j, off + c) = 1 / f.scale[j];
    if (m.intercept) M(0, off + c) = -f.center[j] / f.scale[j];
  }
  Eigen::MatrixXd out = M * cov_theta * M.transpose();
  if (f.coefficient_map.size() != 0) // polynomial: z^k basis -> x^k basis
    out = f.coefficient_map * out * f.coefficient_map.transpose();
  for (Eigen::Index j = 0; j < q; ++j)
    if (m.aliased[static_cast<std::size_t>(j)]) {
      out.row(j).setConstant(std::numeric_limits<double>::quiet_NaN());
      out.col(j).setConstant(std::numeric_limits<double>::quiet_NaN());
    }
  return out;
}

// Scores of the fit in factor space: rows [1, u_i] * w_i * e_i (no intercept: u_i only).
template <class = void>
Eigen::MatrixXd factor_scores(const linear_model& m, const Eigen::Ref<const Eigen::MatrixXd>& X,
                              const char* fn) {
  check_equal_lengths(fn, "model residuals", static_cast<std::size_t>(m.residuals.size()), "X",
                      static_cast<std::size_t>(X.rows()));
  const Eigen::MatrixXd U = m.factor_rows(X);
  const Eigen::Index off = m.intercept ? 1 : 0;
  Eigen::MatrixXd S(U.rows(), U.cols() + off);
  if (m.intercept) S.col(0).setOnes();
  S.rightCols(U.cols()) = U;
  Eigen::VectorXd we = m.residuals;
  if (m.weights.size() != 0) we.array() *= m.weights.array();
  return S.array().colwise() * we.array();
}

// Bread in factor space: blockdiag(1 / sum w, R^-1 R^-T).
template <class = void>
Eigen::MatrixXd factor_bread(const linear_model& m) {
  const Eigen::Index off = m.intercept ? 1 : 0;
  const Eigen::Index k = m.factor.r_inverse.rows();
  Eigen::MatrixXd B = Eigen::MatrixXd::Zero(k + off, k + off);
  if (m.intercept) B(0, 0) = 1 / m.factor.sum_weights;
  B.bottomRightCorner(k, k) = m.factor.r_inverse * m.factor.r_inverse.transpose();
  return B;
}

} // namespace detail

template <class>
lm_summary summarize(const linear_model& m, double level) {
  constexpr const char* fn = "forecast::summarize";
  if (!(level > 0 && level < 1))
    SALESOPS_THROW(out_of_range_value, fn, "level", no_row, "is ", level, ", outside (0, 1)");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  lm_summary s;
  s.level = level;
  s.n = m.n;
  s.rank = m.rank;
  s.df_residual = m.df_residual;
  s.residual_sd = m.sigma;
  s.condition_number = m.condition_number;
  const double df = static_cast<double>(m.df_residual);
  const double tq = boost::math::quantile(
      boost::math::complement(boost::math::students_t(df), (1 - level) / 2));
  for (Eigen::Index j = 0; j < m.coefficients.size(); ++j) {
    coefficient_row r;
    r.aliased = m.aliased[static_cast<std::size_t>(j)];
    r.estimate = m.coefficients[j];
    r.std_error = m.std_errors[j];
    r.t_value = r.aliased ? nan : r.estimate / r.std_error;
    r.p_value = r.aliased ? nan : detail::t_two_sided_p(r.t_value, df);
    r.lower = r.estimate - tq * r.std_error;
    r.upper = r.estimate + tq * r.std_error;
    s.coefficients.push_back(r);
  }
  const double n = static_cast<double>(m.n);
  const double df_int = m.intercept ? 1.0 : 0.0;
  s.r_squared = m.tss > 0 ? 1 - m.rss / m.tss : 0.0;
  s.adj_r_squared = 1 - (1 - s.r_squared) * ((n - df_int) / df);
  s.f_df1 = static_cast<double>(m.rank) - df_int;
  s.f_df2 = df;
  if (s.f_df1 > 0) {
    s.f_statistic = ((m.tss - m.rss) / s.f_df1) / (m.rss / df);
    // rss = 0 gives F = +inf (p = 0) or, with tss = 0 too, 0 / 0: no test, so p is NaN.
    if (std::isnan(s.f_statistic))
      s.f_p_value = nan;
    else if (m.rss > 0)
      s.f_p_value = boost::math::cdf(
          boost::math::complement(boost::math::fisher_f(s.f_df1, s.f_df2), s.f_statistic));
    else
      s.f_p_value = 0.0;
  } else {
    s.f_statistic = s.f_p_value = nan;
  }
  // R's logLik.lm: 0.5 * (sum log w - N (log(2 pi) + 1 - log N + log sum w e^2)), zero
  // weights excluded.
  double sum_log_w = 0;
  for (Eigen::Index i = 0; i < m.weights.size(); ++i)
    if (m.weights[i] > 0) sum_log_w += std::log(m.weights[i]);
  const double pi = 3.141592653589793238462643383279502884;
  s.log_likelihood = 0.5 * (sum_log_w - n * (std::log(2 * pi) + 1 - std::log(n) + std::log(m.rss)));
  const double k = static_cast<double>(m.rank) + 1;
  s.aic = -2 * s.log_likelihood + 2 * k;
  s.bic = -2 * s.log_likelihood + std::log(n) * k;
  s.aicc = n - k - 1 > 0 ? s.aic + 2 * k * (k + 1) / (n - k - 1)
                         : std::numeric_limits<double>::infinity();
  return s;
}

template <class>
Eigen::MatrixXd vcov_hc(const linear_model& m, const Eigen::Ref<const Eigen::MatrixXd>& X,
                        hc_type type) {
  Eigen::MatrixXd S = detail::factor_scores(m, X, "forecast::vcov_hc");
  if (type == hc_type::hc2 || type == hc_type::hc3) {
    const Eigen::VectorXd h = m.hat_values(X);
    for (Eigen::Index i = 0; i < S.rows(); ++i) {
      if (h[i] >= 1) continue; // leverage-one rows have residual 0: score 0 either way
      const double f = type == hc_type::hc2 ? 1 / std::sqrt(1 - h[i]) : 1 / (1 - h[i]);
      S.row(i) *= f;
    }
  }
  const Eigen::MatrixXd B = detail::factor_bread(m);
  Eigen::MatrixXd cov = B * (S.transpose() * S) * B;
  if (type == hc_type::hc1)
    cov *= static_cast<double>(m.n) / static_cast<double>(m.df_residual);
  return detail::map_factor_covariance(m, cov);
}

template <class>
Eigen::MatrixXd vcov_newey_west(const linear_model& m,
                                const Eigen::Ref<const Eigen::MatrixXd>& X, std::size_t lags,
                                bool adjust) {
  const Eigen::MatrixXd S = detail::factor_scores(m, X, "forecast::vcov_newey_west");
  Eigen::MatrixXd meat = S.transpose() * S;
  const Eigen::Index n = S.rows();
  for (std::size_t l = 1; l <= lags && static_cast<Eigen::Index>(l) < n; ++l) {
    const auto L = static_cast<Eigen::Index>(l);
    const double w = 1 - static_cast<double>(l) / static_cast<double>(lags + 1);
    const Eigen::MatrixXd G = S.bottomRows(n - L).transpose() * S.topRows(n - L);
    meat += w * (G + G.transpose());
  }
  const Eigen::MatrixXd B = detail::factor_bread(m);
  Eigen::MatrixXd cov = B * meat * B;
  if (adjust) cov *= static_cast<double>(m.n) / static_cast<double>(m.df_residual);
  return detail::map_factor_covariance(m, cov);
}

} // namespace salesops::forecast

#endif // SALESOPS_FORECAST_INFERENCE_HPP
