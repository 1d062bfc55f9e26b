// IR -> DFG: activations, table lookups (ROMs built from the emulator's table builders),
// softmax, pooling, and the `acc = acc_t(acc + x)` accumulator they share.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <limits>

#include "tachyon/backends/verilog/net.h"
#include "tachyon/emulator/tables.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/ir/diagnostic.h"
#include "tachyon/ir/window.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::verilog {

using ir::ActivationOp;
using ir::Op;

namespace {

FixedType internal_type(const ir::Graph& g, const ir::Node& n, const std::string& key) {
  auto it = n.config.types.find(key);
  if (it == n.config.types.end())
    node_fail(g, n, "internal type '{}' is not set (the precision passes should set it)", key);
  return it->second;
}

}  // namespace

FSig NetEmitter::accumulate(const std::vector<FSig>& xs, const FixedType& A, const std::string& name, LayerInfo& info) {
  const int Fa = A.frac_bits();
  BigInt kmin = code_min(A), kmax = code_max(A);
  if (A.overflow == Overflow::SAT_SYM && A.is_signed && A.width > 1) kmin += BigInt(1);
  bool fine = true;  // every term on accum's grid
  int F = std::numeric_limits<int>::min();
  BigInt pos, neg;
  for (const FSig& x : xs) {
    if (x.frac > Fa) {
      fine = false;
      continue;
    }
    F = std::max(F, x.frac);
    const DfgNode& n = d_.node(x.node);
    BigInt lo = n.lo.shl(Fa - x.frac), hi = n.hi.shl(Fa - x.frac);
    if (hi.sign() > 0) pos += hi;
    if (lo.sign() < 0) neg += lo;
  }
  std::vector<int> depth;
  bool exact = fine && pos <= kmax && neg >= kmin;
  bool shift_invariant_q = A.quant == Quant::TRN || A.quant == Quant::RND || A.quant == Quant::RND_MIN_INF;
  bool modular = A.overflow == Overflow::WRAP && A.sat_bits == 0 && (fine || shift_invariant_q);
  if (exact || modular) {
    if (!fine || xs.empty()) F = Fa;
    F = std::min(F, Fa);
    std::vector<STerm> terms;
    for (size_t i = 0; i < xs.size(); ++i) {
      const FSig& x = xs[i];
      if (x.frac <= Fa) {
        terms.push_back({x.node, F - x.frac, false});
      } else {
        // acc is on accum's grid: Q(acc + x) = acc + Q(x) for these rounding modes.
        terms.push_back({d_.cast(x.node, x.frac, A, fmt::format("{}_q{}", name, i)), 0, false});
      }
    }
    DNode s = sum_tree(d_, terms, name, depth);
    if (exact) {
      ++info.dot.exact;
      return FSig{s, F};
    }
    ++info.dot.modular;
    int dd = Fa - F;
    if (A.width - dd <= 0) return FSig{d_.constant(0), F};
    return FSig{d_.wrap(s, A.width - dd, A.is_signed, name + "_acc"), F};
  }
  ++info.dot.sequential;
  DNode acc = d_.constant(0);
  for (size_t i = 0; i < xs.size(); ++i) {
    const FSig& x = xs[i];
    int Fs = std::max(Fa, x.frac);
    DNode s = d_.add(acc, Fs - Fa, x.node, Fs - x.frac, false, fmt::format("{}_s{}", name, i));
    acc = d_.cast(s, Fs, A, fmt::format("{}_acc{}", name, i));
  }
  return FSig{acc, Fa};
}

