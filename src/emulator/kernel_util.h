// Helpers shared by the emulator's kernels (internal header).
#pragma once

#include <fmt/format.h>

#include <type_traits>
#include <vector>

#include "tachyon/emulator/kernel_api.h"
#include "tachyon/fixed/fast.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/support/error.h"

namespace tachyon::emulator::detail {

using fast_detail::DstInfo;

// Bits a signed integer needs to hold every raw code of t.
inline int signed_bits(const FixedType& t) { return t.width + (t.is_signed ? 0 : 1); }

// Every type can be held in the fast representation.
inline bool all_fast(std::initializer_list<FixedType> ts) {
  for (const FixedType& t : ts)
    if (!is_fast_type(t)) return false;
  return true;
}

// Q step with a compile-time quantization mode: floor(raw / 2^s) plus the rounding
// increment, 0 < s < bits of T - 1.
template <Quant Q, typename T>
inline T quantize_t(T raw, int s) {
  T q = raw >> s;
  if constexpr (Q == Quant::TRN) {
    return q;
  } else {
    using U = std::conditional_t<std::is_same_v<T, int32_t>, uint32_t,
                                 std::conditional_t<std::is_same_v<T, int64_t>, uint64_t, u128>>;
    U rem = static_cast<U>(raw) & ((static_cast<U>(1) << s) - 1);
    U half = static_cast<U>(1) << (s - 1);
    bool up;
    if constexpr (Q == Quant::TRN_ZERO) up = rem != 0 && q < 0;
    if constexpr (Q == Quant::RND) up = rem >= half;
    if constexpr (Q == Quant::RND_ZERO) up = rem > half || (rem == half && q < 0);
    if constexpr (Q == Quant::RND_MIN_INF) up = rem > half;
    if constexpr (Q == Quant::RND_INF) up = rem > half || (rem == half && q >= 0);
    if constexpr (Q == Quant::RND_CONV) up = rem > half || (rem == half && (q & 1));
    return q + (up ? 1 : 0);
  }
}

// O step of d for a quantized value q (d of a fast type: [lo, hi] fits in int64_t).
template <typename T>
inline int64_t finish_t(const DstInfo& d, T q, bool* ovf) {
  if constexpr (std::is_same_v<T, int64_t>) {
    if (q >= d.lo && q <= d.hi) [[likely]]
      return q;
    if (ovf) *ovf = true;
    return d.on_overflow(q < 0, static_cast<uint64_t>(q));
  } else {
    return d.finish(q, ovf);
  }
}

// A conversion point: plan.apply with optional counting.
inline int64_t convert(const CastPlan& p, i128 v, Counts* c) {
  if (!c) return p.apply(v);
  bool o = false;
  int64_t r = p.apply(v, &o);
  c->conversions++;
  c->overflows += o;
  return r;
}
inline int64_t convert(const DoubleCastPlan& p, double v, Counts* c) {
  if (!c) return p.apply(v);
  bool o = false;
  int64_t r = p.apply(v, &o);
  c->conversions++;
  c->overflows += o;
  return r;
}
inline Fixed convert(const Fixed& v, const FixedType& t, Counts* c) {
  if (!c) return v.cast(t);
  bool o = false;
  Fixed r = v.cast(t, &o);
  c->conversions++;
  c->overflows += o;
  return r;
}
inline Counts* at(Counts* c, int point) { return c ? c + point : nullptr; }

// Does every value of src convert to dst exactly (no rounding, no overflow)?
inline bool widens(const FixedType& src, const FixedType& dst) {
  if (dst.frac_bits() < src.frac_bits()) return false;
  if (src.is_signed && !dst.is_signed) return false;
  int need = src.int_bits + (!src.is_signed && dst.is_signed ? 1 : 0);
  // AP_SAT_SYM never produces a signed type's most negative code: src must stay above it.
  if (src.is_signed && dst.overflow == Overflow::SAT_SYM) need += 1;
  return dst.int_bits >= need;
}

// Conversion of codes of one type (valid codes only, e.g. a value's elements) to another:
// a shift when the conversion is exact (widens()), else the cast plan.
struct ValueCast {
  CastPlan plan;
  int exact_shift = -1;  // >= 0: dst code = src code << exact_shift

