#include "tachyon/ir/graph.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "tachyon/ir/diagnostic.h"
#include "tachyon/support/error.h"

namespace tachyon::ir {

const char* to_string(Strategy s) {
  switch (s) {
    case Strategy::Latency: return "Latency";
    case Strategy::Resource: return "Resource";
  }
  return "?";
}

int TreeEnsembleData::max_depth() const {
  int best = 0;
  for (const Tree& t : trees) {
    // Iterative depth walk; guards against malformed (cyclic) trees by bounding steps.
    std::vector<std::pair<int32_t, int>> stack{{0, 0}};
    size_t steps = 0;
    while (!stack.empty() && steps++ <= t.nodes.size()) {
      auto [i, d] = stack.back();
      stack.pop_back();
      if (i < 0 || static_cast<size_t>(i) >= t.nodes.size()) continue;
      const TreeNode& n = t.nodes[static_cast<size_t>(i)];
      if (n.is_leaf()) {
        best = std::max(best, d);
      } else {
        stack.push_back({n.left, d + 1});
        stack.push_back({n.right, d + 1});
      }
    }
  }
  return best;
}

ValueId Graph::add_value(const std::string& n, Shape shape, std::optional<FixedType> type) {
  Value v;
  v.name = n;
  v.shape = std::move(shape);
  v.type = type;
  values_.push_back(std::move(v));
  return static_cast<ValueId>(values_.size() - 1);
}

ValueId Graph::add_constant(const std::string& n, Tensor t, std::optional<FixedType> type) {
  ValueId id = add_value(n, t.shape, type);
  values_.back().constant = std::make_shared<const Tensor>(std::move(t));
  return id;
}

NodeId Graph::add_node(Op op, const std::string& n, std::vector<ValueId> ins, std::vector<ValueId> outs) {
  Node node;
  node.op = op;
  node.name = n;
  node.inputs = std::move(ins);
  node.outputs = std::move(outs);
  auto id = static_cast<NodeId>(nodes_.size());
  for (ValueId o : node.outputs) value(o).producer = id;
  nodes_.push_back(std::move(node));
  return id;
}

std::vector<NodeId> Graph::node_ids() const {
  std::vector<NodeId> ids;
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (!nodes_[i].dead) ids.push_back(static_cast<NodeId>(i));
  return ids;
}

size_t Graph::num_live_nodes() const {
  return static_cast<size_t>(std::count_if(nodes_.begin(), nodes_.end(), [](const Node& n) { return !n.dead; }));
}

std::vector<NodeId> Graph::users(ValueId v) const {
  std::vector<NodeId> r;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    if (!n.dead && std::find(n.inputs.begin(), n.inputs.end(), v) != n.inputs.end()) r.push_back(static_cast<NodeId>(i));
  }
  return r;
}

bool Graph::is_graph_output(ValueId v) const {
  return std::any_of(outputs.begin(), outputs.end(), [&](const IoPort& p) { return p.value == v; });
}

std::optional<ValueId> Graph::find_value(const std::string& n) const {
  for (size_t i = 0; i < values_.size(); ++i)
    if (values_[i].name == n) return static_cast<ValueId>(i);
  return std::nullopt;
}

std::optional<NodeId> Graph::find_node(const std::string& n) const {
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (!nodes_[i].dead && (nodes_[i].name == n || nodes_[i].source_name == n)) return static_cast<NodeId>(i);
  return std::nullopt;
}

void Graph::replace_uses(ValueId from, ValueId to) {
  for (Node& n : nodes_)
    if (!n.dead) std::replace(n.inputs.begin(), n.inputs.end(), from, to);
  for (IoPort& p : outputs)
    if (p.value == from) p.value = to;
}

void Graph::sort() {
  const size_t nn = nodes_.size();
  std::vector<int> state(nn, 0);  // 0 new, 1 visiting, 2 done
  std::vector<NodeId> order;
  // Iterative DFS over producers, visiting nodes in their current order (stable).
  for (size_t start = 0; start < nn; ++start) {
    if (nodes_[start].dead || state[start] == 2) continue;
    std::vector<std::pair<NodeId, size_t>> stack{{static_cast<NodeId>(start), 0}};
    state[start] = 1;
    while (!stack.empty()) {
      auto& [id, next] = stack.back();
      const Node& n = nodes_[static_cast<size_t>(id)];
      if (next < n.inputs.size()) {
        ValueId in = n.inputs[next++];
        if (in < 0 || static_cast<size_t>(in) >= values_.size())
          fail("node '{}' ({}) reads value #{} that does not exist", n.name, op_name(n.op), in);
        NodeId p = values_[static_cast<size_t>(in)].producer;
        if (p == kNone || nodes_[static_cast<size_t>(p)].dead) continue;
        if (state[static_cast<size_t>(p)] == 1)
          node_fail(*this, n, "the graph has a cycle through this node");
        if (state[static_cast<size_t>(p)] == 0) {
          state[static_cast<size_t>(p)] = 1;
          stack.push_back({p, 0});
        }
      } else {
        state[static_cast<size_t>(id)] = 2;
        order.push_back(id);
        stack.pop_back();
      }
    }
  }
  // Rebuild nodes_ in that order and fix producers.
  std::vector<Node> sorted;
  sorted.reserve(order.size());
  for (NodeId id : order) sorted.push_back(std::move(nodes_[static_cast<size_t>(id)]));
  nodes_ = std::move(sorted);
  for (Value& v : values_) v.producer = kNone;
  for (size_t i = 0; i < nodes_.size(); ++i)
    for (ValueId o : nodes_[i].outputs) values_[static_cast<size_t>(o)].producer = static_cast<NodeId>(i);
}

