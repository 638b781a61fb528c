// `salesops quota-prob`: the probability of hitting quota from open deals
// (salesops::pipeline::revenue_outlook). Interface, relied on by other tools:
//   salesops quota-prob --quota Q [--booked C]
// reads CSV with header `amount,probability` (one open deal per row) and prints JSON
// {"expected": ..., "sd": ..., "p_hit": ..., "p10": ..., "p50": ..., "p90": ...}, where the
// revenue is C plus the amounts of the deals that close and p_hit = P(revenue >= Q).
// Integer amounts with sum / gcd <= 10^7 use the exact lattice DP (exact to 1e-14); beyond
// that the grid method, whose rigorous error bounds are written to standard error.
#include "cli.hpp"

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>
#include <salesops/pipeline/revenue_outlook.hpp>

namespace {

struct quota_prob_options {
  double quota = 0;
  double booked = 0;
};

const salesops_cli::registrar reg{
    {"quota-prob", "P(booked + closing open deals >= quota) (CSV amount,probability -> JSON)",
     [](CLI::App& app) -> salesops_cli::action {
       auto opt = std::make_shared<quota_prob_options>();
       app.add_option("--quota", opt->quota, "quota Q (> 0)")->required();
       app.add_option("--booked", opt->booked, "revenue already booked C (>= 0, default 0)");
       return [opt](salesops_cli::io& io) {
         const auto table = salesops_cli::read_csv(io.in);
         const std::vector<double> amounts = table.numbers("amount");
         const std::vector<double> probs = table.numbers("probability");
         const auto o = salesops::pipeline::revenue_outlook(amounts, probs, opt->booked, opt->quota);
         if (o.method == salesops::pipeline::outlook_method::grid)
           io.err << "quota-prob: grid method (step " << o.step << "): p_hit in ["
                  << o.p_hit_lower << ", " << o.p_hit_upper << "], quantiles within +-"
                  << o.quantile_error << "\n";
         const nlohmann::json out{{"expected", o.expected}, {"sd", o.sd},   {"p_hit", o.p_hit},
                                  {"p10", o.p10},           {"p50", o.p50}, {"p90", o.p90}};
         io.out << out.dump() << "\n";
       };
     }}};

} // namespace
