// Layout ops: Concat, Reshape, Transpose, Pad, Identity. They move bits: every output
// element is an input element (or, for Pad, the pad value). Concat converts each input to
// result_t; the others have output type = input type, and if a graph nevertheless gives
// them a different output type, the element is converted to it (Q and O of the output
// type), never reinterpreted. Pad cells hold `value` (default 0) converted to the output type.
#include "kernel_util.h"

namespace tachyon::emulator::detail {

namespace {

using ir::LayoutOp;
using ir::Op;

// The data inputs: all for Concat, the first for the others (ONNX Reshape's second input
// is the target shape).
std::vector<ir::ValueId> data_inputs(const KernelContext& ctx) {
  const ir::Node& n = ctx.node();
  if (n.op == Op::Concat) return n.inputs;
  return {ctx.in(0)};
}

// Output element k comes from input src_in[k], element src_idx[k]; src_in[k] < 0: pad.
struct Gather {
  std::vector<int32_t> src_in;
  std::vector<int64_t> src_idx;
  double pad_value = 0.0;
};

Gather concat_gather(const KernelContext& ctx) {
  const ir::Node& n = ctx.node();
  const ir::Shape& os = ctx.shape(ctx.out());
  auto rank = static_cast<int64_t>(os.size());
  int64_t axis = n.attrs.get_int("axis", -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) ctx.error(fmt::format("axis {} is out of range for rank {}", n.attrs.get_int("axis", -1), rank));
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= os[static_cast<size_t>(i)];
  int64_t total_axis = 0;
  std::vector<int64_t> inner;
  for (size_t j = 0; j < n.inputs.size(); ++j) {
    const ir::Shape& s = ctx.shape(n.inputs[j]);
    if (static_cast<int64_t>(s.size()) != rank) ctx.error(fmt::format("input {} has rank {}, expected {}", j, s.size(), rank));
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis && s[static_cast<size_t>(i)] != os[static_cast<size_t>(i)])
        ctx.error(fmt::format("input {} of shape {} does not match output {} outside axis {}", j, ir::shape_str(s),
                              ir::shape_str(os), axis));
    total_axis += s[static_cast<size_t>(axis)];
    int64_t in = 1;
    for (int64_t i = axis; i < rank; ++i) in *= s[static_cast<size_t>(i)];
    inner.push_back(in);
  }
  if (total_axis != os[static_cast<size_t>(axis)]) ctx.error("the inputs' sizes along the axis do not add up to the output's");
  Gather g;
  for (int64_t o = 0; o < outer; ++o)
    for (size_t j = 0; j < inner.size(); ++j)
      for (int64_t i = 0; i < inner[j]; ++i) {
        g.src_in.push_back(static_cast<int32_t>(j));
        g.src_idx.push_back(o * inner[j] + i);
      }
  return g;
}

Gather transpose_gather(const KernelContext& ctx) {
  const ir::Shape& is = ctx.shape(ctx.in(0));
  const ir::Shape& os = ctx.shape(ctx.out());
  std::vector<int64_t> perm = ctx.node().attrs.get_ints("perm");
  if (perm.empty())  // ONNX default: reverse the axes
    for (size_t i = is.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  std::vector<char> seen(is.size(), 0);
  if (perm.size() != is.size()) ctx.error(fmt::format("attribute 'perm' has {} values, input rank is {}", perm.size(), is.size()));
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(is.size()) || seen[static_cast<size_t>(p)]++)
      ctx.error("attribute 'perm' is not a permutation");
  }
  if (ir::permute_shape(is, perm) != os)
    ctx.error(fmt::format("output shape {} is not the input shape {} permuted", ir::shape_str(os), ir::shape_str(is)));
  std::vector<int64_t> istr = ir::strides_of(is);
  Gather g;
  int64_t n = ir::num_elements(os);
  std::vector<int64_t> idx(os.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t src = 0;
    for (size_t i = 0; i < os.size(); ++i) src += idx[i] * istr[static_cast<size_t>(perm[i])];
    g.src_in.push_back(0);
    g.src_idx.push_back(src);
    for (size_t i = os.size(); i-- > 0;) {
      if (++idx[i] < os[i]) break;
      idx[i] = 0;
    }
  }
  return g;
}

Gather pad_gather(const KernelContext& ctx) {
  const ir::Node& n = ctx.node();
  const ir::Shape& is = ctx.shape(ctx.in(0));
  const ir::Shape& os = ctx.shape(ctx.out());
  std::string mode = n.attrs.get_string("mode", "constant");
  if (mode != "constant") ctx.error(fmt::format("pad mode '{}' is not supported (only 'constant')", mode));
  std::vector<int64_t> pads = n.attrs.get_ints("pads");
  size_t r = is.size();
  if (pads.size() != 2 * r) ctx.error(fmt::format("attribute 'pads' has {} values, expected {}", pads.size(), 2 * r));
  if (os.size() != r) ctx.error("output rank differs from input rank");
  for (size_t i = 0; i < r; ++i)
    if (os[i] != is[i] + pads[i] + pads[i + r])
      ctx.error(fmt::format("output shape {} does not match input {} with pads", ir::shape_str(os), ir::shape_str(is)));
  Gather g;
  g.pad_value = n.attrs.get_float("value", 0.0);
  std::vector<int64_t> istr = ir::strides_of(is);
  int64_t total = ir::num_elements(os);
  std::vector<int64_t> idx(r, 0);
  for (int64_t k = 0; k < total; ++k) {
    int64_t src = 0;
    bool inside = true;
    for (size_t i = 0; i < r; ++i) {
      int64_t p = idx[i] - pads[i];
      if (p < 0 || p >= is[i]) inside = false;
      src += p * istr[i];
    }
    g.src_in.push_back(inside ? 0 : -1);
    g.src_idx.push_back(inside ? src : 0);
    for (size_t i = r; i-- > 0;) {
      if (++idx[i] < os[i]) break;
      idx[i] = 0;
    }
  }
  return g;
}

