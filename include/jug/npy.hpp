#pragma once
/// Arrays written as NumPy's .npy files, for other tools: `numpy.load`
/// reads them with the right dtype, shape and element order.
///
///     jug::write_npy("features.npy", features);  // a std::vector<double>
///
/// The array headers add their types (eigen.hpp, armadillo.hpp,
/// xtensor.hpp). The file is written beside its final name and renamed
/// into place, so a reader sees it whole or not at all. docs/codec.md,
/// "Arrays for other tools".

#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace jug {

/// NumPy's name (its `descr`) for an element type stored as its own bytes,
/// little-endian: `<f8` for double, `<c16` for std::complex<double>...
template <class T>
constexpr std::string_view npy_dtype() {
  if constexpr (std::is_same_v<T, bool>) {
    return "|b1";
  } else if constexpr (std::is_same_v<T, float>) {
    return "<f4";
  } else if constexpr (std::is_same_v<T, double>) {
    return "<f8";
  } else if constexpr (std::is_same_v<T, std::complex<float>>) {
    return "<c8";
  } else if constexpr (std::is_same_v<T, std::complex<double>>) {
    return "<c16";
  } else if constexpr (std::is_integral_v<T> && sizeof(T) == 1) {
    return std::is_signed_v<T> ? "|i1" : "|u1";
  } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    constexpr std::string_view names[] = {"<i2", "<i4", "<i8"};
    return names[sizeof(T) == 2 ? 0 : sizeof(T) == 4 ? 1 : 2];
  } else if constexpr (std::is_integral_v<T>) {
    constexpr std::string_view names[] = {"<u2", "<u4", "<u8"};
    return names[sizeof(T) == 2 ? 0 : sizeof(T) == 4 ? 1 : 2];
  } else {
    static_assert(sizeof(T) == 0,
                  "jug::write_npy: NumPy has no dtype for this element type (numbers, bool "
                  "and std::complex<float or double> only)");
  }
}

/// An array as a .npy file describes it: its elements where they lie, the
/// dtype of one, the extent of each dimension, and whether the first
/// dimension varies fastest (Fortran, column-major) or the last (C).
struct NpyArray {
  const void* data = nullptr;
  std::string_view dtype;
  std::size_t element_size = 0;
  std::span<const std::uint64_t> shape;
  bool fortran_order = false;
};

/// Writes `array` to `path` as a .npy file (format 1.0, or 2.0 when the
/// header needs it). Throws jug::Error naming the path when it cannot.
void write_npy(const std::string& path, const NpyArray& array);

/// A vector as a one-dimensional array.
template <class T, class A>
void write_npy(const std::string& path, const std::vector<T, A>& values) {
  static_assert(!std::is_same_v<T, bool>, "std::vector<bool> holds bits, not bools");
  const std::uint64_t shape[] = {values.size()};
  write_npy(path, NpyArray{values.data(), npy_dtype<T>(), sizeof(T), shape, false});
}

}  // namespace jug
