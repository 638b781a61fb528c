// Tests for salesops/core/rng.hpp. References: the published splitmix64 and xoshiro256**
// output vectors, a straight transcription of Vigna's reference C code (prng.di.unimi.it:
// splitmix64.c, xoshiro256starstar.c) written below, exact moments of each distribution from
// Boost.Math, and chi-square goodness-of-fit tests with Boost.Math critical values. Every
// statistical check uses a fixed seed, so it is deterministic; its tolerance is 5 standard
// errors of the estimate (or the 0.999 chi-square quantile) so that a correct sampler passes
// with near certainty and a wrong moment or shape fails.
#include <salesops/core/rng.hpp>

#include <catch2/catch.hpp>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

#include <salesops/core/moments.hpp>

using namespace salesops;
using Catch::Matchers::Equals;

namespace {

// ---- Transcription of Vigna's reference code (public domain) ----
struct vigna_splitmix64 {
  std::uint64_t x;
  std::uint64_t next() {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }
};

struct vigna_xoshiro256ss {
  std::uint64_t s[4];
  static std::uint64_t rotl(const std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  void jump() {
    static const std::uint64_t JUMP[] = {0x180ec6d33cfd0aba, 0xd5a61266f0c9392c, 0xa9582618e03fc9aa,
                                         0x39abdc4529b1661c};
    std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (std::uint64_t word : JUMP)
      for (int b = 0; b < 64; b++) {
        if (word & UINT64_C(1) << b) {
          s0 ^= s[0];
          s1 ^= s[1];
          s2 ^= s[2];
          s3 ^= s[3];
        }
        next();
      }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
  }
};

// The seeding Vigna recommends: four splitmix64 outputs of the 64-bit seed.
vigna_xoshiro256ss seeded_reference(std::uint64_t seed) {
  vigna_splitmix64 sm{seed};
  vigna_xoshiro256ss g{};
  for (auto& word : g.s) word = sm.next();
  return g;
}

// Checks the sample mean and variance of n draws against exact values: 5 standard errors,
// with Var(s^2) = sigma^4 (excess_kurtosis / n + 2 / (n - 1)).
void check_moments(const char* what, const std::function<double()>& draw, double mean,
                   double variance, double excess_kurtosis, std::size_t n = 200000) {
  welford_moments<double> acc;
  for (std::size_t i = 0; i < n; ++i) acc.update(draw());
  const auto m = acc.result();
  const auto nd = static_cast<double>(n);
  const double mean_tol = 5 * std::sqrt(variance / nd);
  const double var_tol = 5 * variance * std::sqrt(excess_kurtosis / nd + 2 / (nd - 1));
  INFO(what << ": sample mean " << m.mean << " vs " << mean << ", sample variance " << m.variance
            << " vs " << variance);
  CHECK(std::fabs(m.mean - mean) < mean_tol);
  CHECK(std::fabs(m.variance - variance) < var_tol);
}

// Chi-square goodness of fit of n continuous draws in `bins` equiprobable bins, whose edges
// are Boost.Math quantiles of the distribution; passes below the 0.999 critical value.
template <class Distribution>
void check_fit(const char* what, const std::function<double()>& draw, const Distribution& dist,
               std::size_t n = 100000, std::size_t bins = 40) {
  std::vector<double> edges;
  for (std::size_t i = 1; i < bins; ++i)
    edges.push_back(quantile(dist, static_cast<double>(i) / static_cast<double>(bins)));
  std::vector<double> observed(bins, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = draw();
    observed[static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), x) -
                                      edges.begin())] += 1;
  }
  const double expected = static_cast<double>(n) / static_cast<double>(bins);
  double statistic = 0;
  for (double o : observed) statistic += (o - expected) * (o - expected) / expected;
  const double critical =
      quantile(boost::math::chi_squared_distribution<double>(static_cast<double>(bins - 1)), 0.999);
  INFO(what << ": chi-square " << statistic << " vs critical " << critical);
  CHECK(statistic < critical);
}

