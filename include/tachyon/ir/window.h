// Sliding-window geometry of Conv, MaxPool, AvgPool, GlobalMaxPool and GlobalAvgPool,
// computed from the node's input shapes and attributes in this one place. The verifier
// checks it; shape inference, the emulator and the backends read it and trust the IR.
//
// Tensors are channels-last: a 1D layer has input (L, C) and is seen as one row (H = 1,
// W = L); a 2D layer has (H, W, C). Attributes (per spatial axis, 1 or 2 values):
// kernel_shape (pools; a Conv takes its kernel from the weight (KH, KW, C / group, F)),
// strides (default 1), dilations (Conv only, default 1), pads (begin values then end
// values, default 0), group (Conv, default 1). Global pools cover the whole input.
#pragma once

#include <cstdint>

#include "tachyon/ir/graph.h"

namespace tachyon::ir {

struct Window {
  int rank = 2;                    // spatial axes (1 or 2)
  int64_t H = 1, W = 1, C = 1;     // input
  int64_t OH = 1, OW = 1, F = 1;   // output; F = output channels (C for pools)
  int64_t KH = 1, KW = 1;          // window
  int64_t SH = 1, SW = 1, DH = 1, DW = 1;
  int64_t PT = 0, PL = 0, PB = 0, PR = 0;  // pads: top, left, bottom, right
  int64_t G = 1, CPG = 1;          // groups and input channels per group (Conv)

  int64_t Hp() const { return H + PT + PB; }
  int64_t Wp() const { return W + PL + PR; }
  bool padded() const { return PT || PL || PB || PR; }
  // The output shape this geometry gives: (OW, F) or (OH, OW, F).
  Shape out_shape() const { return rank == 1 ? Shape{OW, F} : Shape{OH, OW, F}; }
};

// The geometry of node `n`, an op with the kWindow trait. Throws tachyon::Error with a message that
// does not name the node (callers add it) when the input shape or attributes are
// inconsistent; the output value's shape is not consulted.
Window window_of(const Graph& g, const Node& n);
// The same, throwing a diagnostic that names the node (ir/diagnostic.h), and checking that
// the output value holds OH x OW x F elements.
Window node_window(const Graph& g, const Node& n);

}  // namespace tachyon::ir
