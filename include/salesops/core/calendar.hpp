// Dates and reporting periods: days since 1970-01-01 in the proleptic Gregorian calendar,
// converted with Howard Hinnant's days_from_civil / civil_from_days ("chrono-Compatible
// Low-Level Date Algorithms", howardhinnant.github.io/date_algorithms.html), ISO 8601 weeks
// (weeks start on Monday; week 1 is the week holding the year's first Thursday), calendar
// months, quarters and years as half-open day ranges [start, end); fiscal years starting in
// any month; 52/53-week retail calendars (4-4-5, 4-5-4, 5-4-4) following the National Retail
// Federation's 4-5-4 calendar rules; business days between dates with a holiday list.
#ifndef SALESOPS_CORE_CALENDAR_HPP
#define SALESOPS_CORE_CALENDAR_HPP

#include <algorithm>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"

namespace salesops {

/// \brief A calendar day: days since 1970-01-01 (negative before), proleptic Gregorian.
using date = std::int32_t;

/// \brief A date as year, month (1-12) and day of month (1-31).
struct civil_date {
  int year;       ///< Gregorian year (astronomical numbering: 0 is 1 BC)
  unsigned month; ///< month, 1 = January ... 12 = December
  unsigned day;   ///< day of the month, 1 ... 31
};

/// \brief True when `year` has a 29 February (divisible by 4, and by 400 if by 100).
constexpr bool is_leap_year(int year) noexcept {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

/// \brief Number of days (28-31) of `month` in `year`.
/// \throws salesops::out_of_range_value when month is not in 1..12.
unsigned days_in_month(int year, unsigned month);

/// \brief The date of year-month-day.
/// \throws salesops::out_of_range_value for a month outside 1..12, a day the month does not
/// have (e.g. 2023-02-29 or 2026-02-30), or a year whose dates do not fit in salesops::date
/// (about +-5.8 million years).
date make_date(int year, unsigned month, unsigned day);

/// \brief Year, month and day of a date (every std::int32_t value is valid).
civil_date to_civil(date d) noexcept;

/// \brief The UTC day holding a timestamp in seconds since 1970-01-01T00:00:00Z.
///
/// Uses floor division, so -1 (1969-12-31T23:59:59Z) gives -1, not 0.
/// \throws salesops::out_of_range_value when the day does not fit in salesops::date.
date date_from_timestamp(std::int64_t seconds);

/// \brief Seconds since 1970-01-01T00:00:00Z at the start (00:00 UTC) of day `d`.
constexpr std::int64_t timestamp_from_date(date d) noexcept {
  return static_cast<std::int64_t>(d) * 86400;
}

/// \brief ISO 8601 weekday: 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday, 4).
constexpr unsigned iso_weekday(date d) noexcept {
  // Floor modulo so that days before 1970 work too; day 0 is a Thursday.
  const std::int64_t r = (static_cast<std::int64_t>(d) + 3) % 7;
  return static_cast<unsigned>(r < 0 ? r + 7 : r) + 1;
}

/// \brief An ISO 8601 week: the ISO year (which can differ from the calendar year for days
/// near 1 January) and the week number 1-53.
struct iso_week {
  int year;      ///< ISO week-numbering year
  unsigned week; ///< week number, 1 ... 52 or 53
};

/// \brief The ISO week holding `d` (the week's Thursday decides the ISO year).
iso_week iso_week_of(date d);

/// \brief Kinds of reporting period.
enum class period_kind {
  week,    ///< ISO week (Monday to Sunday), or a retail calendar's week
  month,   ///< calendar month, or a fiscal / retail period ("fiscal month")
  quarter, ///< three months, or a fiscal / retail quarter
  year     ///< calendar, fiscal or retail year
};

/// \brief Which calendar produced a period (decides its label and how the next one is found).
enum class calendar_system {
  gregorian, ///< calendar weeks (ISO), months, quarters and years
  fiscal,    ///< salesops::fiscal_calendar: months shifted to a fiscal year start
  retail     ///< salesops::retail_calendar: 4-4-5 / 4-5-4 / 5-4-4 weeks
};

/// \brief A reporting period: the half-open range of days [start, end) and its label.
struct period {
  period_kind kind; ///< week, month, quarter or year
  int year;         ///< the year the period belongs to (ISO year for ISO weeks, fiscal year)
  unsigned index;   ///< week (1-53), month (1-12) or quarter (1-4) number; 1 for a year
  date start;       ///< first day of the period
  date end;         ///< first day after the period (exclusive end)
  calendar_system system = calendar_system::gregorian; ///< the calendar it comes from
};

/// \brief Two periods are equal when every member is.
constexpr bool operator==(const period& a, const period& b) noexcept {
  return a.kind == b.kind && a.year == b.year && a.index == b.index && a.start == b.start &&
         a.end == b.end && a.system == b.system;
}
/// \brief Negation of operator==.
constexpr bool operator!=(const period& a, const period& b) noexcept {
  return !(a == b);
}

/// \brief The calendar period of `kind` holding `d` (ISO week for period_kind::week).
period period_of(date d, period_kind kind);

/// \brief The period that follows a calendar period (starts on `p.end`).
/// \throws salesops::out_of_range_value when `p` is a fiscal or retail period: use the
/// overload taking that calendar.
period next_period(const period& p);

/// \brief Label of a period: "2026-W05", "2026-03", "2026-Q1", "2026"; fiscal and retail
/// periods carry "FY" and number their months as periods: "FY2026-P03", "FY2026-Q1",
/// "FY2026-W05", "FY2026".
std::string to_string(const period& p);

/// \brief ISO 8601 text of a date, "2026-03-15" (years beyond 0-9999 get more digits or a
/// leading '-', as parse_date reads them back).
std::string format_date(date d);

/// \brief The date written as ISO 8601 "YYYY-MM-DD" (e.g. a CSV field); `row` is reported
/// in errors.
///
/// Exactly: an optional sign, a year of 4 to 8 digits, '-', a two-digit month, '-', a
/// two-digit day, nothing else (no spaces, no time of day).
/// \throws salesops::invalid_input when the text has another form;
/// salesops::out_of_range_value for a month or day that does not exist ("2026-02-30") or a
/// year beyond salesops::date.
date parse_date(std::string_view text, std::size_t row = no_row);

/// \brief Prints "week", "month", "quarter" or "year".
std::ostream& operator<<(std::ostream& out, period_kind kind);
/// \brief Prints the ISO date, "2026-03-15".
std::ostream& operator<<(std::ostream& out, const civil_date& c);
/// \brief Prints "2026-W05".
std::ostream& operator<<(std::ostream& out, const iso_week& w);
/// \brief Prints the label and the range, "2026-Q1 [2026-01-01, 2026-04-01)".
std::ostream& operator<<(std::ostream& out, const period& p);

/// \brief Number of ISO weeks (52 or 53) of ISO year `year`.
unsigned iso_weeks_in_year(int year);

/// \brief The calendar period from its label: ISO week `index` of ISO year `year`, month
/// `index` (1-12), quarter `index` (1-4), or the year (`index` 1).
/// \throws salesops::out_of_range_value for an index the year does not have.
period make_period(period_kind kind, int year, unsigned index);

// ---- Fiscal years -----------------------------------------------------------------------

/// \brief How a fiscal year is numbered.
enum class fiscal_year_label {
  /// By the calendar year of its last nominal month: a year running July 2025 - June 2026
  /// is FY2026 (Microsoft, the US federal government).
  end_year,
  /// By the calendar year of its first nominal month: a year running February 2023 -
  /// January 2024 is fiscal 2023 (the NRF retail calendar).
  start_year
};

/// \brief A fiscal year of twelve calendar months starting in `start_month`.
///
/// Fiscal month (period) 1 is `start_month`, fiscal quarter 1 its first three months. The
/// default labels a fiscal year by the calendar year in which it ENDS: with start_month 7,
/// 2025-07-01 ... 2026-06-30 is FY2026 and 2025-08-15 falls in FY2026-P02, FY2026-Q1.
/// start_month 1 gives the calendar year.
struct fiscal_calendar {
  unsigned start_month = 1; ///< calendar month (1-12) in which the fiscal year starts
  fiscal_year_label label = fiscal_year_label::end_year; ///< how fiscal years are numbered
};

/// \brief The fiscal month (period_kind::month), quarter or year of `cal` holding `d`.
/// \throws salesops::out_of_range_value for period_kind::week (a month-based fiscal year
/// has no week numbering; use ISO weeks or a retail_calendar) or a start_month outside 1..12.
period period_of(date d, period_kind kind, const fiscal_calendar& cal);

/// \brief Fiscal period `index` of fiscal year `year` (month 1-12, quarter 1-4, year 1).
/// \throws salesops::out_of_range_value for a bad index, kind or calendar.
period make_period(period_kind kind, int year, unsigned index, const fiscal_calendar& cal);

/// \brief The fiscal period that follows `p` (a period of `cal`).
/// \throws salesops::out_of_range_value when `p` is not a fiscal period.
period next_period(const period& p, const fiscal_calendar& cal);

/// \brief Prints "fiscal_calendar{start_month=7, label=end_year}".
std::ostream& operator<<(std::ostream& out, const fiscal_calendar& cal);

// ---- Retail 52/53-week calendars ------------------------------------------------------------

/// \brief Weeks in the three periods of every quarter.
enum class retail_pattern {
  weeks_4_4_5, ///< 4-4-5
  weeks_4_5_4, ///< 4-5-4 (the NRF calendar)
  weeks_5_4_4  ///< 5-4-4
};

/// \brief Which weekday ends a retail year.
enum class retail_year_end {
  /// The last `end_weekday` on or before the last day of `end_month`.
  last_weekday,
  /// The `end_weekday` nearest the last day of `end_month` (at most 3 days before or after;
  /// NRF: the Saturday nearest 31 January).
  nearest_weekday
};

/// \brief A retail (52/53-week) fiscal calendar.
///
/// Every fiscal year is a whole number of weeks ending on `end_weekday` as `rule` says, so it
/// has 52 weeks, or 53 every five or six years. Each quarter has 13 weeks split into three
/// periods by `pattern`; in a 53-week year the extra week is added to the last period of Q4
/// (NRF practice). Week 1 starts the day after the previous year's end. The defaults are the
/// NRF 4-5-4 calendar: years end on the Saturday nearest 31 January and are labelled by the
/// year they start in, so fiscal 2023 ran 2023-01-29 ... 2024-02-03 (53 weeks).
struct retail_calendar {
  retail_pattern pattern = retail_pattern::weeks_4_5_4; ///< weeks per period
  unsigned end_month = 1;                               ///< month (1-12) the year ends in
  unsigned end_weekday = 6; ///< ISO weekday of the last day (6 = Saturday)
  retail_year_end rule = retail_year_end::nearest_weekday; ///< last or nearest weekday
  fiscal_year_label label = fiscal_year_label::start_year; ///< how fiscal years are numbered
};

/// \brief Number of weeks (52 or 53) of retail fiscal year `year`.
/// \throws salesops::out_of_range_value for an invalid calendar.
unsigned retail_weeks_in_year(int year, const retail_calendar& cal);

/// \brief The retail week (1-53), period (period_kind::month, 1-12), quarter or year holding `d`.
/// \throws salesops::out_of_range_value for an invalid calendar.
period period_of(date d, period_kind kind, const retail_calendar& cal);

/// \brief Retail period `index` of fiscal year `year` (week 1-53, period 1-12, quarter 1-4,
/// year 1).
/// \throws salesops::out_of_range_value for an index the year does not have.
period make_period(period_kind kind, int year, unsigned index, const retail_calendar& cal);

/// \brief The retail period that follows `p` (a period of `cal`).
/// \throws salesops::out_of_range_value when `p` is not a retail period.
period next_period(const period& p, const retail_calendar& cal);

/// \brief Prints "retail_calendar{4-5-4, ends on weekday 6 nearest the end of month 1, ...}".
std::ostream& operator<<(std::ostream& out, const retail_calendar& cal);

// ---- Business days and pacing ---------------------------------------------------------------

/// \brief Number of Monday-Friday days in [from, to); the negative of (to, from) when
/// to < from.
constexpr std::int64_t weekdays_between(date from, date to) noexcept {
  // Weekdays in [day 4, d) with day 4 = 1970-01-05, a Monday: five per whole week plus up to
  // five of the partial week. Floor division makes it valid before 1970 and antisymmetric.
  auto before = [](date d) {
    const std::int64_t n = static_cast<std::int64_t>(d) - 4;
    const std::int64_t weeks = (n >= 0 ? n : n - 6) / 7;
    const std::int64_t rest = n - 7 * weeks;
    return 5 * weeks + (rest < 5 ? rest : 5);
  };
  return before(to) - before(from);
}

/// \brief Business days in [from, to): Monday to Friday, minus the listed holidays.
///
/// `holidays` need not be sorted; duplicates and holidays on a weekend or outside [from, to)
/// are not subtracted (twice). When to < from the result is -business_days_between(to, from),
/// so counts add up: between(a, b) + between(b, c) == between(a, c). A sorted holiday list
/// is searched in place; an unsorted one is copied and sorted (O(h log h)).
std::int64_t business_days_between(date from, date to, span<const date> holidays = {});

/// \brief Fraction of the days of `p` that lie before `as_of`: |[start, min(as_of, end))| /
/// |[start, end)|, so 0 on the first day, 1 from `p.end` on (quota pacing: expected
/// attainment to date). Pass tomorrow to count today as elapsed.
/// \throws salesops::out_of_range_value when p.end <= p.start.
double elapsed_fraction(const period& p, date as_of);

/// \brief Like elapsed_fraction, counting business days (see business_days_between).
/// \throws salesops::empty_input when `p` has no business day;
/// salesops::out_of_range_value when p.end <= p.start.
double business_elapsed_fraction(const period& p, date as_of, span<const date> holidays = {});

namespace detail {

// Hinnant's days_from_civil, in 64 bits so that any int year is safe from overflow.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr bool fits_date(std::int64_t days) noexcept {
  return days >= std::numeric_limits<date>::min() && days <= std::numeric_limits<date>::max();
}

// First day of the month `months` after (year, month); the caller checks the range.
inline date add_months(int year, unsigned month, std::int64_t months) {
  const std::int64_t m0 = static_cast<std::int64_t>(year) * 12 + (month - 1) + months;
  const std::int64_t y = (m0 >= 0 ? m0 : m0 - 11) / 12;
  const auto m = static_cast<unsigned>(m0 - y * 12) + 1;
  const std::int64_t days = days_from_civil(y, m, 1);
  if (!fits_date(days))
    SALESOPS_THROW(out_of_range_value, "calendar", "date", no_row, "beyond year ", y,
                   " does not fit in salesops::date");
  return static_cast<date>(days);
}

inline void print_year(std::ostream& out, std::int64_t year) {
  // ISO 8601: at least four digits, a sign only for years before 0.
  if (year < 0) out << '-';
  out << std::setw(4) << std::setfill('0') << (year < 0 ? -year : year);
}

inline void print_two_digits(std::ostream& out, unsigned v) {
  out << std::setw(2) << std::setfill('0') << v;
}

} // namespace detail

inline unsigned days_in_month(int year, unsigned month) {
  if (month < 1 || month > 12)
    SALESOPS_THROW(out_of_range_value, "days_in_month", "month", no_row, "is ", month,
                   ", outside [1, 12]");
  constexpr unsigned lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29u : lengths[month - 1];
}

inline date make_date(int year, unsigned month, unsigned day) {
  if (month < 1 || month > 12)
    SALESOPS_THROW(out_of_range_value, "make_date", "month", no_row, "is ", month,
                   ", outside [1, 12]");
  if (day < 1 || day > days_in_month(year, month))
    SALESOPS_THROW(out_of_range_value, "make_date", "day", no_row, "is ", day, ", but month ",
                   month, " of ", year, " has ", days_in_month(year, month), " days");
  const std::int64_t days = detail::days_from_civil(year, month, day);
  if (!detail::fits_date(days))
    SALESOPS_THROW(out_of_range_value, "make_date", "year", no_row, "is ", year,
                   ", whose dates do not fit in salesops::date");
  return static_cast<date>(days);
}

inline civil_date to_civil(date d) noexcept {
  // Hinnant's civil_from_days, in 64 bits so that the shift by 719468 cannot overflow.
  const std::int64_t z = static_cast<std::int64_t>(d) + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                   // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                    // [0, 11]
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;                          // [1, 31]
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;                           // [1, 12]
  const std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  return {static_cast<int>(year), month, day};
}

inline date date_from_timestamp(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  if (seconds % 86400 < 0) --days; // floor, not truncation toward zero
  if (!detail::fits_date(days))
    SALESOPS_THROW(out_of_range_value, "date_from_timestamp", "seconds", no_row, "is ", seconds,
                   ", whose day does not fit in salesops::date");
  return static_cast<date>(days);
}

inline iso_week iso_week_of(date d) {
  // The Thursday of d's week lies in the ISO year, and counting that year's Thursdays
  // from 1 January gives the week number.
  const std::int64_t thursday = static_cast<std::int64_t>(d) + 4 - iso_weekday(d);
  if (!detail::fits_date(thursday))
    SALESOPS_THROW(out_of_range_value, "iso_week_of", "d", no_row, "is ", d,
                   ", whose week does not fit in salesops::date");
  const int year = to_civil(static_cast<date>(thursday)).year;
  const std::int64_t jan1 = detail::days_from_civil(year, 1, 1);
  return {year, static_cast<unsigned>((thursday - jan1) / 7 + 1)};
}

inline period period_of(date d, period_kind kind) {
  const civil_date c = to_civil(d);
  switch (kind) {
  case period_kind::week: {
    const iso_week w = iso_week_of(d);
    const std::int64_t monday = static_cast<std::int64_t>(d) + 1 - iso_weekday(d);
    // Both ends: the first day's week (a Tuesday) starts before the range and would wrap.
    if (!detail::fits_date(monday) || !detail::fits_date(monday + 7))
      SALESOPS_THROW(out_of_range_value, "period_of", "d", no_row, "is ", d,
                     ", whose week does not fit in salesops::date");
    return {kind, w.year, w.week, static_cast<date>(monday), static_cast<date>(monday + 7)};
  }
  case period_kind::month:
    return {kind, c.year, c.month, detail::add_months(c.year, c.month, 0),
            detail::add_months(c.year, c.month, 1)};
  case period_kind::quarter: {
    const unsigned q = (c.month - 1) / 3 + 1;
    const unsigned first = 3 * q - 2;
    return {kind, c.year, q, detail::add_months(c.year, first, 0),
            detail::add_months(c.year, first, 3)};
  }
  case period_kind::year:
    return {kind, c.year, 1, detail::add_months(c.year, 1, 0), detail::add_months(c.year, 1, 12)};
  }
  SALESOPS_THROW(out_of_range_value, "period_of", "kind", no_row, "is ", static_cast<int>(kind),
                 ", not a period_kind");
}

inline period next_period(const period& p) {
  if (p.system != calendar_system::gregorian)
    SALESOPS_THROW(out_of_range_value, "next_period", "p", no_row, "is the fiscal period ",
                   to_string(p), "; pass its calendar: next_period(p, calendar)");
  return period_of(p.end, p.kind);
}

inline std::string to_string(const period& p) {
  std::ostringstream out;
  const bool fiscal = p.system != calendar_system::gregorian;
  if (fiscal) out << "FY";
  detail::print_year(out, p.year);
  switch (p.kind) {
  case period_kind::week:
    out << "-W";
    detail::print_two_digits(out, p.index);
    break;
  case period_kind::month:
    out << (fiscal ? "-P" : "-");
    detail::print_two_digits(out, p.index);
    break;
  case period_kind::quarter:
    out << "-Q" << p.index;
    break;
  case period_kind::year:
    break;
  }
  return out.str();
}

inline std::ostream& operator<<(std::ostream& out, period_kind kind) {
  switch (kind) {
  case period_kind::week:
    return out << "week";
  case period_kind::month:
    return out << "month";
  case period_kind::quarter:
    return out << "quarter";
  case period_kind::year:
    return out << "year";
  }
  return out << "period_kind(" << static_cast<int>(kind) << ")";
}

inline std::ostream& operator<<(std::ostream& out, const civil_date& c) {
  std::ostringstream text; // format apart so the caller's fill and width are untouched
  detail::print_year(text, c.year);
  text << '-';
  detail::print_two_digits(text, c.month);
  text << '-';
  detail::print_two_digits(text, c.day);
  return out << text.str();
}

inline std::string format_date(date d) {
  std::ostringstream out;
  out << to_civil(d);
  return out.str();
}

inline date parse_date(std::string_view text, std::size_t row) {
  std::size_t i = 0;
  // Reads exactly `count` digits (at least `count`, at most `max_count`) from position i.
  auto digits = [&](std::size_t count, std::size_t max_count) {
    std::int64_t value = 0;
    std::size_t read = 0;
    while (i < text.size() && read < max_count && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      ++i;
      ++read;
    }
    return read >= count ? value : -1;
  };
  auto dash = [&] { return i < text.size() && text[i++] == '-'; };
  const bool negative = !text.empty() && text[0] == '-';
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) ++i;
  const std::int64_t year = digits(4, 8);
  const bool dash1 = year >= 0 && dash();
  const std::int64_t month = dash1 ? digits(2, 2) : -1;
  const bool dash2 = month >= 0 && dash();
  const std::int64_t day = dash2 ? digits(2, 2) : -1;
  if (day < 0 || i != text.size())
    SALESOPS_THROW(invalid_input, "parse_date", "text", row, "is '", text,
                   "', not an ISO 8601 date YYYY-MM-DD");
  const std::int64_t signed_year = negative ? -year : year;
  const std::int64_t days = month >= 1 && month <= 12
                                ? detail::days_from_civil(signed_year, static_cast<unsigned>(month),
                                                          static_cast<unsigned>(day))
                                : 0;
  if (month < 1 || month > 12 || day < 1 ||
      day > days_in_month(static_cast<int>(signed_year), static_cast<unsigned>(month)) ||
      !detail::fits_date(days))
    SALESOPS_THROW(out_of_range_value, "parse_date", "text", row, "is '", text,
                   "', a day that does not exist or does not fit in salesops::date");
  return static_cast<date>(days);
}

