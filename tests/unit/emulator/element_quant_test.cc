// ElementQuant in the emulator, against the reference written from the definition
// (unit/element_quant_util.h), on both kernel flavours.
#include "test_util.h"
#include "unit/element_quant_util.h"

namespace tachyon::emulator::testing {
namespace {

using ir::Op;
using namespace eq_testing;

ir::ValueId add_quant(GraphBuilder& gb, ir::ValueId x, const std::string& name, const std::vector<Elem>& es,
                      const std::string& rounding, const std::string& overflow, ir::Shape cshape) {
  return add_element_quant(gb.g, x, name, es, rounding, overflow, std::move(cshape));
}

NdArray grid_inputs(int64_t n, const ir::Shape& sample, uint64_t seed) {
  return eq_testing::grid_inputs(n, sample, T("ap_fixed<18,8>"), -127, 127, seed);
}

TEST(ElementQuantKernel, EveryModeMatchesTheDefinition) {
  GraphBuilder gb;
  const auto C = static_cast<int64_t>(kMixed.size());
  ir::ValueId x = gb.input("x", {3, C}, T("ap_fixed<18,8>"));
  const std::pair<const char*, const char*> modes[] = {
      {"AP_TRN", "AP_WRAP"}, {"AP_RND", "AP_WRAP"}, {"AP_TRN", "AP_SAT"}, {"AP_RND", "AP_SAT"}};
  for (int m = 0; m < 4; ++m)
    gb.output(add_quant(gb, x, "q" + std::to_string(m), kMixed, modes[m].first, modes[m].second, {C}), "y" + std::to_string(m));
  NdArray in = grid_inputs(20, {3, C}, 1);
  std::vector<std::vector<double>> expected(4);
  for (int k = 0; k < 4; ++k) {
    const bool rnd = std::string(modes[k].first) == "AP_RND", sat = std::string(modes[k].second) == "AP_SAT";
    for (size_t j = 0; j < in.data.size(); ++j)
      expected[static_cast<size_t>(k)].push_back(reference(in.data[j], kMixed[j % kMixed.size()], rnd, sat));
  }
  run_both(gb.g, {in}, expected, "element quant");
  EXPECT_EQ(kernel_flavour(gb.g, "q0"), "fast");
  EXPECT_EQ(kernel_flavour(gb.g, "q0", true), "general");
  // Pruned elements are exactly 0 and every output is held in the container.
  EXPECT_EQ(gb.g.type_of(gb.g.outputs[0].value), T("ap_fixed<15,9>"));
}

TEST(ElementQuantKernel, FullShapeConstantsAndOverflowStatistics) {
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {2, 3}, T("ap_fixed<18,8>"));
  std::vector<Elem> es = {{1, 3, 1}, {0, 2, 2}, {1, 0, 0}, {0, 8, 4}, {1, 5, -2}, {1, 2, 6}};
  gb.output(add_quant(gb, x, "q", es, "AP_RND", "AP_SAT", {2, 3}));
  NdArray in = grid_inputs(10, {2, 3}, 2);
  std::vector<double> want;
  for (size_t j = 0; j < in.data.size(); ++j) want.push_back(reference(in.data[j], es[j % es.size()], true, true));
  run_both(gb.g, {in}, {want}, "full shape");
  Emulator emu(gb.g);
  emu.predict({in}, RunOptions{1, true});
  int64_t conv = 0, sat = 0;
  for (const LayerStats& s : emu.stats())
    if (s.layer == "q" && s.what == "result") {
      conv += s.conversions;
      sat += s.saturated;
    }
  EXPECT_EQ(conv, 50);  // 5 unpruned elements x 10 samples
  int64_t expect_sat = 0;
  for (size_t j = 0; j < in.data.size(); ++j) {
    const Elem& e = es[j % es.size()];
    expect_sat += overflows(in.data[j], e, true);
  }
  EXPECT_EQ(sat, expect_sat);
  EXPECT_GT(sat, 0);
}

TEST(ElementQuantKernel, WideContainerUsesTheGeneralPath) {
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {4}, T("ap_fixed<40,20>"));
  // Integer bits 30 and fraction bits 40: an 70-bit container.
  std::vector<Elem> es = {{1, 40, 30}, {1, 10, -30}, {0, 64, 24}, {1, 0, 0}};
  gb.output(add_quant(gb, x, "q", es, "AP_RND", "AP_WRAP", {4}));
  std::mt19937_64 rng(3);
  NdArray in{{8, 4}, on_grid(rng, 32, T("ap_fixed<40,20>"), -5e5, 5e5)};
  std::vector<double> want;
  for (size_t j = 0; j < in.data.size(); ++j) want.push_back(reference(in.data[j], es[j % es.size()], true, false));
  run_both(gb.g, {in}, {want}, "wide");
  EXPECT_EQ(kernel_flavour(gb.g, "q"), "general");
  EXPECT_EQ(gb.g.type_of(gb.g.outputs[0].value).width, 70);
}

TEST(ElementQuantKernel, DenseAfterQuantizer) {
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {8}, T("ap_fixed<18,8>"));
  ir::ValueId q = add_quant(gb, x, "q", kMixed, "AP_RND", "AP_SAT", {8});
  std::mt19937_64 rng(4);
  std::vector<double> w = on_grid(rng, 8 * 3, T("ap_fixed<6,1>"), -1, 1);
  ir::ValueId wc = gb.constant("w", {8, 3}, w, T("ap_fixed<6,1>"));
  // Accumulator and result wide enough for the exact sum (reference in double is exact).
  ir::ValueId y = gb.node(Op::Dense, "fc", {q, wc}, {3}, T("ap_fixed<40,16>"), {}, {{"accum", T("ap_fixed<40,16>")}});
  gb.output(y);
  NdArray in = grid_inputs(16, {8}, 5);
  std::vector<double> want;
  for (int64_t s = 0; s < 16; ++s)
    for (int j = 0; j < 3; ++j) {
      double acc = 0;
      for (int i = 0; i < 8; ++i)
        acc += reference(in.data[static_cast<size_t>(s * 8 + i)], kMixed[static_cast<size_t>(i)], true, true) *
               w[static_cast<size_t>(i * 3 + j)];
      want.push_back(acc);
    }
  run_both(gb.g, {in}, {want}, "dense after quantizer");
}

TEST(ElementQuantKernel, ClearErrors) {
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {2}, T("ap_fixed<18,8>"));
  ir::ValueId y = add_quant(gb, x, "q", {{1, 4, 2}, {1, 3, 1}}, "AP_RND", "AP_SAT", {2});
  gb.output(y);
  gb.g.value(y).type = T("ap_fixed<16,6>");
  try {
    Emulator emu(gb.g);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'q' (ElementQuant)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tachyon::emulator::testing
