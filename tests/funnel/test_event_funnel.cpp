// Tests of salesops/funnel/event_funnel.hpp. Expected values come from hand derivations
// (stated next to each case), documented ClickHouse/StarRocks examples, and a brute-force
// reference below that enumerates every chain and applies each mode's definition literally
// (docs/funnel.md); the fast path must equal it on thousands of random small cases full of
// equal timestamps and multi-step events.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "salesops/core/rng.hpp"
#include "salesops/funnel/event_funnel.hpp"

using namespace salesops;
using namespace salesops::funnel;
using Catch::Matchers::Contains;

namespace {

constexpr std::uint64_t A = 1, B = 2, C = 4, D = 8; // steps 1..4

struct events {
  std::vector<std::uint64_t> entity;
  std::vector<std::int64_t> time;
  std::vector<std::uint64_t> steps;
  void add(std::uint64_t e, std::int64_t t, std::uint64_t m) {
    entity.push_back(e);
    time.push_back(t);
    steps.push_back(m);
  }
};

event_funnel_options opts(std::int64_t window, std::size_t k, funnel_mode mode = funnel_mode::standard,
                          anchor_rule anchor = anchor_rule::any_start) {
  event_funnel_options o;
  o.window = window;
  o.steps = k;
  o.mode = mode;
  o.anchor = anchor;
  return o;
}

std::size_t one_entity(const std::vector<std::int64_t>& t, const std::vector<std::uint64_t>& m,
                       const event_funnel_options& o) {
  return entity_funnel_level(t, m, o);
}

// ---- Brute-force reference: the definitions of docs/funnel.md applied literally. ----------
// `t`, `m`: one entity's events in position order (stable order by time).
struct brute {
  const std::vector<std::int64_t>& t;
  const std::vector<std::uint64_t>& m;
  const event_funnel_options& o;
  std::vector<std::size_t> chain;
  std::size_t best = 0;
  std::vector<std::vector<std::size_t>> longest; // every valid chain of length `best`
  std::int64_t anchor_time = -1; // >= 0: chains must start at this time (attempt counting)

  bool sequence_mode() const {
    return o.mode == funnel_mode::strict_order || o.mode == funnel_mode::strict_deduplication ||
           o.mode == funnel_mode::allow_reentry;
  }
  bool in_chain(std::size_t q) const {
    return std::find(chain.begin(), chain.end(), q) != chain.end();
  }
  // Is the current chain (length j >= 1) valid as a complete chain?
  bool valid() const {
    const std::size_t j = chain.size();
    const std::size_t first = chain.front(), last = chain.back();
    std::int64_t t1 = -1; // earliest step-1 time
    for (std::size_t q = 0; q < t.size(); ++q)
      if ((m[q] & 1U) && (t1 < 0 || t[q] < t1)) t1 = t[q];
    if (anchor_time >= 0) t1 = anchor_time;
    const bool anchored = o.anchor == anchor_rule::first_step || anchor_time >= 0;
    if (o.mode == funnel_mode::unordered) { // any order, all inside one window
      std::int64_t lo = t[first], hi = t[first];
      for (std::size_t q : chain) {
        lo = std::min(lo, t[q]);
        hi = std::max(hi, t[q]);
      }
      if (anchored) return lo >= t1 && hi <= t1 + o.window;
      return hi - lo <= o.window;
    }
    if (anchored && t[first] != t1) return false;
    if (t[last] - t[first] > o.window) return false;
    for (std::size_t l = 1; l < j; ++l) {
      const std::size_t p = chain[l - 1], q = chain[l];
      if (t[q] < t[p]) return false;
      if (o.mode == funnel_mode::strict_increase && !(t[p] < t[q])) return false;
      if (sequence_mode() && !(p < q)) return false;
      if (o.mode == funnel_mode::strict_order && q != p + 1) return false;
    }
    if (o.mode == funnel_mode::strict_deduplication || o.mode == funnel_mode::allow_reentry)
      for (std::size_t q = first + 1; q < last; ++q) {
        if (in_chain(q)) continue;
        if (o.mode == funnel_mode::allow_reentry && m[q] == 0) return false;
        // steps 2..j are bits 1..j-1
        const std::uint64_t steps_2_to_j = ((std::uint64_t{1} << j) - 1) & ~std::uint64_t{1};
        if (o.mode == funnel_mode::strict_deduplication && (m[q] & steps_2_to_j)) return false;
      }
    return true;
  }
  void search() {
    const std::size_t j = chain.size();
    if (j == o.steps) return;
    for (std::size_t q = 0; q < t.size(); ++q) {
      if (!((m[q] >> j) & 1U) || in_chain(q)) continue;
      chain.push_back(q);
      // Every rule is monotone in the chain (an invalid prefix has no valid extension).
      if (valid()) {
        if (chain.size() > best) longest.clear();
        best = std::max(best, chain.size());
        if (chain.size() == best) longest.push_back(chain);
        search();
      }
      chain.pop_back();
    }
  }
  std::size_t level() {
    search();
    return best;
  }
};

std::size_t brute_level(const std::vector<std::int64_t>& t, const std::vector<std::uint64_t>& m,
                        const event_funnel_options& o) {
  return brute{t, m, o, {}, 0, {}, -1}.level();
}

// Reference for whole columns: group by entity, stable order by time, brute force per entity.
event_funnel_result brute_funnel(const events& ev, const event_funnel_options& o) {
  std::vector<std::size_t> idx(ev.entity.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    return ev.entity[a] != ev.entity[b] ? ev.entity[a] < ev.entity[b] : ev.time[a] < ev.time[b];
  });
  event_funnel_result r;
  r.reached.assign(o.steps, 0);
  for (std::size_t i = 0; i < idx.size();) {
    std::vector<std::int64_t> t;
    std::vector<std::uint64_t> m;
    std::size_t j = i;
    for (; j < idx.size() && ev.entity[idx[j]] == ev.entity[idx[i]]; ++j) {
      t.push_back(ev.time[idx[j]]);
      m.push_back(ev.steps[idx[j]]);
    }
    const std::size_t level = brute_level(t, m, o);
    r.entities.push_back(ev.entity[idx[i]]);
    r.levels.push_back(static_cast<std::uint8_t>(level));
    for (std::size_t s = 0; s < level; ++s) ++r.reached[s];
    i = j;
  }
  return r;
}

// The rows of `ev` in a random order.
events shuffled_rows(const events& ev, rng& g) {
  std::vector<std::size_t> perm(ev.entity.size());
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  std::shuffle(perm.begin(), perm.end(), g);
  events out;
  for (std::size_t p : perm) out.add(ev.entity[p], ev.time[p], ev.steps[p]);
  return out;
}

// Gives the entities of sorted `ev` new ids in the same order: the first 0, each next one
// gap() above the one before.
template <class Gap> void renumber_entities(events& ev, Gap gap) {
  std::uint64_t id = 0, before = ev.entity[0];
  for (std::uint64_t& e : ev.entity) {
    if (e != before) id += gap();
    before = e;
    e = id;
  }
}

// Small random case: few distinct times (many ties), multi-step and no-step events, rows in
// random order.
events random_events(rng& g, std::size_t k, std::size_t entities, std::size_t max_events,
                     std::int64_t time_range) {
  events ev;
  for (std::size_t e = 0; e < entities; ++e) {
    const std::size_t n = 1 + static_cast<std::size_t>(g.uniform_int(max_events));
    for (std::size_t i = 0; i < n; ++i) {
      std::uint64_t mask = 0;
      for (std::size_t s = 0; s < k; ++s)
        if (g.uniform() < 0.4) mask |= std::uint64_t{1} << s;
      ev.add(100 + 7 * e, static_cast<std::int64_t>(g.uniform_int(static_cast<std::uint64_t>(time_range))), mask);
    }
  }
  return shuffled_rows(ev, g);
}

events stable_sorted(const events& ev) {
  std::vector<std::size_t> idx(ev.entity.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    return ev.entity[a] != ev.entity[b] ? ev.entity[a] < ev.entity[b] : ev.time[a] < ev.time[b];
  });
  events out;
  for (std::size_t p : idx) out.add(ev.entity[p], ev.time[p], ev.steps[p]);
  return out;
}

const funnel_mode all_modes[] = {funnel_mode::standard, funnel_mode::strict_increase,
                                 funnel_mode::strict_order, funnel_mode::strict_deduplication,
                                 funnel_mode::strict_once, funnel_mode::allow_reentry,
                                 funnel_mode::unordered};

using funnel::detail::sorted_path;

// The pre-sorted passes to run on the same inputs: the scalar one, and the AVX2 one where this
// build and processor have it (a missing one is reported by the test "both pre-sorted passes").
std::vector<sorted_path> sorted_paths() {
  std::vector<sorted_path> paths{sorted_path::scalar};
  if (funnel::detail::sorted_path_available(sorted_path::avx2)) paths.push_back(sorted_path::avx2);
  return paths;
}

event_funnel_result funnel_by(const events& ev, const event_funnel_options& o, sorted_path path) {
  return funnel::detail::event_funnel_by(ev.entity, ev.time, ev.steps, o, path);
}

// Sorted input of `entities` entities (ids ascending with gaps) starting before, inside or after
// the time span of the entity before, 1 to max_events events each with mostly distinct times,
// some ties (a time equal to the event before), unrelated events and masks of 1-3 steps.
events sorted_entities(rng& g, std::size_t k, std::size_t entities, std::size_t max_events) {
  events ev;
  std::uint64_t id = 0;
  for (std::size_t e = 0; e < entities; ++e) {
    id += 1 + g.uniform_int(3);
    std::int64_t t = g.uniform_int(3) == 0 ? 0 : static_cast<std::int64_t>(g.uniform_int(1000));
    const std::size_t n = 1 + static_cast<std::size_t>(g.uniform_int(max_events));
    for (std::size_t i = 0; i < n; ++i) {
      t += static_cast<std::int64_t>(g.uniform_int(12)); // 0: a tie with the event before
      std::uint64_t mask = 0;
      const double u = g.uniform();
      if (u > 0.3) mask |= std::uint64_t{1} << g.uniform_int(k);
      if (u > 0.85) mask |= std::uint64_t{1} << g.uniform_int(k);
      if (u > 0.95) mask |= std::uint64_t{1} << g.uniform_int(k);
      ev.add(id, t, mask);
    }
  }
  return ev;
}

} // namespace

TEST_CASE("event funnel: hand cases for the default mode", "[funnel][event]") {
  // Issue 3's example: window 10, A@0, A@3, B@5, B@6, C@6. Chain A@3, B@5, C@6 (6 <= 3 + 10).
  CHECK(one_entity({0, 3, 5, 6, 6}, {A, A, B, B, C}, opts(10, 3)) == 3);
  // One event matching steps 1..3 is one event: level 1 (ClickHouse's default would say 3).
  CHECK(one_entity({5}, {A | B | C}, opts(10, 3)) == 1);
  // Equal timestamps are allowed and matched as distinct events: {A|B, A} at t=5 gives
  // A-event as step 1, (A|B)-event as step 2 -> 2, although the A|B event comes first.
  CHECK(one_entity({5, 5}, {A | B, A}, opts(10, 3)) == 2);
  // Window is inclusive: B exactly at t(A) + window counts, one second later it does not.
  CHECK(one_entity({0, 10}, {A, B}, opts(10, 2)) == 2);
  CHECK(one_entity({0, 11}, {A, B}, opts(10, 2)) == 1);
  // A later start wins: A@0, A@8, B@15 (window 10): only A@8 reaches B -> 2.
  CHECK(one_entity({0, 8, 15}, {A, A, B}, opts(10, 2)) == 2);
  // Steps out of order do not count: B@0, A@1 -> 1.
  CHECK(one_entity({0, 1}, {B, A}, opts(10, 2)) == 1);
  // No step-1 event -> 0.
  CHECK(one_entity({0, 1}, {B, C}, opts(10, 3)) == 0);
  // 64 steps: event i at time i matches step i+1 only -> 64.
  std::vector<std::int64_t> t(64);
  std::vector<std::uint64_t> m(64);
  for (std::size_t i = 0; i < 64; ++i) {
    t[i] = static_cast<std::int64_t>(i);
    m[i] = std::uint64_t{1} << i;
  }
  CHECK(one_entity(t, m, opts(63, 64)) == 64);
  CHECK(one_entity(t, m, opts(62, 64)) == 63); // the last step falls one second outside
}

