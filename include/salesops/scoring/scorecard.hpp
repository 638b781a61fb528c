// Normalisation of rep KPIs and composite scorecards with per-KPI contributions and tiers.
//
// A KPI is put on a common scale by one of four normalisations (z-score, robust z from the
// median and R's mad() — MAD x 1.4826 —, with the modified z-score's mean-absolute-deviation
// fallback when MAD = 0, percentile rank with R's average ties, min-max),
// after flipping its sign when lower is better (cycle length), optionally within peer groups
// (team, segment, tenure band). The composite score is the weighted mean of the normalised
// KPIs, written as a sum of per-KPI contributions so every score can be explained ("why is
// this rep third"), as the CRM scorecards of Salesforce and Xactly present them.
#ifndef SALESOPS_SCORING_SCORECARD_HPP
#define SALESOPS_SCORING_SCORECARD_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

#include "salesops/core/error.hpp"
#include "salesops/core/scale.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/stats/quantile.hpp"

namespace salesops::scoring {

/// \brief How a KPI column is put on a common scale.
enum class normalization {
  z_score,         ///< (x - mean) / sd (sample sd, divisor n - 1); all 0 when sd = 0
  robust_z,        ///< (x - median) / (1.4826 MAD), R's mad(); see spread_rule for MAD = 0
  percentile_rank, ///< (rank - 1) / (n - 1), rank with average ties (R's rank()); 0.5 when n = 1
  min_max          ///< (x - min) / (max - min); all 0.5 when max = min
};

/// \brief The normalisation's name, as the CLI spells it ("z", "robust", "percentile", "minmax").
inline std::string_view to_string(normalization n) noexcept {
  switch (n) {
  case normalization::z_score:
    return "z";
  case normalization::robust_z:
    return "robust";
  case normalization::percentile_rank:
    return "percentile";
  case normalization::min_max:
    return "minmax";
  }
  return "unknown";
}

/// \brief Prints the normalisation's name.
inline std::ostream& operator<<(std::ostream& out, normalization n) {
  return out << to_string(n);
}

/// \brief Which spread a KPI column (within one peer group) was divided by.
enum class spread_rule {
  /// the method's own spread (sd, 1.4826 MAD, range) was > 0, or percentile ranks of n >= 2
  regular,
  mean_deviation, ///< robust_z with MAD = 0: (x - median) / (1.2533 mean|x - median|) instead
  constant        ///< no spread (every value equal, or one rep): the method's constant (0 or 0.5)
};

/// \brief The rule's name ("regular", "mean_deviation", "constant").
inline std::string_view to_string(spread_rule r) noexcept {
  return r == spread_rule::regular          ? "regular"
         : r == spread_rule::mean_deviation ? "mean_deviation"
                                            : "constant";
}

/// \brief Prints the rule's name.
inline std::ostream& operator<<(std::ostream& out, spread_rule r) {
  return out << to_string(r);
}

/// \brief Whether a larger KPI value is better (bookings) or worse (cycle length).
enum class direction {
  higher_is_better, ///< larger values score higher
  lower_is_better   ///< smaller values score higher (the column is negated first)
};

/// \brief Prints "higher" or "lower".
inline std::ostream& operator<<(std::ostream& out, direction d) {
  return out << (d == direction::higher_is_better ? "higher" : "lower");
}

/// \brief Normalises one KPI column over all its rows (see normalization for each formula).
/// A lower-is-better column is negated first, so every normalised value is higher-is-better.
/// Degenerate columns follow spread_rule: robust_z with MAD = 0 (more than half the values
/// tie at the median) divides by 1.2533 x the mean absolute deviation from the median, the
/// modified z-score's rule; a column without any spread gets the method's constant.
/// scorecard_of reports which columns needed such a rule (scorecard::fallbacks). A z-score
/// column whose squared deviations under- or overflow (values on a 1e-300 or 1e300 scale), and
/// a min-max or robust z column whose largest |value| is below 2^-969 or at least 2^1021
/// (subnormals such as 1e-320, values near +-1.7e308), is normalised scaled by a power of two
/// (exact), so it gets the values of the column rescaled into the normal range.
/// \throws salesops::empty_input for no rows; salesops::not_finite naming the row of a NaN or
///         infinite value; salesops::numerical_error naming the row of the largest deviation
///         when a robust z is beyond the largest double (a MAD far below the column's spread,
///         e.g. 0, 1e-9, 2e-9, 3e-9, 1e300: z = 6.7e308).
inline std::vector<double> normalize(span<const double> values, normalization method,
                                     direction dir = direction::higher_is_better);

/// \brief Normalises within peer groups: each rep is compared only with the reps that share
/// its label in `peer_group` (team, segment, tenure band).
/// \throws as normalize, naming the row in the whole column; salesops::length_mismatch;
///         salesops::out_of_range_value naming the row of a rep whose peer group is empty.
inline std::vector<double> normalize_within(span<const double> values,
                                            span<const std::string> peer_group,
                                            normalization method,
                                            direction dir = direction::higher_is_better);

/// \brief One KPI of a scorecard.
struct kpi_spec {
  std::string name;                            ///< column name, used in messages and output
  double weight = 1;                           ///< weight (>= 0; rescaled to sum to 1)
  direction dir = direction::higher_is_better; ///< which way is better
};

/// \brief Prints the spec, for debugging.
inline std::ostream& operator<<(std::ostream& out, const kpi_spec& k) {
  return out << "kpi_spec{" << k.name << ", weight=" << k.weight << ", " << k.dir << "}";
}

/// \brief How reps are sorted into tiers (tier 0 is the lowest).
struct tier_rule {
  /// Cut points: with by_quantile, probabilities in (0, 1) whose type-7 quantiles of the
  /// scores become the thresholds; otherwise score thresholds. Sorted ascending. A rep's tier
  /// is the number of thresholds its score reaches (score >= threshold), 0 .. size().
  std::vector<double> cuts = {0.25, 0.75};
  bool by_quantile = true; ///< cuts are probabilities (true) or score thresholds (false)
};

/// \brief Prints the rule, for debugging.
inline std::ostream& operator<<(std::ostream& out, const tier_rule& t) {
  out << "tier_rule{" << (t.by_quantile ? "quantiles" : "thresholds") << "=[";
  for (std::size_t i = 0; i < t.cuts.size(); ++i) out << (i ? ", " : "") << t.cuts[i];
  return out << "]}";
}

/// \brief Options of a scorecard.
struct scorecard_options {
  normalization method = normalization::z_score; ///< normalisation of every KPI
  tier_rule tiers;                               ///< tiering of the composite score
};

/// \brief Prints the options, for debugging.
inline std::ostream& operator<<(std::ostream& out, const scorecard_options& o) {
  return out << "scorecard_options{method=" << o.method << ", " << o.tiers << "}";
}

/// \brief One rep's composite score, explained.
struct rep_score {
  double score = 0;                  ///< sum of the contributions
  std::vector<double> contributions; ///< per KPI: weight / sum(weights) x normalised value
  std::size_t rank = 0;              ///< 1 = best; ties share the smallest rank (1, 2, 2, 4)
  std::size_t tier = 0;              ///< 0 = lowest tier (see tier_rule)
};

/// \brief Prints the score, for debugging.
inline std::ostream& operator<<(std::ostream& out, const rep_score& r) {
  out << "rep_score{score=" << r.score << ", rank=" << r.rank << ", tier=" << r.tier
      << ", contributions=[";
  for (std::size_t j = 0; j < r.contributions.size(); ++j)
    out << (j ? ", " : "") << r.contributions[j];
  return out << "]}";
}

/// \brief A KPI column (within one peer group) that was normalised by a fallback rule.
struct normalization_fallback {
  std::size_t kpi = 0;                     ///< column index of the KPI
  std::string peer_group;                  ///< its peer group ("" without peer groups)
  spread_rule rule = spread_rule::regular; ///< mean_deviation or constant
};

/// \brief Prints the fallback, for debugging.
inline std::ostream& operator<<(std::ostream& out, const normalization_fallback& f) {
  return out << "normalization_fallback{kpi=" << f.kpi << ", peer_group=" << f.peer_group
             << ", rule=" << f.rule << "}";
}

/// \brief A composite scorecard: one rep_score per row of the KPI table.
struct scorecard {
  std::vector<kpi_spec> kpis;     ///< the KPIs, in column order
  std::vector<double> weights;    ///< the weights rescaled to sum to 1
  std::vector<double> thresholds; ///< the tier thresholds actually applied (scores)
  std::vector<rep_score> reps;    ///< one per row, in input order
  std::vector<normalization_fallback>
      fallbacks; ///< columns normalised by a fallback rule (usually none)
};

/// \brief Prints the scorecard, for debugging.
inline std::ostream& operator<<(std::ostream& out, const scorecard& s) {
  out << "scorecard{kpis=[";
  for (std::size_t j = 0; j < s.kpis.size(); ++j) out << (j ? ", " : "") << s.kpis[j];
  out << "], reps=[";
  for (std::size_t i = 0; i < s.reps.size(); ++i) out << (i ? ", " : "") << s.reps[i];
  out << "], fallbacks=[";
  for (std::size_t i = 0; i < s.fallbacks.size(); ++i) out << (i ? ", " : "") << s.fallbacks[i];
  return out << "]}";
}

/// \brief The weights rescaled to sum to 1 (any finite weights: they are summed scaled by a
/// power of two, so weights near the largest double do not overflow the sum).
/// \throws salesops::negative_value naming the KPI (row = KPI index) of a negative or NaN
///         weight; salesops::out_of_range_value when every weight is 0; salesops::empty_input.
inline std::vector<double> normalized_weights(const std::vector<kpi_spec>& kpis);

/// \brief Composite scores only (no ranks or tiers): score_i = sum_j w_j z_ij with z the
/// normalised KPI (within peer groups when `peer_group` is not empty). Bit for bit the
/// scorecard_of score (same normalisation, same order of summation).
/// \throws as scorecard_of.
inline Eigen::VectorXd composite_scores(const Eigen::Ref<const Eigen::MatrixXd>& kpis,
                                        const std::vector<kpi_spec>& specs, normalization method,
                                        span<const std::string> peer_group = {});

/// \brief Scores, explains, ranks and tiers the reps (rows of `kpis`, one column per spec).
/// \throws salesops::length_mismatch when specs and columns (or peer groups and rows)
///         differ; salesops::not_finite naming the row and KPI of a NaN value (or the row of
///         a NaN cut); the weight errors of normalized_weights; salesops::out_of_range_value
///         for unsorted cuts or a probability cut not strictly between 0 and 1; the errors of
///         normalize / normalize_within.
inline scorecard scorecard_of(const Eigen::Ref<const Eigen::MatrixXd>& kpis,
                              const std::vector<kpi_spec>& specs,
                              const scorecard_options& options = {},
                              span<const std::string> peer_group = {});

/// \brief Competition ranks of `scores` (1 = highest; ties share the smallest rank; -0 and
/// +0 tie). NaN scores are not allowed (they have no rank).
/// \throws salesops::not_finite naming the row of a NaN score.
inline std::vector<std::size_t> competition_ranks(span<const double> scores);

// ---------------------------------------------------------------------------------------

namespace detail {

inline constexpr double mad_consistency = 1.4826; // R's mad() constant, 1/qnorm(3/4) rounded
// sqrt(pi/2): E|X - mu| = sigma sqrt(2/pi) for normal X, so 1.2533 x the mean absolute
// deviation estimates sigma as 1.4826 x MAD does. IBM's modified z-score uses it when MAD = 0
// (Cognos Analytics 11.1 documentation, "Modified z score": (X - MED) / (1.253314 MeanAD)).
inline constexpr double mean_deviation_consistency = 1.2533141373155002512; // sqrt(pi / 2)

// A column's affine map z = (x 2^-exponent - center) / scale, stored as the reciprocal so a
// value costs a multiplication, or the constant `offset` when the column has no spread. The
// exponent is 0 unless the column's values are too large or too small for double's
// arithmetic (normalizer::scaling_exponent, scaled_z_map). Percentile ranks are not affine
// and are written directly.
struct column_map {
  double center = 0;
  double inverse_scale = 1;
  double offset = 0;
  spread_rule rule = spread_rule::regular;
  int exponent = 0;
};

// Robust z map of x (finite, already sign-flipped); `dev` is scratch.
inline column_map robust_map(span<const double> x, std::vector<double>& dev) {
  const double med = stats::median(x);
  dev.resize(x.size());
  neumaier_sum<double> total;
  for (std::size_t k = 0; k < x.size(); ++k) {
    dev[k] = std::fabs(x[k] - med);
    total.update(dev[k]);
  }
  const double mad = mad_consistency * stats::median(span<const double>(dev));
  if (mad > 0) return {med, 1 / mad, 0, spread_rule::regular};
  // More than half the values tie at the median: the MAD ignores the rest, the mean
  // absolute deviation does not. Zero only when every value equals the median.
  const double mean_dev = total.result() / static_cast<double>(x.size());
  if (mean_dev > 0)
    return {med, 1 / (mean_deviation_consistency * mean_dev), 0, spread_rule::mean_deviation};
  return {0, 0, 0, spread_rule::constant};
}

// Percentile ranks (R's average ties) of x into out[k]; `order` is scratch.
inline spread_rule percentile_ranks(span<const double> x, std::vector<std::size_t>& order,
                                    double* out) {
  const std::size_t n = x.size();
  order.resize(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  for (std::size_t s = 0; s < n;) {
    std::size_t e = s;
    while (e + 1 < n && x[order[e + 1]] == x[order[s]]) ++e;
    const double avg_rank = (static_cast<double>(s + e) / 2.0) + 1.0; // 1-based average
    for (std::size_t t = s; t <= e; ++t)
      out[order[t]] = n == 1 ? 0.5 : (avg_rank - 1.0) / static_cast<double>(n - 1);
    s = e + 1;
  }
  return n == 1 ? spread_rule::constant : spread_rule::regular;
}

inline std::vector<std::pair<std::string, std::vector<std::size_t>>>
peer_groups(const char* fn, std::size_t rows, span<const std::string> peer_group) {
  std::vector<std::pair<std::string, std::vector<std::size_t>>> out;
  if (peer_group.empty()) {
    std::vector<std::size_t> all(rows);
    std::iota(all.begin(), all.end(), std::size_t{0});
    out.emplace_back("", std::move(all));
    return out;
  }
  check_equal_lengths(fn, "values", rows, "peer_group", peer_group.size());
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < peer_group.size(); ++i) {
    if (peer_group[i].empty())
      SALESOPS_THROW(out_of_range_value, fn, "peer_group", i,
                     "is empty: the rep has no peer group to be compared with");
    groups[peer_group[i]].push_back(i);
  }
  for (auto& g : groups) out.emplace_back(g.first, std::move(g.second));
  return out;
}

// Two doubles as one value, in the GCC/Clang vector extension (salesops already requires
// those compilers: core/rng.hpp uses their 128-bit integer). Its operations are element-wise
// IEEE operations, so they give the bits of the same scalar operations, and it compiles to
// SSE2 on x86-64 (to NEON on ARM, to scalar code elsewhere) with no target flags.
typedef double double2 __attribute__((vector_size(16)));

// acc[j] = the sum over t = 0 .. count - 1, in that order, of row(t)[j], or of
// (row(t)[j] - center[j])^2 when center is given, divided by `divisor`, for the columns j0 ..
// j0 + N L - 1 (L doubles per V). Each column has its own accumulator, kept in a register:
// summing into acc row by row made each row wait for the stores of the row before
// (store-to-load forwarding), and two columns share one SIMD addition. The additions are the
// scalar ones, in the same order, so the sums are the same bits whatever the block widths.
// Dividing by a power of two is multiplying by its inverse, exactly (the same bits, several
// times faster: the bootstrap divides every rep's sums by its 4 quarters, say).
template <class V, std::size_t N, bool Centered, class Row>
[[gnu::always_inline]] inline void column_block(std::size_t j0, std::size_t count, const Row& row,
                                                const double* center, std::size_t divisor,
                                                double* acc) {
  constexpr std::size_t L = sizeof(V) / sizeof(double);
  V a[N] = {}, c[N] = {};
  if constexpr (Centered)
    for (std::size_t w = 0; w < N; ++w) std::memcpy(&c[w], center + j0 + w * L, sizeof(V));
  for (std::size_t t = 0; t < count; ++t) {
    const double* r = row(t) + j0;
    for (std::size_t w = 0; w < N; ++w) {
      V v;
      std::memcpy(&v, r + w * L, sizeof(V)); // (an unaligned load)
      if constexpr (Centered) {
        v -= c[w];
        v *= v;
      }
      a[w] += v;
    }
  }
  const auto d = static_cast<double>(divisor);
  const bool by_inverse = (divisor & (divisor - 1)) == 0;
  for (std::size_t w = 0; w < N; ++w) {
    const V v = by_inverse ? a[w] * (1 / d) : a[w] / d;
    std::memcpy(acc + j0 + w * L, &v, sizeof(V));
  }
}

// column_block over all k columns. Twelve columns at a time first: the widest block whose
// accumulators and centres (12 registers) fit in the 16 SSE registers, so a table of up to
// 12 KPIs is read in one pass; then 8, 4, 2 and 1. Always inlined, with column_block and
// column_sums: the bootstrap sums a few rows per call, millions of times, and GCC kept the
// calls (docs/benchmarks.md, "Rep scoring": commit c491bd4 against c8c0599).
template <bool Centered, class Row>
[[gnu::always_inline]] inline void column_blocks(std::size_t k, std::size_t count, const Row& row,
                                                 const double* center, std::size_t divisor,
                                                 double* acc) {
  std::size_t j = 0;
  for (; j + 12 <= k; j += 12)
    column_block<double2, 6, Centered>(j, count, row, center, divisor, acc);
  for (; j + 8 <= k; j += 8)
    column_block<double2, 4, Centered>(j, count, row, center, divisor, acc);
  for (; j + 4 <= k; j += 4)
    column_block<double2, 2, Centered>(j, count, row, center, divisor, acc);
  for (; j + 2 <= k; j += 2)
    column_block<double2, 1, Centered>(j, count, row, center, divisor, acc);
  if (j < k) column_block<double, 1, Centered>(j, count, row, center, divisor, acc);
}

// acc[j] = the sum over the rows t < count of row(t)[j] (or of (row(t)[j] - center[j])^2),
// divided by divisor (>= 1), for every column j < k.
template <class Row>
[[gnu::always_inline]] inline void column_sums(std::size_t k, std::size_t count, const Row& row,
                                               const double* center, std::size_t divisor,
                                               double* acc) {
  if (center == nullptr)
    column_blocks<false>(k, count, row, center, divisor, acc);
  else
    column_blocks<true>(k, count, row, center, divisor, acc);
}

// The one implementation of the normalisations and of the composite score. Works on a
// row-major rows x k table (row i at x + i k) so a rep's KPIs are contiguous, and keeps its
// buffers, so the bootstrap's thousands of re-normalisations allocate nothing. Values must
// be finite (the public functions check them first, naming row and KPI).
class normalizer {
public:
  // fn and argument name the table in errors (argument: the KPI table's parameter).
  normalizer(const char* fn, std::size_t rows, const std::vector<kpi_spec>& specs,
             normalization method, span<const std::string> peer_group,
             const char* argument = "kpis")
      : fn_(fn), argument_(argument), rows_(rows), k_(specs.size()), method_(method),
        groups_(peer_groups(fn, rows, peer_group)), maps_(specs.size()),
        rules_(groups_.size() * specs.size()), sum_(specs.size()), squares_(specs.size()),
        center_(specs.size()), inverse_(specs.size()), offset_(specs.size()),
        factor_(specs.size()) {
    for (const auto& s : specs) {
      sign_.push_back(s.dir == direction::lower_is_better ? -1.0 : 1.0);
      names_.push_back(s.name);
    }
  }

