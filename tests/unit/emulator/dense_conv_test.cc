// Dense and Conv: hand-computed cases and a reference computed step by step with
// tachyon::Fixed (products converted to accum_t, `+=` in accum_t in the documented order,
// result converted to result_t), compared bit for bit with both kernel flavours.
#include "tachyon/emulator/emulator.h"

#include "test_util.h"

namespace tachyon::emulator::testing {
namespace {

using ir::Op;

// Reference Dense on one row.
std::vector<Fixed> ref_dense(const std::vector<Fixed>& x, const std::vector<double>& w, const std::vector<double>& b,
                             const FixedType& wt, const FixedType& bt, const FixedType& acc_t, const FixedType& rt,
                             int64_t n_out) {
  std::vector<Fixed> y;
  auto n_in = static_cast<int64_t>(x.size());
  for (int64_t j = 0; j < n_out; ++j) {
    Fixed acc = b.empty() ? Fixed(acc_t) : Fixed::from_double(b[static_cast<size_t>(j)], bt).cast(acc_t);
    for (int64_t i = 0; i < n_in; ++i) {
      Fixed wv = Fixed::from_double(w[static_cast<size_t>(i * n_out + j)], wt);
      Fixed p = (x[static_cast<size_t>(i)] * wv).cast(acc_t);
      acc = (acc + p).cast(acc_t);
    }
    y.push_back(acc.cast(rt));
  }
  return y;
}

struct DenseCase {
  FixedType xt, wt, bt, acc_t, rt;
  int64_t n_in, n_out;
};

ir::Graph dense_graph(const DenseCase& c, const std::vector<double>& w, const std::vector<double>& b, ir::Shape xshape = {}) {
  GraphBuilder gb;
  if (xshape.empty()) xshape = {c.n_in};
  ir::ValueId x = gb.input("x", xshape, c.xt);
  ir::ValueId wv = gb.constant("w", {c.n_in, c.n_out}, w, c.wt);
  std::vector<ir::ValueId> ins{x, wv};
  if (!b.empty()) ins.push_back(gb.constant("b", {c.n_out}, b, c.bt));
  ir::Shape ys = xshape;
  ys.back() = c.n_out;
  ir::ValueId y = gb.node(Op::Dense, "fc", ins, ys, c.rt, {}, {{"accum", c.acc_t}});
  gb.output(y);
  return gb.g;
}

TEST(Dense, HandComputedRounding) {
  // x = [1.5, -2.25] in ap_fixed<8,4>; w = [0.5, 0.75]; accum ap_fixed<6,3,AP_RND,AP_SAT>
  // (3 fraction bits): 1.5*0.5 = 0.75 exact; -2.25*0.75 = -1.6875 = -13.5/8 -> RND (ties
  // up) -13/8 = -1.625. bias 0.3 in ap_fixed<8,2> -> 19/64 = 0.296875 -> accum RND -> 2/8.
  // acc = 0.25 + 0.75 - 1.625 = -0.625; result ap_fixed<4,3> (TRN, 1 fraction bit) -> -1.0.
  DenseCase c{T("ap_fixed<8,4>"), T("ap_fixed<8,2>"), T("ap_fixed<8,2>"), T("ap_fixed<6,3,AP_RND,AP_SAT>"),
              T("ap_fixed<4,3>"), 2, 1};
  ir::Graph g = dense_graph(c, {0.5, 0.75}, {0.3});
  run_both(g, {NdArray{{2}, {1.5, -2.25}}}, {{-1.0}}, "hand");
}

TEST(Dense, SaturationDependsOnOrder) {
  // accum ap_fixed<6,3,AP_TRN,AP_SAT> holds [-4, 3.875]: 3 + 3 saturates to 3.875, then
  // - 3 gives 0.875 (the exact sum would be 3).
  DenseCase c{T("ap_fixed<8,4>"), T("ap_fixed<8,4>"), T("ap_fixed<8,4>"), T("ap_fixed<6,3,AP_TRN,AP_SAT>"),
              T("ap_fixed<8,4>"), 3, 1};
  run_both(dense_graph(c, {1, 1, 1}, {}), {NdArray{{3}, {3, 3, -3}}}, {{0.875}}, "sat");
  // Wrapping: 3 + 3 = 6 wraps to -2, then -2 - 3 = -5 wraps to 3.
  c.acc_t = T("ap_fixed<6,3>");
  run_both(dense_graph(c, {1, 1, 1}, {}), {NdArray{{3}, {3, 3, -3}}}, {{3.0}}, "wrap");
  // Order: i = 0 first. With x = [-3, 3, 3]: -3 + 3 = 0, + 3 = 3.
  c.acc_t = T("ap_fixed<6,3,AP_TRN,AP_SAT>");
  run_both(dense_graph(c, {1, 1, 1}, {}), {NdArray{{3}, {-3, 3, 3}}}, {{3.0}}, "order");
}

TEST(Dense, ZeroWeightsAndMissingBias) {
  DenseCase c{T("ap_fixed<8,4>"), T("ap_fixed<8,4>"), T("ap_fixed<8,4>"), T("ap_fixed<12,6>"), T("ap_fixed<8,4>"), 3, 2};
  // w (3x2): column 0 = [0, 1, 0.5], column 1 = [0, 0, 0]
  run_both(dense_graph(c, {0, 0, 1, 0, 0.5, 0}, {}), {NdArray{{3}, {7, 1.25, -2}}}, {{0.25, 0.0}}, "zeros");
}

// Every accumulator quantization and overflow mode, on three paths of the fast kernel:
// products quantized (accum has fewer fraction bits), pre-shifted weights (more fraction
// bits), and the i128 path (64-bit accumulator); plus wrap with saturation bits.
TEST(Dense, AllAccumulatorModesMatchReference) {
  std::mt19937_64 rng(1234);
  const Quant qs[] = {Quant::TRN, Quant::TRN_ZERO, Quant::RND, Quant::RND_ZERO, Quant::RND_MIN_INF, Quant::RND_INF,
                      Quant::RND_CONV};
  const Overflow os[] = {Overflow::WRAP, Overflow::SAT, Overflow::SAT_ZERO, Overflow::SAT_SYM};
  struct Shape {
    int w, i;
  };
  const Shape accs[] = {{10, 4}, {24, 4}, {64, 20}, {20, 14}};
  int checked = 0;
  for (Shape as : accs)
    for (Quant q : qs)
      for (Overflow o : os)
        for (bool is_signed : {true, false}) {
          DenseCase c{T("ap_fixed<10,3>"), T("ap_fixed<9,1>"), T("ap_fixed<10,3>"),
                      FixedType{as.w, as.i, is_signed, q, o, 0}, T("ap_fixed<10,4,AP_RND,AP_SAT>"), 19, 5};
          // 19 inputs: blocks of 8 and a tail in the vectorized loops.
          std::vector<double> w = on_grid(rng, 19 * 5, c.wt, -1, 1);
          std::vector<double> b = uniform(rng, 5, -3, 3);
          ir::Graph g = dense_graph(c, w, b, {4, 19});
          std::vector<double> xs = uniform(rng, 4 * 19, -4, 4);
          std::vector<double> expected;
          for (int r = 0; r < 4; ++r) {
            std::vector<Fixed> x;
            for (int i = 0; i < 19; ++i) x.push_back(Fixed::from_double(xs[static_cast<size_t>(r * 19 + i)], c.xt));
            for (double v : to_doubles(ref_dense(x, w, b, c.wt, c.bt, c.acc_t, c.rt, 5))) expected.push_back(v);
          }
          run_both(g, {NdArray{{4, 19}, xs}}, {expected}, c.acc_t.str());
          EXPECT_EQ(kernel_flavour(g, "fc"), is_signed || as.w < 64 ? "fast" : "general") << c.acc_t.str();
          ++checked;
        }
  EXPECT_EQ(checked, 4 * 7 * 4 * 2);
  // Saturation bits (AP_WRAP with N > 0).
  DenseCase c{T("ap_fixed<10,3>"), T("ap_fixed<9,1>"), T("ap_fixed<10,3>"), T("ap_fixed<8,3,AP_TRN,AP_WRAP,2>"),
              T("ap_fixed<10,4>"), 7, 5};
  std::vector<double> w = on_grid(rng, 35, c.wt, -1, 1), b = uniform(rng, 5, -3, 3), xs = uniform(rng, 7, -4, 4);
  std::vector<Fixed> x;
  for (double v : xs) x.push_back(Fixed::from_double(v, c.xt));
  run_both(dense_graph(c, w, b), {NdArray{{7}, xs}}, {to_doubles(ref_dense(x, w, b, c.wt, c.bt, c.acc_t, c.rt, 5))},
           "sat bits");
}

TEST(Dense, WideAccumulatorUsesGeneralPath) {
  std::mt19937_64 rng(7);
  DenseCase c{T("ap_fixed<40,10>"), T("ap_fixed<48,8>"), T("ap_fixed<40,10>"), T("ap_fixed<100,30,AP_RND,AP_SAT>"),
              T("ap_fixed<70,20,AP_RND_CONV,AP_SAT>"), 6, 3};
  std::vector<double> w = uniform(rng, 18, -100, 100), b = uniform(rng, 3, -50, 50), xs = uniform(rng, 6, -500, 500);
  ir::Graph g = dense_graph(c, w, b);
  EXPECT_EQ(kernel_flavour(g, "fc"), "general");
  std::vector<Fixed> x;
  for (double v : xs) x.push_back(Fixed::from_double(v, c.xt));
  std::vector<Fixed> ref = ref_dense(x, w, b, c.wt, c.bt, c.acc_t, c.rt, 3);
  Emulator emu(g);
  // The output type is wider than a double's significand: predict returns the correctly
  // rounded double of the exact value.
  NdArray y = emu.predict({NdArray{{6}, xs}})[0];
  for (size_t j = 0; j < 3; ++j) EXPECT_EQ(y.data[j], ref[j].to_double());
  // An unsigned 64-bit value takes the general path too.
  DenseCase u{T("ap_ufixed<64,20>"), T("ap_fixed<8,2>"), T("ap_fixed<8,2>"), T("ap_fixed<32,16>"), T("ap_fixed<16,8>"), 2, 1};
  EXPECT_EQ(kernel_flavour(dense_graph(u, {0.5, 1}, {}), "fc"), "general");
}

// ---- Conv -------------------------------------------------------------------------------

struct ConvCase {
  int64_t H, W, C, KH, KW, F, G, SH, SW, DH, DW, PT, PL, PB, PR;
  FixedType xt, wt, bt, acc_t, rt;
};

int64_t out_dim(int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1) {
  return (in + p0 + p1 - ((k - 1) * d + 1)) / s + 1;
}

// Reference: loops in (kernel row, kernel column, input channel) order, padding = zeros.
std::vector<double> ref_conv(const ConvCase& c, const std::vector<double>& xs, const std::vector<double>& w,
                             const std::vector<double>& b) {
  int64_t OH = out_dim(c.H, c.KH, c.SH, c.DH, c.PT, c.PB), OW = out_dim(c.W, c.KW, c.SW, c.DW, c.PL, c.PR);
  int64_t cpg = c.C / c.G, fpg = c.F / c.G;
  std::vector<double> y;
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow)
      for (int64_t f = 0; f < c.F; ++f) {
        Fixed acc = Fixed::from_double(b[static_cast<size_t>(f)], c.bt).cast(c.acc_t);
        for (int64_t kh = 0; kh < c.KH; ++kh)
          for (int64_t kw = 0; kw < c.KW; ++kw)
            for (int64_t ci = 0; ci < cpg; ++ci) {
              int64_t ih = oh * c.SH - c.PT + kh * c.DH, iw = ow * c.SW - c.PL + kw * c.DW;
              if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;  // zero padding
              int64_t ch = (f / fpg) * cpg + ci;
              Fixed x = Fixed::from_double(xs[static_cast<size_t>((ih * c.W + iw) * c.C + ch)], c.xt);
              Fixed wv = Fixed::from_double(w[static_cast<size_t>(((kh * c.KW + kw) * cpg + ci) * c.F + f)], c.wt);
              acc = (acc + (x * wv).cast(c.acc_t)).cast(c.acc_t);
            }
        y.push_back(acc.cast(c.rt).to_double());
      }
  return y;
}

void check_conv(const ConvCase& c, uint64_t seed, bool one_d) {
  std::mt19937_64 rng(seed);
  int64_t OH = out_dim(c.H, c.KH, c.SH, c.DH, c.PT, c.PB), OW = out_dim(c.W, c.KW, c.SW, c.DW, c.PL, c.PR);
  std::vector<double> xs = uniform(rng, static_cast<size_t>(c.H * c.W * c.C), -3, 3);
  std::vector<double> w = on_grid(rng, static_cast<size_t>(c.KH * c.KW * (c.C / c.G) * c.F), c.wt, -1, 1);
  std::vector<double> b = uniform(rng, static_cast<size_t>(c.F), -1, 1);
  GraphBuilder gb;
  ir::ValueId x = one_d ? gb.input("x", {c.W, c.C}, c.xt) : gb.input("x", {c.H, c.W, c.C}, c.xt);
  ir::Shape wshape = one_d ? ir::Shape{c.KW, c.C / c.G, c.F} : ir::Shape{c.KH, c.KW, c.C / c.G, c.F};
  ir::ValueId wv = gb.constant("w", wshape, w, c.wt);
  ir::ValueId bv = gb.constant("b", {c.F}, b, c.bt);
  ir::Attrs a = one_d ? attrs({{"strides", std::vector<int64_t>{c.SW}},
                               {"dilations", std::vector<int64_t>{c.DW}},
                               {"pads", std::vector<int64_t>{c.PL, c.PR}},
                               {"group", c.G}})
                      : attrs({{"strides", std::vector<int64_t>{c.SH, c.SW}},
                               {"dilations", std::vector<int64_t>{c.DH, c.DW}},
                               {"pads", std::vector<int64_t>{c.PT, c.PL, c.PB, c.PR}},
                               {"group", c.G}});
  ir::Shape ys = one_d ? ir::Shape{OW, c.F} : ir::Shape{OH, OW, c.F};
  ir::ValueId y = gb.node(Op::Conv, "conv", {x, wv, bv}, ys, c.rt, a, {{"accum", c.acc_t}});
  gb.output(y);
  NdArray in{one_d ? std::vector<int64_t>{c.W, c.C} : std::vector<int64_t>{c.H, c.W, c.C}, xs};
  run_both(gb.g, {in}, {ref_conv(c, xs, w, b)}, one_d ? "conv1d" : "conv2d");
  EXPECT_EQ(kernel_flavour(gb.g, "conv"), "fast");
}

TEST(Conv, Conv2DPaddingStride) {
  FixedType xt = T("ap_fixed<8,3>"), wt = T("ap_fixed<6,1>"), bt = T("ap_fixed<8,2>");
  // 6x5x2 input, 3x3 kernel, 3 filters, stride 2x1, pads 1,1,1,0; narrow accum that saturates.
  check_conv({6, 5, 2, 3, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 0, xt, wt, bt, T("ap_fixed<8,3,AP_RND,AP_SAT>"),
              T("ap_fixed<8,3>")},
             1, false);
  // Same with a wrapping accumulator and asymmetric pads.
  check_conv({6, 5, 2, 3, 2, 4, 1, 1, 2, 1, 1, 0, 2, 1, 1, xt, wt, bt, T("ap_fixed<7,2>"), T("ap_fixed<8,3,AP_RND_CONV,AP_SAT>")},
             2, false);
}

TEST(Conv, DilationGroupsDepthwise) {
  FixedType xt = T("ap_fixed<8,3>"), wt = T("ap_fixed<6,1>"), bt = T("ap_fixed<8,2>");
  // Dilation 2, groups 2 (4 input channels, 6 filters).
  check_conv({7, 7, 4, 2, 3, 6, 2, 1, 1, 2, 2, 1, 1, 1, 1, xt, wt, bt, T("ap_fixed<16,6>"), T("ap_fixed<12,5>")}, 3, false);
  // Depthwise: group == channels, one filter per channel.
  check_conv({5, 5, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, xt, wt, bt, T("ap_fixed<10,4,AP_RND,AP_SAT>"), T("ap_fixed<8,4>")},
             4, false);
}

TEST(Conv, Conv1D) {
  FixedType xt = T("ap_fixed<8,3>"), wt = T("ap_fixed<6,1>"), bt = T("ap_fixed<8,2>");
  check_conv({1, 16, 3, 1, 4, 5, 1, 1, 3, 1, 1, 0, 2, 0, 1, xt, wt, bt, T("ap_fixed<9,3,AP_RND,AP_SAT>"), T("ap_fixed<8,3>")},
             5, true);
  check_conv({1, 12, 2, 1, 3, 2, 1, 1, 1, 1, 2, 0, 0, 0, 0, xt, wt, bt, T("ap_fixed<20,8>"), T("ap_fixed<8,3>")}, 6, true);
}

TEST(Conv, BadGeometryIsAnError) {
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {4, 4, 2}, T("ap_fixed<8,3>"));
  ir::ValueId w = gb.constant("w", {3, 3, 2, 1}, std::vector<double>(18, 0.5), T("ap_fixed<8,3>"));
  ir::ValueId y = gb.node(Op::Conv, "conv", {x, w}, {3, 3, 1}, T("ap_fixed<8,3>"), {}, {{"accum", T("ap_fixed<16,6>")}});
  gb.output(y);
  try {
    Emulator emu(gb.g);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'conv' (Conv)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("output shape"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tachyon::emulator::testing
