// Tests of scoring/dea.hpp: the simplex solver and CCR / BCC efficiencies.
#include "salesops/scoring/dea.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
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
  x << 20, 151, 19, 131, 25, 160, 27, 168, 22, 158, 55, 255, 33, 235, 31, 206, 30, 244, 50, 268, 53,
      306, 38, 284;
  return x;
}
Eigen::MatrixXd hospital_outputs() {
  Eigen::MatrixXd y(12, 2);
  y << 100, 90, 150, 50, 160, 55, 180, 72, 94, 66, 230, 90, 220, 88, 152, 80, 190, 100, 250, 100,
      260, 147, 250, 120;
  return y;
}
} // namespace

TEST_CASE("CCR and BCC efficiencies of the Cooper-Seiford-Tone hospital example",
          "[scoring][dea]") {
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
  const double ccr[] = {1,
                        1,
                        0.882708333333333,
                        1,
                        0.763499482325100,
                        0.834771241830065,
                        0.901960784313725,
                        0.796333820060654,
                        0.960392156862745,
                        0.870646766169154,
                        0.955098039215686,
                        0.958204334365325};
  const double published[] = {1, 1, .883, 1, .763, .835, .902, .796, .960, .871, .955, .958};
  const double bcc[] = {1,
                        1,
                        0.895833333333342,
                        1,
                        0.881818181818182,
                        0.938935574229693,
                        1,
                        0.798833193971173,
                        0.989333333333331,
                        1,
                        1,
                        1};
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
    CHECK(r.efficiency[static_cast<std::size_t>(j)] ==
          Approx(y(j, 0) / x(j, 0) / best).epsilon(1e-10));
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
  // The optimum is proven in exact arithmetic and rounded once: the nearest doubles exactly.
  CHECK(r.objective == -14.0 / 5);
  CHECK(r.x(0) == 8.0 / 5);
  CHECK(r.x(1) == 6.0 / 5);
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
  CHECK(r.objective == 2);
  CHECK_THROWS_AS(solve_lp(A3, b1, c3), length_mismatch);
  // No constraint at all: x = 0 is optimal when no cost is negative, else unbounded.
  const Eigen::MatrixXd none(0, 2);
  const Eigen::VectorXd no_rhs(0);
  r = solve_lp(none, no_rhs, Eigen::Vector2d(1, 0));
  REQUIRE(r.status == lp_status::optimal);
  CHECK(r.objective == 0);
  CHECK(solve_lp(none, no_rhs, Eigen::Vector2d(1, -1)).status == lp_status::unbounded);
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

TEST_CASE("slacks, peers and targets of the DEAP 2.1 example (Coelli 1996)", "[scoring][dea]") {
  // Coelli, "A Guide to DEAP Version 2.1" (CEPA working paper 96/08), example eg1: 5 firms,
  // inputs x1, x2, output y; input-oriented CRS with slacks. Published output (eg1-out.txt):
  //   te 0.500 1.000 0.833 0.714 1.000; input slacks: firm 1 (0, 0.5), others 0;
  //   peers (weights): 1: 2 (0.5); 3: 5 (0.5), 2 (1.0); 4: 5 (0.286), 2 (0.214);
  //   input targets 1 (1, 2), 3 (5, 5), 4 (2.143, 1.429), 5 (6, 2).
  // Hand derivation of the exact values: firm 1 = (2, 5) with y = 1 and firm 2 = (2, 4) with
  // y = 2: half of firm 2 produces y = 1 from (1, 2), so theta_1 = 1/2 (input 1 binds) and
  // 0.5 x 5 - 2 = 0.5 of input 2 is left over; firm 3 = (6, 6), y = 3: firm 2 + half of firm 5
  // gives (5, 5) and y = 3, theta = 5/6; firm 4 = (3, 2), y = 1: 2/7 of firm 5 and 3/14 of
  // firm 2 give (15/7, 10/7) = 5/7 (3, 2) and y = 1.
  Eigen::MatrixXd x(5, 2), y(5, 1);
  x << 2, 5, 2, 4, 6, 6, 3, 2, 6, 2;
  y << 1, 2, 3, 1, 2;
  const auto r = dea_efficiency(x, y);
  const double theta[] = {0.5, 1, 5.0 / 6, 5.0 / 7, 1};
  const double published[] = {0.500, 1.000, 0.833, 0.714, 1.000};
  for (std::size_t j = 0; j < 5; ++j) {
    CHECK(r.efficiency[j] == Approx(theta[j]).epsilon(1e-12));
    CHECK(r.efficiency[j] == Approx(published[j]).margin(0.0005));
  }
  CHECK(r.input_slack[0][0] == 0);
  CHECK(r.input_slack[0][1] == Approx(0.5).epsilon(1e-12));
  for (std::size_t j = 1; j < 5; ++j) {
    CHECK(r.input_slack[j][0] == 0);
    CHECK(r.input_slack[j][1] == 0);
    CHECK(r.output_slack[j][0] == 0);
  }
  CHECK(r.reference_set[0] == std::vector<std::size_t>{1});
  CHECK(r.lambda[0][1] == Approx(0.5).epsilon(1e-12));
  CHECK(r.reference_set[2] == std::vector<std::size_t>{1, 4});
  CHECK(r.lambda[2][1] == Approx(1.0).epsilon(1e-12));
  CHECK(r.lambda[2][4] == Approx(0.5).epsilon(1e-12));
  CHECK(r.reference_set[3] == std::vector<std::size_t>{1, 4});
  CHECK(r.lambda[3][4] == Approx(2.0 / 7).epsilon(1e-12));
  CHECK(r.lambda[3][1] == Approx(3.0 / 14).epsilon(1e-12));
  CHECK(r.input_target[0][0] == Approx(1.0).epsilon(1e-12));
  CHECK(r.input_target[0][1] == Approx(2.0).epsilon(1e-12));
  CHECK(r.input_target[3][0] == Approx(15.0 / 7).epsilon(1e-12));
  CHECK(r.input_target[3][1] == Approx(10.0 / 7).epsilon(1e-12));
  CHECK(r.output_target[3][0] == Approx(1.0).epsilon(1e-12));
  const bool efficient[] = {false, true, false, false, true};
  for (std::size_t j = 0; j < 5; ++j) CHECK(r.efficient[j] == efficient[j]);
  std::ostringstream out;
  out << r;
  CHECK(out.str().find("reference_set=[1, 4]") != std::string::npos);
}

TEST_CASE("a weakly efficient unit: theta = 1 with an input slack", "[scoring][dea]") {
  // The two-input, one-output example of Cooper, Seiford & Tone (2007, ch. 3): units A..F at
  // (4, 3), (7, 3), (8, 1), (4, 2), (2, 4), (10, 1), each producing 1. Hand derivation:
  // the frontier is E-D (x1 + x2 = 6), D-C (x1 + 4 x2 = 12) and the ray x2 = 1 from C.
  // A: theta (4 + 3) = 6 -> 6/7, point (24/7, 18/7) = 5/7 D + 2/7 E. B: theta (7 + 12) = 12 ->
  // 12/19, point (84/19, 36/19) = 17/19 D + 2/19 C. F: any mix with output 1 needs x2 >= 1 =
  // F's, so theta = 1, but C does it with 2 less of x1: s1- = 2, reference {C}, target (8, 1):
  // radially efficient, not Pareto-Koopmans efficient.
  Eigen::MatrixXd x(6, 2), y = Eigen::MatrixXd::Ones(6, 1);
  x << 4, 3, 7, 3, 8, 1, 4, 2, 2, 4, 10, 1;
  for (auto model : {returns_to_scale::constant, returns_to_scale::variable}) {
    // Every output is 1, so sum(lambda) >= 1 already binds: BCC gives the same answer.
    const auto r = dea_efficiency(x, y, model);
    CHECK(r.efficiency[0] == Approx(6.0 / 7).epsilon(1e-12));
    CHECK(r.lambda[0][3] == Approx(5.0 / 7).epsilon(1e-12));
    CHECK(r.lambda[0][4] == Approx(2.0 / 7).epsilon(1e-12));
    CHECK(r.efficiency[1] == Approx(12.0 / 19).epsilon(1e-12));
    CHECK(r.reference_set[1] == std::vector<std::size_t>{2, 3});
    CHECK(r.lambda[1][3] == Approx(17.0 / 19).epsilon(1e-12));
    CHECK(r.efficiency[5] == Approx(1.0).epsilon(1e-12));
    CHECK(r.input_slack[5][0] == Approx(2.0).epsilon(1e-12));
    CHECK(r.input_slack[5][1] == 0);
    CHECK(r.reference_set[5] == std::vector<std::size_t>{2});
    CHECK(r.input_target[5][0] == Approx(8.0).epsilon(1e-12));
    const bool efficient[] = {false, false, true, true, true, false};
    for (std::size_t j = 0; j < 6; ++j) CHECK(r.efficient[j] == efficient[j]);
  }
}

namespace {
// DEA's stage-1 LP for unit o in the raw data (CSMT ch. 3-4): variables theta, lambda, s-, s+;
// min theta s.t. theta x_o - X' lambda - s- = 0, Y' lambda - s+ = y_o (BCC: sum lambda = 1).
struct stage1 {
  Eigen::MatrixXd A;
  Eigen::VectorXd b, c;
  stage1(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, Eigen::Index o, bool vrs) {
    const Eigen::Index n = x.rows(), m = x.cols(), s = y.cols();
    const Eigen::Index rows = m + s + (vrs ? 1 : 0);
    A = Eigen::MatrixXd::Zero(rows, 1 + n + m + s);
    b = Eigen::VectorXd::Zero(rows);
    c = Eigen::VectorXd::Zero(1 + n + m + s);
    c(0) = 1;
    for (Eigen::Index i = 0; i < m; ++i) {
      A(i, 0) = x(o, i);
      A.row(i).segment(1, n) = -x.col(i).transpose();
      A(i, 1 + n + i) = -1;
    }
    for (Eigen::Index r = 0; r < s; ++r) {
      A.row(m + r).segment(1, n) = y.col(r).transpose();
      A(m + r, 1 + n + m + r) = -1;
      b(m + r) = y(o, r);
    }
    if (vrs) {
      A.row(m + s).segment(1, n).setOnes();
      b(m + s) = 1;
    }
  }
};

// Brute force of an LP min c'v s.t. A v = b, v >= 0 with a bounded optimum: the optimum is
// attained at a basic feasible solution, so try every square basis (fine for <= ~12 columns).
double brute_lp_min(const Eigen::MatrixXd& A, const Eigen::VectorXd& b, const Eigen::VectorXd& c) {
  const auto rows = A.rows(), cols = A.cols();
  double best = std::numeric_limits<double>::infinity();
  std::vector<Eigen::Index> pick;
  const auto visit = [&](auto&& self, Eigen::Index next) -> void {
    if (static_cast<Eigen::Index>(pick.size()) == rows) {
      Eigen::MatrixXd B(rows, rows);
      for (Eigen::Index k = 0; k < rows; ++k) B.col(k) = A.col(pick[static_cast<std::size_t>(k)]);
      Eigen::FullPivLU<Eigen::MatrixXd> lu(B);
      if (lu.rank() < rows) return;
      const Eigen::VectorXd v = lu.solve(b);
      if (v.minCoeff() < -1e-9) return;
      double value = 0;
      for (Eigen::Index k = 0; k < rows; ++k) value += c(pick[static_cast<std::size_t>(k)]) * v(k);
      best = std::min(best, value);
      return;
    }
    for (Eigen::Index j = next; j < cols; ++j) {
      pick.push_back(j);
      self(self, j + 1);
      pick.pop_back();
    }
  };
  visit(visit, 0);
  return best;
}
} // namespace

TEST_CASE("DEA theta and slack sums equal a vertex enumeration, and targets are efficient",
          "[scoring][dea]") {
  const auto seed = GENERATE(71u, 72u, 73u, 74u);
  const auto model = GENERATE(returns_to_scale::constant, returns_to_scale::variable);
  rng gen(seed);
  const Eigen::Index n = 5, m = 2, s = 1;
  Eigen::MatrixXd x(n, m), y(n, s);
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < m; ++i)
      x(j, i) = 1 + static_cast<double>(gen.uniform_int(9)); // ties make slacks
    y(j, 0) = 1 + static_cast<double>(gen.uniform_int(4));
  }
  const auto r = dea_efficiency(x, y, model);
  const bool vrs = model == returns_to_scale::variable;
  for (Eigen::Index o = 0; o < n; ++o) {
    const auto u = static_cast<std::size_t>(o);
    const stage1 lp(x, y, o, vrs);
    const Eigen::MatrixXd& A = lp.A;
    const Eigen::VectorXd& b = lp.b;
    const double theta = brute_lp_min(A, b, lp.c);
    CHECK(r.efficiency[u] == Approx(theta).epsilon(1e-10));
    // Stage 2: theta fixed, maximise s- + s+ (raw units).
    Eigen::MatrixXd A2 = A.rightCols(n + m + s);
    Eigen::VectorXd b2 = b, c2 = Eigen::VectorXd::Zero(n + m + s);
    for (Eigen::Index i = 0; i < m; ++i) b2(i) = -theta * x(o, i);
    c2.tail(m + s).setConstant(-1);
    const double most = -brute_lp_min(A2, b2, c2);
    double total = 0;
    for (double v : r.input_slack[u]) total += v;
    for (double v : r.output_slack[u]) total += v;
    CHECK(total == Approx(most).margin(1e-9));
    // The reported solution is feasible: lambda reproduces the targets.
    for (Eigen::Index i = 0; i < m; ++i) {
      double used = 0;
      for (Eigen::Index j = 0; j < n; ++j)
        used += r.lambda[u][static_cast<std::size_t>(j)] * x(j, i);
      CHECK(used == Approx(r.input_target[u][static_cast<std::size_t>(i)]).margin(1e-9));
    }
    // Projection theorem (CSMT Theorem 3.2 / 4.x): the target unit is efficient. Replace the
    // unit by its target and evaluate it again.
    Eigen::MatrixXd xt = x, yt = y;
    for (Eigen::Index i = 0; i < m; ++i) xt(o, i) = r.input_target[u][static_cast<std::size_t>(i)];
    yt(o, 0) = r.output_target[u][0];
    const auto again = dea_efficiency(xt, yt, model);
    CHECK(again.efficiency[u] == Approx(1.0).epsilon(1e-9));
    CHECK(again.efficient[u]);
  }
}

