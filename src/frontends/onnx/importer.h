// Internal declarations of the ONNX / QONNX importer (not a public header).
//
// The importer walks the ONNX nodes in topological order and keeps, for every ONNX value
// name, an Entry:
//   Data    an IR value (activation). `shape` is the ONNX shape without the batch axis;
//           `layout` says how the IR value's elements are arranged (see Layout).
//   Const   a constant tensor in ONNX layout (initializers, Constant nodes, folded
//           shape sub-graphs). Nothing is emitted until an op uses it.
//   QConst  a QONNX Quant / BipolarQuant / Trunc (or a QuantizeLinear->DequantizeLinear pair)
//           whose data input is a constant (weights, biases). It is emitted lazily, once per
//           layout its consumer needs, as an IR quantizer node whose inputs are IR constants
//           (so a later pass can absorb it into the constant's fixed-point type).
//   PendingQ  the output of a QuantizeLinear, waiting for its DequantizeLinear.
//   Bad     a value that could not be imported; `why` (if not empty) is reported when used.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tachyon/ir/graph.h"
#include "tachyon/support/error.h"

namespace tachyon::frontends::onnx_import {

// ---- limits against hostile files ----
inline constexpr int64_t kMaxFileBytes = int64_t{1} << 30;          // 1 GiB
inline constexpr int64_t kMaxConstElements = int64_t{1} << 26;       // one initializer (512 MiB as double)
inline constexpr int64_t kMaxTotalConstElements = int64_t{1} << 26;  // all initializers together
inline constexpr int64_t kMaxFoldElements = int64_t{1} << 22;       // one tensor made by folding / broadcasting
// All constants the importer creates (folding, layout changes, IR copies of weights) are
// limited to kMaxFoldElements plus 4x the constant elements stored in the file, so memory
// stays proportional to the file's size.
inline constexpr int64_t kDerivedPerFileElement = 4;
inline constexpr int64_t kMaxDataElements = (int64_t{1} << 31) - 1;  // one activation (per sample)
inline constexpr int kMaxRank = 8;
inline constexpr int kMaxNodes = 1 << 20;
inline constexpr int kMaxQuantChain = 8;
inline constexpr int kMinOpset = 6;
inline constexpr int kMaxOpset = 18;

// ---- constants ----
struct ConstVal {
  ir::Tensor t;         // ONNX layout, full shape
  int32_t dtype = 1;    // onnx::TensorProto_DataType
  bool is_int() const;  // integer or bool dtype
};
using ConstPtr = std::shared_ptr<const ConstVal>;

// Reads a TensorProto; on error returns nullopt and sets *err.
std::optional<ConstVal> tensor_from_proto(const onnx::TensorProto& tp, std::string* err);
const char* dtype_name(int32_t dtype);
bool is_int_dtype(int32_t dtype);
// Shape elements with overflow / limit checks; -1 when negative or above `limit`.
int64_t checked_numel(const ir::Shape& s, int64_t limit);

// A tensor used as a shape or index list may contain NaN for "the batch size" (from Shape of
// an activation); these helpers turn it into integers, reporting NaN / non-integers.
bool to_int_list(const ConstVal& c, std::vector<int64_t>* out, std::string* err, bool allow_batch = false,
                 int64_t batch_marker = 0);

// ---- layouts ----
// The IR value of an activation holds the ONNX tensor's elements (without batch) in the order
// given by `reshape(transpose(reshape(onnx, src), perm), ir_shape)`. An empty perm is the
// identity (the IR value is the ONNX tensor, possibly reshaped). Channels-last tensors have
// src == the ONNX shape and perm {1, 2, ..., 0}; a channels-last tensor flattened by
// Flatten keeps that layout with ir_shape [C*H*W] ("weights permuted once" downstream).
struct Layout {
  ir::Shape src;
  std::vector<int64_t> perm;
  bool identity() const { return perm.empty(); }
};
// Drops size-1 axes, merges axes that stay adjacent, and turns identity perms into {}.
Layout normalize(const Layout& l);
bool same_layout(const Layout& a, const Layout& b);
std::vector<int64_t> iota_perm(size_t n);
std::vector<int64_t> channels_last_perm(size_t rank);  // {1, 2, ..., rank-1, 0}

// A transform of a constant tensor (applied to QConst data and, adapted, to its parameters).
struct Step {
  enum Kind { Transpose, Reshape, Broadcast } kind;
  std::vector<int64_t> v;  // perm or target shape
};
using Transform = std::vector<Step>;
std::string transform_key(const Transform& t);
ir::Shape transform_shape(ir::Shape s, const Transform& t);
ir::Tensor apply_transform(const ir::Tensor& x, const Transform& t);
// A parameter broadcastable to a tensor of shape `x_shape`, transformed consistently with it.
ir::Tensor apply_param_transform(const ir::Tensor& p, const ir::Shape& x_shape, const Transform& t);
ir::Tensor broadcast_to(const ir::Tensor& x, const ir::Shape& s);  // numpy rules; throws on mismatch
bool broadcastable(const ir::Shape& from, const ir::Shape& to);     // from broadcasts to `to`

// ---- entries ----
enum class Kind { Data, Const, QConst, PendingQ, Bad };
struct QRecipe;
struct PendingQuant;

struct Entry {
  Kind kind = Kind::Bad;
  std::string name;  // ONNX value name
  ir::ValueId id = ir::kNone;
  ir::Shape shape;  // Data: ONNX shape without batch; Const/QConst: full shape
  Layout layout;
  ConstPtr c;
  std::shared_ptr<const QRecipe> q;
  std::shared_ptr<const PendingQuant> pq;
  std::string why;
};

struct QRecipe {
  ir::Op op{};
  std::string node_name, op_type, out_name;
  Entry x;  // Const or QConst
  std::vector<std::pair<std::string, ConstPtr>> params;
  ir::Attrs attrs;
  int depth = 1;
  Transform pre;  // layout ops applied to the quantizer's output (Transpose, Reshape, ...)
};

struct PendingQuant {
  Entry x;
  ConstPtr scale, zero_point;  // zero_point may be null (uint8 zero)
  bool is_signed = false;
  int64_t axis = 1;
  std::string node_name;
};

class Importer;

// One ONNX node being imported: attribute access with diagnostics, inputs, outputs, emission.
class NodeCtx {
 public:
  NodeCtx(Importer& im, const onnx::NodeProto& n, int64_t opset);
  Importer& im;
  const onnx::NodeProto& n;
  const int64_t opset;
  std::string label;  // node name, or its first output when unnamed
  bool failed = false;

