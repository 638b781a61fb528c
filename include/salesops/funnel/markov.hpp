// Absorbing Markov model of a sales pipeline: stages 0 .. K-1 are transient states, won and
// lost are absorbing. Transition probabilities are the observed transition counts divided by
// the exits of each stage (maximum likelihood); from the transient block Q and the absorbing
// block R the fundamental matrix N = (I - Q)^-1 gives, from each stage, the probability of
// ending won (column "won" of B = N R), the expected number of moves until the deal closes
// (N 1) and the expected days to close (N h, h the mean days per visit of each stage).
// Reference: Kemeny and Snell, "Finite Markov Chains" (1960), ch. III; Grinstead and Snell,
// "Introduction to Probability" (1997), section 11.2. Uncertainty: each stage's row of
// transition probabilities is drawn from its Dirichlet posterior (counts + prior), the summaries
// are recomputed per draw, and equal-tailed percentile intervals are reported.
//
// Compile time: the functions that solve with Eigen's FullPivLU are function templates with
// one unused, defaulted parameter, so only translation units calling them instantiate it.
#ifndef SALESOPS_FUNNEL_MARKOV_HPP
#define SALESOPS_FUNNEL_MARKOV_HPP

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <vector>

#include <Eigen/Dense>

#include "salesops/core/error.hpp"
#include "salesops/core/rng.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/funnel/stage_history.hpp"
#include "salesops/stats/proportion.hpp"
#include "salesops/stats/quantile.hpp"

namespace salesops {
namespace funnel {

/// \brief From-stage summaries of an absorbing chain (one entry per transient stage).
struct absorbing_summary {
  Eigen::VectorXd win_probability; ///< P(absorbed in won | start in stage i), column of B = N R
  Eigen::VectorXd expected_moves;  ///< expected transitions until absorption, N 1
  Eigen::VectorXd expected_days;   ///< expected days until absorption, N h
};

/// \brief Prints the three vectors, for debugging.
inline std::ostream& operator<<(std::ostream& out, const absorbing_summary& s) {
  const Eigen::IOFormat row(Eigen::StreamPrecision, Eigen::DontAlignCols, ", ", ", ", "", "",
                            "[", "]");
  return out << "absorbing_summary{win_probability=" << s.win_probability.transpose().format(row)
             << ", expected_moves=" << s.expected_moves.transpose().format(row)
             << ", expected_days=" << s.expected_days.transpose().format(row) << "}";
}

/// \brief Summaries of an absorbing chain from its transition matrix.
///
/// \param transition K x (K + 2) row-stochastic matrix: columns 0 .. K-1 are the transient
///        stages (block Q), column K is won and column K+1 lost (block R)
/// \param days_per_visit K mean days spent per visit of each stage (h)
/// \returns win probability N R[:, won], expected moves N 1 and expected days N h, with
///          N = (I - Q)^-1 (solved by full-pivoting LU, never inverted explicitly)
/// \throws salesops::length_mismatch for inconsistent shapes; salesops::out_of_range_value
///         for an entry outside [0, 1] or a row not summing to 1 (naming the row);
///         salesops::numerical_error when I - Q is singular (a set of stages from which the
///         deal never closes).
template <class = void>
absorbing_summary absorbing_chain_summary(const Eigen::MatrixXd& transition,
                                          const Eigen::VectorXd& days_per_visit);

/// \brief Maximum-likelihood fit of the pipeline chain.
struct markov_fit {
  std::uint32_t stage_count = 0;  ///< K
  Eigen::MatrixXd counts;         ///< K x (K+2) observed transitions (stage, won, lost)
  Eigen::MatrixXd transition;     ///< K x (K+2) counts divided by each row's exits
  Eigen::VectorXd days_per_visit; ///< K mean days of the completed visits of each stage
  Eigen::VectorXd completed_visits; ///< K number of visits with an observed end
};

/// \brief Prints the fitted matrix, for debugging.
inline std::ostream& operator<<(std::ostream& out, const markov_fit& f) {
  const Eigen::IOFormat fmt(Eigen::StreamPrecision, Eigen::DontAlignCols, ", ", "; ", "", "",
                            "[", "]");
  return out << "markov_fit{stage_count=" << f.stage_count
             << ", transition=" << f.transition.format(fmt)
             << ", days_per_visit=" << f.days_per_visit.transpose().format(fmt) << "}";
}

/// \brief Mergeable accumulator of stage transitions and holding times (update / merge /
/// result).
///
/// Visits are those of for_each_visit (a repeated record of the current stage is not a
/// move). Each visit that is followed by a
/// visit of another stage adds one transition stage -> stage (backward moves included); the
/// last visit of a won or lost deal adds one transition to won or lost; the last visit of an
/// open deal adds nothing (it is censored). A visit's duration runs from its first record to
/// the next visit's entry, or to `closed_at` for the last visit of a closed deal; open deals'
/// last visits have no duration (so days_per_visit is the mean of completed visits only).
class markov_accumulator {
public:
  /// \brief An empty accumulator for `stage_count` stages.
  /// \throws salesops::out_of_range_value when stage_count < 1.
  explicit markov_accumulator(std::uint32_t stage_count);

