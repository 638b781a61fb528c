// Tests of scoring/rank_uncertainty.hpp: posterior-sampling and bootstrap rank intervals.
#include "salesops/scoring/rank_uncertainty.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <cstdint>
#include <string>
#include <sstream>
#include <vector>

using namespace salesops;
using namespace salesops::scoring;
using Catch::Matchers::Contains;

namespace {
// Brute-force summary of replicate ranks by the definitions: competition rank = 1 + the number
// of strictly higher scores; with B = 200 replicates and level 0.95 the type-1 quantiles are
// the smallest ranks whose empirical CDF reaches 5/200 and 195/200, i.e. the 5th and 195th
// smallest ranks (hand derivation, no floating-point positions involved).
struct brute_ranks {
  std::vector<std::vector<std::size_t>> of_rep;
  void add(const Eigen::VectorXd& scores) {
    of_rep.resize(static_cast<std::size_t>(scores.size()));
    for (Eigen::Index i = 0; i < scores.size(); ++i) {
      std::size_t above = 0;
      for (Eigen::Index j = 0; j < scores.size(); ++j) above += scores(j) > scores(i) ? 1u : 0u;
      of_rep[static_cast<std::size_t>(i)].push_back(above + 1);
    }
  }
  // The 95 % interval's ends are the type-1 quantiles: the order statistics at 1-based
  // positions ceil(0.025 B) and ceil(0.975 B), in integer arithmetic here.
  void check(const rank_uncertainty& r, std::size_t k) {
    REQUIRE(r.reps.size() == of_rep.size());
    const std::size_t b = of_rep.front().size();
    const std::size_t lower_at = (25 * b + 999) / 1000 - 1, upper_at = (975 * b + 999) / 1000 - 1;
    REQUIRE(r.replicates == b);
    for (std::size_t i = 0; i < of_rep.size(); ++i) {
      auto v = of_rep[i];
      REQUIRE(v.size() == b);
      std::sort(v.begin(), v.end());
      std::size_t sum = 0, top = 0;
      for (std::size_t x : v) {
        sum += x;
        top += x <= k ? 1u : 0u;
      }
      CHECK(r.reps[i].mean_rank == static_cast<double>(sum) / static_cast<double>(b));
      CHECK(r.reps[i].prob_top_k == static_cast<double>(top) / static_cast<double>(b));
      CHECK(r.reps[i].lower == v[lower_at]);
      CHECK(r.reps[i].upper == v[upper_at]);
    }
  }
};
} // namespace

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
  // An index at or above the row count cannot have rows for every rep below it: refused
  // before anything is sized by it (the largest size_t wrapped the rep count to 0 and wrote
  // out of bounds; 10^12 asked for 8 TB).
  for (const std::size_t huge :
       {std::size_t{180}, std::size_t{1000000000000}, std::numeric_limits<std::size_t>::max()}) {
    rep_of_row[5] = huge;
    CHECK_THROWS_AS(bootstrap_rank_intervals(obs, rep_of_row, specs, normalization::z_score, o),
                    salesops::out_of_range_value);
    CHECK_THROWS_WITH(bootstrap_rank_intervals(obs, rep_of_row, specs, normalization::z_score, o),
                      Contains("rep_of_row at row 5 is " + std::to_string(huge)));
  }
}

