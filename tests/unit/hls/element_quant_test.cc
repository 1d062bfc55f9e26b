// ElementQuant in the HLS backend: the generated per-element conversions compile with our
// ap headers and the C simulation equals the emulator bit for bit (the emulator itself is
// checked against the definition in tests/unit/emulator/element_quant_test.cc).
#include <gtest/gtest.h>

#include "tachyon/backends/hls.h"
#include "tachyon/passes/pipeline.h"
#include "unit/element_quant_util.h"
#include "unit/hls/csim_util.h"

using namespace tachyon;
using namespace tachyon::eq_testing;
using ir::Op;

namespace {

FixedType T(const char* s) { return FixedType::parse(s); }

void output(ir::Graph& g, ir::ValueId v, const std::string& name) { g.outputs.push_back({v, name, g.value(v).shape, {}}); }

// x[3,8] -> four quantizers (AP_TRN/AP_RND x AP_WRAP/AP_SAT, per last-axis types), one with
// full-shape constants, and a Dense after a quantizer.
ir::Graph mixed_graph() {
  ir::Graph g;
  g.name = "eq_mixed";
  ir::ValueId x = g.add_value("x", {3, 8}, T("ap_fixed<18,8>"));
  g.inputs.push_back({x, "x", {3, 8}, {}});
  const char* modes[][2] = {{"AP_TRN", "AP_WRAP"}, {"AP_RND", "AP_WRAP"}, {"AP_TRN", "AP_SAT"}, {"AP_RND", "AP_SAT"}};
  for (int m = 0; m < 4; ++m)
    output(g, add_element_quant(g, x, "q" + std::to_string(m), kMixed, modes[m][0], modes[m][1], {8}), "y" + std::to_string(m));
  std::vector<Elem> full;
  for (int j = 0; j < 24; ++j) full.push_back({j % 3 != 0, (j * 5) % 9, 4 - j % 7});
  output(g, add_element_quant(g, x, "qf", full, "AP_RND", "AP_SAT", {3, 8}), "full");
  ir::ValueId q = g.outputs[3].value;  // AP_RND, AP_SAT
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> w(8 * 4);
  for (double& v : w) v = u(rng);
  ir::ValueId wc = g.add_constant("w", ir::Tensor({8, 4}, w), T("ap_fixed<6,1,AP_RND>"));
  ir::ValueId d = g.add_value("d", {3, 4}, T("ap_fixed<14,7,AP_RND,AP_SAT>"));
  ir::NodeId fc = g.add_node(Op::Dense, "fc", {q, wc}, {d});
  g.node(fc).config.types["accum"] = T("ap_fixed<24,10>");
  output(g, d, "dense");
  return g;
}

}  // namespace

TEST(HlsElementQuant, MixedTypesEveryModeBitExact) {
  ir::Graph g = mixed_graph();
  hls_testing::check_csim_matches(g, grid_inputs(40, {3, 8}, T("ap_fixed<18,8>"), -130, 130, 11));
  // Per last-axis types repeat over the 3 rows: one loop over rows, one statement per element.
  backends::BackendOptions opts;
  opts.project_name = "p";
  backends::hls::FileMap f = backends::hls::generate_project(g, opts);
  const std::string& params = f["firmware/parameters.h"];
  EXPECT_NE(params.find("// element types repeat every 8 elements (3 rows)"), std::string::npos) << params;
  EXPECT_NE(params.find("y[o + 1] = (res_T)(ap_ufixed<3,-1,AP_RND,AP_SAT>)x[o + 1];"), std::string::npos) << params;
  EXPECT_NE(params.find("y[o + 2] = 0;"), std::string::npos) << params;
  EXPECT_NE(params.find("// element types repeat every 24 elements (1 rows)"), std::string::npos) << params;
}

TEST(HlsElementQuant, WideContainerAndRunsOfEqualTypes) {
  ir::Graph g;
  g.name = "eq_wide";
  ir::ValueId x = g.add_value("x", {10}, T("ap_fixed<40,20>"));
  g.inputs.push_back({x, "x", {10}, {}});
  std::vector<Elem> es = {{1, 40, 30}, {1, 40, 30}, {1, 40, 30}, {1, 10, -30}, {0, 64, 24},
                          {0, 64, 24}, {1, 0, 0},   {1, 0, 0},   {1, 5, 2},    {1, 40, 30}};
  output(g, add_element_quant(g, x, "q", es, "AP_RND", "AP_WRAP", {10}), "y");
  EXPECT_EQ(g.type_of(g.outputs[0].value).width, 70);
  hls_testing::check_csim_matches(g, grid_inputs(16, {10}, T("ap_fixed<40,20>"), -5e5, 5e5, 12));
  backends::BackendOptions opts;
  opts.project_name = "p";
  const std::string params = backends::hls::generate_project(g, opts)["firmware/parameters.h"];
  EXPECT_NE(params.find("for (unsigned i = 0; i < 3; i++) y[i] = (res_T)(ap_fixed<40,30,AP_RND>)x[i];"), std::string::npos)
      << params;
  EXPECT_NE(params.find("for (unsigned i = 6; i < 8; i++) y[i] = 0;"), std::string::npos) << params;
}

TEST(HlsElementQuant, ThroughThePipelineFromFloatInputs) {
  // An untyped model as an importer gives it: the passes fold the weight quantizer, type the
  // input for the input quantizer and infer the Dense exactly.
  ir::Graph g;
  g.name = "eq_pipeline";
  ir::ValueId x = g.add_value("x", {6});
  g.inputs.push_back({x, "x", {6}, {}});
  std::vector<Elem> in_types = {{1, 6, 3}, {0, 4, 1}, {1, 0, 2}, {1, 3, -1}, {0, 8, 8}, {1, 9, 4}};
  ir::ValueId xq = add_element_quant(g, x, "q_in", in_types, "AP_RND", "AP_SAT", {6});
  g.value(xq).type.reset();
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(-2, 2);
  std::vector<double> w(6 * 3);
  for (double& v : w) v = u(rng);
  ir::ValueId wc = g.add_constant("w", ir::Tensor({6, 3}, w));
  ir::ValueId wq = add_element_quant(g, wc, "q_w", {{1, 4, 1}, {1, 0, 0}, {0, 3, 2}}, "AP_RND", "AP_SAT", {3});
  g.value(wq).type.reset();
  ir::ValueId h = g.add_value("h", {3});
  g.add_node(Op::Dense, "fc", {xq, wq}, {h});
  ir::ValueId y = add_element_quant(g, h, "q_out", {{1, 5, 3}, {1, 7, 4}, {0, 6, 5}}, "AP_TRN", "AP_WRAP", {3});
  g.value(y).type.reset();
  output(g, y, "y");
  passes::PassContext ctx;
  passes::run_pipeline(g, ctx, passes::default_pipeline());
  EXPECT_EQ(g.value(g.inputs[0].value).type, T("ap_fixed<15,9,AP_TRN,AP_SAT>"));
  hls_testing::check_bit_exact(g, 200.0);
}