inline std::ostream& operator<<(std::ostream& out, const iso_week& w) {
  std::ostringstream text;
  detail::print_year(text, w.year);
  text << "-W";
  detail::print_two_digits(text, w.week);
  return out << text.str();
}

inline std::ostream& operator<<(std::ostream& out, const period& p) {
  return out << to_string(p) << " [" << format_date(p.start) << ", " << format_date(p.end) << ")";
}

inline unsigned iso_weeks_in_year(int year) {
  // 28 December always lies in the year's last ISO week.
  return iso_week_of(make_date(year, 12, 28)).week;
}

inline period make_period(period_kind kind, int year, unsigned index) {
  switch (kind) {
  case period_kind::week: {
    check_in_range("make_period", "index", index, 1u, iso_weeks_in_year(year));
    // 4 January always lies in ISO week 1.
    const date jan4 = make_date(year, 1, 4);
    const std::int64_t monday = static_cast<std::int64_t>(jan4) + 1 - iso_weekday(jan4) +
                                7 * (static_cast<std::int64_t>(index) - 1);
    if (!detail::fits_date(monday))
      SALESOPS_THROW(out_of_range_value, "make_period", "year", no_row, "is ", year,
                     ", whose weeks do not fit in salesops::date");
    return period_of(static_cast<date>(monday), kind);
  }
  case period_kind::month:
    check_in_range("make_period", "index", index, 1u, 12u);
    return period_of(make_date(year, index, 1), kind);
  case period_kind::quarter:
    check_in_range("make_period", "index", index, 1u, 4u);
    return period_of(make_date(year, 3 * index - 2, 1), kind);
  case period_kind::year:
    check_in_range("make_period", "index", index, 1u, 1u);
    return period_of(make_date(year, 1, 1), kind);
  }
  SALESOPS_THROW(out_of_range_value, "make_period", "kind", no_row, "is ", static_cast<int>(kind),
                 ", not a period_kind");
}

