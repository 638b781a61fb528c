// Tests for `salesops quota-prob` (examples/cli/cmd_quota_prob.cpp), run in-process.
#include "cli.hpp"

#include <catch2/catch.hpp>

#include "run_cli.hpp"

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {
using run_result = cli_result;
run_result run_quota_prob(const std::vector<const char*>& args, const std::string& csv) {
  std::vector<const char*> argv = {"salesops", "quota-prob"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_argv(argv, csv);
}
} // namespace

TEST_CASE("quota-prob: two deals by hand", "[cli][quota_prob]") {
  // Deals 100 @ 0.5 and 200 @ 0.5, booked 50: revenue 50, 150, 250, 350 with 1/4 each.
  // P(revenue >= 250) = 1/2; P10 = 50, P50 = 150 (F(150) = 1/2 exactly), P90 = 350;
  // expected 50 + 150 = 200; sd = sqrt(100^2/4 + 200^2/4) = sqrt(12500).
  const auto r = run_quota_prob({"--quota", "250", "--booked", "50"},
                                "amount,probability\n100,0.5\n200,0.5\n");
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j.size() == 6);
  CHECK(j["expected"].get<double>() == 200.0);
  CHECK(j["sd"].get<double>() == Approx(std::sqrt(12500.0)).epsilon(1e-15));
  CHECK(j["p_hit"].get<double>() == 0.5);
  CHECK(j["p10"].get<double>() == 50.0);
  CHECK(j["p50"].get<double>() == 150.0);
  CHECK(j["p90"].get<double>() == 350.0);
  CHECK(r.err.empty()); // exact method: nothing to warn about
}

TEST_CASE("quota-prob: binomial case matches R to 1e-9", "[cli][quota_prob]") {
  // 20 deals of 1000 at p = 0.3, no booked revenue, quota 8000.
  // R: 1 - pbinom(7, 20, 0.3) = 0.22772820258183946; qbinom(c(.1,.5,.9), 20, .3) = 3 6 9
  std::string csv = "amount,probability\n";
  for (int i = 0; i < 20; ++i) csv += "1000,0.3\n";
  const auto r = run_quota_prob({"--quota", "8000"}, csv);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(std::fabs(j["p_hit"].get<double>() - 0.22772820258183946) < 1e-9);
  CHECK(j["expected"].get<double>() == Approx(6000.0).epsilon(1e-15));
  CHECK(j["sd"].get<double>() == Approx(1000.0 * std::sqrt(20 * 0.3 * 0.7)).epsilon(1e-14));
  CHECK(j["p10"].get<double>() == 3000.0);
  CHECK(j["p50"].get<double>() == 6000.0);
  CHECK(j["p90"].get<double>() == 9000.0);
}

TEST_CASE("quota-prob: non-integer amounts use the grid method and report its bounds", "[cli][quota_prob]") {
  const auto r = run_quota_prob({"--quota", "300"},
                                "amount,probability\n100.5,0.5\n200.25,0.5\n");
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  // Outcomes 0, 100.5, 200.25, 300.75 each 1/4: P(>= 300) = 1/4 (the grid step is
  // 300.75e-7, far below the gap between 300 and 300.75).
  CHECK(j["p_hit"].get<double>() == Approx(0.25).epsilon(1e-12));
  CHECK(j["p50"].get<double>() == Approx(100.5).margin(1e-4));
  CHECK(r.err.find("grid method") != std::string::npos);
}

TEST_CASE("quota-prob: bad input exits 2 naming the row", "[cli][quota_prob]") {
  auto r = run_quota_prob({"--quota", "100"}, "amount,probability\n10,0.5\n20,1.5\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("probs at data row 2") != std::string::npos);
  r = run_quota_prob({"--quota", "100"}, "amount,probability\n-10,0.5\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("amounts at data row 1") != std::string::npos);
  r = run_quota_prob({"--quota", "0"}, "amount,probability\n10,0.5\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("quota") != std::string::npos);
  r = run_quota_prob({"--quota", "10", "--booked", "-1"}, "amount,probability\n10,0.5\n");
  CHECK(r.status == 2);
  r = run_quota_prob({"--quota", "10"}, "amount,prob\n10,0.5\n");
  CHECK(r.status == 2); // missing column
  r = run_quota_prob({}, "amount,probability\n10,0.5\n");
  CHECK(r.status != 0); // --quota is required
}

TEST_CASE("quota-prob: 10,000 deals on a 10^7 lattice are exact to 1e-9 (fft path)", "[cli][quota_prob]") {
  // 5,000 deals of 999 at p = 0.3 and 5,000 of 1001 at p = 0.6: gcd 1, total / gcd = 10^7,
  // so quota-prob must use the exact law, here built by the FFT path (n x width ~ 8e9).
  // Reference: X = 999 B1 + 1001 B2, B1 ~ Bin(5000, 0.3), B2 ~ Bin(5000, 0.6), by brute force
  // over all 5001^2 outcomes in R:
  //   v <- outer(999 * (0:5000), 1001 * (0:5000), "+")
  //   w <- outer(dbinom(0:5000, 5000, 0.3), dbinom(0:5000, 5000, 0.6))
  //   sprintf("%.17g", sum(w[v >= 4525000]))            # 0.31007578291804139
  //   o <- order(v); vs <- v[o]; F <- cumsum(w[o])
  //   sapply(c(.1, .5, .9), function(p) vs[which(F >= p)[1]])  # 4440523 4501498 4562479
  // (F passes each level by >= 2.2e-5, so the quantiles cannot flip within 1e-9.)
  std::string csv = "amount,probability\n";
  for (int i = 0; i < 5000; ++i) csv += "999,0.3\n";
  for (int i = 0; i < 5000; ++i) csv += "1001,0.6\n";
  const auto r = run_quota_prob({"--quota", "4525000"}, csv);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(std::fabs(j["p_hit"].get<double>() - 0.31007578291804139) < 1e-9);
  CHECK(j["p10"].get<double>() == 4440523.0);
  CHECK(j["p50"].get<double>() == 4501498.0);
  CHECK(j["p90"].get<double>() == 4562479.0);
  // Closed forms: E = 999 * 1500 + 1001 * 3000; Var = 999^2 * 5000 * 0.21 + 1001^2 * 5000 * 0.24.
  CHECK(j["expected"].get<double>() == Approx(4501500.0).epsilon(1e-14));
  CHECK(j["sd"].get<double>() ==
        Approx(std::sqrt(999.0 * 999 * 5000 * 0.21 + 1001.0 * 1001 * 5000 * 0.24)).epsilon(1e-13));
  CHECK(r.err.empty());
}
