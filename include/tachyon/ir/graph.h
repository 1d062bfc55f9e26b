// The typed graph IR shared by the emulator and every backend.
//
// Values are tensors (no batch dimension, channels-last inside the IR). A value is either
// produced by a node, a graph input, or a constant (weights, biases, parameters). After the
// pass pipeline, every value that the hardware holds has a FixedType, and every node's
// internal types (accumulator, tables, ...) are in node.config.types.
//
// Each op's conventions (inputs in order, attributes, internal types) are in ir/ops.def, with
// the op.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tachyon/fixed/fixed_type.h"
#include "tachyon/ir/attrs.h"
#include "tachyon/ir/op.h"
#include "tachyon/ir/tensor.h"
#include "tachyon/ir/trees.h"

namespace tachyon::ir {

using ValueId = int32_t;
using NodeId = int32_t;
inline constexpr int32_t kNone = -1;

struct Value {
  std::string name;
  Shape shape;
  std::optional<FixedType> type;
  std::shared_ptr<const Tensor> constant;  // set for constants
  NodeId producer = kNone;
  bool is_constant() const { return constant != nullptr; }
};

enum class Strategy { Latency, Resource };
const char* to_string(Strategy s);

struct LayerConfig {
  int reuse_factor = 1;
  bool reuse_named = false;  // ReuseFactor given by LayerName (validate_reuse: an invalid one is an error)
  Strategy strategy = Strategy::Latency;
  int table_size = 1024;                   // Softmax: the exp table's size
  int inv_table_size = 1024;               // Softmax: the inverse table's size
  std::string softmax_impl = "stable";     // stable | latency | argmax
  std::map<std::string, FixedType> types;  // internal types: accum, table, exp_table, ...
};

struct Node {
  Op op{};
  std::string name;         // layer name: a C identifier, unique (config LayerName key)
  std::string source_name;  // the node's name in the model file
  std::string source_op;    // the op type in the model file
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  Attrs attrs;
  LayerConfig config;
  std::shared_ptr<const TreeEnsembleData> trees;  // TreeEnsemble only
  bool dead = false;
};

// A graph input or output and its user-facing layout: the user's array has shape
// `user_shape`; the internal (channels-last) tensor is transpose(user, perm), i.e.
// internal.shape[i] == user_shape[perm[i]]. Empty perm: same layout.
struct IoPort {
  ValueId value = kNone;
  std::string name;
  Shape user_shape;
  std::vector<int64_t> perm;
};

class Graph {
 public:
  std::string name;         // model name (C identifier)
  std::string source_file;  // for diagnostics
  // Layers merged away by lowering (a BatchNorm folded into its Dense / Conv): name and
  // source_name -> the layer that absorbed them. A LayerName entry naming one is accepted.
  std::map<std::string, std::string> merged_names;
  std::vector<IoPort> inputs;
  std::vector<IoPort> outputs;

  ValueId add_value(const std::string& name, Shape shape, std::optional<FixedType> type = std::nullopt);
  ValueId add_constant(const std::string& name, Tensor t, std::optional<FixedType> type = std::nullopt);
  NodeId add_node(Op op, const std::string& name, std::vector<ValueId> inputs, std::vector<ValueId> outputs);

  Value& value(ValueId id) { return values_.at(static_cast<size_t>(id)); }
  const Value& value(ValueId id) const { return values_.at(static_cast<size_t>(id)); }
  Node& node(NodeId id) { return nodes_.at(static_cast<size_t>(id)); }
  const Node& node(NodeId id) const { return nodes_.at(static_cast<size_t>(id)); }
  size_t num_values() const { return values_.size(); }
  size_t num_nodes_total() const { return nodes_.size(); }

  // Live nodes in the graph's order (topological after sort()).
  std::vector<NodeId> node_ids() const;
  size_t num_live_nodes() const;
  // Live nodes that read value v.
  std::vector<NodeId> users(ValueId v) const;
  bool is_graph_output(ValueId v) const;
  std::optional<ValueId> find_value(const std::string& name) const;
  std::optional<NodeId> find_node(const std::string& name) const;  // by name or source_name

  // Every use of `from` (node inputs, graph outputs) becomes `to`.
  void replace_uses(ValueId from, ValueId to);
  void remove_node(NodeId n) { node(n).dead = true; }
  // Orders live nodes topologically (stable); throws on a cycle or an unproduced input.
  void sort();
  // Drops dead nodes and values nothing refers to; renumbers ids; sorts.
  void compact();

  std::string unique_value_name(const std::string& base) const;
  std::string unique_node_name(const std::string& base) const;

  // Convenience for passes and kernels.
  const Tensor& constant(ValueId v) const;  // throws when v is not a constant
  const FixedType& type_of(ValueId v) const;  // throws when v has no type

 private:
  std::vector<Value> values_;
  std::vector<Node> nodes_;
};

// Turns an arbitrary model name into a C identifier ("/0/Gemm" -> "layer0_Gemm").
std::string sanitize_identifier(const std::string& s);

// Multiplications a node performs per sample (Dense, Conv; 0 for others).
int64_t num_multiplications(const Graph& g, NodeId n);

}  // namespace tachyon::ir
