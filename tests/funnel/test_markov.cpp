// Tests for salesops/funnel/markov.hpp.
#include <salesops/funnel/markov.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>
#include <salesops/simulate/crm.hpp>

using namespace salesops::funnel;
using Catch::Matchers::Contains;

namespace {

// The 3-stage chain used by several tests: rows are stages 0..2, columns stages 0..2, won,
// lost.
Eigen::MatrixXd three_stage_chain() {
  Eigen::MatrixXd p(3, 5);
  p << 0.0, 0.6, 0.1, 0.0, 0.3, //
      0.1, 0.0, 0.5, 0.0, 0.4,  //
      0.0, 0.2, 0.0, 0.6, 0.2;
  return p;
}

struct path_data {
  std::vector<std::uint32_t> stages;
  std::vector<std::int64_t> times;
  outcome result;
  std::int64_t closed_at;
  opportunity_path view() const { return {stages, times, result, closed_at}; }
};

// Walks the chain `p` from `start` with holding time `days[s]` days per visit: a brute-force
// simulation used to check the closed forms and the accumulator.
path_data walk(const Eigen::MatrixXd& p, Eigen::Index start, const std::vector<double>& days,
               salesops::rng& gen) {
  path_data d{{}, {}, outcome::open, 0};
  Eigen::Index s = start;
  std::int64_t t = 1'000'000;
  const auto k = static_cast<Eigen::Index>(p.rows());
  for (;;) {
    d.stages.push_back(static_cast<std::uint32_t>(s));
    d.times.push_back(t);
    t += static_cast<std::int64_t>(days[static_cast<std::size_t>(s)] * seconds_per_day);
    double u = gen.uniform();
    Eigen::Index next = 0;
    while (next < k + 1 && u >= p(s, next)) {
      u -= p(s, next);
      ++next;
    }
    if (next >= k) {
      d.result = next == k ? outcome::won : outcome::lost;
      d.closed_at = t;
      return d;
    }
    s = next;
  }
}

} // namespace

TEST_CASE("absorbing_chain_summary: two-stage chain by hand", "[funnel][markov]") {
  // Hand derivation: stage 0 moves to stage 1 with p = 0.7, else lost; stage 1 wins with
  // q = 0.4, else lost. Win from 0 = p q = 0.28, from 1 = q = 0.4. Moves: from 1 one move,
  // from 0 1 + p = 1.7. Days with h = (3, 5): from 1 5, from 0 3 + p * 5 = 6.5.
  Eigen::MatrixXd p(2, 4);
  p << 0.0, 0.7, 0.0, 0.3, //
      0.0, 0.0, 0.4, 0.6;
  const auto s = absorbing_chain_summary(p, Eigen::Vector2d(3.0, 5.0));
  CHECK(s.win_probability(0) == Approx(0.28).epsilon(1e-14));
  CHECK(s.win_probability(1) == Approx(0.4).epsilon(1e-14));
  CHECK(s.expected_moves(0) == Approx(1.7).epsilon(1e-14));
  CHECK(s.expected_moves(1) == Approx(1.0).epsilon(1e-14));
  CHECK(s.expected_days(0) == Approx(6.5).epsilon(1e-14));
  CHECK(s.expected_days(1) == Approx(5.0).epsilon(1e-14));
}

TEST_CASE("absorbing_chain_summary: 3-stage chain with a backward move matches R",
          "[funnel][markov]") {
  // R: P <- matrix(c(0,.6,.1,0,.3, .1,0,.5,0,.4, 0,.2,0,.6,.2), 3, byrow = TRUE)
  //    N <- solve(diag(3) - P[, 1:3]); N %*% P[, 4:5]; N %*% rep(1, 3); N %*% c(10, 5, 2)
  // won column: 0.286396181384248 0.365155131264916 0.673031026252983
  // moves:      2.29116945107399  1.92124105011933  1.38424821002387
  // days:       15.39379474940334 8.37708830548926  3.67541766109785
  const auto s = absorbing_chain_summary(three_stage_chain(), Eigen::Vector3d(10, 5, 2));
  CHECK(s.win_probability(0) == Approx(0.286396181384248).epsilon(1e-12));
  CHECK(s.win_probability(1) == Approx(0.365155131264916).epsilon(1e-12));
  CHECK(s.win_probability(2) == Approx(0.673031026252983).epsilon(1e-12));
  CHECK(s.expected_moves(0) == Approx(2.29116945107399).epsilon(1e-12));
  CHECK(s.expected_moves(1) == Approx(1.92124105011933).epsilon(1e-12));
  CHECK(s.expected_moves(2) == Approx(1.38424821002387).epsilon(1e-12));
  CHECK(s.expected_days(0) == Approx(15.39379474940334).epsilon(1e-12));
  CHECK(s.expected_days(1) == Approx(8.37708830548926).epsilon(1e-12));
  CHECK(s.expected_days(2) == Approx(3.67541766109785).epsilon(1e-12));
}

