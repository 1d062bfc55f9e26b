// Op enum, traits and kernel families, generated from ops.def.
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

// Kernel families (ops.def): the ops one kernel of each executor computes. Executors switch
// over a family's own enum (ActivationOp, ...) in its kernel and over Family to dispatch, so
// a new op is a compile error exactly where its family is handled.
enum class Family : uint8_t {
  Dense,
  Conv,
  Pool,
  Tree,
  Activation,
  Softmax,
  Elementwise,
  ElementQuant,
  Layout,
  Frontend,
};

// The enum of family F's ops, in ops.def order: FamilyEnum<Family::Activation>::type is
// ActivationOp, whose enumerators have the ops' names.
template <Family F>
struct FamilyEnum;

#define TACHYON_OP(e, name, traits)
#define TACHYON_DENSE_OP(e, name, traits) e,
enum class DenseOp : uint16_t {
#include "tachyon/ir/ops.def"
};
#undef TACHYON_DENSE_OP
template <> struct FamilyEnum<Family::Dense> { using type = DenseOp; };

#define TACHYON_CONV_OP(e, name, traits) e,
enum class ConvOp : uint16_t {
#include "tachyon/ir/ops.def"
};
#undef TACHYON_CONV_OP
template <> struct FamilyEnum<Family::Conv> { using type = ConvOp; };

#define TACHYON_POOL_OP(e, name, traits) e,
enum class PoolOp : uint16_t {
#include "tachyon/ir/ops.def"
};
#undef TACHYON_POOL_OP
template <> struct FamilyEnum<Family::Pool> { using type = PoolOp; };

#define TACHYON_TREE_OP(e, name, traits) e,
enum class TreeOp : uint16_t {
#include "tachyon/ir/ops.def"
};
#undef TACHYON_TREE_OP
template <> struct FamilyEnum<Family::Tree> { using type = TreeOp; };

#define TACHYON_ACTIVATION_OP(e, name, traits) e,
enum class ActivationOp : uint16_t {
#include "tachyon/ir/ops.def"
};
#undef TACHYON_ACTIVATION_OP
template <> struct FamilyEnum<Family::Activation> { using type = ActivationOp; };

#define TACHYON_SOFTMAX_OP(e, name, traits) e,
enum class SoftmaxOp : uint16_t {
#include "tachyon/ir/ops.def"
};
#undef TACHYON_SOFTMAX_OP
template <> struct FamilyEnum<Family::Softmax> { using type = SoftmaxOp; };

#define TACHYON_ELEMENTWISE_OP(e, name, traits) e,
enum class ElementwiseOp : uint16_t {
#include "tachyon/ir/ops.def"
};
#undef TACHYON_ELEMENTWISE_OP
template <> struct FamilyEnum<Family::Elementwise> { using type = ElementwiseOp; };

#define TACHYON_ELEMENT_QUANT_OP(e, name, traits) e,
enum class ElementQuantOp : uint16_t {
#include "tachyon/ir/ops.def"
};
#undef TACHYON_ELEMENT_QUANT_OP
template <> struct FamilyEnum<Family::ElementQuant> { using type = ElementQuantOp; };

#define TACHYON_LAYOUT_OP(e, name, traits) e,
enum class LayoutOp : uint16_t {
#include "tachyon/ir/ops.def"
};
#undef TACHYON_LAYOUT_OP
template <> struct FamilyEnum<Family::Layout> { using type = LayoutOp; };

#define TACHYON_FRONTEND_OP(e, name, traits) e,
enum class FrontendOp : uint16_t {
#include "tachyon/ir/ops.def"
};
#undef TACHYON_FRONTEND_OP
template <> struct FamilyEnum<Family::Frontend> { using type = FrontendOp; };

#undef TACHYON_OP

Family op_family(Op op);
std::string_view family_name(Family f);
// The op's position in its family's enum.
int op_family_index(Op op);
[[noreturn]] void family_mismatch(Op op, Family expected);

// The op as a member of family F's enum; an op of another family is an internal error
// (tachyon::Error naming both).
template <Family F>
typename FamilyEnum<F>::type family_op(Op op) {
  if (op_family(op) != F) family_mismatch(op, F);
  return static_cast<typename FamilyEnum<F>::type>(op_family_index(op));
}

std::string_view op_name(Op op);
uint32_t op_traits(Op op);
inline bool has_trait(Op op, OpTrait t) { return (op_traits(op) & t) != 0; }
std::optional<Op> op_from_name(std::string_view name);

}  // namespace tachyon::ir
