// Prints a scheduled datapath graph as a pipelined Verilog module (through VAST).
//
// Every DFG node becomes one `wire signed [w-1:0] name = <expr>;` in the stage that produces
// it (ROM lookups become instances of a ROM module whose output is registered). A value read
// k stages after it was produced goes through k registers named name_s<stage>; the registers
// of each stage boundary are written by one always block. The input bus is registered
// (in_r), and so is every output element (out<k>): LATENCY = last stage + 1.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "tachyon/backends/verilog/rtl.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::verilog {

using namespace vast;

namespace {

ExprP const_lit(const BigInt& v) { return lit(signed_width(v, v), v, true); }

class Emitter {
 public:
  Emitter(const Dfg& g, Module& m, std::string prefix) : g_(g), m_(m), prefix_(std::move(prefix)) {}

  // The value of node a as seen in stage `stage`.
  ExprP at(DNode a, int stage) const { return ref_or_lit(a, stage); }
  std::string name_at(DNode a, int stage) const {
    const DfgNode& n = g_.node(a);
    if (stage <= n.stage) return n.name;
    return fmt::format("{}__s{}", n.name, stage);
  }
  ExprP ref_or_lit(DNode a, int stage) const {
    const DfgNode& n = g_.node(a);
    if (n.kind == DKind::Const) return const_lit(n.value);
    return var(name_at(a, stage));
  }
  // x << k as a signed expression of exact width (for comparisons).
  ExprP shifted_exact(DNode a, int k, int stage) const {
    const DfgNode& n = g_.node(a);
    if (n.kind == DKind::Const) return const_lit(n.value.shl(k));
    if (k == 0) return var(name_at(a, stage));
    return as_signed(concat({var(name_at(a, stage)), lit(k, 0, false)}));
  }
  // Bit i of the (sign-extended) operand a.
  ExprP bit_of(const std::string& a, int wa, int i) const { return slice(a, std::min(i, wa - 1), std::min(i, wa - 1)); }

  void node(DNode id) {
    const DfgNode& n = g_.node(id);
    int st = n.stage;
    switch (n.kind) {
      case DKind::Const: return;
      case DKind::Input: {
        int w = n.width, off = n.input_offset;
        int take = std::min(w, n.to.width);
        ExprP bits = g_.input_width() == 1 ? var("in__r") : slice("in__r", off + take - 1, off);
        ExprP e = !n.to.is_signed && w > n.to.width ? as_signed(concat({lit(1, 0, false), bits})) : as_signed(bits);
        m_.wire(n.name, w, true, e);
        return;
      }
      case DKind::Add: {
        const DfgNode& b = g_.node(n.args[1]);
        ExprP ea = at(n.args[0], st);
        if (n.sa > 0) ea = binary(ea, BinOp::Shl, num(n.sa));
        if (b.kind == DKind::Const && b.value.is_zero()) {
          m_.wire(n.name, n.width, true, ea);
          return;
        }
        ExprP eb = at(n.args[1], st);
        if (n.sb > 0) eb = binary(eb, BinOp::Shl, num(n.sb));
        m_.wire(n.name, n.width, true, binary(ea, n.sub ? BinOp::Sub : BinOp::Add, eb));
        return;
      }
      case DKind::Add3: add3(n); return;
      case DKind::Neg: m_.wire(n.name, n.width, true, unary(UnOp::Neg, at(n.args[0], st))); return;
      case DKind::Shr: m_.wire(n.name, n.width, true, binary(at(n.args[0], st), BinOp::Ashr, num(n.k))); return;
      case DKind::Wrap: {
        const DfgNode& a = g_.node(n.args[0]);
        std::string an = name_at(n.args[0], st);
        int wa = a.width, k = n.k;
        ExprP e;
        if (n.wrap_signed) {
          e = wa > k ? as_signed(slice(an, k - 1, 0)) : var(an);
        } else if (wa >= k) {
          e = as_signed(concat({lit(1, 0, false), slice(an, k - 1, 0)}));
        } else {
          e = as_signed(concat({lit(1, 0, false), replicate(k - wa, bit_of(an, wa, wa - 1)), var(an)}));
        }
        m_.wire(n.name, n.width, true, e);
        return;
      }
      case DKind::Cast: cast(n); return;
      case DKind::IsNeg: {
        const DfgNode& a = g_.node(n.args[0]);
        m_.wire(n.name, n.width, true, as_signed(concat({lit(1, 0, false), bit_of(name_at(n.args[0], st), a.width, a.width - 1)})));
        return;
      }
      case DKind::Cmp: {
        static const BinOp ops[] = {BinOp::Lt, BinOp::Le, BinOp::Gt, BinOp::Ge, BinOp::Eq, BinOp::Ne};
        ExprP e = binary(shifted_exact(n.args[0], n.sa, st), ops[static_cast<int>(n.cmp)],
                         shifted_exact(n.args[1], n.sb, st));
        // Conditions are data too (0 or 1): a signed value with a zero sign bit.
        m_.wire(n.name, n.width, true, as_signed(concat({lit(1, 0, false), e})));
        return;
      }
      case DKind::Mux:
        m_.wire(n.name, n.width, true, ternary(at(n.args[0], st), at(n.args[1], st), at(n.args[2], st)));
        return;
      case DKind::Mul:
        m_.wire(n.name, n.width, true, binary(at(n.args[0], st), BinOp::Mul, at(n.args[1], st)));
        return;
      case DKind::Rom: {
        const Rom& r = g_.roms().at(static_cast<size_t>(n.rom));
        int read = st - 1;
        int abits = std::max(1, signed_width(BigInt(0), BigInt(static_cast<int64_t>(r.data.size()) - 1)) - 1);
        ExprP a = at(n.args[0], read);
        if (!n.rom_base.is_zero()) a = binary(a, BinOp::Sub, const_lit(n.rom_base));
        std::string addr = n.name + "__addr";
        m_.wire(addr, abits, false, a);
        m_.wire(n.name, n.width, true);
        m_.instance(rom_module_name(n.rom), "u__" + n.name,
                    {{"clk", var("clk")}, {"addr", var(addr)}, {"q", var(n.name)}});
        return;
      }
      case DKind::Fold: fold_output(id); return;
    }
  }

