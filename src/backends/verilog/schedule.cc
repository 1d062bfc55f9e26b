// Timing model and pipeline register placement.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>

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
    case DKind::Add3:  // the 3:2 compression shares the adder's LUT (rtl_emit)
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
    case DKind::Mul:
      if (g.is_const(n.args[0]) || g.is_const(n.args[1])) return dsp_ns;  // DSP mode constant product
      return multiplier(g.node(n.args[0]).width, g.node(n.args[1]).width);
    case DKind::Rom: return rom_ns;
    case DKind::Fold: return 0.0;  // its module registers the inputs
  }
  return 0.0;
}

double TimingModel::multiplier(int wa, int wb) const {
  const int wmin = std::min(wa, wb);
  if (wmin <= 1) return lut_ns;
  // A DSP48E2 (27x18) when it fits, else a LUT adder tree of partial products.
  if (std::max(wa, wb) <= 27 && wmin <= 18) return dsp_ns;
  return adder(wa + wb) * std::ceil(std::log2(static_cast<double>(wmin)));
}

double TimingModel::fold_stage(const Dfg& g, const DfgNode& n) const {
  const Fold& f = g.folds().at(static_cast<size_t>(n.rom));
  int xw = 1, ww = 1;
  for (size_t i = 0; i < n.args.size(); ++i) xw = std::max(xw, g.node(n.args[i]).width + f.in_shift[i]);
  for (const BigInt& w : f.w) ww = std::max(ww, signed_width(w, w));
  // Step A: the input and weight selection (a LUT). Step B: the product, split evenly over
  // its stages (the DSP's M and P registers).
  const double mul = multiplier(xw, ww);
  // Step C: the S products of a phase and the accumulator in a tree of adders.
  int terms = f.n_in / f.r_in + 1;
  double acc = adder(f.acc_width) * std::ceil(std::log2(static_cast<double>(terms)));
  return std::max({lut_ns, mul / f.mul_stages, acc});
}

