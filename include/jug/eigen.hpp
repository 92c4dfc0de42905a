#pragma once
/// Eigen's dense matrices and arrays (any scalar, fixed or dynamic size,
/// row- or column-major) and sparse matrices as task results and hashed
/// arguments. Include it in a jugfile that uses Eigen, with Eigen's flags:
///
///     // jug: pkg eigen3
///     #include <jug/jug.hpp>
///     #include <jug/eigen.hpp>
///
/// jug itself does not depend on Eigen: only jugfiles that include this do.
///
/// The bytes (docs/codec.md, "Eigen"): a dense matrix is its rows and
/// columns (u64 each), then its elements in its own storage order, as they
/// lie in memory when the scalar is a number or std::complex of one (one
/// copy, no conversion, the big-record path for large ones); element by
/// element otherwise. A sparse matrix is stored compressed: rows, columns
/// and the number of non-zeros (u64 each), then the outer starts, inner
/// indices and values arrays. Equal matrices of one type encode equally,
/// however they were made. The record names the C++ type, so a matrix read
/// back as another scalar type, size or order is refused, not misread.

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <complex>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "jug/codec.hpp"
#include "jug/detail/element_views.hpp"
#include "jug/detail/raw_scalars.hpp"
#include "jug/npy.hpp"

namespace jug::detail {

/// Checks a stored dimension against a fixed one (Eigen::Dynamic: any).
inline void check_dimension(std::uint64_t stored, int fixed, const char* what) {
  if (fixed != Eigen::Dynamic && stored != static_cast<std::uint64_t>(fixed)) {
    throw CorruptRecord("stored Eigen matrix has " + std::to_string(stored) + " " + what +
                        ", its fixed-size type " + std::to_string(fixed));
  }
}

/// A dense Matrix or Array: rows, columns, then its scalars in its own
/// storage order.
template <class Dense>
void save_dense(OutputArchive& ar, const Dense& m) {
  const std::uint64_t rows = static_cast<std::uint64_t>(m.rows());
  const std::uint64_t cols = static_cast<std::uint64_t>(m.cols());
  ar(rows, cols);
  save_scalars(ar, m.data(), static_cast<std::size_t>(m.size()));
}

/// save_dense's inverse, for a type of fixed (or Eigen::Dynamic) `Rows` and
/// `Cols`; `what` ("matrix", "array") is for messages.
template <int Rows, int Cols, class Dense>
void load_dense(InputArchive& ar, Dense& m, const char* what) {
  std::uint64_t rows = 0, cols = 0;
  ar(rows, cols);
  check_dimension(rows, Rows, "rows");
  check_dimension(cols, Cols, "columns");
  check_elements_fit(ar, {rows, cols}, std::string("Eigen ") + what);
  m.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));  // not zeroed
  load_scalars(ar, m.data(), static_cast<std::size_t>(m.size()));
}

// ---- views: Eigen::Map<const MatrixXd> given a Task<MatrixXd> ----------------

/// A dense matrix or array result: its elements and shape, for views
/// (element_views.hpp).
template <class Dense>
struct EigenArrayResult {
  using element = typename Dense::Scalar;
  static constexpr bool viewable = raw_scalar_v<element>;
  static constexpr std::size_t shape_words = 2;  // rows, columns
  static ArrayElements of(const Dense& m) {
    return {{reinterpret_cast<const char*>(m.data()),
             static_cast<std::size_t>(m.size()) * sizeof(element)},
            static_cast<std::uint64_t>(m.rows()),
            static_cast<std::uint64_t>(m.cols())};
  }
};
template <class S, int R, int C, int O, int MR, int MC>
struct ArrayResult<Eigen::Matrix<S, R, C, O, MR, MC>>
    : EigenArrayResult<Eigen::Matrix<S, R, C, O, MR, MC>> {};
template <class S, int R, int C, int O, int MR, int MC>
struct ArrayResult<Eigen::Array<S, R, C, O, MR, MC>>
    : EigenArrayResult<Eigen::Array<S, R, C, O, MR, MC>> {};

/// A read-only Map of a whole dense matrix or array (no stride of its own)
/// is a view: a parameter `Eigen::Map<const Eigen::MatrixXd>` given a
/// Task<Eigen::MatrixXd> reads the stored elements where they lie.
template <class Dense, int Options>
struct ArrayView<Eigen::Map<const Dense, Options, Eigen::Stride<0, 0>>> {
  static constexpr bool is_view = ArrayResult<Dense>::viewable;
  using element = typename Dense::Scalar;
  static Eigen::Map<const Dense, Options> make(const element* data, const ArrayElements& array) {
    return {data, static_cast<Eigen::Index>(array.rows), static_cast<Eigen::Index>(array.cols)};
  }
};
template <class Dense, int Options>
  requires ArrayResult<Dense>::viewable
struct ViewOf<Eigen::Map<const Dense, Options, Eigen::Stride<0, 0>>, Task<Dense>>
    : std::true_type {};

}  // namespace jug::detail

