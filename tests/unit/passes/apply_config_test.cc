#include "test_util.h"

using namespace tachyon;
using namespace tachyon::ir;
using namespace tachyon::testing;
using nlohmann::json;

namespace {

// input[16] -> fc1 Dense(16x8) -> relu1 -> flat Reshape -> fc2 Dense(8x4) -> softmax
Graph lowered_mlp() {
  Graph g;
  g.name = "mlp";
  g.source_file = "mlp.onnx";
  ValueId x = g.add_value("input", {16});
  ValueId h1 = g.add_value("h1", {8});
  ValueId a1 = g.add_value("a1", {8});
  ValueId f = g.add_value("f", {8});
  ValueId h2 = g.add_value("h2", {4});
  ValueId y = g.add_value("y", {4});
  NodeId n1 = g.add_node(Op::Dense, "fc1",
                         {x, g.add_constant("w1", Tensor({16, 8}, random_values(128, -1, 1, 1))),
                          g.add_constant("b1", Tensor({8}, random_values(8, -1, 1, 2)))},
                         {h1});
  g.node(n1).source_name = "/fc1/Gemm";
  g.add_node(Op::Relu, "relu1", {h1}, {a1});
  g.add_node(Op::Reshape, "flat", {a1}, {f});
  g.add_node(Op::Dense, "fc2", {f, g.add_constant("w2", Tensor({8, 4}, random_values(32, -1, 1, 3)))}, {h2});
  g.add_node(Op::Softmax, "softmax", {h2}, {y});
  g.inputs.push_back({x, "input", {16}, {}});
  g.outputs.push_back({y, "output", {4}, {}});
  return g;
}

passes::PassContext ctx_of(json cfg, std::string file = "config.yaml") {
  passes::PassContext ctx;
  ctx.config = std::move(cfg);
  ctx.config_file = std::move(file);
  return ctx;
}

}  // namespace

TEST(ApplyConfig, DefaultsEverywhere) {
  Graph g = lowered_mlp();
  run_passes(g, {"apply_config"});
  const FixedType d = FixedType::parse("ap_fixed<16,6>");
  EXPECT_EQ(g.type_of(g.inputs[0].value), d);
  const Node& fc1 = node(g, "fc1");
  EXPECT_EQ(g.type_of(fc1.inputs[1]), d);
  EXPECT_EQ(g.type_of(fc1.inputs[2]), d);
  EXPECT_EQ(g.type_of(fc1.outputs[0]), d);
  EXPECT_EQ(fc1.config.types.at("accum"), d);
  EXPECT_EQ(fc1.config.reuse_factor, 1);
  EXPECT_EQ(g.type_of(node(g, "relu1").outputs[0]), d);
  EXPECT_FALSE(g.value(node(g, "flat").outputs[0]).type.has_value());  // keeps its input type (auto)
  const Node& sm = node(g, "softmax");
  EXPECT_EQ(sm.config.types.at("exp_table").str(), "ap_fixed<18,8,AP_RND,AP_SAT>");
  EXPECT_EQ(sm.config.types.count("inp_norm"), 0u);  // auto: from the input type (infer_precision)
  EXPECT_EQ(sm.config.types.at("accum"), d);
  EXPECT_EQ(sm.config.table_size, 1024);
}

TEST(ApplyConfig, PerLayerSettings) {
  Graph g = lowered_mlp();
  json cfg = {{"HLSConfig",
               {{"Model", {{"Precision", "ap_fixed<12,4>"}, {"ReuseFactor", 2}, {"Strategy", "Resource"}}},
                {"LayerType", {{"Softmax", {{"implementation", "argmax"}, {"table_size", 256}}}}},
                {"LayerName",
                 {{"/fc1/Gemm", {{"Precision", {{"weight", "ap_fixed<6,1>"}, {"accum", "auto"}}}, {"ReuseFactor", 4}}},
                  {"input", {{"Precision", {{"result", "ap_ufixed<10,4>"}}}}},
                  {"flat", {{"Precision", "ap_fixed<9,3>"}}}}}}}};
  run_passes(g, {"apply_config"}, ctx_of(cfg));
  EXPECT_EQ(g.type_of(g.inputs[0].value).str(), "ap_ufixed<10,4>");
  const Node& fc1 = node(g, "fc1");
  EXPECT_EQ(g.type_of(fc1.inputs[1]).str(), "ap_fixed<6,1>");
  EXPECT_EQ(g.type_of(fc1.inputs[2]).str(), "ap_fixed<12,4>");
  EXPECT_EQ(fc1.config.types.count("accum"), 0u);  // auto: left to infer_precision
  EXPECT_EQ(fc1.config.reuse_factor, 4);
  EXPECT_EQ(fc1.config.strategy, Strategy::Resource);
  EXPECT_EQ(node(g, "fc2").config.reuse_factor, 2);
  EXPECT_EQ(g.type_of(node(g, "flat").outputs[0]).str(), "ap_fixed<9,3>");  // named: converts
  const Node& sm = node(g, "softmax");
  EXPECT_EQ(sm.config.softmax_impl, "argmax");
  EXPECT_EQ(sm.config.table_size, 256);
}