  // Normalised values of the table `x` into `z` (same shape).
  void run(const double* x, double* z) { pass(x, z, nullptr, nullptr); }

  // Composite scores of the table `x`: out[i] = sum_j w[j] z_ij, summed in column order as
  // scorecard_of sums the contributions, so both compute the same number.
  void scores(const double* x, const std::vector<double>& w, double* out) {
    pass(x, nullptr, &w, out);
  }

  // Columns (of each peer group) of the last run that needed a fallback rule.
  std::vector<normalization_fallback> fallbacks() const {
    std::vector<normalization_fallback> out;
    for (std::size_t g = 0; g < groups_.size(); ++g)
      for (std::size_t j = 0; j < k_; ++j)
        if (rules_[g * k_ + j] != spread_rule::regular)
          out.push_back({j, groups_[g].first, rules_[g * k_ + j]});
    return out;
  }

private:
  // The affine normalisation of v, a value of column j (or two, as a double2), under the
  // current group's maps.
  template <class V> V affine(V v, std::size_t j) const {
    return (v * factor_[j] - center_[j]) * inverse_[j] + offset_[j];
  }

  // out[i] = sum_j w[j] value(t_ij, j) for the rows idx of the row-major table t, summed in
  // column order (as scorecard_of adds the contributions). Each row's sum is a chain of k
  // dependent additions: eight rows at a time make four independent chains of two rows, each
  // chain one SIMD register.
  template <class Value>
  void weighted_sums(const double* t, const std::vector<std::size_t>& idx,
                     const std::vector<double>& w, const Value& value, double* out) const {
    std::size_t r = 0;
    for (; r + 8 <= idx.size(); r += 8) {
      const double* row[8];
      for (std::size_t q = 0; q < 8; ++q) row[q] = t + idx[r + q] * k_;
      double2 sum[4] = {};
      for (std::size_t j = 0; j < k_; ++j)
        for (std::size_t q = 0; q < 4; ++q)
          sum[q] += w[j] * value(double2{row[2 * q][j], row[2 * q + 1][j]}, j);
      for (std::size_t q = 0; q < 8; ++q) out[idx[r + q]] = sum[q / 2][q % 2];
    }
    for (; r < idx.size(); ++r) {
      double sum = 0;
      for (std::size_t j = 0; j < k_; ++j) sum += w[j] * value(t[idx[r] * k_ + j], j);
      out[idx[r]] = sum;
    }
  }

