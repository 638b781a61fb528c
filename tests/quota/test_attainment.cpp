// Tests for salesops/quota/attainment.hpp.
#include <salesops/quota/attainment.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using Catch::Matchers::Contains;
using namespace salesops::quota;

namespace {
enum class outcome : unsigned char { open, won, lost };
enum class category : unsigned char { pipeline, best_case, commit, closed };

// Company 0 > region 1 > teams 2 (X) and 3 (Y). Reps 0, 1 in X, rep 2 in Y; rep 1 moves
// to Y on day 50.
org_hierarchy small_org() {
  static const std::vector<std::int64_t> parent = {no_parent, 0, 1, 1};
  static const std::vector<std::uint32_t> rep_unit = {2, 2, 3};
  static const std::vector<std::uint32_t> move_rep = {1};
  static const std::vector<std::int32_t> move_date = {50};
  static const std::vector<std::uint32_t> move_unit = {3};
  return org_hierarchy(parent, rep_unit, move_rep, move_date, move_unit);
}

struct deals {
  std::vector<std::uint32_t> owner = {0, 1, 1, 2, 0, 2};
  std::vector<double> amount = {1000, 500, 300, 800, 400, 900};
  std::vector<outcome> result = {outcome::won, outcome::won, outcome::won, outcome::won, outcome::lost, outcome::won};
  std::vector<std::int32_t> close = {10, 20, 55, 70, 30, 95};
  // Deal 3 is split 50/50 between rep 2 (owner) and rep 0.
  std::vector<std::size_t> split_deal = {3, 3};
  std::vector<std::uint32_t> split_rep = {2, 0};
  std::vector<double> split_percent = {50, 50};
  credit_splits splits() const { return {split_deal, split_rep, split_percent}; }
};
} // namespace

TEST_CASE("org_hierarchy: team moves take effect on their date", "[quota][attainment]") {
  const auto org = small_org();
  CHECK(org.unit_of(1, 49) == 2);
  CHECK(org.unit_of(1, 50) == 3);
  CHECK(org.unit_of(0, 50) == 2);
  CHECK(org.parent(2) == 1);
}

TEST_CASE("attainment: credit follows the owner at close, splits, roll-ups (by hand)", "[quota][attainment]") {
  const auto org = small_org();
  const deals d;
  const auto ledger = credit_won_deals(org, salesops::span<const std::uint32_t>(d.owner),
      salesops::span<const double>(d.amount), salesops::span<const outcome>(d.result),
      salesops::span<const std::int32_t>(d.close), {}, 1, 0, 90, 60, d.splits());
  // Reps: 0 gets 1000 + 400 (half of deal 3); 1 gets 500 + 300; 2 gets 400. Deal 4 is lost,
  // deal 5 closes after the period.
  CHECK(ledger.rep_credit(0) == 1400.0);
  CHECK(ledger.rep_credit(1) == 800.0);
  CHECK(ledger.rep_credit(2) == 400.0);
  // Units at close: X gets 1000 + 500 + 400, Y gets 300 (rep 1 after the move) + 400.
  CHECK(ledger.unit_credit(2) == 1900.0);
  CHECK(ledger.unit_credit(3) == 700.0);
  const std::vector<double> quota = {2000, 1000, 1000};
  const auto rep = attainment_of(ledger, org, quota, {}, 60);
  CHECK(rep.reps[0].attainment == 0.7);
  CHECK(rep.reps[1].attainment == 0.8);
  // Unit quotas by membership on day 60 (rep 1 in Y): X 2000, Y 2000, region 4000.
  CHECK(rep.units[2].quota == 2000.0);
  CHECK(rep.units[2].attainment == 0.95);
  CHECK(rep.units[3].attainment == 0.35);
  CHECK(rep.units[1].credit == 2600.0);
  CHECK(rep.units[1].attainment == 0.65);
  CHECK(rep.units[0].attainment == 0.65); // the company = its only region
  std::ostringstream s;
  s << rep;
  CHECK_THAT(s.str(), Contains("attainment=0.95"));

  // Configurable: credit to the unit on the as-of date moves deal 1 (500) from X to Y.
  const auto by_as_of = credit_won_deals(org, salesops::span<const std::uint32_t>(d.owner),
      salesops::span<const double>(d.amount), salesops::span<const outcome>(d.result),
      salesops::span<const std::int32_t>(d.close), {}, 1, 0, 90, 60, d.splits(), team_rule::at_as_of);
  CHECK(by_as_of.unit_credit(2) == 1400.0);
  CHECK(by_as_of.unit_credit(3) == 1200.0);
}

