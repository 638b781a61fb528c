// `salesops attainment`: quota attainment, pacing and P(hit) per rep and rolled up.
//   salesops attainment --opportunities FILE --quotas FILE --as-of YYYY-MM-DD
// opportunities CSV: owner,amount,close_date,outcome[,probability]
//   outcome is won, lost or open; close_date is the actual close (won/lost) or the expected
//   close (open); probability is the win probability of an open deal. Without that column
//   every open deal gets the win rate by count of all closed deals in the file
//   (salesops::quota::period_kpis definition).
// quotas CSV: owner,period_start,period_end,amount[,team]
//   one row per rep and period; period_end is exclusive. The period analysed is each rep's
//   quota row whose [period_start, period_end) holds --as-of (all must be the same period).
//   With a team column, teams are rolled up too.
// Output: JSON {"period_start", "period_end", "as_of", "elapsed", "reps": [...],
//   "teams": [...], "total": {...}}, each line holding quota, booked, attainment,
//   expected_linear, pace_linear, pace_business, projection_run_rate, open_deals,
//   weighted_pipeline, p_hit, p10, p50, p90 (revenue = booked + open deals expected to close
//   from as-of to period end). Credit goes to the owner at close; deals won on or after
//   --as-of are not booked yet.
#include "cli.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <salesops/core/calendar.hpp>
#include <salesops/pipeline/pipeline_metrics.hpp>
#include <salesops/pipeline/revenue_outlook.hpp>
#include <salesops/quota/attainment.hpp>
#include <salesops/quota/kpi.hpp>
#include <salesops/quota/pacing.hpp>

