// Cyclic convolution of nonnegative sequences by the fast Fourier transform, with a rigorous
// a-priori bound on the floating-point error of every output value.
//
// The transform is the radix-2 Cooley-Tukey FFT: decimation in frequency for the forward
// transform (natural order in, bit-reversed out) and decimation in time for the inverse
// (bit-reversed in, natural out), so no permutation pass is needed. Two real factors share one
// complex transform (z = a + i b; A_k = (Z_k + conj Z_-k) / 2, B_k = (Z_k - conj Z_-k) / 2i).
//
// Error bound. Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed. (SIAM 2002),
// Theorem 24.2: for n = 2^t, the computed radix-2 FFT satisfies
//     ||fl(F x) - F x||_2 <= eps_t ||F x||_2,  eps_t = t eta / (1 - t eta),
//     eta = mu + gamma_4 (sqrt(2) + mu),  gamma_k = k u / (1 - k u),  u = 2^-53,
// where mu bounds the error of each computed twiddle factor. The theorem is stated for
// decimation in time; its proof bounds one butterfly stage at a time (two inputs, one twiddle
// multiplication, one addition per output) and applies unchanged to the decimation-in-frequency
// stages. Twiddles are computed from angles <= pi/4 and extended by exact symmetries, so with
// sin/cos accurate to 1 ulp mu <= sqrt(2) (1.6 u + u) < 4 u (checked against long double in the
// tests). The bound then follows each step of the algorithm (packing, separation, pointwise
// products, inverse transform) through ||F x||_2 = sqrt(n) ||x||_2 and |F x|_k <= sum(x) for
// x >= 0 (see cyclic_convolution::result); it is an absolute L2 bound on the output vector,
// hence on every value, and sqrt(n) times it bounds the L1 error (so every partial sum).
#ifndef SALESOPS_STATS_FFT_CONVOLUTION_HPP
#define SALESOPS_STATS_FFT_CONVOLUTION_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <ostream>
#include <utility>
#include <vector>

#include <boost/math/constants/constants.hpp>

#include "salesops/core/error.hpp"
#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"

namespace salesops::stats {

/// \brief A convolution computed in floating point, with rigorous bounds on its error.
struct convolution_result {
  std::vector<double> values; ///< the convolution (negative rounding noise clamped to 0)
  double l2_error_bound = 0;  ///< bound on ||values - exact||_2, so on every |value - exact|
  double l1_error_bound = 0;  ///< bound on ||values - exact||_1, so on every partial sum
};

/// \brief Prints the size and the error bounds, for debugging.
inline std::ostream& operator<<(std::ostream& out, const convolution_result& r) {
  return out << "convolution_result{size=" << r.values.size()
             << ", l2_error_bound=" << r.l2_error_bound
             << ", l1_error_bound=" << r.l1_error_bound << "}";
}

/// \brief Unit roundoff of double, u = 2^-53.
inline constexpr double unit_roundoff = std::numeric_limits<double>::epsilon() / 2;

/// \brief Bound mu on the absolute error of each computed twiddle factor (see the top comment).
inline constexpr double fft_twiddle_error = 4 * unit_roundoff;

/// \brief gamma_k = k u / (1 - k u) (Higham 2002, Lemma 3.1): the relative error bound of k
/// successive roundings.
inline double rounding_gamma(double k) noexcept {
  return k * unit_roundoff / (1 - k * unit_roundoff);
}

/// \brief eps_t of Higham (2002), Theorem 24.2: relative L2 error bound of one radix-2 FFT of
/// size n = 2^t, with twiddles accurate to fft_twiddle_error.
inline double fft_relative_error_bound(std::size_t n) noexcept {
  double t = 0;
  for (std::size_t m = 1; m < n; m *= 2) t += 1;
  const double mu = fft_twiddle_error;
  const double eta = mu + rounding_gamma(4) * (std::sqrt(2.0) + mu);
  return t * eta / (1 - t * eta);
}

namespace detail {
class fft_twiddles;
} // namespace detail

/// \brief Accumulator of the cyclic convolution (modulo n) of nonnegative sequences: the
/// product of their discrete Fourier transforms. Factor k contributes its value f_k[i] at
/// index (offset_k + i) mod n; result()[j] = sum over index tuples with sum = j (mod n) of
/// prod_k f_k[i_k]. With no factor the result is the unit impulse at 0.
class cyclic_convolution {
public:
  /// \brief Prepares a convolution modulo n.
  /// \throws salesops::out_of_range_value unless n is a power of two.
  explicit cyclic_convolution(std::size_t n);

