// Reading a Keras model: configuration JSON (Keras 2 and Keras 3 spellings) and weights
// (Keras 2 HDF5 groups named by layer, Keras 3 groups named by object path).
//
// Keras 2 weights: group <root>/<layer name> with attribute weight_names ("dense/kernel:0",
// ...), each a dataset below the group; <root> is "model_weights" in a full-model .h5 and
// the file's root in a weights file. Keras 3 (.keras archive member model.weights.h5, or a
// weights file in that layout): "layers/<object name>/vars/<i>", where the object name is
// the layer class in snake_case, numbered per class in the model's layer order ("dense",
// "dense_1", ...), and <i> follows the layer's weight order.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "frontends/keras/files.h"
#include "frontends/keras/model.h"

namespace tachyon::frontends::keras_import {

namespace fs = std::filesystem;

namespace {

bool get_bool(const json& cfg, const char* key, bool def) {
  auto it = cfg.find(key);
  if (it == cfg.end() || it->is_null()) return def;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return it->get<double>() != 0;
  return def;
}

// Keras' snake_case of a class name ("Conv2D" -> "conv2d", "BatchNormalization" ->
// "batch_normalization", "QDense" -> "q_dense").
std::string snake_case(const std::string& cls) {
  std::string s;
  for (char c : cls)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') s += c;
  auto up = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
  auto low = [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; };
  // 1. an underscore before every capital followed by a lowercase letter (not at the start).
  std::string a;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && up(s[i]) && i + 1 < s.size() && low(s[i + 1])) a += '_';
    a += s[i];
  }
  // 2. an underscore between a lowercase letter and a capital.
  std::string b;
  for (size_t i = 0; i < a.size(); ++i) {
    if (i > 0 && low(a[i - 1]) && up(a[i])) b += '_';
    b += static_cast<char>(std::tolower(static_cast<unsigned char>(a[i])));
  }
  return b;
}

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail("{}: cannot be opened", path);
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  if (size < 0 || size > kMaxFileBytes) fail("{}: cannot be read or larger than {} bytes", path, kMaxFileBytes);
  f.seekg(0);
  std::string s(static_cast<size_t>(size), '\0');
  if (size > 0 && !f.read(s.data(), size)) fail("{}: cannot be read", path);
  return s;
}

json parse_json(const std::string& text, const std::string& where) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) fail("{}: broken JSON (the model configuration cannot be parsed)", where);
  return j;
}

// One [name, node_index, tensor_index(, kwargs)] reference.
Ref parse_k2_ref(const json& r, const std::string& file, const std::string& layer) {
  if (!r.is_array() || r.size() < 3 || !r[0].is_string() || !r[1].is_number_integer() || !r[2].is_number_integer())
    fail("{}: layer '{}': malformed inbound node reference {}", file, layer, r.dump());
  return {r[0].get<std::string>(), r[1].get<int>(), r[2].get<int>()};
}

// Collects the keras_history of every __keras_tensor__ in a Keras 3 call's args.
void collect_k3_refs(const json& a, std::vector<Ref>& out, const std::string& file, const std::string& layer, int depth = 0) {
  if (depth > 16) fail("{}: layer '{}': inbound node arguments nested too deeply", file, layer);
  if (a.is_array()) {
    for (const json& e : a) collect_k3_refs(e, out, file, layer, depth + 1);
  } else if (a.is_object()) {
    if (a.contains("class_name") && a["class_name"] == "__keras_tensor__") {
      const json* h = a.contains("config") ? &a["config"] : nullptr;
      if (!h || !h->contains("keras_history")) fail("{}: layer '{}': keras tensor without keras_history", file, layer);
      out.push_back(parse_k2_ref((*h)["keras_history"], file, layer));
    }
  }
}

std::vector<Ref> parse_io_layers(const json& v, const std::string& file, const char* key) {
  std::vector<Ref> out;
  if (!v.is_array()) fail("{}: the model's '{}' is not a list", file, key);
  if (!v.empty() && v[0].is_string()) {
    out.push_back(parse_k2_ref(v, file, key));
  } else {
    for (const json& r : v) out.push_back(parse_k2_ref(r, file, key));
  }
  return out;
}

std::string layer_name(const json& l) {
  if (l.contains("name") && l["name"].is_string()) return l["name"];
  if (l.contains("config") && l["config"].is_object() && l["config"].contains("name") && l["config"]["name"].is_string())
    return l["config"]["name"];
  return {};
}

