#include "tachyon/ir/printer.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <tuple>

#include "tachyon/ir/element_quant.h"

namespace tachyon::ir {

namespace {
std::string type_str(const std::optional<FixedType>& t) { return t ? t->str() : std::string("untyped"); }

std::string value_ref(const Graph& g, ValueId v) {
  const Value& val = g.value(v);
  return fmt::format("{}{}", val.name, shape_str(val.shape));
}
}  // namespace

std::string print_graph(const Graph& g) {
  std::string s = fmt::format("model {}", g.name);
  if (!g.source_file.empty()) s += fmt::format(" (from {})", g.source_file);
  s += '\n';
  for (const IoPort& p : g.inputs)
    s += fmt::format("  input  {} {} {}  user layout {}\n", p.name, shape_str(g.value(p.value).shape),
                     type_str(g.value(p.value).type), shape_str(p.user_shape));
  for (const IoPort& p : g.outputs)
    s += fmt::format("  output {} <- {} {}  user layout {}\n", p.name, g.value(p.value).name,
                     shape_str(g.value(p.value).shape), shape_str(p.user_shape));
  std::map<std::string, int> by_op;
  int64_t total_mults = 0;
  int index = 0;
  for (NodeId id : g.node_ids()) {
    const Node& n = g.node(id);
    std::string ins;
    for (ValueId v : n.inputs) {
      if (g.value(v).is_constant()) continue;
      if (!ins.empty()) ins += ", ";
      ins += value_ref(g, v);
    }
    std::string outs;
    for (ValueId v : n.outputs) outs += (outs.empty() ? "" : ", ") + value_ref(g, v);
    s += fmt::format("{:3} {} = {}({}) -> {}", index++, n.name, op_name(n.op), ins, outs);
    if (!n.source_name.empty() && n.source_name != n.name) s += fmt::format("   # '{}' {}", n.source_name, n.source_op);
    s += '\n';
    std::string prec;
    if (!n.outputs.empty()) prec += fmt::format("result {}", type_str(g.value(n.outputs[0]).type));
    for (const auto& [k, t] : n.config.types) prec += fmt::format("  {} {}", k, t.str());
    static const char* kConstNames[] = {"x", "weight", "bias", "c3", "c4"};
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const Value& v = g.value(n.inputs[i]);
      if (!v.is_constant()) continue;
      static const char* kQuantNames[] = {"x", "keep_negative", "bits", "integers"};
      const char* role = (n.op == Op::Dense || n.op == Op::Conv) && i < 3 ? kConstNames[i]
                         : n.op == Op::ElementQuant && i < 4          ? kQuantNames[i]
                                                                      : nullptr;
      prec += fmt::format("  {} {} {}", role ? std::string(role) : v.name, type_str(v.type), shape_str(v.shape));
    }
    s += fmt::format("      {}\n", prec);
    int64_t mults = num_multiplications(g, id);
    total_mults += mults;
    std::string extra = fmt::format("reuse {}  strategy {}", n.config.reuse_factor, to_string(n.config.strategy));
    if (mults) extra += fmt::format("  multiplications {}", mults);
    if (!n.attrs.map().empty()) extra += "  " + n.attrs.str();
    if (n.op == Op::Softmax) extra += fmt::format("  implementation {}", n.config.softmax_impl);
    if (n.op == Op::Sigmoid || n.op == Op::Tanh || n.op == Op::Elu || n.op == Op::Softmax || n.op == Op::UnaryTable)
      extra += fmt::format("  table_size {}", n.config.table_size);
    if (n.op == Op::Softmax) extra += fmt::format("  inv_table_size {}", n.config.inv_table_size);
    if (n.op == Op::ElementQuant && element_quant_problems(g, n).empty()) {
      std::set<std::tuple<int, int, bool>> kinds;
      int64_t pruned = 0;
      for (const auto& t : element_quant_types(g, n)) {
        if (t) kinds.insert({t->width, t->int_bits, t->is_signed});
        pruned += t ? 0 : 1;
      }
      extra += fmt::format("  element types {}  pruned {}", kinds.size(), pruned);
    }
    if (n.trees)
      extra += fmt::format("  trees {}  outputs {}  max depth {}", n.trees->trees.size(), n.trees->n_outputs,
                           n.trees->max_depth());
    s += fmt::format("      {}\n", extra);
    by_op[std::string(op_name(n.op))]++;
  }
  std::string ops;
  for (const auto& [op, c] : by_op) ops += fmt::format("{}{} {}", ops.empty() ? "" : ", ", op, c);
  s += fmt::format("totals: {} layers ({}); {} multiplications\n", g.num_live_nodes(), ops, total_mults);
  return s;
}

}  // namespace tachyon::ir
