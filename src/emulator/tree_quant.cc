// TreeEnsemble threshold quantization and folding (see tree_quant.h).
#include "tachyon/emulator/tree_quant.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tachyon/fixed/fixed.h"
#include "tachyon/support/error.h"

namespace tachyon::emulator {

namespace {

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

enum class Fold { None, Left, Right };

[[noreturn]] void raise(const TreeErrorFn& error, const std::string& msg) {
  if (error) error(msg);
  throw Error(msg);  // in case the callback returned
}

}  // namespace

TreeTypes tree_types(const ir::Node& n, const FixedType& x_t, const FixedType& out_t) {
  TreeTypes t;
  t.x_t = x_t;
  t.out_t = out_t;
  auto it = n.config.types.find("threshold");
  t.thr_t = it == n.config.types.end() ? x_t : it->second;
  it = n.config.types.find("score");
  t.score_t = it == n.config.types.end() ? out_t : it->second;
  return t;
}

TreeQuantized quantize_trees(const ir::TreeEnsembleData& d, const TreeTypes& ty, int64_t n_in, int64_t n_out,
                             const TreeErrorFn& error) {
  const FixedType &x_t = ty.x_t, &thr_t = ty.thr_t, &score_t = ty.score_t;
  if (n_in != d.n_features) raise(error, fmt::format("input has {} values, the trees use {} features", n_in, d.n_features));
  if (n_out != d.n_outputs) raise(error, fmt::format("output has {} values, the trees give {} scores", n_out, d.n_outputs));
  if (thr_t.is_signed != x_t.is_signed)
    raise(error, fmt::format("threshold type {} must have the signedness of the input type {}", thr_t.str(), x_t.str()));
  if (d.n_outputs < 1) raise(error, fmt::format("{} outputs (at least 1 expected)", d.n_outputs));
  if (d.base_score.size() != static_cast<size_t>(d.n_outputs))
    raise(error, fmt::format("{} base scores for {} outputs", d.base_score.size(), d.n_outputs));
  for (size_t ti = 0; ti < d.trees.size(); ++ti) {
    int32_t c = d.trees[ti].class_id;
    if (c < 0 || c >= d.n_outputs) raise(error, fmt::format("tree {} has class {} out of range [0, {})", ti, c, d.n_outputs));
  }
  TreeQuantized q;
  const int fx = x_t.frac_bits(), ft = thr_t.frac_bits();
  const BigInt kmin = code_min(x_t), kmax = code_max(x_t);
  const BigInt tmin = code_min(thr_t), tmax = code_max(thr_t);
  const bool strict = d.compare == ir::TreeCompare::Less;
  for (size_t ti = 0; ti < d.trees.size(); ++ti) {
    const ir::Tree& t = d.trees[ti];
    if (t.nodes.empty()) raise(error, fmt::format("tree {} has no nodes", ti));
    // Per node: effective code threshold and folding.
    std::vector<BigInt> keff(t.nodes.size());
    std::vector<Fold> fold(t.nodes.size(), Fold::None);
    for (size_t i = 0; i < t.nodes.size(); ++i) {
      const ir::TreeNode& n = t.nodes[i];
      if (n.is_leaf()) continue;
      if (n.feature >= d.n_features || n.left < 0 || n.right < 0 || static_cast<size_t>(n.left) >= t.nodes.size() ||
          static_cast<size_t>(n.right) >= t.nodes.size() || !std::isfinite(n.threshold))
        raise(error, fmt::format("tree {} node {} is malformed (run the frontend's checks)", ti, i));
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
    TreeQTree qt;
    qt.class_id = t.class_id;
    auto resolve = [&](int32_t i) {
      size_t steps = 0;
      while (!t.nodes[static_cast<size_t>(i)].is_leaf() && fold[static_cast<size_t>(i)] != Fold::None) {
        if (++steps > t.nodes.size()) raise(error, fmt::format("tree {} has a cycle", ti));
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
      if (qt.nodes.size() > 2 * t.nodes.size()) raise(error, fmt::format("tree {} is not a tree (shared nodes)", ti));
      const ir::TreeNode& n = t.nodes[static_cast<size_t>(oi)];
      if (n.is_leaf()) {
        TreeQNode& leaf = qt.nodes[static_cast<size_t>(ni)];
        leaf.leaf = n.value;
        q.max_depth = std::max(q.max_depth, static_cast<int>(leaf.depth));
        continue;
      }
      auto l = static_cast<int32_t>(qt.nodes.size());
      int32_t dd = qt.nodes[static_cast<size_t>(ni)].depth + 1;
      qt.nodes.emplace_back();
      qt.nodes.emplace_back();
      qt.nodes[static_cast<size_t>(l)].depth = dd;
      qt.nodes[static_cast<size_t>(l) + 1].depth = dd;
      TreeQNode& qn = qt.nodes[static_cast<size_t>(ni)];
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

}  // namespace tachyon::emulator
