// Tests of salesops/simulate/crm.hpp. References: hand derivations in comments, brute-force
// re-computations written here (power iteration of the chain, day-by-day expected counts), and
// the simulator's own configured parameters (ground truth), recovered from the generated rows
// within binomial / normal sampling tolerances (z = 4.5, so a correct simulator fails with
// probability below 1e-5 per check; the seeds are fixed, so the tests are deterministic).
#include <salesops/simulate/crm.hpp>

#include <salesops/core/moments.hpp>
#include <salesops/core/sum.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <vector>

namespace sim = salesops::simulate;
using Catch::Matchers::Contains;

namespace {

constexpr double z = 4.5;

// |k/n - p| within z binomial standard errors.
bool binomial_close(double k, double n, double p) {
  return std::fabs(k / n - p) <= z * std::sqrt(p * (1 - p) / n) + 1e-12;
}

// Skill and source effects off, no quarter-end push: the stage history is then a draw from
// the configured transition matrix itself.
sim::config recovery_config() {
  sim::config c;
  c.seed = 11;
  c.reps = 120;
  c.skill_sd = 0;
  for (auto& s : c.sources) s.win_log_odds = 0;
  c.quarter_end_push = 0;
  return c;
}

// Rows [begin[i], begin[i+1]) of the stage history belong to opportunity i.
std::vector<std::size_t> group_starts(const sim::opportunity_table& t) {
  std::vector<std::size_t> begin(t.size() + 1, 0);
  for (std::uint64_t row : t.stage_opportunity) ++begin[static_cast<std::size_t>(row) + 1];
  for (std::size_t i = 0; i < t.size(); ++i) begin[i + 1] += begin[i];
  return begin;
}

// Brute-force productivity ramp (the model of docs/simulate.md): linear over ramp months of
// 365.2425 / 12 days, measured at the middle of the day.
double ramp(salesops::date start, int months, salesops::date d) {
  if (d < start) return 0;
  if (months == 0) return 1;
  return std::min(1.0, (d - start + 0.5) / (365.2425 / 12.0) / months);
}

double days_in_month_of(salesops::date d) {
  const auto p = salesops::period_of(d, salesops::period_kind::month);
  return static_cast<double>(p.end - p.start);
}

} // namespace

TEST_CASE("same seed gives identical data, another seed differs", "[simulate]") {
  sim::config c;
  c.reps = 12;
  c.months = 12;
  const sim::dataset a = sim::simulate_crm(c);
  const sim::dataset b = sim::simulate_crm(c);
  CHECK(a.opportunities.amount == b.opportunities.amount);
  CHECK(a.opportunities.entered_at == b.opportunities.entered_at);
  CHECK(a.opportunities.new_close == b.opportunities.new_close);
  CHECK(a.activities.date == b.activities.date);
  CHECK(a.org.rep_skill == b.org.rep_skill);
  CHECK(a.quotas.amount == b.quotas.amount);
  c.seed = 2;
  const sim::dataset d = sim::simulate_crm(c);
  CHECK(d.opportunities.amount != a.opportunities.amount);
  CHECK(d.org.rep_skill != a.org.rep_skill);
  CHECK(d.activities.date != a.activities.date);
}

