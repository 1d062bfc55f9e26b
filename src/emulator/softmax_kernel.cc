// Softmax over the last axis (docs/semantics.md, "Softmax"; hls4ml >= 1.2 nnet_activation.h):
//   stable:  m = max x; d_i = inp_norm_t(m - x_i); e_i = accum_t(exp_table[softmax_index(d_i)]);
//            sum = the adder tree of tree_reduce over e_i, every partial sum in accum_t;
//            inv = inv_table[softmax_index(inv_inp_t(sum))]; y_i = result_t(e_i * inv)
//   latency: the same with d_i = x_i (inp_norm_t is the input type) and exp_table[k] = exp(+val(k))
// The exp table has config.table_size entries, the inverse table config.inv_table_size.
//   argmax:  y_i = result_t(1) for the first index of the maximum, result_t(0) elsewhere
#include "kernel_util.h"
#include "tachyon/emulator/tables.h"

namespace tachyon::emulator::detail {

namespace {

enum class Impl { Stable, Latency, Argmax };

struct SoftmaxSpec {
  Impl impl = Impl::Stable;
  ir::ValueId x = 0, y = 0;
  int64_t rows = 0, cols = 0;
  int table_n = 0, inv_n = 0;
  FixedType norm_t, exp_t, inv_t, acc_t, inv_inp_t;
};

SoftmaxSpec softmax_spec(const KernelContext& ctx) {
  SoftmaxSpec s;
  const ir::Node& n = ctx.node();
  s.x = ctx.in(0);
  s.y = ctx.out();
  const ir::Shape& xs = ctx.shape(s.x);
  if (xs.empty()) ctx.error("input has no axis to normalize over");
  s.cols = xs.back();
  s.rows = ir::num_elements(xs) / s.cols;
  if (ir::num_elements(ctx.shape(s.y)) != s.rows * s.cols) ctx.error("output shape differs from the input shape");
  const std::string& impl = n.config.softmax_impl;
  if (impl == "stable")
    s.impl = Impl::Stable;
  else if (impl == "latency")
    s.impl = Impl::Latency;
  else if (impl == "argmax")
    s.impl = Impl::Argmax;
  else
    ctx.error(fmt::format("unknown softmax implementation '{}' (expected stable, latency or argmax)", impl));
  if (s.impl != Impl::Argmax) {
    s.table_n = n.config.table_size;
    s.inv_n = n.config.inv_table_size;
    for (int size : {s.table_n, s.inv_n})
      if (table_bits(size) < 0 || size > (1 << 24))
        ctx.error(fmt::format("table size {} must be a power of two (at most 2^24) for softmax", size));
    s.norm_t = ctx.internal("inp_norm");
    s.exp_t = ctx.internal("exp_table");
    s.inv_t = ctx.internal("inv_table");
    s.acc_t = ctx.internal("accum");
    s.inv_inp_t = ctx.internal("inv_inp");
  }
  return s;
}

class SoftmaxFast final : public KernelBase {
 public:
  SoftmaxFast(const KernelContext& ctx, const SoftmaxSpec& s) : KernelBase(ctx), s_(s) {
    xt_ = ctx.type(s.x);
    const FixedType& rt = ctx.type(s.y);
    p_res_ = add_point("result", rt);
    if (s.impl == Impl::Argmax) {
      bool o = false;
      one_ = DoubleCastPlan(rt).apply(1.0, &o);
      one_ovf_ = o;
      zero_ = DoubleCastPlan(rt).apply(0.0);
      return;
    }
    p_norm_ = add_point("norm", s.norm_t);
    p_exp_ = add_point("exp", s.acc_t);
    p_sum_ = add_point("sum", s.acc_t);
    p_inv_inp_ = add_point("inv_inp", s.inv_inp_t);
    exp_ = softmax_exp_table(s.table_n, s.norm_t, s.exp_t, s.impl == Impl::Stable);
    inv_ = softmax_inv_table(s.inv_n, s.inv_inp_t, s.inv_t);
    note_build("exp_table", s.exp_t, s.table_n, 0);
    note_build("inv_table", s.inv_t, s.inv_n, 0);
    norm_ = CastPlan(xt_.frac_bits(), s.norm_t);
    to_acc_ = CastPlan(s.exp_t.frac_bits(), s.acc_t);
    sum_ = CastPlan(s.acc_t.frac_bits(), s.acc_t);
    to_inv_inp_ = CastPlan(s.acc_t.frac_bits(), s.inv_inp_t);
    res_ = CastPlan(int64_t{s.acc_t.frac_bits()} + s.inv_t.frac_bits(), rt);
  }

  static bool fits(const KernelContext& ctx, const SoftmaxSpec& s) {
    if (!all_fast({ctx.type(s.x), ctx.type(s.y)})) return false;
    if (s.impl == Impl::Argmax) return true;
    return all_fast({s.norm_t, s.exp_t, s.inv_t, s.acc_t, s.inv_inp_t});
  }

  size_t scratch_size() const override { return static_cast<size_t>(s_.cols); }

