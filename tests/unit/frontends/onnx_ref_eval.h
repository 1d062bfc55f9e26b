// A tiny float reference evaluator (double arithmetic) for the frontend-level IR the ONNX
// importer emits, used to prove numerically that layouts and weight permutations are right.
// Kernels work on channels-last tensors as the IR defines them (graph.h).
#pragma once

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "tachyon/ir/graph.h"

namespace tachyon::test::ref {

using ir::Shape;
using ir::Tensor;

[[noreturn]] inline void bad(const std::string& m) { throw std::runtime_error("ref: " + m); }

// numpy broadcasting of b to shape s (b's shape right-aligned).
inline Tensor broadcast(const Tensor& b, const Shape& s) {
  if (b.shape.size() > s.size()) bad("broadcast rank");
  Shape bs(s.size() - b.shape.size(), 1);
  bs.insert(bs.end(), b.shape.begin(), b.shape.end());
  for (size_t i = 0; i < s.size(); ++i)
    if (bs[i] != 1 && bs[i] != s[i]) bad("broadcast " + ir::shape_str(b.shape) + " to " + ir::shape_str(s));
  Tensor out = Tensor::zeros(s);
  const auto in_st = ir::strides_of(bs), out_st = ir::strides_of(s);
  for (int64_t o = 0; o < out.size(); ++o) {
    int64_t rem = o, off = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t c = rem / out_st[i];
      rem %= out_st[i];
      if (bs[i] != 1) off += c * in_st[i];
    }
    out.data[static_cast<size_t>(o)] = b.data[static_cast<size_t>(off)];
  }
  return out;
}

inline Shape broadcast_shape(const Shape& a, const Shape& b) {
  Shape s(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < s.size(); ++i) {
    int64_t x = i + a.size() >= s.size() ? a[i + a.size() - s.size()] : 1;
    int64_t y = i + b.size() >= s.size() ? b[i + b.size() - s.size()] : 1;
    s[i] = std::max(x, y);
  }
  return s;
}

template <typename F>
Tensor binary(const Tensor& a, const Tensor& b, F f) {
  Shape s = broadcast_shape(a.shape, b.shape);
  Tensor x = broadcast(a, s), y = broadcast(b, s), r = Tensor::zeros(s);
  for (size_t i = 0; i < r.data.size(); ++i) r.data[i] = f(x.data[i], y.data[i]);
  return r;
}

template <typename F>
Tensor unary(Tensor x, F f) {
  for (double& v : x.data) v = f(v);
  return x;
}

// x (..., K) times B (K, N).
inline Tensor matmul(const Tensor& x, const Tensor& B) {
  const int64_t K = B.shape.at(0), N = B.shape.at(1);
  if (x.shape.empty() || x.shape.back() != K) bad("matmul shapes");
  Shape s = x.shape;
  s.back() = N;
  Tensor r = Tensor::zeros(s);
  const int64_t rows = x.size() / K;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0;
      for (int64_t k = 0; k < K; ++k)
        acc += x.data[static_cast<size_t>(i * K + k)] * B.data[static_cast<size_t>(k * N + n)];
      r.data[static_cast<size_t>(i * N + n)] = acc;
    }
  return r;
}

struct Window2 {
  int64_t kh, kw, sh, sw, pt, pl, pb, pr;
};

// 1D windows are 2D windows of height 1.
inline Window2 window2(const std::vector<int64_t>& k, const std::vector<int64_t>& s, const std::vector<int64_t>& p) {
  if (k.size() == 1) return {1, k[0], 1, s.at(0), 0, p.at(0), 0, p.at(1)};
  return {k.at(0), k.at(1), s.at(0), s.at(1), p.at(0), p.at(1), p.at(2), p.at(3)};
}

// x (H, W, C) or (L, C); w (kh, kw, cin/g, cout) or (k, cin/g, cout).
inline Tensor conv(const Tensor& x, const Tensor& w, const Tensor* bias, const std::vector<int64_t>& strides,
                   const std::vector<int64_t>& pads, int64_t group) {
  const bool one_d = x.shape.size() == 2;
  std::vector<int64_t> k(w.shape.begin(), w.shape.end() - 2);
  Window2 wn = window2(k, strides, pads);
  const int64_t H = one_d ? 1 : x.shape[0], W = x.shape[x.shape.size() - 2], C = x.shape.back();
  const int64_t cg = w.shape[w.shape.size() - 2], cout = w.shape.back(), og = cout / group;
  if (cg * group != C) bad("conv channels");
  const int64_t OH = (H + wn.pt + wn.pb - wn.kh) / wn.sh + 1, OW = (W + wn.pl + wn.pr - wn.kw) / wn.sw + 1;
  Tensor r = Tensor::zeros(one_d ? Shape{OW, cout} : Shape{OH, OW, cout});
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow)
      for (int64_t co = 0; co < cout; ++co) {
        double acc = bias ? bias->data[static_cast<size_t>(co)] : 0.0;
        const int64_t g = co / og;
        for (int64_t a = 0; a < wn.kh; ++a)
          for (int64_t b = 0; b < wn.kw; ++b) {
            const int64_t ih = oh * wn.sh - wn.pt + a, iw = ow * wn.sw - wn.pl + b;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            for (int64_t j = 0; j < cg; ++j)
              acc += x.data[static_cast<size_t>((ih * W + iw) * C + g * cg + j)] *
                     w.data[static_cast<size_t>(((a * wn.kw + b) * cg + j) * cout + co)];
          }
        r.data[static_cast<size_t>((oh * OW + ow) * cout + co)] = acc;
      }
  return r;
}

