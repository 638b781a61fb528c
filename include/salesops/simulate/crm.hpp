// A seeded synthetic CRM: an organisation (regions -> teams -> reps with start date, ramp and
// skill), opportunities whose stage histories follow an absorbing Markov chain (skips, backward
// moves, won, lost) with lognormal stage durations, lognormal amounts by segment, end-of-quarter
// push, close-date slippage, quotas sized from expected productivity, activities and team moves.
// The generative model is documented exactly in docs/simulate.md; the parameters it was drawn
// from are returned as ground truth so that estimators can be tested against them. Absorption
// probabilities and times follow Kemeny and Snell, "Finite Markov Chains" (1960), ch. III.
//
// Compile time: truth_of, simulate_quotas, simulate_crm and simulate_crm_chunks (which solve
// the absorbing chain with Eigen's partial-pivoting LU) are function templates with one
// unused, defaulted parameter, so only translation units calling them instantiate the LU
// (2 s of g++ time per translation unit otherwise); calls are written as before.
#ifndef SALESOPS_SIMULATE_CRM_HPP
#define SALESOPS_SIMULATE_CRM_HPP

#include <Eigen/Dense>

#include "salesops/core/calendar.hpp"
#include "salesops/core/error.hpp"
#include "salesops/core/outcome.hpp"
#include "salesops/core/rng.hpp"
#include "salesops/core/validate.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace salesops {
namespace simulate {

/// \brief How an opportunity ended (open: not closed at the simulation end); the library-wide
/// enum of core/outcome.hpp.
using outcome = salesops::outcome;

/// \brief Forecast category of an opportunity; `closed` for won and lost deals.
enum class forecast_category : std::uint8_t {
  pipeline,  ///< early-stage open deal
  best_case, ///< open deal that may close this period
  commit,    ///< open deal the rep commits to
  closed     ///< won or lost (no forecast category)
};

/// \brief Kind of a logged sales activity.
enum class activity_kind : std::uint8_t {
  call,   ///< phone call
  email,  ///< email
  meeting ///< meeting
};

/// \brief Length of a quota period.
enum class quota_period : std::uint8_t {
  month,  ///< calendar month
  quarter ///< calendar quarter
};

/// \brief Stage-transition model: an absorbing Markov chain over the funnel stages.
///
/// Row s of `transitions` gives, on leaving stage s, the probabilities of entering each stage
/// (columns 0 .. stage_count-1; the diagonal must be 0), of winning (column stage_count) and of
/// losing (column stage_count+1). The time spent in stage s is lognormal in days with
/// parameters `duration_log_mean[s]`, `duration_log_sd[s]`.
struct stage_model {
  std::vector<std::string> names;        ///< Stage names in funnel order (stage_count entries).
  Eigen::MatrixXd transitions;           ///< stage_count x (stage_count + 2), rows sum to 1.
  std::vector<double> duration_log_mean; ///< Mean of log(days in stage), per stage.
  std::vector<double> duration_log_sd;   ///< Standard deviation of log(days in stage) >= 0.
  std::vector<forecast_category> forecast; ///< Forecast category of an open deal by stage.

  /// \brief Number of stages.
  std::size_t stage_count() const noexcept { return names.size(); }
  /// \brief Column of `transitions` holding the probability of winning.
  std::size_t won_column() const noexcept { return names.size(); }
  /// \brief Column of `transitions` holding the probability of losing.
  std::size_t lost_column() const noexcept { return names.size() + 1; }
};

/// \brief A customer segment: share of new opportunities and lognormal amount parameters.
struct segment {
  std::string name;      ///< Segment name, e.g. "SMB".
  double weight = 1;     ///< Relative frequency among new opportunities (> 0).
  double log_mean = 0;   ///< Mean of log(amount) for the base product.
  double log_sd = 0;     ///< Standard deviation of log(amount) (>= 0).
};

/// \brief A lead source: share of new opportunities and its effect on the odds of losing.
struct lead_source {
  std::string name;         ///< Source name, e.g. "inbound".
  double weight = 1;        ///< Relative frequency among new opportunities (> 0).
  double win_log_odds = 0;  ///< Added to the rep's skill (see rep_transitions).
};

/// \brief A product: share of new opportunities and its price level.
struct product {
  std::string name;         ///< Product name.
  double weight = 1;        ///< Relative frequency among new opportunities (> 0).
  double price_factor = 1;  ///< Multiplies the amount: adds log(price_factor) to log(amount).
};

/// \brief Every parameter of the generative model (defaults: a mid-sized B2B organisation).
struct config {
  std::uint64_t seed = 1;             ///< Seed of every random draw.
  date start = make_date(2024, 1, 1); ///< First simulated day; must be the 1st of a month.
  int months = 24;                    ///< Number of simulated calendar months.
  int warmup_months = 6;              ///< Deals are also created this many months before start,
                                      ///< so the pipeline is full on the first day (they are
                                      ///< kept: created < start).
  std::size_t regions = 3;            ///< Number of regions.
  std::size_t teams_per_region = 2;   ///< Teams in each region.
  std::size_t reps = 36;              ///< Reps in all, assigned to teams in turn (rep i -> team
                                      ///< i mod teams), so teams differ by at most one rep.
  double hired_fraction = 0.25;       ///< Share of reps hired during the simulation (rest before).
  int ramp_months = 4;                ///< Productivity rises linearly to 1 over this many months.
  double skill_sd = 0.4;              ///< Rep skill ~ N(0, skill_sd^2), a log-odds shift.
  double team_moves_per_year = 0.06;  ///< Per-rep rate of moving to another team.
  double opportunities_per_rep_month = 8; ///< Poisson rate of new deals for a fully ramped rep.
  stage_model stages = default_stages();  ///< Stage-transition model.
  std::vector<segment> segments = default_segments();  ///< Customer segments.
  std::vector<lead_source> sources = default_sources(); ///< Lead sources.
  std::vector<product> products = default_products();  ///< Products.
  double quarter_end_push = 0.13;     ///< P(a win in months 1-2 of a quarter moves to month 3).
  double close_estimate_log_sd = 0.35; ///< Noise of the rep's first expected close date.
  int slip_days_min = 14;             ///< A lapsed expected close date moves by at least this...
  int slip_days_max = 45;             ///< ...and at most this many days (uniform).
  double quota_uplift = 1.15;         ///< Quota = uplift x expected bookings of the rep-period.
  double calls_per_day = 6;           ///< Poisson rate of calls per working day (fully ramped).
  double emails_per_day = 12;         ///< Poisson rate of emails per working day (fully ramped).
  double meetings_per_day = 1.5;      ///< Poisson rate of meetings per working day (fully ramped).

