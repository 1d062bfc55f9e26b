// Keras layers -> frontend-level IR (conventions of include/tachyon/frontends/onnx.h).
// Keras is channels-last like the IR, so shapes are the Keras shapes without the batch axis
// and no layout changes are needed.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <deque>
#include <functional>
#include <limits>
#include <set>
#include <type_traits>

#include "frontends/keras/files.h"
#include "frontends/keras/model.h"
#include "frontends/keras/quantizers.h"
#include "tachyon/ir/verifier.h"

namespace tachyon::frontends::keras_import {

namespace {

using ir::Op;

struct Val {
  ir::ValueId id = ir::kNone;
  ir::Shape shape;
};

// Suffix for activation(): the activation is the layer itself (Activation, QActivation).
const std::string kOwnLayer = "\x01own";

// Thrown to abandon the current layer after its diagnostic was recorded.
struct LayerFailed {};

// Elements of a shape, saturating at 2^62 (shapes come from the file and may be absurd).
int64_t numel(const ir::Shape& s) {
  constexpr int64_t kCap = int64_t{1} << 62;
  int64_t n = 1;
  for (int64_t d : s) {
    if (d <= 0) return 0;
    n = d > kCap / n ? kCap : n * d;
  }
  return n;
}

std::string shp(const ir::Shape& s) { return fmt::format("[{}]", fmt::join(s, ", ")); }

const std::set<std::string>& supported_classes() {
  static const std::set<std::string> s{
      "InputLayer", "Dense", "QDense", "Conv1D", "Conv2D", "QConv1D", "QConv2D", "DepthwiseConv1D", "DepthwiseConv2D",
      "QDepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "QSeparableConv1D", "QSeparableConv2D", "MaxPooling1D",
      "MaxPooling2D", "MaxPool1D", "MaxPool2D", "AveragePooling1D", "AveragePooling2D", "AvgPool1D", "AvgPool2D",
      "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalAveragePooling1D",
      "GlobalAveragePooling2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "BatchNormalization", "QBatchNormalization",
      "Activation", "QActivation", "ReLU", "LeakyReLU", "ThresholdedReLU", "ELU", "PReLU", "Softmax", "Flatten", "Reshape", "Permute",
      "Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
      "ActivityRegularization", "ZeroPadding1D", "ZeroPadding2D", "UpSampling1D", "UpSampling2D", "Add", "Subtract",
      "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "FixedPointQuantizer"};
  return s;
}

// A parameter of shape s (right-aligned, numpy rules) expanded to the full shape `to`.
ir::Tensor broadcast_param(const ir::Tensor& p, const ir::Shape& to) {
  ir::Tensor out(to, std::vector<double>(static_cast<size_t>(numel(to)), 0.0));
  const size_t off = to.size() - p.shape.size();
  const auto ts = ir::strides_of(to), ps = ir::strides_of(p.shape);
  for (int64_t i = 0; i < numel(to); ++i) {
    int64_t rem = i, pi = 0;
    for (size_t d = 0; d < to.size(); ++d) {
      const int64_t c = rem / ts[d];
      rem %= ts[d];
      if (d >= off && p.shape[d - off] != 1) pi += c * ps[d - off];
    }
    out.data[static_cast<size_t>(i)] = p.data[static_cast<size_t>(pi)];
  }
  return out;
}

class Builder {
 public:
  explicit Builder(const Model& m) : m_(m), diag_(m.file) {}
  ir::Graph run();

 private:
  const Model& m_;
  Diagnostics diag_;
  ir::Graph g_;
  std::map<std::string, const Layer*> by_name_;
  std::map<std::string, Val> out_;
  std::map<std::string, int> uses_;  // consumers of each layer's output (+1 per graph output)
  const Layer* L_ = nullptr;
  bool hgq_ = false;  // the model has HGQ FixedPointQuantizer layers

  [[noreturn]] void err(const std::string& msg) {
    diag_.error(L_->name, L_->cls, msg);
    throw LayerFailed{};
  }
  const json& cfg() const { return L_->cfg; }
  template <typename T>
  T get(const char* key, T def) {
    auto it = cfg().find(key);
    if (it == cfg().end() || it->is_null()) return def;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      // An integer, or a float holding one (never converted out of range).
      if (it->is_number_float()) {
        const double v = it->get<double>();
        if (!(v == std::floor(v) && std::fabs(v) <= 9007199254740992.0))
          err(fmt::format("config '{}' has an unexpected value {}", key, it->dump()));
        return static_cast<T>(v);
      }
      if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        err(fmt::format("config '{}' has an unexpected value {}", key, it->dump()));
    }
    try {
      return it->get<T>();
    } catch (const std::exception&) {
      err(fmt::format("config '{}' has an unexpected value {}", key, it->dump()));
    }
  }
  std::vector<int64_t> ints(const char* key, size_t n, std::vector<int64_t> def) {
    auto it = cfg().find(key);
    if (it == cfg().end() || it->is_null()) return def;
    std::vector<int64_t> v;
    if (it->is_number_integer()) {
      v.assign(n, it->get<int64_t>());
    } else if (it->is_array()) {
      for (const json& e : *it) {
        if (!e.is_number_integer()) err(fmt::format("config '{}' = {} is not a list of integers", key, it->dump()));
        v.push_back(e.get<int64_t>());
      }
    } else {
      err(fmt::format("config '{}' = {} is not an integer or a list", key, it->dump()));
    }
    if (v.size() != n) err(fmt::format("config '{}' = {} has {} values, expected {}", key, it->dump(), v.size(), n));
    for (int64_t x : v)
      if (x < 0 || x > (int64_t{1} << 20)) err(fmt::format("config '{}' = {} is out of range", key, it->dump()));
    return v;
  }

  // ---- emission ----
  std::string base(const std::string& suffix) const {
    return ir::sanitize_identifier(suffix.empty() ? L_->name : L_->name + "_" + suffix);
  }
  ir::ValueId emit(Op op, std::vector<ir::ValueId> ins, const ir::Shape& shape, ir::Attrs a = {},
                   const std::string& suffix = "") {
    for (int64_t d : shape)
      if (d <= 0) err(fmt::format("the output shape {} is empty", shp(shape)));
    if (numel(shape) > (int64_t{1} << 31) - 1) err(fmt::format("the output shape {} is too large", shp(shape)));
    const std::string b = base(suffix);
    ir::ValueId v = g_.add_value(g_.unique_value_name(b), shape);
    ir::NodeId n = g_.add_node(op, g_.unique_node_name(b), std::move(ins), {v});
    ir::Node& node = g_.node(n);
    // Helper nodes (a layer's split activation, ...) answer to their own name only, so a
    // configuration can name both the layer and its activation.
    node.source_name = suffix.empty() ? L_->name : b;
    node.source_op = L_->cls;
    node.attrs = std::move(a);
    return v;
  }
  ir::ValueId constant(const std::string& suffix, ir::Tensor t) {
    return g_.add_constant(g_.unique_value_name(base(suffix)), std::move(t));
  }
  ir::ValueId scalar(const std::string& suffix, double v) { return constant(suffix, ir::Tensor::scalar(v)); }

  const ir::Tensor& weight(const std::string& name, const ir::Shape& want) {
    if (m_.make_up_missing_weights && !has_weight(name)) return made_up_weight(name, want);
    for (const auto& [n, t] : L_->weights) {
      if (n != name) continue;
      bool ok = t.shape.size() == want.size();
      for (size_t i = 0; ok && i < want.size(); ++i) ok = want[i] < 0 || want[i] == t.shape[i];
      if (!ok)
        err(fmt::format("shape mismatch: weight '{}' in {} has shape {}, expected {}", name, m_.weights_file, shp(t.shape),
                        shp(want)));
      return t;
    }
    std::vector<std::string> have;
    for (const auto& w : L_->weights) have.push_back(w.first);
    err(fmt::format("missing weights: '{}' not found in {}{}", name, m_.weights_file,
                    have.empty() ? std::string(" (no weights for this layer)") : fmt::format(" (found: {})", fmt::join(have, ", "))));
  }
  bool has_weight(const std::string& name) const {
    return std::any_of(L_->weights.begin(), L_->weights.end(), [&](const auto& p) { return p.first == name; });
  }
  // Model::make_up_missing_weights: a tensor of shape `want` (free axes 1) with small values
  // on a 1/8 grid (positive for variances and scales, a uniform 8-bit type for HGQ
  // quantizers), within the same element limit as the weights read from a file.
  std::deque<ir::Tensor> made_up_;
  const ir::Tensor& made_up_weight(const std::string& name, const ir::Shape& want) {
    ir::Shape s = want;
    for (int64_t& d : s) d = d < 0 ? 1 : d;
    if (numel(s) > kMaxTensorElements)
      err(fmt::format("a weight of shape {} would hold more than {} elements", shp(s), kMaxTensorElements));
    ir::Tensor t(s, std::vector<double>(static_cast<size_t>(numel(s)), 0.0));
    for (size_t i = 0; i < t.data.size(); ++i) {
      const double v = static_cast<double>(static_cast<int>(i % 13) - 6) / 8.0;
      t.data[i] = name == "moving_variance" || name == "gamma" ? 1.0 + std::fabs(v)
                  : name == "keep_negative"                   ? 1.0
                  : name == "bits"                            ? 8.0
                  : name == "integers"                        ? 3.0
                                                              : v;
    }
    made_up_.push_back(std::move(t));
    return made_up_.back();
  }

  // A constant, through a QKeras quantizer when one is given.
  ir::ValueId weight_value(const std::string& suffix, const ir::Tensor& t, const json& qspec);
  // A QONNX-style Quant node over value x.
  ir::ValueId quant(ir::ValueId x, const ir::Shape& shape, double scale, int bits, bool is_signed, bool narrow,
                    const std::string& suffix);
  // A constant whose values lie on a power-of-two grid, typed exactly through a Quant node.
  ir::ValueId exact_constant(const std::string& suffix, const ir::Tensor& t);
  Val apply_quantizer(const Val& x, const QSpec& q, const std::string& suffix);
  // A numeric (or boolean) argument of a QKeras quantizer.
  double qnum(const QSpec& q, const char* key, double def);
  int qint(const QSpec& q, const char* key, int def);  // an integer argument (|value| <= 1024)
  // QKeras quantized_bits (alpha None or 1) as a Quant node over x.
  ir::ValueId quantized_bits(ir::ValueId x, const ir::Shape& shape, const QSpec& q, const std::string& suffix);
  Val activation(const Val& x, const json& spec, const std::string& suffix_hint);

  // ---- layers ----
  std::vector<Val> inputs_of(const Layer& L);
  Val one_input(const std::vector<Val>& in) {
    if (in.size() != 1) err(fmt::format("expects one input, got {}", in.size()));
    return in[0];
  }
  void check_channels_last() {
    if (get<std::string>("data_format", "channels_last") != "channels_last")
      err("data_format 'channels_first' is not supported (the IR is channels-last; save the model with channels_last)");
  }
  Val input_layer();
  Val dense(const Val& x);
  Val conv(const Val& x, bool depthwise, bool separable);
  Val pool(const Val& x, bool max);
  Val global_pool(const Val& x, bool max);
  Val batchnorm(const Val& x);
  Val merge(const std::vector<Val>& in);
  Val concat(const std::vector<Val>& in);
  Val reshape(const Val& x, const ir::Shape& s, const std::string& suffix = "");
  Val zero_pad(const Val& x);
  Val upsample(const Val& x);
  Val prelu(const Val& x);
  Val relu_layer(const Val& x);
  Val fixed_point_quantizer(const Val& x);
  Val layer(const std::vector<Val>& in);

  // Padding (begin..., end...) of a Keras 'valid' / 'same' window.
  std::vector<int64_t> window_pads(const ir::Shape& in, const std::vector<int64_t>& k, const std::vector<int64_t>& s,
                                   const std::string& padding, std::vector<int64_t>* out) {
    const size_t n = in.size();
    std::vector<int64_t> pads(2 * n, 0);
    out->clear();
    for (size_t i = 0; i < n; ++i) {
      if (k[i] < 1 || s[i] < 1) err("kernel size and strides must be positive");
      if (padding == "same") {
        const int64_t o = (in[i] + s[i] - 1) / s[i];
        const int64_t total = std::max<int64_t>((o - 1) * s[i] + k[i] - in[i], 0);
        pads[i] = total / 2;
        pads[i + n] = total - total / 2;
        out->push_back(o);
      } else if (padding == "valid") {
        if (in[i] < k[i]) err(fmt::format("the window {} is larger than the input {} on spatial axis {}", k[i], in[i], i));
        out->push_back((in[i] - k[i]) / s[i] + 1);
      } else {
        err(fmt::format("padding '{}' is not supported (valid, same)", padding));
      }
    }
    return pads;
  }
};

ir::ValueId Builder::quant(ir::ValueId x, const ir::Shape& shape, double scale, int bits, bool is_signed, bool narrow,
                           const std::string& suffix) {
  if (bits < 1 || bits > 64) err(fmt::format("a quantizer of {} bits is not supported (1..64)", bits));
  ir::Attrs a;
  a.set("signed", int64_t{is_signed ? 1 : 0});
  a.set("narrow", int64_t{narrow ? 1 : 0});
  a.set("rounding_mode", std::string("ROUND"));
  std::vector<ir::ValueId> ins{x, scalar(suffix + "_scale", scale), scalar(suffix + "_zeropt", 0.0),
                               scalar(suffix + "_bitwidth", bits)};
  return emit(Op::Quant, std::move(ins), shape, std::move(a), suffix);
}

ir::ValueId Builder::exact_constant(const std::string& suffix, const ir::Tensor& t) {
  int f = 0;
  double vmin = 0, vmax = 0;
  for (double v : t.data) {
    if (!std::isfinite(v)) err(fmt::format("weight '{}' holds a non-finite value", suffix));
    int fv = 0;
    while (fv < 60 && std::ldexp(v, fv) != std::floor(std::ldexp(v, fv))) ++fv;
    if (fv >= 60) return constant(suffix, t);  // not on a grid: leave it to the configuration
    f = std::max(f, fv);
    vmin = std::min(vmin, v);
    vmax = std::max(vmax, v);
  }
  // Signed integers q = v * 2^f need bits with -2^(bits-1) <= q <= 2^(bits-1) - 1.
  int bits = 1;
  while (bits < 64 && (std::ldexp(1.0, bits - 1) < -std::ldexp(vmin, f) || std::ldexp(1.0, bits - 1) - 1 < std::ldexp(vmax, f)))
    ++bits;
  if (bits >= 64) return constant(suffix, t);
  return quant(constant(suffix, t), t.shape, std::ldexp(1.0, -f), bits, true, false, suffix + "_quant");
}

// QKeras quantized_bits with alpha 'auto' / 'auto_po2' on a weight tensor (the current QKeras
// algorithm): per output channel (last axis; one group for vectors), x' = x / 2^integer, an
// initial scale (max - min) / (2^bits - 1) (po2: rounded to a power of two), then five
// refinements z = sign(x') * min(floor(|x'| / s + 1/2), L) with L = (2^bits - 2) / 2 and
// s = 2^round(log2(mean(x' z) / (mean(z z) + eps) + eps)); the result is 2^integer * s * z,
// a power-of-two grid per channel (typed exactly).
ir::Tensor qkeras_auto_bits(const ir::Tensor& t, int bits, int integer, bool po2_init) {
  const double eps = 1e-7;
  const double mi = std::ldexp(1.0, integer);
  const int64_t C = t.shape.size() > 1 ? t.shape.back() : 1;
  const double levels = std::ldexp(1.0, bits) - 1, L = (levels - 1) / 2;
  ir::Tensor out = t;
  auto po2 = [&](double s) { return std::exp2(std::nearbyint(std::log(s + eps) / std::log(2.0))); };
  for (int64_t ch = 0; ch < C; ++ch) {
    std::vector<double> x;
    for (int64_t i = ch; i < t.size(); i += C) x.push_back(t.data[static_cast<size_t>(i)] / mi);
    if (x.empty()) continue;
    const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
    double scale = (*hi - *lo) / levels;
    if (po2_init) scale = po2(scale);
    std::vector<double> z(x.size());
    for (int it = 0; it < 5; ++it) {
      double qx = 0, qq = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        const double v = std::floor(std::fabs(x[i]) / scale + 0.5);
        z[i] = (x[i] > 0 ? 1.0 : x[i] < 0 ? -1.0 : 0.0) * (v < L ? v : L);
        qx += x[i] * z[i];
        qq += z[i] * z[i];
      }
      const double n = static_cast<double>(x.size());
      scale = po2((qx / n) / (qq / n + eps));
    }
    for (size_t i = 0; i < x.size(); ++i) out.data[static_cast<size_t>(ch) + i * static_cast<size_t>(C)] = mi * z[i] * scale;
  }
  return out;
}

ir::ValueId Builder::weight_value(const std::string& suffix, const ir::Tensor& t, const json& qspec) {
  std::optional<QSpec> q;
  try {
    q = parse_quantizer(qspec);
  } catch (const Error& e) {
    err(e.what());
  }
  // HGQ proxy models store their kernels and biases already quantized: type them exactly.
  if (!q) return hgq_ ? exact_constant(suffix, t) : constant(suffix, t);
  const json& c = q->cfg;
  auto num = [&](const char* k, double def) { return qnum(*q, k, def); };
  if (q->cls == "quantized_bits" && c.value("alpha", json()).is_string()) {
    const int bits = qint(*q, "bits", 8);
    if (bits < 1 || bits > 64) err(fmt::format("a quantizer of {} bits is not supported (1..64)", bits));
    const bool po2 = c["alpha"].get<std::string>().find("po2") != std::string::npos;
    return exact_constant(suffix, qkeras_auto_bits(t, bits, qint(*q, "integer", 0), po2));
  }
  if (q->cls == "binary" || q->cls == "ternary") {
    const json alpha = c.value("alpha", json());
    if (!(alpha.is_null() || alpha.is_number()))
      err(fmt::format("{} alpha={} is not supported (None or a number)", q->cls, alpha.dump()));
    const double a = alpha.is_number() ? alpha.get<double>() : 1.0;
    ir::Tensor v = t;
    for (double& x : v.data) {
      if (q->cls == "binary") {
        x = x >= 0 ? 1.0 : -1.0;  // sign, with 0 -> +1
        if (num("use_01", 0) != 0) x = (x + 1) / 2;
      } else {
        x = std::fabs(x) >= num("threshold", 0.33) ? (x > 0 ? 1.0 : -1.0) : 0.0;
      }
      x *= a;
    }
    return exact_constant(suffix, v);
  }
  if (q->cls == "quantized_bits") return quantized_bits(constant(suffix, t), t.shape, *q, suffix + "_quant");
  err(fmt::format("QKeras quantizer '{}' on weights is not supported (quantized_bits, binary, ternary)", q->cls));
}

int Builder::qint(const QSpec& q, const char* k, int def) {
  const double v = qnum(q, k, def);
  if (!(v == std::floor(v) && std::fabs(v) <= 1024))
    err(fmt::format("quantizer {}: '{}' = {} is not an integer between -1024 and 1024", q.cls, k, v));
  return static_cast<int>(v);
}

double Builder::qnum(const QSpec& q, const char* k, double def) {
  const json& c = q.cfg;
  if (!c.contains(k) || c[k].is_null()) return def;
  if (c[k].is_boolean()) return c[k].get<bool>() ? 1.0 : 0.0;
  if (!c[k].is_number()) err(fmt::format("quantizer {}: '{}' = {} is not a number", q.cls, k, c[k].dump()));
  return c[k].get<double>();
}

ir::ValueId Builder::quantized_bits(ir::ValueId x, const ir::Shape& shape, const QSpec& q, const std::string& suffix) {
  const json alpha = q.cfg.value("alpha", json());
  if (!(alpha.is_null() || (alpha.is_number() && alpha.get<double>() == 1.0)))
    err(fmt::format("quantized_bits alpha={} is not supported here (None or 1; 'auto' / 'auto_po2' on weights)",
                    alpha.dump()));
  // m = 2^(bits - keep_negative); x -> 2^integer * clip(round(x * m / 2^integer), keep_negative * (symmetric - m), m - 1) / m
  const int bits = qint(q, "bits", 8);
  const int integer = qint(q, "integer", 0);
  const bool keep_negative = qnum(q, "keep_negative", 1) != 0;
  const bool symmetric = qnum(q, "symmetric", 0) != 0;
  const double scale = std::ldexp(1.0, integer - bits + (keep_negative ? 1 : 0));
  return quant(x, shape, scale, bits, keep_negative, symmetric && keep_negative, suffix);
}

Val Builder::apply_quantizer(const Val& x, const QSpec& q, const std::string& suffix) {
  auto num = [&](const char* k, double def) { return qnum(q, k, def); };
  if (num("use_stochastic_rounding", 0) != 0) err(fmt::format("{} with stochastic rounding is not supported", q.cls));
  if (q.cls == "quantized_bits") return {quantized_bits(x.id, x.shape, q, suffix), x.shape};
  if (q.cls == "quantized_relu") {
    if (num("use_sigmoid", 0) != 0) err("quantized_relu with use_sigmoid is not supported");
    if (num("negative_slope", 0) != 0) err("quantized_relu with a negative_slope is not supported");
    if (q.cfg.contains("relu_upper_bound") && !q.cfg["relu_upper_bound"].is_null())
      err("quantized_relu with relu_upper_bound is not supported");
    const int bits = qint(q, "bits", 8);
    const int integer = qint(q, "integer", 0);
    // clip(round(x * 2^(bits-integer)), 0, 2^bits - 1) * 2^(integer-bits): an unsigned quantizer.
    return {quant(x.id, x.shape, std::ldexp(1.0, integer - bits), bits, false, false, suffix), x.shape};
  }
  err(fmt::format("QKeras quantizer '{}' on activations is not supported (quantized_bits, quantized_relu)", q.cls));
}

Val Builder::activation(const Val& x, const json& spec, const std::string& suffix) {
  if (spec.is_null()) return x;
  if (is_quantizer_spec(spec)) {
    std::optional<QSpec> q;
    try {
      q = parse_quantizer(spec);
    } catch (const Error& e) {
      err(e.what());
    }
    return apply_quantizer(x, *q, suffix == kOwnLayer ? std::string() : suffix.empty() ? q->cls : suffix);
  }
  std::string name;
  if (spec.is_string()) {
    name = spec;
  } else if (spec.is_object() && spec.contains("class_name") && spec["class_name"].is_string()) {
    name = spec["class_name"];  // Keras 3 may serialize a function as an object
    if (spec.contains("config") && spec["config"].is_string()) name = spec["config"];
  } else {
    err(fmt::format("activation {} is not understood", spec.dump()));
  }
  const std::string sfx = suffix == kOwnLayer ? std::string() : suffix.empty() ? name : suffix;
  ir::Attrs a;
  if (name == "linear" || name == "identity") return x;
  if (name == "relu") return {emit(Op::Relu, {x.id}, x.shape, {}, sfx), x.shape};
  if (name == "sigmoid") return {emit(Op::Sigmoid, {x.id}, x.shape, {}, sfx), x.shape};
  if (name == "tanh") return {emit(Op::Tanh, {x.id}, x.shape, {}, sfx), x.shape};
  if (name == "softmax") return {emit(Op::Softmax, {x.id}, x.shape, {}, sfx), x.shape};
  if (name == "elu") {
    a.set("alpha", 1.0);
    return {emit(Op::Elu, {x.id}, x.shape, a, sfx), x.shape};
  }
  if (name == "leaky_relu") {
    a.set("alpha", 0.2);
    return {emit(Op::LeakyRelu, {x.id}, x.shape, a, sfx), x.shape};
  }
  if (name == "hard_sigmoid") {
    // Keras 2: clip(0.2 x + 0.5, 0, 1); Keras 3: relu6(x + 3) / 6.
    a.set("alpha", m_.keras_major >= 3 ? 1.0 / 6.0 : 0.2);
    a.set("beta", 0.5);
    return {emit(Op::HardSigmoid, {x.id}, x.shape, a, sfx), x.shape};
  }
  if (name == "softplus" || name == "softsign") {  // hls4ml's tables (the UnaryTable op)
    a.set("function", name);
    return {emit(Op::UnaryTable, {x.id}, x.shape, a, sfx), x.shape};
  }
  if (name == "relu6") {
    a.set("min", 0.0);
    a.set("max", 6.0);
    return {emit(Op::Clip, {x.id}, x.shape, a, sfx), x.shape};
  }
  err(fmt::format("activation '{}' is not supported (linear, relu, relu6, sigmoid, tanh, softmax, elu, leaky_relu, "
                  "hard_sigmoid, softplus, softsign)",
                  name));
}

std::vector<Val> Builder::inputs_of(const Layer& L) {
  std::vector<Val> v;
  for (const Ref& r : L.inputs) {
    if (r.node != 0 || r.tensor != 0)
      err(fmt::format("input '{}' [{}, {}]: layers called several times or with several outputs are not supported",
                      r.layer, r.node, r.tensor));
    v.push_back(out_.at(r.layer));
  }
  return v;
}

Val Builder::input_layer() {
  json s = cfg().contains("batch_input_shape") ? cfg()["batch_input_shape"]
                                               : cfg().contains("batch_shape") ? cfg()["batch_shape"] : json();
  if (!s.is_array() || s.size() < 2) err("no batch_input_shape / batch_shape with at least one non-batch axis");
  ir::Shape shape;
  for (size_t i = 1; i < s.size(); ++i) {
    if (!s[i].is_number_integer() || s[i].get<int64_t>() < 1)
      err(fmt::format("input shape {} has a dimension that is not a positive number (variable sizes are not supported)",
                      s.dump()));
    shape.push_back(s[i].get<int64_t>());
  }
  if (shape.size() > 4) err(fmt::format("input shape {} has more than 4 axes", s.dump()));
  if (numel(shape) > (int64_t{1} << 31) - 1) err("the input is too large");
  const std::string name = ir::sanitize_identifier(L_->name);
  ir::ValueId v = g_.add_value(g_.unique_value_name(name), shape);
  g_.inputs.push_back(ir::IoPort{v, L_->name, shape, {}});
  return {v, shape};
}

Val Builder::dense(const Val& x) {
  if (x.shape.empty()) err("input has no axis");
  const int64_t in = x.shape.back();
  const int64_t units = get<int64_t>("units", -1);
  if (units < 1) err("config 'units' is missing or not positive");
  const ir::Tensor& W = weight("kernel", {in, units});
  const bool bias = get<bool>("use_bias", true);
  const json kq = cfg().value("kernel_quantizer", json());
  const json bq = cfg().value("bias_quantizer", json());
  ir::ValueId w = weight_value("kernel", W, kq);
  std::optional<ir::ValueId> b;
  if (bias) b = weight_value("bias", weight("bias", {units}), bq);
  ir::Shape os = x.shape;
  os.back() = units;
  // The IR's Dense layer directly (it applies to the last axis of any rank), so that a quantizer
  // after it becomes its result type.
  std::vector<ir::ValueId> ins{x.id, w};
  if (b) ins.push_back(*b);
  const ir::ValueId y = emit(Op::Dense, std::move(ins), os);
  return activation({y, os}, cfg().value("activation", json("linear")), "");
}

Val Builder::conv(const Val& x, bool depthwise, bool separable) {
  check_channels_last();
  if (x.shape.size() != 2 && x.shape.size() != 3)
    err(fmt::format("input of shape {} (Conv1D takes (steps, channels), Conv2D (rows, cols, channels))", shp(x.shape)));
  const size_t ns = x.shape.size() - 1;
  const int64_t C = x.shape.back();
  const std::vector<int64_t> k = ints("kernel_size", ns, {});
  if (k.empty()) err("config 'kernel_size' is missing");
  const std::vector<int64_t> s = ints("strides", ns, std::vector<int64_t>(ns, 1));
  const std::vector<int64_t> d = ints("dilation_rate", ns, std::vector<int64_t>(ns, 1));
  if (get<int64_t>("groups", 1) != 1) err("grouped convolutions (groups != 1) are not supported");
  // A dilated kernel covers d*(k-1)+1 input cells; padding and output size follow from that span.
  std::vector<int64_t> span(ns);
  for (size_t i = 0; i < ns; ++i) {
    if (d[i] < 1 || d[i] > (int64_t{1} << 20) || k[i] < 1 || k[i] > (int64_t{1} << 20))
      err(fmt::format("kernel_size {} with dilation_rate {} on spatial axis {}: both must be in 1..2^20", k[i], d[i], i));
    span[i] = d[i] * (k[i] - 1) + 1;
  }
  const std::string padding = get<std::string>("padding", "valid");
  std::vector<int64_t> outsp;
  const std::vector<int64_t> pads = window_pads(ir::Shape(x.shape.begin(), x.shape.end() - 1), span, s, padding, &outsp);
  const bool bias = get<bool>("use_bias", true);
  auto attrs = [&](int64_t group, const std::vector<int64_t>& kk, const std::vector<int64_t>& ss,
                   const std::vector<int64_t>& pp, const std::vector<int64_t>& dd) {
    ir::Attrs a;
    a.set("kernel_shape", kk);
    a.set("strides", ss);
    a.set("pads", pp);
    a.set("group", group);
    a.set("dilations", dd);
    return a;
  };
  ir::Shape kshape(k.begin(), k.end());
  if (!depthwise && !separable) {
    const int64_t filters = get<int64_t>("filters", -1);
    if (filters < 1) err("config 'filters' is missing or not positive");
    ir::Shape ws = kshape;
    ws.push_back(C);
    ws.push_back(filters);
    std::vector<ir::ValueId> ins{x.id, weight_value("kernel", weight("kernel", ws), cfg().value("kernel_quantizer", json()))};
    if (bias) ins.push_back(weight_value("bias", weight("bias", {filters}), cfg().value("bias_quantizer", json())));
    ir::Shape os(outsp.begin(), outsp.end());
    os.push_back(filters);
    ir::ValueId y = emit(Op::Conv, std::move(ins), os, attrs(1, k, s, pads, d));
    return activation({y, os}, cfg().value("activation", json("linear")), "");
  }
  // Depthwise part: Keras kernel (k..., C, M) -> IR (k..., 1, C*M), output channel c*M + m.
  const int64_t M = get<int64_t>("depth_multiplier", 1);
  if (M < 1) err("depth_multiplier must be positive");
  ir::Shape ws = kshape;
  ws.push_back(C);
  ws.push_back(M);
  ir::Tensor dw = weight("depthwise_kernel", ws);
  dw.shape = kshape;
  dw.shape.push_back(1);
  dw.shape.push_back(C * M);
  std::vector<ir::ValueId> ins{x.id, weight_value(separable ? "depthwise_kernel" : "kernel", dw,
                                                  cfg().value("depthwise_quantizer", json()))};
  ir::Shape os(outsp.begin(), outsp.end());
  os.push_back(C * M);
  if (!separable) {
    if (bias) ins.push_back(weight_value("bias", weight("bias", {C * M}), cfg().value("bias_quantizer", json())));
    ir::ValueId y = emit(Op::Conv, std::move(ins), os, attrs(C, k, s, pads, d));
    return activation({y, os}, cfg().value("activation", json("linear")), "");
  }
  ir::ValueId y = emit(Op::Conv, std::move(ins), os, attrs(C, k, s, pads, d), "depthwise");
  const int64_t filters = get<int64_t>("filters", -1);
  if (filters < 1) err("config 'filters' is missing or not positive");
  ir::Shape ps(ns, 1);
  ps.push_back(C * M);
  ps.push_back(filters);
  std::vector<ir::ValueId> pins{y, weight_value("pointwise_kernel", weight("pointwise_kernel", ps),
                                                cfg().value("pointwise_quantizer", json()))};
  if (bias) pins.push_back(weight_value("bias", weight("bias", {filters}), cfg().value("bias_quantizer", json())));
  ir::Shape pos(outsp.begin(), outsp.end());
  pos.push_back(filters);
  ir::ValueId z = emit(Op::Conv, std::move(pins), pos,
                       attrs(1, std::vector<int64_t>(ns, 1), std::vector<int64_t>(ns, 1), std::vector<int64_t>(2 * ns, 0),
                             std::vector<int64_t>(ns, 1)),
                       "pointwise");
  return activation({z, pos}, cfg().value("activation", json("linear")), "");
}

Val Builder::pool(const Val& x, bool max) {
  check_channels_last();
  if (x.shape.size() != 2 && x.shape.size() != 3) err(fmt::format("input of shape {} is not supported", shp(x.shape)));
  const size_t ns = x.shape.size() - 1;
  const std::vector<int64_t> k = ints("pool_size", ns, std::vector<int64_t>(ns, 2));
  const std::vector<int64_t> s = ints("strides", ns, k);
  std::vector<int64_t> outsp;
  const std::vector<int64_t> pads =
      window_pads(ir::Shape(x.shape.begin(), x.shape.end() - 1), k, s, get<std::string>("padding", "valid"), &outsp);
  ir::Attrs a;
  a.set("kernel_shape", k);
  a.set("strides", s);
  a.set("pads", pads);
  if (!max) a.set("count_include_pad", int64_t{0});
  ir::Shape os(outsp.begin(), outsp.end());
  os.push_back(x.shape.back());
  return {emit(max ? Op::MaxPool : Op::AvgPool, {x.id}, os, std::move(a)), os};
}

Val Builder::global_pool(const Val& x, bool max) {
  check_channels_last();
  if (x.shape.size() != 2 && x.shape.size() != 3) err(fmt::format("input of shape {} is not supported", shp(x.shape)));
  Val y{emit(max ? Op::GlobalMaxPool : Op::GlobalAvgPool, {x.id}, {x.shape.back()}), {x.shape.back()}};
  if (get<bool>("keepdims", false)) {
    ir::Shape s(x.shape.size() - 1, 1);
    s.push_back(x.shape.back());
    return reshape(y, s, "keepdims");
  }
  return y;
}

Val Builder::batchnorm(const Val& x) {
  if (x.shape.empty()) err("input has no axis");
  const json ax = cfg().value("axis", json(-1));
  int64_t axis = -1;
  if (ax.is_number_integer()) {
    axis = ax.get<int64_t>();
  } else if (ax.is_array() && ax.size() == 1 && ax[0].is_number_integer()) {
    axis = ax[0].get<int64_t>();
  } else {
    err(fmt::format("axis {} is not supported (the last axis)", ax.dump()));
  }
  if (axis != -1 && axis != static_cast<int64_t>(x.shape.size()))
    err(fmt::format("axis {} is not supported (only the last axis, the channels)", axis));
  const int64_t C = x.shape.back();
  auto param = [&](const char* name, bool present, double def, const char* qkey) {
    ir::Tensor t = present ? weight(name, {C}) : ir::Tensor({C}, std::vector<double>(static_cast<size_t>(C), def));
    return weight_value(name, t, cfg().value(qkey, json()));
  };
  std::vector<ir::ValueId> ins{x.id, param("gamma", get<bool>("scale", true), 1.0, "gamma_quantizer"),
                               param("beta", get<bool>("center", true), 0.0, "beta_quantizer"),
                               param("moving_mean", true, 0.0, "mean_quantizer"),
                               param("moving_variance", true, 1.0, "variance_quantizer")};
  ir::Attrs a;
  a.set("epsilon", get<double>("epsilon", 1e-3));
  return {emit(Op::BatchNormInference, std::move(ins), x.shape, std::move(a)), x.shape};
}

Val Builder::reshape(const Val& x, const ir::Shape& s, const std::string& suffix) {
  if (numel(s) != numel(x.shape)) err(fmt::format("cannot reshape {} into {}", shp(x.shape), shp(s)));
  if (s == x.shape) return x;
  return {emit(Op::Reshape, {x.id}, s, {}, suffix), s};
}

Val Builder::merge(const std::vector<Val>& in) {
  if (in.size() < 2) err(fmt::format("a merge layer needs at least two inputs, got {}", in.size()));
  for (const Val& v : in)
    if (v.shape != in[0].shape)
      err(fmt::format("inputs of shapes {} and {}: broadcasting between activations is not supported", shp(in[0].shape),
                      shp(v.shape)));
  const ir::Shape& s = in[0].shape;
  const std::string& c = L_->cls;
  if (c == "Subtract") {
    if (in.size() != 2) err("Subtract takes exactly two inputs");
    return {emit(Op::Sub, {in[0].id, in[1].id}, s), s};
  }
  if (c == "Maximum" || c == "Minimum") {
    // max(a, b) = a + relu(b - a); min(a, b) = a - relu(a - b): exact in fixed point.
    ir::ValueId acc = in[0].id;
    for (size_t i = 1; i < in.size(); ++i) {
      const bool mx = c == "Maximum";
      ir::ValueId d = emit(Op::Sub, {mx ? in[i].id : acc, mx ? acc : in[i].id}, s, {}, fmt::format("diff{}", i));
      ir::ValueId r = emit(Op::Relu, {d}, s, {}, fmt::format("relu{}", i));
      acc = emit(mx ? Op::Add : Op::Sub, {acc, r}, s, {}, i + 1 == in.size() ? "" : fmt::format("step{}", i));
    }
    return {acc, s};
  }
  const Op op = c == "Multiply" ? Op::Mul : Op::Add;
  ir::ValueId acc = in[0].id;
  const bool avg = c == "Average";
  for (size_t i = 1; i < in.size(); ++i)
    acc = emit(op, {acc, in[i].id}, s, {}, (i + 1 == in.size() && !avg) ? "" : fmt::format("sum{}", i));
  if (avg) acc = emit(Op::Mul, {acc, scalar("inv_n", 1.0 / static_cast<double>(in.size()))}, s);
  return {acc, s};
}

Val Builder::concat(const std::vector<Val>& in) {
  if (in.size() < 2) err(fmt::format("Concatenate needs at least two inputs, got {}", in.size()));
  const int64_t r = static_cast<int64_t>(in[0].shape.size());
  int64_t axis = get<int64_t>("axis", -1);
  if (axis < 0) axis += r;  // per-sample axis
  else axis -= 1;           // Keras counts the batch axis
  if (axis < 0 || axis >= r) err(fmt::format("axis {} is out of range or the batch axis", get<int64_t>("axis", -1)));
  ir::Shape s = in[0].shape;
  s[static_cast<size_t>(axis)] = 0;
  std::vector<ir::ValueId> ids;
  for (const Val& v : in) {
    if (static_cast<int64_t>(v.shape.size()) != r) err("inputs of different ranks");
    for (int64_t i = 0; i < r; ++i)
      if (i != axis && v.shape[static_cast<size_t>(i)] != in[0].shape[static_cast<size_t>(i)])
        err(fmt::format("inputs of shapes {} and {} differ outside the concatenation axis", shp(in[0].shape), shp(v.shape)));
    s[static_cast<size_t>(axis)] += v.shape[static_cast<size_t>(axis)];
    ids.push_back(v.id);
  }
  ir::Attrs a;
  a.set("axis", axis);
  return {emit(Op::Concat, std::move(ids), s, std::move(a)), s};
}

Val Builder::zero_pad(const Val& x) {
  if (x.shape.size() != 2 && x.shape.size() != 3) err(fmt::format("input of shape {} is not supported", shp(x.shape)));
  check_channels_last();
  const size_t ns = x.shape.size() - 1;
  const json p = cfg().value("padding", json(1));
  std::vector<int64_t> b(ns), e(ns);
  auto num = [&](const json& v) {
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 4096)
      err(fmt::format("padding {} is not understood", p.dump()));
    return v.get<int64_t>();
  };
  if (p.is_number_integer()) {
    for (size_t i = 0; i < ns; ++i) b[i] = e[i] = num(p);
  } else if (p.is_array() && p.size() == ns) {
    for (size_t i = 0; i < ns; ++i) {
      if (p[i].is_array() && p[i].size() == 2) {
        b[i] = num(p[i][0]);
        e[i] = num(p[i][1]);
      } else {
        b[i] = e[i] = num(p[i]);
      }
    }
  } else if (ns == 1 && p.is_array() && p.size() == 2) {
    b[0] = num(p[0]);
    e[0] = num(p[1]);
  } else {
    err(fmt::format("padding {} is not understood", p.dump()));
  }
  std::vector<int64_t> pads;
  ir::Shape s = x.shape;
  for (size_t i = 0; i < ns; ++i) {
    pads.push_back(b[i]);
    s[i] += b[i] + e[i];
  }
  pads.push_back(0);
  for (size_t i = 0; i < ns; ++i) pads.push_back(e[i]);
  pads.push_back(0);
  ir::Attrs a;
  a.set("pads", pads);
  a.set("value", 0.0);
  return {emit(Op::Pad, {x.id}, s, std::move(a)), s};
}

