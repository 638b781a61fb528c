// Small-sample fairness: empirical-Bayes shrinkage of per-rep win rates and of per-rep means.
//
// Win rates follow the beta-binomial model of Efron & Morris / Robinson's "empirical Bayes
// baseball" (Efron, "Large-Scale Inference", ch. 1): wins_i ~ Binomial(trials_i, p_i),
// p_i ~ Beta(alpha, beta). The prior is fitted either by maximum likelihood of the
// beta-binomial marginal likelihood (what R's optim on that log-likelihood returns) or by the
// method of moments, and each rep gets the posterior Beta(alpha + wins, beta + losses) with an
// equal-tailed interval. Means follow the normal-normal model y_i ~ N(theta_i, v_i),
// theta_i ~ N(mu, tau^2) with known v_i, tau^2 by DerSimonian-Laird (R's metafor::rma
// method = "DL"), the James-Stein-type estimator theta_i = mu + tau^2/(tau^2 + v_i)(y_i - mu).
//
// Compile time: fit_beta_prior_mle, posterior_win_rates and shrink_win_rates are function
// templates with one unused, defaulted parameter, so that only translation units calling them
// instantiate Boost.Math's digamma, trigamma and beta quantile (see forecast/linear_model.hpp).
#ifndef SALESOPS_SCORING_SHRINKAGE_HPP
#define SALESOPS_SCORING_SHRINKAGE_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include "salesops/core/error.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::scoring {

/// \brief How the Beta prior of the win rates is fitted.
enum class prior_method {
  mle,    ///< maximum of the beta-binomial marginal likelihood (Newton in log parameters)
  moments ///< method of moments on the raw rates (closed form, see fit_beta_prior_moments)
};

/// \brief The method's name ("mle" or "moments").
inline std::string_view to_string(prior_method m) noexcept {
  return m == prior_method::mle ? "mle" : "moments";
}

/// \brief Prints the method's name.
inline std::ostream& operator<<(std::ostream& out, prior_method m) { return out << to_string(m); }

/// \brief A fitted Beta(alpha, beta) prior of the win rates.
struct beta_prior {
  double alpha = 1;                         ///< prior alpha (> 0)
  double beta = 1;                          ///< prior beta (> 0)
  prior_method method = prior_method::mle;  ///< how it was fitted
  double log_likelihood = 0;                ///< beta-binomial log-likelihood at (alpha, beta), binomial coefficients included
  int iterations = 0;                       ///< Newton iterations (0 for moments)
  bool converged = true;                    ///< the optimiser met its tolerance (always true for moments)
};

/// \brief Prints the prior, for debugging.
inline std::ostream& operator<<(std::ostream& out, const beta_prior& p) {
  return out << "beta_prior{alpha=" << p.alpha << ", beta=" << p.beta << ", method=" << p.method
             << ", log_likelihood=" << p.log_likelihood << ", iterations=" << p.iterations
             << ", converged=" << (p.converged ? "true" : "false") << "}";
}

/// \brief One rep's raw and shrunk win rate.
struct rep_win_rate {
  std::uint64_t wins = 0;   ///< deals won
  std::uint64_t trials = 0; ///< deals closed (won + lost)
  double raw = 0;           ///< wins / trials
  double shrunk = 0;        ///< posterior mean (wins + alpha) / (trials + alpha + beta)
  double lower = 0;         ///< lower bound of the equal-tailed posterior interval
  double upper = 0;         ///< upper bound of the equal-tailed posterior interval
};

/// \brief Prints the rep's rates, for debugging.
inline std::ostream& operator<<(std::ostream& out, const rep_win_rate& r) {
  return out << "rep_win_rate{wins=" << r.wins << ", trials=" << r.trials << ", raw=" << r.raw
             << ", shrunk=" << r.shrunk << ", interval=[" << r.lower << ", " << r.upper << "]}";
}

/// \brief The fitted prior and every rep's posterior, in input order.
struct win_rate_shrinkage {
  beta_prior prior;              ///< the fitted prior
  double level = 0.95;           ///< level of the posterior intervals
  std::vector<rep_win_rate> reps; ///< one entry per input row
};