TEST_CASE("event funnel: hand cases for the other modes", "[funnel][event]") {
  // Issue 3: strict_increase, window 10, A@0, A@3, B@5, B@6, C@6 -> 3 (A@3, B@5, C@6);
  // ClickHouse's greedy scan overwrites level 2 with B@6 and then rejects C@6 (not > 6).
  CHECK(one_entity({0, 3, 5, 6, 6}, {A, A, B, B, C}, opts(10, 3, funnel_mode::strict_increase)) == 3);
  // Equal timestamps never chain under strict_increase.
  CHECK(one_entity({5, 5}, {A, B}, opts(10, 2, funnel_mode::strict_increase)) == 1);
  CHECK(one_entity({5, 5}, {A, B}, opts(10, 2)) == 2);
  // ClickHouse docs, strict_order: A->B->D->C stops at D -> 2.
  CHECK(one_entity({1, 2, 3, 4}, {A, B, D, C}, opts(100, 4, funnel_mode::strict_order)) == 2);
  CHECK(one_entity({1, 2, 3, 4}, {A, B, D, C}, opts(100, 4)) == 3);
  // allow_reentry skips the early D (it matches a step) but not an event matching no step.
  CHECK(one_entity({1, 2, 3, 4}, {A, B, D, C}, opts(100, 4, funnel_mode::allow_reentry)) == 3);
  CHECK(one_entity({1, 2, 3, 4}, {A, B, 0, C}, opts(100, 4, funnel_mode::allow_reentry)) == 2);
  // Deduplication example of the StarRocks/Doris docs: A-B-C-B-D -> 3 (the second B repeats).
  CHECK(one_entity({1, 2, 3, 4, 5}, {A, B, C, B, D}, opts(100, 4, funnel_mode::strict_deduplication)) == 3);
  // A B B C: every chain reaching C spans both Bs -> 2 (ClickHouse also returns 2).
  CHECK(one_entity({1, 2, 3, 4}, {A, B, B, C}, opts(100, 3, funnel_mode::strict_deduplication)) == 2);
  // A repeated step 1 is no duplicate: A A B C -> 3 (chain A@2, B, C; A@1 is outside its span
  // and step-1 repeats are allowed anyway).
  CHECK(one_entity({1, 2, 3, 4}, {A, A, B, C}, opts(100, 3, funnel_mode::strict_deduplication)) == 3);
  // unordered: C@1, B@2, A@3 covers steps 1..3 in any order -> 3 (default: 1, only A).
  CHECK(one_entity({1, 2, 3}, {C, B, A}, opts(10, 3, funnel_mode::unordered)) == 3);
  CHECK(one_entity({1, 2, 3}, {C, B, A}, opts(10, 3)) == 1);
  // ...but all inside one window: C@1, B@2, A@13 with window 10 -> B@2 and A@13 are 11 apart,
  // so only {A} -> 1; and one event matching A|B is still one event -> 1.
  CHECK(one_entity({1, 2, 13}, {C, B, A}, opts(10, 3, funnel_mode::unordered)) == 1);
  CHECK(one_entity({1}, {A | B}, opts(10, 2, funnel_mode::unordered)) == 1);
  // strict_once is the default here: an event is never used twice in one chain.
  CHECK(one_entity({5}, {A | B}, opts(10, 2, funnel_mode::strict_once)) == 1);
}

TEST_CASE("event funnel: first-step anchoring", "[funnel][event]") {
  // A@0, A@100, B@105, window 10: the chain A@100, B@105 counts under any_start; under
  // first_step the window opens at A@0 only and closes at 10 -> 1.
  const std::vector<std::int64_t> t{0, 100, 105};
  const std::vector<std::uint64_t> m{A, A, B};
  for (funnel_mode mode : all_modes) {
    CAPTURE(mode);
    CHECK(one_entity(t, m, opts(10, 2, mode)) == 2);
    CHECK(one_entity(t, m, opts(10, 2, mode, anchor_rule::first_step)) == 1);
  }
}

TEST_CASE("event funnel: fast path equals brute force on random small cases", "[funnel][event][property]") {
  const funnel_mode mode = GENERATE(from_range(std::begin(all_modes), std::end(all_modes)));
  const anchor_rule anchor = GENERATE(anchor_rule::any_start, anchor_rule::first_step);
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 9));
  CAPTURE(mode, anchor, seed);
  rng g(seed * 1000 + static_cast<std::uint64_t>(mode) * 10 + static_cast<std::uint64_t>(anchor));
  for (int rep = 0; rep < 60; ++rep) {
    const std::size_t k = 1 + static_cast<std::size_t>(g.uniform_int(4));
    const std::int64_t window = 1 + static_cast<std::int64_t>(g.uniform_int(5));
    const events ev = random_events(g, k, 4, 8, 8);
    const auto o = opts(window, k, mode, anchor);
    const auto expected = brute_funnel(ev, o);
    const auto unsorted = event_funnel(ev.entity, ev.time, ev.steps, o);
    const events sorted = stable_sorted(ev);
    const auto presorted = event_funnel(sorted.entity, sorted.time, sorted.steps, o);
    CAPTURE(rep, k, window);
    REQUIRE(unsorted.entities == expected.entities);
    REQUIRE(unsorted.levels == expected.levels);
    REQUIRE(unsorted.reached == expected.reached);
    REQUIRE(presorted.levels == expected.levels);
  }
}

TEST_CASE("event funnel: large equal-timestamp groups equal brute force", "[funnel][event][property]") {
  // Many events at two or three instants stress the group matching of the default mode.
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(20, 30));
  rng g(seed);
  for (int rep = 0; rep < 40; ++rep) {
    const std::size_t k = 2 + static_cast<std::size_t>(g.uniform_int(4));
    const events ev = random_events(g, k, 2, 9, 3);
    for (funnel_mode mode : {funnel_mode::standard, funnel_mode::strict_increase}) {
      const auto o = opts(1 + static_cast<std::int64_t>(g.uniform_int(2)), k, mode);
      CAPTURE(seed, rep, k, mode);
      REQUIRE(event_funnel(ev.entity, ev.time, ev.steps, o).levels == brute_funnel(ev, o).levels);
    }
  }
}

TEST_CASE("event funnel: the pre-sorted pass over many entities equals brute force", "[funnel][event][property]") {
  // The pre-sorted passes keep no per-entity state beyond a reset (AVX2: four entity streams
  // side by side, each entity's level rewritten on every event) or shift each entity's times
  // past the entity before (scalar), and recompute afterwards the entities that have
  // step-matching events at equal times. Long sorted inputs (sorted_entities) against the brute
  // force, through both passes.
  const funnel_mode mode = GENERATE(funnel_mode::standard, funnel_mode::strict_increase,
                                    funnel_mode::strict_once);
  const anchor_rule anchor = GENERATE(anchor_rule::any_start, anchor_rule::first_step);
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 5));
  CAPTURE(mode, anchor, seed);
  rng g(500 + seed * 10 + static_cast<std::uint64_t>(mode) * 3 + static_cast<std::uint64_t>(anchor));
  for (int rep = 0; rep < 10; ++rep) {
    // 1-6 steps, and 7-12 in the last reps (the level counts are unrolled up to 8 steps, and
    // the AVX2 pass takes k <= 8).
    const std::size_t k = rep < 7 ? 1 + static_cast<std::size_t>(g.uniform_int(6))
                                  : 7 + static_cast<std::size_t>(g.uniform_int(6));
    const std::int64_t window = 1 + static_cast<std::int64_t>(g.uniform_int(40));
    const events ev = sorted_entities(g, k, 60, 9);
    const auto o = opts(window, k, mode, anchor);
    const auto expected = brute_funnel(ev, o);
    for (sorted_path path : sorted_paths()) {
      const auto got = funnel_by(ev, o, path);
      CAPTURE(rep, k, window, static_cast<int>(path));
      REQUIRE(got.entities == expected.entities);
      REQUIRE(got.levels == expected.levels);
      REQUIRE(got.reached == expected.reached);
    }
  }
}

TEST_CASE("event funnel: both pre-sorted passes equal brute force for every entity count and k", "[funnel][event][property]") {
  // The AVX2 pass splits the input at entity boundaries into four segments of about equal
  // length (one per lane; also for short inputs, so that these run the vector loop), runs them
  // in lock step for the length of the shortest (rounded down to even), and finishes
  // each lane's last entity and the rest of its segment with the scalar pass; with fewer than
  // two rows in some segment (fewer entities than lanes, one entity) it runs the scalar pass
  // alone. Entity counts around multiples of four, tiny and long inputs, k = 1..12 (the AVX2
  // pass for k <= 8), ties and multi-step masks; then the same rows with one row moved out of
  // order, which both passes must notice (the library then sorts a copy).
  if (!funnel::detail::sorted_path_available(sorted_path::avx2))
    WARN("no AVX2 pre-sorted pass in this build or on this processor: the scalar pass alone is tested");
  const anchor_rule anchor = GENERATE(anchor_rule::any_start, anchor_rule::first_step);
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 7));
  CAPTURE(anchor, seed);
  rng g(9100 + seed * 2 + static_cast<std::uint64_t>(anchor));
  const std::size_t counts[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 16, 17, 50, 203};
  const funnel_mode modes[] = {funnel_mode::standard, funnel_mode::strict_increase, funnel_mode::strict_once};
  for (std::size_t rep = 0; rep < 36; ++rep) {
    const std::size_t k = 1 + rep % 12;
    const std::size_t entities = counts[g.uniform_int(std::size(counts))];
    const std::size_t max_events = 1 + static_cast<std::size_t>(g.uniform_int(entities < 5 ? 40 : 9));
    const std::int64_t window = 1 + static_cast<std::int64_t>(g.uniform_int(40));
    const auto o = opts(window, k, modes[rep % 3], anchor);
    events ev = sorted_entities(g, k, entities, max_events);
    CAPTURE(rep, k, entities, max_events, window, o.mode);
    for (int shuffled = 0; shuffled < 3; ++shuffled) {
      // 1: two rows of one entity swapped (a time below the one before); 2: then two rows
      // anywhere swapped (often an entity below the one before)
      std::size_t i = static_cast<std::size_t>(g.uniform_int(ev.entity.size()));
      std::size_t j = static_cast<std::size_t>(g.uniform_int(ev.entity.size()));
      if (shuffled == 1) {
        j = i + 1;
        while (j < ev.entity.size() && (ev.entity[j] != ev.entity[i] || ev.time[j] == ev.time[i])) i = j++;
        if (j == ev.entity.size()) continue;
      }
      if (shuffled) {
        std::swap(ev.entity[i], ev.entity[j]);
        std::swap(ev.time[i], ev.time[j]);
        std::swap(ev.steps[i], ev.steps[j]);
      }
      const auto expected = brute_funnel(ev, o);
      for (sorted_path path : sorted_paths()) {
        CAPTURE(shuffled, static_cast<int>(path));
        const auto got = funnel_by(ev, o, path);
        REQUIRE(got.entities == expected.entities);
        REQUIRE(got.levels == expected.levels);
        REQUIRE(got.reached == expected.reached);
      }
    }
  }
}

TEST_CASE("event funnel: long inputs, run block by block, equal brute force",
          "[funnel][event][property]") {
  // Both pre-sorted passes run blocks of about 4 * sorted_block_rows rows (four segments at
  // entity boundaries, for the AVX2 pass's lanes), append each block's entities to the output
  // and check that the ids increase from one entity to the next. Inputs of several blocks: ids
  // dense (the output reserved to the id range exactly), with gaps of about 1000 (reserved to one
  // per row, then shrunk), and with one entity of 30000 rows, longer than a block (a block with a
  // segment of fewer than two rows is run by the scalar pass alone); then entities out of order
  // across blocks, and times at or above 2^55 in a late block (handed to the per-entity loop).
  const anchor_rule anchor = GENERATE(anchor_rule::any_start, anchor_rule::first_step);
  const std::size_t k = GENERATE(as<std::size_t>{}, 5, 8);
  const int layout = GENERATE(0, 1, 2); // 0: ids dense, 1: ids with gaps, 2: one huge entity
  CAPTURE(anchor, k, layout);
  rng g(700 + k * 3 + static_cast<std::uint64_t>(layout) + 10 * static_cast<std::uint64_t>(anchor));
  events ev = sorted_entities(g, k, 16000, 9); // about 80 000 rows
  renumber_entities(ev, [&] { return layout == 1 ? 1 + g.uniform_int(2000) : std::uint64_t{1}; });
  if (layout == 2) { // an entity of 30000 rows after about 20000: A first, B last, all at one time
    const std::size_t at = 20000;
    std::size_t i = at;
    while (ev.entity[i] == ev.entity[i - 1]) ++i;
    events huge;
    for (std::size_t r = 0; r < 30000; ++r)
      huge.add(ev.entity[i - 1], 77, r == 0 ? A : r == 29999 ? B : 0);
    ev.entity.insert(ev.entity.begin() + static_cast<std::ptrdiff_t>(i), huge.entity.begin(),
                     huge.entity.end());
    ev.time.insert(ev.time.begin() + static_cast<std::ptrdiff_t>(i), huge.time.begin(),
                   huge.time.end());
    ev.steps.insert(ev.steps.begin() + static_cast<std::ptrdiff_t>(i), huge.steps.begin(),
                    huge.steps.end());
    for (std::size_t r = i; r < i + 30000; ++r) ev.entity[r] = ev.entity[i - 1] + 1; // its own id
    for (std::size_t r = i + 30000; r < ev.entity.size(); ++r) ev.entity[r] += 1;
  }
  const std::size_t n = ev.entity.size();
  REQUIRE(n > 12 * funnel::detail::sorted_block_rows);
  const auto o = opts(25, k, funnel_mode::standard, anchor);
  const events sorted = ev;
  // The first entity boundary at or after row r.
  const auto boundary_after = [&sorted](std::size_t r) {
    while (sorted.entity[r] == sorted.entity[r - 1]) ++r;
    return r;
  };
  for (int variant = 0; variant < 4; ++variant) {
    CAPTURE(variant);
    ev = sorted;
    if (variant == 1 || variant == 2) {
      // From row r on, ids drop below the entity's before (each still above the one before it):
      // at the start of the first block's second segment, where a segment's first id is
      // checked against the output so far, or inside that segment's vector loop.
      const std::size_t r =
          boundary_after(funnel::detail::sorted_block_rows + (variant == 2 ? 1000 : 0));
      const std::uint64_t drop = ev.entity[r] - ev.entity[r - 1] + 1;
      for (std::size_t i = r; i < n; ++i) ev.entity[i] -= drop;
    }
    if (variant == 3) // times above 2^55 from about two thirds on (still in order)
      for (std::size_t i = boundary_after(2 * n / 3); i < n; ++i)
        ev.time[i] += std::int64_t{1} << 56;
    const auto expected = brute_funnel(ev, o);
    for (sorted_path path : sorted_paths()) {
      CAPTURE(static_cast<int>(path));
      const auto got = funnel_by(ev, o, path);
      REQUIRE(got.entities == expected.entities);
      REQUIRE(got.levels == expected.levels);
      REQUIRE(got.reached == expected.reached);
      CHECK(got.entities.capacity() <= 2 * got.entities.size());
    }
  }
}

