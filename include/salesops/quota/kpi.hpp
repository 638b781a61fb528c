// Period KPIs as sales-operations teams review them monthly and quarterly: bookings, win rate
// by count and by value, average and median deal size, sales cycle length of won deals and
// stage conversion. Each KPI has exactly one definition, written next to its result member
// below; the cohort of a period is the set of deals CLOSED (won or lost) in [start, end), the
// convention of Salesforce's "Closed Won / Closed Lost this quarter" reports. Open deals never
// enter a period KPI. The scoring module reuses these definitions per rep.
//
// Outcomes are any enum with the members `won` and `lost` (e.g. salesops::outcome);
// every other value (open) is ignored.
#ifndef SALESOPS_QUOTA_KPI_HPP
#define SALESOPS_QUOTA_KPI_HPP

#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <vector>

#include "salesops/core/span.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/stats/quantile.hpp"

namespace salesops::quota {

/// \brief The KPIs of one period (or one rep in one period). A ratio whose denominator is 0
/// is a quiet NaN: it is undefined, not zero.
struct period_kpis {
  std::uint64_t won_count = 0;    ///< deals won in the period
  std::uint64_t lost_count = 0;   ///< deals lost in the period
  double bookings = 0;            ///< sum of the amounts of won deals (compensated sum)
  double lost_value = 0;          ///< sum of the amounts of lost deals
  double win_rate_count = 0;      ///< won_count / (won_count + lost_count)
  double win_rate_value = 0;      ///< bookings / (bookings + lost_value)
  double average_deal_size = 0;   ///< bookings / won_count (won deals only)
  double median_deal_size = 0;    ///< type-7 median of the won amounts
  double mean_cycle_days = 0;     ///< mean of (close date - created date) over won deals
  double median_cycle_days = 0;   ///< type-7 median of the same won-deal cycle lengths
};

/// \brief Prints every KPI, for debugging.
inline std::ostream& operator<<(std::ostream& out, const period_kpis& k) {
  return out << "period_kpis{won=" << k.won_count << ", lost=" << k.lost_count
             << ", bookings=" << k.bookings << ", lost_value=" << k.lost_value
             << ", win_rate_count=" << k.win_rate_count
             << ", win_rate_value=" << k.win_rate_value
             << ", average_deal_size=" << k.average_deal_size
             << ", median_deal_size=" << k.median_deal_size
             << ", mean_cycle_days=" << k.mean_cycle_days
             << ", median_cycle_days=" << k.median_cycle_days << "}";
}

/// \brief Mergeable accumulator of period_kpis (update / merge / result). It keeps the won
/// amounts and cycle lengths so the medians are exact after any merge.
class kpi_accumulator {
public:
  /// \brief Adds a won deal.
  /// \param amount deal amount, finite and >= 0
  /// \param cycle_days close date minus created date, in days, >= 0
  /// \throws salesops::not_finite, salesops::negative_value naming the argument.
  void add_won(double amount, double cycle_days) {
    check_non_negative("kpi_accumulator::add_won", "amount", amount);
    check_non_negative("kpi_accumulator::add_won", "cycle_days", cycle_days);
    ++won_count_;
    bookings_.update(amount);
    won_amounts_.push_back(amount);
    cycles_.push_back(cycle_days);
  }

  /// \brief Adds a lost deal.
  /// \throws salesops::not_finite, salesops::negative_value for a bad amount.
  void add_lost(double amount) {
    check_non_negative("kpi_accumulator::add_lost", "amount", amount);
    ++lost_count_;
    lost_value_.update(amount);
  }

  /// \brief Combines another shard's state (the KPIs of the union of both deal sets).
  void merge(const kpi_accumulator& other) {
    won_count_ += other.won_count_;
    lost_count_ += other.lost_count_;
    bookings_.merge(other.bookings_);
    lost_value_.merge(other.lost_value_);
    won_amounts_.insert(won_amounts_.end(), other.won_amounts_.begin(), other.won_amounts_.end());
    cycles_.insert(cycles_.end(), other.cycles_.begin(), other.cycles_.end());
  }

