// salesops::core — every public header of the core module.
#ifndef SALESOPS_CORE_HPP
#define SALESOPS_CORE_HPP

#include "salesops/core/calendar.hpp"
#include "salesops/core/error.hpp"
#include "salesops/core/memory.hpp"
#include "salesops/core/moments.hpp"
#include "salesops/core/outcome.hpp"
#include "salesops/core/rng.hpp"
#include "salesops/core/scale.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/sum.hpp"
#include "salesops/core/validate.hpp"

#endif // SALESOPS_CORE_HPP
