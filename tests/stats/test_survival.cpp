// Tests for salesops/stats/survival.hpp.
#include <salesops/stats/survival.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using salesops::stats::kaplan_meier;
using salesops::stats::kaplan_meier_accumulator;
using salesops::stats::km_conf_type;
using salesops::stats::km_quantile;

namespace {
constexpr double NA = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

struct r_row {
  double time;
  std::uint64_t n_risk, n_event, n_censor;
  double surv, std_err, lower, upper;
};

void check_rows(const salesops::stats::kaplan_meier_result& fit, const std::vector<r_row>& ref) {
  INFO(fit);
  REQUIRE(fit.rows.size() == ref.size());
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const auto& a = fit.rows[i];
    const auto& e = ref[i];
    INFO("row " << i);
    CHECK(a.time == e.time);
    CHECK(a.n_risk == e.n_risk);
    CHECK(a.n_event == e.n_event);
    CHECK(a.n_censor == e.n_censor);
    CHECK(a.survival == Approx(e.surv).epsilon(1e-13).margin(1e-15));
    if (std::isinf(e.std_err)) {
      CHECK(std::isinf(a.std_err));
    } else {
      CHECK(a.std_err == Approx(e.std_err).epsilon(1e-13));
    }
    if (std::isnan(e.lower)) {
      CHECK(std::isnan(a.lower));
      CHECK(std::isnan(a.upper));
    } else {
      CHECK(a.lower == Approx(e.lower).epsilon(1e-12).margin(1e-15));
      CHECK(a.upper == Approx(e.upper).epsilon(1e-12).margin(1e-15));
    }
  }
}

void check_quantile(const salesops::stats::survival_quantile& q, std::optional<double> time,
                    std::optional<double> lower, std::optional<double> upper) {
  INFO(q);
  CHECK(q.time.has_value() == time.has_value());
  CHECK(q.lower.has_value() == lower.has_value());
  CHECK(q.upper.has_value() == upper.has_value());
  if (time && q.time) CHECK(*q.time == Approx(*time).epsilon(1e-14));
  if (lower && q.lower) CHECK(*q.lower == Approx(*lower).epsilon(1e-14));
  if (upper && q.upper) CHECK(*q.upper == Approx(*upper).epsilon(1e-14));
}

// survival::aml, maintained group (Miller 1981; shipped with R's survival package).
const std::vector<double> aml_time = {9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161};
const std::vector<std::uint8_t> aml_status = {1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0};
} // namespace

// References: R 4.2, survival 3.5.3: for fit <- survfit(Surv(time, status) ~
// 1, conf.type = type, conf.int = level), the columns fit$time, n.risk, n.event, n.censor,
// surv, std.err, lower, upper printed with %.15g; quantile(fit, c(.25, .5, .75)).

TEST_CASE("kaplan_meier matches survfit on aml (log, the default)", "[stats][survival]") {
  // survfit(Surv(time, status) ~ 1, data = aml[aml$x == "Maintained", ])
  const std::vector<r_row> ref = {
      {9, 11, 1, 0, 0.909090909090909, 0.0953462589245592, 0.754133845081525, 1},
      {13, 10, 1, 1, 0.818181818181818, 0.14213381090374, 0.619248987399364, 1},
      {18, 8, 1, 0, 0.715909090909091, 0.195087577921207, 0.488426287422128, 1},
      {23, 7, 1, 0, 0.613636363636364, 0.248734169081545, 0.37686705950168, 0.999157600228473},
      {28, 6, 0, 1, 0.613636363636364, 0.248734169081545, 0.37686705950168, 0.999157600228473},
      {31, 5, 1, 0, 0.490909090909091, 0.334467766561573, 0.254859951199317, 0.945584955200429},
      {34, 4, 1, 0, 0.368181818181818, 0.441816726937788, 0.154877117897191, 0.875260678143908},
      {45, 3, 0, 1, 0.368181818181818, 0.441816726937788, 0.154877117897191, 0.875260678143908},
      {48, 2, 1, 0, 0.184090909090909, 0.833787754888509, 0.0359178984891853, 0.943525769474552},
      {161, 1, 0, 1, 0.184090909090909, 0.833787754888509, 0.0359178984891853, 0.943525769474552},
  };
  const auto fit = kaplan_meier(aml_time, aml_status);
  CHECK(fit.conf_type == km_conf_type::log);
  CHECK(fit.n == 11);
  CHECK(fit.events == 7);
  check_rows(fit, ref);
  // quantile(fit): 25% 18 [13, NA], 50% 31 [18, NA], 75% 48 [34, NA]
  check_quantile(fit.median, 31, 18, std::nullopt);
  check_quantile(km_quantile(fit, 0.25), 18, 13, std::nullopt);
  check_quantile(km_quantile(fit, 0.75), 48, 34, std::nullopt);
}

