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
#include <limits>
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

namespace detail {
// The value at 0-based position `at` of v[0 .. count) in ascending order, given `bins`, the
// histogram of v >> shift: finds the bin of position `at`, then selects among that bin's
// values only (into `chosen`, a scratch buffer).
inline std::uint32_t order_statistic(const std::uint32_t* v, std::size_t count, std::size_t at,
                                     unsigned shift, const std::vector<std::uint32_t>& bins,
                                     std::vector<std::uint32_t>& chosen) {
  std::size_t bin = 0, before = 0;
  while (before + bins[bin] <= at) before += bins[bin++];
  chosen.clear();
  for (std::size_t i = 0; i < count; ++i)
    if ((v[i] >> shift) == bin) chosen.push_back(v[i]);
  const auto nth = chosen.begin() + static_cast<std::ptrdiff_t>(at - before);
  std::nth_element(chosen.begin(), nth, chosen.end());
  return *nth;
}
} // namespace detail

/// \brief Collects the ranks of replicates into rank intervals: a building block for any
/// source of replicate scores. Call `add` with each replicate's scores (higher is better),
/// then `result`. Ranks within a replicate are competition ranks (ties share the best rank).
/// Every replicate's ranks are kept (4 bytes per rep and replicate), so the intervals are the
/// exact type-1 quantiles of the ranks, and shards merge exactly.
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
    if (point.size() > std::numeric_limits<std::uint32_t>::max())
      SALESOPS_THROW(out_of_range_value, fn, "point", no_row, "has ", point.size(),
                     " reps; ranks are stored as 32-bit integers");
  }

  /// \brief Reserves room for `replicates` more replicates, so `add` does not reallocate.
  void reserve(std::size_t replicates) { ranks_.reserve(ranks_.size() + replicates * point_.size()); }

  /// \brief Adds one replicate's scores, one per rep.
  /// \throws salesops::length_mismatch; salesops::not_finite naming the rep of a NaN score.
  void add(span<const double> scores) {
    constexpr const char* fn = "rank_collector::add";
    check_equal_lengths(fn, "point", point_.size(), "scores", scores.size());
    check_finite(fn, "scores", scores);
    const std::size_t base = ranks_.size();
    ranks_.resize(base + scores.size()); // replicate-major: ranks_[replicate * reps + rep]
    ranker_(scores, ranks_.data() + base);
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
    const std::size_t n = point_.size(), reps_b = replicates_;
    const auto point_rank = competition_ranks(point_);
    r.reps.resize(n);
    for (std::size_t i = 0; i < n; ++i) r.reps[i].rank = point_rank[i];
    if (reps_b == 0) return r;
    // Type-1 quantile (inverse empirical CDF): the smallest rank with F(rank) >= p, i.e. the
    // order statistic at 0-based position max(1, ceil(p B)) - 1.
    const double b = static_cast<double>(reps_b);
    const auto position = [&](double p) {
      const double pos = std::ceil(p * b - 1e-9);
      return std::min(static_cast<std::size_t>(std::max(1.0, pos)) - 1, reps_b - 1);
    };
    const std::size_t at_lower = position((1 - level_) / 2), at_upper = position((1 + level_) / 2);
    // Transpose a block of reps at a time (each replicate contributes one contiguous run), so
    // the replicate-major store is read sequentially rather than with a stride of n.
    constexpr std::size_t block = 64;
    std::vector<std::uint32_t> own(std::min(block, n) * reps_b);
    unsigned shift = 0; // ranks are <= n: n >> shift < 256
    while ((n >> shift) >= 256) ++shift;
    std::vector<std::uint32_t> bins((n >> shift) + 1), chosen;
    for (std::size_t first = 0; first < n; first += block) {
      const std::size_t width = std::min(block, n - first);
      for (std::size_t rep_b = 0; rep_b < reps_b; ++rep_b) {
        const std::uint32_t* row = ranks_.data() + rep_b * n + first;
        for (std::size_t t = 0; t < width; ++t) own[t * reps_b + rep_b] = row[t];
      }
      for (std::size_t t = 0; t < width; ++t) {
        auto& ri = r.reps[first + t];
        const std::uint32_t* v = own.data() + t * reps_b;
        // One pass: the sum, the top-k count and a histogram of rank / 2^shift (at most 256
        // bins, ranks run 1 .. n); the two order statistics are then selected among the ranks
        // of the bins that hold them only — a fraction of the replicates, unlike a selection
        // over all of them.
        std::fill(bins.begin(), bins.end(), 0u);
        std::uint64_t sum = 0, top = 0;
        for (std::size_t b2 = 0; b2 < reps_b; ++b2) {
          sum += v[b2];
          top += v[b2] <= top_k_ ? 1u : 0u;
          ++bins[v[b2] >> shift];
        }
        ri.mean_rank = static_cast<double>(sum) / b;
        ri.prob_top_k = static_cast<double>(top) / b;
        ri.lower = detail::order_statistic(v, reps_b, at_lower, shift, bins, chosen);
        ri.upper = detail::order_statistic(v, reps_b, at_upper, shift, bins, chosen);
      }
    }
    return r;
  }

