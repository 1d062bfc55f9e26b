// Op-level tests on models built in C++: each imported graph is evaluated and compared with an
// ONNX-semantics reference (channels-first), which checks layouts, auto_pad, depthwise and
// grouped weights, transposes, folding of shape sub-graphs and the quantizers.
#include <gtest/gtest.h>

#include <map>

#include "onnx_test_builder.h"
#include "tachyon/ir/verifier.h"
#include "tachyon/support/error.h"

using namespace tachyon;
using namespace tachyon::ir;
using test::ModelBuilder;
using test::random_tensor;

namespace {

int count(const Graph& g, Op op) {
  int n = 0;
  for (NodeId id : g.node_ids()) n += g.node(id).op == op;
  return n;
}

const Node& first(const Graph& g, Op op) {
  for (NodeId id : g.node_ids())
    if (g.node(id).op == op) return g.node(id);
  throw std::runtime_error("no such op");
}

constexpr double kTol = 1e-9;

}  // namespace

TEST(OnnxOps, Conv2dSameUpperStridedThenMaxPoolAndGemm) {
  ModelBuilder b;
  b.input("x", {-1, 3, 7, 7});
  auto& c = b.node("Conv", {"x", b.init_random("w", {4, 3, 3, 3}, 1), b.init_random("b", {4}, 2)}, {"c"});
  ModelBuilder::attr(c, "auto_pad", std::string("SAME_UPPER"));
  ModelBuilder::attr(c, "strides", std::vector<int64_t>{2, 2});
  b.node("Relu", {"c"}, {"r"});
  auto& mp = b.node("MaxPool", {"r"}, {"p"});
  ModelBuilder::attr(mp, "kernel_shape", std::vector<int64_t>{2, 2});
  ModelBuilder::attr(mp, "pads", std::vector<int64_t>{0, 0, 1, 1});
  b.node("Flatten", {"p"}, {"f"});
  auto& gm = b.node("Gemm", {"f", b.init_random("W", {5, 64}, 3), b.init_random("B", {5}, 4)}, {"y"});
  ModelBuilder::attr(gm, "transB", int64_t{1});
  ModelBuilder::attr_f(gm, "alpha", 0.5);
  b.output("y");
  Graph g = b.load();
  const Node& conv = first(g, Op::Conv);
  EXPECT_EQ(conv.attrs.get_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));  // SAME_UPPER: total 2
  EXPECT_EQ(g.value(conv.outputs[0]).shape, (Shape{4, 4, 4}));
  EXPECT_EQ(g.value(first(g, Op::MaxPool).outputs[0]).shape, (Shape{4, 4, 4}));
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, DepthwiseSameLowerAvgPoolGlobalPool) {
  ModelBuilder b;
  b.input("x", {-1, 4, 6, 6});
  auto& c = b.node("Conv", {"x", b.init_random("w", {8, 1, 2, 2}, 5), b.init_random("b", {8}, 6)}, {"c"});
  ModelBuilder::attr(c, "group", int64_t{4});
  ModelBuilder::attr(c, "auto_pad", std::string("SAME_LOWER"));
  auto& ap = b.node("AveragePool", {"c"}, {"a"});
  ModelBuilder::attr(ap, "kernel_shape", std::vector<int64_t>{3, 3});
  ModelBuilder::attr(ap, "strides", std::vector<int64_t>{2, 2});
  ModelBuilder::attr(ap, "pads", std::vector<int64_t>{1, 1, 1, 1});
  auto& ap2 = b.node("AveragePool", {"a"}, {"a2"});
  ModelBuilder::attr(ap2, "kernel_shape", std::vector<int64_t>{2, 2});
  ModelBuilder::attr(ap2, "pads", std::vector<int64_t>{1, 1, 0, 0});
  ModelBuilder::attr(ap2, "count_include_pad", int64_t{1});
  b.node("GlobalAveragePool", {"a2"}, {"gp"});
  b.node("Flatten", {"gp"}, {"f"});
  b.node("Gemm", {"f", b.init_random("W", {8, 3}, 7)}, {"y"});
  b.output("y");
  Graph g = b.load();
  const Node& conv = first(g, Op::Conv);
  EXPECT_EQ(conv.attrs.get_int("group", 0), 4);
  EXPECT_EQ(g.value(conv.inputs[1]).shape, (Shape{2, 2, 1, 8}));
  EXPECT_EQ(conv.attrs.get_ints("pads"), (std::vector<int64_t>{1, 1, 0, 0}));  // SAME_LOWER: extra at the start
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, Conv1dConcatPadTransposeReshapeMatMul) {
  ModelBuilder b;
  b.input("x", {-1, 2, 10});
  auto& c1 = b.node("Conv", {"x", b.init_random("w1", {3, 2, 3}, 8)}, {"c1"});
  ModelBuilder::attr(c1, "auto_pad", std::string("VALID"));
  b.node("Relu", {"c1"}, {"r1"});
  b.node("Conv", {"x", b.init_random("w2", {5, 2, 3}, 9), b.init_random("b2", {5}, 10)}, {"c2"});
  auto& cat = b.node("Concat", {"r1", "c2"}, {"cat"});
  ModelBuilder::attr(cat, "axis", int64_t{1});
  b.node("Pad", {"cat", b.init_ints("pads", {0, 0, 1, 0, 0, 2})}, {"pad"});
  auto& tr = b.node("Transpose", {"pad"}, {"t"});
  ModelBuilder::attr(tr, "perm", std::vector<int64_t>{0, 2, 1});
  b.node("Reshape", {"t", b.init_ints("shape", {0, -1})}, {"flat"});
  b.node("MatMul", {"flat", b.init_random("M", {88, 4}, 11)}, {"mm"});
  b.node("Add", {"mm", b.init_random("bias", {4}, 12)}, {"y"});
  b.output("y");
  Graph g = b.load();
  EXPECT_EQ(g.inputs[0].perm, (std::vector<int64_t>{1, 0}));
  const Node& cat_node = first(g, Op::Concat);
  EXPECT_EQ(cat_node.attrs.get_int("axis", -1), 1);  // channels are last inside
  EXPECT_EQ(first(g, Op::Pad).attrs.get_ints("pads"), (std::vector<int64_t>{1, 0, 2, 0}));
  // Transpose(0,2,1) turns the channels-last data into the ONNX order: no data movement.
  EXPECT_EQ(count(g, Op::Transpose), 0);
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, ExplicitChannelsLastTransposeBeforeFlatten) {
  ModelBuilder b;
  b.input("x", {-1, 2, 3, 4});
  b.node("Conv", {"x", b.init_random("w", {3, 2, 1, 1}, 13)}, {"c"});
  auto& tr = b.node("Transpose", {"c"}, {"t"});
  ModelBuilder::attr(tr, "perm", std::vector<int64_t>{0, 2, 3, 1});
  b.node("Flatten", {"t"}, {"f"});
  auto& gm = b.node("Gemm", {"f", b.init_random("W", {6, 36}, 14), b.init_random("B", {6}, 15)}, {"y"});
  ModelBuilder::attr(gm, "transB", int64_t{1});
  b.output("y");
  Graph g = b.load();
  EXPECT_EQ(count(g, Op::Transpose), 0);
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, ChannelAxisSoftmaxAndChannelsLastOutput) {
  ModelBuilder b;
  b.input("x", {-1, 2, 4, 3});
  b.node("Conv", {"x", b.init_random("w", {5, 2, 3, 3}, 16)}, {"c"});
  auto& sm = b.node("Softmax", {"c"}, {"y"});
  ModelBuilder::attr(sm, "axis", int64_t{1});
  b.output("y");
  auto& sm2 = b.node("Softmax", {"c"}, {"z"});
  ModelBuilder::attr(sm2, "axis", int64_t{-1});  // over W: needs the ONNX layout
  b.output("z");
  Graph g = b.load();
  ASSERT_EQ(g.outputs.size(), 2u);
  EXPECT_EQ(g.outputs[0].user_shape, (Shape{5, 2, 1}));
  EXPECT_EQ(g.outputs[0].perm, (std::vector<int64_t>{1, 2, 0}));
  EXPECT_TRUE(g.outputs[1].perm.empty());
  EXPECT_EQ(count(g, Op::Transpose), 1);
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), 1e-12);
}

