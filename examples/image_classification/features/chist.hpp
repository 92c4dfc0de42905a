#pragma once
/// The colour histogram of docs/image-features.md ("chist"): 4 levels per
/// channel, 64 bins, log1p of the counts.

#include <array>

#include "image.hpp"

namespace image_features {

/// log1p(number of pixels) per bin r/64 + 4*(g/64) + 16*(b/64). Throws
/// std::invalid_argument if pixels does not hold width * height * 3 bytes.
std::array<double, 64> chist(const RgbImage& image);

}  // namespace image_features
