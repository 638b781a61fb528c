// Tests for salesops/forecast/evaluation.hpp against forecast::accuracy, tsCV and CV.
#include <salesops/forecast/evaluation.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

namespace fc = salesops::forecast;
using Catch::Matchers::Contains;

namespace {

// R: s12 <- ts(c(...), frequency=12) (the same series as test_forecast.cpp).
const std::vector<double> s12 = {
    293.12, 330.87, 370.6,  373.97, 355.01, 325.86, 307.59, 315.42, 255.88, 271.9,
    286.57, 273.21, 336.97, 395.12, 353.67, 398.57, 397.84, 364.65, 363.95, 325.75,
    278.75, 319.56, 327.43, 357.92, 400.81, 412.24, 432.35, 415.02, 448.27, 404.76,
    380.95, 337.7,  324.69, 328.38, 375.82, 334.36, 378.85, 445.79, 494.83, 488.57};

fc::ts_design trend_season(std::size_t n, std::size_t first_row) {
  return fc::tslm_design(n, 12, first_row);
}

void check_digits(double actual, double expected, double digits = 10) {
  INFO("actual " << actual << " expected " << expected);
  CHECK(std::fabs(actual - expected) <= std::pow(10.0, -digits) * std::fabs(expected));
}

} // namespace

TEST_CASE("accuracy equals forecast::accuracy on a test set", "[forecast][evaluation]") {
  // R: train <- window(s12, end=c(3,4)); test <- window(s12, start=c(3,5))
  //    f <- forecast(tslm(train ~ trend + season), h=12); accuracy(f, test)[2, ]
  //    ME -8.2127777777777542 RMSE 24.967142745400626 MAE 20.456770833333309
  //    MPE -2.730438836709927 MAPE 5.3864004862298573 MASE 0.48842513144215743
  const std::vector<double> train(s12.begin(), s12.begin() + 28);
  const std::vector<double> test(s12.begin() + 28, s12.end());
  const fc::forecast_result f = fc::forecast(fc::tslm(train, 12), 12);
  const std::vector<double> mean(f.mean.data(), f.mean.data() + f.mean.size());
  const fc::accuracy_measures a = fc::accuracy(test, mean, train, 12);
  check_digits(a.me, -8.2127777777777542);
  check_digits(a.rmse, 24.967142745400626);
  check_digits(a.mae, 20.456770833333309);
  check_digits(a.mpe, -2.730438836709927);
  check_digits(a.mape, 5.3864004862298573);
  check_digits(a.mase, 0.48842513144215743);
  CHECK(a.n == 12);
  // sMAPE and WAPE by brute force from their definitions.
  double smape = 0, abs_e = 0, abs_a = 0;
  for (std::size_t i = 0; i < test.size(); ++i) {
    smape += 200.0 * std::fabs(test[i] - mean[i]) / (std::fabs(test[i]) + std::fabs(mean[i]));
    abs_e += std::fabs(test[i] - mean[i]);
    abs_a += std::fabs(test[i]);
  }
  check_digits(a.smape, smape / 12.0, 13);
  check_digits(a.wape, 100.0 * abs_e / abs_a, 13);
}

TEST_CASE("accuracy, coverage and pinball by hand", "[forecast][evaluation]") {
  // Hand derivation: actual {10, 20, 40}, forecast {12, 18, 40}: e = {-2, 2, 0}.
  // ME 0, RMSE sqrt(8/3), MAE 4/3, MPE 100(-0.2 + 0.1 + 0)/3 = -10/3, MAPE 10,
  // sMAPE 200/3 (2/22 + 2/38), WAPE 100 * 4 / 70. Training {1, 2, 4, 7}: naive MASE scale
  // mean(1, 2, 3) = 2, MASE = (4/3) / 2.
  const std::vector<double> actual = {10, 20, 40}, f = {12, 18, 40}, training = {1, 2, 4, 7};
  const fc::accuracy_measures a = fc::accuracy(actual, f, training, 1);
  CHECK(a.me == Approx(0.0).margin(1e-15));
  CHECK(a.rmse == Approx(std::sqrt(8.0 / 3.0)).epsilon(1e-15));
  CHECK(a.mae == Approx(4.0 / 3.0).epsilon(1e-15));
  CHECK(a.mpe == Approx(-10.0 / 3.0).epsilon(1e-14));
  CHECK(a.mape == Approx(10.0).epsilon(1e-14));
  CHECK(a.smape == Approx(200.0 / 3.0 * (2.0 / 22.0 + 2.0 / 38.0)).epsilon(1e-14));
  CHECK(a.wape == Approx(400.0 / 70.0).epsilon(1e-14));
  CHECK(a.mase == Approx(2.0 / 3.0).epsilon(1e-15));
  const fc::accuracy_measures no_training = fc::accuracy(actual, f);
  CHECK(std::isnan(no_training.mase));

  // Coverage: 10 in [9, 11], 20 not in [21, 25], 40 in [40, 41] (closed interval): 2/3.
  const std::vector<double> lo = {9, 21, 40}, hi = {11, 25, 41};
  CHECK(fc::interval_coverage(actual, lo, hi) == Approx(2.0 / 3.0));
  // Pinball at tau = 0.9: u = {-2, 2, 0}: (0.1*2 + 0.9*2 + 0) / 3 = 2/3; at 0.5 it is MAE/2.
  CHECK(fc::pinball_loss(actual, f, 0.9) == Approx(2.0 / 3.0).epsilon(1e-15));
  CHECK(fc::pinball_loss(actual, f, 0.5) == Approx(a.mae / 2).epsilon(1e-15));
}

