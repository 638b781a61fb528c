// Tests for salesops/funnel/time_to_convert.hpp.
#include <salesops/funnel/time_to_convert.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using namespace salesops::funnel;
using Catch::Matchers::Contains;

namespace {
constexpr std::int64_t day = 86400;

// Ten deals, times in days, as_of = day 20 (the R script below uses the same numbers).
struct example {
  std::vector<std::int64_t> created{0, 0, 1, 2, 3, 5, 6, 8, 10, 12};
  std::vector<outcome> outcomes{outcome::won,  outcome::won, outcome::lost, outcome::won,
                                outcome::open, outcome::won, outcome::lost, outcome::open,
                                outcome::won,  outcome::open};
  std::vector<std::int64_t> closed{2, 3, 4, 5, 0, 12, 11, 0, 17, 0};
  example() {
    for (auto& c : created) c *= day;
    for (auto& c : closed) c *= day;
  }
};
} // namespace

TEST_CASE("time to convert: lost deals never convert (default), against R survfit",
          "[funnel][time_to_convert]") {
  // R (survival 3.5):
  //   created <- c(0,0,1,2,3,5,6,8,10,12); as_of <- 20
  //   outcome <- c("won","won","lost","won","open","won","lost","open","won","open")
  //   closed  <- c(2,3,4,5,NA,12,11,NA,17,NA)
  //   t <- ifelse(outcome == "won", closed - created, as_of - created)  # 2 3 19 3 17 7 14 12 7 8
  //   summary(survfit(Surv(t, outcome == "won") ~ 1))
  //   time n.risk n.event survival std.err       lower 95% CI upper 95% CI
  //      2     10       1      0.9 0.09486832981 0.7320116427 1
  //      3      9       2      0.7 0.14491376746 0.4665332261 1
  //      7      7       2      0.5 0.15811388301 0.2690273551 0.9292735303
  //   quantile(fit, 0.5): quantile NA (S stays at 0.5 to the end), lower 3, upper NA
  const example e;
  const auto r = time_to_convert(e.created, e.outcomes, e.closed, 20 * day);
  CHECK(r.won == 5);
  CHECK(r.lost == 2);
  CHECK(r.open == 3);
  const auto& rows = r.curve.rows;
  REQUIRE(rows.size() == 8); // distinct times 2 3 7 8 12 14 17 19
  CHECK(rows[0].time == 2.0);
  CHECK(rows[1].n_event == 2);
  CHECK(rows[2].n_risk == 7);
  CHECK(rows[2].survival == Approx(0.5));
  CHECK(rows[2].lower == Approx(0.2690273551).epsilon(1e-9));
  CHECK(rows[2].upper == Approx(0.9292735303).epsilon(1e-9));
  CHECK(rows.back().time == 19.0); // the lost deal created on day 1 stays at risk to day 20
  CHECK_FALSE(r.curve.median.time.has_value());
  REQUIRE(r.curve.median.lower.has_value());
  CHECK(*r.curve.median.lower == 3.0);
  // Share won within 7 days: 1 - 0.5 with [1 - 0.9292735303, 1 - 0.2690273551].
  const auto by7 = converted_by(r, 7.5);
  CHECK(by7.estimate == Approx(0.5));
  CHECK(by7.lower == Approx(1 - 0.9292735303).epsilon(1e-9));
  CHECK(by7.upper == Approx(1 - 0.2690273551).epsilon(1e-9));
  CHECK(converted_by(r, 1.0).estimate == 0.0);
  CHECK_THROWS_AS(converted_by(r, -1.0), salesops::negative_value);
}

TEST_CASE("time to convert: lost deals censored at their close, against R survfit",
          "[funnel][time_to_convert]") {
  // R: t <- ifelse(outcome == "open", as_of - created, closed - created)  # 2 3 3 3 17 7 5 12 7 8
  //   summary(survfit(Surv(t, outcome == "won") ~ 1))
  //   time n.risk n.event survival std.err       lower 95% CI upper 95% CI
  //      7      5       2     0.42 0.17629520697 0.1844832850 0.9561841879
  //   quantile(fit, 0.5): 7, lower 3, upper NA
  const example e;
  time_to_convert_options o;
  o.lost = lost_deal_rule::censored;
  const auto r = time_to_convert(e.created, e.outcomes, e.closed, 20 * day, o);
  CHECK(r.lost_rule == lost_deal_rule::censored);
  const auto& rows = r.curve.rows;
  REQUIRE(rows.size() == 7); // distinct times 2 3 5 7 8 12 17
  CHECK(rows[3].time == 7.0);
  CHECK(rows[3].n_risk == 5);
  CHECK(rows[3].survival == Approx(0.42));
  CHECK(rows[3].lower == Approx(0.1844832850).epsilon(1e-9));
  CHECK(rows[3].upper == Approx(0.9561841879).epsilon(1e-9));
  REQUIRE(r.curve.median.time.has_value());
  CHECK(*r.curve.median.time == 7.0);
  CHECK(*r.curve.median.lower == 3.0);
  CHECK_FALSE(r.curve.median.upper.has_value());
}