namespace detail {

inline void check_calendar(const char* function, const fiscal_calendar& cal) {
  check_in_range(function, "start_month", cal.start_month, 1u, 12u);
  if (cal.label != fiscal_year_label::end_year && cal.label != fiscal_year_label::start_year)
    SALESOPS_THROW(out_of_range_value, function, "label", no_row, "is ",
                   static_cast<int>(cal.label), ", not a fiscal_year_label");
}

// Offset between a fiscal year's label and the calendar year of its first nominal month.
inline int label_offset(fiscal_year_label label, unsigned first_month) {
  return label == fiscal_year_label::end_year && first_month != 1 ? 1 : 0;
}

inline period fiscal_period(period_kind kind, int start_year, unsigned index,
                            const fiscal_calendar& cal) {
  // start_year: calendar year in which the fiscal year starts; index as in period.
  const unsigned first = kind == period_kind::month     ? index - 1
                         : kind == period_kind::quarter ? 3 * (index - 1)
                                                        : 0;
  const unsigned length = kind == period_kind::month ? 1 : kind == period_kind::quarter ? 3 : 12;
  return {kind,
          start_year + label_offset(cal.label, cal.start_month),
          index,
          add_months(start_year, cal.start_month, first),
          add_months(start_year, cal.start_month, first + length),
          calendar_system::fiscal};
}

inline void check_calendar(const char* function, const retail_calendar& cal) {
  check_in_range(function, "end_month", cal.end_month, 1u, 12u);
  check_in_range(function, "end_weekday", cal.end_weekday, 1u, 7u);
  if (cal.pattern != retail_pattern::weeks_4_4_5 && cal.pattern != retail_pattern::weeks_4_5_4 &&
      cal.pattern != retail_pattern::weeks_5_4_4)
    SALESOPS_THROW(out_of_range_value, function, "pattern", no_row, "is ",
                   static_cast<int>(cal.pattern), ", not a retail_pattern");
  if (cal.rule != retail_year_end::last_weekday && cal.rule != retail_year_end::nearest_weekday)
    SALESOPS_THROW(out_of_range_value, function, "rule", no_row, "is ", static_cast<int>(cal.rule),
                   ", not a retail_year_end");
  if (cal.label != fiscal_year_label::end_year && cal.label != fiscal_year_label::start_year)
    SALESOPS_THROW(out_of_range_value, function, "label", no_row, "is ",
                   static_cast<int>(cal.label), ", not a fiscal_year_label");
}

// Last day of the retail year whose nominal end month lies in calendar year `year`.
inline std::int64_t retail_year_last_day(std::int64_t year, const retail_calendar& cal) {
  const std::int64_t month_end =
      days_from_civil(year, cal.end_month, days_in_month(static_cast<int>(year), cal.end_month));
  // Days since the last end_weekday, 0-6 (floor modulo; day 0 is a Thursday, ISO 4).
  const std::int64_t back =
      ((month_end + 3 - (static_cast<std::int64_t>(cal.end_weekday) - 1)) % 7 + 7) % 7;
  if (cal.rule == retail_year_end::nearest_weekday && back > 3) return month_end - back + 7;
  return month_end - back;
}

// Label of the retail year ending in calendar year `end_year` (its nominal end month).
inline int retail_label(std::int64_t end_year, const retail_calendar& cal) {
  const unsigned first_month = cal.end_month % 12 + 1;
  return static_cast<int>(end_year - 1 + (first_month == 1 ? 1 : 0) +
                          label_offset(cal.label, first_month));
}

// Inverse of retail_label: the calendar year of the nominal end month of fiscal year `label`.
inline std::int64_t retail_end_year(int label, const retail_calendar& cal) {
  const unsigned first_month = cal.end_month % 12 + 1;
  return static_cast<std::int64_t>(label) + 1 - (first_month == 1 ? 1 : 0) -
         label_offset(cal.label, first_month);
}

inline unsigned retail_weeks_in_period(const retail_calendar& cal, unsigned period_index,
                                       unsigned year_weeks) {
  constexpr unsigned weeks[3][3] = {{4, 4, 5}, {4, 5, 4}, {5, 4, 4}};
  const unsigned w = weeks[static_cast<int>(cal.pattern)][(period_index - 1) % 3];
  return period_index == 12 && year_weeks == 53 ? w + 1 : w;
}

// The retail period of `kind` and `index` in the year [start, start + 7 * year_weeks).
inline period retail_period(period_kind kind, int label, unsigned index, std::int64_t start,
                            unsigned year_weeks, const retail_calendar& cal) {
  std::int64_t first_week = 0, weeks = 0; // in weeks from the year's start
  switch (kind) {
  case period_kind::week:
    first_week = index - 1;
    weeks = 1;
    break;
  case period_kind::month:
    for (unsigned p = 1; p < index; ++p) first_week += retail_weeks_in_period(cal, p, year_weeks);
    weeks = retail_weeks_in_period(cal, index, year_weeks);
    break;
  case period_kind::quarter:
    first_week = 13 * (static_cast<std::int64_t>(index) - 1);
    weeks = index == 4 ? year_weeks - 39 : 13;
    break;
  case period_kind::year:
    weeks = year_weeks;
    break;
  }
  const std::int64_t begin = start + 7 * first_week;
  const std::int64_t end = begin + 7 * weeks;
  if (!fits_date(begin) || !fits_date(end))
    SALESOPS_THROW(out_of_range_value, "retail_calendar", "year", no_row, "is ", label,
                   ", whose dates do not fit in salesops::date");
  return {kind,
          label,
          index,
          static_cast<date>(begin),
          static_cast<date>(end),
          calendar_system::retail};
}

inline void check_kind(const char* function, period_kind kind) {
  if (kind != period_kind::week && kind != period_kind::month && kind != period_kind::quarter &&
      kind != period_kind::year)
    SALESOPS_THROW(out_of_range_value, function, "kind", no_row, "is ", static_cast<int>(kind),
                   ", not a period_kind");
}

inline void check_fiscal_kind(const char* function, period_kind kind) {
  check_kind(function, kind);
  if (kind == period_kind::week)
    SALESOPS_THROW(out_of_range_value, function, "kind", no_row,
                   "is week, but a fiscal_calendar has no weeks (use ISO weeks or a "
                   "retail_calendar)");
}

inline unsigned max_index(period_kind kind, unsigned weeks) {
  return kind == period_kind::week      ? weeks
         : kind == period_kind::month   ? 12u
         : kind == period_kind::quarter ? 4u
                                        : 1u;
}

} // namespace detail

