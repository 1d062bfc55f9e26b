// TreeEnsemble emulation (semantics.md §5, docs/trees.md "Arithmetic").
//
// Types: x_t = the node input's type (features arrive already converted to it by the
// emulator's input conversion); thr_t = config.types["threshold"] (default x_t; must have
// x_t's signedness); score_t = config.types["score"] (default: the output value's type);
// out_t = the output value's type.
//
// Thresholds: quantized and folded by quantize_trees (tree_quant.h, shared with the
// backends); a node decides x's code <= k_eff, and thresholds whose thr_t value decides
// unlike the float model are counted as "threshold (inexact)" in the build statistics.
//
// Scores. Leaves and base scores are converted to score_t (its Q and O). Class c's score is
// base_c + the sum of its trees' leaves, computed in acc_t = score_t widened by
// b = ceil(log2(n + 1)) integer bits (n = the largest number of trees of one class; same
// fraction bits, AP_TRN/AP_WRAP), which can neither overflow nor round; the sum is then
// converted to out_t (its Q and O: the only per-sample conversion point, "result").
//
// NaN: the emulator converts inputs to x_t before this kernel runs (NaN -> 0), so the
// model's default directions for missing values are not used (the firmware has no NaN).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kernel_util.h"
#include "tachyon/emulator/kernel_api.h"
#include "tachyon/emulator/tree_quant.h"

namespace tachyon::emulator {

namespace {

using detail::KernelBase;

struct Setup {
  ir::ValueId x, y;
  TreeTypes t;
  std::shared_ptr<const ir::TreeEnsembleData> d;
};

Setup setup_of(const KernelContext& ctx) {
  Setup s;
  const ir::Node& node = ctx.node();
  if (!node.trees) ctx.error("tree ensemble without trees");
  s.d = node.trees;
  s.x = ctx.in(0);
  s.y = ctx.out(0);
  s.t = tree_types(node, ctx.type(s.x), ctx.type(s.y));
  return s;
}

// Fast kernel: every code in int64_t. Branch-free traversal: the two children of a node are
// adjacent (quantize_trees allocates them together), so a step is
// i = left + (x[feature] > k); a leaf points to itself with k = INT64_MAX (every code is
// below it), so running a tree for more steps than its depth leaves it on its leaf. Trees
// are walked kLanes at a time for their largest depth, which lets the CPU overlap the
// independent chains of loads.
class TreeFast final : public KernelBase {
 public:
  static constexpr size_t kLanes = 4;
  struct Node {
    int32_t feature;  // leaf: 0 (any valid feature)
    int32_t left;     // absolute index of the left child (right = left + 1); leaf: itself
    int64_t k;        // internal: threshold code; leaf: INT64_MAX
  };

  TreeFast(const KernelContext& ctx, const Setup& s, const TreeQuantized& q)
      : KernelBase(ctx), x_(s.x), y_(s.y), n_out_(s.d->n_outputs), result_(q.acc_t.frac_bits(), s.t.out_t) {
    DoubleCastPlan leaf_plan(s.t.score_t);
    int64_t leaf_n = 0, leaf_ovf = 0;
    std::vector<int32_t> depth;
    for (const TreeQTree& t : q.trees) {
      const auto base = static_cast<int32_t>(nodes_.size());
      root_.push_back(base);
      cls_.push_back(t.class_id);
      int32_t dmax = 0;
      for (size_t j = 0; j < t.nodes.size(); ++j) {
        const TreeQNode& n = t.nodes[j];
        const auto self = base + static_cast<int32_t>(j);
        if (n.feature >= 0) {
          if (n.right != n.left + 1) ctx.error("internal error: tree children are not adjacent");
          nodes_.push_back({n.feature, base + n.left, n.k.low_i64()});  // fits: kmin - 1 < k < kmax
          leaf_.push_back(0);
        } else {
          bool o = false;
          nodes_.push_back({0, self, INT64_MAX});
          leaf_.push_back(leaf_plan.apply(n.leaf, &o));
          ++leaf_n;
          leaf_ovf += o;
          dmax = std::max(dmax, n.depth);
        }
      }
      depth.push_back(dmax);
    }
    for (size_t t = 0; t < root_.size(); t += kLanes) {
      int32_t d = 0;
      for (size_t j = t; j < std::min(root_.size(), t + kLanes); ++j) d = std::max(d, depth[j]);
      steps_.push_back(d);
    }
    note_build("threshold", s.t.thr_t, q.thresholds, 0);
    if (q.inexact) note_build("threshold (inexact)", s.t.thr_t, q.inexact, q.inexact);
    note_build("leaf", s.t.score_t, leaf_n, leaf_ovf);
    std::vector<double> base(s.d->base_score.begin(), s.d->base_score.end());
    base_ = quantize_raw(base, s.t.score_t, "base");
    point_ = add_point("result", s.t.out_t);
  }