  // Maps of every column of group `idx`. z-score and min-max take two passes over the rows
  // with the k columns side by side (sums, then squared deviations, min and max): the
  // two-pass algorithm is as accurate as Welford's (core/moments.hpp, meant for streams) on
  // data already in memory, vectorises across columns and needs no division per value, which
  // the bootstrap's thousands of re-normalisations need.
  void column_maps(const double* x, const std::vector<std::size_t>& idx, double* z) {
    const double n = static_cast<double>(idx.size());
    if (method_ == normalization::z_score) {
      // The sums and deviations of the raw columns: the direction s = +-1 of a column
      // changes only signs, which round symmetrically, so sum(s x) = s sum(x) and
      // (s x - s m)^2 = (x - m)^2 to the bit.
      const auto row = [&](std::size_t t) { return x + idx[t] * k_; };
      column_sums(k_, idx.size(), row, nullptr, idx.size(), sum_.data()); // the means
      column_sums(k_, idx.size(), row, sum_.data(), 1, squares_.data());
      // Below this sum of squares some squared deviations may have lost bits to underflow
      // (each by at most 2^-1075, negligible against a sum of 2^-970).
      constexpr double tiny =
          std::numeric_limits<double>::min() / std::numeric_limits<double>::epsilon();
      for (std::size_t j = 0; j < k_; ++j) {
        if (idx.size() > 1 &&
            !(squares_[j] >= tiny && squares_[j] <= std::numeric_limits<double>::max())) {
          maps_[j] = scaled_z_map(x, idx, j);
          continue;
        }
        const double sd = idx.size() > 1 ? std::sqrt(squares_[j] / (n - 1)) : 0.0;
        maps_[j] = sd > 0 ? column_map{sign_[j] * sum_[j], 1 / sd, 0, spread_rule::regular}
                          : column_map{0, 0, 0, spread_rule::constant};
      }
      return;
    }
    if (method_ == normalization::min_max) {
      std::fill(sum_.begin(), sum_.end(), std::numeric_limits<double>::infinity());          // min
      std::fill(squares_.begin(), squares_.end(), -std::numeric_limits<double>::infinity()); // max
      for (std::size_t i : idx)
        for (std::size_t j = 0; j < k_; ++j) {
          const double v = sign_[j] * x[i * k_ + j];
          sum_[j] = std::min(sum_[j], v);
          squares_[j] = std::max(squares_[j], v);
        }
      for (std::size_t j = 0; j < k_; ++j) {
        const int e = scaling_exponent(x, idx, j);
        const double low = std::ldexp(sum_[j], -e), range = std::ldexp(squares_[j], -e) - low;
        maps_[j] = range > 0 ? column_map{low, 1 / range, 0, spread_rule::regular, e}
                             : column_map{0, 0, 0.5, spread_rule::constant};
      }
      return;
    }
    column_.resize(idx.size());
    ranks_.resize(idx.size());
    for (std::size_t j = 0; j < k_; ++j) {
      for (std::size_t t = 0; t < idx.size(); ++t) column_[t] = sign_[j] * x[idx[t] * k_ + j];
      if (method_ == normalization::robust_z) {
        const int e = scaling_exponent(x, idx, j);
        for (double& v : column_) v = std::ldexp(v, -e);
        maps_[j] = robust_map(column_, scratch_);
        maps_[j].exponent = e;
        check_robust_range(idx, j);
        continue;
      }
      maps_[j].rule = percentile_ranks(column_, order_, ranks_.data());
      for (std::size_t t = 0; t < idx.size(); ++t) z[idx[t] * k_ + j] = ranks_[t];
    }
  }

