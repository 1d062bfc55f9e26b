// Numerical profile of a model on data: the observed range of every value a layer converts
// (see calibrate.h for how the ranges are taken from the fixed-point run).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "calibrate/internal.h"
#include "tachyon/calibrate/calibrate.h"
#include "tachyon/config/resolve.h"
#include "tachyon/driver/driver.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/ir/op.h"
#include "tachyon/support/error.h"

namespace tachyon::calibrate {

int int_bits_needed(double lo, double hi, bool is_signed) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return is_signed ? 1 : 0;
  int i = is_signed ? 1 : 0;
  bool any = false;
  if (is_signed && lo < 0) {
    i = static_cast<int>(std::ceil(std::log2(-lo))) + 1;
    any = true;
  }
  if (hi > 0) {
    int h = static_cast<int>(std::floor(std::log2(hi))) + (is_signed ? 2 : 1);
    i = any ? std::max(i, h) : h;
  }
  return i;
}

int frac_bits_needed(double abs_median) {
  if (!(abs_median > 0) || !std::isfinite(abs_median)) return 0;
  return std::max(0, 8 - 1 - static_cast<int>(std::floor(std::log2(abs_median))));
}

namespace detail {

void RangeAcc::add(double v) {
  if (std::isnan(v)) return;
  mn = std::min(mn, v);
  mx = std::max(mx, v);
  ++n;
  if (sample.size() < kSample) {
    sample.push_back(v);
    return;
  }
  // Reservoir sampling with a fixed-seed generator (splitmix64).
  rng += 0x9e3779b97f4a7c15ULL;
  uint64_t z = rng;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  uint64_t k = z % static_cast<uint64_t>(n);
  if (k < kSample) sample[static_cast<size_t>(k)] = v;
}

void RangeAcc::merge_into(Range& r) const {
  r.min = mn;
  r.max = mx;
  r.count = n;
  r.pct.clear();
  r.abs_median = 0;
  if (sample.empty()) return;
  std::vector<double> s = sample;
  std::sort(s.begin(), s.end());
  auto q = [&](double p) {
    double pos = p * static_cast<double>(s.size() - 1);
    size_t i = static_cast<size_t>(pos);
    double f = pos - static_cast<double>(i);
    return i + 1 < s.size() ? s[i] * (1 - f) + s[i + 1] * f : s[i];
  };
  for (double p : {0.001, 0.01, 0.25, 0.5, 0.75, 0.99, 0.999}) r.pct.push_back(q(p));
  std::vector<double> a;
  for (double v : s)
    if (v != 0) a.push_back(std::fabs(v));
  if (!a.empty()) {
    std::nth_element(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(a.size() / 2), a.end());
    r.abs_median = a[a.size() / 2];
  }
}

// Every data-path type keeps its fractional bits and gets `extra` more integer bits (at most
// 64 bits wide); the tables, the softmax internals and the parameters keep their types (their
// contents and indexing depend on them).
ir::Graph widen(const ir::Graph& g, int extra) {
  ir::Graph w = g;
  auto grow = [&](FixedType& t) {
    int k = std::max(0, std::min(extra, 64 - t.width));
    t.width += k;
    t.int_bits += k;
  };
  std::vector<char> keep(w.num_values(), 0);
  for (ir::NodeId id : w.node_ids()) {
    const ir::Node& n = w.node(id);
    if (n.op == ir::Op::Softmax || n.op == ir::Op::TreeEnsemble)
      for (ir::ValueId v : n.outputs) keep[static_cast<size_t>(v)] = 1;
    if (n.op == ir::Op::PRelu && n.inputs.size() > 1) keep[static_cast<size_t>(n.inputs[1])] = 1;
  }
  for (size_t v = 0; v < w.num_values(); ++v) {
    ir::Value& val = w.value(static_cast<ir::ValueId>(v));
    if (val.type && !keep[v]) grow(*val.type);
  }
  for (ir::NodeId id : w.node_ids()) {
    ir::Node& n = w.node(id);
    if (n.op == ir::Op::Softmax) continue;
    for (auto& [slot, t] : n.config.types)
      if (slot == "accum") grow(t);
  }
  return w;
}

}  // namespace detail

