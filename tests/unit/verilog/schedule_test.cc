// Register placement by the timing model (schedule.cc): multiplexer mapping, stage breaks,
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

// A balanced decision tree of the given depth with constant leaves over one 9-bit input.
DNode decision_tree(Dfg& g, DNode x, int depth, int& next, std::vector<DNode>& cmps) {
  if (depth == 0) return g.constant(next++);
  DNode c = g.cmp(x, 0, CmpOp::Le, g.constant(next++), 0, fmt::format("c{}", next));
  cmps.push_back(c);
  DNode a = decision_tree(g, x, depth - 1, next, cmps);
  DNode b = decision_tree(g, x, depth - 1, next, cmps);
  return g.mux(c, a, b, fmt::format("m{}", next));
}

}  // namespace

TEST(VerilogSchedule, DepthTwoTreeWithConstantLeavesIsOneLut) {
  Tree2 t;
  TimingModel m;
  ScheduleResult r = schedule(t.g, m);
  // The comparators run in parallel; each result bit is a function of the three select bits:
  // one LUT after them, for the inner multiplexers and the root alike.
  EXPECT_DOUBLE_EQ(t.g.node(t.c_left).time, t.g.node(t.c_root).time);
  EXPECT_DOUBLE_EQ(t.g.node(t.left).time, t.g.node(t.c_left).time + m.lut_ns);
  EXPECT_DOUBLE_EQ(t.g.node(t.root).time, t.g.node(t.c_root).time + m.lut_ns);
  EXPECT_EQ(r.last_stage, 0);
  EXPECT_EQ(r.latency, 1);
  EXPECT_EQ(r.register_bits, 0);
}

TEST(VerilogSchedule, DepthFourTreeIsLutThenMuxF7ThenMuxF8) {
  // 15 select bits: depth-2 subtrees are LUTs (3 selects each), the depth-3 nodes MUXF7 over
  // two of them, the root a MUXF8 over two MUXF7.
  Dfg g;
  DNode x = g.input("x", 0, T("ap_int<9>"));
  g.set_input_width(9);
  int next = 1;
  std::vector<DNode> cmps;
  DNode root = decision_tree(g, x, 4, next, cmps);
  g.add_output(root, T("ap_int<8>"));
  TimingModel m;
  schedule(g, m);
  const DfgNode& c = g.node(cmps.front());
  EXPECT_DOUBLE_EQ(g.node(root).time, c.time + m.lut_ns + 2 * m.mux_pair_ns);
  // One level deeper (31 selects) is past a MUXF8: a LUT level more.
  Dfg g5;
  DNode x5 = g5.input("x", 0, T("ap_int<9>"));
  g5.set_input_width(9);
  next = 1;
  cmps.clear();
  DNode root5 = decision_tree(g5, x5, 5, next, cmps);
  g5.add_output(root5, T("ap_int<8>"));
  schedule(g5, m);
  EXPECT_DOUBLE_EQ(g5.node(root5).time, g5.node(cmps.front()).time + 2 * m.lut_ns + 2 * m.mux_pair_ns);
}

TEST(VerilogSchedule, MultiplexerOverFewSignalsIsOneLut) {
  // root = c ? (c2 ? 10 : 20) : (x + 1): each bit reads c, c2 and one bit of the adder, so
  // the two multiplexer levels are one LUT after the latest of them.
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
  double t_in = std::max({g.node(c).time, g.node(c2).time, g.node(sum).time});
  EXPECT_DOUBLE_EQ(g.node(root).time, t_in + m.lut_ns);
}

TEST(VerilogSchedule, MultiplexerOverManySignalsIsALutLevel) {
  // m_k = c_k ? m_(k-1) : s_k over adders s_k (a max tree's shape). m1 (c1, s0, s1) and m2
  // (5 leaves) are one LUT; m3 would read 7 signals per bit and its data are not two
  // LUT-sized multiplexers: a LUT level over m2; m4, m5 again one LUT over m3.
  Dfg g;
  DNode x = g.input("x", 0, T("ap_int<9>"));
  g.set_input_width(9);
  std::vector<DNode> ms{g.add(x, g.constant(1), "s0")};
  for (int k = 1; k <= 5; ++k) {
    DNode sk = g.add(x, g.constant(k + 1), fmt::format("s{}", k));
    DNode ck = g.cmp(x, 0, CmpOp::Le, g.constant(k), 0, fmt::format("c{}", k));
    ms.push_back(g.mux(ck, ms.back(), sk, fmt::format("m{}", k)));
  }
  g.add_output(ms.back(), T("ap_int<11>"));
  TimingModel m;
  schedule(g, m);
  const double t0 = g.node(ms[0]).time;  // every adder and comparator ends here
  EXPECT_DOUBLE_EQ(g.node(ms[1]).time, t0 + m.lut_ns);
  EXPECT_DOUBLE_EQ(g.node(ms[2]).time, t0 + m.lut_ns);
  EXPECT_DOUBLE_EQ(g.node(ms[3]).time, t0 + 2 * m.lut_ns);
  EXPECT_DOUBLE_EQ(g.node(ms[5]).time, t0 + 3 * m.lut_ns);
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

