// Builds small ONNX models in C++ for the frontend tests, and evaluates them with ONNX
// semantics (channels-first, explicit batch of 1) as an independent reference for the
// imported IR.
#pragma once

#include <onnx/onnx_pb.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "onnx_ref_eval.h"
#include "tachyon/frontends/onnx.h"

namespace tachyon::test {

using ir::Shape;
using ir::Tensor;

// Deterministic pseudo-random values in [-1, 1).
inline std::vector<double> random_values(int64_t n, uint64_t seed) {
  std::vector<double> v(static_cast<size_t>(n));
  uint64_t s = seed * 6364136223846793005ull + 1442695040888963407ull;
  for (double& x : v) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    x = static_cast<double>((s >> 11) & ((1ull << 24) - 1)) / static_cast<double>(1 << 23) - 1.0;
  }
  return v;
}

inline Tensor random_tensor(Shape s, uint64_t seed) { return Tensor(s, random_values(ir::num_elements(s), seed)); }

class ModelBuilder {
 public:
  explicit ModelBuilder(int64_t opset = 13) {
    m.set_ir_version(8);
    auto* o = m.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    m.mutable_graph()->set_name("test");
  }
  onnx::ModelProto m;
  std::map<std::string, Tensor> consts;
  std::map<std::string, int32_t> const_types;