namespace {

const char* kind_name(const Dfg& g, const DfgNode& n) {
  switch (n.kind) {
    case DKind::Input: return "input";
    case DKind::Const: return "constant";
    case DKind::Add: return g.is_const(n.args[1]) && g.node(n.args[1]).value.is_zero() ? "shift" : n.sub ? "subtractor" : "adder";
    case DKind::Add3: return "ternary adder";
    case DKind::Neg: return "negation";
    case DKind::Shr: return "shift";
    case DKind::Wrap: return "wrap";
    case DKind::Cast: return "conversion";
    case DKind::IsNeg: return "sign bit";
    case DKind::Cmp: return "comparator";
    case DKind::Mux: return "multiplexer";
    case DKind::Mul: return "multiplier";
    case DKind::Rom: return "ROM";
    case DKind::Fold: return "folded layer";
  }
  return "?";
}

// Walks back from the latest-arriving node of the worst stage through the latest-arriving
// operand of the same stage.
void critical_path(const Dfg& g, const std::vector<bool>& live, ScheduleResult& r) {
  DNode end = -1;
  for (size_t i = 0; i < g.size(); ++i) {
    const DfgNode& n = g.node(static_cast<DNode>(i));
    if (live[i] && n.kind != DKind::Const && n.kind != DKind::Rom && n.kind != DKind::Fold && (end < 0 || n.time > g.node(end).time)) end = static_cast<DNode>(i);
  }
  if (end < 0) return;
  r.worst_stage = g.node(end).stage;
  std::vector<ScheduleResult::PathStep> path;
  for (DNode cur = end; cur >= 0;) {
    const DfgNode& n = g.node(cur);
    path.push_back({n.name, kind_name(g, n), n.time});
    DNode next = -1;
    for (DNode a : n.args) {
      const DfgNode& an = g.node(a);
      if (an.kind == DKind::Const || an.stage != n.stage || an.kind == DKind::Rom || an.kind == DKind::Fold) continue;
      if (next < 0 || an.time > g.node(next).time) next = a;
    }
    cur = next;
  }
  r.critical_path.assign(path.rbegin(), path.rend());
}

// Places every live node in the earliest stage where its logic fits, but no group (layer)
// earlier than group_floor[group]; fills stage, time, max_use_stage and the result.
// fold_ns: the worst of each fold's own stages (TimingModel::fold_stage), by fold index.
ScheduleResult place(Dfg& g, const TimingModel& m, const std::vector<bool>& live, const std::vector<int>& group_floor,
                     const std::vector<double>& fold_ns) {
  double budget = m.budget();
  ScheduleResult r;
  // Multiplexers are mapped as Xilinx slices do: a 2:1 multiplexer tree whose leaves (select
  // bits, non-constant data) number at most six per bit is one LUT6 (constant leaves cost
  // nothing: a depth-2 decision tree with constant scores is a LUT of its three select bits);
  // a multiplexer over two such LUTs is a MUXF7 (mux_pair_ns), one over two MUXF7 a MUXF8.
  // A depth-4 decision tree is thus 4 LUTs, 2 MUXF7 and a MUXF8 per bit, one LUT level plus
  // two short steps after its comparators. Anything else is a LUT level after its inputs.
  enum MuxKind : uint8_t { kNotMux, kLut, kF7, kF8, kLutLevel };
  std::vector<MuxKind> mux_kind(g.size(), kNotMux);
  std::vector<double> early(g.size(), 0.0);  // arrival before a final LUT an adder can absorb
  std::vector<std::vector<DNode>> leaves(g.size());  // of kLut multiplexers
  auto time_in = [&](DNode a, int s) { return g.node(a).stage == s ? g.node(a).time : 0.0; };
  // Places a multiplexer in stage s; returns its arrival time.
  auto place_mux = [&](size_t i, int s) {
    const DfgNode& n = g.node(static_cast<DNode>(i));
    std::vector<DNode> lv;
    for (DNode a : n.args) {
      const DfgNode& an = g.node(a);
      if (an.kind == DKind::Const) continue;
      if (an.kind == DKind::Mux && an.stage == s && mux_kind[static_cast<size_t>(a)] == kLut)
        lv.insert(lv.end(), leaves[static_cast<size_t>(a)].begin(), leaves[static_cast<size_t>(a)].end());
      else
        lv.push_back(a);
    }
    std::sort(lv.begin(), lv.end());
    lv.erase(std::unique(lv.begin(), lv.end()), lv.end());
    double t_lut = 1e30;  // as one LUT over its leaves
    if (lv.size() <= 6) {
      t_lut = 0;
      for (DNode a : lv) t_lut = std::max(t_lut, time_in(a, s));
      t_lut += m.lut_ns;
    }
    auto data_are = [&](std::initializer_list<MuxKind> ks) {
      for (size_t k = 1; k < 3; ++k) {
        const DfgNode& an = g.node(n.args[k]);
        if (an.kind == DKind::Const) continue;
        if (an.kind != DKind::Mux || an.stage != s) return false;
        if (std::find(ks.begin(), ks.end(), mux_kind[static_cast<size_t>(n.args[k])]) == ks.end()) return false;
      }
      return true;
    };
    double td = std::max(time_in(n.args[1], s), time_in(n.args[2], s));
    double sel = time_in(n.args[0], s) + m.lut_ns;  // the select is a routed net
    double t_f = std::max(td + m.mux_pair_ns, sel);
    MuxKind fk = data_are({kLut}) ? kF7 : data_are({kLut, kF7}) ? kF8 : kNotMux;
    if (fk != kNotMux && t_f < t_lut) {
      mux_kind[i] = fk;
      return t_f;
    }
    if (t_lut < 1e30) {
      mux_kind[i] = kLut;
      leaves[i] = std::move(lv);
      return t_lut;
    }
    mux_kind[i] = kLutLevel;
    double t = 0;
    for (DNode a : n.args) t = std::max(t, time_in(a, s));
    return t + m.lut_ns;
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
    int s = group_floor[static_cast<size_t>(n.group)];
    for (DNode a : n.args) s = std::max(s, g.node(a).stage);
    // A two-input adder's LUT per bit reads one bit of each operand; an operand that is a
    // gate of two signals per bit (a ReLU: x_i and not sign(x)), possibly through wires,
    // fits that LUT too (four inputs): the adder starts before the gate's own LUT.
    const bool absorbs = n.kind == DKind::Add && !(g.is_const(n.args[1]) && g.node(n.args[1]).value.is_zero());
    double t_in = 0;
    for (DNode a : n.args)
      if (g.node(a).stage == s) t_in = std::max(t_in, absorbs ? early[static_cast<size_t>(a)] : g.node(a).time);
    if (n.kind == DKind::Mux) {
      double t = place_mux(i, s);
      if (t > budget && t_in > 0) t = place_mux(i, ++s);
      n.stage = s;
      n.time = t;
      early[i] = mux_kind[i] == kLut && leaves[i].size() <= 2 ? t - m.lut_ns : t;
      r.max_stage_delay_ns = std::max(r.max_stage_delay_ns, n.time);
      continue;
    }
    double d = m.delay(g, n);
    if (d > 0 && t_in > 0 && t_in + d > budget) {
      ++s;
      t_in = 0;
    }
    if (n.kind == DKind::Rom) {
      // The address path ends in the ROM's output register: the value exists one stage later.
      r.max_stage_delay_ns = std::max(r.max_stage_delay_ns, t_in + d);
      n.stage = s + 1;
      n.time = 0;
    } else if (n.kind == DKind::Fold) {
      // The fold's module registers its inputs at the end of stage s; its outputs are
      // registered, latency() stages later. Its own stages count for the worst delay.
      r.max_stage_delay_ns = std::max({r.max_stage_delay_ns, t_in, fold_ns.at(static_cast<size_t>(n.rom))});
      n.stage = s + g.folds().at(static_cast<size_t>(n.rom)).latency();
      n.time = 0;
    } else {
      n.stage = s;
      n.time = t_in + d;
      r.max_stage_delay_ns = std::max(r.max_stage_delay_ns, n.time);
      // Wires (a shift, a bit selection, a conversion that only drops bits) of one signal
      // keep that signal's pending gate.
      early[i] = n.time;
      std::vector<DNode> var;
      for (DNode a : n.args)
        if (!g.is_const(a)) var.push_back(a);
      if (d == 0 && var.size() == 1 && g.node(var[0]).stage == s && n.kind != DKind::IsNeg)
        early[i] = std::min(n.time, early[static_cast<size_t>(var[0])]);
    }
  }
  int last = 0;
  for (const auto& o : g.outputs()) last = std::max(last, g.node(o.node).stage);
  critical_path(g, live, r);
  // Use stages: the latest stage at which each value is read.
  for (size_t i = 0; i < g.size(); ++i) {
    const DfgNode& n = g.node(static_cast<DNode>(i));
    if (!live[i] || n.kind == DKind::Const) continue;
    int use = n.kind == DKind::Rom    ? n.stage - 1
              : n.kind == DKind::Fold ? n.stage - g.folds().at(static_cast<size_t>(n.rom)).latency()
                                      : n.stage;
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

}  // namespace

// As early as possible first. Then, layer by layer, starting a layer one stage later (its
// inputs registered instead of a cut through its adder trees) is kept when it does not add a
// cycle and needs fewer register bits: activations between layers are narrower than the
// partial sums inside them.
ScheduleResult schedule(Dfg& g, const TimingModel& m) {
  g.compute_widths();
  // A folded layer's multiply gets a second register stage when one stage cannot hold it;
  // each fold's own worst stage is computed once (from its first output node).
  std::vector<double> fold_ns(g.folds().size(), -1.0);
  for (size_t i = 0; i < g.size(); ++i) {
    const DfgNode& n = g.node(static_cast<DNode>(i));
    if (n.kind != DKind::Fold || fold_ns[static_cast<size_t>(n.rom)] >= 0) continue;
    Fold& f = g.fold_at(n.rom);
    f.mul_stages = 1;
    double t = m.fold_stage(g, n);
    if (t > m.budget()) {
      f.mul_stages = 2;
      const double t2 = m.fold_stage(g, n);
      if (t2 < t) t = t2;
      else f.mul_stages = 1;  // the adder tree is the limit: no gain
    }
    fold_ns[static_cast<size_t>(n.rom)] = t;
  }
  std::vector<bool> live = g.live();
  std::vector<int> floor(g.groups().size(), 0);
  // First stage of every group in the placement kept so far (-1: no logic).
  auto first_stages = [&] {
    std::vector<int> first(floor.size(), -1);
    for (size_t i = 0; i < g.size(); ++i) {
      const DfgNode& n = g.node(static_cast<DNode>(i));
      if (!live[i] || n.kind == DKind::Const || n.kind == DKind::Input) continue;
      int& f = first[static_cast<size_t>(n.group)];
      f = f < 0 ? n.stage : std::min(f, n.stage);
    }
    return first;
  };
  ScheduleResult best = place(g, m, live, floor, fold_ns);
  std::vector<int> first = first_stages();
  bool last_is_best = true;  // the graph holds the placement of `floor`
  for (size_t k = 1; k < floor.size(); ++k) {
    if (first[k] < 0) continue;
    std::vector<int> trial = floor;
    trial[k] = first[k] + 1;
    ScheduleResult r = place(g, m, live, trial, fold_ns);
    last_is_best = r.latency <= best.latency && r.register_bits < best.register_bits;
    if (last_is_best) {
      best = r;
      floor = std::move(trial);
      first = first_stages();
    }
  }
  return last_is_best ? best : place(g, m, live, floor, fold_ns);
}

}  // namespace tachyon::backends::verilog
