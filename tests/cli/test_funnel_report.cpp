// In-process tests of `salesops funnel-report` (examples/cli/cmd_funnel_report.cpp). The
// expected counts are the hand derivation of the same four deals in
// tests/funnel/test_stage_funnel.cpp ("hand-counted example").
#include "cli.hpp"

#include <catch2/catch.hpp>

#include "run_cli.hpp"

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

using Catch::Matchers::Contains;

namespace {
using result = cli_result;

result run_report(std::vector<const char*> args, const std::string& csv) {
  args.insert(args.begin(), {"salesops", "funnel-report"});
  return run_argv(args, csv);
}

// Deals (days = 86400 s):
//  10: 0@0 -> 1@2d -> 2@5d, won@9d        north
//  20: 0@0 -> 2@1d -> 1@4d, lost@6d       south (backward move)
//  30: 1@0 -> 3@3d, open                  north (skips 0 and 2)
//  40: 0@0 -> 0@1d -> 1@3d, lost@3d       south (repeat of stage 0)
// Rows deliberately out of order.
const std::string deals = "opportunity,stage,timestamp,region\n"
                          "40,1,259200,south\n"
                          "10,won,777600,north\n"
                          "20,0,0,south\n"
                          "30,3,259200,north\n"
                          "10,1,172800,north\n"
                          "40,0,0,south\n"
                          "20,lost,518400,south\n"
                          "10,0,0,north\n"
                          "20,2,86400,south\n"
                          "40,0,86400,south\n"
                          "30,1,0,north\n"
                          "20,1,345600,south\n"
                          "10,2,432000,north\n"
                          "40,lost,259200,south\n";
} // namespace

TEST_CASE("funnel-report prints the stage funnel as JSON", "[cli][funnel-report]") {
  const auto r = run_report({"--stages", "4"}, deals);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["opportunities"] == 4);
  CHECK(j["won"] == 1);
  CHECK(j["lost"] == 2);
  CHECK(j["open"] == 1);
  const auto& s = j["stages"];
  REQUIRE(s.size() == 4);
  // Hand derivation (count_as_passed): entered 4 4 3 1, advanced 4 3 2 0.
  const int entered[] = {4, 4, 3, 1}, advanced[] = {4, 3, 2, 0};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(s[i]["entered"] == entered[i]);
    CHECK(s[i]["advanced"] == advanced[i]);
  }
  CHECK(s[2]["lost_here"] == 1);
  CHECK(s[3]["open_here"] == 1);
  // R: prop.test(3, 4, correct = FALSE)$conf.int -> 0.3006418 0.9544127
  CHECK(s[1]["stage_conversion"]["lower"].get<double>() == Approx(0.3006418).epsilon(1e-6));
  CHECK(s[1]["stage_conversion"]["upper"].get<double>() == Approx(0.9544127).epsilon(1e-6));
  // Days in stage 0: 2, 1, 3 -> R: quantile(c(2, 1, 3), .9) = 2.8
  CHECK(s[0]["days_in_stage"]["median"].get<double>() == Approx(2.0));
  CHECK(s[0]["days_in_stage"]["p90"].get<double>() == Approx(2.8));
  CHECK(s[3]["days_in_stage"].is_null());
  CHECK(j["options"]["method"] == "wilson");
}

