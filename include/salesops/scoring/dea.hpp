// Data envelopment analysis (DEA) for sales-force efficiency research: how far each rep
// (decision-making unit) could shrink its inputs (headcount cost, calls, pipeline) and still
// produce its outputs (bookings, deals) if it operated like the best combination of its peers.
// Input-oriented CCR (constant returns to scale, Charnes, Cooper & Rhodes 1978) and BCC
// (variable returns, Banker, Charnes & Cooper 1984), in the envelopment form of Cooper,
// Seiford & Tone, "Data Envelopment Analysis" (2nd ed., 2007), ch. 3 and 4:
//   theta* = min theta  s.t.  sum_j lambda_j x_ij <= theta x_io   (every input i)
//                             sum_j lambda_j y_rj >= y_ro          (every output r)
//                             lambda >= 0  (BCC also: sum_j lambda_j = 1).
// Each LP is solved by a small dense two-phase simplex (solve_lp) with Bland's rule, which
// cannot cycle, and tolerances relative to the magnitudes involved; its optimal basis is then
// proven optimal in exact rational arithmetic, and the few LPs that double cannot resolve are
// solved again in exact arithmetic, so every answer is the exact optimum rounded once. A
// second stage (CSMT section 3.3) then fixes theta = theta* and maximises the sum of the input
// slacks and output shortfalls (in the data's units), which gives the slacks, the reference set
// {j : lambda_j > 0}, and the projection onto the efficient frontier (targets x_o theta* - s-,
// y_o + s+); a unit is efficient (Pareto-Koopmans) when theta* = 1 and every slack is 0.
#ifndef SALESOPS_SCORING_DEA_HPP
#define SALESOPS_SCORING_DEA_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string_view>
#include <vector>

#include <Eigen/Dense>
// GCC 12 at -O2 and above reports a false "may be used uninitialized" inside cpp_int's
// comparisons (in boost/rational.hpp's normalize, as inlined into callers).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/multiprecision/cpp_int.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "salesops/core/error.hpp"
#include "salesops/core/scale.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::scoring {

namespace detail {
// A unit is efficient when theta* >= 1 - this and every slack is at most this times its
// column's largest value.
inline constexpr double dea_efficient_tolerance = 1e-9;
} // namespace detail

/// \brief Outcome of solve_lp.
enum class lp_status {
  optimal,    ///< an optimal basic solution was found
  infeasible, ///< no x >= 0 satisfies A x = b (an artificial stays above rounding noise in phase 1)
  unbounded   ///< the objective decreases without bound
};

/// \brief The status's name.
inline std::string_view to_string(lp_status s) noexcept {
  return s == lp_status::optimal      ? "optimal"
         : s == lp_status::infeasible ? "infeasible"
                                      : "unbounded";
}

/// \brief Prints the status's name.
inline std::ostream& operator<<(std::ostream& out, lp_status s) {
  return out << to_string(s);
}

/// \brief Solution of a linear programme in standard form.
struct lp_result {
  lp_status status = lp_status::optimal; ///< optimal, infeasible or unbounded
  double objective = 0;                  ///< c'x at the solution (meaningful when optimal)
  Eigen::VectorXd x;                     ///< the solution (meaningful when optimal)
  std::size_t pivots = 0;                ///< simplex pivots over both phases
};

/// \brief Prints the result, for debugging.
inline std::ostream& operator<<(std::ostream& out, const lp_result& r) {
  return out << "lp_result{status=" << r.status << ", objective=" << r.objective
             << ", pivots=" << r.pivots << "}";
}

/// \brief Minimises c'x subject to A x = b, x >= 0 by a two-phase (revised) simplex.
///
/// Rows are scaled by powers of two (exactly) and negated where b_i < 0; phase 1 minimises
/// the sum of one artificial variable per row, then artificials still basic at zero are
/// replaced (or their row dropped as redundant) and phase 2 minimises c'x. Entering and
/// leaving variables follow Bland's rule (smallest index), so the method terminates on
/// degenerate problems such as DEA's. Each iteration factorises its basis B afresh (LU with
/// partial pivoting of B scaled by powers of two in rows and columns), so rounding does not
/// accumulate over pivots. Tolerances are relative: a basic value, reduced cost or pivot-column
/// entry counts as 0 when it is below 64 (k + 1) eps times its error bound, the magnitude of
/// the terms behind it (|B^-1| (P'|L||U| |x| + |b|), Higham 2002 Thm 9.4; k = rows), so
/// they do not depend on the data's units or spread: a value of 1e-300 among entries of order
/// 1 is genuine. Phase 1 declares infeasibility when an artificial keeps a value above that.
/// The optimal basis it ends at is then proven optimal in exact rational arithmetic
/// (boost::multiprecision::cpp_rational, into which doubles convert exactly): B x_B = b with
/// x_B >= 0 and B'y = c_B solved exactly, every reduced cost c_j - y'a_j shown >= 0 (in double
/// with a rigorous error bound, exactly where the bound cannot decide), so x and the objective
/// returned are the exact optimum rounded once to double. Entries far apart (a 1e-15 among
/// values of order 1) can meet bases double cannot resolve (a singular basis, a basic value
/// negative beyond its error bound, a basis the proof rejects): such an LP, and every verdict
/// of infeasible or unbounded, is solved again by the same method in exact arithmetic, at
/// microseconds per operation instead of nanoseconds.
/// \throws salesops::length_mismatch for inconsistent shapes; salesops::not_finite naming
///         the row of a NaN entry; salesops::not_converged after 50 (m + n) pivots (of
///         either solve).
inline lp_result solve_lp(const Eigen::Ref<const Eigen::MatrixXd>& A,
                          const Eigen::Ref<const Eigen::VectorXd>& b,
                          const Eigen::Ref<const Eigen::VectorXd>& c);

