// `tachyon predict MODEL -i IN.npy -o OUT.npy`: runs the bit-exact emulator on a model
// (compiled with the same pass pipeline and configuration as the firmware).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

#include "cli.h"
#include "tachyon/driver/driver.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/support/error.h"
#include "tachyon/support/npy.h"
#include "tachyon/support/output_dir.h"

namespace {

struct Args {
  std::string model, config, weights, trace_dir;
  std::vector<std::string> inputs, outputs;
  int threads = 0;
  int64_t chunk = 0;
  bool stats = false, force = false, quiet = false;
};

std::string file_name_for(const std::string& layer) {
  std::string s = layer;
  for (char& c : s)
    if (c == ':' || c == '/' || c == '\\') c = '_';
  return s + ".npy";
}

// Samples per chunk: about 4 Mi input values (32 MiB of float64) unless --chunk says.
int64_t chunk_samples(const Args& a, const std::vector<std::unique_ptr<tachyon::NpyReader>>& readers) {
  if (a.chunk > 0) return a.chunk;
  int64_t per_sample = 1;
  for (const auto& r : readers) per_sample += r->row_elements();
  return std::max<int64_t>(1, (int64_t{1} << 22) / per_sample);
}

int run(const Args& a) {
  using namespace tachyon;
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  driver::CompileOptions opts;
  opts.weights = a.weights;
  ir::Graph g = driver::compile_file(a.model, a.config, opts);
  if (a.inputs.size() != g.inputs.size()) {
    std::string names;
    for (const ir::IoPort& p : g.inputs) names += (names.empty() ? "" : ", ") + p.name;
    fail("the model '{}' has {} input{} ({}): give -i once per input, in that order", g.name, g.inputs.size(),
         g.inputs.size() == 1 ? "" : "s", names);
  }
  if (a.outputs.size() != g.outputs.size()) {
    std::string names;
    for (const ir::IoPort& p : g.outputs) names += (names.empty() ? "" : ", ") + p.name;
    fail("the model '{}' has {} output{} ({}): give -o once per output, in that order", g.name, g.outputs.size(),
         g.outputs.size() == 1 ? "" : "s", names);
  }
  // Inputs are read in chunks of samples (the leading axis) and outputs written as they are
  // computed, so memory does not grow with the number of samples. An input without the batch
  // axis (one sample) is read whole.
  std::vector<std::unique_ptr<NpyReader>> readers;
  std::vector<char> unbatched;
  int64_t n = -1;
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    readers.push_back(std::make_unique<NpyReader>(a.inputs[i]));
    const int64_t ni = emulator::check_input_shape(g, i, readers.back()->shape(), a.inputs[i]);
    unbatched.push_back(readers.back()->shape().size() == g.inputs[i].user_shape.size());
    if (n >= 0 && ni != n) fail("{} has {} samples, the previous input{} {}", a.inputs[i], ni, i == 1 ? "" : "s", n);
    n = ni;
  }
  // Refuse an existing trace folder before doing any work.
  std::unique_ptr<StagedDir> trace_dir;
  if (!a.trace_dir.empty()) trace_dir = std::make_unique<StagedDir>(a.trace_dir, a.force);