  // An output of a folded layer: a slice of its module's output bus. The first one printed
  // also prints the module instance, started by the valid bit of the stage reading the inputs.
  void fold_output(DNode id) {
    const DfgNode& n = g_.node(id);
    const Fold& f = g_.folds().at(static_cast<size_t>(n.rom));
    const int read = n.stage - f.latency();
    const std::string bus = fmt::format("{}__y", fold_module_name(n.rom));
    if (!fold_done_.contains(n.rom)) {
      fold_done_.insert(n.rom);
      std::vector<ExprP> xs;
      for (DNode a : n.args) xs.push_back(at(a, read));
      std::reverse(xs.begin(), xs.end());  // input 0 in the least significant bits
      m_.wire(bus, f.n_out * f.acc_width, false);
      m_.instance(fold_module_name(fold_module_.at(n.rom)), "u__" + fold_module_name(n.rom),
                  {{"clk", var("clk")}, {"start", var(fmt::format("v__s{}", read))}, {"x", xs.size() == 1 ? xs[0] : concat(xs)},
                   {"y", var(bus)}});
    }
    const int off = n.k * f.acc_width;
    ExprP e = n.width <= f.acc_width ? as_signed(slice(bus, off + n.width - 1, off))
              : f.acc_signed         ? as_signed(slice(bus, off + f.acc_width - 1, off))
                                     : as_signed(concat({lit(1, 0, false), slice(bus, off + f.acc_width - 1, off)}));
    m_.wire(n.name, n.width, true, e);
  }
  std::string fold_module_name(int idx) const { return fmt::format("{}_fold{}", prefix_, idx); }
  // Fold index -> the fold whose module it instantiates (identical folds, e.g. the positions of
  // a folded convolution, share one module).
  std::map<int, int> fold_module_;

