// The compiled half of the Python module `tachyon` (the pure-Python half is python/tachyon/).
// Thin: it exposes the driver, the emulator and the backends; configs cross as JSON text.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <sstream>

#include "tachyon/backends/backend.h"
#include "tachyon/backends/manifest.h"
#include "tachyon/config/config.h"
#include "tachyon/driver/driver.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/frontends/onnx.h"
#include "tachyon/ir/printer.h"
#include "tachyon/passes/pipeline.h"
#include "tachyon/support/error.h"
#include "tachyon/support/version.h"
#include "numpy_convert.h"

namespace py = pybind11;
using namespace tachyon;
using tachyon::python::to_ndarray;
using tachyon::python::to_numpy;

namespace {

ir::Graph load_any(const std::string& path, const py::object& onnx_bytes, const std::string& name,
                   const std::string& weights = {}) {
  if (!onnx_bytes.is_none()) return frontends::load_onnx_bytes(onnx_bytes.cast<std::string>(), name);
  return driver::load_model(path, weights);
}

// A model converted with a configuration: the typed IR and its emulator.
class Model {
 public:
  Model(ir::Graph typed) : graph_(std::move(typed)), emulator_(graph_) {}

  py::list predict(const py::list& inputs, int threads, bool stats) {
    std::vector<NdArray> ins;
    for (auto& x : inputs) ins.push_back(to_ndarray(x.cast<py::array>()));
    std::vector<NdArray> outs;
    {
      py::gil_scoped_release release;
      emulator::RunOptions o;
      o.threads = threads;
      o.collect_stats = stats;
      outs = emulator_.predict(ins, o);
    }
    py::list r;
    for (auto& o : outs) r.append(to_numpy(o));
    return r;
  }

  py::dict trace(const py::list& inputs, int threads) {
    std::vector<NdArray> ins;
    for (auto& x : inputs) ins.push_back(to_ndarray(x.cast<py::array>()));
    std::map<std::string, NdArray> t;
    {
      py::gil_scoped_release release;
      emulator::RunOptions o;
      o.threads = threads;
      t = emulator_.trace(ins, o);
    }
    py::dict r;
    for (auto& [k, v] : t) r[py::str(k)] = to_numpy(v);
    return r;
  }

  std::string stats_table() const { return emulator_.stats_table(); }
  std::string inspect() const { return ir::print_graph(graph_); }

  void write(const std::string& backend, const std::string& dir, const std::string& project, const std::string& part,
             double clock, bool force, bool dsp) const {
    backends::BackendOptions bo;
    bo.output_dir = dir;
    bo.project_name = project;
    bo.part = part;
    bo.clock_period_ns = clock;
    bo.force = force;
    bo.extra["dsp"] = dsp;
    backends::get_backend(backend).write(graph_, bo);
  }

  std::vector<std::string> input_names() const {
    std::vector<std::string> r;
    for (auto& p : graph_.inputs) r.push_back(p.name);
    return r;
  }
  std::vector<std::string> output_names() const {
    std::vector<std::string> r;
    for (auto& p : graph_.outputs) r.push_back(p.name);
    return r;
  }
  std::vector<std::vector<int64_t>> input_shapes() const {
    std::vector<std::vector<int64_t>> r;
    for (auto& p : graph_.inputs) r.push_back(p.user_shape);
    return r;
  }

 private:
  ir::Graph graph_;
  emulator::Emulator emulator_;
};

}  // namespace

// python/calibrate.cc: tachyon.profile / tachyon.calibrate
void register_calibrate(py::module_& m);

PYBIND11_MODULE(_tachyon, m) {
  m.doc() = "Tachyon: bit-exact emulation and firmware generation for ML models on FPGAs (compiled core)";
  static py::exception<Error> exc(m, "TachyonError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      exc(e.what());
    }
  });
  register_calibrate(m);
  m.attr("__version__") = tachyon::version();
  m.def("backend_name", &backends::canonical_backend_name, "Canonical backend name for a name or alias (vitis -> hls)");

  m.def(
      "config_template",
      [](const std::string& path, py::object onnx_bytes, const std::string& name, const std::string& granularity,
         const std::string& weights) {
        ir::Graph g = load_any(path, onnx_bytes, name, weights);
        passes::PassContext ctx;
        passes::run_pipeline(g, ctx, passes::lowering_pipeline());
        config::Granularity gr = config::Granularity::Model;
        if (granularity == "type")
          gr = config::Granularity::Type;
        else if (granularity == "name")
          gr = config::Granularity::Name;
        else if (granularity != "model")
          throw Error("granularity must be 'model', 'type' or 'name', not '" + granularity + "'");
        return config::make_template(g, gr).dump();
      },
      py::arg("path"), py::arg("onnx_bytes") = py::none(), py::arg("name") = "model", py::arg("granularity") = "model",
      py::arg("weights") = "");

  m.def(
      "compile",
      [](const std::string& path, py::object onnx_bytes, const std::string& name, const std::string& config_json,
         bool print_ir, const std::string& weights) {
        ir::Graph g = load_any(path, onnx_bytes, name, weights);
        nlohmann::json cfg = config_json.empty() ? nlohmann::json::object() : nlohmann::json::parse(config_json);
        driver::CompileOptions o;
        o.print_ir_after_all = print_ir;
        return std::make_unique<Model>(driver::compile(std::move(g), cfg, "hls_config", o));
      },
      py::arg("path"), py::arg("onnx_bytes") = py::none(), py::arg("name") = "model", py::arg("config_json") = "",
      py::arg("print_ir_after_all") = false, py::arg("weights") = "");

  m.def("load_config", [](const std::string& path) { return driver::load_config(path).dump(); });

  m.def(
      "build_project",
      [](const std::string& dir) {
        std::string text;
        nlohmann::json j = backends::backend_for_project(dir).build(dir, text);
        return py::make_tuple(j.dump(), text);
      },
      py::arg("dir"));
  m.def(
      "report_project",
      [](const std::string& dir) {
        std::string text;
        nlohmann::json j = backends::backend_for_project(dir).report(dir, text);
        return py::make_tuple(j.dump(), text);
      },
      py::arg("dir"));
  m.def(
      "simulate_project",
      [](const std::string& dir, const std::string& in, const std::string& out) {
        backends::backend_for_project(dir).simulate(dir, in, out);
      },
      py::arg("dir"), py::arg("input"), py::arg("output"));

  py::class_<Model>(m, "Model")
      .def("predict", &Model::predict, py::arg("inputs"), py::arg("threads") = 0, py::arg("stats") = false)
      .def("trace", &Model::trace, py::arg("inputs"), py::arg("threads") = 0)
      .def("stats_table", &Model::stats_table)
      .def("inspect", &Model::inspect)
      .def("write", &Model::write, py::arg("backend"), py::arg("output_dir"), py::arg("project_name"),
           py::arg("part"), py::arg("clock_period"), py::arg("force"), py::arg("dsp") = false)
      .def_property_readonly("input_names", &Model::input_names)
      .def_property_readonly("output_names", &Model::output_names)
      .def_property_readonly("input_shapes", &Model::input_shapes);
}
