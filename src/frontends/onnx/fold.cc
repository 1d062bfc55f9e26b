// Constant folding: Constant nodes and the shape sub-graphs exporters emit (Shape -> Gather ->
// Unsqueeze -> Concat -> Reshape, Cast, arithmetic, Slice, ConstantOfShape, ...). The batch
// size is unknown: Shape of an activation yields NaN in its first entry (or the declared
// batch size), NaN propagates, and Reshape accepts it only as its first entry.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "frontends/onnx/importer.h"

namespace tachyon::frontends::onnx_import {

namespace {

using TP = onnx::TensorProto;

ConstVal make(ir::Shape s, std::vector<double> d, int32_t dt) {
  ConstVal c;
  c.t = ir::Tensor(std::move(s), std::move(d));
  c.dtype = dt;
  return c;
}

const ConstVal& cin(NodeCtx& cx, int k) {
  const Entry* e = cx.in(k);
  if (!e || !e->c) throw Error(fmt::format("input {} is missing", k));
  return *e->c;
}

ir::Shape broadcast_shape(const ir::Shape& a, const ir::Shape& b) {
  ir::Shape s(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < s.size(); ++i) {
    const int64_t x = i < s.size() - a.size() ? 1 : a[i - (s.size() - a.size())];
    const int64_t y = i < s.size() - b.size() ? 1 : b[i - (s.size() - b.size())];
    if (x != y && x != 1 && y != 1)
      throw Error(fmt::format("shapes {} and {} do not broadcast", shape_string(a), shape_string(b)));
    s[i] = x == 1 ? y : x;
  }
  return s;
}

double int_result(double v, int32_t dt) { return is_int_dtype(dt) && std::isfinite(v) ? std::trunc(v) : v; }

ConstVal elementwise(const std::vector<const ConstVal*>& ins, int32_t dt, double (*f)(const double*)) {
  ir::Shape s;
  for (const ConstVal* c : ins) s = broadcast_shape(s, c->t.shape);
  if (checked_numel(s, kMaxFoldElements) < 0) throw Error("the folded tensor is too large");
  std::vector<ir::Tensor> bs;
  for (const ConstVal* c : ins) bs.push_back(broadcast_to(c->t, s));
  std::vector<double> out(static_cast<size_t>(num_elements(s)));
  double args[3] = {0, 0, 0};
  for (size_t i = 0; i < out.size(); ++i) {
    for (size_t k = 0; k < bs.size(); ++k) args[k] = bs[k].data[i];
    out[i] = int_result(f(args), dt);
  }
  return make(s, std::move(out), dt);
}

double nan_or(double a, double b, double v) { return std::isnan(a) || std::isnan(b) ? NAN : v; }

ConstVal fold_binary(NodeCtx& cx, const std::string& op) {
  const ConstVal &a = cin(cx, 0), &b = cin(cx, 1);
  const int32_t dt = a.dtype;
  if (op == "Add") return elementwise({&a, &b}, dt, [](const double* v) { return v[0] + v[1]; });
  if (op == "Sub") return elementwise({&a, &b}, dt, [](const double* v) { return v[0] - v[1]; });
  if (op == "Mul") return elementwise({&a, &b}, dt, [](const double* v) { return v[0] * v[1]; });
  if (op == "Div") {
    if (is_int_dtype(dt) && std::any_of(b.t.data.begin(), b.t.data.end(), [](double v) { return v == 0; }))
      throw Error("integer division by zero");
    return elementwise({&a, &b}, dt, [](const double* v) { return v[0] / v[1]; });
  }
  if (op == "Pow") return elementwise({&a, &b}, dt, [](const double* v) { return std::pow(v[0], v[1]); });
  if (op == "Min") return elementwise({&a, &b}, dt, [](const double* v) { return nan_or(v[0], v[1], std::min(v[0], v[1])); });
  if (op == "Max") return elementwise({&a, &b}, dt, [](const double* v) { return nan_or(v[0], v[1], std::max(v[0], v[1])); });
  if (op == "Equal") return elementwise({&a, &b}, TP::BOOL, [](const double* v) { return nan_or(v[0], v[1], v[0] == v[1]); });
  if (op == "Less") return elementwise({&a, &b}, TP::BOOL, [](const double* v) { return nan_or(v[0], v[1], v[0] < v[1]); });
  return elementwise({&a, &b}, TP::BOOL, [](const double* v) { return nan_or(v[0], v[1], v[0] > v[1]); });  // Greater
}

ConstVal fold_unary(NodeCtx& cx, const std::string& op) {
  const ConstVal& a = cin(cx, 0);
  if (op == "Neg") return elementwise({&a}, a.dtype, [](const double* v) { return -v[0]; });
  if (op == "Abs") return elementwise({&a}, a.dtype, [](const double* v) { return std::fabs(v[0]); });
  if (op == "Sqrt") return elementwise({&a}, a.dtype, [](const double* v) { return std::sqrt(v[0]); });
  if (op == "Reciprocal") return elementwise({&a}, a.dtype, [](const double* v) { return 1.0 / v[0]; });
  if (op == "Floor") return elementwise({&a}, a.dtype, [](const double* v) { return std::floor(v[0]); });
  if (op == "Ceil") return elementwise({&a}, a.dtype, [](const double* v) { return std::ceil(v[0]); });
  if (op == "Not") return elementwise({&a}, TP::BOOL, [](const double* v) { return std::isnan(v[0]) ? NAN : double(v[0] == 0); });
  return elementwise({&a}, a.dtype, [](const double* v) { return v[0] > 0 ? v[0] : 0.0; });  // Relu
}

ConstVal fold_cast(NodeCtx& cx) {
  ConstVal c = cin(cx, 0);
  const auto to = static_cast<int32_t>(cx.i("to", TP::FLOAT));
  for (double& v : c.t.data) {
    if (std::isnan(v)) continue;
    if (to == TP::FLOAT) v = static_cast<double>(static_cast<float>(v));
    else if (to == TP::BOOL) v = v != 0;
    else if (is_int_dtype(to)) v = std::trunc(v);
    else if (to != TP::DOUBLE && to != TP::FLOAT16) throw Error(fmt::format("cast to {} is not supported", dtype_name(to)));
  }
  c.dtype = to == TP::FLOAT16 ? TP::FLOAT : to;
  return c;
}

int64_t norm_axis(int64_t a, size_t rank, const char* what) {
  const auto r = static_cast<int64_t>(rank);
  if (a < -r || a >= r) throw Error(fmt::format("{} {} is out of range for rank {}", what, a, r));
  return a < 0 ? a + r : a;
}

std::vector<int64_t> ints_of(const ConstVal& c, const char* what) {
  std::vector<int64_t> v;
  std::string err;
  if (c.t.size() > 4096) throw Error(fmt::format("{} is too long", what));
  if (!to_int_list(c, &v, &err)) throw Error(fmt::format("{} {}", what, err));
  return v;
}

ConstVal fold_concat(NodeCtx& cx) {
  std::vector<const ConstVal*> xs;
  for (int k = 0; k < cx.num_inputs(); ++k)
    if (cx.has_input(k)) xs.push_back(&cin(cx, k));
  if (xs.empty()) throw Error("no inputs");
  const size_t r = xs[0]->t.shape.size();
  const int64_t a = norm_axis(cx.i("axis", 0), r, "axis");
  ir::Shape s = xs[0]->t.shape;
  s[static_cast<size_t>(a)] = 0;
  for (const ConstVal* c : xs) {
    if (c->t.shape.size() != r) throw Error("inputs have different ranks");
    for (size_t i = 0; i < r; ++i)
      if (static_cast<int64_t>(i) != a && c->t.shape[i] != s[i]) throw Error("input shapes do not match");
    s[static_cast<size_t>(a)] += c->t.shape[static_cast<size_t>(a)];
  }
  if (checked_numel(s, kMaxFoldElements) < 0) throw Error("the folded tensor is too large");
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < a; ++i) outer *= s[static_cast<size_t>(i)];
  for (size_t i = static_cast<size_t>(a) + 1; i < r; ++i) inner *= s[i];
  std::vector<double> out;
  for (int64_t o = 0; o < outer; ++o)
    for (const ConstVal* c : xs) {
      const int64_t n = c->t.shape[static_cast<size_t>(a)] * inner;
      out.insert(out.end(), c->t.data.begin() + o * n, c->t.data.begin() + (o + 1) * n);
    }
  return make(s, std::move(out), xs[0]->dtype);
}

ConstVal fold_gather(NodeCtx& cx) {
  const ConstVal &d = cin(cx, 0), &ic = cin(cx, 1);
  const int64_t a = norm_axis(cx.i("axis", 0), d.t.shape.size(), "axis");
  std::vector<int64_t> idx = ints_of(ic, "indices");
  const int64_t dim = d.t.shape[static_cast<size_t>(a)];
  for (int64_t& i : idx) {
    if (i < -dim || i >= dim) throw Error(fmt::format("index {} is out of range for a dimension of {}", i, dim));
    if (i < 0) i += dim;
  }
  ir::Shape s(d.t.shape.begin(), d.t.shape.begin() + a);
  s.insert(s.end(), ic.t.shape.begin(), ic.t.shape.end());
  s.insert(s.end(), d.t.shape.begin() + a + 1, d.t.shape.end());
  if (checked_numel(s, kMaxFoldElements) < 0) throw Error("the folded tensor is too large");
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < a; ++i) outer *= d.t.shape[static_cast<size_t>(i)];
  for (size_t i = static_cast<size_t>(a) + 1; i < d.t.shape.size(); ++i) inner *= d.t.shape[i];
  std::vector<double> out;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx) {
      auto b = d.t.data.begin() + (o * dim + i) * inner;
      out.insert(out.end(), b, b + inner);
    }
  return make(s, std::move(out), d.dtype);
}