TEST_CASE("attainment: weighted quota types (70 % new business, 30 % renewals)", "[quota][attainment]") {
  const std::vector<std::int64_t> parent = {no_parent};
  const std::vector<std::uint32_t> rep_unit = {0};
  const org_hierarchy org(parent, rep_unit);
  const std::vector<std::uint32_t> owner = {0, 0, 0};
  const std::vector<double> amount = {400, 300, 600};
  const std::vector<outcome> result = {outcome::won, outcome::won, outcome::won};
  const std::vector<std::int32_t> close = {1, 2, 3};
  const std::vector<std::uint32_t> type = {0, 0, 1};
  const auto ledger = credit_won_deals(org, salesops::span<const std::uint32_t>(owner),
      salesops::span<const double>(amount), salesops::span<const outcome>(result),
      salesops::span<const std::int32_t>(close), salesops::span<const std::uint32_t>(type), 2, 0, 10, 10);
  const std::vector<double> quota = {1000, 500}, weights = {0.7, 0.3};
  const auto r = attainment_of(ledger, org, quota, weights, 10);
  // 0.7 * 700 / 1000 + 0.3 * 600 / 500 = 0.49 + 0.36 = 0.85; unweighted 1300 / 1500.
  CHECK(r.reps[0].weighted_attainment == Approx(0.85));
  CHECK(r.reps[0].attainment == Approx(1300.0 / 1500.0));
  CHECK(r.reps[0].credit_by_type == std::vector<double>{700, 600});
  CHECK(r.units[0].quota_by_type == std::vector<double>{1000, 500});
  std::ostringstream s;
  s << r.reps[0];
  CHECK_THAT(s.str(), Contains("type 1=600/500"));
  const std::vector<double> bad_weights = {0.7, 0.4};
  CHECK_THROWS_WITH(attainment_of(ledger, org, quota, bad_weights, 10), Contains("weights"));
}

TEST_CASE("credit_ledger: merge of shards from different distributions == one pass", "[quota][attainment]") {
  salesops::rng gen(GENERATE(1u, 2u, 3u));
  const auto org = small_org();
  credit_ledger one(3, 4, 2);
  std::array<credit_ledger, 3> shards{credit_ledger(3, 4, 2), credit_ledger(3, 4, 2), credit_ledger(3, 4, 2)};
  for (int i = 0; i < 3000; ++i) {
    const auto s = static_cast<std::size_t>(i % 3);
    const double credit = s == 0 ? gen.uniform(0, 10) : s == 1 ? gen.lognormal(12, 2) : gen.exponential(1e-4);
    const auto r = static_cast<std::uint32_t>(gen.uniform_int(3));
    const auto t = static_cast<std::uint32_t>(gen.uniform_int(2));
    const auto u = org.unit_of(r, static_cast<std::int32_t>(gen.uniform_int(100)));
    one.update(r, u, t, credit);
    shards[s].update(r, u, t, credit);
  }
  credit_ledger merged(3, 4, 2);
  for (const auto& s : shards) merged.merge(s);
  for (std::uint32_t r = 0; r < 3; ++r)
    for (std::uint32_t t = 0; t < 2; ++t)
      CHECK(merged.rep_credit(r, t) == Approx(one.rep_credit(r, t)).epsilon(1e-14));
  for (std::uint32_t u = 0; u < 4; ++u)
    CHECK(merged.unit_credit(u, 1) == Approx(one.unit_credit(u, 1)).epsilon(1e-14));
  CHECK_THROWS_AS(merged.merge(credit_ledger(2, 4, 2)), salesops::length_mismatch);
}

