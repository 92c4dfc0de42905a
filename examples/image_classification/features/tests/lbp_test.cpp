/// LBP on images whose codes can be worked out by hand, and the sampling
/// rule of docs/image-features.md on single indices.
#include "lbp.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <stdexcept>
#include <vector>

namespace {

using image_features::lbp;
using image_features::lbp_sample_index;

/// The histogram bin of code 63 (codes 0 and 1 are bins 0 and 1).
constexpr int bin_code_63 = 13;

std::vector<double> constant(int width, int height, double level) {
  return std::vector<double>(static_cast<std::size_t>(width) * height, level);
}

void expect_histogram(const std::array<double, 14>& got, std::array<double, 14> expected) {
  for (int b = 0; b < 14; ++b) EXPECT_EQ(got[b], expected[b]) << "bin " << b;
}

TEST(LbpSampleIndex, FollowsTheReferenceRule) {
  // c = k - s; v = c + 0.5; v > 0 ? floor(v + 0.5) : ceil(v - 0.5).
  // k 5, s 0: v = 5.5, floor(6.0) = 6: the +1 pixel bias.
  EXPECT_EQ(lbp_sample_index(5, 0.0), 6);
  // k 8, s 8: v = 0.5, floor(1.0) = 1.
  EXPECT_EQ(lbp_sample_index(8, 8.0), 1);
  // k 7, s 8: v = -0.5, not > 0: ceil(-1.0) = -1, outside.
  EXPECT_EQ(lbp_sample_index(7, 8.0), -1);
  // k 6, s 6.928203230275508: v = -0.428..., ceil(-0.928...) = 0 (inside):
  // the negative side rounds the other way.
  EXPECT_EQ(lbp_sample_index(6, 6.928203230275508), 0);
  // s = 4.000000000000001 is 4 + 2^-50 in double.
  // k 4: c = -2^-50, v = 0.5 - 2^-50 > 0, v + 0.5 = 1 - 2^-50 (exact): 0.
  EXPECT_EQ(lbp_sample_index(4, 4.000000000000001), 0);
  // k 10: c = 6 - 2^-50, v = 6.5 - 2^-50, v + 0.5 = 7 - 2^-50 (all exact): 6.
  EXPECT_EQ(lbp_sample_index(10, 4.000000000000001), 6);
  // k 12: c = 8 - 2^-50 (exact in [4,8)), but v = 8.5 - 2^-50 lies halfway
  // between two doubles of [8,16) and rounds to the even 8.5: floor(9.0) = 9.
  // The offset is -4 at k = 10 and -3 at k = 12: it cannot be precomputed.
  EXPECT_EQ(lbp_sample_index(12, 4.000000000000001), 9);
}

TEST(Lbp, ConstantImageIsAllCodeZero) {
  // Inside samples equal the centre and outside ones are 0: never greater.
  expect_histogram(lbp(constant(30, 20, 7.5), 30, 20), {600});
  expect_histogram(lbp(constant(30, 20, 0.0), 30, 20), {600});
}

TEST(Lbp, OneBrightPixelInside) {
  // A pixel of 1 at (20, 20) in a 40x40 image of 0. A pixel gets bit i when
  // its sample i is that pixel. With the rule, the (row, column) that
  // samples index 20 is, per point: 0: (19, 27); 1: (26, 23); 2: (26, 16);
  // 3: (19, 11); 4: (13, 15); 5: (13, 23). E.g. point 0, shift (0, 8): row
  // 19 -> v = 19.5 -> 20; column 27 -> v = 19.5 -> 20; point 3, row shift
  // 9.8e-16: 19 - 9.8e-16 rounds to 19 in double, so row 19 -> 20 as well.
  // Six different pixels with a single bit each, whose rotation minimum is
  // code 1; the bright pixel samples only 0s. So 1594 pixels of code 0
  // (bin 0) and 6 of code 1 (bin 1).
  auto image = constant(40, 40, 0.0);
  image[20 * 40 + 20] = 1.0;
  expect_histogram(lbp(image, 40, 40), {1594, 6});
}

TEST(Lbp, OneDarkPixelInside) {
  // A pixel of 0 at (20, 20) in a 40x40 image of 100: its 6 samples
  // (within 9 pixels of it) are all inside and 100 > 0: code 63. Every other
  // pixel sees 100, 0 or outside (0): never more than its own 100: code 0.
  auto image = constant(40, 40, 100.0);
  image[20 * 40 + 20] = 0.0;
  std::array<double, 14> expected{1599};
  expected[bin_code_63] = 1;
  expect_histogram(lbp(image, 40, 40), expected);
}

TEST(Lbp, OneBrightPixelInTheCorner) {
  // A pixel of 1 at (0, 0) in a 40x40 image of 0. Which (y, x) sample it?
  // Row index 0 needs, per point (row shifts from the specification):
  //  0: s = 0: y + 1 = 0, none.
  //  1, 2: s = 6.928...: y = 6 gives v = -0.428..., ceil(-0.928...) = 0.
  //  3: s = 9.8e-16: y = 0 gives v = 0.5 - 9.8e-16, floor(0.99...) = 0.
  //  4, 5: s = -6.928...: v >= 7.428 for y >= 0, none.
  // Column index 0 for points 1, 2, 3 (column shifts 4.000000000000001,
  // -3.999999999999998, -8):
  //  1: x = 4 (see FollowsTheReferenceRule).
  //  2: x + 3.999999999999998 + 0.5 >= 4.4999...: index >= 4, none.
  //  3: x + 8.5: index >= 9, none.
  // So only (6, 4) samples it, with bit 1: code 2, whose minimum is 1.
  auto image = constant(40, 40, 0.0);
  image[0] = 1.0;
  expect_histogram(lbp(image, 40, 40), {1599, 1});
}

TEST(Lbp, RejectsAWrongSize) {
  EXPECT_THROW(lbp({1.0, 2.0}, 2, 2), std::invalid_argument);
}

}  // namespace
