// Datapath graph: builders (constant folding, exact value intervals), reference evaluation,
// liveness and demanded-width analysis.
#include "tachyon/backends/verilog/dfg.h"

#include <fmt/format.h>

#include <algorithm>

#include "tachyon/backends/verilog/vast.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::verilog {

int signed_width(const BigInt& lo, const BigInt& hi) {
  int64_t w = std::max(lo.bit_length(), hi.bit_length()) + 1;
  return static_cast<int>(std::max<int64_t>(w, 1));
}

BigInt quantize_code(const BigInt& code, int shift, Quant q) {
  if (shift <= 0) return code.shl(-shift);
  BigInt f = code.shr(shift);
  if (q == Quant::TRN || code.low_bits_zero(shift)) return f;
  bool half = code.bit(shift - 1);
  bool rest = !code.low_bits_zero(shift - 1);
  bool neg = f.is_negative();
  bool up = false;
  switch (q) {
    case Quant::TRN: up = false; break;
    case Quant::TRN_ZERO: up = neg; break;
    case Quant::RND: up = half; break;
    case Quant::RND_ZERO: up = half && (rest || neg); break;
    case Quant::RND_MIN_INF: up = half && rest; break;
    case Quant::RND_INF: up = half && (rest || !neg); break;
    case Quant::RND_CONV: up = half && (rest || f.is_odd()); break;
  }
  return up ? f + BigInt(1) : f;
}

namespace {

// Interval of cast(x) for x in [lo, hi] (codes with `frac` fraction bits).
void cast_range(const BigInt& lo, const BigInt& hi, int frac, const FixedType& t, BigInt* rlo, BigInt* rhi) {
  int shift = frac - t.frac_bits();
  BigInt qlo = quantize_code(lo, shift, t.quant), qhi = quantize_code(hi, shift, t.quant);
  BigInt kmin = code_min(t), kmax = code_max(t);
  if (qlo >= kmin && qhi <= kmax) {
    *rlo = qlo;
    *rhi = qhi;
    return;
  }
  switch (t.overflow) {
    case Overflow::SAT:
    case Overflow::SAT_SYM:  // -kmax >= kmin: clamping to [kmin, kmax] is a safe bound
      *rlo = std::max(kmin, std::min(qlo, kmax));
      *rhi = std::min(kmax, std::max(qhi, kmin));
      return;
    case Overflow::SAT_ZERO:
      *rlo = std::min(BigInt(0), std::max(kmin, std::min(qlo, kmax)));
      *rhi = std::max(BigInt(0), std::min(kmax, std::max(qhi, kmin)));
      return;
    case Overflow::WRAP:
      *rlo = kmin;
      *rhi = kmax;
      return;
  }
}

}  // namespace

BigInt eval_node(const Dfg& g, const DfgNode& n, const std::vector<BigInt>& v) {
  switch (n.kind) {
    case DKind::Input: fail("internal error: eval_node on an input");
    case DKind::Const: return n.value;
    case DKind::Add: {
      BigInt a = v[0].shl(n.sa), b = v[1].shl(n.sb);
      return n.sub ? a - b : a + b;
    }
    case DKind::Add3: {
      BigInt a = v[0].shl(n.sa), b = v[1].shl(n.sb), c = v[2].shl(n.sc);
      BigInt ab = n.sub ? a - b : a + b;
      return n.sub_c ? ab - c : ab + c;
    }
    case DKind::Neg: return -v[0];
    case DKind::Shr: return v[0].shr(n.k);
    case DKind::Wrap: return n.wrap_signed ? v[0].wrap_signed(n.k) : v[0].wrap_unsigned(n.k);
    case DKind::Cast: return convert_exact(v[0], n.frac, n.to);
    case DKind::IsNeg: return BigInt(v[0].is_negative() ? 1 : 0);
    case DKind::Cmp: {
      BigInt a = v[0].shl(n.sa), b = v[1].shl(n.sb);
      bool r = false;
      switch (n.cmp) {
        case CmpOp::Lt: r = a < b; break;
        case CmpOp::Le: r = a <= b; break;
        case CmpOp::Gt: r = a > b; break;
        case CmpOp::Ge: r = a >= b; break;
        case CmpOp::Eq: r = a == b; break;
        case CmpOp::Ne: r = a != b; break;
      }
      return BigInt(r ? 1 : 0);
    }
    case DKind::Mux: return v[0].is_zero() ? v[2] : v[1];
    case DKind::Mul: return v[0] * v[1];
    case DKind::Rom: {
      const Rom& r = g.roms().at(static_cast<size_t>(n.rom));
      BigInt a = v[0] - n.rom_base;
      if (a.is_negative() || !a.fits_int64() || a.low_i64() >= static_cast<int64_t>(r.data.size()))
        fail("internal error: ROM '{}' address {} out of range", r.name, a.to_dec());
      return r.data[static_cast<size_t>(a.low_i64())];
    }
    case DKind::Fold: {
      const Fold& f = g.folds().at(static_cast<size_t>(n.rom));
      BigInt acc = f.bias.at(static_cast<size_t>(n.k));
      for (int i = 0; i < f.n_in; ++i)
        acc += fold_term(f, v[static_cast<size_t>(i)].shl(f.in_shift[static_cast<size_t>(i)]) *
                                f.w[static_cast<size_t>(i) * static_cast<size_t>(f.n_out) + static_cast<size_t>(n.k)]);
      return f.acc_signed ? acc.wrap_signed(f.acc_width) : acc.wrap_unsigned(f.acc_width);
    }
  }
  return BigInt();
}

