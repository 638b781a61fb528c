// `salesops quota-prob`: the probability of hitting quota from open deals
// (salesops::pipeline::revenue_outlook). Interface, relied on by other tools:
//   salesops quota-prob --quota Q [--booked C]
// reads CSV with header `amount,probability` (one open deal per row) and prints JSON
// {"expected": ..., "sd": ..., "p_hit": ..., "p10": ..., "p50": ..., "p90": ...}, where the
// revenue is C plus the amounts of the deals that close and p_hit = P(revenue >= Q).
// Integer amounts with sum / gcd <= 10^7 use the exact lattice law, built by the subset-sum DP
// for small problems and by DP leaves multiplied in one FFT beyond stats::fft_switch_work
// (10,000 deals on a 10^7 lattice: ~1 s instead of ~3 s); its rigorous bound (pruned mass +
// floating-point error, ~1e-11) keeps every figure exact to 1e-9, and an input whose bound
// would not is refused (exit 3). Beyond 10^7 the grid method, whose rigorous error bounds are
// written to standard error.
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
         // The library's rows are the file's data rows here: errors name them from 1.
         salesops_cli::with_data_rows(
             [&] {
               const auto table = salesops_cli::read_csv(io.in);
               const std::vector<double> amounts = table.numbers("amount");
               const std::vector<double> probs = table.numbers("probability");
               const auto o =
                   salesops::pipeline::revenue_outlook(amounts, probs, opt->booked, opt->quota);
               // The contract: exact figures to 1e-9. The bracket carries every error bound.
               if (o.method == salesops::pipeline::outlook_method::exact &&
                   o.p_hit_upper - o.p_hit_lower > 2e-9)
                 SALESOPS_THROW(numerical_error, "quota-prob", "amounts", salesops::no_row,
                                "give an error bound of ", (o.p_hit_upper - o.p_hit_lower) / 2,
                                ", above the 1e-9 the exact method promises");
               if (o.method == salesops::pipeline::outlook_method::grid)
                 io.err << "quota-prob: grid method (step " << o.step << "): p_hit in ["
                        << o.p_hit_lower << ", " << o.p_hit_upper << "], quantiles within +-"
                        << o.quantile_error << "\n";
               const nlohmann::json out{{"expected", o.expected}, {"sd", o.sd},
                                        {"p_hit", o.p_hit},       {"p10", o.p10},
                                        {"p50", o.p50},           {"p90", o.p90}};
               io.out << out.dump() << "\n";
             },
             {"amounts", "probs"});
       };
     }}};

} // namespace
