// `salesops score`: composite rep scorecard with per-KPI contributions, tiers and rank
// intervals (salesops::scoring::scorecard_of, bootstrap_rank_intervals and
// posterior_score_rank_intervals).
//   salesops score [--weight KPI=W]... [--lower-is-better KPI]... [--method z|robust|
//                  percentile|minmax] [--group COLUMN] [--tiers P1,P2,... | --thresholds
//                  T1,T2,...] [--replicates 1000] [--top-k 1] [--level 0.95] [--seed 1]
//                  [--intervals auto|bootstrap|posterior|none] [--wins COLUMN]
//                  [--trials COLUMN] [--prior mle|moments]
// reads CSV with a `rep` column and one numeric column per KPI. Several rows per rep (e.g.
// one per period) are averaged into the rep's KPI vector. When the table has win and trial
// count columns (`wins`, `trials` by default) they form the KPI `win_rate`: the rep's
// empirical-Bayes shrunk win rate (counts summed over the rep's rows, beta-binomial prior).
// Rank intervals need a source of uncertainty:
//   bootstrap  resamples each rep's rows (needs several rows per rep; not with win_rate);
//   posterior  draws each rep's win rate from its Beta posterior (needs the count columns);
//   none       the point ranks (rank_lower = rank_upper = rank), with a note saying why;
//   auto       posterior with count columns, else bootstrap when some rep has several rows,
//              else none.
// Without --weight every column except rep, the --group column and the count columns is a
// KPI of weight 1 (plus win_rate when the counts are there).
// Prints {"method", "kpis": [{"name", "weight", "direction"}], "thresholds", "intervals",
// "replicates", "top_k", "level", ["interval_note"], ["win_rate_prior": {"method", "alpha",
// "beta"}], ["fallbacks": [{"kpi", "group", "rule"}]], "reps": [{"rep", "score", "rank",
// "tier", "contributions": {KPI: ...}, "rank_lower", "rank_upper", "mean_rank",
// "prob_top_k", ["win_rate": {"wins", "trials", "raw", "shrunk", "lower", "upper"}]}]}, reps
// in order of first appearance.
#include "cli.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <salesops/scoring/rank_uncertainty.hpp>
#include <salesops/scoring/scorecard.hpp>
#include <salesops/scoring/shrinkage.hpp>

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
  std::string intervals = "auto";
  std::string wins = "wins";
  std::string trials = "trials";
  std::string prior = "mle";
};

constexpr const char* win_rate_kpi = "win_rate";

sc::normalization parse_method(const std::string& m) {
  if (m == "robust") return sc::normalization::robust_z;
  if (m == "percentile") return sc::normalization::percentile_rank;
  if (m == "minmax") return sc::normalization::min_max;
  return sc::normalization::z_score;
}