class LayoutFast final : public KernelBase {
 public:
  LayoutFast(const KernelContext& ctx, Gather g, bool identity) : KernelBase(ctx), g_(std::move(g)), identity_(identity) {
    y_ = ctx.out();
    const FixedType& rt = ctx.type(y_);
    for (ir::ValueId v : data_inputs(ctx)) {
      in_.push_back(v);
      plans_.push_back(CastPlan(ctx.type(v).frac_bits(), rt));
      same_.push_back(ctx.type(v) == rt);
    }
    n_ = ir::num_elements(ctx.shape(y_));
    pad_ = DoubleCastPlan(rt).apply(g_.pad_value);
    p_res_ = add_point("result", rt);
  }
  void run(Workspace& ws, Counts* c) const override {
    int64_t* y = ws.fast(y_);
    Counts* cr = at(c, p_res_);
    if (identity_ && same_[0]) {  // Reshape / Identity: a flat copy
      const int64_t* x = ws.fast(in_[0]);
      std::copy(x, x + n_, y);
      if (cr) cr->conversions += n_;
      return;
    }
    for (int64_t k = 0; k < n_; ++k) {
      int32_t j = identity_ ? 0 : g_.src_in[static_cast<size_t>(k)];
      if (j < 0) {
        y[k] = pad_;
        if (cr) cr->conversions++;
        continue;
      }
      int64_t v = ws.fast(in_[static_cast<size_t>(j)])[identity_ ? k : g_.src_idx[static_cast<size_t>(k)]];
      if (same_[static_cast<size_t>(j)]) {
        y[k] = v;
        if (cr) cr->conversions++;
      } else {
        y[k] = convert(plans_[static_cast<size_t>(j)], v, cr);
      }
    }
  }
  const char* flavour() const override { return "fast"; }

 private:
  Gather g_;
  bool identity_;
  ir::ValueId y_ = 0;
  std::vector<ir::ValueId> in_;
  std::vector<CastPlan> plans_;
  std::vector<char> same_;
  int64_t n_ = 0, pad_ = 0;
  int p_res_ = 0;
};

class LayoutGeneral final : public KernelBase {
 public:
  LayoutGeneral(const KernelContext& ctx, Gather g, bool identity)
      : KernelBase(ctx), g_(std::move(g)), identity_(identity), rt_(ctx.type(ctx.out())) {
    y_ = ctx.out();
    in_ = data_inputs(ctx);
    n_ = ir::num_elements(ctx.shape(y_));
    p_res_ = add_point("result", rt_);
  }
  void run(Workspace& ws, Counts* c) const override {
    Counts* cr = at(c, p_res_);
    Fixed pad = Fixed::from_double(g_.pad_value, rt_);
    for (int64_t k = 0; k < n_; ++k) {
      int32_t j = identity_ ? 0 : g_.src_in[static_cast<size_t>(k)];
      if (j < 0) {
        ws.set(y_, k, pad);
        if (cr) cr->conversions++;
        continue;
      }
      Fixed v = ws.get(in_[static_cast<size_t>(j)], identity_ ? k : g_.src_idx[static_cast<size_t>(k)]);
      ws.set(y_, k, convert(v, rt_, cr));
    }
  }
  const char* flavour() const override { return "general"; }

 private:
  Gather g_;
  bool identity_;
  FixedType rt_;
  ir::ValueId y_ = 0;
  std::vector<ir::ValueId> in_;
  int64_t n_ = 0;
  int p_res_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_layout(const KernelContext& ctx) {
  const ir::Node& n = ctx.node();
  Gather g;
  bool identity = false;
  const LayoutOp op = ir::family_op<ir::Family::Layout>(n.op);
  switch (op) {
    case LayoutOp::Concat: g = concat_gather(ctx); break;
    case LayoutOp::Transpose: g = transpose_gather(ctx); break;
    case LayoutOp::Pad: g = pad_gather(ctx); break;
    case LayoutOp::Reshape:
    case LayoutOp::Identity:
      identity = true;
      if (n.inputs.empty()) ctx.error("has no input");
      if (ir::num_elements(ctx.shape(n.inputs[0])) != ir::num_elements(ctx.shape(ctx.out())))
        ctx.error(fmt::format("input shape {} and output shape {} have different sizes", ir::shape_str(ctx.shape(n.inputs[0])),
                              ir::shape_str(ctx.shape(ctx.out()))));
      break;
  }
  if (op != LayoutOp::Concat && op != LayoutOp::Reshape && n.inputs.size() > 1)
    ctx.error(fmt::format("expected 1 input, has {}", n.inputs.size()));
  if (op == LayoutOp::Concat && n.inputs.empty()) ctx.error("has no input");
  bool fast = is_fast_type(ctx.type(ctx.out()));
  for (ir::ValueId v : data_inputs(ctx)) fast = fast && is_fast_type(ctx.type(v));
  if (!ctx.force_general && fast) return std::make_unique<LayoutFast>(ctx, std::move(g), identity);
  return std::make_unique<LayoutGeneral>(ctx, std::move(g), identity);
}

}  // namespace tachyon::emulator::detail