TEST_CASE("chunked simulation equals the in-memory one", "[simulate]") {
  sim::config c;
  c.reps = 13;
  c.months = 9;
  const sim::dataset whole = sim::simulate_crm(c);
  const std::size_t reps_per_chunk = GENERATE(as<std::size_t>{}, 1, 4, 13, 100);
  sim::opportunity_table opp;
  std::vector<std::uint32_t> activity_rep;
  std::uint32_t next_rep = 0;
  sim::simulate_crm_chunks(c, whole.org, reps_per_chunk, [&](const sim::crm_chunk& chunk) {
    CHECK(chunk.first_rep == next_rep);
    CHECK(chunk.rep_count <= reps_per_chunk);
    next_rep += chunk.rep_count;
    const auto base = static_cast<std::uint64_t>(opp.size());
    for (std::size_t i = 0; i < chunk.opportunities.size(); ++i) {
      opp.id.push_back(chunk.opportunities.id[i]);
      opp.amount.push_back(chunk.opportunities.amount[i]);
    }
    for (std::size_t i = 0; i < chunk.opportunities.stage.size(); ++i) {
      opp.stage_opportunity.push_back(base + chunk.opportunities.stage_opportunity[i]);
      opp.entered_at.push_back(chunk.opportunities.entered_at[i]);
    }
    activity_rep.insert(activity_rep.end(), chunk.activities.rep.begin(),
                        chunk.activities.rep.end());
  });
  CHECK(next_rep == 13);
  CHECK(opp.id == whole.opportunities.id);
  CHECK(opp.amount == whole.opportunities.amount);
  CHECK(opp.stage_opportunity == whole.opportunities.stage_opportunity);
  CHECK(opp.entered_at == whole.opportunities.entered_at);
  CHECK(activity_rep == whole.activities.rep);
}

TEST_CASE("every generated row satisfies the data contract", "[simulate]") {
  sim::config c;
  c.seed = GENERATE(as<std::uint64_t>{}, 1, 2, 3);
  c.reps = 15;
  c.months = GENERATE(1, 7, 14);
  c.start = salesops::make_date(2023, GENERATE(1u, 2u, 11u), 1);
  c.team_moves_per_year = 2;
  const sim::dataset d = sim::simulate_crm(c);
  const auto& t = d.opportunities;
  const std::size_t n = c.stages.stage_count();
  REQUIRE(d.start == c.start);
  // end = first day of the month `months` after start (count the months brute force).
  salesops::date e = c.start;
  for (int m = 0; m < c.months; ++m) e = salesops::period_of(e, salesops::period_kind::month).end;
  CHECK(d.end == e);

  // Deals are created from warmup_months (6) before the start: count back brute force.
  salesops::date warmup_start = c.start;
  for (int m = 0; m < c.warmup_months; ++m)
    warmup_start = salesops::period_of(warmup_start - 1, salesops::period_kind::month).start;
  bool warmup_deal = false;
  const auto begin = group_starts(t);
  for (std::size_t i = 0; i < t.size(); ++i) {
    INFO("opportunity row " << i);
    warmup_deal = warmup_deal || t.created[i] < c.start;
    REQUIRE(begin[i + 1] > begin[i]); // every deal has a history
    if (i > 0) CHECK(t.id[i] > t.id[i - 1]);
    CHECK(t.owner[i] < d.org.rep_count());
    CHECK(t.created[i] >= std::max(warmup_start, d.org.rep_start[t.owner[i]]));
    CHECK(t.created[i] < d.end);
    CHECK(t.amount[i] > 0);
    CHECK(t.segment[i] < c.segments.size());
    CHECK(t.source[i] < c.sources.size());
    CHECK(t.product[i] < c.products.size());
    // The first stage is entered on the creation day, stages are time-ordered, a stage is
    // never "entered" from itself, and every entry lies inside the simulation.
    CHECK(t.stage[begin[i]] == 0);
    CHECK(salesops::date_from_timestamp(t.entered_at[begin[i]]) == t.created[i]);
    for (std::size_t r = begin[i]; r < begin[i + 1]; ++r) {
      CHECK(t.stage[r] < n);
      CHECK(t.entered_at[r] < salesops::timestamp_from_date(d.end));
      if (r > begin[i]) {
        CHECK(t.entered_at[r] > t.entered_at[r - 1]);
        CHECK(t.stage[r] != t.stage[r - 1]);
      }
    }
    if (t.outcome[i] == sim::outcome::open) {
      CHECK(t.close_date[i] >= d.end);
      CHECK(t.forecast[i] == c.stages.forecast[t.stage[begin[i + 1] - 1]]);
    } else {
      CHECK(t.close_date[i] < d.end);
      CHECK(salesops::timestamp_from_date(t.close_date[i]) >= t.entered_at[begin[i + 1] - 1] - 86400);
      CHECK(t.forecast[i] == sim::forecast_category::closed);
    }
  }
  CHECK(warmup_deal); // the pipeline is filled before the start
  for (std::size_t k = 0; k < t.changed_on.size(); ++k) {
    const auto row = static_cast<std::size_t>(t.change_opportunity[k]);
    REQUIRE(row < t.size());
    CHECK(t.new_close[k] - t.old_close[k] >= c.slip_days_min);
    CHECK(t.new_close[k] - t.old_close[k] <= c.slip_days_max);
    CHECK(t.changed_on[k] >= t.created[row]);
    if (k > 0 && t.change_opportunity[k - 1] == t.change_opportunity[k])
      CHECK(t.old_close[k] == t.new_close[k - 1]); // a chain of pushes
  }
  for (std::size_t k = 0; k < d.org.move_rep.size(); ++k) {
    CHECK(d.org.move_date[k] >= std::max(c.start, d.org.rep_start[d.org.move_rep[k]]));
    CHECK(d.org.move_date[k] < d.end);
    CHECK(d.org.move_team[k] < d.org.team_names.size());
  }
  for (std::size_t k = 0; k < d.activities.rep.size(); ++k) {
    CHECK(salesops::iso_weekday(d.activities.date[k]) <= 5);
    CHECK(d.activities.date[k] >= d.org.rep_start[d.activities.rep[k]]);
  }
}

