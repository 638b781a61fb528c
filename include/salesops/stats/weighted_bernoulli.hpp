// The distribution of a weighted sum of independent Bernoulli variables,
// X = sum_i a_i B_i with B_i ~ Bernoulli(p_i) and amounts a_i >= 0: the revenue that closes
// from open deals of amount a_i and win probability p_i (a weighted Poisson-binomial law).
//
// Methods, from exact to fastest:
//  * weighted_bernoulli_exact: integer amounts divided by their gcd g give a lattice of
//    K = sum a_i / g + 1 points. Two algorithms build the pmf on it (lattice_algorithm):
//    - dp: deal by deal, the textbook subset-sum DP, O(n * width) where width <= K. Cells are
//      pruned from both ends of the support while the pruned mass stays below a stated budget
//      (default 1e-14 in total), so the work follows the spread of X, not its range.
//    - fft: a product tree of depth one evaluated in the frequency domain. Deals (sorted by
//      amount) are cut into leaves whose pmfs are built by the same DP; the leaves' pmfs are
//      multiplied as spectra of one radix-2 FFT (salesops/stats/fft_convolution.hpp) whose
//      size N only has to hold the window [lo, hi] where a Chernoff bound with the exact
//      cumulant generating function puts all but a budgeted mass of X: the cyclic convolution
//      modulo N folds the mass outside the window in, and that mass is bounded a priori.
//      A leaf is closed when continuing its DP would cost more per deal than a new leaf's
//      transform (the cost rule in detail::lattice_builder). `automatic` (the default) uses
//      the dp while n * min(K, 17 sd / g) <= 2^25 cell updates, else the fft.
//    Every cdf / sf value is exact to pruned_mass() + numerical_error(): the mass dropped or
//    folded from the tails, plus a rigorous bound on floating-point error (Higham's FFT bound,
//    gamma_{4m} for m DP steps).
//  * weighted_bernoulli_grid: amounts rounded to the nearest multiple of a step h, then the
//    same DP. With the same B_i, |X - X_h| <= D = sum_i |a_i - h k_i| <= n h / 2 for EVERY
//    outcome, so P(X >= x) lies in [P(X_h >= x + D), P(X_h >= x - D)] and each quantile of X
//    lies within D of the quantile of X_h. Sharper brackets from Hoeffding's inequality on
//    E = X - X_h (a sum of independent terms of width |e_i|) at several tail probabilities
//    are intersected with it; see tail_bracket().
//  * weighted_bernoulli_normal: N(mean, variance) with the Berry-Esseen bound of Shevtsova
//    (2010), sup_x |F(x) - Phi| <= 0.56 sum_i E|Y_i - EY_i|^3 / sd^3, a rigorous bound.
//  * weighted_bernoulli_saddlepoint: Lugannani and Rice (1980) tail formula, no rigorous
//    bound but relative errors of order 1/n in practice (tested against the exact DP).
//  * weighted_bernoulli_monte_carlo: seeded simulation, for cross-checks.
#ifndef SALESOPS_STATS_WEIGHTED_BERNOULLI_HPP
#define SALESOPS_STATS_WEIGHTED_BERNOULLI_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <ostream>
#include <utility>
#include <vector>

#include <boost/math/constants/constants.hpp>
#include <boost/math/distributions/normal.hpp>

#include "salesops/core/error.hpp"
#include "salesops/core/rng.hpp"
#include "salesops/core/scale.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/stats/fft_convolution.hpp"

namespace salesops::stats {

/// \brief Mean and variance of X = sum a_i B_i (exact closed forms, any method).
struct weighted_bernoulli_moments {
  double mean = 0;     ///< sum a_i p_i
  double variance = 0; ///< sum a_i^2 p_i (1 - p_i)
  double sd = 0;       ///< sqrt(variance)
  double total = 0;    ///< sum a_i, the largest possible value of X
};

/// \brief Prints the moments, for debugging.
inline std::ostream& operator<<(std::ostream& out, const weighted_bernoulli_moments& m) {
  return out << "weighted_bernoulli_moments{mean=" << m.mean << ", variance=" << m.variance
             << ", sd=" << m.sd << ", total=" << m.total << "}";
}

/// \brief Exact moments of X, computed on the amounts scaled by their largest, so that they
/// are right for amounts from 1e-300 to 1e300 (the squares a_i^2 neither over- nor underflow).
/// \throws salesops::length_mismatch, salesops::not_finite, salesops::negative_value (an
///         amount), salesops::out_of_range_value (a probability outside [0, 1]), each naming
///         the row; salesops::out_of_range_value naming the largest amount's row when the
///         total or the variance of X is outside the range of a double (a variance above
///         1.8e308, or below 2.2e-308 though X is not constant).
inline weighted_bernoulli_moments weighted_bernoulli_moments_of(span<const double> amounts,
                                                                span<const double> probs);

/// \brief A probability with a rigorous two-sided bracket: lower <= truth <= upper.
struct probability_bracket {
  double estimate = 0; ///< the method's value
  double lower = 0;    ///< guaranteed lower bound on the true probability
  double upper = 0;    ///< guaranteed upper bound on the true probability
};

/// \brief Prints the bracket, for debugging.
inline std::ostream& operator<<(std::ostream& out, const probability_bracket& b) {
  return out << "probability_bracket{estimate=" << b.estimate << ", lower=" << b.lower
             << ", upper=" << b.upper << "}";
}

/// \brief How the law on the lattice is built.
enum class lattice_algorithm {
  automatic, ///< dp for small problems, fft beyond the documented switch rule
  dp,        ///< deal by deal subset-sum dynamic programming
  fft        ///< DP leaves multiplied as spectra of one FFT (product tree of depth one)
};

/// \brief Prints "automatic", "dp" or "fft".
inline std::ostream& operator<<(std::ostream& out, lattice_algorithm a) {
  return out << (a == lattice_algorithm::dp    ? "dp"
                 : a == lattice_algorithm::fft ? "fft"
                                               : "automatic");
}

namespace detail {
struct lattice_builder;
} // namespace detail

/// \brief The law of X on a lattice {k * step}, computed by weighted_bernoulli_exact or
/// weighted_bernoulli_grid. Queries are in the units of the amounts.
class weighted_bernoulli_distribution {
public:
  /// \brief Lattice step (the gcd of the amounts, or the grid step).
  double step() const noexcept { return step_; }
  /// \brief Exact moments of X (of the unrounded amounts).
  const weighted_bernoulli_moments& moments() const noexcept { return moments_; }
  /// \brief True when the lattice holds X itself (no rounding of amounts).
  bool exact() const noexcept { return rounding_bound_ == 0; }
  /// \brief Bound on the probability mass dropped from the tails (for the fft algorithm also
  /// the mass the cyclic convolution folds into the window, counted again): with
  /// numerical_error() it bounds the error of every cdf / sf value.
  double pruned_mass() const noexcept { return pruned_; }
  /// \brief Rigorous bound on the floating-point error of every cdf / sf value (and so of
  /// every pmf value): gamma_{4m} for the m steps of a DP leaf, plus for the fft algorithm the
  /// L1 bound of salesops::stats::cyclic_convolution.
  double numerical_error() const noexcept { return numerical_; }
  /// \brief The algorithm that built the law (dp or fft).
  lattice_algorithm algorithm() const noexcept { return algorithm_; }
  /// \brief D = sum |a_i - step k_i|: |X - X_step| <= D for every outcome (0 when exact).
  double rounding_bound() const noexcept { return rounding_bound_; }
  /// \brief Number of lattice cells kept (the support after pruning).
  std::size_t cells() const noexcept { return pmf_.size(); }
  /// \brief Smallest value kept in the support.
  double support_min() const noexcept { return static_cast<double>(first_) * step_; }
  /// \brief Largest value kept in the support.
  double support_max() const noexcept {
    return static_cast<double>(first_ + static_cast<std::int64_t>(pmf_.size()) - 1) * step_;
  }