TEST_CASE("funnel-report time to win: open deals censored, lost per --lost",
          "[cli][funnel-report]") {
  // Creation = first stage entry (day 0 for every deal); as_of = latest timestamp = day 9.
  // never-converts: 10 won at 9 days; 20, 30 and 40 at risk until day 9, censored there.
  // R: summary(survfit(Surv(c(9, 9, 9, 9), c(1, 0, 0, 0)) ~ 1))
  //   time n.risk n.event survival lower 95% CI upper 95% CI
  //      9      4       1     0.75 0.4259322685            1
  const auto r = run_report({}, deals);
  REQUIRE(r.status == 0);
  const auto t = nlohmann::json::parse(r.out)["time_to_win"];
  CHECK(t["won"] == 1);
  CHECK(t["open"] == 1);
  CHECK(t["median_days"].is_null());
  CHECK(t["won_within_days"]["30"]["share"].get<double>() == Approx(0.25));
  CHECK(t["won_within_days"]["30"]["upper"].get<double>() == Approx(1 - 0.4259322685).epsilon(1e-9));
  CHECK(t["won_within_days"]["30"]["lower"].get<double>() == Approx(0.0).margin(1e-12));
  // censored: 20 censored at 6 days, 40 at 3, 30 (open) at 9.
  // R: g <- survfit(Surv(c(9, 6, 9, 3), c(1, 0, 0, 0)) ~ 1); summary(g): S(9) = 0.5 with
  //   lower 0.1250488266; quantile(g, 0.5): 9, lower 9, upper NA
  const auto c = run_report({"--lost", "censored"}, deals);
  const auto tc = nlohmann::json::parse(c.out)["time_to_win"];
  CHECK(tc["won_within_days"]["30"]["share"].get<double>() == Approx(0.5));
  CHECK(tc["median_days"].get<double>() == Approx(9.0));
  CHECK(tc["median_lower"].get<double>() == Approx(9.0));
  CHECK(tc["median_upper"].is_null());
  // A later --as-of keeps the open and lost deals at risk longer; it cannot be earlier than
  // the data.
  const auto later = run_report({"--as-of", "8640000"}, deals);
  REQUIRE(later.status == 0);
  CHECK(nlohmann::json::parse(later.out)["options"]["as_of"] == 8640000);
  const auto early = run_report({"--as-of", "100"}, deals);
  CHECK(early.status == 2);
  CHECK_THAT(early.err, Contains("--as-of 100 is before the latest timestamp"));
  CHECK(run_report({"--lost", "maybe"}, deals).status == 2);
}

TEST_CASE("funnel-report options: not-passed rule, stage names, method", "[cli][funnel-report]") {
  // Recorded stages only: entered 3 4 2 1 (hand derivation in test_stage_funnel.cpp).
  const auto r = run_report({"--stages", "4", "--skipped", "not-passed"}, deals);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["stages"][0]["entered"] == 3);
  CHECK(j["stages"][2]["entered"] == 2);
  // Stage names replace indices in the stage column.
  // Same deals with the stage column renamed 0 -> lead, 1 -> demo, 2 -> offer, 3 -> signed.
  std::istringstream lines(deals);
  std::string named, line;
  while (std::getline(lines, line)) {
    const auto c1 = line.find(','), c2 = line.find(',', c1 + 1);
    const std::string stage = line.substr(c1 + 1, c2 - c1 - 1);
    const std::vector<std::string> names{"lead", "demo", "offer", "signed"};
    const bool index = stage.size() == 1 && stage[0] >= '0' && stage[0] <= '3';
    named += line.substr(0, c1 + 1) + (index ? names[static_cast<std::size_t>(stage[0] - '0')] : stage) +
             line.substr(c2) + "\n";
  }
  const auto n = run_report({"--stage-names", "lead,demo,offer,signed"}, named);
  INFO(n.err);
  REQUIRE(n.status == 0);
  const auto jn = nlohmann::json::parse(n.out);
  CHECK(jn["stages"][3]["name"] == "signed");
  CHECK(jn["stages"][1]["entered"] == 4);
  // Clopper-Pearson for 3 / 4: R binom.test(3, 4)$conf.int -> 0.1941204 0.9936905
  const auto cp = run_report({"--method", "clopper-pearson"}, deals);
  CHECK(nlohmann::json::parse(cp.out)["stages"][1]["stage_conversion"]["lower"].get<double>() ==
        Approx(0.1941204).epsilon(1e-6));
}

