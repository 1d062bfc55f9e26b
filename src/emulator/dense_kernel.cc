// Dense: y[j] = result_t(acc), acc = accum_t(bias[j]); acc += accum_t(x[i] * w[i][j]) for
// i = 0..n_in-1 (zero weights skipped). x may have leading axes: the layer applies to
// every row of the last axis.
#include "mac.h"

namespace tachyon::emulator::detail {

bool make_mac_plan(const FixedType& x_t, const FixedType& w_t, const FixedType& acc_t, int64_t max_terms,
                   MacPlan* plan) {
  if (!all_fast({x_t, w_t, acc_t})) return false;
  int64_t s = int64_t{x_t.frac_bits()} + w_t.frac_bits() - acc_t.frac_bits();
  int sbx = signed_bits(x_t), sbw = signed_bits(w_t), sba = signed_bits(acc_t);
  if (s > 0) {
    if (s >= 126) return false;
    plan->shift = static_cast<int>(s);
    plan->pre_shift = 0;
    plan->narrow = sbx + sbw <= 63 && s < 62 && sba + 1 <= 63;
  } else {
    if (sbw - s > 63) return false;
    plan->shift = 0;
    plan->pre_shift = static_cast<int>(-s);
    plan->narrow = sbx + sbw - s <= 63 && sba + 1 <= 63;
  }
  plan->acc = DstInfo(acc_t);
  // Wrap-sum: every quantized product has at most sbx + sbw - shift + 1 signed bits (+1 for
  // the rounding increment); n of them plus the bias must fit in 63 bits.
  int terms_bits = 1;
  while ((int64_t{1} << terms_bits) < max_terms + 1 && terms_bits < 62) ++terms_bits;
  // (s <= 0: the pre-shifted weights carry -s more bits.)
  int prod_bits = s > 0 ? sbx + sbw - static_cast<int>(s) + 1 : sbx + sbw - static_cast<int>(s);
  plan->wrap_sum = plan->narrow && acc_t.overflow == Overflow::WRAP && acc_t.sat_bits == 0 &&
                   std::max(prod_bits, sba) + terms_bits <= 62;
  return true;
}

namespace {

struct DenseShape {
  ir::ValueId x, y;
  int64_t n_in = 0, n_out = 0, rows = 0;
};

DenseShape dense_shape(const KernelContext& ctx) {
  DenseShape s;
  s.x = ctx.in(0);
  s.y = ctx.out();
  const ir::Tensor& w = ctx.constant(1);
  if (w.shape.size() != 2) ctx.error(fmt::format("weight must have 2 axes (in, out), has shape {}", ir::shape_str(w.shape)));
  s.n_in = w.shape[0];
  s.n_out = w.shape[1];
  const ir::Shape& xs = ctx.shape(s.x);
  if (xs.empty() || xs.back() != s.n_in)
    ctx.error(fmt::format("input shape {} does not end with the weight's {} inputs", ir::shape_str(xs), s.n_in));
  s.rows = ir::num_elements(xs) / s.n_in;
  if (ir::num_elements(ctx.shape(s.y)) != s.rows * s.n_out)
    ctx.error(fmt::format("output shape {} does not match {} rows of {} outputs", ir::shape_str(ctx.shape(s.y)), s.rows,
                          s.n_out));
  if (ctx.node().inputs.size() > 2) {
    const ir::Tensor& b = ctx.constant(2);
    if (b.size() != s.n_out) ctx.error(fmt::format("bias has {} values, expected {}", b.size(), s.n_out));
  }
  return s;
}

class DenseFast;

// ---- 32-bit vector path ------------------------------------------------------------------
// When accum_t wraps (no saturation bits) with at most 32 bits and every product x * w fits
// in 32 bits, the wrap-sum (mac.h) can be taken in uint32_t arithmetic: modulo 2^32, then
// the low W bits. The loop works on int32_t copies in blocks of 8, which compilers turn into
// vector code (AVX2 when the CPU has it, chosen at run time).
using Dot32Fn = uint32_t (*)(const int32_t*, const int32_t*, int32_t, int, uint32_t);

template <Quant Q, bool kShift>
[[gnu::always_inline]] inline uint32_t dot32_body(const int32_t* x, const int32_t* w, int32_t n, int s, uint32_t acc) {
  int32_t t = 0;
  for (; t + 8 <= n; t += 8) {
    uint32_t part[8];
    for (int k = 0; k < 8; ++k) {
      int32_t p = x[t + k] * w[t + k];
      if constexpr (kShift) p = quantize_t<Q>(p, s);
      part[k] = static_cast<uint32_t>(p);
    }
    for (int k = 0; k < 8; ++k) acc += part[k];
  }
  for (; t < n; ++t) {
    int32_t p = x[t] * w[t];
    if constexpr (kShift) p = quantize_t<Q>(p, s);
    acc += static_cast<uint32_t>(p);
  }
  return acc;
}
template <Quant Q, bool kShift>
[[gnu::target("avx2")]] uint32_t dot32_avx2(const int32_t* x, const int32_t* w, int32_t n, int s, uint32_t acc) {
  return dot32_body<Q, kShift>(x, w, n, s, acc);
}
template <Quant Q, bool kShift>
uint32_t dot32_base(const int32_t* x, const int32_t* w, int32_t n, int s, uint32_t acc) {
  return dot32_body<Q, kShift>(x, w, n, s, acc);
}
template <Quant Q>
Dot32Fn pick_dot32_q(bool shift, bool avx2) {
  if (!shift) return avx2 ? &dot32_avx2<Quant::TRN, false> : &dot32_base<Quant::TRN, false>;
  return avx2 ? &dot32_avx2<Q, true> : &dot32_base<Q, true>;
}
Dot32Fn pick_dot32(Quant q, bool shift) {
  bool avx2 = __builtin_cpu_supports("avx2");
  switch (q) {
    case Quant::TRN: return pick_dot32_q<Quant::TRN>(shift, avx2);
    case Quant::TRN_ZERO: return pick_dot32_q<Quant::TRN_ZERO>(shift, avx2);
    case Quant::RND: return pick_dot32_q<Quant::RND>(shift, avx2);
    case Quant::RND_ZERO: return pick_dot32_q<Quant::RND_ZERO>(shift, avx2);
    case Quant::RND_MIN_INF: return pick_dot32_q<Quant::RND_MIN_INF>(shift, avx2);
    case Quant::RND_INF: return pick_dot32_q<Quant::RND_INF>(shift, avx2);
    case Quant::RND_CONV: return pick_dot32_q<Quant::RND_CONV>(shift, avx2);
  }
  return pick_dot32_q<Quant::TRN>(shift, avx2);
}

template <Quant Q, bool kShift, bool kNarrow, MacMode M>
struct DenseRun {
  static void run(const DenseFast& k, const int64_t* x, int64_t* y, Counts* c);
};

class DenseFast final : public KernelBase {
 public:
  DenseFast(const KernelContext& ctx, const DenseShape& s, const MacPlan& plan)
      : KernelBase(ctx), s_(s), plan_(plan) {
    const FixedType& xt = ctx.type(s.x);
    const FixedType& wt = ctx.type(ctx.in(1));
    FixedType acc_t = ctx.internal("accum");
    const FixedType& rt = ctx.type(s.y);
    std::vector<int64_t> w = quantize_raw(ctx.constant(1).data, wt, "weight");
    start_.push_back(0);
    for (int64_t j = 0; j < s.n_out; ++j) {
      for (int64_t i = 0; i < s.n_in; ++i) {
        int64_t v = w[static_cast<size_t>(i * s.n_out + j)];
        if (v == 0) continue;
        idx_.push_back(static_cast<int32_t>(i));
        w_.push_back(static_cast<int64_t>(static_cast<uint64_t>(v) << plan.pre_shift));
      }
      start_.push_back(static_cast<int32_t>(idx_.size()));
    }
    // Mostly non-zero weights: without statistics, read x contiguously from a dense copy
    // (out, in) of the weights (zeros included; same bits, see mac.h).
    contig_ = 2 * idx_.size() >= static_cast<size_t>(s.n_in * s.n_out);
    if (contig_) {
      wd_.resize(static_cast<size_t>(s.n_in * s.n_out));
      for (int64_t j = 0; j < s.n_out; ++j)
        for (int64_t i = 0; i < s.n_in; ++i)
          wd_[static_cast<size_t>(j * s.n_in + i)] =
              static_cast<int64_t>(static_cast<uint64_t>(w[static_cast<size_t>(i * s.n_out + j)]) << plan.pre_shift);
    }
    bias_ = bias_raw(ctx, s.n_out, acc_t);
    result_ = ValueCast(acc_t, rt);
    p_prod_ = add_point("product", acc_t);
    p_acc_ = add_point("accum", acc_t);
    p_res_ = add_point("result", rt);
    fn_ = MacDispatch<DenseRun>::plain(acc_t.quant, plan, contig_);
    // The 32-bit vector path (see dot32_body).
    int sbw = signed_bits(wt) + plan.pre_shift;
    if (contig_ && plan.wrap_sum && acc_t.width <= 32 && signed_bits(xt) + sbw <= 32 && plan.shift < 31) {
      w32_.reserve(wd_.size());
      for (int64_t v : wd_) w32_.push_back(static_cast<int32_t>(v));
      dot32_ = pick_dot32(acc_t.quant, plan.shift > 0);
    }
    fn_stats_ = MacDispatch<DenseRun>::stats(acc_t.quant, plan);
  }