TEST_CASE("event funnel into a kept result equals the returned one and reuses its storage",
          "[funnel][event]") {
  // One result object through a sequence of calls: dense ids, a shorter input, a shuffled copy
  // (sorted by the library), a mode without the pre-sorted pass, sparse ids, first-step
  // anchoring, a bad row (throws), then the first input again. Each must equal the returned
  // result (a result that kept earlier entities, levels or counts would not), and an input
  // that fits the storage of earlier ones must not allocate.
  rng g(321);
  events dense = sorted_entities(g, 5, 3000, 9);
  renumber_entities(dense, [] { return std::uint64_t{1}; }); // ids 0, 1, 2, ...
  events shorter = sorted_entities(g, 5, 40, 9);
  const events shuffled = shuffled_rows(dense, g);
  events sparse = shorter;
  for (std::uint64_t& e : sparse.entity) e *= 1000;
  event_funnel_result kept;
  const auto same_as_returned = [&kept](const events& ev, const event_funnel_options& o) {
    event_funnel(ev.entity, ev.time, ev.steps, o, kept);
    const auto returned = event_funnel(ev.entity, ev.time, ev.steps, o);
    CHECK(kept.entities == returned.entities);
    CHECK(kept.levels == returned.levels);
    CHECK(kept.reached == returned.reached);
  };
  const auto o = opts(25, 5);
  same_as_returned(dense, o);
  const std::uint64_t* const storage = kept.entities.data();
  const std::uint8_t* const level_storage = kept.levels.data();
  same_as_returned(shorter, o);
  CHECK(kept.entities.data() == storage);
  CHECK(kept.levels.data() == level_storage);
  same_as_returned(shuffled, o);
  same_as_returned(dense, opts(25, 5, funnel_mode::strict_order));
  same_as_returned(sparse, o);
  same_as_returned(shorter, opts(25, 5, funnel_mode::standard, anchor_rule::first_step));
  events bad = shorter;
  bad.time[7] = -1;
  CHECK_THROWS_AS(event_funnel(bad.entity, bad.time, bad.steps, o, kept), negative_value);
  const std::uint64_t* const grown = kept.entities.data(); // the shuffled input reserved more
  same_as_returned(dense, o);
  CHECK(kept.entities.data() == grown);
  // A column inside the kept result (its entities as the entity column, its counts as step
  // masks) would be overwritten while read: refused, naming the column.
  const std::vector<std::int64_t> times(kept.entities.size(), 0);
  const std::vector<std::uint64_t> masks(kept.entities.size(), 1);
  const span<const std::uint64_t> own_entities(kept.entities.data(), kept.entities.size());
  CHECK_THROWS_AS(event_funnel(own_entities, times, masks, o, kept), invalid_input);
  CHECK_THROWS_WITH(event_funnel(own_entities, times, masks, o, kept), Contains("'entity'"));
  const std::vector<std::uint64_t> one_entity{4};
  const std::vector<std::int64_t> one_time{0};
  const span<const std::uint64_t> own_counts(kept.reached.data(), 1);
  CHECK_THROWS_WITH(event_funnel(one_entity, one_time, own_counts, o, kept), Contains("'steps'"));
  const events copy_of_own{kept.entities, times, masks};
  same_as_returned(copy_of_own, o); // a copy is fine
}

TEST_CASE("event funnel: huge windows and times, and more than 62 steps", "[funnel][event]") {
  // The pre-sorted pass shifts times so that the first lands at window + 1 and each entity
  // starts one second after the entity before, in 64-bit unsigned arithmetic; when that wraps
  // around it hands over to the per-entity loop. Hand derivations: each chain below is checked
  // against (W) directly.
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t q = std::int64_t{1} << 62;
  for (funnel_mode mode : {funnel_mode::standard, funnel_mode::strict_increase}) {
    for (anchor_rule anchor : {anchor_rule::any_start, anchor_rule::first_step}) {
      CAPTURE(mode, anchor);
      // Window 2^63 - 1: entity 1 (A@0, B@5, C@2^63 - 1) ends at shifted time 2^64 - 1, so
      // the second entity could not start without wrapping around. Every entity has level 3
      // (C - A <= window).
      events big;
      for (std::uint64_t e = 1; e <= 3; ++e) {
        big.add(e, 0, A);
        big.add(e, 5, B);
        big.add(e, e == 1 ? max : 10, C);
      }
      auto r = event_funnel(big.entity, big.time, big.steps, opts(max, 3, mode, anchor));
      CHECK(r.levels == std::vector<std::uint8_t>{3, 3, 3});
      // Window 2^62, spans of 2^62: the third entity would start at shifted time 3 * 2^62 + 3,
      // beyond 2^63, where its B could wrap around. B at exactly t(A) + window counts
      // (entities 1, 2: level 2), one second later it does not (entity 3: level 1).
      events wide;
      wide.add(1, 0, A);
      wide.add(1, q, B);
      wide.add(2, 0, A);
      wide.add(2, q, B);
      wide.add(3, 0, A);
      wide.add(3, q + 1, B);
      r = event_funnel(wide.entity, wide.time, wide.steps, opts(q, 2, mode, anchor));
      CHECK(r.levels == std::vector<std::uint8_t>{2, 2, 1});
      // Times near 2^63 - 1 with a small window: no wrap (only differences matter).
      events late;
      late.add(1, max - 10, A);
      late.add(1, max - 5, B);
      late.add(2, max - 3, A);
      late.add(2, max, B);
      r = event_funnel(late.entity, late.time, late.steps, opts(4, 2, mode, anchor));
      CHECK(r.levels == std::vector<std::uint8_t>{1, 2}); // 5 > 4 apart; 3 <= 4
    }
  }
  // Unordered funnels add the window to each start time: with window 2^63 - 1 that must not
  // overflow (it was signed overflow, caught by UBSan). A@1, C@5, B@2^63 - 1 are all inside
  // [1, 1 + window] (level 3); under first_step the window opens at A@1 too.
  for (anchor_rule anchor : {anchor_rule::any_start, anchor_rule::first_step}) {
    CAPTURE(anchor);
    events any_order;
    any_order.add(1, 1, A);
    any_order.add(1, 5, C);
    any_order.add(1, max, B);
    any_order.add(2, max - 1, B);
    any_order.add(2, max, A);
    const auto o = opts(max, 3, funnel_mode::unordered, anchor);
    const auto r = event_funnel(any_order.entity, any_order.time, any_order.steps, o);
    const std::uint8_t second = anchor == anchor_rule::first_step ? 1 : 2;
    CHECK(r.levels == std::vector<std::uint8_t>{3, second});
    const std::vector<std::int64_t> t{1, 5, max};
    const std::vector<std::uint64_t> m{A, C, B};
    const auto w = entity_funnel_witness(t, m, o);
    CHECK(w.level == 3);
    CHECK(w.rows == std::vector<std::size_t>{0, 2, 1});
  }
  // Many steps: 7 to 62 (the pre-sorted pass; its level count is unrolled up to 8 steps and
  // loops beyond) and 63, 64 (beyond the pass, whose slot for unrelated events is level 63).
  // Entity 1 performs every step one second apart (level k with window k - 1), entity 2 all
  // but the last and then an unrelated event (level k - 1), entity 10 + L the first L steps
  // (level L, for every L up to 8).
  for (std::size_t k : {std::size_t{7}, std::size_t{8}, std::size_t{9}, std::size_t{12}, std::size_t{62},
                        std::size_t{63}, std::size_t{64}}) {
    CAPTURE(k);
    events ev;
    std::vector<std::uint8_t> expected{static_cast<std::uint8_t>(k), static_cast<std::uint8_t>(k - 1)};
    for (std::size_t i = 0; i < k; ++i) ev.add(1, static_cast<std::int64_t>(i), std::uint64_t{1} << i);
    for (std::size_t i = 0; i + 1 < k; ++i) ev.add(2, static_cast<std::int64_t>(i), std::uint64_t{1} << i);
    ev.add(2, static_cast<std::int64_t>(k) - 1, 0);
    for (std::size_t L = 1; L <= std::min<std::size_t>(8, k); ++L) {
      for (std::size_t i = 0; i < L; ++i) ev.add(10 + L, static_cast<std::int64_t>(i), std::uint64_t{1} << i);
      expected.push_back(static_cast<std::uint8_t>(L));
    }
    const auto r = event_funnel(ev.entity, ev.time, ev.steps, opts(static_cast<std::int64_t>(k) - 1, k));
    CHECK(r.levels == expected);
    CHECK(r.reached[k - 1] == (k <= 8 ? 2U : 1U)); // entity 1, and entity 10 + k when k <= 8
  }
}

TEST_CASE("event funnel: both pre-sorted passes at the bounds of times and windows", "[funnel][event][property]") {
  // The AVX2 pass marks a lane's old starts invalid with the sign bit, which stays below any
  // t - window while times are below 2^55 and the window below 2^62; beyond, it hands over (to
  // the per-entity loop, or to the scalar pass). Entities whose times sit at 0, near 2^55 - 1 or
  // at 2^55 and above, next to each other, with windows up to 2^62 - 1 and 2^62, and one
  // to three events each, against the brute force.
  constexpr std::int64_t t55 = std::int64_t{1} << 55;
  const std::int64_t windows[] = {5, (std::int64_t{1} << 62) - 1, std::int64_t{1} << 62,
                                  std::numeric_limits<std::int64_t>::max()};
  const std::int64_t bases[] = {0, 7, t55 - 20, t55 - 3, t55, std::numeric_limits<std::int64_t>::max() - 30};
  rng g(4242);
  for (int rep = 0; rep < 200; ++rep) {
    const std::size_t k = 1 + static_cast<std::size_t>(g.uniform_int(4));
    const bool huge_times = rep % 4 == 3; // times at or above 2^55 only in every fourth input
    events ev;
    const std::uint64_t entities = 9 + g.uniform_int(8);
    for (std::uint64_t e = 1; e <= entities; ++e) {
      std::int64_t t = bases[g.uniform_int(huge_times ? 6 : 4)];
      const std::uint64_t count = 1 + g.uniform_int(3);
      for (std::uint64_t i = 0; i < count; ++i) {
        ev.add(e, t, std::uint64_t{1} << g.uniform_int(k));
        t += static_cast<std::int64_t>(1 + g.uniform_int(3));
      }
    }
    for (anchor_rule anchor : {anchor_rule::any_start, anchor_rule::first_step}) {
      const auto o = opts(windows[g.uniform_int(4)], k, funnel_mode::standard, anchor);
      const auto expected = brute_funnel(ev, o);
      for (sorted_path path : sorted_paths()) {
        CAPTURE(rep, k, o.window, anchor, static_cast<int>(path));
        const auto got = funnel_by(ev, o, path);
        REQUIRE(got.levels == expected.levels);
      }
    }
  }
}

TEST_CASE("event funnel: rows out of order by huge differences are noticed by both passes", "[funnel][event]") {
  // The AVX2 pass tests m > (T - T before) << k; times below 2^55 keep the shifted difference
  // from wrapping around. Rows A@(3 * 2^60 + 5), B@5 of one entity, 12 entities: the difference
  // -3 * 2^60 shifted by 2 would wrap to +2^62 and hide the order. Sorted, B comes first and
  // never follows A: level 1 (A@... then B@5 unsorted would read as level 2). That entity is
  // one of 24 whose other entities have A@0, B@1 (level 2), at each place in turn (so that it
  // falls inside the vector loop of a lane, not only in a lane's last entity).
  const std::int64_t big = 3 * (std::int64_t{1} << 60) + 5;
  for (std::uint64_t odd = 1; odd <= 24; ++odd) {
    events ev;
    std::vector<std::uint8_t> expected;
    for (std::uint64_t e = 1; e <= 24; ++e) {
      ev.add(e, e == odd ? big : 0, A);
      ev.add(e, e == odd ? 5 : 1, B);
      expected.push_back(e == odd ? 1 : 2);
    }
    for (funnel_mode mode : {funnel_mode::standard, funnel_mode::strict_increase}) {
      const auto o = opts(std::numeric_limits<std::int64_t>::max(), 2, mode);
      for (sorted_path path : sorted_paths()) {
        CAPTURE(odd, mode, static_cast<int>(path));
        CHECK(funnel_by(ev, o, path).levels == expected);
      }
    }
  }
}

