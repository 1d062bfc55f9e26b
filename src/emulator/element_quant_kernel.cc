// ElementQuant: y_i = T_i(x_i) (x_i converted to element i's own type: T_i's rounding, then
// its overflow), then held in the container type, which holds every T_i exactly; pruned
// elements (bits 0) are 0. See ir/element_quant.h.
#include <map>
#include <tuple>

#include "kernel_util.h"
#include "tachyon/ir/element_quant.h"

namespace tachyon::emulator::detail {

namespace {

// The distinct element types, and for each element the index of its type (-1: pruned).
struct ElementTypes {
  std::vector<FixedType> types;
  std::vector<int32_t> which;
  FixedType container;

  explicit ElementTypes(const KernelContext& ctx) {
    std::vector<std::optional<FixedType>> per = ir::element_quant_types(ctx.graph, ctx.node());
    container = ir::element_quant_container(per);
    if (ctx.type(ctx.out()) != container)
      ctx.error(fmt::format("the output type {} is not the container {} of the element types", ctx.type(ctx.out()).str(),
                            container.str()));
    const int64_t n = ir::num_elements(ctx.shape(ctx.out()));
    if (static_cast<int64_t>(per.size()) != n || ir::num_elements(ctx.shape(ctx.in(0))) != n)
      ctx.error(fmt::format("input shape {} and output shape {} differ", ir::shape_str(ctx.shape(ctx.in(0))),
                            ir::shape_str(ctx.shape(ctx.out()))));
    std::map<std::tuple<int, int, bool>, int32_t> index;
    for (const auto& t : per) {
      if (!t) {
        which.push_back(-1);
        continue;
      }
      auto [it, added] = index.emplace(std::make_tuple(t->width, t->int_bits, t->is_signed), static_cast<int32_t>(types.size()));
      if (added) types.push_back(*t);
      which.push_back(it->second);
    }
  }
  // The conversion point's type: the container with the elements' modes (for the statistics).
  FixedType point_type() const {
    FixedType t = container;
    if (!types.empty()) {
      t.quant = types[0].quant;
      t.overflow = types[0].overflow;
    }
    return t;
  }
};

class EqFast final : public KernelBase {
 public:
  EqFast(const KernelContext& ctx, const ElementTypes& e) : KernelBase(ctx), x_(ctx.in(0)), y_(ctx.out()), which_(e.which) {
    const int fx = ctx.type(x_).frac_bits();
    for (const FixedType& t : e.types) {
      plans_.emplace_back(fx, t);
      shifts_.push_back(e.container.frac_bits() - t.frac_bits());
    }
    p_res_ = add_point("result", e.point_type());
  }

  static bool fits(const KernelContext& ctx, const ElementTypes& e) {
    return is_fast_type(ctx.type(ctx.in(0))) && is_fast_type(e.container);
  }

  void run(Workspace& ws, Counts* c) const override {
    const int64_t* x = ws.fast(x_);
    int64_t* y = ws.fast(y_);
    Counts* cr = at(c, p_res_);
    const auto n = static_cast<int64_t>(which_.size());
    for (int64_t i = 0; i < n; ++i) {
      const int32_t k = which_[static_cast<size_t>(i)];
      if (k < 0) {
        y[i] = 0;
        continue;
      }
      const auto uk = static_cast<size_t>(k);
      // Element code (an unsigned one is non-negative here: the container is fast), then the
      // exact move onto the container's grid.
      y[i] = static_cast<int64_t>(static_cast<uint64_t>(convert(plans_[uk], x[i], cr)) << shifts_[uk]);
    }
  }
  const char* flavour() const override { return "fast"; }

 private:
  ir::ValueId x_, y_;
  std::vector<int32_t> which_;
  std::vector<CastPlan> plans_;
  std::vector<int> shifts_;
  int p_res_ = 0;
};

class EqGeneral final : public KernelBase {
 public:
  EqGeneral(const KernelContext& ctx, const ElementTypes& e)
      : KernelBase(ctx), x_(ctx.in(0)), y_(ctx.out()), e_(e) {
    p_res_ = add_point("result", e.point_type());
  }

  void run(Workspace& ws, Counts* c) const override {
    Counts* cr = at(c, p_res_);
    const Fixed zero(e_.container);
    const auto n = static_cast<int64_t>(e_.which.size());
    for (int64_t i = 0; i < n; ++i) {
      const int32_t k = e_.which[static_cast<size_t>(i)];
      if (k < 0) {
        ws.set(y_, i, zero);
        continue;
      }
      ws.set(y_, i, convert(ws.get(x_, i), e_.types[static_cast<size_t>(k)], cr).cast(e_.container));
    }
  }
  const char* flavour() const override { return "general"; }

 private:
  ir::ValueId x_, y_;
  ElementTypes e_;
  int p_res_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_element_quant(const KernelContext& ctx) {
  ElementTypes e(ctx);
  if (!ctx.force_general && EqFast::fits(ctx, e)) return std::make_unique<EqFast>(ctx, e);
  return std::make_unique<EqGeneral>(ctx, e);
}

}  // namespace tachyon::emulator::detail
