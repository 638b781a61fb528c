// Quota attainment: closed-won credit against quota per rep and rolled up an org hierarchy
// that changes over time, following Salesforce Collaborative Forecasts' roll-up rules.
//
// Definitions (one each):
//  * credit of a rep = sum over deals WON with close date in [period.start, period.end) of
//    amount x the rep's split share (100 % to the owner when the deal has no split rows);
//  * attainment = credit / quota; weighted attainment over quota types t (e.g. new business
//    and renewals) = sum_t w_t credit_t / quota_t with sum_t w_t = 1;
//  * a unit's (team, region, company) credit is the credit of its reps, each deal credited to
//    the unit its credited rep belonged to ON THE CLOSE DATE (team_rule::at_close, default)
//    or on the as-of date (team_rule::at_as_of); a unit's quota is the sum of the quotas of
//    the reps that belong to it on the as-of date (team_quota_rule::at_as_of) or, prorated by
//    time in the unit, sum over reps of quota x days in the unit / days in the period
//    (team_quota_rule::prorated, the pairing of at_close credit); unit attainment = credit /
//    quota (never an average of rep attainments);
//  * forecast-category roll-ups add the amounts of OPEN deals expected to close in the period:
//    closed, closed + commit, closed + commit + best case, closed + ... + pipeline
//    (cumulative), and each category on its own.
// Mergeable states (update / merge / result): credit_ledger, category_ledger and
// attainment_distribution_accumulator.
// Outcomes are any enum with members won, lost and open; forecast categories any enum with
// members pipeline, best_case and commit (e.g. salesops::simulate's).
#ifndef SALESOPS_QUOTA_ATTAINMENT_HPP
#define SALESOPS_QUOTA_ATTAINMENT_HPP

#include <algorithm>
#include <cmath>
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

/// \brief Parent of a root unit in org_hierarchy.
inline constexpr std::int64_t no_parent = -1;

/// \brief A stay of a rep in a unit: the unit and the number of days spent in it.
struct unit_days {
  std::uint32_t unit = 0; ///< unit id
  std::int32_t days = 0;  ///< days spent in the unit
};

/// \brief Prints the stay, for debugging.
inline std::ostream& operator<<(std::ostream& out, const unit_days& s) {
  return out << "unit_days{unit=" << s.unit << ", days=" << s.days << "}";
}

/// \brief An org hierarchy over time: units (teams, regions, the company) in a forest, and
/// reps that sit in a leaf unit and move between units on given dates.
class org_hierarchy {
public:
  /// \brief Builds and validates the hierarchy.
  /// \param unit_parent parent unit of each unit, or no_parent for a root
  /// \param rep_unit the unit of each rep before any move
  /// \param move_rep rep of each team move
  /// \param move_date date each move takes effect (the rep is in the new unit from that day)
  /// \param move_unit the rep's unit from move_date on
  /// \throws salesops::out_of_range_value for a dangling unit id (naming the argument and
  ///         row) or a cycle in unit_parent (naming the row where it is found),
  ///         salesops::length_mismatch.
  org_hierarchy(span<const std::int64_t> unit_parent, span<const std::uint32_t> rep_unit,
                span<const std::uint32_t> move_rep = {}, span<const std::int32_t> move_date = {},
                span<const std::uint32_t> move_unit = {})
      : parent_(unit_parent.begin(), unit_parent.end()),
        rep_unit_(rep_unit.begin(), rep_unit.end()), moves_(rep_unit.size()) {
    const char* fn = "org_hierarchy";
    const auto units = static_cast<std::int64_t>(parent_.size());
    for (std::size_t u = 0; u < parent_.size(); ++u)
      if (parent_[u] != no_parent && (parent_[u] < 0 || parent_[u] >= units))
        SALESOPS_THROW(out_of_range_value, fn, "unit_parent", u, "is ", parent_[u],
                       ", not a unit id (0..", units - 1, ") or no_parent");
    // A walk up from any unit reaches a root in fewer than `units` steps unless it cycles.
    for (std::size_t u = 0; u < parent_.size(); ++u) {
      std::int64_t v = static_cast<std::int64_t>(u);
      for (std::int64_t steps = 0; v != no_parent; ++steps) {
        if (steps > units)
          SALESOPS_THROW(out_of_range_value, fn, "unit_parent", u, "is on a cycle");
        v = parent_[static_cast<std::size_t>(v)];
      }
    }
    for (std::size_t r = 0; r < rep_unit_.size(); ++r) check_unit(fn, "rep_unit", rep_unit_[r], r);
    check_equal_lengths(fn, "move_rep", move_rep.size(), "move_date", move_date.size());
    check_equal_lengths(fn, "move_rep", move_rep.size(), "move_unit", move_unit.size());
    for (std::size_t m = 0; m < move_rep.size(); ++m) {
      if (move_rep[m] >= rep_unit_.size())
        SALESOPS_THROW(out_of_range_value, fn, "move_rep", m, "is ", move_rep[m], ", not a rep id");
      check_unit(fn, "move_unit", move_unit[m], m);
      moves_[move_rep[m]].push_back({move_date[m], move_unit[m]});
    }
    for (auto& list : moves_)
      std::stable_sort(list.begin(), list.end(),
                       [](const move& a, const move& b) { return a.date < b.date; });
  }