TEST_CASE("CCR and BCC efficiencies do not change when a column is rescaled by 1e-290 or 1e290",
          "[scoring][dea]") {
  // theta is unit-free: scaling input i by c > 0 scales both sides of its constraint, scaling
  // output r scales both sides of its own; BCC's sum lambda = 1 holds no data. dea_efficiency
  // divides every column by its maximum, so the simplex sees the same LP (this guards that
  // step: without it the 1e-290 column falls under the 1e-9 pivot tolerance).
  const auto x = hospital_inputs(), y = hospital_outputs();
  const auto ccr = dea_efficiency(x, y), bcc = dea_efficiency(x, y, returns_to_scale::variable);
  Eigen::MatrixXd xs = x, ys = y;
  xs.col(0) *= 1e-290;
  xs.col(1) *= 1e290;
  ys.col(1) *= 1e-290;
  const auto ccr_s = dea_efficiency(xs, ys),
             bcc_s = dea_efficiency(xs, ys, returns_to_scale::variable);
  for (std::size_t j = 0; j < 12; ++j) {
    CHECK(ccr_s.efficiency[j] == Approx(ccr.efficiency[j]).epsilon(1e-12));
    CHECK(bcc_s.efficiency[j] == Approx(bcc.efficiency[j]).epsilon(1e-12));
    CHECK(ccr_s.reference_set[j] == ccr.reference_set[j]);
    CHECK(ccr_s.efficient[j] == ccr.efficient[j]);
  }
}

