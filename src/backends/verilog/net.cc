// IR -> DFG: graph inputs/outputs, Dense, Conv, BatchNorm, element-wise arithmetic, layout.
#include "tachyon/backends/verilog/net.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "tachyon/backends/verilog/mcm.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/ir/diagnostic.h"
#include "tachyon/ir/element_quant.h"
#include "tachyon/ir/window.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::verilog {

using ir::ElementwiseOp;
using ir::LayoutOp;
using ir::Op;

namespace {

// Frontend-level ops are lowered by the passes; every other family has a netlist.
bool supported(Op op) {
  switch (ir::op_family(op)) {
    case ir::Family::Dense:
    case ir::Family::Conv:
    case ir::Family::Pool:
    case ir::Family::Tree:
    case ir::Family::Activation:
    case ir::Family::Softmax:
    case ir::Family::Elementwise:
    case ir::Family::ElementQuant:
    case ir::Family::Layout: return true;
    case ir::Family::Frontend: return false;
  }
  return false;
}

}  // namespace

std::string NetEmitter::nm(const ir::Node& n) const {
  std::string s = ir::sanitize_identifier(n.name);
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])))) s = "L" + s;
  return s;
}

const FixedType& NetEmitter::type(ir::ValueId v) const { return g_.type_of(v); }

std::vector<BigInt> NetEmitter::codes(ir::ValueId v) const {
  const FixedType& t = type(v);
  std::vector<BigInt> out;
  for (double d : g_.constant(v).data) out.push_back(Fixed::from_double(d, t).raw());
  return out;
}

const NetEmitter::Sigs& NetEmitter::in(const ir::Node& n, size_t i) {
  if (i >= n.inputs.size() || n.inputs[i] == ir::kNone) node_fail(g_, n, "missing input {}", i);
  auto it = vals_.find(n.inputs[i]);
  if (it == vals_.end()) {
    if (g_.value(n.inputs[i]).is_constant())
      node_fail(g_, n, "input {} is a constant; the Verilog backend expects data here", i);
    node_fail(g_, n, "input {} ('{}') is not computed before it", i, g_.value(n.inputs[i]).name);
  }
  return it->second;
}

NetEmitter::Sigs NetEmitter::operand(const ir::Node& n, size_t i, const ir::Shape& out_shape) {
  ir::ValueId v = n.inputs.at(i);
  Sigs src;
  if (g_.value(v).is_constant()) {
    int f = type(v).frac_bits();
    for (const BigInt& c : codes(v)) src.push_back({d_.constant(c), f});
  } else {
    src = in(n, i);
  }
  int64_t total = ir::num_elements(out_shape);
  auto sz = static_cast<int64_t>(src.size());
  Sigs out;
  if (sz == total) return src;
  int64_t last = out_shape.empty() ? 1 : out_shape.back();
  if (sz == 1) {
    out.assign(static_cast<size_t>(total), src[0]);
  } else if (sz == last) {
    for (int64_t k = 0; k < total; ++k) out.push_back(src[static_cast<size_t>(k % last)]);
  } else {
    node_fail(g_, n, "operand {} with {} elements cannot be broadcast to shape {}", i, sz,
         ir::shape_str(out_shape));
  }
  return out;
}

FSig NetEmitter::cast(FSig x, const FixedType& t, const std::string& name) {
  return FSig{d_.cast(x.node, x.frac, t, name), t.frac_bits()};
}

FSig NetEmitter::const_mul(FSig x, const BigInt& c, int cfrac, const std::string& name, LayerInfo& info) {
  int f = x.frac + cfrac;
  if (c.is_zero()) return FSig{d_.constant(0), f};
  if (o_.dsp && csd_nonzeros(c) > 2) {
    ++info.dot.dsp_products;
    return FSig{d_.mul(x.node, d_.constant(c), name), f};
  }
  std::vector<STerm> terms;
  for (const CsdDigit& dg : csd(c)) terms.push_back({x.node, dg.shift, dg.sign < 0});
  info.dot.csd_adders += static_cast<int>(terms.size()) - 1;
  std::vector<int> depth;
  return FSig{sum_tree(d_, terms, name, depth), f};
}

