// Tests of scoring/scorecard.hpp: normalisations, peer groups, composite scores and tiers.
#include "salesops/scoring/scorecard.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "salesops/core/rng.hpp"

using namespace salesops;
using namespace salesops::scoring;
using Catch::Matchers::Contains;

namespace {
const std::vector<double> x = {12, 7, 7, 20, 3, 15, 9};

void check_all(const std::vector<double>& got, const std::vector<double>& want,
               double eps = 1e-13) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    CHECK(got[i] == Approx(want[i]).epsilon(eps).margin(1e-15));
}
} // namespace

TEST_CASE("normalisations match R", "[scoring][scorecard]") {
  // R: x <- c(12, 7, 7, 20, 3, 15, 9)
  // as.vector(scale(x))
  check_all(normalize(x, normalization::z_score),
            {0.275143341161675, -0.600312744352746, -0.600312744352746, 1.675873077984749,
             -1.300677612764283, 0.800416992470328, -0.250130310146978});
  // (x - median(x)) / mad(x)
  check_all(normalize(x, normalization::robust_z),
            {0.674490759476595, -0.449660506317730, -0.449660506317730, 2.473132784747516,
             -1.348981518953190, 1.348981518953190, 0.0});
  // (rank(x) - 1) / (length(x) - 1): ties share the average rank
  check_all(normalize(x, normalization::percentile_rank),
            {0.666666666666667, 0.25, 0.25, 1.0, 0.0, 0.833333333333333, 0.5});
  // (x - min(x)) / (max(x) - min(x))
  check_all(normalize(x, normalization::min_max),
            {0.529411764705882, 0.235294117647059, 0.235294117647059, 1.0, 0.0, 0.705882352941177,
             0.352941176470588});
}

TEST_CASE("lower-is-better flips every normalisation", "[scoring][scorecard]") {
  for (auto m : {normalization::z_score, normalization::robust_z, normalization::percentile_rank,
                 normalization::min_max}) {
    const auto up = normalize(x, m);
    const auto down = normalize(x, m, direction::lower_is_better);
    // Hand derivation: z and robust z are odd in x; percentile and min-max map v to 1 - v.
    const bool bounded = m == normalization::percentile_rank || m == normalization::min_max;
    for (std::size_t i = 0; i < x.size(); ++i)
      CHECK(down[i] == Approx(bounded ? 1 - up[i] : -up[i]).margin(1e-14));
  }
}

TEST_CASE("degenerate columns have documented values", "[scoring][scorecard]") {
  const std::vector<double> flat = {4, 4, 4}, one = {7};
  check_all(normalize(flat, normalization::z_score), {0, 0, 0});
  check_all(normalize(flat, normalization::min_max), {0.5, 0.5, 0.5});
  check_all(normalize(flat, normalization::percentile_rank), {0.5, 0.5, 0.5});
  check_all(normalize(one, normalization::percentile_rank), {0.5});
  // Robust z of a column without any spread: every value is the median, so 0 (spread_rule
  // constant; this used to throw, issue 6 review item d).
  check_all(normalize(flat, normalization::robust_z), {0, 0, 0});
  const std::vector<double> bad = {1, std::numeric_limits<double>::quiet_NaN()}, none;
  CHECK_THROWS_WITH(normalize(bad, normalization::z_score), Contains("values at row 1"));
  CHECK_THROWS_AS(normalize(none, normalization::z_score), empty_input);
}

