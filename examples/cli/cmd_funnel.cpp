// `salesops funnel`: the event-funnel level of every entity (salesops::funnel::event_funnel).
// Interface, relied on by other tools:
//   salesops funnel --window SECONDS --steps K
//                   [--mode default|strict_increase|strict_order|strict_deduplication|strict_once]
// reads CSV with header `entity,timestamp,steps` (integers; `steps` a bitmask, bit i set when
// the event matches step i+1; rows in any order) and prints CSV with header `entity,level`,
// one row per entity present in the input, ascending by entity. Extensions beyond that
// contract: `--mode allow_reentry|unordered` and `--anchor any_start|first_step` (default
// any_start).
#include "cli.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <salesops/core/validate.hpp>
#include <salesops/funnel/event_funnel.hpp>

namespace {

struct funnel_cli_options {
  // Signed so that negative values reach the library's checks (exit 2 naming the option).
  long long window = 0;
  long long steps = 0;
  std::string mode = "default";
  std::string anchor = "any_start";
};

// A column of non-negative integers as std::uint64_t; a negative value is bad CSV content.
std::vector<std::uint64_t> unsigned_column(const salesops_cli::csv_table& table,
                                           const std::string& name) {
  const std::size_t col = table.column(name);
  std::vector<std::uint64_t> out(table.rows.size());
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const long long v = table.integer(r, col);
    if (v < 0)
      throw salesops_cli::input_error("csv: column '" + name + "' at row " +
                                      std::to_string(r + 1) + " is negative (" +
                                      std::to_string(v) + ")");
    out[r] = static_cast<std::uint64_t>(v);
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
                      "any_start (ClickHouse) or first_step (Mixpanel/Amplitude uniques)");
       return [opt](salesops_cli::io& io) {
         salesops::check_in_range("funnel", "steps", opt->steps, 1LL, 64LL);
         salesops::funnel::event_funnel_options o;
         o.window = static_cast<std::int64_t>(opt->window);
         o.steps = static_cast<std::size_t>(opt->steps);
         o.mode = salesops::funnel::parse_funnel_mode(opt->mode);
         if (opt->anchor == "first_step")
           o.anchor = salesops::funnel::anchor_rule::first_step;
         else if (opt->anchor != "any_start")
           throw salesops_cli::input_error("funnel: --anchor must be any_start or first_step, not '" +
                                           opt->anchor + "'");
         const auto table = salesops_cli::read_csv(io.in);
         const auto entity = unsigned_column(table, "entity");
         const auto steps = unsigned_column(table, "steps");
         const auto ts = table.integers("timestamp");
         const std::vector<std::int64_t> timestamp(ts.begin(), ts.end());
         const auto r = salesops::funnel::event_funnel(entity, timestamp, steps, o);
         io.out << "entity,level\n";
         for (std::size_t i = 0; i < r.entities.size(); ++i)
           io.out << r.entities[i] << ',' << static_cast<unsigned>(r.levels[i]) << '\n';
       };
     }}};

} // namespace