TEST_CASE("DEA theta is exact when one unit's output is tiny: the simplex tolerances are relative",
          "[scoring][dea]") {
  // x = (1,1), (1,2), (2,1), y = (r, 1, 1). Hand derivation for unit 0 (CCR), with a certificate
  // checked below: lambda_1 = lambda_2 = r/2 uses inputs (1.5 r, 1.5 r) = 1.5 r x_0 and makes
  // output r, so theta_0 <= 1.5 r; the multipliers v = (1/2, 1/2), u = 3/2 (multiplier form:
  // max u y_0 s.t. v x_0 = 1, u y_j <= v x_j) are feasible (v x_1 = v x_2 = 1.5 = u, u r <= 1),
  // so theta_0 >= u y_0 = 1.5 r. Units 1 and 2 are efficient. The old absolute 1e-9 tolerances
  // threw "slack LP is infeasible" for r in 2e-9..1e-5 and returned theta_0 = r below 6e-10.
  const double r = GENERATE(1e-3, 1e-5, 1e-6, 2e-9, 6e-10, 1e-10, 1e-15, 1e-100, 1e-300);
  Eigen::MatrixXd x(3, 2), y(3, 1);
  x << 1, 1, 1, 2, 2, 1;
  y << r, 1, 1;
  // The certificate, in exact arithmetic for these values: primal point and dual multipliers.
  const double lambda = r / 2, u = 1.5, v = 0.5;
  CHECK(lambda * x(1, 0) + lambda * x(2, 0) == 1.5 * r * x(0, 0));
  CHECK(lambda * y(1, 0) + lambda * y(2, 0) >= y(0, 0));
  CHECK(v * x(0, 0) + v * x(0, 1) == 1);
  for (Eigen::Index j = 0; j < 3; ++j) CHECK(u * y(j, 0) <= v * x(j, 0) + v * x(j, 1));
  const auto ccr = dea_efficiency(x, y);
  CHECK(ccr.efficiency[0] == Approx(u * r).epsilon(1e-14));
  CHECK(ccr.efficiency[1] == Approx(1.0).epsilon(1e-14));
  CHECK(ccr.efficiency[2] == Approx(1.0).epsilon(1e-14));
  // Max-slack stage: the peers' mix is unique (any lambda_0 > 0 wastes 1 of input per r of
  // output), with no slack; lambda is in the data's units.
  CHECK(ccr.reference_set[0] == std::vector<std::size_t>{1, 2});
  CHECK(ccr.lambda[0][1] == Approx(lambda).epsilon(1e-14));
  CHECK(ccr.lambda[0][2] == Approx(lambda).epsilon(1e-14));
  CHECK(ccr.input_slack[0] == std::vector<double>{0, 0});
  CHECK(ccr.output_slack[0] == std::vector<double>{0});
  CHECK(ccr.input_target[0][0] == Approx(u * r).epsilon(1e-14));
  CHECK(!ccr.efficient[0]);
  // BCC: every convex mix uses inputs (1 + lambda_2, 1 + lambda_1) >= x_0, so theta_0 = 1.
  const auto bcc = dea_efficiency(x, y, returns_to_scale::variable);
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(bcc.efficiency[j] == Approx(1.0).epsilon(1e-14));
    CHECK(bcc.efficient[j]);
  }
}

