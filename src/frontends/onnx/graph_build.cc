// The importer's driver: opsets, initializers, structure (topological order, missing inputs,
// cycles), graph inputs and their layout, node dispatch, graph outputs.
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <queue>
#include <set>

#include "frontends/onnx/importer.h"
#include "tachyon/ir/verifier.h"

namespace tachyon::frontends::onnx_import {

namespace {

bool is_std_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }
bool is_qonnx_domain(const std::string& d) {
  return d == "qonnx.custom_op.general" || d == "finn.custom_op.general" || d == "onnx.brevitas";
}
bool is_channels_last_domain(const std::string& d) {
  return d == "qonnx.custom_op.channels_last" || d == "finn.custom_op.channels_last";
}

// QONNX registers its channels-last ops also as "<op>_v<version>" (e.g. Conv_v1).
std::string strip_version_suffix(const std::string& op) {
  const auto pos = op.rfind("_v");
  if (pos == std::string::npos || pos + 2 >= op.size()) return op;
  for (size_t i = pos + 2; i < op.size(); ++i)
    if (op[i] < '0' || op[i] > '9') return op;
  return op.substr(0, pos);
}

struct OpTable {
  std::vector<OpDef> defs;
  std::unordered_map<std::string, const OpDef*> by_key;
  OpTable() {
    add_nn_ops(defs);
    add_tensor_ops(defs);
    add_quant_ops(defs);
    add_fold_ops(defs);
    add_compat_ops(defs);
    add_channels_last_ops(defs);
    for (const OpDef& d : defs) by_key[std::string(d.channels_last ? "c:" : (d.qonnx ? "q:" : "s:")) + d.op_type] = &d;
  }
};

const OpTable& op_table() {
  static const OpTable table;
  return table;
}

const OpDef* find_op(const std::string& domain, const std::string& op) {
  std::string key;
  if (is_std_domain(domain)) key = "s:" + op;
  else if (is_qonnx_domain(domain)) key = "q:" + op;
  else if (is_channels_last_domain(domain)) key = "c:" + strip_version_suffix(op);
  else return nullptr;
  auto it = op_table().by_key.find(key);
  return it == op_table().by_key.end() ? nullptr : it->second;
}

std::string file_stem(const std::string& path) {
  std::string s = path.substr(path.find_last_of("/\\") + 1);
  if (auto dot = s.rfind('.'); dot != std::string::npos && dot > 0) s = s.substr(0, dot);
  return s;
}

std::string node_desc(const onnx::NodeProto& n) {
  if (!n.name().empty()) return n.name();
  for (const auto& o : n.output())
    if (!o.empty()) return o;
  return n.op_type();
}

}  // namespace

const OpDef* find_std_op(const std::string& op_type) { return find_op("", op_type); }

Importer::Importer(onnx::ModelProto& m, std::string f) : model(m), file(std::move(f)), diag(file) {}

namespace {
// base, base_1, base_2, ... (as Graph::unique_*_name); the counter keeps it linear.
std::string unique_in(std::unordered_set<std::string>& taken, std::unordered_map<std::string, int>& next,
                      const std::string& raw, const char* kind) {
  const std::string b = ir::sanitize_identifier(raw);
  std::string c = b;
  int& i = next[std::string(kind) + b];
  while (taken.count(c)) c = b + "_" + std::to_string(++i);
  taken.insert(c);
  return c;
}
}  // namespace

std::string Importer::unique_value(const std::string& base) { return unique_in(value_names_, next_suffix_, base, "v:"); }

std::string Importer::unique_node(const std::string& base) { return unique_in(node_names_, next_suffix_, base, "n:"); }

void Importer::charge(int64_t elements) {
  derived_elements_ += elements;
  const int64_t budget = kMaxFoldElements + kDerivedPerFileElement * file_const_elements_;
  if (derived_elements_ > budget)
    throw Error(fmt::format("the constants created while importing exceed {} elements", budget));
}

void Importer::charge_file(int64_t elements) {
  file_const_elements_ += elements;
  if (file_const_elements_ > kMaxTotalConstElements)
    throw Error(fmt::format("the model holds more than {} constant elements", kMaxTotalConstElements));
}

