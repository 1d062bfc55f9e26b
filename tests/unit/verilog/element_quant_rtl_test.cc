// ElementQuant in the Verilog backend: every element cast to its own type (pruned ones are
// constants), a Dense and a Clip after a quantizer, simulated with Icarus and Verilator and
// compared with the emulator bit for bit (the emulator itself is checked against the
// definition in tests/unit/emulator/element_quant_test.cc).
#include "helpers.h"
#include "tachyon/backends/verilog/dfg.h"
#include "tachyon/backends/verilog/net.h"
#include "tachyon/backends/verilog/project.h"
#include "tachyon/backends/verilog/rtl.h"
#include "tachyon/ir/element_quant.h"
#include "unit/element_quant_util.h"

using namespace vtest;
using namespace tachyon::eq_testing;

namespace {

FixedType T(const char* s) { return FixedType::parse(s); }

// x[2,8] -> q0..q3 (AP_TRN/AP_RND x AP_WRAP/AP_SAT, per last-axis types) -> Concat, a Dense and
// a Clip after q3; one flat output holding all of them exactly.
ir::Graph rtl_graph() {
  GraphBuilder b("eq_rtl");
  ValueId x = b.input("x", {2, 8}, T("ap_fixed<14,6>"));
  const char* modes[][2] = {{"AP_TRN", "AP_WRAP"}, {"AP_RND", "AP_WRAP"}, {"AP_TRN", "AP_SAT"}, {"AP_RND", "AP_SAT"}};
  std::vector<ValueId> qs;
  for (int m = 0; m < 4; ++m) qs.push_back(add_element_quant(b.g, x, "q" + std::to_string(m), kMixed, modes[m][0], modes[m][1], {8}));
  const FixedType ct = b.g.type_of(qs[0]);  // ap_fixed<15,9>: every quantizer has the same container
  ValueId cat = b.node(Op::Concat, "cat", qs, {8, 8}, ct);
  b.last().attrs.set("axis", int64_t{0});
  std::mt19937 rng(21);
  FixedType wt = T("ap_fixed<6,1,AP_RND>");
  ValueId w = b.constant("w", random_tensor({8, 3}, wt, rng, 0.2), wt);
  ValueId d = b.node(Op::Dense, "fc", {qs[3], w}, {2, 3}, T("ap_fixed<16,8,AP_RND,AP_SAT>"), {{"accum", T("ap_fixed<26,12>")}});
  ValueId c = b.node(Op::Clip, "clip", {qs[1]}, {2, 8}, ct);
  b.last().attrs.set("min", -2.6);
  b.last().attrs.set("max", 5.3);
  const FixedType all = T("ap_fixed<17,9>");
  ValueId f1 = b.node(Op::Reshape, "f1", {cat}, {64}, ct);
  ValueId f2 = b.node(Op::Reshape, "f2", {d}, {6}, T("ap_fixed<16,8,AP_RND,AP_SAT>"));
  ValueId f3 = b.node(Op::Reshape, "f3", {c}, {16}, ct);
  ValueId y = b.node(Op::Concat, "all", {f1, f2, f3}, {86}, all);
  b.last().attrs.set("axis", int64_t{0});
  b.output(y, "y");
  return b.g;
}

}  // namespace

TEST(ElementQuantRtl, MixedTypesDenseAndClipMatchTheEmulator) {
  ir::Graph g = rtl_graph();
  TempDir tmp("element_quant");
  NdArray x = grid_inputs(60, {2, 8}, T("ap_fixed<14,6>"), -40, 40, 9);
  std::vector<std::string> sims{"icarus"};
  if (backends::verilog::have_program("verilator")) sims.push_back("verilator");
  for (const std::string& sim : sims) {
    SCOPED_TRACE(sim);
    expect_rtl_matches_emulator(g, x, tmp, "eq_" + sim, 3.0, {{"simulator", sim}});
  }
}

