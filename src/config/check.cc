// Structural and value checks of a configuration (everything that does not need a model).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>
#include <set>

#include "config/internal.h"
#include "tachyon/config/config.h"
#include "tachyon/config/resolve.h"
#include "tachyon/fixed/fixed_type.h"
#include "tachyon/support/error.h"
#include "tachyon/support/strings.h"

namespace tachyon::config {

namespace {

using json = nlohmann::json;
using Path = std::vector<std::string>;

class Checker {
 public:
  explicit Checker(const std::string& file) : file_(file), diags_(file) {}

  void error(const Path& path, const std::string& msg) {
    diags_.add({where(file_, path), "", "", path.empty() ? msg : path_str(path) + ": " + msg});
  }

  void unknown_key(const Path& parent, const std::string& key, const std::vector<std::string>& valid,
                   const std::string& what) {
    Path p = parent;
    p.push_back(key);
    diags_.add({where(file_, p), "", "", fmt::format("unknown key '{}' in {}{}", key, what.empty() ? path_str(parent) : what,
                                                      did_you_mean(key, valid))});
  }

  void run(const json& cfg) {
    if (cfg.is_null()) return;  // no configuration: defaults
    if (!cfg.is_object()) {
      error({}, "a configuration must be a mapping of keys");
      return;
    }
    const bool has_hls = cfg.contains("HLSConfig");
    std::vector<std::string> top = top_level_keys();
    top.push_back("HLSConfig");
    if (!has_hls) top.insert(top.end(), {"Model", "LayerType", "LayerName"});
    for (auto it = cfg.begin(); it != cfg.end(); ++it) {
      const std::string& k = it.key();
      if (std::find(top.begin(), top.end(), k) == top.end()) {
        if (has_hls && (k == "Model" || k == "LayerType" || k == "LayerName"))
          error({k}, "belongs under HLSConfig (this file has an HLSConfig key)");
        else
          unknown_key({}, k, top, "the top level");
      }
    }
    if (cfg.contains("IOType")) check_iotype(cfg["IOType"], {"IOType"});
    if (cfg.contains("ClockPeriod") && !cfg["ClockPeriod"].is_number()) error({"ClockPeriod"}, "must be a number (ns)");
    Path prefix;
    const json* hls = &cfg;
    if (has_hls) {
      prefix = {"HLSConfig"};
      hls = &cfg["HLSConfig"];
      if (!hls->is_object()) {
        error(prefix, "must be a mapping with Model, LayerType and/or LayerName");
        return;
      }
      for (auto it = hls->begin(); it != hls->end(); ++it) {
        const std::string& k = it.key();
        if (k == "Flows" || k == "Optimizers" || k == "SkipOptimizers")
          warn(file_, concat(prefix, k), "hls4ml's optimizer flows have no counterpart in Tachyon; ignored");
        else if (k != "Model" && k != "LayerType" && k != "LayerName")
          unknown_key(prefix, k, {"Model", "LayerType", "LayerName", "Flows", "Optimizers", "SkipOptimizers"}, "HLSConfig");
      }
    }
    if (hls->contains("Model")) check_model((*hls)["Model"], concat(prefix, "Model"));
    if (hls->contains("LayerType")) check_layers((*hls)["LayerType"], concat(prefix, "LayerType"), true);
    if (hls->contains("LayerName")) check_layers((*hls)["LayerName"], concat(prefix, "LayerName"), false);
    diags_.throw_if_any();
  }

 private:
  static Path concat(Path p, const std::string& k) {
    p.push_back(k);
    return p;
  }

  void check_iotype(const json& v, const Path& path) {
    if (!v.is_string()) {
      error(path, "must be the string io_parallel");
      return;
    }
    std::string s = to_lower(v.get<std::string>());
    if (s == "io_parallel") return;
    if (s == "io_stream")
      error(path, "IOType io_stream is not supported yet; only io_parallel is (remove the key or set io_parallel)");
    else
      error(path, fmt::format("unknown IOType '{}'; the supported value is io_parallel", v.get<std::string>()));
  }

  void check_reuse(const json& v, const Path& path) {
    if (!(v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()))) {
      error(path, fmt::format("ReuseFactor must be a positive integer, got {}", v.dump()));
      return;
    }
    double r = v.get<double>();
    if (r < 1) error(path, fmt::format("ReuseFactor must be a positive integer, got {}", v.dump()));
    else if (r > 1e9) error(path, fmt::format("ReuseFactor {} is too large", v.dump()));
  }

  void check_strategy(const json& v, const Path& path) {
    std::string s = v.is_string() ? to_lower(v.get<std::string>()) : std::string();
    if (s != "latency" && s != "resource")
      error(path, fmt::format("Strategy must be Latency or Resource, got {}", v.dump()));
  }

