// Templates: contents per granularity and resolution of a template = resolution of defaults.
#include <gtest/gtest.h>

#include "tachyon/config/config.h"
#include "tachyon/config/resolve.h"

using namespace tachyon;
using namespace tachyon::ir;
using nlohmann::json;

namespace {

// x[8,3] -> conv (k3, 3->4) -> relu -> pool MaxPool(2) -> flatten -> fc Dense(12x2) -> sigmoid
Graph cnn() {
  Graph g;
  g.name = "cnn";
  ValueId x = g.add_value("x", {8, 3});
  ValueId w = g.add_constant("w", Tensor::zeros({3, 3, 4}));
  ValueId b = g.add_constant("b", Tensor::zeros({4}));
  ValueId c = g.add_value("c", {6, 4});
  ValueId r = g.add_value("r", {6, 4});
  ValueId p = g.add_value("p", {3, 4});
  ValueId f = g.add_value("f", {12});
  ValueId w2 = g.add_constant("w2", Tensor::zeros({12, 2}));
  ValueId d = g.add_value("d", {2});
  ValueId y = g.add_value("y", {2});
  g.add_node(Op::Conv, "conv", {x, w, b}, {c});
  g.add_node(Op::Relu, "relu", {c}, {r});
  NodeId pool = g.add_node(Op::MaxPool, "pool", {r}, {p});
  g.node(pool).attrs.set("kernel_shape", std::vector<int64_t>{2});
  g.node(pool).attrs.set("strides", std::vector<int64_t>{2});
  g.add_node(Op::Reshape, "flatten", {p}, {f});
  g.add_node(Op::Dense, "fc", {f, w2}, {d});
  g.add_node(Op::Sigmoid, "sig", {d}, {y});
  g.inputs.push_back({x, "x", {3, 8}, {1, 0}});
  g.outputs.push_back({y, "y", {2}, {}});
  return g;
}

// Every effective setting of every layer, as text, for comparisons.
std::string settings_dump(const json& cfg, const Graph& g) {
  std::string s;
  auto qd = config::quant_domain(g);
  for (const IoPort& p : g.inputs) s += p.name + " " + config::effective_input_settings(cfg, g, p).precision.at("result").value + "\n";
  for (NodeId id : g.node_ids()) {
    auto st = config::effective_node_settings(cfg, g, id, qd);
    s += g.node(id).name;
    for (const auto& [slot, v] : st.precision) s += " " + slot + "=" + v.value;
    s += " R" + std::to_string(st.reuse_factor) + " " + to_string(st.strategy) + " T" + std::to_string(st.table_size) + " " +
         st.softmax_impl + "\n";
  }
  return s;
}

}  // namespace

TEST(ConfigTemplate, ModelGranularity) {
  Graph g = cnn();
  json t = config::make_template(g, config::Granularity::Model);
  EXPECT_EQ(t["Model"]["Precision"]["default"], "ap_fixed<16,6>");
  EXPECT_EQ(t["Model"]["Precision"]["table"], "ap_fixed<18,8>");  // the model has a Sigmoid
  EXPECT_FALSE(t["Model"]["Precision"].contains("exp_table"));     // ... but no Softmax
  EXPECT_EQ(t["Model"]["ReuseFactor"], 1);
  EXPECT_EQ(t["Model"]["Strategy"], "Latency");
  EXPECT_EQ(t["Model"]["IOType"], "io_parallel");
  EXPECT_FALSE(t.contains("LayerName"));
  EXPECT_NO_THROW(config::check(t));
}

TEST(ConfigTemplate, TypeGranularity) {
  Graph g = cnn();
  json t = config::make_template(g, config::Granularity::Type);
  ASSERT_TRUE(t.contains("LayerType"));
  const json& lt = t["LayerType"];
  EXPECT_EQ(lt["Conv1D"]["Precision"]["accum"], "ap_fixed<16,6>");
  EXPECT_EQ(lt["Conv1D"]["ReuseFactor"], 1);
  EXPECT_EQ(lt["MaxPooling1D"]["Precision"]["result"], "auto");  // keeps its input type
  EXPECT_EQ(lt["Reshape"]["Precision"]["result"], "auto");
  EXPECT_EQ(lt["Sigmoid"]["table_size"], 1024);
  EXPECT_EQ(lt["Sigmoid"]["Precision"]["table"], "ap_fixed<18,8>");
  EXPECT_FALSE(lt["Dense"]["Precision"].contains("bias"));  // fc has no bias input
  EXPECT_NO_THROW(config::check(t));
  EXPECT_EQ(settings_dump(t, g), settings_dump(json::object(), g));
}

TEST(ConfigTemplate, NameGranularityRoundTrips) {
  Graph g = cnn();
  json t = config::make_template(g, config::Granularity::Name);
  const json& ln = t["LayerName"];
  EXPECT_EQ(ln["x"]["Precision"]["result"], "ap_fixed<16,6>");
  EXPECT_EQ(ln["conv"]["Precision"]["weight"], "ap_fixed<16,6>");
  EXPECT_EQ(ln["pool"]["Precision"]["result"], "auto");
  EXPECT_EQ(ln["sig"]["table_size"], 1024);
  EXPECT_NO_THROW(config::check(t));
  EXPECT_NO_THROW(config::check_names(t, g));
  EXPECT_EQ(settings_dump(t, g), settings_dump(json::object(), g));
  // Through YAML text too.
  json back = config::parse(config::to_yaml(t), "template.yaml", false);
  EXPECT_EQ(back, t);
}

TEST(ConfigTemplate, QonnxTypesAreSpelledOut) {
  Graph g = cnn();
  g.value(g.inputs[0].value).type = FixedType::parse("ap_fixed<8,4,AP_RND_CONV,AP_SAT>");
  g.value(g.node(0).inputs[1]).type = FixedType::parse("ap_fixed<4,2,AP_RND_CONV,AP_SAT_SYM>");
  g.value(g.node(0).inputs[2]).type = FixedType::parse("ap_fixed<8,4>");
  g.value(g.node(1).outputs[0]).type = FixedType::parse("ap_ufixed<6,3,AP_RND_CONV,AP_SAT>");
  json t = config::make_template(g, config::Granularity::Name);
  const json& ln = t["LayerName"];
  EXPECT_EQ(ln["x"]["Precision"]["result"], "ap_fixed<8,4,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(ln["conv"]["Precision"]["weight"], "ap_fixed<4,2,AP_RND_CONV,AP_SAT_SYM>");
  EXPECT_EQ(ln["conv"]["Precision"]["accum"], "auto");
  EXPECT_EQ(ln["conv"]["Precision"]["result"], "auto");
  EXPECT_EQ(ln["relu"]["Precision"]["result"], "ap_ufixed<6,3,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(ln["pool"]["Precision"]["result"], "auto");
  EXPECT_EQ(ln["fc"]["Precision"]["weight"], "ap_fixed<16,6>");  // float weights: not quantized domain
  EXPECT_EQ(settings_dump(t, g), settings_dump(json::object(), g));
}