// Chi-square goodness of fit of Poisson draws; bins of consecutive counts are closed when
// their expected frequency reaches 20, and the last bin takes the whole upper tail.
void check_poisson_fit(rng& gen, double mean, std::size_t n = 100000) {
  const boost::math::poisson_distribution<double> dist(mean);
  std::vector<std::uint64_t> draws(n);
  for (auto& k : draws) k = gen.poisson(mean);
  std::sort(draws.begin(), draws.end());
  double statistic = 0, expected = 0, observed = 0;
  std::size_t bins = 0, next = 0;
  const auto nd = static_cast<double>(n);
  for (std::uint64_t k = 0;; ++k) {
    expected += nd * pdf(dist, static_cast<double>(k));
    while (next < n && draws[next] == k) {
      observed += 1;
      ++next;
    }
    const double tail = nd * cdf(complement(dist, static_cast<double>(k)));
    if (expected >= 20 && tail >= 20) {
      statistic += (observed - expected) * (observed - expected) / expected;
      ++bins;
      expected = observed = 0;
    } else if (tail < 20) {
      expected += tail;
      observed += static_cast<double>(n - next);
      statistic += (observed - expected) * (observed - expected) / expected;
      ++bins;
      break;
    }
  }
  const double critical =
      quantile(boost::math::chi_squared_distribution<double>(static_cast<double>(bins - 1)), 0.999);
  INFO("poisson(" << mean << "): chi-square " << statistic << " on " << bins - 1
                  << " df vs critical " << critical);
  CHECK(statistic < critical);
}

} // namespace

TEST_CASE("rng: splitmix64 matches the published outputs", "[core][rng]") {
  // Published: splitmix64 from state 0 gives 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4,
  // 0x06c45d188009454f, 0xf88bb8a8724c81ec.
  std::uint64_t state = 0;
  CHECK(splitmix64_next(state) == 0xe220a8397b1dcdafULL);
  CHECK(splitmix64_next(state) == 0x6e789e6aa1b965f4ULL);
  CHECK(splitmix64_next(state) == 0x06c45d188009454fULL);
  CHECK(splitmix64_next(state) == 0xf88bb8a8724c81ecULL);
  // And equals the transcription of splitmix64.c for other seeds.
  for (std::uint64_t seed : {1ULL, 42ULL, 0xffffffffffffffffULL}) {
    std::uint64_t ours = seed;
    vigna_splitmix64 ref{seed};
    for (int i = 0; i < 100; ++i) REQUIRE(splitmix64_next(ours) == ref.next());
  }
}

TEST_CASE("rng: the xoshiro256** transcription reproduces the published vector", "[core][rng]") {
  // rand_xoshiro's reference test (values "produced with the reference implementation"):
  // state {1, 2, 3, 4} gives these ten outputs. This validates the transcription above.
  vigna_xoshiro256ss ref{{1, 2, 3, 4}};
  const std::uint64_t expected[10] = {11520ULL,
                                      0ULL,
                                      1509978240ULL,
                                      1215971899390074240ULL,
                                      1216172134540287360ULL,
                                      607988272756665600ULL,
                                      16172922978634559625ULL,
                                      8476171486693032832ULL,
                                      10595114339597558777ULL,
                                      2904607092377533576ULL};
  for (std::uint64_t e : expected) CHECK(ref.next() == e);
}

TEST_CASE("rng: outputs and jump() equal Vigna's reference code", "[core][rng]") {
  const std::uint64_t seed = GENERATE(0ULL, 1ULL, 20260101ULL, 0xdeadbeefcafef00dULL);
  rng ours(seed);
  vigna_xoshiro256ss ref = seeded_reference(seed);
  for (int i = 0; i < 1000; ++i) REQUIRE(ours.next_u64() == ref.next());
  ours.jump();
  ref.jump();
  for (int i = 0; i < 1000; ++i) REQUIRE(ours() == ref.next());
  // uniform() is the top 53 bits scaled by 2^-53, exactly.
  for (int i = 0; i < 100; ++i)
    REQUIRE(ours.uniform() == static_cast<double>(ref.next() >> 11) * 0x1.0p-53);
}

