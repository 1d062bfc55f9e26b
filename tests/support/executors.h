// Runs a typed graph on each of Tachyon's executors and returns the outputs as doubles
// (exact for types up to 53 bits), so tests can compare them bit for bit:
//   Emulator         the reference (fast kernels)
//   EmulatorGeneral  the emulator's general (tachyon::Fixed) kernels
//   Netlist          the Verilog backend's datapath graph (NetEmitter + Dfg::evaluate_all),
//                    in process, no external tool
//   HlsCsim          the HLS project's C simulation (g++ against hls/'s ap_fixed headers)
//   RtlVerilator / RtlIcarus  the Verilog project simulated by Verilator / Icarus Verilog
// Inputs are batch-first arrays in the user layout, one per graph input (graphs with several
// inputs and outputs are fine on every executor).
#pragma once

#include <string>
#include <vector>

#include "tachyon/ir/graph.h"
#include "tachyon/support/npy.h"

namespace tachyon::testing {

enum class Executor { Emulator, EmulatorGeneral, Netlist, HlsCsim, RtlVerilator, RtlIcarus };

const char* executor_name(Executor e);
// Whether the executor needs a program besides the test binary (g++/make, Verilator, Icarus).
bool needs_external_tool(Executor e);
bool executor_available(Executor e);  // its programs are on PATH

// Runs g on `inputs`; `work_dir` (created if needed) holds project folders for the HLS and
// RTL executors. Throws tachyon::Error when the executor rejects the graph or fails.
std::vector<NdArray> run_executor(Executor e, const ir::Graph& g, const std::vector<NdArray>& inputs,
                                  const std::string& work_dir);

// Only the executor's front half: builds the netlist / writes the project, without compiling
// or simulating (cheap). Throws tachyon::Error when the executor rejects the graph.
void accept_graph(Executor e, const ir::Graph& g, const std::string& work_dir);

}  // namespace tachyon::testing
