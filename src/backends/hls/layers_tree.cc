// TreeEnsemble: thresholds quantized and trees folded by the emulator's own rule
// (emulator::quantize_trees, tachyon/emulator/tree_quant.h; semantics.md §5), written as
// constant arrays for tachyon/tree.h.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "backends/hls/hls_internal.h"
#include "tachyon/emulator/tree_quant.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::hls {

namespace {

struct FlatNode {
  int32_t feature = -1;
  int32_t child = 0;  // left child, relative to the tree's first node (right = child + 1)
  BigInt k;           // threshold code on x_t's grid
  double leaf = 0;
};

}  // namespace

LayerCode emit_tree(ProjectBuilder& b, const ir::Node& n, const std::string& name) {
  const ir::Graph& g = b.graph();
  const std::string what = node_prefix(g, n);
  if (!n.trees) fail("{}tree ensemble without trees", what);
  if (n.inputs.size() != 1 || n.outputs.size() != 1) fail("{}expected one input and one output", what);
  const ir::TreeEnsembleData& d = *n.trees;
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  const FixedType& x_t = b.value_type(x, n);
  const FixedType& out_t = b.value_type(y, n);
  const emulator::TreeTypes ty = emulator::tree_types(n, x_t, out_t);
  const FixedType& score_t = ty.score_t;
  if (elements(g, x, n) != d.n_features) fail("{}input has {} values, the trees use {} features", what, elements(g, x, n), d.n_features);
  if (elements(g, y, n) != d.n_outputs) fail("{}output has {} values, the trees give {} scores", what, elements(g, y, n), d.n_outputs);
  if (d.trees.empty()) fail("{}no trees", what);

  // Thresholds and folding: the emulator's rule (shared code).
  emulator::TreeQuantized q = emulator::quantize_trees(d, ty, [&what](const std::string& msg) { fail("{}{}", what, msg); });
  std::vector<FlatNode> nodes;
  std::vector<int64_t> start, cls;
  for (const emulator::TreeQTree& t : q.trees) {
    start.push_back(static_cast<int64_t>(nodes.size()));
    cls.push_back(t.class_id);
    for (const emulator::TreeQNode& qn : t.nodes) nodes.push_back({qn.feature, qn.left < 0 ? 0 : qn.left, qn.k, qn.leaf});
  }
  const int max_depth = q.max_depth;
  const FixedType& acc_t = q.acc_t;
  if (nodes.size() > 0x7fffffff) fail("{}too many tree nodes", what);

  // Constant arrays.
  auto [feat_arr, feat_t] = b.add_int_table(n, "feature", "short", [&] {
    std::vector<int64_t> v;
    for (const FlatNode& f : nodes) v.push_back(f.feature);
    return v;
  }());
  auto [child_arr, child_t] = b.add_int_table(n, "child", "unsigned", [&] {
    std::vector<int64_t> v;
    for (const FlatNode& f : nodes) v.push_back(f.child);
    return v;
  }());
  auto [start_arr, start_t] = b.add_int_table(n, "tree_start", "unsigned", start);
  auto [cls_arr, cls_t] = b.add_int_table(n, "tree_class", "unsigned", cls);
  std::vector<Fixed> thr, leaves, base;
  for (const FlatNode& f : nodes) {
    thr.push_back(f.feature >= 0 ? Fixed::from_raw(f.k, x_t) : Fixed(x_t));
    leaves.push_back(f.feature >= 0 ? Fixed(score_t) : Fixed::from_double(std::isnan(f.leaf) ? 0.0 : f.leaf, score_t));
  }
  for (double v : d.base_score) base.push_back(Fixed::from_double(std::isnan(v) ? 0.0 : v, score_t));
  auto thr_arr = b.add_table(n, "threshold", x_t, thr, fmt::format("thresholds of '{}' on the input grid {}", n.name, x_t.str()));
  auto leaf_arr = b.add_table(n, "leaf", score_t, leaves, fmt::format("leaf values of '{}' ({})", n.name, score_t.str()));
  auto base_arr = b.add_table(n, "base", score_t, base, fmt::format("base scores of '{}' ({})", n.name, score_t.str()));
  (void)feat_t, (void)child_t, (void)start_t, (void)cls_t;

  ConfigStruct c(b.claim("config_" + name), "tree_config");
  c.u("n_features", d.n_features).u("n_outputs", d.n_outputs).u("n_trees", static_cast<int64_t>(d.trees.size()));
  c.u("n_nodes", static_cast<int64_t>(nodes.size())).u("max_depth", std::max(max_depth, 1)).common(n);
  c.t("score_t", leaf_arr.second).t("accum_t", b.add_type(n, "accum", acc_t));
  LayerCode code;
  code.header = "tree.h";
  code.config = c.str();
  std::string x_arr = b.array(x, n, "in");
  std::string y_arr = b.array(y, n, "out");
  // The threshold array must have the input's own typedef (compared as data_T).
  code.call = "  " +
              call("tree_ensemble", {b.type_name(x), b.type_name(y), c.name()},
                   {x_arr, y_arr, feat_arr, thr_arr.first, child_arr, leaf_arr.first, start_arr, cls_arr, base_arr.first}) +
              "\n";
  return code;
}

}  // namespace tachyon::backends::hls
