// The datapath graph (DFG): the integer-level netlist the Verilog backend schedules and
// prints.
//
// Every node computes an integer code. Fixed-point meaning (the binary point) is tracked by
// the layer emitters (FSig below), so the DFG itself only knows integers: additions with
// shifted operands, negation, floor shifts, wraps, fixed-point casts (given the operand's
// fraction bits and the target FixedType), comparisons, multiplexers, multiplications and
// registered ROM lookups. Builders fold constants and compute, for every node, an exact
// interval [lo, hi] of the values it can take; its natural Verilog width is the signed width
// of that interval (every DFG signal is declared `signed`). A backward "demand" analysis
// then finds how many low bits each consumer really needs (modular wrap-around sums need
// only the low bits of their operands), and every node is emitted with
// width = min(natural, demanded).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tachyon/fixed/bigint.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/fixed/fixed_type.h"

namespace tachyon::backends::verilog {

using DNode = int32_t;

enum class DKind { Input, Const, Add, Add3, Neg, Shr, Wrap, Cast, IsNeg, Cmp, Mux, Mul, Rom, Fold };
enum class CmpOp { Lt, Le, Gt, Ge, Eq, Ne };

struct Rom {
  std::string name;           // module name suffix (deduplicated by contents)
  std::vector<BigInt> data;   // word k is the value for address k
};

// A time-multiplexed dot-product layer (ReuseFactor R > 1): R phases share n_in * n_out / R
// multipliers. Phase p = po * r_in + pi multiplies input slice pi (inputs pi*S .. pi*S+S-1,
// S = n_in / r_in) by the weights of output slice po (outputs po*T .. po*T+T-1, T = n_out /
// r_out) and adds the S products of each output to its accumulator (the bias on the first
// input slice). Every product x_i * w (x_i's code shifted left by in_shift[i] onto a common
// grid) is brought onto the accumulator's grid (prod_shift > 0: floor of a division by
// 2^prod_shift, after adding half a step when round_half; < 0: shifted left) and the sums
// are taken modulo 2^acc_width: output o is the accumulator's code (signed or not). rtl_emit
// prints each fold as its own module (a start pulse, R phases, registered products, the
// multiply over mul_stages registered stages): its outputs exist `latency()` stages after the
// stage that reads its inputs.
struct Fold {
  std::string name;
  int n_in = 0, n_out = 0;
  int r_in = 1, r_out = 1;
  std::vector<BigInt> w;       // weight codes, w[i * n_out + o]
  std::vector<BigInt> bias;    // accumulator codes, one per output
  std::vector<int> in_shift;   // per input
  int prod_shift = 0;
  bool round_half = false;
  int acc_width = 1;
  bool acc_signed = true;
  int mul_stages = 1;          // registered stages of the multiply step (the scheduler's choice)
  int reuse() const { return r_in * r_out; }
  int latency() const { return reuse() + 2 + mul_stages; }
  // Multiplier slot (s, q), s < n_in / r_in, q < n_out / r_out, has a non-zero weight in some
  // phase (the others are not built).
  std::vector<std::vector<bool>> used_slots() const;
  // Interval of input i's term of output o on the accumulator's grid, for x_i in [xlo, xhi].
  std::pair<BigInt, BigInt> term_interval(int i, int o, const BigInt& xlo, const BigInt& xhi) const;
  bool operator==(const Fold&) const = default;
};

struct DfgNode {
  DKind kind = DKind::Const;
  std::vector<DNode> args;
  int sa = 0, sb = 0;        // Add / Add3 / Cmp: left shifts of the operands
  bool sub = false;          // Add: (a << sa) - (b << sb); Add3: b is subtracted
  int sc = 0;                // Add3: left shift of the third operand
  bool sub_c = false;        // Add3: c is subtracted
  int k = 0;                 // Shr: amount; Wrap: width; Fold: output index
  bool wrap_signed = true;   // Wrap
  int frac = 0;              // Cast: fraction bits of the operand
  FixedType to;              // Cast target; Input: element type
  CmpOp cmp = CmpOp::Lt;     // Cmp
  int input_offset = 0;      // Input: bit offset in the flat input bus
  BigInt value;              // Const
  BigInt rom_base;           // Rom: address = arg - rom_base
  int rom = -1;              // Rom: index in Dfg::roms; Fold: index in Dfg::folds
  BigInt lo, hi;             // value interval (exact bounds)
  std::string name;          // Verilog identifier (unique)
  int group = 0;             // index in Dfg::groups (layer), for comments
  // Filled by finalize():
  int natural_width = 1;     // signed width holding [lo, hi]
  int width = 1;             // emitted width = min(natural, demanded)
  int stage = 0;             // pipeline stage where the value is produced (-1: constant)
  double time = 0.0;         // arrival time within the stage (ns, timing model)
  int max_use_stage = -1;    // latest stage reading it (registers needed up to there)
};

// The signed width holding every value of [lo, hi] (at least 1).
int signed_width(const BigInt& lo, const BigInt& hi);
// The Q step alone on a code with `shift` extra fraction bits (shift <= 0: exact shift).
BigInt quantize_code(const BigInt& code, int shift, Quant q);

class Dfg {
 public:
  // Layer groups for comments; every node created gets the current group.
  int begin_group(const std::string& title);
  const std::vector<std::string>& groups() const { return groups_; }

