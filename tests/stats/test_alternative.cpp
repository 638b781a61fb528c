// Tests for salesops/stats/alternative.hpp.
#include <salesops/stats/alternative.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using salesops::stats::alternative;
using salesops::stats::normal_p_value;

TEST_CASE("normal_p_value matches pnorm", "[stats][alternative]") {
  // R: 2 * pnorm(-1.96) = 0.0499957902964409; pnorm(-1.96) = 0.0249978951482204;
  //    pnorm(1.96) = 0.97500210485178
  CHECK(normal_p_value(1.96, alternative::two_sided) == Approx(0.0499957902964409).epsilon(1e-13));
  CHECK(normal_p_value(-1.96, alternative::two_sided) == Approx(0.0499957902964409).epsilon(1e-13));
  CHECK(normal_p_value(1.96, alternative::greater) == Approx(0.0249978951482204).epsilon(1e-13));
  CHECK(normal_p_value(1.96, alternative::less) == Approx(0.97500210485178).epsilon(1e-13));
  // R: pnorm(-9) = 1.12858840595384e-19: the upper tail keeps full relative precision
  // (1 - pnorm(9) would round to 0).
  CHECK(normal_p_value(9.0, alternative::greater) == Approx(1.12858840595384e-19).epsilon(1e-12));
  CHECK(normal_p_value(0.0, alternative::two_sided) == 1.0);
}

TEST_CASE("alternative prints as R spells it", "[stats][alternative]") {
  std::ostringstream out;
  out << alternative::two_sided << " " << alternative::less << " " << alternative::greater;
  CHECK(out.str() == "two.sided less greater");
}
