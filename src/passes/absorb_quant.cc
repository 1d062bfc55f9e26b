// absorb_quant: QONNX quantizers become fixed-point types (docs/config.md, "QONNX").
//
// Quant(x, scale, zero_point, bitwidth; signed, narrow, rounding_mode):
//   q = clip(round(x / scale + zero_point), qmin, qmax);  y = (q - zero_point) * scale
// * x constant: folded (computed in double) and typed so that every value is exact: with
//   power-of-two scales 2^k (per tensor or per channel) and zero_point 0 the type is
//   ap_fixed<b + kmax - kmin, b + kmax> (ap_ufixed when signed=0).
// * x not constant, one power-of-two scale 2^k, zero_point 0: a conversion to
//   T = ap_fixed<b, b + k, Q, O>, Q from rounding_mode (ROUND/HALF_EVEN -> AP_RND_CONV,
//   FLOOR -> AP_TRN, DOWN/ROUND_TO_ZERO -> AP_TRN_ZERO, HALF_UP -> AP_RND_INF,
//   HALF_DOWN -> AP_RND_ZERO), O = AP_SAT (AP_SAT_SYM when signed and narrow). T becomes
//   the type of a graph input, or the result type of the producing layer when nothing
//   else reads that layer's output, else a Cast node.
// * otherwise (other scales, zero points, per-channel scales, unsigned narrow): explicit
//   steps Scale(1/scale) [Add zp] Cast(integer grid) [Clip] [Sub zp] Scale(scale). The
//   constants are exact when the scale is a power of two; 1/scale otherwise keeps 32
//   significant bits (rounding decisions can differ from a float division only within
//   2^-32 relative of a tie).
// BipolarQuant(x, scale): y = x >= 0 ? scale : -scale, as Cast to ap_fixed<1,1,AP_TRN,AP_SAT>
// (-1 for x < 0, 0 otherwise), Scale by 2*scale, Add scale.
// Trunc (QONNX v1: x, scale, zp, in_bits, out_bits; v2: x, scale, zp, in_bits, out_scale,
// out_bits): Cast to the input grid (AP_RND_CONV) then Cast to the output grid with the
// rounding mode (FLOOR -> AP_TRN); v1 then rescales by 2^-(in_bits - out_bits) as its
// reference implementation does.
// CEIL and UP have no fixed-point conversion: allowed on constants only.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>

#include "passes/detail/util.h"
#include "tachyon/ir/element_quant.h"
#include "tachyon/passes/pass.h"
#include "tachyon/support/strings.h"