ConstVal fold_slice(NodeCtx& cx) {
  const ConstVal& d = cin(cx, 0);
  const size_t r = d.t.shape.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (cx.opset < 10) {
    starts = cx.ints("starts");
    ends = cx.ints("ends");
    axes = cx.ints("axes");
  } else {
    starts = ints_of(cin(cx, 1), "starts");
    ends = ints_of(cin(cx, 2), "ends");
    if (cx.has_input(3)) axes = ints_of(cin(cx, 3), "axes");
    if (cx.has_input(4)) steps = ints_of(cin(cx, 4), "steps");
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    throw Error("starts, ends, axes and steps have different lengths");
  std::vector<int64_t> st(r, 0), step(r, 1), len(d.t.shape.begin(), d.t.shape.end());
  for (size_t i = 0; i < starts.size(); ++i) {
    const auto a = static_cast<size_t>(norm_axis(axes[i], r, "axis"));
    const int64_t dim = d.t.shape[a];
    int64_t s = starts[i], e = ends[i], k = steps[i];
    if (k == 0) throw Error("step 0");
    if (dim == 0) {
      len[a] = 0;
      continue;
    }
    k = std::clamp<int64_t>(k, -(dim + 1), dim + 1);  // a larger step selects the same single element
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (k > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      len[a] = e > s ? (e - s + k - 1) / k : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      len[a] = s > e ? (s - e - k - 1) / (-k) : 0;
    }
    st[a] = s;
    step[a] = k;
  }
  const auto in_st = ir::strides_of(d.t.shape);
  const auto out_st = ir::strides_of(len);
  std::vector<double> out(static_cast<size_t>(num_elements(len)));
  for (size_t o = 0; o < out.size(); ++o) {
    int64_t rem = static_cast<int64_t>(o), off = 0;
    for (size_t i = 0; i < r; ++i) {
      const int64_t c = rem / out_st[i];
      rem %= out_st[i];
      off += (st[i] + c * step[i]) * in_st[i];
    }
    out[o] = d.t.data[static_cast<size_t>(off)];
  }
  return make(len, std::move(out), d.dtype);
}

ConstVal reshaped(const ConstVal& c, ir::Shape s) {
  ConstVal r = c;
  r.t = ir::Tensor(std::move(s), c.t.data);
  return r;
}

ConstVal fold_reshape(NodeCtx& cx) {
  const ConstVal& d = cin(cx, 0);
  std::vector<int64_t> t = ints_of(cin(cx, 1), "shape");
  const bool allowzero = cx.i("allowzero", 0) == 1;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == 0 && !allowzero) {
      if (i >= d.t.shape.size()) throw Error("shape copies a dimension that does not exist");
      t[i] = d.t.shape[i];
    }
    if (t[i] == -1) {
      if (infer >= 0) throw Error("shape has two -1 entries");
      infer = static_cast<int64_t>(i);
    } else if (t[i] < 0 || (t[i] > 0 && known > kMaxFoldElements / t[i])) {
      throw Error(fmt::format("invalid target shape [{}]", fmt::join(t, ",")));
    } else {
      known *= t[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || d.t.size() % known != 0) throw Error("cannot infer the -1 entry");
    t[static_cast<size_t>(infer)] = d.t.size() / known;
  }
  return reshaped(d, t);
}

