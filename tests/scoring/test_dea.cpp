// Tests of scoring/dea.hpp: the simplex solver and CCR / BCC efficiencies.
#include "salesops/scoring/dea.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <vector>

#include "salesops/core/rng.hpp"

using namespace salesops;
using namespace salesops::scoring;
using Catch::Matchers::Contains;

namespace {
// Cooper, Seiford & Tone, "Data Envelopment Analysis" (2nd ed., 2007), the hospital example
// (Table 1.5): inputs doctors, nurses; outputs outpatients, inpatients; hospitals A..L.
Eigen::MatrixXd hospital_inputs() {
  Eigen::MatrixXd x(12, 2);
  x << 20, 151, 19, 131, 25, 160, 27, 168, 22, 158, 55, 255, 33, 235, 31, 206, 30, 244, 50, 268,
      53, 306, 38, 284;
  return x;
}
Eigen::MatrixXd hospital_outputs() {
  Eigen::MatrixXd y(12, 2);
  y << 100, 90, 150, 50, 160, 55, 180, 72, 94, 66, 230, 90, 220, 88, 152, 80, 190, 100, 250, 100,
      260, 147, 250, 120;
  return y;
}
} // namespace

TEST_CASE("CCR and BCC efficiencies of the Cooper-Seiford-Tone hospital example", "[scoring][dea]") {
  // Published CCR scores (Cooper, Seiford & Tone 2007, Table 3.7, 3 decimals):
  //   A 1, B 1, C .883, D 1, E .763, F .835, G .902, H .796, I .960, J .871, K .955, L .958
  // and the same LPs by R's lpSolve (full precision):
  //   library(lpSolve); dea <- function(o, vrs) { A <- rbind(cbind(-X[o,], t(X)), cbind(0, t(Y)))
  //     dir <- c("<=","<=",">=",">="); rhs <- c(0, 0, Y[o,])
  //     if (vrs) { A <- rbind(A, c(0, rep(1, n))); dir <- c(dir, "="); rhs <- c(rhs, 1) }
  //     lp("min", c(1, rep(0, n)), A, dir, rhs)$objval }
  //   sapply(1:12, dea, vrs=FALSE) -> 1 1 0.882708333333333 1 0.763499482325100
  //     0.834771241830065 0.901960784313725 0.796333820060654 0.960392156862745
  //     0.870646766169154 0.955098039215686 0.958204334365325
  //   sapply(1:12, dea, vrs=TRUE)  -> 1 1 0.895833333333342 1 0.881818181818182
  //     0.938935574229693 1 0.798833193971173 0.989333333333331 1 1 1
  const double ccr[] = {1, 1, 0.882708333333333, 1, 0.763499482325100, 0.834771241830065,
                        0.901960784313725, 0.796333820060654, 0.960392156862745,
                        0.870646766169154, 0.955098039215686, 0.958204334365325};
  const double published[] = {1, 1, .883, 1, .763, .835, .902, .796, .960, .871, .955, .958};
  const double bcc[] = {1, 1, 0.895833333333342, 1, 0.881818181818182, 0.938935574229693, 1,
                        0.798833193971173, 0.989333333333331, 1, 1, 1};
  const auto r = dea_efficiency(hospital_inputs(), hospital_outputs());
  const auto v = dea_efficiency(hospital_inputs(), hospital_outputs(), returns_to_scale::variable);
  for (std::size_t j = 0; j < 12; ++j) {
    CHECK(r.efficiency[j] == Approx(ccr[j]).epsilon(1e-10));
    CHECK(r.efficiency[j] == Approx(published[j]).margin(0.0005));
    CHECK(v.efficiency[j] == Approx(bcc[j]).epsilon(1e-10));
    CHECK(v.efficiency[j] >= r.efficiency[j] - 1e-12); // BCC's frontier envelops CCR's
  }
  // BCC weights of an inefficient unit sum to 1.
  double sum = 0;
  for (double l : v.lambda[2]) sum += l;
  CHECK(sum == Approx(1.0).epsilon(1e-12));
  std::ostringstream out;
  out << r;
  CHECK(out.str().find("CCR") != std::string::npos);
}

