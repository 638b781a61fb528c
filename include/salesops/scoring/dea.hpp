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
// cannot cycle. A second stage (CSMT section 3.3) then fixes theta = theta* and maximises the
// sum of the input slacks and output shortfalls (in the data's units), which gives the slacks,
// the reference set {j : lambda_j > 0}, and the projection onto the efficient frontier
// (targets x_o theta* - s-, y_o + s+); a unit is efficient (Pareto-Koopmans) when theta* = 1
// and every slack is 0.
#ifndef SALESOPS_SCORING_DEA_HPP
#define SALESOPS_SCORING_DEA_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <ostream>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

#include "salesops/core/error.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::scoring {

namespace detail {
inline constexpr double lp_tolerance = 1e-9;
} // namespace detail

/// \brief Outcome of solve_lp.
enum class lp_status {
  optimal,    ///< an optimal basic solution was found
  infeasible, ///< no x >= 0 satisfies A x = b (phase 1 optimum > tolerance)
  unbounded   ///< the objective decreases without bound
};

/// \brief The status's name.
inline std::string_view to_string(lp_status s) noexcept {
  return s == lp_status::optimal ? "optimal" : s == lp_status::infeasible ? "infeasible" : "unbounded";
}

/// \brief Prints the status's name.
inline std::ostream& operator<<(std::ostream& out, lp_status s) { return out << to_string(s); }

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

/// \brief Minimises c'x subject to A x = b, x >= 0 by the two-phase tableau simplex.
///
/// Rows with b_i < 0 are negated first; phase 1 minimises the sum of one artificial variable
/// per row, then artificials still basic at zero are pivoted out (or their row dropped as
/// redundant) and phase 2 minimises c'x. Entering and leaving variables follow Bland's rule
/// (smallest index), so the method terminates on degenerate problems such as DEA's.
/// Tolerances: a reduced cost or pivot entry counts as nonzero when its magnitude exceeds
/// 1e-9 (problems should be scaled so entries are of order 1, as dea_efficiency does);
/// phase 1 declares infeasibility when its optimum exceeds 1e-9 (1 + max |b|).
/// \throws salesops::length_mismatch for inconsistent shapes; salesops::not_finite naming
///         the row of a NaN entry; salesops::not_converged after 50 (m + n) pivots.
inline lp_result solve_lp(const Eigen::Ref<const Eigen::MatrixXd>& A, const Eigen::Ref<const Eigen::VectorXd>& b,
                          const Eigen::Ref<const Eigen::VectorXd>& c);

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
  std::vector<std::vector<double>> lambda;             ///< peer weights per unit, from the max-slack solution
  std::vector<std::vector<double>> input_slack;        ///< s-: input excess left after the radial cut theta* x
  std::vector<std::vector<double>> output_slack;       ///< s+: output shortfall (the peers produce more)
  std::vector<std::vector<double>> input_target;       ///< theta* x_o - s-: inputs of the projected unit
  std::vector<std::vector<double>> output_target;      ///< y_o + s+: outputs of the projected unit
  std::vector<std::vector<std::size_t>> reference_set; ///< units j with lambda_j > 0, ascending
  std::vector<bool> efficient;                         ///< theta* = 1 and every slack 0 (within 1e-9)
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
///         salesops::numerical_error if an LP is not solved to optimality (cannot happen for
///         valid data: the unit itself is always feasible with theta = 1).
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
    for (Eigen::Index i = 0; i < m; ++i) check_positive(fn, "inputs", inputs(j, i), static_cast<std::size_t>(j));
    for (Eigen::Index r = 0; r < s; ++r) check_non_negative(fn, "outputs", outputs(j, r), static_cast<std::size_t>(j));
    if (!(outputs.row(j).maxCoeff() > 0))
      SALESOPS_THROW(out_of_range_value, fn, "outputs", static_cast<std::size_t>(j),
                     "are all 0: the unit produces nothing, so its efficiency is undefined");
  }
  // Scale every input and output column by its largest value: theta is unit-free, and the
  // simplex tolerances then apply to entries of order 1.
  Eigen::MatrixXd X = inputs, Y = outputs;
  for (Eigen::Index i = 0; i < m; ++i) X.col(i) /= X.col(i).maxCoeff();
  for (Eigen::Index r = 0; r < s; ++r)
    if (Y.col(r).maxCoeff() > 0) Y.col(r) /= Y.col(r).maxCoeff();
  const bool vrs = model == returns_to_scale::variable;
  // Stage 1 variables: theta, lambda_1..n, input slacks (m), output surpluses (s).
  const Eigen::Index rows = m + s + (vrs ? 1 : 0), cols = 1 + n + m + s;
  // Stage 2 maximises the slack sum in the data's units: slack = scaled slack x column scale;
  // the weights are divided by the largest scale so the reduced costs stay of order 1.
  Eigen::VectorXd unit_weight(m + s);
  for (Eigen::Index i = 0; i < m; ++i) unit_weight(i) = inputs.col(i).maxCoeff();
  for (Eigen::Index r = 0; r < s; ++r) unit_weight(m + r) = std::max(outputs.col(r).maxCoeff(), 0.0);
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
  // Values below this (in units of the column's maximum) are rounding noise of the simplex.
  const auto clean = [](double v) { return std::fabs(v) <= detail::lp_tolerance ? 0.0 : v; };
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
    const lp_result lp = solve_lp(A, b, c);
    if (lp.status != lp_status::optimal)
      SALESOPS_THROW(numerical_error, fn, "inputs", static_cast<std::size_t>(o), "LP is ", lp.status);
    const double theta = lp.objective;
    // Stage 2: the same constraints with theta fixed at theta* (its column moves to the
    // right-hand side), maximising the weighted slack sum.
    Eigen::MatrixXd A2 = A.rightCols(cols - 1);
    Eigen::VectorXd b2 = b, c2 = Eigen::VectorXd::Zero(cols - 1);
    for (Eigen::Index i = 0; i < m; ++i) b2(i) = -theta * X(o, i);
    c2.tail(m + s) = slack_cost;
    const lp_result lp2 = solve_lp(A2, b2, c2);
    if (lp2.status != lp_status::optimal)
      SALESOPS_THROW(numerical_error, fn, "inputs", static_cast<std::size_t>(o), "slack LP is ", lp2.status);
    const auto u = static_cast<std::size_t>(o);
    out.efficiency[u] = theta;
    auto& lambda = out.lambda[u];
    lambda.resize(units);
    for (Eigen::Index j = 0; j < n; ++j) {
      lambda[static_cast<std::size_t>(j)] = clean(lp2.x(j));
      if (lambda[static_cast<std::size_t>(j)] > 0) out.reference_set[u].push_back(static_cast<std::size_t>(j));
    }
    bool slack_free = true;
    for (Eigen::Index i = 0; i < m; ++i) {
      const double slack = clean(lp2.x(n + i)) * unit_weight(i);
      slack_free = slack_free && slack == 0;
      out.input_slack[u].push_back(slack);
      out.input_target[u].push_back(theta * inputs(o, i) - slack);
    }
    for (Eigen::Index r = 0; r < s; ++r) {
      const double slack = clean(lp2.x(n + m + r)) * unit_weight(m + r);
      slack_free = slack_free && slack == 0;
      out.output_slack[u].push_back(slack);
      out.output_target[u].push_back(outputs(o, r) + slack);
    }
    out.efficient[u] = theta >= 1 - detail::lp_tolerance && slack_free;
  }
  return out;
}