std::vector<int64_t> fold_axes(NodeCtx& cx) {
  if (cx.opset < 13) return cx.ints("axes");
  return cx.has_input(1) ? ints_of(cin(cx, 1), "axes") : std::vector<int64_t>{};
}

ConstVal fold_squeeze(NodeCtx& cx, bool un) {
  const ConstVal& d = cin(cx, 0);
  std::vector<int64_t> axes = fold_axes(cx);
  ir::Shape s;
  if (un) {
    const size_t r = d.t.shape.size() + axes.size();
    std::set<int64_t> at;
    for (int64_t a : axes) at.insert(norm_axis(a, r, "axis"));
    if (at.size() != axes.size()) throw Error("repeated axes");
    size_t j = 0;
    for (size_t i = 0; i < r; ++i) s.push_back(at.count(static_cast<int64_t>(i)) ? 1 : d.t.shape.at(j++));
  } else {
    std::set<int64_t> at;
    for (int64_t a : axes) at.insert(norm_axis(a, d.t.shape.size(), "axis"));
    for (size_t i = 0; i < d.t.shape.size(); ++i) {
      const bool drop = axes.empty() ? d.t.shape[i] == 1 : at.count(static_cast<int64_t>(i)) > 0;
      if (drop && d.t.shape[i] != 1) throw Error(fmt::format("axis {} has size {}, not 1", i, d.t.shape[i]));
      if (!drop) s.push_back(d.t.shape[i]);
    }
  }
  return reshaped(d, s);
}