TEST_CASE("stage transitions recover the configured matrix", "[simulate][truth]") {
  const sim::config c = recovery_config();
  const sim::dataset d = sim::simulate_crm(c);
  const auto& t = d.opportunities;
  const auto n = static_cast<Eigen::Index>(c.stages.stage_count());
  Eigen::MatrixXd counts = Eigen::MatrixXd::Zero(n, n + 2);
  const auto begin = group_starts(t);
  for (std::size_t i = 0; i < t.size(); ++i) {
    for (std::size_t r = begin[i]; r + 1 < begin[i + 1]; ++r) counts(t.stage[r], t.stage[r + 1]) += 1;
    const auto last = static_cast<Eigen::Index>(t.stage[begin[i + 1] - 1]);
    if (t.outcome[i] == sim::outcome::won) counts(last, n) += 1;
    if (t.outcome[i] == sim::outcome::lost) counts(last, n + 1) += 1;
  }
  for (Eigen::Index s = 0; s < n; ++s) {
    const double visits = counts.row(s).sum();
    REQUIRE(visits > 1000);
    for (Eigen::Index col = 0; col < n + 2; ++col) {
      INFO("from stage " << s << " to column " << col << ": " << counts(s, col) << " / " << visits);
      CHECK(binomial_close(counts(s, col), visits, c.stages.transitions(s, col)));
    }
  }
  // Skips (0 -> 2) and backward moves (1 -> 0) occur.
  CHECK(counts(0, 2) > 0);
  CHECK(counts(1, 0) > 0);
}

TEST_CASE("stage durations recover the configured lognormal parameters", "[simulate][truth]") {
  const sim::config c = recovery_config();
  const sim::dataset d = sim::simulate_crm(c);
  const auto& t = d.opportunities;
  const std::size_t n = c.stages.stage_count();
  std::vector<salesops::welford_moments<double>> log_days(n);
  // Only visits that began 250+ days before the end: their exit is observed whatever the
  // duration (P(duration > 250 days) < 1e-4 for every default stage), so no censoring bias.
  const std::int64_t cutoff = salesops::timestamp_from_date(d.end - 250);
  for (std::size_t r = 0; r + 1 < t.stage.size(); ++r)
    if (t.stage_opportunity[r] == t.stage_opportunity[r + 1] && t.entered_at[r] < cutoff)
      log_days[t.stage[r]].update(std::log(static_cast<double>(t.entered_at[r + 1] - t.entered_at[r]) / 86400.0));
  for (std::size_t s = 0; s < n; ++s) {
    const auto m = log_days[s].result();
    INFO("stage " << s << ": " << m);
    const double sd = c.stages.duration_log_sd[s];
    const auto count = static_cast<double>(m.count);
    REQUIRE(count > 150); // commit rarely moves to another stage (0.05)
    CHECK(std::fabs(m.mean - c.stages.duration_log_mean[s]) < z * sd / std::sqrt(count));
    // se(sample sd) ~ sd / sqrt(2 n) for normal data.
    CHECK(std::fabs(std::sqrt(m.variance) - sd) < z * sd / std::sqrt(2 * count));
  }
}

