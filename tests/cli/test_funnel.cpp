// In-process tests of `salesops funnel` (examples/cli/cmd_funnel.cpp). Expected levels are
// derived by hand next to each case from the definitions in docs/funnel.md.
#include "cli.hpp"

#include <catch2/catch.hpp>

#include "run_cli.hpp"

#include <sstream>
#include <string>
#include <vector>

namespace {
using result = cli_result;

result run_funnel(std::vector<const char*> args, const std::string& csv) {
  args.insert(args.begin(), {"salesops", "funnel"});
  return run_argv(args, csv);
}

// Entity 7: issue 3's example (window 10, A@0, A@3, B@5, B@6, C@6); entity 3: A@100 then
// B@200 (too late for window 10); entity 12: B only. Rows deliberately out of order.
const std::string example = "entity,timestamp,steps\n"
                            "7,6,2\n"
                            "12,1,2\n"
                            "7,0,1\n"
                            "3,200,2\n"
                            "7,5,2\n"
                            "3,100,1\n"
                            "7,3,1\n"
                            "7,6,4\n";
} // namespace

TEST_CASE("funnel prints entity,level ascending by entity", "[cli][funnel]") {
  // default: entity 3 -> 1, entity 7 -> 3 (A@3, B@5, C@6), entity 12 -> 0 (no step 1).
  const auto r = run_funnel({"--window", "10", "--steps", "3"}, example);
  REQUIRE(r.status == 0);
  CHECK(r.out == "entity,level\n3,1\n7,3\n12,0\n");
  // A window of 100 lets entity 3 reach B@200 (200 <= 100 + 100).
  CHECK(run_funnel({"--window", "100", "--steps", "3"}, example).out == "entity,level\n3,2\n7,3\n12,0\n");
}

TEST_CASE("funnel honours --mode", "[cli][funnel]") {
  // strict_increase: the required answer 3 for entity 7 (ClickHouse's scan gives 2).
  CHECK(run_funnel({"--window", "10", "--steps", "3", "--mode", "strict_increase"}, example).out ==
        "entity,level\n3,1\n7,3\n12,0\n");
  // strict_order on entity 7, position order A@0, A@3, B@5, B@6, C@6 (ties keep input order:
  // B@6 comes before C@6): the run A@3, B@5 is broken by B@6 -> 2.
  CHECK(run_funnel({"--window", "10", "--steps", "3", "--mode", "strict_order"}, example).out ==
        "entity,level\n3,1\n7,2\n12,0\n");
  // strict_deduplication: a chain through C needs a span holding B@5 and B@6 -> 2.
  CHECK(run_funnel({"--window", "10", "--steps", "3", "--mode", "strict_deduplication"}, example)
            .out == "entity,level\n3,1\n7,2\n12,0\n");
  CHECK(run_funnel({"--window", "10", "--steps", "3", "--mode", "strict_once"}, example).out ==
        "entity,level\n3,1\n7,3\n12,0\n");
  // unordered: entity 7 covers A, B, C inside [3, 13] -> 3; entity 3's A and B are 100 s apart.
  CHECK(run_funnel({"--window", "10", "--steps", "3", "--mode", "unordered"}, example).out ==
        "entity,level\n3,1\n7,3\n12,0\n");
  // first_step anchoring, window 5: entity 7's only window is [0, 5] (A@0, B@5) -> 2, while
  // any_start would take A@3, B@5, C@6 -> 3.
  CHECK(run_funnel({"--window", "5", "--steps", "3", "--anchor", "first_step"}, example).out ==
        "entity,level\n3,1\n7,2\n12,0\n");
}

TEST_CASE("funnel rejects bad input with exit status 2", "[cli][funnel]") {
  const auto negative = run_funnel({"--window", "10", "--steps", "2"},
                                   "entity,timestamp,steps\n1,0,1\n1,-4,2\n");
  CHECK(negative.status == 2);
  CHECK_THAT(negative.err, Catch::Contains("timestamp at row 1") && Catch::Contains("-4"));
  const auto bits = run_funnel({"--window", "10", "--steps", "2"}, "entity,timestamp,steps\n1,0,4\n");
  CHECK(bits.status == 2);
  CHECK_THAT(bits.err, Catch::Contains("steps at row 0"));
  CHECK(run_funnel({"--window", "0", "--steps", "2"}, example).status == 2);
  CHECK(run_funnel({"--window", "10", "--steps", "65"}, example).status == 2);
  CHECK(run_funnel({"--window", "10", "--steps", "0"}, example).status == 2);
  CHECK(run_funnel({"--window", "10", "--steps", "3", "--mode", "strict"}, example).status == 2);
  CHECK(run_funnel({"--window", "10", "--steps", "3", "--anchor", "last"}, example).status == 2);
  CHECK(run_funnel({"--window", "10"}, example).status == 2); // --steps is required
  const auto missing = run_funnel({"--window", "10", "--steps", "3"}, "entity,time,steps\n1,0,1\n");
  CHECK(missing.status == 2);
  CHECK_THAT(missing.err, Catch::Contains("timestamp"));
  const auto entity = run_funnel({"--window", "10", "--steps", "3"}, "entity,timestamp,steps\n-1,0,1\n");
  CHECK(entity.status == 2);
  CHECK_THAT(entity.err, Catch::Contains("entity"));
  CHECK(run_funnel({"--window", "10", "--steps", "3"}, "entity,timestamp,steps\n").status == 2);
  CHECK(run_funnel({"--window", "10", "--steps", "3"}, "entity,timestamp,steps\n1,x,1\n").status == 2);
}