  /// \brief Number of units.
  std::size_t unit_count() const noexcept { return parent_.size(); }
  /// \brief Number of reps.
  std::size_t rep_count() const noexcept { return rep_unit_.size(); }
  /// \brief Parent of unit u (no_parent for a root).
  std::int64_t parent(std::uint32_t u) const { return parent_.at(u); }

  /// \brief The unit rep r belongs to on day d (the last move effective on or before d).
  std::uint32_t unit_of(std::uint32_t r, std::int32_t d) const {
    std::uint32_t u = rep_unit_.at(r);
    for (const move& m : moves_[r]) {
      if (m.date > d) break;
      u = m.unit;
    }
    return u;
  }

  /// \brief Days rep r spends in unit u during [start, end), for every unit u the rep sits
  /// in during that span (in time order; a unit the rep returns to appears once per stay).
  /// \throws salesops::out_of_range_value when end <= start or r is not a rep id.
  std::vector<unit_days> stays(std::uint32_t r, std::int32_t start, std::int32_t end) const {
    const char* fn = "org_hierarchy::stays";
    if (end <= start)
      SALESOPS_THROW(out_of_range_value, fn, "end", no_row, "is ", end, ", not after start ", start);
    if (r >= rep_unit_.size())
      SALESOPS_THROW(out_of_range_value, fn, "r", no_row, "is ", r, ", not a rep id");
    std::vector<unit_days> out;
    std::int32_t from = start;
    std::uint32_t u = unit_of(r, start);
    for (const move& m : moves_[r]) {
      if (m.date <= start) continue;
      if (m.date >= end) break;
      if (m.unit == u) continue; // a move into the unit the rep is already in
      out.push_back({u, m.date - from});
      from = m.date;
      u = m.unit;
    }
    out.push_back({u, end - from});
    return out;
  }

private:
  struct move {
    std::int32_t date;
    std::uint32_t unit;
  };
  void check_unit(const char* fn, const char* arg, std::uint32_t u, std::size_t row) const {
    if (u >= parent_.size())
      SALESOPS_THROW(out_of_range_value, fn, arg, row, "is ", u, ", not a unit id (0..",
                     parent_.size(), ")");
  }
  std::vector<std::int64_t> parent_;
  std::vector<std::uint32_t> rep_unit_;
  std::vector<std::vector<move>> moves_;
};

/// \brief Which unit receives a deal's credit when its rep changed unit during the period.
enum class team_rule {
  at_close, ///< the unit of the credited rep on the close date (default)
  at_as_of  ///< the unit of the credited rep on the as-of date
};

/// \brief Split credit: deal `deal[i]` credits `percent[i]` % of its amount to `rep[i]`.
/// The percentages of one deal must sum to 100.
struct credit_splits {
  span<const std::size_t> deal;    ///< row index of the deal in the deal columns
  span<const std::uint32_t> rep;   ///< credited rep
  span<const double> percent;      ///< share in percent, in (0, 100]
};

/// \brief Mergeable credit ledger (update / merge / result): credit per rep and quota type,
/// and per unit (the leaf unit the credit was booked to) and quota type.
class credit_ledger {
public:
  /// \brief An empty ledger for `reps` reps, `units` units and `types` quota types.
  /// \throws salesops::out_of_range_value when types == 0 (every credit has a quota type).
  credit_ledger(std::size_t reps, std::size_t units, std::size_t types = 1)
      : reps_(reps), units_(units), types_(types), rep_(reps * types), unit_(units * types) {
    if (types == 0)
      SALESOPS_THROW(out_of_range_value, "credit_ledger", "types", no_row,
                     "is 0: a ledger needs at least one quota type");
  }