private:
  std::vector<double> point_;
  std::size_t top_k_;
  double level_;
  std::size_t replicates_ = 0;
  std::vector<std::uint32_t> ranks_;
  detail::competition_ranker ranker_;
};

namespace detail {
// The mean of rows pick[0 .. m) of the row-major table `rows` (k columns) into out[0 .. k),
// summed in pick order.
inline void mean_of_rows(const double* rows, std::size_t k, const std::size_t* pick,
                         std::size_t m, double* out) {
  column_sums(k, m, [&](std::size_t t) { return rows + pick[t] * k; }, nullptr, m, out);
}

// pick[t] = gen.uniform_int(m_i) for the rows t of each rep i in turn (m_i = start[i + 1] -
// start[i]). The engine works on a local copy, which the compiler keeps in registers: inside
// bootstrap_rank_intervals it kept the state on the stack, a store and a load in the chain of
// every draw (perf showed the draws taking twice the time); kept out of line, or the compiler inlines
// it back into that frame.
[[gnu::noinline]] inline void draw_picks(rng& gen, const std::vector<std::size_t>& start, std::size_t* pick) {
  rng local = gen;
  for (std::size_t i = 0; i + 1 < start.size(); ++i) {
    const std::size_t m = start[i + 1] - start[i];
    for (std::size_t t = start[i]; t < start[i + 1]; ++t)
      pick[t] = static_cast<std::size_t>(local.uniform_int(m));
  }
  gen = local;
}

// A win_rate_shrinkage may be built or edited by hand, bypassing posterior_win_rates' checks:
// wins > trials made trials - wins wrap around to ~1.8e19, and every draw of that rep ~0.
inline void check_shrinkage_counts(const char* fn, const win_rate_shrinkage& shrinkage) {
  for (std::size_t i = 0; i < shrinkage.reps.size(); ++i)
    if (shrinkage.reps[i].wins > shrinkage.reps[i].trials)
      SALESOPS_THROW(out_of_range_value, fn, "wins", i, "is ", shrinkage.reps[i].wins,
                     ", more than trials (", shrinkage.reps[i].trials, ")");
}

// A draw of a rep's win rate from its posterior Beta(alpha + wins, beta + trials - wins)
// (counts checked by check_shrinkage_counts).
inline double posterior_draw(rng& gen, const beta_prior& prior, const rep_win_rate& rep) {
  return gen.beta(prior.alpha + static_cast<double>(rep.wins),
                  prior.beta + static_cast<double>(rep.trials - rep.wins));
}
} // namespace detail

/// \brief Rank intervals of win rates by posterior sampling: each replicate draws
/// p_i ~ Beta(alpha + wins_i, beta + losses_i) for every rep and ranks the draws; the point
/// ranks are those of the posterior means.
/// \throws salesops::out_of_range_value for zero replicates or a rep (row of shrinkage.reps)
///         with wins > trials, and as rank_collector.
inline rank_uncertainty posterior_rank_intervals(const win_rate_shrinkage& shrinkage,
                                                 const rank_options& options = {}) {
  constexpr const char* fn = "posterior_rank_intervals";
  if (options.replicates < 1)
    SALESOPS_THROW(out_of_range_value, fn, "replicates", no_row, "is 0");
  detail::check_shrinkage_counts(fn, shrinkage);
  const std::size_t n = shrinkage.reps.size();
  std::vector<double> point(n), draw(n);
  for (std::size_t i = 0; i < n; ++i) point[i] = shrinkage.reps[i].shrunk;
  rank_collector ranks(point, options.top_k, options.level);
  ranks.reserve(options.replicates);
  rng gen(options.seed);
  for (std::size_t r = 0; r < options.replicates; ++r) {
    for (std::size_t i = 0; i < n; ++i)
      draw[i] = detail::posterior_draw(gen, shrinkage.prior, shrinkage.reps[i]);
    ranks.add(draw);
  }
  return ranks.result();
}

