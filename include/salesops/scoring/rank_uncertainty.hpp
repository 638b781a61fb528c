// Ranking with uncertainty: how sure is "rep 3 of 40"? Each replicate draws every rep's score
// (a draw from its win-rate posterior, or a bootstrap resample of its own observations), ranks
// the reps, and the replicates give each rep an interval of ranks and the probability of
// being in the top k — the approach of Goldstein & Spiegelhalter's league tables ("League
// tables and their limitations", JRSS A 1996) and of rank intervals in education statistics.
// Draws come from a caller-seeded salesops::rng, so results are reproducible.
#ifndef SALESOPS_SCORING_RANK_UNCERTAINTY_HPP
#define SALESOPS_SCORING_RANK_UNCERTAINTY_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <ostream>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "salesops/core/error.hpp"
#include "salesops/core/rng.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/scoring/scorecard.hpp"
#include "salesops/scoring/shrinkage.hpp"

namespace salesops::scoring {

/// \brief One rep's rank distribution over the replicates (rank 1 = best).
struct rank_interval {
  std::size_t rank = 0;   ///< rank of the point estimate (competition ranking)
  double mean_rank = 0;   ///< mean rank over the replicates
  std::size_t lower = 0;  ///< lower end: the (1 - level)/2 quantile of the ranks (type 1)
  std::size_t upper = 0;  ///< upper end: the (1 + level)/2 quantile of the ranks (type 1)
  double prob_top_k = 0;  ///< share of replicates in which the rep ranks <= k
};

/// \brief Prints the interval, for debugging.
inline std::ostream& operator<<(std::ostream& out, const rank_interval& r) {
  return out << "rank_interval{rank=" << r.rank << ", mean=" << r.mean_rank << ", interval=["
             << r.lower << ", " << r.upper << "], prob_top_k=" << r.prob_top_k << "}";
}

/// \brief Rank intervals of every rep, in input order.
struct rank_uncertainty {
  std::size_t replicates = 0;      ///< number of replicates drawn
  std::size_t top_k = 1;           ///< the k of prob_top_k
  double level = 0.95;             ///< level of the rank intervals
  std::vector<rank_interval> reps; ///< one per rep
};

/// \brief Prints the result, for debugging.
inline std::ostream& operator<<(std::ostream& out, const rank_uncertainty& r) {
  out << "rank_uncertainty{replicates=" << r.replicates << ", top_k=" << r.top_k
      << ", level=" << r.level << ", reps=[";
  for (std::size_t i = 0; i < r.reps.size(); ++i) out << (i ? ", " : "") << r.reps[i];
  return out << "]}";
}

/// \brief Options shared by the rank-interval functions.
struct rank_options {
  std::size_t replicates = 1000; ///< replicates to draw (>= 1)
  std::size_t top_k = 1;         ///< k of P(rank <= k), 1 .. number of reps
  double level = 0.95;           ///< level of the rank intervals, in (0, 1)
  std::uint64_t seed = 0;        ///< seed of the salesops::rng that draws the replicates
};

/// \brief Prints the options, for debugging.
inline std::ostream& operator<<(std::ostream& out, const rank_options& o) {
  return out << "rank_options{replicates=" << o.replicates << ", top_k=" << o.top_k
             << ", level=" << o.level << ", seed=" << o.seed << "}";
}

/// \brief Collects the ranks of replicates into rank intervals: a building block for any
/// source of replicate scores. Call `add` with each replicate's scores (higher is better),
/// then `result`. Ranks within a replicate are competition ranks (ties share the best rank).
class rank_collector {
public:
  /// \brief Starts a collection for the point scores `point` (which give rank_interval::rank).
  /// \throws salesops::empty_input for no reps; salesops::not_finite naming the row of a NaN
  ///         score; salesops::out_of_range_value for top_k outside 1 .. reps or level not in (0, 1).
  rank_collector(span<const double> point, std::size_t top_k, double level)
      : point_(point.begin(), point.end()), top_k_(top_k), level_(level) {
    constexpr const char* fn = "rank_collector";
    check_non_empty(fn, "point", point.size());
    check_finite(fn, "point", point);
    if (top_k < 1 || top_k > point.size())
      SALESOPS_THROW(out_of_range_value, fn, "top_k", no_row, "is ", top_k, ", outside 1 .. ",
                     point.size());
    if (!(level > 0 && level < 1))
      SALESOPS_THROW(out_of_range_value, fn, "level", no_row, "is ", level, ", must be in (0, 1)");
    order_.resize(point.size());
  }

