// Tests for salesops/core/calendar.hpp. References: hand derivations from the Gregorian rules,
// R's as.Date / format(..., "%G-W%V %u"), Python's date.isocalendar(), numpy.busday_count,
// the NRF 4-5-4 calendar (nrf.com/resources/4-5-4-calendar), and brute-force day walkers
// written below.
#include <salesops/core/calendar.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using namespace salesops;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {

// Brute force: walk day by day from 1970-01-01, carrying year/month/day with the textbook
// leap rule, forwards and backwards, so every date of [1900, 2100] is visited once.
struct day_walker {
  int year = 1970;
  unsigned month = 1, day = 1;
  static unsigned length(int y, unsigned m) {
    if (m == 2) return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28;
    return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
  }
  void forward() {
    if (++day > length(year, month)) {
      day = 1;
      if (++month > 12) {
        month = 1;
        ++year;
      }
    }
  }
  void backward() {
    if (--day == 0) {
      if (--month == 0) {
        month = 12;
        --year;
      }
      day = length(year, month);
    }
  }
};

// Brute-force ISO week: week 1 is the Monday-to-Sunday week holding the year's first
// Thursday; count the Thursdays of the Thursday's year up to the Thursday of d's week.
iso_week brute_iso_week(date d) {
  date monday = d;
  while (iso_weekday(monday) != 1) --monday;
  const date thursday = monday + 3;
  const int year = to_civil(thursday).year;
  unsigned week = 0;
  for (date t = thursday; to_civil(t).year == year; t -= 7) ++week;
  return {year, week};
}

// Brute-force business days: look at every day of [from, to).
std::int64_t brute_business_days(date from, date to, const std::vector<date>& holidays) {
  if (to < from) return -brute_business_days(to, from, holidays);
  std::int64_t n = 0;
  for (date d = from; d < to; ++d) {
    const bool weekend = iso_weekday(d) >= 6;
    const bool holiday = std::find(holidays.begin(), holidays.end(), d) != holidays.end();
    if (!weekend && !holiday) ++n;
  }
  return n;
}

// Brute-force retail year end: step back from the last day of the end month to the end
// weekday; for "nearest", also try the next one and keep whichever is closer.
date brute_retail_year_end(int calendar_year, const retail_calendar& cal) {
  const date month_end =
      make_date(calendar_year, cal.end_month, day_walker::length(calendar_year, cal.end_month));
  date last = month_end;
  while (iso_weekday(last) != cal.end_weekday) --last;
  if (cal.rule == retail_year_end::nearest_weekday && month_end - last > (last + 7) - month_end)
    last += 7;
  return last;
}

} // namespace

TEST_CASE("calendar: rules of the Gregorian calendar by hand", "[core][calendar]") {
  CHECK(make_date(1970, 1, 1) == 0);
  CHECK(iso_weekday(0) == 4);                                  // 1970-01-01 was a Thursday
  CHECK(make_date(2000, 2, 29) - make_date(2000, 2, 28) == 1); // 2000 is divisible by 400
  CHECK_THROWS_AS(make_date(1900, 2, 29), out_of_range_value); // 1900 is divisible by 100 only
  CHECK(is_leap_year(2000));
  CHECK_FALSE(is_leap_year(1900));
  CHECK(is_leap_year(2024));
  CHECK_FALSE(is_leap_year(2023));
  CHECK(days_in_month(2024, 2) == 29);
  CHECK(days_in_month(2023, 2) == 28);
  CHECK(days_in_month(2023, 4) == 30);
  CHECK(days_in_month(2023, 12) == 31);
  // 400 Gregorian years have 146097 days (97 leap years).
  CHECK(make_date(2400, 1, 1) - make_date(2000, 1, 1) == 146097);
}

TEST_CASE("calendar: day numbers agree with R's as.Date", "[core][calendar]") {
  // R: as.numeric(as.Date(c("2026-03-15","1900-01-01","2100-12-31","0001-01-01",
  //                          "1969-12-31","2000-02-29")))
  //    20527  -25567   47846 -719162      -1   11016
  CHECK(make_date(2026, 3, 15) == 20527);
  CHECK(make_date(1900, 1, 1) == -25567);
  CHECK(make_date(2100, 12, 31) == 47846);
  CHECK(make_date(1, 1, 1) == -719162);
  CHECK(make_date(1969, 12, 31) == -1);
  CHECK(make_date(2000, 2, 29) == 11016);
  // R: format(as.Date(c(...same...)), "%u") -> 7 1 5 1 3 2
  CHECK(iso_weekday(20527) == 7);
  CHECK(iso_weekday(-25567) == 1);
  CHECK(iso_weekday(47846) == 5);
  CHECK(iso_weekday(-719162) == 1);
  CHECK(iso_weekday(-1) == 3);
  CHECK(iso_weekday(11016) == 2);
}

TEST_CASE("calendar: days_from_civil and civil_from_days equal a day-by-day walk over "
          "1900-2100",
          "[core][calendar]") {
  for (int direction : {+1, -1}) {
    day_walker w;
    for (date d = 0; d >= make_date(1900, 1, 1) && d <= make_date(2100, 12, 31); d += direction) {
      const civil_date c = to_civil(d);
      REQUIRE(c.year == w.year);
      REQUIRE(c.month == w.month);
      REQUIRE(c.day == w.day);
      REQUIRE(make_date(w.year, w.month, w.day) == d);
      // Weekdays cycle with period 7 from Thursday 1970-01-01.
      REQUIRE(iso_weekday(d) == static_cast<unsigned>(((d % 7) + 7 + 3) % 7 + 1));
      if (direction > 0) {
        w.forward();
      } else {
        w.backward();
      }
    }
  }
}

