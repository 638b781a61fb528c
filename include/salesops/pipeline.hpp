// salesops::pipeline — every public header of the pipeline module.
#ifndef SALESOPS_PIPELINE_HPP
#define SALESOPS_PIPELINE_HPP

#include "salesops/pipeline/pipeline_metrics.hpp"
#include "salesops/pipeline/revenue_outlook.hpp"

#endif // SALESOPS_PIPELINE_HPP
