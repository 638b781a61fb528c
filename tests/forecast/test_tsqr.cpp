// Tests for salesops/forecast/tsqr.hpp: merged shards equal one fit.
#include <salesops/forecast/tsqr.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

namespace fc = salesops::forecast;
using Catch::Matchers::Contains;

namespace {

void check_close(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double tol) {
  REQUIRE(a.size() == b.size());
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    INFO("entry " << i << ": " << a[i] << " vs " << b[i]);
    CHECK(std::fabs(a[i] - b[i]) <= tol * std::fabs(b[i]));
  }
}

// Rows drawn from three regimes so shards differ in location, scale and size: a shard of
// small values, one shifted far away with a large spread, one heavy-tailed (lognormal).
void draw(salesops::rng& gen, int regime, Eigen::Index rows, Eigen::MatrixXd& X, Eigen::VectorXd& y) {
  const Eigen::Index p = X.cols();
  X.resize(rows, p);
  y.resize(rows);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < p; ++j) {
      if (regime == 0) X(i, j) = gen.uniform(0, 1);
      else if (regime == 1) X(i, j) = 1000.0 + 50.0 * gen.normal();
      else X(i, j) = gen.lognormal(1.0, 1.0);
    }
    y[i] = 3.0 + X.row(i).sum() * 0.5 - X(i, 0) * 2.0 + gen.normal(0, regime == 1 ? 5.0 : 0.5);
  }
}

} // namespace

TEST_CASE("TSQR merged shards equal one fit", "[forecast][tsqr]") {
  const std::uint64_t seed = GENERATE(1u, 2u, 3u, 4u);
  const bool intercept = GENERATE(true, false);
  salesops::rng gen(seed);
  const Eigen::Index p = 4;
  std::vector<Eigen::MatrixXd> xs;
  std::vector<Eigen::VectorXd> ys;
  // Shard sizes 1 (fewer rows than columns), 3, 40, 500, 7: every merge path.
  const std::vector<Eigen::Index> sizes = {1, 3, 40, 500, 7};
  for (std::size_t s = 0; s < sizes.size(); ++s) {
    Eigen::MatrixXd X(0, p);
    Eigen::VectorXd y;
    draw(gen, static_cast<int>(s % 3), sizes[s], X, y);
    xs.push_back(X);
    ys.push_back(y);
  }
  const Eigen::Index n = std::accumulate(sizes.begin(), sizes.end(), Eigen::Index{0});
  Eigen::MatrixXd all_x(n, p);
  Eigen::VectorXd all_y(n);
  Eigen::Index at = 0;
  for (std::size_t s = 0; s < xs.size(); ++s) {
    all_x.middleRows(at, xs[s].rows()) = xs[s];
    all_y.segment(at, xs[s].rows()) = ys[s];
    at += xs[s].rows();
  }
  fc::lm_options options;
  options.intercept = intercept;
  const fc::linear_model one = fc::fit(all_x, all_y, options);

  // Each shard in its own accumulator, merged in a shuffled order (merge is order-free).
  std::vector<std::size_t> order(xs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::shuffle(order.begin(), order.end(), gen);
  fc::tsqr_accumulator merged(static_cast<std::size_t>(p), intercept);
  for (std::size_t s : order) {
    fc::tsqr_accumulator shard(static_cast<std::size_t>(p), intercept);
    shard.update(xs[s], ys[s]);
    merged.merge(shard);
  }
  const fc::linear_model m = merged.result();
  CHECK(merged.count() == static_cast<std::uint64_t>(n));
  check_close(m.coefficients, one.coefficients, 1e-12);
  check_close(m.std_errors, one.std_errors, 1e-12);
  CHECK(m.sigma == Approx(one.sigma).epsilon(1e-12));
  CHECK(m.rss == Approx(one.rss).epsilon(1e-12));
  CHECK(m.tss == Approx(one.tss).epsilon(1e-12));
  CHECK(m.df_residual == one.df_residual);
  CHECK(m.condition_number == Approx(one.condition_number).epsilon(1e-10));

  // predict() works from the merged factorisation.
  Eigen::MatrixXd x_new(2, p);
  draw(gen, 2, 2, x_new, all_y);
  const fc::prediction a = m.predict(x_new), b = one.predict(x_new);
  check_close(a.mean, b.mean, 1e-12);
  check_close(a.se_mean, b.se_mean, 1e-11);

  // Sequential updates into one accumulator give the same state.
  fc::tsqr_accumulator sequential(static_cast<std::size_t>(p), intercept);
  for (std::size_t s = 0; s < xs.size(); ++s) sequential.update(xs[s], ys[s]);
  check_close(sequential.result().coefficients, one.coefficients, 1e-12);
}

TEST_CASE("TSQR keeps accuracy where normal equations lose it", "[forecast][tsqr]") {
  // Brute force comparison: x and x + 1e-7 noise make X'X nearly singular (condition ~1e14
  // after squaring); the true coefficients are known because y is exact.
  salesops::rng gen(9);
  const Eigen::Index n = 400;
  Eigen::MatrixXd X(n, 2);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    X(i, 0) = gen.uniform(0, 1);
    X(i, 1) = X(i, 0) + 1e-5 * gen.normal();
    y[i] = 1.0 + 2.0 * X(i, 0) - 3.0 * X(i, 1);
  }
  fc::tsqr_accumulator acc(2);
  for (Eigen::Index s = 0; s < 4; ++s) acc.update(X.middleRows(s * 100, 100), y.segment(s * 100, 100));
  const fc::linear_model m = acc.result();
  CHECK(m.coefficients[0] == Approx(1.0).epsilon(1e-8));
  CHECK(m.coefficients[1] == Approx(2.0).epsilon(1e-8));
  CHECK(m.coefficients[2] == Approx(-3.0).epsilon(1e-8));
}

