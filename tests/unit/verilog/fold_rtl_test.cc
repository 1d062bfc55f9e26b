// Folded Dense layers (ReuseFactor > 1) in RTL against the emulator: every split of R into
// input and output slices, the accumulators a fold may use, several rows, both simulators,
// the handshake ports and the refusals.
#include <fmt/format.h>

#include "helpers.h"
#include "tachyon/backends/verilog/project.h"
#include "tachyon/support/error.h"

using namespace vtest;

namespace {

FixedType T(const char* s) { return FixedType::parse(s); }

// x[rows, n_in] (or x[n_in]) -> Dense (ReuseFactor r) -> y
ir::Graph folded_graph(int rows, int n_in, int n_out, const FixedType& xt, const FixedType& wt, const FixedType& acc,
                       const FixedType& rt, int r, uint32_t seed) {
  std::mt19937 rng(seed);
  GraphBuilder b("folded");
  ir::Shape xs = rows > 1 ? ir::Shape{rows, n_in} : ir::Shape{n_in};
  ir::Shape ys = rows > 1 ? ir::Shape{rows, n_out} : ir::Shape{n_out};
  ValueId x = b.input("x", xs, xt);
  ValueId w = b.constant("w", random_tensor({n_in, n_out}, wt, rng, 0.2), wt);
  ValueId bias = b.constant("b", random_tensor({n_out}, wt, rng, 0.1), wt);
  ValueId y = b.node(Op::Dense, "fc", {x, w, bias}, ys, rt, {{"accum", acc}});
  b.last().config.reuse_factor = r;
  b.output(y, "y");
  return b.g;
}

nlohmann::json manifest_of(const TempDir& tmp, const std::string& name) {
  return nlohmann::json::parse(read_file(std::filesystem::path(tmp.sub(name)) / "tachyon_project.json"));
}

std::string write_error(const ir::Graph& g, const TempDir& tmp, const std::string& name) {
  backends::BackendOptions o;
  o.output_dir = tmp.sub(name);
  o.project_name = name;
  o.clock_period_ns = 5.0;
  try {
    backends::verilog::write_project(g, o);
  } catch (const Error& e) {
    EXPECT_FALSE(std::filesystem::exists(o.output_dir)) << "a refused design must not leave a folder";
    return e.what();
  }
  ADD_FAILURE() << name << ": expected an error";
  return "";
}

}  // namespace

TEST(FoldedDenseRtl, EverySplitOfTheReuseFactorMatchesEmulator) {
  TempDir tmp("fold_splits");
  // 12 inputs x 6 outputs: R = r_in * r_out with r_in = gcd(R, 12).
  for (int r : {2, 3, 8, 9, 12, 18, 24, 72}) {
    SCOPED_TRACE(fmt::format("R={}", r));
    ir::Graph g = folded_graph(1, 12, 6, T("ap_fixed<16,6>"), T("ap_fixed<16,6>"), T("ap_fixed<16,6>"), T("ap_fixed<16,6>"), r,
                               static_cast<uint32_t>(r));
    std::mt19937 rng(static_cast<uint32_t>(r) * 5);
    NdArray x = random_inputs(g, 120, rng);
    const std::string name = fmt::format("r{}", r);
    int latency = expect_rtl_matches_emulator(g, x, tmp, name);
    nlohmann::json m = manifest_of(tmp, name);
    EXPECT_EQ(m.at("interval_cycles").get<int>(), r);
    EXPECT_GE(latency, r + 3);
    EXPECT_EQ(m.at("layers").at(0).at("reuse_factor").get<int>(), r);
    EXPECT_TRUE(m.at("synth_dsp").get<bool>()) << "folded products are DSP multipliers";
    // The multipliers: 72 / R slots, fewer when a slot's weights are all zero.
    int mults = m.at("layers").at(0).at("multipliers").get<int>();
    EXPECT_LE(mults, 72 / r);
    EXPECT_GE(mults, 1);
  }
}