void NetEmitter::activation(const ir::Node& n, LayerInfo& info) {
  ir::ValueId yv = n.outputs.at(0);
  const FixedType& rt = type(yv);
  const Sigs& x = in(n, 0);
  const FixedType& xt = type(n.inputs.at(0));
  std::string p = nm(n);
  Sigs out;
  switch (ir::family_op<ir::Family::Activation>(n.op)) {
    case ActivationOp::Relu:
      if (n.attrs.has("theta")) {  // ThresholdedRelu: x > theta, theta in param_t
        FixedType pt = internal_type(g_, n, "param");
        BigInt t = Fixed::from_double(n.attrs.get_float("theta", 0.0), pt).raw();
        const int fp = pt.frac_bits();
        for (size_t i = 0; i < x.size(); ++i) {
          const int F = std::max(fp, x[i].frac);
          DNode gt = d_.cmp(x[i].node, F - x[i].frac, CmpOp::Gt, d_.constant(t), F - fp, fmt::format("{}_g{}", p, i));
          DNode m = d_.mux(gt, x[i].node, d_.constant(0), fmt::format("{}_m{}", p, i));
          out.push_back(cast({m, x[i].frac}, rt, fmt::format("{}_{}", p, i)));
        }
        break;
      }
      // Into an unsigned type that saturates, the conversion alone is the ReLU: the
      // quantization is monotone and maps 0 to 0, so a negative input becomes a code <= 0,
      // which the saturation (SAT, SAT_SYM, SAT_ZERO) turns into 0. One LUT level less.
      if (!rt.is_signed && rt.sat_bits == 0 && rt.overflow != Overflow::WRAP) {
        for (size_t i = 0; i < x.size(); ++i) out.push_back(cast(x[i], rt, fmt::format("{}_{}", p, i)));
        break;
      }
      for (size_t i = 0; i < x.size(); ++i) {
        DNode neg = d_.is_neg(x[i].node, fmt::format("{}_n{}", p, i));
        DNode m = d_.mux(neg, d_.constant(0), x[i].node, fmt::format("{}_m{}", p, i));
        out.push_back(cast({m, x[i].frac}, rt, fmt::format("{}_{}", p, i)));
      }
      break;
    case ActivationOp::LeakyRelu:
    case ActivationOp::PRelu: {
      std::vector<BigInt> slopes;
      FixedType pt;
      if (n.op == Op::LeakyRelu) {
        pt = internal_type(g_, n, "param");
        slopes.push_back(Fixed::from_double(n.attrs.get_float("alpha", 0.01), pt).raw());
      } else {
        auto it = n.config.types.find("param");
        pt = it != n.config.types.end() ? it->second : type(n.inputs.at(1));
        for (double v : g_.constant(n.inputs.at(1)).data) slopes.push_back(Fixed::from_double(v, pt).raw());
      }
      const ir::Shape& ys = g_.value(yv).shape;
      int64_t last = ys.empty() ? 1 : ys.back();
      for (size_t i = 0; i < x.size(); ++i) {
        const BigInt& a = slopes.size() == 1 ? slopes[0]
                          : slopes.size() == x.size() ? slopes[i]
                                                      : slopes.at(static_cast<size_t>(static_cast<int64_t>(i) % last));
        FSig prod = const_mul(x[i], a, pt.frac_bits(), fmt::format("{}_p{}", p, i), info);
        // Both branches on the finer of the two grids (a slope type with negative fraction
        // bits puts the product on a coarser grid than x).
        const int F = std::max(prod.frac, x[i].frac);
        DNode pos = F == x[i].frac ? x[i].node : d_.shl(x[i].node, F - x[i].frac, fmt::format("{}_x{}", p, i));
        DNode scaled = F == prod.frac ? prod.node : d_.shl(prod.node, F - prod.frac, fmt::format("{}_s{}", p, i));
        DNode neg = d_.is_neg(x[i].node, fmt::format("{}_n{}", p, i));
        DNode m = d_.mux(neg, scaled, pos, fmt::format("{}_m{}", p, i));
        out.push_back(cast({m, F}, rt, fmt::format("{}_{}", p, i)));
      }
      break;
    }
    case ActivationOp::HardSigmoid: {
      FixedType pt = internal_type(g_, n, "param");
      BigInt a = Fixed::from_double(n.attrs.get_float("alpha", 0.2), pt).raw();
      BigInt b = Fixed::from_double(n.attrs.get_float("beta", 0.5), pt).raw();
      int fp = pt.frac_bits(), fx = xt.frac_bits();
      int F = std::max(fp + fx, fp);
      if (F < 0) node_fail(g_, n, "parameter type {} with negative fraction bits is not supported", pt.str());
      for (size_t i = 0; i < x.size(); ++i) {
        FSig prod = const_mul(x[i], a, fp, fmt::format("{}_p{}", p, i), info);
        DNode v = d_.add(prod.node, F - prod.frac, d_.constant(b), F - fp, false, fmt::format("{}_v{}", p, i));
        DNode c = d_.clamp(v, BigInt(0), BigInt::pow2(F), fmt::format("{}_c{}", p, i));
        out.push_back(cast({c, F}, rt, fmt::format("{}_{}", p, i)));
      }
      break;
    }
    case ActivationOp::Clip: {
      double lo = n.attrs.get_float("min", -std::numeric_limits<double>::infinity());
      double hi = n.attrs.get_float("max", std::numeric_limits<double>::infinity());
      if (n.inputs.size() > 1 && n.inputs[1] != ir::kNone) lo = g_.constant(n.inputs[1]).data.at(0);
      if (n.inputs.size() > 2 && n.inputs[2] != ir::kNone) hi = g_.constant(n.inputs[2]).data.at(0);
      FixedType bt{xt.width, xt.int_bits, xt.is_signed, Quant::RND, Overflow::SAT, 0};
      BigInt l = Fixed::from_double(lo, bt).raw(), h = Fixed::from_double(hi, bt).raw();
      const int fx = xt.frac_bits();  // the bounds' grid; elements may sit on coarser ones
      for (size_t i = 0; i < x.size(); ++i) {
        DNode xi = d_.shl(x[i].node, fx - x[i].frac, fmt::format("{}_g{}", p, i));
        DNode c = d_.clamp(xi, l, h, fmt::format("{}_c{}", p, i));
        out.push_back(cast({c, fx}, rt, fmt::format("{}_{}", p, i)));
      }
      break;
    }
    case ActivationOp::Elu:
    case ActivationOp::Sigmoid:
    case ActivationOp::Tanh:
    case ActivationOp::UnaryTable: table_activation(n, info); return;
  }
  vals_[yv] = std::move(out);
}