  /// \brief The default five-stage model (prospecting .. commit) documented in docs/simulate.md.
  static stage_model default_stages();
  /// \brief SMB, mid-market and enterprise segments.
  static std::vector<segment> default_segments();
  /// \brief Inbound, outbound, partner and referral sources.
  static std::vector<lead_source> default_sources();
  /// \brief Three products at increasing price levels.
  static std::vector<product> default_products();
};

/// \brief Regions, teams, reps and team moves (one row per entity, columnar).
struct organisation {
  std::vector<std::string> region_names;   ///< Region names (row = region id).
  std::vector<std::string> team_names;     ///< Team names (row = team id).
  std::vector<std::uint32_t> team_region;  ///< Region of each team.
  std::vector<std::uint32_t> rep_team;     ///< Team of each rep when it started.
  std::vector<std::uint32_t> rep_region;   ///< Region of each rep when it started.
  std::vector<date> rep_start;     ///< Start date of each rep (may precede config.start).
  std::vector<int> rep_ramp_months;        ///< Ramp length of each rep in months.
  std::vector<double> rep_skill;           ///< Skill of each rep (log-odds shift; ground truth).
  std::vector<std::uint32_t> move_rep;     ///< Team moves: the rep that moves...
  std::vector<date> move_date;     ///< ...the date it takes effect...
  std::vector<std::uint32_t> move_team;    ///< ...and the new team (in the new team's region).

  /// \brief Number of reps.
  std::size_t rep_count() const noexcept { return rep_team.size(); }
};

/// \brief Opportunities (one row each), their stage histories and close-date changes.
///
/// `stage_opportunity` and `change_opportunity` are row indices into the opportunity columns
/// of the same table; stage-history rows are grouped by opportunity and ordered by time.
struct opportunity_table {
  std::vector<std::uint64_t> id;         ///< Unique id (ids increase with row index).
  std::vector<std::uint32_t> owner;      ///< Owning rep.
  std::vector<std::uint32_t> segment;    ///< Index into config.segments.
  std::vector<std::uint32_t> source;     ///< Index into config.sources.
  std::vector<std::uint32_t> product;    ///< Index into config.products.
  std::vector<date> created;     ///< Creation date.
  std::vector<date> close_date;  ///< Actual close date, or expected close if open.
  std::vector<simulate::outcome> outcome; ///< Won, lost, or open at the simulation end.
  std::vector<double> amount;            ///< Deal value.
  std::vector<forecast_category> forecast; ///< Forecast category (closed for won/lost).

  std::vector<std::uint64_t> stage_opportunity; ///< Stage history: opportunity row...
  std::vector<std::uint32_t> stage;             ///< ...stage entered...
  std::vector<std::int64_t> entered_at;         ///< ...and when (seconds since 1970-01-01 UTC).

  std::vector<std::uint64_t> change_opportunity; ///< Close-date changes: opportunity row...
  std::vector<date> changed_on;          ///< ...date of the change...
  std::vector<date> old_close;           ///< ...expected close before...
  std::vector<date> new_close;           ///< ...and after.

