// The `salesops` command-line program: a registry of subcommands, CSV input, JSON output.
//
// Each subcommand lives in its own cmd_<name>.cpp and registers itself with a static
// `registrar`, so modules add subcommands without touching a shared file. The program reads
// CSV with a header row from standard input or --input FILE, writes JSON (or CSV) to standard
// output, and reports errors on standard error: exit status 2 for bad input (salesops::
// invalid_input, malformed CSV, bad options), 3 for numerical trouble, 1 for anything else.
#ifndef SALESOPS_CLI_HPP
#define SALESOPS_CLI_HPP

#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace salesops_cli {

/// Streams a subcommand works with; `in` is the CSV input (stdin or --input FILE).
struct io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

/// What a subcommand does once its options are parsed.
using action = std::function<void(io&)>;

/// A subcommand: `setup` adds its options to `app` (binding them to state it owns) and
/// returns the action to run after parsing.
struct command {
  std::string name;
  std::string description;
  std::function<action(CLI::App& app)> setup;
};

/// All registered subcommands, in registration order.
std::vector<command>& registry();

/// Registers a subcommand at static-initialisation time: `static registrar r{{...}};`.
struct registrar {
  explicit registrar(command c);
};

/// Runs the program on the given arguments and streams; returns the exit status.
int run(int argc, const char* const* argv, std::istream& in, std::ostream& out,
        std::ostream& err);

/// The largest value a count option takes by default (a forecast horizon, bootstrap
/// replicates, posterior draws, simulated reps): 10^7. Counts beyond it are valid decimals but
/// would allocate or run far past any report's need (`--horizon 100000000000`), so a typo
/// fails at once.
inline constexpr long long max_count_option = 10000000;

/// CLI11 check of a count option: a value in [minimum, maximum], refused with the option's
/// name and the value otherwise ("--reps: -4 is negative").
CLI::Validator count_option(long long minimum = 0, long long maximum = max_count_option);

/// Malformed input that is not a salesops library error (bad CSV, unknown column...).
class input_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Runs `body`. The library counts rows from 0 in the columns it is given; where those are the
/// CSV's data rows in file order (the library's argument names in `data_columns`), a
/// salesops::invalid_input naming such a row is re-thrown as input_error naming the data row
/// counted from 1, as the CSV reader's own errors do: "event_funnel: timestamp at data row 3
/// is negative (-5)" for the third data row.
void with_data_rows(const std::function<void()>& body,
                    const std::vector<std::string>& data_columns);

/// A CSV table with a header row (RFC 4180: quoted fields, doubled quotes, CRLF).
/// Our own small reader rather than Debian's fast-cpp-csv-parser (libfccp-dev): that one fixes
/// the number of columns at compile time, and `salesops ols` takes any number of predictors.
struct csv_table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  /// Index of the column named `name`; throws input_error naming it when absent.
  std::size_t column(const std::string& name) const;
  /// True when the header has a column named `name`.
  bool has_column(const std::string& name) const;
  /// Field `col` of data row `row` parsed as a finite-or-not double; throws input_error
  /// naming the column, the 1-based data row and the text when it is not a number.
  double number(std::size_t row, std::size_t col) const;
  /// Field parsed as a signed 64-bit integer (base 10, whole); throws input_error when it is
  /// not one.
  long long integer(std::size_t row, std::size_t col) const;
  /// Field parsed as an unsigned 64-bit integer, so ids and bitmasks up to 2^64 - 1 (bit 63:
  /// funnel step 64) can be entered; throws input_error naming a negative value.
  std::uint64_t unsigned_integer(std::size_t row, std::size_t col) const;
  /// Whole column parsed with number().
  std::vector<double> numbers(const std::string& name) const;
  /// Whole column parsed with integer().
  std::vector<long long> integers(const std::string& name) const;
  /// Whole column parsed with unsigned_integer().
  std::vector<std::uint64_t> unsigned_integers(const std::string& name) const;
  /// Whole column as text.
  std::vector<std::string> strings(const std::string& name) const;
};

/// Reads a whole CSV table; throws input_error on a missing header, an unterminated quote or
/// a row whose field count differs from the header's (naming the line).
csv_table read_csv(std::istream& in);

/// Opens a CSV file given by an option (e.g. a second input table); throws input_error.
csv_table read_csv_file(const std::string& path);

} // namespace salesops_cli

#endif // SALESOPS_CLI_HPP