void NetEmitter::table_activation(const ir::Node& n, LayerInfo& info) {
  ir::ValueId yv = n.outputs.at(0);
  const FixedType& rt = type(yv);
  const Sigs& x = in(n, 0);
  std::string p = nm(n);
  FixedType tt = internal_type(g_, n, "table");
  int N = n.config.table_size;
  if (N < 1 || N > (1 << 24)) node_fail(g_, n, "table_size {} is out of range", N);
  // ROM words: the layer's result codes for every table index.
  std::vector<BigInt> words;
  if (n.op == Op::Sigmoid || n.op == Op::Tanh) {
    std::vector<Fixed> t = n.op == Op::Sigmoid ? emulator::sigmoid_table_fixed(N, tt) : emulator::tanh_table_fixed(N, tt);
    for (const Fixed& v : t) words.push_back(v.cast(rt).raw());
  } else if (n.op == Op::UnaryTable) {
    const std::string f = n.attrs.get_string("function", "");
    auto tf = emulator::table_function(f);
    if (!tf)
      fail("node '{}' (UnaryTable): unknown table function '{}' (expected one of {})", n.name, f,
           emulator::table_function_names());
    for (const Fixed& v : emulator::unary_table_fixed(*tf, N, tt)) words.push_back(v.cast(rt).raw());
  } else {
    FixedType pt = internal_type(g_, n, "param");
    Fixed a = Fixed::from_double(n.attrs.get_float("alpha", 1.0), pt);
    for (const Fixed& v : emulator::elu_table_fixed(N, tt)) words.push_back((a * v).cast(rt).raw());
  }
  // index = clamp(trunc(x * N / 2^e) (+ N/2), 0, N-1), e = frac + 4 (sigmoid) or + 3.
  Sigs out;
  for (size_t i = 0; i < x.size(); ++i) {
    std::string q = fmt::format("{}_{}", p, i);
    int e = x[i].frac + (n.op == Op::Sigmoid || n.op == Op::UnaryTable ? 4 : 3);
    FSig num = const_mul(FSig{x[i].node, 0}, BigInt(N), 0, q + "_xn", info);
    DNode t;
    if (e <= 0) {
      t = d_.shl(num.node, -e, q + "_t");
    } else {
      DNode neg = d_.is_neg(num.node, q + "_sgn");
      DNode adj = d_.add(num.node, 0, d_.mux(neg, d_.constant(BigInt::pow2(e) - BigInt(1)), d_.constant(0), q + "_rz"), 0,
                         false, q + "_adj");
      t = d_.shr(adj, e, q + "_t");
    }
    DNode idx = n.op == Op::Elu ? d_.neg(t, q + "_ni") : d_.add(t, 0, d_.constant(N / 2), 0, false, q + "_i");
    idx = d_.clamp(idx, BigInt(0), BigInt(N - 1), q + "_idx");
    const DfgNode& in = d_.node(idx);
    int64_t lo = in.lo.low_i64(), hi = in.hi.low_i64();
    std::vector<BigInt> part(words.begin() + lo, words.begin() + hi + 1);
    DNode val = d_.rom(idx, in.lo, std::move(part), fmt::format("{}_{}", p, ir::op_name(n.op)), q + "_rom");
    ++info.roms;
    if (n.op == Op::Elu) {
      DNode gt = d_.cmp(x[i].node, 0, CmpOp::Gt, d_.constant(0), 0, q + "_pos");
      FSig pos = cast(x[i], rt, q + "_x");
      val = d_.mux(gt, pos.node, val, q + "_m");
    }
    out.push_back({val, rt.frac_bits()});
  }
  vals_[yv] = std::move(out);
}

