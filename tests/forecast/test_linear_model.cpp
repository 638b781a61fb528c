// Tests of forecast/linear_model.hpp: fit(), fit_polynomial(), predict(), hat_values().
// Reference numbers come from R 4.2.2 (calls pasted next to them) on this small data set:
//   x1 <- c(1.2, 2.3, 3.1, 4.8, 5.0, 6.7, 7.1, 8.9, 9.4, 10.2, 11.8, 12.5)
//   x2 <- c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8)
//   y  <- c(5.1, 6.9, 9.8, 11.2, 14.1, 17.9, 16.2, 22.5, 23.1, 23.8, 28.4, 31.0)
//   w  <- c(1, 2, 1, 0.5, 3, 1, 1, 2, 0, 1, 1.5, 1)
// plus property tests against brute-force implementations written here.
#include <catch2/catch.hpp>

#include "small_data.hpp"

#include <salesops/core/rng.hpp>
#include <salesops/forecast/linear_model.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <vector>

using namespace salesops::forecast;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

void check_vector(const Eigen::VectorXd& got, const std::vector<double>& want, double rel) {
  REQUIRE(static_cast<std::size_t>(got.size()) == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    CHECK_THAT(got[static_cast<Eigen::Index>(i)], WithinRel(want[i], rel));
  }
}

// Brute force: solve the normal equations (A'WA) b = A'Wy in long double with an explicit
// intercept column (fine for the well-conditioned random designs used below).
Eigen::VectorXd brute_force_coefficients(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                                         const Eigen::VectorXd& w, bool intercept) {
  using mat = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
  using vec = Eigen::Matrix<long double, Eigen::Dynamic, 1>;
  const Eigen::Index off = intercept ? 1 : 0;
  mat A(X.rows(), X.cols() + off);
  if (intercept) A.col(0).setOnes();
  A.rightCols(X.cols()) = X.cast<long double>();
  const vec wl = w.size() ? vec(w.cast<long double>()) : vec::Ones(X.rows());
  const mat G = A.transpose() * wl.asDiagonal() * A;
  const vec rhs = A.transpose() * (wl.array() * y.cast<long double>().array()).matrix();
  return G.ldlt().solve(rhs).cast<double>();
}

Eigen::MatrixXd random_design(salesops::rng& g, Eigen::Index n, Eigen::Index p) {
  Eigen::MatrixXd X(n, p);
  for (Eigen::Index j = 0; j < p; ++j)
    for (Eigen::Index i = 0; i < n; ++i)
      X(i, j) = 1000.0 * static_cast<double>(j) + (j % 2 ? g.lognormal(0, 1) : g.normal(5, 3));
  return X;
}

} // namespace

TEST_CASE("fit: OLS matches R's lm and summary.lm$cov.unscaled", "[forecast][lm]") {
  const small_data d;
  const linear_model m = fit(d.X, d.y);
  // R: coef(summary(lm(y ~ x1 + x2)))
  check_vector(m.coefficients, {1.27550772181117611, 2.10626106781808131, 0.38219689825702169},
               1e-13);
  check_vector(m.std_errors, {0.372040222373497154, 0.051135453638610072, 0.075167410345244656},
               1e-13);
  CHECK_THAT(m.sigma, WithinRel(0.5436894086589561, 1e-13)); // summary(f)$sigma
  // summary(f)$cov.unscaled
  CHECK_THAT(m.cov_unscaled(0, 0), WithinRel(0.468250279146854242, 1e-13));
  CHECK_THAT(m.cov_unscaled(0, 1), WithinRel(-0.032471163170307148, 1e-13));
  CHECK_THAT(m.cov_unscaled(1, 2), WithinRel(-0.0066260867533343218, 1e-13));
  CHECK_THAT(m.cov_unscaled(2, 0), WithinRel(-0.036998015512052985, 1e-13));
  CHECK_THAT(m.cov_unscaled(2, 2), WithinRel(0.0191142574359881613, 1e-13));
  CHECK(m.rank == 3);
  CHECK(m.df_residual == 9);
  CHECK(m.n == 12);
  CHECK(m.condition_number >= 1);
  CHECK((m.fitted + m.residuals - d.y).cwiseAbs().maxCoeff() < 1e-12);
  std::ostringstream out;
  out << m;
  CHECK_THAT(out.str(), Contains("rank=3"));
  std::ostringstream factor;
  factor << m.factor;
  CHECK_THAT(factor.str(), Contains("kept=[0, 1]") && Contains("sum_weights=12"));
  std::ostringstream options;
  options << lm_options{};
  CHECK(options.str() == "lm_options{intercept=true, rank_tolerance=1e-07, "
                         "on_rank_deficiency=error, solver=householder_qr, weights=0}");
}

