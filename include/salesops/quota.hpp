// salesops::quota — every public header of the quota module.
#ifndef SALESOPS_QUOTA_HPP
#define SALESOPS_QUOTA_HPP

#include "salesops/quota/kpi.hpp"
#include "salesops/quota/pacing.hpp"
#include "salesops/quota/attainment.hpp"
#include "salesops/quota/capacity.hpp"
#include "salesops/quota/payout.hpp"

#endif // SALESOPS_QUOTA_HPP
