#include "jug/input_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "jug/errors.hpp"
#include "jug/task_hash.hpp"

namespace jug {
namespace {

[[noreturn]] void cannot_read(const std::string& path, int err) {
  throw Error(fmt::format("jug: cannot read the input file {}: {}. Check the path (relative paths "
                          "are from the directory jug runs in).",
                          path, std::strerror(err)));
}

}  // namespace

HashedAs<std::string> input_file(const std::string& path, InputFileOptions options) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) cannot_read(path, errno);
  if (S_ISDIR(st.st_mode)) cannot_read(path, EISDIR);
  // The key names the kind of key first, so that the two kinds never meet.
  if (options.hash_content) {
    std::ifstream in(path, std::ios::binary);
    if (!in) cannot_read(path, errno != 0 ? errno : EACCES);
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) cannot_read(path, EIO);
    return hashed_as(path, fmt::format("file-content\npath={}\nsha256={}", path,
                                       TaskHash::of(content.view()).hex()));
  }
  return hashed_as(path, fmt::format("file\npath={}\nsize={}\nmtime_ns={}", path, st.st_size,
                                     static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL +
                                         st.st_mtim.tv_nsec));
}

}  // namespace jug