  void run(Workspace& ws, Counts* c) const override {
    if (dot32_ && !c) return run32(ws);
    (c ? fn_stats_ : fn_)(*this, ws.fast(s_.x), ws.fast(s_.y), c);
  }
  size_t scratch32_size() const override { return dot32_ ? static_cast<size_t>(s_.n_in) : 0; }

  void run32(Workspace& ws) const {
    const int64_t* x = ws.fast(s_.x);
    int64_t* y = ws.fast(s_.y);
    int32_t* x32 = ws.scratch32();
    const auto n = static_cast<int32_t>(s_.n_in);
    for (int64_t r = 0; r < s_.rows; ++r) {
      for (int32_t i = 0; i < n; ++i) x32[i] = static_cast<int32_t>(x[r * n + i]);
      int64_t* yr = y + r * s_.n_out;
      for (int64_t j = 0; j < s_.n_out; ++j) {
        uint32_t sum = dot32_(x32, w32_.data() + j * n, n, plan_.shift, static_cast<uint32_t>(bias_[static_cast<size_t>(j)]));
        yr[j] = result_(plan_.acc.extend(sum));
      }
    }
  }
  const char* flavour() const override { return "fast"; }

  template <Quant Q, bool kShift, bool kNarrow, MacMode M>
  void compute(const int64_t* x, int64_t* y, Counts* c) const {
    constexpr bool kStats = M == MacMode::Stats;
    int64_t op = 0, oa = 0;
    Counts* cr = kStats ? c + p_res_ : nullptr;
    for (int64_t r = 0; r < s_.rows; ++r) {
      const int64_t* xr = x + r * s_.n_in;
      int64_t* yr = y + r * s_.n_out;
      for (int64_t j = 0; j < s_.n_out; ++j) {
        int64_t acc;
        if constexpr (M == MacMode::PlainContig || M == MacMode::WrapSumContig) {
          acc = mac<Q, kShift, kNarrow, M>(bias_[static_cast<size_t>(j)], xr, nullptr, wd_.data() + j * s_.n_in,
                                           static_cast<int32_t>(s_.n_in), plan_, &op, &oa);
        } else {
          int32_t b = start_[static_cast<size_t>(j)], e = start_[static_cast<size_t>(j) + 1];
          acc = mac<Q, kShift, kNarrow, M>(bias_[static_cast<size_t>(j)], xr, idx_.data() + b, w_.data() + b, e - b,
                                           plan_, &op, &oa);
        }
        if constexpr (kStats)
          yr[j] = result_(acc, cr);
        else
          yr[j] = result_(acc);
      }
    }
    if constexpr (kStats) {
      auto n = static_cast<int64_t>(idx_.size()) * s_.rows;
      c[p_prod_].conversions += n;
      c[p_prod_].overflows += op;
      c[p_acc_].conversions += n;
      c[p_acc_].overflows += oa;
    }
  }