TEST_CASE("amounts recover the lognormal parameters of each segment", "[simulate][truth]") {
  const sim::config c = recovery_config();
  const sim::dataset d = sim::simulate_crm(c);
  const auto& t = d.opportunities;
  std::vector<salesops::welford_moments<double>> logs(c.segments.size());
  salesops::neumaier_sum<double> total;
  for (std::size_t i = 0; i < t.size(); ++i) {
    // log(amount) = segment log-mean + log(price factor) + segment sd x N(0, 1).
    logs[t.segment[i]].update(std::log(t.amount[i]) - std::log(c.products[t.product[i]].price_factor));
    total.update(t.amount[i]);
  }
  for (std::size_t s = 0; s < c.segments.size(); ++s) {
    const auto m = logs[s].result();
    INFO(c.segments[s].name << ": " << m);
    const auto count = static_cast<double>(m.count);
    CHECK(std::fabs(m.mean - d.truth.amount_log_mean[s]) < z * d.truth.amount_log_sd[s] / std::sqrt(count));
    CHECK(std::fabs(std::sqrt(m.variance) - d.truth.amount_log_sd[s]) <
          z * d.truth.amount_log_sd[s] / std::sqrt(2 * count));
    // Segment shares: binomial.
    CHECK(binomial_close(count, static_cast<double>(t.size()), c.segments[s].weight));
  }
  // E[amount]: the sample mean of a heavy-tailed lognormal mixture; 5 % is > 4.5 standard
  // errors here (the amounts' coefficient of variation is about 2.2, n is about 23,000).
  CHECK(total.result() / static_cast<double>(t.size()) ==
        Approx(d.truth.expected_amount).epsilon(0.05));
}

TEST_CASE("absorption probabilities and times match a hand-derived two-stage chain",
          "[simulate][truth]") {
  // Stages A, B. A: -> B 0.5, won 0.2, lost 0.3. B: -> A 0.4, won 0.5, lost 0.1.
  // w_A = 0.2 + 0.5 w_B, w_B = 0.5 + 0.4 w_A  =>  w_A = 0.45 / 0.8 = 0.5625, w_B = 0.725.
  // Durations exactly 10 and 20 days (sd 0): t_A = 10 + 0.5 t_B, t_B = 20 + 0.4 t_A
  //   =>  t_A = 20 / 0.8 = 25, t_B = 30.
  sim::config c;
  c.stages.names = {"A", "B"};
  c.stages.transitions.resize(2, 4);
  c.stages.transitions << 0.0, 0.5, 0.2, 0.3, //
      0.4, 0.0, 0.5, 0.1;
  c.stages.duration_log_mean = {std::log(10.0), std::log(20.0)};
  c.stages.duration_log_sd = {0, 0};
  c.stages.forecast = {sim::forecast_category::pipeline, sim::forecast_category::commit};
  const sim::ground_truth g = sim::truth_of(c);
  CHECK(g.win_probability(0) == Approx(0.5625).epsilon(1e-12));
  CHECK(g.win_probability(1) == Approx(0.725).epsilon(1e-12));
  CHECK(g.expected_days_to_close(0) == Approx(25).epsilon(1e-12));
  CHECK(g.expected_days_to_close(1) == Approx(30).epsilon(1e-12));
}

