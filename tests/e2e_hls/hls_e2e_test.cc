// HLS backend end to end: model -> typed graph -> HLS project -> g++ C simulation on the
// bundled inputs, compared bit for bit with the emulator (the reference semantics).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tachyon/backends/backend.h"
#include "tachyon/backends/hls.h"
#include "tachyon/driver/driver.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/ir/printer.h"
#include "tachyon/support/error.h"
#include "tachyon/support/npy.h"
#include "tachyon/support/output_dir.h"

namespace fs = std::filesystem;
using namespace tachyon;

namespace {

const std::vector<std::string> kModels = {"jet_mlp",      "jet_mlp_linear_out", "mlp_batchnorm",   "mlp_activations",
                                          "mlp_merge",    "cnn1d",              "cnn2d",           "cnn2d_globalpool",
                                          "qonnx_mlp_w4a6", "qonnx_mlp_w8a8"};

std::string model_path(const std::string& m) { return std::string(TACHYON_TEST_DATA) + "/models/" + m + ".onnx"; }
std::string inputs_path(const std::string& m) { return std::string(TACHYON_TEST_DATA) + "/models/" + m + ".inputs.npy"; }
std::string config_path(const std::string& m) { return std::string(TACHYON_E2E_HLS_DIR) + "/configs/" + m + ".yaml"; }

fs::path work_dir(const std::string& name) {
  fs::path p = fs::path(TACHYON_E2E_WORK_DIR) / name;
  fs::create_directories(p.parent_path());
  return p;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

struct Case {
  std::string model;
  bool mixed = false;
};

std::string case_name(const testing::TestParamInfo<Case>& info) {
  return info.param.model + (info.param.mixed ? "_mixed" : "_default");
}

class HlsE2E : public testing::TestWithParam<Case> {};

TEST_P(HlsE2E, CsimMatchesEmulatorBitForBit) {
  const Case& c = GetParam();
  const std::string cfg = c.mixed ? config_path(c.model) : std::string();
  ir::Graph g = driver::compile_file(model_path(c.model), cfg);
  if (std::getenv("TACHYON_E2E_PRINT_IR")) std::cout << ir::print_graph(g);
  NdArray x = read_npy(inputs_path(c.model));
  ASSERT_EQ(x.shape[0], 1000);

  emulator::Emulator emu(g);
  emulator::RunOptions ro;
  ro.collect_stats = c.mixed;
  std::vector<NdArray> expected = emu.predict({x}, ro);
  if (std::getenv("TACHYON_E2E_PRINT_IR")) {
    for (const auto& [layer, arr] : emu.trace({x})) {
      double lo = 0, hi = 0;
      for (double v : arr.data) lo = std::min(lo, v), hi = std::max(hi, v);
      std::cout << layer << ": [" << lo << ", " << hi << "]\n";
    }
  }
  ASSERT_EQ(expected.size(), 1u);
  if (c.mixed) {
    // The mixed configuration must really exercise overflow handling somewhere.
    int64_t overflows = 0;
    for (const emulator::LayerStats& s : emu.stats())
      if (!s.build) overflows += s.overflows();
    EXPECT_GT(overflows, 0) << "configs/" << c.model << ".yaml should make at least one layer overflow\n"
                            << emu.stats_table();
  }

  const backends::Backend& hls = backends::get_backend("hls");
  backends::BackendOptions opts;
  opts.output_dir = work_dir(case_name({c, 0})).string();
  opts.project_name = "myproject";
  opts.force = true;
  hls.write(g, opts);

  setenv("TACHYON_HLS_CSIM_OPT", "-O1", 1);
  fs::path out = fs::path(opts.output_dir) / "csim_out.npy";
  hls.simulate(opts.output_dir, inputs_path(c.model), out.string());
  NdArray got = read_npy(out.string());

  ASSERT_EQ(got.shape, expected[0].shape);
  int64_t mismatches = 0;
  std::string first;
  for (size_t i = 0; i < got.data.size(); ++i) {
    double a = got.data[i], e = expected[0].data[i];
    bool same = (a == e && std::signbit(a) == std::signbit(e)) || (a == 0 && e == 0);
    if (!same) {
      if (mismatches == 0)
        first = fmt::format("element {} (sample {}): csim {} emulator {}", i, i / (got.data.size() / 1000), a, e);
      ++mismatches;
    }
  }
  EXPECT_EQ(mismatches, 0) << "first mismatch: " << first;

  // The generated C++ compiles without warnings (-Wall -Wextra; HLS pragmas aside).
  std::string log = slurp(fs::path(opts.output_dir) / "build" / "csim_build.log");
  EXPECT_NE(log.find("-Wall -Wextra"), std::string::npos) << log;
  EXPECT_EQ(log.find("warning"), std::string::npos) << log;
}

std::vector<Case> all_cases() {
  std::vector<Case> r;
  for (const std::string& m : kModels) {
    r.push_back({m, false});
    r.push_back({m, true});
  }
  return r;
}

INSTANTIATE_TEST_SUITE_P(Models, HlsE2E, testing::ValuesIn(all_cases()), case_name);

// Writing the same graph twice gives byte-identical folders.
TEST(HlsProject, Deterministic) {
  ir::Graph g = driver::compile_file(model_path("cnn2d"), config_path("cnn2d"));
  backends::BackendOptions opts;
  opts.project_name = "det";
  opts.force = true;
  opts.output_dir = work_dir("det_a").string();
  backends::get_backend("hls").write(g, opts);
  ir::Graph g2 = driver::compile_file(model_path("cnn2d"), config_path("cnn2d"));
  opts.output_dir = work_dir("det_b").string();
  backends::get_backend("hls").write(g2, opts);
  std::vector<std::string> a, b;
  for (auto& e : fs::recursive_directory_iterator(work_dir("det_a")))
    if (e.is_regular_file()) a.push_back(fs::relative(e.path(), work_dir("det_a")).string());
  for (auto& e : fs::recursive_directory_iterator(work_dir("det_b")))
    if (e.is_regular_file()) b.push_back(fs::relative(e.path(), work_dir("det_b")).string());
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  ASSERT_EQ(a, b);
  ASSERT_GT(a.size(), 20u);
  for (const std::string& f : a) EXPECT_EQ(slurp(work_dir("det_a") / f), slurp(work_dir("det_b") / f)) << f;
}

// An existing folder is never replaced without force, and stays untouched.
TEST(HlsProject, NoOverwriteWithoutForce) {
  ir::Graph g = driver::compile_file(model_path("jet_mlp"));
  fs::path dir = work_dir("no_overwrite");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "keep.txt") << "mine";
  backends::BackendOptions opts;
  opts.output_dir = dir.string();
  try {
    backends::get_backend("hls").write(g, opts);
    FAIL() << "an existing folder was overwritten without force";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("already exists"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(dir / "keep.txt"), "mine");
  EXPECT_FALSE(fs::exists(dir / "tachyon_project.json"));
  opts.force = true;
  backends::get_backend("hls").write(g, opts);
  EXPECT_FALSE(fs::exists(dir / "keep.txt"));
  EXPECT_TRUE(fs::exists(dir / "tachyon_project.json"));
}

}  // namespace
