// Tests for salesops/core/span.hpp: conversions from every contiguous container salesops
// accepts, that views alias (never copy) the data, and that constness is preserved.
#include <salesops/core/span.hpp>

#include <catch2/catch.hpp>

#include <Eigen/Core>

#include <array>
#include <numeric>
#include <type_traits>
#include <vector>

using salesops::span;

namespace {
// A function taking a const column, the way every salesops hot path does.
double total(span<const double> values) {
  return std::accumulate(values.begin(), values.end(), 0.0);
}
} // namespace

TEST_CASE("span: views std::vector, std::array, Eigen vectors and pointers without copying",
          "[core][span]") {
  std::vector<double> v = {1, 2, 3};
  const std::vector<double> cv = {4, 5};
  std::array<double, 4> a = {1, 1, 1, 1};
  Eigen::VectorXd e(3);
  e << 0.5, 0.25, 0.25;
  Eigen::RowVectorXd r(2);
  r << 7, 8;
  // Hand sums of the elements above.
  CHECK(total(v) == 6.0);
  CHECK(total(cv) == 9.0);
  CHECK(total(a) == 4.0);
  CHECK(total(e) == 1.0);
  CHECK(total(r) == 15.0);
  CHECK(total({v.data() + 1, 2}) == 5.0);
  CHECK(total({}) == 0.0);

  // Aliasing: the view points into the container.
  const span<const double> sv = v;
  CHECK(sv.data() == v.data());
  CHECK(sv.size() == 3);
  const span<const double> se = e;
  CHECK(se.data() == e.data());
  CHECK(se.size() == 3);
  v[0] = 10;
  CHECK(sv[0] == 10.0);
}

TEST_CASE("span: a mutable view writes through and converts to a const view", "[core][span]") {
  std::vector<int> v = {1, 2, 3, 4, 5};
  span<int> s = v;
  for (int& x : s) x *= 2;
  CHECK(v == std::vector<int>{2, 4, 6, 8, 10});
  const span<const int> c = s;
  CHECK(c.data() == v.data());
  CHECK(c.size() == 5);
  const span<int> middle = s.subspan(1, 3);
  CHECK(middle.size() == 3);
  CHECK(middle[0] == 4);
  CHECK(middle[2] == 8);
  CHECK(*(middle.end() - 1) == 8);
  CHECK_FALSE(middle.empty());
  CHECK(span<int>().empty());
  CHECK(span<int>().data() == nullptr);
}

TEST_CASE("span: constness and element type are enforced at compile time", "[core][span]") {
  // A const container gives only a const view; a view never changes the element type.
  STATIC_REQUIRE(std::is_convertible_v<std::vector<double>&, span<const double>>);
  STATIC_REQUIRE(std::is_convertible_v<const std::vector<double>&, span<const double>>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<const std::vector<double>&, span<double>>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<std::vector<float>&, span<const double>>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<std::vector<int>&, span<const double>>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<span<const double>, span<double>>);
  STATIC_REQUIRE(std::is_convertible_v<span<double>, span<const double>>);
  STATIC_REQUIRE(std::is_convertible_v<Eigen::VectorXd&, span<const double>>);
  STATIC_REQUIRE(std::is_same_v<span<const int>::value_type, int>);
  // Deduction guides: the element type comes from data().
  std::vector<long> v = {1};
  const std::vector<long> cv = {1};
  STATIC_REQUIRE(std::is_same_v<decltype(span(v)), span<long>>);
  STATIC_REQUIRE(std::is_same_v<decltype(span(cv)), span<const long>>);
  STATIC_REQUIRE(std::is_same_v<decltype(span(v.data(), v.size())), span<long>>);
  // constexpr-usable.
  static constexpr int data[3] = {1, 2, 3};
  constexpr span<const int> s(data, 3);
  STATIC_REQUIRE(s.size() == 3);
  STATIC_REQUIRE(s[2] == 3);
}
