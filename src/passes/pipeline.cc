// Pipelines and the pass runner.
#include "tachyon/passes/pipeline.h"

#include <iostream>

#include "tachyon/ir/printer.h"

namespace tachyon::passes {

const std::vector<Pass>& all_passes() {
  static const std::vector<Pass> p{
      {"shape_inference", shape_inference}, {"cleanup", cleanup},
      {"absorb_quant", absorb_quant},       {"absorb_element_quant", absorb_element_quant},
      {"fuse_dense", fuse_dense},
      {"fold_batchnorm", fold_batchnorm},   {"apply_config", apply_config},
      {"infer_precision", infer_precision}, {"validate_reuse", validate_reuse},
      {"verify", verify},
  };
  return p;
}

const Pass* find_pass(const std::string& name) {
  for (const Pass& p : all_passes())
    if (p.name == name) return &p;
  return nullptr;
}

const std::vector<Pass>& lowering_pipeline() {
  static const std::vector<Pass> p = [] {
    std::vector<Pass> v;
    for (const char* n : {"shape_inference", "cleanup", "absorb_quant", "absorb_element_quant", "fuse_dense", "fold_batchnorm", "cleanup",
                          "shape_inference"})
      v.push_back(*find_pass(n));
    return v;
  }();
  return p;
}

const std::vector<Pass>& typing_pipeline() {
  static const std::vector<Pass> p = [] {
    std::vector<Pass> v;
    for (const char* n : {"apply_config", "infer_precision", "validate_reuse", "verify"}) v.push_back(*find_pass(n));
    return v;
  }();
  return p;
}

std::vector<Pass> default_pipeline() {
  std::vector<Pass> v = lowering_pipeline();
  const auto& t = typing_pipeline();
  v.insert(v.end(), t.begin(), t.end());
  return v;
}

void run_pipeline(ir::Graph& g, PassContext& ctx, const std::vector<Pass>& passes) {
  for (const Pass& p : passes) {
    p.run(g, ctx);
    if (ctx.print_ir_after_all) {
      std::ostream& os = ctx.log ? *ctx.log : std::cerr;
      os << "// after " << p.name << "\n" << ir::print_graph(g) << std::flush;
    }
  }
}

}  // namespace tachyon::passes