TEST(OnnxOps, BatchNormAndReduceMeanKeepdims) {
  ModelBuilder b;
  b.input("x", {-1, 3, 5, 5});
  b.node("Conv", {"x", b.init_random("w", {4, 3, 3, 3}, 17)}, {"c"});
  Tensor var = random_tensor({4}, 18);
  for (double& v : var.data) v = v * v + 0.5;
  auto& bn = b.node("BatchNormalization", {"c", b.init_random("g", {4}, 19), b.init_random("be", {4}, 20),
                                           b.init_random("m", {4}, 21), b.init("v", var)},
                    {"bn"});
  ModelBuilder::attr_f(bn, "epsilon", 1e-3);
  auto& rm = b.node("ReduceMean", {"bn"}, {"rm"});
  ModelBuilder::attr(rm, "axes", std::vector<int64_t>{-1, 2});
  ModelBuilder::attr(rm, "keepdims", int64_t{1});
  b.node("Flatten", {"rm"}, {"f"});
  b.node("Gemm", {"f", b.init_random("W", {4, 2}, 22)}, {"y"});
  b.output("y");
  Graph g = b.load();
  const Node& bnn = first(g, Op::BatchNormInference);
  EXPECT_EQ(bnn.inputs.size(), 5u);
  EXPECT_NEAR(bnn.attrs.get_float("epsilon", 0), 1e-3, 1e-9);
  EXPECT_EQ(count(g, Op::GlobalAvgPool), 1);
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, ReduceMeanOpset18AxesInput) {
  ModelBuilder b(18);
  b.input("x", {-1, 2, 3, 3});
  b.node("Relu", {"x"}, {"r"});
  auto& rm = b.node("ReduceMean", {"r", b.init_ints("axes", {2, 3})}, {"rm"});
  ModelBuilder::attr(rm, "keepdims", int64_t{0});
  b.node("Gemm", {"rm", b.init_random("W", {2, 3}, 23)}, {"y"});
  b.output("y");
  Graph g = b.load();
  EXPECT_EQ(first(g, Op::GlobalAvgPool).op, Op::GlobalAvgPool);
  EXPECT_EQ(g.inputs[0].perm, (std::vector<int64_t>{1, 2, 0}));
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, ArithmeticWithConstants) {
  ModelBuilder b(13);
  b.input("x", {-1, 3, 2, 2});
  b.node("Conv", {"x", b.init_random("w", {3, 3, 1, 1}, 24)}, {"c"});
  b.node("Div", {"c", b.init("d", Tensor({}, {4.0}))}, {"q"});
  b.node("Mul", {b.init_random("chan", {3, 1, 1}, 25), "q"}, {"m"});  // constant first, per channel
  b.node("Sub", {b.init("one", Tensor({1}, {1.0})), "m"}, {"s"});
  b.node("Add", {"s", b.init_random("full", {1, 3, 2, 2}, 26)}, {"a"});
  b.node("PRelu", {"a", b.init_random("slope", {3, 1, 1}, 27)}, {"p"});
  b.node("Clip", {"p", b.init("lo", Tensor({}, {-0.3})), b.init("hi", Tensor({}, {0.4}))}, {"cl"});
  auto& hs = b.node("HardSigmoid", {"cl"}, {"h"});
  ModelBuilder::attr_f(hs, "alpha", 0.3);
  auto& lr = b.node("LeakyRelu", {"h"}, {"y"});
  ModelBuilder::attr_f(lr, "alpha", 0.2);
  b.output("y");
  Graph g = b.load();
  EXPECT_EQ(count(g, Op::Mul), 3);  // Div -> Mul, the channel scale, and -1 * x for 1 - m
  // The per-channel constant is a vector along the IR's last axis.
  bool found = false;
  for (NodeId id : g.node_ids()) {
    const Node& n = g.node(id);
    if (n.op == Op::Mul && g.value(n.inputs[1]).shape == Shape{3}) found = true;
  }
  EXPECT_TRUE(found);
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, OldOpsetAttributesClipPadSoftmax) {
  ModelBuilder b(9);
  b.input("x", {-1, 6});
  auto& cl = b.node("Clip", {"x"}, {"c"});
  ModelBuilder::attr_f(cl, "min", -0.5);
  ModelBuilder::attr_f(cl, "max", 0.25);
  auto& pd = b.node("Pad", {"c"}, {"p"});
  ModelBuilder::attr(pd, "pads", std::vector<int64_t>{0, 1, 0, 2});
  ModelBuilder::attr_f(pd, "value", 0.0);
  b.node("Softmax", {"p"}, {"y"});  // opset 9: axis defaults to 1
  b.output("y");
  Graph g = b.load();
  EXPECT_EQ(first(g, Op::Clip).attrs.get_float("max", 0), 0.25);
  EXPECT_EQ(g.value(first(g, Op::Pad).outputs[0]).shape, (Shape{9}));
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, ShapeSubgraphIsFolded) {
  ModelBuilder b(13);
  b.input("x", {-1, 2, 4, 4});
  b.node("Conv", {"x", b.init_random("w", {3, 2, 3, 3}, 28)}, {"c"});
  b.node("Shape", {"c"}, {"shape"});
  auto& ga = b.node("Gather", {"shape", b.constant("zero", Tensor({}, {0}))}, {"batch"});
  ModelBuilder::attr(ga, "axis", int64_t{0});
  b.node("Unsqueeze", {"batch", b.init_ints("ax0", {0})}, {"batch1"});
  auto& cat = b.node("Concat", {"batch1", b.constant("minus1", Tensor({1}, {-1}))}, {"target"});
  ModelBuilder::attr(cat, "axis", int64_t{0});
  b.node("Reshape", {"c", "target"}, {"flat"});
  b.node("Gemm", {"flat", b.init_random("W", {12, 2}, 29)}, {"y"});
  b.output("y");
  Graph g = b.load();
  EXPECT_EQ(g.num_live_nodes(), 3u);  // Conv, Reshape, Gemm
  EXPECT_EQ(g.value(first(g, Op::Gemm).inputs[0]).shape, (Shape{12}));
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, QdqPairsBecomeQuantNodes) {
  ModelBuilder b(13);
  b.input("x", {-1, 4});
  b.node("QuantizeLinear", {"x", b.init("s", Tensor({}, {0.125})), b.init("zp", Tensor({}, {3}), onnx::TensorProto::INT8)},
         {"xq"});
  b.node("DequantizeLinear", {"xq", "s", "zp"}, {"xd"});
  // Weights as int8 with a per-axis DequantizeLinear only: folded into a float constant.
  Tensor wi({3, 4}, {1, -2, 3, 4, -5, 6, 7, 8, 9, 10, -11, 12});
  auto& dqw = b.node("DequantizeLinear",
                     {b.init("wi", wi, onnx::TensorProto::INT8), b.init("ws", Tensor({3}, {0.5, 0.25, 2.0}))}, {"wd"});
  ModelBuilder::attr(dqw, "axis", int64_t{0});
  auto& gm = b.node("Gemm", {"xd", "wd"}, {"h"});
  ModelBuilder::attr(gm, "transB", int64_t{1});
  // A float weight with a Q -> DQ pair (uint8, no zero point).
  b.node("QuantizeLinear", {b.init_random("w2", {3, 2}, 30), b.init("s2", Tensor({}, {0.01}))}, {"w2q"});
  b.node("DequantizeLinear", {"w2q", "s2"}, {"w2d"});
  b.node("MatMul", {"h", "w2d"}, {"y"});
  b.output("y");
  Graph g = b.load();
  ASSERT_EQ(count(g, Op::Quant), 2);
  const Node& qx = g.node(*g.find_node("xd_node"));
  EXPECT_EQ(qx.op, Op::Quant);
  EXPECT_EQ(qx.attrs.get_int("signed", -1), 1);
  EXPECT_EQ(qx.attrs.get_int("narrow", -1), 0);
  EXPECT_EQ(qx.attrs.get_string("rounding_mode", ""), "ROUND");
  EXPECT_EQ(g.constant(qx.inputs[3]).data[0], 8);
  EXPECT_EQ(g.constant(qx.inputs[2]).data[0], 3);
  const Node& qw = g.node(*g.find_node("w2d_node"));
  EXPECT_EQ(qw.attrs.get_int("signed", -1), 0);
  EXPECT_TRUE(g.value(qw.inputs[0]).is_constant());
  const Node& gemm = first(g, Op::Gemm);
  const Tensor& w = g.constant(gemm.inputs[1]);
  EXPECT_EQ(w.shape, (Shape{4, 3}));
  EXPECT_EQ(w.at({1, 0}), -1.0);  // wi[0][1] * 0.5
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, QonnxConvWeightQuantIsTransposedWithItsScale) {
  ModelBuilder b(13);
  b.qonnx();
  b.input("x", {-1, 2, 5, 5});
  Tensor scale({3, 1, 1, 1}, {0.25, 0.125, 0.5});
  auto& qw = b.node("Quant", {b.init_random("w", {3, 2, 3, 3}, 31), b.init("sw", scale), b.init("z", Tensor({}, {0})),
                              b.init("bits", Tensor({}, {4}))},
                    {"wq"}, "quant_w");
  qw.set_domain("qonnx.custom_op.general");
  ModelBuilder::attr(qw, "narrow", int64_t{1});
  auto& qx = b.node("Quant", {"x", b.init("sx", Tensor({}, {0.0625})), "z", b.init("bx", Tensor({}, {6}))}, {"xq"}, "quant_x");
  qx.set_domain("qonnx.custom_op.general");
  ModelBuilder::attr(qx, "rounding_mode", std::string("floor"));
  b.node("Conv", {"xq", "wq"}, {"y"});
  b.output("y");
  Graph g = b.load();
  const Node& q = g.node(*g.find_node("quant_w"));
  EXPECT_EQ(g.value(q.inputs[0]).shape, (Shape{3, 3, 2, 3}));
  EXPECT_EQ(g.value(q.inputs[1]).shape, (Shape{1, 1, 1, 3}));
  EXPECT_EQ(g.constant(q.inputs[1]).data, (std::vector<double>{0.25, 0.125, 0.5}));
  EXPECT_EQ(g.node(*g.find_node("quant_x")).attrs.get_string("rounding_mode", ""), "FLOOR");
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, SqueezeUnsqueezeAndConv1dOnUnsqueezed) {
  ModelBuilder b(13);
  b.input("x", {-1, 3, 4, 4});
  b.node("GlobalAveragePool", {"x"}, {"gp"});
  b.node("Squeeze", {"gp", b.init_ints("axes", {2, 3})}, {"sq"});
  b.node("Unsqueeze", {"sq", b.init_ints("axes2", {-1})}, {"us"});
  b.node("Conv", {"us", b.init_random("w", {2, 3, 1}, 32)}, {"c"});
  b.node("Flatten", {"c"}, {"y"});
  b.output("y");
  Graph g = b.load();
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, TwoInputsStaticBatch) {
  ModelBuilder b(13);
  b.input("a", {1, 4});
  b.input("b", {1, 4});
  b.node("Mul", {"a", "b"}, {"m"});
  b.node("Add", {"m", "a"}, {"y"});
  b.node("Identity", {"y"}, {"out"});
  b.output("out");
  Graph g = b.load();
  ASSERT_EQ(g.inputs.size(), 2u);
  EXPECT_EQ(g.inputs[1].name, "b");
  EXPECT_EQ(count(g, Op::Identity), 1);
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, InputFeedingOnlyDenseLayersKeepsItsLayout) {
  ModelBuilder b(13);
  b.input("x", {-1, 3, 4});  // (sequence, features) processed per step by MatMul
  b.node("MatMul", {"x", b.init_random("w", {4, 2}, 33)}, {"y"});
  b.output("y");
  Graph g = b.load();
  EXPECT_TRUE(g.inputs[0].perm.empty());
  EXPECT_EQ(g.value(g.outputs[0].value).shape, (Shape{3, 2}));
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, DropoutAndCastPassThrough) {
  ModelBuilder b(13);
  b.input("x", {-1, 5});
  b.node("Dropout", {"x"}, {"d"});
  auto& c = b.node("Cast", {"d"}, {"y"});
  ModelBuilder::attr(c, "to", int64_t{onnx::TensorProto::FLOAT});
  b.output("y");
  Graph g = b.load();
  EXPECT_EQ(count(g, Op::Dropout), 1);
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, QuantizedWeightsThroughTransposeAndGemm) {
  ModelBuilder b(13);
  b.qonnx();
  b.input("x", {-1, 2, 2, 2});
  b.node("Conv", {"x", b.init_random("w", {2, 2, 1, 1}, 40)}, {"c"});
  b.node("Flatten", {"c"}, {"f"});
  auto quant = [&](const std::string& x, const std::string& s, const std::string& out, bool narrow) -> onnx::NodeProto& {
    auto& q = b.node("Quant", {x, s, "z", "bits"}, {out});
    q.set_domain("qonnx.custom_op.general");
    ModelBuilder::attr(q, "narrow", int64_t{narrow});
    return q;
  };
  b.init("z", Tensor({}, {0}));
  b.init("bits", Tensor({}, {5}));
  quant(b.init_random("W", {3, 8}, 41), b.init("sW", Tensor({3, 1}, {0.125, 0.25, 0.0625})), "Wq", true);
  auto& tr = b.node("Transpose", {"Wq"}, {"WqT"});
  ModelBuilder::attr(tr, "perm", std::vector<int64_t>{1, 0});
  b.node("MatMul", {"f", "WqT"}, {"h"});
  quant(b.init_random("W2", {2, 3}, 42), b.init("sW2", Tensor({2, 1}, {0.25, 0.5})), "W2q", false);
  quant(b.init_random("B2", {2}, 43), b.init("sB2", Tensor({}, {0.03125})), "B2q", false);
  auto& gm = b.node("Gemm", {"h", "W2q", "B2q"}, {"y"});
  ModelBuilder::attr(gm, "transB", int64_t{1});
  b.output("y");
  Graph g = b.load();
  EXPECT_EQ(count(g, Op::Quant), 3);
  const Node& mm = first(g, Op::MatMul);
  EXPECT_EQ(g.value(mm.inputs[1]).shape, (Shape{8, 3}));
  const Node& q2 = g.node(g.value(first(g, Op::Gemm).inputs[1]).producer);
  EXPECT_EQ(g.value(q2.inputs[0]).shape, (Shape{3, 2}));  // (in, out)
  EXPECT_EQ(g.value(q2.inputs[1]).shape, (Shape{1, 2}));  // per-output scale follows
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}

