// `salesops funnel-report`: the stage funnel of opportunity histories as JSON — per-stage
// counts, conversion with intervals, days in stage — for the whole population and, with
// --segment COLUMN, per segment (top N plus "other", each segment's win rate compared with
// the rest of the population, p-values adjusted across segments).
//
// Input CSV (any row order), header with at least `opportunity,stage,timestamp`:
//   opportunity  integer id of the opportunity
//   stage        the stage entered: an index 0 .. K-1, or a name listed in --stage-names;
//                or `won` / `lost`: the opportunity closed at `timestamp` (at most one such
//                row per opportunity, not before its last stage entry). Opportunities
//                without one are open.
//   timestamp    integer seconds since 1970-01-01 UTC (>= 0)
//   [segment]    any further column, named by --segment; constant within an opportunity
// Rows are grouped by opportunity and ordered by time (ties keep file order) before the
// library sees them. Errors name the 1-based data row of the file. Time to win runs from an
// opportunity's first stage entry to its won row; open deals are censored at --as-of
// (default: the latest timestamp in the file), lost ones per --lost. With --markov, the
// absorbing Markov model of the whole population (funnel/markov.hpp): per stage the win
// probability, expected moves and expected days to close, with Dirichlet-posterior intervals
// (--draws, --seed, --prior; level --level).
#include "cli.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <salesops/funnel/breakdown.hpp>
#include <salesops/funnel/markov.hpp>
#include <salesops/funnel/stage_funnel.hpp>
#include <salesops/funnel/time_to_convert.hpp>
#include <salesops/stats/proportion.hpp>

namespace {

namespace sf = salesops::funnel;
using nlohmann::json;

struct report_options {
  long long stages = 0;      // K; 0: largest stage index in the file + 1
  std::string stage_names;   // comma-separated names, in funnel order
  std::string segment;       // column to break down by
  long long top = 10;        // segments kept before "other"
  std::string skipped = "passed";
  double level = 0.95;
  std::string method = "wilson";
  std::string test = "z";
  long long as_of = 0; // extraction timestamp, when --as-of is given
  std::string lost = "never-converts";
  std::string adjust = "holm";
  bool markov = false;       // add the absorbing Markov model
  long long draws = 2000;    // its posterior draws (0: no intervals)
  long long seed = 1;        // seed of the draws
  double prior = 0.5;        // Dirichlet prior per destination
};

std::string row_text(std::size_t r) { return std::to_string(r + 1); }

// The most stages the largest stage index may imply without --stages.
constexpr long long inferred_stage_limit = 1000;

json rate_json(const std::optional<salesops::stats::conversion_rate>& r) {
  if (!r) return nullptr;
  return {{"successes", r->successes}, {"trials", r->trials}, {"rate", r->rate},
          {"lower", r->lower}, {"upper", r->upper}};
}

json funnel_json(const sf::stage_funnel_result& f, const std::vector<std::string>& names) {
  json stages = json::array();
  for (const auto& s : f.stages) {
    json row{{"stage", s.stage},
             {"name", names[s.stage]},
             {"entered", s.entered},
             {"advanced", s.advanced},
             {"won", s.won},
             {"lost_here", s.lost_here},
             {"open_here", s.open_here},
             {"stage_conversion", rate_json(s.stage_conversion)},
             {"cumulative_conversion", rate_json(s.cumulative_conversion)},
             {"win_rate", rate_json(s.win_rate)},
             {"days_in_stage", nullptr}};
    if (s.time_in_stage) {
      const auto& t = *s.time_in_stage;
      row["days_in_stage"] = {{"n", t.count}, {"p10", t.p10}, {"p25", t.p25},
                              {"median", t.median}, {"p75", t.p75}, {"p90", t.p90}};
    }
    stages.push_back(row);
  }
  return {{"opportunities", f.opportunities}, {"won", f.won}, {"lost", f.lost},
          {"open", f.open}, {"stages", stages}};
}

// Time from creation (first stage entry) to won: median with interval and the share won
// within 30, 90 and 180 days.
json time_json(const sf::time_to_convert_result& t) {
  const auto opt = [](const std::optional<double>& x) { return x ? json(*x) : json(nullptr); };
  json within = json::object();
  for (int days : {30, 90, 180}) {
    const auto e = sf::converted_by(t, days);
    within[std::to_string(days)] = {{"share", e.estimate}, {"lower", e.lower}, {"upper", e.upper}};
  }
  return {{"won", t.won},
          {"lost", t.lost},
          {"open", t.open},
          {"median_days", opt(t.curve.median.time)},
          {"median_lower", opt(t.curve.median.lower)},
          {"median_upper", opt(t.curve.median.upper)},
          {"won_within_days", within}};
}

// The absorbing Markov model: the fitted matrix (rows: stages; columns: stages, won, lost),
// its counts, mean days per visit, and per stage the three summaries with intervals.
json markov_json(const sf::markov_result& m, const std::vector<std::string>& names) {
  const auto interval = [](const sf::estimate_interval& e) {
    return json{{"estimate", e.estimate}, {"lower", e.lower}, {"upper", e.upper}};
  };
  const auto matrix = [](const Eigen::MatrixXd& x) {
    json rows = json::array();
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      json row = json::array();
      for (Eigen::Index j = 0; j < x.cols(); ++j) row.push_back(x(i, j));
      rows.push_back(row);
    }
    return rows;
  };
  json stages = json::array();
  for (const auto& s : m.stages)
    stages.push_back({{"stage", s.stage},
                      {"name", names[s.stage]},
                      {"exits", s.exits},
                      {"days_per_visit", m.fit.days_per_visit(static_cast<Eigen::Index>(s.stage))},
                      {"win_probability", interval(s.win_probability)},
                      {"expected_moves", interval(s.expected_moves)},
                      {"expected_days", interval(s.expected_days)}});
  return {{"columns", "stages 0..K-1, won, lost"},
          {"counts", matrix(m.fit.counts)},
          {"transition", matrix(m.fit.transition)},
          {"stages", stages},
          {"draws", m.options.draws},
          {"seed", m.options.seed},
          {"prior", m.options.prior},
          {"level", m.options.level}};
}