TEST_CASE("kaplan_meier matches survfit on aml (log-log and plain)", "[stats][survival]") {
  const std::vector<r_row> loglog = {
      {9, 11, 1, 0, 0.909090909090909, 0.0953462589245592, 0.50808020576993, 0.986673822667823},
      {13, 10, 1, 1, 0.818181818181818, 0.14213381090374, 0.447428614682181, 0.951162228582492},
      {18, 8, 1, 0, 0.715909090909091, 0.195087577921207, 0.350190385907938, 0.899023974191053},
      {23, 7, 1, 0, 0.613636363636364, 0.248734169081545, 0.265752040001286, 0.835299243250221},
      {28, 6, 0, 1, 0.613636363636364, 0.248734169081545, 0.265752040001286, 0.835299243250221},
      {31, 5, 1, 0, 0.490909090909091, 0.334467766561573, 0.167330909776851, 0.753399790370811},
      {34, 4, 1, 0, 0.368181818181818, 0.441816726937788, 0.0928295749369852, 0.657040832398164},
      {45, 3, 0, 1, 0.368181818181818, 0.441816726937788, 0.0928295749369852, 0.657040832398164},
      {48, 2, 1, 0, 0.184090909090909, 0.833787754888509, 0.0117384801231896, 0.525014842726641},
      {161, 1, 0, 1, 0.184090909090909, 0.833787754888509, 0.0117384801231896, 0.525014842726641},
  };
  const auto ll = kaplan_meier(aml_time, aml_status, 0.95, km_conf_type::log_log);
  check_rows(ll, loglog);
  // quantile: 25% 18 [9, 34], 50% 31 [13, NA], 75% 48 [31, NA]
  check_quantile(ll.median, 31, 13, std::nullopt);
  check_quantile(km_quantile(ll, 0.25), 18, 9, 34);
  check_quantile(km_quantile(ll, 0.75), 48, 31, std::nullopt);

  const std::vector<r_row> plain = {
      {9, 11, 1, 0, 0.909090909090909, 0.0953462589245592, 0.739204333133848, 1},
      {13, 10, 1, 1, 0.818181818181818, 0.14213381090374, 0.590255058799017, 1},
      {18, 8, 1, 0, 0.715909090909091, 0.195087577921207, 0.442170778715077, 0.989647403103104},
      {23, 7, 1, 0, 0.613636363636364, 0.248734169081545, 0.314482491946437, 0.91279023532629},
      {28, 6, 0, 1, 0.613636363636364, 0.248734169081545, 0.314482491946437, 0.91279023532629},
      {31, 5, 1, 0, 0.490909090909091, 0.334467766561573, 0.169096200651704, 0.812721981166478},
      {34, 4, 1, 0, 0.368181818181818, 0.441816726937788, 0.0493566605554544, 0.687006975808182},
      {45, 3, 0, 1, 0.368181818181818, 0.441816726937788, 0.0493566605554544, 0.687006975808182},
      {48, 2, 1, 0, 0.184090909090909, 0.833787754888509, 0, 0.484931162720207},
      {161, 1, 0, 1, 0.184090909090909, 0.833787754888509, 0, 0.484931162720207},
  };
  const auto pl = kaplan_meier(aml_time, aml_status, 0.95, km_conf_type::plain);
  check_rows(pl, plain);
  // quantile: 25% 18 [9, 34], 50% 31 [18, 48], 75% 48 [31, NA]
  check_quantile(pl.median, 31, 18, 48);
  check_quantile(km_quantile(pl, 0.25), 18, 9, 34);
  check_quantile(km_quantile(pl, 0.75), 48, 31, std::nullopt);
}