/// \brief Rank intervals of composite scores by the bootstrap: every rep has several
/// observation rows (periods, say) of the KPI table; each replicate resamples each rep's own
/// rows with replacement, averages them into the rep's KPI vector, re-normalises across reps
/// (composite_scores, so the peer population moves too) and ranks. The point scores use the
/// rep means of all rows.
///
/// Replicate b draws, for rep 0, 1, ... in turn, m_i row indices with rng::uniform_int(m_i)
/// (m_i = the rep's row count, rows in input order), so the result is a function of the seed.
/// A rep with one row contributes the same row to every replicate: with one row per rep the
/// intervals collapse onto the point ranks (see posterior_score_rank_intervals instead).
/// \param observations rows of KPI values, one column per spec
/// \param rep_of_row rep index (0 .. reps-1) of each observation row; every rep needs a row
/// \param specs KPI names, weights and directions
/// \param method normalisation of the KPIs
/// \param options replicates, k, level and seed
/// \param peer_group optional peer group per rep (not per row)
/// \throws salesops::length_mismatch; salesops::out_of_range_value naming the row of a rep
///         index that is too large, or naming a rep with no rows; salesops::not_finite naming
///         the row and KPI of a NaN observation; as composite_scores.
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
  // Every rep up to the largest index needs a row, so the largest cannot reach the row count
  // (this also keeps it + 1 from wrapping around and the tables below from being sized by it).
  const auto largest = std::max_element(rep_of_row.begin(), rep_of_row.end());
  if (*largest >= rows)
    SALESOPS_THROW(out_of_range_value, fn, "rep_of_row",
                   static_cast<std::size_t>(largest - rep_of_row.begin()), "is ", *largest,
                   ", not below the number of observation rows (", rows,
                   "): every rep index up to the largest needs at least one observation");
  const std::size_t reps = *largest + 1;
  if (!peer_group.empty()) check_equal_lengths(fn, "reps", reps, "peer_group", peer_group.size());
  const auto w = normalized_weights(specs);
  const std::vector<double> obs = detail::checked_rows(fn, observations, specs, "observations",
                                                       "observations columns");
  // Rows of each rep, contiguous (stable counting sort by rep), copied row-major so a
  // resampled row is one contiguous read next to the rep's other rows.
  std::vector<std::size_t> start(reps + 1, 0);
  for (std::size_t r = 0; r < rows; ++r) ++start[rep_of_row[r] + 1];
  for (std::size_t i = 0; i < reps; ++i) {
    if (start[i + 1] == 0)
      SALESOPS_THROW(out_of_range_value, fn, "rep_of_row", no_row, "has no row for rep ", i,
                     ": every rep index up to the largest needs at least one observation");
    start[i + 1] += start[i];
  }
  const std::size_t k = specs.size();
  std::vector<double> grouped(rows * k);
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t r = 0; r < rows; ++r)
      std::copy_n(obs.begin() + static_cast<std::ptrdiff_t>(r * k), k,
                  grouped.begin() + static_cast<std::ptrdiff_t>(fill[rep_of_row[r]]++ * k));
  }
  // Replicates are drawn `block` at a time and their row means computed in one pass over the
  // table, each rep's rows read once for all of them: the table (reps x rows x k doubles, 3.8
  // MB in the benchmark) is then streamed from memory once per block instead of once per
  // replicate. The draws keep their order (replicate by replicate), so the results do not
  // depend on the block.
  constexpr std::size_t block = 2;
  // picks[r * rows + start[i] + t] is the t-th row (within rep i's rows) that replicate r of
  // the block averages into means[r * reps * k + i * k ...]; the point scores average every
  // row once.
  std::vector<std::size_t> picks(block * rows);
  std::vector<double> means(block * reps * k), scores(reps);
  const auto average_picks = [&](std::size_t count) {
    for (std::size_t i = 0; i < reps; ++i) {
#if defined(__GNUC__)
      // The rows of rep i + 8 are read soon: fetch them now.
      if (i + 8 < reps) {
        const char* ahead = reinterpret_cast<const char*>(grouped.data() + start[i + 8] * k);
        const char* end = reinterpret_cast<const char*>(grouped.data() + start[i + 9] * k);
        for (; ahead < end; ahead += 64) __builtin_prefetch(ahead);
      }
#endif
      for (std::size_t r = 0; r < count; ++r)
        detail::mean_of_rows(grouped.data() + start[i] * k, k, picks.data() + r * rows + start[i],
                             start[i + 1] - start[i], means.data() + (r * reps + i) * k);
    }
  };
  for (std::size_t i = 0; i < reps; ++i)
    for (std::size_t t = start[i]; t < start[i + 1]; ++t) picks[t] = t - start[i];
  average_picks(1);
  detail::normalizer norm(fn, reps, specs, method, peer_group);
  norm.scores(means.data(), w, scores.data());
  rank_collector ranks(scores, options.top_k, options.level);
  ranks.reserve(options.replicates);
  rng gen(options.seed);
  // A replicate draws all its row indices first, then sums: the loads of the summing pass
  // then do not wait on the random-number chain, and the processor runs ahead through the
  // table.
  for (std::size_t b = 0; b < options.replicates; b += block) {
    const std::size_t count = std::min(block, options.replicates - b);
    for (std::size_t r = 0; r < count; ++r) detail::draw_picks(gen, start, picks.data() + r * rows);
    average_picks(count);
    for (std::size_t r = 0; r < count; ++r) {
      norm.scores(means.data() + r * reps * k, w, scores.data());
      ranks.add(scores);
    }
  }
  return ranks.result();
}

