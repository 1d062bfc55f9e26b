// Internals of the Verilog project folder: file templates, process runner, manifest access.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tachyon::backends::verilog {

// Whole-file templates with named placeholders ({{NAME}}); see testbench.cc.
std::string icarus_testbench(const std::string& top, int in_w, int out_w, int latency);
std::string verilator_harness(const std::string& top, int in_w, int out_w, int latency);
std::string yosys_script(const std::string& top, const std::string& design_file, bool dsp);
// The unmodified synth_xilinx -abc9 flow of the same design (an independent LUT check).
std::string yosys_plain_script(const std::string& top, const std::string& design_file, bool dsp);
// Replaces every {{KEY}}; throws if a placeholder is left.
std::string render(std::string text, const std::vector<std::pair<std::string, std::string>>& values);

// Runs argv (no shell), stdout+stderr into log_file; returns the exit code (-1 when it
// could not start). Never throws for a failing program.
int run_process(const std::vector<std::string>& argv, const std::string& log_file, const std::string& cwd = {});
// True when `program` is found in PATH.
bool have_program(const std::string& program);
// The last `lines` lines of a text file (for error messages).
std::string tail_of(const std::string& file, int lines = 30);
// Deterministic 64-bit FNV-1a of strings, as 16 hex digits (cache stamps).
std::string fingerprint(const std::vector<std::string>& parts);

// DIR/tachyon_project.json of a Verilog project (throws naming the file on problems).
nlohmann::json read_manifest(const std::string& dir);

}  // namespace tachyon::backends::verilog
