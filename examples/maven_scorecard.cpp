// Scoring the sales agents of the Maven Analytics CRM sample (../shared/data/maven-crm, read
// in place: its licence does not allow copying it into the repository). Per agent: closed
// deals (Won / Lost), win rate shrunk by empirical Bayes (beta-binomial MLE prior), bookings
// and average won deal; a scorecard normalised within each regional office (peer group) with
// per-KPI contributions; and posterior rank intervals of the win rates. When the sample is
// absent the program says so and exits 0.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <salesops/scoring/rank_uncertainty.hpp>
#include <salesops/scoring/scorecard.hpp>
#include <salesops/scoring/shrinkage.hpp>

namespace sc = salesops::scoring;

namespace {

// One CSV line split on commas, honouring double quotes (RFC 4180 without embedded newlines).
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

struct agent {
  std::uint64_t won = 0, lost = 0;
  double bookings = 0;
  std::string office;
};

} // namespace

int main() {
  const std::string dir = std::string(SALESOPS_SHARED_DATA_DIR) + "/maven-crm";
  std::ifstream pipeline(dir + "/sales_pipeline.csv"), teams(dir + "/sales_teams.csv");
  if (!pipeline || !teams) {
    std::printf("maven-crm sample not found in %s: skipped (it is not part of the repository)\n",
                dir.c_str());
    return 0;
  }
  std::map<std::string, agent> agents;
  std::string line;
  std::getline(teams, line); // sales_agent,manager,regional_office
  while (std::getline(teams, line)) {
    const auto f = split_csv(line);
    if (f.size() >= 3) agents[f[0]].office = f[2];
  }
  std::getline(pipeline, line); // opportunity_id,sales_agent,product,account,deal_stage,...
  std::size_t rows = 0;
  while (std::getline(pipeline, line)) {
    const auto f = split_csv(line);
    if (f.size() < 8) continue;
    ++rows;
    auto& a = agents[f[1]];
    if (f[4] == "Won") {
      ++a.won;
      a.bookings += f[7].empty() ? 0.0 : std::stod(f[7]);
    } else if (f[4] == "Lost") {
      ++a.lost;
    }
  }
  std::vector<std::string> names, office;
  std::vector<std::uint64_t> wins, trials;
  std::vector<double> bookings, deal_size;
  for (const auto& [name, a] : agents) {
    if (a.won == 0 || a.office.empty()) continue; // no won deal: no deal size to score
    names.push_back(name);
    office.push_back(a.office);
    wins.push_back(a.won);
    trials.push_back(a.won + a.lost);
    bookings.push_back(a.bookings);
    deal_size.push_back(a.bookings / static_cast<double>(a.won));
  }
  std::printf("Maven CRM sample: %zu pipeline rows, %zu agents with a won deal\n", rows, names.size());
  const auto shrink = sc::shrink_win_rates(wins, trials, sc::prior_method::mle);
  std::printf("Win-rate prior (beta-binomial MLE): Beta(%.1f, %.1f), mean %.3f, converged %s\n",
              shrink.prior.alpha, shrink.prior.beta,
              shrink.prior.alpha / (shrink.prior.alpha + shrink.prior.beta),
              shrink.prior.converged ? "yes" : "no");
  Eigen::MatrixXd table(static_cast<Eigen::Index>(names.size()), 3);
  for (std::size_t i = 0; i < names.size(); ++i) {
    table(static_cast<Eigen::Index>(i), 0) = shrink.reps[i].shrunk;
    table(static_cast<Eigen::Index>(i), 1) = bookings[i];
    table(static_cast<Eigen::Index>(i), 2) = deal_size[i];
  }
  const std::vector<sc::kpi_spec> specs = {{"win_rate", 0.4, sc::direction::higher_is_better},
                                           {"bookings", 0.4, sc::direction::higher_is_better},
                                           {"deal_size", 0.2, sc::direction::higher_is_better}};
  sc::scorecard_options so;
  so.method = sc::normalization::z_score;
  const auto card = sc::scorecard_of(table, specs, so, office);
  sc::rank_options ro;
  ro.replicates = 2000;
  ro.top_k = 5;
  ro.seed = 11;
  const auto ranks = sc::posterior_rank_intervals(shrink, ro);
  std::vector<std::size_t> order(names.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return card.reps[a].score > card.reps[b].score; });
  std::printf("\nTop 5 agents (z-scores within regional office; contributions win/bookings/size)\n");
  for (std::size_t k = 0; k < 5 && k < order.size(); ++k) {
    const std::size_t i = order[k];
    const auto& r = card.reps[i];
    std::printf("%-20s %-8s %4llu/%-4llu win %.3f -> %.3f  score %6.3f = %6.3f %6.3f %6.3f  "
                "win-rate rank [%2zu, %2zu] P(top 5) %.2f\n",
                names[i].c_str(), office[i].c_str(), static_cast<unsigned long long>(wins[i]),
                static_cast<unsigned long long>(trials[i]), shrink.reps[i].raw,
                shrink.reps[i].shrunk, r.score, r.contributions[0], r.contributions[1],
                r.contributions[2], ranks.reps[i].lower, ranks.reps[i].upper,
                ranks.reps[i].prob_top_k);
  }
  return 0;
}
