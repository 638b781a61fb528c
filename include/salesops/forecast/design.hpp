// Time-series regression designs: the columns of R's forecast::tslm (`trend`, `season`),
// forecast::fourier terms, Prophet-style changepoint hinges and holiday windows, fiscal
// calendar effects, lagged values and external regressors, built for the observed rows and
// for any number of future rows from one description.
//
// Reference: `y ~ trend + season` reproduces model.matrix(tslm(y ~ trend + season)) exactly
// (trend = 1..n, dummies for seasons 2..F, season 1 the baseline); fourier() reproduces
// forecast::fourier(x, K) (columns S1-P, C1-P, ..., sine dropped where it is identically 0).
#ifndef SALESOPS_FORECAST_DESIGN_HPP
#define SALESOPS_FORECAST_DESIGN_HPP

#include <Eigen/Dense>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::forecast {

/// \brief A design matrix with its column names.
struct design_matrix {
  Eigen::MatrixXd x;              ///< one row per time point, one column per term
  std::vector<std::string> names; ///< column names (R's names where R has the term)
  std::size_t first_row = 0;      ///< series row (0-based) of x's first row
  bool intercept = false;         ///< column 0 is the intercept "(Intercept)" (all ones)

  /// \brief The predictor columns without the intercept, as forecast::fit() takes them
  /// (it adds the intercept itself, centring the other columns).
  Eigen::MatrixXd predictors() const { return intercept ? x.rightCols(x.cols() - 1) : x; }
};

/// \brief Prints the names and the first rows, for debugging.
inline std::ostream& operator<<(std::ostream& out, const design_matrix& d) {
  out << "design_matrix{rows=" << d.x.rows() << ", first_row=" << d.first_row << ", columns=[";
  for (std::size_t j = 0; j < d.names.size(); ++j) out << (j ? ", " : "") << d.names[j];
  return out << "]}";
}

/// \brief Builder of a time-series regression design for a series of `n` observed rows.
///
/// Rows are indexed from 0; row i is time point t = i + 1 (R's `trend`). Terms are added in
/// call order and become columns in that order; observed() gives the n observed rows (minus
/// the first max-lag rows when lag() is used) and future(h) the rows n .. n + h - 1.
///
/// Lagged values of y: lag(y, k) makes rows available from row k on, so observed() starts at
/// row max k (design_matrix::first_row) and the response must be cut the same way. A future
/// row n + j (j = 0 .. h-1) needs y[n + j - k], which is observed only when j < k: future(h)
/// therefore accepts h <= k ("direct" forecasting: one model per horizon range) and throws
/// otherwise, rather than silently plugging in forecasts whose error the intervals ignore.
class ts_design {
public:
  /// \brief A design for `n` observed rows of a series with seasonal period `frequency`
  /// (1 = no seasonality); row 0 is in season `first_season` (1-based, R's cycle()).
  /// \throws salesops::empty_input when n == 0, salesops::out_of_range_value for a
  /// frequency < 1 or first_season outside 1..frequency.
  explicit ts_design(std::size_t n, int frequency = 1, int first_season = 1)
      : n_(n), frequency_(frequency), first_season_(first_season) {
    check_non_empty("ts_design", "n", n);
    if (frequency < 1)
      SALESOPS_THROW(out_of_range_value, "ts_design", "frequency", no_row, "is ", frequency,
                     ", must be >= 1");
    check_in_range("ts_design", "first_season", first_season, 1, frequency);
  }