  /// \brief P(X_step = x) (0 off the lattice).
  double pmf(double x) const noexcept {
    const auto k = lattice_index(x);
    if (!on_lattice(x, k) || k < first_ || k >= first_ + static_cast<std::int64_t>(pmf_.size()))
      return 0;
    return pmf_[static_cast<std::size_t>(k - first_)];
  }

  /// \brief P(X_step <= x).
  double cdf(double x) const noexcept {
    const std::int64_t k = floor_index(x);
    if (k < first_) return 0;
    if (k >= first_ + static_cast<std::int64_t>(cdf_.size())) return cdf_.back();
    return cdf_[static_cast<std::size_t>(k - first_)];
  }

  /// \brief P(X_step >= x), computed from the upper tail so small tails keep their digits.
  double sf(double x) const noexcept {
    const std::int64_t k = ceil_index(x);
    if (k <= first_) return upper_.front();
    if (k >= first_ + static_cast<std::int64_t>(upper_.size())) return 0;
    return upper_[static_cast<std::size_t>(k - first_)];
  }

  /// \brief P(X >= x) for the TRUE X with a rigorous bracket. Exact method: +- (pruned_mass +
  /// numerical_error).
  /// The estimate is sf(x - sum p_i e_i) (sf(x) for the exact method), which removes the mean
  /// rounding error of the grid.
  /// Grid method: the tightest of the deterministic shift by D and Hoeffding bounds on
  /// E = X - X_step with tail probability delta (P(X >= x) <= P(X_step >= x - t) + delta,
  /// t = mean(E) + sqrt(ln(1/delta) sum e_i^2 / 2)) for each delta in hoeffding_deltas (every
  /// one gives a rigorous bracket, so their intersection is one), widened by pruned_mass +
  /// numerical_error.
  probability_bracket tail_bracket(double x) const noexcept {
    probability_bracket b;
    // The estimate removes the first-order rounding bias: E[X - X_step] = sum p_i e_i.
    b.estimate = sf(x - error_mean_);
    double lo = sf(x + rounding_bound_);
    double hi = sf(x - rounding_bound_);
    if (rounding_bound_ > 0)
      for (const double delta : hoeffding_deltas) {
        const double s = std::sqrt(std::log(1.0 / delta) * error_sq_sum_ / 2.0);
        // X >= x needs X_step >= x - E with E <= error_mean + s except with prob. delta.
        hi = std::min(hi, sf(x - (error_mean_ + s)) + delta);
        lo = std::max(lo, sf(x + (s - error_mean_)) - delta);
      }
    b.lower = std::max(0.0, lo - pruned_ - numerical_);
    b.upper = std::min(1.0, hi + pruned_ + numerical_);
    return b;
  }

  /// \brief Smallest lattice value x with P(X_step <= x) >= p (the P10 / P50 / P90 rule),
  /// comparing with a relative tolerance of 1e-12 so ties such as F(x) = 1/2 are not lost to
  /// rounding. For the grid method the true quantile lies within rounding_bound() of it.
  /// \throws salesops::out_of_range_value when p is outside [0, 1].
  double quantile(double p) const {
    check_probability("weighted_bernoulli_distribution::quantile", "p", p);
    const double target = p - 1e-12 * std::max(p, 1e-300);
    const auto it = std::lower_bound(cdf_.begin(), cdf_.end(), target);
    const auto i = it == cdf_.end() ? cdf_.size() - 1 : static_cast<std::size_t>(it - cdf_.begin());
    return static_cast<double>(first_ + static_cast<std::int64_t>(i)) * step_;
  }

