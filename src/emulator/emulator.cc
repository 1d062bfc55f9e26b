// The emulator: builds one kernel per node once, then runs samples in parallel.
#include "tachyon/emulator/emulator.h"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>

#include "kernel_util.h"
#include "tachyon/emulator/kernel_api.h"
#include "tachyon/fixed/fast.h"
#include "tachyon/ir/user_layout.h"
#include "tachyon/ir/verifier.h"

namespace tachyon::emulator {

namespace {

// A graph input or output: where each internal element lives in the user's array.
struct Port {
  std::string name;
  ir::ValueId value = 0;
  std::vector<int64_t> user_shape;
  std::vector<int64_t> map;  // internal flat index -> user flat index (per sample)
  FixedType type;
  bool fast = true;
  DoubleCastPlan plan;  // inputs, fast types
};

std::vector<int64_t> user_shape_of(const ir::Graph& g, const ir::IoPort& p) {
  return p.user_shape.empty() ? g.value(p.value).shape : p.user_shape;
}

Port make_port(const ir::Graph& g, const ir::IoPort& p, const char* kind) {
  Port port;
  port.name = p.name;
  port.value = p.value;
  const ir::Value& v = g.value(p.value);
  if (!v.type) fail("{}: graph {} '{}' has no fixed-point type", g.source_file, kind, p.name);
  port.type = *v.type;
  port.fast = is_fast_type(port.type);
  if (port.fast) port.plan = DoubleCastPlan(port.type);
  port.user_shape = user_shape_of(g, p);
  try {
    port.map = ir::user_index_map(port.user_shape, p.perm, v.shape);
  } catch (const Error& e) {
    fail("graph {} '{}': {}", kind, p.name, e.what());
  }
  return port;
}

void add_overflows(LayerStats& s, const FixedType& t, int64_t overflows) {
  (t.overflow == Overflow::WRAP ? s.wrapped : s.saturated) += overflows;
}

}  // namespace

int64_t check_input_shape(const ir::Graph& g, size_t index, const std::vector<int64_t>& shape, const std::string& what) {
  if (index >= g.inputs.size()) fail("the model '{}' has {} inputs, got more", g.name, g.inputs.size());
  std::vector<int64_t> user = user_shape_of(g, g.inputs[index]);
  if (shape == user) return 1;
  if (shape.size() == user.size() + 1 && std::equal(user.begin(), user.end(), shape.begin() + 1)) return shape[0];
  std::string expect = "[N";
  for (int64_t d : user) expect += "," + std::to_string(d);
  fail("{} has shape {}, the model '{}' expects {}]", what, shape_string(shape), g.name, expect);
}

struct Emulator::Impl {
  ir::Graph g;
  EmulatorOptions options;
  ValueLayout layout;
  std::vector<ir::NodeId> order;
  std::vector<std::unique_ptr<Kernel>> kernels;
  std::vector<size_t> count_base;  // per kernel, into the counts array
  size_t num_counts = 0;
  size_t scratch = 0, scratch32 = 0;
  std::vector<Port> inputs, outputs;
  Workspace proto;
  std::vector<LayerStats> build_stats, stats;
  // Tree ensembles reject NaN inputs: the firmware has no missing values (docs/trees.md).
  bool reject_nan = false;

  // The values a trace records, each with its array (batch first).
  using Traced = std::vector<std::pair<ir::ValueId, NdArray*>>;