TEST_CASE("peer-group normalisation equals normalising each group alone", "[scoring][scorecard]") {
  const auto seed = GENERATE(11u, 12u);
  const auto method = GENERATE(normalization::z_score, normalization::percentile_rank,
                               normalization::min_max, normalization::robust_z);
  rng gen(seed);
  const std::vector<std::string> names = {"east", "west", "north"};
  std::vector<double> v(60);
  std::vector<std::string> g(60);
  for (std::size_t i = 0; i < v.size(); ++i) {
    g[i] = names[gen.uniform_int(3)];
    // Groups on different scales: what peer groups are for.
    v[i] = (g[i] == "east" ? 1000.0 : 1.0) * gen.lognormal(0, 1);
  }
  const auto within = normalize_within(v, g, method, direction::lower_is_better);
  // Brute force: extract each group, normalise it alone, compare.
  for (const auto& name : names) {
    std::vector<double> sub;
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < v.size(); ++i)
      if (g[i] == name) {
        sub.push_back(v[i]);
        at.push_back(i);
      }
    const auto alone = normalize(sub, method, direction::lower_is_better);
    for (std::size_t k = 0; k < at.size(); ++k)
      CHECK(within[at[k]] == Approx(alone[k]).margin(1e-14));
  }
  g[17].clear();
  CHECK_THROWS_AS(normalize_within(v, g, method), out_of_range_value);
  CHECK_THROWS_WITH(normalize_within(v, g, method), Contains("peer_group at row 17"));
}

TEST_CASE("scorecard: weights, contributions, ranks and tiers", "[scoring][scorecard]") {
  // 4 reps x 2 KPIs: bookings (higher is better, weight 3) and cycle days (lower, weight 1).
  Eigen::MatrixXd k(4, 2);
  k << 100, 30, //
      200, 60,  //
      300, 45,  //
      400, 90;
  const std::vector<kpi_spec> specs = {{"bookings", 3, direction::higher_is_better},
                                       {"cycle_days", 1, direction::lower_is_better}};
  scorecard_options o;
  o.method = normalization::min_max;
  o.tiers = {{0.5}, true};
  const auto s = scorecard_of(k, specs, o);
  // Hand derivation: weights 3/4, 1/4. Min-max bookings 0, 1/3, 2/3, 1; cycle (negated)
  // 1 - (c - 30)/60 = 1, 0.5, 0.75, 0. Scores: 0.25, 0.375, 0.6875, 0.75.
  CHECK(s.weights[0] == 0.75);
  const double want[] = {0.25, 0.375, 0.6875, 0.75};
  const std::size_t rank[] = {4, 3, 2, 1};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(s.reps[i].score == Approx(want[i]).epsilon(1e-15));
    CHECK(s.reps[i].rank == rank[i]);
    CHECK(s.reps[i].contributions[0] + s.reps[i].contributions[1] == s.reps[i].score);
  }
  CHECK(s.reps[0].contributions[1] == 0.25); // rep 0: all of its score comes from cycle time
  // Type-7 median of the scores: (0.375 + 0.6875) / 2 = 0.53125; tiers 0, 0, 1, 1.
  CHECK(s.thresholds[0] == Approx(0.53125));
  CHECK(s.reps[1].tier == 0);
  CHECK(s.reps[2].tier == 1);
  // Fixed thresholds.
  o.tiers = {{0.3, 0.7}, false};
  const auto t = scorecard_of(k, specs, o);
  CHECK(t.reps[0].tier == 0);
  CHECK(t.reps[1].tier == 1);
  CHECK(t.reps[3].tier == 2);
  // composite_scores is the same number.
  const Eigen::VectorXd fast = composite_scores(k, specs, o.method);
  for (Eigen::Index i = 0; i < 4; ++i) CHECK(fast(i) == Approx(want[i]).epsilon(1e-15));
  std::ostringstream out;
  out << s << o;
  CHECK(out.str().find("rank=1") != std::string::npos);
}