TEST_CASE("kaplan_meier: tied times, a curve ending in S = 0, level 0.9", "[stats][survival]") {
  // t <- c(5, 5, 5, 8, 8, 12, 12, 12, 15, 20, 20, 31); e <- c(1,0,1,1,1,0,1,1,0,1,1,1)
  // survfit(Surv(t, e) ~ 1, conf.type = type, conf.int = 0.9): at t = 31 S = 0, std.err Inf
  // and the bounds are NA (NaN for plain).
  const std::vector<double> t = {12, 5, 5, 8, 8, 12, 5, 12, 15, 20, 20, 31}; // any order
  const std::vector<std::uint8_t> e = {0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1};
  const std::vector<r_row> log_ref = {
      {5, 12, 2, 1, 0.833333333333333, 0.129099444873581, 0.673901550038014, 1},
      {8, 9, 2, 0, 0.648148148148148, 0.220028858136151, 0.451332369179816, 0.930790811018704},
      {12, 7, 2, 1, 0.462962962962963, 0.324893144826965, 0.271305472170998, 0.790012465875939},
      {15, 4, 0, 1, 0.462962962962963, 0.324893144826965, 0.271305472170998, 0.790012465875939},
      {20, 3, 2, 0, 0.154320987654321, 0.878761755097604, 0.0363647648978681, 0.654891274493053},
      {31, 1, 1, 0, 0, inf, NA, NA},
  };
  const auto fit = kaplan_meier(t, e, 0.9);
  check_rows(fit, log_ref);
  // quantile: 25% 8 [5, 20], 50% 12 [8, NA], 75% 20 [20, NA]
  check_quantile(km_quantile(fit, 0.25), 8, 5, 20);
  check_quantile(fit.median, 12, 8, std::nullopt);
  check_quantile(km_quantile(fit, 0.75), 20, 20, std::nullopt);

  const std::vector<r_row> loglog_ref = {
      {5, 12, 2, 1, 0.833333333333333, 0.129099444873581, 0.557477688568739, 0.944700474610229},
      {8, 9, 2, 0, 0.648148148148148, 0.220028858136151, 0.368226601072191, 0.828434336793757},
      {12, 7, 2, 1, 0.462962962962963, 0.324893144826965, 0.214076132845236, 0.680619023345796},
      {15, 4, 0, 1, 0.462962962962963, 0.324893144826965, 0.214076132845236, 0.680619023345796},
      {20, 3, 2, 0, 0.154320987654321, 0.878761755097604, 0.017420544606408, 0.422220079286927},
      {31, 1, 1, 0, 0, inf, NA, NA},
  };
  const auto ll = kaplan_meier(t, e, 0.9, km_conf_type::log_log);
  check_rows(ll, loglog_ref);
  // quantile: 25% 8 [5, 12], 50% 12 [8, 20], 75% 20 [12, NA]
  check_quantile(km_quantile(ll, 0.25), 8, 5, 12);
  check_quantile(ll.median, 12, 8, 20);
  check_quantile(km_quantile(ll, 0.75), 20, 12, std::nullopt);

  const std::vector<r_row> plain_ref = {
      {5, 12, 2, 1, 0.833333333333333, 0.129099444873581, 0.656375258218558, 1},
      {8, 9, 2, 0, 0.648148148148148, 0.220028858136151, 0.413573439131975, 0.882722857164321},
      {12, 7, 2, 1, 0.462962962962963, 0.324893144826965, 0.215554783499859, 0.710371142426067},
      {15, 4, 0, 1, 0.462962962962963, 0.324893144826965, 0.215554783499859, 0.710371142426067},
      {20, 3, 2, 0, 0.154320987654321, 0.878761755097604, 0, 0.377381861126317},
      {31, 1, 1, 0, 0, inf, NA, NA},
  };
  const auto pl = kaplan_meier(t, e, 0.9, km_conf_type::plain);
  check_rows(pl, plain_ref);
  check_quantile(pl.median, 12, 8, 20);
}

