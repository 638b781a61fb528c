// Tests for salesops/core/moments.hpp. References: hand derivations in comments, R's mean()
// and var(), a two-pass long-double reference written below, and the merge == one-pass
// property on shards drawn from different distributions.
#include <salesops/core/moments.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using namespace salesops;
using Catch::Matchers::Equals;

namespace {

// Two-pass reference in long double: mean first, then squared deviations from it.
struct two_pass {
  long double mean = 0, variance = 0;
};
two_pass two_pass_reference(const std::vector<double>& x) {
  two_pass r;
  for (double v : x) r.mean += v;
  r.mean /= static_cast<long double>(x.size());
  for (double v : x) r.variance += (v - r.mean) * (v - r.mean);
  r.variance /= static_cast<long double>(x.size() - 1);
  return r;
}

// Shards from deliberately different distributions: far-apart means, very different spreads,
// heavy right tails, a constant shard and an empty one. A merge that mishandled the
// between-shard term (the Boost.Histogram 1.74 bug) fails here, a same-distribution test
// would not see it.
std::vector<std::vector<double>> make_shards(rng& gen) {
  std::vector<std::vector<double>> shards(6);
  for (int i = 0; i < 700; ++i) shards[0].push_back(gen.normal(1e6, 1.0));
  for (int i = 0; i < 300; ++i) shards[1].push_back(gen.normal(-50.0, 100.0));
  for (int i = 0; i < 1000; ++i) shards[2].push_back(gen.lognormal(8.0, 1.5));
  for (int i = 0; i < 500; ++i) shards[3].push_back(42.0);
  // shards[4] stays empty
  for (int i = 0; i < 3; ++i) shards[5].push_back(gen.lognormal(0.0, 0.1));
  return shards;
}

} // namespace

TEST_CASE("moments: textbook values", "[core][moments]") {
  // R: x <- c(2,4,4,4,5,5,7,9); mean(x) = 5; var(x) = 4.571429 (= 32/7); sd(x) = 2.13809;
  // population variance 32/8 = 4 (hand).
  const std::vector<double> x = {2, 4, 4, 4, 5, 5, 7, 9};
  const auto m = moments<double>(x);
  CHECK(m.count == 8);
  CHECK(m.mean == 5.0);
  CHECK(m.variance == Approx(32.0 / 7.0).epsilon(1e-15));
  CHECK(m.population_variance == Approx(4.0).epsilon(1e-15));
  CHECK(m.sd == Approx(2.138089935299395).epsilon(1e-15));
  CHECK(m.min == 2.0);
  CHECK(m.max == 9.0);
  // Integers give double results.
  const std::vector<int> xi = {2, 4, 4, 4, 5, 5, 7, 9};
  const auto mi = moments<int>(xi);
  STATIC_REQUIRE(std::is_same_v<decltype(mi), const moments_summary<double>>);
  CHECK(mi.mean == 5.0);
  // float keeps float.
  const std::vector<float> xf = {1.f, 2.f, 3.f};
  const auto mf = moments<float>(xf);
  STATIC_REQUIRE(std::is_same_v<decltype(mf), const moments_summary<float>>);
  CHECK(mf.variance == 1.0f);
}

TEST_CASE("moments: no catastrophic cancellation for a large offset", "[core][moments]") {
  // Hand: 1e9 + {4, 7, 13, 16} has deviations -6, -3, 3, 6 from 1e9 + 10, so the variance is
  // 90 / 3 = 30. The textbook sum-of-squares formula loses every digit here in double
  // (the squares are ~1e18, whose ulp is 128); computed below to show the case bites.
  const std::vector<double> x = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
  double sum = 0, sum_sq = 0;
  for (double v : x) {
    sum += v;
    sum_sq += v * v;
  }
  const double naive = (sum_sq - sum * sum / 4) / 3;
  CHECK(std::fabs(naive - 30.0) > 1.0);
  const auto m = moments<double>(x);
  CHECK(m.mean == 1e9 + 10);
  CHECK(m.variance == Approx(30.0).epsilon(1e-12));
}

TEST_CASE("moments: empty and single-value columns", "[core][moments]") {
  const auto empty = moments<double>(span<const double>());
  CHECK(empty.count == 0);
  CHECK(empty.mean == 0.0);
  CHECK(empty.variance == 0.0);
  CHECK(empty.min == std::numeric_limits<double>::infinity());
  CHECK(empty.max == -std::numeric_limits<double>::infinity());
  const std::vector<double> one = {3.5};
  const auto single = moments<double>(one);
  CHECK(single.count == 1);
  CHECK(single.mean == 3.5);
  CHECK(single.variance == 0.0); // defined as 0 for fewer than two values
  CHECK(single.population_variance == 0.0);
  CHECK(single.min == 3.5);
  CHECK(single.max == 3.5);
}

