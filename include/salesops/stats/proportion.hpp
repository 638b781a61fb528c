// Confidence intervals for one binomial proportion (a conversion rate): Wilson score
// (default), Jeffreys, Clopper-Pearson and Agresti-Coull, as defined in Brown, Cai and
// DasGupta, "Interval Estimation for a Binomial Proportion", Statistical Science 16 (2001).
// Wilson equals R's prop.test(x, n, correct = FALSE)$conf.int, Clopper-Pearson equals R's
// binom.test(x, n)$conf.int. Quantiles come from Boost.Math.
//
// Compile time: proportion_interval is a function template with one unused, defaulted
// parameter, so that only translation units calling it instantiate Boost.Math's beta quantile
// (see forecast/linear_model.hpp).
#ifndef SALESOPS_STATS_PROPORTION_HPP
#define SALESOPS_STATS_PROPORTION_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>

#include "salesops/core/error.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::stats {

/// \brief Method of a confidence interval for a binomial proportion.
enum class interval_method {
  wilson,          ///< Wilson score interval (default): good coverage, never leaves [0, 1].
  jeffreys,        ///< Equal-tailed Beta(s + 1/2, n - s + 1/2) posterior interval.
  clopper_pearson, ///< "Exact" interval from beta quantiles: conservative (coverage >= level).
  agresti_coull    ///< Wald interval around (s + z^2/2) / (n + z^2), clipped to [0, 1].
};

/// \brief A conversion rate with its confidence interval.
struct conversion_rate {
  std::uint64_t successes = 0;                      ///< number of conversions
  std::uint64_t trials = 0;                         ///< number of trials (> 0)
  double rate = 0;                                  ///< successes / trials
  double lower = 0;                                 ///< lower confidence bound, in [0, 1]
  double upper = 0;                                 ///< upper confidence bound, in [lower, 1]
  double level = 0.95;                              ///< confidence level, in (0, 1)
  interval_method method = interval_method::wilson; ///< how the interval was computed
};

/// \brief The method's name as accepted by parse_interval_method ("clopper-pearson"...).
inline std::string_view to_string(interval_method method) noexcept {
  switch (method) {
  case interval_method::wilson:
    return "wilson";
  case interval_method::jeffreys:
    return "jeffreys";
  case interval_method::clopper_pearson:
    return "clopper-pearson";
  case interval_method::agresti_coull:
    return "agresti-coull";
  }
  return "unknown";
}

/// \brief Prints the method's name.
inline std::ostream& operator<<(std::ostream& out, interval_method method) {
  return out << to_string(method);
}

/// \brief Prints the rate and its interval, for debugging.
inline std::ostream& operator<<(std::ostream& out, const conversion_rate& r) {
  return out << "conversion_rate{successes=" << r.successes << ", trials=" << r.trials
             << ", rate=" << r.rate << ", lower=" << r.lower << ", upper=" << r.upper
             << ", level=" << r.level << ", method=" << r.method << "}";
}

/// \brief Parses "wilson", "jeffreys", "clopper-pearson" or "agresti-coull" (the
/// underscore spellings "clopper_pearson" and "agresti_coull" are accepted too).
/// \throws salesops::out_of_range_value naming "method" for any other text.
inline interval_method parse_interval_method(std::string_view text) {
  if (text == "wilson") return interval_method::wilson;
  if (text == "jeffreys") return interval_method::jeffreys;
  if (text == "clopper-pearson" || text == "clopper_pearson")
    return interval_method::clopper_pearson;
  if (text == "agresti-coull" || text == "agresti_coull") return interval_method::agresti_coull;
  SALESOPS_THROW(out_of_range_value, "parse_interval_method", "method", no_row, "is \"",
                 std::string(text),
                 "\", expected wilson, jeffreys, clopper-pearson or agresti-coull");
}

namespace detail {
// Counts of one arm: trials > 0 (empty_input) and successes <= trials (out_of_range_value).
inline void check_counts(const char* function, const char* successes_name, std::uint64_t successes,
                         const char* trials_name, std::uint64_t trials, std::size_t row = no_row) {
  if (trials == 0) SALESOPS_THROW(empty_input, function, trials_name, row, "is 0");
  if (successes > trials)
    SALESOPS_THROW(out_of_range_value, function, successes_name, row, "is ", successes,
                   ", more than ", trials_name, " (", trials, ")");
}
} // namespace detail

