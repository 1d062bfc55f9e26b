// MaxPool / AvgPool (1D, 2D) and GlobalMaxPool / GlobalAvgPool.
//   Max: the maximum in the input type over the window's real cells (padding ignored),
//        converted to result_t.
//   Avg: sum = 0 in accum_t; sum += x for each counted cell in row-major window order
//        (padding cells are counted, as zeros, only with count_include_pad); n = cells
//        counted; n a power of two: y = sum * 2^-log2(n) exactly; otherwise
//        y = sum * r (full precision), r = 1/n converted to ap_ufixed<18,0,AP_RND>;
//        y converted to result_t.
#include "conv_geom.h"

namespace tachyon::emulator::detail {

namespace {

constexpr int kRecipBits = 18;

// 1/n rounded to 18 fraction bits, ties up (ap_ufixed<18,0,AP_RND>); exact integer math.
// (n >= 2, so 1/n <= 1/2 and never overflows.)
int64_t recip_raw(int64_t n) {
  int64_t num = int64_t{1} << kRecipBits;
  int64_t q = num / n, rem = num - q * n;
  return q + (2 * rem >= n ? 1 : 0);
}
FixedType recip_type() { return FixedType{kRecipBits, 0, false, Quant::RND, Overflow::WRAP, 0}; }

int log2_exact(int64_t n) {
  int k = 0;
  while ((int64_t{1} << k) < n) ++k;
  return (int64_t{1} << k) == n ? k : -1;
}

struct PoolSpec {
  ConvGeom g;
  bool max = false;
  bool include_pad = false;
};

// Visits the window of output (oh, ow): f(h, w, inside).
template <typename F>
inline void for_window(const ConvGeom& g, int64_t oh, int64_t ow, F&& f) {
  for (int64_t kh = 0; kh < g.KH; ++kh)
    for (int64_t kw = 0; kw < g.KW; ++kw) {
      int64_t h = oh * g.SH - g.PT + kh, w = ow * g.SW - g.PL + kw;
      f(h, w, h >= 0 && h < g.H && w >= 0 && w < g.W);
    }
}

class PoolFast final : public KernelBase {
 public:
  PoolFast(const KernelContext& ctx, const PoolSpec& s) : KernelBase(ctx), s_(s) {
    x_ = ctx.in(0);
    y_ = ctx.out();
    const FixedType& xt = ctx.type(x_);
    const FixedType& rt = ctx.type(y_);
    if (s.max) {
      result_ = ValueCast(xt, rt);
    } else {
      acc_t_ = ctx.internal("accum");
      int f = std::max(acc_t_.frac_bits(), xt.frac_bits());
      sa_ = f - acc_t_.frac_bits();
      sx_ = f - xt.frac_bits();
      sum_ = CastPlan(f, acc_t_);
      p_acc_ = add_point("accum", acc_t_);
    }
    p_res_ = add_point("result", rt);
    if (!s.max) {
      int64_t cells = s.g.KH * s.g.KW;
      for (int64_t n = 0; n <= cells; ++n) {
        int k = n >= 1 ? log2_exact(n) : 0;
        final_.push_back(k >= 0 ? CastPlan(int64_t{acc_t_.frac_bits()} + k, rt)
                                : CastPlan(int64_t{acc_t_.frac_bits()} + kRecipBits, rt));
        recip_.push_back(k >= 0 ? 0 : recip_raw(n));
      }
    }
  }

  static bool fits(const KernelContext& ctx, bool max) {
    const FixedType& xt = ctx.type(ctx.in(0));
    if (!all_fast({xt, ctx.type(ctx.out())})) return false;
    if (max) return true;
    FixedType at = ctx.internal("accum");
    if (!is_fast_type(at)) return false;
    int f = std::max(at.frac_bits(), xt.frac_bits());
    return signed_bits(at) + (f - at.frac_bits()) <= 125 && signed_bits(xt) + (f - xt.frac_bits()) <= 125;
  }

