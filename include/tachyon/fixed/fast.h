// Fast fixed-point path for types of width <= 64: integer-only (no doubles in the
// arithmetic), no heap, everything inline. Bit-exact with Fixed (fixed.h), which the
// tests check exhaustively for small types and on the golden vectors.
//
// Raw codes are carried in int64_t: signed types sign-extended, unsigned types
// zero-extended (an ap_ufixed<64,..> code is its bit pattern reinterpreted). A value is
// raw * 2^(-frac) with frac = W - I. Exact intermediate results (products, sums) are
// carried in i128 together with their frac.
//
// Typical inner loop (semantics.md §3 Dense, x: ap_fixed<16,6>, w: ap_fixed<16,6>,
// accum_t: ap_fixed<32,12>):
//
//   CastPlan to_acc(x_t.frac_bits() + w_t.frac_bits(), acc_t);  // product -> accum_t
//   CastPlan acc_add(acc_t.frac_bits(), acc_t);                  // acc += (same type)
//   int64_t acc = CastPlan(b_t.frac_bits(), acc_t).apply(bias_raw);
//   for (i...) acc = acc_add.apply(i128{acc} + to_acc.apply(i128{x[i]} * w[i]));
//
// Plans are built once (outside the loop) and are cheap to copy.
#pragma once

#include <cstdint>
#include <cstring>

#include "tachyon/fixed/bigint.h"
#include "tachyon/fixed/fixed_type.h"
#include "tachyon/fixed/vendor_quirks.h"

namespace tachyon {

// Can an exact value of type t be held in an i128 raw? (Products of two <=64-bit types
// fit unless both are unsigned and 64 bits wide.)
inline bool fits_i128(const FixedType& t) { return t.width <= 127 || (t.is_signed && t.width <= 128); }

namespace fast_detail {

// Everything about a destination type (width <= 64) the O step needs.
struct DstInfo {
  int width = 1;
  int frac = 0;
  Quant quant = Quant::TRN;
  Overflow overflow = Overflow::WRAP;  // effective mode (vendor quirk 4 applied)
  bool is_signed = true;
  int64_t lo = 0, hi = 0;      // q in [lo, hi] passes unchanged (AP_SAT_SYM: lo = kmin + 1)
  uint64_t hi_u = 0;           // hi as unsigned (ap_ufixed<64>: 2^64 - 1)
  int64_t sat_neg = 0, sat_pos = 0;  // results of a negative / positive overflow (SAT*)
  uint64_t mask = 0;                 // low W bits
  uint64_t keep = 0;                 // AP_WRAP, N > 0: bits kept from the wrap
  uint64_t pat_neg = 0, pat_pos = 0;  // AP_WRAP, N > 0: top-bit patterns

  DstInfo() = default;
  explicit DstInfo(const FixedType& t);  // t.width <= 64 (throws tachyon::Error otherwise)

