// `salesops ols [--no-intercept] [--degree D]`: ordinary least squares on a CSV with header
// y,x1,...,xk (with --degree D exactly one predictor column x, and the model uses x..x^D in
// the rescaled polynomial basis of forecast::fit_polynomial). Prints JSON with the summary.lm
// figures (exact interface, see issue 4): coefficients (intercept first), std_errors,
// t_values, p_values, residual_sd, r_squared, adj_r_squared, f_statistic, f_p_value, aic, bic,
// rank, n, condition_number. A rank-deficient design is an error (exit status 3).
#include "cli.hpp"

#include <nlohmann/json.hpp>

#include <salesops/forecast/inference.hpp>
#include <salesops/forecast/linear_model.hpp>

#include <memory>
#include <string>
#include <vector>

namespace {

struct ols_options {
  bool no_intercept = false;
  int degree = 0;
};

nlohmann::json column(const std::vector<salesops::forecast::coefficient_row>& rows,
                      double salesops::forecast::coefficient_row::*field) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) out.push_back(r.*field);
  return out;
}

void run_ols(const ols_options& opt, salesops_cli::io& io) {
  namespace fc = salesops::forecast;
  const salesops_cli::csv_table table = salesops_cli::read_csv(io.in);
  if (!table.has_column("y")) throw salesops_cli::input_error("ols: the CSV has no column y");
  const std::size_t y_col = table.column("y");
  std::vector<std::size_t> x_cols;
  for (std::size_t c = 0; c < table.header.size(); ++c)
    if (c != y_col) x_cols.push_back(c);
  if (opt.degree > 0 && (x_cols.size() != 1 || table.header[x_cols[0]] != "x"))
    throw salesops_cli::input_error("ols: --degree needs exactly one predictor column named x");
  const auto n = static_cast<Eigen::Index>(table.rows.size());
  Eigen::VectorXd y(n);
  Eigen::MatrixXd X(n, static_cast<Eigen::Index>(x_cols.size()));
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto row = static_cast<std::size_t>(i);
    y[i] = table.number(row, y_col);
    for (std::size_t j = 0; j < x_cols.size(); ++j)
      X(i, static_cast<Eigen::Index>(j)) = table.number(row, x_cols[j]);
  }
  fc::lm_options options;
  options.intercept = !opt.no_intercept;
  const fc::linear_model m = opt.degree > 0 ? fc::fit_polynomial(X.col(0), y, opt.degree, options)
                                            : fc::fit(X, y, options);
  const fc::lm_summary s = fc::summarize(m);
  nlohmann::json out;
  out["coefficients"] = column(s.coefficients, &fc::coefficient_row::estimate);
  out["std_errors"] = column(s.coefficients, &fc::coefficient_row::std_error);
  out["t_values"] = column(s.coefficients, &fc::coefficient_row::t_value);
  out["p_values"] = column(s.coefficients, &fc::coefficient_row::p_value);
  out["residual_sd"] = s.residual_sd;
  out["r_squared"] = s.r_squared;
  out["adj_r_squared"] = s.adj_r_squared;
  out["f_statistic"] = s.f_statistic; // null (JSON has no NaN) for an intercept-only model
  // or a constant y, and then f_p_value too
  out["f_p_value"] = s.f_p_value;
  out["aic"] = s.aic;
  out["bic"] = s.bic;
  out["rank"] = s.rank;
  out["n"] = s.n;
  out["condition_number"] = s.condition_number;
  io.out << out.dump() << "\n";
}

const salesops_cli::registrar reg{
    {"ols", "least-squares regression of y on x1..xk (or a polynomial in x) with R-style inference",
     [](CLI::App& app) -> salesops_cli::action {
       auto opt = std::make_shared<ols_options>();
       app.add_flag("--no-intercept", opt->no_intercept, "fit without an intercept");
       app.add_option("--degree", opt->degree,
                      "fit a polynomial of this degree in the single predictor column x")
           ->check(CLI::Range(1, 30));
       // The library's rows are the file's data rows here: errors name them from 1.
       return [opt](salesops_cli::io& io) {
         salesops_cli::with_data_rows([&] { run_ols(*opt, io); }, {"X", "y"});
       };
     }}};

} // namespace
