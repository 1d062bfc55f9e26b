// Readable text dump of the IR (used by `tachyon inspect` and --print-ir-after-all).
#pragma once

#include <string>

#include "tachyon/ir/graph.h"

namespace tachyon::ir {

// One block per layer: op, inputs, output shape, precisions, reuse factor, strategy,
// multiplications; then totals by op.
std::string print_graph(const Graph& g);

}  // namespace tachyon::ir
