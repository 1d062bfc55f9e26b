// Whole pipelines on hand-built frontend-level graphs; --print-ir-after-all; verify.
#include <cmath>
#include <sstream>

#include "tachyon/fixed/fixed.h"
#include "test_util.h"

using namespace tachyon;
using namespace tachyon::ir;
using namespace tachyon::testing;
using nlohmann::json;

namespace {

double qround_even(double v) { return std::nearbyint(v); }

double qonnx(double x, double scale, int bits, bool is_signed, bool narrow) {
  double qmax = is_signed ? std::ldexp(1, bits - 1) - 1 : std::ldexp(1, bits) - 1;
  double qmin = is_signed ? (narrow ? -qmax : -std::ldexp(1, bits - 1)) : 0;
  return std::min(std::max(qround_even(x / scale), qmin), qmax) * scale;
}

ValueId quant(Graph& g, const std::string& name, ValueId x, const Shape& shape, double scale, int bits, bool is_signed,
              bool narrow) {
  ValueId y = g.add_value(name + "_q", shape);
  NodeId n = g.add_node(Op::Quant, name,
                        {x, g.add_constant(name + "_s", Tensor::scalar(scale)), g.add_constant(name + "_z", Tensor::scalar(0)),
                         g.add_constant(name + "_b", Tensor::scalar(bits))},
                        {y});
  g.node(n).attrs.set("signed", int64_t{is_signed});
  g.node(n).attrs.set("narrow", int64_t{narrow});
  g.node(n).attrs.set("rounding_mode", std::string("ROUND"));
  g.node(n).source_op = "Quant";
  g.node(n).source_name = name;
  return y;
}

struct Qmlp {
  Graph g;
  Tensor w0, b0, w1, b1;
};

// input Quant(8b, 2^-4) -> MatMul(W0 4b narrow 2^-2) + Add(B0 16b 2^-8) -> Relu -> Quant(6b
// unsigned 2^-3) -> MatMul(W1) + Add(B1) -> Identity -> output
Qmlp qonnx_mlp() {
  Qmlp m;
  Graph& g = m.g;
  g.name = "qmlp";
  g.source_file = "qmlp.onnx";
  m.w0 = Tensor({6, 5}, random_values(30, -2, 2, 1));
  m.b0 = Tensor({5}, random_values(5, -1, 1, 2));
  m.w1 = Tensor({5, 3}, random_values(15, -2, 2, 3));
  m.b1 = Tensor({3}, random_values(3, -1, 1, 4));
  ValueId x = g.add_value("input", {6});
  ValueId xq = quant(g, "qin", x, {6}, 1.0 / 16, 8, true, false);
  ValueId w0 = quant(g, "qw0", g.add_constant("W0", m.w0), {6, 5}, 0.25, 4, true, true);
  ValueId mm0 = g.add_value("mm0", {5});
  g.add_node(Op::MatMul, "mm0", {xq, w0}, {mm0});
  ValueId b0 = quant(g, "qb0", g.add_constant("B0", m.b0), {5}, 1.0 / 256, 16, true, false);
  ValueId add0 = g.add_value("add0", {5});
  g.add_node(Op::Add, "add0", {mm0, b0}, {add0});
  ValueId relu0 = g.add_value("relu0", {5});
  g.add_node(Op::Relu, "relu0", {add0}, {relu0});
  ValueId a0 = quant(g, "qa0", relu0, {5}, 0.125, 6, false, false);
  ValueId w1 = quant(g, "qw1", g.add_constant("W1", m.w1), {5, 3}, 0.25, 4, true, true);
  ValueId mm1 = g.add_value("mm1", {3});
  g.add_node(Op::MatMul, "mm1", {a0, w1}, {mm1});
  ValueId b1 = quant(g, "qb1", g.add_constant("B1", m.b1), {3}, 1.0 / 256, 16, true, false);
  ValueId add1 = g.add_value("add1", {3});
  g.add_node(Op::Add, "add1", {mm1, b1}, {add1});
  ValueId out = g.add_value("output", {3});
  g.add_node(Op::Identity, "out", {add1}, {out});
  g.inputs.push_back({x, "input", {6}, {}});
  g.outputs.push_back({out, "output", {3}, {}});
  return m;
}

// Dense as semantics.md §3 defines it, with Fixed values.
std::vector<Fixed> dense(const Graph& g, const Node& n, const std::vector<Fixed>& x) {
  const Tensor& w = g.constant(n.inputs[1]);
  const FixedType tw = g.type_of(n.inputs[1]);
  const FixedType acc_t = n.config.types.at("accum");
  const FixedType out_t = g.type_of(n.outputs[0]);
  const int64_t in = w.shape[0], out = w.shape[1];
  std::vector<Fixed> y;
  for (int64_t j = 0; j < out; ++j) {
    Fixed acc(acc_t);
    if (n.inputs.size() > 2)
      acc = Fixed::from_double(g.constant(n.inputs[2]).data[static_cast<size_t>(j)], g.type_of(n.inputs[2])).cast(acc_t);
    for (int64_t i = 0; i < in; ++i) {
      Fixed wq = Fixed::from_double(w.data[static_cast<size_t>(i * out + j)], tw);
      acc.add_assign((x[static_cast<size_t>(i)] * wq).cast(acc_t));
    }
    y.push_back(acc.cast(out_t));
  }
  return y;
}

}  // namespace