  void qonnx() {
    auto* o = m.add_opset_import();
    o->set_domain("qonnx.custom_op.general");
    o->set_version(1);
  }
  // dims: the full shape; -1 is the symbolic batch "N".
  void input(const std::string& name, const std::vector<int64_t>& dims, int32_t elem = onnx::TensorProto::FLOAT) {
    auto* vi = m.mutable_graph()->add_input();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    auto* sh = tt->mutable_shape();
    for (int64_t d : dims) {
      if (d < 0) sh->add_dim()->set_dim_param("N");
      else sh->add_dim()->set_dim_value(d);
    }
  }
  void output(const std::string& name) { m.mutable_graph()->add_output()->set_name(name); }
  static void fill(onnx::TensorProto* tp, const std::string& name, const Tensor& t, int32_t dtype) {
    tp->set_name(name);
    tp->set_data_type(dtype);
    for (int64_t d : t.shape) tp->add_dims(d);
    std::string raw;
    for (double v : t.data) {
      if (dtype == onnx::TensorProto::FLOAT) {
        float f = static_cast<float>(v);
        raw.append(reinterpret_cast<const char*>(&f), 4);
      } else if (dtype == onnx::TensorProto::INT64) {
        int64_t i = static_cast<int64_t>(v);
        raw.append(reinterpret_cast<const char*>(&i), 8);
      } else if (dtype == onnx::TensorProto::INT8) {
        int8_t i = static_cast<int8_t>(v);
        raw.append(reinterpret_cast<const char*>(&i), 1);
      } else if (dtype == onnx::TensorProto::UINT8) {
        uint8_t i = static_cast<uint8_t>(v);
        raw.append(reinterpret_cast<const char*>(&i), 1);
      } else {
        double d = v;
        raw.append(reinterpret_cast<const char*>(&d), 8);
      }
    }
    tp->set_raw_data(raw);
  }
  // Initializers hold float32-rounded values so that the reference sees what the file holds.
  std::string init(const std::string& name, Tensor t, int32_t dtype = onnx::TensorProto::FLOAT) {
    if (dtype == onnx::TensorProto::FLOAT)
      for (double& v : t.data) v = static_cast<double>(static_cast<float>(v));
    fill(m.mutable_graph()->add_initializer(), name, t, dtype);
    consts[name] = t;
    const_types[name] = dtype;
    return name;
  }
  std::string init_random(const std::string& name, Shape s, uint64_t seed) { return init(name, random_tensor(s, seed)); }
  std::string init_ints(const std::string& name, std::vector<int64_t> v) {
    const auto n = static_cast<int64_t>(v.size());
    return init(name, Tensor({n}, std::vector<double>(v.begin(), v.end())), onnx::TensorProto::INT64);
  }
  // A Constant node (its value is also recorded for the reference).
  std::string constant(const std::string& name, const Tensor& t, int32_t dtype = onnx::TensorProto::INT64) {
    auto& n = node("Constant", {}, {name});
    auto* a = n.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    fill(a->mutable_t(), name, t, dtype);
    consts[name] = t;
    const_types[name] = dtype;
    return name;
  }
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& ins, const std::vector<std::string>& outs,
                        const std::string& name = "") {
    auto* n = m.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? outs.at(0) + "_node" : name);
    for (const auto& i : ins) n->add_input(i);
    for (const auto& o : outs) n->add_output(o);
    return *n;
  }
  static void attr(onnx::NodeProto& n, const std::string& k, int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr_f(onnx::NodeProto& n, const std::string& k, double v) {
    auto* a = n.add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(static_cast<float>(v));
  }
  static void attr(onnx::NodeProto& n, const std::string& k, const std::vector<int64_t>& v) {
    auto* a = n.add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void attr(onnx::NodeProto& n, const std::string& k, const std::string& v) {
    auto* a = n.add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  std::string bytes() const { return m.SerializeAsString(); }
  ir::Graph load() const { return frontends::load_onnx_bytes(bytes(), "test.onnx"); }
};

// ---- ONNX-semantics reference (batch 1, channels-first) ----

namespace onnx_ref {

inline const onnx::AttributeProto* find(const onnx::NodeProto& n, const std::string& k) {
  for (const auto& a : n.attribute())
    if (a.name() == k) return &a;
  return nullptr;
}
inline int64_t geti(const onnx::NodeProto& n, const std::string& k, int64_t d) {
  auto* a = find(n, k);
  return a ? a->i() : d;
}
inline double getf(const onnx::NodeProto& n, const std::string& k, double d) {
  auto* a = find(n, k);
  return a ? static_cast<double>(a->f()) : d;
}
inline std::vector<int64_t> getints(const onnx::NodeProto& n, const std::string& k, std::vector<int64_t> d = {}) {
  auto* a = find(n, k);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : d;
}
inline std::string gets(const onnx::NodeProto& n, const std::string& k, const std::string& d) {
  auto* a = find(n, k);
  return a ? a->s() : d;
}
inline std::vector<int64_t> ints(const Tensor& t) { return std::vector<int64_t>(t.data.begin(), t.data.end()); }
inline Tensor drop_batch(const Tensor& t) { return Tensor(Shape(t.shape.begin() + 1, t.shape.end()), t.data); }
inline Tensor add_batch(const Tensor& t) {
  Shape s{1};
  s.insert(s.end(), t.shape.begin(), t.shape.end());
  return Tensor(s, t.data);
}
inline std::vector<int64_t> cl_perm(size_t r) {
  std::vector<int64_t> p;
  for (size_t i = 1; i < r; ++i) p.push_back(static_cast<int64_t>(i));
  p.push_back(0);
  return p;
}
inline std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
inline int64_t norm(int64_t a, size_t r) { return a < 0 ? a + static_cast<int64_t>(r) : a; }

// Window pads, resolving auto_pad as the ONNX spec says.
inline std::vector<int64_t> window_pads(const onnx::NodeProto& n, const Shape& in, const std::vector<int64_t>& k,
                                        const std::vector<int64_t>& s) {
  const size_t ns = in.size();
  std::vector<int64_t> p = getints(n, "pads", std::vector<int64_t>(2 * ns, 0));
  const std::string ap = gets(n, "auto_pad", "NOTSET");
  for (size_t i = 0; i < ns && ap != "NOTSET"; ++i) {
    if (ap == "VALID") {
      p[i] = p[i + ns] = 0;
      continue;
    }
    const int64_t out = (in[i] + s[i] - 1) / s[i];
    const int64_t total = std::max<int64_t>((out - 1) * s[i] + k[i] - in[i], 0);
    const int64_t small = total / 2, big = total - small;
    p[i] = ap == "SAME_UPPER" ? small : big;
    p[i + ns] = ap == "SAME_UPPER" ? big : small;
  }
  return p;
}

inline std::vector<Tensor> run(const ModelBuilder& b, const std::vector<Tensor>& inputs /* per sample */) {
  std::map<std::string, Tensor> v = b.consts;
  const auto& gr = b.m.graph();
  size_t k = 0;
  for (const auto& vi : gr.input())
    if (!b.consts.count(vi.name())) v[vi.name()] = add_batch(inputs.at(k++));
  for (const auto& n : gr.node()) {
    auto in = [&](int i) -> const Tensor& { return v.at(n.input(i)); };
    auto has = [&](int i) { return i < n.input_size() && !n.input(i).empty(); };
    const std::string& op = n.op_type();
    Tensor r;
    if (op == "Conv" || op == "MaxPool" || op == "AveragePool") {
      const Tensor x = drop_batch(in(0));
      const size_t rank = x.shape.size();
      const Shape sp(x.shape.begin() + 1, x.shape.end());
      std::vector<int64_t> kern = op == "Conv" ? std::vector<int64_t>(in(1).shape.begin() + 2, in(1).shape.end())
                                               : getints(n, "kernel_shape");
      auto st = getints(n, "strides", std::vector<int64_t>(sp.size(), 1));
      auto pads = window_pads(n, sp, kern, st);
      const Tensor xc = x.transposed(cl_perm(rank));
      Tensor y;
      if (op == "Conv") {
        Tensor w = in(1).transposed(rank == 2 ? std::vector<int64_t>{2, 1, 0} : std::vector<int64_t>{2, 3, 1, 0});
        y = ref::conv(xc, w, has(2) ? &in(2) : nullptr, st, pads, geti(n, "group", 1));
      } else {
        y = ref::pool(xc, kern, st, pads, op == "MaxPool", geti(n, "count_include_pad", 0) != 0);
      }
      r = add_batch(y.transposed(ir::inverse_permutation(cl_perm(rank))));
    } else if (op == "GlobalAveragePool" || op == "ReduceMean") {
      const Tensor x = drop_batch(in(0));
      Tensor y = ref::global_pool(x.transposed(cl_perm(x.shape.size())), false);
      const bool keep = op == "GlobalAveragePool" || geti(n, "keepdims", 1) == 1;
      Shape s{1, x.shape[0]};
      if (keep) s.resize(x.shape.size() + 1, 1);
      r = Tensor(s, y.data);
    } else if (op == "Gemm") {
      Tensor B = in(1);
      if (geti(n, "transB", 0)) B = B.transposed({1, 0});
      const double alpha = getf(n, "alpha", 1), beta = getf(n, "beta", 1);
      r = ref::unary(ref::matmul(in(0), B), [&](double x) { return alpha * x; });
      if (has(2)) r = ref::binary(r, in(2), [&](double x, double c) { return x + beta * c; });
    } else if (op == "MatMul") {
      r = ref::matmul(in(0), in(1));
    } else if (op == "Relu") {
      r = ref::unary(in(0), [](double x) { return x > 0 ? x : 0.0; });
    } else if (op == "LeakyRelu") {
      const double al = getf(n, "alpha", 0.01);
      r = ref::unary(in(0), [&](double x) { return x > 0 ? x : al * x; });
    } else if (op == "HardSigmoid") {
      const double al = getf(n, "alpha", 0.2), be = getf(n, "beta", 0.5);
      r = ref::unary(in(0), [&](double x) { return std::max(0.0, std::min(1.0, al * x + be)); });
    } else if (op == "Sigmoid") {
      r = ref::unary(in(0), [](double x) { return 1 / (1 + std::exp(-x)); });
    } else if (op == "PRelu") {
      r = ref::binary(in(0), in(1), [](double x, double s) { return x > 0 ? x : s * x; });
    } else if (op == "Clip") {
      double lo = b.m.opset_import(0).version() < 11 ? getf(n, "min", -INFINITY) : (has(1) ? in(1).data[0] : -INFINITY);
      double hi = b.m.opset_import(0).version() < 11 ? getf(n, "max", INFINITY) : (has(2) ? in(2).data[0] : INFINITY);
      r = ref::unary(in(0), [&](double x) { return std::min(std::max(x, lo), hi); });
    } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
      r = ref::binary(in(0), in(1), [&](double x, double y) {
        return op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y;
      });
    } else if (op == "Transpose") {
      r = in(0).transposed(getints(n, "perm"));
    } else if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze") {
      const Tensor& x = in(0);
      Shape s;
      if (op == "Flatten") {
        s = {x.shape[0], x.size() / x.shape[0]};
      } else if (op == "Reshape") {
        auto t = ints(in(1));
        int64_t known = 1, infer = -1;
        for (size_t i = 0; i < t.size(); ++i) {
          if (t[i] == 0) t[i] = x.shape[i];
          if (t[i] == -1) infer = static_cast<int64_t>(i);
          else known *= t[i];
        }
        if (infer >= 0) t[static_cast<size_t>(infer)] = x.size() / known;
        s = t;
      } else {
        auto axes = has(1) ? ints(in(1)) : getints(n, "axes");
        std::set<int64_t> ax;
        const size_t out_rank = op == "Squeeze" ? x.shape.size() : x.shape.size() + axes.size();
        for (int64_t a : axes) ax.insert(norm(a, op == "Squeeze" ? x.shape.size() : out_rank));
        size_t j = 0;
        for (size_t i = 0; i < out_rank; ++i) {
          if (op == "Squeeze") {
            if (!ax.count(static_cast<int64_t>(i))) s.push_back(x.shape[i]);
          } else {
            s.push_back(ax.count(static_cast<int64_t>(i)) ? 1 : x.shape[j++]);
          }
        }
      }
      r = Tensor(s, x.data);
    } else if (op == "Concat") {
      std::vector<Tensor> xs;
      for (int i = 0; i < n.input_size(); ++i) xs.push_back(in(i));
      r = ref::concat(xs, norm(geti(n, "axis", 0), xs[0].shape.size()));
    } else if (op == "Pad") {
      auto p = has(1) ? ints(in(1)) : getints(n, "pads");
      r = ref::pad(in(0), p, has(2) ? in(2).data[0] : getf(n, "value", 0));
    } else if (op == "Softmax") {
      const Tensor& x = in(0);
      const int64_t a = norm(geti(n, "axis", -1), x.shape.size());
      std::vector<int64_t> p;
      for (size_t i = 0; i < x.shape.size(); ++i)
        if (static_cast<int64_t>(i) != a) p.push_back(static_cast<int64_t>(i));
      p.push_back(a);
      r = ref::softmax_last(x.transposed(p)).transposed(ir::inverse_permutation(p));
    } else if (op == "BatchNormalization") {
      const Tensor& x = in(0);
      const int64_t C = x.shape[1], inner = x.size() / C;
      r = x;
      const double eps = getf(n, "epsilon", 1e-5);
      for (int64_t i = 0; i < x.size(); ++i) {
        const auto c = static_cast<size_t>((i / inner) % C);
        r.data[static_cast<size_t>(i)] =
            (x.data[static_cast<size_t>(i)] - in(3).data[c]) / std::sqrt(in(4).data[c] + eps) * in(1).data[c] + in(2).data[c];
      }
    } else if (op == "Identity" || op == "Dropout" || op == "Cast") {
      r = in(0);
    } else if (op == "Quant") {
      r = ref::quant(in(0), in(1), in(2), in(3), geti(n, "signed", 1) != 0, geti(n, "narrow", 0) != 0,
                     upper(gets(n, "rounding_mode", "ROUND")));
    } else if (op == "QuantizeLinear" || op == "DequantizeLinear") {
      const Tensor& x = in(0);
      const size_t rank = x.shape.size();
      Tensor s = in(1), z = has(2) ? in(2) : Tensor::scalar(0);
      if (s.size() > 1) {  // per-axis
        Shape ps(rank, 1);
        ps[static_cast<size_t>(norm(geti(n, "axis", 1), rank))] = s.size();
        s = Tensor(ps, s.data);
        if (z.size() > 1) z = Tensor(ps, z.data);
      }
      const bool sgn = has(2) && b.const_types.count(n.input(2)) && b.const_types.at(n.input(2)) == onnx::TensorProto::INT8;
      if (op == "QuantizeLinear") {
        Tensor sb = ref::broadcast(s, x.shape), zb = ref::broadcast(z, x.shape);
        r = x;
        for (size_t i = 0; i < r.data.size(); ++i)
          r.data[i] = std::min(std::max(ref::round_mode(x.data[i] / sb.data[i], "ROUND") + zb.data[i], sgn ? -128.0 : 0.0),
                               sgn ? 127.0 : 255.0);
      } else {
        r = ref::binary(ref::binary(x, z, std::minus<>()), s, std::multiplies<>());
      }
    } else if (op == "Shape") {
      const Tensor& x = in(0);
      r = Tensor({static_cast<int64_t>(x.shape.size())}, std::vector<double>(x.shape.begin(), x.shape.end()));
    } else if (op == "Gather") {
      const Tensor& x = in(0);
      const auto idx = ints(in(1));
      std::vector<double> d;
      for (int64_t i : idx) d.push_back(x.data.at(static_cast<size_t>(i < 0 ? i + x.size() : i)));
      r = Tensor(in(1).shape, d);
    } else if (op == "Constant") {
      continue;  // ModelBuilder::constant recorded the value
    } else {
      throw std::runtime_error("onnx_ref: op " + op);
    }
    v[n.output(0)] = r;
  }
  std::vector<Tensor> outs;
  for (const auto& vi : gr.output()) outs.push_back(drop_batch(v.at(vi.name())));
  return outs;
}

}  // namespace onnx_ref

// Imports the model, evaluates the IR and the ONNX reference on `samples` random inputs and
// returns the largest absolute difference.
inline double max_ir_vs_onnx_diff(const ModelBuilder& b, const ir::Graph& g, int samples = 3) {
  double worst = 0;
  for (int s = 0; s < samples; ++s) {
    std::vector<Tensor> user, internal;
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      user.push_back(random_tensor(g.inputs[i].user_shape, 100 + 7 * static_cast<uint64_t>(s) + i));
      internal.push_back(ref::to_internal(g.inputs[i], user.back().data));
    }
    auto got = ref::run_ir(g, internal);
    auto want = onnx_ref::run(b, user);
    if (got.size() != want.size()) throw std::runtime_error("output count");
    for (size_t o = 0; o < got.size(); ++o) {
      Tensor u = ref::to_user(g.outputs[o], got[o]);
      if (u.shape != want[o].shape) throw std::runtime_error("output shape " + ir::shape_str(u.shape) + " vs " + ir::shape_str(want[o].shape));
      for (size_t i = 0; i < u.data.size(); ++i) worst = std::max(worst, std::fabs(u.data[i] - want[o].data[i]));
    }
  }
  return worst;
}

}  // namespace tachyon::test
