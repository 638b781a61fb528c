#!/usr/bin/python3
"""Peer of bench_forecast's batch: statsmodels OLS on the same 1,000 monthly series.

    SALESOPS_BENCH_SAMPLE_DIR=/tmp/fs build/<b>/benchmarks/bench_forecast --benchmark_filter=batch
    /usr/bin/python3 benchmarks/peer_forecast.py /tmp/fs

Builds R's tslm design (intercept, trend 1..36, dummies for months 2..12), fits
sm.OLS(y, X) per series, predicts 12 months with get_prediction().summary_frame(alpha=0.05)
(obs_ci_lower / obs_ci_upper: prediction intervals, Student t), and prints the time, the speed
ratio against salesops and the agreement in significant digits (minimum over every value).
"""
import math
import sys
import time

import numpy as np
import statsmodels.api as sm


def design(rows, first_t):
    t = np.arange(first_t, first_t + rows)
    x = np.zeros((rows, 13))
    x[:, 0] = 1.0
    x[:, 1] = t
    for i, ti in enumerate(t):
        season = (ti - 1) % 12 + 1
        if season > 1:
            x[i, season] = 1.0
    return x


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "."
    y_all = np.loadtxt(f"{d}/forecast_sample_y.csv", delimiter=",")
    ours = np.loadtxt(f"{d}/forecast_sample_salesops.csv", delimiter=",", skiprows=1)
    ours_time = float(open(f"{d}/forecast_sample_time.txt").read())
    m, n = y_all.shape
    x, xf = design(n, 1), design(12, n + 1)
    start = time.perf_counter()
    rows = []
    for s in range(m):
        fit = sm.OLS(y_all[s], x).fit()
        frame = fit.get_prediction(xf).summary_frame(alpha=0.05)
        rows.append(np.column_stack([frame["mean"], frame["obs_ci_lower"], frame["obs_ci_upper"]]))
    elapsed = time.perf_counter() - start
    peer = np.vstack(rows)
    rel = np.max(np.abs(peer - ours[:, 2:5]) / np.abs(peer))
    digits = 16.0 if rel == 0 else min(16.0, -math.log10(rel))
    print(f"statsmodels OLS: {m} series x {n} months in {elapsed:.3f} s; salesops {ours_time:.5f} s; "
          f"salesops is {elapsed / ours_time:.0f}x faster; agreement {digits:.1f} significant digits")


if __name__ == "__main__":
    main()
