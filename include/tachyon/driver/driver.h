// The driver: model file -> frontend -> pass pipeline -> typed IR.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tachyon/ir/graph.h"

namespace tachyon::driver {

struct CompileOptions {
  bool print_ir_after_all = false;
  std::ostream* log = nullptr;  // where --print-ir-after-all writes (stderr if null)
  std::string weights;          // Keras: the weights file of a model JSON (load_model)
};

// Loads a model by its type: Keras (.h5 full model, model .json + weights .h5, .keras), ONNX
// (.onnx), or a tree ensemble (XGBoost JSON, Tachyon tree JSON, TMVA XML, LightGBM text).
// `weights`: the HDF5 weights of a Keras model (default: NAME_weights.h5 beside NAME.json);
// an error for other formats. Frontend-level IR.
ir::Graph load_model(const std::string& path, const std::string& weights = {});

// Loads a configuration file (YAML or JSON).
nlohmann::json load_config(const std::string& path);

// Runs the whole pass pipeline with `config` (hls4ml-style keys; empty = defaults).
ir::Graph compile(ir::Graph g, const nlohmann::json& config, const std::string& config_file = {},
                  const CompileOptions& opts = {});

// load_model + load_config (when config_path is not empty) + compile.
ir::Graph compile_file(const std::string& model_path, const std::string& config_path = {},
                       const CompileOptions& opts = {});

}  // namespace tachyon::driver