inline Tensor pool(const Tensor& x, const std::vector<int64_t>& k, const std::vector<int64_t>& strides,
                   const std::vector<int64_t>& pads, bool is_max, bool count_include_pad) {
  const bool one_d = x.shape.size() == 2;
  Window2 wn = window2(k, strides, pads);
  const int64_t H = one_d ? 1 : x.shape[0], W = x.shape[x.shape.size() - 2], C = x.shape.back();
  const int64_t OH = (H + wn.pt + wn.pb - wn.kh) / wn.sh + 1, OW = (W + wn.pl + wn.pr - wn.kw) / wn.sw + 1;
  Tensor r = Tensor::zeros(one_d ? Shape{OW, C} : Shape{OH, OW, C});
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow)
      for (int64_t c = 0; c < C; ++c) {
        double acc = is_max ? -INFINITY : 0.0;
        int64_t n = 0;
        for (int64_t a = 0; a < wn.kh; ++a)
          for (int64_t b = 0; b < wn.kw; ++b) {
            const int64_t ih = oh * wn.sh - wn.pt + a, iw = ow * wn.sw - wn.pl + b;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            const double v = x.data[static_cast<size_t>((ih * W + iw) * C + c)];
            acc = is_max ? std::max(acc, v) : acc + v;
            ++n;
          }
        if (!is_max) acc /= static_cast<double>(count_include_pad ? wn.kh * wn.kw : n);
        r.data[static_cast<size_t>((oh * OW + ow) * C + c)] = acc;
      }
  return r;
}

inline Tensor global_pool(const Tensor& x, bool is_max) {
  const int64_t C = x.shape.back(), n = x.size() / C;
  Tensor r = Tensor::zeros({C});
  for (int64_t c = 0; c < C; ++c) {
    double acc = is_max ? -INFINITY : 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double v = x.data[static_cast<size_t>(i * C + c)];
      acc = is_max ? std::max(acc, v) : acc + v;
    }
    r.data[static_cast<size_t>(c)] = is_max ? acc : acc / static_cast<double>(n);
  }
  return r;
}

inline Tensor softmax_last(Tensor x) {
  const int64_t C = x.shape.back(), n = x.size() / C;
  for (int64_t i = 0; i < n; ++i) {
    double* p = x.data.data() + i * C;
    double m = *std::max_element(p, p + C), s = 0;
    for (int64_t c = 0; c < C; ++c) s += (p[c] = std::exp(p[c] - m));
    for (int64_t c = 0; c < C; ++c) p[c] /= s;
  }
  return x;
}

inline Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value) {
  const size_t r = x.shape.size();
  Shape s = x.shape;
  for (size_t i = 0; i < r; ++i) s[i] += pads.at(i) + pads.at(r + i);
  Tensor out(s, std::vector<double>(static_cast<size_t>(ir::num_elements(s)), value));
  const auto in_st = ir::strides_of(x.shape), out_st = ir::strides_of(s);
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t rem = i, off = 0;
    for (size_t d = 0; d < r; ++d) {
      off += (rem / in_st[d] + pads[d]) * out_st[d];
      rem %= in_st[d];
    }
    out.data[static_cast<size_t>(off)] = x.data[static_cast<size_t>(i)];
  }
  return out;
}

inline Tensor concat(const std::vector<Tensor>& xs, int64_t axis) {
  Shape s = xs.at(0).shape;
  s[static_cast<size_t>(axis)] = 0;
  for (const Tensor& t : xs) s[static_cast<size_t>(axis)] += t.shape[static_cast<size_t>(axis)];
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= s[static_cast<size_t>(i)];
  for (size_t i = static_cast<size_t>(axis) + 1; i < s.size(); ++i) inner *= s[i];
  std::vector<double> d;
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor& t : xs) {
      const int64_t n = t.shape[static_cast<size_t>(axis)] * inner;
      d.insert(d.end(), t.data.begin() + o * n, t.data.begin() + (o + 1) * n);
    }
  return Tensor(s, d);
}

