// Tests of scoring/shrinkage.hpp: beta-binomial empirical Bayes and normal-normal shrinkage.
#include "salesops/scoring/shrinkage.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <sstream>
#include <vector>

#include "salesops/core/rng.hpp"

using namespace salesops;
using namespace salesops::scoring;
using Catch::Matchers::Contains;

namespace {
// A sales floor: one rep with 3 of 3, one with 149 of 213, the rest in between.
const std::vector<std::uint64_t> wins = {3, 149, 12, 30, 7, 45, 20, 2, 60, 18, 9, 33};
const std::vector<std::uint64_t> trials = {3, 213, 40, 80, 25, 110, 50, 10, 150, 45, 30, 90};
} // namespace

TEST_CASE("MLE prior matches R's optim on the beta-binomial log-likelihood", "[scoring][shrinkage]") {
  // R:
  //   w <- c(3,149,12,30,7,45,20,2,60,18,9,33); n <- c(3,213,40,80,25,110,50,10,150,45,30,90)
  //   nll <- function(p) { a <- exp(p[1]); b <- exp(p[2])
  //                        -sum(lchoose(n,w) + lbeta(a+w, b+n-w) - lbeta(a,b)) }
  //   o <- optim(c(0,0), nll, method="BFGS", control=list(reltol=1e-15, maxit=1000))
  //   exp(o$par)  -> 7.85038763395909 11.33564473792305  (convergence 0)
  //   -o$value    -> -39.195694930267
  //   (Nelder-Mead gives 7.85042159769065 11.33569272481583: the optimum is flat to ~5e-6
  //   relative, so parameters are compared to 1e-4 and the log-likelihood to 1e-10.)
  const beta_prior p = fit_beta_prior_mle(wins, trials);
  CHECK(p.converged);
  CHECK(p.method == prior_method::mle);
  CHECK(p.alpha == Approx(7.85038763395909).epsilon(1e-4));
  CHECK(p.beta == Approx(11.33564473792305).epsilon(1e-4));
  CHECK(p.log_likelihood == Approx(-39.195694930267).epsilon(1e-10));
  // Brute force: no point of a fine grid around the optimum has a higher likelihood.
  for (double da : {-1e-3, 0.0, 1e-3})
    for (double db : {-1e-3, 0.0, 1e-3})
      CHECK(beta_binomial_log_likelihood(wins, trials, p.alpha * (1 + da), p.beta * (1 + db)) <=
            p.log_likelihood + 1e-12);
}

TEST_CASE("moments prior matches the hand derivation", "[scoring][shrinkage]") {
  // Hand derivation (see fit_beta_prior_moments), evaluated in R:
  //   r <- w/n; m <- mean(r); s2 <- var(r); h <- mean(1/n)
  //   rho <- (s2/(m*(1-m)) - h)/(1-h); t <- 1/rho - 1; c(m*t, (1-m)*t)
  //   -> m 0.4275240076824584, s2 0.0469860394569398, h 0.0514960342865272,
  //      rho 0.1481088002938831, alpha 2.4590297071146985, beta 3.2927635557823218
  const beta_prior p = fit_beta_prior_moments(wins, trials);
  CHECK(p.method == prior_method::moments);
  CHECK(p.converged);
  CHECK(p.alpha == Approx(2.4590297071146985).epsilon(1e-12));
  CHECK(p.beta == Approx(3.2927635557823218).epsilon(1e-12));
  CHECK(p.log_likelihood == Approx(beta_binomial_log_likelihood(wins, trials, p.alpha, p.beta)));
  // The MLE is the maximum, so it beats the moments prior on likelihood.
  CHECK(fit_beta_prior_mle(wins, trials).log_likelihood > p.log_likelihood);
}