  void build();
  void run(const std::vector<NdArray>& in, const RunOptions& opts, std::vector<NdArray>* outs,
           std::map<std::string, NdArray>* trace);
  // The number of samples of the inputs (throws naming what is wrong).
  int64_t check_inputs(const std::vector<NdArray>& in) const;
  // Sizes the output arrays and the trace for n samples; returns the traced values.
  Traced prepare_outputs(int64_t n, std::vector<NdArray>* outs, std::map<std::string, NdArray>* trace) const;
  void run_sample(const std::vector<NdArray>& in, int64_t s, Workspace& ws, Counts* counts, std::vector<NdArray>* outs,
                  const Traced& traced) const;
  void record_stats(const std::vector<Counts>& total, bool accumulate);
};

void Emulator::Impl::build() {
  ir::verify(g, ir::VerifyLevel::Typed);
  size_t nv = g.num_values();
  layout.type.assign(nv, FixedType{});
  layout.fast.assign(nv, 1);
  layout.size.assign(nv, 0);
  for (size_t v = 0; v < nv; ++v) {
    const ir::Value& val = g.value(static_cast<ir::ValueId>(v));
    if (!val.type) continue;
    layout.type[v] = *val.type;
    layout.fast[v] = is_fast_type(*val.type);
    layout.size[v] = ir::num_elements(val.shape);
  }
  for (const ir::IoPort& p : g.inputs) inputs.push_back(make_port(g, p, "input"));
  for (const ir::IoPort& p : g.outputs) outputs.push_back(make_port(g, p, "output"));
  num_counts = inputs.size();
  order = g.node_ids();
  for (ir::NodeId id : order) reject_nan = reject_nan || g.node(id).op == ir::Op::TreeEnsemble;
  for (ir::NodeId id : order) {
    KernelContext ctx{g, id, options.force_general_path};
    kernels.push_back(make_kernel(ctx));
    count_base.push_back(num_counts);
    num_counts += kernels.back()->points().size();
    scratch = std::max(scratch, kernels.back()->scratch_size());
    scratch32 = std::max(scratch32, kernels.back()->scratch32_size());
    for (const LayerStats& s : kernels.back()->build_stats()) build_stats.push_back(s);
  }
  proto = Workspace(&layout, scratch, scratch32);
  for (size_t v = 0; v < nv; ++v) {
    const ir::Value& val = g.value(static_cast<ir::ValueId>(v));
    if (!val.is_constant() || !val.type) continue;
    auto id = static_cast<ir::ValueId>(v);
    const std::vector<double>& d = val.constant->data;
    if (static_cast<int64_t>(d.size()) != layout.size[v])
      fail("{}: constant '{}' has {} values for shape {}", g.source_file, val.name, d.size(), ir::shape_str(val.shape));
    for (size_t i = 0; i < d.size(); ++i) proto.set(id, static_cast<int64_t>(i), Fixed::from_double(d[i], *val.type));
  }
}

int64_t Emulator::Impl::check_inputs(const std::vector<NdArray>& in) const {
  if (in.size() != inputs.size())
    fail("the model '{}' has {} input{}, got {} array{}", g.name, inputs.size(), inputs.size() == 1 ? "" : "s", in.size(),
         in.size() == 1 ? "" : "s");
  int64_t n = -1;
  for (size_t i = 0; i < in.size(); ++i) {
    int64_t ni = check_input_shape(g, i, in[i].shape, fmt::format("input '{}'", inputs[i].name));
    if (static_cast<int64_t>(in[i].data.size()) != in[i].num_elements())
      fail("input '{}': {} values for shape {}", inputs[i].name, in[i].data.size(), shape_string(in[i].shape));
    if (n >= 0 && ni != n) fail("input '{}' has {} samples, the previous inputs {}", inputs[i].name, ni, n);
    n = ni;
  }
  if (n < 0) n = 1;  // a model without inputs (constant outputs)
  if (reject_nan)
    for (size_t i = 0; i < in.size(); ++i) {
      const auto nan = std::find_if(in[i].data.begin(), in[i].data.end(), [](double v) { return std::isnan(v); });
      if (nan == in[i].data.end()) continue;
      const int64_t m = std::max<int64_t>(1, ir::num_elements(inputs[i].user_shape));
      const int64_t k = nan - in[i].data.begin();
      fail("input '{}': sample {} {} {} is NaN (a missing value); the fixed-point firmware of a tree ensemble has "
           "no missing values and does not implement the model's default directions: replace missing values "
           "before inference (docs/trees.md, \"Missing values\")",
           inputs[i].name, k / m, inputs[i].user_shape.size() == 1 ? "feature" : "element", k % m);
    }
  return n;
}

Emulator::Impl::Traced Emulator::Impl::prepare_outputs(int64_t n, std::vector<NdArray>* outs,
                                                       std::map<std::string, NdArray>* trace) const {
  Traced traced;
  if (outs) {
    outs->clear();
    for (const Port& p : outputs) {
      NdArray a;
      a.shape.push_back(n);
      a.shape.insert(a.shape.end(), p.user_shape.begin(), p.user_shape.end());
      a.data.assign(static_cast<size_t>(n * ir::num_elements(p.user_shape)), 0.0);
      outs->push_back(std::move(a));
    }
  }
  if (trace) {
    trace->clear();
    for (ir::NodeId id : order) {
      const ir::Node& node = g.node(id);
      for (size_t i = 0; i < node.outputs.size(); ++i) {
        ir::ValueId v = node.outputs[i];
        NdArray a;
        a.shape.push_back(n);
        const ir::Shape& s = g.value(v).shape;
        a.shape.insert(a.shape.end(), s.begin(), s.end());
        a.data.assign(static_cast<size_t>(n * layout.size[static_cast<size_t>(v)]), 0.0);
        std::string key = i == 0 ? node.name : fmt::format("{}:{}", node.name, i);
        traced.push_back({v, &(*trace)[key]});
        *traced.back().second = std::move(a);
      }
    }
  }
  return traced;
}

void Emulator::Impl::run_sample(const std::vector<NdArray>& in, int64_t s, Workspace& ws, Counts* counts,
                                std::vector<NdArray>* outs, const Traced& traced) const {
  for (size_t pi = 0; pi < inputs.size(); ++pi) {
    const Port& p = inputs[pi];
    const int64_t m = static_cast<int64_t>(p.map.size());
    const double* src = in[pi].data.data() + s * m;
    Counts* c = counts ? counts + pi : nullptr;
    if (p.fast) {
      int64_t* dst = ws.fast(p.value);
      for (int64_t k = 0; k < m; ++k) dst[k] = detail::convert(p.plan, src[p.map[static_cast<size_t>(k)]], c);
    } else {
      for (int64_t k = 0; k < m; ++k) {
        bool o = false;
        ws.set(p.value, k, Fixed::from_double(src[p.map[static_cast<size_t>(k)]], p.type, &o));
        if (c) {
          c->conversions++;
          c->overflows += o;
        }
      }
    }
  }
  for (size_t k = 0; k < kernels.size(); ++k) kernels[k]->run(ws, counts ? counts + count_base[k] : nullptr);
  if (outs)
    for (size_t pi = 0; pi < outputs.size(); ++pi) {
      const Port& p = outputs[pi];
      const auto m = static_cast<int64_t>(p.map.size());
      double* dst = (*outs)[pi].data.data() + s * m;
      for (int64_t k = 0; k < m; ++k) dst[p.map[static_cast<size_t>(k)]] = ws.to_double(p.value, k);
    }
  for (auto& [v, arr] : traced) {
    int64_t m = layout.size[static_cast<size_t>(v)];
    double* dst = arr->data.data() + s * m;
    for (int64_t k = 0; k < m; ++k) dst[k] = ws.to_double(v, k);
  }
}

void Emulator::Impl::record_stats(const std::vector<Counts>& total, bool accumulate) {
  std::vector<LayerStats> previous;
  if (accumulate) previous.swap(stats);
  stats.clear();
  for (size_t pi = 0; pi < inputs.size(); ++pi) {
    LayerStats s;
    s.layer = inputs[pi].name;
    s.what = "input";
    s.type = inputs[pi].type.str();
    s.conversions = total[pi].conversions;
    add_overflows(s, inputs[pi].type, total[pi].overflows);
    stats.push_back(std::move(s));
  }
  for (size_t k = 0; k < kernels.size(); ++k) {
    const auto& pts = kernels[k]->points();
    for (size_t i = 0; i < pts.size(); ++i) {
      const Counts& c = total[count_base[k] + i];
      LayerStats s;
      s.layer = g.node(order[k]).name;
      s.what = pts[i].what;
      s.type = pts[i].type.str();
      s.conversions = c.conversions;
      add_overflows(s, pts[i].type, c.overflows);
      stats.push_back(std::move(s));
    }
  }
  stats.insert(stats.end(), build_stats.begin(), build_stats.end());
  if (previous.size() == stats.size())
    for (size_t i = 0; i < stats.size(); ++i)
      if (!stats[i].build) {
        stats[i].conversions += previous[i].conversions;
        stats[i].wrapped += previous[i].wrapped;
        stats[i].saturated += previous[i].saturated;
      }
}

void Emulator::Impl::run(const std::vector<NdArray>& in, const RunOptions& opts, std::vector<NdArray>* outs,
                         std::map<std::string, NdArray>* trace) {
  const int64_t n = check_inputs(in);
  const Traced traced = prepare_outputs(n, outs, trace);
  auto run_one = [&](int64_t s, Workspace& ws, Counts* counts) { run_sample(in, s, ws, counts, outs, traced); };

  std::vector<Counts> total(opts.collect_stats ? num_counts : 0);
  // More threads than cores would only oversubscribe (and TBB caps its workers anyway).
  const int cores = tbb::this_task_arena::max_concurrency();
  int threads = opts.threads > 0 ? std::min(opts.threads, cores) : cores;
  if (threads <= 1 || n <= 1) {
    Workspace ws = proto;
    for (int64_t s = 0; s < n; ++s) run_one(s, ws, opts.collect_stats ? total.data() : nullptr);
  } else {
    struct Local {
      Workspace ws;
      std::vector<Counts> counts;
    };
    tbb::enumerable_thread_specific<Local> tls([&] { return Local{proto, std::vector<Counts>(total.size())}; });
    int64_t grain = std::clamp<int64_t>(n / (int64_t{threads} * 16), 1, 256);
    tbb::task_arena arena(threads);
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, static_cast<size_t>(grain)),
                        [&](const tbb::blocked_range<int64_t>& r) {
                          Local& l = tls.local();
                          for (int64_t s = r.begin(); s < r.end(); ++s)
                            run_one(s, l.ws, opts.collect_stats ? l.counts.data() : nullptr);
                        });
    });
    for (Local& l : tls)
      for (size_t i = 0; i < total.size(); ++i) {
        total[i].conversions += l.counts[i].conversions;
        total[i].overflows += l.counts[i].overflows;
      }
  }

  if (opts.collect_stats) record_stats(total, opts.accumulate_stats);
}