  void check_bool(const json& v, const Path& path) {
    if (!v.is_boolean()) error(path, fmt::format("must be true or false, got {}", v.dump()));
  }

  void check_precision_string(const json& v, const Path& path) {
    if (!v.is_string()) {
      error(path, fmt::format("a precision must be a string such as ap_fixed<16,6> or auto, got {}", v.dump()));
      return;
    }
    try {
      normalize_precision(v.get<std::string>());
    } catch (const Error& e) {
      error(path, e.what());
    }
  }

  void check_precision(const json& v, const Path& path) {
    if (v.is_string()) {
      check_precision_string(v, path);
      return;
    }
    if (!v.is_object()) {
      error(path, "Precision must be a string (the default for this level) or a mapping such as {default: ..., weight: ...}");
      return;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      const auto& keys = precision_keys();
      if (std::find(keys.begin(), keys.end(), it.key()) == keys.end())
        unknown_key(path, it.key(), keys, path_str(path));
      else
        check_precision_string(it.value(), concat(path, it.key()));
    }
  }

  void check_model(const json& m, const Path& path) {
    if (!m.is_object()) {
      error(path, "must be a mapping (Precision, ReuseFactor, Strategy, ...)");
      return;
    }
    for (auto it = m.begin(); it != m.end(); ++it) {
      const std::string& k = it.key();
      const Path p = concat(path, k);
      if (k == "Precision") check_precision(*it, p);
      else if (k == "ReuseFactor") check_reuse(*it, p);
      else if (k == "Strategy") check_strategy(*it, p);
      else if (k == "IOType") check_iotype(*it, p);
      else if (k == "TraceOutput") check_bool(*it, p);
      else if (k == "BramFactor") {
        if (!it->is_number() || it->get<double>() < 0) error(p, fmt::format("BramFactor must be a non-negative number, got {}", it->dump()));
      } else if (k == "ChannelsLastConversion" || k == "TransposeOutputs") {
        warn(file_, p, "accepted for hls4ml compatibility; Tachyon's ports always keep the model file's layout "
                       "(channels-first tensors are transposed inside the design), so this key changes nothing");
      } else if (k == "TargetCycles" || k == "ConvImplementation" || k == "Compression" || k == "PipelineStyle" ||
                 k == "PipelineInterval") {
        warn(file_, p, "accepted for hls4ml compatibility; it would change the hardware, never the bits, and Tachyon ignores it");
      } else {
        unknown_key(path, k, model_keys(), path_str(path));
      }
    }
  }

  void check_table_size(const json& v, const Path& p, const std::string& k, bool is_softmax_type) {
    if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > (int64_t{1} << 24))
      error(p, fmt::format("{} must be a positive integer (at most 2^24), got {}", k, v.dump()));
    else if ((is_softmax_type || k != "table_size") && (v.get<int64_t>() & (v.get<int64_t>() - 1)) != 0)
      error(p, fmt::format("{} {} is not a power of two (the softmax tables are indexed by the top bits)", k, v.dump()));
  }

  void check_layer(const json& l, const Path& path, bool is_softmax_type) {
    if (!l.is_object()) {
      error(path, "must be a mapping (Precision, ReuseFactor, ...)");
      return;
    }
    std::vector<std::pair<std::string, std::string>> seen;  // canonical, spelling
    for (auto it = l.begin(); it != l.end(); ++it) {
      const std::string k = canonical_layer_key(it.key());
      const Path p = concat(path, it.key());
      for (const auto& [c, sp] : seen)
        if (c == k) error(p, fmt::format("given twice (as '{}' and '{}')", sp, it.key()));
      seen.push_back({k, it.key()});
      const bool is_type_key = k.size() > 2 && k.compare(k.size() - 2, 2, "_t") == 0;
      if (k == "Precision") check_precision(*it, p);
      else if (k == "ReuseFactor") check_reuse(*it, p);
      else if (k == "Strategy") check_strategy(*it, p);
      else if (k == "Trace") check_bool(*it, p);
      else if (is_type_key && std::find(all_slots().begin(), all_slots().end(), k.substr(0, k.size() - 2)) != all_slots().end()) {
        check_precision_string(*it, p);
        if (l.contains("Precision") && l["Precision"].is_object() && l["Precision"].contains(k.substr(0, k.size() - 2)))
          error(p, fmt::format("given twice: as {} and as Precision.{}", it.key(), k.substr(0, k.size() - 2)));
      } else if (k == "table_size" || k == "exp_table_size" || k == "inv_table_size") {
        check_table_size(*it, p, k, is_softmax_type);
      } else if (k == "implementation") {
        std::string s = it->is_string() ? to_lower(it->get<std::string>()) : std::string();
        if (s != "stable" && s != "latency" && s != "argmax")
          error(p, fmt::format("implementation must be stable, latency or argmax, got {}", it->dump()));
      } else if (k == "skip") {
        check_bool(*it, p);
      } else if (k == "target_cycles" || k == "conv_implementation" || k == "compression" ||
                 k == "parallelization_factor") {
        warn(file_, p, "accepted for hls4ml compatibility; it would change the hardware, never the bits, and Tachyon ignores it");
      } else {
        unknown_key(path, it.key(), layer_keys(), path_str(path));
      }
    }
  }