TEST_CASE("DEA on a column spanning 1e-150..1e150, and beyond double's range it throws",
          "[scoring][dea]") {
  // One input, one output of 1 each: theta_o = min_j x_j / x_o for CCR and BCC alike (hand
  // derivation: the best ratio y/x, and with BCC every convex mix uses x >= min x). The old
  // code returned theta = 0 for the first two units.
  Eigen::MatrixXd x(3, 1), y = Eigen::MatrixXd::Ones(3, 1);
  x << 1e-150, 1, 1e150;
  for (auto model : {returns_to_scale::constant, returns_to_scale::variable}) {
    const auto r = dea_efficiency(x, y, model);
    CHECK(r.efficiency[0] == Approx(1.0).epsilon(1e-14));
    CHECK(r.efficiency[1] == Approx(1e-150).epsilon(1e-14));
    CHECK(r.efficiency[2] == Approx(1e-300).epsilon(1e-14));
    for (std::size_t j = 0; j < 3; ++j) CHECK(r.reference_set[j] == std::vector<std::size_t>{0});
  }
  // 1e-300..1e300: divided by its maximum, 1e-300 underflows to 0 (a free input: the old code
  // returned theta = 0 for every unit), and theta_2 = 1e-600 has no double. A typed error
  // names the argument, unit and column.
  x << 1e-300, 1, 1e300;
  CHECK_THROWS_AS(dea_efficiency(x, y), numerical_error);
  CHECK_THROWS_WITH(dea_efficiency(x, y), Contains("inputs at row 0 column 0"));
  Eigen::MatrixXd outputs(3, 2);
  outputs << 1, 1e300, 1, 1, 1, 1e-300;
  CHECK_THROWS_WITH(dea_efficiency(Eigen::MatrixXd::Ones(3, 1), outputs),
                    Contains("outputs at row 2 column 1"));
}

