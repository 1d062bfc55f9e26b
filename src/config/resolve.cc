// Resolution of one layer's settings: LayerName > LayerType > Model > built-in.
#include "tachyon/config/resolve.h"

#include <algorithm>
#include <cctype>

#include "config/internal.h"
#include "tachyon/config/config.h"
#include "tachyon/support/error.h"

namespace tachyon::config {

namespace {

using json = nlohmann::json;
using Path = std::vector<std::string>;
using ir::Op;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Source {
  const json* obj;
  Path path;
  Level level;
};

Path append(Path p, const std::string& k) {
  p.push_back(k);
  return p;
}

std::string node_label(const ir::Node& n) { return n.source_name.empty() ? n.name : n.source_name; }

[[noreturn]] void node_error(const std::string& file, const Path& path, const ir::Node& n, const std::string& msg) {
  throw Error(Diagnostic{where(file, path), node_label(n), std::string(ir::op_name(n.op)), path_str(path) + ": " + msg});
}

// The sources for a node, most specific first.
std::vector<Source> node_sources(const json& config, const ir::Graph& g, const ir::Node& n, const std::string& file) {
  const json& h = hls_config(config);
  const Path prefix = hls_prefix(config);
  std::vector<Source> src;
  if (auto it = h.find("LayerName"); it != h.end() && it->is_object()) {
    const json* found = nullptr;
    std::string found_key;
    for (auto e = it->begin(); e != it->end(); ++e) {
      if (e.key() != n.name && e.key() != n.source_name) continue;
      if (found)
        node_error(file, append(append(prefix, "LayerName"), e.key()), n,
                   fmt::format("layer '{}' is named twice in LayerName (as '{}' and '{}')", n.name, found_key, e.key()));
      found = &e.value();
      found_key = e.key();
    }
    if (found) src.push_back({found, append(append(prefix, "LayerName"), found_key), Level::LayerName});
  }
  if (auto it = h.find("LayerType"); it != h.end() && it->is_object()) {
    std::vector<std::pair<int, std::string>> matches;
    for (auto e = it->begin(); e != it->end(); ++e) {
      int lvl = layer_type_level(e.key(), g, n);
      if (lvl > 0) matches.push_back({lvl, e.key()});
    }
    std::stable_sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = 0; i < matches.size(); ++i) {
      if (i + 1 < matches.size() && matches[i].first == matches[i + 1].first)
        node_error(file, append(append(prefix, "LayerType"), matches[i + 1].second), n,
                   fmt::format("LayerType keys '{}' and '{}' both name layer '{}' ({}) equally specifically",
                               matches[i].second, matches[i + 1].second, n.name, ir::op_name(n.op)));
      src.push_back({&(*it)[matches[i].second], append(append(prefix, "LayerType"), matches[i].second), Level::LayerType});
    }
  }
  if (auto it = h.find("Model"); it != h.end() && it->is_object())
    src.push_back({&*it, append(prefix, "Model"), Level::Model});
  return src;
}

// Looks `slot` up in the sources; nullopt when none sets it.
std::optional<Setting> lookup_precision(const std::vector<Source>& src, const std::string& slot, Op op) {
  const bool dflt = follows_default(slot, op);
  for (const Source& s : src) {
    const json& o = *s.obj;
    if (!o.is_object()) continue;
    std::string spelled;
    if (s.level != Level::Model)
      if (const json* d = find_layer_key(o, slot + "_t", &spelled))
        return Setting{normalize_precision(d->get<std::string>()), s.level, append(s.path, spelled)};
    auto p = o.find("Precision");
    if (p == o.end()) continue;
    const Path pp = append(s.path, "Precision");
    if (p->is_string() && dflt) return Setting{normalize_precision(p->get<std::string>()), s.level, pp};
    if (p->is_object()) {
      if (p->contains(slot)) return Setting{normalize_precision((*p)[slot].get<std::string>()), s.level, append(pp, slot)};
      if (dflt && p->contains("default"))
        return Setting{normalize_precision((*p)["default"].get<std::string>()), s.level, append(pp, "default")};
    }
  }
  return std::nullopt;
}

const json* lookup_key(const std::vector<Source>& src, const std::string& key, bool include_model, Path* path) {
  for (const Source& s : src) {
    if (s.level == Level::Model) {
      if (!include_model || !s.obj->is_object() || !s.obj->contains(key)) continue;
      *path = append(s.path, key);
      return &(*s.obj)[key];
    }
    std::string spelled;
    if (const json* v = find_layer_key(*s.obj, canonical_layer_key(key), &spelled)) {
      *path = append(s.path, spelled);
      return v;
    }
  }
  return nullptr;
}

// Keys of a LayerName entry (or a specific LayerType entry) must apply to the op.
void check_applicable(const Source& s, const ir::Node& n, const std::string& file) {
  const json& o = *s.obj;
  if (!o.is_object()) return;
  const std::vector<std::string> slots = op_slots(n.op);
  auto slot_ok = [&](const std::string& slot) { return std::find(slots.begin(), slots.end(), slot) != slots.end(); };
  std::string slot_list;
  for (const std::string& sl : slots) slot_list += (slot_list.empty() ? "" : ", ") + sl;
  const std::string who = fmt::format("layer '{}' ({})", n.name, ir::op_name(n.op));
  if (auto p = o.find("Precision"); p != o.end() && p->is_object()) {
    for (auto e = p->begin(); e != p->end(); ++e)
      if (e.key() != "default" && !slot_ok(e.key()))
        node_error(file, append(append(s.path, "Precision"), e.key()), n,
                   fmt::format("precision '{}' does not apply to {}; its precisions are {}", e.key(), who, slot_list));
  }
  for (auto e = o.begin(); e != o.end(); ++e) {
    const std::string k = canonical_layer_key(e.key());
    const Path kp = append(s.path, e.key());
    if (k.size() > 2 && k.compare(k.size() - 2, 2, "_t") == 0 && !slot_ok(k.substr(0, k.size() - 2)))
      node_error(file, kp, n, fmt::format("'{}' does not apply to {}; its precisions are {}", e.key(), who, slot_list));
    const bool tabled =
        n.op == Op::Sigmoid || n.op == Op::Tanh || n.op == Op::Elu || n.op == Op::Softmax || n.op == Op::UnaryTable;
    if (k == "table_size" && !tabled)
      node_error(file, kp, n,
                 fmt::format("table_size does not apply to {} (only to Sigmoid, Tanh, ELU, Softmax, UnaryTable)", who));
    if ((k == "exp_table_size" || k == "inv_table_size" || k == "implementation" || k == "skip") && n.op != Op::Softmax)
      node_error(file, kp, n, fmt::format("{} does not apply to {} (only to Softmax)", e.key(), who));
  }
}

}  // namespace

