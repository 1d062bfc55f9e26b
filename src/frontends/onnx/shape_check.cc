// Cross-check with ONNX's own shape inference: every shape it infers for an activation must
// equal the importer's (a guard against importer bugs and inconsistent files).
#include <fmt/format.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include "frontends/onnx/importer.h"

namespace tachyon::frontends::onnx_import {

namespace {
std::string dims_string(const onnx::TensorShapeProto& s) {
  std::string r = "[";
  for (int i = 0; i < s.dim_size(); ++i) {
    if (i) r += ",";
    const auto& d = s.dim(i);
    r += d.has_dim_value() ? std::to_string(d.dim_value()) : (d.has_dim_param() ? d.dim_param() : "?");
  }
  return r + "]";
}
}  // namespace

void Importer::cross_check_shapes() {
  // The installed ONNX library only knows opsets up to its own release.
  const auto ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto it = ranges.find("");
  if (it == ranges.end() || opset > it->second.second) return;
  try {
    onnx::ShapeInferenceOptions opts(/*check_type=*/false, /*error_mode=*/0, /*data_prop=*/false);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), opts);
  } catch (const std::exception& ex) {
    // Opset-6 files (PyTorch 0.3 era) predate the checks of today's inference (e.g. Reshape
    // with its old shape attribute): the importer's own checks stand alone for them.
    if (opset >= 7) diag.error("", "", fmt::format("ONNX shape inference failed: {}", ex.what()));
    return;
  }
  const auto& gr = model.graph();
  std::unordered_map<std::string, const onnx::TypeProto*> inferred;
  for (const auto& vi : gr.value_info()) inferred[vi.name()] = &vi.type();
  for (const auto& vi : gr.output()) inferred[vi.name()] = &vi.type();
  for (const auto& node : gr.node()) {
    for (const auto& o : node.output()) {
      auto ei = env.find(o);
      auto ii = inferred.find(o);
      if (o.empty() || ei == env.end() || ii == inferred.end() || ei->second.kind != Kind::Data) continue;
      if (!ii->second->has_tensor_type() || !ii->second->tensor_type().has_shape()) continue;
      const auto& s = ii->second->tensor_type().shape();
      const ir::Shape& mine = ei->second.shape;
      bool ok = static_cast<size_t>(s.dim_size()) == mine.size() + 1;
      for (int i = 1; ok && i < s.dim_size(); ++i)
        if (s.dim(i).has_dim_value() && s.dim(i).dim_value() != mine[static_cast<size_t>(i) - 1]) ok = false;
      if (!ok)
        diag.error(node.name().empty() ? o : node.name(), node.op_type(),
                   fmt::format("ONNX shape inference gives output '{}' the shape {}, the importer computed [batch]+{}", o,
                               dims_string(s), shape_string(mine)));
    }
  }
}

}  // namespace tachyon::frontends::onnx_import
