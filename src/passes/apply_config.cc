// apply_config: the configuration (ctx.config) onto the graph: value types (graph inputs,
// layer results, weights, biases, parameters), internal types (node.config.types),
// ReuseFactor, Strategy, table_size and the softmax implementation.
// Resolution and the rules for QONNX-derived types, layout ops and the quantized domain are
// config::effective_node_settings (config/resolve.h). "auto" leaves the type open for
// infer_precision (a type from before configuration is cleared only when a LayerName entry
// says auto).
#include <fmt/format.h>

#include <algorithm>

#include "passes/detail/util.h"
#include "tachyon/config/config.h"
#include "tachyon/config/resolve.h"
#include "tachyon/passes/pass.h"

namespace tachyon::passes {

namespace {

// Sets (or with "auto" clears) the type of a value from a setting.
void set_value_type(ir::Graph& g, ir::ValueId v, const config::Setting& st) {
  if (st.kept) return;
  if (st.is_auto()) {
    g.value(v).type.reset();
    return;
  }
  g.value(v).type = st.type();
}

}  // namespace

bool apply_config(ir::Graph& g, PassContext& ctx) {
  config::check(ctx.config, ctx.config_file);
  config::check_names(ctx.config, g, ctx.config_file);
  const std::vector<char> qd = config::quant_domain(g);
  // Settings are resolved on the graph as it was before this pass changed any type.
  std::vector<std::pair<ir::NodeId, config::LayerSettings>> settings;
  for (ir::NodeId id : g.node_ids())
    settings.emplace_back(id, config::effective_node_settings(ctx.config, g, id, qd, ctx.config_file));
  std::vector<config::LayerSettings> input_settings;
  for (const ir::IoPort& p : g.inputs) input_settings.push_back(config::effective_input_settings(ctx.config, g, p, ctx.config_file));

  for (size_t i = 0; i < g.inputs.size(); ++i) set_value_type(g, g.inputs[i].value, input_settings[i].precision.at("result"));

  // A constant shared by layers that configure it differently is copied for each.
  std::vector<char> typed_by_config(g.num_values(), 0);
  for (auto& [id, s] : settings) {
    ir::Node& n = g.node(id);
    n.config.reuse_factor = s.reuse_factor;
    n.config.reuse_named = std::find(s.reuse_path.begin(), s.reuse_path.end(), "LayerName") != s.reuse_path.end();
    n.config.strategy = s.strategy;
    n.config.table_size = s.table_size;
    n.config.inv_table_size = s.inv_table_size;
    n.config.softmax_impl = s.softmax_impl;
    n.config.types.clear();
    if (n.op == ir::Op::Softmax && s.skip) {
      // hls4ml's Skip removes the softmax: its output is its input, bit for bit.
      n.op = ir::Op::Cast;
      n.attrs = {};
      for (ir::ValueId out : n.outputs) g.value(out).type.reset();
      continue;
    }
    for (const std::string& slot : config::internal_slots(g, n)) {
      const config::Setting& st = s.precision.at(slot);
      if (st.is_auto()) continue;
      n.config.types[slot] = st.type();
      // As hls4ml's backend does for every pooling layer: the configured accumulator gains
      // room for the sum of the window and for the quotient's fraction bits.
      if (slot == "accum" && (n.op == ir::Op::AvgPool || n.op == ir::Op::GlobalAvgPool))
        n.config.types[slot] = detail::widened_pool_accum(st.type(), detail::pool_cells(g, n));
    }
    for (ir::ValueId out : n.outputs) set_value_type(g, out, s.precision.at("result"));
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const std::string slot = config::constant_slot(g, n, i);
      if (slot.empty()) continue;
      const config::Setting& st = s.precision.at(slot);
      if (st.kept) continue;
      ir::ValueId v = n.inputs[i];
      std::optional<FixedType> want = st.is_auto() ? std::nullopt : std::optional<FixedType>(st.type());
      if (typed_by_config.at(static_cast<size_t>(v)) && g.value(v).type != want) {
        const ir::Tensor copy = g.constant(v);
        v = detail::add_constant(g, g.value(v).name + "_" + g.node(id).name, copy);
        g.node(id).inputs[i] = v;
        typed_by_config.resize(g.num_values(), 0);
      }
      g.value(v).type = want;
      typed_by_config[static_cast<size_t>(v)] = 1;
    }
  }
  return true;
}

}  // namespace tachyon::passes
