// Parsing of QKeras quantizer specifications (see quantizers.h).
#include "frontends/keras/quantizers.h"
#include "tachyon/support/strings.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <map>
#include <vector>

namespace tachyon::frontends::keras_import {

namespace {

// Positional parameter names of the QKeras quantizer constructors.
const std::map<std::string, std::vector<std::string>>& positional() {
  static const std::map<std::string, std::vector<std::string>> p{
      {"quantized_bits", {"bits", "integer", "symmetric", "keep_negative", "alpha", "use_stochastic_rounding"}},
      {"quantized_relu", {"bits", "integer", "use_sigmoid", "negative_slope", "use_stochastic_rounding", "relu_upper_bound"}},
      {"quantized_po2", {"bits", "max_value", "use_stochastic_rounding", "quadratic_approximation"}},
      {"quantized_relu_po2", {"bits", "max_value", "negative_slope", "use_stochastic_rounding"}},
      {"quantized_tanh", {"bits", "integer", "symmetric", "use_stochastic_rounding"}},
      {"quantized_sigmoid", {"bits", "symmetric", "use_real_sigmoid", "use_stochastic_rounding"}},
      {"binary", {"use_01", "alpha", "use_stochastic_rounding"}},
      {"stochastic_binary", {"alpha", "temperature"}},
      {"ternary", {"alpha", "threshold", "use_stochastic_rounding"}},
      {"stochastic_ternary", {"alpha", "threshold"}},
      {"bernoulli", {"alpha"}},
  };
  return p;
}

json parse_value(const std::string& raw, const std::string& spec) {
  const std::string v = trim(raw);
  if (v == "True" || v == "true") return true;
  if (v == "False" || v == "false") return false;
  if (v == "None" || v == "null") return nullptr;
  if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front()) return v.substr(1, v.size() - 2);
  try {
    size_t used = 0;
    double d = std::stod(v, &used);
    if (used == v.size()) {
      if (v.find_first_of(".eE") == std::string::npos && std::fabs(d) < 9.2e18) return static_cast<int64_t>(d);
      return d;
    }
  } catch (const std::exception&) {
  }
  throw Error(fmt::format("quantizer '{}': argument '{}' is not a number, string, True/False or None", spec, v));
}

}  // namespace

bool is_quantizer_spec(const json& spec) {
  if (spec.is_object())
    return spec.contains("class_name") && spec["class_name"].is_string() &&
           positional().count(spec["class_name"].get<std::string>()) != 0;
  if (!spec.is_string()) return false;
  const std::string s = spec.get<std::string>();
  return positional().count(trim(s.substr(0, s.find('(')))) != 0;
}

std::optional<QSpec> parse_quantizer(const json& spec) {
  if (spec.is_null()) return std::nullopt;
  QSpec q;
  if (spec.is_object()) {
    if (!spec.contains("class_name") || !spec["class_name"].is_string())
      throw Error(fmt::format("quantizer {} has no class_name", spec.dump()));
    q.cls = spec["class_name"];
    q.cfg = spec.contains("config") && spec["config"].is_object() ? spec["config"] : json::object();
  } else if (spec.is_string()) {
    const std::string s = trim(spec.get<std::string>());
    const size_t open = s.find('(');
    q.cls = trim(s.substr(0, open));
    q.cfg = json::object();
    if (open != std::string::npos) {
      if (s.back() != ')') throw Error(fmt::format("quantizer '{}': missing ')'", s));
      const std::string args = s.substr(open + 1, s.size() - open - 2);
      auto it = positional().find(q.cls);
      size_t pos = 0;
      std::string cur;
      std::vector<std::string> parts;
      for (char c : args) {
        if (c == ',') {
          parts.push_back(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
      if (!trim(cur).empty() || !parts.empty()) parts.push_back(cur);
      for (const std::string& p : parts) {
        const size_t eq = p.find('=');
        if (eq != std::string::npos) {
          q.cfg[trim(p.substr(0, eq))] = parse_value(p.substr(eq + 1), s);
        } else {
          if (it == positional().end() || pos >= it->second.size())
            throw Error(fmt::format("quantizer '{}': too many positional arguments", s));
          q.cfg[it->second[pos++]] = parse_value(p, s);
        }
      }
    }
  } else {
    throw Error(fmt::format("quantizer {} is neither an object nor a string", spec.dump()));
  }
  if (!positional().count(q.cls)) throw Error(fmt::format("QKeras quantizer '{}' is not supported", q.cls));
  return q;
}

}  // namespace tachyon::frontends::keras_import
