// Tests for salesops/stats/weighted_bernoulli.hpp.
#include <salesops/stats/weighted_bernoulli.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
namespace st = salesops::stats;

namespace {

// Brute force: enumerate all 2^n outcomes, the reference for n <= 16.
struct brute_law {
  std::map<double, double> pmf; // value -> probability (values summed in outcome order)
  double sf(double x) const {
    double s = 0;
    for (const auto& [v, p] : pmf)
      if (v >= x) s += p;
    return s;
  }
  double cdf(double x) const {
    double s = 0;
    for (const auto& [v, p] : pmf)
      if (v <= x) s += p;
    return s;
  }
  double quantile(double p) const { // smallest x with F(x) >= p (same tie tolerance)
    double s = 0;
    for (const auto& [v, q] : pmf) {
      s += q;
      if (s >= p - 1e-12 * p) return v;
    }
    return pmf.rbegin()->first;
  }
  double shortfall(double q) const {
    double s = 0;
    for (const auto& [v, p] : pmf)
      if (v < q) s += (q - v) * p;
    return s;
  }
};

brute_law enumerate(const std::vector<double>& a, const std::vector<double>& p) {
  brute_law law;
  const std::size_t n = a.size();
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
    double value = 0, prob = 1;
    for (std::size_t i = 0; i < n; ++i) {
      const bool won = (mask >> i) & 1u;
      if (won) value += a[i];
      prob *= won ? p[i] : 1 - p[i];
    }
    law.pmf[value] += prob;
  }
  return law;
}

// Deals drawn from different shapes: small integer amounts on a common factor, heavy-tailed
// amounts, and near-certain / near-impossible probabilities.
void draw_deals(salesops::rng& gen, int shape, std::size_t n, bool integer, std::vector<double>& a,
                std::vector<double>& p) {
  a.clear();
  p.clear();
  for (std::size_t i = 0; i < n; ++i) {
    double amount = shape == 0   ? 250.0 * static_cast<double>(1 + gen.uniform_int(20))
                    : shape == 1 ? gen.lognormal(8, 1.2)
                                 : gen.uniform(0, 5000);
    if (integer) amount = std::round(amount);
    a.push_back(amount);
    p.push_back(shape == 2 ? (gen.uniform() < 0.5 ? gen.uniform(0, 0.05) : gen.uniform(0.95, 1))
                           : gen.uniform());
  }
}

} // namespace

TEST_CASE("weighted_bernoulli_exact: two deals by hand", "[stats][weighted_bernoulli]") {
  // 100 @ 0.5 and 200 @ 0.5: values 0, 100, 200, 300 with 1/4 each; gcd 100.
  const std::vector<double> a = {100, 200}, p = {0.5, 0.5};
  const auto d = st::weighted_bernoulli_exact(a, p);
  CHECK(d.step() == 100.0);
  CHECK(d.exact());
  CHECK(d.pmf(0) == 0.25);
  CHECK(d.pmf(300) == 0.25);
  CHECK(d.pmf(150) == 0.0);
  CHECK(d.cdf(199.99) == 0.5);
  CHECK(d.sf(100.01) == 0.5);
  CHECK(d.quantile(0.5) == 100.0); // F(100) = 1/2 exactly: the tie belongs to 100
  CHECK(d.quantile(0.51) == 200.0);
  CHECK(d.quantile(0.0) == 0.0);
  CHECK(d.expected_shortfall(250) == Approx(0.25 * 250 + 0.25 * 150 + 0.25 * 50));
  CHECK(d.moments().mean == 150.0);       // 100/2 + 200/2
  CHECK(d.moments().variance == 12500.0); // (100^2 + 200^2) / 4
  std::ostringstream s;
  s << d;
  CHECK_THAT(s.str(), Contains("step=100"));
}