  void run(Workspace& ws, Counts* c) const override {
    const int64_t* x = ws.fast(s_.x);
    int64_t* y = ws.fast(s_.y);
    int64_t* e = ws.scratch();
    Counts* cr = at(c, p_res_);
    const int64_t nc = s_.cols;
    for (int64_t r = 0; r < s_.rows; ++r) {
      const int64_t* xr = x + r * nc;
      int64_t* yr = y + r * nc;
      if (s_.impl == Impl::Argmax) {
        int64_t best = 0;
        for (int64_t i = 1; i < nc; ++i)
          if (xr[i] > xr[best]) best = i;
        for (int64_t i = 0; i < nc; ++i) yr[i] = i == best ? one_ : zero_;
        if (cr) {
          cr->conversions += nc;
          cr->overflows += one_ovf_;
        }
        continue;
      }
      Counts* cn = at(c, p_norm_);
      if (s_.impl == Impl::Stable) {
        int64_t m = xr[0];
        for (int64_t i = 1; i < nc; ++i) m = xr[i] > m ? xr[i] : m;
        for (int64_t i = 0; i < nc; ++i)
          e[i] = exp_[static_cast<size_t>(
              softmax_index(convert(norm_, static_cast<i128>(m) - xr[i], cn), s_.norm_t, s_.table_n))];
      } else {
        for (int64_t i = 0; i < nc; ++i)
          e[i] = exp_[static_cast<size_t>(softmax_index(convert(norm_, xr[i], cn), s_.norm_t, s_.table_n))];
      }
      Counts* ce = at(c, p_exp_);
      for (int64_t i = 0; i < nc; ++i) e[i] = convert(to_acc_, e[i], ce);
      Counts* cs = at(c, p_sum_);
      int64_t sum = tree_reduce(e, nc, [&](int64_t a, int64_t b) { return convert(sum_, static_cast<i128>(a) + b, cs); });
      int64_t sum_in = convert(to_inv_inp_, sum, at(c, p_inv_inp_));
      int64_t inv = inv_[static_cast<size_t>(softmax_index(sum_in, s_.inv_inp_t, s_.inv_n))];
      for (int64_t i = 0; i < nc; ++i) yr[i] = convert(res_, static_cast<i128>(e[i]) * inv, cr);
    }
  }
  const char* flavour() const override { return "fast"; }

 private:
  SoftmaxSpec s_;
  FixedType xt_;
  std::vector<int64_t> exp_, inv_;
  CastPlan norm_, to_acc_, sum_, to_inv_inp_, res_;
  int64_t one_ = 0, zero_ = 0;
  bool one_ovf_ = false;
  int p_res_ = 0, p_norm_ = 0, p_exp_ = 0, p_sum_ = 0, p_inv_inp_ = 0;
};

class SoftmaxGeneral final : public KernelBase {
 public:
  SoftmaxGeneral(const KernelContext& ctx, const SoftmaxSpec& s) : KernelBase(ctx), s_(s), rt_(ctx.type(s.y)) {
    p_res_ = add_point("result", rt_);
    if (s.impl == Impl::Argmax) return;
    p_norm_ = add_point("norm", s.norm_t);
    p_exp_ = add_point("exp", s.acc_t);
    p_sum_ = add_point("sum", s.acc_t);
    p_inv_inp_ = add_point("inv_inp", s.inv_inp_t);
    exp_ = softmax_exp_table_fixed(s.table_n, s.norm_t, s.exp_t, s.impl == Impl::Stable);
    inv_ = softmax_inv_table_fixed(s.inv_n, s.inv_inp_t, s.inv_t);
    note_build("exp_table", s.exp_t, s.table_n, 0);
    note_build("inv_table", s.inv_t, s.inv_n, 0);
  }

  void run(Workspace& ws, Counts* c) const override {
    Counts* cr = at(c, p_res_);
    const int64_t nc = s_.cols;
    std::vector<Fixed> xr, e;
    for (int64_t r = 0; r < s_.rows; ++r) {
      xr.clear();
      e.clear();
      for (int64_t i = 0; i < nc; ++i) xr.push_back(ws.get(s_.x, r * nc + i));
      if (s_.impl == Impl::Argmax) {
        size_t best = 0;
        for (size_t i = 1; i < xr.size(); ++i)
          if (Fixed::compare_exact(xr[i], xr[best]) > 0) best = i;
        for (size_t i = 0; i < xr.size(); ++i)
          ws.set(s_.y, r * nc + static_cast<int64_t>(i), convert(Fixed::from_double(i == best ? 1.0 : 0.0, int_type(2)), rt_, cr));
        continue;
      }
      Counts* cn = at(c, p_norm_);
      Fixed m = xr[0];
      for (const Fixed& v : xr)
        if (Fixed::compare_exact(v, m) > 0) m = v;
      Counts* ce = at(c, p_exp_);
      for (const Fixed& v : xr) {
        Fixed d = convert(s_.impl == Impl::Stable ? m - v : v, s_.norm_t, cn);
        e.push_back(convert(exp_[static_cast<size_t>(softmax_index(d, s_.table_n))], s_.acc_t, ce));
      }
      Counts* cs = at(c, p_sum_);
      Fixed sum = tree_reduce(e.data(), nc, [&](const Fixed& a, const Fixed& b) { return convert(a + b, s_.acc_t, cs); });
      const Fixed sum_in = convert(sum, s_.inv_inp_t, at(c, p_inv_inp_));
      const Fixed& inv = inv_[static_cast<size_t>(softmax_index(sum_in, s_.inv_n))];
      for (int64_t i = 0; i < nc; ++i) ws.set(s_.y, r * nc + i, convert(e[static_cast<size_t>(i)] * inv, rt_, cr));
    }
  }
  const char* flavour() const override { return "general"; }

 private:
  SoftmaxSpec s_;
  FixedType rt_;
  std::vector<Fixed> exp_, inv_;
  int p_res_ = 0, p_norm_ = 0, p_exp_ = 0, p_sum_ = 0, p_inv_inp_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_softmax(const KernelContext& ctx) {
  SoftmaxSpec s = softmax_spec(ctx);
  if (!ctx.force_general && SoftmaxFast::fits(ctx, s)) return std::make_unique<SoftmaxFast>(ctx, s);
  return std::make_unique<SoftmaxGeneral>(ctx, s);
}

}  // namespace tachyon::emulator::detail