TEST_CASE("absorption of the default chain equals brute-force iteration", "[simulate][truth]") {
  const sim::config c;
  const sim::ground_truth g = sim::truth_of(c);
  const Eigen::MatrixXd& t = c.stages.transitions;
  const Eigen::Index n = t.rows();
  // Brute force: distribution over stages after k moves, summed: P(won) = sum_k (Q^k R)_s,won
  // and E[time] = sum_k (Q^k tau)_s, truncated when Q^k is below 1e-16.
  Eigen::MatrixXd qk = Eigen::MatrixXd::Identity(n, n);
  Eigen::VectorXd tau(n);
  for (Eigen::Index s = 0; s < n; ++s) tau(s) = g.mean_stage_days[static_cast<std::size_t>(s)];
  Eigen::VectorXd win = Eigen::VectorXd::Zero(n), days = Eigen::VectorXd::Zero(n);
  for (int k = 0; k < 10000 && qk.cwiseAbs().maxCoeff() > 1e-16; ++k) {
    win += qk * t.col(n);
    days += qk * tau;
    qk = qk * t.leftCols(n);
  }
  for (Eigen::Index s = 0; s < n; ++s) {
    CHECK(g.win_probability(s) == Approx(win(s)).epsilon(1e-12));
    CHECK(g.expected_days_to_close(s) == Approx(days(s)).epsilon(1e-12));
    // Mean of a lognormal: exp(mu + sd^2 / 2).
    CHECK(g.mean_stage_days[static_cast<std::size_t>(s)] ==
          Approx(std::exp(c.stages.duration_log_mean[static_cast<std::size_t>(s)] +
                          0.5 * std::pow(c.stages.duration_log_sd[static_cast<std::size_t>(s)], 2))));
  }
}

TEST_CASE("rep_transitions shifts the odds of losing and keeps rows stochastic", "[simulate]") {
  const sim::stage_model m = sim::config::default_stages();
  CHECK(sim::rep_transitions(m, 0.0).isApprox(m.transitions, 1e-15));
  // Hand: stage 0 loses with q = 0.32; shift ln 2 halves the odds of losing:
  // q' = 0.32 * 0.5 / (0.68 + 0.16) = 0.16 / 0.84; qualification: 0.62 * (1 - q') / 0.68.
  const Eigen::MatrixXd t = sim::rep_transitions(m, std::log(2.0));
  CHECK(t(0, 6) == Approx(0.16 / 0.84).epsilon(1e-12));
  CHECK(t(0, 1) == Approx(0.62 * (1 - 0.16 / 0.84) / 0.68).epsilon(1e-12));
  const double shift = GENERATE(-2.0, -0.5, 0.3, 1.5);
  const Eigen::MatrixXd u = sim::rep_transitions(m, shift);
  for (Eigen::Index s = 0; s < u.rows(); ++s) CHECK(u.row(s).sum() == Approx(1.0).epsilon(1e-14));
  // Odds of losing move by exactly e^-shift.
  const double q = m.transitions(2, 6), q2 = u(2, 6);
  CHECK(q2 / (1 - q2) == Approx(q / (1 - q) * std::exp(-shift)).epsilon(1e-12));
  CHECK_THROWS_AS(sim::rep_transitions(m, std::nan("")), salesops::not_finite);
}

TEST_CASE("win rate of early deals recovers the expected win probability", "[simulate][truth]") {
  // Deals created in the first 12 of 36 months are almost all closed at the end (expected
  // time to close is about 41 days), so the won share estimates P(won | new deal), which
  // averages the absorption probability over lead sources (skill off).
  sim::config c = recovery_config();
  for (std::size_t i = 0; i < c.sources.size(); ++i) c.sources[i].win_log_odds = 0.4 * (static_cast<double>(i) - 1.5);
  c.months = 36;
  const sim::dataset d = sim::simulate_crm(c);
  const auto& t = d.opportunities;
  const salesops::date cutoff = salesops::make_date(2025, 1, 1);
  double won = 0, n = 0, open = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.created[i] >= cutoff) continue;
    n += 1;
    won += t.outcome[i] == sim::outcome::won ? 1 : 0;
    open += t.outcome[i] == sim::outcome::open ? 1 : 0;
  }
  CHECK(open / n < 1e-3);
  CHECK(binomial_close(won, n, d.truth.expected_win_probability));
}

