// In-process tests of `salesops score` (examples/cli/cmd_score.cpp).
#include "cli.hpp"

#include <catch2/catch.hpp>

#include "run_cli.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
