// `salesops demo` section "Forecast": monthly won bookings of the simulated organisation,
// fitted with salesops::forecast::tslm on trend + quarter-end month (the simulator pushes
// wins into the last month of a quarter), and the next quarter's forecast with 80 % and
// 95 % prediction intervals, plus the rolling-origin one-step error of that model.
#include "demo.hpp"

#include <cstdio>
#include <ostream>
#include <vector>

#include <salesops/core/calendar.hpp>
#include <salesops/core/sum.hpp>
#include <salesops/forecast/evaluation.hpp>
#include <salesops/forecast/forecast.hpp>

namespace {

namespace fc = salesops::forecast;
namespace sim = salesops::simulate;

const salesops_cli::demo_registrar reg{
    {"Forecast", 50, [](const salesops_cli::demo_context& ctx, std::ostream& out) {
       const sim::opportunity_table& opp = ctx.data.opportunities;
       std::vector<salesops::date> month_start;
       for (salesops::period p = salesops::period_of(ctx.data.start, salesops::period_kind::month);
            p.start < ctx.data.end; p = salesops::next_period(p))
         month_start.push_back(p.start);
       const std::size_t months = month_start.size();
       std::vector<salesops::neumaier_sum<double>> won(months);
       for (std::size_t i = 0; i < opp.size(); ++i) {
         if (opp.outcome[i] != sim::outcome::won || opp.close_date[i] < ctx.data.start ||
             opp.close_date[i] >= ctx.data.end)
           continue;
         for (std::size_t m = months; m-- > 0;)
           if (opp.close_date[i] >= month_start[m]) {
             won[m].update(opp.amount[i]);
             break;
           }
       }
       std::vector<double> bookings(months);
       for (std::size_t m = 0; m < months; ++m) bookings[m] = won[m].result();
       const int first_month = static_cast<int>(salesops::to_civil(ctx.data.start).month);
       const fc::design_factory make = [first_month](std::size_t n, std::size_t first_row) {
         const int month = static_cast<int>((static_cast<std::size_t>(first_month - 1) + first_row) % 12) + 1;
         fc::ts_design d(n, 12, month);
         d.intercept().trend().quarter_end(month, 1);
         return d;
       };
       const fc::tslm_model model = fc::tslm(make(months, 0), bookings);
       const fc::forecast_result f = fc::forecast(model, 3);
       char line[160];
       std::snprintf(line, sizeof line,
                     "  Monthly bookings ~ trend + quarter_end on %zu months: trend %s/month, "
                     "quarter-end uplift %s\n",
                     months, salesops_cli::format_money(model.model.coefficients[1]).c_str(),
                     salesops_cli::format_money(model.model.coefficients[2]).c_str());
       out << line;
       for (Eigen::Index i = 0; i < 3; ++i) {
         std::snprintf(line, sizeof line, "  month +%d  %12s   80%% [%s, %s]   95%% [%s, %s]\n",
                       static_cast<int>(i + 1), salesops_cli::format_money(f.mean[i]).c_str(),
                       salesops_cli::format_money(f.lower(i, 0)).c_str(),
                       salesops_cli::format_money(f.upper(i, 0)).c_str(),
                       salesops_cli::format_money(f.lower(i, 1)).c_str(),
                       salesops_cli::format_money(f.upper(i, 1)).c_str());
         out << line;
       }
       fc::cv_options cv;
       cv.initial = months / 2;
       const fc::cv_result r = fc::rolling_origin(bookings, fc::tslm_forecaster(make), cv);
       std::snprintf(line, sizeof line, "  Rolling-origin one-step RMSE %s over %zu origins\n",
                     salesops_cli::format_money(r.rmse[0]).c_str(), r.count[0]);
       out << line;
     }}};

} // namespace