TEST_CASE("weighted_bernoulli_exact: equal amounts and probabilities give R's binomial",
          "[stats][weighted_bernoulli]") {
  const std::vector<double> a(20, 1000.0), p(20, 0.3);
  const auto d = st::weighted_bernoulli_exact(a, p);
  // R: 1 - pbinom(7, 20, 0.3) = 0.22772820258183946
  CHECK(d.sf(8000) == Approx(0.22772820258183946).epsilon(1e-13));
  // R: pbinom(5, 20, 0.3) = 0.41637082944748133
  CHECK(d.cdf(5000) == Approx(0.41637082944748133).epsilon(1e-13));
  // R: qbinom(c(0.1, 0.5, 0.9), 20, 0.3) = 3 6 9
  CHECK(d.quantile(0.1) == 3000.0);
  CHECK(d.quantile(0.5) == 6000.0);
  CHECK(d.quantile(0.9) == 9000.0);
  // R: sum(pmax(8 - 0:20, 0) * dbinom(0:20, 20, 0.3)) = 2.1851653371835433 (in thousands)
  CHECK(d.expected_shortfall(8000) == Approx(2185.1653371835433).epsilon(1e-13));
}

TEST_CASE("weighted_bernoulli_exact == brute force over all 2^n outcomes",
          "[stats][weighted_bernoulli]") {
  const int shape = GENERATE(0, 1, 2);
  const auto seed = GENERATE(1u, 2u);
  salesops::rng gen(seed * 100u + static_cast<unsigned>(shape));
  std::vector<double> a, p;
  draw_deals(gen, shape, 14, true, a, p);
  const auto law = enumerate(a, p);
  const auto d = st::weighted_bernoulli_exact(a, p, 0.0); // no pruning: every cell kept
  CHECK(d.pruned_mass() == 0.0);
  for (const auto& [v, prob] : law.pmf) CHECK(d.pmf(v) == Approx(prob).margin(1e-15));
  const double mean = d.moments().mean, sd = d.moments().sd;
  for (double z : {-2.0, -1.0, -0.3, 0.0, 0.5, 1.0, 2.5}) {
    const double x = std::round(mean + z * sd);
    CHECK(d.sf(x) == Approx(law.sf(x)).margin(1e-14));
    CHECK(d.cdf(x) == Approx(law.cdf(x)).margin(1e-14));
    CHECK(d.expected_shortfall(x) == Approx(law.shortfall(x)).epsilon(1e-12).margin(1e-9));
  }
  for (double q : {0.1, 0.5, 0.9, 0.99}) CHECK(d.quantile(q) == law.quantile(q));
}

TEST_CASE("weighted_bernoulli_exact: pruning drops at most its budget",
          "[stats][weighted_bernoulli]") {
  salesops::rng gen(GENERATE(5u, 6u));
  std::vector<double> a, p;
  // 2000 deals on a 250 grid: the support has ~21,000 cells, the spread of X ~300.
  draw_deals(gen, 0, 2000, true, a, p);
  const auto full = st::weighted_bernoulli_exact(a, p, 0.0);
  const auto pruned = st::weighted_bernoulli_exact(a, p, 1e-12);
  CHECK(pruned.pruned_mass() <= 1e-12);
  CHECK(pruned.pruned_mass() > 0);
  CHECK(pruned.cells() < full.cells() / 2); // the point of pruning
  const double mean = full.moments().mean, sd = full.moments().sd;
  for (double z : {-3.0, -1.0, 0.0, 1.0, 3.0}) {
    const double x = std::round(mean + z * sd);
    CHECK(std::fabs(pruned.sf(x) - full.sf(x)) <= pruned.pruned_mass() + 1e-15);
    const auto b = pruned.tail_bracket(x);
    CHECK(b.lower <= full.sf(x));
    CHECK(full.sf(x) <= b.upper);
  }
}

TEST_CASE("weighted_bernoulli_exact is invariant to the order of deals",
          "[stats][weighted_bernoulli]") {
  salesops::rng gen(GENERATE(21u, 22u));
  std::vector<double> a, p;
  draw_deals(gen, 0, 60, true, a, p);
  const auto d1 = st::weighted_bernoulli_exact(a, p);
  std::vector<std::size_t> order(a.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), gen);
  std::vector<double> a2, p2;
  for (auto i : order) {
    a2.push_back(a[i]);
    p2.push_back(p[i]);
  }
  const auto d2 = st::weighted_bernoulli_exact(a2, p2);
  for (double q : {0.1, 0.5, 0.9}) CHECK(d1.quantile(q) == d2.quantile(q));
  const double x = d1.quantile(0.7);
  CHECK(d1.sf(x) == Approx(d2.sf(x)).margin(1e-13));
}

