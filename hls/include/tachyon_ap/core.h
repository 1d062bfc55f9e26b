// Core arithmetic on raw two's-complement words (detail of ap_common.h).
//
// Representation used everywhere: a W-bit value is stored in NW = ceil(W/64) 64-bit words,
// least significant first, in *canonical* form: the unused bits of the top word repeat the
// sign bit (signed) or are zero (unsigned).  A fixed-point value is raw * 2^(I-W); all
// operations align binary points exactly, compute the exact result, and only conversions
// into a type quantize (7 modes) and handle overflow (5 modes, N saturation bits).
#ifndef TACHYON_AP_CORE_H
#define TACHYON_AP_CORE_H

#include <cstring>

namespace tachyon {
namespace ap {

typedef unsigned long long u64;
typedef long long i64;
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

template <int W> struct nwords { static const int value = (W + 63) / 64; };

// Low n bits set (n may be <= 0 or >= 64).
inline u64 low_mask(int n) { return n >= 64 ? ~0ULL : (n <= 0 ? 0ULL : ((1ULL << n) - 1)); }

// Floor division of a bit position by 64 (positions may be negative).
inline int word_index(int pos) { return pos >= 0 ? pos / 64 : -((-pos + 63) / 64); }

// Restore the canonical form of a W-bit value held in nw >= ceil(W/64) words: every bit
// from position W up repeats the sign bit (signed) or is zero (unsigned).
inline void normalize(u64* p, int nw, int W, bool S) {
  int k = W / 64, r = W % 64;  // bit W is bit r of word k
  if (k >= nw) return;
  u64 ext;
  if (r == 0) {
    ext = S ? static_cast<u64>(static_cast<i64>(p[k - 1]) >> 63) : 0ULL;
    p[k] = ext;
  } else {
    p[k] = S ? static_cast<u64>(static_cast<i64>(p[k] << (64 - r)) >> (64 - r)) : (p[k] & low_mask(r));
    ext = S ? static_cast<u64>(static_cast<i64>(p[k]) >> 63) : 0ULL;
  }
  for (int i = k + 1; i < nw; ++i) p[i] = ext;
}

inline u64 normalize1(u64 v, int W, bool S) {
  if (W >= 64) return v;
  if (S) return static_cast<u64>(static_cast<i64>(v << (64 - W)) >> (64 - W));
  return v & low_mask(W);
}

// A read-only view of an infinite two's-complement integer: words p[0..nw), then `ext`
// (all zeros or all ones) forever.
struct Src {
  const u64* p;
  int nw;
  u64 ext;
  Src(const u64* words, int n, bool s)
      : p(words), nw(n), ext(s ? static_cast<u64>(static_cast<i64>(words[n - 1]) >> 63) : 0ULL) {}
  Src(const u64* words, int n, bool, u64 e) : p(words), nw(n), ext(e) {}
  bool neg() const { return ext != 0; }
  u64 word(int k) const { return k < 0 ? 0ULL : (k >= nw ? ext : p[k]); }
  // Bits [pos, pos+64) of the integer; bits at negative positions are 0.
  u64 get64(int pos) const {
    int k = word_index(pos);
    int b = pos - 64 * k;
    u64 lo = word(k);
    if (b == 0) return lo;
    return (lo >> b) | (word(k + 1) << (64 - b));
  }
  int bit(int pos) const {
    if (pos < 0) return 0;
    return static_cast<int>((word(pos / 64) >> (pos % 64)) & 1U);
  }
  bool is_zero() const {
    if (ext) return false;
    for (int i = 0; i < nw; ++i)
      if (p[i]) return false;
    return true;
  }
  // Any bit set in [0, pos)?
  bool any_below(int pos) const {
    if (pos <= 0) return false;
    int k = pos / 64, b = pos % 64;
    int full = k < nw ? k : nw;
    for (int i = 0; i < full; ++i)
      if (p[i]) return true;
    if (k > nw && ext) return true;
    if (b && (word(k) & low_mask(b))) return true;
    return false;
  }
};

// Classification of floor(src / 2^pos).
enum { K_ZERO = 0, K_MONE = 1, K_POS = 2, K_NEG = 3 };

inline int classify_above(const Src& s, int pos) {
  int other = s.ext ? K_NEG : K_POS;
  if (pos <= 0) {
    if (s.is_zero()) return K_ZERO;
    if (pos < 0 || !s.ext) return other;
    for (int i = 0; i < s.nw; ++i)
      if (s.p[i] != ~0ULL) return other;
    return K_MONE;
  }
  int k = pos / 64, b = pos % 64;
  if (k < s.nw) {
    if ((s.p[k] >> b) != (s.ext >> b)) return other;
    for (int i = k + 1; i < s.nw; ++i)
      if (s.p[i] != s.ext) return other;
  }
  return s.ext ? K_MONE : K_ZERO;
}

// Are all bits in [from, to) of p equal to `one`?
inline bool bits_all(const u64* p, int from, int to, bool one) {
  for (int pos = from; pos < to;) {
    int k = pos / 64, b = pos % 64;
    int n = 64 - b;
    if (pos + n > to) n = to - pos;
    u64 m = low_mask(n) << b;
    u64 w = p[k] & m;
    if (one ? (w != m) : (w != 0)) return false;
    pos += n;
  }
  return true;
}

inline void set_bits(u64* p, int from, int to, bool one) {
  for (int pos = from; pos < to;) {
    int k = pos / 64, b = pos % 64;
    int n = 64 - b;
    if (pos + n > to) n = to - pos;
    u64 m = low_mask(n) << b;
    p[k] = one ? (p[k] | m) : (p[k] & ~m);
    pos += n;
  }
}

inline void set_bit(u64* p, int pos, bool one) {
  u64 m = 1ULL << (pos % 64);
  p[pos / 64] = one ? (p[pos / 64] | m) : (p[pos / 64] & ~m);
}

inline int get_bit(const u64* p, int pos) { return static_cast<int>((p[pos / 64] >> (pos % 64)) & 1U); }

// Rounding increment for quantization mode q, given the sign of the exact value, the first
// dropped bit (half), whether any lower dropped bit is set (sticky) and the kept LSB.
inline bool round_increment(int q, bool neg, bool half, bool sticky, bool lsb) {
  switch (q) {
    case AP_TRN: return false;
    case AP_TRN_ZERO: return neg && (half || sticky);
    case AP_RND: return half;
    case AP_RND_ZERO: return half && (sticky || neg);
    case AP_RND_MIN_INF: return half && sticky;
    case AP_RND_INF: return half && (sticky || !neg);
    case AP_RND_CONV: return half && (sticky || lsb);
    default: return false;
  }
}

// VENDOR QUIRK (README note 2): a signed 1-bit AP_SAT_SYM type has the range {-2^(I-1), 0};
// on negative overflow the vendor returns the minimum (pattern 1) instead of -max (= 0).
inline bool quirk_sat_sym_neg_w1(int W) { return W == 1; }

// ---- overflow handling on a single word (W <= 64) -------------------------------------
// q is the exact quantized value, known not to fit the W-bit target.
inline u64 overflow_small(i128 q, int W, bool S, int O, int N) {
  bool pos = q > 0;
  u64 kmax = S ? low_mask(W - 1) : low_mask(W);
  u64 kmin = S ? (1ULL << (W - 1)) : 0ULL;  // raw pattern of the minimum
  switch (O) {
    case AP_SAT: return pos ? kmax : kmin;
    case AP_SAT_ZERO: return 0;
    case AP_SAT_SYM:
      if (!S) return pos ? kmax : kmin;
      if (pos) return kmax;
      return quirk_sat_sym_neg_w1(W) ? kmin : (kmin | 1ULL);  // -kmax
    case AP_WRAP_SM: {
      u64 r = static_cast<u64>(q);
      if (N == 0 && S) {
        // Sign-magnitude wrap (UG1399): the sign becomes the least significant dropped
        // bit; if it differs from the old MSB the remaining bits are inverted.
        int dropped = static_cast<int>((q >> W) & 1);
        int msb = static_cast<int>((r >> (W - 1)) & 1U);
        if (dropped != msb) r ^= low_mask(W - 1);
        r = (r & low_mask(W - 1)) | (static_cast<u64>(dropped) << (W - 1));
        return r;
      }
      if (N == 0) return r;
      // N > 0: treated like AP_WRAP with N saturation bits (unverified).
      return overflow_small(q, W, S, AP_WRAP, N);
    }
    default: {  // AP_WRAP
      u64 r = static_cast<u64>(q);
      if (N <= 0) return r;
      if (S) {
        u64 sign = pos ? 0ULL : 1ULL;
        r = (r & ~(1ULL << (W - 1))) | (sign << (W - 1));
        for (int k = 1; k < N && W - 1 - k >= 0; ++k) {
          int b = W - 1 - k;
          r = (r & ~(1ULL << b)) | ((sign ^ 1ULL) << b);
        }
      } else {
        for (int k = 0; k < N && W - 1 - k >= 0; ++k) r |= 1ULL << (W - 1 - k);
      }
      return r;
    }
  }
}

// Convert the exact value x * 2^-d (|x| < 2^64, d >= -62) into a W-bit (W <= 64) target.
inline u64 convert_small(i128 x, int d, int W, bool S, int Q, int O, int N) {
  i128 q;
  if (d <= 0) {
    q = static_cast<i128>(static_cast<u128>(x) << (-d));
  } else {
    if (d > 70) d = 70;  // |x| < 2^64: every d >= 66 gives the same floor and rounding bits
    i128 f = x >> d;
    bool inc = false;
    if (Q != AP_TRN) {
      u128 r = static_cast<u128>(x) & ((static_cast<u128>(1) << d) - 1);
      u128 half = static_cast<u128>(1) << (d - 1);
      inc = round_increment(Q, x < 0, r >= half, (r & (half - 1)) != 0, (f & 1) != 0);
    }
    q = f + (inc ? 1 : 0);
  }
  i128 kmax = S ? static_cast<i128>(low_mask(W - 1)) : static_cast<i128>(low_mask(W));
  i128 kmin = S ? -kmax - 1 : 0;
  u64 r;
  if (q >= kmin && q <= kmax) {
    r = static_cast<u64>(q);
    if (O == AP_SAT_SYM && S && W > 1 && q == kmin) r = static_cast<u64>(-kmax);
  } else {
    r = overflow_small(q, W, S, O, N);
  }
  return normalize1(r, W, S);
}

// General conversion of src * 2^-d into a W-bit target held in t[0..tnw), 64*tnw >= W+1.
inline void convert_generic(u64* t, int tnw, int W, bool S, int Q, int O, int N, const Src& src, int d) {
  for (int i = 0; i < tnw; ++i) t[i] = src.get64(d + 64 * i);
  bool neg = src.neg();
  bool carry_out = false;
  if (d > 0 && Q != AP_TRN) {
    bool half = src.bit(d - 1) != 0;
    bool inc;
    if (Q == AP_TRN_ZERO) {
      inc = neg && src.any_below(d);
    } else if (!half) {
      inc = false;
    } else {
      inc = round_increment(Q, neg, true, src.any_below(d - 1), (t[0] & 1U) != 0);
    }
    if (inc) {
      int i = 0;
      while (i < tnw && ++t[i] == 0) ++i;
      carry_out = (i == tnw);
    }
  }
  int hi = classify_above(src, d + 64 * tnw);
  if (carry_out) hi = (hi == K_MONE) ? K_ZERO : (hi == K_ZERO ? K_POS : hi);
  const int top = 64 * tnw;
  bool fits, pos;
  if (S) {
    bool b = get_bit(t, W - 1) != 0;
    if (hi == K_ZERO) {
      fits = !b && bits_all(t, W - 1, top, false);
      pos = true;
    } else if (hi == K_MONE) {
      fits = b && bits_all(t, W - 1, top, true);
      pos = false;
    } else {
      fits = false;
      pos = hi == K_POS;
    }
  } else {
    if (hi == K_ZERO) {
      fits = bits_all(t, W, top, false);
      pos = true;
    } else {
      fits = false;
      pos = hi == K_POS;
    }
  }
  if (fits) {
    if (O == AP_SAT_SYM && S && W > 1 && get_bit(t, W - 1) && bits_all(t, 0, W - 1, false)) t[0] |= 1U;
    normalize(t, tnw, W, S);
    return;
  }
  switch (O) {
    case AP_SAT:
    case AP_SAT_SYM:
      for (int i = 0; i < tnw; ++i) t[i] = 0;
      if (pos) {
        set_bits(t, 0, S ? W - 1 : W, true);
      } else if (S) {
        set_bit(t, W - 1, true);
        if (O == AP_SAT_SYM && !quirk_sat_sym_neg_w1(W)) t[0] |= 1U;
      }
      break;
    case AP_SAT_ZERO:
      for (int i = 0; i < tnw; ++i) t[i] = 0;
      break;
    case AP_WRAP_SM:
      if (N == 0 && S) {
        bool dropped = get_bit(t, W) != 0;  // 64*tnw >= W+1
        bool msb = get_bit(t, W - 1) != 0;
        if (dropped != msb) {
          for (int b = 0; b < W - 1; ++b) set_bit(t, b, get_bit(t, b) == 0);
        }
        set_bit(t, W - 1, dropped);
      } else if (N > 0) {
        if (S) {
          set_bit(t, W - 1, !pos);
          for (int k = 1; k < N && W - 1 - k >= 0; ++k) set_bit(t, W - 1 - k, pos);
        } else {
          set_bits(t, W - N > 0 ? W - N : 0, W, true);
        }
      }
      break;
    default:  // AP_WRAP
      if (N > 0) {
        if (S) {
          set_bit(t, W - 1, !pos);
          for (int k = 1; k < N && W - 1 - k >= 0; ++k) set_bit(t, W - 1 - k, pos);
        } else {
          set_bits(t, W - N > 0 ? W - N : 0, W, true);
        }
      }
      break;
  }
  normalize(t, tnw, W, S);
}


// ---- floating point ---------------------------------------------------------------------

// Decode a double into m * 2^e exactly (|m| < 2^53).  Infinities decode as +-2^1024 (the
// vendor saturates / wraps them like that); NaN decodes as 0.
inline void decode_double(double v, i64& m, int& e) {
  u64 b;
  std::memcpy(&b, &v, sizeof b);
  int ex = static_cast<int>((b >> 52) & 0x7ffU);
  u64 fr = b & low_mask(52);
  if (ex == 0x7ff) {
    m = fr ? 0 : 1;
    e = 1024;
  } else if (ex == 0) {
    m = static_cast<i64>(fr);
    e = -1074;
  } else {
    m = static_cast<i64>(fr | (1ULL << 52));
    e = ex - 1075;
  }
  if (b >> 63) m = -m;
}

// |value| of a canonical nw-word value into mag[0..nw) (unsigned); returns the sign.
inline bool magnitude(u64* mag, const u64* p, int nw, bool S) {
  bool neg = S && (p[nw - 1] >> 63);
  if (!neg) {
    for (int i = 0; i < nw; ++i) mag[i] = p[i];
    return false;
  }
  u64 carry = 1;
  for (int i = 0; i < nw; ++i) {
    mag[i] = ~p[i] + carry;
    carry = (carry && mag[i] == 0) ? 1 : 0;
  }
  return true;
}

inline int top_bit(const u64* p, int nw) {
  for (int i = nw - 1; i >= 0; --i)
    if (p[i]) return 64 * i + 63 - __builtin_clzll(p[i]);
  return -1;
}

// Round the unsigned integer mag (top set bit h) to prec significant bits, nearest-even.
// Returns the mantissa (prec bits, top bit set) and updates h if rounding carried.
inline u64 round_significand(const u64* mag, int nw, int& h, int prec) {
  Src m(mag, nw, false, 0ULL);
  u64 top = m.get64(h - 63);  // bits h-63 .. h, top bit set
  bool sticky = m.any_below(h - 63);
  u64 mant = top >> (64 - prec);
  u64 rest = top << prec;
  bool half = (rest >> 63) != 0;
  sticky = sticky || (rest << 1) != 0;
  if (half && (sticky || (mant & 1U))) {
    ++mant;
    if (mant >> prec) {
      mant >>= 1;
      ++h;
    }
  }
  return mant;
}

// Correctly rounded (nearest-even) double of sign * mag * 2^-F.
inline double mag_to_double(const u64* mag, int nw, bool neg, int F) {
  int h = top_bit(mag, nw);
  if (h < 0) return 0.0;
  int e = h - F;  // value in [2^e, 2^(e+1))
  double r;
  if (e >= -1022) {
    u64 mant = round_significand(mag, nw, h, 53);
    e = h - F;
    r = e > 1023 ? __builtin_huge_val() : __builtin_ldexp(static_cast<double>(mant), e - 52);
  } else {
    int prec = 53 - (-1022 - e);  // subnormal: fewer significant bits
    if (prec >= 1) {
      u64 mant = round_significand(mag, nw, h, prec);
      r = __builtin_ldexp(static_cast<double>(mant), h - F - (prec - 1));
    } else if (prec == 0) {
      // value in [2^-1075, 2^-1074): rounds up unless it is exactly the tie 2^-1075
      bool tie = !Src(mag, nw, false, 0ULL).any_below(h);
      r = tie ? 0.0 : __builtin_ldexp(1.0, -1074);
    } else {
      r = 0.0;
    }
  }
  return neg ? -r : r;
}

template <int NW> inline double words_to_double(const u64* p, bool S, int F) {
  if (NW == 1 && F >= -900 && F <= 900) {
    // (double) of a 64-bit integer is correctly rounded; scaling by 2^-F is then exact.
    double v = S ? static_cast<double>(static_cast<i64>(p[0])) : static_cast<double>(p[0]);
    return v * __builtin_ldexp(1.0, -F);
  }
  u64 mag[NW];
  bool neg = magnitude(mag, p, NW, S);
  return mag_to_double(mag, NW, neg, F);
}

}  // namespace ap
}  // namespace tachyon

#endif  // TACHYON_AP_CORE_H
