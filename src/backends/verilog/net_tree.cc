// IR -> DFG: TreeEnsemble (boosted decision trees, random forests), with the emulator's
// arithmetic (semantics.md §5, docs/trees.md "Arithmetic"): thresholds quantized and trees
// folded by the shared emulator::quantize_trees, so every node decides with the same bits.
//
// Structure (fully parallel, one sample per clock):
//  * comparisons — one comparator per distinct (feature, threshold code) pair of the whole
//    ensemble: x[f] <= k on the input's grid (the quantizer has already turned x < t into
//    x <= k, so both compare rules become the same hardware);
//  * leaf selection — per tree, a multiplexer tree driven by the comparison bits of its
//    internal nodes, with the leaves' score_t codes as constants (a node whose two subtrees
//    give the same value needs no multiplexer);
//  * class sums — per class, one balanced adder tree over its trees' leaves, the base score
//    folded into the leaf constants of the class's first tree: the emulator's accumulator can neither overflow nor round, so the exact integer
//    sum is its value and any adder order gives the same bits; one conversion to the output
//    type (its rounding and saturation) at the end.
// The scheduler places the pipeline registers from the timing model like for any layer.
#include <fmt/format.h>

#include <map>
#include <utility>

#include "tachyon/backends/verilog/net.h"
#include "tachyon/emulator/tree_quant.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/ir/diagnostic.h"

namespace tachyon::backends::verilog {

void NetEmitter::tree(const ir::Node& n, LayerInfo& info) {
  if (!n.trees) ir::node_fail(g_, n, "tree ensemble without trees");
  if (n.inputs.size() != 1 || n.outputs.size() != 1) ir::node_fail(g_, n, "expected one input and one output");
  const ir::TreeEnsembleData& d = *n.trees;
  const Sigs& x = in(n, 0);
  ir::ValueId yv = n.outputs[0];
  const FixedType& x_t = type(n.inputs[0]);
  const FixedType& out_t = type(yv);
  const emulator::TreeTypes ty = emulator::tree_types(n, x_t, out_t);
  emulator::TreeQuantized q =
      emulator::quantize_trees(d, ty, static_cast<int64_t>(x.size()), ir::num_elements(g_.value(yv).shape),
                               [&](const std::string& msg) { ir::node_fail(g_, n, msg); });

  const std::string p = nm(n);
  const int fx = x_t.frac_bits(), fs = ty.score_t.frac_bits();
  // Comparators, shared by every node testing the same feature against the same code.
  std::map<std::pair<int32_t, BigInt>, DNode> cmps;
  auto compare = [&](int32_t f, const BigInt& k) {
    auto key = std::make_pair(f, k);
    auto it = cmps.find(key);
    if (it != cmps.end()) return it->second;
    const FSig& xf = x.at(static_cast<size_t>(f));
    int F = std::max(xf.frac, fx);
    DNode c = d_.cmp(xf.node, F - xf.frac, CmpOp::Le, d_.constant(k), F - fx, fmt::format("{}_c{}", p, cmps.size()));
    cmps.emplace(key, c);
    return c;
  };
  // Leaf constants (one node per code, so equal subtrees fold).
  std::map<BigInt, DNode> consts;
  auto constant = [&](const BigInt& v) {
    auto it = consts.find(v);
    if (it != consts.end()) return it->second;
    return consts.emplace(v, d_.constant(v)).first->second;
  };
  int64_t leaves = 0, muxes = 0;
  std::vector<std::vector<STerm>> terms(static_cast<size_t>(d.n_outputs));
  // The base score's code, added into the leaves of each class's first tree (the sum is exact,
  // so this changes no bit and saves one adder per class).
  std::vector<BigInt> base(static_cast<size_t>(d.n_outputs));
  for (int32_t c = 0; c < d.n_outputs; ++c)
    base[static_cast<size_t>(c)] = Fixed::from_double(d.base_score[static_cast<size_t>(c)], ty.score_t).raw();
  std::vector<bool> based(static_cast<size_t>(d.n_outputs), false);
  for (size_t ti = 0; ti < q.trees.size(); ++ti) {
    const emulator::TreeQTree& t = q.trees[ti];
    const size_t cls = static_cast<size_t>(t.class_id);
    const BigInt offset = based.at(cls) ? BigInt(0) : base.at(cls);
    based[cls] = true;
    // Children come after their parent in pre-order: resolve the nodes backwards.
    std::vector<DNode> val(t.nodes.size(), -1);
    for (size_t i = t.nodes.size(); i-- > 0;) {
      const emulator::TreeQNode& qn = t.nodes[i];
      if (qn.feature < 0) {
        val[i] = constant(Fixed::from_double(qn.leaf, ty.score_t).raw() + offset);
        ++leaves;
        continue;
      }
      DNode l = val.at(static_cast<size_t>(qn.left)), r = val.at(static_cast<size_t>(qn.right));
      if (l == r) {
        val[i] = l;
        continue;
      }
      val[i] = d_.mux(compare(qn.feature, qn.k), l, r, fmt::format("{}_t{}_n{}", p, ti, i));
      ++muxes;
    }
    terms[cls].push_back({val[0], 0, false});
  }
  Sigs out;
  for (int32_t c = 0; c < d.n_outputs; ++c) {
    std::vector<STerm>& ts = terms[static_cast<size_t>(c)];
    if (!based[static_cast<size_t>(c)]) ts.push_back({d_.constant(base[static_cast<size_t>(c)]), 0, false});
    std::vector<int> depth;
    DNode s = sum_tree(d_, ts, fmt::format("{}_sum{}", p, c), depth);
    out.push_back(cast(FSig{s, fs}, out_t, fmt::format("{}_{}", p, c)));
  }
  info.dot.exact += d.n_outputs;
  info.notes.push_back(fmt::format("{} trees, {} thresholds ({} inexact, {} nodes folded), {} comparators, {} multiplexers, {} leaves",
                                   q.trees.size(), q.thresholds, q.inexact, q.folded, cmps.size(), muxes, leaves));
  vals_[yv] = std::move(out);
}

}  // namespace tachyon::backends::verilog
