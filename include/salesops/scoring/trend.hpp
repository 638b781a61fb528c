// Per-rep trends: the least-squares slope of a KPI (or composite score) over periods, with its
// two-sided t-test, as R's summary(lm(value ~ period)) per rep. The regression is the
// forecasting module's (salesops::forecast::fit / summarize); this header only groups the rows
// by rep and flags reps whose slope is significantly positive (improving) or negative
// (declining) at the chosen level.
//
// Compile time: rep_trends is a function template with one unused, defaulted parameter, so that
// only translation units calling it instantiate the fit (see forecast/linear_model.hpp).
#ifndef SALESOPS_SCORING_TREND_HPP
#define SALESOPS_SCORING_TREND_HPP

#include <cmath>
#include <cstddef>
#include <limits>
#include <ostream>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

#include "salesops/core/error.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/forecast/inference.hpp"
#include "salesops/forecast/linear_model.hpp"

namespace salesops::scoring {

/// \brief Verdict on a rep's trend.
enum class trend_flag {
  improving,      ///< slope significantly > 0 (or < 0 for a lower-is-better KPI)
  declining,      ///< slope significantly in the bad direction
  flat,           ///< slope not significant at the chosen level
  too_few_periods ///< fewer than 3 observations: no residual degree of freedom, no test
};

/// \brief The flag's name.
inline std::string_view to_string(trend_flag f) noexcept {
  switch (f) {
  case trend_flag::improving:
    return "improving";
  case trend_flag::declining:
    return "declining";
  case trend_flag::flat:
    return "flat";
  case trend_flag::too_few_periods:
    return "too_few_periods";
  }
  return "unknown";
}

/// \brief Prints the flag's name.
inline std::ostream& operator<<(std::ostream& out, trend_flag f) { return out << to_string(f); }

/// \brief One rep's trend. With too_few_periods, slope is the two-point slope (or NaN with
/// one point) and std_error / t_value / p_value are NaN: there is nothing to test.
struct rep_trend {
  std::size_t observations = 0; ///< rows of this rep
  double slope = 0;             ///< change of the value per period unit
  double std_error = 0;         ///< standard error of the slope
  double t_value = 0;           ///< slope / std_error
  double p_value = 0;           ///< two-sided p-value (Student t, n - 2 df)
  trend_flag flag = trend_flag::flat; ///< verdict at the chosen level
};

/// \brief Prints the trend, for debugging.
inline std::ostream& operator<<(std::ostream& out, const rep_trend& t) {
  return out << "rep_trend{n=" << t.observations << ", slope=" << t.slope
             << ", se=" << t.std_error << ", t=" << t.t_value << ", p=" << t.p_value
             << ", flag=" << t.flag << "}";
}

/// \brief Fits value ~ period separately for every rep and flags significant trends.
/// \param rep rep index of each row (0 .. reps-1; a rep with no rows gets too_few_periods)
/// \param period period of each row (e.g. month number), at least two distinct per rep
/// \param value KPI or score of each row
/// \param significance two-sided test level, in (0, 1) (0.05 by default)
/// \param lower_is_better flips which sign counts as improving
/// \throws salesops::length_mismatch; salesops::empty_input; salesops::not_finite naming the
///         row of a NaN period or value; salesops::out_of_range_value for a bad significance;
///         salesops::rank_deficient naming a rep with 3+ rows all in one period.
template <class = void>
std::vector<rep_trend> rep_trends(span<const std::size_t> rep, span<const double> period,
                                  span<const double> value, double significance = 0.05,
                                  bool lower_is_better = false) {
  constexpr const char* fn = "rep_trends";
  check_equal_lengths(fn, "rep", rep.size(), "period", period.size());
  check_equal_lengths(fn, "rep", rep.size(), "value", value.size());
  check_non_empty(fn, "rep", rep.size());
  if (!(significance > 0 && significance < 1))
    SALESOPS_THROW(out_of_range_value, fn, "significance", no_row, "is ", significance,
                   ", must be in (0, 1)");
  std::size_t reps = 0;
  for (std::size_t r = 0; r < rep.size(); ++r) {
    check_finite(fn, "period", period[r], r);
    check_finite(fn, "value", value[r], r);
    if (rep[r] == std::numeric_limits<std::size_t>::max()) // rep + 1 would wrap around to 0
      SALESOPS_THROW(out_of_range_value, fn, "rep", r, "is ", rep[r], ", the largest size_t");
    reps = std::max(reps, rep[r] + 1);
  }
  std::vector<std::vector<std::size_t>> rows(reps);
  for (std::size_t r = 0; r < rep.size(); ++r) rows[rep[r]].push_back(r);
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<rep_trend> out(reps);
  for (std::size_t i = 0; i < reps; ++i) {
    auto& t = out[i];
    const auto& idx = rows[i];
    t.observations = idx.size();
    Eigen::VectorXd x(static_cast<Eigen::Index>(idx.size())), y(x.size());
    for (std::size_t k = 0; k < idx.size(); ++k) {
      x(static_cast<Eigen::Index>(k)) = period[idx[k]];
      y(static_cast<Eigen::Index>(k)) = value[idx[k]];
    }
    if (idx.size() < 3) {
      t.flag = trend_flag::too_few_periods;
      t.slope = idx.size() == 2 && x(1) != x(0) ? (y(1) - y(0)) / (x(1) - x(0)) : nan;
      t.std_error = t.t_value = t.p_value = nan;
      continue;
    }
    if (x.maxCoeff() == x.minCoeff())
      SALESOPS_THROW(rank_deficient, fn, "period", no_row, "of rep ", i, " is ", x(0),
                     " in all its ", idx.size(), " rows: a slope needs two distinct periods");
    const auto model = forecast::fit(x, y);
    const auto s = forecast::summarize(model);
    const auto& c = s.coefficients[1];
    t.slope = c.estimate;
    t.std_error = c.std_error;
    t.t_value = c.t_value;
    t.p_value = c.p_value;
    const double good = lower_is_better ? -t.slope : t.slope;
    // A perfect fit has se = 0 and p = 0 (or NaN for a flat line): treat NaN as not significant.
    t.flag = !(t.p_value < significance) || good == 0 ? trend_flag::flat
             : good > 0                             ? trend_flag::improving
                                                    : trend_flag::declining;
  }
  return out;
}

} // namespace salesops::scoring

#endif // SALESOPS_SCORING_TREND_HPP