TEST_CASE("rng: determinism, independence of seeds, and jump() streams", "[core][rng]") {
  rng a(42), b(42), c(43);
  std::vector<double> da, db, dc;
  for (int i = 0; i < 200; ++i) {
    da.push_back(a.normal() + a.gamma(2.5) + static_cast<double>(a.poisson(30.0)));
    db.push_back(b.normal() + b.gamma(2.5) + static_cast<double>(b.poisson(30.0)));
    dc.push_back(c.normal() + c.gamma(2.5) + static_cast<double>(c.poisson(30.0)));
  }
  CHECK(da == db);
  CHECK(da != dc);
  // A copy carries the whole state, including the cached second normal of the polar pair.
  rng d(7);
  d.normal();
  rng e = d;
  CHECK(d.normal() == e.normal());
  CHECK(d.next_u64() == e.next_u64());

  // A jumped engine starts a different stream: none of its first 10000 outputs appears in
  // the first 10000 of the original (2^128 apart, so an overlap would mean a broken jump).
  rng base(5), jumped(5);
  jumped.jump();
  std::vector<std::uint64_t> first, second;
  for (int i = 0; i < 10000; ++i) {
    first.push_back(base.next_u64());
    second.push_back(jumped.next_u64());
  }
  std::sort(first.begin(), first.end());
  std::vector<std::uint64_t> common;
  std::sort(second.begin(), second.end());
  std::set_intersection(first.begin(), first.end(), second.begin(), second.end(),
                        std::back_inserter(common));
  CHECK(common.empty());
}

TEST_CASE("rng: works as a UniformRandomBitGenerator", "[core][rng]") {
  STATIC_REQUIRE(rng::min() == 0);
  STATIC_REQUIRE(rng::max() == ~std::uint64_t{0});
  std::vector<int> v(100);
  std::iota(v.begin(), v.end(), 0);
  std::vector<int> w = v;
  rng g1(3), g2(3);
  std::shuffle(v.begin(), v.end(), g1);
  std::shuffle(w.begin(), w.end(), g2);
  CHECK(v == w);
  CHECK(std::is_permutation(v.begin(), v.end(), w.begin()));
}

TEST_CASE("rng: uniform ranges", "[core][rng]") {
  rng gen(11);
  double lo = 1, hi = 0, lo_open = 1;
  for (int i = 0; i < 100000; ++i) {
    const double u = gen.uniform();
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    lo_open = std::min(lo_open, gen.uniform_open());
    const double x = gen.uniform(-3.0, 5.0);
    REQUIRE((x >= -3.0 && x < 5.0));
  }
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  CHECK(lo_open > 0.0);
  // 100000 uniforms cover [0, 1) densely: min and max within 1e-3 of the ends (the chance
  // of a gap of 1e-3 at an end is (1 - 1e-3)^100000 ~ 4e-44).
  CHECK(lo < 1e-3);
  CHECK(hi > 1 - 1e-3);
  // Moments of U(0, 1): mean 1/2, variance 1/12, excess kurtosis -6/5.
  check_moments(
      "uniform", [&] { return gen.uniform(); }, 0.5, 1.0 / 12, -1.2);
  check_moments(
      "uniform_open", [&] { return gen.uniform_open(); }, 0.5, 1.0 / 12, -1.2);
}

TEST_CASE("rng: uniform_int is unbiased", "[core][rng]") {
  rng gen(GENERATE(1u, 2u));
  // Ten buckets, 100000 draws: chi-square on 9 df below its 0.999 quantile (Boost.Math).
  {
    const std::size_t n = 100000;
    std::array<double, 10> counts{};
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t k = gen.uniform_int(10);
      REQUIRE(k < 10);
      counts[k] += 1;
    }
    double statistic = 0;
    for (double c : counts) statistic += (c - 1e4) * (c - 1e4) / 1e4;
    CHECK(statistic < quantile(boost::math::chi_squared_distribution<double>(9.0), 0.999));
  }
  // n = 3 * 2^62, where a plain multiply-shift (no rejection) is badly biased: output k
  // is hit by two of every four 64-bit inputs when k % 3 == 0 and by one otherwise, so
  // P(k % 3 == 0) would be 1/2 instead of 1/3 (hand derivation: k -> floor(x * 3/4)).
  // Lemire's rejection step removes the bias; chi-square on 2 df.
  {
    const std::uint64_t big = 3ULL << 62;
    const std::size_t n = 60000;
    std::array<double, 3> counts{};
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t k = gen.uniform_int(big);
      REQUIRE(k < big);
      counts[k % 3] += 1;
    }
    double statistic = 0;
    for (double c : counts) statistic += (c - 2e4) * (c - 2e4) / 2e4;
    CHECK(statistic < quantile(boost::math::chi_squared_distribution<double>(2.0), 0.999));
  }
  CHECK(gen.uniform_int(1) == 0);
}