namespace detail {
using lp_rational = boost::multiprecision::cpp_rational;
// The doubles of v as rationals (exactly).
inline std::vector<lp_rational> to_rational(const Eigen::Ref<const Eigen::VectorXd>& v) {
  return std::vector<lp_rational>(v.data(), v.data() + v.size());
}
inline double nearest_double(const lp_rational& q);
inline lp_result solve_lp_checked(const Eigen::Ref<const Eigen::MatrixXd>& A,
                                  const Eigen::Ref<const Eigen::VectorXd>& b,
                                  const std::vector<lp_rational>& b_exact,
                                  const Eigen::Ref<const Eigen::VectorXd>& c,
                                  lp_rational& objective);
} // namespace detail

/// \brief Returns to scale of a DEA model.
enum class returns_to_scale {
  constant, ///< CCR
  variable  ///< BCC (convexity constraint sum lambda = 1)
};

/// \brief Prints "CCR" or "BCC".
inline std::ostream& operator<<(std::ostream& out, returns_to_scale r) {
  return out << (r == returns_to_scale::constant ? "CCR" : "BCC");
}

/// \brief Input-oriented DEA efficiency of every unit, with the second-stage slacks, the
/// reference sets and the projections onto the frontier. Per-unit vectors are in input order;
/// slacks and targets are in the data's units.
struct dea_result {
  returns_to_scale model = returns_to_scale::constant; ///< CCR or BCC
  std::vector<double> efficiency;                      ///< theta* per unit, in (0, 1]
  std::vector<std::vector<double>> lambda; ///< peer weights per unit, from the max-slack solution
  std::vector<std::vector<double>>
      input_slack; ///< s-: input excess left after the radial cut theta* x
  std::vector<std::vector<double>> output_slack;  ///< s+: output shortfall (the peers produce more)
  std::vector<std::vector<double>>
      input_target; ///< theta* x_o - s- (= sum_j lambda_j x_j): inputs of the projected unit
  std::vector<std::vector<double>> output_target; ///< y_o + s+: outputs of the projected unit
  std::vector<std::vector<std::size_t>> reference_set; ///< units j with lambda_j > 0, ascending
  std::vector<bool> efficient; ///< theta* >= 1 - 1e-9, every slack <= 1e-9 x its column's max
};

/// \brief Prints the efficiencies, slacks and reference sets, for debugging.
inline std::ostream& operator<<(std::ostream& out, const dea_result& r) {
  const auto list = [&out](const auto& v) {
    out << "[";
    for (std::size_t i = 0; i < v.size(); ++i) out << (i ? ", " : "") << v[i];
    out << "]";
  };
  out << "dea_result{model=" << r.model << ", units=[";
  for (std::size_t o = 0; o < r.efficiency.size(); ++o) {
    out << (o ? ", " : "") << "{theta=" << r.efficiency[o];
    if (o < r.input_slack.size()) {
      out << ", input_slack=";
      list(r.input_slack[o]);
      out << ", output_slack=";
      list(r.output_slack[o]);
      out << ", reference_set=";
      list(r.reference_set[o]);
      out << ", efficient=" << (r.efficient[o] ? "yes" : "no");
    }
    out << "}";
  }
  return out << "]}";
}

