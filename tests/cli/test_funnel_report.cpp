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

TEST_CASE(
    "funnel-report: a won/lost row at the time of a stage entry closes after it, in any row order",
    "[cli][funnel-report]") {
  // Deal 1 enters stage 1 and is won at t = 5. The won row used to sort first when it came
  // first in the file, and the stage row was then refused as coming after it.
  const std::string header = "opportunity,stage,timestamp\n";
  const auto before = run_report({}, header + "1,0,0\n1,won,5\n1,1,5\n");
  const auto after = run_report({}, header + "1,0,0\n1,1,5\n1,won,5\n");
  REQUIRE(before.status == 0);
  REQUIRE(after.status == 0);
  CHECK(before.out == after.out);
  const auto j = nlohmann::json::parse(before.out);
  CHECK(j["won"] == 1);
  CHECK(j["stages"][1]["entered"] == 1);
  CHECK(j["stages"][1]["won"] == 1);
}

TEST_CASE("funnel-report refuses options that would be ignored or are ambiguous",
          "[cli][funnel-report]") {
  const std::string csv = "opportunity,stage,timestamp,region\n1,0,0,a\n1,1,5,a\n";
  // Segment options without --segment, Markov options without --markov: used to be ignored.
  for (const std::vector<const char*>& args : {std::vector<const char*>{"--test", "fisher"},
                                               {"--adjust", "bogus"},
                                               {"--top", "3"},
                                               {"--draws", "10"},
                                               {"--seed", "3"},
                                               {"--prior", "1"}}) {
    const auto r = run_report(args, csv);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("requires"));
  }
  // A bad --test is refused before the input is read, also when --segment is given.
  auto r = run_report({"--segment", "region", "--test", "t"}, csv);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--test must be z or fisher, not 't'"));
  // --as-of -5 used to count as "not given".
  r = run_report({"--as-of", "-5"}, csv);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--as-of -5 is negative"));
  // --as-of 0 is a time like any other (here before the file's latest, 5).
  r = run_report({"--as-of", "0"}, csv);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--as-of 0 is before the latest timestamp in the file (5)"));
  // Stage names that do not name one stage each: used to make phantom stages.
  const std::string named = "opportunity,stage,timestamp\n1,a,0\n1,b,5\n";
  r = run_report({"--stage-names", "a,a,b"}, named);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--stage-names 'a,a,b': name 2 'a' appears twice"));
  r = run_report({"--stage-names", "a,,b"}, named);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("name 2 is empty"));
  r = run_report({"--stage-names", "a,won"}, named);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("name 2 is 'won', which marks a closed opportunity"));
  r = run_report({"--stage-names", "a,b", "--stages", "3"}, named);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--stages 3 but --stage-names lists 2 stages"));
  CHECK(run_report({"--stage-names", "a,b", "--stages", "2"}, named).status == 0);
  // One stray index used to imply a report of 10^6 stages (minutes, hundreds of MB).
  const std::string stray = "opportunity,stage,timestamp\n1,0,0\n1,999999,5\n";
  r = run_report({}, stray);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("stage at row 2 is 999999, which would make 1000000 stages; give "
                             "--stages to confirm a funnel of more than 1000 stages"));
  CHECK(run_report({}, "opportunity,stage,timestamp\n1,0,0\n1,999,5\n").status == 0);
  CHECK(run_report({"--stages", "1001"}, "opportunity,stage,timestamp\n1,0,0\n1,1000,5\n").status ==
        0);
}

namespace {
// Five deals over stages 0..2 for the Markov model (days = 86400 s), rows out of order:
//  1: 0@0 -> 1@2d -> 2@5d, won@9d       visits: s0 2d, s1 3d, s2 4d
//  2: 0@0 -> 2@1d, lost@4d              s0 1d, s2 3d
//  3: 0@0 -> 1@3d, lost@4d              s0 3d, s1 1d
//  4: 1@0 -> 0@2d -> 1@3d -> 2@7d, won@8d   s1 2d, s0 1d, s1 4d, s2 1d (a backward move)
//  5: 0@0, lost@6d                      s0 6d
// Transitions by hand: from 0: ->1 x3 (deals 1, 3, 4), ->2 x1, ->lost x1 (5 exits); from 1:
// ->2 x2, ->0 x1, ->lost x1 (4); from 2: ->won x2, ->lost x1 (3). Mean days per visit:
// h = (13/5, 10/4, 8/3).
const std::string markov_deals = "opportunity,stage,timestamp\n"
                                 "4,2,604800\n1,0,0\n2,lost,345600\n1,won,777600\n"
                                 "3,0,0\n4,1,0\n1,1,172800\n5,lost,518400\n2,0,0\n"
                                 "4,won,691200\n3,1,259200\n1,2,432000\n4,0,172800\n"
                                 "2,2,86400\n3,lost,345600\n4,1,259200\n5,0,0\n";
} // namespace