TEST_CASE("predict: means and se.fit match R's predict.lm", "[forecast][lm]") {
  const small_data d;
  const linear_model m = fit(d.X, d.y);
  Eigen::MatrixXd X_new(2, 2);
  X_new << 0, 2, 13.5, 10;
  const prediction p = m.predict(X_new);
  // R: predict(f, data.frame(x1 = c(0, 13.5), x2 = c(2, 10)), se.fit = TRUE,
  //            interval = "prediction", level = 0.9)
  check_vector(p.mean, {2.0399015183252196, 33.5320011199254893}, 1e-13);
  check_vector(p.se_mean, {0.34244459727494087, 0.41623955235780663}, 1e-12);
  CHECK(p.df_residual == 9);
  // Prediction interval lower bound 0.86204054801734764 = fit - qt(0.95, 9) * se_obs;
  // qt(0.95, 9) = 1.8331129326562365 (R).
  CHECK_THAT(p.mean[0] - 1.8331129326562365 * p.se_observation()[0],
             WithinRel(0.86204054801734764, 1e-12));
  CHECK_THAT(p.mean[1] + 1.8331129326562365 * p.se_observation()[1],
             WithinRel(34.7871863499261167, 1e-13));
  std::ostringstream out;
  out << p;
  CHECK_THAT(out.str(), Contains("se "));
  CHECK_THROWS_AS(m.predict(Eigen::MatrixXd::Zero(1, 3)), salesops::length_mismatch);
  X_new(1, 1) = std::nan("");
  CHECK_THROWS_WITH(m.predict(X_new), Contains("X_new at row 1") && Contains("column 1"));
}

TEST_CASE("hat_values: R's hatvalues, unweighted and weighted", "[forecast][lm]") {
  const small_data d;
  // R: hatvalues(lm(y ~ x1 + x2))
  check_vector(fit(d.X, d.y).hat_values(d.X),
               {0.30538999611113782, 0.28031601593598920, 0.19745529895000738, 0.24184465581902276,
                0.14125832224812945, 0.51341407033666198, 0.19336615221306289, 0.12741906410279946,
                0.12444108040263911, 0.27069066522906726, 0.25963327864447300, 0.34477140000701001},
               1e-12);
  lm_options o;
  o.weights = d.w;
  const Eigen::VectorXd h = fit(d.X, d.y, o).hat_values(d.X);
  // R: hatvalues(lm(y ~ x1 + x2, weights = w)) omits row 9 (weight 0); here it is 0.
  CHECK(h[8] == 0);
  CHECK_THAT(h[0], WithinRel(0.22428046425753057, 1e-12));
  CHECK_THAT(h[5], WithinRel(0.43377152840281163, 1e-12));
  CHECK_THAT(h[11], WithinRel(0.29602589669050711, 1e-12));
  CHECK_THAT(h.sum(), WithinRel(3.0, 1e-12)); // trace of the hat matrix = rank
  // A weighted fit's leverages need its own rows (one weight each): other rows are refused,
  // not read past the weights (an Eigen assertion, or out of bounds without one).
  const Eigen::MatrixXd three = d.X.topRows(3);
  CHECK_THROWS_AS(fit(d.X, d.y, o).hat_values(three), salesops::length_mismatch);
  CHECK(fit(d.X, d.y).hat_values(three).size() == 3); // unweighted: any rows
}