ConstVal fold_shape_of(NodeCtx& cx, ir::Shape dims) {
  const auto r = static_cast<int64_t>(dims.size());
  int64_t start = cx.i("start", 0), end = cx.i("end", r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, start, r);
  std::vector<double> v;
  for (int64_t i = start; i < end; ++i) v.push_back(static_cast<double>(dims[static_cast<size_t>(i)]));
  const auto n = static_cast<int64_t>(v.size());
  return make({n}, std::move(v), TP::INT64);
}

}  // namespace

bool fold_supported(const std::string& op) {
  static const std::set<std::string> ops = {
      "Add", "Sub", "Mul", "Div", "Pow", "Min", "Max", "Equal", "Less", "Greater", "Neg", "Abs", "Sqrt",
      "Reciprocal", "Floor", "Ceil", "Not", "Relu", "Cast", "Concat", "Gather", "Slice", "Reshape", "Flatten",
      "Transpose", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Shape", "Size", "ConstantOfShape", "Expand",
      "Where", "Range"};
  return ops.count(op) > 0;
}

void fold_node(NodeCtx& cx) {
  const std::string& op = cx.n.op_type();
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow" || op == "Min" || op == "Max" ||
      op == "Equal" || op == "Less" || op == "Greater") {
    if (cx.num_inputs() != 2 || !cx.has_input(1)) return cx.error("expected 2 inputs");
    return cx.set_const(0, fold_binary(cx, op));
  }
  if (op == "Neg" || op == "Abs" || op == "Sqrt" || op == "Reciprocal" || op == "Floor" || op == "Ceil" || op == "Not" ||
      op == "Relu")
    return cx.set_const(0, fold_unary(cx, op));
  if (op == "Cast") return cx.set_const(0, fold_cast(cx));
  if (op == "Concat") return cx.set_const(0, fold_concat(cx));
  if (op == "Gather") return cx.set_const(0, fold_gather(cx));
  if (op == "Slice") return cx.set_const(0, fold_slice(cx));
  if (op == "Reshape") return cx.set_const(0, fold_reshape(cx));
  if (op == "Squeeze" || op == "Unsqueeze") return cx.set_const(0, fold_squeeze(cx, op == "Unsqueeze"));
  if (op == "Identity" || op == "Dropout") return cx.set(0, *cx.in(0));  // shares the tensor
  if (op == "Shape") return cx.set_const(0, fold_shape_of(cx, cin(cx, 0).t.shape));
  if (op == "Size") return cx.set_const(0, make({}, {static_cast<double>(cin(cx, 0).t.size())}, TP::INT64));
  if (op == "Flatten") {
    const ConstVal& d = cin(cx, 0);
    const int64_t a = cx.i("axis", 1) < 0 ? cx.i("axis", 1) + static_cast<int64_t>(d.t.shape.size()) : cx.i("axis", 1);
    if (a < 0 || a > static_cast<int64_t>(d.t.shape.size())) throw Error("axis out of range");
    int64_t outer = 1;
    for (int64_t i = 0; i < a; ++i) outer *= d.t.shape[static_cast<size_t>(i)];
    return cx.set_const(0, reshaped(d, {outer, outer ? d.t.size() / outer : 0}));
  }
  if (op == "Transpose") {
    const ConstVal& d = cin(cx, 0);
    std::vector<int64_t> perm = cx.ints("perm");
    if (perm.empty())
      for (size_t i = d.t.shape.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
    std::vector<int64_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    if (sorted != iota_perm(d.t.shape.size())) throw Error("perm is not a permutation");
    ConstVal r = d;
    r.t = d.t.transposed(perm);
    return cx.set_const(0, std::move(r));
  }
  if (op == "ConstantOfShape") {
    std::vector<int64_t> s = ints_of(cin(cx, 0), "shape");
    if (checked_numel(s, kMaxFoldElements) < 0) throw Error(fmt::format("shape [{}] is too large", fmt::join(s, ",")));
    double v = 0;
    int32_t dt = TP::FLOAT;
    if (const auto* a = cx.attr("value")) {
      std::string err;
      auto c = tensor_from_proto(a->t(), &err);
      if (!c) throw Error("value " + err);
      if (c->t.size() != 1) throw Error("value must hold one element");
      v = c->t.data[0];
      dt = c->dtype;
    }
    return cx.set_const(0, make(s, std::vector<double>(static_cast<size_t>(num_elements(s)), v), dt));
  }
  if (op == "Expand") {
    const ConstVal& d = cin(cx, 0);
    std::vector<int64_t> s = ints_of(cin(cx, 1), "shape");
    if (checked_numel(s, kMaxFoldElements) < 0) throw Error("shape is invalid or too large");
    ConstVal r = d;
    r.t = broadcast_to(d.t, broadcast_shape(d.t.shape, s));
    return cx.set_const(0, std::move(r));
  }
  if (op == "Where") {
    if (cx.num_inputs() != 3) return cx.error("expected 3 inputs");
    return cx.set_const(0, elementwise({&cin(cx, 0), &cin(cx, 1), &cin(cx, 2)}, cin(cx, 1).dtype, [](const double* v) {
                          return std::isnan(v[0]) ? NAN : (v[0] != 0 ? v[1] : v[2]);
                        }));
  }
  if (op == "Range") {
    for (int k = 0; k < 3; ++k)
      if (cin(cx, k).t.size() != 1) throw Error("start, limit and delta must be scalars");
    const double s = cin(cx, 0).t.data[0], l = cin(cx, 1).t.data[0], d = cin(cx, 2).t.data[0];
    const double n = std::ceil((l - s) / d);
    if (!std::isfinite(n) || n > static_cast<double>(kMaxFoldElements)) throw Error("invalid or too large range");
    std::vector<double> v;
    for (int64_t i = 0; i < static_cast<int64_t>(n); ++i) v.push_back(s + static_cast<double>(i) * d);
    const auto len = static_cast<int64_t>(v.size());
    return cx.set_const(0, make({len}, std::move(v), cin(cx, 0).dtype));
  }
  cx.error(fmt::format("cannot fold {}", op));
}

