// cleanup: removes no-op nodes (Identity, Dropout), dead nodes (nothing reads their outputs
// and they are not graph outputs) and values nothing refers to (unused constants).
// An Identity whose output carries a type different from its input's is a conversion and
// becomes a Cast instead of disappearing.
#include <fmt/format.h>

#include "passes/detail/util.h"
#include "tachyon/passes/pass.h"

namespace tachyon::passes {

namespace {

bool remove_noops(ir::Graph& g) {
  bool changed = false;
  for (ir::NodeId id : g.node_ids()) {
    ir::Node& n = g.node(id);
    if (!ir::has_trait(n.op, ir::kNoop)) continue;
    if (n.inputs.empty() || n.outputs.empty()) detail::node_fail(g, n, "needs one input and one output");
    const ir::ValueId in = n.inputs[0];
    const ir::ValueId out = n.outputs[0];
    // Dropout's optional mask output must be unused.
    for (size_t i = 1; i < n.outputs.size(); ++i)
      if (!g.users(n.outputs[i]).empty() || g.is_graph_output(n.outputs[i]))
        detail::node_fail(g, n, fmt::format("output '{}' (the dropout mask) is used; only inference is supported",
                                            g.value(n.outputs[i]).name));
    const auto& tin = g.value(in).type;
    const auto& tout = g.value(out).type;
    if (tout && tout != tin) {
      n.op = ir::Op::Cast;
      n.inputs.resize(1);
      n.outputs.resize(1);
      n.attrs = {};
      changed = true;
      continue;
    }
    // A graph output reading a graph input directly keeps a Cast-free wire only if the
    // input is not also an output under another name; that is fine for the IR.
    g.replace_uses(out, in);
    g.remove_node(id);
    changed = true;
  }
  return changed;
}

bool remove_dead(ir::Graph& g) {
  bool changed = false;
  for (bool again = true; again;) {
    again = false;
    for (ir::NodeId id : g.node_ids()) {
      const ir::Node& n = g.node(id);
      bool used = false;
      for (ir::ValueId v : n.outputs) used = used || g.is_graph_output(v) || !g.users(v).empty();
      if (!used) {
        g.remove_node(id);
        again = changed = true;
      }
    }
  }
  return changed;
}

}  // namespace

bool cleanup(ir::Graph& g, PassContext&) {
  bool changed = remove_noops(g);
  changed = remove_dead(g) || changed;
  const size_t before_values = g.num_values();
  const size_t before_nodes = g.num_nodes_total();
  g.compact();
  return changed || g.num_values() != before_values || g.num_nodes_total() != before_nodes;
}

}  // namespace tachyon::passes
