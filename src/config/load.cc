// Loading configurations: YAML (yaml-cpp) or JSON (nlohmann), with a line table so that
// later errors can say "config.yaml:12".
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "config/internal.h"
#include "tachyon/config/config.h"
#include "tachyon/support/error.h"
#include "tachyon/support/strings.h"

namespace tachyon::config {

namespace {

std::mutex& lines_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, std::map<std::string, int>>& line_table() {
  static std::map<std::string, std::map<std::string, int>> t;
  return t;
}
std::string path_key(const std::vector<std::string>& path) {
  std::string k;
  for (const std::string& p : path) k += p + '\x1f';
  return k;
}

std::string file_label(const std::string& file) { return file.empty() ? std::string("config") : file; }

// Plain (unquoted) YAML scalars become bool / null / int / float when they look like one.
nlohmann::json yaml_scalar(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  const std::string& tag = n.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return s;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  {
    int64_t v = 0;
    const char* b = s.data();
    const char* e = s.data() + s.size();
    if (*b == '+') ++b;
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec == std::errc() && p == e && b != e) return v;
  }
  const bool numeric_chars = std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
  });
  if (numeric_chars && std::any_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    std::istringstream is(s);
    is.imbue(std::locale::classic());
    double d = 0;
    is >> d;
    if (!is.fail() && is.eof()) return d;
  }
  if (s == ".inf" || s == "+.inf") return HUGE_VAL;
  if (s == "-.inf") return -HUGE_VAL;
  return s;
}

// A configuration has a few values per layer; YAML aliases can make a small file expand
// exponentially ("a: &a [x, x]", "b: &b [*a, *a]", ...), so the conversion stops there.
constexpr size_t kMaxConfigValues = 200000;
// Configurations are a few levels deep; an alias inside the node it names ("a: &a {b: *a}")
// makes an endless nesting, which stops here rather than after 200,000 levels.
constexpr size_t kMaxConfigDepth = 100;

size_t invalid_utf8_at(const std::string& s);

nlohmann::json from_yaml(const YAML::Node& n, std::vector<std::string>& path, const std::string& file,
                         Diagnostics& diags, size_t& values) {
  if (path.size() > kMaxConfigDepth)
    throw Error(Diagnostic{file_label(file), "", "",
                           fmt::format("the configuration is nested more than {} levels deep (an alias inside the "
                                       "node it names?)",
                                       kMaxConfigDepth)});
  if (++values > kMaxConfigValues)
    throw Error(Diagnostic{where(file, path), "", "",
                           fmt::format("the configuration expands to more than {} values (aliases referring to "
                                       "aliases?); a configuration needs a few per layer",
                                       kMaxConfigValues)});
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar:
      // The input is checked to be UTF-8, but YAML escapes ("\x85") can still make bytes that are not.
      if (invalid_utf8_at(n.Scalar()) != std::string::npos)
        throw Error(Diagnostic{where(file, path), "", "", "a value is not valid UTF-8 text (an escape sequence?)"});
      return yaml_scalar(n);
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      size_t i = 0;
      for (const YAML::Node& item : n) {
        path.push_back(std::to_string(i++));
        a.push_back(from_yaml(item, path, file, diags, values));
        path.pop_back();
      }
      return a;
    }
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : n) {
        const YAML::Node& k = kv.first;
        const int line = k.Mark().line + 1;
        if (!k.IsScalar()) {
          diags.add({fmt::format("{}:{}", file_label(file), line), "", "", "a mapping key must be a plain name"});
          continue;
        }
        const std::string key = k.Scalar();
        if (invalid_utf8_at(key) != std::string::npos)
          throw Error(Diagnostic{where(file, path), "", "", "a key is not valid UTF-8 text (an escape sequence?)"});
        path.push_back(key);
        if (o.contains(key))
          diags.add({fmt::format("{}:{}", file_label(file), line), "", "", fmt::format("duplicate key '{}'", path_str(path))});
        record_line(file, path, line);
        o[key] = from_yaml(kv.second, path, file, diags, values);
        path.pop_back();
      }
      return o;
    }
  }
  return nullptr;
}

void record_yaml_lines(const YAML::Node& n, std::vector<std::string>& path, const std::string& file) {
  if (n.IsMap()) {
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) continue;
      path.push_back(kv.first.Scalar());
      record_line(file, path, kv.first.Mark().line + 1);
      record_yaml_lines(kv.second, path, file);
      path.pop_back();
    }
  } else if (n.IsSequence()) {
    size_t i = 0;
    for (const YAML::Node& item : n) {
      path.push_back(std::to_string(i++));
      record_yaml_lines(item, path, file);
      path.pop_back();
    }
  }
}

}  // namespace

