// In-process tests of `salesops funnel` (examples/cli/cmd_funnel.cpp). Expected levels are
// derived by hand next to each case from the definitions in docs/funnel.md.
#include "cli.hpp"

#include <catch2/catch.hpp>

#include "run_cli.hpp"

#include <cstdint>
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
  CHECK_THAT(negative.err, Catch::Contains("timestamp at data row 2 is negative (-4)"));
  const auto bits = run_funnel({"--window", "10", "--steps", "2"}, "entity,timestamp,steps\n1,0,4\n");
  CHECK(bits.status == 2);
  CHECK_THAT(bits.err, Catch::Contains("steps at data row 1 is 4"));
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

TEST_CASE("funnel takes 64 steps and 64-bit entity ids", "[cli][funnel]") {
  // Bit 63 (step 64) and ids >= 2^63 used to be refused: the columns were read as signed.
  std::string csv = "entity,timestamp,steps\n";
  for (int step = 0; step < 64; ++step)
    csv += "18446744073709551615," + std::to_string(step) + "," +
           std::to_string(std::uint64_t{1} << step) + "\n";
  csv += "9223372036854775808,0,1\n";
  const auto r = run_funnel({"--window", "100", "--steps", "64"}, csv);
  CHECK(r.err.empty());
  CHECK(r.out == "entity,level\n9223372036854775808,1\n18446744073709551615,64\n");
  const auto over = run_funnel({"--window", "100", "--steps", "64"},
                               "entity,timestamp,steps\n18446744073709551616,0,1\n");
  CHECK(over.status == 2);
  CHECK_THAT(over.err, Catch::Contains("column 'entity' at row 1 does not fit in 64 bits"));
}

// ---- Extensions: options, attempts, witnesses, hold-constant key ---------------------------
namespace {
// docs/funnel.md's worked example: demo (A = 1), proposal (B = 2), signed (C = 4); bit 3 (8)
// marks "cancelled" (X, step number 4 for --exclude). Rows in any order.
const std::string with_cancel = "entity,timestamp,steps\n"
                                "1,0,1\n1,40,2\n1,90,4\n"
                                "2,0,1\n2,30,8\n2,60,4\n"
                                "3,50,4\n3,0,1\n"
                                "4,0,1\n4,10,2\n4,100,4\n";
// The same without entity 2 (no exclusion events: bit 3 is refused unless declared).
const std::string plain = "entity,timestamp,steps\n"
                          "1,0,1\n1,40,2\n1,90,4\n"
                          "3,50,4\n3,0,1\n"
                          "4,0,1\n4,10,2\n4,100,4\n";
} // namespace

TEST_CASE("funnel --exclude, --optional and --max-gap", "[cli][funnel]") {
  // All three (docs/funnel.md table): 1 -> 3 (C 50 s after B); 2 -> 1 (X@30 strictly between
  // A@0 and C@60); 3 -> 3 (proposal skipped, C 50 s after A); 4 -> 2 (C 90 s after B, 100 s
  // after A: over the 60 s gap either way).
  CHECK(run_funnel({"--window", "100", "--steps", "3", "--exclude", "4:1:3", "--optional", "2",
                    "--max-gap", "3:60"}, with_cancel).out == "entity,level\n1,3\n2,1\n3,3\n4,2\n");
  // --exclude alone: 2 has no B -> 1 anyway; 3 has no B -> 1; 4: C@100 = A + window -> 3.
  CHECK(run_funnel({"--window", "100", "--steps", "3", "--exclude", "4:1:3"}, with_cancel).out ==
        "entity,level\n1,3\n2,1\n3,1\n4,3\n");
  // X between steps 2 and 3 only: entity 2 never reaches step 2, so X@30 cannot matter;
  // with step 2 optional its span opens at A@0 and X@30 breaks A..C -> 1 (3 without X).
  CHECK(run_funnel({"--window", "100", "--steps", "3", "--exclude", "4:2:3", "--optional", "2"}, with_cancel).out ==
        "entity,level\n1,3\n2,1\n3,3\n4,3\n");
  // --optional alone: every entity reaches C inside the window -> 3, 3, 3.
  CHECK(run_funnel({"--window", "100", "--steps", "3", "--optional", "2"}, plain).out ==
        "entity,level\n1,3\n3,3\n4,3\n");
  // --max-gap alone: 1: C-B = 50 <= 60 -> 3; 3: no B -> 1; 4: C-B = 90 -> 2.
  CHECK(run_funnel({"--window", "100", "--steps", "3", "--max-gap", "3:60"}, plain).out ==
        "entity,level\n1,3\n3,1\n4,2\n");
  // Repeated flags: a 2 s gap on step 2 too stops everyone at A (B is >= 10 s after A).
  CHECK(run_funnel({"--window", "100", "--steps", "3", "--max-gap", "3:60", "--max-gap", "2:2"}, plain).out ==
        "entity,level\n1,1\n3,1\n4,1\n");
  // Options in a sequence mode: strict_order with step 2 optional: 3's A@0, C@50 are
  // consecutive -> 3; 1 and 4 run A, B, C -> 3 (4's C@100 is inside the window).
  CHECK(run_funnel({"--window", "100", "--steps", "3", "--optional", "2", "--mode", "strict_order"}, plain).out ==
        "entity,level\n1,3\n3,3\n4,3\n");
}

