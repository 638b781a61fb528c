// A seeded synthetic CRM: an organisation (regions -> teams -> reps with start date, ramp and
// skill), opportunities whose stage histories follow an absorbing Markov chain (skips, backward
// moves, won, lost) with lognormal stage durations, lognormal amounts by segment, end-of-quarter
// push, close-date slippage, quotas sized from expected productivity, activities and team moves.
// The generative model is documented exactly in docs/simulate.md; the parameters it was drawn
// from are returned as ground truth so that estimators can be tested against them. Absorption
// probabilities and times follow Kemeny and Snell, "Finite Markov Chains" (1960), ch. III.
#ifndef SALESOPS_SIMULATE_CRM_HPP
#define SALESOPS_SIMULATE_CRM_HPP

#include <Eigen/Dense>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace salesops {
namespace simulate {

/// \brief How an opportunity ended (or that it has not ended at the simulation end).
enum class outcome : std::uint8_t { open, won, lost };

/// \brief Forecast category of an opportunity; `closed` for won and lost deals.
enum class forecast_category : std::uint8_t { pipeline, best_case, commit, closed };

/// \brief Kind of a logged sales activity.
enum class activity_kind : std::uint8_t { call, email, meeting };

/// \brief Length of a quota period.
enum class quota_period : std::uint8_t { month, quarter };

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
  std::int32_t start = 19723;         ///< First simulated day (days since 1970-01-01; 2024-01-01).
  int months = 24;                    ///< Number of simulated calendar months (start must be a 1st).
  std::size_t regions = 3;            ///< Number of regions.
  std::size_t teams_per_region = 2;   ///< Teams in each region.
  std::size_t reps_per_team = 6;      ///< Reps in each team at the start.
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
  std::vector<std::int32_t> rep_start;     ///< Start date of each rep (may precede config.start).
  std::vector<int> rep_ramp_months;        ///< Ramp length of each rep in months.
  std::vector<double> rep_skill;           ///< Skill of each rep (log-odds shift; ground truth).
  std::vector<std::uint32_t> move_rep;     ///< Team moves: the rep that moves...
  std::vector<std::int32_t> move_date;     ///< ...the date it takes effect...
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
  std::vector<std::int32_t> created;     ///< Creation date.
  std::vector<std::int32_t> close_date;  ///< Actual close date, or expected close if open.
  std::vector<simulate::outcome> outcome; ///< Won, lost, or open at the simulation end.
  std::vector<double> amount;            ///< Deal value.
  std::vector<forecast_category> forecast; ///< Forecast category (closed for won/lost).

  std::vector<std::uint64_t> stage_opportunity; ///< Stage history: opportunity row...
  std::vector<std::uint32_t> stage;             ///< ...stage entered...
  std::vector<std::int64_t> entered_at;         ///< ...and when (seconds since 1970-01-01 UTC).

  std::vector<std::uint64_t> change_opportunity; ///< Close-date changes: opportunity row...
  std::vector<std::int32_t> changed_on;          ///< ...date of the change...
  std::vector<std::int32_t> old_close;           ///< ...expected close before...
  std::vector<std::int32_t> new_close;           ///< ...and after.

  /// \brief Number of opportunities.
  std::size_t size() const noexcept { return id.size(); }
};

/// \brief Quotas: one row per rep and period, months and quarters.
struct quota_table {
  std::vector<std::uint32_t> rep;          ///< Rep.
  std::vector<quota_period> period;        ///< Month or quarter.
  std::vector<std::int32_t> period_start;  ///< First day of the period.
  std::vector<std::int32_t> period_end;    ///< First day after the period (exclusive).
  std::vector<double> amount;              ///< Quota amount.
};

/// \brief Logged activities: one row per call, email or meeting.
struct activity_table {
  std::vector<std::uint32_t> rep;       ///< Rep.
  std::vector<std::int32_t> date;       ///< Working day of the activity.
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
  std::int32_t start = 0;        ///< First simulated day.
  std::int32_t end = 0;          ///< First day after the simulation (exclusive).
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
inline ground_truth truth_of(const config& cfg);

/// \brief Draws the organisation and team moves (deterministic in cfg.seed).
inline organisation simulate_org(const config& cfg);

/// \brief Monthly and quarterly quotas for every rep, sized from expected productivity.
inline quota_table simulate_quotas(const config& cfg, const organisation& org);

/// \brief Simulates the whole CRM in memory (about 120 bytes per opportunity plus 9 bytes per
/// activity; see docs/simulate.md). Same seed, same data.
inline dataset simulate_crm(const config& cfg);

/// \brief Streams opportunities and activities in blocks of `reps_per_chunk` reps, in rep
/// order, so that memory is bounded by one block. The concatenated chunks equal the
/// opportunities and activities of simulate_crm(cfg) (ids continue across chunks).
inline void simulate_crm_chunks(const config& cfg, const organisation& org, std::size_t reps_per_chunk,
                         const std::function<void(const crm_chunk&)>& on_chunk);

/// \brief Prints a one-line summary of a dataset.
inline std::ostream& operator<<(std::ostream& out, const dataset& data);
/// \brief Prints the ground truth.
inline std::ostream& operator<<(std::ostream& out, const ground_truth& truth);
/// \brief Prints the size of an organisation.
inline std::ostream& operator<<(std::ostream& out, const organisation& org);
/// \brief Prints a name: "open", "won" or "lost".
inline std::ostream& operator<<(std::ostream& out, outcome o);
/// \brief Prints a name: "pipeline", "best_case", "commit" or "closed".
inline std::ostream& operator<<(std::ostream& out, forecast_category c);
/// \brief Prints a name: "call", "email" or "meeting".
inline std::ostream& operator<<(std::ostream& out, activity_kind k);
/// \brief Prints "month" or "quarter".
inline std::ostream& operator<<(std::ostream& out, quota_period p);

} // namespace simulate
} // namespace salesops

#endif // SALESOPS_SIMULATE_CRM_HPP