  // Sign/zero extension of the low W bits.
  int64_t extend(uint64_t bits) const {
    if (is_signed) {
      int sh = 64 - width;
      return static_cast<int64_t>(bits << sh) >> sh;
    }
    return static_cast<int64_t>(bits & mask);
  }
  // Result of the O step when q (whose sign is `neg` and low 64 bits `low`) is outside
  // [lo, hi].
  int64_t on_overflow(bool neg, uint64_t low) const {
    if (overflow == Overflow::WRAP) return extend((low & keep) | (neg ? pat_neg : pat_pos));
    return neg ? sat_neg : sat_pos;
  }
  // O step for a quantized value q held in i128.
  int64_t finish(i128 q, bool* ovf) const {
    bool in = is_signed ? (q >= lo && q <= hi) : (q >= 0 && static_cast<u128>(q) <= hi_u);
    if (in) return static_cast<int64_t>(static_cast<uint64_t>(static_cast<u128>(q)));
    if (ovf) *ovf = true;
    return on_overflow(q < 0, static_cast<uint64_t>(static_cast<u128>(q)));
  }
  // raw * 2^s (s > 0), then the O step.
  int64_t finish_shl(i128 raw, int64_t s, bool* ovf) const;
  // raw * 2^(-s), s >= 128 (every bit of raw is below the rounding bit).
  int64_t finish_far(i128 raw, int64_t s, bool* ovf) const;
};

// Q step: floor(raw / 2^s) plus the rounding increment, for 0 < s < 128.
inline i128 quantize(i128 raw, int s, Quant quant) {
  i128 q = raw >> s;
  if (quant == Quant::TRN) return q;
  u128 rem = static_cast<u128>(raw) & ((static_cast<u128>(1) << s) - 1);
  if (rem == 0) return q;
  u128 half = static_cast<u128>(1) << (s - 1);
  bool up = false;
  switch (quant) {
    case Quant::TRN: break;
    case Quant::TRN_ZERO: up = q < 0; break;
    case Quant::RND: up = rem >= half; break;
    case Quant::RND_ZERO: up = rem > half || (rem == half && q < 0); break;
    case Quant::RND_MIN_INF: up = rem > half; break;
    case Quant::RND_INF: up = rem > half || (rem == half && q >= 0); break;
    case Quant::RND_CONV: up = rem > half || (rem == half && (q & 1)); break;
  }
  return q + (up ? 1 : 0);
}

// The common case in 64-bit arithmetic: raw fits in int64_t and 0 <= shift < 64.
inline int64_t quantize64(int64_t raw, int s, Quant quant) {
  int64_t q = raw >> s;
  if (quant == Quant::TRN) return q;
  uint64_t rem = static_cast<uint64_t>(raw) & ((uint64_t{1} << s) - 1);
  if (rem == 0) return q;
  uint64_t half = uint64_t{1} << (s - 1);
  bool up = false;
  switch (quant) {
    case Quant::TRN: break;
    case Quant::TRN_ZERO: up = q < 0; break;
    case Quant::RND: up = rem >= half; break;
    case Quant::RND_ZERO: up = rem > half || (rem == half && q < 0); break;
    case Quant::RND_MIN_INF: up = rem > half; break;
    case Quant::RND_INF: up = rem > half || (rem == half && q >= 0); break;
    case Quant::RND_CONV: up = rem > half || (rem == half && (q & 1)); break;
  }
  return q + (up ? 1 : 0);  // q <= 2^62: no overflow
}

inline int64_t cast_core(const DstInfo& d, i128 raw, int64_t shift, bool* ovf) {
  auto r64 = static_cast<int64_t>(raw);
  if (static_cast<i128>(r64) == raw && static_cast<uint64_t>(shift) < 64) {
    int64_t q = shift == 0 ? r64 : quantize64(r64, static_cast<int>(shift), d.quant);
    bool in = d.is_signed ? (q >= d.lo && q <= d.hi) : (q >= 0 && static_cast<uint64_t>(q) <= d.hi_u);
    if (in) return q;
    if (ovf) *ovf = true;
    return d.on_overflow(q < 0, static_cast<uint64_t>(q));
  }
  if (shift > 0) {
    if (shift >= 128) return d.finish_far(raw, shift, ovf);
    return d.finish(quantize(raw, static_cast<int>(shift), d.quant), ovf);
  }
  if (shift < 0) return d.finish_shl(raw, -shift, ovf);
  return d.finish(raw, ovf);
}

}  // namespace fast_detail

// A conversion from exact values raw * 2^(-src_frac) (raw in i128) to dst (width <= 64),
// precomputed once. apply() returns dst's raw code (sign-/zero-extended into int64_t)
// and sets *overflow (if non-null) to true when the O step changed the value.
struct CastPlan {
  fast_detail::DstInfo dst;
  int64_t shift = 0;  // src_frac - dst.frac_bits()

  CastPlan() = default;
  CastPlan(int64_t src_frac, const FixedType& to) : dst(to), shift(src_frac - to.frac_bits()) {}

  int64_t apply(i128 raw, bool* overflow = nullptr) const { return fast_detail::cast_core(dst, raw, shift, overflow); }
};

// Exact value raw * 2^(-src_frac) converted to dst (dst.width <= 64): Q then O of dst.
inline int64_t cast_raw(i128 raw, int src_frac, const FixedType& dst, bool* overflow = nullptr) {
  fast_detail::DstInfo d(dst);
  return fast_detail::cast_core(d, raw, int64_t{src_frac} - dst.frac_bits(), overflow);
}

// Conversion of doubles to one destination type, precomputed once.
struct DoubleCastPlan {
  fast_detail::DstInfo dst;

  DoubleCastPlan() = default;
  explicit DoubleCastPlan(const FixedType& to) : dst(to) {}

