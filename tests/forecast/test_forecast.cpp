// Tests for salesops/forecast/forecast.hpp: tslm fits and forecasts against R's forecast package.
#include <salesops/forecast/forecast.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <optional>
#include <sstream>
#include <vector>

#include <salesops/core/rng.hpp>

namespace fc = salesops::forecast;
using Catch::Matchers::Contains;

namespace {

// Series used by every R reference below (written by a seeded generator, then fixed here):
// R: s1 <- ts(c(...), frequency=1); s4 <- ts(c(...), frequency=4); s12 <- ts(c(...), frequency=12)
const std::vector<double> s1 = {49.23, 54.03, 54.32, 56.55, 57.21, 61.86,
                                68.34, 68.77, 73.11, 73.25, 76.18, 78.06};
const std::vector<double> s4 = {113.34, 140.22, 125.63, 112.4,  120.43, 137.02, 127.24,
                                115.73, 135.62, 151.02, 140.08, 122.23, 142.83, 159.98,
                                142.56, 138.87, 151.03, 170.39, 149.92, 136.24};
const std::vector<double> s12 = {
    293.12, 330.87, 370.6,  373.97, 355.01, 325.86, 307.59, 315.42, 255.88, 271.9,
    286.57, 273.21, 336.97, 395.12, 353.67, 398.57, 397.84, 364.65, 363.95, 325.75,
    278.75, 319.56, 327.43, 357.92, 400.81, 412.24, 432.35, 415.02, 448.27, 404.76,
    380.95, 337.7,  324.69, 328.38, 375.82, 334.36, 378.85, 445.79, 494.83, 488.57};

struct r_case {
  const std::vector<double>& y;
  int frequency;
  std::size_t h;
  std::vector<double> levels;
  std::optional<double> lambda;
  bool biasadj;
  std::vector<double> coefficients;
  std::vector<double> mean;
  std::vector<std::vector<double>> lower; // per level
  std::vector<std::vector<double>> upper; // per level
};

// Relative agreement of at least 10 significant digits (log relative error >= 10).
void check_digits(double actual, double expected) {
  INFO("actual " << actual << " expected " << expected);
  CHECK(std::fabs(actual - expected) <= 1e-10 * std::fabs(expected));
}

} // namespace

