// Regression diagnostics for a fitted linear model, each following one reference:
//  * influence(): hat values, internally studentised residuals (R's rstandard), externally
//    studentised residuals (R's rstudent), Cook's distance (R's cooks.distance), leave-one-out
//    residuals e_i / (1 - h_i) and PRESS = sum w_i (e_i / (1 - h_i))^2, all from the hat
//    values computed in factor space (the n x n hat matrix is never formed).
//  * durbin_watson(): sum (e_t - e_{t-1})^2 / sum e_t^2 (statsmodels durbin_watson).
//  * breusch_godfrey(): lmtest::bgtest(fit, order, fill = 0) LM form n R^2 ~ chi2(order) and
//    its F form (bgtest type = "F"; statsmodels acorr_breusch_godfrey returns both).
//  * ljung_box(): Box.test(e, lag, type = "Ljung-Box", fitdf) on the demeaned series.
//  * jarque_bera(): n/6 (S^2 + (K - 3)^2 / 4) with biased moments (statsmodels jarque_bera,
//    tseries::jarque.bera.test).
//  * vif(): 1 / (1 - R_j^2), R_j^2 from regressing column j on the others with an intercept
//    (statsmodels variance_inflation_factor on a design with a constant).
//
// Compile time: every function that instantiates a Boost.Math distribution, an Eigen product or
// a fit is a function template with one unused, defaulted parameter, so that only the functions
// a translation unit calls are instantiated (see linear_model.hpp).
#ifndef SALESOPS_FORECAST_DIAGNOSTICS_HPP
#define SALESOPS_FORECAST_DIAGNOSTICS_HPP

#include <Eigen/Dense>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <ostream>

#include "salesops/core/error.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/forecast/inference.hpp"
#include "salesops/forecast/linear_model.hpp"

