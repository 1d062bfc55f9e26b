// Resolution of the settings of one layer from a configuration.
//
// Order (first found wins): LayerName > LayerType > Model > built-in default; within one
// level a specific precision key (Precision.weight, accum_t, ...) beats that level's
// default (Precision string or Precision.default). The data-path slots (weight, bias,
// result, accum, scale, threshold, score) follow `default`; the internal-table slots
// (table, exp_table, inv_table, inp_norm) and `param` have their own built-in defaults and
// change only when named (docs/config.md).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tachyon/fixed/fixed_type.h"
#include "tachyon/ir/graph.h"

namespace tachyon::config {

// Every precision slot a layer can have.
const std::vector<std::string>& all_slots();
// Slots that follow a level's `default` precision (the data path; not the tables, `param`
// nor the softmax accumulator).
bool follows_default(const std::string& slot, ir::Op op);
// Every slot op `op` can have (superset of slots_of).
std::vector<std::string> op_slots(ir::Op op);
// Built-in defaults (semantics.md §2; docs/config.md).
std::string builtin_default(const std::string& slot, ir::Op op);
inline constexpr int kDefaultTableSize = 1024;

enum class Level { Builtin, Model, LayerType, LayerName };

struct Setting {
  std::string value;                 // canonical type string or "auto"
  Level level = Level::Builtin;
  std::vector<std::string> path;     // where it came from (empty for built-in)
  bool kept = false;                 // the value's type from before configuration is kept
  bool is_auto() const { return value == "auto"; }
  FixedType type() const;            // throws on "auto"
};

struct LayerSettings {
  std::map<std::string, Setting> precision;  // one entry per slot of the layer
  int reuse_factor = 1;
  std::vector<std::string> reuse_path;
  ir::Strategy strategy = ir::Strategy::Latency;
  int table_size = kDefaultTableSize;        // Softmax: the exp table (exp_table_size)
  int inv_table_size = kDefaultTableSize;    // Softmax: the inverse table
  std::vector<std::string> table_size_path;
  std::string softmax_impl = "stable";
  bool skip = false;                         // Softmax: hls4ml's Skip (the layer passes its input through)
  bool named = false;                        // a LayerName entry names this layer
};

// The precision slots of a node: "result" for every node, plus per op (Dense/Conv: weight,
// bias (when present), accum; BatchNorm: scale, bias; Softmax: exp_table, inv_table,
// inp_norm, accum; ...). Constant inputs of Add/Sub (bias), Mul (weight), Scale (scale) and
// PRelu (param) have the slot named.
std::vector<std::string> slots_of(const ir::Graph& g, const ir::Node& n);
// The slot that types constant input `index` of node n, or "" (not a configurable constant).
std::string constant_slot(const ir::Graph& g, const ir::Node& n, size_t index);
// Internal (non-value) slots kept in node.config.types.
std::vector<std::string> internal_slots(const ir::Graph& g, const ir::Node& n);

// The LayerType name a template uses for the node ("Dense", "Conv2D", "ReLU", ...).
std::string layer_type_name(const ir::Graph& g, const ir::Node& n);
// Every LayerType key accepted (hls4ml names and IR op names), for messages and docs.
std::vector<std::string> layer_type_keys();

// Resolves the settings of node `id` (and of graph input `port`). `file` is used in error
// messages (bad value found during resolution: softmax table_size not a power of two, key
// not applicable to this op, ambiguous LayerType/LayerName keys).
LayerSettings resolve_node(const nlohmann::json& config, const ir::Graph& g, ir::NodeId id,
                           const std::string& file = {});
LayerSettings resolve_input(const nlohmann::json& config, const ir::Graph& g, const ir::IoPort& port,
                            const std::string& file = {});
// The Model-level (or built-in) setting of a slot, ignoring layers.
Setting model_setting(const nlohmann::json& config, const std::string& slot, ir::Op op);

// Checks that every LayerName key names a node (name or source_name) or a graph input and
// that every LayerType key is known; throws one error per problem with a suggestion:
//   config.yaml:9: error: LayerName 'fc_1' matches no layer; did you mean 'fc1'?
void check_names(const nlohmann::json& config, const ir::Graph& g, const std::string& file = {});

// The quantized domain: values typed before configuration (QONNX-derived types on
// activations, inputs and constants) and every value a node computes only from such
// values. Indexed by ValueId.
std::vector<char> quant_domain(const ir::Graph& g);

// True for nodes absorb_quant generated from a quantizer (source_op Quant, IntQuant,
// BipolarQuant, Trunc, QuantizeLinear or DequantizeLinear): their intermediate steps compute
// at full precision by default.
bool from_quantizer(const ir::Node& n);

// The settings apply_config applies (and make_template writes): resolve_node, then
//  0. an ElementQuant's result is always "auto" (infer_precision: the container of its
//     element types, ir/element_quant.h), whatever the configuration says;
//  1. a value (output or constant) typed before configuration keeps that type unless a
//     LayerName entry names the layer (Setting::kept);
//  2. layout ops (Reshape, Transpose, Pad, Identity) and max pools keep their input type
//     (result "auto") unless LayerType or LayerName names them;
//  3. in the quantized domain and for quantizer steps, data-path precisions that come from
//     Model or the built-in defaults become "auto" (inferred exactly).
LayerSettings effective_node_settings(const nlohmann::json& config, const ir::Graph& g, ir::NodeId id,
                                      const std::vector<char>& qd, const std::string& file = {});
LayerSettings effective_input_settings(const nlohmann::json& config, const ir::Graph& g, const ir::IoPort& port,
                                       const std::string& file = {});

}  // namespace tachyon::config
