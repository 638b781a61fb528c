// salesops::simulate — every public header of the simulate module.
#ifndef SALESOPS_SIMULATE_HPP
#define SALESOPS_SIMULATE_HPP


#endif // SALESOPS_SIMULATE_HPP
