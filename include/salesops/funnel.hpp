// salesops::funnel — every public header of the funnel module.
#ifndef SALESOPS_FUNNEL_HPP
#define SALESOPS_FUNNEL_HPP

#include "salesops/funnel/breakdown.hpp"
#include "salesops/funnel/event_funnel.hpp"
#include "salesops/funnel/event_sort.hpp"
#include "salesops/funnel/markov.hpp"
#include "salesops/funnel/stage_funnel.hpp"
#include "salesops/funnel/stage_history.hpp"
#include "salesops/funnel/time_to_convert.hpp"


#endif // SALESOPS_FUNNEL_HPP