  // The binade of the largest |value| of column j of group idx (core/scale.hpp).
  int column_binade(const double* x, const std::vector<std::size_t>& idx, std::size_t j) const {
    double top = 0;
    for (std::size_t i : idx) top = std::max(top, std::fabs(x[i * k_ + j]));
    return binade(top);
  }

  // The exponent by which min-max and robust z scale column j (2^-e) before forming and
  // applying its map: 0 (the unscaled bits) when the largest |value| lies in [2^-969, 2^1021),
  // where no difference of two values overflows and no range or MAD above 0 is subnormal;
  // otherwise the binade. On a 1e-320 scale 1 / range and 1 / MAD overflowed to inf; near
  // +-1.7e308 x - center overflowed.
  int scaling_exponent(const double* x, const std::vector<std::size_t>& idx, std::size_t j) const {
    const int e = column_binade(x, idx, j);
    return e >= -969 && e < 1021 ? 0 : e;
  }

  // Robust z, unlike z-score and min-max, has no bound: the MAD can lie any distance below the
  // largest deviation from the median (1e-9 against 1e300), and 1 / MAD itself overflows when
  // the MAD is subnormal against a column near 1. Such a z is refused, naming the rep with the
  // largest deviation, instead of scored as inf, or as NaN (0 x inf) for the rep at the median.
  // Needs robust_map's deviations (of column_, in idx's order) in scratch_.
  void check_robust_range(const std::vector<std::size_t>& idx, std::size_t j) const {
    // The mean-deviation fallback is bounded (z <= n / 1.2533): only the MAD can overflow.
    const column_map& m = maps_[j];
    if (m.rule != spread_rule::regular) return;
    const auto top = static_cast<std::size_t>(std::max_element(scratch_.begin(), scratch_.end()) -
                                              scratch_.begin());
    if (scratch_[top] * m.inverse_scale <= std::numeric_limits<double>::max()) return;
    SALESOPS_THROW(numerical_error, fn_, argument_, idx[top], "KPI ", names_[j],
                   ": its robust z is beyond the largest double (distance from the median ",
                   std::ldexp(scratch_[top], m.exponent),
                   " against a median absolute deviation of ",
                   std::ldexp(stats::median(span<const double>(scratch_)), m.exponent), ")");
  }

