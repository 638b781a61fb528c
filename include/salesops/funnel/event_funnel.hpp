// Event funnels over event streams: for every entity, the deepest funnel level reached by a
// chain of its events inside a conversion window. Reference: ClickHouse `windowFunnel`
// (modes default, strict_increase, strict_order, strict_deduplication, strict_once,
// allow_reentry; plus unordered funnels, a hold-constant key, and PostHog/Mixpanel-style
// exclusion steps, optional steps and per-step maximum gaps, and the witness chain of every
// mode), with every mode defined here as "the largest k for which a chain satisfying the
// mode's rule exists" rather than by ClickHouse's greedy scan, which under-counts; the exact
// definitions and the differences are in docs/funnel.md.
//
// Input is columnar: entity (std::uint64_t), timestamp (std::int64_t seconds, >= 0) and steps
// (std::uint64_t bitmask, bit i set when the event matches step i+1; an event may match
// several steps or none). Input sorted by (entity, timestamp) is used as-is (detected in the
// same pass that validates it); otherwise the library sorts a copy, stably, so events with
// equal (entity, timestamp) keep their input order. That order (the "position order") matters
// only to the sequence modes strict_order, strict_deduplication and allow_reentry.
#ifndef SALESOPS_FUNNEL_EVENT_FUNNEL_HPP
#define SALESOPS_FUNNEL_EVENT_FUNNEL_HPP

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/memory.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/funnel/event_sort.hpp"

// The AVX2 pre-sorted pass (the lanes of detail::funnel_sorted_by_time_blocks) is built where the
// compiler supports per-function targets and runtime CPU checks; everything else builds the scalar
// pass.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SALESOPS_FUNNEL_AVX2_PASS 1
#include <immintrin.h>
#else
#define SALESOPS_FUNNEL_AVX2_PASS 0
#endif

