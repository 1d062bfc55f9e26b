// Constant matrix-vector multiplication (CMVM) by shifts and adds, for a whole layer.
//
// Every output y_j = sum_i w_ij * x_i is first written as a list of signed, shifted terms
// (the canonical signed digits of every weight times its input). Then, across ALL outputs
// and ALL inputs at once, the two-term pattern a +/- (b << d) (a, b: inputs or earlier
// sub-expressions) that saves the most adder bits is computed by one adder and substituted
// wherever it occurs; this repeats until no pattern occurs twice. What remains of each
// output is summed by the caller (an adder tree).
//
// Cost: a pattern occurring n times saves n - 1 adders; each is weighted by the bits of the
// new adder, known exactly from the value intervals of its operands (an adder computing
// a + (b << d) carries the low d bits of a through as wires, so it costs width - d bits).
// The choice is greedy: highest (n - 1) * bits first (ties: the smaller pattern key, so the
// result is deterministic).
//
// Depth bound: with depth_slack >= 0, a substitution is made in an output only while that
// output's terms can still be summed within (minimal tree depth of its plain CSD terms +
// depth_slack) adder levels (sum over terms of k^depth <= k^limit, the condition for a tree
// of k-input adders of that depth to exist; k = options.arity).
#pragma once

#include <cstdint>
#include <vector>

#include "tachyon/fixed/bigint.h"

namespace tachyon::backends::verilog {

// A signal entering the multiplication: its integer code interval and its adder depth.
struct CmvmSource {
  BigInt lo, hi;
  int depth = 0;
};

// (sign) * (source << shift); sources 0..n_inputs-1 are the inputs, n_inputs + k adder k.
struct CmvmTerm {
  int source = 0;
  int shift = 0;
  bool neg = false;
};

// adder value = source a + (+/- source b << shift_b).
struct CmvmAdder {
  int a = 0, b = 0;
  int shift_b = 0;
  bool sub = false;
  BigInt lo, hi;  // exact interval of the result
  int depth = 0;  // adder levels from the inputs
};

struct CmvmOptions {
  bool share = true;     // false: no sub-expressions (plain CSD terms)
  int depth_slack = -1;  // < 0: unbounded
  int arity = 2;         // operands per adder of the caller's final sums (3: ternary adder trees)
  // Per output: terms the caller adds to the final sum besides the CMVM's (a constant bias),
  // each counted by the depth bound as one input of depth 0. Empty: none.
  std::vector<int> extra_terms;
};

struct CmvmResult {
  int n_inputs = 0;
  std::vector<CmvmSource> sources;              // inputs, then one per adder
  std::vector<CmvmAdder> adders;                // in dependency order
  std::vector<std::vector<CmvmTerm>> outputs;   // per output: y = sum of these terms
  int64_t adder_bits() const;                   // bits of the shared adders
};

// Bits of an adder a + (b << shift) whose result lies in [lo, hi]: its signed width minus
// the low `shift` bits that pass through.
int64_t adder_bits(const BigInt& lo, const BigInt& hi, int shift);

// The CSD terms of w * input (shifted left by `shift`), appended to `out`.
void append_csd_terms(int input, const BigInt& w, int shift, std::vector<CmvmTerm>& out);

// outputs[j] are the initial terms of output j (any signs and shifts; the same source may
// appear at several shifts). Self-checked: every output keeps its exact value as a linear
// combination of the inputs.
CmvmResult cmvm(const std::vector<CmvmSource>& inputs, std::vector<std::vector<CmvmTerm>> outputs,
                const CmvmOptions& options);

// Value of the source as an integer linear combination of the inputs (index = input).
std::vector<BigInt> source_coefficients(const CmvmResult& r, int source);

}  // namespace tachyon::backends::verilog