TEST_CASE("calendar: calendar months, quarters and years hold their days, 1900-2100",
          "[core][calendar]") {
  day_walker w; // brute force: the civil date of each day by walking from 1900-01-01
  w.year = 1900;
  for (date d = make_date(1900, 1, 1); d <= make_date(2100, 12, 31); ++d, w.forward()) {
    const period m = period_of(d, period_kind::month);
    const period q = period_of(d, period_kind::quarter);
    const period y = period_of(d, period_kind::year);
    REQUIRE((m.year == w.year && m.index == w.month));
    REQUIRE(m.start == d - static_cast<date>(w.day - 1));
    REQUIRE(m.end - m.start == static_cast<date>(day_walker::length(w.year, w.month)));
    REQUIRE((q.year == w.year && q.index == (w.month - 1) / 3 + 1));
    REQUIRE((q.start <= m.start && m.end <= q.end));
    REQUIRE(to_civil(q.start).month == 3 * q.index - 2);
    REQUIRE((y.year == w.year && y.index == 1u));
    REQUIRE(y.start == make_date(w.year, 1, 1));
    REQUIRE(y.end == make_date(w.year + 1, 1, 1));
  }
}

TEST_CASE("calendar: the whole date range round-trips", "[core][calendar]") {
  // Hand derivation: 2^31 days is about 5.88 million years either side of 1970, and every
  // value of salesops::date is a valid day.
  const date lo = std::numeric_limits<date>::min();
  const date hi = std::numeric_limits<date>::max();
  for (date d : {lo, lo + 1, -719468, -719469, -1, 0, 1, hi - 1, hi}) {
    const civil_date c = to_civil(d);
    CHECK(make_date(c.year, c.month, c.day) == d);
  }
  CHECK(to_civil(hi).year == 5881580);
  CHECK(to_civil(lo).year == -5877641);
  CHECK_THROWS_AS(make_date(5881581, 1, 1), out_of_range_value);
  CHECK_THROWS_WITH(make_date(5881581, 1, 1),
                    Equals("make_date: year is 5881581, whose dates do not fit in salesops::date"));
  // The ISO weeks at both ends leave the range: lo is a Tuesday (its Monday is lo - 1, which
  // used to wrap to a period starting at 2147483647) and hi's week ends after hi.
  CHECK(iso_weekday(lo) == 2);
  for (date d : {lo, hi})
    CHECK_THROWS_WITH(period_of(d, period_kind::week),
                      Equals("period_of: d is " + std::to_string(d) +
                             ", whose week does not fit in salesops::date"));
  // The first whole week of the range: Monday lo + 6.
  CHECK(period_of(lo + 6, period_kind::week).start == lo + 6);
}

TEST_CASE("calendar: timestamps floor to their UTC day", "[core][calendar]") {
  // Hand derivation: one day is 86400 s; floor division keeps the last second of
  // 1969-12-31 (t = -1) on day -1.
  CHECK(date_from_timestamp(0) == 0);
  CHECK(date_from_timestamp(86399) == 0);
  CHECK(date_from_timestamp(86400) == 1);
  CHECK(date_from_timestamp(-1) == -1);
  CHECK(date_from_timestamp(-86400) == -1);
  CHECK(date_from_timestamp(-86401) == -2);
  // 2026-03-15T12:34:56Z = 20527 * 86400 + 45296 (R: as.numeric(as.POSIXct(
  // "2026-03-15 12:34:56", tz = "UTC")) = 1773578096).
  CHECK(date_from_timestamp(1773578096) == 20527);
  CHECK(timestamp_from_date(20527) == 1773532800);
  CHECK(timestamp_from_date(-1) == -86400);
  for (date d : {std::numeric_limits<date>::min(), -1, 0, 20527, std::numeric_limits<date>::max()})
    CHECK(date_from_timestamp(timestamp_from_date(d) + 86399) == d);

  const std::int64_t too_late = (std::int64_t{std::numeric_limits<date>::max()} + 1) * 86400;
  CHECK_THROWS_AS(date_from_timestamp(too_late), out_of_range_value);
  CHECK_THROWS_WITH(date_from_timestamp(too_late),
                    Contains("date_from_timestamp: seconds is 185542587187200"));
}

