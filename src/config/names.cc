// LayerType names (hls4ml spellings and IR op names), edit-distance suggestions.
#include <algorithm>
#include <cctype>
#include <functional>

#include "config/internal.h"
#include "tachyon/config/config.h"
#include "tachyon/config/resolve.h"
#include "tachyon/ir/op_facts.h"
#include "tachyon/support/strings.h"

namespace tachyon::config {

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

using ir::Op;

bool is_pool(Op op) {
  return op == Op::MaxPool || op == Op::AvgPool || op == Op::GlobalMaxPool || op == Op::GlobalAvgPool;
}

struct Alias {
  std::string name;
  int level;  // higher = more specific
  std::function<bool(Op, int /*spatial rank*/)> match;
};

std::function<bool(Op, int)> op_is(Op o) {
  return [o](Op op, int) { return op == o; };
}
std::function<bool(Op, int)> op_rank(Op o, int r) {
  return [o, r](Op op, int rank) { return op == o && rank == r; };
}

const std::vector<Alias>& aliases() {
  static const std::vector<Alias> table = [] {
    std::vector<Alias> t;
    // Level 1: groups.
    t.push_back({"Activation", 1, [](Op op, int) { return ir::has_trait(op, ir::kActivation); }});
    t.push_back({"Merge", 1, [](Op op, int) { return ir::has_trait(op, ir::kMerge); }});
    t.push_back({"Pooling", 1, [](Op op, int) { return is_pool(op); }});
    // Level 2: pools by rank.
    for (int r = 1; r <= 2; ++r) {
      t.push_back({"Pooling" + std::to_string(r) + "D", 2,
                   [r](Op op, int rank) { return (op == Op::MaxPool || op == Op::AvgPool) && rank == r; }});
      t.push_back({"GlobalPooling" + std::to_string(r) + "D", 2, [r](Op op, int rank) {
                     return (op == Op::GlobalMaxPool || op == Op::GlobalAvgPool) && rank == r;
                   }});
    }
    // Level 3: IR op names (compared case-insensitively, so "ReLU", "LeakyReLU", "PReLU",
    // "ELU" and "TanH" are these too) and hls4ml synonyms.
    for (int i = 0; i < ir::kNumOps; ++i) {
      auto op = static_cast<Op>(i);
      if (ir::has_trait(op, ir::kFrontendOnly)) continue;
      t.push_back({std::string(ir::op_name(op)), 3, op_is(op)});
    }
    // ops.def: TACHYON_OP_LAYER_TYPE (level 3) and TACHYON_OP_RANKED_LAYER_TYPE (level 4).
    for (const ir::LayerTypeKey& k : ir::op_layer_type_keys())
      if (!k.ranked) t.push_back({k.key, 3, op_is(k.op)});
    for (int r = 1; r <= 2; ++r)
      for (const ir::LayerTypeKey& k : ir::op_layer_type_keys())
        if (k.ranked) t.push_back({k.key + std::to_string(r) + "D", 4, op_rank(k.op, r)});
    return t;
  }();
  return table;
}

}  // namespace

std::string nearest(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = static_cast<size_t>(-1);
  const std::string ln = to_lower(name);
  for (const std::string& c : candidates) {
    size_t d = edit_distance(ln, to_lower(c));
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  size_t limit = std::max<size_t>(2, name.size() / 3);
  return best_d <= limit ? best : std::string();
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  std::string n = nearest(name, candidates);
  return n.empty() ? std::string() : "; did you mean '" + n + "'?";
}

bool is_input_type_key(const std::string& key) {
  std::string k = to_lower(key);
  return k == "input" || k == "inputlayer";
}

int spatial_rank(const ir::Graph& g, const ir::Node& n) {
  if (n.inputs.empty()) return 0;
  return static_cast<int>(g.value(n.inputs[0]).shape.size()) - 1;
}

int layer_type_level(const std::string& key, const ir::Graph& g, const ir::Node& n) {
  const std::string k = to_lower(key);
  const int rank = spatial_rank(g, n);
  int best = 0;
  for (const Alias& a : aliases())
    if (to_lower(a.name) == k && a.match(n.op, rank)) best = std::max(best, a.level);
  return best;
}

bool is_known_layer_type(const std::string& key) {
  if (is_input_type_key(key)) return true;
  const std::string k = to_lower(key);
  return std::any_of(aliases().begin(), aliases().end(), [&](const Alias& a) { return to_lower(a.name) == k; });
}

std::vector<std::string> layer_type_keys() {
  std::vector<std::string> keys{"Input"};
  for (const Alias& a : aliases())
    if (std::find(keys.begin(), keys.end(), a.name) == keys.end()) keys.push_back(a.name);
  return keys;
}

std::string layer_type_name(const ir::Graph& g, const ir::Node& n) {
  return ir::hls4ml_class(n.op, spatial_rank(g, n));  // ops.def: TACHYON_OP_HLS4ML
}

}  // namespace tachyon::config
