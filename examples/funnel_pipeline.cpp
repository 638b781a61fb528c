// Analysing a simulated sales pipeline with the stage-funnel side of salesops::funnel:
// the stage funnel with Wilson intervals, days in stage, the absorbing Markov model's win
// probability and days to close per stage (with Dirichlet-posterior intervals, next to the
// simulator's ground truth), time to win with open deals censored, and a breakdown by lead
// source compared with the rest of the pipeline.
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <salesops/core/calendar.hpp>
#include <salesops/funnel/breakdown.hpp>
#include <salesops/funnel/markov.hpp>
#include <salesops/funnel/stage_funnel.hpp>
#include <salesops/funnel/time_to_convert.hpp>
#include <salesops/simulate/crm.hpp>

namespace sf = salesops::funnel;
namespace sim = salesops::simulate;

int main() {
  sim::config cfg;
  cfg.seed = 2026;
  const sim::dataset data = sim::simulate_crm(cfg);
  const auto& opp = data.opportunities;
  const auto k = static_cast<std::uint32_t>(cfg.stages.stage_count());
  // The simulator records close dates; a deal closed at the end of its close day.
  const auto closed_at = sf::close_timestamps(opp.close_date);
  const sf::stage_histories histories{opp.stage_opportunity, opp.stage, opp.entered_at,
                                      opp.outcome, closed_at, k};
  std::printf("Simulated pipeline: %zu opportunities, %zu stage entries, data up to %s\n\n",
              opp.size(), opp.stage.size(), salesops::format_date(data.end).c_str());

  const auto funnel = sf::stage_funnel(histories);
  std::printf("Stage funnel (skipped stages count as passed; 95%% Wilson intervals)\n");
  std::printf("%-14s %7s %8s %6s %6s  %-22s %-22s %s\n", "stage", "entered", "advanced", "lost",
              "open", "stage conversion", "win rate", "median days");
  for (const auto& row : funnel.stages) {
    const auto& c = *row.stage_conversion;
    const auto& w = *row.win_rate;
    std::printf("%-14s %7llu %8llu %6llu %6llu  %5.3f [%5.3f, %5.3f]  %5.3f [%5.3f, %5.3f]  %6.1f\n",
                cfg.stages.names[row.stage].c_str(), static_cast<unsigned long long>(row.entered),
                static_cast<unsigned long long>(row.advanced),
                static_cast<unsigned long long>(row.lost_here),
                static_cast<unsigned long long>(row.open_here), c.rate, c.lower, c.upper, w.rate,
                w.lower, w.upper, row.time_in_stage ? row.time_in_stage->median : 0.0);
  }

  sf::markov_options mo;
  mo.draws = 1000;
  mo.seed = 7;
  const auto markov = sf::fit_markov(histories, mo);
  std::printf("\nMarkov pipeline model (95%% posterior intervals; truth*: simulator)\n");
  std::printf("%-14s %-24s %7s  %-26s %7s\n", "from stage", "P(won)", "truth", "days to close",
              "truth");
  for (const auto& s : markov.stages) {
    const auto e = static_cast<Eigen::Index>(s.stage);
    std::printf("%-14s %5.3f [%5.3f, %5.3f]  %7.3f  %6.1f [%6.1f, %6.1f]  %7.1f\n",
                cfg.stages.names[s.stage].c_str(), s.win_probability.estimate,
                s.win_probability.lower, s.win_probability.upper, data.truth.win_probability(e),
                s.expected_days.estimate, s.expected_days.lower, s.expected_days.upper,
                data.truth.expected_days_to_close(e));
  }

  std::printf("* the simulator's chain for an average rep and source without the quarter-end\n"
              "  push; the fitted model pools every rep and source, and pushed wins close later.\n");

  std::vector<std::int64_t> created_at(opp.size());
  for (std::size_t i = 0; i < opp.size(); ++i)
    created_at[i] = salesops::timestamp_from_date(opp.created[i]);
  const auto ttw = sf::time_to_convert(created_at, opp.outcome, closed_at,
                                       salesops::timestamp_from_date(data.end));
  std::printf("\nTime to win (Kaplan-Meier; %llu open deals censored, lost deals never convert)\n",
              static_cast<unsigned long long>(ttw.open));
  for (int days : {30, 60, 90, 180}) {
    const auto e = sf::converted_by(ttw, days);
    std::printf("  won within %3d days: %5.3f [%5.3f, %5.3f]\n", days, e.estimate, e.lower, e.upper);
  }
  const auto& m = ttw.curve.median;
  if (m.time) {
    std::printf("  median time to win: %.1f days\n", *m.time);
  } else {
    std::printf("  median time to win: not reached (fewer than half of all deals are won)\n");
  }

  sf::breakdown_options bo;
  bo.top_n = 3;
  const auto by_source = sf::segment_breakdown(histories, opp.source, bo);
  std::printf("\nWin rate by lead source vs the rest (Newcombe interval, Holm-adjusted p)\n");
  for (const auto& row : by_source.rows) {
    const std::string name = row.other ? "other" : cfg.sources[row.key].name;
    const auto& w = *row.win_rate;
    const auto& v = *row.versus_rest;
    std::printf("  %-10s %5.3f [%5.3f, %5.3f]  diff %+6.3f [%+6.3f, %+6.3f]  p_adj %.3g\n",
                name.c_str(), w.rate, w.lower, w.upper, v.difference.difference,
                v.difference.lower, v.difference.upper, v.adjusted_p_value);
  }
  return 0;
}
