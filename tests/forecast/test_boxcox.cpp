// Tests for salesops/forecast/boxcox.hpp against forecast::BoxCox / InvBoxCox.
#include <salesops/forecast/boxcox.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include <salesops/core/rng.hpp>

namespace fc = salesops::forecast;
using Catch::Matchers::Contains;

TEST_CASE("box_cox and inv_box_cox equal R's BoxCox and InvBoxCox", "[forecast][boxcox]") {
  // R: sprintf("%.17g", c(BoxCox(c(0.5,3,250), 0), BoxCox(c(0.5,3,250), -0.4),
  //    BoxCox(c(0.5,3,250), 1.7), InvBoxCox(c(-1.2,2.5), 0.5), InvBoxCox(c(2,2.4,3), -0.4),
  //    InvBoxCox(1.5, 0.3, biasadj=TRUE, fvar=0.2), InvBoxCox(-3, 0.5)))
  const std::vector<double> y = {0.5, 3, 250};
  const std::vector<double> log_ref = {-0.69314718055994529, 1.0986122886681098, 5.521460917862246};
  const std::vector<double> neg_ref = {-0.7987697769322355, 0.88901496255686441, 2.2253598641734706};
  const std::vector<double> pos_ref = {-0.4071846450963359, 3.2194163764257526, 7014.757730357881};
  const std::vector<double> t0 = fc::box_cox(y, 0.0), t1 = fc::box_cox(y, -0.4), t2 = fc::box_cox(y, 1.7);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(t0[i] == Approx(log_ref[i]).epsilon(1e-15));
    CHECK(t1[i] == Approx(neg_ref[i]).epsilon(1e-15));
    CHECK(t2[i] == Approx(pos_ref[i]).epsilon(1e-14));
  }
  CHECK(fc::inv_box_cox(-1.2, 0.5) == Approx(0.16000000000000003).epsilon(1e-15));
  CHECK(fc::inv_box_cox(2.5, 0.5) == Approx(5.0625).epsilon(1e-15));
  CHECK(fc::inv_box_cox(2.0, -0.4) == Approx(55.90169943749477).epsilon(1e-14));
  CHECK(fc::inv_box_cox(2.4, -0.4) == Approx(3124.9999999999932).epsilon(1e-13));
  CHECK(std::isnan(fc::inv_box_cox(3.0, -0.4))); // R: NA beyond -1/lambda = 2.5
  CHECK(fc::inv_box_cox_biasadj(1.5, 0.3, 0.2) == Approx(3.5654727486827902).epsilon(1e-15));
  CHECK(fc::inv_box_cox(-3.0, 0.5) == -0.25); // R keeps the sign: sign(-0.5) * 0.5^2
}

TEST_CASE("Box-Cox round trip and bias adjustment by hand", "[forecast][boxcox]") {
  const double lambda = GENERATE(-0.5, 0.0, 0.3, 1.0, 2.0);
  salesops::rng gen(11);
  for (int i = 0; i < 100; ++i) {
    const double y = gen.uniform(0.1, 1000.0);
    CHECK(fc::inv_box_cox(fc::box_cox(y, lambda), lambda) == Approx(y).epsilon(1e-12));
  }
  // Hand derivation for lambda = 0: exp(x) (1 + fvar / 2), the lognormal mean to 2nd order.
  CHECK(fc::inv_box_cox_biasadj(1.0, 0.0, 0.04) == Approx(std::exp(1.0) * 1.02).epsilon(1e-15));
  // lambda = 1 is a shift: no bias adjustment.
  CHECK(fc::inv_box_cox_biasadj(5.0, 1.0, 3.0) == Approx(6.0).epsilon(1e-15));
}

TEST_CASE("Box-Cox rejects non-positive data, naming the row", "[forecast][boxcox]") {
  const std::vector<double> y = {1.0, 2.0, -3.0};
  CHECK_THROWS_AS(fc::box_cox(y, 0.5), salesops::negative_value);
  CHECK_THROWS_WITH(fc::box_cox(y, 0.5), Contains("row 2") && Contains("-3"));
  const std::vector<double> zero = {0.0};
  CHECK_THROWS_AS(fc::box_cox(zero, 0.0), salesops::negative_value);
  CHECK_THROWS_AS(fc::box_cox(1.0, std::nan("")), salesops::not_finite);
  CHECK_THROWS_AS(fc::inv_box_cox_biasadj(1.0, 0.5, -1.0), salesops::negative_value);
}