ir::ValueId Importer::add_value(const std::string& base, const ir::Shape& s) { return g.add_value(unique_value(base), s); }

ir::ValueId Importer::add_constant(const std::string& base, ir::Tensor t) {
  return g.add_constant(unique_value(base), std::move(t));
}

ir::NodeId Importer::add_node(ir::Op op, const std::string& base, std::vector<ir::ValueId> ins,
                              std::vector<ir::ValueId> outs, const std::string& source_name,
                              const std::string& source_op, ir::Attrs attrs) {
  ir::NodeId id = g.add_node(op, unique_node(base), std::move(ins), std::move(outs));
  ir::Node& node = g.node(id);
  node.source_name = source_name;
  node.source_op = source_op;
  node.attrs = std::move(attrs);
  return id;
}

void Importer::check_opsets() {
  int64_t found = 0;
  for (const auto& o : model.opset_import()) {
    if (!is_std_domain(o.domain())) continue;
    if (found) throw Error(Diagnostic{file, "", "", "the model imports the default ONNX domain twice"});
    found = o.version();
  }
  if (!found)
    throw Error(Diagnostic{file, "", "", "the model has no opset_import for the default ONNX domain"});
  if (found < kMinOpset || found > kMaxOpset)
    throw Error(Diagnostic{file, "", "",
                           fmt::format("opset {} is not supported (supported: {} to {}); convert the model with "
                                       "onnx.version_converter",
                                       found, kMinOpset, kMaxOpset)});
  opset = found;
}

void Importer::load_initializers() {
  const auto& gr = model.graph();
  if (gr.sparse_initializer_size() > 0) diag.error("", "", "sparse initializers are not supported");
  if (gr.initializer_size() > kMaxNodes) throw Error(Diagnostic{file, "", "", "too many initializers"});
  for (const auto& tp : gr.initializer()) {
    if (tp.name().empty()) {
      diag.error("", "", "an initializer has no name");
      continue;
    }
    if (env.count(tp.name())) {
      diag.error("", "", fmt::format("initializer '{}' is defined twice", tp.name()));
      continue;
    }
    std::string err;
    auto c = tensor_from_proto(tp, &err);
    if (c && file_const_elements_ + c->t.size() > kMaxTotalConstElements) {
      c.reset();
      err = fmt::format("exceeds the limit of {} constant elements in one model", kMaxTotalConstElements);
    }
    if (c) charge_file(c->t.size());
    Entry e;
    e.name = tp.name();
    if (!c) {
      diag.error("", "", fmt::format("initializer '{}' {}", tp.name(), err));
      e.kind = Kind::Bad;
    } else {
      e.kind = Kind::Const;
      e.shape = c->t.shape;
      e.c = std::make_shared<const ConstVal>(std::move(*c));
    }
    env[tp.name()] = std::move(e);
  }
}