TEST_CASE("posterior means and intervals match R's qbeta", "[scoring][shrinkage]") {
  // R (a, b from the optim fit above):
  //   (w+a)/(n+a+b)              -> 0.489063905257369 0.675537568008134 0.335389733666106 ...
  //   qbeta(0.025, a+w, b+n-w)   -> 0.288648194753875 0.614082758422293 ...
  //   qbeta(0.975, a+w, b+n-w)   -> 0.691348723205447 0.734127934014865 ...
  const beta_prior prior{7.85038763395909, 11.33564473792305, prior_method::mle, 0, 0, true};
  const auto s = posterior_win_rates(wins, trials, prior);
  REQUIRE(s.reps.size() == 12);
  CHECK(s.reps[0].shrunk == Approx(0.489063905257369).epsilon(1e-13));
  CHECK(s.reps[1].shrunk == Approx(0.675537568008134).epsilon(1e-13));
  CHECK(s.reps[2].shrunk == Approx(0.335389733666106).epsilon(1e-13));
  CHECK(s.reps[0].lower == Approx(0.288648194753875).epsilon(1e-10));
  CHECK(s.reps[1].lower == Approx(0.614082758422293).epsilon(1e-10));
  CHECK(s.reps[0].upper == Approx(0.691348723205447).epsilon(1e-10));
  CHECK(s.reps[1].upper == Approx(0.734127934014865).epsilon(1e-10));
  CHECK(s.reps[0].raw == 1.0);
  CHECK(s.reps[1].raw == Approx(149.0 / 213.0));
}

TEST_CASE("3 of 3 does not outrank 149 of 213, with either prior", "[scoring][shrinkage]") {
  for (auto method : {prior_method::mle, prior_method::moments}) {
    const auto s = shrink_win_rates(wins, trials, method);
    CHECK(s.reps[0].raw > s.reps[1].raw);       // raw: the lucky rep looks better
    CHECK(s.reps[0].shrunk < s.reps[1].shrunk); // shrunk: the proven rep is ahead
    // The small sample has the wider interval.
    CHECK(s.reps[0].upper - s.reps[0].lower > s.reps[1].upper - s.reps[1].lower);
  }
}

TEST_CASE("the MLE recovers a known prior and is invariant to rep order", "[scoring][shrinkage]") {
  const std::uint64_t seed = GENERATE(1u, 2u, 3u);
  rng gen(seed);
  // Simulated truth: p_i ~ Beta(6, 14) (mean 0.3), trials 20..120, 2000 reps.
  std::vector<std::uint64_t> w(2000), n(2000);
  for (std::size_t i = 0; i < w.size(); ++i) {
    n[i] = 20 + gen.uniform_int(101);
    const double p = gen.beta(6, 14);
    for (std::uint64_t t = 0; t < n[i]; ++t) w[i] += gen.bernoulli(p) ? 1u : 0u;
  }
  const beta_prior p = fit_beta_prior_mle(w, n);
  REQUIRE(p.converged);
  CHECK(p.alpha / (p.alpha + p.beta) == Approx(0.3).margin(0.01));
  CHECK(p.alpha + p.beta == Approx(20).epsilon(0.25));
  // Permuting the reps changes nothing but rounding.
  std::vector<std::size_t> order(w.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[gen.uniform_int(i + 1)]);
  std::vector<std::uint64_t> w2, n2;
  for (auto i : order) { w2.push_back(w[i]); n2.push_back(n[i]); }
  const beta_prior q = fit_beta_prior_mle(w2, n2);
  CHECK(q.alpha == Approx(p.alpha).epsilon(1e-8));
  CHECK(q.beta == Approx(p.beta).epsilon(1e-8));
}

