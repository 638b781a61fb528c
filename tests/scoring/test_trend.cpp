// Tests of scoring/trend.hpp: per-rep slopes and their significance.
#include "salesops/scoring/trend.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

using namespace salesops;
using namespace salesops::scoring;
using Catch::Matchers::Contains;

TEST_CASE("rep slopes match R's summary.lm per rep", "[scoring][trend]") {
  // Three reps over months 1..6, rows interleaved; rep 3 has two rows only.
  // R: x <- 1:6
  //   summary(lm(c(10,12,15,15,19,22) ~ x))$coefficients[2,]
  //     -> 2.314285714285713613 0.232115382989598967 9.970410769325944500 0.000568487833185252
  //   summary(lm(c(30,29,31,27,26,24) ~ x))$coefficients[2,]
  //     -> -1.2285714285714302 0.3468026944006306 -3.5425659846580366 0.0239580730562517
  //   summary(lm(c(5,7,4,6,5,6) ~ x))$coefficients[2,]
  //     -> 0.028571428571428 0.279941684889506 0.102062072615964 0.923619109231298
  const double y[3][6] = {{10, 12, 15, 15, 19, 22}, {30, 29, 31, 27, 26, 24}, {5, 7, 4, 6, 5, 6}};
  std::vector<std::size_t> rep;
  std::vector<double> period, value;
  for (int m = 0; m < 6; ++m)
    for (std::size_t r = 0; r < 3; ++r) {
      rep.push_back(r);
      period.push_back(m + 1);
      value.push_back(y[r][m]);
    }
  rep.insert(rep.end(), {3, 3});
  period.insert(period.end(), {1, 3});
  value.insert(value.end(), {4, 10});
  const auto t = rep_trends(rep, period, value);
  REQUIRE(t.size() == 4);
  CHECK(t[0].slope == Approx(2.314285714285713613).epsilon(1e-12));
  CHECK(t[0].std_error == Approx(0.232115382989598967).epsilon(1e-10));
  CHECK(t[0].p_value == Approx(0.000568487833185252).epsilon(1e-8));
  CHECK(t[0].flag == trend_flag::improving);
  CHECK(t[1].slope == Approx(-1.2285714285714302).epsilon(1e-12));
  CHECK(t[1].t_value == Approx(-3.5425659846580366).epsilon(1e-10));
  CHECK(t[1].p_value == Approx(0.0239580730562517).epsilon(1e-8));
  CHECK(t[1].flag == trend_flag::declining);
  CHECK(t[2].p_value == Approx(0.923619109231298).epsilon(1e-8));
  CHECK(t[2].flag == trend_flag::flat);
  CHECK(t[3].flag == trend_flag::too_few_periods);
  CHECK(t[3].slope == 3.0); // (10 - 4) / (3 - 1)
  CHECK(std::isnan(t[3].p_value));
  // At the 1 % level rep 1 (p = 0.024) is no longer flagged; a lower-is-better KPI swaps the
  // verdicts.
  const auto strict = rep_trends(rep, period, value, 0.01);
  CHECK(strict[1].flag == trend_flag::flat);
  CHECK(strict[0].flag == trend_flag::improving);
  const auto lower = rep_trends(rep, period, value, 0.05, true);
  CHECK(lower[0].flag == trend_flag::declining);
  CHECK(lower[1].flag == trend_flag::improving);
  std::ostringstream out;
  out << t[0];
  CHECK(out.str().find("improving") != std::string::npos);
}

TEST_CASE("rep_trends rejects bad input", "[scoring][trend]") {
  const std::vector<std::size_t> rep = {0, 0, 0};
  const std::vector<double> same = {2, 2, 2}, ok = {1, 2, 3};
  const std::vector<double> nan = {1, std::numeric_limits<double>::quiet_NaN(), 3};
  CHECK_THROWS_AS(rep_trends(rep, same, ok), rank_deficient);
  CHECK_THROWS_WITH(rep_trends(rep, same, ok), Contains("of rep 0"));
  CHECK_THROWS_WITH(rep_trends(rep, ok, nan), Contains("value at row 1"));
  CHECK_THROWS_AS(rep_trends(rep, ok, ok, 1.5), out_of_range_value);
  const std::vector<double> two = {1, 2};
  CHECK_THROWS_AS(rep_trends(rep, two, ok), length_mismatch);
  // The largest size_t as a rep index: rep + 1 wrapped the rep count to 0, and the rows were
  // then filed out of bounds.
  const std::vector<std::size_t> wraps = {0, std::numeric_limits<std::size_t>::max(), 0};
  CHECK_THROWS_AS(rep_trends(wraps, ok, ok), out_of_range_value);
  CHECK_THROWS_WITH(rep_trends(wraps, ok, ok), Contains("rep at row 1 is 18446744073709551615"));
}