  void error(const std::string& msg);
  // Attributes (type errors are reported and the default is returned).
  const onnx::AttributeProto* attr(const char* name) const;
  bool has(const char* name) const { return attr(name) != nullptr; }
  int64_t i(const char* name, int64_t def);
  double f(const char* name, double def);
  std::string s(const char* name, const std::string& def);
  std::vector<int64_t> ints(const char* name, std::vector<int64_t> def = {});
  std::vector<double> floats(const char* name, std::vector<double> def = {});
  // Inputs.
  int num_inputs() const { return n.input_size(); }
  bool has_input(int k) const { return k < n.input_size() && !n.input(k).empty(); }
  const Entry* in(int k) const;                  // nullptr when absent
  const Entry* data(int k);                      // requires an activation
  const ConstVal* constant(int k, const char* what);  // requires a plain constant (nullptr + error)
  bool const_like(int k) const;                  // Const or QConst
  // Integer list from a constant input (shape, axes, pads ...).
  std::optional<std::vector<int64_t>> int_list_input(int k, const char* what);
  // Outputs.
  int num_outputs() const { return n.output_size(); }
  void set(int k, Entry e);
  void set_data(int k, ir::ValueId id, ir::Shape onnx_shape, Layout layout);
  void set_const(int k, ConstVal c);       // a folded constant (charged to the budget)
  void set_file_const(int k, ConstVal c);  // a Constant node's value (data from the file)
  // Emits an IR node with one new output value of `ir_shape`. The value is named after ONNX
  // output `out` (or `<label><suffix>` for helper nodes when suffix is not empty).
  ir::ValueId emit(ir::Op op, std::vector<ir::ValueId> ins, const ir::Shape& ir_shape, ir::Attrs attrs = {},
                   const std::string& suffix = "", int out = 0);
  // Normalizes an ONNX axis (with batch) of a rank-(r+1) tensor to a per-sample axis (0..r-1);
  // reports an error and returns -1 for the batch axis or out-of-range values.
  int64_t sample_axis(int64_t axis, size_t r, const char* what);
};

using Handler = void (*)(NodeCtx&);
struct OpDef {
  const char* op_type;
  bool qonnx;                       // QONNX domain op (else default ONNX domain)
  std::vector<const char*> attrs;   // every attribute the importer understands
  Handler check;                    // attribute checks that need no input (may be null)
  Handler run;                      // import (inputs are known and healthy)
  int min_inputs = 1;               // leading inputs that must be present
  bool channels_last = false;       // QONNX channels-last domain (qonnx.custom_op.channels_last)
};
void add_nn_ops(std::vector<OpDef>& t);
void add_tensor_ops(std::vector<OpDef>& t);
void add_quant_ops(std::vector<OpDef>& t);
void add_fold_ops(std::vector<OpDef>& t);
void add_compat_ops(std::vector<OpDef>& t);  // ops_compat.cc: decomposed element-wise ops, Resize
// Div(x, Add(Abs(x), 1)) (torch.onnx's Softsign) as the softsign table; false if the node is
// not that pattern.
bool import_softsign_division(NodeCtx& cx);
// The QONNX channels-last variants of the ops `t` already holds (Conv, pools, BatchNormalization).
void add_channels_last_ops(std::vector<OpDef>& t);
// The default-domain definition of an op (nullptr if unsupported).
const OpDef* find_std_op(const std::string& op_type);
// The activation x viewed through an ONNX Transpose with per-sample perm p (no data moves:
// only the layout changes; a convert is emitted when x's layout is not an axis permutation).
Entry transposed_entry(NodeCtx& cx, const Entry& x, const std::vector<int64_t>& p);
// Evaluates an op whose inputs are all constants; false when the op cannot be folded.
bool fold_supported(const std::string& op_type);
void fold_node(NodeCtx& cx);

class Importer {
 public:
  Importer(onnx::ModelProto& model, std::string file);
  ir::Graph run();

