// Keras / QKeras / HGQ frontend: loads a Keras model file into an ir::Graph (frontend-level
// IR, the conventions of tachyon/frontends/onnx.h). TensorFlow is not needed: the files are
// HDF5 (Debian's libhdf5, C API) plus JSON, and zip (libzip) for Keras 3.
//
// Files:
//   MODEL.h5      Keras 2 full model: root attribute `model_config` (JSON) and the group
//                 `model_weights/<layer>/` with attribute `weight_names`.
//   MODEL.json    a Keras model configuration (class_name Sequential / Functional / Model)
//                 with its weights in MODEL_weights.h5 beside it, or given explicitly
//                 (`weights`); the weights file may use the Keras 2 layout (groups by layer
//                 name) or the Keras 3 one (groups by object path).
//   MODEL.keras   Keras 3 archive: config.json + model.weights.h5, whose groups are
//                 `layers/<object name>/vars/<i>` (object name: the layer class in
//                 snake_case, numbered per class in layer order: dense, dense_1, ...).
// Graphs: Sequential and Functional (branches, merges, several inputs and outputs); each
// layer called once; channels_last only. Shapes are Keras' without the batch axis.
//
// Layers -> IR: Dense (the IR's Dense, kernel (in, out), on the last axis), Conv1D/2D (Conv; 'valid'
// and 'same' with TensorFlow's padding split), DepthwiseConv1D/2D (Conv with group = C),
// SeparableConv1D/2D (depthwise Conv then 1x1 Conv), Max/Average pooling 1D/2D, global
// pools (keepdims: + Reshape), BatchNormalization (BatchNormalization op, folded by the
// passes), Activation / ReLU / LeakyReLU / PReLU / ELU / Softmax (last axis), Flatten /
// Reshape (Reshape), Permute (Transpose), ZeroPadding1D/2D (Pad), UpSampling1D/2D nearest
// (Reshape + Concat of copies), Add / Subtract / Multiply / Average (Add chain then Mul by
// 1/n) / Maximum (a + relu(b - a)) / Minimum (a - relu(a - b)) / Concatenate; Dropout and
// other training-only layers are identities. A layer's `activation` becomes a separate node
// named `<layer>_<activation>` (as hls4ml names it).
//
// QKeras: QDense, QConv1D/2D, QDepthwiseConv2D, QSeparableConv1D/2D, QBatchNormalization
// quantize their constants, QActivation and quantizer activations their outputs, through
// QONNX-style Quant nodes (rounding "ROUND" = half to even, saturating) that the absorb_quant
// pass turns into types:
//   quantized_bits(bits, integer, symmetric, keep_negative, alpha None or 1):
//     Quant(scale 2^(integer - bits + keep_negative), bitwidth bits, signed keep_negative,
//     narrow symmetric);   quantized_relu(bits, integer): unsigned Quant, scale 2^(integer - bits).
// HGQ proxy models: FixedPointQuantizer (per-element keep_negative / bits / integers, RND and
// SAT modes) whose elements all agree becomes a type: the result type of the layer it
// follows (or of the graph input), else a Cast; the (already quantized) kernels and biases
// of the surrounding layers are typed exactly (Quant with a power-of-two scale). Quantizers
// whose elements differ become ElementQuant nodes [x, keep_negative, bits, integers]
// (parameters expanded to x's shape; attributes rounding / overflow from RND / SAT).
//
// Errors: every unsupported layer (name, class, file) at once; missing weights, shape
// mismatches, broken JSON, truncated HDF5 / zip, cycles in inbound_nodes: tachyon::Error
// naming the file and the layer.
#pragma once

#include <string>

#include "tachyon/ir/graph.h"

namespace tachyon::frontends {

// True when `path` is a Keras model this frontend reads: a zip archive with config.json, an
// HDF5 file with a `model_config` attribute, or a JSON file holding a Keras model
// configuration (class_name Sequential / Functional / Model with layers).
bool is_keras_model(const std::string& path);

// Loads a Keras model. `weights` (optional) is the HDF5 weights file of a JSON model (default:
// NAME_weights.h5 beside NAME.json) or replaces the weights of an .h5 / .keras model.
ir::Graph load_keras(const std::string& path, const std::string& weights = {});

}  // namespace tachyon::frontends