TEST_CASE("category_attainment_of: single and cumulative forecast categories", "[quota][attainment]") {
  const std::vector<double> credit = {500}, quota = {1000};
  const std::vector<std::uint32_t> owner = {0, 0, 0, 0, 0};
  const std::vector<double> amount = {100, 200, 300, 50, 999};
  const std::vector<outcome> result = {outcome::open, outcome::open, outcome::open, outcome::won, outcome::open};
  const std::vector<category> cat = {category::commit, category::best_case, category::pipeline, category::closed, category::commit};
  const std::vector<std::int32_t> close = {5, 6, 7, 8, 200}; // the last is expected after the period
  const auto c = category_attainment_of(salesops::span<const double>(credit), salesops::span<const double>(quota),
      salesops::span<const std::uint32_t>(owner), salesops::span<const double>(amount),
      salesops::span<const outcome>(result), salesops::span<const category>(cat),
      salesops::span<const std::int32_t>(close), 0, 90);
  CHECK(c[0].closed == 0.5);
  CHECK(c[0].commit == 0.1);
  CHECK(c[0].closed_commit == 0.6);
  CHECK(c[0].closed_commit_best_case == 0.8);
  CHECK(c[0].closed_all == 1.1);
}

TEST_CASE("attainment_distribution_of by hand", "[quota][attainment]") {
  const std::vector<double> a = {2.0, 0.5, 1.5, 1.0};
  const auto d = attainment_distribution_of(a, 4, 2.0);
  CHECK(d.share_at_quota == 0.75);
  CHECK(d.mean == 1.25);
  CHECK(d.median == 1.25);
  CHECK(d.p10 == Approx(0.65)); // type 7: h = 3 * 0.1 = 0.3 -> 0.5 + 0.3 * 0.5
  // Gini: sum_ij |x_i - x_j| = 2 (0.5 + 1 + 1.5 + 0.5 + 1 + 0.5) = 10; 10 / (2 * 16 * 1.25).
  CHECK(d.gini == Approx(0.25));
  CHECK(d.bin_counts == std::vector<std::uint64_t>{0, 1, 1, 2}); // [0,.5) [.5,1) [1,1.5) [1.5,2]
  // Brute-force Gini on random data.
  salesops::rng gen(4u);
  std::vector<double> x;
  for (int i = 0; i < 200; ++i) x.push_back(gen.lognormal(0, 0.5));
  double pair_sum = 0, mean = 0;
  for (double u : x) {
    mean += u / 200.0;
    for (double v : x) pair_sum += std::fabs(u - v);
  }
  CHECK(attainment_distribution_of(x).gini == Approx(pair_sum / (2.0 * 200 * 200 * mean)).epsilon(1e-12));
}

TEST_CASE("attainment: bad input names the row", "[quota][attainment]") {
  const std::vector<std::int64_t> cyclic = {no_parent, 2, 1};
  const std::vector<std::uint32_t> rep_unit = {0};
  CHECK_THROWS_AS(org_hierarchy(cyclic, rep_unit), salesops::out_of_range_value);
  CHECK_THROWS_WITH(org_hierarchy(cyclic, rep_unit), Contains("unit_parent at row 1 is on a cycle"));
  const std::vector<std::int64_t> dangling = {no_parent, 7};
  CHECK_THROWS_WITH(org_hierarchy(dangling, rep_unit), Contains("unit_parent at row 1 is 7"));
  const std::vector<std::int64_t> ok = {no_parent};
  const std::vector<std::uint32_t> bad_rep_unit = {0, 3};
  CHECK_THROWS_WITH(org_hierarchy(ok, bad_rep_unit), Contains("rep_unit at row 1"));

  const auto org = small_org();
  deals d;
  d.split_percent = {50, 40};
  CHECK_THROWS_WITH(credit_won_deals(org, salesops::span<const std::uint32_t>(d.owner),
      salesops::span<const double>(d.amount), salesops::span<const outcome>(d.result),
      salesops::span<const std::int32_t>(d.close), {}, 1, 0, 90, 60, d.splits()),
      Contains("splits.percent at row 0 starts the splits of deal 3, which sum to 90"));
  d = deals{};
  d.amount[2] = -1;
  CHECK_THROWS_WITH(credit_won_deals(org, salesops::span<const std::uint32_t>(d.owner),
      salesops::span<const double>(d.amount), salesops::span<const outcome>(d.result),
      salesops::span<const std::int32_t>(d.close), {}, 1, 0, 90, 60), Contains("amount at row 2"));
  d = deals{};
  CHECK_THROWS_AS(credit_won_deals(org, salesops::span<const std::uint32_t>(d.owner),
      salesops::span<const double>(d.amount), salesops::span<const outcome>(d.result),
      salesops::span<const std::int32_t>(d.close), {}, 1, 90, 0, 60), salesops::out_of_range_value);
  d.owner[4] = 9;
  CHECK_THROWS_WITH(credit_won_deals(org, salesops::span<const std::uint32_t>(d.owner),
      salesops::span<const double>(d.amount), salesops::span<const outcome>(d.result),
      salesops::span<const std::int32_t>(d.close), {}, 1, 0, 90, 60), Contains("owner at row 4"));
  const credit_ledger ledger(3, 4, 1);
  const std::vector<double> quota = {1000, 0, 1000};
  CHECK_THROWS_AS(attainment_of(ledger, org, quota, {}, 60), salesops::negative_value);
  CHECK_THROWS_WITH(attainment_of(ledger, org, quota, {}, 60), Contains("quota at row 1"));
}

