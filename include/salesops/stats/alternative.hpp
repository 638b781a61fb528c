// The alternative hypothesis of a test, and p-values of a standard-normal statistic under
// each (R's `alternative = "two.sided" | "less" | "greater"`).
#ifndef SALESOPS_STATS_ALTERNATIVE_HPP
#define SALESOPS_STATS_ALTERNATIVE_HPP

#include <cmath>
#include <ostream>
#include <string_view>

#include <boost/math/distributions/normal.hpp>

namespace salesops::stats {

/// \brief Alternative hypothesis about an effect (B minus A, or a log odds ratio).
enum class alternative {
  two_sided, ///< the effect differs from 0 (default)
  less,      ///< the effect is negative (B converts less than A)
  greater    ///< the effect is positive (B converts more than A)
};

/// \brief The alternative's name as R spells it ("two.sided", "less", "greater").
inline std::string_view to_string(alternative alt) noexcept {
  switch (alt) {
  case alternative::two_sided:
    return "two.sided";
  case alternative::less:
    return "less";
  case alternative::greater:
    return "greater";
  }
  return "unknown";
}

/// \brief Prints the alternative's name.
inline std::ostream& operator<<(std::ostream& out, alternative alt) {
  return out << to_string(alt);
}

/// \brief P-value of a standard-normal statistic z: 2 P(Z > |z|), P(Z < z) or P(Z > z).
inline double normal_p_value(double z, alternative alt) {
  const boost::math::normal_distribution<double> std_normal;
  switch (alt) {
  case alternative::less:
    return boost::math::cdf(std_normal, z);
  case alternative::greater:
    return boost::math::cdf(boost::math::complement(std_normal, z));
  case alternative::two_sided:
    break;
  }
  return 2.0 * boost::math::cdf(boost::math::complement(std_normal, std::fabs(z)));
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_ALTERNATIVE_HPP