inline double round_mode(double v, const std::string& mode) {
  if (mode == "ROUND") {
    double r = std::round(v);
    if (std::fabs(v - std::trunc(v)) == 0.5) r = 2.0 * std::round(v / 2.0);
    return r;
  }
  if (mode == "CEIL") return std::ceil(v);
  if (mode == "FLOOR") return std::floor(v);
  if (mode == "UP") return v >= 0 ? std::ceil(v) : std::floor(v);
  if (mode == "DOWN" || mode == "ROUND_TO_ZERO") return std::trunc(v);
  if (mode == "HALF_UP") return std::round(v);
  if (mode == "HALF_DOWN") return std::fabs(v - std::trunc(v)) == 0.5 ? std::trunc(v) : std::round(v);
  bad("rounding mode " + mode);
}

// QONNX Quant: y = (clip(round(x / scale + zp), qmin, qmax) - zp) * scale.
inline Tensor quant(const Tensor& x, const Tensor& scale, const Tensor& zp, const Tensor& bits, bool is_signed,
                    bool narrow, const std::string& mode) {
  Tensor s = broadcast(scale, x.shape), z = broadcast(zp, x.shape), b = broadcast(bits, x.shape), r = x;
  for (size_t i = 0; i < r.data.size(); ++i) {
    const double n = b.data[i];
    const double qmin = is_signed ? -std::ldexp(1.0, static_cast<int>(n) - 1) + (narrow ? 1 : 0) : 0.0;
    const double qmax = is_signed ? std::ldexp(1.0, static_cast<int>(n) - 1) - 1 : std::ldexp(1.0, static_cast<int>(n)) - 1 - (narrow ? 1 : 0);
    double q = round_mode(x.data[i] / s.data[i] + z.data[i], mode);
    q = std::min(std::max(q, qmin), qmax);
    r.data[i] = (q - z.data[i]) * s.data[i];
  }
  return r;
}

// Channels on the last axis.
inline Tensor batchnorm(const Tensor& x, const Tensor& g, const Tensor& b, const Tensor& m, const Tensor& v, double eps) {
  Tensor r = x;
  const int64_t C = x.shape.empty() ? 1 : x.shape.back();
  for (size_t i = 0; i < r.data.size(); ++i) {
    const size_t c = i % static_cast<size_t>(C);
    r.data[i] = (x.data[i] - m.data[c]) / std::sqrt(v.data[c] + eps) * g.data[c] + b.data[c];
  }
  return r;
}