TEST_CASE("bootstrap rank intervals equal a brute-force bootstrap", "[scoring][rank]") {
  // The definition, written out: replicate b draws for rep 0, 1, ... in turn m_i row indices
  // with rng::uniform_int(m_i) over the rep's rows in input order, averages them, scores the
  // rep means with the public composite_scores and ranks by counting.
  const auto method = GENERATE(normalization::z_score, normalization::robust_z,
                               normalization::percentile_rank, normalization::min_max);
  const bool grouped = GENERATE(false, true);
  rng gen(900 + static_cast<std::uint64_t>(method) + (grouped ? 10u : 0u));
  const std::size_t reps = 25;
  std::vector<std::size_t> rep_of_row;
  for (std::size_t i = 0; i < reps; ++i)
    for (std::size_t t = 0; t < 1 + i % 5; ++t) rep_of_row.push_back(i); // 1 to 5 rows per rep
  for (std::size_t r = rep_of_row.size() - 1; r > 0; --r) // Fisher-Yates: rows interleaved
    std::swap(rep_of_row[r], rep_of_row[gen.uniform_int(r + 1)]);
  Eigen::MatrixXd obs(static_cast<Eigen::Index>(rep_of_row.size()), 3);
  for (Eigen::Index r = 0; r < obs.rows(); ++r) {
    const auto i = static_cast<double>(rep_of_row[static_cast<std::size_t>(r)]);
    obs(r, 0) = 0.1 * i + gen.normal();                           // continuous
    obs(r, 1) = static_cast<double>(gen.uniform_int(3));         // discrete: MAD is often 0
    obs(r, 2) = i < 5 ? 1000 * gen.lognormal(0, 2) : gen.exponential(1); // heavy tail
  }
  const std::vector<kpi_spec> specs = {{"bookings", 2, direction::higher_is_better},
                                       {"meetings", 1, direction::higher_is_better},
                                       {"cycle_days", 1, direction::lower_is_better}};
  std::vector<std::string> groups;
  if (grouped)
    for (std::size_t i = 0; i < reps; ++i) groups.push_back(i % 2 == 0 ? "east" : "west");
  rank_options o;
  o.replicates = 201; // odd: the last pair of replicates (the bootstrap draws two at a time) is partial
  o.top_k = 3;
  o.seed = 17;
  const auto fast = bootstrap_rank_intervals(obs, rep_of_row, specs, method, o, groups);
  std::vector<std::vector<Eigen::Index>> rows_of(reps);
  for (std::size_t r = 0; r < rep_of_row.size(); ++r)
    rows_of[rep_of_row[r]].push_back(static_cast<Eigen::Index>(r));
  Eigen::MatrixXd means(static_cast<Eigen::Index>(reps), 3);
  const auto average = [&](std::size_t i, auto pick) {
    Eigen::RowVectorXd sum = Eigen::RowVectorXd::Zero(3);
    const std::size_t m = rows_of[i].size();
    for (std::size_t t = 0; t < m; ++t) sum += obs.row(rows_of[i][pick(m, t)]);
    means.row(static_cast<Eigen::Index>(i)) = sum / static_cast<double>(m);
  };
  for (std::size_t i = 0; i < reps; ++i) average(i, [](std::size_t, std::size_t t) { return t; });
  const Eigen::VectorXd point_scores = composite_scores(means, specs, method, groups);
  const auto point = competition_ranks(point_scores);
  rng draw(o.seed);
  brute_ranks brute;
  for (std::size_t b = 0; b < o.replicates; ++b) {
    for (std::size_t i = 0; i < reps; ++i)
      average(i, [&](std::size_t m, std::size_t) { return static_cast<std::size_t>(draw.uniform_int(m)); });
    brute.add(composite_scores(means, specs, method, groups));
  }
  for (std::size_t i = 0; i < reps; ++i) CHECK(fast.reps[i].rank == point[i]);
  brute.check(fast, 3);
  // A NaN observation is named by row and KPI.
  obs(7, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(bootstrap_rank_intervals(obs, rep_of_row, specs, method, o, groups),
                    Contains("observations at row 7") && Contains("meetings"));
}

TEST_CASE("rank_collector: shards from different distributions merge into one pass", "[scoring][rank]") {
  const auto seed = GENERATE(61u, 62u, 63u);
  rng gen(seed);
  const std::size_t n = 40;
  std::vector<double> point(n);
  for (auto& p : point) p = gen.normal();
  // 200 replicates: the first 70 continuous, the next 60 discrete (ties), the rest heavy-tailed.
  std::vector<std::vector<double>> replicate(200, std::vector<double>(n));
  for (std::size_t b = 0; b < 200; ++b)
    for (std::size_t i = 0; i < n; ++i)
      replicate[b][i] = b < 70    ? point[i] + gen.normal()
                        : b < 130 ? static_cast<double>(gen.uniform_int(4))
                                  : gen.lognormal(0, 3) - gen.lognormal(0, 3);
  rank_collector one(point, 5, 0.95), first(point, 5, 0.95), second(point, 5, 0.95),
      third(point, 5, 0.95);
  brute_ranks brute;
  for (std::size_t b = 0; b < 200; ++b) {
    one.add(replicate[b]);
    (b < 70 ? first : b < 130 ? second : third).add(replicate[b]);
    brute.add(Eigen::Map<const Eigen::VectorXd>(replicate[b].data(), static_cast<Eigen::Index>(n)));
  }
  second.merge(third); // merge order does not matter for the result: only the multiset counts
  first.merge(second);
  const auto a = one.result(), m = first.result();
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(m.reps[i].mean_rank == a.reps[i].mean_rank);
    CHECK(m.reps[i].prob_top_k == a.reps[i].prob_top_k);
    CHECK(m.reps[i].lower == a.reps[i].lower);
    CHECK(m.reps[i].upper == a.reps[i].upper);
  }
  brute.check(a, 5);
}