std::vector<std::vector<bool>> Fold::used_slots() const {
  const int S = n_in / r_in, T = n_out / r_out;
  std::vector<std::vector<bool>> used(static_cast<size_t>(S), std::vector<bool>(static_cast<size_t>(T), false));
  for (int p = 0; p < reuse(); ++p)
    for (int s = 0; s < S; ++s)
      for (int q = 0; q < T; ++q) {
        const int i = (p % r_in) * S + s, o = (p / r_in) * T + q;
        if (!w[static_cast<size_t>(i) * static_cast<size_t>(n_out) + static_cast<size_t>(o)].is_zero())
          used[static_cast<size_t>(s)][static_cast<size_t>(q)] = true;
      }
  return used;
}

std::pair<BigInt, BigInt> Fold::term_interval(int i, int o, const BigInt& xlo, const BigInt& xhi) const {
  const BigInt& wc = w[static_cast<size_t>(i) * static_cast<size_t>(n_out) + static_cast<size_t>(o)];
  const int sh = in_shift[static_cast<size_t>(i)];
  BigInt a = fold_term(*this, xlo.shl(sh) * wc), b = fold_term(*this, xhi.shl(sh) * wc);  // monotone in x
  return a < b ? std::pair{a, b} : std::pair{b, a};
}

BigInt fold_term(const Fold& f, const BigInt& product) {
  if (f.prod_shift <= 0) return product.shl(-f.prod_shift);
  return (f.round_half ? product + BigInt::pow2(f.prod_shift - 1) : product).shr(f.prod_shift);
}

std::vector<DNode> Dfg::fold(Fold f, const std::vector<DNode>& xs, const std::string& name) {
  if (static_cast<int>(xs.size()) != f.n_in || f.n_in % f.r_in != 0 || f.n_out % f.r_out != 0 ||
      f.w.size() != static_cast<size_t>(f.n_in) * static_cast<size_t>(f.n_out) || f.bias.size() != static_cast<size_t>(f.n_out) ||
      f.in_shift.size() != xs.size())
    fail("internal error: inconsistent folded layer '{}'", f.name);
  // Each output's exact interval; when it fits the accumulator no sum ever wraps.
  BigInt amin = f.acc_signed ? -BigInt::pow2(f.acc_width - 1) : BigInt(0);
  BigInt amax = (f.acc_signed ? BigInt::pow2(f.acc_width - 1) : BigInt::pow2(f.acc_width)) - BigInt(1);
  const int idx = static_cast<int>(folds_.size());
  std::vector<DNode> outs;
  for (int o = 0; o < f.n_out; ++o) {
    BigInt lo = f.bias[static_cast<size_t>(o)], hi = lo;
    for (int i = 0; i < f.n_in; ++i) {
      const DfgNode& x = node(xs[static_cast<size_t>(i)]);
      auto [tlo, thi] = f.term_interval(i, o, x.lo, x.hi);
      lo += tlo;
      hi += thi;
    }
    DfgNode n;
    n.kind = DKind::Fold;
    n.args = xs;
    n.rom = idx;
    n.k = o;
    n.lo = lo < amin || hi > amax ? amin : lo;
    n.hi = lo < amin || hi > amax ? amax : hi;
    outs.push_back(push(std::move(n), fmt::format("{}_{}", name, o)));
  }
  folds_.push_back(std::move(f));
  return outs;
}