/// \brief Input-oriented CCR or BCC efficiency of each unit (row) from its inputs and outputs,
/// with the second-stage (max-slack) slacks, reference set and frontier targets.
/// \param inputs units x inputs, every entry > 0
/// \param outputs units x outputs, every entry >= 0, every unit with some output > 0
/// \param model constant (CCR) or variable (BCC) returns to scale
/// \throws salesops::length_mismatch when the row counts differ; salesops::empty_input;
///         salesops::negative_value / salesops::not_finite naming the unit (row) of a bad
///         entry; salesops::out_of_range_value naming a unit with all outputs 0;
///         salesops::numerical_error naming the argument, unit and column when a column spans
///         more than double's range (an entry divided by the column's largest falls below
///         2.2e-308, e.g. 1e-300..1e300), or naming the unit when its theta* falls below
///         2.2e-308; an LP that is not optimal also throws (cannot happen for valid data: the unit
///         itself is always feasible with theta = 1).
inline dea_result dea_efficiency(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                                 const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                 returns_to_scale model = returns_to_scale::constant) {
  constexpr const char* fn = "dea_efficiency";
  check_equal_lengths(fn, "inputs", static_cast<std::size_t>(inputs.rows()), "outputs",
                      static_cast<std::size_t>(outputs.rows()));
  check_non_empty(fn, "inputs", static_cast<std::size_t>(inputs.rows()));
  check_non_empty(fn, "inputs columns", static_cast<std::size_t>(inputs.cols()));
  check_non_empty(fn, "outputs columns", static_cast<std::size_t>(outputs.cols()));
  const Eigen::Index n = inputs.rows(), m = inputs.cols(), s = outputs.cols();
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < m; ++i)
      check_positive(fn, "inputs", inputs(j, i), static_cast<std::size_t>(j));
    for (Eigen::Index r = 0; r < s; ++r)
      check_non_negative(fn, "outputs", outputs(j, r), static_cast<std::size_t>(j));
    if (!(outputs.row(j).maxCoeff() > 0))
      SALESOPS_THROW(out_of_range_value, fn, "outputs", static_cast<std::size_t>(j),
                     "are all 0: the unit produces nothing, so its efficiency is undefined");
  }
  // Scale every input and output column by its largest value: theta is unit-free. A positive
  // entry that then falls below double's normal range (the column spans more than ~1e308)
  // would lose its digits or become 0, a free peer: refuse rather than answer wrongly.
  Eigen::MatrixXd X = inputs, Y = outputs;
  const auto scale_columns = [&](const auto& data, Eigen::MatrixXd& Z, const char* argument) {
    for (Eigen::Index k = 0; k < Z.cols(); ++k) {
      const double largest = Z.col(k).maxCoeff();
      if (largest > 0) Z.col(k) /= largest;
      for (Eigen::Index j = 0; j < Z.rows(); ++j)
        if (data(j, k) > 0 && !(Z(j, k) >= std::numeric_limits<double>::min()))
          SALESOPS_THROW(numerical_error, fn, argument, static_cast<std::size_t>(j), "column ", k,
                         " is below the column's largest value ", largest,
                         " by more than double's range (2.2e-308)");
    }
  };
  scale_columns(inputs, X, "inputs");
  scale_columns(outputs, Y, "outputs");
  const bool vrs = model == returns_to_scale::variable;
  // Stage 1 variables: theta, lambda_1..n, input slacks (m), output surpluses (s).
  const Eigen::Index rows = m + s + (vrs ? 1 : 0), cols = 1 + n + m + s;
  // Stage 2 maximises the slack sum in the data's units: slack = scaled slack x column scale;
  // the weights are divided by the largest scale so the reduced costs stay of order 1.
  Eigen::VectorXd unit_weight(m + s);
  for (Eigen::Index i = 0; i < m; ++i) unit_weight(i) = inputs.col(i).maxCoeff();
  for (Eigen::Index r = 0; r < s; ++r)
    unit_weight(m + r) = std::max(outputs.col(r).maxCoeff(), 0.0);
  const Eigen::VectorXd slack_cost = -unit_weight / unit_weight.maxCoeff();
  dea_result out;
  out.model = model;
  const auto units = static_cast<std::size_t>(n);
  out.efficiency.resize(units);
  out.lambda.resize(units);
  out.input_slack.resize(units);
  out.output_slack.resize(units);
  out.input_target.resize(units);
  out.output_target.resize(units);
  out.reference_set.resize(units);
  out.efficient.resize(units);
  for (Eigen::Index o = 0; o < n; ++o) {
    Eigen::MatrixXd A = Eigen::MatrixXd::Zero(rows, cols);
    Eigen::VectorXd b = Eigen::VectorXd::Zero(rows), c = Eigen::VectorXd::Zero(cols);
    c(0) = 1;
    for (Eigen::Index i = 0; i < m; ++i) { // theta x_io - sum lambda_j x_ij - slack_i = 0
      A(i, 0) = X(o, i);
      A.row(i).segment(1, n) = -X.col(i).transpose();
      A(i, 1 + n + i) = -1;
    }
    for (Eigen::Index r = 0; r < s; ++r) { // sum lambda_j y_rj - surplus_r = y_ro
      A(m + r, 0) = 0;
      A.row(m + r).segment(1, n) = Y.col(r).transpose();
      A(m + r, 1 + n + m + r) = -1;
      b(m + r) = Y(o, r);
    }
    if (vrs) {
      A.row(m + s).segment(1, n).setOnes();
      b(m + s) = 1;
    }
    // Both stages are solved exactly (solve_lp's proof or exact solve), and stage 2 gets the
    // exact theta*: with theta* rounded, the exact stage 2 would find slacks of the rounding
    // (or no solution, when rounded below).
    std::vector<detail::lp_rational> b_exact = detail::to_rational(b);
    detail::lp_rational theta_exact, slack_sum;
    const lp_result lp = detail::solve_lp_checked(A, b, b_exact, c, theta_exact);
    if (lp.status != lp_status::optimal)
      SALESOPS_THROW(numerical_error, fn, "inputs", static_cast<std::size_t>(o), "LP is ",
                     lp.status);
    const double theta = lp.objective;
    if (!(theta >= std::numeric_limits<double>::min()))
      SALESOPS_THROW(numerical_error, fn, "inputs", static_cast<std::size_t>(o), "has efficiency ",
                     theta, ", below double's normal range");
    // Stage 2: the same constraints with theta fixed at theta* (its column moves to the
    // right-hand side), maximising the weighted slack sum.
    Eigen::MatrixXd A2 = A.rightCols(cols - 1);
    Eigen::VectorXd b2 = b, c2 = Eigen::VectorXd::Zero(cols - 1);
    c2.tail(m + s) = slack_cost;
    for (Eigen::Index i = 0; i < m; ++i) {
      b_exact[static_cast<std::size_t>(i)] = -theta_exact * detail::lp_rational(X(o, i));
      b2(i) = detail::nearest_double(b_exact[static_cast<std::size_t>(i)]);
    }
    const lp_result lp2 = detail::solve_lp_checked(A2, b2, b_exact, c2, slack_sum);
    if (lp2.status != lp_status::optimal)
      SALESOPS_THROW(numerical_error, fn, "inputs", static_cast<std::size_t>(o), "slack LP is ",
                     lp2.status);
    const auto u = static_cast<std::size_t>(o);
    out.efficiency[u] = theta;
    auto& lambda = out.lambda[u];
    lambda.resize(units);
    for (Eigen::Index j = 0; j < n; ++j) {
      lambda[static_cast<std::size_t>(j)] = lp2.x(j);
      if (lambda[static_cast<std::size_t>(j)] > 0)
        out.reference_set[u].push_back(static_cast<std::size_t>(j));
    }
    // The solution is exact (rounded once), so data rounded to double, such as a target
    // computed as theta* x_o - s-, shows slacks of its rounding: the efficient flag counts a
    // slack below dea_efficient_tolerance of its column's largest value (the scaled slack) as 0.
    bool slack_free = true;
    for (Eigen::Index i = 0; i < m; ++i) {
      const double slack = lp2.x(n + i) * unit_weight(i);
      slack_free = slack_free && lp2.x(n + i) <= detail::dea_efficient_tolerance;
      out.input_slack[u].push_back(slack);
      // theta* x_io - s- equals the peers' input sum_j lambda_j x_ij; the sum of nonnegative
      // terms is accurate to rounding, while the difference cancels when s- is most of
      // theta* x_io (a 1.5e-9 input whose slack is 6 kept 7 digits).
      double peers = 0;
      for (Eigen::Index j = 0; j < n; ++j) peers += lp2.x(j) * inputs(j, i);
      out.input_target[u].push_back(peers);
    }
    for (Eigen::Index r = 0; r < s; ++r) {
      const double slack = lp2.x(n + m + r) * unit_weight(m + r);
      slack_free = slack_free && lp2.x(n + m + r) <= detail::dea_efficient_tolerance;
      out.output_slack[u].push_back(slack);
      out.output_target[u].push_back(outputs(o, r) + slack);
    }
    out.efficient[u] = theta >= 1 - detail::dea_efficient_tolerance && slack_free;
  }
  return out;
}