TEST_CASE("calendar: ISO weeks", "[core][calendar]") {
  // Issue examples, confirmed by Python: date(2021,1,3).isocalendar() == (2020, 53, 7),
  // date(2024,12,30).isocalendar() == (2025, 1, 1); R format(.., "%G-W%V") agrees.
  const iso_week a = iso_week_of(make_date(2021, 1, 3));
  CHECK(a.year == 2020);
  CHECK(a.week == 53);
  const iso_week b = iso_week_of(make_date(2024, 12, 30));
  CHECK(b.year == 2025);
  CHECK(b.week == 1);
  // R: format(as.Date(c("2008-12-29","2010-01-03","2026-01-01","2027-01-01")), "%G-W%V")
  //    "2009-W01" "2009-W53" "2026-W01" "2026-W53"
  std::ostringstream text;
  text << iso_week_of(make_date(2008, 12, 29)) << ' ' << iso_week_of(make_date(2010, 1, 3)) << ' '
       << iso_week_of(make_date(2026, 1, 1)) << ' ' << iso_week_of(make_date(2027, 1, 1));
  CHECK(text.str() == "2009-W01 2009-W53 2026-W01 2026-W53");
  // A year has 53 ISO weeks when it starts on a Thursday, or on a Wednesday in a leap year.
  CHECK(iso_weeks_in_year(2020) == 53); // leap year starting on Wednesday
  CHECK(iso_weeks_in_year(2026) == 53); // starts on Thursday
  CHECK(iso_weeks_in_year(2021) == 52);
  CHECK(iso_weeks_in_year(2024) == 52); // leap year starting on Monday
}

TEST_CASE("calendar: ISO weeks equal a brute-force count over 1990-2040", "[core][calendar]") {
  for (date d = make_date(1990, 1, 1); d <= make_date(2040, 12, 31); ++d) {
    const iso_week fast = iso_week_of(d);
    const iso_week slow = brute_iso_week(d);
    REQUIRE(fast.year == slow.year);
    REQUIRE(fast.week == slow.week);
    const period p = period_of(d, period_kind::week);
    REQUIRE(p.start <= d);
    REQUIRE(d < p.end);
    REQUIRE(iso_weekday(p.start) == 1);
    REQUIRE(p.end - p.start == 7);
    REQUIRE(p.year == slow.year);
    REQUIRE(p.index == slow.week);
    REQUIRE(make_period(period_kind::week, p.year, p.index) == p);
  }
}

TEST_CASE("calendar: calendar periods, labels and succession", "[core][calendar]") {
  const date d = make_date(2026, 1, 30); // a Friday
  const period w = period_of(d, period_kind::week);
  CHECK(to_string(w) == "2026-W05");
  CHECK(w.start == make_date(2026, 1, 26));
  CHECK(w.end == make_date(2026, 2, 2));
  const period m = period_of(make_date(2026, 3, 9), period_kind::month);
  CHECK(to_string(m) == "2026-03");
  CHECK(m.start == make_date(2026, 3, 1));
  CHECK(m.end == make_date(2026, 4, 1));
  const period q = period_of(d, period_kind::quarter);
  CHECK(to_string(q) == "2026-Q1");
  CHECK(q.end == make_date(2026, 4, 1));
  const period y = period_of(d, period_kind::year);
  CHECK(to_string(y) == "2026");
  CHECK(y.end - y.start == 365);
  CHECK(to_string(period_of(make_date(-1, 5, 1), period_kind::year)) == "-0001");
  CHECK(to_string(period_of(make_date(999, 5, 1), period_kind::month)) == "0999-05");

  std::ostringstream text;
  text << q << " | " << period_kind::quarter << " | " << to_civil(make_date(2026, 3, 5));
  CHECK(text.str() == "2026-Q1 [2026-01-01, 2026-04-01) | quarter | 2026-03-05");
  CHECK(format_date(make_date(2026, 3, 5)) == "2026-03-05");

  // next_period starts where the previous one ends; a year has 12 months, 4 quarters.
  for (period_kind kind : {period_kind::week, period_kind::month, period_kind::quarter}) {
    period p = period_of(make_date(2019, 12, 31), kind);
    for (int i = 0; i < 60; ++i) {
      const period next = next_period(p);
      REQUIRE(next.start == p.end);
      REQUIRE(next.kind == kind);
      REQUIRE(next.index == (next.year == p.year ? p.index + 1 : 1u));
      p = next;
    }
  }
  CHECK(next_period(period_of(make_date(2026, 12, 15), period_kind::month)) ==
        make_period(period_kind::month, 2027, 1));
  CHECK(make_period(period_kind::quarter, 2026, 4).start == make_date(2026, 10, 1));
  CHECK(make_period(period_kind::year, 2024, 1).end -
            make_period(period_kind::year, 2024, 1).start ==
        366);
}

TEST_CASE("calendar: invalid dates and labels throw, naming the value", "[core][calendar]") {
  CHECK_THROWS_AS(make_date(2026, 2, 30), out_of_range_value);
  CHECK_THROWS_WITH(make_date(2026, 2, 30),
                    Equals("make_date: day is 30, but month 2 of 2026 has 28 days"));
  CHECK_THROWS_WITH(make_date(1900, 2, 29),
                    Equals("make_date: day is 29, but month 2 of 1900 has 28 days"));
  CHECK_THROWS_AS(make_date(2026, 4, 31), out_of_range_value);
  CHECK_THROWS_AS(make_date(2026, 1, 0), out_of_range_value);
  CHECK_THROWS_WITH(make_date(2026, 13, 1), Equals("make_date: month is 13, outside [1, 12]"));
  CHECK_THROWS_WITH(make_date(2026, 0, 1), Equals("make_date: month is 0, outside [1, 12]"));
  CHECK_THROWS_WITH(days_in_month(2026, 13), Equals("days_in_month: month is 13, outside [1, 12]"));
  CHECK_THROWS_AS(make_period(period_kind::week, 2021, 53), out_of_range_value);
  CHECK_THROWS_WITH(make_period(period_kind::week, 2021, 53),
                    Equals("make_period: index is 53, outside [1, 52]"));
  CHECK_THROWS_WITH(make_period(period_kind::month, 2021, 0),
                    Equals("make_period: index is 0, outside [1, 12]"));
  CHECK_THROWS_WITH(make_period(period_kind::quarter, 2021, 5),
                    Equals("make_period: index is 5, outside [1, 4]"));
  CHECK_THROWS_AS(make_period(period_kind::year, 2021, 2), out_of_range_value);
  CHECK_THROWS_AS(period_of(0, static_cast<period_kind>(9)), out_of_range_value);
  CHECK_THROWS_WITH(period_of(0, static_cast<period_kind>(9)),
                    Equals("period_of: kind is 9, not a period_kind"));
}

