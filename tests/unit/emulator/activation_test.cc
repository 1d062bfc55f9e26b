// Activations: every input code of a small type (exhaustive), reference computed in the
// test from the documented formulas (tables in float, indices from the exact value of x).
#include <cmath>

#include "test_util.h"

namespace tachyon::emulator::testing {
namespace {

using ir::Op;

// Every code of t, as doubles.
std::vector<double> all_codes(const FixedType& t) {
  std::vector<double> v;
  for (int64_t k = 0; k < (int64_t{1} << t.width); ++k) v.push_back(Fixed::from_raw(BigInt(k), t).to_double());
  return v;
}

// A graph x -> op -> y with the given config.
ir::Graph unary(Op op, const FixedType& xt, const FixedType& rt, int64_t n, ir::Attrs a = {},
                std::map<std::string, FixedType> types = {}, int table_size = 1024) {
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {n}, xt);
  ir::ValueId y = gb.node(op, "act", {x}, {n}, rt, std::move(a), std::move(types));
  gb.last().config.table_size = table_size;
  gb.output(y);
  return gb.g;
}

int64_t clamp_idx(double v, int n) { return std::clamp<int64_t>(static_cast<int64_t>(v), 0, n - 1); }

TEST(Activation, Relu) {
  FixedType xt = T("ap_fixed<9,4>"), rt = T("ap_ufixed<6,2,AP_RND,AP_SAT>");
  std::vector<double> xs = all_codes(xt), e;
  for (double x : xs) e.push_back(Fixed::from_double(x > 0 ? x : 0, rt).to_double());
  run_both(unary(Op::Relu, xt, rt, static_cast<int64_t>(xs.size())), {NdArray{{static_cast<int64_t>(xs.size())}, xs}}, {e});
}

TEST(Activation, SigmoidTableAndIndex) {
  FixedType xt = T("ap_fixed<12,6>"), tt = T("ap_fixed<18,8>"), rt = T("ap_fixed<10,2,AP_RND,AP_SAT>");
  for (int n : {1024, 1000, 64}) {
    std::vector<double> xs = all_codes(xt), e;
    for (double x : xs) {
      // trunc toward zero of the exact x*N/16 (exact in double here), then + N/2.
      int64_t k = clamp_idx(std::trunc(x * n / 16.0) + n / 2, n);
      float a = static_cast<float>(16.0 * static_cast<double>(k - n / 2) / n);
      float s = 1.0f / (1.0f + std::exp(-a));
      e.push_back(Fixed::from_double(s, tt).cast(rt).to_double());
    }
    ir::Graph g = unary(Op::Sigmoid, xt, rt, static_cast<int64_t>(xs.size()), {}, {{"table", tt}}, n);
    run_both(g, {NdArray{{static_cast<int64_t>(xs.size())}, xs}}, {e}, "sigmoid N=" + std::to_string(n));
  }
}

TEST(Activation, SigmoidIndexTruncatesTowardZero) {
  // x = -1/64 (ap_fixed<12,6>: one LSB): x*1024/16 = -1 -> index 511;
  // x = -1/128 is not representable there; with ap_fixed<14,6> x = -1/256: x*64 = -0.25 -> trunc 0
  // -> index 512 (floor would give 511); x = +1/256 -> 512 as well.
  FixedType xt = T("ap_fixed<14,6>"), tt = T("ap_fixed<18,8>"), rt = T("ap_fixed<18,8>");
  ir::Graph g = unary(Op::Sigmoid, xt, rt, 4, {}, {{"table", tt}});
  auto entry = [&](int k) {
    float a = static_cast<float>(16.0 * (k - 512) / 1024);
    return Fixed::from_double(1.0f / (1.0f + std::exp(-a)), tt).to_double();
  };
  run_both(g, {NdArray{{4}, {-1.0 / 256, 1.0 / 256, -1.0 / 64, -31}}}, {{entry(512), entry(512), entry(511), entry(0)}});
}

TEST(Activation, Tanh) {
  FixedType xt = T("ap_fixed<11,4>"), tt = T("ap_fixed<18,8>"), rt = T("ap_fixed<8,1,AP_RND,AP_SAT>");
  for (int n : {1024, 500}) {
    std::vector<double> xs = all_codes(xt), e;
    for (double x : xs) {
      int64_t k = clamp_idx(std::trunc(x * n / 8.0) + n / 2, n);
      float a = static_cast<float>(8.0 * static_cast<double>(k - n / 2) / n);
      e.push_back(Fixed::from_double(std::tanh(a), tt).cast(rt).to_double());
    }
    ir::Graph g = unary(Op::Tanh, xt, rt, static_cast<int64_t>(xs.size()), {}, {{"table", tt}}, n);
    run_both(g, {NdArray{{static_cast<int64_t>(xs.size())}, xs}}, {e}, "tanh N=" + std::to_string(n));
  }
}

TEST(Activation, Elu) {
  FixedType xt = T("ap_fixed<11,5>"), tt = T("ap_fixed<18,8>"), pt = T("ap_fixed<8,2>"), rt = T("ap_fixed<10,4>");
  const double alpha = 1.3;
  std::vector<double> xs = all_codes(xt), e;
  Fixed ap = Fixed::from_double(alpha, pt);
  for (double x : xs) {
    if (x > 0) {
      e.push_back(Fixed::from_double(x, rt).to_double());
      continue;
    }
    int64_t k = clamp_idx(std::trunc(-x * 1024 / 8.0), 1024);
    float a = static_cast<float>(-8.0 * static_cast<double>(k) / 1024);
    Fixed t = Fixed::from_double(std::exp(a) - 1.0f, tt);
    e.push_back((ap * t).cast(rt).to_double());
  }
  ir::Graph g = unary(Op::Elu, xt, rt, static_cast<int64_t>(xs.size()), attrs({{"alpha", alpha}}), {{"table", tt}, {"param", pt}});
  run_both(g, {NdArray{{static_cast<int64_t>(xs.size())}, xs}}, {e});
}

TEST(Activation, LeakyReluAndPRelu) {
  FixedType xt = T("ap_fixed<10,4>"), pt = T("ap_fixed<6,0,AP_RND>"), rt = T("ap_fixed<12,4,AP_RND_ZERO,AP_SAT>");
  std::vector<double> xs = all_codes(xt), e;
  Fixed a = Fixed::from_double(0.1, pt);  // 0.1 -> 6/64 (RND) = 0.09375
  EXPECT_EQ(a.to_double(), 0.09375);
  for (double x : xs) {
    Fixed fx = Fixed::from_double(x, xt);
    e.push_back((x > 0 ? fx : fx * a).cast(rt).to_double());
  }
  auto n = static_cast<int64_t>(xs.size());
  run_both(unary(Op::LeakyRelu, xt, rt, n, attrs({{"alpha", 0.1}}), {{"param", pt}}), {NdArray{{n}, xs}}, {e}, "leaky");

  // PRelu: slopes per last-axis channel: x (n/4, 4).
  std::vector<double> slopes{0.25, -0.5, 0.1, 0.3};
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {n / 4, 4}, xt);
  ir::ValueId s = gb.constant("slope", {4}, slopes, T("ap_fixed<8,1>"));
  ir::ValueId y = gb.node(Op::PRelu, "prelu", {x, s}, {n / 4, 4}, rt, {}, {{"param", pt}});
  gb.output(y);
  std::vector<double> e2;
  for (int64_t i = 0; i < n; ++i) {
    Fixed fx = Fixed::from_double(xs[static_cast<size_t>(i)], xt);
    Fixed sl = Fixed::from_double(slopes[static_cast<size_t>(i % 4)], pt);
    e2.push_back((xs[static_cast<size_t>(i)] > 0 ? fx : fx * sl).cast(rt).to_double());
  }
  run_both(gb.g, {NdArray{{n / 4, 4}, xs}}, {e2}, "prelu");
}

