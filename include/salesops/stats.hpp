// salesops::stats — every public header of the stats module.
#ifndef SALESOPS_STATS_HPP
#define SALESOPS_STATS_HPP


#endif // SALESOPS_STATS_HPP