  // Ternary adder as a carry-save step feeding one adder: with operands A, B, C (shifted,
  // sign-extended to the result's width W), x = A ^ B ^ C and m = majority(A, B, C) give
  // A + B + C = x + (m << 1) modulo 2^W. Bit i of the adder's propagate term, x_i ^ m_(i-1),
  // reads six operand bits: one LUT6 in front of the carry chain, so the whole sum is one
  // LUT level and one carry chain (the ternary adder of Xilinx devices), written in plain
  // Verilog that any synthesis tool maps that way. Subtractions: -C = ~C + 1 (the + 1 in the
  // free lowest bit of m << 1); A - B - C = ~(~A + B + C). Low bits below every other
  // operand's shift are copied from the lowest positive operand.
  void add3(const DfgNode& n) {
    struct Opd {
      DNode node;
      int shift;
      bool neg;
    };
    std::vector<Opd> ops{{n.args[0], n.sa, false}, {n.args[1], n.sb, n.sub}, {n.args[2], n.sc, n.sub_c}};
    const int W = n.width, st = n.stage;
    // Pass-through: the low bits [0, L) come from one positive, non-constant operand alone.
    int L = 0;
    size_t p = 0;
    for (size_t i = 1; i < 3; ++i)
      if (ops[i].shift < ops[p].shift) p = i;
    int s2 = 1 << 30;
    for (size_t i = 0; i < 3; ++i)
      if (i != p) s2 = std::min(s2, ops[i].shift);
    if (!ops[p].neg && !g_.is_const(ops[p].node) && s2 > ops[p].shift && ops[p].shift < W) L = std::min(s2, W);
    ExprP low;
    if (L > 0) {
      const Opd& o = ops[p];
      const DfgNode& a = g_.node(o.node);
      std::string an = name_at(o.node, st);
      const int take = L - o.shift;  // > 0: operand bits [take-1, 0], sign-extended when narrower
      std::vector<ExprP> parts;
      if (a.width >= take)
        parts.push_back(slice(an, take - 1, 0));
      else
        parts = {replicate(take - a.width, bit_of(an, a.width, a.width - 1)), var(an)};
      if (o.shift > 0) parts.push_back(lit(o.shift, 0, false));
      low = concat(parts);
    }
    if (L >= W) {
      m_.wire(n.name, W, true, as_signed(low));
      return;
    }
    const int Wc = W - L;
    int negs = 0;
    for (const Opd& o : ops) negs += o.neg ? 1 : 0;
    if (negs > 2) fail("internal error: ternary adder '{}' with three subtracted operands", n.name);
    std::vector<ExprP> e;
    for (size_t i = 0; i < 3; ++i) {
      const Opd& o = ops[i];
      ExprP x = at(o.node, st);
      if (i == p && L > o.shift)
        x = binary(x, BinOp::Ashr, num(L - o.shift));
      else if (o.shift - L > 0)
        x = binary(x, BinOp::Shl, num(o.shift - L));
      // One subtraction: ~C (+1 below). Two: the positive operand inverted, the sum inverted.
      bool invert = negs == 1 ? o.neg : (negs == 2 && !o.neg);
      if (invert) x = unary(UnOp::Not, x);
      e.push_back(x);
    }
    const int cin = negs == 1 ? 1 : 0;
    const std::string xn = n.name + "__csx", mn = n.name + "__csm", sn = n.name + "__cssum";
    m_.wire(xn, Wc, true, binary(binary(e[0], BinOp::Xor, e[1]), BinOp::Xor, e[2]));
    ExprP y = lit(1, cin, false);
    if (Wc > 1) {
      m_.wire(mn, Wc, true,
              binary(binary(binary(e[0], BinOp::And, e[1]), BinOp::Or, binary(e[0], BinOp::And, e[2])), BinOp::Or,
                     binary(e[1], BinOp::And, e[2])));
      y = concat({slice(mn, Wc - 2, 0), lit(1, cin, false)});
    }
    ExprP sum = binary(var(xn), BinOp::Add, y);
    if (negs == 2) {
      m_.wire(sn, Wc, false, sum);
      sum = unary(UnOp::Not, var(sn));
    }
    m_.wire(n.name, W, true, L > 0 ? as_signed(concat({sum, low})) : as_signed(sum));
  }