TEST_CASE("absorbing_chain_summary rejects bad matrices", "[funnel][markov]") {
  Eigen::MatrixXd p = three_stage_chain();
  p(1, 2) = 0.6; // row 1 sums to 1.1
  CHECK_THROWS_AS(absorbing_chain_summary(p, Eigen::Vector3d(1, 1, 1)),
                  salesops::out_of_range_value);
  CHECK_THROWS_WITH(absorbing_chain_summary(p, Eigen::Vector3d(1, 1, 1)),
                    Contains("transition at row 1 sums to 1.1"));
  // Stages 0 and 1 only move between themselves: I - Q is singular.
  Eigen::MatrixXd closed(2, 4);
  closed << 0, 1, 0, 0, //
      1, 0, 0, 0;
  CHECK_THROWS_AS(absorbing_chain_summary(closed, Eigen::Vector2d(1, 1)),
                  salesops::numerical_error);
  CHECK_THROWS_AS(absorbing_chain_summary(three_stage_chain(), Eigen::Vector2d(1, 1)),
                  salesops::length_mismatch);
  CHECK_THROWS_WITH(absorbing_chain_summary(three_stage_chain(), Eigen::Vector3d(1, -1, 1)),
                    Contains("days_per_visit at row 1 is negative"));
}

TEST_CASE("markov_accumulator counts visits, moves and durations by hand", "[funnel][markov]") {
  // Opportunity A: 0 @0d, 0 @1d (repeat: same visit), 2 @3d (skip), 1 @4d (backward), won @10d.
  //   transitions 0->2, 2->1, 1->won; visit days 0: 3, 2: 1, 1: 6.
  // Opportunity B: 0 @0d, lost @2d: transition 0->lost, visit 0: 2 days.
  // Opportunity C: 0 @0d, 1 @5d, still open: transition 0->1, visit 0: 5 days; 1 censored.
  const std::int64_t d = 86400;
  const path_data a{{0, 0, 2, 1}, {0, d, 3 * d, 4 * d}, outcome::won, 10 * d};
  const path_data b{{0}, {0}, outcome::lost, 2 * d};
  const path_data c{{0, 1}, {0, 5 * d}, outcome::open, 0};
  markov_accumulator acc(3);
  acc.update(a.view());
  acc.update(b.view());
  acc.update(c.view());
  Eigen::MatrixXd expected = Eigen::MatrixXd::Zero(3, 5);
  expected(0, 2) = 1;
  expected(0, 4) = 1;
  expected(0, 1) = 1;
  expected(2, 1) = 1;
  expected(1, 3) = 1;
  CHECK(acc.counts() == expected);
  const markov_fit f = acc.result();
  CHECK(f.transition(0, 1) == Approx(1.0 / 3));
  CHECK(f.transition(1, 3) == 1.0);
  CHECK(f.days_per_visit(0) == Approx((3.0 + 2.0 + 5.0) / 3));
  CHECK(f.days_per_visit(1) == Approx(6.0));
  CHECK(f.days_per_visit(2) == Approx(1.0));
  CHECK(f.completed_visits(0) == 3);
}

TEST_CASE("markov_accumulator: merged shards equal one pass", "[funnel][markov]") {
  // Shards from different chains (a fast-winning and a slow-losing pipeline) so a merge that
  // averaged rows instead of adding counts would be caught.
  salesops::rng gen(GENERATE(11u, 12u, 13u));
  Eigen::MatrixXd fast = three_stage_chain();
  Eigen::MatrixXd slow(3, 5);
  slow << 0, 0.2, 0, 0.05, 0.75, //
      0.3, 0, 0.1, 0.1, 0.5,     //
      0, 0.5, 0, 0.1, 0.4;
  markov_accumulator whole(3), shard_a(3), shard_b(3);
  for (int i = 0; i < 400; ++i) {
    const bool first = gen.bernoulli(0.3);
    const auto d = walk(first ? fast : slow, static_cast<Eigen::Index>(gen.uniform_int(3)),
                        first ? std::vector<double>{1, 2, 3} : std::vector<double>{7, 11, 13},
                        gen);
    whole.update(d.view());
    (first ? shard_a : shard_b).update(d.view());
  }
  shard_a.merge(shard_b);
  CHECK(shard_a.counts() == whole.counts());
  const auto f1 = whole.result(), f2 = shard_a.result();
  for (Eigen::Index i = 0; i < 3; ++i)
    CHECK(f2.days_per_visit(i) == Approx(f1.days_per_visit(i)).epsilon(1e-12));
  markov_accumulator other(4);
  CHECK_THROWS_AS(shard_a.merge(other), salesops::length_mismatch);
}

