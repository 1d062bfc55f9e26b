// Lowering of a typed IR graph into the datapath graph, one IR node at a time, with the
// arithmetic of layer_semantics.md (the emulator's bits).
//
// Every IR value becomes a vector of FSig (one per element, internal row-major order). An
// element's FSig may have fewer fraction bits than its value's type (after an ElementQuant,
// each element keeps its own type's grid); consumers align fraction bits per element. Graph
// inputs are slices of the flat input bus: input 0's elements first (element 0 in the least
// significant bits), each element its type's raw code (two's complement for signed types);
// the output bus is laid out the same way.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tachyon/backends/verilog/dfg.h"
#include "tachyon/backends/verilog/dot.h"
#include "tachyon/ir/graph.h"

namespace tachyon::backends::verilog {

struct NetOptions {
  bool dsp = false;    // DSP multipliers for constant products with > 2 CSD digits
  bool share = true;   // multiple-constant multiplication
  bool cmvm = true;    // whole-layer constant matrix-vector multiplication (dot.h)
  int depth_slack = 0;   // its adder-depth bound (cmvm.h); < 0: unbounded
  int depth_arity = 2;   // the bound counts levels of adders with this many inputs (cmvm.h)
};

struct LayerInfo {
  std::string name, op;
  int group = 0;     // Dfg group of its nodes
  DotStats dot;      // Dense / Conv / BatchNorm
  int roms = 0;      // table lookups
  int multipliers = 0;  // signal x signal products (Mul, Softmax, folded Dense)
  int reuse_factor = 1; // > 1: a folded (time-multiplexed) Dense
  std::vector<std::string> notes;
};

struct PortLayout {
  std::string name;
  ir::Shape shape;       // internal (channels-last)
  ir::Shape user_shape;  // user layout
  std::vector<int64_t> perm;
  FixedType type;
  int64_t elements = 0;
  int bit_offset = 0;    // of element 0 in the flat bus
  // An input read only by a per-element quantizer (HGQ's input quantizer) carries every
  // element in its own type (nullopt: pruned, no bits) at its own bit offset; `type` stays the
  // graph's type of the input, from which a code converts to the element's (the
  // quantizer's step, done before the bus). Empty: every element in `type`, packed.
  std::vector<std::optional<FixedType>> element_types;
  std::vector<int> element_offsets;
};

class NetEmitter {
 public:
  NetEmitter(const ir::Graph& g, Dfg& d, NetOptions o) : g_(g), d_(d), o_(o) {}
  // Lowers the whole graph; throws tachyon::Error listing every unsupported node.
  void build();
  const std::vector<LayerInfo>& layers() const { return layers_; }
  const std::vector<PortLayout>& inputs() const { return inputs_; }
  const std::vector<PortLayout>& outputs() const { return outputs_; }

  // Sum of x_i (in order) with `acc = acc_t(acc + x_i)` starting at 0 (softmax sums,
  // average pooling). Returns the accumulator as a signal (exact sums when provably equal).
  FSig accumulate(const std::vector<FSig>& xs, const FixedType& acc_t, const std::string& name, LayerInfo& info);

 private:
  using Sigs = std::vector<FSig>;
  const Sigs& in(const ir::Node& n, size_t i);
  // Data operand or constant (broadcast as the emulator does: full, scalar, last axis).
  Sigs operand(const ir::Node& n, size_t i, const ir::Shape& out_shape);
  const FixedType& type(ir::ValueId v) const;
  std::vector<BigInt> codes(ir::ValueId constant) const;  // constant converted to its type
  FSig cast(FSig x, const FixedType& t, const std::string& name);
  FSig const_mul(FSig x, const BigInt& c, int cfrac, const std::string& name, LayerInfo& info);
  // The code of x divided by the constant n >= 1, truncated toward zero (ap_fixed's `x /= n`):
  // same fraction bits as x.
  FSig div_trunc(FSig x, int64_t n, const std::string& name, LayerInfo& info);
  FSig max_tree(const std::vector<FSig>& xs, const std::string& name);
  std::string nm(const ir::Node& n) const;  // Verilog-safe prefix for a layer

  void emit(const ir::Node& n);
  void dense(const ir::Node& n, LayerInfo& info);
  void conv(const ir::Node& n, LayerInfo& info);
  // ReuseFactor > 1: one fold per row of x (n_in signals each), outputs row by row.
  void dense_folded(const ir::Node& n, LayerInfo& info, const DotLayer& L, const std::vector<BigInt>& wc,
                    const std::vector<BigInt>& bias, int64_t n_in, int64_t n_out, const std::vector<FSig>& x);
  void elementwise(const ir::Node& n, LayerInfo& info);
  void layout(const ir::Node& n, LayerInfo& info);
  void activation(const ir::Node& n, LayerInfo& info);  // the Activation family; kTable ops:
  void table_activation(const ir::Node& n, LayerInfo& info);  // ROM lookups
  void softmax(const ir::Node& n, LayerInfo& info);
  void pool(const ir::Node& n, LayerInfo& info);
  void tree(const ir::Node& n, LayerInfo& info);  // net_tree.cc
  // Each element cast to its own type, keeping its own grid (FSig::frac); net_quant.cc.
  void element_quant(const ir::Node& n, LayerInfo& info);
  // Dense / Conv: the dot-product layer (accumulator, result, weight fraction bits), the
  // weight codes and the biases converted to the accumulator type (n_out of them).
  DotLayer dot_layer(const ir::Node& n, const char* op, int64_t n_out, std::vector<BigInt>& wc, std::vector<BigInt>& bias);

  const ir::Graph& g_;
  Dfg& d_;
  NetOptions o_;
  std::map<ir::ValueId, Sigs> vals_;
  std::vector<LayerInfo> layers_;
  std::vector<PortLayout> inputs_, outputs_;
};

}  // namespace tachyon::backends::verilog
