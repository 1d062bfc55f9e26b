// Precision slots of each op and their built-in defaults (docs/config.md, semantics.md §2).
#include <algorithm>

#include "tachyon/config/resolve.h"
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
  switch (op) {
    case Op::Dense:
    case Op::Conv: s.insert(s.end(), {"weight", "bias", "accum"}); break;
    case Op::BatchNorm: s.insert(s.end(), {"scale", "bias"}); break;
    case Op::AvgPool:
    case Op::GlobalAvgPool: s.push_back("accum"); break;
    case Op::Sigmoid:
    case Op::Tanh:
    case Op::UnaryTable: s.push_back("table"); break;
    case Op::Relu: s.push_back("param"); break;  // ThresholdedRelu's theta
    case Op::Elu: s.insert(s.end(), {"table", "param"}); break;
    case Op::LeakyRelu:
    case Op::HardSigmoid:
    case Op::PRelu: s.push_back("param"); break;
    case Op::Softmax: s.insert(s.end(), {"exp_table", "inv_table", "inp_norm", "accum", "inv_inp"}); break;
    case Op::Scale: s.push_back("scale"); break;
    case Op::Add:
    case Op::Sub: s.push_back("bias"); break;
    case Op::Mul: s.push_back("weight"); break;
    case Op::TreeEnsemble: s.insert(s.end(), {"threshold", "score"}); break;
    default: break;
  }
  return s;
}

std::string constant_slot(const ir::Graph& g, const ir::Node& n, size_t index) {
  if (index >= n.inputs.size() || !g.value(n.inputs[index]).is_constant()) return {};
  switch (n.op) {
    case Op::Dense:
    case Op::Conv: return index == 1 ? "weight" : index == 2 ? "bias" : "";
    case Op::BatchNorm: return index == 1 ? "scale" : index == 2 ? "bias" : "";
    case Op::PRelu: return index == 1 ? "param" : "";
    case Op::Scale: return index == 1 ? "scale" : "";
    case Op::Add:
    case Op::Sub: return "bias";
    case Op::Mul: return "weight";
    default: return {};
  }
}

std::vector<std::string> internal_slots(const ir::Graph&, const ir::Node& n) {
  switch (n.op) {
    case Op::Dense:
    case Op::Conv:
    case Op::AvgPool:
    case Op::GlobalAvgPool: return {"accum"};
    case Op::Sigmoid:
    case Op::Tanh:
    case Op::UnaryTable: return {"table"};
    case Op::Relu:
      if (n.attrs.has("theta")) return {"param"};
      return {};
    case Op::Elu: return {"table", "param"};
    case Op::LeakyRelu:
    case Op::HardSigmoid: return {"param"};
    case Op::Softmax: return {"exp_table", "inv_table", "inp_norm", "accum", "inv_inp"};
    case Op::TreeEnsemble: return {"threshold", "score"};
    default: return {};
  }
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
