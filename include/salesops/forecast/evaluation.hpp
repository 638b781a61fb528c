// Forecast evaluation: accuracy measures (R's forecast::accuracy plus sMAPE, WAPE, interval
// coverage and pinball loss), rolling-origin cross-validation with forecast::tsCV's
// conventions, and the choice among candidate designs by AICc, leave-one-out CV or
// rolling-origin CV.
//
// Errors are e_t = actual_t - forecast_t (R's sign). Definitions, with sums over the n
// evaluated points:
//   ME (bias) = mean(e)          RMSE = sqrt(mean(e^2))       MAE = mean(|e|)
//   MPE  = 100 mean(e / a)       MAPE = 100 mean(|e / a|)
//   sMAPE = 200 mean(|e| / (|a| + |f|))   (Hyndman and Koehler 2006; a term with a = f = 0 is 0)
//   WAPE = 100 sum|e| / sum|a|
//   MASE = MAE / mean(|x_t - x_{t-m}|)  over the training series x, m = frequency (seasonal
//          naive in-sample MAE, as forecast::accuracy's test-set MASE; m = 1: naive)
// Percentage measures on an actual of 0 (Hyndman and Koehler 2006: "infinite or undefined"):
// a row with a = 0 and f != 0 has percentage error +-inf, so MAPE is +inf and MPE is +inf or
// -inf, as R's accuracy() gives; when such rows have errors of both signs MPE is NaN
// (inf - inf, R's NaN too). WAPE is +inf when every actual is 0 and a forecast is not.
// accuracy_measures::zero_actuals counts those rows: check it before averaging MPE, MAPE or
// WAPE over series. A row with a = f = 0 is an exact forecast: its percentage error is 0
// (sMAPE's convention above; WAPE is 0 when all errors are), where R's accuracy() drops the
// row (mean(..., na.rm = TRUE)), which salesops does not do silently.
//
// Compile time: tslm_forecaster and select_design are function templates with one unused,
// defaulted parameter, so that only translation units calling them instantiate the fit (see
// linear_model.hpp).
#ifndef SALESOPS_FORECAST_EVALUATION_HPP
#define SALESOPS_FORECAST_EVALUATION_HPP

#include <Eigen/Dense>

#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <ostream>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/forecast/forecast.hpp"
#include "salesops/forecast/inference.hpp"