  // The z map of column j of group idx from the values scaled by 2^-e (binade): on a 1e-300
  // scale every squared deviation (1e-600) underflowed to 0 and the column looked constant;
  // on a 1e300 scale they overflowed to inf. Called when the unscaled sums under- or overflow.
  column_map scaled_z_map(const double* x, const std::vector<std::size_t>& idx,
                          std::size_t j) const {
    const int e = column_binade(x, idx, j);
    const double n = static_cast<double>(idx.size());
    double mean = 0, squares = 0;
    for (std::size_t i : idx) mean += std::ldexp(x[i * k_ + j], -e);
    mean /= n;
    for (std::size_t i : idx) {
      const double d = std::ldexp(x[i * k_ + j], -e) - mean;
      squares += d * d;
    }
    if (!(squares > 0)) return {0, 0, 0, spread_rule::constant};
    return {sign_[j] * mean, 1 / std::sqrt(squares / (n - 1)), 0, spread_rule::regular, e};
  }

  // One pass over every group: writes z when given, and the composite scores when given.
  void pass(const double* x, double* z, const std::vector<double>* w, double* out) {
    const bool is_affine = method_ != normalization::percentile_rank;
    if (!is_affine && z == nullptr) {
      z_.resize(rows_ * k_); // percentile ranks are not affine: go through z
      z = z_.data();
    }
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      const auto& idx = groups_[g].second;
      column_maps(x, idx, z);
      for (std::size_t j = 0; j < k_; ++j) {
        rules_[g * k_ + j] = maps_[j].rule;
        // (s x - c) / scale = (x - s c) (s / scale) exactly for s = +-1: the direction folds
        // into the map. A constant column maps every finite x to 0 + offset.
        center_[j] = sign_[j] * maps_[j].center;
        inverse_[j] = sign_[j] * maps_[j].inverse_scale;
        offset_[j] = maps_[j].offset;
        factor_[j] = std::ldexp(1.0, -maps_[j].exponent);
      }
      // Affine maps write z only when asked for it and otherwise score on the fly.
      if (is_affine && z != nullptr)
        for (std::size_t i : idx)
          for (std::size_t j = 0; j < k_; ++j) z[i * k_ + j] = affine(x[i * k_ + j], j);
      if (out == nullptr) continue;
      if (is_affine)
        weighted_sums(
            x, idx, *w, [this](auto v, std::size_t j) { return affine(v, j); }, out);
      else
        weighted_sums(
            z, idx, *w, [](auto v, std::size_t) { return v; }, out);
    }
  }

