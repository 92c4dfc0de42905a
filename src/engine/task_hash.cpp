#include "jug/task_hash.hpp"

#include <nettle/sha2.h>

#include <cstring>

#include "engine/hex.hpp"
#include "jug/task_generator.hpp"

namespace jug {
namespace {

/// The prefix of every task's hashed bytes; a deliberate change of the hash
/// format changes it, so old and new hashes can never collide.
constexpr std::string_view kTaskHashVersion = "jug-task-1";
/// The same for tasklets (a tasklet's hash never equals a task's).
constexpr std::string_view kTaskletHashVersion = "jug-tasklet-1";

}  // namespace

TaskHash TaskHash::python_jug(const std::array<std::uint8_t, kPythonJugSize>& sha1) {
  TaskHash h;
  std::memcpy(h.bytes.data(), sha1.data(), kPythonJugSize);
  std::memcpy(h.bytes.data() + kPythonJugSize, kPythonJugTail.data(), kPythonJugTail.size());
  return h;
}

std::string TaskHash::hex() const {
  std::string out;
  append_hex(out);
  return out;
}

void TaskHash::append_hex(std::string& out, std::size_t digits) const {
  const std::size_t bytes_wanted = digits >= 2 * size() ? size() : (digits + 1) / 2;
  const std::size_t at = out.size();
  out.resize(at + 2 * bytes_wanted);
  encode_hex(bytes.data(), bytes_wanted, out.data() + at);
  if (digits < 2 * bytes_wanted) out.resize(at + digits);
}

std::optional<TaskHash> TaskHash::from_hex(std::string_view hex) {
  if (hex.size() == kPythonJugSize * 2) {
    std::array<std::uint8_t, kPythonJugSize> sha1;
    if (!decode_hex(hex.data(), sha1.data(), kPythonJugSize)) return std::nullopt;
    return python_jug(sha1);
  }
  TaskHash h;
  if (hex.size() != kSize * 2 || !decode_hex(hex.data(), h.bytes.data(), kSize) ||
      h.is_python_jug()) {  // its name would be 40 digits: these 64 name no hash
    return std::nullopt;
  }
  return h;
}

namespace {

/// SHA-256 over several pieces without joining them (nettle: small, quick to
/// load, and it uses the CPU's SHA instructions where they exist).
class Sha256 {
 public:
  Sha256() { sha256_init(&context_); }
  void update(std::string_view data) {
    sha256_update(&context_, data.size(), reinterpret_cast<const std::uint8_t*>(data.data()));
  }
  TaskHash finish() {
    TaskHash h;
    sha256_digest(&context_, TaskHash::kSize, h.bytes.data());
    return h;
  }

 private:
  sha256_ctx context_;
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

TaskHash tasklet_hash(const TaskHash& base, std::string_view kind, std::string_view key) {
  Sha256 sha;
  sha.update(kTaskletHashVersion);
  sha.update(std::string_view(reinterpret_cast<const char*>(base.bytes.data()), base.bytes.size()));
  for (std::string_view piece : {kind, key}) {
    const std::uint64_t length = piece.size();
    sha.update(std::string_view(reinterpret_cast<const char*>(&length), sizeof length));
    sha.update(piece);
  }
  return sha.finish();
}

}  // namespace detail
}  // namespace jug
