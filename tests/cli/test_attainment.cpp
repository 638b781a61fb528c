// Tests for `salesops attainment` (examples/cli/cmd_attainment.cpp), run in-process.
#include "cli.hpp"

#include <catch2/catch.hpp>

#include "run_cli.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {
// Writes `text` to the file `name` in this process's temporary folder (removed at exit) and
// returns its path.
std::string write_temp(const std::string& name, const std::string& text) {
  static const temp_dir dir("attainment");
  const std::string path = (dir.path / name).string();
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
// `salesops attainment` on the two tables, with further options (file options take paths
// from write_temp).
result run(const std::string& opps, const std::string& quotas, const char* as_of,
           const std::vector<std::string>& extra = {}) {
  const std::string o = write_temp("opps.csv", opps), q = write_temp("quotas.csv", quotas);
  std::vector<std::string> args = {"attainment", "--opportunities", o, "--quotas", q, "--as-of", as_of};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_args(args);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
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

// ---- quota types and weights -------------------------------------------------------------

namespace {
const char* typed_quotas_csv =
    "owner,period_start,period_end,amount,team,quota_type\n"
    "ann,2026-01-01,2026-04-01,1000,east,new_business\n"
    "ann,2026-01-01,2026-04-01,500,east,renewal\n"
    "bob,2026-01-01,2026-04-01,2000,east,new_business\n"
    "bob,2026-01-01,2026-04-01,1000,east,renewal\n";

const char* typed_opportunities_csv =
    "owner,amount,close_date,outcome,probability,quota_type\n"
    "ann,400,2026-01-10,won,1,new_business\n"
    "ann,300,2026-01-20,won,1,new_business\n"
    "ann,600,2026-01-25,won,1,renewal\n"
    "bob,1000,2026-01-15,won,1,new_business\n"
    "bob,500,2026-03-01,open,0.5,renewal\n";
} // namespace

TEST_CASE("attainment: quota types weighted 70/30 (by hand)", "[cli][attainment]") {
  const auto r = run(typed_opportunities_csv, typed_quotas_csv, "2026-02-01",
                     {"--quota-weights", "new_business=0.7,renewal=0.3"});
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["quota_weights"]["renewal"].get<double>() == 0.3);
  // Ann: new business 700 / 1000 = 0.7, renewals 600 / 500 = 1.2;
  // weighted 0.7 * 0.7 + 0.3 * 1.2 = 0.85; unweighted 1300 / 1500.
  const auto& ann = j["reps"][0];
  CHECK(ann["quota"].get<double>() == 1500);
  CHECK(ann["booked"].get<double>() == 1300);
  CHECK(ann["attainment"].get<double>() == Approx(1300.0 / 1500.0));
  CHECK(ann["weighted_attainment"].get<double>() == Approx(0.85));
  CHECK(ann["by_type"]["new_business"]["booked"].get<double>() == 700);
  CHECK(ann["by_type"]["new_business"]["attainment"].get<double>() == Approx(0.7));
  CHECK(ann["by_type"]["renewal"]["attainment"].get<double>() == Approx(1.2));
  // Bob: 1000 / 2000 = 0.5 and 0 / 1000: weighted 0.35. His open renewal 500 at 1/2 cannot
  // lift 1000 to 3000: P(hit) = 0.
  const auto& bob = j["reps"][1];
  CHECK(bob["weighted_attainment"].get<double>() == Approx(0.35));
  CHECK(bob["p_hit"].get<double>() == 0.0);
  // Team east = total: new business 1700 / 3000, renewals 600 / 1500 = 0.4:
  // 0.7 * 17 / 30 + 0.3 * 0.4 = 0.516667 (not the mean of 0.85 and 0.35).
  CHECK(j["teams"][0]["weighted_attainment"].get<double>() == Approx(0.7 * 17.0 / 30.0 + 0.12));
  CHECK(j["total"]["by_type"]["renewal"]["quota"].get<double>() == 1500);
  CHECK(j["total"]["weighted_attainment"].get<double>() == Approx(0.7 * 17.0 / 30.0 + 0.12));
  // Without --quota-weights the types weigh equally: Ann 0.5 * 0.7 + 0.5 * 1.2 = 0.95.
  const auto equal = run(typed_opportunities_csv, typed_quotas_csv, "2026-02-01");
  REQUIRE(equal.status == 0);
  const auto e = nlohmann::json::parse(equal.out);
  CHECK(e["reps"][0]["weighted_attainment"].get<double>() == Approx(0.95));
  CHECK_FALSE(e.contains("quota_weights"));
  // Without a quota_type column the output has no type fields (today's output, unchanged).
  const auto plain = nlohmann::json::parse(run(opportunities_csv, quotas_csv, "2026-02-01").out);
  CHECK_FALSE(plain["reps"][0].contains("by_type"));
  CHECK_FALSE(plain["reps"][0].contains("weighted_attainment"));
}

TEST_CASE("attainment: bad quota types and weights exit 2", "[cli][attainment]") {
  auto r = run(typed_opportunities_csv, typed_quotas_csv, "2026-02-01",
               {"--quota-weights", "new_business=0.7,upsell=0.3"});
  CHECK(r.status == 2);
  CHECK(has(r.err, "--quota-weights: 'upsell' is not a quota type"));
  r = run(typed_opportunities_csv, typed_quotas_csv, "2026-02-01", {"--quota-weights", "new_business=0.7"});
  CHECK(r.status == 2);
  CHECK(has(r.err, "no weight for quota type 'renewal'"));
  r = run(typed_opportunities_csv, typed_quotas_csv, "2026-02-01",
          {"--quota-weights", "new_business=0.8,renewal=0.3"});
  CHECK(r.status == 2);
  CHECK(has(r.err, "weights"));
  CHECK(has(r.err, "sum to 1.1"));
  r = run(typed_opportunities_csv, typed_quotas_csv, "2026-02-01", {"--quota-weights", "new_business=x,renewal=0.3"});
  CHECK(r.status == 2);
  CHECK(has(r.err, "the weight of 'new_business' is 'x'"));
  r = run(opportunities_csv, quotas_csv, "2026-02-01", {"--quota-weights", "a=1"});
  CHECK(r.status == 2);
  CHECK(has(r.err, "needs a quota_type column"));
  // A deal of a type the period has no quota for: file, row, column and value.
  std::string opps = typed_opportunities_csv;
  opps += "bob,50,2026-01-05,won,1,upsell\n";
  r = run(opps, typed_quotas_csv, "2026-02-01");
  CHECK(r.status == 2);
  CHECK(has(r.err, "opps.csv: column 'quota_type' at row 6 is 'upsell', not a quota type"));
  // A rep without a row for every type; two types but no quota_type on the deals.
  std::string quotas = typed_quotas_csv;
  quotas += "cy,2026-01-01,2026-04-01,300,west,new_business\n";
  r = run(typed_opportunities_csv, quotas, "2026-02-01");
  CHECK(r.status == 2);
  CHECK(has(r.err, "owner 'cy' has no 'renewal' quota row"));
  r = run(opportunities_csv, typed_quotas_csv, "2026-02-01");
  CHECK(r.status == 2);
  CHECK(has(r.err, "has no quota_type column, but"));
  quotas = typed_quotas_csv;
  quotas += "ann,2026-01-01,2026-04-01,700,east,renewal\n";
  r = run(typed_opportunities_csv, quotas, "2026-02-01");
  CHECK(r.status == 2);
  CHECK(has(r.err, "owner 'ann' has two 'renewal' quota rows for the period (row 5)"));
}

// ---- split credit --------------------------------------------------------------------------

namespace {
const char* split_opportunities_csv =
    "id,owner,amount,close_date,outcome,probability\n"
    "o1,ann,1000,2026-01-10,won,1\n"
    "o2,bob,800,2026-01-20,won,1\n"
    "o3,bob,3000,2026-03-01,open,0.5\n"
    "o4,dan,400,2026-01-12,won,1\n";

const char* splits_csv =
    "opportunity,owner,percent\n"
    "o1,ann,60\n"
    "o1,bob,40\n"
    "o3,bob,50\n"
    "o3,cy,50\n"
    "o4,dan,50\n"
    "o4,ann,50\n";
} // namespace

TEST_CASE("attainment: split credit (by hand)", "[cli][attainment]") {
  const auto r = run(split_opportunities_csv, quotas_csv, "2026-02-01",
                     {"--splits", write_temp("splits.csv", splits_csv)});
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  // Booked: Ann 60 % of o1 + 50 % of o4 = 600 + 200; Bob 40 % of o1 + o2 = 400 + 800.
  // Dan has no quota: his half of o4 (200) counts for nobody.
  CHECK(j["reps"][0]["booked"].get<double>() == 800);
  CHECK(j["reps"][1]["booked"].get<double>() == 1200);
  CHECK(j["reps"][2]["booked"].get<double>() == 0);
  CHECK(j["teams"][0]["booked"].get<double>() == 2000);
  CHECK(j["total"]["booked"].get<double>() == 2000);
  // Open o3 (3000 at 1/2) is split 50/50 between Bob (east) and Cy (west).
  // Bob: 1200 + 1500 B >= 2000 with P 1/2; Cy: 1500 B >= 500 with P 1/2.
  CHECK(j["reps"][1]["p_hit"].get<double>() == 0.5);
  CHECK(j["reps"][1]["weighted_pipeline"].get<double>() == 750);
  CHECK(j["reps"][2]["p_hit"].get<double>() == 0.5);
  CHECK(j["teams"][1]["p_hit"].get<double>() == 0.5);
  // The company sees o3 once, as one 3000 deal: revenue 2000 or 5000, P(>= 3500) = 1/2.
  // (Counting the two shares as independent deals would give 3/4.)
  CHECK(j["total"]["open_deals"].get<int>() == 1);
  CHECK(j["total"]["weighted_pipeline"].get<double>() == 1500);
  CHECK(j["total"]["p_hit"].get<double>() == 0.5);
  CHECK(j["total"]["p90"].get<double>() == 5000);
}

TEST_CASE("attainment: bad splits exit 2 naming the opportunity, file, row, column and value", "[cli][attainment]") {
  auto run_splits = [](const std::string& splits) {
    return run(split_opportunities_csv, quotas_csv, "2026-02-01", {"--splits", write_temp("splits.csv", splits)});
  };
  auto r = run_splits("opportunity,owner,percent\no1,ann,60\no1,bob,30\n");
  CHECK(r.status == 2);
  CHECK(has(r.err, "splits.csv: the percentages of opportunity 'o1' (rows 1, 2) sum to 90, not 100"));
  // Also a split of a deal that does not count in the period (o2 is won, o4 owned by Dan).
  r = run_splits("opportunity,owner,percent\no4,dan,70\no4,ann,50\n");
  CHECK(r.status == 2);
  CHECK(has(r.err, "opportunity 'o4' (rows 1, 2) sum to 120"));
  r = run_splits("opportunity,owner,percent\no1,ann,60\no9,bob,40\n");
  CHECK(r.status == 2);
  CHECK(has(r.err, "splits.csv: column 'opportunity' at row 2 is 'o9', not an id of"));
  r = run_splits("opportunity,owner,percent\no1,ann,0\no1,bob,100\n");
  CHECK(r.status == 2);
  CHECK(has(r.err, "splits.csv: column 'percent' at row 1 is '0', not in (0, 100]"));
  r = run_splits("opportunity,owner,percent\no1,ann,sixty\n");
  CHECK(r.status == 2);
  CHECK(has(r.err, "splits.csv: column 'percent' at row 1 is not a number ('sixty')"));
  r = run_splits("opportunity,owner\no1,ann\n");
  CHECK(r.status == 2);
  CHECK(has(r.err, "splits.csv: missing column 'percent'"));
  // --splits needs deal ids, and ids must be unique.
  r = run(opportunities_csv, quotas_csv, "2026-02-01", {"--splits", write_temp("splits.csv", splits_csv)});
  CHECK(r.status == 2);
  CHECK(has(r.err, "--splits needs an 'id' column"));
  std::string dup = split_opportunities_csv;
  dup += "o2,cy,5,2026-01-03,won,1\n";
  r = run(dup, quotas_csv, "2026-02-01", {"--splits", write_temp("splits.csv", splits_csv)});
  CHECK(r.status == 2);
  CHECK(has(r.err, "opps.csv: column 'id' at row 5 is 'o2', the id of an earlier row"));
}

// ---- team moves -----------------------------------------------------------------------------

namespace {
// Q1 2026 has 90 days. Bob moves from east to west on 15 February: 45 days in each.
const char* history_csv = "owner,team,from\nbob,west,2026-02-15\n";
const char* moving_opportunities_csv =
    "owner,amount,close_date,outcome,probability\n"
    "ann,600,2026-01-15,won,1\n"
    "bob,500,2026-01-31,won,1\n"
    "bob,700,2026-02-20,won,1\n"
    "bob,1000,2026-03-10,open,0.5\n"
    "cy,400,2026-02-25,won,1\n";
} // namespace

TEST_CASE("attainment: team moves, owner at close, quotas prorated by days in team (by hand)", "[cli][attainment]") {
  const auto r = run(moving_opportunities_csv, quotas_csv, "2026-03-01",
                     {"--team-history", write_temp("history.csv", history_csv)});
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["credit_rule"] == "owner-at-close");
  CHECK(j["team_quota"] == "prorated");
  // Credit at close: east gets Ann 600 + Bob's January 500; west Bob's 700 (20 Feb) + Cy 400.
  // Quotas: east 1000 + 2000 * 45/90 = 2000; west 500 + 2000 * 45/90 = 1500.
  const auto& east = j["teams"][0];
  const auto& west = j["teams"][1];
  CHECK(east["booked"].get<double>() == 1100);
  CHECK(east["quota"].get<double>() == Approx(2000));
  CHECK(east["attainment"].get<double>() == Approx(0.55));
  CHECK(west["booked"].get<double>() == 1100);
  CHECK(west["quota"].get<double>() == Approx(1500));
  CHECK(west["attainment"].get<double>() == Approx(1100.0 / 1500.0));
  // Bob's open 1000 (expected 10 March) is west's: 1100 + 1000 B >= 1500 with P 1/2.
  CHECK(west["open_deals"].get<int>() == 1);
  CHECK(west["p_hit"].get<double>() == 0.5);
  CHECK(east["open_deals"].get<int>() == 0);
  // Rep lines and the company do not depend on the team rules.
  CHECK(j["reps"][1]["booked"].get<double>() == 1200);
  CHECK(j["total"]["booked"].get<double>() == 2200);
  CHECK(j["total"]["quota"].get<double>() == 3500);
}

