// The per-op facts declared in ops.def beyond the op list: the kTable and kWindow traits and
// the TACHYON_OP_SLOTS / _CONSTANTS / _HLS4ML / _LAYER_TYPE / _RANKED_LAYER_TYPE tables.
#pragma once

#include <string>
#include <vector>

#include "tachyon/ir/op.h"

namespace tachyon::ir {

// Traits beyond those of op.h (same bit set, tested with has_trait).
inline constexpr auto kTable = static_cast<OpTrait>(1u << 7);   // lookup tables: table_size, table types
inline constexpr auto kWindow = static_cast<OpTrait>(1u << 8);  // sliding window: geometry from ir/window.h

// Precision slots besides "result", in template order (TACHYON_OP_SLOTS).
const std::vector<std::string>& op_type_slots(Op op);
// By input index, the slot whose type a constant input takes, "" for none (TACHYON_OP_CONSTANTS).
const std::vector<std::string>& op_constant_slots(Op op);
// The hls4ml layer class of a layer of the op with `spatial_rank` spatial axes (TACHYON_OP_HLS4ML).
std::string hls4ml_class(Op op, int spatial_rank);
// LayerType keys beyond the IR names and hls4ml_class (TACHYON_OP_LAYER_TYPE and
// TACHYON_OP_RANKED_LAYER_TYPE, which stands for Stem1D and Stem2D), in ops.def order.
struct LayerTypeKey {
  std::string key;
  Op op;
  bool ranked;
};
const std::vector<LayerTypeKey>& op_layer_type_keys();

}  // namespace tachyon::ir
