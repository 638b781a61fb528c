// Tests for salesops/funnel/breakdown.hpp.
#include <salesops/funnel/breakdown.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

using namespace salesops::funnel;
using Catch::Matchers::Contains;

namespace {

struct table {
  std::vector<std::uint64_t> opp;
  std::vector<std::uint32_t> stage;
  std::vector<std::int64_t> at;
  std::vector<outcome> outcomes;
  std::vector<std::int64_t> closed;
  std::vector<std::uint32_t> segment;
  std::uint32_t stage_count = 3;

  void add(std::uint32_t key, const std::vector<std::uint32_t>& stages, outcome o) {
    const auto index = static_cast<std::uint64_t>(outcomes.size());
    for (std::size_t i = 0; i < stages.size(); ++i) {
      opp.push_back(index);
      stage.push_back(stages[i]);
      at.push_back(static_cast<std::int64_t>(100 * i));
    }
    outcomes.push_back(o);
    closed.push_back(static_cast<std::int64_t>(100 * stages.size()));
    segment.push_back(key);
  }
  stage_histories view() const { return {opp, stage, at, outcomes, closed, stage_count}; }
};

// A random deal of segment `key`; segments differ in win rate and depth so that shards and
// segments come from different distributions.
void add_random(table& t, salesops::rng& gen, std::uint32_t key) {
  const double win = 0.1 + 0.15 * static_cast<double>(key % 5);
  std::vector<std::uint32_t> stages{0};
  while (stages.size() < 4 && gen.bernoulli(0.6))
    stages.push_back(static_cast<std::uint32_t>(gen.uniform_int(t.stage_count)));
  const double u = gen.uniform();
  t.add(key, stages, u < win ? outcome::won : u < 0.9 ? outcome::lost : outcome::open);
}

} // namespace

