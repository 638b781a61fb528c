// Tests for salesops/funnel/stage_funnel.hpp (and the input checks of stage_history.hpp).
#include <salesops/funnel/stage_funnel.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <salesops/core/rng.hpp>

using namespace salesops::funnel;
using Catch::Matchers::Contains;

namespace {

constexpr std::int64_t day = 86400;

// Columnar histories built row by row, owning their columns.
struct table {
  std::vector<std::uint64_t> opp;
  std::vector<std::uint32_t> stage;
  std::vector<std::int64_t> at;
  std::vector<outcome> outcomes;
  std::vector<std::int64_t> closed;
  std::uint32_t stage_count = 5;

  void add(const std::vector<std::uint32_t>& stages, const std::vector<std::int64_t>& times,
           outcome o, std::int64_t close = 0) {
    const auto index = static_cast<std::uint64_t>(outcomes.size());
    for (std::size_t i = 0; i < stages.size(); ++i) {
      opp.push_back(index);
      stage.push_back(stages[i]);
      at.push_back(times[i]);
    }
    outcomes.push_back(o);
    closed.push_back(close);
  }
  stage_histories view() const { return {opp, stage, at, outcomes, closed, stage_count}; }
};

// Random history: a walk with skips, repeats and backward moves, in `day` steps scaled by
// `pace`; `win_bias` shifts outcomes so shards can differ in distribution.
void add_random(table& t, salesops::rng& gen, double pace, double win_bias) {
  const auto k = static_cast<std::uint64_t>(t.stage_count);
  std::vector<std::uint32_t> stages;
  std::vector<std::int64_t> times;
  std::int64_t now = static_cast<std::int64_t>(gen.uniform_int(1000)) * day;
  auto s = static_cast<std::uint32_t>(gen.uniform_int(2));
  const std::uint64_t length = 1 + gen.uniform_int(6);
  for (std::uint64_t i = 0; i < length; ++i) {
    stages.push_back(s);
    times.push_back(now);
    // Equal timestamps happen (two moves on one day): step 0 with probability 1/4.
    now += static_cast<std::int64_t>(gen.uniform_int(4)) * static_cast<std::int64_t>(pace * day);
    const double u = gen.uniform();
    if (u < 0.5) s = std::min<std::uint32_t>(static_cast<std::uint32_t>(k - 1), s + 1);
    else if (u < 0.7) s = std::min<std::uint32_t>(static_cast<std::uint32_t>(k - 1), s + 2);
    else if (u < 0.85 && s > 0) s = s - 1;
  }
  const double u = gen.uniform();
  const outcome o = u < 0.3 + win_bias ? outcome::won : u < 0.8 ? outcome::lost : outcome::open;
  t.add(stages, times, o, now + static_cast<std::int64_t>(gen.uniform_int(3)) * day);
}

// Brute force straight from the definitions in docs/funnel.md ("Stage funnels, time to convert and the Markov model"), opportunity by
// opportunity and stage by stage, record by record (no visits, no accumulator).
struct brute_row {
  std::uint64_t entered = 0, advanced = 0, won = 0, lost_here = 0, open_here = 0;
  std::vector<double> days;
};
std::vector<brute_row> brute_force(const table& t, skipped_stage_rule rule) {
  std::vector<brute_row> rows(t.stage_count);
  for (std::uint64_t o = 0; o < t.outcomes.size(); ++o) {
    std::vector<std::size_t> recs;
    for (std::size_t r = 0; r < t.opp.size(); ++r)
      if (t.opp[r] == o) recs.push_back(r);
    if (recs.empty()) continue;
    std::uint32_t furthest = 0;
    for (auto r : recs) furthest = std::max(furthest, t.stage[r]);
    for (std::uint32_t s = 0; s < t.stage_count; ++s) {
      bool recorded = false;
      for (auto r : recs) recorded = recorded || t.stage[r] == s;
      const bool entered = rule == skipped_stage_rule::count_as_passed ? s <= furthest : recorded;
      if (!entered) continue;
      auto& row = rows[s];
      ++row.entered;
      const bool later = std::any_of(recs.begin(), recs.end(), [&](std::size_t r) { return t.stage[r] > s; });
      if (later || t.outcomes[o] == outcome::won) ++row.advanced;
      if (t.outcomes[o] == outcome::won) ++row.won;
      if (!later && t.outcomes[o] == outcome::lost) ++row.lost_here;
      if (!later && t.outcomes[o] == outcome::open) ++row.open_here;
      // Time: each record of stage s lasts until the next record (or the close); the last
      // record of an open deal is still running, which makes the stage's time unknown.
      double total = 0;
      bool running = false;
      for (std::size_t i = 0; i < recs.size(); ++i) {
        if (t.stage[recs[i]] != s) continue;
        if (i + 1 < recs.size()) {
          total += static_cast<double>(t.at[recs[i + 1]] - t.at[recs[i]]) / 86400.0;
        } else if (t.outcomes[o] == outcome::open) {
          running = true;
        } else {
          total += static_cast<double>(t.closed[o] - t.at[recs[i]]) / 86400.0;
        }
      }
      if (recorded && !running) row.days.push_back(total);
    }
  }
  return rows;
}

void check_equal(const stage_funnel_result& a, const stage_funnel_result& b) {
  REQUIRE(a.stages.size() == b.stages.size());
  CHECK(a.opportunities == b.opportunities);
  CHECK(a.won == b.won);
  CHECK(a.lost == b.lost);
  for (std::size_t s = 0; s < a.stages.size(); ++s) {
    const auto &x = a.stages[s], &y = b.stages[s];
    CHECK(x.entered == y.entered);
    CHECK(x.advanced == y.advanced);
    CHECK(x.won == y.won);
    CHECK(x.lost_here == y.lost_here);
    CHECK(x.open_here == y.open_here);
    REQUIRE(x.time_in_stage.has_value() == y.time_in_stage.has_value());
    if (x.time_in_stage) {
      CHECK(x.time_in_stage->count == y.time_in_stage->count);
      CHECK(x.time_in_stage->median == y.time_in_stage->median);
      CHECK(x.time_in_stage->p90 == y.time_in_stage->p90);
    }
    if (x.stage_conversion) CHECK(x.stage_conversion->lower == y.stage_conversion->lower);
  }
}

} // namespace

