#pragma once
/// Armadillo's matrices (Mat, Col, Row, their fixed sizes), cubes and
/// sparse matrices as task results and hashed arguments. Include it in a
/// jugfile that uses Armadillo, with Armadillo's flags:
///
///     // jug: pkg armadillo
///     #include <jug/jug.hpp>
///     #include <jug/armadillo.hpp>
///
/// jug itself does not depend on Armadillo: only jugfiles that include this
/// do.
///
/// The bytes (docs/codec.md, "Armadillo"): a matrix is its rows and columns
/// (u64 each), then its elements in column-major order as they lie in
/// memory (raw when the element is a number or std::complex of one: one
/// copy, the big-record path for large ones); a cube its rows, columns and
/// slices, then its elements. A sparse matrix is rows, columns and the
/// number of non-zeros (u64 each), then the column starts and row indices
/// (u64 each) and the values, as Armadillo keeps them (compressed sparse
/// column). Equal matrices of one type encode equally, however they were
/// made; the record names the C++ type, so one read back as another element
/// type is refused, not misread.

#include <armadillo>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "jug/codec.hpp"
#include "jug/detail/raw_scalars.hpp"
#include "jug/npy.hpp"

namespace jug::detail {

/// Armadillo's indices as the u64s the bytes hold (arma::uword is 64 bits
/// unless the jugfile asks for ARMA_32BIT_WORD).
inline void save_indices(OutputArchive& ar, const arma::uword* data, std::size_t count) {
  if constexpr (sizeof(arma::uword) == sizeof(std::uint64_t)) {
    save_scalars(ar, reinterpret_cast<const std::uint64_t*>(data), count);
  } else {
    for (std::size_t i = 0; i < count; ++i) ar(static_cast<std::uint64_t>(data[i]));
  }
}

inline void load_indices(InputArchive& ar, arma::uword* data, std::size_t count) {
  if constexpr (sizeof(arma::uword) == sizeof(std::uint64_t)) {
    load_scalars(ar, reinterpret_cast<std::uint64_t*>(data), count);
  } else {
    ar.check_room(count, sizeof(std::uint64_t));
    for (std::size_t i = 0; i < count; ++i) {
      std::uint64_t v = 0;
      ar(v);
      data[i] = static_cast<arma::uword>(v);
    }
  }
}

template <class eT>
void save_armadillo_matrix(OutputArchive& ar, const arma::Mat<eT>& m) {
  ar(static_cast<std::uint64_t>(m.n_rows), static_cast<std::uint64_t>(m.n_cols));
  save_scalars(ar, m.memptr(), m.n_elem);
}

/// save_armadillo_matrix's inverse: a Col must have one column, a Row one
/// row, a fixed size its own; `what` is for messages.
template <class eT>
void load_armadillo_matrix(InputArchive& ar, arma::Mat<eT>& m, const char* what) {
  std::uint64_t rows = 0, cols = 0;
  ar(rows, cols);
  check_elements_fit(ar, {rows, cols}, what);
  const bool is_col = m.vec_state == 1, is_row = m.vec_state == 2;
  if ((is_col && cols != 1) || (is_row && rows != 1)) {
    throw CorruptRecord(std::string("stored ") + what + " has " + std::to_string(rows) +
                        " rows and " + std::to_string(cols) + " columns");
  }
  if (m.mem_state == 3 && (rows != m.n_rows || cols != m.n_cols)) {  // a fixed size
    throw CorruptRecord(std::string("stored ") + what + " has " + std::to_string(rows) + "x" +
                        std::to_string(cols) + " elements, its fixed-size type " +
                        std::to_string(m.n_rows) + "x" + std::to_string(m.n_cols));
  }
  m.set_size(static_cast<arma::uword>(rows), static_cast<arma::uword>(cols));  // not zeroed
  load_scalars(ar, m.memptr(), m.n_elem);
}

}  // namespace jug::detail

namespace jug {

/// Writes a matrix as a .npy file (npy.hpp), in Armadillo's column-major
/// order: two dimensions; one for a Col or Row.
template <class eT>
void write_npy(const std::string& path, const arma::Mat<eT>& m) {
  const std::uint64_t matrix_shape[] = {m.n_rows, m.n_cols};
  const std::uint64_t vector_shape[] = {m.n_elem};
  write_npy(path, NpyArray{m.memptr(), npy_dtype<eT>(), sizeof(eT),
                           m.vec_state != 0 ? std::span<const std::uint64_t>(vector_shape)
                                            : std::span<const std::uint64_t>(matrix_shape),
                           true});
}

/// Writes a cube as a three-dimensional .npy file: rows, columns, slices.
template <class eT>
void write_npy(const std::string& path, const arma::Cube<eT>& c) {
  const std::uint64_t shape[] = {c.n_rows, c.n_cols, c.n_slices};
  write_npy(path, NpyArray{c.memptr(), npy_dtype<eT>(), sizeof(eT), shape, true});
}

}  // namespace jug