TEST_CASE("calendar: fiscal years starting in any month", "[core][calendar]") {
  // Hand derivation: a fiscal year starting in July is labelled by the year it ends in, so
  // 2025-08-15 is in FY2026 (2025-07-01 .. 2026-06-30), fiscal month 2, fiscal quarter 1.
  const fiscal_calendar july{7};
  const date d = make_date(2025, 8, 15);
  const period m = period_of(d, period_kind::month, july);
  CHECK(to_string(m) == "FY2026-P02");
  CHECK(m.start == make_date(2025, 8, 1));
  CHECK(m.end == make_date(2025, 9, 1));
  const period q = period_of(d, period_kind::quarter, july);
  CHECK(to_string(q) == "FY2026-Q1");
  CHECK(q.end == make_date(2025, 10, 1));
  const period y = period_of(d, period_kind::year, july);
  CHECK(to_string(y) == "FY2026");
  CHECK(y.start == make_date(2025, 7, 1));
  CHECK(y.end == make_date(2026, 7, 1));
  CHECK(to_string(period_of(make_date(2026, 6, 30), period_kind::quarter, july)) == "FY2026-Q4");
  CHECK(to_string(period_of(make_date(2026, 7, 1), period_kind::quarter, july)) == "FY2027-Q1");
  // Labelled by the start year instead: 2025-08-15 is in fiscal 2025.
  CHECK(to_string(period_of(d, period_kind::year,
                            fiscal_calendar{7, fiscal_year_label::start_year})) == "FY2025");
  // start_month 1 is the calendar year under either label.
  CHECK(period_of(d, period_kind::year, fiscal_calendar{1}).year == 2025);
  CHECK(period_of(d, period_kind::year, fiscal_calendar{1, fiscal_year_label::start_year}).year ==
        2025);
  // US federal fiscal year: starts 1 October, FY2026 = 2025-10-01 .. 2026-09-30.
  const period federal = make_period(period_kind::year, 2026, 1, fiscal_calendar{10});
  CHECK(federal.start == make_date(2025, 10, 1));
  CHECK(federal.end == make_date(2026, 10, 1));
  CHECK(make_period(period_kind::quarter, 2026, 2, fiscal_calendar{10}).start ==
        make_date(2026, 1, 1));

  std::ostringstream text;
  text << july << ' ' << q;
  CHECK(text.str() == "fiscal_calendar{start_month=7, label=end_year} FY2026-Q1 "
                      "[2025-07-01, 2025-10-01)");
}

TEST_CASE("calendar: fiscal periods tile the days and follow the label rule", "[core][calendar]") {
  const unsigned start_month = GENERATE(range(1u, 13u));
  const fiscal_year_label label =
      GENERATE(fiscal_year_label::end_year, fiscal_year_label::start_year);
  const fiscal_calendar cal{start_month, label};
  for (date d = make_date(2019, 1, 1); d <= make_date(2027, 12, 31); ++d) {
    const period m = period_of(d, period_kind::month, cal);
    const period q = period_of(d, period_kind::quarter, cal);
    const period y = period_of(d, period_kind::year, cal);
    // A fiscal month is a calendar month; quarters are three of them, in order.
    const period cm = period_of(d, period_kind::month);
    REQUIRE(m.start == cm.start);
    REQUIRE(m.end == cm.end);
    REQUIRE(m.index == (cm.index + 12 - start_month) % 12 + 1);
    REQUIRE(q.index == (m.index - 1) / 3 + 1);
    REQUIRE((q.start <= m.start && m.end <= q.end));
    REQUIRE((y.start <= q.start && q.end <= y.end));
    REQUIRE(to_civil(y.start).month == start_month);
    REQUIRE(to_civil(y.start).day == 1u);
    // The label: the calendar year of its last month (end_year) or first month (start_year).
    const int expected_label =
        label == fiscal_year_label::end_year ? to_civil(y.end - 1).year : to_civil(y.start).year;
    REQUIRE(y.year == expected_label);
    REQUIRE((m.year == y.year && q.year == y.year));
    REQUIRE(make_period(period_kind::month, m.year, m.index, cal) == m);
    REQUIRE(make_period(period_kind::quarter, q.year, q.index, cal) == q);
    if (d == m.start) {
      const period before = period_of(d - 1, period_kind::month, cal);
      REQUIRE(next_period(before, cal) == m);
    }
  }
}