TEST_CASE("bad win counts throw typed errors naming the row", "[scoring][shrinkage]") {
  const std::vector<std::uint64_t> w = {1, 5, 2}, n = {4, 3, 6}, z = {4, 0, 6};
  CHECK_THROWS_AS(fit_beta_prior_mle(w, n), out_of_range_value);
  CHECK_THROWS_WITH(fit_beta_prior_mle(w, n), Contains("wins at row 1") && Contains("more than trials"));
  const std::vector<std::uint64_t> wz = {1, 0, 2}, one = {1}, two = {2, 3}, none;
  CHECK_THROWS_AS(fit_beta_prior_moments(wz, z), empty_input);
  CHECK_THROWS_WITH(shrink_win_rates(wz, z), Contains("trials at row 1 is 0"));
  CHECK_THROWS_AS(fit_beta_prior_mle(one, two), length_mismatch);
  CHECK_THROWS_AS(fit_beta_prior_mle(none, none), empty_input);
  // No spread beyond binomial noise: a point-mass prior, reported, not faked.
  const std::vector<std::uint64_t> same_w = {50, 50, 50, 50}, same_n = {100, 100, 100, 100};
  CHECK_THROWS_AS(fit_beta_prior_moments(same_w, same_n), numerical_error);
  CHECK_THROWS_AS(fit_beta_prior_mle(same_w, same_n), not_converged);
  // The other end: rates at 0 and 1 only (rho = 19/9 >= 1). The moments gave alpha = beta =
  // -0.26 and the MLE, started there, -0.5 "converged"; now the moments refuse, and the MLE
  // (started at 1, 1) heads for the boundary alpha, beta -> 0 and stays positive.
  const std::vector<std::uint64_t> ends_w = {0, 10}, ends_n = {10, 10};
  CHECK_THROWS_AS(fit_beta_prior_moments(ends_w, ends_n), numerical_error);
  CHECK_THROWS_WITH(fit_beta_prior_moments(ends_w, ends_n), Contains("rho = 2.11"));
  const beta_prior ends = fit_beta_prior_mle(ends_w, ends_n);
  CHECK(ends.alpha > 0);
  CHECK(ends.beta > 0);
  CHECK(ends.alpha < 1e-3);
  // Counts beyond 2^53 round in double: 2^63 - 8 wins of 2^63 - 1 trials made n - w = 0 and
  // a Boost lgamma(0) domain error escaped; 2^53 itself is still exact and accepted.
  const std::vector<std::uint64_t> huge_w = {9223372036854775800ULL, 1, 4},
                                   huge_n = {9223372036854775807ULL, 3, 9};
  for (const auto method : {prior_method::mle, prior_method::moments})
    CHECK_THROWS_MATCHES(
        shrink_win_rates(huge_w, huge_n, method), out_of_range_value,
        Catch::Message("fit_beta_prior_" +
                       std::string(method == prior_method::mle ? "mle" : "moments") +
                       ": trials at row 0 is 9223372036854775807, more than 2^53, the "
                       "largest count a double holds exactly"));
  CHECK_THROWS_AS(posterior_win_rates(huge_w, huge_n, beta_prior{}), out_of_range_value);
  const std::vector<std::uint64_t> edge_w = {1, 1, 4}, edge_n = {std::uint64_t{1} << 53, 3, 9};
  CHECK_NOTHROW(posterior_win_rates(edge_w, edge_n, beta_prior{}));
  const beta_prior bad{-1, 2, prior_method::mle, 0, 0, true};
  CHECK_THROWS_AS(posterior_win_rates(wins, trials, bad), negative_value);
  CHECK_THROWS_AS(posterior_win_rates(wins, trials, beta_prior{}, 1.0), out_of_range_value);
}

TEST_CASE("shrink_means matches metafor's DerSimonian-Laird fit and BLUPs", "[scoring][shrinkage]") {
  // R: library(metafor); y <- c(52.1, 47.3, 60.2, 44.8, 55.0, 49.9)
  //    v <- c(4.0, 9.0, 25.0, 2.25, 16.0, 1.0); fit <- rma(yi=y, vi=v, method="DL")
  //    c(fit$tau2, fit$b) -> 10.9330056691638 50.2102549820377
  //    blup(fit)$pred     -> 51.5938071919802 48.6140163241341 53.2497429647702
  //                          45.7233913733390 52.1545723032636 49.9259997347390
  const std::vector<double> y = {52.1, 47.3, 60.2, 44.8, 55.0, 49.9};
  const std::vector<double> v = {4.0, 9.0, 25.0, 2.25, 16.0, 1.0};
  const auto s = shrink_means(y, v);
  CHECK(s.tau2 == Approx(10.9330056691638).epsilon(1e-12));
  CHECK(s.mu == Approx(50.2102549820377).epsilon(1e-12));
  const double blup[] = {51.5938071919802, 48.6140163241341, 53.2497429647702,
                         45.7233913733390, 52.1545723032636, 49.9259997347390};
  for (std::size_t i = 0; i < 6; ++i) CHECK(s.shrunk[i] == Approx(blup[i]).epsilon(1e-12));
  // The noisiest rep (v = 25) moves most towards mu.
  CHECK(s.weight[2] == *std::min_element(s.weight.begin(), s.weight.end()));
  // No spread: tau^2 = 0 and every rep gets the weighted mean.
  const std::vector<double> flat_y = {10, 10.1, 9.9}, fours = {4, 4, 4}, ones = {1, 1, 1};
  const std::vector<double> zero_v = {1, 1, 0, 1, 1, 1};
  const auto flat = shrink_means(flat_y, fours);
  CHECK(flat.tau2 == 0);
  CHECK(flat.shrunk[0] == Approx(10.0));
  const std::vector<double> nan_y = {1, std::numeric_limits<double>::quiet_NaN(), 2};
  CHECK_THROWS_WITH(shrink_means(nan_y, ones), Contains("means at row 1"));
  CHECK_THROWS_AS(shrink_means(y, zero_v), negative_value);
  std::ostringstream out;
  out << s << fit_beta_prior_moments(wins, trials) << posterior_win_rates(wins, trials, beta_prior{});
  CHECK(out.str().find("tau2=") != std::string::npos);
}