  emulator::Emulator emu(g);
  auto t1 = clock::now();
  std::vector<std::unique_ptr<NpyWriter>> writers;
  std::map<std::string, std::unique_ptr<NpyWriter>> trace_writers;
  const int64_t chunk = chunk_samples(a, readers);
  const int64_t total = n < 0 ? 1 : n;  // a model without inputs: one sample
  int64_t done = 0;
  bool first = true;
  while (first || done < total) {
    const int64_t k = std::min(chunk, total - done);
    std::vector<NdArray> in;
    for (size_t i = 0; i < readers.size(); ++i) {
      NpyReader& r = *readers[i];
      in.push_back(unbatched[i] ? r.read_all() : r.read_rows(k));
    }
    emulator::RunOptions opt{a.threads, a.stats, /*accumulate_stats=*/!first};
    std::vector<NdArray> out = emu.predict(in, opt);
    if (first)
      for (size_t i = 0; i < out.size(); ++i) {
        std::vector<int64_t> shape = out[i].shape;
        shape[0] = total;
        writers.push_back(std::make_unique<NpyWriter>(a.outputs[i], shape));
      }
    for (size_t i = 0; i < out.size(); ++i) writers[i]->write_rows(out[i]);
    if (trace_dir) {
      std::map<std::string, NdArray> tr = emu.trace(in, emulator::RunOptions{a.threads, false});
      for (auto& [key, arr] : tr) {
        auto it = trace_writers.find(key);
        if (it == trace_writers.end()) {
          if (!first) fail("internal error: layer output '{}' appeared after the first chunk", key);
          std::vector<int64_t> shape = arr.shape;
          shape[0] = total;
          it = trace_writers.emplace(key, std::make_unique<NpyWriter>((trace_dir->path() / file_name_for(key)).string(), shape)).first;
        }
        it->second->write_rows(arr);
      }
    }
    done += k;
    first = false;
  }
  auto t2 = clock::now();
  for (auto& w : writers) w->commit();
  double secs = std::chrono::duration<double>(t2 - t1).count();
  if (!a.quiet) {
    for (size_t i = 0; i < writers.size(); ++i)
      fmt::print("wrote {} {} ({})\n", a.outputs[i], shape_string(writers[i]->shape()),
                 g.value(g.outputs[i].value).type->str());
    fmt::print("{} sample{} in {:.3f} s ({:.0f} samples/s); model loaded and compiled in {:.3f} s\n", total,
               total == 1 ? "" : "s", secs, secs > 0 ? static_cast<double>(total) / secs : 0.0,
               std::chrono::duration<double>(t1 - t0).count());
  }
  if (a.stats) fmt::print("{}", emu.stats_table());
  if (trace_dir) {
    std::string index = "# layer  type  shape (batch first, internal channels-last layout)\n";
    for (ir::NodeId id : g.node_ids()) {
      const ir::Node& node = g.node(id);
      for (size_t k = 0; k < node.outputs.size(); ++k) {
        std::string key = k == 0 ? node.name : fmt::format("{}:{}", node.name, k);
        auto it = trace_writers.find(key);
        if (it == trace_writers.end()) continue;
        index += fmt::format("{}  {}  {}\n", key, g.value(node.outputs[k]).type->str(), shape_string(it->second->shape()));
      }
    }
    for (auto& [key, w] : trace_writers) w->commit();
    trace_dir->write_file("layers.txt", index);
    trace_dir->commit();
    if (!a.quiet) fmt::print("wrote {} layer outputs to {}/\n", trace_writers.size(), a.trace_dir);
  }
  return 0;
}

tachyon::cli::Registrar reg(
    "predict", "Run the bit-exact emulator: predictions of the fixed-point firmware for inputs in a .npy",
    [](CLI::App& app) -> tachyon::cli::Action {
      auto a = std::make_shared<Args>();
      app.footer(
          "The model is compiled exactly as for firmware generation (same passes, same config), so\n"
          "the predictions are bit-identical to what the generated HLS / Verilog design computes.\n"
          "Inputs: float arrays, batch first, in the model's own layout (e.g. NCHW for ONNX CNNs);\n"
          "a single sample without the batch axis is accepted. Outputs: float64, batch first,\n"
          "holding the exact values of the fixed-point outputs.\n\n"
          "Examples:\n"
          "  tachyon predict jet_mlp.onnx -i x.npy -o y.npy\n"
          "  tachyon predict jet_mlp.onnx -c config.yml -i x.npy -o y.npy --stats --trace trace/");
      app.add_option("model", a->model, "Model file (.onnx, Keras .h5/.json/.keras, tree ensemble JSON/XML/text)")->required();
      tachyon::cli::add_weights_option(app, a->weights);
      app.add_option("-c,--config", a->config, "Configuration (YAML or JSON; default: the built-in defaults)");
      app.add_option("-i,--input", a->inputs, "Input .npy, once per model input (in order)")
          ->required()
          ->allow_extra_args(false);
      app.add_option("-o,--output", a->outputs, "Output .npy to write, once per model output (overwritten)")
          ->required()
          ->allow_extra_args(false);
      app.add_option("--trace", a->trace_dir,
                     "Also write every layer's output to this folder (one .npy per layer, internal layout); "
                     "written completely or not at all");
      app.add_option("--threads", a->threads, "Worker threads (default 0: all cores)")->check(CLI::NonNegativeNumber);
      app.add_option("--chunk", a->chunk,
                     "Samples per chunk: inputs are read, emulated and written this many samples at a time "
                     "(default: about 4 Mi input values per chunk), so memory does not grow with the input")
          ->check(CLI::PositiveNumber);
      app.add_flag("--stats", a->stats,
                   "Count conversions and overflows (wrap / saturation) per layer and conversion point, and print "
                   "the table");
      app.add_flag("--force", a->force, "Replace an existing --trace folder");
      app.add_flag("-q,--quiet", a->quiet, "Print nothing but errors (and --stats)");
      return [a] { return run(*a); };
    });

}  // namespace