  /// \brief Number of opportunities.
  std::size_t size() const noexcept { return id.size(); }
};

/// \brief Quotas: one row per rep and period, months and quarters.
struct quota_table {
  std::vector<std::uint32_t> rep;          ///< Rep.
  std::vector<quota_period> period;        ///< Month or quarter.
  std::vector<date> period_start;  ///< First day of the period.
  std::vector<date> period_end;    ///< First day after the period (exclusive).
  std::vector<double> amount;              ///< Quota amount.
};

/// \brief Logged activities: one row per call, email or meeting.
struct activity_table {
  std::vector<std::uint32_t> rep;       ///< Rep.
  std::vector<salesops::date> date; ///< Working day of the activity.
  std::vector<activity_kind> kind;      ///< Call, email or meeting.
};

/// \brief The parameters the data were drawn from, in the form estimators report them.
struct ground_truth {
  Eigen::MatrixXd transitions;            ///< Configured transition matrix (skill 0, source 0).
  std::vector<double> mean_stage_days;    ///< E[days in stage] = exp(mu + sd^2 / 2).
  Eigen::VectorXd win_probability;        ///< P(won | in stage s), skill 0 and source shift 0.
  Eigen::VectorXd expected_days_to_close; ///< E[days from entering stage s to won or lost].
  std::vector<double> amount_log_mean;    ///< Per segment, base product.
  std::vector<double> amount_log_sd;      ///< Per segment.
  std::vector<double> rep_skill;          ///< Per rep (same as organisation::rep_skill).
  double quarter_end_push = 0;            ///< Configured push probability.
  double third_month_won_share = 0;       ///< 1/3 + 2/3 x push: expected share of a quarter's
                                          ///< won value closed in its third month (steady state).
  double expected_amount = 0;             ///< E[amount] of a new opportunity.
  double expected_win_probability = 0;    ///< P(won) of a new deal, averaged over sources.
};

/// \brief A whole simulated CRM.
struct dataset {
  organisation org;              ///< Regions, teams, reps, team moves.
  opportunity_table opportunities; ///< Opportunities, stage history, close-date changes.
  quota_table quotas;            ///< Monthly and quarterly quotas per rep.
  activity_table activities;     ///< Calls, emails, meetings.
  ground_truth truth;            ///< Parameters of the generative model.
  date start = 0;                ///< First simulated day.
  date end = 0;           ///< First day after the simulation (exclusive).
};

/// \brief The rows of one block of reps, delivered by simulate_crm_chunks.
struct crm_chunk {
  std::uint32_t first_rep = 0;     ///< First rep of the block.
  std::uint32_t rep_count = 0;     ///< Number of reps in the block.
  opportunity_table opportunities; ///< Their opportunities (rows local to the chunk).
  activity_table activities;       ///< Their activities.
};

/// \brief Checks a configuration; throws the typed salesops exception naming the field,
/// row and value (e.g. a transition row that does not sum to 1).
inline void validate(const config& cfg);

/// \brief Stage-transition matrix of a deal whose win log-odds shift is `shift` (rep skill
/// plus source effect): each row's loss probability q becomes q e^-shift / (1 - q + q e^-shift)
/// and the other entries are rescaled so that the row still sums to 1.
inline Eigen::MatrixXd rep_transitions(const stage_model& model, double shift);

/// \brief Ground truth implied by a configuration (organisation-independent parts).
template <class = void>
ground_truth truth_of(const config& cfg);

/// \brief Draws the organisation and team moves (deterministic in cfg.seed).
inline organisation simulate_org(const config& cfg);

/// \brief Monthly and quarterly quotas for every rep, sized from expected productivity.
template <class = void>
quota_table simulate_quotas(const config& cfg, const organisation& org);

/// \brief Simulates the whole CRM in memory (about 120 bytes per opportunity plus 9 bytes per
/// activity; see docs/simulate.md). Same seed, same data.
template <class = void>
dataset simulate_crm(const config& cfg);

/// \brief Streams opportunities and activities in blocks of `reps_per_chunk` reps, in rep
/// order, so that memory is bounded by one block. The concatenated chunks equal the
/// opportunities and activities of simulate_crm(cfg) (ids continue across chunks).
template <class = void>
void simulate_crm_chunks(const config& cfg, const organisation& org, std::size_t reps_per_chunk,
                         const std::function<void(const crm_chunk&)>& on_chunk);

/// \brief Prints a one-line summary of a dataset.
inline std::ostream& operator<<(std::ostream& out, const dataset& data);
/// \brief Prints the ground truth.
inline std::ostream& operator<<(std::ostream& out, const ground_truth& truth);
/// \brief Prints the size of an organisation.
inline std::ostream& operator<<(std::ostream& out, const organisation& org);
/// \brief Prints a name: "pipeline", "best_case", "commit" or "closed".
inline std::ostream& operator<<(std::ostream& out, forecast_category c);
/// \brief Prints a name: "call", "email" or "meeting".
inline std::ostream& operator<<(std::ostream& out, activity_kind k);
/// \brief Prints "month" or "quarter".
inline std::ostream& operator<<(std::ostream& out, quota_period p);


// ---- Implementation -------------------------------------------------------------------------

namespace detail {

// Independent streams: one engine per (purpose, index), seeded from the user's seed, so that a
// rep's deals do not depend on how many draws other reps used (chunked == in memory).
enum class stream : std::uint64_t { org = 1, deals = 2, activities = 3, events = 4 };

inline rng stream_rng(std::uint64_t seed, stream purpose, std::uint64_t index) {
  std::uint64_t state = seed ^ (static_cast<std::uint64_t>(purpose) * 0x9e3779b97f4a7c15ULL);
  const std::uint64_t a = splitmix64_next(state);
  std::uint64_t state2 = a + index * 0xd1b54a32d192ed03ULL;
  return rng(splitmix64_next(state2));
}

// Index drawn with probability weights[i] / sum(weights) (weights validated positive).
template <class Weight> std::uint32_t categorical(rng& r, const std::vector<Weight>& items) {
  double total = 0;
  for (const auto& item : items) total += item.weight;
  double u = r.uniform() * total;
  for (std::size_t i = 0; i + 1 < items.size(); ++i) {
    if (u < items[i].weight) return static_cast<std::uint32_t>(i);
    u -= items[i].weight;
  }
  return static_cast<std::uint32_t>(items.size() - 1);
}

// Next state (column of a transition matrix row) drawn by inversion.
inline std::size_t draw_column(rng& r, const Eigen::MatrixXd& m, Eigen::Index row) {
  const double u = r.uniform();
  double cumulative = 0;
  const Eigen::Index last = m.cols() - 1;
  for (Eigen::Index c = 0; c < last; ++c) {
    cumulative += m(row, c);
    if (u < cumulative) return static_cast<std::size_t>(c);
  }
  return static_cast<std::size_t>(last);
}

// Productivity of a rep on day d: 0 before the start, then linear to 1 over the ramp.
inline double ramp(date rep_start, int ramp_months, date d) {
  if (d < rep_start) return 0.0;
  if (ramp_months <= 0) return 1.0;
  constexpr double days_per_month = 365.2425 / 12.0;
  const double tenure = (static_cast<double>(d - rep_start) + 0.5) / days_per_month;
  return std::min(1.0, tenure / static_cast<double>(ramp_months));
}

// First day of the month `months` after the month holding `d`.
inline date month_start_after(date d, std::int64_t months) {
  const civil_date c = to_civil(d);
  const std::int64_t m0 = static_cast<std::int64_t>(c.year) * 12 + (c.month - 1) + months;
  const std::int64_t year = (m0 >= 0 ? m0 : m0 - 11) / 12; // floor division
  return make_date(static_cast<int>(year), static_cast<unsigned>(m0 - year * 12) + 1, 1);
}

inline date simulation_end(const config& cfg) { return month_start_after(cfg.start, cfg.months); }

inline void check_weights(const char* argument, std::size_t index, double weight) {
  check_positive("simulate_crm", argument, weight, index);
}

// Absorbing-chain quantities (Kemeny and Snell 1960, III.3): with Q the stage-to-stage block
// and R the stage-to-(won, lost) block, N = (I - Q)^-1, absorption probabilities N R and
// expected times to absorption N tau (tau = mean time per visit).
struct absorption {
  Eigen::VectorXd win_probability;
  Eigen::VectorXd expected_days;
};

template <class = void>
absorption absorb(const Eigen::MatrixXd& t, const std::vector<double>& mean_days) {
  const Eigen::Index n = t.rows();
  const Eigen::MatrixXd i_minus_q = Eigen::MatrixXd::Identity(n, n) - t.leftCols(n);
  const auto lu = i_minus_q.partialPivLu();
  Eigen::VectorXd tau(n);
  for (Eigen::Index s = 0; s < n; ++s) tau(s) = mean_days[static_cast<std::size_t>(s)];
  return {lu.solve(t.col(n)), lu.solve(tau)};
}

inline void append(opportunity_table& into, const opportunity_table& from) {
  const auto base = static_cast<std::uint64_t>(into.size());
  auto cat = [](auto& a, const auto& b) { a.insert(a.end(), b.begin(), b.end()); };
  cat(into.id, from.id);
  cat(into.owner, from.owner);
  cat(into.segment, from.segment);
  cat(into.source, from.source);
  cat(into.product, from.product);
  cat(into.created, from.created);
  cat(into.close_date, from.close_date);
  cat(into.outcome, from.outcome);
  cat(into.amount, from.amount);
  cat(into.forecast, from.forecast);
  for (std::uint64_t row : from.stage_opportunity) into.stage_opportunity.push_back(base + row);
  cat(into.stage, from.stage);
  cat(into.entered_at, from.entered_at);
  for (std::uint64_t row : from.change_opportunity) into.change_opportunity.push_back(base + row);
  cat(into.changed_on, from.changed_on);
  cat(into.old_close, from.old_close);
  cat(into.new_close, from.new_close);
}

inline void append(activity_table& into, const activity_table& from) {
  into.rep.insert(into.rep.end(), from.rep.begin(), from.rep.end());
  into.date.insert(into.date.end(), from.date.begin(), from.date.end());
  into.kind.insert(into.kind.end(), from.kind.begin(), from.kind.end());
}

// Expected opportunities a rep creates in [from, to): rate x sum of daily ramp / month length.
inline double expected_created(const config& cfg, date rep_start, int ramp_months, date from,
                               date to) {
  double total = 0;
  for (date d = from; d < to; ++d) {
    const civil_date c = to_civil(d);
    total += ramp(rep_start, ramp_months, d) / static_cast<double>(days_in_month(c.year, c.month));
  }
  return cfg.opportunities_per_rep_month * total;
}

// Deals of one rep; `next_id` continues across reps.
inline void simulate_rep_deals(const config& cfg, const organisation& org,
                               const ground_truth& truth, std::uint32_t rep,
                               std::uint64_t& next_id, opportunity_table& out) {
  rng r = stream_rng(cfg.seed, stream::deals, rep);
  const date start = cfg.start;
  const date end = simulation_end(cfg);
  const date rep_start = org.rep_start[rep];
  const int ramp_months = org.rep_ramp_months[rep];

  // Creation dates: an inhomogeneous Poisson process per month, intensity proportional to the
  // ramp; days are drawn by rejection against the month's largest ramp value.
  std::vector<date> created;
  for (date month_start = month_start_after(start, -cfg.warmup_months); month_start < end;) {
    const date month_end = period_of(month_start, period_kind::month).end;
    const date from = std::max(month_start, rep_start);
    if (from < month_end) {
      const double mean = expected_created(cfg, rep_start, ramp_months, from, month_end);
      const std::uint64_t count = r.poisson(mean);
      const double top = ramp(rep_start, ramp_months, month_end - 1);
      const auto span_days = static_cast<std::uint64_t>(month_end - from);
      for (std::uint64_t k = 0; k < count; ++k) {
        for (;;) {
          const date d = from + static_cast<date>(r.uniform_int(span_days));
          if (r.uniform() * top < ramp(rep_start, ramp_months, d)) {
            created.push_back(d);
            break;
          }
        }
      }
    }
    month_start = month_end;
  }
  std::sort(created.begin(), created.end());

  // One transition matrix per lead source for this rep (skill + source shift).
  std::vector<Eigen::MatrixXd> by_source;
  for (const auto& src : cfg.sources)
    by_source.push_back(rep_transitions(cfg.stages, org.rep_skill[rep] + src.win_log_odds));

  const auto n = static_cast<Eigen::Index>(cfg.stages.stage_count());
  const std::int64_t end_ts = timestamp_from_date(end);
  const double typical_days = truth.expected_days_to_close(0);
  for (const date day : created) {
    const auto row = static_cast<std::uint64_t>(out.size());
    const std::uint32_t seg = categorical(r, cfg.segments);
    const std::uint32_t src = categorical(r, cfg.sources);
    const std::uint32_t prod = categorical(r, cfg.products);
    const double amount = r.lognormal(cfg.segments[seg].log_mean +
                                          std::log(cfg.products[prod].price_factor),
                                      cfg.segments[seg].log_sd);
    // Created during working hours (08:00-18:00 UTC).
    std::int64_t t = timestamp_from_date(day) + 8 * 3600 +
                     static_cast<std::int64_t>(r.uniform_int(10 * 3600));
    date expected_close =
        day + static_cast<date>(std::llround(typical_days *
                                              r.lognormal(0.0, cfg.close_estimate_log_sd)));
    const Eigen::MatrixXd& m = by_source[src];
    Eigen::Index s = 0;
    out.stage_opportunity.push_back(row);
    out.stage.push_back(0);
    out.entered_at.push_back(t);
    outcome result = outcome::open;
    date closed_on = end;
    for (;;) {
      const double days = r.lognormal(cfg.stages.duration_log_mean[static_cast<std::size_t>(s)],
                                      cfg.stages.duration_log_sd[static_cast<std::size_t>(s)]);
      const std::int64_t next_t = t + std::max<std::int64_t>(1, std::llround(days * 86400.0));
      const std::size_t next = draw_column(r, m, s);
      if (next_t >= end_ts) break; // still in stage s at the end of the simulation
      if (static_cast<Eigen::Index>(next) < n) {
        s = static_cast<Eigen::Index>(next);
        t = next_t;
        out.stage_opportunity.push_back(row);
        out.stage.push_back(static_cast<std::uint32_t>(s));
        out.entered_at.push_back(t);
        continue;
      }
      closed_on = date_from_timestamp(next_t);
      result = static_cast<Eigen::Index>(next) == n ? outcome::won : outcome::lost;
      if (result == outcome::won) {
        // End-of-quarter push: a win in the first two months of a quarter is held back to a
        // uniform day of the quarter's third month with probability quarter_end_push.
        const period q = period_of(closed_on, period_kind::quarter);
        const date third = month_start_after(q.start, 2);
        const bool pushed = r.uniform() < cfg.quarter_end_push;
        if (closed_on < third && pushed) {
          closed_on = third + static_cast<date>(r.uniform_int(static_cast<std::uint64_t>(q.end - third)));
          if (closed_on >= end) result = outcome::open; // the push carries it past the end
        }
      }
      break;
    }
    // Slippage: each time the expected close date passes with the deal still open, the rep
    // moves it out by slip_days_min..slip_days_max days.
    const date horizon = result == outcome::open ? end : closed_on;
    while (expected_close < horizon) {
      const date moved =
          expected_close + cfg.slip_days_min +
          static_cast<date>(r.uniform_int(
              static_cast<std::uint64_t>(cfg.slip_days_max - cfg.slip_days_min + 1)));
      out.change_opportunity.push_back(row);
      out.changed_on.push_back(expected_close);
      out.old_close.push_back(expected_close);
      out.new_close.push_back(moved);
      expected_close = moved;
    }
    out.id.push_back(next_id++);
    out.owner.push_back(rep);
    out.segment.push_back(seg);
    out.source.push_back(src);
    out.product.push_back(prod);
    out.created.push_back(day);
    out.close_date.push_back(result == outcome::open ? expected_close : closed_on);
    out.outcome.push_back(result);
    out.amount.push_back(amount);
    out.forecast.push_back(result == outcome::open
                               ? cfg.stages.forecast[static_cast<std::size_t>(s)]
                               : forecast_category::closed);
  }
}

inline void simulate_rep_activities(const config& cfg, const organisation& org,
                                    std::uint32_t rep, activity_table& out) {
  rng r = stream_rng(cfg.seed, stream::activities, rep);
  const date end = simulation_end(cfg);
  const double rates[3] = {cfg.calls_per_day, cfg.emails_per_day, cfg.meetings_per_day};
  for (date d = std::max(cfg.start, org.rep_start[rep]); d < end; ++d) {
    if (iso_weekday(d) > 5) continue; // working days only
    const double level = ramp(org.rep_start[rep], org.rep_ramp_months[rep], d);
    for (std::uint8_t kind = 0; kind < 3; ++kind) {
      const std::uint64_t count = r.poisson(rates[kind] * level);
      for (std::uint64_t k = 0; k < count; ++k) {
        out.rep.push_back(rep);
        out.date.push_back(d);
        out.kind.push_back(static_cast<activity_kind>(kind));
      }
    }
  }
}

} // namespace detail

inline stage_model config::default_stages() {
  stage_model m;
  m.names = {"prospecting", "qualification", "proposal", "negotiation", "commit"};
  m.transitions.resize(5, 7);
  // Columns: prospecting, qualification, proposal, negotiation, commit, won, lost.
  m.transitions << 0.00, 0.62, 0.06, 0.00, 0.00, 0.00, 0.32, //
      0.04, 0.00, 0.66, 0.05, 0.00, 0.00, 0.25,              //
      0.00, 0.05, 0.00, 0.68, 0.04, 0.04, 0.19,              //
      0.00, 0.00, 0.05, 0.00, 0.72, 0.09, 0.14,              //
      0.00, 0.00, 0.00, 0.05, 0.00, 0.83, 0.12;
  m.duration_log_mean = {std::log(9.0), std::log(12.0), std::log(16.0), std::log(14.0),
                         std::log(8.0)};
  m.duration_log_sd = {0.6, 0.6, 0.7, 0.6, 0.5};
  m.forecast = {forecast_category::pipeline, forecast_category::pipeline,
                forecast_category::best_case, forecast_category::best_case,
                forecast_category::commit};
  return m;
}

inline std::vector<segment> config::default_segments() {
  return {{"SMB", 0.50, std::log(8000.0), 0.6},
          {"Mid-market", 0.35, std::log(30000.0), 0.7},
          {"Enterprise", 0.15, std::log(120000.0), 0.8}};
}

inline std::vector<lead_source> config::default_sources() {
  return {{"inbound", 0.40, 0.2}, {"outbound", 0.30, -0.3}, {"partner", 0.20, 0.1},
          {"referral", 0.10, 0.5}};
}

inline std::vector<product> config::default_products() {
  return {{"Core", 0.50, 1.0}, {"Professional", 0.35, 1.6}, {"Suite", 0.15, 2.5}};
}

inline void validate(const config& cfg) {
  constexpr const char* f = "simulate_crm";
  if (to_civil(cfg.start).day != 1)
    SALESOPS_THROW(out_of_range_value, f, "start", no_row, "is ", format_date(cfg.start),
                   ", not the first day of a month");
  check_positive(f, "months", cfg.months);
  check_non_negative(f, "warmup_months", cfg.warmup_months);
  check_positive(f, "regions", cfg.regions);
  check_positive(f, "teams_per_region", cfg.teams_per_region);
  if (cfg.reps < cfg.regions * cfg.teams_per_region)
    SALESOPS_THROW(out_of_range_value, f, "reps", no_row, "is ", cfg.reps, ", fewer than the ",
                   cfg.regions * cfg.teams_per_region, " teams");
  check_probability(f, "hired_fraction", cfg.hired_fraction);
  check_non_negative(f, "ramp_months", cfg.ramp_months);
  check_non_negative(f, "skill_sd", cfg.skill_sd);
  check_non_negative(f, "team_moves_per_year", cfg.team_moves_per_year);
  if (cfg.team_moves_per_year > 12.0)
    SALESOPS_THROW(out_of_range_value, f, "team_moves_per_year", no_row, "is ",
                   cfg.team_moves_per_year, ", more than one move a month");
  check_non_negative(f, "opportunities_per_rep_month", cfg.opportunities_per_rep_month);

  const stage_model& m = cfg.stages;
  const std::size_t n = m.stage_count();
  check_non_empty(f, "stages.names", n);
  if (static_cast<std::size_t>(m.transitions.rows()) != n ||
      static_cast<std::size_t>(m.transitions.cols()) != n + 2)
    SALESOPS_THROW(length_mismatch, f, "stages.transitions", no_row, "is ",
                   m.transitions.rows(), " x ", m.transitions.cols(), " but ", n,
                   " stages need ", n, " x ", n + 2);
  check_equal_lengths(f, "stages.names", n, "stages.duration_log_mean", m.duration_log_mean.size());
  check_equal_lengths(f, "stages.names", n, "stages.duration_log_sd", m.duration_log_sd.size());
  check_equal_lengths(f, "stages.names", n, "stages.forecast", m.forecast.size());
  for (std::size_t s = 0; s < n; ++s) {
    const auto row = static_cast<Eigen::Index>(s);
    double total = 0;
    for (Eigen::Index c = 0; c < m.transitions.cols(); ++c) {
      check_probability(f, "stages.transitions", m.transitions(row, c), s);
      total += m.transitions(row, c);
    }
    if (std::fabs(total - 1.0) > 1e-9)
      SALESOPS_THROW(out_of_range_value, f, "stages.transitions", s, "sums to ", total,
                     ", not 1");
    if (m.transitions(row, row) != 0.0)
      SALESOPS_THROW(out_of_range_value, f, "stages.transitions", s, "has a self-transition (",
                     m.transitions(row, row), "): model time in a stage by its duration");
    check_finite(f, "stages.duration_log_mean", m.duration_log_mean[s], s);
    check_non_negative(f, "stages.duration_log_sd", m.duration_log_sd[s], s);
    if (m.forecast[s] == forecast_category::closed)
      SALESOPS_THROW(out_of_range_value, f, "stages.forecast", s,
                     "is closed, which is reserved for won and lost deals");
  }
  // Every stage must reach won or lost, or deals could cycle for ever (I - Q singular).
  std::vector<bool> absorbs(n, false);
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t s = 0; s < n; ++s) {
      if (absorbs[s]) continue;
      const auto row = static_cast<Eigen::Index>(s);
      bool reach = m.transitions(row, static_cast<Eigen::Index>(n)) > 0 ||
                   m.transitions(row, static_cast<Eigen::Index>(n + 1)) > 0;
      for (std::size_t k = 0; k < n && !reach; ++k)
        reach = absorbs[k] && m.transitions(row, static_cast<Eigen::Index>(k)) > 0;
      if (reach) absorbs[s] = changed = true;
    }
  }
  for (std::size_t s = 0; s < n; ++s)
    if (!absorbs[s])
      SALESOPS_THROW(out_of_range_value, f, "stages.transitions", s,
                     "never leads to won or lost (a closed loop of stages)");

  check_non_empty(f, "segments", cfg.segments.size());
  for (std::size_t i = 0; i < cfg.segments.size(); ++i) {
    detail::check_weights("segments.weight", i, cfg.segments[i].weight);
    check_finite(f, "segments.log_mean", cfg.segments[i].log_mean, i);
    check_non_negative(f, "segments.log_sd", cfg.segments[i].log_sd, i);
  }
  check_non_empty(f, "sources", cfg.sources.size());
  for (std::size_t i = 0; i < cfg.sources.size(); ++i) {
    detail::check_weights("sources.weight", i, cfg.sources[i].weight);
    check_finite(f, "sources.win_log_odds", cfg.sources[i].win_log_odds, i);
  }
  check_non_empty(f, "products", cfg.products.size());
  for (std::size_t i = 0; i < cfg.products.size(); ++i) {
    detail::check_weights("products.weight", i, cfg.products[i].weight);
    check_positive(f, "products.price_factor", cfg.products[i].price_factor, i);
  }
  check_probability(f, "quarter_end_push", cfg.quarter_end_push);
  check_non_negative(f, "close_estimate_log_sd", cfg.close_estimate_log_sd);
  check_positive(f, "slip_days_min", cfg.slip_days_min);
  if (cfg.slip_days_max < cfg.slip_days_min)
    SALESOPS_THROW(out_of_range_value, f, "slip_days_max", no_row, "is ", cfg.slip_days_max,
                   ", below slip_days_min (", cfg.slip_days_min, ")");
  check_positive(f, "quota_uplift", cfg.quota_uplift);
  check_non_negative(f, "calls_per_day", cfg.calls_per_day);
  check_non_negative(f, "emails_per_day", cfg.emails_per_day);
  check_non_negative(f, "meetings_per_day", cfg.meetings_per_day);
}

