// salesops::simulate — every public header of the simulate module.
#ifndef SALESOPS_SIMULATE_HPP
#define SALESOPS_SIMULATE_HPP

#include "salesops/simulate/crm.hpp"
#include "salesops/simulate/events.hpp"

#endif // SALESOPS_SIMULATE_HPP