TEST(OnnxOps, BipolarQuantTruncAndQonnxDomainAliases) {
  ModelBuilder b(11);
  auto* o = b.m.add_opset_import();
  o->set_domain("finn.custom_op.general");
  o->set_version(1);
  b.input("x", {-1, 6});
  auto& bq = b.node("BipolarQuant", {"x", b.init("s", Tensor({}, {0.5}))}, {"b"});
  bq.set_domain("finn.custom_op.general");
  auto& tr1 = b.node("Trunc", {"b", "s", b.init("z", Tensor({}, {0})), b.init("ib", Tensor({}, {8})),
                               b.init("ob", Tensor({}, {4}))},
                     {"t1"});
  tr1.set_domain("finn.custom_op.general");
  auto& tr2 = b.node("Trunc", {"t1", "s", "z", "ib", b.init("os", Tensor({}, {2.0})), "ob"}, {"t2"});
  tr2.set_domain("finn.custom_op.general");
  ModelBuilder::attr(tr2, "rounding_mode", std::string("round"));
  ModelBuilder::attr(tr2, "signed", int64_t{0});
  auto& iq = b.node("IntQuant", {"t2", "s", "z", "ib"}, {"y"});
  iq.set_domain("finn.custom_op.general");
  b.output("y");
  Graph g = b.load();
  EXPECT_EQ(count(g, Op::BipolarQuant), 1);
  EXPECT_EQ(first(g, Op::BipolarQuant).inputs.size(), 2u);
  ASSERT_EQ(count(g, Op::Trunc), 2);
  const Node& t1 = g.node(*g.find_node("t1_node"));
  EXPECT_EQ(t1.inputs.size(), 5u);
  EXPECT_EQ(t1.attrs.get_string("rounding_mode", ""), "FLOOR");  // Trunc's default
  const Node& t2 = g.node(*g.find_node("t2_node"));
  EXPECT_EQ(t2.inputs.size(), 6u);
  EXPECT_EQ(t2.attrs.get_string("rounding_mode", ""), "ROUND");
  EXPECT_EQ(t2.attrs.get_int("signed", -1), 0);
  EXPECT_EQ(count(g, Op::Quant), 1);
  for (NodeId id : g.node_ids())
    for (size_t k = 1; k < g.node(id).inputs.size(); ++k) EXPECT_TRUE(g.value(g.node(id).inputs[k]).is_constant());
}

TEST(OnnxOps, Opset7BatchNormOnSequenceAndDropoutRatio) {
  ModelBuilder b(7);
  b.input("x", {-1, 3, 5});
  Tensor var = random_tensor({3}, 50);
  for (double& v : var.data) v = v * v + 0.1;
  auto& bn = b.node("BatchNormalization",
                    {"x", b.init_random("g", {3}, 51), b.init_random("be", {3}, 52), b.init_random("m", {3}, 53), b.init("v", var)},
                    {"bn"});
  ModelBuilder::attr(bn, "spatial", int64_t{1});
  auto& d = b.node("Dropout", {"bn"}, {"y"});
  ModelBuilder::attr_f(d, "ratio", 0.3);
  b.output("y");
  Graph g = b.load();
  EXPECT_EQ(g.inputs[0].perm, (std::vector<int64_t>{1, 0}));  // BatchNormalization wants channels last
  EXPECT_EQ(g.outputs[0].perm, (std::vector<int64_t>{1, 0}));
  EXPECT_LE(test::max_ir_vs_onnx_diff(b, g), kTol);
}
