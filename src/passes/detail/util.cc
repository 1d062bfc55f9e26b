#include "passes/detail/util.h"

#include <algorithm>
#include <cmath>

#include "tachyon/fixed/fixed.h"

namespace tachyon::passes::detail {

Diagnostic node_diag(const ir::Graph& g, const ir::Node& n, std::string message) {
  return Diagnostic{g.source_file, n.source_name.empty() ? n.name : n.source_name,
                    n.source_op.empty() ? std::string(ir::op_name(n.op)) : n.source_op, std::move(message)};
}

void node_fail(const ir::Graph& g, const ir::Node& n, std::string message) {
  throw Error(node_diag(g, n, std::move(message)));
}

bool is_pow2(double s, int* k) {
  if (!(s > 0) || !std::isfinite(s)) return false;
  int e = 0;
  double m = std::frexp(s, &e);
  if (m != 0.5) return false;
  *k = e - 1;
  return true;
}

int frac_bits_of(double v) {
  if (v == 0 || !std::isfinite(v)) return 0;
  int e = 0;
  std::frexp(v, &e);  // |v| = m * 2^e, m in [0.5, 1)
  // v * 2^F is an integer for F = 53 - e (all mantissa bits above the point); reduce it.
  int f = 53 - e;
  while (f > -1100 && std::ldexp(v, f - 1) == std::trunc(std::ldexp(v, f - 1))) --f;
  return f;
}

FixedType range_type(double lo, double hi, int frac, bool is_signed) {
  if (lo < 0) is_signed = true;
  int i = 1 - frac;  // width >= 1
  auto fits = [&](int ib) {
    if (is_signed) return lo >= -std::ldexp(1.0, ib - 1) && hi < std::ldexp(1.0, ib - 1);
    return lo >= 0 && hi < std::ldexp(1.0, ib);
  };
  // Start near the magnitude to keep the loop short.
  double mag = std::max(std::fabs(lo), std::fabs(hi));
  if (mag > 0) {
    int e = 0;
    std::frexp(mag, &e);
    i = std::max(i, e - 2);
  }
  while (!fits(i) && i < 100000) ++i;
  return fixed_type(i + frac, i, is_signed);
}

std::optional<FixedType> exact_type(const std::vector<double>& values, int max_width) {
  int f = -1100;
  double lo = 0, hi = 0;
  bool any = false;
  for (double v : values) {
    if (!std::isfinite(v)) return std::nullopt;
    if (v == 0) continue;
    f = std::max(f, frac_bits_of(v));
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    any = true;
  }
  if (!any) return fixed_type(1, 1, false);  // all zeros: ap_ufixed<1,1>
  FixedType t = range_type(lo, hi, f, lo < 0);
  if (t.width > max_width) return std::nullopt;
  return t;
}

double quantize(double v, const FixedType& t) { return Fixed::from_double(v, t).to_double(); }

namespace {
// Ops whose result type must not be replaced: they move bits or their type is their meaning.
bool keeps_result_type(ir::Op op) {
  return ir::has_trait(op, ir::kLayout) || ir::has_trait(op, ir::kFrontendOnly) || op == ir::Op::MaxPool ||
         op == ir::Op::GlobalMaxPool || op == ir::Op::Cast || op == ir::Op::ElementQuant;
}
}  // namespace

void place_conversion(ir::Graph& g, ir::NodeId id, const FixedType& t) {
  const ir::Node& n = g.node(id);
  const ir::ValueId x = n.inputs[0], y = n.outputs.at(0);
  ir::Value& xv = g.value(x);
  const bool only_user = g.users(x).size() == 1 && !g.is_graph_output(x);
  const bool is_input = std::any_of(g.inputs.begin(), g.inputs.end(), [&](const ir::IoPort& p) { return p.value == x; });
  if (only_user && !xv.type && is_input) {
    xv.type = t;
    g.replace_uses(y, x);
    g.remove_node(id);
    return;
  }
  const ir::NodeId pid = xv.producer;
  if (only_user && !xv.type && pid != ir::kNone && !g.node(pid).dead && !keeps_result_type(g.node(pid).op) &&
      g.node(pid).outputs.size() == 1 && g.value(y).shape == xv.shape) {
    ir::Node& p = g.node(pid);
    p.outputs[0] = y;
    g.value(y).type = t;
    g.value(y).producer = pid;
    g.remove_node(id);
    return;
  }
  ir::Node& c = g.node(id);
  c.op = ir::Op::Cast;
  c.inputs.resize(1);
  c.attrs = {};
  g.value(y).type = t;
}

const ir::Tensor& constant_input(const ir::Graph& g, const ir::Node& n, size_t i, const char* what) {
  if (i >= n.inputs.size()) node_fail(g, n, fmt::format("missing input {} ({})", i, what));
  const ir::Value& v = g.value(n.inputs[i]);
  if (!v.is_constant()) node_fail(g, n, fmt::format("input {} ('{}', the {}) must be a constant", i, v.name, what));
  return *v.constant;
}

ir::ValueId add_constant(ir::Graph& g, const std::string& base, ir::Tensor t, std::optional<FixedType> type) {
  return g.add_constant(g.unique_value_name(base), std::move(t), type);
}

int64_t pool_cells(const ir::Graph& g, const ir::Node& n) {
  if (n.op == ir::Op::GlobalAvgPool || n.op == ir::Op::GlobalMaxPool) {
    const ir::Shape& x = g.value(n.inputs.at(0)).shape;
    return ir::num_elements(x) / std::max<int64_t>(1, x.empty() ? 1 : x.back());
  }
  int64_t k = 1;
  for (int64_t d : n.attrs.get_ints("kernel_shape")) k *= d;
  return k;
}

FixedType widened_pool_accum(FixedType t, int64_t cells) {
  int e = 0;
  while ((int64_t{1} << e) < cells) ++e;
  const bool integer = t.is_integer();
  t.width += 2 * e;
  t.int_bits += integer ? 2 * e : e;
  return t;
}

}  // namespace tachyon::passes::detail