  /// \brief The KPIs of every deal seen.
  period_kpis result() const {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    period_kpis k;
    k.won_count = won_count_;
    k.lost_count = lost_count_;
    k.bookings = bookings_.result();
    k.lost_value = lost_value_.result();
    const std::uint64_t closed = won_count_ + lost_count_;
    k.win_rate_count =
        closed == 0 ? nan : static_cast<double>(won_count_) / static_cast<double>(closed);
    const double closed_value = k.bookings + k.lost_value;
    k.win_rate_value = closed_value > 0 ? k.bookings / closed_value : nan;
    if (won_count_ == 0) {
      k.average_deal_size = k.median_deal_size = k.mean_cycle_days = k.median_cycle_days = nan;
      return k;
    }
    k.average_deal_size = k.bookings / static_cast<double>(won_count_);
    k.median_deal_size = stats::median(won_amounts_);
    k.mean_cycle_days = compensated_sum(cycles_) / static_cast<double>(won_count_);
    k.median_cycle_days = stats::median(cycles_);
    return k;
  }

private:
  std::uint64_t won_count_ = 0;
  std::uint64_t lost_count_ = 0;
  neumaier_sum<double> bookings_;
  neumaier_sum<double> lost_value_;
  std::vector<double> won_amounts_;
  std::vector<double> cycles_;
};

/// \brief KPIs of the deals closed in the half-open period [period_start, period_end).
///
/// A deal belongs to the period when its outcome is won or lost and its close date lies in
/// the period; open deals and deals closed elsewhere are skipped.
/// \param amount deal amounts (>= 0)
/// \param outcome deal outcomes (an enum with members won and lost)
/// \param created created date of each deal, days since 1970-01-01
/// \param close_date close date of each deal, days since 1970-01-01
/// \param period_start first day of the period
/// \param period_end first day after the period
/// \throws salesops::length_mismatch, salesops::out_of_range_value when period_end <=
///         period_start, salesops::not_finite / salesops::negative_value naming the row of a
///         bad amount, salesops::out_of_range_value naming the row of a won deal closed
///         before it was created.
template <class Outcome>
period_kpis period_kpis_of(span<const double> amount, span<const Outcome> outcome,
                           span<const std::int32_t> created, span<const std::int32_t> close_date,
                           std::int32_t period_start, std::int32_t period_end) {
  const char* fn = "period_kpis_of";
  check_equal_lengths(fn, "amount", amount.size(), "outcome", outcome.size());
  check_equal_lengths(fn, "amount", amount.size(), "created", created.size());
  check_equal_lengths(fn, "amount", amount.size(), "close_date", close_date.size());
  if (period_end <= period_start)
    SALESOPS_THROW(out_of_range_value, fn, "period_end", no_row, "is ", period_end,
                   ", not after period_start ", period_start);
  kpi_accumulator acc;
  for (std::size_t i = 0; i < amount.size(); ++i) {
    check_non_negative(fn, "amount", amount[i], i);
    const bool won = outcome[i] == Outcome::won;
    if (!won && outcome[i] != Outcome::lost) continue;
    if (close_date[i] < period_start || close_date[i] >= period_end) continue;
    if (won) {
      if (close_date[i] < created[i])
        SALESOPS_THROW(out_of_range_value, fn, "close_date", i, "is ", close_date[i],
                       ", before the created date ", created[i]);
      acc.add_won(amount[i], static_cast<double>(close_date[i] - created[i]));
    } else {
      acc.add_lost(amount[i]);
    }
  }
  return acc.result();
}

/// \brief Container overload of period_kpis_of (std::vector and other contiguous columns).
template <class Outcome>
period_kpis period_kpis_of(const std::vector<double>& amount, const std::vector<Outcome>& outcome,
                           const std::vector<std::int32_t>& created,
                           const std::vector<std::int32_t>& close_date, std::int32_t period_start,
                           std::int32_t period_end) {
  return period_kpis_of(span<const double>(amount), span<const Outcome>(outcome),
                        span<const std::int32_t>(created), span<const std::int32_t>(close_date),
                        period_start, period_end);
}

/// \brief One step of the stage funnel of closed deals: from stage `from` to the next stage
/// (or to won, for the last stage).
struct stage_step {
  int from = 0;                ///< stage index the step starts from
  std::uint64_t reached = 0;   ///< closed deals that reached stage `from` (the denominator)
  std::uint64_t advanced = 0;  ///< of those, deals that reached stage from + 1 (or won)
  double rate = 0;             ///< advanced / reached (NaN when reached == 0)
};

/// \brief Prints the step, for debugging.
inline std::ostream& operator<<(std::ostream& out, const stage_step& s) {
  return out << "stage_step{from=" << s.from << ", reached=" << s.reached
             << ", advanced=" << s.advanced << ", rate=" << s.rate << "}";
}

/// \brief Mergeable state of stage conversion (update / merge / result): how many closed
/// deals reached each stage, with the definition of stage_conversion below.
class stage_conversion_accumulator {
public:
  /// \brief An empty accumulator for `stage_count` stages.
  /// \throws salesops::out_of_range_value when stage_count < 1.
  explicit stage_conversion_accumulator(int stage_count) {
    if (stage_count < 1)
      SALESOPS_THROW(out_of_range_value, "stage_conversion_accumulator", "stage_count", no_row,
                     "is ", stage_count, ", must be >= 1");
    // reached_[s] for s = 0 .. stage_count, where index stage_count stands for "won".
    reached_.assign(static_cast<std::size_t>(stage_count) + 1, 0);
  }

