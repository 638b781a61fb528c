// Fisher's exact test for two conversion rates (a 2x2 table), with the conditional maximum-
// likelihood odds ratio and its exact confidence interval, as R's fisher.test. Conditional on
// the margins, the successes of B follow Fisher's noncentral hypergeometric distribution with
// the odds ratio as noncentrality; the test is the ratio-1 case. Counts may be large (the
// weights are in log space, so nothing under- or overflows, and each evaluation walks only
// the cells within e^-100 of the top weight, or of the observed table's).
#ifndef SALESOPS_STATS_FISHER_HPP
#define SALESOPS_STATS_FISHER_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <utility>
#include <vector>

#include <boost/math/tools/roots.hpp>

#include "salesops/core/error.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/stats/alternative.hpp"
#include "salesops/stats/proportion.hpp"

namespace salesops::stats {

/// \brief Result of Fisher's exact test of rate_b against rate_a.
struct fisher_result {
  double p_value = 1; ///< exact p-value under `alt` (R's fisher.test)
  /// Conditional maximum-likelihood estimate of odds(B) / odds(A); 0 or +infinity when B's
  /// successes sit at an end of their conditional support.
  double odds_ratio = 1;
  double lower = 0; ///< lower bound of the exact interval for the odds ratio (may be 0)
  double upper = std::numeric_limits<double>::infinity(); ///< upper bound (may be +infinity)
  double level = 0.95;                                    ///< confidence level
  alternative alt = alternative::two_sided;               ///< alternative hypothesis
};

/// \brief Prints the result, for debugging.
inline std::ostream& operator<<(std::ostream& out, const fisher_result& r) {
  return out << "fisher{p_value=" << r.p_value << ", odds_ratio=" << r.odds_ratio
             << ", lower=" << r.lower << ", upper=" << r.upper << ", level=" << r.level
             << ", alternative=" << r.alt << "}";
}

namespace detail {

// Fisher's noncentral hypergeometric law of B's successes given the margins, on the support
// lo..hi, with log-weights known up to a constant (only ratios matter).
class noncentral_hypergeometric {
public:
  noncentral_hypergeometric(std::uint64_t successes, std::uint64_t failures,
                            std::uint64_t trials_b) {
    const double m = static_cast<double>(successes), n = static_cast<double>(failures),
                 k = static_cast<double>(trials_b);
    lo_ = trials_b > failures ? trials_b - failures : 0;
    hi_ = std::min(trials_b, successes);
    log_weight_.resize(static_cast<std::size_t>(hi_ - lo_) + 1);
    // dhyper(i + 1) / dhyper(i) = (m - i)(k - i) / ((i + 1)(n - k + i + 1)), one log of that
    // ratio per step (an absolute error of about one ulp of 1, where the difference of two logs
    // of products near 10^24 lost about 30), walked outwards from the mode, weight 1: each
    // weight then carries the rounding of the steps between it and the mode only, a few
    // hundred within the mass of a table of millions, not the whole support from lo (which lost
    // 9 digits at a million trials per arm, 2026-11-27 audit).
    const double mode = std::floor((m + 1.0) * (k + 1.0) / (m + n + 2.0));
    const auto centre = static_cast<std::size_t>(
        std::clamp(mode, static_cast<double>(lo_), static_cast<double>(hi_)) -
        static_cast<double>(lo_));
    const auto log_ratio = [&](std::size_t j) { // log(dhyper(lo + j + 1) / dhyper(lo + j))
      const double i = static_cast<double>(lo_ + j);
      return std::log(((m - i) * (k - i)) / ((i + 1.0) * (n - k + i + 1.0)));
    };
    log_weight_[centre] = 0;
    for (std::size_t j = centre + 1; j < log_weight_.size(); ++j)
      log_weight_[j] = log_weight_[j - 1] + log_ratio(j - 1);
    for (std::size_t j = centre; j-- > 0;) log_weight_[j] = log_weight_[j + 1] - log_ratio(j);
  }
  std::uint64_t lo() const { return lo_; }
  std::uint64_t hi() const { return hi_; }

