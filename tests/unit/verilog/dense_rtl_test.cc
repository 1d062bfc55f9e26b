// Dense layers in RTL (Icarus) against the emulator: the three accumulation modes, every
// kind of accumulator, deep pipelines (short clock periods), DSP mode.
#include <fmt/format.h>

#include "helpers.h"
#include "tachyon/backends/verilog/project.h"

using namespace vtest;

namespace {

FixedType T(const char* s) { return FixedType::parse(s); }

// x[n_in] -> Dense -> y[n_out]
ir::Graph dense_graph(int n_in, int n_out, const FixedType& xt, const FixedType& wt, const FixedType& bt,
                      const FixedType& acc, const FixedType& rt, uint32_t seed, double zeros = 0.2) {
  std::mt19937 rng(seed);
  GraphBuilder b("dense");
  ValueId x = b.input("x", {n_in}, xt);
  ValueId w = b.constant("w", random_tensor({n_in, n_out}, wt, rng, zeros), wt);
  ValueId bias = b.constant("b", random_tensor({n_out}, bt, rng, 0.1), bt);
  ValueId y = b.node(Op::Dense, "fc", {x, w, bias}, {n_out}, rt, {{"accum", acc}});
  b.output(y, "y");
  return b.g;
}

struct DenseCase {
  const char* name;
  const char* x;
  const char* w;
  const char* acc;
  const char* r;
  double period;
};

}  // namespace

TEST(DenseRtl, AccumulationModesMatchEmulator) {
  TempDir tmp("dense_modes");
  const DenseCase cases[] = {
      // exact: wide accumulator holds every product and sum
      {"exact", "ap_fixed<8,3>", "ap_fixed<6,2>", "ap_fixed<24,10>", "ap_fixed<12,4,AP_RND,AP_SAT>", 5.0},
      // modular, products truncated one by one (hls4ml default precisions)
      {"default16", "ap_fixed<16,6>", "ap_fixed<16,6>", "ap_fixed<16,6>", "ap_fixed<16,6>", 5.0},
      // modular with rounding products
      {"modular_rnd", "ap_fixed<10,4>", "ap_fixed<8,2>", "ap_fixed<12,5,AP_RND_CONV>", "ap_fixed<8,3>", 3.0},
      // modular, products on the grid but overflowing: wrap-around sums
      {"wrap_small", "ap_fixed<8,4>", "ap_fixed<6,3>", "ap_fixed<10,6>", "ap_fixed<8,4>", 5.0},
      // sequential: saturating accumulator that overflows
      {"seq_sat", "ap_fixed<8,3>", "ap_fixed<8,3>", "ap_fixed<10,4,AP_RND,AP_SAT>", "ap_fixed<8,3,AP_RND_ZERO,AP_SAT>", 5.0},
      {"seq_satsym", "ap_fixed<8,3>", "ap_fixed<8,3>", "ap_fixed<10,4,AP_TRN_ZERO,AP_SAT_SYM>", "ap_fixed<8,3>", 2.0},
      {"seq_satzero", "ap_fixed<8,3>", "ap_fixed<6,3>", "ap_fixed<9,4,AP_RND_INF,AP_SAT_ZERO>", "ap_fixed<9,4>", 5.0},
      {"seq_wrap_n1", "ap_fixed<8,3>", "ap_fixed<8,3>", "ap_fixed<10,4,AP_RND_MIN_INF,AP_WRAP,1>", "ap_fixed<8,3>", 5.0},
      // unsigned input and accumulator
      {"unsigned", "ap_ufixed<8,2>", "ap_fixed<6,1>", "ap_ufixed<12,5,AP_TRN,AP_SAT>", "ap_ufixed<8,3,AP_RND,AP_SAT>", 5.0},
      // integer types
      {"ints", "ap_int<6>", "ap_int<4>", "ap_int<12>", "ap_int<8>", 5.0},
  };
  uint32_t seed = 1;
  for (const DenseCase& c : cases) {
    SCOPED_TRACE(c.name);
    FixedType wt = T(c.w);
    ir::Graph g = dense_graph(12, 7, T(c.x), wt, wt, T(c.acc), T(c.r), seed++);
    std::mt19937 rng(seed * 7);
    NdArray x = random_inputs(g, 300, rng);
    expect_rtl_matches_emulator(g, x, tmp, c.name, c.period);
  }
}

