// Tests for salesops/stats/proportion_accumulator.hpp.
#include <salesops/stats/proportion_accumulator.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using salesops::stats::proportion_accumulator;
using salesops::stats::segmented_proportions;

TEST_CASE("proportion_accumulator: merged shards equal one pass", "[stats][accumulator]") {
  // Shards with very different rates (2%, 50%, 97%) and sizes.
  salesops::rng gen(GENERATE(101u, 102u, 103u));
  const std::array<double, 3> rate = {0.02, 0.5, 0.97};
  proportion_accumulator one_pass;
  std::array<proportion_accumulator, 3> shards{};
  std::uint64_t wins = 0, n = 0;
  for (int i = 0; i < 5000; ++i) {
    const auto s = static_cast<std::size_t>(gen.uniform_int(i % 7 == 0 ? 3 : 1));
    const bool won = gen.bernoulli(rate[s]);
    one_pass.update(won);
    shards[s].update(won);
    wins += won ? 1 : 0;
    ++n;
  }
  proportion_accumulator merged;
  for (const auto& s : shards) merged.merge(s);
  CHECK(merged.successes() == wins);
  CHECK(merged.trials() == n);
  CHECK(merged.result().lower == one_pass.result().lower);
  CHECK(merged.result().upper == one_pass.result().upper);
  // Batched counts add the same way.
  proportion_accumulator batched;
  batched.update(wins, n);
  CHECK(batched.result().rate == one_pass.result().rate);
}

TEST_CASE("segmented_proportions: merge equals one pass, columnar input", "[stats][accumulator]") {
  salesops::rng gen(GENERATE(111u, 112u));
  const std::size_t k = 6;
  std::vector<std::uint32_t> segment(3000);
  std::vector<std::uint8_t> won(3000);
  for (std::size_t i = 0; i < segment.size(); ++i) {
    segment[i] = static_cast<std::uint32_t>(gen.uniform_int(k));
    won[i] = gen.bernoulli(0.05 + 0.15 * static_cast<double>(segment[i])) ? 1 : 0;
  }
  segmented_proportions one_pass;
  one_pass.update(segment, won);
  // Shards: first third, the rest split by parity; the second shard never sees segment 5
  // until the end, so merge must grow.
  segmented_proportions a, b, c;
  for (std::size_t i = 0; i < segment.size(); ++i) {
    auto& target = i < 1000 ? a : (i % 2 ? b : c);
    target.update(segment[i], won[i] == 1);
  }
  segmented_proportions merged;
  merged.merge(c);
  merged.merge(a);
  merged.merge(b);
  REQUIRE(merged.size() == k);
  // Brute force: count each segment directly.
  for (std::size_t s = 0; s < k; ++s) {
    std::uint64_t n = 0, w = 0;
    for (std::size_t i = 0; i < segment.size(); ++i)
      if (segment[i] == s) {
        ++n;
        w += won[i];
      }
    CHECK(merged.trials()[s] == n);
    CHECK(merged.successes()[s] == w);
    CHECK(one_pass.trials()[s] == n);
  }
  const auto ra = merged.result(), rb = one_pass.result();
  for (std::size_t s = 0; s < k; ++s) CHECK(ra[s].lower == rb[s].lower);
  const auto cmp = merged.compare_with_rest();
  CHECK(cmp.size() == k);
  // Rates rise with the segment index by construction: the last segment beats the rest.
  CHECK(cmp[k - 1].difference.lower > 0);
}

TEST_CASE("accumulators print and reject bad input", "[stats][accumulator]") {
  proportion_accumulator p;
  CHECK_THROWS_AS(p.result(), salesops::empty_input);
  CHECK_THROWS_AS(p.update(3, 2), salesops::out_of_range_value);
  CHECK_THROWS_WITH(p.update(3, 2), Contains("proportion_accumulator::update: successes is 3"));
  p.update(true);
  p.update(false);
  std::ostringstream out;
  out << p;
  CHECK(out.str() == "proportion_accumulator{successes=1, trials=2}");

  segmented_proportions s;
  s.update(2, 1, 4);
  CHECK(s.size() == 3);
  CHECK_THROWS_AS(s.result(), salesops::empty_input);
  CHECK_THROWS_WITH(s.result(), Contains("trials at row 0 is 0"));
  CHECK_THROWS_WITH(s.update(1, 5, 4), Contains("successes at row 1 is 5"));
  const std::vector<std::uint32_t> seg = {0, 1};
  const std::vector<std::uint8_t> bad = {1, 7};
  CHECK_THROWS_WITH(s.update(seg, bad), Contains("success at row 1 is 7"));
  const std::vector<std::uint8_t> short_flags = {1};
  CHECK_THROWS_AS(s.update(seg, short_flags), salesops::length_mismatch);
  std::ostringstream out2;
  out2 << s;
  CHECK(out2.str() == "segmented_proportions{0: 0/0, 1: 0/0, 2: 1/4}");
}
