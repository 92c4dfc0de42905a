// Local binary patterns (docs/image-features.md, "LBP"), radius 8, 6 points.
#include "lbp.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace image_features {

namespace {

constexpr int points = 6;

/// (r sin θ_i, r cos θ_i) for θ_i = i 2π/6, r = 8: the row and column shift
/// of point i, exactly as the reference's sin and cos gave them. The C
/// library's values differ in the last bits, and since some shifts are
/// within an ulp of an integer, that moves some samples by a pixel.
constexpr double shifts[points][2] = {
    {0.0, 8.0},
    {6.928203230275508, 4.000000000000001},
    {6.92820323027551, -3.999999999999998},
    {9.797174393178826e-16, -8.0},
    {-6.928203230275506, -4.000000000000003},
    {-6.928203230275512, 3.999999999999994},
};

/// The smallest of the 6 rotations of a 6-bit code.
constexpr int rotation_minimum(int code) {
  int best = code;
  for (int r = 1; r < points; ++r) {
    const int rotated = ((code >> r) | (code << (points - r))) & ((1 << points) - 1);
    if (rotated < best) best = rotated;
  }
  return best;
}

/// For every 6-bit code, the position of its rotation minimum among the
/// codes that are their own minimum, in ascending order (the histogram bin).
constexpr std::array<std::uint8_t, 1 << points> make_bins() {
  std::array<std::uint8_t, 1 << points> position{};
  int next = 0;
  for (int code = 0; code < (1 << points); ++code) {
    if (rotation_minimum(code) == code) position[code] = static_cast<std::uint8_t>(next++);
  }
  std::array<std::uint8_t, 1 << points> bins{};
  for (int code = 0; code < (1 << points); ++code) bins[code] = position[rotation_minimum(code)];
  return bins;
}

constexpr std::array<std::uint8_t, 1 << points> bin_of_code = make_bins();
static_assert(bin_of_code[63] == 13, "6 points have 14 rotation-invariant codes");

/// lbp_sample_index for every index of an axis of the given size, with -1
/// where the sample falls outside. This memoizes the per-index arithmetic,
/// it does not replace it by one offset: the offset varies along the axis.
std::vector<int> sample_indices(int size, double shift) {
  std::vector<int> out(size);
  for (int k = 0; k < size; ++k) {
    const int index = lbp_sample_index(k, shift);
    out[k] = (index >= 0 && index < size) ? index : -1;
  }
  return out;
}

/// Output indices [begin, end) of one axis whose samples all come from
/// index + offset, or all lie outside the image.
struct Run {
  int begin;
  int end;
  int offset;
  bool outside;
};

/// sample_indices() cut into runs of equal offset (a handful per axis), so
/// that the inner loop reads contiguous pixels.
std::vector<Run> sample_runs(int size, double shift) {
  const std::vector<int> indices = sample_indices(size, shift);
  std::vector<Run> runs;
  for (int k = 0; k < size; ++k) {
    const bool outside = indices[k] < 0;
    const int offset = outside ? 0 : indices[k] - k;
    if (runs.empty() || runs.back().outside != outside || runs.back().offset != offset) {
      runs.push_back({k, k + 1, offset, outside});
    } else {
      runs.back().end = k + 1;
    }
  }
  return runs;
}

/// Sets bit `point` of codes[x] for x in run where the sample is greater
/// than the centre (strictly, on the double grey levels). source is the row
/// sampled, or null when that row lies outside the image; outside samples
/// are 0. The comparison is shifted in rather than branched on: on a photo
/// it is a coin toss, which a branch predictor cannot learn.
void compare_run(const Run& run, const double* source, const double* centre, int point,
                 std::uint8_t* codes) {
  if (source == nullptr || run.outside) {
    for (int x = run.begin; x < run.end; ++x) {
      codes[x] |= static_cast<std::uint8_t>((0.0 > centre[x]) << point);
    }
    return;
  }
  for (int x = run.begin; x < run.end; ++x) {
    codes[x] |= static_cast<std::uint8_t>((source[x + run.offset] > centre[x]) << point);
  }
}

}  // namespace

// The reference samples the image shifted by `shift` (mahotas'
// interpolate.shift, order 0), which maps output index k to k - shift + 0.5
// and then rounds half away from zero. That is a nearest-pixel sampling with
// a +1 pixel bias (k = 5, shift = 0 samples index 6), and with the rounding
// of k - shift in double deciding the near-integer cases: keep each step.
int lbp_sample_index(int k, double shift) {
  const double c = static_cast<double>(k) - shift;
  const double v = c + 0.5;
  return static_cast<int>(v > 0 ? std::floor(v + 0.5) : std::ceil(v - 0.5));
}

std::array<double, 14> lbp(const std::vector<double>& grey, int width, int height) {
  if (width < 0 || height < 0 ||
      grey.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height)) {
    throw std::invalid_argument("lbp: " + std::to_string(grey.size()) + " grey levels for a " +
                                std::to_string(width) + "x" + std::to_string(height) + " image");
  }
  std::array<std::vector<int>, points> rows;
  std::array<std::vector<Run>, points> cols;
  for (int i = 0; i < points; ++i) {
    rows[i] = sample_indices(height, shifts[i][0]);
    cols[i] = sample_runs(width, shifts[i][1]);
  }

  std::array<std::uint64_t, 14> counts{};
  std::vector<std::uint8_t> codes(width);
  for (int y = 0; y < height; ++y) {
    const double* centre = grey.data() + static_cast<std::size_t>(y) * width;
    std::fill(codes.begin(), codes.end(), std::uint8_t{0});
    for (int i = 0; i < points; ++i) {
      const int source_row = rows[i][y];
      const double* source =
          source_row < 0 ? nullptr : grey.data() + static_cast<std::size_t>(source_row) * width;
      for (const Run& run : cols[i]) {
        compare_run(run, source, centre, i, codes.data());
      }
    }
    for (int x = 0; x < width; ++x) ++counts[bin_of_code[codes[x]]];
  }

  std::array<double, 14> out{};
  for (std::size_t b = 0; b < out.size(); ++b) out[b] = static_cast<double>(counts[b]);
  return out;
}

}  // namespace image_features
