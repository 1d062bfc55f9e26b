// Emulator throughput on tree ensembles: 100 boosting rounds of depth-4 trees on 16
// features, binary (100 trees) and 5-class (500 trees, 100 per class). Items/s = samples
// per second through emulator::Emulator::predict (input conversion included).
//
//   ninja -C build trees_bench && ./build/bench/trees_bench
//   TACHYON_TREES_BENCH_BINARY=b.json TACHYON_TREES_BENCH_MULTI=m.json ./build/bench/trees_bench
//
// Without the environment variables the ensembles are random complete depth-4 trees (the
// same shape as the XGBoost models bench/trees_compare.py trains and passes in). Types:
// input ap_fixed<20,10,AP_RND_CONV,AP_SAT>, score ap_fixed<18,8,AP_RND_CONV,AP_SAT>.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "tachyon/emulator/emulator.h"
#include "tachyon/frontends/trees.h"
#include "tachyon/ir/graph.h"
#include "tachyon/support/npy.h"

namespace tachyon {
namespace {

constexpr int kFeatures = 16;
constexpr int64_t kSamples = 20000;

ir::TreeEnsembleData random_ensemble(int rounds, int classes, int depth, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  ir::TreeEnsembleData d;
  d.n_features = kFeatures;
  d.n_outputs = classes;
  d.compare = ir::TreeCompare::Less;
  d.base_score.assign(static_cast<size_t>(classes), 0.0);
  for (int r = 0; r < rounds; ++r)
    for (int c = 0; c < classes; ++c) {
      ir::Tree t;
      t.class_id = c;
      int n = (1 << (depth + 1)) - 1;
      t.nodes.resize(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) {
        ir::TreeNode& nd = t.nodes[static_cast<size_t>(i)];
        if (i < (1 << depth) - 1) {
          nd.feature = static_cast<int32_t>(rng() % kFeatures);
          nd.threshold = 4 * u(rng);
          nd.left = 2 * i + 1;
          nd.right = 2 * i + 2;
        } else {
          nd.value = 0.3 * u(rng);
        }
      }
      d.trees.push_back(std::move(t));
    }
  return d;
}

ir::Graph typed(ir::Graph g) {
  ir::Node& n = g.node(g.node_ids().at(0));
  FixedType x_t = FixedType::parse("ap_fixed<20,10,AP_RND_CONV,AP_SAT>");
  FixedType s_t = FixedType::parse("ap_fixed<18,8,AP_RND_CONV,AP_SAT>");
  g.value(n.inputs[0]).type = x_t;
  g.value(n.outputs[0]).type = s_t;
  n.config.types["threshold"] = x_t;
  n.config.types["score"] = s_t;
  return g;
}

ir::Graph model(const char* env, int classes) {
  if (const char* path = std::getenv(env); path && *path) return typed(frontends::load_trees(path));
  ir::Graph g;
  g.name = "bench";
  auto d = std::make_shared<ir::TreeEnsembleData>(random_ensemble(100, classes, 4, 1234 + static_cast<uint64_t>(classes)));
  ir::ValueId x = g.add_value("x", {kFeatures});
  ir::ValueId y = g.add_value("y", {classes});
  ir::NodeId n = g.add_node(ir::Op::TreeEnsemble, "bdt", {x}, {y});
  g.node(n).trees = d;
  g.inputs.push_back({x, "x", {kFeatures}, {}});
  g.outputs.push_back({y, "y", {classes}, {}});
  return typed(std::move(g));
}

NdArray inputs() {
  std::mt19937_64 rng(99);
  std::normal_distribution<double> nd(0, 2);
  NdArray a({kSamples, kFeatures}, std::vector<double>(static_cast<size_t>(kSamples * kFeatures)));
  for (double& v : a.data) v = nd(rng);
  return a;
}

void run(benchmark::State& state, const char* env, int classes) {
  ir::Graph g = model(env, classes);
  emulator::Emulator emu(g);
  NdArray x = inputs();
  emulator::RunOptions opt;
  opt.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    std::vector<NdArray> y = emu.predict({x}, opt);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * kSamples);
  state.counters["trees"] = static_cast<double>(g.node(g.node_ids().at(0)).trees->trees.size());
}

void BM_TreesBinary(benchmark::State& state) { run(state, "TACHYON_TREES_BENCH_BINARY", 1); }
void BM_Trees5Class(benchmark::State& state) { run(state, "TACHYON_TREES_BENCH_MULTI", 5); }
BENCHMARK(BM_TreesBinary)->Arg(1)->Arg(0)->ArgName("threads")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Trees5Class)->Arg(1)->Arg(0)->ArgName("threads")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tachyon

BENCHMARK_MAIN();