FSig NetEmitter::max_tree(const std::vector<FSig>& xs, const std::string& name) {
  // Balanced tournament; on ties the earlier element wins (values are equal anyway).
  std::vector<FSig> level = xs;
  int k = 0;
  while (level.size() > 1) {
    std::vector<FSig> next;
    for (size_t i = 0; i + 1 < level.size(); i += 2) {
      FSig a = level[i], b = level[i + 1];
      int f = std::max(a.frac, b.frac);
      DNode gt = d_.cmp(b.node, f - b.frac, CmpOp::Gt, a.node, f - a.frac, fmt::format("{}_c{}", name, k));
      DNode an = d_.shl(a.node, f - a.frac, fmt::format("{}_l{}", name, k));
      DNode bn = d_.shl(b.node, f - b.frac, fmt::format("{}_r{}", name, k));
      next.push_back({d_.mux(gt, bn, an, fmt::format("{}_m{}", name, k)), f});
      ++k;
    }
    if (level.size() % 2) next.push_back(level.back());
    level = std::move(next);
  }
  return level.at(0);
}

void NetEmitter::build() {
  Diagnostics diags(g_.source_file);
  for (ir::NodeId id : g_.node_ids()) {
    const ir::Node& n = g_.node(id);
    if (!supported(n.op))
      diags.error(n.source_name.empty() ? n.name : n.source_name, std::string(ir::op_name(n.op)),
                  "the Verilog backend does not support this op");
  }
  if (g_.inputs.empty()) diags.error("", "", "the graph has no inputs");
  diags.throw_if_any();
  // Inputs.
  int offset = 0;
  for (const ir::IoPort& p : g_.inputs) {
    PortLayout pl;
    pl.name = p.name;
    pl.shape = g_.value(p.value).shape;
    pl.user_shape = p.user_shape;
    pl.perm = p.perm;
    pl.type = type(p.value);
    pl.elements = ir::num_elements(pl.shape);
    pl.bit_offset = offset;
    Sigs s;
    std::string base = ir::sanitize_identifier(p.name);
    std::vector<ir::NodeId> readers = g_.users(p.value);
    const bool is_output = std::any_of(g_.outputs.begin(), g_.outputs.end(), [&](const ir::IoPort& o) { return o.value == p.value; });
    if (!is_output && readers.size() == 1 && g_.node(readers[0]).op == ir::Op::ElementQuant &&
        g_.node(readers[0]).inputs.at(0) == p.value) {
      // Each element arrives already in its quantizer's type: the quantizer's rounding is
      // done where the codes are made (the simulation's float -> code step, or upstream),
      // so the ElementQuant node below is wires and pruned elements take no bus bits.
      pl.element_types = ir::element_quant_types(g_, g_.node(readers[0]));
      if (static_cast<int64_t>(pl.element_types.size()) != pl.elements)
        node_fail(g_, g_.node(readers[0]), "{} element types for an input of {} elements", pl.element_types.size(), pl.elements);
      for (int64_t e = 0; e < pl.elements; ++e) {
        const std::optional<FixedType>& t = pl.element_types[static_cast<size_t>(e)];
        pl.element_offsets.push_back(offset);
        if (!t) {
          s.push_back({d_.constant(0), pl.type.frac_bits()});
          continue;
        }
        s.push_back({d_.input(fmt::format("{}_{}", base, e), offset, *t), t->frac_bits()});
        offset += t->width;
      }
    } else {
      for (int64_t e = 0; e < pl.elements; ++e)
        s.push_back({d_.input(fmt::format("{}_{}", base, e), offset + static_cast<int>(e) * pl.type.width, pl.type),
                     pl.type.frac_bits()});
      offset += static_cast<int>(pl.elements) * pl.type.width;
    }
    vals_[p.value] = std::move(s);
    inputs_.push_back(pl);
  }
  d_.set_input_width(offset);
  for (ir::NodeId id : g_.node_ids()) emit(g_.node(id));
  // Outputs.
  int out_offset = 0;
  for (const ir::IoPort& p : g_.outputs) {
    PortLayout pl;
    pl.name = p.name;
    pl.shape = g_.value(p.value).shape;
    pl.user_shape = p.user_shape;
    pl.perm = p.perm;
    pl.type = type(p.value);
    pl.elements = ir::num_elements(pl.shape);
    pl.bit_offset = out_offset;
    out_offset += static_cast<int>(pl.elements) * pl.type.width;
    auto it = vals_.find(p.value);
    if (it == vals_.end()) fail("graph output '{}' is not computed by any node", p.name);
    d_.begin_group(fmt::format("graph output '{}'", p.name));
    for (size_t e = 0; e < it->second.size(); ++e) {
      FSig s = it->second[e];
      if (s.frac != pl.type.frac_bits()) s = cast(s, pl.type, fmt::format("{}_out{}", ir::sanitize_identifier(p.name), e));
      d_.add_output(s.node, pl.type);
    }
    outputs_.push_back(pl);
  }
}