TEST_CASE("calendar: fiscal calendar bad input", "[core][calendar]") {
  CHECK_THROWS_AS(period_of(0, period_kind::month, fiscal_calendar{13}), out_of_range_value);
  CHECK_THROWS_WITH(period_of(0, period_kind::month, fiscal_calendar{13}),
                    Equals("period_of: start_month is 13, outside [1, 12]"));
  CHECK_THROWS_WITH(period_of(0, period_kind::month, fiscal_calendar{0}),
                    Equals("period_of: start_month is 0, outside [1, 12]"));
  CHECK_THROWS_AS(period_of(0, period_kind::week, fiscal_calendar{7}), out_of_range_value);
  CHECK_THROWS_WITH(period_of(0, period_kind::week, fiscal_calendar{7}),
                    Contains("period_of: kind is week, but a fiscal_calendar has no weeks"));
  CHECK_THROWS_WITH(make_period(period_kind::month, 2026, 13, fiscal_calendar{7}),
                    Equals("make_period: index is 13, outside [1, 12]"));
  CHECK_THROWS_AS(
      period_of(0, period_kind::year, fiscal_calendar{7, static_cast<fiscal_year_label>(5)}),
      out_of_range_value);
  // A calendar period handed to the fiscal successor, and the reverse.
  const period calendar_month = period_of(0, period_kind::month);
  CHECK_THROWS_WITH(next_period(calendar_month, fiscal_calendar{7}),
                    Equals("next_period: p is 1970-01, not a fiscal_calendar period"));
  const period fiscal_month = period_of(0, period_kind::month, fiscal_calendar{7});
  CHECK_THROWS_AS(next_period(fiscal_month), out_of_range_value);
  CHECK_THROWS_WITH(next_period(fiscal_month), Contains("next_period: p is the fiscal period "
                                                        "FY1970-P07"));
}

TEST_CASE("calendar: NRF 4-5-4 retail calendar", "[core][calendar]") {
  // NRF 4-5-4 calendar (nrf.com/resources/4-5-4-calendar): the year ends on the Saturday
  // nearest 31 January and is named for the year it starts in. Fiscal 2023 ran from Sunday
  // 2023-01-29 to Saturday 2024-02-03 and had 53 weeks; its months (4-5-4 weeks, January
  // taking the 53rd week) began Jan 29, Feb 26, Apr 2, Apr 30, May 28, Jul 2, Jul 30,
  // Aug 27, Oct 1, Oct 29, Nov 26, Dec 31.
  const retail_calendar nrf{};
  const period y2023 = make_period(period_kind::year, 2023, 1, nrf);
  CHECK(to_string(y2023) == "FY2023");
  CHECK(y2023.start == make_date(2023, 1, 29));
  CHECK(y2023.end - 1 == make_date(2024, 2, 3));
  CHECK(iso_weekday(y2023.end - 1) == 6);
  CHECK(retail_weeks_in_year(2023, nrf) == 53);
  const date month_starts[12] = {
      make_date(2023, 1, 29),  make_date(2023, 2, 26),  make_date(2023, 4, 2),
      make_date(2023, 4, 30),  make_date(2023, 5, 28),  make_date(2023, 7, 2),
      make_date(2023, 7, 30),  make_date(2023, 8, 27),  make_date(2023, 10, 1),
      make_date(2023, 10, 29), make_date(2023, 11, 26), make_date(2023, 12, 31)};
  period p = make_period(period_kind::month, 2023, 1, nrf);
  for (unsigned i = 0; i < 12; ++i) {
    INFO("period " << i + 1);
    CHECK(p.index == i + 1);
    CHECK(p.start == month_starts[i]);
    p = next_period(p, nrf);
  }
  CHECK(p.start == make_date(2024, 2, 4)); // fiscal 2024 starts the next day
  CHECK(to_string(p) == "FY2024-P01");
  // Q4 of a 53-week year has 14 weeks; the 53rd week is the last of period 12.
  const period q4 = make_period(period_kind::quarter, 2023, 4, nrf);
  CHECK(q4.start == make_date(2023, 10, 29));
  CHECK(q4.end - q4.start == 14 * 7);
  const period w53 = period_of(make_date(2024, 2, 3), period_kind::week, nrf);
  CHECK(to_string(w53) == "FY2023-W53");
  CHECK(w53.start == make_date(2024, 1, 28));
  // Published NRF years: 2017 (53 weeks, to 2018-02-03), 2022 (to 2023-01-28),
  // 2024 (2024-02-04 .. 2025-02-01), 2025 (to 2026-01-31), 2028 the next 53-week year.
  CHECK(make_period(period_kind::year, 2017, 1, nrf).end - 1 == make_date(2018, 2, 3));
  CHECK(retail_weeks_in_year(2017, nrf) == 53);
  CHECK(make_period(period_kind::year, 2022, 1, nrf).end - 1 == make_date(2023, 1, 28));
  CHECK(make_period(period_kind::year, 2024, 1, nrf).start == make_date(2024, 2, 4));
  CHECK(make_period(period_kind::year, 2024, 1, nrf).end - 1 == make_date(2025, 2, 1));
  CHECK(make_period(period_kind::year, 2025, 1, nrf).end - 1 == make_date(2026, 1, 31));
  for (int year = 2018; year <= 2027; ++year)
    CHECK(retail_weeks_in_year(year, nrf) == (year == 2023 ? 53u : 52u));
  CHECK(retail_weeks_in_year(2028, nrf) == 53);
  // A date's period, quarter and week: 2023-12-25 is in December (P11), Q4, week 48.
  const date christmas = make_date(2023, 12, 25);
  CHECK(to_string(period_of(christmas, period_kind::month, nrf)) == "FY2023-P11");
  CHECK(to_string(period_of(christmas, period_kind::quarter, nrf)) == "FY2023-Q4");
  CHECK(to_string(period_of(christmas, period_kind::week, nrf)) == "FY2023-W48");

  std::ostringstream text;
  text << nrf;
  CHECK(text.str() == "retail_calendar{4-5-4, ends on weekday 6 nearest the end of month 1, "
                      "label=start_year}");
}