TEST_CASE("stage funnel: hand-counted example under both skip rules", "[funnel][stage]") {
  // Four deals over stages 0..3:
  //  A: 0 -> 1 -> 2, won          furthest 2, recorded {0,1,2}
  //  B: 0 -> 2 -> 1, lost         furthest 2 (backward move), recorded {0,1,2}
  //  C: 1 -> 3, open              furthest 3 (skips 0 and 2), recorded {1,3}
  //  D: 0 -> 0 -> 1, lost         furthest 1 (repeat of 0 is one entry), recorded {0,1}
  table t;
  t.stage_count = 4;
  t.add({0, 1, 2}, {0, 2 * day, 5 * day}, outcome::won, 9 * day);
  t.add({0, 2, 1}, {0, 1 * day, 4 * day}, outcome::lost, 6 * day);
  t.add({1, 3}, {0, 3 * day}, outcome::open);
  t.add({0, 0, 1}, {0, 1 * day, 3 * day}, outcome::lost, 3 * day);

  const auto passed = stage_funnel(t.view());
  CHECK(passed.opportunities == 4);
  CHECK(passed.won == 1);
  CHECK(passed.lost == 2);
  CHECK(passed.open == 1);
  // count_as_passed: entered = furthest >= s: stage 0: A B C D = 4; 1: 4; 2: A B C = 3; 3: C.
  // advanced: furthest > s or won. 0: all 4; 1: A B C = 3; 2: A (won), C = 2; 3: none.
  // lost_here: B at 2, D at 1. open_here: C at 3. won: A at 0, 1, 2.
  const std::uint64_t entered[] = {4, 4, 3, 1}, advanced[] = {4, 3, 2, 0},
                      lost_here[] = {0, 1, 1, 0}, open_here[] = {0, 0, 0, 1}, won[] = {1, 1, 1, 0};
  for (std::size_t s = 0; s < 4; ++s) {
    INFO("stage " << s);
    CHECK(passed.stages[s].entered == entered[s]);
    CHECK(passed.stages[s].advanced == advanced[s]);
    CHECK(passed.stages[s].lost_here == lost_here[s]);
    CHECK(passed.stages[s].open_here == open_here[s]);
    CHECK(passed.stages[s].won == won[s]);
  }
  // Wilson 95% for 3 / 4 (stage 1 conversion). R: prop.test(3, 4, correct = FALSE)$conf.int
  // [1] 0.3006418 0.9544127
  REQUIRE(passed.stages[1].stage_conversion);
  CHECK(passed.stages[1].stage_conversion->rate == 0.75);
  CHECK(passed.stages[1].stage_conversion->lower == Approx(0.3006418).epsilon(1e-6));
  CHECK(passed.stages[1].stage_conversion->upper == Approx(0.9544127).epsilon(1e-6));
  CHECK(passed.stages[2].cumulative_conversion->rate == 0.75);
  CHECK(passed.stages[3].stage_conversion->successes == 0);

  stage_funnel_options not_passed;
  not_passed.skipped = skipped_stage_rule::count_as_not_passed;
  const auto rec = stage_funnel(t.view(), not_passed);
  // Recorded only: stage 0: A B D = 3; 1: A B C D = 4; 2: A B = 2; 3: C = 1.
  // advanced: 0: A B D (all have furthest > 0) = 3; 2: A (won) = 1, B lost at its furthest.
  CHECK(rec.stages[0].entered == 3);
  CHECK(rec.stages[1].entered == 4);
  CHECK(rec.stages[2].entered == 2);
  CHECK(rec.stages[3].entered == 1);
  CHECK(rec.stages[0].advanced == 3);
  CHECK(rec.stages[2].advanced == 1);
  CHECK(rec.stages[2].lost_here == 1);

  // Time in stage 0 (recorded stays, completed): A 2 days, B 1 day, D 1 + 2 = 3 days (two
  // records, one stay). R: quantile(c(2, 1, 3), c(.1, .25, .5, .75, .9))
  //   10%  25%  50%  75%  90%
  //   1.2  1.5  2.0  2.5  2.8
  REQUIRE(passed.stages[0].time_in_stage);
  const auto& t0 = *passed.stages[0].time_in_stage;
  CHECK(t0.count == 3);
  CHECK(t0.p10 == Approx(1.2));
  CHECK(t0.p25 == Approx(1.5));
  CHECK(t0.median == Approx(2.0));
  CHECK(t0.p75 == Approx(2.5));
  CHECK(t0.p90 == Approx(2.8));
  // Stage 1: A 3 days, B 2 days (last stay, lost at day 6), C 3 days, D 0 days (closed on
  // entry). Stage 3: C is open there, so no completed time.
  CHECK(passed.stages[1].time_in_stage->count == 4);
  CHECK(passed.stages[1].time_in_stage->median == Approx(2.5));
  CHECK_FALSE(passed.stages[3].time_in_stage.has_value());
}

