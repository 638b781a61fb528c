// `salesops demo`: simulates a sales organisation and prints a sales-operations summary, one
// section per module. Sections register themselves, so each module adds its own file and
// nobody edits a shared one.
//
// How to add a section (e.g. examples/cli/demo_funnel.cpp):
//
//   #include "demo.hpp"
//   #include <salesops/funnel.hpp>
//   namespace {
//   const salesops_cli::demo_registrar reg{{"Funnel", 20,
//     [](const salesops_cli::demo_context& ctx, std::ostream& out) {
//       const auto& opp = ctx.data.opportunities;   // columns of salesops::simulate::dataset
//       out << "  stage conversion ...\n";           // indent lines by two spaces
//     }}};
//   }
//
// Sections print in increasing `order` (ties: registration order): 10 organisation and
// bookings (simulate), 20 funnel, 30 quota attainment, 40 rep scores, 50 forecast. The demo
// prints each title underlined, then calls `print`; a section that throws is reported as
// "(section failed: ...)" and the demo goes on, so one broken module does not hide the rest.
// Keep a section to about 15 lines of plain text, and make it depend only on ctx (the demo
// is deterministic in --seed).
#ifndef SALESOPS_CLI_DEMO_HPP
#define SALESOPS_CLI_DEMO_HPP

#include <salesops/simulate/crm.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace salesops_cli {

/// What every demo section sees: the simulated data, the configuration and the seed.
struct demo_context {
  const salesops::simulate::dataset& data;  ///< The simulated CRM.
  const salesops::simulate::config& config; ///< The configuration it was drawn from.
  std::uint64_t seed;                       ///< The --seed of the demo.
};

/// One section of the demo summary.
struct demo_section {
  std::string title; ///< Printed as the section heading.
  int order;         ///< Sections print in increasing order.
  std::function<void(const demo_context&, std::ostream&)> print; ///< Writes the section body.
};

/// All registered demo sections, in registration order (inline: one instance per program).
inline std::vector<demo_section>& demo_registry() {
  static std::vector<demo_section> sections;
  return sections;
}

/// Registers a demo section at static-initialisation time: `static demo_registrar r{{...}};`.
struct demo_registrar {
  /// Adds `s` to demo_registry().
  explicit demo_registrar(demo_section s) { demo_registry().push_back(std::move(s)); }
};

} // namespace salesops_cli

#endif // SALESOPS_CLI_DEMO_HPP