namespace detail {

// One basis of min c'x s.t. A x = b, x >= 0, factorised afresh from the data. Every quantity
// carries an error bound built from the magnitudes of the terms behind it (Higham 2002,
// Thm 9.4: an LU solve is exact for B + dB with |dB| <= c eps P'|L||U|, so |x - x^| <= c eps
// |B^-1| (P'|L||U| |x^| + |b|), c = 3k/(1 - 3k u) for k rows, u = eps / 2); a value within
// `tolerance` (c u with a margin of about 40) of its bound is rounding noise and counts as 0,
// every other value is genuine however small. The bounds scale with the rows and columns of the LP,
// so no test depends on the data's units or spread.
struct lp_factor {
  Eigen::VectorXd D, R;                    // power-of-two column and row scalings of B
  Eigen::PartialPivLU<Eigen::MatrixXd> lu; // of R B D, whose rows and columns are of order 1
  Eigen::MatrixXd G, inverse;              // P'|L||U| and |(R B D)^-1|
  double tolerance;                        // relative noise level of the bounds below

  lp_factor(const Eigen::MatrixXd& A, const std::vector<Eigen::Index>& basis)
      : tolerance(64 * static_cast<double>(basis.size() + 1) *
                  std::numeric_limits<double>::epsilon()) {
    const auto k = static_cast<Eigen::Index>(basis.size());
    Eigen::MatrixXd B(k, k);
    for (Eigen::Index j = 0; j < k; ++j) B.col(j) = A.col(basis[static_cast<std::size_t>(j)]);
    const auto power_of_two = [](double largest) { return std::ldexp(1.0, -binade(largest)); };
    D = B.cwiseAbs().colwise().maxCoeff().transpose().unaryExpr(power_of_two);
    B = B * D.asDiagonal();
    R = B.cwiseAbs().rowwise().maxCoeff().unaryExpr(power_of_two);
    B = R.asDiagonal() * B;
    lu.compute(B);
    const Eigen::MatrixXd L = lu.matrixLU().triangularView<Eigen::UnitLower>(),
                          U = lu.matrixLU().triangularView<Eigen::Upper>();
    G = lu.permutationP().transpose() * (L.cwiseAbs() * U.cwiseAbs());
    inverse = lu.inverse().cwiseAbs();
    if (!G.allFinite() || !inverse.allFinite())
      SALESOPS_THROW(numerical_error, "solve_lp", "A", no_row,
                     "has a basis that is singular in double: its entries span too wide a range");
  }
  // B^-1 v with noise set to 0.
  Eigen::VectorXd solve(const Eigen::VectorXd& v) const {
    const Eigen::VectorXd rv = R.cwiseProduct(v), z = lu.solve(rv),
                          bound = inverse * (G * z.cwiseAbs() + rv.cwiseAbs());
    return (z.array().abs() <= tolerance * bound.array()).select(0.0, D.cwiseProduct(z));
  }
  // The reduced costs c - A'y, y = B^-T c_B, with noise set to 0.
  // abs_A = |A|, formed once per LP.
  Eigen::VectorXd reduced_costs(const Eigen::MatrixXd& A, const Eigen::MatrixXd& abs_A,
                                const Eigen::VectorXd& c,
                                const std::vector<Eigen::Index>& basis) const {
    Eigen::VectorXd cb(D.size());
    for (Eigen::Index j = 0; j < D.size(); ++j)
      cb(j) = D(j) * c(basis[static_cast<std::size_t>(j)]);
    const Eigen::VectorXd z = lu.transpose().solve(cb), y = R.cwiseProduct(z),
                          y_bound = R.cwiseProduct(inverse.transpose() *
                                                   (G.transpose() * z.cwiseAbs() + cb.cwiseAbs())),
                          d = c - A.transpose() * y,
                          bound = c.cwiseAbs() + abs_A.transpose() * y_bound;
    return (d.array().abs() <= tolerance * bound.array()).select(0.0, d);
  }
};

// Bland's simplex from the feasible basis `basis` (columns >= allowed may not enter), with
// every iteration's basis factorised afresh: the LPs here are small, and a tableau updated in
// place carries the growth of every small pivot into all later iterations (with x = (1,1),
// (1,2), (2,1) and y = (1e-10, 1, 1) DEA's theta lost 6 digits that way). Returns the basic
// values in x; returns false when the objective is unbounded.
inline bool lp_simplex(const Eigen::MatrixXd& A, const Eigen::VectorXd& b, const Eigen::VectorXd& c,
                       std::vector<Eigen::Index>& basis, Eigen::Index allowed, std::size_t& pivots,
                       std::size_t max_pivots, Eigen::VectorXd& x) {
  if (basis.empty()) { // no constraint left: x = 0 is optimal unless a cost is negative
    x.resize(0);
    return !(c.head(allowed).array() < 0).any();
  }
  const Eigen::MatrixXd abs_A = A.cwiseAbs();
  for (;;) {
    const lp_factor f(A, basis);
    x = f.solve(b);
    if (x.size() > 0 && !(x.minCoeff() >= 0))
      SALESOPS_THROW(numerical_error, "solve_lp", "A", no_row, "has a basic value ", x.minCoeff(),
                     " < 0 beyond rounding: the problem is too ill-conditioned for double");
    const Eigen::VectorXd d = f.reduced_costs(A, abs_A, c, basis);
    Eigen::Index enter = -1;
    for (Eigen::Index j = 0; j < allowed; ++j) // Bland: first improving column
      if (d(j) < 0) {
        enter = j;
        break;
      }
    if (enter < 0) return true;
    const Eigen::VectorXd w = f.solve(A.col(enter));
    Eigen::Index leave = -1;
    double best = std::numeric_limits<double>::infinity();
    for (Eigen::Index i = 0; i < w.size(); ++i) {
      if (!(w(i) > 0)) continue;
      const double ratio = x(i) / w(i);
      // Bland: among minimum ratios, the row whose basic variable has the smallest index.
      if (ratio < best || (ratio == best && basis[static_cast<std::size_t>(i)] <
                                                basis[static_cast<std::size_t>(leave)])) {
        best = ratio;
        leave = i;
      }
    }
    if (leave < 0) return false;
    basis[static_cast<std::size_t>(leave)] = enter;
    if (++pivots > max_pivots)
      SALESOPS_THROW(not_converged, "solve_lp", "A", no_row, "needed more than ", max_pivots,
                     " pivots");
  }
}

// The double simplex of solve_lp (checked input); throws numerical_error where double cannot
// resolve a basis. `final_basis` gets the optimal basis (one column per row kept: fewer than
// A's rows when phase 1 dropped a redundant one).
inline lp_result solve_lp_double(const Eigen::Ref<const Eigen::MatrixXd>& A,
                                 const Eigen::Ref<const Eigen::VectorXd>& b,
                                 const Eigen::Ref<const Eigen::VectorXd>& c, std::size_t max_pivots,
                                 std::vector<Eigen::Index>& final_basis) {
  const Eigen::Index m = A.rows(), n = A.cols();
  // Phase 1 on [A I] with one artificial per row. Each row is scaled by a power of two (exact)
  // to a largest entry in [1, 2) and a right-hand side >= 0, so that the phase-1 objective, the
  // sum of the artificials, weighs every constraint alike.
  Eigen::MatrixXd A1 = Eigen::MatrixXd::Zero(m, n + m);
  Eigen::VectorXd b1(m), c1 = Eigen::VectorXd::Zero(n + m);
  std::vector<Eigen::Index> basis(static_cast<std::size_t>(m));
  for (Eigen::Index i = 0; i < m; ++i) {
    const double largest = std::max(A.row(i).cwiseAbs().maxCoeff(), std::fabs(b(i)));
    const double scale = std::ldexp(b(i) < 0 ? -1.0 : 1.0, -binade(largest));
    A1.row(i).head(n) = scale * A.row(i);
    A1(i, n + i) = 1;
    b1(i) = scale * b(i);
    c1(n + i) = 1;
    basis[static_cast<std::size_t>(i)] = n + i;
  }
  lp_result out;
  Eigen::VectorXd x;
  lp_simplex(A1, b1, c1, basis, n + m, out.pivots, max_pivots, x);
  // Infeasible when an artificial keeps a value that is not rounding noise.
  for (Eigen::Index k = 0; k < m; ++k) {
    if (basis[static_cast<std::size_t>(k)] >= n && x(k) != 0) {
      out.status = lp_status::infeasible;
      return out;
    }
  }
  // Drive artificials (all at 0) out of the basis; the row of one that no original column can
  // replace is redundant and is dropped (with its artificial, which is then basic nowhere).
  for (std::size_t k = 0; k < basis.size();) {
    if (basis[k] < n) {
      ++k;
      continue;
    }
    const lp_factor f(A1, basis);
    Eigen::Index col = -1;
    for (Eigen::Index j = 0; j < n && col < 0; ++j)
      if (std::find(basis.begin(), basis.end(), j) == basis.end() &&
          f.solve(A1.col(j))(static_cast<Eigen::Index>(k)) != 0)
        col = j;
    if (col >= 0) {
      basis[k] = col;
      ++out.pivots;
      continue;
    }
    Eigen::Index row = 0; // the row of artificial basis[k]: where its column holds the 1
    A1.col(basis[k]).maxCoeff(&row);
    const Eigen::Index last = A1.rows() - 1;
    A1.row(row) = A1.row(last);
    b1(row) = b1(last);
    A1.conservativeResize(last, Eigen::NoChange);
    b1.conservativeResize(last);
    basis.erase(basis.begin() + static_cast<std::ptrdiff_t>(k));
  }
  // Phase 2 on the kept rows and the original columns.
  const Eigen::Index kept = A1.rows();
  const Eigen::MatrixXd A2 = A1.leftCols(n);
  if (!lp_simplex(A2, b1, c, basis, n, out.pivots, max_pivots, x)) {
    out.status = lp_status::unbounded;
    return out;
  }
  out.x = Eigen::VectorXd::Zero(n);
  for (Eigen::Index r = 0; r < kept; ++r) out.x(basis[static_cast<std::size_t>(r)]) = x(r);
  out.objective = c.dot(out.x);
  final_basis = basis;
  return out;
}

// The solution of M v = rhs in exact arithmetic, M's entries doubles (k x k), rhs rationals;
// false when M is singular. Rational arithmetic reduces every result by a gcd, which made
// this the whole cost of certify_optimal; instead each column of M is scaled by a power of two
// to integers and rhs by the lcm of its denominators, the system is eliminated and
// back-substituted fraction-free (Bareiss 1968: each step divides exactly by the previous
// pivot, so entries stay integers and grow only linearly), and each component becomes a
// rational once, at the end.
inline bool exact_solve(const std::vector<std::vector<double>>& M,
                        const std::vector<lp_rational>& rhs, std::vector<lp_rational>& v) {
  using boost::multiprecision::cpp_int;
  const std::size_t k = M.size();
  v.clear();
  if (k == 0) return true; // no constraint: the empty solution
  // Column j is m 2^q per entry (m a 53-bit integer); its least q becomes the column's scale.
  std::vector<int> scale(k, std::numeric_limits<int>::max());
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < k; ++j)
      if (M[i][j] != 0) {
        int e = 0;
        std::frexp(M[i][j], &e);
        scale[j] = std::min(scale[j], e - 53);
      }
  cpp_int denominator = 1; // lcm of rhs's denominators
  for (const lp_rational& r : rhs) {
    const cpp_int& d = boost::multiprecision::denominator(r);
    if (d != 1) denominator = boost::multiprecision::lcm(denominator, d);
  }
  std::vector<std::vector<cpp_int>> T(k, std::vector<cpp_int>(k + 1));
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      if (M[i][j] == 0) continue;
      int e = 0;
      const double fraction = std::frexp(M[i][j], &e);
      T[i][j] = cpp_int(static_cast<long long>(std::ldexp(fraction, 53)));
      T[i][j] <<= static_cast<unsigned>(e - 53 - scale[j]);
    }
    T[i][k] = boost::multiprecision::numerator(rhs[i]) *
              (denominator / boost::multiprecision::denominator(rhs[i]));
  }
  cpp_int previous = 1;
  for (std::size_t col = 0; col < k; ++col) {
    std::size_t p = col;
    while (p < k && T[p][col] == 0) ++p;
    if (p == k) return false;
    std::swap(T[p], T[col]);
    for (std::size_t i = col + 1; i < k; ++i) {
      for (std::size_t j = col + 1; j <= k; ++j)
        T[i][j] = (T[col][col] * T[i][j] - T[i][col] * T[col][j]) / previous;
      T[i][col] = 0;
    }
    previous = T[col][col];
  }
  // Back substitution, fraction-free too: the last pivot is +-det, so N = det z is an integer
  // vector (Cramer's rule) and each step divides exactly. One rational per component at the
  // end: z_j = N_j / det, then M's column scaling and rhs's denominator are undone.
  const cpp_int& det = T[k - 1][k - 1];
  std::vector<cpp_int> N(k);
  for (std::size_t i = k; i-- > 0;) {
    cpp_int acc = T[i][k] * det;
    for (std::size_t j = i + 1; j < k; ++j)
      if (T[i][j] != 0) acc -= T[i][j] * N[j];
    N[i] = acc / T[i][i];
  }
  v.resize(k);
  for (std::size_t j = 0; j < k; ++j) {
    cpp_int numerator = N[j], divisor = det * denominator;
    if (scale[j] >= 0)
      divisor <<= static_cast<unsigned>(scale[j]);
    else
      numerator <<= static_cast<unsigned>(-scale[j]);
    if (divisor < 0) { // cpp_rational wants a positive denominator
      numerator = -numerator;
      divisor = -divisor;
    }
    v[j] = lp_rational(numerator, divisor);
  }
  return true;
}

