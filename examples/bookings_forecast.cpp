// Forecast next quarter's bookings from three years of simulated monthly history, with
// pipeline coverage as a regressor: monthly won bookings ~ trend + quarter-end month +
// coverage, where coverage = open pipeline value at the start of the month / that month's
// total quota (the usual "pipeline coverage ratio"). Prints an R-like summary table (as
// summary(lm(...))) and the three monthly forecasts with 80 % and 95 % prediction intervals.
//
// The future coverage values are a scenario, stated in the output: the coverage measured at
// the end of the history (open pipeline today / the last monthly quota) is assumed for each
// of the next three months.
#include <salesops/core/calendar.hpp>
#include <salesops/core/sum.hpp>
#include <salesops/forecast/design.hpp>
#include <salesops/forecast/forecast.hpp>
#include <salesops/forecast/inference.hpp>
#include <salesops/simulate/crm.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace fc = salesops::forecast;
namespace sim = salesops::simulate;

namespace {

// R's significance codes: *** < 0.001, ** < 0.01, * < 0.05, . < 0.1.
const char* stars(double p) {
  return p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : p < 0.1 ? "." : "";
}

} // namespace

int main() {
  sim::config cfg;
  cfg.seed = 11;
  cfg.months = 36;
  const sim::dataset data = sim::simulate_crm(cfg);
  const sim::opportunity_table& opp = data.opportunities;
  const auto months = static_cast<std::size_t>(cfg.months);

  // Month starts of the history.
  std::vector<salesops::date> month_start;
  for (salesops::period p = salesops::period_of(data.start, salesops::period_kind::month);
       p.start < data.end; p = salesops::next_period(p))
    month_start.push_back(p.start);

  // Bookings: won amounts by the month of the close date (compensated sums of money).
  std::vector<salesops::neumaier_sum<double>> won(months);
  for (std::size_t i = 0; i < opp.size(); ++i) {
    if (opp.outcome[i] != sim::outcome::won || opp.close_date[i] < data.start ||
        opp.close_date[i] >= data.end)
      continue;
    for (std::size_t m = months; m-- > 0;)
      if (opp.close_date[i] >= month_start[m]) {
        won[m].update(opp.amount[i]);
        break;
      }
  }
  // Open pipeline at a day: deals created before it and not closed by then.
  auto open_pipeline = [&](salesops::date day) {
    salesops::neumaier_sum<double> total;
    for (std::size_t i = 0; i < opp.size(); ++i)
      if (opp.created[i] < day && (opp.outcome[i] == sim::outcome::open || opp.close_date[i] >= day))
        total.update(opp.amount[i]);
    return total.result();
  };
  std::vector<salesops::neumaier_sum<double>> quota(months);
  for (std::size_t q = 0; q < data.quotas.amount.size(); ++q) {
    if (data.quotas.period[q] != sim::quota_period::month) continue;
    for (std::size_t m = 0; m < months; ++m)
      if (data.quotas.period_start[q] == month_start[m]) quota[m].update(data.quotas.amount[q]);
  }
  std::vector<double> bookings(months), coverage(months);
  for (std::size_t m = 0; m < months; ++m) {
    bookings[m] = won[m].result() / 1e3; // thousands
    coverage[m] = open_pipeline(month_start[m]) / quota[m].result();
  }
  const double coverage_now = open_pipeline(data.end) / quota[months - 1].result();
  const std::vector<double> coverage_next(3, coverage_now);

  const salesops::civil_date first = salesops::to_civil(data.start);
  fc::ts_design design(months, 12, static_cast<int>(first.month));
  design.intercept().trend().quarter_end(static_cast<int>(first.month), 1).regressor(
      "coverage", coverage, coverage_next);
  const fc::tslm_model model = fc::tslm(design, bookings);
  const fc::lm_summary s = fc::summarize(model.model);

  std::printf("Monthly bookings (thousands) ~ trend + quarter_end + coverage, %zu months\n\n", months);
  std::printf("Coefficients:\n");
  std::printf("%-12s %12s %12s %8s %10s\n", "", "Estimate", "Std. Error", "t value", "Pr(>|t|)");
  for (std::size_t j = 0; j < s.coefficients.size(); ++j) {
    const fc::coefficient_row& c = s.coefficients[j];
    std::printf("%-12s %12.4f %12.4f %8.3f %10.3g %s\n", model.names[j].c_str(), c.estimate,
                c.std_error, c.t_value, c.p_value, stars(c.p_value));
  }
  std::printf("---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n\n");
  std::printf("Residual standard error: %.4g on %zu degrees of freedom\n", s.residual_sd, s.df_residual);
  std::printf("Multiple R-squared:  %.4f,\tAdjusted R-squared:  %.4f\n", s.r_squared, s.adj_r_squared);
  std::printf("F-statistic: %.4g on %.0f and %.0f DF,  p-value: %.4g\n\n", s.f_statistic, s.f_df1,
              s.f_df2, s.f_p_value);

  const fc::forecast_result f = fc::forecast(model, 3);
  std::printf("Next quarter (coverage scenario: %.3f, today's coverage, each month)\n", coverage_now);
  std::printf("%-8s %10s %10s %10s %10s %10s\n", "month", "forecast", "lo 80", "hi 80", "lo 95", "hi 95");
  for (Eigen::Index i = 0; i < 3; ++i)
    std::printf("%-8s %10.1f %10.1f %10.1f %10.1f %10.1f\n", ("T+" + std::to_string(i + 1)).c_str(),
                f.mean[i], f.lower(i, 0), f.upper(i, 0), f.lower(i, 1), f.upper(i, 1));
  std::printf("Quarter total forecast: %.1f thousand\n", f.mean.sum());
  return 0;
}
