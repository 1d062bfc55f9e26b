// fuse_dense: Gemm and MatMul become Dense layers.
//   Gemm(A, B, C; alpha, beta, transB)  -> Dense(A, W = alpha * op(B) as (in, out), bias = beta * C)
//   MatMul(x, W) + Add(constant b)     -> Dense(x, W, b)   (the MatMul result has no other user)
//   MatMul(x, W)                       -> Dense(x, W)
//   Gemm + Add(constant)               -> Dense with the constant added to the bias
// The Dense keeps the first node's name; its output is the last fused node's output value
// (so a type set on it by absorb_quant is kept). A constant that is scaled loses a type it
// had (the values are no longer on its grid), unless the scale is 1.
#include <fmt/format.h>

#include "passes/detail/util.h"
#include "tachyon/passes/pass.h"

namespace tachyon::passes {

namespace {

using ir::Op;

// Weight (in, out) from Gemm's B.
ir::ValueId gemm_weight(ir::Graph& g, const ir::Node& n) {
  const ir::ValueId bv = n.inputs.at(1);
  const ir::Tensor& b = detail::constant_input(g, n, 1, "B matrix");
  const double alpha = n.attrs.get_float("alpha", 1.0);
  const bool trans = n.attrs.get_int("transB", 0) != 0;
  if (alpha == 1.0 && !trans) return bv;
  ir::Tensor w = trans ? b.transposed({1, 0}) : b;
  for (double& x : w.data) x *= alpha;
  std::optional<FixedType> type = alpha == 1.0 ? g.value(bv).type : std::nullopt;
  return detail::add_constant(g, g.value(bv).name + (trans ? "_t" : "_scaled"), std::move(w), type);
}

// A bias vector of `out` values from a constant broadcast along the last axis (or scalar).
std::optional<ir::Tensor> as_bias(const ir::Tensor& c, int64_t out) {
  const int64_t e = c.size();
  if (e == out) return ir::Tensor({out}, c.data);
  if (e == 1) return ir::Tensor({out}, std::vector<double>(static_cast<size_t>(out), c.data[0]));
  return std::nullopt;
}

bool lower_gemm(ir::Graph& g, ir::NodeId id) {
  ir::Node& n0 = g.node(id);
  if (n0.attrs.get_int("transA", 0) != 0) detail::node_fail(g, n0, "transA=1 is not supported");
  ir::ValueId w = gemm_weight(g, n0);
  ir::Node& n = g.node(id);
  const int64_t out = g.value(w).shape.at(1);
  std::vector<ir::ValueId> ins{n.inputs[0], w};
  if (n.inputs.size() > 2) {
    const ir::ValueId cv = n.inputs[2];
    const ir::Tensor& c = detail::constant_input(g, n, 2, "C bias");
    const double beta = n.attrs.get_float("beta", 1.0);
    auto bias = as_bias(c, out);
    if (!bias) detail::node_fail(g, n, fmt::format("C has {} values, expected {} or 1", c.size(), out));
    if (beta == 1.0 && c.shape == ir::Shape{out}) {
      ins.push_back(cv);
    } else if (beta != 0.0) {
      for (double& x : bias->data) x *= beta;
      ins.push_back(detail::add_constant(g, g.value(cv).name + "_bias", std::move(*bias),
                                         beta == 1.0 ? g.value(cv).type : std::nullopt));
    }
  }
  ir::Node& d = g.node(id);
  d.op = Op::Dense;
  d.inputs = std::move(ins);
  d.attrs = {};
  return true;
}

bool lower_matmul(ir::Graph& g, ir::NodeId id) {
  ir::Node& n = g.node(id);
  if (n.inputs.size() != 2) detail::node_fail(g, n, fmt::format("expects 2 inputs, has {}", n.inputs.size()));
  const bool c0 = g.value(n.inputs[0]).is_constant();
  const bool c1 = g.value(n.inputs[1]).is_constant();
  if (!c1 && c0) detail::node_fail(g, n, "constant @ data (weight on the left) is not supported; expected data @ weight");
  if (!c1) detail::node_fail(g, n, "MatMul of two non-constant tensors is not supported (one operand must be a weight)");
  if (g.value(n.inputs[1]).shape.size() != 2)
    detail::node_fail(g, n, fmt::format("weight has shape {}, expected (in, out)", ir::shape_str(g.value(n.inputs[1]).shape)));
  n.op = Op::Dense;
  n.attrs = {};
  return true;
}

// Dense(x, W[, b]) -> Add(const) folded into the bias. Returns true when folded.
bool absorb_add(ir::Graph& g, ir::NodeId id) {
  const ir::Node& d = g.node(id);
  const ir::ValueId y = d.outputs.at(0);
  if (g.value(y).type || g.is_graph_output(y)) return false;  // a quantized / visible intermediate
  auto users = g.users(y);
  if (users.size() != 1) return false;
  const ir::NodeId aid = users[0];
  const ir::Node& a = g.node(aid);
  if (a.op != Op::Add || a.inputs.size() != 2) return false;
  const size_t ci = a.inputs[0] == y ? 1 : 0;
  if (a.inputs[1 - ci] != y) return false;
  const ir::ValueId cv = a.inputs[ci];
  if (!g.value(cv).is_constant()) return false;
  const int64_t out = g.value(d.inputs.at(1)).shape.at(1);
  auto add = as_bias(g.constant(cv), out);
  if (!add) return false;
  if (g.value(a.outputs.at(0)).shape != g.value(y).shape) return false;  // the Add broadcasts further
  ir::ValueId bias;
  if (d.inputs.size() > 2) {
    const ir::ValueId old = d.inputs[2];
    ir::Tensor sum = g.constant(old);
    for (size_t j = 0; j < sum.data.size(); ++j) sum.data[j] += add->data[j];
    bias = detail::add_constant(g, g.value(old).name + "_plus", std::move(sum));
  } else if (g.constant(cv).shape == ir::Shape{out}) {
    bias = cv;
  } else {
    bias = detail::add_constant(g, g.value(cv).name + "_bias", std::move(*add), g.value(cv).type);
  }
  const ir::ValueId new_out = g.node(aid).outputs.at(0);
  ir::Node& dn = g.node(id);
  dn.inputs.resize(2);
  dn.inputs.push_back(bias);
  dn.outputs[0] = new_out;
  g.remove_node(aid);
  g.value(new_out).producer = id;
  return true;
}

}  // namespace

bool fuse_dense(ir::Graph& g, PassContext&) {
  bool changed = false;
  std::vector<ir::NodeId> dense;
  for (ir::NodeId id : g.node_ids()) {
    Op op = g.node(id).op;
    if (op == Op::Gemm) {
      changed = lower_gemm(g, id) || changed;
      dense.push_back(id);
    } else if (op == Op::MatMul) {
      changed = lower_matmul(g, id) || changed;
      dense.push_back(id);
    }
  }
  for (ir::NodeId id : dense)
    if (!g.node(id).dead) changed = absorb_add(g, id) || changed;
  if (changed) g.sort();
  return changed;
}

}  // namespace tachyon::passes