void NetEmitter::emit(const ir::Node& n) {
  LayerInfo info;
  info.name = n.name;
  info.op = std::string(ir::op_name(n.op));
  std::string out_shape = n.outputs.empty() ? "" : ir::shape_str(g_.value(n.outputs[0]).shape);
  std::string out_type = n.outputs.empty() || !g_.value(n.outputs[0]).type ? "" : g_.value(n.outputs[0]).type->str();
  info.group = d_.begin_group(fmt::format("layer {} ({}) -> {} {}", n.name, info.op, out_shape, out_type));
  switch (ir::op_family(n.op)) {
    case ir::Family::Dense: dense(n, info); break;
    case ir::Family::Conv: conv(n, info); break;
    case ir::Family::Elementwise: elementwise(n, info); break;
    case ir::Family::Layout: layout(n, info); break;
    case ir::Family::Activation: activation(n, info); break;
    case ir::Family::Softmax: softmax(n, info); break;
    case ir::Family::Pool: pool(n, info); break;
    case ir::Family::Tree: tree(n, info); break;
    case ir::Family::ElementQuant: element_quant(n, info); break;
    case ir::Family::Frontend: node_fail(g_, n, "not supported by the Verilog backend");
  }
  layers_.push_back(std::move(info));
}

DotLayer NetEmitter::dot_layer(const ir::Node& n, const char* /*op: node_fail names it*/, int64_t n_out, std::vector<BigInt>& wc,
                               std::vector<BigInt>& bias) {
  auto acc_it = n.config.types.find("accum");
  if (acc_it == n.config.types.end()) node_fail(g_, n, "internal type 'accum' is not set");
  DotLayer L;
  L.name = nm(n);
  L.accum = acc_it->second;
  L.result = type(n.outputs.at(0));
  L.wfrac = type(n.inputs[1]).frac_bits();
  L.dsp = o_.dsp;
  L.share = o_.share;
  L.cmvm = o_.cmvm;
  L.depth_slack = o_.depth_slack;
  L.depth_arity = o_.depth_arity;
  wc = codes(n.inputs[1]);
  bias.assign(static_cast<size_t>(n_out), BigInt());
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNone) {
    const FixedType& bt = type(n.inputs[2]);
    const ir::Tensor& b = g_.constant(n.inputs[2]);
    if (b.size() != n_out) node_fail(g_, n, "bias has {} values, expected {}", b.size(), n_out);
    for (int64_t j = 0; j < n_out; ++j)
      bias[static_cast<size_t>(j)] = Fixed::from_double(b.data[static_cast<size_t>(j)], bt).cast(L.accum).raw();
  }
  return L;
}

