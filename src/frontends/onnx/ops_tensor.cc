// Activations, Softmax, Clip, element-wise arithmetic, Concat and the layout ops (Reshape,
// Flatten, Transpose, Pad, Squeeze, Unsqueeze, Identity, Dropout, Cast).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "frontends/onnx/importer.h"

namespace tachyon::frontends::onnx_import {

namespace {

void unary(NodeCtx& cx, ir::Op op, ir::Attrs a = {}) {
  const Entry* x = cx.data(0);
  if (!x) return;
  ir::ValueId out = cx.emit(op, {x->id}, cx.im.ir_shape(*x), std::move(a));
  cx.set_data(0, out, x->shape, x->layout);
}

void run_relu(NodeCtx& cx) { unary(cx, ir::Op::Relu); }
void run_sigmoid(NodeCtx& cx) { unary(cx, ir::Op::Sigmoid); }
void run_tanh(NodeCtx& cx) { unary(cx, ir::Op::Tanh); }
void run_alpha(NodeCtx& cx) {
  const bool leaky = cx.n.op_type() == "LeakyRelu";
  ir::Attrs a;
  a.set("alpha", cx.f("alpha", leaky ? 0.01 : 1.0));
  unary(cx, leaky ? ir::Op::LeakyRelu : ir::Op::Elu, std::move(a));
}
void run_hard_sigmoid(NodeCtx& cx) {
  ir::Attrs a;
  a.set("alpha", cx.f("alpha", 0.2));
  a.set("beta", cx.f("beta", 0.5));
  unary(cx, ir::Op::HardSigmoid, std::move(a));
}

void run_clip(NodeCtx& cx) {
  ir::Attrs a;
  if (cx.opset < 11) {
    if (cx.has("min")) a.set("min", cx.f("min", 0));
    if (cx.has("max")) a.set("max", cx.f("max", 0));
  } else {
    const char* names[] = {"", "min", "max"};
    for (int k = 1; k <= 2; ++k) {
      if (!cx.has_input(k)) continue;
      const ConstVal* c = cx.constant(k, names[k]);
      if (!c) return;
      if (c->t.size() != 1) return cx.error(fmt::format("{} must be a scalar", names[k]));
      a.set(names[k], c->t.data[0]);
    }
  }
  if (a.has("min") && a.has("max") && a.get_float("min", 0) > a.get_float("max", 0))
    return cx.error("min is larger than max");
  unary(cx, ir::Op::Clip, std::move(a));
}

void run_softmax(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  const size_t r = x->shape.size();
  const int64_t a = cx.sample_axis(cx.i("axis", cx.opset < 13 ? 1 : -1), r, "axis");
  if (a < 0) return;
  const int64_t N = num_elements(x->shape);
  if (r == 1 || (cx.opset < 13 && a == 0)) {  // over the whole sample: any element order works
    ir::ValueId v = cx.im.reshape(cx, x->id, {N}, "_reshape");
    ir::ValueId out = cx.emit(ir::Op::Softmax, {v}, {N});
    return cx.set_data(0, out, x->shape, x->layout);
  }
  if (cx.opset < 13 && a != static_cast<int64_t>(r) - 1) {
    // Softmax-1/11: the input is coerced to 2-D [outer, inner] at `axis`; inner is in ONNX order.
    int64_t inner = 1;
    for (size_t i = static_cast<size_t>(a); i < r; ++i) inner *= x->shape[i];
    ir::ValueId v = cx.im.reshape(cx, cx.im.convert(cx, *x, {}), {N / inner, inner}, "_reshape");
    ir::ValueId out = cx.emit(ir::Op::Softmax, {v}, {N / inner, inner});
    return cx.set_data(0, out, x->shape, {});
  }
  std::vector<int64_t> P;
  auto ap = cx.im.axis_perm(*x);
  if (ap && ap->back() == a) P = *ap;
  else if (a == static_cast<int64_t>(r) - 1) P = iota_perm(r);
  else if (a == 0) P = channels_last_perm(r);
  else return cx.error(fmt::format("Softmax over axis {} of a [batch]+{} tensor is not supported", a + 1, shape_string(x->shape)));
  ir::ValueId out = cx.emit(ir::Op::Softmax, {cx.im.convert(cx, *x, P)}, ir::permute_shape(x->shape, P));
  cx.set_data(0, out, x->shape, {x->shape, P});
}

// ---- element-wise arithmetic ----

ir::ValueId const_operand(NodeCtx& cx, const Entry& c, const Entry& x) {
  std::string err;
  auto t = cx.im.broadcast_transform(c.shape, x, &err);
  if (!t) throw Error(err);
  return cx.im.materialize(cx, c, *t);
}

void check_binary(NodeCtx& cx) {
  if (cx.opset >= 7 && (cx.has("broadcast") || cx.has("axis")))
    cx.error("attributes 'broadcast' / 'axis' exist only before opset 7");
  const int64_t bc = cx.i("broadcast", 0);
  if (bc != 0 && bc != 1) cx.error(fmt::format("broadcast is {}, expected 0 or 1", bc));
}

// Opset < 7 broadcasting (broadcast=1, axis=k): B's axes line up with A's starting at axis k;
// the constant gets trailing size-1 axes so that numpy rules give the same result.
bool legacy_broadcast(NodeCtx& cx, const Entry& a, const Entry& b, Entry* out) {
  if (cx.opset >= 7 || cx.i("broadcast", 0) != 1 || !cx.has("axis") || a.kind != Kind::Data || b.kind == Kind::Data)
    return false;
  const auto ra = static_cast<int64_t>(a.shape.size()) + 1, rb = static_cast<int64_t>(b.shape.size());
  int64_t k = cx.i("axis", 0);
  if (k < 0) k += ra;
  if (k < 0 || k + rb > ra)
    throw Error(fmt::format("axis {} does not fit B of shape {} into A of rank {}", cx.i("axis", 0), shape_string(b.shape), ra));
  ir::Shape s = b.shape;
  s.resize(static_cast<size_t>(ra - k), 1);
  *out = b;
  out->shape = s;
  if (b.kind == Kind::Const) {
    ConstVal c = *b.c;
    c.t = ir::Tensor(s, c.t.data);
    out->c = std::make_shared<const ConstVal>(std::move(c));
    out->name = b.name + "_legacy_broadcast";
  } else {
    auto q = std::make_shared<QRecipe>(*b.q);
    q->pre.push_back({Step::Reshape, s});
    out->q = std::move(q);
  }
  return true;
}

void run_binary(NodeCtx& cx) {
  const std::string& op = cx.n.op_type();
  if (cx.num_inputs() != 2 || !cx.in(0) || !cx.in(1)) return cx.error("expected 2 inputs");
  const Entry *a = cx.in(0), *b = cx.in(1);
  Entry legacy;
  if (legacy_broadcast(cx, *a, *b, &legacy)) b = &legacy;
  const ir::Op iop = op == "Add" ? ir::Op::Add : (op == "Sub" ? ir::Op::Sub : ir::Op::Mul);
  if (a->kind == Kind::Data && b->kind == Kind::Data) {
    if (op == "Div") {
      if (import_softsign_division(cx)) return;
      return cx.error("division by an activation is not supported (except x / (Abs(x) + 1), a Softsign)");
    }
    if (a->shape != b->shape)
      return cx.error(fmt::format("broadcasting between two activations ([batch]+{} and [batch]+{}) is not supported",
                                  shape_string(a->shape), shape_string(b->shape)));
    if (same_layout(a->layout, b->layout) && cx.im.ir_shape(*a) == cx.im.ir_shape(*b)) {
      ir::ValueId out = cx.emit(iop, {a->id, b->id}, cx.im.ir_shape(*a));
      return cx.set_data(0, out, a->shape, a->layout);
    }
    auto ap = cx.im.axis_perm(*a);
    std::vector<int64_t> P = ap ? *ap : iota_perm(a->shape.size());
    ir::ValueId va = cx.im.convert(cx, *a, P), vb = cx.im.convert(cx, *b, P);
    ir::ValueId out = cx.emit(iop, {va, vb}, ir::permute_shape(a->shape, P));
    return cx.set_data(0, out, a->shape, {a->shape, P});
  }
  if (a->kind != Kind::Data && b->kind != Kind::Data)
    return cx.error("arithmetic between a constant and a quantized constant is not supported");
  const bool swapped = a->kind != Kind::Data;
  const Entry& x = swapped ? *b : *a;
  const Entry& c = swapped ? *a : *b;
  if (op == "Div") {
    if (swapped) return cx.error("dividing a constant by an activation is not supported");
    if (c.kind != Kind::Const) return cx.error("division by a quantized constant is not supported");
    ConstVal r = *c.c;
    r.dtype = onnx::TensorProto::FLOAT;
    for (double& v : r.t.data) {
      if (v == 0 || !std::isfinite(v)) return cx.error(fmt::format("division by a constant holding {}", v));
      v = 1.0 / v;
    }
    Entry rc;
    rc.kind = Kind::Const;
    rc.name = c.name + "_reciprocal";
    rc.shape = c.shape;
    rc.c = std::make_shared<const ConstVal>(std::move(r));
    // The constant first: adding it may move the graph's values (and x's shape with them).
    ir::ValueId rv = const_operand(cx, rc, x);
    ir::ValueId out = cx.emit(ir::Op::Mul, {x.id, rv}, ir::Shape(cx.im.ir_shape(x)));
    return cx.set_data(0, out, x.shape, x.layout);
  }
  ir::ValueId cv = const_operand(cx, c, x);
  if (op == "Sub" && swapped) {  // c - x = (-1) * x + c
    ir::ValueId m1 = cx.im.add_constant(cx.label + "_minus_one", ir::Tensor::scalar(-1.0));
    ir::ValueId neg = cx.emit(ir::Op::Mul, {x.id, m1}, cx.im.ir_shape(x), {}, "_neg");
    ir::ValueId out = cx.emit(ir::Op::Add, {neg, cv}, cx.im.ir_shape(x));
    return cx.set_data(0, out, x.shape, x.layout);
  }
  ir::ValueId out = cx.emit(iop, {x.id, cv}, cx.im.ir_shape(x));
  cx.set_data(0, out, x.shape, x.layout);
}

void run_prelu(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  if (!cx.const_like(1)) return cx.error("the slope must be constant");
  ir::ValueId slopes = const_operand(cx, *cx.in(1), *x);  // first: it may move the graph's values
  ir::ValueId out = cx.emit(ir::Op::PRelu, {x->id, slopes}, ir::Shape(cx.im.ir_shape(*x)));
  cx.set_data(0, out, x->shape, x->layout);
}

void run_concat(NodeCtx& cx) {
  if (!cx.has("axis")) return cx.error("attribute 'axis' is missing");
  std::vector<const Entry*> xs;
  for (int k = 0; k < cx.num_inputs(); ++k) {
    if (!cx.has_input(k)) continue;
    const Entry* e = cx.in(k);
    if (e->kind != Kind::Data) return cx.error(fmt::format("concatenating the constant '{}' with activations is not supported", e->name));
    xs.push_back(e);
  }
  if (xs.empty()) return cx.error("no inputs");
  const size_t r = xs[0]->shape.size();
  const int64_t a = cx.sample_axis(cx.i("axis", 0), r, "axis");
  if (a < 0) return;
  ir::Shape S = xs[0]->shape;
  S[static_cast<size_t>(a)] = 0;
  for (const Entry* e : xs) {
    ir::Shape s = e->shape;
    if (s.size() != r) return cx.error("inputs have different ranks");
    S[static_cast<size_t>(a)] += s[static_cast<size_t>(a)];
    s[static_cast<size_t>(a)] = S[static_cast<size_t>(a)];
    if (s != S) return cx.error(fmt::format("input '{}' of shape [batch]+{} does not match", e->name, shape_string(e->shape)));
  }
  auto ap = cx.im.axis_perm(*xs[0]);
  const std::vector<int64_t> P = ap ? *ap : iota_perm(r);
  std::vector<ir::ValueId> ins;
  for (const Entry* e : xs) ins.push_back(cx.im.convert(cx, *e, P));
  ir::Attrs attrs;
  attrs.set("axis", static_cast<int64_t>(std::find(P.begin(), P.end(), a) - P.begin()));
  ir::ValueId out = cx.emit(ir::Op::Concat, std::move(ins), ir::permute_shape(S, P), std::move(attrs));
  cx.set_data(0, out, S, {S, P});
}

// ---- layout ops ----

// A layout op on a quantized constant (e.g. Quant(W) -> Transpose -> MatMul): recorded on the
// recipe; the quantizer is emitted later on the transformed constant (moving elements before
// or after an element-wise quantizer is the same). Constants have no batch axis.
bool qconst_layout_op(NodeCtx& cx) {
  const Entry* x = cx.in(0);
  if (!x || x->kind != Kind::QConst) return false;
  const std::string& op = cx.n.op_type();
  const ir::Shape& s = x->shape;
  const auto r = static_cast<int64_t>(s.size());
  Step step{Step::Reshape, {}};
  auto axis = [&](int64_t a, int64_t rank) {
    if (a < -rank || a >= rank) throw Error(fmt::format("axis {} is out of range", a));
    return a < 0 ? a + rank : a;
  };
  if (op == "Transpose") {
    std::vector<int64_t> perm = cx.ints("perm");
    if (perm.empty())
      for (int64_t i = r; i-- > 0;) perm.push_back(i);
    std::vector<int64_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    if (sorted != iota_perm(s.size())) throw Error(fmt::format("perm [{}] is not a permutation", fmt::join(perm, ",")));
    step = {Step::Transpose, perm};
  } else if (op == "Flatten") {
    const int64_t a = cx.i("axis", 1) < 0 ? cx.i("axis", 1) + r : cx.i("axis", 1);
    if (a < 0 || a > r) throw Error("axis out of range");
    int64_t outer = 1;
    for (int64_t i = 0; i < a; ++i) outer *= s[static_cast<size_t>(i)];
    step.v = {outer, num_elements(s) / std::max<int64_t>(outer, 1)};
  } else if (op == "Reshape") {
    auto t = cx.int_list_input(1, "shape");
    if (!t) return true;
    int64_t known = 1, infer = -1;
    for (size_t i = 0; i < t->size(); ++i) {
      int64_t& d = (*t)[i];
      if (d == 0) d = i < s.size() ? s[i] : 0;
      if (d == -1 && infer < 0) infer = static_cast<int64_t>(i);
      else if (d <= 0 || d > num_elements(s)) throw Error(fmt::format("invalid target shape entry {}", d));
      else known *= d;
    }
    if (infer >= 0) (*t)[static_cast<size_t>(infer)] = num_elements(s) / known;
    if (num_elements(*t) != num_elements(s)) throw Error("target shape has another number of elements");
    step.v = *t;
  } else if (op == "Squeeze" || op == "Unsqueeze") {
    std::vector<int64_t> axes = cx.opset < 13 ? cx.ints("axes") : std::vector<int64_t>{};
    if (cx.opset >= 13 && cx.has_input(1)) {
      auto a = cx.int_list_input(1, "axes");
      if (!a) return true;
      axes = *a;
    }
    const int64_t out_rank = op == "Squeeze" ? r : r + static_cast<int64_t>(axes.size());
    std::set<int64_t> at;
    for (int64_t a : axes) at.insert(axis(a, out_rank));
    if (at.size() != axes.size()) throw Error("repeated axes");
    size_t j = 0;
    for (int64_t i = 0; i < out_rank; ++i) {
      const bool hit = at.count(i) > 0;
      if (op == "Unsqueeze") step.v.push_back(hit ? 1 : s.at(j++));
      else if (!(axes.empty() ? s[static_cast<size_t>(i)] == 1 : hit)) step.v.push_back(s[static_cast<size_t>(i)]);
    }
    if (num_elements(step.v) != num_elements(s)) throw Error("squeezed axes must have size 1");
  } else {
    return false;
  }
  auto q = std::make_shared<QRecipe>(*x->q);
  q->pre.push_back(step);
  Entry e;
  e.kind = Kind::QConst;
  e.shape = transform_shape(s, {step});
  e.q = std::move(q);
  cx.set(0, std::move(e));
  return true;
}

// The same flat ONNX data viewed with a new ONNX shape S (Flatten, Reshape, Squeeze, ...).
void reshape_data(NodeCtx& cx, const Entry& x, const ir::Shape& S) {
  ir::ValueId v = x.id;
  ir::Shape internal = S;
  Layout layout;
  if (!normalize(x.layout).identity()) {
    const auto CL = channels_last_perm(S.size());
    if (S.size() >= 2 && same_layout(x.layout, Layout{S, CL})) {
      internal = ir::permute_shape(S, CL);
      layout = Layout{S, CL};
    } else if (S.size() == 1) {
      layout = x.layout;  // weights downstream are permuted to this order
    } else {
      v = cx.im.convert(cx, x, {});
    }
  }
  if (cx.im.g.value(v).shape != internal) v = cx.emit(ir::Op::Reshape, {v}, internal);
  cx.set_data(0, v, S, layout);
}

void run_flatten(NodeCtx& cx) {
  if (qconst_layout_op(cx)) return;
  const Entry* x = cx.data(0);
  if (!x) return;
  const auto r = static_cast<int64_t>(x->shape.size());
  int64_t a = cx.i("axis", 1);
  if (a < -(r + 1) || a > r) return cx.error(fmt::format("axis {} is out of range", a));
  if (a < 0) a += r + 1;
  if (a == 0 && cx.im.static_batch != std::optional<int64_t>(1))
    return cx.error("axis 0 folds the batch into the features; supported only when the graph input declares a batch "
                    "of 1 (then it is the per-sample flatten)");
  for (int64_t i = 0; i + 1 < a; ++i)  // a == 0 (batch of 1): nothing to check
    if (x->shape[static_cast<size_t>(i)] != 1)
      return cx.error(fmt::format("axis {} would merge the batch with other axes; not supported", a));
  reshape_data(cx, *x, {num_elements(x->shape)});
}

void run_reshape(NodeCtx& cx) {
  if (qconst_layout_op(cx)) return;
  const Entry* x = cx.data(0);
  if (!x) return;
  constexpr int64_t kBatch = INT64_MIN;
  std::vector<int64_t> t;
  if (!cx.has_input(1) && cx.has("shape")) {  // Reshape-1 (old exporters): the shape is an attribute
    t = cx.ints("shape");
  } else {
    const ConstVal* sc = cx.constant(1, "shape");
    if (!sc) return;
    std::string err;
    if (sc->t.size() > kMaxRank + 1 || !to_int_list(*sc, &t, &err, true, kBatch))
      return cx.error(fmt::format("shape input {}", err.empty() ? "is too long" : err));
  }
  const bool allowzero = cx.i("allowzero", 0) == 1;
  if (t.empty()) return cx.error("reshape to a scalar drops the batch axis");
  const int64_t N = num_elements(x->shape), first = t[0];
  if (!(first == kBatch || first == 0 || first == -1 || first == 1 || (cx.im.static_batch && first == *cx.im.static_batch)))
    return cx.error(fmt::format("target shape [{}] changes the batch dimension", fmt::join(t, ",")));
  ir::Shape S;
  int64_t known = 1, infer = -1;
  for (size_t i = 1; i < t.size(); ++i) {
    int64_t d = t[i];
    if (d == kBatch) return cx.error("target shape uses the batch size outside the first axis");
    if (d == 0 && !allowzero) {
      if (i - 1 >= x->shape.size()) return cx.error("target shape copies a dimension that does not exist");
      d = x->shape[i - 1];
    }
    if (d == -1) {
      if (infer >= 0 || first == -1) return cx.error("target shape has two -1 entries");
      infer = static_cast<int64_t>(S.size());
      d = 1;
    } else if (d <= 0) {
      return cx.error(fmt::format("target shape [{}] has the entry {}", fmt::join(t, ","), d));
    }
    if (d > N || known > N / d) return cx.error(fmt::format("target shape [{}] has too many elements", fmt::join(t, ",")));
    known *= d;
    S.push_back(d);
  }
  if (infer >= 0) {
    if (N % known != 0) return cx.error(fmt::format("cannot reshape {} elements to [{}]", N, fmt::join(t, ",")));
    S[static_cast<size_t>(infer)] = N / known;
  } else if (known != N) {
    return cx.error(fmt::format("reshaping [batch]+{} to [{}] would change the batch size", shape_string(x->shape),
                                fmt::join(t, ",")));
  }
  reshape_data(cx, *x, S);
}

std::optional<std::vector<int64_t>> axes_of(NodeCtx& cx, int input) {
  if (cx.opset < 13) return cx.has("axes") ? cx.ints("axes") : std::vector<int64_t>{};
  if (!cx.has_input(input)) return std::vector<int64_t>{};
  return cx.int_list_input(input, "axes");
}

void run_squeeze(NodeCtx& cx) {
  if (qconst_layout_op(cx)) return;
  const Entry* x = cx.data(0);
  if (!x) return;
  auto axes = axes_of(cx, 1);
  if (!axes) return;
  const size_t r = x->shape.size();
  if (axes->empty() && cx.im.static_batch == std::optional<int64_t>(1))
    return cx.error("Squeeze without axes also removes the batch axis (of size 1); tensors without a batch axis are "
                    "not supported (give the axes to squeeze)");
  std::set<int64_t> drop;
  for (int64_t a : *axes) {
    const int64_t s = cx.sample_axis(a, r, "axis");
    if (s < 0) return;
    if (x->shape[static_cast<size_t>(s)] != 1) return cx.error(fmt::format("axis {} has size {}, not 1", a, x->shape[static_cast<size_t>(s)]));
    drop.insert(s);
  }
  ir::Shape S;
  for (size_t i = 0; i < r; ++i)
    if (!(axes->empty() ? x->shape[i] == 1 : drop.count(static_cast<int64_t>(i)) > 0)) S.push_back(x->shape[i]);
  reshape_data(cx, *x, S);
}

void run_unsqueeze(NodeCtx& cx) {
  if (qconst_layout_op(cx)) return;
  const Entry* x = cx.data(0);
  if (!x) return;
  auto axes = axes_of(cx, 1);
  if (!axes) return;
  if (axes->empty()) return cx.error("no axes given");
  const size_t out_rank = x->shape.size() + axes->size();
  std::set<int64_t> ins;
  for (int64_t a : *axes) {
    const int64_t s = cx.sample_axis(a, out_rank, "axis");
    if (s < 0) return;
    if (!ins.insert(s).second) return cx.error(fmt::format("axis {} is repeated", a));
  }
  ir::Shape S;
  size_t j = 0;
  for (size_t i = 0; i < out_rank; ++i) S.push_back(ins.count(static_cast<int64_t>(i)) ? 1 : x->shape[j++]);
  reshape_data(cx, *x, S);
}

void run_transpose(NodeCtx& cx) {
  if (qconst_layout_op(cx)) return;
  const Entry* x = cx.data(0);
  if (!x) return;
  const size_t r = x->shape.size();
  std::vector<int64_t> perm = cx.ints("perm");
  const bool reversed = perm.empty();
  if (reversed) {
    // ONNX: no perm reverses every axis, the batch axis too. With a declared batch of 1 and a
    // last axis of size 1, the two size-1 axes trade places: the batch stays in front and the
    // sample axes are reversed, with the old batch axis (size 1) last.
    for (size_t i = r + 1; i-- > 0;) perm.push_back(static_cast<int64_t>(i));
    if (r >= 1 && x->shape[r - 1] == 1 && cx.im.static_batch == std::optional<int64_t>(1)) {
      std::vector<int64_t> p;
      for (size_t i = r - 1; i-- > 0;) p.push_back(static_cast<int64_t>(i));
      p.push_back(static_cast<int64_t>(r) - 1);
      return cx.set(0, transposed_entry(cx, *x, p));
    }
    std::vector<std::string> full{cx.im.static_batch ? std::to_string(*cx.im.static_batch) : "batch"};
    for (int64_t d : x->shape) full.push_back(std::to_string(d));
    std::reverse(full.begin(), full.end());
    return cx.error(fmt::format(
        "no perm attribute: all axes are reversed, so the output has shape [{}] with the batch axis last; moving the "
        "batch axis is supported only when the graph input declares a batch of 1 and the last axis has size 1 (give "
        "perm with 0 first otherwise)",
        fmt::join(full, ",")));
  }
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  if (sorted != iota_perm(r + 1)) return cx.error(fmt::format("perm [{}] is not a permutation of {} axes", fmt::join(perm, ","), r + 1));
  if (perm[0] != 0) return cx.error(fmt::format("perm [{}] moves the batch axis; not supported", fmt::join(perm, ",")));
  std::vector<int64_t> p;
  for (size_t i = 1; i <= r; ++i) p.push_back(perm[i] - 1);
  cx.set(0, transposed_entry(cx, *x, p));
}

void check_pad(NodeCtx& cx) {
  const std::string mode = cx.s("mode", "constant");
  if (mode != "constant") cx.error(fmt::format("mode '{}' is not supported (only constant)", mode));
}

void run_pad(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  const size_t r = x->shape.size(), R = r + 1;
  std::vector<int64_t> pads;
  double value = 0;
  if (cx.opset < 11) {
    pads = cx.ints(cx.has("pads") ? "pads" : "paddings");
    value = cx.f("value", 0);
  } else {
    auto p = cx.int_list_input(1, "pads");
    if (!p) return;
    pads = *p;
    if (cx.has_input(2)) {
      const ConstVal* v = cx.constant(2, "constant_value");
      if (!v) return;
      if (v->t.size() != 1) return cx.error("constant_value must be a scalar");
      value = v->t.data[0];
    }
    if (cx.has_input(3)) {
      auto axes = cx.int_list_input(3, "axes");
      if (!axes) return;
      if (pads.size() != 2 * axes->size()) return cx.error("pads and axes do not match");
      std::vector<int64_t> full(2 * R, 0);
      for (size_t i = 0; i < axes->size(); ++i) {
        int64_t a = (*axes)[i];
        if (a < -static_cast<int64_t>(R) || a >= static_cast<int64_t>(R)) return cx.error(fmt::format("axis {} is out of range", a));
        if (a < 0) a += static_cast<int64_t>(R);
        full[static_cast<size_t>(a)] = pads[i];
        full[static_cast<size_t>(a) + R] = pads[i + axes->size()];
      }
      pads = full;
    }
  }
  if (pads.size() != 2 * R) return cx.error(fmt::format("pads has {} values, expected {}", pads.size(), 2 * R));
  if (pads[0] != 0 || pads[R] != 0) return cx.error("padding the batch axis is not supported");
  for (int64_t v : pads)
    if (v < 0 || v > (int64_t{1} << 31)) return cx.error(fmt::format("pads [{}] are not supported (negative pads crop)", fmt::join(pads, ",")));
  ir::Shape S = x->shape;
  for (size_t i = 0; i < r; ++i) S[i] += pads[i + 1] + pads[R + i + 1];
  if (S == x->shape) {
    Entry e = *x;
    return cx.set(0, std::move(e));
  }
  auto ap = cx.im.axis_perm(*x);
  const std::vector<int64_t> P = ap ? *ap : iota_perm(r);
  std::vector<int64_t> ipads(2 * r);
  for (size_t i = 0; i < r; ++i) {
    ipads[i] = pads[static_cast<size_t>(P[i]) + 1];
    ipads[r + i] = pads[R + static_cast<size_t>(P[i]) + 1];
  }
  ir::Attrs a;
  a.set("pads", ipads);
  a.set("value", value);
  ir::ValueId out = cx.emit(ir::Op::Pad, {cx.im.convert(cx, *x, P)}, ir::permute_shape(S, P), std::move(a));
  cx.set_data(0, out, S, {S, P});
}

void pass_through(NodeCtx& cx, ir::Op op) {
  const Entry* e = cx.in(0);
  if (e->kind == Kind::QConst) {
    Entry c = *e;
    return cx.set(0, std::move(c));
  }
  unary(cx, op);
}

void run_identity(NodeCtx& cx) { pass_through(cx, ir::Op::Identity); }

void run_dropout(NodeCtx& cx) {
  if (cx.opset >= 12 && cx.has_input(2)) {
    const ConstVal* tm = cx.constant(2, "training_mode");
    if (!tm) return;
    if (tm->t.size() != 1 || tm->t.data[0] != 0) return cx.error("training_mode=true is not supported");
  }
  pass_through(cx, ir::Op::Dropout);
}

void run_cast(NodeCtx& cx) {
  const int64_t to = cx.i("to", 0);
  if (to != onnx::TensorProto::FLOAT && to != onnx::TensorProto::DOUBLE && to != onnx::TensorProto::FLOAT16)
    return cx.error(fmt::format("casting an activation to {} is not supported", dtype_name(static_cast<int32_t>(to))));
  pass_through(cx, ir::Op::Identity);
}

}  // namespace

Entry transposed_entry(NodeCtx& cx, const Entry& x, const std::vector<int64_t>& p) {
  const size_t r = x.shape.size();
  std::vector<int64_t> P;
  ir::ValueId v = x.id;
  if (auto ap = cx.im.axis_perm(x)) {
    P = *ap;
  } else {
    P = iota_perm(r);
    v = cx.im.convert(cx, x, P);
  }
  // The IR data stays where it is: out_onnx = transpose(in_onnx, p), IR = transpose(out_onnx, Q).
  const auto inv = ir::inverse_permutation(p);
  std::vector<int64_t> Q(r);
  for (size_t i = 0; i < r; ++i) Q[i] = inv[static_cast<size_t>(P[i])];
  Entry e;
  e.kind = Kind::Data;
  e.id = v;
  e.shape = ir::permute_shape(x.shape, p);
  e.layout = normalize(Layout{e.shape, Q});
  return e;
}

void add_tensor_ops(std::vector<OpDef>& t) {
  t.push_back({"Relu", false, {}, nullptr, run_relu});
  t.push_back({"Sigmoid", false, {}, nullptr, run_sigmoid});
  t.push_back({"Tanh", false, {}, nullptr, run_tanh});
  t.push_back({"LeakyRelu", false, {"alpha"}, nullptr, run_alpha});
  t.push_back({"Elu", false, {"alpha"}, nullptr, run_alpha});
  t.push_back({"HardSigmoid", false, {"alpha", "beta"}, nullptr, run_hard_sigmoid});
  t.push_back({"PRelu", false, {}, nullptr, run_prelu, 2});
  t.push_back({"Clip", false, {"min", "max"}, nullptr, run_clip});
  t.push_back({"Softmax", false, {"axis"}, nullptr, run_softmax});
  for (const char* op : {"Add", "Sub", "Mul", "Div"})
    t.push_back({op, false, {"broadcast", "axis"}, check_binary, run_binary, 2});
  t.push_back({"Concat", false, {"axis"}, nullptr, run_concat});
  t.push_back({"Flatten", false, {"axis"}, nullptr, run_flatten});
  t.push_back({"Reshape", false, {"allowzero", "shape"}, nullptr, run_reshape});
  t.push_back({"Squeeze", false, {"axes"}, nullptr, run_squeeze});
  t.push_back({"Unsqueeze", false, {"axes"}, nullptr, run_unsqueeze});
  t.push_back({"Transpose", false, {"perm"}, nullptr, run_transpose});
  t.push_back({"Pad", false, {"mode", "pads", "paddings", "value"}, check_pad, run_pad});
  t.push_back({"Identity", false, {}, nullptr, run_identity});
  t.push_back({"Dropout", false, {"ratio", "seed", "is_test"}, nullptr, run_dropout});
  t.push_back({"Cast", false, {"to", "saturate"}, nullptr, run_cast});
}

}  // namespace tachyon::frontends::onnx_import