int Dfg::begin_group(const std::string& title) {
  groups_.push_back(title);
  group_ = static_cast<int>(groups_.size()) - 1;
  return group_;
}

std::string Dfg::unique_name(const std::string& base0) {
  // Generated names never contain "__": the printer derives register and helper names
  // as <name>__<suffix>, which therefore cannot clash with node names.
  std::string base;
  for (char c : base0.empty() ? std::string("n") : base0)
    if (!(c == '_' && !base.empty() && base.back() == '_')) base += c;
  while (base.size() > 1 && base.back() == '_') base.pop_back();
  if (!(std::isalpha(static_cast<unsigned char>(base[0])) || base[0] == '_')) base = "n_" + base;
  static const char* reserved[] = {"clk", "in_data", "out_data", "in_valid", "in_ready", "out_valid"};
  bool clash = vast::is_keyword(base);
  for (const char* r : reserved) clash = clash || base == r;
  if (clash) base += "_";
  int& count = names_[base];
  ++count;
  if (count == 1) return base;
  // base_2, base_3, ...; make sure the suffixed name itself is unused.
  while (true) {
    std::string cand = base + "_" + std::to_string(count);
    if (!names_.count(cand)) {
      names_[cand] = 1;
      return cand;
    }
    ++count;
  }
}

DNode Dfg::push(DfgNode n, const std::string& name) {
  // Constant folding: every operand constant -> a constant.
  if (n.kind != DKind::Input && n.kind != DKind::Const) {
    bool all_const = !n.args.empty();
    std::vector<BigInt> vals;
    for (DNode a : n.args) {
      if (!is_const(a)) {
        all_const = false;
        break;
      }
      vals.push_back(node(a).value);
    }
    if (all_const) return constant(eval_node(*this, n, vals));
  }
  n.group = group_;
  n.name = n.kind == DKind::Const ? std::string() : unique_name(name);
  nodes_.push_back(std::move(n));
  return static_cast<DNode>(nodes_.size() - 1);
}

DNode Dfg::input(const std::string& name, int bit_offset, const FixedType& t) {
  DfgNode n;
  n.kind = DKind::Input;
  n.input_offset = bit_offset;
  n.to = t;
  n.lo = code_min(t);
  n.hi = code_max(t);
  return push(std::move(n), name);
}

DNode Dfg::constant(const BigInt& v) {
  DfgNode n;
  n.kind = DKind::Const;
  n.value = v;
  n.lo = n.hi = v;
  n.group = group_;
  nodes_.push_back(std::move(n));
  return static_cast<DNode>(nodes_.size() - 1);
}

DNode Dfg::add(DNode a, int sa, DNode b, int sb, bool sub, const std::string& name) {
  if (sa < 0 || sb < 0) fail("internal error: negative shift in DFG add");
  const DfgNode &x = node(a), &y = node(b);
  // x + 0 or 0 + x: no adder.
  if (is_const(b) && y.value.is_zero()) return shl(a, sa, name);
  if (is_const(a) && x.value.is_zero() && !sub) return shl(b, sb, name);
  DfgNode n;
  n.kind = DKind::Add;
  n.args = {a, b};
  n.sa = sa;
  n.sb = sb;
  n.sub = sub;
  BigInt alo = x.lo.shl(sa), ahi = x.hi.shl(sa), blo = y.lo.shl(sb), bhi = y.hi.shl(sb);
  n.lo = sub ? alo - bhi : alo + blo;
  n.hi = sub ? ahi - blo : ahi + bhi;
  return push(std::move(n), name);
}