// The file, regrouped: columns the library takes, plus each opportunity's id and segment.
struct parsed_histories {
  std::vector<std::uint64_t> opportunity;
  std::vector<std::uint32_t> stage;
  std::vector<std::int64_t> entered_at;
  std::vector<sf::outcome> outcomes;
  std::vector<std::int64_t> closed_at;
  std::vector<std::int64_t> created_at; // per opportunity: its first stage entry
  std::int64_t latest = 0;               // largest timestamp in the file
  std::vector<std::string> segment; // per opportunity (empty without --segment)
  std::vector<std::string> names;   // stage names
  std::uint32_t stage_count = 0;
  sf::stage_histories view() const {
    return {opportunity, stage, entered_at, outcomes, closed_at, stage_count};
  }
};

// --stage-names as a list: each name once, none empty, and neither `won` nor `lost` (those
// rows close the opportunity), so that every name is exactly one stage.
std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string::npos ? text.size() : comma;
    const std::string name = text.substr(start, end - start);
    const auto bad = [&](const std::string& why) {
      throw salesops_cli::input_error("funnel-report: --stage-names '" + text + "': name " +
                                      std::to_string(out.size() + 1) + " " + why);
    };
    if (name.empty()) bad("is empty");
    if (name == "won" || name == "lost") bad("is '" + name + "', which marks a closed opportunity");
    if (std::find(out.begin(), out.end(), name) != out.end()) bad("'" + name + "' appears twice");
    out.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