TEST_CASE("calendar: retail calendar ending on the last Saturday of December", "[core][calendar]") {
  // Hand derivation (4-4-5, last Saturday of December, labelled by the end year):
  // 2021-12-31 is a Friday, so FY2021 ends Sat 2021-12-25; 2022-12-31 is a Saturday, so
  // FY2022 runs 2021-12-26 .. 2022-12-31 = 371 days = 53 weeks; P1 = 4 weeks, P3 = 5.
  const retail_calendar cal{retail_pattern::weeks_4_4_5, 12, 6, retail_year_end::last_weekday,
                            fiscal_year_label::end_year};
  const period y = make_period(period_kind::year, 2022, 1, cal);
  CHECK(y.start == make_date(2021, 12, 26));
  CHECK(y.end == make_date(2023, 1, 1));
  CHECK(retail_weeks_in_year(2022, cal) == 53);
  CHECK(retail_weeks_in_year(2021, cal) == 52);
  CHECK(make_period(period_kind::month, 2022, 1, cal).end == make_date(2022, 1, 23));
  CHECK(make_period(period_kind::month, 2022, 3, cal).end -
            make_period(period_kind::month, 2022, 3, cal).start ==
        35);
  CHECK(make_period(period_kind::month, 2022, 12, cal).end -
            make_period(period_kind::month, 2022, 12, cal).start ==
        42);
  // 2022-01-01 (a Saturday) belongs to FY2022, although FY2021 ended in December 2021.
  CHECK(period_of(make_date(2022, 1, 1), period_kind::year, cal).year == 2022);
  // With the start_year label a December year end keeps the same number (first month = Jan).
  retail_calendar same = cal;
  same.label = fiscal_year_label::start_year;
  CHECK(period_of(make_date(2022, 6, 1), period_kind::year, same).year == 2022);
}

TEST_CASE("calendar: retail periods tile every year for every calendar shape", "[core][calendar]") {
  const retail_pattern pattern = GENERATE(retail_pattern::weeks_4_4_5, retail_pattern::weeks_4_5_4,
                                          retail_pattern::weeks_5_4_4);
  const retail_year_end rule =
      GENERATE(retail_year_end::last_weekday, retail_year_end::nearest_weekday);
  const unsigned end_month = GENERATE(1u, 2u, 6u, 8u, 12u);
  const unsigned pattern_weeks[3][3] = {{4, 4, 5}, {4, 5, 4}, {5, 4, 4}};
  for (unsigned end_weekday = 1; end_weekday <= 7; ++end_weekday)
    for (fiscal_year_label label : {fiscal_year_label::end_year, fiscal_year_label::start_year}) {
      const retail_calendar cal{pattern, end_month, end_weekday, rule, label};
      INFO(cal);
      for (int year = 1995; year <= 2035; ++year) {
        const period y = make_period(period_kind::year, year, 1, cal);
        // The year ends on the brute-force year end of the calendar year of its end month.
        const int end_calendar_year =
            label == fiscal_year_label::end_year || end_month == 12 ? year : year + 1;
        REQUIRE(y.end - 1 == brute_retail_year_end(end_calendar_year, cal));
        REQUIRE(y.start - 1 == brute_retail_year_end(end_calendar_year - 1, cal));
        const unsigned weeks = retail_weeks_in_year(year, cal);
        REQUIRE(y.end - y.start == static_cast<date>(7 * weeks));
        REQUIRE((weeks == 52 || weeks == 53));
        // Twelve periods follow the pattern, the 53rd week in period 12, and tile the year.
        period p = make_period(period_kind::month, year, 1, cal);
        REQUIRE(p.start == y.start);
        for (unsigned i = 1; i <= 12; ++i) {
          const unsigned expected = pattern_weeks[static_cast<int>(pattern)][(i - 1) % 3] +
                                    (i == 12 && weeks == 53 ? 1 : 0);
          REQUIRE(p.end - p.start == static_cast<date>(7 * expected));
          REQUIRE(p.index == i);
          REQUIRE(p.year == year);
          if (i % 3 == 0) {
            const period q = make_period(period_kind::quarter, year, i / 3, cal);
            REQUIRE(q.end == p.end);
          }
          p = next_period(p, cal);
        }
        REQUIRE(p.start == y.end);
        REQUIRE(p.index == 1);
        REQUIRE(p.year == year + 1);
      }
    }
}

