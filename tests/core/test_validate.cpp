// Tests for salesops/core/validate.hpp: every check's exception type and exact message (the
// format of error.hpp: "<function>: <argument>[ at row <i>] <detail>"), and that valid
// input passes untouched. Values print as the standard library streams them ("nan", "inf").
#include <salesops/core/validate.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <vector>

using namespace salesops;
using Catch::Matchers::Equals;

namespace {
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();
} // namespace

TEST_CASE("validate: check_finite", "[core][validate]") {
  CHECK(is_finite_value(1.0));
  CHECK_FALSE(is_finite_value(not_a_number));
  CHECK_FALSE(is_finite_value(-inf));
  CHECK(is_finite_value(std::int64_t{-5})); // integers are always finite
  CHECK_NOTHROW(check_finite("f", "x", 0.0));
  CHECK_NOTHROW(check_finite("f", "x", std::numeric_limits<double>::max()));
  CHECK_THROWS_AS(check_finite("f", "x", not_a_number), not_finite);
  CHECK_THROWS_WITH(check_finite("f", "x", not_a_number), Equals("f: x is nan"));
  CHECK_THROWS_WITH(check_finite("f", "x", inf, 4), Equals("f: x at row 4 is inf"));
  CHECK_THROWS_WITH(check_finite("f", "x", -inf, 4), Equals("f: x at row 4 is -inf"));

  const std::vector<double> column = {1, 2, 3, not_a_number, inf};
  CHECK_THROWS_AS(check_finite<double>("funnel", "timestamp", column), not_finite);
  CHECK_THROWS_WITH(check_finite<double>("funnel", "timestamp", column),
                    Equals("funnel: timestamp at row 3 is nan")); // the first bad row
  const std::vector<float> floats = {1.f, -std::numeric_limits<float>::infinity()};
  CHECK_THROWS_WITH(check_finite<float>("f", "x", floats), Equals("f: x at row 1 is -inf"));
  const std::vector<double> good = {1, -2, 3};
  CHECK_NOTHROW(check_finite<double>("f", "x", good));
  CHECK_NOTHROW(check_finite<double>("f", "x", span<const double>()));
}

TEST_CASE("validate: check_non_negative and check_positive", "[core][validate]") {
  CHECK_NOTHROW(check_non_negative("f", "x", 0.0));
  CHECK_NOTHROW(check_non_negative("f", "x", 0));
  CHECK_THROWS_AS(check_non_negative("f", "x", -0.5), negative_value);
  CHECK_THROWS_WITH(check_non_negative("quota", "amount", -0.5, 2),
                    Equals("quota: amount at row 2 is negative (-0.5)"));
  CHECK_THROWS_WITH(check_non_negative("f", "n", -3), Equals("f: n is negative (-3)"));
  CHECK_THROWS_AS(check_non_negative("f", "x", not_a_number), not_finite); // NaN is not "negative"

  const std::vector<double> amounts = {5, 0, -1e-300, -7}; // printf("%.17g", -1e-300) = "-1e-300"
  CHECK_THROWS_AS(check_non_negative<double>("f", "amount", amounts), negative_value);
  CHECK_THROWS_WITH(check_non_negative<double>("f", "amount", amounts),
                    Equals("f: amount at row 2 is negative (-1e-300)"));

  CHECK_NOTHROW(check_positive("f", "x", 1e-300));
  CHECK_THROWS_AS(check_positive("f", "x", 0.0), negative_value);
  CHECK_THROWS_WITH(check_positive("f", "rate", 0.0), Equals("f: rate must be positive (is 0)"));
  CHECK_THROWS_WITH(check_positive("f", "rate", -2.0, 9),
                    Equals("f: rate at row 9 must be positive (is -2)"));
  CHECK_THROWS_AS(check_positive("f", "x", inf), not_finite);
}

TEST_CASE("validate: check_in_range and check_probability", "[core][validate]") {
  CHECK_NOTHROW(check_in_range("f", "x", 1.0, 1.0, 2.0)); // closed interval
  CHECK_NOTHROW(check_in_range("f", "x", 2.0, 1.0, 2.0));
  CHECK_THROWS_AS(check_in_range("f", "x", 2.5, 1.0, 2.0), out_of_range_value);
  CHECK_THROWS_WITH(check_in_range("f", "x", 2.5, 1.0, 2.0), Equals("f: x is 2.5, outside [1, 2]"));
  CHECK_THROWS_WITH(check_in_range("f", "stage", 7u, 0u, 4u, 11),
                    Equals("f: stage at row 11 is 7, outside [0, 4]"));
  CHECK_THROWS_AS(check_in_range("f", "x", not_a_number, 0.0, 1.0), not_finite);

  CHECK_NOTHROW(check_probability("f", "p", 0.0));
  CHECK_NOTHROW(check_probability("f", "p", 1.0));
  CHECK_THROWS_AS(check_probability("f", "p", 1.5), out_of_range_value);
  CHECK_THROWS_WITH(check_probability("f", "p", -0.25), Equals("f: p is -0.25, outside [0, 1]"));
  CHECK_THROWS_AS(check_probability("f", "p", not_a_number), not_finite);
  const std::vector<double> probabilities = {0.2, 1.0, 1.0000000000000002};
  CHECK_THROWS_WITH(check_probability<double>("f", "p", probabilities),
                    Equals("f: p at row 2 is 1.0000000000000002, outside [0, 1]"));
}

TEST_CASE("validate: lengths, emptiness and order", "[core][validate]") {
  CHECK_NOTHROW(check_equal_lengths("fit", "x", 3, "y", 3));
  CHECK_THROWS_AS(check_equal_lengths("fit", "x", 2, "y", 3), length_mismatch);
  CHECK_THROWS_WITH(check_equal_lengths("fit", "x", 2, "y", 3),
                    Equals("fit: y has 3 rows but x has 2"));

  CHECK_NOTHROW(check_non_empty("f", "values", 1));
  CHECK_THROWS_AS(check_non_empty("f", "values", 0), empty_input);
  CHECK_THROWS_WITH(check_non_empty("f", "values", 0), Equals("f: values is empty"));

  const std::vector<std::int64_t> ordered = {1, 1, 2, 5};
  const std::vector<std::int64_t> unordered = {1, 3, 5, 4, 2};
  CHECK_NOTHROW(check_sorted<std::int64_t>("f", "t", ordered));
  CHECK(is_sorted_column<std::int64_t>(ordered));
  CHECK_FALSE(is_sorted_column<std::int64_t>(unordered));
  CHECK(is_sorted_column<std::int64_t>(span<const std::int64_t>()));
  CHECK_THROWS_AS(check_sorted<std::int64_t>("f", "t", unordered), not_sorted);
  CHECK_THROWS_WITH(check_sorted<std::int64_t>("events", "timestamp", unordered),
                    Equals("events: timestamp at row 3 is 4, smaller than the previous row (5)"));
}

TEST_CASE("validate: exceptions carry the location for programmatic use", "[core][validate]") {
  const std::vector<double> column = {0.5, 0.5, -1};
  try {
    check_probability<double>("pipeline", "probability", column);
    FAIL("no exception");
  } catch (const invalid_input& e) {
    CHECK(e.function() == "pipeline");
    CHECK(e.argument() == "probability");
    CHECK(e.row() == 2);
  }
}