// The double nearest to q (ties to even); results in the subnormal range may be off by one
// unit of their last place (rounded twice).
inline double nearest_double(const lp_rational& q) {
  using boost::multiprecision::cpp_int;
  cpp_int p = boost::multiprecision::numerator(q), d = boost::multiprecision::denominator(q);
  if (p == 0) return 0;
  const bool negative = p < 0;
  if (negative) p = -p;
  // p / d lies in [2^(e-1), 2^(e+1)): scaled by 2^(62-e) its integer part has 62 or 63 bits,
  // and a nonzero remainder becomes a sticky bit far below double's 53, so the conversion of
  // that 64-bit integer rounds exactly as the rational would.
  const long long e = static_cast<long long>(boost::multiprecision::msb(p)) -
                      static_cast<long long>(boost::multiprecision::msb(d));
  if (e < 62)
    p <<= static_cast<unsigned>(62 - e);
  else
    d <<= static_cast<unsigned>(e - 62);
  cpp_int quotient, remainder;
  boost::multiprecision::divide_qr(p, d, quotient, remainder);
  const std::uint64_t bits = quotient.convert_to<std::uint64_t>() | (remainder != 0 ? 1U : 0U);
  const double v = e - 62 < std::numeric_limits<int>::min() ? 0.0
                   : e - 62 > std::numeric_limits<int>::max()
                       ? std::numeric_limits<double>::infinity()
                       : std::ldexp(static_cast<double>(bits), static_cast<int>(e - 62));
  return negative ? -v : v;
}

