// In-process tests of `salesops demo` (examples/cli/cmd_demo.cpp) and of the section framework
// (examples/cli/demo.hpp). References: the library's simulate_crm with the same seed (counts
// and bookings recomputed here by brute force), hand-formatted numbers.
#include "cli.hpp"
#include "demo.hpp"

#include <salesops/simulate/crm.hpp>

#include <catch2/catch.hpp>

#include "run_cli.hpp"

#include <climits>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sim = salesops::simulate;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

using result = cli_result;

result run(std::vector<std::string> args) { return run_args(std::move(args)); }

} // namespace

TEST_CASE("demo prints the summary of the simulated organisation", "[cli][demo]") {
  const result r = run({"demo", "--seed", "7", "--reps", "12", "--months", "6"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, StartsWith("Sales-operations summary\n========================\n"));
  CHECK_THAT(r.out, Contains("Organisation and bookings\n-------------------------\n"));

  // Brute force from the library with the same configuration.
  sim::config cfg;
  cfg.seed = 7;
  cfg.reps = 12;
  cfg.months = 6;
  const sim::dataset d = sim::simulate_crm(cfg);
  long long won = 0, lost = 0, open = 0;
  double q1 = 0; // won value closed in 2024-Q1, plain sum (few terms, rounding is to units)
  for (std::size_t i = 0; i < d.opportunities.size(); ++i) {
    const auto o = d.opportunities.outcome[i];
    won += o == sim::outcome::won;
    lost += o == sim::outcome::lost;
    open += o == sim::outcome::open;
    if (o == sim::outcome::won && d.opportunities.close_date[i] >= d.start &&
        d.opportunities.close_date[i] < salesops::make_date(2024, 4, 1))
      q1 += d.opportunities.amount[i];
  }
  CHECK_THAT(r.out, Contains("seed 7): 2024-01-01 to 2024-06-30, 6 months"));
  CHECK_THAT(r.out, Contains("3 regions, 6 teams, 12 reps"));
  CHECK_THAT(r.out, Contains(salesops_cli::format_count(won) + " won, " +
                             salesops_cli::format_count(lost) + " lost, " +
                             salesops_cli::format_count(open) + " open"));
  std::ostringstream rate;
  rate.setf(std::ios::fixed);
  rate.precision(1);
  rate << 100.0 * static_cast<double>(won) / static_cast<double>(won + lost) << " % of closed deals";
  CHECK_THAT(r.out, Contains(rate.str()));
  CHECK_THAT(r.out, Contains("2024-Q1"));
  CHECK_THAT(r.out, Contains(salesops_cli::format_money(q1)));
  CHECK_THAT(r.out, Contains("2024-Q2"));
  CHECK_THAT(r.out, !Contains("2023-Q4")); // warm-up closes are not bookings of the period

  // Deterministic in the seed; another seed gives other numbers.
  CHECK(run({"demo", "--seed", "7", "--reps", "12", "--months", "6"}).out == r.out);
  CHECK(run({"demo", "--seed", "8", "--reps", "12", "--months", "6"}).out != r.out);
}

TEST_CASE("demo rejects bad options with exit status 2", "[cli][demo]") {
  result r = run({"demo", "--months", "0"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("months must be positive (is 0)"));
  r = run({"demo", "--reps", "-1"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--reps: -1 is negative"));
  r = run({"demo", "--reps", "10000001"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--reps: 10000001 is more than 10000000"));
}

TEST_CASE("sections print in order and a failing section does not stop the demo",
          "[cli][demo]") {
  sim::config cfg;
  cfg.reps = 6;
  cfg.months = 1;
  const sim::dataset d = sim::simulate_crm(cfg);
  const salesops_cli::demo_context ctx{d, cfg, 1};
  std::vector<salesops_cli::demo_section> sections{
      {"Late", 50, [](const salesops_cli::demo_context&, std::ostream& o) { o << "  late\n"; }},
      {"Broken", 20,
       [](const salesops_cli::demo_context&, std::ostream&) { throw std::runtime_error("no data"); }},
      {"Early", 10,
       [](const salesops_cli::demo_context& c, std::ostream& o) { o << "  reps " << c.data.org.rep_count() << "\n"; }},
      {"Tie", 20, [](const salesops_cli::demo_context&, std::ostream& o) { o << "  tie\n"; }}};
  std::ostringstream out;
  salesops_cli::print_sections(ctx, sections, out);
  CHECK(out.str() == "\nEarly\n-----\n  reps 6\n"
                     "\nBroken\n------\n  (section failed: no data)\n"
                     "\nTie\n---\n  tie\n"
                     "\nLate\n----\n  late\n");
}

TEST_CASE("numbers are formatted with thousands separators", "[cli][demo]") {
  CHECK(salesops_cli::format_count(0) == "0");
  CHECK(salesops_cli::format_count(999) == "999");
  CHECK(salesops_cli::format_count(1000) == "1,000");
  CHECK(salesops_cli::format_count(-1234567) == "-1,234,567");
  CHECK(salesops_cli::format_count(LLONG_MIN) == "-9,223,372,036,854,775,808");
  CHECK(salesops_cli::format_money(1234567.5) == "1,234,568"); // llround: halves away from 0
  CHECK(salesops_cli::format_money(-0.4) == "0");
}