TEST_CASE("posterior rank intervals of a scorecard with a win-rate KPI", "[scoring][rank]") {
  const std::vector<std::uint64_t> wins = {3, 149, 12, 30, 7, 45, 20, 2, 60, 18, 9, 33};
  const std::vector<std::uint64_t> trials = {3, 213, 40, 80, 25, 110, 50, 10, 150, 45, 30, 90};
  const auto s = shrink_win_rates(wins, trials);
  rank_options o;
  o.replicates = 200;
  o.top_k = 2;
  o.seed = 99;
  // One KPI, z-scored: a strictly increasing map of the draws, so the ranks are exactly those
  // of posterior_rank_intervals (same seed, same draws).
  Eigen::MatrixXd only(12, 1);
  only.setZero();
  const std::vector<kpi_spec> one = {{"win_rate", 1, direction::higher_is_better}};
  const auto a = posterior_score_rank_intervals(only, one, 0, s, normalization::z_score, o);
  const auto b = posterior_rank_intervals(s, o);
  for (std::size_t i = 0; i < 12; ++i) {
    CHECK(a.reps[i].rank == b.reps[i].rank);
    CHECK(a.reps[i].mean_rank == b.reps[i].mean_rank);
    CHECK(a.reps[i].lower == b.reps[i].lower);
    CHECK(a.reps[i].upper == b.reps[i].upper);
  }
  // Two KPIs: brute force by the definition (draws in rep order from the posteriors, the
  // bookings column held fixed, composite_scores, ranks by counting).
  Eigen::MatrixXd kpis(12, 2);
  for (Eigen::Index i = 0; i < 12; ++i) {
    kpis(i, 0) = 1000.0 * static_cast<double>((i * 7) % 12);
    kpis(i, 1) = -1; // ignored: replaced by the shrunk rate / the draws
  }
  const std::vector<kpi_spec> two = {{"bookings", 1, direction::higher_is_better},
                                     {"win_rate", 3, direction::higher_is_better}};
  const auto method = GENERATE(normalization::z_score, normalization::percentile_rank);
  const auto fast = posterior_score_rank_intervals(kpis, two, 1, s, method, o);
  Eigen::MatrixXd x = kpis;
  for (Eigen::Index i = 0; i < 12; ++i) x(i, 1) = s.reps[static_cast<std::size_t>(i)].shrunk;
  const Eigen::VectorXd point = composite_scores(x, two, method);
  rng draw(o.seed);
  brute_ranks brute;
  for (std::size_t r = 0; r < o.replicates; ++r) {
    for (Eigen::Index i = 0; i < 12; ++i) {
      const auto& rep = s.reps[static_cast<std::size_t>(i)];
      x(i, 1) = draw.beta(s.prior.alpha + static_cast<double>(rep.wins),
                          s.prior.beta + static_cast<double>(rep.trials - rep.wins));
    }
    brute.add(composite_scores(x, two, method));
  }
  const auto point_rank = competition_ranks(point);
  for (std::size_t i = 0; i < 12; ++i) CHECK(fast.reps[i].rank == point_rank[i]);
  brute.check(fast, 2);
  CHECK_THROWS_AS(posterior_score_rank_intervals(kpis, two, 2, s, method, o), out_of_range_value);
  CHECK_THROWS_AS(posterior_score_rank_intervals(kpis.topRows(5), two, 1, s, method, o), length_mismatch);
  o.replicates = 0;
  CHECK_THROWS_AS(posterior_score_rank_intervals(kpis, two, 1, s, method, o), out_of_range_value);
}