TEST_CASE("attainment: --credit-rule owner-at-as-of and --team-quota as-of (by hand)", "[cli][attainment]") {
  const std::string history = write_temp("history.csv", history_csv);
  auto r = run(moving_opportunities_csv, quotas_csv, "2026-03-01",
               {"--team-history", history, "--credit-rule", "owner-at-as-of", "--team-quota", "as-of"});
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  // On 1 March Bob is in west: all his 1200 and his whole 2000 quota go there.
  // East: 600 / 1000; west: (1200 + 400) / (2000 + 500) = 0.64; his open deal too.
  CHECK(j["teams"][0]["attainment"].get<double>() == 0.6);
  CHECK(j["teams"][1]["booked"].get<double>() == 1600);
  CHECK(j["teams"][1]["attainment"].get<double>() == 0.64);
  CHECK(j["teams"][1]["p_hit"].get<double>() == 0.5); // 1600 + 1000 B >= 2500
  // Credit at close with quotas on the as-of date: east keeps Bob's January 500 without his
  // quota, 1100 / 1000 = 1.1 — the mismatch prorating avoids.
  r = run(moving_opportunities_csv, quotas_csv, "2026-03-01", {"--team-history", history, "--team-quota", "as-of"});
  REQUIRE(r.status == 0);
  j = nlohmann::json::parse(r.out);
  CHECK(j["teams"][0]["attainment"].get<double>() == Approx(1.1));
  CHECK(j["teams"][1]["attainment"].get<double>() == Approx(1100.0 / 2500.0));
  r = run(moving_opportunities_csv, quotas_csv, "2026-03-01", {"--credit-rule", "owner-at-lunch"});
  CHECK(r.status == 2);
}

