// Op enum and traits, generated from ops.def.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tachyon::ir {

enum OpTrait : uint32_t {
  kElementwise = 1u << 0,
  kLayout = 1u << 1,
  kHasWeights = 1u << 2,
  kActivation = 1u << 3,
  kFrontendOnly = 1u << 4,
  kMerge = 1u << 5,
  kNoop = 1u << 6,
};

enum class Op : uint16_t {
#define TACHYON_OP(e, name, traits) e,
#include "tachyon/ir/ops.def"
#undef TACHYON_OP
};

inline constexpr int kNumOps = 0
#define TACHYON_OP(e, name, traits) +1
#include "tachyon/ir/ops.def"
#undef TACHYON_OP
    ;

std::string_view op_name(Op op);
uint32_t op_traits(Op op);
inline bool has_trait(Op op, OpTrait t) { return (op_traits(op) & t) != 0; }
std::optional<Op> op_from_name(std::string_view name);

}  // namespace tachyon::ir
