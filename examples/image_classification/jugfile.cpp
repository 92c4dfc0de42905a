// The image-classification pipeline of chapter 12 of "Building Machine
// Learning Systems with Python", with jug in C++: three feature sets per
// photo, the leave-one-out accuracy of a logistic regression on each and on
// their combinations, and results.image.txt in the chapter's format.
//
//   jug execute -- [DATASET_DIR] [--with-lbp]
//
// DATASET_DIR defaults to the SimpleImageDataset of ../shared/data beside
// the repository. Without --with-lbp this is the chapter's first pipeline;
// with it, LBP features and the accuracies that use them are added, and only
// that new work runs: everything else is loaded from the store.
//
// jug: cxxflags -O2 -ffp-contract=off -Ifeatures -Iclassifier
// jug: cxxflags features/image.cpp features/chist.cpp features/haralick.cpp features/lbp.cpp
// jug: cxxflags classifier/leave_one_out.cpp
// jug: libs -ljpeg -llinear
#include <jug/jug.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "chist.hpp"
#include "haralick.hpp"
#include "image.hpp"
#include "lbp.hpp"
#include "leave_one_out.hpp"

using Features = std::vector<double>;
using FeatureMatrix = std::vector<Features>;

// Each feature task takes the file name, not the pixels, as the chapter
// recommends: the hash stays small and the image is read where it is used.

const jug::TaskGenerator texture("texture", [](const std::string& fname) {
  const image_features::RgbImage image = image_features::read_jpeg(fname);
  const auto values = image_features::haralick(image_features::grey_u8(image), image.width,
                                               image.height);
  return Features(values.begin(), values.end());
});

const jug::TaskGenerator chist("chist", [](const std::string& fname) {
  const auto values = image_features::chist(image_features::read_jpeg(fname));
  return Features(values.begin(), values.end());
});

const jug::TaskGenerator lbp("lbp", [](const std::string& fname) {
  const image_features::RgbImage image = image_features::read_jpeg(fname);
  thread_local std::vector<double> grey;  // reused: see image_features::grey_into
  image_features::grey_into(image, grey);
  const auto values = image_features::lbp(grey, image.width, image.height);
  return Features(values.begin(), values.end());
});

/// One row per image (numpy's array() in the chapter).
const jug::TaskGenerator to_array("to_array", [](const FeatureMatrix& rows) { return rows; });

/// The rows of several feature sets, side by side.
const jug::TaskGenerator hstack("hstack", [](const std::vector<FeatureMatrix>& parts) {
  FeatureMatrix out = parts.front();
  for (std::size_t p = 1; p < parts.size(); ++p) {
    for (std::size_t r = 0; r < out.size(); ++r) {
      out[r].insert(out[r].end(), parts[p][r].begin(), parts[p][r].end());
    }
  }
  return out;
});

const jug::TaskGenerator accuracy(
    "accuracy", [](const FeatureMatrix& features, const std::vector<std::string>& labels) {
      return image_classification::leave_one_out_accuracy(features, labels);
    });

const jug::TaskGenerator print_results(
    "print_results", [](const std::vector<std::pair<std::string, double>>& scores) {
      std::ofstream out("results.image.txt");
      for (const auto& [name, score] : scores) {
        char line[64];
        std::snprintf(line, sizeof line, "Accuracy [%s]: %.1f%%\n", name.c_str(), 100 * score);
        out << line;
      }
      if (!out) throw std::runtime_error("cannot write results.image.txt");
    });

struct Options {
  std::string dataset = "../../../shared/data/SimpleImageDataset";
  bool with_lbp = false;
};

Options parse(const std::vector<std::string>& args) {
  Options options;
  for (const std::string& arg : args) {
    if (arg == "--with-lbp") {
      options.with_lbp = true;
    } else if (!arg.starts_with("-")) {
      options.dataset = arg;
    } else {
      throw std::invalid_argument("unknown option " + arg +
                                  " (after --: [DATASET_DIR] [--with-lbp])");
    }
  }
  return options;
}

/// The photos, sorted by name; the class of each is its name without the
/// last 6 characters ("building07.jpg" is a "building").
std::vector<std::string> photos(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) {
    throw std::invalid_argument("no dataset directory " + dir +
                                " (give it after --: jug execute -- DIR)");
  }
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".jpg") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  if (out.empty()) throw std::invalid_argument("no .jpg files in " + dir);
  return out;
}

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const Options options = parse(jug::arguments());
    std::vector<jug::Task<Features>> haralicks, chists, lbps;
    std::vector<std::string> labels;
    for (const std::string& fname : photos(options.dataset)) {
      haralicks.push_back(texture(fname));
      chists.push_back(chist(fname));
      if (options.with_lbp) lbps.push_back(lbp(fname));
      const std::string name = std::filesystem::path(fname).filename().string();
      labels.push_back(name.substr(0, name.size() - 6));
    }
    const auto haralick_rows = to_array(haralicks);
    const auto chist_rows = to_array(chists);
    std::vector<std::pair<std::string, jug::Task<double>>> scores{
        {"base", accuracy(haralick_rows, labels)},
        {"chists", accuracy(chist_rows, labels)},
    };
    if (options.with_lbp) {
      const auto lbp_rows = to_array(lbps);
      scores.emplace_back("lbps", accuracy(lbp_rows, labels));
      scores.emplace_back("combined",
                          accuracy(hstack(std::vector{chist_rows, haralick_rows}), labels));
      scores.emplace_back(
          "combined_all",
          accuracy(hstack(std::vector{chist_rows, haralick_rows, lbp_rows}), labels));
    } else {
      scores.emplace_back("combined",
                          accuracy(hstack(std::vector{chist_rows, haralick_rows}), labels));
    }
    print_results(scores);
  });
}