Layer make_layer(const json& l, const std::string& file, size_t index) {
  if (!l.is_object() || !l.contains("class_name") || !l["class_name"].is_string() || !l.contains("config") ||
      !l["config"].is_object())
    fail("{}: layer #{} has no class_name / config object", file, index);
  Layer L;
  L.cls = l["class_name"];
  L.cfg = l["config"];
  L.name = layer_name(l);
  if (L.name.empty()) fail("{}: layer #{} ({}) has no name", file, index, L.cls);
  return L;
}

void check_layer_count(size_t n, const std::string& file) {
  if (n > kMaxLayers) fail("{}: the model has {} layers, more than the limit of {}", file, n, kMaxLayers);
}

void parse_config(const json& top, Model& m) {
  const std::string& file = m.file;
  if (!top.is_object() || !top.contains("class_name") || !top.contains("config"))
    fail("{}: not a Keras model configuration (no class_name / config)", file);
  const std::string cls = top["class_name"].is_string() ? top["class_name"].get<std::string>() : "";
  const json& cfg = top["config"];
  if (top.contains("module") || top.contains("registered_name")) m.keras_major = 3;
  if (cls == "Sequential") {
    const json& layers = cfg.is_array() ? cfg : (cfg.is_object() && cfg.contains("layers") ? cfg["layers"] : json());
    if (!layers.is_array() || layers.empty()) fail("{}: a Sequential model without layers", file);
    check_layer_count(layers.size(), file);
    if (cfg.is_object() && cfg.contains("name") && cfg["name"].is_string()) m.name = cfg["name"];
    std::string prev;
    for (size_t i = 0; i < layers.size(); ++i) {
      Layer L = make_layer(layers[i], file, i);
      if (i == 0 && L.cls != "InputLayer") {
        // The input is declared on the first layer.
        Layer in;
        in.cls = "InputLayer";
        in.name = L.name + "_input";
        for (const char* k : {"batch_input_shape", "batch_shape"})
          if (L.cfg.contains(k)) in.cfg["batch_input_shape"] = L.cfg[k];
        if (!in.cfg.contains("batch_input_shape") && L.cfg.contains("input_shape") && L.cfg["input_shape"].is_array()) {
          json s = json::array({nullptr});
          for (const json& d : L.cfg["input_shape"]) s.push_back(d);
          in.cfg["batch_input_shape"] = s;
        }
        if (!in.cfg.contains("batch_input_shape"))
          fail("{}: layer '{}' ({}): the Sequential model declares no input shape (batch_input_shape)", file, L.name, L.cls);
        in.cfg["name"] = in.name;
        m.layers.push_back(in);
        prev = in.name;
        m.inputs.push_back({in.name, 0, 0});
      }
      if (L.cls == "InputLayer") {
        if (i != 0) fail("{}: layer '{}': an InputLayer in the middle of a Sequential model", file, L.name);
        m.inputs.push_back({L.name, 0, 0});
      } else {
        L.inputs.push_back({prev, 0, 0});
      }
      prev = L.name;
      m.layers.push_back(std::move(L));
    }
    m.outputs.push_back({prev, 0, 0});
    return;
  }
  if (cls != "Functional" && cls != "Model")
    fail("{}: model class '{}' is not supported (Sequential, Functional / Model)", file, cls);
  if (!cfg.is_object() || !cfg.contains("layers") || !cfg["layers"].is_array())
    fail("{}: a Functional model without a 'layers' list", file);
  if (cfg.contains("name") && cfg["name"].is_string()) m.name = cfg["name"];
  const json& layers = cfg["layers"];
  check_layer_count(layers.size(), file);
  for (size_t i = 0; i < layers.size(); ++i) {
    Layer L = make_layer(layers[i], file, i);
    const json& inb = layers[i].contains("inbound_nodes") ? layers[i]["inbound_nodes"] : json::array();
    if (!inb.is_array()) fail("{}: layer '{}': inbound_nodes is not a list", file, L.name);
    if (inb.size() > 1)
      fail("{}: layer '{}' ({}) is called {} times (shared layers are not supported)", file, L.name, L.cls, inb.size());
    if (inb.size() == 1) {
      const json& call = inb[0];
      if (call.is_object()) {
        m.keras_major = 3;
        if (call.contains("args")) collect_k3_refs(call["args"], L.inputs, file, L.name);
      } else if (call.is_array()) {
        for (const json& r : call) L.inputs.push_back(parse_k2_ref(r, file, L.name));
      } else {
        fail("{}: layer '{}': malformed inbound_nodes", file, L.name);
      }
    }
    m.layers.push_back(std::move(L));
  }
  if (!cfg.contains("input_layers") || !cfg.contains("output_layers"))
    fail("{}: a Functional model without input_layers / output_layers", file);
  m.inputs = parse_io_layers(cfg["input_layers"], file, "input_layers");
  m.outputs = parse_io_layers(cfg["output_layers"], file, "output_layers");
}

