// Vendor quirks: behaviour of the vendor's ap_fixed headers that is NOT our design but
// that we reproduce on purpose, because the generated HLS code is compiled against those
// headers and the emulator must produce the same bits. Every quirk is observed in the
// golden vectors (tests/data/golden/ap_fixed/README.md, "Semantics observed") and lives
// here, one named function each, so nobody mistakes it for intended semantics.
//
// Summary (README note numbers in brackets):
//  1. mixed_signedness_compare   [9]  C integer-promotion artefacts when comparing
//                                     ap_fixed with ap_ufixed at >= 32 bits.
//  2. apint_from_signed_i0       [7]  ap_int/to_int()/to_int64() of a signed I=0 value:
//                                     every negative non-zero value gives -1 (not 0).
//  3. float_bits_out_of_range    [8]  to_float() when the float would overflow or be
//                                     subnormal: the exponent field wraps modulo 256.
//  4. sat_sym_acts_as_sat        [2]  AP_SAT_SYM on a signed 1-bit type acts as AP_SAT:
//                                     -2^(I-1) is kept, and negative overflow gives it.
//  5. ndebug_rounding_beyond_msb [11] fixed->fixed rounding when every source bit lies
//                                     below the target's rounding bit: the asserting
//                                     header aborts; the NDEBUG one gives the textbook
//                                     result, which is what we compute (no code needed).
//  6. decode_double              [3]  subnormal doubles are decoded as if normal
//                                     (exponent -1023, implicit leading 1).
#pragma once

#include <cstdint>
#include <cstring>

#include "tachyon/fixed/bigint.h"

namespace tachyon {

struct FixedCmpResult {
  bool lt, le, gt, ge, eq, ne;
  bool operator==(const FixedCmpResult&) const = default;
};

namespace vendor_quirks {

// Quirk 1 (README note 9). xa, xb are the operands' raw integers already aligned to the
// same binary point; wa, wb the widths the vendor uses for the aligned operands (the one
// with fewer fraction bits is widened by the fraction difference, plus one integer bit if
// it is the left operand). Exactly one of sa, sb is true. Returns what the vendor's
// <, <=, >, >=, ==, != give, which differs from exact math as follows:
//  * <, <=, >, >=: exact if both widths are < 32; otherwise, if the unsigned operand is
//    at least as wide as the signed one, the signed value is reinterpreted as unsigned
//    (x + 2^M for x < 0, M = max width + 1) before comparing; otherwise exact.
//  * ==, !=: equal widths <= 64 compare the 64-bit containers (signed sign-extended,
//    unsigned zero-extended); otherwise both are truncated to max(wa, wb, 32) bits and
//    compared as unsigned.
FixedCmpResult mixed_signedness_compare(const BigInt& xa, int wa, bool sa, const BigInt& xb, int wb, bool sb);

// Quirk 2 (README note 7): conversion of an ap_fixed to ap_int/ap_uint (and to_int(),
// to_int64()) truncates toward zero, except that for a signed source with I == 0 every
// negative non-zero value converts to -1. Returns true when the quirk applies; the caller
// then uses -1 instead of trunc(x) (= 0).
inline bool apint_from_signed_i0(bool src_signed, int src_int_bits, const BigInt& src_raw) {
  return src_signed && src_int_bits == 0 && src_raw.is_negative();
}

// Quirk 3 (README note 8): to_float() rounds |x| to a 24-bit significand (round half to
// even), giving x ~ sig * 2^(exp - 23) with 2^23 <= sig < 2^24, then packs
// sign | (exp + 127) << 23 | (sig - 2^23). For -126 <= exp <= 127 that is the correct
// float; outside (overflow or subnormal range) the vendor does not clamp: the exponent
// field wraps modulo 256, giving garbage (even NaN). This packs those bits.
inline uint32_t float_bits_out_of_range(bool negative, int64_t exp, uint32_t sig24) {
  uint32_t e = static_cast<uint32_t>(static_cast<uint64_t>(exp + 127) & 0xff);
  return (negative ? 0x80000000u : 0u) | (e << 23) | (sig24 & 0x7fffffu);
}

// Quirk 4 (README note 2): AP_SAT_SYM on a signed type clamps to +-kmax and never
// produces the most negative code kmin (kmin itself maps to -kmax). For W = 1 (range
// {-2^(I-1), 0}, kmax = 0) the vendor instead behaves exactly like AP_SAT: kmin stays
// kmin, and a negative overflow gives kmin (pattern 1), not 0. Returns true when AP_SAT_SYM
// must be treated as AP_SAT.
inline bool sat_sym_acts_as_sat(bool is_signed, int width) { return is_signed && width == 1; }

// Quirk 5 (README note 11): fixed->fixed conversion with quantization where the source
// has more than W_src extra fraction bits (F_src - F_dst > W_src: every source bit lies
// below the target's rounding bit). The vendor header then reads a bit beyond the
// source's MSB: with assertions enabled it aborts, with -DNDEBUG (W_src <= 64) it reads
// the sign bit, which gives the textbook result. The golden vectors ("ndebug": true) were
// made with NDEBUG, and the textbook result is what convert_exact() computes, so no code
// path differs; this predicate only names the cases (also `acc *= b` when the product's
// extra fraction bits exceed the product width). For W_src > 64 the vendor's result is
// unverified; we give the textbook one.
inline bool ndebug_rounding_beyond_msb(int src_width, int64_t extra_frac_bits) {
  return extra_frac_bits > src_width;
}

// Quirk 6 (README note 3): the vendor decodes a double from its fields; a subnormal
// (exponent field 0) is taken as if normal with exponent -1023 and an implicit leading
// one: value = (2^52 + fraction) * 2^(-1023-52). Normal doubles: (2^52 + fraction) *
// 2^(e-1075). Returns false for inf/NaN (exponent field 2047); ±0 gives mantissa 0.
// Output: x = (negative ? -1 : 1) * mantissa * 2^exp2.
inline bool decode_double(double v, bool* negative, uint64_t* mantissa, int* exp2) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  *negative = (bits >> 63) != 0;
  int e = static_cast<int>((bits >> 52) & 0x7ff);
  uint64_t frac = bits & ((uint64_t{1} << 52) - 1);
  if (e == 0x7ff) return false;
  if (e == 0 && frac == 0) {
    *mantissa = 0;
    *exp2 = 0;
    return true;
  }
  // The implicit one is added even when e == 0 (IEEE: subnormal = frac * 2^-1074).
  *mantissa = frac | (uint64_t{1} << 52);
  *exp2 = e - 1075;
  return true;
}

}  // namespace vendor_quirks
}  // namespace tachyon
