// Sorting event columns into position order: by entity, then timestamp, events with equal
// (entity, timestamp) in input order (the order docs/funnel.md calls the position order, which
// the sequence modes of the event funnel depend on). Reference: least-significant-digit radix
// sort (Knuth, TAOCP vol. 3, section 5.2.5), stable by construction, with the digits that are
// constant across all keys skipped, as in the radix sorts of column stores (DuckDB, ClickHouse).
//
// Why radix and not std::sort: an event log of 10 M rows needs about 4 passes of 11-bit digits
// over 16-byte records, against log2(10 M) = 23 levels of unpredictable comparisons; the
// comparison sort of 24-byte records it replaces cost 190-330 ns/event here (docs/benchmarks.md).
#ifndef SALESOPS_FUNNEL_EVENT_SORT_HPP
#define SALESOPS_FUNNEL_EVENT_SORT_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <utility>
#include <vector>

#include "salesops/core/memory.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"

namespace salesops {
namespace funnel {

/// \brief Event columns in position order: ascending entity, then non-decreasing timestamp,
/// events with equal (entity, timestamp) in their input order.
struct sorted_events {
  std::vector<std::uint64_t> entity;   ///< Entity id per event, ascending.
  std::vector<std::int64_t> timestamp; ///< Timestamp per event, non-decreasing within an entity.
  std::vector<std::uint64_t> steps;    ///< Step bitmask per event, moved with its row.
};

/// \brief Sorts event columns into position order (stable radix sort; O(n) per 11 varying
/// key bits). The caller's columns are not modified. Any timestamps are accepted (the event
/// funnel's own checks, such as timestamps >= 0, are not applied here).
/// \param entity entity id per event.
/// \param timestamp seconds per event.
/// \param steps step bitmask per event (carried along, not a key).
/// \returns the three columns reordered.
/// \throws salesops::length_mismatch when the columns have different lengths.
sorted_events sort_events(span<const std::uint64_t> entity, span<const std::int64_t> timestamp,
                          span<const std::uint64_t> steps);

/// \brief Prints "sorted_events{rows=..., entities=...}".
std::ostream& operator<<(std::ostream& out, const sorted_events& events);

// ---------------------------------------------------------------------------------------
namespace detail {

/// A key and the value it carries through the sort.
struct radix_record {
  std::uint64_t key;
  std::uint64_t value;
};

// Number of bits needed to write x (0 for 0).
inline unsigned bit_width(std::uint64_t x) noexcept {
  return x ? 64u - static_cast<unsigned>(__builtin_clzll(x)) : 0u;
}

// Order-preserving map of int64 to uint64 (flip the sign bit).
inline std::uint64_t ordered_bits(std::int64_t t) noexcept {
  return static_cast<std::uint64_t>(t) ^ (std::uint64_t{1} << 63);
}
inline std::int64_t from_ordered_bits(std::uint64_t u) noexcept {
  return static_cast<std::int64_t>(u ^ (std::uint64_t{1} << 63));
}

// Stable LSD radix sort of a[0..n) by key_of(record) (a std::uint64_t), with tmp[0..n) as
// working space; the result ends in `a`. Only the bit range where keys differ is sorted, in
// passes of at most 11 bits split evenly (44 varying bits: 4 passes of 11); a pass whose digit
// is equal for all keys is skipped; all histograms are taken in one read. Meant for ranges that
// fit in cache: over large arrays the 2048 scattered write streams miss the TLB (measured here
// at 13.5 ns/key per 11-bit pass over 10 M keys against 1-2 ns in L2).
template <class Record, class KeyOf>
void lsd_radix_sort(Record* a, Record* tmp, std::size_t n, KeyOf key_of,
                    std::vector<std::size_t>& count) {
  constexpr unsigned max_digit_bits = 11;
  if (n < 2) return;
  const std::uint64_t first = key_of(a[0]);
  std::uint64_t varying = 0; // bits in which some key differs from the first
  for (std::size_t i = 0; i < n; ++i) varying |= key_of(a[i]) ^ first;
  if (varying == 0) return;
  const auto low = static_cast<unsigned>(__builtin_ctzll(varying));
  const unsigned width = bit_width(varying) - low;
  const unsigned passes = (width + max_digit_bits - 1) / max_digit_bits;
  const unsigned digit_bits = (width + passes - 1) / passes;
  const std::size_t buckets = std::size_t{1} << digit_bits;
  const std::uint64_t digit_mask = buckets - 1;
  count.assign(passes * buckets, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t key = key_of(a[i]) >> low;
    for (unsigned p = 0; p < passes; ++p)
      ++count[p * buckets + ((key >> (p * digit_bits)) & digit_mask)];
  }
  Record* from = a;
  Record* to = tmp;
  for (unsigned p = 0; p < passes; ++p) {
    std::size_t* offset = count.data() + p * buckets;
    const unsigned shift = low + p * digit_bits;
    if (offset[(first >> shift) & digit_mask] == n) continue; // constant digit
    std::size_t sum = 0;
    for (std::size_t b = 0; b < buckets; ++b) sum += std::exchange(offset[b], sum);
    for (std::size_t i = 0; i < n; ++i) to[offset[(key_of(from[i]) >> shift) & digit_mask]++] = from[i];
    std::swap(from, to);
  }
  if (from != a) std::copy(from, from + n, a);
}

// Stable radix sort of `records` by key_of(record); `scratch` is working space. Large inputs
// take one most-significant-digit pass over memory (at most 11 bits, fewer when that already
// leaves buckets of about 32 K records, a size that fits in L2), then each bucket is finished
// by lsd_radix_sort in cache. Skewed keys make larger buckets: slower, never wrong. The first
// pass indexes its buckets by the top varying bits only: bits above them are the same in every
// key, so keys need no shift to zero (e.g. 64-bit hashes sort as they are).
template <class Record, class KeyOf>
void radix_sort(std::vector<Record>& records, std::vector<Record>& scratch, KeyOf key_of) {
  constexpr std::size_t cache_records = std::size_t{1} << 15;
  const std::size_t n = records.size();
  salesops::detail::reserve_large(scratch, n);
  scratch.resize(n);
  std::vector<std::size_t> count;
  std::uint64_t varying = 0;
  if (n > cache_records) {
    const std::uint64_t first = key_of(records[0]);
    for (const Record& r : records) varying |= key_of(r) ^ first;
  }
  const unsigned high = bit_width(varying);
  const unsigned wanted = bit_width((n - 1) / cache_records); // 0 when n fits in cache
  const unsigned top_bits = std::min({11u, wanted, high});
  if (top_bits == 0) {
    lsd_radix_sort(records.data(), scratch.data(), n, key_of, count);
    return;
  }
  const unsigned shift = high - top_bits;
  const std::size_t buckets = std::size_t{1} << top_bits;
  std::vector<std::size_t> start(buckets + 1, 0);
  const auto bucket_of = [&](const Record& r) { return (key_of(r) >> shift) & (buckets - 1); };
  for (const Record& r : records) ++start[bucket_of(r) + 1];
  for (std::size_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
  std::vector<std::size_t> next(start.begin(), start.end() - 1);
  for (const Record& r : records) scratch[next[bucket_of(r)]++] = r;
  records.swap(scratch);
  for (std::size_t b = 0; b < buckets; ++b)
    lsd_radix_sort(records.data() + start[b], scratch.data() + start[b], start[b + 1] - start[b],
                   key_of, count);
}

} // namespace detail

// ---------------------------------------------------------------------------------------

inline sorted_events sort_events(span<const std::uint64_t> entity, span<const std::int64_t> timestamp,
                                 span<const std::uint64_t> steps) {
  check_equal_lengths("sort_events", "entity", entity.size(), "timestamp", timestamp.size());
  check_equal_lengths("sort_events", "entity", entity.size(), "steps", steps.size());
  const std::size_t n = entity.size();
  sorted_events out;
  if (n == 0) return out;
  std::uint64_t e_min = entity[0], e_max = entity[0];
  std::uint64_t t_min = detail::ordered_bits(timestamp[0]), t_max = t_min;
  std::uint64_t steps_used = 0; // union of the masks: how many low bits they need
  for (std::size_t i = 0; i < n; ++i) {
    steps_used |= steps[i];
    e_min = std::min(e_min, entity[i]);
    e_max = std::max(e_max, entity[i]);
    const std::uint64_t t = detail::ordered_bits(timestamp[i]);
    t_min = std::min(t_min, t);
    t_max = std::max(t_max, t);
  }
  const unsigned t_bits = detail::bit_width(t_max - t_min);
  const unsigned key_bits = detail::bit_width(e_max - e_min) + t_bits;
  const unsigned mask_bits = detail::bit_width(steps_used);
  // (entity - min, timestamp - min) as one key, its low t_bits the time (t_bits == 64 only
  // happens with a single entity, whose part of the key is then 0).
  const auto pack = [t_bits](std::uint64_t e, std::uint64_t t) { return t_bits == 64 ? t : (e << t_bits) | t; };
  const std::uint64_t t_mask = t_bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << t_bits) - 1;
  const auto unpack = [&](std::uint64_t key, std::uint64_t mask) { // 16-byte record paths
    out.entity.push_back((t_bits == 64 ? 0 : key >> t_bits) + e_min);
    out.timestamp.push_back(detail::from_ordered_bits((key & t_mask) + t_min));
    out.steps.push_back(mask);
  };
  if (key_bits + mask_bits <= 64 && mask_bits < 64) {
    // Usual case (the simulator's 10 M events: 22 + 22 + 5 bits): key and mask in one word,
    // the mask in the low bits below the sorted range, so each pass moves 8 bytes per event.
    std::vector<std::uint64_t> words, scratch;
    salesops::detail::reserve_large(words, n);
    for (std::size_t i = 0; i < n; ++i)
      words.push_back(pack(entity[i] - e_min, detail::ordered_bits(timestamp[i]) - t_min) << mask_bits | steps[i]);
    detail::radix_sort(words, scratch, [mask_bits](std::uint64_t w) { return w >> mask_bits; });
    // Decoded into the two buffers already in memory (entity into scratch, steps in place):
    // fresh pages would each have to be faulted in (and these buffers are reserved for huge
    // pages as well: core/memory.hpp).
    const std::uint64_t low_mask = (std::uint64_t{1} << mask_bits) - 1; // mask_bits < 64 here
    salesops::detail::reserve_large(out.timestamp, n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t key = words[i] >> mask_bits;
      scratch[i] = (t_bits == 64 ? 0 : key >> t_bits) + e_min;
      out.timestamp.push_back(detail::from_ordered_bits((key & t_mask) + t_min));
      words[i] &= low_mask;
    }
    out.entity = std::move(scratch);
    out.steps = std::move(words);
    return out;
  }
  std::vector<detail::radix_record> records, scratch;
  salesops::detail::reserve_large(records, n);
  salesops::detail::reserve_large(out.entity, n);
  salesops::detail::reserve_large(out.timestamp, n);
  salesops::detail::reserve_large(out.steps, n);
  const auto key_of = [](const detail::radix_record& r) { return r.key; };
  if (key_bits <= 64) {
    // The key in one word and the mask as the value: one sort, no gather through row numbers.
    for (std::size_t i = 0; i < n; ++i)
      records.push_back({pack(entity[i] - e_min, detail::ordered_bits(timestamp[i]) - t_min), steps[i]});
    detail::radix_sort(records, scratch, key_of);
    scratch = {};
    for (const detail::radix_record& r : records) unpack(r.key, r.value);
    return out;
  }
  // Keys wider than 64 bits together (e.g. hashed entity ids): sort the row numbers by
  // timestamp, then stably by entity (LSD order of the two keys).
  for (std::size_t i = 0; i < n; ++i)
    records.push_back({detail::ordered_bits(timestamp[i]) - t_min, static_cast<std::uint64_t>(i)});
  detail::radix_sort(records, scratch, key_of);
  for (detail::radix_record& r : records) r.key = entity[static_cast<std::size_t>(r.value)] - e_min;
  detail::radix_sort(records, scratch, key_of);
  scratch = {};
  for (const detail::radix_record& r : records) {
    const auto row = static_cast<std::size_t>(r.value);
    out.entity.push_back(entity[row]);
    out.timestamp.push_back(timestamp[row]);
    out.steps.push_back(steps[row]);
  }
  return out;
}

inline std::ostream& operator<<(std::ostream& out, const sorted_events& events) {
  std::size_t entities = 0;
  for (std::size_t i = 0; i < events.entity.size(); ++i)
    entities += static_cast<std::size_t>(i == 0 || events.entity[i] != events.entity[i - 1]);
  return out << "sorted_events{rows=" << events.entity.size() << ", entities=" << entities << "}";
}

} // namespace funnel
} // namespace salesops

#endif // SALESOPS_FUNNEL_EVENT_SORT_HPP
