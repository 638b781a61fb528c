// Benchmarks of the forecast module's time-series side (docs/benchmarks.md).
//
//  * single fits, n = 100k, p = 20 and n = 1M, p = 50: forecast::fit (centred, scaled
//    Householder QR with rank test, standard errors) against a raw Eigen HouseholderQR
//    solve of [1 X] (the target: within 1.5x);
//  * a batch of 100,000 series x 36 months, trend + 11 seasonal dummies, fit + 12-month
//    forecast with 95 % prediction intervals (target: <= 1 s on one core).
//
// With SALESOPS_BENCH_SAMPLE_DIR=<dir> set, the batch benchmark also writes the first 1,000
// series (forecast_sample_y.csv, one series per row), salesops' forecasts for them
// (forecast_sample_salesops.csv) and the time salesops takes for that sample
// (forecast_sample_time.txt), which benchmarks/peer_forecast.R and peer_forecast.py read.
#include <benchmark/benchmark.h>

#include <salesops/core/rng.hpp>
#include <salesops/forecast/batch.hpp>
#include <salesops/forecast/linear_model.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fc = salesops::forecast;

void random_regression(Eigen::Index n, Eigen::Index p, Eigen::MatrixXd& X, Eigen::VectorXd& y) {
  salesops::rng gen(42);
  X.resize(n, p);
  y.resize(n);
  for (Eigen::Index j = 0; j < p; ++j)
    for (Eigen::Index i = 0; i < n; ++i) X(i, j) = gen.normal(static_cast<double>(j), 1.0 + static_cast<double>(j));
  for (Eigen::Index i = 0; i < n; ++i) y[i] = X.row(i).sum() * 0.1 + gen.normal();
}

void bm_fit_default(benchmark::State& state) {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  random_regression(state.range(0), state.range(1), X, y);
  for (auto _ : state) {
    fc::linear_model m = fc::fit(X, y);
    benchmark::DoNotOptimize(m.coefficients.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void bm_fit_raw_householder(benchmark::State& state) {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  random_regression(state.range(0), state.range(1), X, y);
  Eigen::MatrixXd X1(X.rows(), X.cols() + 1);
  X1.col(0).setOnes();
  X1.rightCols(X.cols()) = X;
  for (auto _ : state) {
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(X1);
    Eigen::VectorXd b = qr.solve(y);
    benchmark::DoNotOptimize(b.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

BENCHMARK(bm_fit_default)->Args({100000, 20})->Args({1000000, 50})->Unit(benchmark::kMillisecond);
BENCHMARK(bm_fit_raw_householder)->Args({100000, 20})->Args({1000000, 50})->Unit(benchmark::kMillisecond);

// Monthly bookings-like series: level, trend, seasonality and noise differ per series.
Eigen::MatrixXd monthly_series(Eigen::Index months, Eigen::Index series) {
  salesops::rng gen(2024);
  Eigen::MatrixXd Y(months, series);
  for (Eigen::Index s = 0; s < series; ++s) {
    const double level = gen.lognormal(10.0, 1.0);
    const double growth = gen.normal(0.005, 0.01);
    const double amplitude = gen.uniform(0.0, 0.3);
    for (Eigen::Index t = 0; t < months; ++t)
      Y(t, s) = level * (1.0 + growth * static_cast<double>(t) +
                         amplitude * std::sin(2.0 * 3.141592653589793 * static_cast<double>(t % 12) / 12.0) +
                         0.1 * gen.normal());
  }
  return Y;
}


void write_sample(const std::string& dir, const fc::ts_design& design, const Eigen::MatrixXd& Y) {
  const Eigen::Index m = 1000;
  const Eigen::MatrixXd sample = Y.leftCols(m);
  std::ofstream data(dir + "/forecast_sample_y.csv");
  data.precision(17);
  for (Eigen::Index s = 0; s < m; ++s) {
    for (Eigen::Index t = 0; t < sample.rows(); ++t) data << (t ? "," : "") << sample(t, s);
    data << "\n";
  }
  const std::vector<double> level = {95};
  fc::batch_forecast f;
  // Time the sample the way the peers run it: fit + 12-month forecast with 95 % intervals.
  const int repeats = 50;
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < repeats; ++r)
    f = fc::forecast_batch(fc::fit_batch(design.observed(), sample), design.future(12), level);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / repeats;
  std::ofstream out(dir + "/forecast_sample_salesops.csv");
  out.precision(17);
  out << "series,h,mean,lower95,upper95\n";
  for (Eigen::Index s = 0; s < m; ++s)
    for (Eigen::Index i = 0; i < f.mean.rows(); ++i)
      out << s + 1 << "," << i + 1 << "," << f.mean(i, s) << "," << f.lower[0](i, s) << ","
          << f.upper[0](i, s) << "\n";
  std::ofstream(dir + "/forecast_sample_time.txt") << seconds << "\n";
}

void bm_batch_tslm(benchmark::State& state) {
  const Eigen::Index months = 36, series = state.range(0);
  const Eigen::MatrixXd Y = monthly_series(months, series);
  const fc::ts_design design = fc::tslm_design(static_cast<std::size_t>(months), 12);
  if (const char* dir = std::getenv("SALESOPS_BENCH_SAMPLE_DIR"); dir && series >= 1000)
    write_sample(dir, design, Y);
  const std::vector<double> level = {95};
  for (auto _ : state) {
    // Design rows are part of the work: a user builds them per call too.
    const fc::batch_fit b = fc::fit_batch(design.observed(), Y);
    fc::batch_forecast f = fc::forecast_batch(b, design.future(12), level);
    benchmark::DoNotOptimize(f.mean.data());
  }
  state.SetItemsProcessed(state.iterations() * series);
}

BENCHMARK(bm_batch_tslm)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

} // namespace
