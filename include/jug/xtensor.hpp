#pragma once
/// xtensor's containers (xt::xarray, of any rank, and xt::xtensor<T, N>, in
/// row- or column-major layout) as task results and hashed arguments.
/// Include it in a jugfile that uses xtensor, with xtensor's flags:
///
///     // jug: pkg xtensor
///     #include <jug/jug.hpp>
///     #include <jug/xtensor.hpp>
///
/// jug itself does not depend on xtensor: only jugfiles that include this
/// do.
///
/// The bytes (docs/codec.md, "xtensor"): the rank (u64), the layout (one
/// byte: `R` row-major, `C` column-major), the shape (u64 each), then the
/// elements in that layout as they lie in memory (raw when the element is a
/// number or std::complex of one: one copy, the big-record path for large
/// ones). Equal arrays of one type encode equally, however they were made;
/// the record names the C++ type, so one read back as another element
/// type, rank or layout is refused, not misread.

#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "jug/codec.hpp"
#include "jug/detail/raw_scalars.hpp"
#include "jug/npy.hpp"

namespace jug::detail {

inline constexpr char kRowMajor = 'R';
inline constexpr char kColumnMajor = 'C';
/// The rank of an xarray: any.
inline constexpr std::size_t kAnyRank = ~std::size_t{0};

template <class Container>
void save_xtensor(OutputArchive& ar, const Container& a) {
  ar(static_cast<std::uint64_t>(a.dimension()),
     static_cast<char>(a.layout() == xt::layout_type::column_major ? kColumnMajor : kRowMajor));
  for (const auto extent : a.shape()) ar(static_cast<std::uint64_t>(extent));
  save_scalars(ar, a.data(), a.size());
}

/// save_xtensor's inverse. `Rank` is the container's fixed rank, or
/// kAnyRank (xarray); `Layout` its layout, or dynamic.
template <std::size_t Rank, xt::layout_type Layout, class Container>
void load_xtensor(InputArchive& ar, Container& a, const char* what) {
  std::uint64_t rank = 0;
  char layout = 0;
  ar(rank, layout);
  if (layout != kRowMajor && layout != kColumnMajor) {
    throw CorruptRecord(std::string("stored ") + what + " has an unknown layout");
  }
  const xt::layout_type stored_layout =
      layout == kColumnMajor ? xt::layout_type::column_major : xt::layout_type::row_major;
  if (Layout != xt::layout_type::dynamic && stored_layout != Layout) {
    throw CorruptRecord(std::string("stored ") + what + " has another layout than its type");
  }
  if (Rank != kAnyRank && rank != Rank) {
    throw CorruptRecord(std::string("stored ") + what + " has rank " + std::to_string(rank) +
                        ", its type " + std::to_string(Rank));
  }
  ar.check_room(rank, sizeof(std::uint64_t));
  std::vector<std::uint64_t> extents(static_cast<std::size_t>(rank));
  for (std::uint64_t& extent : extents) ar(extent);
  check_elements_fit(ar, extents, what);
  typename Container::shape_type shape;
  if constexpr (Rank == kAnyRank) shape.resize(extents.size());
  for (std::size_t i = 0; i < extents.size(); ++i) {
    shape[i] = static_cast<typename Container::shape_type::value_type>(extents[i]);
  }
  if constexpr (Layout == xt::layout_type::dynamic) {
    a.resize(shape, stored_layout);
  } else {
    a.resize(shape);  // xtensor's own containers leave numbers uninitialised
  }
  load_scalars(ar, a.data(), a.size());
}

}  // namespace jug::detail

namespace jug {

namespace detail {
template <class Container>
void write_xtensor_npy(const std::string& path, const Container& a) {
  using T = typename Container::value_type;
  const std::vector<std::uint64_t> shape(a.shape().begin(), a.shape().end());
  write_npy(path, NpyArray{a.data(), npy_dtype<T>(), sizeof(T), shape,
                           a.layout() == xt::layout_type::column_major});
}
}  // namespace detail

/// Writes an array as a .npy file (npy.hpp): its shape, in its layout.
template <class EC, xt::layout_type L, class SC, class Tag>
void write_npy(const std::string& path, const xt::xarray_container<EC, L, SC, Tag>& a) {
  detail::write_xtensor_npy(path, a);
}
template <class EC, std::size_t N, xt::layout_type L, class Tag>
void write_npy(const std::string& path, const xt::xtensor_container<EC, N, L, Tag>& a) {
  detail::write_xtensor_npy(path, a);
}

}  // namespace jug

// cereal finds non-member save and load functions in the cereal namespace.
namespace cereal {

template <class EC, xt::layout_type L, class SC, class Tag>
void CEREAL_SAVE_FUNCTION_NAME(jug::OutputArchive& ar,
                               const xt::xarray_container<EC, L, SC, Tag>& a) {
  jug::detail::save_xtensor(ar, a);
}

template <class EC, xt::layout_type L, class SC, class Tag>
void CEREAL_LOAD_FUNCTION_NAME(jug::InputArchive& ar, xt::xarray_container<EC, L, SC, Tag>& a) {
  jug::detail::load_xtensor<jug::detail::kAnyRank, L>(ar, a, "xtensor array");
}

template <class EC, std::size_t N, xt::layout_type L, class Tag>
void CEREAL_SAVE_FUNCTION_NAME(jug::OutputArchive& ar,
                               const xt::xtensor_container<EC, N, L, Tag>& a) {
  jug::detail::save_xtensor(ar, a);
}

template <class EC, std::size_t N, xt::layout_type L, class Tag>
void CEREAL_LOAD_FUNCTION_NAME(jug::InputArchive& ar, xt::xtensor_container<EC, N, L, Tag>& a) {
  jug::detail::load_xtensor<N, L>(ar, a, "xtensor");
}

}  // namespace cereal
