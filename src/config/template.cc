// Configuration templates (`tachyon config`): every key with the value that applies by default.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "config/internal.h"
#include "tachyon/config/config.h"
#include "tachyon/config/resolve.h"

namespace tachyon::config {

namespace {

using json = nlohmann::json;
using ir::Op;

bool has_reuse(Op op) { return op == Op::Dense || op == Op::Conv; }
bool has_table(Op op) {
  return op == Op::Sigmoid || op == Op::Tanh || op == Op::Elu || op == Op::Softmax || op == Op::UnaryTable;
}

json layer_entry(const ir::Node& n, const LayerSettings& s) {
  json e = json::object();
  json p = json::object();
  for (const std::string& slot : op_slots(n.op)) {
    auto it = s.precision.find(slot);
    if (it != s.precision.end()) p[slot] = it->second.value;
  }
  e["Precision"] = p;
  if (has_reuse(n.op)) {
    e["ReuseFactor"] = s.reuse_factor;
    e["Strategy"] = ir::to_string(s.strategy);
  }
  if (has_table(n.op)) e["table_size"] = s.table_size;
  if (n.op == Op::Softmax && s.inv_table_size != s.table_size) {
    e["exp_table_size"] = s.table_size;
    e["inv_table_size"] = s.inv_table_size;
  }
  if (n.op == Op::Softmax) e["implementation"] = s.softmax_impl;
  return e;
}

}  // namespace

json make_template(const ir::Graph& g, Granularity gran) {
  const json empty = json::object();
  const std::vector<char> qd = quant_domain(g);

  json model = json::object();
  json mp = json::object();
  mp["default"] = builtin_default("result", Op::Dense);
  for (ir::NodeId id : g.node_ids()) {
    const ir::Node& n = g.node(id);
    for (const std::string& slot : internal_slots(g, n))
      if (!follows_default(slot, n.op)) mp[slot] = builtin_default(slot, n.op);
  }
  model["Precision"] = mp;
  model["ReuseFactor"] = 1;
  model["Strategy"] = "Latency";
  model["IOType"] = "io_parallel";
  model["BramFactor"] = 1000000000;
  model["TraceOutput"] = false;
  json t = json::object();
  t["Model"] = model;
  if (gran == Granularity::Model) return t;

  if (gran == Granularity::Type) {
    json types = json::object();
    // Per type: precision values from the nodes whose value is not a kept (QONNX) type.
    std::map<std::string, std::map<std::string, std::vector<std::string>>> free_vals, kept_vals;
    std::map<std::string, json> entries;
    for (const ir::IoPort& p : g.inputs) {
      LayerSettings s = effective_input_settings(empty, g, p);
      const Setting& st = s.precision["result"];
      (st.kept ? kept_vals : free_vals)["Input"]["result"].push_back(st.value);
      entries.emplace("Input", json{{"Precision", json{{"result", st.value}}}});
    }
    for (ir::NodeId id : g.node_ids()) {
      const ir::Node& n = g.node(id);
      LayerSettings s = effective_node_settings(empty, g, id, qd);
      const std::string type = layer_type_name(g, n);
      entries.emplace(type, layer_entry(n, s));
      for (const auto& [slot, st] : s.precision) (st.kept ? kept_vals : free_vals)[type][slot].push_back(st.value);
    }
    for (auto& [type, entry] : entries) {
      for (auto& [slot, val] : entry["Precision"].items()) {
        const auto& fv = free_vals[type][slot];
        const auto& kv = kept_vals[type][slot];
        val = !fv.empty() ? fv.front() : !kv.empty() ? kv.front() : val.get<std::string>();
      }
      types[type] = entry;
    }
    t["LayerType"] = types;
    return t;
  }

  json names = json::object();
  for (const ir::IoPort& p : g.inputs) {
    LayerSettings s = effective_input_settings(empty, g, p);
    names[p.name] = json{{"Precision", json{{"result", s.precision["result"].value}}}};
  }
  for (ir::NodeId id : g.node_ids()) {
    const ir::Node& n = g.node(id);
    names[n.name] = layer_entry(n, effective_node_settings(empty, g, id, qd));
  }
  t["LayerName"] = names;
  return t;
}

namespace {

bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  static const char* special[] = {"true", "false", "yes", "no", "on", "off", "null", "~"};
  std::string l;
  for (char c : s) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* w : special)
    if (l == w) return true;
  const bool numeric = std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
  });
  if (numeric) return true;
  if (std::string("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string::npos) return true;
  return s.find(": ") != std::string::npos || s.find(" #") != std::string::npos || s.back() == ':' ||
         s.front() == ' ' || s.back() == ' ';
}

void emit(YAML::Emitter& out, const json& v) {
  switch (v.type()) {
    case json::value_t::object: {
      // Model, LayerType, LayerName first (as hls4ml writes them), then the rest in order.
      std::vector<std::string> keys;
      for (const char* k : {"Model", "LayerType", "LayerName"})
        if (v.contains(k)) keys.push_back(k);
      for (auto it = v.begin(); it != v.end(); ++it)
        if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
      out << YAML::BeginMap;
      for (const std::string& k : keys) {
        out << YAML::Key;
        if (needs_quotes(k)) out << YAML::DoubleQuoted;
        out << k << YAML::Value;
        emit(out, v[k]);
      }
      out << YAML::EndMap;
      break;
    }
    case json::value_t::array: {
      bool flat = std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_primitive(); });
      if (flat) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const json& e : v) emit(out, e);
      out << YAML::EndSeq;
      break;
    }
    case json::value_t::string: {
      const std::string& s = v.get_ref<const std::string&>();
      if (needs_quotes(s)) out << YAML::DoubleQuoted;
      out << s;
      break;
    }
    case json::value_t::boolean: out << YAML::TrueFalseBool << v.get<bool>(); break;
    case json::value_t::number_integer: out << v.get<int64_t>(); break;
    case json::value_t::number_unsigned: out << v.get<uint64_t>(); break;
    case json::value_t::number_float: out << v.get<double>(); break;
    default: out << YAML::Null; break;
  }
}

}  // namespace

std::string to_yaml(const json& config) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, config);
  return std::string(out.c_str()) + "\n";
}

std::string to_json_text(const json& config) { return config.dump(2) + "\n"; }

}  // namespace tachyon::config