TEST(DenseRtl, ShortClockPeriodsPipelineDeeper) {
  TempDir tmp("dense_clock");
  ir::Graph g = dense_graph(16, 8, T("ap_fixed<16,6>"), T("ap_fixed<16,6>"), T("ap_fixed<16,6>"),
                            T("ap_fixed<16,6>"), T("ap_fixed<16,6>"), 42, 0.1);
  std::mt19937 rng(3);
  NdArray x = random_inputs(g, 200, rng);
  int slow = expect_rtl_matches_emulator(g, x, tmp, "slow", 20.0);
  int fast = expect_rtl_matches_emulator(g, x, tmp, "fast", 1.5);
  EXPECT_GT(fast, slow);
  EXPECT_GE(slow, 1);
}

TEST(DenseRtl, SequentialChainPipelines) {
  TempDir tmp("dense_seq");
  ir::Graph g = dense_graph(20, 3, T("ap_fixed<8,3>"), T("ap_fixed<8,3>"), T("ap_fixed<8,3>"),
                            T("ap_fixed<9,3,AP_RND_CONV,AP_SAT>"), T("ap_fixed<8,3>"), 5, 0.0);
  std::mt19937 rng(9);
  NdArray x = random_inputs(g, 200, rng);
  int lat = expect_rtl_matches_emulator(g, x, tmp, "seq", 2.0);
  EXPECT_GT(lat, 4);  // a 20-step saturating chain cannot fit in one 2 ns stage
}

TEST(DenseRtl, DspModeAndPlainCsdMatch) {
  TempDir tmp("dense_dsp");
  ir::Graph g = dense_graph(10, 6, T("ap_fixed<12,4>"), T("ap_fixed<10,3>"), T("ap_fixed<10,3>"),
                            T("ap_fixed<18,8>"), T("ap_fixed<12,4>"), 77);
  std::mt19937 rng(11);
  NdArray x = random_inputs(g, 200, rng);
  expect_rtl_matches_emulator(g, x, tmp, "dsp", 5.0, {{"dsp", true}});
  expect_rtl_matches_emulator(g, x, tmp, "csd", 5.0, {{"mcm", false}});
  expect_rtl_matches_emulator(g, x, tmp, "mcm", 5.0, {{"arithmetic", "mcm"}});
}

TEST(DenseRtl, TwoLayerMlpWithActivations) {
  TempDir tmp("mlp");
  std::mt19937 rng(5);
  FixedType t = T("ap_fixed<12,5>"), acc = T("ap_fixed<20,8>");
  GraphBuilder b("mlp");
  ValueId x = b.input("x", {8}, t);
  ValueId w1 = b.constant("w1", random_tensor({8, 6}, t, rng), t);
  ValueId b1 = b.constant("b1", random_tensor({6}, t, rng), t);
  ValueId h = b.node(Op::Dense, "fc1", {x, w1, b1}, {6}, t, {{"accum", acc}});
  ValueId r = b.node(Op::Relu, "relu1", {h}, {6}, T("ap_ufixed<10,4,AP_RND,AP_SAT>"));
  ValueId w2 = b.constant("w2", random_tensor({6, 4}, t, rng), t);
  ValueId h2 = b.node(Op::Dense, "fc2", {r, w2}, {4}, t, {{"accum", acc}});
  ValueId l = b.node(Op::LeakyRelu, "lrelu", {h2}, {4}, T("ap_fixed<10,4,AP_RND_CONV,AP_SAT_SYM>"),
                     {{"param", T("ap_fixed<8,1>")}});
  b.last().attrs.set("alpha", 0.3);
  ValueId w3 = b.constant("w3", random_tensor({4, 3}, t, rng), t);
  ValueId b3 = b.constant("b3", random_tensor({3}, t, rng), t);
  ValueId h3 = b.node(Op::Dense, "fc3", {l, w3, b3}, {3}, t, {{"accum", T("ap_fixed<12,5,AP_RND,AP_SAT>")}});
  ValueId y = b.node(Op::Cast, "out", {h3}, {3}, T("ap_fixed<8,2,AP_RND,AP_SAT>"));
  b.output(y, "y");
  NdArray xs = random_inputs(b.g, 300, rng);
  expect_rtl_matches_emulator(b.g, xs, tmp, "mlp", 3.0);
}