TEST_CASE("skilled reps win more often", "[simulate]") {
  sim::config c;
  c.reps = 60;
  c.skill_sd = 1.0;
  const sim::dataset d = sim::simulate_crm(c);
  // Split reps at skill 0 and compare win rates among closed deals.
  double won[2] = {0, 0}, closed[2] = {0, 0};
  for (std::size_t i = 0; i < d.opportunities.size(); ++i) {
    if (d.opportunities.outcome[i] == sim::outcome::open) continue;
    const int high = d.org.rep_skill[d.opportunities.owner[i]] > 0 ? 1 : 0;
    closed[high] += 1;
    won[high] += d.opportunities.outcome[i] == sim::outcome::won ? 1 : 0;
  }
  CHECK(d.truth.rep_skill == d.org.rep_skill);
  CHECK(won[1] / closed[1] > won[0] / closed[0] + 0.05);
}

TEST_CASE("quarter-end push puts the configured share of wins in the third month",
          "[simulate][truth]") {
  sim::config c;
  c.seed = 5;
  c.reps = 100;
  c.months = 36;
  c.quarter_end_push = GENERATE(0.0, 0.13, 0.4);
  const sim::dataset d = sim::simulate_crm(c);
  const sim::ground_truth g = sim::truth_of(c);
  // Count wins of the second and third years by month of their quarter (the first year fills
  // the pipeline, so closes are not yet spread evenly).
  double third = 0, all = 0;
  salesops::neumaier_sum<double> value_third, value_all;
  for (std::size_t i = 0; i < d.opportunities.size(); ++i) {
    const salesops::date day = d.opportunities.close_date[i];
    if (d.opportunities.outcome[i] != sim::outcome::won || day < salesops::make_date(2025, 1, 1)) continue;
    const bool in_third = (salesops::to_civil(day).month - 1) % 3 == 2;
    all += 1;
    third += in_third ? 1 : 0;
    value_all.update(d.opportunities.amount[i]);
    if (in_third) value_third.update(d.opportunities.amount[i]);
  }
  INFO("push " << c.quarter_end_push << ": " << third << " / " << all << " in month 3, truth "
               << g.third_month_won_share);
  // Hand: 2023's quarters have (31+28, 31), (30+31, 30), (31+31, 30), (31+30, 31) days in
  // months 1-2 and 3, so with no push the third month holds mean(31/90, 30/91, 30/92, 31/92)
  // = 0.33424 of the closes, and p moves the rest in: share = that + p (1 - that).
  const double base = (31.0 / 90 + 30.0 / 91 + 30.0 / 92 + 31.0 / 92) / 4;
  CHECK(g.third_month_won_share == Approx(base + c.quarter_end_push * (1 - base)).epsilon(1e-12));
  CHECK(binomial_close(third, all, g.third_month_won_share));
  // By value the share is the same in expectation (amounts do not depend on the close date);
  // the heavy-tailed amounts make it noisier, hence 0.05.
  CHECK(std::fabs(value_third.result() / value_all.result() - g.third_month_won_share) < 0.05);
}

TEST_CASE("opportunity and activity counts follow the ramped Poisson rates", "[simulate][truth]") {
  sim::config c;
  c.seed = 9;
  c.reps = 40;
  REQUIRE(c.warmup_months == 6);
  c.months = 12;
  c.hired_fraction = 0.5; // many reps ramp during the simulation
  const sim::dataset d = sim::simulate_crm(c);
  // Brute force: expected deals = sum over reps and days of rate x ramp / days in month;
  // expected activities = sum over working days of rate x ramp.
  // Deals start in the warm-up (6 months before 2024-01-01: 2023-07-01), activities at start.
  double deals = 0, calls = 0, emails = 0, meetings = 0;
  for (std::size_t rep = 0; rep < d.org.rep_count(); ++rep)
    for (salesops::date day = salesops::make_date(2023, 7, 1); day < d.end; ++day) {
      const double level = ramp(d.org.rep_start[rep], d.org.rep_ramp_months[rep], day);
      deals += c.opportunities_per_rep_month * level / days_in_month_of(day);
      if (day >= d.start && salesops::iso_weekday(day) <= 5) {
        calls += c.calls_per_day * level;
        emails += c.emails_per_day * level;
        meetings += c.meetings_per_day * level;
      }
    }
  double counted[3] = {0, 0, 0};
  for (auto k : d.activities.kind) counted[static_cast<int>(k)] += 1;
  auto poisson_close = [](double observed, double expected) {
    return std::fabs(observed - expected) <= z * std::sqrt(expected);
  };
  INFO("deals " << d.opportunities.size() << " vs " << deals);
  CHECK(poisson_close(static_cast<double>(d.opportunities.size()), deals));
  CHECK(poisson_close(counted[0], calls));
  CHECK(poisson_close(counted[1], emails));
  CHECK(poisson_close(counted[2], meetings));
}