TEST_CASE("fit_markov recovers a known chain and its win probabilities", "[funnel][markov]") {
  // Brute force: 20000 simulated deals walking the 3-stage chain; the fitted matrix must be
  // within 4 binomial standard errors of the truth, and the posterior intervals of the win
  // probability must contain the R values of the true chain (see the test above).
  salesops::rng gen(GENERATE(21u, 22u));
  const Eigen::MatrixXd truth = three_stage_chain();
  std::vector<std::uint64_t> opp;
  std::vector<std::int64_t> times, closed;
  std::vector<std::uint32_t> stages;
  std::vector<outcome> outcomes;
  for (std::uint64_t o = 0; o < 20000; ++o) {
    const auto d = walk(truth, 0, {10, 5, 2}, gen);
    for (std::size_t i = 0; i < d.stages.size(); ++i) {
      opp.push_back(o);
      stages.push_back(d.stages[i]);
      times.push_back(d.times[i]);
    }
    outcomes.push_back(d.result);
    closed.push_back(d.closed_at);
  }
  markov_options options;
  options.draws = 400;
  const auto r = fit_markov({opp, stages, times, outcomes, closed, 3}, options);
  for (Eigen::Index i = 0; i < 3; ++i) {
    const double exits = r.fit.counts.row(i).sum();
    for (Eigen::Index j = 0; j < 5; ++j) {
      const double se = std::sqrt(truth(i, j) * (1 - truth(i, j)) / exits);
      CHECK(std::abs(r.fit.transition(i, j) - truth(i, j)) <= 4 * se + 1e-12);
    }
  }
  // Holding times are deterministic in the walk, so they are recovered exactly.
  CHECK(r.fit.days_per_visit(0) == Approx(10.0));
  CHECK(r.fit.days_per_visit(2) == Approx(2.0));
  const double truth_win[] = {0.286396181384248, 0.365155131264916, 0.673031026252983};
  const double truth_days[] = {15.39379474940334, 8.37708830548926, 3.67541766109785};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& s = r.stages[i];
    CHECK(s.win_probability.lower <= truth_win[i]);
    CHECK(s.win_probability.upper >= truth_win[i]);
    CHECK(s.expected_days.lower <= truth_days[i]);
    CHECK(s.expected_days.upper >= truth_days[i]);
    CHECK(s.win_probability.upper - s.win_probability.lower < 0.05);
  }
}

TEST_CASE("markov_summary: intervals shrink with data and are seeded", "[funnel][markov]") {
  // Same transition proportions with 10x the counts: the posterior interval must be narrower
  // (width ~ 1/sqrt(n)); the same seed gives the same interval.
  const std::int64_t d = 86400;
  const auto build = [&](int copies) {
    markov_accumulator acc(2);
    for (int c = 0; c < copies; ++c) {
      acc.update(path_data{{0, 1}, {0, d}, outcome::won, 2 * d}.view());
      acc.update(path_data{{0, 1}, {0, d}, outcome::lost, 3 * d}.view());
      acc.update(path_data{{0}, {0}, outcome::lost, d}.view());
    }
    return acc;
  };
  markov_options options;
  options.draws = 1000;
  const auto small = markov_summary(build(10), options);
  const auto large = markov_summary(build(100), options);
  const auto again = markov_summary(build(10), options);
  // MLE: P(0->1) = 2/3, P(1->won) = 1/2: win from 0 is 1/3.
  CHECK(small.stages[0].win_probability.estimate == Approx(1.0 / 3));
  const double w_small = small.stages[0].win_probability.upper - small.stages[0].win_probability.lower;
  const double w_large = large.stages[0].win_probability.upper - large.stages[0].win_probability.lower;
  CHECK(w_large < 0.5 * w_small);
  CHECK(again.stages[0].win_probability.lower == small.stages[0].win_probability.lower);
  options.level = 1.5;
  CHECK_THROWS_AS(markov_summary(build(1), options), salesops::out_of_range_value);
  options.level = 0.9;
  options.prior = 0;
  CHECK_THROWS_AS(markov_summary(build(1), options), salesops::negative_value);
}

