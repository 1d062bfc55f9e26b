// `tachyon profile MODEL -i X.npy [--html R.html] [--json R.json]`: observed ranges of every
// value each layer converts, on real inputs, against the configured types.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "cli.h"
#include "tachyon/calibrate/calibrate.h"
#include "tachyon/driver/driver.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/support/error.h"
#include "tachyon/support/npy.h"

namespace {

struct Args {
  std::string model, config, html, json;
  std::vector<std::string> inputs;
  int threads = 0;
  bool force = false, quiet = false;
};

void write_text(const std::string& path, const std::string& text, bool force) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(path, ec) && !force) tachyon::fail("{}: file exists; use --force to overwrite it", path);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) tachyon::fail("{}: cannot write the file", path);
    out << text;
    out.close();
    if (!out) tachyon::fail("{}: error while writing the file", path);
  }
  fs::rename(tmp, path, ec);
  if (ec) tachyon::fail("{}: cannot write the file ({})", path, ec.message());
}

int run(const Args& a) {
  using namespace tachyon;
  nlohmann::json cfg = a.config.empty() ? nlohmann::json::object() : driver::load_config(a.config);
  std::vector<NdArray> in;
  {
    const ir::Graph g = driver::compile(driver::load_model(a.model), cfg, a.config);
    if (a.inputs.size() != g.inputs.size())
      fail("the model '{}' has {} input{}: give -i once per input, in order", g.name, g.inputs.size(),
           g.inputs.size() == 1 ? "" : "s");
    for (size_t i = 0; i < a.inputs.size(); ++i) {
      in.push_back(read_npy(a.inputs[i]));
      emulator::check_input_shape(g, i, in.back().shape, a.inputs[i]);
    }
  }
  calibrate::Profile p = calibrate::profile(a.model, cfg, in, a.config, a.threads);
  if (!a.quiet) fmt::print("{}", calibrate::profile_table(p));
  if (!a.json.empty()) write_text(a.json, calibrate::profile_json(p).dump(1) + "\n", a.force);
  if (!a.html.empty()) write_text(a.html, calibrate::profile_html(p), a.force);
  if (!a.quiet && !a.json.empty()) fmt::print("wrote {}\n", a.json);
  if (!a.quiet && !a.html.empty()) fmt::print("wrote {}\n", a.html);
  return 0;
}

tachyon::cli::Registrar reg(
    "profile", "Profile a model on real inputs: observed ranges of every converted value against its type",
    [](CLI::App& app) -> tachyon::cli::Action {
      auto a = std::make_shared<Args>();
      app.footer(
          "For every layer and every value it converts (input, weight, bias, product, accumulator, result, softmax\n"
          "normalised input / exponentials / sum / inverse, table inputs): min, max, percentiles, the integer and\n"
          "fractional bits needed, the configured type, and the wrapped / saturated counts. Ranges come from the\n"
          "fixed-point emulator (every data-path type with 16 more integer bits, so nothing wraps); overflow counts\n"
          "from a run with the configured types. See docs/calibration.md.\n\n"
          "Example:\n"
          "  tachyon profile jet.onnx -i x.npy --html profile.html --json ranges.json");
      app.add_option("model", a->model, "Model file (.onnx, tree ensemble)")->required();
      app.add_option("-c,--config", a->config, "Configuration (default: the built-in defaults)");
      app.add_option("-i,--input", a->inputs, "Input .npy, once per model input (in order)")
          ->required()
          ->allow_extra_args(false);
      app.add_option("--html", a->html, "Write the report as one self-contained HTML file (inline SVG)");
      app.add_option("--json", a->json, "Write the ranges as JSON");
      app.add_option("--threads", a->threads, "Worker threads (default 0: all cores)")->check(CLI::NonNegativeNumber);
      app.add_flag("--force", a->force, "Overwrite existing --html / --json files");
      app.add_flag("-q,--quiet", a->quiet, "Do not print the table");
      return [a] { return run(*a); };
    });

}  // namespace
