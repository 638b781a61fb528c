// `salesops attainment`: quota attainment, pacing and P(hit) per rep and rolled up.
//   salesops attainment --opportunities FILE --quotas FILE --as-of YYYY-MM-DD
//       [--quota-weights TYPE=W,...] [--splits FILE] [--team-history FILE]
//       [--credit-rule owner-at-close|owner-at-as-of] [--team-quota prorated|as-of]
// opportunities CSV: owner,amount,close_date,outcome[,probability][,id][,quota_type]
//                    [,forecast_category]
//   outcome is won, lost or open; close_date is the actual close (won/lost) or the expected
//   close (open); probability is the win probability of an open deal. Without that column
//   every open deal gets the win rate by count of all closed deals in the file
//   (salesops::quota::period_kpis definition). `id` names the deal for --splits;
//   `quota_type` says which quota it counts toward; `forecast_category` (commit, best_case,
//   pipeline or omitted; case and spaces ignored) adds the forecast-category roll-up.
// quotas CSV: owner,period_start,period_end,amount[,team][,quota_type]
//   one row per rep (and quota type) and period; period_end is exclusive. The period
//   analysed is the one whose [period_start, period_end) holds --as-of (all rows holding it
//   must give the same period). With a team column, teams are rolled up too. With a
//   quota_type column every rep needs one row per type, and attainment is also weighted
//   by --quota-weights (default: equal weights).
// --splits CSV: opportunity,owner,percent — the deal with that id credits percent % to that
//   owner instead of 100 % to its owner; each deal's percentages must sum to 100.
// --team-history CSV: owner,team,from — the owner is in `team` from date `from` on; before
//   an owner's first row the quotas' team column holds. --credit-rule says which team gets a
//   deal's credit (the credited rep's team on the close date, the default, or on --as-of);
//   --team-quota whether a team's quota counts each rep's quota prorated by days in the team
//   during the period (default) or whole in the rep's team on --as-of.
// Output: JSON {"period_start", "period_end", "as_of", "elapsed", "reps": [...],
//   "teams": [...], "total": {...}}, each line holding quota, booked, attainment,
//   expected_linear, pace_linear, pace_business, projection_run_rate, open_deals,
//   weighted_pipeline, p_hit, p10, p50, p90 (revenue = booked + open deals expected to close
//   from as-of to period end), plus weighted_attainment and by_type with a quota_type column,
//   and forecast_categories with a forecast_category column. Deals won on or after --as-of
//   are not booked yet. Only owners with a quota in the period are reported: the credit (or
//   split share) of anyone else counts for no rep, team or total. A team with no quota in
//   the period (everyone left it) has null ratios and outlook.
// Bad input exits 2 with a message naming the file, row (1 = first data row), column and
// value.
#include "cli.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <salesops/core/calendar.hpp>
#include <salesops/core/error.hpp>
#include <salesops/pipeline/pipeline_metrics.hpp>
#include <salesops/pipeline/revenue_outlook.hpp>
#include <salesops/quota/attainment.hpp>
#include <salesops/quota/kpi.hpp>
#include <salesops/quota/pacing.hpp>