namespace salesops::forecast {

/// \brief Point-forecast accuracy measures (see the file comment for the formulas).
struct accuracy_measures {
  double me = 0;    ///< mean error (bias): positive when forecasts are too low
  double rmse = 0;  ///< root mean squared error
  double mae = 0;   ///< mean absolute error
  double mpe = 0;   ///< mean percentage error
  double mape = 0;  ///< mean absolute percentage error
  double smape = 0; ///< symmetric MAPE (0..200)
  double wape = 0;  ///< weighted absolute percentage error, 100 sum|e| / sum|a|
  double mase = std::numeric_limits<double>::quiet_NaN(); ///< MASE (NaN without a training series)
  std::size_t n = 0; ///< number of evaluated points
  /// Rows with actual 0 and forecast != 0: when > 0, MAPE is +inf, MPE +-inf or NaN, and WAPE
  /// +inf if every actual is 0.
  std::size_t zero_actuals = 0;
};

/// \brief Prints the measures, for debugging.
inline std::ostream& operator<<(std::ostream& out, const accuracy_measures& a) {
  return out << "accuracy{n=" << a.n << ", ME=" << a.me << ", RMSE=" << a.rmse << ", MAE=" << a.mae
             << ", MPE=" << a.mpe << ", MAPE=" << a.mape << ", sMAPE=" << a.smape
             << ", WAPE=" << a.wape << ", MASE=" << a.mase << ", zero_actuals=" << a.zero_actuals
             << "}";
}

/// \brief Accuracy of forecasts against actuals, as forecast::accuracy(f, x) on a test set.
/// \param actual observed values; \param forecast point forecasts (same length).
/// \param training the series the model was fitted on (for MASE; may be empty: MASE NaN).
/// \param frequency seasonal period m of the MASE scaling (1 = naive).
/// \returns the measures; with an actual of 0 and a forecast != 0 MAPE is +inf and MPE +-inf
/// (NaN when such errors have both signs), counted in zero_actuals (see the file comment).
/// \throws salesops::length_mismatch, salesops::empty_input, salesops::not_finite naming
/// the row, salesops::out_of_range_value when frequency < 1 or the training series has no
/// more than m values, salesops::numerical_error when its seasonal differences are all 0.
inline accuracy_measures accuracy(span<const double> actual, span<const double> forecast,
                                  span<const double> training = {}, int frequency = 1) {
  constexpr const char* fn = "forecast::accuracy";
  check_equal_lengths(fn, "actual", actual.size(), "forecast", forecast.size());
  check_non_empty(fn, "actual", actual.size());
  check_finite(fn, "actual", actual);
  check_finite(fn, "forecast", forecast);
  check_finite(fn, "training", training);
  if (frequency < 1)
    SALESOPS_THROW(out_of_range_value, fn, "frequency", no_row, "is ", frequency, ", must be >= 1");
  accuracy_measures a;
  neumaier_sum<double> e_sum, e2_sum, abs_sum, pe_sum, ape_sum, sape_sum, actual_abs_sum;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double e = actual[i] - forecast[i];
    e_sum.update(e);
    e2_sum.update(e * e);
    abs_sum.update(std::fabs(e));
    if (actual[i] == 0 && e != 0) ++a.zero_actuals;
    // 0 / 0 would make MPE and MAPE NaN for an exact forecast of 0: its error is 0.
    const bool exact_zero = actual[i] == 0 && e == 0;
    pe_sum.update(exact_zero ? 0.0 : 100.0 * e / actual[i]);
    ape_sum.update(exact_zero ? 0.0 : 100.0 * std::fabs(e / actual[i]));
    const double denominator = std::fabs(actual[i]) + std::fabs(forecast[i]);
    sape_sum.update(denominator > 0 ? 200.0 * std::fabs(e) / denominator : 0.0);
    actual_abs_sum.update(std::fabs(actual[i]));
  }
  const double n = static_cast<double>(actual.size());
  a.n = actual.size();
  a.me = e_sum.result() / n;
  a.rmse = std::sqrt(e2_sum.result() / n);
  a.mae = abs_sum.result() / n;
  a.mpe = pe_sum.result() / n;
  a.mape = ape_sum.result() / n;
  a.smape = sape_sum.result() / n;
  // All actuals 0: exact forecasts score 0 rather than 0 / 0; otherwise +inf (zero_actuals > 0).
  a.wape = abs_sum.result() == 0 ? 0.0 : 100.0 * abs_sum.result() / actual_abs_sum.result();
  if (!training.empty()) {
    const auto m = static_cast<std::size_t>(frequency);
    if (training.size() <= m)
      SALESOPS_THROW(out_of_range_value, fn, "training", no_row, "has ", training.size(),
                     " values: MASE needs more than frequency (", frequency, ")");
    neumaier_sum<double> scale;
    for (std::size_t t = m; t < training.size(); ++t) scale.update(std::fabs(training[t] - training[t - m]));
    const double mean_scale = scale.result() / static_cast<double>(training.size() - m);
    if (!(mean_scale > 0))
      SALESOPS_THROW(numerical_error, fn, "training", no_row,
                     "has all seasonal differences 0: the MASE scale is 0");
    a.mase = a.mae / mean_scale;
  }
  return a;
}