TEST_CASE("breakdown: top-N, other, and comparison with the rest by hand",
          "[funnel][breakdown]") {
  // Segment 7: 6 won, 2 lost, 2 open (10 deals); segment 3: 1 won, 4 lost (5); segment 9:
  // 3 lost (3). top_n = 2 keeps 7 and 3 and folds 9 into "other".
  table t;
  for (int i = 0; i < 6; ++i) t.add(7, {0, 1}, outcome::won);
  for (int i = 0; i < 2; ++i) t.add(7, {0}, outcome::lost);
  for (int i = 0; i < 2; ++i) t.add(7, {0, 2}, outcome::open);
  t.add(3, {0}, outcome::won);
  for (int i = 0; i < 4; ++i) t.add(3, {0, 1}, outcome::lost);
  for (int i = 0; i < 3; ++i) t.add(9, {0}, outcome::lost);
  breakdown_options options;
  options.top_n = 2;
  const auto r = segment_breakdown(t.view(), t.segment, options);
  REQUIRE(r.rows.size() == 3);
  CHECK(r.total.opportunities == 18);
  const auto& seven = r.rows[0];
  CHECK(seven.key == 7);
  CHECK(seven.funnel.opportunities == 10);
  CHECK(seven.funnel.stages[2].open_here == 2);
  // R: prop.test(6, 8, correct = FALSE)$conf.int -> 0.4092754 0.9285208
  REQUIRE(seven.win_rate);
  CHECK(seven.win_rate->lower == Approx(0.4092754).epsilon(1e-6));
  CHECK(seven.win_rate->upper == Approx(0.9285208).epsilon(1e-6));
  // The rest of segment 7 is segments 3 and 9: 1 won of 8 closed. R: prop.test(1, 8,
  // correct = FALSE)$conf.int -> 0.02241749 0.47088818.
  REQUIRE(seven.versus_rest);
  CHECK(seven.versus_rest->rest.successes == 1);
  CHECK(seven.versus_rest->rest.trials == 8);
  CHECK(seven.versus_rest->rest.upper == Approx(0.47088818).epsilon(1e-6));
  // statsmodels: confint_proportions_2indep(6, 8, 1, 8, method='newcomb', compare='diff')
  //   -> (0.1394777379101626, 0.830895222236957)
  // proportions_ztest([6, 1], [8, 8]) -> (2.519763153394848, 0.011743382301172575)
  CHECK(seven.versus_rest->difference.difference == Approx(0.625));
  CHECK(seven.versus_rest->difference.lower == Approx(0.1394777379101626).epsilon(1e-10));
  CHECK(seven.versus_rest->difference.upper == Approx(0.830895222236957).epsilon(1e-10));
  CHECK(seven.versus_rest->p_value == Approx(0.011743382301172575).epsilon(1e-8));
  // Holm across the three rows. statsmodels: p = [0.011743382301172575 (7),
  // proportions_ztest([1, 6], [5, 11])[1] = 0.1966668481273569 (3), 0.09014428622634849
  // (other)]; multipletests(p, method='holm')[1] -> [0.03523015, 0.19666685, 0.18028857]
  CHECK(seven.versus_rest->adjusted_p_value == Approx(0.03523015).epsilon(1e-6));
  CHECK(r.rows[1].versus_rest->adjusted_p_value == Approx(0.19666685).epsilon(1e-6));
  CHECK(r.rows[2].versus_rest->adjusted_p_value == Approx(0.18028857).epsilon(1e-6));
  CHECK(r.rows[1].key == 3);
  CHECK(r.rows[1].versus_rest->rest.trials == 11); // 8 closed in 7 + 3 in 9
  const auto& other = r.rows[2];
  CHECK(other.other);
  CHECK(other.segments == 1);
  CHECK(other.funnel.opportunities == 3);
  // "other" (0 of 3) against the rest (7 of 13). statsmodels:
  // confint_proportions_2indep(0, 3, 7, 13, method='newcomb', compare='diff')
  //   -> (-0.7679393219046169, 0.07497107103696665)
  // proportions_ztest([0, 7], [3, 13]) -> (-1.6946370914726467, 0.09014428622634849)
  CHECK(other.versus_rest->difference.lower == Approx(-0.7679393219046169).epsilon(1e-10));
  CHECK(other.versus_rest->difference.upper == Approx(0.07497107103696665).epsilon(1e-10));
  CHECK(other.versus_rest->p_value == Approx(0.09014428622634849).epsilon(1e-8));

  // top_n = 0 keeps all three, no "other"; a segment with only open deals has no rate.
  options.top_n = 0;
  CHECK(segment_breakdown(t.view(), t.segment, options).rows.size() == 3);
  t.add(42, {0}, outcome::open);
  const auto with_open = segment_breakdown(t.view(), t.segment, options);
  CHECK_FALSE(with_open.rows.back().win_rate.has_value());
  CHECK_FALSE(with_open.rows.back().versus_rest.has_value());
}

TEST_CASE("breakdown rows equal funnels of the subsets and the rest by brute force",
          "[funnel][breakdown]") {
  salesops::rng gen(GENERATE(31u, 32u, 33u, 34u, 35u));
  table t;
  for (int i = 0; i < 400; ++i) add_random(t, gen, static_cast<std::uint32_t>(gen.uniform_int(12)));
  breakdown_options options;
  options.top_n = 1 + static_cast<std::size_t>(gen.uniform_int(6));
  options.test = GENERATE(salesops::stats::segment_test::z, salesops::stats::segment_test::fisher);
  const auto r = segment_breakdown(t.view(), t.segment, options);
  std::vector<bool> kept(12, false);
  for (const auto& row : r.rows) {
    // Brute force: rebuild the subset of opportunities in the row and run the plain funnel.
    std::vector<bool> in_row(t.outcomes.size());
    for (std::size_t o = 0; o < t.outcomes.size(); ++o)
      in_row[o] = row.other ? !kept[t.segment[o]] : t.segment[o] == row.key;
    if (!row.other) kept[row.key] = true;
    table subset;
    std::uint64_t won = 0, closed = 0, rest_won = 0, rest_closed = 0;
    for (std::size_t o = 0; o < t.outcomes.size(); ++o) {
      const bool w = t.outcomes[o] == outcome::won, c = t.outcomes[o] != outcome::open;
      (in_row[o] ? won : rest_won) += w ? 1 : 0;
      (in_row[o] ? closed : rest_closed) += c ? 1 : 0;
      if (!in_row[o]) continue;
      std::vector<std::uint32_t> stages;
      for (std::size_t i = 0; i < t.opp.size(); ++i)
        if (t.opp[i] == o) stages.push_back(t.stage[i]);
      subset.add(t.segment[o], stages, t.outcomes[o]);
    }
    const auto expected = stage_funnel(subset.view());
    CHECK(row.funnel.opportunities == expected.opportunities);
    for (std::size_t s = 0; s < 3; ++s) {
      CHECK(row.funnel.stages[s].entered == expected.stages[s].entered);
      CHECK(row.funnel.stages[s].advanced == expected.stages[s].advanced);
    }
    REQUIRE(row.win_rate);
    CHECK(row.win_rate->successes == won);
    CHECK(row.win_rate->trials == closed);
    REQUIRE(row.versus_rest);
    CHECK(row.versus_rest->rest.successes == rest_won);
    CHECK(row.versus_rest->rest.trials == rest_closed);
  }
  // Rows are ordered by size, "other" last.
  for (std::size_t i = 1; i + 1 < r.rows.size(); ++i)
    CHECK(r.rows[i - 1].funnel.opportunities >= r.rows[i].funnel.opportunities);
}