TEST_CASE("weighted_bernoulli_grid brackets the truth (brute force, non-integer amounts)",
          "[stats][weighted_bernoulli]") {
  const int shape = GENERATE(1, 2);
  const double step = GENERATE(10.0, 100.0, 1000.0);
  salesops::rng gen(77u + static_cast<unsigned>(shape));
  std::vector<double> a, p;
  draw_deals(gen, shape, 14, false, a, p);
  const auto law = enumerate(a, p);
  const auto d = st::weighted_bernoulli_grid(a, p, step);
  CHECK_FALSE(d.exact());
  CHECK(d.rounding_bound() <= 14 * step / 2);
  const double mean = d.moments().mean, sd = d.moments().sd;
  for (double z : {-2.0, -1.0, 0.0, 0.7, 1.5}) {
    const double x = mean + z * sd;
    const auto b = d.tail_bracket(x);
    // The bracket is rigorous up to the rounding of the double sums (1e-13).
    CHECK(b.lower <= law.sf(x) + 1e-13);
    CHECK(law.sf(x) <= b.upper + 1e-13);
    CHECK(std::fabs(d.expected_shortfall(x) - law.shortfall(x)) <= d.rounding_bound() + 1e-9);
  }
  for (double q : {0.1, 0.5, 0.9})
    CHECK(std::fabs(d.quantile(q) - law.quantile(q)) <= d.rounding_bound() + 1e-9);
}

TEST_CASE("weighted_bernoulli_normal is within its Berry-Esseen bound",
          "[stats][weighted_bernoulli]") {
  salesops::rng gen(GENERATE(31u, 32u));
  std::vector<double> a, p;
  const int shape = GENERATE(0, 2);
  draw_deals(gen, shape, shape == 0 ? 1000 : 200, true, a, p);
  const auto d = st::weighted_bernoulli_exact(a, p);
  for (double z : {-2.0, -0.5, 0.0, 1.0, 2.0}) {
    const double x = std::round(d.moments().mean + z * d.moments().sd);
    const auto t = st::weighted_bernoulli_normal(a, p, x);
    CHECK(t.error_bound < 0.5); // Berry-Esseen is loose, but informative at n = 1000
    CHECK(std::fabs(t.probability - d.sf(x)) <= t.error_bound);
  }
}

TEST_CASE("weighted_bernoulli_saddlepoint tracks the exact law", "[stats][weighted_bernoulli]") {
  salesops::rng gen(GENERATE(41u, 42u));
  std::vector<double> a, p;
  const int shape = GENERATE(0, 2);
  draw_deals(gen, shape, shape == 0 ? 1000 : 200, true, a, p);
  const auto d = st::weighted_bernoulli_exact(a, p);
  for (double z : {-2.5, -1.0, 0.0, 1.0, 2.5, 4.0}) {
    const double x = std::round(d.moments().mean + z * d.moments().sd);
    const auto lr = st::weighted_bernoulli_saddlepoint(a, p, x);
    const auto nm = st::weighted_bernoulli_normal(a, p, x);
    // The exact law lives on a lattice (step 250 or 1) and the continuous LR formula
    // ignores it; with sd >> step its error is about half an atom: take 1% relative plus
    // 2 atoms (the largest atom is bounded by step / (sd sqrt(2 pi)) ~ 1e-3 here). It must
    // also beat the normal approximation in the far tail.
    const double atom = d.step() / d.moments().sd;
    CHECK(lr.probability == Approx(d.sf(x)).epsilon(0.01).margin(atom));
    if (z == 4.0) CHECK(std::fabs(lr.probability - d.sf(x)) < std::fabs(nm.probability - d.sf(x)));
  }
  // Exact end points: all deals with p > 0 won.
  const std::vector<double> a2 = {100, 200}, p2 = {0.5, 0.4};
  CHECK(st::weighted_bernoulli_saddlepoint(a2, p2, 300).probability == Approx(0.2));
  CHECK(st::weighted_bernoulli_saddlepoint(a2, p2, 301).probability == 0.0);
  CHECK(st::weighted_bernoulli_saddlepoint(a2, p2, 0).probability == 1.0);
}

