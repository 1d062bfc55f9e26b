// Every other layer in RTL (Icarus) against the emulator: convolutions, pooling, table
// activations (ROMs), softmax, element-wise arithmetic, layout ops, activations.
#include "helpers.h"

using namespace vtest;

namespace {

FixedType T(const char* s) { return FixedType::parse(s); }

}  // namespace

TEST(LayersRtl, Conv1DAndConv2D) {
  TempDir tmp("conv");
  std::mt19937 rng(21);
  FixedType xt = T("ap_fixed<8,3>"), wt = T("ap_fixed<6,2>");
  {
    // Conv1D (L=9, C=2) -> 3 filters, kernel 3, stride 2, pads 1/1, then Relu.
    GraphBuilder b("conv1d");
    ValueId y = conv1d_stride2_pad1(b, rng, xt, wt);
    ValueId r = b.node(Op::Relu, "relu", {y}, {5, 3}, T("ap_ufixed<8,3>"));
    b.output(r, "y");
    NdArray xs = random_inputs(b.g, 200, rng);
    expect_rtl_matches_emulator(b.g, xs, tmp, "conv1d");
  }
  {
    // Conv2D 5x5x2 -> 4 filters 3x3, pads 1, groups 2, dilation 1; saturating accumulator.
    GraphBuilder b("conv2d");
    ValueId x = b.input("x", {5, 5, 2}, xt);
    ValueId w = b.constant("w", random_tensor({3, 3, 1, 4}, wt, rng), wt);
    ValueId y = b.node(Op::Conv, "conv", {x, w}, {5, 5, 4}, T("ap_fixed<8,3>"), {{"accum", T("ap_fixed<10,4,AP_RND,AP_SAT>")}});
    b.last().attrs.set("pads", std::vector<int64_t>{1, 1, 1, 1});
    b.last().attrs.set("group", int64_t{2});
    b.output(y, "y");
    NdArray xs = random_inputs(b.g, 100, rng);
    expect_rtl_matches_emulator(b.g, xs, tmp, "conv2d", 4.0);
  }
  {
    // Dilated, strided Conv2D, wide exact accumulator.
    GraphBuilder b("conv2d_dil");
    ValueId x = b.input("x", {6, 6, 1}, xt);
    ValueId w = b.constant("w", random_tensor({2, 2, 1, 2}, wt, rng), wt);
    ValueId y = b.node(Op::Conv, "conv", {x, w}, {2, 2, 2}, T("ap_fixed<12,5>"), {{"accum", T("ap_fixed<20,8>")}});
    b.last().attrs.set("strides", std::vector<int64_t>{2, 2});
    b.last().attrs.set("dilations", std::vector<int64_t>{2, 2});
    b.output(y, "y");
    NdArray xs = random_inputs(b.g, 100, rng);
    expect_rtl_matches_emulator(b.g, xs, tmp, "conv2d_dil");
  }
}

