// In-process tests of `salesops rate` (examples/cli/cmd_rate.cpp).
#include "cli.hpp"

#include <catch2/catch.hpp>

#include "run_cli.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {
using result = cli_result;

result run_rate(std::vector<const char*> args) {
  args.insert(args.begin(), {"salesops", "rate"});
  return run_argv(args);
}
} // namespace

TEST_CASE("rate prints the Wilson interval by default", "[cli][rate]") {
  // R: prop.test(15, 40, correct = FALSE)$conf.int -> 0.242229791672333 0.529675608626989
  const auto r = run_rate({"--successes", "15", "--trials", "40"});
  REQUIRE(r.status == 0);
  // Exactly three keys, printed in the documented order, on one line.
  CHECK(r.out.rfind("{\"rate\":0.375,\"lower\":", 0) == 0);
  CHECK(r.out.find("\"upper\":") != std::string::npos);
  CHECK(r.out.back() == '\n');
  const auto json = nlohmann::json::parse(r.out);
  CHECK(json.size() == 3);
  CHECK(json.at("rate").get<double>() == 0.375);
  CHECK(json.at("lower").get<double>() == Approx(0.242229791672333).epsilon(1e-12));
  CHECK(json.at("upper").get<double>() == Approx(0.529675608626989).epsilon(1e-12));
}

TEST_CASE("rate honours --method and --level", "[cli][rate]") {
  // R: binom.test(1, 10, conf.level = 0.9)$conf.int -> 0.0051161968918237 0.394163302436505
  auto r = run_rate(
      {"--successes", "1", "--trials", "10", "--method", "clopper-pearson", "--level", "0.9"});
  REQUIRE(r.status == 0);
  auto json = nlohmann::json::parse(r.out);
  CHECK(json.at("rate").get<double>() == 0.1);
  CHECK(json.at("lower").get<double>() == Approx(0.0051161968918237).epsilon(1e-12));
  CHECK(json.at("upper").get<double>() == Approx(0.394163302436505).epsilon(1e-12));
  // R: qbeta(c(.025, .975), 15.5, 25.5) -> 0.237906523304712 0.529464871299854
  r = run_rate({"--successes", "15", "--trials", "40", "--method", "jeffreys"});
  REQUIRE(r.status == 0);
  json = nlohmann::json::parse(r.out);
  CHECK(json.at("lower").get<double>() == Approx(0.237906523304712).epsilon(1e-12));
  CHECK(json.at("upper").get<double>() == Approx(0.529464871299854).epsilon(1e-12));
  // Hand formula (z = qnorm(.975)): n~ = 40 + z^2, p~ = (15 + z^2/2)/n~, p~ -+ z sqrt(p~q~/n~)
  // -> 0.241849525893429 0.530055874405893 (R, printed with %.15g)
  r = run_rate({"--successes", "15", "--trials", "40", "--method", "agresti-coull"});
  REQUIRE(r.status == 0);
  json = nlohmann::json::parse(r.out);
  CHECK(json.at("lower").get<double>() == Approx(0.241849525893429).epsilon(1e-12));
  CHECK(json.at("upper").get<double>() == Approx(0.530055874405893).epsilon(1e-12));
}

TEST_CASE("rate rejects bad input with exit status 2", "[cli][rate]") {
  auto r = run_rate({"--successes", "5", "--trials", "0"});
  CHECK(r.status == 2);
  CHECK(r.err.find("trials is 0") != std::string::npos);
  r = run_rate({"--successes", "11", "--trials", "10"});
  CHECK(r.status == 2);
  CHECK(r.err.find("successes is 11, more than trials (10)") != std::string::npos);
  r = run_rate({"--successes=-1", "--trials", "10"});
  CHECK(r.status == 2);
  CHECK(r.err.find("rate: successes is negative (-1)") != std::string::npos);
  r = run_rate({"--successes", "1", "--trials", "10", "--method", "wald"});
  CHECK(r.status == 2);
  CHECK(r.err.find("method is \"wald\"") != std::string::npos);
  r = run_rate({"--successes", "1", "--trials", "10", "--level", "1.5"});
  CHECK(r.status == 2);
  CHECK(r.err.find("level is 1.5") != std::string::npos);
  r = run_rate({"--trials", "10"});
  CHECK(r.status == 2);
  CHECK(r.out.empty());
}

TEST_CASE("integer options take plain decimal only, within 64 bits", "[cli][rate]") {
  // CLI11 2.1 read "010" as octal 8 (a rate of 0.4, not 0.5), clamped 20 nines to the largest
  // value (a rate of 1), and wrapped -1 to 2^64 - 1 in unsigned options, without a word.
  auto r = run_rate({"--successes", "010", "--trials", "20"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--successes: '010' has a leading zero") != std::string::npos);
  r = run_rate({"--successes", "99999999999999999999", "--trials", "99999999999999999999"});
  CHECK(r.status == 2);
  CHECK(r.err.find("'99999999999999999999' does not fit in 64 bits") != std::string::npos);
  for (const char* bad : {"1e3", "0x10", "+5", "5.0", " 5", ""}) {
    CAPTURE(bad);
    r = run_rate({"--successes", bad, "--trials", "2000"});
    CHECK(r.status == 2);
    CHECK(r.err.find("is not a decimal integer") != std::string::npos);
  }
  // The bounds themselves are accepted (the subcommand then judges them).
  r = run_rate({"--successes", "0", "--trials", "9223372036854775807"});
  CHECK(r.status == 0);
  r = run_rate({"--successes", "1", "--trials", "9223372036854775808"});
  CHECK(r.status == 2);
  CHECK(r.err.find("does not fit in 64 bits") != std::string::npos);
  // An unsigned option refuses a minus sign instead of wrapping it.
  const auto demo = run_args({"demo", "--seed", "-1"});
  CHECK(demo.status == 2);
  CHECK(demo.err.find("--seed: '-1' is negative") != std::string::npos);
}