void record_line(const std::string& file, const std::vector<std::string>& path, int line) {
  std::lock_guard<std::mutex> lock(lines_mutex());
  line_table()[file][path_key(path)] = line;
}

void clear_lines(const std::string& file) {
  std::lock_guard<std::mutex> lock(lines_mutex());
  line_table().erase(file);
}

std::string where(const std::string& file, const std::vector<std::string>& key_path) {
  std::lock_guard<std::mutex> lock(lines_mutex());
  auto f = line_table().find(file);
  if (f != line_table().end()) {
    // The deepest recorded prefix of the path.
    for (size_t n = key_path.size(); n > 0; --n) {
      auto l = f->second.find(path_key({key_path.begin(), key_path.begin() + static_cast<long>(n)}));
      if (l != f->second.end()) return fmt::format("{}:{}", file_label(file), l->second);
    }
  }
  return file_label(file);
}

std::string path_str(const std::vector<std::string>& key_path) {
  std::string s;
  for (const std::string& p : key_path) s += (s.empty() ? "" : ".") + p;
  return s;
}

namespace {

// Offset of the first byte that is not part of valid UTF-8 (overlong forms, surrogates and
// code points beyond U+10FFFF included), or npos. Configurations are text: a stray byte
// would otherwise surface later, when a value is printed in a message.
size_t invalid_utf8_at(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) n = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 3, cp = c & 0x07;
    else return i;
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return i;
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return i;
    i += n + 1;
  }
  return std::string::npos;
}

}  // namespace

nlohmann::json parse(const std::string& text, const std::string& file, bool json_syntax) {
  clear_lines(file);
  if (const size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n');
    throw Error(Diagnostic{fmt::format("{}:{}", file_label(file), line), "", "",
                           fmt::format("invalid UTF-8 byte 0x{:02X} at offset {} (a configuration is UTF-8 text)",
                                       static_cast<unsigned char>(text[bad]), bad)});
  }
  nlohmann::json cfg;
  if (json_syntax) {
    try {
      cfg = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(std::min(e.byte, text.size())), '\n'));
      if (e.byte > 0 && e.byte <= text.size() && text[e.byte - 1] == '\n') --line;
      throw Error(Diagnostic{fmt::format("{}:{}", file_label(file), line), "", "",
                             fmt::format("invalid JSON: {}", e.what())});
    } catch (const nlohmann::json::exception& e) {
      // Not a syntax error but a value JSON cannot hold, e.g. a number beyond the double range.
      throw Error(Diagnostic{file_label(file), "", "", fmt::format("invalid JSON: {}", e.what())});
    }
    // JSON is YAML: reuse the YAML parser only to learn the line of every key.
    try {
      YAML::Node root = YAML::Load(text);
      std::vector<std::string> path;
      record_yaml_lines(root, path, file);
    } catch (const YAML::Exception&) {
    }
  } else {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw Error(Diagnostic{fmt::format("{}:{}", file_label(file), e.mark.line + 1), "", "",
                             fmt::format("invalid YAML: {}", e.msg)});
    }
    Diagnostics diags(file);
    std::vector<std::string> path;
    size_t values = 0;
    cfg = from_yaml(root, path, file, diags, values);
    diags.throw_if_any();
  }
  if (cfg.is_null()) cfg = nlohmann::json::object();  // empty file: defaults
  if (!cfg.is_object())
    throw Error(Diagnostic{file_label(file), "", "", "a configuration must be a mapping of keys (Model, LayerType, LayerName, or HLSConfig)"});
  check(cfg, file);
  return cfg;
}

nlohmann::json load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Diagnostic{path, "", "", "cannot open the configuration file"});
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  bool json_syntax;
  if (ends_with_icase(path, ".json")) {
    json_syntax = true;
  } else if (ends_with_icase(path, ".yaml") || ends_with_icase(path, ".yml")) {
    json_syntax = false;
  } else {
    auto first = text.find_first_not_of(" \t\r\n");
    json_syntax = first != std::string::npos && text[first] == '{';
  }
  return parse(text, path, json_syntax);
}

const nlohmann::json& hls_config(const nlohmann::json& config) {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!config.is_object()) return empty;
  auto it = config.find("HLSConfig");
  if (it != config.end()) return it->is_object() ? *it : empty;
  return config;
}

std::vector<std::string> hls_prefix(const nlohmann::json& config) {
  if (config.is_object() && config.contains("HLSConfig")) return {"HLSConfig"};
  return {};
}

Granularity parse_granularity(const std::string& s) {
  const std::string l = to_lower(s);
  if (l == "model") return Granularity::Model;
  if (l == "type") return Granularity::Type;
  if (l == "name") return Granularity::Name;
  fail("granularity '{}' is not one of model, type, name", s);
}

}  // namespace tachyon::config
