// From the datapath graph to a pipelined Verilog module: timing model, register placement,
// cast lowering and printing through VAST.
#pragma once

#include <string>
#include <vector>

#include "tachyon/backends/verilog/dfg.h"
#include "tachyon/backends/verilog/vast.h"

namespace tachyon::backends::verilog {

// A deliberately simple delay model of UltraScale+ (-2 speed grade) logic, used to place
// pipeline registers: a logic level (LUT plus its routing) costs lut_ns, a carry chain of
// width w costs lut_ns + carry8_ns * ceil(w / 8) (a ternary adder too: its 3:2 step shares
// the adder's LUT), a tree of 2:1 multiplexers with at most six signals per bit one level,
// a multiplexer over two such LUTs or over two MUXF7 mux_pair_ns (MUXF7 / MUXF8, see
// schedule), a two-signal gate feeding a two-input adder nothing (it fits the adder's LUT), a
// rounding one adder (plus a level when its decision does not fit the adder's first LUT), a
// saturation one level when the range check and the bit fit a LUT6 (else two), a
// combinational DSP48E2 multiply dsp_ns, the address path of a registered ROM rom_ns.
// Shifts, bit selections and wraps are wires. Each stage holds at most period - overhead_ns
// of logic (clock-to-out, setup, uncertainty). docs/firmware.md compares the model with
// Yosys's static timing analysis of the same RTL (bench/timing_check.sh).
struct TimingModel {
  double period_ns = 5.0;
  double overhead_ns = 0.4;
  double lut_ns = 0.45;
  double carry8_ns = 0.06;
  double dsp_ns = 2.6;
  double rom_ns = 1.2;
  double mux_pair_ns = 0.15;  // a MUXF7 or MUXF8 step (see schedule)
  double budget() const { return period_ns - overhead_ns; }
  double adder(int width) const { return lut_ns + carry8_ns * ((width + 7) / 8); }
  double delay(const Dfg& g, const DfgNode& n) const;
  // A signal x signal product of these widths: a LUT, a combinational DSP48E2 (27 x 18), or
  // a LUT adder tree of partial products.
  double multiplier(int wa, int wb) const;
  // The worst of a folded layer's own stages (its module's multiply and accumulate stages).
  double fold_stage(const Dfg& g, const DfgNode& n) const;
};

struct ScheduleResult {
  int last_stage = 0;           // stage of the outputs (the output registers sample its end)
  int latency = 1;              // clock cycles from the edge sampling in_data to the edge after
                                // which out_data holds the result (= last_stage + 1)
  double max_stage_delay_ns = 0;  // worst logic delay of any stage (model)
  int register_bits = 0;        // pipeline register bits (excluding input / output registers)
  // The worst stage's critical path (model), first node first: node name, what it is,
  // arrival time at its output within the stage.
  struct PathStep {
    std::string node, what;
    double time_ns = 0;
  };
  int worst_stage = 0;
  std::vector<PathStep> critical_path;
};

// Computes widths (Dfg::compute_widths) and assigns every live node a stage (ASAP, a new
// stage whenever the model's delay would exceed the budget).
ScheduleResult schedule(Dfg& g, const TimingModel& m);

// How a Cast node is lowered (shared by the timing model and the printer).
struct CastPlan {
  int shift = 0;              // operand fraction bits minus the target's
  bool rounds = false;        // a rounding increment can occur
  bool may_overflow = false;  // the quantized value can leave the target's range
  bool sym_min = false;       // AP_SAT_SYM: the in-range minimum code must become -kmax
  BigInt qlo, qhi;            // interval after quantization
};
CastPlan plan_cast(const Dfg& g, const DfgNode& n);

struct RtlOptions {
  std::string module_name = "myproject";
  std::vector<std::string> header;  // comment lines above the top module
};

// The top module (ports clk, in_data, out_data) followed by one module per ROM.
vast::File emit_rtl(const Dfg& g, const ScheduleResult& s, const RtlOptions& o);
// Clock cycles between samples: the largest ReuseFactor of a folded layer (1 without any).
// Above 1 the top module has the ports in_valid, in_ready and out_valid.
int initiation_interval(const Dfg& g);
// Width of the flat output bus.
int output_bus_width(const Dfg& g);

}  // namespace tachyon::backends::verilog