TEST_CASE("weighted_bernoulli_saddlepoint is exact within one amount of either end",
          "[stats][weighted_bernoulli]") {
  // Enumeration: with amounts 10 and 20 won with probability 1/2 each, X >= x for x in
  // (20, 30] only when both are won (1/4), and for x in (0, 10] unless both are lost (3/4).
  // The continuous formula gave 1 at 29.999999, 0.448 at 29.99 and 0 at 1e-7.
  const std::vector<double> a = {10, 20}, p = {0.5, 0.5};
  for (double x : {29.999999, 29.99, 20.5, 30.0})
    CHECK(st::weighted_bernoulli_saddlepoint(a, p, x).probability == 0.25);
  for (double x : {1e-7, 5.0, 10.0})
    CHECK(st::weighted_bernoulli_saddlepoint(a, p, x).probability == 0.75);
  // A deal won for sure moves the bottom end: X = 5 + ..., so x in (5, 15] needs any win.
  const std::vector<double> a3 = {5, 10, 20}, p3 = {1, 0.5, 0.5};
  CHECK(st::weighted_bernoulli_saddlepoint(a3, p3, 5.0).probability == 1.0);
  CHECK(st::weighted_bernoulli_saddlepoint(a3, p3, 15.0).probability == 0.75);
  // 20 deals of 1000 i at p = 0.3: above 209 000 all must be won, 0.3^20 (the exact law);
  // the continuous formula gave 27 times that at 209 999.999. Across the whole support the
  // approximation no longer rises anywhere.
  std::vector<double> a20, p20;
  for (int i = 1; i <= 20; ++i) {
    a20.push_back(1000.0 * i);
    p20.push_back(0.3);
  }
  const auto d = st::weighted_bernoulli_exact(a20, p20);
  CHECK(st::weighted_bernoulli_saddlepoint(a20, p20, 209999.999).probability ==
        Approx(d.sf(209999.999)).epsilon(1e-12));
  CHECK(d.sf(209999.999) == Approx(std::pow(0.3, 20)).epsilon(1e-9));
  double previous = 1.0;
  for (double x = -500; x <= 211000; x += 250) {
    const double v = st::weighted_bernoulli_saddlepoint(a20, p20, x).probability;
    INFO(x);
    CHECK(v <= previous);
    previous = v;
  }
}

TEST_CASE("weighted_bernoulli_monte_carlo agrees with the exact law",
          "[stats][weighted_bernoulli]") {
  salesops::rng gen(51u);
  std::vector<double> a, p;
  draw_deals(gen, 1, 40, true, a, p);
  const auto d = st::weighted_bernoulli_exact(a, p);
  const double x = std::round(d.moments().mean + 0.8 * d.moments().sd);
  salesops::rng sim(52u);
  const auto mc = st::weighted_bernoulli_monte_carlo(a, p, x, 20000, sim);
  CHECK(mc.draws == 20000);
  // Seeded, so deterministic; 4.5 standard errors covers all but 7e-6 of seeds.
  CHECK(std::fabs(mc.probability - d.sf(x)) <= 4.5 * mc.standard_error);
}