/// \brief Rank intervals of composite scores when one KPI is a win rate and the table has
/// one row per rep: each replicate replaces the win-rate column by posterior draws
/// p_i ~ Beta(alpha + wins_i, beta + trials_i - wins_i) (the empirical-Bayes shrinkage of
/// shrinkage.hpp), re-normalises and re-scores, and ranks. The other KPIs are held at their
/// values, so the intervals show the uncertainty of the win rates only. The point scores use
/// the posterior means (the shrunk rates); the values in column `rate_column` of `kpis` are
/// ignored. With a single KPI this gives the ranks of posterior_rank_intervals.
/// \param kpis one row per rep, one column per spec
/// \param specs KPI names, weights and directions
/// \param rate_column the column holding the win rate
/// \param shrinkage the fitted prior and each rep's counts, in the rows' order
/// \param method normalisation of the KPIs
/// \param options replicates, k, level and seed
/// \param peer_group optional peer group per rep
/// \throws salesops::out_of_range_value for rate_column outside the columns, zero replicates
///         or a rep (row of shrinkage.reps) with wins > trials; salesops::length_mismatch when
///         shrinkage has another number of reps;
///         salesops::not_finite naming the row and KPI of a NaN value; as composite_scores.
inline rank_uncertainty posterior_score_rank_intervals(const Eigen::Ref<const Eigen::MatrixXd>& kpis,
                                                       const std::vector<kpi_spec>& specs,
                                                       std::size_t rate_column,
                                                       const win_rate_shrinkage& shrinkage,
                                                       normalization method,
                                                       const rank_options& options = {},
                                                       span<const std::string> peer_group = {}) {
  constexpr const char* fn = "posterior_score_rank_intervals";
  const auto reps = static_cast<std::size_t>(kpis.rows());
  if (rate_column >= static_cast<std::size_t>(kpis.cols()))
    SALESOPS_THROW(out_of_range_value, fn, "rate_column", no_row, "is ", rate_column,
                   ", but kpis has ", kpis.cols(), " columns");
  check_equal_lengths(fn, "kpis", reps, "shrinkage.reps", shrinkage.reps.size());
  if (options.replicates < 1)
    SALESOPS_THROW(out_of_range_value, fn, "replicates", no_row, "is 0");
  detail::check_shrinkage_counts(fn, shrinkage);
  const auto w = normalized_weights(specs);
  Eigen::MatrixXd point_kpis = kpis;
  for (std::size_t i = 0; i < reps; ++i)
    point_kpis(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(rate_column)) = shrinkage.reps[i].shrunk;
  std::vector<double> x = detail::checked_rows(fn, point_kpis, specs);
  const std::size_t k = specs.size();
  std::vector<double> scores(reps);
  detail::normalizer norm(fn, reps, specs, method, peer_group);
  norm.scores(x.data(), w, scores.data());
  rank_collector ranks(scores, options.top_k, options.level);
  ranks.reserve(options.replicates);
  rng gen(options.seed);
  for (std::size_t r = 0; r < options.replicates; ++r) {
    for (std::size_t i = 0; i < reps; ++i)
      x[i * k + rate_column] = detail::posterior_draw(gen, shrinkage.prior, shrinkage.reps[i]);
    norm.scores(x.data(), w, scores.data());
    ranks.add(scores);
  }
  return ranks.result();
}

} // namespace salesops::scoring

#endif // SALESOPS_SCORING_RANK_UNCERTAINTY_HPP
