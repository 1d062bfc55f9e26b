// ONNX / QONNX frontend: loads a model file into an ir::Graph (frontend-level IR).
//
// Input: an ONNX ModelProto (protobuf), default-domain opset 6..18, plus the QONNX custom ops
// (domains "qonnx.custom_op.general", "finn.custom_op.general", "onnx.brevitas") and QONNX's
// channels-last ops (domain "qonnx.custom_op.channels_last" / "finn.custom_op.channels_last":
// Conv, MaxPool, AveragePool, BatchNormalization, also spelled <op>_v<n>, on [N, ..., C] data
// with standard ONNX weights; imported as the standard op on a layout-only channels-first
// view, so no data moves). Files are
// parsed with a size limit (1 GiB) and protobuf recursion limits; truncated, empty or
// non-ONNX files fail with "not an ONNX model: <file>: ...". Every problem the importer can
// find (unsupported ops, attributes, shapes, dtypes) is reported at once as a
// tachyon::Error whose diagnostics name the file, the node, its op type and the reason.
//
// Batch: the first dimension of every graph input is the batch (symbolic, 1 or any number)
// and is dropped: IR shapes are per sample. When the input declares a batch of 1 (Keras
// exports through tf2onnx / OnnxMLTools), Flatten(axis=0) is the per-sample flatten and is
// accepted; with any other batch it mixes samples and is refused.
//
// Older opsets (6 .. 12) are read with their own semantics: Gemm / Add / Sub / Mul / Div
// with the opset-6 `broadcast` / `axis` attributes (B aligned at `axis`), BatchNormalization
// with is_test / spatial / consumed_inputs (is_test=0 is accepted only with the single
// output Y; spatial=0 only where it equals spatial=1), Squeeze / Unsqueeze / ReduceXxx /
// Slice / Pad / Clip / Upsample with attributes instead of inputs, Softmax-1/11 coerced to
// 2-D at `axis` (one softmax over all the trailing axes), Reshape-1's `shape` attribute.
// ONNX shape inference failures are reported for opset >= 7 only (opset-6 files predate its
// checks).
//
// Layout: the IR is channels-last. A graph input of rank 2 or 3 (without batch) that feeds
// channels-first ops (Conv, pools, BatchNormalization, global pools) is converted:
// [C,L] -> [L,C], [C,H,W] -> [H,W,C]; its IoPort keeps user_shape = the model's own shape
// (without batch) and perm = {1,0} / {1,2,0} (internal.shape[i] == user_shape[perm[i]]).
// Graph outputs likewise carry a perm when their IR value is channels-last (or transposed).
// Conv weights (Cout, Cin/g, kh, kw) become (kh, kw, Cin/g, Cout) (1D: (k, Cin/g, Cout)).
// Flatten / Reshape of a channels-last tensor into a vector does NOT move data: the vector
// stays in (H, W, C) order and the rows of the consuming Gemm / MatMul weight are permuted
// once to match. Anything that needs the ONNX order (graph outputs, element-wise ops against
// tensors in another layout, ...) gets explicit IR Reshape / Transpose nodes.
//
// Emitted ops (inputs in order; attributes):
//   Gemm        [x(K), B(K,N), C(N)?]  alpha, beta, transA=0, transB=0 — B is always stored
//               (in, out): ONNX transB=1 weights are transposed at import (and their rows
//               permuted for a channels-last flattened input).  y = alpha*x*B + beta*C.
//   MatMul      [x(..., K), B(K,N)]    B constant (or a quantizer of a constant), (in, out).
//   Conv        [x, W, bias?]  kernel_shape, strides, pads [begin..., end...] (auto_pad
//               resolved), group (1, or == Cin for depthwise), dilations (all 1).
//   BatchNormalization (Op::BatchNormInference) [x, gamma, beta, mean, var] (all (C)); epsilon.
//   MaxPool / AvgPool  kernel_shape, strides, pads; AvgPool: count_include_pad.
//   GlobalAvgPool / GlobalMaxPool  also for ReduceMean / ReduceMax over all spatial axes;
//               output IR shape (C).
//   Relu, Sigmoid, Tanh, Softmax (over the IR's last axis), LeakyRelu/Elu (alpha),
//   HardSigmoid (alpha, beta), PRelu [x, slope], Clip (min / max; an absent bound is not set).
//   Softplus, Softsign, Erf -> UnaryTable (function softplus / softsign / erf: a table over
//   [-8, 8) indexed as Sigmoid's). ThresholdedRelu (alpha) -> Relu with attribute theta.
//   Add / Sub / Mul [a, b]: b a constant (a scalar of shape [], a vector along the IR's last
//               axis, or a tensor of a's full IR shape) or an activation of a's shape.
//               Div by a constant -> Mul by its reciprocal; constant - x -> Mul(x, -1) + Add.
//   Exporters' ops written with the ones above: Selu = gamma * Elu(alpha); HardSwish =
//   x * HardSigmoid(1/6, 1/2); Neg = x * -1; Abs = 2 Relu(x) - x; Pow(x, k) for a constant
//   whole k in 1..4 = products; Sum / Mean (any number of inputs) = Add chains (Mean: times
//   1/n); Max(a, b) = Relu(a - b) + b, Min(a, b) = a - Relu(a - b), and Max / Min with a
//   scalar constant = Clip; ReduceSum over all axes but one = GlobalAvgPool times the count.
//   ReduceMean / ReduceMax / ReduceSum reduce all axes but one (channels first, or last as in
//   Keras NHWC exports).
//   Transpose without perm reverses every axis, the batch too: accepted when the graph input
//   declares a batch of 1 and the last axis has size 1 (the two size-1 axes trade places).
//   Resize (10+) / Upsample (6..9), mode nearest: accepted when every output element reads
//   input element o / k (upsampling by a whole factor k per axis) under the node's
//   coordinate_transformation_mode and nearest_mode (checked index by index); emitted as
//   Reshape + Concat of k copies per upsampled axis. Scales or sizes must be constants (sizes
//   may come from Shape(x): its unknown batch entry is accepted).
//   Concat (axis = IR axis), Reshape (output shape = the value's shape), Transpose (perm,
//   numpy convention: out.shape[i] = in.shape[perm[i]]), Pad (pads in IR axis order, value),
//   Identity, Dropout: emitted as such (the pass pipeline removes them).
//   Quant [x, scale, zero_point, bitwidth]  signed, narrow, rounding_mode (upper case):
//               QONNX Quant / IntQuant, and an ONNX QuantizeLinear -> DequantizeLinear pair
//               (bitwidth 8, signed from the zero point's dtype, narrow 0, "ROUND").
//   BipolarQuant [x, scale].   Trunc [x, scale, zeropt, in_bitwidth, (out_scale,) out_bitwidth]
//               rounding_mode (+ signed, narrow for Trunc v2).
//   The parameters of quantizers are IR constants broadcastable to x's IR shape (scalars
//   have shape []). A quantizer of a constant (weights, biases) keeps the constant as its
//   input; when the consumer needs another layout (transposed Gemm weights, Conv weights),
//   the constant and its parameters are transformed together. Transpose / Reshape / Flatten /
//   Squeeze / Unsqueeze / Identity of a quantized constant (Quant(W) -> Transpose -> MatMul)
//   are applied to the constant the same way (the quantizer is element-wise).
// Constant sub-graphs (Constant, Shape, Gather, Unsqueeze, Squeeze, Concat, Cast, Slice,
// arithmetic, ConstantOfShape, Reshape, ...) are evaluated at import; DequantizeLinear of an
// integer constant is folded to a float constant.
//
// Limits (hostile files): 1 GiB per file, protobuf recursion depth 64, 2^26 constant elements
// per model, 2^31-1 elements per activation, rank 8, 2^20 nodes; tensors created by folding
// or layout changes are limited to 2^22 elements each and, all together, to 2^22 + 4x the
// constant elements the file holds. Cycles, missing inputs and duplicate producers are found
// by an iterative topological sort.
//
// After import, ONNX shape inference (onnx::shape_inference::InferShapes) runs on the model
// and every shape it infers is checked against the importer's own (opsets the installed ONNX
// library knows); the graph is sorted and ir::verify()'d.
//
// Not supported (clear errors): dilations != 1, grouped (non-depthwise) convolutions,
// 3D convolutions, Gemm transA=1, non-constant weights, broadcasting between two activations,
// ops on the batch axis (Transpose perms that move it, e.g. a Transpose without perm, which
// reverses every axis), external-data initializers, non-float graph inputs, symbolic
// non-batch dimensions, Resize other than nearest upsampling by whole factors, Pow with other
// exponents, and ops outside the lists above (LSTM, Split, ConvTranspose, and the
// transcendental element-wise ops the IR has no kernel for: Softplus, Softsign,
// ThresholdedRelu, Exp, Log, Sqrt, Erf, Reciprocal of activations).
#pragma once

#include <string>

#include "tachyon/ir/graph.h"

namespace tachyon::frontends {

// Loads an ONNX / QONNX model file. Throws tachyon::Error naming the file.
ir::Graph load_onnx(const std::string& path);
// The same from bytes in memory (e.g. torch.onnx.export to a buffer); `display_name` is used
// as the file name in diagnostics.
ir::Graph load_onnx_bytes(const std::string& bytes, const std::string& display_name);

}  // namespace tachyon::frontends