inline Eigen::MatrixXd rep_transitions(const stage_model& model, double shift) {
  check_finite("rep_transitions", "shift", shift);
  Eigen::MatrixXd t = model.transitions;
  const Eigen::Index lost = static_cast<Eigen::Index>(model.lost_column());
  const double factor = std::exp(-shift);
  for (Eigen::Index s = 0; s < t.rows(); ++s) {
    const double q = t(s, lost);
    if (q <= 0.0 || q >= 1.0) continue; // nothing to trade off
    const double q_new = q * factor / (1.0 - q + q * factor);
    t.row(s) *= (1.0 - q_new) / (1.0 - q);
    t(s, lost) = q_new;
  }
  return t;
}

template <class>
ground_truth truth_of(const config& cfg) {
  validate(cfg);
  ground_truth g;
  const stage_model& m = cfg.stages;
  g.transitions = m.transitions;
  for (std::size_t s = 0; s < m.stage_count(); ++s)
    g.mean_stage_days.push_back(
        std::exp(m.duration_log_mean[s] + 0.5 * m.duration_log_sd[s] * m.duration_log_sd[s]));
  const detail::absorption a = detail::absorb(m.transitions, g.mean_stage_days);
  g.win_probability = a.win_probability;
  g.expected_days_to_close = a.expected_days;
  double seg_weight = 0, seg_mean = 0;
  for (const auto& seg : cfg.segments) {
    g.amount_log_mean.push_back(seg.log_mean);
    g.amount_log_sd.push_back(seg.log_sd);
    seg_weight += seg.weight;
    seg_mean += seg.weight * std::exp(seg.log_mean + 0.5 * seg.log_sd * seg.log_sd);
  }
  double prod_weight = 0, prod_factor = 0;
  for (const auto& p : cfg.products) {
    prod_weight += p.weight;
    prod_factor += p.weight * p.price_factor;
  }
  // Segment and product are drawn independently, so E[amount] factorises.
  g.expected_amount = (seg_mean / seg_weight) * (prod_factor / prod_weight);
  double src_weight = 0, win = 0;
  for (const auto& src : cfg.sources) {
    src_weight += src.weight;
    win += src.weight *
           detail::absorb(rep_transitions(m, src.win_log_odds), g.mean_stage_days).win_probability(0);
  }
  g.expected_win_probability = win / src_weight;
  g.quarter_end_push = cfg.quarter_end_push;
  // With closes spread evenly over the days of a quarter, its third month holds d3 / D of the
  // won value before the push and d3 / D + p (d1 + d2) / D after; averaged over the four
  // quarters of a non-leap year (2023).
  double share = 0;
  for (unsigned q = 0; q < 4; ++q) {
    const period p = make_period(period_kind::quarter, 2023, q + 1);
    const date third = detail::month_start_after(p.start, 2);
    const double total = static_cast<double>(p.end - p.start);
    const double d3 = static_cast<double>(p.end - third);
    share += (d3 + cfg.quarter_end_push * (total - d3)) / total / 4.0;
  }
  g.third_month_won_share = share;
  return g;
}

