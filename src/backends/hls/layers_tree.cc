// TreeEnsemble: thresholds quantized and trees folded exactly as the emulator does
// (src/emulator/tree_kernel.cc, semantics.md §5), written as constant arrays for
// tachyon/tree.h.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "backends/hls/hls_internal.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::hls {

namespace {

// Exact t * 2^f rounded down (floor) or, with ceil_minus_one, ceil(t * 2^f) - 1.
BigInt scaled_code(double t, int f, bool ceil_minus_one) {
  int e = 0;
  double m = std::frexp(t, &e);
  auto mi = static_cast<int64_t>(std::ldexp(m, 53));
  int64_t s = int64_t{e} - 53 + f;
  BigInt v(mi);
  if (s >= 0) {
    BigInt r = v.shl(s);
    return ceil_minus_one ? r - BigInt(1) : r;
  }
  if (!ceil_minus_one) return v.shr(-s);
  return -((-v).shr(-s)) - BigInt(1);
}

BigInt code_min(const FixedType& t) { return t.is_signed ? -BigInt::pow2(t.width - 1) : BigInt(0); }
BigInt code_max(const FixedType& t) {
  return t.is_signed ? BigInt::pow2(t.width - 1) - BigInt(1) : BigInt::pow2(t.width) - BigInt(1);
}

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
  auto it = n.config.types.find("threshold");
  const FixedType thr_t = it == n.config.types.end() ? x_t : it->second;
  it = n.config.types.find("score");
  const FixedType score_t = it == n.config.types.end() ? out_t : it->second;
  if (thr_t.is_signed != x_t.is_signed)
    fail("{}threshold type {} must have the signedness of the input type {}", what, thr_t.str(), x_t.str());
  if (elements(g, x, n) != d.n_features) fail("{}input has {} values, the trees use {} features", what, elements(g, x, n), d.n_features);
  if (elements(g, y, n) != d.n_outputs) fail("{}output has {} values, the trees give {} scores", what, elements(g, y, n), d.n_outputs);
  if (d.base_score.size() != static_cast<size_t>(d.n_outputs)) fail("{}{} base scores for {} outputs", what, d.base_score.size(), d.n_outputs);
  if (d.trees.empty()) fail("{}no trees", what);

  const int fx = x_t.frac_bits(), ft = thr_t.frac_bits();
  const BigInt kmin = code_min(x_t), kmax = code_max(x_t), tmin = code_min(thr_t), tmax = code_max(thr_t);
  const bool strict = d.compare == ir::TreeCompare::Less;
  std::vector<FlatNode> nodes;
  std::vector<int64_t> start, cls;
  std::vector<int64_t> per_class(static_cast<size_t>(d.n_outputs), 0);
  int max_depth = 0;
  for (size_t ti = 0; ti < d.trees.size(); ++ti) {
    const ir::Tree& t = d.trees[ti];
    if (t.nodes.empty()) fail("{}tree {} has no nodes", what, ti);
    if (t.class_id < 0 || t.class_id >= d.n_outputs) fail("{}tree {} has class {} out of range", what, ti, t.class_id);
    per_class[static_cast<size_t>(t.class_id)]++;
    // Effective threshold code and folding per node (the emulator's rule).
    enum class Fold { None, Left, Right };
    std::vector<BigInt> keff(t.nodes.size());
    std::vector<Fold> fold(t.nodes.size(), Fold::None);
    for (size_t i = 0; i < t.nodes.size(); ++i) {
      const ir::TreeNode& tn = t.nodes[i];
      if (tn.is_leaf()) continue;
      if (tn.feature >= d.n_features || tn.left < 0 || tn.right < 0 || static_cast<size_t>(tn.left) >= t.nodes.size() ||
          static_cast<size_t>(tn.right) >= t.nodes.size() || !std::isfinite(tn.threshold))
        fail("{}tree {} node {} is malformed", what, ti, i);
      BigInt k = scaled_code(tn.threshold, fx, strict);
      BigInt ke = k;
      if (!(thr_t == x_t)) {
        BigInt tq = ft >= fx ? k.shl(ft - fx) : -((-k).shr(fx - ft));
        if (tq > tmax) tq = tmax;
        if (tq < tmin) tq = tmin;
        ke = fx >= ft ? tq.shl(fx - ft) : tq.shr(ft - fx);
      }
      if (ke < kmin)
        fold[i] = Fold::Right;
      else if (ke >= kmax)
        fold[i] = Fold::Left;
      keff[i] = ke;
    }
    auto resolve = [&](int32_t i) {
      size_t steps = 0;
      while (!t.nodes[static_cast<size_t>(i)].is_leaf() && fold[static_cast<size_t>(i)] != Fold::None) {
        if (++steps > t.nodes.size()) fail("{}tree {} has a cycle", what, ti);
        const ir::TreeNode& tn = t.nodes[static_cast<size_t>(i)];
        i = fold[static_cast<size_t>(i)] == Fold::Left ? tn.left : tn.right;
      }
      return i;
    };
    // Pre-order copy; children of node j are allocated together (left, right).
    std::vector<FlatNode> flat(1);
    std::vector<int> depth(1, 0);
    std::vector<std::pair<int32_t, int32_t>> stack{{resolve(0), 0}};
    while (!stack.empty()) {
      auto [oi, ni] = stack.back();
      stack.pop_back();
      if (flat.size() > 2 * t.nodes.size()) fail("{}tree {} is not a tree (shared nodes)", what, ti);
      const ir::TreeNode& tn = t.nodes[static_cast<size_t>(oi)];
      if (tn.is_leaf()) {
        flat[static_cast<size_t>(ni)].leaf = tn.value;
        max_depth = std::max(max_depth, depth[static_cast<size_t>(ni)]);
        continue;
      }
      auto l = static_cast<int32_t>(flat.size());
      flat.emplace_back();
      flat.emplace_back();
      int dd = depth[static_cast<size_t>(ni)] + 1;
      depth.push_back(dd);
      depth.push_back(dd);
      FlatNode& fn = flat[static_cast<size_t>(ni)];
      fn.feature = tn.feature;
      fn.k = keff[static_cast<size_t>(oi)];
      fn.child = l;
      stack.push_back({resolve(tn.right), l + 1});
      stack.push_back({resolve(tn.left), l});
    }
    start.push_back(static_cast<int64_t>(nodes.size()));
    cls.push_back(t.class_id);
    nodes.insert(nodes.end(), flat.begin(), flat.end());
  }
  int64_t most = *std::max_element(per_class.begin(), per_class.end());
  int extra = 0;
  while ((int64_t{1} << extra) < most + 1) ++extra;
  FixedType acc_t{score_t.width + extra, score_t.int_bits + extra, score_t.is_signed, Quant::TRN, Overflow::WRAP, 0};
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
