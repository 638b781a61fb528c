// Tests for salesops/pipeline/revenue_outlook.hpp.
#include <salesops/pipeline/revenue_outlook.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>
#include <salesops/core/sum.hpp>

using Catch::Matchers::Contains;
namespace pl = salesops::pipeline;

namespace {
// Brute force over all 2^n outcomes of booked + sum a_i B_i.
struct brute {
  double p_hit = 0, shortfall = 0;
};
brute enumerate(const std::vector<double>& a, const std::vector<double>& p, double booked,
                double quota) {
  brute b;
  for (std::uint32_t mask = 0; mask < (1u << a.size()); ++mask) {
    double revenue = booked, prob = 1;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const bool won = (mask >> i) & 1u;
      if (won) revenue += a[i];
      prob *= won ? p[i] : 1 - p[i];
    }
    if (revenue >= quota)
      b.p_hit += prob;
    else
      b.shortfall += (quota - revenue) * prob;
  }
  return b;
}
} // namespace

TEST_CASE("revenue_outlook: hand-derived example", "[pipeline][revenue_outlook]") {
  // Booked 50; deals 100 @ 0.5 and 200 @ 0.5: revenue 50, 150, 250, 350 with 1/4 each.
  const std::vector<double> a = {100, 200}, p = {0.5, 0.5};
  const auto o = pl::revenue_outlook(a, p, 50, 250);
  CHECK(o.method == pl::outlook_method::exact);
  CHECK(o.expected == 200.0);
  CHECK(o.p_hit == 0.5);
  CHECK(o.p_hit_lower <= 0.5);
  CHECK(o.p_hit_upper >= 0.5);
  CHECK(o.p10 == 50.0);
  CHECK(o.p50 == 150.0);
  CHECK(o.p90 == 350.0);
  CHECK(o.quantile_error == 0.0);
  // Shortfall below 250: (250 - 50) / 4 + (250 - 150) / 4 = 75.
  CHECK(o.expected_shortfall == 75.0);
  std::ostringstream s;
  s << o;
  CHECK_THAT(s.str(), Contains("method=exact"));
}

TEST_CASE("revenue_outlook == brute force, exact and grid", "[pipeline][revenue_outlook]") {
  salesops::rng gen(GENERATE(3u, 4u, 5u));
  const bool integer = GENERATE(true, false);
  std::vector<double> a, p;
  for (int i = 0; i < 12; ++i) {
    const double amount = gen.lognormal(9, 1);
    a.push_back(integer ? std::round(amount) : amount);
    p.push_back(gen.uniform());
  }
  const double booked = 10000, quota = booked + 0.6 * salesops::compensated_sum(a);
  const auto truth = enumerate(a, p, booked, quota);
  const auto o = pl::revenue_outlook(a, p, booked, quota);
  CHECK(o.method == (integer ? pl::outlook_method::exact : pl::outlook_method::grid));
  CHECK(o.p_hit == Approx(truth.p_hit).margin(1e-9));
  CHECK(o.p_hit_lower <= truth.p_hit + 1e-13);
  CHECK(truth.p_hit <= o.p_hit_upper + 1e-13);
  CHECK(o.expected_shortfall ==
        Approx(truth.shortfall).epsilon(1e-9).margin(o.quantile_error + 1e-7));
}

TEST_CASE("revenue_outlook_by_group: a roll-up is the law of all the group's deals",
          "[pipeline][revenue_outlook]") {
  salesops::rng gen(9u);
  std::vector<double> a, p;
  std::vector<std::uint32_t> rep, company;
  for (std::uint32_t i = 0; i < 14; ++i) {
    a.push_back(std::round(gen.uniform(1000, 9000)));
    p.push_back(gen.uniform(0.1, 0.9));
    rep.push_back(i % 3);
    company.push_back(0);
  }
  const std::vector<double> booked = {1000, 0, 5000}, quota = {20000, 15000, 25000};
  const auto per_rep = pl::revenue_outlook_by_group(rep, a, p, booked, quota);
  REQUIRE(per_rep.size() == 3);
  for (std::uint32_t r = 0; r < 3; ++r) {
    std::vector<double> ar, pr;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (rep[i] == r) {
        ar.push_back(a[i]);
        pr.push_back(p[i]);
      }
    CHECK(per_rep[r].p_hit == Approx(enumerate(ar, pr, booked[r], quota[r]).p_hit).margin(1e-12));
  }
  const std::vector<double> total_booked = {6000}, total_quota = {60000};
  const auto rolled = pl::revenue_outlook_by_group(company, a, p, total_booked, total_quota);
  CHECK(rolled[0].p_hit == Approx(enumerate(a, p, 6000, 60000).p_hit).margin(1e-12));
  // The roll-up's expectation is the sum of the reps'; its P50 is not the sum of theirs.
  CHECK(rolled[0].expected ==
        Approx(per_rep[0].expected + per_rep[1].expected + per_rep[2].expected));
}

TEST_CASE("revenue_outlook: bad input", "[pipeline][revenue_outlook]") {
  const std::vector<double> a = {100, 200, 300}, p = {0.5, 0.5, 0.5};
  CHECK_THROWS_AS(pl::revenue_outlook(a, p, 0, 0), salesops::negative_value);
  CHECK_THROWS_WITH(pl::revenue_outlook(a, p, 0, -5), Contains("quota"));
  CHECK_THROWS_WITH(pl::revenue_outlook(a, p, -1, 5), Contains("booked"));
  const std::vector<double> bad_p = {0.5, 0.5, -0.1};
  CHECK_THROWS_WITH(pl::revenue_outlook(a, bad_p, 0, 5), Contains("probs at row 2"));
  const std::vector<std::uint32_t> group = {0, 0, 4};
  const std::vector<double> one = {0}, q = {10};
  CHECK_THROWS_WITH(pl::revenue_outlook_by_group(group, a, p, one, q), Contains("group at row 2"));
  const std::vector<std::uint32_t> group_ok = {0, 0, 0};
  // Errors name the row of the full input, not of the group's subset.
  CHECK_THROWS_WITH(pl::revenue_outlook_by_group(group_ok, a, bad_p, one, q),
                    Contains("probs at row 2"));
}

