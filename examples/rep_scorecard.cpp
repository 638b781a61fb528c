// Scoring the reps of a simulated quarter (Q4 2025 of the simulator's default organisation):
// per-rep KPIs from opportunities, activities and quotas; win rates shrunk by empirical Bayes
// (beta-binomial, prior by maximum likelihood); a composite scorecard with per-KPI
// contributions and tiers; posterior rank intervals and P(top 3); and a check against the
// simulator's ground truth (rep skill).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <vector>

#include <salesops/core/calendar.hpp>
#include <salesops/scoring/rank_uncertainty.hpp>
#include <salesops/scoring/rep_kpis.hpp>
#include <salesops/scoring/scorecard.hpp>
#include <salesops/scoring/shrinkage.hpp>
#include <salesops/simulate/crm.hpp>

namespace sc = salesops::scoring;
namespace sim = salesops::simulate;

int main() {
  sim::config cfg;
  cfg.seed = 2026;
  const sim::dataset data = sim::simulate_crm(cfg);
  const auto& opp = data.opportunities;
  const std::int32_t q_start = salesops::make_date(2025, 10, 1), q_end = salesops::make_date(2026, 1, 1);
  const std::size_t reps = data.org.rep_skill.size();
  // Quarterly quota rows only (monthly rows cover the same days).
  std::vector<std::uint32_t> q_rep;
  std::vector<std::int32_t> q_begin;
  std::vector<double> q_amount;
  for (std::size_t i = 0; i < data.quotas.rep.size(); ++i)
    if (data.quotas.period[i] == sim::quota_period::quarter) {
      q_rep.push_back(data.quotas.rep[i]);
      q_begin.push_back(data.quotas.period_start[i]);
      q_amount.push_back(data.quotas.amount[i]);
    }
  const sc::opportunity_columns<sim::outcome> deals{opp.owner, opp.created, opp.close_date,
                                                    opp.outcome, opp.amount};
  const auto kpis = sc::rep_kpis_of(
      deals, salesops::span<const std::uint32_t>(data.activities.rep),
      salesops::span<const std::int32_t>(data.activities.date),
      salesops::span<const sim::activity_kind>(data.activities.kind),
      salesops::span<const std::uint32_t>(q_rep), salesops::span<const std::int32_t>(q_begin),
      salesops::span<const double>(q_amount), q_start, q_end, reps);

  // Reps with a closed deal and a quota this quarter are scored; the rest are listed.
  std::vector<std::size_t> scored;
  for (std::size_t r = 0; r < reps; ++r)
    if (kpis[r].deals.won_count + kpis[r].deals.lost_count > 0 && kpis[r].quota > 0) scored.push_back(r);
  std::printf("Simulated quarter %s .. %s: %zu reps, %zu scored (a closed deal and a quota)\n\n",
              salesops::format_date(q_start).c_str(), salesops::format_date(q_end - 1).c_str(),
              reps, scored.size());

  std::vector<std::uint64_t> wins, trials;
  for (auto r : scored) {
    wins.push_back(kpis[r].deals.won_count);
    trials.push_back(kpis[r].deals.won_count + kpis[r].deals.lost_count);
  }
  const auto shrink = sc::shrink_win_rates(wins, trials, sc::prior_method::mle);
  std::printf("Win-rate prior (beta-binomial MLE): Beta(%.2f, %.2f), mean %.3f, converged %s\n",
              shrink.prior.alpha, shrink.prior.beta,
              shrink.prior.alpha / (shrink.prior.alpha + shrink.prior.beta),
              shrink.prior.converged ? "yes" : "no");

  // KPIs: shrunk win rate, attainment, pipeline generated, cycle days (lower is better), meetings.
  const std::vector<sc::kpi_spec> specs = {{"win_rate", 0.3, sc::direction::higher_is_better},
                                           {"attainment", 0.3, sc::direction::higher_is_better},
                                           {"pipeline", 0.2, sc::direction::higher_is_better},
                                           {"cycle_days", 0.1, sc::direction::lower_is_better},
                                           {"meetings", 0.1, sc::direction::higher_is_better}};
  Eigen::MatrixXd table(static_cast<Eigen::Index>(scored.size()), 5);
  for (std::size_t i = 0; i < scored.size(); ++i) {
    const auto& k = kpis[scored[i]];
    const auto row = static_cast<Eigen::Index>(i);
    // A rep without a win has no cycle length: give it the worst observed (documented choice).
    table(row, 0) = shrink.reps[i].shrunk;
    table(row, 1) = k.attainment;
    table(row, 2) = k.pipeline_generated;
    table(row, 3) = std::isnan(k.deals.mean_cycle_days) ? -1 : k.deals.mean_cycle_days;
    table(row, 4) = static_cast<double>(k.meetings);
  }
  const double worst_cycle = table.col(3).maxCoeff();
  for (Eigen::Index i = 0; i < table.rows(); ++i)
    if (table(i, 3) < 0) table(i, 3) = worst_cycle;
  sc::scorecard_options so;
  so.method = sc::normalization::percentile_rank;
  so.tiers = {{0.25, 0.75}, true};
  const auto card = sc::scorecard_of(table, specs, so);
  sc::rank_options ro;
  ro.replicates = 2000;
  ro.top_k = 3;
  ro.seed = 7;
  const auto ranks = sc::posterior_rank_intervals(shrink, ro);

  std::vector<std::size_t> order(scored.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return card.reps[a].score > card.reps[b].score;
  });
  std::printf("\nTop 5 reps (percentile-rank scorecard; contributions add up to the score)\n");
  std::printf("%4s %4s %7s %6s %5s  %-11s %6s %6s %6s %6s %6s  %-9s %s\n", "rank", "rep", "won/cl",
              "score", "tier", "win rate", "win", "attain", "pipe", "cycle", "meet",
              "win rank", "P(top3)");
  for (std::size_t k = 0; k < 5 && k < order.size(); ++k) {
    const std::size_t i = order[k];
    const auto& r = card.reps[i];
    std::printf("%4zu %4zu %3llu/%-3llu %6.3f %5zu  %.2f->%.2f %6.3f %6.3f %6.3f %6.3f %6.3f  [%2zu, %2zu]   %.2f\n",
                r.rank, scored[i], static_cast<unsigned long long>(wins[i]),
                static_cast<unsigned long long>(trials[i]), r.score, r.tier, shrink.reps[i].raw,
                shrink.reps[i].shrunk, r.contributions[0], r.contributions[1], r.contributions[2],
                r.contributions[3], r.contributions[4], ranks.reps[i].lower, ranks.reps[i].upper,
                ranks.reps[i].prob_top_k);
  }

  // Small samples: the rep with the highest raw win rate on the fewest deals.
  std::size_t lucky = 0;
  for (std::size_t i = 1; i < scored.size(); ++i)
    if (shrink.reps[i].raw > shrink.reps[lucky].raw ||
        (shrink.reps[i].raw == shrink.reps[lucky].raw && trials[i] < trials[lucky]))
      lucky = i;
  std::printf("\nHighest raw win rate: rep %zu, %llu of %llu (%.2f), shrunk to %.3f [%.3f, %.3f]\n",
              scored[lucky], static_cast<unsigned long long>(wins[lucky]),
              static_cast<unsigned long long>(trials[lucky]), shrink.reps[lucky].raw,
              shrink.reps[lucky].shrunk, shrink.reps[lucky].lower, shrink.reps[lucky].upper);

  // Ground truth: rank correlation of the shrunk and raw win rates with the simulated skill.
  const auto spearman = [&](const std::vector<double>& a) {
    std::vector<double> skill;
    for (auto r : scored) skill.push_back(data.org.rep_skill[r]);
    const auto ra = sc::normalize(a, sc::normalization::percentile_rank);
    const auto rb = sc::normalize(skill, sc::normalization::percentile_rank);
    const auto za = sc::normalize(ra, sc::normalization::z_score);
    const auto zb = sc::normalize(rb, sc::normalization::z_score);
    return std::inner_product(za.begin(), za.end(), zb.begin(), 0.0) / static_cast<double>(za.size() - 1);
  };
  std::vector<double> raw, shrunk;
  for (const auto& r : shrink.reps) {
    raw.push_back(r.raw);
    shrunk.push_back(r.shrunk);
  }
  std::printf("Spearman correlation with true skill: raw win rate %.2f, shrunk %.2f\n",
              spearman(raw), spearman(shrunk));
  return 0;
}