TEST_CASE("markov: a stage without exits and bad histories throw", "[funnel][markov]") {
  markov_accumulator acc(2);
  acc.update(path_data{{0, 1}, {0, 10}, outcome::open, 0}.view());
  CHECK_THROWS_AS(acc.result(), salesops::numerical_error);
  CHECK_THROWS_WITH(acc.result(), Contains("stage at row 1 has no observed exit"));
  CHECK_THROWS_WITH(acc.update(path_data{{0, 2}, {0, 10}, outcome::open, 0}.view()),
                    Contains("stage at row 1 is 2"));
  const std::vector<std::uint64_t> opp{0, 1, 0};
  const std::vector<std::int64_t> times{0, 5, 9}, closed{20, 20};
  const std::vector<std::uint32_t> stages{0, 1, 1};
  const std::vector<outcome> outcomes{outcome::won, outcome::lost};
  CHECK_THROWS_AS(fit_markov({opp, stages, times, outcomes, closed, 2}), salesops::not_sorted);
  CHECK_THROWS_WITH(fit_markov({opp, stages, times, outcomes, closed, 2}),
                    Contains("opportunity at row 2 is 0"));
}

TEST_CASE("fit_markov recovers the simulator's ground truth", "[funnel][markov][simulate]") {
  // Simulator ground truth (docs/simulate.md): with rep skill and source effects off and no
  // quarter-end push, every deal walks the configured matrix, so the fitted matrix must lie
  // within 4 binomial standard errors of it and the posterior intervals of the win probability
  // must cover the truth (Kemeny-Snell absorption probabilities computed by the simulator).
  namespace sim = salesops::simulate;
  sim::config c;
  c.seed = GENERATE(3u, 4u);
  c.reps = 60;
  c.skill_sd = 0;
  for (auto& s : c.sources) s.win_log_odds = 0;
  c.quarter_end_push = 0;
  const sim::dataset d = sim::simulate_crm(c);
  const auto& t = d.opportunities;
  const auto closed_at = close_timestamps(t.close_date);
  const auto k = static_cast<std::uint32_t>(c.stages.stage_count());
  markov_options options;
  options.draws = 300;
  const auto r =
      fit_markov({t.stage_opportunity, t.stage, t.entered_at, t.outcome, closed_at, k}, options);
  const Eigen::MatrixXd& truth = d.truth.transitions;
  for (Eigen::Index i = 0; i < truth.rows(); ++i) {
    const double exits = r.fit.counts.row(i).sum();
    REQUIRE(exits > 500);
    for (Eigen::Index j = 0; j < truth.cols(); ++j) {
      INFO("from " << i << " to " << j);
      const double se = std::sqrt(truth(i, j) * (1 - truth(i, j)) / exits);
      CHECK(std::abs(r.fit.transition(i, j) - truth(i, j)) <= 4 * se + 1e-12);
    }
  }
  for (std::size_t s = 0; s < k; ++s) {
    const auto e = static_cast<Eigen::Index>(s);
    INFO("stage " << s << ": " << r.stages[s] << " truth " << d.truth.win_probability(e));
    CHECK(r.stages[s].win_probability.lower <= d.truth.win_probability(e));
    CHECK(r.stages[s].win_probability.upper >= d.truth.win_probability(e));
    // Expected days to close: mean visit lengths come from completed visits only (short
    // visits are over-represented near the end of the simulation) and the close instant is
    // the end of the close day, so allow 10% around the simulator's truth.
    CHECK(r.stages[s].expected_days.estimate ==
          Approx(d.truth.expected_days_to_close(e)).epsilon(0.10));
  }
}

TEST_CASE("markov results print", "[funnel][markov]") {
  markov_accumulator acc(1);
  acc.update(path_data{{0}, {0}, outcome::won, 86400}.view());
  acc.update(path_data{{0}, {0}, outcome::lost, 3 * 86400}.view());
  markov_options options;
  options.draws = 50;
  std::ostringstream out;
  out << markov_summary(acc, options) << acc.result();
  // Hand: P(won) = 1/2, one move, mean visit (1 + 3) / 2 = 2 days.
  CHECK_THAT(out.str(), Contains("stage 0: exits=2, P(won)=0.5 ["));
  CHECK_THAT(out.str(), Contains("moves=1 [1, 1]"));
  CHECK_THAT(out.str(), Contains("transition=[0, 0.5, 0.5], days_per_visit=[2]"));
}
