// Tests for salesops/stats/beta_binomial.hpp.
#include <salesops/stats/beta_binomial.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using salesops::stats::beta_method;
using salesops::stats::prob_b_beats_a;
using salesops::stats::prob_beta_greater;

namespace {
struct beta_case {
  double alpha_a, beta_a, alpha_b, beta_b, expected;
};
// R 4.2, numerical integration of P(B > A) = E_A[P(B > x)]:
//   integrate(function(x) dbeta(x, a1, b1) * pbeta(x, a2, b2, lower.tail = FALSE), 0, 1,
//             rel.tol = 1e-13, subdivisions = 10000L)$value     (abs.error <= 9e-14)
const std::array<beta_case, 9> r_cases{{
    {49, 33, 57, 15, 0.995929538976858},             // 48/80 vs 56/70, uniform prior
    {4, 8, 10, 2, 0.996240601503759},                // 3/10 vs 9/10; exactly 265/266 (hand sum)
    {3.5, 7.5, 9.5, 1.5, 0.997737406610166},         // same data, Jeffreys prior
    {120.5, 880.5, 95.5, 905.5, 0.0354583152084623}, // 120/1000 vs 95/1000, Jeffreys
    {1, 1, 1, 1, 0.5},                               // symmetry
    {2.5, 3.5, 2.5, 3.5, 0.5},                       // symmetry, non-integer
    {0.3, 0.7, 0.4, 2.2, 0.401194593603866},         // every parameter < 1 or non-integer
    {201, 9801, 261, 9741, 0.997677548780049},       // 200/10000 vs 260/10000
    {7, 3, 2, 5, 0.034965034965035},                 // exactly 5/143 (hand sum)
}};
} // namespace

TEST_CASE("prob_beta_greater matches R's numerical integral", "[stats][beta_binomial]") {
  const auto& c = r_cases[static_cast<std::size_t>(GENERATE(range(0, 9)))];
  const auto r = prob_beta_greater(c.alpha_a, c.beta_a, c.alpha_b, c.beta_b);
  INFO(r);
  CHECK(r.prob_b_beats_a == Approx(c.expected).epsilon(1e-11).margin(1e-13));
  // The reported error bound is honest (R's own abs.error is below 1e-13) and small.
  CHECK(std::fabs(r.prob_b_beats_a - c.expected) <= r.error_estimate + 1e-13);
  CHECK(r.error_estimate < 1e-8);
  CHECK(r.method != beta_method::automatic);
  const bool any_integer = std::floor(c.alpha_a) == c.alpha_a || std::floor(c.beta_a) == c.beta_a ||
                           std::floor(c.alpha_b) == c.alpha_b || std::floor(c.beta_b) == c.beta_b;
  // automatic sums the closed form for small counts only (its bound grows with the total).
  const bool small = c.alpha_a + c.beta_a + c.alpha_b + c.beta_b < 1000;
  CHECK((r.method == beta_method::closed_form) == (any_integer && small));
  // The quadrature path gives the same answer on every case.
  const auto q =
      prob_beta_greater(c.alpha_a, c.beta_a, c.alpha_b, c.beta_b, beta_method::quadrature);
  CHECK(q.method == beta_method::quadrature);
  CHECK(q.prob_b_beats_a == Approx(c.expected).epsilon(1e-10).margin(1e-12));
}

TEST_CASE("closed form equals quadrature whichever parameter is the integer",
          "[stats][beta_binomial]") {
  // Each of the four branches of the closed form (integer alpha_b, alpha_a, beta_a or beta_b
  // being the smallest integer) against quadrature, on random parameters.
  salesops::rng gen(GENERATE(61u, 62u, 63u, 64u));
  for (int i = 0; i < 25; ++i) {
    double p[4];
    for (double& x : p) x = 0.3 + gen.uniform() * 60.0;
    const auto which = static_cast<std::size_t>(gen.uniform_int(4));
    p[which] = std::floor(p[which]) + 1.0;
    const auto c = prob_beta_greater(p[0], p[1], p[2], p[3], beta_method::closed_form);
    const auto q = prob_beta_greater(p[0], p[1], p[2], p[3], beta_method::quadrature);
    INFO(c << " " << q);
    CHECK(c.prob_b_beats_a == Approx(q.prob_b_beats_a).margin(1e-10));
    // Swapping A and B gives the complement (ties have probability 0).
    const auto swapped = prob_beta_greater(p[2], p[3], p[0], p[1], beta_method::closed_form);
    CHECK(swapped.prob_b_beats_a == Approx(1.0 - c.prob_b_beats_a).margin(1e-12));
  }
}

