// Adjusting p-values for multiple comparisons (steps of a funnel, segments of a breakdown),
// exactly as R's p.adjust: Bonferroni, Holm's step-down family-wise correction (S. Holm,
// Scand. J. Statist. 6, 1979) and Benjamini and Hochberg's false-discovery-rate step-up
// (J. R. Statist. Soc. B 57, 1995).
#ifndef SALESOPS_STATS_MULTIPLE_TESTING_HPP
#define SALESOPS_STATS_MULTIPLE_TESTING_HPP

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <ostream>
#include <string_view>
#include <vector>

#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::stats {

/// \brief How p.adjust corrects a family of p-values.
enum class p_adjust_method {
  none,              ///< no correction
  bonferroni,        ///< min(1, m p): family-wise error, any dependence
  holm,              ///< Holm step-down: family-wise error, any dependence, never worse
                     ///< than Bonferroni (the default for a few planned comparisons)
  benjamini_hochberg ///< BH step-up: false discovery rate, independent or positively
                     ///< dependent tests (the default for many segments)
};

/// \brief The method's name as R spells it ("none", "bonferroni", "holm", "BH").
inline std::string_view to_string(p_adjust_method method) noexcept {
  switch (method) {
  case p_adjust_method::none:
    return "none";
  case p_adjust_method::bonferroni:
    return "bonferroni";
  case p_adjust_method::holm:
    return "holm";
  case p_adjust_method::benjamini_hochberg:
    return "BH";
  }
  return "unknown";
}

/// \brief Prints the method's name.
inline std::ostream& operator<<(std::ostream& out, p_adjust_method method) {
  return out << to_string(method);
}

/// \brief Adjusted p-values, in the input order, as R's p.adjust(p, method).
///
/// With m p-values and p_(1) <= ... <= p_(m): Bonferroni min(1, m p); Holm
/// min(1, max_{j <= i} (m - j + 1) p_(j)); Benjamini-Hochberg min_{j >= i} min(1, m p_(j) / j).
/// Ties are handled as R does (the result does not depend on their order). An empty input
/// gives an empty result.
/// \throws salesops::out_of_range_value (or not_finite) naming the row of a p-value outside
///         [0, 1].
inline std::vector<double> p_adjust(span<const double> p, p_adjust_method method) {
  check_probability("p_adjust", "p", p);
  const std::size_t m = p.size();
  std::vector<double> out(p.begin(), p.end());
  if (m == 0 || method == p_adjust_method::none) return out;
  const double md = static_cast<double>(m);
  if (method == p_adjust_method::bonferroni) {
    for (double& x : out) x = std::min(1.0, md * x);
    return out;
  }
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  if (method == p_adjust_method::holm) {
    double running_max = 0;
    for (std::size_t i = 0; i < m; ++i) {
      const double factor = static_cast<double>(m - i);
      running_max = std::max(running_max, std::min(1.0, factor * p[order[i]]));
      out[order[i]] = running_max;
    }
    return out;
  }
  // Benjamini-Hochberg: walk from the largest p-value down, keeping the running minimum.
  double running_min = 1.0;
  for (std::size_t i = m; i-- > 0;) {
    running_min = std::min(running_min, md / static_cast<double>(i + 1) * p[order[i]]);
    out[order[i]] = running_min;
  }
  return out;
}

/// \brief p_adjust of any contiguous container of doubles.
template <class Container>
std::vector<double> p_adjust(const Container& p, p_adjust_method method) {
  return p_adjust(span<const double>(p.data(), static_cast<std::size_t>(p.size())), method);
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_MULTIPLE_TESTING_HPP
