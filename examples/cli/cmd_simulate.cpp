// `salesops simulate`: writes a synthetic CRM (salesops::simulate) as CSV files to a folder.
//
//   salesops simulate --output DIR [--seed N] [--reps N] [--regions N] [--teams-per-region N]
//                     [--months N] [--start YYYY-MM-DD] [--deals-per-rep-month X]
//                     [--events N | --entities N] [--step-probabilities P,P,...]
//
// Creates DIR (and parents) and writes, each with a header row: regions.csv, teams.csv,
// reps.csv, team_moves.csv, opportunities.csv, stage_history.csv, close_date_changes.csv,
// quotas.csv, activities.csv, events.csv and ground_truth.json. Dates are integer days since
// 1970-01-01 and timestamps integer seconds (the library's types); categories are names.
// Opportunities, activities and events are streamed to disk block by block, so memory stays
// bounded whatever the size. Prints a JSON summary (row counts per file) on standard output.
#include "cli.hpp"

#include <salesops/simulate.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace sim = salesops::simulate;

struct simulate_options {
  std::string output;
  std::uint64_t seed = 1;
  long long reps = 36;
  long long regions = 3;
  long long teams_per_region = 2;
  int months = 24;
  std::string start = "2024-01-01";
  double deals_per_rep_month = 8;
  long long events = 100000;
  long long entities = -1; // -1: derived from --events
  std::vector<double> step_probabilities{0.6, 0.5, 0.4};
};

// "YYYY-MM-DD" -> date (core's parser); bad text is an input error naming the option.
salesops::date parse_start(const std::string& text) {
  try {
    return salesops::parse_date(text);
  } catch (const salesops::invalid_input& e) {
    throw salesops_cli::input_error("simulate: --start '" + text + "': " + e.what());
  }
}

std::ofstream open_csv(const std::filesystem::path& dir, const char* name, const char* header) {
  std::ofstream out(dir / name);
  if (!out) throw salesops_cli::input_error("simulate: cannot write '" + (dir / name).string() + "'");
  out << header << '\n';
  return out;
}

