// The bit-exact emulator: executes a typed IR graph (after the pass pipeline) with the
// arithmetic of docs/semantics.md. It is the reference every backend must reproduce.
//
//   ir::Graph g = driver::compile_file("jet_mlp.onnx");
//   emulator::Emulator emu(g);                       // verifies, quantizes weights, builds tables
//   std::vector<NdArray> y = emu.predict({x});       // x: [N, 16] in the user's layout
//
// Weights are converted to raw codes once; types of width <= 64 run on plain integers
// (i128 products); wider types take the general path on tachyon::Fixed. Samples run in
// parallel (TBB); results do not depend on the number of threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/fixed/fixed_type.h"
#include "tachyon/ir/graph.h"
#include "tachyon/support/npy.h"

namespace tachyon::emulator {

struct RunOptions {
  int threads = 0;  // 0 = all cores
  bool collect_stats = false;
  // With collect_stats: add this run's per-sample counts to those of the previous run instead
  // of replacing them (a long input predicted in chunks gets one table for all its samples).
  bool accumulate_stats = false;
};

struct EmulatorOptions {
  // Use the general (tachyon::Fixed) kernels even where the fast ones apply. Slow; for
  // tests that check the two implementations against each other.
  bool force_general_path = false;
};

// Conversions at one conversion point of one layer.
//   what: "input" (user float -> input type), "product" (x*w -> accum_t), "accum" (`+=` in
//   accum_t), "result" (-> the layer's output type), "norm" (softmax d_i -> inp_norm_t),
//   "sum" (softmax sum in accum_t), and, counted once when the model is loaded (build ==
//   true): "weight", "bias", "bias->accum", "param", "table", ...
struct LayerStats {
  std::string layer;
  std::string what;
  int64_t conversions = 0, wrapped = 0, saturated = 0;
  std::string type;    // the destination type of the conversion
  bool build = false;  // counted when the model was loaded (constants), not per sample
  int64_t overflows() const { return wrapped + saturated; }
};

class Emulator {
 public:
  explicit Emulator(const ir::Graph& typed_graph, const EmulatorOptions& options = {});
  ~Emulator();
  Emulator(Emulator&&) noexcept;
  Emulator& operator=(Emulator&&) noexcept;

  // inputs: one NdArray per graph input, batch first, in the user's layout
  // (IoPort::user_shape); a single sample without the batch dimension is accepted too.
  // Returns one NdArray per graph output, batch first ([N] + user_shape, also for a single
  // sample: N = 1), user layout, holding the exact values of the fixed-point outputs.
  std::vector<NdArray> predict(const std::vector<NdArray>& inputs, const RunOptions& options = {});

  // Every layer's output (key: node name; a node with several outputs adds ":i" to the
  // names of outputs after the first), batch first, internal (channels-last) layout.
  std::map<std::string, NdArray> trace(const std::vector<NdArray>& inputs, const RunOptions& options = {});

  // Per layer and conversion point, from the last run with collect_stats (empty before),
  // followed by the build-time conversions of constants.
  const std::vector<LayerStats>& stats() const;
  // A readable table of stats(); layers with overflow are marked with "<< OVERFLOW".
  std::string stats_table() const;

  const ir::Graph& graph() const;
  // "fast" or "general" for every node (by node name), for tests and reports.
  std::map<std::string, std::string> kernel_flavours() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Checks an input array's shape against graph input `index` and returns the number of
// samples. `what` names the array in the error, e.g. "IN.npy" gives
//   "IN.npy has shape [1000,15], the model 'jet_mlp' expects [N,16]".
int64_t check_input_shape(const ir::Graph& g, size_t index, const std::vector<int64_t>& shape,
                          const std::string& what);

}  // namespace tachyon::emulator
