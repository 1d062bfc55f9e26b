// Workspace, kernel context and the op dispatch of the emulator.
#include "tachyon/emulator/kernel_api.h"

#include "kernel_util.h"
#include "tachyon/ir/diagnostic.h"
#include "tachyon/ir/op.h"

namespace tachyon::emulator {

Workspace::Workspace(const ValueLayout* layout, size_t scratch_size, size_t scratch32_size) : layout_(layout) {
  size_t n = layout->type.size();
  i64_.resize(n);
  big_.resize(n);
  for (size_t v = 0; v < n; ++v) {
    auto size = static_cast<size_t>(layout->size[v]);
    if (layout->fast[v])
      i64_[v].assign(size, 0);
    else
      big_[v].assign(size, BigInt(0));
  }
  scratch_.assign(scratch_size, 0);
  scratch32_.assign(scratch32_size, 0);
}

Fixed Workspace::get(ir::ValueId v, int64_t i) const {
  const FixedType& t = type(v);
  if (is_fast(v)) return detail::fixed_raw(fast(v)[i], t);
  return Fixed::from_raw(wide(v)[i], t);
}

void Workspace::set(ir::ValueId v, int64_t i, const Fixed& f) {
  if (is_fast(v))
    fast(v)[i] = f.raw().low_i64();
  else
    wide(v)[i] = f.raw();
}

double Workspace::to_double(ir::ValueId v, int64_t i) const {
  if (is_fast(v)) return raw_to_double(fast(v)[i], type(v));
  return Fixed::from_raw(wide(v)[i], type(v)).to_double();
}

ir::ValueId KernelContext::in(size_t i) const {
  const ir::Node& n = node();
  if (i >= n.inputs.size()) error(fmt::format("expected at least {} inputs, has {}", i + 1, n.inputs.size()));
  return n.inputs[i];
}

ir::ValueId KernelContext::out(size_t i) const {
  const ir::Node& n = node();
  if (i >= n.outputs.size()) error(fmt::format("expected at least {} outputs, has {}", i + 1, n.outputs.size()));
  return n.outputs[i];
}

const FixedType& KernelContext::type(ir::ValueId v) const {
  const ir::Value& val = graph.value(v);
  if (!val.type) error(fmt::format("value '{}' has no fixed-point type (run the pass pipeline first)", val.name));
  return *val.type;
}

FixedType KernelContext::internal(const std::string& key) const {
  const auto& types = node().config.types;
  auto it = types.find(key);
  if (it == types.end())
    error(fmt::format("internal type '{}' is not set (node.config.types; the precision passes should set it)", key));
  return it->second;
}

const ir::Tensor& KernelContext::constant(size_t i) const {
  ir::ValueId v = in(i);
  const ir::Value& val = graph.value(v);
  if (!val.is_constant()) error(fmt::format("input {} ('{}') must be a constant", i, val.name));
  return *val.constant;
}

void KernelContext::error(const std::string& msg) const {
  ir::node_fail(graph, node(), msg);
}

void Kernel::add_build_stat(const std::string& layer, const std::string& what, const FixedType& t,
                            int64_t conversions, int64_t overflows) {
  LayerStats s;
  s.layer = layer;
  s.what = what;
  s.type = t.str();
  s.conversions = conversions;
  (t.overflow == Overflow::WRAP ? s.wrapped : s.saturated) = overflows;
  s.build = true;
  build_stats_.push_back(std::move(s));
}

namespace detail {

std::vector<int64_t> KernelBase::quantize_raw(const std::vector<double>& vals, const FixedType& t,
                                              const std::string& what) {
  DoubleCastPlan plan(t);
  std::vector<int64_t> r(vals.size());
  int64_t ovf = 0;
  for (size_t i = 0; i < vals.size(); ++i) {
    bool o = false;
    r[i] = plan.apply(vals[i], &o);
    ovf += o;
  }
  note_build(what, t, static_cast<int64_t>(vals.size()), ovf);
  return r;
}

std::vector<Fixed> KernelBase::quantize_fixed(const std::vector<double>& vals, const FixedType& t,
                                              const std::string& what) {
  std::vector<Fixed> r;
  r.reserve(vals.size());
  int64_t ovf = 0;
  for (double v : vals) {
    bool o = false;
    r.push_back(Fixed::from_double(v, t, &o));
    ovf += o;
  }
  note_build(what, t, static_cast<int64_t>(vals.size()), ovf);
  return r;
}

std::vector<int64_t> KernelBase::bias_raw(const KernelContext& ctx, int64_t n, const FixedType& acc_t) {
  std::vector<int64_t> bias(static_cast<size_t>(n), 0);
  if (ctx.node().inputs.size() <= 2) return bias;
  const FixedType& bt = ctx.type(ctx.in(2));
  std::vector<int64_t> b = quantize_raw(ctx.constant(2).data, bt, "bias");
  CastPlan to_acc(bt.frac_bits(), acc_t);
  int64_t ovf = 0;
  for (size_t j = 0; j < b.size() && j < bias.size(); ++j) {
    bool o = false;
    bias[j] = to_acc.apply(b[j], &o);
    ovf += o;
  }
  note_build("bias->accum", acc_t, static_cast<int64_t>(b.size()), ovf);
  return bias;
}

std::vector<Fixed> KernelBase::bias_fixed(const KernelContext& ctx, int64_t n, const FixedType& acc_t) {
  std::vector<Fixed> bias(static_cast<size_t>(n), Fixed(acc_t));
  if (ctx.node().inputs.size() <= 2) return bias;
  std::vector<Fixed> b = quantize_fixed(ctx.constant(2).data, ctx.type(ctx.in(2)), "bias");
  int64_t ovf = 0;
  for (size_t j = 0; j < b.size() && j < bias.size(); ++j) {
    bool o = false;
    bias[j] = b[j].cast(acc_t, &o);
    ovf += o;
  }
  note_build("bias->accum", acc_t, static_cast<int64_t>(b.size()), ovf);
  return bias;
}

Broadcast broadcast_of(const KernelContext& ctx, ir::ValueId operand, const ir::Shape& out_shape) {
  // Shapes compared without leading 1s: [1, 16] is [16].
  auto strip = [](const ir::Shape& s) {
    size_t i = 0;
    while (i + 1 < s.size() && s[i] == 1) ++i;
    return ir::Shape(s.begin() + static_cast<std::ptrdiff_t>(i), s.end());
  };
  ir::Shape os = strip(out_shape), vs = strip(ctx.shape(operand));
  int64_t m = ir::num_elements(vs);
  int64_t c = os.empty() ? 1 : os.back();
  Broadcast b;
  if (vs == os) {
    b.mode = Broadcast::Full;
  } else if (m == 1) {
    b.mode = Broadcast::Scalar;
  } else if (vs.size() == 1 && vs[0] == c) {
    b.mode = Broadcast::LastAxis;
    b.c = c;
  } else {
    ctx.error(fmt::format("operand '{}' of shape {} cannot be broadcast to {} (supported: the same shape, a scalar, "
                          "or one value per element of the last axis)",
                          ctx.graph.value(operand).name, ir::shape_str(ctx.shape(operand)), ir::shape_str(out_shape)));
  }
  return b;
}

}  // namespace detail

std::unique_ptr<Kernel> make_kernel(const KernelContext& ctx) {
  const ir::Node& n = ctx.node();
  switch (ir::op_family(n.op)) {
    case ir::Family::Dense: return detail::make_dense(ctx);
    case ir::Family::Conv: return detail::make_conv(ctx);
    case ir::Family::Pool: return detail::make_pool(ctx);
    case ir::Family::Tree: return make_tree_kernel(ctx);
    case ir::Family::Activation: return detail::make_activation(ctx);
    case ir::Family::Softmax: return detail::make_softmax(ctx);
    case ir::Family::Elementwise: return detail::make_elementwise(ctx);
    case ir::Family::ElementQuant: return detail::make_element_quant(ctx);
    case ir::Family::Layout: return detail::make_layout(ctx);
    case ir::Family::Frontend:
      ctx.error("frontend-level op was not lowered: run the pass pipeline (driver::compile) before emulating");
  }
  ctx.error("unknown op");
}

}  // namespace tachyon::emulator
