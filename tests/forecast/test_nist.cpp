// Certified accuracy on the 11 NIST StRD linear least-squares datasets (tests/data/nist, see
// tests/data/README.md). Accuracy is the log relative error LRE = -log10(|est - cert| / |cert|),
// capped at 15 (NIST's measure; for a certified value of exactly 0, as Wampler1's standard
// errors and residual SD, the log absolute error -log10(|est|) is used, as NIST does).
// Requirements (issue 4): >= 9 on every coefficient, standard error, residual SD and R^2;
// Wampler3-5 coefficients >= 7.5; Filip >= 12 everywhere. Each dataset also asserts the
// figures measured with this implementation (minus 0.3 digits of headroom for other compilers
// and Eigen versions), so a numerical regression is caught even above the bar;
// docs/accuracy.md tables the same figures beside R's lm and statsmodels.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <salesops/forecast/inference.hpp>
#include <salesops/forecast/linear_model.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace salesops::forecast;

struct nist_data {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  nlohmann::json cert;
};

nist_data load(const std::string& name) {
  const std::string dir = std::string(SALESOPS_TEST_DATA_DIR) + "/nist/";
  std::ifstream csv(dir + name + ".csv");
  REQUIRE(csv.good());
  std::string line;
  std::getline(csv, line); // header
  std::vector<std::vector<double>> rows;
  while (std::getline(csv, line)) {
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string cell;
    std::vector<double> row;
    while (std::getline(ss, cell, ',')) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  nist_data d;
  const auto n = static_cast<Eigen::Index>(rows.size());
  const auto p = static_cast<Eigen::Index>(rows.front().size() - 1);
  d.X.resize(n, p);
  d.y.resize(n);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    d.y[static_cast<Eigen::Index>(i)] = rows[i][0];
    for (std::size_t j = 1; j < rows[i].size(); ++j)
      d.X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j - 1)) = rows[i][j];
  }
  std::ifstream json(dir + name + ".certified.json");
  REQUIRE(json.good());
  d.cert = nlohmann::json::parse(json);
  REQUIRE(d.cert["n"].get<Eigen::Index>() == n);
  return d;
}

double lre(double estimate, double certified) {
  if (estimate == certified) return 15;
  const double err = certified == 0 ? std::abs(estimate)
                                    : std::abs(estimate - certified) / std::abs(certified);
  return std::min(15.0, -std::log10(err));
}

// NIST's certified values as exact decimal strings ("-0.402962525080404E-04").
double certified(const nlohmann::json& value) { return std::stod(value.get<std::string>()); }

struct lre_figures {
  double coefficients = 15, std_errors = 15, residual_sd = 15, r_squared = 15;
};

lre_figures accuracy(const std::string& name) {
  const nist_data d = load(name);
  lm_options options;
  options.intercept = d.cert["intercept"].get<bool>();
  const int degree = d.cert["polynomial_degree"].is_null() ? 0 : d.cert["polynomial_degree"].get<int>();
  const linear_model m = degree > 1 ? fit_polynomial(d.X.col(0), d.y, degree, options)
                                    : fit(d.X, d.y, options);
  const lm_summary s = summarize(m);
  lre_figures f;
  const auto& coef = d.cert["coefficients_str"];
  const auto& se = d.cert["std_errors_str"];
  REQUIRE(static_cast<Eigen::Index>(coef.size()) == m.coefficients.size());
  for (std::size_t j = 0; j < coef.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    f.coefficients = std::min(f.coefficients, lre(m.coefficients[jj], certified(coef[j])));
    f.std_errors = std::min(f.std_errors, lre(m.std_errors[jj], certified(se[j])));
  }
  f.residual_sd = lre(s.residual_sd, certified(d.cert["residual_sd_str"]));
  f.r_squared = lre(s.r_squared, certified(d.cert["r_squared_str"]));
  INFO(name << " LRE: coefficients " << f.coefficients << ", std errors " << f.std_errors
            << ", residual SD " << f.residual_sd << ", R^2 " << f.r_squared);
  CHECK(m.rank == coef.size());
  return f;
}

} // namespace