  void cast(const DfgNode& n) {
    const DfgNode& a = g_.node(n.args[0]);
    const FixedType& t = n.to;
    CastPlan p = plan_cast(g_, n);
    std::string an = name_at(n.args[0], n.stage);
    int wa = a.width, W = t.width;
    // Q step: q = quantized code.
    ExprP q;
    int qw = signed_width(p.qlo, p.qhi);
    bool wrap_only = t.overflow == Overflow::WRAP && t.sat_bits == 0;
    if (wrap_only) qw = std::min(qw, W + 1);
    if (p.may_overflow) qw = std::max(qw, W + 1);  // the low W bits and the range check need them
    if (p.shift <= 0) {
      q = p.shift == 0 ? var(an) : as_signed(concat({var(an), lit(-p.shift, 0, false)}));
    } else {
      ExprP q0 = p.shift < wa ? as_signed(slice(an, wa - 1, p.shift)) : as_signed(bit_of(an, wa, wa - 1));
      if (p.rounds) {
        ExprP half = bit_of(an, wa, p.shift - 1);
        ExprP rest = p.shift >= 2 ? unary(UnOp::RedOr, slice(an, std::min(p.shift - 2, wa - 1), 0)) : lit(1, 0, false);
        ExprP sign = bit_of(an, wa, wa - 1);
        ExprP lsb = bit_of(an, wa, p.shift);
        ExprP inc;
        // One dropped bit: no bits below the half, so the terms with `rest` simplify.
        const bool one = p.shift == 1;
        switch (t.quant) {
          case Quant::TRN: inc = lit(1, 0, false); break;
          case Quant::TRN_ZERO: inc = binary(sign, BinOp::And, one ? half : binary(half, BinOp::Or, rest)); break;
          case Quant::RND: inc = half; break;
          case Quant::RND_ZERO: inc = binary(half, BinOp::And, one ? sign : binary(rest, BinOp::Or, sign)); break;
          case Quant::RND_MIN_INF: inc = one ? lit(1, 0, false) : binary(half, BinOp::And, rest); break;
          case Quant::RND_INF: {
            ExprP up = unary(UnOp::Not, sign);
            inc = binary(half, BinOp::And, one ? up : binary(rest, BinOp::Or, up));
            break;
          }
          case Quant::RND_CONV: inc = binary(half, BinOp::And, one ? lsb : binary(rest, BinOp::Or, lsb)); break;
        }
        m_.wire(n.name + "__inc", 1, false, inc);
        q = binary(q0, BinOp::Add, as_signed(concat({lit(1, 0, false), var(n.name + "__inc")})));
      } else {
        q = q0;
      }
    }
    std::string qn = n.name + "__q";
    m_.wire(qn, qw, true, q);
    BigInt kmin = code_min(t), kmax = code_max(t);
    ExprP result;
    if (!p.may_overflow) {
      result = var(qn);
      if (p.sym_min) result = ternary(binary(var(qn), BinOp::Eq, const_lit(kmin)), const_lit(-kmax), var(qn));
    } else {
      ExprP low = t.is_signed ? as_signed(slice(qn, W - 1, 0)) : as_signed(concat({lit(1, 0, false), slice(qn, W - 1, 0)}));
      if (wrap_only) {
        result = low;
      } else {
        ExprP ovf;
        ExprP neg = slice(qn, qw - 1, qw - 1);
        if (t.is_signed) {
          ExprP top = slice(qn, qw - 1, W - 1);
          ovf = unary(UnOp::Not, binary(unary(UnOp::RedAnd, top), BinOp::Or, unary(UnOp::Not, unary(UnOp::RedOr, top))));
        } else {
          ovf = qw - 2 >= W ? binary(neg, BinOp::Or, unary(UnOp::RedOr, slice(qn, qw - 2, W))) : neg;
        }
        m_.wire(n.name + "__ovf", 1, false, ovf);
        ExprP o = var(n.name + "__ovf");
        Overflow mode = t.overflow;
        if (mode == Overflow::SAT_SYM && (!t.is_signed || W == 1)) mode = Overflow::SAT;
        switch (mode) {
          case Overflow::SAT: result = ternary(o, ternary(neg, const_lit(kmin), const_lit(kmax)), low); break;
          case Overflow::SAT_ZERO: result = ternary(o, const_lit(BigInt(0)), low); break;
          case Overflow::SAT_SYM: {
            ExprP in = ternary(binary(low, BinOp::Eq, const_lit(kmin)), const_lit(-kmax), low);
            result = ternary(o, ternary(neg, const_lit(-kmax), const_lit(kmax)), in);
            break;
          }
          case Overflow::WRAP: {
            int N = t.sat_bits;
            std::vector<ExprP> parts;
            if (!t.is_signed) {
              parts.push_back(lit(1, 0, false));
              parts.push_back(lit(N, BigInt::pow2(N) - BigInt(1), false));
            } else {
              parts.push_back(neg);
              if (N > 1) parts.push_back(replicate(N - 1, unary(UnOp::Not, neg)));
            }
            if (W - N >= 1) parts.push_back(slice(qn, W - N - 1, 0));
            result = ternary(o, as_signed(concat(parts)), low);
            break;
          }
        }
      }
    }
    m_.wire(n.name, n.width, true, result);
  }

  std::string rom_module_name(int idx) const { return fmt::format("{}_rom{}", prefix_, idx); }

