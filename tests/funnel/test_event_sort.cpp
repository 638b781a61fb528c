// Tests of salesops/funnel/event_sort.hpp. Reference throughout: std::stable_sort written in
// the test (the definition of position order in docs/funnel.md: entity, then timestamp, then
// input order), on random keys from several distributions, including the extreme values and
// the degenerate sizes; and, for event_funnel, the pre-sorted path (which does not sort) on the
// same events sorted by that reference.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <sstream>
#include <vector>

#include "salesops/core/rng.hpp"
#include "salesops/funnel/event_funnel.hpp"
#include "salesops/funnel/event_sort.hpp"

using namespace salesops;
using namespace salesops::funnel;
using Catch::Matchers::Contains;

namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

enum class key_kind { full_range, few_bits, extremes, all_equal, sorted_runs };

// A key from the distribution `kind`: full 64-bit range, 12 varying bits (many duplicates),
// only {0, 1, UINT64_MAX - 1, UINT64_MAX}, one value, or ascending runs with ties.
std::uint64_t draw_key(rng& g, key_kind kind, std::size_t i) {
  switch (kind) {
  case key_kind::full_range: return g.next_u64();
  case key_kind::few_bits: return g.uniform_int(4096) << 20;
  case key_kind::extremes: {
    const std::uint64_t v[] = {0, 1, u64_max - 1, u64_max};
    return v[g.uniform_int(4)];
  }
  case key_kind::all_equal: return 0x1234;
  case key_kind::sorted_runs: return i / 3 + (g.uniform() < 0.1 ? 7 : 0);
  }
  return 0;
}

// Position order by the reference: row numbers stably sorted by (entity, timestamp).
std::vector<std::size_t> reference_order(const std::vector<std::uint64_t>& e,
                                         const std::vector<std::int64_t>& t) {
  std::vector<std::size_t> idx(e.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    return e[a] != e[b] ? e[a] < e[b] : t[a] < t[b];
  });
  return idx;
}

struct columns {
  std::vector<std::uint64_t> entity, steps;
  std::vector<std::int64_t> time;
};

columns permuted(const columns& c, const std::vector<std::size_t>& order) {
  columns out;
  for (std::size_t p : order) {
    out.entity.push_back(c.entity[p]);
    out.time.push_back(c.time[p]);
    out.steps.push_back(c.steps[p]);
  }
  return out;
}

void check_sorted_like_reference(const columns& c) {
  const sorted_events s = sort_events(c.entity, c.time, c.steps);
  const columns expected = permuted(c, reference_order(c.entity, c.time));
  REQUIRE(s.entity == expected.entity);
  REQUIRE(s.timestamp == expected.time);
  // The masks are distinct per row below, so equal steps columns mean the same row order.
  REQUIRE(s.steps == expected.steps);
}

} // namespace

TEST_CASE("radix sort equals std::stable_sort on random keys", "[funnel][sort][property]") {
  const key_kind kind = GENERATE(key_kind::full_range, key_kind::few_bits, key_kind::extremes,
                                 key_kind::all_equal, key_kind::sorted_runs);
  // 40 000 and 300 000 take the most-significant-digit pass (more than 32 768 records).
  const std::size_t n = GENERATE(as<std::size_t>{}, 0, 1, 2, 3, 100, 5000, 40000, 300000);
  rng g(1000 + n + static_cast<std::size_t>(kind));
  std::vector<salesops::funnel::detail::radix_record> records(n), scratch;
  for (std::size_t i = 0; i < n; ++i) records[i] = {draw_key(g, kind, i), i}; // value: input row
  std::vector<salesops::funnel::detail::radix_record> expected = records;
  std::stable_sort(expected.begin(), expected.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
  salesops::funnel::detail::radix_sort(records, scratch, [](const auto& r) { return r.key; });
  REQUIRE(records.size() == n);
  // Equal values too: stable, equal keys keep their input order.
  std::size_t first_difference = 0;
  while (first_difference < n && records[first_difference].key == expected[first_difference].key &&
         records[first_difference].value == expected[first_difference].value)
    ++first_difference;
  CHECK(first_difference == n);
}

TEST_CASE("radix sort by a key that leaves the low bits out carries them unsorted", "[funnel][sort][property]") {
  // The packed form of sort_events: the key is w >> 5, the low 5 bits ride along in input order.
  const std::size_t n = GENERATE(as<std::size_t>{}, 7, 1000, 50000);
  rng g(77 + n);
  std::vector<std::uint64_t> words(n), scratch;
  for (std::size_t i = 0; i < n; ++i) words[i] = (g.uniform_int(300) << 5) | (i % 32);
  std::vector<std::uint64_t> expected = words;
  std::stable_sort(expected.begin(), expected.end(),
                   [](std::uint64_t a, std::uint64_t b) { return (a >> 5) < (b >> 5); });
  salesops::funnel::detail::radix_sort(words, scratch, [](std::uint64_t w) { return w >> 5; });
  CHECK(words == expected);
}

TEST_CASE("sort_events equals the stable reference order on every key layout", "[funnel][sort][property]") {
  // Layouts: dense ids and times with small masks (one packed word), masks using bit 63 (key
  // and mask in two words), and ids or times spanning the whole 64-bit range (two sorts
  // through row numbers), each with many equal (entity, timestamp) pairs.
  enum layout { packed, wide_mask, wide_entity, wide_time };
  const layout l = GENERATE(packed, wide_mask, wide_entity, wide_time);
  const std::size_t n = GENERATE(as<std::size_t>{}, 1, 2, 50, 3000, 60000);
  rng g(5 + n + static_cast<std::size_t>(l));
  columns c;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t e = 1000 + g.uniform_int(n / 4 + 1);
    std::int64_t t = 1700000000 + static_cast<std::int64_t>(g.uniform_int(50));
    std::uint64_t m = i; // distinct per row: identifies the row in the output
    if (l == wide_mask) m |= std::uint64_t{1} << 63;
    if (l == wide_entity) e = draw_key(g, g.uniform() < 0.5 ? key_kind::extremes : key_kind::full_range, i);
    if (l == wide_time) {
      const std::int64_t v[] = {i64_min, -1, 0, 1, i64_max};
      t = v[g.uniform_int(5)];
    }
    c.entity.push_back(e);
    c.time.push_back(t);
    c.steps.push_back(m);
  }
  check_sorted_like_reference(c);
}

