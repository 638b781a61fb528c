// The command line's CSV reader (examples/cli/cli.hpp, read_csv): RFC 4180 records, the header,
// blank lines, integers.
#include "run_cli.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <sstream>
#include <string>

namespace {

salesops_cli::csv_table read(const std::string& text) {
  std::istringstream in(text);
  return salesops_cli::read_csv(in);
}

// The message of the input_error that reading `text` throws ("" when it reads).
std::string read_error(const std::string& text) {
  try {
    read(text);
  } catch (const salesops_cli::input_error& e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST_CASE("csv: quoted fields, doubled quotes, CRLF and a trailing blank line", "[cli][csv]") {
  const auto t = read("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",\r\n\r\n\n");
  REQUIRE(t.header == std::vector<std::string>{"a", "b"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0] == std::vector<std::string>{"x,1", "say \"hi\""});
  CHECK(t.rows[1] == std::vector<std::string>{"two\nlines", ""});
}

TEST_CASE("csv: a quote inside a field or text after a closing quote is malformed", "[cli][csv]") {
  // The reader used to merge these into the field: `1,"0"5,1` read as 1, 05, 1.
  CHECK_THAT(read_error("a,b,c\n1,\"0\"5,1\n"),
             Catch::Contains("line 2 field 2: text after the closing quote"));
  CHECK_THAT(read_error("a,b\n1,x\"y\n"),
             Catch::Contains("line 2 field 2: a quote inside an unquoted field"));
  CHECK_THAT(read_error("a,b\n1,\"open\n"), Catch::Contains("unterminated quoted field"));
}

TEST_CASE("csv: a column named twice in the header is refused", "[cli][csv]") {
  // The first one used to win silently.
  CHECK(read_error("entity,timestamp,entity\n1,2,3\n") ==
        "csv: column 'entity' appears twice in the header");
  CHECK(read_error(" y , y\n1,2\n") == "csv: column 'y' appears twice in the header");
}

TEST_CASE("csv: blank lines may only end the file", "[cli][csv]") {
  // A blank line inside a one-column series used to be dropped, shifting every later value.
  CHECK(read_error("y\n1\n\n3\n") == "csv: line 3 is blank (blank lines may only end the file)");
  CHECK(read_error("a,b\n1,2\n\n\n3,4\n") ==
        "csv: line 3 is blank (blank lines may only end the file)");
  CHECK(read("y\n1\n3\n\n\n").rows.size() == 2);
}

TEST_CASE("csv: a UTF-8 byte-order mark before the header is skipped", "[cli][csv]") {
  const auto t = read("\xEF\xBB\xBFy,x\n1,2\n");
  CHECK(t.header == std::vector<std::string>{"y", "x"});
  CHECK(t.column("y") == 0);
  CHECK_THAT(read_error("\xEFy\n1\n"), Catch::Contains("neither text nor a UTF-8 byte-order mark"));
}

TEST_CASE("csv: integers are read whole in base 10 within 64 bits", "[cli][csv]") {
  const auto t = read("id,mask\n-5,18446744073709551615\n 7 ,9223372036854775808\n");
  CHECK(t.integers("id") == std::vector<long long>{-5, 7});
  CHECK(t.unsigned_integers("mask") ==
        std::vector<std::uint64_t>{18446744073709551615ULL, 9223372036854775808ULL});
  const auto message = [](const std::string& text, bool is_unsigned) {
    try {
      const auto table = read("v\n" + text + "\n");
      is_unsigned ? (void)table.unsigned_integers("v") : (void)table.integers("v");
    } catch (const salesops_cli::input_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(message("-1", true) == "csv: column 'v' at row 1 is negative ('-1')");
  CHECK(message("18446744073709551616", true) ==
        "csv: column 'v' at row 1 does not fit in 64 bits ('18446744073709551616')");
  CHECK(message("9223372036854775808", false) ==
        "csv: column 'v' at row 1 does not fit in 64 bits ('9223372036854775808')");
  CHECK(message("0x10", false) == "csv: column 'v' at row 1 is not an integer ('0x10')");
  CHECK(message("1.5", true) == "csv: column 'v' at row 1 is not an integer ('1.5')");
}