namespace {

using detail::RangeAcc;

double type_lo(const FixedType& t) { return t.is_signed ? -std::ldexp(1.0, t.int_bits - 1) : 0.0; }
double type_hi(const FixedType& t) {
  return std::ldexp(1.0, t.is_signed ? t.int_bits - 1 : t.int_bits) - std::ldexp(1.0, -t.frac_bits());
}

struct Point {
  ProfileEntry e;
  RangeAcc acc;
};

class Collector {
 public:
  Collector(const ir::Graph& cfg, const ir::Graph& wide) : cfg_(cfg), wide_(wide) {
    for (const ir::IoPort& p : cfg.inputs) {
      ProfileEntry e;
      e.layer = p.name;
      e.op = "Input";
      e.what = "input";
      e.slot = "result";
      set_type(e, cfg.value(p.value).type);
      add(e, "input");
    }
    for (ir::NodeId id : cfg.node_ids()) {
      const ir::Node& n = cfg.node(id);
      auto point = [&](const std::string& what, const std::string& slot, std::optional<FixedType> t, bool constant) {
        ProfileEntry e;
        e.layer = n.name;
        e.op = std::string(ir::op_name(n.op));
        e.what = what;
        e.slot = slot;
        e.constant = constant;
        set_type(e, t);
        return add(e, what);
      };
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        std::string slot = config::constant_slot(cfg, n, i);
        if (slot.empty()) continue;
        const ir::Value& v = cfg.value(n.inputs[i]);
        size_t k = point(slot, slot, v.type, true);
        for (double x : v.constant->data) pts_[k].acc.add(x);
      }
      auto internal = [&](const std::string& slot) -> std::optional<FixedType> {
        auto it = n.config.types.find(slot);
        if (it == n.config.types.end()) return std::nullopt;
        return it->second;
      };
      if (n.op == ir::Op::Dense) {
        point("product", "accum", internal("accum"), false);
        point("accum", "accum", internal("accum"), false);
      } else if (n.op == ir::Op::Softmax && n.config.softmax_impl != "argmax") {
        point("norm", "inp_norm", internal("inp_norm"), false);
        point("exp", "exp_table", internal("exp_table"), false);
        point("sum", "accum", internal("accum"), false);
        point("inv", "inv_table", internal("inv_table"), false);
      } else if (n.op == ir::Op::Sigmoid || n.op == ir::Op::Tanh || n.op == ir::Op::Elu || n.op == ir::Op::UnaryTable) {
        point("table_in", "", std::nullopt, false);
      }
      for (size_t i = 0; i < n.outputs.size(); ++i) {
        size_t k = point(i == 0 ? "result" : fmt::format("result:{}", i), "result", cfg.value(n.outputs[i]).type, false);
        out_point_[n.outputs[i]] = k;
        key_[n.outputs[i]] = i == 0 ? n.name : fmt::format("{}:{}", n.name, i);
      }
    }
  }

  // One chunk: the inputs and the trace of the widened graph.
  void observe(const std::vector<NdArray>& in, const std::map<std::string, NdArray>& tr, int64_t n) {
    std::map<ir::ValueId, std::vector<double>> inputs;  // graph inputs on their (wide) grid
    for (size_t i = 0; i < cfg_.inputs.size(); ++i) {
      const ir::IoPort& p = cfg_.inputs[i];
      size_t k = index_.at(p.name + "/input");
      for (double v : in[i].data) pts_[k].acc.add(v);
      if (!p.perm.empty()) continue;
      const FixedType& t = *wide_.value(p.value).type;
      std::vector<double>& q = inputs[p.value];
      q.reserve(in[i].data.size());
      for (double v : in[i].data) q.push_back(Fixed::from_double(v, t).to_double());
    }
    auto values = [&](ir::ValueId v) -> const double* {
      auto it = key_.find(v);
      if (it != key_.end()) {
        auto t = tr.find(it->second);
        return t == tr.end() ? nullptr : t->second.data.data();
      }
      auto q = inputs.find(v);
      return q == inputs.end() ? nullptr : q->second.data();
    };
    for (ir::NodeId id : cfg_.node_ids()) {
      const ir::Node& node = cfg_.node(id);
      for (ir::ValueId o : node.outputs)
        if (const double* y = values(o)) {
          RangeAcc& a = pts_[out_point_.at(o)].acc;
          int64_t m = ir::num_elements(cfg_.value(o).shape) * n;
          for (int64_t k = 0; k < m; ++k) a.add(y[k]);
        }
      if (node.inputs.empty()) continue;
      const double* x = values(node.inputs[0]);
      if (!x) continue;
      const int64_t xs = ir::num_elements(cfg_.value(node.inputs[0]).shape);
      if (node.op == ir::Op::Dense) observe_dense(node, x, xs, n);
      if (node.op == ir::Op::Softmax && node.config.softmax_impl != "argmax") observe_softmax(node, x, xs, n);
      if (node.op == ir::Op::Sigmoid || node.op == ir::Op::Tanh || node.op == ir::Op::Elu ||
          node.op == ir::Op::UnaryTable) {
        RangeAcc& a = pts_[index_.at(node.name + "/table_in")].acc;
        for (int64_t k = 0; k < xs * n; ++k) a.add(x[k]);
      }
    }
  }

