// Tests for salesops/stats/proportion.hpp.
#include <salesops/stats/proportion.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

#include <boost/math/distributions/binomial.hpp>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using salesops::stats::interval_method;
using salesops::stats::parse_interval_method;
using salesops::stats::proportion_interval;

namespace {
struct reference_case {
  std::uint64_t s, n;
  double level;
  interval_method method;
  double lower, upper;
};

// Reference values from R 4.2 (script below, printed with %.15g):
//   w  <- prop.test(s, n, conf.level = l, correct = FALSE)$conf.int          # Wilson
//   cp <- binom.test(s, n, conf.level = l)$conf.int                          # Clopper-Pearson
//   jl <- if (s == 0) 0 else qbeta(a/2, s + .5, n - s + .5)                  # Jeffreys
//   ju <- if (s == n) 1 else qbeta(1 - a/2, s + .5, n - s + .5)
//   z <- qnorm(1 - a/2); nt <- n + z^2; pt <- (s + z^2/2)/nt                  # Agresti-Coull
//   h <- z * sqrt(pt * (1 - pt)/nt); c(max(0, pt - h), min(1, pt + h))
constexpr auto W = interval_method::wilson;
constexpr auto CP = interval_method::clopper_pearson;
constexpr auto J = interval_method::jeffreys;
constexpr auto AC = interval_method::agresti_coull;
const std::array<reference_case, 24> r_cases{{
    {15, 40, 0.95, W, 0.242229791672333, 0.529675608626989},
    {15, 40, 0.95, CP, 0.227262722481826, 0.541985247767389},
    {15, 40, 0.95, J, 0.237906523304712, 0.529464871299854},
    {15, 40, 0.95, AC, 0.241849525893429, 0.530055874405893},
    {0, 20, 0.95, W, 0, 0.161125158052819},
    {0, 20, 0.95, CP, 0, 0.168433470983085},
    {0, 20, 0.95, J, 0, 0.116638982904875},
    {0, 20, 0.95, AC, 0, 0.189809560542489},
    {20, 20, 0.95, W, 0.838874841947181, 1},
    {20, 20, 0.95, CP, 0.831566529016915, 1},
    {20, 20, 0.95, J, 0.883361017095125, 1},
    {20, 20, 0.95, AC, 0.810190439457511, 1},
    {1, 10, 0.90, W, 0.0226349087308672, 0.347718667335858},
    {1, 10, 0.90, CP, 0.0051161968918237, 0.394163302436505},
    {1, 10, 0.90, J, 0.0178919880557478, 0.330562803260134},
    {1, 10, 0.90, AC, 0.00592825775468603, 0.364425318312039},
    {3, 1000, 0.99, W, 0.000758101231061468, 0.0117935166829249},
    {3, 1000, 0.99, CP, 0.000338144529066493, 0.0109337774204052},
    {3, 1000, 0.99, J, 0.000495124543869655, 0.0101002215881724},
    {3, 1000, 0.99, AC, 0, 0.0126871499695854},
    {7, 9, 0.80, W, 0.566058149536246, 0.90376181779006},
    {7, 9, 0.80, CP, 0.509918805554197, 0.939230950349232},
    {7, 9, 0.80, J, 0.568933667485753, 0.906664460157847},
    {7, 9, 0.80, AC, 0.561517375985109, 0.908302591341197},
}};
} // namespace

TEST_CASE("proportion_interval matches R for every method", "[stats][proportion]") {
  const auto& c = r_cases[static_cast<std::size_t>(GENERATE(range(0, 24)))];
  const auto r = proportion_interval(c.s, c.n, c.level, c.method);
  INFO(r);
  CHECK(r.successes == c.s);
  CHECK(r.trials == c.n);
  CHECK(r.rate == static_cast<double>(c.s) / static_cast<double>(c.n));
  CHECK(r.level == c.level);
  CHECK(r.method == c.method);
  CHECK(r.lower == Approx(c.lower).epsilon(1e-12).margin(1e-15));
  CHECK(r.upper == Approx(c.upper).epsilon(1e-12).margin(1e-15));
}

TEST_CASE("proportion_interval defaults to Wilson at 95%", "[stats][proportion]") {
  // R: prop.test(15, 40, correct = FALSE)$conf.int -> 0.242229791672333 0.529675608626989
  const auto r = proportion_interval(15, 40);
  CHECK(r.method == interval_method::wilson);
  CHECK(r.level == 0.95);
  CHECK(r.lower == Approx(0.242229791672333).epsilon(1e-12));
  CHECK(r.upper == Approx(0.529675608626989).epsilon(1e-12));
}