TEST_CASE("forecast(tslm) matches R to 10 significant digits", "[forecast][tslm]") {
  // Each case: the R call in the comment, then coef(f), fc$mean, fc$lower, fc$upper as
  // printed by sprintf("%.17g") (R 4.2, forecast 8.x, script in the commit message).
  const std::vector<r_case> cases = {
    // tslm(s1 ~ trend); forecast(f, h=5)
    {s1, 1, 5, {80, 95}, std::nullopt, false,
     {46.675454545454578, 2.7026223776223759},
 {81.809545454545457, 84.512167832167847, 87.214790209790209, 89.917412587412599, 92.620034965034961},
 {{79.0932826136697, 81.701123288000247, 84.299194194426391, 86.888506859719001, 89.470006270460317}, {77.398903477306462, 79.947620219243589, 82.480472904220377, 84.999104039865074, 87.505048086475455}},
 {{84.525808295421214, 87.323212376335448, 90.130386225154027, 92.946318315106197, 95.770063659609605}, {86.220187431784453, 89.076715445092105, 91.949107515360041, 94.835721134960124, 97.735021843594467}}},
    // tslm(s4 ~ trend + season, lambda=0); forecast(f, h=6)
    {s4, 4, 6, {80, 95}, 0.0, false,
     {4.7513859806254981, 0.014522697346552411, 0.12216515218431373, 0.0071632717799213468, -0.10022142374923261},
 {157.01834174141837, 180.01685302678365, 162.80795098924406, 148.37002065767845, 166.40979890263196, 190.78387899806589},
 {{149.5473417778671, 171.45157404417577, 155.06147893752927, 141.31051151605806, 158.0319235719578, 181.17889441249204}, {145.30788846629534, 166.59116706726388, 150.66570772178031, 137.30456056511102, 153.28886996145624, 175.74112468934771}},
 {{164.86257361796672, 189.01003128333463, 170.94141682986867, 155.78220469082632, 175.23181737520972, 200.89806046989}, {169.67254774295063, 194.52452338353658, 175.92874520765494, 160.3272530741676, 180.6538281466716, 207.11423435971034}}},
    // tslm(s4 ~ trend + season, lambda=0, biasadj=TRUE); forecast(f, h=6)
    {s4, 4, 6, {80, 95}, 0.0, true,
     {4.7513859806254981, 0.014522697346552411, 0.12216515218431373, 0.0071632717799213468, -0.10022142374923261},
 {157.14111806803777, 180.15761242915087, 162.93525434721616, 148.48603465906686, 166.55589824566718, 190.95137754422805},
 {{149.5473417778671, 171.45157404417577, 155.06147893752927, 141.31051151605806, 158.0319235719578, 181.17889441249204}, {145.30788846629534, 166.59116706726388, 150.66570772178031, 137.30456056511102, 153.28886996145624, 175.74112468934771}},
 {{164.86257361796672, 189.01003128333463, 170.94141682986867, 155.78220469082632, 175.23181737520972, 200.89806046989}, {169.67254774295063, 194.52452338353658, 175.92874520765494, 160.3272530741676, 180.6538281466716, 207.11423435971034}}},
    // tslm(s12 ~ trend + season, lambda=0.5, biasadj=TRUE); forecast(f, h=14)
    {s12, 12, 14, {80, 95}, 0.5, true,
     {32.521423876682761, 0.15576188801434179, 2.1057842555301343, 2.7550226613480531, 2.9409051996262572, 2.8039731156013841, 0.85223004065740726, -0.058461070163467618, -1.5131757766663323, -3.9849475979501841, -2.9569254272879451, -1.8309586611773627, -2.4374742252286943},
 {478.06182665617308, 439.61557724516797, 423.93638102591478, 397.62528141242262, 352.80612791838951, 375.37950090580995, 400.61059197638411, 391.64377228706525, 444.61432153605693, 493.55930187506635, 511.59847403816235, 519.35228647467886, 519.82391747264398, 479.69919553855249},
 {{444.24413414756208, 407.19644661571027, 392.10512695115585, 366.80554455620563, 323.78990839742278, 345.44144808855759, 369.67443469783609, 361.05862475894298, 412.24416847776695, 459.44078979173548, 476.85763128388794, 484.34732480433951, 482.90466294382219, 444.24419846003275}, {425.99157562357618, 389.7296952314785, 374.9686845799626, 350.23744132263829, 308.23514380824071, 329.36873488610223, 353.04091855659232, 344.62232975758531, 394.79414005962627, 441.0084144176185, 458.07558823199071, 465.41688179025152, 462.98140911501395, 425.14366400891993}},
 {{512.32215856501807, 472.47734727485977, 456.21027450090781, 428.88765766887371, 382.26498683959022, 405.7601931232964, 431.98938865516618, 422.67155921542155, 477.42072977246221, 528.1140691365124, 546.77557197055216, 554.79350332313334, 557.22837288249139, 515.63939349809789}, {532.32046219093013, 491.68984376101764, 475.09246197402723, 447.20150600436716, 399.56549653069845, 423.57865142767793, 450.36864989833612, 440.85359931870534, 496.59132427663587, 548.26701059666232, 567.27818110848239, 575.44451242325442, 579.06523191918029, 536.65353315709137}}},
    // tslm(s12 ~ trend + season); forecast(f, h=3, level=c(50,90,99))
    {s12, 12, 3, {50, 90, 99}, std::nullopt, false,
     {295.66818287037006, 2.9878587962962979, 40.579641203703822, 54.449282407407523, 57.631423611111238, 53.911550925926015, 15.640358796296411, -1.6074999999998998, -29.135358796296188, -71.97321759259242, -54.787743055555474, -34.448935185185071, -45.546793981481393},
 {472.08194444444428, 436.79861111111103, 422.53861111111098},
 {{456.28600203439544, 421.00266870106219, 406.74266870106214}, {432.72895729746199, 397.44562396412869, 383.18562396412869}, {408.0677423438911, 372.78440901055785, 358.5244090105578}},
 {{487.87788685449311, 452.59455352115987, 438.33455352115982}, {511.43493159142656, 476.15159825809337, 461.89159825809327}, {536.09614654499751, 500.81281321166421, 486.55281321166416}}},
    // tslm(s12 ~ trend + season, lambda=-0.3); forecast(f, h=4)
    {s12, 12, 4, {80, 95}, -0.3, false,
     {2.7314269958160908, 0.0013959019609735238, 0.01864206377026802, 0.023512326713030031, 0.025384845954021986, 0.024944312846098823, 0.0081609113915061988, -0.00013095570669401015, -0.013316379927474767, -0.039188227650194016, -0.027878570526735529, -0.016857694955521533, -0.022731570051513172},
 {490.15835248086893, 444.7321430661342, 426.14962912887086, 396.65359006167444},
 {{447.68128087745259, 407.23795734396799, 390.6539371876575, 364.28002385754922}, {425.90279597373177, 387.96448630788785, 372.38746979882882, 347.58958799283675}},
 {{538.02745850128497, 486.84077221068117, 465.95494030690793, 432.86919490227734}, {567.60803867426409, 512.78921319133997, 490.45466106221363, 455.11547091031491}}},
    // tslm(s12 ~ trend + season, lambda=-0.3, biasadj=TRUE); forecast(f, h=2, level=c(95, 80))
    {s12, 12, 2, {95, 80}, -0.3, true,
     {2.7314269958160908, 0.0013959019609735238, 0.01864206377026802, 0.023512326713030031, 0.025384845954021986, 0.024944312846098823, 0.0081609113915061988, -0.00013095570669401015, -0.013316379927474767, -0.039188227650194016, -0.027878570526735529, -0.016857694955521533, -0.022731570051513172},
 {491.86673715800748, 446.19433723016192},
 {{425.90279597373177, 387.96448630788785}, {447.68128087745259, 407.23795734396799}},
 {{567.60803867426409, 512.78921319133997}, {538.02745850128497, 486.84077221068117}}},
    // tslm(s1 ~ trend, lambda=1.5, biasadj=TRUE); forecast(f, h=3, level=90)
    {s1, 1, 3, {90}, 1.5, true,
     {204.90383192296665, 21.615612709596672},
 {81.052158838642129, 83.435392720708506, 85.784979163673384},
 {{77.84887190632621, 80.168213271878855, 82.443123234380721}},
 {{84.21600222247406, 86.662707573617055, 89.086267452440424}}},
  };
  for (const r_case& c : cases) {
    fc::tslm_options options;
    options.lambda = c.lambda;
    options.biasadj = c.biasadj;
    const fc::tslm_model m = fc::tslm(c.y, c.frequency, options);
    const fc::forecast_result f = fc::forecast(m, c.h, c.levels);
    INFO("frequency " << c.frequency << " h " << c.h << " lambda "
                      << (c.lambda ? *c.lambda : -99) << " biasadj " << c.biasadj);
    REQUIRE(m.model.coefficients.size() == static_cast<Eigen::Index>(c.coefficients.size()));
    for (std::size_t j = 0; j < c.coefficients.size(); ++j)
      check_digits(m.model.coefficients[static_cast<Eigen::Index>(j)], c.coefficients[j]);
    REQUIRE(f.mean.size() == static_cast<Eigen::Index>(c.h));
    for (std::size_t i = 0; i < c.h; ++i) {
      const auto ii = static_cast<Eigen::Index>(i);
      check_digits(f.mean[ii], c.mean[i]);
      for (std::size_t l = 0; l < c.levels.size(); ++l) {
        check_digits(f.lower(ii, static_cast<Eigen::Index>(l)), c.lower[l][i]);
        check_digits(f.upper(ii, static_cast<Eigen::Index>(l)), c.upper[l][i]);
      }
    }
  }
}

