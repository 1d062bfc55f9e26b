// Internals of the Verilog project folder: file templates, log tails, manifest access.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tachyon/backends/manifest.h"
#include "tachyon/support/process.h"

namespace tachyon::backends::verilog {

// Whole-file templates with named placeholders ({{NAME}}); see testbench.cc.
std::string icarus_testbench(const std::string& top, int in_w, int out_w, int latency, int interval);
std::string verilator_harness(const std::string& top, int in_w, int out_w, int latency, int interval);
std::string yosys_script(const std::string& top, const std::string& design_file, bool dsp);
// The unmodified synth_xilinx -abc9 flow of the same design (an independent LUT check).
std::string yosys_plain_script(const std::string& top, const std::string& design_file, bool dsp);
// Replaces every {{KEY}}; throws if a placeholder is left.
std::string render(std::string text, const std::vector<std::pair<std::string, std::string>>& values);

// True when `program` is found in PATH (programs run through tachyon::run_process).
inline bool have_program(const std::string& program) { return !find_on_path(program).empty(); }
// The last `lines` lines of a text file (for error messages).
std::string tail_of(const std::string& file, int lines = 30);
// Deterministic 64-bit FNV-1a of strings, as 16 hex digits (cache stamps).
std::string fingerprint(const std::vector<std::string>& parts);

// DIR/tachyon_project.json of a Verilog project (throws naming the file on problems).
inline nlohmann::json read_manifest(const std::string& dir) {
  return backends::read_manifest(
      dir, "verilog", {"top", "design_file", "latency_cycles", "input_bus_width", "output_bus_width", "inputs", "outputs"});
}

}  // namespace tachyon::backends::verilog
