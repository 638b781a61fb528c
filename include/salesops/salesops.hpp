// salesops umbrella header: includes the whole library. A convenience only: every header
// stands alone, and including just the ones a program uses compiles faster.
#ifndef SALESOPS_SALESOPS_HPP
#define SALESOPS_SALESOPS_HPP

#include "salesops/core.hpp"
#include "salesops/forecast.hpp"
#include "salesops/funnel.hpp"
#include "salesops/pipeline.hpp"
#include "salesops/quota.hpp"
#include "salesops/scoring.hpp"
#include "salesops/simulate.hpp"
#include "salesops/stats.hpp"

/// \brief Library version as major * 10000 + minor * 100 + patch.
#define SALESOPS_VERSION 100

#endif // SALESOPS_SALESOPS_HPP