TEST_CASE("attainment: a team everyone left has no quota and null ratios", "[cli][attainment]") {
  // Cy is in north from before the quarter: west (his quota-file team) has nobody.
  const auto r = run(moving_opportunities_csv, quotas_csv, "2026-03-01",
                     {"--team-history", write_temp("history.csv", "owner,team,from\ncy,north,2025-12-01\n")});
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["teams"].size() == 3);
  CHECK(j["teams"][1]["name"] == "west");
  CHECK(j["teams"][1]["quota"].get<double>() == 0);
  CHECK(j["teams"][1]["attainment"].is_null());
  CHECK(j["teams"][1]["p_hit"].is_null());
  CHECK(j["teams"][2]["name"] == "north");
  CHECK(j["teams"][2]["quota"].get<double>() == 500);
  CHECK(j["teams"][2]["attainment"].get<double>() == 0.8); // Cy's 400
}

TEST_CASE("attainment: bad team history exits 2 naming file, row, column and value", "[cli][attainment]") {
  auto r = run(moving_opportunities_csv, quotas_csv, "2026-03-01",
               {"--team-history", write_temp("history.csv", "owner,team,from\nbob,west,2026-02-30\n")});
  CHECK(r.status == 2);
  CHECK(has(r.err, "history.csv: column 'from' at row 1 is '2026-02-30', not a date"));
  r = run(moving_opportunities_csv, quotas_csv, "2026-03-01",
          {"--team-history", write_temp("history.csv", "owner,from\nbob,2026-02-03\n")});
  CHECK(r.status == 2);
  CHECK(has(r.err, "history.csv: missing column 'team'"));
}

