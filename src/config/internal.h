// Internals shared by the files of tachyon_config (not a public header).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tachyon/ir/graph.h"

namespace tachyon::config {

// "; did you mean 'x'?" or "".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

// LayerType keys.
bool is_input_type_key(const std::string& key);           // Input / InputLayer
bool is_known_layer_type(const std::string& key);
// How specifically LayerType `key` names node n: 0 = not at all, 1 = group (Activation,
// Merge, Pooling) ... 4 = rank-specific class (Conv2D). Case-insensitive.
int layer_type_level(const std::string& key, const ir::Graph& g, const ir::Node& n);
int spatial_rank(const ir::Graph& g, const ir::Node& n);

// Line table filled by parse(): key path -> 1-based line.
void record_line(const std::string& file, const std::vector<std::string>& path, int line);
void clear_lines(const std::string& file);

// "auto" (any case) -> "auto"; otherwise FixedType::parse(s).str(). Throws tachyon::Error.
std::string normalize_precision(const std::string& s);

// Key lists (for checks and suggestions).
const std::vector<std::string>& top_level_keys();   // hls4ml top-level keys besides HLSConfig
const std::vector<std::string>& model_keys();
const std::vector<std::string>& layer_keys();
const std::vector<std::string>& precision_keys();   // "default" + every slot

// hls4ml reads a layer's keys through a snake_case conversion ("TableSize" and
// "table_size" are one key): the canonical spelling of a layer-level key. "Precision",
// "ReuseFactor", "Strategy" and "Trace" keep their CamelCase names.
std::string canonical_layer_key(const std::string& key);
// The entry of object `o` whose key is spelled `canonical` in canonical_layer_key form, or
// nullptr; `actual` (when given) receives the spelling used in the file.
const nlohmann::json* find_layer_key(const nlohmann::json& o, const std::string& canonical, std::string* actual = nullptr);

// Prints "file:line: warning: path: message" to stderr once per (file, path, message):
// keys hls4ml accepts that change nothing in Tachyon.
void warn(const std::string& file, const std::vector<std::string>& path, const std::string& message);
// Every warning printed so far (for tests).
std::vector<std::string> warnings_issued();

// The prefix of key paths into the HLSConfig part ({"HLSConfig"} or {}).
std::vector<std::string> hls_prefix(const nlohmann::json& config);

}  // namespace tachyon::config
