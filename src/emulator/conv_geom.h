// Geometry of Conv and pooling windows (internal header). 1D layers are handled as 2D with
// a single row: x (L, C) is (1, L, C).
#pragma once

#include <algorithm>

#include "kernel_util.h"

namespace tachyon::emulator::detail {

struct ConvGeom {
  int64_t H = 1, W = 1, C = 1;     // input (channels-last)
  int64_t OH = 1, OW = 1, F = 1;   // output; F = output channels (= C for pools)
  int64_t KH = 1, KW = 1;          // window
  int64_t CPG = 1, G = 1;          // input channels per group, groups (Conv)
  int64_t SH = 1, SW = 1, DH = 1, DW = 1;
  int64_t PT = 0, PL = 0, PB = 0, PR = 0;  // pads: top, left, bottom, right
  int rank = 2;                    // spatial axes of the IR tensor (1 or 2)

  int64_t Hp() const { return H + PT + PB; }
  int64_t Wp() const { return W + PL + PR; }
  bool padded() const { return PT || PL || PB || PR; }
};

// Parses spatial attributes ("strides", "dilations", "pads") for rank 1 or 2 into g.
inline void parse_window_attrs(const KernelContext& ctx, ConvGeom& g, bool with_dilations) {
  const ir::Attrs& a = ctx.node().attrs;
  auto r = static_cast<size_t>(g.rank);
  std::vector<int64_t> strides = a.get_ints("strides", std::vector<int64_t>(r, 1));
  std::vector<int64_t> dil = with_dilations ? a.get_ints("dilations", std::vector<int64_t>(r, 1)) : std::vector<int64_t>(r, 1);
  std::vector<int64_t> pads = a.get_ints("pads", std::vector<int64_t>(2 * r, 0));
  if (strides.size() != r) ctx.error(fmt::format("attribute 'strides' has {} values, expected {}", strides.size(), r));
  if (dil.size() != r) ctx.error(fmt::format("attribute 'dilations' has {} values, expected {}", dil.size(), r));
  if (pads.size() != 2 * r) ctx.error(fmt::format("attribute 'pads' has {} values, expected {}", pads.size(), 2 * r));
  for (int64_t v : strides)
    if (v < 1) ctx.error("attribute 'strides' must be positive");
  for (int64_t v : dil)
    if (v < 1) ctx.error("attribute 'dilations' must be positive");
  for (int64_t v : pads)
    if (v < 0) ctx.error("attribute 'pads' must not be negative");
  if (g.rank == 1) {
    g.SW = strides[0];
    g.DW = dil[0];
    g.PL = pads[0];
    g.PR = pads[1];
  } else {
    g.SH = strides[0];
    g.SW = strides[1];
    g.DH = dil[0];
    g.DW = dil[1];
    g.PT = pads[0];
    g.PL = pads[1];
    g.PB = pads[2];
    g.PR = pads[3];
  }
}

// Reads the input shape (rank 1 or 2 spatial axes + channels) into g.
inline void parse_input_shape(const KernelContext& ctx, ConvGeom& g) {
  const ir::Shape& xs = ctx.shape(ctx.in(0));
  if (xs.size() == 2) {
    g.rank = 1;
    g.W = xs[0];
    g.C = xs[1];
  } else if (xs.size() == 3) {
    g.rank = 2;
    g.H = xs[0];
    g.W = xs[1];
    g.C = xs[2];
  } else {
    ctx.error(fmt::format("input shape {} is neither (length, channels) nor (height, width, channels)",
                          ir::shape_str(xs)));
  }
}

inline void check_output(const KernelContext& ctx, const ConvGeom& g) {
  if (g.OH < 1 || g.OW < 1) ctx.error("the window does not fit in the (padded) input");
  int64_t n = ir::num_elements(ctx.shape(ctx.out()));
  if (n != g.OH * g.OW * g.F)
    ctx.error(fmt::format("output shape {} does not match the computed {} x {} x {}", ir::shape_str(ctx.shape(ctx.out())),
                          g.OH, g.OW, g.F));
}

inline ConvGeom conv_geometry(const KernelContext& ctx) {
  ConvGeom g;
  parse_input_shape(ctx, g);
  const ir::Tensor& w = ctx.constant(1);
  if (static_cast<int>(w.shape.size()) != g.rank + 2)
    ctx.error(fmt::format("weight shape {} should have {} axes (kernel..., in channels / group, out channels)",
                          ir::shape_str(w.shape), g.rank + 2));
  if (g.rank == 2) {
    g.KH = w.shape[0];
    g.KW = w.shape[1];
  } else {
    g.KW = w.shape[0];
  }
  g.CPG = w.shape[w.shape.size() - 2];
  g.F = w.shape.back();
  g.G = ctx.node().attrs.get_int("group", 1);
  if (g.G < 1 || g.C % g.G != 0 || g.F % g.G != 0 || g.CPG * g.G != g.C)
    ctx.error(fmt::format("group {} does not fit {} input channels, weight shape {}", g.G, g.C, ir::shape_str(w.shape)));
  parse_window_attrs(ctx, g, true);
  g.OH = (g.Hp() - ((g.KH - 1) * g.DH + 1)) / g.SH + 1;
  g.OW = (g.Wp() - ((g.KW - 1) * g.DW + 1)) / g.SW + 1;
  if (g.Hp() < (g.KH - 1) * g.DH + 1 || g.Wp() < (g.KW - 1) * g.DW + 1) g.OH = 0;
  check_output(ctx, g);
  if (ctx.node().inputs.size() > 2 && ctx.constant(2).size() != g.F)
    ctx.error(fmt::format("bias has {} values, expected {}", ctx.constant(2).size(), g.F));
  return g;
}

// Pools: kernel_shape (MaxPool/AvgPool) or the whole input (global pools).
inline ConvGeom pool_geometry(const KernelContext& ctx, bool global) {
  ConvGeom g;
  parse_input_shape(ctx, g);
  g.F = g.C;
  if (global) {
    g.KH = g.H;
    g.KW = g.W;
    g.SH = g.H;
    g.SW = g.W;
  } else {
    std::vector<int64_t> k = ctx.node().attrs.get_ints("kernel_shape");
    if (static_cast<int>(k.size()) != g.rank)
      ctx.error(fmt::format("attribute 'kernel_shape' has {} values, expected {}", k.size(), g.rank));
    for (int64_t v : k)
      if (v < 1) ctx.error("attribute 'kernel_shape' must be positive");
    if (g.rank == 2) {
      g.KH = k[0];
      g.KW = k[1];
    } else {
      g.KW = k[0];
    }
    parse_window_attrs(ctx, g, false);
    if (g.PT >= g.KH || g.PB >= g.KH || g.PL >= g.KW || g.PR >= g.KW)
      ctx.error("pads must be smaller than the pooling window");
  }
  g.OH = g.Hp() < g.KH ? 0 : (g.Hp() - g.KH) / g.SH + 1;
  g.OW = g.Wp() < g.KW ? 0 : (g.Wp() - g.KW) / g.SW + 1;
  check_output(ctx, g);
  return g;
}

// Copies x (H, W, C) into the zero-padded (Hp, Wp, C) buffer.
inline void pad_input(const int64_t* x, int64_t* xp, const ConvGeom& g) {
  const int64_t wp = g.Wp();
  std::fill(xp, xp + g.Hp() * wp * g.C, 0);
  for (int64_t h = 0; h < g.H; ++h)
    std::copy(x + h * g.W * g.C, x + (h + 1) * g.W * g.C, xp + ((h + g.PT) * wp + g.PL) * g.C);
}

}  // namespace tachyon::emulator::detail
