// Element-wise arithmetic: Cast, Add, Sub, Mul, Scale, BatchNorm.
//   Cast        y = R(x)
//   Add/Sub/Mul y = R(a op b)        (exact result; a constant operand is first converted
//                                     to its own type; b may be a scalar or one value per
//                                     element of the last axis, and so may a)
//   Scale       y = R(x * s)         (s constant, broadcast like Mul)
//   BatchNorm   y = R(x * scale + bias)   (exact; scale, bias constants with their own types)
// R = conversion to result_t.
#include "kernel_util.h"

namespace tachyon::emulator::detail {

namespace {

using ir::ElementwiseOp;

struct EwSpec {
  ElementwiseOp op{};
  ir::ValueId y = 0;
  int64_t n = 0;
  std::vector<ir::ValueId> in;   // operands
  std::vector<Broadcast> bc;     // per operand
};

EwSpec ew_spec(const KernelContext& ctx) {
  EwSpec s;
  const ir::Node& n = ctx.node();
  s.op = ir::family_op<ir::Family::Elementwise>(n.op);
  s.y = ctx.out();
  s.n = ir::num_elements(ctx.shape(s.y));
  size_t arity = s.op == ElementwiseOp::Cast ? 1 : (s.op == ElementwiseOp::BatchNorm ? 3 : 2);
  if (n.inputs.size() != arity) ctx.error(fmt::format("expected {} inputs, has {}", arity, n.inputs.size()));
  for (size_t i = 0; i < arity; ++i) {
    s.in.push_back(ctx.in(i));
    s.bc.push_back(broadcast_of(ctx, s.in.back(), ctx.shape(s.y)));
    ctx.type(s.in.back());
  }
  if (s.op == ElementwiseOp::Scale && !ctx.graph.value(s.in[1]).is_constant()) ctx.error("the scale (input 1) must be a constant");
  return s;
}

// Build-time statistics: constant operands converted to their own types.
void note_constants(const KernelContext& ctx, const EwSpec& s, KernelBase& k) {
  for (ir::ValueId v : s.in) {
    const ir::Value& val = ctx.graph.value(v);
    if (!val.is_constant()) continue;
    int64_t ovf = 0;
    for (double d : val.constant->data) {
      bool o = false;
      Fixed::from_double(d, *val.type, &o);
      ovf += o;
    }
    k.note_build(val.name, *val.type, val.constant->size(), ovf);
  }
}

class EwFast final : public KernelBase {
 public:
  EwFast(const KernelContext& ctx, const EwSpec& s) : KernelBase(ctx), s_(s) {
    const FixedType& rt = ctx.type(s.y);
    p_res_ = add_point("result", rt);
    std::vector<int> f;
    for (ir::ValueId v : s.in) f.push_back(ctx.type(v).frac_bits());
    switch (s.op) {
      case ElementwiseOp::Cast: plan_ = CastPlan(f[0], rt); break;
      case ElementwiseOp::Add:
      case ElementwiseOp::Sub: {
        int F = std::max(f[0], f[1]);
        sh0_ = F - f[0];
        sh1_ = F - f[1];
        plan_ = CastPlan(F, rt);
        break;
      }
      case ElementwiseOp::Mul:
      case ElementwiseOp::Scale: plan_ = CastPlan(int64_t{f[0]} + f[1], rt); break;
      case ElementwiseOp::BatchNorm: {
        int F = std::max(f[0] + f[1], f[2]);
        sh0_ = F - (f[0] + f[1]);
        sh1_ = F - f[2];
        plan_ = CastPlan(F, rt);
        break;
      }
    }
  }