// ---- forecast categories ------------------------------------------------------------------

TEST_CASE("attainment: forecast-category roll-up, single and cumulative (by hand)", "[cli][attainment]") {
  const std::string opps =
      "owner,amount,close_date,outcome,probability,forecast_category\n"
      "ann,600,2026-01-15,won,1,closed\n"
      "ann,300,2026-02-20,open,0.5,commit\n"
      "ann,200,2026-03-20,open,0.3,Best Case\n"
      "bob,500,2026-01-31,won,1,\n"
      "bob,1000,2026-03-10,open,0.5,pipeline\n"
      "bob,700,2026-03-20,open,0.5,omitted\n"
      "cy,800,2026-03-01,open,0.25,commit\n";
  const auto r = run(opps, quotas_csv, "2026-02-01");
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  // Ann (quota 1000): closed 600, commit 300, best case 200.
  const auto& ann = j["reps"][0]["forecast_categories"];
  CHECK(ann["closed"].get<double>() == 0.6);
  CHECK(ann["commit"].get<double>() == 0.3);
  CHECK(ann["best_case"].get<double>() == 0.2);
  CHECK(ann["pipeline"].get<double>() == 0.0);
  CHECK(ann["closed_commit"].get<double>() == 0.9);
  CHECK(ann["closed_commit_best_case"].get<double>() == Approx(1.1));
  CHECK(ann["closed_all"].get<double>() == Approx(1.1));
  // Bob (2000): closed 500, pipeline 1000; the omitted 700 is in no category (but in P(hit)).
  const auto& bob = j["reps"][1]["forecast_categories"];
  CHECK(bob["pipeline"].get<double>() == 0.5);
  CHECK(bob["closed_all"].get<double>() == 0.75);
  CHECK(j["reps"][1]["open_deals"].get<int>() == 2);
  // East (3000): closed 1100, commit 300, best case 200, pipeline 1000.
  const auto& east = j["teams"][0]["forecast_categories"];
  CHECK(east["closed_commit"].get<double>() == Approx(1400.0 / 3000.0));
  CHECK(east["closed_all"].get<double>() == Approx(2600.0 / 3000.0));
  // Company (3500): commit 300 + 800; all = 1100 + 1100 + 200 + 1000 = 3400.
  const auto& total = j["total"]["forecast_categories"];
  CHECK(total["commit"].get<double>() == Approx(1100.0 / 3500.0));
  CHECK(total["closed_all"].get<double>() == Approx(3400.0 / 3500.0));
  // A category that is not one: file, row, column and value.
  std::string bad = opps;
  bad += "cy,100,2026-03-02,open,0.5,maybe\n";
  const auto b = run(bad, quotas_csv, "2026-02-01");
  CHECK(b.status == 2);
  CHECK(has(b.err, "opps.csv: column 'forecast_category' at row 8 is 'maybe'"));
}

