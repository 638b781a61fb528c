// salesops::stats — every public header of the stats module.
#ifndef SALESOPS_STATS_HPP
#define SALESOPS_STATS_HPP

#include "salesops/stats/proportion.hpp"
#include "salesops/stats/quantile.hpp"
#include "salesops/stats/weighted_bernoulli.hpp"

#endif // SALESOPS_STATS_HPP
