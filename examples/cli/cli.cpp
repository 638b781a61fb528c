#include "cli.hpp"

#include <salesops/core/error.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <system_error>
#include <type_traits>

namespace salesops_cli {

std::vector<command>& registry() {
  static std::vector<command> commands;
  return commands;
}

registrar::registrar(command c) { registry().push_back(std::move(c)); }

namespace {

// Splits one CSV record, which may span several physical lines inside quotes. A quote opens
// a quoted field only as the field's first character, and a closing quote must end the field:
// `1,"0"5,1` or `a"b` are malformed (RFC 4180), not fields to be merged into "05" or `a"b`.
bool read_record(std::istream& in, std::vector<std::string>& fields, std::size_t& line) {
  fields.clear();
  std::string field;
  bool in_quotes = false;
  bool quoted = false; // the current field was quoted and its closing quote has been read
  bool any = false;
  const auto malformed = [&](const char* what) {
    throw input_error("csv: line " + std::to_string(line) + " field " +
                      std::to_string(fields.size() + 1) + ": " + what +
                      " (quote the whole field and double the quotes inside it)");
  };
  char c = 0;
  while (in.get(c)) {
    any = true;
    if (in_quotes) {
      if (c == '"') {
        if (in.peek() == '"') {
          in.get(c);
          field += '"';
        } else {
          in_quotes = false;
          quoted = true;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      quoted = false;
    } else if (c == '\n') {
      ++line;
      fields.push_back(std::move(field));
      return true;
    } else if (c == '\r') {
      continue; // CRLF line ends
    } else if (quoted) {
      malformed("text after the closing quote");
    } else if (c == '"') {
      if (!field.empty()) malformed("a quote inside an unquoted field");
      in_quotes = true;
    } else {
      field += c;
    }
  }
  if (in_quotes) throw input_error("csv: unterminated quoted field at line " + std::to_string(line));
  if (!any) return false;
  fields.push_back(std::move(field));
  return true;
}

// Opens `path` for reading; `what` names the option in messages. A directory opens as a
// stream on Linux and then reads as empty, which would be reported as a missing header.
void open_input(std::ifstream& file, const std::string& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw input_error("cannot read " + what + "'" + path + "': it is a directory");
  file.open(path);
  if (!file) throw input_error("cannot open " + what + "'" + path + "'");
}

bool blank(const std::vector<std::string>& fields) {
  return fields.size() == 1 && fields[0].empty();
}

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

} // namespace

csv_table read_csv(std::istream& in) {
  csv_table table;
  std::size_t line = 1;
  std::vector<std::string> fields;
  // A UTF-8 byte-order mark, as spreadsheet programs write it, is not part of the first name.
  static const std::string bom = "\xEF\xBB\xBF";
  if (in.peek() == static_cast<unsigned char>(bom[0])) {
    std::string start(bom.size(), '\0');
    in.read(&start[0], static_cast<std::streamsize>(bom.size()));
    if (start.substr(0, static_cast<std::size_t>(in.gcount())) != bom)
      throw input_error("csv: the input starts with a byte that is neither text nor a UTF-8 "
                        "byte-order mark");
  }
  if (!read_record(in, fields, line) || blank(fields))
    throw input_error("csv: missing header row");
  for (auto& name : fields) {
    const std::string trimmed = trim(name);
    if (std::find(table.header.begin(), table.header.end(), trimmed) != table.header.end())
      throw input_error("csv: column '" + trimmed + "' appears twice in the header");
    table.header.push_back(trimmed);
  }
  // Blank lines may end the file; one before a record would silently drop a value of a
  // one-column table (shifting a series) or hide a missing row, so it is an error.
  std::size_t blank_line = 0;
  while (true) {
    const std::size_t record_line = line;
    if (!read_record(in, fields, line)) break;
    if (blank(fields)) {
      if (blank_line == 0) blank_line = record_line;
      continue;
    }
    if (blank_line != 0)
      throw input_error("csv: line " + std::to_string(blank_line) +
                        " is blank (blank lines may only end the file)");
    if (fields.size() != table.header.size())
      throw input_error("csv: line " + std::to_string(record_line) + " has " +
                        std::to_string(fields.size()) + " fields but the header has " +
                        std::to_string(table.header.size()));
    table.rows.push_back(fields);
  }
  return table;
}

csv_table read_csv_file(const std::string& path) {
  std::ifstream file;
  open_input(file, path, "");
  return read_csv(file);
}

bool csv_table::has_column(const std::string& name) const {
  for (const auto& h : header)
    if (h == name) return true;
  return false;
}

std::size_t csv_table::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw input_error("csv: missing column '" + name + "'");
}

double csv_table::number(std::size_t row, std::size_t col) const {
  const std::string text = trim(rows.at(row).at(col));
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size())
    throw input_error("csv: column '" + header[col] + "' at row " + std::to_string(row + 1) +
                      " is not a number ('" + text + "')");
  return value;
}

namespace {

// Field `col` of data row `row` as a 64-bit integer of type Int, read whole in base 10.
template <class Int> Int parse_integer(const csv_table& table, std::size_t row, std::size_t col) {
  const std::string text = trim(table.rows.at(row).at(col));
  Int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size()) return value;
  std::string why = "is not an integer";
  if (std::is_unsigned<Int>::value && !text.empty() && text[0] == '-')
    why = "is negative";
  else if (ec == std::errc::result_out_of_range)
    why = "does not fit in 64 bits";
  throw input_error("csv: column '" + table.header[col] + "' at row " + std::to_string(row + 1) +
                    " " + why + " ('" + text + "')");
}

template <class Int>
std::vector<Int> parse_integer_column(const csv_table& table, const std::string& name) {
  const std::size_t col = table.column(name);
  std::vector<Int> out(table.rows.size());
  for (std::size_t r = 0; r < table.rows.size(); ++r) out[r] = parse_integer<Int>(table, r, col);
  return out;
}

} // namespace