TEST_CASE("fit: WLS matches R's lm(weights = w), zero weights excluded from df", "[forecast][lm]") {
  const small_data d;
  lm_options o;
  o.weights = d.w;
  const linear_model m = fit(d.X, d.y, o);
  // R: coef(summary(lm(y ~ x1 + x2, weights = w)))
  check_vector(m.coefficients, {1.49626147422896283, 2.09821774140557293, 0.36971627130905588},
               1e-13);
  check_vector(m.std_errors, {0.362169033927572992, 0.051488732511791563, 0.078881629709698656},
               1e-12);
  CHECK_THAT(m.sigma, WithinRel(0.59223800646124936, 1e-13));
  CHECK(m.n == 11);
  CHECK(m.df_residual == 8);
  // residuals(g): row 9 (weight 0) still gets y - fitted.
  CHECK_THAT(m.residuals[0], WithinRel(-0.023271577842831140, 1e-11));
  CHECK_THAT(m.residuals[8], WithinRel(0.031910400013373419, 1e-11));
}

TEST_CASE("fit: without intercept matches R's lm(y ~ 0 + x1 + x2)", "[forecast][lm]") {
  const small_data d;
  lm_options o;
  o.intercept = false;
  const linear_model m = fit(d.X, d.y, o);
  check_vector(m.coefficients, {2.19471209754384944, 0.48297901538313487}, 1e-13);
  check_vector(m.std_errors, {0.063603662802332983, 0.099663871769786708}, 1e-13);
  CHECK_THAT(m.sigma, WithinRel(0.78325284187021704, 1e-13));
  CHECK(m.df_residual == 10);
  CHECK_THAT(m.tss, WithinRel(d.y.squaredNorm(), 1e-14)); // uncentered
}

TEST_CASE("fit: rank deficiency is an error by default and R's NA under drop", "[forecast][lm]") {
  const small_data d;
  Eigen::MatrixXd X(12, 4);
  X.leftCols(2) = d.X;
  X.col(2) = 2 * d.X.col(0) - d.X.col(1); // x3 = 2 x1 - x2
  X.col(3) = d.X.col(0).array() + 1;      // x1 + 1, aliased with the intercept and x1
  CHECK_THROWS_AS(fit(X, d.y), salesops::rank_deficient);
  CHECK_THROWS_WITH(fit(X, d.y), Contains("column 2 is aliased"));
  lm_options o;
  o.on_rank_deficiency = rank_policy::drop;
  const linear_model m = fit(X, d.y, o);
  // R: coef(lm(y ~ x1 + x2 + x3 + I(x1 + 1))) -> x3 and I(x1 + 1) are NA, the rest as above.
  CHECK(m.rank == 3);
  CHECK(m.aliased == std::vector<bool>{false, false, false, true, true});
  CHECK(std::isnan(m.coefficients[3]));
  CHECK(std::isnan(m.std_errors[4]));
  CHECK_THAT(m.coefficients[1], WithinRel(2.10626106781808131, 1e-12));
  CHECK_THAT(m.std_errors[2], WithinRel(0.075167410345244656, 1e-12));
  CHECK(m.df_residual == 9);
  // Prediction ignores the aliased columns (as predict.lm on a rank-deficient fit).
  Eigen::MatrixXd X_new(1, 4);
  X_new << 13.5, 10, 0, 0;
  CHECK_THAT(m.predict(X_new).mean[0], WithinRel(33.5320011199254893, 1e-12));
}

