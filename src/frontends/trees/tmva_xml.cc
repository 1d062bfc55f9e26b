// TMVA BDT weight files (XML, TMVA 4.x / ROOT 6: <MethodSetup Method="BDT::name">).
//
// Read: <Options> (BoostType, UseYesNoLeaf, UseWeightedTrees), <GeneralInfo> AnalysisType,
// <Variables NVar>, <Classes NClass>, <Transformations NTransformations> (must be 0),
// <Weights NTrees AnalysisType> with one <BinaryTree boostWeight=...> per tree holding
// nested <Node pos="s|l|r" IVar Cut cType res purity nType NCoef>. A node is a leaf when
// nType != 0 (as TMVA's DecisionTree::CheckEvent). TMVA goes RIGHT when x >= Cut if
// cType == 1 (left otherwise) and the reverse when cType == 0; in the IR every node is
// `x < Cut` -> left (TreeCompare::Less), with TMVA's children swapped when cType == 0.
// TMVA works with float values and cuts: cuts are rounded to float.
//
// Scores (documented in docs/trees.md):
//   Classification, AdaBoost / Bagging: score = sum_i w_i * leaf_i / sum_i w_i, with
//     leaf = nType (+1 / -1) when UseYesNoLeaf (default) else purity, w_i = boostWeight
//     (1 when UseWeightedTrees=False); the 1/sum w is folded into the leaves.
//   Classification, Grad: score = sum res (TMVA's MVA value is tanh(score)).
//   Multiclass, Grad: class k sums the res of trees k, k+NClass, ...; softmax gives TMVA's values.
//   Regression, Grad: score = sum res + boostWeight of tree 0 (TMVA's GetRegressionValues).
#include <pugixml.hpp>

#include <cmath>

#include "frontends/trees/tree_common.h"
#include "tachyon/support/strings.h"