TEST_CASE("scores are invariant to permuting reps, and ties share a rank", "[scoring][scorecard]") {
  const auto seed = GENERATE(21u, 22u, 23u);
  rng gen(seed);
  Eigen::MatrixXd k(40, 3);
  for (Eigen::Index i = 0; i < k.rows(); ++i)
    for (Eigen::Index j = 0; j < k.cols(); ++j) k(i, j) = gen.normal() * static_cast<double>(j + 1);
  const std::vector<kpi_spec> specs = {{"a", 1, direction::higher_is_better},
                                       {"b", 2, direction::lower_is_better},
                                       {"c", 0.5, direction::higher_is_better}};
  const auto s = scorecard_of(k, specs);
  std::vector<Eigen::Index> perm(40);
  for (Eigen::Index i = 0; i < 40; ++i) perm[static_cast<std::size_t>(i)] = i;
  for (std::size_t i = 39; i > 0; --i) std::swap(perm[i], perm[gen.uniform_int(i + 1)]);
  Eigen::MatrixXd p(40, 3);
  for (Eigen::Index i = 0; i < 40; ++i) p.row(i) = k.row(perm[static_cast<std::size_t>(i)]);
  const auto t = scorecard_of(p, specs);
  for (std::size_t i = 0; i < 40; ++i) {
    const auto& a = t.reps[i];
    const auto& b = s.reps[static_cast<std::size_t>(perm[i])];
    CHECK(a.score == Approx(b.score).margin(1e-12));
    CHECK(a.rank == b.rank);
  }
  const std::vector<double> tied = {3, 5, 5, 1};
  CHECK(competition_ranks(tied) == std::vector<std::size_t>{3, 1, 1, 4});
}

TEST_CASE("scorecard rejects bad weights, NaN KPIs and bad shapes", "[scoring][scorecard]") {
  Eigen::MatrixXd k(3, 2);
  k << 1, 2, 3, 4, 5, 6;
  CHECK_THROWS_AS(scorecard_of(k, {{"a", -1, direction::higher_is_better},
                                   {"b", 1, direction::higher_is_better}}),
                  negative_value);
  CHECK_THROWS_WITH(scorecard_of(k, {{"a", 1, direction::higher_is_better},
                                     {"b", -2, direction::higher_is_better}}),
                    Contains("weight at row 1") && Contains("KPI b"));
  CHECK_THROWS_AS(scorecard_of(k, {{"a", 0, direction::higher_is_better},
                                   {"b", 0, direction::higher_is_better}}),
                  out_of_range_value);
  CHECK_THROWS_AS(scorecard_of(k, {{"a", 1, direction::higher_is_better}}), length_mismatch);
  k(2, 1) = std::numeric_limits<double>::quiet_NaN();
  const std::vector<kpi_spec> specs = {{"a", 1, direction::higher_is_better},
                                       {"win_rate", 1, direction::higher_is_better}};
  CHECK_THROWS_AS(scorecard_of(k, specs), not_finite);
  CHECK_THROWS_WITH(scorecard_of(k, specs), Contains("kpis at row 2") && Contains("win_rate"));
  k(2, 1) = 6;
  scorecard_options o;
  o.tiers = {{0.8, 0.2}, true};
  CHECK_THROWS_AS(scorecard_of(k, specs, o), out_of_range_value);
  o.tiers = {{1.5}, true};
  CHECK_THROWS_AS(scorecard_of(k, specs, o), out_of_range_value);
  const std::vector<std::string> groups = {"a", "", "a"};
  CHECK_THROWS_WITH(scorecard_of(k, specs, {}, groups), Contains("peer_group at row 1"));
}

