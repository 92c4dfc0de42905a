/// All 130 features of real photos against the reference values of the
/// shared data (simpleimage-features.csv): Haralick within 1e-9 relative,
/// LBP exactly, chist with exactly the same pixel counts and values within 1
/// ulp (see compare_with_reference for why not exactly). Skipped when the
/// data is not there.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "reference_data.hpp"

namespace {

using test_support::Comparison;
using test_support::ReferenceRow;

std::vector<ReferenceRow> reference_rows() {
  return test_support::read_reference_csv(test_support::shared_data_dir() /
                                          "simpleimage-features.csv");
}

std::filesystem::path photo_dir() { return test_support::shared_data_dir() / "SimpleImageDataset"; }

void expect_match(const Comparison& result, const std::string& file) {
  EXPECT_EQ(result.haralick_mismatches, 0) << file;
  EXPECT_EQ(result.chist_mismatches, 0) << file;
  EXPECT_EQ(result.lbp_mismatches, 0) << file;
  for (const std::string& line : result.details) ADD_FAILURE() << line;
}

#define SKIP_WITHOUT_DATA()                                                            \
  if (!test_support::has_reference_data())                                             \
  GTEST_SKIP() << "no reference data in " << test_support::shared_data_dir().string() \
               << " (simpleimage-features.csv and SimpleImageDataset/)"

TEST(ReferenceImages, OnePhotoOfEachClass) {
  SKIP_WITHOUT_DATA();
  const std::vector<ReferenceRow> rows = reference_rows();
  for (const std::string file : {"building00.jpg", "scene00.jpg", "text00.jpg"}) {
    const auto row = std::find_if(rows.begin(), rows.end(),
                                  [&](const ReferenceRow& r) { return r.file == file; });
    ASSERT_NE(row, rows.end()) << file << " is not in the CSV";
    expect_match(test_support::compare_with_reference(*row, photo_dir()), file);
  }
}

TEST(ReferenceImages, AllNinetyPhotos) {
  SKIP_WITHOUT_DATA();
  const std::vector<ReferenceRow> rows = reference_rows();
  EXPECT_EQ(rows.size(), 90u);
  double max_relative = 0.0;
  std::string max_file;
  int exact_chist = 0, exact_lbp = 0, haralick_within = 0, chist_one_ulp = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const ReferenceRow& row : rows) {
    const Comparison result = test_support::compare_with_reference(row, photo_dir());
    expect_match(result, row.file);
    if (result.max_haralick_relative > max_relative) {
      max_relative = result.max_haralick_relative;
      max_file = row.file;
    }
    exact_chist += result.chist_mismatches == 0 && result.chist_one_ulp == 0;
    chist_one_ulp += result.chist_one_ulp;
    exact_lbp += result.lbp_mismatches == 0;
    haralick_within += result.haralick_mismatches == 0;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char summary[640];
  std::snprintf(summary, sizeof summary,
                "%zu photos: Haralick within 1e-9 for %d, largest relative difference %.3g (%s); "
                "chist bit-exact for %d photos, %d of %zu values 1 ulp from the reference; "
                "LBP exact for %d; %.2f s (%.3f s per photo, decoding and all features)",
                rows.size(), haralick_within, max_relative, max_file.c_str(), exact_chist,
                chist_one_ulp, rows.size() * test_support::chist_size, exact_lbp, seconds,
                seconds / static_cast<double>(rows.size()));
  std::cout << summary << std::endl;
  RecordProperty("summary", summary);
}

}  // namespace
