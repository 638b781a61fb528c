// Tests for salesops/core/scale.hpp.
#include <salesops/core/scale.hpp>

#include <catch2/catch.hpp>

#include <cfloat>
#include <cmath>
#include <limits>

#include <salesops/core/rng.hpp>

using salesops::binade;

TEST_CASE("binade is the exponent of the largest power of two at or below the magnitude",
          "[core][scale]") {
  // By hand: 2^0 <= 1 and 1.999 < 2^1; 2^1 <= 2; 2^-1 <= 0.75 < 2^0; 2^9 = 512 <= 1000 < 1024.
  CHECK(binade(1.0) == 0);
  CHECK(binade(1.999) == 0);
  CHECK(binade(2.0) == 1);
  CHECK(binade(0.75) == -1);
  CHECK(binade(1000.0) == 9);
  CHECK(binade(1000.0f) == 9);
  // The ends of double's normal range: DBL_MAX < 2^1024, DBL_MIN = 2^-1022.
  CHECK(binade(DBL_MAX) == 1023);
  CHECK(binade(DBL_MIN) == -1022);
}

TEST_CASE("binade clamps subnormal magnitudes so that 2^-e stays finite", "[core][scale]") {
  // ilogb(2^-1074) is -1074 and 2^1074 is inf; the clamp keeps -1022 (min_exponent - 1).
  CHECK(std::ilogb(std::numeric_limits<double>::denorm_min()) == -1074);
  CHECK(binade(std::numeric_limits<double>::denorm_min()) == -1022);
  CHECK(binade(1e-310) == -1022);
  CHECK(binade(1e-40f) == -126); // float subnormal: clamp at FLT_MIN_EXP - 1
  CHECK(binade(static_cast<long double>(std::numeric_limits<double>::denorm_min())) ==
        std::max(-1074, std::numeric_limits<long double>::min_exponent - 1));
}

TEST_CASE("binade is 0 where there is nothing to scale", "[core][scale]") {
  CHECK(binade(0.0) == 0);
  CHECK(binade(-0.0) == 0);
  CHECK(binade(-8.0) == 0);
  CHECK(binade(std::numeric_limits<double>::infinity()) == 0);
  CHECK(binade(std::numeric_limits<double>::quiet_NaN()) == 0);
}

TEST_CASE(
    "scaling by 2^-binade brings a normal double to 1..2 and a subnormal one below 1, exactly",
    "[core][scale]") {
  // Brute-force reference: for magnitudes drawn over every binade (random exponent and
  // mantissa bits), the scaled value is in [1, 2) (normal) or in (0, 1) (subnormal), its
  // 2^e back-scaling returns the same bits, and the scale is finite.
  salesops::rng gen(20261127);
  for (int i = 0; i < 20000; ++i) {
    const int exponent = static_cast<int>(gen.uniform_int(2098)) - 1074;
    const double x = std::ldexp(1.0 + gen.uniform(), exponent);
    if (!(x > 0) || !std::isfinite(x)) continue;
    const int e = binade(x);
    const double scale = std::ldexp(1.0, -e);
    REQUIRE(std::isfinite(scale));
    const double scaled = x * scale;
    if (x >= DBL_MIN) {
      REQUIRE(scaled >= 1.0);
      REQUIRE(scaled < 2.0);
    } else {
      REQUIRE(scaled > 0.0);
      REQUIRE(scaled < 1.0);
    }
    REQUIRE(std::ldexp(scaled, e) == x);
  }
}
