// Timing model and pipeline register placement.
#include <algorithm>
#include <cmath>

#include "tachyon/backends/verilog/rtl.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::verilog {

CastPlan plan_cast(const Dfg& g, const DfgNode& n) {
  const DfgNode& a = g.node(n.args[0]);
  const FixedType& t = n.to;
  CastPlan p;
  p.shift = n.frac - t.frac_bits();
  p.rounds = p.shift > 0 && t.quant != Quant::TRN && a.lo != a.hi;
  p.qlo = quantize_code(a.lo, p.shift, t.quant);
  p.qhi = quantize_code(a.hi, p.shift, t.quant);
  BigInt kmin = code_min(t), kmax = code_max(t);
  p.may_overflow = p.qlo < kmin || p.qhi > kmax;
  p.sym_min = t.overflow == Overflow::SAT_SYM && t.is_signed && t.width > 1 && p.qlo <= kmin;
  return p;
}

double TimingModel::delay(const Dfg& g, const DfgNode& n) const {
  switch (n.kind) {
    case DKind::Input:
    case DKind::Const:
    case DKind::Shr:
    case DKind::Wrap:
    case DKind::IsNeg: return 0.0;
    case DKind::Add:
      if (g.is_const(n.args[1]) && g.node(n.args[1]).value.is_zero()) return 0.0;  // pure shift
      return adder(n.width);
    case DKind::Neg: return adder(n.width);
    case DKind::Cmp: {
      int w = std::max(g.node(n.args[0]).width + n.sa, g.node(n.args[1]).width + n.sb);
      return adder(w);
    }
    case DKind::Mux: return lut_ns;
    case DKind::Cast: {
      // Rounding: q = floor part + inc, an incrementer whose carry chain reads inc only through
      // the LUT of its lowest bit (lsb xor inc). inc reads the dropped bits, the lsb and the
      // sign; when they fit one LUT6 with the lsb, the decision is that LUT and the rounding
      // costs one adder, else a LUT level more.
      // Saturation: each result bit is a function of the range-check bits (those above the
      // target's width, with the sign) and its own bit: one LUT level when they fit a LUT6,
      // else the range check first (two levels).
      CastPlan p = plan_cast(g, n);
      const FixedType& t = n.to;
      double d = 0;
      if (p.rounds) {
        int decision_inputs = t.quant == Quant::RND ? 2 : p.shift + 2;
        d += adder(n.width + 1) + (decision_inputs <= 6 ? 0.0 : lut_ns);
      }
      bool sat = p.may_overflow && !(t.overflow == Overflow::WRAP && t.sat_bits == 0);
      if (sat) {
        int qw = std::max(signed_width(p.qlo, p.qhi), t.width + 1);
        int check_bits = qw - t.width + (t.is_signed ? 1 : 0);
        d += check_bits + 1 <= 6 ? lut_ns : 2 * lut_ns;
      }
      if (p.sym_min) d += lut_ns;
      return d;
    }
    case DKind::Mul: {
      const DfgNode &a = g.node(n.args[0]), &b = g.node(n.args[1]);
      int wmin = std::min(a.width, b.width), wsum = a.width + b.width;
      if (g.is_const(n.args[0]) || g.is_const(n.args[1])) return dsp_ns;  // DSP mode constant product
      if (wmin <= 1) return lut_ns;
      // A DSP48E2 (27x18) when it fits, else a LUT adder tree of partial products.
      if (std::max(a.width, b.width) <= 27 && wmin <= 18) return dsp_ns;
      return adder(wsum) * std::ceil(std::log2(static_cast<double>(wmin)));
    }
    case DKind::Rom: return rom_ns;
  }
  return 0.0;
}

ScheduleResult schedule(Dfg& g, const TimingModel& m) {
  g.compute_widths();
  std::vector<bool> live = g.live();
  double budget = m.budget();
  ScheduleResult r;
  // Multiplexer level within the stage (0: not a multiplexer). Two levels of 2:1 multiplexers
  // whose data are constants or first-level multiplexers make one LUT plus a MUXF7/MUXF8:
  // mux(s, mux(s1, a, b), mux(s2, c, d)) is two LUT6 and a MUXF7 per bit (constant leaves
  // make the inner pair a LUT of three select bits), so the second level costs mux_pair_ns.
  std::vector<int> mux_level(g.size(), 0);
  auto pairs_with = [&](const DfgNode& n, int s) {
    bool any_mux = false;
    for (size_t k = 1; k < n.args.size(); ++k) {
      const DfgNode& a = g.node(n.args[k]);
      if (a.kind == DKind::Const) continue;
      if (a.kind != DKind::Mux || a.stage != s || mux_level[static_cast<size_t>(n.args[k])] % 2 != 1) return false;
      any_mux = true;
    }
    return any_mux;
  };
  for (size_t i = 0; i < g.size(); ++i) {
    DfgNode& n = g.node(static_cast<DNode>(i));
    n.max_use_stage = -1;
    if (!live[i]) continue;
    if (n.kind == DKind::Const) {
      n.stage = -1;
      n.time = 0;
      continue;
    }
    if (n.kind == DKind::Input) {
      n.stage = 0;
      n.time = 0;
      continue;
    }
    int s = 0;
    for (DNode a : n.args) s = std::max(s, g.node(a).stage);
    double t_in = 0;
    for (DNode a : n.args)
      if (g.node(a).stage == s) t_in = std::max(t_in, g.node(a).time);
    double d = m.delay(g, n);
    bool paired = n.kind == DKind::Mux && pairs_with(n, s);
    if (paired) d = m.mux_pair_ns;
    if (d > 0 && t_in > 0 && t_in + d > budget) {
      ++s;
      t_in = 0;
      if (paired) {
        paired = false;
        d = m.delay(g, n);
      }
    }
    if (n.kind == DKind::Mux) mux_level[i] = paired ? 2 : 1;
    if (n.kind == DKind::Rom) {
      // The address path ends in the ROM's output register: the value exists one stage later.
      r.max_stage_delay_ns = std::max(r.max_stage_delay_ns, t_in + d);
      n.stage = s + 1;
      n.time = 0;
    } else {
      n.stage = s;
      n.time = t_in + d;
      r.max_stage_delay_ns = std::max(r.max_stage_delay_ns, n.time);
    }
  }
  int last = 0;
  for (const auto& o : g.outputs()) last = std::max(last, g.node(o.node).stage);
  // Use stages: the latest stage at which each value is read.
  for (size_t i = 0; i < g.size(); ++i) {
    const DfgNode& n = g.node(static_cast<DNode>(i));
    if (!live[i] || n.kind == DKind::Const) continue;
    int use = n.kind == DKind::Rom ? n.stage - 1 : n.stage;
    for (DNode a : n.args) {
      DfgNode& an = g.node(a);
      an.max_use_stage = std::max(an.max_use_stage, use);
    }
  }
  for (const auto& o : g.outputs()) {
    DfgNode& on = g.node(o.node);
    on.max_use_stage = std::max(on.max_use_stage, last);
  }
  for (size_t i = 0; i < g.size(); ++i) {
    const DfgNode& n = g.node(static_cast<DNode>(i));
    if (live[i] && n.kind != DKind::Const && n.max_use_stage > n.stage)
      r.register_bits += n.width * (n.max_use_stage - n.stage);
  }
  r.last_stage = last;
  r.latency = last + 1;
  return r;
}

}  // namespace tachyon::backends::verilog