  /// \brief Books `credit` to rep r in leaf unit u for quota type t.
  /// \throws salesops::out_of_range_value for ids out of range or a credit that takes a total
  ///         past the largest double, salesops::not_finite / salesops::negative_value for a bad
  ///         credit.
  void update(std::uint32_t r, std::uint32_t u, std::uint32_t t, double credit) {
    const char* fn = "credit_ledger::update";
    check_non_negative(fn, "credit", credit);
    if (r >= reps_) SALESOPS_THROW(out_of_range_value, fn, "rep", no_row, "is ", r, ", not below ", reps_);
    if (u >= units_) SALESOPS_THROW(out_of_range_value, fn, "unit", no_row, "is ", u, ", not below ", units_);
    if (t >= types_) SALESOPS_THROW(out_of_range_value, fn, "quota_type", no_row, "is ", t, ", not below ", types_);
    neumaier_sum<double>& rep_total = rep_[r * types_ + t];
    neumaier_sum<double>& unit_total = unit_[u * types_ + t];
    // A total past the largest double would be inf, and inf - inf = NaN further on.
    if (!std::isfinite(rep_total.result() + credit))
      SALESOPS_THROW(out_of_range_value, fn, "credit", no_row, "is ", credit, ": it takes rep ", r,
                     "'s credit for quota type ", t, " past the largest double");
    if (!std::isfinite(unit_total.result() + credit))
      SALESOPS_THROW(out_of_range_value, fn, "credit", no_row, "is ", credit, ": it takes unit ", u,
                     "'s credit for quota type ", t, " past the largest double");
    rep_total.update(credit);
    unit_total.update(credit);
  }

  /// \brief Adds another shard's ledger (same reps, units and types).
  /// \throws salesops::length_mismatch when the shapes differ.
  void merge(const credit_ledger& other) {
    // Each dimension on its own: 1 rep x 2 types and 2 reps x 1 type have equal sizes.
    check_equal_lengths("credit_ledger::merge", "reps", reps_, "other reps", other.reps_);
    check_equal_lengths("credit_ledger::merge", "units", units_, "other units", other.units_);
    check_equal_lengths("credit_ledger::merge", "types", types_, "other types", other.types_);
    for (std::size_t i = 0; i < rep_.size(); ++i) rep_[i].merge(other.rep_[i]);
    for (std::size_t i = 0; i < unit_.size(); ++i) unit_[i].merge(other.unit_[i]);
  }

  /// \brief Credit of rep r for quota type t.
  /// \throws salesops::out_of_range_value naming r or t when it is not below reps() / types().
  double rep_credit(std::uint32_t r, std::uint32_t t = 0) const {
    return rep_[index("credit_ledger::rep_credit", "rep", r, reps_, t)].result();
  }
  /// \brief Credit booked directly to unit u (not including its child units) for type t.
  /// \throws salesops::out_of_range_value naming u or t when it is not below units() / types().
  double unit_credit(std::uint32_t u, std::uint32_t t = 0) const {
    return unit_[index("credit_ledger::unit_credit", "unit", u, units_, t)].result();
  }
  /// \brief Number of reps.
  std::size_t reps() const noexcept { return reps_; }
  /// \brief Number of units.
  std::size_t units() const noexcept { return units_; }
  /// \brief Number of quota types.
  std::size_t types() const noexcept { return types_; }

private:
  // Position of (id, t) in the flat [id * types + t] layout, where t >= types would read the
  // next id's credit, so both are checked.
  std::size_t index(const char* fn, const char* id_name, std::uint32_t id, std::size_t count,
                    std::uint32_t t) const {
    if (id >= count)
      SALESOPS_THROW(out_of_range_value, fn, id_name, no_row, "is ", id, ", not below ", count);
    if (t >= types_)
      SALESOPS_THROW(out_of_range_value, fn, "quota_type", no_row, "is ", t, ", not below ",
                     types_);
    return id * types_ + t;
  }
  std::size_t reps_, units_, types_;
  std::vector<neumaier_sum<double>> rep_;
  std::vector<neumaier_sum<double>> unit_;
};