DNode Dfg::add3(DNode a, int sa, DNode b, int sb, bool sub_b, DNode c, int sc, bool sub_c, const std::string& name) {
  if (sa < 0 || sb < 0 || sc < 0) fail("internal error: negative shift in DFG add3");
  auto zero = [&](DNode x) { return is_const(x) && node(x).value.is_zero(); };
  if (zero(c)) return add(a, sa, b, sb, sub_b, name);
  if (zero(b)) return add(a, sa, c, sc, sub_c, name);
  if (zero(a)) {
    if (!sub_b) return add(b, sb, c, sc, sub_c, name);
    if (!sub_c) return add(c, sc, b, sb, true, name);
  }
  DfgNode n;
  n.kind = DKind::Add3;
  n.args = {a, b, c};
  n.sa = sa;
  n.sb = sb;
  n.sc = sc;
  n.sub = sub_b;
  n.sub_c = sub_c;
  const DfgNode &x = node(a), &y = node(b), &z = node(c);
  BigInt lo = x.lo.shl(sa), hi = x.hi.shl(sa);
  auto acc = [&](const DfgNode& t, int s, bool sub) {
    BigInt tlo = t.lo.shl(s), thi = t.hi.shl(s);
    if (sub) {
      lo = lo - thi;
      hi = hi - tlo;
    } else {
      lo = lo + tlo;
      hi = hi + thi;
    }
  };
  acc(y, sb, sub_b);
  acc(z, sc, sub_c);
  n.lo = lo;
  n.hi = hi;
  return push(std::move(n), name);
}

DNode Dfg::neg(DNode a, const std::string& name) {
  DfgNode n;
  n.kind = DKind::Neg;
  n.args = {a};
  n.lo = -node(a).hi;
  n.hi = -node(a).lo;
  return push(std::move(n), name);
}

DNode Dfg::shl(DNode a, int k, const std::string& name) {
  if (k == 0) return a;
  DfgNode n;
  n.kind = DKind::Add;  // (a << k) + (0 << 0): prints as a shift
  DNode zero = constant(0);
  n.args = {a, zero};
  n.sa = k;
  n.lo = node(a).lo.shl(k);
  n.hi = node(a).hi.shl(k);
  return push(std::move(n), name);
}

DNode Dfg::shr(DNode a, int k, const std::string& name) {
  if (k == 0) return a;
  DfgNode n;
  n.kind = DKind::Shr;
  n.args = {a};
  n.k = k;
  n.lo = node(a).lo.shr(k);
  n.hi = node(a).hi.shr(k);
  return push(std::move(n), name);
}

DNode Dfg::wrap(DNode a, int w, bool is_signed, const std::string& name) {
  const DfgNode& x = node(a);
  FixedType t = int_type(w, is_signed);
  if (x.lo >= code_min(t) && x.hi <= code_max(t)) return a;  // already in range: identity
  DfgNode n;
  n.kind = DKind::Wrap;
  n.args = {a};
  n.k = w;
  n.wrap_signed = is_signed;
  n.lo = code_min(t);
  n.hi = code_max(t);
  return push(std::move(n), name);
}

DNode Dfg::cast(DNode a, int frac, const FixedType& to, const std::string& name) {
  to.validate("cast target");
  const DfgNode& x = node(a);
  DfgNode n;
  n.kind = DKind::Cast;
  n.args = {a};
  n.frac = frac;
  n.to = to;
  cast_range(x.lo, x.hi, frac, to, &n.lo, &n.hi);
  // A cast that provably changes nothing (same grid, in range, no SAT_SYM minimum) is a no-op.
  if (frac == to.frac_bits() && x.lo >= code_min(to) && x.hi <= code_max(to) &&
      !(to.overflow == Overflow::SAT_SYM && to.is_signed && to.width > 1 && x.lo <= code_min(to)))
    return a;
  return push(std::move(n), name);
}

DNode Dfg::is_neg(DNode a, const std::string& name) {
  const DfgNode& x = node(a);
  if (!x.lo.is_negative()) return constant(0);
  if (x.hi.is_negative()) return constant(1);
  DfgNode n;
  n.kind = DKind::IsNeg;
  n.args = {a};
  n.lo = BigInt(0);
  n.hi = BigInt(1);
  return push(std::move(n), name);
}

