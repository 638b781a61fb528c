// Seeded nonparametric bootstrap (Efron and Tibshirani, "An Introduction to the Bootstrap",
// 1993): resample row indices with replacement, recompute a statistic, and read a percentile
// interval off the replicates (type-7 quantiles at alpha/2 and 1 - alpha/2). Resampling works
// on indices, so a statistic may use several columns, or produce many values per replicate
// (ranks of every rep, for rank intervals) through for_each_resample.
#ifndef SALESOPS_STATS_BOOTSTRAP_HPP
#define SALESOPS_STATS_BOOTSTRAP_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <vector>

#include "salesops/core/moments.hpp"
#include "salesops/core/rng.hpp"
#include "salesops/core/scale.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/stats/proportion.hpp"
#include "salesops/stats/quantile.hpp"

namespace salesops::stats {

/// \brief A statistic with its bootstrap percentile interval.
struct bootstrap_interval {
  double estimate = 0;        ///< the statistic on the original sample
  double lower = 0;           ///< type-7 quantile alpha/2 of the replicates
  double upper = 0;           ///< type-7 quantile 1 - alpha/2 of the replicates
  double std_error = 0;       ///< standard deviation of the replicates
  double level = 0.95;        ///< confidence level
  std::size_t replicates = 0; ///< number of bootstrap replicates
};

/// \brief Prints the interval, for debugging.
inline std::ostream& operator<<(std::ostream& out, const bootstrap_interval& b) {
  return out << "bootstrap_interval{estimate=" << b.estimate << ", lower=" << b.lower
             << ", upper=" << b.upper << ", std_error=" << b.std_error << ", level=" << b.level
             << ", replicates=" << b.replicates << "}";
}

/// \brief Calls visit(replicate, indices) for each of `replicates` resamples of n row
/// indices drawn uniformly with replacement from gen (Lemire's unbiased integers), so the
/// draws are the same on every platform for a given seed.
/// \throws salesops::empty_input when n == 0 or replicates == 0.
template <class Visitor>
void for_each_resample(std::size_t n, std::size_t replicates, rng& gen, Visitor&& visit) {
  check_non_empty("for_each_resample", "n", n);
  check_non_empty("for_each_resample", "replicates", replicates);
  std::vector<std::size_t> indices(n);
  for (std::size_t b = 0; b < replicates; ++b) {
    for (auto& i : indices) i = static_cast<std::size_t>(gen.uniform_int(n));
    visit(b, span<const std::size_t>(indices.data(), n));
  }
}

/// \brief The statistic stat(indices) -> double on each resample of n rows.
/// \throws salesops::empty_input; salesops::not_finite naming the replicate (as its row) when
///         the statistic is NaN or infinite there.
template <class Statistic>
std::vector<double> bootstrap_replicates(std::size_t n, std::size_t replicates, rng& gen,
                                         Statistic&& stat) {
  std::vector<double> out(replicates);
  for_each_resample(n, replicates, gen, [&](std::size_t b, span<const std::size_t> indices) {
    out[b] = static_cast<double>(stat(indices));
    check_finite("bootstrap_replicates", "statistic", out[b], b);
  });
  return out;
}

/// \brief Percentile interval from replicates: [Q(alpha/2), Q(1 - alpha/2)] with type-7
/// quantiles (R's quantile(replicates, c(alpha/2, 1 - alpha/2))) and the replicates'
/// standard deviation as standard error (computed on the replicates scaled by the largest
/// |value|, so it stays right for values up to +-1.8e308).
/// \throws salesops::empty_input, salesops::not_finite (a replicate), salesops::
///         out_of_range_value (level outside (0, 1), or the replicates' standard deviation
///         beyond the largest double, e.g. values of +-1.5e308).
inline bootstrap_interval percentile_interval(double estimate, span<const double> replicates,
                                              double level = 0.95) {
  constexpr const char* fn = "percentile_interval";
  check_level(fn, "level", level);
  check_non_empty(fn, "replicates", replicates.size());
  const double alpha = 1.0 - level;
  const std::vector<double> probs = {alpha / 2.0, 1.0 - alpha / 2.0};
  const auto q = quantiles(replicates, span<const double>(probs));
  bootstrap_interval r;
  r.estimate = estimate;
  r.lower = q[0];
  r.upper = q[1];
  // Welford on the replicates divided by a power of two near the largest |value| (exact): on
  // values near +-1e308 the squared deviations overflowed and the standard error was NaN.
  // (quantiles() has refused non-finite replicates.)
  double largest = 0;
  for (const double x : replicates) largest = std::max(largest, std::fabs(x));
  if (largest > 0) {
    const double scale = std::ldexp(1.0, binade(largest));
    welford_moments<double> acc;
    for (const double x : replicates) acc.update(x / scale);
    r.std_error = acc.result().sd * scale;
    if (!std::isfinite(r.std_error))
      SALESOPS_THROW(out_of_range_value, fn, "replicates", no_row,
                     "have a standard deviation beyond the largest double (values up to ", largest,
                     ")");
  }
  r.level = level;
  r.replicates = replicates.size();
  return r;
}

/// \brief Percentile bootstrap of stat(sample) -> double over one column of values.
/// \param values the sample
/// \param stat the statistic, called on the original sample and on each resample (a span)
/// \param replicates number of resamples (2000 or more for 95% intervals)
/// \param level confidence level
/// \param gen the caller's random engine (advanced by n * replicates draws)
/// \throws salesops::empty_input, salesops::not_finite (a value, naming its row, or the
///         statistic on a replicate), salesops::out_of_range_value (level).
template <class Statistic>
bootstrap_interval percentile_bootstrap(span<const double> values, Statistic&& stat,
                                        std::size_t replicates, double level, rng& gen) {
  constexpr const char* fn = "percentile_bootstrap";
  check_non_empty(fn, "values", values.size());
  check_finite(fn, "values", values);
  check_level(fn, "level", level);
  const double estimate = static_cast<double>(stat(values));
  std::vector<double> sample(values.size());
  const auto reps =
      bootstrap_replicates(values.size(), replicates, gen, [&](span<const std::size_t> idx) {
        for (std::size_t i = 0; i < idx.size(); ++i) sample[i] = values[idx[i]];
        return stat(span<const double>(sample.data(), sample.size()));
      });
  return percentile_interval(estimate, reps, level);
}

/// \brief percentile_bootstrap with its own engine seeded from `seed`.
template <class Statistic>
bootstrap_interval percentile_bootstrap(span<const double> values, Statistic&& stat,
                                        std::size_t replicates = 2000, double level = 0.95,
                                        std::uint64_t seed = 0) {
  rng gen(seed);
  return percentile_bootstrap(values, stat, replicates, level, gen);
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_BOOTSTRAP_HPP
