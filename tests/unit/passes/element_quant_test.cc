// absorb_element_quant and the typing of ElementQuant through the whole pipeline.
#include <cmath>

#include "tachyon/fixed/fixed.h"
#include "tachyon/ir/element_quant.h"
#include "test_util.h"

using namespace tachyon;
using namespace tachyon::ir;
using namespace tachyon::testing;

namespace {

// Adds y = ElementQuant(x) with per-last-axis (or scalar) constants; returns the node.
NodeId add_eq(Graph& g, const std::string& name, ValueId x, ValueId y, const std::vector<double>& k,
              const std::vector<double>& b, const std::vector<double>& i, const std::string& rounding = "AP_RND",
              const std::string& overflow = "AP_SAT") {
  auto t = [](const std::vector<double>& v) { return v.size() == 1 ? Tensor::scalar(v[0]) : Tensor({static_cast<int64_t>(v.size())}, v); };
  NodeId n = g.add_node(Op::ElementQuant, name,
                        {x, g.add_constant(name + "_k", t(k)), g.add_constant(name + "_b", t(b)), g.add_constant(name + "_i", t(i))},
                        {y});
  g.node(n).attrs.set("rounding", rounding);
  g.node(n).attrs.set("overflow", overflow);
  g.node(n).source_op = "FixedPointQuantizer";
  return n;
}

// x[4] -> q_in (per element) -> Dense(w quantized per element by q_w) -> q_out -> y
struct Hgq {
  Graph g;
  ValueId x, w;
};
Hgq hgq_mlp(const std::vector<double>& out_bits) {
  Hgq m;
  Graph& g = m.g;
  g.name = "hgq";
  m.x = g.add_value("x", {4});
  g.inputs.push_back({m.x, "x", {4}, {}});
  ValueId xq = g.add_value("xq", {4});
  add_eq(g, "q_in", m.x, xq, {1, 0, 1, 1}, {6, 4, 0, 3}, {3, 1, 2, -1});
  m.w = g.add_constant("w", Tensor({4, 3}, random_values(12, -2, 2, 5)));
  ValueId wq = g.add_value("wq", {});
  add_eq(g, "q_w", m.w, wq, {1, 1, 0}, {4, 0, 3}, {1, 0, 2}, "AP_RND", "AP_WRAP");
  ValueId h = g.add_value("h", {});
  g.add_node(Op::Dense, "fc", {xq, wq}, {h});
  ValueId y = g.add_value("y", {});
  add_eq(g, "q_out", h, y, {1}, out_bits, {3});
  g.outputs.push_back({y, "y", {3}, {}});
  return m;
}

}  // namespace

TEST(AbsorbElementQuant, FoldsWeightsKeepsHeterogeneousActivationsAndTypesTheInput) {
  Hgq m = hgq_mlp({5, 6, 7});
  run_passes(m.g, {"shape_inference", "absorb_element_quant", "cleanup"});
  Graph& g = m.g;
  // The weight quantizer is folded: per output column types <4,1> signed, pruned, <3,2> unsigned.
  const Node& fc = node(g, "fc");
  const Tensor& w = g.constant(fc.inputs[1]);
  const Hgq orig = hgq_mlp({5, 6, 7});
  const Tensor& w0 = orig.g.constant(orig.w);
  for (int64_t i = 0; i < 4; ++i) {
    const size_t a = static_cast<size_t>(i * 3);
    // ap_fixed<4,1,AP_RND,AP_WRAP>: code floor(v*8 + 1/2) mod 16, read as signed.
    double s = std::floor(w0.data[a] * 8 + 0.5);
    s -= 16 * std::floor(s / 16);
    EXPECT_EQ(w.data[a], (s >= 8 ? s - 16 : s) / 8);
    EXPECT_EQ(w.data[a + 1], 0.0);
    // ap_ufixed<3,2,AP_RND,AP_WRAP>: code floor(v*2 + 1/2) mod 8.
    double c = std::floor(w0.data[a + 2] * 2 + 0.5);
    c -= 8 * std::floor(c / 8);
    EXPECT_EQ(w.data[a + 2], c / 2);
  }
  ASSERT_TRUE(g.value(fc.inputs[1]).type.has_value());
  for (double v : w.data) EXPECT_EQ(Fixed::from_double(v, *g.value(fc.inputs[1]).type).to_double(), v);
  // The input quantizer stays, typed with its container; the input gets the container's range on
  // a grid one bit finer (AP_RND), truncating, with the quantizer's overflow mode.
  const Node& qin = node(g, "q_in");
  EXPECT_EQ(qin.op, Op::ElementQuant);
  EXPECT_EQ(g.value(qin.outputs[0]).type, FixedType::parse("ap_fixed<7,3>"));
  EXPECT_EQ(g.value(m.x).type, FixedType::parse("ap_fixed<8,3,AP_TRN,AP_SAT>"));
  // The output quantizer differs per element: kept.
  EXPECT_EQ(node(g, "q_out").op, Op::ElementQuant);
  EXPECT_EQ(count_ops(g, Op::ElementQuant), 2);
}

