// In-process tests of `salesops score` (examples/cli/cmd_score.cpp).
#include "cli.hpp"

#include <catch2/catch.hpp>

#include "run_cli.hpp"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <nlohmann/json.hpp>

#include <salesops/core/rng.hpp>
#include <salesops/scoring/scorecard.hpp>
#include <salesops/scoring/shrinkage.hpp>

namespace {
using score_result = cli_result;

score_result run_score(const std::string& csv, std::vector<const char*> args = {}) {
  args.insert(args.begin(), {"salesops", "score"});
  return run_argv(args, csv);
}

const char* four_reps = "rep,bookings,cycle_days\nann,100,30\nbob,200,60\ncy,300,45\ndee,400,90\n";
} // namespace

TEST_CASE("score prints weights, scores, contributions, ranks and tiers", "[cli][score]") {
  const auto r = run_score(four_reps, {"--weight", "bookings=3", "--weight", "cycle_days=1",
                                       "--lower-is-better", "cycle_days", "--method", "minmax",
                                       "--tiers", "0.5", "--replicates", "50"});
  REQUIRE(r.status == 0);
  const auto json = nlohmann::json::parse(r.out);
  // Hand derivation: weights 3/4, 1/4; min-max bookings 0, 1/3, 2/3, 1; cycle (lower is
  // better) 1, 0.5, 0.75, 0 -> scores 0.25, 0.375, 0.6875, 0.75; type-7 median 0.53125.
  CHECK(json.at("method") == "minmax");
  CHECK(json.at("kpis")[0].at("weight").get<double>() == 0.75);
  CHECK(json.at("kpis")[1].at("direction") == "lower");
  CHECK(json.at("thresholds")[0].get<double>() == Approx(0.53125));
  const auto& reps = json.at("reps");
  REQUIRE(reps.size() == 4);
  const double score[] = {0.25, 0.375, 0.6875, 0.75};
  const int rank[] = {4, 3, 2, 1}, tier[] = {0, 0, 1, 1};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(reps[i].at("score").get<double>() == Approx(score[i]).epsilon(1e-15));
    CHECK(reps[i].at("rank").get<int>() == rank[i]);
    CHECK(reps[i].at("tier").get<int>() == tier[i]);
    const auto& c = reps[i].at("contributions");
    CHECK(c.at("bookings").get<double>() + c.at("cycle_days").get<double>() ==
          Approx(score[i]).epsilon(1e-15));
    // One row per rep: the bootstrap has nothing to resample, the interval is the point rank.
    CHECK(reps[i].at("rank_lower").get<int>() == rank[i]);
    CHECK(reps[i].at("rank_upper").get<int>() == rank[i]);
  }
  CHECK(reps[3].at("prob_top_k").get<double>() == 1.0);
  CHECK(reps[0].at("rep") == "ann");
}

TEST_CASE("score averages several rows per rep and bootstraps them", "[cli][score]") {
  // Two periods per rep; dee is far ahead in both. Means: ann 180, bob 250, dee 2000.
  const char* csv = "rep,bookings\nann,100\nbob,200\ndee,1900\nann,260\nbob,300\ndee,2100\n";
  const auto r = run_score(csv, {"--replicates", "200", "--seed", "7", "--top-k", "1"});
  REQUIRE(r.status == 0);
  const auto json = nlohmann::json::parse(r.out);
  const auto& reps = json.at("reps");
  REQUIRE(reps.size() == 3);
  CHECK(reps[2].at("rep") == "dee");
  CHECK(reps[2].at("rank").get<int>() == 1);
  CHECK(reps[2].at("prob_top_k").get<double>() == 1.0);
  CHECK(reps[1].at("rank").get<int>() == 2);
  // Resampled means: ann 100, 180 or 260; bob 200, 250 or 300 (probabilities 1/4, 1/2, 1/4).
  // ann beats bob with probability 1/4 x 3/4 = 3/16 > 2.5 %, so both intervals span 2..3.
  CHECK(reps[1].at("rank_upper").get<int>() == 3);
  CHECK(reps[0].at("rank_lower").get<int>() == 2);
  CHECK(reps[0].at("prob_top_k").get<double>() == 0.0);
  CHECK(json.at("replicates").get<int>() == 200);
  // Same seed, same output.
  CHECK(run_score(csv, {"--replicates", "200", "--seed", "7"}).out == r.out);
}