namespace tachyon::frontends {

using namespace trees_detail;

namespace {

double attr_double(const pugi::xml_node& n, const char* name, const std::string& file, int64_t tree, int64_t node) {
  pugi::xml_attribute a = n.attribute(name);
  double v = 0;
  if (!a) fail_at(file, tree, node, fmt::format("<Node> has no '{}' attribute", name));
  if (!parse_double(trim(a.value()), &v)) fail_at(file, tree, node, fmt::format("attribute {}=\"{}\" is not a number", name, a.value()));
  return v;
}

int64_t attr_int(const pugi::xml_node& n, const char* name, const std::string& file, int64_t tree, int64_t node) {
  pugi::xml_attribute a = n.attribute(name);
  int64_t v = 0;
  if (!a) fail_at(file, tree, node, fmt::format("<Node> has no '{}' attribute", name));
  std::string s = trim(a.value());
  if (!parse_int(s, &v)) {
    // Some writers print integers in floating notation ("1.0e+00").
    double d = 0;
    if (!parse_double(s, &d) || d != std::floor(d) || std::fabs(d) > 1e15)
      fail_at(file, tree, node, fmt::format("attribute {}=\"{}\" is not an integer", name, a.value()));
    v = static_cast<int64_t>(d);
  }
  return v;
}

std::string option(const pugi::xml_node& setup, const char* name, const std::string& dflt) {
  for (pugi::xml_node o : setup.child("Options").children("Option"))
    if (std::string(o.attribute("name").value()) == name) return trim(o.child_value());
  return dflt;
}

std::string general_info(const pugi::xml_node& setup, const char* name) {
  for (pugi::xml_node o : setup.child("GeneralInfo").children("Info"))
    if (std::string(o.attribute("name").value()) == name) return trim(o.attribute("value").value());
  return {};
}

bool is_true(const std::string& raw) {
  const std::string s = to_lower(raw);
  return s == "true" || s == "1" || s == "t" || s == "yes";
}

enum class Leaf { NodeType, Purity, Response };

// Flattens one <BinaryTree>; leaf values are raw (nType, purity or res), scaled by the caller.
ir::Tree read_tree(const pugi::xml_node& bt, int64_t ti, int32_t n_vars, Leaf leaf, double scale, const std::string& file) {
  pugi::xml_node root = bt.child("Node");
  if (!root) fail_tree(file, ti, "<BinaryTree> has no <Node>");
  ir::Tree t;
  // Iterative pre-order walk: (xml node, index in t.nodes).
  std::vector<std::pair<pugi::xml_node, int32_t>> stack;
  t.nodes.emplace_back();
  stack.push_back({root, 0});
  std::vector<int> depth_of{0};
  while (!stack.empty()) {
    auto [xn, idx] = stack.back();
    stack.pop_back();
    auto node_no = static_cast<int64_t>(idx);
    if (t.nodes.size() > static_cast<size_t>(kMaxNodesPerTree)) fail_tree(file, ti, "too many nodes");
    if (depth_of[static_cast<size_t>(idx)] > kMaxTreeDepth) fail_at(file, ti, node_no, fmt::format("depth exceeds {}", kMaxTreeDepth));
    if (xn.attribute("NCoef") && attr_int(xn, "NCoef", file, ti, node_no) != 0)
      fail_at(file, ti, node_no, "Fisher-discriminant cuts (NCoef > 0) are not supported");
    int64_t ntype = attr_int(xn, "nType", file, ti, node_no);
    if (ntype != 0) {
      ir::TreeNode& nd = t.nodes[static_cast<size_t>(idx)];
      nd.feature = -1;
      double v = 0;
      switch (leaf) {
        case Leaf::NodeType: v = static_cast<double>(ntype); break;
        case Leaf::Purity: v = round_to_float(attr_double(xn, "purity", file, ti, node_no)); break;
        case Leaf::Response: v = round_to_float(attr_double(xn, "res", file, ti, node_no)); break;
      }
      nd.value = v * scale;
      continue;
    }
    pugi::xml_node l, r;
    for (pugi::xml_node c : xn.children("Node")) {
      std::string pos = c.attribute("pos").value();
      if (pos == "l" && !l)
        l = c;
      else if (pos == "r" && !r)
        r = c;
      else
        fail_at(file, ti, node_no, fmt::format("unexpected child <Node pos=\"{}\">", pos));
    }
    if (!l || !r) fail_at(file, ti, node_no, "internal node (nType 0) without both children pos=\"l\" and pos=\"r\"");
    int64_t ivar = attr_int(xn, "IVar", file, ti, node_no);
    if (ivar < 0 || ivar >= n_vars) fail_at(file, ti, node_no, fmt::format("variable index IVar={} out of range [0, {})", ivar, n_vars));
    double cut = round_to_float(attr_double(xn, "Cut", file, ti, node_no));
    int64_t ctype = attr_int(xn, "cType", file, ti, node_no);
    if (ctype != 0 && ctype != 1) fail_at(file, ti, node_no, fmt::format("cType={} (expected 0 or 1)", ctype));
    auto li = static_cast<int32_t>(t.nodes.size());
    auto ri = li + 1;
    t.nodes.emplace_back();
    t.nodes.emplace_back();
    int d = depth_of[static_cast<size_t>(idx)] + 1;
    depth_of.push_back(d);
    depth_of.push_back(d);
    ir::TreeNode& nd = t.nodes[static_cast<size_t>(idx)];
    nd.feature = static_cast<int32_t>(ivar);
    nd.threshold = cut;
    // IR: x < cut -> left. TMVA (cType 1): x >= cut -> right, so x < cut -> TMVA's left.
    nd.left = ctype == 1 ? li : ri;
    nd.right = ctype == 1 ? ri : li;
    nd.default_left = true;  // TMVA: a NaN fails `x >= cut`, i.e. takes the `x < cut` side
    stack.push_back({r, ri});
    stack.push_back({l, li});
  }
  return t;
}

}  // namespace

ir::Graph load_tmva_xml_bytes(const std::string& text, const std::string& path) {
  pugi::xml_document doc;
  pugi::xml_parse_result res = doc.load_buffer(text.data(), text.size(), pugi::parse_default);
  if (!res) fail_file(path, fmt::format("invalid XML at byte {}: {}", res.offset, res.description()));
  pugi::xml_node setup = doc.child("MethodSetup");
  if (!setup) fail_file(path, "no <MethodSetup> element (not a TMVA weight file)");
  std::string method = setup.attribute("Method").value();
  if (method.rfind("BDT::", 0) != 0)
    fail_file(path, fmt::format("method '{}' is not a BDT (expected Method=\"BDT::...\")", method));

  pugi::xml_node tr = setup.child("Transformations");
  if (tr && std::string(tr.attribute("NTransformations").value()) != "" && std::string(tr.attribute("NTransformations").value()) != "0")
    fail_file(path, fmt::format("input variable transformations (NTransformations={}) are not supported; train without "
                                "VarTransform or apply the transformation before the model",
                                tr.attribute("NTransformations").value()));
  pugi::xml_node vars = setup.child("Variables");
  if (!vars) fail_file(path, "no <Variables> element");
  int64_t nvar = 0;
  if (!parse_int(trim(vars.attribute("NVar").value()), &nvar) || nvar < 1 || nvar > kMaxFeatures)
    fail_file(path, fmt::format("<Variables NVar=\"{}\"> is not a valid count", vars.attribute("NVar").value()));

  pugi::xml_node weights = setup.child("Weights");
  if (!weights) fail_file(path, "no <Weights> element");
  int64_t analysis = 0;
  if (!parse_int(trim(weights.attribute("AnalysisType").value()), &analysis))
    analysis = -1;  // pre-4.1 files: TreeType; fall back on GeneralInfo
  std::string info = general_info(setup, "AnalysisType");
  std::string boost = option(setup, "BoostType", "AdaBoost");
  bool yes_no = is_true(option(setup, "UseYesNoLeaf", "True"));
  bool weighted = is_true(option(setup, "UseWeightedTrees", "True"));

  enum class Kind { Classification, Regression, Multiclass } kind = Kind::Classification;
  if (info == "Regression")
    kind = Kind::Regression;
  else if (info == "Multiclass" || analysis == 2)
    kind = Kind::Multiclass;
  else if (info.empty() && analysis == 1 && boost != "Grad")
    kind = Kind::Regression;

  auto d = std::make_shared<ir::TreeEnsembleData>();
  d->source_format = "tmva";
  d->compare = ir::TreeCompare::Less;
  d->n_features = static_cast<int32_t>(nvar);
  d->objective = method + " " + boost;
  if (kind == Kind::Multiclass) {
    int64_t ncls = 0;
    if (!parse_int(trim(setup.child("Classes").attribute("NClass").value()), &ncls) || ncls < 2 || ncls > kMaxOutputs)
      fail_file(path, "multiclass weight file without a valid <Classes NClass=...>");
    d->n_outputs = static_cast<int32_t>(ncls);
    d->post_transform = ir::TreePostTransform::Softmax;
  }
  if ((kind != Kind::Classification && boost != "Grad") ||
      (kind == Kind::Classification && boost != "AdaBoost" && boost != "Bagging" && boost != "Grad"))
    fail_file(path, fmt::format("BoostType '{}' for {} is not supported (supported: AdaBoost, Bagging and Grad for "
                                "classification, Grad for multiclass and regression)",
                                boost, kind == Kind::Regression ? "regression" : (kind == Kind::Multiclass ? "multiclass" : "classification")));

  std::vector<pugi::xml_node> trees;
  std::vector<double> bw;
  for (pugi::xml_node bt : weights.children("BinaryTree")) {
    if (static_cast<int64_t>(trees.size()) >= kMaxTrees) fail_file(path, "too many trees");
    double w = 0;
    if (!parse_double(trim(bt.attribute("boostWeight").value()), &w))
      fail_tree(path, static_cast<int64_t>(trees.size()), fmt::format("boostWeight=\"{}\" is not a number", bt.attribute("boostWeight").value()));
    trees.push_back(bt);
    bw.push_back(w);
  }
  if (trees.empty()) fail_file(path, "<Weights> holds no <BinaryTree>");
  int64_t ntrees_decl = 0;
  if (parse_int(trim(weights.attribute("NTrees").value()), &ntrees_decl) && ntrees_decl != static_cast<int64_t>(trees.size()))
    fail_file(path, fmt::format("<Weights NTrees=\"{}\"> but {} <BinaryTree> elements", ntrees_decl, trees.size()));

  Leaf leaf = Leaf::Response;
  double norm = 1.0;
  if (kind == Kind::Classification && boost != "Grad") {
    leaf = yes_no ? Leaf::NodeType : Leaf::Purity;
    norm = 0;
    for (double w : bw) norm += weighted ? w : 1.0;
    if (!(std::fabs(norm) > 0) || !std::isfinite(norm)) fail_file(path, fmt::format("sum of tree weights {} cannot normalize the score", norm));
  }
  d->base_score.assign(static_cast<size_t>(d->n_outputs), 0.0);
  if (kind == Kind::Regression) d->base_score[0] = round_to_float(bw[0]);
  for (size_t i = 0; i < trees.size(); ++i) {
    double scale = (leaf == Leaf::Response) ? 1.0 : (weighted ? bw[i] : 1.0) / norm;
    ir::Tree t = read_tree(trees[i], static_cast<int64_t>(i), d->n_features, leaf, scale, path);
    t.class_id = static_cast<int32_t>(i % static_cast<size_t>(d->n_outputs));
    d->trees.push_back(std::move(t));
  }
  validate_and_compact(*d, path);
  return make_tree_graph(std::move(d), path, "TMVA " + method);
}

ir::Graph load_tmva_xml(const std::string& path) { return load_tmva_xml_bytes(read_file(path), path); }

}  // namespace tachyon::frontends
