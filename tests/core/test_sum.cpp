// Tests for salesops/core/sum.hpp.
#include <salesops/core/sum.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <limits>
#include <vector>

#include <salesops/core/rng.hpp>

using salesops::compensated_sum;
using salesops::neumaier_sum;

TEST_CASE("neumaier_sum keeps the small terms a naive sum loses", "[core][sum]") {
  // Hand derivation: 1 + 1e100 + 1 - 1e100 = 2 exactly. A naive double sum gives 0 because
  // each 1 is absorbed by 1e100; Kahan's original algorithm also gives 0 here, Neumaier's
  // variant recovers both ones.
  const std::vector<double> terms = {1.0, 1e100, 1.0, -1e100};
  double naive = 0;
  for (double t : terms) naive += t;
  CHECK(naive == 0.0);
  CHECK(compensated_sum(terms) == 2.0);
}

TEST_CASE("neumaier_sum of 0.1 ten million times", "[core][sum]") {
  // The exact sum of 10^7 copies of double(0.1) is 10^7 * 0.1000000000000000055511151231257827
  // = 1000000.000000000055511...; the compensated result is the double nearest to it.
  neumaier_sum<double> acc;
  for (int i = 0; i < 10'000'000; ++i) acc.update(0.1);
  CHECK(acc.result() == 1000000.0);
}

TEST_CASE("neumaier_sum merge equals one pass on shards of different scales", "[core][sum]") {
  salesops::rng gen(GENERATE(1u, 2u, 3u));
  // Shard A: small amounts; shard B: huge amounts with cancelling signs; shard C: mixed.
  std::vector<double> all;
  std::array<neumaier_sum<double>, 3> shards{};
  for (int i = 0; i < 3000; ++i) {
    const int s = i % 3;
    double x = 0;
    if (s == 0) x = gen.uniform(0.0, 1.0);
    if (s == 1) x = (gen.uniform() < 0.5 ? -1.0 : 1.0) * gen.uniform(1e12, 1e15);
    if (s == 2) x = gen.lognormal(5.0, 3.0);
    all.push_back(x);
    shards[static_cast<std::size_t>(s)].update(x);
  }
  neumaier_sum<double> merged;
  for (const auto& s : shards) merged.merge(s);
  // Reference: the same sum in long double pairs is not exact either, so compare with the
  // one-pass compensated result, to the last few ulps of the largest partial sum.
  const double one_pass = compensated_sum(all);
  CHECK(merged.result() == Approx(one_pass).epsilon(0).margin(1e15 * 4e-16));
}

TEST_CASE("compensated_sum of integers is a double", "[core][sum]") {
  const std::vector<std::int64_t> cents = {199, 250, -49};
  const auto total = compensated_sum(cents);
  STATIC_REQUIRE(std::is_same_v<decltype(total), const double>);
  CHECK(total == 400.0);
}

namespace {
// Exact reference: amounts that are whole multiples of 2^-10 (like cents, but exactly
// representable) are summed without rounding as 128-bit integers of 2^-10 units.
__extension__ typedef __int128 int128;
} // namespace

TEST_CASE("compensated_sum equals the exact sum of dyadic amounts, in any order", "[core][sum]") {
  salesops::rng gen(GENERATE(4u, 5u, 6u));
  const int n = 20000;
  // A booking and its reversal of 2^62 bracket the small amounts: they cancel exactly, but a
  // naive running sum rounds every small amount to a multiple of 2^10 meanwhile.
  const double big = std::ldexp(1.0, 62);
  std::vector<double> amounts = {big};
  int128 exact_units = 0;
  for (int i = 0; i < n; ++i) {
    // Magnitudes from 2^-10 to 2^45 with random signs, so that most of the total cancels.
    const auto exponent = static_cast<int>(gen.uniform_int(45));
    const auto units = static_cast<std::int64_t>(gen.uniform_int(std::uint64_t{1} << 10))
                       << exponent;
    const std::int64_t signed_units = gen.bernoulli(0.5) ? units : -units;
    amounts.push_back(std::ldexp(static_cast<double>(signed_units), -10));
    exact_units += signed_units;
  }
  amounts.push_back(-big);
  const double exact = std::ldexp(static_cast<double>(exact_units), -10); // one rounding
  const double ulp = std::nextafter(std::fabs(exact), 1e300) - std::fabs(exact);
  const double compensated = compensated_sum(amounts);
  CHECK(std::fabs(compensated - exact) <= ulp);
  // The naive left-to-right sum of the same terms is far off (the reason the accumulator
  // exists); shown so that the reference visibly bites.
  double naive = 0;
  for (double a : amounts) naive += a;
  CHECK(std::fabs(naive - exact) > 1e3 * ulp);
  // Permutation invariance: any order gives the exact sum to within one ulp.
  std::shuffle(amounts.begin(), amounts.end(), gen);
  CHECK(std::fabs(compensated_sum(amounts) - exact) <= ulp);
  std::sort(amounts.begin(), amounts.end());
  CHECK(std::fabs(compensated_sum(amounts) - exact) <= ulp);
}

TEST_CASE("neumaier_sum overflows to infinity, not NaN", "[core][sum]") {
  // 1e308 + 1e308 overflows; the compensation of that step is inf - inf. The result was NaN,
  // which then leaked into money totals (credited revenue, bookings) as NaN.
  salesops::neumaier_sum<double> up, down;
  for (int i = 0; i < 2; ++i) {
    up.update(1e308);
    down.update(-1e308);
  }
  CHECK(up.result() == std::numeric_limits<double>::infinity());
  CHECK(down.result() == -std::numeric_limits<double>::infinity());
  salesops::neumaier_sum<double> merged;
  merged.merge(up);
  CHECK(merged.result() == std::numeric_limits<double>::infinity());
}

TEST_CASE("neumaier_sum prints its result", "[core][sum]") {
  neumaier_sum<double> acc;
  acc.update(1.5);
  acc.update(2.25);
  std::ostringstream out;
  out << acc;
  CHECK(out.str() == "neumaier_sum{3.75}"); // hand: 1.5 + 2.25
}

TEST_CASE("compensated_sum rejects NaN and infinity, naming the row", "[core][sum]") {
  const std::vector<double> amounts = {10.0, 20.0, std::numeric_limits<double>::quiet_NaN()};
  CHECK_THROWS_AS(compensated_sum(amounts), salesops::not_finite);
  CHECK_THROWS_WITH(compensated_sum(amounts),
                    Catch::Matchers::Equals("compensated_sum: values at row 2 is nan"));
  const std::vector<double> with_inf = {std::numeric_limits<double>::infinity()};
  CHECK_THROWS_AS(compensated_sum(with_inf), salesops::not_finite);
}
