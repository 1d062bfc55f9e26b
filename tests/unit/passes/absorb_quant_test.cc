#include <cmath>

#include "tachyon/fixed/fixed.h"
#include "test_util.h"

using namespace tachyon;
using namespace tachyon::ir;
using namespace tachyon::testing;

namespace {

// QONNX reference rounding, written independently of the pass (sign / magnitude forms).
double qround(double v, const std::string& mode) {
  if (mode == "ROUND") return std::nearbyint(v);  // default FE_TONEAREST: ties to even
  if (mode == "FLOOR") return std::floor(v);
  if (mode == "CEIL") return std::ceil(v);
  if (mode == "DOWN" || mode == "ROUND_TO_ZERO") return std::trunc(v);
  if (mode == "UP") return v < 0 ? -std::ceil(-v) : std::ceil(v);
  if (mode == "HALF_UP") return v < 0 ? -std::floor(-v + 0.5) : std::floor(v + 0.5);
  if (mode == "HALF_DOWN") return v < 0 ? -std::ceil(-v - 0.5) : std::ceil(v - 0.5);
  throw std::runtime_error("mode");
}

double qonnx_quant(double x, double scale, double zp, int bits, bool is_signed, bool narrow, const std::string& mode) {
  double qmin = is_signed ? (narrow ? -(std::ldexp(1, bits - 1) - 1) : -std::ldexp(1, bits - 1)) : 0;
  double qmax = is_signed ? std::ldexp(1, bits - 1) - 1 : std::ldexp(1, bits) - (narrow ? 2 : 1);
  double q = std::min(std::max(qround(x / scale + zp, mode), qmin), qmax);
  return (q - zp) * scale;
}

struct Q {
  double scale = 1, zp = 0;
  int bits = 8;
  bool is_signed = true, narrow = false;
  std::string mode = "ROUND";
};

NodeId add_quant(Graph& g, const std::string& name, ValueId x, ValueId y, const Q& q, const Tensor* scale = nullptr) {
  ValueId s = g.add_constant(name + "_s", scale ? *scale : Tensor::scalar(q.scale));
  ValueId z = g.add_constant(name + "_z", Tensor::scalar(q.zp));
  ValueId b = g.add_constant(name + "_b", Tensor::scalar(q.bits));
  NodeId n = g.add_node(Op::Quant, name, {x, s, z, b}, {y});
  g.node(n).attrs.set("signed", int64_t{q.is_signed});
  g.node(n).attrs.set("narrow", int64_t{q.narrow});
  g.node(n).attrs.set("rounding_mode", q.mode);
  g.node(n).source_op = "Quant";
  g.node(n).source_name = name;
  return n;
}

// Values around every rounding boundary of the grid, plus random ones and out-of-range ones.
std::vector<double> probe_values(double scale, int bits) {
  std::vector<double> v;
  const double range = std::ldexp(scale, bits + 1);
  for (double k = -range; k <= range; k += scale / 4) v.push_back(k);  // exact quarters: ties included
  for (double r : random_values(500, -range, range, 99)) v.push_back(r);
  return v;
}

}  // namespace

TEST(AbsorbQuant, PowerOfTwoScaleOnInputIsExactlyACast) {
  const std::vector<std::string> modes{"ROUND", "FLOOR", "ROUND_TO_ZERO", "DOWN", "HALF_UP", "HALF_DOWN", "round"};
  for (const std::string& mode : modes)
    for (Q q : {Q{0.0625, 0, 8, true, false, ""}, Q{0.25, 0, 4, true, true, ""}, Q{0.125, 0, 6, false, false, ""},
                Q{4.0, 0, 3, true, false, ""}, Q{1.0, 0, 1, true, false, ""}}) {
      q.mode = mode;
      Graph g;
      ValueId x = g.add_value("x", {4});
      ValueId y = g.add_value("y", {4});
      add_quant(g, "qin", x, y, q);
      g.inputs.push_back({x, "x", {4}, {}});
      g.outputs.push_back({y, "y", {4}, {}});
      run_passes(g, {"absorb_quant", "cleanup"});
      ASSERT_EQ(g.num_live_nodes(), 0u);
      ASSERT_EQ(g.outputs[0].value, g.inputs[0].value);
      const FixedType t = g.type_of(g.inputs[0].value);
      std::string upper = mode == "round" ? "ROUND" : mode;
      for (double v : probe_values(q.scale, q.bits)) {
        const double want = qonnx_quant(v, q.scale, 0, q.bits, q.is_signed, q.narrow, upper);
        ASSERT_EQ(Fixed::from_double(v, t).to_double(), want)
            << "x=" << v << " type " << t.str() << " mode " << mode << " bits " << q.bits << " scale " << q.scale;
      }
    }
}

