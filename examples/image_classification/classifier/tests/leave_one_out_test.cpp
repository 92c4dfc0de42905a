/// Tests of the chapter's classifier (classifier/leave_one_out.hpp): on
/// small made-up data whose answer is known, and on the reference features
/// of the 90 photos, which must give the accuracies of
/// docs/image-features.md exactly.

#include "leave_one_out.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using image_classification::FeatureMatrix;
using image_classification::leave_one_out_accuracy;

TEST(LeaveOneOut, SeparatedClassesAreAllRight) {
  // Two clusters far apart, with a constant feature (its deviation is 0).
  FeatureMatrix features;
  std::vector<std::string> labels;
  for (int i = 0; i < 10; ++i) {
    features.push_back({100.0 + i, 5.0, 0.1 * i});
    labels.push_back("far");
    features.push_back({-100.0 - i, 5.0, 0.1 * i});
    labels.push_back("near");
  }
  EXPECT_DOUBLE_EQ(leave_one_out_accuracy(features, labels), 1.0);
}

TEST(LeaveOneOut, NoInformationIsNotRewarded) {
  // The only feature says nothing of the label: a held-out sample's class
  // is the minority of its training fold, so every prediction is wrong.
  FeatureMatrix features;
  std::vector<std::string> labels;
  for (int i = 0; i < 6; ++i) {
    features.push_back({1.0});
    labels.push_back(i % 2 ? "odd" : "even");
  }
  EXPECT_DOUBLE_EQ(leave_one_out_accuracy(features, labels), 0.0);
}

TEST(LeaveOneOut, BadInputIsRefused) {
  EXPECT_THROW(leave_one_out_accuracy({{1.0}}, {"a"}), std::invalid_argument);
  EXPECT_THROW(leave_one_out_accuracy({{1.0}, {2.0}}, {"a"}), std::invalid_argument);
  EXPECT_THROW(leave_one_out_accuracy({{1.0}, {2.0, 3.0}}, {"a", "b"}), std::invalid_argument);
}

/// The reference features (../shared/data/simpleimage-features.csv): label,
/// then 52 Haralick, 64 chist and 14 LBP values per photo.
struct ReferenceFeatures {
  FeatureMatrix haralick, chist, lbp;
  std::vector<std::string> labels;
};

ReferenceFeatures read_reference(const std::string& path) {
  ReferenceFeatures out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::string cell;
    std::vector<std::string> row;
    while (std::getline(cells, cell, ',')) row.push_back(cell);
    out.labels.push_back(row.at(1));
    std::vector<double> values;
    for (std::size_t i = 2; i < row.size(); ++i) values.push_back(std::strtod(row[i].c_str(), nullptr));
    out.haralick.emplace_back(values.begin(), values.begin() + 52);
    out.chist.emplace_back(values.begin() + 52, values.begin() + 116);
    out.lbp.emplace_back(values.begin() + 116, values.end());
  }
  return out;
}

FeatureMatrix side_by_side(FeatureMatrix left, const FeatureMatrix& right) {
  for (std::size_t r = 0; r < left.size(); ++r) {
    left[r].insert(left[r].end(), right[r].begin(), right[r].end());
  }
  return left;
}

double percent(double accuracy) { return std::round(1000 * accuracy) / 10; }

TEST(LeaveOneOut, ReferenceFeaturesGiveTheChaptersAccuracies) {
  const std::string path = std::string(JUG_SHARED_DATA_DIR) + "/simpleimage-features.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no reference features at " << path;
  const ReferenceFeatures f = read_reference(path);
  ASSERT_EQ(f.labels.size(), 90u);
  EXPECT_EQ(percent(leave_one_out_accuracy(f.haralick, f.labels)), 81.1);
  EXPECT_EQ(percent(leave_one_out_accuracy(f.chist, f.labels)), 90.0);
  EXPECT_EQ(percent(leave_one_out_accuracy(f.lbp, f.labels)), 93.3);
  const FeatureMatrix combined = side_by_side(f.chist, f.haralick);
  EXPECT_EQ(percent(leave_one_out_accuracy(combined, f.labels)), 95.6);
  EXPECT_EQ(percent(leave_one_out_accuracy(side_by_side(combined, f.lbp), f.labels)), 98.9);
}

}  // namespace
