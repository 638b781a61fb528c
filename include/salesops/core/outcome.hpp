// The outcome of an opportunity — open, won or lost — the one definition shared by the
// simulator, the funnel module and the KPI helpers, so that a module needing only this enum
// does not pull in another module's headers.
#ifndef SALESOPS_CORE_OUTCOME_HPP
#define SALESOPS_CORE_OUTCOME_HPP

#include <cstdint>
#include <ostream>

namespace salesops {

/// \brief How an opportunity ended, or that it has not ended yet.
enum class outcome : std::uint8_t {
  open, ///< not closed (yet)
  won,  ///< closed won
  lost  ///< closed lost
};

/// \brief Prints a name: "open", "won" or "lost" ("outcome(N)" for a value outside the enum).
inline std::ostream& operator<<(std::ostream& out, outcome o) {
  switch (o) {
  case outcome::open: return out << "open";
  case outcome::won: return out << "won";
  case outcome::lost: return out << "lost";
  }
  return out << "outcome(" << static_cast<int>(o) << ")";
}

} // namespace salesops

#endif // SALESOPS_CORE_OUTCOME_HPP
