// The emulator on the reference model zoo (tests/data/models), through the real frontend
// and pass pipeline (driver), and the `tachyon predict` command.
//
// - QONNX models (power-of-two scales) at the default configuration (precision inferred
//   from the Quant nodes): the emulator reproduces the exact float64 QONNX evaluation
//   (*.float_out.npy) bit for bit, for all 1000 inputs.
// - Float models with ap_fixed<32,16> everywhere and 65536-entry tables: close to PyTorch's
//   float output (tolerances per model below, with the reason).
// - Float models at the defaults (ap_fixed<16,6>): argmax agreement with the float model is
//   printed, and a loose lower bound asserted.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

#include "tachyon/driver/driver.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/support/npy.h"

namespace tachyon {
namespace {

std::string model_dir() { return std::string(TACHYON_TEST_DATA) + "/models/"; }

struct Zoo {
  NdArray inputs, float_out;
};

Zoo zoo(const std::string& name) {
  return {read_npy(model_dir() + name + ".inputs.npy"), read_npy(model_dir() + name + ".float_out.npy")};
}

std::vector<NdArray> run(const std::string& name, const nlohmann::json& config, int threads = 0) {
  ir::Graph g = driver::compile(driver::load_model(model_dir() + name + ".onnx"), config);
  emulator::Emulator emu(g);
  return emu.predict({zoo(name).inputs}, emulator::RunOptions{threads, false});
}

int64_t argmax_agreement(const NdArray& a, const NdArray& b) {
  int64_t n = a.shape[0], w = a.num_elements() / n, agree = 0;
  for (int64_t r = 0; r < n; ++r) {
    int64_t ia = 0, ib = 0;
    for (int64_t j = 1; j < w; ++j) {
      if (a.data[static_cast<size_t>(r * w + j)] > a.data[static_cast<size_t>(r * w + ia)]) ia = j;
      if (b.data[static_cast<size_t>(r * w + j)] > b.data[static_cast<size_t>(r * w + ib)]) ib = j;
    }
    agree += ia == ib;
  }
  return agree;
}

TEST(ModelZoo, QonnxModelsAreReproducedExactly) {
  for (const std::string name : {"qonnx_mlp_w4a6", "qonnx_mlp_w8a8"}) {
    Zoo z = zoo(name);
    std::vector<NdArray> out = run(name, nlohmann::json::object());
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].shape, z.float_out.shape) << name;
    ASSERT_EQ(out[0].shape[0], 1000);
    int64_t different = 0;
    for (size_t i = 0; i < out[0].data.size(); ++i) different += out[0].data[i] != z.float_out.data[i];
    EXPECT_EQ(different, 0) << name << ": " << different << " of " << out[0].data.size() << " values differ";
  }
}

// Everything ap_fixed<32,16>; Sigmoid/Tanh/Elu tables of 65536 entries in ap_fixed<32,4,AP_RND>;
// Softmax indices resolving d and the sum to ~2^-11 (unsigned types with few integer bits).
nlohmann::json wide_config() {
  nlohmann::json table = {{"table_size", 65536}, {"table_t", "ap_fixed<32,4,AP_RND>"}};
  return {{"Model", {{"Precision", "ap_fixed<32,16>"}}},
          {"LayerType",
           {{"Sigmoid", table},
            {"Tanh", table},
            {"Elu", table},
            {"Softmax",
             {{"table_size", 65536},
              {"inp_norm_t", "ap_ufixed<24,5,AP_RND,AP_SAT>"},
              {"exp_table_t", "ap_ufixed<32,1,AP_RND,AP_SAT>"},
              {"inv_table_t", "ap_ufixed<32,8,AP_RND,AP_SAT>"},
              {"accum_t", "ap_ufixed<24,4,AP_RND,AP_SAT>"},
              // hls4ml's inv_inp_t defaults to exp_table_t, which cannot hold a sum >= 2.
              {"inv_inp_t", "ap_ufixed<24,4,AP_RND,AP_SAT>"}}}}}};
}

