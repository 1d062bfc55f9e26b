// Helpers of the HLS tests: temporary project folders and the C simulation of a generated
// project compared bit for bit with the emulator.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "tachyon/backends/backend.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/support/npy.h"

namespace tachyon::hls_testing {

// Random inputs (full double precision, some beyond the input type's range).
inline NdArray random_inputs(const ir::Graph& g, int n, double range) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-range, range);
  std::vector<int64_t> shape{n};
  for (int64_t d : g.inputs[0].user_shape) shape.push_back(d);
  NdArray a(shape, std::vector<double>(static_cast<size_t>(n * ir::num_elements(g.inputs[0].user_shape))));
  for (double& v : a.data) v = u(rng);
  return a;
}

inline std::filesystem::path work_dir(const std::string& name) {
  std::filesystem::path p = std::filesystem::temp_directory_path() / ("tachyon_hls_graph_" + std::to_string(getpid())) / name;
  std::filesystem::create_directories(p.parent_path());
  return p;
}

// Writes the project of g, runs its C simulation on x (the graph's single input) and
// compares every output with the emulator bit for bit; the C++ build must be warning-free.
inline void check_csim_matches(const ir::Graph& g, const NdArray& x) {
  std::filesystem::path dir = work_dir(g.name);
  std::filesystem::path in = dir.parent_path() / (g.name + "_in.npy");
  write_npy(in.string(), x);
  emulator::Emulator emu(g);
  std::vector<NdArray> expected = emu.predict({x});

  backends::BackendOptions opts;
  opts.output_dir = dir.string();
  opts.project_name = g.name;
  opts.force = true;
  const backends::Backend& hls = backends::get_backend("hls");
  hls.write(g, opts);
  setenv("TACHYON_HLS_CSIM_OPT", "-O0", 1);
  std::filesystem::path out = dir / "out.npy";
  hls.simulate(dir.string(), in.string(), out.string());
  ASSERT_EQ(expected.size(), g.outputs.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    std::filesystem::path p = k == 0 ? out : dir / fmt::format("out.{}.npy", k);
    NdArray got = read_npy(p.string());
    ASSERT_EQ(got.shape, expected[k].shape) << g.outputs[k].name;
    int bad = 0;
    for (size_t i = 0; i < got.data.size(); ++i)
      if (got.data[i] != expected[k].data[i] && bad++ < 5)
        ADD_FAILURE() << g.name << " output '" << g.outputs[k].name << "' element " << i << ": csim " << got.data[i]
                      << ", emulator " << expected[k].data[i];
    EXPECT_EQ(bad, 0);
  }
  std::ifstream log(dir / "build" / "csim_build.log");
  std::stringstream ss;
  ss << log.rdbuf();
  EXPECT_EQ(ss.str().find("warning"), std::string::npos) << ss.str();
  std::filesystem::remove_all(dir);
}

// 64 random samples in [-range, range).
inline void check_bit_exact(const ir::Graph& g, double range) { check_csim_matches(g, random_inputs(g, 64, range)); }

}  // namespace tachyon::hls_testing