TEST_CASE("team moves change team at the configured rate", "[simulate][truth]") {
  sim::config c;
  c.seed = 4;
  c.reps = 100;
  c.team_moves_per_year = 1.2;
  const sim::dataset d = sim::simulate_crm(c);
  // Expected moves: one Bernoulli(rate / 12) per rep and month in which the rep has started.
  double expected = 0;
  for (std::size_t rep = 0; rep < d.org.rep_count(); ++rep)
    for (salesops::date m = d.start; m < d.end; m = salesops::period_of(m, salesops::period_kind::month).end)
      if (d.org.rep_start[rep] < salesops::period_of(m, salesops::period_kind::month).end) expected += 0.1;
  const auto moves = static_cast<double>(d.org.move_rep.size());
  CHECK(std::fabs(moves - expected) <= z * std::sqrt(expected * 0.9));
  // Each move goes to a different team than the rep's current one.
  std::vector<std::uint32_t> team = d.org.rep_team;
  for (std::size_t k = 0; k < d.org.move_rep.size(); ++k) {
    CHECK(d.org.move_team[k] != team[d.org.move_rep[k]]);
    team[d.org.move_rep[k]] = d.org.move_team[k];
  }
  // Reps are assigned to teams in turn, and each team's region is the rep's region.
  for (std::size_t rep = 0; rep < d.org.rep_count(); ++rep) {
    CHECK(d.org.rep_team[rep] == rep % d.org.team_names.size());
    CHECK(d.org.rep_region[rep] == d.org.team_region[d.org.rep_team[rep]]);
  }
}

TEST_CASE("quotas are sized from expected productivity", "[simulate]") {
  sim::config c;
  c.reps = 20;
  c.months = 12;
  const sim::dataset d = sim::simulate_crm(c);
  const auto& q = d.quotas;
  const double per_month = c.quota_uplift * c.opportunities_per_rep_month *
                           d.truth.expected_win_probability * d.truth.expected_amount;
  std::size_t full = 0;
  for (std::size_t r = 0; r < q.rep.size(); ++r) {
    const std::uint32_t rep = q.rep[r];
    CHECK(q.period_end[r] > q.period_start[r]);
    CHECK(q.period_end[r] > d.org.rep_start[rep]); // no quota before the rep starts
    if (q.period[r] == sim::quota_period::month) {
      // A rep fully ramped over the whole month: quota = uplift x rate x P(won) x E[amount].
      if (ramp(d.org.rep_start[rep], c.ramp_months, q.period_start[r]) >= 1.0) {
        CHECK(q.amount[r] == Approx(per_month).epsilon(1e-12));
        ++full;
      }
    } else {
      // A quarter's quota is the sum of its months' quotas (brute force over the rows).
      double months = 0;
      for (std::size_t k = 0; k < q.rep.size(); ++k)
        if (q.rep[k] == rep && q.period[k] == sim::quota_period::month &&
            q.period_start[k] >= q.period_start[r] && q.period_end[k] <= q.period_end[r])
          months += q.amount[k];
      CHECK(q.amount[r] == Approx(months).epsilon(1e-12));
      CHECK(salesops::period_of(q.period_start[r], salesops::period_kind::quarter).start == q.period_start[r]);
    }
  }
  CHECK(full > 100);
}

