// Resolution of per-layer settings and templates on hand-built lowered graphs.
#include <gtest/gtest.h>

#include "tachyon/config/config.h"
#include "tachyon/config/resolve.h"
#include "tachyon/support/error.h"

using namespace tachyon;
using namespace tachyon::ir;
using nlohmann::json;

namespace {

// x[16] -> fc1 Dense(16x8) -> relu1 -> fc2 Dense(8x4, no bias) -> flat Reshape -> softmax
Graph mlp() {
  Graph g;
  g.name = "mlp";
  ValueId x = g.add_value("x", {16});
  ValueId w1 = g.add_constant("w1", Tensor::zeros({16, 8}));
  ValueId b1 = g.add_constant("b1", Tensor::zeros({8}));
  ValueId h1 = g.add_value("h1", {8});
  ValueId a1 = g.add_value("a1", {8});
  ValueId w2 = g.add_constant("w2", Tensor::zeros({8, 4}));
  ValueId h2 = g.add_value("h2", {4});
  ValueId r = g.add_value("r", {4});
  ValueId y = g.add_value("y", {4});
  NodeId n1 = g.add_node(Op::Dense, "fc1", {x, w1, b1}, {h1});
  g.node(n1).source_name = "/fc1/Gemm";
  g.node(n1).source_op = "Gemm";
  g.add_node(Op::Relu, "relu1", {h1}, {a1});
  g.add_node(Op::Dense, "fc2", {a1, w2}, {h2});
  g.add_node(Op::Reshape, "flat", {h2}, {r});
  g.add_node(Op::Softmax, "softmax", {r}, {y});
  g.inputs.push_back({x, "input", {16}, {}});
  g.outputs.push_back({y, "output", {4}, {}});
  return g;
}

NodeId id_of(const Graph& g, const std::string& name) { return *g.find_node(name); }

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ConfigResolve, BuiltinDefaults) {
  Graph g = mlp();
  json empty = json::object();
  auto fc1 = config::resolve_node(empty, g, id_of(g, "fc1"));
  EXPECT_EQ(fc1.precision.size(), 4u);  // result, weight, bias, accum
  for (const auto& [slot, st] : fc1.precision) {
    EXPECT_EQ(st.value, "ap_fixed<16,6>") << slot;
    EXPECT_EQ(st.level, config::Level::Builtin);
  }
  EXPECT_EQ(fc1.reuse_factor, 1);
  EXPECT_EQ(fc1.strategy, Strategy::Latency);
  auto fc2 = config::resolve_node(empty, g, id_of(g, "fc2"));
  EXPECT_EQ(fc2.precision.count("bias"), 0u);  // no bias input
  auto sm = config::resolve_node(empty, g, id_of(g, "softmax"));
  EXPECT_EQ(sm.precision.at("exp_table").value, "ap_fixed<18,8,AP_RND,AP_SAT>");
  EXPECT_EQ(sm.precision.at("inv_table").value, "ap_fixed<18,8,AP_RND,AP_SAT>");
  EXPECT_EQ(sm.precision.at("accum").value, "ap_fixed<16,6>");   // hls4ml: the Model precision
  EXPECT_EQ(sm.precision.at("inv_inp").value, "ap_fixed<18,8,AP_RND,AP_SAT>");  // = exp_table
  EXPECT_EQ(sm.precision.at("inp_norm").value, "auto");           // from the input type
  EXPECT_EQ(sm.table_size, 1024);
  EXPECT_EQ(sm.inv_table_size, 1024);
  EXPECT_EQ(sm.softmax_impl, "stable");
  auto in = config::resolve_input(empty, g, g.inputs[0]);
  EXPECT_EQ(in.precision.at("result").value, "ap_fixed<16,6>");
}