  static bool fits(const KernelContext& ctx, const EwSpec& s) {
    if (!is_fast_type(ctx.type(s.y))) return false;
    std::vector<FixedType> t;
    for (ir::ValueId v : s.in) {
      t.push_back(ctx.type(v));
      if (!is_fast_type(t.back())) return false;
    }
    auto sb = [&](size_t i) { return signed_bits(t[i]); };
    auto fb = [&](size_t i) { return t[i].frac_bits(); };
    switch (s.op) {
      case ElementwiseOp::Add:
      case ElementwiseOp::Sub: {
        int F = std::max(fb(0), fb(1));
        return sb(0) + F - fb(0) <= 124 && sb(1) + F - fb(1) <= 124;
      }
      case ElementwiseOp::BatchNorm: {
        int F = std::max(fb(0) + fb(1), fb(2));
        return sb(0) + sb(1) + F - fb(0) - fb(1) <= 124 && sb(2) + F - fb(2) <= 124;
      }
      case ElementwiseOp::Cast:
      case ElementwiseOp::Scale:
      case ElementwiseOp::Mul: return true;
    }
    return true;  // not reached: every op is listed
  }

  void run(Workspace& ws, Counts* c) const override {
    int64_t* y = ws.fast(s_.y);
    Counts* cr = at(c, p_res_);
    const int64_t* a = ws.fast(s_.in[0]);
    const Broadcast& ba = s_.bc[0];
    const int64_t* b = s_.in.size() > 1 ? ws.fast(s_.in[1]) : nullptr;
    const Broadcast& bb = s_.bc[s_.in.size() > 1 ? 1 : 0];
    const int64_t* bias = s_.in.size() > 2 ? ws.fast(s_.in[2]) : nullptr;
    for (int64_t i = 0; i < s_.n; ++i) {
      i128 va = a[ba.index(i)];
      i128 v = 0;
      switch (s_.op) {
        case ElementwiseOp::Cast: v = va; break;
        case ElementwiseOp::Add: v = (va << sh0_) + (static_cast<i128>(b[bb.index(i)]) << sh1_); break;
        case ElementwiseOp::Sub: v = (va << sh0_) - (static_cast<i128>(b[bb.index(i)]) << sh1_); break;
        case ElementwiseOp::Mul:
        case ElementwiseOp::Scale: v = va * b[bb.index(i)]; break;
        case ElementwiseOp::BatchNorm:
          v = ((va * b[bb.index(i)]) << sh0_) + (static_cast<i128>(bias[s_.bc[2].index(i)]) << sh1_);
          break;
      }
      y[i] = convert(plan_, v, cr);
    }
  }
  const char* flavour() const override { return "fast"; }

 private:
  EwSpec s_;
  CastPlan plan_;
  int sh0_ = 0, sh1_ = 0;
  int p_res_ = 0;
};

class EwGeneral final : public KernelBase {
 public:
  EwGeneral(const KernelContext& ctx, const EwSpec& s) : KernelBase(ctx), s_(s), rt_(ctx.type(s.y)) {
    p_res_ = add_point("result", rt_);
  }

  void run(Workspace& ws, Counts* c) const override {
    Counts* cr = at(c, p_res_);
    auto get = [&](size_t k, int64_t i) { return ws.get(s_.in[k], s_.bc[k].index(i)); };
    for (int64_t i = 0; i < s_.n; ++i) {
      Fixed a = get(0, i);
      Fixed v = a;
      switch (s_.op) {
        case ElementwiseOp::Cast: break;
        case ElementwiseOp::Add: v = a + get(1, i); break;
        case ElementwiseOp::Sub: v = a - get(1, i); break;
        case ElementwiseOp::Mul:
        case ElementwiseOp::Scale: v = a * get(1, i); break;
        case ElementwiseOp::BatchNorm: v = a * get(1, i) + get(2, i); break;
      }
      ws.set(s_.y, i, convert(v, rt_, cr));
    }
  }
  const char* flavour() const override { return "general"; }

 private:
  EwSpec s_;
  FixedType rt_;
  int p_res_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_elementwise(const KernelContext& ctx) {
  EwSpec s = ew_spec(ctx);
  std::unique_ptr<KernelBase> k;
  if (!ctx.force_general && EwFast::fits(ctx, s))
    k = std::make_unique<EwFast>(ctx, s);
  else
    k = std::make_unique<EwGeneral>(ctx, s);
  note_constants(ctx, s, *k);
  return k;
}

}  // namespace tachyon::emulator::detail