TEST_CASE("event funnel: bad rows of long pre-sorted input name the first bad row", "[funnel][event]") {
  // 40 sorted entities, long enough for every lane of the AVX2 pass: a negative time at row
  // `neg` and a step bit above k at row `high`; the error names the first of them, in both
  // passes (which notice bad rows only after their loops).
  rng g(77);
  const events clean = sorted_entities(g, 3, 40, 6);
  const std::size_t n = clean.entity.size();
  for (std::size_t neg : {std::size_t{5}, n / 2 + 1, n - 1, n}) {     // n: no negative time
    for (std::size_t high : {std::size_t{3}, n / 3, n - 2, n}) {        // n: no bad bits
      if (neg == n && high == n) continue;
      events ev = clean;
      if (neg < n) ev.time[neg] = -1 - static_cast<std::int64_t>(neg);
      if (high < n) ev.steps[high] |= std::uint64_t{1} << 5;
      const std::size_t first = std::min(neg, high);
      for (sorted_path path : sorted_paths()) {
        CAPTURE(neg, high, static_cast<int>(path));
        const std::string row = (first == neg ? "timestamp at row " : "steps at row ") + std::to_string(first);
        CHECK_THROWS_WITH(funnel_by(ev, opts(10, 3), path), Contains(row));
        if (first == neg) CHECK_THROWS_AS(funnel_by(ev, opts(10, 3), path), negative_value);
        else CHECK_THROWS_AS(funnel_by(ev, opts(10, 3), path), out_of_range_value);
      }
    }
  }
}

TEST_CASE("event funnel: bad rows of pre-sorted input name the first bad row", "[funnel][event]") {
  // Sorted input whose bad rows do not break the order: the pre-sorted pass notices them only
  // after its loop, and the error must still name the first bad row.
  const std::vector<std::uint64_t> e{1, 1, 2, 3, 3};
  const std::vector<std::int64_t> t{0, 1, -7, -9, 4}; // rows 2 and 3 negative, each sorted
  const std::vector<std::uint64_t> m{A, B, A, A, B};
  CHECK_THROWS_AS(event_funnel(e, t, m, opts(10, 2)), negative_value);
  CHECK_THROWS_WITH(event_funnel(e, t, m, opts(10, 2)), Contains("timestamp at row 2") && Contains("-7"));
  const std::vector<std::int64_t> ok{0, 1, 2, 3, 4};
  const std::vector<std::uint64_t> high{A, B, A, C, C | A}; // step 3 of a 2-step funnel at rows 3, 4
  CHECK_THROWS_AS(event_funnel(e, ok, high, opts(10, 2)), out_of_range_value);
  CHECK_THROWS_WITH(event_funnel(e, ok, high, opts(10, 2)), Contains("steps at row 3"));
  const std::vector<std::uint64_t> high_multi{A, B, A, A, C | A}; // only row 4, with two bits
  CHECK_THROWS_WITH(event_funnel(e, ok, high_multi, opts(10, 2)), Contains("steps at row 4"));
  // Entities in order but one entity's times not: the library sorts a copy. Entity 2 sorted is
  // A@3, B@4, C@9 (level 3 in window 10); entity 1 is A@0, B@5 (level 2).
  const std::vector<std::uint64_t> e2{1, 1, 2, 2, 2};
  const std::vector<std::int64_t> t2{0, 5, 9, 3, 4};
  const std::vector<std::uint64_t> m2{A, B, C, A, B};
  CHECK(event_funnel(e2, t2, m2, opts(10, 3)).levels == std::vector<std::uint8_t>{2, 3});
  // A row earlier than its entity's first row by more than window + 1 (13 - 2 > 7): the order
  // must still be noticed. Sorted: A|B|C@2, C@13, A|B@13, A|C@18 (window 6): A@2 finds no B by
  // 8, A|B@13 no other B by 19 -> level 1 (found by the large hold-constant-key test).
  const std::vector<std::uint64_t> e3{7, 7, 7, 7}, m3{C, A | B, A | C, A | B | C};
  const std::vector<std::int64_t> t3{13, 13, 18, 2};
  for (funnel_mode mode : {funnel_mode::standard, funnel_mode::strict_increase})
    CHECK(event_funnel(e3, t3, m3, opts(6, 3, mode)).levels == std::vector<std::uint8_t>{1});
}

TEST_CASE("event funnel: permutation invariance of the order-free modes", "[funnel][event][property]") {
  const funnel_mode mode = GENERATE(funnel_mode::standard, funnel_mode::strict_increase,
                                    funnel_mode::strict_once, funnel_mode::unordered);
  rng g(77 + static_cast<std::uint64_t>(mode));
  for (int rep = 0; rep < 50; ++rep) {
    const events ev = random_events(g, 5, 30, 12, 40);
    const auto o = opts(15, 5, mode);
    const auto base = event_funnel(ev.entity, ev.time, ev.steps, o);
    const events shuffled = shuffled_rows(ev, g);
    const auto again = event_funnel(shuffled.entity, shuffled.time, shuffled.steps, o);
    CHECK(again.entities == base.entities);
    CHECK(again.levels == base.levels);
  }
}

TEST_CASE("event funnel: the caller's columns are not modified", "[funnel][event]") {
  events ev;
  ev.add(2, 5, B);
  ev.add(1, 3, A);
  ev.add(2, 1, A);
  const events copy = ev;
  const auto r = event_funnel(ev.entity, ev.time, ev.steps, opts(10, 2));
  CHECK(ev.entity == copy.entity);
  CHECK(ev.time == copy.time);
  CHECK(ev.steps == copy.steps);
  // entity 1: A only -> 1; entity 2: A@1, B@5 -> 2.
  CHECK(r.entities == std::vector<std::uint64_t>{1, 2});
  CHECK(r.levels == std::vector<std::uint8_t>{1, 2});
  CHECK(r.reached == std::vector<std::uint64_t>{2, 1});
}

TEST_CASE("event funnel counter: merged shards equal one pass", "[funnel][event][property]") {
  const std::uint64_t seed = GENERATE(as<std::uint64_t>{}, 1, 2, 3, 4, 5);
  rng g(seed);
  const auto o = opts(20, 4);
  // Shards from different distributions: dense short histories, sparse long ones, and
  // histories with mostly step-1 events; entities are disjoint across shards.
  const events dense = random_events(g, 4, 50, 6, 10);
  events sparse = random_events(g, 4, 40, 20, 500);
  events early;
  for (std::size_t e = 0; e < 60; ++e)
    for (int i = 0; i < 5; ++i)
      early.add(9000 + e, static_cast<std::int64_t>(g.uniform_int(50)), g.bernoulli(0.7) ? A : (B | C | D));
  for (auto& e : sparse.entity) e += 5000;
  events all;
  for (const events* s : std::vector<const events*>{&dense, &sparse, &early})
    for (std::size_t i = 0; i < s->entity.size(); ++i) all.add(s->entity[i], s->time[i], s->steps[i]);
  const auto one_pass = event_funnel(all.entity, all.time, all.steps, o);
  event_funnel_counter merged(4);
  for (const events* s : std::vector<const events*>{&dense, &sparse, &early}) {
    event_funnel_counter shard(4);
    shard.update(event_funnel(s->entity, s->time, s->steps, o));
    merged.merge(shard);
  }
  const auto r = merged.result();
  CHECK(r.entities == one_pass.entities.size());
  CHECK(r.reached == one_pass.reached);
  CHECK(r.reached == brute_funnel(all, o).reached);
}

TEST_CASE("event funnel counter: hand counts and bad use", "[funnel][event]") {
  event_funnel_counter c(3);
  for (std::size_t level : {0U, 1U, 1U, 2U, 3U, 3U}) c.update(level);
  const auto r = c.result();
  // levels {0,1,1,2,3,3}: >=1: 5, >=2: 3, >=3: 2.
  CHECK(r.entities == 6);
  CHECK(r.reached == std::vector<std::uint64_t>{5, 3, 2});
  CHECK_THROWS_AS(c.update(4), out_of_range_value);
  CHECK_THROWS_AS(c.merge(event_funnel_counter(2)), length_mismatch);
  CHECK_THROWS_AS(event_funnel_counter(0), out_of_range_value);
  CHECK_THROWS_AS(event_funnel_counter(65), out_of_range_value);
  std::ostringstream s;
  s << r;
  CHECK(s.str() == "funnel_step_counts{entities=6, reached=[5, 3, 2]}");
}

TEST_CASE("event funnel counter: a whole result counts as one update per level",
          "[funnel][event][property]") {
  // Reference: update(level) one entity at a time. Lengths cover the 16-level blocks, their
  // tails and the byte counters' flush after 255 blocks (4080 levels); with every level 0,
  // each byte counter reaches 255.
  rng g(11);
  for (std::size_t steps : {1U, 3U, 8U, 64U})
    for (std::size_t n : {0U, 1U, 15U, 16U, 17U, 100U, 4079U, 4080U, 4081U, 9000U})
      for (double p_zero : {0.8, 1.0}) {
        event_funnel_result result;
        result.reached.assign(steps, 0);
        for (std::size_t i = 0; i < n; ++i)
          result.levels.push_back(
              static_cast<std::uint8_t>(g.bernoulli(p_zero) ? 0 : g.uniform_int(steps + 1)));
        event_funnel_counter whole(steps), one_by_one(steps);
        whole.update(result);
        for (std::uint8_t level : result.levels) one_by_one.update(level);
        CHECK(whole.result().entities == n);
        CHECK(whole.result().reached == one_by_one.result().reached);
        if (n < 17) continue;
        // A level above k names its row and leaves the counter unchanged.
        const std::size_t bad = n - 1 - g.uniform_int(17);
        result.levels[bad] = static_cast<std::uint8_t>(steps + 1);
        event_funnel_counter rejected(steps);
        CHECK_THROWS_WITH(rejected.update(result),
                          Contains("result.levels at row " + std::to_string(bad)) &&
                              Contains("is " + std::to_string(steps + 1)));
        CHECK(rejected.result().entities == 0);
      }
}

TEST_CASE("event funnel: bad input throws typed errors naming the row", "[funnel][event]") {
  const std::vector<std::uint64_t> e{1, 1, 2, 2};
  const std::vector<std::int64_t> t{0, 1, 2, -5};
  const std::vector<std::uint64_t> m{A, B, A, B};
  CHECK_THROWS_AS(event_funnel(e, t, m, opts(10, 2)), negative_value);
  CHECK_THROWS_WITH(event_funnel(e, t, m, opts(10, 2)),
                    Contains("timestamp at row 3") && Contains("-5"));
  // Unsorted input: the error still names the caller's row.
  const std::vector<std::uint64_t> e2{2, 1, 1}, m2{A, A, B};
  const std::vector<std::int64_t> t2{4, 3, -1};
  CHECK_THROWS_WITH(event_funnel(e2, t2, m2, opts(10, 2)),
                    Contains("timestamp at row 2"));
  const std::vector<std::int64_t> ok{0, 1, 2, 3};
  const std::vector<std::uint64_t> bad_bits{A, B, C, A}; // step 3 in a 2-step funnel
  CHECK_THROWS_AS(event_funnel(e, ok, bad_bits, opts(10, 2)), out_of_range_value);
  CHECK_THROWS_WITH(event_funnel(e, ok, bad_bits, opts(10, 2)), Contains("steps at row 2"));
  CHECK_THROWS_AS(event_funnel(e, ok, m, opts(0, 2)), negative_value);
  CHECK_THROWS_WITH(event_funnel(e, ok, m, opts(-3, 2)), Contains("window"));
  CHECK_THROWS_AS(event_funnel(e, ok, m, opts(10, 65)), out_of_range_value);
  CHECK_THROWS_AS(event_funnel(e, ok, m, opts(10, 0)), out_of_range_value);
  const std::vector<std::int64_t> short_t{0, 1}, no_t, down{3, 1};
  const std::vector<std::uint64_t> short_m{A}, none, ab{A, B};
  CHECK_THROWS_AS(event_funnel(e, short_t, m, opts(10, 2)), length_mismatch);
  CHECK_THROWS_AS(event_funnel(e, ok, short_m, opts(10, 2)), length_mismatch);
  CHECK_THROWS_AS(event_funnel(none, no_t, none, opts(10, 2)), empty_input);
  CHECK_THROWS_AS(entity_funnel_level(down, ab, opts(10, 2)), not_sorted);
  CHECK_THROWS_WITH(entity_funnel_level(down, ab, opts(10, 2)), Contains("row 1"));
  CHECK_THROWS_AS(parse_funnel_mode("strict"), out_of_range_value);
}