/// \brief Prints the prior and the reps, for debugging.
inline std::ostream& operator<<(std::ostream& out, const win_rate_shrinkage& s) {
  out << "win_rate_shrinkage{" << s.prior << ", level=" << s.level << ", reps=[";
  for (std::size_t i = 0; i < s.reps.size(); ++i) out << (i ? ", " : "") << s.reps[i];
  return out << "]}";
}

namespace detail {

inline void check_win_counts(const char* fn, span<const std::uint64_t> wins,
                             span<const std::uint64_t> trials) {
  check_equal_lengths(fn, "wins", wins.size(), "trials", trials.size());
  check_non_empty(fn, "trials", trials.size());
  for (std::size_t i = 0; i < wins.size(); ++i) {
    if (trials[i] == 0)
      SALESOPS_THROW(empty_input, fn, "trials", i, "is 0: the rep has no closed deals, so it has no win rate");
    // The fits work in double, where counts above 2^53 round: n - w could become 0 for a rep
    // with losses, and lgamma(0) would follow.
    if (trials[i] > (std::uint64_t{1} << 53))
      SALESOPS_THROW(out_of_range_value, fn, "trials", i, "is ", trials[i],
                     ", more than 2^53, the largest count a double holds exactly");
    if (wins[i] > trials[i])
      SALESOPS_THROW(out_of_range_value, fn, "wins", i, "is ", wins[i], ", more than trials (",
                     trials[i], ")");
  }
}

inline double lbeta(double a, double b) {
  return boost::math::lgamma(a) + boost::math::lgamma(b) - boost::math::lgamma(a + b);
}

} // namespace detail

/// \brief Beta-binomial marginal log-likelihood of Beta(a, b):
/// sum_i [log C(n_i, w_i) + lbeta(a + w_i, b + n_i - w_i) - lbeta(a, b)] (lgamma, Boost.Math).
/// Counts are not validated here (the fitting functions do it once).
inline double beta_binomial_log_likelihood(span<const std::uint64_t> wins, span<const std::uint64_t> trials,
                                   double a, double b) {
  neumaier_sum<double> total;
  const double base = detail::lbeta(a, b);
  for (std::size_t i = 0; i < wins.size(); ++i) {
    const double w = static_cast<double>(wins[i]);
    const double n = static_cast<double>(trials[i]);
    total.update(boost::math::lgamma(n + 1) - boost::math::lgamma(w + 1) -
                 boost::math::lgamma(n - w + 1) + detail::lbeta(a + w, b + n - w) - base);
  }
  return total.result();
}

