// Python bindings of the calibrate library: profile and calibrate (configs cross as JSON text).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "tachyon/calibrate/calibrate.h"
#include "numpy_convert.h"
#include "tachyon/support/error.h"

namespace py = pybind11;
using namespace tachyon;

namespace {

std::vector<NdArray> arrays(const py::list& inputs) {
  std::vector<NdArray> r;
  for (auto& x : inputs) r.push_back(python::to_ndarray(x));
  return r;
}

nlohmann::json cfg_of(const std::string& text) {
  return text.empty() ? nlohmann::json::object() : nlohmann::json::parse(text);
}

}  // namespace

void register_calibrate(py::module_& m) {
  m.def(
      "profile",
      [](const std::string& model, const std::string& config_json, const py::list& inputs, int threads,
         const std::string& html_title) {
        std::vector<NdArray> in = arrays(inputs);
        nlohmann::json cfg = cfg_of(config_json);
        calibrate::Profile p;
        {
          py::gil_scoped_release release;
          p = calibrate::profile(model, cfg, in, {}, threads);
        }
        return py::make_tuple(calibrate::profile_json(p).dump(), calibrate::profile_table(p),
                              calibrate::profile_html(p, html_title));
      },
      py::arg("model"), py::arg("config_json"), py::arg("inputs"), py::arg("threads") = 0, py::arg("title") = "");
  m.def(
      "calibrate",
      [](const std::string& model, const std::string& config_json, const py::list& inputs, const std::string& granularity,
         double min_agreement, const std::vector<int64_t>& labels, double max_drop, int int_margin, int max_frac,
         int threads) {
        calibrate::CalibrateOptions o;
        o.granularity = granularity;
        o.min_agreement = min_agreement;
        o.labels = labels;
        if (!labels.empty()) {
          o.target = calibrate::Target::Accuracy;
          o.max_accuracy_drop = max_drop;
        }
        o.int_margin = int_margin;
        o.max_frac = max_frac;
        o.threads = threads;
        std::vector<NdArray> in = arrays(inputs);
        nlohmann::json cfg = cfg_of(config_json);
        calibrate::Calibration c;
        {
          py::gil_scoped_release release;
          c = calibrate::calibrate(model, cfg, in, o);
        }
        nlohmann::json r;
        r["config"] = c.config;
        r["metric_before"] = c.metric_before;
        r["metric_after"] = c.metric_after;
        r["reference_metric"] = c.reference_metric;
        r["cost_before"] = c.cost_before;
        r["cost_after"] = c.cost_after;
        r["overflows_after"] = c.overflows_after;
        r["evaluations"] = c.evaluations;
        r["seconds"] = c.seconds;
        r["summary"] = c.summary();
        nlohmann::json ks = nlohmann::json::array();
        for (const calibrate::Knob& k : c.knobs) ks.push_back({{"path", k.path}, {"before", k.before}, {"after", k.after}});
        r["knobs"] = ks;
        return r.dump();
      },
      py::arg("model"), py::arg("config_json"), py::arg("inputs"), py::arg("granularity") = "name",
      py::arg("min_agreement") = 0.99, py::arg("labels") = std::vector<int64_t>{}, py::arg("max_accuracy_drop") = 0.01,
      py::arg("int_margin") = 1, py::arg("max_frac") = 20, py::arg("threads") = 0);
}
