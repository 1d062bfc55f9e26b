#include "executors.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <optional>

#include "tachyon/backends/backend.h"
#include "tachyon/backends/hls.h"
#include "tachyon/backends/manifest.h"
#include "tachyon/backends/verilog.h"
#include "tachyon/backends/verilog/dfg.h"
#include "tachyon/backends/verilog/net.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/ir/verifier.h"
#include "tachyon/support/error.h"
#include "tachyon/support/output_dir.h"
#include "tachyon/support/process.h"

namespace fs = std::filesystem;

namespace tachyon::testing {

namespace {

int64_t batch_of(const ir::Graph& g, const std::vector<NdArray>& inputs) {
  if (inputs.size() != g.inputs.size()) fail("{} input arrays for {} graph inputs", inputs.size(), g.inputs.size());
  int64_t n = inputs.empty() ? 0 : inputs[0].shape.at(0);
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (inputs[k].num_elements() != n * ir::num_elements(g.value(g.inputs[k].value).shape))
      fail("input array {} does not hold {} samples of input '{}'", k, n, g.inputs[k].name);
    if (!g.inputs[k].perm.empty()) fail("input '{}': the executors here take inputs without a layout permutation", g.inputs[k].name);
  }
  return n;
}

// The raw input codes of sample s in bus order (graph inputs in order, elements in order),
// each double converted to its input's type as the emulator's input conversion does.
std::vector<BigInt> input_codes(const ir::Graph& g, const std::vector<NdArray>& inputs, int64_t s) {
  std::vector<BigInt> codes;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const FixedType& t = *g.value(g.inputs[k].value).type;
    const int64_t n = ir::num_elements(g.value(g.inputs[k].value).shape);
    for (int64_t i = 0; i < n; ++i) codes.push_back(Fixed::from_double(inputs[k].data[static_cast<size_t>(s * n + i)], t).raw());
  }
  return codes;
}

// Output arrays (batch first) from the output codes of every sample in bus order.
std::vector<NdArray> outputs_from_codes(const ir::Graph& g, const std::vector<std::vector<BigInt>>& codes) {
  std::vector<NdArray> ys;
  for (const ir::IoPort& p : g.outputs) {
    NdArray a;
    a.shape = {static_cast<int64_t>(codes.size())};
    a.shape.insert(a.shape.end(), p.user_shape.begin(), p.user_shape.end());
    ys.push_back(std::move(a));
  }
  for (const std::vector<BigInt>& c : codes) {
    size_t pos = 0;
    for (size_t k = 0; k < g.outputs.size(); ++k) {
      const FixedType& t = *g.value(g.outputs[k].value).type;
      const int64_t n = ir::num_elements(g.value(g.outputs[k].value).shape);
      for (int64_t i = 0; i < n; ++i, ++pos) {
        if (pos >= c.size()) fail("{} output codes per sample, expected more", c.size());
        ys[k].data.push_back(Fixed::from_raw(c[pos], t).to_double());
      }
    }
    if (pos != c.size()) fail("{} output codes per sample, expected {}", c.size(), pos);
  }
  return ys;
}

struct Netlist {
  backends::verilog::Dfg d;
  std::vector<backends::verilog::PortLayout> inputs;
};

void build_netlist(const ir::Graph& g, Netlist& net) {
  ir::verify(g, ir::VerifyLevel::Typed);
  backends::verilog::NetEmitter ne(g, net.d, backends::verilog::NetOptions{});
  ne.build();
  net.inputs = ne.inputs();
}

std::vector<NdArray> run_netlist(const ir::Graph& g, const std::vector<NdArray>& inputs) {
  using backends::verilog::DKind;
  const int64_t batch = batch_of(g, inputs);
  Netlist net;
  build_netlist(g, net);
  const backends::verilog::Dfg& d = net.d;
  // Bus bit offset -> index of the element in bus order, and the element's own type when the
  // port carries per-element types (an input read only by an ElementQuant): its code is the
  // port type's code converted to it, as the RTL simulation's input step does.
  std::map<int, size_t> element_at;
  std::vector<std::pair<FixedType, std::optional<FixedType>>> conv;
  size_t e = 0;
  for (const backends::verilog::PortLayout& p : net.inputs)
    for (int64_t i = 0; i < p.elements; ++i, ++e) {
      const bool per = !p.element_types.empty();
      if (per && !p.element_types[static_cast<size_t>(i)]) {
        conv.push_back({p.type, std::nullopt});
        continue;
      }
      element_at[per ? p.element_offsets[static_cast<size_t>(i)] : p.bit_offset + static_cast<int>(i) * p.type.width] = e;
      conv.push_back({p.type, per ? p.element_types[static_cast<size_t>(i)] : std::optional<FixedType>()});
    }
  std::vector<std::vector<BigInt>> out_codes;
  for (int64_t s = 0; s < batch; ++s) {
    std::vector<BigInt> codes = input_codes(g, inputs, s);
    std::vector<BigInt> node_in(d.size());
    for (size_t i = 0; i < d.size(); ++i) {
      const backends::verilog::DfgNode& n = d.node(static_cast<backends::verilog::DNode>(i));
      if (n.kind != DKind::Input) continue;
      auto it = element_at.find(n.input_offset);
      if (it == element_at.end()) fail("netlist input node '{}' at bit {} is no element's offset", n.name, n.input_offset);
      const auto& [pt, et] = conv.at(it->second);
      node_in[i] = et ? Fixed::from_raw(codes.at(it->second), pt).cast(*et).raw() : codes.at(it->second);
    }
    std::vector<BigInt> v = d.evaluate_all(node_in);
    std::vector<BigInt> out;
    for (const backends::verilog::Dfg::Output& o : d.outputs()) {
      const BigInt& c = v[static_cast<size_t>(o.node)];
      // The output bus holds the type's code: a value outside the code range is a netlist bug.
      if (Fixed::from_raw(c, o.type).raw() != c)
        fail("netlist output node '{}' has the value {}, outside the codes of {}", d.node(o.node).name, c.to_dec(), o.type.str());
      out.push_back(c);
    }
    out_codes.push_back(std::move(out));
  }
  return outputs_from_codes(g, out_codes);
}