TEST_CASE("stage funnel equals a brute-force count on random histories", "[funnel][stage]") {
  salesops::rng gen(GENERATE(range(1u, 21u)));
  const auto rule = GENERATE(skipped_stage_rule::count_as_passed,
                             skipped_stage_rule::count_as_not_passed);
  table t;
  const auto n = 1 + gen.uniform_int(60);
  for (std::uint64_t i = 0; i < n; ++i) add_random(t, gen, 1.0, 0.0);
  stage_funnel_options options;
  options.skipped = rule;
  const auto fast = stage_funnel(t.view(), options);
  const auto slow = brute_force(t, rule);
  for (std::uint32_t s = 0; s < t.stage_count; ++s) {
    const auto& row = fast.stages[s];
    INFO("stage " << s << " rule " << rule);
    CHECK(row.entered == slow[s].entered);
    CHECK(row.advanced == slow[s].advanced);
    CHECK(row.won == slow[s].won);
    CHECK(row.lost_here == slow[s].lost_here);
    CHECK(row.open_here == slow[s].open_here);
    CHECK(row.entered == row.advanced + row.lost_here + row.open_here);
    REQUIRE(row.time_in_stage.has_value() == !slow[s].days.empty());
    if (row.time_in_stage) {
      CHECK(row.time_in_stage->count == slow[s].days.size());
      CHECK(row.time_in_stage->median == Approx(salesops::stats::median(slow[s].days)));
    }
  }
}