void Graph::compact() {
  sort();  // drops dead nodes
  std::vector<char> used(values_.size(), 0);
  for (const Node& n : nodes_) {
    for (ValueId v : n.inputs) used[static_cast<size_t>(v)] = 1;
    for (ValueId v : n.outputs) used[static_cast<size_t>(v)] = 1;
  }
  for (const IoPort& p : inputs) used[static_cast<size_t>(p.value)] = 1;
  for (const IoPort& p : outputs) used[static_cast<size_t>(p.value)] = 1;
  std::vector<ValueId> remap(values_.size(), kNone);
  std::vector<Value> kept;
  for (size_t i = 0; i < values_.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<ValueId>(kept.size());
    kept.push_back(std::move(values_[i]));
  }
  values_ = std::move(kept);
  for (Node& n : nodes_) {
    for (ValueId& v : n.inputs) v = remap[static_cast<size_t>(v)];
    for (ValueId& v : n.outputs) v = remap[static_cast<size_t>(v)];
  }
  for (IoPort& p : inputs) p.value = remap[static_cast<size_t>(p.value)];
  for (IoPort& p : outputs) p.value = remap[static_cast<size_t>(p.value)];
}

std::string Graph::unique_value_name(const std::string& base) const {
  if (!find_value(base)) return base;
  for (int i = 1;; ++i) {
    std::string c = base + "_" + std::to_string(i);
    if (!find_value(c)) return c;
  }
}

std::string Graph::unique_node_name(const std::string& base) const {
  auto taken = [&](const std::string& c) {
    return std::any_of(nodes_.begin(), nodes_.end(), [&](const Node& n) { return !n.dead && n.name == c; });
  };
  if (!taken(base)) return base;
  for (int i = 1;; ++i) {
    std::string c = base + "_" + std::to_string(i);
    if (!taken(c)) return c;
  }
}

const Tensor& Graph::constant(ValueId v) const {
  const Value& val = value(v);
  if (!val.constant) fail("value '{}' is not a constant", val.name);
  return *val.constant;
}

const FixedType& Graph::type_of(ValueId v) const {
  const Value& val = value(v);
  if (!val.type) fail("value '{}' has no fixed-point type (run the precision passes first)", val.name);
  return *val.type;
}

std::string sanitize_identifier(const std::string& s) {
  std::string r;
  for (char c : s) r += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  size_t b = r.find_first_not_of('_');
  size_t e = r.find_last_not_of('_');
  r = (b == std::string::npos) ? std::string() : r.substr(b, e - b + 1);
  if (r.empty()) return "layer";
  if (std::isdigit(static_cast<unsigned char>(r[0]))) r = "layer" + r;
  return r;
}

int64_t num_multiplications(const Graph& g, NodeId id) {
  const Node& n = g.node(id);
  switch (op_family(n.op)) {
    case Family::Dense: {
      const Shape& w = g.value(n.inputs.at(1)).shape;
      const Shape& out = g.value(n.outputs.at(0)).shape;
      return num_elements(out) * (w.empty() ? 1 : w[0]);
    }
    case Family::Conv: {
      const Shape& w = g.value(n.inputs.at(1)).shape;  // (..., cin/g, cout)
      const Shape& out = g.value(n.outputs.at(0)).shape;
      int64_t per_output = num_elements(w) / (w.empty() ? 1 : w.back());
      return num_elements(out) * per_output;
    }
    case Family::Pool:
    case Family::Tree:
    case Family::Activation:
    case Family::Softmax:
    case Family::Elementwise:
    case Family::ElementQuant:
    case Family::Layout:
    case Family::Frontend: return 0;
  }
  return 0;  // not reached: every family is listed
}

}  // namespace tachyon::ir
