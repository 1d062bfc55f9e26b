// Calibrated configurations: integer bits from the observed ranges, then the narrowest
// fractional bits (and table sizes) per knob that keep the target, found by running the
// emulator on the calibration data (docs/calibration.md).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "calibrate/internal.h"
#include "tachyon/calibrate/calibrate.h"
#include "tachyon/config/config.h"
#include "tachyon/config/resolve.h"
#include "tachyon/driver/driver.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/ir/op.h"
#include "tachyon/passes/pipeline.h"
#include "tachyon/support/error.h"

namespace tachyon::calibrate {

namespace {

using json = nlohmann::json;
using ir::Op;

int64_t row_size(const NdArray& a) {
  return a.shape.size() <= 1 ? 1 : a.num_elements() / std::max<int64_t>(1, a.shape[0]);
}

int64_t klass(const double* r, int64_t m, double threshold) {
  if (m == 1) return r[0] > threshold ? 1 : 0;
  return std::max_element(r, r + m) - r;
}

// A searched setting: a precision (int bits fixed from the data, fractional bits searched) or
// a table size (log2 searched).
struct SearchKnob {
  std::vector<std::string> path;
  bool table = false;
  FixedType base;     // modes (quantization, overflow) kept from the configured type
  bool is_signed = true;
  int int_bits = 0;
  int frac = 0, frac_min = 0;
  int log2_size = 12;
  std::string before;
  double lo = 0, hi = 0;  // observed range
  bool has_range = false;
  bool norm_cap = false;  // a stable softmax's normalised input: at most kNormBits integer bits, saturating
  std::vector<std::pair<std::string, std::string>> slots;  // (layer, precision name) it types

  std::string value() const {
    if (table) return std::to_string(1 << log2_size);
    FixedType t = base;
    t.is_signed = is_signed;
    t.int_bits = int_bits;
    t.width = int_bits + frac;
    return t.str();
  }
};

// The precision name of an emulator conversion point (LayerStats::what).
std::string slot_of(const std::string& what) {
  if (what == "product" || what == "accum" || what == "bias->accum" || what == "sum") return "accum";
  if (what == "norm") return "inp_norm";
  if (what == "input") return "result";
  if (what == "leaf") return "score";
  return what;
}

bool non_negative_by_construction(Op op, const std::string& slot, const std::string& impl) {
  if (slot == "result") return op == Op::Relu || op == Op::Sigmoid || op == Op::Softmax || op == Op::HardSigmoid;
  if (op == Op::Softmax) return slot == "exp_table" || slot == "inv_table" || slot == "accum" ||
                                (slot == "inp_norm" && impl == "stable");
  if (op == Op::Sigmoid) return slot == "table";
  return false;
}

// A precision value of an existing config entry: "Precision" may be a string (the default).
void set_path(json& root, const std::vector<std::string>& path, const json& value) {
  json* j = &root;
  for (size_t i = 0; i < path.size(); ++i) {
    if (!j->is_object()) *j = json::object();
    json& next = (*j)[path[i]];
    if (i + 1 < path.size() && path[i] == "Precision" && next.is_string()) next = json{{"default", next}};
    j = &next;
  }
  *j = value;
}

class Search {
 public:
  Search(const std::string& model, const json& config, const std::vector<NdArray>& inputs, const CalibrateOptions& o,
         const std::string& file)
      : model_(model), config_(config), file_(file), opt_(o) {
    source_ = driver::load_model(model);
    lowered_ = source_;
    passes::PassContext ctx;
    passes::run_pipeline(lowered_, ctx, passes::lowering_pipeline());
    ir::Graph typed = driver::compile(source_, config_, file_);
    int64_t n = 0;
    inputs_ = detail::batch_inputs(typed, inputs, &n);
    n_ = n;
    if (o.target == Target::Accuracy && static_cast<int64_t>(o.labels.size()) != n)
      fail("--labels has {} values for {} samples", o.labels.size(), n);
    threshold_ = o.threshold;
    if (std::isnan(threshold_)) {
      threshold_ = 0.0;
      for (const ir::IoPort& p : typed.outputs)
        for (ir::NodeId id : typed.node_ids())
          for (ir::ValueId v : typed.node(id).outputs)
            if (v == p.value && (typed.node(id).op == Op::Sigmoid || typed.node(id).op == Op::Softmax)) threshold_ = 0.5;
    }
    hls_ = config_.contains("HLSConfig") ? std::vector<std::string>{"HLSConfig"} : std::vector<std::string>{};
  }