void NetEmitter::dense(const ir::Node& n, LayerInfo& info) {
  const Sigs& x = in(n, 0);
  if (n.inputs.size() < 2 || !g_.value(n.inputs[1]).is_constant()) node_fail(g_, n, "the weight must be a constant");
  const ir::Tensor& w = g_.constant(n.inputs[1]);
  if (w.shape.size() != 2) node_fail(g_, n, "weight shape {} is not (in, out)", ir::shape_str(w.shape));
  int64_t n_in = w.shape[0], n_out = w.shape[1];
  if (n_in < 1 || static_cast<int64_t>(x.size()) % n_in != 0)
    node_fail(g_, n, "input of {} elements does not match {} inputs", x.size(), n_in);
  std::vector<BigInt> wc, bias;
  DotLayer L = dot_layer(n, "Dense", n_out, wc, bias);
  int64_t rows = static_cast<int64_t>(x.size()) / n_in;
  if (n.config.reuse_factor > 1) {
    dense_folded(n, info, L, wc, bias, n_in, n_out, x);
    return;
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n_out; ++j) {
      DotProduct dp;
      dp.bias = bias[static_cast<size_t>(j)];
      for (int64_t i = 0; i < n_in; ++i) {
        const BigInt& c = wc[static_cast<size_t>(i * n_out + j)];
        if (!c.is_zero()) dp.terms.push_back({x[static_cast<size_t>(r * n_in + i)], c});
      }
      L.outputs.push_back(std::move(dp));
    }
  std::vector<DNode> ys = emit_dot_layer(d_, L, &info.dot);
  Sigs out;
  for (DNode y : ys) out.push_back({y, L.result.frac_bits()});
  vals_[n.outputs.at(0)] = std::move(out);
}

// ReuseFactor R > 1: one fold (dfg.h) per row. R = r_in * r_out with r_in the largest
// divisor of n_in dividing R (fewest products per output and phase). Every order of the sums
// gives the emulator's bits when the accumulator wraps (sums modulo 2^W) or provably never
// overflows; products are brought onto its grid by truncation or AP_RND rounding.
void NetEmitter::dense_folded(const ir::Node& n, LayerInfo& info, const DotLayer& L, const std::vector<BigInt>& wc,
                              const std::vector<BigInt>& bias, int64_t n_in, int64_t n_out, const Sigs& x) {
  const int R = n.config.reuse_factor;
  const FixedType& A = L.accum;
  if (static_cast<int64_t>(R) > n_in * n_out || (n_in * n_out) % R != 0)
    node_fail(g_, n, "ReuseFactor {} does not divide the {} x {} weights", R, n_in, n_out);
  Fold f;
  f.name = n.name;
  f.n_in = static_cast<int>(n_in);
  f.n_out = static_cast<int>(n_out);
  f.r_in = static_cast<int>(std::gcd(static_cast<int64_t>(R), n_in));
  f.r_out = R / f.r_in;
  f.w = wc;
  f.acc_width = A.width;
  f.acc_signed = A.is_signed;
  const bool modular = A.overflow == Overflow::WRAP && A.sat_bits == 0;
  const int64_t rows = static_cast<int64_t>(x.size()) / n_in;
  for (int64_t r = 0; r < rows; ++r) {
    Fold fr = f;
    std::vector<DNode> xs;
    int F = -(1 << 30);
    for (int64_t i = 0; i < n_in; ++i) F = std::max(F, x[static_cast<size_t>(r * n_in + i)].frac);
    for (int64_t i = 0; i < n_in; ++i) {
      xs.push_back(x[static_cast<size_t>(r * n_in + i)].node);
      fr.in_shift.push_back(F - x[static_cast<size_t>(r * n_in + i)].frac);
    }
    fr.prod_shift = F + L.wfrac - A.frac_bits();
    fr.round_half = A.quant == Quant::RND;
    if (fr.prod_shift > 0 && A.quant != Quant::TRN && A.quant != Quant::RND)
      node_fail(g_, n,
                "ReuseFactor {} in the Verilog backend: the products (fraction bits {}) are quantized onto the accumulator "
                "{} with its rounding mode, which folded layers do not implement (AP_TRN or AP_RND only); use a finer "
                "accumulator, AP_TRN / AP_RND, or ReuseFactor 1",
                R, F + L.wfrac, A.str());
    fr.bias = bias;
    if (!modular) {
      // Any order must give the bits: no partial sum may leave the accumulator's range.
      BigInt kmin = code_min(A), kmax = code_max(A);
      if (A.overflow == Overflow::SAT_SYM && A.is_signed && A.width > 1) kmin += BigInt(1);
      for (int64_t j = 0; j < n_out; ++j) {
        BigInt pos = bias[static_cast<size_t>(j)].is_negative() ? BigInt(0) : bias[static_cast<size_t>(j)];
        BigInt neg = bias[static_cast<size_t>(j)].is_negative() ? bias[static_cast<size_t>(j)] : BigInt(0);
        for (int64_t i = 0; i < n_in; ++i) {
          const DfgNode& xn = d_.node(xs[static_cast<size_t>(i)]);
          auto [lo, hi] = fr.term_interval(static_cast<int>(i), static_cast<int>(j), xn.lo, xn.hi);
          if (!hi.is_negative()) pos += hi;
          if (lo.is_negative()) neg += lo;
        }
        if (pos > kmax || neg < kmin)
          node_fail(g_, n,
                    "ReuseFactor {} in the Verilog backend needs a wrapping accumulator (AP_WRAP) or one that can never "
                    "overflow, because a folded layer adds its products in another order than the emulator; accumulator "
                    "{} may overflow at output {}; use AP_WRAP, a wider accumulator, or ReuseFactor 1",
                    R, A.str(), j);
      }
    }
    std::vector<DNode> outs = d_.fold(std::move(fr), xs, rows > 1 ? fmt::format("{}_r{}_fold", L.name, r) : L.name + "_fold");
    for (size_t j = 0; j < outs.size(); ++j) {
      FSig y = cast(FSig{outs[j], A.frac_bits()}, L.result, fmt::format("{}_y{}", L.name, r * n_out + static_cast<int64_t>(j)));
      vals_[n.outputs.at(0)].push_back(y);
    }
  }
  // Multipliers actually built, per row.
  int used = 0;
  for (const auto& slots : f.used_slots()) used += static_cast<int>(std::count(slots.begin(), slots.end(), true));
  info.multipliers = used * static_cast<int>(rows);
  info.reuse_factor = R;
}

