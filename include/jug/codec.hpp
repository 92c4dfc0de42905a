#pragma once
/// The codec: how values become bytes and back.
///
/// jug uses cereal's traversal of standard and user types with an archive of
/// its own, so that one format serves both storing results and hashing
/// arguments (docs/codec.md gives the exact bytes). A user type becomes
/// storable and hashable by giving it a cereal `serialize` (or `save`/`load`)
/// function, member or free: that is the one customization point.
///
/// The format is little-endian with fixed-width integers; sizes are u64.
/// Contiguous arithmetic arrays are copied as raw bytes. Unordered containers
/// are written with their elements sorted by their encoded bytes, so equal
/// containers always encode (and hash) equally.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <cereal/cereal.hpp>
#include <cereal/types/array.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/set.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/tuple.hpp>
#include <cereal/types/unordered_map.hpp>
#include <cereal/types/unordered_set.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

#include "jug/archives.hpp"
#include "jug/errors.hpp"

namespace jug {

static_assert(std::endian::native == std::endian::little,
              "jug's codec writes little-endian bytes by copying memory; "
              "a big-endian port must add byte swapping here");

namespace detail {
/// The bytes of a long double that hold its value (x86-64: the 80-bit
/// extended format); the rest of its 16 bytes is padding with arbitrary
/// content, which must not reach a hash.
inline constexpr std::size_t kLongDoubleValueBytes =
    std::numeric_limits<long double>::digits == 64 ? 10 : sizeof(long double);

inline void write_long_doubles(OutputArchive& ar, const long double* values, std::size_t count);
}  // namespace detail

template <class T>
std::enable_if_t<std::is_arithmetic_v<T>> CEREAL_SAVE_FUNCTION_NAME(OutputArchive& ar,
                                                                    const T& t) {
  if constexpr (std::is_same_v<T, bool>) {
    const std::uint8_t b = t ? 1 : 0;  // bool's object representation is not fixed
    ar.write_bytes(&b, 1);
  } else if constexpr (std::is_same_v<T, long double>) {
    detail::write_long_doubles(ar, &t, 1);
  } else {
    ar.write_bytes(&t, sizeof t);
  }
}

template <class T>
std::enable_if_t<std::is_arithmetic_v<T>> CEREAL_LOAD_FUNCTION_NAME(InputArchive& ar, T& t) {
  if constexpr (std::is_same_v<T, bool>) {
    std::uint8_t b = 0;
    ar.read_bytes(&b, 1);
    if (b > 1) throw CorruptRecord("encoded bool is neither 0 nor 1");
    t = b == 1;
  } else {
    ar.read_bytes(&t, sizeof t);
  }
}

template <class T>
void CEREAL_SERIALIZE_FUNCTION_NAME(OutputArchive& ar, cereal::NameValuePair<T>& t) {
  ar(t.value);
}
template <class T>
void CEREAL_SERIALIZE_FUNCTION_NAME(InputArchive& ar, cereal::NameValuePair<T>& t) {
  ar(t.value);
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(OutputArchive& ar, const cereal::SizeTag<T>& t) {
  const std::uint64_t size = static_cast<std::uint64_t>(t.size);
  ar.write_bytes(&size, sizeof size);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(InputArchive& ar, cereal::SizeTag<T>& t) {
  std::uint64_t size = 0;
  ar.read_bytes(&size, sizeof size);
  // Every element takes at least one byte, except elements of an empty class
  // (std::monostate...), so a count beyond both the bytes left and a modest
  // bound is corrupt: checking here stops a huge allocation.
  constexpr std::uint64_t kMaxEmptyElements = 1 << 16;
  if (size > ar.remaining() && size > kMaxEmptyElements) {
    throw CorruptRecord("encoded container claims " + std::to_string(size) +
                        " elements but only " + std::to_string(ar.remaining()) +
                        " bytes are left");
  }
  t.size = static_cast<std::remove_reference_t<T>>(size);
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(OutputArchive& ar, const cereal::BinaryData<T>& bd) {
  using Element = std::remove_cv_t<std::remove_pointer_t<T>>;
  if constexpr (std::is_same_v<Element, long double>) {
    detail::write_long_doubles(ar, static_cast<const long double*>(bd.data),
                               static_cast<std::size_t>(bd.size) / sizeof(long double));
  } else {
    ar.write_bytes(bd.data, static_cast<std::size_t>(bd.size));
  }
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(InputArchive& ar, cereal::BinaryData<T>& bd) {
  ar.read_bytes(bd.data, static_cast<std::size_t>(bd.size));
}

namespace detail {

inline void write_long_doubles(OutputArchive& ar, const long double* values, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    unsigned char bytes[sizeof(long double)] = {};
    std::memcpy(bytes, values + i, kLongDoubleValueBytes);
    ar.write_bytes(bytes, sizeof bytes);
  }
}

/// Writes the elements of an unordered container in a canonical order: sorted
/// by their encoded bytes, so that equal containers always encode equally.
/// The sort keys come from separate archives, but the elements themselves go
/// through `ar`, so that cereal's per-archive state (class versions) is
/// written exactly as reading expects.
template <class Container, class WriteElement>
void save_unordered(OutputArchive& ar, const Container& c, WriteElement write) {
  using Element = typename Container::value_type;
  std::vector<std::pair<std::string, const Element*>> keyed;
  keyed.reserve(c.size());
  for (const auto& element : c) {
    std::string bytes;
    OutputArchive element_ar(bytes);
    write(element_ar, element);
    keyed.emplace_back(std::move(bytes), &element);
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  ar(cereal::make_size_tag(static_cast<cereal::size_type>(c.size())));
  for (const auto& [bytes, element] : keyed) write(ar, *element);
}

}  // namespace detail

/// Arithmetic std::arrays: exactly N elements' bytes (cereal's own version
/// reads one byte through a null pointer when N is 0), bools one byte each.
template <class T, std::size_t N>
std::enable_if_t<std::is_arithmetic_v<T>> CEREAL_SAVE_FUNCTION_NAME(OutputArchive& ar,
                                                                    const std::array<T, N>& a) {
  if constexpr (N == 0) {
    return;
  } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, long double>) {
    for (const T& element : a) ar(element);
  } else {
    ar.write_bytes(a.data(), sizeof(T) * N);
  }
}

template <class T, std::size_t N>
std::enable_if_t<std::is_arithmetic_v<T>> CEREAL_LOAD_FUNCTION_NAME(InputArchive& ar,
                                                                    std::array<T, N>& a) {
  if constexpr (N == 0) {
    return;
  } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, long double>) {
    for (T& element : a) ar(element);
  } else {
    ar.read_bytes(a.data(), sizeof(T) * N);
  }
}

/// Vectors of numbers and strings are read without zero-filling them first
/// (cereal resizes, then overwrites): a big result is one write of memory.
template <class T, class A>
std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool> &&
                 !std::is_same_v<T, long double>>
CEREAL_LOAD_FUNCTION_NAME(InputArchive& ar, std::vector<T, A>& v) {
  cereal::size_type size = 0;
  ar(cereal::make_size_tag(size));
  v.clear();
  detail::append_elements(ar, v, size);
}

/// Vectors of anything else (strings, arrays, your own types) are read
/// element by element, growing as they decode: cereal resizes to the count
/// the record claims first, and a count that the bytes left allow (one a
/// byte) could set aside thousands of times the record's size (32 bytes
/// an element for strings, 8 KB for arrays of 1,000 doubles). (bool has
/// cereal's own, a bit an element.)
template <class T, class A>
std::enable_if_t<!(std::is_arithmetic_v<T> && !std::is_same_v<T, long double>)>
CEREAL_LOAD_FUNCTION_NAME(InputArchive& ar, std::vector<T, A>& v) {
  cereal::size_type size = 0;
  ar(cereal::make_size_tag(size));
  v.clear();
  // At most 64 KiB set aside before elements decode (a count of up to
  // 65,536 passes the size tag's check whatever the bytes left).
  constexpr cereal::size_type kReservedAtOnce =
      std::max<cereal::size_type>(1, (cereal::size_type{1} << 16) / sizeof(T));
  v.reserve(static_cast<std::size_t>(std::min(size, kReservedAtOnce)));
  for (cereal::size_type i = 0; i < size; ++i) ar(v.emplace_back());
}

template <class Traits, class A>
void CEREAL_LOAD_FUNCTION_NAME(InputArchive& ar, std::basic_string<char, Traits, A>& s) {
  cereal::size_type size = 0;
  ar(cereal::make_size_tag(size));
  ar.check_room(size, 1);
  s.clear();
  s.reserve(static_cast<std::size_t>(size));
  detail::advise_huge_pages(s.data(), static_cast<std::size_t>(size));
  while (s.size() < size) s.append(ar.next_piece(static_cast<std::size_t>(size - s.size())));
}

template <class K, class V, class H, class E, class A>
void CEREAL_SAVE_FUNCTION_NAME(OutputArchive& ar, const std::unordered_map<K, V, H, E, A>& m) {
  detail::save_unordered(ar, m, [](OutputArchive& a, const auto& kv) {
    a(kv.first, kv.second);
  });
}
template <class K, class V, class H, class E, class A>
void CEREAL_SAVE_FUNCTION_NAME(OutputArchive& ar,
                               const std::unordered_multimap<K, V, H, E, A>& m) {
  detail::save_unordered(ar, m, [](OutputArchive& a, const auto& kv) {
    a(kv.first, kv.second);
  });
}
template <class K, class H, class E, class A>
void CEREAL_SAVE_FUNCTION_NAME(OutputArchive& ar, const std::unordered_set<K, H, E, A>& s) {
  detail::save_unordered(ar, s, [](OutputArchive& a, const auto& k) { a(k); });
}
template <class K, class H, class E, class A>
void CEREAL_SAVE_FUNCTION_NAME(OutputArchive& ar,
                               const std::unordered_multiset<K, H, E, A>& s) {
  detail::save_unordered(ar, s, [](OutputArchive& a, const auto& k) { a(k); });
}

/// Appends the canonical bytes of `value` to `out`.
template <class T>
void encode_into(std::string& out, const T& value) {
  OutputArchive ar(out);
  ar(value);
}

/// The canonical bytes of `value`.
template <class T>
std::string encode(const T& value) {
  std::string out;
  encode_into(out, value);
  return out;
}

/// Decodes one T from `ar`, which must hold exactly one; throws
/// CorruptRecord when it does not.
template <class T>
T decode_from(InputArchive& ar) {
  static_assert(std::is_default_constructible_v<T>,
                "jug decodes a task's result into a default-constructed value: "
                "give the result type a default constructor");
  T value{};
  try {
    ar(value);
  } catch (const cereal::Exception& e) {
    throw CorruptRecord(std::string("cannot decode value: ") + e.what());
  }
  if (ar.remaining() != 0) {
    throw CorruptRecord("encoded value has " + std::to_string(ar.remaining()) +
                        " unexpected trailing bytes");
  }
  return value;
}

/// Decodes a value written by encode(); throws CorruptRecord when the bytes
/// do not hold exactly one T.
template <class T>
T decode(std::string_view bytes) {
  InputArchive ar(bytes);
  return decode_from<T>(ar);
}

}  // namespace jug

CEREAL_REGISTER_ARCHIVE(jug::OutputArchive)
CEREAL_REGISTER_ARCHIVE(jug::InputArchive)
CEREAL_SETUP_ARCHIVE_TRAITS(jug::InputArchive, jug::OutputArchive)