namespace jug {

/// Writes a dense matrix or array as a .npy file (npy.hpp): two dimensions,
/// in the matrix's own storage order; one for a vector type (VectorXd,
/// RowVectorXd, Array3f...).
template <class Derived>
void write_npy(const std::string& path, const Eigen::PlainObjectBase<Derived>& m) {
  using Scalar = typename Derived::Scalar;
  constexpr bool is_vector = Derived::RowsAtCompileTime == 1 || Derived::ColsAtCompileTime == 1;
  const std::uint64_t matrix_shape[] = {static_cast<std::uint64_t>(m.rows()),
                                        static_cast<std::uint64_t>(m.cols())};
  const std::uint64_t vector_shape[] = {static_cast<std::uint64_t>(m.size())};
  write_npy(path, NpyArray{m.data(), npy_dtype<Scalar>(), sizeof(Scalar),
                           is_vector ? std::span<const std::uint64_t>(vector_shape)
                                     : std::span<const std::uint64_t>(matrix_shape),
                           !Derived::IsRowMajor});
}

}  // namespace jug

// cereal finds non-member save and load functions in the cereal namespace.
namespace cereal {

template <class S, int R, int C, int O, int MR, int MC>
void CEREAL_SAVE_FUNCTION_NAME(jug::OutputArchive& ar,
                               const Eigen::Matrix<S, R, C, O, MR, MC>& m) {
  jug::detail::save_dense(ar, m);
}

template <class S, int R, int C, int O, int MR, int MC>
void CEREAL_LOAD_FUNCTION_NAME(jug::InputArchive& ar, Eigen::Matrix<S, R, C, O, MR, MC>& m) {
  jug::detail::load_dense<R, C>(ar, m, "matrix");
}

template <class S, int R, int C, int O, int MR, int MC>
void CEREAL_SAVE_FUNCTION_NAME(jug::OutputArchive& ar,
                               const Eigen::Array<S, R, C, O, MR, MC>& a) {
  jug::detail::save_dense(ar, a);
}

template <class S, int R, int C, int O, int MR, int MC>
void CEREAL_LOAD_FUNCTION_NAME(jug::InputArchive& ar, Eigen::Array<S, R, C, O, MR, MC>& a) {
  jug::detail::load_dense<R, C>(ar, a, "array");
}

template <class S, int O, class I>
void CEREAL_SAVE_FUNCTION_NAME(jug::OutputArchive& ar, const Eigen::SparseMatrix<S, O, I>& given) {
  // Compressed, so that equal matrices encode equally however they were built.
  Eigen::SparseMatrix<S, O, I> compressed;
  const Eigen::SparseMatrix<S, O, I>* m = &given;
  if (!given.isCompressed()) {
    compressed = given;
    compressed.makeCompressed();
    m = &compressed;
  }
  const std::uint64_t rows = static_cast<std::uint64_t>(m->rows());
  const std::uint64_t cols = static_cast<std::uint64_t>(m->cols());
  const std::uint64_t non_zeros = static_cast<std::uint64_t>(m->nonZeros());
  ar(rows, cols, non_zeros);
  jug::detail::save_scalars(ar, m->outerIndexPtr(), static_cast<std::size_t>(m->outerSize()) + 1);
  jug::detail::save_scalars(ar, m->innerIndexPtr(), static_cast<std::size_t>(non_zeros));
  jug::detail::save_scalars(ar, m->valuePtr(), static_cast<std::size_t>(non_zeros));
}

template <class S, int O, class I>
void CEREAL_LOAD_FUNCTION_NAME(jug::InputArchive& ar, Eigen::SparseMatrix<S, O, I>& m) {
  std::uint64_t rows = 0, cols = 0, non_zeros = 0;
  ar(rows, cols, non_zeros);
  const std::uint64_t outer = (O & Eigen::RowMajorBit) ? rows : cols;
  if (outer >= ar.remaining() / sizeof(I) || non_zeros > ar.remaining() / sizeof(I)) {
    throw jug::CorruptRecord("stored sparse matrix claims more entries than bytes are left");
  }
  m.resize(static_cast<I>(rows), static_cast<I>(cols));
  m.resizeNonZeros(static_cast<Eigen::Index>(non_zeros));
  jug::detail::load_scalars(ar, m.outerIndexPtr(), static_cast<std::size_t>(outer) + 1);
  jug::detail::load_scalars(ar, m.innerIndexPtr(), static_cast<std::size_t>(non_zeros));
  jug::detail::load_scalars(ar, m.valuePtr(), static_cast<std::size_t>(non_zeros));
  // The indices came from the record: a damaged one must not reach a task
  // as an index out of range.
  const I* starts = m.outerIndexPtr();
  for (std::uint64_t k = 0; k < outer; ++k) {
    if (starts[k] > starts[k + 1]) throw jug::CorruptRecord("stored sparse matrix is not ordered");
  }
  if (starts[0] != 0 || static_cast<std::uint64_t>(starts[outer]) != non_zeros) {
    throw jug::CorruptRecord("stored sparse matrix's starts disagree with its entries");
  }
  const std::uint64_t inner = (O & Eigen::RowMajorBit) ? cols : rows;
  for (std::uint64_t k = 0; k < non_zeros; ++k) {
    const I index = m.innerIndexPtr()[k];
    if (index < 0 || static_cast<std::uint64_t>(index) >= inner) {
      throw jug::CorruptRecord("stored sparse matrix has an index out of range");
    }
  }
}

}  // namespace cereal
