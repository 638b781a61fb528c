// Tests for salesops/funnel/stage_history.hpp. Its input checks (for_each_opportunity,
// check_path) are exercised through the stage funnel in test_stage_funnel.cpp; this file
// covers the close-timestamp rule on its own.
#include <salesops/funnel/stage_history.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

TEST_CASE("close_timestamps: the last second of each close day", "[funnel][stage_history]") {
  // Hand derivation: day 0 is 1970-01-01, whose last second is 86399; day 19723 is
  // 2024-01-01, whose last second is 19724 * 86400 - 1 = 1704153599; day -1 is 1969-12-31,
  // whose last second is -1.
  const std::vector<std::int32_t> days = {0, 19723, -1};
  const auto t = salesops::funnel::close_timestamps(days);
  REQUIRE(t.size() == 3);
  CHECK(t[0] == 86399);
  CHECK(t[1] == 1704153599);
  CHECK(t[2] == -1);
}
