// Time-series linear models and their forecasts with confidence and prediction intervals,
// as R's forecast(tslm(formula, lambda, biasadj), h, level).
//
// Reference: forecast::tslm fits lm() to the Box-Cox transformed series; forecast.lm calls
// predict.lm(interval = "prediction", level) for each level, so on the transformed scale
//   mean_i = x_i'b,   se_i = sqrt(se_mean_i^2 + sigma^2),
//   lower/upper = mean_i -/+ qt((1 + level/100) / 2, df_residual) se_i,
// and then back-transforms: lower and upper with InvBoxCox, the mean with
// InvBoxCox(mean, lambda, biasadj, fvar) where, as forecast:::InvBoxCox does with a forecast
// object, fvar = ((upper - lower) / qnorm((1 + L/100) / 2) / 2)^2 at the largest level L:
// the t-based interval width converted with the normal quantile. That mixes t and normal
// quantiles (fvar = (qt/qnorm)^2 se_i^2, slightly above se_i^2), but it is what R returns,
// and matching R to 10+ digits is the contract; docs/forecasting.md spells it out.
//
// Compile time: tslm, intervals and forecast are function templates with one unused, defaulted
// parameter, so a translation unit that does not call them instantiates neither the fit nor
// Boost.Math's t quantile (see linear_model.hpp).
#ifndef SALESOPS_FORECAST_FORECAST_HPP
#define SALESOPS_FORECAST_FORECAST_HPP

#include <Eigen/Dense>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/moments.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/forecast/boxcox.hpp"
#include "salesops/forecast/design.hpp"
#include "salesops/forecast/linear_model.hpp"