void NetEmitter::conv(const ir::Node& n, LayerInfo& info) {
  const Sigs& x = in(n, 0);
  if (n.inputs.size() < 2 || !g_.value(n.inputs[1]).is_constant()) node_fail(g_, n, "the weight must be a constant");
  const ir::Window geo = ir::node_window(g_, n);
  const int64_t H = geo.H, W = geo.W, C = geo.C, KH = geo.KH, KW = geo.KW, CPG = geo.CPG, F = geo.F, G = geo.G;
  const int64_t SH = geo.SH, SW = geo.SW, DH = geo.DH, DW = geo.DW, PT = geo.PT, PL = geo.PL, OH = geo.OH, OW = geo.OW;
  std::vector<BigInt> wc, bias;
  DotLayer L = dot_layer(n, "Conv", F, wc, bias);
  if (n.config.reuse_factor > 1) {
    // Folded: every output position is a row of KH x KW x C window values (zero padding as
    // constant zeros) through the same KH*KW*C x F weights.
    if (G != 1)
      node_fail(g_, n,
                "ReuseFactor {} on a grouped convolution ({} groups) is not supported by the Verilog backend; set "
                "ReuseFactor: 1 for this layer or use the HLS backend",
                n.config.reuse_factor, G);
    Sigs rows;
    const FSig zero{d_.constant(0), type(n.inputs[0]).frac_bits()};
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        for (int64_t kh = 0; kh < KH; ++kh)
          for (int64_t kw = 0; kw < KW; ++kw) {
            int64_t h = oh * SH - PT + kh * DH, wv = ow * SW - PL + kw * DW;
            const bool pad = h < 0 || h >= H || wv < 0 || wv >= W;
            for (int64_t c = 0; c < C; ++c) rows.push_back(pad ? zero : x[static_cast<size_t>((h * W + wv) * C + c)]);
          }
    dense_folded(n, info, L, wc, bias, KH * KW * C, F, rows);
    return;
  }
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow)
      for (int64_t f = 0; f < F; ++f) {
        DotProduct dp;
        dp.bias = bias[static_cast<size_t>(f)];
        int64_t grp = f / (F / G);
        for (int64_t kh = 0; kh < KH; ++kh)
          for (int64_t kw = 0; kw < KW; ++kw) {
            int64_t h = oh * SH - PT + kh * DH, wv = ow * SW - PL + kw * DW;
            if (h < 0 || h >= H || wv < 0 || wv >= W) continue;  // zero padding: 0 * w adds nothing
            for (int64_t c = 0; c < CPG; ++c) {
              const BigInt& cw = wc[static_cast<size_t>(((kh * KW + kw) * CPG + c) * F + f)];
              if (cw.is_zero()) continue;
              dp.terms.push_back({x[static_cast<size_t>((h * W + wv) * C + grp * CPG + c)], cw});
            }
          }
        L.outputs.push_back(std::move(dp));
      }
  std::vector<DNode> ys = emit_dot_layer(d_, L, &info.dot);
  Sigs out;
  for (DNode y : ys) out.push_back({y, L.result.frac_bits()});
  vals_[n.outputs.at(0)] = std::move(out);
}

