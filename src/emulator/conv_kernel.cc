// Conv 1D/2D (channels-last), with padding, strides, dilations and groups (depthwise =
// group == channels). Per output pixel and filter: acc = accum_t(bias); for kernel row,
// kernel column, input channel (ascending): acc += accum_t(x * w); y = result_t(acc).
// Padding cells are zeros and take part like any other cell (0 * w = 0 changes nothing).
// 1D is 2D with one row.
#include "conv_geom.h"
#include "mac.h"

namespace tachyon::emulator::detail {

namespace {

class ConvFast;

template <Quant Q, bool kShift, bool kNarrow, MacMode M>
struct ConvRun {
  static void run(const ConvFast& k, const int64_t* x, int64_t* y, int64_t* scratch, Counts* c);
};

class ConvFast final : public KernelBase {
 public:
  ConvFast(const KernelContext& ctx, const ConvGeom& g, const MacPlan& plan) : KernelBase(ctx), g_(g), plan_(plan) {
    x_ = ctx.in(0);
    y_ = ctx.out();
    const FixedType& wt = ctx.type(ctx.in(1));
    FixedType acc_t = ctx.internal("accum");
    std::vector<int64_t> w = quantize_raw(ctx.constant(1).data, wt, "weight");
    // Weight layout (kh, kw, cpg, F); offsets into the padded input relative to the window origin.
    start_.push_back(0);
    for (int64_t f = 0; f < g.F; ++f) {
      int64_t grp = f / (g.F / g.G);
      for (int64_t kh = 0; kh < g.KH; ++kh)
        for (int64_t kw = 0; kw < g.KW; ++kw)
          for (int64_t c = 0; c < g.CPG; ++c) {
            int64_t v = w[static_cast<size_t>(((kh * g.KW + kw) * g.CPG + c) * g.F + f)];
            if (v == 0) continue;
            off_.push_back(static_cast<int32_t>((kh * g.DH * g.Wp() + kw * g.DW) * g.C + grp * g.CPG + c));
            w_.push_back(static_cast<int64_t>(static_cast<uint64_t>(v) << plan.pre_shift));
          }
      start_.push_back(static_cast<int32_t>(off_.size()));
    }
    bias_ = bias_raw(ctx, g.F, acc_t);
    result_ = ValueCast(acc_t, ctx.type(y_));
    p_prod_ = add_point("product", acc_t);
    p_acc_ = add_point("accum", acc_t);
    p_res_ = add_point("result", ctx.type(y_));
    fn_ = MacDispatch<ConvRun>::plain(acc_t.quant, plan, false);
    fn_stats_ = MacDispatch<ConvRun>::stats(acc_t.quant, plan);
  }

  size_t scratch_size() const override { return g_.padded() ? static_cast<size_t>(g_.Hp() * g_.Wp() * g_.C) : 0; }
  void run(Workspace& ws, Counts* c) const override {
    (c ? fn_stats_ : fn_)(*this, ws.fast(x_), ws.fast(y_), ws.scratch(), c);
  }
  const char* flavour() const override { return "fast"; }

  template <Quant Q, bool kShift, bool kNarrow, MacMode M>
  void compute(const int64_t* x, int64_t* y, int64_t* scratch, Counts* c) const {
    constexpr bool kStats = M == MacMode::Stats;
    const int64_t* xp = x;
    if (g_.padded()) {
      pad_input(x, scratch, g_);
      xp = scratch;
    }
    int64_t op = 0, oa = 0;
    Counts* cr = kStats ? c + p_res_ : nullptr;
    const int64_t wp = g_.Wp();
    for (int64_t oh = 0; oh < g_.OH; ++oh)
      for (int64_t ow = 0; ow < g_.OW; ++ow) {
        const int64_t* base = xp + (oh * g_.SH * wp + ow * g_.SW) * g_.C;
        int64_t* yo = y + (oh * g_.OW + ow) * g_.F;
        for (int64_t f = 0; f < g_.F; ++f) {
          int32_t b = start_[static_cast<size_t>(f)], e = start_[static_cast<size_t>(f) + 1];
          int64_t acc = mac<Q, kShift, kNarrow, M>(bias_[static_cast<size_t>(f)], base, off_.data() + b,
                                                        w_.data() + b, e - b, plan_, &op, &oa);
          if constexpr (kStats)
            yo[f] = result_(acc, cr);
          else
            yo[f] = result_(acc);
        }
      }
    if constexpr (kStats) {
      int64_t n = static_cast<int64_t>(off_.size()) * g_.OH * g_.OW;
      c[p_prod_].conversions += n;
      c[p_prod_].overflows += op;
      c[p_acc_].conversions += n;
      c[p_acc_].overflows += oa;
    }
  }