namespace {
using exact = boost::multiprecision::cpp_rational;

// certify_optimal on a double right-hand side (converted exactly).
bool certified(const Eigen::MatrixXd& A, const Eigen::VectorXd& b, const Eigen::VectorXd& c,
               const std::vector<Eigen::Index>& basis, lp_result& out) {
  exact objective;
  return scoring::detail::certify_optimal(A, scoring::detail::to_rational(b), c, basis, out,
                                          objective);
}

// Exact reference: theta*_o by vertex enumeration in rational arithmetic (no rounding
// anywhere). theta* > 0 (every input > 0, unit o has an output > 0), so theta is basic in
// every optimal basic solution: try every basis holding column 0 of the stage-1 LP (double
// entries convert to rationals exactly), and keep the least theta among the feasible ones.
exact exact_theta(const stage1& lp) {
  const Eigen::Index rows = lp.A.rows(), cols = lp.A.cols();
  std::vector<std::vector<exact>> A(static_cast<std::size_t>(rows),
                                    std::vector<exact>(static_cast<std::size_t>(cols)));
  std::vector<exact> b(static_cast<std::size_t>(rows));
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j)
      A[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = exact(lp.A(i, j));
    b[static_cast<std::size_t>(i)] = exact(lp.b(i));
  }
  bool found = false;
  exact best;
  std::vector<Eigen::Index> pick = {0};
  const auto visit = [&](auto&& self, Eigen::Index next) -> void {
    if (static_cast<Eigen::Index>(pick.size()) == rows) {
      // Gauss-Jordan on [B | b]; a zero pivot column means B is singular.
      const auto k = static_cast<std::size_t>(rows);
      std::vector<std::vector<exact>> M(k, std::vector<exact>(k + 1));
      for (std::size_t i = 0; i < k; ++i) {
        for (std::size_t j = 0; j < k; ++j) M[i][j] = A[i][static_cast<std::size_t>(pick[j])];
        M[i][k] = b[i];
      }
      for (std::size_t col = 0; col < k; ++col) {
        std::size_t p = col;
        while (p < k && M[p][col] == 0) ++p;
        if (p == k) return;
        std::swap(M[p], M[col]);
        for (std::size_t i = 0; i < k; ++i) {
          if (i == col || M[i][col] == 0) continue;
          const exact f = M[i][col] / M[col][col];
          for (std::size_t j = col; j <= k; ++j) M[i][j] -= f * M[col][j];
        }
      }
      for (std::size_t i = 0; i < k; ++i)
        if (M[i][k] / M[i][i] < 0) return;
      const exact theta = M[0][k] / M[0][0];
      if (!found || theta < best) best = theta;
      found = true;
      return;
    }
    for (Eigen::Index j = next; j < cols; ++j) {
      pick.push_back(j);
      self(self, j + 1);
      pick.pop_back();
    }
  };
  visit(visit, 1);
  REQUIRE(found);
  return best;
}
} // namespace

