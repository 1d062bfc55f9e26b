// Element-wise activations: Relu, LeakyRelu, PRelu, Elu, Sigmoid, HardSigmoid, Tanh, Clip,
// UnaryTable. Arithmetic (docs/semantics.md):
//   Relu        y = R(x > 0 ? x : 0); with attribute theta (ONNX ThresholdedRelu):
//               y = R(x > t ? x : 0), t = param_t(theta), compared exactly
//   LeakyRelu   y = x > 0 ? R(x) : R(a * x)            a = param_t(alpha)
//   PRelu       as LeakyRelu with a per last-axis slope (param_t if set, else the slope's type)
//   Elu         y = x > 0 ? R(x) : R(a * T[elu_index(x)])   a = param_t(alpha)
//   Sigmoid     y = R(T[sigmoid_index(x)]);  Tanh: y = R(T[tanh_index(x)])
//   UnaryTable  y = R(T_f[sigmoid_index(x)]), f = attribute function (tables.h)
//   HardSigmoid v = a * x + b (exact), a, b = param_t(alpha, beta); y = R(clamp(v, 0, 1))
//   Clip        lo, hi = min, max in <W_x, I_x, signed_x, AP_RND, AP_SAT>; y = R(clamp(x, lo, hi))
// R = conversion to result_t; T = table (table_t, config.table_size entries, tables.h).
#include <cmath>
#include <limits>

#include "kernel_util.h"
#include "tachyon/emulator/tables.h"