Val Builder::upsample(const Val& x) {
  check_channels_last();
  if (x.shape.size() != 2 && x.shape.size() != 3) err(fmt::format("input of shape {} is not supported", shp(x.shape)));
  if (get<std::string>("interpolation", "nearest") != "nearest") err("only interpolation='nearest' is supported");
  const size_t ns = x.shape.size() - 1;
  const std::vector<int64_t> f = ns == 1 ? ints("size", 1, {2}) : ints("size", 2, {2, 2});
  // Nearest-neighbour repetition: per spatial axis (last first), insert a unit axis after it,
  // concatenate copies along that axis and merge it back.
  Val cur = x;
  for (size_t ax = ns; ax-- > 0;) {
    if (f[ax] < 1) err("size must be positive");
    if (f[ax] == 1) continue;
    ir::Shape u = cur.shape;
    u.insert(u.begin() + static_cast<std::ptrdiff_t>(ax) + 1, 1);
    Val e = reshape(cur, u, fmt::format("axis{}_unit", ax));
    ir::Shape cs = u;
    cs[ax + 1] = f[ax];
    ir::Attrs a;
    a.set("axis", static_cast<int64_t>(ax + 1));
    Val c{emit(Op::Concat, std::vector<ir::ValueId>(static_cast<size_t>(f[ax]), e.id), cs, std::move(a),
               fmt::format("axis{}_copies", ax)),
          cs};
    ir::Shape m = cur.shape;
    m[ax] *= f[ax];
    cur = reshape(c, m, ax == 0 ? "" : fmt::format("axis{}", ax));
  }
  return cur;
}

