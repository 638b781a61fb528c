// salesops::funnel — every public header of the funnel module.
#ifndef SALESOPS_FUNNEL_HPP
#define SALESOPS_FUNNEL_HPP


#endif // SALESOPS_FUNNEL_HPP