TEST_CASE("org_hierarchy::stays: days per unit within a span", "[quota][attainment]") {
  // Rep 1 sits in X (2) until day 49 and in Y (3) from day 50.
  const auto org = small_org();
  const auto s = org.stays(1, 0, 90);
  REQUIRE(s.size() == 2);
  CHECK(s[0].unit == 2);
  CHECK(s[0].days == 50); // days 0..49
  CHECK(s[1].unit == 3);
  CHECK(s[1].days == 40); // days 50..89
  const auto after = org.stays(1, 60, 90);
  REQUIRE(after.size() == 1);
  CHECK(after[0].unit == 3);
  CHECK(after[0].days == 30);
  CHECK(org.stays(0, 0, 90).size() == 1);
  // A move back and a move into the unit the rep is already in.
  const std::vector<std::int64_t> parent = {no_parent, 0, 0};
  const std::vector<std::uint32_t> rep_unit = {1};
  const std::vector<std::uint32_t> move_rep = {0, 0, 0};
  const std::vector<std::int32_t> move_date = {10, 20, 25};
  const std::vector<std::uint32_t> move_unit = {2, 1, 1};
  const org_hierarchy back(parent, rep_unit, move_rep, move_date, move_unit);
  const auto b = back.stays(0, 0, 30);
  REQUIRE(b.size() == 3);
  CHECK(b[0].days == 10);
  CHECK(b[1].unit == 2);
  CHECK(b[1].days == 10);
  CHECK(b[2].unit == 1);
  CHECK(b[2].days == 10);
  std::ostringstream out;
  out << b[1];
  CHECK(out.str() == "unit_days{unit=2, days=10}");
  CHECK_THROWS_AS(org.stays(1, 90, 90), salesops::out_of_range_value);
  CHECK_THROWS_AS(org.stays(7, 0, 90), salesops::out_of_range_value);
}

