// Tachyon tree JSON (format "tachyon-trees", version 1): written by python/tachyon/trees.py
// save_trees() for scikit-learn models; the schema is documented in docs/trees.md.
#include <nlohmann/json.hpp>

#include <cmath>

#include "frontends/trees/tree_common.h"

namespace tachyon::frontends {

using json = nlohmann::json;
using namespace trees_detail;

namespace {

const json& need(const std::string& file, const json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) fail_file(file, fmt::format("{} has no '{}'", where, key));
  return *it;
}

int64_t need_int(const std::string& file, const json& obj, const char* key, const std::string& where) {
  const json& v = need(file, obj, key, where);
  if (!v.is_number_integer()) fail_file(file, fmt::format("{}: '{}' is not an integer", where, key));
  return v.get<int64_t>();
}

// Accepts numbers and the strings "nan", "inf", "-inf" (json has no literal for them).
double number(const json& v, bool* ok) {
  *ok = true;
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    double d = 0;
    if (parse_double(v.get<std::string>(), &d)) return d;
  }
  *ok = false;
  return 0;
}

const json& tree_array(const std::string& file, const json& t, const char* key, size_t ti, size_t n) {
  auto it = t.find(key);
  if (it == t.end()) fail_tree(file, static_cast<int64_t>(ti), fmt::format("has no '{}'", key));
  if (!it->is_array() || it->size() != n)
    fail_tree(file, static_cast<int64_t>(ti),
              fmt::format("'{}' must be an array of {} entries (one per node), has {}", key, n,
                          it->is_array() ? it->size() : 0));
  return *it;
}

int32_t int_entry(const std::string& file, const json& a, const char* key, size_t ti, size_t i) {
  const json& v = a[i];
  if (!v.is_number_integer() || v.get<int64_t>() < INT32_MIN || v.get<int64_t>() > INT32_MAX)
    fail_at(file, static_cast<int64_t>(ti), static_cast<int64_t>(i), fmt::format("'{}' entry {} is not a 32-bit integer", key, v.dump()));
  return static_cast<int32_t>(v.get<int64_t>());
}

}  // namespace