TEST_CASE("calendar: every day maps into its retail week, period, quarter and year",
          "[core][calendar]") {
  const retail_calendar cal{
      GENERATE(retail_pattern::weeks_4_4_5, retail_pattern::weeks_5_4_4), GENERATE(1u, 12u),
      GENERATE(6u, 7u), GENERATE(retail_year_end::last_weekday, retail_year_end::nearest_weekday),
      fiscal_year_label::start_year};
  for (date d = make_date(2015, 1, 1); d <= make_date(2030, 12, 31); ++d) {
    const period w = period_of(d, period_kind::week, cal);
    const period m = period_of(d, period_kind::month, cal);
    const period q = period_of(d, period_kind::quarter, cal);
    const period y = period_of(d, period_kind::year, cal);
    for (const period& p : {w, m, q, y}) {
      REQUIRE(p.start <= d);
      REQUIRE(d < p.end);
      REQUIRE(p.year == y.year);
      REQUIRE(p.system == calendar_system::retail);
      REQUIRE(make_period(p.kind, p.year, p.index, cal) == p);
    }
    REQUIRE(w.index == static_cast<unsigned>((d - y.start) / 7 + 1));
    REQUIRE(w.end - w.start == 7);
    REQUIRE(iso_weekday(w.end - 1) == cal.end_weekday);
    REQUIRE(q.index == (m.index - 1) / 3 + 1);
  }
}

TEST_CASE("calendar: retail calendar bad input", "[core][calendar]") {
  retail_calendar cal{};
  cal.end_weekday = 0;
  CHECK_THROWS_AS(period_of(0, period_kind::week, cal), out_of_range_value);
  CHECK_THROWS_WITH(period_of(0, period_kind::week, cal),
                    Equals("period_of: end_weekday is 0, outside [1, 7]"));
  cal = retail_calendar{};
  cal.end_month = 13;
  CHECK_THROWS_WITH(retail_weeks_in_year(2023, cal),
                    Equals("retail_weeks_in_year: end_month is 13, outside [1, 12]"));
  cal = retail_calendar{};
  cal.pattern = static_cast<retail_pattern>(3);
  CHECK_THROWS_WITH(make_period(period_kind::year, 2023, 1, cal),
                    Equals("make_period: pattern is 3, not a retail_pattern"));
  cal = retail_calendar{};
  cal.rule = static_cast<retail_year_end>(7);
  CHECK_THROWS_AS(period_of(0, period_kind::week, cal), out_of_range_value);
  CHECK_THROWS_WITH(make_period(period_kind::week, 2022, 53, retail_calendar{}),
                    Equals("make_period: index is 53, outside [1, 52]"));
  CHECK(make_period(period_kind::week, 2023, 53, retail_calendar{}).start ==
        make_date(2024, 1, 28));
  CHECK_THROWS_WITH(next_period(period_of(0, period_kind::week), retail_calendar{}),
                    Equals("next_period: p is 1970-W01, not a retail_calendar period"));
  CHECK_THROWS_AS(next_period(period_of(0, period_kind::week, retail_calendar{})),
                  out_of_range_value);
}

TEST_CASE("calendar: business days by hand and against numpy", "[core][calendar]") {
  // Hand: January 2026 has 22 weekdays (Thu 1st ... Sat 31st); New Year (Thu) and
  // MLK day (Mon 19th) leave 20. numpy.busday_count('2026-01-01', '2026-02-01',
  // holidays=['2026-01-01','2026-01-19']) == 20, and == -20 with the dates swapped.
  const std::vector<date> holidays = {make_date(2026, 1, 19), make_date(2026, 1, 1)};
  const date jan1 = make_date(2026, 1, 1), feb1 = make_date(2026, 2, 1);
  CHECK(weekdays_between(jan1, feb1) == 22);
  CHECK(business_days_between(jan1, feb1, holidays) == 20);
  CHECK(business_days_between(feb1, jan1, holidays) == -20);
  CHECK(business_days_between(jan1, jan1, holidays) == 0);
  // Duplicates and a weekend holiday (Sat 2026-01-03) change nothing.
  const std::vector<date> messy = {make_date(2026, 1, 19), make_date(2026, 1, 1),
                                   make_date(2026, 1, 3),  make_date(2026, 1, 1),
                                   make_date(2026, 1, 19), make_date(2025, 12, 25)};
  CHECK(business_days_between(jan1, feb1, messy) == 20);
  // numpy.busday_count('2024-01-01', '2025-01-01', holidays=[the 11 US federal holidays of
  // 2024]) == 251 (262 weekdays in 2024 minus 11).
  const std::vector<date> us2024 = {
      make_date(2024, 1, 1),   make_date(2024, 1, 15),  make_date(2024, 2, 19),
      make_date(2024, 5, 27),  make_date(2024, 6, 19),  make_date(2024, 7, 4),
      make_date(2024, 9, 2),   make_date(2024, 10, 14), make_date(2024, 11, 11),
      make_date(2024, 11, 28), make_date(2024, 12, 25)};
  CHECK(weekdays_between(make_date(2024, 1, 1), make_date(2025, 1, 1)) == 262);
  CHECK(business_days_between(make_date(2024, 1, 1), make_date(2025, 1, 1), us2024) == 251);
  CHECK(business_days_between(make_date(2024, 1, 1), make_date(2025, 1, 1)) == 262);
}

