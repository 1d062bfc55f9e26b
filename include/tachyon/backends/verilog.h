// The Verilog backend: fully pipelined Verilog-2005 (one sample per clock) from a typed IR
// graph, an Icarus testbench and a Verilator harness, RTL simulation on .npy files, and
// resource / latency reports from Yosys (synth_xilinx -family xcup).
//
// Project folder (tachyon convert MODEL --backend verilog -o DIR):
//   DIR/<project>.v          the design: top module <project> (ports clk, in_data, out_data)
//                            and one module per distinct ROM
//   DIR/tb_<project>.v       Icarus Verilog testbench (iverilog -g2005)
//   DIR/sim_main.cpp         Verilator C++ harness
//   DIR/synth.ys             the Yosys script `report` runs
//   DIR/tachyon_project.json manifest: bus layouts, types, latency, per-layer choices
//   DIR/sim/                 simulator builds (cached), DIR/reports/ synthesis reports
//
// Interface: no valid / ready, no reset. in_data is sampled at every rising edge; the
// output for the sample taken at edge k is on out_data right after edge k + LATENCY (input
// and output are registered). Bus layout: graph inputs in order, each tensor's elements in
// internal (channels-last) row-major order, element 0 in the least significant bits; an
// element is its fixed-point type's raw code (W bits, two's complement when signed).
// out_data is laid out the same way.
//
// Options (BackendOptions::extra): "dsp": true maps constant multiplications with more than
// two CSD digits to DSP multipliers (and lets Yosys use DSP48E2); "mcm": false disables
// sub-expression sharing (plain CSD); "simulator": "verilator" | "icarus" selects the RTL
// simulator (also environment variable TACHYON_VERILOG_SIM; default: Verilator when it is
// installed, else Icarus).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tachyon/backends/backend.h"
#include "tachyon/fixed/bigint.h"
#include "tachyon/ir/graph.h"

namespace tachyon::backends::verilog {

enum class Simulator { Auto, Verilator, Icarus };
Simulator parse_simulator(const std::string& s);  // "", "auto", "verilator", "icarus"

// Writes the project folder (Backend::write).
void write_project(const ir::Graph& g, const BackendOptions& o);

// Simulates the design on raw input codes: inputs[s] holds the codes of sample s in bus
// order (every graph input's elements, internal order); returns the output codes of every
// sample in bus order (sign-extended for signed types).
std::vector<std::vector<BigInt>> simulate_codes(const std::string& dir, const std::vector<std::vector<BigInt>>& inputs,
                                                Simulator sim = Simulator::Auto);

// Backend::simulate: user-layout floats in, float64 out (see write_project for layouts).
// A graph with several outputs writes output k > 0 next to out_npy as <stem>_<k>.npy.
void simulate_npy(const std::string& dir, const std::string& in_npy, const std::string& out_npy,
                  Simulator sim = Simulator::Auto);

// Yosys synthesis report (Backend::report / build); cached in DIR/reports.
nlohmann::json synth_report(const std::string& dir, std::string& text);

}  // namespace tachyon::backends::verilog
