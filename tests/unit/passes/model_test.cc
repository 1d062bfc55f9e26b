// Model-level acceptance tests: the reference zoo (tests/data/models) through
// frontends::load_onnx and the default pipeline.
//
// These need tachyon_frontends linked into tachyon_passes_test (tests/CMakeLists.txt links a
// test folder only with its own library) and TACHYON_PASSES_MODEL_TESTS defined. Without
// them a single test reports itself skipped.
#include <cmath>

#include "test_util.h"

#if defined(TACHYON_PASSES_MODEL_TESTS)

#include "tachyon/config/config.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/frontends/onnx.h"
#include "tachyon/support/npy.h"

using namespace tachyon;
using namespace tachyon::ir;
using namespace tachyon::testing;
using nlohmann::json;

namespace {

std::string model_path(const std::string& name) { return std::string(TACHYON_TEST_DATA) + "/models/" + name + ".onnx"; }

Graph compiled(const std::string& name, json cfg = json::object()) {
  Graph g = frontends::load_onnx(model_path(name));
  passes::PassContext ctx;
  ctx.config = std::move(cfg);
  run_all(g, ctx);
  return g;
}

int64_t total_mults(const Graph& g) {
  int64_t t = 0;
  for (NodeId id : g.node_ids()) t += num_multiplications(g, id);
  return t;
}

// Evaluates a graph of Dense / Relu layers with Fixed arithmetic as semantics.md §3 defines.
std::vector<double> run_fixed(const Graph& g, const std::vector<double>& input) {
  std::map<ValueId, std::vector<Fixed>> vals;
  std::vector<Fixed> x;
  for (double v : input) x.push_back(Fixed::from_double(v, g.type_of(g.inputs[0].value)));
  vals[g.inputs[0].value] = x;
  for (NodeId id : g.node_ids()) {
    const Node& n = g.node(id);
    const std::vector<Fixed>& in = vals.at(n.inputs[0]);
    const FixedType out_t = g.type_of(n.outputs[0]);
    std::vector<Fixed> out;
    if (n.op == Op::Dense) {
      const Tensor& w = g.constant(n.inputs[1]);
      const FixedType tw = g.type_of(n.inputs[1]);
      const FixedType acc_t = n.config.types.at("accum");
      const int64_t nin = w.shape[0], nout = w.shape[1];
      for (int64_t j = 0; j < nout; ++j) {
        Fixed acc(acc_t);
        if (n.inputs.size() > 2)
          acc = Fixed::from_double(g.constant(n.inputs[2]).data[static_cast<size_t>(j)], g.type_of(n.inputs[2])).cast(acc_t);
        for (int64_t i = 0; i < nin; ++i)
          acc.add_assign((in[static_cast<size_t>(i)] * Fixed::from_double(w.data[static_cast<size_t>(i * nout + j)], tw)).cast(acc_t));
        out.push_back(acc.cast(out_t));
      }
    } else if (n.op == Op::Relu) {
      for (const Fixed& v : in) out.push_back((Fixed::compare_exact(v, Fixed(v.type())) > 0 ? v : Fixed(v.type())).cast(out_t));
    } else {
      ADD_FAILURE() << "run_fixed: unexpected op " << op_name(n.op);
      return {};
    }
    vals[n.outputs[0]] = std::move(out);
  }
  std::vector<double> y;
  for (const Fixed& v : vals.at(g.outputs[0].value)) y.push_back(v.to_double());
  return y;
}

// Evaluates a graph of Dense / Relu layers in double (float semantics).
std::vector<double> run_double(const Graph& g, const std::vector<double>& input) {
  std::vector<double> x = input;
  for (NodeId id : g.node_ids()) {
    const Node& n = g.node(id);
    if (n.op == Op::Dense) x = dense_ref(x, g.constant(n.inputs[1]), n.inputs.size() > 2 ? &g.constant(n.inputs[2]) : nullptr);
    else if (n.op == Op::Relu)
      for (double& v : x) v = std::max(v, 0.0);
    else ADD_FAILURE() << "run_double: unexpected op " << op_name(n.op);
  }
  return x;
}

}  // namespace

TEST(Models, JetMlp) {
  Graph g = compiled("jet_mlp");
  EXPECT_EQ(count_ops(g, Op::Dense), 4);
  EXPECT_EQ(count_ops(g, Op::Relu), 3);
  EXPECT_EQ(count_ops(g, Op::Softmax), 1);
  EXPECT_EQ(g.num_live_nodes(), 8u);
  EXPECT_EQ(total_mults(g), 16 * 64 + 64 * 32 + 32 * 32 + 32 * 5);
  EXPECT_EQ(total_mults(g), 4256);
  EXPECT_NE(print_graph(g).find("4256 multiplications"), std::string::npos);
  for (size_t v = 0; v < g.num_values(); ++v) EXPECT_EQ(g.value(static_cast<ValueId>(v)).type->str(), "ap_fixed<16,6>");
}