TEST_CASE("score rejects bad input", "[cli][score]") {
  auto r = run_score(four_reps, {"--weight", "bookings=-1"});
  CHECK(r.status == 2);
  CHECK(r.err.find("weight") != std::string::npos);
  r = run_score(four_reps, {"--weight", "bookings=0", "--weight", "cycle_days=0"});
  CHECK(r.status == 2);
  r = run_score(four_reps, {"--weight", "pipeline=1"});
  CHECK(r.status == 2);
  CHECK(r.err.find("pipeline") != std::string::npos);
  r = run_score(four_reps, {"--lower-is-better", "speed"});
  CHECK(r.status == 2);
  r = run_score("rep,bookings\nann,1\nbob,nan\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("row 1") != std::string::npos);
  r = run_score("rep,team,bookings\nann,east,1\nbob,,2\n", {"--group", "team"});
  CHECK(r.status == 2);
  CHECK(r.err.find("bob") != std::string::npos);
  r = run_score(four_reps, {"--method", "fancy"});
  CHECK(r.status == 2);
}

TEST_CASE("score normalises within peer groups", "[cli][score]") {
  // East sells 10x west; within groups ann and cy lead their teams equally (min-max 1).
  const char* csv = "rep,team,bookings\nann,east,1000\nbob,east,500\ncy,west,100\ndee,west,50\n";
  const auto r = run_score(csv, {"--group", "team", "--method", "minmax", "--replicates", "10"});
  REQUIRE(r.status == 0);
  const auto reps = nlohmann::json::parse(r.out).at("reps");
  CHECK(reps[0].at("score").get<double>() == 1.0);
  CHECK(reps[2].at("score").get<double>() == 1.0);
  CHECK(reps[1].at("score").get<double>() == 0.0);
  CHECK(reps[0].at("rank").get<int>() == 1);
  CHECK(reps[2].at("rank").get<int>() == 1);
}

namespace {
// One row per rep with win and trial counts: the usual KPI table.
const char* counts_table =
    "rep,bookings,wins,trials\n"
    "ann,120,3,3\nbob,300,149,213\ncy,90,12,40\ndee,200,30,80\neve,60,7,25\n"
    "fay,250,45,110\ngus,150,20,50\nhal,40,2,10\nivy,310,60,150\njon,170,18,45\n";
const std::vector<std::uint64_t> count_wins = {3, 149, 12, 30, 7, 45, 20, 2, 60, 18};
const std::vector<std::uint64_t> count_trials = {3, 213, 40, 80, 25, 110, 50, 10, 150, 45};
const std::vector<double> count_bookings = {120, 300, 90, 200, 60, 250, 150, 40, 310, 170};
} // namespace

TEST_CASE("score with wins/trials columns: posterior rank intervals, brute-force checked", "[cli][score]") {
  const auto r = run_score(counts_table, {"--replicates", "300", "--seed", "5", "--top-k", "3"});
  REQUIRE(r.status == 0);
  const auto json = nlohmann::json::parse(r.out);
  CHECK(json.at("intervals") == "posterior");
  CHECK(json.at("replicates").get<int>() == 300);
  // The count columns are not KPIs themselves; win_rate (weight 1) is added after bookings.
  REQUIRE(json.at("kpis").size() == 2);
  CHECK(json.at("kpis")[1].at("name") == "win_rate");
  const double alpha = json.at("win_rate_prior").at("alpha").get<double>();
  const double beta = json.at("win_rate_prior").at("beta").get<double>();
  // The prior is the library's beta-binomial MLE (tested against R's optim in
  // tests/scoring/test_shrinkage.cpp); each shrunk rate is (wins + alpha) / (trials + alpha + beta).
  const auto s = salesops::scoring::shrink_win_rates(count_wins, count_trials);
  CHECK(alpha == s.prior.alpha);
  CHECK(beta == s.prior.beta);
  const auto& reps = json.at("reps");
  REQUIRE(reps.size() == 10);
  for (std::size_t i = 0; i < 10; ++i) {
    const double w = static_cast<double>(count_wins[i]), n = static_cast<double>(count_trials[i]);
    CHECK(reps[i].at("win_rate").at("shrunk").get<double>() == Approx((w + alpha) / (n + alpha + beta)).epsilon(1e-14));
    CHECK(reps[i].at("win_rate").at("trials").get<int>() == static_cast<int>(count_trials[i]));
  }
  // Brute force of the posterior rank intervals: 300 replicates, each drawing every rep's
  // rate from Beta(alpha + wins, beta + losses) in rep order (salesops::rng, seed 5), z-scoring
  // both KPIs, summing 1/2 z_bookings + 1/2 z_rate and ranking by counting higher scores.
  // Level 0.95 with B = 300: type-1 quantiles at positions ceil(7.5) = 8 and ceil(292.5) = 293.
  namespace sc = salesops::scoring;
  const std::vector<sc::kpi_spec> specs = {{"bookings", 1, sc::direction::higher_is_better},
                                           {"win_rate", 1, sc::direction::higher_is_better}};
  Eigen::MatrixXd x(10, 2);
  for (Eigen::Index i = 0; i < 10; ++i) x(i, 0) = count_bookings[static_cast<std::size_t>(i)];
  salesops::rng gen(5);
  std::vector<std::vector<int>> ranks(10);
  for (int b = 0; b < 300; ++b) {
    for (Eigen::Index i = 0; i < 10; ++i) {
      const auto& rep = s.reps[static_cast<std::size_t>(i)];
      x(i, 1) = gen.beta(alpha + static_cast<double>(rep.wins), beta + static_cast<double>(rep.trials - rep.wins));
    }
    const Eigen::VectorXd score = sc::composite_scores(x, specs, sc::normalization::z_score);
    for (Eigen::Index i = 0; i < 10; ++i) {
      int above = 0;
      for (Eigen::Index j = 0; j < 10; ++j) above += score(j) > score(i) ? 1 : 0;
      ranks[static_cast<std::size_t>(i)].push_back(above + 1);
    }
  }
  for (std::size_t i = 0; i < 10; ++i) {
    auto v = ranks[i];
    std::sort(v.begin(), v.end());
    double sum = 0, top = 0;
    for (int k : v) {
      sum += k;
      top += k <= 3 ? 1 : 0;
    }
    CHECK(reps[i].at("rank_lower").get<int>() == v[7]);
    CHECK(reps[i].at("rank_upper").get<int>() == v[292]);
    CHECK(reps[i].at("mean_rank").get<double>() == Approx(sum / 300).epsilon(1e-14));
    CHECK(reps[i].at("prob_top_k").get<double>() == Approx(top / 300).epsilon(1e-14));
  }
  // Same seed, same output; --intervals posterior is what auto chose.
  CHECK(run_score(counts_table, {"--replicates", "300", "--seed", "5", "--top-k", "3",
                                 "--intervals", "posterior"}).out == r.out);
}

TEST_CASE("score posterior P(top 1) agrees with the exact integral", "[cli][score]") {
  // Win rate only: P(rep i is first) = integral_0^1 f_i(p) prod_{j != i} F_j(p) dp with f, F
  // the Beta posteriors' density and CDF (Goldstein & Spiegelhalter's league-table
  // probability), computed here by Gauss-Kronrod quadrature with Boost.Math. The CLI's
  // Monte Carlo estimate from 4000 replicates must lie within 4 standard errors.
  const char* csv = "rep,wins,trials\na,30,60\nb,45,80\nc,20,50\nd,60,100\ne,8,30\nf,33,70\n";
  const auto r = run_score(csv, {"--replicates", "4000", "--seed", "11"});
  REQUIRE(r.status == 0);
  const auto json = nlohmann::json::parse(r.out);
  const double alpha = json.at("win_rate_prior").at("alpha").get<double>();
  const double beta = json.at("win_rate_prior").at("beta").get<double>();
  const std::vector<double> w = {30, 45, 20, 60, 8, 33}, n = {60, 80, 50, 100, 30, 70};
  double total = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    const auto f = [&](double p) {
      double value = boost::math::pdf(boost::math::beta_distribution<double>(alpha + w[i], beta + n[i] - w[i]), p);
      for (std::size_t j = 0; j < 6; ++j)
        if (j != i) value *= boost::math::cdf(boost::math::beta_distribution<double>(alpha + w[j], beta + n[j] - w[j]), p);
      return value;
    };
    const double exact = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(f, 0.0, 1.0, 10, 1e-12);
    total += exact;
    const double estimate = json.at("reps")[i].at("prob_top_k").get<double>();
    const double se = std::sqrt(std::max(exact * (1 - exact), 1e-4) / 4000);
    CHECK(std::fabs(estimate - exact) < 4 * se);
  }
  CHECK(total == Approx(1.0).epsilon(1e-8)); // the quadrature itself: the probabilities sum to 1
}