namespace salesops {
namespace funnel {

/// \brief Which chains count (docs/funnel.md gives each rule exactly).
enum class funnel_mode {
  standard,             ///< ClickHouse "default": distinct events, t(e1) <= ... <= t(ek) <= t(e1) + window.
  strict_increase,      ///< As standard with t(e_j) < t(e_j+1).
  strict_order,         ///< The chain's events are consecutive in position order (nothing intervenes).
  strict_deduplication, ///< No other event between e1 and ek matches any step 2..k.
  strict_once,          ///< Each event counts once in a chain: identical to standard here.
  allow_reentry,        ///< strict_order, but intervening events that match some step are skipped.
  unordered             ///< Distinct events for steps 1..k in any order, max t - min t <= window.
};

/// \brief Where a chain may start.
enum class anchor_rule {
  any_start,  ///< Any step-1 event may open the window (ClickHouse).
  first_step  ///< Only the entity's first step-1 time opens it (Mixpanel/Amplitude uniques).
};

/// \brief An exclusion step: an exclusion event strictly between the chain's steps `from` and
/// `to` (in time) invalidates the chain (docs/funnel.md gives the exact rule).
struct funnel_exclusion {
  std::size_t bit = 0;  ///< Bit of the `steps` column that marks exclusion events, in [k, 63].
  std::size_t from = 1; ///< Step i (1-based) that opens the excluded span.
  std::size_t to = 2;   ///< Step j (1-based) that closes it, from < to <= k.
};

/// \brief A per-step maximum gap: step `step` must follow the chain's previous performed step
/// within `seconds` (in addition to the window).
struct funnel_gap {
  std::size_t step = 2;     ///< Step j (1-based), 2..k.
  std::int64_t seconds = 0; ///< Largest allowed t(step j) - t(previous performed step), > 0.
};

/// \brief Parameters of an event funnel.
struct event_funnel_options {
  std::int64_t window = 0;                     ///< Conversion window in seconds, > 0.
  std::size_t steps = 0;                       ///< Number of funnel steps k, 1..64.
  funnel_mode mode = funnel_mode::standard;    ///< Chain rule.
  anchor_rule anchor = anchor_rule::any_start; ///< Window anchoring rule.
  /// Exclusion steps (at most 64; every mode but unordered, whose steps have no order).
  std::vector<funnel_exclusion> exclusions;
  /// Steps (1-based, 2..k) a chain may skip (every mode).
  std::vector<std::size_t> optional_steps;
  /// Per-step maximum gaps, one entry per step at most (every mode but unordered).
  std::vector<funnel_gap> max_gaps;
};

/// \brief Per-entity funnel levels and per-step counts.
struct event_funnel_result {
  std::vector<std::uint64_t> entities; ///< Distinct entities, ascending.
  std::vector<std::uint8_t> levels;    ///< levels[i]: level 0..k reached by entities[i].
  std::vector<std::uint64_t> reached;  ///< reached[j]: entities with level >= j + 1 (size k).
};

/// \brief Per-step counts of a funnel: how many entities reached at least each level.
struct funnel_step_counts {
  std::uint64_t entities = 0;         ///< Entities counted (level 0 included).
  std::vector<std::uint64_t> reached; ///< reached[j]: entities with level >= j + 1 (size k).
};

/// \brief Mergeable accumulator of funnel step counts.
///
/// Partition entities across shards (all events of one entity in one shard), run the funnel
/// per shard, update one accumulator per shard and merge: the result equals one pass.
class event_funnel_counter {
public:
  /// \brief A counter for a funnel of `steps` steps (1..64).
  /// \throws salesops::out_of_range_value when steps is 0 or above 64.
  explicit event_funnel_counter(std::size_t steps);
  /// \brief Counts one entity that reached `level` (0..k).
  /// \throws salesops::out_of_range_value when level > k.
  void update(std::size_t level);
  /// \brief Counts every entity of a funnel result.
  /// \throws salesops::length_mismatch when the result has a different number of steps.
  void update(const event_funnel_result& result);
  /// \brief Adds another shard's counts.
  /// \throws salesops::length_mismatch when the step counts differ.
  void merge(const event_funnel_counter& other);
  /// \brief The counts so far.
  funnel_step_counts result() const;

private:
  void merge_counts(const std::vector<std::uint64_t>& at_level); // same size as at_level_
  std::vector<std::uint64_t> at_level_; // entities whose level is exactly j, j = 0..k
};

/// \brief Event funnel: the level of every entity under `options`.
/// \param entity entity id per event.
/// \param timestamp seconds, >= 0.
/// \param steps bitmask per event (bit i: matches step i+1); bits at or above k are rejected.
/// \param options window, step count, mode and anchoring.
/// \returns entities ascending with their levels, and per-step counts.
/// \throws salesops::length_mismatch, salesops::empty_input, salesops::negative_value (negative
///   timestamp, window <= 0), salesops::out_of_range_value (k outside 1..64, step bit >= k).
event_funnel_result event_funnel(span<const std::uint64_t> entity,
                                 span<const std::int64_t> timestamp,
                                 span<const std::uint64_t> steps,
                                 const event_funnel_options& options);

/// \brief Event funnel into a result the caller keeps: the same as event_funnel, written into
/// `out`, whose storage is reused (reallocated only when its capacity is too small, and never
/// given back). For funnels computed again and again (per segment, per period): a large
/// returned result otherwise costs a fresh allocation, and its page faults, on every call.
/// \param out overwritten; on an exception its contents are unspecified.
/// \throws as event_funnel, and salesops::invalid_input when an input column lies in the
///   storage of `out` (such as `entity` taken from out.entities), which is overwritten while
///   the column is read.
void event_funnel(span<const std::uint64_t> entity, span<const std::int64_t> timestamp,
                  span<const std::uint64_t> steps, const event_funnel_options& options,
                  event_funnel_result& out);

/// \brief Event funnel with a hold-constant key: a chain counts only if all its events carry
/// the same `key` (the same deal or account across steps, as Mixpanel's "hold property
/// constant"). The level of an entity is the largest level over its keys.
/// \param key one value per event; the other parameters as in event_funnel.
/// \returns entities ascending with their levels, and per-step counts.
/// \throws as event_funnel, and salesops::length_mismatch when `key` has another length.
event_funnel_result event_funnel_held(span<const std::uint64_t> entity,
                                      span<const std::uint64_t> key,
                                      span<const std::int64_t> timestamp,
                                      span<const std::uint64_t> steps,
                                      const event_funnel_options& options);

/// \brief The level of one entity whose events are already in position order (time
/// non-decreasing). Building block of event_funnel, exposed for custom pipelines.
/// \throws salesops::not_sorted when timestamps decrease; see event_funnel for the others.
std::size_t entity_funnel_level(span<const std::int64_t> timestamp,
                                span<const std::uint64_t> steps,
                                const event_funnel_options& options);

/// \brief The best chain of one entity (the witness of its level) and its step times.
struct funnel_witness {
  std::size_t level = 0;                      ///< Level reached: the last performed step.
  std::vector<std::size_t> rows;              ///< Rows of the performed events, in step order.
  std::vector<std::size_t> steps;             ///< Step (1-based) each row performs: 1..level unless optional steps were skipped.
  std::vector<std::int64_t> seconds_to_next;  ///< t(rows[j+1]) - t(rows[j]) (negative possible only in unordered funnels).
};

/// \brief The witness path of one entity whose events are in position order, in every mode
/// and with every option: among the chains reaching the entity's level, the one with the latest
/// start (t(e1); unordered: its earliest event); among those, the one whose last event is
/// earliest (unordered: its latest event); among those, the smallest sequence of (row, step)
/// pairs in step order (docs/funnel.md).
/// \throws as entity_funnel_level.
funnel_witness entity_funnel_witness(span<const std::int64_t> timestamp,
                                     span<const std::uint64_t> steps,
                                     const event_funnel_options& options);

/// \brief The witness path of one entity under a hold-constant key (see event_funnel_held):
/// the best witness over the entity's keys by the rule of entity_funnel_witness (longer, then
/// later start, then earlier end); a tie between keys goes to the smaller key. Rows index the
/// entity's columns (events in position order, any keys interleaved).
/// \throws as entity_funnel_level, and salesops::length_mismatch when `key` has another length.
funnel_witness entity_funnel_witness_held(span<const std::int64_t> timestamp,
                                          span<const std::uint64_t> key,
                                          span<const std::uint64_t> steps,
                                          const event_funnel_options& options);

/// \brief One attempt of an entity: the chains whose step-1 event is at time `start`.
struct funnel_attempt {
  std::int64_t start = 0; ///< Time of the attempt's step-1 event(s).
  std::size_t level = 0;  ///< Best level of a chain with t(e1) = start (unordered: all events in [start, start + window]).
};

/// \brief Attempt counting: one attempt per distinct step-1 time of one entity (events in
/// position order), in time order. The first attempt is the first_step anchoring, the best is
/// the largest level (= the any_start level in the ordered modes), the latest is the last
/// element; every attempt is the whole vector. `options.anchor` is ignored.
/// \throws as entity_funnel_level.
std::vector<funnel_attempt> entity_funnel_attempts(span<const std::int64_t> timestamp,
                                                   span<const std::uint64_t> steps,
                                                   const event_funnel_options& options);

/// \brief Attempt counting under a hold-constant key (see event_funnel_held): one attempt per
/// distinct step-1 time of the entity (events in position order, keys interleaved), in time
/// order; its level is the best over the keys that have a step-1 event at that time.
/// \throws as entity_funnel_level, and salesops::length_mismatch when `key` has another length.
std::vector<funnel_attempt> entity_funnel_attempts_held(span<const std::int64_t> timestamp,
                                                        span<const std::uint64_t> key,
                                                        span<const std::uint64_t> steps,
                                                        const event_funnel_options& options);

/// \brief Prints "attempt{start=..., level=...}".
std::ostream& operator<<(std::ostream& out, const funnel_attempt& attempt);

/// \brief Parses "default", "strict_increase", "strict_order", "strict_deduplication",
/// "strict_once", "allow_reentry" or "unordered".
/// \throws salesops::out_of_range_value for any other name.
funnel_mode parse_funnel_mode(const std::string& name);

/// \brief The ClickHouse name of a mode ("default" for standard).
const char* to_string(funnel_mode mode) noexcept;

/// \brief Prints the mode's name.
std::ostream& operator<<(std::ostream& out, funnel_mode mode);
/// \brief Prints "any_start" or "first_step".
std::ostream& operator<<(std::ostream& out, anchor_rule anchor);
/// \brief Prints "exclusion{bit=..., from=..., to=...}".
std::ostream& operator<<(std::ostream& out, const funnel_exclusion& exclusion);
/// \brief Prints "gap{step=..., seconds=...}".
std::ostream& operator<<(std::ostream& out, const funnel_gap& gap);
/// \brief Prints window, steps, mode and anchor (and the exclusions, optional steps and gaps
/// when set).
std::ostream& operator<<(std::ostream& out, const event_funnel_options& options);
/// \brief Prints the entity count and the per-step counts.
std::ostream& operator<<(std::ostream& out, const event_funnel_result& result);
/// \brief Prints the level, the rows (and their steps when one was skipped) and the
/// step-to-step seconds.
std::ostream& operator<<(std::ostream& out, const funnel_witness& witness);
/// \brief Prints the entity count and the per-step counts.
std::ostream& operator<<(std::ostream& out, const funnel_step_counts& counts);

// ---------------------------------------------------------------------------------------
namespace detail {

inline constexpr std::int64_t no_start = std::numeric_limits<std::int64_t>::min();
inline constexpr const char* event_funnel_name = "event_funnel";


inline std::uint64_t step_mask(std::size_t k) noexcept {
  return k == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << k) - 1;
}

inline bool has_constraints(const event_funnel_options& o) noexcept {
  return !o.exclusions.empty() || !o.optional_steps.empty() || !o.max_gaps.empty();
}

// Bits an event may carry: the k step bits and the exclusion bits.
inline std::uint64_t allowed_bits(const event_funnel_options& o) noexcept {
  std::uint64_t m = step_mask(o.steps);
  for (const funnel_exclusion& x : o.exclusions) m |= std::uint64_t{1} << x.bit;
  return m;
}

inline void check_constraints(const event_funnel_options& o) {
  if (!has_constraints(o)) return;
  const std::size_t k = o.steps;
  // An unordered funnel has no order of its steps in time: no "previous step" for a gap to
  // follow and no "between steps i and j" for an exclusion.
  if (o.mode == funnel_mode::unordered && !o.exclusions.empty())
    SALESOPS_THROW(out_of_range_value, event_funnel_name, "exclusions", no_row,
                   "are set with mode unordered, whose steps have no order in time, so no event "
                   "lies 'between' two of them (use an ordered mode)");
  if (o.mode == funnel_mode::unordered && !o.max_gaps.empty())
    SALESOPS_THROW(out_of_range_value, event_funnel_name, "max_gaps", no_row,
                   "are set with mode unordered, whose steps have no order in time, so a step has "
                   "no previous step to follow within a gap (the window bounds the whole chain)");
  if (o.exclusions.size() > 64)
    SALESOPS_THROW(out_of_range_value, event_funnel_name, "exclusions", no_row, "has ",
                   o.exclusions.size(), " entries, more than 64");
  for (std::size_t r = 0; r < o.exclusions.size(); ++r) {
    const funnel_exclusion& x = o.exclusions[r];
    if (x.bit < k || x.bit > 63)
      SALESOPS_THROW(out_of_range_value, event_funnel_name, "exclusions", r, "has bit ", x.bit,
                     ", outside [", k, ", 63] (bits below k are steps)");
    if (x.from < 1 || x.from >= x.to || x.to > k)
      SALESOPS_THROW(out_of_range_value, event_funnel_name, "exclusions", r, "spans steps ", x.from,
                     "..", x.to, ": need 1 <= from < to <= ", k);
  }
  for (std::size_t r = 0; r < o.optional_steps.size(); ++r)
    if (o.optional_steps[r] < 2 || o.optional_steps[r] > k)
      SALESOPS_THROW(out_of_range_value, event_funnel_name, "optional_steps", r, "is ",
                     o.optional_steps[r], ", outside [2, ", k, "] (step 1 opens the window)");
  for (std::size_t r = 0; r < o.max_gaps.size(); ++r) {
    const funnel_gap& g = o.max_gaps[r];
    if (g.step < 2 || g.step > k)
      SALESOPS_THROW(out_of_range_value, event_funnel_name, "max_gaps", r, "is for step ", g.step,
                     ", outside [2, ", k, "]");
    if (g.seconds <= 0)
      SALESOPS_THROW(negative_value, event_funnel_name, "max_gaps", r, "must be positive (is ",
                     g.seconds, ")");
    for (std::size_t q = 0; q < r; ++q)
      if (o.max_gaps[q].step == g.step)
        SALESOPS_THROW(out_of_range_value, event_funnel_name, "max_gaps", r, "repeats step ",
                       g.step, " (also at row ", q, ")");
  }
}

inline void check_event_options(const event_funnel_options& o) {
  if (o.steps < 1 || o.steps > 64)
    SALESOPS_THROW(out_of_range_value, event_funnel_name, "steps", no_row, "is ", o.steps, ", outside [1, 64]");
  if (o.window <= 0)
    SALESOPS_THROW(negative_value, event_funnel_name, "window", no_row, "must be positive (is ", o.window, ")");
  check_constraints(o);
}

inline void check_event_row(std::int64_t t, std::uint64_t m, std::uint64_t allowed, std::size_t k,
                      std::size_t row) {
  if (t < 0) SALESOPS_THROW(negative_value, event_funnel_name, "timestamp", row, "is negative (", t, ")");
  if (m & ~allowed)
    SALESOPS_THROW(out_of_range_value, event_funnel_name, "steps", row, "is ", m, ": it sets a bit for a step above ",
                   k);
}

inline int top_bit(std::uint64_t m) noexcept { return 63 - __builtin_clzll(m); }

// t + window for t >= 0 and window > 0, saturated at the largest time (a window end past it
// admits every later time anyway).
inline std::int64_t window_end(std::int64_t t, std::int64_t window) noexcept {
  return t > std::numeric_limits<std::int64_t>::max() - window
             ? std::numeric_limits<std::int64_t>::max()
             : t + window;
}

// Kuhn's augmenting path: try to give step `s` an event of the group not needed elsewhere.
inline bool augment_step(std::size_t s, const std::vector<std::uint64_t>& masks,
                    std::vector<int>& step_of_event, std::array<int, 64>& event_of_step,
                    std::vector<char>& seen) {
  for (std::size_t e = 0; e < masks.size(); ++e) {
    if (!((masks[e] >> s) & 1U) || seen[e]) continue;
    seen[e] = 1;
    const int holder = step_of_event[e];
    if (holder < 0 ||
        augment_step(static_cast<std::size_t>(holder), masks, step_of_event, event_of_step, seen)) {
      step_of_event[e] = static_cast<int>(s);
      event_of_step[s] = static_cast<int>(e);
      return true;
    }
  }
  return false;
}

// Standard / strict_once / strict_increase: dynamic programme over time.
//
// S[j] is the latest start time t(e1) of any valid partial chain e1..ej built from the events
// already processed (no_start if none). Claim: after processing every event with time < T,
// S is exact, and the best level seen so far is the answer restricted to those events.
// Proof sketch (full version in docs/funnel.md): a chain's later events all have times >= T,
// so whether a partial chain e1..ej can be extended depends only on t(e1) (window) — never on
// which events it used, because they are all earlier than every event still to come and so
// cannot collide with them. A later start dominates an earlier one. Events at one time T form
// a group G; a chain uses a contiguous range of levels a+1..b inside G (its earlier levels
// come from before T, its later ones from after). In standard mode that range needs distinct
// events of G matching steps a+1..b: a bipartite matching, found by augmenting paths, and
// monotone (if a+1..b can be matched, so can a+1..b' for b' < b). Under strict_increase a
// chain holds at most one event of G. Every update of the group reads the values of S from
// before the group, so no event is used twice and no chain takes two steps inside one
// strict-increase group.
//
// With `chains` given, chains[j] is kept as the rows of the chain that set S[j] (S[j] changes
// only when strictly larger, so it is the first chain found with that start); the early exit
// at level k is then skipped, so the witness has the latest start.
inline std::size_t level_by_time(const std::int64_t* ts, const std::uint64_t* mask,
                                 std::size_t n, const event_funnel_options& o,
                                 std::vector<std::vector<std::size_t>>* chains = nullptr) {
  const std::size_t k = o.steps;
  const bool strict = o.mode == funnel_mode::strict_increase;
  std::array<std::int64_t, 65> S, S_new;
  std::fill(S.begin(), S.begin() + static_cast<std::ptrdiff_t>(k + 1), no_start);
  std::size_t best = 0;
  const std::size_t stop = chains ? k + 1 : k; // level that ends the scan early
  std::vector<std::vector<std::size_t>> old;
  if (chains) chains->assign(k + 1, {});
  // chains[level] = old[a] followed by `rows` (when witnesses are tracked).
  auto record = [&](std::size_t level, const std::vector<std::size_t>& prefix,
                    std::initializer_list<std::size_t> rows, const std::array<int, 64>* matched,
                    std::size_t offset) {
    if (!chains) return;
    auto& chain = (*chains)[level];
    chain = prefix;
    chain.insert(chain.end(), rows);
    if (matched)
      for (std::size_t step = chain.size(); step < level; ++step)
        chain.push_back(offset + static_cast<std::size_t>((*matched)[step]));
  };
  std::int64_t anchor = no_start; // time of the first step-1 event (first_step rule)
  std::vector<std::uint64_t> group;
  for (std::size_t i = 0; i < n;) {
    const std::int64_t T = ts[i];
    std::size_t g = i + 1;
    while (g < n && ts[g] == T) ++g;
    if (o.anchor == anchor_rule::first_step && anchor != no_start && T - anchor > o.window)
      break; // nothing later can be inside the only window
    const bool can_start = o.anchor == anchor_rule::any_start || anchor == no_start;
    // Start time available to a chain that has `a` levels before this group.
    auto start_for = [&](std::size_t a) -> std::int64_t {
      if (a == 0) return can_start ? T : no_start;
      return (S[a] != no_start && T - S[a] <= o.window) ? S[a] : no_start;
    };
    std::uint64_t any = 0;
    if (g == i + 1) {
      // One event: descending bits, so the update for step a+1 reads S[a] before this event
      // could have written it (no event serves two steps of one chain).
      any = mask[i];
      for (std::uint64_t m = mask[i]; m;) {
        const auto a = static_cast<std::size_t>(top_bit(m));
        m &= ~(std::uint64_t{1} << a);
        const std::int64_t s = start_for(a);
        if (s != no_start && s > S[a + 1]) {
          S[a + 1] = s;
          best = std::max(best, a + 1);
          if (chains) record(a + 1, (*chains)[a], {i}, nullptr, 0);
        }
      }
      if (best == stop) return k;
      if ((any & 1U) && anchor == no_start) anchor = T;
      i = g;
      continue;
    }
    std::copy(S.begin(), S.begin() + static_cast<std::ptrdiff_t>(k + 1), S_new.begin());
    if (chains) old = *chains;
    if (strict) {
      // At most one event of the group per chain: every update reads S from before the group.
      for (std::size_t e = i; e < g; ++e) {
        any |= mask[e];
        for (std::uint64_t m = mask[e]; m;) {
          const auto a = static_cast<std::size_t>(top_bit(m));
          m &= ~(std::uint64_t{1} << a);
          const std::int64_t s = start_for(a);
          if (s != no_start && s > S_new[a + 1]) {
            S_new[a + 1] = s;
            best = std::max(best, a + 1);
            if (chains) record(a + 1, old[a], {e}, nullptr, 0);
          }
        }
      }
    } else {
      group.assign(mask + i, mask + g);
      for (auto m : group) any |= m;
      std::vector<int> step_of_event(group.size(), -1);
      std::array<int, 64> event_of_step;
      event_of_step.fill(-1);
      std::vector<char> seen(group.size());
      std::size_t hi = 0; // steps [a, hi) are matched
      for (std::size_t a = 0; a < k; ++a) {
        if (a > 0 && hi >= a) { // drop step a-1 from the matching
          step_of_event[static_cast<std::size_t>(event_of_step[a - 1])] = -1;
          event_of_step[a - 1] = -1;
        }
        hi = std::max(hi, a);
        while (hi < k) {
          std::fill(seen.begin(), seen.end(), 0);
          if (!augment_step(hi, group, step_of_event, event_of_step, seen)) break;
          ++hi;
        }
        const std::int64_t s = start_for(a);
        if (s == no_start) continue;
        for (std::size_t level = a + 1; level <= hi; ++level)
          if (s > S_new[level]) {
            S_new[level] = s;
            if (chains) record(level, old[a], {}, &event_of_step, i);
          }
        best = std::max(best, hi);
      }
    }
    std::copy(S_new.begin(), S_new.begin() + static_cast<std::ptrdiff_t>(k + 1), S.begin());
    if (best == stop) return k;
    if ((any & 1U) && anchor == no_start) anchor = T;
    i = g;
  }
  return best;
}

// allow_reentry: the chain is a subsequence in position order and every event between e1 and
// ek that is not in the chain matches at least one step. Same dynamic programme as above, but
// one event at a time in position order (a chain's events are in position order, so no group
// matching is needed), and an event matching no step ends every open chain.
inline std::size_t level_reentry(const std::int64_t* ts, const std::uint64_t* mask,
                                 std::size_t n, const event_funnel_options& o) {
  std::array<std::int64_t, 65> S;
  S.fill(no_start);
  std::size_t best = 0;
  std::int64_t anchor = no_start;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t T = ts[i];
    if (mask[i] == 0) {
      S.fill(no_start);
      continue;
    }
    for (std::uint64_t m = mask[i]; m;) { // descending bits: each update reads the old S
      const auto a = static_cast<std::size_t>(top_bit(m));
      m &= ~(std::uint64_t{1} << a);
      std::int64_t s = no_start;
      if (a == 0)
        s = (o.anchor == anchor_rule::any_start || anchor == no_start || anchor == T) ? T : no_start;
      else if (S[a] != no_start && T - S[a] <= o.window)
        s = S[a];
      if (s != no_start && s > S[a + 1]) {
        S[a + 1] = s;
        best = std::max(best, a + 1);
      }
    }
    if ((mask[i] & 1U) && anchor == no_start) anchor = T;
    if (best == o.steps) break;
  }
  return best;
}

// unordered: the deepest level distinct events of `masks` reach. Level L needs step L and the
// mandatory steps below it, each matched to an event of its own (a bipartite matching, grown
// one step at a time by augmenting paths). An optional step is tried on a copy and then
// dropped, because higher levels do not need it. `matched` (if given) receives, per step, the
// index into `masks` of its event in a matching of the best level (-1: skipped).
inline std::size_t unordered_cover(const std::vector<std::uint64_t>& masks, std::size_t k,
                                   std::uint64_t optional, std::array<int, 64>* matched) {
  std::vector<int> step_of_event(masks.size(), -1);
  std::array<int, 64> event_of_step;
  event_of_step.fill(-1);
  std::vector<char> seen(masks.size());
  std::size_t best = 0;
  for (std::size_t s = 0; s < k; ++s) {
    const bool opt = ((optional >> s) & 1U) != 0;
    const std::vector<int> kept_step_of_event = opt ? step_of_event : std::vector<int>{};
    const std::array<int, 64> kept_event_of_step = event_of_step;
    std::fill(seen.begin(), seen.end(), 0);
    if (!augment_step(s, masks, step_of_event, event_of_step, seen)) {
      if (opt) continue;
      break; // a mandatory step no event can take: no higher level either
    }
    best = s + 1;
    if (matched) *matched = event_of_step;
    if (opt) {
      step_of_event = kept_step_of_event;
      event_of_step = kept_event_of_step;
    }
  }
  return best;
}

// The events with times in [lo, hi] that match a step: their masks (step bits) and rows.
inline void unordered_events(const std::int64_t* ts, const std::uint64_t* mask, std::size_t n,
                             std::uint64_t step_bits, std::int64_t lo, std::int64_t hi,
                             std::vector<std::uint64_t>& masks, std::vector<std::size_t>& rows) {
  masks.clear();
  rows.clear();
  for (std::size_t j = static_cast<std::size_t>(std::lower_bound(ts, ts + n, lo) - ts);
       j < n && ts[j] <= hi; ++j)
    if (mask[j] & step_bits) {
      masks.push_back(mask[j] & step_bits);
      rows.push_back(j);
    }
}

inline std::uint64_t optional_bits(const event_funnel_options& o) noexcept {
  std::uint64_t bits = 0;
  for (std::size_t s : o.optional_steps) bits |= std::uint64_t{1} << (s - 1);
  return bits;
}

// unordered: a chain is any set of distinct events covering the steps of its level, all inside
// one window. The earliest event of an optimal chain is at some time T, so it suffices to try
// every window [T, T + window] (only [T1, T1 + window] under first_step, T1 the first step-1
// time). O(n·w·k²) for w events per window: exact, not tuned.
inline std::size_t level_unordered(const std::int64_t* ts, const std::uint64_t* mask,
                                   std::size_t n, const event_funnel_options& o) {
  const std::size_t k = o.steps;
  const std::uint64_t step_bits = step_mask(k), optional = optional_bits(o);
  std::size_t best = 0;
  std::vector<std::uint64_t> masks;
  std::vector<std::size_t> rows;
  std::int64_t tried = no_start; // last window start tried
  for (std::size_t i = 0; i < n && best < k; ++i) {
    if (o.anchor == anchor_rule::first_step) {
      if (!(mask[i] & 1U)) continue; // the window opens at the first step-1 event only
    } else if (!(mask[i] & step_bits) || ts[i] == tried) {
      continue; // no step, or the same window as an earlier start
    }
    tried = ts[i];
    unordered_events(ts, mask, n, step_bits, ts[i], window_end(ts[i], o.window), masks, rows);
    best = std::max(best, unordered_cover(masks, k, optional, nullptr));
    if (o.anchor == anchor_rule::first_step) break;
  }
  return best;
}

// The unordered witness: the latest earliest time lo of a chain of the entity's level L (lo
// descending over the times of step events: the first window [lo, lo + window] that reaches L,
// inside [T1, T1 + window] under first_step), then the earliest latest time hi (hi ascending:
// the first [lo, hi] that reaches L). A matching of [lo, hi] reaching L has exactly these
// extreme times, else a later lo or an earlier hi would have been found first.
inline void unordered_witness(const std::int64_t* ts, const std::uint64_t* mask, std::size_t n,
                              const event_funnel_options& o, funnel_witness& w) {
  const std::size_t k = o.steps;
  const std::uint64_t step_bits = step_mask(k), optional = optional_bits(o);
  w.level = level_unordered(ts, mask, n, o);
  if (w.level == 0) return;
  std::int64_t first = no_start; // T1
  for (std::size_t i = 0; i < n && first == no_start; ++i)
    if (mask[i] & 1U) first = ts[i];
  auto latest_end = [&](std::int64_t lo) {
    return window_end(o.anchor == anchor_rule::first_step ? first : lo, o.window);
  };
  std::vector<std::uint64_t> masks;
  std::vector<std::size_t> rows;
  std::int64_t lo = no_start, tried = no_start;
  for (std::size_t i = n; i-- > 0 && lo == no_start;) {
    if (!(mask[i] & step_bits) || ts[i] == tried) continue;
    if (o.anchor == anchor_rule::first_step &&
        (ts[i] < first || ts[i] > window_end(first, o.window)))
      continue;
    tried = ts[i];
    unordered_events(ts, mask, n, step_bits, ts[i], latest_end(ts[i]), masks, rows);
    if (unordered_cover(masks, k, optional, nullptr) == w.level) lo = ts[i];
  }
  std::array<int, 64> matched;
  matched.fill(-1);
  for (std::size_t j = static_cast<std::size_t>(std::lower_bound(ts, ts + n, lo) - ts); j < n; ++j) {
    if (j + 1 < n && ts[j + 1] == ts[j]) continue; // the whole group at ts[j] first
    unordered_events(ts, mask, n, step_bits, lo, ts[j], masks, rows);
    if (unordered_cover(masks, k, optional, &matched) == w.level) break;
  }
  for (std::size_t s = 0; s < w.level; ++s)
    if (matched[s] >= 0) {
      w.rows.push_back(rows[static_cast<std::size_t>(matched[s])]);
      w.steps.push_back(s + 1);
    }
}

// Exclusions, optional steps and maximum gaps in the ordered modes, and the witness paths of
// every ordered mode that the plain programmes above do not track.
// With these options a partial chain is no longer summarised by its start alone: the time of
// its last event matters for the next gap, and each open exclusion needs the time of the
// chain's last step <= `from` (its anchor) and whether an exclusion event has occurred since
// (dirty); under strict_deduplication also the first step it may no longer reach (cap: an
// event outside the chain matched it). So the programme keeps, per level p (= last performed
// step), the Pareto set of partial chains over (start, last, anchors, cap: larger is better;
// dirty bits: fewer is better). Claim and proof as for level_by_time (docs/funnel.md):
// extension depends only on that summary, and a summary that is at least as good in every
// coordinate extends wherever the other does. Events are processed in groups of equal time T.
// In the time modes every chain through the group is a state from before T followed by
// distinct events of the group (at most one under strict_increase), enumerated by depth-first
// search; in the sequence modes the group's events are taken one at a time in position order
// (a chain's events are in position order), and an event a state does not take lies inside
// it: strict_order then ends the state, allow_reentry ends it when the event matches no step,
// strict_deduplication ends it when the event matches one of its steps 2..p and caps it below
// a later step the event matches. After the group, its exclusion events mark the states whose
// anchor is earlier than T as dirty ("strictly between": an exclusion event at the time of the
// closing step does not break the chain, one at a later time does). A dirty exclusion is cured
// by performing another step <= from (a new, later anchor); past `from` a dirty chain may
// still reach the levels below `to`, but can never close the exclusion.
// Witness: states then also carry their rows; the witness is the first chain created with the
// largest level and, among those, the latest start. Creation follows time order and some kept
// state dominates every prefix, so that chain has the latest start and, among chains with that
// start, the earliest last event (docs/funnel.md).
// Cost: O(events x states per level); the search inside a group is exponential in the number
// of same-time events of one entity with distinct masks in the worst case (fine for the usual
// few; identical events are tried once).
struct partial_chain {
  std::int64_t start = 0;            // t(e1)
  std::int64_t last = 0;             // time of the last performed step
  std::uint64_t dirty = 0;           // bit e: an exclusion-e event in (anchor[e], now]
  std::size_t cap = 65;              // strict_deduplication: levels >= cap are out of reach
  std::vector<std::int64_t> anchor;  // per exclusion: time of the last performed step <= from
  std::vector<std::size_t> rows;     // witness only: rows of the performed events
  std::vector<std::size_t> steps;    // witness only: the step (1-based) each row performs
  std::size_t forced_left = 0;       // forced prefix (canonical witness): pairs still to follow
};

inline bool dominates(const partial_chain& a, const partial_chain& b) noexcept {
  if (a.start < b.start || a.last < b.last || a.cap < b.cap || (a.dirty & ~b.dirty) != 0)
    return false;
  // A chain still bound to a forced prefix can do only what the prefix says next.
  if (a.forced_left != 0 && a.forced_left != b.forced_left) return false;
  for (std::size_t e = 0; e < a.anchor.size(); ++e)
    if (a.anchor[e] < b.anchor[e]) return false;
  return true;
}

// Keeps the earlier of two equal summaries, so a witness is the first chain found.
inline void insert_pareto(std::vector<partial_chain>& set, partial_chain c) {
  for (const partial_chain& s : set)
    if (dominates(s, c)) return;
  set.erase(std::remove_if(set.begin(), set.end(),
                           [&](const partial_chain& s) { return dominates(c, s); }),
            set.end());
  set.push_back(std::move(c));
}

// The witness rule while chains are created in time order: a longer chain, or as long with a
// strictly later start.
struct witness_tracker {
  std::size_t level = 0;
  std::int64_t start = 0;
  std::vector<std::size_t> rows, steps;
  void offer(std::size_t q, const partial_chain& c) {
    if (q < level || (q == level && c.start <= start)) return;
    level = q;
    start = c.start;
    rows = c.rows;
    steps = c.steps;
  }
};

// A chain's first performed (step, row) pairs, imposed (canonical witness search).
using forced_prefix = std::vector<std::pair<std::size_t, std::size_t>>;

// The options' rules on one chain: opening, extending by one step, exclusion marks.
struct chain_rules {
  const event_funnel_options& o;
  bool track = false;        // keep rows (witness)
  std::uint64_t optional = 0; // bit s: step s + 1 optional
  std::array<std::int64_t, 65> gap{};
  const forced_prefix* forced = nullptr; // chains must begin with these pairs

