// Structural checks of the IR, run between passes in tests and before every backend.
#pragma once

#include "tachyon/ir/graph.h"

namespace tachyon::ir {

enum class VerifyLevel {
  Structure,  // ids valid, one producer per value, topological order, shapes sane
  Lowered,    // + no frontend-only ops left
  Typed,      // + every non-constant value and every constant has a FixedType
};

// Throws tachyon::Error listing every problem found.
void verify(const Graph& g, VerifyLevel level = VerifyLevel::Structure);

}  // namespace tachyon::ir
