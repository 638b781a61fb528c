// Tests for salesops/stats/fft_convolution.hpp.
#include <salesops/stats/fft_convolution.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
namespace st = salesops::stats;

namespace {

// Brute force: the cyclic convolution modulo n by its definition, in long double.
std::vector<double> cyclic_brute(const std::vector<std::vector<double>>& factors,
                                 const std::vector<std::int64_t>& offsets, std::size_t n) {
  std::vector<long double> acc(n, 0.0L);
  acc[0] = 1;
  const auto nn = static_cast<std::int64_t>(n);
  for (std::size_t k = 0; k < factors.size(); ++k) {
    std::vector<long double> next(n, 0.0L);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < factors[k].size(); ++i) {
        const std::int64_t at = ((static_cast<std::int64_t>(j + i) + offsets[k]) % nn + nn) % nn;
        next[static_cast<std::size_t>(at)] += acc[j] * factors[k][i];
      }
    acc = next;
  }
  return std::vector<double>(acc.begin(), acc.end());
}

// A pmf-like factor: nonnegative, sum 1, with zeros and a long thin tail mixed in.
std::vector<double> random_factor(salesops::rng& gen, std::size_t length) {
  std::vector<double> f(length);
  double total = 0;
  for (auto& v : f) {
    v = gen.uniform() < 0.2 ? 0.0 : gen.uniform() * (gen.uniform() < 0.1 ? 1e-12 : 1.0);
    total += v;
  }
  for (auto& v : f) v /= total > 0 ? total : 1.0;
  return f;
}

} // namespace

TEST_CASE("fft_convolve: hand-derived small cases", "[stats][fft_convolution]") {
  // (1/2, 1/2) * (1/2, 1/2) = (1/4, 1/2, 1/4): two fair coins.
  const std::vector<double> coin = {0.5, 0.5};
  const auto r = st::fft_convolve(coin, coin);
  REQUIRE(r.values.size() == 3);
  CHECK(std::fabs(r.values[0] - 0.25) <= r.l2_error_bound);
  CHECK(std::fabs(r.values[1] - 0.5) <= r.l2_error_bound);
  CHECK(std::fabs(r.values[2] - 0.25) <= r.l2_error_bound);
  CHECK(r.l2_error_bound > 0);
  CHECK(r.l2_error_bound < 1e-14);
  // A unit impulse at 2 shifts: (0, 0, 1) * (3, 1) = (0, 0, 3, 1).
  const std::vector<double> shift = {0, 0, 1}, b = {3, 1};
  const auto s = st::fft_convolve(shift, b);
  REQUIRE(s.values.size() == 4);
  CHECK(s.values[0] == Approx(0).margin(s.l2_error_bound));
  CHECK(s.values[2] == Approx(3).margin(s.l2_error_bound));
  CHECK(s.values[3] == Approx(1).margin(s.l2_error_bound));
  std::ostringstream out;
  out << s;
  CHECK_THAT(out.str(), Contains("size=4"));
  const std::vector<double> empty;
  CHECK(st::fft_convolve(empty, coin).values.empty());
}

TEST_CASE("fft_relative_error_bound is Higham's eps_t", "[stats][fft_convolution]") {
  // Hand: t = log2 n; eta = mu + gamma_4 (sqrt 2 + mu) with mu = 4u; eps_t = t eta / (1 - t eta).
  const double u = std::ldexp(1.0, -53);
  const double eta = 4 * u + 4 * u / (1 - 4 * u) * (std::sqrt(2.0) + 4 * u);
  CHECK(st::fft_relative_error_bound(1) == 0.0);
  CHECK(st::fft_relative_error_bound(2) == Approx(eta / (1 - eta)).epsilon(1e-12));
  CHECK(st::fft_relative_error_bound(1024) == Approx(10 * eta / (1 - 10 * eta)).epsilon(1e-12));
  CHECK(st::unit_roundoff == u);
}

TEST_CASE("fft twiddles are within the stated mu of long double values",
          "[stats][fft_convolution]") {
  if (std::numeric_limits<long double>::digits <= 53) {
    WARN("long double is no wider than double here: twiddle accuracy not checked");
    return;
  }
  for (std::size_t n : {std::size_t{2}, std::size_t{4}, std::size_t{8}, std::size_t{4096}, std::size_t{1} << 16}) {
    const st::detail::fft_twiddles w(n);
    double worst = 0;
    for (std::size_t h = 1; h < n; h *= 2)
      for (std::size_t j = 0; j < h; ++j) {
        const long double theta = 2 * 3.141592653589793238462643383279502884L *
                                  static_cast<long double>(j) / static_cast<long double>(2 * h);
        const long double dr = w.re(h)[j] - std::cos(theta), di = w.im(h)[j] + std::sin(theta);
        worst = std::max(worst, static_cast<double>(std::sqrt(dr * dr + di * di)));
      }
    CHECK(worst <= st::fft_twiddle_error);
  }
}