TEST_CASE("weighted_bernoulli: bad input throws naming the row", "[stats][weighted_bernoulli]") {
  std::vector<double> a = {100, 200, 300, 400}, p = {0.1, 0.2, 0.3, 1.2};
  CHECK_THROWS_AS(st::weighted_bernoulli_exact(a, p), salesops::out_of_range_value);
  CHECK_THROWS_WITH(st::weighted_bernoulli_exact(a, p), Contains("probs at row 3"));
  p[3] = 0.4;
  a[1] = -5;
  CHECK_THROWS_AS(st::weighted_bernoulli_exact(a, p), salesops::negative_value);
  CHECK_THROWS_WITH(st::weighted_bernoulli_grid(a, p, 10), Contains("amounts at row 1"));
  a[1] = std::nan("");
  CHECK_THROWS_AS(st::weighted_bernoulli_normal(a, p, 100), salesops::not_finite);
  a[1] = 200.5;
  CHECK_THROWS_WITH(st::weighted_bernoulli_exact(a, p),
                    Contains("amounts at row 1 is 200.5, not an integer"));
  CHECK_THROWS_AS(st::weighted_bernoulli_grid(a, p, 0.0), salesops::negative_value);
  const std::vector<double> short_p = {0.5};
  CHECK_THROWS_AS(st::weighted_bernoulli_saddlepoint(a, short_p, 1), salesops::length_mismatch);
  const std::vector<double> big = {1, 1e6}, half = {0.5, 0.5};
  CHECK_THROWS_WITH(st::weighted_bernoulli_exact(big, half, 0.0, 1000), Contains("max_cells"));
  salesops::rng gen(1);
  CHECK_THROWS_AS(st::weighted_bernoulli_monte_carlo(big, half, 1, 0, gen),
                  salesops::out_of_range_value);
  const auto d = st::weighted_bernoulli_exact(big, half);
  CHECK_THROWS_AS(d.quantile(1.5), salesops::out_of_range_value);
}

TEST_CASE("weighted_bernoulli: degenerate inputs", "[stats][weighted_bernoulli]") {
  const std::vector<double> none;
  const auto d0 = st::weighted_bernoulli_exact(none, none);
  CHECK(d0.sf(0) == 1.0);
  CHECK(d0.sf(1) == 0.0);
  CHECK(d0.quantile(0.9) == 0.0);
  const std::vector<double> a = {0, 500}, p = {0.5, 1.0}; // X = 500 for sure
  const auto d1 = st::weighted_bernoulli_exact(a, p);
  CHECK(d1.quantile(0.1) == 500.0);
  CHECK(d1.sf(500) == 1.0);
  CHECK(st::weighted_bernoulli_normal(a, p, 500).probability == 1.0);
}

// ---------------------------------------------------------------------------------------
// The fft algorithm (DP leaves multiplied as spectra of one FFT) against the DP.

namespace {
// draw_deals with amounts scaled down (lognormal / 16, uniform / 10) so the lattices stay at
// ~10^4 cells and the tests stay quick in debug and sanitizer builds.
void small_lattice_deals(salesops::rng& gen, int shape, std::size_t n, std::vector<double>& a,
                         std::vector<double>& p) {
  draw_deals(gen, shape, n, true, a, p);
  const double scale = shape == 1 ? 16 : shape == 2 ? 10 : 1;
  for (auto& x : a) x = std::round(x / scale);
}

st::lattice_options with(st::lattice_algorithm algorithm, std::size_t leaf_deals = 0) {
  st::lattice_options o;
  o.algorithm = algorithm;
  o.leaf_deals = leaf_deals;
  return o;
}

// Every cdf, sf and pmf value of two laws on the same lattice agrees within the sum of their
// stated bounds, over the union of their supports.
void check_agree(const st::weighted_bernoulli_distribution& x,
                 const st::weighted_bernoulli_distribution& y) {
  REQUIRE(x.step() == y.step());
  const double bound =
      x.pruned_mass() + x.numerical_error() + y.pruned_mass() + y.numerical_error();
  const double lo = std::min(x.support_min(), y.support_min());
  const double hi = std::max(x.support_max(), y.support_max());
  const double step = std::max(x.step(), (hi - lo) / 4000); // at most ~4000 probes
  double worst_cdf = 0, worst_pmf = 0;
  for (double v = lo - x.step(); v <= hi + x.step(); v += step) {
    const double at = std::round(v / x.step()) * x.step();
    worst_cdf = std::max(worst_cdf, std::fabs(x.cdf(at) - y.cdf(at)));
    worst_cdf = std::max(worst_cdf, std::fabs(x.sf(at) - y.sf(at)));
    worst_pmf = std::max(worst_pmf, std::fabs(x.pmf(at) - y.pmf(at)));
  }
  CHECK(worst_cdf <= bound);
  CHECK(worst_pmf <= bound);
}
} // namespace

