// Tests for salesops/forecast/batch.hpp: one factorisation for many series equals one
// tslm() + forecast() per series.
#include <salesops/forecast/batch.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

namespace fc = salesops::forecast;
using Catch::Matchers::Contains;

namespace {

void check_rel(double actual, double expected, double tol) {
  INFO("actual " << actual << " expected " << expected);
  CHECK(std::fabs(actual - expected) <= tol * std::max(1.0, std::fabs(expected)));
}

} // namespace

TEST_CASE("batch fit and forecast equal per-series tslm and forecast", "[forecast][batch]") {
  // Brute force: each column fitted and forecast on its own with tslm()/forecast().
  const std::uint64_t seed = GENERATE(21u, 22u, 23u);
  const int frequency = GENERATE(1, 4, 12);
  salesops::rng gen(seed);
  const std::size_t n = 36, h = 12;
  const Eigen::Index m = 25;
  Eigen::MatrixXd Y(static_cast<Eigen::Index>(n), m);
  for (Eigen::Index s = 0; s < m; ++s) {
    // Series of very different scales and shapes: revenue in units to millions.
    const double scale = std::pow(10.0, gen.uniform(0, 6));
    const double slope = gen.normal(0, 0.02) * scale;
    for (Eigen::Index i = 0; i < Y.rows(); ++i)
      Y(i, s) = scale * (1.0 + 0.3 * std::sin(0.5 * static_cast<double>(i % 12))) +
                slope * static_cast<double>(i) + gen.normal(0, 0.1 * scale);
  }
  const fc::ts_design design = fc::tslm_design(n, frequency);
  const fc::batch_fit b = fc::fit_batch(design.observed(), Y);
  const std::vector<double> levels = {80, 95};
  const fc::batch_forecast f = fc::forecast_batch(b, design.future(h), levels);
  for (Eigen::Index s = 0; s < m; ++s) {
    const std::vector<double> y(Y.col(s).data(), Y.col(s).data() + Y.rows());
    const fc::tslm_model one = fc::tslm(design, y);
    const fc::forecast_result expected = fc::forecast(one, h, levels);
    for (Eigen::Index j = 0; j < b.coefficients.rows(); ++j)
      check_rel(b.coefficients(j, s), one.model.coefficients[j], 1e-11);
    check_rel(b.sigma[s], one.model.sigma, 1e-11);
    for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(h); ++i) {
      check_rel(f.mean(i, s), expected.mean[i], 1e-11);
      for (std::size_t l = 0; l < levels.size(); ++l) {
        check_rel(f.lower[l](i, s), expected.lower(i, static_cast<Eigen::Index>(l)), 1e-11);
        check_rel(f.upper[l](i, s), expected.upper(i, static_cast<Eigen::Index>(l)), 1e-11);
      }
    }
  }
  CHECK(b.df_residual == n - static_cast<std::size_t>(b.coefficients.rows()));
}

TEST_CASE("batch confidence intervals and column order invariance", "[forecast][batch]") {
  salesops::rng gen(4);
  const std::size_t n = 30;
  Eigen::MatrixXd Y(static_cast<Eigen::Index>(n), 6);
  for (Eigen::Index s = 0; s < Y.cols(); ++s)
    for (Eigen::Index i = 0; i < Y.rows(); ++i) Y(i, s) = gen.lognormal(3.0 + 0.2 * static_cast<double>(s), 0.3);
  const fc::ts_design design = fc::tslm_design(n, 4);
  const std::vector<double> level = {90};
  const fc::batch_forecast f =
      fc::forecast_batch(fc::fit_batch(design.observed(), Y), design.future(3), level,
                         fc::interval_kind::confidence);
  // Permutation: reversing the columns reverses the results (the first column, which fixes
  // the shared factorisation, changes too).
  const Eigen::MatrixXd reversed = Y.rowwise().reverse();
  const fc::batch_forecast g =
      fc::forecast_batch(fc::fit_batch(design.observed(), reversed), design.future(3), level,
                         fc::interval_kind::confidence);
  for (Eigen::Index s = 0; s < Y.cols(); ++s) {
    const std::vector<double> y(Y.col(s).data(), Y.col(s).data() + Y.rows());
    const fc::forecast_result one =
        fc::forecast(fc::tslm(design, y), 3, level, fc::interval_kind::confidence);
    for (Eigen::Index i = 0; i < 3; ++i) {
      check_rel(f.lower[0](i, s), one.lower(i, 0), 1e-12);
      check_rel(f.upper[0](i, s), one.upper(i, 0), 1e-12);
      check_rel(g.upper[0](i, Y.cols() - 1 - s), f.upper[0](i, s), 1e-12);
    }
  }
  std::ostringstream text;
  text << f;
  CHECK(text.str() == "batch_forecast{h=3, series=6, levels=[90]}");
}

TEST_CASE("batch rejects bad input", "[forecast][batch]") {
  const fc::ts_design design = fc::tslm_design(10, 1);
  Eigen::MatrixXd Y = Eigen::MatrixXd::Ones(10, 3);
  Y(4, 2) = std::nan("");
  CHECK_THROWS_AS(fc::fit_batch(design.observed(), Y), salesops::not_finite);
  CHECK_THROWS_WITH(fc::fit_batch(design.observed(), Y), Contains("row 4") && Contains("series 2"));
  CHECK_THROWS_AS(fc::fit_batch(design.observed(), Eigen::MatrixXd::Ones(9, 3)),
                  salesops::length_mismatch);
  CHECK_THROWS_AS(fc::fit_batch(design.observed(), Eigen::MatrixXd(10, 0)), salesops::empty_input);
  Eigen::MatrixXd good(10, 2);
  for (Eigen::Index i = 0; i < 10; ++i) good.row(i) << static_cast<double>(i * i), 3.0 - static_cast<double>(i % 3);
  const fc::batch_fit b = fc::fit_batch(design.observed(), good);
  const std::vector<double> bad_level = {0};
  CHECK_THROWS_AS(fc::forecast_batch(b, design.future(2), bad_level), salesops::out_of_range_value);
  CHECK_THROWS_AS(fc::forecast_batch(b, fc::tslm_design(10, 4).future(2)), salesops::length_mismatch);
}