inline organisation simulate_org(const config& cfg) {
  validate(cfg);
  static const char* const region_names[] = {"North America", "EMEA", "APAC", "LATAM"};
  organisation org;
  rng r = detail::stream_rng(cfg.seed, detail::stream::org, 0);
  const std::size_t region_name_count = sizeof(region_names) / sizeof(region_names[0]);
  for (std::size_t i = 0; i < cfg.regions; ++i)
    org.region_names.push_back(i < region_name_count ? std::string(region_names[i])
                                                     : "Region " + std::to_string(i + 1));
  for (std::size_t i = 0; i < cfg.regions; ++i)
    for (std::size_t k = 0; k < cfg.teams_per_region; ++k) {
      org.team_names.push_back(org.region_names[i] + " " + std::string(1, static_cast<char>('A' + k % 26)) +
                               (k >= 26 ? std::to_string(k / 26) : std::string()));
      org.team_region.push_back(static_cast<std::uint32_t>(i));
    }
  const date end = detail::simulation_end(cfg);
  const std::size_t teams = org.team_names.size();
  for (std::size_t i = 0; i < cfg.reps; ++i) {
    const auto team = static_cast<std::uint32_t>(i % teams);
    org.rep_team.push_back(team);
    org.rep_region.push_back(org.team_region[team]);
    // Hires during the simulation start uniformly over its days; the others joined uniformly
    // within the three years before it (so some are still ramping at the start).
    const date d = r.uniform() < cfg.hired_fraction
                       ? cfg.start + static_cast<date>(r.uniform_int(static_cast<std::uint64_t>(end - cfg.start)))
                       : cfg.start - 1 - static_cast<date>(r.uniform_int(3 * 365));
    org.rep_start.push_back(d);
    org.rep_ramp_months.push_back(cfg.ramp_months);
    org.rep_skill.push_back(r.normal(0.0, cfg.skill_sd));
  }
  // Team moves: each month a rep who has started moves with probability rate / 12, to a team
  // drawn uniformly among the others, on a uniform day of that month.
  if (teams > 1)
    for (std::size_t i = 0; i < cfg.reps; ++i) {
      std::uint32_t team = org.rep_team[i];
      for (date month_start = cfg.start; month_start < end;) {
        const date month_end = period_of(month_start, period_kind::month).end;
        const date from = std::max(month_start, org.rep_start[i]);
        if (from < month_end && r.uniform() < cfg.team_moves_per_year / 12.0) {
          const auto other = static_cast<std::uint32_t>(r.uniform_int(teams - 1));
          team = other >= team ? other + 1 : other;
          org.move_rep.push_back(static_cast<std::uint32_t>(i));
          org.move_date.push_back(from + static_cast<date>(r.uniform_int(static_cast<std::uint64_t>(month_end - from))));
          org.move_team.push_back(team);
        }
        month_start = month_end;
      }
    }
  return org;
}