TEST_CASE("DEA with entries near 1e-10..1e-21 among values of order 1 equals an exact vertex "
          "enumeration",
          "[scoring][dea]") {
  // Random problems (5 units, 2 inputs of 1..9, an output of 1..5) in which one or two entries
  // are replaced by (1 + u) 2^-k, k = 30..69. The reference (above) is exact. The double
  // simplex alone throws "basic value < 0 beyond rounding" on some of these LPs (its relative
  // tolerances take the genuine tiny entries for rounding noise; counted below); solve_lp
  // proves or re-solves them in exact arithmetic.
  const auto model = GENERATE(returns_to_scale::constant, returns_to_scale::variable);
  rng gen(20261127);
  std::size_t double_failures = 0;
  for (int problem = 0; problem < 12; ++problem) {
    Eigen::MatrixXd x(5, 2), y(5, 1);
    for (Eigen::Index j = 0; j < 5; ++j) {
      for (Eigen::Index i = 0; i < 2; ++i) x(j, i) = 1 + static_cast<double>(gen.uniform_int(9));
      y(j, 0) = 1 + static_cast<double>(gen.uniform_int(5));
    }
    const auto tiny = 1 + gen.uniform_int(2);
    for (std::uint64_t t = 0; t < tiny; ++t) {
      const double v = std::ldexp(1.0 + gen.uniform(), -static_cast<int>(30 + gen.uniform_int(40)));
      const auto row = static_cast<Eigen::Index>(gen.uniform_int(5));
      if (gen.uniform_int(2) == 0)
        y(row, 0) = v;
      else
        x(row, static_cast<Eigen::Index>(gen.uniform_int(2))) = v;
    }
    INFO("problem " << problem << "\nx =\n" << x << "\ny =\n" << y);
    const auto r = dea_efficiency(x, y, model);
    for (Eigen::Index o = 0; o < 5; ++o) {
      const stage1 lp(x, y, o, model == returns_to_scale::variable);
      const double want = scoring::detail::nearest_double(exact_theta(lp));
      try {
        std::vector<Eigen::Index> basis;
        auto alone = scoring::detail::solve_lp_double(lp.A, lp.b, lp.c, 1000, basis);
        if (alone.status != lp_status::optimal || !certified(lp.A, lp.b, lp.c, basis, alone))
          ++double_failures;
      } catch (const numerical_error&) {
        ++double_failures;
      }
      CHECK(r.efficiency[static_cast<std::size_t>(o)] == Approx(want).epsilon(1e-12));
      // The second stage's input rows hold: theta x_o - s- equals the peers' input (the
      // target), up to the rounding of that difference (relative to theta x_o: s- can cancel
      // nearly all of it).
      for (Eigen::Index i = 0; i < 2; ++i) {
        const auto u = static_cast<std::size_t>(o), k = static_cast<std::size_t>(i);
        const double scale = r.efficiency[u] * x(o, i);
        CHECK(scale - r.input_slack[u][k] ==
              Approx(r.input_target[u][k]).epsilon(0).margin(1e-12 * scale));
      }
    }
  }
  // The set exercises the exact solve: the double simplex alone fails on some of its LPs.
  CHECK(double_failures > 0);
}

