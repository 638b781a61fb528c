// A seeded random engine owned by the caller, with its own transforms, so a seed gives the
// same draws on every platform and standard library (std:: distributions are unspecified
// and differ between libstdc++, libc++ and MSVC). Engine: xoshiro256** 1.0 (Blackman and
// Vigna, 2018), seeded through splitmix64 as its authors recommend. Transforms: 53-bit
// uniform doubles, Lemire's unbiased bounded integers, Marsaglia's polar normal,
// Marsaglia-Tsang gamma, beta and Dirichlet from gammas, Poisson by inversion (mean < 10)
// and Hörmann's PTRS (mean >= 10). Draws are bit-identical wherever std::log, std::exp and
// std::lgamma round the same way (glibc on every architecture salesops is tested on);
// elsewhere they agree to the last bits of those functions.
#ifndef SALESOPS_CORE_RNG_HPP
#define SALESOPS_CORE_RNG_HPP

#include <array>
#include <cmath>
#include <cstdint>

#include "salesops/core/span.hpp"
#include "salesops/core/validate.hpp"

namespace salesops {
namespace detail {
// __extension__ keeps -Wpedantic quiet about the GCC/Clang 128-bit integer.
__extension__ typedef unsigned __int128 uint128;
} // namespace detail

/// \brief splitmix64 step (Steele, Lea and Flood 2014): used to expand a 64-bit seed.
inline std::uint64_t splitmix64_next(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// \brief Seeded, platform-independent random engine with its own distributions.
class rng {
public:
  using result_type = std::uint64_t; ///< type of next_u64() (UniformRandomBitGenerator)

  /// \brief Seeds the 256-bit state from `seed` through splitmix64.
  explicit rng(std::uint64_t seed = 0) noexcept {
    std::uint64_t sm = seed;
    for (auto& word : state_) word = splitmix64_next(sm);
  }

  /// \brief Smallest value of next_u64 (UniformRandomBitGenerator).
  static constexpr result_type min() noexcept { return 0; }
  /// \brief Largest value of next_u64 (UniformRandomBitGenerator).
  static constexpr result_type max() noexcept { return ~result_type(0); }
  /// \brief Same as next_u64, so the engine works with std::shuffle.
  result_type operator()() noexcept { return next_u64(); }

  /// \brief Next 64 raw bits (xoshiro256**).
  std::uint64_t next_u64() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// \brief Advances the state by 2^128 draws: call once per parallel stream.
  void jump() noexcept {
    static constexpr std::array<std::uint64_t, 4> jump_poly = {
        0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL, 0xa9582618e03fc9aaULL,
        0x39abdc4529b1661cULL};
    std::array<std::uint64_t, 4> s{};
    for (std::uint64_t word : jump_poly)
      for (int b = 0; b < 64; ++b) {
        if (word & (std::uint64_t{1} << b))
          for (int k = 0; k < 4; ++k) s[static_cast<std::size_t>(k)] ^= state_[static_cast<std::size_t>(k)];
        next_u64();
      }
    state_ = s;
  }

  /// \brief Uniform double in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  /// \brief Uniform double in (0, 1): never 0, so logarithms are safe.
  double uniform_open() noexcept {
    return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53;
  }

  /// \brief Uniform double in [lo, hi).
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }

  /// \brief Unbiased uniform integer in [0, n) (Lemire 2019, multiply-shift with rejection).
  /// \throws salesops::out_of_range_value when n == 0.
  std::uint64_t uniform_int(std::uint64_t n) {
    if (n == 0) SALESOPS_THROW(out_of_range_value, "rng::uniform_int", "n", no_row, "is 0");
    detail::uint128 m = static_cast<detail::uint128>(next_u64()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<detail::uint128>(next_u64()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  /// \brief True with probability p.
  /// \throws salesops::out_of_range_value when p is outside [0, 1].
  bool bernoulli(double p) {
    check_probability("rng::bernoulli", "p", p);
    return uniform() < p;
  }

  /// \brief Standard normal draw (Marsaglia's polar method; the pair's second value is kept).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0, v = 0, s = 0;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }

  /// \brief Normal draw with mean `mean` and standard deviation `sd` >= 0.
  double normal(double mean, double sd) {
    check_non_negative("rng::normal", "sd", sd);
    return mean + sd * normal();
  }

  /// \brief exp(N(mu, sigma^2)) draw.
  double lognormal(double mu, double sigma) { return std::exp(normal(mu, sigma)); }

  /// \brief Exponential draw with the given rate > 0 (mean 1 / rate).
  double exponential(double rate) {
    check_positive("rng::exponential", "rate", rate);
    return -std::log(uniform_open()) / rate;
  }

  /// \brief Gamma(shape, scale) draw (Marsaglia and Tsang 2000; shape < 1 by the
  /// U^(1/shape) boost).
  double gamma(double shape, double scale = 1.0) {
    check_positive("rng::gamma", "shape", shape);
    check_positive("rng::gamma", "scale", scale);
    if (shape < 1.0) {
      const double boost = std::pow(uniform_open(), 1.0 / shape);
      return gamma(shape + 1.0, scale) * boost;
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = 0, v = 0;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform_open();
      if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return d * v * scale;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v * scale;
    }
  }

  /// \brief Beta(a, b) draw as G_a / (G_a + G_b).
  double beta(double a, double b) {
    check_positive("rng::beta", "a", a);
    check_positive("rng::beta", "b", b);
    const double x = gamma(a);
    const double y = gamma(b);
    return x / (x + y);
  }

  /// \brief Dirichlet(alpha) draw written to `out` (same length as alpha).
  /// \throws salesops::length_mismatch, salesops::negative_value for alpha_i <= 0.
  void dirichlet(span<const double> alpha, span<double> out) {
    check_equal_lengths("rng::dirichlet", "alpha", alpha.size(), "out", out.size());
    check_non_empty("rng::dirichlet", "alpha", alpha.size());
    double total = 0;
    for (std::size_t i = 0; i < alpha.size(); ++i) {
      check_positive("rng::dirichlet", "alpha", alpha[i], i);
      out[i] = gamma(alpha[i]);
      total += out[i];
    }
    for (double& x : out) x /= total;
  }

  /// \brief Poisson(mean) draw: inversion for mean < 10, Hörmann's PTRS otherwise
  /// (W. Hörmann, "The transformed rejection method for generating Poisson random
  /// variables", Insurance: Mathematics and Economics 12, 1993).
  std::uint64_t poisson(double mean) {
    check_non_negative("rng::poisson", "mean", mean);
    if (mean == 0.0) return 0;
    if (mean < 10.0) {
      // Sequential inversion: walk the CDF from 0.
      double u = uniform();
      std::uint64_t k = 0;
      double p = std::exp(-mean);
      double cdf = p;
      while (u > cdf) {
        ++k;
        p *= mean / static_cast<double>(k);
        const double next = cdf + p;
        if (next == cdf) break; // CDF saturated in double precision
        cdf = next;
      }
      return k;
    }
    const double slam = std::sqrt(mean);
    const double loglam = std::log(mean);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double v_r = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
      const double u = uniform() - 0.5;
      const double v = uniform_open();
      const double us = 0.5 - std::fabs(u);
      const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= v_r) return static_cast<std::uint64_t>(k);
      if (k < 0.0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
          -mean + k * loglam - std::lgamma(k + 1.0))
        return static_cast<std::uint64_t>(k);
    }
  }

private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

  std::array<std::uint64_t, 4> state_{};
  double spare_ = 0;
  bool has_spare_ = false;
};

} // namespace salesops

#endif // SALESOPS_CORE_RNG_HPP