TEST_CASE("Clopper-Pearson coverage is at least the level for every p (exact sum)",
          "[stats][proportion]") {
  // Coverage at p is sum over k of dbinom(k, n, p) * [lower(k) <= p <= upper(k)], computed
  // exactly from the binomial pmf; Clopper-Pearson guarantees coverage >= level for every p.
  // Wilson and Jeffreys only hold it on average: their mean coverage over uniform p stays
  // within 2 points of the level (Brown, Cai and DasGupta 2001, figures 4 and 5).
  const std::uint64_t n = GENERATE(as<std::uint64_t>{}, 5, 17, 60);
  const double level = GENERATE(0.8, 0.95);
  salesops::rng gen(n * 1000 + static_cast<std::uint64_t>(level * 100));
  for (const auto method :
       {interval_method::clopper_pearson, interval_method::wilson, interval_method::jeffreys}) {
    std::vector<salesops::stats::conversion_rate> intervals;
    for (std::uint64_t k = 0; k <= n; ++k)
      intervals.push_back(proportion_interval(k, n, level, method));
    double mean_coverage = 0;
    const int draws = 400;
    for (int i = 0; i < draws; ++i) {
      const double p = gen.uniform_open();
      const boost::math::binomial_distribution<double> bin(static_cast<double>(n), p);
      double coverage = 0;
      for (std::uint64_t k = 0; k <= n; ++k)
        if (intervals[k].lower <= p && p <= intervals[k].upper)
          coverage += boost::math::pdf(bin, static_cast<double>(k));
      if (method == interval_method::clopper_pearson) {
        INFO("n=" << n << " p=" << p);
        REQUIRE(coverage >= level - 1e-9);
      }
      mean_coverage += coverage / draws;
    }
    INFO(method << " n=" << n << " level=" << level);
    if (method == interval_method::clopper_pearson)
      CHECK(mean_coverage > level);
    else
      CHECK(mean_coverage == Approx(level).margin(0.03));
  }
}

TEST_CASE("Wilson and Clopper-Pearson intervals contain the rate and nest by level",
          "[stats][proportion]") {
  const std::uint64_t n = GENERATE(as<std::uint64_t>{}, 1, 2, 13, 250);
  for (const auto method : {interval_method::wilson, interval_method::clopper_pearson}) {
    for (std::uint64_t s = 0; s <= n; ++s) {
      const auto narrow = proportion_interval(s, n, 0.8, method);
      const auto wide = proportion_interval(s, n, 0.99, method);
      INFO(narrow << " " << wide);
      CHECK(narrow.lower <= narrow.rate);
      CHECK(narrow.rate <= narrow.upper);
      CHECK(wide.lower <= narrow.lower);
      CHECK(wide.upper >= narrow.upper);
      CHECK(wide.lower >= 0.0);
      CHECK(wide.upper <= 1.0);
    }
  }
}

TEST_CASE("proportion_interval is symmetric under swapping successes and failures",
          "[stats][proportion]") {
  // Every method treats failures as successes of the complement: [L, U](s) = 1 - [U, L](n - s).
  for (const auto method : {interval_method::wilson, interval_method::jeffreys,
                            interval_method::clopper_pearson, interval_method::agresti_coull}) {
    for (std::uint64_t s = 0; s <= 30; ++s) {
      const auto a = proportion_interval(s, 30, 0.9, method);
      const auto b = proportion_interval(30 - s, 30, 0.9, method);
      CHECK(a.lower == Approx(1.0 - b.upper).margin(1e-12));
      CHECK(a.upper == Approx(1.0 - b.lower).margin(1e-12));
    }
  }
}

TEST_CASE("parse_interval_method and to_string round-trip", "[stats][proportion]") {
  for (const auto method : {interval_method::wilson, interval_method::jeffreys,
                            interval_method::clopper_pearson, interval_method::agresti_coull})
    CHECK(parse_interval_method(salesops::stats::to_string(method)) == method);
  CHECK(parse_interval_method("clopper-pearson") == interval_method::clopper_pearson);
  CHECK(parse_interval_method("agresti_coull") == interval_method::agresti_coull);
  CHECK_THROWS_AS(parse_interval_method("wald"), salesops::out_of_range_value);
  CHECK_THROWS_WITH(parse_interval_method("Wilson"),
                    Contains("parse_interval_method: method") && Contains("\"Wilson\""));
}

TEST_CASE("conversion_rate prints every field", "[stats][proportion]") {
  std::ostringstream out;
  out << proportion_interval(1, 2, 0.9, interval_method::jeffreys);
  CHECK_THAT(out.str(), Contains("successes=1") && Contains("trials=2") && Contains("rate=0.5") &&
                            Contains("level=0.9") && Contains("method=jeffreys"));
}

TEST_CASE("proportion_interval rejects bad input", "[stats][proportion]") {
  CHECK_THROWS_AS(proportion_interval(0, 0), salesops::empty_input);
  CHECK_THROWS_WITH(proportion_interval(0, 0), Contains("proportion_interval: trials is 0"));
  CHECK_THROWS_AS(proportion_interval(11, 10), salesops::out_of_range_value);
  CHECK_THROWS_WITH(proportion_interval(11, 10),
                    Contains("successes is 11, more than trials (10)"));
  CHECK_THROWS_AS(proportion_interval(1, 10, 0.0), salesops::out_of_range_value);
  CHECK_THROWS_AS(proportion_interval(1, 10, 1.0), salesops::out_of_range_value);
  CHECK_THROWS_WITH(proportion_interval(1, 10, 95.0), Contains("level is 95"));
  CHECK_THROWS_AS(proportion_interval(1, 10, std::numeric_limits<double>::quiet_NaN()),
                  salesops::not_finite);
  CHECK_THROWS_AS(salesops::stats::normal_critical_value(-0.5), salesops::out_of_range_value);
}

TEST_CASE("normal_critical_value matches qnorm", "[stats][proportion]") {
  // R: qnorm(0.975) = 1.95996398454005; qnorm(0.95) = 1.64485362695147
  CHECK(salesops::stats::normal_critical_value(0.95) == Approx(1.95996398454005).epsilon(1e-13));
  CHECK(salesops::stats::normal_critical_value(0.90) == Approx(1.64485362695147).epsilon(1e-13));
}
