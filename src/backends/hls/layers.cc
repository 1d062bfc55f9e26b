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
  switch (n.op) {
    case ir::Op::Dense: return emit_dense(b, n, name);
    case ir::Op::Conv: return emit_conv(b, n, name);
    case ir::Op::MaxPool:
    case ir::Op::AvgPool:
    case ir::Op::GlobalMaxPool:
    case ir::Op::GlobalAvgPool: return emit_pool(b, n, name);
    case ir::Op::TreeEnsemble: return emit_tree(b, n, name);
    case ir::Op::Relu:
    case ir::Op::LeakyRelu:
    case ir::Op::PRelu:
    case ir::Op::Elu:
    case ir::Op::Sigmoid:
    case ir::Op::HardSigmoid:
    case ir::Op::Tanh:
    case ir::Op::UnaryTable:
    case ir::Op::Clip:
    case ir::Op::Cast: return emit_activation(b, n, name);
    case ir::Op::Softmax: return emit_softmax(b, n, name);
    case ir::Op::BatchNorm:
    case ir::Op::Scale:
    case ir::Op::Add:
    case ir::Op::Sub:
    case ir::Op::Mul:
    case ir::Op::Concat: return emit_elementwise(b, n, name);
    case ir::Op::Reshape:
    case ir::Op::Transpose:
    case ir::Op::Pad:
    case ir::Op::Identity: return emit_layout(b, n, name);
    case ir::Op::Gemm:
    case ir::Op::MatMul:
    case ir::Op::BatchNormInference:
    case ir::Op::Dropout:
    case ir::Op::Quant:
    case ir::Op::BipolarQuant:
    case ir::Op::ElementQuant: return emit_element_quant(b, n, name);
    case ir::Op::Trunc:
      fail("{}frontend-level op: the pass pipeline must lower it before code generation", node_prefix(g, n));
  }
  fail("{}unknown op", node_prefix(g, n));
}

}  // namespace tachyon::backends::hls