parsed_histories parse(const salesops_cli::csv_table& table, const report_options& opt) {
  const char* fn = "funnel-report";
  const std::size_t n = table.rows.size();
  if (n == 0) throw salesops_cli::input_error(std::string(fn) + ": the input has no data rows");
  const auto ids = table.integers("opportunity");
  const auto times = table.integers("timestamp");
  const auto stage_text = table.strings("stage");
  std::vector<std::string> seg;
  if (!opt.segment.empty()) seg = table.strings(opt.segment);

  parsed_histories h;
  if (!opt.stage_names.empty()) h.names = split_names(opt.stage_names);
  // Stage of each row: >= 0 a stage index, -1 won, -2 lost.
  std::vector<long long> code(n);
  long long largest = -1;
  std::size_t largest_row = 0;
  for (std::size_t r = 0; r < n; ++r) {
    if (times[r] < 0)
      throw salesops_cli::input_error(std::string(fn) + ": timestamp at row " + row_text(r) +
                                      " is negative (" + std::to_string(times[r]) + ")");
    const std::string& s = stage_text[r];
    if (s == "won") {
      code[r] = -1;
    } else if (s == "lost") {
      code[r] = -2;
    } else if (!h.names.empty()) {
      const auto it = std::find(h.names.begin(), h.names.end(), s);
      if (it == h.names.end())
        throw salesops_cli::input_error(std::string(fn) + ": stage at row " + row_text(r) +
                                        " is '" + s + "', not won, lost or a --stage-names entry");
      code[r] = it - h.names.begin();
    } else {
      code[r] = table.integer(r, table.column("stage"));
      if (code[r] < 0)
        throw salesops_cli::input_error(std::string(fn) + ": stage at row " + row_text(r) +
                                        " is negative (" + s + ")");
    }
    if (code[r] > largest) {
      largest = code[r];
      largest_row = r;
    }
    h.latest = std::max<std::int64_t>(h.latest, times[r]);
  }
  long long k = opt.stages;
  if (!h.names.empty()) {
    if (k != 0 && k != static_cast<long long>(h.names.size()))
      throw salesops_cli::input_error(std::string(fn) + ": --stages " + std::to_string(k) +
                                      " but --stage-names lists " + std::to_string(h.names.size()) +
                                      " stages");
    k = static_cast<long long>(h.names.size());
  }
  if (k == 0) {
    // A typo such as stage 999999 would otherwise make a report of a million stages.
    if (largest >= inferred_stage_limit)
      throw salesops_cli::input_error(std::string(fn) + ": stage at row " + row_text(largest_row) +
                                      " is " + std::to_string(largest) + ", which would make " +
                                      std::to_string(largest + 1) +
                                      " stages; give --stages to confirm a funnel of more than " +
                                      std::to_string(inferred_stage_limit) + " stages");
    k = largest + 1;
  }
  if (k <= 0) throw salesops_cli::input_error(std::string(fn) + ": no stage rows in the input");
  if (k > 1000000) throw salesops_cli::input_error(std::string(fn) + ": --stages is too large");
  for (std::size_t r = 0; r < n; ++r)
    if (code[r] >= k)
      throw salesops_cli::input_error(std::string(fn) + ": stage at row " + row_text(r) + " is " +
                                      std::to_string(code[r]) + ", outside [0, " +
                                      std::to_string(k - 1) + "]");
  h.stage_count = static_cast<std::uint32_t>(k);
  if (h.names.empty())
    for (long long s = 0; s < k; ++s) h.names.push_back(std::to_string(s));

  // Group by opportunity (ascending id), then time; at one time a won/lost row comes after
  // the stage rows (closing when a stage is entered is allowed), other ties keep file order.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (ids[a] != ids[b]) return ids[a] < ids[b];
    if (times[a] != times[b]) return times[a] < times[b];
    return code[a] >= 0 && code[b] < 0;
  });
  std::size_t i = 0;
  while (i < n) {
    const long long id = ids[order[i]];
    const auto index = static_cast<std::uint64_t>(h.outcomes.size());
    sf::outcome result = sf::outcome::open;
    std::int64_t closed = 0;
    std::size_t close_row = n, first_row = order[i];
    bool any_stage = false;
    std::int64_t created = 0;
    for (; i < n && ids[order[i]] == id; ++i) {
      const std::size_t r = order[i];
      if (!seg.empty() && seg[r] != seg[first_row])
        throw salesops_cli::input_error(std::string(fn) + ": " + opt.segment + " at row " +
                                        row_text(r) + " is '" + seg[r] + "' but '" +
                                        seg[first_row] + "' on row " + row_text(first_row) +
                                        " of the same opportunity");
      if (close_row != n)
        throw salesops_cli::input_error(std::string(fn) + ": row " + row_text(r) +
                                        " of opportunity " + std::to_string(id) +
                                        " comes after its won/lost row (row " +
                                        row_text(close_row) + ")");
      if (code[r] < 0) {
        close_row = r;
        result = code[r] == -1 ? sf::outcome::won : sf::outcome::lost;
        closed = times[r];
        continue;
      }
      if (!any_stage) created = times[r]; // rows are in time order: the first entry
      any_stage = true;
      h.opportunity.push_back(index);
      h.stage.push_back(static_cast<std::uint32_t>(code[r]));
      h.entered_at.push_back(times[r]);
    }
    if (!any_stage)
      throw salesops_cli::input_error(std::string(fn) + ": opportunity " + std::to_string(id) +
                                      " (row " + row_text(first_row) + ") has no stage row");
    h.outcomes.push_back(result);
    h.closed_at.push_back(closed);
    h.created_at.push_back(created);
    if (!seg.empty()) h.segment.push_back(seg[first_row]);
  }
  return h;
}