TEST(FoldedDenseRtl, AccumulatorsAndTypesMatchEmulator) {
  TempDir tmp("fold_types");
  struct Case {
    const char* name;
    const char* x;
    const char* w;
    const char* acc;
    const char* r;
    int rows, reuse;
  };
  const Case cases[] = {
      // exact: the accumulator holds every product and every partial sum
      {"exact_sat", "ap_fixed<8,3>", "ap_fixed<6,2>", "ap_fixed<24,10,AP_TRN,AP_SAT>", "ap_fixed<12,4,AP_RND,AP_SAT>", 1, 4},
      // wrap-around sums on the accumulator's grid
      {"wrap_small", "ap_fixed<8,4>", "ap_fixed<6,3>", "ap_fixed<10,6>", "ap_fixed<8,4>", 1, 6},
      // products rounded onto the accumulator (AP_RND)
      {"rnd_products", "ap_fixed<10,4>", "ap_fixed<8,2>", "ap_fixed<12,5,AP_RND>", "ap_fixed<8,3>", 1, 3},
      // products finer than needed: shifted left onto a finer accumulator grid
      {"fine_acc", "ap_fixed<6,3>", "ap_fixed<4,1>", "ap_fixed<20,6>", "ap_fixed<8,3,AP_RND_CONV,AP_SAT>", 1, 2},
      // unsigned input, wrapping unsigned accumulator
      {"unsigned", "ap_ufixed<8,2>", "ap_fixed<6,1>", "ap_ufixed<12,5>", "ap_ufixed<8,3,AP_RND,AP_SAT>", 1, 4},
      {"ints", "ap_int<6>", "ap_int<4>", "ap_int<12>", "ap_int<8>", 1, 12},
      // three rows, each its own fold
      {"rows", "ap_fixed<16,6>", "ap_fixed<8,2>", "ap_fixed<16,6>", "ap_fixed<16,6>", 3, 6},
  };
  uint32_t seed = 11;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ir::Graph g = folded_graph(c.rows, 12, 6, T(c.x), T(c.w), T(c.acc), T(c.r), c.reuse, seed++);
    std::mt19937 rng(seed * 3);
    NdArray x = random_inputs(g, 150, rng);
    expect_rtl_matches_emulator(g, x, tmp, c.name);
  }
}

TEST(FoldedDenseRtl, FastClockRegistersTheMultiplyTwice) {
  TempDir tmp("fold_fast");
  // 16 x 12-bit products: one DSP stage (2.6 ns in the model) fits 5 ns, not 2.5 ns.
  ir::Graph g = folded_graph(1, 8, 4, T("ap_fixed<16,6>"), T("ap_fixed<12,2>"), T("ap_fixed<16,6>"), T("ap_fixed<16,6>"), 4, 21);
  std::mt19937 rng(8);
  NdArray x = random_inputs(g, 100, rng);
  int slow = expect_rtl_matches_emulator(g, x, tmp, "slow", 5.0);
  int fast = expect_rtl_matches_emulator(g, x, tmp, "fast", 2.5);
  std::string v = read_file(std::filesystem::path(tmp.sub("fast")) / "fast.v");
  EXPECT_NE(v.find("pm0_0 <="), std::string::npos) << "the fast design registers the product twice";
  EXPECT_EQ(read_file(std::filesystem::path(tmp.sub("slow")) / "slow.v").find("pm0_0"), std::string::npos);
  EXPECT_GE(fast, slow + 1);
  EXPECT_LE(manifest_of(tmp, "fast").at("timing_model").at("max_stage_delay_ns").get<double>(), 2.5 - 0.4 + 1e-9);
}

TEST(FoldedDenseRtl, VerilatorAgreesAndHandshakePortsExist) {
  if (!backends::verilog::have_program("verilator")) GTEST_SKIP() << "verilator not installed";
  TempDir tmp("fold_verilator");
  ir::Graph g = folded_graph(1, 16, 10, T("ap_fixed<16,6>"), T("ap_fixed<16,6>"), T("ap_fixed<16,6>"), T("ap_fixed<16,6>"), 20, 5);
  std::mt19937 rng(9);
  NdArray x = random_inputs(g, 200, rng);
  expect_rtl_matches_emulator(g, x, tmp, "v", 5.0, {{"simulator", "verilator"}});
  std::string v = read_file(std::filesystem::path(tmp.sub("v")) / "v.v");
  for (const char* port : {"input wire in_valid", "output wire in_ready", "output wire out_valid"})
    EXPECT_NE(v.find(port), std::string::npos) << port;
  EXPECT_NE(v.find("INTERVAL = 20 cycles"), std::string::npos);
}

TEST(FoldedDenseRtl, UnfoldedDesignsKeepThePlainInterface) {
  TempDir tmp("fold_plain");
  ir::Graph g = folded_graph(1, 4, 3, T("ap_fixed<8,3>"), T("ap_fixed<8,3>"), T("ap_fixed<16,6>"), T("ap_fixed<8,3>"), 1, 2);
  std::mt19937 rng(2);
  expect_rtl_matches_emulator(g, random_inputs(g, 20, rng), tmp, "p");
  std::string v = read_file(std::filesystem::path(tmp.sub("p")) / "p.v");
  EXPECT_EQ(v.find("in_valid"), std::string::npos);
  EXPECT_EQ(manifest_of(tmp, "p").at("interval_cycles").get<int>(), 1);
}