  Calibration run() {
    auto t0 = std::chrono::steady_clock::now();
    Calibration c;
    c.target = opt_.target;
    // 1. ranges of every value on the calibration data (as configured by the user)
    Profile prof = profile(model_, config_, inputs_, file_, opt_.threads);
    make_knobs(prof);
    // 2. the reference: every knob with its needed integer bits and kRefFrac fractional bits
    json ref_cfg = config_with([&](SearchKnob& k) {
      if (k.table)
        k.log2_size = 16;
      else
        k.frac = kRefFrac;
    });
    ref_ = run_model(ref_cfg, nullptr);
    c.reference_metric = opt_.target == Target::Agreement ? 1.0 : accuracy(ref_, opt_.labels, threshold_);
    // 3. before: the user's configuration
    {
      ir::Graph g;
      NdArray y = run_model(config_, &g);
      c.metric_before = metric(y);
      c.cost_before = firmware_cost(g);
    }
    // 4. start: max_frac everywhere (tables 2^12), must meet the target
    for (SearchKnob& k : knobs_) {
      if (k.table)
        k.log2_size = 12;
      else
        k.frac = std::max(k.frac_min, opt_.max_frac);
    }
    double start = metric(run_model(current(), nullptr));
    if (!ok(start, c.reference_metric))
      fail("{}: calibration target not reached even with {} fractional bits everywhere: {} {:.4f} (target {}); "
           "raise --max-frac or lower the target",
           model_, opt_.max_frac, what(), start, target_str(c.reference_metric));
    // Overflow check on the calibration data: one more integer bit where anything overflowed.
    // Run before the search (so the fractional bits are searched with the final integer bits)
    // and again after it (a coarser grid can round a value past the top of its type).
    auto fix_overflows = [&] {
      for (int round = 0; round < 24; ++round) {
        json cfg = current();
        ir::Graph g = driver::compile(source_, cfg, file_);
        emulator::Emulator emu(g);
        emu.predict(inputs_, emulator::RunOptions{opt_.threads, true});
        std::set<std::pair<std::string, std::string>> bad;
        std::vector<std::string>& points = c.overflow_points;
        points.clear();
        int64_t total = 0;
        for (const emulator::LayerStats& s : emu.stats())
          // (a stable softmax's normalised input saturates by design, see norm_cap)
          if (s.overflows() > 0 && !(s.what == "norm" && s.wrapped == 0)) {
            bad.insert({s.layer, slot_of(s.what)});
            points.push_back(s.layer + "/" + s.what);
            total += s.overflows();
          }
        c.overflows_after = total;
        if (bad.empty()) break;
        bool bumped = false;
        for (SearchKnob& k : knobs_)
          for (auto& sl : k.slots)
            if (!k.table && !k.norm_cap && bad.count(sl)) {
              ++k.int_bits;
              bumped = true;
              break;
            }
        if (!bumped) break;
      }
    };
    fix_overflows();
    // 5. search, knobs with the largest cost share first
    std::vector<std::pair<double, size_t>> order;
    {
      ir::Graph g;
      run_cost(current(), &g);
      double full = firmware_cost(g);
      for (size_t i = 0; i < knobs_.size(); ++i) {
        SearchKnob saved = knobs_[i];
        if (knobs_[i].table)
          knobs_[i].log2_size = 4;
        else
          knobs_[i].frac = knobs_[i].frac_min;
        run_cost(current(), &g);
        order.push_back({full - firmware_cost(g), i});
        knobs_[i] = saved;
      }
      std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) { return a.first > b.first; });
    }
    for (auto& [share, i] : order) {
      SearchKnob& k = knobs_[i];
      int& v = k.table ? k.log2_size : k.frac;
      int lo = k.table ? 4 : k.frac_min, hi = v;
      while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        v = mid;
        if (ok(metric(run_model(current(), nullptr)), c.reference_metric))
          hi = mid;
        else
          lo = mid + 1;
      }
      v = hi;
    }
    // Polish: one step lower for each knob with the others at their final values, until a
    // whole pass changes nothing (then no single knob can go one step lower).
    for (int pass = 0; pass < 4; ++pass) {
      bool changed = false;
      for (auto& [share, i] : order) {
        SearchKnob& k = knobs_[i];
        int& v = k.table ? k.log2_size : k.frac;
        if (v <= (k.table ? 4 : k.frac_min)) continue;
        --v;
        if (ok(metric(run_model(current(), nullptr)), c.reference_metric))
          changed = true;
        else
          ++v;
      }
      if (!changed) break;
    }
    fix_overflows();
    // 6. if the integer bits added after the search cost the target, give the fractional bits
    // and tables back one step at a time (at the start values the target was met).
    for (int step = 0; step < 64 && !ok(metric(run_model(current(), nullptr)), c.reference_metric); ++step) {
      bool raised = false;
      for (SearchKnob& k : knobs_) {
        int& v = k.table ? k.log2_size : k.frac;
        const int top = k.table ? 12 : std::max(k.frac_min, opt_.max_frac);
        if (v < top) {
          ++v;
          raised = true;
        }
      }
      if (!raised) break;
      fix_overflows();
    }
    // 7. after
    c.config = current();
    {
      ir::Graph g;
      c.metric_after = metric(run_model(c.config, &g));
      c.cost_after = firmware_cost(g);
    }
    for (const SearchKnob& k : knobs_) {
      Knob out;
      out.path = k.path;
      out.before = k.before;
      out.after = k.value();
      out.int_bits = k.table ? 0 : k.int_bits;
      out.frac_bits = k.table ? 0 : k.frac;
      c.knobs.push_back(out);
    }
    c.evaluations = evals_;
    c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return c;
  }

 private:
  static constexpr int kRefFrac = 28;
  static constexpr int kNormBits = 5;

  std::string what() const { return opt_.target == Target::Agreement ? "agreement" : "accuracy"; }
  std::string target_str(double ref) const {
    return opt_.target == Target::Agreement ? fmt::format(">= {}", opt_.min_agreement)
                                            : fmt::format(">= {:.4f} - {}", ref, opt_.max_accuracy_drop);
  }
  bool ok(double m, double ref) const {
    return opt_.target == Target::Agreement ? m >= opt_.min_agreement : m >= ref - opt_.max_accuracy_drop - 1e-12;
  }
  double metric(const NdArray& y) const {
    return opt_.target == Target::Agreement ? agreement(y, ref_, threshold_) : accuracy(y, opt_.labels, threshold_);
  }

  NdArray run_model(const json& cfg, ir::Graph* keep) {
    ++evals_;
    ir::Graph g = driver::compile(source_, cfg, file_);
    emulator::Emulator emu(g);
    std::vector<NdArray> y = emu.predict(inputs_, emulator::RunOptions{opt_.threads, false});
    if (keep) *keep = std::move(g);
    if (y.empty()) fail("the model '{}' has no outputs", model_);
    return y[0];
  }
  void run_cost(const json& cfg, ir::Graph* g) { *g = driver::compile(source_, cfg, file_); }

  template <class F>
  json config_with(F&& change) {
    std::vector<SearchKnob> saved = knobs_;
    if constexpr (!std::is_same_v<std::decay_t<F>, std::nullptr_t>) {
      for (SearchKnob& k : knobs_) change(k);
    }
    json cfg = config_.is_object() ? config_ : json::object();
    for (auto& [path, value] : extra_) set_path(cfg, with_prefix(path), value);
    for (const SearchKnob& k : knobs_)
      set_path(cfg, with_prefix(k.path), k.table ? json(1 << k.log2_size) : json(k.value()));
    knobs_ = saved;
    return cfg;
  }
  json current() { return config_with(nullptr); }

  std::vector<std::string> with_prefix(const std::vector<std::string>& p) const {
    std::vector<std::string> r = hls_;
    r.insert(r.end(), p.begin(), p.end());
    return r;
  }

  void make_knobs(const Profile& prof) {
    const config::Granularity gran = config::parse_granularity(opt_.granularity);
    const std::vector<char> qd = config::quant_domain(lowered_);
    std::map<std::string, size_t> by_key;
    auto entries_of = [&](const std::string& layer, const std::string& slot, Op op) {
      std::vector<const ProfileEntry*> r;
      for (const ProfileEntry& e : prof.entries) {
        if (e.layer != layer) continue;
        bool take = e.slot == slot && e.what != "table_in";
        if (slot == "table" || slot == "score") take = e.what == "result";
        if (op == Op::Softmax && slot == "result") take = e.what == "result";
        if (take) r.push_back(&e);
      }
      return r;
    };
    auto add_item = [&](const std::string& layer, const std::string& type_name, Op op, const std::string& slot,
                        const config::Setting& st, const std::string& impl, double window) {
      if (st.is_auto() || st.kept) return;
      if (slot == "param" || slot == "threshold") return;  // parameters and tree thresholds keep their settings
      std::vector<const ProfileEntry*> es = entries_of(layer, slot, op);
      // Convolutions and pools: the final sums (the results times the pool window) stand for
      // the accumulator; the overflow check below adds bits where partial sums need more.
      double scale = 1;
      if (es.empty() && slot == "accum") {
        es = entries_of(layer, "result", op);
        scale = window;
      }
      std::vector<std::string> path;
      if (gran == config::Granularity::Name || (op == Op::Softmax && gran == config::Granularity::Model && slot != "result"))
        path = gran == config::Granularity::Name ? std::vector<std::string>{"LayerName", layer, "Precision", slot}
                                                 : std::vector<std::string>{"LayerType", type_name, "Precision", slot};
      else if (gran == config::Granularity::Type)
        path = {"LayerType", type_name, "Precision", slot};
      else
        path = {"Model", "Precision", slot};
      std::string key = config::path_str(path);
      auto it = by_key.find(key);
      if (it == by_key.end()) {
        SearchKnob k;
        k.path = path;
        k.base = st.type();
        k.before = st.value;
        k.is_signed = !non_negative_by_construction(op, slot, impl);
        // The stable softmax looks exp(-d) up by the top bits of d = max - x >= 0: beyond
        // d = 2^kNormBits, exp(-d) < 1e-13 is 0 for every table type, so d saturates there
        // instead of spending the table on a range that only holds zeros.
        k.norm_cap = op == Op::Softmax && slot == "inp_norm" && impl == "stable";
        if (k.norm_cap) k.base.overflow = Overflow::SAT;
        by_key[key] = knobs_.size();
        knobs_.push_back(k);
        it = by_key.find(key);
      }
      SearchKnob& k = knobs_[it->second];
      if (non_negative_by_construction(op, slot, impl) == false) k.is_signed = true;
      k.slots.push_back({layer, slot});
      for (const ProfileEntry* e : es) {
        if (e->range.empty()) continue;
        k.lo = k.has_range ? std::min(k.lo, e->range.min * scale) : e->range.min * scale;
        k.hi = k.has_range ? std::max(k.hi, e->range.max * scale) : e->range.max * scale;
        k.has_range = true;
      }
    };
    auto add_table = [&](const std::string& layer, const std::string& type_name, int size) {
      std::vector<std::string> path = gran == config::Granularity::Name
                                          ? std::vector<std::string>{"LayerName", layer, "table_size"}
                                          : std::vector<std::string>{"LayerType", type_name, "table_size"};
      std::string key = config::path_str(path);
      if (by_key.count(key)) return;
      SearchKnob k;
      k.path = path;
      k.table = true;
      k.before = std::to_string(size);
      by_key[key] = knobs_.size();
      knobs_.push_back(k);
    };
    for (const ir::IoPort& p : lowered_.inputs) {
      config::LayerSettings s = config::effective_input_settings(config_, lowered_, p, file_);
      add_item(p.name, "Input", Op::Identity, "result", s.precision["result"], "", 1);
    }
    for (ir::NodeId id : lowered_.node_ids()) {
      const ir::Node& n = lowered_.node(id);
      config::LayerSettings s = config::effective_node_settings(config_, lowered_, id, qd, file_);
      const std::string type_name = config::layer_type_name(lowered_, n);
      double window = 1;
      if ((n.op == Op::AvgPool || n.op == Op::GlobalAvgPool) && !n.inputs.empty() && !n.outputs.empty())
        window = static_cast<double>(ir::num_elements(lowered_.value(n.inputs[0]).shape)) /
                 static_cast<double>(std::max<int64_t>(1, ir::num_elements(lowered_.value(n.outputs[0]).shape)));
      for (auto& [slot, st] : s.precision) add_item(n.name, type_name, n.op, slot, st, s.softmax_impl, window);
      if ((n.op == Op::Softmax && s.softmax_impl != "argmax") || n.op == Op::Sigmoid || n.op == Op::Tanh ||
          n.op == Op::Elu || n.op == Op::UnaryTable)
        add_table(n.name, type_name, s.table_size);
      // A LayerName entry makes kept (QONNX) types follow the configuration: spell them out.
      if (gran == config::Granularity::Name)
        for (auto& [slot, st] : s.precision)
          if (st.kept) extra_.push_back({{"LayerName", n.name, "Precision", slot}, st.value});
    }
    for (SearchKnob& k : knobs_) {
      if (k.table) continue;
      double lo = k.has_range ? k.lo : 0, hi = k.has_range ? k.hi : 0;
      if (!k.is_signed && lo < 0) k.is_signed = true;
      k.int_bits = int_bits_needed(lo, hi, k.is_signed) + opt_.int_margin;
      if (k.norm_cap) k.int_bits = std::min(k.int_bits, kNormBits);
      k.frac_min = std::max(0, 1 - k.int_bits);
    }
  }

  std::string model_;
  json config_;
  std::string file_;
  CalibrateOptions opt_;
  ir::Graph source_, lowered_;
  std::vector<NdArray> inputs_;
  int64_t n_ = 0;
  double threshold_ = 0;
  std::vector<std::string> hls_;
  std::vector<SearchKnob> knobs_;
  std::vector<std::pair<std::vector<std::string>, json>> extra_;
  NdArray ref_;
  int evals_ = 0;
};

}  // namespace

