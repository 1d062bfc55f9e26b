#include "tachyon/ir/verifier.h"

#include <fmt/format.h>

#include "tachyon/ir/element_quant.h"
#include "tachyon/ir/op_facts.h"
#include "tachyon/ir/window.h"
#include "tachyon/support/error.h"

namespace tachyon::ir {

namespace {

// The window geometry of a Conv or pool (ir/window.h) and the output shape it gives.
template <typename Bad>
void check_window(const Graph& g, const Node& n, Bad& bad) {
  if (n.inputs.empty() || n.outputs.empty()) return;  // reported above
  for (ValueId v : n.inputs)
    if (v < 0 || v >= static_cast<ValueId>(g.num_values())) return;
  if (n.outputs[0] < 0 || n.outputs[0] >= static_cast<ValueId>(g.num_values())) return;
  Window w;
  try {
    w = window_of(g, n);
  } catch (const Error& e) {
    bad(n, e.what());
    return;
  }
  const Shape& y = g.value(n.outputs[0]).shape;
  if (num_elements(y) != w.OH * w.OW * w.F)
    bad(n, fmt::format("output shape {} does not match the window's {} x {} x {}", shape_str(y), w.OH, w.OW, w.F));
}

}  // namespace

void verify(const Graph& g, VerifyLevel level) {
  Diagnostics d(g.source_file);
  auto bad = [&](const Node& n, std::string msg) {
    d.error(n.source_name.empty() ? n.name : n.source_name, std::string(op_name(n.op)), std::move(msg));
  };
  const auto nv = static_cast<ValueId>(g.num_values());
  std::vector<int> produced(g.num_values(), 0);
  std::vector<char> available(g.num_values(), 0);
  for (const IoPort& p : g.inputs) {
    if (p.value < 0 || p.value >= nv) {
      d.error("", "", fmt::format("graph input '{}' refers to a missing value", p.name));
      continue;
    }
    available[static_cast<size_t>(p.value)] = 1;
  }
  for (ValueId v = 0; v < nv; ++v) {
    const Value& val = g.value(v);
    if (val.is_constant()) available[static_cast<size_t>(v)] = 1;
    for (int64_t dim : val.shape)
      if (dim <= 0) d.error("", "", fmt::format("value '{}' has invalid shape {}", val.name, shape_str(val.shape)));
    if (level == VerifyLevel::Typed && !val.type && (val.producer != kNone || val.is_constant()))
      d.error("", "", fmt::format("value '{}' has no fixed-point type", val.name));
  }
  for (NodeId id : g.node_ids()) {
    const Node& n = g.node(id);
    if (n.outputs.empty()) bad(n, "node has no output");
    for (ValueId v : n.inputs) {
      if (v < 0 || v >= nv) {
        bad(n, fmt::format("input refers to missing value #{}", v));
        continue;
      }
      if (!available[static_cast<size_t>(v)])
        bad(n, fmt::format("input '{}' is used before it is produced (or never produced)", g.value(v).name));
    }
    for (ValueId v : n.outputs) {
      if (v < 0 || v >= nv) {
        bad(n, fmt::format("output refers to missing value #{}", v));
        continue;
      }
      if (++produced[static_cast<size_t>(v)] > 1) bad(n, fmt::format("value '{}' has several producers", g.value(v).name));
      if (g.value(v).producer != id) bad(n, fmt::format("value '{}' does not record this node as producer", g.value(v).name));
      available[static_cast<size_t>(v)] = 1;
    }
    if (level != VerifyLevel::Structure && has_trait(n.op, kFrontendOnly))
      bad(n, "frontend-level op left after lowering");
    if (n.config.reuse_factor < 1) bad(n, fmt::format("reuse factor {} is not positive", n.config.reuse_factor));
    if ((n.op == Op::Dense || n.op == Op::Conv) && n.inputs.size() < 2) bad(n, "needs data and weight inputs");
    if (n.op == Op::TreeEnsemble && !n.trees) bad(n, "tree ensemble without trees");
    if (level != VerifyLevel::Structure && has_trait(n.op, kWindow)) check_window(g, n, bad);
    if (n.op == Op::ElementQuant) {
      std::vector<std::string> problems = element_quant_problems(g, n);
      for (std::string& m : problems) bad(n, std::move(m));
      const ValueId y = n.outputs.empty() ? kNone : n.outputs[0];
      if (problems.empty() && level == VerifyLevel::Typed && y >= 0 && y < nv && g.value(y).type) {
        const FixedType c = element_quant_container(g, n);
        if (*g.value(y).type != c)
          bad(n, fmt::format("output '{}' has type {}, but the element types need exactly the container {}", g.value(y).name,
                             g.value(y).type->str(), c.str()));
      }
    }
  }
  for (const IoPort& p : g.outputs)
    if (p.value < 0 || p.value >= nv || !available[static_cast<size_t>(p.value)])
      d.error("", "", fmt::format("graph output '{}' is never produced", p.name));
  d.throw_if_any();
}

}  // namespace tachyon::ir