TEST_CASE("event funnel: mode names and printing", "[funnel][event]") {
  for (funnel_mode mode : all_modes) CHECK(parse_funnel_mode(to_string(mode)) == mode);
  CHECK(parse_funnel_mode("default") == funnel_mode::standard);
  std::ostringstream s;
  s << opts(86400, 5, funnel_mode::strict_order, anchor_rule::first_step);
  CHECK(s.str() == "event_funnel_options{window=86400s, steps=5, mode=strict_order, anchor=first_step}");
  std::ostringstream r;
  const std::vector<std::uint64_t> ids{1, 2}, masks{A, B};
  const std::vector<std::int64_t> zeros{0, 0};
  r << event_funnel(ids, zeros, masks, opts(5, 2));
  CHECK(r.str() == "event_funnel_result{entities=2, reached=[1, 0]}");
}

TEST_CASE("event funnel witness: the best chain by the documented rule", "[funnel][event][property]") {
  // Reference: every longest valid chain by brute force; the witness must be one of them with
  // the latest start and, among those, the earliest last event.
  const funnel_mode mode = GENERATE(funnel_mode::standard, funnel_mode::strict_increase);
  const anchor_rule anchor = GENERATE(anchor_rule::any_start, anchor_rule::first_step);
  rng g(500 + static_cast<std::uint64_t>(mode) * 2 + static_cast<std::uint64_t>(anchor));
  for (int rep = 0; rep < 400; ++rep) {
    const std::size_t k = 1 + static_cast<std::size_t>(g.uniform_int(4));
    const events ev = stable_sorted(random_events(g, k, 1, 9, 8));
    const auto o = opts(1 + static_cast<std::int64_t>(g.uniform_int(5)), k, mode, anchor);
    brute b{ev.time, ev.steps, o, {}, 0, {}, -1};
    const std::size_t level = b.level();
    const auto w = entity_funnel_witness(ev.time, ev.steps, o);
    CAPTURE(rep, k, w);
    REQUIRE(w.level == level);
    REQUIRE(w.rows.size() == level);
    REQUIRE(w.seconds_to_next.size() == (level ? level - 1 : 0));
    if (level == 0) continue;
    REQUIRE(std::find(b.longest.begin(), b.longest.end(), w.rows) != b.longest.end());
    std::int64_t latest_start = -1;
    for (const auto& c : b.longest) latest_start = std::max(latest_start, ev.time[c.front()]);
    std::int64_t earliest_end = std::numeric_limits<std::int64_t>::max();
    for (const auto& c : b.longest)
      if (ev.time[c.front()] == latest_start) earliest_end = std::min(earliest_end, ev.time[c.back()]);
    CHECK(ev.time[w.rows.front()] == latest_start);
    CHECK(ev.time[w.rows.back()] == earliest_end);
    for (std::size_t j = 1; j < level; ++j)
      CHECK(w.seconds_to_next[j - 1] == ev.time[w.rows[j]] - ev.time[w.rows[j - 1]]);
  }
}

TEST_CASE("event funnel witness: hand case and bad use", "[funnel][event]") {
  // A@0, A@3, B@5, B@8, C@8, window 10: the latest start is A@3 (row 1); chains from it end
  // at C@8 at the earliest. Two such chains tie (B@5 or B@8 as step 2); either is a valid
  // witness by the documented rule, so only the rule is checked here.
  const std::vector<std::int64_t> t{0, 3, 5, 8, 8};
  const std::vector<std::uint64_t> m{A, A, B, B, C};
  const auto tied = entity_funnel_witness(t, m, opts(10, 3));
  CHECK(tied.level == 3);
  CHECK(tied.rows.front() == 1);
  CHECK(tied.rows.back() == 4);
  // The remaining tie goes to the smaller row for step 2: B@5 (row 2) before B@8 (row 3).
  CHECK(tied.rows == std::vector<std::size_t>{1, 2, 4});
  // Without ties: A@0, A@3, B@5, C@7 -> rows 1, 2, 3; step times 5 - 3 = 2, 7 - 5 = 2.
  const std::vector<std::int64_t> t2{0, 3, 5, 7};
  const std::vector<std::uint64_t> m2{A, A, B, C};
  const auto w = entity_funnel_witness(t2, m2, opts(10, 3));
  CHECK(w.level == 3);
  CHECK(w.rows == std::vector<std::size_t>{1, 2, 3});
  CHECK(w.seconds_to_next == std::vector<std::int64_t>{2, 2});
  std::ostringstream s;
  s << w;
  CHECK(s.str() == "funnel_witness{level=3, rows=[1, 2, 3], seconds_to_next=[2, 2]}");
  // strict_order on A@0, A@3, B@5, B@8, C@8: the run from row 0 stops at A@3 (not B); the run
  // from row 1 takes B@5 and stops at B@8 (not C) -> level 2, rows 1, 2, 2 s apart.
  const auto run = entity_funnel_witness(t, m, opts(10, 3, funnel_mode::strict_order));
  CHECK(run.level == 2);
  CHECK(run.rows == std::vector<std::size_t>{1, 2});
  CHECK(run.seconds_to_next == std::vector<std::int64_t>{2});
  const std::vector<std::int64_t> down{6, 5};
  const std::vector<std::uint64_t> ab{A, B};
  CHECK_THROWS_AS(entity_funnel_witness(down, ab, opts(10, 2)), not_sorted);
}

TEST_CASE("event funnel with a hold-constant key equals brute force per key", "[funnel][event][property]") {
  // Reference: for every entity, brute force on the events of each key separately (position
  // order = stable order by time), maximum over keys.
  const funnel_mode mode = GENERATE(from_range(std::begin(all_modes), std::end(all_modes)));
  rng g(900 + static_cast<std::uint64_t>(mode));
  for (int rep = 0; rep < 40; ++rep) {
    const std::size_t k = 1 + static_cast<std::size_t>(g.uniform_int(4));
    const events ev = random_events(g, k, 4, 10, 8);
    std::vector<std::uint64_t> key(ev.entity.size());
    for (auto& x : key) x = 50 + g.uniform_int(3);
    const auto o = opts(1 + static_cast<std::int64_t>(g.uniform_int(5)), k, mode);
    event_funnel_result expected;
    expected.reached.assign(k, 0);
    std::vector<std::uint64_t> ids(ev.entity);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (std::uint64_t id : ids) {
      std::size_t best = 0;
      for (std::uint64_t kv = 50; kv < 53; ++kv) {
        events sub;
        for (std::size_t i = 0; i < ev.entity.size(); ++i)
          if (ev.entity[i] == id && key[i] == kv) sub.add(id, ev.time[i], ev.steps[i]);
        if (sub.entity.empty()) continue;
        best = std::max(best, static_cast<std::size_t>(brute_funnel(sub, o).levels[0]));
      }
      expected.entities.push_back(id);
      expected.levels.push_back(static_cast<std::uint8_t>(best));
      for (std::size_t s = 0; s < best; ++s) ++expected.reached[s];
    }
    const auto held = event_funnel_held(ev.entity, key, ev.time, ev.steps, o);
    CAPTURE(rep, k);
    REQUIRE(held.entities == expected.entities);
    REQUIRE(held.levels == expected.levels);
    REQUIRE(held.reached == expected.reached);
  }
}

TEST_CASE("event funnel with a hold-constant key: large shuffled input with 64-bit keys", "[funnel][event][property]") {
  // 40,000 shuffled rows (enough for the radix sort's pass over memory) with keys spread over
  // all 64 bits. Reference: the ordinary funnel (brute-force tested above) on the rows of each
  // (entity, key) pair separately, in input order, and the maximum over the entity's keys.
  const funnel_mode mode = GENERATE(funnel_mode::standard, funnel_mode::strict_order);
  rng g(4242 + static_cast<std::uint64_t>(mode));
  events ev;
  std::vector<std::uint64_t> key;
  for (std::uint64_t e = 0; e < 10000; ++e)
    for (int i = 0; i < 4; ++i) {
      ev.add(e * 3, static_cast<std::int64_t>(g.uniform_int(20)), g.uniform_int(8));
      key.push_back((g.uniform_int(3) + 1) * 0x9E3779B97F4A7C15ULL); // wraps: high bits vary
    }
  std::vector<std::size_t> perm(ev.entity.size());
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  std::shuffle(perm.begin(), perm.end(), g);
  events shuffled;
  std::vector<std::uint64_t> shuffled_key;
  for (std::size_t p : perm) {
    shuffled.add(ev.entity[p], ev.time[p], ev.steps[p]);
    shuffled_key.push_back(key[p]);
  }
  const auto o = opts(6, 3, mode);
  const auto held = event_funnel_held(shuffled.entity, shuffled_key, shuffled.time, shuffled.steps, o);
  std::map<std::pair<std::uint64_t, std::uint64_t>, events> groups;
  for (std::size_t i = 0; i < shuffled.entity.size(); ++i)
    groups[{shuffled.entity[i], shuffled_key[i]}].add(shuffled.entity[i], shuffled.time[i], shuffled.steps[i]);
  std::map<std::uint64_t, std::uint8_t> best;
  for (const auto& [pair, sub] : groups) {
    const std::uint8_t level = event_funnel(sub.entity, sub.time, sub.steps, o).levels[0];
    best[pair.first] = std::max(best[pair.first], level);
  }
  REQUIRE(held.entities.size() == best.size());
  std::size_t at = 0;
  for (const auto& [id, level] : best) {
    CAPTURE(id);
    REQUIRE(held.entities[at] == id);
    REQUIRE(held.levels[at] == level);
    ++at;
  }
}

TEST_CASE("event funnel with a hold-constant key: hand case and bad input", "[funnel][event]") {
  // Entity 1: A (deal 10) @0, B (deal 11) @1, B (deal 10) @5: only deal 10 has A then B -> 2.
  // Entity 2: A (deal 20) @0, B (deal 21) @1: no deal has both -> 1 (2 without the key).
  const std::vector<std::uint64_t> e{1, 1, 1, 2, 2}, key{10, 11, 10, 20, 21}, m{A, B, B, A, B};
  const std::vector<std::int64_t> t{0, 1, 5, 0, 1};
  const auto held = event_funnel_held(e, key, t, m, opts(10, 2));
  CHECK(held.entities == std::vector<std::uint64_t>{1, 2});
  CHECK(held.levels == std::vector<std::uint8_t>{2, 1});
  CHECK(held.reached == std::vector<std::uint64_t>{2, 1});
  CHECK(event_funnel(e, t, m, opts(10, 2)).levels == std::vector<std::uint8_t>{2, 2});
  const std::vector<std::uint64_t> short_key{10};
  CHECK_THROWS_AS(event_funnel_held(e, short_key, t, m, opts(10, 2)), length_mismatch);
  const std::vector<std::int64_t> negative{0, 1, 5, -1, 1};
  CHECK_THROWS_WITH(event_funnel_held(e, key, negative, m, opts(10, 2)), Contains("timestamp at row 3"));
}

TEST_CASE("event funnel attempts: every attempt equals brute force", "[funnel][event][property]") {
  // Reference: brute force with chains forced to start at each distinct step-1 time.
  const funnel_mode mode = GENERATE(from_range(std::begin(all_modes), std::end(all_modes)));
  rng g(1300 + static_cast<std::uint64_t>(mode));
  for (int rep = 0; rep < 150; ++rep) {
    const std::size_t k = 1 + static_cast<std::size_t>(g.uniform_int(4));
    const events ev = stable_sorted(random_events(g, k, 1, 9, 8));
    const auto o = opts(1 + static_cast<std::int64_t>(g.uniform_int(5)), k, mode);
    const auto attempts = entity_funnel_attempts(ev.time, ev.steps, o);
    std::vector<std::int64_t> starts;
    for (std::size_t i = 0; i < ev.time.size(); ++i)
      if (ev.steps[i] & 1U) starts.push_back(ev.time[i]);
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    CAPTURE(rep, k);
    REQUIRE(attempts.size() == starts.size());
    std::size_t best = 0;
    for (std::size_t a = 0; a < starts.size(); ++a) {
      brute b{ev.time, ev.steps, o, {}, 0, {}, starts[a]};
      CHECK(attempts[a].start == starts[a]);
      CHECK(attempts[a].level == b.level());
      best = std::max(best, attempts[a].level);
    }
    if (attempts.empty()) continue;
    // First attempt = first_step anchoring; best attempt = any_start (ordered modes).
    CHECK(attempts.front().level == one_entity(ev.time, ev.steps, opts(o.window, k, mode, anchor_rule::first_step)));
    if (mode != funnel_mode::unordered) CHECK(best == one_entity(ev.time, ev.steps, o));
  }
}