namespace detail {

// Pivots the tableau T (last column = right-hand side) on (row, col).
inline void lp_pivot(Eigen::MatrixXd& T, Eigen::Index row, Eigen::Index col) {
  T.row(row) /= T(row, col);
  for (Eigen::Index i = 0; i < T.rows(); ++i)
    if (i != row && T(i, col) != 0) T.row(i) -= T(i, col) * T.row(row);
}

// Runs the simplex on tableau T whose last row is the reduced-cost row (objective in its
// last entry, negated); columns >= allowed may not enter. Returns false when unbounded.
inline bool lp_simplex(Eigen::MatrixXd& T, std::vector<Eigen::Index>& basis, Eigen::Index allowed,
                       std::size_t& pivots, std::size_t max_pivots) {
  const Eigen::Index m = T.rows() - 1, rhs = T.cols() - 1;
  for (;;) {
    Eigen::Index enter = -1;
    for (Eigen::Index j = 0; j < allowed; ++j) // Bland: first improving column
      if (T(m, j) < -lp_tolerance) { enter = j; break; }
    if (enter < 0) return true;
    Eigen::Index leave = -1;
    double best = std::numeric_limits<double>::infinity();
    for (Eigen::Index i = 0; i < m; ++i) {
      if (T(i, enter) <= lp_tolerance) continue;
      const double ratio = T(i, rhs) / T(i, enter);
      // Bland: among minimum ratios, the row whose basic variable has the smallest index.
      if (ratio < best - lp_tolerance ||
          (std::fabs(ratio - best) <= lp_tolerance && basis[static_cast<std::size_t>(i)] < basis[static_cast<std::size_t>(leave)])) {
        best = ratio;
        leave = i;
      }
    }
    if (leave < 0) return false;
    lp_pivot(T, leave, enter);
    basis[static_cast<std::size_t>(leave)] = enter;
    if (++pivots > max_pivots)
      SALESOPS_THROW(not_converged, "solve_lp", "A", no_row, "needed more than ", max_pivots, " pivots");
  }
}

} // namespace detail

