// XGBoost JSON models (Booster.save_model("x.json"), XGBoost 1.0 and later).
//
// Layout read: learner.{learner_model_param{base_score, num_class, num_feature, num_target},
// objective.name, gradient_booster{name: gbtree | dart, model{trees[], tree_info[]}}}; per
// tree: left_children, right_children, split_indices, split_conditions, default_left,
// split_type (categorical splits are rejected). A node is a leaf when left_children == -1,
// and then split_conditions holds its value. XGBoost decides `x < threshold` -> left and
// works in float32: thresholds and leaves are rounded to float here.
#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

#include "frontends/trees/tree_common.h"

namespace tachyon::frontends {

using json = nlohmann::json;
using namespace trees_detail;

namespace {

struct Ctx {
  std::string file;
};

const json& member(const Ctx& c, const json& obj, const char* key, const std::string& where) {
  if (!obj.is_object()) fail_file(c.file, fmt::format("{} is not an object", where));
  auto it = obj.find(key);
  if (it == obj.end()) fail_file(c.file, fmt::format("{} has no '{}'", where, key));
  return *it;
}

// XGBoost stores parameters as strings ("16"); accept numbers too.
double param_number(const Ctx& c, const json& v, const std::string& what) {
  double d = 0;
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    std::string s = trim(v.get<std::string>());
    // XGBoost >= 2 may write vectors as "[5E-1]"; a single element is accepted here.
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = trim(s.substr(1, s.size() - 2));
    if (parse_double(s, &d)) return d;
  }
  fail_file(c.file, fmt::format("{} is not a number: {}", what, v.dump()));
}

// base_score: "5E-1", "[5E-1]", "[2E-1,3E-1]" or a number.
std::vector<double> parse_base_score(const Ctx& c, const json& v) {
  if (v.is_number()) return {v.get<double>()};
  if (!v.is_string()) fail_file(c.file, "learner_model_param.base_score is not a string or number");
  std::string s = trim(v.get<std::string>());
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  std::vector<double> r;
  size_t b = 0;
  while (b <= s.size()) {
    size_t e = s.find(',', b);
    if (e == std::string::npos) e = s.size();
    double d = 0;
    if (!parse_double(trim(s.substr(b, e - b)), &d))
      fail_file(c.file, fmt::format("learner_model_param.base_score '{}' is not a number list", v.get<std::string>()));
    r.push_back(d);
    b = e + 1;
  }
  return r;
}

template <typename T>
std::vector<T> int_array(const Ctx& c, const json& tree, const char* key, size_t ti, size_t n) {
  const json& a = member(c, tree, key, fmt::format("tree {}", ti));
  if (!a.is_array()) fail_tree(c.file, static_cast<int64_t>(ti), fmt::format("'{}' is not an array", key));
  if (a.size() != n)
    fail_tree(c.file, static_cast<int64_t>(ti), fmt::format("'{}' has {} entries, expected {} (one per node)", key, a.size(), n));
  std::vector<T> r;
  r.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const json& v = a[i];
    if (v.is_boolean()) {
      r.push_back(static_cast<T>(v.get<bool>()));
    } else if (v.is_number_integer()) {
      int64_t x = v.get<int64_t>();
      if (x < INT32_MIN || x > INT32_MAX)
        fail_at(c.file, static_cast<int64_t>(ti), static_cast<int64_t>(i), fmt::format("'{}' value {} out of range", key, x));
      r.push_back(static_cast<T>(x));
    } else {
      fail_at(c.file, static_cast<int64_t>(ti), static_cast<int64_t>(i), fmt::format("'{}' entry {} is not an integer", key, v.dump()));
    }
  }
  return r;
}

std::vector<double> num_array(const Ctx& c, const json& tree, const char* key, size_t ti, size_t n) {
  const json& a = member(c, tree, key, fmt::format("tree {}", ti));
  if (!a.is_array() || a.size() != n)
    fail_tree(c.file, static_cast<int64_t>(ti), fmt::format("'{}' is not an array of {} numbers", key, n));
  std::vector<double> r;
  r.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!a[i].is_number())
      fail_at(c.file, static_cast<int64_t>(ti), static_cast<int64_t>(i), fmt::format("'{}' entry {} is not a number", key, a[i].dump()));
    r.push_back(a[i].get<double>());
  }
  return r;
}

