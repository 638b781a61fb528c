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