TEST_CASE("attainment: team quotas prorated by time in team (by hand)", "[quota][attainment]") {
  const auto org = small_org();
  const deals d;
  const auto ledger = credit_won_deals(org, salesops::span<const std::uint32_t>(d.owner),
      salesops::span<const double>(d.amount), salesops::span<const outcome>(d.result),
      salesops::span<const std::int32_t>(d.close), {}, 1, 0, 90, 60, d.splits());
  const std::vector<double> quota = {2000, 1000, 1000};
  const auto r = attainment_of(ledger, org, quota, {}, 60, team_quota_rule::prorated, 0, 90);
  // Rep 1 (quota 1000) spends days 0-49 in X and 50-89 in Y of the 90-day period:
  // X = 2000 + 1000 * 50 / 90 = 2555.56, Y = 1000 + 1000 * 40 / 90 = 1444.44; the credits
  // (at close) stay X 1900, Y 700; the region keeps 4000.
  CHECK(r.units[2].quota == Approx(2000 + 1000.0 * 50 / 90));
  CHECK(r.units[3].quota == Approx(1000 + 1000.0 * 40 / 90));
  CHECK(r.units[2].attainment == Approx(1900 / (2000 + 1000.0 * 50 / 90)));
  CHECK(r.units[3].attainment == Approx(700 / (1000 + 1000.0 * 40 / 90)));
  CHECK(r.units[1].quota == Approx(4000));
  CHECK(r.units[0].attainment == Approx(0.65));
  // Rep lines do not depend on the team rule.
  CHECK(r.reps[1].attainment == 0.8);
  // The as-of rule puts rep 1's whole quota in Y (the earlier test): X 2000, Y 2000.
  const auto a = attainment_of(ledger, org, quota, {}, 60, team_quota_rule::at_as_of, 0, 90);
  CHECK(a.units[2].quota == 2000.0);
  CHECK(a.units[3].quota == 2000.0);
  CHECK_THROWS_AS(attainment_of(ledger, org, quota, {}, 60, team_quota_rule::prorated, 90, 0),
                  salesops::out_of_range_value);
}

TEST_CASE("attainment: prorated unit quotas == brute force day by day (random moves)", "[quota][attainment]") {
  salesops::rng gen(GENERATE(5u, 6u, 7u));
  // Company 0 with five teams 1..5; 12 reps with up to 3 random moves each.
  const std::vector<std::int64_t> parent = {no_parent, 0, 0, 0, 0, 0};
  std::vector<std::uint32_t> rep_unit, move_rep, move_unit;
  std::vector<std::int32_t> move_date;
  std::vector<double> quota;
  for (std::uint32_t r = 0; r < 12; ++r) {
    rep_unit.push_back(1 + static_cast<std::uint32_t>(gen.uniform_int(5)));
    quota.push_back(gen.uniform(100, 5000));
    for (std::uint64_t m = gen.uniform_int(4); m > 0; --m) {
      move_rep.push_back(r);
      move_date.push_back(static_cast<std::int32_t>(gen.uniform_int(120)) - 10); // some before the period
      move_unit.push_back(1 + static_cast<std::uint32_t>(gen.uniform_int(5)));
    }
  }
  const org_hierarchy org(parent, rep_unit, move_rep, move_date, move_unit);
  const credit_ledger ledger(12, 6, 1);
  const auto r = attainment_of(ledger, org, quota, {}, 50, team_quota_rule::prorated, 0, 91);
  // Brute force: every day of [0, 91), each rep adds quota / 91 to the unit it is in that day.
  std::vector<double> brute(6, 0.0);
  for (std::uint32_t rep = 0; rep < 12; ++rep)
    for (std::int32_t day = 0; day < 91; ++day) brute[org.unit_of(rep, day)] += quota[rep] / 91.0;
  double total = 0;
  for (std::uint32_t u = 1; u < 6; ++u) {
    CHECK(r.units[u].quota == Approx(brute[u]).epsilon(1e-12).margin(1e-9));
    total += brute[u];
  }
  // Prorating moves quota between teams, never in or out of the company.
  double sum = 0;
  for (double q : quota) sum += q;
  CHECK(r.units[0].quota == Approx(sum).epsilon(1e-13));
  CHECK(total == Approx(sum).epsilon(1e-12));
}