// Proves the double simplex's basis optimal, or returns false. In exact arithmetic: B x_B = b
// with x_B >= 0 (primal feasible) and B' y = c_B; then every reduced cost d_j = c_j - y'a_j
// >= 0 (dual feasible), so the basis is optimal by LP duality. The n reduced costs are
// computed in double from y rounded, with a rigorous bound on their error (Higham 2002,
// eq. 3.5: an inner product of k + 1 terms errs by at most gamma_(k+1) times the sum of the
// magnitudes; y's rounding and underflow are added): a d_j beyond its bound has a certain
// sign, and the few within it (DEA's degenerate duals are often exactly 0) are computed
// exactly. On success `out` gets x_B and c'x exactly, rounded once.
inline bool certify_optimal(const Eigen::Ref<const Eigen::MatrixXd>& A,
                            const std::vector<lp_rational>& b,
                            const Eigen::Ref<const Eigen::VectorXd>& c,
                            const std::vector<Eigen::Index>& basis, lp_result& out,
                            lp_rational& objective) {
  const std::size_t k = basis.size();
  if (static_cast<Eigen::Index>(k) != A.rows()) return false; // a row was dropped
  std::vector<std::vector<double>> B(k, std::vector<double>(k)), Bt = B;
  std::vector<lp_rational> rhs(k), cost(k), x, y;
  for (std::size_t i = 0; i < k; ++i) {
    rhs[i] = b[i];
    cost[i] = lp_rational(c(basis[i]));
    for (std::size_t j = 0; j < k; ++j)
      B[i][j] = Bt[j][i] = A(static_cast<Eigen::Index>(i), basis[j]);
  }
  if (!exact_solve(B, rhs, x)) return false;
  for (const lp_rational& v : x)
    if (v < 0) return false;
  if (!exact_solve(Bt, cost, y)) return false;
  Eigen::VectorXd y_rounded(static_cast<Eigen::Index>(k));
  for (std::size_t i = 0; i < k; ++i)
    y_rounded(static_cast<Eigen::Index>(i)) = nearest_double(y[i]);
  std::vector<bool> basic(static_cast<std::size_t>(A.cols()), false);
  for (Eigen::Index j : basis) basic[static_cast<std::size_t>(j)] = true;
  constexpr double u = std::numeric_limits<double>::epsilon() / 2;
  const double terms = static_cast<double>(k + 3); // k + 1 products, y's rounding, the bound's own
  const double gamma = 2 * terms * u / (1 - terms * u);
  const double tiny = std::numeric_limits<double>::denorm_min();
  for (Eigen::Index j = 0; j < A.cols(); ++j) {
    if (basic[static_cast<std::size_t>(j)]) continue;
    double d = c(j), magnitude = std::fabs(c(j)), column = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double a = A(static_cast<Eigen::Index>(i), j),
                   p = y_rounded(static_cast<Eigen::Index>(i)) * a;
      d -= p;
      magnitude += std::fabs(p);
      column += std::fabs(a);
    }
    const double bound = gamma * magnitude + terms * tiny * (1 + column);
    if (std::isfinite(d) && std::isfinite(bound) && std::fabs(d) > bound) {
      if (d < 0) return false; // an improving column: not optimal
      continue;
    }
    lp_rational exact_d = lp_rational(c(j));
    for (std::size_t i = 0; i < k; ++i) {
      const double a = A(static_cast<Eigen::Index>(i), j);
      if (a != 0 && y[i] != 0) exact_d -= y[i] * lp_rational(a);
    }
    if (exact_d < 0) return false;
  }
  out.x = Eigen::VectorXd::Zero(A.cols());
  objective = 0;
  for (std::size_t i = 0; i < k; ++i) {
    out.x(basis[i]) = nearest_double(x[i]);
    objective += cost[i] * x[i];
  }
  out.objective = nearest_double(objective);
  return true;
}