TEST_CASE("fit: bad input throws typed exceptions naming argument, row and column",
          "[forecast][lm]") {
  const small_data d;
  Eigen::MatrixXd X = d.X;
  X(4, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(fit(X, d.y), salesops::not_finite);
  CHECK_THROWS_WITH(fit(X, d.y), Contains("X at row 4") && Contains("column 1 is inf"));
  Eigen::VectorXd y = d.y;
  y[7] = std::nan("");
  CHECK_THROWS_WITH(fit(d.X, y), Contains("y at row 7 is nan"));
  CHECK_THROWS_AS(fit(d.X, d.y.head(11)), salesops::length_mismatch);
  lm_options o;
  o.weights = d.w;
  o.weights[3] = -1;
  CHECK_THROWS_AS(fit(d.X, d.y, o), salesops::negative_value);
  CHECK_THROWS_WITH(fit(d.X, d.y, o), Contains("weights at row 3"));
  o.weights.setZero();
  CHECK_THROWS_AS(fit(d.X, d.y, o), salesops::empty_input);
  o.weights = d.w.head(5);
  CHECK_THROWS_AS(fit(d.X, d.y, o), salesops::length_mismatch);
  // n <= p: 3 rows for 3 coefficients.
  CHECK_THROWS_AS(fit(d.X.topRows(3), d.y.head(3)), salesops::empty_input);
  CHECK_THROWS_WITH(fit(d.X.topRows(3), d.y.head(3)),
                    Contains("3 observations") && Contains("3 coefficients"));
  // A constant column is aliased with the intercept: named.
  Eigen::MatrixXd C(12, 3);
  C << d.X, Eigen::VectorXd::Constant(12, 4.5);
  CHECK_THROWS_AS(fit(C, d.y), salesops::rank_deficient);
  CHECK_THROWS_WITH(fit(C, d.y), Contains("column 2 is constant (4.5)"));
  o = {};
  o.rank_tolerance = -1;
  CHECK_THROWS_AS(fit(d.X, d.y, o), salesops::out_of_range_value);
  CHECK_THROWS_AS(fit_polynomial(d.X.col(0), d.y, 0), salesops::out_of_range_value);
  // x with 3 distinct values cannot carry a cubic.
  Eigen::VectorXd x3(12);
  x3 << 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3;
  CHECK_THROWS_AS(fit_polynomial(x3, d.y, 3), salesops::rank_deficient);
}

TEST_CASE("fit: default QR == long-double brute force, for OLS and WLS, with and without intercept",
          "[forecast][lm][property]") {
  const auto seed = GENERATE(1u, 2u, 3u, 4u);
  const bool intercept = GENERATE(true, false);
  const bool weighted = GENERATE(true, false);
  salesops::rng g(seed);
  const Eigen::Index n = 40 + static_cast<Eigen::Index>(seed) * 7, p = 4;
  const Eigen::MatrixXd X = random_design(g, n, p);
  Eigen::VectorXd y(n), w(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    y[i] = 3 + X.row(i).sum() * 0.5 + g.normal(0, 2);
    w[i] = weighted ? g.uniform(0.1, 3) : 1.0;
  }
  lm_options o;
  o.intercept = intercept;
  if (weighted) o.weights = w;
  const linear_model m = fit(X, y, o);
  const Eigen::VectorXd ref =
      brute_force_coefficients(X, y, weighted ? w : Eigen::VectorXd(), intercept);
  for (Eigen::Index j = 0; j < ref.size(); ++j)
    CHECK_THAT(m.coefficients[j], WithinRel(ref[j], 1e-9));
  // The normal-equations fast path agrees on a well-conditioned design.
  o.solver = lm_solver::normal_equations;
  const linear_model ne = fit(X, y, o);
  for (Eigen::Index j = 0; j < ref.size(); ++j)
    CHECK_THAT(ne.coefficients[j], WithinRel(ref[j], 1e-8));
  CHECK_THAT(ne.sigma, WithinRel(m.sigma, 1e-10));
}

TEST_CASE("fit: permutation invariance and weight 2 == a duplicated row",
          "[forecast][lm][property]") {
  const auto seed = GENERATE(11u, 12u, 13u);
  salesops::rng g(seed);
  const Eigen::Index n = 30, p = 3;
  const Eigen::MatrixXd X = random_design(g, n, p);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) y[i] = 1 - X(i, 0) + 2 * X(i, 2) + g.normal(0, 1);
  const linear_model m = fit(X, y);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::shuffle(order.begin(), order.end(), g);
  Eigen::MatrixXd Xp(n, p);
  Eigen::VectorXd yp(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    Xp.row(i) = X.row(order[static_cast<std::size_t>(i)]);
    yp[i] = y[order[static_cast<std::size_t>(i)]];
  }
  const linear_model mp = fit(Xp, yp);
  for (Eigen::Index j = 0; j <= p; ++j) {
    CHECK_THAT(mp.coefficients[j], WithinRel(m.coefficients[j], 1e-11));
    CHECK_THAT(mp.std_errors[j], WithinRel(m.std_errors[j], 1e-11));
  }
  // Weight 2 on row 0 gives the same coefficients as duplicating row 0.
  lm_options o;
  o.weights = Eigen::VectorXd::Ones(n);
  o.weights[0] = 2;
  const linear_model mw = fit(X, y, o);
  Eigen::MatrixXd Xd(n + 1, p);
  Xd << X, X.row(0);
  Eigen::VectorXd yd(n + 1);
  yd << y, y[0];
  const linear_model md = fit(Xd, yd);
  for (Eigen::Index j = 0; j <= p; ++j)
    CHECK_THAT(mw.coefficients[j], WithinRel(md.coefficients[j], 1e-11));
  CHECK_THAT(mw.rss, WithinRel(md.rss, 1e-11));
}