  /// \brief E[max(q - X_step, 0)]: the expected shortfall below a target q. For the grid
  /// method it differs from that of X by at most sum p_i |e_i| (<= rounding_bound()).
  double expected_shortfall(double q) const noexcept {
    neumaier_sum<double> acc;
    for (std::size_t i = 0; i < pmf_.size(); ++i) {
      const double x = static_cast<double>(first_ + static_cast<std::int64_t>(i)) * step_;
      if (x >= q) break;
      acc.update((q - x) * pmf_[i]);
    }
    return acc.result();
  }

  /// \brief Tail probabilities tried by tail_bracket's Hoeffding bounds: a small delta wins
  /// far in the tails, a larger one (shorter shift t) near the centre.
  static constexpr std::array<double, 6> hoeffding_deltas = {1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 1e-2};

private:
  friend struct detail::lattice_builder;

  std::int64_t lattice_index(double x) const noexcept {
    return static_cast<std::int64_t>(std::llround(x / step_));
  }
  bool on_lattice(double x, std::int64_t k) const noexcept {
    return std::fabs(x - static_cast<double>(k) * step_) <= 1e-9 * step_;
  }
  // Largest k with k * step <= x, treating x within 1e-9 steps of a lattice point as on it.
  std::int64_t floor_index(double x) const noexcept {
    const double r = x / step_;
    if (r >= 9e15) return std::numeric_limits<std::int64_t>::max() / 2;
    if (r <= -9e15) return std::numeric_limits<std::int64_t>::min() / 2;
    return static_cast<std::int64_t>(std::floor(r + 1e-9));
  }
  // Smallest k with k * step >= x, with the same tolerance.
  std::int64_t ceil_index(double x) const noexcept {
    const double r = x / step_;
    if (r >= 9e15) return std::numeric_limits<std::int64_t>::max() / 2;
    if (r <= -9e15) return std::numeric_limits<std::int64_t>::min() / 2;
    return static_cast<std::int64_t>(std::ceil(r - 1e-9));
  }