namespace tachyon::emulator::detail {

namespace {

using ir::ActivationOp;

struct ActSpec {
  ActivationOp op{};
  ir::ValueId x = 0, y = 0;
  int64_t n = 0;        // elements
  int64_t channels = 1; // last axis (PRelu)
  int table_n = 0;
  FixedType param_t, table_t;
  double alpha = 0, beta = 0, lo = 0, hi = 0;
  bool has_theta = false;
  TableFunction fn = TableFunction::Softplus;
  std::vector<double> slopes;
  Broadcast slope_bc;
};

ActSpec act_spec(const KernelContext& ctx) {
  ActSpec s;
  const ir::Node& n = ctx.node();
  s.op = ir::family_op<ir::Family::Activation>(n.op);
  s.x = ctx.in(0);
  s.y = ctx.out();
  s.n = ir::num_elements(ctx.shape(s.x));
  if (ir::num_elements(ctx.shape(s.y)) != s.n)
    ctx.error(fmt::format("output shape {} differs from input shape {}", ir::shape_str(ctx.shape(s.y)),
                          ir::shape_str(ctx.shape(s.x))));
  const ir::Attrs& a = n.attrs;
  switch (s.op) {
    case ActivationOp::Relu:
      if (a.has("theta")) {
        s.has_theta = true;
        s.alpha = a.get_float("theta", 0.0);
        s.param_t = ctx.internal("param");
      }
      break;
    case ActivationOp::LeakyRelu:
      s.alpha = a.get_float("alpha", 0.01);
      s.param_t = ctx.internal("param");
      break;
    case ActivationOp::PRelu: {
      const ir::Tensor& t = ctx.constant(1);
      s.slopes = t.data;
      auto it = n.config.types.find("param");
      s.param_t = it != n.config.types.end() ? it->second : ctx.type(ctx.in(1));
      s.slope_bc = broadcast_of(ctx, ctx.in(1), ctx.shape(s.y));
      break;
    }
    case ActivationOp::Elu:
      s.alpha = a.get_float("alpha", 1.0);
      s.param_t = ctx.internal("param");
      [[fallthrough]];
    case ActivationOp::Sigmoid:
    case ActivationOp::Tanh:
    case ActivationOp::UnaryTable:
      if (s.op == ActivationOp::UnaryTable) {
        const std::string f = a.get_string("function", "");
        auto tf = table_function(f);
        if (!tf) ctx.error(fmt::format("unknown table function '{}' (expected one of {})", f, table_function_names()));
        s.fn = *tf;
      }
      s.table_t = ctx.internal("table");
      s.table_n = n.config.table_size;
      if (s.table_n < 1 || s.table_n > (1 << 24)) ctx.error(fmt::format("table_size {} is out of range", s.table_n));
      break;
    case ActivationOp::HardSigmoid:
      s.alpha = a.get_float("alpha", 0.2);
      s.beta = a.get_float("beta", 0.5);
      s.param_t = ctx.internal("param");
      break;
    case ActivationOp::Clip: {
      s.lo = a.get_float("min", -std::numeric_limits<double>::infinity());
      s.hi = a.get_float("max", std::numeric_limits<double>::infinity());
      // ONNX Clip-11+: min / max as (constant) inputs.
      if (n.inputs.size() > 1 && n.inputs[1] != ir::kNone) s.lo = ctx.constant(1).data.at(0);
      if (n.inputs.size() > 2 && n.inputs[2] != ir::kNone) s.hi = ctx.constant(2).data.at(0);
      break;
    }
  }
  return s;
}

FixedType clip_bound_type(const FixedType& xt) {
  return FixedType{xt.width, xt.int_bits, xt.is_signed, Quant::RND, Overflow::SAT, 0};
}

// Clip bounds in <W_x, I_x, signed_x, AP_RND, AP_SAT> (infinite bounds saturate to the
// type's limits; they are not reported as overflows).
std::vector<Fixed> clip_bounds(const ActSpec& s, const FixedType& xt) {
  FixedType bt = clip_bound_type(xt);
  return {Fixed::from_double(s.lo, bt), Fixed::from_double(s.hi, bt)};
}

// ThresholdedRelu's threshold t = param_t(theta) as a code on x's grid: x > t exactly iff
// raw(x) > floor(t * 2^F_x); saturated two integer bits beyond x's range (x's width <= 60).
Fixed theta_on_grid(const Fixed& t, const FixedType& xt) {
  return t.cast(FixedType{xt.width + 2, xt.int_bits + 2, true, Quant::TRN, Overflow::SAT, 0});
}

// ---- fast path ------------------------------------------------------------------------

class ActFast final : public KernelBase {
 public:
  ActFast(const KernelContext& ctx, const ActSpec& s) : KernelBase(ctx), s_(s) {
    xt_ = ctx.type(s.x);
    const FixedType& rt = ctx.type(s.y);
    pos_ = ValueCast(xt_, rt);
    p_res_ = add_point("result", rt);
    switch (s.op) {
      case ActivationOp::Relu:
        if (s.has_theta) theta_ = theta_on_grid(quantize_fixed({s.alpha}, s.param_t, "param")[0], xt_).raw_int64();
        break;
      case ActivationOp::LeakyRelu:
        alpha_ = quantize_raw({s.alpha}, s.param_t, "param")[0];
        neg_ = CastPlan(int64_t{xt_.frac_bits()} + s.param_t.frac_bits(), rt);
        break;
      case ActivationOp::PRelu:
        slopes_ = quantize_raw(s.slopes, s.param_t, "param");
        neg_ = CastPlan(int64_t{xt_.frac_bits()} + s.param_t.frac_bits(), rt);
        break;
      case ActivationOp::Elu: {
        int64_t a = quantize_raw({s.alpha}, s.param_t, "param")[0];
        std::vector<int64_t> t = elu_table(s.table_n, s.table_t);
        note_build("table", s.table_t, s.table_n, 0);
        CastPlan p(int64_t{s.param_t.frac_bits()} + s.table_t.frac_bits(), rt);
        for (int64_t v : t) {
          bool o = false;
          res_.push_back(p.apply(static_cast<i128>(a) * v, &o));
          res_ovf_.push_back(o);
        }
        break;
      }
      case ActivationOp::Sigmoid:
      case ActivationOp::Tanh:
      case ActivationOp::UnaryTable: {
        std::vector<int64_t> t = s.op == ActivationOp::Sigmoid ? sigmoid_table(s.table_n, s.table_t)
                                 : s.op == ActivationOp::Tanh  ? tanh_table(s.table_n, s.table_t)
                                                     : unary_table(s.fn, s.table_n, s.table_t);
        note_build("table", s.table_t, s.table_n, 0);
        CastPlan p(s.table_t.frac_bits(), rt);
        for (int64_t v : t) {
          bool o = false;
          res_.push_back(p.apply(v, &o));
          res_ovf_.push_back(o);
        }
        break;
      }
      case ActivationOp::HardSigmoid: {
        std::vector<int64_t> ab = quantize_raw({s.alpha, s.beta}, s.param_t, "param");
        alpha_ = ab[0];
        beta_ = ab[1];
        int fp = s.param_t.frac_bits(), fx = xt_.frac_bits();
        hs_f_ = std::max(fp + fx, fp);
        hs_sa_ = hs_f_ - (fp + fx);
        hs_sb_ = hs_f_ - fp;
        neg_ = CastPlan(hs_f_, rt);
        break;
      }
      case ActivationOp::Clip: {
        std::vector<Fixed> b = clip_bounds(s, xt_);
        lo_ = b[0].raw_int64();
        hi_ = b[1].raw_int64();
        break;
      }
    }
  }

