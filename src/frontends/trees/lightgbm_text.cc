// LightGBM text models (Booster.save_model("model.txt")).
//
// Header lines `key=value` up to the first `Tree=` (num_class, num_tree_per_iteration,
// max_feature_idx, objective, average_output); then one block per tree: num_leaves,
// split_feature, threshold, decision_type, left_child, right_child, leaf_value (plus
// statistics we ignore); parsing stops at "end of trees". Internal nodes are 0..L-2; a
// negative child c is leaf ~c. LightGBM goes left when x <= threshold (thresholds are
// doubles). decision_type bits: 0 categorical (rejected), 1 default left, 2-3 missing
// type (0 None: NaN is treated as 0; 1 Zero: rejected; 2 NaN: NaN follows default left).
#include <cmath>
#include <map>

#include "frontends/trees/tree_common.h"

namespace tachyon::frontends {

using namespace trees_detail;

namespace {

struct Block {
  int64_t tree = -1;  // -1 for the header
  size_t line = 0;    // first line (1-based)
  std::map<std::string, std::string> kv;
};

std::vector<Block> split_blocks(const std::string& text, const std::string& file) {
  std::vector<Block> blocks(1);
  blocks[0].line = 1;
  size_t pos = 0, line_no = 0;
  while (pos <= text.size()) {
    size_t e = text.find('\n', pos);
    if (e == std::string::npos) e = text.size();
    std::string line = trim(std::string_view(text).substr(pos, e - pos));
    ++line_no;
    pos = e + 1;
    if (line == "end of trees") break;
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      if (blocks.size() == 1) blocks[0].kv[line] = "";  // flags such as "average_output"
      continue;
    }
    std::string key = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    if (key == "Tree") {
      int64_t id = 0;
      if (!parse_int(value, &id)) fail_file(file, fmt::format("line {}: bad tree header '{}'", line_no, line));
      if (static_cast<int64_t>(blocks.size()) > kMaxTrees) fail_file(file, "too many trees");
      Block b;
      b.tree = id;
      b.line = line_no;
      blocks.push_back(std::move(b));
      continue;
    }
    blocks.back().kv[key] = value;
  }
  return blocks;
}

const std::string& get(const Block& b, const std::string& key, const std::string& file) {
  auto it = b.kv.find(key);
  if (it == b.kv.end()) {
    if (b.tree < 0) fail_file(file, fmt::format("header has no '{}='", key));
    fail_tree(file, b.tree, fmt::format("has no '{}=' (block starting at line {})", key, b.line));
  }
  return it->second;
}

int64_t get_int(const Block& b, const std::string& key, const std::string& file) {
  int64_t v = 0;
  if (!parse_int(get(b, key, file), &v)) {
    if (b.tree < 0) fail_file(file, fmt::format("'{}={}' is not an integer", key, get(b, key, file)));
    fail_tree(file, b.tree, fmt::format("'{}={}' is not an integer", key, get(b, key, file)));
  }
  return v;
}

template <typename T, typename Parse>
std::vector<T> get_list(const Block& b, const std::string& key, size_t n, const std::string& file, Parse parse) {
  std::vector<std::string> tok = split_ws(get(b, key, file));
  if (tok.size() != n) fail_tree(file, b.tree, fmt::format("'{}' has {} values, expected {}", key, tok.size(), n));
  std::vector<T> r(n);
  for (size_t i = 0; i < n; ++i)
    if (!parse(tok[i], &r[i])) fail_at(file, b.tree, static_cast<int64_t>(i), fmt::format("'{}' value '{}' is not a number", key, tok[i]));
  return r;
}

bool parse_i32(const std::string& s, int32_t* out) {
  int64_t v = 0;
  if (!parse_int(s, &v) || v < INT32_MIN || v > INT32_MAX) return false;
  *out = static_cast<int32_t>(v);
  return true;
}
bool parse_d(const std::string& s, double* out) { return parse_double(s, out); }

}  // namespace

