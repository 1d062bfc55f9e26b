#include "tachyon/ir/diagnostic.h"

namespace tachyon::ir {

Diagnostic node_diag(const Graph& g, const Node& n, std::string message) {
  return Diagnostic{g.source_file, n.source_name.empty() ? n.name : n.source_name,
                    n.source_op.empty() ? std::string(op_name(n.op)) : n.source_op, std::move(message)};
}

void node_fail(const Graph& g, const Node& n, std::string message) { throw Error(node_diag(g, n, std::move(message))); }

}  // namespace tachyon::ir
