// shape_inference: recomputes the output shape of every node from its inputs and attributes.
// An unset (empty) output shape is filled in; a set one must agree. Every problem found is
// reported at once.
#include <fmt/format.h>

#include <algorithm>

#include "passes/detail/util.h"
#include "tachyon/passes/pass.h"

namespace tachyon::passes {

namespace {

using ir::Op;
using ir::Shape;

struct Failure {
  std::string message;
};

[[noreturn]] void bad(std::string m) { throw Failure{std::move(m)}; }

const Shape& in_shape(const ir::Graph& g, const ir::Node& n, size_t i) {
  if (i >= n.inputs.size()) bad(fmt::format("expects at least {} inputs, has {}", i + 1, n.inputs.size()));
  return g.value(n.inputs[i]).shape;
}

std::vector<int64_t> per_axis(const ir::Node& n, const char* name, size_t rank, int64_t def) {
  std::vector<int64_t> v = n.attrs.get_ints(name, std::vector<int64_t>(rank, def));
  if (v.size() != rank) bad(fmt::format("attribute '{}' has {} values, expected {}", name, v.size(), rank));
  return v;
}

std::vector<int64_t> pads_of(const ir::Node& n, size_t rank) {
  std::vector<int64_t> p = n.attrs.get_ints("pads", std::vector<int64_t>(2 * rank, 0));
  if (p.size() != 2 * rank) bad(fmt::format("attribute 'pads' has {} values, expected {}", p.size(), 2 * rank));
  for (int64_t v : p)
    if (v < 0) bad(fmt::format("attribute 'pads' has a negative value {}", v));
  return p;
}

// Output size of a sliding window along one axis.
int64_t window_out(int64_t in, int64_t k, int64_t stride, int64_t pb, int64_t pe, int64_t dil, bool ceil_mode) {
  if (k < 1 || stride < 1 || dil < 1) bad(fmt::format("kernel {}, stride {} and dilation {} must be positive", k, stride, dil));
  int64_t span = in + pb + pe - dil * (k - 1) - 1;
  if (span < 0) bad(fmt::format("kernel {} (dilation {}) is larger than the padded input {}", k, dil, in + pb + pe));
  return (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
}

Shape broadcast(const Shape& a, const Shape& b) {
  Shape r(std::max(a.size(), b.size()));
  for (size_t i = 0; i < r.size(); ++i) {
    int64_t da = i < r.size() - a.size() ? 1 : a[i - (r.size() - a.size())];
    int64_t db = i < r.size() - b.size() ? 1 : b[i - (r.size() - b.size())];
    if (da != db && da != 1 && db != 1)
      bad(fmt::format("shapes {} and {} do not broadcast", ir::shape_str(a), ir::shape_str(b)));
    r[i] = std::max(da, db);
  }
  return r;
}

Shape dense_like(const Shape& x, const Shape& w, const char* what) {
  if (x.empty()) bad(fmt::format("the data input of a {} has no dimensions", what));
  if (w.size() != 2) bad(fmt::format("weight has shape {}, expected (in, out)", ir::shape_str(w)));
  if (x.back() != w[0])
    bad(fmt::format("input has {} features (shape {}) but the weight expects {} (shape {})", x.back(), ir::shape_str(x), w[0],
                    ir::shape_str(w)));
  Shape r = x;
  r.back() = w[1];
  return r;
}

void check_channel_vector(const ir::Graph& g, const ir::Node& n, size_t i, int64_t c, const char* what) {
  if (i >= n.inputs.size()) return;
  int64_t e = ir::num_elements(g.value(n.inputs[i]).shape);
  if (e != c && e != 1) bad(fmt::format("{} has {} values, expected {} (one per channel)", what, e, c));
}

// Returns the expected output shape; `exact` false means only the element count and the
// last dimension are checked (layouts the frontend may choose, e.g. global pools).
Shape infer(const ir::Graph& g, const ir::Node& n, bool* exact) {
  *exact = true;
  const Shape& x = in_shape(g, n, 0);
  switch (n.op) {
    case Op::Dense: {
      Shape r = dense_like(x, in_shape(g, n, 1), "Dense");
      check_channel_vector(g, n, 2, r.back(), "bias");
      return r;
    }
    case Op::MatMul: return dense_like(x, in_shape(g, n, 1), "MatMul");
    case Op::Gemm: {
      if (n.attrs.get_int("transA", 0) != 0) bad("transA=1 is not supported (the data input must not be transposed)");
      Shape w = in_shape(g, n, 1);
      if (w.size() != 2) bad(fmt::format("B has shape {}, expected a matrix", ir::shape_str(w)));
      if (n.attrs.get_int("transB", 0) != 0) std::swap(w[0], w[1]);
      Shape r = dense_like(x, w, "Gemm");
      if (n.inputs.size() > 2) {
        int64_t e = ir::num_elements(in_shape(g, n, 2));
        if (e != r.back() && e != 1) bad(fmt::format("C has {} values, expected {} or 1", e, r.back()));
      }
      return r;
    }
    case Op::Conv: {
      const Shape& w = in_shape(g, n, 1);
      const size_t rank = x.size() - 1;
      if (x.size() < 2) bad(fmt::format("input shape {} has no spatial axis (expected (L,C) or (H,W,C))", ir::shape_str(x)));
      if (w.size() != rank + 2)
        bad(fmt::format("weight shape {} does not match a {}-D convolution (expected kernel..., cin/group, cout)",
                        ir::shape_str(w), rank));
      const int64_t group = n.attrs.get_int("group", 1);
      if (group < 1 || x.back() % group != 0) bad(fmt::format("group {} does not divide {} input channels", group, x.back()));
      if (w[rank] * group != x.back())
        bad(fmt::format("weight expects {} input channels per group, input has {} channels in {} groups", w[rank], x.back(), group));
      if (w[rank + 1] % group != 0) bad(fmt::format("group {} does not divide {} output channels", group, w[rank + 1]));
      auto strides = per_axis(n, "strides", rank, 1);
      auto dil = per_axis(n, "dilations", rank, 1);
      auto pads = pads_of(n, rank);
      Shape r(rank + 1);
      for (size_t a = 0; a < rank; ++a) r[a] = window_out(x[a], w[a], strides[a], pads[a], pads[a + rank], dil[a], false);
      r[rank] = w[rank + 1];
      check_channel_vector(g, n, 2, r[rank], "bias");
      return r;
    }
    case Op::MaxPool:
    case Op::AvgPool: {
      if (x.size() < 2) bad(fmt::format("input shape {} has no spatial axis", ir::shape_str(x)));
      const size_t rank = x.size() - 1;
      auto k = n.attrs.get_ints("kernel_shape");
      if (k.size() != rank) bad(fmt::format("attribute 'kernel_shape' has {} values, expected {}", k.size(), rank));
      auto strides = per_axis(n, "strides", rank, 1);
      auto dil = per_axis(n, "dilations", rank, 1);
      auto pads = pads_of(n, rank);
      const bool ceil_mode = n.attrs.get_int("ceil_mode", 0) != 0;
      Shape r(rank + 1);
      for (size_t a = 0; a < rank; ++a) r[a] = window_out(x[a], k[a], strides[a], pads[a], pads[a + rank], dil[a], ceil_mode);
      r[rank] = x.back();
      return r;
    }
    case Op::GlobalMaxPool:
    case Op::GlobalAvgPool:
      if (x.size() < 2) bad(fmt::format("input shape {} has no spatial axis", ir::shape_str(x)));
      *exact = false;
      return Shape{x.back()};
    case Op::BatchNorm:
    case Op::BatchNormInference: {
      for (size_t i = 1; i < n.inputs.size(); ++i) check_channel_vector(g, n, i, x.back(), "a batch-norm parameter");
      return x;
    }
    case Op::PRelu: check_channel_vector(g, n, 1, x.back(), "the slope"); return x;
    case Op::Scale: {
      if (n.inputs.size() > 1) {
        int64_t e = ir::num_elements(in_shape(g, n, 1));
        if (e != 1 && e != x.back() && e != ir::num_elements(x))
          bad(fmt::format("scale has {} values; expected 1, {} (per channel) or {} (per element)", e, x.back(),
                          ir::num_elements(x)));
      }
      return x;
    }
    case Op::Add:
    case Op::Sub:
    case Op::Mul: return broadcast(x, in_shape(g, n, 1));
    case Op::Concat: {
      int64_t axis = n.attrs.get_int("axis", -1);
      const auto rank = static_cast<int64_t>(x.size());
      if (axis < 0) axis += rank;
      if (axis < 0 || axis >= rank) bad(fmt::format("axis {} is out of range for rank {}", n.attrs.get_int("axis", -1), rank));
      Shape r = x;
      for (size_t i = 1; i < n.inputs.size(); ++i) {
        const Shape& s = in_shape(g, n, i);
        if (s.size() != x.size()) bad(fmt::format("input {} has rank {}, expected {}", i, s.size(), x.size()));
        for (int64_t a = 0; a < rank; ++a) {
          auto ua = static_cast<size_t>(a);
          if (a == axis) r[ua] += s[ua];
          else if (s[ua] != x[ua])
            bad(fmt::format("input {} has shape {}, incompatible with {} outside axis {}", i, ir::shape_str(s), ir::shape_str(x), axis));
        }
      }
      return r;
    }
    case Op::Reshape: {
      const Shape& out = g.value(n.outputs.at(0)).shape;
      if (out.empty() && ir::num_elements(x) != 1) bad("the output shape is not set (the frontend must give it)");
      if (ir::num_elements(out) != ir::num_elements(x))
        bad(fmt::format("reshapes {} ({} elements) to {} ({} elements)", ir::shape_str(x), ir::num_elements(x),
                        ir::shape_str(out), ir::num_elements(out)));
      return out;
    }
    case Op::Transpose: {
      std::vector<int64_t> perm = n.attrs.get_ints("perm");
      if (perm.empty())
        for (size_t i = x.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
      std::vector<int64_t> sorted = perm;
      std::sort(sorted.begin(), sorted.end());
      for (size_t i = 0; i < sorted.size(); ++i)
        if (sorted[i] != static_cast<int64_t>(i) || sorted.size() != x.size())
          bad(fmt::format("attribute 'perm' is not a permutation of {} axes", x.size()));
      return ir::permute_shape(x, perm);
    }
    case Op::Pad: {
      auto pads = pads_of(n, x.size());
      Shape r = x;
      for (size_t a = 0; a < x.size(); ++a) r[a] += pads[a] + pads[a + x.size()];
      return r;
    }
    case Op::TreeEnsemble: {
      if (!n.trees) bad("tree ensemble without trees");
      if (ir::num_elements(x) != n.trees->n_features)
        bad(fmt::format("input has {} features, the trees use {}", ir::num_elements(x), n.trees->n_features));
      return Shape{n.trees->n_outputs};
    }
    case Op::Softmax:
      if (x.empty()) bad("softmax of a scalar");
      return x;
    case Op::Relu:
    case Op::LeakyRelu:
    case Op::Elu:
    case Op::Sigmoid:
    case Op::HardSigmoid:
    case Op::Tanh:
    case Op::UnaryTable:
    case Op::Clip:
    case Op::Cast:
    case Op::ElementQuant:
    case Op::Identity:
    case Op::Dropout:
    case Op::Quant:
    case Op::BipolarQuant:
    case Op::Trunc: return x;
  }
  return x;
}

}  // namespace

bool shape_inference(ir::Graph& g, PassContext&) {
  Diagnostics d(g.source_file);
  bool changed = false;
  for (ir::NodeId id : g.node_ids()) {
    const ir::Node& n = g.node(id);
    if (n.outputs.empty()) continue;
    Shape expected;
    bool exact = true;
    try {
      expected = infer(g, n, &exact);
    } catch (const Failure& f) {
      d.add(detail::node_diag(g, n, f.message));
      continue;
    } catch (const Error& e) {  // attribute of the wrong kind, ...
      d.add(detail::node_diag(g, n, e.what()));
      continue;
    }
    ir::Value& out = g.value(n.outputs[0]);
    if (out.shape.empty() && !expected.empty()) {
      out.shape = expected;
      changed = true;
      continue;
    }
    bool ok = exact ? out.shape == expected
                    : (!out.shape.empty() && out.shape.back() == expected.back() &&
                       ir::num_elements(out.shape) == ir::num_elements(expected));
    if (!ok)
      d.add(detail::node_diag(g, n, fmt::format("output '{}' has shape {}, but the inputs and attributes give {}", out.name,
                                                ir::shape_str(out.shape), ir::shape_str(expected))));
  }
  d.throw_if_any();
  return changed;
}

}  // namespace tachyon::passes