TEST_CASE("stage funnel: shards from different distributions merge to one pass",
          "[funnel][stage]") {
  salesops::rng gen(GENERATE(101u, 102u, 103u, 104u));
  // Shard 1: slow, mostly-losing deals; shard 2: fast, mostly-winning; shard 3: mixed.
  table whole, a, b, c;
  for (int i = 0; i < 300; ++i) {
    const auto which = gen.uniform_int(3);
    const double pace = which == 0 ? 7.0 : which == 1 ? 0.5 : 2.0;
    const double bias = which == 0 ? -0.25 : which == 1 ? 0.5 : 0.0;
    salesops::rng copy = gen; // the same deal goes to the whole table and to its shard
    add_random(whole, gen, pace, bias);
    add_random(which == 0 ? a : which == 1 ? b : c, copy, pace, bias);
  }
  stage_funnel_accumulator acc_a(5), acc_b(5), acc_c(5);
  for_each_opportunity("test", a.view(), [&](std::size_t, const opportunity_path& p) { acc_a.update(p); });
  for_each_opportunity("test", b.view(), [&](std::size_t, const opportunity_path& p) { acc_b.update(p); });
  for_each_opportunity("test", c.view(), [&](std::size_t, const opportunity_path& p) { acc_c.update(p); });
  acc_c.merge(acc_a);
  acc_c.merge(acc_b);
  check_equal(acc_c.result(), stage_funnel(whole.view()));

  stage_funnel_accumulator other_rule(5, skipped_stage_rule::count_as_not_passed), other_k(4);
  CHECK_THROWS_AS(acc_c.merge(other_rule), salesops::out_of_range_value);
  CHECK_THROWS_AS(acc_c.merge(other_k), salesops::length_mismatch);
}

TEST_CASE("stage funnel is invariant to the order of opportunities", "[funnel][stage]") {
  salesops::rng gen(GENERATE(7u, 8u, 9u));
  table t;
  for (int i = 0; i < 80; ++i) add_random(t, gen, 1.0, 0.1);
  // Permute whole groups: rebuild the table with the opportunities in shuffled order (the
  // opportunity indices keep pointing at their own outcome rows).
  std::vector<std::uint64_t> order(t.outcomes.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), gen);
  table shuffled = t;
  shuffled.opp.clear();
  shuffled.stage.clear();
  shuffled.at.clear();
  for (auto o : order)
    for (std::size_t r = 0; r < t.opp.size(); ++r)
      if (t.opp[r] == o) {
        shuffled.opp.push_back(o);
        shuffled.stage.push_back(t.stage[r]);
        shuffled.at.push_back(t.at[r]);
      }
  check_equal(stage_funnel(t.view()), stage_funnel(shuffled.view()));
}

