// Tests of scoring/rank_uncertainty.hpp: posterior-sampling and bootstrap rank intervals.
#include "salesops/scoring/rank_uncertainty.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <sstream>
#include <vector>

using namespace salesops;
using namespace salesops::scoring;
using Catch::Matchers::Contains;

TEST_CASE("rank_collector matches a brute-force count", "[scoring][rank]") {
  // Three replicates of three reps, ranked by hand:
  //   {3, 2, 1} -> ranks 1 2 3; {1, 2, 3} -> 3 2 1; {2, 2, 1} -> 1 1 3 (tie shares rank 1)
  const std::vector<double> point = {3, 2, 1}, r1 = {3, 2, 1}, r2 = {1, 2, 3}, r3 = {2, 2, 1};
  rank_collector c(point, 1, 0.5);
  c.add(r1);
  c.add(r2);
  c.add(r3);
  const auto r = c.result();
  CHECK(r.replicates == 3);
  // Rep 0 ranks {1, 3, 1}: mean 5/3, P(top 1) = 2/3; type-1 quantiles at 0.25 and 0.75 of
  // the sorted {1, 1, 3}: positions ceil(0.75) = 1 -> 1 and ceil(2.25) = 3 -> 3.
  CHECK(r.reps[0].mean_rank == Approx(5.0 / 3));
  CHECK(r.reps[0].prob_top_k == Approx(2.0 / 3));
  CHECK(r.reps[0].lower == 1);
  CHECK(r.reps[0].upper == 3);
  CHECK(r.reps[0].rank == 1);
  // Rep 1 ranks {2, 2, 1}; rep 2 ranks {3, 1, 3}.
  CHECK(r.reps[1].mean_rank == Approx(5.0 / 3));
  CHECK(r.reps[1].prob_top_k == Approx(1.0 / 3));
  CHECK(r.reps[2].mean_rank == Approx(7.0 / 3));
  // Merging two shards equals collecting everything in one.
  rank_collector a(point, 1, 0.5), b(point, 1, 0.5);
  a.add(r1);
  b.add(r2);
  b.add(r3);
  a.merge(b);
  const auto m = a.result();
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(m.reps[i].mean_rank == r.reps[i].mean_rank);
    CHECK(m.reps[i].lower == r.reps[i].lower);
    CHECK(m.reps[i].upper == r.reps[i].upper);
  }
  CHECK_THROWS_AS(rank_collector(point, 4, 0.9), out_of_range_value);
  CHECK_THROWS_AS(rank_collector(point, 1, 1.0), out_of_range_value);
  const std::vector<double> short_scores = {1, 2};
  CHECK_THROWS_AS(c.add(short_scores), length_mismatch);
}

TEST_CASE("posterior rank intervals: dominant rep, determinism, small samples", "[scoring][rank]") {
  const std::vector<std::uint64_t> wins = {3, 149, 12, 30, 7, 45, 20, 2, 60, 18, 9, 33};
  const std::vector<std::uint64_t> trials = {3, 213, 40, 80, 25, 110, 50, 10, 150, 45, 30, 90};
  const auto s = shrink_win_rates(wins, trials);
  rank_options o;
  o.replicates = 2000;
  o.top_k = 3;
  o.seed = 42;
  const auto r = posterior_rank_intervals(s, o);
  // A floor where rep 5 (180 of 200, 90 %) dominates reps near 50 % on 100 deals each:
  // P(top 1) ~ 1 in any sane model.
  const std::vector<std::uint64_t> dw = {50, 55, 60, 45, 52, 180}, dn = {100, 100, 100, 100, 100, 200};
  o.top_k = 1;
  const auto top1 = posterior_rank_intervals(shrink_win_rates(dw, dn), o);
  CHECK(top1.reps[5].prob_top_k > 0.999);
  CHECK(top1.reps[5].lower == 1);
  CHECK(top1.reps[5].upper == 1);
  // The 3-of-3 rep has a much wider rank interval than the 149-of-213 rep.
  CHECK(r.reps[0].upper - r.reps[0].lower > r.reps[1].upper - r.reps[1].lower);
  CHECK(r.reps[1].prob_top_k > r.reps[0].prob_top_k);
  // Probabilities of being in the top 3 add up to 3 (ties aside; continuous draws never tie).
  double total = 0;
  for (const auto& rep : r.reps) total += rep.prob_top_k;
  CHECK(total == Approx(3.0).epsilon(1e-12));
  // Same seed, same answer; another seed, another sample.
  o.top_k = 3;
  const auto again = posterior_rank_intervals(s, o);
  o.seed = 43;
  const auto other = posterior_rank_intervals(s, o);
  bool differs = false;
  for (std::size_t i = 0; i < r.reps.size(); ++i) {
    CHECK(again.reps[i].mean_rank == r.reps[i].mean_rank);
    CHECK(again.reps[i].prob_top_k == r.reps[i].prob_top_k);
    differs = differs || other.reps[i].mean_rank != r.reps[i].mean_rank;
  }
  CHECK(differs);
  std::ostringstream out;
  out << r << o;
  CHECK(out.str().find("prob_top_k") != std::string::npos);
}