namespace salesops::forecast {

/// \brief Which interval forecast() returns.
enum class interval_kind {
  prediction, ///< for a new observation: se = sqrt(se_mean^2 + sigma^2) (R's forecast default)
  confidence  ///< for the regression mean: se = se_mean (predict.lm interval = "confidence")
};

/// \brief Options of tslm().
struct tslm_options {
  std::optional<double> lambda;  ///< Box-Cox parameter (0 = log); none: no transform
  bool biasadj = false;          ///< back-transform to the mean rather than the median
  rank_policy on_rank_deficiency = rank_policy::error; ///< as forecast::fit()
};

/// \brief A fitted time-series linear model (R's tslm object).
struct tslm_model {
  linear_model model;             ///< the fit on the (transformed) response
  std::vector<std::string> names; ///< coefficient names, "(Intercept)" first when fitted
  ts_design design;               ///< the design, to build future rows
  std::optional<double> lambda;   ///< Box-Cox parameter, if any
  bool biasadj = false;           ///< bias-adjusted back-transform
  Eigen::VectorXd fitted;         ///< fitted values on the original scale (R's fitted(tslm))
};

/// \brief Prints the coefficients by name and sigma, for debugging.
inline std::ostream& operator<<(std::ostream& out, const tslm_model& m) {
  out << "tslm_model{n=" << m.model.n << ", sigma=" << m.model.sigma;
  if (m.lambda) out << ", lambda=" << *m.lambda << (m.biasadj ? " (biasadj)" : "");
  out << ", coef=[";
  for (std::size_t j = 0; j < m.names.size(); ++j)
    out << (j ? ", " : "") << m.names[j] << "=" << m.model.coefficients[static_cast<Eigen::Index>(j)];
  return out << "]}";
}

/// \brief Forecasts with intervals at several levels (R's forecast object).
struct forecast_result {
  Eigen::VectorXd mean;       ///< point forecasts (original scale; the mean when biasadj)
  std::vector<double> levels; ///< interval levels in percent, e.g. {80, 95}
  Eigen::MatrixXd lower;      ///< h x levels lower bounds (original scale)
  Eigen::MatrixXd upper;      ///< h x levels upper bounds (original scale)
  Eigen::VectorXd se;         ///< standard errors on the transformed scale (of kind `kind`)
  interval_kind kind = interval_kind::prediction; ///< prediction or confidence intervals
  double df_residual = 0;     ///< degrees of freedom of the t quantiles
};

/// \brief Prints the forecasts row by row, for debugging.
inline std::ostream& operator<<(std::ostream& out, const forecast_result& f) {
  out << "forecast_result{" << (f.kind == interval_kind::prediction ? "prediction" : "confidence")
      << ", df=" << f.df_residual;
  for (Eigen::Index i = 0; i < f.mean.size(); ++i) {
    out << "\n  h=" << i + 1 << " mean=" << f.mean[i];
    for (std::size_t l = 0; l < f.levels.size(); ++l)
      out << " " << f.levels[l] << "%=[" << f.lower(i, static_cast<Eigen::Index>(l)) << ", "
          << f.upper(i, static_cast<Eigen::Index>(l)) << "]";
  }
  return out << "}";
}

/// \brief Fits a linear model of `y` on a time-series design (R's tslm).
/// \param design the design; its n rows match y (rows before design.first_row() are skipped
///        because their lags are unknown).
/// \param y the series, oldest first.
/// \param options Box-Cox lambda, bias adjustment, rank policy.
/// \throws salesops::length_mismatch when y does not have design.size() rows,
/// salesops::not_finite naming the row of a NaN or infinite y, salesops::negative_value when
/// lambda is set and some y <= 0, and whatever forecast::fit() throws (too few rows,
/// aliased columns).
template <class = void>
tslm_model tslm(const ts_design& design, span<const double> y, const tslm_options& options = {}) {
  constexpr const char* fn = "forecast::tslm";
  check_equal_lengths(fn, "design rows", design.size(), "y", y.size());
  check_finite(fn, "y", y);
  tslm_model m{{}, {}, design, options.lambda, options.biasadj, {}};
  const design_matrix d = design.observed();
  const auto n = static_cast<Eigen::Index>(y.size() - d.first_row);
  Eigen::VectorXd response(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::size_t row = d.first_row + static_cast<std::size_t>(i);
    response[i] = options.lambda ? box_cox(y[row], *options.lambda, row) : y[row];
  }
  lm_options lm;
  lm.intercept = d.intercept;
  lm.on_rank_deficiency = options.on_rank_deficiency;
  m.model = fit(d.predictors(), response, lm);
  m.names = d.names;
  m.fitted = m.model.fitted;
  if (options.lambda) {
    // R's tslm: InvBoxCox(fitted, lambda, biasadj, var(residuals)), var with divisor n - 1.
    welford_moments<double> residual_moments;
    for (Eigen::Index i = 0; i < n; ++i) residual_moments.update(m.model.residuals[i]);
    const double fvar = residual_moments.result().variance;
    for (Eigen::Index i = 0; i < n; ++i)
      m.fitted[i] = options.biasadj ? inv_box_cox_biasadj(m.fitted[i], *options.lambda, fvar)
                                    : inv_box_cox(m.fitted[i], *options.lambda);
  }
  return m;
}

/// \brief Fits R's `tslm(y ~ trend + season)` (trend only when frequency == 1); the first
/// value of y is season 1.
/// \throws as tslm(const ts_design&, ...) and ts_design.
template <class = void>
tslm_model tslm(span<const double> y, int frequency, const tslm_options& options = {}) {
  check_non_empty("forecast::tslm", "y", y.size());
  return tslm(tslm_design(y.size(), frequency), y, options);
}

/// \brief Interval bounds and back-transform from predictions on the transformed scale; the
/// common last step of forecast() and batch forecasts.
/// \param mean predicted means x0'b (transformed scale).
/// \param se_mean their standard errors.
/// \param sigma residual standard error; \param df residual degrees of freedom.
/// \param levels interval levels in percent, each in (0, 100).
/// \param kind prediction or confidence intervals.
/// \param lambda Box-Cox parameter (none: no back-transform); \param biasadj as R's.
/// \throws salesops::out_of_range_value for a level outside (0, 100) or no level;
/// salesops::empty_input when df == 0; salesops::length_mismatch when se_mean and mean differ
/// in length; salesops::not_finite naming the row of a NaN or infinite mean or se_mean, or a
/// NaN or infinite sigma; salesops::negative_value for a negative sigma or se_mean.
template <class = void>
forecast_result intervals(const Eigen::VectorXd& mean, const Eigen::VectorXd& se_mean,
                          double sigma, double df, span<const double> levels,
                          interval_kind kind = interval_kind::prediction,
                          std::optional<double> lambda = std::nullopt, bool biasadj = false) {
  constexpr const char* fn = "forecast::intervals";
  check_non_empty(fn, "levels", levels.size());
  check_equal_lengths(fn, "mean", static_cast<std::size_t>(mean.size()), "se_mean",
                      static_cast<std::size_t>(se_mean.size()));
  check_non_negative(fn, "sigma", sigma);
  check_finite(fn, "mean", span<const double>(mean.data(), static_cast<std::size_t>(mean.size())));
  check_non_negative(fn, "se_mean",
                     span<const double>(se_mean.data(), static_cast<std::size_t>(se_mean.size())));
  for (std::size_t l = 0; l < levels.size(); ++l) {
    check_finite(fn, "levels", levels[l], l);
    if (!(levels[l] > 0 && levels[l] < 100))
      SALESOPS_THROW(out_of_range_value, fn, "levels", l, "is ", levels[l],
                     ", must be a percentage in (0, 100)");
  }
  if (!(df > 0))
    SALESOPS_THROW(empty_input, fn, "df", no_row, "is ", df,
                   ": no residual degrees of freedom for an interval");
  forecast_result out;
  out.kind = kind;
  out.df_residual = df;
  out.levels.assign(levels.begin(), levels.end());
  const Eigen::Index h = mean.size();
  const auto nl = static_cast<Eigen::Index>(levels.size());
  out.se = kind == interval_kind::prediction
               ? (se_mean.array().square() + sigma * sigma).sqrt().matrix()
               : se_mean;
  out.lower.resize(h, nl);
  out.upper.resize(h, nl);
  const boost::math::students_t_distribution<double> t(df);
  for (Eigen::Index l = 0; l < nl; ++l) {
    // predict.lm: tfrac = qt((1 - level) / 2, df) < 0; bounds fit + tfrac se, fit - tfrac se.
    const double tfrac = boost::math::quantile(t, (1.0 - levels[static_cast<std::size_t>(l)] / 100.0) / 2.0);
    out.lower.col(l) = mean.array() + tfrac * out.se.array();
    out.upper.col(l) = mean.array() - tfrac * out.se.array();
  }
  out.mean = mean;
  if (!lambda) return out;
  if (biasadj) {
    // forecast:::InvBoxCox(mean, lambda, biasadj, fcast): fvar from the widest interval.
    const auto widest = static_cast<Eigen::Index>(
        std::max_element(levels.begin(), levels.end()) - levels.begin());
    const double z = boost::math::quantile(boost::math::normal_distribution<double>(),
                                           (levels[static_cast<std::size_t>(widest)] / 100.0 + 1.0) / 2.0);
    for (Eigen::Index i = 0; i < h; ++i) {
      const double half = (out.upper(i, widest) - out.lower(i, widest)) / z / 2.0;
      out.mean[i] = inv_box_cox_biasadj(mean[i], *lambda, half * half);
    }
  } else {
    for (Eigen::Index i = 0; i < h; ++i) out.mean[i] = inv_box_cox(mean[i], *lambda);
  }
  for (Eigen::Index l = 0; l < nl; ++l)
    for (Eigen::Index i = 0; i < h; ++i) {
      out.lower(i, l) = inv_box_cox(out.lower(i, l), *lambda);
      out.upper(i, l) = inv_box_cox(out.upper(i, l), *lambda);
    }
  return out;
}

/// \brief Default interval levels of R's forecast(): 80 % and 95 %.
inline const std::vector<double>& default_levels() {
  static const std::vector<double> levels = {80.0, 95.0};
  return levels;
}

/// \brief Forecasts `h` steps ahead with intervals, as R's forecast(tslm_fit, h, level).
/// \param model a tslm() fit.
/// \param h horizon (>= 1; bounded by lags and regressors' known future values).
/// \param levels interval levels in percent.
/// \param kind prediction (R's forecast) or confidence intervals.
/// \throws salesops::out_of_range_value for h == 0, a horizon the design cannot build, or
/// a level outside (0, 100).
template <class = void>
forecast_result forecast(const tslm_model& model, std::size_t h,
                         span<const double> levels = default_levels(),
                         interval_kind kind = interval_kind::prediction) {
  const design_matrix future = model.design.future(h);
  const prediction p = model.model.predict(future.predictors());
  return intervals(p.mean, p.se_mean, p.residual_sd, p.df_residual, levels, kind, model.lambda,
                   model.biasadj);
}

} // namespace salesops::forecast

#endif // SALESOPS_FORECAST_FORECAST_HPP
