// What the machine can do with one big array, for bench/big_results to set
// jug beside: the same doubles as big_results_jugfile.cpp's `produce`.
//
//   bench_big_results_limits write FILE COUNT   make the doubles, write them, fdatasync
//   bench_big_results_limits read FILE          read them into a buffer made and touched
//                                               first; prints the seconds of the read
//                                               and of the sum, the buffer excluded
//   bench_big_results_limits fresh FILE         read them into new memory (not touched
//                                               first: the kernel zeroes each page as the
//                                               read reaches it, as it does for any value
//                                               a process makes) and sum them
//   bench_big_results_limits mapped FILE        map the file and sum it
//   bench_big_results_limits start              nothing: the start-up of a process
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

// Sums with std::reduce, as big_results_jugfile.cpp does.

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void fail(const char* what, const std::string& path) {
  std::fprintf(stderr, "%s %s: %s\n", what, path.c_str(), std::strerror(errno));
  std::exit(1);
}

std::vector<double> make(std::size_t count) {
  std::vector<double> values(count);
  std::uint64_t x = 88172645463325252ull;
  for (double& v : values) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    v = static_cast<double>(x >> 11) * 0x1.0p-53;
  }
  return values;
}

void write_file(const std::string& path, std::size_t count) {
  const std::vector<double> values = make(count);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) fail("cannot create", path);
  const char* data = reinterpret_cast<const char*>(values.data());
  std::size_t left = values.size() * sizeof(double);
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n <= 0) fail("cannot write", path);
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd) != 0) fail("cannot sync", path);
  ::close(fd);
}

std::size_t size_of(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) fail("cannot stat", path);
  return static_cast<std::size_t>(st.st_size);
}

/// Reads `bytes` bytes of `fd` into `data`.
void read_all(int fd, char* data, std::size_t bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t n = ::read(fd, data + done, bytes - done);
    if (n <= 0) fail("cannot read", path);
    done += static_cast<std::size_t>(n);
  }
}

void read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) fail("cannot open", path);
  const std::size_t bytes = size_of(fd, path);
  std::vector<double> values(bytes / sizeof(double), 1.0);  // made and touched: ready
  const auto start = Clock::now();
  char* data = reinterpret_cast<char*>(values.data());
  read_all(fd, data, bytes, path);
  const double read_seconds = seconds_since(start);
  const auto sum_start = Clock::now();
  const double sum = std::reduce(values.begin(), values.end(), 0.0);
  std::printf("read %.4f sum %.4f (%g)\n", read_seconds, seconds_since(sum_start), sum);
}

void read_fresh(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) fail("cannot open", path);
  const std::size_t bytes = size_of(fd, path);
  const std::size_t count = bytes / sizeof(double);
  std::unique_ptr<double[]> values(new double[count]);  // not initialised: fresh pages
  char* data = reinterpret_cast<char*>(values.get());
  read_all(fd, data, bytes, path);
  std::printf("%g\n", std::reduce(values.get(), values.get() + count, 0.0));
}

void sum_mapped(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) fail("cannot open", path);
  const std::size_t bytes = size_of(fd, path);
  void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) fail("cannot map", path);
  const double* values = static_cast<const double*>(map);
  std::printf("%g\n", std::reduce(values, values + bytes / sizeof(double), 0.0));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "write" && argc == 4) {
    write_file(argv[2], std::stoull(argv[3]));
  } else if (mode == "read" && argc == 3) {
    read_file(argv[2]);
  } else if (mode == "fresh" && argc == 3) {
    read_fresh(argv[2]);
  } else if (mode == "mapped" && argc == 3) {
    sum_mapped(argv[2]);
  } else if (mode != "start") {
    std::fprintf(stderr, "usage: %s write FILE COUNT | read FILE | fresh FILE | mapped FILE | start\n", argv[0]);
    return 2;
  }
  return 0;
}