  Profile finish(const std::vector<emulator::LayerStats>& stats) {
    Profile p;
    std::map<std::string, const emulator::LayerStats*> by_key;
    for (const emulator::LayerStats& s : stats) by_key.emplace(s.layer + "/" + s.what, &s);
    for (Point& pt : pts_) {
      ProfileEntry e = pt.e;
      pt.acc.merge_into(e.range);
      e.is_signed = e.range.min < 0;
      e.int_bits = e.range.empty() ? 0 : int_bits_needed(e.range.min, e.range.max, e.is_signed);
      e.frac_bits = frac_bits_needed(e.range.abs_median);
      auto it = by_key.find(e.layer + "/" + e.what);
      if (it != by_key.end()) {
        e.conversions = it->second->conversions;
        e.wrapped = it->second->wrapped;
        e.saturated = it->second->saturated;
      }
      p.entries.push_back(std::move(e));
    }
    return p;
  }

 private:
  void set_type(ProfileEntry& e, const std::optional<FixedType>& t) {
    if (!t) {
      e.type_min = e.type_max = e.type_ulp = std::nan("");
      return;
    }
    e.type = t->str();
    e.type_min = type_lo(*t);
    e.type_max = type_hi(*t);
    e.type_ulp = std::ldexp(1.0, -t->frac_bits());
  }
  size_t add(const ProfileEntry& e, const std::string& what) {
    index_[e.layer + "/" + what] = pts_.size();
    pts_.push_back({e, {}});
    return pts_.size() - 1;
  }

  // Products and running sums in the order of the kernel (bias first, inputs ascending,
  // zero weights skipped), on the weights' and biases' (wide) grids.
  void observe_dense(const ir::Node& node, const double* x, int64_t xs, int64_t n) {
    const ir::Value& wv = wide_.value(node.inputs[1]);
    if (!wv.constant || !wv.type || wv.constant->shape.size() != 2) return;
    const int64_t nin = wv.constant->shape[0], nout = wv.constant->shape[1];
    if (nin <= 0 || xs % nin != 0) return;
    std::vector<double> w(wv.constant->data.size()), b(static_cast<size_t>(nout), 0.0);
    for (size_t k = 0; k < w.size(); ++k) w[k] = Fixed::from_double(wv.constant->data[k], *wv.type).to_double();
    if (node.inputs.size() > 2) {
      const ir::Value& bv = wide_.value(node.inputs[2]);
      if (bv.constant && bv.type && bv.constant->size() == nout)
        for (int64_t j = 0; j < nout; ++j)
          b[static_cast<size_t>(j)] = Fixed::from_double(bv.constant->data[static_cast<size_t>(j)], *bv.type).to_double();
    }
    RangeAcc& pa = pts_[index_.at(node.name + "/product")].acc;
    RangeAcc& aa = pts_[index_.at(node.name + "/accum")].acc;
    const int64_t rows = xs / nin * n;
    for (int64_t r = 0; r < rows; ++r) {
      const double* xr = x + r * nin;
      for (int64_t j = 0; j < nout; ++j) {
        double acc = b[static_cast<size_t>(j)];
        for (int64_t i = 0; i < nin; ++i) {
          double wij = w[static_cast<size_t>(i * nout + j)];
          if (wij == 0) continue;
          double p = xr[i] * wij;
          pa.add(p);
          acc += p;
          aa.add(acc);
        }
      }
    }
  }

