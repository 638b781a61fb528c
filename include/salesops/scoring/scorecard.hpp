// Normalisation of rep KPIs and composite scorecards with per-KPI contributions and tiers.
//
// A KPI is put on a common scale by one of four normalisations (z-score, robust z from the
// median and R's mad() — MAD x 1.4826 —, percentile rank with R's average ties, min-max),
// after flipping its sign when lower is better (cycle length), optionally within peer groups
// (team, segment, tenure band). The composite score is the weighted mean of the normalised
// KPIs, written as a sum of per-KPI contributions so every score can be explained ("why is
// this rep third"), as the CRM scorecards of Salesforce and Xactly present them.
#ifndef SALESOPS_SCORING_SCORECARD_HPP
#define SALESOPS_SCORING_SCORECARD_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <numeric>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

#include "salesops/core/error.hpp"
#include "salesops/core/moments.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/stats/quantile.hpp"

namespace salesops::scoring {

/// \brief How a KPI column is put on a common scale.
enum class normalization {
  z_score,         ///< (x - mean) / sd (sample sd, divisor n - 1); all 0 when sd = 0
  robust_z,        ///< (x - median) / (1.4826 MAD), R's mad(); throws when MAD = 0
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
inline std::ostream& operator<<(std::ostream& out, normalization n) { return out << to_string(n); }

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
/// \throws salesops::empty_input for no rows; salesops::not_finite naming the row of a NaN or
///         infinite value; salesops::numerical_error for robust_z when the MAD is 0 (more than
///         half the values tie: use percentile_rank or z_score for such a KPI).
inline std::vector<double> normalize(span<const double> values, normalization method,
                              direction dir = direction::higher_is_better);

/// \brief Normalises within peer groups: each rep is compared only with the reps that share
/// its label in `peer_group` (team, segment, tenure band).
/// \throws as normalize, naming the row in the whole column; salesops::length_mismatch;
///         salesops::out_of_range_value naming the row of a rep whose peer group is empty.
inline std::vector<double> normalize_within(span<const double> values, span<const std::string> peer_group,
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
  double score = 0;                ///< sum of the contributions
  std::vector<double> contributions; ///< per KPI: weight / sum(weights) x normalised value
  std::size_t rank = 0;            ///< 1 = best; ties share the smallest rank (1, 2, 2, 4)
  std::size_t tier = 0;            ///< 0 = lowest tier (see tier_rule)
};

/// \brief Prints the score, for debugging.
inline std::ostream& operator<<(std::ostream& out, const rep_score& r) {
  out << "rep_score{score=" << r.score << ", rank=" << r.rank << ", tier=" << r.tier
      << ", contributions=[";
  for (std::size_t j = 0; j < r.contributions.size(); ++j)
    out << (j ? ", " : "") << r.contributions[j];
  return out << "]}";
}

/// \brief A composite scorecard: one rep_score per row of the KPI table.
struct scorecard {
  std::vector<kpi_spec> kpis;        ///< the KPIs, in column order
  std::vector<double> weights;       ///< the weights rescaled to sum to 1
  std::vector<double> thresholds;    ///< the tier thresholds actually applied (scores)
  std::vector<rep_score> reps;       ///< one per row, in input order
};

/// \brief Prints the scorecard, for debugging.
inline std::ostream& operator<<(std::ostream& out, const scorecard& s) {
  out << "scorecard{kpis=[";
  for (std::size_t j = 0; j < s.kpis.size(); ++j) out << (j ? ", " : "") << s.kpis[j];
  out << "], reps=[";
  for (std::size_t i = 0; i < s.reps.size(); ++i) out << (i ? ", " : "") << s.reps[i];
  return out << "]}";
}

/// \brief The weights rescaled to sum to 1.
/// \throws salesops::negative_value naming the KPI (row = KPI index) of a negative or NaN
///         weight; salesops::out_of_range_value when every weight is 0; salesops::empty_input.
inline std::vector<double> normalized_weights(const std::vector<kpi_spec>& kpis);

/// \brief Composite scores only (no ranks or tiers): score_i = sum_j w_j z_ij with z the
/// normalised KPI (within peer groups when `peer_group` is not empty). The fast path used
/// by the bootstrap.
/// \throws as scorecard_of.
inline Eigen::VectorXd composite_scores(const Eigen::Ref<const Eigen::MatrixXd>& kpis,
                                 const std::vector<kpi_spec>& specs, normalization method,
                                 span<const std::string> peer_group = {});

/// \brief Scores, explains, ranks and tiers the reps (rows of `kpis`, one column per spec).
/// \throws salesops::length_mismatch when specs and columns (or peer groups and rows)
///         differ; salesops::not_finite naming the row and KPI of a NaN value; the weight
///         errors of normalized_weights; salesops::out_of_range_value for unsorted cuts or a
///         probability cut outside (0, 1); the errors of normalize / normalize_within.
inline scorecard scorecard_of(const Eigen::Ref<const Eigen::MatrixXd>& kpis,
                       const std::vector<kpi_spec>& specs, const scorecard_options& options = {},
                       span<const std::string> peer_group = {});

/// \brief Competition ranks of `scores` (1 = highest; ties share the smallest rank).
inline std::vector<std::size_t> competition_ranks(span<const double> scores);

// ---------------------------------------------------------------------------------------

namespace detail {

inline constexpr double mad_consistency = 1.4826; // R's mad() constant, 1/qnorm(3/4) rounded

// Normalises values[idx[k]] in place into out[idx[k]]; `row` messages use the original index.
inline void normalize_subset(const char* fn, span<const double> values,
                             const std::vector<std::size_t>& idx, normalization method,
                             direction dir, std::vector<double>& out) {
  const double sign = dir == direction::lower_is_better ? -1.0 : 1.0;
  std::vector<double> x(idx.size());
  for (std::size_t k = 0; k < idx.size(); ++k) {
    check_finite(fn, "values", values[idx[k]], idx[k]);
    x[k] = sign * values[idx[k]];
  }
  const std::size_t n = x.size();
  switch (method) {
  case normalization::z_score: {
    welford_moments<double> m;
    for (double v : x) m.update(v);
    const auto s = m.result();
    for (std::size_t k = 0; k < n; ++k) out[idx[k]] = s.sd > 0 ? (x[k] - s.mean) / s.sd : 0.0;
    break;
  }
  case normalization::robust_z: {
    const double med = stats::median(x);
    std::vector<double> dev(n);
    for (std::size_t k = 0; k < n; ++k) dev[k] = std::fabs(x[k] - med);
    const double mad = mad_consistency * stats::median(dev);
    if (!(mad > 0))
      SALESOPS_THROW(numerical_error, fn, "values", no_row,
                     "have a median absolute deviation of 0 (more than half the values equal ",
                     sign * med, "): robust z is undefined; use percentile or z");
    for (std::size_t k = 0; k < n; ++k) out[idx[k]] = (x[k] - med) / mad;
    break;
  }
  case normalization::percentile_rank: {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    for (std::size_t s = 0; s < n;) {
      std::size_t e = s;
      while (e + 1 < n && x[order[e + 1]] == x[order[s]]) ++e;
      const double avg_rank = (static_cast<double>(s + e) / 2.0) + 1.0; // 1-based average
      for (std::size_t t = s; t <= e; ++t)
        out[idx[order[t]]] = n == 1 ? 0.5 : (avg_rank - 1.0) / static_cast<double>(n - 1);
      s = e + 1;
    }
    break;
  }
  case normalization::min_max: {
    const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
    const double range = *hi - *lo;
    for (std::size_t k = 0; k < n; ++k) out[idx[k]] = range > 0 ? (x[k] - *lo) / range : 0.5;
    break;
  }
  }
}

inline std::map<std::string, std::vector<std::size_t>>
peer_groups(const char* fn, std::size_t rows, span<const std::string> peer_group) {
  check_equal_lengths(fn, "values", rows, "peer_group", peer_group.size());
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < peer_group.size(); ++i) {
    if (peer_group[i].empty())
      SALESOPS_THROW(out_of_range_value, fn, "peer_group", i,
                     "is empty: the rep has no peer group to be compared with");
    groups[peer_group[i]].push_back(i);
  }
  return groups;
}

} // namespace detail

inline std::vector<double> normalize(span<const double> values, normalization method,
                                     direction dir) {
  constexpr const char* fn = "normalize";
  check_non_empty(fn, "values", values.size());
  std::vector<std::size_t> all(values.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  std::vector<double> out(values.size());
  detail::normalize_subset(fn, values, all, method, dir, out);
  return out;
}

inline std::vector<double> normalize_within(span<const double> values,
                                            span<const std::string> peer_group,
                                            normalization method, direction dir) {
  constexpr const char* fn = "normalize_within";
  check_non_empty(fn, "values", values.size());
  std::vector<double> out(values.size());
  for (const auto& [name, idx] : detail::peer_groups(fn, values.size(), peer_group))
    detail::normalize_subset(fn, values, idx, method, dir, out);
  return out;
}

inline std::vector<double> normalized_weights(const std::vector<kpi_spec>& kpis) {
  constexpr const char* fn = "normalized_weights";
  check_non_empty(fn, "kpis", kpis.size());
  neumaier_sum<double> total;
  for (std::size_t j = 0; j < kpis.size(); ++j) {
    const double w = kpis[j].weight;
    if (!std::isfinite(w) || w < 0)
      SALESOPS_THROW(negative_value, fn, "weight", j, "of KPI ", kpis[j].name, " is ", w,
                     ": weights must be finite and >= 0");
    total.update(w);
  }
  if (!(total.result() > 0))
    SALESOPS_THROW(out_of_range_value, fn, "weight", no_row,
                   "is 0 for every KPI: at least one weight must be positive");
  std::vector<double> w(kpis.size());
  for (std::size_t j = 0; j < kpis.size(); ++j) w[j] = kpis[j].weight / total.result();
  return w;
}

namespace detail {

// Normalised KPI matrix (rows reps, columns KPIs) after validating shape and values.
inline Eigen::MatrixXd normalized_kpis(const char* fn, const Eigen::Ref<const Eigen::MatrixXd>& kpis,
                                       const std::vector<kpi_spec>& specs, normalization method,
                                       span<const std::string> peer_group) {
  check_equal_lengths(fn, "kpis columns", static_cast<std::size_t>(kpis.cols()), "specs",
                      specs.size());
  const auto rows = static_cast<std::size_t>(kpis.rows());
  check_non_empty(fn, "kpis", rows);
  for (Eigen::Index j = 0; j < kpis.cols(); ++j)
    for (Eigen::Index i = 0; i < kpis.rows(); ++i)
      if (!std::isfinite(kpis(i, j)))
        SALESOPS_THROW(not_finite, fn, "kpis", static_cast<std::size_t>(i), "KPI ",
                       specs[static_cast<std::size_t>(j)].name, " is ", kpis(i, j));
  std::vector<std::pair<std::string, std::vector<std::size_t>>> groups;
  if (peer_group.empty()) {
    std::vector<std::size_t> all(rows);
    std::iota(all.begin(), all.end(), std::size_t{0});
    groups.emplace_back("", std::move(all));
  } else {
    for (auto& g : peer_groups(fn, rows, peer_group)) groups.emplace_back(g.first, std::move(g.second));
  }
  Eigen::MatrixXd z(kpis.rows(), kpis.cols());
  std::vector<double> out(rows);
  for (Eigen::Index j = 0; j < kpis.cols(); ++j) {
    const span<const double> col(kpis.col(j).data(), rows);
    for (const auto& g : groups)
      normalize_subset(fn, col, g.second, method, specs[static_cast<std::size_t>(j)].dir, out);
    for (std::size_t i = 0; i < rows; ++i) z(static_cast<Eigen::Index>(i), j) = out[i];
  }
  return z;
}

} // namespace detail

inline Eigen::VectorXd composite_scores(const Eigen::Ref<const Eigen::MatrixXd>& kpis,
                                        const std::vector<kpi_spec>& specs, normalization method,
                                        span<const std::string> peer_group) {
  const auto w = normalized_weights(specs);
  const Eigen::MatrixXd z = detail::normalized_kpis("composite_scores", kpis, specs, method, peer_group);
  return z * Eigen::Map<const Eigen::VectorXd>(w.data(), static_cast<Eigen::Index>(w.size()));
}

inline std::vector<std::size_t> competition_ranks(span<const double> scores) {
  const std::size_t n = scores.size();
  std::vector<std::size_t> order(n), rank(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  for (std::size_t k = 0; k < n; ++k)
    rank[order[k]] = (k > 0 && scores[order[k]] == scores[order[k - 1]]) ? rank[order[k - 1]] : k + 1;
  return rank;
}

inline scorecard scorecard_of(const Eigen::Ref<const Eigen::MatrixXd>& kpis,
                              const std::vector<kpi_spec>& specs, const scorecard_options& options,
                              span<const std::string> peer_group) {
  constexpr const char* fn = "scorecard_of";
  const auto& cuts = options.tiers.cuts;
  for (std::size_t c = 0; c < cuts.size(); ++c) {
    if (options.tiers.by_quantile) {
      check_in_range(fn, "tiers.cuts", cuts[c], 0.0, 1.0, c);
    } else {
      check_finite(fn, "tiers.cuts", cuts[c], c);
    }
    if (c > 0 && cuts[c] < cuts[c - 1])
      SALESOPS_THROW(out_of_range_value, fn, "tiers.cuts", c, "is ", cuts[c],
                     ", smaller than the previous cut ", cuts[c - 1]);
  }
  scorecard s;
  s.kpis = specs;
  s.weights = normalized_weights(specs);
  const Eigen::MatrixXd z = detail::normalized_kpis(fn, kpis, specs, options.method, peer_group);
  const auto rows = static_cast<std::size_t>(kpis.rows());
  s.reps.resize(rows);
  std::vector<double> scores(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    auto& r = s.reps[i];
    r.contributions.resize(specs.size());
    for (std::size_t j = 0; j < specs.size(); ++j)
      r.contributions[j] = s.weights[j] * z(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
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
        std::upper_bound(s.thresholds.begin(), s.thresholds.end(), scores[i]) - s.thresholds.begin());
  }
  return s;
}

} // namespace salesops::scoring

#endif // SALESOPS_SCORING_SCORECARD_HPP
