// Errors about a node, in the one format every library uses:
//   model.onnx: node 'conv1' (Conv): error: <what is wrong>
// naming the user's file (when known), the node as the user's model calls it and its op as
// the model calls it (the IR op for nodes the passes created).
#pragma once

#include <fmt/format.h>

#include <string>
#include <utility>

#include "tachyon/ir/graph.h"
#include "tachyon/support/error.h"

namespace tachyon::ir {

Diagnostic node_diag(const Graph& g, const Node& n, std::string message);

[[noreturn]] void node_fail(const Graph& g, const Node& n, std::string message);

template <typename... Args>
[[noreturn]] void node_fail(const Graph& g, const Node& n, fmt::format_string<Args...> f, Args&&... args) {
  node_fail(g, n, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace tachyon::ir
