// Tests for salesops/forecast/design.hpp.
#include <salesops/forecast/design.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using salesops::forecast::design_matrix;
using salesops::forecast::ts_design;
using Catch::Matchers::Contains;

TEST_CASE("tslm design y ~ trend + season equals R's model matrix", "[forecast][design]") {
  // R: y <- ts(c(5,3,8,6,7,4,9,8,10), frequency=4); f <- tslm(y ~ trend + season)
  //    model.matrix(terms(f), f$data)
  //   (Intercept) trend season2 season3 season4
  // 1           1     1       0       0       0
  // 2           1     2       1       0       0
  // 3           1     3       0       1       0
  // 4           1     4       0       0       1
  // 5           1     5       0       0       0
  // ...          (rows 6-9 repeat the season pattern, trend 6..9)
  const design_matrix d = salesops::forecast::tslm_design(9, 4).observed();
  REQUIRE(d.x.rows() == 9);
  REQUIRE(d.x.cols() == 5);
  CHECK(d.names == std::vector<std::string>{"(Intercept)", "trend", "season2", "season3",
                                            "season4"});
  const double r_rows[5][5] = {{1, 1, 0, 0, 0}, {1, 2, 1, 0, 0}, {1, 3, 0, 1, 0},
                               {1, 4, 0, 0, 1}, {1, 5, 0, 0, 0}};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) CHECK(d.x(i, j) == r_rows[i][j]);
  CHECK(d.x(8, 1) == 9.0);
  CHECK(d.x(5, 2) == 1.0);

  // Future rows: forecast(f, h=3) predicts at trend 10, 11, 12 in Qtr2, Qtr3, Qtr4.
  const design_matrix f = salesops::forecast::tslm_design(9, 4).future(3);
  const double r_future[3][5] = {{1, 10, 1, 0, 0}, {1, 11, 0, 1, 0}, {1, 12, 0, 0, 1}};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j) CHECK(f.x(i, j) == r_future[i][j]);
  CHECK(f.first_row == 9);
}

TEST_CASE("frequency 1 gives trend only, and season on non-seasonal data throws",
          "[forecast][design]") {
  const design_matrix d = salesops::forecast::tslm_design(4, 1).observed();
  CHECK(d.names == std::vector<std::string>{"(Intercept)", "trend"});
  ts_design nonseasonal(4, 1);
  CHECK_THROWS_AS(nonseasonal.season(), salesops::out_of_range_value);
}

TEST_CASE("a series starting mid-year shifts the season dummies", "[forecast][design]") {
  // R: z <- ts(1:14, frequency=12, start=c(2000,3)): cycle(z) = 3,4,...,12,1,2,3,4.
  // Hand derivation: row 0 is season 3, row 10 is season 1 (the baseline: all zero).
  ts_design d(14, 12, 3);
  d.season();
  const design_matrix m = d.observed();
  CHECK(m.x(0, 1) == 1.0); // season3 column is column index 1 (season2 is 0)
  CHECK(m.x.row(10).sum() == 0.0);
  CHECK(m.x(11, 0) == 1.0); // row 11 is season 2
}

TEST_CASE("fourier terms equal forecast::fourier", "[forecast][design]") {
  // R: options(digits=17); fourier(ts(1:10, frequency=12), K=6)[c(1,7,10),]
  //  S1-12 row1 0.49999999999999994, C1-12 0.86602540378443871, S2-12 0.86602540378443860,
  //  C2-12 0.50000000000000011, S3-12 1, C3-12 0, ..., C6-12 -1 (no S6-12: sin(pi t) = 0)
  //  row 7: S1-12 -0.49999999999999956, C1-12 -0.86602540378443904
  //  row10: S5-12 0.86602540378443960, C5-12 0.49999999999999839, C6-12 1
  ts_design d(10, 12);
  d.fourier(12, 6);
  const design_matrix m = d.observed();
  REQUIRE(m.x.cols() == 11);
  CHECK(m.names[0] == "S1-12");
  CHECK(m.names[10] == "C6-12");
  const double tol = 4e-16;
  CHECK(m.x(0, 0) == Approx(0.49999999999999994).margin(tol));
  CHECK(m.x(0, 1) == Approx(0.86602540378443871).margin(tol));
  CHECK(m.x(0, 2) == Approx(0.86602540378443860).margin(tol));
  CHECK(m.x(0, 3) == Approx(0.50000000000000011).margin(tol));
  CHECK(m.x(0, 4) == 1.0);
  CHECK(m.x(0, 5) == 0.0);
  CHECK(m.x(0, 10) == -1.0);
  CHECK(m.x(6, 0) == Approx(-0.49999999999999956).margin(tol));
  CHECK(m.x(6, 1) == Approx(-0.86602540378443904).margin(tol));
  CHECK(m.x(9, 8) == Approx(0.86602540378443960).margin(tol));
  CHECK(m.x(9, 9) == Approx(0.49999999999999839).margin(tol));
  CHECK(m.x(9, 10) == 1.0);

  // R: fourier(ts(1:10, frequency=12), K=2, h=3): rows t = 11, 12, 13
  //  S1-12 -0.50000000000000011 0 0.49999999999999956; C2-12 0.49999999999999933 1 ...089
  ts_design h(10, 12);
  h.fourier(12, 2);
  const design_matrix f = h.future(3);
  CHECK(f.x(0, 0) == Approx(-0.50000000000000011).margin(tol));
  CHECK(f.x(1, 0) == 0.0);
  CHECK(f.x(2, 0) == Approx(0.49999999999999956).margin(tol));
  CHECK(f.x(0, 3) == Approx(0.49999999999999933).margin(tol));
  CHECK(f.x(1, 3) == 1.0);

  // Non-integer period (weekly data): R: fourier(ts(1:4, frequency=52.18), K=2)[4,]
  //  S1-52 0.46324623590987735 C1-52 0.88622961184747728 S2-52 0.82108506368043099
  //  C2-52 0.57080584983066052
  ts_design w(4, 1);
  w.fourier(52.18, 2);
  const design_matrix mw = w.observed();
  CHECK(mw.names[0] == "S1-52");
  CHECK(mw.x(3, 0) == Approx(0.46324623590987735).margin(tol));
  CHECK(mw.x(3, 1) == Approx(0.88622961184747728).margin(tol));
  CHECK(mw.x(3, 2) == Approx(0.82108506368043099).margin(tol));
  CHECK(mw.x(3, 3) == Approx(0.57080584983066052).margin(tol));
}

