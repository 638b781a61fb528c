// In-process tests of `salesops ols` (examples/cli/cmd_ols.cpp). References: R 4.2.2 lm /
// summary.lm / AIC / BIC on the data below, and NIST StRD Filip's certified values
// (tests/data/nist) through --degree 10.
#include "cli.hpp"

#include <catch2/catch.hpp>

#include "run_cli.hpp"
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;

namespace {
using result = cli_result;

result run_ols(std::vector<const char*> args, const std::string& csv) {
  args.insert(args.begin(), {"salesops", "ols"});
  return run_argv(args, csv);
}

// x1 <- c(1.2, 2.3, 3.1, 4.8, 5.0, 6.7, 7.1, 8.9, 9.4, 10.2, 11.8, 12.5)
// x2 <- c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8)
// y  <- c(5.1, 6.9, 9.8, 11.2, 14.1, 17.9, 16.2, 22.5, 23.1, 23.8, 28.4, 31.0)
const std::string small = "y,x1,x2\n5.1,1.2,3\n6.9,2.3,1\n9.8,3.1,4\n11.2,4.8,1\n14.1,5.0,5\n"
                          "17.9,6.7,9\n16.2,7.1,2\n22.5,8.9,6\n23.1,9.4,5\n23.8,10.2,3\n"
                          "28.4,11.8,5\n31.0,12.5,8\n";

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

double lre(double estimate, double certified) {
  if (estimate == certified) return 15;
  return std::min(15.0, -std::log10(std::abs(estimate - certified) / std::abs(certified)));
}
} // namespace

TEST_CASE("ols prints R's summary.lm figures with the exact keys", "[cli][ols]") {
  const result r = run_ols({}, small);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  // R: f <- lm(y ~ x1 + x2); coef(summary(f)); summary(f); AIC(f); BIC(f)
  CHECK_THAT(j["coefficients"][0].get<double>(), WithinRel(1.27550772181117611, 1e-13));
  CHECK_THAT(j["coefficients"][2].get<double>(), WithinRel(0.38219689825702169, 1e-13));
  CHECK_THAT(j["std_errors"][1].get<double>(), WithinRel(0.051135453638610072, 1e-13));
  CHECK_THAT(j["t_values"][1].get<double>(), WithinRel(41.1898383204669329, 1e-12));
  CHECK_THAT(j["p_values"][2].get<double>(), WithinRel(6.5871387223471372e-04, 1e-10));
  CHECK_THAT(j["residual_sd"].get<double>(), WithinRel(0.5436894086589561, 1e-13));
  CHECK_THAT(j["r_squared"].get<double>(), WithinRel(0.99656999102938126, 1e-14));
  CHECK_THAT(j["adj_r_squared"].get<double>(), WithinRel(0.99580776681368821, 1e-14));
  CHECK_THAT(j["f_statistic"].get<double>(), WithinRel(1307.4499215735893, 1e-12));
  CHECK_THAT(j["f_p_value"].get<double>(), WithinRel(8.1064116057406041e-12, 1e-9));
  CHECK_THAT(j["aic"].get<double>(), WithinRel(23.977288684139559, 1e-13));
  CHECK_THAT(j["bic"].get<double>(), WithinRel(25.916915283291559, 1e-13));
  CHECK(j["rank"] == 3);
  CHECK(j["n"] == 12);
  CHECK(j["condition_number"].get<double>() >= 1);
  const std::vector<std::string> keys = {"coefficients", "std_errors", "t_values", "p_values",
                                         "residual_sd", "r_squared", "adj_r_squared",
                                         "f_statistic", "f_p_value", "aic", "bic", "rank", "n",
                                         "condition_number"};
  CHECK(j.size() == keys.size());
  for (const auto& k : keys) CHECK(j.contains(k));
}

TEST_CASE("ols --no-intercept: R's lm(y ~ 0 + x1 + x2)", "[cli][ols]") {
  const auto j = nlohmann::json::parse(run_ols({"--no-intercept"}, small).out);
  REQUIRE(j["coefficients"].size() == 2);
  CHECK_THAT(j["coefficients"][0].get<double>(), WithinRel(2.19471209754384944, 1e-13));
  CHECK_THAT(j["r_squared"].get<double>(), WithinRel(0.99862157404070051, 1e-14)); // uncentered
  CHECK_THAT(j["f_statistic"].get<double>(), WithinRel(3622.3257669500085, 1e-12));
  CHECK_THAT(j["aic"].get<double>(), WithinRel(32.003472814960631, 1e-13));
}

TEST_CASE("ols --degree 10 reproduces NIST Filip to >= 12 digits", "[cli][ols]") {
  const std::string dir = std::string(SALESOPS_TEST_DATA_DIR) + "/nist/";
  const result r = run_ols({"--degree", "10"}, read_file(dir + "Filip.csv"));
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  const auto cert = nlohmann::json::parse(read_file(dir + "Filip.certified.json"));
  REQUIRE(j["coefficients"].size() == 11);
  for (std::size_t k = 0; k < 11; ++k) {
    INFO("coefficient " << k);
    CHECK(lre(j["coefficients"][k].get<double>(), std::stod(cert["coefficients_str"][k].get<std::string>())) >= 12);
    CHECK(lre(j["std_errors"][k].get<double>(), std::stod(cert["std_errors_str"][k].get<std::string>())) >= 12);
  }
  CHECK(lre(j["residual_sd"].get<double>(), std::stod(cert["residual_sd_str"].get<std::string>())) >= 12);
  CHECK(lre(j["r_squared"].get<double>(), std::stod(cert["r_squared_str"].get<std::string>())) >= 12);
  CHECK(j["rank"] == 11);
  CHECK(j["n"] == 82);
}

TEST_CASE("ols rejects bad input with exit status 2 and rank deficiency with 3", "[cli][ols]") {
  // --degree needs exactly one predictor named x.
  CHECK(run_ols({"--degree", "2"}, small).status == 2);
  CHECK(run_ols({}, "x1,x2\n1,2\n3,4\n").status == 2); // no y column
  const result nan_row = run_ols({}, "y,x1\n1,2\n2,nan\n3,5\n4,4\n");
  CHECK(nan_row.status == 2);
  CHECK_THAT(nan_row.err, Contains("X at data row 2") && Contains("nan"));
  CHECK(run_ols({}, "y,x1,x2\n1,2,3\n").status == 2); // n <= p
  // x2 = 2 x1: aliased, exit status 3 (numerical trouble).
  const result aliased = run_ols({}, "y,x1,x2\n1,1,2\n3,2,4\n2,3,6\n5,4,8\n4,5,10\n");
  CHECK(aliased.status == 3);
  CHECK_THAT(aliased.err, Contains("column 1 is aliased"));
}
