// Graph ports: the user's layout of an input or output and the IR's internal one.
#pragma once

#include <cstdint>
#include <vector>

#include "tachyon/ir/tensor.h"

namespace tachyon::ir {

// A graph port's internal shape is its user shape permuted by `perm` (empty: the same layout).
// Returns, for every internal element in row-major order, its flat index in the user layout.
// Throws when `perm` does not map `user_shape` to `internal`.
std::vector<int64_t> user_index_map(const Shape& user_shape, const std::vector<int64_t>& perm, const Shape& internal);

}  // namespace tachyon::ir