TEST(ElementQuantRtl, EachElementHasItsOwnWidthAndPrunedOnesAreFree) {
  GraphBuilder b("eq_widths");
  ValueId x = b.input("x", {8}, T("ap_fixed<12,6>"));
  ValueId pre = b.node(Op::Cast, "pre", {x}, {8}, T("ap_fixed<13,6>"));  // not the input itself: see below
  ValueId q = add_element_quant(b.g, pre, "q", kMixed, "AP_RND", "AP_SAT", {8});
  b.output(q, "y");
  backends::verilog::Dfg d;
  backends::verilog::NetEmitter net(b.g, d, {});
  net.build();
  // Element i's cast node: its interval is its own type's code range; the pruned element is
  // the constant 0.
  std::vector<ir::ElementRange> ranges = ir::element_quant_ranges(b.g, b.g.node(1));
  int casts = 0;
  for (size_t i = 0; i < d.size(); ++i) {
    const backends::verilog::DfgNode& n = d.node(static_cast<backends::verilog::DNode>(i));
    if (n.kind != backends::verilog::DKind::Cast || n.name.rfind("q_", 0) != 0) continue;
    const size_t e = std::stoul(n.name.substr(2));
    ASSERT_LT(e, ranges.size());
    ASSERT_TRUE(ranges[e].type.has_value()) << n.name;
    EXPECT_EQ(n.to, *ranges[e].type) << n.name;
    EXPECT_GE(n.lo, ranges[e].lo) << n.name;
    EXPECT_LE(n.hi, ranges[e].hi) << n.name;
    ++casts;
  }
  EXPECT_EQ(casts, 7);  // 8 elements, one pruned
  ASSERT_EQ(net.layers().size(), 2u);
  EXPECT_EQ(net.layers()[1].notes.at(0), "7 element types, 1 of 8 elements pruned");
  ASSERT_EQ(d.outputs().size(), 8u);
  EXPECT_TRUE(d.is_const(d.outputs()[2].node));
}

// An input read only by the quantizer (HGQ's input quantizer) carries each element in its own
// type: one bus field per kept element at its own width, none for the pruned one, and no
// logic between the bus and the quantizer's outputs.
TEST(ElementQuantRtl, InputReadOnlyByTheQuantizerHasPerElementFields) {
  GraphBuilder b("eq_input");
  ValueId x = b.input("x", {8}, T("ap_fixed<12,6>"));
  ValueId q = add_element_quant(b.g, x, "q", kMixed, "AP_RND", "AP_SAT", {8});
  b.output(q, "y");
  backends::verilog::Dfg d;
  backends::verilog::NetEmitter net(b.g, d, {});
  net.build();
  std::vector<std::optional<FixedType>> types = ir::element_quant_types(b.g, b.g.node(0));
  ASSERT_EQ(net.inputs().size(), 1u);
  const backends::verilog::PortLayout& p = net.inputs()[0];
  ASSERT_EQ(p.element_types.size(), 8u);
  int offset = 0;
  for (size_t e = 0; e < 8; ++e) {
    EXPECT_EQ(p.element_types[e], types[e]) << e;
    EXPECT_EQ(p.element_offsets[e], offset) << e;
    offset += types[e] ? types[e]->width : 0;
  }
  EXPECT_EQ(d.input_width(), offset);
  int inputs = 0;
  for (size_t i = 0; i < d.size(); ++i) {
    const backends::verilog::DfgNode& n = d.node(static_cast<backends::verilog::DNode>(i));
    if (n.kind == backends::verilog::DKind::Input) ++inputs;
  }
  EXPECT_EQ(inputs, 7);  // the pruned element has no field
  backends::verilog::TimingModel tm;
  backends::verilog::ScheduleResult r = backends::verilog::schedule(d, tm);
  EXPECT_EQ(r.max_stage_delay_ns, 0.0);  // wires only
}

// An input that is also a model output keeps its one type on the bus (the output must carry
// the input's own codes, not the quantized ones).
TEST(ElementQuantRtl, InputThatIsAlsoAnOutputKeepsItsType) {
  GraphBuilder b("eq_input_out");
  ValueId x = b.input("x", {8}, T("ap_fixed<12,6>"));
  ValueId q = add_element_quant(b.g, x, "q", kMixed, "AP_RND", "AP_SAT", {8});
  b.output(q, "y");
  b.output(x, "x_copy");
  backends::verilog::Dfg d;
  backends::verilog::NetEmitter net(b.g, d, {});
  net.build();
  ASSERT_EQ(net.inputs().size(), 1u);
  EXPECT_TRUE(net.inputs()[0].element_types.empty());
  EXPECT_EQ(d.input_width(), 8 * 12);
}