TEST(FoldedDenseRtl, RefusesWhatAFoldCannotReproduce) {
  TempDir tmp("fold_refuse");
  // A saturating accumulator that can overflow: the result depends on the order of the sums.
  std::string e = write_error(
      folded_graph(1, 12, 6, T("ap_fixed<8,3>"), T("ap_fixed<8,3>"), T("ap_fixed<10,4,AP_RND,AP_SAT>"), T("ap_fixed<8,3>"), 4, 1), tmp,
      "sat");
  EXPECT_NE(e.find("node 'fc'"), std::string::npos) << e;
  EXPECT_NE(e.find("ReuseFactor 4"), std::string::npos) << e;
  EXPECT_NE(e.find("AP_WRAP"), std::string::npos) << e;
  // Products quantized onto the accumulator with a rounding mode other than AP_TRN / AP_RND.
  e = write_error(folded_graph(1, 12, 6, T("ap_fixed<10,4>"), T("ap_fixed<8,2>"), T("ap_fixed<12,5,AP_RND_CONV>"), T("ap_fixed<8,3>"), 3, 2),
                  tmp, "rndconv");
  EXPECT_NE(e.find("AP_TRN or AP_RND"), std::string::npos) << e;
  // Grouped convolutions are not folded.
  std::mt19937 rng(4);
  GraphBuilder b("conv");
  FixedType t = T("ap_fixed<8,3>");
  ValueId x = b.input("x", {6, 2}, t);
  ValueId w = b.constant("w", random_tensor({3, 1, 4}, t, rng), t);
  ValueId y = b.node(Op::Conv, "cv", {x, w}, {4, 4}, t, {{"accum", T("ap_fixed<16,6>")}});
  b.last().attrs.set("group", int64_t{2});
  b.last().config.reuse_factor = 2;
  b.output(y);
  e = write_error(b.g, tmp, "conv");
  EXPECT_NE(e.find("grouped convolution"), std::string::npos) << e;
}

TEST(FoldedDenseRtl, ConvolutionsFoldPerPosition) {
  TempDir tmp("fold_conv");
  std::mt19937 rng(31);
  FixedType xt = T("ap_fixed<8,3>"), wt = T("ap_fixed<6,2>");
  {
    // Conv1D (L=9, C=2) -> 3 filters, kernel 3, stride 2, pads 1/1: 6 x 3 weights, R = 9.
    GraphBuilder b("conv1d");
    ValueId y = conv1d_stride2_pad1(b, rng, xt, wt);
    b.last().config.reuse_factor = 9;
    b.output(y, "y");
    expect_rtl_matches_emulator(b.g, random_inputs(b.g, 100, rng), tmp, "conv1d");
    nlohmann::json m = manifest_of(tmp, "conv1d");
    EXPECT_EQ(m.at("interval_cycles").get<int>(), 9);
    // Five positions, three modules: identical folds share one (the first and the last
    // position read padding zeros, the three inner ones the same widths).
    std::string v = read_file(std::filesystem::path(tmp.sub("conv1d")) / "conv1d.v");
    size_t modules = 0;
    for (size_t p = v.find("\nmodule conv1d_fold"); p != std::string::npos; p = v.find("\nmodule conv1d_fold", p + 1)) ++modules;
    EXPECT_EQ(modules, 3u);
  }
  {
    // Conv2D 5x5x2 -> 4 filters 3x3, pads 1, dilation 1, exact saturating accumulator, R = 8.
    GraphBuilder b("conv2d");
    ValueId x = b.input("x", {5, 5, 2}, xt);
    ValueId w = b.constant("w", random_tensor({3, 3, 2, 4}, wt, rng), wt);
    ValueId y = b.node(Op::Conv, "conv", {x, w}, {5, 5, 4}, T("ap_fixed<8,3>"), {{"accum", T("ap_fixed<20,8,AP_TRN,AP_SAT>")}});
    b.last().attrs.set("pads", std::vector<int64_t>{1, 1, 1, 1});
    b.last().config.reuse_factor = 8;
    b.output(y, "y");
    expect_rtl_matches_emulator(b.g, random_inputs(b.g, 60, rng), tmp, "conv2d");
  }
}
