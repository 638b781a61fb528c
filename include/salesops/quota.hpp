// salesops::quota — every public header of the quota module.
#ifndef SALESOPS_QUOTA_HPP
#define SALESOPS_QUOTA_HPP


#endif // SALESOPS_QUOTA_HPP