namespace salesops::forecast {

/// \brief Per-row influence measures of a fit (R's influence.measures family).
struct influence_measures {
  Eigen::VectorXd hat;            ///< leverages h_i (weighted hat matrix diagonal)
  Eigen::VectorXd standardized;   ///< sqrt(w_i) e_i / (sigma sqrt(1 - h_i)) (rstandard)
  Eigen::VectorXd studentized;    ///< externally studentised, leave-one-out sigma (rstudent)
  Eigen::VectorXd cooks_distance; ///< r_i^2 h_i / (rank (1 - h_i)) (cooks.distance)
  Eigen::VectorXd loo_residuals;  ///< leave-one-out prediction errors e_i / (1 - h_i)
  double press = 0;               ///< sum w_i loo_residual_i^2
};

/// \brief Prints the summary of the influence measures (PRESS and extremes).
inline std::ostream& operator<<(std::ostream& out, const influence_measures& m) {
  out << "influence_measures{rows=" << m.hat.size() << ", press=" << m.press;
  if (m.hat.size() > 0)
    out << ", max_hat=" << m.hat.maxCoeff() << ", max_cook=" << m.cooks_distance.maxCoeff();
  return out << "}";
}

/// \brief Influence measures of every row of the design X the model was fitted on.
/// Rows with zero weight have h = 0 and standardised residual 0 (R omits them); a row with
/// leverage 1 gives infinite values, as in R.
/// \throws salesops::length_mismatch when X does not match the fit.
template <class = void>
influence_measures influence(const linear_model& model, const Eigen::Ref<const Eigen::MatrixXd>& X);

/// \brief A test statistic with its reference distribution's degrees of freedom and p-value.
struct diagnostic_test {
  double statistic = 0; ///< test statistic
  double df = 0;        ///< degrees of freedom (numerator df for F tests)
  double df2 = 0;       ///< denominator df for F tests, 0 otherwise
  double p_value = 1;   ///< upper-tail p-value
};

/// \brief Prints the test.
inline std::ostream& operator<<(std::ostream& out, const diagnostic_test& t) {
  out << "diagnostic_test{statistic=" << t.statistic << ", df=" << t.df;
  if (t.df2 > 0) out << ", df2=" << t.df2;
  return out << ", p=" << t.p_value << "}";
}

/// \brief Breusch-Godfrey test for serial correlation up to `order` (both forms).
struct breusch_godfrey_test {
  diagnostic_test lm; ///< n R^2 of the auxiliary regression, chi-square(order)
  diagnostic_test f;  ///< F form, F(order, n - k_aux)
};

/// \brief Prints both forms.
inline std::ostream& operator<<(std::ostream& out, const breusch_godfrey_test& t) {
  return out << "breusch_godfrey{lm=" << t.lm << ", f=" << t.f << "}";
}

/// \brief Jarque-Bera normality test with the moments it uses.
struct jarque_bera_test {
  diagnostic_test test; ///< JB statistic, chi-square(2)
  double skewness = 0;  ///< biased sample skewness
  double kurtosis = 0;  ///< biased sample kurtosis (3 for a normal)
};

/// \brief Prints the test and moments.
inline std::ostream& operator<<(std::ostream& out, const jarque_bera_test& t) {
  return out << "jarque_bera{" << t.test << ", skewness=" << t.skewness
             << ", kurtosis=" << t.kurtosis << "}";
}

/// \brief Durbin-Watson statistic of residuals in time order.
/// \throws salesops::empty_input when fewer than 2 residuals; not_finite naming the row.
double durbin_watson(const Eigen::Ref<const Eigen::VectorXd>& residuals);

/// \brief Breusch-Godfrey test of an OLS fit (rows in time order), as lmtest::bgtest with
/// fill = 0: residuals regressed on the design X and `order` lags of themselves.
/// \param model an unweighted fit of y on X.
/// \param X the design it was fitted on (for polynomial fits, pass the columns x..x^D).
/// \param order number of lags >= 1.
/// \throws salesops::out_of_range_value when order is 0; length_mismatch when X does not match.
template <class = void>
breusch_godfrey_test breusch_godfrey(const linear_model& model,
                                     const Eigen::Ref<const Eigen::MatrixXd>& X, std::size_t order);

/// \brief Ljung-Box portmanteau test on the first `lags` autocorrelations, chi-square with
/// lags - fitdf degrees of freedom (Box.test(type = "Ljung-Box")).
/// \throws salesops::out_of_range_value unless 1 <= lags < n and fitdf < lags.
template <class = void>
diagnostic_test ljung_box(const Eigen::Ref<const Eigen::VectorXd>& residuals, std::size_t lags,
                          std::size_t fitdf = 0);

/// \brief Jarque-Bera test of normality of residuals.
/// \throws salesops::empty_input when fewer than 3 values; not_finite naming the row.
template <class = void>
jarque_bera_test jarque_bera(const Eigen::Ref<const Eigen::VectorXd>& residuals);

/// \brief Variance inflation factor of each column of X (with an intercept in every
/// auxiliary regression); +inf for a column that is an exact combination of the others.
/// \throws as fit() for the auxiliary regressions (e.g. a constant column).
template <class = void>
Eigen::VectorXd vif(const Eigen::Ref<const Eigen::MatrixXd>& X);

namespace detail {
inline void check_finite_vector(const char* fn, const char* arg, const Eigen::Ref<const Eigen::VectorXd>& v) {
  for (Eigen::Index i = 0; i < v.size(); ++i) check_finite(fn, arg, v[i], static_cast<std::size_t>(i));
}
} // namespace detail

template <class>
influence_measures influence(const linear_model& m, const Eigen::Ref<const Eigen::MatrixXd>& X) {
  check_equal_lengths("forecast::influence", "model residuals",
                      static_cast<std::size_t>(m.residuals.size()), "X",
                      static_cast<std::size_t>(X.rows()));
  influence_measures out;
  out.hat = m.hat_values(X);
  const Eigen::Index n = X.rows();
  const double df = static_cast<double>(m.df_residual);
  out.standardized.resize(n);
  out.studentized.resize(n);
  out.cooks_distance.resize(n);
  out.loo_residuals.resize(n);
  long double press = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double w = m.weights.size() ? m.weights[i] : 1.0;
    const double one_minus_h = 1 - out.hat[i];
    const double r = std::sqrt(w) * m.residuals[i] / (m.sigma * std::sqrt(one_minus_h));
    out.standardized[i] = r;
    // rstudent: sigma without row i, sigma_(i)^2 = (rss - w e^2/(1-h)) / (df - 1).
    out.studentized[i] = r * std::sqrt((df - 1) / (df - r * r));
    out.cooks_distance[i] = r * r * out.hat[i] / (static_cast<double>(m.rank) * one_minus_h);
    out.loo_residuals[i] = m.residuals[i] / one_minus_h;
    press += static_cast<long double>(w) * out.loo_residuals[i] * out.loo_residuals[i];
  }
  out.press = static_cast<double>(press);
  return out;
}

inline double durbin_watson(const Eigen::Ref<const Eigen::VectorXd>& e) {
  constexpr const char* fn = "forecast::durbin_watson";
  if (e.size() < 2) SALESOPS_THROW(empty_input, fn, "residuals", no_row, "has fewer than 2 values");
  detail::check_finite_vector(fn, "residuals", e);
  long double num = 0, den = 0;
  for (Eigen::Index t = 0; t < e.size(); ++t) {
    den += static_cast<long double>(e[t]) * e[t];
    if (t > 0) num += static_cast<long double>(e[t] - e[t - 1]) * (e[t] - e[t - 1]);
  }
  return static_cast<double>(num / den);
}