// Short name of a Keras 2 weight ("dense/kernel:0" -> "kernel").
std::string short_name(const std::string& wn) {
  std::string s = wn.substr(wn.rfind('/') == std::string::npos ? 0 : wn.rfind('/') + 1);
  const size_t colon = s.rfind(':');
  if (colon != std::string::npos) s.resize(colon);
  return s;
}

// Names the weights read in file order after the layer's expected order when they match.
void name_weights(Layer& L, std::vector<std::pair<std::string, ir::Tensor>> found) {
  const std::vector<std::string> want = expected_weights(L.cls, L.cfg);
  bool all_named = true;
  for (const std::string& w : want)
    all_named = all_named && std::any_of(found.begin(), found.end(), [&](const auto& p) { return p.first == w; });
  if (!all_named && found.size() == want.size())
    for (size_t i = 0; i < want.size(); ++i) found[i].first = want[i];
  L.weights = std::move(found);
}

void read_k2_weights(Model& m, const H5File& h5, const std::string& root) {
  int64_t total = 0;
  for (Layer& L : m.layers) {
    if (expected_weights(L.cls, L.cfg).empty()) continue;
    const std::string group = root.empty() ? L.name : root + "/" + L.name;
    if (!h5.is_group(group)) continue;
    std::vector<std::pair<std::string, ir::Tensor>> found;
    if (h5.has_attr(group, "weight_names")) {
      for (const std::string& wn : h5.string_list_attr(group, "weight_names")) {
        ir::Tensor t = h5.read(group + "/" + wn);
        total += t.size();
        if (total > kMaxTotalElements) fail("{}: the weights hold more than {} elements", h5.display(), kMaxTotalElements);
        found.emplace_back(short_name(wn), std::move(t));
      }
    }
    name_weights(L, std::move(found));
  }
}

void read_k3_weights(Model& m, const H5File& h5) {
  std::map<std::string, int> used;
  int64_t total = 0;
  for (Layer& L : m.layers) {
    std::string obj = snake_case(L.cls);
    auto it = used.find(obj);
    if (it == used.end()) {
      used[obj] = 0;
    } else {
      obj += "_" + std::to_string(++it->second);
    }
    if (expected_weights(L.cls, L.cfg).empty()) continue;
    const std::string vars = "layers/" + obj + "/vars";
    if (!h5.is_group(vars)) continue;
    std::vector<std::pair<std::string, ir::Tensor>> found;
    const size_t n = h5.children(vars).size();
    for (size_t i = 0; i < n; ++i) {
      ir::Tensor t = h5.read(vars + "/" + std::to_string(i));
      total += t.size();
      if (total > kMaxTotalElements) fail("{}: the weights hold more than {} elements", h5.display(), kMaxTotalElements);
      found.emplace_back("var" + std::to_string(i), std::move(t));
    }
    name_weights(L, std::move(found));
  }
}

bool any_weights_expected(const Model& m) {
  return std::any_of(m.layers.begin(), m.layers.end(),
                     [](const Layer& L) { return !expected_weights(L.cls, L.cfg).empty(); });
}

// Reads the weights of a (JSON) model from an HDF5 file in either layout.
void read_weights_file(Model& m, const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    if (!any_weights_expected(m)) return;
    fail("{}: missing weights: no weights file '{}' (give it with --weights FILE.h5)", m.file, path);
  }
  m.weights_file = path;
  auto h5 = H5File::open(path, path);
  if (h5->has_attr("/", "layer_names")) return read_k2_weights(m, *h5, "");
  if (h5->is_group("model_weights")) return read_k2_weights(m, *h5, "model_weights");
  if (h5->is_group("layers")) return read_k3_weights(m, *h5);
  read_k2_weights(m, *h5, "");
}

}  // namespace