TEST_CASE("single input and output: CCR equals the productivity ratio", "[scoring][dea]") {
  // Hand derivation: with one input and one output the CCR frontier is the ray of the best
  // ratio, so theta_o = (y_o / x_o) / max_j (y_j / x_j). Brute force over random units.
  const auto seed = GENERATE(31u, 32u, 33u);
  rng gen(seed);
  Eigen::MatrixXd x(15, 1), y(15, 1);
  double best = 0;
  for (Eigen::Index j = 0; j < 15; ++j) {
    x(j, 0) = 1 + 9 * gen.uniform();
    y(j, 0) = 1 + 99 * gen.uniform();
    best = std::max(best, y(j, 0) / x(j, 0));
  }
  const auto r = dea_efficiency(x, y);
  for (Eigen::Index j = 0; j < 15; ++j)
    CHECK(r.efficiency[static_cast<std::size_t>(j)] == Approx(y(j, 0) / x(j, 0) / best).epsilon(1e-10));
}

TEST_CASE("solve_lp: optimal, infeasible, unbounded, degenerate", "[scoring][dea]") {
  // min -x1 - x2 s.t. x1 + 2 x2 + s1 = 4, 3 x1 + x2 + s2 = 6: vertex (8/5, 6/5), value -14/5
  // (hand derivation: intersection of the two constraints).
  Eigen::MatrixXd A(2, 4);
  A << 1, 2, 1, 0, 3, 1, 0, 1;
  Eigen::VectorXd b(2), c(4);
  b << 4, 6;
  c << -1, -1, 0, 0;
  auto r = solve_lp(A, b, c);
  REQUIRE(r.status == lp_status::optimal);
  CHECK(r.objective == Approx(-14.0 / 5));
  CHECK(r.x(0) == Approx(8.0 / 5));
  // x1 + x2 = -1 with x >= 0 is infeasible.
  Eigen::MatrixXd A1(1, 2);
  A1 << 1, 1;
  Eigen::VectorXd b1(1), c1(2);
  b1 << -1;
  c1 << 1, 1;
  CHECK(solve_lp(A1, b1, c1).status == lp_status::infeasible);
  // min -x1 s.t. x1 - x2 = 1 is unbounded.
  Eigen::MatrixXd A2(1, 2);
  A2 << 1, -1;
  Eigen::VectorXd b2(1), c2(2);
  b2 << 1;
  c2 << -1, 0;
  CHECK(solve_lp(A2, b2, c2).status == lp_status::unbounded);
  // A redundant (duplicated) row is dropped after phase 1.
  Eigen::MatrixXd A3(2, 2);
  A3 << 1, 1, 1, 1;
  Eigen::VectorXd b3(2), c3(2);
  b3 << 2, 2;
  c3 << 1, 3;
  r = solve_lp(A3, b3, c3);
  REQUIRE(r.status == lp_status::optimal);
  CHECK(r.objective == Approx(2.0));
  CHECK_THROWS_AS(solve_lp(A3, b1, c3), length_mismatch);
}

TEST_CASE("dea_efficiency rejects bad units", "[scoring][dea]") {
  Eigen::MatrixXd x = hospital_inputs(), y = hospital_outputs();
  x(4, 1) = 0;
  CHECK_THROWS_AS(dea_efficiency(x, y), negative_value);
  CHECK_THROWS_WITH(dea_efficiency(x, y), Contains("inputs at row 4"));
  x = hospital_inputs();
  y.row(7).setZero();
  CHECK_THROWS_WITH(dea_efficiency(x, y), Contains("outputs at row 7"));
  y = hospital_outputs();
  y(2, 0) = -1;
  CHECK_THROWS_AS(dea_efficiency(x, y), negative_value);
  const Eigen::MatrixXd short_y = hospital_outputs().topRows(5);
  CHECK_THROWS_AS(dea_efficiency(x, short_y), length_mismatch);
}
