// Bad and unsupported tree files: every case must throw tachyon::Error naming the file (and
// the tree and node where there is one) - never crash. Plus random corruptions of valid
// files, which must either load or throw tachyon::Error.
#include <random>

#include "trees_test_util.h"

namespace tachyon::trees_test {
namespace {

struct Case {
  const char* name;  // file name (its extension matters for detection)
  std::string content;
  std::vector<std::string> needles;
};

// A Tachyon tree JSON with one tree given by its arrays.
std::string tj(const std::string& tree, const std::string& head = R"("n_features":4,"n_outputs":2,"compare":"<=")") {
  return R"({"format":"tachyon-trees","version":1,)" + head + R"(,"trees":[)" + tree + "]}";
}
const char* kGoodTree = R"({"feature":[0,-1,-1],"threshold":[0.5,0,0],"left":[1,-1,-1],"right":[2,-1,-1],"value":[0,1,2]})";

std::string xgb(const std::string& tree, const std::string& objective = "binary:logistic", const std::string& base = "5E-1",
                const std::string& info = "[0]", const std::string& booster = "gbtree") {
  return R"({"learner":{"gradient_booster":{"name":")" + booster + R"(","model":{"tree_info":)" + info +
         R"(,"trees":[)" + tree + R"(]}},"learner_model_param":{"base_score":")" + base +
         R"(","num_class":"0","num_feature":"4"},"objective":{"name":")" + objective + R"("}}})";
}
std::string xt(const std::string& left, const std::string& right, const std::string& split = "[0,0,0]",
               const std::string& cond = "[0.5,1,2]", const std::string& dl = "[1,0,0]") {
  return R"({"left_children":)" + left + R"(,"right_children":)" + right + R"(,"split_indices":)" + split +
         R"(,"split_conditions":)" + cond + R"(,"default_left":)" + dl + "}";
}

std::string lgb(const std::string& tree_body, const std::string& header_extra = "") {
  return "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nmax_feature_idx=3\nobjective=regression\n" +
         header_extra + "\nTree=0\n" + tree_body + "\n\nend of trees\n";
}

std::string tmva(const std::string& node, const std::string& boost = "AdaBoost", const std::string& ntrans = "0",
                 const std::string& method = "BDT::BDT") {
  return R"(<?xml version="1.0"?><MethodSetup Method=")" + method +
         R"("><Options><Option name="BoostType" modified="Yes">)" + boost +
         R"(</Option></Options><Variables NVar="2"><Variable VarIndex="0"/><Variable VarIndex="1"/></Variables>)"
         R"(<Transformations NTransformations=")" + ntrans +
         R"("/><Weights NTrees="1" AnalysisType="0"><BinaryTree type="DecisionTree" boostWeight="1.0" itree="0">)" +
         node + "</BinaryTree></Weights></MethodSetup>";
}
const char* kTmvaLeafL = R"(<Node pos="l" depth="1" IVar="-1" Cut="0" cType="1" purity="0.1" nType="-1"/>)";
const char* kTmvaLeafR = R"(<Node pos="r" depth="1" IVar="-1" Cut="0" cType="1" purity="0.9" nType="1"/>)";

std::string deep_chain_json(int depth) {
  // node i: feature 0, left -> leaf (2i+1), right -> next internal (2i+2); depth `depth`.
  std::string f, t, l, r, v;
  int n = 2 * depth + 1;
  for (int i = 0; i < n; ++i) {
    bool internal = i % 2 == 0 && i < n - 1;
    std::string sep = i ? "," : "";
    f += sep + (internal ? "0" : "-1");
    t += sep + "0.5";
    l += sep + (internal ? std::to_string(i + 1) : "-1");
    r += sep + (internal ? std::to_string(i + 2) : "-1");
    v += sep + "1";
  }
  return tj(R"({"feature":[)" + f + R"(],"threshold":[)" + t + R"(],"left":[)" + l + R"(],"right":[)" + r +
            R"(],"value":[)" + v + "]}");
}

