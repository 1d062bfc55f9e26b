// fold_batchnorm: BatchNormalization(x, gamma, beta, mean, var; epsilon) in inference form.
//   scale = gamma / sqrt(var + epsilon),  shift = beta - mean * scale   (double precision)
// After a Dense or Conv whose result nothing else reads (and that is not typed, i.e. not
// quantized in between) and whose result precision is "auto" in the configuration: folded,
// W[..., c] *= scale[c], b[c] = b[c] * scale[c] + shift[c]. This is hls4ml's rule
// (FuseBatchNormalization.match, hls4ml >= 1.0: the previous layer's output precision must be
// UnspecifiedPrecisionType); an explicit result precision, the Model default included, keeps
// the Dense result rounded to its type and a standalone normalization after it.
// Otherwise: a standalone BatchNorm(x, scale, shift) layer (y = x * scale + shift).
// Folded weights lose a QONNX type they had (they are no longer on its grid).
#include <fmt/format.h>

#include <cmath>

#include "passes/detail/util.h"
#include "tachyon/config/config.h"
#include "tachyon/config/resolve.h"
#include "tachyon/passes/pass.h"

namespace tachyon::passes {

namespace {

using ir::Op;

std::vector<double> channel_values(const ir::Graph& g, const ir::Node& n, size_t i, int64_t c, const char* what) {
  const ir::Tensor& t = detail::constant_input(g, n, i, what);
  if (t.size() == c) return t.data;
  if (t.size() == 1) return std::vector<double>(static_cast<size_t>(c), t.data[0]);
  detail::node_fail(g, n, fmt::format("{} has {} values, expected {} (one per channel)", what, t.size(), c));
}

bool try_fold(ir::Graph& g, ir::NodeId bn_id, const std::vector<double>& scale, const std::vector<double>& shift,
              const PassContext& ctx) {
  const ir::Node& bn = g.node(bn_id);
  const ir::ValueId x = bn.inputs[0];
  const ir::NodeId pid = g.value(x).producer;
  if (pid == ir::kNone) return false;
  const ir::Node& p = g.node(pid);
  if (p.dead || (p.op != Op::Dense && p.op != Op::Conv)) return false;
  if (g.value(x).type || g.is_graph_output(x) || g.users(x).size() != 1) return false;
  config::check(ctx.config, ctx.config_file);  // resolution below expects a well-formed configuration
  if (!config::effective_node_settings(ctx.config, g, pid, config::quant_domain(g), ctx.config_file)
           .precision.at("result")
           .is_auto())
    return false;
  if (p.inputs.size() < 2 || !g.value(p.inputs[1]).is_constant()) return false;
  if (p.inputs.size() > 2 && !g.value(p.inputs[2]).is_constant()) return false;
  const auto c = static_cast<int64_t>(scale.size());
  const ir::Tensor& w = g.constant(p.inputs[1]);
  if (w.shape.empty() || w.shape.back() != c) return false;
  ir::Tensor nw = w;
  for (size_t i = 0; i < nw.data.size(); ++i) nw.data[i] *= scale[i % static_cast<size_t>(c)];
  ir::Tensor nb = ir::Tensor::zeros({c});
  if (p.inputs.size() > 2) {
    const ir::Tensor& b = g.constant(p.inputs[2]);
    if (b.size() != c && b.size() != 1) return false;
    for (int64_t j = 0; j < c; ++j) nb.data[static_cast<size_t>(j)] = b.data[b.size() == 1 ? 0 : static_cast<size_t>(j)];
  }
  for (size_t j = 0; j < nb.data.size(); ++j) nb.data[j] = nb.data[j] * scale[j] + shift[j];
  const std::string wname = g.value(p.inputs[1]).name + "_bn";
  const std::string bname = (p.inputs.size() > 2 ? g.value(p.inputs[2]).name : p.name + "_bias") + "_bn";
  const ir::ValueId wv = detail::add_constant(g, wname, std::move(nw));
  const ir::ValueId bv = detail::add_constant(g, bname, std::move(nb));
  const ir::ValueId y = g.node(bn_id).outputs.at(0);
  g.merged_names[g.node(bn_id).name] = g.node(pid).name;
  if (!g.node(bn_id).source_name.empty()) g.merged_names[g.node(bn_id).source_name] = g.node(pid).name;
  ir::Node& pn = g.node(pid);
  pn.inputs.resize(1);
  pn.inputs.push_back(wv);
  pn.inputs.push_back(bv);
  pn.outputs[0] = y;
  g.remove_node(bn_id);
  g.value(y).producer = pid;
  return true;
}

}  // namespace

bool fold_batchnorm(ir::Graph& g, PassContext& ctx) {
  bool changed = false;
  for (ir::NodeId id : g.node_ids()) {
    const ir::Node& n = g.node(id);
    if (n.op != Op::BatchNormInference) continue;
    if (n.inputs.size() != 5) detail::node_fail(g, n, fmt::format("expects 5 inputs (x, scale, B, mean, var), has {}", n.inputs.size()));
    const ir::Shape& xs = g.value(n.inputs[0]).shape;
    if (xs.empty()) detail::node_fail(g, n, "input has no channel axis");
    const int64_t c = xs.back();
    const double eps = n.attrs.get_float("epsilon", 1e-5);
    auto gamma = channel_values(g, n, 1, c, "scale (gamma)");
    auto beta = channel_values(g, n, 2, c, "B (beta)");
    auto mean = channel_values(g, n, 3, c, "mean");
    auto var = channel_values(g, n, 4, c, "var");
    std::vector<double> scale(static_cast<size_t>(c)), shift(static_cast<size_t>(c));
    for (size_t j = 0; j < scale.size(); ++j) {
      if (!(var[j] + eps > 0)) detail::node_fail(g, n, fmt::format("var + epsilon is not positive for channel {}", j));
      scale[j] = gamma[j] / std::sqrt(var[j] + eps);
      shift[j] = beta[j] - mean[j] * scale[j];
    }
    changed = true;
    if (try_fold(g, id, scale, shift, ctx)) continue;
    const std::string base = n.name;
    const ir::ValueId sv = detail::add_constant(g, base + "_scale", ir::Tensor({c}, scale));
    const ir::ValueId bv = detail::add_constant(g, base + "_bias", ir::Tensor({c}, shift));
    ir::Node& b = g.node(id);
    b.op = Op::BatchNorm;
    b.inputs.resize(1);
    b.inputs.push_back(sv);
    b.inputs.push_back(bv);
    b.attrs = {};
  }
  if (changed) g.sort();
  return changed;
}

}  // namespace tachyon::passes