  void check_layers(const json& layers, const Path& path, bool types) {
    if (!layers.is_object()) {
      error(path, "must be a mapping from layer " + std::string(types ? "types" : "names") + " to settings");
      return;
    }
    for (auto it = layers.begin(); it != layers.end(); ++it) {
      const Path p = concat(path, it.key());
      if (types && !is_known_layer_type(it.key())) {
        diags_.add({where(file_, p), "", "", fmt::format("LayerType '{}' is not a known layer type{}", it.key(),
                                                          did_you_mean(it.key(), layer_type_keys()))});
        continue;
      }
      check_layer(*it, p, types && to_lower(it.key()) == "softmax");
    }
  }

  std::string file_;
  Diagnostics diags_;
};

}  // namespace

const std::vector<std::string>& top_level_keys() {
  static const std::vector<std::string> k{
      "OutputDir",  "ProjectName", "Backend",        "Part",        "XilinxPart",   "Board",     "ClockPeriod",
      "ClockUncertainty", "IOType", "InputData",     "OutputPredictions", "KerasModel", "KerasJson", "KerasH5",
      "OnnxModel",  "PytorchModel", "InputShape",    "Version",     "Stamp",        "WriterConfig"};
  return k;
}

const std::vector<std::string>& model_keys() {
  static const std::vector<std::string> k{"Precision",          "ReuseFactor",       "Strategy",   "IOType",
                                          "TraceOutput",        "BramFactor",        "TargetCycles", "ConvImplementation",
                                          "Compression",        "PipelineStyle",     "PipelineInterval",
                                          "ChannelsLastConversion", "TransposeOutputs"};
  return k;
}

const std::vector<std::string>& layer_keys() {
  static const std::vector<std::string> k{
      "Precision",      "ReuseFactor",  "Strategy",    "Trace",       "table_size",      "exp_table_size",
      "inv_table_size", "implementation", "skip",      "table_t",     "exp_table_t",     "inv_table_t",
      "accum_t",        "inp_norm_t",   "inv_inp_t",   "param_t",     "weight_t",        "bias_t",
      "result_t",       "scale_t",      "target_cycles", "conv_implementation", "compression",
      "parallelization_factor"};
  return k;
}

const std::vector<std::string>& precision_keys() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> v{"default"};
    for (const std::string& s : all_slots()) v.push_back(s);
    return v;
  }();
  return k;
}

std::string normalize_precision(const std::string& s) {
  if (to_lower(s) == "auto") return "auto";
  FixedType t = FixedType::parse(s);
  t.validate(s);
  if (t.width > kMaxParsedWidth) fail("precision '{}' is wider than {} bits", s, kMaxParsedWidth);
  return t.str();
}

void check(const nlohmann::json& config, const std::string& file) { Checker(file).run(config); }

std::string canonical_layer_key(const std::string& key) {
  std::string s;
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0 && key[i - 1] != '_') s += '_';
    s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (s == "precision") return "Precision";
  if (s == "reuse_factor") return "ReuseFactor";
  if (s == "strategy") return "Strategy";
  if (s == "trace") return "Trace";
  return s;
}

const nlohmann::json* find_layer_key(const nlohmann::json& o, const std::string& canonical, std::string* actual) {
  if (!o.is_object()) return nullptr;
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (canonical_layer_key(it.key()) != canonical) continue;
    if (actual) *actual = it.key();
    return &it.value();
  }
  return nullptr;
}

namespace {
std::mutex warn_mutex;
std::set<std::string> warn_said;
std::vector<std::string> warn_list;
}  // namespace

void warn(const std::string& file, const std::vector<std::string>& path, const std::string& message) {
  const std::string text = fmt::format("{}: warning: {}: {}", where(file, path), path_str(path), message);
  std::lock_guard<std::mutex> lock(warn_mutex);
  if (!warn_said.insert(text).second) return;
  warn_list.push_back(text);
  fmt::print(stderr, "{}\n", text);
}

std::vector<std::string> warnings_issued() {
  std::lock_guard<std::mutex> lock(warn_mutex);
  return warn_list;
}

}  // namespace tachyon::config
