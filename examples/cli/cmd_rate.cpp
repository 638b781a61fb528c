// `salesops rate`: a conversion rate with its confidence interval (salesops::stats::
// proportion_interval). Interface, relied on by other tools:
//   salesops rate --successes S --trials N [--method wilson|jeffreys|clopper-pearson|
//                 agresti-coull] [--level 0.95]
// prints one JSON object {"rate": ..., "lower": ..., "upper": ...} and a newline.
#include "cli.hpp"

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include <salesops/core/validate.hpp>
#include <salesops/stats/proportion.hpp>

namespace {

struct rate_options {
  // Signed so that "-3" reaches the library's check (exit 2 naming the option) instead of
  // wrapping around to a huge unsigned count.
  long long successes = 0;
  long long trials = 0;
  std::string method = "wilson";
  double level = 0.95;
};

const salesops_cli::registrar reg{
    {"rate", "conversion rate with a confidence interval (Wilson by default)",
     [](CLI::App& app) -> salesops_cli::action {
       auto opt = std::make_shared<rate_options>();
       app.add_option("--successes", opt->successes, "number of conversions")->required();
       app.add_option("--trials", opt->trials, "number of trials (> 0)")->required();
       app.add_option("--method", opt->method,
                      "wilson, jeffreys, clopper-pearson or agresti-coull (default wilson)");
       app.add_option("--level", opt->level, "confidence level in (0, 1) (default 0.95)");
       return [opt](salesops_cli::io& io) {
         salesops::check_non_negative("rate", "successes", opt->successes);
         salesops::check_non_negative("rate", "trials", opt->trials);
         const auto method = salesops::stats::parse_interval_method(opt->method);
         const auto r = salesops::stats::proportion_interval(
             static_cast<std::uint64_t>(opt->successes), static_cast<std::uint64_t>(opt->trials),
             opt->level, method);
         // ordered_json keeps the documented key order: rate, lower, upper.
         const nlohmann::ordered_json out{{"rate", r.rate}, {"lower", r.lower}, {"upper", r.upper}};
         io.out << out.dump() << "\n";
       };
     }}};

} // namespace
