#pragma once
/// Lower-case hex, shared by TaskHash and the stores: the file store's
/// listing (which decodes 6.4 million digits per 100,000 results:
/// a table lookup per digit instead of branches is several times faster).

#include <array>
#include <cstddef>
#include <cstdint>

namespace jug {

/// The value of each lower-case hex digit; 0xff for any other byte.
inline constexpr std::array<std::uint8_t, 256> kHexValue = [] {
  std::array<std::uint8_t, 256> table{};
  table.fill(0xff);
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[c] = static_cast<std::uint8_t>(c - 'a' + 10);
  return table;
}();

inline bool is_hex_digit(char c) { return kHexValue[static_cast<unsigned char>(c)] != 0xff; }

/// Writes `size` bytes as `2 * size` lower-case hex digits at `out`.
inline void encode_hex(const std::uint8_t* bytes, std::size_t size, char* out) {
  constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
}

/// Decodes `2 * size` lower-case hex digits into `size` bytes; false when
/// any of them is something else.
inline bool decode_hex(const char* digits, std::uint8_t* out, std::size_t size) {
  std::uint8_t invalid = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const std::uint8_t high = kHexValue[static_cast<unsigned char>(digits[2 * i])];
    const std::uint8_t low = kHexValue[static_cast<unsigned char>(digits[2 * i + 1])];
    invalid |= high | low;
    out[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return (invalid & 0xf0) == 0;
}

}  // namespace jug