  // The fast path applies when x, result_t, param_t, table_t are fast and the exact
  // intermediates fit (HardSigmoid: v in i128 with a non-negative number of fraction bits).
  static bool fits(const KernelContext& ctx, const ActSpec& s) {
    const FixedType& xt = ctx.type(s.x);
    if (!all_fast({xt, ctx.type(s.y)})) return false;
    switch (s.op) {
      case ActivationOp::Relu: return !s.has_theta || (is_fast_type(s.param_t) && xt.width <= 60);
      case ActivationOp::LeakyRelu:
      case ActivationOp::PRelu: return is_fast_type(s.param_t);
      case ActivationOp::Elu: return all_fast({s.param_t, s.table_t});
      case ActivationOp::Sigmoid:
      case ActivationOp::Tanh:
      case ActivationOp::UnaryTable: return is_fast_type(s.table_t);
      case ActivationOp::HardSigmoid: {
        if (!is_fast_type(s.param_t)) return false;
        int fp = s.param_t.frac_bits(), fx = xt.frac_bits();
        int f = std::max(fp + fx, fp);
        return f >= 0 && f <= 120 && signed_bits(s.param_t) + signed_bits(xt) + (f - fp - fx) <= 124 &&
               signed_bits(s.param_t) + (f - fp) <= 124;
      }
      case ActivationOp::Clip: return true;
    }
    return true;  // not reached: every op is listed
  }

  void run(Workspace& ws, Counts* c) const override {
    const int64_t* x = ws.fast(s_.x);
    int64_t* y = ws.fast(s_.y);
    Counts* cr = at(c, p_res_);
    const int64_t n = s_.n;
    switch (s_.op) {
      case ActivationOp::Relu:
        for (int64_t i = 0; i < n; ++i) y[i] = pos_(x[i] > theta_ ? x[i] : 0, cr);
        break;
      case ActivationOp::LeakyRelu:
        for (int64_t i = 0; i < n; ++i)
          y[i] = x[i] > 0 ? pos_(x[i], cr) : convert(neg_, static_cast<i128>(x[i]) * alpha_, cr);
        break;
      case ActivationOp::PRelu:
        for (int64_t i = 0; i < n; ++i)
          y[i] = x[i] > 0 ? pos_(x[i], cr)
                          : convert(neg_, static_cast<i128>(x[i]) * slopes_[static_cast<size_t>(s_.slope_bc.index(i))], cr);
        break;
      case ActivationOp::Elu:
        for (int64_t i = 0; i < n; ++i) {
          if (x[i] > 0)
            y[i] = pos_(x[i], cr);
          else
            y[i] = lookup(elu_index(x[i], xt_, s_.table_n), cr);
        }
        break;
      case ActivationOp::Sigmoid:
      case ActivationOp::UnaryTable:
        for (int64_t i = 0; i < n; ++i) y[i] = lookup(sigmoid_index(x[i], xt_, s_.table_n), cr);
        break;
      case ActivationOp::Tanh:
        for (int64_t i = 0; i < n; ++i) y[i] = lookup(tanh_index(x[i], xt_, s_.table_n), cr);
        break;
      case ActivationOp::HardSigmoid: {
        const i128 one = static_cast<i128>(1) << hs_f_;
        for (int64_t i = 0; i < n; ++i) {
          i128 v = ((static_cast<i128>(alpha_) * x[i]) << hs_sa_) + (static_cast<i128>(beta_) << hs_sb_);
          if (v < 0) v = 0;
          if (v > one) v = one;
          y[i] = convert(neg_, v, cr);
        }
        break;
      }
      case ActivationOp::Clip:
        for (int64_t i = 0; i < n; ++i) {
          int64_t v = x[i] < lo_ ? lo_ : (x[i] > hi_ ? hi_ : x[i]);
          y[i] = pos_(v, cr);
        }
        break;
    }
  }
  const char* flavour() const override { return "fast"; }

 private:
  int64_t lookup(int idx, Counts* cr) const {
    if (cr) {
      cr->conversions++;
      cr->overflows += res_ovf_[static_cast<size_t>(idx)];
    }
    return res_[static_cast<size_t>(idx)];
  }

