// Verilog backend end to end: the bundled models compiled with their default configuration,
// written as RTL, simulated on all 1000 bundled inputs, bit-identical to the emulator.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "tachyon/backends/backend.h"
#include "tachyon/backends/verilog.h"
#include "tachyon/backends/verilog/project.h"
#include "tachyon/driver/driver.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/support/npy.h"
#include "tachyon/support/output_dir.h"

using namespace tachyon;
namespace fs = std::filesystem;

namespace {

const std::string kModels = std::string(TACHYON_TEST_DATA) + "/models/";

struct Tmp {
  fs::path path;
  explicit Tmp(const std::string& name) {
    path = fs::temp_directory_path() / ("tachyon_e2e_verilog_" + std::to_string(getpid()) + "_" + name);
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Tmp() {
    std::error_code ec;
    if (!std::getenv("TACHYON_KEEP_TEST_DIRS")) fs::remove_all(path, ec);
  }
};

// Converts, simulates the 1000 bundled inputs, compares with the emulator; returns the
// manifest.
nlohmann::json check_model(const std::string& model, backends::verilog::Simulator sim, double period = 5.0,
                           const std::string& config_yaml = {}) {
  Tmp tmp(model);
  std::string config;
  if (!config_yaml.empty()) {
    config = (tmp.path / "config.yml").string();
    write_file_atomic(config, config_yaml, true);
  }
  ir::Graph g = driver::compile_file(kModels + model + ".onnx", config);
  backends::BackendOptions o;
  o.output_dir = (tmp.path / "rtl").string();
  o.clock_period_ns = period;
  backends::get_backend("verilog").write(g, o);
  std::string in = kModels + model + ".inputs.npy";
  std::string out = (tmp.path / "rtl_out.npy").string();
  backends::verilog::simulate_npy(o.output_dir, in, out, sim);
  NdArray rtl = read_npy(out);
  emulator::Emulator emu(g);
  NdArray ref = emu.predict({read_npy(in)}).at(0);
  EXPECT_EQ(rtl.shape, ref.shape) << model;
  EXPECT_EQ(ref.shape.at(0), 1000) << model;
  int64_t diff = 0;
  for (size_t i = 0; i < ref.data.size() && i < rtl.data.size(); ++i)
    if (rtl.data[i] != ref.data[i] && diff++ < 5)
      ADD_FAILURE() << model << ": element " << i << ": rtl " << rtl.data[i] << ", emulator " << ref.data[i];
  EXPECT_EQ(diff, 0) << model << ": values differing from the emulator";
  return nlohmann::json::parse(read_file(fs::path(o.output_dir) / "tachyon_project.json"));
}

}  // namespace

TEST(E2eVerilog, JetMlpLinearOut) {
  nlohmann::json m = check_model("jet_mlp_linear_out", backends::verilog::Simulator::Icarus);
  EXPECT_GE(m["latency_cycles"].get<int>(), 2);
}

TEST(E2eVerilog, MlpBatchnorm) { check_model("mlp_batchnorm", backends::verilog::Simulator::Icarus); }

TEST(E2eVerilog, QonnxW4A6) {
  nlohmann::json m = check_model("qonnx_mlp_w4a6", backends::verilog::Simulator::Icarus);
  // Quantization-aware models get lossless accumulators: every output sums exactly.
  for (const auto& l : m["layers"]) {
    if (l["op"] == "Dense") {
      EXPECT_EQ(l["accumulation"]["sequential"], 0) << l.dump();
    }
  }
}

TEST(E2eVerilog, QonnxW8A8) { check_model("qonnx_mlp_w8a8", backends::verilog::Simulator::Icarus); }

TEST(E2eVerilog, VerilatorDeepPipeline) {
  if (!backends::verilog::have_program("verilator")) GTEST_SKIP() << "verilator not installed";
  // A 1.5 ns clock: many pipeline stages; the latency in the manifest must be right.
  nlohmann::json m = check_model("qonnx_mlp_w4a6", backends::verilog::Simulator::Verilator, 1.5);
  EXPECT_GE(m["latency_cycles"].get<int>(), 5);
}

// Verilator 5.006 miscompiled rounding adders (softmax sums with AP_RND_INF, products of a
// zero-rounding weight type); sim.cc turns the faulty optimizers off. Without that, 105 of
// these 5000 outputs differed.
TEST(E2eVerilog, VerilatorRoundingConfig) {
  if (!backends::verilog::have_program("verilator")) GTEST_SKIP() << "verilator not installed";
  check_model("jet_mlp", backends::verilog::Simulator::Verilator, 5.0,
              "Model:\n"
              "  Precision:\n"
              "    default: ap_fixed<14,5,AP_RND>\n"
              "    weight: ap_fixed<6,0,AP_RND_ZERO,AP_SAT_SYM>\n"
              "    accum: ap_fixed<14,5,AP_RND_INF>\n");
}

// The HLS end-to-end test's mixed configuration: two Dense layers folded with ReuseFactor 4
// and 8 (the design takes a sample every 8 cycles), every rounding and overflow family.
TEST(E2eVerilog, FoldedLayersMixedConfig) {
  nlohmann::json m = check_model("jet_mlp", backends::verilog::Simulator::Icarus, 5.0,
                                 read_file(std::string(TACHYON_TEST_DATA) + "/../e2e_hls/configs/jet_mlp.yaml"));
  EXPECT_EQ(m["interval_cycles"].get<int>(), 8);
  std::map<std::string, int> reuse;
  for (const auto& l : m["layers"]) reuse[l["name"].get<std::string>()] = l["reuse_factor"].get<int>();
  EXPECT_EQ(reuse["layer0_Gemm"], 4);
  EXPECT_EQ(reuse["layer2_Gemm"], 8);
  EXPECT_EQ(reuse["layer4_Gemm"], 1);
}

TEST(E2eVerilog, CommandLine) {
  Tmp tmp("cli");
  std::string bin = TACHYON_BINARY;
  std::string model = kModels + "qonnx_mlp_w4a6.onnx", in = kModels + "qonnx_mlp_w4a6.inputs.npy";
  std::string dir = (tmp.path / "prj").string(), rtl = (tmp.path / "rtl.npy").string(), emu = (tmp.path / "emu.npy").string();
  auto run = [](const std::string& cmd) { return std::system((cmd + " > /dev/null 2>&1").c_str()); };
  ASSERT_EQ(run(bin + " convert " + model + " --backend verilog --clock-period 5 -o " + dir), 0);
  ASSERT_EQ(run("TACHYON_VERILOG_SIM=icarus " + bin + " simulate " + dir + " -i " + in + " -o " + rtl), 0);
  ASSERT_EQ(run(bin + " predict " + model + " -i " + in + " -o " + emu + " -q"), 0);
  EXPECT_EQ(run(bin + " compare " + rtl + " " + emu + " --require-equal"), 0);
  if (backends::verilog::have_program("yosys")) {
    std::string json = (tmp.path / "report.json").string();
    ASSERT_EQ(run(bin + " report " + dir + " --json " + json), 0);
    nlohmann::json r = nlohmann::json::parse(read_file(json));
    EXPECT_GT(r["resources"]["LUT"].get<int64_t>(), 100);
    EXPECT_GT(r["resources"]["FF"].get<int64_t>(), 100);
    EXPECT_EQ(r["resources"]["DSP"].get<int64_t>(), 0);
    EXPECT_GT(r["latency"]["cycles"].get<int64_t>(), 0);
  }
}