  double step_ = 1;
  std::int64_t first_ = 0;    // lattice index of pmf_[0]
  std::vector<double> pmf_;   // P(X_step = (first_ + i) step)
  std::vector<double> cdf_;   // compensated prefix sums of pmf_
  std::vector<double> upper_; // compensated suffix sums: P(X_step >= (first_ + i) step)
  weighted_bernoulli_moments moments_;
  double pruned_ = 0;
  double numerical_ = 0;
  lattice_algorithm algorithm_ = lattice_algorithm::dp;
  double rounding_bound_ = 0;
  double error_mean_ = 0;   // sum p_i e_i, e_i = a_i - step k_i
  double error_sq_sum_ = 0; // sum e_i^2
};

/// \brief Prints the summary of the distribution, for debugging.
inline std::ostream& operator<<(std::ostream& out, const weighted_bernoulli_distribution& d) {
  return out << "weighted_bernoulli_distribution{step=" << d.step() << ", cells=" << d.cells()
             << ", support=[" << d.support_min() << ", " << d.support_max()
             << "], exact=" << d.exact() << ", algorithm=" << d.algorithm()
             << ", pruned_mass=" << d.pruned_mass() << ", numerical_error=" << d.numerical_error()
             << ", rounding_bound=" << d.rounding_bound() << ", " << d.moments() << "}";
}

/// \brief Default total probability that may be pruned from the tails of the DP.
inline constexpr double default_pruning_budget = 1e-14;
/// \brief Default cap on the number of lattice cells the DP may hold at once (2^24 cells,
/// 128 MiB): room for the 10^7-step lattices of the exact and grid defaults.
inline constexpr std::size_t default_max_cells = std::size_t{1} << 24;

/// \brief Cell updates of the DP beyond which lattice_algorithm::automatic uses the fft:
/// the estimate is n * min(K, 17 sd / step) (n uncertain deals, K lattice points, 17 sd the
/// width of the support after pruning), about 20-40 ms of DP on the benchmark machine.
inline constexpr double fft_switch_work = 33554432.0; // 2^25

/// \brief Tuning of weighted_bernoulli_exact and weighted_bernoulli_grid.
struct lattice_options {
  double pruning_budget = default_pruning_budget; ///< total tail mass that may be dropped
  std::size_t max_cells = default_max_cells;      ///< cap on DP widths and the FFT size
  lattice_algorithm algorithm = lattice_algorithm::automatic; ///< dp, fft or by the rule
  std::size_t leaf_deals = 0; ///< fft: deals per DP leaf; 0 chooses by the cost rule
};

/// \brief Prints the options, for debugging.
inline std::ostream& operator<<(std::ostream& out, const lattice_options& o) {
  return out << "lattice_options{pruning_budget=" << o.pruning_budget
             << ", max_cells=" << o.max_cells << ", algorithm=" << o.algorithm
             << ", leaf_deals=" << o.leaf_deals << "}";
}

/// \brief Exact law of X for integer amounts, on the lattice of their gcd.
/// \param amounts deal amounts: integers >= 0 (e.g. cents or whole currency units), < 2^53
/// \param probs win probabilities in [0, 1]
/// \param pruning_budget total tail mass the DP may drop (0 keeps every cell)
/// \param max_cells cap on the DP width; beyond it use weighted_bernoulli_grid
/// \throws salesops::length_mismatch, salesops::not_finite, salesops::negative_value,
///         salesops::out_of_range_value (a probability outside [0, 1], a non-integer amount,
///         each naming the row; or the lattice needing more than max_cells cells).
inline weighted_bernoulli_distribution
weighted_bernoulli_exact(span<const double> amounts, span<const double> probs,
                         double pruning_budget = default_pruning_budget,
                         std::size_t max_cells = default_max_cells);

/// \brief Exact law of X for integer amounts, with every tuning option (see lattice_options).
/// \throws as weighted_bernoulli_exact, and salesops::out_of_range_value when the fft
///         window needs a transform larger than max_cells.
inline weighted_bernoulli_distribution weighted_bernoulli_exact(span<const double> amounts,
                                                                span<const double> probs,
                                                                const lattice_options& options);

/// \brief Law of X_h, the sum with each amount rounded to the nearest multiple of `step`,
/// with the rigorous brackets of weighted_bernoulli_distribution::tail_bracket.
/// \param step grid step h > 0, in the units of the amounts
/// \throws as weighted_bernoulli_exact (no integer requirement), salesops::negative_value
///         when step <= 0.
inline weighted_bernoulli_distribution
weighted_bernoulli_grid(span<const double> amounts, span<const double> probs, double step,
                        double pruning_budget = default_pruning_budget,
                        std::size_t max_cells = default_max_cells);

/// \brief Law of X_h on the grid of `step`, with every tuning option (see lattice_options).
/// \throws as weighted_bernoulli_grid.
inline weighted_bernoulli_distribution weighted_bernoulli_grid(span<const double> amounts,
                                                               span<const double> probs,
                                                               double step,
                                                               const lattice_options& options);

/// \brief A tail probability from an approximation, with its error bound when one exists.
struct tail_approximation {
  double probability = 0;                                       ///< approximate P(X >= x)
  double error_bound = std::numeric_limits<double>::infinity(); ///< rigorous |error| bound, or +inf
};

/// \brief Prints the approximation, for debugging.
inline std::ostream& operator<<(std::ostream& out, const tail_approximation& t) {
  return out << "tail_approximation{probability=" << t.probability
             << ", error_bound=" << t.error_bound << "}";
}

/// \brief Normal approximation of P(X >= x) = 1 - Phi((x - mean) / sd), with the
/// Berry-Esseen bound 0.56 sum_i a_i^3 p_i q_i (p_i^2 + q_i^2) / sd^3 (Shevtsova 2010).
/// \throws as weighted_bernoulli_moments_of, salesops::not_finite for x.
inline tail_approximation weighted_bernoulli_normal(span<const double> amounts,
                                                    span<const double> probs, double x);

/// \brief Lugannani-Rice saddlepoint approximation of P(X >= x) (continuous form).
/// No rigorous bound (error_bound = +inf). Exact within one smallest uncertain amount a_min
/// (0 < p_i < 1) of either end of the support [lo, hi] (lo: the amounts won for sure, hi: all
/// amounts with p_i > 0): 1 for x <= lo, 1 - prod(1 - p_i) over the uncertain deals for
/// x in (lo, lo + a_min], prod p_i for x in (hi - a_min, hi], 0 for x > hi: there the
/// continuous formula's saddlepoint runs off to infinity.
/// \throws as weighted_bernoulli_moments_of, salesops::not_finite for x.
inline tail_approximation weighted_bernoulli_saddlepoint(span<const double> amounts,
                                                         span<const double> probs, double x);

/// \brief Monte Carlo estimate of P(X >= x) with its standard error.
struct monte_carlo_estimate {
  double probability = 0;    ///< share of draws with X >= x
  double standard_error = 0; ///< sqrt(p (1 - p) / draws)
  std::uint64_t draws = 0;   ///< number of simulated outcomes
};

/// \brief Prints the estimate, for debugging.
inline std::ostream& operator<<(std::ostream& out, const monte_carlo_estimate& m) {
  return out << "monte_carlo_estimate{probability=" << m.probability
             << ", standard_error=" << m.standard_error << ", draws=" << m.draws << "}";
}

/// \brief Seeded Monte Carlo estimate of P(X >= x): a cross-check, O(n * draws).
/// \throws as weighted_bernoulli_moments_of, salesops::out_of_range_value when draws == 0.
inline monte_carlo_estimate weighted_bernoulli_monte_carlo(span<const double> amounts,
                                                           span<const double> probs, double x,
                                                           std::uint64_t draws, rng& gen);

// ---------------------------------------------------------------------------------------
// Implementation.

namespace detail {
inline void check_deals(const char* fn, span<const double> amounts, span<const double> probs) {
  check_equal_lengths(fn, "amounts", amounts.size(), "probs", probs.size());
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    check_non_negative(fn, "amounts", amounts[i], i);
    check_probability(fn, "probs", probs[i], i);
  }
}

// The sums run on the amounts divided by a power of two near the largest (exact; for the
// variance the largest of a deal with 0 < p < 1, the only ones it counts), so the squares
// neither overflow (amounts near 1e300 gave an infinite variance, or NaN, which max(0, .)
// turned into 0, when p = 1) nor underflow (near 1e-300 the variance was 0). Moments still
// outside the range of a double are refused, not returned as 0 or inf.
inline weighted_bernoulli_moments moments_unchecked(const char* fn, span<const double> a,
                                                    span<const double> p) {
  std::size_t top = 0, top_uncertain = a.size(); // rows of the largest amounts
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] > a[top]) top = i;
    if (p[i] > 0 && p[i] < 1 && (top_uncertain == a.size() || a[i] > a[top_uncertain]))
      top_uncertain = i;
  }
  const auto scale_of = [&](std::size_t row) {
    return row < a.size() ? std::ldexp(1.0, binade(a[row])) : 1.0;
  };
  const double scale = scale_of(top), var_scale = scale_of(top_uncertain);
  neumaier_sum<double> mean, var, total;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double u = a[i] / scale, v = a[i] / var_scale;
    mean.update(u * p[i]);
    if (p[i] > 0 && p[i] < 1) var.update(v * v * p[i] * (1 - p[i])); // sure deals: v^2 may be inf
    total.update(u);
  }
  const double v = std::max(0.0, var.result());
  weighted_bernoulli_moments m;
  m.mean = mean.result() * scale;
  m.variance = v * var_scale * var_scale;
  m.sd = std::sqrt(v) * var_scale;
  m.total = total.result() * scale;
  if (!std::isfinite(m.total))
    SALESOPS_THROW(out_of_range_value, fn, "amounts", top, "is ", a[top],
                   ": the sum of the amounts overflows a double; rescale the amounts");
  if (!std::isfinite(m.variance) || (v > 0 && !(m.variance >= std::numeric_limits<double>::min())))
    SALESOPS_THROW(out_of_range_value, fn, "amounts", top_uncertain, "is ", a[top_uncertain],
                   ": the variance of X, sum a_i^2 p_i (1 - p_i), is outside the range of a ",
                   "double (sd = ", m.sd, "); rescale the amounts");
  return m;
}
} // namespace detail

