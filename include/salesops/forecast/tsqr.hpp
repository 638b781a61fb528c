// Mergeable least squares for sharded rows: TSQR (tall-skinny QR; Demmel, Grigori, Hoemmen
// and Langou, "Communication-optimal parallel and sequential QR and LU factorizations",
// SIAM J. Sci. Comput. 34, 2012) with the centring of Chan, Golub and LeVeque's parallel
// variance merge, so the state never holds X'X.
//
// State of a shard: its row count n, the means m of [X y], and the upper-triangular
// (p+1) x (p+1) factor R of the centred augmented block [X - m_X, y - m_y]. Merging shards
// a and b stacks
//     [ R_a ; R_b ; sqrt(n_a n_b / n) (m_b - m_a)' ]
// and takes the R of its QR: the stacked matrix has the Gram matrix of the combined block
// centred at the combined mean (the matrix form of Chan et al.'s M2 merge), so its R is the
// combined R up to row signs, computed with orthogonal transformations only.
//
// The last column of R carries Q'y (the first p entries) and, in its last diagonal entry, the
// residual norm sqrt(RSS) directly: carrying y'y and subtracting |Q'y|^2 instead would
// cancel catastrophically when the fit is good. Without an intercept nothing is centred.
//
// result() returns a forecast::linear_model whose coefficients, standard errors, sigma,
// covariance and factorisation (so predict() works) equal those of forecast::fit() on all
// rows to rounding; residuals and fitted values are empty, since the rows are not kept.
//
// Compile time: update, merge and result are member function templates with one unused,
// defaulted parameter, so that only translation units calling them instantiate the QR and the
// SVD (see linear_model.hpp).
#ifndef SALESOPS_FORECAST_TSQR_HPP
#define SALESOPS_FORECAST_TSQR_HPP

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ostream>

#include "salesops/core/error.hpp"
#include "salesops/core/scale.hpp"
#include "salesops/core/validate.hpp"
#include "salesops/forecast/linear_model.hpp"

namespace salesops::forecast {

/// \brief Mergeable QR state of y = b0 + X b over shards of rows (update / merge / result).
class tsqr_accumulator {
public:
  /// \brief An empty state for `predictors` columns (the intercept excluded).
  /// \param predictors p >= 1 columns of X.
  /// \param intercept fit an intercept (centre the columns) as lm_options::intercept.
  /// \throws salesops::empty_input when predictors == 0.
  explicit tsqr_accumulator(std::size_t predictors, bool intercept = true)
      : p_(static_cast<Eigen::Index>(predictors)), intercept_(intercept),
        mean_(Eigen::VectorXd::Zero(p_ + 1)), r_(Eigen::MatrixXd::Zero(p_ + 1, p_ + 1)) {
    check_non_empty("tsqr_accumulator", "predictors", predictors);
  }

  /// \brief Adds a block of rows.
  /// \throws salesops::length_mismatch when X has the wrong column count or y the wrong row
  /// count; salesops::not_finite naming the row of a NaN or infinite value.
  template <class = void>
  void update(const Eigen::Ref<const Eigen::MatrixXd>& X,
              const Eigen::Ref<const Eigen::VectorXd>& y) {
    constexpr const char* fn = "tsqr_accumulator::update";
    check_equal_lengths(fn, "predictors", static_cast<std::size_t>(p_), "X columns",
                        static_cast<std::size_t>(X.cols()));
    check_equal_lengths(fn, "X", static_cast<std::size_t>(X.rows()), "y",
                        static_cast<std::size_t>(y.size()));
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      for (Eigen::Index j = 0; j < p_; ++j)
        if (!std::isfinite(X(i, j)))
          SALESOPS_THROW(not_finite, fn, "X", static_cast<std::size_t>(i), "column ", j, " is ",
                         X(i, j));
      check_finite(fn, "y", y[i], static_cast<std::size_t>(i));
    }
    if (X.rows() == 0) return;
    tsqr_accumulator block(static_cast<std::size_t>(p_), intercept_);
    Eigen::MatrixXd a(X.rows(), p_ + 1);
    a.leftCols(p_) = X;
    a.col(p_) = y;
    block.n_ = static_cast<std::uint64_t>(X.rows());
    if (intercept_) {
      block.mean_ = a.colwise().mean().transpose();
      a.rowwise() -= block.mean_.transpose();
    }
    block.r_ = upper_factor(a);
    merge(block);
  }

  /// \brief Combines another shard's state (see the file comment).
  /// \throws salesops::length_mismatch when the shapes or intercept settings differ.
  template <class = void> void merge(const tsqr_accumulator& other) {
    constexpr const char* fn = "tsqr_accumulator::merge";
    check_equal_lengths(fn, "predictors", static_cast<std::size_t>(p_), "other predictors",
                        static_cast<std::size_t>(other.p_));
    if (intercept_ != other.intercept_)
      SALESOPS_THROW(length_mismatch, fn, "other", no_row, "has a different intercept setting");
    if (other.n_ == 0) return;
    if (n_ == 0) {
      *this = other;
      return;
    }
    const Eigen::Index q = p_ + 1;
    const double na = static_cast<double>(n_), nb = static_cast<double>(other.n_);
    const double n = na + nb;
    Eigen::MatrixXd stacked(2 * q + 1, q);
    stacked.topRows(q) = r_;
    stacked.middleRows(q, q) = other.r_;
    const Eigen::VectorXd delta = other.mean_ - mean_;
    stacked.row(2 * q) = std::sqrt(na * nb / n) * delta.transpose();
    if (!intercept_) stacked.row(2 * q).setZero();
    r_ = upper_factor(stacked);
    if (intercept_) mean_ += delta * (nb / n);
    n_ += other.n_;
  }

