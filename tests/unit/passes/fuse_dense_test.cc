#include "test_util.h"

using namespace tachyon;
using namespace tachyon::ir;
using namespace tachyon::testing;

namespace {

Tensor random_tensor(Shape s, uint32_t seed) {
  auto n = static_cast<size_t>(num_elements(s));
  return Tensor(std::move(s), random_values(n, -1, 1, seed));
}

// The Dense node's function in double, from its constants.
std::vector<double> eval_dense(const Graph& g, const Node& d, const std::vector<double>& x) {
  const Tensor& w = g.constant(d.inputs[1]);
  const Tensor* b = d.inputs.size() > 2 ? &g.constant(d.inputs[2]) : nullptr;
  return dense_ref(x, w, b);
}

}  // namespace

TEST(FuseDense, GemmFoldsAlphaBetaAndTransB) {
  Graph g;
  ValueId x = g.add_value("x", {3});
  const Tensor bt = random_tensor({3, 2}, 1);  // (in, out)
  const Tensor c = random_tensor({2}, 2);
  ValueId b = g.add_constant("B", bt.transposed({1, 0}));  // stored (out, in) with transB=1
  ValueId cv = g.add_constant("C", c);
  ValueId y = g.add_value("y", {2});
  NodeId n = g.add_node(Op::Gemm, "gemm", {x, b, cv}, {y});
  g.node(n).attrs.set("alpha", 2.0);
  g.node(n).attrs.set("beta", 0.5);
  g.node(n).attrs.set("transB", int64_t{1});
  g.inputs.push_back({x, "x", {3}, {}});
  g.outputs.push_back({y, "y", {2}, {}});
  run_passes(g, {"fuse_dense", "cleanup"});
  ASSERT_EQ(op_sequence(g), std::vector<Op>{Op::Dense});
  const Node& d = node(g, "gemm");
  EXPECT_TRUE(d.attrs.map().empty());
  EXPECT_EQ(g.value(d.inputs[1]).shape, (Shape{3, 2}));
  const std::vector<double> xin{0.25, -1.5, 3.0};
  std::vector<double> want(2);
  for (size_t j = 0; j < 2; ++j) {
    want[j] = 0.5 * c.data[j];
    for (size_t i = 0; i < 3; ++i) want[j] += 2.0 * xin[i] * bt.data[i * 2 + j];
  }
  auto got = eval_dense(g, d, xin);
  for (size_t j = 0; j < 2; ++j) EXPECT_NEAR(got[j], want[j], 1e-12);
}

TEST(FuseDense, MatMulPlusConstantAddBecomesDenseWithBias) {
  Graph g;
  ValueId x = g.add_value("x", {4});
  ValueId w = g.add_constant("W", random_tensor({4, 3}, 3), FixedType::parse("ap_fixed<4,2>"));
  ValueId mm = g.add_value("mm0", {3});
  ValueId bias = g.add_constant("B", random_tensor({3}, 4), FixedType::parse("ap_fixed<16,8>"));
  ValueId s = g.add_value("add0", {3});
  ValueId r = g.add_value("relu0", {3});
  g.add_node(Op::MatMul, "mm0", {x, w}, {mm});
  g.add_node(Op::Add, "add0", {bias, mm}, {s});  // constant first
  g.add_node(Op::Relu, "relu0", {s}, {r});
  g.inputs.push_back({x, "x", {4}, {}});
  g.outputs.push_back({r, "y", {3}, {}});
  run_passes(g, {"fuse_dense", "cleanup"});
  ASSERT_EQ(op_sequence(g), (std::vector<Op>{Op::Dense, Op::Relu}));
  const Node& d = node(g, "mm0");
  ASSERT_EQ(d.inputs.size(), 3u);
  EXPECT_EQ(g.value(d.inputs[2]).name, "B");
  EXPECT_EQ(g.type_of(d.inputs[2]).str(), "ap_fixed<16,8>");  // QONNX types travel along
  EXPECT_EQ(g.type_of(d.inputs[1]).str(), "ap_fixed<4,2>");
  EXPECT_EQ(g.value(d.outputs[0]).name, "add0");
  EXPECT_FALSE(g.find_node("add0").has_value());
}