TEST_CASE("polynomial trend spans the raw powers and is well conditioned",
          "[forecast][design]") {
  const std::size_t n = 1000;
  const int degree = GENERATE(1, 3, 6);
  ts_design d(n, 1);
  d.intercept().polynomial_trend(degree);
  const design_matrix m = d.observed();
  // Brute force: the raw powers t^k (k <= degree) lie in the column space of the Legendre
  // basis: least-squares residual of each power relative to its norm is at round-off level.
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(m.x);
  for (int k = 1; k <= degree; ++k) {
    Eigen::VectorXd power(static_cast<Eigen::Index>(n));
    for (Eigen::Index i = 0; i < power.size(); ++i)
      power(i) = std::pow(static_cast<double>(i + 1) / static_cast<double>(n), k);
    const Eigen::VectorXd coef = qr.solve(power);
    CHECK((m.x * coef - power).norm() / power.norm() < 1e-12);
  }
  // Condition number of the Legendre design stays small (raw powers of t/n at degree 6
  // exceed 1e7; hand bound for near-orthogonal columns of norm ~ sqrt(n/(2d+1))).
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(m.x);
  const Eigen::VectorXd sv = svd.singularValues();
  CHECK(sv(0) / sv(sv.size() - 1) < 10.0);
}

TEST_CASE("fiscal quarter, quarter-end and year-end effects", "[forecast][design]") {
  // Hand derivation: fiscal year starting in February (Feb-Apr = FQ1, May-Jul = FQ2,
  // Aug-Oct = FQ3, Nov-Jan = FQ4); the series starts in January (row 0 = Jan = FQ4, the
  // last month of the fiscal year, so quarter_end = year_end = 1 there).
  ts_design d(24, 12);
  d.fiscal_quarter(1, 2).quarter_end(1, 2).year_end(1, 2);
  const design_matrix m = d.observed();
  CHECK(m.names == std::vector<std::string>{"fq2", "fq3", "fq4", "quarter_end", "year_end"});
  // row 0 Jan: FQ4, quarter end, year end
  CHECK(m.x.row(0) == Eigen::RowVectorXd::Map(std::vector<double>{0, 0, 1, 1, 1}.data(), 5));
  // row 1 Feb: FQ1 (all zero)
  CHECK(m.x.row(1).sum() == 0.0);
  // row 3 Apr: FQ1, quarter end
  CHECK(m.x.row(3) == Eigen::RowVectorXd::Map(std::vector<double>{0, 0, 0, 1, 0}.data(), 5));
  // row 4 May: FQ2
  CHECK(m.x.row(4) == Eigen::RowVectorXd::Map(std::vector<double>{1, 0, 0, 0, 0}.data(), 5));
  // row 9 Oct: FQ3 quarter end
  CHECK(m.x.row(9) == Eigen::RowVectorXd::Map(std::vector<double>{0, 1, 0, 1, 0}.data(), 5));
  // Every 12 months repeats; 4 quarter ends and 1 year end per year.
  CHECK(m.x.col(3).sum() == 8.0);
  CHECK(m.x.col(4).sum() == 2.0);
  // Future rows continue the calendar: row 24 is January again.
  CHECK(d.future(1).x(0, 4) == 1.0);

  ts_design quarterly(8, 4);
  CHECK_THROWS_AS(quarterly.quarter_end(1, 1), salesops::out_of_range_value);
  ts_design monthly(8, 12);
  CHECK_THROWS_WITH(monthly.fiscal_quarter(13, 1), Contains("first_month"));
}

