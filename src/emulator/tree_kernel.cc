// TreeEnsemble emulation (semantics.md §5, docs/trees.md "Arithmetic").
//
// Types: x_t = the node input's type (features arrive already converted to it by the
// emulator's input conversion); thr_t = config.types["threshold"] (default x_t; must have
// x_t's signedness); score_t = config.types["score"] (default: the output value's type);
// out_t = the output value's type.
//
// Thresholds. Let G be the grid of x_t (codes kmin..kmax, value k * 2^-fx). For each
// internal node, k* is the largest code whose value passes the float test:
//   LessEqual (x <= t):  k* = floor(t * 2^fx)
//   Less      (x <  t):  k* = ceil(t * 2^fx) - 1
// so for every representable x, x <= k* * 2^-fx  <=>  the float model goes left. The
// firmware threshold is t_q = the smallest thr_t value >= k* * 2^-fx (saturated to thr_t's
// range); it decides exactly like k* when thr_t can hold a value in [k*, k*+1) * 2^-fx
// (always the case when thr_t == x_t). Otherwise the node decides x <= t_q and is counted
// as "threshold (inexact)" in the build statistics. A node whose decision is the same for
// every code of x_t (k_eff < kmin: always right; k_eff >= kmax: always left) is folded: the
// branch that can never be taken is dropped.
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

#include "kernel_util.h"
#include "tachyon/emulator/kernel_api.h"

