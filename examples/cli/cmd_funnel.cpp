// `salesops funnel`: the event-funnel level of every entity (salesops::funnel::event_funnel).
// Interface, relied on by other tools:
//   salesops funnel --window SECONDS --steps K
//                   [--mode default|strict_increase|strict_order|strict_deduplication|strict_once]
// reads CSV with header `entity,timestamp,steps` (integers; `steps` a bitmask, bit i set when
// the event matches step i+1; rows in any order) and prints CSV with header `entity,level`,
// one row per entity present in the input, ascending by entity. Extensions beyond that
// contract (docs/funnel.md, "Command line"): `--mode allow_reentry|unordered`, `--anchor
// any|first` (also any_start|first_step), `--exclude STEP:FROM:TO`, `--optional STEP`,
// `--max-gap STEP:SECONDS` (each repeatable), `--hold COLUMN` (hold-constant key), `--attempts
// first|best|latest|every` and `--witness` (the chosen events).
#include "cli.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <salesops/core/validate.hpp>
#include <salesops/funnel/event_funnel.hpp>

namespace {

namespace fn = salesops::funnel;

struct funnel_cli_options {
  // Signed so that negative values reach the library's checks (exit 2 naming the option).
  long long window = 0;
  long long steps = 0;
  std::string mode = "default";
  std::string anchor = "any_start";
  std::vector<std::string> exclude, optional, max_gap;
  std::string hold;     // key column, empty: none
  std::string attempts; // empty: no attempt counting
  bool witness = false;
};

[[noreturn]] void bad_flag(const std::string& flag, const std::string& value, const std::string& why) {
  throw salesops_cli::input_error("funnel: " + flag + " '" + value + "': " + why);
}

// "a:b:c" as `count` integers; anything else is a bad value of `flag`, shown as `form`.
std::vector<long long> integer_fields(const std::string& flag, const std::string& value,
                                      std::size_t count, const char* form) {
  std::vector<long long> out;
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = value.find(':', begin);
    const std::string field = value.substr(begin, end == std::string::npos ? end : end - begin);
    std::size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(field, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (field.empty() || used != field.size()) bad_flag(flag, value, std::string("expected ") + form);
    out.push_back(v);
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  if (out.size() != count) bad_flag(flag, value, std::string("expected ") + form);
  return out;
}

// The command-line flags as library options; ranges are checked here so that the message
// names the flag and the value as typed (the library checks them again).
fn::event_funnel_options to_options(const funnel_cli_options& c) {
  salesops::check_in_range("funnel", "steps", c.steps, 1LL, 64LL);
  const long long k = c.steps;
  fn::event_funnel_options o;
  o.window = static_cast<std::int64_t>(c.window);
  o.steps = static_cast<std::size_t>(k);
  o.mode = fn::parse_funnel_mode(c.mode);
  if (c.anchor == "first" || c.anchor == "first_step")
    o.anchor = fn::anchor_rule::first_step;
  else if (c.anchor != "any" && c.anchor != "any_start")
    bad_flag("--anchor", c.anchor, "expected any or first");
  for (const std::string& x : c.exclude) {
    const auto f = integer_fields("--exclude", x, 3, "STEP:FROM:TO");
    if (f[0] <= k || f[0] > 64)
      bad_flag("--exclude", x, "STEP marks exclusion events with bit STEP-1 and must lie in [" +
                                   std::to_string(k + 1) + ", 64] (steps 1.." +
                                   std::to_string(k) + " are funnel steps)");
    if (f[1] < 1 || f[1] >= f[2] || f[2] > k)
      bad_flag("--exclude", x, "need 1 <= FROM < TO <= " + std::to_string(k));
    o.exclusions.push_back({static_cast<std::size_t>(f[0] - 1), static_cast<std::size_t>(f[1]),
                            static_cast<std::size_t>(f[2])});
  }
  for (const std::string& s : c.optional) {
    const auto f = integer_fields("--optional", s, 1, "STEP");
    if (f[0] < 2 || f[0] > k)
      bad_flag("--optional", s, "STEP must lie in [2, " + std::to_string(k) + "] (step 1 opens the window)");
    o.optional_steps.push_back(static_cast<std::size_t>(f[0]));
  }
  for (const std::string& g : c.max_gap) {
    const auto f = integer_fields("--max-gap", g, 2, "STEP:SECONDS");
    if (f[0] < 2 || f[0] > k)
      bad_flag("--max-gap", g, "STEP must lie in [2, " + std::to_string(k) + "]");
    if (f[1] <= 0) bad_flag("--max-gap", g, "SECONDS must be positive");
    o.max_gaps.push_back({static_cast<std::size_t>(f[0]), static_cast<std::int64_t>(f[1])});
  }
  if (!c.attempts.empty()) {
    if (c.attempts != "first" && c.attempts != "best" && c.attempts != "latest" && c.attempts != "every")
      bad_flag("--attempts", c.attempts, "expected first, best, latest or every");
    if (c.witness) bad_flag("--attempts", c.attempts, "cannot be combined with --witness");
    if (o.anchor == fn::anchor_rule::first_step)
      bad_flag("--attempts", c.attempts, "counts attempts from every step-1 time; --anchor first is --attempts first");
  }
  return o;
}

std::string joined(const std::vector<long long>& values) {
  std::string out;
  for (std::size_t j = 0; j < values.size(); ++j) out += (j ? ";" : "") + std::to_string(values[j]);
  return out;
}

// Per entity, its events in position order (time, then input order) as the library orders
// them, for the per-entity calls (attempts, witnesses).
struct entity_events {
  std::uint64_t entity = 0;
  std::vector<std::size_t> input_rows; // 0-based data rows
  std::vector<std::int64_t> time;
  std::vector<std::uint64_t> steps, key;
};

std::vector<entity_events> by_entity(const std::vector<std::uint64_t>& entity,
                                     const std::vector<std::int64_t>& time,
                                     const std::vector<std::uint64_t>& steps,
                                     const std::vector<std::uint64_t>& key) {
  std::vector<std::size_t> order(entity.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return entity[a] != entity[b] ? entity[a] < entity[b] : time[a] < time[b];
  });
  std::vector<entity_events> out;
  for (std::size_t i : order) {
    if (out.empty() || out.back().entity != entity[i]) out.push_back({entity[i], {}, {}, {}, {}});
    entity_events& e = out.back();
    e.input_rows.push_back(i);
    e.time.push_back(time[i]);
    e.steps.push_back(steps[i]);
    if (!key.empty()) e.key.push_back(key[i]);
  }
  return out;
}

const salesops_cli::registrar reg{
    {"funnel", "event-funnel level per entity (CSV entity,timestamp,steps -> entity,level)",
     [](CLI::App& app) -> salesops_cli::action {
       auto opt = std::make_shared<funnel_cli_options>();
       app.add_option("--window", opt->window, "conversion window in seconds (> 0)")->required();
       app.add_option("--steps", opt->steps, "number of funnel steps K (1..64)")->required();
       app.add_option("--mode", opt->mode,
                      "default, strict_increase, strict_order, strict_deduplication, "
                      "strict_once, allow_reentry or unordered (default: default)");
       app.add_option("--anchor", opt->anchor,
                      "any (ClickHouse; also any_start) or first (Mixpanel/Amplitude uniques; "
                      "also first_step)");
       app.add_option("--exclude", opt->exclude,
                      "STEP:FROM:TO, repeatable: events with bit STEP-1 (STEP > K) between steps "
                      "FROM and TO invalidate the chain");
       app.add_option("--optional", opt->optional, "STEP, repeatable: a step chains may skip (2..K)");
       app.add_option("--max-gap", opt->max_gap,
                      "STEP:SECONDS, repeatable: step STEP within SECONDS of the previous step");
       app.add_option("--hold", opt->hold,
                      "COLUMN: a chain's events must share this column's integer value");
       app.add_option("--attempts", opt->attempts,
                      "first, best or latest: that attempt's level; every: entity,start,level "
                      "per step-1 time");
       app.add_flag("--witness", opt->witness,
                    "print the chosen chain: entity,level,steps,input_rows,timestamps,seconds_to_next");
       return [opt](salesops_cli::io& io) {
         // The library's rows are the file's data rows here: errors name them from 1.
         salesops_cli::with_data_rows(
             [&] {
               const fn::event_funnel_options o = to_options(*opt);
               const auto table = salesops_cli::read_csv(io.in);
               const auto entity = table.unsigned_integers("entity");
               const auto steps = table.unsigned_integers("steps");
               const auto ts = table.integers("timestamp");
               const std::vector<std::int64_t> timestamp(ts.begin(), ts.end());
               const std::vector<std::uint64_t> key = opt->hold.empty()
                                                          ? std::vector<std::uint64_t>{}
                                                          : table.unsigned_integers(opt->hold);
               if (!opt->witness && opt->attempts.empty()) { // the contract's path
                 const auto r = key.empty()
                                    ? fn::event_funnel(entity, timestamp, steps, o)
                                    : fn::event_funnel_held(entity, key, timestamp, steps, o);
                 io.out << "entity,level\n";
                 for (std::size_t i = 0; i < r.entities.size(); ++i)
                   io.out << r.entities[i] << ',' << static_cast<unsigned>(r.levels[i]) << '\n';
                 return;
               }
               // Validates every row (naming the caller's row) before the per-entity calls.
               fn::event_funnel(entity, timestamp, steps, o);
               const auto groups = by_entity(entity, timestamp, steps, key);
               if (opt->witness) {
                 io.out << "entity,level,steps,input_rows,timestamps,seconds_to_next\n";
                 for (const entity_events& e : groups) {
                   const fn::funnel_witness w =
                       key.empty() ? fn::entity_funnel_witness(e.time, e.steps, o)
                                   : fn::entity_funnel_witness_held(e.time, e.key, e.steps, o);
                   std::vector<long long> step_list, rows, times, gaps;
                   for (std::size_t j = 0; j < w.rows.size(); ++j) {
                     step_list.push_back(static_cast<long long>(w.steps[j]));
                     rows.push_back(static_cast<long long>(e.input_rows[w.rows[j]]) + 1); // 1-based
                     times.push_back(e.time[w.rows[j]]);
                   }
                   for (std::int64_t s : w.seconds_to_next) gaps.push_back(s);
                   io.out << e.entity << ',' << w.level << ',' << joined(step_list) << ','
                          << joined(rows) << ',' << joined(times) << ',' << joined(gaps) << '\n';
                 }
                 return;
               }
               io.out << (opt->attempts == "every" ? "entity,start,level\n" : "entity,level\n");
               for (const entity_events& e : groups) {
                 const auto attempts =
                     key.empty() ? fn::entity_funnel_attempts(e.time, e.steps, o)
                                 : fn::entity_funnel_attempts_held(e.time, e.key, e.steps, o);
                 if (opt->attempts == "every") {
                   if (attempts.empty())
                     io.out << e.entity << ",,0\n"; // no step-1 event: no attempt
                   for (const fn::funnel_attempt& a : attempts)
                     io.out << e.entity << ',' << a.start << ',' << a.level << '\n';
                   continue;
                 }
                 std::size_t level = 0;
                 if (!attempts.empty()) {
                   if (opt->attempts == "first")
                     level = attempts.front().level;
                   else if (opt->attempts == "latest")
                     level = attempts.back().level;
                   else
                     for (const fn::funnel_attempt& a : attempts) level = std::max(level, a.level);
                 }
                 io.out << e.entity << ',' << level << '\n';
               }
             },
             {"entity", "timestamp", "steps"});
       };
     }}};

} // namespace