TEST_CASE("funnel-report --segment breaks down and compares with the rest",
          "[cli][funnel-report]") {
  const auto r = run_report({"--segment", "region"}, deals);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["segment_column"] == "region");
  const auto& rows = j["segments"];
  REQUIRE(rows.size() == 2);
  // Equal sizes (2 deals each): ties break by name, north first.
  CHECK(rows[0]["segment"] == "north");
  CHECK(rows[0]["opportunities"] == 2);
  CHECK(rows[0]["win_rate"]["successes"] == 1);
  CHECK(rows[0]["win_rate"]["trials"] == 1);
  // north 1/1 vs south 0/2. statsmodels: confint_proportions_2indep(1, 1, 0, 2,
  // method='newcomb', compare='diff') -> (-0.030547308807040263, 1.0);
  // proportions_ztest([1, 0], [1, 2]) -> (1.732050807568877, 0.08326451666355045)
  const auto& v = rows[0]["versus_rest"];
  CHECK(v["lower"].get<double>() == Approx(-0.030547308807040263).epsilon(1e-9));
  CHECK(v["upper"].get<double>() == Approx(1.0));
  CHECK(v["p_value"].get<double>() == Approx(0.08326451666355045).epsilon(1e-9));
  // Two rows, each the other's rest: the same p twice; Holm gives min(1, 2p) for both.
  CHECK(v["adjusted_p_value"].get<double>() == Approx(2 * 0.08326451666355045).epsilon(1e-9));
  CHECK(j["options"]["adjust"] == "holm");
  const auto bh = nlohmann::json::parse(run_report({"--segment", "region", "--adjust", "BH"}, deals).out);
  // BH on two equal p-values: min(1, 2p/2) = p.
  CHECK(bh["segments"][0]["versus_rest"]["adjusted_p_value"].get<double>() ==
        Approx(0.08326451666355045).epsilon(1e-9));
  // Fisher: R fisher.test(matrix(c(1, 0, 0, 2), 2))$p.value -> 0.3333333
  const auto fisher =
      nlohmann::json::parse(run_report({"--segment", "region", "--test", "fisher"}, deals).out);
  CHECK(fisher["segments"][0]["versus_rest"]["p_value"].get<double>() == Approx(1.0 / 3));
  CHECK(rows[1]["segment"] == "south");
  CHECK(rows[1]["stages"][0]["entered"] == 2);
  // Per-segment time to win: north has the one win (10) and the open deal 30.
  CHECK(rows[0]["time_to_win"]["won"] == 1);
  CHECK(rows[0]["time_to_win"]["open"] == 1);
  CHECK(rows[1]["time_to_win"]["won"] == 0);
  CHECK(rows[1]["time_to_win"]["lost"] == 2);
  // --top 1 folds south into "other".
  const auto top = nlohmann::json::parse(run_report({"--segment", "region", "--top", "1"}, deals).out);
  CHECK(top["segments"][1]["segment"] == "other");
}

TEST_CASE("funnel-report rejects bad input with exit status 2 naming the row",
          "[cli][funnel-report]") {
  const std::string header = "opportunity,stage,timestamp\n";
  auto r = run_report({}, header + "1,0,0\n1,0,-5\n");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("timestamp at row 2 is negative"));
  // A NaN timestamp cannot reach the library (timestamps are integers): the CSV reader names
  // the row.
  r = run_report({}, header + "1,0,0\n1,1,nan\n");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("'timestamp' at row 2 is not an integer ('nan')"));
  r = run_report({"--stages", "2"}, header + "1,0,0\n1,2,5\n");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("stage at row 2 is 2, outside [0, 1]"));
  r = run_report({}, header + "1,0,0\n1,won,5\n1,1,9\n");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("row 3 of opportunity 1 comes after its won/lost row (row 2)"));
  r = run_report({}, header + "1,0,0\n2,won,5\n");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("opportunity 2 (row 2) has no stage row"));
  r = run_report({}, header + "1,x,5\n");
  CHECK(r.status == 2);
  r = run_report({"--segment", "region"}, "opportunity,stage,timestamp,region\n1,0,0,a\n1,1,5,b\n");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("region at row 2 is 'b'"));
  r = run_report({"--segment", "region"}, header + "1,0,0\n");
  CHECK(r.status == 2);
  r = run_report({}, header);
  CHECK(r.status == 2);
  r = run_report({"--level", "1.5"}, header + "1,0,0\n");
  CHECK(r.status == 2);
  r = run_report({"--skipped", "sometimes"}, header + "1,0,0\n");
  CHECK(r.status == 2);
  r = run_report({"--segment", "opportunity", "--adjust", "sidak"}, header + "1,0,0\n");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--adjust must be"));
}
