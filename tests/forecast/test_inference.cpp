// Tests of forecast/inference.hpp: summarize() against R's summary.lm / confint / logLik /
// AIC / BIC, and the sandwich covariances against statsmodels 0.13.5. Data as in
// test_linear_model.cpp (x1, x2, y, w printed there); R 4.2.2 and statsmodels calls beside
// each number.
#include <catch2/catch.hpp>

#include "small_data.hpp"

#include <salesops/forecast/inference.hpp>

#include <cmath>
#include <limits>
#include <sstream>

using namespace salesops::forecast;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;

namespace {

// Covariance entries are compared relative to sqrt(want_ii want_jj): an off-diagonal entry
// that is small by cancellation (HC0's (0, 1) is 3e-5 beside variances of 0.09 and 0.002)
// is only known to that absolute accuracy, in statsmodels as here.
void check_matrix(const Eigen::MatrixXd& got, const Eigen::MatrixXd& want, double rel) {
  REQUIRE(got.rows() == want.rows());
  REQUIRE(got.cols() == want.cols());
  for (Eigen::Index i = 0; i < want.rows(); ++i)
    for (Eigen::Index j = 0; j < want.cols(); ++j) {
      INFO("(" << i << ", " << j << ")");
      const double scale = std::sqrt(std::abs(want(i, i) * want(j, j)));
      CHECK_THAT(got(i, j), Catch::Matchers::WithinAbs(want(i, j), rel * scale));
    }
}
} // namespace

TEST_CASE("summarize: OLS as R's summary.lm, confint, logLik, AIC, BIC", "[forecast][inference]") {
  const small_data d;
  const lm_summary s = summarize(fit(d.X, d.y));
  // R: f <- lm(y ~ x1 + x2); coef(summary(f))
  CHECK_THAT(s.coefficients[0].t_value, WithinRel(3.4284135023730671, 1e-12));
  CHECK_THAT(s.coefficients[1].t_value, WithinRel(41.1898383204669329, 1e-12));
  CHECK_THAT(s.coefficients[0].p_value, WithinRel(7.5270997498183070e-03, 1e-10));
  CHECK_THAT(s.coefficients[1].p_value, WithinRel(1.4600237840890560e-11, 1e-9));
  CHECK_THAT(s.coefficients[2].p_value, WithinRel(6.5871387223471372e-04, 1e-10));
  // confint(f)
  CHECK_THAT(s.coefficients[0].lower, WithinRel(0.43389426791993269, 1e-12));
  CHECK_THAT(s.coefficients[2].upper, WithinRel(0.55223739397850879, 1e-12));
  // summary(f)$r.squared, $adj.r.squared, $fstatistic, pf(...)
  CHECK_THAT(s.r_squared, WithinRel(0.99656999102938126, 1e-14));
  CHECK_THAT(s.adj_r_squared, WithinRel(0.99580776681368821, 1e-14));
  CHECK_THAT(s.f_statistic, WithinRel(1307.4499215735893, 1e-12));
  CHECK(s.f_df1 == 2);
  CHECK(s.f_df2 == 9);
  CHECK_THAT(s.f_p_value, WithinRel(8.1064116057406041e-12, 1e-9));
  // logLik(f) = -7.9886443420697795 (df = 4); AIC(f); BIC(f)
  CHECK_THAT(s.log_likelihood, WithinRel(-7.9886443420697795, 1e-13));
  CHECK_THAT(s.aic, WithinRel(23.977288684139559, 1e-13));
  CHECK_THAT(s.bic, WithinRel(25.916915283291559, 1e-13));
  // AICc = AIC + 2k(k+1)/(n-k-1), k = 4, n = 12 (hand derivation): + 40/7.
  CHECK_THAT(s.aicc, WithinRel(23.977288684139559 + 40.0 / 7.0, 1e-13));
  std::ostringstream out;
  out << s;
  CHECK_THAT(out.str(), Contains("R2=0.99"));
  CHECK_THROWS_AS(summarize(fit(d.X, d.y), 1.0), salesops::out_of_range_value);
}