ir::Graph load_tachyon_tree_json_bytes(const std::string& text, const std::string& path) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    fail_file(path, fmt::format("invalid JSON: {}", e.what()));
  }
  try {
    if (!root.is_object()) fail_file(path, "top level is not an object");
    const json& fmtv = need(path, root, "format", "the file");
    if (!fmtv.is_string() || fmtv.get<std::string>() != "tachyon-trees")
      fail_file(path, "\"format\" is not \"tachyon-trees\"");
    int64_t version = need_int(path, root, "version", "the file");
    if (version != 1) fail_file(path, fmt::format("tree JSON version {} is not supported (this build reads version 1)", version));

    auto d = std::make_shared<ir::TreeEnsembleData>();
    d->source_format = root.contains("source") && root["source"].is_string() ? root["source"].get<std::string>() : "sklearn";
    int64_t nf = need_int(path, root, "n_features", "the file");
    int64_t no = need_int(path, root, "n_outputs", "the file");
    if (nf < 1 || nf > kMaxFeatures) fail_file(path, fmt::format("n_features {} out of range", nf));
    if (no < 1 || no > kMaxOutputs) fail_file(path, fmt::format("n_outputs {} out of range", no));
    d->n_features = static_cast<int32_t>(nf);
    d->n_outputs = static_cast<int32_t>(no);
    const json& cmp = need(path, root, "compare", "the file");
    std::string cs = cmp.is_string() ? cmp.get<std::string>() : "";
    if (cs == "<=")
      d->compare = ir::TreeCompare::LessEqual;
    else if (cs == "<")
      d->compare = ir::TreeCompare::Less;
    else
      fail_file(path, fmt::format("\"compare\" must be \"<=\" or \"<\", not {}", cmp.dump()));
    std::string post = root.value("post_transform", std::string("none"));
    if (post == "none")
      d->post_transform = ir::TreePostTransform::None;
    else if (post == "logistic")
      d->post_transform = ir::TreePostTransform::Logistic;
    else if (post == "softmax")
      d->post_transform = ir::TreePostTransform::Softmax;
    else if (post == "average")
      d->post_transform = ir::TreePostTransform::Average;
    else
      fail_file(path, fmt::format("unknown post_transform '{}' (none, logistic, softmax, average)", post));
    if (root.contains("objective") && root["objective"].is_string()) d->objective = root["objective"].get<std::string>();
    if (root.contains("model") && root["model"].is_string())
      d->objective = root["model"].get<std::string>() + (d->objective.empty() ? "" : " " + d->objective);

    if (root.contains("base_score")) {
      const json& b = root["base_score"];
      if (!b.is_array()) fail_file(path, "\"base_score\" is not an array");
      for (size_t k = 0; k < b.size(); ++k) {
        bool ok = false;
        double v = number(b[k], &ok);
        if (!ok) fail_file(path, fmt::format("base_score entry {} is not a number", k));
        d->base_score.push_back(v);
      }
    }
    const json& trees = need(path, root, "trees", "the file");
    if (!trees.is_array()) fail_file(path, "\"trees\" is not an array");
    if (static_cast<int64_t>(trees.size()) > kMaxTrees) fail_file(path, "too many trees");
    for (size_t ti = 0; ti < trees.size(); ++ti) {
      const json& t = trees[ti];
      if (!t.is_object()) fail_tree(path, static_cast<int64_t>(ti), "is not an object");
      auto fit = t.find("feature");
      if (fit == t.end() || !fit->is_array()) fail_tree(path, static_cast<int64_t>(ti), "has no 'feature' array");
      size_t n = fit->size();
      if (n == 0) fail_tree(path, static_cast<int64_t>(ti), "has no nodes");
      if (static_cast<int64_t>(n) > kMaxNodesPerTree) fail_tree(path, static_cast<int64_t>(ti), "too many nodes");
      const json& thr = tree_array(path, t, "threshold", ti, n);
      const json& left = tree_array(path, t, "left", ti, n);
      const json& right = tree_array(path, t, "right", ti, n);
      const json& value = tree_array(path, t, "value", ti, n);
      const json* dl = t.contains("default_left") ? &tree_array(path, t, "default_left", ti, n) : nullptr;
      ir::Tree tree;
      if (t.contains("class_id")) {
        if (!t["class_id"].is_number_integer()) fail_tree(path, static_cast<int64_t>(ti), "'class_id' is not an integer");
        int64_t k = t["class_id"].get<int64_t>();
        if (k < 0 || k >= no) fail_tree(path, static_cast<int64_t>(ti), fmt::format("class_id {} out of range [0, {})", k, no));
        tree.class_id = static_cast<int32_t>(k);
      }
      tree.nodes.resize(n);
      for (size_t i = 0; i < n; ++i) {
        ir::TreeNode& nd = tree.nodes[i];
        int32_t f = int_entry(path, *fit, "feature", ti, i);
        bool ok = false;
        if (f < 0) {
          nd.feature = -1;
          nd.value = number(value[i], &ok);
          if (!ok) fail_at(path, static_cast<int64_t>(ti), static_cast<int64_t>(i), "leaf 'value' is not a number");
          continue;
        }
        nd.feature = f;
        nd.threshold = number(thr[i], &ok);
        if (!ok) fail_at(path, static_cast<int64_t>(ti), static_cast<int64_t>(i), "'threshold' is not a number");
        nd.left = int_entry(path, left, "left", ti, i);
        nd.right = int_entry(path, right, "right", ti, i);
        if (dl) {
          const json& v = (*dl)[i];
          if (v.is_boolean())
            nd.default_left = v.get<bool>();
          else if (v.is_number_integer())
            nd.default_left = v.get<int64_t>() != 0;
          else
            fail_at(path, static_cast<int64_t>(ti), static_cast<int64_t>(i), "'default_left' is not a boolean");
        }
      }
      d->trees.push_back(std::move(tree));
    }
    validate_and_compact(*d, path);
    std::string model = root.contains("model") && root["model"].is_string() ? root["model"].get<std::string>() : "trees";
    return make_tree_graph(std::move(d), path, "Tachyon tree JSON (" + model + ")");
  } catch (const json::exception& e) {
    fail_file(path, fmt::format("unexpected JSON content: {}", e.what()));
  }
}

ir::Graph load_tachyon_tree_json(const std::string& path) { return load_tachyon_tree_json_bytes(read_file(path), path); }

}  // namespace tachyon::frontends
