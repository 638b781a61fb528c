// `salesops tslm --frequency F --horizon H [--level 80 --level 95 ...] [--lambda L] [--biasadj]`
// (exact interface, see issue 4): reads CSV with header `y` (oldest first; the first row is
// season 1; frequency 1 means trend only), fits R's tslm(y ~ trend + season, lambda = L,
// biasadj = ...) and prints
//   {"coefficients": [...], "mean": [...], "lower": {"80": [...], "95": [...]},
//    "upper": {"80": [...], "95": [...]}}
// matching forecast(fit, h = H, level = c(80, 95)). Levels default to 80 and 95 as in R; a
// level's key is its shortest decimal form ("80", "97.5"). Coefficients are on the
// transformed scale when --lambda is given, as coef() of R's fit.
#include "cli.hpp"

#include <nlohmann/json.hpp>

#include <salesops/forecast/forecast.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct tslm_cli_options {
  int frequency = 1;
  long long horizon = 0;
  std::vector<double> levels;
  double lambda = 0;
  bool has_lambda = false; // set when --lambda was given
  bool biasadj = false;
};

std::string level_key(double level) {
  std::ostringstream key;
  key.precision(15);
  key << level;
  return key.str();
}

nlohmann::json to_json(const Eigen::VectorXd& v) {
  nlohmann::json out = nlohmann::json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) out.push_back(v[i]);
  return out;
}

void run_tslm(const tslm_cli_options& opt, salesops_cli::io& io) {
  namespace fc = salesops::forecast;
  const salesops_cli::csv_table table = salesops_cli::read_csv(io.in);
  if (!table.has_column("y")) throw salesops_cli::input_error("tslm: the CSV has no column y");
  const std::vector<double> y = table.numbers("y");
  fc::tslm_options options;
  if (opt.has_lambda) options.lambda = opt.lambda;
  options.biasadj = opt.biasadj;
  const fc::tslm_model model = fc::tslm(y, opt.frequency, options);
  const std::vector<double> levels = opt.levels.empty() ? fc::default_levels() : opt.levels;
  const fc::forecast_result f =
      fc::forecast(model, static_cast<std::size_t>(opt.horizon), levels);
  nlohmann::json out;
  out["coefficients"] = to_json(model.model.coefficients);
  out["mean"] = to_json(f.mean);
  out["lower"] = nlohmann::json::object();
  out["upper"] = nlohmann::json::object();
  for (std::size_t l = 0; l < levels.size(); ++l) {
    const auto col = static_cast<Eigen::Index>(l);
    out["lower"][level_key(levels[l])] = to_json(f.lower.col(col));
    out["upper"][level_key(levels[l])] = to_json(f.upper.col(col));
  }
  io.out << out.dump() << "\n";
}

const salesops_cli::registrar reg{
    {"tslm", "time-series regression y ~ trend + season with forecasts and prediction intervals (R's forecast(tslm))",
     [](CLI::App& app) -> salesops_cli::action {
       auto opt = std::make_shared<tslm_cli_options>();
       app.add_option("--frequency", opt->frequency, "seasonal period (1 = trend only)")->required();
       app.add_option("--horizon", opt->horizon, "number of periods to forecast")
           ->required()
           ->check(salesops_cli::count_option(1));
       app.add_option("--level", opt->levels, "prediction-interval level in percent (repeatable; default 80 and 95)");
       CLI::Option* lambda = app.add_option("--lambda", opt->lambda, "Box-Cox parameter (0 = log)");
       app.add_flag("--biasadj", opt->biasadj, "bias-adjusted back-transform (the mean, not the median)");
       return [opt, lambda](salesops_cli::io& io) {
         opt->has_lambda = lambda->count() > 0;
         // The library's rows of y are the file's data rows: errors name them from 1.
         salesops_cli::with_data_rows([&] { run_tslm(*opt, io); }, {"y"});
       };
     }}};

} // namespace