TEST(AbsorbQuant, TypesOfTheMapping) {
  Graph g;
  ValueId x = g.add_value("x", {4});
  ValueId y = g.add_value("y", {4});
  add_quant(g, "q", x, y, Q{0.25, 0, 4, true, true, "ROUND"});
  g.inputs.push_back({x, "x", {4}, {}});
  g.outputs.push_back({y, "y", {4}, {}});
  run_passes(g, {"absorb_quant"});
  EXPECT_EQ(g.type_of(g.inputs[0].value).str(), "ap_fixed<4,2,AP_RND_CONV,AP_SAT_SYM>");
  Graph u;
  x = u.add_value("x", {4});
  y = u.add_value("y", {4});
  add_quant(u, "q", x, y, Q{0.125, 0, 6, false, false, "FLOOR"});
  u.inputs.push_back({x, "x", {4}, {}});
  u.outputs.push_back({y, "y", {4}, {}});
  run_passes(u, {"absorb_quant"});
  EXPECT_EQ(u.type_of(u.inputs[0].value).str(), "ap_ufixed<6,3,AP_TRN,AP_SAT>");
}

TEST(AbsorbQuant, ConstantsAreRoundedAndTypedExactly) {
  Graph g;
  ValueId x = g.add_value("x", {4});
  const Tensor w({4, 2}, {0.125, 0.375, -0.625, 2.9, -3.0, 0.1, 1.12, -0.126});
  ValueId wv = g.add_constant("W", w);
  ValueId wq = g.add_value("Wq", {4, 2});
  add_quant(g, "qw", wv, wq, Q{0.25, 0, 4, true, true, "ROUND"});
  ValueId y = g.add_value("y", {2});
  g.add_node(Op::MatMul, "mm", {x, wq}, {y});
  g.inputs.push_back({x, "x", {4}, {}});
  g.outputs.push_back({y, "y", {2}, {}});
  run_passes(g, {"absorb_quant", "cleanup"});
  ASSERT_EQ(op_sequence(g), std::vector<Op>{Op::MatMul});
  const Value& c = g.value(node(g, "mm").inputs[1]);
  ASSERT_TRUE(c.is_constant());
  EXPECT_EQ(c.type->str(), "ap_fixed<4,2,AP_RND_CONV,AP_SAT_SYM>");
  for (size_t i = 0; i < w.data.size(); ++i) {
    double want = qonnx_quant(w.data[i], 0.25, 0, 4, true, true, "ROUND");
    EXPECT_EQ(c.constant->data[i], want) << i;
    EXPECT_EQ(Fixed::from_double(want, *c.type).to_double(), want);  // representable
  }
  EXPECT_EQ(c.constant->data[0], 0.0);    // 0.5 ties to even 0
  EXPECT_EQ(c.constant->data[1], 0.5);    // 1.5 ties to even 2
  EXPECT_EQ(c.constant->data[3], 1.75);   // saturates at 7 * 0.25 (narrow)
  EXPECT_EQ(c.constant->data[4], -1.75);  // narrow: -7, not -8
}

TEST(AbsorbQuant, PerChannelPowerOfTwoConstantsAndCeil) {
  Graph g;
  ValueId x = g.add_value("x", {2});
  const Tensor w({2, 3}, {0.3, 0.3, 0.3, -5.1, 1.01, -0.01});
  const Tensor scale({1, 3}, {0.5, 0.125, 2.0});
  ValueId wq = g.add_value("Wq", {2, 3});
  add_quant(g, "qw", g.add_constant("W", w), wq, Q{1, 0, 4, true, false, "CEIL"}, &scale);
  ValueId y = g.add_value("y", {3});
  g.add_node(Op::MatMul, "mm", {x, wq}, {y});
  g.inputs.push_back({x, "x", {2}, {}});
  g.outputs.push_back({y, "y", {3}, {}});
  run_passes(g, {"absorb_quant", "cleanup"});
  const Value& c = g.value(node(g, "mm").inputs[1]);
  // kmin = -3, kmax = 1: ap_fixed<4 + 1 + 3, 4 + 1>
  EXPECT_EQ(c.type->width, 8);
  EXPECT_EQ(c.type->int_bits, 5);
  for (size_t i = 0; i < 6; ++i) {
    double want = qonnx_quant(w.data[i], scale.data[i % 3], 0, 4, true, false, "CEIL");
    EXPECT_EQ(c.constant->data[i], want) << i;
    EXPECT_EQ(Fixed::from_double(want, *c.type).to_double(), want);
  }
}