TEST_CASE("accuracy on zero actuals: infinite percentage errors, exact zeros count 0",
          "[forecast][evaluation]") {
  const double inf = std::numeric_limits<double>::infinity();
  // R 4.2.2, forecast 8.20: accuracy(c(1, 1, 3), c(0, 2, 4)) -> MPE -Inf, MAPE Inf;
  // e = {-1, 1, 1}: ME 1/3, MAE 1, WAPE 100 * 3 / 6 = 50.
  const std::vector<double> one_zero = {0, 2, 4}, f1 = {1, 1, 3};
  const fc::accuracy_measures a1 = fc::accuracy(one_zero, f1);
  CHECK(a1.mpe == -inf);
  CHECK(a1.mape == inf);
  CHECK(a1.zero_actuals == 1);
  CHECK(a1.me == Approx(1.0 / 3.0).epsilon(1e-15));
  CHECK(a1.wape == Approx(50.0).epsilon(1e-15));
  // accuracy(c(1, -1, 3), c(0, 0, 4)) -> MPE NaN (Inf - Inf: undefined), MAPE Inf.
  const std::vector<double> two_zeros = {0, 0, 4}, f2 = {1, -1, 3};
  const fc::accuracy_measures a2 = fc::accuracy(two_zeros, f2);
  CHECK(std::isnan(a2.mpe));
  CHECK(a2.mape == inf);
  CHECK(a2.zero_actuals == 2);
  // Actual and forecast both 0 is an exact forecast: its percentage error is 0, not 0/0.
  // Hand derivation: e/a = {0, 1/2, 1/4}, MPE = MAPE = 100 (0 + 0.5 + 0.25) / 3 = 25 (R's
  // accuracy(c(0, 1, 3), c(0, 2, 4)) gives 37.5: it drops the row with na.rm = TRUE).
  const std::vector<double> exact_zero = {0, 2, 4}, f3 = {0, 1, 3};
  const fc::accuracy_measures a3 = fc::accuracy(exact_zero, f3);
  CHECK(a3.mpe == Approx(25.0).epsilon(1e-15));
  CHECK(a3.mape == Approx(25.0).epsilon(1e-15));
  CHECK(a3.zero_actuals == 0);
  // Every actual 0: WAPE is 0 for exact forecasts (not 0/0) and +inf otherwise.
  const std::vector<double> zeros = {0, 0}, one = {0, 1};
  const fc::accuracy_measures exact = fc::accuracy(zeros, zeros);
  CHECK(exact.wape == 0);
  CHECK(exact.mpe == 0);
  CHECK(exact.mape == 0);
  CHECK(exact.smape == 0);
  const fc::accuracy_measures off = fc::accuracy(zeros, one);
  CHECK(off.wape == inf);
  CHECK(off.zero_actuals == 1);
  std::ostringstream text;
  text << a2;
  CHECK_THAT(text.str(), Contains("zero_actuals=2"));
}

TEST_CASE("rolling_origin rejects a method that returns NaN, naming origin and step",
          "[forecast][evaluation]") {
  // The naive method, except from origin 3 (training rows 0..3) where step 2 is NaN (and,
  // in a second run, +inf): before, that entry read as "no forecast" and silently left the
  // count and the RMSE.
  const std::vector<double> y = {1, 2, 3, 4, 5, 6, 7, 8};
  for (const double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    const fc::forecaster method = [bad](salesops::span<const double> train, std::size_t,
                                        std::size_t h) {
      Eigen::VectorXd f =
          Eigen::VectorXd::Constant(static_cast<Eigen::Index>(h), train[train.size() - 1]);
      if (train.size() == 4) f[1] = bad;
      return f;
    };
    fc::cv_options options;
    options.h = 2;
    CHECK_THROWS_AS(fc::rolling_origin(y, method, options), salesops::not_finite);
    CHECK_THROWS_WITH(fc::rolling_origin(y, method, options),
                      Contains("forecaster result at row 3 is ") &&
                          Contains(" at step 2 of h = 2 from origin 3"));
  }
}