TEST_CASE("fit: scaling a column scales its coefficient and leaves the fit unchanged",
          "[forecast][lm][property]") {
  const double factor = GENERATE(1e-6, 1e6);
  const small_data d;
  Eigen::MatrixXd Xs = d.X;
  Xs.col(1) *= factor;
  const linear_model m = fit(d.X, d.y), ms = fit(Xs, d.y);
  CHECK_THAT(ms.coefficients[2] * factor, WithinRel(m.coefficients[2], 1e-12));
  CHECK_THAT(ms.std_errors[2] * factor, WithinRel(m.std_errors[2], 1e-12));
  CHECK_THAT(ms.coefficients[0], WithinRel(m.coefficients[0], 1e-12));
  CHECK_THAT(ms.condition_number, WithinRel(m.condition_number, 1e-10)); // equilibrated design
}

TEST_CASE("fit, fit_polynomial: a predictor on a subnormal scale is refused, not returned as inf",
          "[forecast][lm]") {
  // small_data's x2 times 1e-310 has coefficient 0.382.../1e-310, about 3.8e309: beyond double
  // (R's lm on the same column gives Inf). Before, fit returned inf with a NaN standard error.
  // At 1e-300 (next test) the coefficient, 3.8e299, is representable and R's values hold.
  const small_data d;
  Eigen::MatrixXd Xs = d.X;
  Xs.col(1) *= 1e-310;
  using Catch::Matchers::Contains;
  CHECK_THROWS_AS(fit(Xs, d.y), salesops::numerical_error);
  CHECK_THROWS_WITH(fit(Xs, d.y), Contains("forecast::fit: X column 1 has coefficient inf"));
  // The line's slope, 2.2387.../1e-310, likewise.
  CHECK_THROWS_AS(fit_polynomial(d.X.col(0) * 1e-310, d.y, 1), salesops::numerical_error);
  CHECK_THROWS_WITH(fit_polynomial(d.X.col(0) * 1e-310, d.y, 1),
                    Contains("forecast::fit_polynomial: x power 1 has coefficient inf"));
}