std::vector<Case> cases() {
  return {
      // --- Tachyon tree JSON
      {"t_trunc.json", tj(kGoodTree).substr(0, 60), {"t_trunc.json", "invalid JSON"}},
      {"t_version.json", R"({"format":"tachyon-trees","version":2})", {"t_version.json", "version 2"}},
      {"t_compare.json", tj(kGoodTree, R"("n_features":4,"n_outputs":2,"compare":"==")"), {"\"compare\" must be"}},
      {"t_child.json", tj(R"({"feature":[0,-1,-1],"threshold":[0.5,0,0],"left":[99,-1,-1],"right":[2,-1,-1],"value":[0,1,2]})"),
       {"t_child.json", "tree 0 node 0: child index 99 out of range"}},
      {"t_neg_child.json", tj(R"({"feature":[0,-1,-1],"threshold":[0.5,0,0],"left":[-5,-1,-1],"right":[2,-1,-1],"value":[0,1,2]})"),
       {"tree 0 node 0: child index -5 out of range"}},
      {"t_self.json", tj(R"({"feature":[0,-1],"threshold":[0.5,0],"left":[0,-1],"right":[1,-1],"value":[0,1]})"),
       {"tree 0 node 0: node is its own child"}},
      {"t_cycle.json", tj(R"({"feature":[0,1,-1],"threshold":[0.5,0.5,0],"left":[1,0,-1],"right":[2,2,-1],"value":[0,0,1]})"),
       {"t_cycle.json", "tree 0 node 0: node reached twice"}},
      {"t_shared.json", tj(R"({"feature":[0,-1],"threshold":[0.5,0],"left":[1,-1],"right":[1,-1],"value":[0,1]})"),
       {"tree 0 node 1: node reached twice"}},
      {"t_feature.json", tj(R"({"feature":[7,-1,-1],"threshold":[0.5,0,0],"left":[1,-1,-1],"right":[2,-1,-1],"value":[0,1,2]})"),
       {"tree 0 node 0: feature index 7 out of range [0, 4)"}},
      {"t_nan.json", tj(R"({"feature":[0,-1,-1],"threshold":["nan",0,0],"left":[1,-1,-1],"right":[2,-1,-1],"value":[0,1,2]})"),
       {"tree 0 node 0: threshold nan is not finite"}},
      {"t_inf_leaf.json", tj(R"({"feature":[0,-1,-1],"threshold":[0.5,0,0],"left":[1,-1,-1],"right":[2,-1,-1],"value":[0,"inf",2]})"),
       {"tree 0 node 1: leaf value inf is not finite"}},
      {"t_len.json", tj(R"({"feature":[0,-1,-1],"threshold":[0.5,0],"left":[1,-1,-1],"right":[2,-1,-1],"value":[0,1,2]})"),
       {"tree 0: 'threshold' must be an array of 3 entries"}},
      {"t_type.json", tj(R"({"feature":[0,-1,-1],"threshold":[0.5,0,0],"left":["a",-1,-1],"right":[2,-1,-1],"value":[0,1,2]})"),
       {"tree 0 node 0: 'left' entry \"a\" is not a 32-bit integer"}},
      {"t_class.json", tj(R"({"class_id":7,"feature":[-1],"threshold":[0],"left":[-1],"right":[-1],"value":[1]})"),
       {"tree 0: class_id 7 out of range [0, 2)"}},
      {"t_nofeat.json", tj(kGoodTree, R"("n_features":0,"n_outputs":2,"compare":"<=")"), {"n_features 0 out of range"}},
      {"t_notrees.json", R"({"format":"tachyon-trees","version":1,"n_features":4,"n_outputs":1,"compare":"<=","trees":[]})",
       {"the model has no trees"}},
      {"t_base.json", tj(kGoodTree, R"("n_features":4,"n_outputs":2,"compare":"<=","base_score":[1])"),
       {"1 base scores for 2 outputs"}},
      {"t_deep.json", deep_chain_json(1500), {"t_deep.json", "depth exceeds 1024"}},
      {"t_post.json", tj(kGoodTree, R"("n_features":4,"n_outputs":2,"compare":"<=","post_transform":"probit")"),
       {"unknown post_transform 'probit'"}},
      {"t_toplevel.json", R"(["tachyon-trees"])", {"t_toplevel.json", "top level is not an object"}},
      // --- XGBoost
      {"x_child.json", xgb(xt("[1,-1,-1]", "[99,-1,-1]")), {"x_child.json", "tree 0 node 0: child index 99 out of range"}},
      {"x_cycle.json", xgb(xt("[1,0,-1]", "[2,2,-1]")), {"x_cycle.json", "node reached twice"}},
      {"x_leafright.json", xgb(xt("[1,-1,-1]", "[2,5,-1]")), {"tree 0 node 1: leaf (left child -1) has right child 5"}},
      {"x_feat.json", xgb(xt("[1,-1,-1]", "[2,-1,-1]", "[10,0,0]")), {"tree 0 node 0: feature index 10 out of range [0, 4)"}},
      {"x_len.json", xgb(xt("[1,-1,-1]", "[2,-1]")), {"tree 0: 'right_children' has 2 entries, expected 3"}},
      {"x_str.json", xgb(xt("[1,-1,-1]", "[2,-1,-1]", "[0,0,0]", "[\"a\",1,2]")),
       {"tree 0 node 0: 'split_conditions' entry \"a\" is not a number"}},
      {"x_cat.json",
       xgb(R"({"left_children":[1,-1,-1],"right_children":[2,-1,-1],"split_indices":[0,0,0],"split_conditions":[0.5,1,2],)"
           R"("default_left":[1,0,0],"split_type":[1,0,0]})"),
       {"tree 0 node 0: categorical splits are not supported"}},
      {"x_obj.json", xgb(xt("[1,-1,-1]", "[2,-1,-1]"), "survival:cox"), {"objective 'survival:cox' is not supported"}},
      {"x_base.json", xgb(xt("[1,-1,-1]", "[2,-1,-1]"), "binary:logistic", "1.5"),
       {"base_score 1.5 is not a probability"}},
      {"x_basestr.json", xgb(xt("[1,-1,-1]", "[2,-1,-1]"), "binary:logistic", "half"), {"base_score 'half' is not a number"}},
      {"x_info.json", xgb(xt("[1,-1,-1]", "[2,-1,-1]"), "binary:logistic", "5E-1", "[3]"),
       {"tree 0: tree_info class 3 out of range [0, 1)"}},
      {"x_infolen.json", xgb(xt("[1,-1,-1]", "[2,-1,-1]"), "binary:logistic", "5E-1", "[0,0]"),
       {"model.tree_info has 2 entries for 1 trees"}},
      {"x_linear.json", xgb(xt("[1,-1,-1]", "[2,-1,-1]"), "binary:logistic", "5E-1", "[0]", "gblinear"),
       {"booster 'gblinear' is not supported"}},
      {"x_empty_tree.json", xgb(R"({"left_children":[],"right_children":[]})"), {"tree 0: has no nodes"}},
      {"x_notobj.json", R"({"learner":[1,2]})", {"x_notobj.json", "learner is not an object"}},
      {"x_trunc.json", xgb(xt("[1,-1,-1]", "[2,-1,-1]")).substr(0, 100), {"x_trunc.json", "invalid JSON"}},
      // --- LightGBM
      {"l_leaf.txt",
       lgb("num_leaves=2\nsplit_feature=0\nthreshold=0.5\ndecision_type=2\nleft_child=-1\nright_child=-7\nleaf_value=1 2"),
       {"l_leaf.txt", "tree 0 node 0: leaf index 6 out of range [0, 2)"}},
      {"l_child.txt",
       lgb("num_leaves=3\nsplit_feature=0 1\nthreshold=0.5 0.5\ndecision_type=2 2\nleft_child=1 -1\nright_child=5 -2\nleaf_value=1 2 3"),
       {"tree 0 node 0: child index 5 out of range [0, 2)"}},
      {"l_cycle.txt",
       lgb("num_leaves=3\nsplit_feature=0 1\nthreshold=0.5 0.5\ndecision_type=2 2\nleft_child=1 -1\nright_child=-3 0\nleaf_value=1 2 3"),
       {"l_cycle.txt", "node reached twice"}},
      {"l_zero.txt",
       lgb("num_leaves=2\nsplit_feature=0\nthreshold=0.5\ndecision_type=6\nleft_child=-1\nright_child=-2\nleaf_value=1 2"),
       {"tree 0 node 0: missing type 'Zero'"}},
      {"l_cat.txt",
       lgb("num_leaves=2\nsplit_feature=0\nthreshold=0\ndecision_type=1\nleft_child=-1\nright_child=-2\nleaf_value=1 2"),
       {"tree 0 node 0: categorical splits are not supported"}},
      {"l_count.txt",
       lgb("num_leaves=2\nsplit_feature=0\nthreshold=0.5 0.7\ndecision_type=2\nleft_child=-1\nright_child=-2\nleaf_value=1 2"),
       {"tree 0: 'threshold' has 2 values, expected 1"}},
      {"l_num.txt",
       lgb("num_leaves=2\nsplit_feature=0\nthreshold=abc\ndecision_type=2\nleft_child=-1\nright_child=-2\nleaf_value=1 2"),
       {"tree 0 node 0: 'threshold' value 'abc' is not a number"}},
      {"l_feat.txt",
       lgb("num_leaves=2\nsplit_feature=9\nthreshold=0.5\ndecision_type=2\nleft_child=-1\nright_child=-2\nleaf_value=1 2"),
       {"feature index 9 out of range [0, 4)"}},
      {"l_linear.txt", lgb("num_leaves=1\nleaf_value=1\nis_linear=1"), {"tree 0: linear trees are not supported"}},
      {"l_noleaf.txt", lgb("num_leaves=2\nsplit_feature=0"), {"tree 0: has no 'leaf_value='"}},
      {"l_notrees.txt", "tree\nversion=v4\nmax_feature_idx=3\n\nend of trees\n", {"no 'Tree=' block"}},
      {"l_multiple.txt", lgb("num_leaves=1\nleaf_value=1", "num_tree_per_iteration=2"),
       {"1 trees is not a multiple of num_tree_per_iteration 2"}},
      {"l_nomax.txt", "tree\nversion=v4\n\nTree=0\nnum_leaves=1\nleaf_value=1\n", {"header has no 'max_feature_idx='"}},
      // --- TMVA
      {"m_xml.xml", "<MethodSetup Method=\"BDT::BDT\"><Weights>", {"m_xml.xml", "invalid XML"}},
      {"m_method.xml", tmva("", "AdaBoost", "0", "MLP::MLP"), {"method 'MLP::MLP' is not a BDT"}},
      {"m_trans.xml", tmva("", "AdaBoost", "1"), {"NTransformations=1", "not supported"}},
      {"m_boost.xml", tmva(std::string(R"(<Node pos="s" IVar="0" Cut="1" cType="1" nType="0">)") + kTmvaLeafL + kTmvaLeafR + "</Node>", "RealAdaBoost"),
       {"BoostType 'RealAdaBoost'"}},
      {"m_ivar.xml", tmva(std::string(R"(<Node pos="s" IVar="5" Cut="1" cType="1" nType="0">)") + kTmvaLeafL + kTmvaLeafR + "</Node>"),
       {"m_ivar.xml", "tree 0 node 0: variable index IVar=5 out of range [0, 2)"}},
      {"m_onechild.xml", tmva(std::string(R"(<Node pos="s" IVar="0" Cut="1" cType="1" nType="0">)") + kTmvaLeafL + "</Node>"),
       {"tree 0 node 0: internal node (nType 0) without both children"}},
      {"m_fisher.xml", tmva(std::string(R"(<Node pos="s" NCoef="2" IVar="0" Cut="1" cType="1" nType="0">)") + kTmvaLeafL + kTmvaLeafR + "</Node>"),
       {"Fisher-discriminant cuts"}},
      {"m_cut.xml", tmva(std::string(R"(<Node pos="s" IVar="0" Cut="x" cType="1" nType="0">)") + kTmvaLeafL + kTmvaLeafR + "</Node>"),
       {"tree 0 node 0: attribute Cut=\"x\" is not a number"}},
      {"m_ntype.xml", tmva(R"(<Node pos="s" IVar="0" Cut="1" cType="1"/>)"), {"tree 0 node 0: <Node> has no 'nType' attribute"}},
      {"m_ctype.xml", tmva(std::string(R"(<Node pos="s" IVar="0" Cut="1" cType="3" nType="0">)") + kTmvaLeafL + kTmvaLeafR + "</Node>"),
       {"cType=3"}},
      {"m_notree.xml", tmva(""), {"tree 0: <BinaryTree> has no <Node>"}},
      // --- generic
      {"empty.json", "", {"empty.json"}},
      {"empty.txt", "", {"empty.txt", "not a LightGBM text model"}},
      {"bad.onnx", "\x08\x07garbage", {"bad.onnx"}},
  };
}

