#pragma once
/// Haralick's texture features as docs/image-features.md ("Haralick
/// texture") specifies them, after mahotas.features.haralick.

#include <array>
#include <cstdint>
#include <vector>

namespace image_features {

/// 13 features for each of the directions (row, col) = (0,1), (1,1), (1,0),
/// (1,-1) at distance 1, concatenated in that order. grey holds width *
/// height levels row by row (grey_u8()). A direction in which no pixel has a
/// neighbour (a one-pixel-wide image) gives 13 zeros, as in the reference.
/// Throws std::invalid_argument if grey.size() != width * height.
std::array<double, 52> haralick(const std::vector<std::uint8_t>& grey, int width, int height);

}  // namespace image_features