TEST_CASE("time to convert without censoring before the last win is the empirical share",
          "[funnel][time_to_convert]") {
  // Brute force: every deal created at 0 and as_of after every close, lost deals never
  // converting: nobody is censored before the last conversion, so 1 - S(t) must equal the
  // plain share of deals won within t days.
  salesops::rng gen(GENERATE(51u, 52u, 53u, 54u));
  const std::size_t n = 20 + static_cast<std::size_t>(gen.uniform_int(200));
  std::vector<std::int64_t> created(n, 0), closed(n);
  std::vector<outcome> outcomes(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = gen.uniform();
    outcomes[i] = u < 0.4 ? outcome::won : u < 0.8 ? outcome::lost : outcome::open;
    closed[i] = static_cast<std::int64_t>(gen.uniform_int(90)) * day;
  }
  const auto r = time_to_convert(created, outcomes, closed, 100 * day);
  for (int t = 0; t <= 100; t += 7) {
    std::size_t won_by = 0;
    for (std::size_t i = 0; i < n; ++i)
      won_by += outcomes[i] == outcome::won && closed[i] <= t * day ? 1 : 0;
    CHECK(converted_by(r, t).estimate ==
          Approx(static_cast<double>(won_by) / static_cast<double>(n)).margin(1e-12));
  }
}

TEST_CASE("time to convert: shards from different distributions merge to one pass",
          "[funnel][time_to_convert]") {
  salesops::rng gen(GENERATE(61u, 62u, 63u));
  const std::int64_t as_of = 400 * day;
  time_to_convert_accumulator whole(as_of), fast(as_of), slow(as_of);
  for (int i = 0; i < 600; ++i) {
    const bool quick = gen.bernoulli(0.5);
    // Fast shard: young deals that mostly win within days; slow shard: old deals, mostly lost.
    const std::int64_t created = (quick ? 300 : 0) * day + static_cast<std::int64_t>(gen.uniform_int(90)) * day;
    const double u = gen.uniform();
    const outcome o = u < (quick ? 0.7 : 0.15) ? outcome::won : u < 0.9 ? outcome::lost : outcome::open;
    const std::int64_t closed =
        std::min(as_of, created + static_cast<std::int64_t>(gen.uniform_int(quick ? 10 : 200)) * day);
    whole.update(created, o, closed);
    (quick ? fast : slow).update(created, o, closed);
  }
  slow.merge(fast);
  const auto a = whole.result(), b = slow.result();
  CHECK(a.won == b.won);
  REQUIRE(a.curve.rows.size() == b.curve.rows.size());
  for (std::size_t i = 0; i < a.curve.rows.size(); ++i) {
    CHECK(a.curve.rows[i].n_risk == b.curve.rows[i].n_risk);
    CHECK(a.curve.rows[i].survival == b.curve.rows[i].survival);
  }
  CHECK(a.curve.median.time == b.curve.median.time);
  time_to_convert_accumulator other_as_of(as_of + 1), other_rule(as_of, lost_deal_rule::censored);
  CHECK_THROWS_AS(slow.merge(other_as_of), salesops::out_of_range_value);
  CHECK_THROWS_AS(slow.merge(other_rule), salesops::out_of_range_value);
}

TEST_CASE("time to convert rejects bad input naming the row", "[funnel][time_to_convert]") {
  example e;
  const std::int64_t as_of = 20 * day;
  SECTION("negative creation") {
    e.created[4] = -1;
    CHECK_THROWS_AS(time_to_convert(e.created, e.outcomes, e.closed, as_of), salesops::negative_value);
    CHECK_THROWS_WITH(time_to_convert(e.created, e.outcomes, e.closed, as_of),
                      Contains("created_at at row 4 is negative"));
  }
  SECTION("close before creation or after as_of") {
    e.closed[2] = 0;
    CHECK_THROWS_AS(time_to_convert(e.created, e.outcomes, e.closed, as_of), salesops::not_sorted);
    CHECK_THROWS_WITH(time_to_convert(e.created, e.outcomes, e.closed, as_of),
                      Contains("closed_at at row 2 is 0"));
    e.closed[2] = 21 * day;
    CHECK_THROWS_WITH(time_to_convert(e.created, e.outcomes, e.closed, as_of),
                      Contains("closed_at at row 2"));
  }
  SECTION("created after as_of") {
    e.created[9] = 30 * day;
    CHECK_THROWS_WITH(time_to_convert(e.created, e.outcomes, e.closed, as_of),
                      Contains("created_at at row 9"));
  }
  SECTION("lengths, empty input, level") {
    e.closed.pop_back();
    CHECK_THROWS_AS(time_to_convert(e.created, e.outcomes, e.closed, as_of), salesops::length_mismatch);
    const std::vector<std::int64_t> none;
    const std::vector<outcome> no_outcomes;
    CHECK_THROWS_AS(time_to_convert(none, no_outcomes, none, as_of), salesops::empty_input);
    example f;
    time_to_convert_options o;
    o.level = 0;
    CHECK_THROWS_AS(time_to_convert(f.created, f.outcomes, f.closed, as_of, o),
                    salesops::out_of_range_value);
    CHECK_THROWS_AS(time_to_convert_accumulator(-1), salesops::negative_value);
  }
}

TEST_CASE("time to convert results print", "[funnel][time_to_convert]") {
  const example e;
  std::ostringstream out;
  out << time_to_convert(e.created, e.outcomes, e.closed, 20 * day);
  CHECK_THAT(out.str(), Contains("won=5, lost=2, open=3, lost deals never_convert"));
}