double agreement(const NdArray& a, const NdArray& b, double threshold) {
  if (a.data.size() != b.data.size() || a.shape.empty()) fail("agreement: outputs of different shapes");
  const int64_t m = row_size(a), n = a.shape[0];
  int64_t same = 0;
  for (int64_t i = 0; i < n; ++i)
    same += klass(a.data.data() + i * m, m, threshold) == klass(b.data.data() + i * m, m, threshold);
  return n ? static_cast<double>(same) / static_cast<double>(n) : 1.0;
}

double accuracy(const NdArray& y, const std::vector<int64_t>& labels, double threshold) {
  if (y.shape.empty() || static_cast<int64_t>(labels.size()) != y.shape[0])
    fail("accuracy: {} labels for {} samples", labels.size(), y.shape.empty() ? 0 : y.shape[0]);
  const int64_t m = row_size(y), n = y.shape[0];
  int64_t right = 0;
  for (int64_t i = 0; i < n; ++i) right += klass(y.data.data() + i * m, m, threshold) == labels[static_cast<size_t>(i)];
  return n ? static_cast<double>(right) / static_cast<double>(n) : 1.0;
}

double firmware_cost(const ir::Graph& g) {
  double cost = 0;
  auto width = [&](ir::ValueId v) { return g.value(v).type ? g.value(v).type->width : 0; };
  auto internal = [](const ir::Node& n, const char* slot) {
    auto it = n.config.types.find(slot);
    return it == n.config.types.end() ? 0 : it->second.width;
  };
  for (const ir::IoPort& p : g.inputs)  // input registers (and every tree comparator's operand)
    cost += static_cast<double>(ir::num_elements(g.value(p.value).shape)) * width(p.value);
  for (ir::NodeId id : g.node_ids()) {
    const ir::Node& n = g.node(id);
    if (n.outputs.empty()) continue;
    const double out_elems = static_cast<double>(ir::num_elements(g.value(n.outputs[0]).shape));
    cost += out_elems * width(n.outputs[0]);  // output registers
    if ((n.op == Op::Dense || n.op == Op::Conv) && n.inputs.size() >= 2 && g.value(n.inputs[1]).constant) {
      const ir::Tensor& w = *g.value(n.inputs[1]).constant;
      double nz = 0;
      for (double v : w.data) nz += v != 0;
      const ir::Shape& os = g.value(n.outputs[0]).shape;
      const double outs_per_filter = os.empty() ? 1.0 : out_elems / static_cast<double>(os.back());
      const double per_weight = n.op == Op::Dense ? out_elems / static_cast<double>(w.shape.back()) : outs_per_filter;
      const double macs = nz * per_weight;
      cost += macs * (static_cast<double>(width(n.inputs[0])) * width(n.inputs[1]) + internal(n, "accum"));
    } else if (n.op == Op::Softmax) {
      const double size = n.config.table_size;
      cost += size * (internal(n, "exp_table") + internal(n, "inv_table"));
      cost += out_elems * (internal(n, "accum") + static_cast<double>(internal(n, "exp_table")) * internal(n, "inv_table"));
    } else if (n.op == Op::Sigmoid || n.op == Op::Tanh || n.op == Op::Elu || n.op == Op::UnaryTable) {
      cost += static_cast<double>(n.config.table_size) * internal(n, "table");
    } else if (n.op == Op::AvgPool || n.op == Op::GlobalAvgPool) {
      cost += static_cast<double>(ir::num_elements(g.value(n.inputs[0]).shape)) * internal(n, "accum");
    }
  }
  return cost;
}

