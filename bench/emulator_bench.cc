// Emulator throughput (samples/s) on jet_mlp (16-64-32-32-5 MLP, ReLU, softmax) at the
// default configuration (ap_fixed<16,6> everywhere), batch of 100k samples (the 1000 test
// inputs tiled), one thread and all threads; with overflow statistics; and the time from the
// model file to the first prediction (load ONNX + pass pipeline + emulator build + 1 sample).
//
//   ninja -C build emulator_bench && ./build/bench/emulator_bench
//   /usr/bin/python3 bench/torch_compare.py --bench build/bench/emulator_bench   (side by side with PyTorch)
//
// TACHYON_BENCH_MODEL=path/to/model.onnx selects another model (its NAME.inputs.npy is tiled).
// Figures depend on the machine and its load; nothing is asserted.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "tachyon/driver/driver.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/support/npy.h"

namespace tachyon {
namespace {

constexpr int64_t kSamples = 100000;

std::string model_path() {
  const char* env = std::getenv("TACHYON_BENCH_MODEL");
  return env ? env : TACHYON_SOURCE_DIR "/tests/data/models/jet_mlp.onnx";
}

std::string inputs_path() {
  std::string m = model_path();
  return m.substr(0, m.size() - 5) + ".inputs.npy";  // NAME.onnx -> NAME.inputs.npy
}

// The test inputs tiled to n samples.
NdArray tiled(const NdArray& a, int64_t n) {
  int64_t rows = a.shape.at(0), per = a.num_elements() / rows;
  NdArray r;
  r.shape = a.shape;
  r.shape[0] = n;
  r.data.resize(static_cast<size_t>(n * per));
  for (int64_t i = 0; i < n; ++i)
    std::copy(a.data.begin() + (i % rows) * per, a.data.begin() + (i % rows + 1) * per, r.data.begin() + i * per);
  return r;
}

struct Fixture {
  ir::Graph g = driver::compile_file(model_path());
  emulator::Emulator emu{g};
  NdArray in = tiled(read_npy(inputs_path()), kSamples);
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_Predict(benchmark::State& state) {
  Fixture& f = fixture();
  emulator::RunOptions opt{static_cast<int>(state.range(0)), state.range(1) != 0};
  for (auto _ : state) {
    auto out = f.emu.predict({f.in}, opt);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kSamples);
  state.counters["threads"] = opt.threads ? opt.threads : static_cast<double>(std::thread::hardware_concurrency());
  state.SetLabel(opt.collect_stats ? "samples/s, with overflow statistics" : "samples/s");
}
// Args: {threads (0 = all cores), collect_stats}
BENCHMARK(BM_Predict)->Args({1, 0})->Args({0, 0})->Args({1, 1})->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_ModelFileToFirstPrediction(benchmark::State& state) {
  NdArray one = read_npy(inputs_path());
  NdArray first;
  first.shape.assign(one.shape.begin() + 1, one.shape.end());
  first.data.assign(one.data.begin(), one.data.begin() + one.num_elements() / one.shape[0]);
  for (auto _ : state) {
    ir::Graph g = driver::compile_file(model_path());
    emulator::Emulator emu(g);
    auto out = emu.predict({first});
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_ModelFileToFirstPrediction)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace tachyon

BENCHMARK_MAIN();