  const char* fn_;
  const char* argument_;
  std::size_t rows_;
  std::size_t k_;
  normalization method_;
  std::vector<std::pair<std::string, std::vector<std::size_t>>> groups_;
  std::vector<double> sign_;
  std::vector<std::string> names_;
  std::vector<column_map> maps_;
  std::vector<spread_rule> rules_;
  std::vector<double> sum_, squares_, center_, inverse_, offset_, factor_;
  std::vector<double> column_, ranks_, scratch_, z_;
  std::vector<std::size_t> order_;
};

// Competition ranks by a bucket sort on the score values: bucket(v) = floor((max - v) x
// (buckets - 1) / (max - min)) never decreases as v decreases (every step rounds monotonically), so
// sorting each bucket finishes the sort, and equal scores share a bucket, so ties never span
// two buckets. Crowded buckets (more than 16 scores: outliers squeeze the rest together) are
// sorted with std::sort, so the worst case stays O(n log n); then one insertion pass over the
// whole order sorts the small buckets: it never moves a score past one of an earlier bucket
// (which is at least as high), so it works within buckets, and it has no per-bucket branch
// to mispredict (most buckets hold zero or one score). A replicate of 10,000 reps is ranked in
// a few linear passes. Keeps its buffers between calls. Scores must not be NaN.
class competition_ranker {
public:
  template <class Rank> void operator()(span<const double> scores, Rank* out) {
    const std::size_t n = scores.size();
    if (n == 0) return;
    // A plain loop: it vectorises, where std::minmax_element branches on every score.
    double low = scores[0], top = scores[0];
    for (const double v : scores) {
      low = std::min(low, v);
      top = std::max(top, v);
    }
    const double range = top - low;
    // range may overflow to +inf: then every score shares bucket 0 and std::sort does it all.
    // Two buckets per score: fewer shared buckets to sort than with one.
    const std::size_t buckets =
        std::min<std::size_t>(2 * n, std::numeric_limits<std::uint32_t>::max());
    const double per_unit =
        range > 0 && std::isfinite(range) ? static_cast<double>(buckets - 1) / range : 0.0;
    const auto last_bucket = static_cast<std::uint32_t>(buckets - 1);
    constexpr std::uint32_t small = 16; // buckets up to this size are left to the insertion pass
    // end_[b + 1] counts bucket b; after the prefix sums end_[b] is where bucket b starts, and
    // after the scatter (which advances it) where bucket b ends.
    end_.assign(buckets + 1, 0);
    bucket_.resize(n);
    bool crowded = false;
    for (std::size_t i = 0; i < n; ++i) {
      // (top - score) x per_unit is >= 0, so truncation is the floor. per_unit == 0 (one
      // value, or an overflowing range where top - s may be +inf and inf x 0 NaN): bucket 0.
      const auto at = per_unit > 0
                          ? static_cast<std::uint32_t>(std::min((top - scores[i]) * per_unit,
                                                                static_cast<double>(last_bucket)))
                          : 0u;
      bucket_[i] = at;
      crowded |= ++end_[at + 1] > small;
    }
    for (std::size_t b = 0; b < buckets; ++b) end_[b + 1] += end_[b];
    sorted_.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      sorted_[end_[bucket_[i]]++] = {scores[i], static_cast<std::uint32_t>(i)};
    if (crowded)
      for (std::size_t b = 0, first = 0; b < buckets; first = end_[b++])
        if (end_[b] - first > small)
          std::sort(sorted_.begin() + static_cast<std::ptrdiff_t>(first),
                    sorted_.begin() + static_cast<std::ptrdiff_t>(end_[b]),
                    [](const entry& a, const entry& c) { return a.score > c.score; });
    for (std::size_t t = 1; t < n; ++t) {
      const entry x = sorted_[t];
      std::size_t u = t;
      for (; u > 0 && sorted_[u - 1].score < x.score; --u) sorted_[u] = sorted_[u - 1];
      sorted_[u] = x;
    }
    Rank previous = 1;
    out[sorted_[0].rep] = previous;
    for (std::size_t t = 1; t < n; ++t) {
      previous = sorted_[t].score == sorted_[t - 1].score ? previous : static_cast<Rank>(t + 1);
      out[sorted_[t].rep] = previous;
    }
  }

private:
  struct entry {
    double score;
    std::uint32_t rep;
  };
  std::vector<std::uint32_t> end_, bucket_;
  std::vector<entry> sorted_;
};

// Row-major copy of a column-major KPI table, after checking its shape and values.
inline std::vector<double> checked_rows(const char* fn,
                                        const Eigen::Ref<const Eigen::MatrixXd>& kpis,
                                        const std::vector<kpi_spec>& specs,
                                        const char* argument = "kpis",
                                        const char* columns = "kpis columns") {
  check_equal_lengths(fn, columns, static_cast<std::size_t>(kpis.cols()), "specs", specs.size());
  const auto rows = static_cast<std::size_t>(kpis.rows());
  check_non_empty(fn, argument, rows);
  const std::size_t k = specs.size();
  std::vector<double> x(rows * k);
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t i = 0; i < rows; ++i) {
      const double v = kpis(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      if (!std::isfinite(v))
        SALESOPS_THROW(not_finite, fn, argument, i, "KPI ", specs[j].name, " is ", v);
      x[i * k + j] = v;
    }
  return x;
}

inline std::vector<double> normalize_column(const char* fn, span<const double> values,
                                            span<const std::string> peer_group,
                                            normalization method, direction dir) {
  check_non_empty(fn, "values", values.size());
  check_finite(fn, "values", values);
  normalizer norm(fn, values.size(), std::vector<kpi_spec>{kpi_spec{"values", 1, dir}}, method,
                  peer_group, "values");
  std::vector<double> out(values.size());
  norm.run(values.data(), out.data());
  return out;
}

} // namespace detail

