// The per-element quantizer (Op::ElementQuant): every element of x has its own fixed-point
// type, as HGQ's FixedPointQuantizer gives it.
//
//   inputs  [x, keep_negative, bits, integers]; the last three are constants (small integers
//           stored as doubles) that broadcast to x's IR shape with numpy's rules (a scalar,
//           one value per last-axis element, x's full shape, ... ; extra leading axes of
//           size 1 are allowed)
//   attrs   rounding  (an ap_fixed quantization mode as FixedType spells it, "AP_TRN",
//                      "AP_RND", ...; default AP_TRN)
//           overflow  ("AP_WRAP", "AP_SAT", "AP_SAT_SYM", ...; default AP_WRAP)
//   y_i = x_i converted to ap_fixed<B_i, I_i, rounding, overflow> when keep_negative_i != 0,
//         to ap_ufixed<B_i, I_i, rounding, overflow> otherwise, with B_i = bits_i (sign bit
//         included) and I_i = integers_i (sign bit included, may be negative or above B_i);
//   B_i == 0: the element is pruned, y_i = 0.
// The output value's type is the container: the narrowest type holding every element's type
// exactly (element_quant_container), so the per-element types carry the information.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tachyon/fixed/bigint.h"
#include "tachyon/fixed/fixed_type.h"
#include "tachyon/ir/graph.h"

namespace tachyon::ir {

// Limits of the per-element types: 0 <= bits <= 64 (the fast fixed-point path), |integers|
// <= kMaxParsedIntBits, and the container at most kMaxParsedWidth bits wide.
inline constexpr int kElementQuantMaxBits = 64;

// Every problem with node n as an ElementQuant (empty when it is valid): input count, the
// three constants (present, broadcastable to x, finite integers, bits in range), the
// rounding / overflow attributes and the container's width. Messages do not name the node;
// the caller does (the IR verifier reports them with the node and op).
std::vector<std::string> element_quant_problems(const Graph& g, const Node& n);

// The per-element types, row-major over x's IR shape (nullopt: the element is pruned).
// Throws tachyon::Error naming the file, node and op when the node is not valid.
std::vector<std::optional<FixedType>> element_quant_types(const Graph& g, const Node& n);

// The node's output type: signed when any element is signed, fraction bits the maximum over
// the elements, integer bits the maximum over the elements (plus one for an unsigned element
// in a signed container), AP_TRN / AP_WRAP. Every element's value is exact in it.
FixedType element_quant_container(const Graph& g, const Node& n);
// The same for a list of element types; ap_ufixed<1,1> when every element is pruned.
FixedType element_quant_container(const std::vector<std::optional<FixedType>>& types);

// What downstream arithmetic may assume about element i of the output: its value is
// code * 2^-frac with code in [lo, hi] (the range of the element's own type; a pruned
// element is the constant 0 with frac 0). Lets adders after a quantizer be sized per
// element instead of by the container.
struct ElementRange {
  std::optional<FixedType> type;  // the element's type (nullopt: pruned)
  BigInt lo, hi;
  int frac = 0;
};
std::vector<ElementRange> element_quant_ranges(const Graph& g, const Node& n);

// A value of the constants at element i (row-major over `to`) under numpy broadcasting;
// t must broadcast to `to` (element_quant_problems checks it).
double broadcast_at(const Tensor& t, const Shape& to, int64_t i);

}  // namespace tachyon::ir