// Runs the graph on one sample; inputs and outputs in the IR's (internal) layout.
inline std::vector<Tensor> run_ir(const ir::Graph& g, const std::vector<Tensor>& inputs) {
  using ir::Op;
  std::vector<Tensor> val(g.num_values());
  for (size_t v = 0; v < g.num_values(); ++v)
    if (g.value(static_cast<ir::ValueId>(v)).is_constant()) val[v] = *g.value(static_cast<ir::ValueId>(v)).constant;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    if (inputs.at(i).shape != g.value(g.inputs[i].value).shape) bad("input shape");
    val[static_cast<size_t>(g.inputs[i].value)] = inputs[i];
  }
  for (ir::NodeId id : g.node_ids()) {
    const ir::Node& n = g.node(id);
    auto in = [&](size_t k) -> const Tensor& { return val.at(static_cast<size_t>(n.inputs.at(k))); };
    const ir::Attrs& a = n.attrs;
    Tensor r;
    switch (n.op) {
      case Op::Gemm: {
        Tensor B = in(1);
        if (a.get_int("transB", 0)) B = B.transposed({1, 0});
        r = unary(matmul(in(0), B), [&](double v) { return v * a.get_float("alpha", 1.0); });
        if (n.inputs.size() > 2) {
          const double beta = a.get_float("beta", 1.0);
          r = binary(r, in(2), [&](double x, double c) { return x + beta * c; });
        }
        break;
      }
      case Op::MatMul: r = matmul(in(0), in(1)); break;
      case Op::Dense: r = binary(matmul(in(0), in(1)), n.inputs.size() > 2 ? in(2) : Tensor::scalar(0), std::plus<>()); break;
      case Op::Conv:
        r = conv(in(0), in(1), n.inputs.size() > 2 ? &in(2) : nullptr, a.get_ints("strides"), a.get_ints("pads"),
                 a.get_int("group", 1));
        break;
      case Op::MaxPool:
      case Op::AvgPool:
        r = pool(in(0), a.get_ints("kernel_shape"), a.get_ints("strides"), a.get_ints("pads"), n.op == Op::MaxPool,
                 a.get_int("count_include_pad", 0) != 0);
        break;
      case Op::GlobalAvgPool: r = global_pool(in(0), false); break;
      case Op::GlobalMaxPool: r = global_pool(in(0), true); break;
      case Op::Relu: {
        const double th = a.get_float("theta", 0.0);  // ThresholdedRelu
        r = unary(in(0), [th](double v) { return v > th ? v : 0.0; });
        break;
      }
      case Op::UnaryTable: {
        const std::string f = a.get_string("function", "");
        r = unary(in(0), [f](double v) -> double {
          if (f == "softplus") return std::log1p(std::exp(v));
          if (f == "softsign") return v / (1 + std::fabs(v));
          if (f == "erf") return std::erf(v);
          return NAN;
        });
        break;
      }
      case Op::Sigmoid: r = unary(in(0), [](double v) { return 1.0 / (1.0 + std::exp(-v)); }); break;
      case Op::Tanh: r = unary(in(0), [](double v) { return std::tanh(v); }); break;
      case Op::LeakyRelu: {
        const double al = a.get_float("alpha", 0.01);
        r = unary(in(0), [&](double v) { return v > 0 ? v : al * v; });
        break;
      }
      case Op::Elu: {
        const double al = a.get_float("alpha", 1.0);
        r = unary(in(0), [&](double v) { return v > 0 ? v : al * (std::exp(v) - 1); });
        break;
      }
      case Op::HardSigmoid: {
        const double al = a.get_float("alpha", 0.2), be = a.get_float("beta", 0.5);
        r = unary(in(0), [&](double v) { return std::max(0.0, std::min(1.0, al * v + be)); });
        break;
      }
      case Op::PRelu: r = binary(in(0), in(1), [](double v, double s) { return v > 0 ? v : s * v; }); break;
      case Op::Clip: {
        const double lo = a.get_float("min", -INFINITY), hi = a.get_float("max", INFINITY);
        r = unary(in(0), [&](double v) { return std::min(std::max(v, lo), hi); });
        break;
      }
      case Op::Softmax: r = softmax_last(in(0)); break;
      case Op::Add: r = binary(in(0), in(1), std::plus<>()); break;
      case Op::Sub: r = binary(in(0), in(1), std::minus<>()); break;
      case Op::Mul:
      case Op::Scale: r = binary(in(0), in(1), std::multiplies<>()); break;
      case Op::Concat: {
        std::vector<Tensor> xs;
        for (size_t k = 0; k < n.inputs.size(); ++k) xs.push_back(in(k));
        r = concat(xs, a.get_int("axis", 0));
        break;
      }
      case Op::Reshape: r = Tensor(g.value(n.outputs[0]).shape, in(0).data); break;
      case Op::Transpose: r = in(0).transposed(a.get_ints("perm")); break;
      case Op::Pad: r = pad(in(0), a.get_ints("pads"), a.get_float("value", 0)); break;
      case Op::Identity:
      case Op::Dropout:
      case Op::Cast: r = in(0); break;
      case Op::BatchNormInference:
        r = batchnorm(in(0), in(1), in(2), in(3), in(4), a.get_float("epsilon", 1e-5));
        break;
      case Op::BatchNorm: r = binary(binary(in(0), in(1), std::multiplies<>()), in(2), std::plus<>()); break;
      case Op::Quant:
        r = quant(in(0), in(1), in(2), in(3), a.get_int("signed", 1) != 0, a.get_int("narrow", 0) != 0,
                  a.get_string("rounding_mode", "ROUND"));
        break;
      case Op::BipolarQuant: r = binary(in(0), in(1), [](double v, double s) { return v >= 0 ? s : -s; }); break;
      case Op::Trunc:
      case Op::ElementQuant:
      case Op::TreeEnsemble: bad(std::string("op ") + std::string(ir::op_name(n.op)) + " is not evaluated");
    }
    if (r.shape != g.value(n.outputs.at(0)).shape)
      bad("node " + n.name + " produced " + ir::shape_str(r.shape) + ", IR says " + ir::shape_str(g.value(n.outputs[0]).shape));
    val[static_cast<size_t>(n.outputs[0])] = std::move(r);
  }
  std::vector<Tensor> outs;
  for (const ir::IoPort& p : g.outputs) outs.push_back(val.at(static_cast<size_t>(p.value)));
  return outs;
}

// User-layout sample -> IR input, and IR output -> user layout (IoPort perms).
inline Tensor to_internal(const ir::IoPort& p, const std::vector<double>& user) {
  Tensor t(p.user_shape, user);
  return p.perm.empty() ? t : t.transposed(p.perm);
}
inline Tensor to_user(const ir::IoPort& p, const Tensor& internal) {
  return p.perm.empty() ? Tensor(p.user_shape, internal.data) : internal.transposed(ir::inverse_permutation(p.perm));
}

}  // namespace tachyon::test::ref
