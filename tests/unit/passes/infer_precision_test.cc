#include <cmath>

#include "tachyon/fixed/fixed.h"
#include "test_util.h"

using namespace tachyon;
using namespace tachyon::ir;
using namespace tachyon::testing;
using nlohmann::json;

namespace {

passes::PassContext ctx_of(json cfg) {
  passes::PassContext ctx;
  ctx.config = std::move(cfg);
  return ctx;
}

bool on_grid(double v, const FixedType& t) {
  double k = std::ldexp(v, t.frac_bits());
  return k == std::floor(k);
}

}  // namespace

// Exhaustive: every input code pair of a 2-input Dense; every sum fits the inferred accum
// exactly, and one integer bit fewer would not do.
TEST(InferPrecision, DenseAccumulatorHoldsEveryResultExactly) {
  Graph g;
  ValueId x = g.add_value("x", {2});
  const Tensor w({2, 3}, {0.5, -1.75, 1.0, 1.25, 0.25, -0.75});
  const Tensor b({3}, {0.03125, -3.0, 7.5});  // on the ap_fixed<10,5> grid
  ValueId y = g.add_value("y", {3});
  g.add_node(Op::Dense, "fc", {x, g.add_constant("w", w), g.add_constant("b", b)}, {y});
  g.inputs.push_back({x, "x", {2}, {}});
  g.outputs.push_back({y, "y", {3}, {}});
  json cfg = {{"LayerName",
               {{"x", {{"Precision", "ap_fixed<6,3>"}}},
                {"fc", {{"Precision", {{"weight", "ap_fixed<4,2>"}, {"bias", "ap_fixed<10,5>"}, {"accum", "auto"}, {"result", "auto"}}}}}}}};
  run_passes(g, {"apply_config", "infer_precision", "verify"}, ctx_of(cfg));
  const Node& fc = node(g, "fc");
  const FixedType acc = fc.config.types.at("accum");
  EXPECT_TRUE(acc.is_signed);
  EXPECT_EQ(acc.frac_bits(), std::max(3 + 2, 5));
  EXPECT_EQ(g.type_of(fc.outputs[0]), acc);  // auto result = accum
  const FixedType tx = g.type_of(x);
  double smax = 0, smin = 0;
  for (int a = -32; a < 32; ++a)
    for (int c = -32; c < 32; ++c) {
      const double x0 = std::ldexp(a, -3), x1 = std::ldexp(c, -3);
      ASSERT_EQ(Fixed::from_double(x0, tx).to_double(), x0);
      for (size_t j = 0; j < 3; ++j) {
        const double s = b.data[j] + x0 * w.data[j] + x1 * w.data[3 + j];  // exact in double
        ASSERT_GE(s, acc.min_value());
        ASSERT_LE(s, acc.max_value());
        ASSERT_TRUE(on_grid(s, acc)) << s;
        smax = std::max(smax, s);
        smin = std::min(smin, s);
      }
    }
  FixedType smaller = acc;
  smaller.int_bits -= 1;
  smaller.width -= 1;
  EXPECT_TRUE(smax > smaller.max_value() || smin < smaller.min_value()) << acc.str() << " " << smin << " " << smax;
}

TEST(InferPrecision, ConvAccumulatorCoversThePaddedWindows) {
  Graph g;
  ValueId x = g.add_value("x", {5, 2});
  const Tensor w({3, 2, 2}, random_values(12, -2, 2, 5));
  ValueId y = g.add_value("y", {5, 2});
  NodeId c = g.add_node(Op::Conv, "conv", {x, g.add_constant("w", w)}, {y});
  g.node(c).attrs.set("pads", std::vector<int64_t>{1, 1});
  g.inputs.push_back({x, "x", {5, 2}, {}});
  g.outputs.push_back({y, "y", {5, 2}, {}});
  json cfg = {{"LayerName", {{"x", {{"Precision", "ap_ufixed<4,2>"}}}, {"conv", {{"Precision", {{"weight", "ap_fixed<6,2>"}, {"accum", "auto"}}}}}}}};
  run_passes(g, {"apply_config", "infer_precision"}, ctx_of(cfg));
  const FixedType acc = node(g, "conv").config.types.at("accum");
  const FixedType tw = g.type_of(node(g, "conv").inputs[1]);
  // Worst case by channel: all inputs at max where the weight is positive.
  for (int64_t co = 0; co < 2; ++co) {
    double hi = 0, lo = 0;
    for (int64_t i = 0; i < 6; ++i) {
      double q = Fixed::from_double(w.data[static_cast<size_t>(i * 2 + co)], tw).to_double();
      (q > 0 ? hi : lo) += q * 3.75;
    }
    EXPECT_LE(hi, acc.max_value());
    EXPECT_GE(lo, acc.min_value());
  }
  EXPECT_EQ(acc.frac_bits(), 2 + 4);
  EXPECT_EQ(g.type_of(node(g, "conv").outputs[0]).str(), "ap_fixed<16,6>");  // result not auto
}

