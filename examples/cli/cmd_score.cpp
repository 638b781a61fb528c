// `salesops score`: composite rep scorecard with per-KPI contributions, tiers and bootstrap
// rank intervals (salesops::scoring::scorecard_of and bootstrap_rank_intervals).
//   salesops score [--weight KPI=W]... [--lower-is-better KPI]... [--method z|robust|
//                  percentile|minmax] [--group COLUMN] [--tiers P1,P2,... | --thresholds
//                  T1,T2,...] [--replicates 1000] [--top-k 1] [--level 0.95] [--seed 1]
// reads CSV with a `rep` column and one numeric column per KPI. Several rows per rep (e.g.
// one per period) are averaged into the rep's KPI vector, and the bootstrap resamples each
// rep's rows; with a single row per rep the rank intervals collapse onto the point rank.
// Without --weight every column except rep (and the --group column) is a KPI of weight 1.
// Prints {"method", "kpis": [{"name", "weight", "direction"}], "thresholds", "replicates",
// "top_k", "level", "reps": [{"rep", "score", "rank", "tier", "contributions": {KPI: ...},
// "rank_lower", "rank_upper", "mean_rank", "prob_top_k"}]}, reps in order of first appearance.
#include "cli.hpp"

#include <algorithm>
#include <cstddef>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <salesops/scoring/rank_uncertainty.hpp>
#include <salesops/scoring/scorecard.hpp>

namespace {

namespace sc = salesops::scoring;

struct score_options {
  std::vector<std::string> weights;
  std::vector<std::string> lower_is_better;
  std::string method = "z";
  std::string group;
  std::vector<double> tiers;
  std::vector<double> thresholds;
  std::size_t replicates = 1000;
  std::size_t top_k = 1;
  double level = 0.95;
  unsigned long long seed = 1;
};

sc::normalization parse_method(const std::string& m) {
  if (m == "robust") return sc::normalization::robust_z;
  if (m == "percentile") return sc::normalization::percentile_rank;
  if (m == "minmax") return sc::normalization::min_max;
  return sc::normalization::z_score;
}

void run_score(const score_options& opt, salesops_cli::io& io) {
  const auto table = salesops_cli::read_csv(io.in);
  const auto rep_names = table.strings("rep");
  // KPI names and weights, in the order given (or the table's column order).
  std::vector<sc::kpi_spec> specs;
  if (opt.weights.empty()) {
    for (const auto& col : table.header)
      if (col != "rep" && col != opt.group) specs.push_back({col, 1.0, sc::direction::higher_is_better});
  } else {
    for (const auto& w : opt.weights) {
      const auto eq = w.find('=');
      if (eq == std::string::npos || eq == 0)
        throw salesops_cli::input_error("score: --weight " + w + " is not KPI=WEIGHT");
      double value = 0;
      std::istringstream parse(w.substr(eq + 1));
      if (!(parse >> value) || !parse.eof())
        throw salesops_cli::input_error("score: --weight " + w + " has no numeric weight");
      specs.push_back({w.substr(0, eq), value, sc::direction::higher_is_better});
    }
  }
  if (specs.empty()) throw salesops_cli::input_error("score: no KPI column besides rep");
  for (const auto& name : opt.lower_is_better) {
    auto it = std::find_if(specs.begin(), specs.end(), [&](const sc::kpi_spec& s) { return s.name == name; });
    if (it == specs.end())
      throw salesops_cli::input_error("score: --lower-is-better " + name + " is not a scored KPI");
    it->dir = sc::direction::lower_is_better;
  }
  // Reps in order of first appearance; rows grouped by rep index.
  std::map<std::string, std::size_t> index;
  std::vector<std::string> reps;
  std::vector<std::size_t> rep_of_row(rep_names.size());
  for (std::size_t r = 0; r < rep_names.size(); ++r) {
    auto [it, fresh] = index.emplace(rep_names[r], reps.size());
    if (fresh) reps.push_back(rep_names[r]);
    rep_of_row[r] = it->second;
  }
  std::vector<std::string> groups;
  if (!opt.group.empty()) {
    const auto g = table.strings(opt.group);
    groups.assign(reps.size(), "");
    for (std::size_t r = 0; r < g.size(); ++r) {
      auto& slot = groups[rep_of_row[r]];
      if (!slot.empty() && slot != g[r])
        throw salesops_cli::input_error("score: rep " + rep_names[r] + " is in two groups (" +
                                        slot + ", " + g[r] + ")");
      if (g[r].empty())
        throw salesops_cli::input_error("score: rep " + rep_names[r] + " has no " + opt.group +
                                        " (data row " + std::to_string(r + 1) + ")");
      slot = g[r];
    }
  }
  Eigen::MatrixXd obs(static_cast<Eigen::Index>(rep_names.size()), static_cast<Eigen::Index>(specs.size()));
  for (std::size_t j = 0; j < specs.size(); ++j) {
    const auto col = table.column(specs[j].name);
    for (std::size_t r = 0; r < rep_names.size(); ++r)
      obs(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) = table.number(r, col);
  }
  Eigen::MatrixXd means = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(reps.size()), obs.cols());
  std::vector<double> count(reps.size(), 0);
  for (std::size_t r = 0; r < rep_of_row.size(); ++r) {
    means.row(static_cast<Eigen::Index>(rep_of_row[r])) += obs.row(static_cast<Eigen::Index>(r));
    ++count[rep_of_row[r]];
  }
  for (std::size_t i = 0; i < reps.size(); ++i) means.row(static_cast<Eigen::Index>(i)) /= count[i];