Val Builder::prelu(const Val& x) {
  ir::Tensor a = weight("alpha", ir::Shape(x.shape.size(), -1));
  for (size_t i = 0; i < x.shape.size(); ++i)
    if (a.shape[i] != 1 && a.shape[i] != x.shape[i])
      err(fmt::format("shape mismatch: alpha of shape {} for an input of shape {}", shp(a.shape), shp(x.shape)));
  // The IR's PRelu has one slope per channel: alpha must not vary along the other axes.
  const int64_t C = x.shape.back();
  ir::Tensor slope({C}, std::vector<double>(static_cast<size_t>(C), 0.0));
  const int64_t ac = a.shape.back();
  for (int64_t i = 0; i < numel(a.shape); ++i) {
    const double v = a.data[static_cast<size_t>(i)];
    const int64_t c = i % ac;
    if (i < ac) {
      for (int64_t k = c; k < C; k += ac) slope.data[static_cast<size_t>(k)] = v;
    } else if (v != a.data[static_cast<size_t>(c)]) {
      err(fmt::format("alpha of shape {} varies along non-channel axes: only one slope per channel is supported "
                      "(shared_axes over every axis but the channels)",
                      shp(a.shape)));
    }
  }
  return {emit(Op::PRelu, {x.id, constant("alpha", slope)}, x.shape), x.shape};
}