  ActSpec s_;
  FixedType xt_;
  ValueCast pos_;
  CastPlan neg_;
  int64_t alpha_ = 0, beta_ = 0, lo_ = 0, hi_ = 0, theta_ = 0;
  int hs_f_ = 0, hs_sa_ = 0, hs_sb_ = 0;
  std::vector<int64_t> slopes_, res_;
  std::vector<char> res_ovf_;
  int p_res_ = 0;
};

// ---- general path ---------------------------------------------------------------------

class ActGeneral final : public KernelBase {
 public:
  ActGeneral(const KernelContext& ctx, const ActSpec& s) : KernelBase(ctx), s_(s), rt_(ctx.type(s.y)) {
    p_res_ = add_point("result", rt_);
    switch (s.op) {
      case ActivationOp::Relu:
        if (s.has_theta) params_ = quantize_fixed({s.alpha}, s.param_t, "param");
        break;
      case ActivationOp::LeakyRelu:
      case ActivationOp::Elu:
        params_ = quantize_fixed({s.alpha}, s.param_t, "param");
        break;
      case ActivationOp::PRelu:
        params_ = quantize_fixed(s.slopes, s.param_t, "param");
        break;
      case ActivationOp::HardSigmoid:
        params_ = quantize_fixed({s.alpha, s.beta}, s.param_t, "param");
        break;
      case ActivationOp::Clip:
        params_ = clip_bounds(s, ctx.type(s.x));
        break;
      case ActivationOp::Sigmoid:
      case ActivationOp::Tanh:
      case ActivationOp::UnaryTable:
        break;
    }
    if (s.op == ActivationOp::Elu) table_ = elu_table_fixed(s.table_n, s.table_t);
    if (s.op == ActivationOp::Sigmoid) table_ = sigmoid_table_fixed(s.table_n, s.table_t);
    if (s.op == ActivationOp::Tanh) table_ = tanh_table_fixed(s.table_n, s.table_t);
    if (s.op == ActivationOp::UnaryTable) table_ = unary_table_fixed(s.fn, s.table_n, s.table_t);
    if (!table_.empty()) note_build("table", s.table_t, s.table_n, 0);
  }

  void run(Workspace& ws, Counts* c) const override {
    Counts* cr = at(c, p_res_);
    for (int64_t i = 0; i < s_.n; ++i) {
      Fixed x = ws.get(s_.x, i);
      bool pos = x.raw().sign() > 0;
      Fixed y(rt_);
      switch (s_.op) {
        case ActivationOp::Relu:
          if (s_.has_theta) pos = Fixed::compare_exact(x, params_[0]) > 0;
          y = convert(pos ? x : Fixed(x.type()), rt_, cr);
          break;
        case ActivationOp::LeakyRelu: y = convert(pos ? x : x * params_[0], rt_, cr); break;
        case ActivationOp::PRelu:
          y = convert(pos ? x : x * params_[static_cast<size_t>(s_.slope_bc.index(i))], rt_, cr);
          break;
        case ActivationOp::Elu:
          y = convert(pos ? x : params_[0] * table_[static_cast<size_t>(elu_index(x, s_.table_n))], rt_, cr);
          break;
        case ActivationOp::Sigmoid:
        case ActivationOp::UnaryTable: y = convert(table_[static_cast<size_t>(sigmoid_index(x, s_.table_n))], rt_, cr); break;
        case ActivationOp::Tanh: y = convert(table_[static_cast<size_t>(tanh_index(x, s_.table_n))], rt_, cr); break;
        case ActivationOp::HardSigmoid: {
          Fixed v = params_[0] * x + params_[1];
          Fixed zero = Fixed::from_raw(BigInt(0), int_type(2));
          Fixed one = Fixed::from_raw(BigInt(1), int_type(2));
          if (Fixed::compare_exact(v, zero) < 0) v = zero;
          if (Fixed::compare_exact(v, one) > 0) v = one;
          y = convert(v, rt_, cr);
          break;
        }
        case ActivationOp::Clip: {
          Fixed v = x;
          if (Fixed::compare_exact(v, params_[0]) < 0)
            v = params_[0];
          else if (Fixed::compare_exact(v, params_[1]) > 0)
            v = params_[1];
          y = convert(v, rt_, cr);
          break;
        }
      }
      ws.set(s_.y, i, y);
    }
  }
  const char* flavour() const override { return "general"; }

 private:
  ActSpec s_;
  FixedType rt_;
  std::vector<Fixed> params_, table_;
  int p_res_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_activation(const KernelContext& ctx) {
  ActSpec s = act_spec(ctx);
  if (!ctx.force_general && ActFast::fits(ctx, s)) return std::make_unique<ActFast>(ctx, s);
  return std::make_unique<ActGeneral>(ctx, s);
}

}  // namespace tachyon::emulator::detail
