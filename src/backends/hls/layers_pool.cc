// Pooling layers (max / average, 1D / 2D, global).
#include <fmt/format.h>

#include "backends/hls/hls_internal.h"
#include "tachyon/ir/window.h"
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
  const ir::Window w = ir::node_window(g, n);
  ConfigStruct c(b.claim("config_" + name), "pool_config");
  c.u("in_height", w.H).u("in_width", w.W).u("n_chan", w.C);
  c.u("out_height", w.OH).u("out_width", w.OW);
  c.u("pool_height", w.KH).u("pool_width", w.KW);
  c.u("stride_height", w.SH).u("stride_width", w.SW);
  c.i("pad_top", w.PT).i("pad_left", w.PL);
  c.b("count_include_pad", n.attrs.get_int("count_include_pad", 0) != 0);
  c.e("pool_op", "pool_op_t", avg ? "pool_avg" : "pool_max").common(n);
  if (avg) c.t("accum_t", b.add_type(n, "accum", b.internal_type(n, "accum")));
  code.config = c.str();
  code.call = "  " + call(w.rank == 2 ? "pool2d" : "pool1d", {b.type_name(x), b.type_name(y), c.name()}, {x_arr, y_arr}) + "\n";
  return code;
}

}  // namespace tachyon::backends::hls