TEST(ConfigResolve, Precedence) {
  Graph g = mlp();
  json c = {{"Model", {{"Precision", {{"default", "ap_fixed<12,4>"}, {"accum", "ap_fixed<24,8>"}}}, {"ReuseFactor", 2}}},
            {"LayerType", {{"Dense", {{"Precision", {{"weight", "ap_fixed<8,2>"}}}, {"Strategy", "resource"}}},
                           {"Activation", {{"Precision", "ap_fixed<10,3>"}}},
                           {"ReLU", {{"Precision", {{"result", "ap_ufixed<9,3>"}}}}}}},
            {"LayerName", {{"/fc1/Gemm", {{"Precision", "ap_fixed<20,10>"}, {"ReuseFactor", 4}}}}}};
  auto fc1 = config::resolve_node(c, g, id_of(g, "fc1"));
  // LayerName (by source name) string = default for every data slot of the layer.
  EXPECT_EQ(fc1.precision.at("weight").value, "ap_fixed<20,10>");
  EXPECT_EQ(fc1.precision.at("accum").value, "ap_fixed<20,10>");
  EXPECT_EQ(fc1.precision.at("weight").level, config::Level::LayerName);
  EXPECT_EQ(config::path_str(fc1.precision.at("weight").path), "LayerName./fc1/Gemm.Precision");
  EXPECT_EQ(fc1.reuse_factor, 4);
  EXPECT_EQ(fc1.strategy, Strategy::Resource);  // from LayerType
  EXPECT_TRUE(fc1.named);
  auto fc2 = config::resolve_node(c, g, id_of(g, "fc2"));
  EXPECT_EQ(fc2.precision.at("weight").value, "ap_fixed<8,2>");   // LayerType specific
  EXPECT_EQ(fc2.precision.at("accum").value, "ap_fixed<24,8>");   // Model specific beats Model default
  EXPECT_EQ(fc2.precision.at("result").value, "ap_fixed<12,4>");  // Model default
  EXPECT_EQ(fc2.reuse_factor, 2);
  auto relu = config::resolve_node(c, g, id_of(g, "relu1"));
  EXPECT_EQ(relu.precision.at("result").value, "ap_ufixed<9,3>");  // ReLU is more specific than Activation
  auto sm = config::resolve_node(c, g, id_of(g, "softmax"));
  EXPECT_EQ(sm.precision.at("result").value, "ap_fixed<10,3>");  // Activation group
  // Tables do not follow a default precision.
  EXPECT_EQ(sm.precision.at("exp_table").value, "ap_fixed<18,8,AP_RND,AP_SAT>");
  EXPECT_EQ(sm.precision.at("accum").value, "ap_fixed<10,3>");  // the Activation group's default
  EXPECT_EQ(sm.precision.at("inv_inp").value, "ap_fixed<10,3>");  // a LayerType default is not replaced
  // The graph input follows the Model result precision.
  EXPECT_EQ(config::resolve_input(c, g, g.inputs[0]).precision.at("result").value, "ap_fixed<12,4>");
}

TEST(ConfigResolve, DirectTypeKeysAndSoftmaxSettings) {
  Graph g = mlp();
  json c = {{"LayerName",
             {{"softmax",
               {{"exp_table_t", "ap_fixed<16,4>"}, {"inv_table_t", "ap_ufixed<16,0>"}, {"accum_t", "ap_fixed<20,10>"},
                {"table_size", 512}, {"inv_table_size", 64}, {"implementation", "Latency"}}},
              {"input", {{"Precision", {{"result", "ap_fixed<8,3>"}}}}}}}};
  auto sm = config::resolve_node(c, g, id_of(g, "softmax"));
  EXPECT_EQ(sm.precision.at("exp_table").value, "ap_fixed<16,4>");
  EXPECT_EQ(sm.precision.at("inv_table").value, "ap_ufixed<16,0>");
  EXPECT_EQ(sm.precision.at("accum").value, "ap_fixed<20,10>");
  EXPECT_EQ(sm.table_size, 512);
  EXPECT_EQ(sm.inv_table_size, 64);
  EXPECT_EQ(sm.precision.at("inv_inp").value, "ap_fixed<16,4>");  // the configured exp_table
  EXPECT_EQ(sm.softmax_impl, "latency");
  EXPECT_EQ(config::resolve_input(c, g, g.inputs[0]).precision.at("result").value, "ap_fixed<8,3>");
}

