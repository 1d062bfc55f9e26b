// The multiply-accumulate core of Dense and Conv on the fast path (internal header).
//
// For one output: acc (already bias converted to accum_t) then, for t = 0..n-1 in order,
//   p   = x[off[t]] * w[t]                 exact
//   p'  = p converted to accum_t            (Q, O of accum_t)   -- "product" point
//   acc = (acc + p') converted to accum_t   (O of accum_t)      -- "accum" point
// Weights are pre-shifted at build time when the product has no more fraction bits than
// accum_t (then p is already in accum_t's units and only the O step remains); otherwise p
// is quantized by `shift` bits. Template parameters fix the quantization mode, the
// integer width (int64_t when every intermediate fits in 63 bits, i128 otherwise) and
// whether overflows are counted, so the inner loop has no type-dependent branches.
#pragma once

#include "kernel_util.h"

namespace tachyon::emulator::detail {

struct MacPlan {
  DstInfo acc;        // accum_t
  int shift = 0;      // > 0: product fraction bits - accum fraction bits; 0: pre-shifted weights
  int pre_shift = 0;  // weights were shifted left by this many bits
  bool narrow = false;
  // accum_t wraps without saturation bits and a whole sum of quantized products fits in
  // int64_t: since wrapping is reduction modulo 2^W, wrap(wrap(a) + wrap(b)) == wrap(a + b),
  // so the sum can be taken first and wrapped once (identical bits, no per-step checks).
  bool wrap_sum = false;
};

// Plain: per-step conversions; Stats: the same, counting overflows; WrapSum: see MacPlan.
// *Contig: x is read contiguously (x[t], off unused; weights stored densely, zeros
// included, which changes no bits: a zero product converts to 0 and acc + 0 == acc).
enum class MacMode { Plain, Stats, WrapSum, PlainContig, WrapSumContig };

template <Quant Q, bool kShift, bool kNarrow, MacMode M>
inline int64_t mac(int64_t acc, const int64_t* x, const int32_t* off, const int64_t* w, int32_t n, const MacPlan& p,
                   int64_t* ovf_prod, int64_t* ovf_acc) {
  using T = std::conditional_t<kNarrow, int64_t, i128>;
  constexpr bool kContig = M == MacMode::PlainContig || M == MacMode::WrapSumContig;
  const DstInfo& d = p.acc;
  if constexpr (M == MacMode::WrapSum || M == MacMode::WrapSumContig) {
    int64_t sum = acc;
    for (int32_t t = 0; t < n; ++t) {
      int64_t prod = (kContig ? x[t] : x[off[t]]) * w[t];
      if constexpr (kShift) prod = quantize_t<Q>(prod, p.shift);
      sum += prod;
    }
    return d.extend(static_cast<uint64_t>(sum));
  } else {
    for (int32_t t = 0; t < n; ++t) {
      T prod = static_cast<T>(kContig ? x[t] : x[off[t]]) * static_cast<T>(w[t]);
      if constexpr (kShift) prod = quantize_t<Q>(prod, p.shift);
      if constexpr (M == MacMode::Stats) {
        bool o1 = false, o2 = false;
        int64_t pc = finish_t(d, prod, &o1);
        acc = finish_t(d, static_cast<T>(acc) + static_cast<T>(pc), &o2);
        *ovf_prod += o1;
        *ovf_acc += o2;
      } else {
        int64_t pc = finish_t(d, prod, nullptr);
        acc = finish_t(d, static_cast<T>(acc) + static_cast<T>(pc), nullptr);
      }
    }
    return acc;
  }
}

// Builds the plan for x_t * w_t accumulated in acc_t over at most max_terms products;
// returns false when the fast path cannot represent it (then the caller uses the general
// kernel).
bool make_mac_plan(const FixedType& x_t, const FixedType& w_t, const FixedType& acc_t, int64_t max_terms,
                   MacPlan* plan);

// Function table: pick(q, shift, narrow, mode) -> F<Q, kShift, kNarrow, M>::run.
template <template <Quant, bool, bool, MacMode> class F>
struct MacDispatch {
  using Fn = decltype(&F<Quant::TRN, false, false, MacMode::Plain>::run);
  template <Quant Q, bool kShift, bool kNarrow>
  static Fn pick_n(MacMode m) {
    switch (m) {
      case MacMode::Plain: return &F<Q, kShift, kNarrow, MacMode::Plain>::run;
      case MacMode::Stats: return &F<Q, kShift, kNarrow, MacMode::Stats>::run;
      case MacMode::PlainContig: return &F<Q, kShift, kNarrow, MacMode::PlainContig>::run;
      case MacMode::WrapSum:
      case MacMode::WrapSumContig: break;
    }
    return nullptr;
  }
  template <Quant Q, bool kShift>
  static Fn pick_m(bool narrow, MacMode m) {
    // WrapSum requires the narrow (int64_t) plan.
    if (m == MacMode::WrapSum) return &F<Q, kShift, true, MacMode::WrapSum>::run;
    if (m == MacMode::WrapSumContig) return &F<Q, kShift, true, MacMode::WrapSumContig>::run;
    return narrow ? pick_n<Q, kShift, true>(m) : pick_n<Q, kShift, false>(m);
  }
  template <Quant Q>
  static Fn pick_q(bool shift, bool narrow, MacMode m) {
    return shift ? pick_m<Q, true>(narrow, m) : pick_m<Quant::TRN, false>(narrow, m);
  }
  static Fn pick(Quant q, bool shift, bool narrow, MacMode m) {
    switch (q) {
      case Quant::TRN: return pick_q<Quant::TRN>(shift, narrow, m);
      case Quant::TRN_ZERO: return pick_q<Quant::TRN_ZERO>(shift, narrow, m);
      case Quant::RND: return pick_q<Quant::RND>(shift, narrow, m);
      case Quant::RND_ZERO: return pick_q<Quant::RND_ZERO>(shift, narrow, m);
      case Quant::RND_MIN_INF: return pick_q<Quant::RND_MIN_INF>(shift, narrow, m);
      case Quant::RND_INF: return pick_q<Quant::RND_INF>(shift, narrow, m);
      case Quant::RND_CONV: return pick_q<Quant::RND_CONV>(shift, narrow, m);
    }
    return pick_q<Quant::TRN>(shift, narrow, m);
  }
  // The plain (no statistics) function: WrapSum when the plan allows it.
  static Fn plain(Quant q, const MacPlan& p, bool contig) {
    MacMode m = p.wrap_sum ? (contig ? MacMode::WrapSumContig : MacMode::WrapSum)
                           : (contig ? MacMode::PlainContig : MacMode::Plain);
    return pick(q, p.shift > 0, p.narrow, m);
  }
  static Fn stats(Quant q, const MacPlan& p) { return pick(q, p.shift > 0, p.narrow, MacMode::Stats); }
};

}  // namespace tachyon::emulator::detail