TEST_CASE("robust z with MAD = 0 falls back to the mean absolute deviation",
          "[scoring][scorecard]") {
  // More than half the values equal the median, so R's mad(x) is 0. Reference (R 4.2):
  //   x <- c(5, 5, 5, 5, 9, 1, 5, 6); mad(x)  # 0
  //   (x - median(x)) / (sqrt(pi / 2) * mean(abs(x - median(x))))
  //   # 0 0 0 0 2.836922882854632 -2.836922882854632 0 0.709230720713658
  const std::vector<double> ties = {5, 5, 5, 5, 9, 1, 5, 6};
  const std::vector<double> want = {
      0, 0, 0, 0, 2.836922882854632, -2.836922882854632, 0, 0.709230720713658};
  check_all(normalize(ties, normalization::robust_z), want);
  // Lower-is-better flips the sign, as for a regular column.
  const auto down = normalize(ties, normalization::robust_z, direction::lower_is_better);
  for (std::size_t i = 0; i < ties.size(); ++i) CHECK(down[i] == Approx(-want[i]).margin(1e-14));
  // The scorecard flags the column (and only it): KPI 1 in peer group "b" uses the fallback,
  // KPI 1 in group "a" has no spread at all (constant), KPI 0 is regular everywhere.
  Eigen::MatrixXd k(11, 2);
  const std::vector<std::string> group = {"b", "b", "b", "b", "b", "b", "b", "b", "a", "a", "a"};
  for (Eigen::Index i = 0; i < 8; ++i) k(i, 1) = ties[static_cast<std::size_t>(i)];
  k(8, 1) = k(9, 1) = k(10, 1) = 3;
  for (Eigen::Index i = 0; i < 11; ++i) k(i, 0) = static_cast<double>(i * i);
  const std::vector<kpi_spec> specs = {{"calls", 1, direction::higher_is_better},
                                       {"meetings", 1, direction::higher_is_better}};
  scorecard_options o;
  o.method = normalization::robust_z;
  const auto card = scorecard_of(k, specs, o, group);
  REQUIRE(card.fallbacks.size() == 2);
  CHECK(card.fallbacks[0].peer_group == "a"); // groups are reported in name order
  CHECK(card.fallbacks[0].kpi == 1);
  CHECK(card.fallbacks[0].rule == spread_rule::constant);
  CHECK(card.fallbacks[1].peer_group == "b");
  CHECK(card.fallbacks[1].rule == spread_rule::mean_deviation);
  for (std::size_t i = 0; i < 8; ++i)
    CHECK(card.reps[i].contributions[1] == Approx(0.5 * want[i]).margin(1e-14));
  CHECK(card.reps[9].contributions[1] == 0.0);
  std::ostringstream out;
  out << card;
  CHECK(out.str().find("mean_deviation") != std::string::npos);
  // A regular table reports no fallback; z-score and min-max flag a constant column.
  CHECK(scorecard_of(k, specs).fallbacks.empty());
  k.col(1).setConstant(2);
  const auto flat = scorecard_of(k, specs);
  REQUIRE(flat.fallbacks.size() == 1);
  CHECK(flat.fallbacks[0].rule == spread_rule::constant);
  o.method = normalization::min_max;
  CHECK(scorecard_of(k, specs, o).fallbacks.size() == 1);
}

TEST_CASE("competition ranks equal a brute-force count, ties and extremes included",
          "[scoring][scorecard]") {
  // Brute force: rank_i = 1 + #{j : s_j > s_i}, the definition of competition ranking.
  const auto seed = GENERATE(41u, 42u, 43u, 44u);
  rng gen(seed);
  const std::size_t n = 1 + gen.uniform_int(400);
  std::vector<double> s(n);
  for (std::size_t i = 0; i < n; ++i) {
    switch (seed % 4) {
    case 0:
      s[i] = gen.normal();
      break; // continuous
    case 1:
      s[i] = static_cast<double>(gen.uniform_int(7)) - 3.0;
      break; // many ties
    case 2:
      s[i] = gen.uniform() < 0.01 ? 1e300 * gen.normal() : gen.normal();
      break; // outliers
    default:
      s[i] = gen.uniform() < 0.5 ? 0.0 : -0.0;
      break; // +0 and -0 tie
    }
  }
  if (n > 2 && seed % 4 == 2) { // a range that overflows: max - min = +inf
    s[0] = std::numeric_limits<double>::max();
    s[1] = -std::numeric_limits<double>::max();
  }
  const auto fast = competition_ranks(s);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t above = 0;
    for (std::size_t j = 0; j < n; ++j) above += s[j] > s[i] ? 1u : 0u;
    CHECK(fast[i] == above + 1);
  }
  s[n / 2] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(competition_ranks(s), Contains("scores at row " + std::to_string(n / 2)));
}