/// \brief Method-of-moments Beta prior from the raw rates r_i = wins_i / trials_i.
///
/// Derivation: E[r_i] = mu and Var(r_i) = mu(1 - mu)[1/n_i + rho (1 - 1/n_i)] with
/// rho = 1/(alpha + beta + 1). The sample mean m and sample variance s^2 (divisor k - 1) of the
/// k raw rates estimate mu and the mean of Var(r_i), so with h = mean(1/n_i):
/// rho = (s^2 / (m(1 - m)) - h) / (1 - h), alpha + beta = 1/rho - 1, alpha = m (alpha + beta),
/// beta = (1 - m)(alpha + beta).
/// \throws salesops::empty_input for no reps or a rep with 0 trials (naming the row);
///         salesops::out_of_range_value when wins > trials or trials > 2^53 (naming the row);
///         salesops::numerical_error when the rates are all 0 or all 1, every rep has one
///         trial, or they spread no more than binomial noise (rho <= 0: the prior is a point
///         mass and every rep's rate is the pooled rate; report that rather than a fake prior),
///         or more than any Beta prior allows (rho >= 1: alpha + beta would not be positive).
inline beta_prior fit_beta_prior_moments(span<const std::uint64_t> wins,
                                         span<const std::uint64_t> trials) {
  constexpr const char* fn = "fit_beta_prior_moments";
  detail::check_win_counts(fn, wins, trials);
  const std::size_t k = wins.size();
  if (k < 2) SALESOPS_THROW(empty_input, fn, "trials", no_row, "has ", k, " rep; the method of moments needs at least 2");
  neumaier_sum<double> sum_r, sum_h;
  for (std::size_t i = 0; i < k; ++i) {
    sum_r.update(static_cast<double>(wins[i]) / static_cast<double>(trials[i]));
    sum_h.update(1.0 / static_cast<double>(trials[i]));
  }
  const double kd = static_cast<double>(k);
  const double m = sum_r.result() / kd;
  const double h = sum_h.result() / kd;
  neumaier_sum<double> ss;
  for (std::size_t i = 0; i < k; ++i) {
    const double d = static_cast<double>(wins[i]) / static_cast<double>(trials[i]) - m;
    ss.update(d * d);
  }
  const double s2 = ss.result() / (kd - 1);
  if (!(m > 0 && m < 1))
    SALESOPS_THROW(numerical_error, fn, "wins", no_row, "give a mean rate of ", m,
                   ": a Beta prior needs rates strictly between 0 and 1");
  if (h >= 1) SALESOPS_THROW(numerical_error, fn, "trials", no_row, "are all 1: the spread of the rates cannot be separated from binomial noise");
  const double rho = (s2 / (m * (1 - m)) - h) / (1 - h);
  if (!(rho > 0))
    SALESOPS_THROW(numerical_error, fn, "wins", no_row, "spread no more than binomial noise (rho = ", rho,
                   "): the prior is a point mass at the pooled rate ", m);
  if (!(rho < 1)) // the rates sit at 0 and 1: alpha + beta = 1/rho - 1 would not be positive
    SALESOPS_THROW(numerical_error, fn, "wins", no_row,
                   "spread more than any Beta prior allows (rho = ", rho,
                   " >= 1): the rates sit at 0 and 1, a prior with alpha + beta -> 0");
  const double total = 1 / rho - 1;
  beta_prior p;
  p.alpha = m * total;
  p.beta = (1 - m) * total;
  p.method = prior_method::moments;
  p.log_likelihood = beta_binomial_log_likelihood(wins, trials, p.alpha, p.beta);
  return p;
}

/// \brief Options of the maximum-likelihood fit.
struct mle_options {
  int max_iterations = 200; ///< Newton iterations before giving up (converged = false)
  /// Converged when every component of the Newton step in (log alpha, log beta) is below this.
  double step_tolerance = 1e-10;
};

/// \brief Prints the options, for debugging.
inline std::ostream& operator<<(std::ostream& out, const mle_options& o) {
  return out << "mle_options{max_iterations=" << o.max_iterations
             << ", step_tolerance=" << o.step_tolerance << "}";
}