ir::Tree read_tree(const Ctx& c, const json& jt, size_t ti, double scale) {
  if (!jt.is_object()) fail_tree(c.file, static_cast<int64_t>(ti), "is not an object");
  const json& left_j = member(c, jt, "left_children", fmt::format("tree {}", ti));
  if (!left_j.is_array()) fail_tree(c.file, static_cast<int64_t>(ti), "'left_children' is not an array");
  size_t n = left_j.size();
  if (n == 0) fail_tree(c.file, static_cast<int64_t>(ti), "has no nodes");
  if (static_cast<int64_t>(n) > kMaxNodesPerTree) fail_tree(c.file, static_cast<int64_t>(ti), "too many nodes");
  auto left = int_array<int32_t>(c, jt, "left_children", ti, n);
  auto right = int_array<int32_t>(c, jt, "right_children", ti, n);
  auto split = int_array<int32_t>(c, jt, "split_indices", ti, n);
  auto cond = num_array(c, jt, "split_conditions", ti, n);
  auto dleft = int_array<int32_t>(c, jt, "default_left", ti, n);
  std::vector<int32_t> stype;
  if (jt.contains("split_type")) stype = int_array<int32_t>(c, jt, "split_type", ti, n);
  if (jt.contains("tree_param") && jt["tree_param"].is_object() && jt["tree_param"].contains("size_leaf_vector")) {
    double slv = param_number(c, jt["tree_param"]["size_leaf_vector"], "tree_param.size_leaf_vector");
    if (slv > 1)
      fail_tree(c.file, static_cast<int64_t>(ti), "vector leaves (multi-target trees) are not supported");
  }
  ir::Tree t;
  t.nodes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    ir::TreeNode& nd = t.nodes[i];
    if (left[i] == -1) {
      if (right[i] != -1)
        fail_at(c.file, static_cast<int64_t>(ti), static_cast<int64_t>(i),
                fmt::format("leaf (left child -1) has right child {}", right[i]));
      nd.feature = -1;
      nd.value = round_to_float(cond[i]) * scale;
      continue;
    }
    if (!stype.empty() && stype[i] != 0)
      fail_at(c.file, static_cast<int64_t>(ti), static_cast<int64_t>(i), "categorical splits are not supported");
    if (split[i] < 0)
      fail_at(c.file, static_cast<int64_t>(ti), static_cast<int64_t>(i), fmt::format("feature index {} is negative", split[i]));
    nd.feature = split[i];
    nd.threshold = round_to_float(cond[i]);
    nd.left = left[i];
    nd.right = right[i];
    nd.default_left = dleft[i] != 0;
  }
  return t;
}

// Margin of the base score for the objective (XGBoost's ProbToMargin).
enum class Link { Identity, Logit, Log };

struct ObjectiveInfo {
  Link link = Link::Identity;
  ir::TreePostTransform post = ir::TreePostTransform::None;
  bool multiclass = false;
};

ObjectiveInfo objective_info(const Ctx& c, const std::string& name) {
  static const std::set<std::string> identity = {
      "reg:squarederror", "reg:linear",        "reg:squaredlogerror", "reg:pseudohubererror",
      "reg:absoluteerror", "reg:quantileerror", "binary:hinge",        "rank:pairwise",
      "rank:ndcg",         "rank:map",          "binary:logitraw"};
  if (name == "binary:logistic" || name == "reg:logistic") return {Link::Logit, ir::TreePostTransform::Logistic, false};
  if (name == "multi:softprob" || name == "multi:softmax") return {Link::Identity, ir::TreePostTransform::Softmax, true};
  if (name == "count:poisson" || name == "reg:gamma" || name == "reg:tweedie") return {Link::Log, ir::TreePostTransform::None, false};
  if (identity.count(name)) return {Link::Identity, ir::TreePostTransform::None, false};
  fail_file(c.file, fmt::format("objective '{}' is not supported (supported: binary:logistic, binary:logitraw, "
                                "reg:logistic, multi:softprob, multi:softmax, reg:squarederror and other "
                                "identity-link regression objectives, count:poisson, reg:gamma, reg:tweedie)",
                                name));
}

}  // namespace