TEST_CASE("bad configurations throw typed errors naming field, row and value", "[simulate]") {
  sim::config c;
  c.stages.transitions(2, 3) = 0.78; // row 2 now sums to 1.1
  CHECK_THROWS_AS(sim::simulate_crm(c), salesops::out_of_range_value);
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("stages.transitions at row 2 sums to 1.1"));

  c = sim::config{};
  c.stages.transitions(1, 1) = 0.25; // self-transition, row 1 sums to 1.25
  c.stages.transitions(1, 6) = 0.0;
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("stages.transitions at row 1 has a self-transition"));

  c = sim::config{};
  c.stages.transitions(3, 2) = -0.05;
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("stages.transitions at row 3 is -0.05"));

  c = sim::config{};
  // Stages 3 and 4 only lead to each other: deals entering them never close.
  c.stages.transitions.row(3) << 0, 0, 0, 0, 1, 0, 0;
  c.stages.transitions.row(4) << 0, 0, 0, 1, 0, 0, 0;
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("stages.transitions at row 3 never leads to won or lost"));

  c = sim::config{};
  c.stages.transitions.resize(5, 6);
  CHECK_THROWS_AS(sim::simulate_crm(c), salesops::length_mismatch);

  c = sim::config{};
  c.stages.duration_log_sd.pop_back();
  CHECK_THROWS_AS(sim::simulate_crm(c), salesops::length_mismatch);

  c = sim::config{};
  c.stages.duration_log_sd[4] = -0.1;
  CHECK_THROWS_AS(sim::simulate_crm(c), salesops::negative_value);
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("stages.duration_log_sd at row 4"));

  c = sim::config{};
  c.segments[1].weight = 0;
  CHECK_THROWS_AS(sim::simulate_crm(c), salesops::negative_value);
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("segments.weight at row 1"));

  c = sim::config{};
  c.products[2].price_factor = -1;
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("products.price_factor at row 2"));

  c = sim::config{};
  c.segments[0].log_mean = std::nan("");
  CHECK_THROWS_AS(sim::simulate_crm(c), salesops::not_finite);

  c = sim::config{};
  c.sources.clear();
  CHECK_THROWS_AS(sim::simulate_crm(c), salesops::empty_input);

  c = sim::config{};
  c.start = salesops::make_date(2024, 1, 15);
  CHECK_THROWS_AS(sim::simulate_crm(c), salesops::out_of_range_value);
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("start is 2024-01-15"));

  c = sim::config{};
  c.months = 0;
  CHECK_THROWS_AS(sim::simulate_crm(c), salesops::negative_value);

  c = sim::config{};
  c.warmup_months = -1;
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("warmup_months is negative (-1)"));

  c = sim::config{};
  c.reps = 5; // 6 teams
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("reps is 5, fewer than the 6 teams"));

  c = sim::config{};
  c.quarter_end_push = 1.5;
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("quarter_end_push is 1.5"));

  c = sim::config{};
  c.slip_days_max = 10;
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("slip_days_max is 10"));

  c = sim::config{};
  c.stages.forecast[0] = sim::forecast_category::closed;
  CHECK_THROWS_WITH(sim::simulate_crm(c), Contains("stages.forecast at row 0"));

  c = sim::config{};
  c.hired_fraction = -0.1;
  CHECK_THROWS_AS(sim::simulate_org(c), salesops::out_of_range_value);

  c = sim::config{};
  CHECK_THROWS_AS(sim::simulate_crm_chunks(c, sim::simulate_org(c), 0, [](const sim::crm_chunk&) {}),
                  salesops::negative_value);
}

TEST_CASE("results print", "[simulate]") {
  sim::config c;
  c.reps = 6;
  c.months = 3;
  const sim::dataset d = sim::simulate_crm(c);
  std::ostringstream out;
  out << d << "\n" << d.truth << "\n" << d.org << " " << sim::outcome::won << " "
      << sim::forecast_category::best_case << " " << sim::activity_kind::meeting << " "
      << sim::quota_period::quarter;
  CHECK_THAT(out.str(), Contains("dataset{2024-01-01 .. 2024-04-01, organisation{regions=3, teams=6, reps=6"));
  CHECK_THAT(out.str(), Contains("opportunities=" + std::to_string(d.opportunities.size())));
  CHECK_THAT(out.str(), Contains("ground_truth{stages=5"));
  CHECK_THAT(out.str(), Contains("won best_case meeting quarter"));
}
