// Pipelines and the pass runner.
#include "tachyon/passes/pipeline.h"

#include <iostream>

#include "tachyon/ir/printer.h"
#include "tachyon/ir/verifier.h"
#include "tachyon/support/error.h"

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

namespace {
// A pass of a built-in pipeline; a misspelt name fails when the pipeline is first built.
const Pass& pass_named(const char* name) {
  const Pass* p = find_pass(name);
  if (!p) fail("internal error: the pass pipeline names an unknown pass '{}'", name);
  return *p;
}
}  // namespace

const std::vector<Pass>& lowering_pipeline() {
  static const std::vector<Pass> p = [] {
    std::vector<Pass> v;
    for (const char* n : {"shape_inference", "cleanup", "absorb_quant", "absorb_element_quant", "fuse_dense", "fold_batchnorm", "cleanup",
                          "shape_inference"})
      v.push_back(pass_named(n));
    return v;
  }();
  return p;
}

const std::vector<Pass>& typing_pipeline() {
  static const std::vector<Pass> p = [] {
    std::vector<Pass> v;
    for (const char* n : {"apply_config", "infer_precision", "validate_reuse", "verify"}) v.push_back(pass_named(n));
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
#ifndef NDEBUG
    // Debug builds check the IR's structure after every pass, so a pass that breaks it is
    // named at once rather than by a later pass or executor.
    try {
      ir::verify(g, ir::VerifyLevel::Structure);
    } catch (const Error& e) {
      fail("internal error: the IR is malformed after pass '{}':\n{}", p.name, e.what());
    }
#endif
    if (ctx.print_ir_after_all) {
      std::ostream& os = ctx.log ? *ctx.log : std::cerr;
      os << "// after " << p.name << "\n" << ir::print_graph(g) << std::flush;
    }
  }
}

}  // namespace tachyon::passes