  onnx::ModelProto& model;
  std::string file;
  Diagnostics diag;
  ir::Graph g;
  int64_t opset = 0;
  std::optional<int64_t> static_batch;  // the batch dimension when the input declares a number
  std::unordered_map<std::string, Entry> env;

  // Naming (same scheme as Graph::unique_*_name, with hash sets for speed).
  std::string unique_value(const std::string& base);
  std::string unique_node(const std::string& base);
  ir::ValueId add_value(const std::string& base, const ir::Shape& s);
  ir::ValueId add_constant(const std::string& base, ir::Tensor t);
  ir::NodeId add_node(ir::Op op, const std::string& base, std::vector<ir::ValueId> ins, std::vector<ir::ValueId> outs,
                      const std::string& source_name, const std::string& source_op, ir::Attrs attrs);

  // Layout helpers.
  const ir::Shape& ir_shape(const Entry& e) const { return g.value(e.id).shape; }
  // The axis permutation P with ir value == transpose(onnx, P) (identity included), if any.
  std::optional<std::vector<int64_t>> axis_perm(const Entry& e) const;
  // Returns an IR value holding transpose(onnx, P) with shape permute(shape, P) (P empty or
  // iota: the ONNX layout), inserting Reshape / Transpose nodes named after `cx` when needed.
  ir::ValueId convert(NodeCtx& cx, const Entry& e, std::vector<int64_t> P);
  ir::ValueId reshape(NodeCtx& cx, ir::ValueId v, const ir::Shape& s, const std::string& suffix);
  // The transform bringing a constant of ONNX shape `cs` to a shape that broadcasts against
  // the IR value of `d`: a scalar, a vector along the IR's last axis, or d's full IR shape.
  std::optional<Transform> broadcast_transform(const ir::Shape& cs, const Entry& d, std::string* err) const;
  // Emits a constant (or a quantizer over constants) transformed by t. Cached per (name, t).
  ir::ValueId materialize(NodeCtx& cx, const Entry& e, const Transform& t);
  // An IR constant for `name`, shared by every use with the same `variant` (scalars: all uses).
  ir::ValueId cached_constant(const std::string& name, const std::string& variant, ir::Tensor t);

 private:
  std::unordered_set<std::string> value_names_, node_names_;
  std::unordered_map<std::string, int> next_suffix_;  // per base name: keeps naming linear
  std::unordered_map<std::string, ir::ValueId> cache_;
  int64_t file_const_elements_ = 0;  // initializers and Constant nodes
  int64_t derived_elements_ = 0;
  std::unordered_map<std::string, int> producers_;  // built on first use of producer()

 public:
  // The node of the file that produces `value` (nullptr for inputs, initializers, unknown).
  const onnx::NodeProto* producer(const std::string& value);
  // Counts constant elements created by folding / materialization; throws past the budget.
  void charge(int64_t elements);
  // Counts constant elements read from the file (initializers, Constant nodes).
  void charge_file(int64_t elements);

 private:
  void check_opsets();
  void load_initializers();
  std::vector<int> sort_nodes();
  std::unordered_set<std::string> channels_last_values(const std::vector<int>& order) const;
  void create_inputs(const std::vector<int>& order);
  void import_node(const onnx::NodeProto& n);
  void create_outputs();
  void cross_check_shapes();
};

std::string shape_string(const ir::Shape& s);
using ir::num_elements;

}  // namespace tachyon::frontends::onnx_import
