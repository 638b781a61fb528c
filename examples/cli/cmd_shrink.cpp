// `salesops shrink`: empirical-Bayes shrinkage of per-rep win rates
// (salesops::scoring::shrink_win_rates). Interface, relied on by other tools:
//   salesops shrink [--method mle|moments] [--input FILE]
// reads CSV with header rep,wins,trials and prints one JSON object
//   {"alpha": ..., "beta": ..., "reps": [{"rep": ..., "wins": ..., "trials": ..., "raw": ...,
//     "shrunk": ..., "lower": ..., "upper": ...}, ...]}
// with shrunk = (wins + alpha) / (trials + alpha + beta) and lower/upper the equal-tailed 95 %
// interval of the posterior Beta(alpha + wins, beta + trials - wins). Reps keep input order.
#include "cli.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <salesops/scoring/shrinkage.hpp>

namespace {

struct shrink_options {
  std::string method = "mle";
};

const salesops_cli::registrar reg{
    {"shrink", "empirical-Bayes (beta-binomial) shrinkage of per-rep win rates",
     [](CLI::App& app) -> salesops_cli::action {
       auto opt = std::make_shared<shrink_options>();
       app.add_option("--method", opt->method, "prior fit: mle or moments (default mle)")
           ->check(CLI::IsMember({"mle", "moments"}));
       return [opt](salesops_cli::io& io) {
         // The library's rows are the file's data rows: errors name them from 1.
         salesops_cli::with_data_rows(
             [&] {
               const auto table = salesops_cli::read_csv(io.in);
               const auto reps = table.strings("rep");
               const auto wins = table.unsigned_integers("wins");
               const auto trials = table.unsigned_integers("trials");
               const auto method = opt->method == "moments"
                                       ? salesops::scoring::prior_method::moments
                                       : salesops::scoring::prior_method::mle;
               const auto s = salesops::scoring::shrink_win_rates(wins, trials, method);
               nlohmann::json out{{"alpha", s.prior.alpha}, {"beta", s.prior.beta}};
               auto& rows = out["reps"] = nlohmann::json::array();
               for (std::size_t i = 0; i < s.reps.size(); ++i) {
                 const auto& r = s.reps[i];
                 rows.push_back({{"rep", reps[i]},
                                 {"wins", r.wins},
                                 {"trials", r.trials},
                                 {"raw", r.raw},
                                 {"shrunk", r.shrunk},
                                 {"lower", r.lower},
                                 {"upper", r.upper}});
               }
               io.out << out.dump() << "\n";
             },
             {"wins", "trials"});
       };
     }}};

} // namespace
