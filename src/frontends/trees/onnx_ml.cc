// ONNX-ML TreeEnsembleClassifier / TreeEnsembleRegressor (domain ai.onnx.ml, opsets 1-3).
//
// Nodes are identified by (nodes_treeids, nodes_nodeids); nodes_modes BRANCH_LEQ / BRANCH_GT
// (x <= t decides) or BRANCH_LT / BRANCH_GTE (x < t decides) - one family per model -,
// LEAF; nodes_truenodeids / nodes_falsenodeids; nodes_missing_value_tracks_true. Leaf
// weights come from class_* (classifier) or target_* (regressor) and may name several
// outputs per leaf: such a tree becomes one IR tree per output it contributes to. The IR
// node goes left when the comparison `x <= t` (or `x < t`) holds, so BRANCH_GT/GTE swap
// the branches. aggregate_function AVERAGE divides the weights by the number of trees.
// A classifier with two labels whose weights all name one class id has one output, that
// class's score (onnxruntime's binary case). Thresholds and weights are float32 values.
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>

#include "frontends/trees/tree_common.h"

namespace tachyon::frontends {

using namespace trees_detail;

namespace {

bool is_tree_op(const onnx::NodeProto& n) {
  return (n.op_type() == "TreeEnsembleClassifier" || n.op_type() == "TreeEnsembleRegressor") &&
         (n.domain() == "ai.onnx.ml");
}

bool is_passive_op(const onnx::NodeProto& n) {
  return n.op_type() == "ZipMap" || n.op_type() == "Identity" || n.op_type() == "Cast";
}

bool read_model(const std::string& path, onnx::ModelProto* m, std::string* err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = "cannot open";
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!m->ParseFromString(bytes)) {
    *err = "not a valid ONNX protobuf";
    return false;
  }
  return true;
}

class Attrs {
 public:
  Attrs(const onnx::NodeProto& n, std::string file) : file_(std::move(file)) {
    for (const auto& a : n.attribute()) map_[a.name()] = &a;
  }
  bool has(const std::string& k) const { return map_.count(k) > 0; }
  std::vector<int64_t> ints(const std::string& k, bool required = true) const {
    const onnx::AttributeProto* a = find(k, required);
    if (!a) return {};
    return {a->ints().begin(), a->ints().end()};
  }
  // float list, or the *_as_tensor variant (float or double tensor).
  std::vector<double> reals(const std::string& k, bool required = true) const {
    if (const onnx::AttributeProto* a = find(k, false)) return {a->floats().begin(), a->floats().end()};
    if (const onnx::AttributeProto* a = find(k + "_as_tensor", false)) return tensor_values(*a);
    if (required) fail_file(file_, fmt::format("tree ensemble node has no attribute '{}'", k));
    return {};
  }
  std::vector<std::string> strings(const std::string& k, bool required = true) const {
    const onnx::AttributeProto* a = find(k, required);
    if (!a) return {};
    return {a->strings().begin(), a->strings().end()};
  }
  std::string str(const std::string& k, const std::string& dflt) const {
    const onnx::AttributeProto* a = find(k, false);
    return a ? a->s() : dflt;
  }
  int64_t integer(const std::string& k, int64_t dflt) const {
    const onnx::AttributeProto* a = find(k, false);
    return a ? a->i() : dflt;
  }

 private:
  const onnx::AttributeProto* find(const std::string& k, bool required) const {
    auto it = map_.find(k);
    if (it == map_.end()) {
      if (required) fail_file(file_, fmt::format("tree ensemble node has no attribute '{}'", k));
      return nullptr;
    }
    return it->second;
  }
  std::vector<double> tensor_values(const onnx::AttributeProto& a) const {
    const onnx::TensorProto& t = a.t();
    std::vector<double> r;
    if (t.data_type() == onnx::TensorProto::FLOAT) {
      if (t.float_data_size() > 0) return {t.float_data().begin(), t.float_data().end()};
      const std::string& raw = t.raw_data();
      if (raw.size() % 4) fail_file(file_, fmt::format("attribute '{}' has truncated raw data", a.name()));
      for (size_t i = 0; i < raw.size(); i += 4) {
        float f;
        std::memcpy(&f, raw.data() + i, 4);
        r.push_back(f);
      }
      return r;
    }
    if (t.data_type() == onnx::TensorProto::DOUBLE) {
      if (t.double_data_size() > 0) return {t.double_data().begin(), t.double_data().end()};
      const std::string& raw = t.raw_data();
      if (raw.size() % 8) fail_file(file_, fmt::format("attribute '{}' has truncated raw data", a.name()));
      for (size_t i = 0; i < raw.size(); i += 8) {
        double v;
        std::memcpy(&v, raw.data() + i, 8);
        r.push_back(v);
      }
      return r;
    }
    fail_file(file_, fmt::format("attribute '{}' is not a float or double tensor", a.name()));
  }