inline period period_of(date d, period_kind kind, const fiscal_calendar& cal) {
  detail::check_calendar("period_of", cal);
  detail::check_fiscal_kind("period_of", kind);
  const civil_date c = to_civil(d);
  const unsigned month_index = (c.month + 12 - cal.start_month) % 12 + 1; // fiscal month 1-12
  const int start_year = c.month >= cal.start_month ? c.year : c.year - 1;
  const unsigned index = kind == period_kind::month     ? month_index
                         : kind == period_kind::quarter ? (month_index - 1) / 3 + 1
                                                        : 1;
  return detail::fiscal_period(kind, start_year, index, cal);
}

inline period make_period(period_kind kind, int year, unsigned index, const fiscal_calendar& cal) {
  detail::check_calendar("make_period", cal);
  detail::check_fiscal_kind("make_period", kind);
  check_in_range("make_period", "index", index, 1u, detail::max_index(kind, 0));
  return detail::fiscal_period(kind, year - detail::label_offset(cal.label, cal.start_month), index,
                               cal);
}

inline period next_period(const period& p, const fiscal_calendar& cal) {
  if (p.system != calendar_system::fiscal)
    SALESOPS_THROW(out_of_range_value, "next_period", "p", no_row, "is ", to_string(p),
                   ", not a fiscal_calendar period");
  return period_of(p.end, p.kind, cal);
}