LayerSettings resolve_node(const json& config, const ir::Graph& g, ir::NodeId id, const std::string& file) {
  const ir::Node& n = g.node(id);
  const std::vector<Source> src = node_sources(config, g, n, file);
  LayerSettings s;
  for (const Source& so : src) {
    if (so.level == Level::LayerName) s.named = true;
    if (so.level == Level::LayerName || (so.level == Level::LayerType && layer_type_level(so.path.back(), g, n) >= 3))
      check_applicable(so, n, file);
  }
  for (const std::string& slot : slots_of(g, n)) {
    auto found = lookup_precision(src, slot, n.op);
    s.precision[slot] = found ? *found : Setting{builtin_default(slot, n.op), Level::Builtin, {}};
  }
  // hls4ml (>= 1.2, vivado SoftmaxConfigTemplate): a softmax inv_inp_t that would come from the
  // Model-level default precision is replaced by exp_table_t.
  if (auto it = s.precision.find("inv_inp"); it != s.precision.end()) {
    const Path& p = it->second.path;
    const bool model_default = it->second.level == Level::Builtin ||
                               (it->second.level == Level::Model && (p.back() == "Precision" || p.back() == "default"));
    if (model_default) it->second = s.precision.at("exp_table");
  }
  Path p;
  if (const json* v = lookup_key(src, "ReuseFactor", true, &p)) {
    s.reuse_factor = static_cast<int>(v->get<double>());
    s.reuse_path = p;
  }
  if (const json* v = lookup_key(src, "Strategy", true, &p))
    s.strategy = lower(v->get<std::string>()) == "resource" ? ir::Strategy::Resource : ir::Strategy::Latency;
  auto table_key = [&](const char* key, int* out) {
    if (const json* v = lookup_key(src, key, false, &p)) {
      *out = static_cast<int>(v->get<int64_t>());
      s.table_size_path = p;
      if (n.op == Op::Softmax && (*out & (*out - 1)) != 0)
        node_error(file, p, n, fmt::format("{} {} is not a power of two (the softmax tables are indexed by the top bits)", key, *out));
    }
  };
  table_key("table_size", &s.table_size);
  // hls4ml: exp_table_size and inv_table_size default to table_size.
  s.inv_table_size = s.table_size;
  table_key("exp_table_size", &s.table_size);
  table_key("inv_table_size", &s.inv_table_size);
  if (const json* v = lookup_key(src, "implementation", false, &p)) s.softmax_impl = lower(v->get<std::string>());
  if (const json* v = lookup_key(src, "skip", false, &p)) s.skip = v->get<bool>();
  return s;
}