TEST(ConfigResolve, ErrorsNeedingTheGraph) {
  Graph g = mlp();
  std::string msg = error_of([&] {
    config::check_names(json{{"LayerName", {{"fc_1", {{"ReuseFactor", 2}}}}}}, g, "config.yaml");
  });
  EXPECT_EQ(msg, "config.yaml: error: LayerName 'fc_1' matches no layer; did you mean 'fc1'?");
  msg = error_of([&] {
    config::resolve_node(json{{"LayerName", {{"fc1", {{"Precision", {{"table", "ap_fixed<8,2>"}}}}}}}}, g, id_of(g, "fc1"), "c.yaml");
  });
  EXPECT_NE(msg.find("precision 'table' does not apply to layer 'fc1' (Dense)"), std::string::npos) << msg;
  msg = error_of([&] {
    config::resolve_node(json{{"LayerName", {{"fc1", {{"implementation", "stable"}}}}}}, g, id_of(g, "fc1"), "c.yaml");
  });
  EXPECT_NE(msg.find("implementation does not apply"), std::string::npos) << msg;
  msg = error_of([&] {
    config::resolve_node(json{{"LayerName", {{"softmax", {{"table_size", 100}}}}}}, g, id_of(g, "softmax"), "c.yaml");
  });
  EXPECT_NE(msg.find("LayerName.softmax.table_size: table_size 100 is not a power of two"), std::string::npos) << msg;
  msg = error_of([&] {
    config::resolve_node(json{{"LayerName", {{"fc1", json::object()}, {"/fc1/Gemm", json::object()}}}}, g, id_of(g, "fc1"));
  });
  EXPECT_NE(msg.find("named twice"), std::string::npos) << msg;
  msg = error_of([&] {
    config::resolve_node(json{{"LayerType", {{"Relu", json::object()}, {"ReLU", json::object()}}}}, g, id_of(g, "relu1"));
  });
  EXPECT_NE(msg.find("equally specifically"), std::string::npos) << msg;
  msg = error_of([&] {
    config::resolve_input(json{{"LayerName", {{"input", {{"ReuseFactor", 2}}}}}}, g, g.inputs[0]);
  });
  EXPECT_NE(msg.find("does not apply to graph input"), std::string::npos) << msg;
}

TEST(ConfigResolve, EffectiveRules) {
  Graph g = mlp();
  const json empty = json::object();
  // Layout ops keep their input type unless named.
  auto qd = config::quant_domain(g);
  EXPECT_EQ(config::effective_node_settings(empty, g, id_of(g, "flat"), qd).precision.at("result").value, "auto");
  json named = {{"LayerType", {{"Flatten", {{"Precision", "ap_fixed<8,4>"}}}}}};
  EXPECT_EQ(config::effective_node_settings(named, g, id_of(g, "flat"), qd).precision.at("result").value, "ap_fixed<8,4>");
  // A QONNX-typed input and weights: kept; the Dense reading only typed values is in the
  // quantized domain, so its accum and result are inferred.
  g.value(g.inputs[0].value).type = FixedType::parse("ap_fixed<8,4,AP_RND_CONV,AP_SAT>");
  g.value(g.node(0).inputs[1]).type = FixedType::parse("ap_fixed<4,2,AP_RND_CONV,AP_SAT_SYM>");
  g.value(g.node(0).inputs[2]).type = FixedType::parse("ap_fixed<16,8>");
  qd = config::quant_domain(g);
  auto fc1 = config::effective_node_settings(empty, g, id_of(g, "fc1"), qd);
  EXPECT_TRUE(fc1.precision.at("weight").kept);
  EXPECT_EQ(fc1.precision.at("weight").value, "ap_fixed<4,2,AP_RND_CONV,AP_SAT_SYM>");
  EXPECT_EQ(fc1.precision.at("accum").value, "auto");
  EXPECT_EQ(fc1.precision.at("result").value, "auto");
  // An explicit Model precision is still a Model-level default: auto in the quantized domain.
  json model = {{"Model", {{"Precision", "ap_fixed<10,5>"}}}};
  EXPECT_EQ(config::effective_node_settings(model, g, id_of(g, "fc1"), qd).precision.at("accum").value, "auto");
  // LayerType does not override the QONNX weight type; LayerName does.
  json by_type = {{"LayerType", {{"Dense", {{"Precision", {{"weight", "ap_fixed<6,1>"}}}}}}}};
  EXPECT_TRUE(config::effective_node_settings(by_type, g, id_of(g, "fc1"), qd).precision.at("weight").kept);
  json by_name = {{"LayerName", {{"fc1", {{"Precision", {{"weight", "ap_fixed<6,1>"}}}}}}}};
  auto s = config::effective_node_settings(by_name, g, id_of(g, "fc1"), qd);
  EXPECT_FALSE(s.precision.at("weight").kept);
  EXPECT_EQ(s.precision.at("weight").value, "ap_fixed<6,1>");
  auto in = config::effective_input_settings(empty, g, g.inputs[0]);
  EXPECT_TRUE(in.precision.at("result").kept);
}