inline std::vector<double> normalize(span<const double> values, normalization method,
                                     direction dir) {
  return detail::normalize_column("normalize", values, {}, method, dir);
}

inline std::vector<double> normalize_within(span<const double> values,
                                            span<const std::string> peer_group,
                                            normalization method, direction dir) {
  // An empty peer_group would mean "no groups" to the normalizer; here it is a length error.
  if (peer_group.empty() && !values.empty())
    check_equal_lengths("normalize_within", "values", values.size(), "peer_group", 0);
  return detail::normalize_column("normalize_within", values, peer_group, method, dir);
}

inline std::vector<double> normalized_weights(const std::vector<kpi_spec>& kpis) {
  constexpr const char* fn = "normalized_weights";
  check_non_empty(fn, "kpis", kpis.size());
  double largest = 0;
  for (std::size_t j = 0; j < kpis.size(); ++j) {
    const double w = kpis[j].weight;
    if (!std::isfinite(w) || w < 0)
      SALESOPS_THROW(negative_value, fn, "weight", j, "of KPI ", kpis[j].name, " is ", w,
                     ": weights must be finite and >= 0");
    largest = std::max(largest, w);
  }
  if (!(largest > 0))
    SALESOPS_THROW(out_of_range_value, fn, "weight", no_row,
                   "is 0 for every KPI: at least one weight must be positive");
  // Sum the weights scaled by 2^-e, 2^e the binade of the largest: two weights of 1e308
  // overflowed the sum to inf and every normalised weight to 0. A power of two scales
  // exactly, so ordinary weights give the same bits as unscaled.
  const int e = binade(largest);
  neumaier_sum<double> total;
  for (const auto& k : kpis) total.update(std::ldexp(k.weight, -e));
  std::vector<double> w(kpis.size());
  for (std::size_t j = 0; j < kpis.size(); ++j)
    w[j] = std::ldexp(kpis[j].weight, -e) / total.result();
  return w;
}