TEST_CASE("fft_convolve == direct convolution within the stated bounds",
          "[stats][fft_convolution]") {
  const auto seed = GENERATE(1u, 2u, 3u);
  const auto la = GENERATE(std::size_t{1}, std::size_t{7}, std::size_t{300});
  const auto lb = GENERATE(std::size_t{1}, std::size_t{64}, std::size_t{1000});
  salesops::rng gen(seed * 1000u + static_cast<unsigned>(la + lb));
  const auto a = random_factor(gen, la), b = random_factor(gen, lb);
  const auto r = st::fft_convolve(a, b);
  REQUIRE(r.values.size() == la + lb - 1);
  // Direct O(la lb) sum in long double: the reference.
  double l1 = 0, worst = 0;
  for (std::size_t j = 0; j < r.values.size(); ++j) {
    long double exact = 0;
    for (std::size_t i = 0; i < la; ++i)
      if (j >= i && j - i < lb) exact += static_cast<long double>(a[i]) * b[j - i];
    const double diff = std::fabs(r.values[j] - static_cast<double>(exact));
    worst = std::max(worst, diff);
    l1 += diff;
    CHECK(r.values[j] >= 0.0); // negative rounding noise is clamped
  }
  CHECK(worst <= r.l2_error_bound);
  CHECK(l1 <= r.l1_error_bound);
  CHECK(r.l1_error_bound < 1e-12); // the bound is informative at this scale
}

TEST_CASE("cyclic_convolution: several factors, offsets and folding == brute force",
          "[stats][fft_convolution]") {
  const auto seed = GENERATE(11u, 12u, 13u, 14u);
  const std::size_t n = GENERATE(std::size_t{1}, std::size_t{16}, std::size_t{128});
  salesops::rng gen(seed);
  const std::size_t count = 1 + static_cast<std::size_t>(gen.uniform_int(5));
  std::vector<std::vector<double>> factors;
  std::vector<std::int64_t> offsets;
  st::cyclic_convolution c(n);
  for (std::size_t k = 0; k < count; ++k) {
    // Lengths up to 2.5 n (folded) and offsets of either sign.
    factors.push_back(random_factor(gen, 1 + static_cast<std::size_t>(gen.uniform_int(5 * n / 2 + 1))));
    offsets.push_back(static_cast<std::int64_t>(gen.uniform_int(6 * n + 1)) - static_cast<std::int64_t>(3 * n));
    c.update(factors.back(), offsets.back());
  }
  CHECK(c.factors() == count);
  CHECK(c.size() == n);
  const auto r = c.result();
  const auto ref = cyclic_brute(factors, offsets, n);
  double l1 = 0;
  for (std::size_t j = 0; j < n; ++j) {
    CHECK(std::fabs(r.values[j] - ref[j]) <= r.l2_error_bound);
    l1 += std::fabs(r.values[j] - ref[j]);
  }
  CHECK(l1 <= r.l1_error_bound);
}

TEST_CASE("cyclic_convolution: no factor is the unit impulse, and bad input throws",
          "[stats][fft_convolution]") {
  st::cyclic_convolution none(8);
  const auto r = none.result();
  CHECK(r.values == std::vector<double>{1, 0, 0, 0, 0, 0, 0, 0});
  CHECK(r.l1_error_bound == 0.0);
  CHECK_THROWS_AS(st::cyclic_convolution(12), salesops::out_of_range_value);
  CHECK_THROWS_WITH(st::cyclic_convolution(0), Contains("not a power of two"));
  st::cyclic_convolution c(4);
  const std::vector<double> bad = {0.5, -0.1, 0.6};
  CHECK_THROWS_AS(c.update(bad), salesops::negative_value);
  CHECK_THROWS_WITH(c.update(bad), Contains("factor at row 1"));
  const std::vector<double> nan = {0.5, 0.5, std::nan("")};
  CHECK_THROWS_AS(c.update(nan), salesops::not_finite);
  CHECK_THROWS_WITH(st::fft_convolve(bad, nan), Contains("a at row 1"));
  CHECK_THROWS_WITH(st::fft_convolve(nan, nan), Contains("a at row 2"));
}