TEST_CASE("moments: merge of shards from different distributions equals one pass",
          "[core][moments]") {
  rng gen(GENERATE(1u, 2u, 3u, 4u, 5u));
  const auto shards = make_shards(gen);
  std::vector<double> all;
  welford_moments<double> one_pass;
  for (const auto& shard : shards)
    for (double v : shard) {
      all.push_back(v);
      one_pass.update(v);
    }
  std::vector<welford_moments<double>> partial(shards.size());
  for (std::size_t s = 0; s < shards.size(); ++s)
    for (double v : shards[s]) partial[s].update(v);

  // Three merge orders: left fold, right fold, and a balanced tree.
  welford_moments<double> left, right;
  for (const auto& p : partial) left.merge(p);
  for (auto it = partial.rbegin(); it != partial.rend(); ++it) right.merge(*it);
  welford_moments<double> a = partial[0], b = partial[3];
  a.merge(partial[1]);
  a.merge(partial[2]);
  b.merge(partial[4]);
  b.merge(partial[5]);
  a.merge(b);

  const two_pass ref = two_pass_reference(all);
  const auto reference_mean = static_cast<double>(ref.mean);
  const auto reference_variance = static_cast<double>(ref.variance);
  for (const auto& merged : {left, right, a}) {
    const auto r = merged.result();
    const auto o = one_pass.result();
    REQUIRE(r.count == all.size());
    CHECK(r.mean == Approx(o.mean).epsilon(1e-13));
    CHECK(r.variance == Approx(o.variance).epsilon(1e-12));
    CHECK(r.mean == Approx(reference_mean).epsilon(1e-13));
    CHECK(r.variance == Approx(reference_variance).epsilon(1e-12));
    CHECK(r.min == *std::min_element(all.begin(), all.end()));
    CHECK(r.max == *std::max_element(all.begin(), all.end()));
  }
}

TEST_CASE("moments: merging with empty accumulators is the identity", "[core][moments]") {
  welford_moments<double> filled, empty;
  for (double v : {1.0, 2.0, 4.0}) filled.update(v);
  welford_moments<double> x = filled;
  x.merge(empty);
  welford_moments<double> y = empty;
  y.merge(filled);
  for (const auto& m : {x.result(), y.result()}) {
    CHECK(m.count == 3);
    CHECK(m.mean == Approx(7.0 / 3.0));
    CHECK(m.variance == Approx(7.0 / 3.0)); // hand: SS = 14/3, / 2
  }
}

TEST_CASE("moments: one pass agrees with the two-pass reference, in any order", "[core][moments]") {
  rng gen(GENERATE(7u, 8u, 9u));
  std::vector<double> x(5000);
  for (double& v : x) v = gen.gamma(0.3, 1e4) + 1e7; // skewed, on a large offset
  const two_pass ref = two_pass_reference(x);
  const auto m = moments<double>(x);
  CHECK(m.mean == Approx(static_cast<double>(ref.mean)).epsilon(1e-14));
  CHECK(m.variance == Approx(static_cast<double>(ref.variance)).epsilon(1e-10));
  std::shuffle(x.begin(), x.end(), gen); // permutation invariance
  const auto shuffled = moments<double>(x);
  CHECK(shuffled.mean == Approx(m.mean).epsilon(1e-14));
  CHECK(shuffled.variance == Approx(m.variance).epsilon(1e-10));
  CHECK(shuffled.min == m.min);
  CHECK(shuffled.max == m.max);
}

TEST_CASE("moments: NaN and infinity are rejected naming the row", "[core][moments]") {
  const std::vector<double> x = {1, 2, 3, std::numeric_limits<double>::quiet_NaN()};
  CHECK_THROWS_AS(moments<double>(x), not_finite);
  CHECK_THROWS_WITH(moments<double>(x), Equals("moments: values at row 3 is nan"));
  welford_moments<double> acc;
  acc.update(1.0);
  CHECK_THROWS_AS(acc.update(std::numeric_limits<double>::infinity()), not_finite);
  CHECK_THROWS_WITH(acc.update(-std::numeric_limits<double>::infinity()),
                    Equals("welford_moments::update: x is -inf"));
  CHECK(acc.result().count == 1); // the rejected values left no trace
  CHECK(acc.result().mean == 1.0);
}

TEST_CASE("moments: summary prints", "[core][moments]") {
  const std::vector<double> x = {1, 3};
  std::ostringstream out;
  out << moments<double>(x);
  // Hand: mean 2, variance (1 + 1) / 1 = 2, sd sqrt(2).
  CHECK(out.str() == "moments{count=2, mean=2, variance=2, sd=1.41421, min=1, max=3}");
}

TEST_CASE("moments accepts any contiguous container", "[core][moments]") {
  // Hand derivation: {2, 4, 4, 4, 5, 5, 7, 9} has mean 5, sum of squared deviations 32,
  // so the sample variance is 32 / 7 and the population variance 4.
  const std::vector<double> v = {2, 4, 4, 4, 5, 5, 7, 9};
  const auto m = salesops::moments(v);
  CHECK(m.mean == 5.0);
  CHECK(m.population_variance == 4.0);
  CHECK(m.variance == Approx(32.0 / 7.0).epsilon(1e-15));
  const std::array<int, 3> counts = {1, 2, 3};
  CHECK(salesops::moments(counts).mean == 2.0); // integers give double results
}