TEST_CASE("category_ledger: merged shards from different distributions == one pass, by hand", "[quota][attainment]") {
  // By hand: rep 0 has commit 100 + 50, best case 200, pipeline 300; won 500 of quota 1000.
  category_ledger hand(1);
  hand.update(0, open_category::commit, 100);
  hand.update(0, open_category::best_case, 200);
  category_ledger other(1);
  other.update(0, open_category::commit, 50);
  other.update(0, open_category::pipeline, 300);
  hand.merge(other);
  const std::vector<double> won = {500}, q = {1000};
  const auto c = hand.result(won, q)[0];
  CHECK(c.commit == 0.15);
  CHECK(c.closed_commit == 0.65);
  CHECK(c.closed_commit_best_case == 0.85);
  CHECK(c.closed_all == 1.15);
  // Random shards: uniform, lognormal and exponential amounts over 4 reps.
  salesops::rng gen(GENERATE(41u, 42u));
  category_ledger one(4);
  std::array<category_ledger, 3> shards{category_ledger(4), category_ledger(4), category_ledger(4)};
  for (int i = 0; i < 1500; ++i) {
    const auto s = static_cast<std::size_t>(i % 3);
    const double a = s == 0 ? gen.uniform(0, 10) : s == 1 ? gen.lognormal(11, 2) : gen.exponential(1e-3);
    const auto r = static_cast<std::uint32_t>(gen.uniform_int(4));
    const auto k = static_cast<open_category>(gen.uniform_int(3));
    one.update(r, k, a);
    shards[s].update(r, k, a);
  }
  category_ledger merged(4);
  for (const auto& s : shards) merged.merge(s);
  for (std::uint32_t r = 0; r < 4; ++r)
    for (auto k : {open_category::commit, open_category::best_case, open_category::pipeline})
      CHECK(merged.amount(r, k) == Approx(one.amount(r, k)).epsilon(1e-14));
  CHECK_THROWS_AS(merged.merge(category_ledger(3)), salesops::length_mismatch);
  CHECK_THROWS_AS(merged.update(4, open_category::commit, 1), salesops::out_of_range_value);
  CHECK_THROWS_AS(merged.update(0, open_category::commit, -1), salesops::negative_value);
  const std::vector<double> won4 = {0, 0, 0, 0}, bad_q = {1, 1, 0, 1};
  CHECK_THROWS_WITH(merged.result(won4, bad_q), Contains("rep_quota at row 2"));
}

TEST_CASE("attainment_distribution_accumulator: merged shards == one pass", "[quota][attainment]") {
  salesops::rng gen(GENERATE(51u, 52u));
  // Shards: low attainers (uniform), a heavy-tailed group (lognormal), exact 100 % hitters.
  std::vector<double> all;
  std::array<attainment_distribution_accumulator, 3> shards;
  for (std::size_t s = 0; s < 3; ++s)
    for (int i = 0; i < 101; ++i) {
      const double a = s == 0 ? gen.uniform(0, 0.8) : s == 1 ? gen.lognormal(0, 0.7) : 1.0;
      shards[s].update(a);
      all.push_back(a);
    }
  attainment_distribution_accumulator merged;
  for (std::size_t s : {2u, 0u, 1u}) merged.merge(shards[s]);
  const auto a = merged.result(8, 2.5);
  const auto b = attainment_distribution_of(all, 8, 2.5);
  CHECK(a.reps == 303);
  CHECK(a.share_at_quota == b.share_at_quota);
  CHECK(a.median == b.median); // same multiset, sorted: exact
  CHECK(a.p10 == b.p10);
  CHECK(a.p90 == b.p90);
  CHECK(a.gini == b.gini);
  CHECK(a.mean == Approx(b.mean).epsilon(1e-15));
  CHECK(a.bin_counts == b.bin_counts);
  // Brute force of the share at quota: the 101 exact hitters plus the lognormal reps >= 1.
  std::size_t hit = 0;
  for (double x : all) hit += x >= 1.0 ? 1 : 0;
  CHECK(a.share_at_quota == static_cast<double>(hit) / 303.0);
  CHECK_THROWS_AS(attainment_distribution_accumulator().result(), salesops::empty_input);
  CHECK_THROWS_AS(merged.update(-0.5), salesops::negative_value);
}

