#include "tachyon/driver/driver.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "tachyon/config/config.h"
#include "tachyon/frontends/keras.h"
#include "tachyon/frontends/onnx.h"
#include "tachyon/frontends/trees.h"
#include "tachyon/passes/pipeline.h"
#include "tachyon/support/error.h"

namespace fs = std::filesystem;

namespace tachyon::driver {

ir::Graph load_model(const std::string& path, const std::string& weights) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail("{}: no such file", path);
  if (fs::is_directory(path, ec)) fail("{}: is a folder, expected a model file", path);
  if (frontends::is_keras_model(path)) return frontends::load_keras(path, weights);
  if (!weights.empty()) fail("{}: --weights applies to Keras models only (.json, .h5, .keras)", path);
  if (frontends::is_tree_model(path)) return frontends::load_trees(path);
  std::string ext = fs::path(path).extension().string();
  if (ext == ".json" || ext == ".xml" || ext == ".txt")
    return frontends::load_trees(path);  // reports what is wrong with the tree file
  return frontends::load_onnx(path);
}

nlohmann::json load_config(const std::string& path) { return config::load(path); }

ir::Graph compile(ir::Graph g, const nlohmann::json& cfg, const std::string& config_file, const CompileOptions& opts) {
  passes::PassContext ctx;
  ctx.config = cfg.is_null() ? nlohmann::json::object() : cfg;
  ctx.config_file = config_file;
  ctx.print_ir_after_all = opts.print_ir_after_all;
  ctx.log = opts.log ? opts.log : &std::cerr;
  passes::run_pipeline(g, ctx, passes::default_pipeline());
  return g;
}

ir::Graph compile_file(const std::string& model_path, const std::string& config_path, const CompileOptions& opts) {
  ir::Graph g = load_model(model_path, opts.weights);
  nlohmann::json cfg = config_path.empty() ? nlohmann::json::object() : load_config(config_path);
  return compile(std::move(g), cfg, config_path, opts);
}

}  // namespace tachyon::driver
