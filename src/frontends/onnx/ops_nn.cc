// Gemm, MatMul, Conv, pools, global pools (and ReduceMean / ReduceMax over space),
// BatchNormalization.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "frontends/onnx/importer.h"

namespace tachyon::frontends::onnx_import {

namespace {

// The transform of a (K, N) weight whose rows must follow the IR order of x's elements.
void permute_rows(const Entry& x, int64_t K, int64_t N, Transform* t) {
  const Layout L = normalize(x.layout);
  if (L.identity()) return;
  ir::Shape s = L.src;
  s.push_back(N);
  std::vector<int64_t> p = L.perm;
  p.push_back(static_cast<int64_t>(p.size()));
  t->push_back({Step::Reshape, s});
  t->push_back({Step::Transpose, p});
  t->push_back({Step::Reshape, {K, N}});
}

void check_gemm(NodeCtx& cx) {
  if (cx.i("transA", 0) != 0) cx.error("transA=1 is not supported (the input must be [batch, K])");
  const int64_t tb = cx.i("transB", 0);
  if (tb != 0 && tb != 1) cx.error(fmt::format("transB is {}, expected 0 or 1", tb));
}

void run_gemm(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  if (x->shape.size() != 1) return cx.error(fmt::format("input A must be [batch, K], got [batch]+{}", shape_string(x->shape)));
  if (!cx.const_like(1)) return cx.error("input B must be a constant (weights)");
  const Entry& B = *cx.in(1);
  if (B.shape.size() != 2) return cx.error(fmt::format("B has shape {}, expected 2-D", shape_string(B.shape)));
  const bool tb = cx.i("transB", 0) != 0;
  const int64_t K = x->shape[0], Kb = tb ? B.shape[1] : B.shape[0], N = tb ? B.shape[0] : B.shape[1];
  if (Kb != K) return cx.error(fmt::format("B has shape {} (transB={}) but A has {} columns", shape_string(B.shape), tb ? 1 : 0, K));
  Transform t;
  if (tb) t.push_back({Step::Transpose, {1, 0}});
  permute_rows(*x, K, N, &t);
  std::vector<ir::ValueId> ins{cx.im.reshape(cx, x->id, {K}, "_reshape"), cx.im.materialize(cx, B, t)};
  if (cx.has_input(2)) {
    if (!cx.const_like(2)) return cx.error("input C must be a constant (bias)");
    const Entry& C = *cx.in(2);
    const int64_t n = num_elements(C.shape);
    Transform tc;
    if (n == N) tc.push_back({Step::Reshape, {N}});
    else if (n == 1) tc = {{Step::Reshape, {1}}, {Step::Broadcast, {N}}};
    else return cx.error(fmt::format("C has shape {}, which does not broadcast to [batch,{}]", shape_string(C.shape), N));
    ins.push_back(cx.im.materialize(cx, C, tc));
  }
  ir::Attrs a;
  a.set("alpha", cx.f("alpha", 1.0));
  a.set("beta", cx.f("beta", 1.0));
  a.set("transA", int64_t{0});
  a.set("transB", int64_t{0});
  ir::ValueId out = cx.emit(ir::Op::Gemm, std::move(ins), {N}, std::move(a));
  cx.set_data(0, out, {N}, {});
}

void run_matmul(NodeCtx& cx) {
  const Entry* a = cx.in(0);
  if (a->kind != Kind::Data)
    return cx.error(cx.in(1)->kind == Kind::Data ? "a constant first operand (constant x activation) is not supported"
                                                  : "MatMul of constants is not supported");
  if (!cx.const_like(1)) return cx.error("MatMul of two activations is not supported (B must be constant weights)");
  const Entry& B = *cx.in(1);
  if (B.shape.size() != 2) return cx.error(fmt::format("B has shape {}, expected 2-D (K, N)", shape_string(B.shape)));
  const size_t r = a->shape.size();
  if (r == 0) return cx.error("A has no feature axis");
  const int64_t K = a->shape.back(), N = B.shape[1];
  if (B.shape[0] != K) return cx.error(fmt::format("B has shape {} but A has {} columns", shape_string(B.shape), K));
  Transform t;
  ir::Shape S = a->shape;
  S.back() = N;
  if (r == 1) {
    permute_rows(*a, K, N, &t);
    std::vector<ir::ValueId> ins{cx.im.reshape(cx, a->id, {K}, "_reshape"), cx.im.materialize(cx, B, t)};
    ir::ValueId out = cx.emit(ir::Op::MatMul, std::move(ins), {N});
    return cx.set_data(0, out, {N}, {});
  }
  std::vector<int64_t> P = iota_perm(r);
  ir::ValueId xid;
  auto ap = cx.im.axis_perm(*a);
  if (ap && ap->back() == static_cast<int64_t>(r) - 1) {
    P = *ap;
    xid = a->id;
  } else {
    xid = cx.im.convert(cx, *a, P);
  }
  ir::ValueId out = cx.emit(ir::Op::MatMul, {xid, cx.im.materialize(cx, B, t)}, ir::permute_shape(S, P));
  cx.set_data(0, out, S, {S, P});
}

// ---- convolution and pooling ----

void check_auto_pad(NodeCtx& cx) {
  const std::string ap = cx.s("auto_pad", "NOTSET");
  if (ap != "NOTSET" && ap != "VALID" && ap != "SAME_UPPER" && ap != "SAME_LOWER")
    cx.error(fmt::format("auto_pad '{}' is not supported", ap));
}

// Pools take no dilation (the IR's pooling windows are dense).
void check_pool_dilations(NodeCtx& cx) {
  const auto d = cx.ints("dilations");
  if (std::any_of(d.begin(), d.end(), [](int64_t v) { return v != 1; }))
    cx.error(fmt::format("dilations [{}] are not supported on pooling (only 1)", fmt::join(d, ",")));
}

void check_conv(NodeCtx& cx) {
  check_auto_pad(cx);
  const auto d = cx.ints("dilations");
  if (std::any_of(d.begin(), d.end(), [](int64_t v) { return v < 1 || v > (int64_t{1} << 20); }))
    cx.error(fmt::format("dilations [{}] must be in 1..2^20", fmt::join(d, ",")));
  if (cx.i("group", 1) < 1) cx.error("group must be positive");
}

// Spatial window parameters shared by Conv and the pools; `span` is the input cells one window
// covers, dilation*(kernel-1)+1.
struct Window {
  std::vector<int64_t> k, dilations, strides, pads, out, span;
};

bool window(NodeCtx& cx, const ir::Shape& in, std::vector<int64_t> k, Window* w, bool dilated = false) {
  const size_t ns = in.size();
  w->k = std::move(k);
  w->dilations = dilated ? cx.ints("dilations", std::vector<int64_t>(ns, 1)) : std::vector<int64_t>(ns, 1);
  w->strides = cx.ints("strides", std::vector<int64_t>(ns, 1));
  w->pads = cx.ints("pads", std::vector<int64_t>(2 * ns, 0));
  if (w->k.size() != ns || w->strides.size() != ns || w->pads.size() != 2 * ns || w->dilations.size() != ns) {
    cx.error(fmt::format("kernel_shape / strides / pads / dilations have {} / {} / {} / {} values for {} spatial axes",
                         w->k.size(), w->strides.size(), w->pads.size(), w->dilations.size(), ns));
    return false;
  }
  for (size_t i = 0; i < ns; ++i)
    if (w->k[i] < 1 || w->k[i] > (int64_t{1} << 31) || w->strides[i] < 1 || w->strides[i] > (int64_t{1} << 31) ||
        w->pads[i] < 0 || w->pads[i + ns] < 0 || w->pads[i] > (int64_t{1} << 31) || w->pads[i + ns] > (int64_t{1} << 31) ||
        w->dilations[i] < 1 || w->dilations[i] > (int64_t{1} << 20)) {
      cx.error(fmt::format("invalid kernel_shape [{}], strides [{}], pads [{}] or dilations [{}]", fmt::join(w->k, ","),
                           fmt::join(w->strides, ","), fmt::join(w->pads, ","), fmt::join(w->dilations, ",")));
      return false;
    }
  w->span.clear();
  for (size_t i = 0; i < ns; ++i) w->span.push_back(w->dilations[i] * (w->k[i] - 1) + 1);
  const std::string ap = cx.s("auto_pad", "NOTSET");
  if (ap == "VALID") std::fill(w->pads.begin(), w->pads.end(), 0);
  if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
    for (size_t i = 0; i < ns; ++i) {
      const int64_t o = (in[i] + w->strides[i] - 1) / w->strides[i];
      const int64_t total = std::max<int64_t>((o - 1) * w->strides[i] + w->span[i] - in[i], 0);
      w->pads[i] = ap == "SAME_UPPER" ? total / 2 : total - total / 2;
      w->pads[i + ns] = total - w->pads[i];
    }
  }
  w->out.clear();
  for (size_t i = 0; i < ns; ++i) {
    const int64_t padded = in[i] + w->pads[i] + w->pads[i + ns];
    if (padded < w->span[i]) {
      cx.error(w->dilations[i] == 1
                   ? fmt::format("the window {} is larger than the padded input {} on spatial axis {}", w->k[i], padded, i)
                   : fmt::format("the dilated window {} (kernel {}, dilation {}) is larger than the padded input {} on "
                                 "spatial axis {}",
                                 w->span[i], w->k[i], w->dilations[i], padded, i));
      return false;
    }
    w->out.push_back((padded - w->span[i]) / w->strides[i] + 1);
  }
  return true;
}

void set_window_attrs(ir::Attrs& a, const Window& w) {
  a.set("kernel_shape", w.k);
  a.set("strides", w.strides);
  a.set("pads", w.pads);
}

const Entry* spatial_input(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (x && x->shape.size() != 2 && x->shape.size() != 3) {
    cx.error(fmt::format("input of shape [batch]+{} is not supported (1D [N,C,L] and 2D [N,C,H,W] only)",
                         shape_string(x->shape)));
    return nullptr;
  }
  return x;
}

void run_conv(NodeCtx& cx) {
  const Entry* x = spatial_input(cx);
  if (!x) return;
  const size_t r = x->shape.size();
  const int64_t C = x->shape[0];
  if (!cx.const_like(1)) return cx.error("the weights must be constant");
  const Entry& W = *cx.in(1);
  if (W.shape.size() != r + 1) return cx.error(fmt::format("weights of shape {} for a {}D convolution", shape_string(W.shape), r - 1));
  const int64_t cout = W.shape[0], g = cx.i("group", 1);
  if (g == 1) {
    if (W.shape[1] != C) return cx.error(fmt::format("weights of shape {} for {} input channels", shape_string(W.shape), C));
  } else if (g == C) {
    if (W.shape[1] != 1 || cout % C != 0)
      return cx.error(fmt::format("depthwise weights of shape {} for {} channels", shape_string(W.shape), C));
  } else {
    return cx.error(fmt::format("group {} is not supported (only 1, or depthwise with group == input channels {})", g, C));
  }
  std::vector<int64_t> k(W.shape.begin() + 2, W.shape.end());
  if (cx.has("kernel_shape") && cx.ints("kernel_shape") != k)
    return cx.error(fmt::format("kernel_shape [{}] differs from the weights' shape {}", fmt::join(cx.ints("kernel_shape"), ","),
                                shape_string(W.shape)));
  Window w;
  if (!window(cx, ir::Shape(x->shape.begin() + 1, x->shape.end()), k, &w, true)) return;
  const auto CL = channels_last_perm(r);
  std::vector<ir::ValueId> ins{cx.im.convert(cx, *x, CL),
                               cx.im.materialize(cx, W, {{Step::Transpose, r == 2 ? std::vector<int64_t>{2, 1, 0}
                                                                                   : std::vector<int64_t>{2, 3, 1, 0}}})};
  if (cx.has_input(2)) {
    if (!cx.const_like(2)) return cx.error("the bias must be constant");
    const Entry& b = *cx.in(2);
    if (num_elements(b.shape) != cout) return cx.error(fmt::format("bias of shape {} for {} filters", shape_string(b.shape), cout));
    ins.push_back(cx.im.materialize(cx, b, {{Step::Reshape, {cout}}}));
  }
  ir::Attrs a;
  set_window_attrs(a, w);
  a.set("group", g);
  a.set("dilations", w.dilations);
  ir::Shape S{cout};
  S.insert(S.end(), w.out.begin(), w.out.end());
  ir::ValueId out = cx.emit(ir::Op::Conv, std::move(ins), ir::permute_shape(S, CL), std::move(a));
  cx.set_data(0, out, S, {S, CL});
}

void check_pool(NodeCtx& cx) {
  check_auto_pad(cx);
  check_pool_dilations(cx);
  if (cx.i("storage_order", 0) != 0) cx.error("storage_order=1 is not supported");
  const int64_t cm = cx.i("ceil_mode", 0);
  if (cm != 0 && cm != 1) cx.error(fmt::format("ceil_mode is {}, expected 0 or 1", cm));
  const int64_t cip = cx.i("count_include_pad", 0);
  if (cip != 0 && cip != 1) cx.error(fmt::format("count_include_pad is {}, expected 0 or 1", cip));
  if (!cx.has("kernel_shape")) cx.error("attribute 'kernel_shape' is missing");
}

void run_pool(NodeCtx& cx) {
  const Entry* x = spatial_input(cx);
  if (!x) return;
  const size_t r = x->shape.size();
  const ir::Shape in(x->shape.begin() + 1, x->shape.end());
  Window w;
  if (!window(cx, in, cx.ints("kernel_shape"), &w)) return;
  if (cx.i("ceil_mode", 0) == 1) {
    for (size_t i = 0; i < in.size(); ++i) {
      const int64_t span = in[i] + w.pads[i] + w.pads[i + in.size()] - w.k[i];
      int64_t o = (span + w.strides[i] - 1) / w.strides[i] + 1;
      if ((o - 1) * w.strides[i] >= in[i] + w.pads[i]) --o;  // the last window must start inside
      if (o != w.out[i])
        return cx.error(fmt::format("ceil_mode=1 gives {} outputs instead of {} on spatial axis {}; not supported", o,
                                    w.out[i], i));
    }
  }
  const bool is_max = cx.n.op_type() == "MaxPool";
  ir::Attrs a;
  set_window_attrs(a, w);
  if (!is_max) a.set("count_include_pad", cx.i("count_include_pad", 0));
  const auto CL = channels_last_perm(r);
  ir::Shape S{x->shape[0]};
  S.insert(S.end(), w.out.begin(), w.out.end());
  ir::ValueId out = cx.emit(is_max ? ir::Op::MaxPool : ir::Op::AvgPool, {cx.im.convert(cx, *x, CL)},
                            ir::permute_shape(S, CL), std::move(a));
  cx.set_data(0, out, S, {S, CL});
}

// A global pool over all axes of x but its first (channels); the result has ONNX shape S.
void global_pool(NodeCtx& cx, const Entry& x, bool is_max, const ir::Shape& S, bool sum = false) {
  const size_t r = x.shape.size();
  const int64_t C = x.shape[0];
  ir::ValueId v = cx.im.convert(cx, x, channels_last_perm(r));
  ir::ValueId out = cx.emit(is_max ? ir::Op::GlobalMaxPool : ir::Op::GlobalAvgPool, {v}, {C}, {}, sum ? "_mean" : "");
  if (sum) {  // ReduceSum = the mean times the number of summed elements
    const double count = static_cast<double>(num_elements(x.shape) / C);
    out = cx.emit(ir::Op::Mul, {out, cx.im.add_constant(cx.label + "_count", ir::Tensor::scalar(count))}, {C});
  }
  cx.set_data(0, out, S, {});
}

void run_global_pool(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  if (x->shape.size() < 2) return cx.error(fmt::format("input of shape [batch]+{} has no spatial axes", shape_string(x->shape)));
  ir::Shape S(x->shape.size(), 1);
  S[0] = x->shape[0];
  global_pool(cx, *x, cx.n.op_type() == "GlobalMaxPool", S);
}

void run_reduce(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  const size_t r = x->shape.size();
  std::vector<int64_t> axes;
  bool have_axes = false;
  if (cx.opset >= 18 || (cx.opset >= 13 && cx.n.op_type() == "ReduceSum")) {
    if (cx.has_input(1)) {
      auto v = cx.int_list_input(1, "axes");
      if (!v) return;
      axes = *v;
      have_axes = !axes.empty();
    }
    if (!have_axes && cx.i("noop_with_empty_axes", 0) == 1) {
      ir::ValueId out = cx.emit(ir::Op::Identity, {x->id}, cx.im.ir_shape(*x));
      return cx.set_data(0, out, x->shape, x->layout);
    }
  } else if (cx.has("axes")) {
    axes = cx.ints("axes");
    have_axes = true;
  }
  std::set<int64_t> got;
  for (int64_t a : axes) {
    const int64_t s = cx.sample_axis(a, r, "axis");
    if (s < 0) return;
    got.insert(s);
  }
  // Over every axis but one (the channels: NCHW [1..r-1], or NHWC-style [0..r-2] as Keras
  // exports write it): a global pool over the channels-first view of x.
  int64_t keep_axis = -1;
  for (size_t c = 0; c < r && have_axes && r >= 2 && got.size() + 1 == r; ++c)
    if (!got.count(static_cast<int64_t>(c))) keep_axis = static_cast<int64_t>(c);
  if (keep_axis < 0)
    return cx.error(fmt::format("{} over axes [{}] of a [batch]+{} tensor is not supported (only over all axes but one)",
                                cx.n.op_type(), fmt::join(axes, ","), shape_string(x->shape)));
  const int64_t keep = cx.i("keepdims", 1);
  if (keep != 0 && keep != 1) return cx.error(fmt::format("keepdims is {}, expected 0 or 1", keep));
  std::vector<int64_t> front{keep_axis};
  for (size_t i = 0; i < r; ++i)
    if (static_cast<int64_t>(i) != keep_axis) front.push_back(static_cast<int64_t>(i));
  const Entry xc = keep_axis == 0 ? *x : transposed_entry(cx, *x, front);
  ir::Shape S = keep == 1 ? ir::Shape(r, 1) : ir::Shape{1};
  S[keep == 1 ? static_cast<size_t>(keep_axis) : 0] = x->shape[static_cast<size_t>(keep_axis)];
  global_pool(cx, xc, cx.n.op_type() == "ReduceMax", S, cx.n.op_type() == "ReduceSum");
}

void check_batchnorm(NodeCtx& cx) {
  if (cx.i("training_mode", 0) != 0) cx.error("training_mode=1 is not supported");
  // Opset 6: is_test=0 (the default) is training mode, whose extra outputs (running and saved
  // statistics) a model can only use while training. With the single output Y, a file means
  // inference (the stored statistics): exporters of that era often left is_test out.
  if (cx.opset < 7 && cx.i("is_test", 0) == 0 && cx.num_outputs() > 1)
    cx.error("is_test=0 with several outputs is training mode; not supported");
  const int64_t sp = cx.i("spatial", 1);
  if (sp != 0 && sp != 1) cx.error(fmt::format("spatial is {}, expected 0 or 1", sp));
}

void run_batchnorm(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  const size_t r = x->shape.size();
  if (r == 0) return cx.error("input has no channel axis");
  if (cx.num_inputs() != 5) return cx.error(fmt::format("expected 5 inputs, got {}", cx.num_inputs()));
  const int64_t C = x->shape[0];
  // spatial=0 (opset < 9): one statistic per element of the sample. Equivalent to spatial=1
  // when every channel holds one element (a [batch, C] input); other cases are refused.
  if (cx.i("spatial", 1) == 0 && r > 1 && num_elements(x->shape) != C)
    return cx.error(fmt::format("spatial=0 (per-element statistics) on a [batch]+{} input is not supported",
                                shape_string(x->shape)));
  const std::vector<int64_t> P = r == 1 ? std::vector<int64_t>{0} : channels_last_perm(r);
  std::vector<ir::ValueId> ins{cx.im.convert(cx, *x, P)};
  for (int k = 1; k <= 4; ++k) {
    if (!cx.const_like(k)) return cx.error(fmt::format("input '{}' must be a constant", cx.n.input(k)));
    const Entry& p = *cx.in(k);
    if (num_elements(p.shape) != C)
      return cx.error(fmt::format("parameter '{}' has shape {} ({} values), but the input [batch]+{} has {} channels on "
                                  "axis 1: one value per channel expected",
                                  p.name, shape_string(p.shape), num_elements(p.shape), shape_string(x->shape), C));
    ins.push_back(cx.im.materialize(cx, p, {{Step::Reshape, {C}}}));
  }
  ir::Attrs a;
  a.set("epsilon", cx.f("epsilon", 1e-5));
  ir::ValueId out = cx.emit(ir::Op::BatchNormInference, std::move(ins), ir::permute_shape(x->shape, P), std::move(a));
  cx.set_data(0, out, x->shape, {x->shape, P});
}

}  // namespace