void NetEmitter::elementwise(const ir::Node& n, LayerInfo& info) {
  ir::ValueId yv = n.outputs.at(0);
  const FixedType& rt = type(yv);
  const ir::Shape& ys = g_.value(yv).shape;
  std::string p = nm(n);
  Sigs out;
  const ElementwiseOp op = ir::family_op<ir::Family::Elementwise>(n.op);
  switch (op) {
    case ElementwiseOp::Cast: {
      Sigs a = operand(n, 0, ys);
      for (size_t i = 0; i < a.size(); ++i) out.push_back(cast(a[i], rt, fmt::format("{}_{}", p, i)));
      break;
    }
    case ElementwiseOp::Add:
    case ElementwiseOp::Sub: {
      Sigs a = operand(n, 0, ys), b = operand(n, 1, ys);
      for (size_t i = 0; i < a.size(); ++i) {
        int F = std::max(a[i].frac, b[i].frac);
        DNode s = d_.add(a[i].node, F - a[i].frac, b[i].node, F - b[i].frac, op == ElementwiseOp::Sub, fmt::format("{}_s{}", p, i));
        out.push_back(cast({s, F}, rt, fmt::format("{}_{}", p, i)));
      }
      break;
    }
    case ElementwiseOp::Mul:
    case ElementwiseOp::Scale: {
      bool c0 = g_.value(n.inputs.at(0)).is_constant(), c1 = g_.value(n.inputs.at(1)).is_constant();
      Sigs a = operand(n, 0, ys), b = operand(n, 1, ys);
      for (size_t i = 0; i < a.size(); ++i) {
        FSig prod;
        std::string pn = fmt::format("{}_p{}", p, i);
        if (c1 || c0) {
          FSig x = c1 ? a[i] : b[i], c = c1 ? b[i] : a[i];
          prod = const_mul(x, d_.node(c.node).value, c.frac, pn, info);
        } else {
          prod = FSig{d_.mul(a[i].node, b[i].node, pn), a[i].frac + b[i].frac};
          ++info.multipliers;
        }
        out.push_back(cast(prod, rt, fmt::format("{}_{}", p, i)));
      }
      break;
    }
    case ElementwiseOp::BatchNorm: {
      Sigs x = operand(n, 0, ys), sc = operand(n, 1, ys), bi = operand(n, 2, ys);
      for (size_t i = 0; i < x.size(); ++i) {
        FSig prod = const_mul(x[i], d_.node(sc[i].node).value, sc[i].frac, fmt::format("{}_p{}", p, i), info);
        int F = std::max(prod.frac, bi[i].frac);
        DNode s = d_.add(prod.node, F - prod.frac, bi[i].node, F - bi[i].frac, false, fmt::format("{}_s{}", p, i));
        out.push_back(cast({s, F}, rt, fmt::format("{}_{}", p, i)));
      }
      break;
    }
  }
  vals_[yv] = std::move(out);
}

