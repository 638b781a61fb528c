// Tests for salesops/stats/quantile.hpp.
#include <salesops/stats/quantile.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using salesops::span;
using salesops::stats::median;
using salesops::stats::quantile;
using salesops::stats::quantile_sorted;
using salesops::stats::quantiles;

TEST_CASE("quantile matches R's type 7", "[stats][quantile]") {
  // R: x <- c(3.5, -1, 4, 1, 5, 9, 2.25, 6, 5, 3)
  //    quantile(x, c(0, .1, .25, .33, .5, .9, .99, 1))
  //    -> -1.0000 0.8000 2.4375 2.9775 3.7500 6.3000 8.7300 9.0000
  const std::vector<double> x = {3.5, -1, 4, 1, 5, 9, 2.25, 6, 5, 3};
  const std::array<double, 8> p = {0, .1, .25, .33, .5, .9, .99, 1};
  const std::array<double, 8> expected = {-1.0, 0.8, 2.4375, 2.9775, 3.75, 6.3, 8.73, 9.0};
  for (std::size_t i = 0; i < p.size(); ++i) {
    INFO("p = " << p[i]);
    CHECK(quantile(x, p[i]) == Approx(expected[i]).epsilon(1e-14));
  }
  const auto all = quantiles(x, p);
  REQUIRE(all.size() == p.size());
  for (std::size_t i = 0; i < p.size(); ++i) CHECK(all[i] == Approx(expected[i]).epsilon(1e-14));
  CHECK(median(x) == 3.75);
}

TEST_CASE("quantile of integers is a double", "[stats][quantile]") {
  // R: quantile(c(7L, 1L, 4L, 2L), c(.5, .3)) -> 3.0 1.9
  const std::vector<std::int64_t> x = {7, 1, 4, 2};
  const auto m = median(x);
  STATIC_REQUIRE(std::is_same_v<decltype(m), const double>);
  CHECK(m == 3.0);
  CHECK(quantile(x, 0.3) == Approx(1.9).epsilon(1e-15));
  // float stays float
  const std::array<float, 3> f = {1.f, 2.f, 4.f};
  STATIC_REQUIRE(std::is_same_v<decltype(median(f)), float>);
  CHECK(median(f) == 2.f);
}

TEST_CASE("quantile of one value is that value, and spans and Eigen work", "[stats][quantile]") {
  // R: quantile(42, c(0, .37, 1)) -> 42 42 42
  const std::vector<double> one = {42};
  for (double p : {0.0, 0.37, 1.0}) CHECK(quantile(one, p) == 42.0);
  Eigen::VectorXd v(3);
  v << 3, 1, 2;
  CHECK(median(v) == 2.0);
  const std::vector<double> sorted = {1, 2, 3, 10};
  CHECK(quantile_sorted(sorted, 0.5) == 2.5);
  CHECK(quantile_sorted(span<const double>(sorted), 1.0) == 10.0);
  CHECK(quantile(span<const double>(sorted), 0.0) == 1.0);
}

TEST_CASE("quantile equals a brute-force sort-and-interpolate and ignores order",
          "[stats][quantile]") {
  // Brute force: sort a copy, h = (n - 1) p, interpolate between x[floor h] and x[ceil h].
  salesops::rng gen(GENERATE(11u, 12u, 13u, 14u));
  const auto n = static_cast<std::size_t>(1 + gen.uniform_int(60));
  std::vector<double> x(n);
  // Many ties: round half the draws to integers.
  for (auto& v : x) v = gen.uniform() < 0.5 ? std::round(gen.normal(0, 3)) : gen.normal(0, 3);
  std::vector<double> sorted = x;
  std::sort(sorted.begin(), sorted.end());
  for (int k = 0; k < 50; ++k) {
    const double p = k == 0 ? 0.0 : (k == 1 ? 1.0 : gen.uniform());
    const double h = static_cast<double>(n - 1) * p;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const auto hi = static_cast<std::size_t>(std::ceil(h));
    const double brute = sorted[lo] + (h - std::floor(h)) * (sorted[hi] - sorted[lo]);
    INFO("n=" << n << " p=" << p);
    CHECK(quantile(x, p) == Approx(brute).epsilon(1e-14).margin(1e-14));
    CHECK(quantile_sorted(sorted, p) == quantile(x, p));
    std::shuffle(x.begin(), x.end(), gen);
    CHECK(quantile(x, p) == quantile_sorted(sorted, p));
  }
}

TEST_CASE("quantile rejects bad input", "[stats][quantile]") {
  const std::vector<double> empty;
  const std::vector<double> with_nan = {1, 2, std::numeric_limits<double>::quiet_NaN(), 4};
  const std::vector<double> unsorted = {1, 3, 2};
  const std::vector<double> ok = {1, 2, 3};
  CHECK_THROWS_AS(quantile(empty, 0.5), salesops::empty_input);
  CHECK_THROWS_AS(median(empty), salesops::empty_input);
  CHECK_THROWS_AS(quantile(with_nan, 0.5), salesops::not_finite);
  CHECK_THROWS_WITH(quantile(with_nan, 0.5), Contains("quantile: values at row 2 is nan"));
  CHECK_THROWS_AS(quantile(ok, 1.5), salesops::out_of_range_value);
  CHECK_THROWS_WITH(quantile(ok, -0.1), Contains("quantile: p is -0.1"));
  CHECK_THROWS_AS(quantile_sorted(unsorted, 0.5), salesops::not_sorted);
  CHECK_THROWS_WITH(quantile_sorted(unsorted, 0.5), Contains("row 2"));
  CHECK_THROWS_AS(quantile_sorted(with_nan, 0.5), salesops::not_finite);
  const std::vector<double> probs = {0.5, 2.0};
  CHECK_THROWS_WITH(quantiles(ok, probs), Contains("quantiles: probs at row 1 is 2"));
}