ir::Graph load_lightgbm_text_bytes(const std::string& text, const std::string& path) {
  if (!looks_like_lightgbm_text(text.substr(0, 4096)))
    fail_file(path, "not a LightGBM text model (expected a first line \"tree\" and a \"version=\" line)");
  std::vector<Block> blocks = split_blocks(text, path);
  const Block& h = blocks[0];
  auto d = std::make_shared<ir::TreeEnsembleData>();
  d->source_format = "lightgbm";
  d->compare = ir::TreeCompare::LessEqual;
  int64_t max_feature = get_int(h, "max_feature_idx", path);
  if (max_feature < 0 || max_feature >= kMaxFeatures) fail_file(path, fmt::format("max_feature_idx {} out of range", max_feature));
  d->n_features = static_cast<int32_t>(max_feature + 1);
  int64_t per_iter = h.kv.count("num_tree_per_iteration") ? get_int(h, "num_tree_per_iteration", path) : 1;
  if (per_iter < 1 || per_iter > kMaxOutputs) fail_file(path, fmt::format("num_tree_per_iteration {} out of range", per_iter));
  d->n_outputs = static_cast<int32_t>(per_iter);
  std::string objective = h.kv.count("objective") ? h.kv.at("objective") : "";
  d->objective = objective;
  std::string obj_name = objective.substr(0, objective.find(' '));
  if (obj_name == "binary" || obj_name == "cross_entropy" || obj_name == "xentropy" || obj_name == "multiclassova")
    d->post_transform = ir::TreePostTransform::Logistic;
  else if (obj_name == "multiclass" || obj_name == "softmax")
    d->post_transform = ir::TreePostTransform::Softmax;
  else
    d->post_transform = ir::TreePostTransform::None;
  bool average = h.kv.count("average_output") > 0;
  d->base_score.assign(static_cast<size_t>(d->n_outputs), 0.0);

  size_t n_trees = blocks.size() - 1;
  if (n_trees == 0) fail_file(path, "the model has no trees (no 'Tree=' block)");
  if (n_trees % static_cast<size_t>(per_iter) != 0)
    fail_file(path, fmt::format("{} trees is not a multiple of num_tree_per_iteration {}", n_trees, per_iter));
  double scale = average ? 1.0 / static_cast<double>(n_trees / static_cast<size_t>(per_iter)) : 1.0;

  for (size_t bi = 1; bi < blocks.size(); ++bi) {
    const Block& b = blocks[bi];
    int64_t ti = static_cast<int64_t>(bi - 1);
    if (b.tree != ti) fail_file(path, fmt::format("line {}: tree blocks out of order ('Tree={}', expected {})", b.line, b.tree, ti));
    if (b.kv.count("is_linear") && get(b, "is_linear", path) != "0") fail_tree(path, ti, "linear trees are not supported");
    if (b.kv.count("num_cat") && get_int(b, "num_cat", path) != 0) fail_tree(path, ti, "categorical splits are not supported");
    int64_t leaves = get_int(b, "num_leaves", path);
    if (leaves < 1 || leaves > kMaxNodesPerTree / 2) fail_tree(path, ti, fmt::format("num_leaves {} out of range", leaves));
    auto L = static_cast<size_t>(leaves);
    // Leaf values already include the shrinkage (the 'shrinkage=' field is informative).
    std::vector<double> leaf = get_list<double>(b, "leaf_value", L, path, parse_d);
    ir::Tree t;
    t.class_id = static_cast<int32_t>(ti % per_iter);
    t.nodes.resize(2 * L - 1);
    const auto n_internal = static_cast<int32_t>(L - 1);
    for (size_t j = 0; j < L; ++j) {
      ir::TreeNode& nd = t.nodes[L - 1 + j];
      nd.feature = -1;
      nd.value = leaf[j] * scale;
    }
    if (L > 1) {
      auto feat = get_list<int32_t>(b, "split_feature", L - 1, path, parse_i32);
      auto thr = get_list<double>(b, "threshold", L - 1, path, parse_d);
      auto dtype = get_list<int32_t>(b, "decision_type", L - 1, path, parse_i32);
      auto lc = get_list<int32_t>(b, "left_child", L - 1, path, parse_i32);
      auto rc = get_list<int32_t>(b, "right_child", L - 1, path, parse_i32);
      auto child = [&](int32_t c, size_t i) -> int32_t {
        if (c >= 0) {
          if (c >= n_internal) fail_at(path, ti, static_cast<int64_t>(i), fmt::format("child index {} out of range [0, {})", c, n_internal));
          return c;
        }
        int64_t leaf_idx = ~static_cast<int64_t>(c);
        if (leaf_idx >= static_cast<int64_t>(L))
          fail_at(path, ti, static_cast<int64_t>(i), fmt::format("leaf index {} out of range [0, {})", leaf_idx, L));
        return static_cast<int32_t>(n_internal + leaf_idx);
      };
      for (size_t i = 0; i + 1 < L; ++i) {
        ir::TreeNode& nd = t.nodes[i];
        if (dtype[i] & 1) fail_at(path, ti, static_cast<int64_t>(i), "categorical splits are not supported");
        int missing = (dtype[i] >> 2) & 3;
        if (missing == 1)
          fail_at(path, ti, static_cast<int64_t>(i),
                  "missing type 'Zero' (zero_as_missing) is not supported: zero would take the default branch");
        if (missing == 3) fail_at(path, ti, static_cast<int64_t>(i), fmt::format("unknown missing type in decision_type {}", dtype[i]));
        if (feat[i] < 0) fail_at(path, ti, static_cast<int64_t>(i), fmt::format("feature index {} is negative", feat[i]));
        nd.feature = feat[i];
        nd.threshold = thr[i];
        nd.left = child(lc[i], i);
        nd.right = child(rc[i], i);
        // None: LightGBM replaces NaN by 0 before comparing.
        nd.default_left = missing == 2 ? (dtype[i] & 2) != 0 : 0.0 <= thr[i];
      }
    }
    d->trees.push_back(std::move(t));
  }
  validate_and_compact(*d, path);
  return make_tree_graph(std::move(d), path, "LightGBM " + (obj_name.empty() ? std::string("model") : obj_name));
}

ir::Graph load_lightgbm_text(const std::string& path) { return load_lightgbm_text_bytes(read_file(path), path); }

}  // namespace tachyon::frontends
