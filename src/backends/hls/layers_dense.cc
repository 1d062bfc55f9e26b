// Dense and Conv layers.
#include <fmt/format.h>

#include "backends/hls/hls_internal.h"
#include "tachyon/ir/window.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::hls {

namespace {
const char* strategy_name(const ir::Node& n) {
  return n.config.strategy == ir::Strategy::Resource ? "resource" : "latency";
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The weight constant's array, its shape checked.
std::string weights_array(ProjectBuilder& b, const ir::Node& n, ir::ValueId w, size_t rank) {
  const ir::Graph& g = b.graph();
  const ir::Value& v = g.value(w);
  if (!v.is_constant()) fail("{}the weights ('{}') must be a constant", node_prefix(g, n), v.name);
  if (v.shape.size() != rank)
    fail("{}weights '{}' have shape {}, expected rank {}", node_prefix(g, n), v.name, ir::shape_str(v.shape), rank);
  return b.array(w, n, "w");
}

// The bias array (zeros of accum_t when the layer has none) and its type.
std::pair<std::string, std::string> bias_array(ProjectBuilder& b, const ir::Node& n, int64_t n_out,
                                               const FixedType& accum) {
  const ir::Graph& g = b.graph();
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNone) {
    ir::ValueId bv = n.inputs[2];
    if (!g.value(bv).is_constant()) fail("{}the bias ('{}') must be a constant", node_prefix(g, n), g.value(bv).name);
    if (ir::num_elements(g.value(bv).shape) != n_out)
      fail("{}bias '{}' has shape {}, expected {} values", node_prefix(g, n), g.value(bv).name,
           ir::shape_str(g.value(bv).shape), n_out);
    std::string arr = b.array(bv, n, "b");
    return {arr, b.type_name(bv)};
  }
  std::vector<Fixed> zeros(static_cast<size_t>(n_out), Fixed(accum));
  return b.add_table(n, "b", accum, zeros, fmt::format("zero bias of layer '{}' (the model has none)", n.name));
}
}  // namespace

LayerCode emit_dense(ProjectBuilder& b, const ir::Node& n, const std::string& name) {
  const ir::Graph& g = b.graph();
  if (n.inputs.size() < 2 || n.inputs.size() > 3)
    fail("{}Dense takes 2 or 3 inputs (x, weight, bias), got {}", node_prefix(g, n), n.inputs.size());
  ir::ValueId x = n.inputs[0], w = n.inputs[1], y = n.outputs[0];
  std::string w_arr = weights_array(b, n, w, 2);
  const ir::Shape& ws = g.value(w).shape;
  int64_t n_in = ws[0], n_out = ws[1];
  int64_t nx = elements(g, x, n);
  if (n_in <= 0 || n_out <= 0 || nx % n_in != 0)
    fail("{}input shape {} does not match weights {}", node_prefix(g, n), ir::shape_str(g.value(x).shape),
         ir::shape_str(ws));
  int64_t rows = nx / n_in;
  if (elements(g, y, n) != rows * n_out)
    fail("{}output shape {} does not match {} rows of {} outputs", node_prefix(g, n), ir::shape_str(g.value(y).shape),
         rows, n_out);
  const FixedType& accum = b.internal_type(n, "accum");
  b.value_type(x, n);
  b.value_type(y, n);
  auto [b_arr, b_type] = bias_array(b, n, n_out, accum);
  std::string x_arr = b.array(x, n, "in");
  std::string y_arr = b.array(y, n, "out");
  ConfigStruct c(b.claim("config_" + name), "dense_config");
  c.u("n_rows", rows).u("n_in", n_in).u("n_out", n_out).common(n);
  c.u("multiplier_limit", ceil_div(n_in * n_out, n.config.reuse_factor));
  c.e("strategy", "strategy_t", strategy_name(n));
  c.t("accum_t", b.add_type(n, "accum", accum)).t("weight_t", b.type_name(w)).t("bias_t", b_type);
  LayerCode code;
  code.header = "dense.h";
  code.config = c.str();
  code.call = "  " + call("dense", {b.type_name(x), b.type_name(y), c.name()}, {x_arr, y_arr, w_arr, b_arr}) + "\n";
  return code;
}

LayerCode emit_conv(ProjectBuilder& b, const ir::Node& n, const std::string& name) {
  const ir::Graph& g = b.graph();
  if (n.inputs.size() < 2 || n.inputs.size() > 3)
    fail("{}Conv takes 2 or 3 inputs (x, weight, bias), got {}", node_prefix(g, n), n.inputs.size());
  ir::ValueId x = n.inputs[0], w = n.inputs[1], y = n.outputs[0];
  const ir::Shape& xs = g.value(x).shape;
  const ir::Shape& ys = g.value(y).shape;
  if (xs.size() != 2 && xs.size() != 3)
    fail("{}input shape {}: only 1D (L, C) and 2D (H, W, C) convolutions are supported", node_prefix(g, n),
         ir::shape_str(xs));
  const bool two_d = xs.size() == 3;
  const size_t sd = two_d ? 2 : 1;  // spatial dims
  std::string w_arr = weights_array(b, n, w, sd + 2);
  if (ys.size() != xs.size()) fail("{}output shape {} has another rank than the input", node_prefix(g, n), ir::shape_str(ys));
  const ir::Window geo = ir::node_window(g, n);
  const int64_t groups = geo.G, cin = geo.C, cout = geo.F, cin_g = geo.CPG;
  const FixedType& accum = b.internal_type(n, "accum");
  b.value_type(x, n);
  b.value_type(y, n);
  auto [b_arr, b_type] = bias_array(b, n, cout, accum);
  std::string x_arr = b.array(x, n, "in");
  std::string y_arr = b.array(y, n, "out");
  // Spatial sizes as (height, width); 1D is height 1.
  const int64_t ih = geo.H, iw = geo.W, oh = geo.OH, ow = geo.OW, kh = geo.KH, kw = geo.KW;
  const int64_t sh = geo.SH, sw = geo.SW, dh = geo.DH, dw = geo.DW, pt = geo.PT, pl = geo.PL;
  ConfigStruct c(b.claim("config_" + name), "conv_config");
  c.u("in_height", ih).u("in_width", iw).u("n_chan", cin);
  c.u("out_height", oh).u("out_width", ow).u("n_filt", cout);
  c.u("filt_height", kh).u("filt_width", kw);
  c.u("stride_height", sh).u("stride_width", sw).u("dilation_height", dh).u("dilation_width", dw);
  c.i("pad_top", pt).i("pad_left", pl).u("n_groups", groups).common(n);
  c.u("multiplier_limit", ceil_div(kh * kw * cin_g * cout, n.config.reuse_factor));
  c.e("strategy", "strategy_t", strategy_name(n));
  c.t("accum_t", b.add_type(n, "accum", accum)).t("weight_t", b.type_name(w)).t("bias_t", b_type);
  LayerCode code;
  code.header = "conv.h";
  code.config = c.str();
  code.call = "  " + call(two_d ? "conv2d" : "conv1d", {b.type_name(x), b.type_name(y), c.name()},
                          {x_arr, y_arr, w_arr, b_arr}) + "\n";
  return code;
}

}  // namespace tachyon::backends::hls