TEST(ModelZoo, FloatModelsAtWidePrecisionAreCloseToFloat) {
  // Tolerance: with 16 fraction bits (LSB 1.5e-5) every input, weight and product is
  // truncated (AP_TRN, biased toward -inf), so a layer of fan-in n drifts by up to about
  // n * 1.5e-5 plus the propagated input error; over 3-4 layers of fan-in 16..64 that is
  // ~1e-3 on logits, less after a softmax. Table steps (index truncation): sigmoid
  // 16/65536 (slope <= 1/4: < 6.2e-5), tanh 8/65536 (slope <= 1: < 1.3e-4); softmax
  // indices resolve d and the sum to 2^-11..2^-12.
  const std::pair<const char*, double> models[] = {
      {"jet_mlp", 1e-3},          // softmax output
      {"jet_mlp_linear_out", 2e-3},  // logits: 4 layers of truncation, fan-in up to 64
      {"mlp_batchnorm", 1e-3},    // a separate batch-norm layer (the Dense result type is explicit)
      {"mlp_activations", 1e-3},  // table activations (65536 entries)
      {"cnn2d", 1e-3},            // softmax output
      {"cnn1d", 2e-3},            // logits, conv fan-in 2*k
      {"mlp_merge", 2e-3},        // Mul of two branches doubles the relative error
      {"cnn2d_globalpool", 1e-3},
  };
  for (auto [name, tol] : models) {
    Zoo z = zoo(name);
    std::vector<NdArray> out = run(name, wide_config());
    ASSERT_EQ(out[0].shape, z.float_out.shape) << name;
    double max_diff = 0;
    for (size_t i = 0; i < out[0].data.size(); ++i)
      max_diff = std::max(max_diff, std::fabs(out[0].data[i] - z.float_out.data[i]));
    int64_t agree = argmax_agreement(out[0], z.float_out);
    std::printf("[ wide     ] %-20s max |diff| %.3g (tolerance %.0e), argmax agreement %lld/1000\n", name, max_diff, tol,
                static_cast<long long>(agree));
    EXPECT_LE(max_diff, tol) << name;
    EXPECT_GE(agree, 990) << name;  // only near-ties may flip
  }
}

TEST(ModelZoo, FloatModelsAtDefaultsAgreeOnArgmax) {
  for (const std::string name : {"jet_mlp", "jet_mlp_linear_out", "mlp_batchnorm", "mlp_activations", "cnn2d", "cnn1d",
                                 "mlp_merge", "cnn2d_globalpool"}) {
    Zoo z = zoo(name);
    std::vector<NdArray> out = run(name, nlohmann::json::object());
    int64_t agree = argmax_agreement(out[0], z.float_out);
    std::printf("[ defaults ] %-20s argmax agreement with float: %lld/1000\n", name.c_str(),
                static_cast<long long>(agree));
    // ap_fixed<16,6> keeps the float decisions except near-ties and small logits; a broken
    // layer drops this to chance level (20-50%).
    EXPECT_GE(agree, 900) << name;
  }
}

TEST(ModelZoo, ThreadsGiveIdenticalPredictions) {
  std::vector<NdArray> a = run("cnn2d", nlohmann::json::object(), 1);
  std::vector<NdArray> b = run("cnn2d", nlohmann::json::object(), 2);
  EXPECT_EQ(a[0], b[0]);
}

// ---- tachyon predict --------------------------------------------------------------------

namespace fs = std::filesystem;

struct Cmd {
  int code;
  std::string out;
};

Cmd sh(const std::string& cmd) {
  std::string full = cmd + " 2>&1";
  FILE* p = popen(full.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

class PredictCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(TACHYON_BINARY)) GTEST_SKIP() << "the tachyon executable is not built";
    dir_ = fs::temp_directory_path() / ("tachyon_predict_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(PredictCommand, WritesPredictionsStatsAndTrace) {
  std::string out = (dir_ / "y.npy").string(), trace = (dir_ / "trace").string();
  std::string cmd = std::string(TACHYON_BINARY) + " predict " + model_dir() + "qonnx_mlp_w4a6.onnx -i " + model_dir() +
                    "qonnx_mlp_w4a6.inputs.npy -o " + out + " --stats --trace " + trace + " --threads 2";
  Cmd r = sh(cmd);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("conversions"), std::string::npos) << r.out;
  EXPECT_EQ(read_npy(out), zoo("qonnx_mlp_w4a6").float_out);
  EXPECT_TRUE(fs::exists(fs::path(trace) / "layers.txt"));
  // An existing trace folder is refused without --force, and left untouched.
  Cmd again = sh(cmd);
  EXPECT_NE(again.code, 0);
  EXPECT_NE(again.out.find("already exists"), std::string::npos) << again.out;
  EXPECT_EQ(sh(cmd + " --force").code, 0);
}

TEST_F(PredictCommand, WrongInputShapeIsAClearError) {
  NdArray bad{{1000, 15}, std::vector<double>(15000, 0.5)};
  std::string in = (dir_ / "IN.npy").string();
  write_npy(in, bad);
  Cmd r = sh(std::string(TACHYON_BINARY) + " predict " + model_dir() + "jet_mlp.onnx -i " + in + " -o " +
             (dir_ / "y.npy").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find(in + " has shape [1000,15], the model 'jet_mlp' expects [N,16]"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "y.npy"));
}

}  // namespace
}  // namespace tachyon
