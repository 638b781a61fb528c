// Tests of forecast/ridge.hpp against R 4.2.2 MASS::lm.ridge and brute-force references:
// the data of test_linear_model.cpp.
#include <catch2/catch.hpp>

#include "small_data.hpp"

#include <salesops/core/rng.hpp>
#include <salesops/forecast/linear_model.hpp>
#include <salesops/forecast/ridge.hpp>

#include <cmath>
#include <sstream>

using namespace salesops::forecast;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;

namespace {

ridge_model at(const small_data& d, double lambda, ridge_criterion c = ridge_criterion::gcv) {
  ridge_options o;
  o.lambda = lambda;
  o.criterion = c;
  return ridge_fit(d.X, d.y, o);
}
} // namespace

TEST_CASE("ridge_fit: MASS::lm.ridge coefficients and GCV at fixed lambda", "[forecast][ridge]") {
  const small_data d;
  // R: rr <- lm.ridge(y ~ x1 + x2, lambda = c(0.5, 3)); coef(rr); rr$GCV
  const ridge_model a = at(d, 0.5), b = at(d, 3);
  CHECK_THAT(a.coefficients[0], WithinRel(1.7372704286350213, 1e-12));
  CHECK_THAT(a.coefficients[1], WithinRel(2.0021942992103710, 1e-12));
  CHECK_THAT(a.coefficients[2], WithinRel(0.44174284657536461, 1e-12));
  CHECK_THAT(b.coefficients[1], WithinRel(1.6264734825162539, 1e-12));
  CHECK_THAT(b.coefficients[2], WithinRel(0.59326796594875009, 1e-12));
  CHECK_THAT(a.gcv, WithinRel(0.03827673867720028, 1e-12));
  CHECK_THAT(b.gcv, WithinRel(0.27532806292030881, 1e-12));
  CHECK_FALSE(a.chosen);
  // lambda = 0 is least squares (hand derivation).
  const ridge_model z = at(d, 0);
  const linear_model ls = fit(d.X, d.y);
  for (Eigen::Index j = 0; j < 3; ++j) CHECK_THAT(z.coefficients[j], WithinRel(ls.coefficients[j], 1e-12));
  CHECK_THAT(z.df, WithinRel(2.0, 1e-14));
  std::ostringstream out;
  out << a;
  CHECK_THAT(out.str(), Contains("lambda=0.5"));
}

TEST_CASE("ridge_fit: chosen lambda minimises GCV / LOO (MASS grid and brute force)",
          "[forecast][ridge]") {
  const small_data d;
  const ridge_model g = ridge_fit(d.X, d.y);
  CHECK(g.chosen);
  // R: rr2 <- lm.ridge(y ~ x1 + x2, lambda = seq(0, 5, by = 0.001));
  //    rr2$lambda[which.min(rr2$GCV)] = 0.011, min(rr2$GCV) = 0.026597500471373516
  CHECK(std::abs(g.lambda - 0.011) < 0.001);
  CHECK(g.gcv <= 0.026597500471373516 * (1 + 1e-9));
  // Brute-force LOO: refit the ridge without row i at the chosen lambda and predict row i.
  const ridge_model l = ridge_fit(d.X, d.y, {-1, ridge_criterion::leave_one_out});
  double loo = 0;
  for (Eigen::Index i = 0; i < 12; ++i) {
    Eigen::MatrixXd Xi(11, 2);
    Eigen::VectorXd yi(11);
    for (Eigen::Index r = 0, k = 0; r < 12; ++r)
      if (r != i) {
        Xi.row(k) = d.X.row(r);
        yi[k++] = d.y[r];
      }
    // Exact LOO of the full-data smoother: e_i / (1 - h_ii) equals the refit with the same
    // standardisation and penalty, computed here by solving the penalised normal equations.
    const Eigen::VectorXd mean = d.X.colwise().mean();
    const Eigen::VectorXd scale = ((d.X.rowwise() - mean.transpose()).colwise().squaredNorm() / 12.0).cwiseSqrt();
    Eigen::MatrixXd A(11, 3);
    A.col(0).setOnes();
    for (Eigen::Index j = 0; j < 2; ++j) A.col(j + 1) = (Xi.col(j).array() - mean[j]) / scale[j];
    Eigen::MatrixXd P = A.transpose() * A;
    P(1, 1) += l.lambda;
    P(2, 2) += l.lambda;
    const Eigen::VectorXd beta = P.ldlt().solve(A.transpose() * yi);
    const double pred = beta[0] + beta[1] * (d.X(i, 0) - mean[0]) / scale[0] +
                        beta[2] * (d.X(i, 1) - mean[1]) / scale[1];
    loo += (d.y[i] - pred) * (d.y[i] - pred) / 12.0;
  }
  CHECK_THAT(l.loo_cv, WithinRel(loo, 1e-9));
  // Brute force: no lambda on a dense grid (1e-6 .. 1e3, 901 points) does better.
  for (int t = 0; t <= 900; ++t) {
    const double lambda = std::pow(10.0, -6 + 0.01 * t);
    CHECK(l.loo_cv <= at(d, lambda, ridge_criterion::leave_one_out).loo_cv * (1 + 1e-9));
    CHECK(g.gcv <= at(d, lambda).gcv * (1 + 1e-9));
  }
}

