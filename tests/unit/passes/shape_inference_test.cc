#include "test_util.h"

using namespace tachyon;
using namespace tachyon::ir;
using namespace tachyon::testing;

TEST(ShapeInference, FillsUnsetShapes) {
  Graph g;
  ValueId x = g.add_value("x", {8, 8, 3});  // H, W, C
  ValueId w = g.add_constant("w", Tensor::zeros({3, 3, 3, 4}));
  ValueId c = g.add_value("c", {});
  NodeId conv = g.add_node(Op::Conv, "conv", {x, w}, {c});
  g.node(conv).attrs.set("strides", std::vector<int64_t>{2, 1});
  g.node(conv).attrs.set("pads", std::vector<int64_t>{1, 0, 1, 0});
  ValueId p = g.add_value("p", {});
  NodeId pool = g.add_node(Op::MaxPool, "pool", {c}, {p});
  g.node(pool).attrs.set("kernel_shape", std::vector<int64_t>{2, 2});
  g.node(pool).attrs.set("strides", std::vector<int64_t>{2, 2});
  ValueId padded = g.add_value("padded", {});
  NodeId pad = g.add_node(Op::Pad, "pad", {p}, {padded});
  g.node(pad).attrs.set("pads", std::vector<int64_t>{1, 0, 0, 0, 2, 0});
  ValueId t = g.add_value("t", {});
  NodeId tr = g.add_node(Op::Transpose, "tr", {padded}, {t});
  g.node(tr).attrs.set("perm", std::vector<int64_t>{2, 0, 1});
  ValueId cat = g.add_value("cat", {});
  NodeId cn = g.add_node(Op::Concat, "cat", {t, t}, {cat});
  g.node(cn).attrs.set("axis", int64_t{-1});
  ValueId gp = g.add_value("gp", {});
  g.add_node(Op::GlobalAvgPool, "gap", {cat}, {gp});
  ValueId b = g.add_constant("B", Tensor::zeros({5, 4}));  // (in, out) after the frontend
  ValueId d = g.add_value("d", {});
  NodeId gemm = g.add_node(Op::Gemm, "gemm", {t, b}, {d});
  (void)gemm;
  g.inputs.push_back({x, "x", {8, 8, 3}, {}});
  g.outputs.push_back({gp, "gp", {}, {}});
  g.outputs.push_back({d, "d", {}, {}});
  run_passes(g, {"shape_inference"});
  EXPECT_EQ(g.value(c).shape, (Shape{4, 6, 4}));  // (8+2-3)/2+1 = 4, (8-3)/1+1 = 6
  EXPECT_EQ(g.value(p).shape, (Shape{2, 3, 4}));
  EXPECT_EQ(g.value(padded).shape, (Shape{3, 5, 4}));
  EXPECT_EQ(g.value(t).shape, (Shape{4, 3, 5}));
  EXPECT_EQ(g.value(cat).shape, (Shape{4, 3, 10}));
  EXPECT_EQ(g.value(gp).shape, (Shape{10}));
  EXPECT_EQ(g.value(d).shape, (Shape{4, 3, 4}));
}

TEST(ShapeInference, ChecksSetShapesAndReportsAllMismatches) {
  Graph g;
  g.source_file = "m.onnx";
  ValueId x = g.add_value("x", {16});
  ValueId w = g.add_constant("w", Tensor::zeros({10, 4}));
  ValueId y = g.add_value("y", {4});
  NodeId d = g.add_node(Op::Dense, "fc1", {x, w}, {y});
  g.node(d).source_name = "/fc1/Gemm";
  g.node(d).source_op = "Gemm";
  ValueId r = g.add_value("r", {5});
  g.add_node(Op::Relu, "relu", {x}, {r});
  g.inputs.push_back({x, "x", {16}, {}});
  g.outputs.push_back({y, "y", {4}, {}});
  g.outputs.push_back({r, "r", {5}, {}});
  std::string msg = error_of([&] { run_passes(g, {"shape_inference"}); });
  EXPECT_NE(msg.find("m.onnx: node '/fc1/Gemm' (Gemm): error: input has 16 features (shape [16]) but the weight expects 10"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("node 'relu' (Relu): error: output 'r' has shape [5], but the inputs and attributes give [16]"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("2 errors"), std::string::npos) << msg;
}

TEST(ShapeInference, UnchangedGraphReportsNoChange) {
  Graph g;
  ValueId x = g.add_value("x", {3, 4});
  ValueId w = g.add_constant("w", Tensor::zeros({4, 2}));
  ValueId y = g.add_value("y", {3, 2});
  g.add_node(Op::MatMul, "mm", {x, w}, {y});
  ValueId s = g.add_value("s", {3, 2});
  g.add_node(Op::Add, "add", {y, g.add_constant("k", Tensor::scalar(1.0))}, {s});
  g.inputs.push_back({x, "x", {3, 4}, {}});
  g.outputs.push_back({s, "s", {3, 2}, {}});
  passes::PassContext ctx;
  EXPECT_FALSE(passes::shape_inference(g, ctx));
}

TEST(ShapeInference, BadAttributes) {
  Graph g;
  ValueId x = g.add_value("x", {8, 2});
  ValueId w = g.add_constant("w", Tensor::zeros({3, 2, 4}));
  ValueId y = g.add_value("y", {});
  NodeId c = g.add_node(Op::Conv, "conv", {x, w}, {y});
  g.node(c).attrs.set("pads", std::vector<int64_t>{1, 1, 1});
  g.inputs.push_back({x, "x", {8, 2}, {}});
  g.outputs.push_back({y, "y", {}, {}});
  std::string msg = error_of([&] { run_passes(g, {"shape_inference"}); });
  EXPECT_NE(msg.find("attribute 'pads' has 3 values, expected 2"), std::string::npos) << msg;
}