inline std::ostream& operator<<(std::ostream& out, const fiscal_calendar& cal) {
  return out << "fiscal_calendar{start_month=" << cal.start_month
             << ", label=" << (cal.label == fiscal_year_label::end_year ? "end_year" : "start_year")
             << "}";
}

inline unsigned retail_weeks_in_year(int year, const retail_calendar& cal) {
  detail::check_calendar("retail_weeks_in_year", cal);
  const std::int64_t end_year = detail::retail_end_year(year, cal);
  return static_cast<unsigned>((detail::retail_year_last_day(end_year, cal) -
                                detail::retail_year_last_day(end_year - 1, cal)) /
                               7);
}

inline period period_of(date d, period_kind kind, const retail_calendar& cal) {
  detail::check_calendar("period_of", cal);
  detail::check_kind("period_of", kind);
  // The year ending in d's calendar year, or the next one when d is past its last day.
  std::int64_t end_year = to_civil(d).year;
  if (d > detail::retail_year_last_day(end_year, cal))
    ++end_year;
  else if (d <= detail::retail_year_last_day(end_year - 1, cal))
    --end_year;
  const std::int64_t start = detail::retail_year_last_day(end_year - 1, cal) + 1;
  const auto year_weeks =
      static_cast<unsigned>((detail::retail_year_last_day(end_year, cal) + 1 - start) / 7);
  const auto week = static_cast<unsigned>((d - start) / 7 + 1);
  unsigned index = 1;
  switch (kind) {
  case period_kind::week:
    index = week;
    break;
  case period_kind::month:
    for (unsigned weeks_before = 0;; ++index) {
      weeks_before += detail::retail_weeks_in_period(cal, index, year_weeks);
      if (week <= weeks_before) break;
    }
    break;
  case period_kind::quarter:
    index = week > 52 ? 4 : (week - 1) / 13 + 1;
    break;
  case period_kind::year:
    break;
  }
  return detail::retail_period(kind, detail::retail_label(end_year, cal), index, start, year_weeks,
                               cal);
}

