// Many series on one design (per rep, account or product, all monthly over the same
// months): one factorisation, every series solved as a right-hand side of it.
//
// The design is centred, scaled and checked for rank by forecast::fit() on the first series
// (its rank test depends on X only), then Householder-factorised once; Q' is applied to the
// n x m matrix of centred responses in one blocked pass. Per series s: coefficients
// R^-1 (Q'y_s)[0:k], RSS_s = |(Q'y_s)[k:n]|^2 (the residual part of Q'y, no cancellation),
// sigma_s = sqrt(RSS_s / df). Forecast rows share the leverage v_i = 1/n + |R^-T u_i|^2, so
// the prediction standard error is sigma_s sqrt(1 + v_i) and the interval is
// mean -/+ qt((1 + level)/2, df) se: exactly forecast() of each series' own tslm fit.
//
// Compile time: fit_batch and forecast_batch are function templates with one unused, defaulted
// parameter, so that only translation units calling them instantiate the QR, the fit and
// Boost.Math's t quantile (see linear_model.hpp).
#ifndef SALESOPS_FORECAST_BATCH_HPP
#define SALESOPS_FORECAST_BATCH_HPP

#include <Eigen/Dense>
#include <boost/math/distributions/students_t.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <ostream>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/forecast/design.hpp"
#include "salesops/forecast/forecast.hpp"
#include "salesops/forecast/linear_model.hpp"