void add_nn_ops(std::vector<OpDef>& t) {
  t.push_back({"Gemm", false, {"alpha", "beta", "transA", "transB", "broadcast"}, check_gemm, run_gemm, 2});
  t.push_back({"MatMul", false, {}, nullptr, run_matmul, 2});
  t.push_back({"Conv", false, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}, check_conv, run_conv, 2});
  const std::vector<const char*> pool_attrs{"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order",
                                            "strides"};
  t.push_back({"MaxPool", false, pool_attrs, check_pool, run_pool});
  t.push_back({"AveragePool", false, {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"},
               check_pool, run_pool});
  t.push_back({"GlobalAveragePool", false, {}, nullptr, run_global_pool});
  t.push_back({"GlobalMaxPool", false, {}, nullptr, run_global_pool});
  t.push_back({"ReduceMean", false, {"axes", "keepdims", "noop_with_empty_axes"}, nullptr, run_reduce});
  t.push_back({"ReduceMax", false, {"axes", "keepdims", "noop_with_empty_axes"}, nullptr, run_reduce});
  t.push_back({"ReduceSum", false, {"axes", "keepdims", "noop_with_empty_axes"}, nullptr, run_reduce});
  t.push_back({"BatchNormalization", false, {"epsilon", "momentum", "spatial", "training_mode", "is_test", "consumed_inputs"}, check_batchnorm,
               run_batchnorm, 5});
}

}  // namespace tachyon::frontends::onnx_import