// solve_lp in exact rational arithmetic: the two-phase simplex with Bland's rule on a dense
// tableau [A | I | b] of rationals (rows negated where b < 0; one artificial per row). No
// rounding, so no tolerance: every pivot decision is the exact one, and x is the exact optimum
// rounded once to double. Each operation is on big integers (microseconds, not nanoseconds),
// so solve_lp runs this only for the LPs that double cannot resolve.
inline lp_result solve_lp_exact(const Eigen::Ref<const Eigen::MatrixXd>& A,
                                const std::vector<lp_rational>& b,
                                const Eigen::Ref<const Eigen::VectorXd>& c, std::size_t max_pivots,
                                lp_rational& objective) {
  const auto m = static_cast<std::size_t>(A.rows()), n = static_cast<std::size_t>(A.cols());
  const std::size_t rhs = n + m; // the column of b
  std::vector<std::vector<lp_rational>> T(m, std::vector<lp_rational>(n + m + 1));
  std::vector<std::size_t> basis(m);
  std::vector<bool> basic(n + m, false);
  for (std::size_t i = 0; i < m; ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    const double sign = b[i] < 0 ? -1.0 : 1.0; // negation is exact
    for (std::size_t j = 0; j < n; ++j)
      if (A(r, static_cast<Eigen::Index>(j)) != 0)
        T[i][j] = lp_rational(sign * A(r, static_cast<Eigen::Index>(j)));
    T[i][n + i] = 1;
    T[i][rhs] = sign < 0 ? lp_rational(-b[i]) : b[i];
    basis[i] = n + i;
    basic[n + i] = true;
  }
  lp_result out;
  const auto pivot = [&](std::size_t row, std::size_t col) {
    const lp_rational inverse = 1 / T[row][col];
    for (lp_rational& v : T[row])
      if (v != 0) v *= inverse;
    for (std::size_t i = 0; i < T.size(); ++i) {
      if (i == row || T[i][col] == 0) continue;
      const lp_rational factor = T[i][col];
      for (std::size_t j = 0; j <= rhs; ++j)
        if (T[row][j] != 0) T[i][j] -= factor * T[row][j];
    }
    basic[basis[row]] = false;
    basic[col] = true;
    basis[row] = col;
    if (++out.pivots > max_pivots)
      SALESOPS_THROW(not_converged, "solve_lp", "A", no_row, "needed more than ", max_pivots,
                     " pivots");
  };
  // Bland's simplex on the canonical tableau: columns < allowed may enter. False: unbounded.
  const auto simplex = [&](const std::vector<lp_rational>& cost, std::size_t allowed) {
    for (;;) {
      std::size_t enter = allowed;
      for (std::size_t j = 0; j < allowed && enter == allowed; ++j) {
        if (basic[j]) continue;
        lp_rational reduced = cost[j];
        for (std::size_t i = 0; i < T.size(); ++i)
          if (T[i][j] != 0 && cost[basis[i]] != 0) reduced -= cost[basis[i]] * T[i][j];
        if (reduced < 0) enter = j;
      }
      if (enter == allowed) return true;
      std::size_t leave = T.size();
      lp_rational best;
      for (std::size_t i = 0; i < T.size(); ++i) {
        if (!(T[i][enter] > 0)) continue;
        const lp_rational ratio = T[i][rhs] / T[i][enter];
        if (leave == T.size() || ratio < best || (ratio == best && basis[i] < basis[leave])) {
          best = ratio;
          leave = i;
        }
      }
      if (leave == T.size()) return false;
      pivot(leave, enter);
    }
  };
  std::vector<lp_rational> cost(n + m);
  for (std::size_t j = n; j < n + m; ++j) cost[j] = 1; // phase 1: the sum of the artificials
  simplex(cost, n + m);
  for (std::size_t i = 0; i < m; ++i)
    if (basis[i] >= n && T[i][rhs] != 0) {
      out.status = lp_status::infeasible;
      return out;
    }
  // Artificials left in the basis are at 0: pivot in an original column of their row, or drop
  // the row as redundant (no original column has a nonzero there).
  for (std::size_t i = 0; i < T.size();) {
    if (basis[i] < n) {
      ++i;
      continue;
    }
    std::size_t col = 0;
    while (col < n && (basic[col] || T[i][col] == 0)) ++col;
    if (col < n) {
      pivot(i, col);
      continue;
    }
    basic[basis[i]] = false;
    T.erase(T.begin() + static_cast<std::ptrdiff_t>(i));
    basis.erase(basis.begin() + static_cast<std::ptrdiff_t>(i));
  }
  for (std::size_t j = 0; j < n; ++j) cost[j] = lp_rational(c(static_cast<Eigen::Index>(j)));
  for (std::size_t j = n; j < n + m; ++j) cost[j] = 0;
  if (!simplex(cost, n)) {
    out.status = lp_status::unbounded;
    return out;
  }
  out.x = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
  objective = 0;
  for (std::size_t i = 0; i < T.size(); ++i) {
    out.x(static_cast<Eigen::Index>(basis[i])) = nearest_double(T[i][rhs]);
    objective += cost[basis[i]] * T[i][rhs];
  }
  out.objective = nearest_double(objective);
  return out;
}

