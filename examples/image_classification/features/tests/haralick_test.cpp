/// Haralick features of tiny images, against values derived by hand from
/// the definitions of docs/image-features.md.
#include "haralick.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace {

using image_features::haralick;

constexpr int features_per_direction = 13;

/// Feature f of direction d (0: (0,1), 1: (1,1), 2: (1,0), 3: (1,-1)).
double feature(const std::array<double, 52>& all, int d, int f) {
  return all[d * features_per_direction + f];
}

void expect_direction(const std::array<double, 52>& all, int d,
                      const std::array<double, 13>& expected) {
  for (int f = 0; f < features_per_direction; ++f) {
    const double got = feature(all, d, f);
    EXPECT_NEAR(got, expected[f], 1e-12 * std::max(1.0, std::fabs(expected[f])))
        << "direction " << d << " f" << f;
  }
}

// The 2x2 image        0 1
//                      1 0      max 1, so n = 2 in every direction.
//
// (0,1): pairs 0->1 (top row), 1->0 (bottom row). C = [[0,1],[1,0]],
//   C + Cᵀ = [[0,2],[2,0]], p = [[0,1/2],[1/2,0]]. Same for (1,0).
//   px = py = (1/2, 1/2); μ = 1/2; v = Σk²px - μ² = 1/2 - 1/4 = 1/4; σ = 1/2.
//   p₊ = (0, 1, 0, 0) (i+j = 1), p₋ = (0, 1) (|i-j| = 1).
//   f0 = 2 (1/2)² = 1/2     f1 = 1² · 1 = 1
//   f2 = (Σ ij p - μ²)/σ² = (0 - 1/4)/(1/4) = -1       f3 = 1/4
//   f4 = (1/2)/2 + (1/2)/2 = 1/2     f5 = 1 · 1 = 1     f6 = 1 - 1² = 0
//   f7 = H(p₊) = 0     f8 = H(p) = 2 (1/2) log2 2 = 1
//   f9 = variance of (0, 1) = 1/4    f10 = H(p₋) = 0
//   HXY1 = -2 (1/2) log2(1/4) = 2; HX = HY = 1: f11 = (1 - 2)/1 = -1
//   HXY2 = H(four times 1/4) = 2: f12 = sqrt(1 - exp(-2 (2 - 1))).
// (1,1): one pair 0->0. p = [[1,0],[0,0]] (still 2x2: n = max + 1 of the
//   whole image). px = (1, 0), μ = 0, v = 0: σ = 0, so f2 = 1.
//   p₊ = (1,0,0,0), p₋ = (1, 0): f0 = 1, f1 = 0, f3 = 0, f4 = 1, f5 = f6 = 0,
//   f7 = f8 = 0, f9 = variance of (1, 0) = 1/4 (it would be 0 with n = 1),
//   f10 = 0. HX = HY = 0, so f11 = f8 - HXY1 = 0 - 0, not divided (0/0).
//   HXY2 = 0: f12 = sqrt(max(0, 1 - exp(0))) = 0.
// (1,-1): one pair 1->1. p = [[0,0],[0,1]]: px = (0, 1), μ = 1, v = 1 - 1 = 0,
//   f2 = 1; p₊ = (0,0,1,0): f5 = 2, f6 = 4 - 2² = 0; p₋ = (1, 0); the rest as
//   for (1,1).
TEST(Haralick, TwoByTwoChecker) {
  const auto all = haralick({0, 1, 1, 0}, 2, 2);
  const double f12 = std::sqrt(1.0 - std::exp(-2.0));
  const std::array<double, 13> across{0.5, 1, -1, 0.25, 0.5, 1, 0, 0, 1, 0.25, 0, -1, f12};
  expect_direction(all, 0, across);
  expect_direction(all, 2, across);
  expect_direction(all, 1, {1, 0, 1, 0, 1, 0, 0, 0, 0, 0.25, 0, 0, 0});
  expect_direction(all, 3, {1, 0, 1, 0, 1, 2, 0, 0, 0, 0.25, 0, 0, 0});
  // The degenerate cases exactly: f2 = 1 when σ = 0, and f11 is not 0/0.
  EXPECT_EQ(feature(all, 1, 2), 1.0);
  EXPECT_EQ(feature(all, 1, 11), 0.0);
  EXPECT_EQ(feature(all, 3, 11), 0.0);
}