TEST_CASE("rank_collector with hundreds of reps matches a brute-force count", "[scoring][rank]") {
  // Above 255 reps the interval ends are selected through a histogram of rank / 2^shift
  // (shift 1 at 256 reps, 2 at 600): the brute force sorts every rep's 200 ranks instead.
  // Scores mix continuous, discrete (many ties, crowded buckets) and heavy-tailed replicates,
  // which also exercise the ranker's bucket sort.
  const std::size_t n = GENERATE(255u, 256u, 600u);
  rng gen(70 + n);
  std::vector<double> point(n);
  for (auto& p : point) p = gen.normal();
  rank_collector c(point, 7, 0.95);
  brute_ranks brute;
  std::vector<double> scores(n);
  for (std::size_t b = 0; b < 200; ++b) {
    for (std::size_t i = 0; i < n; ++i)
      scores[i] = b % 3 == 0   ? point[i] + gen.normal()
                  : b % 3 == 1 ? static_cast<double>(gen.uniform_int(9))
                               : gen.lognormal(0, 3) - gen.lognormal(0, 3);
    c.add(scores);
    brute.add(Eigen::Map<const Eigen::VectorXd>(scores.data(), static_cast<Eigen::Index>(n)));
  }
  brute.check(c.result(), 7);
}

TEST_CASE("posterior rank intervals refuse a shrinkage result with wins > trials, naming the rep",
          "[scoring][rank]") {
  const std::vector<std::uint64_t> wins = {5, 1, 2}, trials = {8, 3, 9};
  win_rate_shrinkage s = posterior_win_rates(wins, trials, beta_prior{});
  rank_options o;
  o.replicates = 10;
  CHECK_NOTHROW(posterior_rank_intervals(s, o));
  // Edited by hand: 5 wins of 3 trials. trials - wins wrapped to 2^64 - 2, every draw of the
  // rep was ~0 and it ranked last in every replicate, whatever its posterior mean.
  s.reps[1].wins = 5;
  CHECK_THROWS_AS(posterior_rank_intervals(s, o), out_of_range_value);
  CHECK_THROWS_WITH(posterior_rank_intervals(s, o),
                    Contains("posterior_rank_intervals: wins at row 1 is 5, more than trials (3)"));
  Eigen::MatrixXd kpis(3, 2);
  kpis << 0, 1, 0, 2, 0, 3;
  const std::vector<kpi_spec> specs = {{"win_rate", 1, direction::higher_is_better},
                                       {"x", 1, direction::higher_is_better}};
  CHECK_THROWS_WITH(
      posterior_score_rank_intervals(kpis, specs, 0, s, normalization::z_score, o),
      Contains("posterior_score_rank_intervals: wins at row 1 is 5, more than trials (3)"));
}