TEST_CASE("rng: continuous distributions have their exact moments and shape", "[core][rng]") {
  namespace bm = boost::math;
  rng gen(20260101);
  // Normal N(2, 3^2): mean 2, variance 9, excess kurtosis 0.
  {
    const bm::normal_distribution<double> d(2.0, 3.0);
    check_moments(
        "normal(2, 3)", [&] { return gen.normal(2.0, 3.0); }, mean(d), variance(d), 0);
    check_fit(
        "normal(2, 3)", [&] { return gen.normal(2.0, 3.0); }, d);
    check_fit(
        "normal()", [&] { return gen.normal(); }, bm::normal_distribution<double>());
  }
  // Gamma(k, theta): mean k theta, variance k theta^2, excess kurtosis 6 / k; k < 1 takes
  // the U^(1/k) boost path, k >= 1 Marsaglia-Tsang directly.
  for (double shape : {0.3, 1.0, 2.5, 9.0}) {
    const bm::gamma_distribution<double> d(shape, 2.0);
    check_moments(
        "gamma", [&] { return gen.gamma(shape, 2.0); }, mean(d), variance(d), kurtosis_excess(d));
    check_fit(
        "gamma", [&] { return gen.gamma(shape, 2.0); }, d);
  }
  // Beta(a, b): mean a / (a + b), variance ab / ((a + b)^2 (a + b + 1)).
  for (const auto& ab : {std::pair{0.5, 0.5}, std::pair{2.0, 5.0}, std::pair{0.2, 3.0}}) {
    const double a = ab.first, b = ab.second; // not a structured binding: clang 14 lambdas
    const bm::beta_distribution<double> d(a, b);
    check_moments(
        "beta", [&] { return gen.beta(a, b); }, mean(d), variance(d), kurtosis_excess(d));
    check_fit(
        "beta", [&] { return gen.beta(a, b); }, d);
  }
  // Lognormal(mu, sigma): mean exp(mu + sigma^2 / 2), variance (e^{sigma^2} - 1)
  // e^{2 mu + sigma^2}.
  {
    const bm::lognormal_distribution<double> d(1.0, 0.5);
    check_moments(
        "lognormal(1, 0.5)", [&] { return gen.lognormal(1.0, 0.5); }, mean(d), variance(d),
        kurtosis_excess(d));
    check_fit(
        "lognormal(1, 0.5)", [&] { return gen.lognormal(1.0, 0.5); }, d);
  }
  // Exponential(rate 4): mean 1/4, variance 1/16, excess kurtosis 6.
  {
    const bm::exponential_distribution<double> d(4.0);
    check_moments(
        "exponential(4)", [&] { return gen.exponential(4.0); }, mean(d), variance(d),
        kurtosis_excess(d));
    check_fit(
        "exponential(4)", [&] { return gen.exponential(4.0); }, d);
  }
  // Bernoulli(0.3): mean 0.3, variance 0.21, excess kurtosis (1 - 6pq) / pq.
  check_moments(
      "bernoulli(0.3)", [&] { return gen.bernoulli(0.3) ? 1.0 : 0.0; }, 0.3, 0.21,
      (1 - 6 * 0.21) / 0.21);
  CHECK_FALSE(gen.bernoulli(0.0));
  CHECK(gen.bernoulli(1.0));
  CHECK(gen.normal(5.0, 0.0) == 5.0);
}

TEST_CASE("rng: Poisson draws by inversion and by PTRS", "[core][rng]") {
  rng gen(99);
  // Poisson(lambda): mean = variance = lambda, excess kurtosis 1 / lambda. Means below 10
  // use inversion, from 10 on Hörmann's PTRS: both sides of the switch are checked.
  for (double lambda : {0.05, 0.5, 3.0, 9.99, 10.0, 30.0, 400.0, 1e6}) {
    check_moments(
        "poisson", [&] { return static_cast<double>(gen.poisson(lambda)); }, lambda, lambda,
        1 / lambda, 100000);
    if (lambda >= 0.5 && lambda <= 400) check_poisson_fit(gen, lambda);
  }
  CHECK(gen.poisson(0.0) == 0);
}

