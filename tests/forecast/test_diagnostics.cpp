// Tests of forecast/diagnostics.hpp against R 4.2.2 (rstandard, rstudent, cooks.distance) and
// statsmodels 0.13.5 (durbin_watson, jarque_bera, acorr_breusch_godfrey, acorr_ljungbox,
// variance_inflation_factor), on the data of test_linear_model.cpp, plus a brute-force
// leave-one-out refit for PRESS.
#include <catch2/catch.hpp>

#include "small_data.hpp"

#include <salesops/forecast/diagnostics.hpp>

#include <cmath>
#include <sstream>

using namespace salesops::forecast;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;

namespace {
} // namespace

TEST_CASE("influence: R's rstandard, rstudent, cooks.distance, and PRESS by brute force",
          "[forecast][diagnostics]") {
  const small_data d;
  const linear_model m = fit(d.X, d.y);
  const influence_measures inf = influence(m, d.X);
  // R: f <- lm(y ~ x1 + x2); rstandard(f)[c(1, 6, 12)]; rstudent(f)[...]; cooks.distance(f)[...]
  CHECK_THAT(inf.standardized[0], WithinRel(0.33188885302364901, 1e-11));
  CHECK_THAT(inf.standardized[5], WithinRel(-2.44487320917477913, 1e-11));
  CHECK_THAT(inf.studentized[5], WithinRel(-3.97751069356004905, 1e-11));
  CHECK_THAT(inf.studentized[11], WithinRel(0.75060350738698844, 1e-11));
  CHECK_THAT(inf.cooks_distance[5], WithinRel(2.1023240011716270992, 1e-11));
  CHECK_THAT(inf.cooks_distance[8], WithinRel(0.0024062821118283925, 1e-10));
  // Brute force: refit without row i and predict it.
  double press = 0;
  for (Eigen::Index i = 0; i < 12; ++i) {
    Eigen::MatrixXd Xi(11, 2);
    Eigen::VectorXd yi(11);
    for (Eigen::Index r = 0, k = 0; r < 12; ++r)
      if (r != i) {
        Xi.row(k) = d.X.row(r);
        yi[k++] = d.y[r];
      }
    const double e = d.y[i] - fit(Xi, yi).predict(d.X.row(i)).mean[0];
    CHECK_THAT(inf.loo_residuals[i], WithinRel(e, 1e-10));
    press += e * e;
  }
  CHECK_THAT(inf.press, WithinRel(press, 1e-11));
  std::ostringstream out;
  out << inf;
  CHECK_THAT(out.str(), Contains("press="));
}

TEST_CASE("serial-correlation and normality tests: statsmodels", "[forecast][diagnostics]") {
  const small_data d;
  const linear_model m = fit(d.X, d.y);
  // statsmodels.stats.stattools.durbin_watson(r.resid)
  CHECK_THAT(durbin_watson(m.residuals), WithinRel(1.8798405312688067, 1e-12));
  // jarque_bera(r.resid) -> (1.9651978513008528, 0.3743369596157399, -0.9306497680355477,
  //                          2.3173875626512284)
  const jarque_bera_test jb = jarque_bera(m.residuals);
  CHECK_THAT(jb.test.statistic, WithinRel(1.9651978513008528, 1e-11));
  CHECK_THAT(jb.test.p_value, WithinRel(0.3743369596157399, 1e-11));
  CHECK_THAT(jb.skewness, WithinRel(-0.9306497680355477, 1e-11));
  CHECK_THAT(jb.kurtosis, WithinRel(2.3173875626512284, 1e-11));
  // acorr_breusch_godfrey(r, nlags=2) -> (LM 0.018713751002415346, p 0.9906867638429977,
  //                                       F 0.005466702584951927, p 0.9945524542225197)
  const breusch_godfrey_test bg = breusch_godfrey(m, d.X, 2);
  CHECK_THAT(bg.lm.statistic, WithinRel(0.018713751002415346, 1e-9));
  CHECK_THAT(bg.lm.p_value, WithinRel(0.9906867638429977, 1e-11));
  CHECK_THAT(bg.f.statistic, WithinRel(0.005466702584951927, 1e-9));
  CHECK_THAT(bg.f.p_value, WithinRel(0.9945524542225197, 1e-11));
  CHECK(bg.f.df2 == 7); // 12 - (3 + 2)
  // acorr_ljungbox(r.resid, lags=[3]) -> Q 0.1719304499386486, p 0.9819881721878081
  const diagnostic_test lb = ljung_box(m.residuals, 3);
  CHECK_THAT(lb.statistic, WithinRel(0.1719304499386486, 1e-11));
  CHECK_THAT(lb.p_value, WithinRel(0.9819881721878081, 1e-11));
  CHECK(lb.df == 3);
  CHECK(ljung_box(m.residuals, 3, 1).df == 2);
  std::ostringstream out;
  out << bg << jb << lb;
  CHECK_THAT(out.str(), Contains("breusch_godfrey"));
  CHECK_THROWS_AS(ljung_box(m.residuals, 0), salesops::out_of_range_value);
  CHECK_THROWS_AS(ljung_box(m.residuals, 3, 3), salesops::out_of_range_value);
  CHECK_THROWS_AS(breusch_godfrey(m, d.X, 0), salesops::out_of_range_value);
  CHECK_THROWS_AS(durbin_watson(m.residuals.head(1)), salesops::empty_input);
  Eigen::VectorXd bad = m.residuals;
  bad[4] = std::nan("");
  CHECK_THROWS_WITH(jarque_bera(bad), Contains("residuals at row 4"));
}

TEST_CASE("vif: statsmodels variance_inflation_factor and a hand-made collinear column",
          "[forecast][diagnostics]") {
  const small_data d;
  // [variance_inflation_factor(sm.add_constant(X), j) for j in (1, 2)]
  const Eigen::VectorXd v = vif(d.X);
  CHECK_THAT(v[0], WithinRel(1.3507408588098302, 1e-12));
  CHECK_THAT(v[1], WithinRel(1.3507408588098304, 1e-12));
  // Two predictors: VIF = 1 / (1 - r^2) with r their correlation (hand derivation).
  const Eigen::VectorXd a = d.X.col(0).array() - d.X.col(0).mean();
  const Eigen::VectorXd b = d.X.col(1).array() - d.X.col(1).mean();
  const double r = a.dot(b) / (a.norm() * b.norm());
  CHECK_THAT(v[0], WithinRel(1 / (1 - r * r), 1e-12));
}
