#include "tachyon/ir/op.h"
#include "tachyon/ir/op_facts.h"

#include <array>

namespace tachyon::ir {

namespace {
struct OpInfo {
  std::string_view name;
  uint32_t traits;
};
constexpr std::array<OpInfo, kNumOps> kOpInfo = {{
#define TACHYON_OP(e, name, traits) {name, traits},
#include "tachyon/ir/ops.def"
#undef TACHYON_OP
}};
}  // namespace

std::string_view op_name(Op op) { return kOpInfo[static_cast<size_t>(op)].name; }
uint32_t op_traits(Op op) { return kOpInfo[static_cast<size_t>(op)].traits; }

std::optional<Op> op_from_name(std::string_view name) {
  for (size_t i = 0; i < kOpInfo.size(); ++i)
    if (kOpInfo[i].name == name) return static_cast<Op>(i);
  return std::nullopt;
}

namespace {
struct OpFacts {
  std::vector<std::string> slots, constants;
  std::string hls4ml_class, hls4ml_stem;
};
const std::vector<OpFacts>& facts() {
  static const std::vector<OpFacts> f = [] {
    std::vector<OpFacts> t(kNumOps);
    auto at = [&](Op op) -> OpFacts& { return t[static_cast<size_t>(op)]; };
#define TACHYON_OP_FACTS
#define TACHYON_OP(e, name, traits) at(Op::e).hls4ml_class = name;
#define TACHYON_OP_SLOTS(e, ...) at(Op::e).slots = {__VA_ARGS__};
#define TACHYON_OP_CONSTANTS(e, ...) at(Op::e).constants = {__VA_ARGS__};
#define TACHYON_OP_HLS4ML(e, cls, stem) \
  at(Op::e).hls4ml_class = cls;          \
  at(Op::e).hls4ml_stem = stem;
#include "tachyon/ir/ops.def"
#undef TACHYON_OP
#undef TACHYON_OP_SLOTS
#undef TACHYON_OP_CONSTANTS
#undef TACHYON_OP_HLS4ML
#undef TACHYON_OP_FACTS
    return t;
  }();
  return f;
}
}  // namespace

const std::vector<std::string>& op_type_slots(Op op) { return facts()[static_cast<size_t>(op)].slots; }

const std::vector<std::string>& op_constant_slots(Op op) { return facts()[static_cast<size_t>(op)].constants; }

std::string hls4ml_class(Op op, int spatial_rank) {
  const OpFacts& f = facts()[static_cast<size_t>(op)];
  if (!f.hls4ml_stem.empty() && (spatial_rank == 1 || spatial_rank == 2))
    return f.hls4ml_stem + std::to_string(spatial_rank) + "D";
  return f.hls4ml_class;
}

const std::vector<LayerTypeKey>& op_layer_type_keys() {
  static const std::vector<LayerTypeKey> k{
#define TACHYON_OP_FACTS
#define TACHYON_OP(e, name, traits)
#define TACHYON_OP_LAYER_TYPE(e, key) {key, Op::e, false},
#define TACHYON_OP_RANKED_LAYER_TYPE(e, stem) {stem, Op::e, true},
#include "tachyon/ir/ops.def"
#undef TACHYON_OP
#undef TACHYON_OP_LAYER_TYPE
#undef TACHYON_OP_RANKED_LAYER_TYPE
#undef TACHYON_OP_FACTS
  };
  return k;
}

}  // namespace tachyon::ir