TEST(AbsorbQuant, ActivationBecomesTheProducersResultType) {
  Graph g;
  ValueId x = g.add_value("x", {3});
  ValueId r = g.add_value("relu0", {3});
  ValueId y = g.add_value("qa0_q", {3});
  g.add_node(Op::Relu, "relu0", {x}, {r});
  add_quant(g, "qa0", r, y, Q{0.125, 0, 6, false, false, "ROUND"});
  ValueId z = g.add_value("z", {3});
  g.add_node(Op::Sigmoid, "sig", {y}, {z});
  g.inputs.push_back({x, "x", {3}, {}});
  g.outputs.push_back({z, "z", {3}, {}});
  run_passes(g, {"absorb_quant", "cleanup"});
  ASSERT_EQ(op_sequence(g), (std::vector<Op>{Op::Relu, Op::Sigmoid}));
  EXPECT_EQ(g.type_of(node(g, "relu0").outputs[0]).str(), "ap_ufixed<6,3,AP_RND_CONV,AP_SAT>");
  EXPECT_FALSE(g.value(g.inputs[0].value).type.has_value());
}

TEST(AbsorbQuant, CastWhenTheValueHasOtherUsers) {
  Graph g;
  ValueId x = g.add_value("x", {3});
  ValueId r = g.add_value("r", {3});
  ValueId y = g.add_value("y", {3});
  ValueId t = g.add_value("t", {3});
  g.add_node(Op::Relu, "relu", {x}, {r});
  add_quant(g, "q", r, y, Q{0.5, 0, 4, true, false, "ROUND"});
  g.add_node(Op::Tanh, "other", {r}, {t});
  g.inputs.push_back({x, "x", {3}, {}});
  g.outputs.push_back({y, "y", {3}, {}});
  g.outputs.push_back({t, "t", {3}, {}});
  run_passes(g, {"absorb_quant", "cleanup"});
  EXPECT_EQ(count_ops(g, Op::Quant), 0);
  const Node& c = node(g, "q");
  EXPECT_EQ(c.op, Op::Cast);
  EXPECT_EQ(c.inputs.size(), 1u);
  EXPECT_EQ(g.type_of(c.outputs[0]).str(), "ap_fixed<4,3,AP_RND_CONV,AP_SAT>");
  EXPECT_FALSE(g.value(r).type.has_value());
}

TEST(AbsorbQuant, GeneralScaleAndZeroPointBecomeExplicitSteps) {
  Graph g;
  ValueId x = g.add_value("x", {3});
  ValueId y = g.add_value("y", {3});
  add_quant(g, "q", x, y, Q{0.1, 3, 4, false, true, "ROUND"});
  g.inputs.push_back({x, "x", {3}, {}});
  g.outputs.push_back({y, "y", {3}, {}});
  run_passes(g, {"absorb_quant", "cleanup"});
  EXPECT_EQ(op_sequence(g), (std::vector<Op>{Op::Scale, Op::Add, Op::Cast, Op::Clip, Op::Sub, Op::Scale}));
  const Node& cast = node(g, "q");  // the quantizer keeps its name on the rounding step
  EXPECT_EQ(cast.op, Op::Cast);
  EXPECT_EQ(g.type_of(cast.outputs[0]).str(), "ap_ufixed<4,4,AP_RND_CONV,AP_SAT>");
  const Node& clip = node(g, "q_clip");
  EXPECT_EQ(clip.attrs.get_float("max", 0), 14.0);  // unsigned narrow: 2^4 - 2
  const Node& out = node(g, "q_scale_out");
  EXPECT_EQ(out.outputs[0], g.outputs[0].value);
  EXPECT_EQ(g.constant(out.inputs[1]).data[0], 0.1);
  EXPECT_EQ(g.value(out.inputs[1]).type.has_value(), true);
  EXPECT_EQ(Fixed::from_double(0.1, *g.value(out.inputs[1]).type).to_double(), 0.1);  // the scale is exact
  for (NodeId id : g.node_ids()) EXPECT_EQ(g.node(id).source_op, "Quant");
}

TEST(AbsorbQuant, PerChannelActivationScales) {
  Graph g;
  ValueId x = g.add_value("x", {2, 3});
  ValueId y = g.add_value("y", {2, 3});
  const Tensor scale({3}, {0.5, 0.25, 1.0});
  add_quant(g, "q", x, y, Q{1, 0, 8, true, false, "ROUND"}, &scale);
  g.inputs.push_back({x, "x", {2, 3}, {}});
  g.outputs.push_back({y, "y", {2, 3}, {}});
  run_passes(g, {"absorb_quant", "cleanup"});
  EXPECT_EQ(op_sequence(g), (std::vector<Op>{Op::Scale, Op::Cast, Op::Scale}));
  const Node& in = node(g, "q_scale_in");
  const Tensor& inv = g.constant(in.inputs[1]);
  EXPECT_EQ(inv.shape, (Shape{2, 3}));  // per element
  EXPECT_EQ(inv.data, (std::vector<double>{2, 4, 1, 2, 4, 1}));
}