TEST_CASE("fit, fit_polynomial: a column beyond 1e154 (or below 1e-154) keeps R's results scaled",
          "[forecast][lm][property]") {
  // R: coef(summary(lm(y ~ x1 + x2))) on small_data; x2 is multiplied by `factor`, so its
  // coefficient and standard error divide by it and nothing else changes. Before, the
  // covariance back-map formed s_j^2 (about factor^2 * 57), which overflows or underflows:
  // standard error 0 (or inf) for x2 and a wrong one for the intercept.
  const double factor = GENERATE(1e200, 1e-200, 1e300, 1e-300);
  const small_data d;
  Eigen::MatrixXd Xs = d.X;
  Xs.col(1) *= factor;
  const linear_model m = fit(Xs, d.y);
  CHECK_THAT(m.coefficients[0], WithinRel(1.27550772181117611, 1e-12));
  CHECK_THAT(m.coefficients[1], WithinRel(2.10626106781808131, 1e-12));
  CHECK_THAT(m.coefficients[2] * factor, WithinRel(0.38219689825702169, 1e-12));
  CHECK_THAT(m.std_errors[0], WithinRel(0.372040222373497154, 1e-12));
  CHECK_THAT(m.std_errors[1], WithinRel(0.051135453638610072, 1e-12));
  CHECK_THAT(m.std_errors[2] * factor, WithinRel(0.075167410345244656, 1e-12));
  // summary(f)$cov.unscaled entries that stay representable: (0, 0), (0, 2) and (1, 2)
  // divided by factor.
  CHECK_THAT(m.cov_unscaled(0, 0), WithinRel(0.468250279146854242, 1e-12));
  CHECK_THAT(m.cov_unscaled(2, 0) * factor, WithinRel(-0.036998015512052985, 1e-12));
  CHECK_THAT(m.cov_unscaled(1, 2) * factor, WithinRel(-0.0066260867533343218, 1e-12));
  CHECK_THAT(m.sigma, WithinRel(0.5436894086589561, 1e-12));
  // fit_polynomial maps its covariance to the x basis the same way. R:
  // coef(summary(lm(y ~ x1)))[, 1:2] -> 2.0152972123381865 0.639246845821312637,
  //                                     2.2387522102643582 0.082140573931424515
  const linear_model line = fit_polynomial(d.X.col(0) * factor, d.y, 1);
  CHECK_THAT(line.coefficients[0], WithinRel(2.0152972123381865, 1e-12));
  CHECK_THAT(line.coefficients[1] * factor, WithinRel(2.2387522102643582, 1e-12));
  CHECK_THAT(line.std_errors[0], WithinRel(0.639246845821312637, 1e-12));
  CHECK_THAT(line.std_errors[1] * factor, WithinRel(0.082140573931424515, 1e-12));
}

TEST_CASE("fit: column scales need no long double range beyond 1e154 or below 1e-154",
          "[forecast][lm][property]") {
  // fit() takes each column's scale s_j from detail::centred_norm, accumulated in long double.
  // Where long double is plain double (MSVC, ARM64 macOS) squaring x beyond about 1e154
  // overflows (s_j = inf) and below 1e-154 underflows (s_j = 0: a false "aliased"), so run it
  // in double too. R: sqrt(sum((x2 - mean(x2))^2)) = 8.4063468086123283 and
  // sqrt(sum(w * (x2 - weighted.mean(x2, w))^2)) = 8.9218832092781852; scaling x2 and its
  // centre by 2^k scales the norm by exactly 2^k.
  const int k = GENERATE(-1000, -700, 700, 1000);
  const small_data d;
  const Eigen::VectorXd none, x = d.X.col(1), xs = x * std::ldexp(1.0, k);
  const double mean = 52.0 / 12, weighted_mean = 4.4; // R: mean(x2), weighted.mean(x2, w)
  const double plain = detail::centred_norm<double>(x, mean, none);
  const double weighted = detail::centred_norm<double>(x, weighted_mean, d.w);
  CHECK_THAT(plain, WithinRel(8.4063468086123283, 1e-15));
  CHECK_THAT(weighted, WithinRel(8.9218832092781852, 1e-15));
  CHECK(detail::centred_norm<double>(xs, std::ldexp(mean, k), none) == std::ldexp(plain, k));
  CHECK(detail::centred_norm<double>(xs, std::ldexp(weighted_mean, k), d.w) ==
        std::ldexp(weighted, k));
  CHECK(detail::centred_norm<long double>(xs, std::ldexp(mean, k), none) ==
        std::ldexp(detail::centred_norm<long double>(x, mean, none), k));
  // fit's scale (the default, long double) scales exactly as well.
  Eigen::MatrixXd Xs = d.X;
  Xs.col(1) = xs;
  CHECK(fit(Xs, d.y).factor.scale[1] == std::ldexp(fit(d.X, d.y).factor.scale[1], k));
  // A subnormal column (about 2^-1070): its scale is finite and about sqrt(sum(x2^2)) 2^-1070,
  // R 17.204650534085253 (to the few bits a subnormal holds).
  const Eigen::VectorXd tiny = x * std::ldexp(1.0, -1070);
  CHECK_THAT(detail::centred_norm<double>(tiny, 0.0, none),
             WithinRel(std::ldexp(17.204650534085253, -1070), 1e-2));
}