  // Probabilities under log odds ratio theta of the support cells lo + first, lo + first + 1,
  // ..., normalised over them: the cells whose weight is at least e^-100 times that of the top
  // cell, or of cell `keep` (an index from lo) when that is smaller. The weights are
  // log-concave in the cell, so these cells are one interval around the top, and the cells
  // left out hold less than 1e-40 of the top's (or keep's) weight. Walking only them makes
  // each root-finding step cost the spread of the law (for a near-normal law, e^-100 lies
  // sqrt(200) = 14 standard deviations either side of the top), not its support.
  struct window {
    std::size_t first = 0;
    std::vector<double> p;
  };
  static constexpr std::size_t no_cell = std::numeric_limits<std::size_t>::max();
  window density(double theta, std::size_t keep = no_cell) const {
    const auto f = [&](std::size_t j) { // log weight up to the constant theta * lo
      return log_weight_[j] + theta * static_cast<double>(j);
    };
    // The top: the first cell whose next step goes down (bisection on the slope).
    std::size_t top = 0, last = log_weight_.size() - 1;
    while (top < last) {
      const std::size_t mid = top + (last - top) / 2;
      if (f(mid + 1) > f(mid))
        top = mid + 1;
      else
        last = mid;
    }
    const double level = std::min(f(top), keep == no_cell ? f(top) : f(keep)) - 100.0;
    window w;
    w.first = std::min(top, keep);
    last = keep == no_cell ? top : std::max(top, keep);
    while (w.first > 0 && f(w.first - 1) >= level) --w.first;
    while (last + 1 < log_weight_.size() && f(last + 1) >= level) ++last;
    w.p.resize(last - w.first + 1);
    neumaier_sum<double> total;
    for (std::size_t j = 0; j < w.p.size(); ++j) {
      w.p[j] = std::exp(f(w.first + j) - f(top));
      total.update(w.p[j]);
    }
    const double norm = total.result();
    for (double& x : w.p) x /= norm;
    return w;
  }
  double mean(double theta) const {
    const auto d = density(theta);
    neumaier_sum<double> acc;
    for (std::size_t j = 0; j < d.p.size(); ++j)
      acc.update(d.p[j] * static_cast<double>(lo_ + d.first + j));
    return acc.result();
  }
  // P(X <= x) (upper = false) or P(X >= x) (upper = true).
  double tail(std::uint64_t x, double theta, bool upper) const {
    const auto d = density(theta, static_cast<std::size_t>(x - lo_));
    neumaier_sum<double> acc;
    for (std::size_t j = 0; j < d.p.size(); ++j) {
      const std::uint64_t v = lo_ + d.first + j;
      if (upper ? v >= x : v <= x) acc.update(d.p[j]);
    }
    return std::min(1.0, acc.result());
  }

private:
  std::uint64_t lo_ = 0, hi_ = 0;
  std::vector<double> log_weight_;
};

// Root of an increasing function f of the log odds ratio, bracketed by doubling outwards
// from [-1, 1]; returns the odds ratio exp(theta).
template <class F> double solve_log_odds(F f) {
  double a = -1.0, b = 1.0;
  for (int i = 0; i < 12 && f(a) > 0; ++i) a *= 2.0; // |theta| up to 4096 covers any table
  for (int i = 0; i < 12 && f(b) < 0; ++i) b *= 2.0;
  if (f(a) > 0 || f(b) < 0)
    SALESOPS_THROW(not_converged, "fisher_exact", "odds_ratio", no_row, "could not be bracketed");
  std::uintmax_t iterations = 200;
  // Relative tolerance in theta, absolute near theta = 0 (an odds ratio near 1).
  const auto close_enough = [](double u, double v) {
    return std::fabs(u - v) <= 1e-14 * std::max(1.0, std::min(std::fabs(u), std::fabs(v)));
  };
  const auto root = boost::math::tools::toms748_solve(f, a, b, close_enough, iterations);
  return std::exp((root.first + root.second) / 2.0);
}

} // namespace detail

/// \brief Fisher's exact test of H0: odds ratio 1, with the conditional MLE of the odds ratio
/// odds(B) / odds(A) and its exact confidence interval, as R's
/// fisher.test(matrix(c(s_b, s_a, n_b - s_b, n_a - s_a), 2), alternative, conf.level = level).
///
/// Given the margins, B's successes X follow the noncentral hypergeometric law with weights
/// dhyper(x) psi^x. Two-sided p-value: the total probability (psi = 1) of tables no more
/// likely than the observed one, with R's relative tolerance 1e-7 for ties; one-sided: the
/// lower (less) or upper (greater) tail. The estimate solves E_psi[X] = x; the interval
/// inverts the tails at alpha = (1 - level)/2 (two-sided) or 1 - level (one-sided). Roots are
/// solved to about 1e-14 in log psi, tighter than R's uniroot (about 1e-4), so estimates and
/// bounds agree with R to about 4 significant digits and with an exact solution to 12.
/// \throws salesops::empty_input when a trial count is 0; salesops::out_of_range_value when
///         successes exceed trials or level is not in (0, 1).
inline fisher_result fisher_exact(std::uint64_t successes_a, std::uint64_t trials_a,
                                  std::uint64_t successes_b, std::uint64_t trials_b,
                                  alternative alt = alternative::two_sided, double level = 0.95) {
  constexpr const char* fn = "fisher_exact";
  detail::check_counts(fn, "successes_a", successes_a, "trials_a", trials_a);
  detail::check_counts(fn, "successes_b", successes_b, "trials_b", trials_b);
  check_level(fn, "level", level);
  const std::uint64_t successes = successes_a + successes_b;
  const std::uint64_t failures = (trials_a - successes_a) + (trials_b - successes_b);
  const detail::noncentral_hypergeometric law(successes, failures, trials_b);
  const std::uint64_t x = successes_b, lo = law.lo(), hi = law.hi();
  const double xd = static_cast<double>(x);
  const double inf = std::numeric_limits<double>::infinity();

  fisher_result r;
  r.alt = alt;
  r.level = level;
  switch (alt) {
  case alternative::less:
    r.p_value = law.tail(x, 0.0, false);
    break;
  case alternative::greater:
    r.p_value = law.tail(x, 0.0, true);
    break;
  case alternative::two_sided: {
    const auto cell = static_cast<std::size_t>(x - lo);
    const auto d = law.density(0.0, cell);
    const double cutoff = d.p[cell - d.first] * (1.0 + 1e-7);
    neumaier_sum<double> acc;
    for (double p : d.p)
      if (p <= cutoff) acc.update(p);
    r.p_value = std::min(1.0, acc.result());
    break;
  }
  }

  if (x == lo) {
    r.odds_ratio = 0.0;
  } else if (x == hi) {
    r.odds_ratio = inf;
  } else {
    r.odds_ratio = detail::solve_log_odds([&](double t) { return law.mean(t) - xd; });
  }

  // Exact bounds: the odds ratio at which the observed tail probability equals alpha.
  const auto upper_bound = [&](double alpha) {
    if (x == hi) return inf;
    return detail::solve_log_odds([&](double t) { return alpha - law.tail(x, t, false); });
  };
  const auto lower_bound = [&](double alpha) {
    if (x == lo) return 0.0;
    return detail::solve_log_odds([&](double t) { return law.tail(x, t, true) - alpha; });
  };
  switch (alt) {
  case alternative::less:
    r.lower = 0.0;
    r.upper = upper_bound(1.0 - level);
    break;
  case alternative::greater:
    r.lower = lower_bound(1.0 - level);
    r.upper = inf;
    break;
  case alternative::two_sided:
    r.lower = lower_bound((1.0 - level) / 2.0);
    r.upper = upper_bound((1.0 - level) / 2.0);
    break;
  }
  return r;
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_FISHER_HPP
