// Bayesian comparison of two conversion rates: with Beta(prior_alpha, prior_beta) priors and
// binomial data, the posteriors are p_A ~ Beta(prior_alpha + s_a, prior_beta + n_a - s_a) and
// p_B likewise, and "chance to beat" is P(p_B > p_A) — computed exactly, not by sampling:
// Evan Miller's closed-form sum ("Formulas for Bayesian A/B Testing", 2015) when one of the
// four posterior parameters is an integer (any integer prior, e.g. the uniform Beta(1, 1)),
// and adaptive tanh-sinh quadrature (Boost.Math) of f_narrow(x) F_wide(x) otherwise (e.g.
// the Jeffreys prior Beta(1/2, 1/2)).
//
// Compile time: prob_beta_greater and prob_b_beats_a are function templates with one unused,
// defaulted parameter, so that only translation units calling them instantiate the beta
// distribution's functions and the quadrature (see forecast/linear_model.hpp).
#ifndef SALESOPS_STATS_BETA_BINOMIAL_HPP
#define SALESOPS_STATS_BETA_BINOMIAL_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string_view>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "salesops/core/error.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/stats/proportion.hpp"

namespace salesops::stats {

/// \brief How P(p_B > p_A) is computed.
enum class beta_method {
  automatic,   ///< the more accurate of the two (see prob_beta_greater)
  closed_form, ///< Evan Miller's sum; needs an integer parameter
  quadrature   ///< tanh-sinh quadrature of the integral, for any parameters
};

/// \brief The method's name.
inline std::string_view to_string(beta_method method) noexcept {
  switch (method) {
  case beta_method::automatic:
    return "automatic";
  case beta_method::closed_form:
    return "closed_form";
  case beta_method::quadrature:
    return "quadrature";
  }
  return "unknown";
}

/// \brief Prints the method's name.
inline std::ostream& operator<<(std::ostream& out, beta_method method) {
  return out << to_string(method);
}

/// \brief P(p_B > p_A) for independent Beta posteriors.
struct beta_comparison {
  double alpha_a = 1;                            ///< posterior alpha of A
  double beta_a = 1;                             ///< posterior beta of A
  double alpha_b = 1;                            ///< posterior alpha of B
  double beta_b = 1;                             ///< posterior beta of B
  double prob_b_beats_a = 0.5;                   ///< P(p_B > p_A) ("chance to beat control")
  beta_method method = beta_method::closed_form; ///< method used (never automatic)
  /// Bound on the absolute error: rounding of the sum (closed form) or the quadrature's
  /// error estimate plus the truncated tails (quadrature).
  double error_estimate = 0;
};

/// \brief Prints the comparison, for debugging.
inline std::ostream& operator<<(std::ostream& out, const beta_comparison& c) {
  return out << "beta_comparison{A=Beta(" << c.alpha_a << ", " << c.beta_a << "), B=Beta("
             << c.alpha_b << ", " << c.beta_b << "), prob_b_beats_a=" << c.prob_b_beats_a
             << ", method=" << c.method << ", error_estimate=" << c.error_estimate << "}";
}

namespace detail {

inline bool is_integer_parameter(double x) noexcept {
  return x == std::floor(x) && x <= 9007199254740992.0; // 2^53: exact in a double
}

inline double log_beta_function(double a, double b) {
  return boost::math::lgamma(a) + boost::math::lgamma(b) - boost::math::lgamma(a + b);
}

// P(X > Y) for X ~ Beta(a_x, b_x) with integer a_x, Y ~ Beta(a_y, b_y) (Miller's formula):
// sum_{i < a_x} B(a_y + i, b_x + b_y) / ((b_x + i) B(1 + i, b_x) B(a_y, b_y)). The terms
// follow term_{i+1} = term_i (a_y + i)(b_x + i) / ((i + 1)(a_y + b_y + b_x + i)), from
// term_0 = B(a_y, b_x + b_y) / B(a_y, b_y); the log recursion keeps them from underflowing.
inline double miller_sum(double a_x, double b_x, double a_y, double b_y) {
  double log_term = log_beta_function(a_y, b_x + b_y) - log_beta_function(a_y, b_y);
  neumaier_sum<double> total;
  const auto terms = static_cast<std::uint64_t>(a_x);
  for (std::uint64_t k = 0; k < terms; ++k) {
    const double i = static_cast<double>(k);
    total.update(std::exp(log_term));
    log_term += std::log((a_y + i) * (b_x + i)) - std::log((i + 1.0) * (a_y + b_y + b_x + i));
  }
  return total.result();
}

inline constexpr double max_closed_form_terms = 1e7;

// Bound on the closed form's absolute error: each term carries a few ulps from the log
// recursion, and the first term the cancellation of lgamma values of the size of the total.
inline double closed_form_error(double terms, double total) {
  return 64.0 * std::numeric_limits<double>::epsilon() *
         (1.0 + terms + std::fabs(boost::math::lgamma(total)));
}

// Below this bound (totals up to about a thousand) automatic takes the closed form without
// trying quadrature.
inline constexpr double closed_form_trusted_error = 1e-10;

} // namespace detail

/// \brief P(p_B > p_A) for p_A ~ Beta(alpha_a, beta_a) and p_B ~ Beta(alpha_b, beta_b),
/// independent.
///
/// Closed form: with the smallest integer parameter among the four, one of
/// P = S(alpha_b, beta_b, alpha_a, beta_a), 1 - S(alpha_a, beta_a, alpha_b, beta_b),
/// S(beta_a, alpha_a, beta_b, alpha_b) or 1 - S(beta_b, alpha_b, beta_a, alpha_a), where
/// S(a_x, b_x, a_y, b_y) = P(X > Y) is Miller's sum over a_x terms (the last two use
/// 1 - p ~ Beta(beta, alpha)). Quadrature: P = integral of f_N(x) G(x) dx over the central
/// 1 - 2e-15 mass of the narrower posterior N, with G the other posterior's CDF or survival
/// function, by Boost's tanh_sinh to a relative tolerance of 1e-12.
///
/// `automatic` takes the closed form while its error bound is at most 1e-10 (small counts,
/// where it is exact to rounding), and otherwise quadrature, unless quadrature's own error
/// estimate is the larger one and the closed form applies (at most 10^7 terms). The closed
/// form's error grows with the counts, from the lgamma values its first term needs: at 10^7
/// trials per arm it was off by up to 3e-8, where quadrature is within 1e-14 (R's integrate).
///
/// Quadrature integrates over the narrower posterior N unless more than 1e-15 of N's mass lies
/// within the smallest double of 0 or 1 (a parameter near 0.001), when it integrates over the
/// other. Posteriors with both parameters >= 1000 are integrated over z = (x - mean) / sd on
/// mean +- 12 sd (Boost's quantile fails at 10^12 trials), and every quadrature is divided by
/// the integral of N's pdf over the same range, which cancels the common error of Boost's pdf
/// at huge parameters (3e-9 at 10^12 trials, where the result is within 1.2e-10 of mpmath).
/// error_estimate adds the quadratures' estimates, the tails, and how far N's pdf integrates
/// from its exact mass.
/// \throws salesops::not_converged naming "prob_b_beats_a" when quadrature's error estimate
///         is not below 1e-6 and the closed form does not apply.
/// \throws salesops::negative_value naming the parameter when it is not finite and > 0;
///         salesops::out_of_range_value naming "method" when closed_form is requested and no
///         parameter is an integer; salesops::out_of_range_value naming a parameter of A (e.g.
///         "alpha_a") when both posteriors put more than 1e-15 of their mass within the
///         smallest double of 0 or 1 (e.g. Beta(0.001, 10.5) against Beta(0.001, 20.5)), and no
///         parameter is an integer for the closed form.
template <class = void>
beta_comparison prob_beta_greater(double alpha_a, double beta_a, double alpha_b, double beta_b,
                                  beta_method method = beta_method::automatic) {
  constexpr const char* fn = "prob_beta_greater";
  check_positive(fn, "alpha_a", alpha_a);
  check_positive(fn, "beta_a", beta_a);
  check_positive(fn, "alpha_b", alpha_b);
  check_positive(fn, "beta_b", beta_b);
  beta_comparison c{alpha_a, beta_a, alpha_b, beta_b, 0.5, method, 0};

  // The integer parameter with the fewest terms, if any.
  const double params[4] = {alpha_b, alpha_a, beta_a, beta_b};
  int best = -1;
  for (int i = 0; i < 4; ++i)
    if (detail::is_integer_parameter(params[i]) && (best < 0 || params[i] < params[best])) best = i;
  if (method == beta_method::closed_form && best < 0)
    SALESOPS_THROW(out_of_range_value, fn, "method", no_row,
                   "is closed_form but no parameter is an integer (alpha_a = ", alpha_a,
                   ", beta_a = ", beta_a, ", alpha_b = ", alpha_b, ", beta_b = ", beta_b, ")");
  const double total = alpha_a + beta_a + alpha_b + beta_b;
  const double closed_error = best >= 0 ? detail::closed_form_error(params[best], total)
                                        : std::numeric_limits<double>::infinity();
  const bool closed_applies =
      method == beta_method::closed_form || (method == beta_method::automatic && best >= 0 &&
                                             params[best] <= detail::max_closed_form_terms);
  const auto closed_form = [&] {
    c.method = beta_method::closed_form;
    double p = 0;
    switch (best) {
    case 0:
      p = detail::miller_sum(alpha_b, beta_b, alpha_a, beta_a);
      break;
    case 1:
      p = 1.0 - detail::miller_sum(alpha_a, beta_a, alpha_b, beta_b);
      break;
    case 2:
      p = detail::miller_sum(beta_a, alpha_a, beta_b, alpha_b);
      break;
    default:
      p = 1.0 - detail::miller_sum(beta_b, alpha_b, beta_a, alpha_a);
      break;
    }
    c.prob_b_beats_a = std::clamp(p, 0.0, 1.0);
    c.error_estimate = closed_error;
    return c;
  };
  if (closed_applies &&
      (method == beta_method::closed_form || closed_error <= detail::closed_form_trusted_error))
    return closed_form();

  c.method = beta_method::quadrature;
  using beta_law = boost::math::beta_distribution<double>;
  const beta_law a(alpha_a, beta_a), b(alpha_b, beta_b);
  // Integrate over one posterior N, where the other one's CDF is smooth: the narrower, unless
  // more than 1e-15 of its mass lies below the smallest double next to 0 or 1 (a parameter
  // near 0.001 with no successes or no failures), which no double quadrature sees.
  constexpr double tail = 1e-15;
  struct window {
    double lo, hi;     // x-range of the quadrature
    bool standardized; // integrate over z = (x - mean) / sd instead of x
    double tails;      // mass of N outside [lo, hi]
  };
  const auto window_of = [&](const beta_law& n) {
    if (std::min(n.alpha(), n.beta()) >= 1000) {
      // Near-normal: mean +- 12 sd holds all but about e^-57 of the mass (Chernoff bound of
      // the Gamma(1000) tail), and Boost's quantile fails at 10^12 trials; the tails are
      // measured. Over z the abscissae keep full relative precision in the narrow window
      // (over x their rounding, 1e-17 against a width of 1e-5, swamped the error estimate).
      const double m = boost::math::mean(n), sd = boost::math::standard_deviation(n);
      const double lo = std::max(m - 12 * sd, 0.0), hi = std::min(m + 12 * sd, 1.0);
      return window{lo, hi, true,
                    boost::math::cdf(n, lo) + boost::math::cdf(boost::math::complement(n, hi))};
    }
    return window{boost::math::quantile(n, tail),
                  boost::math::quantile(boost::math::complement(n, tail)), false, 2 * tail};
  };
  const auto usable = [](const window& w) { return w.lo > 0 && w.hi < 1; };
  bool a_narrow = boost::math::variance(a) <= boost::math::variance(b);
  window w = window_of(a_narrow ? a : b);
  if (!usable(w)) {
    const window other = window_of(a_narrow ? b : a);
    if (!usable(other)) {
      // Name the parameter that piles each posterior's mass against 0 (alpha) or 1 (beta).
      const window& wa = a_narrow ? w : other;
      const window& wb = a_narrow ? other : w;
      SALESOPS_THROW(out_of_range_value, fn, wa.lo > 0 ? "beta_a" : "alpha_a", no_row, "is ",
                     wa.lo > 0 ? beta_a : alpha_a, " and ", wb.lo > 0 ? "beta_b" : "alpha_b",
                     " is ", wb.lo > 0 ? beta_b : alpha_b, ": each posterior puts more than ", tail,
                     " of its mass within the smallest double of 0 or 1, beyond the ",
                     "reach of double-precision quadrature");
    }
    a_narrow = !a_narrow;
    w = other;
  }
  const beta_law& narrow = a_narrow ? a : b;
  const beta_law& wide = a_narrow ? b : a;
  // P(B > A) = E_A[1 - F_B(A)] = E_B[F_A(B)]. Both integrals are divided by the integral of
  // N's pdf over the window (1 - tails when exact): at 10^12 trials Boost's pdf is off by a
  // common factor of about 3e-9, which this cancels, and what remains of the pdf's error is
  // added to the error estimate.
  const auto integrand = [&](double x) {
    return boost::math::pdf(narrow, x) * (a_narrow
                                              ? boost::math::cdf(boost::math::complement(wide, x))
                                              : boost::math::cdf(wide, x));
  };
  boost::math::quadrature::tanh_sinh<double> integrator;
  double error = 0, mass_error = 0, p = 0, mass = 0;
  if (w.standardized) {
    const double m = boost::math::mean(narrow), sd = boost::math::standard_deviation(narrow);
    const auto x_of = [&](double z) { return m + sd * z; };
    const double z_lo = (w.lo - m) / sd, z_hi = (w.hi - m) / sd;
    p = integrator.integrate([&](double z) { return sd * integrand(x_of(z)); }, z_lo, z_hi, 1e-12,
                             &error);
    mass = integrator.integrate([&](double z) { return sd * boost::math::pdf(narrow, x_of(z)); },
                                z_lo, z_hi, 1e-12, &mass_error);
  } else {
    p = integrator.integrate(integrand, w.lo, w.hi, 1e-12, &error);
    mass = integrator.integrate([&](double x) { return boost::math::pdf(narrow, x); }, w.lo, w.hi,
                                1e-12, &mass_error);
  }
  p *= (1 - w.tails) / mass;
  c.prob_b_beats_a = std::clamp(p, 0.0, 1.0);
  c.error_estimate = error + mass_error + std::fabs(mass - (1 - w.tails)) + 2 * w.tails;
  if (closed_applies && !(c.error_estimate <= closed_error)) return closed_form();
  if (!(c.error_estimate < 1e-6))
    SALESOPS_THROW(not_converged, fn, "prob_b_beats_a", no_row, "quadrature error estimate is ",
                   c.error_estimate);
  return c;
}

/// \brief Chance that B's conversion rate beats A's, P(p_B > p_A), under independent
/// Beta(prior_alpha, prior_beta) priors (uniform by default; 0.5, 0.5 for Jeffreys).
/// \throws salesops::empty_input when a trial count is 0; salesops::out_of_range_value when
///         successes exceed trials; salesops::negative_value when a prior parameter is not > 0;
///         salesops::out_of_range_value naming "prior_alpha" or "prior_beta" when the prior is
///         so small that both posteriors are beyond double-precision quadrature (see
///         prob_beta_greater: e.g. prior 0.001 with no successes in either arm); otherwise as
///         prob_beta_greater.
template <class = void>
beta_comparison prob_b_beats_a(std::uint64_t successes_a, std::uint64_t trials_a,
                               std::uint64_t successes_b, std::uint64_t trials_b,
                               double prior_alpha = 1.0, double prior_beta = 1.0,
                               beta_method method = beta_method::automatic) {
  constexpr const char* fn = "prob_b_beats_a";
  detail::check_counts(fn, "successes_a", successes_a, "trials_a", trials_a);
  detail::check_counts(fn, "successes_b", successes_b, "trials_b", trials_b);
  check_positive(fn, "prior_alpha", prior_alpha);
  check_positive(fn, "prior_beta", prior_beta);
  try {
    return prob_beta_greater(prior_alpha + static_cast<double>(successes_a),
                             prior_beta + static_cast<double>(trials_a - successes_a),
                             prior_alpha + static_cast<double>(successes_b),
                             prior_beta + static_cast<double>(trials_b - successes_b), method);
  } catch (const out_of_range_value& e) {
    // A posterior parameter this small is the prior's (with no successes or no failures).
    if (e.argument() == "method") throw;
    const bool alpha = e.argument().rfind("alpha", 0) == 0;
    SALESOPS_THROW(out_of_range_value, fn, alpha ? "prior_alpha" : "prior_beta", no_row, "is ",
                   alpha ? prior_alpha : prior_beta, ", too small for these counts: ", e.what());
  }
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_BETA_BINOMIAL_HPP