TEST_CASE("shrink_means: a tiny variance neither overflows nor cancels the DL denominator",
          "[scoring][shrinkage]") {
  // y = (1, 2, 5), v = (1, 1/W, 1). By hand, with e = 2/(W + 2): ybar = 2 + e,
  // Q = (1 + e)^2 + W e^2 + (3 - e)^2 = 10 - 2e, S1 - S2/S1 = (2 + 4W)/(2 + W), so
  // tau^2 = (8 - 2e)(2 + W)/(2 + 4W) -> 2, mu = (1/3 + 2/(2 + 1/W) + 5/3)/(2/3 + 1/(2 + 1/W))
  // -> 18/7, theta = (32/21, 2, 88/21) as W -> infinity. Exact values for W = 1e12 and 1e300
  // from python3 fractions.Fraction of these sums. metafor::rma(method = "DL") gives
  // tau^2 = 2.0000949 at W = 1e12 and 0.444 at W = 1e100 (S1 - S2/S1 cancels), and the old
  // code tau^2 = 0 at W = 1e300 (w^2 = inf) and NaN at v = 1e-320 (1/v = inf, Q NaN).
  const std::vector<double> y = {1, 2, 5};
  struct expected {
    double v, tau2, mu, theta0, theta1, theta2;
  };
  for (const auto& e : {expected{1e-12, 2.0000000000020002, 2.5714285714287755, 1.5238095238092426,
                                 2.0000000000002855, 4.1904761904767982},
                        expected{1e-300, 2, 18.0 / 7, 32.0 / 21, 2, 88.0 / 21}}) {
    const std::vector<double> v = {1, e.v, 1};
    const auto s = shrink_means(y, v);
    CHECK(s.tau2 == Approx(e.tau2).epsilon(1e-13));
    CHECK(s.mu == Approx(e.mu).epsilon(1e-13));
    CHECK(s.shrunk[0] == Approx(e.theta0).epsilon(1e-13));
    CHECK(s.shrunk[1] == Approx(e.theta1).epsilon(1e-13));
    CHECK(s.shrunk[2] == Approx(e.theta2).epsilon(1e-13));
  }
  // A subnormal variance (11 significant bits): finite and near the W -> infinity limit.
  const std::vector<double> subnormal = {1, 1e-320, 1};
  const auto s = shrink_means(y, subnormal);
  CHECK(s.tau2 == Approx(2).epsilon(1e-3));
  CHECK(s.mu == Approx(18.0 / 7).epsilon(1e-3));
  // Means whose squared distance overflows: refused naming the row (was tau^2 = inf, mu NaN).
  const std::vector<double> huge = {-1.5e308, 1.5e308, 0}, ones = {1, 1, 1};
  CHECK_THROWS_AS(shrink_means(huge, ones), out_of_range_value);
  CHECK_THROWS_WITH(shrink_means(huge, ones),
                    Contains("shrink_means: means at row 0 is -1.5e+308"));
}
