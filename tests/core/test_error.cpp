// Tests for salesops/core/error.hpp: the message format of the one throw point and the shape
// of the exception hierarchy. Expected messages are the format documented in error.hpp and
// ARCHITECTURE.md ("funnel: timestamp at row 1042 is NaN").
#include <salesops/core/error.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <type_traits>

using namespace salesops;

namespace {
template <class Base, class Derived> constexpr bool derives = std::is_base_of_v<Base, Derived>;
} // namespace

TEST_CASE("error: SALESOPS_THROW formats function, argument, row and value", "[core][error]") {
  try {
    SALESOPS_THROW(not_finite, "funnel", "timestamp", 1042, "is NaN");
    FAIL("SALESOPS_THROW returned");
  } catch (const not_finite& e) {
    CHECK(std::string(e.what()) == "funnel: timestamp at row 1042 is NaN");
    CHECK(e.function() == "funnel");
    CHECK(e.argument() == "timestamp");
    CHECK(e.row() == 1042);
    CHECK(e.detail() == "is NaN");
  }
}

TEST_CASE("error: the detail is kept apart, so callers can reword the message", "[core][error]") {
  // A caller that counts rows from 1 (a CSV's data rows) rebuilds the message from the four
  // parts; the detail is the text after the row, several parts streamed together, and empty
  // when none was given.
  try {
    SALESOPS_THROW(negative_value, "event_funnel", "timestamp", 2, "is negative (", -5, ")");
    FAIL("SALESOPS_THROW returned");
  } catch (const invalid_input& e) {
    CHECK(e.detail() == "is negative (-5)");
    CHECK(std::string(e.what()) == "event_funnel: timestamp at row 2 " + e.detail());
  }
  try {
    SALESOPS_THROW(not_converged, "fit", "iterations", no_row, "");
    FAIL("SALESOPS_THROW returned");
  } catch (const error& e) {
    CHECK(e.detail().empty());
    CHECK(e.row() == no_row);
  }
  // Built directly (without SALESOPS_THROW), as callers' own code may: no detail.
  const out_of_range_value direct("f: p is 2", "f", "p", no_row);
  CHECK(direct.detail().empty());
}

TEST_CASE("error: messages without a row, without a detail, and with several parts",
          "[core][error]") {
  CHECK_THROWS_WITH(SALESOPS_THROW(empty_input, "moments", "values", no_row, "is empty"),
                    "moments: values is empty");
  CHECK_THROWS_WITH(SALESOPS_THROW(empty_input, "moments", "values", no_row, ""),
                    "moments: values");
  CHECK_THROWS_WITH(
      SALESOPS_THROW(length_mismatch, "fit", "y", no_row, "has ", 3, " rows but x has ", 4),
      "fit: y has 3 rows but x has 4");
  CHECK_THROWS_WITH(SALESOPS_THROW(negative_value, "quota", "amount", 0, "is ", -2.5),
                    "quota: amount at row 0 is -2.5");
}

TEST_CASE("error: values print with round-trip precision", "[core][error]") {
  // 0.1 is stored as 0.1000000000000000055511151231257827...; 17 significant digits show
  // the value that was rejected, not a rounded neighbour (Hand: printf("%.17g", 0.1)).
  CHECK_THROWS_WITH(SALESOPS_THROW(out_of_range_value, "f", "p", 7, "is ", 0.1),
                    "f: p at row 7 is 0.10000000000000001");
  CHECK_THROWS_WITH(SALESOPS_THROW(out_of_range_value, "f", "p", 7, "is ", 1.0 + 1e-15),
                    "f: p at row 7 is 1.0000000000000011");
}

TEST_CASE("error: the hierarchy lets callers catch by kind", "[core][error]") {
  STATIC_REQUIRE(derives<std::invalid_argument, invalid_input>);
  STATIC_REQUIRE(derives<error, invalid_input>);
  STATIC_REQUIRE(derives<invalid_input, not_finite>);
  STATIC_REQUIRE(derives<invalid_input, negative_value>);
  STATIC_REQUIRE(derives<invalid_input, length_mismatch>);
  STATIC_REQUIRE(derives<invalid_input, not_sorted>);
  STATIC_REQUIRE(derives<invalid_input, out_of_range_value>);
  STATIC_REQUIRE(derives<invalid_input, empty_input>);
  STATIC_REQUIRE(derives<std::domain_error, numerical_error>);
  STATIC_REQUIRE(derives<error, numerical_error>);
  STATIC_REQUIRE(derives<numerical_error, rank_deficient>);
  STATIC_REQUIRE(derives<numerical_error, not_converged>);
  STATIC_REQUIRE_FALSE(derives<invalid_input, numerical_error>);
  STATIC_REQUIRE_FALSE(derives<std::invalid_argument, numerical_error>);

  // Caught through each base, with the location intact.
  CHECK_THROWS_AS(SALESOPS_THROW(not_sorted, "f", "t", 2, "is 1"), invalid_input);
  CHECK_THROWS_AS(SALESOPS_THROW(not_sorted, "f", "t", 2, "is 1"), std::invalid_argument);
  CHECK_THROWS_AS(SALESOPS_THROW(rank_deficient, "fit", "x", no_row, "has rank 2"),
                  std::domain_error);
  CHECK_THROWS_AS(SALESOPS_THROW(not_converged, "fit", "iterations", no_row, "hit 100"),
                  numerical_error);
  try {
    SALESOPS_THROW(rank_deficient, "fit", "x", no_row, "has rank 2 of 3");
  } catch (const error& e) {
    CHECK(e.function() == "fit");
    CHECK(e.argument() == "x");
    CHECK(e.row() == no_row);
    // The salesops::error base is not a std::exception, so the message comes from the
    // concrete type; check that it is the one formatted.
    const auto* std_error = dynamic_cast<const std::exception*>(&e);
    REQUIRE(std_error != nullptr);
    CHECK(std::string(std_error->what()) == "fit: x has rank 2 of 3");
  }
}