TEST_CASE(
    "revenue_outlook: large problems use the fft lattice law, equal to the DP within its bracket",
    "[pipeline][revenue_outlook]") {
  salesops::rng gen(17u);
  std::vector<double> a, p;
  // 800 deals up to 500: beyond stats::fft_switch_work, so the automatic choice is the fft.
  for (int i = 0; i < 800; ++i) {
    a.push_back(1 + std::floor(gen.uniform() * 500));
    p.push_back(gen.uniform_open());
  }
  const double booked = 1000, quota = booked + 0.55 * salesops::compensated_sum(a);
  const auto fast = pl::revenue_outlook(a, p, booked, quota);
  pl::outlook_options dp_only;
  dp_only.algorithm = salesops::stats::lattice_algorithm::dp;
  const auto dp = pl::revenue_outlook(a, p, booked, quota, dp_only);
  CHECK(fast.method == pl::outlook_method::exact);
  CHECK(fast.algorithm == salesops::stats::lattice_algorithm::fft);
  CHECK(dp.algorithm == salesops::stats::lattice_algorithm::dp);
  // Both brackets are rigorous, so each holds the other's estimate, and both are < 1e-9 wide.
  CHECK(fast.p_hit_lower <= dp.p_hit);
  CHECK(dp.p_hit <= fast.p_hit_upper);
  CHECK(fast.p_hit_upper - fast.p_hit_lower < 1e-9);
  CHECK(fast.p10 == dp.p10);
  CHECK(fast.p50 == dp.p50);
  CHECK(fast.p90 == dp.p90);
  CHECK(fast.expected_shortfall == Approx(dp.expected_shortfall).epsilon(1e-9));
  std::ostringstream s;
  s << fast << " " << dp_only;
  CHECK_THAT(s.str(), Contains("algorithm=fft"));
  CHECK_THAT(s.str(), Contains("algorithm=dp"));
}

TEST_CASE("revenue_outlook: options and group errors name what is wrong",
          "[pipeline][revenue_outlook]") {
  const std::vector<double> a = {100.5, 200.25}, p = {0.5, 0.5};
  pl::outlook_options o;
  o.grid_cells = 0; // was "weighted_bernoulli_grid: step is inf"
  CHECK_THROWS_AS(pl::revenue_outlook(a, p, 0, 100, o), salesops::negative_value);
  CHECK_THROWS_WITH(pl::revenue_outlook(a, p, 0, 100, o), Contains("revenue_outlook: grid_cells"));
  o.grid_cells = 1e7;
  // A budget of 1 let the DP prune anything (p_hit [0, 1], P10 = P90 = the total); each tail
  // may lose half the budget, so from 0.2 on a whole decile may go.
  for (const double budget : {1.0, 0.2, -1e-3}) {
    o.pruning_budget = budget;
    INFO(budget);
    CHECK_THROWS_WITH(pl::revenue_outlook(a, p, 0, 100, o),
                      Contains("revenue_outlook: pruning_budget"));
  }
  o.pruning_budget = 0.19;
  CHECK_NOTHROW(pl::revenue_outlook(a, p, 0, 100, o));
  // Amounts of 1e200: the variance 1e400 is beyond a double (sd was inf); refused.
  const std::vector<double> big = {1e200, 2e200, 3e200}, half = {0.5, 0.5, 0.5};
  CHECK_THROWS_AS(pl::revenue_outlook(big, half, 0, 3e200), salesops::out_of_range_value);
  CHECK_THROWS_WITH(pl::revenue_outlook(big, half, 0, 3e200), Contains("amounts at row 2"));
  // By group: the message says which group, and a deal's row is the input's.
  const std::vector<std::uint32_t> group = {0, 1, 1, 0};
  const std::vector<double> ga = {10, 1e200, 2e200, 20}, gp = {0.5, 0.5, 0.5, 0.5};
  const std::vector<double> booked = {0, -1}, quota = {10, 10};
  CHECK_THROWS_AS(pl::revenue_outlook_by_group(group, ga, gp, booked, quota),
                  salesops::negative_value);
  // The group's error reworded from its parts (salesops::error::detail), not nested whole.
  CHECK_THROWS_WITH(pl::revenue_outlook_by_group(group, ga, gp, booked, quota),
                    "revenue_outlook_by_group: booked of group 1 is negative (-1)");
  const std::vector<double> booked_ok = {0, 0}, quota_bad = {10, 0};
  CHECK_THROWS_WITH(pl::revenue_outlook_by_group(group, ga, gp, booked_ok, quota_bad),
                    "revenue_outlook_by_group: quota of group 1 must be positive (is 0)");
  CHECK_THROWS_AS(pl::revenue_outlook_by_group(group, ga, gp, booked_ok, quota),
                  salesops::out_of_range_value);
  CHECK_THROWS_WITH(pl::revenue_outlook_by_group(group, ga, gp, booked_ok, quota),
                    Contains("amounts at row 2 of group 1"));
  o.pruning_budget = 1;
  CHECK_THROWS_WITH(pl::revenue_outlook_by_group(group, ga, gp, booked_ok, quota, o),
                    Contains("revenue_outlook_by_group: pruning_budget"));
}