Val Builder::relu_layer(const Val& x) {
  const double slope = get<double>("negative_slope", 0.0);
  const double threshold = get<double>("threshold", 0.0);
  const json mv = cfg().value("max_value", json());
  if (threshold != 0.0) err("ReLU with a threshold is not supported");
  ir::Attrs a;
  if (slope != 0.0) {
    if (!mv.is_null()) err("ReLU with both negative_slope and max_value is not supported");
    a.set("alpha", slope);
    return {emit(Op::LeakyRelu, {x.id}, x.shape, std::move(a)), x.shape};
  }
  if (mv.is_null()) return {emit(Op::Relu, {x.id}, x.shape), x.shape};
  if (!mv.is_number()) err("max_value is not a number");
  a.set("min", 0.0);
  a.set("max", mv.get<double>());
  return {emit(Op::Clip, {x.id}, x.shape, std::move(a)), x.shape};
}

Val Builder::layer(const std::vector<Val>& in) {
  const std::string& c = L_->cls;
  if (c == "InputLayer") return input_layer();
  if (c == "Add" || c == "Subtract" || c == "Multiply" || c == "Average" || c == "Maximum" || c == "Minimum")
    return merge(in);
  if (c == "Concatenate") return concat(in);
  const Val x = one_input(in);
  if (c == "Dense" || c == "QDense") return dense(x);
  if (c == "Conv1D" || c == "Conv2D" || c == "QConv1D" || c == "QConv2D") return conv(x, false, false);
  if (c == "DepthwiseConv1D" || c == "DepthwiseConv2D" || c == "QDepthwiseConv2D") return conv(x, true, false);
  if (c == "SeparableConv1D" || c == "SeparableConv2D" || c == "QSeparableConv1D" || c == "QSeparableConv2D")
    return conv(x, true, true);
  if (c == "MaxPooling1D" || c == "MaxPooling2D" || c == "MaxPool1D" || c == "MaxPool2D") return pool(x, true);
  if (c == "AveragePooling1D" || c == "AveragePooling2D" || c == "AvgPool1D" || c == "AvgPool2D") return pool(x, false);
  if (c == "GlobalMaxPooling1D" || c == "GlobalMaxPooling2D" || c == "GlobalMaxPool1D" || c == "GlobalMaxPool2D")
    return global_pool(x, true);
  if (c == "GlobalAveragePooling1D" || c == "GlobalAveragePooling2D" || c == "GlobalAvgPool1D" || c == "GlobalAvgPool2D")
    return global_pool(x, false);
  if (c == "BatchNormalization" || c == "QBatchNormalization") return batchnorm(x);
  if (c == "Activation" || c == "QActivation") return activation(x, cfg().value("activation", json("linear")), kOwnLayer);
  if (c == "ReLU") return relu_layer(x);
  if (c == "LeakyReLU") {
    ir::Attrs a;
    a.set("alpha", cfg().contains("negative_slope") ? get<double>("negative_slope", 0.3) : get<double>("alpha", 0.3));
    return {emit(Op::LeakyRelu, {x.id}, x.shape, std::move(a)), x.shape};
  }
  if (c == "ELU") {
    ir::Attrs a;
    a.set("alpha", get<double>("alpha", 1.0));
    return {emit(Op::Elu, {x.id}, x.shape, std::move(a)), x.shape};
  }
  if (c == "PReLU") return prelu(x);
  if (c == "ThresholdedReLU") {  // Keras 2: x > theta ? x : 0
    ir::Attrs a;
    a.set("theta", get<double>("theta", 1.0));
    return {emit(Op::Relu, {x.id}, x.shape, std::move(a)), x.shape};
  }
  if (c == "Softmax") {
    const json ax = cfg().value("axis", json(-1));
    if (!(ax == json(-1) || ax == json(static_cast<int64_t>(x.shape.size())) || ax == json::array({-1})))
      err(fmt::format("softmax over axis {} is not supported (only the last axis)", ax.dump()));
    return {emit(Op::Softmax, {x.id}, x.shape), x.shape};
  }
  if (c == "Flatten") {
    check_channels_last();
    return reshape(x, {numel(x.shape)});
  }
  if (c == "Reshape") {
    const json t = cfg().value("target_shape", json());
    if (!t.is_array()) err("config 'target_shape' is missing");
    ir::Shape s;
    int unknown = -1;
    for (size_t i = 0; i < t.size(); ++i) {
      if (!t[i].is_number_integer()) err(fmt::format("target_shape {} is not a list of integers", t.dump()));
      const int64_t d = t[i].get<int64_t>();
      if (d == -1 && unknown < 0) {
        unknown = static_cast<int>(i);
        s.push_back(1);
        continue;
      }
      if (d < 1 || d > (int64_t{1} << 31)) err(fmt::format("target_shape {} is not valid", t.dump()));
      s.push_back(d);
    }
    const int64_t known = numel(s);  // the unknown axis counts 1 here
    if (unknown >= 0) {
      if (numel(x.shape) % known != 0) err(fmt::format("cannot reshape {} into {}", shp(x.shape), t.dump()));
      s[static_cast<size_t>(unknown)] = numel(x.shape) / known;
    }
    return reshape(x, s);
  }
  if (c == "Permute") {
    const std::vector<int64_t> d = ints("dims", x.shape.size(), {});
    std::vector<int64_t> perm;
    std::vector<bool> seen(x.shape.size(), false);
    for (int64_t v : d) {
      if (v < 1 || v > static_cast<int64_t>(x.shape.size()) || seen[static_cast<size_t>(v - 1)])
        err(fmt::format("dims {} is not a permutation of 1..{}", cfg().value("dims", json()).dump(), x.shape.size()));
      seen[static_cast<size_t>(v - 1)] = true;
      perm.push_back(v - 1);
    }
    ir::Attrs a;
    a.set("perm", perm);
    const ir::Shape s = ir::permute_shape(x.shape, perm);
    return {emit(Op::Transpose, {x.id}, s, std::move(a)), s};
  }
  if (c == "Dropout" || c == "SpatialDropout1D" || c == "SpatialDropout2D" || c == "GaussianNoise" ||
      c == "GaussianDropout" || c == "AlphaDropout" || c == "ActivityRegularization")
    return x;  // identity at inference
  if (c == "ZeroPadding1D" || c == "ZeroPadding2D") return zero_pad(x);
  if (c == "UpSampling1D" || c == "UpSampling2D") return upsample(x);
  if (c == "FixedPointQuantizer") return fixed_point_quantizer(x);
  err(fmt::format("unsupported layer class '{}'", c));
}

