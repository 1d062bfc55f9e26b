// The defaults Tachyon shares with hls4ml (docs/hls4ml_compat.md), each pinned on a small
// model whose outputs are computed by hand below (the arithmetic is written out).
#include <gtest/gtest.h>

#include "tachyon/driver/driver.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/ir/printer.h"
#include "tachyon/support/error.h"
#include "tachyon/support/npy.h"

namespace tachyon {
namespace {

using ir::Op;
using nlohmann::json;

// x[3] -> Softmax.
ir::Graph softmax_model() {
  ir::Graph g;
  g.name = "sm";
  ir::ValueId x = g.add_value("x", {3});
  ir::ValueId y = g.add_value("y", {3});
  g.add_node(Op::Softmax, "softmax", {x}, {y});
  g.inputs.push_back({x, "x", {3}, {}});
  g.outputs.push_back({y, "y", {3}, {}});
  return g;
}

std::vector<double> predict(const ir::Graph& g, const std::vector<double>& x) {
  emulator::Emulator emu(g);
  return emu.predict({NdArray{{1, static_cast<int64_t>(x.size())}, x}})[0].data;
}

FixedType T(const char* s) { return FixedType::parse(s); }

TEST(Hls4mlRules, SoftmaxTypesAtTheDefaults) {
  ir::Graph g = driver::compile(softmax_model(), json::object());
  const ir::Node& n = g.node(*g.find_node("softmax"));
  EXPECT_EQ(n.config.types.at("inp_norm"), T("ap_ufixed<15,5>"));  // ap_fixed<16,6> input: W-1, I-1
  EXPECT_EQ(n.config.types.at("accum"), T("ap_fixed<16,6>"));      // the Model precision
  EXPECT_EQ(n.config.types.at("inv_inp"), T("ap_fixed<18,8,AP_RND,AP_SAT>"));  // = exp_table_t
  EXPECT_EQ(n.config.table_size, 1024);      // min(inv_table_size 1024, 2^15)
  EXPECT_EQ(n.config.inv_table_size, 1024);
  // x = [1, 0.5, 0]: d = [0, 0.5, 1] (ap_ufixed<15,5> codes 0, 512, 1024; index = code >> 5).
  // exp table (ap_fixed<18,8,RND,SAT>, 10 fraction bits): exp(0) = 1; exp(-0.5) * 1024 =
  // 621.09 -> 621; exp(-1) * 1024 = 376.71 -> 377. accum ap_fixed<16,6> holds them exactly.
  // sum = (1024 + 621) + 377 = 2022 / 1024; inverse index 2022 >> 8 = 7 -> v = 1792/1024 = 1.75;
  // 1 / 1.75 * 1024 = 585.14 -> 585. y = e * 585 / 2^20 truncated to 10 fraction bits:
  // 1024*585 >> 10 = 585; 621*585 = 363285 >> 10 = 354; 377*585 = 220545 >> 10 = 215.
  const std::vector<double> y = predict(g, {1.0, 0.5, 0.0});
  EXPECT_EQ(y, (std::vector<double>{585 / 1024.0, 354 / 1024.0, 215 / 1024.0}));
}

TEST(Hls4mlRules, SoftmaxAtApFixed8_3) {
  ir::Graph g = driver::compile(softmax_model(), json{{"Model", {{"Precision", "ap_fixed<8,3>"}}}});
  const ir::Node& n = g.node(*g.find_node("softmax"));
  EXPECT_EQ(n.config.types.at("inp_norm"), T("ap_ufixed<7,2>"));
  EXPECT_EQ(n.config.types.at("accum"), T("ap_fixed<8,3>"));
  EXPECT_EQ(n.config.table_size, 128);  // min(1024, 2^7)
  // d = [0, 0.5, 1] -> codes (5 fraction bits) 0, 16, 32 = the index (W = B = 7); the exp
  // entries are those above (1024, 621, 377 / 1024), converted to accum ap_fixed<8,3> (TRN,
  // 5 fraction bits): 32, 19 (621/32 = 19.4), 11 (377/32 = 11.8). The tree adds
  // (32 + 19) + 11 = 62 -> 1.9375; as inv_inp (10 fraction bits) 1984, index 1984 >> 8 = 7
  // -> 1.75 -> inverse 585 / 1024. y (5 fraction bits, TRN): 32*585 >> 10 = 18;
  // 19*585 = 11115 >> 10 = 10; 11*585 = 6435 >> 10 = 6.
  const std::vector<double> y = predict(g, {1.0, 0.5, 0.0});
  EXPECT_EQ(y, (std::vector<double>{18 / 32.0, 10 / 32.0, 6 / 32.0}));
}

TEST(Hls4mlRules, SoftmaxKeysInHls4mlSpelling) {
  json cfg = {{"LayerName",
               {{"softmax",
                 {{"TableSize", 256}, {"InvTableSize", 64}, {"Implementation", "latency"}, {"inv_inp_t", "ap_ufixed<12,3>"}}}}}};
  ir::Graph g = driver::compile(softmax_model(), cfg);
  const ir::Node& n = g.node(*g.find_node("softmax"));
  EXPECT_EQ(n.config.softmax_impl, "latency");
  EXPECT_EQ(n.config.table_size, 256);
  EXPECT_EQ(n.config.inv_table_size, 64);
  EXPECT_EQ(n.config.types.at("inv_inp"), T("ap_ufixed<12,3>"));
  EXPECT_EQ(n.config.types.at("inp_norm"), T("ap_fixed<16,6>"));  // latency: the input type
  // Skip: the layer passes its input through.
  ir::Graph s = driver::compile(softmax_model(), json{{"LayerType", {{"Softmax", {{"Skip", true}}}}}});
  EXPECT_EQ(predict(s, {1.0, 0.5, -0.25}), (std::vector<double>{1.0, 0.5, -0.25}));
  // Two spellings of one key are an error.
  EXPECT_THROW(driver::compile(softmax_model(), json{{"LayerName", {{"softmax", {{"TableSize", 256}, {"table_size", 256}}}}}}),
               Error);
}

TEST(Hls4mlRules, LeakyReluAlphaHasTheModelPrecision) {
  ir::Graph g;
  g.name = "lr";
  ir::ValueId x = g.add_value("x", {2});
  ir::ValueId y = g.add_value("y", {2});
  ir::NodeId id = g.add_node(Op::LeakyRelu, "lrelu", {x}, {y});
  g.node(id).attrs.set("alpha", 0.1);
  g.inputs.push_back({x, "x", {2}, {}});
  g.outputs.push_back({y, "y", {2}, {}});
  ir::Graph c = driver::compile(g, json::object());
  EXPECT_EQ(c.node(*c.find_node("lrelu")).config.types.at("param"), T("ap_fixed<16,6>"));
  // 0.1 * 1024 = 102.4 -> 102 -> 0.099609375; y(-1) = -0.099609375 (exact in ap_fixed<16,6>).
  EXPECT_EQ(predict(c, {-1.0, 2.0}), (std::vector<double>{-102 / 1024.0, 2.0}));
}

// x[2] -> Dense(2x2) -> BatchNormalization.
ir::Graph dense_bn_model() {
  ir::Graph g;
  g.name = "dbn";
  ir::ValueId x = g.add_value("x", {2});
  ir::ValueId h = g.add_value("h", {2});
  ir::ValueId y = g.add_value("y", {2});
  g.add_node(Op::Dense, "fc", {x, g.add_constant("w", ir::Tensor({2, 2}, {1.0, 0.0, 0.0, 1.0})),
                               g.add_constant("b", ir::Tensor({2}, {0.0, 0.0}))},
             {h});
  ir::NodeId bn = g.add_node(Op::BatchNormInference, "bn",
                             {h, g.add_constant("gamma", ir::Tensor({2}, {3.0, 3.0})),
                              g.add_constant("beta", ir::Tensor({2}, {0.0, 0.0})),
                              g.add_constant("mean", ir::Tensor({2}, {0.0, 0.0})),
                              g.add_constant("var", ir::Tensor({2}, {1.0, 1.0}))},
                             {y});
  g.node(bn).attrs.set("epsilon", 0.0);
  g.inputs.push_back({x, "x", {2}, {}});
  g.outputs.push_back({y, "y", {2}, {}});
  return g;
}

TEST(Hls4mlRules, BatchNormFoldsOnlyWhenTheDenseResultIsAuto) {
  // Model precision ap_fixed<8,3> (5 fraction bits): the Dense result is explicit, so the
  // normalization stays separate: h = x truncated to 5 fraction bits, y = h * 3.
  json cfg = {{"Model", {{"Precision", "ap_fixed<8,3>"}}}, {"LayerName", {{"x", {{"Precision", "ap_fixed<16,6>"}}}}}};
  ir::Graph sep = driver::compile(dense_bn_model(), cfg);
  ASSERT_TRUE(sep.find_node("bn").has_value()) << ir::print_graph(sep);
  // x = 0.3 -> ap_fixed<16,6>: 307/1024; Dense (weight 1) -> h = 307/1024 -> 9/32 (TRN);
  // y = 27/32 = 0.84375. Folded (weight 3): 921/1024 -> 28/32 = 0.875.
  EXPECT_EQ(predict(sep, {0.3, 0.0})[0], 27 / 32.0);
  cfg["LayerName"]["fc"] = {{"Precision", {{"result", "auto"}}}};
  ir::Graph fold = driver::compile(dense_bn_model(), cfg);
  EXPECT_FALSE(fold.find_node("bn").has_value()) << ir::print_graph(fold);
  EXPECT_EQ(predict(fold, {0.3, 0.0})[0], 28 / 32.0);
}

TEST(Hls4mlRules, ModelReuseFactorIsATarget) {
  // Dense 2x2 (n_in * n_out = 4): ReuseFactor 3 at Model level -> the nearest divisor, 2 (tie
  // 2 / 4 -> the smaller); the same value under LayerName is an error.
  ir::Graph g = driver::compile(dense_bn_model(), json{{"Model", {{"ReuseFactor", 3}}}});
  EXPECT_EQ(g.node(*g.find_node("fc")).config.reuse_factor, 2);
  EXPECT_THROW(driver::compile(dense_bn_model(), json{{"LayerName", {{"fc", {{"ReuseFactor", 3}}}}}}), Error);
}

}  // namespace
}  // namespace tachyon