template <class>
quota_table simulate_quotas(const config& cfg, const organisation& org) {
  const ground_truth g = truth_of(cfg);
  // Quota = uplift x expected bookings: expected deals created in the period (ramped) x
  // P(won) x E[amount]. Sales leaders size quotas without knowing skill, so skill is ignored.
  const double per_deal = g.expected_win_probability * g.expected_amount;
  const date end = detail::simulation_end(cfg);
  quota_table q;
  auto add = [&q](std::uint32_t rep, quota_period kind, date from, date to, double amount) {
    q.rep.push_back(rep);
    q.period.push_back(kind);
    q.period_start.push_back(from);
    q.period_end.push_back(to);
    q.amount.push_back(amount);
  };
  for (std::uint32_t rep = 0; rep < org.rep_count(); ++rep) {
    for (date month_start = cfg.start; month_start < end;) {
      const date month_end = period_of(month_start, period_kind::month).end;
      const double deals = detail::expected_created(cfg, org.rep_start[rep], org.rep_ramp_months[rep],
                                                    month_start, month_end);
      if (deals > 0) add(rep, quota_period::month, month_start, month_end, cfg.quota_uplift * deals * per_deal);
      month_start = month_end;
    }
    // Quarters wholly inside the simulation: the sum of their month quotas.
    for (period p = period_of(cfg.start, period_kind::quarter); p.end <= end; p = next_period(p)) {
      if (p.start < cfg.start) continue;
      const double deals =
          detail::expected_created(cfg, org.rep_start[rep], org.rep_ramp_months[rep], p.start, p.end);
      if (deals > 0) add(rep, quota_period::quarter, p.start, p.end, cfg.quota_uplift * deals * per_deal);
    }
  }
  return q;
}