// Regression: a Dense layer fed by a ReLU whose accumulator rounds every product (hls4ml's
// post-training "8-bit weights" configuration) simulated a few LSBs off with Verilator 5.006,
// whose DFG optimizer miscompiles the rounding adder of products that are plain bit slices
// (sim.cc passes -fno-dfg). Every quantization mode of the accumulator, wrapping and
// saturating, with Icarus; the three wrapping rounding modes with Verilator too (two of them
// failed), as three branches of one graph so that Verilator builds once.
namespace {

// Dense(16->24) -> ReLU -> Dense(24->10), every node of type `t` (accumulators too); weights
// ap_fixed<8,-1> drawn from `rng`.
ValueId relu_mlp_branch(GraphBuilder& b, ValueId x, FixedType t, std::mt19937& rng, const std::string& tag) {
  FixedType wt = T("ap_fixed<8,-1,AP_RND,AP_SAT>");
  ValueId w1 = b.constant("w1" + tag, random_tensor({16, 24}, wt, rng, 0.1), wt);
  ValueId b1 = b.constant("b1" + tag, random_tensor({24}, wt, rng, 0.1), wt);
  ValueId h = b.node(Op::Dense, "fc1" + tag, {x, w1, b1}, {24}, t, {{"accum", t}});
  ValueId r = b.node(Op::Relu, "relu1" + tag, {h}, {24}, t);
  ValueId w2 = b.constant("w2" + tag, random_tensor({24, 10}, wt, rng, 0.1), wt);
  ValueId b2 = b.constant("b2" + tag, random_tensor({10}, wt, rng, 0.1), wt);
  return b.node(Op::Dense, "fc2" + tag, {r, w2, b2}, {10}, t, {{"accum", t}});
}

}  // namespace

TEST(DenseRtl, RoundingAccumulatorAfterRelu) {
  TempDir tmp("dense_relu_rnd");
  const char* quants[] = {"AP_TRN", "AP_TRN_ZERO", "AP_RND", "AP_RND_ZERO", "AP_RND_MIN_INF", "AP_RND_INF", "AP_RND_CONV"};
  const char* ovfs[] = {"AP_WRAP", "AP_SAT"};
  uint32_t seed = 100;
  for (const char* q : quants)
    for (const char* o : ovfs) {
      std::mt19937 rng(seed++);
      FixedType t = T(fmt::format("ap_fixed<12,4,{},{}>", q, o).c_str());
      GraphBuilder b("relu_dense");
      ValueId x = b.input("x", {16}, t);
      b.output(relu_mlp_branch(b, x, t, rng, ""), "y");
      NdArray xs = random_inputs(b.g, 200, rng, 4.0);
      SCOPED_TRACE(fmt::format("{}_{}", q, o));
      expect_rtl_matches_emulator(b.g, xs, tmp, fmt::format("{}_{}_icarus", q, o), 100.0);
    }
  if (!backends::verilog::have_program("verilator")) GTEST_SKIP() << "verilator not installed";
  std::mt19937 rng(200);
  GraphBuilder b("relu_dense_verilator");
  ValueId x = b.input("x", {16}, T("ap_fixed<12,4,AP_RND,AP_WRAP>"));
  std::vector<ValueId> ys;
  for (const char* q : {"AP_RND", "AP_RND_INF", "AP_RND_CONV"})
    ys.push_back(relu_mlp_branch(b, x, T(fmt::format("ap_fixed<12,4,{},AP_WRAP>", q).c_str()), rng, q));
  // The branches share the format ap_fixed<12,4>, so the concatenation copies their bits.
  b.output(b.node(Op::Concat, "all", ys, {30}, T("ap_fixed<12,4>")), "y");
  NdArray xs = random_inputs(b.g, 300, rng, 4.0);
  expect_rtl_matches_emulator(b.g, xs, tmp, "rounding_verilator", 100.0, {{"simulator", "verilator"}});
}

