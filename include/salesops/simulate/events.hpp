// Streaming synthetic event logs for event funnels (entity, timestamp, steps bitmask), generated
// in fixed-size chunks so that 100 M events never need to be in memory at once. Each entity
// walks the steps in order: it always performs step 1 and reaches step k+1 from step k with the
// configured probability, after an exponential gap; an event may also match the next step
// (bit i = step i+1, as in ClickHouse windowFunnel's conditions). Unrelated events (steps 0)
// are interleaved as noise. The model is documented in docs/simulate.md.
#ifndef SALESOPS_SIMULATE_EVENTS_HPP
#define SALESOPS_SIMULATE_EVENTS_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <utility>
#include <vector>

#include "salesops/core/error.hpp"
#include "salesops/core/rng.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"

namespace salesops {
namespace simulate {

/// \brief Parameters of the event generator.
struct event_config {
  std::uint64_t seed = 1;          ///< Seed of every random draw.
  std::uint64_t entities = 100000; ///< Number of entities (users, accounts...).
  /// P(reach step k+2 | reached step k+1), one per step after the first (default: 4 steps).
  std::vector<double> step_probabilities{0.6, 0.5, 0.4};
  std::int64_t window_start = 1704067200; ///< First possible entity start (2024-01-01 UTC).
  std::int64_t window_seconds = 30LL * 86400; ///< Entity starts are uniform in this window.
  double mean_gap_seconds = 3600;  ///< Mean of the exponential gap between consecutive steps.
  double same_event_probability = 0.05; ///< P(the event of step k also matches step k+1).
  double noise_events_per_entity = 1.0; ///< Poisson mean of unrelated events (steps == 0).
  std::size_t chunk_rows = 1u << 16;    ///< Rows per delivered chunk (the last may be shorter).
};

/// \brief One chunk of events: three columns of equal length. Rows are grouped by entity
/// (entity ids increase) and ordered by timestamp within an entity.
struct event_chunk {
  span<const std::uint64_t> entity;    ///< Entity id.
  span<const std::int64_t> timestamp;  ///< Seconds since 1970-01-01 UTC.
  span<const std::uint64_t> steps;     ///< Bitmask of the steps the event matches (bit i = step i+1).
};

/// \brief What was generated: the realised truth to check estimators against.
struct event_summary {
  std::uint64_t entities = 0;         ///< Entities generated.
  std::uint64_t events = 0;           ///< Rows delivered.
  std::vector<std::uint64_t> reached; ///< reached[k]: entities that performed step k+1.
  std::vector<double> reach_probability; ///< Configured P(reach step k+1) (product of steps).
};

/// \brief Checks an event configuration; throws the typed salesops exception naming the field.
inline void validate(const event_config& cfg);

/// \brief Expected number of rows per entity under `cfg` (for sizing: rows = entities x this).
inline double expected_events_per_entity(const event_config& cfg);

/// \brief Generates the events of `cfg` and hands them to `on_chunk` chunk by chunk (the
/// columns are valid only during the call). Memory is O(chunk_rows). Same seed, same events,
/// whatever the chunk size.
inline event_summary simulate_events(const event_config& cfg,
                                     const std::function<void(const event_chunk&)>& on_chunk);

/// \brief Prints the counts of an event summary.
inline std::ostream& operator<<(std::ostream& out, const event_summary& s);


// ---- Implementation -------------------------------------------------------------------------

inline void validate(const event_config& cfg) {
  constexpr const char* f = "simulate_events";
  if (cfg.step_probabilities.size() > 63)
    SALESOPS_THROW(out_of_range_value, f, "step_probabilities", no_row, "has ",
                   cfg.step_probabilities.size(), " entries, but at most 64 steps fit the bitmask");
  check_probability(f, "step_probabilities", span<const double>(cfg.step_probabilities));
  check_positive(f, "window_seconds", cfg.window_seconds);
  check_positive(f, "mean_gap_seconds", cfg.mean_gap_seconds);
  check_probability(f, "same_event_probability", cfg.same_event_probability);
  check_non_negative(f, "noise_events_per_entity", cfg.noise_events_per_entity);
  check_positive(f, "chunk_rows", cfg.chunk_rows);
}

inline double expected_events_per_entity(const event_config& cfg) {
  validate(cfg);
  // Step 1 always gives an event; step k+1 (reached with probability P_k+1) gives its own
  // event unless it shares the event of step k (probability same_event_probability).
  double expected = 1.0 + cfg.noise_events_per_entity;
  double reach = 1.0;
  for (double p : cfg.step_probabilities) {
    reach *= p;
    expected += reach * (1.0 - cfg.same_event_probability);
  }
  return expected;
}

inline event_summary simulate_events(const event_config& cfg,
                                     const std::function<void(const event_chunk&)>& on_chunk) {
  validate(cfg);
  const std::size_t steps = cfg.step_probabilities.size() + 1;
  event_summary summary;
  summary.reached.assign(steps, 0);
  summary.reach_probability.assign(steps, 1.0);
  for (std::size_t k = 1; k < steps; ++k)
    summary.reach_probability[k] = summary.reach_probability[k - 1] * cfg.step_probabilities[k - 1];

  std::vector<std::uint64_t> entity, mask;
  std::vector<std::int64_t> timestamp;
  entity.reserve(cfg.chunk_rows);
  mask.reserve(cfg.chunk_rows);
  timestamp.reserve(cfg.chunk_rows);
  auto flush = [&] {
    if (entity.empty()) return;
    on_chunk(event_chunk{entity, timestamp, mask});
    summary.events += entity.size();
    entity.clear();
    mask.clear();
    timestamp.clear();
  };
  // One entity's rows, sorted by time before they are appended (noise interleaves).
  std::vector<std::pair<std::int64_t, std::uint64_t>> rows;
  rng r(cfg.seed);
  const double gap_rate = 1.0 / cfg.mean_gap_seconds;
  for (std::uint64_t e = 0; e < cfg.entities; ++e) {
    rows.clear();
    const std::int64_t first =
        cfg.window_start + static_cast<std::int64_t>(r.uniform_int(static_cast<std::uint64_t>(cfg.window_seconds)));
    std::int64_t t = first;
    std::uint64_t bits = 1; // step 1
    std::size_t reached = 1;
    while (reached < steps && r.uniform() < cfg.step_probabilities[reached - 1]) {
      const std::uint64_t bit = std::uint64_t{1} << reached;
      ++reached;
      if (r.uniform() < cfg.same_event_probability) {
        bits |= bit; // the same event also matches the next step
      } else {
        rows.emplace_back(t, bits);
        t += 1 + static_cast<std::int64_t>(r.exponential(gap_rate));
        bits = bit;
      }
    }
    rows.emplace_back(t, bits);
    for (std::size_t k = 0; k < reached; ++k) ++summary.reached[k];
    // Unrelated events anywhere between the entity's first event and a gap after its last.
    const std::uint64_t noise = r.poisson(cfg.noise_events_per_entity);
    const auto spread = static_cast<std::uint64_t>(t - first) + static_cast<std::uint64_t>(cfg.mean_gap_seconds) + 1;
    for (std::uint64_t k = 0; k < noise; ++k)
      rows.emplace_back(first + static_cast<std::int64_t>(r.uniform_int(spread)), 0);
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& row : rows) {
      entity.push_back(e);
      timestamp.push_back(row.first);
      mask.push_back(row.second);
      if (entity.size() == cfg.chunk_rows) flush();
    }
  }
  flush();
  summary.entities = cfg.entities;
  return summary;
}

inline std::ostream& operator<<(std::ostream& out, const event_summary& s) {
  out << "event_summary{entities=" << s.entities << ", events=" << s.events << ", reached=[";
  for (std::size_t k = 0; k < s.reached.size(); ++k) out << (k ? ", " : "") << s.reached[k];
  return out << "]}";
}

} // namespace simulate
} // namespace salesops

#endif // SALESOPS_SIMULATE_EVENTS_HPP
