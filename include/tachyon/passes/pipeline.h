// Pass pipelines: lists of named passes (data, not code).
#pragma once

#include <string>
#include <vector>

#include "tachyon/passes/pass.h"

namespace tachyon::passes {

// Everything before configuration: shape_inference, cleanup, absorb_quant,
// absorb_element_quant, fuse_dense, fold_batchnorm, cleanup, shape_inference. make_template runs on its result, so the
// template sees the final layer names.
const std::vector<Pass>& lowering_pipeline();
// apply_config, infer_precision, validate_reuse, verify.
const std::vector<Pass>& typing_pipeline();
// lowering + typing.
std::vector<Pass> default_pipeline();

// Every pass by name (one entry per pass file), and lookup by name (nullptr if unknown).
const std::vector<Pass>& all_passes();
const Pass* find_pass(const std::string& name);

// Runs the passes in order; debug builds (no NDEBUG) run ir::verify after each one. With ctx.print_ir_after_all, prints "// after <pass>" and
// ir::print_graph(g) after each pass to ctx.log (std::cerr if null).
void run_pipeline(ir::Graph& g, PassContext& ctx, const std::vector<Pass>& passes);

}  // namespace tachyon::passes
