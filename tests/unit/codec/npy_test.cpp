/// Tests of jug::write_npy (include/jug/npy.hpp, src/codec/npy.cpp): the
/// bytes NumPy's format 1.0 asks for (magic, version, a header dict padded
/// to 64 bytes and ended by a newline, then the elements), the dtype of
/// each element type, shapes of every rank, and a clear error where the
/// file cannot be written. numpy itself reads them in
/// tests/integration/test_arrays.py.

#include "jug/npy.hpp"

#include <gtest/gtest.h>

#include <complex>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "jug/errors.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Npy : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("jug-npy-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

/// The header dict of a .npy file, checking the bytes around it.
std::string header_of(const std::string& file, std::size_t data_bytes) {
  EXPECT_EQ(file.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(file[6], 1);
  EXPECT_EQ(file[7], 0);
  const std::size_t length = static_cast<unsigned char>(file[8]) |
                             static_cast<std::size_t>(static_cast<unsigned char>(file[9])) << 8;
  const std::size_t data_at = 10 + length;
  EXPECT_EQ(data_at % 64, 0u) << "the elements start on a 64-byte boundary";
  EXPECT_EQ(file.size(), data_at + data_bytes);
  EXPECT_EQ(file[data_at - 1], '\n');
  std::string dict = file.substr(10, length - 1);
  dict.erase(dict.find_last_not_of(' ') + 1);
  return dict;
}

TEST_F(Npy, AVectorIsOneDimensionWithItsBytes) {
  const std::vector<double> values{1.5, -2.0, 1e300};
  jug::write_npy(path("v.npy"), values);
  const std::string file = read_file(path("v.npy"));
  EXPECT_EQ(header_of(file, 24), "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }");
  EXPECT_EQ(std::memcmp(file.data() + file.size() - 24, values.data(), 24), 0);
}

TEST_F(Npy, ShapesOfEveryRankAndOrder) {
  const std::int32_t data[6] = {1, 2, 3, 4, 5, 6};
  const std::uint64_t none[] = {0};
  const std::uint64_t two[] = {2, 3};
  const std::uint64_t three[] = {1, 2, 3};
  jug::write_npy(path("scalar.npy"), jug::NpyArray{data, "<i4", 4, {}, false});
  EXPECT_EQ(header_of(read_file(path("scalar.npy")), 4),
            "{'descr': '<i4', 'fortran_order': False, 'shape': (), }");
  jug::write_npy(path("empty.npy"), jug::NpyArray{data, "<i4", 4, none, false});
  EXPECT_EQ(header_of(read_file(path("empty.npy")), 0),
            "{'descr': '<i4', 'fortran_order': False, 'shape': (0,), }");
  jug::write_npy(path("two.npy"), jug::NpyArray{data, "<i4", 4, two, true});
  EXPECT_EQ(header_of(read_file(path("two.npy")), 24),
            "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }");
  jug::write_npy(path("three.npy"), jug::NpyArray{data, "<i4", 4, three, false});
  EXPECT_EQ(header_of(read_file(path("three.npy")), 24),
            "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2, 3), }");
}

TEST_F(Npy, EveryElementTypeHasNumpysName) {
  EXPECT_EQ(jug::npy_dtype<float>(), "<f4");
  EXPECT_EQ(jug::npy_dtype<double>(), "<f8");
  EXPECT_EQ(jug::npy_dtype<std::complex<float>>(), "<c8");
  EXPECT_EQ(jug::npy_dtype<std::complex<double>>(), "<c16");
  EXPECT_EQ(jug::npy_dtype<bool>(), "|b1");
  EXPECT_EQ(jug::npy_dtype<std::int8_t>(), "|i1");
  EXPECT_EQ(jug::npy_dtype<std::uint8_t>(), "|u1");
  EXPECT_EQ(jug::npy_dtype<std::int16_t>(), "<i2");
  EXPECT_EQ(jug::npy_dtype<std::uint16_t>(), "<u2");
  EXPECT_EQ(jug::npy_dtype<std::int32_t>(), "<i4");
  EXPECT_EQ(jug::npy_dtype<std::uint32_t>(), "<u4");
  EXPECT_EQ(jug::npy_dtype<std::int64_t>(), "<i8");
  EXPECT_EQ(jug::npy_dtype<std::uint64_t>(), "<u8");
}

TEST_F(Npy, AFileThatCannotBeWrittenIsAnErrorNamingItAndLeavesNothing) {
  const std::string missing = path("no-such-directory/v.npy");
  try {
    jug::write_npy(missing, std::vector<double>{1.0});
    FAIL() << "no error";
  } catch (const jug::Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
  }
  // Replacing a file leaves no temporary beside it.
  jug::write_npy(path("v.npy"), std::vector<double>{1.0});
  jug::write_npy(path("v.npy"), std::vector<double>{2.0, 3.0});
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                          std::filesystem::directory_iterator()),
            1);
}

}  // namespace
