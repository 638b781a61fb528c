// salesops::forecast — every public header of the forecast module.
#ifndef SALESOPS_FORECAST_HPP
#define SALESOPS_FORECAST_HPP

#include "salesops/forecast/linear_model.hpp"
#include "salesops/forecast/inference.hpp"
#include "salesops/forecast/diagnostics.hpp"
#include "salesops/forecast/robust.hpp"
#include "salesops/forecast/ridge.hpp"
#include "salesops/forecast/quantile_regression.hpp"
#include "salesops/forecast/design.hpp"
#include "salesops/forecast/boxcox.hpp"
#include "salesops/forecast/forecast.hpp"
#include "salesops/forecast/evaluation.hpp"
#include "salesops/forecast/batch.hpp"
#include "salesops/forecast/tsqr.hpp"

#endif // SALESOPS_FORECAST_HPP