TEST_CASE("survival quantiles follow survfit's midpoint rules", "[stats][survival]") {
  // survfit(Surv(c(1, 2, 3, 4), c(1, 1, 1, 1)) ~ 1): S = .75, .5, .25, 0 hits 0.5 exactly on
  // [2, 3): quantile 25% 1.5, 50% 2.5, 75% 3.5; lower 1 1 2; upper NA NA NA.
  const std::vector<double> t = {1, 2, 3, 4};
  const std::vector<std::uint8_t> all = {1, 1, 1, 1};
  const auto fit = kaplan_meier(t, all);
  check_quantile(km_quantile(fit, 0.25), 1.5, 1, std::nullopt);
  check_quantile(fit.median, 2.5, 1, std::nullopt);
  check_quantile(km_quantile(fit, 0.75), 3.5, 2, std::nullopt);
  // survfit(Surv(c(1, 2, 3, 4), c(1, 1, 0, 0)) ~ 1): the curve ends on S = 0.5, so the median
  // is the midpoint from 2 to the last time 4: 3; the 75% quantile is NA.
  const std::vector<std::uint8_t> two = {1, 1, 0, 0};
  const auto end = kaplan_meier(t, two);
  check_quantile(end.median, 3.0, 1, std::nullopt);
  check_quantile(km_quantile(end, 0.75), std::nullopt, 2, std::nullopt);
  // survfit(Surv(c(2,2,3,7,7,7,9,10.5,11,14,14,20), c(0,1,1,0,1,1,0,1,1,0,1,0)) ~ 1,
  //         conf.type = "log-log"): 25% 7 [2, 11], 50% 11 [3, NA], 75% NA [10.5, NA]
  const std::vector<double> t3 = {2, 2, 3, 7, 7, 7, 9, 10.5, 11, 14, 14, 20};
  const std::vector<std::uint8_t> e3 = {0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0};
  const auto ll = kaplan_meier(t3, e3, 0.95, km_conf_type::log_log);
  CHECK(ll.rows[0].lower == Approx(0.538977180570741).epsilon(1e-12));
  CHECK(ll.rows[6].upper == Approx(0.560204319633247).epsilon(1e-12));
  check_quantile(km_quantile(ll, 0.25), 7, 2, 11);
  check_quantile(ll.median, 11, 3, std::nullopt);
  check_quantile(km_quantile(ll, 0.75), std::nullopt, 10.5, std::nullopt);
}

TEST_CASE("kaplan_meier equals a brute-force product-limit estimate", "[stats][survival]") {
  // Brute force: for each distinct time, count at risk (time >= t) and events by scanning
  // every subject; S and Greenwood's sum follow their definitions.
  salesops::rng gen(GENERATE(81u, 82u, 83u));
  const std::size_t n = 1 + static_cast<std::size_t>(gen.uniform_int(120));
  std::vector<double> t(n);
  std::vector<std::uint8_t> e(n);
  for (std::size_t i = 0; i < n; ++i) {
    t[i] = std::round(gen.exponential(0.1)); // integer days: many ties
    e[i] = gen.bernoulli(0.6) ? 1 : 0;
  }
  const auto fit = kaplan_meier(t, e);
  std::vector<double> distinct = t;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  REQUIRE(fit.rows.size() == distinct.size());
  double s = 1, g = 0;
  for (std::size_t k = 0; k < distinct.size(); ++k) {
    std::uint64_t risk = 0, d = 0, c = 0;
    for (std::size_t i = 0; i < n; ++i) {
      risk += t[i] >= distinct[k] ? 1 : 0;
      d += (t[i] == distinct[k] && e[i] == 1) ? 1 : 0;
      c += (t[i] == distinct[k] && e[i] == 0) ? 1 : 0;
    }
    const double rn = static_cast<double>(risk), dn = static_cast<double>(d);
    s *= 1 - dn / rn;
    g += d == risk ? inf : dn / (rn * (rn - dn));
    INFO("time " << distinct[k]);
    CHECK(fit.rows[k].n_risk == risk);
    CHECK(fit.rows[k].n_event == d);
    CHECK(fit.rows[k].n_censor == c);
    CHECK(fit.rows[k].survival == Approx(s).margin(1e-15));
    if (std::isfinite(g)) CHECK(fit.rows[k].std_err == Approx(std::sqrt(g)).epsilon(1e-13));
  }
}

