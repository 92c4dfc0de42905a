/// read_jpeg on files the test writes: a round trip, and the errors.
#include "image.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "jpeg_writer.hpp"
#include "synthetic_images.hpp"

namespace {

using image_features::read_jpeg;

/// A file name in the temporary directory, unique to this process and
/// test, removed at the end of the test.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("image_features_test_" + std::to_string(::getpid()) + "_" + name)) {}
  ~TemporaryFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

/// The message of the std::runtime_error that read_jpeg(path) throws, or a
/// failure if it throws none.
std::string error_of_reading(const std::string& path) {
  try {
    read_jpeg(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "read_jpeg(" << path << ") did not throw";
  return {};
}

/// A 32x24 image of smooth gradients, which JPEG keeps well.
image_features::RgbImage gradients() {
  auto image = test_support::filled(32, 24, 0, 0, 0);
  for (int y = 0; y < 24; ++y) {
    for (int x = 0; x < 32; ++x) test_support::set_pixel(image, x, y, 4 * x, 8 * y, 128);
  }
  return image;
}

TEST(ReadJpeg, RoundTrip) {
  const TemporaryFile file("round_trip.jpg");
  const auto original = gradients();
  test_support::write_jpeg(file.path(), original, 95);
  const auto decoded = read_jpeg(file.path());
  EXPECT_EQ(decoded.width, 32);
  EXPECT_EQ(decoded.height, 24);
  ASSERT_EQ(decoded.pixels.size(), original.pixels.size());
  for (std::size_t i = 0; i < original.pixels.size(); ++i) {
    EXPECT_NEAR(decoded.pixels[i], original.pixels[i], 8) << "byte " << i;
  }
}

TEST(ReadJpeg, MissingFileNamesTheFile) {
  const TemporaryFile file("missing.jpg");  // never written
  const std::string message = error_of_reading(file.path());
  EXPECT_NE(message.find(file.path()), std::string::npos) << message;
  EXPECT_NE(message.find("No such file"), std::string::npos) << message;
}

TEST(ReadJpeg, NotAJpegNamesTheFile) {
  const TemporaryFile file("not_a.jpg");
  std::ofstream(file.path()) << "hello, this is text, not a JPEG\n";
  const std::string message = error_of_reading(file.path());
  EXPECT_NE(message.find(file.path()), std::string::npos) << message;
  EXPECT_NE(message.find("Not a JPEG file"), std::string::npos) << message;
}

TEST(ReadJpeg, EmptyFileNamesTheFile) {
  const TemporaryFile file("empty.jpg");
  std::ofstream{file.path()};
  const std::string message = error_of_reading(file.path());
  EXPECT_NE(message.find(file.path()), std::string::npos) << message;
}

TEST(ReadJpeg, TruncatedFileNamesTheFile) {
  const TemporaryFile whole("whole.jpg");
  test_support::write_jpeg(whole.path(), gradients(), 95);
  const auto size = std::filesystem::file_size(whole.path());
  // Cut in the entropy-coded data (libjpeg only warns there) and in the
  // headers (an error).
  for (const std::uintmax_t kept : {size / 2, size - 2, std::uintmax_t{20}}) {
    const TemporaryFile cut("cut.jpg");
    std::filesystem::copy_file(whole.path(), cut.path());
    std::filesystem::resize_file(cut.path(), kept);
    const std::string message = error_of_reading(cut.path());
    EXPECT_NE(message.find(cut.path()), std::string::npos) << kept << ": " << message;
  }
}

}  // namespace