TEST(Models, MlpBatchnormFoldsEveryBatchNormWhenTheDenseResultsAreAuto) {
  // At the defaults (explicit Dense result precision) hls4ml keeps both normalizations.
  Graph kept = compiled("mlp_batchnorm");
  EXPECT_EQ(op_sequence(kept), (std::vector<Op>{Op::Dense, Op::BatchNorm, Op::Relu, Op::Dense, Op::BatchNorm, Op::Relu,
                                                Op::Dense}));
  Graph g = compiled("mlp_batchnorm", json{{"LayerType", {{"Dense", {{"Precision", {{"result", "auto"}}}}}}}});
  EXPECT_EQ(count_ops(g, Op::BatchNorm) + count_ops(g, Op::BatchNormInference), 0);
  EXPECT_EQ(op_sequence(g), (std::vector<Op>{Op::Dense, Op::Relu, Op::Dense, Op::Relu, Op::Dense}));
  // The folded float model still computes PyTorch's outputs.
  const NdArray in = read_npy(std::string(TACHYON_TEST_DATA) + "/models/mlp_batchnorm.inputs.npy");
  const NdArray out = read_npy(std::string(TACHYON_TEST_DATA) + "/models/mlp_batchnorm.float_out.npy");
  const int64_t nin = in.shape[1], nout = out.shape[1];
  for (int64_t r = 0; r < 50; ++r) {
    std::vector<double> x(in.data.begin() + r * nin, in.data.begin() + (r + 1) * nin);
    auto y = run_double(g, x);
    for (int64_t j = 0; j < nout; ++j) EXPECT_NEAR(y[static_cast<size_t>(j)], out.data[static_cast<size_t>(r * nout + j)], 2e-4);
  }
}

class QonnxModels : public ::testing::TestWithParam<std::string> {};

TEST_P(QonnxModels, TypesInferredNoQuantLeftBitExact) {
  const std::string name = GetParam();
  Graph g = compiled(name);
  EXPECT_EQ(count_ops(g, Op::Quant), 0);
  EXPECT_EQ(count_ops(g, Op::Cast), 0);  // every quantizer absorbed into a type
  for (NodeId id : g.node_ids()) {
    const Node& n = g.node(id);
    EXPECT_TRUE(n.op == Op::Dense || n.op == Op::Relu) << op_name(n.op);
    if (n.op == Op::Dense) {
      const FixedType w = g.type_of(n.inputs[1]);
      EXPECT_EQ(w.quant, Quant::RND_CONV) << w.str();     // the QONNX weight quantizer
      EXPECT_NE(n.config.types.at("accum").str(), "ap_fixed<16,6>");  // inferred, not the default
    }
  }
  // Default configuration on QONNX reproduces the quantized model exactly.
  const NdArray in = read_npy(std::string(TACHYON_TEST_DATA) + "/models/" + name + ".inputs.npy");
  const NdArray out = read_npy(std::string(TACHYON_TEST_DATA) + "/models/" + name + ".float_out.npy");
  const int64_t nin = in.shape[1], nout = out.shape[1];
  for (int64_t r = 0; r < 200; ++r) {
    std::vector<double> x(in.data.begin() + r * nin, in.data.begin() + (r + 1) * nin);
    auto y = run_fixed(g, x);
    ASSERT_EQ(static_cast<int64_t>(y.size()), nout);
    for (int64_t j = 0; j < nout; ++j)
      ASSERT_EQ(y[static_cast<size_t>(j)], out.data[static_cast<size_t>(r * nout + j)]) << "row " << r << " output " << j;
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, QonnxModels, ::testing::Values("qonnx_mlp_w4a6", "qonnx_mlp_w8a8"));

class ZooModels : public ::testing::TestWithParam<std::string> {};

// Every model compiles; a name-granularity template loaded back gives the same typed IR.
TEST_P(ZooModels, CompilesAndTemplateRoundTrips) {
  const std::string name = GetParam();
  Graph lowered = frontends::load_onnx(model_path(name));
  passes::PassContext ctx;
  for (const auto& p : passes::lowering_pipeline()) p.run(lowered, ctx);
  for (auto gran : {config::Granularity::Model, config::Granularity::Type, config::Granularity::Name}) {
    json t = config::make_template(lowered, gran);
    json back = config::parse(config::to_yaml(t), name + ".yaml", false);
    EXPECT_EQ(print_graph(compiled(name, back)), print_graph(compiled(name))) << name << " granularity " << static_cast<int>(gran);
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooModels,
                         ::testing::Values("jet_mlp", "jet_mlp_linear_out", "mlp_batchnorm", "mlp_activations", "cnn2d", "cnn1d",
                                           "mlp_merge", "cnn2d_globalpool", "qonnx_mlp_w4a6", "qonnx_mlp_w8a8"));

#else

TEST(Models, NeedTheFrontend) {
  GTEST_SKIP() << "model-level tests need tachyon_frontends linked into tachyon_passes_test and "
                  "TACHYON_PASSES_MODEL_TESTS defined (see the top of model_test.cc)";
}

#endif