TEST_CASE("funnel-report --markov: the absorbing chain against R", "[cli][funnel-report]") {
  const auto r = run_report({"--markov", "--draws", "400", "--seed", "7"}, markov_deals);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  const auto& m = j.at("markov");
  // Fitted matrix (columns: stage 0, 1, 2, won, lost), from the hand counts above.
  const std::vector<std::vector<double>> P{{0, 0.6, 0.2, 0, 0.2}, {0.25, 0, 0.5, 0, 0.25}, {0, 0, 0, 2.0 / 3, 1.0 / 3}};
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t c = 0; c < 5; ++c) CHECK(m.at("transition")[i][c].get<double>() == Approx(P[i][c]).margin(1e-15));
  CHECK(m.at("counts")[0] == nlohmann::json::parse("[0.0, 3.0, 1.0, 0.0, 1.0]"));
  // R: Q <- matrix(c(0,.6,.2, .25,0,.5, 0,0,0), 3, byrow = TRUE);
  //    R <- matrix(c(0,.2, 0,.25, 2/3,1/3), 3, byrow = TRUE); h <- c(13/5, 2.5, 8/3)
  //    N <- solve(diag(3) - Q); N %*% R; N %*% rep(1, 3); N %*% h
  // P(won):  0.392156862745098 0.431372549019608 0.666666666666667
  // moves:   2.47058823529412  2.11764705882353  1
  // days:    6.39215686274510  5.43137254901961  2.66666666666667
  const double won[] = {0.392156862745098, 0.431372549019608, 0.666666666666667};
  const double moves[] = {2.47058823529412, 2.11764705882353, 1.0};
  const double days[] = {6.39215686274510, 5.43137254901961, 2.66666666666667};
  const double h[] = {13.0 / 5, 2.5, 8.0 / 3};
  REQUIRE(m.at("stages").size() == 3);
  for (std::size_t s = 0; s < 3; ++s) {
    const auto& st = m.at("stages")[s];
    CAPTURE(s);
    CHECK(st.at("stage") == s);
    CHECK(st.at("days_per_visit").get<double>() == Approx(h[s]).epsilon(1e-12));
    CHECK(st.at("win_probability").at("estimate").get<double>() == Approx(won[s]).epsilon(1e-12));
    CHECK(st.at("expected_moves").at("estimate").get<double>() == Approx(moves[s]).epsilon(1e-12));
    CHECK(st.at("expected_days").at("estimate").get<double>() == Approx(days[s]).epsilon(1e-12));
    // The posterior intervals bracket the point estimates and are not degenerate (5 exits
    // at most per stage: wide).
    for (const char* key : {"win_probability", "expected_moves", "expected_days"}) {
      const auto& e = st.at(key);
      CHECK(e.at("lower").get<double>() < e.at("upper").get<double>());
      CHECK(e.at("lower").get<double>() <= e.at("estimate").get<double>() + 0.05);
      CHECK(e.at("upper").get<double>() >= e.at("estimate").get<double>() - 0.05);
    }
  }
  CHECK(m.at("draws") == 400);
  CHECK(m.at("seed") == 7);
  CHECK(m.at("level") == 0.95);
  // Same seed, same intervals; the intervals are the library's markov_summary (seeded draws).
  CHECK(run_report({"--markov", "--draws", "400", "--seed", "7"}, markov_deals).out == r.out);
  CHECK(run_report({"--markov", "--draws", "400", "--seed", "8"}, markov_deals).out != r.out);
  // Without --markov the report has no such key (its default output is unchanged).
  CHECK_FALSE(nlohmann::json::parse(run_report({}, markov_deals).out).contains("markov"));
}

TEST_CASE("funnel-report --markov: bad values and unidentified stages", "[cli][funnel-report]") {
  const auto negative = run_report({"--markov", "--draws", "-1"}, markov_deals);
  CHECK(negative.status == 2);
  CHECK_THAT(negative.err, Contains("--draws") && Contains("-1"));
  const auto prior = run_report({"--markov", "--prior", "0"}, markov_deals);
  CHECK(prior.status == 2);
  CHECK_THAT(prior.err, Contains("prior"));
  // The four-deal example: stage 3 is only ever open (deal 30), so its row has no exit and is
  // not identified: numerical trouble, exit 3, naming the stage.
  const auto unidentified = run_report({"--markov", "--stages", "4"}, deals);
  CHECK(unidentified.status == 3);
  CHECK_THAT(unidentified.err, Contains("stage at row 3") && Contains("no observed exit"));
}