TEST_CASE("the exact solve's rounding to double matches IEEE division, ties to even",
          "[scoring][dea]") {
  using scoring::detail::nearest_double;
  // Reference: IEEE 754 division is correctly rounded, so a / b in double is the double
  // nearest to the rational a / b (random a, b over many binades, both signs).
  rng gen(42);
  for (int k = 0; k < 5000; ++k) {
    const double a = std::ldexp(gen.uniform(-1, 1), static_cast<int>(gen.uniform_int(200)) - 100);
    const double b = std::ldexp(gen.uniform(0.5, 1), static_cast<int>(gen.uniform_int(200)) - 100);
    if (a == 0) continue;
    REQUIRE(nearest_double(exact(a) / exact(b)) == a / b);
    REQUIRE(nearest_double(exact(a)) == a); // every double converts exactly and back
  }
  CHECK(nearest_double(exact(0)) == 0);
  // Halfway cases (by hand): 1 + 2^-53 lies halfway between 1 and 1 + 2^-52 and goes to the
  // even 1; 1 + 3 2^-53 lies halfway between 1 + 2^-52 and 1 + 2^-51 and goes to the even
  // 1 + 2^-51; a remainder far below (2^-200) breaks the tie upward.
  const exact unit = exact(std::ldexp(1.0, -53));
  CHECK(nearest_double(1 + unit) == 1.0);
  CHECK(nearest_double(1 + 3 * unit) == 1 + std::ldexp(1.0, -51));
  CHECK(nearest_double(-(1 + 3 * unit)) == -(1 + std::ldexp(1.0, -51)));
  CHECK(nearest_double(1 + unit + exact(std::ldexp(1.0, -200))) == 1 + std::ldexp(1.0, -52));
}