  chain_rules(const event_funnel_options& options, bool track_rows,
              const forced_prefix* prefix = nullptr)
      : o(options), track(track_rows), forced(prefix && !prefix->empty() ? prefix : nullptr) {
    for (std::size_t s : o.optional_steps) optional |= std::uint64_t{1} << (s - 1);
    gap.fill(std::numeric_limits<std::int64_t>::max());
    for (const funnel_gap& g : o.max_gaps) gap[g.step] = g.seconds;
  }
  bool is_optional(std::size_t q) const noexcept { return ((optional >> (q - 1)) & 1U) != 0; }

  bool may_open(std::size_t row) const {
    return !forced || (*forced)[0] == std::make_pair(std::size_t{1}, row);
  }
  partial_chain open(std::int64_t T, std::size_t row) const {
    partial_chain c;
    c.start = c.last = T;
    if (forced) c.forced_left = forced->size() - 1;
    c.anchor.assign(o.exclusions.size(), T);
    if (track) {
      c.rows.push_back(row);
      c.steps.push_back(1);
    }
    return c;
  }

  // The chain `c` at level p extended by step q, performed by `row` at time T, or false.
  bool extend(const partial_chain& c, std::size_t p, std::size_t q, std::int64_t T,
              std::size_t row, partial_chain& out) const {
    if (q >= c.cap || T - c.start > o.window || T - c.last > gap[q]) return false;
    if (c.forced_left && (*forced)[forced->size() - c.forced_left] != std::make_pair(q, row))
      return false;
    out = c;
    out.last = T;
    out.forced_left = c.forced_left ? c.forced_left - 1 : 0;
    for (std::size_t e = 0; e < o.exclusions.size(); ++e) {
      const funnel_exclusion& x = o.exclusions[e];
      if (p >= x.to) continue; // closed before
      const std::uint64_t bit = std::uint64_t{1} << e;
      if (q <= x.from) {
        out.anchor[e] = T; // re-anchored: earlier exclusion events no longer lie between
        out.dirty &= ~bit;
      } else if (q >= x.to) {
        if (c.dirty & bit) return false; // an exclusion event lies between anchor and close
        out.anchor[e] = 0;               // closed: no longer matters (canonical, for dominance)
        out.dirty &= ~bit;
      } // else: past `from`, not closed: the anchor stays, and so does a dirty bit (the chain
        // may still reach the levels below `to`, never `to` itself)
    }
    if (track) {
      out.rows.push_back(row);
      out.steps.push_back(q);
    }
    return true;
  }

  // Exclusion events at T (`any`: the group's bits): every open exclusion anchored before T
  // gets dirty.
  void mark_exclusions(std::vector<std::vector<partial_chain>>& states, std::uint64_t any,
                       std::int64_t T) const {
    for (std::size_t e = 0; e < o.exclusions.size(); ++e) {
      const funnel_exclusion& x = o.exclusions[e];
      if (!((any >> x.bit) & 1U)) continue;
      for (std::size_t p = 1; p < x.to; ++p)
        for (partial_chain& c : states[p])
          if (c.anchor[e] < T) c.dirty |= std::uint64_t{1} << e;
    }
  }

  void drop_expired(std::vector<std::vector<partial_chain>>& states, std::int64_t T) const {
    for (auto& set : states)
      set.erase(std::remove_if(set.begin(), set.end(),
                               [&](const partial_chain& c) { return T - c.start > o.window; }),
                set.end());
  }
};

// One run of the Pareto programme: per level the kept states and those created by the
// current group (default modes) or event (sequence modes), merged into them afterwards so that
// no event serves twice; the best level and the witness so far.
struct pareto_run {
  std::vector<std::vector<partial_chain>> states, fresh;
  std::size_t best = 0;
  witness_tracker* witness = nullptr;
  std::int64_t anchor_time = no_start; // first step-1 time (first_step rule)