namespace tachyon::passes {

namespace {

using ir::Op;
using detail::node_fail;

enum class RMode { HalfEven, Ceil, Floor, Up, Down, HalfUp, HalfDown };

RMode parse_mode(const ir::Graph& g, const ir::Node& n, const std::string& def) {
  const std::string s = n.attrs.get_string("rounding_mode", def);
  const std::string u = to_upper(s);
  if (u == "ROUND" || u == "HALF_EVEN") return RMode::HalfEven;
  if (u == "CEIL") return RMode::Ceil;
  if (u == "FLOOR") return RMode::Floor;
  if (u == "UP") return RMode::Up;
  if (u == "DOWN" || u == "ROUND_TO_ZERO") return RMode::Down;
  if (u == "HALF_UP") return RMode::HalfUp;
  if (u == "HALF_DOWN") return RMode::HalfDown;
  node_fail(g, n, fmt::format("unknown rounding_mode '{}' (QONNX modes: ROUND, CEIL, FLOOR, UP, DOWN, HALF_UP, HALF_DOWN)", s));
}

double round_with(double v, RMode m) {
  const double f = std::floor(v);
  const double frac = v - f;
  switch (m) {
    case RMode::HalfEven:
      if (frac > 0.5) return f + 1;
      if (frac < 0.5) return f;
      return std::fmod(f, 2.0) == 0 ? f : f + 1;
    case RMode::Ceil: return std::ceil(v);
    case RMode::Floor: return f;
    case RMode::Up: return v >= 0 ? std::ceil(v) : std::floor(v);
    case RMode::Down: return std::trunc(v);
    case RMode::HalfUp: return frac == 0.5 ? (v >= 0 ? f + 1 : f) : std::floor(v + 0.5);
    case RMode::HalfDown: return frac == 0.5 ? (v >= 0 ? f : f + 1) : std::floor(v + 0.5);
  }
  return v;
}

std::optional<Quant> ap_quant(RMode m) {
  switch (m) {
    case RMode::HalfEven: return Quant::RND_CONV;
    case RMode::Floor: return Quant::TRN;
    case RMode::Down: return Quant::TRN_ZERO;
    case RMode::HalfUp: return Quant::RND_INF;
    case RMode::HalfDown: return Quant::RND_ZERO;
    case RMode::Ceil:
    case RMode::Up: return std::nullopt;
  }
  return std::nullopt;
}

struct QuantParams {
  ir::Tensor scale, zp;
  int bits = 0;
  bool is_signed = true, narrow = false;
  RMode mode = RMode::HalfEven;
  double qmin = 0, qmax = 0;
};

int int_input(const ir::Graph& g, const ir::Node& n, size_t i, const char* what) {
  const ir::Tensor& t = detail::constant_input(g, n, i, what);
  if (t.size() != 1) node_fail(g, n, fmt::format("{} must be a scalar, has {} values", what, t.size()));
  double v = t.data[0];
  if (v != std::floor(v) || v < 1 || v > 1024) node_fail(g, n, fmt::format("{} must be an integer in 1..1024, got {}", what, v));
  return static_cast<int>(v);
}

void check_broadcast(const ir::Graph& g, const ir::Node& n, const ir::Tensor& t, const ir::Shape& x, const char* what) {
  if (t.size() == 1) return;
  if (t.shape.size() > x.size()) node_fail(g, n, fmt::format("{} of shape {} does not broadcast to {}", what, ir::shape_str(t.shape), ir::shape_str(x)));
  for (size_t a = 0; a < t.shape.size(); ++a) {
    int64_t d = t.shape[a], xd = x[x.size() - t.shape.size() + a];
    if (d != 1 && d != xd)
      node_fail(g, n, fmt::format("{} of shape {} does not broadcast to {}", what, ir::shape_str(t.shape), ir::shape_str(x)));
  }
}

QuantParams quant_params(const ir::Graph& g, const ir::Node& n) {
  if (n.inputs.size() != 4) node_fail(g, n, fmt::format("expects 4 inputs (x, scale, zeropt, bitwidth), has {}", n.inputs.size()));
  QuantParams p;
  p.scale = detail::constant_input(g, n, 1, "scale");
  p.zp = detail::constant_input(g, n, 2, "zero point");
  p.bits = int_input(g, n, 3, "bitwidth");
  p.is_signed = n.attrs.get_int("signed", 1) != 0;
  p.narrow = n.attrs.get_int("narrow", 0) != 0;
  p.mode = parse_mode(g, n, "ROUND");
  const ir::Shape& xs = g.value(n.inputs[0]).shape;
  check_broadcast(g, n, p.scale, xs, "scale");
  check_broadcast(g, n, p.zp, xs, "zero point");
  for (double s : p.scale.data)
    if (!(s > 0) || !std::isfinite(s)) node_fail(g, n, fmt::format("scale {} is not a positive number", s));
  for (double z : p.zp.data)
    if (z != std::floor(z)) node_fail(g, n, fmt::format("zero point {} is not an integer", z));
  if (p.is_signed) {
    p.qmax = std::ldexp(1.0, p.bits - 1) - 1;
    p.qmin = p.narrow ? -p.qmax : -std::ldexp(1.0, p.bits - 1);
  } else {
    p.qmin = 0;
    p.qmax = std::ldexp(1.0, p.bits) - (p.narrow ? 2 : 1);
  }
  return p;
}

// Power-of-two exponents of every scale, or nullopt.
std::optional<std::pair<int, int>> pow2_range(const ir::Tensor& scale) {
  int lo = 1 << 30, hi = -(1 << 30);
  for (double s : scale.data) {
    int k = 0;
    if (!detail::is_pow2(s, &k)) return std::nullopt;
    lo = std::min(lo, k);
    hi = std::max(hi, k);
  }
  return std::make_pair(lo, hi);
}

bool all_zero(const ir::Tensor& t) {
  return std::all_of(t.data.begin(), t.data.end(), [](double v) { return v == 0; });
}

Overflow overflow_of(const QuantParams& p) { return p.is_signed && p.narrow ? Overflow::SAT_SYM : Overflow::SAT; }

// Quant of a constant: a new constant with the rounded values.
void fold_quant(ir::Graph& g, ir::NodeId id, const QuantParams& p) {
  const ir::Node& n = g.node(id);
  const ir::Tensor& x = g.constant(n.inputs[0]);
  ir::Tensor y = x;
  for (int64_t i = 0; i < x.size(); ++i) {
    double s = ir::broadcast_at(p.scale, x.shape, i), z = ir::broadcast_at(p.zp, x.shape, i);
    double q = std::clamp(round_with(x.data[static_cast<size_t>(i)] / s + z, p.mode), p.qmin, p.qmax);
    y.data[static_cast<size_t>(i)] = (q - z) * s;
  }
  std::optional<FixedType> type;
  auto k = pow2_range(p.scale);
  if (k && all_zero(p.zp) && p.bits + k->second - k->first <= 1024) {
    type = fixed_type(p.bits + k->second - k->first, p.bits + k->second, p.is_signed,
                      ap_quant(p.mode).value_or(Quant::TRN), overflow_of(p));
  } else {
    type = detail::exact_type(y.data, 64);  // nullopt: the configured weight precision applies
  }
  const ir::ValueId out = n.outputs.at(0);
  const ir::ValueId c = detail::add_constant(g, g.value(out).name, std::move(y), type);
  g.replace_uses(out, c);
  g.remove_node(id);
}

// Builder for the explicit steps of a quantizer.
struct Steps {
  ir::Graph& g;
  std::string base, source_name, source_op;
  ir::Shape shape;
  std::vector<ir::NodeId> added;