TEST_CASE("kaplan_meier_accumulator: merged shards equal one pass", "[stats][survival]") {
  // Shards from different distributions: fast closers with little censoring, slow deals with
  // heavy censoring, and integer-day ties.
  salesops::rng gen(GENERATE(91u, 92u));
  kaplan_meier_accumulator one_pass;
  std::vector<kaplan_meier_accumulator> shards(3);
  for (int i = 0; i < 900; ++i) {
    const int s = i % 3;
    double time = 0;
    bool event = false;
    if (s == 0) {
      time = gen.exponential(0.2);
      event = gen.bernoulli(0.9);
    }
    if (s == 1) {
      time = gen.lognormal(4.0, 1.0);
      event = gen.bernoulli(0.3);
    }
    if (s == 2) {
      time = std::floor(gen.uniform(0.0, 60.0));
      event = gen.bernoulli(0.5);
    }
    one_pass.update(time, event);
    shards[static_cast<std::size_t>(s)].update(time, event);
  }
  kaplan_meier_accumulator merged;
  merged.merge(shards[2]);
  merged.merge(shards[0]);
  merged.merge(shards[1]);
  const auto a = one_pass.result(), b = merged.result();
  REQUIRE(a.rows.size() == b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    CHECK(a.rows[i].time == b.rows[i].time);
    CHECK(a.rows[i].n_risk == b.rows[i].n_risk);
    CHECK(a.rows[i].survival == b.rows[i].survival);
    CHECK(a.rows[i].std_err == b.rows[i].std_err);
  }
  CHECK(a.median.time == b.median.time);
  CHECK(a.median.lower == b.median.lower);
  CHECK(a.median.upper == b.median.upper);
}

TEST_CASE("kaplan_meier with no censoring is one minus the empirical CDF", "[stats][survival]") {
  // Hand derivation: without censoring S(t) = (number of times > t) / n, and the median is
  // the sample median under survfit's midpoint rule.
  const std::vector<double> t = {3, 1, 4, 1, 5, 9, 2, 6};
  const std::vector<std::uint8_t> e(t.size(), 1);
  const auto fit = kaplan_meier(t, e);
  for (const auto& row : fit.rows) {
    const auto above = std::count_if(t.begin(), t.end(), [&](double x) { return x > row.time; });
    CHECK(row.survival == Approx(static_cast<double>(above) / 8.0).margin(1e-15));
  }
  REQUIRE(fit.median.time.has_value());
  CHECK(*fit.median.time == 3.5); // S = 0.5 on [3, 4)
}

TEST_CASE("survival results print", "[stats][survival]") {
  std::ostringstream out;
  out << kaplan_meier(aml_time, aml_status);
  CHECK_THAT(out.str(),
             Contains("kaplan_meier{n=11, events=7") &&
                 Contains("median=survival_quantile{p=0.5, time=31, lower=18, upper=NA}") &&
                 Contains("km_row{time=161"));
}

TEST_CASE("kaplan_meier rejects bad input", "[stats][survival]") {
  const std::vector<double> t = {1, 2, -3};
  const std::vector<std::uint8_t> e = {1, 0, 1};
  CHECK_THROWS_AS(kaplan_meier(t, e), salesops::negative_value);
  CHECK_THROWS_WITH(kaplan_meier(t, e), Contains("kaplan_meier: times at row 2 is negative"));
  const std::vector<double> nan_t = {1, NA};
  const std::vector<std::uint8_t> e2 = {1, 1};
  CHECK_THROWS_AS(kaplan_meier(nan_t, e2), salesops::not_finite);
  const std::vector<double> ok = {1, 2, 3};
  const std::vector<std::uint8_t> bad_e = {1, 2, 0};
  CHECK_THROWS_AS(kaplan_meier(ok, bad_e), salesops::out_of_range_value);
  CHECK_THROWS_WITH(kaplan_meier(ok, bad_e), Contains("events at row 1 is 2"));
  CHECK_THROWS_AS(kaplan_meier(ok, e2), salesops::length_mismatch);
  const std::vector<double> none;
  const std::vector<std::uint8_t> no_e;
  CHECK_THROWS_AS(kaplan_meier(none, no_e), salesops::empty_input);
  CHECK_THROWS_AS(kaplan_meier(ok, e, 1.0), salesops::out_of_range_value);
  CHECK_THROWS_AS(kaplan_meier_accumulator{}.result(), salesops::empty_input);
  kaplan_meier_accumulator acc;
  CHECK_THROWS_AS(acc.update(inf, true), salesops::not_finite);
  const auto fit = kaplan_meier(ok, e);
  CHECK_THROWS_AS(km_quantile(fit, 1.0), salesops::out_of_range_value);
  CHECK_THROWS_WITH(km_quantile(fit, 0.0), Contains("km_quantile: p is 0"));
}
