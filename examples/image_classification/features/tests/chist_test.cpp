/// chist on images whose histogram is known.
#include "chist.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "synthetic_images.hpp"

namespace {

using image_features::chist;
using test_support::filled;
using test_support::set_pixel;

TEST(Chist, ConstantColourFillsOneBin) {
  // (130, 20, 250): r 130/64 = 2, g 20/64 = 0, b 250/64 = 3: bin 2 + 0 + 48.
  const auto values = chist(filled(7, 5, 130, 20, 250));
  for (int bin = 0; bin < 64; ++bin) {
    EXPECT_EQ(values[bin], bin == 50 ? std::log1p(35.0) : 0.0) << "bin " << bin;
  }
}

TEST(Chist, TwoColoursAtTheLevelBoundaries) {
  // (63, 64, 191): levels 0, 1, 2: bin 0 + 4 + 32 = 36, 7 pixels.
  // (64, 255, 0):  levels 1, 3, 0: bin 1 + 12 + 0 = 13, 5 pixels.
  // Had g and b been swapped, they would land in 24 and 49.
  auto image = filled(4, 3, 63, 64, 191);
  for (int x = 0; x < 4; ++x) set_pixel(image, x, 1, 64, 255, 0);
  set_pixel(image, 2, 2, 64, 255, 0);
  const auto values = chist(image);
  for (int bin = 0; bin < 64; ++bin) {
    const double expected = bin == 36 ? std::log1p(7.0) : bin == 13 ? std::log1p(5.0) : 0.0;
    EXPECT_EQ(values[bin], expected) << "bin " << bin;
  }
}

TEST(Chist, EmptyImageIsAllZero) {
  for (double v : chist(image_features::RgbImage{})) EXPECT_EQ(v, 0.0);
}

TEST(Chist, RejectsPixelsOfTheWrongSize) {
  EXPECT_THROW(chist(image_features::RgbImage{2, 2, {1, 2, 3}}), std::invalid_argument);
}

}  // namespace
