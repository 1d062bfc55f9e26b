// Pooling layers (max / average, 1D / 2D, global).
#include <fmt/format.h>

#include "backends/hls/hls_internal.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::hls {

LayerCode emit_pool(ProjectBuilder& b, const ir::Node& n, const std::string& name) {
  const ir::Graph& g = b.graph();
  if (n.inputs.size() != 1) fail("{}pooling takes one input, got {}", node_prefix(g, n), n.inputs.size());
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  const ir::Shape& xs = g.value(x).shape;
  const ir::Shape& ys = g.value(y).shape;
  b.value_type(x, n);
  b.value_type(y, n);
  const bool avg = n.op == ir::Op::AvgPool || n.op == ir::Op::GlobalAvgPool;
  const bool global = n.op == ir::Op::GlobalMaxPool || n.op == ir::Op::GlobalAvgPool;
  std::string x_arr = b.array(x, n, "in");
  std::string y_arr = b.array(y, n, "out");
  LayerCode code;
  code.header = "pooling.h";
  if (global) {
    if (xs.empty()) fail("{}input has no channel axis", node_prefix(g, n));
    int64_t chan = xs.back();
    int64_t cells = elements(g, x, n) / chan;
    if (elements(g, y, n) != chan)
      fail("{}output shape {} should hold one value per channel ({})", node_prefix(g, n), ir::shape_str(ys), chan);
    ConfigStruct c(b.claim("config_" + name), "global_pool_config");
    c.u("n_cells", cells).u("n_chan", chan).e("pool_op", "pool_op_t", avg ? "pool_avg" : "pool_max").common(n);
    if (avg) c.t("accum_t", b.add_type(n, "accum", b.internal_type(n, "accum")));
    code.config = c.str();
    code.call = "  " + call("global_pool", {b.type_name(x), b.type_name(y), c.name()}, {x_arr, y_arr}) + "\n";
    return code;
  }
  if ((xs.size() != 2 && xs.size() != 3) || ys.size() != xs.size())
    fail("{}input shape {}: only 1D (L, C) and 2D (H, W, C) pooling is supported", node_prefix(g, n), ir::shape_str(xs));
  const bool two_d = xs.size() == 3;
  const size_t sd = two_d ? 2 : 1;
  std::vector<int64_t> kernel = n.attrs.get_ints("kernel_shape");
  std::vector<int64_t> strides = n.attrs.get_ints("strides", kernel);
  std::vector<int64_t> pads = n.attrs.get_ints("pads", std::vector<int64_t>(2 * sd, 0));
  if (kernel.size() != sd || strides.size() != sd || pads.size() != 2 * sd)
    fail("{}kernel_shape/strides/pads have the wrong number of values for {}D pooling", node_prefix(g, n), sd);
  if (ys.back() != xs.back()) fail("{}pooling changes the channel count", node_prefix(g, n));
  for (size_t k = 0; k < sd; ++k)
    if (kernel[k] < 1 || strides[k] < 1 || pads[k] < 0 || pads[k + sd] < 0)
      fail("{}invalid kernel_shape, strides or pads", node_prefix(g, n));
  ConfigStruct c(b.claim("config_" + name), "pool_config");
  c.u("in_height", two_d ? xs[0] : 1).u("in_width", xs[sd - 1]).u("n_chan", xs.back());
  c.u("out_height", two_d ? ys[0] : 1).u("out_width", ys[sd - 1]);
  c.u("pool_height", two_d ? kernel[0] : 1).u("pool_width", kernel[sd - 1]);
  c.u("stride_height", two_d ? strides[0] : 1).u("stride_width", strides[sd - 1]);
  c.i("pad_top", two_d ? pads[0] : 0).i("pad_left", pads[sd - 1]);
  c.b("count_include_pad", n.attrs.get_int("count_include_pad", 0) != 0);
  c.e("pool_op", "pool_op_t", avg ? "pool_avg" : "pool_max").common(n);
  if (avg) c.t("accum_t", b.add_type(n, "accum", b.internal_type(n, "accum")));
  code.config = c.str();
  code.call = "  " + call(two_d ? "pool2d" : "pool1d", {b.type_name(x), b.type_name(y), c.name()}, {x_arr, y_arr}) + "\n";
  return code;
}

}  // namespace tachyon::backends::hls