TEST(Malformed, EveryCaseIsAClearError) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    expect_load_error(write_temp(c.name, c.content), c.needles);
  }
}

// Random byte edits of valid files of every text format: load or tachyon::Error, nothing else.
TEST(Malformed, RandomCorruptionsNeverCrash) {
  std::vector<std::pair<std::string, std::string>> seeds = {
      {"fz.json", tj(kGoodTree)},
      {"fzx.json", xgb(xt("[1,-1,-1]", "[2,-1,-1]"))},
      {"fz.txt", lgb("num_leaves=3\nsplit_feature=0 1\nthreshold=0.5 0.5\ndecision_type=2 2\nleft_child=1 -1\n"
                     "right_child=-3 -2\nleaf_value=1 2 3")},
      {"fz.xml", tmva(std::string(R"(<Node pos="s" IVar="0" Cut="1" cType="1" nType="0">)") + kTmvaLeafL + kTmvaLeafR + "</Node>")},
  };
  std::mt19937 rng(12345);
  const std::string alphabet = "0123456789-+.eE[]{},:\"<>/=-1 \nxnaN";
  int loaded = 0, errors = 0;
  for (const auto& [name, good] : seeds) {
    for (int it = 0; it < 150; ++it) {
      std::string s = good;
      int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits; ++e) {
        size_t pos = rng() % s.size();
        switch (rng() % 3) {
          case 0: s[pos] = alphabet[rng() % alphabet.size()]; break;
          case 1: s.erase(pos, 1 + rng() % 4); break;
          default: s.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
        }
        if (s.empty()) s.push_back('x');
      }
      std::string p = write_temp(name, s);
      try {
        frontends::load_trees(p);
        ++loaded;
      } catch (const Error&) {
        ++errors;
      } catch (const std::exception& ex) {
        ADD_FAILURE() << name << " mutation " << it << ": non-tachyon exception " << ex.what() << "\n" << s;
      }
    }
  }
  EXPECT_GT(errors, 0);
  EXPECT_EQ(loaded + errors, 600);
}

}  // namespace
}  // namespace tachyon::trees_test
