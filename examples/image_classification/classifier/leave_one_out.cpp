#include "leave_one_out.hpp"

#include <linear.h>

#include <cmath>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <unordered_map>

namespace image_classification {
namespace {

/// Per feature: the training fold's mean and population standard deviation
/// (a zero deviation divides by 1, leaving a constant feature at 0).
struct Standardizer {
  std::vector<double> mean, scale;

  Standardizer(const FeatureMatrix& rows, std::size_t skip) {
    const std::size_t dims = rows.front().size();
    mean.assign(dims, 0.0);
    scale.assign(dims, 0.0);
    const double n = static_cast<double>(rows.size() - 1);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (r == skip) continue;
      for (std::size_t d = 0; d < dims; ++d) mean[d] += rows[r][d];
    }
    for (double& m : mean) m /= n;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (r == skip) continue;
      for (std::size_t d = 0; d < dims; ++d) {
        const double centred = rows[r][d] - mean[d];
        scale[d] += centred * centred;
      }
    }
    for (double& s : scale) {
      s = std::sqrt(s / n);
      if (s == 0) s = 1;
    }
  }

  /// liblinear's sparse row: 1-based indices, the intercept feature (of
  /// value 1) last, index -1 closing it.
  void append_row(const std::vector<double>& row, std::vector<feature_node>& out) const {
    for (std::size_t d = 0; d < row.size(); ++d) {
      out.push_back({static_cast<int>(d + 1), (row[d] - mean[d]) / scale[d]});
    }
    out.push_back({static_cast<int>(row.size() + 1), 1.0});
    out.push_back({-1, 0.0});
  }
};

void print_nothing(const char*) {}

struct ModelDeleter {
  void operator()(model* m) const { free_and_destroy_model(&m); }
};

}  // namespace

double leave_one_out_accuracy(const FeatureMatrix& features, const std::vector<std::string>& labels) {
  if (features.size() < 2) throw std::invalid_argument("leave-one-out needs at least 2 samples");
  if (labels.size() != features.size()) {
    throw std::invalid_argument("leave-one-out: as many labels as samples are needed");
  }
  for (const auto& row : features) {
    if (row.size() != features.front().size()) {
      throw std::invalid_argument("leave-one-out: feature vectors differ in length");
    }
  }
  // Classes numbered in order of first appearance.
  std::unordered_map<std::string, int> class_of;
  std::vector<double> y_all;
  for (const std::string& label : labels) {
    y_all.push_back(class_of.try_emplace(label, static_cast<int>(class_of.size())).first->second);
  }
  set_print_string_function(print_nothing);  // liblinear prints its progress otherwise

  const std::size_t n = features.size();
  const std::size_t row_length = features.front().size() + 2;  // + intercept + terminator
  std::size_t correct = 0;
  for (std::size_t held_out = 0; held_out < n; ++held_out) {
    const Standardizer standardize(features, held_out);
    std::vector<feature_node> nodes;
    nodes.reserve(n * row_length);
    std::vector<double> y;
    for (std::size_t r = 0; r < n; ++r) {
      if (r == held_out) continue;
      standardize.append_row(features[r], nodes);
      y.push_back(y_all[r]);
    }
    std::vector<feature_node*> rows;
    for (std::size_t r = 0; r < n - 1; ++r) rows.push_back(nodes.data() + r * row_length);

    problem prob{};
    prob.l = static_cast<int>(n - 1);
    prob.n = static_cast<int>(features.front().size() + 1);
    prob.y = y.data();
    prob.x = rows.data();
    prob.bias = 1;
    parameter param{};
    param.solver_type = L2R_LR;
    param.eps = 1e-4;
    param.C = 1;
    if (const char* error = check_parameter(&prob, &param)) {
      throw std::invalid_argument(std::string("liblinear: ") + error);
    }
    const std::unique_ptr<model, ModelDeleter> trained(train(&prob, &param));

    std::vector<feature_node> test;
    standardize.append_row(features[held_out], test);
    if (predict(trained.get(), test.data()) == y_all[held_out]) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

}  // namespace image_classification
