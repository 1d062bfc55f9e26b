// Tree ensembles (boosted decision trees, random forests) as data of a TreeEnsemble node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tachyon::ir {

struct TreeNode {
  int32_t feature = -1;      // -1: leaf
  double threshold = 0.0;    // split threshold (internal nodes)
  int32_t left = -1;         // index of the child taken when the comparison holds
  int32_t right = -1;        // index of the other child
  bool default_left = true;  // direction for a missing (NaN) feature value
  double value = 0.0;        // leaf value (leaves)
  bool is_leaf() const { return feature < 0; }
};

struct Tree {
  std::vector<TreeNode> nodes;  // nodes[0] is the root
  int32_t class_id = 0;         // the output (class score) this tree adds to
};

// How a node decides: go left when x[f] <= threshold (scikit-learn, TMVA, LightGBM) or when
// x[f] < threshold (XGBoost, ONNX-ML BRANCH_LT).
enum class TreeCompare { LessEqual, Less };
// What turns raw scores into the library's probabilities (documented convention; the
// firmware outputs raw scores, see docs).
enum class TreePostTransform { None, Logistic, Softmax, Average };

struct TreeEnsembleData {
  int32_t n_features = 0;
  int32_t n_outputs = 1;          // number of class scores (1 for binary / regression)
  std::vector<Tree> trees;
  std::vector<double> base_score; // one per output, added once
  TreeCompare compare = TreeCompare::LessEqual;
  TreePostTransform post_transform = TreePostTransform::None;
  std::string source_format;      // "xgboost", "sklearn", "onnx-ml", "tmva", "lightgbm"
  std::string objective;          // e.g. "binary:logistic"
  int max_depth() const;
};

}  // namespace tachyon::ir