// Ternary adders (a carry-save step feeding one carry chain, rtl_emit) in every sign pattern:
// one Dense layer per case with three power-of-two weights (one CSD term each, so each sum is
// exactly one ternary adder: none of its pairs occurs twice), with shifts that give
// pass-through low bits or none, exact and wrapping accumulators, with and without a bias
// (a constant operand), on a signed and an unsigned input type. Icarus against the emulator.
TEST(DenseRtl, TernaryAddersEverySignPattern) {
  TempDir tmp("dense_ternary");
  const int shift_sets[][3] = {{0, 0, 0}, {0, 1, 2}, {2, 0, 1}, {3, 3, 0}, {1, 2, 2}};
  for (const char* xs : {"ap_fixed<4,1>", "ap_ufixed<4,2>"}) {
    GraphBuilder b("tern");
    FixedType xt = T(xs), wt = T("ap_fixed<8,4>");  // 4 bits: 2^12 samples each
    ValueId x = b.input("x", {3}, xt);
    int k = 0;
    for (int signs = 0; signs < 8; ++signs)
      for (const auto& sh : shift_sets)
        for (int variant = 0; variant < 3; ++variant) {  // exact; wrapping 6-bit accumulator; with a bias
          std::vector<double> w(3);
          for (int i = 0; i < 3; ++i) w[static_cast<size_t>(i)] = ((signs >> i) & 1 ? -1.0 : 1.0) * std::ldexp(1.0, sh[i] - 1);
          std::vector<ValueId> ins{x, b.constant(fmt::format("w{}", k), {3, 1}, w, wt)};
          if (variant == 2) ins.push_back(b.constant(fmt::format("b{}", k), {1}, {signs % 2 ? -0.75 : 1.25}, wt));
          FixedType acc = variant == 1 ? T("ap_fixed<6,3>") : T("ap_fixed<16,8>");
          ValueId y = b.node(Op::Dense, fmt::format("d{}", k), ins, {1}, acc, {{"accum", acc}});
          b.output(y, fmt::format("y{}", k));
          ++k;
        }
    // Every code of the three inputs, every output compared.
    std::string name = xs[3] == 'u' ? "tern_u" : "tern_s";
    backends::BackendOptions o;
    o.output_dir = tmp.sub(name);
    o.project_name = name;
    o.force = true;
    o.extra = {{"adder_inputs", 3}};
    backends::verilog::write_project(b.g, o);
    const int64_t nc = int64_t{1} << xt.width;
    std::vector<std::vector<BigInt>> codes;
    NdArray in;
    in.shape = {nc * nc * nc, 3};
    for (int64_t c = 0; c < nc * nc * nc; ++c) {
      std::vector<BigInt> row;
      for (int64_t i = 0, r = c; i < 3; ++i, r /= nc) {
        Fixed v = Fixed::from_raw(BigInt(r % nc), xt);  // raw bits read in the type (two's complement if signed)
        row.push_back(v.raw());
        in.data.push_back(v.to_double());
      }
      codes.push_back(row);
    }
    auto rtl = backends::verilog::simulate_codes(o.output_dir, codes, backends::verilog::Simulator::Icarus);
    emulator::Emulator emu(b.g);
    std::vector<NdArray> ref = emu.predict({in});
    ASSERT_EQ(rtl.size(), codes.size());
    ASSERT_EQ(ref.size(), static_cast<size_t>(k));
    int bad = 0;
    for (size_t s = 0; s < codes.size(); ++s)
      for (size_t j = 0; j < ref.size(); ++j) {
        FixedType yt = b.g.value(b.g.outputs[j].value).type.value();
        BigInt want = Fixed::from_double(ref[j].data[s], yt).raw();
        if (rtl[s][j] != want && ++bad <= 10)
          ADD_FAILURE() << name << " output " << j << " sample " << s << ": rtl " << rtl[s][j].to_dec() << ", emulator "
                        << want.to_dec();
      }
    EXPECT_EQ(bad, 0);
    nlohmann::json m = nlohmann::json::parse(read_file(std::filesystem::path(o.output_dir) / "tachyon_project.json"));
    int ternary = 0;
    for (const auto& l : m.at("layers")) ternary += l.at("ternary_adders").get<int>();
    EXPECT_EQ(ternary, k) << "every sum should be one ternary adder";
  }
}