/// \brief Maximum-likelihood Beta prior: maximises the beta-binomial marginal log-likelihood
/// sum_i [log C(n_i, w_i) + lbeta(alpha + w_i, beta + n_i - w_i) - lbeta(alpha, beta)].
///
/// Newton's method in u = (log alpha, log beta) with the exact gradient and Hessian
/// (digamma/trigamma, Boost.Math), started from the moments estimate (or alpha = beta = 1
/// when that does not exist). When the Hessian is not negative definite the step is gradient
/// ascent; every step is halved until the likelihood does not decrease (at most 60 halvings),
/// so the iteration never moves downhill. `converged` is false, not an exception, when the
/// step tolerance is not met in max_iterations; the parameters then are the best found.
/// \throws as fit_beta_prior_moments for bad counts; salesops::not_converged when the rates
///         show no overdispersion (alpha + beta runs past 1e12, or the fit does not beat the
///         binomial likelihood at the pooled rate, the limit alpha + beta -> infinity).
template <class = void>
beta_prior fit_beta_prior_mle(span<const std::uint64_t> wins, span<const std::uint64_t> trials,
                              const mle_options& options = {}) {
  constexpr const char* fn = "fit_beta_prior_mle";
  detail::check_win_counts(fn, wins, trials);
  double a = 1, b = 1;
  try {
    const beta_prior start = fit_beta_prior_moments(wins, trials);
    a = start.alpha;
    b = start.beta;
  } catch (const numerical_error&) {
  } catch (const empty_input&) {
  }
  using boost::math::digamma;
  using boost::math::trigamma;
  beta_prior p;
  p.method = prior_method::mle;
  p.converged = false;
  double ll = beta_binomial_log_likelihood(wins, trials, a, b);
  for (p.iterations = 1; p.iterations <= options.max_iterations; ++p.iterations) {
    // Gradient and Hessian in (alpha, beta).
    double ga = 0, gb = 0, haa = 0, hbb = 0, hab = 0;
    const double kd = static_cast<double>(wins.size());
    for (std::size_t i = 0; i < wins.size(); ++i) {
      const double w = static_cast<double>(wins[i]);
      const double n = static_cast<double>(trials[i]);
      const double dn = digamma(a + b + n), tn = trigamma(a + b + n);
      ga += digamma(a + w) - dn;
      gb += digamma(b + n - w) - dn;
      haa += trigamma(a + w) - tn;
      hbb += trigamma(b + n - w) - tn;
      hab -= tn;
    }
    const double d0 = digamma(a + b), t0 = trigamma(a + b);
    ga += kd * (d0 - digamma(a));
    gb += kd * (d0 - digamma(b));
    haa += kd * (t0 - trigamma(a));
    hbb += kd * (t0 - trigamma(b));
    hab += kd * t0;
    // Chain rule to u = log alpha, v = log beta.
    const double gu = a * ga, gv = b * gb;
    const double huu = a * a * haa + gu, hvv = b * b * hbb + gv, huv = a * b * hab;
    double su = 0, sv = 0;
    const double det = huu * hvv - huv * huv;
    if (huu < 0 && det > 0) { // negative definite: Newton step -H^-1 g
      su = -(hvv * gu - huv * gv) / det;
      sv = -(huu * gv - huv * gu) / det;
    } else { // gradient ascent, scaled to a unit step in log space at most
      const double norm = std::hypot(gu, gv);
      su = norm > 1 ? gu / norm : gu;
      sv = norm > 1 ? gv / norm : gv;
    }
    // Cap a step at a factor e^3 so the line search starts from a sane point.
    const double biggest = std::max(std::fabs(su), std::fabs(sv));
    if (biggest > 3) { su *= 3 / biggest; sv *= 3 / biggest; }
    double scale = 1, na = a, nb = b, nll = ll;
    bool moved = false;
    for (int halving = 0; halving < 60; ++halving, scale /= 2) {
      na = a * std::exp(scale * su);
      nb = b * std::exp(scale * sv);
      nll = beta_binomial_log_likelihood(wins, trials, na, nb);
      if (nll >= ll) { moved = true; break; }
    }
    const double step = scale * std::max(std::fabs(su), std::fabs(sv));
    if (moved) { a = na; b = nb; ll = nll; }
    if (a + b > 1e12)
      SALESOPS_THROW(not_converged, fn, "wins", no_row, "show no overdispersion: alpha + beta ran to ", a + b,
                     "; the maximum-likelihood prior is a point mass at the pooled rate");
    if (!moved || step < options.step_tolerance) {
      p.converged = true;
      break;
    }
  }
  if (p.iterations > options.max_iterations) p.iterations = options.max_iterations;
  // As alpha + beta -> infinity the likelihood tends to the binomial one at the pooled rate;
  // when no finite prior beats that limit the supremum is the point mass, not a Beta prior.
  neumaier_sum<double> won, all, binomial;
  for (std::size_t i = 0; i < wins.size(); ++i) {
    won.update(static_cast<double>(wins[i]));
    all.update(static_cast<double>(trials[i]));
  }
  const double pooled = won.result() / all.result();
  for (std::size_t i = 0; i < wins.size(); ++i) {
    const double w = static_cast<double>(wins[i]), n = static_cast<double>(trials[i]);
    binomial.update(boost::math::lgamma(n + 1) - boost::math::lgamma(w + 1) -
                    boost::math::lgamma(n - w + 1) + (w > 0 ? w * std::log(pooled) : 0.0) +
                    (n > w ? (n - w) * std::log1p(-pooled) : 0.0));
  }
  if (!(ll > binomial.result() + 1e-9 * std::fabs(binomial.result())))
    SALESOPS_THROW(not_converged, fn, "wins", no_row,
                   "show no overdispersion: no Beta prior beats the point mass at the pooled rate ",
                   pooled, " (log-likelihood ", ll, " vs ", binomial.result(), ")");
  p.alpha = a;
  p.beta = b;
  p.log_likelihood = ll;
  return p;
}