TEST(AbsorbQuant, BipolarAndTrunc) {
  Graph g;
  ValueId x = g.add_value("x", {2});
  ValueId b = g.add_value("b", {2});
  NodeId bq = g.add_node(Op::BipolarQuant, "bq", {x, g.add_constant("s", Tensor::scalar(0.5))}, {b});
  g.node(bq).source_op = "BipolarQuant";
  ValueId t = g.add_value("t", {2});
  NodeId tr = g.add_node(Op::Trunc, "tr",
                         {b, g.add_constant("ts", Tensor::scalar(0.25)), g.add_constant("tz", Tensor::scalar(0)),
                          g.add_constant("tin", Tensor::scalar(8)), g.add_constant("tos", Tensor::scalar(1.0)),
                          g.add_constant("tout", Tensor::scalar(4))},
                         {t});
  g.node(tr).source_op = "Trunc";
  // Bipolar of a constant: +-scale.
  ValueId cb = g.add_value("cb", {3});
  g.add_node(Op::BipolarQuant, "cbq", {g.add_constant("cw", Tensor({3}, {-0.2, 0.0, 3.0})), g.add_constant("cs", Tensor::scalar(2.0))},
             {cb});
  ValueId m = g.add_value("m", {3});
  g.add_node(Op::Mul, "mul", {g.add_value("x2", {3}), cb}, {m});
  g.inputs.push_back({x, "x", {2}, {}});
  g.inputs.push_back({g.node(g.node_ids().back()).inputs[0], "x2", {3}, {}});
  g.outputs.push_back({t, "t", {2}, {}});
  g.outputs.push_back({m, "m", {3}, {}});
  run_passes(g, {"absorb_quant", "cleanup"});
  EXPECT_EQ(count_ops(g, Op::BipolarQuant) + count_ops(g, Op::Trunc), 0);
  const Node& sign = node(g, "bq");
  EXPECT_EQ(sign.op, Op::Cast);
  EXPECT_EQ(g.type_of(sign.outputs[0]).str(), "ap_fixed<1,1,AP_TRN,AP_SAT>");
  EXPECT_EQ(g.constant(node(g, "bq_scale").inputs[1]).data[0], 1.0);   // 2 * scale
  EXPECT_EQ(g.constant(node(g, "bq_offset").inputs[1]).data[0], 0.5);  // + scale
  // sign step: x < 0 -> -1, else 0; then y = 2s*q + s
  for (double v : {-3.0, -0.001, 0.0, 0.3, 7.0}) {
    double q = Fixed::from_double(v, g.type_of(sign.outputs[0])).to_double();
    EXPECT_EQ(1.0 * q + 0.5, v >= 0 ? 0.5 : -0.5) << v;
  }
  const Node& tc = node(g, "tr");
  EXPECT_EQ(tc.op, Op::Cast);
  EXPECT_EQ(g.type_of(tc.outputs[0]).str(), "ap_fixed<4,4,AP_TRN,AP_SAT>");  // out scale 1, FLOOR
  EXPECT_EQ(g.constant(node(g, "mul").inputs[1]).data, (std::vector<double>{-2, 2, 2}));
}

TEST(AbsorbQuant, Errors) {
  Graph g;
  g.source_file = "q.onnx";
  ValueId x = g.add_value("x", {3});
  ValueId y = g.add_value("y", {3});
  add_quant(g, "q", x, y, Q{0.5, 0, 4, true, false, "CEIL"});
  g.inputs.push_back({x, "x", {3}, {}});
  g.outputs.push_back({y, "y", {3}, {}});
  EXPECT_EQ(error_of([&] { run_passes(g, {"absorb_quant"}); }),
            "q.onnx: node 'q' (Quant): error: rounding_mode CEIL / UP has no fixed-point conversion; it is supported only on "
            "constant inputs");
  Graph h;
  x = h.add_value("x", {3});
  y = h.add_value("y", {3});
  add_quant(h, "q", x, y, Q{0.5, 0, 4, true, false, "SIDEWAYS"});
  h.inputs.push_back({x, "x", {3}, {}});
  h.outputs.push_back({y, "y", {3}, {}});
  EXPECT_NE(error_of([&] { run_passes(h, {"absorb_quant"}); }).find("unknown rounding_mode 'SIDEWAYS'"), std::string::npos);
}
