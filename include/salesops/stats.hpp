// salesops::stats — every public header of the stats module.
#ifndef SALESOPS_STATS_HPP
#define SALESOPS_STATS_HPP

#include "salesops/stats/alternative.hpp"
#include "salesops/stats/beta_binomial.hpp"
#include "salesops/stats/bootstrap.hpp"
#include "salesops/stats/fft_convolution.hpp"
#include "salesops/stats/fisher.hpp"
#include "salesops/stats/multiple_testing.hpp"
#include "salesops/stats/power.hpp"
#include "salesops/stats/proportion.hpp"
#include "salesops/stats/proportion_accumulator.hpp"
#include "salesops/stats/quantile.hpp"
#include "salesops/stats/segment_comparison.hpp"
#include "salesops/stats/survival.hpp"
#include "salesops/stats/two_proportion.hpp"
#include "salesops/stats/weighted_bernoulli.hpp"

#endif // SALESOPS_STATS_HPP