  pareto_run(std::size_t k, witness_tracker* w) : states(k + 1), fresh(k + 1), witness(w) {}
  void created(std::size_t q, partial_chain c) {
    best = std::max(best, q);
    if (witness) witness->offer(q, c);
    insert_pareto(fresh[q], std::move(c));
  }
  void merge_fresh() {
    for (std::size_t p = 1; p < states.size(); ++p) {
      for (partial_chain& c : fresh[p]) insert_pareto(states[p], std::move(c));
      fresh[p].clear();
    }
  }
  // Whether the scan may go on to a group at time T: a witness needs the latest start, so it
  // does not stop at level k; under first_step nothing after the only window counts.
  bool goes_on(std::int64_t T, const event_funnel_options& o) const {
    if (!witness && best == o.steps) return false;
    return o.anchor == anchor_rule::any_start || anchor_time == no_start || T - anchor_time <= o.window;
  }
  bool can_open(const event_funnel_options& o) const {
    return o.anchor == anchor_rule::any_start || anchor_time == no_start;
  }
  // After the group at T with the union `any` of its masks.
  void end_group(const chain_rules& rules, std::uint64_t any, std::int64_t T) {
    rules.mark_exclusions(states, any, T);
    if ((any & 1U) && anchor_time == no_start) anchor_time = T;
  }
};

// Modes default, strict_once and strict_increase with options (groups of equal time).
inline std::size_t level_constrained(const std::int64_t* ts, const std::uint64_t* mask,
                                     std::size_t n, const event_funnel_options& o,
                                     witness_tracker* witness = nullptr,
                                     const forced_prefix* forced = nullptr) {
  const std::size_t k = o.steps;
  const bool strict = o.mode == funnel_mode::strict_increase;
  const chain_rules rules(o, witness != nullptr, forced);
  pareto_run run(k, witness); // states[p]: chains whose last performed step is p
  std::vector<char> used;
  for (std::size_t i = 0, g = 0; i < n; i = g) {
    const std::int64_t T = ts[i];
    for (g = i + 1; g < n && ts[g] == T;) ++g;
    if (!run.goes_on(T, o)) break;
    used.assign(g - i, 0);
    // Events of the group with equal masks are interchangeable: the search tries only the first
    // unused one, which removes the factorial blow-up of many identical same-second events.
    auto same_unused_before = [&](std::size_t e) {
      for (std::size_t f = i; f < e; ++f)
        if (!used[f - i] && mask[f] == mask[e]) return true;
      return false;
    };
    // Depth-first search of chains continuing `c` (level p) with distinct events of the group.
    auto search = [&](auto& self, const partial_chain& c, std::size_t p) -> void {
      // Next step: p+1, or beyond it while the steps in between are optional.
      for (std::size_t q = p + 1; q <= k; ++q) {
        for (std::size_t e = i; e < g; ++e) {
          if (used[e - i] || !((mask[e] >> (q - 1)) & 1U)) continue;
          if (c.forced_left == 0 && same_unused_before(e)) continue; // a forced row is not interchangeable
          partial_chain next;
          if (!rules.extend(c, p, q, T, e, next)) continue;
          if (!strict) {
            used[e - i] = 1;
            self(self, next, q);
            used[e - i] = 0;
          }
          run.created(q, std::move(next));
        }
        if (!rules.is_optional(q)) break;
      }
    };
    std::uint64_t any = 0;
    for (std::size_t e = i; e < g; ++e) any |= mask[e];
    rules.drop_expired(run.states, T);
    for (std::size_t p = 1; p <= k; ++p)
      for (const partial_chain& c : run.states[p]) search(search, c, p);
    if (run.can_open(o))
      for (std::size_t e = i; e < g; ++e) {
        if (!(mask[e] & 1U) || (!forced && same_unused_before(e)) || !rules.may_open(e)) continue;
        partial_chain opened = rules.open(T, e);
        if (!strict) {
          used[e - i] = 1;
          search(search, opened, 1);
          used[e - i] = 0;
        }
        run.created(1, std::move(opened));
      }
    run.merge_fresh();
    run.end_group(rules, any, T);
  }
  return run.best;
}

// Modes strict_order, strict_deduplication and allow_reentry with options, and their
// witnesses: events one at a time in position order, exclusion marks per group of equal time.
inline std::size_t level_constrained_sequence(const std::int64_t* ts, const std::uint64_t* mask,
                                              std::size_t n, const event_funnel_options& o,
                                              witness_tracker* witness = nullptr,
                                              const forced_prefix* forced = nullptr) {
  const std::size_t k = o.steps;
  const std::uint64_t step_bits = step_mask(k);
  const chain_rules rules(o, witness != nullptr, forced);
  pareto_run run(k, witness);
  for (std::size_t i = 0, g = 0; i < n; i = g) {
    const std::int64_t T = ts[i];
    for (g = i + 1; g < n && ts[g] == T;) ++g;
    if (!run.goes_on(T, o)) break;
    // Under first_step every step-1 event at the first step-1 time may open a chain.
    const bool can_open = run.can_open(o);
    rules.drop_expired(run.states, T);
    std::uint64_t any = 0;
    for (std::size_t e = i; e < g; ++e) {
      const std::uint64_t m = mask[e];
      any |= m;
      // Chains that take e as their next performed step.
      for (std::size_t p = 1; p <= k; ++p)
        for (const partial_chain& c : run.states[p])
          for (std::size_t q = p + 1; q <= k; ++q) {
            partial_chain next;
            if (((m >> (q - 1)) & 1U) && rules.extend(c, p, q, T, e, next)) run.created(q, std::move(next));
            if (!rules.is_optional(q)) break;
          }
      if ((m & 1U) && can_open && rules.may_open(e)) run.created(1, rules.open(T, e));
      // Chains that do not take e: it now lies inside them.
      for (std::size_t p = 1; p <= k; ++p) {
        auto& set = run.states[p];
        if (o.mode == funnel_mode::strict_order ||
            (o.mode == funnel_mode::allow_reentry && (m & step_bits) == 0)) {
          set.clear();
        } else if (o.mode == funnel_mode::strict_deduplication) {
          if (m & step_mask(p) & ~std::uint64_t{1}) { // repeats one of steps 2..p
            set.clear();
            continue;
          }
          const std::uint64_t later = m & step_bits & ~step_mask(p);
          if (later) {
            const auto cap = static_cast<std::size_t>(__builtin_ctzll(later)) + 1;
            for (partial_chain& c : set) c.cap = std::min(c.cap, cap);
          }
        }
      }
      run.merge_fresh();
    }
    run.end_group(rules, any, T);
  }
  return run.best;
}

// The canonical witness: among the chains of level L with the witness's start s and end b (the
// latest start and, with it, the earliest end), the smallest in the order of their (row, step)
// pairs in step order, found pair by pair: the next pair is the smallest one with which some such
// chain still exists. Ordered modes: that test is the Pareto programme on the events up to time
// b with the pairs so far imposed (a chain of level L with start s there ends at b, since b is
// the earliest end). Unordered: the pairs so far fixed, the remaining required steps (the
// mandatory ones below L, and L) must be matched by other events of [s, b].
inline bool chain_with_prefix_exists(const std::int64_t* ts, const std::uint64_t* mask,
                                     std::size_t n, const event_funnel_options& o, std::size_t L,
                                     std::int64_t s, std::int64_t b, const forced_prefix& prefix) {
  if (o.mode == funnel_mode::unordered) {
    const std::uint64_t step_bits = step_mask(o.steps), optional = optional_bits(o);
    std::vector<std::uint64_t> masks;
    std::vector<std::size_t> rows;
    unordered_events(ts, mask, n, step_bits, s, b, masks, rows);
    for (std::size_t e = 0; e < rows.size(); ++e)
      for (const auto& pr : prefix)
        if (pr.second == rows[e]) masks[e] = 0; // taken by the prefix
    std::vector<int> step_of_event(masks.size(), -1);
    std::array<int, 64> event_of_step;
    event_of_step.fill(-1);
    std::vector<char> seen(masks.size());
    for (std::size_t q = prefix.back().first + 1; q <= L; ++q) {
      if (q < L && ((optional >> (q - 1)) & 1U)) continue;
      std::fill(seen.begin(), seen.end(), 0);
      if (!augment_step(q - 1, masks, step_of_event, event_of_step, seen)) return false;
    }
    return true;
  }
  const std::size_t end = static_cast<std::size_t>(std::upper_bound(ts, ts + n, b) - ts);
  witness_tracker tracker;
  const bool by_time = o.mode == funnel_mode::standard || o.mode == funnel_mode::strict_once ||
                       o.mode == funnel_mode::strict_increase;
  if (by_time)
    level_constrained(ts, mask, end, o, &tracker, &prefix);
  else
    level_constrained_sequence(ts, mask, end, o, &tracker, &prefix);
  return tracker.level == L && tracker.start == s;
}

inline void canonical_witness(const std::int64_t* ts, const std::uint64_t* mask, std::size_t n,
                              const event_funnel_options& o, funnel_witness& w) {
  const std::size_t L = w.level;
  if (L == 0) return;
  std::int64_t s = ts[w.rows.front()], b = s;
  for (std::size_t r : w.rows) {
    s = std::min(s, ts[r]);
    b = std::max(b, ts[r]);
  }
  const std::uint64_t optional = optional_bits(o);
  forced_prefix prefix;
  while (prefix.empty() || prefix.back().first < L) {
    const std::size_t after = prefix.empty() ? 0 : prefix.back().first;
    bool found = false;
    for (std::size_t r = 0; r < n && !found && ts[r] <= b; ++r) {
      if (ts[r] < s) continue;
      bool taken = false;
      for (const auto& pr : prefix) taken |= pr.second == r;
      if (taken) continue;
      // The next performed step: after+1, or beyond it over optional steps (step 1 never).
      for (std::size_t q = after + 1; q <= L && !found; ++q) {
        if ((mask[r] >> (q - 1)) & 1U) {
          prefix.emplace_back(q, r);
          found = chain_with_prefix_exists(ts, mask, n, o, L, s, b, prefix);
          if (!found) prefix.pop_back();
        }
        if (q == 1 || !((optional >> (q - 1)) & 1U)) break;
      }
    }
    if (!found) return; // cannot happen (the witness itself is such a chain); keep it
  }
  w.rows.clear();
  w.steps.clear();
  for (const auto& pr : prefix) {
    w.steps.push_back(pr.first);
    w.rows.push_back(pr.second);
  }
}

// strict_order and strict_deduplication: from every admissible start the chain is forced
// (see docs/funnel.md), so scan forward from each step-1 event.
inline std::size_t level_by_scan(const std::int64_t* ts, const std::uint64_t* mask,
                                 std::size_t n, const event_funnel_options& o) {
  const std::size_t k = o.steps;
  std::size_t best = 0;
  std::int64_t anchor = no_start;
  for (std::size_t p = 0; p < n && best < k; ++p) {
    if (!(mask[p] & 1U)) continue;
    if (anchor == no_start) anchor = ts[p];
    if (o.anchor == anchor_rule::first_step && ts[p] != anchor) break;
    std::size_t level = 1;
    if (o.mode == funnel_mode::strict_order) {
      // Consecutive events: e_{j+1} is the event right after e_j.
      for (std::size_t q = p + 1; q < n && level < k && ((mask[q] >> level) & 1U) &&
                                  ts[q] - ts[p] <= o.window;
           ++q)
        ++level;
    } else {
      // strict_deduplication: e_{j+1} must be the first event after e_j matching step j+1
      // (an earlier one would be a repeat inside the chain). A skipped event matching an
      // already reached step 2..level freezes the chain; one matching a later step s caps
      // the chain below s.
      std::size_t cap = k;
      for (std::size_t q = p + 1; q < n && level < cap && ts[q] - ts[p] <= o.window; ++q) {
        const std::uint64_t m = mask[q];
        if ((m >> level) & 1U) {
          ++level;
          continue;
        }
        const std::uint64_t reached = step_mask(level) & ~std::uint64_t{1};
        if (m & reached) break;
        const std::uint64_t later = m & ~step_mask(level + 1);
        if (later) cap = std::min(cap, static_cast<std::size_t>(__builtin_ctzll(later)));
      }
    }
    best = std::max(best, level);
  }
  return best;
}

inline std::size_t level_of(const std::int64_t* ts, const std::uint64_t* mask, std::size_t n,
                            const event_funnel_options& o) {
  if (has_constraints(o)) {
    switch (o.mode) {
    case funnel_mode::standard:
    case funnel_mode::strict_once:
    case funnel_mode::strict_increase:
      return level_constrained(ts, mask, n, o);
    case funnel_mode::unordered: // optional steps only (check_constraints)
      return level_unordered(ts, mask, n, o);
    default:
      return level_constrained_sequence(ts, mask, n, o);
    }
  }
  switch (o.mode) {
  case funnel_mode::standard:
  case funnel_mode::strict_once:
  case funnel_mode::strict_increase:
    return level_by_time(ts, mask, n, o);
  case funnel_mode::allow_reentry:
    return level_reentry(ts, mask, n, o);
  case funnel_mode::strict_order:
  case funnel_mode::strict_deduplication:
    return level_by_scan(ts, mask, n, o);
  case funnel_mode::unordered:
    return level_unordered(ts, mask, n, o);
  }
  return 0;
}

// Outcome of the streaming pass over input assumed sorted by (entity, timestamp).
enum class sorted_pass {
  done,     // every level computed
  unsorted, // a row out of order: the caller sorts a copy
  general   // the pass cannot decide (a bad row, k > 62, shifted times overflowing 64 bits):
            // the caller runs the per-entity loop, which validates and computes every case
};

// The hot path of the time-ordered modes (standard, strict_once, strict_increase) without
// options (with AVX2 and k <= 8, the AVX2 pass below runs instead and this one finishes its
// lanes): the same dynamic programme as level_by_time for entities whose step-matching events
// have distinct timestamps (every group is one event), streamed over all entities.
//
// S[j] (j = 1..k) is the latest start of a partial chain of length j; S[0] is the start an
// event at time T may open (T, or none under first_step once the entity has a step-1 chain).
// An event matching step a+1 sets S[a+1] = S[a] when S[a] >= T - window. That is exactly the
// update of level_by_time, which takes max(S[a+1], S[a]): S is non-increasing in j (a chain's
// prefix has the same start), so S[a] >= S[a+1] whenever S[a] is set.
//
// No reset between entities: times are shifted per entity, T' = T + shift, so that the first
// event of an entity lands one second after the last event of the entity before (and the very
// first at window + 1, so T' - window >= 1 and "none" can be 0). T' then never decreases over
// the whole input and every start left in S by an earlier entity is below the entity's first
// shifted time F. Such a stale start never counts: the level of an entity is the number of j
// in 1..k with S[j] >= F, counted once when the entity ends; and it never displaces a start of
// the entity (copying a stale S[a] into S[a+1] requires S[a+1] <= S[a] < F, so S[a+1] was stale
// too). So the values >= F evolve exactly as the programme on the entity alone. The shifted
// times are unsigned and cannot wrap around 2^64 while every entity starts at F <= 2^63; an
// entity that would start later (windows or time spans summing past 2^63) makes the pass give
// up (general). The order check is the sign of T' minus the time before.
//
// Per event, the common case (the mask is 0 or one bit, a time later than the event before)
// costs one branch that is not taken, a count-trailing-zeros (mask 0 maps to slot 63, never a
// level and always 0, hence k <= 62), two loads, a compare, a select and two stores. Masks with
// several bits and events at the time of the event before take a rare branch: the general
// update in descending order of steps (so each update reads S from before the event), and an
// entity with a step-matching event at the same time as the event before (the only way two
// step-matching events can share a time in sorted input) is recomputed afterwards by
// level_by_time, which handles groups. Negative times and mask bits above k are OR-ed into
// two words tested after the loop (the general loop then throws, naming the first bad row).
// funnel_sorted_by_time_blocks runs it block by block into a scratch buffer that stays in cache.
//
// Why this shape, from the measurements in docs/benchmarks.md ("Event funnel", where every
// variant tried is listed): the loop is bound by its instruction count and by the
// entity-boundary branch (mispredicted about once per entity), not by the store-to-load chain
// through S, so independent input streams, branch-free updates and output grown on demand were
// all no faster; the unrolled level count was (about 10 %). Floors (bench_event_funnel
// BM_floor_*): about 1.5 ns/event to read the three columns, about 5 for a loop that only finds
// the entity boundaries. Where the processor has AVX2 and k <= 8, the vector loop of
// funnel_sorted_by_time_blocks (below) runs instead, in about half the time, and this pass
// finishes each of its lanes.

// An entity (its output slot) with step-matching events at one time: recomputed afterwards.
struct tied_entity {
  std::size_t slot, row;
};

// The pass itself over rows [0, n), n >= 1, k <= 62, writing one level per entity into
// out_entity/out_level (room for one per row at most: the caller's) and the number of entities
// into `entities` when done; kept apart from the allocation and the tie repair so that the
// compiler keeps its state in registers.
template <bool AnyStart>
sorted_pass funnel_sorted_by_time_pass(const std::uint64_t* ent, const std::int64_t* ts,
                                       const std::uint64_t* mask, std::size_t n,
                                       const event_funnel_options& o, std::uint64_t* out_entity,
                                       std::uint8_t* out_level, std::vector<tied_entity>& ties,
                                       std::size_t& entities) {
  const std::size_t k = o.steps;
  constexpr std::uint64_t none_bit = std::uint64_t{1} << 63; // mask 0 -> slot 63: always 0
  // An entity whose first shifted time is at most 2^63 keeps every later one below 2^64 (its
  // times differ from the first by less than 2^63), so shifted times never wrap.
  constexpr std::uint64_t half = std::uint64_t{1} << 63;
  const auto window = static_cast<std::uint64_t>(o.window);
  std::uint64_t S[65] = {}; // 0 = no chain
  std::size_t slot = 0;     // output row of the current entity
  std::uint64_t current = ent[0];
  std::uint64_t previous = window;    // shifted time of the event before
  std::uint64_t first = previous + 1; // shifted time of the current entity's first event
  std::uint64_t shift = first - static_cast<std::uint64_t>(ts[0]);
  std::uint64_t seen_times = 0, seen_masks = 0;
  auto level_now = [&S, &first, k] {
    std::size_t level = 0;
    switch (k) { // unrolled up to 8 steps: a loop costs more than the compares (12-15 %)
    default:
      for (std::size_t j = 9; j <= k; ++j) level += S[j] >= first;
      [[fallthrough]];
    case 8: level += S[8] >= first; [[fallthrough]];
    case 7: level += S[7] >= first; [[fallthrough]];
    case 6: level += S[6] >= first; [[fallthrough]];
    case 5: level += S[5] >= first; [[fallthrough]];
    case 4: level += S[4] >= first; [[fallthrough]];
    case 3: level += S[3] >= first; [[fallthrough]];
    case 2: level += S[2] >= first; [[fallthrough]];
    case 1: level += S[1] >= first;
    }
    return static_cast<std::uint8_t>(level);
  };
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t e = ent[i];
    const auto T = static_cast<std::uint64_t>(ts[i]);
    const std::uint64_t m = mask[i];
    seen_times |= T;
    seen_masks |= m;
    if (e != current) {
      if (e < current) return sorted_pass::unsorted;
      if (previous > half) return sorted_pass::general; // the entity's times might wrap around
      out_entity[slot] = current;
      out_level[slot] = level_now();
      ++slot;
      current = e;
      first = previous + 1;
      shift = first - T;
    }
    const std::uint64_t t = T + shift;
    const std::uint64_t lowest = t - window;
    // t - previous is T minus the time before (within the entity) or 1 (a new entity), modulo
    // 2^64: at or above 2^63 it is negative, which tells the order even where t itself wrapped
    // (a time below the entity's first). `step - 1 >= half - 1`: step is 0 or negative.
    const std::uint64_t step = t - previous;
    if (__builtin_expect((m & (m - 1)) != 0, 0) || __builtin_expect(step - 1 >= half - 1, 0)) {
      if (step >= half) return sorted_pass::unsorted; // (or a negative time: the caller throws)
      if (step == 0 && m != 0 && (ties.empty() || ties.back().slot != slot))
        ties.push_back({slot, i});
      previous = t;
      if constexpr (AnyStart) S[0] = t;
      else S[0] = S[1] < first ? t : 0;
      for (std::uint64_t rest = m; rest;) { // descending: each update reads S from before
        const auto a = static_cast<std::size_t>(top_bit(rest));
        rest &= ~(std::uint64_t{1} << a);
        if (S[a] >= lowest) S[a + 1] = S[a];
      }
      continue;
    }
    previous = t;
    if constexpr (AnyStart) S[0] = t;
    else S[0] = S[1] < first ? t : 0; // first_step: only before the entity's first step-1 event
    const auto a = static_cast<unsigned>(__builtin_ctzll(m | none_bit));
    const std::uint64_t s = S[a], old = S[a + 1];
    S[a + 1] = s >= lowest ? s : old; // an unconditional store: the compiler keeps it branch-free
  }
  out_entity[slot] = current;
  out_level[slot] = level_now();
  if ((seen_times >> 63) != 0 || (seen_masks & ~step_mask(k)) != 0) return sorted_pass::general;
  entities = slot + 1;
  return sorted_pass::done;
}