TEST(AbsorbElementQuant, UniformTypesBecomeOrdinaryConversions) {
  // Same type everywhere: the Dense's result type, no per-element code.
  Hgq m = hgq_mlp({6});
  run_passes(m.g, {"shape_inference", "absorb_element_quant", "cleanup"});
  EXPECT_EQ(count_ops(m.g, Op::ElementQuant), 1);  // q_in only
  EXPECT_EQ(m.g.value(node(m.g, "fc").outputs[0]).type, FixedType::parse("ap_fixed<6,3,AP_RND,AP_SAT>"));
  // On an untyped graph input: the input's type. With a second reader: a Cast.
  Graph g;
  ValueId x = g.add_value("x", {3});
  g.inputs.push_back({x, "x", {3}, {}});
  ValueId a = g.add_value("a", {3}), b = g.add_value("b", {3}), c = g.add_value("c", {3});
  add_eq(g, "qa", x, a, {0}, {5, 5, 5}, {2, 2, 2}, "AP_TRN", "AP_WRAP");
  g.add_node(Op::Relu, "r", {a}, {b});
  add_eq(g, "qb", b, c, {1, 1, 1}, {4}, {2});
  g.add_node(Op::Relu, "r2", {b}, {g.add_value("d", {3})});
  g.outputs.push_back({c, "c", {3}, {}});
  g.outputs.push_back({g.node(static_cast<NodeId>(g.num_nodes_total() - 1)).outputs[0], "d", {3}, {}});
  run_passes(g, {"absorb_element_quant", "cleanup"});
  EXPECT_EQ(g.value(g.inputs[0].value).type, FixedType::parse("ap_ufixed<5,2>"));
  EXPECT_EQ(node(g, "qb").op, Op::Cast);
  EXPECT_EQ(g.value(node(g, "qb").outputs[0]).type, FixedType::parse("ap_fixed<4,2,AP_RND,AP_SAT>"));
  EXPECT_EQ(count_ops(g, Op::ElementQuant), 0);
  // A pruned element keeps the node even if the others agree; AP_TRN needs no finer input grid.
  Graph h;
  ValueId hx = h.add_value("x", {2});
  h.inputs.push_back({hx, "x", {2}, {}});
  ValueId hy = h.add_value("y", {2});
  add_eq(h, "q", hx, hy, {1}, {4, 0}, {2}, "AP_TRN", "AP_WRAP");
  h.outputs.push_back({hy, "y", {2}, {}});
  run_passes(h, {"absorb_element_quant"});
  EXPECT_EQ(count_ops(h, Op::ElementQuant), 1);
  EXPECT_EQ(h.value(hx).type, FixedType::parse("ap_fixed<4,2>"));
}

TEST(AbsorbElementQuant, PipelineTypesTheQuantizedDomainExactly) {
  Hgq m = hgq_mlp({5, 6, 7});
  passes::PassContext ctx;
  // Configuring the quantizers' precision changes nothing: their result is the container.
  ctx.config = nlohmann::json::parse(R"({"Model": {"Precision": "ap_fixed<16,6>", "ReuseFactor": 1},
                                         "LayerType": {"FixedPointQuantizer": {"Precision": "ap_fixed<4,2>"}},
                                         "LayerName": {"q_out": {"Precision": "ap_fixed<8,1>"}}})");
  run_all(m.g, ctx);
  const Graph& g = m.g;
  EXPECT_EQ(g.value(node(g, "q_out").outputs[0]).type, element_quant_container(g, node(g, "q_out")));
  EXPECT_EQ(g.value(node(g, "q_in").outputs[0]).type, FixedType::parse("ap_fixed<7,3>"));
  // The Dense reads quantized values and weights: its accumulator and result are inferred
  // exactly (not the Model's ap_fixed<16,6>): fraction bits 4 (x) + 3 (w).
  const Node& fc = node(g, "fc");
  EXPECT_EQ(fc.config.types.at("accum").frac_bits(), 7);
  EXPECT_EQ(g.value(fc.outputs[0]).type, fc.config.types.at("accum"));
  std::string s = print_graph(g);
  EXPECT_NE(s.find("q_out = ElementQuant"), std::string::npos) << s;
}

TEST(AbsorbElementQuant, ErrorsNameTheNode) {
  Graph g;
  g.source_file = "m.h5";
  ValueId x = g.add_value("x", {3});
  g.inputs.push_back({x, "x", {3}, {}});
  ValueId y = g.add_value("y", {3});
  add_eq(g, "qq", x, y, {1}, {4, 99, 3}, {2});
  g.outputs.push_back({y, "y", {3}, {}});
  passes::PassContext ctx;
  std::string e = error_of([&] { passes::find_pass("absorb_element_quant")->run(g, ctx); });
  EXPECT_NE(e.find("m.h5: node 'qq' (ElementQuant): error: the bits constant 'qq_b' holds 99"), std::string::npos) << e;
}
