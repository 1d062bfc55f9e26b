// Geometry of Conv and pooling windows (internal header). 1D layers are handled as 2D with
// a single row: x (L, C) is (1, L, C).
#pragma once

#include <algorithm>

#include "kernel_util.h"
#include "tachyon/ir/window.h"

namespace tachyon::emulator::detail {

// The window geometry comes from the IR (ir/window.h); the kernels read it.
using ConvGeom = ir::Window;

inline ConvGeom window_geometry(const KernelContext& ctx) {
  ConvGeom g;
  try {
    g = ir::window_of(ctx.graph, ctx.node());
  } catch (const Error& e) {
    ctx.error(e.what());
  }
  int64_t n = ir::num_elements(ctx.shape(ctx.out()));
  if (n != g.OH * g.OW * g.F)
    ctx.error(fmt::format("output shape {} does not match the computed {} x {} x {}", ir::shape_str(ctx.shape(ctx.out())),
                          g.OH, g.OW, g.F));
  return g;
}

inline ConvGeom conv_geometry(const KernelContext& ctx) {
  ConvGeom g = window_geometry(ctx);
  if (ctx.node().inputs.size() > 2 && ctx.constant(2).size() != g.F)
    ctx.error(fmt::format("bias has {} values, expected {}", ctx.constant(2).size(), g.F));
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
