// Tests of salesops/simulate/events.hpp. References: a brute-force sequential funnel matcher
// written here (an entity reaches step k+1 when events matching steps 1..k+1 occur in time
// order, one event possibly matching several consecutive steps), the configured step
// probabilities recovered within binomial tolerance (z = 4.5, fixed seeds), and a hand
// derivation of the expected number of rows per entity.
#include <salesops/simulate/events.hpp>

#include <salesops/core/moments.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <vector>

namespace sim = salesops::simulate;
using Catch::Matchers::Contains;

namespace {

constexpr double z = 4.5;

struct columns {
  std::vector<std::uint64_t> entity, steps;
  std::vector<std::int64_t> timestamp;
  std::vector<std::size_t> chunk_sizes;
};

columns collect(const sim::event_config& cfg, sim::event_summary* summary = nullptr) {
  columns c;
  const auto s = sim::simulate_events(cfg, [&c](const sim::event_chunk& chunk) {
    REQUIRE(chunk.entity.size() == chunk.timestamp.size());
    REQUIRE(chunk.entity.size() == chunk.steps.size());
    c.chunk_sizes.push_back(chunk.entity.size());
    c.entity.insert(c.entity.end(), chunk.entity.begin(), chunk.entity.end());
    c.timestamp.insert(c.timestamp.end(), chunk.timestamp.begin(), chunk.timestamp.end());
    c.steps.insert(c.steps.end(), chunk.steps.begin(), chunk.steps.end());
  });
  if (summary) *summary = s;
  return c;
}

// Brute force: the deepest step each entity reaches, matching steps in order.
std::vector<std::uint64_t> reached_by_matching(const columns& c, std::size_t steps) {
  std::vector<std::uint64_t> reached(steps, 0);
  std::size_t level = 0;
  for (std::size_t r = 0; r < c.entity.size(); ++r) {
    if (r > 0 && c.entity[r] != c.entity[r - 1]) {
      for (std::size_t k = 0; k < level; ++k) ++reached[k];
      level = 0;
    }
    while (level < steps && (c.steps[r] >> level & 1u)) ++level;
  }
  if (!c.entity.empty())
    for (std::size_t k = 0; k < level; ++k) ++reached[k];
  return reached;
}

} // namespace

TEST_CASE("event step conversion recovers the configured probabilities", "[simulate][truth]") {
  sim::event_config cfg;
  cfg.seed = 3;
  cfg.entities = 200000;
  cfg.step_probabilities = GENERATE(std::vector<double>{0.6, 0.5, 0.4},
                                    std::vector<double>{0.9, 0.1}, std::vector<double>{1.0, 0.0});
  sim::event_summary summary;
  const columns c = collect(cfg, &summary);
  const std::size_t steps = cfg.step_probabilities.size() + 1;
  const auto reached = reached_by_matching(c, steps);
  CHECK(reached == summary.reached);
  CHECK(reached[0] == cfg.entities);
  for (std::size_t k = 1; k < steps; ++k) {
    const double p = cfg.step_probabilities[k - 1];
    const auto n = static_cast<double>(reached[k - 1]);
    const auto x = static_cast<double>(reached[k]);
    INFO("step " << k + 1 << ": " << x << " / " << n << " vs " << p);
    CHECK(std::fabs(x / n - p) <= z * std::sqrt(p * (1 - p) / n) + 1e-12);
    CHECK(summary.reach_probability[k] ==
          Approx(summary.reach_probability[k - 1] * p).epsilon(1e-15));
  }
  CHECK(summary.events == c.entity.size());
  CHECK(summary.entities == cfg.entities);
}

TEST_CASE("chunk size does not change the events", "[simulate]") {
  sim::event_config cfg;
  cfg.entities = 3000;
  const columns whole = collect(cfg);
  cfg.chunk_rows = GENERATE(as<std::size_t>{}, 1, 7, 1000, 100000);
  const columns chunked = collect(cfg);
  CHECK(chunked.entity == whole.entity);
  CHECK(chunked.timestamp == whole.timestamp);
  CHECK(chunked.steps == whole.steps);
  // Every chunk but the last is full.
  for (std::size_t i = 0; i + 1 < chunked.chunk_sizes.size(); ++i)
    CHECK(chunked.chunk_sizes[i] == cfg.chunk_rows);
  CHECK(chunked.chunk_sizes.back() <= cfg.chunk_rows);
}

TEST_CASE("events are grouped by entity and time-ordered", "[simulate]") {
  sim::event_config cfg;
  cfg.seed = GENERATE(as<std::uint64_t>{}, 1, 2);
  cfg.entities = 5000;
  cfg.noise_events_per_entity = 3;
  const columns c = collect(cfg);
  REQUIRE(!c.entity.empty());
  CHECK(c.entity.front() == 0);
  CHECK(c.entity.back() == cfg.entities - 1);
  for (std::size_t r = 1; r < c.entity.size(); ++r) {
    CHECK(c.entity[r] >= c.entity[r - 1]);
    CHECK(c.entity[r] - c.entity[r - 1] <= 1); // every entity has at least its step-1 event
    if (c.entity[r] == c.entity[r - 1]) CHECK(c.timestamp[r] >= c.timestamp[r - 1]);
  }
  for (std::size_t r = 0; r < c.entity.size(); ++r) {
    CHECK(c.steps[r] < (std::uint64_t{1} << 4));
    CHECK(c.timestamp[r] >= cfg.window_start);
  }
}

