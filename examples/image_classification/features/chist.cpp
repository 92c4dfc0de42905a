#include "chist.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace image_features {

std::array<double, 64> chist(const RgbImage& image) {
  std::array<std::uint64_t, 64> counts{};
  const std::size_t bytes = 3 * pixel_count(image);
  for (std::size_t i = 0; i < bytes; i += 3) {
    // Integer division by 64 keeps the 2 high bits of each channel (0..3).
    const int r = image.pixels[i] / 64;
    const int g = image.pixels[i + 1] / 64;
    const int b = image.pixels[i + 2] / 64;
    ++counts[r + 4 * g + 16 * b];
  }
  std::array<double, 64> out{};
  for (std::size_t bin = 0; bin < out.size(); ++bin) {
    out[bin] = std::log1p(static_cast<double>(counts[bin]));
  }
  return out;
}

}  // namespace image_features
