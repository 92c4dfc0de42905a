#include "reference_data.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "chist.hpp"
#include "haralick.hpp"
#include "image.hpp"
#include "lbp.hpp"

namespace test_support {

namespace {

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, ',')) fields.push_back(field);
  return fields;
}

std::vector<std::string> expected_header() {
  std::vector<std::string> names{"file", "label"};
  for (int d = 0; d < 4; ++d) {
    for (int f = 0; f < 13; ++f) {
      names.push_back("haralick_d" + std::to_string(d) + "_f" + std::to_string(f));
    }
  }
  for (std::size_t i = 0; i < chist_size; ++i) names.push_back("chist_" + std::to_string(i));
  for (std::size_t i = 0; i < lbp_size; ++i) names.push_back("lbp_" + std::to_string(i));
  return names;
}

double parse_double(const std::string& text, const std::string& where) {
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0) {
    throw std::runtime_error(where + ": not a number: '" + text + "'");
  }
  return value;
}

std::string format_value(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

/// Adds a detail line for a mismatch of feature `name` index `index`.
void note(Comparison& out, const std::string& file, const char* name, std::size_t index,
          double ours, double reference) {
  out.details.push_back(file + " " + name + "[" + std::to_string(index) + "]: ours " +
                        format_value(ours) + ", reference " + format_value(reference) +
                        ", relative difference " + format_value(relative_difference(ours, reference)));
}

}  // namespace

std::filesystem::path shared_data_dir() { return JUG_SHARED_DATA_DIR; }

bool has_reference_data() {
  return std::filesystem::is_regular_file(shared_data_dir() / "simpleimage-features.csv") &&
         std::filesystem::is_directory(shared_data_dir() / "SimpleImageDataset");
}

std::vector<ReferenceRow> read_reference_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  std::string line;
  if (!std::getline(in, line) || split_commas(line) != expected_header()) {
    throw std::runtime_error(path.string() + ": unexpected header");
  }
  std::vector<ReferenceRow> rows;
  const std::size_t columns = expected_header().size();
  for (int line_number = 2; std::getline(in, line); ++line_number) {
    if (line.empty()) continue;
    const std::vector<std::string> fields = split_commas(line);
    const std::string where = path.string() + ":" + std::to_string(line_number);
    if (fields.size() != columns) throw std::runtime_error(where + ": wrong number of fields");
    ReferenceRow row{fields[0], fields[1], {}};
    for (std::size_t i = 2; i < fields.size(); ++i) row.values.push_back(parse_double(fields[i], where));
    rows.push_back(std::move(row));
  }
  return rows;
}

double relative_difference(double a, double b) {
  if (a == b) return 0.0;
  return std::fabs(a - b) / std::max(std::fabs(a), std::fabs(b));
}

Comparison compare_with_reference(const ReferenceRow& row, const std::filesystem::path& image_dir) {
  const image_features::RgbImage image = image_features::read_jpeg((image_dir / row.file).string());
  const auto haralick =
      image_features::haralick(image_features::grey_u8(image), image.width, image.height);
  const auto chist = image_features::chist(image);
  const auto lbp = image_features::lbp(image_features::grey(image), image.width, image.height);

  Comparison out;
  const double* reference = row.values.data();
  for (std::size_t i = 0; i < haralick_size; ++i) {
    const double ours = haralick[i], theirs = reference[i];
    // |a - b| <= 1e-9 max(|a|, |b|); equal values (both 0 too) always pass,
    // NaN never does.
    const bool close = ours == theirs ||
                       std::fabs(ours - theirs) <= 1e-9 * std::max(std::fabs(ours), std::fabs(theirs));
    const double relative = relative_difference(ours, theirs);
    if (!(relative <= out.max_haralick_relative)) out.max_haralick_relative = relative;
    if (!close) {
      ++out.haralick_mismatches;
      note(out, row.file, "haralick", i, ours, theirs);
    }
  }
  reference += haralick_size;
  for (std::size_t i = 0; i < chist_size; ++i) {
    const double ours = chist[i], theirs = reference[i];
    if (ours == theirs) continue;
    const bool same_count = std::llround(std::expm1(ours)) == std::llround(std::expm1(theirs));
    const bool one_ulp = std::nextafter(ours, theirs) == theirs;
    if (same_count && one_ulp) {
      ++out.chist_one_ulp;
    } else {
      ++out.chist_mismatches;
      note(out, row.file, "chist", i, ours, theirs);
    }
  }
  reference += chist_size;
  for (std::size_t i = 0; i < lbp_size; ++i) {
    if (lbp[i] != reference[i]) {
      ++out.lbp_mismatches;
      note(out, row.file, "lbp", i, lbp[i], reference[i]);
    }
  }
  return out;
}

}  // namespace test_support