 private:
  using Fn = void (*)(const DenseFast&, const int64_t*, int64_t*, Counts*);
  DenseShape s_;
  MacPlan plan_;
  std::vector<int32_t> start_, idx_;
  std::vector<int64_t> w_, bias_, wd_;
  std::vector<int32_t> w32_;
  Dot32Fn dot32_ = nullptr;
  bool contig_ = false;
  ValueCast result_;
  int p_prod_ = 0, p_acc_ = 0, p_res_ = 0;
  Fn fn_ = nullptr, fn_stats_ = nullptr;
};

template <Quant Q, bool kShift, bool kNarrow, MacMode M>
void DenseRun<Q, kShift, kNarrow, M>::run(const DenseFast& k, const int64_t* x, int64_t* y, Counts* c) {
  k.compute<Q, kShift, kNarrow, M>(x, y, c);
}

// General path: the same arithmetic on tachyon::Fixed (any width).
class DenseGeneral final : public KernelBase {
 public:
  DenseGeneral(const KernelContext& ctx, const DenseShape& s) : KernelBase(ctx), s_(s) {
    const FixedType& wt = ctx.type(ctx.in(1));
    acc_t_ = ctx.internal("accum");
    res_t_ = ctx.type(s.y);
    std::vector<Fixed> w = quantize_fixed(ctx.constant(1).data, wt, "weight");
    start_.push_back(0);
    for (int64_t j = 0; j < s.n_out; ++j) {
      for (int64_t i = 0; i < s.n_in; ++i) {
        const Fixed& v = w[static_cast<size_t>(i * s.n_out + j)];
        if (v.is_zero()) continue;
        idx_.push_back(i);
        w_.push_back(v);
      }
      start_.push_back(static_cast<int64_t>(idx_.size()));
    }
    bias_ = bias_fixed(ctx, s.n_out, acc_t_);
    p_prod_ = add_point("product", acc_t_);
    p_acc_ = add_point("accum", acc_t_);
    p_res_ = add_point("result", res_t_);
  }