/// \brief Posterior of each rep under a given prior: Beta(alpha + wins, beta + trials - wins),
/// its mean and equal-tailed `level` interval (Boost.Math beta quantiles).
/// \throws salesops::empty_input / out_of_range_value naming the row of a rep with no trials,
///         wins > trials or trials > 2^53; salesops::negative_value for a prior parameter <= 0;
///         salesops::out_of_range_value when level is not in (0, 1).
template <class = void>
win_rate_shrinkage posterior_win_rates(span<const std::uint64_t> wins,
                                       span<const std::uint64_t> trials, const beta_prior& prior,
                                       double level = 0.95) {
  constexpr const char* fn = "posterior_win_rates";
  detail::check_win_counts(fn, wins, trials);
  check_positive(fn, "alpha", prior.alpha);
  check_positive(fn, "beta", prior.beta);
  check_in_range(fn, "level", level, 0.0, 1.0);
  if (level == 0.0 || level == 1.0)
    SALESOPS_THROW(out_of_range_value, fn, "level", no_row, "is ", level, ", must be in (0, 1)");
  win_rate_shrinkage s;
  s.prior = prior;
  s.level = level;
  s.reps.resize(wins.size());
  const double tail = (1 - level) / 2;
  for (std::size_t i = 0; i < wins.size(); ++i) {
    auto& r = s.reps[i];
    r.wins = wins[i];
    r.trials = trials[i];
    const double w = static_cast<double>(wins[i]), n = static_cast<double>(trials[i]);
    r.raw = w / n;
    const double pa = prior.alpha + w, pb = prior.beta + n - w;
    r.shrunk = pa / (pa + pb);
    const boost::math::beta_distribution<double> post(pa, pb);
    r.lower = boost::math::quantile(post, tail);
    r.upper = boost::math::quantile(boost::math::complement(post, tail));
  }
  return s;
}

/// \brief Fits the prior (by `method`) and returns every rep's posterior win rate.
/// \throws as fit_beta_prior_mle / fit_beta_prior_moments and posterior_win_rates.
template <class = void>
win_rate_shrinkage shrink_win_rates(span<const std::uint64_t> wins,
                                    span<const std::uint64_t> trials,
                                    prior_method method = prior_method::mle,
                                    double level = 0.95) {
  const beta_prior prior = method == prior_method::mle ? fit_beta_prior_mle(wins, trials)
                                                       : fit_beta_prior_moments(wins, trials);
  return posterior_win_rates(wins, trials, prior, level);
}

/// \brief Normal-normal empirical-Bayes shrinkage of per-rep means.
struct mean_shrinkage {
  double mu = 0;                  ///< estimated grand mean (inverse-variance weighted with tau^2)
  double tau2 = 0;                ///< between-rep variance (DerSimonian-Laird, >= 0)
  std::vector<double> shrunk;     ///< theta_i = mu + B_i (y_i - mu)
  std::vector<double> weight;     ///< B_i = tau^2 / (tau^2 + v_i): 1 = own mean, 0 = grand mean
  std::vector<double> posterior_sd; ///< sqrt(v_i B_i), the posterior sd given mu and tau^2
};

/// \brief Prints the shrinkage, for debugging.
inline std::ostream& operator<<(std::ostream& out, const mean_shrinkage& s) {
  out << "mean_shrinkage{mu=" << s.mu << ", tau2=" << s.tau2 << ", shrunk=[";
  for (std::size_t i = 0; i < s.shrunk.size(); ++i) out << (i ? ", " : "") << s.shrunk[i];
  return out << "]}";
}