TEST(LayersRtl, Pooling) {
  TempDir tmp("pool");
  std::mt19937 rng(22);
  FixedType xt = T("ap_fixed<8,3>");
  GraphBuilder b("pools");
  ValueId x = b.input("x", {4, 5, 2}, xt);
  ValueId mp = b.node(Op::MaxPool, "maxp", {x}, {2, 3, 2}, T("ap_fixed<8,3>"));
  b.last().attrs.set("kernel_shape", std::vector<int64_t>{2, 2});
  b.last().attrs.set("strides", std::vector<int64_t>{2, 2});
  b.last().attrs.set("pads", std::vector<int64_t>{0, 0, 0, 1});
  b.output(mp, "maxp");
  ValueId ap = b.node(Op::AvgPool, "avgp", {x}, {4, 5, 2}, T("ap_fixed<10,3,AP_RND>"), {{"accum", T("ap_fixed<10,4,AP_TRN,AP_SAT>")}});
  b.last().attrs.set("kernel_shape", std::vector<int64_t>{3, 3});
  b.last().attrs.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  b.last().attrs.set("count_include_pad", int64_t{0});
  b.output(ap, "avgp");
  ValueId gap = b.node(Op::GlobalAvgPool, "gap", {x}, {1, 1, 2}, T("ap_fixed<12,3,AP_RND_CONV>"), {{"accum", T("ap_fixed<14,7>")}});
  b.output(gap, "gap");
  ValueId gmp = b.node(Op::GlobalMaxPool, "gmp", {x}, {1, 1, 2}, T("ap_fixed<6,2,AP_RND,AP_SAT>"));
  b.output(gmp, "gmp");
  // Several outputs: compare codes through simulate_codes against the emulator's values.
  backends::BackendOptions o;
  o.output_dir = tmp.sub("pools");
  o.force = true;
  o.project_name = "pools";
  backends::verilog::write_project(b.g, o);
  NdArray xs = random_inputs(b.g, 100, rng);
  emulator::Emulator emu(b.g);
  std::vector<NdArray> ref = emu.predict({xs});
  std::vector<std::vector<BigInt>> codes;
  for (int64_t s = 0; s < 100; ++s) {
    std::vector<BigInt> c;
    for (int64_t k = 0; k < 40; ++k) c.push_back(Fixed::from_double(xs.data[static_cast<size_t>(s * 40 + k)], xt).raw());
    codes.push_back(c);
  }
  auto out = backends::verilog::simulate_codes(o.output_dir, codes, backends::verilog::Simulator::Icarus);
  int bad = 0;
  for (int64_t s = 0; s < 100; ++s) {
    size_t k = 0;
    for (size_t p = 0; p < ref.size(); ++p) {
      const FixedType& t = *b.g.value(b.g.outputs[p].value).type;
      int64_t per = ref[p].num_elements() / 100;
      for (int64_t e = 0; e < per; ++e, ++k) {
        double want = ref[p].data[static_cast<size_t>(s * per + e)];
        double got = Fixed::from_raw(out[static_cast<size_t>(s)][k], t).to_double();
        if (want != got && ++bad < 10) ADD_FAILURE() << b.g.outputs[p].name << " sample " << s << " element " << e << ": rtl " << got << " emulator " << want;
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

TEST(LayersRtl, TableActivations) {
  TempDir tmp("tables");
  std::mt19937 rng(23);
  struct Case {
    Op op;
    const char* x;
    const char* r;
    int n;
    const char* function = "";  // UnaryTable's function; Relu: a threshold (ThresholdedRelu)
  };
  const Case cases[] = {{Op::Sigmoid, "ap_fixed<16,6>", "ap_fixed<16,6>", 1024},
                        {Op::Tanh, "ap_fixed<10,4>", "ap_fixed<8,2,AP_RND,AP_SAT>", 1024},
                        {Op::Sigmoid, "ap_fixed<8,4>", "ap_ufixed<8,0,AP_RND,AP_SAT>", 64},
                        {Op::Tanh, "ap_fixed<12,2>", "ap_fixed<10,1>", 100},
                        {Op::Elu, "ap_fixed<12,4>", "ap_fixed<12,4>", 1024},
                        {Op::UnaryTable, "ap_fixed<12,5>", "ap_fixed<12,5>", 1024, "softplus"},
                        {Op::UnaryTable, "ap_fixed<10,4>", "ap_fixed<8,1,AP_RND,AP_SAT>", 100, "softsign"},
                        {Op::UnaryTable, "ap_fixed<14,4>", "ap_fixed<10,2>", 63, "erf"},
                        {Op::Relu, "ap_fixed<10,3>", "ap_fixed<10,3>", 0, "theta"},
                        {Op::Relu, "ap_ufixed<8,2>", "ap_fixed<9,3>", 0, "theta"}};
  int k = 0;
  for (const Case& c : cases) {
    std::string name = "table" + std::to_string(k++);
    SCOPED_TRACE(name);
    GraphBuilder b(name);
    ValueId x = b.input("x", {6}, T(c.x));
    std::map<std::string, FixedType> types{{"table", T("ap_fixed<18,8>")}};
    if (c.op == Op::Elu || c.op == Op::Relu) types["param"] = T("ap_fixed<8,2>");
    if (c.op == Op::Relu) types.erase("table");
    ValueId y = b.node(c.op, "act", {x}, {6}, T(c.r), types);
    if (c.n > 0) b.last().config.table_size = c.n;
    if (c.op == Op::Elu) b.last().attrs.set("alpha", 0.7);
    if (c.op == Op::UnaryTable) b.last().attrs.set("function", std::string(c.function));
    if (c.op == Op::Relu) b.last().attrs.set("theta", 0.3);  // 19/64 in ap_fixed<8,2> (AP_TRN)
    b.output(y, "y");
    NdArray xs = random_inputs(b.g, 400, rng, 1.0);
    expect_rtl_matches_emulator(b.g, xs, tmp, name, 3.0);
  }
}

// The three implementations at rounding, saturating types are op suite cases
// (tests/opsuite: SoftmaxStable, SoftmaxLatency, SoftmaxArgmax).
TEST(LayersRtl, Softmax) {
  TempDir tmp("softmax");
  std::mt19937 rng(24);
  // A saturating accumulator: the sum follows hls4ml's adder tree.
  GraphBuilder b("softmax_sat");
  ValueId x = b.input("x", {2, 5}, T("ap_fixed<8,3>"));
  ValueId y = b.node(Op::Softmax, "sm", {x}, {2, 5}, T("ap_fixed<8,3>"),
                     {{"inp_norm", T("ap_ufixed<7,2>")},
                      {"exp_table", T("ap_fixed<18,8,AP_RND,AP_SAT>")},
                      {"inv_table", T("ap_fixed<18,8,AP_RND,AP_SAT>")},
                      {"accum", T("ap_fixed<8,2,AP_RND,AP_SAT>")},
                      {"inv_inp", T("ap_fixed<18,8,AP_RND,AP_SAT>")}});
  b.last().config.table_size = 128;
  b.output(y, "y");
  NdArray xs = random_inputs(b.g, 300, rng, 0.5);
  expect_rtl_matches_emulator(b.g, xs, tmp, "sm_sat", 4.0);
}

TEST(LayersRtl, ElementwiseAndLayout) {
  TempDir tmp("elementwise");
  std::mt19937 rng(25);
  FixedType xt = T("ap_fixed<8,3>"), pt = T("ap_fixed<8,2>");
  GraphBuilder b("ew");
  ValueId x = b.input("x", {2, 3}, xt);
  ValueId bn = b.node(Op::BatchNorm, "bn",
                      {x, b.constant("scale", random_tensor({3}, pt, rng, 0), pt), b.constant("shift", random_tensor({3}, pt, rng, 0), pt)},
                      {2, 3}, T("ap_fixed<10,4,AP_RND,AP_SAT>"));
  ValueId add = b.node(Op::Add, "add", {x, bn}, {2, 3}, T("ap_fixed<9,4>"));
  ValueId sub = b.node(Op::Sub, "sub", {bn, b.constant("c", random_tensor({3}, pt, rng, 0), pt)}, {2, 3}, T("ap_fixed<9,4,AP_RND_ZERO,AP_SAT_SYM>"));
  ValueId mul = b.node(Op::Mul, "mul", {add, sub}, {2, 3}, T("ap_fixed<10,5,AP_RND_INF,AP_WRAP,1>"));
  ValueId sc = b.node(Op::Scale, "scale", {mul, b.constant("s", ir::Tensor::scalar(-1.375), pt)}, {2, 3}, T("ap_fixed<10,5>"));
  ValueId cat = b.node(Op::Concat, "cat", {sc, x}, {2, 6}, T("ap_fixed<9,4,AP_RND,AP_SAT>"));
  b.last().attrs.set("axis", int64_t{1});
  ValueId tr = b.node(Op::Transpose, "tr", {cat}, {6, 2}, T("ap_fixed<9,4,AP_RND,AP_SAT>"));
  b.last().attrs.set("perm", std::vector<int64_t>{1, 0});
  ValueId pad = b.node(Op::Pad, "pad", {tr}, {7, 4}, T("ap_fixed<9,4,AP_RND,AP_SAT>"));
  b.last().attrs.set("pads", std::vector<int64_t>{1, 1, 0, 1});
  b.last().attrs.set("value", 0.75);
  ValueId rs = b.node(Op::Reshape, "rs", {pad}, {28}, T("ap_fixed<9,4,AP_RND,AP_SAT>"));
  ValueId hs = b.node(Op::HardSigmoid, "hs", {rs}, {28}, T("ap_ufixed<8,1,AP_RND,AP_SAT>"), {{"param", T("ap_fixed<8,1,AP_RND>")}});
  b.last().attrs.set("alpha", 0.2);
  b.last().attrs.set("beta", 0.5);
  ValueId cl = b.node(Op::Clip, "clip", {rs}, {28}, T("ap_fixed<8,3>"));
  b.last().attrs.set("min", -1.3);
  b.last().attrs.set("max", 2.2);
  ValueId pr = b.node(Op::PRelu, "prelu", {cl, b.constant("slope", random_tensor({28}, pt, rng, 0), pt)}, {28}, T("ap_fixed<8,3>"));
  ValueId both = b.node(Op::Concat, "out", {hs, pr}, {56}, T("ap_fixed<10,3>"));
  b.last().attrs.set("axis", int64_t{0});
  b.output(both, "y");
  NdArray xs = random_inputs(b.g, 300, rng);
  expect_rtl_matches_emulator(b.g, xs, tmp, "ew", 2.5);
}