TEST_CASE("funnel --anchor any|first", "[cli][funnel]") {
  // Window 5 (see "funnel honours --mode"): first -> entity 7 only reaches B@5 -> 2.
  CHECK(run_funnel({"--window", "5", "--steps", "3", "--anchor", "first"}, example).out ==
        "entity,level\n3,1\n7,2\n12,0\n");
  CHECK(run_funnel({"--window", "5", "--steps", "3", "--anchor", "any"}, example).out ==
        "entity,level\n3,1\n7,3\n12,0\n");
}

TEST_CASE("funnel --attempts", "[cli][funnel]") {
  // Entity 1 (window 10): A@0, B@4 | A@20 | A@30, B@31, C@35 | A@40: attempts at 0 -> 2,
  // 20 -> 1 (only A@30, a step-1 event, follows within 10 s), 30 -> 3, 40 -> 1. Entity 2:
  // B only, no attempt.
  const std::string csv = "entity,timestamp,steps\n"
                          "1,0,1\n1,4,2\n1,20,1\n1,30,1\n1,31,2\n1,35,4\n1,40,1\n2,3,2\n";
  const std::vector<const char*> base{"--window", "10", "--steps", "3", "--attempts"};
  auto with = [&](const char* which) {
    auto args = base;
    args.push_back(which);
    return run_funnel(args, csv);
  };
  CHECK(with("first").out == "entity,level\n1,2\n2,0\n");
  CHECK(with("best").out == "entity,level\n1,3\n2,0\n");
  CHECK(with("latest").out == "entity,level\n1,1\n2,0\n");
  CHECK(with("every").out == "entity,start,level\n1,0,2\n1,20,1\n1,30,3\n1,40,1\n2,,0\n");
  // first == --anchor first; best == the default (any-start) level in the ordered modes.
  CHECK(run_funnel({"--window", "10", "--steps", "3", "--anchor", "first"}, csv).out == with("first").out);
  CHECK(run_funnel({"--window", "10", "--steps", "3"}, csv).out == with("best").out);
}

TEST_CASE("funnel --witness prints the chosen events", "[cli][funnel]") {
  // strict_increase on the example (1-based data rows: 7's A@0 is row 3, A@3 row 7, B@5
  // row 5, B@6 row 1, C@6 row 8): the only 3-chain with the latest start is A@3, B@5, C@6
  // (B@6 cannot precede C@6 strictly) -> rows 7;5;8, gaps 2;1. Entity 3: A@100 (row 6)
  // alone; entity 12: nothing.
  CHECK(run_funnel({"--window", "10", "--steps", "3", "--mode", "strict_increase", "--witness"}, example).out ==
        "entity,level,steps,input_rows,timestamps,seconds_to_next\n"
        "3,1,1,6,100,\n"
        "7,3,1;2;3,7;5;8,3;5;6,2;1\n"
        "12,0,,,,\n");
  // strict_order: the run from A@3 takes B@5 and stops at B@6 -> rows 7;5.
  CHECK(run_funnel({"--window", "10", "--steps", "3", "--mode", "strict_order", "--witness"}, example).out ==
        "entity,level,steps,input_rows,timestamps,seconds_to_next\n"
        "3,1,1,6,100,\n"
        "7,2,1;2,7;5,3;5,2\n"
        "12,0,,,,\n");
  // With a skipped optional step the steps column shows it: docs example, entity 3 -> A, C.
  CHECK(run_funnel({"--window", "100", "--steps", "3", "--optional", "2", "--witness"},
                   "entity,timestamp,steps\n3,50,4\n3,0,1\n").out ==
        "entity,level,steps,input_rows,timestamps,seconds_to_next\n3,3,1;3,2;1,0;50,50\n");
}

