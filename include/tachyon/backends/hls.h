// The HLS backend: writes a Vitis HLS / Vivado HLS C++ project (io_parallel) from a typed
// graph, runs its C simulation with g++, and reads the vendor's synthesis reports.
//
// Project layout (project name N):
//   firmware/N.cpp, N.h          the top function (one call per layer)
//   firmware/defines.h           every type (typedef) and array size
//   firmware/parameters.h        one configuration struct per layer
//   firmware/weights/*.h         constants (weights, biases, tables), exact literals
//   firmware/tachyon/*.h         the HLS layer library (copied from hls/tachyon)
//   ap_types/                    Tachyon's ap_fixed headers (used when XILINX_HLS is unset)
//   N_test.cpp, tb_data/         the testbench (batch over tb_input_features.dat)
//   Makefile                     g++ C simulation (`make csim`, `make run`)
//   build_prj.tcl, vivado_hls_build.tcl, README.md, tachyon_project.json
//
// The generated arithmetic reproduces Tachyon's emulator bit for bit
// (docs: layer semantics); the tests prove it on the model zoo.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tachyon/backends/backend.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/support/npy.h"

namespace tachyon::backends::hls {

// Relative path -> content of every generated file (the copied library and ap headers
// are not included; write_project adds them).
using FileMap = std::map<std::string, std::string>;

// Generates the project's own files. Throws tachyon::Error naming the node when the graph
// holds something the backend cannot express (untyped values, frontend-only ops, ...).
FileMap generate_project(const ir::Graph& g, const BackendOptions& opts);

// generate_project + the library files, written with StagedDir (all or nothing; an
// existing folder is replaced only with opts.force).
void write_project(const ir::Graph& g, const BackendOptions& opts);

// Folder holding tachyon/ (the layer library) and include/ (ap headers): the environment
// variable TACHYON_HLS_DIR if set, else the source tree's hls/ folder.
std::string library_dir();

// Replaces every {{name}} in `tmpl` by vars.at(name). Throws tachyon::Error when a
// placeholder has no value or a value is never used (`what` names the template).
std::string render(std::string_view tmpl, const std::map<std::string, std::string>& vars,
                   std::string_view what = "template");

// A C++ literal whose conversion to v.type() gives exactly v: the shortest decimal that
// round-trips the double equal to v (every value with <= 53 significant bits). Returns
// the empty string when v is not a double.
std::string exact_literal(const Fixed& v);
// A C++ double literal that round-trips d (HUGE_VAL for infinities; throws for NaN).
std::string double_literal(double d);

// Testbench data conversions. `ports` is the manifest's "inputs" / "outputs" array
// (name, user_shape, perm, shape).
// User-layout batch (one array per port, batch first) -> one line per sample, values in
// the internal (channels-last) order, %.17g.
std::string make_tb_input(const std::vector<NdArray>& inputs, const nlohmann::json& ports);
// csim_results.log (one line per sample, every output's values in internal order) ->
// one user-layout array per output port (batch first).
std::vector<NdArray> parse_tb_output(const std::string& log, const nlohmann::json& ports, const std::string& where);

// Vendor synthesis report (csynth.xml of Vitis HLS or Vivado HLS) -> JSON:
// {"top", "part", "clock_period_ns", "estimated_clock_ns", "latency_min", "latency_max",
//  "interval_min", "interval_max", "resources": {"LUT","FF","DSP","BRAM_18K","URAM"},
//  "available": {...}}. Missing fields are omitted. Throws on a file that is not a report.
nlohmann::json parse_csynth_xml(const std::string& xml, const std::string& source);
// Human-readable table of such a JSON.
std::string format_report(const nlohmann::json& report);

}  // namespace tachyon::backends::hls