  DNode input(const std::string& name, int bit_offset, const FixedType& t);
  DNode constant(const BigInt& v);
  DNode constant(int64_t v) { return constant(BigInt(v)); }
  // (a << sa) + (b << sb), or minus when sub.
  DNode add(DNode a, int sa, DNode b, int sb, bool sub, const std::string& name);
  DNode add(DNode a, DNode b, const std::string& name) { return add(a, 0, b, 0, false, name); }
  // Ternary adder (a << sa) +/- (b << sb) +/- (c << sc): one carry chain whose per-bit LUT
  // also does the 3:2 compression (printed as a carry-save step feeding one adder, see
  // rtl_emit). A zero constant operand gives a two-input add.
  DNode add3(DNode a, int sa, DNode b, int sb, bool sub_b, DNode c, int sc, bool sub_c, const std::string& name);
  DNode neg(DNode a, const std::string& name);
  DNode shl(DNode a, int k, const std::string& name);  // a << k (an Add with a zero operand)
  DNode shr(DNode a, int k, const std::string& name);  // floor(a / 2^k)
  // The low w bits of a read as signed or unsigned.
  DNode wrap(DNode a, int w, bool is_signed, const std::string& name);
  // Conversion of the code a (value a * 2^-frac) to type `to` (Q then O): returns to's code.
  DNode cast(DNode a, int frac, const FixedType& to, const std::string& name);
  DNode is_neg(DNode a, const std::string& name);
  DNode cmp(DNode a, int sa, CmpOp op, DNode b, int sb, const std::string& name);
  DNode mux(DNode cond, DNode a, DNode b, const std::string& name);  // cond ? a : b
  DNode mul(DNode a, DNode b, const std::string& name);
  // a < lo ? lo : (a > hi ? hi : a) for constant codes lo, hi (Clip's order: lo wins when
  // lo > hi). The result's interval is the clamped one (tighter than a mux's union).
  DNode clamp(DNode a, const BigInt& lo, const BigInt& hi, const std::string& name);
  // Registered lookup: the value one stage later is table[a - base] (a in [base, base+size)).
  DNode rom(DNode a, const BigInt& base, std::vector<BigInt> table, const std::string& rom_name,
            const std::string& name);

  // The outputs of a folded layer (Fold above) over the inputs xs (one node per output, the
  // accumulator's code; xs.size() == f.n_in). All of them share the fold's module.
  std::vector<DNode> fold(Fold f, const std::vector<DNode>& xs, const std::string& name);
  const std::vector<Fold>& folds() const { return folds_; }
  Fold& fold_at(int idx) { return folds_.at(static_cast<size_t>(idx)); }

  const DfgNode& node(DNode n) const { return nodes_.at(static_cast<size_t>(n)); }
  DfgNode& node(DNode n) { return nodes_.at(static_cast<size_t>(n)); }
  size_t size() const { return nodes_.size(); }
  bool is_const(DNode n) const { return node(n).kind == DKind::Const; }
  const std::vector<Rom>& roms() const { return roms_; }
  // Largest number of operands sum_tree (dot.h) gives one adder: 2 (binary adder trees) or 3
  // (ternary adders, fewer adder levels).
  int adder_arity() const { return adder_arity_; }
  void set_adder_arity(int k) { adder_arity_ = k; }

  // Graph outputs (their codes go to the output bus).
  void add_output(DNode n, const FixedType& t) { outputs_.push_back({n, t}); }
  struct Output {
    DNode node;
    FixedType type;
  };
  const std::vector<Output>& outputs() const { return outputs_; }
  int input_width() const { return input_width_; }
  void set_input_width(int w) { input_width_ = w; }

  // Evaluates every node given the values of Input nodes (indexed by node id; other
  // entries ignored). Returns all node values.
  std::vector<BigInt> evaluate_all(const std::vector<BigInt>& inputs) const;

  // Liveness from the outputs, natural widths, demanded widths. Called by the scheduler.
  void compute_widths();
  std::vector<bool> live() const;

 private:
  DNode push(DfgNode n, const std::string& name);
  std::string unique_name(const std::string& base);

  std::vector<DfgNode> nodes_;
  std::vector<Rom> roms_;
  std::vector<Fold> folds_;
  std::vector<std::string> groups_{"inputs"};
  int group_ = 0;
  std::vector<Output> outputs_;
  int input_width_ = 0;
  int adder_arity_ = 2;
  std::unordered_map<std::string, int> names_;  // base name -> times used
};

// One product of a fold on its accumulator's grid (Fold::prod_shift, round_half).
BigInt fold_term(const Fold& f, const BigInt& product);

// Value of one node from its operands' values (the DFG's reference semantics).
BigInt eval_node(const Dfg& g, const DfgNode& n, const std::vector<BigInt>& arg_values);

}  // namespace tachyon::backends::verilog
