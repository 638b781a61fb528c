// salesops::scoring — every public header of the scoring module.
#ifndef SALESOPS_SCORING_HPP
#define SALESOPS_SCORING_HPP


#endif // SALESOPS_SCORING_HPP