TEST_CASE("attainment: bad values name file, row, column and value", "[cli][attainment]") {
  auto r = run(opportunities_csv, "owner,period_start,period_end,amount\nann,2026-01-01,2026-04-01,0\n", "2026-02-01");
  CHECK(r.status == 2);
  CHECK(has(r.err, "quotas.csv: column 'amount' at row 1 is '0', not a positive quota"));
  r = run("owner,amount,close_date,outcome,probability\nann,600,2026-02-30,won,1\n", quotas_csv, "2026-02-01");
  CHECK(r.status == 2);
  CHECK(has(r.err, "opps.csv: column 'close_date' at row 1 is '2026-02-30', not a date"));
  r = run("owner,amount,close_date,outcome,probability\nann,600,2026-02-15,open,1.5\n", quotas_csv, "2026-02-01");
  CHECK(r.status == 2);
  CHECK(has(r.err, "opps.csv: column 'probability' at row 1 is '1.5', not in [0, 1]"));
  r = run("owner,amount,close_date,outcome,probability\nann,-5,2026-01-15,won,1\n", quotas_csv, "2026-02-01");
  CHECK(r.status == 2);
  CHECK(has(r.err, "opps.csv: column 'amount' at row 1 is '-5'"));
  r = run(opportunities_csv, "owner,period_start,period_end,amount\nann,2026-04-01,2026-01-01,10\n", "2026-02-01");
  CHECK(r.status == 2);
  CHECK(has(r.err, "quotas.csv: column 'period_end' at row 1 is '2026-01-01', not after period_start 2026-04-01"));
  r = run(opportunities_csv, quotas_csv, "2026-02-31");
  CHECK(r.status == 2);
  CHECK(has(r.err, "--as-of is '2026-02-31'"));
}