void NetEmitter::softmax(const ir::Node& n, LayerInfo& info) {
  ir::ValueId yv = n.outputs.at(0);
  const FixedType& rt = type(yv);
  const Sigs& x = in(n, 0);
  const ir::Shape& xs = g_.value(n.inputs.at(0)).shape;
  if (xs.empty()) node_fail(g_, n, "input has no axis");
  int64_t cols = xs.back(), rows = static_cast<int64_t>(x.size()) / cols;
  std::string p = nm(n);
  const std::string& impl = n.config.softmax_impl;
  Sigs out;
  if (impl == "argmax") {
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<FSig> row(x.begin() + r * cols, x.begin() + (r + 1) * cols);
      std::string q = fmt::format("{}_r{}", p, r);
      FSig m = max_tree(row, q + "_max");
      DNode found = d_.constant(0);
      for (int64_t i = 0; i < cols; ++i) {
        const FSig& xi = row[static_cast<size_t>(i)];
        int f = std::max(xi.frac, m.frac);
        DNode eq = d_.cmp(xi.node, f - xi.frac, CmpOp::Eq, m.node, f - m.frac, fmt::format("{}_eq{}", q, i));
        DNode hot = d_.mux(found, d_.constant(0), eq, fmt::format("{}_h{}", q, i));
        found = d_.mux(eq, d_.constant(1), found, fmt::format("{}_f{}", q, i));
        out.push_back(cast({hot, 0}, rt, fmt::format("{}_{}", p, r * cols + i)));
      }
    }
    vals_[yv] = std::move(out);
    return;
  }
  if (impl != "stable" && impl != "latency")
    node_fail(g_, n, "unknown implementation '{}' (expected stable, latency or argmax)", impl);
  bool stable = impl == "stable";
  int N = n.config.table_size, NI = n.config.inv_table_size;
  int B = emulator::table_bits(N), BI = emulator::table_bits(NI);
  if (B < 0 || BI < 0) node_fail(g_, n, "table sizes {} and {} must be powers of two", N, NI);
  FixedType norm_t = internal_type(g_, n, "inp_norm"), exp_t = internal_type(g_, n, "exp_table");
  FixedType inv_t = internal_type(g_, n, "inv_table"), acc_t = internal_type(g_, n, "accum");
  FixedType inv_inp_t = internal_type(g_, n, "inv_inp");
  std::vector<BigInt> exp_words, inv_words;
  for (const Fixed& v : emulator::softmax_exp_table_fixed(N, norm_t, exp_t, stable)) exp_words.push_back(v.raw());
  for (const Fixed& v : emulator::softmax_inv_table_fixed(NI, inv_inp_t, inv_t)) inv_words.push_back(v.raw());
  // Top B bits of a code's W-bit pattern.
  auto top_bits = [&](FSig v, const FixedType& t, int bits, const std::string& name) {
    DNode u = d_.wrap(v.node, t.width, false, name + "_u");
    return t.width >= bits ? d_.shr(u, t.width - bits, name + "_ix") : d_.shl(u, bits - t.width, name + "_ix");
  };
  // hls4ml's adder tree (emulator::tree_reduce), every partial sum in accum_t; with AP_WRAP
  // the order does not matter and the shared accumulator is used.
  const int Fa = acc_t.frac_bits();
  std::function<FSig(const std::vector<FSig>&, size_t, size_t, const std::string&)> tree =
      [&](const std::vector<FSig>& es, size_t lo, size_t cnt, const std::string& name) -> FSig {
    if (cnt == 1) return es[lo];
    size_t left = 1;
    while (left * 2 <= cnt - 1) left *= 2;
    FSig a = tree(es, lo, left, name + "l"), b = tree(es, lo + left, cnt - left, name + "r");
    DNode s = d_.add(a.node, 0, b.node, 0, false, name + "_s");
    return FSig{d_.cast(s, Fa, acc_t, name + "_a"), Fa};
  };
  auto lookup = [&](DNode idx, const std::vector<BigInt>& words, const std::string& rom_name, const std::string& name) {
    const DfgNode& in = d_.node(idx);
    int64_t lo = in.lo.low_i64(), hi = in.hi.low_i64();
    ++info.roms;
    return d_.rom(idx, in.lo, std::vector<BigInt>(words.begin() + lo, words.begin() + hi + 1), rom_name, name);
  };
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<FSig> row(x.begin() + r * cols, x.begin() + (r + 1) * cols);
    std::string q = fmt::format("{}_r{}", p, r);
    FSig m;
    if (stable) m = max_tree(row, q + "_max");
    std::vector<FSig> es;
    for (int64_t i = 0; i < cols; ++i) {
      const FSig& xi = row[static_cast<size_t>(i)];
      std::string qi = fmt::format("{}_{}", q, i);
      FSig d;
      if (stable) {
        int f = std::max(xi.frac, m.frac);
        DNode diff = d_.add(m.node, f - m.frac, xi.node, f - xi.frac, true, qi + "_d");
        d = cast({diff, f}, norm_t, qi + "_dn");
      } else {
        d = cast(xi, norm_t, qi + "_dn");
      }
      DNode e = lookup(top_bits(d, norm_t, B, qi), exp_words, p + "_exp", qi + "_e");
      es.push_back(cast({e, exp_t.frac_bits()}, acc_t, qi + "_ea"));
    }
    FSig sum;
    if (acc_t.overflow == Overflow::WRAP && acc_t.sat_bits == 0) {
      sum = accumulate(es, acc_t, q + "_sum", info);
    } else {
      sum = tree(es, 0, es.size(), q + "_t");
    }
    FSig sum_in = cast(sum, inv_inp_t, q + "_si");
    DNode inv = lookup(top_bits(sum_in, inv_inp_t, BI, q + "_sum"), inv_words, p + "_inv", q + "_inv");
    for (int64_t i = 0; i < cols; ++i) {
      const FSig& e = es[static_cast<size_t>(i)];
      DNode prod = d_.mul(e.node, inv, fmt::format("{}_{}_p", q, i));
      ++info.multipliers;
      out.push_back(cast({prod, e.frac + inv_t.frac_bits()}, rt, fmt::format("{}_{}", p, r * cols + i)));
    }
  }
  vals_[yv] = std::move(out);
}

