// Tachyon's own implementation of the arbitrary-precision types used by HLS C++ code
// (ap_int<W>, ap_uint<W>, ap_fixed<W,I,Q,O,N>, ap_ufixed<W,I,Q,O,N>).
//
// Written from the documented semantics (UG1399) and the golden vectors in
// tests/data/golden/ap_fixed (see its README.md); no vendor code is used.  Header-only,
// no dependencies, C++11 or later, warning-free with -Wall -Wextra -Wpedantic.
//
// Layout:
//   ap_common.h            mode enums, forward declarations, detail headers
//   tachyon_ap/core.h      multiword primitives, quantization/overflow, double <-> bits
//   tachyon_ap/quirks.h    vendor behaviours we reproduce on purpose (documented there)
//   tachyon_ap/ops.h       exact add / sub / mul / div / shift / compare kernels
//   tachyon_ap/format.h    exact decimal / radix strings, string parsing
//   tachyon_ap/bits.h      raw storage shared by all types, bit and range references
//   tachyon_ap/int_base.h  ap_int_base, ap_int, ap_uint and their operators
//   tachyon_ap/fixed_base.h ap_fixed_base, ap_fixed, ap_ufixed and their operators
//   tachyon_ap/mixed.h     operators mixing ap_int / ap_fixed / C types, stream output
//
// Bit-exact with the vendor on everything the golden vectors cover (conversions from double
// and between fixed types, + - * and unary -, compound assignment, comparisons including
// the mixed-signedness quirks, to_double/to_float, ap_int from ap_fixed, shifts).  Vendor
// quirks reproduced on purpose are isolated in tachyon_ap/quirks.h (quirk_* functions).
// Our choices where the vendor is undefined, unverified or different:
//  * default construction gives 0 (the vendor leaves the value unspecified);
//  * to_string() defaults to radix 10 and is exact for every I (the vendor's is wrong when
//    I > W); radix 2/8/16 print "0b"/"0o"/"0x" plus the (signed) magnitude;
//  * ap_fixed / ap_int op float|double returns double; `x op= double` computes
//    `x.to_double() op d` in double, then converts once; comparisons with a double
//    compare `x.to_double()`;
//  * a C integer operand behaves as ap_int<bits of its type> (int -> ap_int<32>);
//  * ap_int vs ap_uint comparisons use the same C-like promotion rule as the fixed-point
//    ones (README note 9 applied to F = 0);
//  * x / y on fixed types: the vendor's result type (fraction bits of the dividend when
//    y has F >= 0), truncated toward zero; any division by zero gives 0;
//  * NaN converts to 0; subnormal doubles are decoded exactly (the vendor decodes them as
//    if normal, which only matters for more than ~1000 fraction bits); long double goes
//    through double;
//  * ap_int / ap_fixed from an ap_fixed with I < 0: truncation toward zero (the vendor
//    leaves the result undefined);
//  * AP_WRAP_SM follows UG1399's description (N = 0: sign := least significant dropped
//    bit, remaining bits inverted if it differs from the old MSB; N > 0: as AP_WRAP with
//    N saturation bits); not covered by the golden vectors;
//  * x[i] / x.range(hi, lo) outside the value read 0 and ignore writes (the vendor asserts);
//    range(hi, lo) with hi < lo reads / writes the bits in reversed order;
//  * no comma concatenation operator (a, b): use a.concat(b) -> ap_uint<Wa+Wb>;
//  * no `half`, no volatile overloads, no AP_INT_MAX_W limit (any W >= 1 works; widths up
//    to 64 use single 64-bit words, wider values fixed-size word arrays, never the heap).
// The raw storage `tachyon_w_` (canonical two's-complement words) is public for the free
// operators and tests only.
#ifndef TACHYON_AP_COMMON_H
#define TACHYON_AP_COMMON_H

// Quantization modes (bits below the LSB), vendor names and order.
enum ap_q_mode {
  AP_RND,          // to nearest, ties toward +inf
  AP_RND_ZERO,     // to nearest, ties toward 0
  AP_RND_MIN_INF,  // to nearest, ties toward -inf
  AP_RND_INF,      // to nearest, ties away from 0
  AP_RND_CONV,     // to nearest, ties to even
  AP_TRN,          // toward -inf (default)
  AP_TRN_ZERO      // toward 0
};

// Overflow modes (bits above the MSB), vendor names and order.
enum ap_o_mode {
  AP_SAT,       // clamp to [min, max]
  AP_SAT_ZERO,  // 0 on overflow
  AP_SAT_SYM,   // clamp to [-max, max]
  AP_WRAP,      // two's complement wrap (default); N saturation bits
  AP_WRAP_SM    // sign-magnitude wrap
};

// Defined for code that refers to it; not a limit here.
#ifndef AP_INT_MAX_W
#define AP_INT_MAX_W 1024
#endif

template <int W, bool S> class ap_int_base;
template <int W> class ap_int;
template <int W> class ap_uint;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N> class ap_fixed_base;
template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0> class ap_fixed;
template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0> class ap_ufixed;

#include "tachyon_ap/core.h"
#include "tachyon_ap/quirks.h"
#include "tachyon_ap/ops.h"
#include "tachyon_ap/format.h"
#include "tachyon_ap/bits.h"
#include "tachyon_ap/int_base.h"
#include "tachyon_ap/fixed_base.h"
#include "tachyon_ap/mixed.h"

#endif  // TACHYON_AP_COMMON_H
