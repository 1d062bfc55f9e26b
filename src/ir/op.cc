#include "tachyon/ir/op.h"

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

}  // namespace tachyon::ir