namespace {

namespace q = salesops::quota;
namespace pl = salesops::pipeline;

enum class deal_outcome : std::uint8_t { open, won, lost };

struct attainment_options {
  std::string opportunities;
  std::string quotas;
  std::string as_of;
  std::string quota_weights;
  std::string splits;
  std::string team_history;
  std::string credit_rule = "owner-at-close";
  std::string team_quota = "prorated";
};

// "<file>: column '<column>' at row <row + 1> is '<value>', <why>" (rows 1-based, header excluded).
[[noreturn]] void bad_field(const std::string& file, std::size_t row, const std::string& column,
                            const std::string& value, const std::string& why) {
  throw salesops_cli::input_error(file + ": column '" + column + "' at row " +
                                  std::to_string(row + 1) + " is '" + value + "', " + why);
}

// A CSV file whose errors name it.
class named_csv {
public:
  explicit named_csv(std::string path) : path_(std::move(path)) {
    csv_ = guard([&] { return salesops_cli::read_csv_file(path_); });
  }
  const std::string& path() const { return path_; }
  bool has(const std::string& column) const { return csv_.has_column(column); }
  std::vector<std::string> strings(const std::string& column) const {
    return guard([&] { return csv_.strings(column); });
  }
  std::vector<double> numbers(const std::string& column) const {
    return guard([&] { return csv_.numbers(column); });
  }
  std::vector<salesops::date> dates(const std::string& column) const {
    const auto text = strings(column);
    std::vector<salesops::date> out(text.size());
    for (std::size_t r = 0; r < text.size(); ++r) {
      try {
        out[r] = salesops::parse_date(text[r], r);
      } catch (const salesops::invalid_input&) {
        bad_field(path_, r, column, text[r], "not a date YYYY-MM-DD");
      }
    }
    return out;
  }

private:
  template <class F>
  auto guard(F f) const -> decltype(f()) {
    try {
      return f();
    } catch (const salesops_cli::input_error& e) {
      std::string what = e.what();
      if (what.rfind("csv: ", 0) == 0) what.erase(0, 5);
      throw salesops_cli::input_error(path_ + ": " + what);
    }
  }
  std::string path_;
  salesops_cli::csv_table csv_;
};

deal_outcome parse_outcome(const std::string& file, const std::string& s, std::size_t row) {
  if (s == "won") return deal_outcome::won;
  if (s == "lost") return deal_outcome::lost;
  if (s == "open") return deal_outcome::open;
  bad_field(file, row, "outcome", s, "not won, lost or open");
}

// Forecast category of an open deal; nullopt for omitted (not rolled up).
std::optional<q::open_category> parse_category(const std::string& file, const std::string& s,
                                               std::size_t row) {
  std::string k;
  for (char c : s) k += c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (k == "commit") return q::open_category::commit;
  if (k == "best_case") return q::open_category::best_case;
  if (k == "pipeline") return q::open_category::pipeline;
  if (k == "omitted") return std::nullopt;
  bad_field(file, row, "forecast_category", s,
            "not commit, best_case, pipeline or omitted (the category of an open deal)");
}

// --quota-weights new_business=0.7,renewal=0.3 -> weight per quota type, in type order.
std::vector<double> parse_weights(const std::string& text, const std::vector<std::string>& types) {
  auto fail = [](const std::string& why) { throw salesops_cli::input_error("--quota-weights: " + why); };
  std::vector<double> w(types.size(), std::nan(""));
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos) fail("'" + item + "' is not TYPE=WEIGHT");
    const std::string name = item.substr(0, eq), value = item.substr(eq + 1);
    std::size_t type = types.size();
    for (std::size_t t = 0; t < types.size(); ++t)
      if (types[t] == name) type = t;
    if (type == types.size()) fail("'" + name + "' is not a quota type of the period's quotas");
    if (!std::isnan(w[type])) fail("'" + name + "' is given twice");
    std::size_t used = 0;
    try {
      w[type] = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != value.size() || !std::isfinite(w[type]))
      fail("the weight of '" + name + "' is '" + value + "', not a number");
    pos = comma + 1;
  }
  for (std::size_t t = 0; t < types.size(); ++t)
    if (std::isnan(w[t])) fail("no weight for quota type '" + types[t] + "'");
  return w; // non-negative and summing to 1: checked by quota::attainment_of
}

// Input of the command, read and checked: the period's reps, teams, types and quotas.
struct quota_table {
  salesops::date start = 0, end = 0;
  std::vector<std::string> rep_name, team_name, type_name;
  std::map<std::string, std::uint32_t> rep_id, team_id;
  std::vector<std::uint32_t> rep_team;
  std::vector<double> quota; // [rep * types + type]
  bool typed = false;        // the file has a quota_type column
};

std::uint32_t intern(std::map<std::string, std::uint32_t>& ids, std::vector<std::string>& names,
                     const std::string& name) {
  const auto [it, added] = ids.emplace(name, static_cast<std::uint32_t>(names.size()));
  if (added) names.push_back(name);
  return it->second;
}