TEST_CASE("composite_scores is the scorecard's score, for every method and peer groups",
          "[scoring][scorecard]") {
  const auto method = GENERATE(normalization::z_score, normalization::robust_z,
                               normalization::percentile_rank, normalization::min_max);
  rng gen(77);
  Eigen::MatrixXd k(50, 4);
  std::vector<std::string> g(50);
  for (Eigen::Index i = 0; i < 50; ++i) {
    g[static_cast<std::size_t>(i)] = i % 3 == 0 ? "east" : "west";
    for (Eigen::Index j = 0; j < 4; ++j)
      k(i, j) = j == 3 ? static_cast<double>(gen.uniform_int(3))
                       : gen.lognormal(static_cast<double>(j), 1);
  }
  const std::vector<kpi_spec> specs = {{"a", 1, direction::higher_is_better},
                                       {"b", 2, direction::lower_is_better},
                                       {"c", 0.5, direction::higher_is_better},
                                       {"d", 1, direction::lower_is_better}};
  scorecard_options o;
  o.method = method;
  const auto card = scorecard_of(k, specs, o, g);
  const Eigen::VectorXd fast = composite_scores(k, specs, method, g);
  // Brute force: weights times normalize_within of each column, summed in column order.
  const auto w = normalized_weights(specs);
  std::vector<double> brute(50, 0.0);
  for (std::size_t j = 0; j < 4; ++j) {
    const std::vector<double> col(k.col(static_cast<Eigen::Index>(j)).data(),
                                  k.col(static_cast<Eigen::Index>(j)).data() + 50);
    const auto z = normalize_within(col, g, method, specs[j].dir);
    for (std::size_t i = 0; i < 50; ++i) brute[i] += w[j] * z[i];
  }
  for (std::size_t i = 0; i < 50; ++i) {
    CHECK(fast(static_cast<Eigen::Index>(i)) == card.reps[i].score);
    CHECK(card.reps[i].score == brute[i]);
  }
}