TEST_CASE("event funnel attempts: hand case", "[funnel][event]") {
  // A@0, B@4, A@20, A@30, B@31, C@35, window 10: attempt at 0 reaches B@4 -> 2; at 20 nothing
  // follows within 10 s except A@30 (step 1 again) -> 1; at 30: B@31, C@35 -> 3.
  const std::vector<std::int64_t> t{0, 4, 20, 30, 31, 35};
  const std::vector<std::uint64_t> m{A, B, A, A, B, C};
  const auto attempts = entity_funnel_attempts(t, m, opts(10, 3));
  REQUIRE(attempts.size() == 3);
  CHECK(attempts[0].level == 2);
  CHECK(attempts[1].level == 1);
  CHECK(attempts[2].level == 3);
  std::ostringstream s;
  s << attempts[2];
  CHECK(s.str() == "attempt{start=30, level=3}");
}

// ---- Exclusions, optional steps and per-step maximum gaps ---------------------------------
namespace {

constexpr std::uint64_t X = std::uint64_t{1} << 5; // exclusion events (bit 5, above every step here)

// Brute-force reference for the funnel with options, every mode: the rules of docs/funnel.md
// applied literally. A chain assigns to steps 1..L an event each, or "skipped" for optional
// steps, and ends with a performed step L (its level); the performed events are distinct.
// Ordered modes: in step order with non-decreasing times (increasing under strict_increase),
// inside the window from step 1; the sequence modes also need increasing positions, and:
// strict_order consecutive positions, strict_deduplication no other event between the first
// and the last matching a step in 2..L, allow_reentry every other event between them matching
// some step. Unordered: any times, all inside one window (inside [T1, T1 + window] under
// first_step). Each performed step with a gap follows the previous performed step within it;
// and for every exclusion (bit, i, j), with a = time of the last performed step <= i and b =
// time of the first performed step >= j (if any), no event carrying the bit lies in the open
// interval (a, b). `longest` collects every valid chain of the best level, for witnesses.
struct brute_constrained {
  const std::vector<std::int64_t>& t;
  const std::vector<std::uint64_t>& m;
  const event_funnel_options& o;
  std::int64_t anchor_time = -1; // >= 0: chains must start at this time (attempt counting)
  std::vector<std::pair<std::size_t, std::size_t>> performed{}; // (step, event row)
  std::size_t best = 0;
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> longest{};

  bool optional(std::size_t s) const {
    return std::find(o.optional_steps.begin(), o.optional_steps.end(), s) != o.optional_steps.end();
  }
  std::int64_t gap(std::size_t s) const {
    for (const funnel_gap& g : o.max_gaps)
      if (g.step == s) return g.seconds;
    return std::numeric_limits<std::int64_t>::max();
  }
  bool used(std::size_t q) const {
    for (const auto& p : performed)
      if (p.second == q) return true;
    return false;
  }
  bool valid() const {
    const std::size_t first = performed.front().second, last = performed.back().second;
    std::int64_t t1 = -1;
    for (std::size_t q = 0; q < t.size(); ++q)
      if ((m[q] & 1U) && (t1 < 0 || t[q] < t1)) t1 = t[q];
    if (anchor_time >= 0) t1 = anchor_time;
    const bool anchored = o.anchor == anchor_rule::first_step || anchor_time >= 0;
    if (o.mode == funnel_mode::unordered) { // any order, all inside one window
      std::int64_t lo = t[first], hi = t[first];
      for (const auto& p : performed) {
        lo = std::min(lo, t[p.second]);
        hi = std::max(hi, t[p.second]);
      }
      return anchored ? lo >= t1 && hi <= t1 + o.window : hi - lo <= o.window;
    }
    if (anchored && t[first] != t1) return false;
    if (t[last] - t[first] > o.window) return false;
    const bool sequence = o.mode == funnel_mode::strict_order ||
                          o.mode == funnel_mode::strict_deduplication ||
                          o.mode == funnel_mode::allow_reentry;
    for (std::size_t l = 1; l < performed.size(); ++l) {
      const std::size_t u = performed[l - 1].second, v = performed[l].second;
      if (t[v] < t[u]) return false;
      if (o.mode == funnel_mode::strict_increase && !(t[u] < t[v])) return false;
      if (sequence && !(u < v)) return false;
      if (o.mode == funnel_mode::strict_order && v != u + 1) return false;
      if (t[v] - t[u] > gap(performed[l].first)) return false;
    }
    const std::size_t L = performed.back().first;
    const std::uint64_t step_bits = (std::uint64_t{1} << o.steps) - 1; // k < 64 here
    const std::uint64_t steps_2_to_L = ((std::uint64_t{1} << L) - 1) & ~std::uint64_t{1};
    if (sequence)
      for (std::size_t q = first + 1; q < last; ++q) {
        if (used(q)) continue;
        if (o.mode == funnel_mode::allow_reentry && (m[q] & step_bits) == 0) return false;
        if (o.mode == funnel_mode::strict_deduplication && (m[q] & steps_2_to_L)) return false;
      }
    for (const funnel_exclusion& x : o.exclusions) {
      std::int64_t a = -1, b = -1;
      for (const auto& p : performed) {
        if (p.first <= x.from) a = t[p.second];
        if (p.first >= x.to && b < 0) b = t[p.second];
      }
      if (b < 0) continue; // the chain does not reach step j: the exclusion does not apply
      for (std::size_t q = 0; q < t.size(); ++q)
        if (((m[q] >> x.bit) & 1U) && a < t[q] && t[q] < b) return false;
    }
    return true;
  }
  void search(std::size_t step) {
    if (step > o.steps) return;
    for (std::size_t q = 0; q < t.size(); ++q) {
      if (!((m[q] >> (step - 1)) & 1U) || used(q)) continue;
      performed.emplace_back(step, q);
      if (valid()) { // every rule is monotone: an invalid chain has no valid extension
        if (step > best) longest.clear();
        best = std::max(best, step);
        if (step == best) longest.push_back(performed);
        search(step + 1);
      }
      performed.pop_back();
    }
    if (step > 1 && optional(step)) search(step + 1);
  }
  std::size_t level() {
    search(1);
    return best;
  }
};

// Random constraints for a k-step funnel: exclusions on bits k and k+1, optional steps, gaps.
void random_constraints(rng& g, event_funnel_options& o) {
  const std::size_t k = o.steps;
  if (k < 2) return;
  const bool ordered = o.mode != funnel_mode::unordered; // unordered: optional steps only
  const std::size_t exclusions = ordered ? static_cast<std::size_t>(g.uniform_int(3)) : 0;
  for (std::size_t x = 0; x < exclusions; ++x) {
    const std::size_t from = 1 + static_cast<std::size_t>(g.uniform_int(k - 1));
    const std::size_t to = from + 1 + static_cast<std::size_t>(g.uniform_int(k - from));
    o.exclusions.push_back({k + static_cast<std::size_t>(g.uniform_int(2)), from, to});
  }
  for (std::size_t s = 2; s <= k; ++s) {
    if (g.uniform() < 0.35) o.optional_steps.push_back(s);
    if (g.uniform() < 0.35 && ordered)
      o.max_gaps.push_back({s, 1 + static_cast<std::int64_t>(g.uniform_int(3))});
  }
}

// Clears the bits that are neither steps nor declared exclusion bits (the library rejects them).
void keep_declared_bits(events& ev, const event_funnel_options& o) {
  std::uint64_t allowed = (std::uint64_t{1} << o.steps) - 1; // k < 64 here
  for (const funnel_exclusion& x : o.exclusions) allowed |= std::uint64_t{1} << x.bit;
  for (auto& mask : ev.steps) mask &= allowed;
}

// Adds exclusion bits k and k+1 to random events (some of which match steps too).
void add_exclusion_events(rng& g, events& ev, std::size_t k) {
  for (auto& mask : ev.steps)
    if (g.uniform() < 0.3) mask |= std::uint64_t{1} << (k + static_cast<std::size_t>(g.uniform_int(2)));
}

event_funnel_options constrained(std::int64_t window, std::size_t k, std::vector<funnel_exclusion> ex,
                                 std::vector<std::size_t> optional, std::vector<funnel_gap> gaps,
                                 funnel_mode mode = funnel_mode::standard) {
  auto o = opts(window, k, mode);
  o.exclusions = std::move(ex);
  o.optional_steps = std::move(optional);
  o.max_gaps = std::move(gaps);
  return o;
}

} // namespace

TEST_CASE("event funnel exclusions: hand cases", "[funnel][event][constraints]") {
  const std::vector<funnel_exclusion> x12{{5, 1, 2}}; // X between steps 1 and 2
  // A@0, X@5, B@10, window 20: X lies strictly between A and B -> only A -> 1 (2 without X).
  CHECK(one_entity({0, 5, 10}, {A, X, B}, constrained(20, 2, x12, {}, {})) == 1);
  CHECK(one_entity({0, 5, 10}, {A, 0, B}, constrained(20, 2, x12, {}, {})) == 2);
  // "Strictly between": X at the time of A or of B does not break the chain -> 2.
  CHECK(one_entity({0, 0, 10}, {A, X, B}, constrained(20, 2, x12, {}, {})) == 2);
  CHECK(one_entity({0, 10, 10}, {A, X, B}, constrained(20, 2, x12, {}, {})) == 2);
  // A later start after the exclusion event avoids it: A@0, X@5, A@6, B@10 -> 2.
  CHECK(one_entity({0, 5, 6, 10}, {A, X, A, B}, constrained(20, 2, x12, {}, {})) == 2);
  // Exclusion between 2 and 3: X before B is not between B and C. A@0, X@5, B@6, C@8 -> 3;
  // between 1 and 3 it is (0 < 5 < 8) -> the chain stops at B -> 2.
  const std::vector<std::int64_t> t{0, 5, 6, 8};
  const std::vector<std::uint64_t> m{A, X, B, C};
  CHECK(one_entity(t, m, constrained(20, 3, {{5, 2, 3}}, {}, {})) == 3);
  CHECK(one_entity(t, m, constrained(20, 3, {{5, 1, 3}}, {}, {})) == 2);
  // An event of the chain that carries the exclusion bit still counts as an exclusion event:
  // A@0, (B|X)@2, C@4, X between 1 and 3: 0 < 2 < 4 -> 2. As the closing step it does not.
  CHECK(one_entity({0, 2, 4}, {A, B | X, C}, constrained(20, 3, {{5, 1, 3}}, {}, {})) == 2);
  CHECK(one_entity({0, 2, 4}, {A, B, C | X}, constrained(20, 3, {{5, 1, 3}}, {}, {})) == 3);
}

TEST_CASE("event funnel optional steps and gaps: hand cases", "[funnel][event][constraints]") {
  // Step 2 optional: A@0, C@5 reaches step 3 (level 3, counted in reached[1] too); without it 1.
  events ev;
  ev.add(1, 0, A);
  ev.add(1, 5, C);
  const auto r = event_funnel(ev.entity, ev.time, ev.steps, constrained(10, 3, {}, {2}, {}));
  CHECK(r.levels == std::vector<std::uint8_t>{3});
  CHECK(r.reached == std::vector<std::uint64_t>{1, 1, 1});
  CHECK(event_funnel(ev.entity, ev.time, ev.steps, opts(10, 3)).levels == std::vector<std::uint8_t>{1});
  // Optional step skipped but the next mandatory one missing: A@0, D@5, 4 steps, 2 optional -> 1.
  CHECK(one_entity({0, 5}, {A, D}, constrained(10, 4, {}, {2}, {})) == 1);
  // Gap on step 2: A@0, B@5, C@6 -> gap 4 stops at A (1); gap 5 -> 3.
  CHECK(one_entity({0, 5, 6}, {A, B, C}, constrained(10, 3, {}, {}, {{2, 4}})) == 1);
  CHECK(one_entity({0, 5, 6}, {A, B, C}, constrained(10, 3, {}, {}, {{2, 5}})) == 3);
  // A gap is measured from the previous *performed* step: A@0, B@2, C@10, step 2 optional,
  // gap 5 on step 3: C-B = 8 > 5 and C-A = 10 > 5 -> 2; with gap 8 -> 3 via B.
  CHECK(one_entity({0, 2, 10}, {A, B, C}, constrained(20, 3, {}, {2}, {{3, 5}})) == 2);
  CHECK(one_entity({0, 2, 10}, {A, B, C}, constrained(20, 3, {}, {2}, {{3, 8}})) == 3);
  // Exclusion whose step i is optional and skipped: the span opens at the last performed step
  // <= i. Steps 2 optional, X between 2 and 3: A@0, X@5, C@8 -> 0 < 5 < 8 -> 1; with B@6
  // performed the span is (6, 8) -> 3.
  CHECK(one_entity({0, 5, 8}, {A, X, C}, constrained(20, 3, {{5, 2, 3}}, {2}, {})) == 1);
  CHECK(one_entity({0, 5, 6, 8}, {A, X, B, C}, constrained(20, 3, {{5, 2, 3}}, {2}, {})) == 3);
  // Performing an optional step can satisfy a gap that skipping it would not (equal times):
  // A@0, B@4, C@4, gap 1 on step 3, step 2 optional -> A, B, C (C-B = 0) -> 3.
  CHECK(one_entity({0, 4, 4}, {A, B, C}, constrained(20, 3, {}, {2}, {{3, 1}})) == 3);
  // Why more than the start per level: window 10, gaps of 2 on steps 2 and 3, A@0, A@3, B@3,
  // B@5, C@7. Two level-2 chains start at 3 (A@3-B@3 found first, A@3-B@5); only the one
  // ending later reaches C@7 within 2 s -> 3. Keeping one chain per start would give 2.
  CHECK(one_entity({0, 3, 3, 5, 7}, {A, A, B, B, C}, constrained(10, 3, {}, {}, {{2, 2}, {3, 2}})) == 3);
}

