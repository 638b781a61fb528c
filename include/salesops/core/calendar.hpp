// Dates and reporting periods: days since 1970-01-01 in the proleptic Gregorian calendar,
// converted with Howard Hinnant's days_from_civil / civil_from_days ("chrono-Compatible
// Low-Level Date Algorithms", howardhinnant.github.io/date_algorithms.html), ISO 8601 weeks
// (weeks start on Monday; week 1 is the week holding the year's first Thursday), and calendar
// months, quarters and years as half-open day ranges [start, end).
#ifndef SALESOPS_CORE_CALENDAR_HPP
#define SALESOPS_CORE_CALENDAR_HPP

#include <cstdint>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>

#include "salesops/core/error.hpp"

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
constexpr bool operator!=(const period& a, const period& b) noexcept { return !(a == b); }

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

/// \brief ISO 8601 text of a date, "2026-03-15".
std::string format_date(date d);

/// \brief Prints "week", "month", "quarter" or "year".
std::ostream& operator<<(std::ostream& out, period_kind kind);
/// \brief Prints the ISO date, "2026-03-15".
std::ostream& operator<<(std::ostream& out, const civil_date& c);
/// \brief Prints "2026-W05".
std::ostream& operator<<(std::ostream& out, const iso_week& w);
/// \brief Prints the label and the range, "2026-Q1 [2026-01-01, 2026-04-01)".
std::ostream& operator<<(std::ostream& out, const period& p);

namespace detail {

// Hinnant's days_from_civil, in 64 bits so that any int year is safe from overflow.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                        // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;         // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                   // [0, 146096]
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
    SALESOPS_THROW(out_of_range_value, "make_date", "day", no_row, "is ", day, ", but month ", month, " of ", year,
                   " has ", days_in_month(year, month), " days");
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
  const auto doe = static_cast<unsigned>(z - era * 146097);                    // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;                           // [1, 31]
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;                            // [1, 12]
  const std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  return {static_cast<int>(year), month, day};
}

inline date date_from_timestamp(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  if (seconds % 86400 < 0) --days; // floor, not truncation toward zero
  if (!detail::fits_date(days))
    SALESOPS_THROW(out_of_range_value, "date_from_timestamp", "seconds", no_row, "is ",
                   seconds, ", whose day does not fit in salesops::date");
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
    if (!detail::fits_date(monday + 7))
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
  SALESOPS_THROW(out_of_range_value, "period_of", "kind", no_row, "is ",
                 static_cast<int>(kind), ", not a period_kind");
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
  case period_kind::week: return out << "week";
  case period_kind::month: return out << "month";
  case period_kind::quarter: return out << "quarter";
  case period_kind::year: return out << "year";
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

inline std::ostream& operator<<(std::ostream& out, const iso_week& w) {
  std::ostringstream text;
  detail::print_year(text, w.year);
  text << "-W";
  detail::print_two_digits(text, w.week);
  return out << text.str();
}

inline std::ostream& operator<<(std::ostream& out, const period& p) {
  return out << to_string(p) << " [" << format_date(p.start) << ", " << format_date(p.end)
             << ")";
}

} // namespace salesops

#endif // SALESOPS_CORE_CALENDAR_HPP