TEST_CASE("event windows, changepoints, lags and regressors", "[forecast][design]") {
  const std::vector<double> y = {10, 11, 12, 13, 14, 15};
  const std::vector<double> coverage = {2.0, 2.5, 3.0, 2.8, 3.1, 2.9};
  const std::vector<double> coverage_next = {3.3, 3.4};
  const std::vector<std::int64_t> launches = {2, 7}; // the second one is in the future
  ts_design d(6, 1);
  d.event("launch", launches, 1, 1).changepoint(3.5).lag(y, 2).regressor("coverage", coverage,
                                                                          coverage_next);
  CHECK(d.first_row() == 2);
  const design_matrix m = d.observed();
  REQUIRE(m.x.rows() == 4); // rows 2..5
  CHECK(m.names == std::vector<std::string>{"launch[-1]", "launch[0]", "launch[+1]",
                                            "cp(3.5)", "lag2", "coverage"});
  // Hand derivation, series row r = first_row + i:
  // launch[-1] is 1 at r = e - 1 (1, 6); launch[0] at r = 2, 7; launch[+1] at r = 3, 8.
  CHECK(m.x.col(0).sum() == 0.0);      // row 1 was cut by the lag
  CHECK(m.x(0, 1) == 1.0);             // r = 2
  CHECK(m.x(1, 2) == 1.0);             // r = 3
  CHECK(m.x(0, 3) == 0.0);             // t = 3 < 3.5
  CHECK(m.x(2, 3) == Approx(1.5));     // t = 5: 5 - 3.5
  CHECK(m.x(0, 4) == 10.0);            // y[0]
  CHECK(m.x(3, 4) == 13.0);            // y[3]
  CHECK(m.x(3, 5) == 2.9);
  const design_matrix f = d.future(2);
  CHECK(f.x(0, 0) == 1.0);             // r = 6 = 7 - 1
  CHECK(f.x(1, 1) == 1.0);             // r = 7
  CHECK(f.x(1, 3) == Approx(8 - 3.5)); // t = 8
  CHECK(f.x(0, 4) == 14.0);            // y[4]
  CHECK(f.x(1, 4) == 15.0);            // y[5]
  CHECK(f.x(1, 5) == 3.4);
  // Horizon 3 needs y[6] for lag 2 and a third coverage value: both refused.
  CHECK_THROWS_AS(d.future(3), salesops::out_of_range_value);
  CHECK_THROWS_WITH(d.future(3), Contains("lag2"));
  CHECK_THROWS_AS(d.future(0), salesops::out_of_range_value);
  std::ostringstream text;
  text << m;
  CHECK(text.str() == "design_matrix{rows=4, first_row=2, columns=[launch[-1], launch[0], "
                      "launch[+1], cp(3.5), lag2, coverage]}");
}

TEST_CASE("design builders reject bad input", "[forecast][design]") {
  CHECK_THROWS_AS(ts_design(0, 1), salesops::empty_input);
  CHECK_THROWS_AS(ts_design(5, 0), salesops::out_of_range_value);
  CHECK_THROWS_AS(ts_design(5, 4, 5), salesops::out_of_range_value);
  ts_design d(4, 12);
  const std::vector<double> bad = {1.0, 2.0, std::nan(""), 4.0};
  CHECK_THROWS_AS(d.regressor("x", bad), salesops::not_finite);
  CHECK_THROWS_WITH(d.regressor("x", bad), Contains("row 2"));
  const std::vector<double> short_column = {1.0, 2.0};
  CHECK_THROWS_AS(d.regressor("x", short_column), salesops::length_mismatch);
  const std::vector<double> y = {1, 2, 3, 4};
  CHECK_THROWS_AS(d.lag(y, 4), salesops::out_of_range_value);
  CHECK_THROWS_AS(d.fourier(12, 7), salesops::out_of_range_value);
  CHECK_THROWS_AS(d.polynomial_trend(4), salesops::out_of_range_value);
  const std::vector<std::int64_t> rows = {1};
  CHECK_THROWS_AS(d.event("e", rows, -1, 0), salesops::negative_value);
  CHECK_THROWS_AS(d.changepoint(INFINITY), salesops::not_finite);
  CHECK_THROWS_AS(d.observed(), salesops::empty_input);
  // n + h must stay a 64-bit row number (the largest size_t wrapped it around).
  ts_design trend_only(5);
  trend_only.trend();
  CHECK_THROWS_AS(trend_only.future(std::numeric_limits<std::size_t>::max()),
                  salesops::out_of_range_value);
  CHECK(trend_only.future(3).x.rows() == 3);
}
