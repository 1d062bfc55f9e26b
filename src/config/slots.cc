// Precision slots of each op and their built-in defaults (docs/config.md, semantics.md §2).
#include <algorithm>

#include "tachyon/config/resolve.h"
#include "tachyon/ir/op_facts.h"
#include "tachyon/support/error.h"

namespace tachyon::config {

using ir::Op;

const std::vector<std::string>& all_slots() {
  static const std::vector<std::string> s{"weight", "bias",      "result",    "accum",    "table",     "scale",
                                          "param",  "exp_table", "inv_table", "inp_norm", "inv_inp",  "threshold", "score"};
  return s;
}

bool follows_default(const std::string& slot, Op) {
  // hls4ml resolves accum_t (Softmax's too), param_t (LeakyReLU / ELU / PReLU) and inv_inp_t
  // through its precision lookup (LayerName, LayerType, Model, each specific key before the
  // level's default); the tables and inp_norm_t are attributes with their own defaults.
  // Not "threshold": a tree's thresholds default to its input type ("auto"), which decides
  // exactly like the float model; a coarser Model default would move splits (docs/trees.md).
  return slot == "weight" || slot == "bias" || slot == "result" || slot == "scale" || slot == "score" ||
         slot == "accum" || slot == "param" || slot == "inv_inp";
}

std::string builtin_default(const std::string& slot, Op op) {
  if (slot == "table") return "ap_fixed<18,8>";
  if (slot == "exp_table" || slot == "inv_table") return "ap_fixed<18,8,AP_RND,AP_SAT>";
  if (slot == "inv_inp" && op == Op::Softmax) return "ap_fixed<18,8,AP_RND,AP_SAT>";  // = exp_table (resolve.cc)
  if (slot == "inp_norm") return "auto";   // infer_precision: ap_ufixed<W-1,I-1> of an ap_fixed<W,I> input
  if (slot == "threshold") return "auto";  // infer_precision: the tree's input type
  return "ap_fixed<16,6>";  // weight, bias, result, accum (Softmax's too), scale, param, score
}

FixedType Setting::type() const {
  if (is_auto()) fail("internal: precision 'auto' has no concrete type");
  return FixedType::parse(value);
}

std::vector<std::string> op_slots(Op op) {
  std::vector<std::string> s{"result"};
  const std::vector<std::string>& more = ir::op_type_slots(op);  // ops.def: TACHYON_OP_SLOTS
  s.insert(s.end(), more.begin(), more.end());
  return s;
}

std::string constant_slot(const ir::Graph& g, const ir::Node& n, size_t index) {
  if (index >= n.inputs.size() || !g.value(n.inputs[index]).is_constant()) return {};
  const std::vector<std::string>& c = ir::op_constant_slots(n.op);  // ops.def: TACHYON_OP_CONSTANTS
  return index < c.size() ? c[index] : std::string();
}

std::vector<std::string> internal_slots(const ir::Graph&, const ir::Node& n) {
  // The op's slots that no constant input takes (ops.def: TACHYON_OP_SLOTS minus
  // TACHYON_OP_CONSTANTS).
  const std::vector<std::string>& constants = ir::op_constant_slots(n.op);
  std::vector<std::string> s;
  // Relu's param is ThresholdedRelu's theta: present only when the node has a theta.
  if (n.op == Op::Relu && !n.attrs.has("theta")) return s;
  for (const std::string& slot : ir::op_type_slots(n.op))
    if (std::find(constants.begin(), constants.end(), slot) == constants.end()) s.push_back(slot);
  return s;
}

std::vector<std::string> slots_of(const ir::Graph& g, const ir::Node& n) {
  std::vector<std::string> s{"result"};
  for (const std::string& slot : internal_slots(g, n)) s.push_back(slot);
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    std::string c = constant_slot(g, n, i);
    if (!c.empty() && std::find(s.begin(), s.end(), c) == s.end()) s.push_back(c);
  }
  // Keep the order of op_slots() for stable output.
  std::vector<std::string> ordered;
  for (const std::string& slot : op_slots(n.op))
    if (std::find(s.begin(), s.end(), slot) != s.end()) ordered.push_back(slot);
  return ordered;
}

}  // namespace tachyon::config