TEST_CASE("P(B > A) agrees with Monte Carlo on 10^6 draws", "[stats][beta_binomial]") {
  // Cross-check only: 10^6 seeded draws from each posterior, tolerance 5 standard errors
  // sqrt(p (1 - p) / 10^6) (about 2.5e-3 at worst).
  struct mc_case {
    std::uint64_t s_a, n_a, s_b, n_b;
    double prior;
  };
  const auto c = GENERATE(mc_case{48, 80, 56, 70, 1.0}, mc_case{120, 1000, 95, 1000, 0.5},
                          mc_case{2, 9, 3, 11, 0.5});
  const auto exact = prob_b_beats_a(c.s_a, c.n_a, c.s_b, c.n_b, c.prior, c.prior);
  salesops::rng gen(2024);
  const int draws = 1'000'000;
  int wins = 0;
  for (int i = 0; i < draws; ++i) {
    const double a = gen.beta(exact.alpha_a, exact.beta_a);
    const double b = gen.beta(exact.alpha_b, exact.beta_b);
    wins += b > a ? 1 : 0;
  }
  const double mc = static_cast<double>(wins) / draws;
  const double p = exact.prob_b_beats_a;
  INFO(exact << " monte carlo " << mc);
  CHECK(std::fabs(mc - p) < 5.0 * std::sqrt(p * (1 - p) / draws) + 1e-6);
}

TEST_CASE("prob_b_beats_a builds the posteriors from counts and a prior",
          "[stats][beta_binomial]") {
  const auto r = prob_b_beats_a(3, 10, 9, 10);
  CHECK(r.alpha_a == 4.0);
  CHECK(r.beta_a == 8.0);
  CHECK(r.alpha_b == 10.0);
  CHECK(r.beta_b == 2.0);
  CHECK(r.prob_b_beats_a == Approx(265.0 / 266.0).epsilon(1e-13));
  const auto j = prob_b_beats_a(3, 10, 9, 10, 0.5, 0.5);
  CHECK(j.method == beta_method::quadrature);
  CHECK(j.prob_b_beats_a == Approx(0.997737406610166).epsilon(1e-11));
  // Large counts go through quadrature, more accurate there than the closed form:
  // R: integrate(function(x) dbeta(x, 50001, 950001) * pbeta(x, 51001, 949001,
  //    lower.tail = FALSE), 0.045, 0.06, rel.tol = 1e-13)$value -> 0.999379280607774
  const auto big = prob_b_beats_a(50000, 1000000, 51000, 1000000);
  CHECK(big.method == beta_method::quadrature);
  CHECK(big.prob_b_beats_a == Approx(0.999379280607774).epsilon(1e-12));
  const auto big_closed =
      prob_b_beats_a(50000, 1000000, 51000, 1000000, 1.0, 1.0, beta_method::closed_form);
  CHECK(std::fabs(big_closed.prob_b_beats_a - 0.999379280607774) <= big_closed.error_estimate);
  std::ostringstream out;
  out << r;
  CHECK_THAT(out.str(), Contains("A=Beta(4, 8), B=Beta(10, 2)") && Contains("method=closed_form"));
}

TEST_CASE("automatic stays exact at ten million trials per arm", "[stats][beta_binomial]") {
  // The closed form's first term needs lgamma values near 10^8, so it lost digits: 5.6e-9
  // here and up to 3e-8 on equal arms (2026-11-27 audit). R: with a1 = 1000001, b1 = 9000001,
  // a2 = 1001001, b2 = 8999001, m = a1/(a1+b1), s = sqrt(m(1-m)/(a1+b1)):
  // integrate(function(x) dbeta(x, a1, b1) * pbeta(x, a2, b2, lower.tail = FALSE),
  //           m - 12 s, m + 12 s, rel.tol = 1e-14)$value -> 0.7719216396495133 (abs.error 9e-15)
  const auto r = prob_b_beats_a(1000000, 10000000, 1001000, 10000000);
  INFO(r);
  CHECK(r.prob_b_beats_a == Approx(0.7719216396495133).epsilon(1e-12));
  CHECK(r.error_estimate < 1e-10);
  // Equal arms: exactly 1/2 by symmetry, whatever the counts.
  for (const std::uint64_t n : {100000ULL, 1000000ULL, 10000000ULL})
    for (const double rate : {0.001, 0.3, 0.97}) {
      const auto s = static_cast<std::uint64_t>(rate * static_cast<double>(n));
      const auto e = prob_b_beats_a(s, n, s, n);
      INFO(n << " " << s << " " << e);
      CHECK(std::fabs(e.prob_b_beats_a - 0.5) <= 1e-13);
    }
}