// HGQ FixedPointQuantizer: per element keep_negative k, bits B (sign included), integers I
// (sign included): ap_fixed<B, I> (ap_ufixed when k = 0) with the layer's RND / SAT modes.
// Homogeneous quantizers (every element the same) become the type of the value they quantize
// (the producing layer's result, a graph input) or a Cast.
Val Builder::fixed_point_quantizer(const Val& x) {
  std::vector<double> kv, bv, iv;
  std::map<std::string, ir::Tensor> params;  // without the batch axis
  for (const char* name : {"keep_negative", "bits", "integers"}) {
    const ir::Tensor* t = nullptr;
    for (const auto& [n, w] : L_->weights)
      if (n == name) t = &w;
    if (!t) t = &weight(name, {});  // reports the missing weight (or makes it up)
    // The parameters carry the batch axis (size 1) and broadcast to the input.
    ir::Shape s = t->shape;
    if (s.size() == x.shape.size() + 1) {
      if (s[0] != 1) err(fmt::format("shape mismatch: '{}' has shape {} for an input of shape {}", name, shp(s), shp(x.shape)));
      s.erase(s.begin());
    }
    if (s.size() > x.shape.size()) err(fmt::format("shape mismatch: '{}' has shape {} for an input of shape {}", name, shp(t->shape), shp(x.shape)));
    for (size_t i = 0; i < s.size(); ++i) {
      const int64_t xd = x.shape[x.shape.size() - s.size() + i];
      if (s[i] != 1 && s[i] != xd)
        err(fmt::format("shape mismatch: '{}' has shape {} for an input of shape {}", name, shp(t->shape), shp(x.shape)));
    }
    std::vector<double>& dst = name[0] == 'k' ? kv : name[0] == 'b' ? bv : iv;
    dst = t->data;
    params[name] = ir::Tensor(s, t->data);
    for (double v : dst)
      if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 1024)
        err(fmt::format("'{}' holds {} (expected small integers)", name, v));
  }
  auto uniform = [](const std::vector<double>& v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [&](double e) { return e == v[0]; });
  };
  const std::string rnd = get<std::string>("RND", "TRN");
  const std::string sat = get<std::string>("SAT", "WRAP");
  FixedType t;
  if (rnd == "TRN") t.quant = Quant::TRN;
  else if (rnd == "RND") t.quant = Quant::RND;
  else if (rnd == "RND_CONV") t.quant = Quant::RND_CONV;
  else if (rnd == "TRN_ZERO") t.quant = Quant::TRN_ZERO;
  else if (rnd == "RND_ZERO") t.quant = Quant::RND_ZERO;
  else if (rnd == "RND_INF") t.quant = Quant::RND_INF;
  else if (rnd == "RND_MIN_INF") t.quant = Quant::RND_MIN_INF;
  else err(fmt::format("RND mode '{}' is not supported", rnd));
  if (sat == "WRAP") t.overflow = Overflow::WRAP;
  else if (sat == "SAT") t.overflow = Overflow::SAT;
  else if (sat == "SAT_SYM") t.overflow = Overflow::SAT_SYM;
  else if (sat == "SAT_ZERO") t.overflow = Overflow::SAT_ZERO;
  else err(fmt::format("SAT mode '{}' is not supported", sat));
  if (!(uniform(kv) && uniform(bv) && uniform(iv))) {
    // Heterogeneous precision: an ElementQuant node, its parameters expanded to x's shape.
    ir::Attrs a;
    a.set("rounding", std::string(to_string(t.quant)));
    a.set("overflow", std::string(to_string(t.overflow)));
    std::vector<ir::ValueId> ins{x.id};
    for (const char* name : {"keep_negative", "bits", "integers"})
      ins.push_back(constant(name, broadcast_param(params.at(name), x.shape)));
    return {emit(Op::ElementQuant, std::move(ins), x.shape, std::move(a)), x.shape};
  }
  t.is_signed = kv[0] != 0;
  t.width = static_cast<int>(bv[0]);
  t.int_bits = static_cast<int>(iv[0]);
  if (t.width < 1) err("every element is pruned (bits = 0): the layer's output is constant 0, not supported");
  if (t.width > 64) err(fmt::format("{} bits per element is more than 64", t.width));
  // Type the producer directly when it computes and nothing else reads its output.
  const Ref& r = L_->inputs.at(0);
  const bool single = uses_[r.layer] == 1;
  if (single && x.id != ir::kNone) {
    const ir::Value& v = g_.value(x.id);
    bool is_input = std::any_of(g_.inputs.begin(), g_.inputs.end(), [&](const ir::IoPort& p) { return p.value == x.id; });
    bool computes = false;
    if (v.producer != ir::kNone) {
      const Op op = g_.node(v.producer).op;
      computes = !ir::has_trait(op, ir::kLayout) && op != Op::MaxPool && op != Op::GlobalMaxPool && op != Op::Quant &&
                 op != Op::Dropout && !g_.value(x.id).type;
    }
    if ((is_input && !v.type) || computes) {
      g_.value(x.id).type = t;
      return x;
    }
  }
  ir::ValueId y = emit(Op::Cast, {x.id}, x.shape);
  g_.value(y).type = t;
  return {y, x.shape};
}