// CSV-quotes a name when it holds a comma, quote or line break (RFC 4180).
std::string csv_text(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string quoted = "\"";
  for (char c : s) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

void close_csv(std::ofstream& out, const std::filesystem::path& dir, const char* name) {
  out.close();
  if (!out) throw std::runtime_error("simulate: error writing '" + (dir / name).string() + "'");
}

void run_simulate(const simulate_options& o, salesops_cli::io& io) {
  sim::config cfg;
  cfg.seed = o.seed;
  // Counts are in [0, max_count_option] (checked by the options).
  cfg.reps = static_cast<std::size_t>(o.reps);
  cfg.regions = static_cast<std::size_t>(o.regions);
  cfg.teams_per_region = static_cast<std::size_t>(o.teams_per_region);
  cfg.months = o.months;
  cfg.start = parse_start(o.start);
  cfg.opportunities_per_rep_month = o.deals_per_rep_month;
  sim::event_config ecfg;
  ecfg.seed = cfg.seed;
  ecfg.step_probabilities = o.step_probabilities;
  ecfg.window_start = salesops::timestamp_from_date(cfg.start);
  // Validate everything before touching the file system.
  const sim::ground_truth truth = sim::truth_of(cfg);
  const double per_entity = sim::expected_events_per_entity(ecfg);
  ecfg.entities =
      o.entities >= 0
          ? static_cast<std::uint64_t>(o.entities)
          : static_cast<std::uint64_t>(std::llround(static_cast<double>(o.events) / per_entity));

  const std::filesystem::path dir(o.output);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw salesops_cli::input_error("simulate: cannot create '" + o.output + "': " + ec.message());

  const sim::organisation org = sim::simulate_org(cfg);
  const sim::quota_table quotas = sim::simulate_quotas(cfg, org);
  nlohmann::json counts;

  {
    auto out = open_csv(dir, "regions.csv", "region,name");
    for (std::size_t i = 0; i < org.region_names.size(); ++i) out << i << ',' << csv_text(org.region_names[i]) << '\n';
    close_csv(out, dir, "regions.csv");
    counts["regions.csv"] = org.region_names.size();
  }
  {
    auto out = open_csv(dir, "teams.csv", "team,name,region");
    for (std::size_t i = 0; i < org.team_names.size(); ++i)
      out << i << ',' << csv_text(org.team_names[i]) << ',' << org.team_region[i] << '\n';
    close_csv(out, dir, "teams.csv");
    counts["teams.csv"] = org.team_names.size();
  }
  {
    auto out = open_csv(dir, "reps.csv", "rep,team,region,start,ramp_months,skill");
    out << std::setprecision(17);
    for (std::size_t i = 0; i < org.rep_count(); ++i)
      out << i << ',' << org.rep_team[i] << ',' << org.rep_region[i] << ',' << org.rep_start[i]
          << ',' << org.rep_ramp_months[i] << ',' << org.rep_skill[i] << '\n';
    close_csv(out, dir, "reps.csv");
    counts["reps.csv"] = org.rep_count();
  }
  {
    auto out = open_csv(dir, "team_moves.csv", "rep,effective,new_team");
    for (std::size_t i = 0; i < org.move_rep.size(); ++i)
      out << org.move_rep[i] << ',' << org.move_date[i] << ',' << org.move_team[i] << '\n';
    close_csv(out, dir, "team_moves.csv");
    counts["team_moves.csv"] = org.move_rep.size();
  }
  {
    auto out = open_csv(dir, "quotas.csv", "rep,period,period_start,period_end,amount");
    out << std::fixed << std::setprecision(2);
    for (std::size_t i = 0; i < quotas.rep.size(); ++i)
      out << quotas.rep[i] << ',' << quotas.period[i] << ',' << quotas.period_start[i] << ','
          << quotas.period_end[i] << ',' << quotas.amount[i] << '\n';
    close_csv(out, dir, "quotas.csv");
    counts["quotas.csv"] = quotas.rep.size();
  }

  auto opp = open_csv(dir, "opportunities.csv",
                      "id,owner,segment,source,product,created,close_date,outcome,amount,forecast_category");
  opp << std::fixed << std::setprecision(2);
  auto stages = open_csv(dir, "stage_history.csv", "opportunity,stage,stage_name,entered_at");
  auto changes = open_csv(dir, "close_date_changes.csv", "opportunity,changed_on,old_close,new_close");
  auto acts = open_csv(dir, "activities.csv", "rep,date,kind");
  std::uint64_t n_opp = 0, n_stage = 0, n_change = 0, n_act = 0;
  sim::simulate_crm_chunks(cfg, org, 64, [&](const sim::crm_chunk& chunk) {
    const auto& t = chunk.opportunities;
    for (std::size_t i = 0; i < t.size(); ++i)
      opp << t.id[i] << ',' << t.owner[i] << ',' << csv_text(cfg.segments[t.segment[i]].name) << ','
          << csv_text(cfg.sources[t.source[i]].name) << ',' << csv_text(cfg.products[t.product[i]].name)
          << ',' << t.created[i] << ',' << t.close_date[i] << ',' << t.outcome[i] << ','
          << t.amount[i] << ',' << t.forecast[i] << '\n';
    // Rows of a chunk refer to chunk rows; the files use the global opportunity id.
    for (std::size_t r = 0; r < t.stage.size(); ++r)
      stages << t.id[t.stage_opportunity[r]] << ',' << t.stage[r] << ','
             << csv_text(cfg.stages.names[t.stage[r]]) << ',' << t.entered_at[r] << '\n';
    for (std::size_t r = 0; r < t.changed_on.size(); ++r)
      changes << t.id[t.change_opportunity[r]] << ',' << t.changed_on[r] << ',' << t.old_close[r]
              << ',' << t.new_close[r] << '\n';
    const auto& a = chunk.activities;
    for (std::size_t r = 0; r < a.rep.size(); ++r)
      acts << a.rep[r] << ',' << a.date[r] << ',' << a.kind[r] << '\n';
    n_opp += t.size();
    n_stage += t.stage.size();
    n_change += t.changed_on.size();
    n_act += a.rep.size();
  });
  close_csv(opp, dir, "opportunities.csv");
  close_csv(stages, dir, "stage_history.csv");
  close_csv(changes, dir, "close_date_changes.csv");
  close_csv(acts, dir, "activities.csv");
  counts["opportunities.csv"] = n_opp;
  counts["stage_history.csv"] = n_stage;
  counts["close_date_changes.csv"] = n_change;
  counts["activities.csv"] = n_act;

  auto events = open_csv(dir, "events.csv", "entity,timestamp,steps");
  const sim::event_summary es = sim::simulate_events(ecfg, [&events](const sim::event_chunk& c) {
    for (std::size_t r = 0; r < c.entity.size(); ++r)
      events << c.entity[r] << ',' << c.timestamp[r] << ',' << c.steps[r] << '\n';
  });
  close_csv(events, dir, "events.csv");
  counts["events.csv"] = es.events;

  // Ground truth, for checking estimators against the parameters the data came from.
  nlohmann::json truth_json;
  truth_json["stages"] = cfg.stages.names;
  std::vector<std::vector<double>> matrix;
  for (Eigen::Index s = 0; s < truth.transitions.rows(); ++s) {
    matrix.emplace_back();
    for (Eigen::Index c = 0; c < truth.transitions.cols(); ++c) matrix.back().push_back(truth.transitions(s, c));
  }
  truth_json["transitions"] = matrix;
  truth_json["transition_columns"] = "stages in order, then won, then lost";
  truth_json["mean_stage_days"] = truth.mean_stage_days;
  truth_json["win_probability"] = std::vector<double>(truth.win_probability.data(),
                                                      truth.win_probability.data() + truth.win_probability.size());
  truth_json["expected_days_to_close"] = std::vector<double>(
      truth.expected_days_to_close.data(), truth.expected_days_to_close.data() + truth.expected_days_to_close.size());
  nlohmann::json segments = nlohmann::json::array();
  for (std::size_t s = 0; s < cfg.segments.size(); ++s)
    segments.push_back({{"name", cfg.segments[s].name},
                        {"log_mean", truth.amount_log_mean[s]},
                        {"log_sd", truth.amount_log_sd[s]}});
  truth_json["amount_by_segment"] = segments;
  truth_json["expected_amount"] = truth.expected_amount;
  truth_json["expected_win_probability"] = truth.expected_win_probability;
  truth_json["quarter_end_push"] = truth.quarter_end_push;
  truth_json["third_month_won_share"] = truth.third_month_won_share;
  truth_json["rep_skill"] = org.rep_skill;
  truth_json["event_step_probabilities"] = ecfg.step_probabilities;
  truth_json["event_reach_probability"] = es.reach_probability;
  truth_json["event_reached"] = es.reached;
  {
    std::ofstream out(dir / "ground_truth.json");
    out << truth_json.dump(2) << '\n';
    out.close();
    if (!out) throw std::runtime_error("simulate: error writing '" + (dir / "ground_truth.json").string() + "'");
  }

  nlohmann::json summary{{"output", o.output},
                         {"seed", cfg.seed},
                         {"start", salesops::format_date(cfg.start)},
                         {"months", cfg.months},
                         {"rows", counts}};
  io.out << summary.dump() << "\n";
}

const salesops_cli::registrar reg{
    {"simulate", "write a synthetic CRM (opportunities, stage history, events, quotas, reps...) as CSV",
     [](CLI::App& app) -> salesops_cli::action {
       auto o = std::make_shared<simulate_options>();
       app.add_option("--output", o->output, "folder to write the CSV files to (created)")->required();
       app.add_option("--seed", o->seed, "random seed (same seed, same files)")->capture_default_str();
       const CLI::Validator count = salesops_cli::count_option();
       // Event tables are written for benchmarks too: up to 10^9 rows (about 20 GB of CSV).
       const CLI::Validator event_count = salesops_cli::count_option(0, 1000000000);
       app.add_option("--reps", o->reps, "number of sales reps")
           ->capture_default_str()
           ->check(count);
       app.add_option("--regions", o->regions, "number of regions")
           ->capture_default_str()
           ->check(count);
       app.add_option("--teams-per-region", o->teams_per_region, "teams in each region")
           ->capture_default_str()
           ->check(count);
       app.add_option("--months", o->months, "simulated calendar months")->capture_default_str();
       app.add_option("--start", o->start, "first day, the 1st of a month (YYYY-MM-DD)")->capture_default_str();
       app.add_option("--deals-per-rep-month", o->deals_per_rep_month,
                      "new opportunities per fully ramped rep and month (Poisson mean)")
           ->capture_default_str();
       auto* events = app.add_option("--events", o->events,
                                     "approximate number of funnel events (entities = events / "
                                     "expected events per entity)")
                          ->capture_default_str()
                          ->check(event_count);
       app.add_option("--entities", o->entities, "number of event entities (instead of --events)")
           ->excludes(events)
           ->check(event_count);
       app.add_option("--step-probabilities", o->step_probabilities,
                      "P(reach step k+1 | step k) for each step after the first")
           ->delimiter(',')
           ->capture_default_str();
       return [o](salesops_cli::io& io) { run_simulate(*o, io); };
     }}};

} // namespace