TEST_CASE("cohort funnels by month and fiscal quarter flag unfinished windows",
          "[funnel][stage]") {
  using salesops::make_date;
  table t;
  t.stage_count = 2;
  // Created 2026-01-10, 2026-01-20 (January cohort), 2026-02-05 (February), 2026-04-02
  // (April). Histories start on the creation day.
  const std::vector<salesops::date> created{make_date(2026, 1, 10), make_date(2026, 1, 20),
                                            make_date(2026, 2, 5), make_date(2026, 4, 2)};
  const auto ts = [](salesops::date d) { return static_cast<std::int64_t>(d) * day; };
  t.add({0, 1}, {ts(created[0]), ts(created[0]) + 5 * day}, outcome::won, ts(created[0]) + 9 * day);
  t.add({0}, {ts(created[1])}, outcome::lost, ts(created[1]) + 2 * day);
  t.add({0, 1}, {ts(created[2]), ts(created[2]) + day}, outcome::open);
  t.add({0}, {ts(created[3])}, outcome::open);
  // as_of 2026-04-15 with a 60-day window: January ends 2026-02-01, +60 = 2026-04-02 <= as_of
  // (complete); February ends 2026-03-01, +60 = 2026-04-30 > as_of (open); April open.
  const auto as_of = make_date(2026, 4, 15);
  const auto months = cohort_funnels(t.view(), created, salesops::period_kind::month, as_of, 60);
  REQUIRE(months.size() == 3);
  CHECK(salesops::to_string(months[0].period) == "2026-01");
  CHECK(months[0].window_complete);
  CHECK(months[0].funnel.opportunities == 2);
  CHECK(months[0].funnel.stages[0].advanced == 1);
  CHECK(salesops::to_string(months[1].period) == "2026-02");
  CHECK_FALSE(months[1].window_complete);
  CHECK(months[1].funnel.stages[1].open_here == 1);
  CHECK(salesops::to_string(months[2].period) == "2026-04");
  CHECK_FALSE(months[2].window_complete);
  // Fiscal year starting in February (FY labelled by its end year): January 2026 is P12 of
  // FY2026 (Q4), February and April 2026 fall in FY2027 Q1.
  const salesops::fiscal_calendar fy{2, salesops::fiscal_year_label::end_year};
  const auto quarters =
      cohort_funnels(t.view(), created, salesops::period_kind::quarter, fy, as_of, 0);
  REQUIRE(quarters.size() == 2);
  CHECK(salesops::to_string(quarters[0].period) == "FY2026-Q4");
  CHECK(quarters[0].window_complete);
  CHECK(salesops::to_string(quarters[1].period) == "FY2027-Q1");
  CHECK(quarters[1].funnel.opportunities == 2);
  CHECK_FALSE(quarters[1].window_complete); // the quarter itself ends 2026-05-01 > as_of
  // Retail 4-5-4 calendar (NRF default: year ends on the Saturday nearest the end of
  // January): the cohorts are the periods period_of gives for each creation date.
  const salesops::retail_calendar retail{};
  const auto retail_months =
      cohort_funnels(t.view(), created, salesops::period_kind::month, retail, as_of, 0);
  std::vector<salesops::period> expected_periods;
  for (auto d : created) {
    const auto p = salesops::period_of(d, salesops::period_kind::month, retail);
    if (expected_periods.empty() || expected_periods.back() != p) expected_periods.push_back(p);
  }
  REQUIRE(retail_months.size() == expected_periods.size());
  for (std::size_t i = 0; i < expected_periods.size(); ++i)
    CHECK(retail_months[i].period == expected_periods[i]);
  CHECK_THROWS_AS(cohort_funnels(t.view(), created, salesops::period_kind::month, as_of, -1),
                  salesops::negative_value);
  const std::vector<salesops::date> short_created(3, 0);
  CHECK_THROWS_AS(cohort_funnels(t.view(), short_created, salesops::period_kind::month, as_of, 0),
                  salesops::length_mismatch);
}

TEST_CASE("cohort funnels name the row of a creation date whose period leaves the date range",
          "[funnel][stage]") {
  // The last representable day (2147483647, in year 5881580) has no next month, quarter,
  // year or week start in salesops::date, nor does the first day (-2147483648) its period's
  // start, in any calendar. Before, the calendar's own error escaped ("calendar: date beyond
  // year 5881580 ..." or "period_of: d is ..."), naming neither cohort_funnels nor the row.
  table t;
  t.stage_count = 2;
  t.add({0}, {0}, outcome::open);
  t.add({0}, {0}, outcome::open);
  const salesops::date last = std::numeric_limits<salesops::date>::max();
  const salesops::date first = std::numeric_limits<salesops::date>::min();
  const salesops::fiscal_calendar fy{2, salesops::fiscal_year_label::end_year};
  const salesops::retail_calendar retail{};
  for (const salesops::date bad : {last, first}) {
    const std::vector<salesops::date> created{0, bad};
    const auto check = [&](auto&& call) {
      try {
        call();
        FAIL("no exception for created[1] = " << bad);
      } catch (const salesops::out_of_range_value& e) {
        CHECK(e.function() == "cohort_funnels");
        CHECK(e.argument() == "created");
        CHECK(e.row() == 1);
        CHECK_THAT(e.what(),
                   Contains("cohort_funnels: created at row 1 is " + std::to_string(bad)));
      }
    };
    for (const auto kind : {salesops::period_kind::week, salesops::period_kind::month,
                            salesops::period_kind::quarter, salesops::period_kind::year}) {
      INFO("kind " << static_cast<int>(kind) << ", created " << bad);
      check([&] { cohort_funnels(t.view(), created, kind, 0, 0); });
      check([&] { cohort_funnels(t.view(), created, kind, retail, 0, 0); });
      if (kind != salesops::period_kind::week)
        check([&] { cohort_funnels(t.view(), created, kind, fy, 0, 0); });
    }
  }
  // A kind the calendar does not have is still the calendar's error about the kind, not
  // blamed on a date.
  const std::vector<salesops::date> valid{0, 0};
  CHECK_THROWS_WITH(cohort_funnels(t.view(), valid, salesops::period_kind::week, fy, 0, 0),
                    Contains("kind is week"));
}

