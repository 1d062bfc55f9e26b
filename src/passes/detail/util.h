// Helpers shared by the passes (not a pass; not a public header).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tachyon/fixed/fixed_type.h"
#include "tachyon/ir/graph.h"
#include "tachyon/support/error.h"

namespace tachyon::passes::detail {

// A diagnostic about node n: file = g.source_file, node = its model name, op = its op.
Diagnostic node_diag(const ir::Graph& g, const ir::Node& n, std::string message);
[[noreturn]] void node_fail(const ir::Graph& g, const ir::Node& n, std::string message);

// s == 2^k exactly (s > 0): sets *k.
bool is_pow2(double s, int* k);

// Cells of an AvgPool / GlobalAvgPool window: the kernel's size, or every input cell of a channel.
int64_t pool_cells(const ir::Graph& g, const ir::Node& n);
// hls4ml's pooling accumulator: a configured accum type widened by e = ceil(log2(cells)) bits,
// width + 2e and integer bits + e (integer-shaped types: + 2e integer bits).
FixedType widened_pool_accum(FixedType t, int64_t cells);

// Smallest F >= -1074 such that v * 2^F is an integer (0 for v == 0).
int frac_bits_of(double v);

// The narrowest type holding [lo, hi] with `frac` fraction bits (signed when `is_signed`,
// which must be true when lo < 0). Width is at least 1.
FixedType range_type(double lo, double hi, int frac, bool is_signed);

// The narrowest type holding every value exactly, or nullopt when it would be wider than
// max_width bits.
std::optional<FixedType> exact_type(const std::vector<double>& values, int max_width = 64);

// v converted to t (t's quantization then overflow), as a double.
double quantize(double v, const FixedType& t);

// Reads constant input `i` of n; throws a node diagnostic when it is not a constant.
const ir::Tensor& constant_input(const ir::Graph& g, const ir::Node& n, size_t i, const char* what);

// Node `id` (input 0: x, output 0: y) becomes the conversion y = x converted to t, placed
// as cheaply as possible: as the type of x when x is an untyped graph input read only by this
// node; as the result type of x's producer when that is an untyped compute layer (not a
// layout op, max pool, Cast or ElementQuant) whose output only this node reads; else the node
// becomes a Cast to t.
void place_conversion(ir::Graph& g, ir::NodeId id, const FixedType& t);

// Adds a constant next to node n's values (unique name derived from `base`).
ir::ValueId add_constant(ir::Graph& g, const std::string& base, ir::Tensor t,
                         std::optional<FixedType> type = std::nullopt);

}  // namespace tachyon::passes::detail