TEST_CASE("confidence intervals match predict.lm(interval = 'confidence')", "[forecast][tslm]") {
  // R: predict(tslm(s4 ~ trend + season), newdata=data.frame(trend=21:23,
  //    season=factor(1:3, levels=1:4)), interval='confidence', level=0.9)
  const std::vector<double> fit = {156.33499999999995, 175.41099999999997, 160.77099999999996};
  const std::vector<double> lwr = {151.69059173491414, 170.76659173491416, 156.12659173491414};
  const std::vector<double> upr = {160.97940826508577, 180.05540826508579, 165.41540826508577};
  const std::vector<double> level = {90};
  const fc::forecast_result f =
      fc::forecast(fc::tslm(s4, 4), 3, level, fc::interval_kind::confidence);
  for (Eigen::Index i = 0; i < 3; ++i) {
    check_digits(f.mean[i], fit[static_cast<std::size_t>(i)]);
    check_digits(f.lower(i, 0), lwr[static_cast<std::size_t>(i)]);
    check_digits(f.upper(i, 0), upr[static_cast<std::size_t>(i)]);
  }
}

TEST_CASE("bias-adjusted fitted values match R's tslm", "[forecast][tslm]") {
  // R: fitted(tslm(s4 ~ trend + season, lambda=0, biasadj=TRUE))[1:3]
  const std::vector<double> r_fitted = {117.48079902649785, 134.68823767512518,
                                        121.81257270938323};
  fc::tslm_options options;
  options.lambda = 0.0;
  options.biasadj = true;
  const fc::tslm_model m = fc::tslm(s4, 4, options);
  for (Eigen::Index i = 0; i < 3; ++i) check_digits(m.fitted[i], r_fitted[static_cast<std::size_t>(i)]);
}

