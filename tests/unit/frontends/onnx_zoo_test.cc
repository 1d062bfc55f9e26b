// The model zoo (tests/data/models): every model imports with the expected ops, layouts and
// names, and a double-precision evaluation of the imported IR reproduces the models' float
// outputs (which proves the channels-last conversion and the weight permutations).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "onnx_ref_eval.h"
#include "npy_test_util.h"
#include "tachyon/frontends/onnx.h"
#include "tachyon/ir/printer.h"
#include "tachyon/ir/verifier.h"
#include "tachyon/support/error.h"

using namespace tachyon;
using namespace tachyon::ir;

namespace {

const std::string kModels = std::string(TACHYON_TEST_DATA) + "/models/";

std::map<std::string, int> op_counts(const Graph& g) {
  std::map<std::string, int> m;
  for (NodeId id : g.node_ids()) ++m[std::string(op_name(g.node(id).op))];
  return m;
}

int count(const Graph& g, Op op) { return op_counts(g)[std::string(op_name(op))]; }

const Node& node_named(const Graph& g, const std::string& source_name) {
  auto id = g.find_node(source_name);
  if (!id) throw std::runtime_error("no node " + source_name);
  return g.node(*id);
}

}  // namespace

TEST(OnnxZoo, JetMlp) {
  Graph g = frontends::load_onnx(kModels + "jet_mlp.onnx");
  EXPECT_NO_THROW(verify(g));
  EXPECT_EQ(count(g, Op::Gemm), 4);
  EXPECT_EQ(count(g, Op::Relu), 3);
  EXPECT_EQ(count(g, Op::Softmax), 1);
  EXPECT_EQ(g.num_live_nodes(), 8u);
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.value(g.inputs[0].value).shape, (Shape{16}));
  EXPECT_TRUE(g.inputs[0].perm.empty());
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.outputs[0].name, "output");
  EXPECT_EQ(g.value(g.outputs[0].value).shape, (Shape{5}));
  // Names: sanitized identifiers, the original kept as source_name.
  const Node& first = node_named(g, "/0/Gemm");
  EXPECT_EQ(first.name, "layer0_Gemm");
  EXPECT_EQ(first.source_op, "Gemm");
  // Weights are stored (in, out) with transB=0.
  EXPECT_EQ(g.value(first.inputs[1]).shape, (Shape{16, 64}));
  EXPECT_EQ(first.attrs.get_int("transB", -1), 0);
  EXPECT_EQ(g.value(first.inputs[2]).shape, (Shape{64}));
  EXPECT_EQ(g.name, "jet_mlp");  // the file stem
}

TEST(OnnxZoo, AllModelsImportWithExpectedOps) {
  struct Want {
    std::string model;
    std::map<Op, int> ops;
  };
  const std::vector<Want> wants = {
      {"jet_mlp_linear_out", {{Op::Gemm, 4}, {Op::Relu, 3}, {Op::Softmax, 0}}},
      {"mlp_batchnorm", {{Op::Gemm, 3}, {Op::BatchNormInference, 2}, {Op::Relu, 2}}},
      {"mlp_activations",
       {{Op::Gemm, 6}, {Op::Sigmoid, 1}, {Op::Tanh, 1}, {Op::LeakyRelu, 1}, {Op::Clip, 1}, {Op::Elu, 1}}},
      {"mlp_merge", {{Op::Gemm, 3}, {Op::Add, 1}, {Op::Mul, 1}, {Op::Concat, 1}, {Op::Relu, 2}}},
      {"cnn2d", {{Op::Conv, 2}, {Op::MaxPool, 1}, {Op::Relu, 2}, {Op::Gemm, 1}, {Op::Softmax, 1}, {Op::Transpose, 0}}},
      {"cnn1d", {{Op::Conv, 2}, {Op::Pad, 0} /* all-zero pads */, {Op::AvgPool, 1}, {Op::Gemm, 1}, {Op::Transpose, 0}}},
      {"cnn2d_globalpool", {{Op::Conv, 1}, {Op::GlobalAvgPool, 1}, {Op::Gemm, 1}, {Op::Transpose, 0}}},
      {"qonnx_mlp_w4a6", {{Op::Quant, 9}, {Op::MatMul, 3}, {Op::Add, 3}, {Op::Relu, 2}, {Op::Identity, 1}}},
      {"qonnx_mlp_w8a8", {{Op::Quant, 12}, {Op::MatMul, 4}, {Op::Add, 4}, {Op::Relu, 3}, {Op::Identity, 1}}},
  };
  for (const Want& w : wants) {
    SCOPED_TRACE(w.model);
    Graph g = frontends::load_onnx(kModels + w.model + ".onnx");
    EXPECT_NO_THROW(verify(g));
    auto counts = op_counts(g);
    for (const auto& [op, n] : w.ops) EXPECT_EQ(counts[std::string(op_name(op))], n) << op_name(op);
  }
}