TEST_CASE("event funnel constraints equal brute force on random small cases", "[funnel][event][constraints][property]") {
  const funnel_mode mode = GENERATE(from_range(std::begin(all_modes), std::end(all_modes)));
  const anchor_rule anchor = GENERATE(anchor_rule::any_start, anchor_rule::first_step);
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 9));
  CAPTURE(mode, anchor, seed);
  rng g(7000 + seed * 100 + static_cast<std::uint64_t>(mode) * 10 + static_cast<std::uint64_t>(anchor));
  for (int rep = 0; rep < 80; ++rep) {
    const std::size_t k = 1 + static_cast<std::size_t>(g.uniform_int(4));
    auto o = opts(1 + static_cast<std::int64_t>(g.uniform_int(5)), k, mode, anchor);
    random_constraints(g, o);
    events ev = random_events(g, k, 4, 8, 8);
    add_exclusion_events(g, ev, k);
    keep_declared_bits(ev, o);
    CAPTURE(rep, o);
    const events sorted = stable_sorted(ev);
    event_funnel_result expected;
    expected.reached.assign(k, 0);
    for (std::size_t i = 0; i < sorted.entity.size();) {
      std::size_t j = i;
      while (j < sorted.entity.size() && sorted.entity[j] == sorted.entity[i]) ++j;
      const std::vector<std::int64_t> t(sorted.time.begin() + static_cast<std::ptrdiff_t>(i),
                                        sorted.time.begin() + static_cast<std::ptrdiff_t>(j));
      const std::vector<std::uint64_t> m(sorted.steps.begin() + static_cast<std::ptrdiff_t>(i),
                                         sorted.steps.begin() + static_cast<std::ptrdiff_t>(j));
      const std::size_t level = brute_constrained{t, m, o}.level();
      expected.entities.push_back(sorted.entity[i]);
      expected.levels.push_back(static_cast<std::uint8_t>(level));
      for (std::size_t s = 0; s < level; ++s) ++expected.reached[s];
      // Attempt counting with constraints: each attempt against brute force from its start.
      if (anchor == anchor_rule::any_start) {
        const auto attempts = entity_funnel_attempts(t, m, o);
        for (const funnel_attempt& a : attempts)
          REQUIRE(a.level == brute_constrained{t, m, o, a.start}.level());
      }
      i = j;
    }
    const auto unsorted = event_funnel(ev.entity, ev.time, ev.steps, o);
    REQUIRE(unsorted.entities == expected.entities);
    REQUIRE(unsorted.levels == expected.levels);
    REQUIRE(unsorted.reached == expected.reached);
    REQUIRE(event_funnel(sorted.entity, sorted.time, sorted.steps, o).levels == expected.levels);
  }
}

TEST_CASE("event funnel constraints: large equal-timestamp groups equal brute force", "[funnel][event][constraints][property]") {
  // Many events at two or three instants stress the search inside a group.
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(40, 50));
  rng g(seed);
  for (int rep = 0; rep < 30; ++rep) {
    const std::size_t k = 2 + static_cast<std::size_t>(g.uniform_int(3));
    for (funnel_mode mode : all_modes) {
      auto o = opts(1 + static_cast<std::int64_t>(g.uniform_int(2)), k, mode);
      random_constraints(g, o);
      events ev = random_events(g, k, 2, 9, 3);
      add_exclusion_events(g, ev, k);
      keep_declared_bits(ev, o);
      const events sorted = stable_sorted(ev);
      const auto got = event_funnel(sorted.entity, sorted.time, sorted.steps, o);
      CAPTURE(seed, rep, o);
      for (std::size_t e = 0; e < got.entities.size(); ++e) {
        std::vector<std::int64_t> t;
        std::vector<std::uint64_t> m;
        for (std::size_t i = 0; i < sorted.entity.size(); ++i)
          if (sorted.entity[i] == got.entities[e]) {
            t.push_back(sorted.time[i]);
            m.push_back(sorted.steps[i]);
          }
        REQUIRE(got.levels[e] == brute_constrained{t, m, o}.level());
      }
    }
  }
}

TEST_CASE("event funnel constraints that never bind equal the fast path", "[funnel][event][constraints][property]") {
  // Gaps as long as the window, exclusions on a bit no event carries and no optional step
  // cannot change a level: the constrained programme must then equal the unconstrained
  // dynamic programme (an independent algorithm) on cases too large for brute force; and it
  // is invariant under permutations of the rows.
  const funnel_mode mode = GENERATE(funnel_mode::standard, funnel_mode::strict_increase);
  const anchor_rule anchor = GENERATE(anchor_rule::any_start, anchor_rule::first_step);
  rng g(8100 + static_cast<std::uint64_t>(mode) * 2 + static_cast<std::uint64_t>(anchor));
  for (int rep = 0; rep < 20; ++rep) {
    const events ev = random_events(g, 5, 30, 14, 40);
    const auto plain = opts(15, 5, mode, anchor);
    auto o = plain;
    o.max_gaps = {{2, 15}, {3, 15}, {5, 15}};
    o.exclusions = {{9, 1, 5}, {9, 2, 3}};
    const auto base = event_funnel(ev.entity, ev.time, ev.steps, o);
    CHECK(base.levels == event_funnel(ev.entity, ev.time, ev.steps, plain).levels);
    std::vector<std::size_t> perm(ev.entity.size());
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::shuffle(perm.begin(), perm.end(), g);
    events shuffled;
    for (std::size_t p : perm) shuffled.add(ev.entity[p], ev.time[p], ev.steps[p]);
    CHECK(event_funnel(shuffled.entity, shuffled.time, shuffled.steps, o).levels == base.levels);
  }
}

TEST_CASE("event funnel constraints: bad options throw typed errors naming the argument", "[funnel][event][constraints]") {
  const std::vector<std::uint64_t> e{1, 1};
  const std::vector<std::int64_t> t{0, 1};
  const std::vector<std::uint64_t> m{A, B};
  auto run = [&](const event_funnel_options& o) { return event_funnel(e, t, m, o); };
  // Exclusion bit inside the step bits, or above 63.
  CHECK_THROWS_AS(run(constrained(10, 2, {{1, 1, 2}}, {}, {})), out_of_range_value);
  CHECK_THROWS_WITH(run(constrained(10, 2, {{5, 1, 2}, {1, 1, 2}}, {}, {})),
                    Contains("exclusions at row 1") && Contains("bit 1"));
  CHECK_THROWS_AS(run(constrained(10, 2, {{64, 1, 2}}, {}, {})), out_of_range_value);
  // i >= j, i = 0, j > k.
  CHECK_THROWS_WITH(run(constrained(10, 2, {{5, 2, 2}}, {}, {})), Contains("exclusions at row 0") && Contains("2..2"));
  CHECK_THROWS_AS(run(constrained(10, 2, {{5, 2, 1}}, {}, {})), out_of_range_value);
  CHECK_THROWS_AS(run(constrained(10, 2, {{5, 0, 2}}, {}, {})), out_of_range_value);
  CHECK_THROWS_AS(run(constrained(10, 2, {{5, 1, 3}}, {}, {})), out_of_range_value);
  // Optional step 1 (it opens the window) or beyond k.
  CHECK_THROWS_WITH(run(constrained(10, 2, {}, {1}, {})), Contains("optional_steps at row 0") && Contains("is 1"));
  CHECK_THROWS_AS(run(constrained(10, 2, {}, {3}, {})), out_of_range_value);
  // Gaps: <= 0, step outside 2..k, repeated.
  CHECK_THROWS_AS(run(constrained(10, 2, {}, {}, {{2, 0}})), negative_value);
  CHECK_THROWS_WITH(run(constrained(10, 2, {}, {}, {{2, -3}})), Contains("max_gaps at row 0") && Contains("-3"));
  CHECK_THROWS_AS(run(constrained(10, 2, {}, {}, {{1, 5}})), out_of_range_value);
  CHECK_THROWS_WITH(run(constrained(10, 2, {}, {}, {{2, 5}, {2, 6}})), Contains("max_gaps at row 1"));
  // Unordered funnels have no step order in time: exclusions and gaps refuse, naming why.
  CHECK_THROWS_AS(run(constrained(10, 2, {}, {}, {{2, 5}}, funnel_mode::unordered)), out_of_range_value);
  CHECK_THROWS_WITH(run(constrained(10, 2, {}, {}, {{2, 5}}, funnel_mode::unordered)),
                    Contains("max_gaps") && Contains("no order in time"));
  CHECK_THROWS_WITH(run(constrained(10, 2, {{5, 1, 2}}, {}, {}, funnel_mode::unordered)),
                    Contains("exclusions") && Contains("between"));
  // Every other mode takes the options, and witnesses exist with them: A@0, B@1, step 2
  // optional -> both performed, level 2, rows 0 and 1.
  CHECK(run(constrained(10, 2, {}, {2}, {}, funnel_mode::strict_order)).levels == std::vector<std::uint8_t>{2});
  CHECK(entity_funnel_witness(t, m, constrained(10, 2, {}, {2}, {})).rows == std::vector<std::size_t>{0, 1});
  // Exclusion bits are accepted in the data only when declared.
  const std::vector<std::uint64_t> with_x{A, B | X};
  CHECK(event_funnel(e, t, with_x, constrained(10, 2, {{5, 1, 2}}, {}, {})).levels == std::vector<std::uint8_t>{2});
  CHECK_THROWS_WITH(event_funnel(e, t, with_x, opts(10, 2)), Contains("steps at row 1"));
}

TEST_CASE("event funnel constraints: many identical same-second events", "[funnel][event][constraints]") {
  // 60 events at t=0, each matching steps 1..8, step 3 optional, 1 s gaps: 8 distinct events
  // cover the 8 steps at one instant (gaps 0) -> 8 (hand derivation). Identical events are
  // interchangeable, so the search inside the group stays small.
  const std::vector<std::int64_t> t(60, 0);
  const std::vector<std::uint64_t> m(60, 0xFF);
  auto o = constrained(10, 8, {{9, 2, 5}}, {3}, {{2, 1}, {8, 1}});
  CHECK(one_entity(t, m, o) == 8);
  // Under strict_increase a chain takes one event per instant -> 1.
  o.mode = funnel_mode::strict_increase;
  CHECK(one_entity(t, m, o) == 1);
}

TEST_CASE("event funnel constraints: printing", "[funnel][event][constraints]") {
  std::ostringstream s;
  s << constrained(10, 3, {{5, 1, 3}}, {2}, {{3, 60}});
  CHECK(s.str() == "event_funnel_options{window=10s, steps=3, mode=default, anchor=any_start, "
                   "exclusions=[exclusion{bit=5, from=1, to=3}], optional_steps=[2], "
                   "max_gaps=[gap{step=3, seconds=60}]}");
}

// ---- Witness paths in every mode, with and without options ---------------------------------
namespace {

// Earliest and latest time of a chain's events (= first and last event in the ordered modes).
template <class Rows>
std::pair<std::int64_t, std::int64_t> span_of(const Rows& rows, const std::vector<std::int64_t>& t) {
  std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = -1;
  for (std::size_t r : rows) {
    lo = std::min(lo, t[r]);
    hi = std::max(hi, t[r]);
  }
  return {lo, hi};
}

// The documented rule against brute force: among the longest valid chains (rows and the steps
// they perform), those with the latest start, among them those with the earliest end, and among
// those the smallest sequence of (row, step) pairs in step order; its step times are the
// differences of its rows' times.
void check_witness(const funnel_witness& w, brute_constrained& b) {
  const std::size_t level = b.level();
  REQUIRE(w.level == level);
  REQUIRE(w.rows.size() == w.steps.size());
  REQUIRE(w.seconds_to_next.size() == (w.rows.empty() ? 0 : w.rows.size() - 1));
  if (level == 0) {
    REQUIRE(w.rows.empty());
    return;
  }
  std::vector<std::pair<std::size_t, std::size_t>> chain;
  for (std::size_t j = 0; j < w.rows.size(); ++j) chain.emplace_back(w.steps[j], w.rows[j]);
  REQUIRE(std::find(b.longest.begin(), b.longest.end(), chain) != b.longest.end());
  std::int64_t latest_start = -1, earliest_end = std::numeric_limits<std::int64_t>::max();
  std::vector<std::vector<std::size_t>> rows_of(b.longest.size());
  for (std::size_t c = 0; c < b.longest.size(); ++c) {
    for (const auto& p : b.longest[c]) rows_of[c].push_back(p.second);
    latest_start = std::max(latest_start, span_of(rows_of[c], b.t).first);
  }
  for (const auto& rows : rows_of)
    if (span_of(rows, b.t).first == latest_start) earliest_end = std::min(earliest_end, span_of(rows, b.t).second);
  CHECK(span_of(w.rows, b.t).first == latest_start);
  CHECK(span_of(w.rows, b.t).second == earliest_end);
  std::vector<std::pair<std::size_t, std::size_t>> smallest; // (row, step) pairs
  for (std::size_t c = 0; c < b.longest.size(); ++c) {
    const auto s = span_of(rows_of[c], b.t);
    if (s.first != latest_start || s.second != earliest_end) continue;
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (const auto& p : b.longest[c]) pairs.emplace_back(p.second, p.first);
    if (smallest.empty() || pairs < smallest) smallest = pairs;
  }
  std::vector<std::pair<std::size_t, std::size_t>> got;
  for (std::size_t j = 0; j < w.rows.size(); ++j) got.emplace_back(w.rows[j], w.steps[j]);
  CHECK(got == smallest);
  for (std::size_t j = 1; j < w.rows.size(); ++j)
    CHECK(w.seconds_to_next[j - 1] == b.t[w.rows[j]] - b.t[w.rows[j - 1]]);
}

} // namespace

