// LayerType names (hls4ml spellings and IR op names), edit-distance suggestions.
#include <algorithm>
#include <cctype>
#include <functional>

#include "config/internal.h"
#include "tachyon/config/config.h"
#include "tachyon/config/resolve.h"

namespace tachyon::config {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

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
    t.push_back({"BatchNormalization", 3, op_is(Op::BatchNorm)});
    t.push_back({"Subtract", 3, op_is(Op::Sub)});
    t.push_back({"Multiply", 3, op_is(Op::Mul)});
    t.push_back({"Concatenate", 3, op_is(Op::Concat)});
    t.push_back({"Flatten", 3, op_is(Op::Reshape)});
    t.push_back({"Permute", 3, op_is(Op::Transpose)});
    t.push_back({"HardActivation", 3, op_is(Op::HardSigmoid)});
    t.push_back({"Linear", 3, op_is(Op::Cast)});
    t.push_back({"FixedPointQuantizer", 3, op_is(Op::ElementQuant)});
    // Level 4: rank-specific hls4ml layer classes.
    for (int r = 1; r <= 2; ++r) {
      std::string d = std::to_string(r) + "D";
      t.push_back({"Conv" + d, 4, op_rank(Op::Conv, r)});
      t.push_back({"MaxPooling" + d, 4, op_rank(Op::MaxPool, r)});
      t.push_back({"AveragePooling" + d, 4, op_rank(Op::AvgPool, r)});
      t.push_back({"GlobalMaxPooling" + d, 4, op_rank(Op::GlobalMaxPool, r)});
      t.push_back({"GlobalAveragePooling" + d, 4, op_rank(Op::GlobalAvgPool, r)});
      t.push_back({"ZeroPadding" + d, 4, op_rank(Op::Pad, r)});
    }
    return t;
  }();
  return table;
}

}  // namespace

std::string nearest(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = static_cast<size_t>(-1);
  const std::string ln = lower(name);
  for (const std::string& c : candidates) {
    size_t d = edit_distance(ln, lower(c));
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
  std::string k = lower(key);
  return k == "input" || k == "inputlayer";
}

int spatial_rank(const ir::Graph& g, const ir::Node& n) {
  if (n.inputs.empty()) return 0;
  return static_cast<int>(g.value(n.inputs[0]).shape.size()) - 1;
}

int layer_type_level(const std::string& key, const ir::Graph& g, const ir::Node& n) {
  const std::string k = lower(key);
  const int rank = spatial_rank(g, n);
  int best = 0;
  for (const Alias& a : aliases())
    if (lower(a.name) == k && a.match(n.op, rank)) best = std::max(best, a.level);
  return best;
}

bool is_known_layer_type(const std::string& key) {
  if (is_input_type_key(key)) return true;
  const std::string k = lower(key);
  return std::any_of(aliases().begin(), aliases().end(), [&](const Alias& a) { return lower(a.name) == k; });
}

std::vector<std::string> layer_type_keys() {
  std::vector<std::string> keys{"Input"};
  for (const Alias& a : aliases())
    if (std::find(keys.begin(), keys.end(), a.name) == keys.end()) keys.push_back(a.name);
  return keys;
}

std::string layer_type_name(const ir::Graph& g, const ir::Node& n) {
  const int rank = spatial_rank(g, n);
  const std::string d = (rank == 1 || rank == 2) ? std::to_string(rank) + "D" : std::string();
  switch (n.op) {
    case Op::Conv: return d.empty() ? "Conv" : "Conv" + d;
    case Op::BatchNorm: return "BatchNormalization";
    case Op::MaxPool: return d.empty() ? "MaxPool" : "MaxPooling" + d;
    case Op::AvgPool: return d.empty() ? "AvgPool" : "AveragePooling" + d;
    case Op::GlobalMaxPool: return d.empty() ? "GlobalMaxPool" : "GlobalMaxPooling" + d;
    case Op::GlobalAvgPool: return d.empty() ? "GlobalAvgPool" : "GlobalAveragePooling" + d;
    case Op::Relu: return "ReLU";
    case Op::LeakyRelu: return "LeakyReLU";
    case Op::PRelu: return "PReLU";
    case Op::Elu: return "ELU";
    case Op::Tanh: return "TanH";
    case Op::Sub: return "Subtract";
    case Op::Mul: return "Multiply";
    case Op::Concat: return "Concatenate";
    case Op::ElementQuant: return "FixedPointQuantizer";
    default: return std::string(ir::op_name(n.op));
  }
}

}  // namespace tachyon::config
