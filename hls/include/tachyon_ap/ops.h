// Exact arithmetic kernels on canonical words (detail of ap_common.h).  Result widths are
// chosen by the callers so that results never overflow; kernels compute modulo
// 2^(64*words) and renormalize.
#ifndef TACHYON_AP_OPS_H
#define TACHYON_AP_OPS_H

namespace tachyon {
namespace ap {

// r = (a << sa) + (b << sb), or minus when `sub`.
template <int WR, bool SR>
inline void add_words(u64* r, const u64* a, int anw, bool as, int sa, const u64* b, int bnw, bool bs, int sb,
                      bool sub) {
  const int NR = nwords<WR>::value;
  if (NR == 1) {
    u64 x = a[0] << sa, y = b[0] << sb;
    r[0] = normalize1(sub ? x - y : x + y, WR, SR);
    return;
  }
  Src A(a, anw, as), B(b, bnw, bs);
  u64 carry = sub ? 1U : 0U;
  for (int i = 0; i < NR; ++i) {
    u64 x = A.get64(64 * i - sa), y = B.get64(64 * i - sb);
    if (sub) y = ~y;
    u128 t = static_cast<u128>(x) + y + carry;
    r[i] = static_cast<u64>(t);
    carry = static_cast<u64>(t >> 64);
  }
  normalize(r, NR, WR, SR);
}

// r = -a
template <int WR, bool SR> inline void neg_words(u64* r, const u64* a, int anw, bool as) {
  const int NR = nwords<WR>::value;
  if (NR == 1) {
    r[0] = normalize1(0ULL - a[0], WR, SR);
    return;
  }
  Src A(a, anw, as);
  u64 carry = 1;
  for (int i = 0; i < NR; ++i) {
    u128 t = static_cast<u128>(~A.word(i)) + carry;
    r[i] = static_cast<u64>(t);
    carry = static_cast<u64>(t >> 64);
  }
  normalize(r, NR, WR, SR);
}

// r = a * b
template <int WR, bool SR> inline void mul_words(u64* r, const u64* a, int anw, bool as, const u64* b, int bnw, bool bs) {
  const int NR = nwords<WR>::value;
  if (NR == 1) {
    r[0] = normalize1(a[0] * b[0], WR, SR);
    return;
  }
  if (NR == 2 && anw == 1 && bnw == 1) {
    i128 x = as ? static_cast<i128>(static_cast<i64>(a[0])) : static_cast<i128>(a[0]);
    i128 y = bs ? static_cast<i128>(static_cast<i64>(b[0])) : static_cast<i128>(b[0]);
    u128 p = static_cast<u128>(x) * static_cast<u128>(y);
    r[0] = static_cast<u64>(p);
    r[1] = static_cast<u64>(p >> 64);
    normalize(r, NR, WR, SR);
    return;
  }
  Src A(a, anw, as), B(b, bnw, bs);
  for (int i = 0; i < NR; ++i) r[i] = 0;
  for (int i = 0; i < NR; ++i) {
    u64 ai = A.word(i);
    if (!ai) continue;
    u64 carry = 0;
    for (int j = 0; i + j < NR; ++j) {
      u128 t = static_cast<u128>(ai) * B.word(j) + r[i + j] + carry;
      r[i + j] = static_cast<u64>(t);
      carry = static_cast<u64>(t >> 64);
    }
  }
  normalize(r, NR, WR, SR);
}

// r = a shifted left by k bits (k < 0: right, arithmetic if S), within W bits.
template <int W, bool S> inline void shift_words(u64* r, const u64* a, int k) {
  const int NW = nwords<W>::value;
  if (k > W + 64) k = W + 64;
  if (k < -(W + 64)) k = -(W + 64);
  if (NW == 1) {
    u64 v = a[0];
    if (k >= 0) {
      v = k >= 64 ? 0ULL : (v << k);
    } else if (S) {
      v = static_cast<u64>(static_cast<i64>(v) >> (-k >= 64 ? 63 : -k));
    } else {
      v = -k >= 64 ? 0ULL : (v >> -k);
    }
    r[0] = normalize1(v, W, S);
    return;
  }
  u64 tmp[NW];
  Src A(a, NW, S);
  for (int i = 0; i < NW; ++i) tmp[i] = A.get64(64 * i - k);
  for (int i = 0; i < NW; ++i) r[i] = tmp[i];
  normalize(r, NW, W, S);
}

// Unsigned n / d (nn and nd words) -> q (nn words), rem (nd + 1 words).
inline void udivmod(u64* q, u64* rem, const u64* n, int nn, const u64* d, int nd) {
  for (int i = 0; i < nn; ++i) q[i] = 0;
  for (int i = 0; i <= nd; ++i) rem[i] = 0;
  for (int bitpos = top_bit(n, nn); bitpos >= 0; --bitpos) {
    for (int i = nd; i > 0; --i) rem[i] = (rem[i] << 1) | (rem[i - 1] >> 63);
    rem[0] = (rem[0] << 1) | static_cast<u64>(get_bit(n, bitpos));
    int c = 0;
    for (int i = nd; i >= 0 && c == 0; --i) {
      u64 dv = i < nd ? d[i] : 0ULL;
      if (rem[i] != dv) c = rem[i] < dv ? -1 : 1;
    }
    if (c >= 0) {
      u64 borrow = 0;
      for (int i = 0; i <= nd; ++i) {
        u64 dv = i < nd ? d[i] : 0ULL;
        u128 t = static_cast<u128>(rem[i]) - dv - borrow;
        rem[i] = static_cast<u64>(t);
        borrow = static_cast<u64>(t >> 64) & 1U;
      }
      set_bit(q, bitpos, true);
    }
  }
}

// r = trunc((a << sh) / b) (or the remainder, sign of the dividend, when `want_rem`).
// NN >= words of |a| << sh, ND >= words of |b|.  Division by zero gives 0.
template <int WR, bool SR, int NN, int ND>
inline void divmod_words(u64* r, bool want_rem, const u64* a, int anw, bool as, int sh, const u64* b, int bnw,
                         bool bs) {
  const int NR = nwords<WR>::value;
  u64 am[NN], n[NN], bm[ND], q[NN], rem[ND + 1];
  for (int i = 0; i < NN; ++i) am[i] = 0;
  for (int i = 0; i < ND; ++i) bm[i] = 0;
  bool an = magnitude(am, a, anw, as), bn = magnitude(bm, b, bnw, bs);
  Src A(am, NN, false, 0ULL);
  for (int i = 0; i < NN; ++i) n[i] = A.get64(64 * i - sh);
  bool neg;
  const u64* res;
  int rn;
  if (top_bit(bm, ND) < 0) {
    for (int i = 0; i < NR; ++i) r[i] = 0;
    return;
  }
  if (NN == 1 && ND == 1) {
    q[0] = n[0] / bm[0];
    rem[0] = n[0] % bm[0];
  } else {
    udivmod(q, rem, n, NN, bm, ND);
  }
  if (want_rem) {
    neg = an;
    res = rem;
    rn = ND + 1;
  } else {
    neg = an != bn;
    res = q;
    rn = NN;
  }
  u64 carry = neg ? 1U : 0U;
  for (int i = 0; i < NR; ++i) {
    u64 w = i < rn ? res[i] : 0ULL;
    if (neg) {
      u128 t = static_cast<u128>(~w) + carry;
      w = static_cast<u64>(t);
      carry = static_cast<u64>(t >> 64);
    }
    r[i] = w;
  }
  normalize(r, NR, WR, SR);
}

enum { CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_EQ, CMP_NE };

inline bool cmp_result(int op, int c) {
  switch (op) {
    case CMP_LT: return c < 0;
    case CMP_LE: return c <= 0;
    case CMP_GT: return c > 0;
    case CMP_GE: return c >= 0;
    case CMP_EQ: return c == 0;
    default: return c != 0;
  }
}

// Comparison of a (Wa bits, Fa fraction bits) and b, with the vendor's mixed-signedness
// behaviour (see quirks.h).
inline bool compare_words(int op, const u64* a, int anw, int Wa, int Fa, bool Sa, const u64* b, int bnw, int Wb,
                          int Fb, bool Sb) {
  int sa = Fa < Fb ? Fb - Fa : 0, sb = Fb < Fa ? Fa - Fb : 0;
  int wa2, wb2;
  quirk_aligned_widths(Wa, Fa, Wb, Fb, wa2, wb2);
  int M = quirk_mixed_cmp_modulus(op == CMP_EQ || op == CMP_NE, Sa, Sb, wa2, wb2);
  if (anw == 1 && bnw == 1 && Wa + sa <= 63 && Wb + sb <= 63) {
    // Both aligned values fit an int64 exactly.
    i64 x = static_cast<i64>(a[0] << sa), y = static_cast<i64>(b[0] << sb);
    if (M > 0) {
      u64 ux = static_cast<u64>(x) & low_mask(M), uy = static_cast<u64>(y) & low_mask(M);
      return cmp_result(op, ux < uy ? -1 : (ux > uy ? 1 : 0));
    }
    return cmp_result(op, x < y ? -1 : (x > y ? 1 : 0));
  }
  Src A(a, anw, Sa), B(b, bnw, Sb);
  return cmp_result(op, M > 0 ? cmp_mod(A, sa, B, sb, M) : cmp_exact(A, sa, B, sb));
}

}  // namespace ap
}  // namespace tachyon

#endif  // TACHYON_AP_OPS_H
