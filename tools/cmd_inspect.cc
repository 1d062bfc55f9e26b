// `tachyon inspect MODEL [-c CONFIG]`: runs the whole pass pipeline and prints the typed IR:
// every layer's op, shapes, precisions, reuse factor, multiplications, and totals.
#include <fmt/format.h>

#include <iostream>

#include "cli.h"
#include "tachyon/driver/driver.h"
#include "tachyon/ir/printer.h"

namespace {

struct Args {
  std::string model, config, weights;
  bool print_ir_after_all = false;
};

tachyon::cli::Registrar reg(
    "inspect", "Print the typed IR of a model after the pass pipeline (layers, types, reuse, multiplications)",
    [](CLI::App& app) -> tachyon::cli::Action {
      auto a = std::make_shared<Args>();
      app.footer(
          "Loads the model, applies the configuration (defaults without -c: ap_fixed<16,6> everywhere, QONNX\n"
          "types kept and accumulators inferred) and prints one block per layer. The layer names are the keys\n"
          "LayerName accepts in a configuration (see `tachyon config`).\n");
      app.add_option("model", a->model, "Model file (ONNX / QONNX, Keras / QKeras / HGQ, tree ensemble)")->required();
      tachyon::cli::add_weights_option(app, a->weights);
      app.add_option("-c,--config", a->config, "Configuration file (YAML or JSON, hls4ml keys)");
      app.add_flag("--print-ir-after-all", a->print_ir_after_all,
                   "Print the IR after every pass, each preceded by '// after <pass>'");
      return [a] {
        tachyon::driver::CompileOptions opts;
        opts.print_ir_after_all = a->print_ir_after_all;
        opts.log = &std::cout;
        opts.weights = a->weights;
        tachyon::ir::Graph g = tachyon::driver::compile_file(a->model, a->config, opts);
        if (a->print_ir_after_all) std::cout << "// final\n";
        std::cout << tachyon::ir::print_graph(g);
        return 0;
      };
    });

}  // namespace