std::vector<std::string> expected_weights(const std::string& cls, const json& cfg) {
  const bool bias = get_bool(cfg, "use_bias", true);
  auto with_bias = [&](std::vector<std::string> v) {
    if (bias) v.push_back("bias");
    return v;
  };
  if (cls == "Dense" || cls == "QDense" || cls == "Conv1D" || cls == "Conv2D" || cls == "QConv1D" || cls == "QConv2D")
    return with_bias({"kernel"});
  if (cls == "DepthwiseConv1D" || cls == "DepthwiseConv2D" || cls == "QDepthwiseConv2D") return with_bias({"depthwise_kernel"});
  if (cls == "SeparableConv1D" || cls == "SeparableConv2D" || cls == "QSeparableConv1D" || cls == "QSeparableConv2D")
    return with_bias({"depthwise_kernel", "pointwise_kernel"});
  if (cls == "BatchNormalization" || cls == "QBatchNormalization") {
    std::vector<std::string> v;
    if (get_bool(cfg, "scale", true)) v.push_back("gamma");
    if (get_bool(cfg, "center", true)) v.push_back("beta");
    v.push_back("moving_mean");
    v.push_back("moving_variance");
    return v;
  }
  if (cls == "PReLU") return {"alpha"};
  if (cls == "FixedPointQuantizer") return {"keep_negative", "bits", "integers"};
  return {};
}

namespace {

// A Keras 3 archive: config.json, and the weights from model.weights.h5 (or `weights`).
void read_archive(Model& m, const std::function<std::optional<std::string>(const std::string&)>& member,
                  const std::string& weights) {
  auto cfg_text = member("config.json");
  if (!cfg_text) fail("{}: not a Keras archive (no config.json member)", m.file);
  parse_config(parse_json(*cfg_text, m.file + ":config.json"), m);
  m.keras_major = 3;
  if (!weights.empty()) return read_weights_file(m, weights);
  auto w = member("model.weights.h5");
  if (!w) {
    if (any_weights_expected(m)) fail("{}: missing weights: the archive has no model.weights.h5", m.file);
    return;
  }
  m.weights_file = m.file + ":model.weights.h5";
  auto h5 = H5File::open_image(std::move(*w), m.weights_file);
  read_k3_weights(m, *h5);
}

// A Keras 2 full model: the root attribute model_config, the weights under model_weights (or
// from `weights`).
void read_full_h5(Model& m, const H5File& h5, const std::string& weights) {
  if (!h5.has_attr("/", "model_config"))
    fail("{}: an HDF5 file without a 'model_config' attribute (a weights-only file? give the model JSON and this file "
         "with --weights)",
         m.file);
  parse_config(parse_json(h5.string_attr("/", "model_config"), m.file + " (model_config)"), m);
  if (!weights.empty()) return read_weights_file(m, weights);
  m.weights_file = m.file;
  read_k2_weights(m, h5, h5.is_group("model_weights") ? "model_weights" : "");
}

bool starts_with(const std::string& s, const char* sig, size_t n) { return s.size() >= n && s.compare(0, n, sig, n) == 0; }

}  // namespace

Model read_model(const std::string& path, const std::string& weights) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail("{}: no such file", path);
  if (!weights.empty() && !fs::is_regular_file(weights, ec)) fail("{}: no such weights file", weights);
  Model m;
  m.file = path;
  if (looks_like_zip(path)) {  // Keras 3 .keras archive
    read_archive(m, [&](const std::string& member) { return read_zip_member(path, member); }, weights);
  } else if (looks_like_hdf5(path)) {  // Keras 2 full model
    read_full_h5(m, *H5File::open(path, path), weights);
  } else {  // model JSON
    parse_config(parse_json(read_text(path), path), m);
    std::string w = weights;
    if (w.empty()) {
      fs::path p(path);
      w = (p.parent_path() / (p.stem().string() + "_weights.h5")).string();
    }
    read_weights_file(m, w);
  }
  if (m.weights_file.empty()) m.weights_file = path;
  if (m.name.empty()) m.name = fs::path(path).stem().string();
  return m;
}

Model read_model_image(std::string bytes, const std::string& display) {
  Model m;
  m.file = display;
  if (starts_with(bytes, "PK\x03\x04", 4)) {
    read_archive(m, [&](const std::string& member) { return read_zip_member_bytes(bytes, display, member); }, "");
  } else if (starts_with(bytes, "\x89HDF\r\n\x1a\n", 8)) {
    read_full_h5(m, *H5File::open_image(std::move(bytes), display), "");
  } else {
    parse_config(parse_json(bytes, display), m);
  }
  if (m.weights_file.empty()) m.weights_file = display;
  if (m.name.empty()) m.name = fs::path(display).stem().string();
  return m;
}

}  // namespace tachyon::frontends::keras_import