TEST_CASE("credit_ledger and attainment_of refuse inconsistent shapes, naming the argument",
          "[quota][attainment]") {
  const auto org = small_org(); // 3 reps, 4 units
  // No quota type: the ledger held nothing, and attainment_of returned NaN attainments.
  CHECK_THROWS_AS(credit_ledger(3, 4, 0), salesops::out_of_range_value);
  CHECK_THROWS_WITH(credit_ledger(3, 4, 0), Contains("credit_ledger: types is 0"));
  const deals d;
  CHECK_THROWS_WITH(credit_won_deals(org, salesops::span<const std::uint32_t>(d.owner),
                                     salesops::span<const double>(d.amount),
                                     salesops::span<const outcome>(d.result),
                                     salesops::span<const std::int32_t>(d.close), {}, 0, 0, 90, 60),
                    Contains("credit_won_deals: types is 0"));
  // A ledger of 1 rep x 3 types against the org's 3 reps: the quota column (3 values) fits
  // 1 x 3, so only the rep count shows that reps 1 and 2 would get no line and no unit quota.
  credit_ledger short_ledger(1, 4, 3);
  const std::vector<double> quota = {100, 100, 100};
  CHECK_THROWS_AS(attainment_of(short_ledger, org, quota, {}, 60), salesops::length_mismatch);
  CHECK_THROWS_WITH(attainment_of(short_ledger, org, quota, {}, 60),
                    Contains("org reps has 3 rows but ledger reps has 1"));
  // Flat layout [rep * types + t]: rep_credit(0, 1) with one type was rep 1's credit.
  credit_ledger ledger(2, 2, 1);
  ledger.update(1, 0, 0, 250.0);
  CHECK(ledger.rep_credit(1, 0) == 250.0);
  CHECK_THROWS_AS(ledger.rep_credit(0, 1), salesops::out_of_range_value);
  CHECK_THROWS_WITH(ledger.rep_credit(0, 1),
                    Contains("credit_ledger::rep_credit: quota_type is 1, not below 1"));
  CHECK_THROWS_WITH(ledger.rep_credit(2, 0),
                    Contains("credit_ledger::rep_credit: rep is 2, not below 2"));
  CHECK_THROWS_WITH(ledger.unit_credit(0, 1),
                    Contains("credit_ledger::unit_credit: quota_type is 1, not below 1"));
  CHECK_THROWS_WITH(ledger.unit_credit(2, 0),
                    Contains("credit_ledger::unit_credit: unit is 2, not below 2"));
  // Merging shards of different shapes with the same number of cells (2 x 1 and 1 x 2).
  credit_ledger transposed(1, 1, 2);
  CHECK_THROWS_AS(ledger.merge(transposed), salesops::length_mismatch);
}

TEST_CASE("credit_ledger refuses a credit that takes a total past the largest double",
          "[quota][attainment]") {
  // Two deals of 1e308 for one rep: the total was inf, and the roll-ups and the outlook then
  // computed inf - inf = NaN ("booked is -nan" from `salesops attainment`).
  credit_ledger ledger(2, 2, 1);
  ledger.update(0, 0, 0, 1e308);
  CHECK_THROWS_AS(ledger.update(0, 0, 0, 1e308), salesops::out_of_range_value);
  CHECK_THROWS_WITH(ledger.update(0, 0, 0, 1e308),
                    "credit_ledger::update: credit is 1e+308: it takes rep 0's "
                    "credit for quota type 0 past the largest double");
  // Another rep in the same unit: its own total is fine, the unit's is not.
  CHECK_THROWS_WITH(ledger.update(1, 0, 0, 1e308),
                    Contains("it takes unit 0's credit for quota type 0 past the largest double"));
  // Nothing was booked by the refused updates; a credit that fits still is.
  ledger.update(1, 1, 0, 7e307);
  CHECK(ledger.rep_credit(0) == 1e308);
  CHECK(ledger.rep_credit(1) == 7e307);
  CHECK(ledger.unit_credit(0) == 1e308);
  // Through credit_won_deals the error names the deal's row (the second 1e308 deal, row 1).
  const auto org = small_org();
  const std::vector<std::uint32_t> owner = {0, 0};
  const std::vector<double> amount = {1e308, 1e308};
  const std::vector<outcome> result = {outcome::won, outcome::won};
  const std::vector<std::int32_t> close = {10, 20};
  CHECK_THROWS_WITH(credit_won_deals(org, salesops::span<const std::uint32_t>(owner),
                                     salesops::span<const double>(amount),
                                     salesops::span<const outcome>(result),
                                     salesops::span<const std::int32_t>(close), {}, 1, 0, 90, 60),
                    "credit_won_deals: amount at row 1 is 1e+308: it takes the credit of rep 0 or "
                    "of its unit for quota type 0 past the largest double");
}