TEST_CASE("pinball loss is minimised by the empirical quantile", "[forecast][evaluation]") {
  // Property (brute force): for a constant forecast q, the mean pinball loss over a sample is
  // minimised at a sample tau-quantile; scan candidate constants and compare.
  const double tau = GENERATE(0.1, 0.5, 0.9);
  salesops::rng gen(5);
  std::vector<double> sample(201);
  for (double& v : sample) v = gen.lognormal(3.0, 0.7);
  std::vector<double> sorted = sample;
  std::sort(sorted.begin(), sorted.end());
  const double q_star = sorted[static_cast<std::size_t>(std::ceil(tau * 201.0)) - 1];
  const std::vector<double> at_star(sample.size(), q_star);
  const double best = fc::pinball_loss(sample, at_star, tau);
  for (double q : sorted) {
    const std::vector<double> constant(sample.size(), q);
    CHECK(fc::pinball_loss(sample, constant, tau) >= best - 1e-12);
  }
}

TEST_CASE("rolling_origin equals forecast::tsCV", "[forecast][evaluation]") {
  // R: fcf <- function(x, h) forecast(tslm(x ~ trend + season), h=h)
  //    e <- tsCV(s12, fcf, h=2, initial=20); e[c(21,22,38,39), ]
  //    col1 15.776666666666813 7.3989999999999441 43.440333333333342 22.917878787878806
  //    col2 8.9766666666668016 51.248999999999967 26.867000000000019 NA
  //    sum(is.na(e[,1])) 21, sum(is.na(e[,2])) 22
  fc::cv_options expanding;
  expanding.h = 2;
  expanding.initial = 20;
  const fc::cv_result e = fc::rolling_origin(s12, fc::tslm_forecaster(trend_season), expanding);
  check_digits(e.errors(20, 0), 15.776666666666813, 9);
  check_digits(e.errors(21, 0), 7.3989999999999441, 9);
  check_digits(e.errors(37, 0), 43.440333333333342, 9);
  check_digits(e.errors(38, 0), 22.917878787878806, 9);
  check_digits(e.errors(20, 1), 8.9766666666668016, 9);
  check_digits(e.errors(21, 1), 51.248999999999967, 9);
  check_digits(e.errors(37, 1), 26.867000000000019, 9);
  CHECK(std::isnan(e.errors(38, 1)));
  CHECK(e.count == std::vector<std::size_t>{40 - 21, 40 - 22});
  CHECK(e.failed_origins == 0);
  // RMSE per horizon by brute force over the non-NaN entries.
  double sq = 0;
  for (Eigen::Index t = 20; t < 39; ++t) sq += e.errors(t, 0) * e.errors(t, 0);
  CHECK(e.rmse[0] == Approx(std::sqrt(sq / 19.0)).epsilon(1e-14));

  // R: e2 <- tsCV(s12, fcf, h=1, window=18); e2[c(18,19,30,39)]
  //    23.461666666666815 -24.653333333333421 -27.438333333333446 55.596666666666749; 18 NA
  // (the window starts mid-year: the seasonal design must keep the phase).
  fc::cv_options sliding;
  sliding.window = 18;
  const fc::cv_result w = fc::rolling_origin(s12, fc::tslm_forecaster(trend_season), sliding);
  check_digits(w.errors(17, 0), 23.461666666666815, 9);
  check_digits(w.errors(18, 0), -24.653333333333421, 9);
  check_digits(w.errors(29, 0), -27.438333333333446, 9);
  check_digits(w.errors(38, 0), 55.596666666666749, 9);
  CHECK(w.count[0] == 40 - 18);

  // Origins too short for 13 coefficients fail (tsCV's NA) and are counted.
  const fc::cv_result early = fc::rolling_origin(s12, fc::tslm_forecaster(trend_season), {});
  CHECK(early.failed_origins == 13); // training lengths 1..13 have n <= p = 13
  CHECK(early.count[0] == 39 - 13);
  std::ostringstream text;
  text << early;
  CHECK_THAT(text.str(), Contains("failed_origins=13"));
}

