// Element-wise arithmetic (Add, Sub, Mul, Scale, BatchNorm), Concat and the layout ops
// (Reshape, Identity, Transpose, Pad).
#include <fmt/format.h>

#include "backends/hls/hls_internal.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::hls {

LayerCode emit_elementwise(ProjectBuilder& b, const ir::Node& n, const std::string& name) {
  const ir::Graph& g = b.graph();
  const std::string what = node_prefix(g, n);
  ir::ValueId y = n.outputs[0];
  const ir::Shape& ys = g.value(y).shape;
  int64_t count = elements(g, y, n);
  b.value_type(y, n);
  for (ir::ValueId v : n.inputs) b.value_type(v, n);
  std::string y_arr = b.array(y, n, "out");
  LayerCode code;
  code.header = "merge.h";
  if (n.op == ir::Op::Concat) {
    if (n.inputs.empty()) fail("{}Concat without inputs", what);
    auto rank = static_cast<int64_t>(ys.size());
    int64_t axis = n.attrs.get_int("axis", -1);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) fail("{}axis {} is out of range for rank {}", what, n.attrs.get_int("axis", -1), rank);
    int64_t outer = 1, inner_out = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= ys[static_cast<size_t>(i)];
    for (int64_t i = axis; i < rank; ++i) inner_out *= ys[static_cast<size_t>(i)];
    ConfigStruct c(b.claim("config_" + name), "concat_config");
    c.u("n_outer", outer).u("n_inner_out", inner_out);
    int64_t offset = 0;
    std::string calls;
    for (size_t j = 0; j < n.inputs.size(); ++j) {
      ir::ValueId v = n.inputs[j];
      const ir::Shape& s = g.value(v).shape;
      if (static_cast<int64_t>(s.size()) != rank) fail("{}input {} has rank {}, expected {}", what, j, s.size(), rank);
      int64_t inner = 1;
      for (int64_t i = 0; i < rank; ++i) {
        if (i != axis && s[static_cast<size_t>(i)] != ys[static_cast<size_t>(i)])
          fail("{}input {} of shape {} does not match the output {} outside axis {}", what, j, ir::shape_str(s),
               ir::shape_str(ys), axis);
        if (i >= axis) inner *= s[static_cast<size_t>(i)];
      }
      std::string arr = b.array(v, n, "in" + std::to_string(j));
      calls += "  " +
               call("concat_part",
                    {b.type_name(v), b.type_name(y), c.name(), std::to_string(inner), std::to_string(offset)},
                    {arr, y_arr}) +
               "\n";
      offset += inner;
    }
    if (offset != inner_out) fail("{}the inputs' sizes along the axis do not add up to the output's", what);
    code.config = c.str();
    code.call = calls;
    return code;
  }
  if (n.op == ir::Op::BatchNorm) {
    if (n.inputs.size() != 3) fail("{}BatchNorm takes 3 inputs (x, scale, bias), got {}", what, n.inputs.size());
    ir::ValueId x = n.inputs[0], s = n.inputs[1], bias = n.inputs[2];
    if (elements(g, x, n) != count) fail("{}input and output shapes differ", what);
    ConfigStruct c(b.claim("config_" + name), "batchnorm_config");
    std::string x_arr = b.array(x, n, "in");
    std::string s_arr = b.array(s, n, "scale");
    std::string b_arr = b.array(bias, n, "bias");
    c.u("n_in", count).u("n_scale", operand_count(g, n, s, ys)).u("n_bias", operand_count(g, n, bias, ys)).common(n);
    c.t("scale_t", b.type_name(s)).t("bias_t", b.type_name(bias));
    code.config = c.str();
    code.call = "  " + call("batchnorm", {b.type_name(x), b.type_name(y), c.name()}, {x_arr, y_arr, s_arr, b_arr}) + "\n";
    return code;
  }
  // Add, Sub, Mul, Scale: two operands.
  if (n.inputs.size() != 2) fail("{}expected 2 inputs, got {}", what, n.inputs.size());
  if (n.op == ir::Op::Scale && !g.value(n.inputs[1]).is_constant()) fail("{}the scale (input 1) must be a constant", what);
  ir::ValueId a = n.inputs[0], bv = n.inputs[1];
  std::string a_arr = b.array(a, n, n.op == ir::Op::Scale ? "in" : "a");
  std::string b_arr = b.array(bv, n, n.op == ir::Op::Scale ? "scale" : "b");
  ConfigStruct c(b.claim("config_" + name), "merge_config");
  c.u("n_in", count).u("n_a", operand_count(g, n, a, ys)).u("n_b", operand_count(g, n, bv, ys)).common(n);
  const char* fn = nullptr;
  switch (ir::family_op<ir::Family::Elementwise>(n.op)) {
    case ir::ElementwiseOp::Add: fn = "add"; break;
    case ir::ElementwiseOp::Sub: fn = "subtract"; break;
    case ir::ElementwiseOp::Mul:
    case ir::ElementwiseOp::Scale: fn = "multiply"; break;
    case ir::ElementwiseOp::Cast:
    case ir::ElementwiseOp::BatchNorm: fail("internal error: {}not a two-operand element-wise op", what);
  }
  code.config = c.str();
  code.call = "  " + call(fn, {b.type_name(a), b.type_name(bv), b.type_name(y), c.name()}, {a_arr, b_arr, y_arr}) + "\n";
  return code;
}