TEST_CASE("ridge_fit: bad input", "[forecast][ridge]") {
  const small_data d;
  Eigen::MatrixXd C(12, 2);
  C << d.X.col(0), Eigen::VectorXd::Constant(12, 2.0);
  CHECK_THROWS_AS(ridge_fit(C, d.y), salesops::rank_deficient);
  CHECK_THROWS_WITH(ridge_fit(C, d.y), Contains("column 1 is constant"));
  CHECK_THROWS_AS(ridge_fit(d.X, d.y.head(3)), salesops::length_mismatch);
  Eigen::MatrixXd X = d.X;
  X(3, 0) = std::nan("");
  CHECK_THROWS_WITH(ridge_fit(X, d.y), Contains("X at row 3") && Contains("column 0"));
}

TEST_CASE("ridge_fit: 18 predictors (Jacobi SVD past BDCSVD's small-size cutoff of 16) match "
          "MASS::lm.ridge and R's svd",
          "[forecast][ridge]") {
  // R 4.2.2:
  //   n <- 40; p <- 18
  //   X <- outer(1:n, 1:p, function(i, j) sin(0.7 * i * j) + 0.1 * j * cos(i))
  //   y <- as.vector(X %*% (((1:p) %% 5) - 2) + 0.5 * sin(3 * (1:n)))
  //   rr <- lm.ridge(y ~ X, lambda = c(0.5, 7)); coef(rr); rr$GCV
  //   Xc <- scale(X, scale = FALSE); d <- svd(sweep(Xc, 2, sqrt(colSums(Xc^2) / n), "/"))$d
  //   sum(d^2 / (d^2 + 0.5)); sum(d^2 / (d^2 + 7))
  // (ridge_fit's df is that trace, so it checks the singular values.)
  const Eigen::Index n = 40, p = 18;
  Eigen::MatrixXd X(n, p);
  Eigen::VectorXd y = Eigen::VectorXd::Zero(n);
  for (Eigen::Index i = 1; i <= n; ++i) {
    for (Eigen::Index j = 1; j <= p; ++j) {
      const double di = static_cast<double>(i), dj = static_cast<double>(j);
      X(i - 1, j - 1) = std::sin(0.7 * di * dj) + 0.1 * dj * std::cos(di);
      y[i - 1] += static_cast<double>(j % 5 - 2) * X(i - 1, j - 1);
    }
    y[i - 1] += 0.5 * std::sin(3.0 * static_cast<double>(i));
  }
  const double coef_half[] = {
      0.11963205534392318,  -1.7351807543374349,   -0.60036275984019882, 0.72681726933650981,
      2.6227493262798207,   -0.50412343433121987,  -1.7934445422266387,  -0.65331392349303730,
      0.51254075302887003,  1.96215722235940904,   -1.5860860593271162,  -0.77818242050141051,
      -0.061488049352419062, 1.1191104771210842,   1.09683986873725914,  -1.42612289220874078,
      -0.70496733446147530, 0.10780509123797299,   0.81699425480158627};
  const double coef_seven[] = {
      0.66357616402926256,  -1.6613310279245357,   -0.36676279610944612, 1.05792360722904188,
      1.7309301507952508,   -0.44609936985445670,  -1.5197367811440869,  -0.38502845782234818,
      0.68778893225347515,  0.97079417784658673,   -1.1343956958584438,  -0.48818223654701881,
      0.079337800704078545, 1.1390207346358809,    0.34252491130743051,  -0.87259864162024159,
      -0.40160029921999479, 0.16904362176685914,   0.42216891838347970};
  ridge_options o;
  o.lambda = 0.5;
  const ridge_model a = ridge_fit(X, y, o);
  o.lambda = 7;
  const ridge_model b = ridge_fit(X, y, o);
  REQUIRE(a.coefficients.size() == p + 1);
  for (Eigen::Index j = 0; j <= p; ++j) {
    CHECK_THAT(a.coefficients[j], WithinRel(coef_half[j], 1e-10));
    CHECK_THAT(b.coefficients[j], WithinRel(coef_seven[j], 1e-10));
  }
  CHECK_THAT(a.gcv, WithinRel(0.0073259989888004003, 1e-10));
  CHECK_THAT(b.gcv, WithinRel(0.0332712787127628848, 1e-10));
  CHECK_THAT(a.df, WithinRel(10.509947950089204, 1e-12));
  CHECK_THAT(b.df, WithinRel(7.1389700527274069, 1e-12));
}
