// The program as a whole (examples/cli/cli.hpp, run): subcommand dispatch and --input.
#include "run_cli.hpp"

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("an unknown subcommand is named, with the list of subcommands", "[cli]") {
  // CLI11 said only "A subcommand is required".
  const auto r = run_args({"funel", "--window", "5"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err,
             Catch::StartsWith("salesops: 'funel' is not a subcommand; the subcommands are ") &&
                 Catch::Contains("funnel, ") && Catch::Contains("rate"));
  CHECK(r.out.empty());
  // Options before a subcommand still reach CLI11 (its own message).
  CHECK(run_args({"--bogus"}).status == 2);
  CHECK(run_args({"rate", "--successes", "1", "--trials", "2"}).status == 0);
}

TEST_CASE("a directory given as --input is refused as one", "[cli]") {
  temp_dir dir("csv_dir");
  const auto r =
      run_args({"rate", "--successes", "1", "--trials", "2", "--input", dir.path.string()});
  // rate reads no CSV, but --input is opened for every subcommand.
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("it is a directory"));
  CHECK_THROWS_WITH(salesops_cli::read_csv_file(dir.path.string()),
                    Catch::Contains("it is a directory"));
}
