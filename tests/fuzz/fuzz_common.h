// The entry points of the fuzz targets (tests/fuzz/fuzz_target.cc, one libFuzzer binary per
// target) and of the test that replays the corpus of inputs the fuzzers found
// (tests/unit/fuzz_corpus): each feeds bytes to a reader through the same functions the
// command line uses.
//
// Every input must either succeed or fail with a tachyon::Error. expect_clean() turns
// anything else into an abort so that libFuzzer records the input:
//  - an "internal error: ..." diagnostic (a std::exception a frontend converted),
//  - any other exception escaping the entry point (it would reach the user without the
//    file's name),
// while crashes, leaks, undefined behaviour, timeouts and memory blow-ups are reported by
// the sanitizers and by libFuzzer's -timeout / -rss_limit_mb / -malloc_limit_mb.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>

#include "tachyon/config/config.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/frontends/onnx.h"
#include "tachyon/frontends/trees.h"
#include "tachyon/passes/pass.h"
#include "tachyon/passes/pipeline.h"
#include "tachyon/support/error.h"
#include "tachyon/support/npy.h"
#include "fuzz/keras_fuzz.h"

namespace tachyon::fuzz {

// Models whose constants (weights, biases, ...) hold more elements than this go through the
// pass pipeline but not the emulator's set-up. The set-up converts every weight exactly
// (big-integer arithmetic, the same code whatever the value), about 2.5 us per weight under
// the sanitizers: the 5-layer, 100-wide MLP of the keras_h5 seeds (40,000 weights) took 0.1 s
// per input, ten times the whole reading. Smaller models reach the same kernels.
inline constexpr int64_t kMaxEmulatedWeights = 4096;

inline int64_t constant_elements(const ir::Graph& g) {
  int64_t n = 0;
  for (size_t v = 0; v < g.num_values(); ++v)
    if (const auto& c = g.value(static_cast<ir::ValueId>(v)).constant) n += c->size();
  return n;
}

// What `tachyon predict` does with a loaded model before the first sample: the whole pass
// pipeline with `config` (driver::compile), then the emulator's set-up (weights to codes,
// activation tables, tree quantization; up to kMaxEmulatedWeights). Without the backends,
// to keep the instrumented build small.
inline void compile_and_build(ir::Graph g, const nlohmann::json& config, const std::string& config_file) {
  passes::PassContext ctx;
  ctx.config = config.is_null() ? nlohmann::json::object() : config;
  ctx.config_file = config_file;
  passes::run_pipeline(g, ctx, passes::default_pipeline());
  if (constant_elements(g) <= kMaxEmulatedWeights) emulator::Emulator emu(g);
}

// The fixed model the configuration targets are resolved against:
// tests/data/models/mlp_activations.onnx (Dense layers and table-based activations).
inline const ir::Graph& config_model() {
  static const ir::Graph g =
      frontends::load_onnx(std::string(TACHYON_SOURCE_DIR) + "/tests/data/models/mlp_activations.onnx");
  return g;
}

inline bool same_values(const NdArray& a, const NdArray& b) {
  if (a.shape != b.shape || a.data.size() != b.data.size()) return false;
  for (size_t i = 0; i < a.data.size(); ++i)
    if (!(a.data[i] == b.data[i] || (a.data[i] != a.data[i] && b.data[i] != b.data[i]))) return false;
  return true;
}

// .npy: npy_from_bytes (the whole array, what read_npy returns) and NpyReader (chunks of
// rows, what `tachyon predict` reads) must agree: both fail with the same message, or both
// give the same array; an array that reads must write back and read again to the same values.
inline void npy_entry(const std::string& bytes, const std::string& name) {
  std::string whole_error, chunk_error;
  NdArray whole, chunked;
  try {
    whole = npy_from_bytes(bytes, name);
    if (!same_values(whole, npy_from_bytes(npy_to_bytes(whole), name))) {
      std::fprintf(stderr, "write + read changed the array\n");
      std::abort();
    }
  } catch (const Error& e) {
    whole_error = e.what();
  }
  try {
    NpyReader r(bytes, name);
    chunked.shape = r.shape();
    if (r.shape().empty()) {
      chunked = r.read_all();
    } else {
      while (r.rows_left() > 0) {  // chunks of 3 rows, the last one shorter
        NdArray c = r.read_rows(std::min<int64_t>(3, r.rows_left()));
        chunked.data.insert(chunked.data.end(), c.data.begin(), c.data.end());
      }
    }
  } catch (const Error& e) {
    chunk_error = e.what();
  }
  if (whole_error != chunk_error || (whole_error.empty() && !same_values(whole, chunked))) {
    std::fprintf(stderr, "npy_from_bytes and NpyReader disagree: '%s' vs '%s'\n", whole_error.c_str(),
                 chunk_error.c_str());
    std::abort();
  }
  if (!whole_error.empty()) throw Error(whole_error);
}

// Runs one input through the reader `target` names ("onnx_loader", "config_yaml",
// "config_json", "npy", a tree format: "xgboost_json", "tachyon_tree_json",
// "onnx_ml_trees", "tmva_xml", "lightgbm_text", or a Keras one: "keras_json", "keras_h5",
// "keras_zip", keras_fuzz.h). Throws what the reader throws.
inline void run_entry(const std::string& target, const std::string& bytes) {
  using namespace frontends;
  if (is_keras_target(target)) {
    keras_entry(target, bytes);
  } else if (target == "onnx_loader") {
    load_onnx_bytes(bytes, "fuzz.onnx");
  } else if (target == "config_yaml" || target == "config_json") {
    const bool json = target == "config_json";
    const char* name = json ? "fuzz.json" : "fuzz.yml";
    // Parsed first: most inputs stop there, before the model is copied for the pipeline.
    const nlohmann::json config = config::parse(bytes, name, json);
    compile_and_build(config_model(), config, name);
  } else if (target == "npy") {
    npy_entry(bytes, "fuzz.npy");
  } else {
    // Tree formats: the reader, then the pipeline with the default configuration and the
    // emulator's set-up (quantization of thresholds and leaves).
    ir::Graph (*load)(const std::string&, const std::string&) =
        target == "xgboost_json"        ? load_xgboost_json_bytes
        : target == "tachyon_tree_json" ? load_tachyon_tree_json_bytes
        : target == "onnx_ml_trees"     ? load_onnx_ml_trees_bytes
        : target == "tmva_xml"          ? load_tmva_xml_bytes
        : target == "lightgbm_text"     ? load_lightgbm_text_bytes
                                        : nullptr;
    if (!load) {
      std::fprintf(stderr, "unknown fuzz target '%s'\n", target.c_str());
      std::abort();
    }
    compile_and_build(load(bytes, "fuzz.model"), nlohmann::json::object(), "");
  }
}

template <typename F>
void expect_clean(F&& f) {
  try {
    f();
  } catch (const tachyon::Error& e) {
    // Only our own wording counts (the input's names may contain anything).
    for (const tachyon::Diagnostic& d : e.diagnostics())
      if (d.message.rfind("internal error: ", 0) == 0) {
        std::fprintf(stderr, "internal error reached the user:\n%s\n", e.what());
        std::abort();
      }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "exception other than tachyon::Error escaped: %s\n", e.what());
    std::abort();
  }
}

}  // namespace tachyon::fuzz