  void run(Workspace& ws, Counts* counts) const override {
    const int64_t* x = ws.fast(x_);
    int64_t* acc = ws.scratch();
    for (int32_t c = 0; c < n_out_; ++c) acc[c] = base_[static_cast<size_t>(c)];
    const Node* nd = nodes_.data();
    const size_t n_trees = root_.size();
    const size_t full = n_trees - n_trees % kLanes;
    // acc_t cannot overflow and fits in 63 bits: the sums are exact in any order.
    for (size_t t = 0; t < full; t += kLanes) {
      int32_t i0 = root_[t], i1 = root_[t + 1], i2 = root_[t + 2], i3 = root_[t + 3];
      for (int32_t d = steps_[t / kLanes]; d > 0; --d) {
        i0 = nd[i0].left + (x[nd[i0].feature] > nd[i0].k);
        i1 = nd[i1].left + (x[nd[i1].feature] > nd[i1].k);
        i2 = nd[i2].left + (x[nd[i2].feature] > nd[i2].k);
        i3 = nd[i3].left + (x[nd[i3].feature] > nd[i3].k);
      }
      acc[cls_[t]] += leaf_[static_cast<size_t>(i0)];
      acc[cls_[t + 1]] += leaf_[static_cast<size_t>(i1)];
      acc[cls_[t + 2]] += leaf_[static_cast<size_t>(i2)];
      acc[cls_[t + 3]] += leaf_[static_cast<size_t>(i3)];
    }
    for (size_t t = full; t < n_trees; ++t) {
      int32_t i = root_[t];
      for (int32_t d = steps_[t / kLanes]; d > 0; --d) i = nd[i].left + (x[nd[i].feature] > nd[i].k);
      acc[cls_[t]] += leaf_[static_cast<size_t>(i)];
    }
    int64_t* y = ws.fast(y_);
    Counts* c = detail::at(counts, point_);
    for (int32_t k = 0; k < n_out_; ++k) y[k] = detail::convert(result_, acc[k], c);
  }
  size_t scratch_size() const override { return static_cast<size_t>(n_out_); }
  const char* flavour() const override { return "fast"; }

 private:
  ir::ValueId x_, y_;
  int32_t n_out_;
  CastPlan result_;
  std::vector<Node> nodes_;
  std::vector<int64_t> leaf_;                 // per node: leaf value's score_t code (0: internal)
  std::vector<int32_t> root_, cls_, steps_;   // per tree; steps_ per group of kLanes trees
  std::vector<int64_t> base_;
  int point_ = 0;
};

// General kernel: any width, on BigInt codes and Fixed values.
class TreeGeneral final : public KernelBase {
 public:
  TreeGeneral(const KernelContext& ctx, const Setup& s, TreeQuantized q)
      : KernelBase(ctx), x_(s.x), y_(s.y), n_out_(s.d->n_outputs), out_t_(s.t.out_t), acc_t_(q.acc_t) {
    int64_t leaf_n = 0, leaf_ovf = 0;
    for (TreeQTree& t : q.trees) {
      Tree g;
      g.class_id = t.class_id;
      for (TreeQNode& n : t.nodes) {
        if (n.feature < 0) {
          bool o = false;
          g.leaf.push_back(Fixed::from_double(n.leaf, s.t.score_t, &o).cast(acc_t_));
          ++leaf_n;
          leaf_ovf += o;
        } else {
          g.leaf.push_back(Fixed(acc_t_));
        }
      }
      g.nodes = std::move(t.nodes);
      trees_.push_back(std::move(g));
    }
    note_build("threshold", s.t.thr_t, q.thresholds, 0);
    if (q.inexact) note_build("threshold (inexact)", s.t.thr_t, q.inexact, q.inexact);
    note_build("leaf", s.t.score_t, leaf_n, leaf_ovf);
    std::vector<double> base(s.d->base_score.begin(), s.d->base_score.end());
    for (const Fixed& b : quantize_fixed(base, s.t.score_t, "base")) base_.push_back(b.cast(acc_t_));
    point_ = add_point("result", s.t.out_t);
  }

  void run(Workspace& ws, Counts* counts) const override {
    std::vector<Fixed> acc = base_;
    const bool fast_x = ws.is_fast(x_);
    const FixedType& x_t = ws.type(x_);
    auto code = [&](int32_t f) -> BigInt {
      if (!fast_x) return ws.wide(x_)[f];
      int64_t r = ws.fast(x_)[f];
      return x_t.is_signed ? BigInt(r) : BigInt::from_u64(static_cast<uint64_t>(r));
    };
    for (const Tree& t : trees_) {
      int32_t i = 0;
      while (t.nodes[static_cast<size_t>(i)].feature >= 0) {
        const TreeQNode& n = t.nodes[static_cast<size_t>(i)];
        i = code(n.feature) <= n.k ? n.left : n.right;
      }
      acc[static_cast<size_t>(t.class_id)].add_assign(t.leaf[static_cast<size_t>(i)]);
    }
    Counts* c = detail::at(counts, point_);
    for (int32_t k = 0; k < n_out_; ++k) ws.set(y_, k, detail::convert(acc[static_cast<size_t>(k)], out_t_, c));
  }
  const char* flavour() const override { return "general"; }

 private:
  struct Tree {
    std::vector<TreeQNode> nodes;
    std::vector<Fixed> leaf;  // per node (leaves only meaningful), already in acc_t
    int32_t class_id = 0;
  };
  ir::ValueId x_, y_;
  int32_t n_out_;
  FixedType out_t_, acc_t_;
  std::vector<Tree> trees_;
  std::vector<Fixed> base_;
  int point_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_tree_kernel(const KernelContext& ctx) {
  Setup s = setup_of(ctx);
  TreeQuantized q = quantize_trees(*s.d, s.t, ir::num_elements(ctx.shape(s.x)),
                                   ir::num_elements(ctx.shape(s.y)), [&ctx](const std::string& msg) { ctx.error(msg); });
  bool fast = !ctx.force_general && is_fast_type(s.t.x_t) && is_fast_type(s.t.out_t) && s.t.score_t.width <= 64 &&
              q.acc_t.width <= 63 && std::abs(int64_t{q.acc_t.frac_bits()} - s.t.out_t.frac_bits()) < 120;
  if (fast) return std::make_unique<TreeFast>(ctx, s, q);
  return std::make_unique<TreeGeneral>(ctx, s, std::move(q));
}

}  // namespace tachyon::emulator
