// Benchmarks of the scoring module (Google Benchmark, fixed seeds):
//  * Bootstrap rank intervals for 10,000 reps x 12 KPIs with 1,000 replicates (issue 6,
//    item 10; target <= 1 s on one core): 4 observation rows (quarters) per rep, z-score
//    normalisation; items = replicates x reps.
//  * The scorecard alone (normalise, weight, explain, rank, tier) of 10,000 reps x 12 KPIs.
//  * Beta-binomial MLE prior and posterior intervals for 10,000 reps.
//  * DEA efficiency (CCR and BCC, both stages) of 100 and 300 units with 3 inputs and 2
//    outputs uniform on [1, 10): no target; it records what solve_lp's exact proof costs.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include <salesops/core/rng.hpp>
#include <salesops/scoring/dea.hpp>
#include <salesops/scoring/rank_uncertainty.hpp>
#include <salesops/scoring/scorecard.hpp>
#include <salesops/scoring/shrinkage.hpp>

namespace {

namespace sc = salesops::scoring;

constexpr std::size_t reps = 10000, kpis = 12, periods = 4;

struct table {
  Eigen::MatrixXd obs;
  std::vector<std::size_t> rep_of_row;
  std::vector<sc::kpi_spec> specs;
};

const table& make_table() {
  static const table t = [] {
    table d;
    salesops::rng gen(20261126);
    d.obs.resize(static_cast<Eigen::Index>(reps * periods), static_cast<Eigen::Index>(kpis));
    std::vector<double> skill(reps);
    for (auto& s : skill) s = gen.normal();
    for (std::size_t p = 0; p < periods; ++p)
      for (std::size_t r = 0; r < reps; ++r) {
        const auto row = static_cast<Eigen::Index>(p * reps + r);
        d.rep_of_row.push_back(r);
        for (std::size_t k = 0; k < kpis; ++k)
          d.obs(row, static_cast<Eigen::Index>(k)) = skill[r] + gen.normal();
      }
    for (std::size_t k = 0; k < kpis; ++k)
      d.specs.push_back({"kpi" + std::to_string(k), 1.0 + static_cast<double>(k % 3),
                         k % 4 == 3 ? sc::direction::lower_is_better : sc::direction::higher_is_better});
    return d;
  }();
  return t;
}

void bm_bootstrap_ranks(benchmark::State& state) {
  const auto& t = make_table();
  sc::rank_options o;
  o.replicates = static_cast<std::size_t>(state.range(0));
  o.top_k = 10;
  o.seed = 7;
  for (auto _ : state) {
    auto r = sc::bootstrap_rank_intervals(t.obs, t.rep_of_row, t.specs, sc::normalization::z_score, o);
    benchmark::DoNotOptimize(r.reps.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(o.replicates * reps));
}
BENCHMARK(bm_bootstrap_ranks)->Arg(1000)->Unit(benchmark::kMillisecond)->Iterations(1);

void bm_scorecard(benchmark::State& state) {
  const auto& t = make_table();
  const Eigen::MatrixXd means = t.obs.topRows(static_cast<Eigen::Index>(reps));
  for (auto _ : state) {
    auto s = sc::scorecard_of(means, t.specs);
    benchmark::DoNotOptimize(s.reps.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(reps));
}
BENCHMARK(bm_scorecard)->Unit(benchmark::kMillisecond);

void bm_shrink(benchmark::State& state) {
  salesops::rng gen(11);
  std::vector<std::uint64_t> w(reps), n(reps);
  for (std::size_t i = 0; i < reps; ++i) {
    n[i] = 1 + gen.uniform_int(200);
    const double p = gen.beta(4, 8);
    for (std::uint64_t t = 0; t < n[i]; ++t) w[i] += gen.bernoulli(p) ? 1u : 0u;
  }
  for (auto _ : state) {
    auto s = sc::shrink_win_rates(w, n);
    benchmark::DoNotOptimize(s.reps.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(reps));
}
BENCHMARK(bm_shrink)->Unit(benchmark::kMillisecond);

// state.range(0) units, state.range(1) = 0 CCR, 1 BCC.
void bm_dea(benchmark::State& state) {
  const auto n = static_cast<Eigen::Index>(state.range(0));
  salesops::rng gen(7);
  Eigen::MatrixXd x(n, 3), y(n, 2);
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < 3; ++i) x(j, i) = 1 + 9 * gen.uniform();
    for (Eigen::Index r = 0; r < 2; ++r) y(j, r) = 1 + 9 * gen.uniform();
  }
  const auto model =
      state.range(1) == 0 ? sc::returns_to_scale::constant : sc::returns_to_scale::variable;
  for (auto _ : state) {
    auto r = sc::dea_efficiency(x, y, model);
    benchmark::DoNotOptimize(r.efficiency.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(bm_dea)->ArgsProduct({{100, 300}, {0, 1}})->Unit(benchmark::kMillisecond);

} // namespace