 private:
  using Fn = void (*)(const ConvFast&, const int64_t*, int64_t*, int64_t*, Counts*);
  ConvGeom g_;
  MacPlan plan_;
  ir::ValueId x_ = 0, y_ = 0;
  std::vector<int32_t> start_, off_;
  std::vector<int64_t> w_, bias_;
  ValueCast result_;
  int p_prod_ = 0, p_acc_ = 0, p_res_ = 0;
  Fn fn_ = nullptr, fn_stats_ = nullptr;
};

template <Quant Q, bool kShift, bool kNarrow, MacMode M>
void ConvRun<Q, kShift, kNarrow, M>::run(const ConvFast& k, const int64_t* x, int64_t* y, int64_t* scratch,
                                              Counts* c) {
  k.compute<Q, kShift, kNarrow, M>(x, y, scratch, c);
}

class ConvGeneral final : public KernelBase {
 public:
  ConvGeneral(const KernelContext& ctx, const ConvGeom& g) : KernelBase(ctx), g_(g) {
    x_ = ctx.in(0);
    y_ = ctx.out();
    acc_t_ = ctx.internal("accum");
    res_t_ = ctx.type(y_);
    w_ = quantize_fixed(ctx.constant(1).data, ctx.type(ctx.in(1)), "weight");
    bias_ = bias_fixed(ctx, g.F, acc_t_);
    p_prod_ = add_point("product", acc_t_);
    p_acc_ = add_point("accum", acc_t_);
    p_res_ = add_point("result", res_t_);
  }

  void run(Workspace& ws, Counts* c) const override {
    const FixedType& xt = ws.type(x_);
    Fixed zero(xt);
    for (int64_t oh = 0; oh < g_.OH; ++oh)
      for (int64_t ow = 0; ow < g_.OW; ++ow)
        for (int64_t f = 0; f < g_.F; ++f) {
          int64_t grp = f / (g_.F / g_.G);
          Fixed acc = bias_[static_cast<size_t>(f)];
          for (int64_t kh = 0; kh < g_.KH; ++kh)
            for (int64_t kw = 0; kw < g_.KW; ++kw)
              for (int64_t ci = 0; ci < g_.CPG; ++ci) {
                const Fixed& w = w_[static_cast<size_t>(((kh * g_.KW + kw) * g_.CPG + ci) * g_.F + f)];
                if (w.is_zero()) continue;
                int64_t ih = oh * g_.SH - g_.PT + kh * g_.DH;
                int64_t iw = ow * g_.SW - g_.PL + kw * g_.DW;
                bool inside = ih >= 0 && ih < g_.H && iw >= 0 && iw < g_.W;
                Fixed xv = inside ? ws.get(x_, (ih * g_.W + iw) * g_.C + grp * g_.CPG + ci) : zero;
                Fixed p = convert(xv * w, acc_t_, at(c, p_prod_));
                acc = convert(acc + p, acc_t_, at(c, p_acc_));
              }
          ws.set(y_, (oh * g_.OW + ow) * g_.F + f, convert(acc, res_t_, at(c, p_res_)));
        }
  }
  const char* flavour() const override { return "general"; }

 private:
  ConvGeom g_;
  ir::ValueId x_ = 0, y_ = 0;
  FixedType acc_t_, res_t_;
  std::vector<Fixed> w_, bias_;
  int p_prod_ = 0, p_acc_ = 0, p_res_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_conv(const KernelContext& ctx) {
  ConvGeom g = conv_geometry(ctx);
  const FixedType& xt = ctx.type(ctx.in(0));
  const FixedType& wt = ctx.type(ctx.in(1));
  FixedType acc_t = ctx.internal("accum");
  const FixedType& rt = ctx.type(ctx.out());
  bool bias_fast = ctx.node().inputs.size() <= 2 || is_fast_type(ctx.type(ctx.in(2)));
  bool small = g.Hp() * g.Wp() * g.C < (int64_t{1} << 30);
  MacPlan plan;
  if (!ctx.force_general && small && bias_fast && is_fast_type(rt) && make_mac_plan(xt, wt, acc_t, g.KH * g.KW * g.CPG, &plan))
    return std::make_unique<ConvFast>(ctx, g, plan);
  return std::make_unique<ConvGeneral>(ctx, g);
}

}  // namespace tachyon::emulator::detail