TEST_CASE("stage funnel rejects bad input naming the row", "[funnel][stage]") {
  table t;
  t.stage_count = 3;
  t.add({0, 1}, {10, 20}, outcome::won, 30);
  t.add({0, 2}, {10, 20}, outcome::lost, 30);
  SECTION("unknown stage") {
    t.stage[3] = 3;
    CHECK_THROWS_AS(stage_funnel(t.view()), salesops::out_of_range_value);
    CHECK_THROWS_WITH(stage_funnel(t.view()), Contains("stage at row 3 is 3"));
  }
  SECTION("negative timestamp") {
    t.at[2] = -5;
    CHECK_THROWS_AS(stage_funnel(t.view()), salesops::negative_value);
    CHECK_THROWS_WITH(stage_funnel(t.view()), Contains("entered_at at row 2 is negative (-5)"));
  }
  SECTION("time going backwards inside a group") {
    t.at[1] = 5;
    CHECK_THROWS_AS(stage_funnel(t.view()), salesops::not_sorted);
    CHECK_THROWS_WITH(stage_funnel(t.view()), Contains("entered_at at row 1 is 5"));
  }
  SECTION("groups not contiguous") {
    t.opp = {0, 1, 0, 1};
    CHECK_THROWS_AS(stage_funnel(t.view()), salesops::not_sorted);
    CHECK_THROWS_WITH(stage_funnel(t.view()), Contains("opportunity at row 2 is 0"));
  }
  SECTION("opportunity index outside the outcomes") {
    t.opp[3] = 7;
    CHECK_THROWS_AS(stage_funnel(t.view()), salesops::out_of_range_value);
    CHECK_THROWS_WITH(stage_funnel(t.view()), Contains("opportunity at row 3 is 7, outside [0, 1]"));
  }
  SECTION("close before the last entry") {
    t.closed[1] = 15;
    CHECK_THROWS_AS(stage_funnel(t.view()), salesops::not_sorted);
    CHECK_THROWS_WITH(stage_funnel(t.view()), Contains("closed_at at row 1 is 15"));
  }
  SECTION("mismatched columns") {
    t.at.pop_back();
    CHECK_THROWS_AS(stage_funnel(t.view()), salesops::length_mismatch);
    CHECK_THROWS_WITH(stage_funnel(t.view()), Contains("entered_at has 3 rows"));
    t.at.push_back(20);
    t.closed.pop_back();
    CHECK_THROWS_AS(stage_funnel(t.view()), salesops::length_mismatch);
  }
  SECTION("empty input and bad options") {
    table empty;
    CHECK_THROWS_AS(stage_funnel(empty.view()), salesops::empty_input);
    stage_funnel_options o;
    o.level = 1.0;
    CHECK_THROWS_AS(stage_funnel(t.view(), o), salesops::out_of_range_value);
    t.stage_count = 0;
    CHECK_THROWS_AS(stage_funnel(t.view()), salesops::out_of_range_value);
    stage_funnel_accumulator acc(3);
    CHECK_THROWS_AS(acc.result(), salesops::empty_input);
  }
}

TEST_CASE("stage funnel results print their counts", "[funnel][stage]") {
  table t;
  t.stage_count = 2;
  t.add({0, 1}, {0, day}, outcome::won, 3 * day);
  t.add({0}, {0}, outcome::open);
  std::ostringstream out;
  out << stage_funnel(t.view());
  CHECK_THAT(out.str(), Contains("opportunities=2 (won 1, lost 0, open 1)"));
  CHECK_THAT(out.str(), Contains("stage 0: entered=2 advanced=1 won=1 lost_here=0 open_here=1"));
  CHECK_THAT(out.str(), Contains("time=stage_time{n=1, p10=1"));
}
