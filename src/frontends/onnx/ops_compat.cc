// Ops that real exporters write and that the IR expresses with its existing ops:
//   Selu            gamma * Elu(x, alpha)
//   Softplus, Softsign, Erf   UnaryTable (function softplus / softsign / erf: a lookup table
//                   over [-8, 8), as hls4ml's softplus and softsign)
//                   Div(x, Add(Abs(x), 1)) (torch.onnx's Softsign) is the softsign table too;
//                   torch.onnx writes GELU as x * 0.5 * (1 + Erf(x / sqrt(2))): Erf plus
//                   arithmetic the importer already maps
//   ThresholdedRelu Relu with attribute theta = alpha (x > theta ? x : 0)
//   HardSwish       x * HardSigmoid(x, 1/6, 1/2)
//   Neg             x * -1;   Abs: 2 * Relu(x) - x
//   Pow(x, k)       x * x * ... (k = 1..4, a constant integer exponent)
//   Sum / Mean      Add chains (Mean: times 1/n); any number of inputs
//   Max / Min       Max(a, b) = Relu(a - b) + b, Min(a, b) = a - Relu(a - b); a scalar constant
//                   operand becomes Clip(min) / Clip(max)
//   Resize / Upsample  nearest-neighbour upsampling by whole factors: every input element is
//                   repeated k times along the axis (IR Reshape + Concat of k copies)
// and the QONNX channels-last ops (domain qonnx.custom_op.channels_last: Conv, MaxPool,
// AveragePool, BatchNormalization on [N, ..., C] data): the input is viewed channels-first
// through a layout-only transpose, imported by the standard handler, and viewed back.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "frontends/onnx/importer.h"