  void run(Workspace& ws, Counts* c) const override {
    const ConvGeom& g = s_.g;
    const int64_t* x = ws.fast(x_);
    int64_t* y = ws.fast(y_);
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow)
        for (int64_t ch = 0; ch < g.C; ++ch) {
          int64_t out;
          if (s_.max) {
            bool any = false;
            int64_t m = 0;
            for_window(g, oh, ow, [&](int64_t h, int64_t w, bool inside) {
              if (!inside) return;
              int64_t v = x[(h * g.W + w) * g.C + ch];
              if (!any || v > m) m = v;
              any = true;
            });
            out = result_(m, at(c, p_res_));
          } else {
            int64_t acc = 0, n = 0;
            for_window(g, oh, ow, [&](int64_t h, int64_t w, bool inside) {
              if (!inside && !s_.include_pad) return;
              int64_t v = inside ? x[(h * g.W + w) * g.C + ch] : 0;
              acc = convert(sum_, (static_cast<i128>(acc) << sa_) + (static_cast<i128>(v) << sx_), at(c, p_acc_));
              ++n;
            });
            const CastPlan& fin = final_[static_cast<size_t>(n)];
            int64_t r = recip_[static_cast<size_t>(n)];
            out = convert(fin, r ? static_cast<i128>(acc) * r : static_cast<i128>(acc), at(c, p_res_));
          }
          y[(oh * g.OW + ow) * g.C + ch] = out;
        }
  }
  const char* flavour() const override { return "fast"; }

 private:
  PoolSpec s_;
  ir::ValueId x_ = 0, y_ = 0;
  FixedType acc_t_;
  ValueCast result_;
  CastPlan sum_;
  int sa_ = 0, sx_ = 0;
  std::vector<CastPlan> final_;  // per n
  std::vector<int64_t> recip_;   // per n: 0 when n is a power of two
  int p_acc_ = 0, p_res_ = 0;
};

class PoolGeneral final : public KernelBase {
 public:
  PoolGeneral(const KernelContext& ctx, const PoolSpec& s) : KernelBase(ctx), s_(s) {
    x_ = ctx.in(0);
    y_ = ctx.out();
    res_t_ = ctx.type(y_);
    if (!s.max) {
      acc_t_ = ctx.internal("accum");
      p_acc_ = add_point("accum", acc_t_);
    }
    p_res_ = add_point("result", res_t_);
  }

  void run(Workspace& ws, Counts* c) const override {
    const ConvGeom& g = s_.g;
    Fixed zero(ws.type(x_));
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow)
        for (int64_t ch = 0; ch < g.C; ++ch) {
          Fixed out(res_t_);
          if (s_.max) {
            bool any = false;
            Fixed m = zero;
            for_window(g, oh, ow, [&](int64_t h, int64_t w, bool inside) {
              if (!inside) return;
              Fixed v = ws.get(x_, (h * g.W + w) * g.C + ch);
              if (!any || Fixed::compare_exact(v, m) > 0) m = v;
              any = true;
            });
            out = convert(m, res_t_, at(c, p_res_));
          } else {
            Fixed acc(acc_t_);
            int64_t n = 0;
            for_window(g, oh, ow, [&](int64_t h, int64_t w, bool inside) {
              if (!inside && !s_.include_pad) return;
              Fixed v = inside ? ws.get(x_, (h * g.W + w) * g.C + ch) : zero;
              acc = convert(acc + v, acc_t_, at(c, p_acc_));
              ++n;
            });
            int k = log2_exact(n);
            Counts* cr = at(c, p_res_);
            bool o = false;
            if (k >= 0)
              out = Fixed::from_exact(acc.raw(), int64_t{acc_t_.frac_bits()} + k, res_t_, &o);
            else
              out = (acc * Fixed::from_raw(BigInt(recip_raw(n)), recip_type())).cast(res_t_, &o);
            if (cr) {
              cr->conversions++;
              cr->overflows += o;
            }
          }
          ws.set(y_, (oh * g.OW + ow) * g.C + ch, out);
        }
  }
  const char* flavour() const override { return "general"; }

 private:
  PoolSpec s_;
  ir::ValueId x_ = 0, y_ = 0;
  FixedType acc_t_, res_t_;
  int p_acc_ = 0, p_res_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_pool(const KernelContext& ctx) {
  ir::Op op = ctx.node().op;
  bool global = op == ir::Op::GlobalMaxPool || op == ir::Op::GlobalAvgPool;
  PoolSpec s;
  s.g = window_geometry(ctx);
  s.max = op == ir::Op::MaxPool || op == ir::Op::GlobalMaxPool;
  s.include_pad = !global && ctx.node().attrs.get_int("count_include_pad", 0) != 0;
  if (!ctx.force_general && PoolFast::fits(ctx, s.max)) return std::make_unique<PoolFast>(ctx, s);
  return std::make_unique<PoolGeneral>(ctx, s);
}

}  // namespace tachyon::emulator::detail