  /// \brief Adds one opportunity.
  /// \throws the exceptions of check_path (stage range, times, lengths).
  void update(const opportunity_path& path);

  /// \brief Adds the counts of another accumulator with the same stage count.
  /// \throws salesops::length_mismatch when the stage counts differ.
  void merge(const markov_accumulator& other);

  /// \brief Maximum-likelihood transition matrix and mean visit durations.
  /// \throws salesops::numerical_error naming a stage that has no observed exit (its row of
  ///         transition probabilities is not identified).
  markov_fit result() const;

  /// \brief Observed transition counts, K x (K + 2).
  const Eigen::MatrixXd& counts() const noexcept { return counts_; }

private:
  std::uint32_t stage_count_;
  Eigen::MatrixXd counts_;
  std::vector<neumaier_sum<double>> visit_days_;
  Eigen::VectorXd completed_visits_;
};

/// \brief Options of fit_markov.
struct markov_options {
  std::size_t draws = 2000;     ///< posterior draws for the intervals (0: no intervals)
  std::uint64_t seed = 1;       ///< seed of salesops::rng for the draws
  double level = 0.95;          ///< level of the equal-tailed percentile intervals
  double prior = 0.5;           ///< Dirichlet prior added to each count of a row (> 0)
};

/// \brief Model summaries starting from one stage.
struct markov_stage {
  std::uint32_t stage = 0;         ///< stage index
  double exits = 0;                ///< observed transitions out of the stage
  estimate_interval win_probability; ///< probability of ending won
  estimate_interval expected_moves;  ///< expected moves (transitions) until closed
  estimate_interval expected_days;   ///< expected days until closed
};

/// \brief Prints one stage's summaries.
inline std::ostream& operator<<(std::ostream& out, const markov_stage& s) {
  return out << "stage " << s.stage << ": exits=" << s.exits << ", P(won)=" << s.win_probability
             << ", moves=" << s.expected_moves << ", days=" << s.expected_days;
}

/// \brief Fitted pipeline model with posterior intervals.
struct markov_result {
  markov_fit fit;                   ///< maximum-likelihood fit
  std::vector<markov_stage> stages; ///< per-stage summaries with intervals
  markov_options options;           ///< options used (draws, seed, level, prior)
};

/// \brief Prints the per-stage summaries.
inline std::ostream& operator<<(std::ostream& out, const markov_result& r) {
  out << "markov_result{level=" << r.options.level << ", draws=" << r.options.draws << "\n";
  for (const auto& s : r.stages) out << "  " << s << "\n";
  return out << "}";
}

/// \brief Summaries with Dirichlet-posterior intervals from an accumulated fit.
///
/// Each draw samples every stage's row from Dirichlet(counts + prior) over its K + 2
/// destinations other than itself (a stage never moves to itself, so that entry stays 0),
/// keeps the mean visit durations fixed at their estimates (the intervals of expected days
/// reflect transition uncertainty only), and recomputes absorbing_chain_summary; draws whose
/// I - Q is singular cannot occur because every row has positive mass on won and lost.
/// \throws salesops::out_of_range_value for level outside (0, 1); salesops::negative_value
///         for prior <= 0; salesops::numerical_error as markov_accumulator::result.
template <class = void>
markov_result markov_summary(const markov_accumulator& acc, const markov_options& options = {});

/// \brief Fits the pipeline chain to columnar stage histories and summarises it.
/// \throws the exceptions of for_each_opportunity and markov_summary.
template <class = void>
markov_result fit_markov(const stage_histories& histories, const markov_options& options = {});

// ---------------------------------------------------------------------------------------

template <class>
absorbing_summary absorbing_chain_summary(const Eigen::MatrixXd& transition,
                                          const Eigen::VectorXd& days_per_visit) {
  const char* fn = "absorbing_chain_summary";
  const Eigen::Index k = transition.rows();
  check_non_empty(fn, "transition", static_cast<std::size_t>(k));
  check_equal_lengths(fn, "transition rows + 2", static_cast<std::size_t>(k + 2),
                      "transition columns", static_cast<std::size_t>(transition.cols()));
  check_equal_lengths(fn, "transition", static_cast<std::size_t>(k), "days_per_visit",
                      static_cast<std::size_t>(days_per_visit.size()));
  for (Eigen::Index i = 0; i < k; ++i) {
    const auto row = static_cast<std::size_t>(i);
    for (Eigen::Index j = 0; j < transition.cols(); ++j)
      check_probability(fn, "transition", transition(i, j), row);
    const double total = transition.row(i).sum();
    if (std::abs(total - 1.0) > 1e-9)
      SALESOPS_THROW(out_of_range_value, fn, "transition", row, "sums to ", total,
                     ", not 1");
    check_non_negative(fn, "days_per_visit", days_per_visit(i), row);
  }
  const Eigen::MatrixXd i_minus_q =
      Eigen::MatrixXd::Identity(k, k) - transition.leftCols(k);
  const Eigen::FullPivLU<Eigen::MatrixXd> lu(i_minus_q);
  if (!lu.isInvertible())
    SALESOPS_THROW(numerical_error, fn, "transition", no_row,
                   "has stages from which no deal ever closes (I - Q is singular)");
  absorbing_summary s;
  s.win_probability = lu.solve(transition.col(k));
  s.expected_moves = lu.solve(Eigen::VectorXd::Ones(k));
  s.expected_days = lu.solve(days_per_visit);
  return s;
}

inline markov_accumulator::markov_accumulator(std::uint32_t stage_count)
    : stage_count_(stage_count) {
  if (stage_count == 0)
    SALESOPS_THROW(out_of_range_value, "markov_accumulator", "stage_count", no_row, "is ",
                   stage_count, ", must be at least 1");
  const auto k = static_cast<Eigen::Index>(stage_count);
  counts_ = Eigen::MatrixXd::Zero(k, k + 2);
  visit_days_.resize(stage_count);
  completed_visits_ = Eigen::VectorXd::Zero(k);
}

inline void markov_accumulator::update(const opportunity_path& p) {
  check_path("markov_accumulator::update", p, stage_count_);
  const auto won = static_cast<Eigen::Index>(stage_count_);
  for_each_visit(p, [&](std::uint32_t stage, std::int64_t start, std::int64_t end,
                        bool completed, std::int64_t next) {
    if (!completed) return; // an open deal's last visit: censored, no exit, no duration
    const auto from = static_cast<Eigen::Index>(stage);
    const Eigen::Index to = next >= 0 ? static_cast<Eigen::Index>(next)
                                      : won + (p.result == outcome::won ? 0 : 1);
    counts_(from, to) += 1;
    visit_days_[stage].update(static_cast<double>(end - start) / seconds_per_day);
    completed_visits_(from) += 1;
  });
}

inline void markov_accumulator::merge(const markov_accumulator& other) {
  check_equal_lengths("markov_accumulator::merge", "stage_count",
                      static_cast<std::size_t>(stage_count_), "other.stage_count",
                      static_cast<std::size_t>(other.stage_count_));
  counts_ += other.counts_;
  completed_visits_ += other.completed_visits_;
  for (std::size_t i = 0; i < visit_days_.size(); ++i) visit_days_[i].merge(other.visit_days_[i]);
}

inline markov_fit markov_accumulator::result() const {
  markov_fit f;
  f.stage_count = stage_count_;
  f.counts = counts_;
  f.transition = counts_;
  f.completed_visits = completed_visits_;
  f.days_per_visit = Eigen::VectorXd::Zero(counts_.rows());
  for (Eigen::Index i = 0; i < counts_.rows(); ++i) {
    const double exits = counts_.row(i).sum();
    if (exits == 0)
      SALESOPS_THROW(numerical_error, "markov_accumulator::result", "stage",
                     static_cast<std::size_t>(i),
                     "has no observed exit: its transition probabilities are not identified");
    f.transition.row(i) /= exits;
    // exits == completed visits: every completed visit ends in exactly one transition.
    f.days_per_visit(i) = visit_days_[static_cast<std::size_t>(i)].result() / completed_visits_(i);
  }
  return f;
}

template <class>
markov_result markov_summary(const markov_accumulator& acc, const markov_options& options) {
  const char* fn = "markov_summary";
  stats::check_level(fn, "level", options.level);
  check_positive(fn, "prior", options.prior);
  markov_result r;
  r.options = options;
  r.fit = acc.result();
  const auto k = static_cast<Eigen::Index>(r.fit.stage_count);
  const absorbing_summary point = absorbing_chain_summary(r.fit.transition, r.fit.days_per_visit);

  const auto ks = static_cast<std::size_t>(k);
  std::vector<std::vector<double>> win(ks), moves(ks), days(ks);
  rng gen(options.seed);
  Eigen::MatrixXd sample = Eigen::MatrixXd::Zero(k, k + 2);
  std::vector<double> alpha(ks + 1), row(ks + 1);
  for (std::size_t d = 0; d < options.draws; ++d) {
    for (Eigen::Index i = 0; i < k; ++i) {
      // Destinations of stage i: every column except i itself.
      std::size_t m = 0;
      for (Eigen::Index j = 0; j < k + 2; ++j)
        if (j != i) alpha[m++] = r.fit.counts(i, j) + options.prior;
      gen.dirichlet(alpha, row);
      m = 0;
      for (Eigen::Index j = 0; j < k + 2; ++j) sample(i, j) = j == i ? 0.0 : row[m++];
    }
    const absorbing_summary s = absorbing_chain_summary(sample, r.fit.days_per_visit);
    for (std::size_t i = 0; i < ks; ++i) {
      const auto e = static_cast<Eigen::Index>(i);
      win[i].push_back(s.win_probability(e));
      moves[i].push_back(s.expected_moves(e));
      days[i].push_back(s.expected_days(e));
    }
  }
  const auto interval = [&](double estimate, const std::vector<double>& draws) {
    estimate_interval e{estimate, estimate, estimate};
    if (!draws.empty()) {
      const std::vector<double> probs{(1 - options.level) / 2, (1 + options.level) / 2};
      const auto q = stats::quantiles(draws, probs);
      e.lower = q[0];
      e.upper = q[1];
    }
    return e;
  };
  for (std::size_t i = 0; i < ks; ++i) {
    const auto e = static_cast<Eigen::Index>(i);
    markov_stage s;
    s.stage = static_cast<std::uint32_t>(i);
    s.exits = r.fit.counts.row(e).sum();
    s.win_probability = interval(point.win_probability(e), win[i]);
    s.expected_moves = interval(point.expected_moves(e), moves[i]);
    s.expected_days = interval(point.expected_days(e), days[i]);
    r.stages.push_back(s);
  }
  return r;
}

template <class>
markov_result fit_markov(const stage_histories& histories, const markov_options& options) {
  markov_accumulator acc(histories.stage_count);
  for_each_opportunity("fit_markov", histories,
                       [&](std::size_t, const opportunity_path& p) { acc.update(p); });
  return markov_summary(acc, options);
}

} // namespace funnel
} // namespace salesops

#endif // SALESOPS_FUNNEL_MARKOV_HPP