  void observe_softmax(const ir::Node& node, const double* x, int64_t xs, int64_t n) {
    const int64_t cols = cfg_.value(node.inputs[0]).shape.empty() ? 1 : cfg_.value(node.inputs[0]).shape.back();
    if (cols <= 0) return;
    const bool stable = node.config.softmax_impl == "stable";
    RangeAcc& na = pts_[index_.at(node.name + "/norm")].acc;
    RangeAcc& ea = pts_[index_.at(node.name + "/exp")].acc;
    RangeAcc& sa = pts_[index_.at(node.name + "/sum")].acc;
    RangeAcc& ia = pts_[index_.at(node.name + "/inv")].acc;
    for (int64_t r = 0; r < xs / cols * n; ++r) {
      const double* xr = x + r * cols;
      double m = *std::max_element(xr, xr + cols), sum = 0;
      for (int64_t i = 0; i < cols; ++i) {
        double d = stable ? m - xr[i] : xr[i];
        double e = std::exp(stable ? -d : d);
        na.add(d);
        ea.add(e);
        sum += e;
        sa.add(sum);
      }
      ia.add(1.0 / sum);
    }
  }

  const ir::Graph& cfg_;
  const ir::Graph& wide_;
  std::vector<Point> pts_;
  std::map<std::string, size_t> index_;
  std::map<ir::ValueId, size_t> out_point_;
  std::map<ir::ValueId, std::string> key_;
};

NdArray rows_of(const NdArray& a, int64_t begin, int64_t end) {
  NdArray r;
  r.shape = a.shape;
  r.shape[0] = end - begin;
  int64_t m = a.shape.empty() ? 1 : a.num_elements() / std::max<int64_t>(1, a.shape[0]);
  r.data.assign(a.data.begin() + begin * m, a.data.begin() + end * m);
  return r;
}

}  // namespace

namespace detail {

std::vector<NdArray> batch_inputs(const ir::Graph& g, const std::vector<NdArray>& inputs, int64_t* n) {
  if (inputs.size() != g.inputs.size())
    fail("the model '{}' has {} input{}, got {} array{}", g.name, g.inputs.size(), g.inputs.size() == 1 ? "" : "s",
         inputs.size(), inputs.size() == 1 ? "" : "s");
  std::vector<NdArray> r;
  *n = -1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    int64_t ni = emulator::check_input_shape(g, i, inputs[i].shape, fmt::format("input '{}'", g.inputs[i].name));
    NdArray a = inputs[i];
    if (a.shape.size() == (g.inputs[i].user_shape.empty() ? g.value(g.inputs[i].value).shape.size()
                                                          : g.inputs[i].user_shape.size()))
      a.shape.insert(a.shape.begin(), 1);
    if (*n >= 0 && ni != *n) fail("input '{}' has {} samples, the previous inputs {}", g.inputs[i].name, ni, *n);
    *n = ni;
    r.push_back(std::move(a));
  }
  if (*n <= 0) fail("profiling needs at least one sample");
  return r;
}

std::vector<NdArray> slice(const std::vector<NdArray>& in, int64_t begin, int64_t end) {
  std::vector<NdArray> r;
  for (const NdArray& a : in) r.push_back(rows_of(a, begin, end));
  return r;
}

}  // namespace detail

Profile profile(const std::string& model_path, const nlohmann::json& config, const std::vector<NdArray>& inputs,
                const std::string& config_file, int threads) {
  ir::Graph cfg = driver::compile(driver::load_model(model_path), config, config_file);
  int64_t n = 0;
  std::vector<NdArray> in = detail::batch_inputs(cfg, inputs, &n);
  ir::Graph wide = detail::widen(cfg, 16);
  emulator::Emulator emu(cfg), emu_wide(wide);
  Collector col(cfg, wide);
  std::vector<emulator::LayerStats> stats;
  constexpr int64_t kChunk = 8192;
  for (int64_t b = 0; b < n; b += kChunk) {
    std::vector<NdArray> part = detail::slice(in, b, std::min(n, b + kChunk));
    const int64_t m = std::min(n, b + kChunk) - b;
    emu.predict(part, emulator::RunOptions{threads, true});
    const auto& s = emu.stats();
    if (stats.empty()) {
      stats = s;
    } else {
      for (size_t i = 0; i < s.size() && i < stats.size(); ++i) {
        if (s[i].build) continue;
        stats[i].conversions += s[i].conversions;
        stats[i].wrapped += s[i].wrapped;
        stats[i].saturated += s[i].saturated;
      }
    }
    col.observe(part, emu_wide.trace(part, emulator::RunOptions{threads, false}), m);
  }
  Profile p = col.finish(stats);
  p.model = model_path;
  p.samples = n;
  return p;
}

}  // namespace tachyon::calibrate