void run_score(const score_options& opt, salesops_cli::io& io) {
  const auto table = salesops_cli::read_csv(io.in);
  const auto rep_names = table.strings("rep");
  const bool counts = table.has_column(opt.wins) && table.has_column(opt.trials);
  if (counts && table.has_column(win_rate_kpi))
    throw salesops_cli::input_error("score: the table has a win_rate column and the count columns " +
                                    opt.wins + ", " + opt.trials + " that define win_rate; rename one");
  // KPI names and weights, in the order given (or the table's column order).
  std::vector<sc::kpi_spec> specs;
  if (opt.weights.empty()) {
    for (const auto& col : table.header)
      if (col != "rep" && col != opt.group && !(counts && (col == opt.wins || col == opt.trials)))
        specs.push_back({col, 1.0, sc::direction::higher_is_better});
    if (counts) specs.push_back({win_rate_kpi, 1.0, sc::direction::higher_is_better});
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
  const auto rate_it = std::find_if(specs.begin(), specs.end(),
                                    [](const sc::kpi_spec& s) { return s.name == win_rate_kpi; });
  const bool has_rate = counts && rate_it != specs.end();
  const auto rate_column = static_cast<std::size_t>(rate_it - specs.begin());
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
  // Observation rows; the win_rate column is filled from the counts below.
  Eigen::MatrixXd obs = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rep_names.size()),
                                              static_cast<Eigen::Index>(specs.size()));
  for (std::size_t j = 0; j < specs.size(); ++j) {
    if (has_rate && j == rate_column) continue;
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
  const bool several_rows = reps.size() < rep_names.size();

  // The win rate: counts summed per rep, shrunk by the empirical-Bayes prior.
  sc::win_rate_shrinkage shrinkage;
  if (has_rate) {
    const auto wins_in = table.unsigned_integers(opt.wins);
    const auto trials_in = table.unsigned_integers(opt.trials);
    std::vector<std::uint64_t> wins(reps.size(), 0), trials(reps.size(), 0);
    // Per-rep totals; a total past 2^64 - 1 would wrap around to a small count.
    const auto add = [&](std::uint64_t& total, std::uint64_t amount, std::size_t r,
                         const std::string& column) {
      if (amount > std::numeric_limits<std::uint64_t>::max() - total)
        throw salesops_cli::input_error("score: " + column + " of rep " + rep_names[r] +
                                        " exceed 2^64 - 1 in total at data row " +
                                        std::to_string(r + 1));
      total += amount;
    };
    for (std::size_t r = 0; r < rep_names.size(); ++r) {
      add(wins[rep_of_row[r]], wins_in[r], r, opt.wins);
      add(trials[rep_of_row[r]], trials_in[r], r, opt.trials);
    }
    shrinkage = sc::shrink_win_rates(wins, trials, opt.prior == "moments" ? sc::prior_method::moments
                                                                          : sc::prior_method::mle);
    for (std::size_t i = 0; i < reps.size(); ++i)
      means(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(rate_column)) = shrinkage.reps[i].shrunk;
  }

  std::string source = opt.intervals;
  if (source == "auto") source = has_rate ? "posterior" : several_rows ? "bootstrap" : "none";
  if (source == "posterior" && !has_rate)
    throw salesops_cli::input_error("score: --intervals posterior needs the count columns " + opt.wins +
                                    " and " + opt.trials + " and the win_rate KPI");
  if (source == "bootstrap" && has_rate)
    throw salesops_cli::input_error("score: --intervals bootstrap cannot resample the win_rate KPI "
                                    "(it comes from counts); use --intervals posterior");

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
  sc::rank_uncertainty ranks;
  if (source == "bootstrap") {
    ranks = sc::bootstrap_rank_intervals(obs, rep_of_row, specs, so.method, ro, group_span);
  } else if (source == "posterior") {
    ranks = sc::posterior_score_rank_intervals(means, specs, rate_column, shrinkage, so.method, ro, group_span);
  } else {
    // No replicates: the collector's checks of k and level, and the point ranks alone.
    std::vector<double> scores;
    for (const auto& r : card.reps) scores.push_back(r.score);
    ranks = sc::rank_collector(scores, ro.top_k, ro.level).result();
    for (auto& u : ranks.reps) {
      u.lower = u.upper = u.rank;
      u.mean_rank = static_cast<double>(u.rank);
      u.prob_top_k = u.rank <= ro.top_k ? 1.0 : 0.0;
    }
  }

  nlohmann::json out{{"method", std::string(sc::to_string(so.method))},
                     {"thresholds", card.thresholds},
                     {"intervals", source},
                     {"replicates", ranks.replicates},
                     {"top_k", ranks.top_k},
                     {"level", ranks.level}};
  if (source == "none")
    out["interval_note"] = "no source of rank uncertainty: rank intervals need several rows per rep "
                           "(bootstrap) or win/trial count columns (posterior draws); "
                           "rank_lower = rank_upper = rank";
  if (has_rate)
    out["win_rate_prior"] = {{"method", opt.prior}, {"alpha", shrinkage.prior.alpha}, {"beta", shrinkage.prior.beta}};
  if (!card.fallbacks.empty()) {
    auto& f = out["fallbacks"] = nlohmann::json::array();
    for (const auto& fb : card.fallbacks)
      f.push_back({{"kpi", specs[fb.kpi].name}, {"group", fb.peer_group}, {"rule", std::string(sc::to_string(fb.rule))}});
  }
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
    nlohmann::json row{{"rep", reps[i]},
                       {"score", r.score},
                       {"rank", r.rank},
                       {"tier", r.tier},
                       {"contributions", contributions},
                       {"rank_lower", u.lower},
                       {"rank_upper", u.upper},
                       {"mean_rank", u.mean_rank},
                       {"prob_top_k", u.prob_top_k}};
    if (has_rate) {
      const auto& w = shrinkage.reps[i];
      row["win_rate"] = {{"wins", w.wins}, {"trials", w.trials}, {"raw", w.raw},
                         {"shrunk", w.shrunk}, {"lower", w.lower}, {"upper", w.upper}};
    }
    rows.push_back(row);
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
       app.add_option("--replicates", opt->replicates, "bootstrap replicates (default 1000)")
           ->check(salesops_cli::count_option());
       app.add_option("--top-k", opt->top_k, "k of prob_top_k (default 1)");
       app.add_option("--level", opt->level, "level of the rank intervals (default 0.95)");
       app.add_option("--seed", opt->seed, "seed of the bootstrap or posterior draws (default 1)");
       app.add_option("--intervals", opt->intervals,
                      "source of rank intervals: auto, bootstrap (several rows per rep), posterior "
                      "(win-rate draws from wins/trials counts) or none (default auto)")
           ->check(CLI::IsMember({"auto", "bootstrap", "posterior", "none"}));
       app.add_option("--wins", opt->wins, "column of won deals; with --trials forms the win_rate KPI (default wins)");
       app.add_option("--trials", opt->trials, "column of closed deals (default trials)");
       app.add_option("--prior", opt->prior, "win-rate prior fit: mle or moments (default mle)")
           ->check(CLI::IsMember({"mle", "moments"}));
       app.footer("Rank intervals need a source of uncertainty. With one row per rep and no "
                  "wins/trials columns there is none: the output says \"intervals\": \"none\" and "
                  "rank_lower = rank_upper = rank. Give several rows per rep (periods) for a "
                  "bootstrap, or wins and trials columns for posterior win-rate draws.");
       return [opt](salesops_cli::io& io) { run_score(*opt, io); };
     }}};

} // namespace
