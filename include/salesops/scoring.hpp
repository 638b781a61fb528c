// salesops::scoring — every public header of the scoring module.
#ifndef SALESOPS_SCORING_HPP
#define SALESOPS_SCORING_HPP

#include "salesops/scoring/shrinkage.hpp"
#include "salesops/scoring/scorecard.hpp"
#include "salesops/scoring/rank_uncertainty.hpp"
#include "salesops/scoring/trend.hpp"
#include "salesops/scoring/dea.hpp"

#endif // SALESOPS_SCORING_HPP