/// \brief Books the won deals of a period into a ledger.
/// \param org the hierarchy (rep and unit ids)
/// \param owner owning rep of each deal at close
/// \param amount deal amounts (>= 0)
/// \param outcome deal outcomes (only won deals are credited)
/// \param close_date close dates (days since 1970-01-01)
/// \param quota_type quota type of each deal (empty: all type 0)
/// \param types number of quota types
/// \param period_start first day of the period
/// \param period_end first day after the period (> period_start)
/// \param as_of the as-of date (used by team_rule::at_as_of)
/// \param splits split-credit rows (empty: every deal credits its owner)
/// \param rule which unit gets the credit of a rep who moved
/// \throws salesops::length_mismatch, salesops::out_of_range_value (types == 0; period end not
///         after start; a rep, deal or type id out of range naming its row; a deal whose split
///         percentages do not sum to 100, naming the first split row of that deal; a percent
///         outside (0, 100]; a won amount that takes a rep's or unit's credit past the largest
///         double, naming its row), salesops::negative_value / salesops::not_finite naming the
///         row of a bad amount.
template <class Outcome>
credit_ledger credit_won_deals(const org_hierarchy& org, span<const std::uint32_t> owner,
                               span<const double> amount, span<const Outcome> outcome,
                               span<const std::int32_t> close_date,
                               span<const std::uint32_t> quota_type, std::size_t types,
                               std::int32_t period_start, std::int32_t period_end,
                               std::int32_t as_of, const credit_splits& splits = {},
                               team_rule rule = team_rule::at_close) {
  const char* fn = "credit_won_deals";
  const std::size_t n = owner.size();
  check_equal_lengths(fn, "owner", n, "amount", amount.size());
  check_equal_lengths(fn, "owner", n, "outcome", outcome.size());
  check_equal_lengths(fn, "owner", n, "close_date", close_date.size());
  if (!quota_type.empty()) check_equal_lengths(fn, "owner", n, "quota_type", quota_type.size());
  if (types == 0)
    SALESOPS_THROW(out_of_range_value, fn, "types", no_row,
                   "is 0: there must be at least one quota type");
  if (period_end <= period_start)
    SALESOPS_THROW(out_of_range_value, fn, "period_end", no_row, "is ", period_end,
                   ", not after period_start ", period_start);
  check_equal_lengths(fn, "splits.deal", splits.deal.size(), "splits.rep", splits.rep.size());
  check_equal_lengths(fn, "splits.deal", splits.deal.size(), "splits.percent", splits.percent.size());
  // Split rows per deal, validated: ids in range and percentages summing to 100.
  std::vector<std::vector<std::size_t>> split_rows(n);
  for (std::size_t s = 0; s < splits.deal.size(); ++s) {
    if (splits.deal[s] >= n)
      SALESOPS_THROW(out_of_range_value, fn, "splits.deal", s, "is ", splits.deal[s], ", not a deal row");
    if (splits.rep[s] >= org.rep_count())
      SALESOPS_THROW(out_of_range_value, fn, "splits.rep", s, "is ", splits.rep[s], ", not a rep id");
    check_finite(fn, "splits.percent", splits.percent[s], s);
    if (!(splits.percent[s] > 0 && splits.percent[s] <= 100))
      SALESOPS_THROW(out_of_range_value, fn, "splits.percent", s, "is ", splits.percent[s], ", outside (0, 100]");
    split_rows[splits.deal[s]].push_back(s);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (split_rows[i].empty()) continue;
    double total = 0;
    for (auto s : split_rows[i]) total += splits.percent[s];
    if (std::fabs(total - 100.0) > 1e-9 * 100.0)
      SALESOPS_THROW(out_of_range_value, fn, "splits.percent", split_rows[i].front(),
                     "starts the splits of deal ", i, ", which sum to ", total, " %, not 100 %");
  }
  credit_ledger ledger(org.rep_count(), org.unit_count(), types);
  for (std::size_t i = 0; i < n; ++i) {
    check_non_negative(fn, "amount", amount[i], i);
    if (owner[i] >= org.rep_count())
      SALESOPS_THROW(out_of_range_value, fn, "owner", i, "is ", owner[i], ", not a rep id");
    const std::uint32_t t = quota_type.empty() ? 0u : quota_type[i];
    if (t >= types) SALESOPS_THROW(out_of_range_value, fn, "quota_type", i, "is ", t, ", not below ", types);
    if (!(outcome[i] == Outcome::won)) continue;
    if (close_date[i] < period_start || close_date[i] >= period_end) continue;
    const std::int32_t day = rule == team_rule::at_close ? close_date[i] : as_of;
    const auto book = [&](std::uint32_t rep, double credit) {
      try {
        ledger.update(rep, org.unit_of(rep, day), t, credit);
      } catch (const out_of_range_value&) {
        // Ids and types are checked above: the deal takes a total past the largest double.
        SALESOPS_THROW(out_of_range_value, fn, "amount", i, "is ", amount[i],
                       ": it takes the credit of rep ", rep, " or of its unit for quota type ", t,
                       " past the largest double");
      }
    };
    if (split_rows[i].empty()) {
      book(owner[i], amount[i]);
    } else {
      for (auto s : split_rows[i]) book(splits.rep[s], amount[i] * splits.percent[s] / 100.0);
    }
  }
  return ledger;
}

/// \brief Attainment of one rep or unit.
struct attainment_line {
  std::uint32_t id = 0;              ///< rep or unit id
  double credit = 0;                 ///< credit over all quota types
  double quota = 0;                  ///< quota over all quota types
  double attainment = 0;             ///< credit / quota
  double weighted_attainment = 0;    ///< sum_t w_t credit_t / quota_t
  std::vector<double> credit_by_type; ///< credit_t for each quota type t
  std::vector<double> quota_by_type;  ///< quota_t for each quota type t
};

/// \brief Prints the line, for debugging.
inline std::ostream& operator<<(std::ostream& out, const attainment_line& a) {
  out << "attainment_line{id=" << a.id << ", credit=" << a.credit << ", quota=" << a.quota
      <<  ", attainment=" << a.attainment << ", weighted=" << a.weighted_attainment;
  if (a.credit_by_type.size() > 1)
    for (std::size_t t = 0; t < a.credit_by_type.size(); ++t)
      out << ", type " << t << "=" << a.credit_by_type[t] << "/" << a.quota_by_type[t];
  return out << "}";
}