namespace tachyon::emulator {

namespace {

using detail::KernelBase;

// Exact t * 2^f rounded down (floor) or, with ceil_minus_one, ceil(t * 2^f) - 1.
BigInt scaled_code(double t, int f, bool ceil_minus_one) {
  int e = 0;
  double m = std::frexp(t, &e);  // t = m * 2^e, 0.5 <= |m| < 1 (or 0)
  auto mi = static_cast<int64_t>(std::ldexp(m, 53));  // exact
  int64_t s = int64_t{e} - 53 + f;                      // t * 2^f = mi * 2^s
  BigInt v(mi);
  if (s >= 0) {
    BigInt r = v.shl(s);
    return ceil_minus_one ? r - BigInt(1) : r;
  }
  if (!ceil_minus_one) return v.shr(-s);  // floor
  // ceil(mi * 2^s) - 1 = -floor(-mi * 2^s) - 1
  return -((-v).shr(-s)) - BigInt(1);
}

BigInt code_min(const FixedType& t) { return t.is_signed ? -BigInt::pow2(t.width - 1) : BigInt(0); }
BigInt code_max(const FixedType& t) {
  return t.is_signed ? BigInt::pow2(t.width - 1) - BigInt(1) : BigInt::pow2(t.width) - BigInt(1);
}

// A tree after threshold quantization and folding: nodes in pre-order, root first.
struct QNode {
  int32_t feature = -1;  // -1: leaf
  int32_t left = -1, right = -1;
  BigInt k;              // internal: go left when x's code <= k (x_t grid)
  double leaf = 0;       // leaf value (double, converted to score_t by the kernels)
};
struct QTree {
  std::vector<QNode> nodes;
  int32_t class_id = 0;
};

struct QModel {
  std::vector<QTree> trees;
  int64_t inexact = 0, thresholds = 0, folded = 0;
  FixedType acc_t;
};

enum class Fold { None, Left, Right };

QModel quantize_model(const KernelContext& ctx, const ir::TreeEnsembleData& d, const FixedType& x_t,
                      const FixedType& thr_t, const FixedType& score_t) {
  QModel q;
  const int fx = x_t.frac_bits(), ft = thr_t.frac_bits();
  const BigInt kmin = code_min(x_t), kmax = code_max(x_t);
  const BigInt tmin = code_min(thr_t), tmax = code_max(thr_t);
  const bool strict = d.compare == ir::TreeCompare::Less;
  for (size_t ti = 0; ti < d.trees.size(); ++ti) {
    const ir::Tree& t = d.trees[ti];
    if (t.nodes.empty()) ctx.error(fmt::format("tree {} has no nodes", ti));
    // Per node: effective code threshold and folding.
    std::vector<BigInt> keff(t.nodes.size());
    std::vector<Fold> fold(t.nodes.size(), Fold::None);
    for (size_t i = 0; i < t.nodes.size(); ++i) {
      const ir::TreeNode& n = t.nodes[i];
      if (n.is_leaf()) continue;
      if (n.feature >= d.n_features || n.left < 0 || n.right < 0 || static_cast<size_t>(n.left) >= t.nodes.size() ||
          static_cast<size_t>(n.right) >= t.nodes.size() || !std::isfinite(n.threshold))
        ctx.error(fmt::format("tree {} node {} is malformed (run the frontend's checks)", ti, i));
      ++q.thresholds;
      BigInt k = scaled_code(n.threshold, fx, strict);
      BigInt ke = k;
      if (!(thr_t == x_t)) {
        // t_q = ceil(k * 2^(ft - fx)) on thr_t's grid, saturated; then back to x_t's grid.
        BigInt tq = ft >= fx ? k.shl(ft - fx) : -((-k).shr(fx - ft));
        if (tq > tmax) tq = tmax;
        if (tq < tmin) tq = tmin;
        ke = fx >= ft ? tq.shl(fx - ft) : tq.shr(ft - fx);
        // Exact when the same codes pass (differences beyond x_t's range do not matter).
        BigInt a = std::clamp(k, kmin - BigInt(1), kmax), b = std::clamp(ke, kmin - BigInt(1), kmax);
        if (a != b) ++q.inexact;
      }
      if (ke < kmin)
        fold[i] = Fold::Right;
      else if (ke >= kmax)
        fold[i] = Fold::Left;
      keff[i] = ke;
    }
    // Pre-order copy following folded nodes to the only reachable child.
    QTree qt;
    qt.class_id = t.class_id;
    auto resolve = [&](int32_t i) {
      size_t steps = 0;
      while (!t.nodes[static_cast<size_t>(i)].is_leaf() && fold[static_cast<size_t>(i)] != Fold::None) {
        if (++steps > t.nodes.size()) ctx.error(fmt::format("tree {} has a cycle", ti));
        ++q.folded;
        const ir::TreeNode& n = t.nodes[static_cast<size_t>(i)];
        i = fold[static_cast<size_t>(i)] == Fold::Left ? n.left : n.right;
      }
      return i;
    };
    std::vector<std::pair<int32_t, int32_t>> stack;  // (old node, new index)
    qt.nodes.emplace_back();
    stack.push_back({resolve(0), 0});
    while (!stack.empty()) {
      auto [oi, ni] = stack.back();
      stack.pop_back();
      if (qt.nodes.size() > 2 * t.nodes.size()) ctx.error(fmt::format("tree {} is not a tree (shared nodes)", ti));
      const ir::TreeNode& n = t.nodes[static_cast<size_t>(oi)];
      if (n.is_leaf()) {
        qt.nodes[static_cast<size_t>(ni)].leaf = n.value;
        continue;
      }
      auto l = static_cast<int32_t>(qt.nodes.size());
      qt.nodes.emplace_back();
      qt.nodes.emplace_back();
      QNode& qn = qt.nodes[static_cast<size_t>(ni)];
      qn.feature = n.feature;
      qn.k = keff[static_cast<size_t>(oi)];
      qn.left = l;
      qn.right = l + 1;
      stack.push_back({resolve(n.right), l + 1});
      stack.push_back({resolve(n.left), l});
    }
    q.trees.push_back(std::move(qt));
  }
  // Accumulator: score_t plus ceil(log2(n + 1)) integer bits.
  std::vector<int64_t> per_class(static_cast<size_t>(d.n_outputs), 0);
  for (const ir::Tree& t : d.trees) per_class[static_cast<size_t>(t.class_id)]++;
  int64_t n = *std::max_element(per_class.begin(), per_class.end());
  int extra = 0;
  while ((int64_t{1} << extra) < n + 1) ++extra;
  q.acc_t = FixedType{score_t.width + extra, score_t.int_bits + extra, score_t.is_signed, Quant::TRN, Overflow::WRAP, 0};
  return q;
}

struct Setup {
  ir::ValueId x, y;
  FixedType x_t, thr_t, score_t, out_t;
  std::shared_ptr<const ir::TreeEnsembleData> d;
};

Setup setup_of(const KernelContext& ctx) {
  Setup s;
  const ir::Node& node = ctx.node();
  if (!node.trees) ctx.error("tree ensemble without trees");
  s.d = node.trees;
  s.x = ctx.in(0);
  s.y = ctx.out(0);
  s.x_t = ctx.type(s.x);
  s.out_t = ctx.type(s.y);
  auto it = node.config.types.find("threshold");
  s.thr_t = it == node.config.types.end() ? s.x_t : it->second;
  it = node.config.types.find("score");
  s.score_t = it == node.config.types.end() ? s.out_t : it->second;
  if (s.thr_t.is_signed != s.x_t.is_signed)
    ctx.error(fmt::format("threshold type {} must have the signedness of the input type {}", s.thr_t.str(), s.x_t.str()));
  if (ir::num_elements(ctx.shape(s.x)) != s.d->n_features)
    ctx.error(fmt::format("input has shape {}, the trees use {} features", ir::shape_str(ctx.shape(s.x)), s.d->n_features));
  if (ir::num_elements(ctx.shape(s.y)) != s.d->n_outputs)
    ctx.error(fmt::format("output has shape {}, the trees give {} scores", ir::shape_str(ctx.shape(s.y)), s.d->n_outputs));
  if (s.d->base_score.size() != static_cast<size_t>(s.d->n_outputs))
    ctx.error(fmt::format("{} base scores for {} outputs", s.d->base_score.size(), s.d->n_outputs));
  for (const ir::Tree& t : s.d->trees)
    if (t.class_id < 0 || t.class_id >= s.d->n_outputs) ctx.error(fmt::format("tree class {} out of range", t.class_id));
  return s;
}

// Fast kernel: every code in int64_t.
class TreeFast final : public KernelBase {
 public:
  struct Node {
    int32_t feature;  // -1: leaf
    int32_t left;     // child indices are relative to the tree's first node
    int32_t right;
    int32_t pad = 0;
    int64_t k;        // internal: threshold code; leaf: leaf value's score_t code
  };