  std::string file_;
  std::map<std::string, const onnx::AttributeProto*> map_;
};

// ONNX-ML gives no explicit root: it is the node no other node of the tree points to.
// Moves it to index 0 (swapping indices with the node there), leaf weights included.
void move_root_first(ir::Tree& base_tree, std::map<int32_t, std::map<int32_t, double>>& leaf_w, const std::string& path,
                     int64_t tid) {
  std::vector<char> pointed(base_tree.nodes.size(), 0);
  for (const ir::TreeNode& nd : base_tree.nodes)
    if (!nd.is_leaf()) {
      pointed[static_cast<size_t>(nd.left)] = 1;
      pointed[static_cast<size_t>(nd.right)] = 1;
    }
  int32_t root = -1;
  for (size_t k = 0; k < pointed.size(); ++k)
    if (!pointed[k]) {
      if (root >= 0) fail_tree(path, tid, "has several root nodes (nodes no other node points to)");
      root = static_cast<int32_t>(k);
    }
  if (root < 0) fail_tree(path, tid, "has no root node (every node is some node's child: cycle)");
  if (root != 0) {
    // Move the root to index 0 by swapping indices 0 and root.
    auto remap = [&](int32_t x) { return x == 0 ? root : (x == root ? 0 : x); };
    std::swap(base_tree.nodes[0], base_tree.nodes[static_cast<size_t>(root)]);
    for (ir::TreeNode& nd : base_tree.nodes)
      if (!nd.is_leaf()) {
        nd.left = remap(nd.left);
        nd.right = remap(nd.right);
      }
    std::map<int32_t, std::map<int32_t, double>> moved;
    for (auto& [node, per] : leaf_w) moved[remap(node)] = per;
    leaf_w = std::move(moved);
  }
}

// The feature count: the input's last dimension when static, else the largest index + 1.
int64_t feature_count(const onnx::ModelProto& m, const onnx::NodeProto& tn, const std::vector<std::string>& modes,
                      const std::vector<int64_t>& feat, const std::string& path) {
  const size_t n = modes.size();
  int64_t nf = 0;
  const std::string& in_name = tn.input_size() > 0 ? tn.input(0) : std::string();
  for (const auto& vi : m.graph().input()) {
    if (vi.name() != in_name || !vi.type().has_tensor_type()) continue;
    const auto& shape = vi.type().tensor_type().shape();
    if (shape.dim_size() >= 1 && shape.dim(shape.dim_size() - 1).has_dim_value())
      nf = shape.dim(shape.dim_size() - 1).dim_value();
  }
  int64_t max_feat = -1;
  for (size_t i = 0; i < n; ++i)
    if (modes[i] != "LEAF") max_feat = std::max(max_feat, feat[i]);
  if (nf <= 0) nf = max_feat + 1;
  if (max_feat >= nf)
    fail_file(path, fmt::format("a node uses feature {} but the input '{}' has {} features", max_feat, in_name, nf));
  if (nf < 1 || nf > kMaxFeatures) fail_file(path, fmt::format("feature count {} out of range", nf));
  return nf;
}

// The number of outputs, and for a binary classifier whose weights all go to one class id
// (collapsed to one output), that id (else -1).
std::pair<int64_t, int64_t> output_count(const Attrs& at, const std::string& path, bool classifier, const std::string& pfx,
                                         const std::vector<int64_t>& w_id) {
  int64_t n_out = 0;
  std::set<int64_t> ids_used(w_id.begin(), w_id.end());
  int64_t collapsed_id = -1;  // binary classifier with one weight class
  if (classifier) {
    auto li = at.ints("classlabels_int64s", false);
    auto ls = at.strings("classlabels_strings", false);
    n_out = static_cast<int64_t>(std::max(li.size(), ls.size()));
    if (n_out == 0) fail_file(path, "classifier without classlabels_int64s / classlabels_strings");
    if (n_out == 2 && ids_used.size() == 1) {
      collapsed_id = *ids_used.begin();
      n_out = 1;
    }
  } else {
    n_out = at.integer("n_targets", 1);
  }
  if (n_out < 1 || n_out > kMaxOutputs) fail_file(path, fmt::format("{} outputs is out of range", n_out));
  for (int64_t id : ids_used) {
    int64_t limit = collapsed_id >= 0 ? 2 : n_out;
    if (id < 0 || id >= limit) fail_file(path, fmt::format("{}ids value {} out of range [0, {})", pfx, id, limit));
  }
  return {n_out, collapsed_id};
}

// post_transform, the objective text and the base scores.
void read_post_transform(const Attrs& at, const std::string& path, const std::string& op, int64_t n_out,
                         int64_t collapsed_id, ir::TreeEnsembleData& d) {
  std::string post = at.str("post_transform", "NONE");
  d.objective = op + " post_transform=" + post;
  if (post == "LOGISTIC")
    d.post_transform = ir::TreePostTransform::Logistic;
  else if (post == "SOFTMAX")
    d.post_transform = ir::TreePostTransform::Softmax;
  else if (post == "NONE" || post == "SOFTMAX_ZERO" || post == "PROBIT")
    d.post_transform = ir::TreePostTransform::None;
  else
    fail_file(path, fmt::format("unknown post_transform '{}'", post));

  auto base = at.reals("base_values", false);
  if (base.empty()) {
    d.base_score.assign(static_cast<size_t>(n_out), 0.0);
  } else if (collapsed_id >= 0) {
    if (base.size() == 1)
      d.base_score = {base[0]};
    else if (base.size() == 2)
      d.base_score = {base[static_cast<size_t>(collapsed_id)]};
    else
      fail_file(path, fmt::format("base_values has {} entries for a binary classifier", base.size()));
  } else {
    if (static_cast<int64_t>(base.size()) != n_out)
      fail_file(path, fmt::format("base_values has {} entries for {} outputs", base.size(), n_out));
    d.base_score = base;
  }
}

// The comparison of the branch nodes (one kind per model).
ir::TreeCompare comparison_of(const std::vector<std::string>& modes, const std::vector<int64_t>& tree_ids,
                              const std::vector<int64_t>& node_ids, const std::string& path) {
  const size_t n = modes.size();
  bool has_le = false, has_lt = false;
  for (size_t i = 0; i < n; ++i) {
    const std::string& md = modes[i];
    if (md == "BRANCH_LEQ" || md == "BRANCH_GT")
      has_le = true;
    else if (md == "BRANCH_LT" || md == "BRANCH_GTE")
      has_lt = true;
    else if (md != "LEAF")
      fail_at(path, tree_ids[i], node_ids[i], fmt::format("node mode {} is not supported", md));
  }
  if (has_le && has_lt)
    fail_file(path, "the model mixes BRANCH_LEQ/BRANCH_GT with BRANCH_LT/BRANCH_GTE nodes (one comparison kind per model is supported)");
  return has_lt ? ir::TreeCompare::Less : ir::TreeCompare::LessEqual;
}

}  // namespace