inline Eigen::VectorXd composite_scores(const Eigen::Ref<const Eigen::MatrixXd>& kpis,
                                        const std::vector<kpi_spec>& specs, normalization method,
                                        span<const std::string> peer_group) {
  constexpr const char* fn = "composite_scores";
  const auto w = normalized_weights(specs);
  const auto x = detail::checked_rows(fn, kpis, specs);
  detail::normalizer norm(fn, static_cast<std::size_t>(kpis.rows()), specs, method, peer_group);
  Eigen::VectorXd out(kpis.rows());
  norm.scores(x.data(), w, out.data());
  return out;
}

inline std::vector<std::size_t> competition_ranks(span<const double> scores) {
  check_finite("competition_ranks", "scores", scores);
  std::vector<std::size_t> rank(scores.size());
  detail::competition_ranker{}(scores, rank.data());
  return rank;
}

inline scorecard scorecard_of(const Eigen::Ref<const Eigen::MatrixXd>& kpis,
                              const std::vector<kpi_spec>& specs, const scorecard_options& options,
                              span<const std::string> peer_group) {
  constexpr const char* fn = "scorecard_of";
  const auto& cuts = options.tiers.cuts;
  for (std::size_t c = 0; c < cuts.size(); ++c) {
    check_finite(fn, "tiers.cuts", cuts[c], c);
    // tier_rule's domain: cut 0 is the smallest score, which every rep reaches (an empty tier).
    if (options.tiers.by_quantile && !(cuts[c] > 0 && cuts[c] < 1))
      SALESOPS_THROW(out_of_range_value, fn, "tiers.cuts", c, "is ", cuts[c],
                     ", outside (0, 1): quantile cuts are probabilities strictly between 0 and 1");
    if (c > 0 && cuts[c] < cuts[c - 1])
      SALESOPS_THROW(out_of_range_value, fn, "tiers.cuts", c, "is ", cuts[c],
                     ", smaller than the previous cut ", cuts[c - 1]);
  }
  scorecard s;
  s.kpis = specs;
  s.weights = normalized_weights(specs);
  const auto x = detail::checked_rows(fn, kpis, specs);
  const auto rows = static_cast<std::size_t>(kpis.rows());
  const std::size_t k = specs.size();
  detail::normalizer norm(fn, rows, specs, options.method, peer_group);
  std::vector<double> z(rows * k);
  norm.run(x.data(), z.data());
  s.fallbacks = norm.fallbacks();
  s.reps.resize(rows);
  std::vector<double> scores(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    auto& r = s.reps[i];
    r.contributions.resize(k);
    for (std::size_t j = 0; j < k; ++j) r.contributions[j] = s.weights[j] * z[i * k + j];
    // The score IS the sum of its contributions, so the explanation adds up by construction.
    r.score = std::accumulate(r.contributions.begin(), r.contributions.end(), 0.0);
    scores[i] = r.score;
  }
  const auto ranks = competition_ranks(scores);
  if (options.tiers.by_quantile) {
    s.thresholds = stats::quantiles(scores, cuts);
  } else {
    s.thresholds = cuts;
  }
  for (std::size_t i = 0; i < rows; ++i) {
    s.reps[i].rank = ranks[i];
    s.reps[i].tier = static_cast<std::size_t>(
        std::upper_bound(s.thresholds.begin(), s.thresholds.end(), scores[i]) -
        s.thresholds.begin());
  }
  return s;
}

} // namespace salesops::scoring

#endif // SALESOPS_SCORING_SCORECARD_HPP
