// The Verilog backend (name "verilog"): see include/tachyon/backends/verilog.h.
#include <memory>

#include "tachyon/backends/backend.h"
#include "tachyon/backends/verilog.h"

namespace tachyon::backends {
namespace {

class VerilogBackend final : public Backend {
 public:
  std::string name() const override { return "verilog"; }
  void write(const ir::Graph& g, const BackendOptions& o) const override { verilog::write_project(g, o); }
  void simulate(const std::string& dir, const std::string& in_npy, const std::string& out_npy) const override {
    verilog::simulate_npy(dir, in_npy, out_npy);
  }
  // Synthesis with Yosys is the open-source "build"; it is also what the report reads.
  nlohmann::json build(const std::string& dir, std::string& text) const override { return verilog::synth_report(dir, text); }
  nlohmann::json report(const std::string& dir, std::string& text) const override { return verilog::synth_report(dir, text); }
};

}  // namespace

std::unique_ptr<Backend> make_verilog_backend() { return std::make_unique<VerilogBackend>(); }

}  // namespace tachyon::backends