// Kahn's algorithm (stable: smallest file index first); reports missing inputs, duplicate
// producers and cycles, then throws if the structure is broken.
std::vector<int> Importer::sort_nodes() {
  const auto& gr = model.graph();
  const int n = gr.node_size();
  if (n > kMaxNodes) throw Error(Diagnostic{file, "", "", fmt::format("the graph has {} nodes, more than {}", n, kMaxNodes)});
  if (n == 0) diag.error("", "", "the graph has no nodes");
  std::unordered_set<std::string> inputs;
  for (const auto& vi : gr.input()) {
    if (vi.name().empty()) diag.error("", "", "a graph input has no name");
    else if (!inputs.insert(vi.name()).second) diag.error("", "", fmt::format("graph input '{}' is listed twice", vi.name()));
  }
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < n; ++i) {
    const auto& node = gr.node(i);
    for (const auto& o : node.output()) {
      if (o.empty()) continue;
      if (auto it = producer.find(o); it != producer.end())
        diag.error(node_desc(node), node.op_type(),
                   fmt::format("value '{}' is also produced by node '{}'", o, node_desc(gr.node(it->second))));
      else if (inputs.count(o) || env.count(o))
        diag.error(node_desc(node), node.op_type(), fmt::format("output '{}' has the name of a graph input or initializer", o));
      else
        producer[o] = i;
    }
  }
  std::vector<std::vector<int>> succ(static_cast<size_t>(n));
  std::vector<int> indeg(static_cast<size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    const auto& node = gr.node(i);
    for (const auto& in : node.input()) {
      if (in.empty()) continue;
      if (auto it = producer.find(in); it != producer.end()) {
        succ[static_cast<size_t>(it->second)].push_back(i);
        ++indeg[static_cast<size_t>(i)];
      } else if (!inputs.count(in) && !env.count(in)) {
        diag.error(node_desc(node), node.op_type(),
                   fmt::format("input '{}' of node '{}' ({}) is neither a graph input, an initializer nor produced by a node",
                               in, node_desc(node), node.op_type()));
      }
    }
  }
  for (const auto& vi : gr.output())
    if (!producer.count(vi.name()) && !inputs.count(vi.name()) && !env.count(vi.name()))
      diag.error("", "", fmt::format("graph output '{}' is not produced by any node", vi.name()));
  if (gr.output_size() == 0) diag.error("", "", "the graph has no outputs");
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i)
    if (indeg[static_cast<size_t>(i)] == 0) ready.push(i);
  std::vector<int> order;
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int s : succ[static_cast<size_t>(i)])
      if (--indeg[static_cast<size_t>(s)] == 0) ready.push(s);
  }
  if (static_cast<int>(order.size()) != n) {
    // Walk backwards through unsorted producers until a node repeats: it lies on a cycle.
    std::vector<char> seen(static_cast<size_t>(n), 0);
    int cur = 0;
    while (indeg[static_cast<size_t>(cur)] == 0) ++cur;
    for (int steps = 0; steps <= n && !seen[static_cast<size_t>(cur)]; ++steps) {
      seen[static_cast<size_t>(cur)] = 1;
      int next = -1;
      for (const auto& in : gr.node(cur).input()) {
        auto it = producer.find(in);
        if (!in.empty() && it != producer.end() && indeg[static_cast<size_t>(it->second)] > 0) {
          next = it->second;
          break;
        }
      }
      if (next < 0) break;
      cur = next;
    }
    diag.error(node_desc(gr.node(cur)), gr.node(cur).op_type(), "the graph has a cycle through this node");
  }
  diag.throw_if_any();
  return order;
}

// Values that feed (through layout-neutral ops) an op that wants channels-last data: one
// backwards pass over the sorted nodes.
std::unordered_set<std::string> Importer::channels_last_values(const std::vector<int>& order) const {
  static const std::set<std::string> neutral = {
      "Relu", "LeakyRelu", "PRelu", "Elu", "Sigmoid", "HardSigmoid", "Tanh", "Clip", "Add", "Sub", "Mul", "Div",
      "Identity", "Dropout", "Quant", "IntQuant", "BipolarQuant", "Trunc", "QuantizeLinear", "DequantizeLinear",
      "Pad", "Concat", "Cast", "Selu", "HardSwish", "Softplus", "Softsign", "ThresholdedRelu", "Neg", "Abs",
      "Max", "Min", "Sum", "Mean", "Pow", "Resize", "Upsample", "Erf", "Sqrt", "Exp", "Log", "Reciprocal"};
  static const std::set<std::string> merges = {"Add", "Sub", "Mul", "Concat", "Max", "Min", "Sum", "Mean"};
  static const std::set<std::string> spatial = {"Conv", "MaxPool", "AveragePool", "GlobalAveragePool",
                                                "GlobalMaxPool", "BatchNormalization", "ReduceMean", "ReduceMax", "ReduceSum"};
  const auto& gr = model.graph();
  std::unordered_set<std::string> wants;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const auto& node = gr.node(*it);
    if (!is_std_domain(node.domain()) && !is_qonnx_domain(node.domain())) continue;  // channels-last ops take NHWC
    const bool is_spatial = spatial.count(node.op_type()) > 0;
    bool pass = false;
    if (!is_spatial && neutral.count(node.op_type()))
      for (const auto& o : node.output()) pass = pass || wants.count(o) > 0;
    if (!is_spatial && !pass) continue;
    for (int k = 0; k < node.input_size(); ++k)
      if (k == 0 || (!is_spatial && merges.count(node.op_type()))) wants.insert(node.input(k));
  }
  return wants;
}

