// verify: ir::verify at the Typed level (every value typed, no frontend-only op left), plus
// the internal types each op needs (config::internal_slots) and a positive table size.
#include <fmt/format.h>

#include "passes/detail/util.h"
#include "tachyon/config/resolve.h"
#include "tachyon/ir/verifier.h"
#include "tachyon/passes/pass.h"

namespace tachyon::passes {

bool verify(ir::Graph& g, PassContext&) {
  ir::verify(g, ir::VerifyLevel::Typed);
  Diagnostics d(g.source_file);
  for (const ir::IoPort& p : g.inputs)
    if (!g.value(p.value).type) d.add({g.source_file, p.name, "input", "graph input has no fixed-point type"});
  for (ir::NodeId id : g.node_ids()) {
    const ir::Node& n = g.node(id);
    for (const std::string& slot : config::internal_slots(g, n))
      if (!n.config.types.count(slot)) d.add(detail::node_diag(g, n, fmt::format("internal type '{}' is not set", slot)));
    if (n.config.table_size < 1) d.add(detail::node_diag(g, n, fmt::format("table_size {} is not positive", n.config.table_size)));
  }
  d.throw_if_any();
  return false;
}

}  // namespace tachyon::passes