template <class>
breusch_godfrey_test breusch_godfrey(const linear_model& m,
                                     const Eigen::Ref<const Eigen::MatrixXd>& X,
                                     std::size_t order) {
  constexpr const char* fn = "forecast::breusch_godfrey";
  if (order == 0) SALESOPS_THROW(out_of_range_value, fn, "order", no_row, "is 0, must be >= 1");
  check_equal_lengths(fn, "model residuals", static_cast<std::size_t>(m.residuals.size()), "X",
                      static_cast<std::size_t>(X.rows()));
  const Eigen::Index n = X.rows(), p = X.cols(), L = static_cast<Eigen::Index>(order);
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(n, p + L);
  A.leftCols(p) = X;
  for (Eigen::Index l = 1; l <= L; ++l)
    if (l < n) A.col(p + l - 1).tail(n - l) = m.residuals.head(n - l); // fill = 0
  lm_options o;
  o.intercept = m.intercept;
  o.on_rank_deficiency = rank_policy::drop;
  const linear_model aux = fit(A, m.residuals, o);
  const lm_summary s = summarize(aux);
  breusch_godfrey_test out;
  const double dn = static_cast<double>(n);
  out.lm.statistic = dn * s.r_squared;
  out.lm.df = static_cast<double>(order);
  out.lm.p_value = boost::math::cdf(
      boost::math::complement(boost::math::chi_squared(out.lm.df), out.lm.statistic));
  const double rss0 = m.residuals.squaredNorm();
  out.f.df = out.lm.df;
  out.f.df2 = static_cast<double>(aux.df_residual);
  out.f.statistic = ((rss0 - aux.rss) / out.f.df) / (aux.rss / out.f.df2);
  out.f.p_value = boost::math::cdf(
      boost::math::complement(boost::math::fisher_f(out.f.df, out.f.df2), out.f.statistic));
  return out;
}

template <class>
diagnostic_test ljung_box(const Eigen::Ref<const Eigen::VectorXd>& e, std::size_t lags,
                          std::size_t fitdf) {
  constexpr const char* fn = "forecast::ljung_box";
  detail::check_finite_vector(fn, "residuals", e);
  const auto n = static_cast<std::size_t>(e.size());
  if (lags < 1 || lags >= n)
    SALESOPS_THROW(out_of_range_value, fn, "lags", no_row, "is ", lags, ", must be in [1, ",
                   n, ")");
  if (fitdf >= lags)
    SALESOPS_THROW(out_of_range_value, fn, "fitdf", no_row, "is ", fitdf,
                   ", must be smaller than lags (", lags, ")");
  const Eigen::VectorXd d = e.array() - e.mean();
  const double c0 = d.squaredNorm();
  const double dn = static_cast<double>(n);
  long double q = 0;
  for (std::size_t k = 1; k <= lags; ++k) {
    const auto K = static_cast<Eigen::Index>(k);
    const double rho = d.tail(e.size() - K).dot(d.head(e.size() - K)) / c0;
    q += static_cast<long double>(rho) * rho / (dn - static_cast<double>(k));
  }
  diagnostic_test out;
  out.statistic = static_cast<double>(q) * dn * (dn + 2);
  out.df = static_cast<double>(lags - fitdf);
  out.p_value = boost::math::cdf(
      boost::math::complement(boost::math::chi_squared(out.df), out.statistic));
  return out;
}

template <class>
jarque_bera_test jarque_bera(const Eigen::Ref<const Eigen::VectorXd>& e) {
  constexpr const char* fn = "forecast::jarque_bera";
  if (e.size() < 3) SALESOPS_THROW(empty_input, fn, "residuals", no_row, "has fewer than 3 values");
  detail::check_finite_vector(fn, "residuals", e);
  const double n = static_cast<double>(e.size());
  const Eigen::ArrayXd d = e.array() - e.mean();
  const double m2 = d.square().sum() / n, m3 = d.cube().sum() / n, m4 = d.square().square().sum() / n;
  jarque_bera_test out;
  out.skewness = m3 / std::pow(m2, 1.5);
  out.kurtosis = m4 / (m2 * m2);
  const double excess = out.kurtosis - 3;
  out.test.statistic = n / 6 * (out.skewness * out.skewness + excess * excess / 4);
  out.test.df = 2;
  out.test.p_value = boost::math::cdf(
      boost::math::complement(boost::math::chi_squared(2.0), out.test.statistic));
  return out;
}

template <class>
Eigen::VectorXd vif(const Eigen::Ref<const Eigen::MatrixXd>& X) {
  const Eigen::Index p = X.cols();
  Eigen::VectorXd out(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    Eigen::MatrixXd others(X.rows(), p - 1);
    others.leftCols(j) = X.leftCols(j);
    others.rightCols(p - 1 - j) = X.rightCols(p - 1 - j);
    lm_options o;
    o.on_rank_deficiency = rank_policy::drop;
    const linear_model aux = fit(others, X.col(j), o);
    out[j] = aux.rss > 0 ? aux.tss / aux.rss : std::numeric_limits<double>::infinity();
  }
  return out;
}

} // namespace salesops::forecast

#endif // SALESOPS_FORECAST_DIAGNOSTICS_HPP