inline weighted_bernoulli_moments weighted_bernoulli_moments_of(span<const double> amounts,
                                                                span<const double> probs) {
  constexpr const char* fn = "weighted_bernoulli_moments_of";
  detail::check_deals(fn, amounts, probs);
  return detail::moments_unchecked(fn, amounts, probs);
}

namespace detail {
// Cumulant generating function of X - mean, C(s) = K(s) - s mean = sum_i [log(q + p e^{t})
// - p t] with t = s a_i, and the derivatives K'(s), K''(s). Each term is evaluated without
// overflow (for t > 0 as t + log(p + q e^{-t}) - p t) and without cancellation near s = 0
// (as log1p(p expm1(t)) - p t), because the saddlepoint's w needs s x - K(s), a small
// difference of large numbers, to full relative precision.
struct cgf_values {
  double centred = 0, k1 = 0, k2 = 0;
};
inline cgf_values cgf(span<const double> a, span<const double> pr, double s) {
  neumaier_sum<double> c0, k1, k2;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double p = pr[i], q = 1 - p, t = s * a[i];
    if (p == 0 || a[i] == 0) continue;
    if (p == 1) {
      k1.update(a[i]);
      continue;
    }
    double w = 0; // P(B = 1) under the tilted law
    if (t > 1) {
      const double e = std::exp(-t);
      c0.update(q * t + std::log(p + q * e));
      w = p / (p + q * e);
    } else {
      const double em1 = std::expm1(t);
      c0.update(std::log1p(p * em1) - p * t);
      w = p * (em1 + 1) / (1 + p * em1);
    }
    k1.update(a[i] * w);
    k2.update(a[i] * a[i] * w * (1 - w));
  }
  return {c0.result(), k1.result(), k2.result()};
}

// Chernoff: for v > 0, P(sign (X - mean) >= t) <= exp(C(sign v) - v t). Returns a t with
// that bound <= exp(-c), minimising t(v) = (C(sign v) + c) / v by Newton's method on
// v C'(sign v) sign - C(sign v) = c (increasing in v). Any v > 0 gives a valid bound, so the
// result is rigorous whether or not Newton has converged; the margin covers the rounding of C.
inline double chernoff_deviation(span<const double> a, span<const double> pr, double mean,
                                 double sd, double c, double sign) {
  double v = std::sqrt(2 * c) / sd;
  double best = std::numeric_limits<double>::infinity();
  for (int it = 0; it < 40; ++it) {
    const auto g = cgf(a, pr, sign * v);
    best = std::min(best, (g.centred + c) / v);
    const double h = v * sign * (g.k1 - mean) - g.centred - c, dh = v * g.k2;
    double next = dh > 0 ? v - h / dh : 2 * v;
    if (!(next > 0)) next = v / 2;
    if (std::fabs(next - v) <= 1e-6 * v) break;
    v = next;
  }
  return best * (1 + 1e-9) + 1;
}

// One DP leaf: the law of the sum of some deals' lattice multiples; cell f[off + j] holds
// P(sum = first + j). Pruning the low tail advances `off` instead of moving the array, which
// is compacted only when half of it is dead.
struct dp_leaf {
  std::int64_t first = 0;
  std::size_t off = 0;
  std::vector<double> f = std::vector<double>(1, 1.0);
  neumaier_sum<double> pruned;
  std::size_t deals = 0;
  double work = 0; // cell updates so far
  std::size_t width() const noexcept { return f.size() - off; }
  void compact() {
    f.erase(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(off));
    off = 0;
  }
  std::vector<double> take() {
    compact();
    return std::move(f);
  }
};

// Drops cells from each tail of the leaf while the tail's dropped mass stays <= share / 2.
inline void dp_prune(dp_leaf& leaf, double share) {
  std::vector<double>& f = leaf.f;
  double low = 0, high = 0;
  std::size_t lo = leaf.off, hi = f.size();
  while (hi - lo > 1 && low + f[lo] <= share / 2) low += f[lo++];
  while (hi - lo > 1 && high + f[hi - 1] <= share / 2) high += f[--hi];
  if (low + high > 0) {
    leaf.pruned.update(low + high);
    f.resize(hi);
    leaf.first += static_cast<std::int64_t>(lo - leaf.off);
    leaf.off = lo;
  }
}

// Makes room for `grow` more cells and returns the leaf's first cell.
inline double* dp_grow(dp_leaf& leaf, std::size_t grow, std::size_t max_cells, const char* fn,
                       std::size_t row) {
  const std::size_t width = leaf.width();
  if (grow >= max_cells || width > max_cells - grow)
    SALESOPS_THROW(out_of_range_value, fn, "amounts", row, "makes the lattice wider than ",
                   "max_cells = ", max_cells, " cells (use a coarser grid step)");
  if (leaf.off > leaf.f.size() / 2) leaf.compact();
  leaf.f.resize(leaf.f.size() + grow, 0.0);
  leaf.work += static_cast<double>(width + grow);
  return leaf.f.data() + leaf.off;
}