TEST_CASE("Bayesian comparison rejects bad input", "[stats][beta_binomial]") {
  CHECK_THROWS_AS(prob_beta_greater(0, 1, 1, 1), salesops::negative_value);
  CHECK_THROWS_WITH(prob_beta_greater(1, 1, 1, -2), Contains("prob_beta_greater: beta_b"));
  CHECK_THROWS_AS(prob_beta_greater(1, std::numeric_limits<double>::infinity(), 1, 1),
                  salesops::not_finite);
  CHECK_THROWS_AS(prob_beta_greater(0.5, 1.5, 2.5, 3.5, beta_method::closed_form),
                  salesops::out_of_range_value);
  CHECK_THROWS_WITH(prob_beta_greater(0.5, 1.5, 2.5, 3.5, beta_method::closed_form),
                    Contains("no parameter is an integer"));
  CHECK_THROWS_AS(prob_b_beats_a(1, 0, 1, 2), salesops::empty_input);
  CHECK_THROWS_WITH(prob_b_beats_a(1, 2, 3, 2), Contains("prob_b_beats_a: successes_b is 3"));
  CHECK_THROWS_WITH(prob_b_beats_a(1, 2, 1, 2, 0.0), Contains("prior_alpha"));
}

TEST_CASE("prob_b_beats_a at 10^12 trials per arm and with a 0.001 prior",
          "[stats][beta_binomial]") {
  // 10^12 trials: Boost's beta quantile failed (evaluation_error), quadrature over x
  // reported not_converged, and Boost's pdf is off by a common 3e-9 there. mpmath 1.2.1,
  // dps 25: P = integral of pdf_A(x) P(B > x) dx with both the outer and the inner integral
  // by mp.quad over z = (x - mean) / sd in [-14, 14] of each posterior, pdfs from loggamma:
  // A = Beta(1e11 + 1, 9e11 + 1), B = Beta(1e11 + 1e5 + 1, 9e11 - 1e5 + 1)
  //   -> 0.59316812179250140766
  const auto r =
      prob_b_beats_a(100000000000ULL, 1000000000000ULL, 100000100000ULL, 1000000000000ULL);
  INFO(r);
  CHECK(r.prob_b_beats_a == Approx(0.59316812179250140766).margin(1e-9));
  CHECK(std::fabs(r.prob_b_beats_a - 0.59316812179250140766) <= r.error_estimate);
  CHECK(r.error_estimate < 1e-8);
  // Equal arms: exactly 1/2 by symmetry, within the reported error.
  const auto e =
      prob_b_beats_a(100000000000ULL, 1000000000000ULL, 100000000000ULL, 1000000000000ULL);
  CHECK(std::fabs(e.prob_b_beats_a - 0.5) <= e.error_estimate);
  CHECK(e.error_estimate < 1e-8);

  // Prior 0.001 and no successes in A: half of Beta(0.001, 10.001)'s mass lies below the
  // smallest double, so the quadrature now runs over B. mpmath (dps 30):
  //   quad(lambda x: betapdf(x; 1.001, 9.001) * betainc(0.001, 10.001, 0, x, regularized=True),
  //        [0, 0.01, 0.1, 0.5, 1]) -> 0.999335119528485975993611051676
  //   (R's integrate: 0.99933511952849341, abs.error 6.4e-15)
  const auto small = prob_b_beats_a(0, 10, 1, 10, 0.001, 0.001);
  INFO(small);
  CHECK(small.prob_b_beats_a == Approx(0.999335119528485976).margin(1e-13));
  CHECK(small.error_estimate < 1e-12);
  // The same against 1: R: integrate(function(x) dbeta(x, 3.001, 7.001) *
  //   pbeta(x, 10.001, 0.001, lower.tail = FALSE), 0, 1, rel.tol = 1e-13) -> 0.99999981012959116
  CHECK(prob_b_beats_a(3, 10, 10, 10, 0.001, 0.001).prob_b_beats_a ==
        Approx(0.99999981012959116).margin(1e-13));
  // Both posteriors piled against 0: beyond double precision, refused naming the prior.
  CHECK_THROWS_AS(prob_b_beats_a(0, 10, 0, 20, 0.001, 0.001), salesops::out_of_range_value);
  CHECK_THROWS_WITH(prob_b_beats_a(0, 10, 0, 20, 0.001, 0.001),
                    Contains("prob_b_beats_a: prior_alpha is 0.001"));
  CHECK_THROWS_WITH(prob_b_beats_a(10, 10, 20, 20, 0.001, 0.001), Contains("prior_beta"));
  // (With an integer parameter the closed form answers instead: no quadrature needed.)
  CHECK_THROWS_WITH(prob_beta_greater(0.001, 10.5, 0.001, 20.5), Contains("alpha_a is 0.001"));
}
