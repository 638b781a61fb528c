// In-process tests of `salesops tslm` (examples/cli/cmd_tslm.cpp) against R 4.2 / forecast:
// the series and reference numbers are those of tests/forecast/test_forecast.cpp.
#include "cli.hpp"

#include <catch2/catch.hpp>

#include "run_cli.hpp"
#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

using Catch::Matchers::Contains;

namespace {
using result = cli_result;

result run_tslm(std::vector<const char*> args, const std::string& csv) {
  args.insert(args.begin(), {"salesops", "tslm"});
  return run_argv(args, csv);
}

std::string csv_of(const std::vector<double>& y) {
  std::ostringstream s;
  s.precision(17);
  s << "y\n";
  for (double v : y) s << v << "\n";
  return s.str();
}

void check_array(const nlohmann::json& actual, const std::vector<double>& expected) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double a = actual[i].get<double>();
    INFO("entry " << i << ": " << a << " vs R " << expected[i]);
    CHECK(std::fabs(a - expected[i]) <= 1e-10 * std::fabs(expected[i]));
  }
}

// R: s4 <- ts(c(...), frequency=4)
const std::vector<double> s4 = {113.34, 140.22, 125.63, 112.4,  120.43, 137.02, 127.24,
                                115.73, 135.62, 151.02, 140.08, 122.23, 142.83, 159.98,
                                142.56, 138.87, 151.03, 170.39, 149.92, 136.24};
// R: s1 <- ts(c(...), frequency=1)
const std::vector<double> s1 = {49.23, 54.03, 54.32, 56.55, 57.21, 61.86,
                                68.34, 68.77, 73.11, 73.25, 76.18, 78.06};
} // namespace

TEST_CASE("tslm prints R's forecast(tslm) with default levels and Box-Cox", "[cli][tslm]") {
  const result r = run_tslm({"--frequency", "4", "--horizon", "6", "--lambda", "0", "--biasadj"},
                            csv_of(s4));
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  // R: f <- tslm(s4 ~ trend + season, lambda=0, biasadj=TRUE); fc <- forecast(f, h=6)
  //    coef(f); fc$mean; fc$lower; fc$upper (sprintf("%.17g"))
  check_array(j["coefficients"], {4.7513859806254981, 0.014522697346552411, 0.12216515218431373,
                                  0.0071632717799213468, -0.10022142374923261});
  check_array(j["mean"], {157.14111806803777, 180.15761242915087, 162.93525434721616,
                          148.48603465906686, 166.55589824566718, 190.95137754422805});
  check_array(j["lower"]["80"], {149.5473417778671, 171.45157404417577, 155.06147893752927,
                                 141.31051151605806, 158.0319235719578, 181.17889441249204});
  check_array(j["lower"]["95"], {145.30788846629534, 166.59116706726388, 150.66570772178031,
                                 137.30456056511102, 153.28886996145624, 175.74112468934771});
  check_array(j["upper"]["80"], {164.86257361796672, 189.01003128333463, 170.94141682986867,
                                 155.78220469082632, 175.23181737520972, 200.89806046989});
  check_array(j["upper"]["95"], {169.67254774295063, 194.52452338353658, 175.92874520765494,
                                 160.3272530741676, 180.6538281466716, 207.11423435971034});
  CHECK(j.size() == 4); // exactly the four keys of the interface
}

TEST_CASE("tslm with frequency 1, explicit levels and a Box-Cox power", "[cli][tslm]") {
  const result r = run_tslm(
      {"--frequency", "1", "--horizon", "3", "--level", "90", "--lambda", "1.5", "--biasadj"},
      csv_of(s1));
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  // R: f <- tslm(s1 ~ trend, lambda=1.5, biasadj=TRUE); fc <- forecast(f, h=3, level=90)
  check_array(j["coefficients"], {204.90383192296665, 21.615612709596672});
  check_array(j["mean"], {81.052158838642129, 83.435392720708506, 85.784979163673384});
  check_array(j["lower"]["90"], {77.84887190632621, 80.168213271878855, 82.443123234380721});
  check_array(j["upper"]["90"], {84.21600222247406, 86.662707573617055, 89.086267452440424});
  CHECK(j["lower"].size() == 1);

  // R: f <- tslm(s1 ~ trend); forecast(f, h=5): mean[1] 81.809545454545457,
  //    lower 80 [1] 79.0932826136697, upper 95 [5] 97.735021843594467
  const result plain = run_tslm({"--frequency", "1", "--horizon", "5"}, csv_of(s1));
  REQUIRE(plain.status == 0);
  const auto p = nlohmann::json::parse(plain.out);
  CHECK(p["mean"][0].get<double>() == Approx(81.809545454545457).epsilon(1e-12));
  CHECK(p["lower"]["80"][0].get<double>() == Approx(79.0932826136697).epsilon(1e-12));
  CHECK(p["upper"]["95"][4].get<double>() == Approx(97.735021843594467).epsilon(1e-12));
}

TEST_CASE("tslm reports bad input with exit status 2", "[cli][tslm]") {
  const result zero_h = run_tslm({"--frequency", "4", "--horizon", "0"}, csv_of(s4));
  CHECK(zero_h.status == 2);
  CHECK_THAT(zero_h.err, Contains("--horizon: 0 is less than 1"));
  // A valid decimal that would allocate far past any use is refused before reading.
  const result huge_h = run_tslm({"--frequency", "4", "--horizon", "100000000000"}, csv_of(s4));
  CHECK(huge_h.status == 2);
  CHECK_THAT(huge_h.err, Contains("--horizon: 100000000000 is more than 10000000"));
  std::vector<double> negative = s4;
  negative[5] = -2.0;
  const result bad_log = run_tslm({"--frequency", "4", "--horizon", "2", "--lambda", "0"},
                                  csv_of(negative));
  CHECK(bad_log.status == 2);
  // y[5] is the sixth data row: the library's row 5, named from 1 as the CSV's own errors are.
  CHECK_THAT(bad_log.err, Contains("y at data row 6 must be positive (is -2)"));
  const result nan_row = run_tslm({"--frequency", "4", "--horizon", "2"},
                                  "y\n1\n2\nnan\n4\n5\n6\n7\n8\n");
  CHECK(nan_row.status == 2);
  CHECK_THAT(nan_row.err, Contains("y at data row 3"));
  const result no_y = run_tslm({"--frequency", "4", "--horizon", "2"}, "x\n1\n2\n");
  CHECK(no_y.status == 2);
  const result too_short = run_tslm({"--frequency", "12", "--horizon", "2"}, csv_of(s1));
  CHECK(too_short.status == 2); // 12 rows for 13 coefficients
  const result bad_level = run_tslm({"--frequency", "4", "--horizon", "2", "--level", "100"},
                                    csv_of(s4));
  CHECK(bad_level.status == 2);
  const result missing = run_tslm({"--horizon", "2"}, csv_of(s4));
  CHECK(missing.status == 2);
}