namespace salesops::forecast {

/// \brief Fits of many series sharing one design.
struct batch_fit {
  Eigen::MatrixXd coefficients; ///< q x m: column s holds series s's coefficients, intercept first
  Eigen::VectorXd sigma;        ///< m residual standard errors
  std::size_t df_residual = 0;  ///< n - rank, shared by every series
  linear_model shared;          ///< the design's factorisation (fit of series 0; use its factor)
};

/// \brief Prints the shape and the first series' coefficients, for debugging.
inline std::ostream& operator<<(std::ostream& out, const batch_fit& b) {
  out << "batch_fit{series=" << b.coefficients.cols() << ", coefficients=" << b.coefficients.rows()
      << ", df=" << b.df_residual;
  if (b.sigma.size() > 0) out << ", sigma[0]=" << b.sigma[0];
  return out << "}";
}

/// \brief Forecasts of many series (columns) at several levels.
struct batch_forecast {
  Eigen::MatrixXd mean;              ///< h x m point forecasts
  std::vector<double> levels;        ///< levels in percent
  std::vector<Eigen::MatrixXd> lower; ///< per level: h x m lower bounds
  std::vector<Eigen::MatrixXd> upper; ///< per level: h x m upper bounds
  interval_kind kind = interval_kind::prediction; ///< prediction or confidence intervals
};

/// \brief Prints the shape, for debugging.
inline std::ostream& operator<<(std::ostream& out, const batch_forecast& f) {
  out << "batch_forecast{h=" << f.mean.rows() << ", series=" << f.mean.cols() << ", levels=[";
  for (std::size_t l = 0; l < f.levels.size(); ++l) out << (l ? ", " : "") << f.levels[l];
  return out << "]}";
}

/// \brief Fits every column of Y on the design `d` with one factorisation.
/// \param d observed design rows (ts_design::observed()); its intercept flag is honoured.
/// \param Y n x m responses, one series per column (column-major: each series contiguous).
/// \param policy rank policy as forecast::fit() (aliased coefficients NaN under drop).
/// \throws salesops::length_mismatch when Y's rows differ from the design's;
/// salesops::empty_input when Y has no column; salesops::not_finite naming the row and
/// series of a NaN or infinite value; and what forecast::fit() throws for the design.
template <class = void>
batch_fit fit_batch(const design_matrix& d, const Eigen::Ref<const Eigen::MatrixXd>& Y,
                    rank_policy policy = rank_policy::error) {
  constexpr const char* fn = "forecast::fit_batch";
  check_equal_lengths(fn, "design rows", static_cast<std::size_t>(d.x.rows()), "Y rows",
                      static_cast<std::size_t>(Y.rows()));
  check_non_empty(fn, "Y columns", static_cast<std::size_t>(Y.cols()));
  for (Eigen::Index s = 0; s < Y.cols(); ++s)
    for (Eigen::Index i = 0; i < Y.rows(); ++i)
      if (!std::isfinite(Y(i, s)))
        SALESOPS_THROW(not_finite, fn, "Y", static_cast<std::size_t>(i), "series ", s, " is ", Y(i, s));
  const Eigen::MatrixXd X = d.predictors();
  lm_options options;
  options.intercept = d.intercept;
  options.on_rank_deficiency = policy;
  batch_fit b;
  b.shared = fit(X, Y.col(0), options);
  b.df_residual = b.shared.df_residual;
  const lm_factorization& f = b.shared.factor;
  const auto k = static_cast<Eigen::Index>(f.kept.size());
  const Eigen::Index n = Y.rows(), m = Y.cols();

  Eigen::MatrixXd Z = b.shared.factor_rows(X); // centred, scaled kept columns
  Eigen::HouseholderQR<Eigen::Ref<Eigen::MatrixXd>> qr(Z);
  Eigen::RowVectorXd y_center = Eigen::RowVectorXd::Zero(m);
  if (d.intercept) y_center = Y.colwise().mean();
  Eigen::MatrixXd qty = Y.rowwise() - y_center;
  qty.applyOnTheLeft(qr.householderQ().adjoint());
  const Eigen::MatrixXd a =
      Z.topRows(k).triangularView<Eigen::Upper>().solve(qty.topRows(k)); // k x m, scaled basis
  b.sigma = (qty.bottomRows(n - k).colwise().squaredNorm().array() /
             static_cast<double>(b.df_residual)).sqrt().transpose();

  const Eigen::Index off = d.intercept ? 1 : 0;
  b.coefficients = Eigen::MatrixXd::Constant(X.cols() + off, m, std::numeric_limits<double>::quiet_NaN());
  Eigen::VectorXd kept_center(k), kept_scale(k);
  for (Eigen::Index c = 0; c < k; ++c) {
    const Eigen::Index j = f.kept[static_cast<std::size_t>(c)];
    kept_center[c] = f.center[j];
    kept_scale[c] = f.scale[j];
  }
  const Eigen::MatrixXd slopes = kept_scale.cwiseInverse().asDiagonal() * a;
  for (Eigen::Index c = 0; c < k; ++c)
    b.coefficients.row(off + f.kept[static_cast<std::size_t>(c)]) = slopes.row(c);
  if (d.intercept) b.coefficients.row(0) = y_center - kept_center.transpose() * slopes;
  return b;
}

/// \brief Forecasts every series of a batch fit at the future design rows.
/// \param b a fit_batch() result; \param future future rows (ts_design::future(h)).
/// \param levels levels in percent, each in (0, 100); \param kind prediction or confidence.
/// \throws salesops::length_mismatch when the future design has other columns;
/// salesops::out_of_range_value for a level outside (0, 100).
template <class = void>
batch_forecast forecast_batch(const batch_fit& b, const design_matrix& future,
                              span<const double> levels = default_levels(),
                              interval_kind kind = interval_kind::prediction) {
  constexpr const char* fn = "forecast::forecast_batch";
  check_non_empty(fn, "levels", levels.size());
  for (std::size_t l = 0; l < levels.size(); ++l)
    if (!(levels[l] > 0 && levels[l] < 100))
      SALESOPS_THROW(out_of_range_value, fn, "levels", l, "is ", levels[l],
                     ", must be a percentage in (0, 100)");
  const Eigen::MatrixXd X = future.predictors();
  const Eigen::Index off = b.shared.intercept ? 1 : 0;
  check_equal_lengths(fn, "coefficients", static_cast<std::size_t>(b.coefficients.rows() - off),
                      "future columns", static_cast<std::size_t>(X.cols()));
  batch_forecast out;
  out.kind = kind;
  out.levels.assign(levels.begin(), levels.end());
  // Means from the coefficients; aliased (NaN) coefficients multiply columns that the kept
  // ones span, so they are skipped like R's predict (which drops NA coefficients).
  Eigen::MatrixXd coefficients = b.coefficients;
  for (std::size_t j = 0; j < b.shared.aliased.size(); ++j)
    if (b.shared.aliased[j]) coefficients.row(static_cast<Eigen::Index>(j)).setZero();
  out.mean = X * coefficients.bottomRows(X.cols());
  if (off) out.mean.rowwise() += coefficients.row(0);
  // Shared leverage of each future row: 1/n + |R^-T u|^2 (as linear_model::predict).
  const Eigen::MatrixXd V = b.shared.factor_rows(X) * b.shared.factor.r_inverse;
  Eigen::ArrayXd leverage = V.rowwise().squaredNorm().array();
  if (off) leverage += 1.0 / b.shared.factor.sum_weights;
  const Eigen::ArrayXd unit_se =
      (kind == interval_kind::prediction ? leverage + 1.0 : leverage).sqrt();
  const Eigen::MatrixXd se = unit_se.matrix() * b.sigma.transpose(); // h x m
  const boost::math::students_t_distribution<double> t(static_cast<double>(b.df_residual));
  for (double level : levels) {
    const double tfrac = boost::math::quantile(t, (1.0 - level / 100.0) / 2.0); // < 0
    out.lower.push_back(out.mean + tfrac * se);
    out.upper.push_back(out.mean - tfrac * se);
  }
  return out;
}

} // namespace salesops::forecast

#endif // SALESOPS_FORECAST_BATCH_HPP