TEST_CASE("summarize: WLS and no-intercept models as R", "[forecast][inference]") {
  const small_data d;
  lm_options o;
  o.weights = d.w;
  const lm_summary s = summarize(fit(d.X, d.y, o));
  // R: g <- lm(y ~ x1 + x2, weights = w); summary(g); logLik(g); AIC(g); BIC(g)
  CHECK_THAT(s.coefficients[0].t_value, WithinRel(4.1313898595985075, 1e-12));
  CHECK_THAT(s.coefficients[2].p_value, WithinRel(1.5676520720932818e-03, 1e-10));
  CHECK_THAT(s.r_squared, WithinRel(0.99700986898711841, 1e-14));
  CHECK_THAT(s.adj_r_squared, WithinRel(0.99626233623389804, 1e-14));
  CHECK_THAT(s.f_statistic, WithinRel(1333.7340266255321, 1e-12));
  CHECK(s.f_df2 == 8);
  CHECK_THAT(s.log_likelihood, WithinRel(-6.9959024989546146, 1e-13));
  CHECK_THAT(s.aic, WithinRel(21.991804997909227, 1e-13));
  CHECK_THAT(s.bic, WithinRel(23.58338608910271, 1e-13)); // log(11): zero weight excluded
  o = {};
  o.intercept = false;
  const lm_summary s0 = summarize(fit(d.X, d.y, o));
  // R: h <- lm(y ~ 0 + x1 + x2); summary(h) (uncentered R^2, F on 2 and 10 df); AIC; BIC
  CHECK_THAT(s0.coefficients[1].t_value, WithinRel(4.8460791940610806, 1e-12));
  CHECK_THAT(s0.r_squared, WithinRel(0.99862157404070051, 1e-14));
  CHECK_THAT(s0.adj_r_squared, WithinRel(0.99834588884884057, 1e-14));
  CHECK_THAT(s0.f_statistic, WithinRel(3622.3257669500085, 1e-12));
  CHECK(s0.f_df1 == 2);
  CHECK_THAT(s0.aic, WithinRel(32.003472814960631, 1e-13));
  CHECK_THAT(s0.bic, WithinRel(33.458192764324636, 1e-13));
}

TEST_CASE("summarize: F and its p are undefined (NaN) for a constant response",
          "[forecast][inference]") {
  // A constant y is fitted exactly (rss = 0) and has nothing to explain (tss = 0): F is
  // 0 / 0. R 4.2.2: summary(lm(y ~ x)) with x <- 1:5, y <- rep(0, 5) gives fstatistic NaN
  // and pf(NaN, 1, 3, lower.tail = FALSE) NaN. (With y <- rep(3, 5) R's QR leaves residuals
  // of 4e-16 and prints "essentially perfect fit" with F = 3 from rounding; here the centred
  // residuals are exactly 0, the same 0 / 0.) Before, p was 0: a "significant" test of nothing.
  Eigen::MatrixXd x(5, 1);
  x << 1, 2, 3, 4, 5;
  for (const double level : {0.0, 3.0}) {
    const lm_summary s = summarize(fit(x, Eigen::VectorXd::Constant(5, level)));
    CHECK(std::isnan(s.f_statistic));
    CHECK(std::isnan(s.f_p_value));
    CHECK(s.f_df1 == 1);
    CHECK(s.f_df2 == 3);
  }
  // An exact fit of a response that varies: F = +inf, p = 0 (the limit as rss -> 0).
  // Hand derivation: y = 2x + 1 at x = 1, 2, 4 has centred y = 2 (x - 7/3) exactly, and
  // with x = {1, 2, 4} the fitted slope is exactly 2, so rss = 0 and tss = 2^2 * 14/3 > 0.
  Eigen::MatrixXd x3(3, 1);
  x3 << 1, 2, 4;
  Eigen::VectorXd y3(3);
  y3 << 3, 5, 9;
  const linear_model exact = fit(x3, y3);
  REQUIRE(exact.rss == 0); // the hand derivation's premise, checked rather than assumed
  const lm_summary s = summarize(exact);
  CHECK(s.f_statistic == std::numeric_limits<double>::infinity());
  CHECK(s.f_p_value == 0);
}

