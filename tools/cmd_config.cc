// `tachyon config MODEL`: writes (or prints) a complete hls4ml-style configuration template
// for a model: every key with the value that applies when no configuration is given.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli.h"
#include "tachyon/calibrate/calibrate.h"
#include "tachyon/config/config.h"
#include "tachyon/driver/driver.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/passes/pipeline.h"
#include "tachyon/support/error.h"
#include "tachyon/support/npy.h"

namespace {

struct Args {
  std::string model, output, granularity = "name", format;
  bool force = false;
  // --calibrate (docs/calibration.md)
  std::string calibrate, labels, start_config;
  double min_agreement = 0.99, max_drop = -1;
  int int_margin = 1, max_frac = 20, threads = 0;
};

std::vector<int64_t> read_labels(const std::string& path) {
  tachyon::NdArray y = tachyon::read_npy(path);
  std::vector<int64_t> r;
  for (double v : y.data) {
    if (v != std::floor(v) || v < 0) tachyon::fail("{}: labels must be non-negative class indices, found {}", path, v);
    r.push_back(static_cast<int64_t>(v));
  }
  return r;
}

nlohmann::json calibrated(const Args& a) {
  using namespace tachyon;
  calibrate::CalibrateOptions o;
  o.granularity = a.granularity;
  o.min_agreement = a.min_agreement;
  o.int_margin = a.int_margin;
  o.max_frac = a.max_frac;
  o.threads = a.threads;
  if (!a.labels.empty()) {
    o.target = calibrate::Target::Accuracy;
    o.labels = read_labels(a.labels);
    o.max_accuracy_drop = a.max_drop < 0 ? 0.01 : a.max_drop;
  } else if (a.max_drop >= 0) {
    fail("--max-accuracy-drop needs --labels");
  }
  std::error_code ec;
  if (!a.output.empty() && std::filesystem::exists(a.output, ec) && !a.force)
    fail("{}: file exists; use --force to overwrite it", a.output);
  nlohmann::json start = a.start_config.empty() ? nlohmann::json::object() : driver::load_config(a.start_config);
  NdArray x = read_npy(a.calibrate);
  {
    const ir::Graph g = driver::compile(driver::load_model(a.model), start, a.start_config);
    if (g.inputs.size() != 1) fail("--calibrate takes models with one input; the model '{}' has {}", g.name, g.inputs.size());
    emulator::check_input_shape(g, 0, x.shape, a.calibrate);
  }
  calibrate::Calibration c = calibrate::calibrate(a.model, start, {x}, o, a.start_config);
  fmt::print(a.output.empty() ? stderr : stdout, "{}", c.summary());
  return c.config;
}

int run(const Args& a) {
  namespace fs = std::filesystem;
  tachyon::ir::Graph g = tachyon::driver::load_model(a.model);
  tachyon::passes::PassContext ctx;
  tachyon::passes::run_pipeline(g, ctx, tachyon::passes::lowering_pipeline());
  const nlohmann::json t = a.calibrate.empty()
                               ? tachyon::config::make_template(g, tachyon::config::parse_granularity(a.granularity))
                               : calibrated(a);
  std::string format = a.format;
  if (format.empty()) format = fs::path(a.output).extension() == ".json" ? "json" : "yaml";
  if (format != "yaml" && format != "json") tachyon::fail("--format must be yaml or json, got '{}'", a.format);
  const std::string text = format == "json" ? tachyon::config::to_json_text(t) : tachyon::config::to_yaml(t);
  if (a.output.empty()) {
    std::cout << text;
    return 0;
  }
  std::error_code ec;
  if (fs::exists(a.output, ec) && !a.force) tachyon::fail("{}: file exists; use --force to overwrite it", a.output);
  std::ofstream out(a.output, std::ios::binary);
  if (!out) tachyon::fail("{}: cannot write the file", a.output);
  out << text;
  out.close();
  if (!out) tachyon::fail("{}: error while writing the file", a.output);
  fmt::print("wrote {} ({} granularity, {} layers)\n", a.output, a.granularity, g.num_live_nodes());
  return 0;
}

tachyon::cli::Registrar reg(
    "config", "Write a configuration template (YAML/JSON, hls4ml keys) for a model",
    [](CLI::App& app) -> tachyon::cli::Action {
      auto a = std::make_shared<Args>();
      app.footer(
          "The template lists every setting with its default: Model (Precision, ReuseFactor, Strategy, ...), and per\n"
          "layer type (LayerType) or per layer (LayerName, the names `tachyon inspect` prints). 'auto' means the\n"
          "precision is inferred (QONNX models). Edit it and pass it to `tachyon inspect -c` or the backends.\n"
          "Keys and defaults: docs/config.md.\n");
      app.add_option("model", a->model, "Model file (ONNX / QONNX, tree ensemble)")->required();
      app.add_option("--granularity,-g", a->granularity, "model | type | name (default: name)")
          ->check(CLI::IsMember({"model", "type", "name"}, CLI::ignore_case));
      app.add_option("-o,--output", a->output, "Write to this file instead of standard output");
      app.add_option("--format,-f", a->format, "yaml | json (default: from the -o extension, else yaml)")
          ->check(CLI::IsMember({"yaml", "json"}, CLI::ignore_case));
      app.add_flag("--force", a->force, "Overwrite an existing output file");
      app.add_option("--calibrate", a->calibrate,
                     "Calibrate the precisions on these inputs (.npy): integer bits from the observed ranges, the "
                     "narrowest fractional bits and table sizes that keep the target (docs/calibration.md)");
      app.add_option("--min-agreement", a->min_agreement,
                     "Target: argmax agreement with the wide-precision reference (default 0.99)")
          ->check(CLI::Range(0.0, 1.0));
      app.add_option("--labels", a->labels, "Target accuracy instead: class labels (.npy) of the --calibrate inputs");
      app.add_option("--max-accuracy-drop", a->max_drop,
                     "With --labels: allowed accuracy loss against the reference (default 0.01)")
          ->check(CLI::Range(0.0, 1.0));
      app.add_option("-c,--config", a->start_config,
                     "With --calibrate: the configuration to start from (its other settings are kept)");
      app.add_option("--int-margin", a->int_margin, "With --calibrate: integer bits added to the observed ranges (default 1)")
          ->check(CLI::Range(0, 16));
      app.add_option("--max-frac", a->max_frac, "With --calibrate: fractional bits the search starts from (default 20)")
          ->check(CLI::Range(1, 40));
      app.add_option("--threads", a->threads, "With --calibrate: worker threads (default 0: all cores)")
          ->check(CLI::NonNegativeNumber);
      return [a] { return run(*a); };
    });

}  // namespace