TEST_CASE("bootstrap rank intervals", "[scoring][rank]") {
  const auto seed = GENERATE(5u, 6u);
  rng gen(seed);
  // 30 reps x 6 periods x 2 KPIs; rep 0 is far ahead, the rest share one distribution.
  const std::size_t reps = 30, periods = 6;
  Eigen::MatrixXd obs(static_cast<Eigen::Index>(reps * periods), 2);
  std::vector<std::size_t> rep_of_row(reps * periods);
  for (std::size_t t = 0; t < periods; ++t)
    for (std::size_t i = 0; i < reps; ++i) {
      const auto row = static_cast<Eigen::Index>(t * reps + i); // interleaved on purpose
      rep_of_row[static_cast<std::size_t>(row)] = i;
      obs(row, 0) = (i == 0 ? 10.0 : 0.0) + gen.normal();
      obs(row, 1) = 50 + 5 * gen.normal();
    }
  const std::vector<kpi_spec> specs = {{"bookings", 2, direction::higher_is_better},
                                       {"cycle_days", 1, direction::lower_is_better}};
  rank_options o;
  o.replicates = 300;
  o.seed = seed;
  const auto r = bootstrap_rank_intervals(obs, rep_of_row, specs, normalization::z_score, o);
  CHECK(r.reps[0].prob_top_k == 1.0);
  CHECK(r.reps[0].rank == 1);
  // The others are exchangeable: their intervals are wide.
  std::size_t wide = 0;
  for (std::size_t i = 1; i < reps; ++i) wide += r.reps[i].upper - r.reps[i].lower >= 5 ? 1u : 0u;
  CHECK(wide > 20);
  // Every point rank lies in the bootstrap's full range for that rep... and is reproducible.
  const auto again = bootstrap_rank_intervals(obs, rep_of_row, specs, normalization::z_score, o);
  for (std::size_t i = 0; i < reps; ++i) CHECK(again.reps[i].mean_rank == r.reps[i].mean_rank);
  // Brute force for the point ranks: composite score of the per-rep means.
  Eigen::MatrixXd means = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(reps), 2);
  for (Eigen::Index row = 0; row < obs.rows(); ++row)
    means.row(static_cast<Eigen::Index>(rep_of_row[static_cast<std::size_t>(row)])) += obs.row(row) / 6.0;
  const auto card = scorecard_of(means, specs);
  for (std::size_t i = 0; i < reps; ++i) CHECK(r.reps[i].rank == card.reps[i].rank);
  // A rep index with no rows is an error naming it.
  rep_of_row[5] = 31;
  CHECK_THROWS_WITH(bootstrap_rank_intervals(obs, rep_of_row, specs, normalization::z_score, o),
                    Contains("no row for rep 30"));
}