  ir::ValueId node(Op op, const std::string& suffix, std::vector<ir::ValueId> ins, std::optional<ir::ValueId> out = {},
                   std::optional<FixedType> type = {}, bool main = false) {
    ir::ValueId o = out ? *out : g.add_value(g.unique_value_name(base + suffix), shape, type);
    if (out && type) g.value(o).type = type;
    ir::NodeId id = g.add_node(op, g.unique_node_name(base + suffix), std::move(ins), {o});
    ir::Node& n = g.node(id);
    n.source_op = source_op;
    if (main) n.source_name = source_name;
    added.push_back(id);
    return o;
  }
  // A constant broadcast to the data shape (scalar kept scalar).
  ir::ValueId constant(const std::string& suffix, const ir::Tensor& t, const std::function<double(double)>& f,
                       std::optional<FixedType> type, int max_width = 64) {
    ir::Tensor c = t.size() == 1 ? ir::Tensor::scalar(f(t.data[0])) : ir::Tensor::zeros(shape);
    if (t.size() != 1)
      for (int64_t i = 0; i < c.size(); ++i) c.data[static_cast<size_t>(i)] = f(ir::broadcast_at(t, shape, i));
    if (!type) {
      type = detail::exact_type(c.data, max_width);
      if (!type) {  // 1/scale for a scale that is not a power of two: 32 significant bits
        double mag = 0;
        for (double v : c.data) mag = std::max(mag, std::fabs(v));
        FixedType r = detail::range_type(-mag, mag, 0, true);
        int ib = r.int_bits;
        type = fixed_type(32, ib, true, Quant::RND_CONV, Overflow::SAT);
      }
    }
    return detail::add_constant(g, base + suffix, std::move(c), type);
  }
};

void general_quant(ir::Graph& g, ir::NodeId id, const QuantParams& p) {
  const ir::Node& n = g.node(id);
  auto q = ap_quant(p.mode);
  if (!q)
    node_fail(g, n, "rounding_mode CEIL / UP has no fixed-point conversion; it is supported only on constant inputs");
  const ir::ValueId x = n.inputs[0], y = n.outputs.at(0);
  Steps s{g, n.name, n.source_name, n.source_op.empty() ? "Quant" : n.source_op, g.value(y).shape, {}};
  const bool zp = !all_zero(p.zp);
  g.remove_node(id);
  ir::ValueId v = s.node(Op::Scale, "_scale_in", {x, s.constant("_inv_scale", p.scale, [](double a) { return 1.0 / a; }, {}, 32)});
  if (zp) v = s.node(Op::Add, "_zp_add", {v, s.constant("_zp", p.zp, [](double a) { return a; }, {})});
  const FixedType grid = fixed_type(p.bits, p.bits, p.is_signed, *q, overflow_of(p));
  v = s.node(Op::Cast, "", {v}, {}, grid, true);
  if (!p.is_signed && p.narrow) {
    ir::ValueId c = s.node(Op::Clip, "_clip", {v}, {}, grid);
    g.node(s.added.back()).attrs.set("min", 0.0);
    g.node(s.added.back()).attrs.set("max", p.qmax);
    v = c;
  }
  if (zp) v = s.node(Op::Sub, "_zp_sub", {v, s.constant("_zp", p.zp, [](double a) { return a; }, {})});
  s.node(Op::Scale, "_scale_out", {v, s.constant("_scale", p.scale, [](double a) { return a; }, {})}, y);
}

void absorb_one_quant(ir::Graph& g, ir::NodeId id) {
  const QuantParams p = quant_params(g, g.node(id));
  if (g.value(g.node(id).inputs[0]).is_constant()) return fold_quant(g, id, p);
  auto k = pow2_range(p.scale);
  auto q = ap_quant(p.mode);
  if (k && k->first == k->second && all_zero(p.zp) && q && !(p.narrow && !p.is_signed))
    return detail::place_conversion(g, id, fixed_type(p.bits, p.bits + k->first, p.is_signed, *q, overflow_of(p)));
  general_quant(g, id, p);
}

void absorb_bipolar(ir::Graph& g, ir::NodeId id) {
  const ir::Node& n = g.node(id);
  if (n.inputs.size() != 2) node_fail(g, n, fmt::format("expects 2 inputs (x, scale), has {}", n.inputs.size()));
  const ir::Tensor scale = detail::constant_input(g, n, 1, "scale");
  const ir::ValueId x = n.inputs[0], y = n.outputs.at(0);
  check_broadcast(g, n, scale, g.value(x).shape, "scale");
  if (g.value(x).is_constant()) {
    const ir::Tensor& xt = g.constant(x);
    ir::Tensor r = xt;
    for (int64_t i = 0; i < r.size(); ++i)
      r.data[static_cast<size_t>(i)] = (xt.data[static_cast<size_t>(i)] >= 0 ? 1.0 : -1.0) * ir::broadcast_at(scale, xt.shape, i);
    auto t = detail::exact_type(r.data, 64);
    ir::ValueId c = detail::add_constant(g, g.value(y).name, std::move(r), t);
    g.replace_uses(y, c);
    g.remove_node(id);
    return;
  }
  Steps s{g, n.name, n.source_name, n.source_op.empty() ? "BipolarQuant" : n.source_op, g.value(y).shape, {}};
  g.remove_node(id);
  ir::ValueId v = s.node(Op::Cast, "", {x}, {}, fixed_type(1, 1, true, Quant::TRN, Overflow::SAT), true);
  v = s.node(Op::Scale, "_scale", {v, s.constant("_twice_scale", scale, [](double a) { return 2 * a; }, {})});
  s.node(Op::Add, "_offset", {v, s.constant("_scale", scale, [](double a) { return a; }, {})}, y);
}

void absorb_trunc(ir::Graph& g, ir::NodeId id) {
  const ir::Node& n = g.node(id);
  const bool v2 = n.inputs.size() == 6;
  if (n.inputs.size() != 5 && !v2)
    node_fail(g, n, fmt::format("expects 5 inputs (x, scale, zeropt, in_bitwidth, out_bitwidth) or 6 (with out_scale), has {}",
                                n.inputs.size()));
  const ir::Tensor scale = detail::constant_input(g, n, 1, "scale");
  const ir::Tensor zp = detail::constant_input(g, n, 2, "zero point");
  const int in_bits = int_input(g, n, 3, "input bitwidth");
  const int out_bits = int_input(g, n, v2 ? 5 : 4, "output bitwidth");
  const RMode mode = parse_mode(g, n, "FLOOR");
  const bool is_signed = n.attrs.get_int("signed", 1) != 0;
  const bool narrow = n.attrs.get_int("narrow", 0) != 0;
  int k = 0, ko = 0;
  if (scale.size() != 1 || !detail::is_pow2(scale.data[0], &k) || !all_zero(zp))
    node_fail(g, n, "Trunc is supported with one power-of-two scale and zero point 0");
  int t = in_bits - out_bits;
  if (v2) {
    const ir::Tensor& os = detail::constant_input(g, n, 4, "output scale");
    if (os.size() != 1 || !detail::is_pow2(os.data[0], &ko)) node_fail(g, n, "Trunc output scale must be one power of two");
    t = ko - k;
  } else {
    ko = k + t;
  }
  const ir::ValueId x = n.inputs[0], y = n.outputs.at(0);
  auto q = ap_quant(mode);
  if (g.value(x).is_constant()) {
    const ir::Tensor& xt = g.constant(x);
    ir::Tensor r = xt;
    double qmax = is_signed ? std::ldexp(1.0, out_bits - 1) - 1 : std::ldexp(1.0, out_bits) - (narrow ? 2 : 1);
    double qmin = is_signed ? (narrow ? -qmax : -std::ldexp(1.0, out_bits - 1)) : 0;
    for (double& v : r.data) {
      double u = round_with(round_with(v / scale.data[0], RMode::HalfEven) / std::ldexp(1.0, t), mode);
      if (v2) u = std::clamp(u, qmin, qmax);
      v = u * (v2 ? std::ldexp(1.0, ko) : scale.data[0]);
    }
    auto ty = detail::exact_type(r.data, 64);
    ir::ValueId c = detail::add_constant(g, g.value(y).name, std::move(r), ty);
    g.replace_uses(y, c);
    g.remove_node(id);
    return;
  }
  if (!q) node_fail(g, n, "rounding_mode CEIL / UP has no fixed-point conversion; it is supported only on constant inputs");
  Steps s{g, n.name, n.source_name, n.source_op.empty() ? "Trunc" : n.source_op, g.value(y).shape, {}};
  g.remove_node(id);
  ir::ValueId v = x;
  const auto& xt = g.value(x).type;
  if (!xt || xt->frac_bits() > -k)
    v = s.node(Op::Cast, "_in", {v}, {}, fixed_type(in_bits, in_bits + k, true, Quant::RND_CONV, Overflow::SAT));
  const Overflow o = v2 ? (is_signed && narrow ? Overflow::SAT_SYM : Overflow::SAT) : Overflow::SAT;
  const bool out_signed = v2 ? is_signed : true;
  const FixedType out_t = fixed_type(out_bits, out_bits + ko, out_signed, *q, o);
  if (v2) {
    s.node(Op::Cast, "", {v}, y, out_t, true);
  } else {
    v = s.node(Op::Cast, "", {v}, {}, out_t, true);
    s.node(Op::Scale, "_rescale", {v, s.constant("_rescale", ir::Tensor::scalar(std::ldexp(1.0, -t)), [](double a) { return a; }, {})}, y);
  }
}

}  // namespace

bool absorb_quant(ir::Graph& g, PassContext&) {
  bool changed = false;
  for (ir::NodeId id : g.node_ids()) {  // snapshot: nodes added below are not revisited
    const Op op = g.node(id).op;
    if (ir::op_family(op) != ir::Family::Frontend) continue;
    switch (ir::family_op<ir::Family::Frontend>(op)) {
      case ir::FrontendOp::Quant: absorb_one_quant(g, id); break;
      case ir::FrontendOp::BipolarQuant: absorb_bipolar(g, id); break;
      case ir::FrontendOp::Trunc: absorb_trunc(g, id); break;
      case ir::FrontendOp::Gemm:
      case ir::FrontendOp::MatMul:
      case ir::FrontendOp::BatchNormInference:
      case ir::FrontendOp::Dropout: continue;  // lowered by other passes
    }
    changed = true;
  }
  if (changed) g.sort();
  return changed;
}

}  // namespace tachyon::passes
