// `salesops demo [--seed N] [--reps N] [--months N]`: simulates a sales organisation
// (salesops::simulate) and prints a readable sales-operations summary, starting with the line
// "Sales-operations summary", then every registered demo section in order (see demo.hpp;
// the simulator's own section is in demo_simulate.cpp).
#include "cli.hpp"
#include "demo.hpp"

#include <salesops/core/calendar.hpp>
#include <salesops/simulate/crm.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace {

namespace sim = salesops::simulate;
using salesops_cli::format_count;

struct demo_options {
  std::uint64_t seed = 1;
  long long reps = 36;
  int months = 24;
};

const salesops_cli::registrar reg{
    {"demo", "simulate a sales organisation and print a sales-operations summary",
     [](CLI::App& app) -> salesops_cli::action {
       auto o = std::make_shared<demo_options>();
       app.add_option("--seed", o->seed, "random seed of the simulation")->capture_default_str();
       app.add_option("--reps", o->reps, "number of sales reps")
           ->capture_default_str()
           ->check(salesops_cli::count_option());
       app.add_option("--months", o->months, "simulated months")->capture_default_str();
       return [o](salesops_cli::io& io) {
         sim::config cfg;
         cfg.seed = o->seed;
         cfg.reps = static_cast<std::size_t>(o->reps);
         cfg.months = o->months;
         const sim::dataset data = sim::simulate_crm(cfg);
         io.out << "Sales-operations summary\n"
                << "========================\n"
                << "Simulated CRM (salesops::simulate, seed " << o->seed << "): "
                << salesops::format_date(data.start) << " to "
                << salesops::format_date(data.end - 1) << ", " << cfg.months << " months, "
                << format_count(static_cast<long long>(data.opportunities.size()))
                << " opportunities\n";
         const salesops_cli::demo_context ctx{data, cfg, o->seed};
         salesops_cli::print_sections(ctx, salesops_cli::demo_registry(), io.out);
       };
     }}};

} // namespace