/// \brief Share of actuals inside [lower, upper] (empirical coverage of an interval).
/// \throws salesops::length_mismatch, salesops::empty_input, salesops::not_finite,
/// salesops::out_of_range_value naming the row where lower > upper.
inline double interval_coverage(span<const double> actual, span<const double> lower,
                                span<const double> upper) {
  constexpr const char* fn = "forecast::interval_coverage";
  check_equal_lengths(fn, "actual", actual.size(), "lower", lower.size());
  check_equal_lengths(fn, "actual", actual.size(), "upper", upper.size());
  check_non_empty(fn, "actual", actual.size());
  check_finite(fn, "actual", actual);
  std::size_t inside = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    check_finite(fn, "lower", lower[i], i);
    check_finite(fn, "upper", upper[i], i);
    if (lower[i] > upper[i])
      SALESOPS_THROW(out_of_range_value, fn, "lower", i, "is ", lower[i], ", above upper (",
                     upper[i], ")");
    if (actual[i] >= lower[i] && actual[i] <= upper[i]) ++inside;
  }
  return static_cast<double>(inside) / static_cast<double>(actual.size());
}

/// \brief Mean pinball (quantile) loss of forecasts of the tau-quantile:
/// mean(max(tau (a - q), (tau - 1) (a - q))). At tau = 0.5 it is MAE / 2.
/// \throws salesops::length_mismatch, salesops::empty_input, salesops::not_finite,
/// salesops::out_of_range_value unless 0 < tau < 1.
inline double pinball_loss(span<const double> actual, span<const double> quantile_forecast,
                           double tau) {
  constexpr const char* fn = "forecast::pinball_loss";
  check_equal_lengths(fn, "actual", actual.size(), "quantile_forecast", quantile_forecast.size());
  check_non_empty(fn, "actual", actual.size());
  check_finite(fn, "actual", actual);
  check_finite(fn, "quantile_forecast", quantile_forecast);
  check_finite(fn, "tau", tau);
  if (!(tau > 0 && tau < 1))
    SALESOPS_THROW(out_of_range_value, fn, "tau", no_row, "is ", tau, ", must be in (0, 1)");
  neumaier_sum<double> loss;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double u = actual[i] - quantile_forecast[i];
    loss.update(u >= 0 ? tau * u : (tau - 1.0) * u);
  }
  return loss.result() / static_cast<double>(actual.size());
}

/// \brief A forecasting method for cross-validation: given the training rows (which start
/// at series row `first_row`, so seasonal designs know their phase) and a horizon h,
/// returns h point forecasts.
using forecaster =
    std::function<Eigen::VectorXd(span<const double> train, std::size_t first_row, std::size_t h)>;

/// \brief Options of rolling_origin(), named after forecast::tsCV's arguments.
struct cv_options {
  std::size_t h = 1;       ///< forecast horizon
  std::size_t window = 0;  ///< sliding window length; 0 = expanding window (tsCV's NULL)
  std::size_t initial = 0; ///< origins skipped at the start (tsCV's initial)
};

/// \brief Rolling-origin cross-validation errors (forecast::tsCV's result).
struct cv_result {
  Eigen::MatrixXd errors;         ///< n x h: row t, column j = y[t + j + 1] - forecast from origin t
  std::vector<std::size_t> count; ///< per horizon: errors available
  std::vector<double> rmse;       ///< per horizon: RMSE over the available errors
  std::vector<double> mae;        ///< per horizon: MAE over the available errors
  std::size_t failed_origins = 0; ///< origins whose fit threw a salesops exception
};

/// \brief Prints RMSE and MAE per horizon, for debugging.
inline std::ostream& operator<<(std::ostream& out, const cv_result& r) {
  out << "cv_result{failed_origins=" << r.failed_origins;
  for (std::size_t j = 0; j < r.count.size(); ++j)
    out << ", h=" << j + 1 << ": n=" << r.count[j] << " RMSE=" << r.rmse[j] << " MAE=" << r.mae[j];
  return out << "}";
}

