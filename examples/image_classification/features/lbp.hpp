#pragma once
/// Rotation-invariant local binary patterns with radius 8 and 6 points, as
/// docs/image-features.md ("LBP") specifies them, after
/// mahotas.features.lbp(image, 8, 6).

#include <array>
#include <vector>

namespace image_features {

/// How many pixels have each rotation-invariant code, for the 14 codes 0, 1,
/// 3, 5, 7, 9, 11, 13, 15, 21, 23, 27, 31, 63 in that order. grey holds
/// width * height levels row by row (grey()). Every pixel counts, borders
/// included. Throws std::invalid_argument if grey.size() != width * height.
std::array<double, 14> lbp(const std::vector<double>& grey, int width, int height);

/// The index the reference samples, along one axis, for index k shifted by
/// shift: possibly outside the image (where the sample is 0). Exposed for
/// the tests; see lbp.cpp for why it looks odd.
int lbp_sample_index(int k, double shift);

}  // namespace image_features