 private:
  const Dfg& g_;
  Module& m_;
  std::string prefix_;
  std::set<int> fold_done_;
};

// Width of a fold's input x_i as the top module passes it (a constant: its literal's width).
int arg_width(const Dfg& g, DNode a) {
  const DfgNode& n = g.node(a);
  return n.kind == DKind::Const ? signed_width(n.value, n.value) : n.width;
}

// A folded layer (dfg.h Fold) as a module. `start` (one cycle) registers x; then, one phase
// per clock, three registered steps: A selects the phase's inputs and weights (case on the
// phase), B multiplies (in mul_stages registered stages), C adds each output's products to
// its accumulator (the bias on the first input slice) and, on the last input slice of an
// output slice, writes the outputs.
// y holds every output (acc_width bits each, output 0 in the least significant bits) from
// latency() cycles after start until the next sample's outputs replace them.
Module fold_module(const Dfg& g, const DfgNode& first, const std::string& name) {
  const Fold& f = g.folds().at(static_cast<size_t>(first.rom));
  const int R = f.reuse(), S = f.n_in / f.r_in, T = f.n_out / f.r_out, AW = f.acc_width;
  Module m;
  m.name = name;
  m.header.push_back(fmt::format("Folded layer '{}': {} inputs x {} outputs, ReuseFactor {} ({} input slices x {} output slices),",
                                 f.name, f.n_in, f.n_out, R, f.r_in, f.r_out));
  std::vector<int> xw(static_cast<size_t>(f.n_in));
  int in_bits = 0, XW = 1, WW = 1;
  for (int i = 0; i < f.n_in; ++i) {
    xw[static_cast<size_t>(i)] = arg_width(g, first.args[static_cast<size_t>(i)]);
    in_bits += xw[static_cast<size_t>(i)];
    XW = std::max(XW, xw[static_cast<size_t>(i)] + f.in_shift[static_cast<size_t>(i)]);
  }
  for (const BigInt& w : f.w) WW = std::max(WW, signed_width(w, w));
  const int PB = std::max(1, signed_width(BigInt(0), BigInt(R - 1)) - 1);  // phase counter bits
  m.ports = {Port{PortDir::Input, NetKind::Wire, "clk", 1, false}, Port{PortDir::Input, NetKind::Wire, "start", 1, false},
             Port{PortDir::Input, NetKind::Wire, "x", in_bits, false},
             Port{PortDir::Output, NetKind::Wire, "y", f.n_out * AW, false}};
  auto zero = [](int w) { return lit(w, 0, false); };
  // Input registers and phase control.
  m.comment("inputs, registered at start");
  std::vector<StmtP> load;
  for (int i = 0, off = 0; i < f.n_in; off += xw[static_cast<size_t>(i)], ++i) {
    const int w = xw[static_cast<size_t>(i)];
    m.reg(fmt::format("xr{}", i), w, true);
    load.push_back(nonblocking(var(fmt::format("xr{}", i)), as_signed(slice("x", off + w - 1, off))));
  }
  m.always_ff("clk", {if_(var("start"), load)});
  m.comment(fmt::format("phase counter (step A works on phase ph, step B's controls on {})", f.mul_stages == 2 ? "ph_m" : "ph_a"));
  m.reg("busy", 1, false, zero(1));
  m.reg("ph", PB, false, zero(PB));
  m.reg("act_a", 1, false, zero(1));
  m.reg("ph_a", PB, false, zero(PB));
  m.reg("act_b", 1, false, zero(1));
  // A two-stage multiply delays the phase of step B's controls by one more stage (ph_m).
  const bool two = f.mul_stages == 2;
  const std::string ph_b_src = two ? "ph_m" : "ph_a";
  if (two) {
    m.reg("act_m", 1, false, zero(1));
    m.reg("ph_m", PB, false, zero(PB));
  }
  ExprP last_phase = binary(var("ph"), BinOp::Eq, lit(PB, R - 1, false));
  m.always_ff("clk", {if_(var("start"), {nonblocking(var("busy"), lit(1, 1, false)), nonblocking(var("ph"), zero(PB))},
                          {if_(var("busy"), {nonblocking(var("busy"), unary(UnOp::LNot, last_phase)),
                                             nonblocking(var("ph"), ternary(last_phase, zero(PB),
                                                                            binary(var("ph"), BinOp::Add, lit(PB, 1, false))))})}),
                      nonblocking(var("act_a"), var("busy")), nonblocking(var("ph_a"), var("ph")),
                      nonblocking(var("act_b"), var(two ? "act_m" : "act_a"))});
  if (two) m.always_ff("clk", {nonblocking(var("act_m"), var("act_a")), nonblocking(var("ph_m"), var("ph_a"))});
  // Step A: the phase's input slice and weights.
  auto widx = [&](int i, int o) { return static_cast<size_t>(i) * static_cast<size_t>(f.n_out) + static_cast<size_t>(o); };
  auto x_aligned = [&](int i) {
    const int sh = f.in_shift[static_cast<size_t>(i)];
    ExprP e = var(fmt::format("xr{}", i));
    return sh > 0 ? as_signed(concat({e, zero(sh)})) : e;
  };
  // A multiplier whose weights are zero in every phase is not built.
  const std::vector<std::vector<bool>> used = f.used_slots();
  int built = 0;
  for (const auto& row : used) built += static_cast<int>(std::count(row.begin(), row.end(), true));
  m.header.push_back(fmt::format("{} multipliers ({} slots, those whose weights are zero in every phase dropped); a new sample every "
                                 "{} cycles; outputs {} cycles after start.",
                                 built, S * T, R, f.latency()));
  m.comment("step A: inputs and weights of the phase");
  for (int s = 0; s < S; ++s) m.reg(fmt::format("xa{}", s), XW, true);
  for (int s = 0; s < S; ++s)
    for (int q = 0; q < T; ++q)
      if (used[static_cast<size_t>(s)][static_cast<size_t>(q)]) m.reg(fmt::format("wa{}_{}", s, q), WW, true);
  // With one input slice the inputs do not depend on the phase.
  std::vector<StmtP> a_body;
  if (f.r_in == 1)
    for (int s = 0; s < S; ++s) a_body.push_back(nonblocking(var(fmt::format("xa{}", s)), x_aligned(s)));
  std::vector<CaseItem> a_items;
  for (int p = 0; p < R; ++p) {
    CaseItem it;
    it.labels = {lit(PB, p, false)};
    const int pi = p % f.r_in, po = p / f.r_in;
    for (int s = 0; s < S; ++s) {
      if (f.r_in > 1) it.body.push_back(nonblocking(var(fmt::format("xa{}", s)), x_aligned(pi * S + s)));
      for (int q = 0; q < T; ++q)
        if (used[static_cast<size_t>(s)][static_cast<size_t>(q)])
          it.body.push_back(nonblocking(var(fmt::format("wa{}_{}", s, q)), lit(WW, f.w[widx(pi * S + s, po * T + q)], true)));
    }
    a_items.push_back(std::move(it));
  }
  a_items.push_back(CaseItem{});  // default: nothing (phase counter values past R - 1)
  a_body.push_back(case_(var("ph"), std::move(a_items)));
  m.always_ff("clk", a_body);
  // Step B: products, and the accumulation controls of the phase.
  const int PW = XW + WW;
  m.comment("step B: products");
  std::vector<StmtP> b_body;
  for (int s = 0; s < S; ++s)
    for (int q = 0; q < T; ++q)
      if (used[static_cast<size_t>(s)][static_cast<size_t>(q)]) {
        std::string pn = fmt::format("pb{}_{}", s, q);
        ExprP prod = binary(var(fmt::format("xa{}", s)), BinOp::Mul, var(fmt::format("wa{}_{}", s, q)));
        if (two) {
          std::string mn = fmt::format("pm{}_{}", s, q);
          m.reg(mn, PW, true);
          b_body.push_back(nonblocking(var(mn), prod));
          prod = var(mn);
        }
        m.reg(pn, PW, true);
        b_body.push_back(nonblocking(var(pn), prod));
      }
  const int SB = std::max(1, signed_width(BigInt(0), BigInt(f.r_out - 1)) - 1);
  m.reg("first_b", 1, false);
  m.reg("last_b", 1, false);
  m.reg("slice_b", SB, false);
  for (int q = 0; q < T; ++q) m.reg(fmt::format("bias_b{}", q), AW, true);
  std::vector<CaseItem> b_items;
  for (int p = 0; p < R; ++p) {
    CaseItem it;
    it.labels = {lit(PB, p, false)};
    const int pi = p % f.r_in, po = p / f.r_in;
    it.body.push_back(nonblocking(var("first_b"), lit(1, pi == 0 ? 1 : 0, false)));
    it.body.push_back(nonblocking(var("last_b"), lit(1, pi == f.r_in - 1 ? 1 : 0, false)));
    it.body.push_back(nonblocking(var("slice_b"), lit(SB, po, false)));
    for (int q = 0; q < T; ++q)
      it.body.push_back(nonblocking(var(fmt::format("bias_b{}", q)),
                                    lit(AW, f.bias[static_cast<size_t>(po * T + q)].wrap_signed(AW), true)));
    b_items.push_back(std::move(it));
  }
  b_items.push_back(CaseItem{});
  b_body.push_back(case_(var(ph_b_src), std::move(b_items)));
  m.always_ff("clk", b_body);
  // Step C: accumulate (modulo 2^AW), write the outputs of a finished output slice.
  m.comment(fmt::format("step C: sums modulo 2^{} on the accumulator's grid", AW));
  std::vector<StmtP> c_body, acc_writes;
  std::vector<std::vector<StmtP>> slice_writes(static_cast<size_t>(f.r_out));
  for (int q = 0; q < T; ++q) {
    std::string acc = fmt::format("acc{}", q), sum = fmt::format("sum{}", q);
    ExprP e = var(fmt::format("bias_b{}", q));
    if (f.r_in > 1) {
      m.reg(acc, AW, true);
      e = ternary(var("first_b"), e, var(acc));
    }
    std::vector<ExprP> terms{e};
    for (int s = 0; s < S; ++s) {
      if (!used[static_cast<size_t>(s)][static_cast<size_t>(q)]) continue;
      ExprP pr = var(fmt::format("pb{}_{}", s, q));
      ExprP t;
      if (f.prod_shift <= 0) {
        t = f.prod_shift < 0 ? binary(pr, BinOp::Shl, num(-f.prod_shift)) : pr;
      } else {
        if (f.round_half) {
          std::string rn = fmt::format("pr{}_{}", s, q);
          const int RW = std::max(PW, f.prod_shift) + 1;
          m.wire(rn, RW, true, binary(pr, BinOp::Add, lit(RW, BigInt::pow2(f.prod_shift - 1), true)));
          pr = var(rn);
        }
        t = binary(pr, BinOp::Ashr, num(f.prod_shift));
      }
      // The sums are modulo 2^AW: a term needs only its low AW bits.
      std::string tn = fmt::format("t{}_{}", s, q);
      m.wire(tn, AW, true, t);
      terms.push_back(var(tn));
    }
    // A balanced tree of two-input adders (the accumulator or bias is one operand).
    while (terms.size() > 1) {
      std::vector<ExprP> next;
      for (size_t k = 0; k + 1 < terms.size(); k += 2) next.push_back(binary(terms[k], BinOp::Add, terms[k + 1]));
      if (terms.size() % 2) next.push_back(terms.back());
      terms = std::move(next);
    }
    m.wire(sum, AW, true, terms[0]);
    if (f.r_in > 1) acc_writes.push_back(nonblocking(var(acc), var(sum)));
    for (int po = 0; po < f.r_out; ++po) slice_writes[static_cast<size_t>(po)].push_back(nonblocking(var(fmt::format("y{}", po * T + q)), var(sum)));
  }
  for (int o = 0; o < f.n_out; ++o) m.reg(fmt::format("y{}", o), AW, true);
  std::vector<StmtP> on_last = slice_writes[0];
  if (f.r_out > 1) {
    on_last.clear();
    for (int po = 0; po < f.r_out; ++po)
      on_last.push_back(if_(binary(var("slice_b"), BinOp::Eq, lit(SB, po, false)), slice_writes[static_cast<size_t>(po)]));
  }
  if (!acc_writes.empty()) c_body.push_back(if_(var("act_b"), acc_writes));
  c_body.push_back(if_(binary(var("act_b"), BinOp::LAnd, var("last_b")), on_last));
  m.always_ff("clk", c_body);
  std::vector<ExprP> ys;
  for (int o = f.n_out; o-- > 0;) ys.push_back(var(fmt::format("y{}", o)));
  m.assign(var("y"), ys.size() == 1 ? ys[0] : concat(ys));
  return m;
}

Module rom_module(const Rom& r, const std::string& name) {
  Module m;
  m.name = name;
  int depth = static_cast<int>(r.data.size());
  int abits = std::max(1, signed_width(BigInt(0), BigInt(depth - 1)) - 1);
  BigInt lo = *std::min_element(r.data.begin(), r.data.end()), hi = *std::max_element(r.data.begin(), r.data.end());
  int w = signed_width(lo, hi);
  m.header.push_back(fmt::format("ROM '{}': {} words x {} bits (signed codes), registered read.", r.name, depth, w));
  m.ports = {Port{PortDir::Input, NetKind::Wire, "clk", 1, false}, Port{PortDir::Input, NetKind::Wire, "addr", abits, false},
             Port{PortDir::Output, NetKind::Reg, "q", w, true}};
  m.memory("mem", w, true, depth);
  std::vector<StmtP> init;
  for (int i = 0; i < depth; ++i)
    init.push_back(blocking(element("mem", i), lit(w, r.data[static_cast<size_t>(i)], true)));
  m.initial(std::move(init));
  m.always_ff("clk", {nonblocking(var("q"), element("mem", var("addr")))});
  return m;
}

}  // namespace