TEST_CASE("z-score composites equal a direct two-pass computation for 1 to 25 KPIs",
          "[scoring][scorecard]") {
  // The normaliser sums 12, 8, 4, 2 and 1 columns at a time and scores 8 rows at a time:
  // every KPI count from 1 to 25 and row counts around the multiples of 8 reach every block
  // and every tail. Reference: for each column, s = +-1 by direction, mean and sd of s x in two
  // passes (R's sd), z = (s x - mean) / sd, score = sum of w_j z_j with normalised weights.
  rng gen(4242);
  for (std::size_t kpis = 1; kpis <= 25; ++kpis)
    for (std::size_t reps : {2u, 7u, 8u, 9u, 16u, 17u, 40u}) {
      Eigen::MatrixXd table(static_cast<Eigen::Index>(reps), static_cast<Eigen::Index>(kpis));
      std::vector<kpi_spec> specs;
      for (std::size_t j = 0; j < kpis; ++j) {
        specs.push_back({"k" + std::to_string(j), 1.0 + static_cast<double>(j % 4),
                         j % 3 == 1 ? direction::lower_is_better : direction::higher_is_better});
        for (std::size_t i = 0; i < reps; ++i)
          table(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
              100.0 * static_cast<double>(j) + gen.lognormal(0, 1);
      }
      const Eigen::VectorXd got = composite_scores(table, specs, normalization::z_score);
      double weight_sum = 0;
      for (const auto& s : specs) weight_sum += s.weight;
      std::vector<double> want(reps, 0.0);
      for (std::size_t j = 0; j < kpis; ++j) {
        const double s = specs[j].dir == direction::lower_is_better ? -1.0 : 1.0;
        double mean = 0, squares = 0;
        for (std::size_t i = 0; i < reps; ++i)
          mean += s * table(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
        mean /= static_cast<double>(reps);
        for (std::size_t i = 0; i < reps; ++i) {
          const double d =
              s * table(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) - mean;
          squares += d * d;
        }
        const double sd = std::sqrt(squares / static_cast<double>(reps - 1));
        for (std::size_t i = 0; i < reps; ++i)
          want[i] +=
              specs[j].weight / weight_sum *
              ((s * table(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) - mean) / sd);
      }
      INFO("kpis " << kpis << ", reps " << reps);
      for (std::size_t i = 0; i < reps; ++i)
        CHECK(got(static_cast<Eigen::Index>(i)) == Approx(want[i]).epsilon(1e-12).margin(1e-12));
    }
}

TEST_CASE("z-scores of KPIs on extreme scales equal those of the unscaled column",
          "[scoring][scorecard]") {
  // R: as.vector(scale(c(12, 7, 7, 20, 3, 15, 9)))
  const std::vector<double> want = {0.27514334116167521, -0.60031274435274606, -0.60031274435274606,
                                    1.67587307798474905, -1.30067761276428295, 0.80041699247032794,
                                    -0.25013031014697751};
  // On a 1e-300 scale each squared deviation (1e-600) underflowed to 0: sd = 0, every z 0 and
  // the column reported constant; on a 1e300 scale they overflowed (sd = inf, every z 0).
  for (const double scale : {1e-300, 1e-200, 1e300}) {
    std::vector<double> scaled(x);
    for (double& v : scaled) v *= scale;
    check_all(normalize(scaled, normalization::z_score), want);
    Eigen::MatrixXd k(7, 2);
    for (Eigen::Index i = 0; i < 7; ++i) {
      k(i, 0) = scaled[static_cast<std::size_t>(i)];
      k(i, 1) = x[static_cast<std::size_t>(i)];
    }
    const auto s = scorecard_of(
        k, {{"tiny", 1, direction::higher_is_better}, {"plain", 1, direction::lower_is_better}});
    CHECK(s.fallbacks.empty());
    for (std::size_t i = 0; i < 7; ++i) {
      CHECK(s.reps[i].contributions[0] == Approx(0.5 * want[i]).epsilon(1e-13));
      CHECK(s.reps[i].score == Approx(0).margin(1e-13)); // the two KPIs cancel
    }
  }
  // A constant column on that scale is still constant.
  const std::vector<double> flat(4, 3e-300);
  check_all(normalize(flat, normalization::z_score), {0, 0, 0, 0});
}

TEST_CASE("a robust z beyond the largest double is refused, naming the KPI and the rep",
          "[scoring][scorecard]") {
  // Hand values: 0, 1e-9, 2e-9, 3e-9, x has median 2e-9 and deviations 2e-9, 1e-9, 0, 1e-9,
  // x - 2e-9, whose median is 1e-9: MAD = 1.4826e-9 (R: mad(c(0, 1e-9, 2e-9, 3e-9, x))).
  // x = 2e299 gives z = (2e299 - 2e-9) / 1.4826e-9 = 1.349e308, below DBL_MAX = 1.798e308;
  // x = 1e300 gives 6.745e308, beyond it. Before, that rep's z (and composite score) was inf.
  std::vector<double> column = {0, 1e-9, 2e-9, 3e-9, 2e299};
  const auto within = normalize(column, normalization::robust_z);
  CHECK(within[4] == Approx(2e299 / 1.4826e-9).epsilon(1e-12));
  CHECK(within[2] == 0);
  CHECK(within[0] == Approx(-2e-9 / 1.4826e-9).epsilon(1e-12));
  column[4] = 1e300;
  CHECK_THROWS_AS(normalize(column, normalization::robust_z), numerical_error);
  CHECK_THROWS_WITH(normalize(column, normalization::robust_z),
                    Contains("normalize: values at row 4") && Contains("KPI values") &&
                        Contains("robust z is beyond the largest double"));
  // z-score and min-max are bounded (|z| <= (n - 1) / sqrt(n), min-max in [0, 1]): no error.
  CHECK(normalize(column, normalization::z_score)[4] == Approx(4 / std::sqrt(5.0)));
  CHECK(normalize(column, normalization::min_max)[4] == 1);

  // A MAD subnormal against a column near 1: 1 / MAD overflowed to inf, and the rep at the
  // median got 0 x inf = NaN. 1, 0, 1e-310, 2e-310, 3e-310: median 2e-310, deviations 1,
  // 2e-310, 1e-310, 0, 1e-310, MAD 1.4826e-310; the largest deviation is row 0's.
  const std::vector<double> subnormal_mad = {1, 0, 1e-310, 2e-310, 3e-310};
  CHECK_THROWS_WITH(normalize(subnormal_mad, normalization::robust_z),
                    Contains("values at row 0") && Contains("robust z is beyond"));

  // Within peer groups the error names the rep's row of the whole table: group "b" holds rows
  // 1, 3, 5, 6, 8, and its pipeline column is the first column above in that order, so the
  // largest deviation is row 8. Group "a" and the other KPI are ordinary.
  Eigen::MatrixXd k(9, 2);
  const std::vector<std::string> groups = {"a", "b", "a", "b", "a", "b", "b", "a", "b"};
  const double b_pipeline[5] = {0, 1e-9, 2e-9, 3e-9, 1e300};
  for (Eigen::Index i = 0, in_b = 0; i < 9; ++i) {
    k(i, 0) = static_cast<double>(i % 4);
    k(i, 1) = groups[static_cast<std::size_t>(i)] == "b" ? b_pipeline[in_b++]
                                                         : 10.0 * static_cast<double>(i);
  }
  const std::vector<kpi_spec> specs = {{"calls", 1, direction::higher_is_better},
                                       {"pipeline", 1, direction::higher_is_better}};
  scorecard_options o;
  o.method = normalization::robust_z;
  CHECK_THROWS_WITH(scorecard_of(k, specs, o, groups),
                    Contains("scorecard_of: kpis at row 8") && Contains("KPI pipeline"));
  k(8, 1) = 2e299; // within range again
  const auto card = scorecard_of(k, specs, o, groups);
  CHECK(std::isfinite(card.reps[8].score));
}

TEST_CASE("subnormal columns and values near +-1.7e308 normalise like the column rescaled by a "
          "power of two",
          "[scoring][scorecard]") {
  // Brute-force reference: multiplying a column by 2^k is exact (k brings it into the normal
  // range), and z-score, robust z, min-max and percentile ranks are unit-free, so the
  // normalised values must be the same bits. Before, 1e-320 columns gave inf / NaN (1 / range
  // and 1 / MAD overflowed) and x - center overflowed near +-1.7e308.
  // Hand values: the subnormal column is k x 1e-320 for k = 1, 2, 4, 3 (exact multiples):
  //   min-max (k - 1) / 3; mean 2.5, sd sqrt(5/3): z = (k - 2.5) / sqrt(5/3); median 2.5,
  //   MAD 1: robust z = (k - 2.5) / 1.4826.
  // The large column is -1.7e308, 1.7e308, 1.7e308, 0 = 1.7e308 (-1, 1, 1, 0): min-max
  //   (c + 1) / 2; mean 1/4, squared deviations (25 + 9 + 9 + 1) / 16 = 11/4 (x 1.7e308^2),
  //   sd sqrt(11/12): z = (c - 1/4) / sqrt(11/12); median 1/2, deviations 3/2, 1/2, 1/2, 1/2,
  //   MAD 1/2: robust z = (c - 1/2) / (1.4826 / 2).
  const double u = 1e-320, big = 1.7e308, s53 = std::sqrt(5.0 / 3), s1112 = std::sqrt(11.0 / 12);
  const std::vector<double> tiny = {u, 2 * u, 4 * u, 3 * u}, large = {-big, big, big, 0};
  struct expected {
    normalization method;
    std::vector<double> tiny, large;
  };
  const std::vector<expected> cases = {
      {normalization::min_max, {0, 1.0 / 3, 1, 2.0 / 3}, {0, 1, 1, 0.5}},
      {normalization::z_score,
       {-1.5 / s53, -0.5 / s53, 1.5 / s53, 0.5 / s53},
       {-1.25 / s1112, 0.75 / s1112, 0.75 / s1112, -0.25 / s1112}},
      {normalization::robust_z,
       {-1.5 / 1.4826, -0.5 / 1.4826, 1.5 / 1.4826, 0.5 / 1.4826},
       {-1.5 / 0.7413, 0.5 / 0.7413, 0.5 / 0.7413, -0.5 / 0.7413}},
      {normalization::percentile_rank, {0, 1.0 / 3, 1, 2.0 / 3}, {0, 2.5 / 3, 2.5 / 3, 1.0 / 3}},
  };
  for (const auto& c : cases) {
    for (const auto dir : {direction::higher_is_better, direction::lower_is_better}) {
      const double sign = dir == direction::higher_is_better ? 1 : -1;
      for (int which = 0; which < 2; ++which) {
        const auto& column = which == 0 ? tiny : large;
        const int k = which == 0 ? 1000 : -1000;
        std::vector<double> rescaled(column);
        for (double& v : rescaled) v = std::ldexp(v, k);
        const auto got = normalize(column, c.method, dir), ref = normalize(rescaled, c.method, dir);
        const auto& want = which == 0 ? c.tiny : c.large;
        for (std::size_t i = 0; i < 4; ++i) {
          CHECK(got[i] == ref[i]);
          // min-max and percentile ranks of the flipped column are 1 - value; z-scores negate.
          const bool unit =
              c.method == normalization::min_max || c.method == normalization::percentile_rank;
          const double w = sign > 0 ? want[i] : unit ? 1 - want[i] : -want[i];
          CHECK(got[i] == Approx(w).epsilon(1e-13).margin(1e-15));
        }
      }
    }
  }
  // Composite scores use the same maps: a scorecard of the subnormal KPI and its rescaled
  // copy (lower is better) cancels to 0 with finite contributions.
  Eigen::MatrixXd k(4, 2);
  for (Eigen::Index i = 0; i < 4; ++i) {
    k(i, 0) = tiny[static_cast<std::size_t>(i)];
    k(i, 1) = std::ldexp(tiny[static_cast<std::size_t>(i)], 1000);
  }
  for (const auto method :
       {normalization::min_max, normalization::robust_z, normalization::z_score}) {
    scorecard_options options;
    options.method = method;
    const auto s = scorecard_of(
        k, {{"tiny", 1, direction::higher_is_better}, {"plain", 1, direction::lower_is_better}},
        options);
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(std::isfinite(s.reps[i].contributions[0]));
      CHECK(s.reps[i].score == Approx(method == normalization::min_max ? 0.5 : 0).margin(1e-13));
    }
  }
}

TEST_CASE("scorecard: weights near the largest double work, and quantile cuts 0 and 1 are refused",
          "[scoring][scorecard]") {
  Eigen::MatrixXd k(3, 2);
  k << 1, 3, 2, 2, 4, 1;
  // Two weights of 1e308 summed to inf and every normalised weight was 0 (all scores 0).
  const std::vector<kpi_spec> huge = {{"a", 1e308, direction::higher_is_better},
                                      {"b", 1e308, direction::higher_is_better}};
  const std::vector<kpi_spec> unit = {{"a", 1, direction::higher_is_better},
                                      {"b", 1, direction::higher_is_better}};
  CHECK(normalized_weights(huge) == std::vector<double>{0.5, 0.5});
  const std::vector<kpi_spec> uneven = {{"a", 1.5e308, direction::higher_is_better},
                                        {"b", 0.5e308, direction::higher_is_better}};
  CHECK(normalized_weights(uneven) == std::vector<double>{0.75, 0.25});
  const auto big = scorecard_of(k, huge), small = scorecard_of(k, unit);
  for (std::size_t i = 0; i < 3; ++i) CHECK(big.reps[i].score == small.reps[i].score);
  CHECK(big.reps[2].score > 0);
  // Quantile cuts are probabilities strictly inside (0, 1), as tier_rule documents.
  scorecard_options o;
  o.tiers = {{0, 0.5}, true};
  CHECK_THROWS_AS(scorecard_of(k, unit, o), out_of_range_value);
  CHECK_THROWS_WITH(scorecard_of(k, unit, o), Contains("tiers.cuts at row 0 is 0"));
  o.tiers = {{0.5, 1}, true};
  CHECK_THROWS_WITH(scorecard_of(k, unit, o), Contains("tiers.cuts at row 1 is 1"));
  o.tiers = {{0, 1}, false}; // score thresholds may be anything finite
  CHECK_NOTHROW(scorecard_of(k, unit, o));
}