backends::BackendOptions project_options(const ir::Graph& g, const std::string& dir) {
  backends::BackendOptions o;
  o.output_dir = dir;
  o.project_name = g.name.empty() ? std::string("model") : g.name;
  o.force = true;
  return o;
}

std::string project_dir(Executor e, const ir::Graph& g, const std::string& work_dir) {
  fs::create_directories(work_dir);
  return (fs::path(work_dir) / fmt::format("{}_{}", g.name.empty() ? "model" : g.name, executor_name(e))).string();
}

std::vector<NdArray> run_hls(const ir::Graph& g, const std::vector<NdArray>& inputs, const std::string& dir) {
  batch_of(g, inputs);
  backends::get_backend("hls").write(g, project_options(g, dir));
  nlohmann::json m = backends::read_manifest(dir, "hls");
  const fs::path in = fs::path(dir) / "tb_data" / "tb_input_features.dat", out = fs::path(dir) / "tb_data" / "csim_results.log";
  fs::create_directories(in.parent_path());
  write_file_atomic(in, backends::hls::make_tb_input(inputs, m.at("inputs")), true);
  // -O0: the op suite's projects are many small layers run on few samples (compile time wins).
  ProcessResult built = run_process({"make", "-C", dir, "csim", "OPT=-O0"});
  if (built.exit_code != 0) fail("{}: the C simulation does not compile:\n{}", dir, built.output);
  if (built.output.find("warning") != std::string::npos) fail("{}: the C simulation compiles with warnings:\n{}", dir, built.output);
  ProcessResult run = run_process({(fs::path(dir) / "build" / "csim").string(), in.string(), out.string()}, dir);
  if (run.exit_code != 0) fail("{}: the C simulation failed (exit {}):\n{}", dir, run.exit_code, run.output);
  return backends::hls::parse_tb_output(read_file(out), m.at("outputs"), out.string());
}

std::vector<NdArray> run_rtl(const ir::Graph& g, const std::vector<NdArray>& inputs, const std::string& dir,
                             backends::verilog::Simulator sim) {
  const int64_t batch = batch_of(g, inputs);
  backends::verilog::write_project(g, project_options(g, dir));
  std::vector<std::vector<BigInt>> codes;
  for (int64_t s = 0; s < batch; ++s) codes.push_back(input_codes(g, inputs, s));
  return outputs_from_codes(g, backends::verilog::simulate_codes(dir, codes, sim));
}

}  // namespace

const char* executor_name(Executor e) {
  switch (e) {
    case Executor::Emulator: return "Emulator";
    case Executor::EmulatorGeneral: return "EmulatorGeneral";
    case Executor::Netlist: return "Netlist";
    case Executor::HlsCsim: return "HlsCsim";
    case Executor::RtlVerilator: return "RtlVerilator";
    case Executor::RtlIcarus: return "RtlIcarus";
  }
  return "?";
}

bool needs_external_tool(Executor e) {
  return e == Executor::HlsCsim || e == Executor::RtlVerilator || e == Executor::RtlIcarus;
}

bool executor_available(Executor e) {
  switch (e) {
    case Executor::HlsCsim: return !find_on_path("make").empty() && !find_on_path("g++").empty();
    case Executor::RtlVerilator: return !find_on_path("verilator").empty();
    case Executor::RtlIcarus: return !find_on_path("iverilog").empty() && !find_on_path("vvp").empty();
    default: return true;
  }
}

std::vector<NdArray> run_executor(Executor e, const ir::Graph& g, const std::vector<NdArray>& inputs,
                                  const std::string& work_dir) {
  switch (e) {
    case Executor::Emulator:
    case Executor::EmulatorGeneral: {
      emulator::Emulator emu(g, emulator::EmulatorOptions{e == Executor::EmulatorGeneral});
      return emu.predict(inputs);
    }
    case Executor::Netlist: return run_netlist(g, inputs);
    case Executor::HlsCsim: return run_hls(g, inputs, project_dir(e, g, work_dir));
    case Executor::RtlVerilator:
      return run_rtl(g, inputs, project_dir(e, g, work_dir), backends::verilog::Simulator::Verilator);
    case Executor::RtlIcarus: return run_rtl(g, inputs, project_dir(e, g, work_dir), backends::verilog::Simulator::Icarus);
  }
  fail("unknown executor");
}

void accept_graph(Executor e, const ir::Graph& g, const std::string& work_dir) {
  switch (e) {
    case Executor::Emulator:
    case Executor::EmulatorGeneral: {
      emulator::Emulator emu(g, emulator::EmulatorOptions{e == Executor::EmulatorGeneral});
      return;
    }
    case Executor::Netlist: {
      Netlist net;
      build_netlist(g, net);
      return;
    }
    case Executor::HlsCsim: backends::get_backend("hls").write(g, project_options(g, project_dir(e, g, work_dir))); return;
    case Executor::RtlVerilator:
    case Executor::RtlIcarus: backends::verilog::write_project(g, project_options(g, project_dir(e, g, work_dir))); return;
  }
}

}  // namespace tachyon::testing
