// QONNX Quant / IntQuant / BipolarQuant / Trunc and ONNX QuantizeLinear -> DequantizeLinear.
//
// A quantizer of an activation becomes an IR node whose parameters are IR constants
// broadcastable to the activation's IR shape. A quantizer of a constant becomes a QConst
// recipe, emitted when a consumer decides the layout it needs (see importer.h).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "frontends/onnx/importer.h"
#include "tachyon/support/strings.h"

namespace tachyon::frontends::onnx_import {

namespace {

using Params = std::vector<std::pair<std::string, ConstPtr>>;

bool valid_rounding(const std::string& m) {
  static const char* modes[] = {"ROUND", "CEIL", "FLOOR", "UP", "DOWN", "HALF_UP", "HALF_DOWN", "ROUND_TO_ZERO"};
  return std::any_of(std::begin(modes), std::end(modes), [&](const char* k) { return m == k; });
}

void check_rounding(NodeCtx& cx, const char* def) {
  const std::string m = to_upper(cx.s("rounding_mode", def));
  if (!valid_rounding(m)) cx.error(fmt::format("rounding_mode '{}' is not supported", m));
}

void check_flag(NodeCtx& cx, const char* name, int64_t def) {
  const int64_t v = cx.i(name, def);
  if (v != 0 && v != 1) cx.error(fmt::format("attribute '{}' is {}, expected 0 or 1", name, v));
}

void check_quant(NodeCtx& cx) {
  check_rounding(cx, "ROUND");
  check_flag(cx, "signed", 1);
  check_flag(cx, "narrow", 0);
}

// Emits (activation) or records (constant) a quantizer of x with constant parameters.
void quantizer(NodeCtx& cx, ir::Op op, const Entry& x, const Params& params, ir::Attrs attrs) {
  if (x.kind == Kind::Data) {
    std::vector<ir::ValueId> ins{x.id};
    for (const auto& [name, c] : params) {
      std::string err;
      auto t = cx.im.broadcast_transform(c->t.shape, x, &err);
      if (!t) return cx.error(fmt::format("parameter '{}': {}", name, err));
      Entry pe;
      pe.kind = Kind::Const;
      pe.name = name;
      pe.shape = c->t.shape;
      pe.c = c;
      ins.push_back(cx.im.materialize(cx, pe, *t));
    }
    ir::ValueId out = cx.emit(op, std::move(ins), cx.im.ir_shape(x), std::move(attrs));
    cx.set_data(0, out, x.shape, x.layout);
    return;
  }
  if (x.kind != Kind::Const && x.kind != Kind::QConst) return cx.error("the quantized input must be an activation or a constant");
  for (const auto& [name, c] : params)
    if (!broadcastable(c->t.shape, x.shape))
      return cx.error(fmt::format("parameter '{}' of shape {} does not broadcast to the input's shape {}", name,
                                  shape_string(c->t.shape), shape_string(x.shape)));
  auto r = std::make_shared<QRecipe>();
  r->op = op;
  r->node_name = cx.n.name().empty() ? cx.label : cx.n.name();
  r->op_type = cx.n.op_type();
  r->out_name = cx.n.output(0);
  r->x = x;
  r->params = params;
  r->attrs = std::move(attrs);
  r->depth = x.kind == Kind::QConst ? x.q->depth + 1 : 1;
  if (r->depth > kMaxQuantChain) return cx.error(fmt::format("more than {} chained quantizers of a constant", kMaxQuantChain));
  Entry e;
  e.kind = Kind::QConst;
  e.shape = x.shape;
  e.q = std::move(r);
  cx.set(0, std::move(e));
}

// Collects constant inputs [first, last] as parameters, with value checks.
bool collect(NodeCtx& cx, int first, int last, Params* out) {
  for (int k = first; k <= last; ++k) {
    const ConstVal* c = cx.constant(k, "quantizer parameter");
    if (!c) return false;
    if (c->t.size() == 0) {
      cx.error(fmt::format("parameter '{}' is empty", cx.n.input(k)));
      return false;
    }
    out->emplace_back(cx.n.input(k), cx.in(k)->c);
  }
  return true;
}

bool all_of(const ConstVal& c, bool (*pred)(double)) { return std::all_of(c.t.data.begin(), c.t.data.end(), pred); }
bool positive_finite(double v) { return std::isfinite(v) && v > 0; }
bool finite(double v) { return std::isfinite(v); }
bool bit_width(double v) { return v == std::floor(v) && v >= 1 && v <= 64; }

bool check_values(NodeCtx& cx, const Params& p, size_t k, bool (*pred)(double), const char* what) {
  if (k < p.size() && !all_of(*p[k].second, pred)) {
    cx.error(fmt::format("parameter '{}' must hold {}", p[k].first, what));
    return false;
  }
  return true;
}

void run_quant(NodeCtx& cx) {
  if (cx.num_inputs() != 4) return cx.error(fmt::format("expected 4 inputs (x, scale, zeropt, bitwidth), got {}", cx.num_inputs()));
  Params p;
  if (!collect(cx, 1, 3, &p)) return;
  if (!check_values(cx, p, 0, positive_finite, "positive scales") || !check_values(cx, p, 1, finite, "finite zero points") ||
      !check_values(cx, p, 2, bit_width, "integer bit widths from 1 to 64"))
    return;
  ir::Attrs a;
  a.set("signed", cx.i("signed", 1));
  a.set("narrow", cx.i("narrow", 0));
  a.set("rounding_mode", to_upper(cx.s("rounding_mode", "ROUND")));
  quantizer(cx, ir::Op::Quant, *cx.in(0), p, std::move(a));
}

void run_bipolar(NodeCtx& cx) {
  if (cx.num_inputs() != 2) return cx.error(fmt::format("expected 2 inputs (x, scale), got {}", cx.num_inputs()));
  Params p;
  if (!collect(cx, 1, 1, &p) || !check_values(cx, p, 0, positive_finite, "positive scales")) return;
  quantizer(cx, ir::Op::BipolarQuant, *cx.in(0), p, {});
}

void run_trunc(NodeCtx& cx) {
  const int n = cx.num_inputs();
  if (n != 5 && n != 6)
    return cx.error(fmt::format("expected 5 inputs (x, scale, zeropt, in_bitwidth, out_bitwidth) or 6 (with out_scale), "
                                "got {}",
                                n));
  Params p;
  if (!collect(cx, 1, n - 1, &p)) return;
  if (!check_values(cx, p, 0, positive_finite, "positive scales") || !check_values(cx, p, 2, bit_width, "integer bit widths") ||
      !check_values(cx, p, static_cast<size_t>(n - 2), bit_width, "integer bit widths") ||
      (n == 6 && !check_values(cx, p, 3, positive_finite, "positive scales")))
    return;
  ir::Attrs a;
  a.set("rounding_mode", to_upper(cx.s("rounding_mode", "FLOOR")));
  a.set("signed", cx.i("signed", 1));
  a.set("narrow", cx.i("narrow", 0));
  quantizer(cx, ir::Op::Trunc, *cx.in(0), p, std::move(a));
}

// ---- ONNX QDQ ----

bool zero_point_signed(NodeCtx& cx, const ConstVal* zp, bool* is_signed) {
  if (!zp || zp->dtype == onnx::TensorProto::UINT8) {
    *is_signed = false;
    return true;
  }
  if (zp->dtype == onnx::TensorProto::INT8) {
    *is_signed = true;
    return true;
  }
  cx.error(fmt::format("zero point of dtype {} is not supported (int8 or uint8)", dtype_name(zp->dtype)));
  return false;
}

bool check_qdq_params(NodeCtx& cx, const ConstVal** scale, const ConstVal** zp) {
  *scale = cx.constant(1, "scale");
  if (!*scale) return false;
  if ((*scale)->t.size() == 0 || !all_of(**scale, positive_finite)) {
    cx.error("the scale must hold positive values");
    return false;
  }
  *zp = nullptr;
  if (cx.has_input(2)) {
    *zp = cx.constant(2, "zero point");
    if (!*zp) return false;
    if ((*zp)->t.size() != (*scale)->t.size()) {
      cx.error("the zero point and the scale have different sizes");
      return false;
    }
  }
  if ((*scale)->t.size() > 1 && (*scale)->t.shape.size() != 1) {
    cx.error("a per-axis scale must be 1-D");
    return false;
  }
  return true;
}

void run_quantize_linear(NodeCtx& cx) {
  const ConstVal *scale = nullptr, *zp = nullptr;
  if (!check_qdq_params(cx, &scale, &zp)) return;
  auto pq = std::make_shared<PendingQuant>();
  if (!zero_point_signed(cx, zp, &pq->is_signed)) return;
  pq->x = *cx.in(0);
  pq->scale = cx.in(1)->c;
  if (zp) pq->zero_point = cx.in(2)->c;
  pq->axis = cx.i("axis", 1);
  pq->node_name = cx.label;
  Entry e;
  e.kind = Kind::PendingQ;
  e.pq = std::move(pq);
  cx.set(0, std::move(e));
}

bool same_values(const ConstVal* a, const ConstVal* b) {
  if (!a || !b) {
    const ConstVal* c = a ? a : b;
    return !c || std::all_of(c->t.data.begin(), c->t.data.end(), [](double v) { return v == 0; });
  }
  return a->t.data == b->t.data;
}

// Per-axis parameters become shape ones(rank) with the size at `axis`.
std::optional<ConstVal> axis_param(NodeCtx& cx, const ConstVal& c, int64_t axis, size_t rank) {
  ConstVal r;
  r.dtype = onnx::TensorProto::FLOAT;
  if (c.t.size() == 1) {
    r.t = ir::Tensor({}, c.t.data);
    return r;
  }
  const auto R = static_cast<int64_t>(rank);
  if (axis < -R || axis >= R) {
    cx.error(fmt::format("axis {} is out of range for rank {}", axis, R));
    return std::nullopt;
  }
  if (axis < 0) axis += R;
  ir::Shape s(rank, 1);
  s[static_cast<size_t>(axis)] = c.t.size();
  r.t = ir::Tensor(s, c.t.data);
  return r;
}

void run_dequantize_linear(NodeCtx& cx) {
  const ConstVal *scale = nullptr, *zp = nullptr;
  if (!check_qdq_params(cx, &scale, &zp)) return;
  const Entry& x = *cx.in(0);
  const int64_t axis = cx.i("axis", 1);
  if (x.kind == Kind::Const) {  // integer weights: fold (x - zp) * scale
    if (!x.c->is_int()) return cx.error("DequantizeLinear of a floating-point constant");
    auto s = axis_param(cx, *scale, axis, x.shape.size());
    std::optional<ConstVal> z;
    if (zp) z = axis_param(cx, *zp, axis, x.shape.size());
    if (!s || (zp && !z)) return;
    ir::Tensor st = broadcast_to(s->t, x.shape), zt = z ? broadcast_to(z->t, x.shape) : ir::Tensor::zeros(x.shape);
    ConstVal r;
    r.dtype = onnx::TensorProto::FLOAT;
    r.t = x.c->t;
    for (size_t i = 0; i < r.t.data.size(); ++i) r.t.data[i] = (r.t.data[i] - zt.data[i]) * st.data[i];
    return cx.set_const(0, std::move(r));
  }
  if (x.kind != Kind::PendingQ)
    return cx.error("DequantizeLinear of a tensor that does not come from QuantizeLinear is not supported");
  const PendingQuant& q = *x.pq;
  bool is_signed = false;
  if (!zero_point_signed(cx, zp, &is_signed)) return;
  if (!same_values(q.scale.get(), scale) || !same_values(q.zero_point.get(), zp) || is_signed != q.is_signed ||
      (scale->t.size() > 1 && q.axis != axis))
    return cx.error(fmt::format("the scale / zero point differ from those of QuantizeLinear '{}'", q.node_name));
  const size_t rank = q.x.kind == Kind::Data ? q.x.shape.size() + 1 : q.x.shape.size();
  if (q.x.kind == Kind::Data && scale->t.size() > 1 && (axis == 0 || axis == -static_cast<int64_t>(rank)))
    return cx.error("per-axis quantization along the batch axis is not supported");
  auto s = axis_param(cx, *scale, axis, rank);
  ConstVal zero;
  zero.t = ir::Tensor::scalar(0);
  auto z = axis_param(cx, zp ? *zp : zero, axis, rank);
  if (!s || !z) return;
  ConstVal bits;
  bits.t = ir::Tensor::scalar(8);
  Params p{{cx.n.input(1), std::make_shared<const ConstVal>(std::move(*s))},
           {cx.has_input(2) ? cx.n.input(2) : cx.label + "_zero_point", std::make_shared<const ConstVal>(std::move(*z))},
           {cx.label + "_bitwidth", std::make_shared<const ConstVal>(std::move(bits))}};
  ir::Attrs a;
  a.set("signed", int64_t{is_signed ? 1 : 0});
  a.set("narrow", int64_t{0});
  a.set("rounding_mode", std::string("ROUND"));
  quantizer(cx, ir::Op::Quant, q.x, p, std::move(a));
}

}  // namespace

void add_quant_ops(std::vector<OpDef>& t) {
  t.push_back({"Quant", true, {"signed", "narrow", "rounding_mode"}, check_quant, run_quant, 4});
  t.push_back({"IntQuant", true, {"signed", "narrow", "rounding_mode"}, check_quant, run_quant, 4});
  t.push_back({"BipolarQuant", true, {}, nullptr, run_bipolar, 2});
  t.push_back({"Trunc", true, {"rounding_mode", "signed", "narrow"},
               [](NodeCtx& cx) {
                 check_rounding(cx, "FLOOR");
                 check_flag(cx, "signed", 1);
                 check_flag(cx, "narrow", 0);
               },
               run_trunc, 5});
  t.push_back({"QuantizeLinear", false, {"axis", "saturate"}, nullptr, run_quantize_linear, 2});
  t.push_back({"DequantizeLinear", false, {"axis"}, nullptr, run_dequantize_linear, 2});
}

}  // namespace tachyon::frontends::onnx_import