TEST(FuseDense, LoneMatMulAndNotFusableAdds) {
  Graph g;
  ValueId x = g.add_value("x", {4});
  ValueId w = g.add_constant("W", random_tensor({4, 3}, 5));
  ValueId mm = g.add_value("mm", {3});
  ValueId s = g.add_value("s", {3});
  ValueId t = g.add_value("t", {3});
  g.add_node(Op::MatMul, "mm", {x, w}, {mm});
  g.add_node(Op::Add, "add", {mm, g.add_constant("k", Tensor::scalar(1.0))}, {s});
  g.add_node(Op::Relu, "other_user", {mm}, {t});  // mm has two users: the Add stays
  g.inputs.push_back({x, "x", {4}, {}});
  g.outputs.push_back({s, "s", {3}, {}});
  g.outputs.push_back({t, "t", {3}, {}});
  run_passes(g, {"fuse_dense"});
  EXPECT_EQ(count_ops(g, Op::Dense), 1);
  EXPECT_EQ(count_ops(g, Op::Add), 1);
  EXPECT_EQ(node(g, "mm").inputs.size(), 2u);
}

TEST(FuseDense, QuantizedMatMulResultIsNotFusedWithTheAdd) {
  Graph g;
  ValueId x = g.add_value("x", {2});
  ValueId w = g.add_constant("W", random_tensor({2, 2}, 6));
  ValueId mm = g.add_value("mm", {2}, FixedType::parse("ap_fixed<8,4>"));  // absorbed quantizer
  ValueId s = g.add_value("s", {2});
  g.add_node(Op::MatMul, "mm", {x, w}, {mm});
  g.add_node(Op::Add, "add", {mm, g.add_constant("k", Tensor({2}, {1.0, 2.0}))}, {s});
  g.inputs.push_back({x, "x", {2}, {}});
  g.outputs.push_back({s, "s", {2}, {}});
  run_passes(g, {"fuse_dense"});
  EXPECT_EQ(op_sequence(g), (std::vector<Op>{Op::Dense, Op::Add}));
}

TEST(FuseDense, ScalarBiasBroadcastAndRank2Input) {
  Graph g;
  ValueId x = g.add_value("x", {5, 4});
  const Tensor wt = random_tensor({4, 3}, 7);
  ValueId w = g.add_constant("W", wt);
  ValueId mm = g.add_value("mm", {5, 3});
  ValueId s = g.add_value("s", {5, 3});
  g.add_node(Op::MatMul, "mm", {x, w}, {mm});
  g.add_node(Op::Add, "add", {mm, g.add_constant("k", Tensor::scalar(0.75))}, {s});
  g.inputs.push_back({x, "x", {5, 4}, {}});
  g.outputs.push_back({s, "s", {5, 3}, {}});
  run_passes(g, {"fuse_dense", "cleanup", "shape_inference"});
  ASSERT_EQ(op_sequence(g), std::vector<Op>{Op::Dense});
  const Node& d = node(g, "mm");
  EXPECT_EQ(g.constant(d.inputs[2]).data, (std::vector<double>{0.75, 0.75, 0.75}));
  auto xin = random_values(20, -2, 2, 8);
  auto got = eval_dense(g, d, xin);
  auto want = dense_ref(xin, wt, nullptr);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i] + 0.75, 1e-12);
}

TEST(FuseDense, Errors) {
  Graph g;
  g.source_file = "m.onnx";
  ValueId x = g.add_value("x", {2});
  ValueId x2 = g.add_value("x2", {2, 2});
  ValueId y = g.add_value("y", {2});
  NodeId n = g.add_node(Op::MatMul, "mm", {x, x2}, {y});
  g.node(n).source_name = "MatMul_3";
  g.node(n).source_op = "MatMul";
  g.inputs.push_back({x, "x", {2}, {}});
  g.inputs.push_back({x2, "x2", {2, 2}, {}});
  g.outputs.push_back({y, "y", {2}, {}});
  EXPECT_EQ(error_of([&] { run_passes(g, {"fuse_dense"}); }),
            "m.onnx: node 'MatMul_3' (MatMul): error: MatMul of two non-constant tensors is not supported (one operand must be a "
            "weight)");
}