TEST_CASE("sort_events: degenerate sizes, bad input and printing", "[funnel][sort]") {
  const std::vector<std::uint64_t> none;
  const std::vector<std::int64_t> no_time;
  const sorted_events empty = sort_events(none, no_time, none);
  CHECK(empty.entity.empty());
  CHECK(empty.timestamp.empty());
  CHECK(empty.steps.empty());
  // One entity, timestamps spanning the whole int64 range (64 varying key bits).
  check_sorted_like_reference({{9, 9, 9, 9}, {1, 2, 3, 4}, {i64_max, i64_min, 0, i64_min}});
  // All rows identical but the mask: input order kept.
  check_sorted_like_reference({{u64_max, u64_max, u64_max}, {5, 6, 7}, {3, 3, 3}});

  const std::vector<std::uint64_t> e{1, 2, 3}, m{1, 1};
  const std::vector<std::int64_t> t{1, 2, 3};
  CHECK_THROWS_AS(sort_events(e, t, m), length_mismatch);
  CHECK_THROWS_WITH(sort_events(e, t, m), Contains("steps") && Contains("3") && Contains("2"));
  const std::vector<std::int64_t> one_time{1};
  CHECK_THROWS_AS(sort_events(e, one_time, e), length_mismatch);

  const std::vector<std::uint64_t> ids{4, 2, 4}, masks{1, 2, 4};
  std::ostringstream out;
  out << sort_events(ids, t, masks);
  CHECK(out.str() == "sorted_events{rows=3, entities=2}");
}

TEST_CASE("event funnel on shuffled input equals the pre-sorted path for every mode and option", "[funnel][sort][property]") {
  // The reference is event_funnel on the same rows stably sorted by the test (that input takes
  // the pre-sorted path, which never sorts). Many ties: 12 distinct times per entity.
  const funnel_mode mode = GENERATE(funnel_mode::standard, funnel_mode::strict_increase,
                                    funnel_mode::strict_order, funnel_mode::strict_deduplication,
                                    funnel_mode::strict_once, funnel_mode::allow_reentry,
                                    funnel_mode::unordered);
  const anchor_rule anchor = GENERATE(anchor_rule::any_start, anchor_rule::first_step);
  // Options: none; exclusions, optional steps and gaps (unordered: optional steps only, its
  // steps have no order for the others to refer to).
  const int constrained = GENERATE(0, 1);
  const bool hashed_ids = GENERATE(false, true); // ids over the full 64-bit range
  event_funnel_options o;
  o.window = 6;
  o.steps = 4;
  o.mode = mode;
  o.anchor = anchor;
  if (constrained) {
    o.optional_steps = {3};
    if (mode != funnel_mode::unordered) {
      o.exclusions = {{5, 1, 3}};
      o.max_gaps = {{2, 3}};
    }
  }
  rng g(31 + static_cast<std::uint64_t>(mode) * 4 + static_cast<std::uint64_t>(anchor) * 2 +
        static_cast<std::uint64_t>(constrained));
  columns c;
  const std::size_t entities = 400;
  for (std::size_t e = 0; e < entities; ++e) {
    std::uint64_t state = e;
    const std::uint64_t id = hashed_ids ? splitmix64_next(state) : 50 + 3 * e;
    const std::size_t events = 1 + static_cast<std::size_t>(g.uniform_int(8));
    for (std::size_t i = 0; i < events; ++i) {
      std::uint64_t mask = 0;
      for (std::size_t s = 0; s < o.steps; ++s)
        if (g.uniform() < 0.35) mask |= std::uint64_t{1} << s;
      if (!o.exclusions.empty() && g.uniform() < 0.15) mask |= std::uint64_t{1} << 5;
      c.entity.push_back(id);
      c.time.push_back(static_cast<std::int64_t>(g.uniform_int(12)));
      c.steps.push_back(mask);
    }
  }
  std::vector<std::size_t> shuffle(c.entity.size());
  std::iota(shuffle.begin(), shuffle.end(), std::size_t{0});
  std::shuffle(shuffle.begin(), shuffle.end(), g);
  const columns rows = permuted(c, shuffle);
  const columns sorted = permuted(rows, reference_order(rows.entity, rows.time));
  const auto expected = event_funnel(sorted.entity, sorted.time, sorted.steps, o);
  const auto got = event_funnel(rows.entity, rows.time, rows.steps, o);
  CHECK(got.entities == expected.entities);
  CHECK(got.levels == expected.levels);
  CHECK(got.reached == expected.reached);
  // The case is not trivial: some entity reaches level 2 or more.
  CHECK(expected.reached[1] > 0);
}
