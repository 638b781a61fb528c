// Comparing two conversion rates, A (control, reference) and B (treatment, segment):
// the pooled two-proportion z test, Pearson's chi-square test with or without Yates'
// continuity correction (R's prop.test), and Newcombe's hybrid score interval for the
// difference B - A (R. G. Newcombe, "Interval estimation for the difference between
// independent proportions", Statistics in Medicine 17, 1998, method 10).
// Every difference is rate_b - rate_a; R's prop.test(c(s_b, s_a), c(n_b, n_a)) has the same sign.
//
// Compile time: newcombe_interval is a function template with one unused, defaulted parameter,
// so that only translation units calling it instantiate proportion_interval (see
// forecast/linear_model.hpp).
#ifndef SALESOPS_STATS_TWO_PROPORTION_HPP
#define SALESOPS_STATS_TWO_PROPORTION_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>

#include <boost/math/distributions/chi_squared.hpp>

#include "salesops/stats/alternative.hpp"
#include "salesops/stats/proportion.hpp"

namespace salesops::stats {

/// \brief Pooled two-proportion z test of rate_b - rate_a.
struct z_test_result {
  double rate_a = 0;                        ///< s_a / n_a
  double rate_b = 0;                        ///< s_b / n_b
  double difference = 0;                    ///< rate_b - rate_a
  double pooled_rate = 0;                   ///< (s_a + s_b) / (n_a + n_b), the rate under H0
  double std_error = 0;                     ///< sqrt(pooled (1 - pooled) (1/n_a + 1/n_b))
  double z = 0;                             ///< difference / std_error (0 when std_error is 0)
  double p_value = 1;                       ///< p-value under `alt`
  alternative alt = alternative::two_sided; ///< alternative hypothesis
};

/// \brief Pearson chi-square test of a 2x2 table and the Wald interval of prop.test.
struct chi_square_result {
  double rate_a = 0;     ///< s_a / n_a
  double rate_b = 0;     ///< s_b / n_b
  double difference = 0; ///< rate_b - rate_a
  double statistic = 0;  ///< X^2 on 1 degree of freedom
  double p_value = 1;    ///< P(chi^2_1 > statistic)
  bool yates = true;     ///< whether Yates' continuity correction was applied
  double lower = 0;      ///< lower bound for the difference (prop.test's conf.int)
  double upper = 0;      ///< upper bound for the difference (prop.test's conf.int)
  double level = 0.95;   ///< confidence level of [lower, upper]
};

/// \brief A difference of two proportions with a confidence interval.
struct difference_interval {
  double rate_a = 0;     ///< s_a / n_a
  double rate_b = 0;     ///< s_b / n_b
  double difference = 0; ///< rate_b - rate_a
  double lower = 0;      ///< lower confidence bound, >= -1
  double upper = 0;      ///< upper confidence bound, <= 1
  double level = 0.95;   ///< confidence level
};

/// \brief Prints the test, for debugging.
inline std::ostream& operator<<(std::ostream& out, const z_test_result& r) {
  return out << "z_test{rate_a=" << r.rate_a << ", rate_b=" << r.rate_b
             << ", difference=" << r.difference << ", pooled_rate=" << r.pooled_rate
             << ", std_error=" << r.std_error << ", z=" << r.z << ", p_value=" << r.p_value
             << ", alternative=" << r.alt << "}";
}

/// \brief Prints the test, for debugging.
inline std::ostream& operator<<(std::ostream& out, const chi_square_result& r) {
  return out << "chi_square{rate_a=" << r.rate_a << ", rate_b=" << r.rate_b
             << ", difference=" << r.difference << ", statistic=" << r.statistic
             << ", p_value=" << r.p_value << ", yates=" << (r.yates ? "true" : "false")
             << ", lower=" << r.lower << ", upper=" << r.upper << ", level=" << r.level << "}";
}

/// \brief Prints the interval, for debugging.
inline std::ostream& operator<<(std::ostream& out, const difference_interval& r) {
  return out << "difference_interval{rate_a=" << r.rate_a << ", rate_b=" << r.rate_b
             << ", difference=" << r.difference << ", lower=" << r.lower << ", upper=" << r.upper
             << ", level=" << r.level << "}";
}

/// \brief Pooled two-proportion z test of H0: rate_a = rate_b.
///
/// z = (p_b - p_a) / sqrt(p (1 - p) (1/n_a + 1/n_b)) with the pooled p = (s_a + s_b) /
/// (n_a + n_b); z^2 is prop.test's statistic with correct = FALSE, and the p-values equal
/// prop.test(c(s_b, s_a), c(n_b, n_a), correct = FALSE, alternative = alt)$p.value. When
/// every trial converted or none did (p = 0 or 1) the rates are equal and nothing varies:
/// z = 0 and the p-value is 1 (two-sided) or 0.5 (one-sided), as the limit of the test.
/// \throws salesops::empty_input when a trial count is 0; salesops::out_of_range_value when
///         successes exceed trials.
inline z_test_result two_proportion_z_test(std::uint64_t successes_a, std::uint64_t trials_a,
                                           std::uint64_t successes_b, std::uint64_t trials_b,
                                           alternative alt = alternative::two_sided) {
  constexpr const char* fn = "two_proportion_z_test";
  detail::check_counts(fn, "successes_a", successes_a, "trials_a", trials_a);
  detail::check_counts(fn, "successes_b", successes_b, "trials_b", trials_b);
  const double n_a = static_cast<double>(trials_a);
  const double n_b = static_cast<double>(trials_b);
  z_test_result r;
  r.alt = alt;
  r.rate_a = static_cast<double>(successes_a) / n_a;
  r.rate_b = static_cast<double>(successes_b) / n_b;
  r.difference = r.rate_b - r.rate_a;
  r.pooled_rate = static_cast<double>(successes_a + successes_b) / (n_a + n_b);
  r.std_error = std::sqrt(r.pooled_rate * (1.0 - r.pooled_rate) * (1.0 / n_a + 1.0 / n_b));
  r.z = r.std_error > 0.0 ? r.difference / r.std_error : 0.0;
  r.p_value = normal_p_value(r.z, alt);
  return r;
}

/// \brief Pearson's chi-square test of the 2x2 table (successes, failures) x (A, B), as R's
/// prop.test(c(s_b, s_a), c(n_b, n_a), correct = yates, conf.level = level).
///
/// With expected counts E from the pooled rate, X^2 = sum over the four cells of
/// (|O - E| - c)^2 / E, where c = min(1/2, |p_b - p_a| / (1/n_a + 1/n_b)) with Yates'
/// correction and 0 without; p = P(chi^2_1 > X^2). The interval is prop.test's Wald interval
/// p_b - p_a -+ (z sqrt(p_a q_a / n_a + p_b q_b / n_b) + c (1/n_a + 1/n_b)), clipped to
/// [-1, 1]; prefer newcombe_interval, which has far better coverage. When every trial
/// converted or none did, X^2 = 0 and p = 1.
/// \throws salesops::empty_input when a trial count is 0; salesops::out_of_range_value when
///         successes exceed trials or level is not in (0, 1).
inline chi_square_result two_proportion_chi_square(std::uint64_t successes_a,
                                                   std::uint64_t trials_a,
                                                   std::uint64_t successes_b,
                                                   std::uint64_t trials_b, bool yates = true,
                                                   double level = 0.95) {
  constexpr const char* fn = "two_proportion_chi_square";
  detail::check_counts(fn, "successes_a", successes_a, "trials_a", trials_a);
  detail::check_counts(fn, "successes_b", successes_b, "trials_b", trials_b);
  check_level(fn, "level", level);
  const double n_a = static_cast<double>(trials_a);
  const double n_b = static_cast<double>(trials_b);
  const double s_a = static_cast<double>(successes_a);
  const double s_b = static_cast<double>(successes_b);
  chi_square_result r;
  r.yates = yates;
  r.level = level;
  r.rate_a = s_a / n_a;
  r.rate_b = s_b / n_b;
  r.difference = r.rate_b - r.rate_a;
  const double inv_sum = 1.0 / n_a + 1.0 / n_b;
  const double correction = yates ? std::min(0.5, std::fabs(r.difference) / inv_sum) : 0.0;
  const double pooled = (s_a + s_b) / (n_a + n_b);
  if (pooled > 0.0 && pooled < 1.0) {
    const double observed[4] = {s_a, n_a - s_a, s_b, n_b - s_b};
    const double expected[4] = {n_a * pooled, n_a * (1 - pooled), n_b * pooled, n_b * (1 - pooled)};
    for (int i = 0; i < 4; ++i) {
      const double dev = std::fabs(observed[i] - expected[i]) - correction;
      r.statistic += dev * dev / expected[i];
    }
    r.p_value = boost::math::cdf(
        boost::math::complement(boost::math::chi_squared_distribution<double>(1.0), r.statistic));
  }
  const double width = normal_critical_value(level) * std::sqrt(r.rate_a * (1 - r.rate_a) / n_a +
                                                                r.rate_b * (1 - r.rate_b) / n_b) +
                       correction * inv_sum;
  r.lower = std::max(-1.0, r.difference - width);
  r.upper = std::min(1.0, r.difference + width);
  return r;
}

/// \brief Newcombe's hybrid score interval for rate_b - rate_a (1998, method 10).
///
/// With Wilson intervals [l_a, u_a] and [l_b, u_b] of each rate (proportion_interval,
/// no continuity correction) and d = p_b - p_a:
/// lower = d - sqrt((p_b - l_b)^2 + (u_a - p_a)^2), upper = d + sqrt((u_b - p_b)^2 +
/// (p_a - l_a)^2). Matches statsmodels' confint_proportions_2indep(method = "newcomb") and
/// Newcombe's published table. The default interval for a difference of conversion rates.
/// \throws salesops::empty_input when a trial count is 0; salesops::out_of_range_value when
///         successes exceed trials or level is not in (0, 1).
template <class = void>
difference_interval newcombe_interval(std::uint64_t successes_a, std::uint64_t trials_a,
                                      std::uint64_t successes_b, std::uint64_t trials_b,
                                      double level = 0.95) {
  constexpr const char* fn = "newcombe_interval";
  detail::check_counts(fn, "successes_a", successes_a, "trials_a", trials_a);
  detail::check_counts(fn, "successes_b", successes_b, "trials_b", trials_b);
  check_level(fn, "level", level);
  const auto a = proportion_interval(successes_a, trials_a, level, interval_method::wilson);
  const auto b = proportion_interval(successes_b, trials_b, level, interval_method::wilson);
  difference_interval r;
  r.level = level;
  r.rate_a = a.rate;
  r.rate_b = b.rate;
  r.difference = b.rate - a.rate;
  r.lower = r.difference - std::hypot(b.rate - b.lower, a.upper - a.rate);
  r.upper = r.difference + std::hypot(b.upper - b.rate, a.rate - a.lower);
  return r;
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_TWO_PROPORTION_HPP
