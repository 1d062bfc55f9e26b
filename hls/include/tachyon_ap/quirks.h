// Vendor behaviours reproduced ON PURPOSE for bit compatibility with the reference headers
// (see tests/data/golden/ap_fixed/README.md).  These are not our design; each function is
// named quirk_* and documents the rule it reproduces.  (quirk_sat_sym_neg_w1 lives in
// core.h because the conversion core needs it.)
#ifndef TACHYON_AP_QUIRKS_H
#define TACHYON_AP_QUIRKS_H

#include <cstring>

namespace tachyon {
namespace ap {

// Exact three-way comparison of (a << sa) and (b << sb) (sa, sb >= 0).
inline int cmp_exact(const Src& a, int sa, const Src& b, int sb) {
  if (a.neg() != b.neg()) return a.neg() ? -1 : 1;
  int top_a = a.nw + (sa + 63) / 64, top_b = b.nw + (sb + 63) / 64;
  int top = top_a > top_b ? top_a : top_b;
  for (int k = top; k >= 0; --k) {
    u64 x = a.get64(64 * k - sa), y = b.get64(64 * k - sb);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

// Three-way comparison of ((a << sa) mod 2^M) and ((b << sb) mod 2^M) as unsigned numbers.
inline int cmp_mod(const Src& a, int sa, const Src& b, int sb, int M) {
  for (int k = (M - 1) / 64; k >= 0; --k) {
    u64 m = low_mask(M - 64 * k);
    u64 x = a.get64(64 * k - sa) & m, y = b.get64(64 * k - sb) & m;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

// Widths of the two operands after the vendor aligns their binary points: the one with
// fewer fraction bits is widened by the difference, and if that is the left operand, by one
// more integer bit.
inline void quirk_aligned_widths(int wa, int fa, int wb, int fb, int& wa2, int& wb2) {
  wa2 = wa + (fa < fb ? fb - fa + 1 : 0);
  wb2 = wb + (fb < fa ? fa - fb : 0);
}

// VENDOR QUIRK (README note 9): comparisons between a signed and an unsigned operand
// compare the aligned raw integers with C-like promotion rules instead of exactly.
// Returns M > 0 when the comparison is done on the two's-complement images modulo 2^M
// (as unsigned numbers), or -1 when it is exact.
//  * < <= > >=: exact if both aligned widths are < 32 (promotion to int); otherwise, when
//    the unsigned operand's aligned width is >= the signed one's, the signed value is
//    reinterpreted as unsigned modulo 2^M, M = max(width) + 1.  E.g.
//    ap_fixed<40,20>(-1) < ap_ufixed<40,20>(1) is false.
//  * == !=: equal aligned widths <= 64 compare the 64-bit containers (signed
//    sign-extended, unsigned zero-extended; M = 64); otherwise both are extended to
//    max(width, 32) bits and compared unsigned.  E.g.
//    ap_fixed<42,2>(-2) == ap_ufixed<39,23>(8388606) is true.
inline int quirk_mixed_cmp_modulus(bool equality, bool sga, bool sgb, int wa2, int wb2) {
  if (sga == sgb) return -1;
  int wmax = wa2 > wb2 ? wa2 : wb2;
  if (equality) {
    if (wa2 == wb2 && wa2 <= 64) return 64;
    return wmax < 32 ? 32 : wmax;
  }
  if (wa2 < 32 && wb2 < 32) return -1;
  int ws = sga ? wa2 : wb2, wu = sga ? wb2 : wa2;
  if (wu < ws) return -1;
  return wmax + 1;
}

// VENDOR QUIRK (README note 7): converting a *signed* ap_fixed with I == 0 to an integer
// (ap_int/ap_uint, to_int(), to_int64(), ...) gives -1 for every negative non-zero value
// instead of truncating toward zero to 0.
inline bool quirk_int_from_fixed_i0(bool S, int I, bool negative) { return S && I == 0 && negative; }

// VENDOR QUIRK (README note 8): to_float() assembles the IEEE single bits from the
// correctly rounded 24-bit significand and the unbounded exponent, keeping only the low 8
// bits of the biased exponent: exact for normal results, garbage (wrapped exponent) when
// the result would overflow (|x| >= 2^128) or be subnormal (|x| < 2^-126).
inline float quirk_to_float(const u64* mag, int nw, bool neg, int F) {
  int h = top_bit(mag, nw);
  if (h < 0) return 0.0f;
  u64 mant = round_significand(mag, nw, h, 24);
  int e = h - F;
  unsigned bits = (neg ? 0x80000000U : 0U) | ((static_cast<unsigned>(e + 127) & 0xffU) << 23) |
                  static_cast<unsigned>(mant & 0x7fffffU);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

template <int NW> inline float words_to_float(const u64* p, bool S, int F) {
  if (NW == 1) {
    bool neg = S && (p[0] >> 63);
    u64 m = neg ? (~p[0] + 1) : p[0];
    if (m == 0) return 0.0f;
    int e = 63 - __builtin_clzll(m) - F;
    if (e >= -126 && e <= 127) {
      // (float) of a 64-bit integer is correctly rounded; the scaling is exact here.
      float v = S ? static_cast<float>(static_cast<i64>(p[0])) : static_cast<float>(p[0]);
      return static_cast<float>(static_cast<double>(v) * __builtin_ldexp(1.0, -F));
    }
  }
  u64 mag[NW];
  bool neg = magnitude(mag, p, NW, S);
  return quirk_to_float(mag, NW, neg, F);
}

}  // namespace ap
}  // namespace tachyon

#endif  // TACHYON_AP_QUIRKS_H
