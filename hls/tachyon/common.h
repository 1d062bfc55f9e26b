// Tachyon HLS layer library: shared definitions.
//
// The layer templates in this folder are parameterised by one configuration struct per
// layer (written by Tachyon into parameters.h). Their arithmetic is exactly the reference
// semantics of Tachyon's emulator (docs: layer semantics): every conversion is an
// assignment or construction of the vendor fixed-point types, every table index is
// computed with exact integer operations on raw codes; no floating point is used in the
// datapath. ReuseFactor and Strategy change the pragmas (the hardware), never the bits.
//
// C++14, header-only; works with the vendor ap_fixed headers and with Tachyon's own
// (ap_types/ in a generated project).
#ifndef TACHYON_HLS_COMMON_H
#define TACHYON_HLS_COMMON_H

#include "ap_fixed.h"
#include "ap_int.h"

namespace tachyon_hls {

enum strategy_t { latency = 0, resource = 1 };

// Compile-time properties of a fixed-point type (generated code only uses ap_fixed and
// ap_ufixed, never ap_int, see FixedType::c_type()).
template <class T> struct fixed_traits;
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct fixed_traits<ap_fixed<W, I, Q, O, N> > {
  static const int width = W;
  static const int iwidth = I;
  static const int fwidth = W - I;
  static const bool is_signed = true;
  typedef ap_int<W> raw_t;
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct fixed_traits<ap_ufixed<W, I, Q, O, N> > {
  static const int width = W;
  static const int iwidth = I;
  static const int fwidth = W - I;
  static const bool is_signed = false;
  typedef ap_uint<W> raw_t;
};

// The W-bit raw code of x as an unsigned integer.
template <class T> ap_uint<fixed_traits<T>::width> raw_bits(const T& x) {
  const int W = fixed_traits<T>::width;
  ap_uint<W> u = x.range(W - 1, 0);
  return u;
}

// The raw code of x as an integer k with x == k * 2^-F (sign-extended for signed types).
template <class T> typename fixed_traits<T>::raw_t raw_int(const T& x) {
  typename fixed_traits<T>::raw_t r = raw_bits(x);
  return r;
}

// A value of type T from its W-bit raw code.
template <class T> T from_raw_bits(const ap_uint<fixed_traits<T>::width>& u) {
  const int W = fixed_traits<T>::width;
  T x;
  x.range(W - 1, 0) = u;
  return x;
}

// x > 0, x < 0 by the sign and the raw code (exact for every type; no mixed-type compare).
template <class T> bool is_positive(const T& x) {
  const typename fixed_traits<T>::raw_t r = raw_int(x);
  return r > 0;
}

// Exact a < b for any two fixed-point values: the full-precision difference is always
// signed, so comparing it with 0 involves no mixed-signedness conversion.
template <class A, class B> bool exact_less(const A& a, const B& b) {
  return (a - b) < 0;
}

// trunc(x * N / 2^K) (toward zero) of the exact rational, clamped to [-N, N]. Exact integer
// arithmetic on x's raw code r: x = r * 2^-F, so x * N / 2^K = r * N / 2^(F + K).
// Used for the sigmoid / tanh / elu table indices (layer semantics).
template <class T, int N, int K> int scaled_trunc(const T& x) {
  const int W = fixed_traits<T>::width;
  const int S = fixed_traits<T>::fwidth + K;  // right shift of r * N
  const ap_int<W + 34> r = raw_int(x);
  const ap_int<34> n = N;
  const ap_int<W + 34> prod = r * n;  // |r * N| < 2^(W + 32): exact
  if (prod == 0) return 0;
  const bool neg = prod < 0;
  if (S <= 0) return neg ? -N : N;  // |r| >= 1 so |r * N * 2^-S| >= N
  ap_int<W + 34> mag = neg ? ap_int<W + 34>(-prod) : prod;
  if (S >= W + 34) return 0;
  mag >>= S;
  const int m = mag > N ? N : mag.to_int();
  return neg ? -m : m;
}

// Clamps v to [lo, hi].
inline int clamp_int(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// The top B bits of the W-bit raw code of v, as an unsigned index (softmax tables):
// r >> (W - B), or r << (B - W) when W < B.
template <int W, int B, bool Wide = (W >= B)> struct top_bits_impl;
template <int W, int B> struct top_bits_impl<W, B, true> {
  static unsigned get(const ap_uint<W>& u) {
    ap_uint<B> t = u.range(W - 1, W - B);
    return t.to_uint();
  }
};
template <int W, int B> struct top_bits_impl<W, B, false> {
  static unsigned get(const ap_uint<W>& u) {
    ap_uint<B> t = u;
    t <<= (B - W);
    return t.to_uint();
  }
};
template <int W> struct top_bits_impl<W, 0, true> {
  static unsigned get(const ap_uint<W>&) { return 0; }
};
template <int B, class T> unsigned top_bits_index(const T& v) {
  return top_bits_impl<fixed_traits<T>::width, B>::get(raw_bits(v));
}

// Ceiling division for configuration constants.
template <int A, int B> struct ceil_div {
  static const int value = (A + B - 1) / B;
};

}  // namespace tachyon_hls

#endif  // TACHYON_HLS_COMMON_H