quota_table read_quotas(const named_csv& file, salesops::date as_of, const std::string& as_of_text) {
  quota_table t;
  t.typed = file.has("quota_type");
  const auto owner = file.strings("owner");
  const auto amount = file.numbers("amount");
  const auto amount_text = file.strings("amount");
  const auto start_text = file.strings("period_start");
  const auto start = file.dates("period_start");
  const auto end = file.dates("period_end");
  const auto end_text = file.strings("period_end");
  const auto team = file.has("team") ? file.strings("team") : std::vector<std::string>(owner.size(), "all");
  const auto type = t.typed ? file.strings("quota_type") : std::vector<std::string>(owner.size(), "");
  std::map<std::string, std::uint32_t> type_id;
  std::map<std::pair<std::uint32_t, std::uint32_t>, double> quota;
  bool have_period = false;
  for (std::size_t r = 0; r < owner.size(); ++r) {
    if (end[r] <= start[r])
      bad_field(file.path(), r, "period_end", end_text[r], "not after period_start " + start_text[r]);
    if (as_of < start[r] || as_of >= end[r]) continue;
    if (have_period && (start[r] != t.start || end[r] != t.end))
      throw salesops_cli::input_error(file.path() + ": row " + std::to_string(r + 1) +
                                      " holds --as-of in a different period than an earlier row");
    t.start = start[r];
    t.end = end[r];
    have_period = true;
    if (!(std::isfinite(amount[r]) && amount[r] > 0))
      bad_field(file.path(), r, "amount", amount_text[r], "not a positive quota");
    const bool new_rep = !t.rep_id.count(owner[r]);
    const std::uint32_t rep = intern(t.rep_id, t.rep_name, owner[r]);
    const std::uint32_t tm = intern(t.team_id, t.team_name, team[r]);
    if (new_rep) t.rep_team.push_back(tm);
    else if (t.rep_team[rep] != tm)
      bad_field(file.path(), r, "team", team[r], "not the team '" + t.team_name[t.rep_team[rep]] +
                                                     "' of an earlier row of owner '" + owner[r] + "'");
    const std::uint32_t ty = intern(type_id, t.type_name, type[r]);
    if (!quota.emplace(std::make_pair(rep, ty), amount[r]).second)
      throw salesops_cli::input_error(file.path() + ": owner '" + owner[r] + "' has two " +
                                      (t.typed ? "'" + type[r] + "' " : std::string()) +
                                      "quota rows for the period (row " + std::to_string(r + 1) + ")");
  }
  if (!have_period) throw salesops_cli::input_error(file.path() + ": no quota period holds --as-of " + as_of_text);
  const std::size_t types = t.type_name.size();
  t.quota.assign(t.rep_name.size() * types, 0.0);
  for (std::uint32_t r = 0; r < t.rep_name.size(); ++r)
    for (std::uint32_t ty = 0; ty < types; ++ty) {
      const auto it = quota.find({r, ty});
      if (it == quota.end())
        throw salesops_cli::input_error(file.path() + ": owner '" + t.rep_name[r] + "' has no '" +
                                        t.type_name[ty] + "' quota row for the period");
      t.quota[r * types + ty] = it->second;
    }
  return t;
}

// One line of the output. A group without quota (a team everyone left) has null ratios.
nlohmann::json line_json(const std::string& name, double quota, double booked,
                         const salesops::period& p, salesops::date as_of,
                         const std::optional<pl::quota_outlook>& outlook, double weighted) {
  nlohmann::json j{{"name", name}, {"quota", quota}, {"booked", booked}};
  if (quota > 0 && outlook) {
    const auto pace = q::pace(p, as_of, booked, quota);
    j.update({{"attainment", booked / quota},
              {"expected_linear", pace.expected_linear},
              {"pace_linear", pace.pace_linear},
              {"pace_business", pace.pace_business},
              {"projection_run_rate", pace.projection_run_rate},
              {"open_deals", outlook->deals},
              {"weighted_pipeline", weighted},
              {"p_hit", outlook->p_hit},
              {"p10", outlook->p10},
              {"p50", outlook->p50},
              {"p90", outlook->p90}});
  } else {
    for (const char* k : {"attainment", "expected_linear", "pace_linear", "pace_business",
                          "projection_run_rate", "open_deals", "weighted_pipeline", "p_hit",
                          "p10", "p50", "p90"})
      j[k] = nullptr;
  }
  return j;
}

// A deal's credit: (rep id, share of the amount); rep id == reps stands for "no quota here".
using credit_list = std::vector<std::pair<std::uint32_t, double>>;