template <class>
void simulate_crm_chunks(const config& cfg, const organisation& org,
                         std::size_t reps_per_chunk,
                         const std::function<void(const crm_chunk&)>& on_chunk) {
  const ground_truth g = truth_of(cfg);
  check_positive("simulate_crm_chunks", "reps_per_chunk", reps_per_chunk);
  std::uint64_t next_id = 0;
  for (std::size_t first = 0; first < org.rep_count(); first += reps_per_chunk) {
    crm_chunk chunk;
    chunk.first_rep = static_cast<std::uint32_t>(first);
    const std::size_t last = std::min(org.rep_count(), first + reps_per_chunk);
    chunk.rep_count = static_cast<std::uint32_t>(last - first);
    for (std::size_t rep = first; rep < last; ++rep) {
      detail::simulate_rep_deals(cfg, org, g, static_cast<std::uint32_t>(rep), next_id, chunk.opportunities);
      detail::simulate_rep_activities(cfg, org, static_cast<std::uint32_t>(rep), chunk.activities);
    }
    on_chunk(chunk);
  }
}

template <class>
dataset simulate_crm(const config& cfg) {
  dataset data;
  data.org = simulate_org(cfg);
  data.truth = truth_of(cfg);
  data.truth.rep_skill = data.org.rep_skill;
  data.quotas = simulate_quotas(cfg, data.org);
  data.start = cfg.start;
  data.end = detail::simulation_end(cfg);
  simulate_crm_chunks(cfg, data.org, 64, [&data](const crm_chunk& chunk) {
    detail::append(data.opportunities, chunk.opportunities);
    detail::append(data.activities, chunk.activities);
  });
  return data;
}