  /// \brief Adds one replicate's scores, one per rep.
  /// \throws salesops::length_mismatch; salesops::not_finite naming the rep of a NaN score.
  void add(span<const double> scores) {
    constexpr const char* fn = "rank_collector::add";
    check_equal_lengths(fn, "point", point_.size(), "scores", scores.size());
    check_finite(fn, "scores", scores);
    const std::size_t n = scores.size();
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    std::sort(order_.begin(), order_.end(),
              [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    std::uint32_t previous_rank = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const bool tie = k > 0 && scores[order_[k]] == scores[order_[k - 1]];
      const std::uint32_t r = tie ? previous_rank : static_cast<std::uint32_t>(k + 1);
      ranks_.push_back(r); // stored replicate-major: ranks_[rep_offset + rep]
      previous_rank = r;
    }
    // Re-order the n ranks just pushed from sorted order into rep order.
    auto* base = ranks_.data() + (ranks_.size() - n);
    scratch_.assign(base, base + n);
    for (std::size_t k = 0; k < n; ++k) base[order_[k]] = scratch_[k];
    ++replicates_;
  }

  /// \brief Merges another collector's replicates (same reps, k and level): shards of
  /// replicates drawn on different machines combine to the same result as one run.
  /// \throws salesops::length_mismatch when the rep counts differ.
  void merge(const rank_collector& other) {
    check_equal_lengths("rank_collector::merge", "point", point_.size(), "other.point",
                        other.point_.size());
    ranks_.insert(ranks_.end(), other.ranks_.begin(), other.ranks_.end());
    replicates_ += other.replicates_;
  }

  /// \brief The rank intervals (empty distribution fields when no replicate was added).
  rank_uncertainty result() const {
    rank_uncertainty r;
    r.replicates = replicates_;
    r.top_k = top_k_;
    r.level = level_;
    const std::size_t n = point_.size();
    const auto point_rank = competition_ranks(point_);
    r.reps.resize(n);
    std::vector<std::uint32_t> own(replicates_);
    for (std::size_t i = 0; i < n; ++i) {
      auto& ri = r.reps[i];
      ri.rank = point_rank[i];
      if (replicates_ == 0) continue;
      std::uint64_t sum = 0, top = 0;
      for (std::size_t b = 0; b < replicates_; ++b) {
        own[b] = ranks_[b * n + i];
        sum += own[b];
        top += own[b] <= top_k_ ? 1u : 0u;
      }
      std::sort(own.begin(), own.end());
      const double reps = static_cast<double>(replicates_);
      ri.mean_rank = static_cast<double>(sum) / reps;
      ri.prob_top_k = static_cast<double>(top) / reps;
      // Type-1 quantile (inverse empirical CDF): the smallest rank with F(rank) >= p.
      const auto type1 = [&](double p) {
        const double pos = std::ceil(p * reps - 1e-9);
        const auto at = static_cast<std::size_t>(std::max(1.0, pos)) - 1;
        return static_cast<std::size_t>(own[std::min(at, replicates_ - 1)]);
      };
      ri.lower = type1((1 - level_) / 2);
      ri.upper = type1((1 + level_) / 2);
    }
    return r;
  }

private:
  std::vector<double> point_;
  std::size_t top_k_;
  double level_;
  std::size_t replicates_ = 0;
  std::vector<std::uint32_t> ranks_;
  std::vector<std::size_t> order_;
  std::vector<std::uint32_t> scratch_;
};

/// \brief Rank intervals of win rates by posterior sampling: each replicate draws
/// p_i ~ Beta(alpha + wins_i, beta + losses_i) for every rep and ranks the draws; the point
/// ranks are those of the posterior means.
/// \throws salesops::out_of_range_value for zero replicates, and as rank_collector.
inline rank_uncertainty posterior_rank_intervals(const win_rate_shrinkage& shrinkage,
                                                 const rank_options& options = {}) {
  constexpr const char* fn = "posterior_rank_intervals";
  if (options.replicates < 1)
    SALESOPS_THROW(out_of_range_value, fn, "replicates", no_row, "is 0");
  const std::size_t n = shrinkage.reps.size();
  std::vector<double> point(n), draw(n);
  for (std::size_t i = 0; i < n; ++i) point[i] = shrinkage.reps[i].shrunk;
  rank_collector ranks(point, options.top_k, options.level);
  rng gen(options.seed);
  const double a = shrinkage.prior.alpha, b = shrinkage.prior.beta;
  for (std::size_t r = 0; r < options.replicates; ++r) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto& rep = shrinkage.reps[i];
      draw[i] = gen.beta(a + static_cast<double>(rep.wins),
                         b + static_cast<double>(rep.trials - rep.wins));
    }
    ranks.add(draw);
  }
  return ranks.result();
}