TEST_CASE("weighted_bernoulli fft == DP within the stated bounds (random problems)",
          "[stats][weighted_bernoulli][fft]") {
  const int shape = GENERATE(0, 1, 2);
  const std::size_t leaf = GENERATE(std::size_t{1}, std::size_t{7}, std::size_t{0});
  const auto seed = GENERATE(61u, 62u);
  salesops::rng gen(seed * 10u + static_cast<unsigned>(shape));
  std::vector<double> a, p;
  small_lattice_deals(gen, shape, 120, a, p);
  const auto dp = st::weighted_bernoulli_exact(a, p, with(st::lattice_algorithm::dp));
  const auto fft = st::weighted_bernoulli_exact(a, p, with(st::lattice_algorithm::fft, leaf));
  CHECK(dp.algorithm() == st::lattice_algorithm::dp);
  CHECK(fft.algorithm() == st::lattice_algorithm::fft);
  CHECK(fft.pruned_mass() <= st::default_pruning_budget);
  // Informative at the CLI contract (1e-9) even with one deal per leaf, the loosest case (the
  // bound grows with the leaves' 2-norms times sqrt(N)).
  CHECK(fft.numerical_error() < 1e-9);
  check_agree(fft, dp);
  // Quantiles agree unless the cdf passes within the bounds of the level (not the case here).
  for (double q : {0.1, 0.5, 0.9}) CHECK(fft.quantile(q) == dp.quantile(q));
  // Rounding noise is clamped: every pmf value >= 0, the cdf non-decreasing, sf non-increasing.
  double last_cdf = 0, last_sf = 1;
  bool monotone = true;
  for (double v = fft.support_min(); v <= fft.support_max(); v += fft.step()) {
    monotone = monotone && fft.pmf(v) >= 0 && fft.cdf(v) >= last_cdf && fft.sf(v) <= last_sf;
    last_cdf = fft.cdf(v);
    last_sf = fft.sf(v);
  }
  CHECK(monotone);
}

TEST_CASE("weighted_bernoulli fft == brute force over all 2^n outcomes",
          "[stats][weighted_bernoulli][fft]") {
  const int shape = GENERATE(0, 1, 2);
  salesops::rng gen(300u + static_cast<unsigned>(shape));
  std::vector<double> a, p;
  draw_deals(gen, shape, 14, true, a, p);
  const auto law = enumerate(a, p);
  const auto d = st::weighted_bernoulli_exact(a, p, with(st::lattice_algorithm::fft, 3));
  const double bound = d.pruned_mass() + d.numerical_error();
  for (const auto& [v, prob] : law.pmf) CHECK(std::fabs(d.pmf(v) - prob) <= bound + 1e-15);
  for (double z : {-2.0, -0.5, 0.0, 1.0, 2.0}) {
    const double x = std::round(d.moments().mean + z * d.moments().sd);
    CHECK(std::fabs(d.sf(x) - law.sf(x)) <= bound + 1e-14);
    const auto b = d.tail_bracket(x);
    CHECK(b.lower <= law.sf(x) + 1e-14);
    CHECK(law.sf(x) <= b.upper + 1e-14);
  }
}