  /// \brief Rows seen so far.
  std::uint64_t count() const noexcept { return n_; }

  /// \brief The fit on every row seen (see the file comment for what it holds).
  /// \param rank_tolerance column j is aliased when |R_jj| of the unit-norm centred design
  ///        is <= this (lm_options::rank_tolerance's rule).
  /// \throws salesops::empty_input when there are not more rows than coefficients;
  /// salesops::rank_deficient naming the first aliased column; salesops::numerical_error when
  /// an estimate is beyond double's range (a column on a subnormal scale, about 1e-310).
  template <class = void>
  linear_model result(double rank_tolerance = lm_options{}.rank_tolerance) const {
    constexpr const char* fn = "tsqr_accumulator::result";
    const Eigen::Index off = intercept_ ? 1 : 0;
    const auto coefficients = static_cast<std::uint64_t>(p_ + off);
    if (n_ <= coefficients)
      SALESOPS_THROW(empty_input, fn, "rows", no_row, "are ", n_, " for ", coefficients,
                     " coefficients: need more rows than coefficients");
    const Eigen::MatrixXd r11 = r_.topLeftCorner(p_, p_);
    linear_model m;
    lm_factorization& f = m.factor;
    f.center = intercept_ ? Eigen::VectorXd(mean_.head(p_)) : Eigen::VectorXd::Zero(p_);
    f.scale.resize(p_);
    for (Eigen::Index j = 0; j < p_; ++j) {
      // Norm of centred column j (Q is orthogonal); stableNorm, since its square leaves
      // double's range for columns beyond about 1e154 or below 1e-154.
      const double norm = r11.col(j).stableNorm();
      f.scale[j] = norm > 0 ? norm : 1.0;
    }
    const Eigen::MatrixXd rz = r11 * f.scale.cwiseInverse().asDiagonal();
    for (Eigen::Index j = 0; j < p_; ++j)
      if (!(std::abs(rz(j, j)) > rank_tolerance))
        SALESOPS_THROW(rank_deficient, fn, "X", no_row, "column ", j,
                       " is aliased (|R_jj| = ", std::abs(rz(j, j)), " <= rank_tolerance ",
                       rank_tolerance, ")");
    for (Eigen::Index j = 0; j < p_; ++j) f.kept.push_back(j);
    f.r_inverse = rz.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(p_, p_));
    const Eigen::VectorXd a = f.r_inverse * r_.col(p_).head(p_);
    f.slope = a.cwiseQuotient(f.scale);
    f.y_center = intercept_ ? mean_[p_] : 0.0;
    f.sum_weights = static_cast<double>(n_);

    m.intercept = intercept_;
    m.n = static_cast<std::size_t>(n_);
    m.rank = static_cast<std::size_t>(p_ + off);
    m.df_residual = m.n - m.rank;
    m.rss = r_(p_, p_) * r_(p_, p_);
    m.tss = r_.col(p_).squaredNorm();
    m.sigma = std::sqrt(m.rss / static_cast<double>(m.df_residual));
    // rz is square: JacobiSVD's QR preconditioner would not run (see linear_model.hpp).
    Eigen::JacobiSVD<Eigen::MatrixXd, Eigen::NoQRPreconditioner> svd(rz);
    m.condition_number = svd.singularValues()[0] / svd.singularValues()[p_ - 1];

    // Coefficients, standard errors and (X_c'X_c)^-1 from the factorisation, exactly as fit.
    detail::back_transform(fn, f, intercept_, m);
    return m;
  }

private:
  // Upper-triangular (p+1) x (p+1) factor of a (rows beyond the rank padded with zeros).
  // Householder vectors take squared norms, which overflow for columns beyond about 1e154:
  // each column is scaled by a power of two to a largest magnitude in [1, 2) first and R's
  // column scaled back (A D = Q (R D) exactly, since powers of two scale without rounding).
  template <class = void> Eigen::MatrixXd upper_factor(Eigen::MatrixXd a) const {
    const Eigen::Index q = p_ + 1;
    Eigen::VectorXd column_scale = Eigen::VectorXd::Ones(q);
    for (Eigen::Index j = 0; j < q; ++j) {
      const double largest = a.col(j).cwiseAbs().maxCoeff();
      column_scale[j] = std::ldexp(1.0, binade(largest));
      a.col(j) /= column_scale[j];
    }
    Eigen::HouseholderQR<Eigen::Ref<Eigen::MatrixXd>> qr(a);
    Eigen::MatrixXd r = Eigen::MatrixXd::Zero(q, q);
    const Eigen::Index rows = std::min(a.rows(), q);
    r.topRows(rows) = a.topRows(rows).triangularView<Eigen::Upper>();
    return r * column_scale.asDiagonal();
  }

  Eigen::Index p_;
  bool intercept_;
  std::uint64_t n_ = 0;
  Eigen::VectorXd mean_; // means of [X y] (zero without intercept)
  Eigen::MatrixXd r_;    // R of the centred augmented rows
};

/// \brief Prints the row count, for debugging.
inline std::ostream& operator<<(std::ostream& out, const tsqr_accumulator& acc) {
  return out << "tsqr_accumulator{rows=" << acc.count() << "}";
}

} // namespace salesops::forecast

#endif // SALESOPS_FORECAST_TSQR_HPP
