// Passes over the IR. One pass per file in src/passes/: file stem = pass name = CLI name.
// A pass returns true when it changed the graph and throws tachyon::Error (naming the file,
// node and op) when the graph or the configuration is wrong.
#pragma once

#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tachyon/ir/graph.h"

namespace tachyon::passes {

struct PassContext {
  nlohmann::json config = nlohmann::json::object();  // hls4ml-style keys (config/config.h); empty = defaults
  std::string config_file;                           // for messages ("config.yaml:12: ...")
  bool print_ir_after_all = false;                   // print ir::print_graph after each pass
  std::ostream* log = nullptr;                       // where it prints (std::cerr if null)
};

struct Pass {
  std::string name;
  std::function<bool(ir::Graph&, PassContext&)> run;
};

// --- lowering (frontend-level IR -> layers; no types decided yet) ---
// Recomputes every produced value's shape from its inputs and attributes; fills unset
// shapes, reports every mismatch at once.
bool shape_inference(ir::Graph& g, PassContext& ctx);
// Removes Identity / Dropout (a typed Identity becomes a Cast), dead nodes and unused values.
bool cleanup(ir::Graph& g, PassContext& ctx);
// QONNX Quant / BipolarQuant / Trunc -> rounded constants, value types, Cast / Scale steps.
bool absorb_quant(ir::Graph& g, PassContext& ctx);
// ElementQuant: folded into constants; uniform ones become ordinary conversions; the others
// get the container type (and an untyped graph input under one gets a matching type).
bool absorb_element_quant(ir::Graph& g, PassContext& ctx);
// Gemm -> Dense; MatMul (+ Add of a constant) -> Dense.
bool fuse_dense(ir::Graph& g, PassContext& ctx);
// BatchNormalization folded into the preceding Dense / Conv, or a standalone BatchNorm.
bool fold_batchnorm(ir::Graph& g, PassContext& ctx);

// --- typing ---
// Per-layer types, reuse factor, strategy and tables from ctx.config.
bool apply_config(ir::Graph& g, PassContext& ctx);
// Types every value and internal type left open ("auto", semantics.md §4).
bool infer_precision(ir::Graph& g, PassContext& ctx);
// Checks every Dense / Conv ReuseFactor.
bool validate_reuse(ir::Graph& g, PassContext& ctx);
// ir::verify at the Typed level plus the internal types every op needs.
bool verify(ir::Graph& g, PassContext& ctx);

}  // namespace tachyon::passes
