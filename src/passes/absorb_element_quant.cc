// absorb_element_quant: per-element quantizers (ElementQuant, ir/element_quant.h) keep
// per-element code only where it is needed.
// * x constant (weights, biases): folded. Each value is converted to its element's type
//   (pruned elements become 0); the new constant is typed with the narrowest type holding
//   every folded value exactly (the container when that would be wider than 64 bits).
// * every element with the same type (none pruned): an ordinary conversion to that type,
//   placed like absorb_quant's (the type of an untyped graph input, the result type of the
//   producing layer when nothing else reads its output, else a Cast node).
// * otherwise the node stays, and its output gets the container type now (so that the layers
//   after it are in the quantized domain and their types are inferred exactly). When x is
//   an untyped graph input that only this node reads, the input gets the container's range
//   and overflow mode on a grid fine enough that converting the user's float to it and then
//   to each element's type equals converting the float directly: the container's grid for
//   AP_TRN, one more fraction bit for AP_RND (truncating onto a grid that holds the half
//   point keeps every round-half-up decision); with the other rounding modes the same one
//   extra bit is used, and a value within 2^-(F+1) above a tie may round differently.
#include <fmt/format.h>

#include <algorithm>

#include "passes/detail/util.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/ir/element_quant.h"
#include "tachyon/passes/pass.h"

namespace tachyon::passes {

namespace {

void fold_constant(ir::Graph& g, ir::NodeId id, const std::vector<std::optional<FixedType>>& types) {
  const ir::Node& n = g.node(id);
  const ir::Tensor& x = g.constant(n.inputs[0]);
  ir::Tensor y = x;
  for (size_t i = 0; i < types.size(); ++i) {
    if (!types[i]) {
      y.data[i] = 0.0;
      continue;
    }
    const Fixed q = Fixed::from_double(x.data[i], *types[i]);
    y.data[i] = q.to_double();
    if (Fixed::from_double(y.data[i], *types[i]) != q)
      detail::node_fail(g, n, fmt::format("element {} of the constant '{}' quantizes to {} in {}, which a double cannot "
                                          "hold exactly",
                                          i, g.value(n.inputs[0]).name, q.to_decimal(), types[i]->str()));
  }
  std::optional<FixedType> t = detail::exact_type(y.data, 64);
  if (!t) t = ir::element_quant_container(types);
  const ir::ValueId out = n.outputs.at(0);
  const ir::ValueId c = detail::add_constant(g, g.value(out).name, std::move(y), t);
  g.replace_uses(out, c);
  g.remove_node(id);
}

bool is_graph_input(const ir::Graph& g, ir::ValueId v) {
  return std::any_of(g.inputs.begin(), g.inputs.end(), [&](const ir::IoPort& p) { return p.value == v; });
}

void absorb_one(ir::Graph& g, ir::NodeId id) {
  const std::vector<std::optional<FixedType>> types = ir::element_quant_types(g, g.node(id));
  const ir::Node& n = g.node(id);
  const ir::ValueId x = n.inputs[0];
  if (g.value(x).is_constant()) return fold_constant(g, id, types);
  const bool uniform = !types.empty() && std::all_of(types.begin(), types.end(), [&](const auto& t) { return t && *t == *types[0]; });
  if (uniform) return detail::place_conversion(g, id, *types[0]);
  const FixedType c = ir::element_quant_container(types);
  g.value(n.outputs.at(0)).type = c;
  ir::Value& xv = g.value(x);
  if (xv.type || !is_graph_input(g, x) || g.users(x).size() != 1 || g.is_graph_output(x)) return;
  auto first = std::find_if(types.begin(), types.end(), [](const auto& t) { return t.has_value(); });
  if (first == types.end()) return;  // everything pruned: the input's type does not matter
  const int extra = (*first)->quant == Quant::TRN ? 0 : 1;
  xv.type = fixed_type(c.width + extra, c.int_bits, c.is_signed, Quant::TRN, (*first)->overflow);
}

}  // namespace

bool absorb_element_quant(ir::Graph& g, PassContext&) {
  bool changed = false;
  for (ir::NodeId id : g.node_ids()) {
    if (g.node(id).op != ir::Op::ElementQuant) continue;
    absorb_one(g, id);
    changed = true;
  }
  if (changed) g.sort();
  return changed;
}

}  // namespace tachyon::passes
