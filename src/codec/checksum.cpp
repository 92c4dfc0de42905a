#include "codec/checksum.hpp"

namespace jug::record {
namespace {

const detail::Xxh3& fastest() {
#if defined(__x86_64__)
  static const detail::Xxh3& chosen =
      __builtin_cpu_supports("avx2") ? detail::kXxh3Avx2 : detail::kXxh3Default;
  return chosen;
#else
  return detail::kXxh3Default;
#endif
}

}  // namespace

std::uint64_t checksum_of(std::string_view bytes, std::uint64_t seed) {
  return fastest().of(bytes.data(), bytes.size(), seed);
}

Checksum::Checksum(std::uint64_t seed) { fastest().reset(state_, seed); }

void Checksum::add(const char* data, std::size_t size) { fastest().add(state_, data, size); }

std::uint64_t Checksum::value() const { return fastest().value(state_); }

std::array<unsigned char, 16> Checksum::wide_value() const {
  std::array<unsigned char, 16> out;
  fastest().wide_value(state_, out.data());
  return out;
}

}  // namespace jug::record