TEST_CASE("TSQR: a column beyond 1e154 (or below 1e-154) keeps R's results scaled back",
          "[forecast][tsqr][property]") {
  // R 4.2.2: coef(summary(lm(y ~ x1 + x2))) with
  //   x1 <- c(1.2, 2.3, 3.1, 4.8, 5.0, 6.7, 7.1, 8.9, 9.4, 10.2, 11.8, 12.5)
  //   x2 <- c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8)
  //   y  <- c(5.1, 6.9, 9.8, 11.2, 14.1, 17.9, 16.2, 22.5, 23.1, 23.8, 28.4, 31.0)
  // x2 multiplied by `factor` divides its coefficient and standard error by it. Before, the
  // Householder squared norms overflowed (NaN, reported as aliased) or the column norm
  // underflowed (a false "aliased").
  const double factor = GENERATE(1e200, 1e-200);
  Eigen::MatrixXd X(12, 2);
  X.col(0) << 1.2, 2.3, 3.1, 4.8, 5.0, 6.7, 7.1, 8.9, 9.4, 10.2, 11.8, 12.5;
  X.col(1) << 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8;
  Eigen::VectorXd y(12);
  y << 5.1, 6.9, 9.8, 11.2, 14.1, 17.9, 16.2, 22.5, 23.1, 23.8, 28.4, 31.0;
  X.col(1) *= factor;
  fc::tsqr_accumulator a(2), b(2);
  a.update(X.topRows(5), y.head(5));
  b.update(X.bottomRows(7), y.tail(7));
  a.merge(b);
  const fc::linear_model m = a.result();
  Eigen::VectorXd coefficients = m.coefficients, std_errors = m.std_errors;
  coefficients[2] *= factor;
  std_errors[2] *= factor;
  check_close(coefficients,
              Eigen::Vector3d(1.27550772181117611, 2.10626106781808131, 0.38219689825702169),
              1e-12);
  check_close(std_errors,
              Eigen::Vector3d(0.372040222373497154, 0.051135453638610072, 0.075167410345244656),
              1e-12);
}

TEST_CASE("TSQR: a column on a subnormal scale is refused, not returned as NaN",
          "[forecast][tsqr]") {
  // The data of the test above with x2 times 1e-310: its coefficient, 0.382.../1e-310, is
  // beyond double (fit refuses it too). Before, result() returned NaN.
  Eigen::MatrixXd X(12, 2);
  X.col(0) << 1.2, 2.3, 3.1, 4.8, 5.0, 6.7, 7.1, 8.9, 9.4, 10.2, 11.8, 12.5;
  X.col(1) << 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8;
  X.col(1) *= 1e-310;
  Eigen::VectorXd y(12);
  y << 5.1, 6.9, 9.8, 11.2, 14.1, 17.9, 16.2, 22.5, 23.1, 23.8, 28.4, 31.0;
  fc::tsqr_accumulator a(2);
  a.update(X, y);
  CHECK_THROWS_AS(a.result(), salesops::numerical_error);
  // The factor of a subnormal column is NaN throughout, so no one column can be named.
  CHECK_THROWS_WITH(a.result(), Catch::Matchers::Contains("beyond double's range"));
}

TEST_CASE("TSQR rejects bad input", "[forecast][tsqr]") {
  CHECK_THROWS_AS(fc::tsqr_accumulator(0), salesops::empty_input);
  fc::tsqr_accumulator acc(2);
  Eigen::MatrixXd X(3, 2);
  X << 1, 2, 3, 4, 5, 7;
  Eigen::VectorXd y(3);
  y << 1, std::nan(""), 3;
  CHECK_THROWS_AS(acc.update(X, y), salesops::not_finite);
  CHECK_THROWS_WITH(acc.update(X, y), Contains("row 1"));
  Eigen::VectorXd y2(2);
  y2 << 1, 2;
  CHECK_THROWS_AS(acc.update(X, y2), salesops::length_mismatch);
  y << 1, 2, 3;
  acc.update(X, y);
  CHECK_THROWS_AS(acc.result(), salesops::empty_input); // 3 rows, 3 coefficients
  Eigen::MatrixXd Xc(5, 2);
  Xc << 1, 2, 2, 4, 3, 6, 4, 8, 5, 10; // column 1 = 2 x column 0
  Eigen::VectorXd yc(5);
  yc << 1, 2, 3, 5, 4;
  fc::tsqr_accumulator collinear(2);
  collinear.update(Xc, yc);
  CHECK_THROWS_AS(collinear.result(), salesops::rank_deficient);
  fc::tsqr_accumulator other(3);
  CHECK_THROWS_AS(acc.merge(other), salesops::length_mismatch);
  std::ostringstream text;
  text << acc;
  CHECK(text.str() == "tsqr_accumulator{rows=3}");
}