void run_attainment(const attainment_options& opt, salesops_cli::io& io) {
  salesops::date as_of = 0;
  try {
    as_of = salesops::parse_date(opt.as_of);
  } catch (const salesops::invalid_input&) {
    throw salesops_cli::input_error("--as-of is '" + opt.as_of + "', not a date YYYY-MM-DD");
  }
  const auto credit_rule = opt.credit_rule == "owner-at-as-of" ? q::team_rule::at_as_of : q::team_rule::at_close;
  const auto quota_rule = opt.team_quota == "as-of" ? q::team_quota_rule::at_as_of : q::team_quota_rule::prorated;
  const named_csv quotas_file(opt.quotas), opps(opt.opportunities);
  auto t = read_quotas(quotas_file, as_of, opt.as_of);
  const std::size_t types = t.type_name.size();
  const auto reps = static_cast<std::uint32_t>(t.rep_name.size());
  std::vector<double> weights;
  if (!opt.quota_weights.empty()) {
    if (!t.typed)
      throw salesops_cli::input_error("--quota-weights needs a quota_type column in " + quotas_file.path());
    weights = parse_weights(opt.quota_weights, t.type_name);
  }

  // Team moves: owners without a quota in the period are not reported, so their rows are skipped.
  std::vector<std::uint32_t> move_rep, move_unit;
  std::vector<salesops::date> move_date;
  if (!opt.team_history.empty()) {
    const named_csv history(opt.team_history);
    const auto owner = history.strings("owner");
    const auto team = history.strings("team");
    const auto from = history.dates("from");
    for (std::size_t r = 0; r < owner.size(); ++r) {
      const auto it = t.rep_id.find(owner[r]);
      if (it == t.rep_id.end()) continue;
      move_rep.push_back(it->second);
      move_date.push_back(from[r]);
      move_unit.push_back(1 + intern(t.team_id, t.team_name, team[r]));
    }
  }
  // Org: unit 0 = company, units 1.. = teams, and a separate root holding one extra rep that
  // collects the credit of owners without a quota here (reported nowhere).
  const auto teams = static_cast<std::uint32_t>(t.team_name.size());
  const std::uint32_t outside = reps, outside_unit = teams + 1;
  std::vector<std::int64_t> parent(teams + 2, 0);
  parent[0] = parent[outside_unit] = q::no_parent;
  std::vector<std::uint32_t> rep_unit(reps + 1, outside_unit);
  for (std::uint32_t r = 0; r < reps; ++r) rep_unit[r] = t.rep_team[r] + 1;
  const q::org_hierarchy org(parent, rep_unit, move_rep, move_date, move_unit);

  // Opportunities.
  const auto o_owner = opps.strings("owner");
  const auto o_amount = opps.numbers("amount");
  const auto o_amount_text = opps.strings("amount");
  const auto close = opps.dates("close_date");
  const auto o_outcome_text = opps.strings("outcome");
  const std::size_t n = o_owner.size();
  std::vector<deal_outcome> outcome(n);
  for (std::size_t r = 0; r < n; ++r) outcome[r] = parse_outcome(opps.path(), o_outcome_text[r], r);
  const bool has_prob = opps.has("probability");
  const auto o_prob = has_prob ? opps.numbers("probability") : std::vector<double>(n, 0.0);
  const auto o_prob_text = has_prob ? opps.strings("probability") : std::vector<std::string>(n);
  const bool has_type = opps.has("quota_type");
  if (has_type && !t.typed)
    throw salesops_cli::input_error(opps.path() + " has a quota_type column, but " + quotas_file.path() + " has none");
  if (!has_type && types > 1)
    throw salesops_cli::input_error(opps.path() + " has no quota_type column, but " + quotas_file.path() +
                                    " has " + std::to_string(types) + " quota types");
  const auto o_type = has_type ? opps.strings("quota_type") : std::vector<std::string>(n);
  const bool has_category = opps.has("forecast_category");
  const auto o_category = has_category ? opps.strings("forecast_category") : std::vector<std::string>(n);

  // Credit of each deal: its split rows, else 100 % to its owner.
  std::vector<credit_list> credit(n);
  std::vector<char> has_split(n, 0);
  auto rep_or_outside = [&](const std::string& name) {
    const auto it = t.rep_id.find(name);
    return it == t.rep_id.end() ? outside : it->second;
  };
  for (std::size_t r = 0; r < n; ++r) credit[r] = {{rep_or_outside(o_owner[r]), 1.0}};
  if (!opt.splits.empty()) {
    if (!opps.has("id"))
      throw salesops_cli::input_error("--splits needs an 'id' column in " + opps.path());
    const auto id = opps.strings("id");
    std::map<std::string, std::size_t> row_of;
    for (std::size_t r = 0; r < n; ++r)
      if (!row_of.emplace(id[r], r).second) bad_field(opps.path(), r, "id", id[r], "the id of an earlier row");
    const named_csv splits(opt.splits);
    const auto deal_id = splits.strings("opportunity");
    const auto owner = splits.strings("owner");
    const auto percent = splits.numbers("percent");
    const auto percent_text = splits.strings("percent");
    std::vector<std::vector<std::size_t>> rows_of_deal(n);
    for (std::size_t s = 0; s < deal_id.size(); ++s) {
      const auto it = row_of.find(deal_id[s]);
      if (it == row_of.end())
        bad_field(splits.path(), s, "opportunity", deal_id[s], "not an id of " + opps.path());
      if (!(std::isfinite(percent[s]) && percent[s] > 0 && percent[s] <= 100))
        bad_field(splits.path(), s, "percent", percent_text[s], "not in (0, 100]");
      rows_of_deal[it->second].push_back(s);
    }
    for (std::size_t r = 0; r < n; ++r) {
      if (rows_of_deal[r].empty()) continue;
      has_split[r] = 1;
      double total = 0;
      std::string rows;
      credit[r].clear();
      for (auto s : rows_of_deal[r]) {
        total += percent[s];
        rows += (rows.empty() ? "" : ", ") + std::to_string(s + 1);
        credit[r].emplace_back(rep_or_outside(owner[s]), percent[s] / 100.0);
      }
      if (std::fabs(total - 100.0) > 1e-9 * 100.0) {
        std::ostringstream sum;
        sum << total;
        throw salesops_cli::input_error(splits.path() + ": the percentages of opportunity '" + id[r] +
                                        "' (rows " + rows + ") sum to " + sum.str() + ", not 100");
      }
    }
  }

  // Without probabilities, open deals get the win rate by count of every closed deal.
  double fallback_p = 0;
  if (!has_prob) {
    const std::vector<salesops::date> created = close; // cycle length is not needed here
    const auto k = q::period_kpis_of(o_amount, outcome, created, close, INT32_MIN, INT32_MAX);
    if (k.won_count + k.lost_count == 0)
      throw salesops_cli::input_error(opps.path() + ": no probability column and no closed deal to estimate a win rate");
    fallback_p = k.win_rate_count;
  }

  // Booked: won in [start, as_of), credited by the library. Open: expected in [as_of, end).
  std::vector<std::uint32_t> won_owner, won_type;
  std::vector<double> won_amount;
  std::vector<deal_outcome> won_outcome;
  std::vector<salesops::date> won_close;
  std::vector<std::size_t> split_deal;
  std::vector<std::uint32_t> split_rep;
  std::vector<double> split_percent;
  std::vector<std::size_t> open_rows;
  std::vector<double> open_prob;
  std::vector<std::optional<q::open_category>> open_category;
  std::map<std::string, std::uint32_t> type_id;
  for (std::uint32_t ty = 0; ty < types; ++ty) type_id[t.type_name[ty]] = ty;
  for (std::size_t r = 0; r < n; ++r) {
    bool counts = false; // some credited rep has a quota here
    for (const auto& c : credit[r]) counts = counts || c.first != outside;
    const bool booked = outcome[r] == deal_outcome::won && close[r] >= t.start && close[r] < as_of;
    const bool open = outcome[r] == deal_outcome::open && close[r] >= as_of && close[r] < t.end;
    if (!counts || !(booked || open)) continue;
    if (!(std::isfinite(o_amount[r]) && o_amount[r] >= 0))
      bad_field(opps.path(), r, "amount", o_amount_text[r], "not a finite amount >= 0");
    std::uint32_t ty = 0;
    if (has_type) {
      const auto it = type_id.find(o_type[r]);
      if (it == type_id.end())
        bad_field(opps.path(), r, "quota_type", o_type[r], "not a quota type of the period in " + quotas_file.path());
      ty = it->second;
    }
    if (booked) {
      if (has_split[r])
        for (const auto& c : credit[r]) {
          split_deal.push_back(won_owner.size());
          split_rep.push_back(c.first);
          split_percent.push_back(100.0 * c.second);
        }
      won_owner.push_back(credit[r][0].first);
      won_amount.push_back(o_amount[r]);
      won_outcome.push_back(deal_outcome::won);
      won_close.push_back(close[r]);
      won_type.push_back(ty);
    } else {
      if (has_prob && !(o_prob[r] >= 0 && o_prob[r] <= 1))
        bad_field(opps.path(), r, "probability", o_prob_text[r], "not in [0, 1]");
      open_rows.push_back(r);
      open_prob.push_back(has_prob ? o_prob[r] : fallback_p);
      open_category.push_back(has_category ? parse_category(opps.path(), o_category[r], r) : std::nullopt);
    }
  }
  const q::credit_splits splits{split_deal, split_rep, split_percent};
  const auto ledger = q::credit_won_deals(org, salesops::span<const std::uint32_t>(won_owner),
      salesops::span<const double>(won_amount), salesops::span<const deal_outcome>(won_outcome),
      salesops::span<const salesops::date>(won_close), salesops::span<const std::uint32_t>(won_type),
      types, t.start, t.end, as_of, splits, credit_rule);
  std::vector<double> quota = t.quota;
  quota.resize(quota.size() + types, 1.0); // the outside rep: any positive quota, never reported
  const auto report = q::attainment_of(ledger, org, quota, weights, as_of, quota_rule, t.start, t.end);
  const salesops::period p{salesops::period_kind::quarter, 0, 1, t.start, t.end};

  // A section of the output: `group` maps a rep and a day to its group (or groups() when
  // not reported); lines[g] is group g's attainment. Each open deal enters a group's outlook
  // once, with the sum of its credited shares in that group (shares of one deal are not
  // independent deals).
  auto section = [&](const std::vector<std::string>& names, const std::vector<const q::attainment_line*>& lines,
                     const std::function<std::uint32_t(std::uint32_t, salesops::date)>& group) {
    const std::size_t groups = names.size();
    std::vector<std::uint32_t> deal_group;
    std::vector<double> amount, prob;
    std::vector<std::vector<double>> ga(groups), gp(groups);
    q::category_ledger categories(groups);
    for (std::size_t k = 0; k < open_rows.size(); ++k) {
      const std::size_t r = open_rows[k];
      const salesops::date day = credit_rule == q::team_rule::at_close ? close[r] : as_of;
      std::map<std::uint32_t, double> share;
      for (const auto& c : credit[r])
        if (c.first != outside) share[group(c.first, day)] += c.second;
      for (const auto& [g, s] : share) {
        if (g >= groups) continue;
        deal_group.push_back(g);
        amount.push_back(o_amount[r] * s);
        prob.push_back(open_prob[k]);
        ga[g].push_back(o_amount[r] * s);
        gp[g].push_back(open_prob[k]);
        if (open_category[k]) categories.update(g, *open_category[k], o_amount[r] * s);
      }
    }
    // Outlooks of the groups with a quota (the others have null ratios).
    std::vector<std::uint32_t> index(groups, 0);
    std::vector<double> booked, target;
    std::vector<std::uint32_t> kept_group;
    std::vector<double> kept_amount, kept_prob;
    for (std::size_t g = 0; g < groups; ++g)
      if (lines[g]->quota > 0) {
        index[g] = static_cast<std::uint32_t>(booked.size());
        booked.push_back(lines[g]->credit);
        target.push_back(lines[g]->quota);
      }
    for (std::size_t i = 0; i < deal_group.size(); ++i)
      if (lines[deal_group[i]]->quota > 0) {
        kept_group.push_back(index[deal_group[i]]);
        kept_amount.push_back(amount[i]);
        kept_prob.push_back(prob[i]);
      }
    const auto outlooks = pl::revenue_outlook_by_group(kept_group, kept_amount, kept_prob, booked, target);
    std::vector<double> credit_col(groups), quota_col(groups, 1.0);
    for (std::size_t g = 0; g < groups; ++g) {
      credit_col[g] = lines[g]->credit;
      if (lines[g]->quota > 0) quota_col[g] = lines[g]->quota;
    }
    const auto cat = categories.result(credit_col, quota_col);
    nlohmann::json arr = nlohmann::json::array();
    for (std::size_t g = 0; g < groups; ++g) {
      const auto& l = *lines[g];
      const bool has_quota = l.quota > 0;
      std::optional<pl::quota_outlook> outlook;
      if (has_quota) outlook = outlooks[index[g]];
      auto j = line_json(names[g], l.quota, l.credit, p, as_of, outlook,
                         pl::weighted_pipeline(ga[g], gp[g]));
      if (t.typed) {
        j["weighted_attainment"] = has_quota ? nlohmann::json(l.weighted_attainment) : nlohmann::json();
        nlohmann::json by_type;
        for (std::size_t ty = 0; ty < types; ++ty) {
          const double qt = l.quota_by_type[ty], ct = l.credit_by_type[ty];
          by_type[t.type_name[ty]] = {{"quota", qt}, {"booked", ct},
                                      {"attainment", qt > 0 ? nlohmann::json(ct / qt) : nlohmann::json()}};
        }
        j["by_type"] = by_type;
      }
      if (has_category) {
        const auto& c = cat[g];
        auto v = [&](double x) { return has_quota ? nlohmann::json(x) : nlohmann::json(); };
        j["forecast_categories"] = {{"closed", v(c.closed)}, {"commit", v(c.commit)},
                                    {"best_case", v(c.best_case)}, {"pipeline", v(c.pipeline)},
                                    {"closed_commit", v(c.closed_commit)},
                                    {"closed_commit_best_case", v(c.closed_commit_best_case)},
                                    {"closed_all", v(c.closed_all)}};
      }
      arr.push_back(j);
    }
    return arr;
  };
  std::vector<const q::attainment_line*> rep_lines, team_lines;
  for (std::uint32_t r = 0; r < reps; ++r) rep_lines.push_back(&report.reps[r]);
  for (std::uint32_t u = 1; u <= teams; ++u) team_lines.push_back(&report.units[u]);

  nlohmann::json out;
  out["period_start"] = salesops::format_date(t.start);
  out["period_end"] = salesops::format_date(t.end);
  out["as_of"] = salesops::format_date(as_of);
  out["elapsed"] = salesops::elapsed_fraction(p, as_of);
  if (!weights.empty()) {
    for (std::size_t ty = 0; ty < types; ++ty) out["quota_weights"][t.type_name[ty]] = weights[ty];
  }
  if (!opt.team_history.empty()) {
    out["credit_rule"] = opt.credit_rule;
    out["team_quota"] = opt.team_quota;
  }
  out["reps"] = section(t.rep_name, rep_lines, [](std::uint32_t r, salesops::date) { return r; });
  out["teams"] = section(t.team_name, team_lines,
                         [&](std::uint32_t r, salesops::date d) { return org.unit_of(r, d) - 1; });
  out["total"] = section({"total"}, {&report.units[0]}, [](std::uint32_t, salesops::date) { return 0u; })[0];
  io.out << out.dump(2) << "\n";
}