TEST_CASE("event funnel witness in every mode equals the brute-force rule", "[funnel][event][witness][property]") {
  // Thousands of single entities full of equal timestamps and multi-step events: 7 modes x 2
  // anchorings x (plain, with random options) x 250.
  const funnel_mode mode = GENERATE(from_range(std::begin(all_modes), std::end(all_modes)));
  const anchor_rule anchor = GENERATE(anchor_rule::any_start, anchor_rule::first_step);
  const bool with_options = GENERATE(false, true);
  rng g(11000 + static_cast<std::uint64_t>(mode) * 4 + static_cast<std::uint64_t>(anchor) * 2 +
        static_cast<std::uint64_t>(with_options));
  for (int rep = 0; rep < 250; ++rep) {
    const std::size_t k = 1 + static_cast<std::size_t>(g.uniform_int(4));
    auto o = opts(1 + static_cast<std::int64_t>(g.uniform_int(5)), k, mode, anchor);
    events ev = random_events(g, k, 1, 9, 8);
    if (with_options) {
      random_constraints(g, o);
      add_exclusion_events(g, ev, k);
      keep_declared_bits(ev, o);
    }
    const events sorted = stable_sorted(ev);
    CAPTURE(rep, o, sorted.time, sorted.steps);
    const auto w = entity_funnel_witness(sorted.time, sorted.steps, o);
    CAPTURE(w);
    brute_constrained b{sorted.time, sorted.steps, o};
    check_witness(w, b);
    // The witness's level is the funnel's level (one definition, two algorithms).
    REQUIRE(w.level == entity_funnel_level(sorted.time, sorted.steps, o));
  }
}

TEST_CASE("event funnel witness with a hold-constant key equals brute force per key", "[funnel][event][witness][property]") {
  // Reference: brute force on each key's events; the best key by level, then latest start,
  // then earliest end, then the smaller key; the witness rows must be that key's rows.
  const funnel_mode mode = GENERATE(from_range(std::begin(all_modes), std::end(all_modes)));
  rng g(12000 + static_cast<std::uint64_t>(mode));
  for (int rep = 0; rep < 120; ++rep) {
    const std::size_t k = 1 + static_cast<std::size_t>(g.uniform_int(4));
    const auto o = opts(1 + static_cast<std::int64_t>(g.uniform_int(5)), k, mode);
    const events ev = stable_sorted(random_events(g, k, 1, 10, 8));
    std::vector<std::uint64_t> key(ev.time.size());
    for (auto& x : key) x = 50 + g.uniform_int(3);
    const auto w = entity_funnel_witness_held(ev.time, key, ev.steps, o);
    CAPTURE(rep, k, ev.time, ev.steps, key, w);
    std::size_t best_level = 0;
    std::int64_t best_lo = 0, best_hi = 0;
    std::uint64_t best_key = 0;
    std::vector<std::pair<std::size_t, std::size_t>> best_pairs;
    for (std::uint64_t kv = 50; kv < 53; ++kv) {
      std::vector<std::int64_t> t;
      std::vector<std::uint64_t> m;
      std::vector<std::size_t> rows;
      for (std::size_t i = 0; i < key.size(); ++i)
        if (key[i] == kv) {
          t.push_back(ev.time[i]);
          m.push_back(ev.steps[i]);
          rows.push_back(i);
        }
      if (t.empty()) continue;
      brute_constrained b{t, m, o};
      const std::size_t level = b.level();
      if (level == 0) continue;
      // This key's best chain by the rule (latest start, earliest end, smallest (row, step)
      // pairs), in the entity's rows.
      std::int64_t lo = -1, hi = std::numeric_limits<std::int64_t>::max();
      std::vector<std::pair<std::size_t, std::size_t>> pairs;
      for (const auto& c : b.longest) {
        std::vector<std::size_t> r;
        std::vector<std::pair<std::size_t, std::size_t>> cp;
        for (const auto& p : c) {
          r.push_back(p.second);
          cp.emplace_back(rows[p.second], p.first);
        }
        const auto s = span_of(r, t);
        if (s.first > lo || (s.first == lo && (s.second < hi || (s.second == hi && cp < pairs)))) {
          lo = s.first;
          hi = s.second;
          pairs = cp;
        }
      }
      if (level > best_level || (level == best_level && (lo > best_lo || (lo == best_lo && hi < best_hi)))) {
        best_level = level;
        best_lo = lo;
        best_hi = hi;
        best_key = kv;
        best_pairs = pairs;
      }
    }
    REQUIRE(w.level == best_level);
    if (best_level == 0) continue;
    for (std::size_t r : w.rows) CHECK(key[r] == best_key);
    CHECK(span_of(w.rows, ev.time) == std::make_pair(best_lo, best_hi));
    std::vector<std::pair<std::size_t, std::size_t>> got;
    for (std::size_t j = 0; j < w.rows.size(); ++j) got.emplace_back(w.rows[j], w.steps[j]);
    CHECK(got == best_pairs);
  }
}

TEST_CASE("event funnel options in the sequence modes: hand cases", "[funnel][event][constraints]") {
  // Hand derivations from the rules of docs/funnel.md (section "Options in every mode").
  // strict_order, step 2 optional: A@0, C@1 are consecutive -> 3; A@0, x@1 (no step), C@2: the
  // unrelated event intervenes -> 1.
  CHECK(one_entity({0, 1}, {A, C}, constrained(10, 3, {}, {2}, {}, funnel_mode::strict_order)) == 3);
  CHECK(one_entity({0, 1, 2}, {A, 0, C}, constrained(10, 3, {}, {2}, {}, funnel_mode::strict_order)) == 1);
  // strict_order, exclusion carried by a chain event: A@0, (B|X)@1, C@2, X between 1 and 3 ->
  // X at 1 is strictly between 0 and 2 -> 2.
  CHECK(one_entity({0, 1, 2}, {A, B | X, C}, constrained(10, 3, {{5, 1, 3}}, {}, {}, funnel_mode::strict_order)) == 2);
  // strict_order, gap 1 on step 2: A@0, B@2 -> 1; gap 2 -> 2.
  CHECK(one_entity({0, 2}, {A, B}, constrained(10, 2, {}, {}, {{2, 1}}, funnel_mode::strict_order)) == 1);
  CHECK(one_entity({0, 2}, {A, B}, constrained(10, 2, {}, {}, {{2, 2}}, funnel_mode::strict_order)) == 2);
  // allow_reentry: an exclusion-only event matches no step, so it breaks the chain like any
  // unrelated event, even outside the exclusion's span: A@0, X@1, B@2, X between 2 and 3 -> 1.
  CHECK(one_entity({0, 1, 2}, {A, X, B}, constrained(10, 3, {{5, 2, 3}}, {}, {}, funnel_mode::allow_reentry)) == 1);
  // allow_reentry: (A|X)@1 matches a step, so it does not break; as an exclusion event it lies
  // strictly between A@0 and C@2 (X between 1 and 3) -> chain A@0, B@... none; A@0, C? needs B.
  // Events A@0, (A|X)@1, B@2, C@3: chain from A@0 spans X@1 -> stops at 2; chain from
  // (A|X)@1 re-anchors after it (X at the anchor's own time is not strictly between) -> 3.
  CHECK(one_entity({0, 1, 2, 3}, {A, A | X, B, C}, constrained(10, 3, {{5, 1, 3}}, {}, {}, funnel_mode::allow_reentry)) == 3);
  // strict_deduplication, step 2 optional: A@0, C@1 -> 3; A@0, B@1, B@2, C@3: the second B
  // repeats step 2 inside any chain reaching C -> 2; with step 2 skipped the Bs still count as
  // events of step 2 <= L inside the chain -> 2 as well.
  CHECK(one_entity({0, 1}, {A, C}, constrained(10, 3, {}, {2}, {}, funnel_mode::strict_deduplication)) == 3);
  CHECK(one_entity({0, 1, 2, 3}, {A, B, B, C}, constrained(10, 3, {}, {2}, {}, funnel_mode::strict_deduplication)) == 2);
  // strict_deduplication with a gap: A@0, B@5, C@6, gap 1 on step 2, step 2 optional: B@5 is
  // too late for step 2, and skipping it leaves B@5 inside A..C as an event of step 2 -> 1.
  CHECK(one_entity({0, 5, 6}, {A, B, C}, constrained(10, 3, {}, {2}, {{2, 1}}, funnel_mode::strict_deduplication)) == 1);
  // unordered with step 2 optional: C@0, A@3 -> 3 (B skipped); without the option -> 1.
  CHECK(one_entity({0, 3}, {C, A}, constrained(10, 3, {}, {2}, {}, funnel_mode::unordered)) == 3);
  CHECK(one_entity({0, 3}, {C, A}, opts(10, 3, funnel_mode::unordered)) == 1);
  // The unordered witness lists performed steps only: rows 1 (A, step 1) and 0 (C, step 3);
  // step times may be negative (C came first): 0 - 3 = -3.
  const std::vector<std::int64_t> t{0, 3};
  const std::vector<std::uint64_t> m{C, A};
  const auto w = entity_funnel_witness(t, m, constrained(10, 3, {}, {2}, {}, funnel_mode::unordered));
  CHECK(w.rows == std::vector<std::size_t>{1, 0});
  CHECK(w.steps == std::vector<std::size_t>{1, 3});
  CHECK(w.seconds_to_next == std::vector<std::int64_t>{-3});
  std::ostringstream s;
  s << w;
  CHECK(s.str() == "funnel_witness{level=3, rows=[1, 0], steps=[1, 3], seconds_to_next=[-3]}");
}

TEST_CASE("event funnel attempts with a hold-constant key equal brute force per key", "[funnel][event][property]") {
  // Reference: one attempt per distinct step-1 time T of the entity; its level is the largest,
  // over the keys with a step-1 event at T, of brute force on that key's events with chains
  // forced to start at T.
  const funnel_mode mode = GENERATE(from_range(std::begin(all_modes), std::end(all_modes)));
  rng g(13000 + static_cast<std::uint64_t>(mode));
  for (int rep = 0; rep < 100; ++rep) {
    const std::size_t k = 1 + static_cast<std::size_t>(g.uniform_int(4));
    auto o = opts(1 + static_cast<std::int64_t>(g.uniform_int(5)), k, mode);
    random_constraints(g, o);
    events ev = random_events(g, k, 1, 10, 8);
    add_exclusion_events(g, ev, k);
    keep_declared_bits(ev, o);
    ev = stable_sorted(ev);
    std::vector<std::uint64_t> key(ev.time.size());
    for (auto& x : key) x = 50 + g.uniform_int(3);
    const auto attempts = entity_funnel_attempts_held(ev.time, key, ev.steps, o);
    CAPTURE(rep, o, ev.time, ev.steps, key);
    std::vector<std::int64_t> starts;
    for (std::size_t i = 0; i < ev.time.size(); ++i)
      if (ev.steps[i] & 1U) starts.push_back(ev.time[i]);
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    REQUIRE(attempts.size() == starts.size());
    for (std::size_t a = 0; a < starts.size(); ++a) {
      std::size_t best = 0;
      for (std::uint64_t kv = 50; kv < 53; ++kv) {
        std::vector<std::int64_t> t;
        std::vector<std::uint64_t> m;
        bool starts_here = false;
        for (std::size_t i = 0; i < key.size(); ++i)
          if (key[i] == kv) {
            t.push_back(ev.time[i]);
            m.push_back(ev.steps[i]);
            starts_here |= (ev.steps[i] & 1U) && ev.time[i] == starts[a];
          }
        if (starts_here) best = std::max(best, brute_constrained{t, m, o, starts[a]}.level());
      }
      CHECK(attempts[a].start == starts[a]);
      CHECK(attempts[a].level == best);
    }
  }
  const std::vector<std::int64_t> t{0, 1};
  const std::vector<std::uint64_t> m{A, B}, short_key{1};
  CHECK_THROWS_AS(entity_funnel_attempts_held(t, short_key, m, opts(10, 2)), length_mismatch);
}