/// \brief Per-rep and per-unit attainment.
struct attainment_report {
  std::vector<attainment_line> reps;  ///< one line per rep (index = rep id)
  std::vector<attainment_line> units; ///< one line per unit, children rolled up into parents
};

/// \brief Prints the report, one line per rep and unit.
inline std::ostream& operator<<(std::ostream& out, const attainment_report& r) {
  out << "attainment_report{\n";
  for (const auto& l : r.reps) out << "  rep " << l << "\n";
  for (const auto& l : r.units) out << "  unit " << l << "\n";
  return out << "}";
}

/// \brief How a unit's quota counts a rep who moved between units during the period.
enum class team_quota_rule {
  at_as_of, ///< the whole quota of the rep goes to the rep's unit on the as-of date
  prorated  ///< each unit gets quota x (days the rep spent in it) / (days in the period)
};

/// \brief Attainment per rep and per unit from a ledger and quotas.
/// \param ledger credits from credit_won_deals (or merged shards of it)
/// \param org the hierarchy
/// \param quota quota of rep r for type t at quota[r * types + t] (> 0 for every rep)
/// \param weights weight of each quota type (>= 0, summing to 1); empty: equal weights
/// \param as_of the as-of date (decides each rep's unit under team_quota_rule::at_as_of)
/// \param rule how unit quotas count reps who moved
/// \param period_start first day of the period (used by team_quota_rule::prorated)
/// \param period_end first day after the period (used by team_quota_rule::prorated)
/// \throws salesops::length_mismatch (quota not reps x types long; the ledger's reps or units
///         not the org's), salesops::negative_value (a quota <= 0, naming its row),
///         salesops::out_of_range_value (weights not summing to 1; period_end not after
///         period_start under team_quota_rule::prorated).
inline attainment_report attainment_of(const credit_ledger& ledger, const org_hierarchy& org,
                                       span<const double> quota, span<const double> weights,
                                       std::int32_t as_of, team_quota_rule rule,
                                       std::int32_t period_start, std::int32_t period_end) {
  const char* fn = "attainment_of";
  if (rule == team_quota_rule::prorated && period_end <= period_start)
    SALESOPS_THROW(out_of_range_value, fn, "period_end", no_row, "is ", period_end,
                   ", not after period_start ", period_start);
  const std::size_t types = ledger.types();
  check_equal_lengths(fn, "reps x types", ledger.reps() * types, "quota", quota.size());
  check_equal_lengths(fn, "ledger units", ledger.units(), "org units", org.unit_count());
  // A ledger with fewer reps would leave the org's other reps without a line or unit quota.
  check_equal_lengths(fn, "ledger reps", ledger.reps(), "org reps", org.rep_count());
  for (std::size_t i = 0; i < quota.size(); ++i) check_positive(fn, "quota", quota[i], i);
  std::vector<double> w(types, 1.0 / static_cast<double>(types));
  if (!weights.empty()) {
    check_equal_lengths(fn, "types", types, "weights", weights.size());
    check_non_negative(fn, "weights", weights);
    const double total = compensated_sum(weights);
    if (std::fabs(total - 1.0) > 1e-9)
      SALESOPS_THROW(out_of_range_value, fn, "weights", no_row, "sum to ", total, ", not 1");
    w.assign(weights.begin(), weights.end());
  }
  attainment_report rep;
  const std::size_t units = org.unit_count();
  // Unit totals per type, first at the leaf units, then pushed up to every ancestor.
  std::vector<neumaier_sum<double>> unit_credit(units * types), unit_quota(units * types);
  auto add_up = [&](std::vector<neumaier_sum<double>>& acc, std::uint32_t u, std::size_t t, double v) {
    for (std::int64_t x = u; x != no_parent; x = org.parent(static_cast<std::uint32_t>(x)))
      acc[static_cast<std::size_t>(x) * types + t].update(v);
  };
  for (std::uint32_t r = 0; r < ledger.reps(); ++r) {
    attainment_line l;
    l.id = r;
    neumaier_sum<double> credit, q, weighted;
    for (std::uint32_t t = 0; t < types; ++t) {
      const double c = ledger.rep_credit(r, t), qt = quota[r * types + t];
      l.credit_by_type.push_back(c);
      l.quota_by_type.push_back(qt);
      credit.update(c);
      q.update(qt);
      weighted.update(w[t] * c / qt);
      if (rule == team_quota_rule::at_as_of) {
        add_up(unit_quota, org.unit_of(r, as_of), t, qt);
      } else {
        for (const unit_days& s : org.stays(r, period_start, period_end))
          add_up(unit_quota, s.unit, t, qt * static_cast<double>(s.days) / static_cast<double>(period_end - period_start));
      }
    }
    l.credit = credit.result();
    l.quota = q.result();
    l.attainment = l.credit / l.quota;
    l.weighted_attainment = weighted.result();
    rep.reps.push_back(l);
  }
  for (std::uint32_t u = 0; u < units; ++u)
    for (std::uint32_t t = 0; t < types; ++t) add_up(unit_credit, u, t, ledger.unit_credit(u, t));
  for (std::uint32_t u = 0; u < units; ++u) {
    attainment_line l;
    l.id = u;
    neumaier_sum<double> credit, q, weighted;
    bool has_quota = true;
    for (std::size_t t = 0; t < types; ++t) {
      const double c = unit_credit[u * types + t].result(), qt = unit_quota[u * types + t].result();
      l.credit_by_type.push_back(c);
      l.quota_by_type.push_back(qt);
      credit.update(c);
      q.update(qt);
      if (qt > 0) weighted.update(w[t] * c / qt); else has_quota = false;
    }
    l.credit = credit.result();
    l.quota = q.result();
    // A unit without reps on the as-of date has no quota: its ratios are undefined (NaN).
    const double nan = std::numeric_limits<double>::quiet_NaN();
    l.attainment = l.quota > 0 ? l.credit / l.quota : nan;
    l.weighted_attainment = has_quota ? weighted.result() : nan;
    rep.units.push_back(l);
  }
  return rep;
}