void Importer::create_inputs(const std::vector<int>& order) {
  const auto& gr = model.graph();
  const auto wants_cl = channels_last_values(order);
  for (const auto& vi : gr.input()) {
    const std::string& name = vi.name();
    if (name.empty() || env.count(name)) continue;  // initializers listed as inputs (old exporters)
    auto bad = [&](const std::string& msg) {
      diag.error("", "", fmt::format("graph input '{}' {}", name, msg));
      env[name] = Entry{Kind::Bad, name, ir::kNone, {}, {}, nullptr, nullptr, nullptr, ""};
    };
    if (!vi.type().has_tensor_type()) {
      bad("is not a tensor");
      continue;
    }
    const auto& tt = vi.type().tensor_type();
    const int32_t et = tt.elem_type();
    if (et != onnx::TensorProto::FLOAT && et != onnx::TensorProto::DOUBLE && et != onnx::TensorProto::FLOAT16) {
      bad(fmt::format("has dtype {}; only floating-point inputs are supported", dtype_name(et)));
      continue;
    }
    if (!tt.has_shape()) {
      bad("has no shape");
      continue;
    }
    const auto& dims = tt.shape().dim();
    if (dims.size() < 2) {
      bad(fmt::format("has rank {}; expected a batch dimension followed by the sample's dimensions", dims.size()));
      continue;
    }
    if (dims.size() > kMaxRank + 1) {
      bad(fmt::format("has rank {}, more than {}", dims.size(), kMaxRank + 1));
      continue;
    }
    if (dims[0].has_dim_value() && !static_batch) static_batch = dims[0].dim_value();
    ir::Shape S;
    std::string problem;
    for (int i = 1; i < dims.size() && problem.empty(); ++i) {
      if (dims[i].has_dim_value() && dims[i].dim_value() > 0) S.push_back(dims[i].dim_value());
      else if (dims[i].has_dim_param())
        problem = fmt::format("has a symbolic dimension {} ('{}'); only the batch dimension may be symbolic", i,
                              dims[i].dim_param());
      else
        problem = fmt::format("has dimension {} = {}", i, dims[i].has_dim_value() ? dims[i].dim_value() : 0);
    }
    if (problem.empty() && checked_numel(S, kMaxDataElements) < 0)
      problem = fmt::format("has shape {}, more than {} elements per sample", shape_string(S), kMaxDataElements);
    if (!problem.empty()) {
      bad(problem);
      continue;
    }
    std::vector<int64_t> P;
    if ((S.size() == 2 || S.size() == 3) && wants_cl.count(name)) P = channels_last_perm(S.size());
    ir::ValueId id = add_value(name, P.empty() ? S : ir::permute_shape(S, P));
    g.inputs.push_back(ir::IoPort{id, name, S, P});
    Entry e;
    e.kind = Kind::Data;
    e.name = name;
    e.id = id;
    e.shape = S;
    e.layout = normalize(Layout{S, P});
    env[name] = std::move(e);
  }
  if (g.inputs.empty() && diag.empty()) diag.error("", "", "the model has no graph input (other than initializers)");
}

