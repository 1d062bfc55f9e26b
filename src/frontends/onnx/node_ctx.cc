// NodeCtx: attribute access with diagnostics, inputs, outputs and IR emission for one node.
#include <fmt/format.h>

#include "frontends/onnx/importer.h"

namespace tachyon::frontends::onnx_import {

namespace {
const char* attr_type_name(int t) {
  switch (t) {
    case onnx::AttributeProto::FLOAT: return "FLOAT";
    case onnx::AttributeProto::INT: return "INT";
    case onnx::AttributeProto::STRING: return "STRING";
    case onnx::AttributeProto::TENSOR: return "TENSOR";
    case onnx::AttributeProto::GRAPH: return "GRAPH";
    case onnx::AttributeProto::FLOATS: return "FLOATS";
    case onnx::AttributeProto::INTS: return "INTS";
    case onnx::AttributeProto::STRINGS: return "STRINGS";
    case onnx::AttributeProto::TENSORS: return "TENSORS";
    case onnx::AttributeProto::GRAPHS: return "GRAPHS";
    case onnx::AttributeProto::SPARSE_TENSOR: return "SPARSE_TENSOR";
    default: return "UNDEFINED";
  }
}

std::string node_label(const onnx::NodeProto& n) {
  if (!n.name().empty()) return n.name();
  for (const auto& o : n.output())
    if (!o.empty()) return o;
  return n.op_type();
}
}  // namespace

NodeCtx::NodeCtx(Importer& imp, const onnx::NodeProto& node, int64_t op_set)
    : im(imp), n(node), opset(op_set), label(node_label(node)) {}

void NodeCtx::error(const std::string& msg) {
  im.diag.error(label, n.op_type(), msg);
  failed = true;
}

const onnx::AttributeProto* NodeCtx::attr(const char* name) const {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

namespace {
bool type_ok(NodeCtx& cx, const onnx::AttributeProto& a, int want, int also = -1) {
  int t = a.type();
  if (t == onnx::AttributeProto::UNDEFINED) {  // old files: infer from the field that is set
    if (a.has_i()) t = onnx::AttributeProto::INT;
    else if (a.has_f()) t = onnx::AttributeProto::FLOAT;
    else if (a.has_s()) t = onnx::AttributeProto::STRING;
    else if (a.ints_size()) t = onnx::AttributeProto::INTS;
    else if (a.floats_size()) t = onnx::AttributeProto::FLOATS;
  }
  if (t == want || t == also) return true;
  cx.error(fmt::format("attribute '{}' has type {}, expected {}", a.name(), attr_type_name(t), attr_type_name(want)));
  return false;
}
}  // namespace

int64_t NodeCtx::i(const char* name, int64_t def) {
  const auto* a = attr(name);
  if (!a || !type_ok(*this, *a, onnx::AttributeProto::INT)) return def;
  return a->i();
}

double NodeCtx::f(const char* name, double def) {
  const auto* a = attr(name);
  if (!a || !type_ok(*this, *a, onnx::AttributeProto::FLOAT, onnx::AttributeProto::INT)) return def;
  return a->has_f() || a->type() == onnx::AttributeProto::FLOAT ? static_cast<double>(a->f()) : static_cast<double>(a->i());
}

std::string NodeCtx::s(const char* name, const std::string& def) {
  const auto* a = attr(name);
  if (!a || !type_ok(*this, *a, onnx::AttributeProto::STRING)) return def;
  return a->s();
}

std::vector<int64_t> NodeCtx::ints(const char* name, std::vector<int64_t> def) {
  const auto* a = attr(name);
  if (!a || !type_ok(*this, *a, onnx::AttributeProto::INTS)) return def;
  if (a->ints_size() > 4096) {
    error(fmt::format("attribute '{}' has {} values", name, a->ints_size()));
    return def;
  }
  return {a->ints().begin(), a->ints().end()};
}

std::vector<double> NodeCtx::floats(const char* name, std::vector<double> def) {
  const auto* a = attr(name);
  if (!a || !type_ok(*this, *a, onnx::AttributeProto::FLOATS)) return def;
  if (a->floats_size() > 4096) {
    error(fmt::format("attribute '{}' has {} values", name, a->floats_size()));
    return def;
  }
  return {a->floats().begin(), a->floats().end()};
}

const Entry* NodeCtx::in(int k) const {
  if (!has_input(k)) return nullptr;
  auto it = im.env.find(n.input(k));
  return it == im.env.end() ? nullptr : &it->second;
}

const Entry* NodeCtx::data(int k) {
  const Entry* e = in(k);
  if (!e) {
    error(fmt::format("input {} is missing", k));
    return nullptr;
  }
  if (e->kind == Kind::Data) return e;
  error(fmt::format("input '{}' is a constant; {} of a constant{} is not supported", e->name, n.op_type(),
                    e->kind == Kind::QConst ? " quantizer" : ""));
  return nullptr;
}

const ConstVal* NodeCtx::constant(int k, const char* what) {
  const Entry* e = in(k);
  if (e && e->kind == Kind::Const) return e->c.get();
  if (!e)
    error(fmt::format("input {} ({}) is missing", k, what));
  else
    error(fmt::format("input '{}' ({}) must be a constant", e->name, what));
  return nullptr;
}

bool NodeCtx::const_like(int k) const {
  const Entry* e = in(k);
  return e && (e->kind == Kind::Const || e->kind == Kind::QConst);
}

std::optional<std::vector<int64_t>> NodeCtx::int_list_input(int k, const char* what) {
  const ConstVal* c = constant(k, what);
  if (!c) return std::nullopt;
  std::vector<int64_t> v;
  std::string err;
  if (c->t.size() > 4096 || !to_int_list(*c, &v, &err)) {
    error(fmt::format("input '{}' ({}) {}", n.input(k), what, c->t.size() > 4096 ? "is too long" : err));
    return std::nullopt;
  }
  return v;
}

void NodeCtx::set(int k, Entry e) {
  if (k >= n.output_size() || n.output(k).empty()) return;
  e.name = n.output(k);
  im.env[e.name] = std::move(e);
}

void NodeCtx::set_data(int k, ir::ValueId id, ir::Shape onnx_shape, Layout layout) {
  Entry e;
  e.kind = Kind::Data;
  e.id = id;
  e.shape = std::move(onnx_shape);
  e.layout = normalize(layout);
  set(k, std::move(e));
}

void NodeCtx::set_file_const(int k, ConstVal c) {
  im.charge_file(c.t.size());
  Entry e;
  e.kind = Kind::Const;
  e.shape = c.t.shape;
  e.c = std::make_shared<const ConstVal>(std::move(c));
  set(k, std::move(e));
}

void NodeCtx::set_const(int k, ConstVal c) {
  im.charge(c.t.size());
  Entry e;
  e.kind = Kind::Const;
  e.shape = c.t.shape;
  e.c = std::make_shared<const ConstVal>(std::move(c));
  set(k, std::move(e));
}

ir::ValueId NodeCtx::emit(ir::Op op, std::vector<ir::ValueId> ins, const ir::Shape& ir_shape, ir::Attrs attrs,
                          const std::string& suffix, int out) {
  for (int64_t d : ir_shape)
    if (d <= 0) throw Error(fmt::format("the result would have shape {}", shape_string(ir_shape)));
  if (checked_numel(ir_shape, kMaxDataElements) < 0)
    throw Error(fmt::format("the result of shape {} has more than {} elements", shape_string(ir_shape), kMaxDataElements));
  if (ir_shape.size() > static_cast<size_t>(kMaxRank))
    throw Error(fmt::format("the result has rank {}, more than {}", ir_shape.size(), kMaxRank));
  const std::string base = suffix.empty() ? label : label + suffix;
  const bool named = suffix.empty() && out < n.output_size() && !n.output(out).empty();
  ir::ValueId v = im.add_value(named ? n.output(out) : base, ir_shape);
  im.add_node(op, base, std::move(ins), {v}, n.name().empty() ? label : n.name(), n.op_type(), std::move(attrs));
  return v;
}

int64_t NodeCtx::sample_axis(int64_t axis, size_t r, const char* what) {
  const auto R = static_cast<int64_t>(r) + 1;
  if (axis < -R || axis >= R) {
    error(fmt::format("{} {} is out of range for a tensor of rank {}", what, axis, R));
    return -1;
  }
  if (axis < 0) axis += R;
  if (axis == 0) {
    error(fmt::format("{} 0 is the batch axis; operations across the batch are not supported", what));
    return -1;
  }
  return axis - 1;
}

}  // namespace tachyon::frontends::onnx_import
