// Benchmarks of the quota and pipeline modules (Google Benchmark, fixed seeds):
//  * P(hit quota) for 10,000 open deals with amounts up to 1,000,000 (issue 5, item 9): the
//    saddlepoint and normal approximations, and the grid law at several steps (DP or FFT by
//    the automatic rule), each reporting its error bound as a counter; on a problem small
//    enough for the exact law (10,000 deals up to 1,000) the same methods report their
//    measured error against it.
//  * The exact law for 10,000 deals with integer amounts whose total / gcd is ~10^7 (amounts
//    up to 2,000): DP against FFT, with the FFT's rigorous bound and its measured distance
//    from the DP as counters.
//  * Attainment roll-up of 10,000,000 deals for 10,000 reps in 100 teams and 10 regions.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <salesops/core/rng.hpp>
#include <salesops/pipeline/revenue_outlook.hpp>
#include <salesops/quota/attainment.hpp>
#include <salesops/stats/weighted_bernoulli.hpp>

namespace {

namespace st = salesops::stats;

struct deals {
  std::vector<double> amount, prob;
  double quota = 0;
};

// n deals with integer amounts uniform on 1..max_amount and probabilities uniform on (0, 1);
// the quota sits one standard deviation above the mean (P(hit) ~ 0.16).
const deals& make_deals(std::size_t n, double max_amount) {
  static std::vector<std::pair<std::pair<std::size_t, double>, deals>> cache;
  for (auto& [key, d] : cache)
    if (key.first == n && key.second == max_amount) return d;
  salesops::rng gen(20261126);
  deals d;
  for (std::size_t i = 0; i < n; ++i) {
    d.amount.push_back(1 + std::floor(gen.uniform() * max_amount));
    d.prob.push_back(gen.uniform_open());
  }
  const auto m = st::weighted_bernoulli_moments_of(d.amount, d.prob);
  d.quota = std::round(m.mean + m.sd);
  cache.push_back({{n, max_amount}, d});
  return cache.back().second;
}

void BM_phit_saddlepoint(benchmark::State& state) {
  const auto& d = make_deals(10000, 1e6);
  double p = 0;
  for (auto _ : state) {
    p = st::weighted_bernoulli_saddlepoint(d.amount, d.prob, d.quota).probability;
    benchmark::DoNotOptimize(p);
  }
  state.counters["p_hit"] = p;
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_phit_saddlepoint)->Unit(benchmark::kMillisecond);

void BM_phit_normal_berry_esseen(benchmark::State& state) {
  const auto& d = make_deals(10000, 1e6);
  st::tail_approximation t;
  for (auto _ : state) {
    t = st::weighted_bernoulli_normal(d.amount, d.prob, d.quota);
    benchmark::DoNotOptimize(t);
  }
  state.counters["p_hit"] = t.probability;
  state.counters["error_bound"] = t.error_bound;
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_phit_normal_berry_esseen)->Unit(benchmark::kMillisecond);

// Grid law with step h = sd / state.range(0): the cost grows with the number of cells the
// spread of X covers, the bracket narrows with h. state.range(1): 0 automatic (DP, or FFT
// beyond stats::fft_switch_work), 1 DP forced, 2 FFT forced; counter fft = 1 when it was used.
void BM_phit_grid(benchmark::State& state) {
  const auto& d = make_deals(10000, 1e6);
  const auto m = st::weighted_bernoulli_moments_of(d.amount, d.prob);
  const double step = m.sd / static_cast<double>(state.range(0));
  st::lattice_options o;
  o.algorithm = state.range(1) == 1   ? st::lattice_algorithm::dp
                : state.range(1) == 2 ? st::lattice_algorithm::fft
                                      : st::lattice_algorithm::automatic;
  st::probability_bracket b;
  bool fft = false;
  for (auto _ : state) {
    const auto law = st::weighted_bernoulli_grid(d.amount, d.prob, step, o);
    b = law.tail_bracket(d.quota);
    fft = law.algorithm() == st::lattice_algorithm::fft;
    benchmark::DoNotOptimize(b);
  }
  state.counters["p_hit"] = b.estimate;
  state.counters["bracket_width"] = b.upper - b.lower;
  state.counters["step"] = step;
  state.counters["fft"] = fft ? 1 : 0;
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_phit_grid)
    ->Args({16, 0})->Args({64, 0})->Args({256, 0})->Args({256, 2})->Args({1024, 0})
    ->Args({1024, 1})->Args({4096, 0})
    ->Unit(benchmark::kMillisecond);

// The exact law of 10,000 deals with integer amounts uniform on 1..2,000 (total / gcd
// ~10^7): state.range(0) = 1 DP, 2 FFT. The FFT run also reports its bound and its largest
// cdf distance from the DP (computed once, outside the timing).
void BM_exact_law_1e7(benchmark::State& state) {
  const auto& d = make_deals(10000, 2000);
  st::lattice_options o;
  o.algorithm = state.range(0) == 1 ? st::lattice_algorithm::dp : st::lattice_algorithm::fft;
  double p = 0, bound = 0;
  std::size_t cells = 0;
  for (auto _ : state) {
    const auto law = st::weighted_bernoulli_exact(d.amount, d.prob, o);
    p = law.sf(d.quota);
    bound = law.pruned_mass() + law.numerical_error();
    cells = law.cells();
    benchmark::DoNotOptimize(p);
  }
  state.counters["p_hit"] = p;
  state.counters["bound"] = bound;
  state.counters["cells"] = static_cast<double>(cells);
  if (state.range(0) == 2) {
    o.algorithm = st::lattice_algorithm::dp;
    const auto dp = st::weighted_bernoulli_exact(d.amount, d.prob, o);
    o.algorithm = st::lattice_algorithm::fft;
    const auto fft = st::weighted_bernoulli_exact(d.amount, d.prob, o);
    double worst = 0;
    for (double x = fft.support_min(); x <= fft.support_max(); x += 1)
      worst = std::max(worst, std::fabs(fft.cdf(x) - dp.cdf(x)));
    state.counters["max_cdf_diff_vs_dp"] = worst;
  }
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_exact_law_1e7)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(2);

// Small enough for the exact law (10,000 deals up to 1,000; the automatic rule picks the FFT):
// time it, and report the measured errors of the fast methods against it.
void BM_phit_exact_small(benchmark::State& state) {
  const auto& d = make_deals(10000, 1e3);
  double exact = 0;
  for (auto _ : state) {
    exact = st::weighted_bernoulli_exact(d.amount, d.prob).sf(d.quota);
    benchmark::DoNotOptimize(exact);
  }
  const auto m = st::weighted_bernoulli_moments_of(d.amount, d.prob);
  const auto lr = st::weighted_bernoulli_saddlepoint(d.amount, d.prob, d.quota);
  const auto nm = st::weighted_bernoulli_normal(d.amount, d.prob, d.quota);
  const auto grid = st::weighted_bernoulli_grid(d.amount, d.prob, m.sd / 64).tail_bracket(d.quota);
  state.counters["p_hit"] = exact;
  state.counters["err_saddlepoint"] = std::fabs(lr.probability - exact);
  state.counters["err_normal"] = std::fabs(nm.probability - exact);
  state.counters["bound_normal"] = nm.error_bound;
  state.counters["err_grid_sd/64"] = std::fabs(grid.estimate - exact);
  state.counters["bracket_grid_sd/64"] = grid.upper - grid.lower;
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_phit_exact_small)->Unit(benchmark::kMillisecond);

enum class outcome : std::uint8_t { open, won, lost };

struct org_data {
  std::vector<std::int64_t> parent;
  std::vector<std::uint32_t> rep_unit, owner;
  std::vector<double> amount, quota;
  std::vector<outcome> result;
  std::vector<std::int32_t> close;
};

const org_data& make_org() {
  static const org_data data = [] {
    org_data o;
    // Unit 0 = company, 1..10 regions, 11..110 teams (10 per region).
    o.parent.push_back(salesops::quota::no_parent);
    for (int r = 0; r < 10; ++r) o.parent.push_back(0);
    for (int t = 0; t < 100; ++t) o.parent.push_back(1 + t / 10);
    for (std::uint32_t r = 0; r < 10000; ++r) o.rep_unit.push_back(11 + r % 100);
    o.quota.assign(10000, 500000.0);
    salesops::rng gen(7);
    const std::size_t n = 10'000'000;
    o.owner.resize(n);
    o.amount.resize(n);
    o.result.resize(n);
    o.close.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      o.owner[i] = static_cast<std::uint32_t>(gen.uniform_int(10000));
      o.amount[i] = std::floor(gen.lognormal(8, 1));
      o.result[i] = gen.uniform() < 0.3 ? outcome::won : outcome::lost;
      o.close[i] = static_cast<std::int32_t>(gen.uniform_int(120));
    }
    return o;
  }();
  return data;
}

void BM_attainment_rollup_10M_deals(benchmark::State& state) {
  const auto& o = make_org();
  const salesops::quota::org_hierarchy org(o.parent, o.rep_unit);
  double company = 0;
  for (auto _ : state) {
    const auto ledger = salesops::quota::credit_won_deals(org,
        salesops::span<const std::uint32_t>(o.owner), salesops::span<const double>(o.amount),
        salesops::span<const outcome>(o.result), salesops::span<const std::int32_t>(o.close), {}, 1,
        0, 90, 90);
    const auto report = salesops::quota::attainment_of(ledger, org, o.quota, {}, 90);
    company = report.units[0].attainment;
    benchmark::DoNotOptimize(company);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(o.owner.size()));
}
BENCHMARK(BM_attainment_rollup_10M_deals)->Unit(benchmark::kMillisecond)->Iterations(3);

} // namespace
