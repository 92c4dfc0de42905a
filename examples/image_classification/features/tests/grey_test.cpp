/// Grey levels: the order of the weighted sum and the truncation to uint8.
#include "image.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "synthetic_images.hpp"

namespace {

using image_features::grey;
using image_features::grey_u8;
using test_support::filled;

TEST(Grey, OneOneOneTruncatesToZero) {
  // (0.30 + 0.59) + 0.11 is 0.9999999999999999 in double: grey_u8 is 0, as in
  // the reference (docs/image-features.md), not the rounded 1.
  const auto image = filled(1, 1, 1, 1, 1);
  EXPECT_EQ(grey(image)[0], 0.9999999999999999);
  EXPECT_LT(grey(image)[0], 1.0);
  EXPECT_EQ(grey_u8(image)[0], 0);
  EXPECT_EQ(grey_u8(filled(1, 1, 2, 2, 2))[0], 1);  // 1.9999999999999998
  EXPECT_EQ(grey_u8(filled(1, 1, 255, 255, 255))[0], 255);
}

TEST(Grey, SumsInTheSpecifiedOrder) {
  // Values worked out in exact rational arithmetic (Python's fractions),
  // each rounded to double after every operation:
  // (1,22,252): (0.30*1 + 0.59*22) + 0.11*252 = 41.0, but summed as
  //   0.30*1 + (0.59*22 + 0.11*252) it is 40.99999999999999.
  EXPECT_EQ(grey_u8(filled(1, 1, 1, 22, 252))[0], 41);
  // (0,135,185) gives 100.0; with fused multiply-adds 99.99999999999999.
  EXPECT_EQ(grey(filled(1, 1, 0, 135, 185))[0], 100.0);
  EXPECT_EQ(grey_u8(filled(1, 1, 0, 135, 185))[0], 100);
  // (1,90,60) gives 59.99999999999999; with fused multiply-adds 60.0.
  EXPECT_EQ(grey_u8(filled(1, 1, 1, 90, 60))[0], 59);
}

TEST(Grey, OnePerPixelRowByRow) {
  auto image = filled(3, 2, 0, 0, 0);
  test_support::set_pixel(image, 2, 1, 100, 100, 100);  // the last pixel
  const auto levels = grey(image);
  ASSERT_EQ(levels.size(), 6u);
  EXPECT_EQ(levels[4], 0.0);
  EXPECT_NEAR(levels[5], 100.0, 1e-12);
}

TEST(Grey, RejectsPixelsOfTheWrongSize) {
  const image_features::RgbImage image{1, 2, {1, 2, 3}};
  EXPECT_THROW(grey(image), std::invalid_argument);
  EXPECT_THROW(grey_u8(image), std::invalid_argument);
}

}  // namespace
