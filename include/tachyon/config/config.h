// hls4ml-style configuration: loading (YAML or JSON), checking and templates.
//
// A configuration is kept as nlohmann::json with the keys hls4ml users know:
//   {"Model": {...}, "LayerType": {...}, "LayerName": {...}}
// or the same under a top-level "HLSConfig" key next to other hls4ml top-level keys
// (OutputDir, ProjectName, Part, ClockPeriod, IOType, ...). docs/config.md lists every key,
// every default and the LayerType names.
//
// How the settings of one layer are resolved (LayerName > LayerType > Model > built-in) is
// in config/resolve.h; the passes apply_config and infer_precision use it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tachyon/ir/graph.h"

namespace tachyon::config {

// Loads a YAML (.yaml/.yml) or JSON (.json) configuration; other extensions are sniffed
// ('{' first: JSON, else YAML). Checks it with check(). Errors name the file and the line:
//   config.yaml:7: error: HLSConfig.Model.ReuseFactor: must be a positive integer, got 0
nlohmann::json load(const std::string& path);

// Parses configuration text (what load() does after reading the file); `file` names the
// source in messages and in the line table used by where().
nlohmann::json parse(const std::string& text, const std::string& file, bool json_syntax);

// Checks the structure and the values of a configuration that does not depend on a model:
// unknown keys (with a suggestion), ReuseFactor < 1, bad precision strings, unknown
// Strategy / IOType / implementation values, io_stream. Throws tachyon::Error listing every
// problem; `file` prefixes the messages.
void check(const nlohmann::json& config, const std::string& file = {});

// The HLSConfig part: config["HLSConfig"] when present, else config itself (null-safe).
const nlohmann::json& hls_config(const nlohmann::json& config);

enum class Granularity { Model, Type, Name };
Granularity parse_granularity(const std::string& s);  // "model" | "type" | "name"

// A complete template for a lowered graph (after passes::lowering_pipeline()): every key
// with the value that applies when no configuration is given ("auto" where precision
// inference decides, QONNX-derived types spelled out at name granularity). Loading the
// template back gives the same typed graph as an empty configuration.
nlohmann::json make_template(const ir::Graph& lowered, Granularity g);

// Writes a configuration as YAML (block style, keys in json order) or JSON (indent 2).
std::string to_yaml(const nlohmann::json& config);
std::string to_json_text(const nlohmann::json& config);

// "file:line" when the key path (from the root of the loaded file, e.g.
// {"HLSConfig","LayerName","fc1"}) was seen by load()/parse() for that file, else "file"
// (or "config" when file is empty).
std::string where(const std::string& file, const std::vector<std::string>& key_path);

// "HLSConfig.LayerName.fc1.Precision" (dotted key path for messages).
std::string path_str(const std::vector<std::string>& key_path);

// The candidate nearest to `name` by edit distance (case-insensitive), or "" when none is
// close enough to be a plausible typo.
std::string nearest(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace tachyon::config