TEST_CASE("NIST StRD: every dataset meets the certified-accuracy bar and its measured figures",
          "[forecast][nist]") {
  struct row {
    const char* name;
    lre_figures bar;      // the requirement
    lre_figures measured; // this implementation, g++ 12 -O2 and Debug (rounded down)
  };
  // measured: minimum LRE over each group, as printed by this test (see docs/accuracy.md).
  const std::vector<row> table = {
      {"Norris", {9, 9, 9, 9}, {12.3, 13.6, 13.7, 15}},
      {"Pontius", {9, 9, 9, 9}, {13.1, 13.5, 13.5, 15}},
      {"NoInt1", {9, 9, 9, 9}, {14.7, 15, 15, 15}},
      {"NoInt2", {9, 9, 9, 9}, {15, 15, 15, 15}},
      {"Filip", {12, 12, 12, 12}, {14.3, 13.7, 15, 15}},
      {"Longley", {9, 9, 9, 9}, {14.5, 14.6, 15, 15}},
      {"Wampler1", {9, 9, 9, 9}, {9.5, 9.7, 9.7, 15}},
      {"Wampler2", {9, 9, 9, 9}, {13.9, 14.4, 14.4, 15}},
      {"Wampler3", {7.5, 9, 9, 9}, {9.7, 13.7, 13.8, 15}},
      {"Wampler4", {7.5, 9, 9, 9}, {9.1, 14.4, 14.7, 15}},
      {"Wampler5", {7.5, 9, 9, 9}, {7.6, 14.4, 14.8, 13.7}},
  };
  for (const row& r : table) {
    SECTION(r.name) {
      const lre_figures f = accuracy(r.name);
      INFO(r.name);
      CHECK(f.coefficients >= r.bar.coefficients);
      CHECK(f.std_errors >= r.bar.std_errors);
      CHECK(f.residual_sd >= r.bar.residual_sd);
      CHECK(f.r_squared >= r.bar.r_squared);
      constexpr double headroom = 0.3;
      CHECK(f.coefficients >= r.measured.coefficients - headroom);
      CHECK(f.std_errors >= r.measured.std_errors - headroom);
      CHECK(f.residual_sd >= r.measured.residual_sd - headroom);
      CHECK(f.r_squared >= r.measured.r_squared - headroom);
    }
  }
}

TEST_CASE("NIST Filip: a QR of the raw powers loses digits the rescaled basis keeps",
          "[forecast][nist]") {
  // Why fit_polynomial rescales x before taking powers (ARCHITECTURE.md measured raw QR at
  // about 7 digits on Filip): fitting the raw powers x..x^10 with the same engine must be
  // clearly worse than the rescaled basis, or the rescaling would be pointless.
  const nist_data d = load("Filip");
  Eigen::MatrixXd powers(d.X.rows(), 10);
  Eigen::ArrayXd pw = d.X.col(0).array();
  for (Eigen::Index j = 0; j < 10; ++j) {
    powers.col(j) = pw.matrix();
    pw *= d.X.col(0).array();
  }
  lm_options options;
  options.rank_tolerance = 0; // force a solution so its accuracy can be measured
  const linear_model raw = fit(powers, d.y, options);
  const linear_model scaled = fit_polynomial(d.X.col(0), d.y, 10);
  double raw_lre = 15, scaled_lre = 15;
  for (std::size_t j = 0; j < 11; ++j) {
    const double c = certified(d.cert["coefficients_str"][j]);
    raw_lre = std::min(raw_lre, lre(raw.coefficients[static_cast<Eigen::Index>(j)], c));
    scaled_lre = std::min(scaled_lre, lre(scaled.coefficients[static_cast<Eigen::Index>(j)], c));
  }
  INFO("raw " << raw_lre << ", rescaled " << scaled_lre);
  CHECK(scaled_lre >= 12);
  CHECK(raw_lre < scaled_lre - 3);
  // The scaled raw-power design is so ill-conditioned that R's tolerance (1e-7) flags it.
  CHECK(raw.condition_number > 1e9);
  CHECK_THROWS_AS(fit(powers, d.y), salesops::rank_deficient);
}