// Which implementation of the pre-sorted pass runs: the choice of the library (the AVX2 pass
// below where the compiler can build it and the processor runs it), or one of them forced, so
// that the tests run both on the same inputs.
enum class sorted_path { automatic, scalar, avx2 };

// Most rows per segment (per lane of the AVX2 pass) in one block of
// funnel_sorted_by_time_blocks: a block's output, at most one entity per row, then fits in a
// 256 KB scratch buffer that stays in the L2 cache. Not a power of two: lanes that far apart write
// to the same cache sets, which was slower than no blocks at all (docs/benchmarks.md, "Event
// funnel").
inline constexpr std::size_t sorted_block_rows = 6000;

// The AVX2 pass: the same programme with four entity streams side by side, one per 64-bit lane.
// Each block of funnel_sorted_by_time_blocks is split at entity boundaries into four segments
// of about equal length (at most sorted_block_rows rows); each iteration advances every lane by
// one event. S[1..k] are k vectors, every level is updated in every lane (descending, so each
// update reads S from before the event): lane l copies S[j-1] into S[j] when bit j-1 of its
// event's mask is set and S[j-1] >= t - window; a mask with several bits needs no branch. There
// is no shift of times between entities: an entity boundary ORs the sign bit into every S[j] of
// its lane, so a start is valid exactly when its sign bit is clear (times are >= 0). The valid
// starts are a prefix S[1..level] (a chain's prefix is a chain), so an invalid start is only
// ever copied into a level that is invalid already: whether it passes the window test does not
// matter, and the window needs no bound. The level is k minus the number of invalid starts,
// counted from the sign masks (vmovmskpd) as one byte per lane through a 16-entry table.
//
// AVX2 has no scatter: every lane writes the level and the entity it is in to the output slot
// of that entity on every event, and the slot advances at a boundary, so the last write, made
// by the entity's last event, is the one that stays. An entity with a step-matching event at
// the time of the event before (or a time below it: rows out of order) gets 0x80 in its level
// and goes to the same repair as the scalar pass's ties, which also tests its order; the test
// is m > (T - T before) << k, exact while times are below 2^55 (larger times, like bad rows,
// make the pass give up: general). Each lane's last entity, and the rows the vector loop leaves
// when the segments differ in length, are finished by the scalar pass. Events are loaded two
// per lane (two 128-bit loads per column and lane pair, then unpack): gathers are slow on the
// processor this was measured on. The loop is bound by vector micro-ops (two per 256-bit
// operation on that Zen 1 processor), hence the level counts and slots in scalar registers.
// Figures and the variants tried: docs/benchmarks.md, "Event funnel".
#if SALESOPS_FUNNEL_AVX2_PASS
inline constexpr std::size_t avx2_max_steps = 8; // S[1..k] and constants stay in 16 registers

// Byte l = 1 for each set bit l of a 4-lane sign mask: adding these counts per lane in bytes.
alignas(64) inline constexpr std::uint32_t lane_bytes[16] = {
    0x00000000, 0x00000001, 0x00000100, 0x00000101, 0x00010000, 0x00010001, 0x00010100, 0x00010101,
    0x01000000, 0x01000001, 0x01000100, 0x01000101, 0x01010000, 0x01010001, 0x01010100, 0x01010101};

// The state of the four lanes at the end of the vector loop.
struct lanes_end {
  std::size_t slot[4] = {}; // output slot of each lane's current entity
  std::uint64_t times = 0;  // OR of every timestamp seen (checked against 2^55)
  std::uint64_t masks = 0;  // OR of every step mask seen (checked against the k bits)
};

#define SALESOPS_FUNNEL_AVX2_INLINE __attribute__((target("avx2"), always_inline)) inline

SALESOPS_FUNNEL_AVX2_INLINE unsigned lane_signs(__m256i v) {
  return static_cast<unsigned>(_mm256_movemask_pd(_mm256_castsi256_pd(v)));
}

SALESOPS_FUNNEL_AVX2_INLINE __m256i lane_select(__m256i a, __m256i b, __m256i sign_mask) {
  return _mm256_castpd_si256(
      _mm256_blendv_pd(_mm256_castsi256_pd(a), _mm256_castsi256_pd(b), _mm256_castsi256_pd(sign_mask)));
}

// Two 128-bit loads into the halves of one vector.
SALESOPS_FUNNEL_AVX2_INLINE __m256i load_halves(const void* low, const void* high) {
  return _mm256_inserti128_si256(
      _mm256_castsi128_si256(_mm_loadu_si128(static_cast<const __m128i*>(low))),
      _mm_loadu_si128(static_cast<const __m128i*>(high)), 1);
}

template <std::size_t K>
struct lanes_state {
  __m256i S[K + 1]; // S[0] unused: any_start opens at t, first_step tests S[1]
  __m256i entity, previous_time, tied, times, masks;
  std::size_t slot[4];
};