namespace trees_detail {
bool onnx_ml_is_tree_model(const std::string& path) {
  onnx::ModelProto m;
  std::string err;
  if (!read_model(path, &m, &err)) return false;
  int trees = 0;
  for (const auto& n : m.graph().node()) {
    if (is_tree_op(n))
      ++trees;
    else if (!is_passive_op(n))
      return false;
  }
  return trees == 1;
}
}  // namespace trees_detail

ir::Graph load_onnx_ml_trees_bytes(const std::string& text, const std::string& path) {
  onnx::ModelProto m;
  if (!m.ParseFromString(text)) fail_file(path, "not a valid ONNX protobuf");
  const onnx::NodeProto* tn = nullptr;
  for (const auto& n : m.graph().node()) {
    if (is_tree_op(n)) {
      if (tn) fail_file(path, "the graph has several tree-ensemble nodes (one is supported)");
      tn = &n;
    } else if (!is_passive_op(n)) {
      fail_file(path, fmt::format("node '{}' ({}) is not supported next to a tree ensemble (only ZipMap, Identity "
                                  "and Cast may follow it)",
                                  n.name(), n.op_type()));
    }
  }
  if (!tn) fail_file(path, "no ai.onnx.ml TreeEnsembleClassifier / TreeEnsembleRegressor node");
  const bool classifier = tn->op_type() == "TreeEnsembleClassifier";
  const std::string op = tn->op_type();
  Attrs at(*tn, path);

  auto tree_ids = at.ints("nodes_treeids");
  auto node_ids = at.ints("nodes_nodeids");
  auto feat = at.ints("nodes_featureids");
  auto values = at.reals("nodes_values");
  auto modes = at.strings("nodes_modes");
  auto tru = at.ints("nodes_truenodeids");
  auto fal = at.ints("nodes_falsenodeids");
  auto miss = at.ints("nodes_missing_value_tracks_true", false);
  const size_t n = tree_ids.size();
  for (auto [name, size] : {std::pair<const char*, size_t>{"nodes_nodeids", node_ids.size()}, {"nodes_featureids", feat.size()},
                            {"nodes_values", values.size()}, {"nodes_modes", modes.size()},
                            {"nodes_truenodeids", tru.size()}, {"nodes_falsenodeids", fal.size()}})
    if (size != n) fail_file(path, fmt::format("{} has {} entries, nodes_treeids has {}", name, size, n));
  if (!miss.empty() && miss.size() != n)
    fail_file(path, fmt::format("nodes_missing_value_tracks_true has {} entries, nodes_treeids has {}", miss.size(), n));
  if (n == 0) fail_file(path, "the tree ensemble has no nodes");

  const std::string pfx = classifier ? "class_" : "target_";
  auto w_tree = at.ints(pfx + "treeids");
  auto w_node = at.ints(pfx + "nodeids");
  auto w_id = at.ints(pfx + "ids");
  auto w_val = at.reals(pfx + "weights");
  if (w_node.size() != w_tree.size() || w_id.size() != w_tree.size() || w_val.size() != w_tree.size())
    fail_file(path, fmt::format("{}treeids/nodeids/ids/weights have different lengths ({}, {}, {}, {})", pfx, w_tree.size(),
                                w_node.size(), w_id.size(), w_val.size()));

  // Trees in order of first appearance; node id -> index within its tree.
  std::map<int64_t, size_t> tree_index;
  std::vector<std::unordered_map<int64_t, int32_t>> local;
  std::vector<std::vector<size_t>> members;  // attribute positions of each tree's nodes
  for (size_t i = 0; i < n; ++i) {
    auto [it, fresh] = tree_index.emplace(tree_ids[i], tree_index.size());
    if (fresh) {
      local.emplace_back();
      members.emplace_back();
    }
    size_t t = it->second;
    if (static_cast<int64_t>(members[t].size()) >= kMaxNodesPerTree) fail_tree(path, tree_ids[i], "too many nodes");
    if (!local[t].emplace(node_ids[i], static_cast<int32_t>(members[t].size())).second)
      fail_at(path, tree_ids[i], node_ids[i], "duplicate node id");
    members[t].push_back(i);
  }
  if (static_cast<int64_t>(members.size()) > kMaxTrees) fail_file(path, "too many trees");

  // Outputs.
  const std::pair<int64_t, int64_t> outputs = output_count(at, path, classifier, pfx, w_id);
  const int64_t n_out = outputs.first, collapsed_id = outputs.second;
  auto out_of = [&](int64_t id) { return static_cast<int32_t>(collapsed_id >= 0 ? 0 : id); };

  std::string agg = at.str("aggregate_function", "SUM");
  double scale = 1.0;
  if (agg == "AVERAGE")
    scale = 1.0 / static_cast<double>(members.size());
  else if (agg != "SUM")
    fail_file(path, fmt::format("aggregate_function {} is not supported (SUM, AVERAGE)", agg));

  auto d = std::make_shared<ir::TreeEnsembleData>();
  d->source_format = "onnx-ml";
  d->n_outputs = static_cast<int32_t>(n_out);
  read_post_transform(at, path, op, n_out, collapsed_id, *d);

  d->compare = comparison_of(modes, tree_ids, node_ids, path);

  // Leaf weights per (tree, local node) and output.
  std::vector<std::map<int32_t, std::map<int32_t, double>>> leaf_w(members.size());
  for (size_t j = 0; j < w_tree.size(); ++j) {
    auto ti = tree_index.find(w_tree[j]);
    if (ti == tree_index.end()) fail_file(path, fmt::format("{}treeids names tree {} which has no nodes", pfx, w_tree[j]));
    auto ni = local[ti->second].find(w_node[j]);
    if (ni == local[ti->second].end()) fail_at(path, w_tree[j], w_node[j], fmt::format("{}nodeids names a node that does not exist", pfx));
    if (modes[members[ti->second][static_cast<size_t>(ni->second)]] != "LEAF")
      fail_at(path, w_tree[j], w_node[j], "has a leaf weight but is not a LEAF");
    leaf_w[ti->second][ni->second][out_of(w_id[j])] += round_to_float(w_val[j]) * scale;
  }

  for (size_t t = 0; t < members.size(); ++t) {
    const int64_t tid = tree_ids[members[t][0]];
    ir::Tree base_tree;
    base_tree.nodes.resize(members[t].size());
    std::set<int32_t> outs;
    for (auto& [node, per] : leaf_w[t])
      for (auto& [o, w] : per) outs.insert(o);
    for (size_t k = 0; k < members[t].size(); ++k) {
      size_t i = members[t][k];
      ir::TreeNode& nd = base_tree.nodes[k];
      if (modes[i] == "LEAF") {
        nd.feature = -1;
        continue;
      }
      auto child = [&](int64_t id, const char* which) {
        auto it = local[t].find(id);
        if (it == local[t].end()) fail_at(path, tid, node_ids[i], fmt::format("{} node id {} does not exist in this tree", which, id));
        return it->second;
      };
      if (feat[i] < 0 || feat[i] >= kMaxFeatures) fail_at(path, tid, node_ids[i], fmt::format("feature index {} out of range", feat[i]));
      int32_t tn_ = child(tru[i], "true-branch");
      int32_t fn_ = child(fal[i], "false-branch");
      bool tracks_true = !miss.empty() && miss[i] != 0;
      bool swap = modes[i] == "BRANCH_GT" || modes[i] == "BRANCH_GTE";
      nd.feature = static_cast<int32_t>(feat[i]);
      nd.threshold = round_to_float(values[i]);
      nd.left = swap ? fn_ : tn_;
      nd.right = swap ? tn_ : fn_;
      nd.default_left = swap ? !tracks_true : tracks_true;
    }
    if (outs.empty()) outs.insert(0);  // a tree without weights contributes zeros
    move_root_first(base_tree, leaf_w[t], path, tid);
    for (int32_t o : outs) {
      ir::Tree tr = base_tree;
      tr.class_id = o;
      for (size_t k = 0; k < tr.nodes.size(); ++k) {
        if (!tr.nodes[k].is_leaf()) continue;
        auto it = leaf_w[t].find(static_cast<int32_t>(k));
        double v = 0;
        if (it != leaf_w[t].end()) {
          auto jt = it->second.find(o);
          if (jt != it->second.end()) v = jt->second;
        }
        tr.nodes[k].value = v;
      }
      d->trees.push_back(std::move(tr));
    }
  }

  const int64_t nf = feature_count(m, *tn, modes, feat, path);
  d->n_features = static_cast<int32_t>(nf);
  validate_and_compact(*d, path);
  return make_tree_graph(std::move(d), path, op);
}

ir::Graph load_onnx_ml_trees(const std::string& path) { return load_onnx_ml_trees_bytes(read_file(path), path); }

}  // namespace tachyon::frontends