// Adds deal (k, p) to the leaf (descending, so x[j - k] still holds the previous law when it
// is read), then prunes.
inline void dp_add(dp_leaf& leaf, std::int64_t k, double p, double share, std::size_t max_cells,
                   const char* fn, std::size_t row) {
  const std::size_t width = leaf.width(), shift = static_cast<std::size_t>(k);
  double* x = dp_grow(leaf, shift, max_cells, fn, row);
  const double q = 1 - p;
  for (std::size_t j = width + shift; j-- > shift;) x[j] = q * x[j] + p * x[j - shift];
  for (std::size_t j = std::min(shift, width); j-- > 0;) x[j] *= q;
  ++leaf.deals;
  dp_prune(leaf, share);
}

// Cost of one more fft leaf in DP cell updates: half a complex transform of size n (two leaves
// share one) and the pointwise products, measured against the DP loop on the benchmark machine.
inline double fft_leaf_cost(std::size_t n) {
  const double nd = static_cast<double>(n);
  return nd * (1.0 * std::log2(std::max(nd, 2.0)) + 4);
}

// Builds the law on the lattice {k * step} from the integer multiples k_i.
struct lattice_builder {
  static weighted_bernoulli_distribution build(span<const double> amounts, span<const double> probs,
                                               span<const std::int64_t> k, double step,
                                               const lattice_options& opt, const char* fn) {
    check_non_negative(fn, "pruning_budget", opt.pruning_budget);
    weighted_bernoulli_distribution d;
    d.step_ = step;
    d.moments_ = moments_unchecked(fn, amounts, probs);
    neumaier_sum<double> rounding, error_mean, error_sq;
    for (std::size_t i = 0; i < amounts.size(); ++i) {
      const double e = amounts[i] - static_cast<double>(k[i]) * step;
      rounding.update(std::fabs(e));
      error_mean.update(probs[i] * e);
      error_sq.update(e * e);
    }
    d.rounding_bound_ = rounding.result();
    d.error_mean_ = error_mean.result();
    d.error_sq_sum_ = error_sq.result();

    // Deals won for sure only shift X; the others are taken in increasing amount, which
    // keeps the DP's early widths small and makes the result independent of input order.
    std::int64_t sure = 0;
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < k.size(); ++i) {
      if (k[i] == 0 || probs[i] == 0) continue;
      if (probs[i] == 1)
        sure += k[i];
      else
        rows.push_back(i);
    }
    std::sort(rows.begin(), rows.end(), [&](std::size_t x, std::size_t y) {
      return k[x] != k[y] ? k[x] < k[y] : probs[x] != probs[y] ? probs[x] < probs[y] : x < y;
    });
    std::vector<double> kd(rows.size()), pd(rows.size());
    neumaier_sum<double> mean, var, total;
    for (std::size_t j = 0; j < rows.size(); ++j) {
      kd[j] = static_cast<double>(k[rows[j]]);
      pd[j] = probs[rows[j]];
      mean.update(kd[j] * pd[j]);
      var.update(kd[j] * kd[j] * pd[j] * (1 - pd[j]));
      total.update(kd[j]);
    }
    const double sd = std::sqrt(var.result());
    const double work =
        static_cast<double>(rows.size()) * std::min(total.result() + 1, 17 * sd + 1);
    const bool fft = opt.algorithm == lattice_algorithm::fft ||
                     (opt.algorithm == lattice_algorithm::automatic && work > fft_switch_work);

    const double budget = opt.pruning_budget;
    std::vector<double>& f = d.pmf_;
    const auto use_dp_leaf = [&](dp_leaf& leaf) { // the law is one leaf: the plain DP
      f = leaf.take();
      d.first_ = leaf.first + sure;
      d.pruned_ = leaf.pruned.result();
      d.numerical_ = rounding_gamma(4.0 * static_cast<double>(rows.size()));
      d.algorithm_ = lattice_algorithm::dp;
    };
    if (!fft || rows.empty()) {
      dp_leaf leaf;
      const double share = rows.empty() ? 0.0 : budget / static_cast<double>(rows.size());
      for (std::size_t j = 0; j < rows.size(); ++j)
        dp_add(leaf, k[rows[j]], pd[j], share, opt.max_cells, fn, rows[j]);
      use_dp_leaf(leaf);
    } else {
      // Window [lo, hi] holding all but budget / 4 of the mass (Chernoff, each tail budget / 8);
      // leaves prune at most budget / 4 in total. Both masses count twice (dropped from the
      // window and folded into it), so pruned_mass() <= budget.
      const double c = std::log(8 / std::max(budget, 1e-300));
      const double m = mean.result(), t_total = total.result();
      const double t_lo = chernoff_deviation(kd, pd, m, sd, c, -1.0);
      const double t_hi = chernoff_deviation(kd, pd, m, sd, c, 1.0);
      const double lo_d = std::max(0.0, std::floor(m - t_lo));
      const double hi_d = std::min(t_total, std::ceil(m + t_hi));
      const double outside = (lo_d > 0 ? budget / 8 : 0.0) + (hi_d < t_total ? budget / 8 : 0.0);
      const auto lo = static_cast<std::int64_t>(lo_d), hi = static_cast<std::int64_t>(hi_d);
      const auto cells = static_cast<std::size_t>(hi - lo + 1);
      std::size_t n = 1;
      while (n < cells) n *= 2;
      if (n > opt.max_cells)
        SALESOPS_THROW(out_of_range_value, fn, "amounts", no_row, "need an FFT of ", n,
                       " cells, more than max_cells = ", opt.max_cells,
                       " (use a coarser grid step)");
      cyclic_convolution conv(n);
      const double share = budget / (4 * static_cast<double>(rows.size()));
      const double leaf_cost = fft_leaf_cost(n);
      neumaier_sum<double> pruned, leaf_rounding;
      dp_leaf leaf;
      std::size_t leaves = 0;
      const auto close = [&] {
        conv.update(span<const double>(leaf.f.data() + leaf.off, leaf.width()), leaf.first);
        pruned.update(leaf.pruned.result());
        leaf_rounding.update(rounding_gamma(4.0 * static_cast<double>(leaf.deals)));
        ++leaves;
        leaf = dp_leaf();
      };
      for (std::size_t j = 0; j < rows.size(); ++j) {
        if (leaf.deals > 0) {
          const double next = static_cast<double>(leaf.width()) + kd[j];
          const bool full = opt.leaf_deals > 0
                                ? leaf.deals >= opt.leaf_deals
                                : static_cast<double>(leaf.deals) * next >= leaf.work + leaf_cost;
          if (full) close();
        }
        dp_add(leaf, k[rows[j]], pd[j], share, opt.max_cells, fn, rows[j]);
      }
      if (leaves == 0 && opt.algorithm == lattice_algorithm::automatic) {
        use_dp_leaf(leaf); // one leaf held every deal: the cost rule found the DP cheaper
      } else {
        close();
        const auto r = conv.result();
        f.resize(cells);
        for (std::size_t j = 0; j < cells; ++j)
          f[j] = r.values[static_cast<std::size_t>(lo + static_cast<std::int64_t>(j)) % n];
        d.first_ = lo + sure;
        d.pruned_ = 2 * (outside + pruned.result());
        d.numerical_ = r.l1_error_bound + 2 * leaf_rounding.result();
        d.algorithm_ = lattice_algorithm::fft;
      }
    }
    // Prefix and suffix sums, compensated, so both tails keep their relative accuracy; their
    // rounding (Neumaier: 2u |sum| + O(n u^2)) is added to the numerical error.
    d.numerical_ += 4 * unit_roundoff;
    d.cdf_.resize(f.size());
    d.upper_.resize(f.size());
    neumaier_sum<double> below, above;
    for (std::size_t i = 0; i < f.size(); ++i) {
      below.update(f[i]);
      d.cdf_[i] = below.result();
    }
    for (std::size_t i = f.size(); i-- > 0;) {
      above.update(f[i]);
      d.upper_[i] = above.result();
    }
    return d;
  }
};

