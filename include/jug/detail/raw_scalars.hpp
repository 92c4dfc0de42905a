#pragma once
/// Runs of numbers written as the bytes they lie in memory as: the shared
/// part of the array headers (eigen.hpp, armadillo.hpp, xtensor.hpp). One
/// call per array, so a big one is one piece on its way to the store (the
/// big-record path) and into its hash (its digest), with no copy.

#include <complex>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <type_traits>

#include "jug/codec.hpp"

namespace jug::detail {

/// A scalar whose bytes are its value: numbers (not bool, whose bytes are
/// not fixed, nor long double, whose padding is arbitrary) and
/// std::complex of them.
template <class S>
inline constexpr bool raw_scalar_v =
    std::is_arithmetic_v<S> && !std::is_same_v<S, bool> && !std::is_same_v<S, long double>;
template <class S>
inline constexpr bool raw_scalar_v<std::complex<S>> = raw_scalar_v<S>;

/// Writes `count` scalars from `data`: as raw bytes where that is their
/// value, else one by one.
template <class S>
void save_scalars(OutputArchive& ar, const S* data, std::size_t count) {
  if constexpr (raw_scalar_v<S>) {
    if (count != 0) ar.write_bytes(data, count * sizeof(S));
  } else {
    for (std::size_t i = 0; i < count; ++i) ar(data[i]);
  }
}

/// save_scalars' inverse, into memory made for `count` scalars.
template <class S>
void load_scalars(InputArchive& ar, S* data, std::size_t count) {
  if constexpr (raw_scalar_v<S>) {
    ar.check_room(count, sizeof(S));
    if (count != 0) ar.read_bytes(data, count * sizeof(S));
  } else {
    for (std::size_t i = 0; i < count; ++i) ar(data[i]);
  }
}

/// Throws CorruptRecord unless the stored dimensions, multiplied, fit in
/// what is left of the record (at least a byte per element): checked before
/// memory is set aside for them. `what` names the array in the message.
inline void check_elements_fit(InputArchive& ar, std::span<const std::uint64_t> dimensions,
                               const std::string& what) {
  std::uint64_t elements = 1;
  for (const std::uint64_t d : dimensions) {
    if (d == 0) return;  // empty: nothing to set aside
    if (elements > ar.remaining() / d) {
      throw CorruptRecord("stored " + what + " claims more elements than bytes are left");
    }
    elements *= d;
  }
  if (elements > ar.remaining()) {
    throw CorruptRecord("stored " + what + " claims more elements than bytes are left");
  }
}

inline void check_elements_fit(InputArchive& ar, std::initializer_list<std::uint64_t> dimensions,
                               const std::string& what) {
  check_elements_fit(ar, std::span<const std::uint64_t>(dimensions.begin(), dimensions.size()),
                     what);
}

}  // namespace jug::detail