LayerSettings resolve_input(const json& config, const ir::Graph& g, const ir::IoPort& port, const std::string& file) {
  const json& h = hls_config(config);
  const Path prefix = hls_prefix(config);
  const std::string vname = g.value(port.value).name;
  std::vector<Source> src;
  auto fail_at = [&](const Path& path, const std::string& msg) {
    throw Error(Diagnostic{where(file, path), port.name, "input", path_str(path) + ": " + msg});
  };
  if (auto it = h.find("LayerName"); it != h.end() && it->is_object()) {
    for (auto e = it->begin(); e != it->end(); ++e) {
      if (e.key() != port.name && e.key() != vname) continue;
      Path p = append(append(prefix, "LayerName"), e.key());
      if (!src.empty()) fail_at(p, fmt::format("graph input '{}' is named twice in LayerName", port.name));
      src.push_back({&e.value(), p, Level::LayerName});
    }
  }
  if (auto it = h.find("LayerType"); it != h.end() && it->is_object()) {
    for (auto e = it->begin(); e != it->end(); ++e) {
      if (!is_input_type_key(e.key())) continue;
      Path p = append(append(prefix, "LayerType"), e.key());
      if (!src.empty() && src.back().level == Level::LayerType) fail_at(p, "both Input and InputLayer are given");
      src.push_back({&e.value(), p, Level::LayerType});
    }
  }
  for (const Source& so : src) {
    if (!so.obj->is_object()) continue;
    for (auto e = so.obj->begin(); e != so.obj->end(); ++e) {
      if (e.key() == "Trace") continue;
      if (e.key() != "Precision")
        fail_at(append(so.path, e.key()), fmt::format("'{}' does not apply to graph input '{}' (only Precision.result)", e.key(), port.name));
      if (e->is_object())
        for (auto q = e->begin(); q != e->end(); ++q)
          if (q.key() != "result" && q.key() != "default")
            fail_at(append(append(so.path, "Precision"), q.key()),
                    fmt::format("precision '{}' does not apply to graph input '{}' (only result)", q.key(), port.name));
    }
  }
  if (auto it = h.find("Model"); it != h.end() && it->is_object()) src.push_back({&*it, append(prefix, "Model"), Level::Model});
  LayerSettings s;
  s.named = !src.empty() && src.front().level == Level::LayerName;
  auto found = lookup_precision(src, "result", Op::Identity);
  s.precision["result"] = found ? *found : Setting{builtin_default("result", Op::Identity), Level::Builtin, {}};
  return s;
}

Setting model_setting(const json& config, const std::string& slot, Op op) {
  const json& h = hls_config(config);
  std::vector<Source> src;
  if (auto it = h.find("Model"); it != h.end() && it->is_object()) src.push_back({&*it, append(hls_prefix(config), "Model"), Level::Model});
  auto found = lookup_precision(src, slot, op);
  return found ? *found : Setting{builtin_default(slot, op), Level::Builtin, {}};
}

