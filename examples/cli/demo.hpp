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
// "  (section failed: ...)" and the demo goes on, so one broken module does not hide the rest.
// Keep a section to about 15 lines of plain text, and make it depend only on ctx (the demo
// is deterministic in --seed). format_count / format_money below keep numbers alike across
// sections. examples/CMakeLists.txt compiles every cli/demo_*.cpp into the CLI (see
// demo_simulate.cpp for a complete section).
#ifndef SALESOPS_CLI_DEMO_HPP
#define SALESOPS_CLI_DEMO_HPP

#include <salesops/simulate/crm.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <functional>
#include <ostream>
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

/// Prints `sections` in increasing order (stable: ties keep their order), each as its title
/// underlined with '-' followed by its body; a section that throws prints
/// "  (section failed: <what>)" instead of stopping the demo.
inline void print_sections(const demo_context& ctx, std::vector<demo_section> sections,
                           std::ostream& out) {
  std::stable_sort(sections.begin(), sections.end(),
                   [](const demo_section& a, const demo_section& b) { return a.order < b.order; });
  for (const auto& s : sections) {
    out << "\n" << s.title << "\n" << std::string(s.title.size(), '-') << "\n";
    try {
      s.print(ctx, out);
    } catch (const std::exception& e) {
      out << "  (section failed: " << e.what() << ")\n";
    }
  }
}

/// An integer with thousands separators: 1234567 -> "1,234,567".
inline std::string format_count(long long n) {
  // Magnitude in unsigned arithmetic, so that the most negative value does not overflow.
  const unsigned long long magnitude =
      n < 0 ? 0ULL - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n);
  const std::string digits = std::to_string(magnitude);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

/// A money amount rounded to whole units with thousands separators: 1234567.8 -> "1,234,568".
inline std::string format_money(double amount) {
  return format_count(std::llround(amount));
}

} // namespace salesops_cli

#endif // SALESOPS_CLI_DEMO_HPP