TEST(OnnxZoo, ConvModelsAreChannelsLast) {
  Graph g = frontends::load_onnx(kModels + "cnn2d.onnx");
  const IoPort& in = g.inputs.at(0);
  EXPECT_EQ(in.user_shape, (Shape{1, 8, 8}));
  EXPECT_EQ(in.perm, (std::vector<int64_t>{1, 2, 0}));
  EXPECT_EQ(g.value(in.value).shape, (Shape{8, 8, 1}));
  const Node& c1 = node_named(g, "/0/Conv");
  EXPECT_EQ(g.value(c1.inputs[1]).shape, (Shape{3, 3, 1, 4}));  // (kh, kw, cin, cout)
  EXPECT_EQ(g.value(c1.outputs[0]).shape, (Shape{8, 8, 4}));
  EXPECT_EQ(c1.attrs.get_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  const Node& fc = node_named(g, "/7/Gemm");
  EXPECT_EQ(g.value(fc.inputs[0]).shape, (Shape{32}));
  EXPECT_EQ(g.value(fc.inputs[1]).shape, (Shape{32, 10}));
  EXPECT_TRUE(g.outputs[0].perm.empty());

  Graph g1 = frontends::load_onnx(kModels + "cnn1d.onnx");
  EXPECT_EQ(g1.inputs[0].user_shape, (Shape{2, 32}));
  EXPECT_EQ(g1.inputs[0].perm, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(g1.value(g1.inputs[0].value).shape, (Shape{32, 2}));
  const Node& k1 = node_named(g1, "/0/Conv");
  EXPECT_EQ(g1.value(k1.inputs[1]).shape, (Shape{5, 2, 6}));  // (k, cin, cout)
  EXPECT_EQ(g1.value(node_named(g1, "/2/AveragePool").outputs[0]).shape, (Shape{14, 6}));

  Graph g2 = frontends::load_onnx(kModels + "cnn2d_globalpool.onnx");
  const Node& gp = node_named(g2, "/ReduceMean");
  EXPECT_EQ(gp.op, Op::GlobalAvgPool);
  EXPECT_EQ(g2.value(gp.outputs[0]).shape, (Shape{6}));
}

TEST(OnnxZoo, QonnxQuantNodesKeepConstants) {
  Graph g = frontends::load_onnx(kModels + "qonnx_mlp_w4a6.onnx");
  const Node& qw = node_named(g, "qw0");
  EXPECT_EQ(qw.op, Op::Quant);
  EXPECT_EQ(qw.source_op, "Quant");
  ASSERT_EQ(qw.inputs.size(), 4u);
  for (ValueId v : qw.inputs) EXPECT_TRUE(g.value(v).is_constant());
  EXPECT_EQ(g.value(qw.inputs[0]).shape, (Shape{16, 32}));
  EXPECT_EQ(g.value(qw.inputs[1]).shape, Shape{});
  EXPECT_EQ(g.constant(qw.inputs[3]).data[0], 4.0);
  EXPECT_EQ(qw.attrs.get_int("narrow", -1), 1);
  EXPECT_EQ(qw.attrs.get_int("signed", -1), 1);
  EXPECT_EQ(qw.attrs.get_string("rounding_mode", ""), "ROUND");
  const Node& qa = node_named(g, "qa0");
  EXPECT_EQ(qa.attrs.get_int("signed", -1), 0);
  EXPECT_FALSE(g.value(qa.inputs[0]).is_constant());
  const Node& mm = node_named(g, "mm0");
  EXPECT_EQ(mm.op, Op::MatMul);
  EXPECT_EQ(g.value(mm.inputs[1]).producer, *g.find_node("qw0"));
  // The shared zero point 'z0' is one IR constant.
  EXPECT_EQ(qw.inputs[2], node_named(g, "qb0").inputs[2]);
}

TEST(OnnxZoo, BytesAndFileGiveTheSameGraph) {
  std::ifstream f(kModels + "cnn2d.onnx", std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  Graph a = frontends::load_onnx(kModels + "cnn2d.onnx");
  Graph b = frontends::load_onnx_bytes(ss.str(), kModels + "cnn2d.onnx");
  EXPECT_EQ(print_graph(a), print_graph(b));
  Graph c = frontends::load_onnx(kModels + "cnn2d.onnx");
  EXPECT_EQ(print_graph(a), print_graph(c));  // deterministic
}

// ---- numerical check against the models' own float outputs ----

namespace {
struct NumCase {
  std::string model;
  double rel_tol;
};

void check_numerics(const NumCase& c) {
  SCOPED_TRACE(c.model);
  Graph g = frontends::load_onnx(kModels + c.model + ".onnx");
  auto inputs = test::read_npy_test(kModels + c.model + ".inputs.npy");
  auto want = test::read_npy_test(kModels + c.model + ".float_out.npy");
  ASSERT_EQ(g.inputs.size(), 1u);
  ASSERT_EQ(g.outputs.size(), 1u);
  ASSERT_EQ(inputs.row_size(), num_elements(g.inputs[0].user_shape));
  ASSERT_EQ(want.row_size(), num_elements(g.outputs[0].user_shape));
  const int64_t rows = std::min<int64_t>(20, inputs.rows());
  double worst = 0;
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> x(inputs.data.begin() + r * inputs.row_size(), inputs.data.begin() + (r + 1) * inputs.row_size());
    auto out = test::ref::run_ir(g, {test::ref::to_internal(g.inputs[0], x)});
    Tensor y = test::ref::to_user(g.outputs[0], out.at(0));
    for (int64_t i = 0; i < want.row_size(); ++i) {
      const double w = want.data[static_cast<size_t>(r * want.row_size() + i)];
      const double err = std::fabs(y.data[static_cast<size_t>(i)] - w) / std::max(std::fabs(w), 1e-2);
      worst = std::max(worst, err);
      ASSERT_LE(err, c.rel_tol) << "row " << r << " element " << i << ": got " << y.data[static_cast<size_t>(i)]
                                << ", want " << w;
    }
  }
  ::testing::Test::RecordProperty(c.model + "_worst_rel_err", std::to_string(worst));
}
}  // namespace

TEST(OnnxZoo, FloatModelsMatchTheirOutputs) {
  for (const char* m : {"jet_mlp", "jet_mlp_linear_out", "mlp_batchnorm", "mlp_activations", "mlp_merge", "cnn2d",
                        "cnn1d", "cnn2d_globalpool"})
    check_numerics({m, 1e-4});
}

TEST(OnnxZoo, QonnxModelsMatchExactly) {
  check_numerics({"qonnx_mlp_w4a6", 1e-9});
  check_numerics({"qonnx_mlp_w8a8", 1e-9});
}