TEST_CASE("the exact certificate accepts an optimal basis and rejects every other",
          "[scoring][dea]") {
  // min -x1 - x2 s.t. x1 + s1 = 1, x2 + s2 = 1, all >= 0 (columns x1, x2, s1, s2). By hand:
  // the optimum is x1 = x2 = 1 (basis {0, 1}), objective -2, duals y = (-1, -1), reduced
  // costs of s1, s2 = 1 >= 0. The slack basis {2, 3} is feasible but x1's reduced cost is -1;
  // {0, 3} is feasible with x2's reduced cost -1; {0, 2} is singular (x1 and s1 share a row).
  Eigen::MatrixXd A(2, 4);
  A << 1, 0, 1, 0, 0, 1, 0, 1;
  const Eigen::Vector2d b(1, 1);
  const Eigen::Vector4d c(-1, -1, 0, 0);
  lp_result out;
  CHECK(certified(A, b, c, {0, 1}, out));
  CHECK(out.objective == -2);
  CHECK(out.x == Eigen::Vector4d(1, 1, 0, 0));
  CHECK_FALSE(certified(A, b, c, {2, 3}, out));
  CHECK_FALSE(certified(A, b, c, {0, 3}, out));
  CHECK_FALSE(certified(A, b, c, {0, 2}, out));
  CHECK_FALSE(certified(A, b, c, {0}, out)); // fewer columns than rows: not a basis here
  // Primal infeasible basis: with b = (1, -1), basis {0, 1} gives x2 = -1 < 0.
  CHECK_FALSE(certified(A, Eigen::Vector2d(1, -1), c, {0, 1}, out));
  // A reduced cost of exactly 0 is within any rounding bound and is decided exactly: with
  // c = (-1, 0, 0, 0), basis {0, 3} is optimal (x2's reduced cost is 0: a tie, still optimal).
  CHECK(certified(A, b, Eigen::Vector4d(-1, 0, 0, 0), {0, 3}, out));
  CHECK(out.objective == -1);
  // A tiny negative reduced cost is not rounding noise: x2's cost -2^-60 with basis {0, 3}
  // gives d_x2 = -2^-60 < 0, so that basis is not optimal.
  CHECK_FALSE(certified(A, b, Eigen::Vector4d(-1, -std::ldexp(1.0, -60), 0, 0), {0, 3}, out));
}

TEST_CASE("a DEA input target is exact when the slack cancels most of theta x_o",
          "[scoring][dea]") {
  // Hand derivation, CCR, unit 2 (inputs 9, 9, output 4): per unit of output, unit 0 uses
  // 6 / 4 = 1.5 of input 2 and every other unit more (7, 9/4, 4 / 2.9e-16, 9/4), so
  // sum lambda_j x_j2 >= 1.5 x 4 = 6 <= 9 theta gives theta* = 2/3 with lambda_0 = 1 alone.
  // Input 1's slack is 6 - 1.52295e-9 and its target unit 0's 1.52295e-9 exactly. Computed
  // as theta* x_o - s- = 6 - (6 - 1.52295e-9), it kept only 7 digits (1.522949766e-9).
  Eigen::MatrixXd x(5, 2), y(5, 1);
  x << 1.52295e-9, 6, 6, 7, 9, 9, 5, 4, 4, 9;
  y << 4, 1, 4, 2.89602e-16, 4;
  const auto r = dea_efficiency(x, y);
  CHECK(r.efficiency[2] == 2.0 / 3);
  CHECK(r.reference_set[2] == std::vector<std::size_t>{0});
  CHECK(r.lambda[2][0] == 1);
  CHECK(r.input_target[2][0] == 1.52295e-9);
  CHECK(r.input_target[2][1] == 6);
  CHECK(r.input_slack[2][0] == Approx(6 - 1.52295e-9).epsilon(1e-15));
  CHECK(r.input_slack[2][1] == 0);
}
