#pragma once
/// The chapter's classifier, as docs/image-features.md specifies it:
/// standardize the features (on the training fold only), then liblinear's
/// L2-regularized logistic regression (C = 1, eps = 1e-4, an intercept
/// feature of 1 regularized like the others, one-vs-rest), scored by
/// leave-one-out cross-validation.

#include <string>
#include <vector>

namespace image_classification {

/// One feature vector per sample, all of one length.
using FeatureMatrix = std::vector<std::vector<double>>;

/// The fraction of samples whose label the model trained on all the others
/// predicts. Throws std::invalid_argument for fewer than 2 samples, rows of
/// different lengths, or as many labels as samples missing.
double leave_one_out_accuracy(const FeatureMatrix& features, const std::vector<std::string>& labels);

}  // namespace image_classification