ir::Graph load_xgboost_json_bytes(const std::string& text, const std::string& path) {
  Ctx c{path};
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    fail_file(path, fmt::format("invalid JSON: {}", e.what()));
  }
  try {
    const json& learner = member(c, root, "learner", "the file");
    const json& mp = member(c, learner, "learner_model_param", "learner");
    const json& obj = member(c, learner, "objective", "learner");
    const json& objname = member(c, obj, "name", "learner.objective");
    if (!objname.is_string()) fail_file(path, "learner.objective.name is not a string");
    std::string objective = objname.get<std::string>();
    ObjectiveInfo oi = objective_info(c, objective);

    const json& gb = member(c, learner, "gradient_booster", "learner");
    const json& gbname = member(c, gb, "name", "learner.gradient_booster");
    std::string booster = gbname.is_string() ? gbname.get<std::string>() : "";
    const json* model = nullptr;
    std::vector<double> drop_weights;
    if (booster == "gbtree") {
      model = &member(c, gb, "model", "learner.gradient_booster");
    } else if (booster == "dart") {
      const json& inner = member(c, gb, "gbtree", "learner.gradient_booster");
      model = &member(c, inner, "model", "learner.gradient_booster.gbtree");
      const json& wd = member(c, gb, "weight_drop", "learner.gradient_booster");
      if (!wd.is_array()) fail_file(path, "learner.gradient_booster.weight_drop is not an array");
      for (const json& w : wd) drop_weights.push_back(param_number(c, w, "weight_drop entry"));
    } else {
      fail_file(path, fmt::format("booster '{}' is not supported (only gbtree and dart boosters hold trees)",
                                  gbname.is_string() ? booster : gbname.dump()));
    }

    auto d = std::make_shared<ir::TreeEnsembleData>();
    d->source_format = "xgboost";
    d->objective = objective;
    d->compare = ir::TreeCompare::Less;
    d->post_transform = oi.post;
    double nf = param_number(c, member(c, mp, "num_feature", "learner_model_param"), "num_feature");
    if (!(nf >= 1 && nf <= static_cast<double>(kMaxFeatures)))
      fail_file(path, fmt::format("num_feature {} out of range", nf));
    d->n_features = static_cast<int32_t>(nf);
    int32_t num_class = 0;
    if (mp.contains("num_class")) {
      double ncl = param_number(c, mp["num_class"], "num_class");
      if (!(ncl >= 0 && ncl <= static_cast<double>(kMaxOutputs))) fail_file(path, fmt::format("num_class {} out of range", ncl));
      num_class = static_cast<int32_t>(ncl);
    }
    if (mp.contains("num_target") && param_number(c, mp["num_target"], "num_target") > 1)
      fail_file(path, "multi-target models are not supported");
    if (oi.multiclass && num_class < 2) fail_file(path, fmt::format("objective {} with num_class {}", objective, num_class));
    d->n_outputs = num_class >= 2 ? num_class : 1;

    std::vector<double> base = parse_base_score(c, member(c, mp, "base_score", "learner_model_param"));
    if (base.size() != 1 && base.size() != static_cast<size_t>(d->n_outputs))
      fail_file(path, fmt::format("{} base scores for {} outputs", base.size(), d->n_outputs));
    for (double& b : base) {
      b = round_to_float(b);
      if (oi.link == Link::Logit) b = logit_checked(b, path, "base_score");
      if (oi.link == Link::Log) {
        if (!(b > 0)) fail_file(path, fmt::format("base_score {} must be positive for {}", b, objective));
        b = std::log(b);
      }
      b = round_to_float(b);
    }
    if (base.size() == 1) base.assign(static_cast<size_t>(d->n_outputs), base[0]);
    d->base_score = base;

    const json& trees = member(c, *model, "trees", "gradient booster model");
    if (!trees.is_array()) fail_file(path, "model.trees is not an array");
    if (static_cast<int64_t>(trees.size()) > kMaxTrees) fail_file(path, "too many trees");
    std::vector<int32_t> info;
    if (model->contains("tree_info")) {
      const json& ti = (*model)["tree_info"];
      if (!ti.is_array() || ti.size() != trees.size())
        fail_file(path, fmt::format("model.tree_info has {} entries for {} trees", ti.is_array() ? ti.size() : 0, trees.size()));
      for (size_t i = 0; i < ti.size(); ++i) {
        if (!ti[i].is_number_integer()) fail_tree(path, static_cast<int64_t>(i), "tree_info entry is not an integer");
        int64_t k = ti[i].get<int64_t>();
        if (k < 0 || k >= d->n_outputs)
          fail_tree(path, static_cast<int64_t>(i), fmt::format("tree_info class {} out of range [0, {})", k, d->n_outputs));
        info.push_back(static_cast<int32_t>(k));
      }
    }
    if (!drop_weights.empty() && drop_weights.size() != trees.size())
      fail_file(path, fmt::format("weight_drop has {} entries for {} trees", drop_weights.size(), trees.size()));
    d->trees.reserve(trees.size());
    for (size_t i = 0; i < trees.size(); ++i) {
      double scale = drop_weights.empty() ? 1.0 : drop_weights[i];
      ir::Tree t = read_tree(c, trees[i], i, scale);
      t.class_id = info.empty() ? static_cast<int32_t>(i % static_cast<size_t>(d->n_outputs)) : info[i];
      d->trees.push_back(std::move(t));
    }
    validate_and_compact(*d, path);
    return make_tree_graph(std::move(d), path, "XGBoost " + objective);
  } catch (const json::exception& e) {
    fail_file(path, fmt::format("unexpected JSON content: {}", e.what()));
  }
}

ir::Graph load_xgboost_json(const std::string& path) { return load_xgboost_json_bytes(read_file(path), path); }

}  // namespace tachyon::frontends