// One event per lane: e, T, m hold lane l's event in element l.
template <std::size_t K, bool AnyStart>
SALESOPS_FUNNEL_AVX2_INLINE void lanes_event(lanes_state<K>& L, __m256i e, __m256i T, __m256i m,
                                             __m256i window, std::uint64_t* out_entity,
                                             std::uint8_t* out_level) {
  const __m256i sign = _mm256_set1_epi64x(std::numeric_limits<std::int64_t>::min());
  const __m256i same = _mm256_cmpeq_epi64(e, L.entity);
  // The level of each lane's entity before this event, one byte per lane, written to the
  // entity's slot (overwritten until its last event).
  std::uint32_t invalid = 0;
  for (std::size_t j = 1; j <= K; ++j) invalid += lane_bytes[lane_signs(L.S[j])];
  const std::uint32_t levels = (0x01010101U * static_cast<std::uint32_t>(K) - invalid) |
                               (lane_bytes[lane_signs(L.tied)] << 7);
  const __m128i low = _mm256_castsi256_si128(L.entity), high = _mm256_extracti128_si256(L.entity, 1);
  for (std::size_t l = 0; l < 4; ++l) out_level[L.slot[l]] = static_cast<std::uint8_t>(levels >> (8 * l));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out_entity + L.slot[0]), low);
  _mm_storeh_pd(reinterpret_cast<double*>(out_entity + L.slot[1]), _mm_castsi128_pd(low));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out_entity + L.slot[2]), high);
  _mm_storeh_pd(reinterpret_cast<double*>(out_entity + L.slot[3]), _mm_castsi128_pd(high));
  const unsigned boundary = ~lane_signs(same);
  for (std::size_t l = 0; l < 4; ++l) L.slot[l] += (boundary >> l) & 1U;
  L.entity = e;
  const __m256i reset = _mm256_andnot_si256(same, sign);
  for (std::size_t j = 1; j <= K; ++j) L.S[j] = _mm256_or_si256(L.S[j], reset);
  // m > (T - T before) << K inside an entity: the same time with a step-matching event (a tie)
  // or an earlier time (rows out of order); no overflow with times below 2^55.
  const __m256i d = _mm256_sub_epi64(T, L.previous_time);
  L.previous_time = T;
  L.tied = _mm256_and_si256(
      _mm256_or_si256(L.tied, _mm256_cmpgt_epi64(m, _mm256_slli_epi64(d, static_cast<int>(K)))), same);
  L.times = _mm256_or_si256(L.times, T);
  L.masks = _mm256_or_si256(L.masks, m);
  const __m256i lowest = _mm256_sub_epi64(T, window); // T >= 0, window > 0: no overflow
  for (std::size_t j = K; j >= 2; --j) {
    const __m256i bit = _mm256_slli_epi64(m, static_cast<int>(64 - j)); // bit j-1 to the sign
    L.S[j] = lane_select(L.S[j], L.S[j - 1], _mm256_andnot_si256(_mm256_cmpgt_epi64(lowest, L.S[j - 1]), bit));
  }
  __m256i opens = _mm256_slli_epi64(m, 63);
  if constexpr (!AnyStart) opens = _mm256_and_si256(opens, L.S[1]); // first_step: no step-1 chain yet
  L.S[1] = lane_select(L.S[1], T, opens);
}

// The vector loop over rows [begin[l], begin[l] + rows) of each lane l (rows even), the lanes'
// entities starting at output slots slot[l].
template <std::size_t K, bool AnyStart>
__attribute__((target("avx2"))) void funnel_lanes_avx2(
    const std::uint64_t* ent, const std::int64_t* ts, const std::uint64_t* mask,
    const std::size_t* begin, std::size_t rows, const std::size_t* slot, std::int64_t window,
    std::uint64_t* out_entity, std::uint8_t* out_level, lanes_end& end) {
  lanes_state<K> L;
  L.entity = _mm256_set_epi64x(static_cast<long long>(ent[begin[3]]), static_cast<long long>(ent[begin[2]]),
                               static_cast<long long>(ent[begin[1]]), static_cast<long long>(ent[begin[0]]));
  // One second before each lane's first event, so that the event does not look tied to itself.
  L.previous_time =
      _mm256_sub_epi64(_mm256_set_epi64x(ts[begin[3]], ts[begin[2]], ts[begin[1]], ts[begin[0]]),
                       _mm256_set1_epi64x(1));
  for (std::size_t j = 0; j <= K; ++j) L.S[j] = _mm256_set1_epi64x(std::numeric_limits<std::int64_t>::min());
  L.tied = L.times = L.masks = _mm256_setzero_si256();
  for (std::size_t l = 0; l < 4; ++l) L.slot[l] = slot[l];
  const __m256i window_vector = _mm256_set1_epi64x(window);
  const std::uint64_t *e0 = ent + begin[0], *e1 = ent + begin[1], *e2 = ent + begin[2], *e3 = ent + begin[3];
  const std::int64_t *t0 = ts + begin[0], *t1 = ts + begin[1], *t2 = ts + begin[2], *t3 = ts + begin[3];
  const std::uint64_t *m0 = mask + begin[0], *m1 = mask + begin[1], *m2 = mask + begin[2], *m3 = mask + begin[3];
  for (std::size_t i = 0; i < rows; i += 2) {
    // Rows i, i+1 of lanes 0 and 2, and of lanes 1 and 3; unpacked to one row of every lane.
    const __m256i e02 = load_halves(e0 + i, e2 + i), e13 = load_halves(e1 + i, e3 + i);
    const __m256i t02 = load_halves(t0 + i, t2 + i), t13 = load_halves(t1 + i, t3 + i);
    const __m256i m02 = load_halves(m0 + i, m2 + i), m13 = load_halves(m1 + i, m3 + i);
    lanes_event<K, AnyStart>(L, _mm256_unpacklo_epi64(e02, e13), _mm256_unpacklo_epi64(t02, t13),
                             _mm256_unpacklo_epi64(m02, m13), window_vector, out_entity, out_level);
    lanes_event<K, AnyStart>(L, _mm256_unpackhi_epi64(e02, e13), _mm256_unpackhi_epi64(t02, t13),
                             _mm256_unpackhi_epi64(m02, m13), window_vector, out_entity, out_level);
  }
  alignas(32) std::uint64_t times[4], masks[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(times), L.times);
  _mm256_store_si256(reinterpret_cast<__m256i*>(masks), L.masks);
  for (std::size_t l = 0; l < 4; ++l) {
    end.slot[l] = L.slot[l];
    end.times |= times[l];
    end.masks |= masks[l];
  }
}

// Whether ids[0, count) strictly increase (unsigned), and whether some levels[0, count) has the
// tie mark 0x80: the checks of a block's output, four ids and 32 levels at a time.
__attribute__((target("avx2"))) inline void check_block_output(const std::uint64_t* ids,
                                                               const std::uint8_t* levels,
                                                               std::size_t count, bool& increasing,
                                                               bool& marked) {
  const __m256i sign = _mm256_set1_epi64x(std::numeric_limits<std::int64_t>::min());
  __m256i up = _mm256_set1_epi64x(-1); // all ones while every id is above the one before
  std::size_t i = 1;
  for (; i + 4 <= count; i += 4) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ids + i - 1));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ids + i));
    up = _mm256_and_si256(up,
                          _mm256_cmpgt_epi64(_mm256_xor_si256(b, sign), _mm256_xor_si256(a, sign)));
  }
  increasing = _mm256_movemask_epi8(up) == -1;
  for (; i < count; ++i) increasing &= ids[i] > ids[i - 1];
  __m256i any = _mm256_setzero_si256();
  std::size_t j = 0;
  for (; j + 32 <= count; j += 32)
    any = _mm256_or_si256(any, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(levels + j)));
  marked = _mm256_movemask_epi8(any) != 0;
  for (; j < count; ++j) marked |= (levels[j] & 0x80) != 0;
}
#undef SALESOPS_FUNNEL_AVX2_INLINE

inline bool avx2_available() noexcept {
  static const bool available = __builtin_cpu_supports("avx2") != 0;
  return available;
}

template <bool AnyStart>
void run_lanes(std::size_t k, const std::uint64_t* ent, const std::int64_t* ts, const std::uint64_t* mask,
               const std::size_t* begin, std::size_t rows, const std::size_t* slot, std::int64_t window,
               std::uint64_t* out_entity, std::uint8_t* out_level, lanes_end& end) {
  switch (k) {
  case 1: return funnel_lanes_avx2<1, AnyStart>(ent, ts, mask, begin, rows, slot, window, out_entity, out_level, end);
  case 2: return funnel_lanes_avx2<2, AnyStart>(ent, ts, mask, begin, rows, slot, window, out_entity, out_level, end);
  case 3: return funnel_lanes_avx2<3, AnyStart>(ent, ts, mask, begin, rows, slot, window, out_entity, out_level, end);
  case 4: return funnel_lanes_avx2<4, AnyStart>(ent, ts, mask, begin, rows, slot, window, out_entity, out_level, end);
  case 5: return funnel_lanes_avx2<5, AnyStart>(ent, ts, mask, begin, rows, slot, window, out_entity, out_level, end);
  case 6: return funnel_lanes_avx2<6, AnyStart>(ent, ts, mask, begin, rows, slot, window, out_entity, out_level, end);
  case 7: return funnel_lanes_avx2<7, AnyStart>(ent, ts, mask, begin, rows, slot, window, out_entity, out_level, end);
  default: return funnel_lanes_avx2<8, AnyStart>(ent, ts, mask, begin, rows, slot, window, out_entity, out_level, end);
  }
}

#endif

// The pre-sorted pass over rows [0, n), block by block: each block of about 4 * sorted_block_rows
// rows (or of what is left, when that is less) is split into four segments of about equal length
// at entity boundaries; with `lanes` (the AVX2 pass: k <= avx2_max_steps and a processor with
// AVX2) the vector loop runs them and the scalar pass finishes each lane, otherwise the scalar
// pass runs the whole block; the block's entities are then appended to `out`. The output of a
// block goes to a scratch buffer with one slot per row (segment l's entities from slot
// begin[l] - from on), which stays in cache and needs no count of the entities beforehand: a
// pass that counted them to size the output read the entity column a second time. Entity ids
// are checked instead, by the scalar pass as it goes and afterwards for the vector loop's rows:
// sorted input has strictly increasing ids from one entity to the next. Ties (and entities with
// rows out of order) are left for the caller's repair, in `ties` or marked 0x80 in their level.
template <bool AnyStart>
sorted_pass funnel_sorted_by_time_blocks(const std::uint64_t* ent, const std::int64_t* ts,
                                         const std::uint64_t* mask, std::size_t n,
                                         const event_funnel_options& o, bool lanes,
                                         event_funnel_result& out, std::vector<tied_entity>& ties) {
  // At most one entity per row, and no more than the id range when the ids are sorted: reserved
  // (not touched), so that appending never moves the output (detail::event_funnel_by gives it
  // back when ids are so sparse that most of it went unused).
  const std::uint64_t id_range = ent[n - 1] - ent[0];
  const std::size_t most =
      ent[0] <= ent[n - 1] && id_range < n ? static_cast<std::size_t>(id_range) + 1 : n;
  out.entities.clear();
  out.levels.clear();
  salesops::detail::reserve_large(out.entities, most);
  salesops::detail::reserve_large(out.levels, most);
  std::vector<std::uint64_t> block_entities;
  std::vector<std::uint8_t> block_levels;
  std::vector<tied_entity> lane_ties; // slots and rows relative to the lane's rest
  for (std::size_t from = 0; from < n;) {
    // Short inputs (and the last block) are split evenly, so that every lane gets rows to run.
    const std::size_t segment_rows = std::min(sorted_block_rows, (n - from + 3) / 4);
    std::size_t begin[5] = {from, 0, 0, 0, 0}; // segment l: rows [begin[l], begin[l + 1])
    for (std::size_t l = 1; l <= 4; ++l) {
      std::size_t p = std::min(std::max(from + segment_rows * l, begin[l - 1]), n);
      while (p < n && ent[p] == ent[p - 1]) ++p;
      begin[l] = p;
    }
    if (block_levels.size() < begin[4] - from) {
      block_entities.resize(begin[4] - from);
      block_levels.resize(begin[4] - from);
    }
    std::size_t rows = begin[4] - from;
    for (std::size_t l = 0; l < 4; ++l) rows = std::min(rows, begin[l + 1] - begin[l]);
    rows -= rows % 2;
    // Lane l's rest: rows [rest[l], begin[l + 1]) from slot rest_slot[l]; without lanes, or in a
    // block with a segment of fewer than two rows, the whole block is one rest.
    std::size_t rest[4] = {from, begin[4], begin[4], begin[4]}, rest_slot[4] = {};
    std::size_t segments = 1;
#if SALESOPS_FUNNEL_AVX2_PASS
    if (lanes && rows > 0) {
      segments = 4;
      std::size_t slot[4];
      for (std::size_t l = 0; l < 4; ++l) slot[l] = begin[l] - from;
      lanes_end end;
      run_lanes<AnyStart>(o.steps, ent, ts, mask, begin, rows, slot, o.window,
                          block_entities.data(), block_levels.data(), end);
      // Times at or above 2^55 (or negative) and mask bits above k: the per-entity loop decides.
      if ((end.times >> 55) != 0 || (end.masks & ~step_mask(o.steps)) != 0)
        return sorted_pass::general;
      for (std::size_t l = 0; l < 4; ++l) { // from the lane's current entity, not yet final
        const std::size_t last = begin[l] + rows - 1;
        rest[l] = last;
        while (rest[l] > begin[l] && ent[rest[l] - 1] == ent[last]) --rest[l];
        rest_slot[l] = end.slot[l];
      }
    } else
#endif
    {
      (void)lanes;
      begin[1] = begin[4];
    }
    for (std::size_t l = 0; l < segments; ++l) {
      lane_ties.clear();
      std::size_t entities = 0;
      const sorted_pass pass = funnel_sorted_by_time_pass<AnyStart>(
          ent + rest[l], ts + rest[l], mask + rest[l], begin[l + 1] - rest[l], o,
          block_entities.data() + rest_slot[l], block_levels.data() + rest_slot[l], lane_ties,
          entities);
      if (pass != sorted_pass::done) return pass;
      const std::size_t first = begin[l] - from, stop = rest_slot[l] + entities;
      const std::size_t base = out.entities.size() - first; // block slot + base: output slot
      for (const tied_entity& x : lane_ties)
        ties.push_back({x.slot + rest_slot[l] + base, x.row + rest[l]});
      // Sorted input has strictly increasing ids from one entity to the next (the scalar pass
      // checks its own rows).
      bool increasing = true, marked = false;
#if SALESOPS_FUNNEL_AVX2_PASS
      if (segments == 4)
        check_block_output(block_entities.data() + first, block_levels.data() + first, stop - first,
                           increasing, marked);
#endif
      if (!increasing || (!out.entities.empty() && block_entities[first] <= out.entities.back()))
        return sorted_pass::unsorted;
      for (std::size_t s = first; marked && s < stop; ++s) // rare: ties, rows out of order
        if ((block_levels[s] & 0x80) != 0) {
          const std::uint64_t* row =
              std::lower_bound(ent + begin[l], ent + begin[l + 1], block_entities[s]);
          ties.push_back({s + base, static_cast<std::size_t>(row - ent)});
        }
      out.entities.insert(out.entities.end(), block_entities.data() + first,
                          block_entities.data() + stop);
      out.levels.insert(out.levels.end(), block_levels.data() + first, block_levels.data() + stop);
    }
    from = begin[4];
  }
  return sorted_pass::done;
}