  /// \brief Number of observed rows of the series.
  std::size_t size() const noexcept { return n_; }
  /// \brief Seasonal period.
  int frequency() const noexcept { return frequency_; }
  /// \brief Number of columns added so far.
  std::size_t columns() const noexcept { return terms_.size(); }
  /// \brief First series row with every lag available (0 without lags).
  std::size_t first_row() const noexcept { return first_row_; }
  /// \brief Column names in column order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& t : terms_) out.push_back(t.name);
    return out;
  }

  /// \brief Column of ones, named "(Intercept)" as R does. It is always column 0, whenever
  /// it is called, so design_matrix::predictors() can hand the rest to forecast::fit().
  ts_design& intercept() {
    if (!intercept_) terms_.insert(terms_.begin(), term{"(Intercept)", [](std::int64_t) { return 1.0; },
                                                        static_cast<std::size_t>(-1)});
    intercept_ = true;
    return *this;
  }
  /// \brief True when intercept() was called.
  bool has_intercept() const noexcept { return intercept_; }

  /// \brief Linear trend t = 1, 2, ..., n, n+1, ... (R's tslm `trend`). The fit centres and
  /// scales it, so the raw values cost no accuracy.
  ts_design& trend() {
    return add("trend", [](std::int64_t row) { return static_cast<double>(row + 1); });
  }

  /// \brief Polynomial trend of the given degree as Legendre polynomials P_1..P_degree of
  /// s = (2t - (n + 1)) / (n - 1), which maps the observed t = 1..n onto [-1, 1].
  ///
  /// Why: raw powers t, t^2, ... of t = 1..1000 have a condition number near 10^20 at
  /// degree 6; the Legendre basis spans the same space and stays near-orthogonal on the
  /// observed rows, so forecasts keep full precision. Columns "poly1".."polyD".
  /// \throws salesops::out_of_range_value when degree < 1 or degree >= n.
  ts_design& polynomial_trend(int degree) {
    if (degree < 1 || static_cast<std::size_t>(degree) >= n_)
      SALESOPS_THROW(out_of_range_value, "ts_design::polynomial_trend", "degree", no_row, "is ",
                     degree, ", must be in 1..n-1 (n = ", n_, ")");
    const double n = static_cast<double>(n_);
    for (int d = 1; d <= degree; ++d)
      add("poly" + std::to_string(d), [n, d](std::int64_t row) {
        const double t = static_cast<double>(row + 1);
        const double s = n > 1 ? (2.0 * t - (n + 1.0)) / (n - 1.0) : 0.0;
        return legendre(d, s);
      });
    return *this;
  }

  /// \brief Seasonal dummies "season2".."seasonF" (season 1 is the baseline), exactly R's
  /// tslm `season` factor under treatment contrasts.
  /// \throws salesops::out_of_range_value when frequency == 1 (R: "Non-seasonal data cannot
  /// be modelled using a seasonal factor").
  ts_design& season() {
    if (frequency_ < 2)
      SALESOPS_THROW(out_of_range_value, "ts_design::season", "frequency", no_row,
                     "is 1: non-seasonal data cannot have a seasonal factor");
    for (int s = 2; s <= frequency_; ++s)
      // Captures by value: the design may be copied or moved after this call.
      add("season" + std::to_string(s), [f = frequency_, s0 = first_season_, s](std::int64_t row) {
        return season_of(row, f, s0) == s ? 1.0 : 0.0;
      });
    return *this;
  }

  /// \brief Fourier terms sin(2 pi k t / period), cos(2 pi k t / period), k = 1..order, as
  /// forecast::fourier: columns "Sk-P", "Ck-P" (P = period rounded), the sine dropped when
  /// 2k = period (it is identically 0). Arguments are reduced exactly before sin/cos, like
  /// R's sinpi/cospi, so the columns agree with R to the last bits.
  /// \throws salesops::out_of_range_value when period <= 1, order < 1 or 2 order > period.
  ts_design& fourier(double period, int order) {
    check_finite("ts_design::fourier", "period", period);
    if (!(period > 1.0))
      SALESOPS_THROW(out_of_range_value, "ts_design::fourier", "period", no_row, "is ", period,
                     ", must be > 1");
    if (order < 1 || 2.0 * order > period)
      SALESOPS_THROW(out_of_range_value, "ts_design::fourier", "order", no_row, "is ", order,
                     ", must be in 1..period/2 (period = ", period, ")");
    const std::string suffix = "-" + std::to_string(static_cast<long long>(std::round(period)));
    for (int k = 1; k <= order; ++k) {
      const double p = k / period;
      if (std::fabs(2.0 * p - std::round(2.0 * p)) > 2.220446049250313e-16)
        add("S" + std::to_string(k) + suffix, [p](std::int64_t row) {
          return sinpi(2.0 * p * static_cast<double>(row + 1));
        });
      add("C" + std::to_string(k) + suffix, [p](std::int64_t row) {
        return cospi(2.0 * p * static_cast<double>(row + 1));
      });
    }
    return *this;
  }

  /// \brief Fiscal-quarter dummies "fq2".."fq4" for a monthly series (fiscal quarter 1 is the
  /// baseline). `first_month` is the calendar month (1-12) of row 0 and
  /// `fiscal_year_start` the calendar month the fiscal year starts in (1 = calendar year).
  /// \throws salesops::out_of_range_value unless frequency == 12 and both months are 1..12.
  ts_design& fiscal_quarter(int first_month, int fiscal_year_start) {
    check_months("ts_design::fiscal_quarter", first_month, fiscal_year_start);
    for (int q = 2; q <= 4; ++q)
      add("fq" + std::to_string(q), [first_month, fiscal_year_start, q](std::int64_t row) {
        return fiscal_month(row, first_month, fiscal_year_start) / 3 + 1 == q ? 1.0 : 0.0;
      });
    return *this;
  }

  /// \brief Quarter-end effect "quarter_end": 1 in the last month of each fiscal quarter (the
  /// month sales teams push deals into), 0 otherwise. Arguments as fiscal_quarter().
  ts_design& quarter_end(int first_month, int fiscal_year_start) {
    check_months("ts_design::quarter_end", first_month, fiscal_year_start);
    return add("quarter_end", [first_month, fiscal_year_start](std::int64_t row) {
      return fiscal_month(row, first_month, fiscal_year_start) % 3 == 2 ? 1.0 : 0.0;
    });
  }

  /// \brief Fiscal-year-end effect "year_end": 1 in the last month of the fiscal year.
  /// Arguments as fiscal_quarter().
  ts_design& year_end(int first_month, int fiscal_year_start) {
    check_months("ts_design::year_end", first_month, fiscal_year_start);
    return add("year_end", [first_month, fiscal_year_start](std::int64_t row) {
      return fiscal_month(row, first_month, fiscal_year_start) == 11 ? 1.0 : 0.0;
    });
  }

  /// \brief Event (holiday, launch, price change) dummies with a window: for each offset
  /// d = -lead..lag a column "name[d]" that is 1 on rows e + d for every event row e. Event
  /// rows may lie before row 0 or in the future (>= n), as planned events do. One column per
  /// offset, as Prophet's holiday windows, so the effect may differ before and after.
  /// \throws salesops::negative_value when lead or lag < 0.
  ts_design& event(const std::string& name, span<const std::int64_t> rows, int lead = 0,
                   int lag = 0) {
    check_non_negative("ts_design::event", "lead", lead);
    check_non_negative("ts_design::event", "lag", lag);
    std::vector<std::int64_t> at(rows.begin(), rows.end());
    for (int d = -lead; d <= lag; ++d)
      add(name + "[" + (d > 0 ? "+" : "") + std::to_string(d) + "]",
          [at, d](std::int64_t row) {
            for (std::int64_t e : at)
              if (row == e + d) return 1.0;
            return 0.0;
          });
    return *this;
  }

  /// \brief Piecewise-linear trend change: the hinge max(0, t - at), t = row + 1, named
  /// "cp(at)". With trend() it lets the slope change at t = at (Prophet's changepoints).
  /// \throws salesops::not_finite for a NaN or infinite `at`.
  ts_design& changepoint(double at) {
    check_finite("ts_design::changepoint", "at", at);
    std::ostringstream name;
    name << "cp(" << at << ")";
    return add(name.str(), [at](std::int64_t row) {
      const double t = static_cast<double>(row + 1);
      return t > at ? t - at : 0.0;
    });
  }

  /// \brief Lagged value y[row - k], named "lag k". See the class comment for the rows it
  /// removes at the start and the horizons (<= k) it allows.
  /// \throws salesops::length_mismatch unless y has n rows, salesops::not_finite,
  /// salesops::out_of_range_value unless 1 <= k < n.
  ts_design& lag(span<const double> y, int k) {
    check_equal_lengths("ts_design::lag", "n", n_, "y", y.size());
    check_finite("ts_design::lag", "y", y);
    if (k < 1 || static_cast<std::size_t>(k) >= n_)
      SALESOPS_THROW(out_of_range_value, "ts_design::lag", "k", no_row, "is ", k,
                     ", must be in 1..n-1 (n = ", n_, ")");
    std::vector<double> values(y.begin(), y.end());
    const auto uk = static_cast<std::size_t>(k);
    if (uk > first_row_) first_row_ = uk;
    return add("lag" + std::to_string(k),
               [values = std::move(values), k](std::int64_t row) {
                 return values[static_cast<std::size_t>(row - k)];
               },
               uk);
  }

  /// \brief External regressor (pipeline coverage, headcount, marketing spend...):
  /// `observed` has n values; `future` holds its known or planned values for rows n, n+1,
  /// ..., and bounds the horizon future() accepts.
  /// \throws salesops::length_mismatch unless observed has n rows, salesops::not_finite
  /// naming the row of a NaN or infinite value.
  ts_design& regressor(const std::string& name, span<const double> observed,
                       span<const double> future = {}) {
    check_equal_lengths("ts_design::regressor", "n", n_, "observed", observed.size());
    check_finite("ts_design::regressor", "observed", observed);
    check_finite("ts_design::regressor", "future", future);
    std::vector<double> values(observed.begin(), observed.end());
    values.insert(values.end(), future.begin(), future.end());
    return add(name,
               [values = std::move(values)](std::int64_t row) {
                 return values[static_cast<std::size_t>(row)];
               },
               future.size());
  }

  /// \brief The observed rows first_row() .. n - 1.
  /// \throws salesops::empty_input when no column was added.
  design_matrix observed() const { return rows_between("ts_design::observed", first_row_, n_); }

  /// \brief The future rows n .. n + h - 1.
  /// \throws salesops::out_of_range_value when h == 0 or h exceeds what a lag or a
  /// regressor's future values allow (naming the column); salesops::empty_input when no
  /// column was added.
  design_matrix future(std::size_t h) const {
    if (h == 0)
      SALESOPS_THROW(out_of_range_value, "ts_design::future", "h", no_row, "is 0, must be >= 1");
    // Series rows are 64-bit signed: n + h must stay one.
    if (h > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max()) - n_)
      SALESOPS_THROW(out_of_range_value, "ts_design::future", "h", no_row, "is ", h, ": rows past ",
                     n_, " + h are beyond a 64-bit row number");
    for (const auto& t : terms_)
      if (h > t.max_horizon)
        SALESOPS_THROW(out_of_range_value, "ts_design::future", "h", no_row, "is ", h,
                       " but column '", t.name, "' is known only ", t.max_horizon,
                       " rows ahead");
    return rows_between("ts_design::future", n_, n_ + h);
  }

