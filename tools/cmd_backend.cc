// `tachyon convert`, `simulate`, `build`, `report`: the backend commands.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "cli.h"
#include "tachyon/backends/backend.h"
#include "tachyon/driver/driver.h"
#include "tachyon/support/error.h"
#include "tachyon/support/output_dir.h"

namespace {
using tachyon::cli::Action;
using tachyon::cli::Registrar;

struct ConvertArgs {
  std::string model, config, weights, backend = "hls", out, project = "myproject", part = "xcvu9p-flga2104-2L-e";
  double clock = 5.0;
  bool force = false, dsp = false, print_ir = false;
  std::string arithmetic = "cmvm";
  int depth_slack = 0;
  std::string adder_inputs = "auto";
};

Registrar convert("convert", "Compile a model into an HLS project or Verilog", [](CLI::App& app) -> Action {
  auto a = std::make_shared<ConvertArgs>();
  app.add_option("model", a->model, "Model file (.onnx, Keras .h5/.json/.keras, XGBoost .json, tree .json/.xml/.txt)")
      ->required();
  tachyon::cli::add_weights_option(app, a->weights);
  app.add_option("-c,--config", a->config, "Configuration (YAML or JSON, hls4ml keys)");
  app.add_option("-b,--backend", a->backend, "Backend: hls (Vitis/Vivado HLS project) or verilog")->capture_default_str();
  app.add_option("-o,--output", a->out, "Output folder (written completely or not at all)")->required();
  app.add_option("--project-name", a->project, "Project / top function name")->capture_default_str();
  app.add_option("--part", a->part, "FPGA part")->capture_default_str();
  app.add_option("--clock-period", a->clock, "Target clock period in ns")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_flag("--force", a->force, "Replace an existing output folder");
  app.add_flag("--dsp", a->dsp, "Verilog: map multiplications to DSP blocks instead of shift-and-add");
  app.add_option("--arithmetic", a->arithmetic,
                 "Verilog: constant multiplications as cmvm (sub-expressions shared across the whole weight matrix), "
                 "mcm (shared per input) or csd (plain canonical signed digits)")
      ->check(CLI::IsMember({"cmvm", "mcm", "csd"}))
      ->capture_default_str();
  app.add_option("--adder-depth-slack", a->depth_slack,
                 "Verilog, cmvm: extra adder levels allowed per output beyond a balanced tree of its CSD terms (-1: unbounded)")
      ->capture_default_str();
  app.add_option("--adder-inputs", a->adder_inputs,
                 "Verilog: operands per adder of the sums: 3 (ternary adders: one LUT level and carry chain each, "
                 "fewer levels), 2 (two-input adder trees) or auto (the one with fewer cycles at the clock, then "
                 "fewer adder bits)")
      ->check(CLI::IsMember({"auto", "2", "3"}))
      ->capture_default_str();
  app.add_flag("--print-ir-after-all", a->print_ir, "Print the IR after every pass");
  return [a] {
    const auto& backend = tachyon::backends::get_backend(a->backend);
    tachyon::driver::CompileOptions opts;
    opts.print_ir_after_all = a->print_ir;
    opts.weights = a->weights;
    tachyon::ir::Graph g = tachyon::driver::compile_file(a->model, a->config, opts);
    tachyon::backends::BackendOptions bo;
    bo.output_dir = a->out;
    bo.project_name = a->project;
    bo.part = a->part;
    bo.clock_period_ns = a->clock;
    bo.force = a->force;
    bo.extra["dsp"] = a->dsp;
    if (a->backend == "verilog") {
      bo.extra["arithmetic"] = a->arithmetic;
      bo.extra["depth_slack"] = a->depth_slack;
      bo.extra["adder_inputs"] = a->adder_inputs;
    }
    backend.write(g, bo);
    fmt::print("wrote {} project '{}' to {}\n", backend.name(), a->project, a->out);
    return 0;
  };
});

struct SimArgs {
  std::string dir, in, out;
};

Registrar simulate("simulate", "Run the C simulation (HLS) or RTL simulation (Verilog) of a generated project",
                   [](CLI::App& app) -> Action {
                     auto a = std::make_shared<SimArgs>();
                     app.add_option("dir", a->dir, "Project folder written by `tachyon convert`")->required();
                     app.add_option("-i,--input", a->in, "Input .npy (batch first, the model's own layout)")->required();
                     app.add_option("-o,--output", a->out, "Output .npy (float64)")->required();
                     return [a] {
                       const auto& backend = tachyon::backends::backend_for_project(a->dir);
                       backend.simulate(a->dir, a->in, a->out);
                       fmt::print("simulated {} with {}: outputs in {}\n", a->dir, backend.name(), a->out);
                       return 0;
                     };
                   });

struct ReportArgs {
  std::string dir, json;
  bool force = false;
};

Action report_action(std::shared_ptr<ReportArgs> a, bool build) {
  return [a, build] {
    const auto& backend = tachyon::backends::backend_for_project(a->dir);
    std::string text;
    nlohmann::json j = build ? backend.build(a->dir, text) : backend.report(a->dir, text);
    fmt::print("{}", text);
    if (!a->json.empty()) tachyon::write_file_atomic(a->json, j.dump(2) + "\n", true);
    return 0;
  };
}

Registrar build("build", "Synthesize a project with the vendor tool (HLS) or Yosys (Verilog) and read its report",
                [](CLI::App& app) -> Action {
                  auto a = std::make_shared<ReportArgs>();
                  app.add_option("dir", a->dir, "Project folder")->required();
                  app.add_option("--json", a->json, "Also write the report as JSON to this file");
                  return report_action(a, true);
                });

Registrar report("report", "Resources (LUT, FF, DSP, BRAM) and latency of a project", [](CLI::App& app) -> Action {
  auto a = std::make_shared<ReportArgs>();
  app.add_option("dir", a->dir, "Project folder")->required();
  app.add_option("--json", a->json, "Also write the report as JSON to this file");
  return report_action(a, false);
});

}  // namespace