// solve_lp on checked input whose right-hand side is b_exact, b its doubles (nearest): the
// double simplex works on b, the proof and the exact solve on b_exact, so a right-hand side
// computed exactly (DEA's second stage, theta* x_o) is not rounded. `objective` gets the exact
// optimum when the status is optimal.
inline lp_result solve_lp_checked(const Eigen::Ref<const Eigen::MatrixXd>& A,
                                  const Eigen::Ref<const Eigen::VectorXd>& b,
                                  const std::vector<lp_rational>& b_exact,
                                  const Eigen::Ref<const Eigen::VectorXd>& c,
                                  lp_rational& objective) {
  const std::size_t max_pivots = 50 * static_cast<std::size_t>(A.rows() + A.cols());
  // The double simplex finds the basis of almost every LP; an optimal basis it reports is
  // kept when exact arithmetic proves it optimal (certify_optimal), and x is then the exact
  // optimum rounded once. Otherwise (a basis double could not resolve, one that fails the
  // proof, or a verdict of infeasible or unbounded, which the exact solve confirms) the LP is
  // solved again in exact arithmetic.
  try {
    std::vector<Eigen::Index> basis;
    lp_result out = solve_lp_double(A, b, c, max_pivots, basis);
    if (out.status == lp_status::optimal && certify_optimal(A, b_exact, c, basis, out, objective))
      return out;
  } catch (const numerical_error&) {
  }
  return solve_lp_exact(A, b_exact, c, max_pivots, objective);
}
} // namespace detail

inline lp_result solve_lp(const Eigen::Ref<const Eigen::MatrixXd>& A,
                          const Eigen::Ref<const Eigen::VectorXd>& b,
                          const Eigen::Ref<const Eigen::VectorXd>& c) {
  constexpr const char* fn = "solve_lp";
  check_equal_lengths(fn, "A rows", static_cast<std::size_t>(A.rows()), "b",
                      static_cast<std::size_t>(b.size()));
  check_equal_lengths(fn, "A columns", static_cast<std::size_t>(A.cols()), "c",
                      static_cast<std::size_t>(c.size()));
  for (Eigen::Index i = 0; i < A.rows(); ++i) {
    check_finite(fn, "b", b(i), static_cast<std::size_t>(i));
    for (Eigen::Index j = 0; j < A.cols(); ++j)
      check_finite(fn, "A", A(i, j), static_cast<std::size_t>(i));
  }
  for (Eigen::Index j = 0; j < c.size(); ++j)
    check_finite(fn, "c", c(j), static_cast<std::size_t>(j));
  detail::lp_rational objective;
  return detail::solve_lp_checked(A, b, detail::to_rational(b), c, objective);
}

} // namespace salesops::scoring

#endif // SALESOPS_SCORING_DEA_HPP