namespace {

enum class deal_outcome : std::uint8_t { open, won, lost };

struct attainment_options {
  std::string opportunities;
  std::string quotas;
  std::string as_of;
};

deal_outcome parse_outcome(const std::string& s, std::size_t row) {
  if (s == "won") return deal_outcome::won;
  if (s == "lost") return deal_outcome::lost;
  if (s == "open") return deal_outcome::open;
  throw salesops_cli::input_error("csv: column 'outcome' at row " + std::to_string(row + 1) +
                                  " is '" + s + "', not won, lost or open");
}

nlohmann::json line_json(const std::string& name, double quota, double booked,
                         const salesops::quota::pacing_result& pace,
                         const salesops::pipeline::quota_outlook& outlook, double weighted) {
  return {{"name", name},
          {"quota", quota},
          {"booked", booked},
          {"attainment", booked / quota},
          {"expected_linear", pace.expected_linear},
          {"pace_linear", pace.pace_linear},
          {"pace_business", pace.pace_business},
          {"projection_run_rate", pace.projection_run_rate},
          {"open_deals", outlook.deals},
          {"weighted_pipeline", weighted},
          {"p_hit", outlook.p_hit},
          {"p10", outlook.p10},
          {"p50", outlook.p50},
          {"p90", outlook.p90}};
}

void run_attainment(const attainment_options& opt, salesops_cli::io& io) {
  namespace q = salesops::quota;
  namespace pl = salesops::pipeline;
  const salesops::date as_of = salesops::parse_date(opt.as_of);
  const auto quotas = salesops_cli::read_csv_file(opt.quotas);
  const auto opps = salesops_cli::read_csv_file(opt.opportunities);

  // Reps and teams, in order of first appearance in the quota file.
  std::map<std::string, std::uint32_t> rep_id, team_id;
  std::vector<std::string> rep_name, team_name;
  std::vector<double> rep_quota;
  std::vector<std::uint32_t> rep_team;
  const bool has_team = quotas.has_column("team");
  const auto q_owner = quotas.strings("owner");
  const auto q_amount = quotas.numbers("amount");
  const auto q_start = quotas.strings("period_start");
  const auto q_end = quotas.strings("period_end");
  const auto q_team = has_team ? quotas.strings("team") : std::vector<std::string>(q_owner.size(), "all");
  salesops::date start = 0, end = 0;
  bool have_period = false;
  for (std::size_t r = 0; r < q_owner.size(); ++r) {
    const salesops::date s = salesops::parse_date(q_start[r], r);
    const salesops::date e = salesops::parse_date(q_end[r], r);
    if (e <= s)
      throw salesops_cli::input_error("quotas: period_end at row " + std::to_string(r + 1) +
                                      " is not after period_start");
    if (as_of < s || as_of >= e) continue;
    if (have_period && (s != start || e != end))
      throw salesops_cli::input_error("quotas: row " + std::to_string(r + 1) +
                                      " holds --as-of in a different period than an earlier row");
    start = s;
    end = e;
    have_period = true;
    if (rep_id.count(q_owner[r]))
      throw salesops_cli::input_error("quotas: owner '" + q_owner[r] + "' has two quota rows for the period (row " + std::to_string(r + 1) + ")");
    if (!team_id.count(q_team[r])) {
      team_id[q_team[r]] = static_cast<std::uint32_t>(team_name.size());
      team_name.push_back(q_team[r]);
    }
    rep_id[q_owner[r]] = static_cast<std::uint32_t>(rep_name.size());
    rep_name.push_back(q_owner[r]);
    rep_quota.push_back(q_amount[r]);
    rep_team.push_back(team_id[q_team[r]]);
  }
  if (!have_period) throw salesops_cli::input_error("quotas: no quota period holds --as-of " + opt.as_of);

  const auto o_owner = opps.strings("owner");
  const auto o_amount = opps.numbers("amount");
  const auto o_close_text = opps.strings("close_date");
  const auto o_outcome_text = opps.strings("outcome");
  const bool has_prob = opps.has_column("probability");
  const auto o_prob = has_prob ? opps.numbers("probability") : std::vector<double>(o_owner.size(), 0.0);
  std::vector<salesops::date> close(o_owner.size());
  std::vector<deal_outcome> outcome(o_owner.size());
  for (std::size_t r = 0; r < o_owner.size(); ++r) {
    close[r] = salesops::parse_date(o_close_text[r], r);
    outcome[r] = parse_outcome(o_outcome_text[r], r);
  }
  // Without probabilities, open deals get the win rate by count of every closed deal.
  double fallback_p = 0;
  if (!has_prob) {
    const std::vector<salesops::date> created = close; // cycle length is not needed here
    const auto k = q::period_kpis_of(o_amount, outcome, created, close, INT32_MIN, INT32_MAX);
    if (k.won_count + k.lost_count == 0)
      throw salesops_cli::input_error("opportunities: no probability column and no closed deal to estimate a win rate");
    fallback_p = k.win_rate_count;
  }

  // Org: unit 0 = company, units 1.. = teams; every rep in its team.
  std::vector<std::int64_t> parent(team_name.size() + 1, 0);
  parent[0] = q::no_parent;
  std::vector<std::uint32_t> rep_unit(rep_name.size());
  for (std::size_t r = 0; r < rep_name.size(); ++r) rep_unit[r] = rep_team[r] + 1;
  const q::org_hierarchy org(parent, rep_unit);

  // Booked: won before as-of. Open: expected to close in [as_of, end), by rep.
  std::vector<std::uint32_t> won_owner, open_owner;
  std::vector<double> won_amount, open_amount, open_prob;
  std::vector<deal_outcome> won_outcome;
  std::vector<salesops::date> won_close;
  for (std::size_t r = 0; r < o_owner.size(); ++r) {
    const auto it = rep_id.find(o_owner[r]);
    if (it == rep_id.end()) continue; // not a rep with a quota in this period
    if (outcome[r] == deal_outcome::won && close[r] < as_of) {
      won_owner.push_back(it->second);
      won_amount.push_back(o_amount[r]);
      won_outcome.push_back(outcome[r]);
      won_close.push_back(close[r]);
    } else if (outcome[r] == deal_outcome::open && close[r] >= as_of && close[r] < end) {
      open_owner.push_back(it->second);
      open_amount.push_back(o_amount[r]);
      open_prob.push_back(has_prob ? o_prob[r] : fallback_p);
    }
  }
  const auto ledger = q::credit_won_deals(org, salesops::span<const std::uint32_t>(won_owner),
      salesops::span<const double>(won_amount), salesops::span<const deal_outcome>(won_outcome),
      salesops::span<const salesops::date>(won_close), {}, 1, start, end, as_of);
  const auto report = q::attainment_of(ledger, org, rep_quota, {}, as_of);
  const salesops::period p{salesops::period_kind::quarter, 0, 1, start, end};

  // Outlooks per rep, per team and for the company, each from its own deals.
  auto outlooks = [&](const std::vector<std::uint32_t>& group_of_rep, std::size_t groups,
                      const std::vector<q::attainment_line>& lines) {
    std::vector<std::uint32_t> group;
    for (auto r : open_owner) group.push_back(group_of_rep[r]);
    std::vector<double> booked(groups), quota(groups);
    for (std::size_t g = 0; g < groups; ++g) {
      booked[g] = lines[g].credit;
      quota[g] = lines[g].quota;
    }
    return pl::revenue_outlook_by_group(group, open_amount, open_prob, booked, quota);
  };
  auto weighted = [&](const std::vector<std::uint32_t>& group_of_rep, std::size_t groups) {
    std::vector<std::vector<double>> a(groups), pr(groups);
    for (std::size_t i = 0; i < open_owner.size(); ++i) {
      a[group_of_rep[open_owner[i]]].push_back(open_amount[i]);
      pr[group_of_rep[open_owner[i]]].push_back(open_prob[i]);
    }
    std::vector<double> out;
    for (std::size_t g = 0; g < groups; ++g) out.push_back(pl::weighted_pipeline(a[g], pr[g]));
    return out;
  };
  std::vector<std::uint32_t> identity(rep_name.size()), zero(rep_name.size(), 0);
  for (std::uint32_t r = 0; r < identity.size(); ++r) identity[r] = r;
  std::vector<q::attainment_line> team_lines(report.units.begin() + 1, report.units.end());
  std::vector<q::attainment_line> total_line(report.units.begin(), report.units.begin() + 1);

  nlohmann::json out;
  out["period_start"] = salesops::format_date(start);
  out["period_end"] = salesops::format_date(end);
  out["as_of"] = salesops::format_date(as_of);
  out["elapsed"] = salesops::elapsed_fraction(p, as_of);
  auto section = [&](const std::vector<std::string>& names, const std::vector<std::uint32_t>& map,
                     const std::vector<q::attainment_line>& lines) {
    const auto ol = outlooks(map, names.size(), lines);
    const auto w = weighted(map, names.size());
    nlohmann::json arr = nlohmann::json::array();
    for (std::size_t g = 0; g < names.size(); ++g) {
      const auto pace = q::pace(p, as_of, lines[g].credit, lines[g].quota);
      arr.push_back(line_json(names[g], lines[g].quota, lines[g].credit, pace, ol[g], w[g]));
    }
    return arr;
  };
  out["reps"] = section(rep_name, identity, report.reps);
  out["teams"] = section(team_name, rep_team, team_lines);
  out["total"] = section({"total"}, zero, total_line)[0];
  io.out << out.dump(2) << "\n";
}

const salesops_cli::registrar reg{
    {"attainment", "quota attainment, pacing and P(hit) per rep, team and company",
     [](CLI::App& app) -> salesops_cli::action {
       auto opt = std::make_shared<attainment_options>();
       app.add_option("--opportunities", opt->opportunities,
                      "CSV owner,amount,close_date,outcome[,probability]")->required();
       app.add_option("--quotas", opt->quotas, "CSV owner,period_start,period_end,amount[,team]")->required();
       app.add_option("--as-of", opt->as_of, "first day not yet elapsed, YYYY-MM-DD")->required();
       return [opt](salesops_cli::io& io) { run_attainment(*opt, io); };
     }}};

} // namespace