  /// \brief Transform size n.
  std::size_t size() const noexcept { return n_; }
  /// \brief Number of factors added so far.
  std::size_t factors() const noexcept { return factors_; }

  /// \brief Adds a factor (nonnegative values, any length: cells beyond n are folded).
  /// \throws salesops::not_finite, salesops::negative_value naming the row of a bad value.
  void update(span<const double> factor, std::int64_t offset = 0);

  /// \brief The convolution of every factor added, as n values, with its error bounds.
  convolution_result result();

private:
  struct folded {
    std::vector<double> values;
    double mass = 0, norm2 = 0, fold_error = 0;
  };
  void multiply_in(const std::vector<double>& re, const std::vector<double>& im, double mass,
                   double error, double norm2);

  std::size_t n_;
  std::shared_ptr<const detail::fft_twiddles> twiddles_;
  std::vector<double> zr_, zi_; // work space of one transform
  std::size_t factors_ = 0;
  bool have_pending_ = false;
  folded pending_;
  std::vector<double> acc_re_, acc_im_; // product of the spectra so far (bit-reversed order)
  bool have_acc_ = false;
  double acc_mass_ = 1;    // product of the factors' masses: bounds |spectrum| everywhere
  double acc_error_ = 0;   // L2 bound on the error of the accumulated spectrum
  double acc_norm_ = 0;    // bound on ||exact accumulated spectrum||_2 / sqrt(n)
};

/// \brief Linear convolution of two nonnegative sequences by FFT (size a + b - 1), with the
/// error bounds of cyclic_convolution. Empty input gives an empty result.
/// \throws salesops::not_finite, salesops::negative_value naming `a` or `b` and the row.
inline convolution_result fft_convolve(span<const double> a, span<const double> b);

// ---------------------------------------------------------------------------------------
// Implementation.

namespace detail {

// Twiddle tables for every stage up to size n: entries [h, 2h) hold w_j = exp(-2 pi i j / 2h),
// j < h. The largest table is computed from angles <= pi/4 and symmetries; smaller ones are
// exact copies of every other entry.
class fft_twiddles {
public:
  explicit fft_twiddles(std::size_t n) : re_(std::max<std::size_t>(n, 2)), im_(re_.size()) {
    const std::size_t h = re_.size() / 2; // the largest stage has size 2h
    const double two_pi = boost::math::constants::two_pi<double>();
    const std::size_t size = 2 * h;
    // Angle theta_j = 2 pi j / size; first the octant j <= size / 8 directly.
    std::vector<double> c(h / 2 + 1), s(h / 2 + 1);
    const std::size_t eighth = size / 8;
    for (std::size_t j = 0; j <= h / 2; ++j) {
      if (j <= eighth || size < 8) {
        const double theta = two_pi * static_cast<double>(j) / static_cast<double>(size);
        c[j] = std::cos(theta);
        s[j] = std::sin(theta);
      } else { // pi/4 < theta <= pi/2: cos = sin(pi/2 - theta), sin = cos(pi/2 - theta)
        c[j] = s[size / 4 - j];
        s[j] = c[size / 4 - j];
      }
    }
    for (std::size_t j = 0; j < h; ++j) {
      // theta > pi/2: cos(theta) = -cos(pi - theta), sin(theta) = sin(pi - theta).
      const bool second = j > h / 2;
      const std::size_t r = second ? h - j : j;
      re_[h + j] = second ? -c[r] : c[r];
      im_[h + j] = -s[r];
    }
    if (size >= 4 && h / 2 < h) { // exact values at theta = pi / 2
      re_[h + h / 2] = 0;
      im_[h + h / 2] = -1;
    }
    re_[h] = 1;
    im_[h] = 0;
    for (std::size_t m = h / 2; m >= 1; m /= 2)
      for (std::size_t j = 0; j < m; ++j) {
        re_[m + j] = re_[2 * m + 2 * j];
        im_[m + j] = im_[2 * m + 2 * j];
      }
  }
  const double* re(std::size_t half) const noexcept { return re_.data() + half; }
  const double* im(std::size_t half) const noexcept { return im_.data() + half; }
  std::size_t capacity() const noexcept { return re_.size(); }

private:
  std::vector<double> re_, im_;
};

// Sizes up to this are transformed stage by stage in cache; larger ones split recursively so
// every sub-transform that fits the cache is finished before the next one starts.
inline constexpr std::size_t fft_in_cache = 2048;

// Forward transform, decimation in frequency: natural order in, bit-reversed order out.
inline void fft_forward(double* xr, double* xi, std::size_t n, const fft_twiddles& w) {
  if (n <= fft_in_cache) {
    for (std::size_t len = n; len >= 2; len /= 2) {
      const std::size_t h = len / 2;
      const double* wr = w.re(h);
      const double* wi = w.im(h);
      for (std::size_t s = 0; s < n; s += len)
        for (std::size_t j = 0; j < h; ++j) {
          const double ar = xr[s + j], ai = xi[s + j], br = xr[s + j + h], bi = xi[s + j + h];
          xr[s + j] = ar + br;
          xi[s + j] = ai + bi;
          const double dr = ar - br, di = ai - bi;
          xr[s + j + h] = dr * wr[j] - di * wi[j];
          xi[s + j + h] = dr * wi[j] + di * wr[j];
        }
    }
    return;
  }
  const std::size_t h = n / 2;
  const double* wr = w.re(h);
  const double* wi = w.im(h);
  for (std::size_t j = 0; j < h; ++j) {
    const double ar = xr[j], ai = xi[j], br = xr[j + h], bi = xi[j + h];
    xr[j] = ar + br;
    xi[j] = ai + bi;
    const double dr = ar - br, di = ai - bi;
    xr[j + h] = dr * wr[j] - di * wi[j];
    xi[j + h] = dr * wi[j] + di * wr[j];
  }
  fft_forward(xr, xi, h, w);
  fft_forward(xr + h, xi + h, h, w);
}

// Inverse transform without the 1/n scaling (conjugate twiddles), decimation in time:
// bit-reversed order in, natural order out.
inline void fft_inverse(double* xr, double* xi, std::size_t n, const fft_twiddles& w) {
  if (n <= fft_in_cache) {
    for (std::size_t len = 2; len <= n; len *= 2) {
      const std::size_t h = len / 2;
      const double* wr = w.re(h);
      const double* wi = w.im(h);
      for (std::size_t s = 0; s < n; s += len)
        for (std::size_t j = 0; j < h; ++j) {
          const double cr = xr[s + j + h], ci = xi[s + j + h];
          const double br = cr * wr[j] + ci * wi[j], bi = ci * wr[j] - cr * wi[j];
          const double ar = xr[s + j], ai = xi[s + j];
          xr[s + j] = ar + br;
          xi[s + j] = ai + bi;
          xr[s + j + h] = ar - br;
          xi[s + j + h] = ai - bi;
        }
    }
    return;
  }
  const std::size_t h = n / 2;
  fft_inverse(xr, xi, h, w);
  fft_inverse(xr + h, xi + h, h, w);
  const double* wr = w.re(h);
  const double* wi = w.im(h);
  for (std::size_t j = 0; j < h; ++j) {
    const double cr = xr[j + h], ci = xi[j + h];
    const double br = cr * wr[j] + ci * wi[j], bi = ci * wr[j] - cr * wi[j];
    const double ar = xr[j], ai = xi[j];
    xr[j] = ar + br;
    xi[j] = ai + bi;
    xr[j + h] = ar - br;
    xi[j + h] = ai - bi;
  }
}


} // namespace detail

inline cyclic_convolution::cyclic_convolution(std::size_t n) : n_(n) {
  if (n == 0 || (n & (n - 1)) != 0)
    SALESOPS_THROW(out_of_range_value, "cyclic_convolution", "n", no_row, "is ", n,
                   ", not a power of two");
  twiddles_ = std::make_shared<const detail::fft_twiddles>(n);
}

inline void cyclic_convolution::update(span<const double> factor, std::int64_t offset) {
  const char* fn = "cyclic_convolution::update";
  folded f;
  f.values.assign(n_, 0.0);
  const auto n = static_cast<std::int64_t>(n_);
  std::int64_t start = offset % n;
  if (start < 0) start += n;
  std::size_t at = static_cast<std::size_t>(start);
  // Plain sums of nonnegative terms: relative error <= gamma_len (Higham 2002, (4.4)), so
  // the masses and norms below are inflated by that factor to stay upper bounds.
  double mass = 0, sq = 0;
  for (std::size_t i = 0; i < factor.size(); ++i) {
    const double v = factor[i];
    if (!(v >= 0) || !std::isfinite(v)) check_non_negative(fn, "factor", v, i); // throws
    f.values[at] += v;
    if (++at == n_) at = 0;
    mass += v;
  }
  const bool folded_in = factor.size() > n_;
  if (folded_in)
    for (double v : f.values) sq += v * v;
  else // unfolded: the squares of the factor itself
    for (std::size_t i = 0; i < factor.size(); ++i) sq += factor[i] * factor[i];
  const double inflate = 1 + rounding_gamma(static_cast<double>(factor.size()) + 2);
  f.mass = mass * inflate;
  f.norm2 = std::sqrt(sq * inflate) * inflate;
  // Folding adds up to ceil(size / n) nonnegative values per cell: relative error gamma.
  const double folds = std::ceil(static_cast<double>(factor.size()) / static_cast<double>(n_));
  f.fold_error = folded_in ? rounding_gamma(folds) * f.norm2 : 0.0;
  ++factors_;
  if (!have_pending_) {
    pending_ = std::move(f);
    have_pending_ = true;
    return;
  }
  // Two real factors in one complex transform.
  have_pending_ = false;
  zr_.swap(pending_.values);
  zi_.swap(f.values);
  detail::fft_forward(zr_.data(), zi_.data(), n_, *twiddles_);
  // A_k = (Z_k + conj Z_-k) / 2 and B_k = (Z_k - conj Z_-k) / 2i; their product A_k B_k is
  // the spectrum of the pair's convolution. In bit-reversed order, frequency -k sits at
  // 3 m - 1 - r for the position r of k in [m, 2m) (positions 0 and 1 hold 0 and n/2).
  std::vector<double>& pr = pending_.values; // reuse the moved-from buffers
  std::vector<double>& pi = f.values;
  pr.resize(n_);
  pi.resize(n_);
  const auto separate = [&](std::size_t r, std::size_t s) {
    const double ar = 0.5 * (zr_[r] + zr_[s]), ai = 0.5 * (zi_[r] - zi_[s]);
    const double br = 0.5 * (zi_[r] + zi_[s]), bi = 0.5 * (zr_[s] - zr_[r]);
    pr[r] = ar * br - ai * bi;
    pi[r] = ar * bi + ai * br;
  };
  for (std::size_t r = 0; r < std::min<std::size_t>(n_, 2); ++r) separate(r, r);
  for (std::size_t m = 2; m < n_; m *= 2)
    for (std::size_t r = m; r < 2 * m; ++r) separate(r, 3 * m - 1 - r);
  // Error of the pair's spectrum (L2, over the n frequencies): the transform of z errs by at
  // most eps_t sqrt(n) ||z||_2 (Theorem 24.2), separating A and B is a contraction plus one
  // rounding u, and |A| <= mass(a), |B| <= mass(b); the product adds sqrt(2) gamma_2 relative
  // (Higham, Lemma 3.5).
  const double rn = std::sqrt(static_cast<double>(n_));
  const double eps = fft_relative_error_bound(n_);
  const double ma = pending_.mass, mb = f.mass, na = pending_.norm2, nb = f.norm2;
  const double z_norm = std::sqrt(na * na + nb * nb);
  const double da = rn * (eps * z_norm + unit_roundoff * na) + rn * pending_.fold_error;
  const double db = rn * (eps * z_norm + unit_roundoff * nb) + rn * f.fold_error;
  const double exact_norm = std::min(ma * nb, mb * na); // ||A B||_2 / sqrt(n) (Young)
  const double error = ma * db + mb * da + da * db +
                       std::sqrt(2.0) * rounding_gamma(2) * (rn * exact_norm + ma * db + mb * da + da * db);
  multiply_in(pr, pi, ma * mb, error, exact_norm);
}

inline void cyclic_convolution::multiply_in(const std::vector<double>& re,
                                            const std::vector<double>& im, double mass,
                                            double error, double norm2) {
  if (!have_acc_) {
    acc_re_ = re;
    acc_im_ = im;
    have_acc_ = true;
    acc_mass_ = mass;
    acc_error_ = error;
    acc_norm_ = norm2;
    return;
  }
  for (std::size_t r = 0; r < n_; ++r) {
    const double xr = acc_re_[r], xi = acc_im_[r];
    acc_re_[r] = xr * re[r] - xi * im[r];
    acc_im_[r] = xr * im[r] + xi * re[r];
  }
  // |exact acc| <= acc_mass_ and |computed factor| <= mass + error pointwise (the L2 bound
  // bounds every entry), so the product's error grows as below, plus one complex product.
  const double rn = std::sqrt(static_cast<double>(n_));
  const double new_norm = std::min(acc_norm_ * mass, norm2 * acc_mass_);
  const double propagated = acc_error_ * (mass + error) + acc_mass_ * error;
  acc_error_ = propagated + std::sqrt(2.0) * rounding_gamma(2) * (rn * new_norm + propagated);
  acc_mass_ *= mass;
  acc_norm_ = new_norm;
}

inline convolution_result cyclic_convolution::result() {
  convolution_result out;
  if (have_pending_) { // a single factor left: transform it alone
    std::vector<double> zr = std::move(pending_.values), zi(n_, 0.0);
    have_pending_ = false;
    detail::fft_forward(zr.data(), zi.data(), n_, *twiddles_);
    const double rn = std::sqrt(static_cast<double>(n_));
    const double d = rn * (fft_relative_error_bound(n_) * pending_.norm2 + pending_.fold_error);
    multiply_in(zr, zi, pending_.mass, d, pending_.norm2);
  }
  if (!have_acc_) { // no factor: the unit impulse
    out.values.assign(n_, 0.0);
    out.values[0] = 1;
    return out;
  }
  detail::fft_inverse(acc_re_.data(), acc_im_.data(), n_, *twiddles_);
  const double scale = 1.0 / static_cast<double>(n_); // a power of two: exact
  out.values.resize(n_);
  // The exact result is real and >= 0: dropping the imaginary part and clamping negatives
  // only move each value closer to it.
  for (std::size_t j = 0; j < n_; ++j) out.values[j] = std::max(0.0, acc_re_[j] * scale);
  // y = F* P / n and ||F*||_2 = sqrt(n): the inverse adds eps_t ||P^||_2.
  const double rn = std::sqrt(static_cast<double>(n_));
  const double eps = fft_relative_error_bound(n_);
  out.l2_error_bound = (acc_error_ + eps * (rn * acc_norm_ + acc_error_)) / rn;
  out.l1_error_bound = rn * out.l2_error_bound;
  have_acc_ = false;
  acc_re_.clear();
  acc_im_.clear();
  return out;
}

inline convolution_result fft_convolve(span<const double> a, span<const double> b) {
  check_non_negative("fft_convolve", "a", a);
  check_non_negative("fft_convolve", "b", b);
  if (a.empty() || b.empty()) return {};
  const std::size_t length = a.size() + b.size() - 1;
  std::size_t n = 1;
  while (n < length) n *= 2;
  cyclic_convolution c(n);
  c.update(a);
  c.update(b);
  auto r = c.result();
  r.values.resize(length);
  return r;
}

} // namespace salesops::stats

#endif // SALESOPS_STATS_FFT_CONVOLUTION_HPP
