#include "tachyon/ir/op.h"
#include "tachyon/ir/op_facts.h"

#include <array>

#include "tachyon/support/error.h"

namespace tachyon::ir {

namespace {
// kNoFamily marks an op declared with TACHYON_OP instead of its family's macro.
constexpr auto kNoFamily = static_cast<Family>(0xff);
struct OpInfo {
  std::string_view name;
  uint32_t traits;
  Family family;
};

// Every family macro of ops.def as TACHYON_FAMILY_OP(Family, Enum, "name", traits).
#define TACHYON_DENSE_OP(e, name, traits) TACHYON_FAMILY_OP(Dense, e, name, traits)
#define TACHYON_CONV_OP(e, name, traits) TACHYON_FAMILY_OP(Conv, e, name, traits)
#define TACHYON_POOL_OP(e, name, traits) TACHYON_FAMILY_OP(Pool, e, name, traits)
#define TACHYON_TREE_OP(e, name, traits) TACHYON_FAMILY_OP(Tree, e, name, traits)
#define TACHYON_ACTIVATION_OP(e, name, traits) TACHYON_FAMILY_OP(Activation, e, name, traits)
#define TACHYON_SOFTMAX_OP(e, name, traits) TACHYON_FAMILY_OP(Softmax, e, name, traits)
#define TACHYON_ELEMENTWISE_OP(e, name, traits) TACHYON_FAMILY_OP(Elementwise, e, name, traits)
#define TACHYON_ELEMENT_QUANT_OP(e, name, traits) TACHYON_FAMILY_OP(ElementQuant, e, name, traits)
#define TACHYON_LAYOUT_OP(e, name, traits) TACHYON_FAMILY_OP(Layout, e, name, traits)
#define TACHYON_FRONTEND_OP(e, name, traits) TACHYON_FAMILY_OP(Frontend, e, name, traits)

constexpr std::array<OpInfo, kNumOps> kOpInfo = {{
#define TACHYON_OP(e, name, traits) {name, traits, kNoFamily},
#define TACHYON_FAMILY_OP(f, e, name, traits) {name, traits, Family::f},
#include "tachyon/ir/ops.def"
#undef TACHYON_OP
#undef TACHYON_FAMILY_OP
}};

constexpr bool every_op_has_a_family() {
  for (const OpInfo& i : kOpInfo)
    if (i.family == kNoFamily) return false;
  return true;
}
static_assert(every_op_has_a_family(),
              "an op in ops.def is declared with TACHYON_OP: declare it with its family's macro (TACHYON_ACTIVATION_OP, ...)");

// Position of each op among the ops of its family, in ops.def order.
constexpr std::array<int, kNumOps> kFamilyIndex = [] {
  std::array<int, kNumOps> idx{};
  for (size_t i = 0; i < kOpInfo.size(); ++i) {
    idx[i] = 0;
    for (size_t j = 0; j < i; ++j) idx[i] += kOpInfo[j].family == kOpInfo[i].family;
  }
  return idx;
}();

// The family enums (ir/op.h) come from the same lines, so each op's enumerator is its position.
#define TACHYON_OP(e, name, traits)
#define TACHYON_FAMILY_OP(f, e, name, traits) \
  static_assert(kFamilyIndex[static_cast<size_t>(Op::e)] == static_cast<int>(f##Op::e));
#include "tachyon/ir/ops.def"
#undef TACHYON_OP
#undef TACHYON_FAMILY_OP
#undef TACHYON_DENSE_OP
#undef TACHYON_CONV_OP
#undef TACHYON_POOL_OP
#undef TACHYON_TREE_OP
#undef TACHYON_ACTIVATION_OP
#undef TACHYON_SOFTMAX_OP
#undef TACHYON_ELEMENTWISE_OP
#undef TACHYON_ELEMENT_QUANT_OP
#undef TACHYON_LAYOUT_OP
#undef TACHYON_FRONTEND_OP
}  // namespace

std::string_view op_name(Op op) { return kOpInfo[static_cast<size_t>(op)].name; }
uint32_t op_traits(Op op) { return kOpInfo[static_cast<size_t>(op)].traits; }
Family op_family(Op op) { return kOpInfo[static_cast<size_t>(op)].family; }
int op_family_index(Op op) { return kFamilyIndex[static_cast<size_t>(op)]; }

std::string_view family_name(Family f) {
  switch (f) {
    case Family::Dense: return "Dense";
    case Family::Conv: return "Conv";
    case Family::Pool: return "Pool";
    case Family::Tree: return "Tree";
    case Family::Activation: return "Activation";
    case Family::Softmax: return "Softmax";
    case Family::Elementwise: return "Elementwise";
    case Family::ElementQuant: return "ElementQuant";
    case Family::Layout: return "Layout";
    case Family::Frontend: return "Frontend";
  }
  return "?";  // not reached: every family is listed
}

void family_mismatch(Op op, Family expected) {
  fail("internal error: op {} (family {}) reached the {} family's code", op_name(op), family_name(op_family(op)),
       family_name(expected));
}

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