DNode Dfg::cmp(DNode a, int sa, CmpOp op, DNode b, int sb, const std::string& name) {
  DfgNode n;
  n.kind = DKind::Cmp;
  n.args = {a, b};
  n.sa = sa;
  n.sb = sb;
  n.cmp = op;
  n.lo = BigInt(0);
  n.hi = BigInt(1);
  // Decided by the intervals alone?
  const DfgNode &x = node(a), &y = node(b);
  BigInt alo = x.lo.shl(sa), ahi = x.hi.shl(sa), blo = y.lo.shl(sb), bhi = y.hi.shl(sb);
  int known = -1;
  switch (op) {
    case CmpOp::Lt: known = ahi < blo ? 1 : (alo >= bhi ? 0 : -1); break;
    case CmpOp::Le: known = ahi <= blo ? 1 : (alo > bhi ? 0 : -1); break;
    case CmpOp::Gt: known = alo > bhi ? 1 : (ahi <= blo ? 0 : -1); break;
    case CmpOp::Ge: known = alo >= bhi ? 1 : (ahi < blo ? 0 : -1); break;
    case CmpOp::Eq: known = (ahi < blo || alo > bhi) ? 0 : -1; break;
    case CmpOp::Ne: known = (ahi < blo || alo > bhi) ? 1 : -1; break;
  }
  if (known >= 0) return constant(known);
  return push(std::move(n), name);
}

DNode Dfg::mux(DNode cond, DNode a, DNode b, const std::string& name) {
  if (is_const(cond)) return node(cond).value.is_zero() ? b : a;
  if (a == b) return a;
  DfgNode n;
  n.kind = DKind::Mux;
  n.args = {cond, a, b};
  n.lo = std::min(node(a).lo, node(b).lo);
  n.hi = std::max(node(a).hi, node(b).hi);
  return push(std::move(n), name);
}

DNode Dfg::mul(DNode a, DNode b, const std::string& name) {
  DfgNode n;
  n.kind = DKind::Mul;
  n.args = {a, b};
  const DfgNode &x = node(a), &y = node(b);
  BigInt c[4] = {x.lo * y.lo, x.lo * y.hi, x.hi * y.lo, x.hi * y.hi};
  n.lo = *std::min_element(c, c + 4);
  n.hi = *std::max_element(c, c + 4);
  return push(std::move(n), name);
}

DNode Dfg::clamp(DNode a, const BigInt& lo, const BigInt& hi, const std::string& name) {
  DNode c_lo = cmp(a, 0, CmpOp::Lt, constant(lo), 0, name + "_lt");
  DNode c_hi = cmp(a, 0, CmpOp::Gt, constant(hi), 0, name + "_gt");
  DNode inner = mux(c_hi, constant(hi), a, name + "_hi");
  DNode r = mux(c_lo, constant(lo), inner, name);
  if (lo <= hi && !is_const(r)) {
    DfgNode& n = node(r);
    const DfgNode& x = node(a);
    n.lo = std::max(lo, std::min(x.lo, hi));
    n.hi = std::min(hi, std::max(x.hi, lo));
  }
  return r;
}

DNode Dfg::rom(DNode a, const BigInt& base, std::vector<BigInt> table, const std::string& rom_name,
               const std::string& name) {
  if (table.empty()) fail("internal error: empty ROM '{}'", rom_name);
  const DfgNode& x = node(a);
  BigInt size(static_cast<int64_t>(table.size()));
  if (x.lo < base || x.hi >= base + size)
    fail("internal error: ROM '{}' address range [{}, {}] outside [{}, {})", rom_name, x.lo.to_dec(),
         x.hi.to_dec(), base.to_dec(), (base + size).to_dec());
  // Deduplicate ROM contents.
  int idx = -1;
  for (size_t i = 0; i < roms_.size(); ++i)
    if (roms_[i].data == table) idx = static_cast<int>(i);
  if (idx < 0) {
    std::string rn = rom_name;
    for (const Rom& r : roms_)
      if (r.name == rn) rn += "_" + std::to_string(roms_.size());
    roms_.push_back(Rom{rn, std::move(table)});
    idx = static_cast<int>(roms_.size()) - 1;
  }
  DfgNode n;
  n.kind = DKind::Rom;
  n.args = {a};
  n.rom = idx;
  n.rom_base = base;
  const auto& data = roms_[static_cast<size_t>(idx)].data;
  n.lo = *std::min_element(data.begin(), data.end());
  n.hi = *std::max_element(data.begin(), data.end());
  return push(std::move(n), name);
}