int initiation_interval(const Dfg& g) {
  std::vector<bool> live = g.live();
  int ii = 1;
  for (size_t i = 0; i < g.size(); ++i)
    if (live[i] && g.node(static_cast<DNode>(i)).kind == DKind::Fold)
      ii = std::max(ii, g.folds().at(static_cast<size_t>(g.node(static_cast<DNode>(i)).rom)).reuse());
  return ii;
}

int output_bus_width(const Dfg& g) {
  int w = 0;
  for (const auto& o : g.outputs()) w += o.type.width;
  return w;
}

vast::File emit_rtl(const Dfg& g, const ScheduleResult& s, const RtlOptions& o) {
  File f;
  Module top;
  top.name = o.module_name;
  top.header = o.header;
  int in_w = std::max(1, g.input_width()), out_w = std::max(1, output_bus_width(g));
  top.ports = {Port{PortDir::Input, NetKind::Wire, "clk", 1, false}, Port{PortDir::Input, NetKind::Wire, "in_data", in_w, false},
               Port{PortDir::Output, NetKind::Wire, "out_data", out_w, false}};
  top.comment("input register");
  top.reg("in__r", in_w, false);
  top.always_ff("clk", {nonblocking(var("in__r"), var("in_data"))});
  const int ii = initiation_interval(g);
  if (ii > 1) {
    // Folded layers: a sample is taken when in_valid is high and in_ready (at most one every
    // ii cycles); its valid bit travels with it and starts each folded layer.
    top.ports.insert(top.ports.begin() + 2, Port{PortDir::Input, NetKind::Wire, "in_valid", 1, false});
    top.ports.push_back(Port{PortDir::Output, NetKind::Wire, "in_ready", 1, false});
    top.ports.push_back(Port{PortDir::Output, NetKind::Wire, "out_valid", 1, false});
    const int GW = std::max(1, signed_width(BigInt(0), BigInt(ii - 1)) - 1);
    top.comment(fmt::format("a new sample every {} cycles at most; valid bits of the pipeline stages", ii));
    top.reg("gap__", GW, false, lit(GW, 0, false));
    top.assign(var("in_ready"), binary(var("gap__"), BinOp::Eq, lit(GW, 0, false)));
    top.wire("take__", 1, false, binary(var("in_valid"), BinOp::LAnd, var("in_ready")));
    top.always_ff("clk", {if_(var("take__"), {nonblocking(var("gap__"), lit(GW, ii - 1, false))},
                              {if_(binary(var("gap__"), BinOp::Ne, lit(GW, 0, false)),
                                   {nonblocking(var("gap__"), binary(var("gap__"), BinOp::Sub, lit(GW, 1, false)))})})});
    std::vector<StmtP> vs{nonblocking(var("v__s0"), var("take__"))};
    top.reg("v__s0", 1, false, lit(1, 0, false));
    for (int st = 1; st <= s.last_stage; ++st) {
      top.reg(fmt::format("v__s{}", st), 1, false, lit(1, 0, false));
      vs.push_back(nonblocking(var(fmt::format("v__s{}", st)), var(fmt::format("v__s{}", st - 1))));
    }
    top.reg("valid__out", 1, false, lit(1, 0, false));
    vs.push_back(nonblocking(var("valid__out"), var(fmt::format("v__s{}", s.last_stage))));
    top.always_ff("clk", vs);
    top.assign(var("out_valid"), var("valid__out"));
  }
  std::vector<bool> live = g.live();
  Emitter em(g, top, o.module_name);
  std::vector<std::pair<int, DNode>> fold_firsts;  // (fold, its first output node), modules to print
  for (size_t i = 0; i < g.size(); ++i) {
    const DfgNode& n = g.node(static_cast<DNode>(i));
    if (!live[i] || n.kind != DKind::Fold || em.fold_module_.contains(n.rom)) continue;
    auto widths = [&](const DfgNode& a) {
      std::vector<int> w;
      for (DNode x : a.args) w.push_back(arg_width(g, x));
      return w;
    };
    int canon = n.rom;
    for (const auto& [k, first] : fold_firsts)
      if (g.folds().at(static_cast<size_t>(k)) == g.folds().at(static_cast<size_t>(n.rom)) && widths(g.node(first)) == widths(n)) {
        canon = k;
        break;
      }
    em.fold_module_[n.rom] = canon;
    if (canon == n.rom) fold_firsts.push_back({n.rom, static_cast<DNode>(i)});
  }
  // Nodes grouped by layer, each followed by the declarations of its pipeline registers.
  std::map<int, std::vector<StmtP>> stage_regs;  // boundary (stage it enters) -> assignments
  int group = -1;
  for (size_t i = 0; i < g.size(); ++i) {
    const DfgNode& n = g.node(static_cast<DNode>(i));
    if (!live[i] || n.kind == DKind::Const) continue;
    if (n.group != group) {
      group = n.group;
      top.blank();
      top.comment(g.groups().at(static_cast<size_t>(group)));
    }
    em.node(static_cast<DNode>(i));
    for (int st = n.stage + 1; st <= n.max_use_stage; ++st) {
      std::string rn = em.name_at(static_cast<DNode>(i), st);
      top.reg(rn, n.width, true);
      stage_regs[st].push_back(nonblocking(var(rn), var(em.name_at(static_cast<DNode>(i), st - 1))));
    }
  }
  // Output registers and bus.
  top.blank();
  top.comment(fmt::format("output registers (sample the end of stage {})", s.last_stage));
  std::vector<StmtP> out_assign;
  std::vector<ExprP> parts;
  for (size_t k = 0; k < g.outputs().size(); ++k) {
    const auto& out = g.outputs()[k];
    std::string rn = fmt::format("out__{}", k);
    int W = out.type.width;
    top.reg(rn, W, false);
    const DfgNode& n = g.node(out.node);
    ExprP v;
    if (n.kind == DKind::Const) {
      v = lit(W, n.value.wrap_unsigned(W), false);
    } else {
      std::string src = em.name_at(out.node, s.last_stage);
      v = n.width > W ? slice(src, W - 1, 0) : var(src);
    }
    out_assign.push_back(nonblocking(var(rn), v));
    parts.push_back(var(rn));
  }
  std::reverse(parts.begin(), parts.end());  // element 0 in the least significant bits
  for (auto& [st, body] : stage_regs) {
    top.blank();
    top.comment(fmt::format("pipeline registers: end of stage {} -> stage {}", st - 1, st));
    top.always_ff("clk", body);
  }
  top.blank();
  top.always_ff("clk", out_assign);
  if (parts.empty())
    top.assign(var("out_data"), lit(1, 0, false));
  else
    top.assign(var("out_data"), parts.size() == 1 ? parts[0] : concat(parts));
  f.modules.push_back(std::move(top));
  for (size_t r = 0; r < g.roms().size(); ++r)
    f.modules.push_back(rom_module(g.roms()[r], em.rom_module_name(static_cast<int>(r))));
  for (const auto& [k, first] : fold_firsts) f.modules.push_back(fold_module(g, g.node(first), em.fold_module_name(k)));
  return f;
}

}  // namespace tachyon::backends::verilog
