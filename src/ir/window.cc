#include "tachyon/ir/window.h"

#include <fmt/format.h>

#include "tachyon/ir/diagnostic.h"
#include "tachyon/support/error.h"

namespace tachyon::ir {

namespace {

std::vector<int64_t> per_axis(const Node& n, const char* name, size_t count, int64_t def) {
  std::vector<int64_t> v = n.attrs.get_ints(name, std::vector<int64_t>(count, def));
  if (v.size() != count) fail("attribute '{}' has {} values, expected {}", name, v.size(), count);
  return v;
}

// Output length of a window of `k` cells (dilation d) sliding by `s` over `in` padded cells.
int64_t window_out(int64_t in, int64_t k, int64_t s, int64_t d) {
  const int64_t span = in - d * (k - 1) - 1;
  if (span < 0) fail("kernel {} (dilation {}) is larger than the padded input {}", k, d, in);
  return span / s + 1;
}

}  // namespace

Window window_of(const Graph& g, const Node& n) {
  if (n.inputs.empty()) fail("has no input");
  const Shape& x = g.value(n.inputs[0]).shape;
  if (x.size() != 2 && x.size() != 3)
    fail("input shape {} is neither (length, channels) nor (height, width, channels)", shape_str(x));
  Window w;
  w.rank = static_cast<int>(x.size()) - 1;
  const auto r = static_cast<size_t>(w.rank);
  const bool two_d = w.rank == 2;
  w.H = two_d ? x[0] : 1;
  w.W = x[r - 1];
  w.C = x.back();
  w.F = w.C;
  if (n.op == Op::GlobalMaxPool || n.op == Op::GlobalAvgPool) {
    w.KH = w.SH = w.H;
    w.KW = w.SW = w.W;
    return w;  // OH = OW = 1
  }
  std::vector<int64_t> k;
  if (n.op == Op::Conv) {
    if (n.inputs.size() < 2) fail("needs data and weight inputs");
    const Shape& ws = g.value(n.inputs[1]).shape;
    if (ws.size() != r + 2)
      fail("weight shape {} does not match a {}-D convolution (expected kernel..., cin/group, cout)", shape_str(ws), r);
    k.assign(ws.begin(), ws.begin() + static_cast<std::ptrdiff_t>(r));
    w.CPG = ws[r];
    w.F = ws[r + 1];
    w.G = n.attrs.get_int("group", 1);
    if (w.G < 1 || w.C % w.G != 0) fail("group {} does not divide {} input channels", w.G, w.C);
    if (w.CPG * w.G != w.C)
      fail("weight expects {} input channels per group, input has {} channels in {} groups", w.CPG, w.C, w.G);
    if (w.F % w.G != 0) fail("group {} does not divide {} output channels", w.G, w.F);
  } else {
    k = n.attrs.get_ints("kernel_shape");
    if (k.size() != r) fail("attribute 'kernel_shape' has {} values, expected {}", k.size(), r);
  }
  const std::vector<int64_t> st = per_axis(n, "strides", r, 1);
  const std::vector<int64_t> dl = per_axis(n, "dilations", r, 1);
  const std::vector<int64_t> pd = per_axis(n, "pads", 2 * r, 0);
  for (size_t a = 0; a < r; ++a)
    if (k[a] < 1 || st[a] < 1 || dl[a] < 1)
      fail("kernel {}, stride {} and dilation {} must be positive", k[a], st[a], dl[a]);
  for (int64_t v : pd)
    if (v < 0) fail("attribute 'pads' has a negative value {}", v);
  if (n.op != Op::Conv) {
    for (int64_t v : dl)
      if (v != 1) fail("attribute 'dilations' must be 1 for pooling");
    if (n.attrs.get_int("ceil_mode", 0) != 0) fail("attribute 'ceil_mode' is not supported (frontends resolve it)");
  }
  w.KW = k[r - 1];
  w.SW = st[r - 1];
  w.DW = dl[r - 1];
  w.PL = pd[r - 1];
  w.PR = pd[2 * r - 1];
  if (two_d) {
    w.KH = k[0];
    w.SH = st[0];
    w.DH = dl[0];
    w.PT = pd[0];
    w.PB = pd[2];
  }
  if (n.op != Op::Conv && (w.PT >= w.KH || w.PB >= w.KH || w.PL >= w.KW || w.PR >= w.KW))
    fail("pads must be smaller than the pooling window");
  w.OH = window_out(w.Hp(), w.KH, w.SH, w.DH);
  w.OW = window_out(w.Wp(), w.KW, w.SW, w.DW);
  return w;
}

Window node_window(const Graph& g, const Node& n) {
  Window w;
  try {
    w = window_of(g, n);
  } catch (const Error& e) {
    node_fail(g, n, e.what());
  }
  const Shape& y = g.value(n.outputs.at(0)).shape;
  if (num_elements(y) != w.OH * w.OW * w.F)
    node_fail(g, n, "output shape {} does not match the window's {} x {} x {}", shape_str(y), w.OH, w.OW, w.F);
  return w;
}

}  // namespace tachyon::ir
