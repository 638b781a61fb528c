// Event funnel throughput (salesops::funnel::event_funnel) on simulated event logs: 5 steps,
// 1-day window, 1 M / 10 M / 100 M events from the simulator's streaming generator
// (salesops/simulate/events.hpp, seed 42), pre-sorted (as generated: by entity, then time)
// and shuffled (the library sorts a copy with the radix sort of salesops/funnel/event_sort.hpp;
// BM_sort_events times that sort alone; BM_floor_* time reference loops, below;
// *_scalar force the scalar pre-sorted pass where the library would take the AVX2 one;
// *_kept reuses a result the caller keeps). The counter ns_per_event is wall time per event.
//
// Export for the DuckDB peer (benchmarks/duckdb_funnel.mjs): with SALESOPS_FUNNEL_EXPORT=FILE
// and SALESOPS_FUNNEL_EXPORT_EVENTS=N set, the program writes the N-event data set as CSV
// (entity,timestamp,steps) to FILE, prints the first-step-anchored per-level counts as JSON on
// standard output and exits without running the benchmarks.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "salesops/core/rng.hpp"
#include "salesops/funnel/event_funnel.hpp"
#include "salesops/funnel/event_sort.hpp"
#include "salesops/simulate/events.hpp"

namespace {

using salesops::funnel::anchor_rule;
using salesops::funnel::event_funnel_options;
using salesops::funnel::funnel_mode;

constexpr std::int64_t day = 86400;
constexpr std::size_t funnel_steps = 5;

struct dataset {
  std::size_t target = 0;
  std::vector<std::uint64_t> entity, steps;
  std::vector<std::int64_t> timestamp;
};

// Simulator configuration giving about `events` rows with 5 steps.
salesops::simulate::event_config config_for(std::size_t events) {
  salesops::simulate::event_config cfg;
  cfg.seed = 42;
  cfg.step_probabilities = {0.7, 0.6, 0.5, 0.4};
  cfg.mean_gap_seconds = 6 * 3600.0; // some conversions fall outside the 1-day window
  cfg.noise_events_per_entity = 2.0;
  cfg.chunk_rows = 1u << 20;
  cfg.entities = static_cast<std::uint64_t>(static_cast<double>(events) /
                                            salesops::simulate::expected_events_per_entity(cfg));
  return cfg;
}

dataset generate(std::size_t events) {
  dataset d;
  d.target = events;
  const auto cfg = config_for(events);
  const std::size_t reserve = events + events / 8;
  d.entity.reserve(reserve);
  d.steps.reserve(reserve);
  d.timestamp.reserve(reserve);
  salesops::simulate::simulate_events(cfg, [&](const salesops::simulate::event_chunk& c) {
    d.entity.insert(d.entity.end(), c.entity.begin(), c.entity.end());
    d.timestamp.insert(d.timestamp.end(), c.timestamp.begin(), c.timestamp.end());
    d.steps.insert(d.steps.end(), c.steps.begin(), c.steps.end());
  });
  return d;
}

dataset shuffled(const dataset& d) {
  std::vector<std::size_t> perm(d.entity.size());
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  salesops::rng g(7);
  std::shuffle(perm.begin(), perm.end(), g);
  dataset s;
  s.target = d.target;
  s.entity.resize(perm.size());
  s.timestamp.resize(perm.size());
  s.steps.resize(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) {
    s.entity[i] = d.entity[perm[i]];
    s.timestamp[i] = d.timestamp[perm[i]];
    s.steps[i] = d.steps[perm[i]];
  }
  return s;
}

// One data set in memory at a time (100 M events are 2.4 GB, 4.8 GB with the shuffled copy).
const dataset& data(std::size_t events, bool sorted) {
  static dataset cached_sorted, cached_shuffled;
  if (cached_sorted.target != events) {
    cached_shuffled = dataset{};
    cached_sorted = generate(events);
  }
  if (sorted) return cached_sorted;
  if (cached_shuffled.target != events) cached_shuffled = shuffled(cached_sorted);
  return cached_shuffled;
}

event_funnel_options options(anchor_rule anchor) {
  event_funnel_options o;
  o.window = day;
  o.steps = funnel_steps;
  o.mode = funnel_mode::standard;
  o.anchor = anchor;
  return o;
}

void set_counters(benchmark::State& state, const dataset& d) {
  const auto n = static_cast<double>(d.entity.size());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(d.entity.size()));
  state.counters["events"] = n;
  state.counters["ns_per_event"] = benchmark::Counter(
      n * 1e-9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

using salesops::funnel::detail::sorted_path;

// path: the library's choice (the AVX2 pre-sorted pass where the processor has AVX2), or the
// scalar pass forced, for A/B runs in one process.
void run(benchmark::State& state, bool sorted, anchor_rule anchor,
         sorted_path path = sorted_path::automatic) {
  const dataset& d = data(static_cast<std::size_t>(state.range(0)), sorted);
  const auto o = options(anchor);
  std::uint64_t converted = 0;
  for (auto _ : state) {
    const auto r = salesops::funnel::detail::event_funnel_by(d.entity, d.timestamp, d.steps, o, path);
    converted = r.reached.back();
    benchmark::DoNotOptimize(converted);
  }
  set_counters(state, d);
  state.counters["converted"] = static_cast<double>(converted);
}

// The pre-sorted case into a result the caller keeps (event_funnel's overload with `out`), filled
// once before the timed calls: its storage is reused, so that a large result costs no allocation
// and no page faults on each call.
void BM_event_funnel_sorted_kept(benchmark::State& state) {
  const dataset& d = data(static_cast<std::size_t>(state.range(0)), true);
  const auto o = options(anchor_rule::any_start);
  salesops::funnel::event_funnel_result kept;
  salesops::funnel::event_funnel(d.entity, d.timestamp, d.steps, o, kept);
  for (auto _ : state) {
    salesops::funnel::event_funnel(d.entity, d.timestamp, d.steps, o, kept);
    benchmark::DoNotOptimize(kept.reached.back());
  }
  set_counters(state, d);
  state.counters["converted"] = static_cast<double>(kept.reached.back());
}

// The sort of the unsorted case alone (sort_events on the shuffled columns).
void BM_sort_events(benchmark::State& state) {
  const dataset& d = data(static_cast<std::size_t>(state.range(0)), false);
  for (auto _ : state) {
    const auto s = salesops::funnel::sort_events(d.entity, d.timestamp, d.steps);
    benchmark::DoNotOptimize(s.steps.data());
  }
  set_counters(state, d);
}

// Reference loops for the pre-sorted funnel on this data (docs/benchmarks.md): a branch-free
// pass that only reads the three columns (a floor for any pass), and a loop that counts the
// entities, sizes the output and stores one value per entity at each entity boundary (one
// data-dependent branch per event, mispredicted about once per entity): the floor of a scalar
// pass built that way. The library's passes avoid that branch and the count (the AVX2 pass
// runs below this loop's time).
void BM_floor_read_columns(benchmark::State& state) {
  const dataset& d = data(static_cast<std::size_t>(state.range(0)), true);
  for (auto _ : state) {
    std::uint64_t acc = 0;
    for (std::size_t i = 0; i < d.entity.size(); ++i)
      acc += d.entity[i] ^ static_cast<std::uint64_t>(d.timestamp[i]) ^ d.steps[i];
    benchmark::DoNotOptimize(acc);
  }
  set_counters(state, d);
}

void BM_floor_entity_boundaries(benchmark::State& state) {
  const dataset& d = data(static_cast<std::size_t>(state.range(0)), true);
  const std::size_t n = d.entity.size();
  for (auto _ : state) {
    std::size_t entities = 1;
    for (std::size_t i = 1; i < n; ++i) entities += d.entity[i] != d.entity[i - 1];
    std::vector<std::uint64_t> ids(entities);
    std::vector<std::uint8_t> values(entities);
    std::size_t slot = 0;
    std::uint64_t current = d.entity[0], value = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (d.entity[i] != current) {
        ids[slot] = current;
        values[slot] = static_cast<std::uint8_t>(value);
        ++slot;
        current = d.entity[i];
        value = 0;
      }
      value |= d.steps[i] ^ static_cast<std::uint64_t>(d.timestamp[i]);
    }
    ids[slot] = current;
    values[slot] = static_cast<std::uint8_t>(value);
    benchmark::DoNotOptimize(values.data());
    benchmark::DoNotOptimize(ids.data());
  }
  set_counters(state, d);
}

void BM_event_funnel_sorted(benchmark::State& state) { run(state, true, anchor_rule::any_start); }
void BM_event_funnel_sorted_first_step(benchmark::State& state) {
  run(state, true, anchor_rule::first_step);
}
void BM_event_funnel_unsorted(benchmark::State& state) { run(state, false, anchor_rule::any_start); }
void BM_event_funnel_sorted_scalar(benchmark::State& state) {
  run(state, true, anchor_rule::any_start, sorted_path::scalar);
}
void BM_event_funnel_sorted_first_step_scalar(benchmark::State& state) {
  run(state, true, anchor_rule::first_step, sorted_path::scalar);
}

// Grouped by size so each data set is generated once.
void register_all() {
  for (std::int64_t n : {1000000LL, 10000000LL, 100000000LL}) {
    const auto iterations = n >= 100000000LL ? 1 : 0;
    for (auto* b :
         {benchmark::RegisterBenchmark("BM_event_funnel_sorted", BM_event_funnel_sorted),
          benchmark::RegisterBenchmark("BM_event_funnel_sorted_first_step",
                                       BM_event_funnel_sorted_first_step),
          benchmark::RegisterBenchmark("BM_event_funnel_sorted_kept", BM_event_funnel_sorted_kept),
          benchmark::RegisterBenchmark("BM_event_funnel_sorted_scalar",
                                       BM_event_funnel_sorted_scalar),
          benchmark::RegisterBenchmark("BM_event_funnel_sorted_first_step_scalar",
                                       BM_event_funnel_sorted_first_step_scalar),
          benchmark::RegisterBenchmark("BM_event_funnel_unsorted", BM_event_funnel_unsorted),
          benchmark::RegisterBenchmark("BM_sort_events", BM_sort_events),
          benchmark::RegisterBenchmark("BM_floor_read_columns", BM_floor_read_columns),
          benchmark::RegisterBenchmark("BM_floor_entity_boundaries", BM_floor_entity_boundaries)}) {
      b->Arg(n)->Unit(benchmark::kMillisecond)->UseRealTime();
      if (iterations) b->Iterations(iterations)->Repetitions(3)->ReportAggregatesOnly(false);
    }
  }
}

// Writes the data set and our first-step-anchored counts, then exits (see the top comment).
int export_if_requested() {
  const char* path = std::getenv("SALESOPS_FUNNEL_EXPORT");
  if (path == nullptr) {
    register_all();
    return 0;
  }
  const char* n_text = std::getenv("SALESOPS_FUNNEL_EXPORT_EVENTS");
  const std::size_t n = n_text ? static_cast<std::size_t>(std::strtoull(n_text, nullptr, 10)) : 1000000;
  const dataset d = generate(n);
  std::FILE* f = std::fopen(path, "w");
  if (f == nullptr) {
    std::cerr << "cannot write " << path << "\n";
    std::exit(1);
  }
  std::fputs("entity,timestamp,steps\n", f);
  for (std::size_t i = 0; i < d.entity.size(); ++i)
    std::fprintf(f, "%llu,%lld,%llu\n", static_cast<unsigned long long>(d.entity[i]),
                 static_cast<long long>(d.timestamp[i]), static_cast<unsigned long long>(d.steps[i]));
  std::fclose(f);
  const auto r = salesops::funnel::event_funnel(d.entity, d.timestamp, d.steps,
                                                options(anchor_rule::first_step));
  std::cout << "{\"events\": " << d.entity.size() << ", \"entities\": " << r.entities.size()
            << ", \"reached\": [";
  for (std::size_t j = 0; j < r.reached.size(); ++j) std::cout << (j ? ", " : "") << r.reached[j];
  std::cout << "]}" << std::endl;
  std::exit(0);
}

[[maybe_unused]] const int registered = export_if_requested();

} // namespace