/// \brief Rank intervals of composite scores by the bootstrap: every rep has several
/// observation rows (periods, say) of the KPI table; each replicate resamples each rep's own
/// rows with replacement, averages them into the rep's KPI vector, re-normalises across reps
/// (composite_scores, so the peer population moves too) and ranks. The point scores use the
/// rep means of all rows.
/// \param observations rows of KPI values, one column per spec
/// \param rep_of_row rep index (0 .. reps-1) of each observation row; every rep needs a row
/// \param specs KPI names, weights and directions
/// \param method normalisation of the KPIs
/// \param options replicates, k, level and seed
/// \param peer_group optional peer group per rep (not per row)
/// \throws salesops::length_mismatch; salesops::out_of_range_value naming the row of a rep
///         index that is too large, or naming a rep with no rows; as composite_scores.
inline rank_uncertainty bootstrap_rank_intervals(const Eigen::Ref<const Eigen::MatrixXd>& observations,
                                                 span<const std::size_t> rep_of_row,
                                                 const std::vector<kpi_spec>& specs,
                                                 normalization method,
                                                 const rank_options& options = {},
                                                 span<const std::string> peer_group = {}) {
  constexpr const char* fn = "bootstrap_rank_intervals";
  const auto rows = static_cast<std::size_t>(observations.rows());
  check_equal_lengths(fn, "observations", rows, "rep_of_row", rep_of_row.size());
  check_non_empty(fn, "observations", rows);
  if (options.replicates < 1)
    SALESOPS_THROW(out_of_range_value, fn, "replicates", no_row, "is 0");
  const std::size_t reps = *std::max_element(rep_of_row.begin(), rep_of_row.end()) + 1;
  if (!peer_group.empty()) check_equal_lengths(fn, "reps", reps, "peer_group", peer_group.size());
  // Rows of each rep, contiguous (counting sort by rep).
  std::vector<std::size_t> start(reps + 1, 0), by_rep(rows);
  for (std::size_t r = 0; r < rows; ++r) ++start[rep_of_row[r] + 1];
  for (std::size_t i = 0; i < reps; ++i) {
    if (start[i + 1] == 0)
      SALESOPS_THROW(out_of_range_value, fn, "rep_of_row", no_row, "has no row for rep ", i,
                     ": every rep index up to the largest needs at least one observation");
    start[i + 1] += start[i];
  }
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t r = 0; r < rows; ++r) by_rep[fill[rep_of_row[r]]++] = r;
  }
  const auto k = observations.cols();
  // Row-major copy so a resampled row is one contiguous read.
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> obs = observations;
  Eigen::MatrixXd means(static_cast<Eigen::Index>(reps), k);
  for (std::size_t i = 0; i < reps; ++i) {
    Eigen::RowVectorXd sum = Eigen::RowVectorXd::Zero(k);
    for (std::size_t t = start[i]; t < start[i + 1]; ++t) sum += obs.row(static_cast<Eigen::Index>(by_rep[t]));
    means.row(static_cast<Eigen::Index>(i)) = sum / static_cast<double>(start[i + 1] - start[i]);
  }
  const Eigen::VectorXd point = composite_scores(means, specs, method, peer_group);
  rank_collector ranks(span<const double>(point.data(), reps), options.top_k, options.level);
  rng gen(options.seed);
  Eigen::RowVectorXd sum(k);
  for (std::size_t b = 0; b < options.replicates; ++b) {
    for (std::size_t i = 0; i < reps; ++i) {
      const std::size_t m = start[i + 1] - start[i];
      sum.setZero();
      for (std::size_t t = 0; t < m; ++t)
        sum += obs.row(static_cast<Eigen::Index>(by_rep[start[i] + gen.uniform_int(m)]));
      means.row(static_cast<Eigen::Index>(i)) = sum / static_cast<double>(m);
    }
    const Eigen::VectorXd scores = composite_scores(means, specs, method, peer_group);
    ranks.add(span<const double>(scores.data(), reps));
  }
  return ranks.result();
}

} // namespace salesops::scoring

#endif // SALESOPS_SCORING_RANK_UNCERTAINTY_HPP