inline period make_period(period_kind kind, int year, unsigned index, const retail_calendar& cal) {
  detail::check_calendar("make_period", cal);
  detail::check_kind("make_period", kind);
  const std::int64_t end_year = detail::retail_end_year(year, cal);
  const std::int64_t start = detail::retail_year_last_day(end_year - 1, cal) + 1;
  const auto year_weeks =
      static_cast<unsigned>((detail::retail_year_last_day(end_year, cal) + 1 - start) / 7);
  check_in_range("make_period", "index", index, 1u, detail::max_index(kind, year_weeks));
  return detail::retail_period(kind, year, index, start, year_weeks, cal);
}

inline period next_period(const period& p, const retail_calendar& cal) {
  if (p.system != calendar_system::retail)
    SALESOPS_THROW(out_of_range_value, "next_period", "p", no_row, "is ", to_string(p),
                   ", not a retail_calendar period");
  return period_of(p.end, p.kind, cal);
}

inline std::ostream& operator<<(std::ostream& out, const retail_calendar& cal) {
  const char* pattern = cal.pattern == retail_pattern::weeks_4_4_5   ? "4-4-5"
                        : cal.pattern == retail_pattern::weeks_4_5_4 ? "4-5-4"
                                                                     : "5-4-4";
  return out << "retail_calendar{" << pattern << ", ends on weekday " << cal.end_weekday
             << (cal.rule == retail_year_end::last_weekday ? " last in" : " nearest the end of")
             << " month " << cal.end_month
             << ", label=" << (cal.label == fiscal_year_label::end_year ? "end_year" : "start_year")
             << "}";
}