TEST_CASE("row counts, gaps and shared events follow the configuration", "[simulate][truth]") {
  sim::event_config cfg;
  cfg.seed = 8;
  cfg.entities = 100000;
  cfg.same_event_probability = 0.2;
  cfg.noise_events_per_entity = 0.5;
  const columns c = collect(cfg);
  // Hand: 1 + noise + sum_k P(reach step k+1) (1 - same) = 1 + 0.5 + (0.6 + 0.3 + 0.12) x 0.8
  //     = 2.316 rows per entity.
  CHECK(sim::expected_events_per_entity(cfg) == Approx(2.316).epsilon(1e-12));
  // Rows per entity: variance below 2.316 x (1 + 1) (Poisson noise plus at most 3 step rows);
  // use a deliberately wide sd of sqrt(2 x 2.316) per entity.
  const double expected = 2.316 * static_cast<double>(cfg.entities);
  CHECK(std::fabs(static_cast<double>(c.entity.size()) - expected) <=
        z * std::sqrt(2 * expected));
  // Events matching a step after the first: a share `same` of step arrivals share the event
  // of the previous step (two bits set), the others get their own row.
  double shared = 0, arrivals = 0;
  salesops::welford_moments<double> gaps;
  std::int64_t previous_step_time = 0;
  for (std::size_t r = 0; r < c.entity.size(); ++r) {
    const std::uint64_t s = c.steps[r];
    if (s == 0) continue;
    const bool first_of_entity = (s & 1u) != 0;
    const int bits = __builtin_popcountll(s);
    arrivals += bits - 1; // arrivals at steps 2.. carried by this row
    if (!first_of_entity) arrivals += 1;
    shared += bits - 1;
    if (!first_of_entity) gaps.update(static_cast<double>(c.timestamp[r] - previous_step_time));
    previous_step_time = c.timestamp[r];
  }
  CHECK(std::fabs(shared / arrivals - 0.2) <= z * std::sqrt(0.2 * 0.8 / arrivals));
  // Gap = 1 + floor(Exp(mean 3600)) seconds: mean 3600 + 1 - E[frac] ~ 3600.5, sd 3600.
  const auto m = gaps.result();
  CHECK(std::fabs(m.mean - 3600.5) <= z * 3600 / std::sqrt(static_cast<double>(m.count)));
}

TEST_CASE("same seed same events, other seed other events", "[simulate]") {
  sim::event_config cfg;
  cfg.entities = 1000;
  const columns a = collect(cfg), b = collect(cfg);
  CHECK(a.timestamp == b.timestamp);
  CHECK(a.steps == b.steps);
  cfg.seed = 2;
  const columns d = collect(cfg);
  CHECK(d.timestamp != a.timestamp);
}

TEST_CASE("bad event configurations throw typed errors", "[simulate]") {
  sim::event_config cfg;
  const auto ignore = [](const sim::event_chunk&) {};
  cfg.step_probabilities = {0.5, 1.2};
  CHECK_THROWS_AS(sim::simulate_events(cfg, ignore), salesops::out_of_range_value);
  CHECK_THROWS_WITH(sim::simulate_events(cfg, ignore), Contains("step_probabilities at row 1 is 1.2"));
  cfg = {};
  cfg.step_probabilities.assign(64, 0.5);
  CHECK_THROWS_WITH(sim::simulate_events(cfg, ignore), Contains("at most 64 steps"));
  cfg = {};
  cfg.mean_gap_seconds = 0;
  CHECK_THROWS_AS(sim::simulate_events(cfg, ignore), salesops::negative_value);
  cfg = {};
  cfg.window_seconds = -5;
  CHECK_THROWS_WITH(sim::simulate_events(cfg, ignore), Contains("window_seconds must be positive (is -5)"));
  cfg = {};
  cfg.chunk_rows = 0;
  CHECK_THROWS_AS(sim::simulate_events(cfg, ignore), salesops::negative_value);
  cfg = {};
  cfg.noise_events_per_entity = std::nan("");
  CHECK_THROWS_AS(sim::expected_events_per_entity(cfg), salesops::not_finite);
  cfg = {};
  cfg.same_event_probability = -0.1;
  CHECK_THROWS_AS(sim::simulate_events(cfg, ignore), salesops::out_of_range_value);
}

TEST_CASE("event summary prints", "[simulate]") {
  sim::event_config cfg;
  cfg.entities = 10;
  cfg.step_probabilities = {1.0};
  const auto s = sim::simulate_events(cfg, [](const sim::event_chunk&) {});
  std::ostringstream out;
  out << s;
  CHECK(out.str() == "event_summary{entities=10, events=" + std::to_string(s.events) +
                         ", reached=[10, 10]}");
}