// Largest integer a double holds exactly (2^53).
inline constexpr double max_exact_integer = 9007199254740992.0;

} // namespace detail

inline weighted_bernoulli_distribution weighted_bernoulli_exact(span<const double> amounts,
                                                                span<const double> probs,
                                                                const lattice_options& options) {
  const char* fn = "weighted_bernoulli_exact";
  detail::check_deals(fn, amounts, probs);
  std::uint64_t g = 0;
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    const double a = amounts[i];
    if (a != std::floor(a) || a >= detail::max_exact_integer)
      SALESOPS_THROW(out_of_range_value, fn, "amounts", i, "is ", a,
                     ", not an integer below 2^53 (scale to cents or use weighted_bernoulli_grid)");
    g = std::gcd(g, static_cast<std::uint64_t>(a));
  }
  if (g == 0) g = 1; // every amount is 0: X = 0
  std::vector<std::int64_t> k(amounts.size());
  for (std::size_t i = 0; i < amounts.size(); ++i)
    k[i] = static_cast<std::int64_t>(static_cast<std::uint64_t>(amounts[i]) / g);
  return detail::lattice_builder::build(amounts, probs, k, static_cast<double>(g), options, fn);
}

inline weighted_bernoulli_distribution weighted_bernoulli_exact(span<const double> amounts,
                                                                span<const double> probs,
                                                                double pruning_budget,
                                                                std::size_t max_cells) {
  lattice_options o;
  o.pruning_budget = pruning_budget;
  o.max_cells = max_cells;
  return weighted_bernoulli_exact(amounts, probs, o);
}

inline weighted_bernoulli_distribution weighted_bernoulli_grid(span<const double> amounts,
                                                               span<const double> probs,
                                                               double step,
                                                               const lattice_options& options) {
  const char* fn = "weighted_bernoulli_grid";
  detail::check_deals(fn, amounts, probs);
  check_positive(fn, "step", step);
  std::vector<std::int64_t> k(amounts.size());
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    const double r = std::nearbyint(amounts[i] / step);
    if (r >= detail::max_exact_integer)
      SALESOPS_THROW(out_of_range_value, fn, "amounts", i, "is ", amounts[i],
                     ", more than 2^53 grid steps of ", step);
    k[i] = static_cast<std::int64_t>(r);
  }
  return detail::lattice_builder::build(amounts, probs, k, step, options, fn);
}

inline weighted_bernoulli_distribution weighted_bernoulli_grid(span<const double> amounts,
                                                               span<const double> probs,
                                                               double step, double pruning_budget,
                                                               std::size_t max_cells) {
  lattice_options o;
  o.pruning_budget = pruning_budget;
  o.max_cells = max_cells;
  return weighted_bernoulli_grid(amounts, probs, step, o);
}

namespace detail {
inline double normal_upper(double z) {
  return boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), z));
}
} // namespace detail

inline tail_approximation weighted_bernoulli_normal(span<const double> amounts,
                                                    span<const double> probs, double x) {
  const char* fn = "weighted_bernoulli_normal";
  detail::check_deals(fn, amounts, probs);
  check_finite(fn, "x", x);
  const auto m = detail::moments_unchecked(fn, amounts, probs);
  tail_approximation t;
  if (m.sd == 0) { // X is the constant m.mean
    t.probability = x <= m.mean ? 1.0 : 0.0;
    t.error_bound = 0;
    return t;
  }
  neumaier_sum<double> third; // in units of sd, so a^3 cannot overflow
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    const double p = probs[i], q = 1 - p, a = amounts[i] / m.sd;
    // E|a B - a p|^3 = a^3 (q p^3 + p q^3) = a^3 p q (p^2 + q^2).
    third.update(a * a * a * p * q * (p * p + q * q));
  }
  t.probability = detail::normal_upper((x - m.mean) / m.sd);
  t.error_bound = std::min(1.0, 0.56 * third.result());
  return t;
}