TEST(InferPrecision, ElementwiseLayoutAndDefaults) {
  Graph g;
  ValueId a = g.add_value("a", {4});
  ValueId b = g.add_value("b", {4});
  ValueId s = g.add_value("s", {4});
  ValueId m = g.add_value("m", {4});
  ValueId r = g.add_value("r", {4});
  ValueId t = g.add_value("t", {2, 2});
  ValueId cat = g.add_value("cat", {8});
  ValueId sm = g.add_value("sm", {8});
  g.add_node(Op::Add, "add", {a, b}, {s});
  g.add_node(Op::Mul, "mul", {a, b}, {m});
  g.add_node(Op::Relu, "relu", {s}, {r});
  g.add_node(Op::Reshape, "reshape", {r}, {t});
  NodeId c = g.add_node(Op::Concat, "cat", {a, b}, {cat});
  g.node(c).attrs.set("axis", int64_t{0});
  g.add_node(Op::Softmax, "softmax", {cat}, {sm});
  g.inputs.push_back({a, "a", {4}, {}});
  g.inputs.push_back({b, "b", {4}, {}});
  g.outputs.push_back({m, "m", {4}, {}});
  g.outputs.push_back({t, "t", {2, 2}, {}});
  g.outputs.push_back({sm, "sm", {8}, {}});
  json cfg = {{"Model", {{"Precision", {{"default", "ap_fixed<10,4>"}}}}},
              {"LayerName",
               {{"a", {{"Precision", "ap_fixed<8,3>"}}},
                {"b", {{"Precision", "ap_ufixed<6,2>"}}},
                {"add", {{"Precision", "auto"}}},
                {"mul", {{"Precision", "auto"}}},
                {"relu", {{"Precision", "auto"}}},
                {"cat", {{"Precision", "auto"}}},
                {"softmax", {{"Precision", {{"result", "auto"}}}}}}}};
  run_passes(g, {"apply_config", "infer_precision", "verify"}, ctx_of(cfg));
  const FixedType ta = FixedType::parse("ap_fixed<8,3>"), tb = FixedType::parse("ap_ufixed<6,2>");
  EXPECT_EQ(g.type_of(s), add_type(ta, tb));
  EXPECT_EQ(g.type_of(m), mul_type(ta, tb));
  EXPECT_EQ(g.type_of(r), g.type_of(s));  // relu keeps the input type
  EXPECT_EQ(g.type_of(t), g.type_of(s));  // reshape moves bits
  const FixedType tc = g.type_of(cat);    // holds both inputs
  EXPECT_TRUE(tc.is_signed);
  EXPECT_EQ(tc.frac_bits(), 5);
  EXPECT_LE(tc.min_value(), ta.min_value());
  EXPECT_GE(tc.max_value(), tb.max_value());
  EXPECT_EQ(g.type_of(sm).str(), "ap_fixed<10,4>");  // no rule for softmax: the Model default
}

TEST(InferPrecision, PoolAccumAndConstants) {
  Graph g;
  ValueId x = g.add_value("x", {4, 4, 2});
  ValueId p = g.add_value("p", {2});
  g.add_node(Op::GlobalAvgPool, "gap", {x}, {p});
  ValueId y = g.add_value("y", {2});
  g.add_node(Op::Mul, "mul", {p, g.add_constant("k", Tensor({2}, {0.375, -3.0}))}, {y});
  g.inputs.push_back({x, "x", {4, 4, 2}, {}});
  g.outputs.push_back({y, "y", {2}, {}});
  json cfg = {{"LayerName", {{"gap", {{"Precision", {{"accum", "auto"}}}}}, {"mul", {{"Precision", "auto"}}}}}};
  run_passes(g, {"apply_config", "infer_precision", "verify"}, ctx_of(cfg));
  // 16 cells, e = 4: the input type ap_fixed<16,6> with width + 2e and integer bits + e.
  EXPECT_EQ(node(g, "gap").config.types.at("accum").str(), "ap_fixed<24,10>");
  EXPECT_EQ(g.type_of(node(g, "mul").inputs[1]).str(), "ap_fixed<6,3>");       // exact: -3 .. 0.375
}
