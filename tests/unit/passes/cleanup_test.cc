#include "test_util.h"

using namespace tachyon;
using namespace tachyon::ir;
using namespace tachyon::testing;

TEST(Cleanup, RemovesNoopsDeadNodesAndUnusedConstants) {
  Graph g;
  ValueId x = g.add_value("x", {4});
  ValueId a = g.add_value("a", {4});
  ValueId b = g.add_value("b", {4});
  ValueId mask = g.add_value("mask", {4});
  ValueId dead = g.add_value("dead", {4});
  ValueId dead2 = g.add_value("dead2", {4});
  ValueId y = g.add_value("y", {4});
  g.add_constant("unused_weight", Tensor::zeros({4, 4}));
  g.add_node(Op::Identity, "id", {x}, {a});
  g.add_node(Op::Dropout, "drop", {a}, {b, mask});
  g.add_node(Op::Sigmoid, "unused_branch", {b}, {dead});
  g.add_node(Op::Tanh, "unused_branch2", {dead}, {dead2});
  g.add_node(Op::Relu, "relu", {b}, {y});
  g.inputs.push_back({x, "x", {4}, {}});
  g.outputs.push_back({y, "y", {4}, {}});
  ASSERT_EQ(g.num_live_nodes(), 5u);
  run_passes(g, {"cleanup"});
  ASSERT_EQ(g.num_live_nodes(), 1u);
  const Node& r = node(g, "relu");
  EXPECT_EQ(g.value(r.inputs[0]).name, "x");
  EXPECT_EQ(g.value(g.outputs[0].value).name, "y");
  EXPECT_FALSE(g.find_value("unused_weight").has_value());
  EXPECT_FALSE(g.find_value("dead").has_value());
  EXPECT_EQ(g.num_values(), 2u);
  passes::PassContext ctx;
  EXPECT_FALSE(passes::cleanup(g, ctx));  // nothing left to do
}

TEST(Cleanup, IdentityToGraphOutputAndTypedIdentity) {
  Graph g;
  ValueId x = g.add_value("x", {3});
  ValueId h = g.add_value("h", {3});
  ValueId y = g.add_value("output", {3});
  ValueId z = g.add_value("z", {3}, FixedType::parse("ap_fixed<8,3>"));
  g.add_node(Op::Relu, "relu", {x}, {h});
  g.add_node(Op::Identity, "out", {h}, {y});
  g.add_node(Op::Identity, "conv", {h}, {z});  // a typed identity converts
  g.inputs.push_back({x, "x", {3}, {}});
  g.outputs.push_back({y, "output", {3}, {}});
  g.outputs.push_back({z, "z", {3}, {}});
  run_passes(g, {"cleanup"});
  EXPECT_EQ(count_ops(g, Op::Identity), 0);
  EXPECT_EQ(count_ops(g, Op::Cast), 1);
  EXPECT_EQ(g.outputs[0].name, "output");
  EXPECT_EQ(g.value(g.outputs[0].value).name, "h");
  EXPECT_EQ(g.type_of(g.outputs[1].value).str(), "ap_fixed<8,3>");
}

TEST(Cleanup, UsedDropoutMaskIsAnError) {
  Graph g;
  ValueId x = g.add_value("x", {3});
  ValueId y = g.add_value("y", {3});
  ValueId m = g.add_value("m", {3});
  g.add_node(Op::Dropout, "drop", {x}, {y, m});
  g.inputs.push_back({x, "x", {3}, {}});
  g.outputs.push_back({m, "m", {3}, {}});
  EXPECT_NE(error_of([&] { run_passes(g, {"cleanup"}); }).find("the dropout mask"), std::string::npos);
}
