// Backends turn a typed IR graph into a project folder (HLS C++ or Verilog) and can
// simulate, build and report on such a folder.
//
// Every project folder holds `tachyon_project.json` with at least
//   {"backend": "<name>", "project_name": ..., "model": ..., "inputs": [...], "outputs": [...]}
// so `tachyon simulate|build|report DIR` find the backend that wrote it.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tachyon/ir/graph.h"

namespace tachyon::backends {

struct BackendOptions {
  std::string output_dir;
  std::string project_name = "myproject";
  std::string part = "xcvu9p-flga2104-2L-e";
  double clock_period_ns = 5.0;
  bool force = false;  // replace an existing output folder
  nlohmann::json extra = nlohmann::json::object();  // backend-specific options (e.g. {"dsp": true})
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // Writes the complete project folder (StagedDir: all or nothing, --force to replace).
  virtual void write(const ir::Graph& g, const BackendOptions& opts) const = 0;
  // Runs the project's simulation on a .npy input (user layout, batch first) and writes the
  // outputs as a float64 .npy. Throws tachyon::Error on failure.
  virtual void simulate(const std::string& dir, const std::string& in_npy, const std::string& out_npy) const = 0;
  // Runs synthesis (vendor tool or open-source flow) and returns a report as JSON; `text`
  // receives a human-readable table.
  virtual nlohmann::json build(const std::string& dir, std::string& text) const = 0;
  virtual nlohmann::json report(const std::string& dir, std::string& text) const = 0;
};

// Registry: backends add themselves (see backends/registry.cc).
const Backend& get_backend(const std::string& name);  // "hls" (alias "vitis", "vivado"), "verilog"
std::vector<std::string> backend_names();
// Reads DIR/tachyon_project.json and returns the backend that wrote DIR.
const Backend& backend_for_project(const std::string& dir);

}  // namespace tachyon::backends
