// `salesops demo` section "Funnel": the stage funnel of the simulated pipeline with Wilson
// intervals, the Markov model's win probability per stage, and time to win.
#include "demo.hpp"

#include <cstdint>
#include <cstdio>
#include <ostream>
#include <vector>

#include <salesops/core/calendar.hpp>
#include <salesops/funnel/markov.hpp>
#include <salesops/funnel/stage_funnel.hpp>
#include <salesops/funnel/time_to_convert.hpp>

namespace {

namespace sf = salesops::funnel;

const salesops_cli::demo_registrar reg{
    {"Funnel", 20, [](const salesops_cli::demo_context& ctx, std::ostream& out) {
       const auto& opp = ctx.data.opportunities;
       const auto& names = ctx.config.stages.names;
       const auto k = static_cast<std::uint32_t>(names.size());
       const auto closed_at = sf::close_timestamps(opp.close_date);
       const sf::stage_histories h{opp.stage_opportunity, opp.stage, opp.entered_at,
                                   opp.outcome, closed_at, k};
       const auto funnel = sf::stage_funnel(h);
       sf::markov_options mo;
       mo.draws = 500;
       mo.seed = ctx.seed;
       const auto markov = sf::fit_markov(h, mo);
       char line[160];
       std::snprintf(line, sizeof line, "  %-14s %7s  %-22s %-22s %s\n", "stage", "entered",
                     "stage conversion", "P(won) (Markov)", "median days");
       out << line;
       for (std::size_t s = 0; s < k; ++s) {
         const auto& row = funnel.stages[s];
         const auto& c = *row.stage_conversion;
         const auto& w = markov.stages[s].win_probability;
         std::snprintf(line, sizeof line,
                       "  %-14s %7llu  %5.3f [%5.3f, %5.3f]  %5.3f [%5.3f, %5.3f]  %6.1f\n",
                       names[s].c_str(), static_cast<unsigned long long>(row.entered), c.rate,
                       c.lower, c.upper, w.estimate, w.lower, w.upper,
                       row.time_in_stage ? row.time_in_stage->median : 0.0);
         out << line;
       }
       std::vector<std::int64_t> created_at(opp.size());
       for (std::size_t i = 0; i < opp.size(); ++i)
         created_at[i] = salesops::timestamp_from_date(opp.created[i]);
       const auto t = sf::time_to_convert(created_at, opp.outcome, closed_at,
                                          salesops::timestamp_from_date(ctx.data.end));
       const auto by90 = sf::converted_by(t, 90);
       std::snprintf(line, sizeof line,
                     "  won within 90 days of creation: %.3f [%.3f, %.3f] (%llu open deals "
                     "censored)\n",
                     by90.estimate, by90.lower, by90.upper,
                     static_cast<unsigned long long>(t.open));
       out << line;
     }}};

} // namespace