salesops::stats::p_adjust_method parse_adjustment(const std::string& text) {
  using salesops::stats::p_adjust_method;
  for (auto m : {p_adjust_method::none, p_adjust_method::bonferroni, p_adjust_method::holm,
                 p_adjust_method::benjamini_hochberg})
    if (text == salesops::stats::to_string(m)) return m;
  throw salesops_cli::input_error("funnel-report: --adjust must be holm, BH, bonferroni or none, not '" +
                                  text + "'");
}

const salesops_cli::registrar reg{
    {"funnel-report",
     "stage funnel of opportunity histories (CSV opportunity,stage,timestamp -> JSON)",
     [](CLI::App& app) -> salesops_cli::action {
       auto opt = std::make_shared<report_options>();
       app.footer(
           "Input CSV (any row order): opportunity,stage,timestamp[,more columns]. stage is an\n"
           "index 0..K-1 (or a --stage-names entry), or won/lost: the opportunity closed at\n"
           "timestamp (seconds). Opportunities without a won/lost row are open. Output: JSON\n"
           "with per-stage entered/advanced/won/lost_here/open_here, stage and cumulative\n"
           "conversion and win rate with intervals, days in stage percentiles, and time to win\n"
           "(Kaplan-Meier from the first stage entry, open deals censored at --as-of: median\n"
           "days with interval, share won within 30/90/180 days); with --segment, the same per\n"
           "segment plus the segment's win rate against the rest.");
       app.add_option("--stages", opt->stages,
                      "number of stages K (default: largest stage index + 1)");
       app.add_option("--stage-names", opt->stage_names,
                      "comma-separated stage names in funnel order (the stage column uses them)");
       CLI::Option* segment =
           app.add_option("--segment", opt->segment, "column to break the funnel down by");
       app.add_option("--top", opt->top, "segments reported before \"other\" (0: all; default 10)")
           ->needs(segment);
       app.add_option("--skipped", opt->skipped,
                      "skipped stages count as passed (default) or not-passed");
       app.add_option("--level", opt->level, "confidence level (default 0.95)");
       CLI::Option* as_of_option =
           app.add_option("--as-of", opt->as_of,
                          "extraction timestamp (s): open deals are censored at their age then "
                          "(default: the largest timestamp in the file)");
       app.add_option("--lost", opt->lost,
                      "lost deals in time to win: never-converts (default: at risk until "
                      "--as-of) or censored (at their close)");
       app.add_option("--test", opt->test, "segment vs rest p-value: z (default) or fisher")
           ->needs(segment);
       app.add_option("--adjust", opt->adjust,
                      "p-value adjustment across segments: holm (default), BH, bonferroni, none")
           ->needs(segment);
       app.add_option("--method", opt->method,
                      "interval: wilson (default), jeffreys, clopper-pearson, agresti-coull");
       CLI::Option* markov =
           app.add_flag("--markov", opt->markov,
                        "add the absorbing Markov model: per stage P(won), expected moves and days "
                        "to close with posterior intervals");
       app.add_option("--draws", opt->draws, "Markov posterior draws (default 2000; 0: none)")
           ->needs(markov)
           ->check(salesops_cli::count_option());
       app.add_option("--seed", opt->seed, "seed of the Markov posterior draws (default 1)")
           ->needs(markov);
       app.add_option("--prior", opt->prior, "Dirichlet prior per destination (default 0.5)")
           ->needs(markov);
       return [opt, as_of_option](salesops_cli::io& io) {
         sf::stage_funnel_options o;
         o.level = opt->level;
         o.method = salesops::stats::parse_interval_method(opt->method);
         if (opt->skipped == "not-passed") {
           o.skipped = sf::skipped_stage_rule::count_as_not_passed;
         } else if (opt->skipped != "passed") {
           throw salesops_cli::input_error("funnel-report: --skipped must be passed or not-passed, not '" +
                                           opt->skipped + "'");
         }
         if (opt->stages < 0 || opt->top < 0)
           throw salesops_cli::input_error("funnel-report: --stages and --top must be >= 0");
         if (opt->seed < 0)
           throw salesops_cli::input_error("funnel-report: --seed must be >= 0 (is " +
                                           std::to_string(opt->seed) + ")");
         sf::lost_deal_rule lost_rule = sf::lost_deal_rule::never_convert;
         if (opt->lost == "censored") {
           lost_rule = sf::lost_deal_rule::censored;
         } else if (opt->lost != "never-converts") {
           throw salesops_cli::input_error(
               "funnel-report: --lost must be never-converts or censored, not '" + opt->lost + "'");
         }
         salesops::stats::segment_test test = salesops::stats::segment_test::z;
         if (opt->test == "fisher") {
           test = salesops::stats::segment_test::fisher;
         } else if (opt->test != "z") {
           throw salesops_cli::input_error("funnel-report: --test must be z or fisher, not '" +
                                           opt->test + "'");
         }
         const auto adjustment = parse_adjustment(opt->adjust);
         const bool as_of_given = as_of_option->count() > 0;
         if (as_of_given && opt->as_of < 0)
           throw salesops_cli::input_error("funnel-report: --as-of " + std::to_string(opt->as_of) +
                                           " is negative");
         const auto h = parse(salesops_cli::read_csv(io.in), *opt);
         if (as_of_given && opt->as_of < h.latest)
           throw salesops_cli::input_error("funnel-report: --as-of " + std::to_string(opt->as_of) +
                                           " is before the latest timestamp in the file (" +
                                           std::to_string(h.latest) + ")");
         const std::int64_t as_of = as_of_given ? opt->as_of : h.latest;
         // Time to win of the opportunities selected by `in` (all when it is empty).
         const auto time_to_win = [&](const std::vector<bool>& in) {
           sf::time_to_convert_accumulator acc(as_of, lost_rule);
           for (std::size_t i = 0; i < h.outcomes.size(); ++i)
             if (in.empty() || in[i]) acc.update(h.created_at[i], h.outcomes[i], h.closed_at[i]);
           return time_json(acc.result(o.level));
         };
         json out = funnel_json(sf::stage_funnel(h.view(), o), h.names);
         out["time_to_win"] = time_to_win({});
         out["options"] = {{"skipped", opt->skipped},
                           {"level", o.level},
                           {"method", std::string(salesops::stats::to_string(o.method))},
                           {"as_of", as_of},
                           {"lost", opt->lost}};
         if (opt->markov) {
           sf::markov_options mo;
           mo.draws = static_cast<std::size_t>(opt->draws);
           mo.seed = static_cast<std::uint64_t>(opt->seed);
           mo.level = o.level;
           mo.prior = opt->prior;
           out["markov"] = markov_json(sf::fit_markov(h.view(), mo), h.names);
         }
         if (!opt->segment.empty()) {
           // Segment values become keys 0..m-1 in sorted order, so ties in size break by name.
           std::map<std::string, std::uint32_t> keys;
           for (const auto& s : h.segment) keys.emplace(s, 0);
           std::vector<std::string> labels;
           for (auto& entry : keys) {
             entry.second = static_cast<std::uint32_t>(labels.size());
             labels.push_back(entry.first);
           }
           std::vector<std::uint32_t> key(h.segment.size());
           for (std::size_t i = 0; i < key.size(); ++i) key[i] = keys[h.segment[i]];
           sf::breakdown_options bo;
           bo.top_n = static_cast<std::size_t>(opt->top);
           bo.funnel = o;
           bo.test = test;
           bo.adjustment = adjustment;
           const auto b = sf::segment_breakdown(h.view(), key, bo);
           json rows = json::array();
           std::vector<bool> kept(labels.size(), false);
           for (const auto& row : b.rows) {
             json j = funnel_json(row.funnel, h.names);
             j["segment"] = row.other ? json("other") : json(labels[row.key]);
             j["segments"] = row.segments;
             // The row's deals: its key, or every key not kept above "other".
             std::vector<bool> in(key.size());
             for (std::size_t i = 0; i < key.size(); ++i)
               in[i] = row.other ? !kept[key[i]] : key[i] == row.key;
             if (!row.other) kept[row.key] = true;
             j["time_to_win"] = time_to_win(in);
             j["win_rate"] = rate_json(row.win_rate);
             j["versus_rest"] = nullptr;
             if (row.versus_rest) {
               const auto& c = *row.versus_rest;
               j["versus_rest"] = {{"rest", rate_json(c.rest)},
                                   {"difference", c.difference.difference},
                                   {"lower", c.difference.lower},
                                   {"upper", c.difference.upper},
                                   {"p_value", c.p_value},
                                   {"adjusted_p_value", c.adjusted_p_value}};
             }
             rows.push_back(j);
           }
           out["segment_column"] = opt->segment;
           out["options"]["test"] = opt->test;
           out["options"]["adjust"] = std::string(salesops::stats::to_string(bo.adjustment));
           out["segments"] = rows;
         }
         io.out << out.dump(2) << "\n";
       };
     }}};

} // namespace