TEST_CASE("forecast and Box-Cox reject bad input", "[forecast][tslm]") {
  const fc::tslm_model m = fc::tslm(s4, 4);
  CHECK_THROWS_AS(fc::forecast(m, 0), salesops::out_of_range_value);
  const std::vector<double> bad_level = {80, 100};
  CHECK_THROWS_AS(fc::forecast(m, 2, bad_level), salesops::out_of_range_value);
  CHECK_THROWS_WITH(fc::forecast(m, 2, bad_level), Contains("row 1"));
  std::vector<double> with_nan = s4;
  with_nan[7] = std::nan("");
  CHECK_THROWS_AS(fc::tslm(with_nan, 4), salesops::not_finite);
  CHECK_THROWS_WITH(fc::tslm(with_nan, 4), Contains("row 7"));
  std::vector<double> with_zero = s4;
  with_zero[3] = 0.0;
  fc::tslm_options log_options;
  log_options.lambda = 0.0;
  CHECK_THROWS_AS(fc::tslm(with_zero, 4, log_options), salesops::negative_value);
  CHECK_THROWS_WITH(fc::tslm(with_zero, 4, log_options), Contains("row 3"));
  fc::tslm_options nan_lambda;
  nan_lambda.lambda = std::nan("");
  CHECK_THROWS_AS(fc::tslm(s4, 4, nan_lambda), salesops::not_finite);
  // n <= p: 4 observations, 5 coefficients (intercept, trend, 3 season dummies).
  const std::vector<double> four = {1, 2, 3, 4};
  CHECK_THROWS_AS(fc::tslm(four, 4), salesops::empty_input);
  const std::vector<double> none;
  CHECK_THROWS_AS(fc::tslm(none, 4), salesops::empty_input);
  // intervals() checks what it is given: lengths, NaN and negative spreads.
  const Eigen::VectorXd mean3 = Eigen::VectorXd::Constant(3, 1.0), se1 = Eigen::VectorXd::Ones(1);
  const std::vector<double> level95 = {95};
  CHECK_THROWS_AS(fc::intervals(mean3, se1, 1.0, 5.0, level95), salesops::length_mismatch);
  Eigen::VectorXd se3 = Eigen::VectorXd::Ones(3);
  CHECK_THROWS_AS(fc::intervals(mean3, se3, std::nan(""), 5.0, level95), salesops::not_finite);
  CHECK_THROWS_AS(fc::intervals(mean3, se3, -1.0, 5.0, level95), salesops::negative_value);
  se3[2] = std::nan("");
  CHECK_THROWS_WITH(fc::intervals(mean3, se3, 1.0, 5.0, level95), Contains("se_mean at row 2"));
  Eigen::VectorXd inf_mean = mean3;
  inf_mean[1] = INFINITY;
  CHECK_THROWS_WITH(fc::intervals(inf_mean, Eigen::VectorXd::Ones(3), 1.0, 5.0, level95),
                    Contains("mean at row 1"));
  std::ostringstream text;
  text << m << fc::forecast(m, 1);
  CHECK_THAT(text.str(), Contains("season2=") && Contains("h=1 mean="));
}