FSig NetEmitter::div_trunc(FSig x, int64_t n, const std::string& name, LayerInfo& info) {
  if (n == 1) return x;
  const DfgNode& xn = d_.node(x.node);
  BigInt mag = std::max(xn.lo.abs(), xn.hi.abs());
  int bits = 0;  // |x| < 2^bits
  while (BigInt::pow2(bits) <= mag) ++bits;
  int log2n = 0;  // 2^log2n >= n
  while ((int64_t{1} << log2n) < n) ++log2n;
  DNode neg = d_.is_neg(x.node, name + "_s");
  if ((int64_t{1} << log2n) == n) {
    // Toward zero: a negative code gets n - 1 added before the floor shift.
    DNode up = d_.add(x.node, d_.constant(n - 1), name + "_u");
    return FSig{d_.shr(d_.mux(neg, up, x.node, name + "_b"), log2n, name), x.frac};
  }
  // floor(a / n) = floor(a * m / 2^p) for 0 <= a < 2^bits, with p = bits + ceil(log2 n) and
  // m = ceil(2^p / n); the sign is taken off before and put back after (truncation toward zero).
  const int p = bits + log2n;
  const BigInt pow = BigInt::pow2(p);
  BigInt m = pow.div_trunc(static_cast<uint64_t>(n));
  if (!(m * BigInt(n) == pow)) m += BigInt(1);
  DNode a = d_.mux(neg, d_.neg(x.node, name + "_n"), x.node, name + "_a");
  FSig prod = const_mul(FSig{a, 0}, m, 0, name + "_m", info);
  DNode qa = d_.shr(prod.node, p, name + "_q");
  return FSig{d_.mux(neg, d_.neg(qa, name + "_qn"), qa, name), x.frac};
}

