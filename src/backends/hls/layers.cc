// The layer dispatcher (one case per op) and the configuration-struct builder.
#include <fmt/format.h>

#include "backends/hls/hls_internal.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::hls {

ConfigStruct& ConfigStruct::u(const std::string& key, int64_t v) {
  if (v < 0) fail("internal error: negative value {} for '{}' in {}", v, key, name_);
  body_ += fmt::format("  static const unsigned {} = {};\n", key, v);
  return *this;
}
ConfigStruct& ConfigStruct::i(const std::string& key, int64_t v) {
  body_ += fmt::format("  static const int {} = {};\n", key, v);
  return *this;
}
ConfigStruct& ConfigStruct::b(const std::string& key, bool v) {
  body_ += fmt::format("  static const bool {} = {};\n", key, v ? "true" : "false");
  return *this;
}
ConfigStruct& ConfigStruct::e(const std::string& key, const std::string& enum_type, const std::string& v) {
  body_ += fmt::format("  static const tachyon_hls::{} {} = tachyon_hls::{};\n", enum_type, key, v);
  return *this;
}
ConfigStruct& ConfigStruct::t(const std::string& key, const std::string& type) {
  body_ += fmt::format("  typedef {} {};\n", type, key);
  return *this;
}
ConfigStruct& ConfigStruct::line(const std::string& text) {
  body_ += "  " + text + "\n";
  return *this;
}
ConfigStruct& ConfigStruct::common(const ir::Node& n) {
  u("reuse_factor", n.config.reuse_factor);
  return *this;
}
std::string ConfigStruct::str() const {
  return render("struct {{name}} : tachyon_hls::{{base}} {\n{{body}}};\n",
                {{"name", name_}, {"base", base_}, {"body", body_}}, "config struct");
}

int64_t elements(const ir::Graph& g, ir::ValueId v, const ir::Node& n) {
  int64_t e = ir::num_elements(g.value(v).shape);
  if (e <= 0) fail("{}value '{}' has shape {} with no elements", node_prefix(g, n), g.value(v).name, ir::shape_str(g.value(v).shape));
  return e;
}

LayerCode emit_layer(ProjectBuilder& b, ir::NodeId id) {
  const ir::Graph& g = b.graph();
  const ir::Node& n = g.node(id);
  const std::string& name = b.node_name(n);
  if (n.outputs.size() != 1 && n.op != ir::Op::TreeEnsemble)
    fail("{}expected one output, got {}", node_prefix(g, n), n.outputs.size());
  switch (ir::op_family(n.op)) {
    case ir::Family::Dense: return emit_dense(b, n, name);
    case ir::Family::Conv: return emit_conv(b, n, name);
    case ir::Family::Pool: return emit_pool(b, n, name);
    case ir::Family::Tree: return emit_tree(b, n, name);
    case ir::Family::Activation: return emit_activation(b, n, name);
    case ir::Family::Softmax: return emit_softmax(b, n, name);
    case ir::Family::Elementwise:
      switch (ir::family_op<ir::Family::Elementwise>(n.op)) {
        case ir::ElementwiseOp::Cast: return emit_activation(b, n, name);  // hls4ml's linear activation
        case ir::ElementwiseOp::BatchNorm:
        case ir::ElementwiseOp::Scale:
        case ir::ElementwiseOp::Add:
        case ir::ElementwiseOp::Sub:
        case ir::ElementwiseOp::Mul: return emit_elementwise(b, n, name);
      }
      break;
    case ir::Family::Layout:
      switch (ir::family_op<ir::Family::Layout>(n.op)) {
        case ir::LayoutOp::Concat: return emit_elementwise(b, n, name);  // one of hls4ml's merge layers
        case ir::LayoutOp::Reshape:
        case ir::LayoutOp::Transpose:
        case ir::LayoutOp::Pad:
        case ir::LayoutOp::Identity: return emit_layout(b, n, name);
      }
      break;
    case ir::Family::ElementQuant: return emit_element_quant(b, n, name);
    case ir::Family::Frontend:
      fail("{}frontend-level op: the pass pipeline must lower it before code generation", node_prefix(g, n));
  }
  fail("{}unknown op", node_prefix(g, n));
}

}  // namespace tachyon::backends::hls
