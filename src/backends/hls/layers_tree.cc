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
  if (d.trees.empty()) fail("{}no trees", what);

  // Thresholds and folding: the emulator's rule (shared code). Per node, in pre-order per
  // tree: feature (-1: leaf), left child relative to the tree's first node (right = left + 1),
  // threshold code on x_t's grid, leaf value in score_t.
  emulator::TreeQuantized q = emulator::quantize_trees(d, ty, elements(g, x, n), elements(g, y, n),
                                                       [&what](const std::string& msg) { fail("{}{}", what, msg); });
  std::vector<int64_t> feature, child, start, cls;
  std::vector<Fixed> thr, leaves, base;
  for (const emulator::TreeQTree& t : q.trees) {
    start.push_back(static_cast<int64_t>(feature.size()));
    cls.push_back(t.class_id);
    for (const emulator::TreeQNode& qn : t.nodes) {
      const bool leaf = qn.feature < 0;
      feature.push_back(qn.feature);
      child.push_back(leaf ? 0 : qn.left);
      thr.push_back(leaf ? Fixed(x_t) : Fixed::from_raw(qn.k, x_t));
      leaves.push_back(leaf ? Fixed::from_double(qn.leaf, score_t) : Fixed(score_t));
    }
  }
  if (feature.size() > 0x7fffffff) fail("{}too many tree nodes", what);
  for (double v : d.base_score) base.push_back(Fixed::from_double(v, score_t));

  // Constant arrays.
  auto [feat_arr, feat_t] = b.add_int_table(n, "feature", "short", feature);
  auto [child_arr, child_t] = b.add_int_table(n, "child", "unsigned", child);
  auto [start_arr, start_t] = b.add_int_table(n, "tree_start", "unsigned", start);
  auto [cls_arr, cls_t] = b.add_int_table(n, "tree_class", "unsigned", cls);
  auto thr_arr = b.add_table(n, "threshold", x_t, thr, fmt::format("thresholds of '{}' on the input grid {}", n.name, x_t.str()));
  auto leaf_arr = b.add_table(n, "leaf", score_t, leaves, fmt::format("leaf values of '{}' ({})", n.name, score_t.str()));
  auto base_arr = b.add_table(n, "base", score_t, base, fmt::format("base scores of '{}' ({})", n.name, score_t.str()));
  (void)feat_t, (void)child_t, (void)start_t, (void)cls_t;

  ConfigStruct c(b.claim("config_" + name), "tree_config");
  c.u("n_features", d.n_features).u("n_outputs", d.n_outputs).u("n_trees", static_cast<int64_t>(d.trees.size()));
  c.u("n_nodes", static_cast<int64_t>(feature.size())).u("max_depth", std::max(q.max_depth, 1)).common(n);
  c.t("score_t", leaf_arr.second).t("accum_t", b.add_type(n, "accum", q.acc_t));
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