  TreeFast(const KernelContext& ctx, const Setup& s, const QModel& q)
      : KernelBase(ctx), x_(s.x), y_(s.y), n_out_(s.d->n_outputs), result_(q.acc_t.frac_bits(), s.out_t) {
    DoubleCastPlan leaf_plan(s.score_t);
    int64_t leaf_n = 0, leaf_ovf = 0;
    for (const QTree& t : q.trees) {
      start_.push_back(static_cast<int32_t>(nodes_.size()));
      cls_.push_back(t.class_id);
      for (const QNode& n : t.nodes) {
        Node f{n.feature, n.left, n.right, 0, 0};
        if (n.feature >= 0) {
          f.k = n.k.low_i64();  // fits: kmin - 1 < k < kmax after folding
        } else {
          bool o = false;
          f.k = leaf_plan.apply(n.leaf, &o);
          ++leaf_n;
          leaf_ovf += o;
        }
        nodes_.push_back(f);
      }
    }
    note_build("threshold", s.thr_t, q.thresholds, 0);
    if (q.inexact) note_build("threshold (inexact)", s.thr_t, q.inexact, q.inexact);
    note_build("leaf", s.score_t, leaf_n, leaf_ovf);
    std::vector<double> base(s.d->base_score.begin(), s.d->base_score.end());
    base_ = quantize_raw(base, s.score_t, "base");
    point_ = add_point("result", s.out_t);
  }

  void run(Workspace& ws, Counts* counts) const override {
    const int64_t* x = ws.fast(x_);
    int64_t* acc = ws.scratch();
    for (int32_t c = 0; c < n_out_; ++c) acc[c] = base_[static_cast<size_t>(c)];
    const Node* nodes = nodes_.data();
    for (size_t t = 0; t < start_.size(); ++t) {
      const Node* tree = nodes + start_[t];
      int32_t i = 0;
      while (tree[i].feature >= 0) i = x[tree[i].feature] <= tree[i].k ? tree[i].left : tree[i].right;
      acc[cls_[t]] += tree[i].k;  // exact: acc_t cannot overflow and fits in 63 bits
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
  std::vector<int32_t> start_, cls_;
  std::vector<int64_t> base_;
  int point_ = 0;
};

// General kernel: any width, on BigInt codes and Fixed values.
class TreeGeneral final : public KernelBase {
 public:
  TreeGeneral(const KernelContext& ctx, const Setup& s, QModel q)
      : KernelBase(ctx), x_(s.x), y_(s.y), n_out_(s.d->n_outputs), out_t_(s.out_t), acc_t_(q.acc_t) {
    int64_t leaf_n = 0, leaf_ovf = 0;
    for (QTree& t : q.trees) {
      Tree g;
      g.class_id = t.class_id;
      for (QNode& n : t.nodes) {
        if (n.feature < 0) {
          bool o = false;
          g.leaf.push_back(Fixed::from_double(n.leaf, s.score_t, &o).cast(acc_t_));
          ++leaf_n;
          leaf_ovf += o;
        } else {
          g.leaf.push_back(Fixed(acc_t_));
        }
      }
      g.nodes = std::move(t.nodes);
      trees_.push_back(std::move(g));
    }
    note_build("threshold", s.thr_t, q.thresholds, 0);
    if (q.inexact) note_build("threshold (inexact)", s.thr_t, q.inexact, q.inexact);
    note_build("leaf", s.score_t, leaf_n, leaf_ovf);
    std::vector<double> base(s.d->base_score.begin(), s.d->base_score.end());
    for (const Fixed& b : quantize_fixed(base, s.score_t, "base")) base_.push_back(b.cast(acc_t_));
    point_ = add_point("result", s.out_t);
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
        const QNode& n = t.nodes[static_cast<size_t>(i)];
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
    std::vector<QNode> nodes;
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
  QModel q = quantize_model(ctx, *s.d, s.x_t, s.thr_t, s.score_t);
  bool fast = !ctx.force_general && is_fast_type(s.x_t) && is_fast_type(s.out_t) && s.score_t.width <= 64 &&
              q.acc_t.width <= 63 && std::abs(int64_t{q.acc_t.frac_bits()} - s.out_t.frac_bits()) < 120;
  if (fast) return std::make_unique<TreeFast>(ctx, s, q);
  return std::make_unique<TreeGeneral>(ctx, s, std::move(q));
}

}  // namespace tachyon::emulator
