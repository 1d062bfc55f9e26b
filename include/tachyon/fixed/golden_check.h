// Evaluation of golden ap_fixed test vectors (tests/data/golden/ap_fixed/README.md) with
// the runtime core. Used by `tachyon fixed-check` and by the unit tests.
#pragma once

#include <string>
#include <string_view>

namespace tachyon {

struct GoldenCaseResult {
  std::string id;
  std::string op;
  bool passed = true;
  std::string inputs;    // the inputs, human readable
  std::string expected;  // the mismatching fields as recorded ("bits=0x1f value=3.875")
  std::string got;       // the same fields as computed
  bool fast_checked = false;  // the fast path (fast.h) was checked on this case too
};

// Runs one record (one JSON line of the golden schema) through the runtime core and
// compares every result field: bits, value strings, result/product types, comparison
// flags, doubles/floats (bits and repr), to_int/to_int64, and the inputs' own value
// strings. Where the types allow it (result width <= 64, exact intermediates within
// i128), casts and compound assignments are also run through the fast path (cast_raw,
// CastPlan, from_double_raw), whose bits and overflow flag must agree ("fast.*" fields). Throws tachyon::Error (without a line number; the caller adds it) if the line
// is not JSON, a field is missing or malformed, or the op is unknown.
GoldenCaseResult check_golden_line(std::string_view json_line);

}  // namespace tachyon