const salesops_cli::registrar reg{
    {"attainment", "quota attainment, pacing and P(hit) per rep, team and company",
     [](CLI::App& app) -> salesops_cli::action {
       auto opt = std::make_shared<attainment_options>();
       app.add_option("--opportunities", opt->opportunities,
                      "CSV owner,amount,close_date,outcome[,probability][,id][,quota_type][,forecast_category]")
           ->required();
       app.add_option("--quotas", opt->quotas,
                      "CSV owner,period_start,period_end,amount[,team][,quota_type]")->required();
       app.add_option("--as-of", opt->as_of, "first day not yet elapsed, YYYY-MM-DD")->required();
       app.add_option("--quota-weights", opt->quota_weights,
                      "weights of the quota types, e.g. new_business=0.7,renewal=0.3 (default: equal)");
       app.add_option("--splits", opt->splits, "CSV opportunity,owner,percent: split credit by deal id");
       app.add_option("--team-history", opt->team_history, "CSV owner,team,from: team moves");
       app.add_option("--credit-rule", opt->credit_rule,
                      "team credited with a deal: the rep's team on the close date or on --as-of")
           ->check(CLI::IsMember({"owner-at-close", "owner-at-as-of"}));
       app.add_option("--team-quota", opt->team_quota,
                      "team quota: rep quotas prorated by days in the team, or whole in the team on --as-of")
           ->check(CLI::IsMember({"prorated", "as-of"}));
       return [opt](salesops_cli::io& io) { run_attainment(*opt, io); };
     }}};

} // namespace
