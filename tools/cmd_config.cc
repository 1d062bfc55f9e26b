// `tachyon config MODEL`: writes (or prints) a complete hls4ml-style configuration template
// for a model: every key with the value that applies when no configuration is given.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli.h"
#include "tachyon/config/config.h"
#include "tachyon/driver/driver.h"
#include "tachyon/passes/pipeline.h"
#include "tachyon/support/error.h"
#include "tachyon/support/output_dir.h"

namespace {

struct Args {
  std::string model, output, granularity = "name", format;
  bool force = false;
};

int run(const Args& a) {
  namespace fs = std::filesystem;
  tachyon::ir::Graph g = tachyon::driver::load_model(a.model);
  tachyon::passes::PassContext ctx;
  tachyon::passes::run_pipeline(g, ctx, tachyon::passes::lowering_pipeline());
  const nlohmann::json t = tachyon::config::make_template(g, tachyon::config::parse_granularity(a.granularity));
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
  tachyon::write_file_atomic(a.output, text, /*force=*/true);  // all or nothing
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
      return [a] { return run(*a); };
    });

}  // namespace