TEST_CASE("weighted_bernoulli fft: grid method and the automatic switch",
          "[stats][weighted_bernoulli][fft]") {
  salesops::rng gen(71u);
  std::vector<double> a, p;
  // 800 deals up to 500: n * 17 sd ~ 4.5e7 > fft_switch_work = 2^25, so automatic uses fft.
  for (int i = 0; i < 800; ++i) {
    a.push_back(1 + std::floor(gen.uniform() * 500));
    p.push_back(gen.uniform_open());
  }
  const auto autom = st::weighted_bernoulli_exact(a, p);
  CHECK(autom.algorithm() == st::lattice_algorithm::fft);
  const auto dp = st::weighted_bernoulli_exact(a, p, with(st::lattice_algorithm::dp));
  check_agree(autom, dp);
  // A small problem stays on the DP.
  const std::vector<double> small_a(a.begin(), a.begin() + 50), small_p(p.begin(), p.begin() + 50);
  CHECK(st::weighted_bernoulli_exact(small_a, small_p).algorithm() == st::lattice_algorithm::dp);
  // The grid method builds its lattice the same way.
  const auto g_fft = st::weighted_bernoulli_grid(a, p, 7.5, with(st::lattice_algorithm::fft, 50));
  const auto g_dp = st::weighted_bernoulli_grid(a, p, 7.5, with(st::lattice_algorithm::dp));
  check_agree(g_fft, g_dp);
  CHECK(g_fft.rounding_bound() == g_dp.rounding_bound());
}

TEST_CASE("weighted_bernoulli fft: edge cases", "[stats][weighted_bernoulli][fft]") {
  const auto fft = with(st::lattice_algorithm::fft, 1);
  // One deal: 300 @ 0.25 -> P(0) = 0.75, P(300) = 0.25 (lattice step 300).
  const std::vector<double> one_a = {300}, one_p = {0.25};
  const auto one = st::weighted_bernoulli_exact(one_a, one_p, fft);
  CHECK(one.pmf(0) == Approx(0.75).margin(one.numerical_error()));
  CHECK(one.pmf(300) == Approx(0.25).margin(one.numerical_error()));
  CHECK(one.quantile(0.8) == 300.0);
  // p = 0, p = 1 and zero amounts: X = 500 + 100 B with B ~ Bernoulli(0.5).
  const std::vector<double> a = {500, 0, 700, 100}, p = {1.0, 0.5, 0.0, 0.5};
  const auto d = st::weighted_bernoulli_exact(a, p, fft);
  CHECK(d.algorithm() == st::lattice_algorithm::fft);
  CHECK(d.pmf(500) == Approx(0.5).margin(d.numerical_error()));
  CHECK(d.pmf(600) == Approx(0.5).margin(d.numerical_error()));
  CHECK(d.sf(601) == Approx(0.0).margin(d.numerical_error()));
  CHECK(d.cdf(499) == 0.0);
  // Only sure and impossible deals: X = 500 exactly, nothing left to transform.
  const std::vector<double> sure_a = {500, 700}, sure_p = {1.0, 0.0};
  const auto s = st::weighted_bernoulli_exact(sure_a, sure_p, fft);
  CHECK(s.cells() == 1);
  CHECK(s.sf(500) == 1.0);
  CHECK(s.quantile(0.5) == 500.0);
  std::ostringstream out;
  out << d << " " << fft;
  CHECK_THAT(out.str(), Contains("algorithm=fft"));
  CHECK_THAT(out.str(), Contains("leaf_deals=1"));
}

TEST_CASE("weighted_bernoulli fft is invariant to the order of deals",
          "[stats][weighted_bernoulli][fft]") {
  salesops::rng gen(GENERATE(81u, 82u));
  std::vector<double> a, p;
  small_lattice_deals(gen, 1, 200, a, p);
  std::vector<double> a2(a.rbegin(), a.rend()), p2(p.rbegin(), p.rend());
  const auto o = with(st::lattice_algorithm::fft, 16);
  const auto d1 = st::weighted_bernoulli_exact(a, p, o),
             d2 = st::weighted_bernoulli_exact(a2, p2, o);
  // Deals are sorted before the leaves are cut: the same arithmetic, the same numbers.
  for (double q : {0.05, 0.5, 0.95}) {
    const double x = d1.quantile(q);
    CHECK(d1.cdf(x) == d2.cdf(x));
  }
}

