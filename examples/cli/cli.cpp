#include "cli.hpp"

#include <salesops/core/error.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <system_error>

namespace salesops_cli {

std::vector<command>& registry() {
  static std::vector<command> commands;
  return commands;
}

registrar::registrar(command c) { registry().push_back(std::move(c)); }

namespace {

// Splits one CSV record, which may span several physical lines inside quotes.
bool read_record(std::istream& in, std::vector<std::string>& fields, std::size_t& line) {
  fields.clear();
  std::string field;
  bool in_quotes = false;
  bool any = false;
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
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      ++line;
      fields.push_back(std::move(field));
      return true;
    } else if (c != '\r') {
      field += c;
    }
  }
  if (in_quotes) throw input_error("csv: unterminated quoted field at line " + std::to_string(line));
  if (!any) return false;
  fields.push_back(std::move(field));
  return true;
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
  if (!read_record(in, fields, line) || blank(fields))
    throw input_error("csv: missing header row");
  for (auto& name : fields) table.header.push_back(trim(name));
  while (true) {
    const std::size_t record_line = line;
    if (!read_record(in, fields, line)) break;
    if (blank(fields)) continue; // a trailing empty line is not a record
    if (fields.size() != table.header.size())
      throw input_error("csv: line " + std::to_string(record_line) + " has " +
                        std::to_string(fields.size()) + " fields but the header has " +
                        std::to_string(table.header.size()));
    table.rows.push_back(fields);
  }
  return table;
}

csv_table read_csv_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw input_error("cannot open '" + path + "'");
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

long long csv_table::integer(std::size_t row, std::size_t col) const {
  const std::string text = trim(rows.at(row).at(col));
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
    throw input_error("csv: column '" + header[col] + "' at row " + std::to_string(row + 1) +
                      " is not an integer ('" + text + "')");
  return value;
}

std::vector<double> csv_table::numbers(const std::string& name) const {
  const std::size_t col = column(name);
  std::vector<double> out(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) out[r] = number(r, col);
  return out;
}

std::vector<long long> csv_table::integers(const std::string& name) const {
  const std::size_t col = column(name);
  std::vector<long long> out(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) out[r] = integer(r, col);
  return out;
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

void with_data_rows(const std::function<void()>& body,
                    const std::vector<std::string>& data_columns) {
  try {
    body();
  } catch (const salesops::invalid_input& e) {
    if (e.row() == salesops::no_row ||
        std::find(data_columns.begin(), data_columns.end(), e.argument()) == data_columns.end())
      throw;
    const std::string name = e.function() + ": " + e.argument();
    const std::string prefix = name + " at row " + std::to_string(e.row());
    const std::string message = e.what();
    if (!starts_with(message, prefix)) throw;
    throw input_error(name + " at data row " + std::to_string(e.row() + 1) +
                      message.substr(prefix.size()));
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e, out, err);
    return status == 0 ? 0 : 2;
  }
  try {
    std::ifstream file;
    if (!input_path.empty()) {
      file.open(input_path);
      if (!file) throw input_error("cannot open --input '" + input_path + "'");
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
