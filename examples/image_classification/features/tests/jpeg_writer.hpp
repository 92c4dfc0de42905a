#pragma once
/// Writes small JPEG files for the tests of read_jpeg, so that they need no
/// data from outside.

#include <string>

#include "image.hpp"

namespace test_support {

/// Encodes image (8-bit RGB) as a baseline JPEG of the given quality.
/// Throws std::runtime_error if libjpeg or the file system fails.
void write_jpeg(const std::string& path, const image_features::RgbImage& image, int quality);

}  // namespace test_support