/// \brief attainment_of with unit quotas from the reps' units on the as-of date
/// (team_quota_rule::at_as_of).
/// \throws as the general overload.
inline attainment_report attainment_of(const credit_ledger& ledger, const org_hierarchy& org,
                                       span<const double> quota, span<const double> weights,
                                       std::int32_t as_of) {
  return attainment_of(ledger, org, quota, weights, as_of, team_quota_rule::at_as_of, 0, 0);
}

/// \brief Attainment of one rep by forecast category: closed credit plus the open deals
/// expected to close in the period, single and cumulative.
struct category_attainment {
  double closed = 0;     ///< won credit / quota
  double commit = 0;     ///< open commit amount / quota
  double best_case = 0;  ///< open best-case amount / quota
  double pipeline = 0;   ///< open pipeline amount / quota
  double closed_commit = 0;            ///< closed + commit
  double closed_commit_best_case = 0;  ///< closed + commit + best case
  double closed_all = 0;               ///< closed + commit + best case + pipeline
};

/// \brief Prints the roll-up, for debugging.
inline std::ostream& operator<<(std::ostream& out, const category_attainment& c) {
  return out << "category_attainment{closed=" << c.closed << ", commit=" << c.commit
             << ", best_case=" << c.best_case << ", pipeline=" << c.pipeline
             << ", closed+commit=" << c.closed_commit
             << ", +best_case=" << c.closed_commit_best_case << ", +pipeline=" << c.closed_all << "}";
}

/// \brief The forecast category of an open deal, in roll-up order.
enum class open_category : std::uint8_t {
  commit,    ///< the rep commits to closing it this period
  best_case, ///< could close this period
  pipeline   ///< early; counted only in the widest roll-up
};

/// \brief Mergeable state of the forecast-category roll-up (update / merge / result): open
/// amounts per rep (or unit) and category.
class category_ledger {
public:
  /// \brief An empty ledger for `reps` reps (or units).
  explicit category_ledger(std::size_t reps) : sums_(reps * 3) {}

  /// \brief Adds an open deal's amount (or a split share of it) to rep r's category k.
  /// \throws salesops::out_of_range_value for r out of range, salesops::not_finite /
  ///         salesops::negative_value for a bad amount.
  void update(std::uint32_t r, open_category k, double amount) {
    const char* fn = "category_ledger::update";
    check_non_negative(fn, "amount", amount);
    if (r >= reps())
      SALESOPS_THROW(out_of_range_value, fn, "rep", no_row, "is ", r, ", not below ", reps());
    sums_[r * 3 + static_cast<std::size_t>(k)].update(amount);
  }

  /// \brief Adds another shard's ledger (same number of reps).
  /// \throws salesops::length_mismatch when the sizes differ.
  void merge(const category_ledger& other) {
    check_equal_lengths("category_ledger::merge", "reps", reps(), "other reps", other.reps());
    for (std::size_t i = 0; i < sums_.size(); ++i) sums_[i].merge(other.sums_[i]);
  }

  /// \brief Open amount of rep r in category k.
  double amount(std::uint32_t r, open_category k) const {
    return sums_.at(r * 3 + static_cast<std::size_t>(k)).result();
  }