TEST_CASE("weighted_bernoulli fft: bad options throw", "[stats][weighted_bernoulli][fft]") {
  salesops::rng gen(91u);
  std::vector<double> a, p;
  draw_deals(gen, 0, 200, true, a, p);
  auto o = with(st::lattice_algorithm::fft);
  o.max_cells = 256; // the Chernoff window needs more cells than this
  CHECK_THROWS_AS(st::weighted_bernoulli_exact(a, p, o), salesops::out_of_range_value);
  CHECK_THROWS_WITH(st::weighted_bernoulli_exact(a, p, o), Contains("max_cells = 256"));
  o = with(st::lattice_algorithm::fft);
  o.pruning_budget = -1;
  CHECK_THROWS_AS(st::weighted_bernoulli_exact(a, p, o), salesops::negative_value);
  CHECK_THROWS_WITH(st::weighted_bernoulli_exact(a, p, o), Contains("pruning_budget"));
}

TEST_CASE("weighted_bernoulli moments are right for amounts near 1e-300 and 1e300",
          "[stats][weighted_bernoulli]") {
  // Hand derivation: mean = sum a p, variance = sum a^2 p q; with a = {c, 2c} and
  // p = {0.5, 0.3}: mean = 1.1 c, variance = (0.25 + 4 * 0.21) c^2 = 1.09 c^2, so
  // sd = sqrt(1.09) c. a^2 overflowed for c = 1e160 (variance inf, sd inf) and underflowed
  // for c = 1e-160 (variance 0), and with p = 1 the overflow gave NaN, turned into 0; here c
  // stays where the variance itself is a normal double.
  const std::vector<double> p = {0.5, 0.3};
  for (const double c : {1e-150, 1e-100, 1.0, 1e100, 1e150}) {
    const std::vector<double> a = {c, 2 * c};
    const auto m = st::weighted_bernoulli_moments_of(a, p);
    INFO(c << " " << m);
    CHECK(m.mean == Approx(1.1 * c).epsilon(1e-15));
    CHECK(m.sd == Approx(std::sqrt(1.09) * c).epsilon(1e-15));
    CHECK(m.variance == Approx(1.09 * c * c).epsilon(1e-15));
    CHECK(m.total == Approx(3 * c).epsilon(1e-15));
  }
  // sd is exact even where the variance alone is out of range: refused, not 0 or inf.
  const std::vector<double> huge = {1e300, 2e300}, tiny = {1e-300, 2e-300}, sure = {1e300, 1};
  const std::vector<double> won = {1.0, 0.5};
  CHECK_THROWS_AS(st::weighted_bernoulli_moments_of(huge, p), salesops::out_of_range_value);
  CHECK_THROWS_WITH(st::weighted_bernoulli_moments_of(huge, p),
                    Contains("amounts at row 1") && Contains("variance of X"));
  CHECK_THROWS_WITH(st::weighted_bernoulli_moments_of(tiny, p),
                    Contains("amounts at row 1") && Contains("variance of X"));
  CHECK_THROWS_WITH(st::weighted_bernoulli_normal(tiny, p, 1e-300), Contains("variance of X"));
  // A deal of 1e300 won for sure adds nothing to the variance (1e600 * 0 was NaN, turned
  // into a variance of 0): variance = 1^2 * 0.5 * 0.5.
  const auto s = st::weighted_bernoulli_moments_of(sure, won);
  CHECK(s.variance == 0.25);
  CHECK(s.mean == Approx(1e300).epsilon(1e-15));
  const std::vector<double> overflow = {1.5e308, 1.5e308}, half = {0.5, 0.5};
  CHECK_THROWS_WITH(st::weighted_bernoulli_moments_of(overflow, half),
                    Contains("sum of the amounts overflows"));
  // The normal approximation's Berry-Esseen bound is scale invariant (a^3 overflowed at 1e120).
  const std::vector<double> unit = {1, 2}, big = {1e120, 2e120};
  const auto n1 = st::weighted_bernoulli_normal(unit, p, 1.5);
  const auto n2 = st::weighted_bernoulli_normal(big, p, 1.5e120);
  CHECK(n2.probability == Approx(n1.probability).epsilon(1e-14));
  CHECK(n2.error_bound == Approx(n1.error_bound).epsilon(1e-14));
}