TEST_CASE("funnel --hold keeps a key constant across steps", "[cli][funnel]") {
  // Entity 1: A (deal 10) @0, B (deal 11) @1, B (deal 10) @5: only deal 10 has A then B -> 2,
  // rows 1 and 3. Entity 2: A (deal 20), B (deal 21): no deal has both -> 1 (2 without --hold).
  const std::string csv = "entity,timestamp,steps,deal\n1,0,1,10\n1,1,2,11\n1,5,2,10\n2,0,1,20\n2,1,2,21\n";
  CHECK(run_funnel({"--window", "10", "--steps", "2", "--hold", "deal"}, csv).out == "entity,level\n1,2\n2,1\n");
  CHECK(run_funnel({"--window", "10", "--steps", "2"}, csv).out == "entity,level\n1,2\n2,2\n");
  CHECK(run_funnel({"--window", "10", "--steps", "2", "--hold", "deal", "--witness"}, csv).out ==
        "entity,level,steps,input_rows,timestamps,seconds_to_next\n1,2,1;2,1;3,0;5,5\n2,1,1,4,0,\n");
  // Attempts under the key: each entity's one step-1 time (0) reaches 2 and 1 as above; a
  // second deal of entity 2 starting at 3 with its own B@4 is a second attempt reaching 2.
  CHECK(run_funnel({"--window", "10", "--steps", "2", "--hold", "deal", "--attempts", "every"},
                   csv + "2,3,1,22\n2,4,2,22\n").out == "entity,start,level\n1,0,2\n2,0,1\n2,3,2\n");
}

TEST_CASE("funnel rejects bad flag values with exit status 2, naming flag and value", "[cli][funnel]") {
  auto bad = [](std::vector<const char*> args, const std::string& csv, const char* flag, const char* value) {
    const auto r = run_funnel(std::move(args), csv);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains(flag) && Catch::Contains(value));
  };
  const std::vector<const char*> w{"--window", "100", "--steps", "3"};
  auto plus = [&](std::initializer_list<const char*> more) {
    auto a = w;
    a.insert(a.end(), more);
    return a;
  };
  bad(plus({"--exclude", "2:1:3"}), plain, "--exclude", "2:1:3");  // STEP is a funnel step
  bad(plus({"--exclude", "65:1:3"}), plain, "--exclude", "65:1:3"); // above 64 bits
  bad(plus({"--exclude", "4:3:1"}), plain, "--exclude", "4:3:1");   // FROM >= TO
  bad(plus({"--exclude", "4:1:4"}), plain, "--exclude", "4:1:4");   // TO > K
  bad(plus({"--exclude", "4:1"}), plain, "--exclude", "4:1");       // two fields
  bad(plus({"--exclude", "x:1:3"}), plain, "--exclude", "x:1:3");
  bad(plus({"--optional", "1"}), plain, "--optional", "'1'");
  bad(plus({"--optional", "4"}), plain, "--optional", "'4'");
  bad(plus({"--optional", "two"}), plain, "--optional", "two");
  bad(plus({"--max-gap", "3:0"}), plain, "--max-gap", "3:0");
  bad(plus({"--max-gap", "1:60"}), plain, "--max-gap", "1:60");
  bad(plus({"--max-gap", "3"}), plain, "--max-gap", "'3'");
  bad(plus({"--max-gap", "3:1.5"}), plain, "--max-gap", "3:1.5");
  bad(plus({"--anchor", "last"}), plain, "--anchor", "last");
  bad(plus({"--attempts", "most"}), plain, "--attempts", "most");
  bad(plus({"--attempts", "first", "--witness"}), plain, "--attempts", "--witness");
  bad(plus({"--attempts", "first", "--anchor", "first"}), plain, "--attempts", "--anchor first");
  // The library's own refusal: unordered funnels have no step order for a gap (typed error).
  bad(plus({"--mode", "unordered", "--max-gap", "3:60"}), plain, "max_gaps", "unordered");
  // A repeated gap step is caught by the library, naming the entry.
  bad(plus({"--max-gap", "3:60", "--max-gap", "3:30"}), plain, "max_gaps at row 1", "repeats step 3");
  // Exclusion events only when declared: bit 3 without --exclude names the row.
  bad(w, with_cancel, "steps at data row 5", "8");
  // --hold naming a missing column.
  bad(plus({"--hold", "deal"}), plain, "deal", "deal");
}