TEST_CASE("rng: Dirichlet draws sum to one with the right component means", "[core][rng]") {
  rng gen(17);
  const std::vector<double> alpha = {0.5, 1.0, 3.0, 10.0};
  const double alpha0 = 14.5;
  std::vector<double> out(alpha.size());
  std::vector<welford_moments<double>> components(alpha.size());
  const std::size_t n = 50000;
  for (std::size_t i = 0; i < n; ++i) {
    gen.dirichlet(alpha, out);
    double total = 0;
    for (std::size_t j = 0; j < out.size(); ++j) {
      REQUIRE(out[j] >= 0.0);
      total += out[j];
      components[j].update(out[j]);
    }
    REQUIRE(total == Approx(1.0).epsilon(0).margin(4e-16));
  }
  // Component j is Beta(alpha_j, alpha0 - alpha_j): mean alpha_j / alpha0, variance
  // alpha_j (alpha0 - alpha_j) / (alpha0^2 (alpha0 + 1)).
  for (std::size_t j = 0; j < alpha.size(); ++j) {
    const double m = alpha[j] / alpha0;
    const double v = alpha[j] * (alpha0 - alpha[j]) / (alpha0 * alpha0 * (alpha0 + 1));
    const auto s = components[j].result();
    CHECK(std::fabs(s.mean - m) < 5 * std::sqrt(v / static_cast<double>(n)));
    CHECK(s.variance == Approx(v).epsilon(0.05));
  }
}

TEST_CASE("rng: bad parameters throw naming the argument", "[core][rng]") {
  rng gen(1);
  const double not_a_number = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(gen.uniform_int(0), out_of_range_value);
  CHECK_THROWS_WITH(gen.uniform_int(0), Equals("rng::uniform_int: n is 0"));
  CHECK_THROWS_AS(gen.bernoulli(1.5), out_of_range_value);
  CHECK_THROWS_WITH(gen.bernoulli(-0.5), Equals("rng::bernoulli: p is -0.5, outside [0, 1]"));
  CHECK_THROWS_AS(gen.bernoulli(not_a_number), not_finite);
  CHECK_THROWS_AS(gen.normal(0.0, -1.0), negative_value);
  CHECK_THROWS_WITH(gen.normal(0.0, -1.0), Equals("rng::normal: sd is negative (-1)"));
  CHECK_THROWS_AS(gen.lognormal(0.0, not_a_number), not_finite);
  CHECK_THROWS_AS(gen.exponential(0.0), negative_value);
  CHECK_THROWS_WITH(gen.exponential(0.0), Equals("rng::exponential: rate must be positive (is 0)"));
  CHECK_THROWS_WITH(gen.gamma(0.0), Equals("rng::gamma: shape must be positive (is 0)"));
  CHECK_THROWS_WITH(gen.gamma(1.0, -2.0), Equals("rng::gamma: scale must be positive (is -2)"));
  CHECK_THROWS_AS(gen.gamma(std::numeric_limits<double>::infinity()), not_finite);
  CHECK_THROWS_WITH(gen.beta(0.0, 1.0), Equals("rng::beta: a must be positive (is 0)"));
  CHECK_THROWS_WITH(gen.beta(1.0, -1.0), Equals("rng::beta: b must be positive (is -1)"));
  CHECK_THROWS_AS(gen.poisson(-1.0), negative_value);
  CHECK_THROWS_WITH(gen.poisson(-1.0), Equals("rng::poisson: mean is negative (-1)"));
  CHECK_THROWS_AS(gen.poisson(not_a_number), not_finite);

  std::vector<double> out(3);
  const std::vector<double> two = {1.0, 1.0};
  CHECK_THROWS_AS(gen.dirichlet(two, out), length_mismatch);
  CHECK_THROWS_WITH(gen.dirichlet(two, out), Equals("rng::dirichlet: out has 3 rows but alpha "
                                                    "has 2"));
  std::vector<double> none;
  CHECK_THROWS_AS(gen.dirichlet(none, none), empty_input);
  const std::vector<double> zero = {1.0, 0.0, 2.0};
  CHECK_THROWS_AS(gen.dirichlet(zero, out), negative_value);
  CHECK_THROWS_WITH(gen.dirichlet(zero, out),
                    Equals("rng::dirichlet: alpha at row 1 must be positive (is 0)"));
}