TEST(Pipeline, Lists) {
  std::vector<std::string> names;
  for (const auto& p : passes::default_pipeline()) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"shape_inference", "cleanup", "absorb_quant", "absorb_element_quant", "fuse_dense",
                                             "fold_batchnorm", "cleanup", "shape_inference", "apply_config",
                                             "infer_precision", "validate_reuse", "verify"}));
  EXPECT_EQ(passes::find_pass("no_such_pass"), nullptr);
  for (const auto& p : passes::all_passes()) EXPECT_EQ(passes::find_pass(p.name), &p);
}

TEST(Pipeline, QonnxMlpReproducesTheQuantizedModelExactly) {
  Qmlp m = qonnx_mlp();
  Graph& g = m.g;
  std::ostringstream log;
  passes::PassContext ctx;
  ctx.print_ir_after_all = true;
  ctx.log = &log;
  passes::run_pipeline(g, ctx, passes::default_pipeline());
  ir::verify(g, VerifyLevel::Typed);
  EXPECT_EQ(op_sequence(g), (std::vector<Op>{Op::Dense, Op::Relu, Op::Dense}));
  EXPECT_EQ(count_ops(g, Op::Quant), 0);
  // The IR dump shows every pass.
  const std::string dump = log.str();
  for (const auto& p : passes::default_pipeline()) EXPECT_NE(dump.find("// after " + p.name + "\n"), std::string::npos) << p.name;
  const Node& d0 = node(g, "mm0");
  const Node& relu = node(g, "relu0");
  const Node& d1 = node(g, "mm1");
  EXPECT_EQ(g.type_of(g.inputs[0].value).str(), "ap_fixed<8,4,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(g.type_of(d0.inputs[1]).str(), "ap_fixed<4,2,AP_RND_CONV,AP_SAT_SYM>");
  EXPECT_EQ(g.type_of(d0.inputs[2]).str(), "ap_fixed<16,8,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(g.type_of(relu.outputs[0]).str(), "ap_ufixed<6,3,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(d0.config.types.at("accum").frac_bits(), 8);
  // Bit-exact against the QONNX float semantics.
  for (int trial = 0; trial < 300; ++trial) {
    auto xin = random_values(6, -10, 10, 100 + static_cast<uint32_t>(trial));
    std::vector<double> xq(6), h(5), a(5), want(3);
    for (size_t i = 0; i < 6; ++i) xq[i] = qonnx(xin[i], 1.0 / 16, 8, true, false);
    for (size_t j = 0; j < 5; ++j) {
      h[j] = qonnx(m.b0.data[j], 1.0 / 256, 16, true, false);
      for (size_t i = 0; i < 6; ++i) h[j] += xq[i] * qonnx(m.w0.data[i * 5 + j], 0.25, 4, true, true);
      a[j] = qonnx(std::max(h[j], 0.0), 0.125, 6, false, false);
    }
    for (size_t j = 0; j < 3; ++j) {
      want[j] = qonnx(m.b1.data[j], 1.0 / 256, 16, true, false);
      for (size_t i = 0; i < 5; ++i) want[j] += a[i] * qonnx(m.w1.data[i * 3 + j], 0.25, 4, true, true);
    }
    std::vector<Fixed> x;
    for (double v : xin) x.push_back(Fixed::from_double(v, g.type_of(g.inputs[0].value)));
    auto hf = dense(g, d0, x);
    std::vector<Fixed> af;
    for (const Fixed& v : hf)
      af.push_back((v.is_zero() || Fixed::compare_exact(v, Fixed(v.type())) < 0 ? Fixed(v.type()) : v).cast(g.type_of(relu.outputs[0])));
    auto yf = dense(g, d1, af);
    for (size_t j = 0; j < 3; ++j) ASSERT_EQ(yf[j].to_double(), want[j]) << "trial " << trial << " output " << j;
  }
}

TEST(Pipeline, FloatModelWithBatchNormGetsDefaults) {
  Graph g;
  g.source_file = "bn.onnx";
  ValueId x = g.add_value("input", {4});
  ValueId h = g.add_value("h", {3});
  NodeId gemm = g.add_node(Op::Gemm, "/0/Gemm",
                           {x, g.add_constant("w", Tensor({4, 3}, random_values(12, -1, 1, 7))),
                            g.add_constant("b", Tensor({3}, random_values(3, -1, 1, 8)))},
                           {h});
  g.node(gemm).source_name = "/0/Gemm";
  ValueId bn = g.add_value("bn", {3});
  NodeId b = g.add_node(Op::BatchNormInference, "bn1",
                        {h, g.add_constant("g", Tensor({3}, {1, 2, 3})), g.add_constant("be", Tensor({3}, {0, 0, 1})),
                         g.add_constant("mu", Tensor({3}, {0.5, 0, 0})), g.add_constant("var", Tensor({3}, {1, 1, 4}))},
                        {bn});
  g.node(b).attrs.set("epsilon", 1e-5);
  ValueId r = g.add_value("r", {3});
  g.add_node(Op::Relu, "relu", {bn}, {r});
  ValueId d = g.add_value("d", {3});
  g.add_node(Op::Dropout, "drop", {r}, {d});
  ValueId y = g.add_value("y", {3});
  g.add_node(Op::Softmax, "softmax", {d}, {y});
  g.inputs.push_back({x, "input", {4}, {}});
  g.outputs.push_back({y, "output", {3}, {}});
  run_all(g);
  // The Dense result type is explicit (the Model default): the normalization stays a layer.
  EXPECT_EQ(op_sequence(g), (std::vector<Op>{Op::Dense, Op::BatchNorm, Op::Relu, Op::Softmax}));
  for (size_t v = 0; v < g.num_values(); ++v) {
    const Value& val = g.value(static_cast<ValueId>(v));
    EXPECT_EQ(val.type->str(), "ap_fixed<16,6>") << val.name;
  }
  EXPECT_EQ(node(g, "/0/Gemm").config.types.at("accum").str(), "ap_fixed<16,6>");
}

TEST(Pipeline, VerifyCatchesMissingTypes) {
  Graph g;
  ValueId x = g.add_value("x", {2});
  ValueId y = g.add_value("y", {2});
  g.add_node(Op::Sigmoid, "sig", {x}, {y});
  g.inputs.push_back({x, "x", {2}, {}});
  g.outputs.push_back({y, "y", {2}, {}});
  passes::PassContext ctx;
  std::string msg = error_of([&] { passes::verify(g, ctx); });
  EXPECT_NE(msg.find("value 'y' has no fixed-point type"), std::string::npos) << msg;
  g.value(x).type = g.value(y).type = FixedType::parse("ap_fixed<8,3>");
  msg = error_of([&] { passes::verify(g, ctx); });
  EXPECT_NE(msg.find("node 'sig' (Sigmoid): error: internal type 'table' is not set"), std::string::npos) << msg;
  g.node(0).config.types["table"] = FixedType::parse("ap_fixed<18,8>");
  EXPECT_NO_THROW(passes::verify(g, ctx));
}
