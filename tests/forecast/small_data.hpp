// The small regression data set shared by the forecast tests: 12 rows, two predictors and
// weights (one of them 0). The R references in the tests fit it as
//   x1 <- c(1.2, 2.3, 3.1, 4.8, 5.0, 6.7, 7.1, 8.9, 9.4, 10.2, 11.8, 12.5)
//   x2 <- c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8)
//   y  <- c(5.1, 6.9, 9.8, 11.2, 14.1, 17.9, 16.2, 22.5, 23.1, 23.8, 28.4, 31.0)
//   w  <- c(1, 2, 1, 0.5, 3, 1, 1, 2, 0, 1, 1.5, 1)
#ifndef SALESOPS_TESTS_FORECAST_SMALL_DATA_HPP
#define SALESOPS_TESTS_FORECAST_SMALL_DATA_HPP

#include <Eigen/Dense>

struct small_data {
  Eigen::MatrixXd X;
  Eigen::VectorXd y, w;
  small_data() : X(12, 2), y(12), w(12) {
    X.col(0) << 1.2, 2.3, 3.1, 4.8, 5.0, 6.7, 7.1, 8.9, 9.4, 10.2, 11.8, 12.5;
    X.col(1) << 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8;
    y << 5.1, 6.9, 9.8, 11.2, 14.1, 17.9, 16.2, 22.5, 23.1, 23.8, 28.4, 31.0;
    w << 1, 2, 1, 0.5, 3, 1, 1, 2, 0, 1, 1.5, 1;
  }
};

#endif // SALESOPS_TESTS_FORECAST_SMALL_DATA_HPP
