#include "jug/task_hash.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "jug/task_generator.hpp"

namespace jug {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/// The prefix of every task's hashed bytes; a deliberate change of the hash
/// format changes it, so old and new hashes can never collide.
constexpr std::string_view kTaskHashVersion = "jug-task-1";

}  // namespace

std::string TaskHash::hex() const {
  std::string out(kSize * 2, '0');
  for (std::size_t i = 0; i < kSize; ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0xf];
  }
  return out;
}

std::optional<TaskHash> TaskHash::from_hex(std::string_view hex) {
  if (hex.size() != kSize * 2) return std::nullopt;
  TaskHash h;
  for (std::size_t i = 0; i < kSize; ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    h.bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return h;
}

namespace {

/// SHA-256 over several pieces without joining them. Fetching the algorithm
/// and making a context cost more than hashing a small task's bytes: both
/// are done once (the context once per thread).
class Sha256 {
 public:
  Sha256() : context_(thread_context()) {
    if (sha256() == nullptr || context_ == nullptr ||
        EVP_DigestInit_ex(context_, sha256(), nullptr) != 1) {
      fail();
    }
  }
  void update(std::string_view data) {
    if (EVP_DigestUpdate(context_, data.data(), data.size()) != 1) fail();
  }
  TaskHash finish() {
    TaskHash h;
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_, h.bytes.data(), &length) != 1 || length != TaskHash::kSize) {
      fail();
    }
    return h;
  }

 private:
  [[noreturn]] static void fail() {
    throw std::runtime_error(
        "SHA-256 failed in OpenSSL (is libcrypto's default provider available?)");
  }
  static EVP_MD* sha256() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
  }
  static EVP_MD_CTX* thread_context() {
    struct Deleter {
      void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
    };
    thread_local const std::unique_ptr<EVP_MD_CTX, Deleter> context(EVP_MD_CTX_new());
    return context.get();
  }

  EVP_MD_CTX* context_;
};

}  // namespace

TaskHash TaskHash::of(std::string_view data) {
  Sha256 sha;
  sha.update(data);
  return sha.finish();
}

namespace detail {

TaskHash task_hash(std::string_view name, const std::string& argument_bytes) {
  Sha256 sha;
  sha.update(kTaskHashVersion);
  const std::uint64_t name_length = name.size();
  sha.update(std::string_view(reinterpret_cast<const char*>(&name_length), sizeof name_length));
  sha.update(name);
  sha.update(argument_bytes);
  return sha.finish();
}

}  // namespace detail
}  // namespace jug