std::string Calibration::summary() const {
  std::string what = target == Target::Agreement ? "argmax agreement with the reference" : "accuracy";
  std::string out;
  size_t wp = 4;
  for (const Knob& k : knobs) wp = std::max(wp, config::path_str(k.path).size());
  out += fmt::format("{:<{}}  {:<32}  {}\n", "setting", wp, "before", "calibrated");
  for (const Knob& k : knobs) out += fmt::format("{:<{}}  {:<32}  {}\n", config::path_str(k.path), wp, k.before, k.after);
  if (target == Target::Accuracy) out += fmt::format("reference (wide) accuracy: {:.4f}\n", reference_metric);
  out += fmt::format("{}: before {:.4f}, calibrated {:.4f}\n", what, metric_before, metric_after);
  out += fmt::format("estimated cost (multiplier + adder + table + register bits): before {:.0f}, calibrated {:.0f} "
                     "({:.1f}%)\n",
                     cost_before, cost_after, cost_before > 0 ? 100.0 * cost_after / cost_before : 0.0);
  std::string where;
  for (const std::string& p : overflow_points) where += (where.empty() ? "" : ", ") + p;
  out += fmt::format("overflows on the calibration data: {}{}\n", overflows_after,
                     where.empty() ? "" : " (at " + where + ": precisions the search does not set, see docs/calibration.md)");
  out += fmt::format("{} emulator runs in {:.2f} s\n", evaluations, seconds);
  return out;
}

Calibration calibrate(const std::string& model_path, const nlohmann::json& config, const std::vector<NdArray>& inputs,
                      const CalibrateOptions& options, const std::string& config_file) {
  Search s(model_path, config, inputs, options, config_file);
  return s.run();
}

}  // namespace tachyon::calibrate