ir::Graph Builder::run() {
  g_.name = ir::sanitize_identifier(std::filesystem::path(m_.file).stem().string());
  g_.source_file = m_.file;
  for (const Layer& L : m_.layers) {
    hgq_ = hgq_ || L.cls == "FixedPointQuantizer";
    if (!by_name_.emplace(L.name, &L).second) diag_.error(L.name, L.cls, "two layers have this name");
  }
  diag_.throw_if_any();
  // Topological order (iterative Kahn), with unknown references and cycles reported.
  std::map<std::string, int> pending;
  std::map<std::string, std::vector<std::string>> users;
  for (const Layer& L : m_.layers) {
    pending[L.name] = 0;
    for (const Ref& r : L.inputs) {
      if (!by_name_.count(r.layer)) {
        diag_.error(L.name, L.cls, fmt::format("inbound node '{}' is not a layer of the model", r.layer));
        continue;
      }
      ++pending[L.name];
      users[r.layer].push_back(L.name);
      ++uses_[r.layer];
    }
  }
  for (const Ref& r : m_.outputs) {
    if (!by_name_.count(r.layer)) diag_.error(r.layer, "", "the model output names a layer that does not exist");
    ++uses_[r.layer];
  }
  for (const Ref& r : m_.inputs)
    if (!by_name_.count(r.layer)) diag_.error(r.layer, "", "the model input names a layer that does not exist");
  diag_.throw_if_any();
  std::vector<const Layer*> order;
  for (const Layer& L : m_.layers)
    if (pending[L.name] == 0) order.push_back(&L);
  for (size_t next = 0; next < order.size(); ++next)  // `order` doubles as the queue
    for (const std::string& u : users[order[next]->name])
      if (--pending[u] == 0) order.push_back(by_name_.at(u));
  if (order.size() != m_.layers.size()) {
    std::vector<std::string> in_cycle;
    for (const Layer& L : m_.layers)
      if (pending[L.name] > 0) in_cycle.push_back(L.name);
    throw Error(Diagnostic{m_.file, "", "",
                           fmt::format("the layers' inbound_nodes form a cycle (layers involved: {})", fmt::join(in_cycle, ", "))});
  }
  // Unsupported classes are reported together, wherever they are in the graph.
  for (const Layer& L : m_.layers)
    if (!supported_classes().count(L.cls))
      diag_.error(L.name, L.cls, fmt::format("unsupported layer class '{}'", L.cls));
  diag_.throw_if_any();
  std::set<std::string> failed;
  for (const Layer* L : order) {
    L_ = L;
    bool skip = false;
    for (const Ref& r : L->inputs) skip = skip || failed.count(r.layer) || !out_.count(r.layer);
    if (skip) {
      failed.insert(L->name);
      continue;
    }
    try {
      if (L->cls == "InputLayer" && !L->inputs.empty()) err("an InputLayer with inbound nodes");
      if (L->cls != "InputLayer" && L->inputs.empty()) err("a layer without inputs (not an InputLayer)");
      out_[L->name] = layer(inputs_of(*L));
    } catch (const LayerFailed&) {
      failed.insert(L->name);
    } catch (const Error& e) {
      diag_.error(L->name, L->cls, e.what());
      failed.insert(L->name);
    }
  }
  diag_.throw_if_any();
  // Graph inputs in the model's input order.
  std::vector<ir::IoPort> ins;
  for (const Ref& r : m_.inputs) {
    const Layer* L = by_name_.at(r.layer);
    if (L->cls != "InputLayer") diag_.error(L->name, L->cls, "a model input that is not an InputLayer");
    for (const ir::IoPort& p : g_.inputs)
      if (p.value == out_.at(r.layer).id) ins.push_back(p);
  }
  diag_.throw_if_any();
  if (ins.size() != g_.inputs.size())
    throw Error(Diagnostic{m_.file, "", "", "an InputLayer is not listed among the model's inputs"});
  g_.inputs = ins;
  for (const Ref& r : m_.outputs) {
    const Val& v = out_.at(r.layer);
    g_.outputs.push_back(ir::IoPort{v.id, r.layer, v.shape, {}});
  }
  g_.sort();
  ir::verify(g_);
  return std::move(g_);
}

}  // namespace

ir::Graph build_graph(const Model& m) {
  Builder b(m);
  return b.run();
}

}  // namespace tachyon::frontends::keras_import