/// \brief Rolling-origin cross-validation with forecast::tsCV's conventions.
///
/// Origin t (0-based row of the last training value) runs over initial .. n-2 with an
/// expanding window (training rows 0..t), or window - 1 + initial .. n-2 with a sliding
/// window (rows t - window + 1 .. t). errors(t, j) = y[t + j + 1] - forecast j + 1 steps
/// ahead. Entries with no forecast are NaN, as tsCV's NA: rows before the first origin, the
/// last row, targets beyond the series, and origins whose fit throws a salesops exception
/// (e.g. a window too short for the design; tsCV's try() likewise leaves NA) — those are
/// counted in failed_origins, never hidden.
/// \throws salesops::empty_input when y is empty, salesops::not_finite naming the row of y,
/// or naming the origin (as the row) and the step when the method returns a NaN or infinite
/// forecast (unlike a fit that throws, that is a broken method, not a missing forecast);
/// salesops::length_mismatch naming the origin when it returns other than h values;
/// salesops::out_of_range_value when h == 0 or initial/window leave no origin.
inline cv_result rolling_origin(span<const double> y, const forecaster& method,
                                const cv_options& options = {}) {
  constexpr const char* fn = "forecast::rolling_origin";
  check_non_empty(fn, "y", y.size());
  check_finite(fn, "y", y);
  if (options.h == 0)
    SALESOPS_THROW(out_of_range_value, fn, "h", no_row, "is 0, must be >= 1");
  const std::size_t n = y.size();
  if (options.h > n) // no origin has that many rows after it (and the error table is n x h)
    SALESOPS_THROW(out_of_range_value, fn, "h", no_row, "is ", options.h,
                   ", more than the series' ", n, " rows");
  const std::size_t first_origin =
      options.window == 0 ? options.initial : options.window - 1 + options.initial;
  if (first_origin + 1 >= n)
    SALESOPS_THROW(out_of_range_value, fn, options.window == 0 ? "initial" : "window", no_row,
                   "leaves no origin: the series has ", n, " rows");
  const auto h = static_cast<Eigen::Index>(options.h);
  cv_result r;
  r.errors = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(n), h,
                                       std::numeric_limits<double>::quiet_NaN());
  for (std::size_t t = first_origin; t + 1 < n; ++t) {
    const std::size_t begin = options.window == 0 ? 0 : t + 1 - options.window;
    Eigen::VectorXd f;
    try {
      f = method(y.subspan(begin, t + 1 - begin), begin, options.h);
    } catch (const salesops::error&) {
      ++r.failed_origins;
      continue;
    }
    if (f.size() != h)
      SALESOPS_THROW(length_mismatch, fn, "forecaster result", t, "has ", f.size(),
                     " values, expected h = ", options.h);
    // A NaN error would read as "no forecast" below and vanish from the RMSE and the count.
    for (Eigen::Index j = 0; j < h; ++j)
      if (!std::isfinite(f[j]))
        SALESOPS_THROW(not_finite, fn, "forecaster result", t, "is ", f[j], " at step ", j + 1,
                       " of h = ", options.h, " from origin ", t);
    for (Eigen::Index j = 0; j < h; ++j) {
      const std::size_t target = t + 1 + static_cast<std::size_t>(j);
      if (target < n) r.errors(static_cast<Eigen::Index>(t), j) = y[target] - f[j];
    }
  }
  for (Eigen::Index j = 0; j < h; ++j) {
    neumaier_sum<double> sq, ab;
    std::size_t count = 0;
    for (Eigen::Index t = 0; t < r.errors.rows(); ++t) {
      const double e = r.errors(t, j);
      if (std::isnan(e)) continue;
      sq.update(e * e);
      ab.update(std::fabs(e));
      ++count;
    }
    r.count.push_back(count);
    r.rmse.push_back(count ? std::sqrt(sq.result() / static_cast<double>(count))
                           : std::numeric_limits<double>::quiet_NaN());
    r.mae.push_back(count ? ab.result() / static_cast<double>(count)
                          : std::numeric_limits<double>::quiet_NaN());
  }
  return r;
}

/// \brief Builds the design of a candidate model for `n` rows starting at series row
/// `first_row` (so seasonal and calendar terms keep their phase in sliding windows).
using design_factory = std::function<ts_design(std::size_t n, std::size_t first_row)>;