  // The exact double, then Q and O (±inf = ±2^1024; NaN gives 0 and sets *overflow).
  int64_t apply(double v, bool* overflow = nullptr) const {
    bool neg = false;
    uint64_t m = 0;
    int exp2 = 0;
    if (!vendor_quirks::decode_double(v, &neg, &m, &exp2)) {  // quirk 6 inside
      if (v != v) {  // NaN
        if (overflow) *overflow = true;
        return 0;
      }
      m = 1;  // ±inf behaves like ±2^1024
      exp2 = 1024;
    }
    auto sm = static_cast<int64_t>(m);
    return fast_detail::cast_core(dst, neg ? -sm : sm, -int64_t{exp2} - dst.frac, overflow);
  }
};

// Exact value of v converted to dst (dst.width <= 64), as Fixed::from_double.
inline int64_t from_double_raw(double v, const FixedType& dst, bool* overflow = nullptr) {
  return DoubleCastPlan(dst).apply(v, overflow);
}

namespace fast_detail {
double raw_to_double_slow(int64_t raw, const FixedType& t);
[[noreturn]] void throw_too_wide(const FixedType& t);
}  // namespace fast_detail

// Value of a raw code of t (t.width <= 64) as a double, correctly rounded.
inline double raw_to_double(int64_t raw, const FixedType& t) {
  int f = t.frac_bits();
  if (f < -960 || f > 1022 - 64) return fast_detail::raw_to_double_slow(raw, t);
  // One rounding (int -> double), then an exact scaling by a power of two.
  double d = t.is_signed ? static_cast<double>(raw) : static_cast<double>(static_cast<uint64_t>(raw));
  // 2^-f built from its bits (f in [-960, 958]: a normal double).
  uint64_t scale_bits = static_cast<uint64_t>(1023 - f) << 52;
  double scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return d * scale;
}

// ---- inline definitions ----------------------------------------------------------------

inline fast_detail::DstInfo::DstInfo(const FixedType& t)
    : width(t.width), frac(t.frac_bits()), quant(t.quant), overflow(t.overflow), is_signed(t.is_signed) {
  if (t.width < 1 || t.width > 64 || t.sat_bits < 0 || t.sat_bits > t.width) throw_too_wide(t);
  if (overflow == Overflow::SAT_SYM && vendor_quirks::sat_sym_acts_as_sat(t.is_signed, t.width))
    overflow = Overflow::SAT;
  mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  int64_t kmin = is_signed ? -static_cast<int64_t>(mask >> 1) - 1 : 0;
  int64_t kmax = static_cast<int64_t>(is_signed ? mask >> 1 : mask);  // unsigned: bit pattern
  hi = kmax;
  hi_u = is_signed ? static_cast<uint64_t>(kmax) : mask;
  lo = (overflow == Overflow::SAT_SYM && is_signed) ? kmin + 1 : kmin;
  switch (overflow) {
    case Overflow::WRAP: break;
    case Overflow::SAT: sat_neg = kmin; sat_pos = kmax; break;
    case Overflow::SAT_ZERO: sat_neg = 0; sat_pos = 0; break;
    case Overflow::SAT_SYM: sat_neg = is_signed ? -kmax : 0; sat_pos = kmax; break;
  }
  int n = overflow == Overflow::WRAP ? t.sat_bits : 0;
  keep = n == 0 ? mask : (width - n == 0 ? 0 : (uint64_t{1} << (width - n)) - 1);
  uint64_t top = mask & ~keep;  // the N bits above the kept ones
  if (n == 0) {
    pat_neg = pat_pos = 0;
  } else if (is_signed) {
    uint64_t msb = uint64_t{1} << (width - 1);
    pat_neg = msb;         // MSB := 1 (sign), next N-1 bits := 0
    pat_pos = top & ~msb;  // MSB := 0, next N-1 bits := 1
  } else {
    pat_neg = pat_pos = top;  // unsigned: top N bits := 1
  }
}

inline int64_t fast_detail::DstInfo::finish_shl(i128 raw, int64_t s, bool* ovf) const {
  // raw * 2^s fits iff raw is in [ceil(lo / 2^s), floor(hi / 2^s)].
  int sc = s > 126 ? 126 : static_cast<int>(s);
  i128 hi_in = is_signed ? (static_cast<i128>(hi) >> sc) : static_cast<i128>(static_cast<u128>(hi_u) >> sc);
  i128 lo_in = -((-static_cast<i128>(lo)) >> sc);
  if (raw >= lo_in && raw <= hi_in) return static_cast<int64_t>(static_cast<uint64_t>(static_cast<u128>(raw) << sc));
  if (ovf) *ovf = true;
  uint64_t low = s >= 64 ? 0 : static_cast<uint64_t>(static_cast<u128>(raw)) << s;
  return on_overflow(raw < 0, low);
}

inline int64_t fast_detail::DstInfo::finish_far(i128 raw, int64_t s, bool* ovf) const {
  // |raw| < 2^127 <= 2^(s-1): raw >= 0 always rounds to 0 (below half). raw < 0 gives
  // floor -1 with a discarded fraction above half, or exactly half when s == 128 and
  // raw == -2^127.
  if (raw >= 0) return finish(0, ovf);
  bool tie = s == 128 && raw == static_cast<i128>(static_cast<u128>(1) << 127);
  bool up = false;
  switch (quant) {
    case Quant::TRN: break;
    case Quant::TRN_ZERO: up = true; break;
    case Quant::RND: up = true; break;
    case Quant::RND_ZERO: up = true; break;
    case Quant::RND_MIN_INF: up = !tie; break;
    case Quant::RND_INF: up = !tie; break;
    case Quant::RND_CONV: up = true; break;  // tie: -1 is odd, round to even 0
  }
  return finish(up ? 0 : -1, ovf);
}

}  // namespace tachyon