inline std::int64_t business_days_between(date from, date to, span<const date> holidays) {
  if (to < from) return -business_days_between(to, from, holidays);
  std::vector<date> sorted_copy;
  if (!is_sorted_column(holidays)) {
    sorted_copy.assign(holidays.begin(), holidays.end());
    std::sort(sorted_copy.begin(), sorted_copy.end());
    holidays = span<const date>(sorted_copy.data(), sorted_copy.size());
  }
  const date* first = std::lower_bound(holidays.begin(), holidays.end(), from);
  const date* last = std::lower_bound(first, holidays.end(), to);
  std::int64_t off = 0;
  for (const date* h = first; h != last; ++h)
    if (iso_weekday(*h) <= 5 && (h == first || *h != h[-1])) ++off; // a weekday, first copy
  return weekdays_between(from, to) - off;
}

namespace detail {
inline void check_period(const char* function, const period& p) {
  if (p.end <= p.start)
    SALESOPS_THROW(out_of_range_value, function, "p", no_row, "ends on ", format_date(p.end),
                   ", not after its start ", format_date(p.start));
}
} // namespace detail

inline double elapsed_fraction(const period& p, date as_of) {
  detail::check_period("elapsed_fraction", p);
  const date until = std::clamp(as_of, p.start, p.end);
  return static_cast<double>(static_cast<std::int64_t>(until) - p.start) /
         static_cast<double>(static_cast<std::int64_t>(p.end) - p.start);
}

inline double business_elapsed_fraction(const period& p, date as_of, span<const date> holidays) {
  detail::check_period("business_elapsed_fraction", p);
  const std::int64_t total = business_days_between(p.start, p.end, holidays);
  if (total == 0)
    SALESOPS_THROW(empty_input, "business_elapsed_fraction", "p", no_row, to_string(p),
                   " has no business day");
  const date until = std::clamp(as_of, p.start, p.end);
  return static_cast<double>(business_days_between(p.start, until, holidays)) /
         static_cast<double>(total);
}

} // namespace salesops

#endif // SALESOPS_CORE_CALENDAR_HPP