TEST_CASE("attainment: every option together (the docs/quota.md example, by hand)", "[cli][attainment]") {
  const std::string quotas =
      "owner,period_start,period_end,amount,team,quota_type\n"
      "ann,2026-01-01,2026-04-01,1000,east,new_business\n"
      "ann,2026-01-01,2026-04-01,500,east,renewal\n"
      "bob,2026-01-01,2026-04-01,2000,east,new_business\n"
      "bob,2026-01-01,2026-04-01,1000,east,renewal\n"
      "cy,2026-01-01,2026-04-01,500,west,new_business\n"
      "cy,2026-01-01,2026-04-01,250,west,renewal\n";
  const std::string opps =
      "id,owner,amount,close_date,outcome,probability,quota_type,forecast_category\n"
      "o1,ann,1000,2026-01-10,won,1,new_business,closed\n"
      "o2,ann,600,2026-01-25,won,1,renewal,closed\n"
      "o3,bob,700,2026-02-20,won,1,new_business,closed\n"
      "o4,bob,3000,2026-03-10,open,0.5,new_business,commit\n"
      "o5,cy,400,2026-02-25,won,1,renewal,closed\n"
      "o6,cy,800,2026-03-20,open,0.25,new_business,best_case\n";
  const std::string splits = "opportunity,owner,percent\no1,ann,60\no1,bob,40\no4,bob,50\no4,cy,50\n";
  const auto r = run(opps, quotas, "2026-03-01",
                     {"--quota-weights", "new_business=0.7,renewal=0.3", "--splits",
                      write_temp("splits.csv", splits), "--team-history", write_temp("history.csv", history_csv)});
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  // Ann: 60 % of o1 (600 new business) + o2 (600 renewals): 0.7 * 0.6 + 0.3 * 1.2 = 0.78.
  CHECK(j["reps"][0]["booked"].get<double>() == 1200);
  CHECK(j["reps"][0]["weighted_attainment"].get<double>() == Approx(0.78));
  // Bob: 400 of o1 + o3 700 = 1100 new business: 0.7 * 1100 / 2000 = 0.385.
  CHECK(j["reps"][1]["weighted_attainment"].get<double>() == Approx(0.385));
  // Cy: 400 renewals + 1500 B1 (half of o4) + 800 B2 >= 750 unless both fail:
  // 1 - 0.5 * 0.75 = 0.625; commit 1500 / 750 = 2, best case 800 / 750.
  const auto& cy = j["reps"][2];
  CHECK(cy["p_hit"].get<double>() == 0.625);
  CHECK(cy["forecast_categories"]["commit"].get<double>() == 2.0);
  CHECK(cy["forecast_categories"]["closed_all"].get<double>() == Approx((400.0 + 1500 + 800) / 750));
  CHECK(cy["by_type"]["renewal"]["attainment"].get<double>() == 1.6);
  // Teams: Bob 45 days in each; east 1500 + 1500 = 3000 with o1 and o2 = 1600;
  // west 750 + 1500 = 2250 with o3 + o5 = 1100 and o4 once as a 3000 deal (both owners in
  // west on 10 March): P(1100 + 3000 B1 + 800 B2 >= 2250) = 1/2.
  CHECK(j["teams"][0]["quota"].get<double>() == Approx(3000));
  CHECK(j["teams"][0]["booked"].get<double>() == 1600);
  CHECK(j["teams"][1]["quota"].get<double>() == Approx(2250));
  CHECK(j["teams"][1]["booked"].get<double>() == 1100);
  CHECK(j["teams"][1]["open_deals"].get<int>() == 2);
  CHECK(j["teams"][1]["p_hit"].get<double>() == 0.5);
  // West by type: new business 700 / 1500 (500 + 2000 * 45/90), renewals 400 / 750.
  CHECK(j["teams"][1]["by_type"]["new_business"]["quota"].get<double>() == Approx(1500));
  CHECK(j["teams"][1]["weighted_attainment"].get<double>() == Approx(0.7 * 700 / 1500 + 0.3 * 400 / 750));
  CHECK(j["total"]["booked"].get<double>() == 2700);
  CHECK(j["total"]["p_hit"].get<double>() == 0.5); // 2700 + 3000 >= 5250 iff o4 closes
}