/// \brief Throws out_of_range_value naming `argument` unless 0 < level < 1 (and finite).
inline void check_level(const char* function, const char* argument, double level) {
  check_finite(function, argument, level);
  if (!(level > 0.0 && level < 1.0))
    SALESOPS_THROW(out_of_range_value, function, argument, no_row, "is ", level,
                   ", outside (0, 1)");
}

/// \brief Two-sided standard-normal critical value z_{1 - (1 - level)/2} (1.959964 for 0.95).
/// \throws salesops::out_of_range_value unless 0 < level < 1.
inline double normal_critical_value(double level) {
  check_level("normal_critical_value", "level", level);
  return boost::math::quantile(boost::math::normal_distribution<double>(),
                               1.0 - (1.0 - level) / 2.0);
}

/// \brief Point estimate and two-sided confidence interval of successes / trials.
///
/// With p = s/n, alpha = 1 - level and z = z_{1 - alpha/2}:
/// * wilson: (p + z^2/(2n) -+ z sqrt(p(1-p)/n + z^2/(4n^2))) / (1 + z^2/n);
/// * jeffreys: Beta(s + 1/2, n - s + 1/2) quantiles alpha/2 and 1 - alpha/2, with lower = 0
///   when s = 0 and upper = 1 when s = n (Brown, Cai and DasGupta's end correction);
/// * clopper_pearson: lower = Beta(s, n - s + 1) quantile alpha/2 (0 when s = 0), upper =
///   Beta(s + 1, n - s) quantile 1 - alpha/2 (1 when s = n);
/// * agresti_coull: n~ = n + z^2, p~ = (s + z^2/2) / n~, p~ -+ z sqrt(p~(1 - p~)/n~),
///   clipped to [0, 1].
/// \param successes number of conversions, <= trials
/// \param trials number of trials, > 0
/// \param level confidence level in (0, 1)
/// \param method interval method (Wilson by default)
/// \throws salesops::empty_input naming "trials" when trials == 0;
///         salesops::out_of_range_value naming "successes" when successes > trials, or
///         "level" when level is not in (0, 1).
template <class = void>
conversion_rate proportion_interval(std::uint64_t successes, std::uint64_t trials,
                                    double level = 0.95,
                                    interval_method method = interval_method::wilson) {
  constexpr const char* fn = "proportion_interval";
  detail::check_counts(fn, "successes", successes, "trials", trials);
  check_level(fn, "level", level);

  const double s = static_cast<double>(successes);
  const double n = static_cast<double>(trials);
  const double p = s / n;
  const double alpha = 1.0 - level;
  conversion_rate r;
  r.successes = successes;
  r.trials = trials;
  r.rate = p;
  r.level = level;
  r.method = method;
  switch (method) {
  case interval_method::wilson: {
    const double z = normal_critical_value(level);
    const double z2 = z * z;
    const double denom = 1.0 + z2 / n;
    const double centre = (p + z2 / (2.0 * n)) / denom;
    const double half = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom;
    // At s = 0 (s = n) the bound is 0 (1) exactly; the formula leaves a rounding residue.
    r.lower = successes == 0 ? 0.0 : std::max(0.0, centre - half);
    r.upper = successes == trials ? 1.0 : std::min(1.0, centre + half);
    break;
  }
  case interval_method::jeffreys: {
    const boost::math::beta_distribution<double> posterior(s + 0.5, n - s + 0.5);
    r.lower = successes == 0 ? 0.0 : boost::math::quantile(posterior, alpha / 2.0);
    r.upper = successes == trials ? 1.0 : boost::math::quantile(posterior, 1.0 - alpha / 2.0);
    break;
  }
  case interval_method::clopper_pearson: {
    r.lower = successes == 0
                  ? 0.0
                  : boost::math::quantile(boost::math::beta_distribution<double>(s, n - s + 1.0),
                                          alpha / 2.0);
    r.upper = successes == trials
                  ? 1.0
                  : boost::math::quantile(boost::math::beta_distribution<double>(s + 1.0, n - s),
                                          1.0 - alpha / 2.0);
    break;
  }
  case interval_method::agresti_coull: {
    const double z = normal_critical_value(level);
    const double n_tilde = n + z * z;
    const double p_tilde = (s + z * z / 2.0) / n_tilde;
    const double half = z * std::sqrt(p_tilde * (1.0 - p_tilde) / n_tilde);
    r.lower = std::max(0.0, p_tilde - half);
    r.upper = std::min(1.0, p_tilde + half);
    break;
  }
  }
  return r;
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_PROPORTION_HPP
