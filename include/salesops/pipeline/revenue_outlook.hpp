// The pipeline outlook of a rep, team or company for one period: revenue = booked + X, where
// X = sum a_i B_i is what closes from open deals of amount a_i and win probability p_i
// (deals independent; probabilities from the caller, e.g. stage probabilities of the funnel
// module). From the law of X (salesops::stats::weighted_bernoulli, exact on the lattice of the
// amounts' gcd when it is small enough, else on a grid with rigorous error brackets; built by
// the subset-sum DP or, for large problems, by DP leaves multiplied in one FFT):
// P(revenue >= quota), the P10 / P50 / P90 of revenue (smallest x with P(revenue <= x) >= p)
// and the expected shortfall E[max(quota - revenue, 0)]. Clari's and Salesforce's pipeline
// outlooks show weighted sums only; this is the full distribution.
#ifndef SALESOPS_PIPELINE_REVENUE_OUTLOOK_HPP
#define SALESOPS_PIPELINE_REVENUE_OUTLOOK_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <ostream>
#include <vector>

#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/stats/weighted_bernoulli.hpp"

namespace salesops::pipeline {

/// \brief How the law of the open-deal revenue was computed.
enum class outlook_method {
  exact, ///< integer amounts on the lattice of their gcd: exact up to pruned_mass (<= 1e-14)
         ///< plus the rigorous floating-point bound (p_hit_lower / p_hit_upper carry both)
  grid   ///< amounts rounded to a grid step: p_hit bracketed, quantiles within quantile_error
};

/// \brief Prints "exact" or "grid".
inline std::ostream& operator<<(std::ostream& out, outlook_method m) {
  return out << (m == outlook_method::exact ? "exact" : "grid");
}

/// \brief Tuning of revenue_outlook.
struct outlook_options {
  /// Exact method when every amount is an integer and sum(amounts) / gcd <= this; otherwise
  /// the grid method with step sum(amounts) / grid_cells.
  double exact_max_lattice = 1e7;
  double grid_cells = 1e7; ///< number of grid steps spanning [0, sum(amounts)] for the grid method
  /// Tail mass the DP may prune, in [0, max_outlook_pruning_budget).
  double pruning_budget = stats::default_pruning_budget;
  std::size_t max_cells = stats::default_max_cells; ///< cap on the DP width and FFT size
  /// DP, FFT, or chosen by the rule of salesops::stats::lattice_options (the default)
  stats::lattice_algorithm algorithm = stats::lattice_algorithm::automatic;
};

/// \brief Largest pruning_budget revenue_outlook accepts (exclusive). Each tail of the law
/// loses at most half the budget (see salesops::stats::lattice_options), and P10 / P90 are
/// read at the 0.10 and 0.90 levels of the cdf: from a budget of 0.2 on, a tail may lose a
/// whole decile, so P10 or P90 could lie in the pruned mass.
inline constexpr double max_outlook_pruning_budget = 0.2;

/// \brief Prints the options, for debugging.
inline std::ostream& operator<<(std::ostream& out, const outlook_options& o) {
  return out << "outlook_options{exact_max_lattice=" << o.exact_max_lattice
             << ", grid_cells=" << o.grid_cells << ", pruning_budget=" << o.pruning_budget
             << ", max_cells=" << o.max_cells << ", algorithm=" << o.algorithm << "}";
}

/// \brief Outlook of one rep, team or company against its quota.
struct quota_outlook {
  double booked = 0;             ///< revenue already closed (won) in the period
  double quota = 0;              ///< the target
  double expected = 0;           ///< booked + sum a_i p_i
  double sd = 0;                 ///< sqrt(sum a_i^2 p_i (1 - p_i))
  double p_hit = 0;              ///< P(booked + X >= quota)
  double p_hit_lower = 0;        ///< rigorous lower bound of p_hit
  double p_hit_upper = 0;        ///< rigorous upper bound of p_hit
  double p10 = 0;                ///< smallest revenue r with P(revenue <= r) >= 0.10
  double p50 = 0;                ///< same at 0.50
  double p90 = 0;                ///< same at 0.90
  double quantile_error = 0;     ///< |error| bound of p10/p50/p90 (0 for the exact method)
  double expected_shortfall = 0; ///< E[max(quota - revenue, 0)]
  outlook_method method = outlook_method::exact; ///< how the law was computed
  double step = 1;                               ///< lattice or grid step of the law
  stats::lattice_algorithm algorithm = stats::lattice_algorithm::dp; ///< dp or fft
  std::size_t deals = 0;                                             ///< number of open deals
};

/// \brief Prints the outlook, for debugging.
inline std::ostream& operator<<(std::ostream& out, const quota_outlook& o) {
  return out << "quota_outlook{booked=" << o.booked << ", quota=" << o.quota
             << ", expected=" << o.expected << ", sd=" << o.sd << ", p_hit=" << o.p_hit << " ["
             << o.p_hit_lower << ", " << o.p_hit_upper << "], p10=" << o.p10 << ", p50=" << o.p50
             << ", p90=" << o.p90 << " (+-" << o.quantile_error
             << "), expected_shortfall=" << o.expected_shortfall << ", method=" << o.method
             << ", step=" << o.step << ", algorithm=" << o.algorithm << ", deals=" << o.deals
             << "}";
}

namespace detail {
// The options are checked here, naming the option, before the stats functions would reject
// the values derived from them (grid_cells = 0 gave "weighted_bernoulli_grid: step is inf").
inline void check_outlook_options(const char* fn, const outlook_options& o) {
  check_non_negative(fn, "exact_max_lattice", o.exact_max_lattice);
  check_positive(fn, "grid_cells", o.grid_cells);
  check_non_negative(fn, "pruning_budget", o.pruning_budget);
  if (!(o.pruning_budget < max_outlook_pruning_budget))
    SALESOPS_THROW(out_of_range_value, fn, "pruning_budget", no_row, "is ", o.pruning_budget,
                   "; it must be below max_outlook_pruning_budget = 0.2 (from 0.2 on, a tail ",
                   "could lose a whole decile, and P10 or P90 with it)");
}
} // namespace detail

/// \brief The law of the open-deal revenue X by the method outlook_options selects.
/// \throws salesops::not_finite, salesops::negative_value or salesops::out_of_range_value
///         naming the option when grid_cells is not > 0, exact_max_lattice not >= 0, or
///         pruning_budget outside [0, max_outlook_pruning_budget); otherwise as
///         stats::weighted_bernoulli_exact / weighted_bernoulli_grid.
inline stats::weighted_bernoulli_distribution
open_revenue_distribution(span<const double> amounts, span<const double> probs,
                          const outlook_options& options = {}) {
  detail::check_outlook_options("open_revenue_distribution", options);
  const auto m = stats::weighted_bernoulli_moments_of(amounts, probs); // validates, names rows
  bool integers = true;
  std::uint64_t g = 0;
  for (double a : amounts) {
    if (a != std::floor(a) || a >= 9007199254740992.0) {
      integers = false;
      break;
    }
    g = std::gcd(g, static_cast<std::uint64_t>(a));
  }
  stats::lattice_options lattice;
  lattice.pruning_budget = options.pruning_budget;
  lattice.max_cells = options.max_cells;
  lattice.algorithm = options.algorithm;
  if (integers && (g == 0 || m.total / static_cast<double>(g) <= options.exact_max_lattice))
    return stats::weighted_bernoulli_exact(amounts, probs, lattice);
  return stats::weighted_bernoulli_grid(amounts, probs, m.total / options.grid_cells, lattice);
}

/// \brief Outlook of revenue = booked + X against quota.
/// \param amounts open deal amounts (>= 0)
/// \param probs their win probabilities in [0, 1]
/// \param booked revenue already won (>= 0)
/// \param quota target (> 0)
/// \throws salesops::negative_value (quota <= 0, booked < 0, an amount < 0 naming its row),
///         salesops::not_finite, salesops::out_of_range_value (a probability, naming its row),
///         salesops::length_mismatch; the option errors of open_revenue_distribution, naming
///         "revenue_outlook" and the option; salesops::out_of_range_value naming "amounts"
///         when the total or variance of X is outside the range of a double (amounts near
///         1e200 and above, see stats::weighted_bernoulli_moments_of).
inline quota_outlook revenue_outlook(span<const double> amounts, span<const double> probs,
                                     double booked, double quota,
                                     const outlook_options& options = {}) {
  check_non_negative("revenue_outlook", "booked", booked);
  check_positive("revenue_outlook", "quota", quota);
  detail::check_outlook_options("revenue_outlook", options);
  const auto law = open_revenue_distribution(amounts, probs, options);
  quota_outlook o;
  o.booked = booked;
  o.quota = quota;
  o.deals = amounts.size();
  o.expected = booked + law.moments().mean;
  o.sd = law.moments().sd;
  const double need = quota - booked; // revenue >= quota  <=>  X >= quota - booked
  const auto bracket = law.tail_bracket(need);
  o.p_hit = bracket.estimate;
  o.p_hit_lower = bracket.lower;
  o.p_hit_upper = bracket.upper;
  o.p10 = booked + law.quantile(0.10);
  o.p50 = booked + law.quantile(0.50);
  o.p90 = booked + law.quantile(0.90);
  o.quantile_error = law.rounding_bound();
  o.expected_shortfall = law.expected_shortfall(need);
  o.method = law.exact() ? outlook_method::exact : outlook_method::grid;
  o.step = law.step();
  o.algorithm = law.algorithm();
  return o;
}

/// \brief Outlook per group (rep, team, region...): deal i belongs to group[i], and group g
/// has booked[g] and quota[g]. A roll-up is the same call with coarser group ids: the law of
/// a team's revenue is that of all its reps' deals together, not a sum of rep percentiles.
/// \throws salesops::length_mismatch, salesops::out_of_range_value naming the row of a group
///         id >= booked.size(); errors in amounts or probs naming their input row, and in
///         the options naming the option; and what revenue_outlook throws about one group
///         (its booked, quota, or deals: a lattice too wide, moments out of range), with the
///         same type, naming the group ("booked of group 3: ...") and a deal's input row.
inline std::vector<quota_outlook>
revenue_outlook_by_group(span<const std::uint32_t> group, span<const double> amounts,
                         span<const double> probs, span<const double> booked,
                         span<const double> quota, const outlook_options& options = {}) {
  const char* fn = "revenue_outlook_by_group";
  check_equal_lengths(fn, "amounts", amounts.size(), "group", group.size());
  check_equal_lengths(fn, "amounts", amounts.size(), "probs", probs.size());
  check_equal_lengths(fn, "booked", booked.size(), "quota", quota.size());
  check_non_negative(fn, "amounts", amounts); // errors name rows of the full input
  check_probability(fn, "probs", probs);
  detail::check_outlook_options(fn, options);
  std::vector<std::vector<double>> a(booked.size()), p(booked.size());
  std::vector<std::vector<std::size_t>> rows(booked.size()); // input row of each group's deal
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (group[i] >= booked.size())
      SALESOPS_THROW(out_of_range_value, fn, "group", i, "is ", group[i], ", but only ",
                     booked.size(), " groups have a quota");
    a[group[i]].push_back(amounts[i]);
    p[group[i]].push_back(probs[i]);
    rows[group[i]].push_back(i);
  }
  std::vector<quota_outlook> out;
  out.reserve(booked.size());
  for (std::size_t g = 0; g < booked.size(); ++g) {
    // What revenue_outlook can still reject is one group's booked, quota or deals (a lattice
    // too wide, moments out of range): re-thrown with the group, and the row of a deal (which
    // counts within the group) mapped back to the input.
    const auto row = [&](const error& e) {
      return e.row() < rows[g].size() ? rows[g][e.row()] : no_row;
    };
    try {
      out.push_back(revenue_outlook(a[g], p[g], booked[g], quota[g], options));
    } catch (const not_finite& e) {
      SALESOPS_THROW(not_finite, fn, e.argument().c_str(), row(e), "of group ", g, " ", e.detail());
    } catch (const negative_value& e) {
      SALESOPS_THROW(negative_value, fn, e.argument().c_str(), row(e), "of group ", g, " ", e.detail());
    } catch (const out_of_range_value& e) {
      SALESOPS_THROW(out_of_range_value, fn, e.argument().c_str(), row(e), "of group ", g, " ",
                     e.detail());
    }
  }
  return out;
}

} // namespace salesops::pipeline

#endif // SALESOPS_PIPELINE_REVENUE_OUTLOOK_HPP