TEST_CASE("breakdown: shards from different distributions merge to one pass",
          "[funnel][breakdown]") {
  salesops::rng gen(GENERATE(41u, 42u, 43u));
  // Shard A holds low-win segments 0..4 only, shard B every segment with deeper histories.
  breakdown_accumulator whole(3), a(3), b(3);
  table t;
  for (int i = 0; i < 500; ++i) {
    const bool first = gen.bernoulli(0.5);
    const auto key = static_cast<std::uint32_t>(first ? gen.uniform_int(5) : gen.uniform_int(9));
    add_random(t, gen, key);
  }
  std::size_t o = 0;
  for_each_opportunity("test", t.view(), [&](std::size_t index, const opportunity_path& p) {
    whole.update(t.segment[index], p);
    (t.segment[index] < 5 && (o++ % 2 == 0) ? a : b).update(t.segment[index], p);
  });
  b.merge(a);
  breakdown_options options;
  options.top_n = 3;
  const auto x = whole.result(options), y = b.result(options);
  REQUIRE(x.rows.size() == y.rows.size());
  for (std::size_t i = 0; i < x.rows.size(); ++i) {
    CHECK(x.rows[i].key == y.rows[i].key);
    CHECK(x.rows[i].funnel.opportunities == y.rows[i].funnel.opportunities);
    CHECK(x.rows[i].funnel.stages[1].advanced == y.rows[i].funnel.stages[1].advanced);
    CHECK(x.rows[i].win_rate->lower == y.rows[i].win_rate->lower);
    CHECK(x.rows[i].versus_rest->adjusted_p_value == y.rows[i].versus_rest->adjusted_p_value);
  }
  breakdown_accumulator other_rule(3, skipped_stage_rule::count_as_not_passed);
  CHECK_THROWS_AS(b.merge(other_rule), salesops::out_of_range_value);
}

TEST_CASE("breakdown rejects bad input", "[funnel][breakdown]") {
  table t;
  t.add(1, {0}, outcome::won);
  t.add(2, {0, 5}, outcome::lost);
  CHECK_THROWS_WITH(segment_breakdown(t.view(), t.segment), Contains("stage at row 2 is 5"));
  t.stage[2] = 1;
  const std::vector<std::uint32_t> short_segment{1};
  CHECK_THROWS_AS(segment_breakdown(t.view(), short_segment), salesops::length_mismatch);
  CHECK_THROWS_WITH(segment_breakdown(t.view(), short_segment), Contains("segment has 1 rows"));
  breakdown_accumulator empty(3);
  CHECK_THROWS_AS(empty.result(), salesops::empty_input);
  CHECK_THROWS_AS(breakdown_accumulator(0), salesops::out_of_range_value);
}

TEST_CASE("breakdown results print", "[funnel][breakdown]") {
  table t;
  t.add(4, {0}, outcome::won);
  t.add(4, {0}, outcome::lost);
  t.add(5, {0}, outcome::lost);
  std::ostringstream out;
  out << segment_breakdown(t.view(), t.segment);
  CHECK_THAT(out.str(), Contains("segment 4: opportunities=2 win_rate="));
  CHECK_THAT(out.str(), Contains("segment 5: opportunities=1"));
}
