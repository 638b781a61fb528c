// In-process tests of `salesops shrink` (examples/cli/cmd_shrink.cpp).
#include "cli.hpp"

#include <catch2/catch.hpp>

#include "run_cli.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {
using shrink_result = cli_result;

shrink_result run_shrink(const std::string& csv, std::vector<const char*> args = {}) {
  args.insert(args.begin(), {"salesops", "shrink"});
  return run_argv(args, csv);
}

const char* floor_csv = "rep,wins,trials\n"
                        "ann,3,3\nbob,149,213\ncy,12,40\ndee,30,80\neve,7,25\nfay,45,110\n"
                        "gus,20,50\nhal,2,10\nivy,60,150\njo,18,45\nkim,9,30\nlou,33,90\n";
} // namespace

TEST_CASE("shrink prints the MLE prior and each rep's posterior", "[cli][shrink]") {
  // R (see tests/scoring/test_shrinkage.cpp for the full call):
  //   optim(c(0,0), nll, method="BFGS", control=list(reltol=1e-15)) -> a 7.85038763395909,
  //   b 11.33564473792305; (w+a)/(n+a+b) -> 0.489063905257369 0.675537568008134 ...;
  //   qbeta(c(.025,.975), a+3, b+0) -> 0.288648194753875 0.691348723205447
  const auto r = run_shrink(floor_csv);
  REQUIRE(r.status == 0);
  const auto json = nlohmann::json::parse(r.out);
  CHECK(json.size() == 3);
  const double a = json.at("alpha").get<double>(), b = json.at("beta").get<double>();
  CHECK(a == Approx(7.85038763395909).epsilon(1e-4));
  CHECK(b == Approx(11.33564473792305).epsilon(1e-4));
  const auto& reps = json.at("reps");
  REQUIRE(reps.size() == 12);
  CHECK(reps[0].at("rep") == "ann");
  CHECK(reps[0].at("wins").get<int>() == 3);
  CHECK(reps[0].at("trials").get<int>() == 3);
  CHECK(reps[0].at("raw").get<double>() == 1.0);
  CHECK(reps[0].at("shrunk").get<double>() == Approx(0.489063905257369).epsilon(1e-5));
  CHECK(reps[0].at("lower").get<double>() == Approx(0.288648194753875).epsilon(1e-4));
  CHECK(reps[0].at("upper").get<double>() == Approx(0.691348723205447).epsilon(1e-4));
  // The contract: shrunk = (wins + alpha) / (trials + alpha + beta), exactly.
  for (const auto& rep : reps) {
    const double w = rep.at("wins").get<double>(), n = rep.at("trials").get<double>();
    CHECK(rep.at("shrunk").get<double>() == Approx((w + a) / (n + a + b)).epsilon(1e-14));
    CHECK(rep.at("lower").get<double>() < rep.at("shrunk").get<double>());
    CHECK(rep.at("upper").get<double>() > rep.at("shrunk").get<double>());
  }
  // 3 of 3 does not outrank 149 of 213.
  CHECK(reps[0].at("shrunk").get<double>() < reps[1].at("shrunk").get<double>());
}

TEST_CASE("shrink --method moments uses the method-of-moments prior", "[cli][shrink]") {
  // Hand derivation in R: rho <- (var(r)/(m*(1-m)) - mean(1/n))/(1-mean(1/n)) with r <- w/n,
  // m <- mean(r); alpha = m (1/rho - 1) -> 2.4590297071146985, beta -> 3.2927635557823218
  const auto r = run_shrink(floor_csv, {"--method", "moments"});
  REQUIRE(r.status == 0);
  const auto json = nlohmann::json::parse(r.out);
  CHECK(json.at("alpha").get<double>() == Approx(2.4590297071146985).epsilon(1e-12));
  CHECK(json.at("beta").get<double>() == Approx(3.2927635557823218).epsilon(1e-12));
}

TEST_CASE("shrink rejects bad input with exit status 2", "[cli][shrink]") {
  auto r = run_shrink("rep,wins,trials\na,5,4\nb,1,3\n");
  CHECK(r.status == 2);
  // The library's 0-based row used to be printed; data rows count from 1.
  CHECK(r.err.find("wins at data row 1 is 5") != std::string::npos);
  r = run_shrink("rep,wins,trials\na,1,4\nb,0,0\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("trials at data row 2 is 0") != std::string::npos);
  r = run_shrink("rep,wins\na,1\n");
  CHECK(r.status == 2);
  r = run_shrink("rep,wins,trials\na,-1,4\nb,1,3\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("column 'wins' at row 1 is negative ('-1')") != std::string::npos);
  r = run_shrink(floor_csv, {"--method", "bayes"});
  CHECK(r.status == 2);
  // No spread beyond binomial noise: numerical trouble, status 3.
  r = run_shrink("rep,wins,trials\na,50,100\nb,50,100\nc,50,100\n");
  CHECK(r.status == 3);
}