// cereal finds non-member save and load functions in the cereal namespace.
// Col, Row and the fixed sizes are Mats: these overloads serve them all.
namespace cereal {

template <class eT>
void CEREAL_SAVE_FUNCTION_NAME(jug::OutputArchive& ar, const arma::Mat<eT>& m) {
  jug::detail::save_armadillo_matrix(ar, m);
}

template <class eT>
void CEREAL_LOAD_FUNCTION_NAME(jug::InputArchive& ar, arma::Mat<eT>& m) {
  jug::detail::load_armadillo_matrix(ar, m, "Armadillo matrix");
}

template <class eT>
void CEREAL_SAVE_FUNCTION_NAME(jug::OutputArchive& ar, const arma::Cube<eT>& c) {
  ar(static_cast<std::uint64_t>(c.n_rows), static_cast<std::uint64_t>(c.n_cols),
     static_cast<std::uint64_t>(c.n_slices));
  jug::detail::save_scalars(ar, c.memptr(), c.n_elem);
}

template <class eT>
void CEREAL_LOAD_FUNCTION_NAME(jug::InputArchive& ar, arma::Cube<eT>& c) {
  std::uint64_t rows = 0, cols = 0, slices = 0;
  ar(rows, cols, slices);
  jug::detail::check_elements_fit(ar, {rows, cols, slices}, "Armadillo cube");
  c.set_size(static_cast<arma::uword>(rows), static_cast<arma::uword>(cols),
             static_cast<arma::uword>(slices));  // not zeroed
  jug::detail::load_scalars(ar, c.memptr(), c.n_elem);
}

template <class eT>
void CEREAL_SAVE_FUNCTION_NAME(jug::OutputArchive& ar, const arma::SpMat<eT>& m) {
  m.sync();  // the compressed arrays, up to date with any element set since
  ar(static_cast<std::uint64_t>(m.n_rows), static_cast<std::uint64_t>(m.n_cols),
     static_cast<std::uint64_t>(m.n_nonzero));
  jug::detail::save_indices(ar, m.col_ptrs, m.n_cols + 1);
  jug::detail::save_indices(ar, m.row_indices, m.n_nonzero);
  jug::detail::save_scalars(ar, m.values, m.n_nonzero);
}

template <class eT>
void CEREAL_LOAD_FUNCTION_NAME(jug::InputArchive& ar, arma::SpMat<eT>& m) {
  std::uint64_t rows = 0, cols = 0, non_zeros = 0;
  ar(rows, cols, non_zeros);
  if (cols >= ar.remaining() / sizeof(std::uint64_t) ||
      non_zeros > ar.remaining() / sizeof(std::uint64_t)) {
    throw jug::CorruptRecord("stored sparse matrix claims more entries than bytes are left");
  }
  arma::uvec col_ptrs(static_cast<arma::uword>(cols) + 1, arma::fill::none);
  arma::uvec row_indices(static_cast<arma::uword>(non_zeros), arma::fill::none);
  arma::Col<eT> values(static_cast<arma::uword>(non_zeros), arma::fill::none);
  jug::detail::load_indices(ar, col_ptrs.memptr(), col_ptrs.n_elem);
  jug::detail::load_indices(ar, row_indices.memptr(), row_indices.n_elem);
  jug::detail::load_scalars(ar, values.memptr(), values.n_elem);
  // The indices came from the record: a damaged one must not reach a task
  // (or Armadillo) as an index out of range.
  if (col_ptrs[0] != 0 || col_ptrs[static_cast<arma::uword>(cols)] != non_zeros) {
    throw jug::CorruptRecord("stored sparse matrix's column starts disagree with its entries");
  }
  for (arma::uword c = 0; c < cols; ++c) {
    if (col_ptrs[c] > col_ptrs[c + 1]) {
      throw jug::CorruptRecord("stored sparse matrix is not ordered");
    }
    for (arma::uword k = col_ptrs[c]; k < col_ptrs[c + 1]; ++k) {
      if (row_indices[k] >= rows || (k > col_ptrs[c] && row_indices[k] <= row_indices[k - 1])) {
        throw jug::CorruptRecord("stored sparse matrix has a row index out of range or order");
      }
    }
  }
  m = arma::SpMat<eT>(row_indices, col_ptrs, values, static_cast<arma::uword>(rows),
                      static_cast<arma::uword>(cols));
}

}  // namespace cereal