  ValueCast() = default;
  ValueCast(const FixedType& src, const FixedType& dst) : plan(src.frac_bits(), dst) {
    if (widens(src, dst)) exact_shift = dst.frac_bits() - src.frac_bits();
  }
  int64_t operator()(int64_t raw) const {
    if (exact_shift >= 0) return static_cast<int64_t>(static_cast<uint64_t>(raw) << exact_shift);
    return plan.apply(raw);
  }
  int64_t operator()(int64_t raw, Counts* c) const {
    if (exact_shift >= 0) {
      if (c) c->conversions++;
      return static_cast<int64_t>(static_cast<uint64_t>(raw) << exact_shift);
    }
    return convert(plan, raw, c);
  }
};

// A Fixed from an exact integer k of type t (no conversion).
inline Fixed fixed_raw(int64_t k, const FixedType& t) {
  return Fixed::from_raw(t.is_signed ? BigInt(k) : BigInt::from_u64(static_cast<uint64_t>(k)), t);
}

// How an operand is indexed against an output of n elements whose last axis has c
// elements: element-wise, a scalar, or one value per last-axis position.
struct Broadcast {
  enum Mode { Full, Scalar, LastAxis } mode = Full;
  int64_t c = 1;
  int64_t index(int64_t i) const { return mode == Full ? i : (mode == Scalar ? 0 : i % c); }
};
Broadcast broadcast_of(const KernelContext& ctx, ir::ValueId operand, const ir::Shape& out_shape);

// Base class with the helpers every kernel uses.
class KernelBase : public Kernel {
 public:
  // Records a build-time conversion (a table, a constant converted to its type).
  void note_build(const std::string& what, const FixedType& t, int64_t conversions, int64_t overflows) {
    add_build_stat(layer_, what, t, conversions, overflows);
  }

 protected:
  explicit KernelBase(const KernelContext& ctx) : layer_(ctx.node().name) {}
  // Constants converted to t, counted as build-time conversions named `what`.
  std::vector<int64_t> quantize_raw(const std::vector<double>& vals, const FixedType& t, const std::string& what);
  std::vector<Fixed> quantize_fixed(const std::vector<double>& vals, const FixedType& t, const std::string& what);
  // The node's optional bias (input 2) in the accumulator type acc_t, n values (zeros
  // without a bias), as raw codes (fast kernels) or Fixed values (general kernels); the
  // conversions are counted as "bias" and "bias->accum".
  std::vector<int64_t> bias_raw(const KernelContext& ctx, int64_t n, const FixedType& acc_t);
  std::vector<Fixed> bias_fixed(const KernelContext& ctx, int64_t n, const FixedType& acc_t);
  std::string layer_;
};

// Converts every element of `from` (in ws) to `to_t` into `to`: used by layout ops and Cast.
void convert_value(Workspace& ws, ir::ValueId from, ir::ValueId to, const int64_t* gather, int64_t n, Counts* c);

// Kernel factories, one per op family (one file each).
std::unique_ptr<Kernel> make_dense(const KernelContext& ctx);
std::unique_ptr<Kernel> make_conv(const KernelContext& ctx);
std::unique_ptr<Kernel> make_pool(const KernelContext& ctx);         // Max/AvgPool, Global*
std::unique_ptr<Kernel> make_activation(const KernelContext& ctx);   // Relu .. Clip
std::unique_ptr<Kernel> make_softmax(const KernelContext& ctx);
std::unique_ptr<Kernel> make_elementwise(const KernelContext& ctx);  // BatchNorm, Cast, Scale, Add, Sub, Mul
std::unique_ptr<Kernel> make_layout(const KernelContext& ctx);       // Concat, Reshape, Transpose, Pad, Identity
std::unique_ptr<Kernel> make_element_quant(const KernelContext& ctx);  // ElementQuant

}  // namespace tachyon::emulator::detail
