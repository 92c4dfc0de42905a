#pragma once
/// Small images made by the tests themselves.

#include <cstddef>
#include <cstdint>

#include "image.hpp"

namespace test_support {

inline image_features::RgbImage filled(int width, int height, std::uint8_t r, std::uint8_t g,
                                       std::uint8_t b) {
  image_features::RgbImage image{width, height, {}};
  image.pixels.resize(static_cast<std::size_t>(width) * height * 3);
  for (std::size_t i = 0; i < image.pixels.size(); i += 3) {
    image.pixels[i] = r;
    image.pixels[i + 1] = g;
    image.pixels[i + 2] = b;
  }
  return image;
}

inline void set_pixel(image_features::RgbImage& image, int x, int y, std::uint8_t r,
                      std::uint8_t g, std::uint8_t b) {
  const std::size_t at = (static_cast<std::size_t>(y) * image.width + x) * 3;
  image.pixels[at] = r;
  image.pixels[at + 1] = g;
  image.pixels[at + 2] = b;
}

}  // namespace test_support