/// \brief James-Stein-type shrinkage of means y_i with known sampling variances v_i (e.g. a
/// rep's mean deal size and its squared standard error).
///
/// tau^2 = max(0, (Q - (k - 1)) / (S1 - S2 / S1)) with w_i = 1/v_i, S1 = sum w_i,
/// S2 = sum w_i^2, Q = sum w_i (y_i - ybar_w)^2 (DerSimonian-Laird, as metafor::rma(method =
/// "DL")); mu = sum y_i/(v_i + tau^2) / sum 1/(v_i + tau^2); theta_i = mu + B_i (y_i - mu).
/// With tau^2 = 0 every rep gets mu (the data show no between-rep spread). The weights are
/// computed relative to the largest (v_min / v_i), and S1 - S2/S1 as sum_i w_i (S1 - w_i) / S1
/// with S1 - w_i summed from the other weights, so any positive finite variances work: tiny
/// ones neither overflow 1/v_i nor cancel S1 against S2/S1 (which metafor 4 does: its tau^2
/// is off by 5e-5 relative at a variance ratio of 1e12).
/// \throws salesops::length_mismatch; salesops::empty_input for fewer than 2 reps;
///         salesops::not_finite naming the row of a NaN mean; salesops::negative_value naming
///         the row of a variance that is not > 0; salesops::out_of_range_value naming the row of
///         a mean whose weighted squared distance from the weighted mean overflows.
inline mean_shrinkage shrink_means(span<const double> means, span<const double> variances) {
  constexpr const char* fn = "shrink_means";
  check_equal_lengths(fn, "means", means.size(), "variances", variances.size());
  if (means.size() < 2) SALESOPS_THROW(empty_input, fn, "means", no_row, "has ", means.size(), " rows; needs at least 2");
  for (std::size_t i = 0; i < means.size(); ++i) {
    check_finite(fn, "means", means[i], i);
    check_positive(fn, "variances", variances[i], i);
  }
  const std::size_t k = means.size();
  // Relative weights r_i = v_min / v_i in (0, 1], i.e. w_i = r_i / v_min. With w_i itself a
  // variance below 1e-154 overflowed w_i^2 (S2 = inf made tau^2 silently 0) and one below
  // 1/DBL_MAX overflowed w_i (ybar = inf / inf, Q NaN and tau^2 = max(0, NaN) = 0).
  const double v_min = *std::min_element(variances.begin(), variances.end());
  std::vector<double> r(k);
  neumaier_sum<double> s1, swy;
  for (std::size_t i = 0; i < k; ++i) {
    r[i] = v_min / variances[i];
    s1.update(r[i]);
    swy.update(r[i] * means[i]);
  }
  const double ybar = swy.result() / s1.result();
  neumaier_sum<double> q; // v_min Q
  for (std::size_t i = 0; i < k; ++i) {
    const double d = means[i] - ybar, term = r[i] * d * d;
    if (!std::isfinite(term))
      SALESOPS_THROW(out_of_range_value, fn, "means", i, "is ", means[i],
                     ": its weighted squared distance from the weighted mean ", ybar, " overflows");
    q.update(term);
  }
  // v_min (S1 - S2/S1) = sum_i r_i o_i / s1, o_i = sum_{j != i} r_j summed directly (before
  // i, after i): s1 - s2/s1 cancels to noise when one weight dominates.
  std::vector<double> after(k + 1, 0.0);
  for (std::size_t i = k; i-- > 0;) after[i] = after[i + 1] + r[i];
  neumaier_sum<double> spread;
  double before = 0;
  for (std::size_t i = 0; i < k; ++i) {
    spread.update(r[i] * (before + after[i + 1]));
    before += r[i];
  }
  mean_shrinkage s;
  s.tau2 = std::max(0.0, (q.result() - static_cast<double>(k - 1) * v_min) /
                             (spread.result() / s1.result()));
  neumaier_sum<double> num, den;
  for (std::size_t i = 0; i < k; ++i) {
    const double w = (v_min + s.tau2) / (variances[i] + s.tau2); // 1/(v_i + tau^2), relative
    num.update(w * means[i]);
    den.update(w);
  }
  s.mu = num.result() / den.result();
  s.shrunk.resize(k);
  s.weight.resize(k);
  s.posterior_sd.resize(k);
  for (std::size_t i = 0; i < k; ++i) {
    const double b = s.tau2 / (s.tau2 + variances[i]);
    s.weight[i] = b;
    s.shrunk[i] = s.mu + b * (means[i] - s.mu);
    s.posterior_sd[i] = std::sqrt(variances[i] * b);
  }
  return s;
}

} // namespace salesops::scoring

#endif // SALESOPS_SCORING_SHRINKAGE_HPP
