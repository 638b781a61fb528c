// Power and sample size for comparing two conversion rates, as R's power.prop.test (default
// strict = FALSE: the far tail of a two-sided test is ignored, negligible at useful power).
// With d = |p_b - p_a|, sigma_0 = sqrt((p_a + p_b)(1 - (p_a + p_b)/2)) (the pooled standard
// deviation under H0, times sqrt 2), sigma_1 = sqrt(p_a q_a + p_b q_b) and z_a the upper
// sig_level/sides normal quantile:  power = Phi((sqrt(n) d - z_a sigma_0) / sigma_1), so
// n = ((z_a sigma_0 + z_power sigma_1) / d)^2 trials per arm, in closed form.
#ifndef SALESOPS_STATS_POWER_HPP
#define SALESOPS_STATS_POWER_HPP

#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/roots.hpp>

#include "salesops/core/error.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::stats {

/// \brief A two-arm design for comparing conversion rates.
struct power_result {
  double n_per_arm = 0;         ///< trials per arm (continuous, as R; round up to plan)
  std::uint64_t n_required = 0; ///< ceil(n_per_arm): the trials to plan per arm
  double p_a = 0;               ///< baseline (control) rate
  double p_b = 0;               ///< rate to detect (treatment)
  double lift = 0;              ///< relative lift p_b / p_a - 1
  double sig_level = 0.05;      ///< significance level (type I error)
  double power = 0.8;           ///< probability of rejecting H0 when the rates are p_a and p_b
  bool two_sided = true;        ///< two-sided test (else one-sided in the direction of p_b - p_a)
};

/// \brief Prints the design, for debugging.
inline std::ostream& operator<<(std::ostream& out, const power_result& r) {
  return out << "power{n_per_arm=" << r.n_per_arm << ", n_required=" << r.n_required
             << ", p_a=" << r.p_a << ", p_b=" << r.p_b << ", lift=" << r.lift
             << ", sig_level=" << r.sig_level << ", power=" << r.power
             << ", two_sided=" << (r.two_sided ? "true" : "false") << "}";
}

namespace detail {

inline void check_open_unit(const char* fn, const char* argument, double x) {
  check_finite(fn, argument, x);
  if (!(x > 0.0 && x < 1.0))
    SALESOPS_THROW(out_of_range_value, fn, argument, no_row, "is ", x, ", outside (0, 1)");
}

inline double upper_normal_quantile(double tail) {
  return boost::math::quantile(
      boost::math::complement(boost::math::normal_distribution<double>(), tail));
}

// power.prop.test's p.body (strict = FALSE).
inline double power_formula(double n, double p_a, double p_b, double sig_level, bool two_sided) {
  const double z_a = upper_normal_quantile(sig_level / (two_sided ? 2.0 : 1.0));
  const double sigma0 = std::sqrt((p_a + p_b) * (1.0 - (p_a + p_b) / 2.0));
  const double sigma1 = std::sqrt(p_a * (1.0 - p_a) + p_b * (1.0 - p_b));
  return boost::math::cdf(boost::math::normal_distribution<double>(),
                          (std::sqrt(n) * std::fabs(p_b - p_a) - z_a * sigma0) / sigma1);
}

// `blame`: the argument that made n what it is, named when n has no 64-bit trial count.
inline power_result make_design(const char* fn, const char* blame, double blamed_value, double n,
                                double p_a, double p_b, double sig_level, double power,
                                bool two_sided) {
  constexpr double two_to_64 = 18446744073709551616.0;
  if (!(std::ceil(n) < two_to_64))
    SALESOPS_THROW(out_of_range_value, fn, blame, no_row, "is ", blamed_value, ": it needs ", n,
                   " trials per arm, more than a 64-bit count holds");
  power_result r;
  r.n_per_arm = n;
  r.n_required = static_cast<std::uint64_t>(std::ceil(n));
  r.p_a = p_a;
  r.p_b = p_b;
  r.lift = p_b / p_a - 1.0;
  r.sig_level = sig_level;
  r.power = power;
  r.two_sided = two_sided;
  return r;
}

} // namespace detail

/// \brief Power of the two-proportion test with n_per_arm trials in each arm, as
/// power.prop.test(n, p1 = p_a, p2 = p_b, sig.level, alternative)$power.
/// \throws salesops::negative_value (n_per_arm not > 0), salesops::out_of_range_value
///         (a rate or sig_level outside (0, 1)).
inline power_result power_two_proportions(double n_per_arm, double p_a, double p_b,
                                          double sig_level = 0.05, bool two_sided = true) {
  constexpr const char* fn = "power_two_proportions";
  check_positive(fn, "n_per_arm", n_per_arm);
  detail::check_open_unit(fn, "p_a", p_a);
  detail::check_open_unit(fn, "p_b", p_b);
  detail::check_open_unit(fn, "sig_level", sig_level);
  return detail::make_design(fn, "n_per_arm", n_per_arm, n_per_arm, p_a, p_b, sig_level,
                             detail::power_formula(n_per_arm, p_a, p_b, sig_level, two_sided),
                             two_sided);
}

