// MaxPool / AvgPool (1D, 2D) and GlobalMaxPool / GlobalAvgPool.
//   Max: the maximum in the input type over the window's real cells (padding ignored),
//        converted to result_t.
//   Avg: sum = 0 in accum_t; sum += x for each counted cell in row-major window order
//        (padding cells are counted, as zeros, only with count_include_pad); n = cells
//        counted; q = sum / n in accum_t, the code divided by n truncated toward zero (what
//        `accum_t y; y /= n;` computes with ap_fixed: the quotient keeps the dividend's
//        fraction bits); q converted to result_t. As in hls4ml, a configured accum_t is
//        widened by the pass apply_config (docs/config.md, "Defaults").
#include "conv_geom.h"

namespace tachyon::emulator::detail {

namespace {

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
      final_ = CastPlan(int64_t{acc_t_.frac_bits()}, rt);
    }
    p_res_ = add_point("result", rt);
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
            out = convert(final_, static_cast<i128>(acc) / std::max<int64_t>(n, 1), at(c, p_res_));
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
  CastPlan final_;  // accum_t -> result_t
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
            Counts* cr = at(c, p_res_);
            bool o = false;
            Fixed q = Fixed::from_raw(acc.raw().div_trunc(static_cast<uint64_t>(std::max<int64_t>(n, 1))), acc_t_);
            out = q.cast(res_t_, &o);
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
  s.g = pool_geometry(ctx, global);
  s.max = op == ir::Op::MaxPool || op == ir::Op::GlobalMaxPool;
  s.include_pad = !global && ctx.node().attrs.get_int("count_include_pad", 0) != 0;
  if (!ctx.force_general && PoolFast::fits(ctx, s.max)) return std::make_unique<PoolFast>(ctx, s);
  return std::make_unique<PoolGeneral>(ctx, s);
}

}  // namespace tachyon::emulator::detail