TEST(Activation, HardSigmoid) {
  FixedType xt = T("ap_fixed<10,4>"), pt = T("ap_fixed<10,1,AP_RND>"), rt = T("ap_fixed<8,1,AP_RND,AP_SAT>");
  std::vector<double> xs = all_codes(xt), e;
  Fixed a = Fixed::from_double(0.2, pt), b = Fixed::from_double(0.5, pt);
  for (double x : xs) {
    double v = (a * Fixed::from_double(x, xt) + b).to_double();  // exact in double here
    v = std::clamp(v, 0.0, 1.0);
    e.push_back(Fixed::from_double(v, rt).to_double());
  }
  auto n = static_cast<int64_t>(xs.size());
  run_both(unary(Op::HardSigmoid, xt, rt, n, {}, {{"param", pt}}), {NdArray{{n}, xs}}, {e});
}

TEST(Activation, Clip) {
  FixedType xt = T("ap_fixed<10,4>"), rt = T("ap_fixed<8,3>");
  std::vector<double> xs = all_codes(xt), e;
  // Bounds converted to <10,4,AP_RND,AP_SAT>: -1.01 -> -1.015625 (ties/round to nearest of 1/64
  // steps: -64.64 -> -65); 100 -> saturates to the largest code 7.984375.
  FixedType bt = T("ap_fixed<10,4,AP_RND,AP_SAT>");
  double lo = Fixed::from_double(-1.01, bt).to_double(), hi = Fixed::from_double(100, bt).to_double();
  EXPECT_EQ(lo, -65.0 / 64);
  for (double x : xs) e.push_back(Fixed::from_double(std::clamp(x, lo, hi), rt).to_double());
  auto n = static_cast<int64_t>(xs.size());
  run_both(unary(Op::Clip, xt, rt, n, attrs({{"min", -1.01}, {"max", 100.0}})), {NdArray{{n}, xs}}, {e}, "clip");
  // No bounds: only the conversion.
  std::vector<double> e2;
  for (double x : xs) e2.push_back(Fixed::from_double(x, rt).to_double());
  run_both(unary(Op::Clip, xt, rt, n), {NdArray{{n}, xs}}, {e2}, "clip unbounded");
}

TEST(Activation, MissingInternalTypeIsAnError) {
  ir::Graph g = unary(Op::Sigmoid, T("ap_fixed<8,3>"), T("ap_fixed<8,3>"), 4);
  try {
    Emulator emu(g);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'act' (Sigmoid)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("internal type 'table'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tachyon::emulator::testing