  /// \brief Attainment by category, single and cumulative, given each rep's won credit.
  /// \param rep_credit won credit per rep (e.g. attainment_line::credit), >= 0
  /// \param rep_quota quota per rep, > 0
  /// \throws salesops::length_mismatch, salesops::negative_value / salesops::not_finite
  ///         naming the row of a bad credit or quota.
  std::vector<category_attainment> result(span<const double> rep_credit,
                                          span<const double> rep_quota) const {
    const char* fn = "category_ledger::result";
    check_equal_lengths(fn, "rep_credit", rep_credit.size(), "rep_quota", rep_quota.size());
    check_equal_lengths(fn, "rep_quota", rep_quota.size(), "ledger reps", reps());
    std::vector<category_attainment> out(reps());
    for (std::uint32_t r = 0; r < reps(); ++r) {
      check_positive(fn, "rep_quota", rep_quota[r], r);
      check_non_negative(fn, "rep_credit", rep_credit[r], r);
      const double q = rep_quota[r], won = rep_credit[r];
      const double commit = amount(r, open_category::commit);
      const double best = amount(r, open_category::best_case);
      const double pipe = amount(r, open_category::pipeline);
      auto& c = out[r];
      c.closed = won / q;
      c.commit = commit / q;
      c.best_case = best / q;
      c.pipeline = pipe / q;
      c.closed_commit = (won + commit) / q;
      c.closed_commit_best_case = (won + commit + best) / q;
      c.closed_all = (won + commit + best + pipe) / q;
    }
    return out;
  }

  /// \brief Number of reps (or units).
  std::size_t reps() const noexcept { return sums_.size() / 3; }

private:
  std::vector<neumaier_sum<double>> sums_; // [rep * 3 + category]
};

/// \brief Forecast-category attainment per rep: open deals (outcome open) whose expected
/// close date lies in the period add their amount to the owner's category.
/// \param rep_credit won credit per rep (e.g. attainment_line::credit)
/// \param rep_quota quota per rep (> 0)
/// \param category forecast category of each deal: an enum with members commit, best_case
///        and pipeline (other values, e.g. closed or omitted, are not rolled up)
/// \throws salesops::length_mismatch, salesops::out_of_range_value (owner id, naming the
///         row; period), salesops::negative_value (quota, amount).
template <class Outcome, class Category>
std::vector<category_attainment>
category_attainment_of(span<const double> rep_credit, span<const double> rep_quota,
                       span<const std::uint32_t> owner, span<const double> amount,
                       span<const Outcome> outcome, span<const Category> category,
                       span<const std::int32_t> close_date, std::int32_t period_start,
                       std::int32_t period_end) {
  const char* fn = "category_attainment_of";
  check_equal_lengths(fn, "rep_credit", rep_credit.size(), "rep_quota", rep_quota.size());
  const std::size_t n = owner.size();
  check_equal_lengths(fn, "owner", n, "amount", amount.size());
  check_equal_lengths(fn, "owner", n, "outcome", outcome.size());
  check_equal_lengths(fn, "owner", n, "category", category.size());
  check_equal_lengths(fn, "owner", n, "close_date", close_date.size());
  if (period_end <= period_start)
    SALESOPS_THROW(out_of_range_value, fn, "period_end", no_row, "is ", period_end,
                   ", not after period_start ", period_start);
  const std::size_t reps = rep_quota.size();
  category_ledger ledger(reps);
  for (std::size_t i = 0; i < n; ++i) {
    check_non_negative(fn, "amount", amount[i], i);
    if (owner[i] >= reps) SALESOPS_THROW(out_of_range_value, fn, "owner", i, "is ", owner[i], ", not a rep id");
    if (!(outcome[i] == Outcome::open)) continue;
    if (close_date[i] < period_start || close_date[i] >= period_end) continue;
    if (category[i] == Category::commit) ledger.update(owner[i], open_category::commit, amount[i]);
    else if (category[i] == Category::best_case) ledger.update(owner[i], open_category::best_case, amount[i]);
    else if (category[i] == Category::pipeline) ledger.update(owner[i], open_category::pipeline, amount[i]);
  }
  return ledger.result(rep_credit, rep_quota);
}

/// \brief How attainment is spread across reps.
struct attainment_distribution {
  std::size_t reps = 0;        ///< number of reps
  double share_at_quota = 0;   ///< share of reps with attainment >= 1
  double mean = 0;             ///< mean attainment
  double median = 0;           ///< type-7 median
  double p10 = 0;              ///< type-7 10th percentile
  double p25 = 0;              ///< type-7 25th percentile
  double p75 = 0;              ///< type-7 75th percentile
  double p90 = 0;              ///< type-7 90th percentile
  double gini = 0;             ///< Gini coefficient, sum_ij |x_i - x_j| / (2 n^2 mean)
  std::vector<double> bin_edges;          ///< histogram edges (bins + 1 values)
  std::vector<std::uint64_t> bin_counts;  ///< reps per bin [edge_k, edge_k+1); last bin closed
};