namespace {

void run_constant(NodeCtx& cx) {
  const auto& attrs = cx.n.attribute();
  if (attrs.size() != 1) return cx.error("expected exactly one value attribute");
  const std::string& k = attrs[0].name();
  if (k == "value") {
    std::string err;
    auto c = tensor_from_proto(attrs[0].t(), &err);
    if (!c) return cx.error("value " + err);
    return cx.set_file_const(0, std::move(*c));
  }
  if (k == "value_float") return cx.set_file_const(0, make({}, {cx.f("value_float", 0)}, TP::FLOAT));
  if (k == "value_int") return cx.set_file_const(0, make({}, {static_cast<double>(cx.i("value_int", 0))}, TP::INT64));
  if (k == "value_floats") {
    auto v = cx.floats("value_floats");
    const auto n = static_cast<int64_t>(v.size());
    return cx.set_file_const(0, make({n}, std::move(v), TP::FLOAT));
  }
  if (k == "value_ints") {
    auto v = cx.ints("value_ints");
    std::vector<double> d(v.begin(), v.end());
    return cx.set_file_const(0, make({static_cast<int64_t>(d.size())}, std::move(d), TP::INT64));
  }
  cx.error(fmt::format("attribute '{}' is not supported", k));
}

void run_shape(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  ir::Shape dims{0};
  dims.insert(dims.end(), x->shape.begin(), x->shape.end());
  ConstVal c = fold_shape_of(cx, dims);
  // The batch entry (first of the full shape) is unknown unless the input declared it.
  const double batch = cx.im.static_batch ? static_cast<double>(*cx.im.static_batch) : NAN;
  const int64_t r = static_cast<int64_t>(dims.size());
  int64_t start = cx.i("start", 0);
  if (start < 0) start += r;
  if (start <= 0 && !c.t.data.empty()) c.t.data[0] = batch;
  cx.set_const(0, std::move(c));
}

void run_size(NodeCtx& cx) {
  const Entry* x = cx.data(0);
  if (!x) return;
  const double n = static_cast<double>(num_elements(x->shape));
  cx.set_const(0, make({}, {cx.im.static_batch ? n * static_cast<double>(*cx.im.static_batch) : NAN}, TP::INT64));
}

void constants_only(NodeCtx& cx) { cx.error(fmt::format("{} of activations is not supported (only of constants)", cx.n.op_type())); }

}  // namespace