void NetEmitter::layout(const ir::Node& n, LayerInfo&) {
  ir::ValueId yv = n.outputs.at(0);
  const FixedType& rt = type(yv);
  const ir::Shape& os = g_.value(yv).shape;
  std::string p = nm(n);
  int64_t total = ir::num_elements(os);
  // Output element k = input src_in[k] element src_idx[k] (src_in < 0: pad value).
  std::vector<int> src_in;
  std::vector<int64_t> src_idx;
  FSig pad{d_.constant(Fixed::from_double(n.attrs.get_float("value", 0.0), rt).raw()), rt.frac_bits()};
  switch (ir::family_op<ir::Family::Layout>(n.op)) {
    case LayoutOp::Reshape:
    case LayoutOp::Identity:
      for (int64_t k = 0; k < total; ++k) {
        src_in.push_back(0);
        src_idx.push_back(k);
      }
      break;
    case LayoutOp::Concat: {
      auto rank = static_cast<int64_t>(os.size());
      int64_t axis = n.attrs.get_int("axis", -1);
      if (axis < 0) axis += rank;
      if (axis < 0 || axis >= rank) node_fail(g_, n, "axis out of range");
      int64_t outer = 1;
      for (int64_t i = 0; i < axis; ++i) outer *= os[static_cast<size_t>(i)];
      std::vector<int64_t> inner;
      for (ir::ValueId v : n.inputs) {
        const ir::Shape& s = g_.value(v).shape;
        int64_t in_ = 1;
        for (int64_t i = axis; i < static_cast<int64_t>(s.size()); ++i) in_ *= s[static_cast<size_t>(i)];
        inner.push_back(in_);
      }
      for (int64_t o = 0; o < outer; ++o)
        for (size_t j = 0; j < inner.size(); ++j)
          for (int64_t i = 0; i < inner[j]; ++i) {
            src_in.push_back(static_cast<int>(j));
            src_idx.push_back(o * inner[j] + i);
          }
      break;
    }
    case LayoutOp::Transpose: {
      const ir::Shape& is = g_.value(n.inputs.at(0)).shape;
      std::vector<int64_t> perm = n.attrs.get_ints("perm");
      if (perm.empty())
        for (size_t i = is.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
      if (perm.size() != is.size()) node_fail(g_, n, "perm has {} values for rank {}", perm.size(), is.size());
      std::vector<int64_t> istr = ir::strides_of(is);
      std::vector<int64_t> idx(os.size(), 0);
      for (int64_t k = 0; k < total; ++k) {
        int64_t s = 0;
        for (size_t i = 0; i < os.size(); ++i) s += idx[i] * istr[static_cast<size_t>(perm[i])];
        src_in.push_back(0);
        src_idx.push_back(s);
        for (size_t i = os.size(); i-- > 0;) {
          if (++idx[i] < os[i]) break;
          idx[i] = 0;
        }
      }
      break;
    }
    case LayoutOp::Pad: {
      const ir::Shape& is = g_.value(n.inputs.at(0)).shape;
      std::vector<int64_t> pads = n.attrs.get_ints("pads");
      size_t r = is.size();
      if (pads.size() != 2 * r || os.size() != r) node_fail(g_, n, "pads do not match the rank");
      if (n.attrs.get_string("mode", "constant") != "constant") node_fail(g_, n, "only constant padding is supported");
      std::vector<int64_t> istr = ir::strides_of(is);
      std::vector<int64_t> idx(r, 0);
      for (int64_t k = 0; k < total; ++k) {
        int64_t s = 0;
        bool inside = true;
        for (size_t i = 0; i < r; ++i) {
          int64_t q = idx[i] - pads[i];
          if (q < 0 || q >= is[i]) inside = false;
          s += q * istr[i];
        }
        src_in.push_back(inside ? 0 : -1);
        src_idx.push_back(inside ? s : 0);
        for (size_t i = r; i-- > 0;) {
          if (++idx[i] < os[i]) break;
          idx[i] = 0;
        }
      }
      break;
    }
  }
  Sigs out;
  for (int64_t k = 0; k < total; ++k) {
    int j = src_in[static_cast<size_t>(k)];
    if (j < 0) {
      out.push_back(pad);
      continue;
    }
    const Sigs& src = in(n, static_cast<size_t>(j));
    FSig s = src.at(static_cast<size_t>(src_idx[static_cast<size_t>(k)]));
    out.push_back(cast(s, rt, fmt::format("{}_{}", p, k)));
  }
  vals_[yv] = std::move(out);
}

}  // namespace tachyon::backends::verilog