void check_names(const json& config, const ir::Graph& g, const std::string& file) {
  const json& h = hls_config(config);
  const Path prefix = hls_prefix(config);
  Diagnostics d(file);
  if (auto it = h.find("LayerName"); it != h.end() && it->is_object()) {
    std::vector<std::string> names;
    for (const ir::IoPort& p : g.inputs) {
      names.push_back(p.name);
      names.push_back(g.value(p.value).name);
    }
    for (ir::NodeId id : g.node_ids()) {
      names.push_back(g.node(id).name);
      if (!g.node(id).source_name.empty()) names.push_back(g.node(id).source_name);
    }
    for (auto e = it->begin(); e != it->end(); ++e) {
      if (std::find(names.begin(), names.end(), e.key()) != names.end()) continue;
      Path p = append(append(prefix, "LayerName"), e.key());
      if (auto m = g.merged_names.find(e.key()); m != g.merged_names.end()) {
        warn(file, p, fmt::format("layer '{}' was folded into '{}' (its result precision is auto), so these settings are unused",
                                  e.key(), m->second));
        continue;
      }
      d.add({where(file, p), "", "", fmt::format("LayerName '{}' matches no layer{}", e.key(), did_you_mean(e.key(), names))});
    }
  }
  if (auto it = h.find("LayerType"); it != h.end() && it->is_object()) {
    for (auto e = it->begin(); e != it->end(); ++e)
      if (!is_known_layer_type(e.key()))
        d.add({where(file, append(append(prefix, "LayerType"), e.key())), "", "",
               fmt::format("LayerType '{}' is not a known layer type{}", e.key(), did_you_mean(e.key(), layer_type_keys()))});
  }
  d.throw_if_any();
}

std::vector<char> quant_domain(const ir::Graph& g) {
  std::vector<char> qd(g.num_values(), 0);
  for (size_t v = 0; v < g.num_values(); ++v) qd[v] = g.value(static_cast<ir::ValueId>(v)).type.has_value();
  for (ir::NodeId id : g.node_ids()) {  // topological order
    const ir::Node& n = g.node(id);
    bool all = !n.inputs.empty();
    for (ir::ValueId v : n.inputs) all = all && qd[static_cast<size_t>(v)];
    if (all)
      for (ir::ValueId v : n.outputs) qd[static_cast<size_t>(v)] = 1;
  }
  return qd;
}

bool from_quantizer(const ir::Node& n) {
  static const char* ops[] = {"Quant", "IntQuant", "BipolarQuant", "Trunc", "QuantizeLinear", "DequantizeLinear"};
  return std::any_of(std::begin(ops), std::end(ops), [&](const char* o) { return n.source_op == o; });
}

LayerSettings effective_node_settings(const json& config, const ir::Graph& g, ir::NodeId id, const std::vector<char>& qd,
                                      const std::string& file) {
  const ir::Node& n = g.node(id);
  LayerSettings s = resolve_node(config, g, id, file);
  bool in_qd = !n.inputs.empty();
  for (ir::ValueId v : n.inputs) in_qd = in_qd && qd.at(static_cast<size_t>(v));
  const bool keeps_input = ir::has_trait(n.op, ir::kLayout) || n.op == Op::MaxPool || n.op == Op::GlobalMaxPool;
  for (auto& [slot, st] : s.precision) {
    // 0. A per-element quantizer's result is the container of its element types, always.
    if (slot == "result" && n.op == Op::ElementQuant) {
      st.value = "auto";
      continue;
    }
    // 1. Types from before configuration.
    std::optional<FixedType> pre;
    if (slot == "result" && !n.outputs.empty()) pre = g.value(n.outputs[0]).type;
    for (size_t i = 0; i < n.inputs.size() && !pre; ++i)
      if (constant_slot(g, n, i) == slot) pre = g.value(n.inputs[i]).type;
    if (pre && st.level != Level::LayerName) {
      st.value = pre->str();
      st.kept = true;
      continue;
    }
    // 2. Layout ops and max pools move bits.
    if (slot == "result" && keeps_input && st.level < Level::LayerType) {
      st.value = "auto";
      continue;
    }
    // 3. Quantized domain and quantizer steps: exact inference.
    if ((in_qd || from_quantizer(n)) && st.level <= Level::Model && follows_default(slot, n.op)) st.value = "auto";
  }
  return s;
}

LayerSettings effective_input_settings(const json& config, const ir::Graph& g, const ir::IoPort& port,
                                       const std::string& file) {
  LayerSettings s = resolve_input(config, g, port, file);
  const auto& pre = g.value(port.value).type;
  Setting& st = s.precision["result"];
  if (pre && st.level != Level::LayerName) {
    st.value = pre->str();
    st.kept = true;
  }
  return s;
}

}  // namespace tachyon::config
