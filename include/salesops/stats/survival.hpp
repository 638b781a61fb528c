// Time to convert with right censoring: the Kaplan-Meier estimator with Greenwood's variance,
// pointwise confidence intervals and survival quantiles (median time to close) with their
// intervals, as R's survival::survfit(Surv(time, event) ~ 1) and quantile.survfit (survival
// 3.5). Open deals are censored at their current age: they have not converted yet, and
// dropping them (or counting them as lost) biases the time to convert. Counts aggregate in a
// mergeable accumulator, so shards of a pipeline combine into the same curve as one pass.
#ifndef SALESOPS_STATS_SURVIVAL_HPP
#define SALESOPS_STATS_SURVIVAL_HPP

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/stats/proportion.hpp"

namespace salesops::stats {

/// \brief Transformation behind the pointwise confidence interval of S(t).
enum class km_conf_type {
  log,     ///< exp(log S -+ z se): survfit's default, salesops' default
  log_log, ///< exp(-exp(log(-log S) -+ z se / log S)): never leaves (0, 1), better in tails
  plain    ///< S -+ z S se, clipped to [0, 1]: the textbook Greenwood interval
};

/// \brief The type's name as survfit spells it ("log", "log-log", "plain").
inline std::string_view to_string(km_conf_type type) noexcept {
  switch (type) {
  case km_conf_type::log:
    return "log";
  case km_conf_type::log_log:
    return "log-log";
  case km_conf_type::plain:
    return "plain";
  }
  return "unknown";
}

/// \brief Prints the type's name.
inline std::ostream& operator<<(std::ostream& out, km_conf_type type) {
  return out << to_string(type);
}

/// \brief One distinct time of a Kaplan-Meier curve (a row of summary(survfit, censored =
/// TRUE)).
struct km_row {
  double time = 0;            ///< the time (e.g. days since the deal was created)
  std::uint64_t n_risk = 0;   ///< subjects still at risk just before `time`
  std::uint64_t n_event = 0;  ///< conversions at `time`
  std::uint64_t n_censor = 0; ///< censored (still open) at `time`, after the conversions
  double survival = 1;        ///< S(time): probability of not having converted by `time`
  /// Greenwood standard error of log S (survfit's std.err): sqrt(sum d / (n (n - d)));
  /// +infinity once S = 0.
  double std_err = 0;
  /// Lower pointwise bound of S(time); NaN where survfit reports NA (S = 0; and S = 1 for
  /// log-log), since no interval exists there.
  double lower = 1;
  double upper = 1; ///< upper pointwise bound of S(time); NaN as `lower`
};

/// \brief A quantile of the time to convert with its confidence interval; std::nullopt
/// where survfit reports NA (the curve, or its bound, never falls that far).
struct survival_quantile {
  double p = 0.5;              ///< probability: the time by which a fraction p converted
  std::optional<double> time;  ///< the quantile (median for p = 0.5)
  std::optional<double> lower; ///< lower confidence bound
  std::optional<double> upper; ///< upper confidence bound
};

/// \brief A Kaplan-Meier curve with its pointwise intervals and median.
struct kaplan_meier_result {
  std::vector<km_row> rows;                   ///< one row per distinct time, ascending
  std::uint64_t n = 0;                        ///< number of subjects
  std::uint64_t events = 0;                   ///< number of conversions
  double level = 0.95;                        ///< confidence level of the intervals
  km_conf_type conf_type = km_conf_type::log; ///< interval transformation
  survival_quantile median;                   ///< median time to convert with its interval
};

namespace detail {
inline void print_optional(std::ostream& out, const std::optional<double>& x) {
  if (x)
    out << *x;
  else
    out << "NA";
}
} // namespace detail

/// \brief Prints the row, for debugging.
inline std::ostream& operator<<(std::ostream& out, const km_row& r) {
  return out << "km_row{time=" << r.time << ", n_risk=" << r.n_risk << ", n_event=" << r.n_event
             << ", n_censor=" << r.n_censor << ", survival=" << r.survival
             << ", std_err=" << r.std_err << ", lower=" << r.lower << ", upper=" << r.upper << "}";
}

/// \brief Prints the quantile ("NA" where not reached), for debugging.
inline std::ostream& operator<<(std::ostream& out, const survival_quantile& q) {
  out << "survival_quantile{p=" << q.p << ", time=";
  detail::print_optional(out, q.time);
  out << ", lower=";
  detail::print_optional(out, q.lower);
  out << ", upper=";
  detail::print_optional(out, q.upper);
  return out << "}";
}

/// \brief Prints the curve, one row per line, for debugging.
inline std::ostream& operator<<(std::ostream& out, const kaplan_meier_result& r) {
  out << "kaplan_meier{n=" << r.n << ", events=" << r.events << ", level=" << r.level
      << ", conf_type=" << r.conf_type << ", median=" << r.median << ", rows=[";
  for (const auto& row : r.rows) out << "\n  " << row;
  return out << (r.rows.empty() ? "" : "\n") << "]}";
}

/// \brief Quantile of the time to convert: the first time S(t) <= 1 - p, with survfit's
/// rules (quantile.survfit): where S stays exactly at 1 - p (within sqrt(machine epsilon))
/// over an interval, the midpoint of that interval (up to the last observed time if the curve
/// ends there); the bounds are the same search on the pointwise upper and lower curves.
/// \throws salesops::out_of_range_value unless 0 < p < 1.
inline survival_quantile km_quantile(const kaplan_meier_result& curve, double p);

/// \brief Mergeable Kaplan-Meier accumulator: counts of conversions and censorings per
/// distinct time (update / merge / result).
class kaplan_meier_accumulator {
public:
  /// \brief Adds one subject: its time (>= 0, finite) and whether it converted at that time
  /// (false: censored, e.g. a deal still open at that age).
  /// \throws salesops::not_finite, salesops::negative_value naming "time".
  void update(double time, bool event) {
    check_non_negative("kaplan_meier_accumulator::update", "time", time);
    auto& c = counts_[time];
    (event ? c.events : c.censored) += 1;
  }
  /// \brief Adds another shard's counts.
  void merge(const kaplan_meier_accumulator& other) {
    for (const auto& [time, c] : other.counts_) {
      auto& mine = counts_[time];
      mine.events += c.events;
      mine.censored += c.censored;
    }
  }
  /// \brief The curve with pointwise intervals at `level` and the median.
  /// \throws salesops::empty_input when no subject was added; salesops::out_of_range_value
  ///         unless 0 < level < 1.
  kaplan_meier_result result(double level = 0.95,
                             km_conf_type conf_type = km_conf_type::log) const {
    constexpr const char* fn = "kaplan_meier";
    if (counts_.empty()) SALESOPS_THROW(empty_input, fn, "times", no_row, "is empty");
    check_level(fn, "level", level);
    const double z = normal_critical_value(level);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    kaplan_meier_result r;
    r.level = level;
    r.conf_type = conf_type;
    for (const auto& entry : counts_) r.n += entry.second.events + entry.second.censored;
    std::uint64_t at_risk = r.n;
    double s = 1.0, greenwood = 0.0;
    for (const auto& [time, c] : counts_) {
      km_row row;
      row.time = time;
      row.n_risk = at_risk;
      row.n_event = c.events;
      row.n_censor = c.censored;
      const double n = static_cast<double>(at_risk), d = static_cast<double>(c.events);
      if (c.events > 0) {
        s *= 1.0 - d / n;
        greenwood +=
            c.events == at_risk ? std::numeric_limits<double>::infinity() : d / (n * (n - d));
      }
      r.events += c.events;
      at_risk -= c.events + c.censored;
      row.survival = s;
      row.std_err = std::sqrt(greenwood);
      // survfit_confint (survival 3.5), with NaN where it gives NA.
      const double se = row.std_err;
      switch (conf_type) {
      case km_conf_type::log:
        row.lower = s > 0 ? std::exp(std::log(s) - z * se) : nan;
        row.upper = s > 0 ? std::min(1.0, std::exp(std::log(s) + z * se)) : nan;
        break;
      case km_conf_type::log_log: {
        const bool defined = s > 0 && s < 1;
        const double shift = defined ? z * se / std::log(s) : 0.0;
        row.lower = defined ? std::exp(-std::exp(std::log(-std::log(s)) - shift)) : nan;
        row.upper = defined ? std::exp(-std::exp(std::log(-std::log(s)) + shift)) : nan;
        break;
      }
      case km_conf_type::plain:
        row.lower = s > 0 ? std::max(0.0, s - z * se * s) : nan;
        row.upper = s > 0 ? std::min(1.0, s + z * se * s) : nan;
        break;
      }
      r.rows.push_back(row);
    }
    r.median = km_quantile(r, 0.5);
    return r;
  }

private:
  struct time_counts {
    std::uint64_t events = 0;
    std::uint64_t censored = 0;
  };
  std::map<double, time_counts> counts_;
};

/// \brief Kaplan-Meier curve of times to convert, as survfit(Surv(times, events) ~ 1,
/// conf.int = level, conf.type = ...).
///
/// At each distinct time t with n at risk and d conversions, S(t) = prod (1 - d/n) and
/// Greenwood's var(log S) = sum d / (n (n - d)). Conversions at a time precede censorings at
/// the same time (a deal censored at t was at risk at t). Intervals with z = z_{1-(1-level)/2}:
/// log (default, as survfit) exp(log S -+ z se), upper clipped to 1; log-log
/// exp(-exp(log(-log S) -+ z se / log S)); plain S -+ z se S clipped to [0, 1].
/// \param times time from start to conversion, or to now for subjects still open (>= 0)
/// \param events 1 when the subject converted at `times[i]`, 0 when censored there
/// \param level confidence level of the intervals
/// \param conf_type interval transformation
/// \throws salesops::length_mismatch, salesops::empty_input, salesops::not_finite or
///         salesops::negative_value (a time, naming its row), salesops::out_of_range_value
///         (an event flag other than 0 or 1, naming its row; level outside (0, 1)).
inline kaplan_meier_result kaplan_meier(span<const double> times, span<const std::uint8_t> events,
                                        double level = 0.95,
                                        km_conf_type conf_type = km_conf_type::log) {
  constexpr const char* fn = "kaplan_meier";
  check_equal_lengths(fn, "times", times.size(), "events", events.size());
  check_non_empty(fn, "times", times.size());
  check_non_negative(fn, "times", times);
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i] > 1)
      SALESOPS_THROW(out_of_range_value, fn, "events", i, "is ", static_cast<int>(events[i]),
                     ", expected 0 (censored) or 1 (converted)");
  kaplan_meier_accumulator acc;
  for (std::size_t i = 0; i < times.size(); ++i) acc.update(times[i], events[i] == 1);
  return acc.result(level, conf_type);
}

