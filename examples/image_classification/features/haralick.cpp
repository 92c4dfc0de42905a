// Haralick texture features (docs/image-features.md, "Haralick texture").
// Built with -ffp-contract=off like the rest of the library, so that the
// sums round as the reference's do (to well within the 1e-9 it asks for).
#include "haralick.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace image_features {

namespace {

struct Direction {
  int rows;
  int cols;
};

/// The reference's order of the four directions.
constexpr std::array<Direction, 4> directions{{{0, 1}, {1, 1}, {1, 0}, {1, -1}}};

/// An n x n matrix of doubles, row-major.
struct Square {
  int n;
  std::vector<double> values;
  double at(int i, int j) const { return values[static_cast<std::size_t>(i) * n + j]; }
};

/// C + Cᵀ, where C[v(p)][v(q)] counts the pixels p whose neighbour
/// q = p + direction lies inside the image. n is max(grey) + 1, not 256, as
/// in the reference: the size changes px, py, p₋ and hence f9.
std::vector<std::uint64_t> symmetric_cooccurrence(const std::vector<std::uint8_t>& grey, int width,
                                                  int height, int n, Direction d) {
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(n) * n, 0);
  const int first_col = std::max(0, -d.cols);
  const int end_col = std::min(width, width - d.cols);
  for (int y = 0; y + d.rows < height; ++y) {
    const std::uint8_t* row = grey.data() + static_cast<std::size_t>(y) * width;
    const std::uint8_t* neighbours = row + static_cast<std::ptrdiff_t>(d.rows) * width + d.cols;
    for (int x = first_col; x < end_col; ++x) {
      ++counts[static_cast<std::size_t>(row[x]) * n + neighbours[x]];
    }
  }
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < i; ++j) {
      const std::uint64_t both = counts[static_cast<std::size_t>(i) * n + j] +
                                 counts[static_cast<std::size_t>(j) * n + i];
      counts[static_cast<std::size_t>(i) * n + j] = both;
      counts[static_cast<std::size_t>(j) * n + i] = both;
    }
    counts[static_cast<std::size_t>(i) * n + i] *= 2;
  }
  return counts;
}

/// -v log2 v, with 0 log 0 = 0.
double entropy_term(double v) { return v == 0.0 ? 0.0 : -v * std::log2(v); }

double entropy(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += entropy_term(v);
  return sum;
}

/// The population variance of the entries of values.
double variance_of_entries(const std::vector<double>& values) {
  double mean = 0.0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double sum = 0.0;
  for (double v : values) sum += (v - mean) * (v - mean);
  return sum / static_cast<double>(values.size());
}

/// f0..f12 of the normalized co-occurrence matrix p, by the definitions of
/// the specification.
std::array<double, 13> features_of(const Square& p) {
  const int n = p.n;
  std::vector<double> px(n, 0.0), py(n, 0.0);         // column sums, row sums
  std::vector<double> p_plus(2 * n, 0.0), p_minus(n, 0.0);  // p₊[i+j], p₋[|i-j|]
  double sum_squares = 0.0, sum_ij = 0.0, inverse_difference = 0.0, entropy_p = 0.0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const double v = p.at(i, j);
      if (v == 0.0) continue;  // adds nothing to any sum below
      px[j] += v;
      py[i] += v;
      p_plus[i + j] += v;
      p_minus[std::abs(i - j)] += v;
      sum_squares += v * v;
      sum_ij += static_cast<double>(i) * j * v;
      inverse_difference += v / (1.0 + static_cast<double>(i - j) * (i - j));
      entropy_p += entropy_term(v);
    }
  }

  double mean_x = 0.0, mean_y = 0.0, second_x = 0.0, second_y = 0.0;
  for (int k = 0; k < n; ++k) {
    mean_x += k * px[k];
    mean_y += k * py[k];
    second_x += static_cast<double>(k) * k * px[k];
    second_y += static_cast<double>(k) * k * py[k];
  }
  const double var_x = second_x - mean_x * mean_x;
  const double var_y = second_y - mean_y * mean_y;
  const double sigma_x = std::sqrt(var_x), sigma_y = std::sqrt(var_y);

  double sum_average = 0.0, sum_second = 0.0;
  for (int k = 0; k < 2 * n; ++k) {
    sum_average += k * p_plus[k];
    sum_second += static_cast<double>(k) * k * p_plus[k];
  }
  double difference_moment = 0.0;
  for (int k = 0; k < n; ++k) difference_moment += static_cast<double>(k) * k * p_minus[k];

  // HXY1 = -Σ p log2(px[i] py[j]) and HXY2 = H(px[i] py[j]), both over the
  // products that are not 0.
  double hxy1 = 0.0, hxy2 = 0.0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const double product = px[i] * py[j];
      if (product == 0.0) continue;
      const double log_product = std::log2(product);
      hxy1 -= p.at(i, j) * log_product;
      hxy2 -= product * log_product;
    }
  }
  const double hx = entropy(px), hy = entropy(py);
  const double max_hxy = std::max(hx, hy);

  std::array<double, 13> f{};
  f[0] = sum_squares;
  f[1] = difference_moment;
  f[2] = (sigma_x == 0.0 || sigma_y == 0.0) ? 1.0 : (sum_ij - mean_x * mean_y) / (sigma_x * sigma_y);
  f[3] = var_x;
  f[4] = inverse_difference;
  f[5] = sum_average;
  f[6] = sum_second - f[5] * f[5];
  f[7] = entropy(p_plus);
  f[8] = entropy_p;
  f[9] = variance_of_entries(p_minus);
  f[10] = entropy(p_minus);
  f[11] = max_hxy == 0.0 ? f[8] - hxy1 : (f[8] - hxy1) / max_hxy;
  f[12] = std::sqrt(std::max(0.0, 1.0 - std::exp(-2.0 * (hxy2 - f[8]))));
  return f;
}

}  // namespace

std::array<double, 52> haralick(const std::vector<std::uint8_t>& grey, int width, int height) {
  if (width < 0 || height < 0 ||
      grey.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height)) {
    throw std::invalid_argument("haralick: " + std::to_string(grey.size()) +
                                " grey levels for a " + std::to_string(width) + "x" +
                                std::to_string(height) + " image");
  }
  std::array<double, 52> out{};
  if (grey.empty()) return out;
  const int n = *std::max_element(grey.begin(), grey.end()) + 1;
  for (std::size_t d = 0; d < directions.size(); ++d) {
    const std::vector<std::uint64_t> counts =
        symmetric_cooccurrence(grey, width, height, n, directions[d]);
    std::uint64_t total = 0;
    for (std::uint64_t c : counts) total += c;
    if (total == 0) continue;  // no pairs in this direction: zeros
    Square p{n, std::vector<double>(counts.size())};
    for (std::size_t k = 0; k < counts.size(); ++k) {
      p.values[k] = static_cast<double>(counts[k]) / static_cast<double>(total);
    }
    const std::array<double, 13> features = features_of(p);
    std::copy(features.begin(), features.end(), out.begin() + 13 * d);
  }
  return out;
}

}  // namespace image_features