  void run(Workspace& ws, Counts* c) const override {
    std::vector<Fixed> xr;
    xr.reserve(static_cast<size_t>(s_.n_in));
    for (int64_t r = 0; r < s_.rows; ++r) {
      xr.clear();
      for (int64_t i = 0; i < s_.n_in; ++i) xr.push_back(ws.get(s_.x, r * s_.n_in + i));
      for (int64_t j = 0; j < s_.n_out; ++j) {
        Fixed acc = bias_[static_cast<size_t>(j)];
        for (int64_t t = start_[static_cast<size_t>(j)]; t < start_[static_cast<size_t>(j) + 1]; ++t) {
          Fixed p = convert(xr[static_cast<size_t>(idx_[static_cast<size_t>(t)])] * w_[static_cast<size_t>(t)], acc_t_,
                            at(c, p_prod_));
          acc = convert(acc + p, acc_t_, at(c, p_acc_));
        }
        ws.set(s_.y, r * s_.n_out + j, convert(acc, res_t_, at(c, p_res_)));
      }
    }
  }
  const char* flavour() const override { return "general"; }

 private:
  DenseShape s_;
  FixedType acc_t_, res_t_;
  std::vector<int64_t> start_, idx_;
  std::vector<Fixed> w_, bias_;
  int p_prod_ = 0, p_acc_ = 0, p_res_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_dense(const KernelContext& ctx) {
  DenseShape s = dense_shape(ctx);
  const FixedType& xt = ctx.type(s.x);
  const FixedType& wt = ctx.type(ctx.in(1));
  FixedType acc_t = ctx.internal("accum");
  const FixedType& rt = ctx.type(s.y);
  bool bias_fast = ctx.node().inputs.size() <= 2 || is_fast_type(ctx.type(ctx.in(2)));
  MacPlan plan;
  if (!ctx.force_general && bias_fast && is_fast_type(rt) && make_mac_plan(xt, wt, acc_t, s.n_in, &plan))
    return std::make_unique<DenseFast>(ctx, s, plan);
  return std::make_unique<DenseGeneral>(ctx, s);
}

}  // namespace tachyon::emulator::detail
