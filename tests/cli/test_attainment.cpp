// Tests for `salesops attainment` (examples/cli/cmd_attainment.cpp), run in-process.
#include "cli.hpp"

#include <catch2/catch.hpp>

#include "run_cli.hpp"

#include <cstdio>
#include <unistd.h>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {
// ctest runs each test case as its own process, in parallel: the process id keeps their files apart.
std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = std::string(P_tmpdir) + "/salesops_test_attainment_" +
                           std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

const char* quotas_csv =
    "owner,period_start,period_end,amount,team\n"
    "ann,2026-01-01,2026-04-01,1000,east\n"
    "bob,2026-01-01,2026-04-01,2000,east\n"
    "cy,2026-01-01,2026-04-01,500,west\n"
    "ann,2025-10-01,2026-01-01,900,east\n"; // another period: ignored

const char* opportunities_csv =
    "owner,amount,close_date,outcome,probability\n"
    "ann,600,2026-01-15,won,1\n"
    "ann,300,2026-02-20,open,0.5\n"
    "bob,500,2026-01-31,won,1\n"
    "bob,1000,2026-03-10,open,0.5\n"
    "bob,700,2026-03-20,open,0.5\n"
    "cy,400,2026-01-20,lost,0\n"
    "cy,800,2026-03-01,open,0.25\n"
    "dan,999,2026-01-10,won,1\n"     // no quota: ignored
    "ann,5000,2026-04-10,open,0.9\n"; // expected after the period: ignored

using result = cli_result;
result run(const std::string& opps, const std::string& quotas, const char* as_of) {
  const std::string o = write_temp("opps.csv", opps), q = write_temp("quotas.csv", quotas);
  std::vector<const char*> argv = {"salesops", "attainment", "--opportunities", o.c_str(),
                                   "--quotas", q.c_str(), "--as-of", as_of};
  return run_argv(argv);
}
} // namespace

TEST_CASE("attainment: per rep, team and company by hand", "[cli][attainment]") {
  const auto r = run(opportunities_csv, quotas_csv, "2026-02-01");
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["period_start"] == "2026-01-01");
  CHECK(j["elapsed"].get<double>() == Approx(31.0 / 90.0));
  const auto& ann = j["reps"][0];
  CHECK(ann["name"] == "ann");
  CHECK(ann["booked"].get<double>() == 600);
  CHECK(ann["attainment"].get<double>() == 0.6);
  CHECK(ann["expected_linear"].get<double>() == Approx(1000.0 * 31 / 90));
  CHECK(ann["pace_linear"].get<double>() == Approx(600.0 / (1000.0 * 31 / 90)));
  CHECK(ann["open_deals"].get<int>() == 1);
  CHECK(ann["p_hit"].get<double>() == 0.0); // 600 + 300 < 1000
  CHECK(ann["p50"].get<double>() == 600);   // F(600) = 1/2
  CHECK(ann["p90"].get<double>() == 900);
  // Bob: 500 booked + {0, 1000, 700, 1700} each 1/4; P(>= 2000) = 1/4.
  const auto& bob = j["reps"][1];
  CHECK(bob["p_hit"].get<double>() == 0.25);
  CHECK(bob["p10"].get<double>() == 500);
  CHECK(bob["p50"].get<double>() == 1200);
  CHECK(bob["p90"].get<double>() == 2200);
  CHECK(bob["weighted_pipeline"].get<double>() == 850);
  // Cy: 800 @ 0.25 against 500.
  CHECK(j["reps"][2]["p_hit"].get<double>() == 0.25);
  // Team east: booked 1100, quota 3000, deals 300, 1000, 700 at 1/2: only all three reach 3000.
  CHECK(j["teams"][0]["name"] == "east");
  CHECK(j["teams"][0]["booked"].get<double>() == 1100);
  CHECK(j["teams"][0]["p_hit"].get<double>() == 0.125);
  // Company: booked 1100, quota 3500, needs 2400 from {300, 1000, 700 at 1/2; 800 at 1/4}:
  // {1000, 700, 800} without 300 (1/32) or all four (1/32) -> 1/16.
  CHECK(j["total"]["quota"].get<double>() == 3500);
  CHECK(j["total"]["p_hit"].get<double>() == Approx(0.0625).margin(1e-15));
}

TEST_CASE("attainment: without probabilities, open deals get the win rate by count", "[cli][attainment]") {
  std::string opps = "owner,amount,close_date,outcome\n"
                     "bob,500,2026-01-31,won\n"
                     "bob,1000,2026-03-10,open\n"
                     "cy,400,2026-01-20,lost\n"
                     "dan,999,2026-01-10,won\n"
                     "ann,600,2026-01-15,won\n";
  // Closed: 3 won, 1 lost -> p = 0.75 for bob's open 1000: P(500 + 1000 B >= 2000) = 0.
  const auto r = run(opps, quotas_csv, "2026-02-01");
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["reps"][1]["weighted_pipeline"].get<double>() == 750);
}

TEST_CASE("attainment: bad input exits 2", "[cli][attainment]") {
  std::string bad_outcome = "owner,amount,close_date,outcome,probability\nann,600,2026-01-15,maybe,1\n";
  auto r = run(bad_outcome, quotas_csv, "2026-02-01");
  CHECK(r.status == 2);
  CHECK(r.err.find("row 1") != std::string::npos);
  r = run(opportunities_csv, quotas_csv, "2027-02-01");
  CHECK(r.status == 2);
  CHECK(r.err.find("no quota period") != std::string::npos);
  std::string zero_quota = "owner,period_start,period_end,amount\nann,2026-01-01,2026-04-01,0\n";
  r = run(opportunities_csv, zero_quota, "2026-02-01");
  CHECK(r.status == 2);
  CHECK(r.err.find("quota") != std::string::npos);
  std::string bad_prob = "owner,amount,close_date,outcome,probability\nann,600,2026-02-15,open,1.5\n";
  r = run(bad_prob, quotas_csv, "2026-02-01");
  CHECK(r.status == 2);
}