TEST(ApplyConfig, QonnxTypesWinUnlessNamed) {
  Graph g = lowered_mlp();
  const FixedType wq = FixedType::parse("ap_fixed<4,2,AP_RND_CONV,AP_SAT_SYM>");
  g.value(node(g, "fc1").inputs[1]).type = wq;
  g.value(node(g, "fc2").inputs[1]).type = wq;
  json cfg = {{"LayerType", {{"Dense", {{"Precision", {{"weight", "ap_fixed<8,3>"}}}}}}},
              {"LayerName", {{"fc2", {{"Precision", {{"weight", "ap_fixed<5,2>"}}}}}}}};
  run_passes(g, {"apply_config"}, ctx_of(cfg));
  EXPECT_EQ(g.type_of(node(g, "fc1").inputs[1]), wq);
  EXPECT_EQ(g.type_of(node(g, "fc2").inputs[1]).str(), "ap_fixed<5,2>");
}

TEST(ApplyConfig, SharedConstantConfiguredTwiceIsCopied) {
  Graph g;
  ValueId x = g.add_value("x", {2});
  ValueId w = g.add_constant("w", Tensor({2, 2}, {1, 2, 3, 4}));
  ValueId a = g.add_value("a", {2});
  ValueId b = g.add_value("b", {2});
  g.add_node(Op::Dense, "d1", {x, w}, {a});
  g.add_node(Op::Dense, "d2", {a, w}, {b});
  g.inputs.push_back({x, "x", {2}, {}});
  g.outputs.push_back({b, "b", {2}, {}});
  json cfg = {{"LayerName", {{"d2", {{"Precision", {{"weight", "ap_fixed<8,4>"}}}}}}}};
  run_passes(g, {"apply_config"}, ctx_of(cfg));
  EXPECT_NE(node(g, "d1").inputs[1], node(g, "d2").inputs[1]);
  EXPECT_EQ(g.type_of(node(g, "d1").inputs[1]).str(), "ap_fixed<16,6>");
  EXPECT_EQ(g.type_of(node(g, "d2").inputs[1]).str(), "ap_fixed<8,4>");
  EXPECT_EQ(g.constant(node(g, "d2").inputs[1]).data, g.constant(node(g, "d1").inputs[1]).data);
}

TEST(ApplyConfig, ErrorsNameTheConfigFile) {
  Graph g = lowered_mlp();
  EXPECT_EQ(error_of([&] { run_passes(g, {"apply_config"}, ctx_of(json{{"LayerName", {{"fc_1", {{"ReuseFactor", 2}}}}}})); }),
            "config.yaml: error: LayerName 'fc_1' matches no layer; did you mean 'fc1'?");
  EXPECT_NE(error_of([&] { run_passes(g, {"apply_config"}, ctx_of(json{{"Model", {{"IOType", "io_stream"}}}})); })
                .find("io_stream is not supported yet"),
            std::string::npos);
  std::string msg = error_of([&] {
    run_passes(g, {"apply_config"}, ctx_of(json{{"LayerName", {{"softmax", {{"table_size", 1000}}}}}}));
  });
  EXPECT_NE(msg.find("config.yaml: node 'softmax' (Softmax): error: LayerName.softmax.table_size: table_size 1000 is not a power of two"),
            std::string::npos)
      << msg;
}

// hls4ml's Vivado backend widens every pooling accumulator by e = ceil(log2(cells)):
// width + 2e, integer bits + e (ap_int: width + 2e). Written out per case below.
TEST(ApplyConfig, AveragePoolAccumulatorIsWidenedAsHls4mlDoes) {
  Graph g;
  ValueId x = g.add_value("x", {6, 6, 2});
  ValueId p = g.add_value("p", {2, 2, 2});
  NodeId pool = g.add_node(Op::AvgPool, "pool", {x}, {p});
  g.node(pool).attrs.set("kernel_shape", std::vector<int64_t>{3, 3});
  g.node(pool).attrs.set("strides", std::vector<int64_t>{3, 3});
  ValueId q = g.add_value("q", {2});
  g.add_node(Op::GlobalAvgPool, "gap", {p}, {q});
  g.inputs.push_back({x, "x", {6, 6, 2}, {}});
  g.outputs.push_back({q, "q", {2}, {}});
  json cfg = {{"LayerName", {{"gap", {{"Precision", {{"accum", "ap_int<10>"}}}}}}}};
  run_passes(g, {"apply_config"}, ctx_of(cfg));
  // 9 cells: e = 4 -> ap_fixed<16,6> becomes ap_fixed<24,10>.
  EXPECT_EQ(node(g, "pool").config.types.at("accum").str(), "ap_fixed<24,10>");
  // 4 cells: e = 2 -> ap_int<10> becomes ap_int<14>.
  EXPECT_EQ(node(g, "gap").config.types.at("accum").str(), "ap_int<14>");
}