  sc::scorecard_options so;
  so.method = parse_method(opt.method);
  if (!opt.thresholds.empty()) so.tiers = {opt.thresholds, false};
  else if (!opt.tiers.empty()) so.tiers = {opt.tiers, true};
  const salesops::span<const std::string> group_span(groups.data(), groups.size());
  const auto card = sc::scorecard_of(means, specs, so, group_span);
  sc::rank_options ro;
  ro.replicates = opt.replicates;
  ro.top_k = opt.top_k;
  ro.level = opt.level;
  ro.seed = opt.seed;
  const auto ranks = sc::bootstrap_rank_intervals(obs, rep_of_row, specs, so.method, ro, group_span);

  nlohmann::json out{{"method", std::string(sc::to_string(so.method))},
                     {"thresholds", card.thresholds},
                     {"replicates", ranks.replicates},
                     {"top_k", ranks.top_k},
                     {"level", ranks.level}};
  auto& kpis = out["kpis"] = nlohmann::json::array();
  for (std::size_t j = 0; j < specs.size(); ++j)
    kpis.push_back({{"name", specs[j].name},
                    {"weight", card.weights[j]},
                    {"direction", specs[j].dir == sc::direction::higher_is_better ? "higher" : "lower"}});
  auto& rows = out["reps"] = nlohmann::json::array();
  for (std::size_t i = 0; i < reps.size(); ++i) {
    const auto& r = card.reps[i];
    const auto& u = ranks.reps[i];
    nlohmann::json contributions = nlohmann::json::object();
    for (std::size_t j = 0; j < specs.size(); ++j) contributions[specs[j].name] = r.contributions[j];
    rows.push_back({{"rep", reps[i]},
                    {"score", r.score},
                    {"rank", r.rank},
                    {"tier", r.tier},
                    {"contributions", contributions},
                    {"rank_lower", u.lower},
                    {"rank_upper", u.upper},
                    {"mean_rank", u.mean_rank},
                    {"prob_top_k", u.prob_top_k}});
  }
  io.out << out.dump() << "\n";
}

const salesops_cli::registrar reg{
    {"score", "composite rep scorecard: scores, per-KPI contributions, tiers, rank intervals",
     [](CLI::App& app) -> salesops_cli::action {
       auto opt = std::make_shared<score_options>();
       app.add_option("--weight", opt->weights, "KPI=WEIGHT (repeatable; default: every column, weight 1)");
       app.add_option("--lower-is-better", opt->lower_is_better, "KPI where smaller is better (repeatable)");
       app.add_option("--method", opt->method, "z, robust, percentile or minmax (default z)")
           ->check(CLI::IsMember({"z", "robust", "percentile", "minmax"}));
       app.add_option("--group", opt->group, "column of peer groups: normalise within each group");
       app.add_option("--tiers", opt->tiers, "tier cut probabilities (default 0.25,0.75)")->delimiter(',');
       app.add_option("--thresholds", opt->thresholds, "tier cut scores instead of quantiles")->delimiter(',');
       app.add_option("--replicates", opt->replicates, "bootstrap replicates (default 1000)");
       app.add_option("--top-k", opt->top_k, "k of prob_top_k (default 1)");
       app.add_option("--level", opt->level, "level of the rank intervals (default 0.95)");
       app.add_option("--seed", opt->seed, "bootstrap seed (default 1)");
       return [opt](salesops_cli::io& io) { run_score(*opt, io); };
     }}};

} // namespace
