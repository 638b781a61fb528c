// Exact power-of-two scaling. Sums of squares, norms and ratios of values near the ends of
// double's range overflow or underflow although their results are representable: 1e200^2 is
// inf, 1e-200^2 is 0. Dividing the values by 2^e first, 2^e the binade of the largest, brings
// them near 1 without rounding (a power of two changes only the exponent, short of the
// subnormal range), and the result is scaled back by the same power. Every module that scales
// this way takes its exponent from binade(), so the clamp below is decided once.
#ifndef SALESOPS_CORE_SCALE_HPP
#define SALESOPS_CORE_SCALE_HPP

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace salesops {

/// \brief The binade of a magnitude: the exponent e with 2^e <= largest < 2^(e+1).
///
/// Kept at or above `min_exponent - 1` (-1022 for double), so that the scale 2^-e is finite for
/// subnormal magnitudes too (they then scale into (0, 1) instead of [1, 2)). 0 when there is
/// nothing to scale: largest 0, negative, infinite or NaN (callers check finiteness first).
template <class Real> int binade(Real largest) noexcept {
  static_assert(std::is_floating_point_v<Real>, "binade needs a floating-point Real");
  if (!(largest > 0) || !std::isfinite(largest)) return 0;
  return std::max(std::ilogb(largest), std::numeric_limits<Real>::min_exponent - 1);
}

} // namespace salesops

#endif // SALESOPS_CORE_SCALE_HPP
