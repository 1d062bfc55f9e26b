// Register placement by the timing model (schedule.cc): multiplexer pairs, stage breaks,
// latency count; and the Verilog backend's refusal of ReuseFactor > 1.
#include "helpers.h"
#include "tachyon/backends/verilog/project.h"
#include "tachyon/backends/verilog/rtl.h"
#include "tachyon/support/error.h"

using namespace vtest;
using namespace tachyon::backends::verilog;

namespace {

FixedType T(const char* s) { return FixedType::parse(s); }

// A depth-2 decision tree with constant leaves on a 9-bit input:
//   root = x <= 5 ? (x <= 2 ? 10 : 20) : (x <= 7 ? 30 : 40)
struct Tree2 {
  Dfg g;
  DNode x, c_root, c_left, c_right, left, right, root;
  Tree2() {
    FixedType t = T("ap_int<9>");
    x = g.input("x", 0, t);
    g.set_input_width(9);
    c_root = g.cmp(x, 0, CmpOp::Le, g.constant(5), 0, "c_root");
    c_left = g.cmp(x, 0, CmpOp::Le, g.constant(2), 0, "c_left");
    c_right = g.cmp(x, 0, CmpOp::Le, g.constant(7), 0, "c_right");
    left = g.mux(c_left, g.constant(10), g.constant(20), "left");
    right = g.mux(c_right, g.constant(30), g.constant(40), "right");
    root = g.mux(c_root, left, right, "root");
    g.add_output(root, T("ap_int<8>"));
  }
};

}  // namespace

TEST(VerilogSchedule, SecondMultiplexerLevelIsAPair) {
  Tree2 t;
  TimingModel m;
  ScheduleResult r = schedule(t.g, m);
  // The comparators run in parallel.
  EXPECT_DOUBLE_EQ(t.g.node(t.c_left).time, t.g.node(t.c_root).time);
  // First multiplexer level: one LUT after its select; the second level (both data operands
  // first-level multiplexers of the same stage) adds only the MUXF7 step.
  EXPECT_DOUBLE_EQ(t.g.node(t.left).time, t.g.node(t.c_left).time + m.lut_ns);
  EXPECT_DOUBLE_EQ(t.g.node(t.root).time, t.g.node(t.left).time + m.mux_pair_ns);
  EXPECT_EQ(r.last_stage, 0);
  EXPECT_EQ(r.latency, 1);
  EXPECT_EQ(r.register_bits, 0);
}

TEST(VerilogSchedule, MultiplexerOverAnArbitrarySignalIsALut) {
  // root = c ? (c2 ? 10 : 20) : (x + 1): the second operand is an adder, not a multiplexer.
  Dfg g;
  DNode x = g.input("x", 0, T("ap_int<9>"));
  g.set_input_width(9);
  DNode c = g.cmp(x, 0, CmpOp::Le, g.constant(5), 0, "c");
  DNode c2 = g.cmp(x, 0, CmpOp::Le, g.constant(2), 0, "c2");
  DNode inner = g.mux(c2, g.constant(10), g.constant(20), "inner");
  DNode sum = g.add(x, g.constant(1), "sum");
  DNode root = g.mux(c, inner, sum, "root");
  g.add_output(root, T("ap_int<11>"));
  TimingModel m;
  schedule(g, m);
  double t_in = std::max(g.node(inner).time, g.node(sum).time);
  EXPECT_DOUBLE_EQ(g.node(root).time, t_in + m.lut_ns);
}

TEST(VerilogSchedule, StageBreaksAndLatencyCount) {
  // A chain of three 16-bit adders at a clock whose budget holds exactly two of them: the
  // third starts stage 1; the output register samples the end of stage 1, so the latency is
  // 2 cycles (input register -> stage 0 -> pipeline register -> stage 1 -> output register).
  Dfg g;
  FixedType t = T("ap_int<12>");
  DNode a = g.input("a", 0, t), b = g.input("b", 12, t), c = g.input("c", 24, t), d = g.input("d", 36, t);
  g.set_input_width(48);
  DNode s1 = g.add(a, b, "s1");
  DNode s2 = g.add(s1, c, "s2");
  DNode s3 = g.add(s2, d, "s3");
  g.add_output(s3, T("ap_int<14>"));
  TimingModel m;
  g.compute_widths();
  double two = m.adder(g.node(s1).width) + m.adder(g.node(s2).width);
  m.period_ns = m.overhead_ns + two + 0.01;
  ScheduleResult r = schedule(g, m);
  EXPECT_EQ(g.node(s1).stage, 0);
  EXPECT_EQ(g.node(s2).stage, 0);
  EXPECT_EQ(g.node(s3).stage, 1);
  EXPECT_EQ(r.last_stage, 1);
  EXPECT_EQ(r.latency, 2);
  // Registered between the stages: s2 and the input d (read in stage 1), nothing else.
  EXPECT_EQ(r.register_bits, g.node(s2).width + g.node(d).width);
  // A clock long enough for the whole chain: one stage, latency 1, no pipeline register.
  m.period_ns = 100;
  r = schedule(g, m);
  EXPECT_EQ(r.latency, 1);
  EXPECT_EQ(r.register_bits, 0);
}

TEST(VerilogSchedule, ReuseFactorAboveOneIsRefused) {
  TempDir tmp("reuse");
  std::mt19937 rng(3);
  FixedType t = T("ap_fixed<8,3>");
  GraphBuilder b("reuse");
  ValueId x = b.input("x", {4}, t);
  ValueId w = b.constant("w", random_tensor({4, 2}, t, rng), t);
  ValueId y = b.node(Op::Dense, "fc", {x, w}, {2}, t, {{"accum", T("ap_fixed<20,8>")}});
  b.last().config.reuse_factor = 4;
  b.output(y, "y");
  backends::BackendOptions o;
  o.output_dir = tmp.sub("p");
  try {
    backends::verilog::write_project(b.g, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'fc'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("ReuseFactor 4"), std::string::npos) << msg;
  }
  EXPECT_FALSE(std::filesystem::exists(tmp.sub("p") + "/myproject.v"));
  // ReuseFactor 1 builds.
  b.last().config.reuse_factor = 1;
  EXPECT_NO_THROW(backends::verilog::write_project(b.g, o));
}