namespace tachyon::frontends::onnx_import {

namespace {

// One IR node on activations / constants. `a` is an activation; `b` (optional) an activation
// of the same ONNX shape or a constant broadcastable to it. The final node of an ONNX op
// uses an empty suffix (its value is named after the ONNX output).
Entry emit_op(NodeCtx& cx, ir::Op op, const Entry& a, const Entry* b, const std::string& suffix, ir::Attrs attrs = {}) {
  std::vector<ir::ValueId> ins;
  Layout layout = a.layout;
  ir::Shape irs = cx.im.ir_shape(a);
  if (!b || b->kind != Kind::Data) {
    ins.push_back(a.id);
    if (b) {
      std::string err;
      auto t = cx.im.broadcast_transform(b->shape, a, &err);
      if (!t) throw Error(err);
      ins.push_back(cx.im.materialize(cx, *b, *t));
    }
  } else {
    if (a.shape != b->shape)
      throw Error(fmt::format("broadcasting between two activations ([batch]+{} and [batch]+{}) is not supported",
                              shape_string(a.shape), shape_string(b->shape)));
    if (same_layout(a.layout, b->layout) && cx.im.ir_shape(a) == cx.im.ir_shape(*b)) {
      ins = {a.id, b->id};
    } else {
      auto ap = cx.im.axis_perm(a);
      std::vector<int64_t> P = ap ? *ap : iota_perm(a.shape.size());
      ins = {cx.im.convert(cx, a, P), cx.im.convert(cx, *b, P)};
      irs = ir::permute_shape(a.shape, P);
      layout = {a.shape, P};
    }
  }
  Entry e;
  e.kind = Kind::Data;
  e.id = cx.emit(op, std::move(ins), irs, std::move(attrs), suffix);
  e.shape = a.shape;
  e.layout = normalize(layout);
  return e;
}

Entry scalar_const(NodeCtx& cx, const std::string& suffix, double v) {
  Entry e;
  e.kind = Kind::Const;
  e.name = cx.label + suffix;
  e.c = std::make_shared<const ConstVal>(ConstVal{ir::Tensor::scalar(v), onnx::TensorProto::FLOAT});
  return e;
}

void finish(NodeCtx& cx, Entry e) { cx.set(0, std::move(e)); }

void run_selu(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  ir::Attrs a;
  a.set("alpha", cx.f("alpha", 1.67326319217681884765625));
  const Entry elu = emit_op(cx, ir::Op::Elu, *x, nullptr, "_elu", std::move(a));
  const Entry gamma = scalar_const(cx, "_gamma", cx.f("gamma", 1.05070102214813232421875));
  finish(cx, emit_op(cx, ir::Op::Mul, elu, &gamma, ""));
}

void run_unary_table(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  const std::string& op = cx.n.op_type();
  ir::Attrs a;
  a.set("function", std::string(op == "Softplus" ? "softplus" : op == "Softsign" ? "softsign" : "erf"));
  finish(cx, emit_op(cx, ir::Op::UnaryTable, *x, nullptr, "", std::move(a)));
}

bool default_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

bool is_scalar_const(const Entry* e, double v) {
  return e && e->kind == Kind::Const && e->c->t.size() == 1 && e->c->t.data[0] == v;
}

}  // namespace

bool import_softsign_division(NodeCtx& cx) {
  const std::string& x = cx.n.input(0);
  const onnx::NodeProto* add = cx.im.producer(cx.n.input(1));
  if (!add || add->op_type() != "Add" || add->input_size() != 2 || !default_domain(add->domain())) return false;
  for (int k = 0; k < 2; ++k) {
    const onnx::NodeProto* abs = cx.im.producer(add->input(k));
    auto one = cx.im.env.find(add->input(1 - k));
    if (abs && abs->op_type() == "Abs" && default_domain(abs->domain()) && abs->input_size() == 1 && abs->input(0) == x &&
        one != cx.im.env.end() && is_scalar_const(&one->second, 1.0)) {
      const Entry* xe = cx.data(0);
      if (!xe) return false;
      ir::Attrs a;
      a.set("function", std::string("softsign"));
      finish(cx, emit_op(cx, ir::Op::UnaryTable, *xe, nullptr, "", std::move(a)));
      return true;
    }
  }
  return false;
}

const onnx::NodeProto* Importer::producer(const std::string& value) {
  const auto& gr = model.graph();
  if (producers_.empty())
    for (int i = 0; i < gr.node_size(); ++i)
      for (const auto& o : gr.node(i).output()) producers_.emplace(o, i);
  auto it = producers_.find(value);
  return it == producers_.end() ? nullptr : &gr.node(it->second);
}

namespace {

void check_thresholded_relu(NodeCtx& cx) {
  const double t = cx.f("alpha", 1.0);
  if (!std::isfinite(t)) cx.error(fmt::format("alpha {} is not a finite number", t));
}

void run_thresholded_relu(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  ir::Attrs a;
  a.set("theta", cx.f("alpha", 1.0));
  finish(cx, emit_op(cx, ir::Op::Relu, *x, nullptr, "", std::move(a)));
}

void run_hard_swish(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  ir::Attrs a;
  a.set("alpha", 1.0 / 6.0);
  a.set("beta", 0.5);
  const Entry hs = emit_op(cx, ir::Op::HardSigmoid, *x, nullptr, "_hardsigmoid", std::move(a));
  finish(cx, emit_op(cx, ir::Op::Mul, *x, &hs, ""));
}

void run_neg(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  const Entry m1 = scalar_const(cx, "_minus_one", -1.0);
  finish(cx, emit_op(cx, ir::Op::Mul, *x, &m1, ""));
}

void run_abs(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  const Entry relu = emit_op(cx, ir::Op::Relu, *x, nullptr, "_relu");
  const Entry two = scalar_const(cx, "_two", 2.0);
  const Entry twice = emit_op(cx, ir::Op::Mul, relu, &two, "_twice");
  finish(cx, emit_op(cx, ir::Op::Sub, twice, x, ""));
}

void run_pow(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  const ConstVal* e = cx.constant(1, "exponent");
  if (!e) return;
  if (e->t.size() != 1) return cx.error("the exponent must be a scalar");
  const double k = e->t.data[0];
  if (k != std::floor(k) || k < 1 || k > 4)
    return cx.error(fmt::format("exponent {} is not supported (only the whole numbers 1 to 4)", k));
  if (k == 1) return finish(cx, emit_op(cx, ir::Op::Identity, *x, nullptr, ""));
  Entry acc = *x;
  for (int i = 2; i <= static_cast<int>(k); ++i)
    acc = emit_op(cx, ir::Op::Mul, acc, x, i == static_cast<int>(k) ? "" : fmt::format("_pow{}", i));
  finish(cx, acc);
}

// Sum, Mean, Max, Min over any number of inputs (at least one an activation).
void run_variadic(NodeCtx& cx) {
  const std::string& op = cx.n.op_type();
  std::vector<const Entry*> xs;
  for (int k = 0; k < cx.num_inputs(); ++k)
    if (cx.has_input(k)) xs.push_back(cx.in(k));
  if (xs.empty()) return cx.error("no inputs");
  std::stable_partition(xs.begin(), xs.end(), [](const Entry* e) { return e->kind == Kind::Data; });
  if (xs[0]->kind != Kind::Data) return cx.error("no input is an activation");
  const size_t n = xs.size();
  if (n == 1) return finish(cx, emit_op(cx, ir::Op::Identity, *xs[0], nullptr, ""));
  Entry acc = *xs[0];
  const bool mean = op == "Mean";
  for (size_t i = 1; i < n; ++i) {
    const bool last = i + 1 == n && !mean;
    const std::string sfx = last ? "" : fmt::format("_{}{}", op == "Mean" ? "sum" : op, i);
    const Entry& b = *xs[i];
    if (op == "Sum" || mean) {
      acc = emit_op(cx, ir::Op::Add, acc, &b, sfx);
    } else if (b.kind == Kind::Const && b.c->t.size() == 1) {  // Max / Min with a scalar: Clip
      ir::Attrs a;
      a.set(op == "Max" ? "min" : "max", b.c->t.data[0]);
      acc = emit_op(cx, ir::Op::Clip, acc, nullptr, sfx, std::move(a));
    } else {
      const std::string is = fmt::format("_{}", i);
      const Entry d = emit_op(cx, ir::Op::Sub, acc, &b, "_diff" + is);
      const Entry r = emit_op(cx, ir::Op::Relu, d, nullptr, "_relu" + is);
      acc = op == "Max" ? emit_op(cx, ir::Op::Add, r, &b, sfx) : emit_op(cx, ir::Op::Sub, acc, &r, sfx);
    }
  }
  if (mean) {
    const Entry inv = scalar_const(cx, "_inv_count", 1.0 / static_cast<double>(n));
    acc = emit_op(cx, ir::Op::Mul, acc, &inv, "");
  }
  finish(cx, acc);
}

// ---- Resize / Upsample ----

// ONNX Resize's source coordinate of output index o (before rounding).
double source_coordinate(const std::string& mode, int64_t o, double scale, int64_t in, int64_t out) {
  const double x = static_cast<double>(o);
  if (mode == "half_pixel") return (x + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel") return out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  if (mode == "align_corners") return out == 1 ? 0.0 : x * static_cast<double>(in - 1) / static_cast<double>(out - 1);
  if (mode == "tf_half_pixel_for_nn") return (x + 0.5) / scale;
  return x / scale;  // asymmetric
}

int64_t nearest_index(const std::string& rounding, double v, int64_t in) {
  double r;
  const double f = std::floor(v);
  if (rounding == "floor") r = f;
  else if (rounding == "ceil") r = std::ceil(v);
  else if (v - f == 0.5) r = rounding == "round_prefer_ceil" ? f + 1 : f;
  else r = std::round(v);
  return std::clamp<int64_t>(static_cast<int64_t>(r), 0, in - 1);
}

void check_resize(NodeCtx& cx) {
  const std::string mode = cx.s("mode", "nearest");
  if (mode != "nearest")
    cx.error(fmt::format("mode '{}' is not supported (only nearest-neighbour upsampling by whole factors)", mode));
  const std::string ct = cx.s("coordinate_transformation_mode", "half_pixel");
  static const char* cts[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"};
  if (std::none_of(std::begin(cts), std::end(cts), [&](const char* k) { return ct == k; }))
    cx.error(fmt::format("coordinate_transformation_mode '{}' is not supported", ct));
  const std::string nm = cx.s("nearest_mode", "round_prefer_floor");
  static const char* nms[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  if (std::none_of(std::begin(nms), std::end(nms), [&](const char* k) { return nm == k; }))
    cx.error(fmt::format("nearest_mode '{}' is not supported", nm));
  if (cx.i("antialias", 0) != 0) cx.error("antialias=1 is not supported");
  if (cx.has("axes")) cx.error("attribute 'axes' is not supported");
  if (cx.s("keep_aspect_ratio_policy", "stretch") != "stretch") cx.error("keep_aspect_ratio_policy other than 'stretch' is not supported");
}

void run_resize(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  const std::string& op = cx.n.op_type();
  const size_t r = x->shape.size(), R = r + 1;
  ir::Shape full{1};
  full.insert(full.end(), x->shape.begin(), x->shape.end());
  std::vector<double> scales;
  std::vector<int64_t> sizes;
  std::string ct = "asymmetric", rounding = "floor";  // Upsample and Resize-10
  if (op == "Upsample" && cx.opset < 7) {
    scales.assign(R, 1.0);
    if (R < 2) return cx.error("the input needs at least 2 axes");
    scales[R - 2] = cx.f("height_scale", 1.0);
    scales[R - 1] = cx.f("width_scale", 1.0);
  } else if (op == "Upsample" && cx.opset < 9) {
    scales = cx.floats("scales");
  } else if (op == "Upsample" || cx.opset < 11) {
    const ConstVal* s = cx.constant(1, "scales");
    if (!s) return;
    scales = s->t.data;
  } else {
    ct = cx.s("coordinate_transformation_mode", "half_pixel");
    rounding = cx.s("nearest_mode", "round_prefer_floor");
    if (ct == "tf_crop_and_resize") return cx.error("coordinate_transformation_mode 'tf_crop_and_resize' is not supported");
    const Entry* se = cx.in(2);
    if (se && se->kind == Kind::Const && se->c->t.size() > 0) scales = se->c->t.data;
    else if (se && se->kind != Kind::Const) return cx.error("the scales must be constant");
    if (cx.has_input(3)) {  // often computed from Shape(x): its batch entry is unknown (-1 here)
      const ConstVal* z = cx.constant(3, "sizes");
      std::string err;
      if (!z) return;
      if (z->t.size() > kMaxRank + 1 || !to_int_list(*z, &sizes, &err, true, -1))
        return cx.error(fmt::format("sizes {}", err.empty() ? "has too many values" : err));
    }
    if (!scales.empty() && !sizes.empty()) return cx.error("both scales and sizes are given");
    if (scales.empty() && sizes.empty()) return cx.error("neither scales nor sizes are given");
  }
  if (!sizes.empty() && sizes.size() != R) return cx.error(fmt::format("sizes has {} values for rank {}", sizes.size(), R));
  if (sizes.empty() && scales.size() != R) return cx.error(fmt::format("scales has {} values for rank {}", scales.size(), R));
  std::vector<int64_t> factor(R, 1);
  for (size_t i = 0; i < R; ++i) {
    const int64_t in = full[i];
    double scale;
    int64_t out;
    if (!sizes.empty()) {
      out = i == 0 ? 1 : sizes[i];
      if (i == 0 && sizes[0] != 1 && sizes[0] != -1 && !(cx.im.static_batch && sizes[0] == *cx.im.static_batch))
        return cx.error(fmt::format("sizes [{}] change the batch dimension", fmt::join(sizes, ",")));
      scale = static_cast<double>(out) / static_cast<double>(in);
    } else {
      if (i == 0 && std::isnan(scales[0])) scales[0] = 1.0;  // computed from Shape(x): batch / batch
      scale = static_cast<double>(static_cast<float>(scales[i]));
      if (!std::isfinite(scale) || scale <= 0 || scale > 4096)
        return cx.error(fmt::format("scale {} on axis {} is not supported", scales[i], i));
      out = static_cast<int64_t>(std::floor(static_cast<double>(in) * scale));
    }
    if (i == 0) {
      if (scale != 1.0) return cx.error(fmt::format("scale {} on the batch axis is not supported", scale));
      continue;
    }
    if (out < in || out % in != 0 || out / in > 4096)
      return cx.error(fmt::format("axis {} goes from {} to {} elements; only upsampling by a whole factor is supported", i,
                                  in, out));
    const int64_t k = out / in;
    for (int64_t o = 0; o < out; ++o) {
      const int64_t src = nearest_index(rounding, source_coordinate(ct, o, scale, in, out), in);
      if (src != o / k)
        return cx.error(fmt::format("with coordinate_transformation_mode '{}' and nearest_mode '{}', output {} of axis {} "
                                    "reads input {}: not a repetition of each element {} times; not supported",
                                    ct, rounding, o, i, src, k));
    }
    factor[i] = k;
  }
  // Repeat along each upsampled axis, in the IR's own axis order.
  auto ap = cx.im.axis_perm(*x);
  std::vector<int64_t> P = ap ? *ap : (r >= 2 ? channels_last_perm(r) : iota_perm(r));
  ir::ValueId v = cx.im.convert(cx, *x, P);
  ir::Shape T = ir::permute_shape(x->shape, P), S = x->shape;
  for (size_t i = 0; i < r; ++i) S[i] *= factor[i + 1];
  std::vector<size_t> axes;
  for (size_t j = 0; j < r; ++j)
    if (factor[static_cast<size_t>(P[j]) + 1] > 1) axes.push_back(j);
  if (axes.empty()) return finish(cx, emit_op(cx, ir::Op::Identity, *x, nullptr, ""));
  for (size_t q = 0; q < axes.size(); ++q) {
    const size_t j = axes[q];
    const int64_t k = factor[static_cast<size_t>(P[j]) + 1];
    int64_t outer = 1, inner = 1;
    for (size_t i = 0; i <= j; ++i) outer *= T[i];
    for (size_t i = j + 1; i < r; ++i) inner *= T[i];
    ir::ValueId col = cx.im.reshape(cx, v, {outer, 1, inner}, "_reshape");
    ir::Attrs a;
    a.set("axis", int64_t{1});
    ir::ValueId rep = cx.emit(ir::Op::Concat, std::vector<ir::ValueId>(static_cast<size_t>(k), col), {outer, k, inner},
                              std::move(a), fmt::format("_repeat{}", q));
    T[j] *= k;
    v = cx.emit(ir::Op::Reshape, {rep}, T, {}, q + 1 == axes.size() ? "" : fmt::format("_repeated{}", q));
  }
  cx.set_data(0, v, S, {S, P});
}

// ---- QONNX channels-last ops ----

void run_channels_last(NodeCtx& cx) {
  std::string base = cx.n.op_type();
  if (auto pos = base.rfind("_v"); pos != std::string::npos) base = base.substr(0, pos);
  const OpDef* def = find_std_op(base);
  const Entry* x = cx.data(0);
  if (!x || !def) return;
  const size_t r = x->shape.size();
  if (r < 1) return cx.error("the input has no channel axis");
  std::vector<int64_t> to_cf{static_cast<int64_t>(r) - 1}, to_cl;
  for (size_t i = 0; i + 1 < r; ++i) to_cf.push_back(static_cast<int64_t>(i));
  for (size_t i = 1; i < r; ++i) to_cl.push_back(static_cast<int64_t>(i));
  to_cl.push_back(0);
  // The standard op on the channels-first view, under a value name no ONNX file can hold.
  onnx::NodeProto m = cx.n;
  m.set_domain("");
  m.set_op_type(base);
  m.set_name(cx.label);
  const std::string tmp = std::string("\x01") + "channels_first:" + cx.n.input(0);
  m.set_input(0, tmp);
  Entry cf = transposed_entry(cx, *x, to_cf);
  cf.name = tmp;
  cx.im.env[tmp] = std::move(cf);
  NodeCtx inner(cx.im, m, cx.opset);
  def->run(inner);
  cx.im.env.erase(tmp);
  auto it = cx.im.env.find(cx.n.output(0));
  if (inner.failed || it == cx.im.env.end() || it->second.kind != Kind::Data) {
    cx.failed = true;
    return;
  }
  const Entry y = it->second;
  cx.set(0, transposed_entry(cx, y, to_cl));
}

}  // namespace

void add_compat_ops(std::vector<OpDef>& t) {
  t.push_back({"Selu", false, {"alpha", "gamma"}, nullptr, run_selu});
  t.push_back({"HardSwish", false, {}, nullptr, run_hard_swish});
  for (const char* op : {"Softplus", "Softsign", "Erf"}) t.push_back({op, false, {}, nullptr, run_unary_table});
  t.push_back({"ThresholdedRelu", false, {"alpha"}, check_thresholded_relu, run_thresholded_relu});
  t.push_back({"Neg", false, {}, nullptr, run_neg});
  t.push_back({"Abs", false, {}, nullptr, run_abs});
  t.push_back({"Pow", false, {}, nullptr, run_pow, 2});
  for (const char* op : {"Sum", "Mean", "Max", "Min"}) t.push_back({op, false, {}, nullptr, run_variadic});
  const std::vector<const char*> resize_attrs{"mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a",
                                              "exclude_outside", "extrapolation_value", "antialias", "axes",
                                              "keep_aspect_ratio_policy"};
  t.push_back({"Resize", false, resize_attrs, check_resize, run_resize});
  t.push_back({"Upsample", false, {"mode", "scales", "height_scale", "width_scale"}, check_resize, run_resize});
}

void add_channels_last_ops(std::vector<OpDef>& t) {
  std::vector<OpDef> cl;
  for (const OpDef& d : t)
    for (const char* op : {"Conv", "MaxPool", "AveragePool", "BatchNormalization"})
      if (!d.qonnx && std::string(d.op_type) == op) {
        OpDef c = d;
        c.run = run_channels_last;
        c.channels_last = true;
        cl.push_back(c);
      }
  t.insert(t.end(), cl.begin(), cl.end());
}

}  // namespace tachyon::frontends::onnx_import
