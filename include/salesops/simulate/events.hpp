// Streaming synthetic event logs for event funnels (entity, timestamp, steps bitmask), generated
// in fixed-size chunks so that 100 M events never need to be in memory at once. Each entity
// walks the steps in order: it always performs step 1 and reaches step k+1 from step k with the
// configured probability, after an exponential gap; an event may also match the next step
// (bit i = step i+1, as in ClickHouse windowFunnel's conditions). Unrelated events (steps 0)
// are interleaved as noise. The model is documented in docs/simulate.md.
#ifndef SALESOPS_SIMULATE_EVENTS_HPP
#define SALESOPS_SIMULATE_EVENTS_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <vector>

#include "salesops/core/span.hpp"

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

} // namespace simulate
} // namespace salesops

#endif // SALESOPS_SIMULATE_EVENTS_HPP