inline std::ostream& operator<<(std::ostream& out, forecast_category c) {
  switch (c) {
  case forecast_category::pipeline: return out << "pipeline";
  case forecast_category::best_case: return out << "best_case";
  case forecast_category::commit: return out << "commit";
  case forecast_category::closed: return out << "closed";
  }
  return out << "forecast_category(" << static_cast<int>(c) << ")";
}

inline std::ostream& operator<<(std::ostream& out, activity_kind k) {
  switch (k) {
  case activity_kind::call: return out << "call";
  case activity_kind::email: return out << "email";
  case activity_kind::meeting: return out << "meeting";
  }
  return out << "activity_kind(" << static_cast<int>(k) << ")";
}

inline std::ostream& operator<<(std::ostream& out, quota_period p) {
  switch (p) {
  case quota_period::month: return out << "month";
  case quota_period::quarter: return out << "quarter";
  }
  return out << "quota_period(" << static_cast<int>(p) << ")";
}

inline std::ostream& operator<<(std::ostream& out, const organisation& org) {
  return out << "organisation{regions=" << org.region_names.size()
             << ", teams=" << org.team_names.size() << ", reps=" << org.rep_count()
             << ", team_moves=" << org.move_rep.size() << "}";
}

inline std::ostream& operator<<(std::ostream& out, const ground_truth& g) {
  out << "ground_truth{stages=" << g.transitions.rows() << ", win_probability=[";
  for (Eigen::Index s = 0; s < g.win_probability.size(); ++s)
    out << (s ? ", " : "") << g.win_probability(s);
  out << "], expected_days_to_close=[";
  for (Eigen::Index s = 0; s < g.expected_days_to_close.size(); ++s)
    out << (s ? ", " : "") << g.expected_days_to_close(s);
  return out << "], expected_amount=" << g.expected_amount
             << ", expected_win_probability=" << g.expected_win_probability
             << ", quarter_end_push=" << g.quarter_end_push
             << ", third_month_won_share=" << g.third_month_won_share << "}";
}

inline std::ostream& operator<<(std::ostream& out, const dataset& d) {
  return out << "dataset{" << format_date(d.start) << " .. " << format_date(d.end) << ", "
             << d.org << ", opportunities=" << d.opportunities.size()
             << ", stage_history=" << d.opportunities.stage.size()
             << ", close_date_changes=" << d.opportunities.changed_on.size()
             << ", quotas=" << d.quotas.rep.size() << ", activities=" << d.activities.rep.size()
             << "}";
}

} // namespace simulate
} // namespace salesops

#endif // SALESOPS_SIMULATE_CRM_HPP