void NetEmitter::pool(const ir::Node& n, LayerInfo& info) {
  ir::ValueId yv = n.outputs.at(0);
  const FixedType& rt = type(yv);
  const Sigs& x = in(n, 0);
  std::string p = nm(n);
  const ir::Window geo = ir::node_window(g_, n);
  const int64_t H = geo.H, W = geo.W, C = geo.C, KH = geo.KH, KW = geo.KW, SH = geo.SH, SW = geo.SW;
  const int64_t PT = geo.PT, PL = geo.PL, OH = geo.OH, OW = geo.OW;
  bool is_max = n.op == Op::MaxPool || n.op == Op::GlobalMaxPool;
  bool include_pad = n.attrs.get_int("count_include_pad", 0) != 0;
  FixedType acc_t;
  if (!is_max) acc_t = internal_type(g_, n, "accum");
  Sigs out;
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow)
      for (int64_t ch = 0; ch < C; ++ch) {
        std::string q = fmt::format("{}_{}", p, (oh * OW + ow) * C + ch);
        std::vector<FSig> cells;
        int64_t count = 0;
        for (int64_t kh = 0; kh < KH; ++kh)
          for (int64_t kw = 0; kw < KW; ++kw) {
            int64_t h = oh * SH - PT + kh, w = ow * SW - PL + kw;
            bool inside = h >= 0 && h < H && w >= 0 && w < W;
            if (inside) cells.push_back(x[static_cast<size_t>((h * W + w) * C + ch)]);
            if (inside || include_pad) ++count;
          }
        if (is_max) {
          if (cells.empty()) node_fail(g_, n, "a window holds only padding");
          out.push_back(cast(max_tree(cells, q + "_max"), rt, q));
          continue;
        }
        // Padding cells add 0: acc_t(acc + 0) == acc, so they only count in n.
        FSig sum = accumulate(cells, acc_t, q + "_sum", info);
        // The division truncates on accum's grid: the sum may come on a coarser one.
        const int fa = acc_t.frac_bits();
        if (sum.frac < fa) sum = FSig{d_.shl(sum.node, fa - sum.frac, q + "_g"), fa};
        if (sum.frac > fa) sum = FSig{d_.shr(sum.node, sum.frac - fa, q + "_g"), fa};  // exact: an accum value
        out.push_back(cast(div_trunc(sum, std::max<int64_t>(count, 1), q + "_avg", info), rt, q));
      }
  vals_[yv] = std::move(out);
}

}  // namespace tachyon::backends::verilog