inline bool sorted_path_available(sorted_path path) noexcept {
#if SALESOPS_FUNNEL_AVX2_PASS
  if (path == sorted_path::avx2) return avx2_available();
#endif
  return path != sorted_path::avx2;
}

inline sorted_pass funnel_sorted_by_time(const std::uint64_t* ent, const std::int64_t* ts,
                                         const std::uint64_t* mask, std::size_t n,
                                         const event_funnel_options& o, event_funnel_result& out,
                                         sorted_path path) {
  if (o.steps > 62 || n == 0) return sorted_pass::general;
  bool lanes = false;
#if SALESOPS_FUNNEL_AVX2_PASS
  lanes = path != sorted_path::scalar && o.steps <= avx2_max_steps && avx2_available();
#else
  (void)path;
#endif
  std::vector<tied_entity> ties;
  const sorted_pass pass =
      o.anchor == anchor_rule::any_start
          ? funnel_sorted_by_time_blocks<true>(ent, ts, mask, n, o, lanes, out, ties)
          : funnel_sorted_by_time_blocks<false>(ent, ts, mask, n, o, lanes, out, ties);
  if (pass != sorted_pass::done) return pass;
  for (const tied_entity& x : ties) {
    std::size_t begin = x.row, end = x.row;
    while (begin > 0 && ent[begin - 1] == ent[x.row]) --begin;
    while (end < n && ent[end] == ent[x.row]) ++end;
    for (std::size_t i = begin + 1; i < end; ++i) // the AVX2 pass also marks rows out of order
      if (ts[i] < ts[i - 1]) return sorted_pass::unsorted;
    out.levels[x.slot] = static_cast<std::uint8_t>(level_by_time(ts + begin, mask + begin, end - begin, o));
  }
  return pass;
}

// Every mode, one entity at a time: validates every row (throwing at the first bad one) and
// computes the levels with level_of. Returns false (result incomplete) at the first row out of
// order.
inline bool funnel_sorted_general(const std::uint64_t* ent, const std::int64_t* ts,
                                  const std::uint64_t* mask, std::size_t n,
                                  const event_funnel_options& o, event_funnel_result& out) {
  out.entities.clear();
  out.levels.clear();
  const std::uint64_t allowed = allowed_bits(o);
  for (std::size_t i = 0; i < n;) {
    check_event_row(ts[i], mask[i], allowed, o.steps, i);
    std::size_t j = i + 1;
    for (; j < n && ent[j] == ent[i]; ++j) {
      check_event_row(ts[j], mask[j], allowed, o.steps, j);
      if (ts[j] < ts[j - 1]) return false;
    }
    if (j < n && ent[j] < ent[i]) return false;
    out.entities.push_back(ent[i]);
    out.levels.push_back(static_cast<std::uint8_t>(level_of(ts + i, mask + i, j - i, o)));
    i = j;
  }
  return true;
}

// One pass over input assumed sorted by (entity, timestamp): validates every row and computes
// the levels. Returns false (result incomplete) when a row is out of order.
inline bool funnel_sorted(const std::uint64_t* ent, const std::int64_t* ts,
                          const std::uint64_t* mask, std::size_t n,
                          const event_funnel_options& o, event_funnel_result& out, sorted_path path) {
  if (!has_constraints(o) && (o.mode == funnel_mode::standard || o.mode == funnel_mode::strict_once ||
                              o.mode == funnel_mode::strict_increase)) {
    const sorted_pass pass = funnel_sorted_by_time(ent, ts, mask, n, o, out, path);
    if (pass != sorted_pass::general) return pass == sorted_pass::done;
  }
  return funnel_sorted_general(ent, ts, mask, n, o, out);
}

} // namespace detail

// ---------------------------------------------------------------------------------------

inline event_funnel_counter::event_funnel_counter(std::size_t steps) {
  if (steps < 1 || steps > 64)
    SALESOPS_THROW(out_of_range_value, "event_funnel_counter", "steps", no_row, "is ", steps,
                   ", outside [1, 64]");
  at_level_.assign(steps + 1, 0);
}

inline void event_funnel_counter::update(std::size_t level) {
  if (level >= at_level_.size())
    SALESOPS_THROW(out_of_range_value, "event_funnel_counter::update", "level", no_row, "is ",
                   level, ", above the ", at_level_.size() - 1, " steps");
  ++at_level_[level];
}

namespace detail {
// Adds to at_level[j] the number of levels[0, n) equal to j, for every j below at_level.size(),
// and returns the first row whose level is not below it (n when there is none, and then every
// row was counted). Sixteen levels at a time: byte compares against each j, counted in byte
// lanes that are added up every 255 blocks, before they can wrap. (One increment per level
// was a chain of loads and stores through the same few counters: docs/benchmarks.md, "Event
// funnel", commit fc95f15.)
inline std::size_t add_level_counts(const std::uint8_t* levels, std::size_t n,
                                    std::vector<std::uint64_t>& at_level) {
  typedef std::uint8_t bytes16 __attribute__((vector_size(16)));
  const std::size_t bins = at_level.size();
  std::uint64_t counted = 0;
  std::size_t i = 0;
  while (n - i >= 16) {
    const std::size_t blocks = std::min<std::size_t>((n - i) / 16, 255);
    for (std::size_t j = 0; j < bins; ++j) {
      const bytes16 wanted = bytes16{} + static_cast<std::uint8_t>(j);
      bytes16 lane_counts = {};
      for (std::size_t b = 0; b < blocks; ++b) {
        bytes16 v;
        std::memcpy(&v, levels + i + 16 * b, sizeof v);
        // A match is all ones, -1: subtracting it adds 1.
        lane_counts -= reinterpret_cast<bytes16>(v == wanted);
      }
      std::uint64_t count = 0;
      for (int lane = 0; lane < 16; ++lane) count += lane_counts[lane];
      at_level[j] += count;
      counted += count;
    }
    i += 16 * blocks;
  }
  for (; i < n && levels[i] < bins; ++i, ++counted) ++at_level[levels[i]];
  if (counted == n) return n;
  i = 0; // a level out of range: find the first one
  while (levels[i] < bins) ++i;
  return i;
}

// Fills result.reached from result.levels.
inline void count_reached(event_funnel_result& result, std::size_t steps) {
  result.reached.assign(steps, 0); // update checks the step count against it
  event_funnel_counter counter(steps);
  counter.update(result);
  result.reached = counter.result().reached;
}
} // namespace detail

inline void event_funnel_counter::update(const event_funnel_result& result) {
  check_equal_lengths("event_funnel_counter::update", "counter steps", at_level_.size() - 1,
                      "result.reached", result.reached.size());
  std::vector<std::uint64_t> at_level(at_level_.size(), 0); // unchanged when a level is bad
  const std::size_t n = result.levels.size();
  const std::size_t bad = detail::add_level_counts(result.levels.data(), n, at_level);
  if (bad != n)
    SALESOPS_THROW(out_of_range_value, "event_funnel_counter::update", "result.levels", bad, "is ",
                   static_cast<unsigned>(result.levels[bad]), ", above the ", at_level_.size() - 1,
                   " steps");
  merge_counts(at_level);
}

inline void event_funnel_counter::merge(const event_funnel_counter& other) {
  check_equal_lengths("event_funnel_counter::merge", "counter steps", at_level_.size() - 1,
                      "other steps", other.at_level_.size() - 1);
  merge_counts(other.at_level_);
}

inline void event_funnel_counter::merge_counts(const std::vector<std::uint64_t>& at_level) {
  for (std::size_t j = 0; j < at_level_.size(); ++j) at_level_[j] += at_level[j];
}

inline funnel_step_counts event_funnel_counter::result() const {
  funnel_step_counts out;
  out.reached.assign(at_level_.size() - 1, 0);
  std::uint64_t at_least = 0;
  for (std::size_t j = at_level_.size(); j-- > 1;) {
    at_least += at_level_[j];
    out.reached[j - 1] = at_least;
  }
  out.entities = at_least + at_level_[0];
  return out;
}

inline std::size_t entity_funnel_level(span<const std::int64_t> timestamp,
                                       span<const std::uint64_t> steps,
                                       const event_funnel_options& options) {
  detail::check_event_options(options);
  check_equal_lengths(detail::event_funnel_name, "timestamp", timestamp.size(), "steps", steps.size());
  check_non_empty(detail::event_funnel_name, "timestamp", timestamp.size());
  const std::uint64_t allowed = detail::allowed_bits(options);
  for (std::size_t i = 0; i < timestamp.size(); ++i)
    detail::check_event_row(timestamp[i], steps[i], allowed, options.steps, i);
  check_sorted(detail::event_funnel_name, "timestamp", timestamp);
  return detail::level_of(timestamp.data(), steps.data(), timestamp.size(), options);
}

inline funnel_witness entity_funnel_witness(span<const std::int64_t> timestamp,
                                            span<const std::uint64_t> steps,
                                            const event_funnel_options& options) {
  entity_funnel_level(timestamp, steps, options); // validates
  const std::int64_t* t = timestamp.data();
  const std::uint64_t* m = steps.data();
  const std::size_t n = timestamp.size();
  const bool by_time = options.mode == funnel_mode::standard ||
                       options.mode == funnel_mode::strict_once ||
                       options.mode == funnel_mode::strict_increase;
  funnel_witness w;
  if (options.mode == funnel_mode::unordered) {
    detail::unordered_witness(t, m, n, options, w);
  } else if (by_time && !detail::has_constraints(options)) {
    std::vector<std::vector<std::size_t>> chains;
    w.level = detail::level_by_time(t, m, n, options, &chains);
    w.rows = chains[w.level];
    for (std::size_t j = 1; j <= w.level; ++j) w.steps.push_back(j);
  } else {
    // The Pareto programme tracks rows; without options it also serves the sequence modes.
    detail::witness_tracker tracker;
    w.level = by_time ? detail::level_constrained(t, m, n, options, &tracker)
                      : detail::level_constrained_sequence(t, m, n, options, &tracker);
    w.rows = std::move(tracker.rows);
    w.steps = std::move(tracker.steps);
  }
  detail::canonical_witness(t, m, n, options, w);
  for (std::size_t j = 1; j < w.rows.size(); ++j)
    w.seconds_to_next.push_back(t[w.rows[j]] - t[w.rows[j - 1]]);
  return w;
}

namespace detail {
// Calls visit(rows, t, m) once per distinct key, keys ascending, with the key's input rows in
// input order and their timestamps and step masks: one stable sort of the row numbers instead
// of one scan of every row per key.
template <class Visit>
void for_each_key_group(span<const std::int64_t> timestamp, span<const std::uint64_t> key,
                        span<const std::uint64_t> steps, Visit visit) {
  std::vector<std::size_t> order(key.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&key](std::size_t a, std::size_t b) { return key[a] < key[b]; });
  std::vector<std::size_t> rows;
  std::vector<std::int64_t> t;
  std::vector<std::uint64_t> m;
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin;
    rows.clear();
    t.clear();
    m.clear();
    for (; end < order.size() && key[order[end]] == key[order[begin]]; ++end) {
      rows.push_back(order[end]);
      t.push_back(timestamp[order[end]]);
      m.push_back(steps[order[end]]);
    }
    visit(rows, t, m);
    begin = end;
  }
}
} // namespace detail