Emulator::Emulator(const ir::Graph& typed_graph, const EmulatorOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->g = typed_graph;
  impl_->options = options;
  impl_->build();
}

Emulator::~Emulator() = default;
Emulator::Emulator(Emulator&&) noexcept = default;
Emulator& Emulator::operator=(Emulator&&) noexcept = default;

std::vector<NdArray> Emulator::predict(const std::vector<NdArray>& inputs, const RunOptions& options) {
  std::vector<NdArray> outs;
  impl_->run(inputs, options, &outs, nullptr);
  return outs;
}

std::map<std::string, NdArray> Emulator::trace(const std::vector<NdArray>& inputs, const RunOptions& options) {
  std::map<std::string, NdArray> t;
  impl_->run(inputs, options, nullptr, &t);
  return t;
}

const std::vector<LayerStats>& Emulator::stats() const { return impl_->stats; }

const ir::Graph& Emulator::graph() const { return impl_->g; }

std::map<std::string, std::string> Emulator::kernel_flavours() const {
  std::map<std::string, std::string> m;
  for (size_t k = 0; k < impl_->kernels.size(); ++k) m[impl_->g.node(impl_->order[k]).name] = impl_->kernels[k]->flavour();
  return m;
}

std::string Emulator::stats_table() const {
  const auto& st = impl_->stats;
  if (st.empty()) return "no statistics: run with collect_stats (tachyon predict --stats)\n";
  size_t wl = 5, ww = 4, wt = 4;
  for (const LayerStats& s : st) {
    wl = std::max(wl, s.layer.size());
    ww = std::max(ww, s.what.size() + (s.build ? 10 : 0));
    wt = std::max(wt, s.type.size());
  }
  std::string out = fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>12}  {:>10}  {:>10}\n", "layer", wl, "what", ww, "type", wt,
                                "conversions", "wrapped", "saturated");
  int flagged = 0;
  for (const LayerStats& s : st) {
    std::string what = s.build ? s.what + " (at load)" : s.what;
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>12}  {:>10}  {:>10}", s.layer, wl, what, ww, s.type, wt, s.conversions,
                       s.wrapped, s.saturated);
    if (s.overflows() > 0) {
      out += fmt::format("  << OVERFLOW {:.3g}%", 100.0 * static_cast<double>(s.overflows()) /
                                                        static_cast<double>(std::max<int64_t>(1, s.conversions)));
      ++flagged;
    }
    out += "\n";
  }
  out += flagged ? fmt::format("{} conversion point{} overflowed\n", flagged, flagged == 1 ? "" : "s")
                 : "no overflow\n";
  return out;
}

}  // namespace tachyon::emulator