LayerCode emit_layout(ProjectBuilder& b, const ir::Node& n, const std::string& name) {
  const ir::Graph& g = b.graph();
  const std::string what = node_prefix(g, n);
  if (n.inputs.empty()) fail("{}no input", what);
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  const ir::Shape& xs = g.value(x).shape;
  const ir::Shape& ys = g.value(y).shape;
  b.value_type(x, n);
  const FixedType& yt = b.value_type(y, n);
  std::string x_arr = b.array(x, n, "in");
  std::string y_arr = b.array(y, n, "out");
  LayerCode code;
  code.header = "layout.h";
  std::string tx = b.type_name(x), ty = b.type_name(y);
  if (n.op == ir::Op::Reshape || n.op == ir::Op::Identity) {
    int64_t count = elements(g, x, n);
    if (elements(g, y, n) != count) fail("{}input {} and output {} have different sizes", what, ir::shape_str(xs), ir::shape_str(ys));
    ConfigStruct c(b.claim("config_" + name), "copy_config");
    c.u("n_in", count);
    code.config = c.str();
    code.call = "  " + call("copy", {tx, ty, c.name()}, {x_arr, y_arr}) + "\n";
    return code;
  }
  const size_t r = xs.size();
  if (r > 4) fail("{}rank {} is not supported by the HLS backend (at most 4)", what, r);
  if (ys.size() != r) fail("{}output rank differs from input rank", what);
  const size_t lead = 4 - r;  // leading 1s
  auto dim = [&](const ir::Shape& s, size_t k) { return k < lead ? int64_t{1} : s[k - lead]; };
  if (n.op == ir::Op::Transpose) {
    std::vector<int64_t> perm = n.attrs.get_ints("perm");
    if (perm.empty())
      for (size_t i = r; i-- > 0;) perm.push_back(static_cast<int64_t>(i));
    if (perm.size() != r) fail("{}attribute 'perm' has {} values, input rank is {}", what, perm.size(), r);
    std::vector<char> seen(r, 0);
    for (int64_t p : perm)
      if (p < 0 || p >= static_cast<int64_t>(r) || seen[static_cast<size_t>(p)]++)
        fail("{}attribute 'perm' is not a permutation", what);
    if (ir::permute_shape(xs, perm) != ys)
      fail("{}output shape {} is not the input shape {} permuted", what, ir::shape_str(ys), ir::shape_str(xs));
    ConfigStruct c(b.claim("config_" + name), "transpose_config");
    for (size_t k = 0; k < 4; ++k) c.u(fmt::format("d{}", k), dim(xs, k));
    for (size_t k = 0; k < 4; ++k)
      c.u(fmt::format("perm{}", k), k < lead ? static_cast<int64_t>(k) : perm[k - lead] + static_cast<int64_t>(lead));
    code.config = c.str();
    code.call = "  " + call("transpose", {tx, ty, c.name()}, {x_arr, y_arr}) + "\n";
    return code;
  }
  if (n.op == ir::Op::Pad) {
    std::string mode = n.attrs.get_string("mode", "constant");
    if (mode != "constant") fail("{}pad mode '{}' is not supported (only 'constant')", what, mode);
    std::vector<int64_t> pads = n.attrs.get_ints("pads");
    if (pads.size() != 2 * r) fail("{}attribute 'pads' has {} values, expected {}", what, pads.size(), 2 * r);
    for (size_t i = 0; i < r; ++i)
      if (pads[i] < 0 || pads[i + r] < 0 || ys[i] != xs[i] + pads[i] + pads[i + r])
        fail("{}output shape {} does not match input {} with pads", what, ir::shape_str(ys), ir::shape_str(xs));
    ConfigStruct c(b.claim("config_" + name), "pad_config");
    for (size_t k = 0; k < 4; ++k) c.u(fmt::format("in{}", k), dim(xs, k));
    for (size_t k = 0; k < 4; ++k) c.u(fmt::format("out{}", k), dim(ys, k));
    for (size_t k = 0; k < 4; ++k) c.i(fmt::format("b{}", k), k < lead ? 0 : pads[k - lead]);
    c.line(param_fn("pad_value", ty, n.attrs.get_float("value", 0.0), yt, what));
    code.config = c.str();
    code.call = "  " + call("pad", {tx, ty, c.name()}, {x_arr, y_arr}) + "\n";
    return code;
  }
  fail("internal error: {}not a layout op", what);
}

}  // namespace tachyon::backends::hls