/// \brief A forecaster for rolling_origin() that fits tslm() on each training window.
template <class = void>
forecaster tslm_forecaster(design_factory factory, tslm_options options = {}) {
  return [factory = std::move(factory), options](span<const double> train, std::size_t first_row,
                                                 std::size_t h) {
    return forecast(tslm(factory(train.size(), first_row), train, options), h,
                    default_levels())
        .mean;
  };
}

/// \brief How select_design() compares candidates.
enum class selection_criterion {
  aicc,         ///< AICc of summarize() (R's AIC counting sigma, small-sample corrected)
  loo_cv,       ///< leave-one-out MSE mean((e_i / (1 - h_i))^2), forecast::CV's "CV"
  rolling_origin ///< mean over horizons of the rolling-origin RMSE (cv_options)
};

/// \brief Scores of every candidate and the best one (smallest score).
struct design_selection {
  std::vector<double> scores; ///< one per candidate; +inf when its fit threw
  std::size_t best = 0;       ///< index of the smallest score
};

/// \brief Prints the scores, for debugging.
inline std::ostream& operator<<(std::ostream& out, const design_selection& s) {
  out << "design_selection{best=" << s.best << ", scores=[";
  for (std::size_t i = 0; i < s.scores.size(); ++i) out << (i ? ", " : "") << s.scores[i];
  return out << "]}";
}

/// \brief Chooses among candidate designs for the series y by AICc, leave-one-out CV or
/// rolling-origin CV. Candidates compared by AICc or LOO must see the same rows (the same
/// largest lag), since both are sums over the fitted rows.
/// \throws salesops::empty_input when there is no candidate, salesops::numerical_error when
/// every candidate fails; otherwise as tslm() and rolling_origin().
template <class = void>
design_selection select_design(span<const double> y,
                               const std::vector<design_factory>& candidates,
                               selection_criterion criterion, const tslm_options& options = {},
                               const cv_options& cv = {}) {
  constexpr const char* fn = "forecast::select_design";
  check_non_empty(fn, "candidates", candidates.size());
  check_non_empty(fn, "y", y.size());
  check_finite(fn, "y", y);
  // Bad data is the caller's to fix, not a weak candidate: reject it before scoring.
  if (options.lambda) box_cox(y, *options.lambda);
  design_selection s;
  for (const design_factory& make : candidates) {
    double score = std::numeric_limits<double>::infinity();
    try {
      if (criterion == selection_criterion::rolling_origin) {
        const cv_result r = rolling_origin(y, tslm_forecaster(make, options), cv);
        neumaier_sum<double> total;
        for (double v : r.rmse) total.update(v);
        score = total.result() / static_cast<double>(r.rmse.size());
      } else {
        const ts_design d = make(y.size(), 0);
        const tslm_model m = tslm(d, y, options);
        if (criterion == selection_criterion::aicc) {
          score = summarize(m.model).aicc;
        } else {
          const Eigen::VectorXd hat = m.model.hat_values(d.observed().predictors());
          neumaier_sum<double> total;
          for (Eigen::Index i = 0; i < hat.size(); ++i) {
            const double e = m.model.residuals[i] / (1.0 - hat[i]);
            total.update(e * e);
          }
          score = total.result() / static_cast<double>(hat.size());
        }
      }
    } catch (const salesops::error&) {
      // too many columns for the rows, aliased columns...: this candidate cannot be scored
    }
    if (std::isnan(score)) score = std::numeric_limits<double>::infinity();
    s.scores.push_back(score);
    if (score < s.scores[s.best]) s.best = s.scores.size() - 1;
  }
  if (std::isinf(s.scores[s.best]))
    SALESOPS_THROW(numerical_error, fn, "candidates", no_row, "could not be scored: every fit failed");
  return s;
}

} // namespace salesops::forecast

#endif // SALESOPS_FORECAST_EVALUATION_HPP
