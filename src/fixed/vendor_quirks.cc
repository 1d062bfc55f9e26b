// Vendor quirks that need more than a line (see include/tachyon/fixed/vendor_quirks.h).
#include "tachyon/fixed/vendor_quirks.h"

#include <algorithm>

namespace tachyon::vendor_quirks {

// Quirk 1 (README note 9). The vendor compares the aligned operands as C integers of
// the widths below, so the usual arithmetic conversions turn a negative signed operand
// into a huge unsigned one in the cases described in the header.
FixedCmpResult mixed_signedness_compare(const BigInt& xa, int wa, bool sa, const BigInt& xb, int wb, bool sb) {
  (void)sb;
  const BigInt& xs = sa ? xa : xb;  // the signed operand
  int ws = sa ? wa : wb, wu = sa ? wb : wa;
  int wmax = std::max(wa, wb);

  // Relational operators.
  BigInt ra = xa, rb = xb;
  if (!(ws < 32 && wu < 32) && wu >= ws && xs.is_negative()) {
    BigInt reinterpreted = xs + BigInt::pow2(wmax + 1);  // x + 2^M, M = max width + 1
    (sa ? ra : rb) = reinterpreted;
  }
  auto rel = ra <=> rb;

  // Equality operators.
  bool eq;
  if (wa == wb && wa <= 64)
    eq = xa.wrap_unsigned(64) == xb.wrap_unsigned(64);
  else {
    int l = std::max(wmax, 32);
    eq = xa.wrap_unsigned(l) == xb.wrap_unsigned(l);
  }
  return FixedCmpResult{rel < 0, rel <= 0, rel > 0, rel >= 0, eq, !eq};
}

}  // namespace tachyon::vendor_quirks