  /// \brief Adds a closed deal: won, or lost after entering stage `highest_stage` at most.
  /// \throws salesops::out_of_range_value for a stage outside 0 .. stage_count-1.
  void update(int highest_stage, bool won) {
    check_in_range("stage_conversion_accumulator::update", "highest_stage", highest_stage, 0,
                   stage_count() - 1);
    add(highest_stage, won);
  }

  /// \brief Adds another shard's counts.
  /// \throws salesops::length_mismatch when the stage counts differ.
  void merge(const stage_conversion_accumulator& other) {
    check_equal_lengths("stage_conversion_accumulator::merge", "stages", reached_.size(),
                        "other stages", other.reached_.size());
    for (std::size_t s = 0; s < reached_.size(); ++s) reached_[s] += other.reached_[s];
  }

  /// \brief One step per stage 0 .. stage_count-1.
  std::vector<stage_step> result() const {
    const std::size_t stages = reached_.size() - 1;
    std::vector<stage_step> steps(stages);
    for (std::size_t s = 0; s < stages; ++s) {
      steps[s].from = static_cast<int>(s);
      steps[s].reached = reached_[s];
      steps[s].advanced = reached_[s + 1];
      steps[s].rate = reached_[s] == 0 ? std::numeric_limits<double>::quiet_NaN()
                                       : static_cast<double>(reached_[s + 1]) /
                                             static_cast<double>(reached_[s]);
    }
    return steps;
  }

  /// \brief Number of stages.
  int stage_count() const noexcept { return static_cast<int>(reached_.size()) - 1; }

private:
  // A won deal passed every stage (even skipped ones); a lost one every stage up to its highest.
  void add(int highest_stage, bool won) {
    const std::size_t top = won ? reached_.size() - 1 : static_cast<std::size_t>(highest_stage);
    for (std::size_t s = 0; s <= top; ++s) ++reached_[s];
  }
  std::vector<std::uint64_t> reached_;
};

/// \brief Stage conversion of closed deals: one step per stage 0 .. stage_count-1.
///
/// Definition: a closed deal REACHED stage s when it is won (a won deal has passed every
/// stage, even the ones it skipped) or its highest stage entered is >= s. Step s has
/// denominator reached(s) and numerator reached(s + 1); for the last stage the numerator is
/// the number of won deals. Open deals are skipped (they have not finished the funnel).
/// \param highest_stage highest stage index each deal entered (0 .. stage_count-1)
/// \param outcome deal outcomes (an enum with members won and lost)
/// \param stage_count number of stages (>= 1)
/// \throws salesops::length_mismatch, salesops::out_of_range_value naming the row of a stage
///         outside 0 .. stage_count-1 (or stage_count < 1).
template <class Outcome>
std::vector<stage_step> stage_conversion(span<const int> highest_stage,
                                         span<const Outcome> outcome, int stage_count) {
  const char* fn = "stage_conversion";
  check_equal_lengths(fn, "highest_stage", highest_stage.size(), "outcome", outcome.size());
  stage_conversion_accumulator acc(stage_count);
  for (std::size_t i = 0; i < highest_stage.size(); ++i) {
    check_in_range(fn, "highest_stage", highest_stage[i], 0, stage_count - 1, i);
    const bool won = outcome[i] == Outcome::won;
    if (!won && outcome[i] != Outcome::lost) continue;
    acc.update(highest_stage[i], won);
  }
  return acc.result();
}

} // namespace salesops::quota

#endif // SALESOPS_QUOTA_KPI_HPP