std::vector<BigInt> Dfg::evaluate_all(const std::vector<BigInt>& inputs) const {
  std::vector<BigInt> val(nodes_.size());
  std::vector<BigInt> args;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const DfgNode& n = nodes_[i];
    if (n.kind == DKind::Input) {
      val[i] = inputs.at(i);
      continue;
    }
    args.clear();
    for (DNode a : n.args) args.push_back(val[static_cast<size_t>(a)]);
    val[i] = eval_node(*this, n, args);
  }
  return val;
}

std::vector<bool> Dfg::live() const {
  std::vector<bool> l(nodes_.size(), false);
  for (const Output& o : outputs_) l[static_cast<size_t>(o.node)] = true;
  for (size_t i = nodes_.size(); i-- > 0;)
    if (l[i])
      for (DNode a : nodes_[i].args) l[static_cast<size_t>(a)] = true;
  return l;
}

void Dfg::compute_widths() {
  std::vector<bool> l = live();
  std::vector<int> need(nodes_.size(), 0);
  for (DfgNode& n : nodes_) {
    n.natural_width = signed_width(n.lo, n.hi);
  }
  for (const Output& o : outputs_) {
    auto& nd = need[static_cast<size_t>(o.node)];
    nd = std::max(nd, node(o.node).natural_width);
  }
  auto req = [&](DNode a, int bits) {
    auto& nd = need[static_cast<size_t>(a)];
    nd = std::max(nd, bits);
  };
  for (size_t i = nodes_.size(); i-- > 0;) {
    DfgNode& n = nodes_[i];
    if (!l[i]) continue;
    n.width = n.kind == DKind::Rom || n.kind == DKind::Fold ? n.natural_width : std::max(1, std::min(n.natural_width, need[i]));
    int w = n.width;
    auto full = [&](DNode a) { req(a, node(a).natural_width); };
    switch (n.kind) {
      case DKind::Input:
      case DKind::Const: break;
      case DKind::Add:
        req(n.args[0], w - n.sa);
        req(n.args[1], w - n.sb);
        break;
      case DKind::Add3:
        req(n.args[0], w - n.sa);
        req(n.args[1], w - n.sb);
        req(n.args[2], w - n.sc);
        break;
      case DKind::Neg: req(n.args[0], w); break;
      case DKind::Shr: req(n.args[0], w + n.k); break;
      case DKind::Wrap: req(n.args[0], std::min(n.k, w)); break;
      case DKind::Cast: {
        const FixedType& t = n.to;
        bool sign_free = t.quant == Quant::TRN || t.quant == Quant::RND || t.quant == Quant::RND_MIN_INF ||
                         t.quant == Quant::RND_CONV;
        // A wrapping cast reads only the bits that reach its result's W bits; an unsigned
        // result keeps one more (the source's sign there), so that a cast that cannot
        // overflow zero-extends its W bits instead of sign-extending the top one.
        if (t.overflow == Overflow::WRAP && t.sat_bits == 0 && sign_free)
          req(n.args[0], std::max(1, n.frac - t.frac_bits() + t.width + (t.is_signed ? 0 : 1)));
        else
          full(n.args[0]);
        break;
      }
      case DKind::IsNeg:
      case DKind::Cmp:
      case DKind::Rom:
      case DKind::Fold:
        for (DNode a : n.args) full(a);
        break;
      case DKind::Mux:
        req(n.args[0], 1);
        req(n.args[1], w);
        req(n.args[2], w);
        break;
      case DKind::Mul:
        req(n.args[0], w);
        req(n.args[1], w);
        break;
    }
  }
}

}  // namespace tachyon::backends::verilog