TEST_CASE("select_design by AICc and leave-one-out CV agrees with forecast::CV",
          "[forecast][evaluation]") {
  // R: CV(tslm(s12 ~ trend)), CV(tslm(s12 ~ trend + season)),
  //    CV(tslm(s12 ~ trend + fourier(s12, K=2))) -> (CV, AIC, AICc, BIC, AdjR2):
  //    trend:   2446.4461515973844 313.58351704416691 314.2501837108336 ...
  //    season:  529.77581446534225 248.77019501744877 265.57019501744878 ...
  //    fourier: 460.13767432159744 246.62792404454743 250.12792404454743 ...
  // forecast::CV's AIC omits n (log(2 pi) + 1) from R's AIC() (hand derivation: for season,
  // AIC() = 362.28527767382258 = 248.77019501744877 + 40 (log(2 pi) + 1)); AICc adds the
  // same correction 2 K (K + 1) / (n - K - 1), so summarize().aicc = CV's AICc + that constant.
  const std::vector<fc::design_factory> candidates = {
      [](std::size_t n, std::size_t) {
        fc::ts_design d(n, 12);
        d.intercept().trend();
        return d;
      },
      trend_season,
      [](std::size_t n, std::size_t) {
        fc::ts_design d(n, 12);
        d.intercept().trend().fourier(12, 2);
        return d;
      }};
  const double shift = 40.0 * (std::log(2.0 * 3.14159265358979323846) + 1.0);
  const fc::design_selection by_aicc =
      fc::select_design(s12, candidates, fc::selection_criterion::aicc);
  CHECK(by_aicc.best == 2);
  check_digits(by_aicc.scores[0], 314.2501837108336 + shift);
  check_digits(by_aicc.scores[1], 265.57019501744878 + shift);
  check_digits(by_aicc.scores[2], 250.12792404454743 + shift);
  const fc::design_selection by_loo =
      fc::select_design(s12, candidates, fc::selection_criterion::loo_cv);
  CHECK(by_loo.best == 2);
  check_digits(by_loo.scores[0], 2446.4461515973844);
  check_digits(by_loo.scores[1], 529.77581446534225);
  check_digits(by_loo.scores[2], 460.13767432159744);

  // Rolling origin: the score is the mean over horizons of rolling_origin's RMSE.
  fc::cv_options cv;
  cv.h = 3;
  cv.initial = 24;
  const fc::design_selection by_cv =
      fc::select_design(s12, candidates, fc::selection_criterion::rolling_origin, {}, cv);
  const fc::cv_result direct = fc::rolling_origin(s12, fc::tslm_forecaster(candidates[1]), cv);
  CHECK(by_cv.scores[1] == Approx((direct.rmse[0] + direct.rmse[1] + direct.rmse[2]) / 3));
  CHECK(by_cv.scores[by_cv.best] <= by_cv.scores[0]);
  CHECK(by_cv.scores[by_cv.best] <= by_cv.scores[2]);
}

TEST_CASE("evaluation rejects bad input", "[forecast][evaluation]") {
  const std::vector<double> a = {1, 2, 3}, b = {1, 2}, nan3 = {1, std::nan(""), 3};
  CHECK_THROWS_AS(fc::accuracy(a, b), salesops::length_mismatch);
  CHECK_THROWS_AS(fc::accuracy(a, nan3), salesops::not_finite);
  CHECK_THROWS_WITH(fc::accuracy(a, nan3), Contains("row 1"));
  const std::vector<double> flat = {5, 5, 5};
  CHECK_THROWS_AS(fc::accuracy(a, a, flat, 1), salesops::numerical_error);
  CHECK_THROWS_AS(fc::accuracy(a, a, a, 3), salesops::out_of_range_value);
  const std::vector<double> lo = {0, 5, 0}, hi = {2, 4, 9};
  CHECK_THROWS_AS(fc::interval_coverage(a, lo, hi), salesops::out_of_range_value);
  CHECK_THROWS_WITH(fc::interval_coverage(a, lo, hi), Contains("row 1"));
  CHECK_THROWS_AS(fc::pinball_loss(a, a, 1.0), salesops::out_of_range_value);
  fc::cv_options zero_h;
  zero_h.h = 0;
  CHECK_THROWS_AS(fc::rolling_origin(s12, fc::tslm_forecaster(trend_season), zero_h),
                  salesops::out_of_range_value);
  // A horizon longer than the series has no origin with that many rows after it (the largest
  // size_t became a table of -1 columns).
  for (const std::size_t h : {s12.size() + 1, std::numeric_limits<std::size_t>::max()}) {
    fc::cv_options long_h;
    long_h.h = h;
    CHECK_THROWS_AS(fc::rolling_origin(s12, fc::tslm_forecaster(trend_season), long_h),
                    salesops::out_of_range_value);
  }
  fc::cv_options too_wide;
  too_wide.window = 40;
  CHECK_THROWS_AS(fc::rolling_origin(s12, fc::tslm_forecaster(trend_season), too_wide),
                  salesops::out_of_range_value);
  const std::vector<fc::design_factory> none;
  CHECK_THROWS_AS(fc::select_design(s12, none, fc::selection_criterion::aicc),
                  salesops::empty_input);
  std::vector<double> negative = s12;
  negative[4] = -1;
  fc::tslm_options log_options;
  log_options.lambda = 0.0;
  const std::vector<fc::design_factory> one = {trend_season};
  CHECK_THROWS_AS(fc::select_design(negative, one, fc::selection_criterion::aicc, log_options),
                  salesops::negative_value);
}
