// An independent, deliberately slow and simple reference model of ap_fixed conversion,
// used by the exhaustive tests. It shares no code with the core: values are exact
// rationals num/den held in i128 (small types only), quantization picks between the
// explicit floor and ceiling by comparing with the midpoint, overflow handling works on
// an explicit array of bits. The vendor quirks are restated here from the golden README.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>

#include "tachyon/fixed/fixed_type.h"

namespace tachyon::ref {

__extension__ typedef __int128 i128;

inline i128 pow2(int k) {
  if (k < 0 || k > 125) throw std::logic_error("reference: power of two out of range");
  i128 r = 1;
  for (int i = 0; i < k; ++i) r *= 2;
  return r;
}

// Mathematical floor of num/den (den > 0).
inline i128 floor_div(i128 num, i128 den) {
  i128 q = num / den;  // truncates toward zero
  if (q * den > num) q -= 1;
  return q;
}

// Exact rational value num/den, den > 0.
struct Rational {
  i128 num;
  i128 den;
};

// Value of code k of a type with `frac` fraction bits.
inline Rational value_of(i128 k, int frac) {
  if (frac >= 0) return {k, pow2(frac)};
  return {k * pow2(-frac), 1};
}

// Q step: the integer number of LSBs (2^-frac) that x rounds to.
inline i128 quantize(Rational x, int frac, Quant q) {
  // y = x * 2^frac = num / den
  i128 num = x.num, den = x.den;
  if (frac >= 0)
    num *= pow2(frac);
  else
    den *= pow2(-frac);
  i128 lo = floor_div(num, den);
  if (lo * den == num) return lo;  // exact
  i128 hi = lo + 1;
  // Compare y with the midpoint (lo + hi) / 2, i.e. 2*num with (lo + hi) * den.
  i128 two_num = 2 * num, mid = (lo + hi) * den;
  bool below = two_num < mid, above = two_num > mid;
  bool positive = num > 0;
  switch (q) {
    case Quant::TRN: return lo;
    case Quant::TRN_ZERO: return positive ? lo : hi;
    case Quant::RND: return below ? lo : hi;
    case Quant::RND_ZERO: return below ? lo : above ? hi : (positive ? lo : hi);
    case Quant::RND_MIN_INF: return above ? hi : lo;
    case Quant::RND_INF: return below ? lo : above ? hi : (positive ? hi : lo);
    case Quant::RND_CONV: return below ? lo : above ? hi : (lo % 2 == 0 ? lo : hi);
  }
  throw std::logic_error("bad quant");
}

// O step on the quantized integer q for a W-bit type. *changed := result != q.
inline i128 overflow(i128 q, const FixedType& t, bool* changed) {
  int w = t.width;
  i128 kmin = t.is_signed ? -pow2(w - 1) : 0;
  i128 kmax = t.is_signed ? pow2(w - 1) - 1 : pow2(w) - 1;
  Overflow mode = t.overflow;
  // Vendor quirk (README note 2): signed 1-bit AP_SAT_SYM behaves as AP_SAT.
  if (mode == Overflow::SAT_SYM && t.is_signed && w == 1) mode = Overflow::SAT;
  i128 r;
  if (q >= kmin && q <= kmax) {
    r = q;
    if (mode == Overflow::SAT_SYM && t.is_signed && q == kmin) r = -kmax;  // never the most negative code
  } else if (mode == Overflow::SAT) {
    r = q < 0 ? kmin : kmax;
  } else if (mode == Overflow::SAT_ZERO) {
    r = 0;
  } else if (mode == Overflow::SAT_SYM) {
    r = q < 0 ? (t.is_signed ? -kmax : 0) : kmax;
  } else {
    // AP_WRAP: the low W bits of q, as an explicit bit array (index 0 = LSB).
    i128 m = pow2(w);
    i128 u = q % m;
    if (u < 0) u += m;
    std::array<int, 130> bits{};
    for (int i = 0; i < w; ++i) bits[static_cast<size_t>(i)] = static_cast<int>((u >> i) & 1);
    int n = t.sat_bits;
    if (n > 0) {
      if (t.is_signed) {
        bool neg = q < 0;
        bits[static_cast<size_t>(w - 1)] = neg ? 1 : 0;
        for (int j = 1; j < n; ++j) bits[static_cast<size_t>(w - 1 - j)] = neg ? 0 : 1;
      } else {
        for (int j = 0; j < n; ++j) bits[static_cast<size_t>(w - 1 - j)] = 1;
      }
    }
    r = 0;
    for (int i = w - 1; i >= 0; --i) r = 2 * r + bits[static_cast<size_t>(i)];
    if (t.is_signed && bits[static_cast<size_t>(w - 1)]) r -= m;
  }
  if (changed) *changed = r != q;
  return r;
}

// Conversion of the exact value x to t: the code k of the result.
inline i128 convert(Rational x, const FixedType& t, bool* changed = nullptr) {
  return overflow(quantize(x, t.frac_bits(), t.quant), t, changed);
}

// All codes of a type, in increasing order.
inline i128 min_code(const FixedType& t) { return t.is_signed ? -pow2(t.width - 1) : 0; }
inline i128 max_code(const FixedType& t) { return t.is_signed ? pow2(t.width - 1) - 1 : pow2(t.width) - 1; }

}  // namespace tachyon::ref
