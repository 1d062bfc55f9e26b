// Shared helpers of the tree-ensemble frontends (private to src/frontends/trees).
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/ir/graph.h"
#include "tachyon/ir/trees.h"
#include "tachyon/frontends/trees.h"
#include "tachyon/support/error.h"
#include "tachyon/support/strings.h"

namespace tachyon::frontends::trees_detail {

// Limits that keep malformed files from exhausting memory or time.
inline constexpr int kMaxTreeDepth = 1024;          // root has depth 0
inline constexpr int64_t kMaxNodesPerTree = 1 << 24;
inline constexpr int64_t kMaxTrees = 1 << 20;
inline constexpr int64_t kMaxFeatures = 1 << 20;
inline constexpr int64_t kMaxOutputs = 1 << 16;

// "x.json: tree 3 node 7: child index 99 out of range"
[[noreturn]] void fail_at(const std::string& file, int64_t tree, int64_t node, const std::string& what);
[[noreturn]] void fail_tree(const std::string& file, int64_t tree, const std::string& what);
[[noreturn]] void fail_file(const std::string& file, const std::string& what);

// Checks every tree (children in range, each node reached once from the root - no cycles,
// no shared subtrees -, depth <= kMaxTreeDepth, features in [0, n_features), finite
// thresholds and leaf values, class ids in range, base scores), drops unreachable nodes and
// renumbers the rest in depth-first order (root first). Reports up to 20 problems at once.
void validate_and_compact(ir::TreeEnsembleData& d, const std::string& file);

// A graph with input "x" [n_features], output "y" [n_outputs] and one TreeEnsemble node.
ir::Graph make_tree_graph(std::shared_ptr<ir::TreeEnsembleData> d, const std::string& file,
                          const std::string& source_op);

// Whole file as a string (throws naming the file if it cannot be read). Refuses files
// larger than 2 GiB.
std::string read_file(const std::string& path);

// Strict number parsing of a whole token (no trailing characters). Accepts what strtod
// accepts for decimal numbers, including "inf"/"nan" (callers check finiteness).
bool parse_double(std::string_view s, double* out);
bool parse_int(std::string_view s, int64_t* out);

// Value of a float32 (XGBoost, ONNX-ML, TMVA store thresholds and leaves as float).
// Beyond float's range the result is +-inf (rejected later as not finite) - no UB cast.
inline double round_to_float(double v) {
  if (std::isfinite(v) && std::fabs(v) > static_cast<double>(std::numeric_limits<float>::max()))
    return std::copysign(std::numeric_limits<double>::infinity(), v);
  return static_cast<double>(static_cast<float>(v));
}

// logit(p) = log(p / (1 - p)); throws unless 0 < p < 1.
double logit_checked(double p, const std::string& file, const std::string& what);

// Detection helpers (content sniffing, first bytes only).
bool looks_like_xgboost_json(const std::string& head);
bool looks_like_tachyon_json(const std::string& head);
bool looks_like_tmva_xml(const std::string& head);
bool looks_like_lightgbm_text(const std::string& head);
// True when the ONNX file's only compute node is a TreeEnsembleClassifier/Regressor
// (onnx_ml.cc); false for unreadable files.
bool onnx_ml_is_tree_model(const std::string& path);

}  // namespace tachyon::frontends::trees_detail