namespace detail {

// The closed form of sample_size_two_proportions with valid rates, power and sig_level; a zero
// difference, or one too small for a 64-bit count, is blamed on `blame` (p_b, or the lift).
inline power_result sample_size(const char* fn, const char* blame, double blamed_value, double p_a,
                                double p_b, double power, double sig_level, bool two_sided) {
  if (p_a == p_b)
    SALESOPS_THROW(out_of_range_value, fn, blame, no_row, "is ", blamed_value,
                   ": the rate to detect equals the baseline p_a (", p_a,
                   "), and no sample size detects a zero difference");
  const double z_a = detail::upper_normal_quantile(sig_level / (two_sided ? 2.0 : 1.0));
  const double z_b = detail::upper_normal_quantile(1.0 - power);
  const double sigma0 = std::sqrt((p_a + p_b) * (1.0 - (p_a + p_b) / 2.0));
  const double sigma1 = std::sqrt(p_a * (1.0 - p_a) + p_b * (1.0 - p_b));
  const double root_n = (z_a * sigma0 + z_b * sigma1) / std::fabs(p_b - p_a);
  if (!(root_n > 0.0))
    SALESOPS_THROW(out_of_range_value, fn, "power", no_row, "is ", power,
                   ", not above what the test reaches with no data at sig_level ", sig_level);
  return make_design(fn, blame, blamed_value, root_n * root_n, p_a, p_b, sig_level, power,
                     two_sided);
}

} // namespace detail

/// \brief Trials per arm to detect p_b against p_a with the given power, as
/// power.prop.test(p1 = p_a, p2 = p_b, power, sig.level, alternative)$n, in closed form.
/// \throws salesops::out_of_range_value (a rate, power or sig_level outside (0, 1); p_b equal
///         to p_a, or so close that the trials per arm exceed a 64-bit count; power not above
///         the test's size, where no sample size is needed).
inline power_result sample_size_two_proportions(double p_a, double p_b, double power = 0.8,
                                                double sig_level = 0.05, bool two_sided = true) {
  constexpr const char* fn = "sample_size_two_proportions";
  detail::check_open_unit(fn, "p_a", p_a);
  detail::check_open_unit(fn, "p_b", p_b);
  detail::check_open_unit(fn, "power", power);
  detail::check_open_unit(fn, "sig_level", sig_level);
  return detail::sample_size(fn, "p_b", p_b, p_a, p_b, power, sig_level, two_sided);
}

/// \brief Trials per arm to detect a relative lift of the baseline rate:
/// sample_size_two_proportions(baseline, baseline (1 + relative_lift), ...).
/// \throws as sample_size_two_proportions, but naming "relative_lift" (not p_b) when the
///         lifted rate leaves (0, 1), equals the baseline (a lift of 0, or one lost in rounding)
///         or needs more trials than a 64-bit count holds.
inline power_result sample_size_for_lift(double baseline, double relative_lift, double power = 0.8,
                                         double sig_level = 0.05, bool two_sided = true) {
  constexpr const char* fn = "sample_size_for_lift";
  detail::check_open_unit(fn, "baseline", baseline);
  check_finite(fn, "relative_lift", relative_lift);
  const double p_b = baseline * (1.0 + relative_lift);
  if (!(p_b > 0.0 && p_b < 1.0))
    SALESOPS_THROW(out_of_range_value, fn, "relative_lift", no_row, "is ", relative_lift,
                   ": the lifted rate ", p_b, " must lie in (0, 1)");
  detail::check_open_unit(fn, "power", power);
  detail::check_open_unit(fn, "sig_level", sig_level);
  return detail::sample_size(fn, "relative_lift", relative_lift, baseline, p_b, power, sig_level,
                             two_sided);
}

/// \brief Smallest rate p_b above (increase = true) or below p_a that n_per_arm trials per
/// arm detect with the given power: power.prop.test(n, p1 = p_a, power, sig.level)$p2,
/// solved by TOMS 748 to a few ulps of p_b, so that the lift keeps its digits even when it is
/// tiny (huge n). The minimum detectable lift is p_b / p_a - 1.
/// \throws salesops::negative_value (n_per_arm), salesops::out_of_range_value (a rate, power
///         or sig_level outside (0, 1), or n_per_arm too small to reach the power with any
///         rate).
inline power_result minimum_detectable_rate(double n_per_arm, double p_a, double power = 0.8,
                                            double sig_level = 0.05, bool two_sided = true,
                                            bool increase = true) {
  constexpr const char* fn = "minimum_detectable_rate";
  check_positive(fn, "n_per_arm", n_per_arm);
  detail::check_open_unit(fn, "p_a", p_a);
  detail::check_open_unit(fn, "power", power);
  detail::check_open_unit(fn, "sig_level", sig_level);
  const auto gap = [&](double p_b) {
    return detail::power_formula(n_per_arm, p_a, p_b, sig_level, two_sided) - power;
  };
  // Power grows as p_b moves away from p_a; the far end of (0, 1) bounds the search.
  const double near = p_a;
  const double far = increase ? 1.0 - 1e-12 : 1e-12;
  if (gap(far) < 0.0)
    SALESOPS_THROW(out_of_range_value, fn, "n_per_arm", no_row, "is ", n_per_arm,
                   ", too small to reach power ", power, " for any rate");
  if (gap(near) >= 0.0)
    SALESOPS_THROW(out_of_range_value, fn, "power", no_row, "is ", power,
                   ", not above what the test reaches with no difference");
  std::uintmax_t iterations = 200;
  const auto root = boost::math::tools::toms748_solve(
      gap, increase ? near : far, increase ? far : near,
      [](double u, double v) {
        return std::fabs(u - v) <= 4.0 * std::numeric_limits<double>::epsilon() * std::fabs(u);
      },
      iterations);
  const double p_b = (root.first + root.second) / 2.0;
  return detail::make_design(fn, "n_per_arm", n_per_arm, n_per_arm, p_a, p_b, sig_level, power,
                             two_sided);
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_POWER_HPP