namespace detail {

// survival:::findq: the first x where y (a distribution function 1 - S, starting at 0 at
// x = 0) reaches p, with survfit's tolerance and midpoint rules; NaN points are skipped.
inline std::optional<double> find_quantile(const std::vector<double>& x,
                                           const std::vector<double>& y, double p, double x_max) {
  const double tol = std::sqrt(std::numeric_limits<double>::epsilon());
  std::vector<double> xs, ys;
  double y_max = -std::numeric_limits<double>::infinity();
  bool last_is_nan = false;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (std::isnan(y[i])) {
      last_is_nan = true;
      continue;
    }
    last_is_nan = false;
    y_max = std::max(y_max, y[i]);
    if (!ys.empty() && ys.back() == y[i]) continue; // keep the first time a value is reached
    xs.push_back(x[i]);
    ys.push_back(y[i]);
  }
  if (ys.empty() || y_max < p) return std::nullopt;
  std::optional<std::size_t> first_within, first_beyond;
  for (std::size_t j = 0; j < ys.size(); ++j) {
    if (!first_within && ys[j] + tol >= p) first_within = j;
    if (!first_beyond && ys[j] - tol >= p) first_beyond = j;
  }
  if (!first_within) return std::nullopt;
  if (first_beyond) return (xs[*first_within] + xs[*first_beyond]) / 2.0;
  // The curve ends on a plateau at p: midpoint up to the last observed time.
  if (!last_is_nan && std::fabs(p - ys.back()) < tol) return (xs[*first_within] + x_max) / 2.0;
  return std::nullopt;
}

} // namespace detail

inline survival_quantile km_quantile(const kaplan_meier_result& curve, double p) {
  constexpr const char* fn = "km_quantile";
  check_finite(fn, "p", p);
  if (!(p > 0.0 && p < 1.0))
    SALESOPS_THROW(out_of_range_value, fn, "p", no_row, "is ", p, ", outside (0, 1)");
  check_non_empty(fn, "curve", curve.rows.size());
  std::vector<double> x{0.0}, y{0.0}, y_lower_curve{0.0}, y_upper_curve{0.0};
  for (const auto& row : curve.rows) {
    x.push_back(row.time);
    y.push_back(1.0 - row.survival);
    y_lower_curve.push_back(1.0 - row.lower);
    y_upper_curve.push_back(1.0 - row.upper);
  }
  const double x_max = curve.rows.back().time;
  survival_quantile q;
  q.p = p;
  q.time = detail::find_quantile(x, y, p, x_max);
  // The lower pointwise curve reaches 1 - p first: it gives the quantile's lower bound.
  q.lower = detail::find_quantile(x, y_lower_curve, p, x_max);
  q.upper = detail::find_quantile(x, y_upper_curve, p, x_max);
  return q;
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_SURVIVAL_HPP
