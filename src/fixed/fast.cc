// Out-of-line parts of the fast path (fast.h).
#include "tachyon/fixed/fast.h"

#include "tachyon/fixed/fixed.h"
#include "tachyon/support/error.h"

namespace tachyon::fast_detail {

double raw_to_double_slow(int64_t raw, const FixedType& t) {
  BigInt bits = t.is_signed ? BigInt(raw) : BigInt::from_u64(static_cast<uint64_t>(raw));
  return Fixed::from_raw(bits, t).to_double();
}

void throw_too_wide(const FixedType& t) {
  fail("fast fixed-point path: type {} is not supported (needs width 1..64 and sat bits 0..W)", t.str());
}

}  // namespace tachyon::fast_detail