TEST_CASE("fit_polynomial: standard errors need no long double range beyond 1e154",
          "[forecast][lm][property]") {
  // fit_polynomial maps the z-basis covariance C to the x basis with b = T a and takes the
  // standard errors from detail::mapped_std_errors (in long double). For a line, T = [[1, -c/s],
  // [0, 1/s]]; x's slope has variance C_11 / s^2, outside double's range for s = 2^k, k = +-700, so
  // run it in double. By hand, with C = [[2, 0.5], [0.5, 1]], sigma = 3 and c = 2 s:
  //   se_0 = 3 sqrt(2 - 2 * 0.5 * 2 + 2^2 * 1) = 6 and se_1 = 3 sqrt(1) / s = 3 / s.
  const int k = GENERATE(-700, 700);
  Eigen::MatrixXd T(2, 2), C(2, 2);
  T << 1, -2, 0, std::ldexp(1.0, -k);
  C << 2, 0.5, 0.5, 1;
  const Eigen::VectorXd se = detail::mapped_std_errors(T, C, 3.0);
  CHECK(se[0] == 6.0);
  CHECK(se[1] == std::ldexp(3.0, -k));
}

TEST_CASE("fit_polynomial: equals fit on the raw powers for a benign design and predicts in x",
          "[forecast][lm]") {
  const small_data d;
  Eigen::MatrixXd P(12, 2);
  P << d.X.col(0), d.X.col(0).array().square().matrix();
  const linear_model raw = fit(P, d.y);
  const linear_model poly = fit_polynomial(d.X.col(0), d.y, 2);
  for (Eigen::Index j = 0; j < 3; ++j) {
    CHECK_THAT(poly.coefficients[j], WithinRel(raw.coefficients[j], 1e-11));
    CHECK_THAT(poly.std_errors[j], WithinRel(raw.std_errors[j], 1e-11));
    for (Eigen::Index k = 0; k < 3; ++k)
      CHECK_THAT(poly.cov_unscaled(j, k), WithinRel(raw.cov_unscaled(j, k), 1e-10));
  }
  Eigen::MatrixXd x_new(2, 1);
  x_new << 0.5, 14;
  Eigen::MatrixXd p_new(2, 2);
  p_new << 0.5, 0.25, 14, 196;
  const prediction a = poly.predict(x_new), b = raw.predict(p_new), c = poly.predict(p_new);
  for (Eigen::Index i = 0; i < 2; ++i) {
    CHECK_THAT(a.mean[i], WithinRel(b.mean[i], 1e-12));
    CHECK_THAT(a.se_mean[i], WithinRel(b.se_mean[i], 1e-11));
    CHECK(c.mean[i] == a.mean[i]);
  }
  CHECK_THAT(poly.hat_values(d.X.col(0)).sum(), WithinRel(3.0, 1e-12));
  // Without intercept: R lm(y ~ 0 + x1 + I(x1^2)) equals fit on the raw powers.
  lm_options o;
  o.intercept = false;
  const linear_model raw0 = fit(P, d.y, o), poly0 = fit_polynomial(d.X.col(0), d.y, 2, o);
  for (Eigen::Index j = 0; j < 2; ++j) {
    CHECK_THAT(poly0.coefficients[j], WithinRel(raw0.coefficients[j], 1e-11));
    CHECK_THAT(poly0.std_errors[j], WithinRel(raw0.std_errors[j], 1e-11));
  }
}
