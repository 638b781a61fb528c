#!/usr/bin/env Rscript
# Peer of bench_forecast's batch: R forecast::tslm on the same 1,000 monthly series.
#   SALESOPS_BENCH_SAMPLE_DIR=/tmp/fs build/<b>/benchmarks/bench_forecast --benchmark_filter=batch
#   Rscript benchmarks/peer_forecast.R /tmp/fs
# Reads forecast_sample_y.csv (one series per row, 36 months), salesops' forecasts
# (forecast_sample_salesops.csv) and time (forecast_sample_time.txt); fits
# forecast(tslm(y ~ trend + season), h = 12, level = 95) per series, and prints the time, the
# speed ratio and the agreement in significant digits (minimum over every mean and bound).
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) > 0) args[1] else "."
Y <- as.matrix(read.csv(file.path(dir, "forecast_sample_y.csv"), header = FALSE))
ours <- read.csv(file.path(dir, "forecast_sample_salesops.csv"))
ours_time <- scan(file.path(dir, "forecast_sample_time.txt"), quiet = TRUE)
m <- nrow(Y)
start <- proc.time()[["elapsed"]]
res <- vector("list", m)
for (s in seq_len(m)) {
  y <- ts(Y[s, ], frequency = 12)
  f <- forecast(tslm(y ~ trend + season), h = 12, level = 95)
  res[[s]] <- cbind(as.numeric(f$mean), as.numeric(f$lower), as.numeric(f$upper))
}
elapsed <- proc.time()[["elapsed"]] - start
peer <- do.call(rbind, res)
mine <- cbind(ours$mean, ours$lower95, ours$upper95)
rel <- max(abs(peer - mine) / abs(peer))
digits <- if (rel == 0) 16 else min(16, -log10(rel))
cat(sprintf(paste0("R forecast::tslm: %d series x %d months in %.3f s; salesops %.5f s; ",
                   "salesops is %.0fx faster; agreement %.1f significant digits\n"),
            m, ncol(Y), elapsed, ours_time, elapsed / ours_time, digits))