long long csv_table::integer(std::size_t row, std::size_t col) const {
  return parse_integer<long long>(*this, row, col);
}

std::uint64_t csv_table::unsigned_integer(std::size_t row, std::size_t col) const {
  return parse_integer<std::uint64_t>(*this, row, col);
}

std::vector<double> csv_table::numbers(const std::string& name) const {
  const std::size_t col = column(name);
  std::vector<double> out(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) out[r] = number(r, col);
  return out;
}

std::vector<long long> csv_table::integers(const std::string& name) const {
  return parse_integer_column<long long>(*this, name);
}

std::vector<std::uint64_t> csv_table::unsigned_integers(const std::string& name) const {
  return parse_integer_column<std::uint64_t>(*this, name);
}

std::vector<std::string> csv_table::strings(const std::string& name) const {
  const std::size_t col = column(name);
  std::vector<std::string> out(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) out[r] = trim(rows[r][col]);
  return out;
}

namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// CLI11 2.1 reads integer options with strtoll/strtoull in base 0 and ignores overflow: "010"
// was octal 8, 99999999999999999999 was clamped to the largest value, and -1 wrapped to 2^64 - 1
// in an unsigned option. Every integer option therefore takes what std::from_chars reads in
// base 10 (as the CSV reader's integers), whole, within 64 bits, and no leading zeros; CLI11's
// own check then still refuses values too large for a narrower option (an int).
CLI::Validator decimal_integer(bool is_unsigned) {
  return CLI::Validator(
      [is_unsigned](std::string& text) -> std::string {
        const bool negative = !text.empty() && text[0] == '-';
        if (negative && is_unsigned) return "'" + text + "' is negative";
        const char* const end = text.data() + text.size();
        std::from_chars_result read{};
        if (is_unsigned) {
          std::uint64_t value = 0;
          read = std::from_chars(text.data(), end, value);
        } else {
          std::int64_t value = 0;
          read = std::from_chars(text.data(), end, value);
        }
        if (read.ec == std::errc::result_out_of_range)
          return "'" + text + "' does not fit in 64 bits";
        if (read.ec != std::errc() || read.ptr != end)
          return "'" + text + "' is not a decimal integer";
        const std::size_t first_digit = negative ? 1 : 0;
        if (text.size() > first_digit + 1 && text[first_digit] == '0')
          return "'" + text + "' has a leading zero (write decimal digits without one)";
        return std::string();
      },
      "");
}

} // namespace

CLI::Validator count_option(long long minimum, long long maximum) {
  return CLI::Validator(
      [minimum, maximum](std::string& text) -> std::string {
        long long value = 0;
        const char* const end = text.data() + text.size();
        const auto read = std::from_chars(text.data(), end, value);
        if (read.ec != std::errc() || read.ptr != end) return ""; // decimal_integer reports it
        if (value < 0) return text + " is negative";
        if (value < minimum) return text + " is less than " + std::to_string(minimum);
        if (value > maximum)
          return text + " is more than " + std::to_string(maximum) +
                 ", the largest this option takes";
        return std::string();
      },
      "");
}

void with_data_rows(const std::function<void()>& body,
                    const std::vector<std::string>& data_columns) {
  try {
    body();
  } catch (const salesops::invalid_input& e) {
    if (e.row() == salesops::no_row ||
        std::find(data_columns.begin(), data_columns.end(), e.argument()) == data_columns.end())
      throw;
    std::string message =
        e.function() + ": " + e.argument() + " at data row " + std::to_string(e.row() + 1);
    if (!e.detail().empty()) message += " " + e.detail();
    throw input_error(message);
  }
}

int run(int argc, const char* const* argv, std::istream& in, std::ostream& out,
        std::ostream& err) {
  CLI::App app{"salesops: sales-operations analytics (funnels, quotas, rep scores, forecasts)"};
  app.require_subcommand(1);
  std::string input_path;
  std::vector<std::pair<CLI::App*, action>> actions;
  for (const auto& cmd : registry()) {
    CLI::App* sub = app.add_subcommand(cmd.name, cmd.description);
    sub->add_option("--input", input_path, "CSV input file (default: standard input)");
    actions.emplace_back(sub, cmd.setup(*sub));
    for (CLI::Option* option : sub->get_options()) {
      const std::string type = option->get_type_name();
      if (starts_with(type, "UINT"))
        option->check(decimal_integer(true));
      else if (starts_with(type, "INT"))
        option->check(decimal_integer(false));
    }
  }
  // CLI11 reports an unknown first word only as "A subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    std::string names;
    bool known = false;
    for (const auto& cmd : registry()) {
      known = known || cmd.name == word;
      names += (names.empty() ? "" : ", ") + cmd.name;
    }
    if (!known) {
      err << "salesops: '" << word << "' is not a subcommand; the subcommands are " << names
          << " (salesops SUBCOMMAND --help describes one)\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e, out, err);
    return status == 0 ? 0 : 2;
  }
  try {
    std::ifstream file;
    if (!input_path.empty()) {
      open_input(file, input_path, "--input ");
    }
    io streams{input_path.empty() ? in : file, out, err};
    for (auto& [sub, act] : actions)
      if (sub->parsed()) act(streams);
    return 0;
  } catch (const salesops::invalid_input& e) {
    err << "salesops: " << e.what() << "\n";
    return 2;
  } catch (const input_error& e) {
    err << "salesops: " << e.what() << "\n";
    return 2;
  } catch (const salesops::numerical_error& e) {
    err << "salesops: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    err << "salesops: " << e.what() << "\n";
    return 1;
  }
}

} // namespace salesops_cli
