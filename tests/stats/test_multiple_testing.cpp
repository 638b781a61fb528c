// Tests for salesops/stats/multiple_testing.hpp.
#include <salesops/stats/multiple_testing.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using salesops::stats::p_adjust;
using salesops::stats::p_adjust_method;

TEST_CASE("p_adjust matches R's p.adjust, ties included", "[stats][multiple_testing]") {
  // R: p <- c(0.01, 0.04, 0.03, 0.005, 0.04, 0.5, 0.2, 0.0001, 1, 0.03)
  //    sprintf("%.15g", p.adjust(p, "holm")) etc.
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005, 0.04, 0.5, 0.2, 0.0001, 1, 0.03};
  const std::vector<double> holm = {0.08, 0.21, 0.21, 0.045, 0.21, 1, 0.6, 0.001, 1, 0.21};
  const std::vector<double> bh = {0.0333333333333333,
                                  0.0571428571428571,
                                  0.0571428571428571,
                                  0.025,
                                  0.0571428571428571,
                                  0.555555555555556,
                                  0.25,
                                  0.001,
                                  1,
                                  0.0571428571428571};
  const std::vector<double> bonferroni = {0.1, 0.4, 0.3, 0.05, 0.4, 1, 1, 0.001, 1, 0.3};
  const auto h = p_adjust(p, p_adjust_method::holm);
  const auto b = p_adjust(p, p_adjust_method::benjamini_hochberg);
  const auto f = p_adjust(p, p_adjust_method::bonferroni);
  const auto n = p_adjust(p, p_adjust_method::none);
  REQUIRE(h.size() == p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    INFO("row " << i);
    CHECK(h[i] == Approx(holm[i]).epsilon(1e-13));
    CHECK(b[i] == Approx(bh[i]).epsilon(1e-13));
    CHECK(f[i] == Approx(bonferroni[i]).epsilon(1e-13));
    CHECK(n[i] == p[i]);
  }
  CHECK(p_adjust(std::vector<double>{}, p_adjust_method::holm).empty());
}

TEST_CASE("p_adjust equals the textbook definitions and ignores input order",
          "[stats][multiple_testing]") {
  // Brute force straight from the definitions, O(m^2), on p sorted ascending:
  // Holm_i = min(1, max_{j <= i} (m - j + 1) p_(j)); BH_i = min(1, min_{j >= i} m p_(j) / j).
  salesops::rng gen(GENERATE(31u, 32u, 33u, 34u));
  const std::size_t m = 1 + static_cast<std::size_t>(gen.uniform_int(40));
  std::vector<double> p(m);
  // A mix of tiny p-values, ties and ones.
  for (auto& x : p) {
    const double u = gen.uniform();
    x = u < 0.3 ? gen.uniform() * 1e-3 : (u < 0.5 ? 0.05 : (u < 0.6 ? 1.0 : gen.uniform()));
  }
  std::vector<double> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  const auto holm = p_adjust(p, p_adjust_method::holm);
  const auto bh = p_adjust(p, p_adjust_method::benjamini_hochberg);
  const double md = static_cast<double>(m);
  for (std::size_t k = 0; k < m; ++k) {
    // rank of p[k] among the sorted values: any position holding an equal value gives the
    // same adjusted value, which is what the definitions imply for ties.
    const auto pos = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), p[k]) -
                                              sorted.begin());
    double h = 0, b = 1;
    for (std::size_t j = 0; j <= pos; ++j)
      h = std::max(h, std::min(1.0, (md - static_cast<double>(j)) * sorted[j]));
    for (std::size_t j = pos; j < m; ++j)
      b = std::min(b, md * sorted[j] / static_cast<double>(j + 1));
    INFO("m=" << m << " k=" << k << " p=" << p[k]);
    CHECK(holm[k] == Approx(h).epsilon(1e-14));
    CHECK(bh[k] == Approx(b).epsilon(1e-14));
    CHECK(holm[k] >= p[k]);
    CHECK(bh[k] <= holm[k] + 1e-15);
  }
  // Permutation invariance: shuffling the input shuffles the output the same way.
  std::vector<std::size_t> perm(m);
  for (std::size_t i = 0; i < m; ++i) perm[i] = i;
  std::shuffle(perm.begin(), perm.end(), gen);
  std::vector<double> shuffled(m);
  for (std::size_t i = 0; i < m; ++i) shuffled[i] = p[perm[i]];
  const auto holm_s = p_adjust(shuffled, p_adjust_method::holm);
  const auto bh_s = p_adjust(shuffled, p_adjust_method::benjamini_hochberg);
  for (std::size_t i = 0; i < m; ++i) {
    CHECK(holm_s[i] == holm[perm[i]]);
    CHECK(bh_s[i] == bh[perm[i]]);
  }
}

TEST_CASE("p_adjust_method prints as R spells it", "[stats][multiple_testing]") {
  std::ostringstream out;
  out << p_adjust_method::holm << " " << p_adjust_method::benjamini_hochberg << " "
      << p_adjust_method::bonferroni << " " << p_adjust_method::none;
  CHECK(out.str() == "holm BH bonferroni none");
}

TEST_CASE("p_adjust rejects p-values outside [0, 1]", "[stats][multiple_testing]") {
  const std::vector<double> bad = {0.1, 0.2, 1.5};
  CHECK_THROWS_AS(p_adjust(bad, p_adjust_method::holm), salesops::out_of_range_value);
  CHECK_THROWS_WITH(p_adjust(bad, p_adjust_method::holm), Contains("p_adjust: p at row 2 is 1.5"));
  const std::vector<double> nan = {std::numeric_limits<double>::quiet_NaN()};
  CHECK_THROWS_AS(p_adjust(nan, p_adjust_method::benjamini_hochberg), salesops::not_finite);
  const std::vector<double> negative = {0.1, -0.01};
  CHECK_THROWS_WITH(p_adjust(negative, p_adjust_method::none), Contains("row 1"));
}
