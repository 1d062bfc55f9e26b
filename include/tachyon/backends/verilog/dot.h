// Dot products with constant weights (the core of Dense, Conv and standalone BatchNorm).
//
// Semantics (layer_semantics.md): for output j, acc = accum_t(bias[j]); for i in order:
// acc = accum_t(acc + accum_t(x[i] * w[i][j])); y = result_t(acc). The hardware computes
// every product by shifts and adds (multiple-constant multiplication over all weights that
// multiply the same input), or by a DSP multiplier in DSP mode, and sums them in one of
// three ways, chosen per output:
//
//  * exact      — accum_t holds every product exactly (its fraction bits cover the
//                 product's) and no partial sum of any subset of the terms can leave
//                 accum_t's range (worst case from the constant weights and the input
//                 intervals; AP_SAT_SYM excludes the minimum code). Every conversion is then
//                 the identity, the accumulator equals the exact sum, and any adder-tree
//                 order gives the same bits: one balanced (timing-driven) tree over all
//                 shift-and-add terms and the bias, then one cast to result_t.
//  * modular    — accum_t is AP_WRAP with N = 0: after each product's own conversion (Q
//                 then wrap), every `+=` is an addition modulo 2^W on accum_t's grid, which
//                 is associative. Products that need no quantization join the tree as raw
//                 terms; the others are quantized one by one (their cast); the sum is
//                 wrapped to accum_t's width once, then cast to result_t.
//  * sequential — anything else (saturating / AP_SAT_SYM / N > 0 accumulators that may
//                 overflow): the chain acc = accum_t(acc + accum_t(p_i)) is built literally
//                 in order i = 0..n-1 (zero weights skipped, which never changes the bits),
//                 and the timing model pipelines the chain.
#pragma once

#include <string>
#include <vector>

#include "tachyon/backends/verilog/dfg.h"
#include "tachyon/fixed/bigint.h"
#include "tachyon/fixed/fixed_type.h"

namespace tachyon::backends::verilog {

// A fixed-point signal: value = code(node) * 2^-frac.
struct FSig {
  DNode node = -1;
  int frac = 0;
};

struct DotTerm {
  FSig x;
  BigInt w;  // weight code (fraction bits DotLayer::wfrac)
};

struct DotProduct {
  std::vector<DotTerm> terms;  // in semantic order; zero weights already dropped
  BigInt bias;                 // bias already converted to accum_t (accum_t code)
};

struct DotLayer {
  std::string name;  // prefix of node names
  int wfrac = 0;
  FixedType accum, result;
  std::vector<DotProduct> outputs;
  bool dsp = false;    // products with more than two CSD digits on DSP multipliers
  bool share = true;   // multiple-constant multiplication (else plain CSD per weight)
  // Whole-layer constant matrix-vector multiplication (cmvm.h) for every output that sums
  // exactly or modulo 2^W on accum_t's grid (needs share, not dsp); the other outputs use
  // the per-input MCM below.
  bool cmvm = true;
  int depth_slack = 0;   // CMVM adder-depth bound (cmvm.h); < 0: unbounded
  int depth_arity = 2;   // the bound's adder inputs (cmvm.h CmvmOptions::arity)
};

struct DotStats {
  int exact = 0, modular = 0, sequential = 0;  // outputs per mode
  int mcm_adders = 0;                          // adders of the shared sub-expressions
  int cmvm_outputs = 0;                        // outputs built by the whole-layer CMVM
  int csd_adders = 0;                          // adders one plain CSD tree per output would need
  int dsp_products = 0;
};

// Builds the layer; returns one node per output holding result_t codes.
std::vector<DNode> emit_dot_layer(Dfg& g, const DotLayer& layer, DotStats* stats);

// A signed, shifted term of a sum.
struct STerm {
  DNode node = -1;
  int shift = 0;
  bool neg = false;
};
// Sum of terms (all in the same units) as one node: a tree that always combines the two
// shallowest available terms (adder depth), so late-arriving terms meet short paths.
DNode sum_tree(Dfg& g, std::vector<STerm> terms, const std::string& name, std::vector<int>& depth);

}  // namespace tachyon::backends::verilog