void add_fold_ops(std::vector<OpDef>& t) {
  t.push_back({"Constant", false,
               {"value", "value_float", "value_floats", "value_int", "value_ints", "sparse_value", "value_string",
                "value_strings"},
               nullptr, run_constant, 0});
  t.push_back({"Shape", false, {"start", "end"}, nullptr, run_shape});
  t.push_back({"Size", false, {}, nullptr, run_size});
  t.push_back({"Gather", false, {"axis"}, nullptr, constants_only, 2});
  t.push_back({"Slice", false, {"starts", "ends", "axes"}, nullptr, constants_only});
  t.push_back({"ConstantOfShape", false, {"value"}, nullptr, constants_only});
  t.push_back({"Expand", false, {}, nullptr, constants_only, 2});
  t.push_back({"Where", false, {}, nullptr, constants_only, 3});
  t.push_back({"Range", false, {}, nullptr, constants_only, 3});
  for (const char* op : {"Pow", "Min", "Max", "Equal", "Less", "Greater"}) t.push_back({op, false, {}, nullptr, constants_only, 2});
  for (const char* op : {"Neg", "Abs", "Sqrt", "Reciprocal", "Floor", "Ceil", "Not"})
    t.push_back({op, false, {}, nullptr, constants_only});
}

}  // namespace tachyon::frontends::onnx_import
