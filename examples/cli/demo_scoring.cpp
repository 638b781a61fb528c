// `salesops demo` section "Rep scores": each rep's win rate over the simulated period, shrunk
// by empirical Bayes (beta-binomial MLE prior), with posterior rank intervals and P(top 3),
// next to the simulator's true skill.
#include "demo.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <ostream>
#include <vector>

#include <salesops/scoring/rank_uncertainty.hpp>
#include <salesops/scoring/shrinkage.hpp>

namespace {

namespace sc = salesops::scoring;
namespace sim = salesops::simulate;

const salesops_cli::demo_registrar reg{
    {"Rep scores", 40, [](const salesops_cli::demo_context& ctx, std::ostream& out) {
       const auto& opp = ctx.data.opportunities;
       const std::size_t reps = ctx.data.org.rep_skill.size();
       std::vector<std::uint64_t> won(reps, 0), closed(reps, 0);
       for (std::size_t i = 0; i < opp.size(); ++i) {
         if (opp.outcome[i] == sim::outcome::open) continue;
         ++closed[opp.owner[i]];
         if (opp.outcome[i] == sim::outcome::won) ++won[opp.owner[i]];
       }
       std::vector<std::uint64_t> w, n;
       std::vector<std::size_t> rep;
       for (std::size_t r = 0; r < reps; ++r)
         if (closed[r] > 0) {
           w.push_back(won[r]);
           n.push_back(closed[r]);
           rep.push_back(r);
         }
       const auto s = sc::shrink_win_rates(w, n);
       sc::rank_options ro;
       ro.replicates = 1000;
       ro.top_k = 3;
       ro.seed = ctx.seed;
       const auto ranks = sc::posterior_rank_intervals(s, ro);
       char line[160];
       std::snprintf(line, sizeof line,
                     "  win-rate prior Beta(%.1f, %.1f) fitted to %zu reps (MLE)\n",
                     s.prior.alpha, s.prior.beta, rep.size());
       out << line;
       std::vector<std::size_t> order(rep.size());
       std::iota(order.begin(), order.end(), std::size_t{0});
       std::sort(order.begin(), order.end(),
                 [&](std::size_t a, std::size_t b) { return s.reps[a].shrunk > s.reps[b].shrunk; });
       std::snprintf(line, sizeof line, "  %-5s %9s %6s %-22s %-9s %8s %6s\n", "rep", "won/closed",
                     "raw", "shrunk (95% interval)", "rank", "P(top 3)", "skill");
       out << line;
       for (std::size_t k = 0; k < 5 && k < order.size(); ++k) {
         const std::size_t i = order[k];
         const auto& r = s.reps[i];
         std::snprintf(line, sizeof line,
                       "  %-5zu %4llu/%-5llu %6.3f %5.3f [%5.3f, %5.3f]  [%2zu, %2zu]  %8.2f %+6.2f\n",
                       rep[i], static_cast<unsigned long long>(r.wins),
                       static_cast<unsigned long long>(r.trials), r.raw, r.shrunk, r.lower,
                       r.upper, ranks.reps[i].lower, ranks.reps[i].upper,
                       ranks.reps[i].prob_top_k, ctx.data.org.rep_skill[rep[i]]);
         out << line;
       }
     }}};

} // namespace