TEST_CASE("calendar: business days equal a brute-force loop", "[core][calendar]") {
  rng gen(GENERATE(11u, 12u, 13u, 14u));
  for (int trial = 0; trial < 300; ++trial) {
    // Dates around 1970 too, so the floor division before day 0 is exercised.
    const auto from = static_cast<date>(gen.uniform_int(2000)) - 1000;
    const auto to = static_cast<date>(gen.uniform_int(2000)) - 1000;
    std::vector<date> holidays(gen.uniform_int(40));
    for (date& h : holidays) h = static_cast<date>(gen.uniform_int(2200)) - 1100;
    if (trial % 2 == 0) std::sort(holidays.begin(), holidays.end()); // both search paths
    const std::int64_t expected = brute_business_days(from, to, holidays);
    REQUIRE(business_days_between(from, to, holidays) == expected);
    // The count is additive over adjacent ranges and independent of the holidays' order.
    const auto mid = static_cast<date>(gen.uniform_int(2000)) - 1000;
    REQUIRE(business_days_between(from, mid, holidays) + business_days_between(mid, to, holidays) ==
            expected);
    std::reverse(holidays.begin(), holidays.end());
    REQUIRE(business_days_between(from, to, holidays) == expected);
  }
}

TEST_CASE("calendar: elapsed fractions for quota pacing", "[core][calendar]") {
  // Hand: 2026-Q1 has 90 days; 2026-02-15 has 31 + 14 = 45 before it -> 0.5. Business days
  // (holidays Jan 1 and Jan 19): 22 + 20 + 22 - 2 = 62 in the quarter, 20 + 10 = 30 before
  // Feb 15 -> 30 / 62.
  const period q1 = make_period(period_kind::quarter, 2026, 1);
  const date feb15 = make_date(2026, 2, 15);
  CHECK(elapsed_fraction(q1, feb15) == 0.5);
  CHECK(elapsed_fraction(q1, q1.start) == 0.0);
  CHECK(elapsed_fraction(q1, q1.end) == 1.0);
  CHECK(elapsed_fraction(q1, q1.start - 10) == 0.0); // not started yet
  CHECK(elapsed_fraction(q1, q1.end + 10) == 1.0);   // over
  const std::vector<date> holidays = {make_date(2026, 1, 1), make_date(2026, 1, 19)};
  CHECK(business_elapsed_fraction(q1, feb15, holidays) == Approx(30.0 / 62.0).epsilon(1e-15));
  CHECK(business_elapsed_fraction(q1, q1.end, holidays) == 1.0);
  CHECK(business_elapsed_fraction(q1, q1.start, holidays) == 0.0);

  const period empty{period_kind::month, 2026, 1, 100, 100};
  CHECK_THROWS_AS(elapsed_fraction(empty, 100), out_of_range_value);
  CHECK_THROWS_WITH(elapsed_fraction(empty, 100),
                    Equals("elapsed_fraction: p ends on 1970-04-11, not after its start "
                           "1970-04-11"));
  // A weekend has no business day.
  const period weekend{period_kind::week, 2026, 1, make_date(2026, 1, 3), make_date(2026, 1, 5)};
  CHECK_THROWS_AS(business_elapsed_fraction(weekend, make_date(2026, 1, 4)), empty_input);
  CHECK_THROWS_WITH(business_elapsed_fraction(weekend, make_date(2026, 1, 4)),
                    Contains("has no business day"));
}

TEST_CASE("calendar: parse_date reads ISO 8601 dates and round-trips format_date",
          "[core][calendar]") {
  // R: as.numeric(as.Date("2026-03-15")) == 20527; as.Date("1969-12-31") == -1.
  CHECK(parse_date("2026-03-15") == 20527);
  CHECK(parse_date("1969-12-31") == -1);
  CHECK(parse_date("+2026-03-15") == 20527);
  CHECK(parse_date("0001-01-01") == -719162);
  CHECK(parse_date("-0001-12-31") == make_date(-1, 12, 31));
  CHECK(parse_date("2000-02-29") == 11016);
  rng gen(GENERATE(21u, 22u));
  for (int i = 0; i < 20000; ++i) {
    // Any day of the whole range, and days near today.
    const auto d = i % 2 == 0 ? static_cast<date>(static_cast<std::uint32_t>(gen.next_u64()))
                              : static_cast<date>(gen.uniform_int(40000)) - 10000;
    REQUIRE(parse_date(format_date(d)) == d);
  }
}

TEST_CASE("calendar: parse_date rejects malformed and impossible dates", "[core][calendar]") {
  for (const char* text : {"", "2026", "2026-03", "2026-3-15", "2026-03-5", "26-03-15",
                           "2026/03/15", "2026-03-15 ", " 2026-03-15", "2026-03-15T00:00",
                           "2026-03-1x", "--2026-03-15", "2026-003-15", "123456789-01-01"}) {
    INFO("text '" << text << "'");
    CHECK_THROWS_AS(parse_date(text), invalid_input);
    CHECK_THROWS_WITH(parse_date(text), Contains("not an ISO 8601 date YYYY-MM-DD"));
  }
  CHECK_THROWS_WITH(parse_date("2026/03/15", 12),
                    Equals("parse_date: text at row 12 is '2026/03/15', not an ISO 8601 date "
                           "YYYY-MM-DD"));
  for (const char* text : {"2026-02-30", "1900-02-29", "2026-13-01", "2026-00-10", "2026-04-00",
                           "2026-04-31", "99999999-01-01"}) {
    INFO("text '" << text << "'");
    CHECK_THROWS_AS(parse_date(text), out_of_range_value);
  }
  CHECK_THROWS_WITH(parse_date("2026-02-30", 3),
                    Equals("parse_date: text at row 3 is '2026-02-30', a day that does not "
                           "exist or does not fit in salesops::date"));
}
