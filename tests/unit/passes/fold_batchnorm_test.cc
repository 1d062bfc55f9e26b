#include <cmath>

#include "test_util.h"

using namespace tachyon;
using namespace tachyon::ir;
using namespace tachyon::testing;

namespace {

struct BnParams {
  std::vector<double> gamma, beta, mean, var;
  double eps = 1e-3;
};

BnParams bn_params(size_t c, uint32_t seed) {
  BnParams p;
  p.gamma = random_values(c, 0.5, 2, seed);
  p.beta = random_values(c, -1, 1, seed + 1);
  p.mean = random_values(c, -1, 1, seed + 2);
  p.var = random_values(c, 0.1, 3, seed + 3);
  return p;
}

NodeId add_bn(Graph& g, const std::string& name, ValueId x, ValueId y, const BnParams& p) {
  auto c = static_cast<int64_t>(p.gamma.size());
  NodeId n = g.add_node(Op::BatchNormInference, name,
                        {x, g.add_constant(name + ".g", Tensor({c}, p.gamma)), g.add_constant(name + ".b", Tensor({c}, p.beta)),
                         g.add_constant(name + ".m", Tensor({c}, p.mean)), g.add_constant(name + ".v", Tensor({c}, p.var))},
                        {y});
  g.node(n).attrs.set("epsilon", p.eps);
  return n;
}

double bn_ref(double v, const BnParams& p, size_t ch) {
  return (v - p.mean[ch]) / std::sqrt(p.var[ch] + p.eps) * p.gamma[ch] + p.beta[ch];
}

}  // namespace

TEST(FoldBatchnorm, FoldsIntoDense) {
  Graph g;
  ValueId x = g.add_value("x", {4});
  const Tensor w({4, 3}, random_values(12, -1, 1, 10));
  const Tensor b({3}, random_values(3, -1, 1, 11));
  ValueId h = g.add_value("h", {3});
  ValueId y = g.add_value("y", {3});
  g.add_node(Op::Dense, "fc", {x, g.add_constant("w", w), g.add_constant("b", b)}, {h});
  const BnParams p = bn_params(3, 12);
  add_bn(g, "bn", h, y, p);
  g.inputs.push_back({x, "x", {4}, {}});
  g.outputs.push_back({y, "y", {3}, {}});
  // hls4ml's rule: an explicit Dense result precision (the Model default included) keeps the
  // normalization separate; only an auto result folds.
  Graph kept = g;
  run_passes(kept, {"fold_batchnorm", "cleanup"});
  EXPECT_EQ(op_sequence(kept), (std::vector<Op>{Op::Dense, Op::BatchNorm}));
  passes::PassContext ctx;
  ctx.config = nlohmann::json{{"LayerName", {{"fc", {{"Precision", {{"result", "auto"}}}}}}}};
  run_passes(g, {"fold_batchnorm", "cleanup"}, ctx);
  ASSERT_EQ(op_sequence(g), std::vector<Op>{Op::Dense});
  EXPECT_EQ(g.merged_names.at("bn"), "fc");
  const Node& d = node(g, "fc");
  EXPECT_EQ(g.value(d.outputs[0]).name, "y");
  const auto xin = random_values(4, -3, 3, 13);
  auto got = dense_ref(xin, g.constant(d.inputs[1]), &g.constant(d.inputs[2]));
  auto pre = dense_ref(xin, w, &b);
  for (size_t j = 0; j < 3; ++j) EXPECT_NEAR(got[j], bn_ref(pre[j], p, j), 1e-12);
}

TEST(FoldBatchnorm, FoldsIntoConvWithoutBias) {
  Graph g;
  ValueId x = g.add_value("x", {5, 2});
  const Tensor w({3, 2, 4}, random_values(24, -1, 1, 20));
  ValueId h = g.add_value("h", {3, 4});
  ValueId y = g.add_value("y", {3, 4});
  g.add_node(Op::Conv, "conv", {x, g.add_constant("w", w, FixedType::parse("ap_fixed<4,1>"))}, {h});
  const BnParams p = bn_params(4, 21);
  add_bn(g, "bn", h, y, p);
  g.inputs.push_back({x, "x", {5, 2}, {}});
  g.outputs.push_back({y, "y", {3, 4}, {}});
  passes::PassContext ctx;
  ctx.config = nlohmann::json{{"Model", {{"Precision", {{"result", "auto"}}}}}};
  run_passes(g, {"fold_batchnorm", "cleanup"}, ctx);
  ASSERT_EQ(op_sequence(g), std::vector<Op>{Op::Conv});
  const Node& c = node(g, "conv");
  ASSERT_EQ(c.inputs.size(), 3u);
  const Tensor& nw = g.constant(c.inputs[1]);
  const Tensor& nb = g.constant(c.inputs[2]);
  EXPECT_FALSE(g.value(c.inputs[1]).type.has_value());  // no longer on the QONNX grid
  for (size_t i = 0; i < w.data.size(); ++i) {
    size_t ch = i % 4;
    EXPECT_NEAR(nw.data[i], w.data[i] * p.gamma[ch] / std::sqrt(p.var[ch] + p.eps), 1e-12);
  }
  for (size_t ch = 0; ch < 4; ++ch) EXPECT_NEAR(nb.data[ch], bn_ref(0.0, p, ch), 1e-12);
}

TEST(FoldBatchnorm, StandaloneWhenNotAfterALayerOrShared) {
  Graph g;
  ValueId x = g.add_value("x", {3});
  ValueId r = g.add_value("r", {3});
  ValueId y = g.add_value("y", {3});
  g.add_node(Op::Relu, "relu", {x}, {r});
  const BnParams p = bn_params(3, 30);
  add_bn(g, "bn", r, y, p);
  // A Dense whose result is also a graph output keeps its own output: standalone BatchNorm.
  ValueId h = g.add_value("h", {3});
  ValueId z = g.add_value("z", {3});
  g.add_node(Op::Dense, "fc", {y, g.add_constant("w", Tensor::zeros({3, 3}))}, {h});
  add_bn(g, "bn2", h, z, p);
  g.inputs.push_back({x, "x", {3}, {}});
  g.outputs.push_back({h, "h", {3}, {}});
  g.outputs.push_back({z, "z", {3}, {}});
  run_passes(g, {"fold_batchnorm", "cleanup"});
  EXPECT_EQ(count_ops(g, Op::BatchNormInference), 0);
  EXPECT_EQ(count_ops(g, Op::BatchNorm), 2);
  const Node& bn = node(g, "bn");
  ASSERT_EQ(bn.inputs.size(), 3u);
  const Tensor& scale = g.constant(bn.inputs[1]);
  const Tensor& shift = g.constant(bn.inputs[2]);
  for (size_t ch = 0; ch < 3; ++ch) {
    const double v = 0.7;
    EXPECT_NEAR(v * scale.data[ch] + shift.data[ch], bn_ref(v, p, ch), 1e-12);
  }
  EXPECT_TRUE(bn.attrs.map().empty());
}

TEST(FoldBatchnorm, RejectsBadParameters) {
  Graph g;
  ValueId x = g.add_value("x", {3});
  ValueId y = g.add_value("y", {3});
  BnParams p = bn_params(3, 40);
  p.var[1] = -1;
  add_bn(g, "bn", x, y, p);
  g.inputs.push_back({x, "x", {3}, {}});
  g.outputs.push_back({y, "y", {3}, {}});
  EXPECT_NE(error_of([&] { run_passes(g, {"fold_batchnorm"}); }).find("var + epsilon is not positive for channel 1"),
            std::string::npos);
}