inline funnel_witness entity_funnel_witness_held(span<const std::int64_t> timestamp,
                                                 span<const std::uint64_t> key,
                                                 span<const std::uint64_t> steps,
                                                 const event_funnel_options& options) {
  check_equal_lengths("entity_funnel_witness_held", "timestamp", timestamp.size(), "key", key.size());
  entity_funnel_level(timestamp, steps, options); // validates
  funnel_witness best;
  std::int64_t best_lo = 0, best_hi = 0;
  // Keys come in ascending order: a tie keeps the smaller key.
  detail::for_each_key_group(timestamp, key, steps, [&](const std::vector<std::size_t>& rows,
                                                        const std::vector<std::int64_t>& t,
                                                        const std::vector<std::uint64_t>& m) {
    funnel_witness w = entity_funnel_witness(t, m, options);
    if (w.level == 0) return;
    for (std::size_t& r : w.rows) r = rows[r];
    std::int64_t lo = timestamp[w.rows.front()], hi = lo;
    for (std::size_t r : w.rows) {
      lo = std::min(lo, timestamp[r]);
      hi = std::max(hi, timestamp[r]);
    }
    if (w.level > best.level || (w.level == best.level && (lo > best_lo || (lo == best_lo && hi < best_hi)))) {
      best = std::move(w);
      best_lo = lo;
      best_hi = hi;
    }
  });
  return best;
}

inline std::vector<funnel_attempt> entity_funnel_attempts(span<const std::int64_t> timestamp,
                                                          span<const std::uint64_t> steps,
                                                          const event_funnel_options& options) {
  entity_funnel_level(timestamp, steps, options); // validates
  // The chains of the attempt at time T use no event earlier than T, so the attempt is the
  // first_step funnel of the events from the first row at time T on.
  event_funnel_options anchored = options;
  anchored.anchor = anchor_rule::first_step;
  std::vector<funnel_attempt> out;
  const std::size_t n = timestamp.size();
  for (std::size_t i = 0, from = 0; i < n; ++i) {
    if (i > 0 && timestamp[i] != timestamp[i - 1]) from = i;
    if (!(steps[i] & 1U) || (!out.empty() && out.back().start == timestamp[i])) continue;
    out.push_back({timestamp[i], detail::level_of(timestamp.data() + from, steps.data() + from,
                                                  n - from, anchored)});
  }
  return out;
}

inline std::vector<funnel_attempt> entity_funnel_attempts_held(span<const std::int64_t> timestamp,
                                                               span<const std::uint64_t> key,
                                                               span<const std::uint64_t> steps,
                                                               const event_funnel_options& options) {
  check_equal_lengths("entity_funnel_attempts_held", "timestamp", timestamp.size(), "key", key.size());
  entity_funnel_level(timestamp, steps, options); // validates
  std::vector<funnel_attempt> all; // every key's attempts, merged by start below
  detail::for_each_key_group(timestamp, key, steps, [&](const std::vector<std::size_t>&,
                                                        const std::vector<std::int64_t>& t,
                                                        const std::vector<std::uint64_t>& m) {
    const auto attempts = entity_funnel_attempts(t, m, options);
    all.insert(all.end(), attempts.begin(), attempts.end());
  });
  std::sort(all.begin(), all.end(), [](const funnel_attempt& a, const funnel_attempt& b) {
    return a.start < b.start;
  });
  std::vector<funnel_attempt> out;
  for (const funnel_attempt& a : all) {
    if (!out.empty() && out.back().start == a.start)
      out.back().level = std::max(out.back().level, a.level);
    else
      out.push_back(a);
  }
  return out;
}

namespace detail {
// event_funnel into `out` with the pre-sorted pass chosen (tests run every path on the same
// input).
inline void event_funnel_into(span<const std::uint64_t> entity, span<const std::int64_t> timestamp,
                              span<const std::uint64_t> steps, const event_funnel_options& options,
                              sorted_path path, event_funnel_result& out) {
  check_event_options(options);
  check_equal_lengths(event_funnel_name, "entity", entity.size(), "timestamp", timestamp.size());
  check_equal_lengths(event_funnel_name, "entity", entity.size(), "steps", steps.size());
  check_non_empty(event_funnel_name, "entity", entity.size());
  const std::size_t n = entity.size();
  if (!funnel_sorted(entity.data(), timestamp.data(), steps.data(), n, options, out, path)) {
    // Unsorted: validate everything (rows keep their input index in messages), then sort a
    // copy into position order (stable radix sort, event_sort.hpp) and run the same pass on it.
    const std::uint64_t allowed = allowed_bits(options);
    for (std::size_t i = 0; i < n; ++i)
      check_event_row(timestamp[i], steps[i], allowed, options.steps, i);
    const sorted_events sorted = sort_events(entity, timestamp, steps);
    funnel_sorted(sorted.entity.data(), sorted.timestamp.data(), sorted.steps.data(), n,
                  options, out, path);
  }
  detail::count_reached(out, options.steps);
}

// event_funnel with the pre-sorted pass chosen. The pre-sorted pass reserves up to one entity
// per row; a result that used less than half of that (sparse ids) gives the rest back.
inline event_funnel_result event_funnel_by(span<const std::uint64_t> entity,
                                           span<const std::int64_t> timestamp,
                                           span<const std::uint64_t> steps,
                                           const event_funnel_options& options, sorted_path path) {
  event_funnel_result out;
  event_funnel_into(entity, timestamp, steps, options, path, out);
  if (out.entities.size() < out.entities.capacity() / 2) {
    out.entities.shrink_to_fit();
    out.levels.shrink_to_fit();
  }
  return out;
}
} // namespace detail

inline event_funnel_result event_funnel(span<const std::uint64_t> entity,
                                        span<const std::int64_t> timestamp,
                                        span<const std::uint64_t> steps,
                                        const event_funnel_options& options) {
  return detail::event_funnel_by(entity, timestamp, steps, options, detail::sorted_path::automatic);
}

namespace detail {
// Whether `column` lies (in part) in the storage of `v`, up to its capacity.
template <class T, class U> bool shares_storage(span<const T> column, const std::vector<U>& v) {
  const auto first = reinterpret_cast<std::uintptr_t>(column.data());
  const auto last = first + column.size() * sizeof(T);
  const auto begin = reinterpret_cast<std::uintptr_t>(v.data());
  const auto end = begin + v.capacity() * sizeof(U);
  return column.size() != 0 && v.capacity() != 0 && first < end && begin < last;
}

template <class T>
void check_not_in_result(span<const T> column, const char* name, const event_funnel_result& out) {
  if (shares_storage(column, out.entities) || shares_storage(column, out.levels) ||
      shares_storage(column, out.reached))
    SALESOPS_THROW(invalid_input, event_funnel_name, "out", no_row, "holds the column '", name,
                   "', which it would overwrite while reading it: pass a copy");
}
} // namespace detail

inline void event_funnel(span<const std::uint64_t> entity, span<const std::int64_t> timestamp,
                         span<const std::uint64_t> steps, const event_funnel_options& options,
                         event_funnel_result& out) {
  detail::check_not_in_result(entity, "entity", out);
  detail::check_not_in_result(timestamp, "timestamp", out);
  detail::check_not_in_result(steps, "steps", out);
  detail::event_funnel_into(entity, timestamp, steps, options, detail::sorted_path::automatic, out);
}

inline event_funnel_result event_funnel_held(span<const std::uint64_t> entity,
                                             span<const std::uint64_t> key,
                                             span<const std::int64_t> timestamp,
                                             span<const std::uint64_t> steps,
                                             const event_funnel_options& options) {
  check_equal_lengths("event_funnel_held", "entity", entity.size(), "key", key.size());
  check_equal_lengths("event_funnel_held", "entity", entity.size(), "timestamp", timestamp.size());
  check_equal_lengths("event_funnel_held", "entity", entity.size(), "steps", steps.size());
  check_non_empty("event_funnel_held", "entity", entity.size());
  // Each (entity, key) pair is one funnel entity: number the pairs in ascending order, run the
  // ordinary funnel on those ids (its stable sort keeps the position order of equal times), then
  // keep the best key per entity. The pairs are ordered by the radix sort of event_sort.hpp:
  // row numbers sorted by key, then stably by entity (least significant key first).
  const std::size_t n = entity.size();
  std::vector<detail::radix_record> order, scratch;
  order.reserve(n);
  for (std::size_t i = 0; i < n; ++i) order.push_back({key[i], static_cast<std::uint64_t>(i)});
  const auto key_of = [](const detail::radix_record& r) { return r.key; };
  detail::radix_sort(order, scratch, key_of);
  for (detail::radix_record& r : order) r.key = entity[static_cast<std::size_t>(r.value)];
  detail::radix_sort(order, scratch, key_of);
  scratch = {};
  std::vector<std::uint64_t> pair_id(n), pair_entity;
  for (std::size_t r = 0; r < n; ++r) {
    const auto i = static_cast<std::size_t>(order[r].value);
    const auto prev = r ? static_cast<std::size_t>(order[r - 1].value) : i;
    if (r == 0 || entity[i] != entity[prev] || key[i] != key[prev]) pair_entity.push_back(entity[i]);
    pair_id[i] = pair_entity.size() - 1;
  }
  const auto per_pair = event_funnel(pair_id, timestamp, steps, options);
  event_funnel_result out;
  for (std::size_t p = 0; p < per_pair.entities.size(); ++p) {
    const std::uint64_t e = pair_entity[static_cast<std::size_t>(per_pair.entities[p])];
    if (out.entities.empty() || out.entities.back() != e) {
      out.entities.push_back(e);
      out.levels.push_back(0);
    }
    out.levels.back() = std::max(out.levels.back(), per_pair.levels[p]);
  }
  detail::count_reached(out, options.steps);
  return out;
}

inline funnel_mode parse_funnel_mode(const std::string& name) {
  for (funnel_mode m : {funnel_mode::standard, funnel_mode::strict_increase,
                        funnel_mode::strict_order, funnel_mode::strict_deduplication,
                        funnel_mode::strict_once, funnel_mode::allow_reentry,
                        funnel_mode::unordered})
    if (name == to_string(m)) return m;
  SALESOPS_THROW(out_of_range_value, "parse_funnel_mode", "mode", no_row, "is '", name,
                 "', not one of default, strict_increase, strict_order, "
                 "strict_deduplication, strict_once, allow_reentry, unordered");
}

inline const char* to_string(funnel_mode mode) noexcept {
  switch (mode) {
  case funnel_mode::standard: return "default";
  case funnel_mode::strict_increase: return "strict_increase";
  case funnel_mode::strict_order: return "strict_order";
  case funnel_mode::strict_deduplication: return "strict_deduplication";
  case funnel_mode::strict_once: return "strict_once";
  case funnel_mode::allow_reentry: return "allow_reentry";
  case funnel_mode::unordered: return "unordered";
  }
  return "?";
}

inline std::ostream& operator<<(std::ostream& out, funnel_mode mode) {
  return out << to_string(mode);
}

inline std::ostream& operator<<(std::ostream& out, anchor_rule anchor) {
  return out << (anchor == anchor_rule::any_start ? "any_start" : "first_step");
}

inline std::ostream& operator<<(std::ostream& out, const funnel_exclusion& exclusion) {
  return out << "exclusion{bit=" << exclusion.bit << ", from=" << exclusion.from
             << ", to=" << exclusion.to << "}";
}

inline std::ostream& operator<<(std::ostream& out, const funnel_gap& gap) {
  return out << "gap{step=" << gap.step << ", seconds=" << gap.seconds << "}";
}

namespace detail {
template <class T>
void print_list(std::ostream& out, const char* name, const std::vector<T>& list) {
  if (list.empty()) return; // unset options are not printed
  out << ", " << name << "=[";
  for (std::size_t j = 0; j < list.size(); ++j) out << (j ? ", " : "") << list[j];
  out << "]";
}
} // namespace detail

inline std::ostream& operator<<(std::ostream& out, const event_funnel_options& options) {
  out << "event_funnel_options{window=" << options.window << "s, steps=" << options.steps
      << ", mode=" << options.mode << ", anchor=" << options.anchor;
  detail::print_list(out, "exclusions", options.exclusions);
  detail::print_list(out, "optional_steps", options.optional_steps);
  detail::print_list(out, "max_gaps", options.max_gaps);
  return out << "}";
}

namespace detail {
inline void print_reached_steps(std::ostream& out, const std::vector<std::uint64_t>& reached) {
  out << "reached=[";
  for (std::size_t j = 0; j < reached.size(); ++j) out << (j ? ", " : "") << reached[j];
  out << "]";
}
} // namespace detail

inline std::ostream& operator<<(std::ostream& out, const event_funnel_result& result) {
  out << "event_funnel_result{entities=" << result.entities.size() << ", ";
  detail::print_reached_steps(out, result.reached);
  return out << "}";
}

inline std::ostream& operator<<(std::ostream& out, const funnel_witness& witness) {
  out << "funnel_witness{level=" << witness.level << ", rows=[";
  for (std::size_t j = 0; j < witness.rows.size(); ++j) out << (j ? ", " : "") << witness.rows[j];
  out << "]";
  if (witness.steps.size() != witness.level) { // some optional step was skipped
    out << ", steps=[";
    for (std::size_t j = 0; j < witness.steps.size(); ++j) out << (j ? ", " : "") << witness.steps[j];
    out << "]";
  }
  out << ", seconds_to_next=[";
  for (std::size_t j = 0; j < witness.seconds_to_next.size(); ++j)
    out << (j ? ", " : "") << witness.seconds_to_next[j];
  return out << "]}";
}

inline std::ostream& operator<<(std::ostream& out, const funnel_attempt& attempt) {
  return out << "attempt{start=" << attempt.start << ", level=" << attempt.level << "}";
}

inline std::ostream& operator<<(std::ostream& out, const funnel_step_counts& counts) {
  out << "funnel_step_counts{entities=" << counts.entities << ", ";
  detail::print_reached_steps(out, counts.reached);
  return out << "}";
}

} // namespace funnel
} // namespace salesops

#endif // SALESOPS_FUNNEL_EVENT_FUNNEL_HPP
