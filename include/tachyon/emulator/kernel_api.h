// The interface between the emulator and its kernels (one kernel object per IR node).
//
// The emulator runs the graph one sample at a time per thread. A Workspace holds every
// value of the graph for the current sample as raw codes: values whose type is "fast"
// (width <= 64, or < 64 for unsigned types) as int64_t (sign-extended for signed types),
// wider ones as BigInt. Constants are filled in once (converted to their own type).
// A kernel is built once per node (quantizing its weights, building tables and cast plans)
// and then run() for every sample; run() must not modify the kernel (threads share it).
//
// Kernels come in two flavours built from the same semantics (docs/semantics.md): a fast
// one on int64/i128 raw codes, and a general one on tachyon::Fixed that handles any width.
// make_kernel() picks the fast one when every type involved allows it (and the emulator
// was not told to force the general path).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/emulator/emulator.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/ir/graph.h"

namespace tachyon::emulator {

// Values of type t are held as int64_t raw codes.
inline bool is_fast_type(const FixedType& t) { return t.width < 64 || (t.width == 64 && t.is_signed); }

// Shape and type of every value, shared by all workspaces.
struct ValueLayout {
  std::vector<FixedType> type;    // per ValueId (default FixedType when the value is untyped)
  std::vector<char> fast;         // per ValueId: held as int64_t
  std::vector<int64_t> size;      // per ValueId: elements per sample
};

class Workspace {
 public:
  Workspace() = default;
  // scratch_size / scratch32_size: at least the largest Kernel::scratch_size() /
  // scratch32_size() of the kernels run on it.
  Workspace(const ValueLayout* layout, size_t scratch_size, size_t scratch32_size = 0);

  int64_t* fast(ir::ValueId v) { return i64_[static_cast<size_t>(v)].data(); }
  const int64_t* fast(ir::ValueId v) const { return i64_[static_cast<size_t>(v)].data(); }
  BigInt* wide(ir::ValueId v) { return big_[static_cast<size_t>(v)].data(); }
  const BigInt* wide(ir::ValueId v) const { return big_[static_cast<size_t>(v)].data(); }
  bool is_fast(ir::ValueId v) const { return layout_->fast[static_cast<size_t>(v)] != 0; }
  const FixedType& type(ir::ValueId v) const { return layout_->type[static_cast<size_t>(v)]; }
  int64_t size(ir::ValueId v) const { return layout_->size[static_cast<size_t>(v)]; }

  // Element i of any value as a Fixed of the value's type.
  Fixed get(ir::ValueId v, int64_t i) const;
  // Stores f (which must have the value's type) into element i.
  void set(ir::ValueId v, int64_t i, const Fixed& f);
  // The value of element i as a double (exact when representable, else correctly rounded).
  double to_double(ir::ValueId v, int64_t i) const;

  // Scratch memory shared by all kernels (they run one after the other on a thread).
  int64_t* scratch() { return scratch_.data(); }
  int32_t* scratch32() { return scratch32_.data(); }

 private:
  const ValueLayout* layout_ = nullptr;
  std::vector<std::vector<int64_t>> i64_;
  std::vector<std::vector<BigInt>> big_;
  std::vector<int64_t> scratch_;
  std::vector<int32_t> scratch32_;
};

// Overflow counters of one conversion point.
struct Counts {
  int64_t conversions = 0;
  int64_t overflows = 0;
};

// What a kernel needs to know about its node.
struct KernelContext {
  const ir::Graph& graph;
  ir::NodeId id;
  bool force_general = false;  // build the general (Fixed) kernel even when the fast one applies

  const ir::Node& node() const { return graph.node(id); }
  ir::ValueId in(size_t i) const;   // input i (throws naming the node when missing)
  ir::ValueId out(size_t i = 0) const;
  const FixedType& type(ir::ValueId v) const;  // throws naming the node when untyped
  const ir::Shape& shape(ir::ValueId v) const { return graph.value(v).shape; }
  // An internal type from node.config.types; throws naming the node and key when unset.
  FixedType internal(const std::string& key) const;
  // The constant tensor of input i; throws when input i is not a constant.
  const ir::Tensor& constant(size_t i) const;
  // Throws tachyon::Error "file: node 'name' (Op): error: <msg>".
  [[noreturn]] void error(const std::string& msg) const;
};

// A conversion point of a kernel: what it converts to, and whether it counts per sample
// (dynamic) or was evaluated once when the kernel was built (weights, tables).
struct StatPoint {
  std::string what;
  FixedType type;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  // Runs the node on the sample held in ws. counts is null when statistics are off; else it
  // points at this kernel's points() counters (in order).
  virtual void run(Workspace& ws, Counts* counts) const = 0;
  // Scratch int64_t elements run() needs (Workspace::scratch()).
  virtual size_t scratch_size() const { return 0; }
  // Scratch int32_t elements run() needs (Workspace::scratch32()).
  virtual size_t scratch32_size() const { return 0; }
  // "fast" or "general": which implementation this is (for tests and reports).
  virtual const char* flavour() const = 0;

  const std::vector<StatPoint>& points() const { return points_; }
  // Conversions done once when the kernel was built (constants quantized to their types).
  const std::vector<LayerStats>& build_stats() const { return build_stats_; }

 protected:
  // Declares a per-sample conversion point; returns its index into run()'s counts.
  int add_point(std::string what, const FixedType& t) {
    points_.push_back({std::move(what), t});
    return static_cast<int>(points_.size() - 1);
  }
  void add_build_stat(const std::string& layer, const std::string& what, const FixedType& t, int64_t conversions,
                      int64_t overflows);

 private:
  std::vector<StatPoint> points_;
  std::vector<LayerStats> build_stats_;
};

// Builds the kernel of one node (switch over every ir::Op; frontend-only ops throw
// "not lowered").
std::unique_ptr<Kernel> make_kernel(const KernelContext& ctx);

// TreeEnsemble kernel, implemented in src/emulator/tree_kernel.cc.
std::unique_ptr<Kernel> make_tree_kernel(const KernelContext& ctx);

}  // namespace tachyon::emulator