TEST_CASE("score says when there is no source of rank uncertainty", "[cli][score]") {
  const auto r = run_score(four_reps, {"--top-k", "2"});
  REQUIRE(r.status == 0);
  const auto json = nlohmann::json::parse(r.out);
  CHECK(json.at("intervals") == "none");
  CHECK(json.at("replicates").get<int>() == 0);
  CHECK(json.at("interval_note").get<std::string>().find("several rows per rep") != std::string::npos);
  // Without replicates the interval is the point rank and P(top 2) is 1 for the best two only.
  for (const auto& rep : json.at("reps")) {
    CHECK(rep.at("rank_lower") == rep.at("rank"));
    CHECK(rep.at("rank_upper") == rep.at("rank"));
    CHECK(rep.at("prob_top_k").get<double>() == (rep.at("rank").get<int>() <= 2 ? 1.0 : 0.0));
  }
  // --help explains where intervals come from.
  const auto help = run_score("", {"--help"});
  CHECK(help.status == 0);
  CHECK(help.out.find("source of uncertainty") != std::string::npos);
}

TEST_CASE("score rejects impossible interval sources and bad counts", "[cli][score]") {
  auto r = run_score(four_reps, {"--intervals", "posterior"});
  CHECK(r.status == 2);
  CHECK(r.err.find("wins") != std::string::npos);
  r = run_score(counts_table, {"--intervals", "bootstrap"});
  CHECK(r.status == 2);
  CHECK(r.err.find("posterior") != std::string::npos);
  // wins > trials for the third rep (data row 3, rep index 2).
  r = run_score("rep,wins,trials\na,3,5\nb,4,9\nc,7,6\nd,1,4\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("row 2") != std::string::npos);
  r = run_score("rep,wins,trials\na,3,5\nb,-4,9\nc,2,6\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("column 'wins' at row 2 is negative ('-4')") != std::string::npos);
  // Per-rep totals past 2^64 - 1 used to wrap around to a small count.
  r = run_score("rep,wins,trials\na,3,18446744073709551615\nb,4,9\na,1,1\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("trials of rep a exceed 2^64 - 1 in total at data row 3") != std::string::npos);
  r = run_score(counts_table, {"--replicates", "20000000"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--replicates: 20000000 is more than 10000000") != std::string::npos);
  r = run_score("rep,win_rate,wins,trials\na,0.5,3,5\nb,0.4,4,9\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("rename") != std::string::npos);
  // Named count columns and the moments prior.
  r = run_score("rep,won,closed\na,30,60\nb,45,80\nc,20,50\nd,60,100\ne,8,30\n",
                {"--wins", "won", "--trials", "closed", "--prior", "moments", "--replicates", "50"});
  REQUIRE(r.status == 0);
  const auto json = nlohmann::json::parse(r.out);
  CHECK(json.at("win_rate_prior").at("method") == "moments");
  CHECK(json.at("kpis").size() == 1);
}

TEST_CASE("score reports robust-z fallbacks", "[cli][score]") {
  // Five of seven reps made 4 meetings: MAD = 0, so robust z uses 1.2533 x the mean absolute
  // deviation. R: x <- c(4,4,4,4,4,9,1); (x - 4) / (sqrt(pi/2) * mean(abs(x - 4)))
  //   0 0 0 0 0 3.49074495351254 -2.09444697210752
  const char* csv = "rep,meetings\na,4\nb,4\nc,4\nd,4\ne,4\nf,9\ng,1\n";
  const auto r = run_score(csv, {"--method", "robust"});
  REQUIRE(r.status == 0);
  const auto json = nlohmann::json::parse(r.out);
  REQUIRE(json.at("fallbacks").size() == 1);
  CHECK(json.at("fallbacks")[0].at("rule") == "mean_deviation");
  CHECK(json.at("reps")[5].at("score").get<double>() == Approx(3.49074495351254).epsilon(1e-13));
  CHECK(json.at("reps")[6].at("score").get<double>() == Approx(-2.09444697210752).epsilon(1e-13));
  CHECK(json.at("reps")[0].at("score").get<double>() == 0.0);
}