// The 3x3 image        0 0 1
//                      0 1 1
//                      1 1 1
// (0,1): pairs per row (0,0),(0,1) | (0,1),(1,1) | (1,1),(1,1):
//   C = [[1,2],[0,3]], C + Cᵀ = [[2,2],[2,6]], sum 12,
//   p = [[1/6,1/6],[1/6,1/2]]. The image is its own transpose, so (1,0)
//   gives the same matrix.
//   px = py = (1/3, 2/3); μ = 2/3; v = 2/3 - 4/9 = 2/9.
//   p₊ = (1/6, 1/3, 1/2, 0); p₋ = (2/3, 1/3). With L = log2 3:
//   f0 = 3/36 + 1/4 = 1/3           f1 = 1/3
//   f2 = (p[1][1] - μ²)/v = (1/2 - 4/9)/(2/9) = 1/4      f3 = 2/9
//   f4 = 1/6 + 1/2 + (1/3)/2 = 5/6   f5 = 1/3 + 2/2 = 4/3
//   f6 = (1/3 + 4/2) - 16/9 = 5/9
//   f7 = (1/6) log2 6 + (1/3) L + 1/2 = (1/2) L + 2/3
//   f8 = 3 (1/6) log2 6 + (1/2) = (1/2)(1 + L) + 1/2 = L/2 + 1
//   f9 = variance of (2/3, 1/3) = 1/36
//   f10 = (2/3) log2(3/2) + (1/3) L = L - 2/3
//   HX = HY = L - 2/3; HXY1 = HX + HY = 2L - 4/3 (p's marginals are px, py)
//   f11 = (L/2 + 1 - 2L + 4/3) / (L - 2/3) = (7/3 - 3L/2) / (L - 2/3) ≈ -0.048
//   HXY2 = H(px) + H(py) = 2L - 4/3: f12 = sqrt(1 - exp(-2 (3L/2 - 7/3))).
TEST(Haralick, ThreeByThreeStaircase) {
  const auto all = haralick({0, 0, 1, 0, 1, 1, 1, 1, 1}, 3, 3);
  const double L = std::log2(3.0);
  const std::array<double, 13> expected{
      1.0 / 3, 1.0 / 3, 0.25, 2.0 / 9, 5.0 / 6, 4.0 / 3, 5.0 / 9, L / 2 + 2.0 / 3, L / 2 + 1,
      1.0 / 36, L - 2.0 / 3, (7.0 / 3 - 1.5 * L) / (L - 2.0 / 3),
      std::sqrt(1 - std::exp(-2 * (1.5 * L - 7.0 / 3)))};
  expect_direction(all, 0, expected);
  expect_direction(all, 2, expected);
  EXPECT_NEAR(feature(all, 0, 11), -0.048035, 1e-6);  // the number, once
}

TEST(Haralick, DirectionWithoutPairsGivesZeros) {
  // A column of 3 pixels: no horizontal or diagonal neighbours.
  const auto all = haralick({0, 1, 1}, 1, 3);
  for (int d : {0, 1, 3}) {
    for (int f = 0; f < 13; ++f) EXPECT_EQ(feature(all, d, f), 0.0) << d << " " << f;
  }
  EXPECT_NE(feature(all, 2, 0), 0.0);
}

TEST(Haralick, ConstantImage) {
  // All pixels 5: n = 6, p = 1 at [5][5]. σ = 0, so f2 = 1; f5 = 10.
  const auto all = haralick(std::vector<std::uint8_t>(12, 5), 4, 3);
  for (int d = 0; d < 4; ++d) {
    EXPECT_EQ(feature(all, d, 0), 1.0);
    EXPECT_EQ(feature(all, d, 2), 1.0);
    EXPECT_EQ(feature(all, d, 3), 0.0);
    EXPECT_EQ(feature(all, d, 5), 10.0);
    EXPECT_EQ(feature(all, d, 11), 0.0);
    EXPECT_EQ(feature(all, d, 12), 0.0);
    // p₋ = (1, 0, 0, 0, 0, 0): mean 1/6, variance (25/36 + 5/36)/6 = 5/36.
    EXPECT_NEAR(feature(all, d, 9), 5.0 / 36, 1e-15);
  }
}

TEST(Haralick, RejectsAWrongSize) {
  EXPECT_THROW(haralick({1, 2, 3}, 2, 2), std::invalid_argument);
}

}  // namespace
