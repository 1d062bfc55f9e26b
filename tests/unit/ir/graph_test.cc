#include <gtest/gtest.h>

#include "tachyon/ir/graph.h"
#include "tachyon/ir/printer.h"
#include "tachyon/ir/verifier.h"
#include "tachyon/support/error.h"

using namespace tachyon;
using namespace tachyon::ir;

namespace {
// x[4] -> Dense(4x3) -> Relu -> out
Graph small_mlp() {
  Graph g;
  g.name = "small";
  ValueId x = g.add_value("x", {4});
  ValueId w = g.add_constant("w", Tensor::zeros({4, 3}));
  ValueId b = g.add_constant("b", Tensor::zeros({3}));
  ValueId h = g.add_value("h", {3});
  ValueId y = g.add_value("y", {3});
  g.add_node(Op::Dense, "fc1", {x, w, b}, {h});
  g.add_node(Op::Relu, "relu1", {h}, {y});
  g.inputs.push_back({x, "x", {4}, {}});
  g.outputs.push_back({y, "y", {3}, {}});
  return g;
}
}  // namespace

TEST(Op, TableIsConsistent) {
  EXPECT_EQ(op_name(Op::Dense), "Dense");
  EXPECT_EQ(op_from_name("Softmax"), Op::Softmax);
  EXPECT_FALSE(op_from_name("NoSuchOp").has_value());
  EXPECT_TRUE(has_trait(Op::Relu, kActivation));
  EXPECT_TRUE(has_trait(Op::Gemm, kFrontendOnly));
  for (int i = 0; i < kNumOps; ++i) EXPECT_EQ(op_from_name(op_name(static_cast<Op>(i))), static_cast<Op>(i));
}

TEST(Graph, BuildVerifyPrint) {
  Graph g = small_mlp();
  EXPECT_NO_THROW(verify(g));
  EXPECT_EQ(num_multiplications(g, 0), 12);
  std::string s = print_graph(g);
  EXPECT_NE(s.find("fc1 = Dense(x[4]) -> h[3]"), std::string::npos) << s;
  EXPECT_NE(s.find("12 multiplications"), std::string::npos) << s;
  // Untyped values fail the typed level.
  EXPECT_THROW(verify(g, VerifyLevel::Typed), Error);
}

TEST(Graph, SortReordersAndDetectsCycles) {
  Graph g;
  ValueId x = g.add_value("x", {2});
  ValueId a = g.add_value("a", {2});
  ValueId b = g.add_value("b", {2});
  g.add_node(Op::Relu, "second", {a}, {b});  // consumer first
  g.add_node(Op::Relu, "first", {x}, {a});
  g.inputs.push_back({x, "x", {2}, {}});
  g.outputs.push_back({b, "b", {2}, {}});
  EXPECT_THROW(verify(g), Error);  // used before produced
  g.sort();
  EXPECT_EQ(g.node(0).name, "first");
  EXPECT_NO_THROW(verify(g));

  Graph c;
  ValueId p = c.add_value("p", {1});
  ValueId q = c.add_value("q", {1});
  c.add_node(Op::Relu, "n1", {q}, {p});
  c.add_node(Op::Relu, "n2", {p}, {q});
  try {
    c.sort();
    FAIL() << "cycle not detected";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cycle"), std::string::npos);
  }
}

TEST(Graph, ReplaceUsesAndCompact) {
  Graph g = small_mlp();
  // Bypass relu: output reads h directly.
  g.replace_uses(g.node(1).outputs[0], g.node(0).outputs[0]);
  g.remove_node(1);
  g.compact();
  EXPECT_EQ(g.num_live_nodes(), 1u);
  EXPECT_EQ(g.value(g.outputs[0].value).name, "h");
  EXPECT_FALSE(g.find_value("y").has_value());
  EXPECT_NO_THROW(verify(g));
}

TEST(Tensor, Transpose) {
  Tensor t({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor u = t.transposed({1, 0});
  EXPECT_EQ(u.shape, (Shape{3, 2}));
  EXPECT_EQ(u.data, (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_THROW(Tensor({2, 2}, {1, 2, 3}), Error);
}

TEST(Names, Sanitize) {
  EXPECT_EQ(sanitize_identifier("/0/Gemm"), "layer0_Gemm");
  EXPECT_EQ(sanitize_identifier("fc1"), "fc1");
  EXPECT_EQ(sanitize_identifier("///"), "layer");
  EXPECT_EQ(sanitize_identifier("/fc.1/MatMul"), "fc_1_MatMul");
}