void Importer::import_node(const onnx::NodeProto& n) {
  NodeCtx cx(*this, n, opset);
  const OpDef* def = find_op(n.domain(), n.op_type());
  if (!def) {
    if (is_std_domain(n.domain()) || is_qonnx_domain(n.domain()) || is_channels_last_domain(n.domain()))
      cx.error(fmt::format("unsupported op '{}'", n.op_type()));
    else
      cx.error(fmt::format("unsupported op '{}' from domain '{}'", n.op_type(), n.domain()));
  } else {
    for (const auto& a : n.attribute()) {
      bool known = false;
      for (const char* k : def->attrs) known = known || a.name() == k;
      if (!known) cx.error(fmt::format("unsupported attribute '{}'", a.name()));
    }
    if (!cx.failed && def->check) def->check(cx);
    for (int k = 0; k < def->min_inputs; ++k)
      if (!cx.has_input(k)) cx.error(fmt::format("input {} is missing (expected at least {} inputs)", k, def->min_inputs));
    bool inputs_ok = true, all_const = n.input_size() > 0;
    for (int k = 0; k < n.input_size(); ++k) {
      if (!cx.has_input(k)) continue;
      const Entry* e = cx.in(k);
      if (!e || e->kind == Kind::Bad) {
        inputs_ok = false;
        if (e && !e->why.empty()) cx.error(fmt::format("input '{}': {}", e->name, e->why));
        continue;
      }
      if (e->kind == Kind::PendingQ && n.op_type() != "DequantizeLinear") {
        cx.error(fmt::format("input '{}' comes from QuantizeLinear '{}'; only QuantizeLinear -> DequantizeLinear "
                             "pairs are supported",
                             e->name, e->pq->node_name));
        inputs_ok = false;
      }
      all_const = all_const && e->kind == Kind::Const;
    }
    if (!inputs_ok) cx.failed = true;
    if (!cx.failed) {
      try {
        if (all_const && !def->qonnx && !def->channels_last && fold_supported(n.op_type())) fold_node(cx);
        else def->run(cx);
      } catch (const Error& ex) {
        cx.error(ex.what());
      } catch (const std::exception& ex) {
        cx.error(fmt::format("internal error: {}", ex.what()));
      }
    }
  }
  for (int k = 0; k < n.output_size(); ++k) {
    const std::string& o = n.output(k);
    if (o.empty() || (!cx.failed && env.count(o))) continue;
    Entry e;
    e.kind = Kind::Bad;
    e.name = o;
    if (!cx.failed) e.why = fmt::format("output {} of node '{}' ({}) is not supported", k, cx.label, n.op_type());
    env[o] = std::move(e);
  }
}

void Importer::create_outputs() {
  onnx::NodeProto out_node;
  for (const auto& vi : model.graph().output()) {
    const std::string& name = vi.name();
    auto it = env.find(name);
    if (it == env.end()) continue;  // reported by sort_nodes
    const Entry& e = it->second;
    if (e.kind == Kind::Bad) {
      if (!e.why.empty()) diag.error("", "", fmt::format("graph output '{}': {}", name, e.why));
      continue;
    }
    if (e.kind != Kind::Data) {
      diag.error("", "", fmt::format("graph output '{}' is a constant; constant outputs are not supported", name));
      continue;
    }
    out_node.set_name(name);
    NodeCtx cx(*this, out_node, opset);
    try {
      std::vector<int64_t> P;
      ir::ValueId v = e.id;
      if (auto ap = axis_perm(e)) {
        P = *ap;
      } else {
        if (e.shape.size() >= 2 && same_layout(e.layout, Layout{e.shape, channels_last_perm(e.shape.size())}))
          P = channels_last_perm(e.shape.size());
        else
          P = iota_perm(e.shape.size());
        v = convert(cx, e, P);
      }
      if (P == iota_perm(P.size())) P.clear();
      g.outputs.push_back(ir::IoPort{v, name, e.shape, P});
    } catch (const Error& ex) {
      diag.error("", "", fmt::format("graph output '{}': {}", name, ex.what()));
    }
  }
}

ir::Graph Importer::run() {
  check_opsets();
  const auto& gr = model.graph();
  g.name = ir::sanitize_identifier(file_stem(file).empty() ? gr.name() : file_stem(file));
  g.source_file = file;
  load_initializers();
  std::vector<int> order = sort_nodes();
  create_inputs(order);  // bad inputs are reported and poisoned; the nodes are still checked
  for (int i : order) import_node(gr.node(i));
  create_outputs();
  diag.throw_if_any();
  cross_check_shapes();
  diag.throw_if_any();
  g.sort();
  ir::verify(g);
  return std::move(g);
}

}  // namespace tachyon::frontends::onnx_import
