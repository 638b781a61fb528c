// Tests for salesops/core/outcome.hpp: the printed names, and that the simulator and the
// funnel module use this one enum (so their columns need no conversion).
#include <salesops/core/outcome.hpp>
#include <salesops/funnel/stage_history.hpp>
#include <salesops/simulate/crm.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <type_traits>

namespace {
std::string printed(salesops::outcome o) {
  std::ostringstream s;
  s << o;
  return s.str();
}
} // namespace

TEST_CASE("outcome: names and out-of-range values", "[core][outcome]") {
  CHECK(printed(salesops::outcome::open) == "open");
  CHECK(printed(salesops::outcome::won) == "won");
  CHECK(printed(salesops::outcome::lost) == "lost");
  CHECK(printed(static_cast<salesops::outcome>(7)) == "outcome(7)");
}

TEST_CASE("outcome: one enum for the simulator and the funnel module", "[core][outcome]") {
  STATIC_REQUIRE(std::is_same_v<salesops::simulate::outcome, salesops::outcome>);
  STATIC_REQUIRE(std::is_same_v<salesops::funnel::outcome, salesops::outcome>);
}