inline tail_approximation weighted_bernoulli_saddlepoint(span<const double> amounts,
                                                         span<const double> probs, double x) {
  const char* fn = "weighted_bernoulli_saddlepoint";
  detail::check_deals(fn, amounts, probs);
  check_finite(fn, "x", x);
  const auto m = detail::moments_unchecked(fn, amounts, probs);
  tail_approximation t;
  // The minimum of X is the sum of amounts won for sure; the maximum is the total of the
  // amounts with p > 0.
  // Within the smallest uncertain amount of an end, X >= x means every uncertain deal won (top)
  // or any won (bottom), exactly.
  neumaier_sum<double> lo_sum, hi_sum;
  double prob_max = 1, prob_min = 1; // P(X = hi), P(X = lo)
  double smallest = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    if (probs[i] == 1) lo_sum.update(amounts[i]);
    if (probs[i] > 0 && amounts[i] > 0) {
      hi_sum.update(amounts[i]);
      prob_max *= probs[i];
      if (probs[i] < 1) {
        prob_min *= 1 - probs[i];
        smallest = std::min(smallest, amounts[i]);
      }
    }
  }
  const double lo = lo_sum.result(), hi = hi_sum.result();
  if (x <= lo) {
    t.probability = 1.0;
    return t;
  }
  if (x > hi) return t;
  if (x > hi - smallest) {
    t.probability = prob_max;
    return t;
  }
  if (x <= lo + smallest) {
    t.probability = 1.0 - prob_min;
    return t;
  }
  // Here lo < x < hi, so at least one deal is uncertain and sd > 0.
  const double z = (x - m.mean) / m.sd;
  if (std::fabs(z) < 1e-4) {
    // So close to the mean that 1/u - 1/w cancels: use the LR formula's expansion in z,
    // 1 - Phi(z) + phi(z) kappa3 (z^2 - 1) / (6 sd^3), whose error is O(z^2 / sqrt(n)).
    neumaier_sum<double> k3;
    for (std::size_t i = 0; i < amounts.size(); ++i) {
      const double p = probs[i], a = amounts[i];
      k3.update(a * a * a * p * (1 - p) * (1 - 2 * p));
    }
    const double phi = std::exp(-0.5 * z * z) / boost::math::constants::root_two_pi<double>();
    t.probability =
        detail::normal_upper(z) + phi * k3.result() * (z * z - 1) / (6 * m.variance * m.sd);
    return t;
  }
  // Solve K'(s) = x. K' increases from lo (s -> -inf) through the mean (s = 0) to hi
  // (s -> +inf): bracket the root by doubling from the normal guess z / sd, then take Newton
  // steps that fall back to bisection whenever they would leave the bracket.
  const double start = z / m.sd;
  double a = 0, b = 0;
  if (x > m.mean) {
    b = start;
    while (detail::cgf(amounts, probs, b).k1 < x && b < 1e300) {
      a = b;
      b *= 2;
    }
  } else {
    a = start;
    while (detail::cgf(amounts, probs, a).k1 > x && a > -1e300) {
      b = a;
      a *= 2;
    }
  }
  double s = 0.5 * (a + b);
  detail::cgf_values c = detail::cgf(amounts, probs, s);
  for (int it = 0; it < 200; ++it) {
    const double g = c.k1 - x;
    if (g < 0)
      a = s;
    else
      b = s;
    if (std::fabs(g) <= 1e-14 * (std::fabs(x) + m.sd) || b - a <= 1e-15 * std::fabs(s)) break;
    double next = c.k2 > 0 ? s - g / c.k2 : 0.5 * (a + b);
    if (!(next > a && next < b)) next = 0.5 * (a + b);
    s = next;
    c = detail::cgf(amounts, probs, s);
  }
  // s x - K(s) = s (x - mean) - C(s), both terms of order s^2 sd^2: no cancellation.
  const double w =
      (s > 0 ? 1.0 : -1.0) * std::sqrt(std::max(0.0, 2 * (s * (x - m.mean) - c.centred)));
  const double u = s * std::sqrt(c.k2);
  const double phi = std::exp(-0.5 * w * w) / boost::math::constants::root_two_pi<double>();
  t.probability = std::clamp(detail::normal_upper(w) + phi * (1 / u - 1 / w), 0.0, 1.0);
  return t;
}

inline monte_carlo_estimate weighted_bernoulli_monte_carlo(span<const double> amounts,
                                                           span<const double> probs, double x,
                                                           std::uint64_t draws, rng& gen) {
  const char* fn = "weighted_bernoulli_monte_carlo";
  detail::check_deals(fn, amounts, probs);
  check_finite(fn, "x", x);
  if (draws == 0) SALESOPS_THROW(out_of_range_value, fn, "draws", no_row, "is 0");
  std::uint64_t hits = 0;
  for (std::uint64_t d = 0; d < draws; ++d) {
    neumaier_sum<double> revenue;
    for (std::size_t i = 0; i < amounts.size(); ++i)
      if (gen.uniform() < probs[i]) revenue.update(amounts[i]);
    if (revenue.result() >= x) ++hits;
  }
  monte_carlo_estimate e;
  e.draws = draws;
  e.probability = static_cast<double>(hits) / static_cast<double>(draws);
  e.standard_error = std::sqrt(e.probability * (1 - e.probability) / static_cast<double>(draws));
  return e;
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_WEIGHTED_BERNOULLI_HPP
