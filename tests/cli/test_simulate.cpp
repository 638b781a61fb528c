// In-process tests of `salesops simulate` (examples/cli/cmd_simulate.cpp). Reference: the
// library's simulate_crm / simulate_events with the same options (the files must hold exactly
// those rows), and hand-computed sizes.
#include "cli.hpp"

#include <salesops/simulate.hpp>

#include <catch2/catch.hpp>

#include "run_cli.hpp"
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace sim = salesops::simulate;
using Catch::Matchers::Contains;

namespace {

using result = cli_result;

result run(std::vector<std::string> args) { return run_args(std::move(args)); }

salesops_cli::csv_table read(const fs::path& file) { return salesops_cli::read_csv_file(file.string()); }

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::vector<std::string> files = {
    "regions.csv",       "teams.csv",           "reps.csv",        "team_moves.csv",
    "opportunities.csv", "stage_history.csv",   "close_date_changes.csv", "quotas.csv",
    "activities.csv",    "events.csv"};

} // namespace

TEST_CASE("simulate writes every table with its header and the library's rows", "[cli][simulate]") {
  temp_dir dir("simulate_tables");
  const fs::path out = dir.path / "nested" / "crm"; // parents are created
  const result r = run({"simulate", "--output", out.string(), "--seed", "3", "--reps", "12",
                        "--months", "6", "--events", "5000"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto summary = nlohmann::json::parse(r.out);
  CHECK(summary["seed"] == 3);
  CHECK(summary["start"] == "2024-01-01");
  for (const auto& name : files) {
    INFO(name);
    REQUIRE(fs::exists(out / name));
    CHECK(summary["rows"][name].get<std::size_t>() == read(out / name).rows.size());
  }
  CHECK(read(out / "opportunities.csv").header ==
        std::vector<std::string>{"id", "owner", "segment", "source", "product", "created",
                                 "close_date", "outcome", "amount", "forecast_category"});
  CHECK(read(out / "stage_history.csv").header ==
        std::vector<std::string>{"opportunity", "stage", "stage_name", "entered_at"});
  CHECK(read(out / "events.csv").header == std::vector<std::string>{"entity", "timestamp", "steps"});
  CHECK(read(out / "quotas.csv").header ==
        std::vector<std::string>{"rep", "period", "period_start", "period_end", "amount"});
  CHECK(read(out / "reps.csv").header ==
        std::vector<std::string>{"rep", "team", "region", "start", "ramp_months", "skill"});

  // The same rows as the library with the same configuration.
  sim::config cfg;
  cfg.seed = 3;
  cfg.reps = 12;
  cfg.months = 6;
  const sim::dataset d = sim::simulate_crm(cfg);
  const auto opp = read(out / "opportunities.csv");
  REQUIRE(opp.rows.size() == d.opportunities.size());
  const auto ids = opp.integers("id");
  const auto created = opp.integers("created");
  const auto amount = opp.numbers("amount");
  const auto outcome = opp.strings("outcome");
  const auto segment = opp.strings("segment");
  for (std::size_t i = 0; i < opp.rows.size(); ++i) {
    CHECK(ids[i] == static_cast<long long>(d.opportunities.id[i]));
    CHECK(created[i] == d.opportunities.created[i]);
    CHECK(std::fabs(amount[i] - d.opportunities.amount[i]) <= 0.005); // written to the cent
    std::ostringstream o;
    o << d.opportunities.outcome[i];
    CHECK(outcome[i] == o.str());
    CHECK(segment[i] == cfg.segments[d.opportunities.segment[i]].name);
  }
  const auto stages = read(out / "stage_history.csv");
  REQUIRE(stages.rows.size() == d.opportunities.stage.size());
  const auto stage_opp = stages.integers("opportunity");
  const auto entered = stages.integers("entered_at");
  for (std::size_t k = 0; k < stages.rows.size(); ++k) {
    CHECK(stage_opp[k] == static_cast<long long>(d.opportunities.id[d.opportunities.stage_opportunity[k]]));
    CHECK(entered[k] == d.opportunities.entered_at[k]);
  }
  CHECK(read(out / "activities.csv").rows.size() == d.activities.rep.size());
  CHECK(read(out / "quotas.csv").rows.size() == d.quotas.rep.size());
  CHECK(read(out / "close_date_changes.csv").rows.size() == d.opportunities.changed_on.size());

  // --events 5000 with the default event model: 1 + 1 + (0.6 + 0.3 + 0.12) x 0.95 = 2.969
  // rows per entity, so round(5000 / 2.969) = 1684 entities.
  const auto truth = nlohmann::json::parse(slurp(out / "ground_truth.json"));
  CHECK(truth["event_reached"][0] == 1684);
  CHECK(truth["stages"].size() == 5);
  CHECK(truth["transitions"][0][1].get<double>() == cfg.stages.transitions(0, 1));
  CHECK(truth["rep_skill"].size() == 12);
  const auto events = read(out / "events.csv");
  const auto entity = events.integers("entity");
  CHECK(entity.back() == 1683);
}

TEST_CASE("simulate is deterministic in --seed", "[cli][simulate]") {
  temp_dir dir("simulate_seed");
  const auto args = [&](const std::string& sub, const std::string& seed) {
    return std::vector<std::string>{"simulate", "--output", (dir.path / sub).string(), "--seed",
                                    seed, "--reps", "6", "--months", "3", "--entities", "200"};
  };
  REQUIRE(run(args("a", "5")).status == 0);
  REQUIRE(run(args("b", "5")).status == 0);
  REQUIRE(run(args("c", "6")).status == 0);
  for (const auto& name : files) {
    INFO(name);
    CHECK(slurp(dir.path / "a" / name) == slurp(dir.path / "b" / name));
  }
  CHECK(slurp(dir.path / "a" / "opportunities.csv") != slurp(dir.path / "c" / "opportunities.csv"));
  CHECK(slurp(dir.path / "a" / "events.csv") != slurp(dir.path / "c" / "events.csv"));
  CHECK(read(dir.path / "a" / "events.csv").integers("entity").back() == 199);
}

TEST_CASE("simulate rejects bad options with exit status 2", "[cli][simulate]") {
  temp_dir dir("simulate_bad");
  const std::string out = (dir.path / "x").string();
  result r = run({"simulate", "--output", out, "--months", "0"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("months must be positive (is 0)"));
  CHECK_FALSE(fs::exists(out)); // validated before anything is written

  r = run({"simulate", "--output", out, "--start", "2024-01-15"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("start is 2024-01-15, not the first day of a month"));

  r = run({"simulate", "--output", out, "--start", "January"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--start 'January'") && Contains("not an ISO 8601 date YYYY-MM-DD"));

  r = run({"simulate", "--output", out, "--step-probabilities", "0.5,2"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("step_probabilities at row 1 is 2"));

  r = run({"simulate", "--output", out, "--reps", "-4"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--reps: -4 is negative"));

  // --entities -5 used to count as "not given" (its default -1 meant: derive from --events).
  r = run({"simulate", "--output", out, "--entities", "-5"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--entities: -5 is negative"));
  r = run({"simulate", "--output", out, "--events", "1000000001"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--events: 1000000001 is more than 1000000000"));

  r = run({"simulate", "--output", out, "--reps", "3"}); // 6 teams
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("reps is 3, fewer than the 6 teams"));

  CHECK(run({"simulate", "--output", out, "--events", "10", "--entities", "10"}).status == 2);
  CHECK(run({"simulate"}).status == 2); // --output is required
}