TEST_CASE("vcov_hc and vcov_newey_west: statsmodels get_robustcov_results", "[forecast][inference]") {
  const small_data d;
  const linear_model m = fit(d.X, d.y);
  // statsmodels: r = sm.OLS(y, sm.add_constant(X)).fit();
  //              r.get_robustcov_results(cov_type=...).cov_params()
  Eigen::MatrixXd hc0(3, 3), hc1(3, 3), hc2(3, 3), hc3(3, 3), hac(3, 3), hac_raw(3, 3);
  hc0 << 8.9847926064092781e-02, -3.3568457016112658e-05, -1.6657434716558450e-02,
      -3.3568457016112225e-05, 1.7814994239311807e-03, -3.2491011058016759e-03,
      -1.6657434716558450e-02, -3.2491011058016759e-03, 9.7452368014131537e-03;
  hc1 << 1.1979723475212371e-01, -4.4757942688150717e-05, -2.2209912955411269e-02,
      -4.4757942688149958e-05, 2.3753325652415740e-03, -4.3321348077355682e-03,
      -2.2209912955411269e-02, -4.3321348077355673e-03, 1.2993649068550873e-02;
  hc2 << 0.12338081361201572, 0.00143136593197868, -0.02674441724824468, 0.00143136593197868,
      0.00302125737764109, -0.00608785469683254, -0.02674441724824468, -0.00608785469683254,
      0.01796722039484589;
  hc3 << 0.17293802975440375, 0.00504794738780393, -0.04510743834046233, 0.00504794738780394,
      0.00538135877250695, -0.01179509858934395, -0.04510743834046233, -0.01179509858934395,
      0.03428817535961249;
  // cov_type="HAC", maxlags=2, use_correction=True / False
  hac << 0.08507522391742003, -0.00865227176009899, -0.00198673052476051, -0.00865227176009899,
      0.00187387993597261, -0.0016330194564005, -0.0019867305247605, -0.0016330194564005,
      0.00456052412564417;
  hac_raw << 0.06380641793806503, -0.00648920382007424, -0.00149004789357038,
      -0.00648920382007424, 0.00140540995197946, -0.00122476459230037, -0.00149004789357037,
      -0.00122476459230037, 0.00342039309423313;
  check_matrix(vcov_hc(m, d.X, hc_type::hc0), hc0, 1e-9);
  check_matrix(vcov_hc(m, d.X, hc_type::hc1), hc1, 1e-9);
  check_matrix(vcov_hc(m, d.X, hc_type::hc2), hc2, 1e-9);
  check_matrix(vcov_hc(m, d.X, hc_type::hc3), hc3, 1e-9);
  check_matrix(vcov_newey_west(m, d.X, 2), hac, 1e-9);
  check_matrix(vcov_newey_west(m, d.X, 2, false), hac_raw, 1e-9);
  // Lag 0 without adjustment is HC0 (hand derivation: the kernel sum is empty).
  check_matrix(vcov_newey_west(m, d.X, 0, false), hc0, 1e-12);
  CHECK_THAT(standard_errors(hc3)[1], WithinRel(std::sqrt(0.00538135877250695), 1e-15));
  // WLS: sm.WLS(y, X, weights=w).fit().get_robustcov_results(cov_type="HC0"/"HC3")
  lm_options o;
  o.weights = d.w;
  const linear_model mw = fit(d.X, d.y, o);
  Eigen::MatrixXd whc0(3, 3), whc3(3, 3);
  whc0 << 0.06203148586205737, 0.00290047802950369, -0.01638917705723558, 0.00290047802950369,
      0.00165956312696248, -0.00330757260865613, -0.01638917705723558, -0.00330757260865613,
      0.00920274393562379;
  whc3 << 0.14098755169152605, 0.00684228352049447, -0.04034884790186116, 0.00684228352049447,
      0.0040978060746672, -0.00858312573514769, -0.04034884790186116, -0.00858312573514769,
      0.02459821899146438;
  check_matrix(vcov_hc(mw, d.X, hc_type::hc0), whc0, 1e-9);
  check_matrix(vcov_hc(mw, d.X, hc_type::hc3), whc3, 1e-9);
  CHECK_THROWS_AS(vcov_hc(m, d.X.topRows(5)), salesops::length_mismatch);
}

TEST_CASE("vcov_hc on a polynomial fit is reported in the x^k basis", "[forecast][inference]") {
  // Brute force: the same HC3 from fit() on the raw powers (benign design, so both agree).
  const small_data d;
  Eigen::MatrixXd P(12, 2);
  P << d.X.col(0), d.X.col(0).array().square().matrix();
  const Eigen::MatrixXd a = vcov_hc(fit_polynomial(d.X.col(0), d.y, 2), d.X.col(0));
  const Eigen::MatrixXd b = vcov_hc(fit(P, d.y), P);
  check_matrix(a, b, 1e-9);
}