private:
  struct term {
    std::string name;
    std::function<double(std::int64_t)> value; // value at series row (0-based; >= n: future)
    std::size_t max_horizon;                   // future rows this column can produce
  };

  ts_design& add(std::string name, std::function<double(std::int64_t)> value,
                 std::size_t max_horizon = static_cast<std::size_t>(-1)) {
    terms_.push_back({std::move(name), std::move(value), max_horizon});
    return *this;
  }

  design_matrix rows_between(const char* function, std::size_t begin, std::size_t end) const {
    if (terms_.empty()) SALESOPS_THROW(empty_input, function, "columns", no_row, "is empty");
    design_matrix d;
    d.first_row = begin;
    d.intercept = intercept_;
    d.names = names();
    d.x.resize(static_cast<Eigen::Index>(end - begin), static_cast<Eigen::Index>(terms_.size()));
    for (std::size_t j = 0; j < terms_.size(); ++j)
      for (std::size_t i = begin; i < end; ++i)
        d.x(static_cast<Eigen::Index>(i - begin), static_cast<Eigen::Index>(j)) =
            terms_[j].value(static_cast<std::int64_t>(i));
    return d;
  }

  // Season (1-based, R's cycle()) of series row `row`.
  static int season_of(std::int64_t row, int frequency, int first_season) noexcept {
    return static_cast<int>((row + first_season - 1) % frequency) + 1;
  }

  void check_months(const char* function, int first_month, int fiscal_year_start) const {
    if (frequency_ != 12)
      SALESOPS_THROW(out_of_range_value, function, "frequency", no_row, "is ", frequency_,
                     ", fiscal-calendar terms need a monthly series (12)");
    check_in_range(function, "first_month", first_month, 1, 12);
    check_in_range(function, "fiscal_year_start", fiscal_year_start, 1, 12);
  }

  // Month of the fiscal year (0 = first) of series row `row`.
  static int fiscal_month(std::int64_t row, int first_month, int fiscal_year_start) noexcept {
    return static_cast<int>((row + first_month - fiscal_year_start + 12) % 12);
  }

  // sin(pi x) and cos(pi x) with x reduced exactly (fmod) into (-1, 1] first, exactly as
  // R's sinpi/cospi (nmath/cospi.c), so the columns match forecast::fourier bit for bit.
  static double sinpi(double x) noexcept {
    x = std::fmod(x, 2.0);
    if (x <= -1.0) x += 2.0;
    else if (x > 1.0) x -= 2.0;
    if (x == 0.0 || x == 1.0) return 0.0;
    if (x == 0.5) return 1.0;
    if (x == -0.5) return -1.0;
    return std::sin(3.14159265358979323846 * x);
  }
  static double cospi(double x) noexcept {
    x = std::fmod(std::fabs(x), 2.0);
    if (std::fmod(x, 1.0) == 0.5) return 0.0;
    if (x == 1.0) return -1.0;
    if (x == 0.0) return 1.0;
    return std::cos(3.14159265358979323846 * x);
  }

  // Legendre polynomial P_d(s) by Bonnet's recurrence.
  static double legendre(int d, double s) noexcept {
    double p0 = 1.0, p1 = s;
    for (int k = 1; k < d; ++k) {
      const double p2 = ((2.0 * k + 1.0) * s * p1 - k * p0) / (k + 1.0);
      p0 = p1;
      p1 = p2;
    }
    return d == 0 ? p0 : p1;
  }

  std::size_t n_;
  int frequency_;
  int first_season_;
  std::size_t first_row_ = 0;
  bool intercept_ = false;
  std::vector<term> terms_;
};

/// \brief The design of R's `tslm(y ~ trend + season)` (`trend` only when frequency == 1)
/// for n rows whose first row is series row `first_row` (season first_row % frequency + 1;
/// the trend still starts at 1, as tslm on a window of the series does).
/// \throws as ts_design.
inline ts_design tslm_design(std::size_t n, int frequency, std::size_t first_row = 0) {
  ts_design d(n, frequency,
              frequency > 0 ? static_cast<int>(first_row % static_cast<std::size_t>(frequency)) + 1 : 1);
  d.intercept().trend();
  if (frequency > 1) d.season();
  return d;
}

} // namespace salesops::forecast

#endif // SALESOPS_FORECAST_DESIGN_HPP