/// \brief Prints the summary, for debugging.
inline std::ostream& operator<<(std::ostream& out, const attainment_distribution& d) {
  out << "attainment_distribution{reps=" << d.reps << ", share_at_quota=" << d.share_at_quota
      << ", mean=" << d.mean << ", median=" << d.median << ", p10=" << d.p10 << ", p90=" << d.p90
      << ", gini=" << d.gini << ", bins=[";
  for (std::size_t k = 0; k < d.bin_counts.size(); ++k)
    out << (k ? ", " : "") << d.bin_edges[k] << "-" << d.bin_edges[k + 1] << ":" << d.bin_counts[k];
  return out << "]}";
}

/// \brief Mergeable state of attainment_distribution (update / merge / result). It keeps
/// the attainments (one per rep) so the percentiles and the Gini are exact after any merge.
class attainment_distribution_accumulator {
public:
  /// \brief Adds one rep's attainment.
  /// \throws salesops::not_finite, salesops::negative_value.
  void update(double attainment) {
    check_non_negative("attainment_distribution_accumulator::update", "attainment", attainment);
    x_.push_back(attainment);
  }

  /// \brief Adds a column of attainments.
  /// \throws salesops::not_finite, salesops::negative_value naming the row.
  void update(span<const double> attainment) {
    check_non_negative("attainment_distribution_accumulator::update", "attainment", attainment);
    x_.insert(x_.end(), attainment.begin(), attainment.end());
  }

  /// \brief Adds another shard's reps.
  void merge(const attainment_distribution_accumulator& other) {
    x_.insert(x_.end(), other.x_.begin(), other.x_.end());
  }

  /// \brief The distribution, with a histogram of `bins` equal bins on
  /// [0, max(bin_max, largest attainment)].
  /// \throws salesops::empty_input (no rep), salesops::out_of_range_value when bins == 0,
  ///         salesops::negative_value when bin_max <= 0.
  attainment_distribution result(std::size_t bins = 10, double bin_max = 2.0) const {
    const char* fn = "attainment_distribution";
    check_non_empty(fn, "attainment", x_.size());
    check_positive(fn, "bin_max", bin_max);
    if (bins == 0) SALESOPS_THROW(out_of_range_value, fn, "bins", no_row, "is 0");
    attainment_distribution d;
    const std::size_t n = x_.size();
    d.reps = n;
    std::vector<double> x(x_);
    std::sort(x.begin(), x.end());
    std::size_t at_quota = 0;
    for (double v : x) at_quota += v >= 1.0 ? 1 : 0;
    d.share_at_quota = static_cast<double>(at_quota) / static_cast<double>(n);
    d.mean = compensated_sum(x) / static_cast<double>(n);
    const std::vector<double> probs = {0.10, 0.25, 0.50, 0.75, 0.90};
    const auto q = stats::quantiles(x, probs);
    d.p10 = q[0];
    d.p25 = q[1];
    d.median = q[2];
    d.p75 = q[3];
    d.p90 = q[4];
    // Gini from the sorted values: sum_i (2i - n - 1) x_(i) / (n^2 mean), i = 1..n.
    neumaier_sum<double> g;
    for (std::size_t i = 0; i < n; ++i)
      g.update((2.0 * static_cast<double>(i + 1) - static_cast<double>(n) - 1.0) * x[i]);
    d.gini = d.mean > 0 ? g.result() / (static_cast<double>(n) * static_cast<double>(n) * d.mean) : 0.0;
    const double top = std::max(bin_max, x.back());
    d.bin_counts.assign(bins, 0);
    for (std::size_t k = 0; k <= bins; ++k)
      d.bin_edges.push_back(top * static_cast<double>(k) / static_cast<double>(bins));
    for (double v : x) {
      auto k = static_cast<std::size_t>(v / top * static_cast<double>(bins));
      d.bin_counts[std::min(k, bins - 1)]++;
    }
    return d;
  }

  /// \brief Number of reps seen.
  std::size_t reps() const noexcept { return x_.size(); }

private:
  std::vector<double> x_;
};

/// \brief Distribution of attainment across reps, with a histogram of `bins` equal bins on
/// [0, max(bin_max, largest attainment)].
/// \throws salesops::empty_input, salesops::negative_value / not_finite naming the row,
///         salesops::out_of_range_value when bins == 0.
inline attainment_distribution attainment_distribution_of(span<const double> attainment,
                                                          std::size_t bins = 10,
                                                          double bin_max = 2.0) {
  attainment_distribution_accumulator acc;
  acc.update(attainment);
  return acc.result(bins, bin_max);
}

} // namespace salesops::quota

#endif // SALESOPS_QUOTA_ATTAINMENT_HPP