inline lp_result solve_lp(const Eigen::Ref<const Eigen::MatrixXd>& A, const Eigen::Ref<const Eigen::VectorXd>& b,
                          const Eigen::Ref<const Eigen::VectorXd>& c) {
  constexpr const char* fn = "solve_lp";
  check_equal_lengths(fn, "A rows", static_cast<std::size_t>(A.rows()), "b", static_cast<std::size_t>(b.size()));
  check_equal_lengths(fn, "A columns", static_cast<std::size_t>(A.cols()), "c", static_cast<std::size_t>(c.size()));
  for (Eigen::Index i = 0; i < A.rows(); ++i) {
    check_finite(fn, "b", b(i), static_cast<std::size_t>(i));
    for (Eigen::Index j = 0; j < A.cols(); ++j) check_finite(fn, "A", A(i, j), static_cast<std::size_t>(i));
  }
  for (Eigen::Index j = 0; j < c.size(); ++j) check_finite(fn, "c", c(j), static_cast<std::size_t>(j));
  const Eigen::Index m = A.rows(), n = A.cols();
  const std::size_t max_pivots = 50 * static_cast<std::size_t>(m + n);
  // Tableau: m constraint rows + 1 cost row; columns: n originals, m artificials, rhs.
  Eigen::MatrixXd T = Eigen::MatrixXd::Zero(m + 1, n + m + 1);
  std::vector<Eigen::Index> basis(static_cast<std::size_t>(m));
  for (Eigen::Index i = 0; i < m; ++i) {
    const double sign = b(i) < 0 ? -1.0 : 1.0;
    T.row(i).head(n) = sign * A.row(i);
    T(i, n + i) = 1;
    T(i, n + m) = sign * b(i);
    basis[static_cast<std::size_t>(i)] = n + i;
  }
  // Phase 1 cost row: minimise the sum of artificials, expressed in the non-basic columns.
  for (Eigen::Index i = 0; i < m; ++i) T.row(m) -= T.row(i);
  for (Eigen::Index i = 0; i < m; ++i) T(m, n + i) = 0;
  lp_result out;
  detail::lp_simplex(T, basis, n + m, out.pivots, max_pivots);
  if (-T(m, n + m) > detail::lp_tolerance * (1 + b.cwiseAbs().maxCoeff())) {
    out.status = lp_status::infeasible;
    return out;
  }
  // Drive artificials out of the basis; a row with no usable original column is redundant.
  std::vector<bool> keep(static_cast<std::size_t>(m), true);
  for (Eigen::Index i = 0; i < m; ++i) {
    if (basis[static_cast<std::size_t>(i)] < n) continue;
    Eigen::Index col = -1;
    for (Eigen::Index j = 0; j < n; ++j)
      if (std::fabs(T(i, j)) > detail::lp_tolerance) { col = j; break; }
    if (col < 0) {
      keep[static_cast<std::size_t>(i)] = false;
    } else {
      detail::lp_pivot(T, i, col);
      basis[static_cast<std::size_t>(i)] = col;
      ++out.pivots;
    }
  }
  // Phase 2 tableau without artificial columns and redundant rows.
  Eigen::Index kept = 0;
  for (bool k : keep) kept += k ? 1 : 0;
  Eigen::MatrixXd U = Eigen::MatrixXd::Zero(kept + 1, n + 1);
  std::vector<Eigen::Index> basis2;
  for (Eigen::Index i = 0, r = 0; i < m; ++i) {
    if (!keep[static_cast<std::size_t>(i)]) continue;
    U.row(r).head(n) = T.row(i).head(n);
    U(r, n) = T(i, n + m);
    basis2.push_back(basis[static_cast<std::size_t>(i)]);
    ++r;
  }
  U.row(kept).head(n) = c.transpose();
  for (Eigen::Index r = 0; r < kept; ++r) {
    const Eigen::Index j = basis2[static_cast<std::size_t>(r)];
    if (U(kept, j) != 0) U.row(kept) -= U(kept, j) * U.row(r);
  }
  if (!detail::lp_simplex(U, basis2, n, out.pivots, max_pivots)) {
    out.status = lp_status::unbounded;
    return out;
  }
  out.x = Eigen::VectorXd::Zero(n);
  for (Eigen::Index r = 0; r < kept; ++r) out.x(basis2[static_cast<std::size_t>(r)]) = U(r, n);
  out.objective = c.dot(out.x);
  return out;
}

} // namespace salesops::scoring

#endif // SALESOPS_SCORING_DEA_HPP
