// TreeEnsemble threshold quantization and folding (semantics.md §5, docs/trees.md
// "Arithmetic"), shared by the emulator's kernel and every backend so that they all decide
// every node with the same bits.
//
// Types: x_t = the node input's type; thr_t = config.types["threshold"] (default x_t; must
// have x_t's signedness); score_t = config.types["score"] (default: the output's type).
//
// Thresholds. Let G be the grid of x_t (codes kmin..kmax, value k * 2^-fx). For each
// internal node, k* is the largest code whose value passes the float test:
//   LessEqual (x <= t):  k* = floor(t * 2^fx)
//   Less      (x <  t):  k* = ceil(t * 2^fx) - 1
// so for every representable x, x <= k* * 2^-fx  <=>  the float model goes left. The
// firmware threshold is t_q = the smallest thr_t value >= k* * 2^-fx (saturated to thr_t's
// range), read back on x_t's grid (k_eff); it decides exactly like k* when thr_t can hold a
// value in [k*, k*+1) * 2^-fx (always the case when thr_t == x_t), otherwise the node is
// counted as inexact. A node whose decision is the same for every code of x_t
// (k_eff < kmin: always right; k_eff >= kmax: always left) is folded: the branch that can
// never be taken is dropped.
//
// Result: every tree in pre-order, root first; the two children of an internal node are
// allocated together (right = left + 1). An internal node goes left when x[feature]'s code
// (on x_t's grid) <= k. Class c's score is base_c + the sum of its trees' leaves (converted
// to score_t), computed in acc_t = score_t widened by ceil(log2(n + 1)) integer bits (n =
// the largest number of trees of one class; AP_TRN/AP_WRAP), which can neither overflow nor
// round; the sum is then converted to the output type.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tachyon/fixed/bigint.h"
#include "tachyon/fixed/fixed_type.h"
#include "tachyon/ir/graph.h"
#include "tachyon/ir/trees.h"

namespace tachyon::emulator {

struct TreeQNode {
  int32_t feature = -1;         // -1: leaf
  int32_t left = -1, right = -1;  // children (indices in the same tree; right = left + 1)
  BigInt k;                     // internal: go left when x's code <= k (x_t grid)
  double leaf = 0;              // leaf value (convert to score_t with Fixed::from_double)
  int32_t depth = 0;            // root: 0
};

struct TreeQTree {
  std::vector<TreeQNode> nodes;
  int32_t class_id = 0;
};

struct TreeQuantized {
  std::vector<TreeQTree> trees;
  int64_t thresholds = 0;  // internal nodes of the model (before folding)
  int64_t inexact = 0;     // thresholds whose thr_t value decides unlike the float model
  int64_t folded = 0;      // nodes removed by folding (counted on the reachable paths)
  int max_depth = 0;       // deepest leaf after folding (0: every tree is a single leaf)
  FixedType acc_t;         // exact accumulator of the class sums
};

// The internal types of a TreeEnsemble node, given its input and output types.
struct TreeTypes {
  FixedType x_t, thr_t, score_t, out_t;
};
TreeTypes tree_types(const ir::Node& n, const FixedType& x_t, const FixedType& out_t);

// Receives an error message and throws (e.g. with the caller's file / node prefix).
using TreeErrorFn = std::function<void(const std::string&)>;

// Checks the ensemble against its input / output element counts (n_in, n_out) and itself
// (threshold signedness, base scores, class ids, node indices, cycles, shared nodes), then
// quantizes / folds every tree. Errors go through `error`.
TreeQuantized quantize_trees(const ir::TreeEnsembleData& d, const TreeTypes& t, int64_t n_in, int64_t n_out,
                             const TreeErrorFn& error);

}  // namespace tachyon::emulator
