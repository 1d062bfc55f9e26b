// The tree frontends on small hand-written files of every format: structure, conventions
// (comparison, base scores, class of each tree, leaf scaling) and float evaluation against
// each library's documented prediction rule, computed independently here.
#include <onnx/onnx_pb.h>

#include <cmath>

#include "trees_test_util.h"

namespace tachyon::trees_test {
namespace {

// ---- XGBoost --------------------------------------------------------------------------

std::string xgb_json(const std::string& objective, const std::string& base, int num_class, const std::string& trees,
                     const std::string& tree_info, const std::string& booster = "gbtree") {
  std::string model = R"({"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"2"},"tree_info":)" + tree_info +
                      R"(,"trees":[)" + trees + "]}";
  std::string gb = booster == "gbtree" ? R"({"name":"gbtree","model":)" + model + "}"
                                       : R"({"name":"dart","gbtree":{"name":"gbtree","model":)" + model +
                                             R"(},"weight_drop":[0.5,2.0]})";
  return R"({"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":)" + gb +
         R"(,"learner_model_param":{"base_score":")" + base + R"(","num_class":")" + std::to_string(num_class) +
         R"(","num_feature":"4","num_target":"1"},"objective":{"name":")" + objective + R"("}},"version":[2,0,3]})";
}

// Tree 0: x3 < 0.1 ? -0.5 : 0.25 (default left). Tree 1: x0 < 1.5 ? (x1 < -2 ? 0.125 : 0.3) : -0.7.
const char* kXgbTree0 =
    R"({"id":0,"left_children":[1,-1,-1],"right_children":[2,-1,-1],"split_indices":[3,0,0],)"
    R"("split_conditions":[0.1,-0.5,0.25],"default_left":[1,0,0],"split_type":[0,0,0],)"
    R"("tree_param":{"num_nodes":"3","size_leaf_vector":"0","num_feature":"4"}})";
const char* kXgbTree1 =
    R"({"id":1,"left_children":[1,3,-1,-1,-1],"right_children":[2,4,-1,-1,-1],"split_indices":[0,1,0,0,0],)"
    R"("split_conditions":[1.5,-2,-0.7,0.125,0.3],"default_left":[false,true,false,false,false],)"
    R"("split_type":[0,0,0,0,0],"tree_param":{"num_nodes":"5","size_leaf_vector":"0","num_feature":"4"}})";

double xgb_ref(const std::vector<double>& x, double base_margin, double w0 = 1, double w1 = 1) {
  auto f = [](double v) { return static_cast<double>(static_cast<float>(v)); };
  double t0 = x[3] < f(0.1) ? f(-0.5) : f(0.25);
  double t1 = x[0] < f(1.5) ? (x[1] < f(-2) ? f(0.125) : f(0.3)) : f(-0.7);
  return base_margin + w0 * t0 + w1 * t1;
}

TEST(XGBoostJson, BinaryLogisticStructureAndScores) {
  std::string trees = std::string(kXgbTree0) + "," + kXgbTree1;
  std::string p = write_temp("xgb_bin.json", xgb_json("binary:logistic", "[2E-1]", 0, trees, "[0,0]"));
  EXPECT_TRUE(frontends::is_tree_model(p));
  ir::Graph g = frontends::load_trees(p);
  const ir::TreeEnsembleData& d = trees_of(g);
  EXPECT_EQ(d.source_format, "xgboost");
  EXPECT_EQ(d.compare, ir::TreeCompare::Less);
  EXPECT_EQ(d.post_transform, ir::TreePostTransform::Logistic);
  EXPECT_EQ(d.n_features, 4);
  EXPECT_EQ(d.n_outputs, 1);
  ASSERT_EQ(d.trees.size(), 2u);
  EXPECT_EQ(d.trees[0].nodes[0].threshold, static_cast<double>(0.1f));  // float32, not 0.1
  EXPECT_TRUE(d.trees[0].nodes[0].default_left);
  EXPECT_FALSE(d.trees[1].nodes[0].default_left);
  EXPECT_EQ(d.max_depth(), 2);
  double p02 = static_cast<double>(0.2f);
  double margin = static_cast<double>(static_cast<float>(std::log(p02 / (1 - p02))));
  ASSERT_EQ(d.base_score.size(), 1u);
  EXPECT_EQ(d.base_score[0], margin);
  // Graph shape.
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.value(g.inputs[0].value).shape, ir::Shape({4}));
  EXPECT_EQ(g.value(g.outputs[0].value).shape, ir::Shape({1}));
  for (const auto& x : std::vector<std::vector<double>>{
           {0, 0, 0, 0}, {1.5, -2, 0, 0.1}, {1.4999, -2.5, 0, 0.0999}, {2, 5, 0, -1}, {static_cast<double>(1.5f), 0, 0, 1}}) {
    EXPECT_DOUBLE_EQ(eval_float(d, x)[0], xgb_ref(x, margin)) << x[0] << " " << x[1] << " " << x[3];
  }
}

TEST(XGBoostJson, PlainBaseScoreMulticlassTreeInfoAndDart) {
  std::string trees = std::string(kXgbTree0) + "," + kXgbTree1;
  ir::Graph g = frontends::load_trees(write_temp("xgb_multi.json", xgb_json("multi:softprob", "5E-1", 3, trees, "[2,1]")));
  const ir::TreeEnsembleData& d = trees_of(g);
  EXPECT_EQ(d.n_outputs, 3);
  EXPECT_EQ(d.post_transform, ir::TreePostTransform::Softmax);
  EXPECT_EQ(d.trees[0].class_id, 2);
  EXPECT_EQ(d.trees[1].class_id, 1);
  EXPECT_EQ(d.base_score, std::vector<double>(3, 0.5));  // identity link for softmax

  ir::Graph r = frontends::load_trees(write_temp("xgb_reg.json", xgb_json("reg:squarederror", "1.25E0", 0, trees, "[0,0]")));
  EXPECT_EQ(trees_of(r).base_score[0], 1.25);
  EXPECT_EQ(trees_of(r).post_transform, ir::TreePostTransform::None);

  ir::Graph dart = frontends::load_trees(write_temp("xgb_dart.json", xgb_json("binary:logitraw", "0.25", 0, trees, "[0,0]", "dart")));
  const ir::TreeEnsembleData& dd = trees_of(dart);
  std::vector<double> x{1, 1, 0, 1};
  EXPECT_DOUBLE_EQ(eval_float(dd, x)[0], xgb_ref(x, 0.25, 0.5, 2.0));
}

// ---- Tachyon tree JSON --------------------------------------------------------------------

TEST(TachyonJson, ReadsEveryField) {
  std::string doc = R"({"format":"tachyon-trees","version":1,"source":"sklearn","model":"GradientBoostingClassifier",
    "n_features":3,"n_outputs":2,"compare":"<=","post_transform":"softmax","objective":"log_loss",
    "base_score":[0.5,-0.25],
    "trees":[{"class_id":1,"feature":[2,-1,-1],"threshold":[0.75,0,0],"left":[1,-1,-1],"right":[2,-1,-1],
              "value":[0,1.5,-1.5],"default_left":[false,true,true]},
             {"class_id":0,"feature":[-1],"threshold":[0],"left":[-1],"right":[-1],"value":[0.125]}]})";
  std::string p = write_temp("tachyon.json", doc);
  EXPECT_TRUE(frontends::is_tree_model(p));
  const ir::TreeEnsembleData d = trees_of(frontends::load_trees(p));
  EXPECT_EQ(d.compare, ir::TreeCompare::LessEqual);
  EXPECT_EQ(d.post_transform, ir::TreePostTransform::Softmax);
  EXPECT_FALSE(d.trees[0].nodes[0].default_left);
  auto s = eval_float(d, {0, 0, 0.75});
  EXPECT_EQ(s[0], 0.5 + 0.125);
  EXPECT_EQ(s[1], -0.25 + 1.5);
  EXPECT_EQ(eval_float(d, {0, 0, 0.76})[1], -0.25 - 1.5);
}

// ---- LightGBM -------------------------------------------------------------------------

const char* kLgb = R"(tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=3
objective=binary sigmoid:1
feature_names=a b c d
feature_infos=[0:1] [0:1] [0:1] [0:1]
tree_sizes=400 200

Tree=0
num_leaves=3
num_cat=0
split_feature=2 0
split_gain=10 5
threshold=0.5 1.0000000180025095e-35
decision_type=2 10
left_child=1 -1
right_child=-3 -2
leaf_value=0.1 0.2 -0.30000000000000004
leaf_weight=1 1 1
leaf_count=1 1 1
internal_value=0 0
internal_weight=0 0
internal_count=3 2
is_linear=0
shrinkage=1


Tree=1
num_leaves=1
num_cat=0
split_feature=
split_gain=
threshold=
decision_type=
left_child=
right_child=
leaf_value=-0.05
leaf_weight=
leaf_count=
internal_value=
internal_weight=
internal_count=
is_linear=0
shrinkage=0.1


end of trees

feature_importances:
c=1
a=1

parameters:
[boosting: gbdt]
[objective: binary]
end of parameters

pandas_categorical:null
)";

TEST(LightGbm, TextModel) {
  std::string p = write_temp("lgb.txt", kLgb);
  EXPECT_TRUE(frontends::is_tree_model(p));
  const ir::TreeEnsembleData d = trees_of(frontends::load_trees(p));
  EXPECT_EQ(d.source_format, "lightgbm");
  EXPECT_EQ(d.compare, ir::TreeCompare::LessEqual);
  EXPECT_EQ(d.post_transform, ir::TreePostTransform::Logistic);
  EXPECT_EQ(d.n_features, 4);
  ASSERT_EQ(d.trees.size(), 2u);
  EXPECT_EQ(d.trees[0].nodes.size(), 5u);
  EXPECT_EQ(d.trees[1].nodes.size(), 1u);
  // LightGBM: x <= threshold goes left; leaf ~c for negative children.
  auto ref = [](const std::vector<double>& x) {
    double t0 = x[2] <= 0.5 ? (x[0] <= 1.0000000180025095e-35 ? 0.1 : 0.2) : -0.30000000000000004;
    return t0 - 0.05;
  };
  for (const auto& x : std::vector<std::vector<double>>{{0, 0, 0.5, 0}, {1e-36, 0, 0.4, 0}, {1, 0, 0, 0}, {0, 0, 0.6, 0}})
    EXPECT_DOUBLE_EQ(eval_float(d, x)[0], ref(x));
  // Missing type None (decision_type 2): NaN is 0, 0 <= 0.5 -> left. NaN type with default left.
  EXPECT_TRUE(d.trees[0].nodes[0].default_left);
  EXPECT_TRUE(d.trees[0].nodes[1].default_left);
}

TEST(LightGbm, MulticlassCyclesAndAverageOutput) {
  std::string s = kLgb;
  auto replace = [&](const std::string& a, const std::string& b) { s.replace(s.find(a), a.size(), b); };
  replace("num_class=1\nnum_tree_per_iteration=1", "num_class=2\nnum_tree_per_iteration=2");
  replace("objective=binary sigmoid:1", "objective=multiclass num_class:2\naverage_output");
  const ir::TreeEnsembleData d = trees_of(frontends::load_trees(write_temp("lgb_multi.txt", s)));
  EXPECT_EQ(d.n_outputs, 2);
  EXPECT_EQ(d.post_transform, ir::TreePostTransform::Softmax);
  EXPECT_EQ(d.trees[0].class_id, 0);
  EXPECT_EQ(d.trees[1].class_id, 1);
  EXPECT_DOUBLE_EQ(d.trees[1].nodes[0].value, -0.05);  // one iteration: average over 1
}

// ---- TMVA -----------------------------------------------------------------------------

std::string tmva_xml(const std::string& boost, const std::string& analysis, const std::string& trees, int nclass = 2,
                     const std::string& extra_options = "") {
  return R"(<?xml version="1.0"?>
<MethodSetup Method="BDT::BDT">
  <GeneralInfo>
    <Info name="TMVA Release" value="4.2.1 [262657]"/>
    <Info name="ROOT Release" value="6.24/06 [399366]"/>
    <Info name="Creator" value="physicist"/>
    <Info name="Training events" value="20000"/>
    <Info name="AnalysisType" value=")" + analysis + R"("/>
  </GeneralInfo>
  <Options>
    <Option name="V" modified="No">False</Option>
    <Option name="NTrees" modified="Yes">2</Option>
    <Option name="MaxDepth" modified="Yes">2</Option>
    <Option name="BoostType" modified="Yes">)" + boost + R"(</Option>
    <Option name="AdaBoostBeta" modified="Yes">5.000000e-01</Option>
    <Option name="SeparationType" modified="Yes">giniindex</Option>
    <Option name="nCuts" modified="Yes">20</Option>
    )" + extra_options + R"(
  </Options>
  <Variables NVar="3">
    <Variable VarIndex="0" Expression="pt" Label="pt" Title="pt" Unit="" Internal="pt" Type="F" Min="0.0e+00" Max="1.0e+02"/>
    <Variable VarIndex="1" Expression="eta" Label="eta" Title="eta" Unit="" Internal="eta" Type="F" Min="-2.5e+00" Max="2.5e+00"/>
    <Variable VarIndex="2" Expression="m" Label="m" Title="m" Unit="" Internal="m" Type="F" Min="0.0e+00" Max="2.0e+02"/>
  </Variables>
  <Spectators NSpec="0"/>
  <Classes NClass=")" + std::to_string(nclass) + R"(">
    <Class Name="Signal" Index="0"/>
    <Class Name="Background" Index="1"/>
  </Classes>
  <Transformations NTransformations="0"/>
  <MVAPdfs/>
  <Weights NTrees="2" AnalysisType=")" + (analysis == "Multiclass" ? "2" : (boost == "Grad" ? "1" : "0")) + R"(">
)" + trees + R"(
  </Weights>
</MethodSetup>
)";
}

// Tree 0: eta >= 0.5 (cType 1) -> right (signal leaf), else left (background).
// Tree 1: pt >= 20 with cType 0 -> the cut selects background: TMVA goes right when
// !(pt >= 20), i.e. pt < 20 -> right; right leaf is background, left (pt >= 20) signal;
// the left child is itself split on m >= 91.2 (cType 1).
const char* kTmvaTrees = R"(
    <BinaryTree type="DecisionTree" boostWeight="6.0000000000000000e-01" itree="0">
      <Node pos="s" depth="0" NCoef="0" IVar="1" Cut="5.0000000000000000e-01" cType="1" res="1.0e-01" rms="0.0e+00" purity="5.0e-01" nType="0">
        <Node pos="l" depth="1" NCoef="0" IVar="-1" Cut="0.0e+00" cType="1" res="-2.5e-01" rms="0.0e+00" purity="2.0e-01" nType="-1"/>
        <Node pos="r" depth="1" NCoef="0" IVar="-1" Cut="0.0e+00" cType="1" res="3.5e-01" rms="0.0e+00" purity="9.0e-01" nType="1"/>
      </Node>
    </BinaryTree>
    <BinaryTree type="DecisionTree" boostWeight="4.0000000000000002e-01" itree="1">
      <Node pos="s" depth="0" NCoef="0" IVar="0" Cut="2.0000000000000000e+01" cType="0" res="0.0e+00" rms="0.0e+00" purity="5.0e-01" nType="0">
        <Node pos="l" depth="1" NCoef="0" IVar="2" Cut="9.1199996948242188e+01" cType="1" res="0.0e+00" rms="0.0e+00" purity="7.0e-01" nType="0">
          <Node pos="l" depth="2" NCoef="0" IVar="-1" Cut="0.0e+00" cType="1" res="1.25e-01" rms="0.0e+00" purity="6.0e-01" nType="1"/>
          <Node pos="r" depth="2" NCoef="0" IVar="-1" Cut="0.0e+00" cType="1" res="-1.25e-01" rms="0.0e+00" purity="3.0e-01" nType="-1"/>
        </Node>
        <Node pos="r" depth="1" NCoef="0" IVar="-1" Cut="0.0e+00" cType="1" res="-5.0e-02" rms="0.0e+00" purity="1.0e-01" nType="-1"/>
      </Node>
    </BinaryTree>)";

// TMVA's own rule (DecisionTreeNode::GoesRight): right iff (x >= cut) == cType.
struct TmvaLeaf {
  int ntype;
  double purity, res;
};
std::pair<TmvaLeaf, TmvaLeaf> tmva_ref(const std::vector<double>& x) {
  auto f = [](double v) { return static_cast<double>(static_cast<float>(v)); };
  bool r0 = (x[1] >= f(0.5)) == true;
  TmvaLeaf t0 = r0 ? TmvaLeaf{1, 0.9, 0.35} : TmvaLeaf{-1, 0.2, -0.25};
  bool r1 = (x[0] >= f(20)) == false;
  TmvaLeaf t1;
  if (r1)
    t1 = {-1, 0.1, -0.05};
  else
    t1 = (x[2] >= f(91.2)) ? TmvaLeaf{-1, 0.3, -0.125} : TmvaLeaf{1, 0.6, 0.125};
  return {t0, t1};
}

const std::vector<std::vector<double>> kTmvaPoints = {
    {0, 0, 0}, {20, 0.5, 91.2}, {19.99, 0.49, 91.19}, {25, -1, 100}, {25, 1, 50}, {10, 2, 300}};

TEST(Tmva, AdaBoostYesNoLeaves) {
  std::string p = write_temp("tmva_ada.weights.xml", tmva_xml("AdaBoost", "Classification", kTmvaTrees));
  EXPECT_TRUE(frontends::is_tree_model(p));
  const ir::TreeEnsembleData d = trees_of(frontends::load_trees(p));
  EXPECT_EQ(d.source_format, "tmva");
  EXPECT_EQ(d.compare, ir::TreeCompare::Less);
  EXPECT_EQ(d.n_features, 3);
  for (const auto& x : kTmvaPoints) {
    auto [a, b] = tmva_ref(x);
    double mva = (0.6 * a.ntype + 0.4000000000000000222 * b.ntype) / (0.6 + 0.4000000000000000222);
    EXPECT_NEAR(eval_float(d, x)[0], mva, 1e-15) << x[0] << " " << x[1] << " " << x[2];
  }
}

TEST(Tmva, PurityLeavesGradAndMulticlass) {
  const ir::TreeEnsembleData pur = trees_of(frontends::load_trees(write_temp(
      "tmva_pur.weights.xml",
      tmva_xml("AdaBoost", "Classification", kTmvaTrees, 2, R"(<Option name="UseYesNoLeaf" modified="Yes">False</Option>)"))));
  const ir::TreeEnsembleData grad =
      trees_of(frontends::load_trees(write_temp("tmva_grad.weights.xml", tmva_xml("Grad", "Classification", kTmvaTrees))));
  const ir::TreeEnsembleData multi =
      trees_of(frontends::load_trees(write_temp("tmva_multi.weights.xml", tmva_xml("Grad", "Multiclass", kTmvaTrees))));
  EXPECT_EQ(multi.n_outputs, 2);
  EXPECT_EQ(multi.post_transform, ir::TreePostTransform::Softmax);
  auto f = [](double v) { return static_cast<double>(static_cast<float>(v)); };
  for (const auto& x : kTmvaPoints) {
    auto [a, b] = tmva_ref(x);
    EXPECT_NEAR(eval_float(pur, x)[0], (0.6 * f(a.purity) + 0.4 * f(b.purity)) / 1.0, 1e-7);
    EXPECT_NEAR(eval_float(grad, x)[0], f(a.res) + f(b.res), 1e-15);
    auto m = eval_float(multi, x);
    EXPECT_NEAR(m[0], f(a.res), 1e-15);
    EXPECT_NEAR(m[1], f(b.res), 1e-15);
  }
}

// ---- ONNX-ML --------------------------------------------------------------------------

void add_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void add_floats(onnx::NodeProto* n, const std::string& name, const std::vector<float>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOATS);
  for (float x : v) a->add_floats(x);
}
void add_strings(onnx::NodeProto* n, const std::string& name, const std::vector<std::string>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRINGS);
  for (const auto& x : v) a->add_strings(x);
}
void add_string(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

// A classifier with 3 labels; tree 7 (node ids deliberately not in order, root is id 4):
// id4: x1 <= 0.3 (BRANCH_LEQ) ? id2 : id9; id2: LEAF {c0: 0.5, c2: -0.5}; id9: x0 > 1 (BRANCH_GT)
// ? id1 : id3; id1: LEAF {c1: 1}; id3: LEAF {c0: 0.25}. Tree 8: a single LEAF {c2: 2}.
std::string onnx_classifier(const std::string& mode9 = "BRANCH_GT", bool with_zipmap = true) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  auto* op = m.add_opset_import();
  op->set_domain("ai.onnx.ml");
  op->set_version(1);
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto* in = g->add_input();
  in->set_name("X");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_param("N");
  tt->mutable_shape()->add_dim()->set_dim_value(2);
  auto* n = g->add_node();
  n->set_op_type("TreeEnsembleClassifier");
  n->set_domain("ai.onnx.ml");
  n->add_input("X");
  n->add_output("label");
  n->add_output("probabilities");
  add_ints(n, "nodes_treeids", {7, 7, 7, 7, 7, 8});
  add_ints(n, "nodes_nodeids", {2, 4, 1, 9, 3, 0});
  add_ints(n, "nodes_featureids", {0, 1, 0, 0, 0, 0});
  add_floats(n, "nodes_values", {0, 0.3f, 0, 1.0f, 0, 0});
  add_strings(n, "nodes_modes", {"LEAF", "BRANCH_LEQ", "LEAF", mode9, "LEAF", "LEAF"});
  add_ints(n, "nodes_truenodeids", {0, 2, 0, 1, 0, 0});
  add_ints(n, "nodes_falsenodeids", {0, 9, 0, 3, 0, 0});
  add_ints(n, "nodes_missing_value_tracks_true", {0, 1, 0, 0, 0, 0});
  add_ints(n, "class_treeids", {7, 7, 7, 7, 8});
  add_ints(n, "class_nodeids", {2, 2, 1, 3, 0});
  add_ints(n, "class_ids", {0, 2, 1, 0, 2});
  add_floats(n, "class_weights", {0.5f, -0.5f, 1.0f, 0.25f, 2.0f});
  add_ints(n, "classlabels_int64s", {10, 20, 30});
  add_floats(n, "base_values", {0.1f, 0.2f, 0.3f});
  add_string(n, "post_transform", "SOFTMAX");
  if (with_zipmap) {
    auto* z = g->add_node();
    z->set_op_type("ZipMap");
    z->set_domain("ai.onnx.ml");
    z->add_input("probabilities");
    z->add_output("output_probability");
  }
  return m.SerializeAsString();
}

TEST(OnnxMl, ClassifierWithSeveralWeightsPerLeaf) {
  std::string p = write_temp("clf.onnx", onnx_classifier());
  EXPECT_TRUE(frontends::is_tree_model(p));
  const ir::TreeEnsembleData d = trees_of(frontends::load_trees(p));
  EXPECT_EQ(d.source_format, "onnx-ml");
  EXPECT_EQ(d.n_outputs, 3);
  EXPECT_EQ(d.n_features, 2);
  EXPECT_EQ(d.compare, ir::TreeCompare::LessEqual);
  EXPECT_EQ(d.post_transform, ir::TreePostTransform::Softmax);
  EXPECT_EQ(d.trees.size(), 4u);  // tree 7 -> classes 0, 1, 2; tree 8 -> class 2
  auto f = [](double v) { return static_cast<double>(static_cast<float>(v)); };
  auto ref = [&](const std::vector<double>& x) {
    std::vector<double> s{f(0.1), f(0.2), f(0.3) + 2.0};
    if (x[1] <= f(0.3)) {
      s[0] += 0.5;
      s[2] -= 0.5;
    } else if (x[0] > 1.0) {
      s[1] += 1.0;
    } else {
      s[0] += 0.25;
    }
    return s;
  };
  for (const auto& x : std::vector<std::vector<double>>{{0, 0.3}, {0, f(0.3)}, {1, 0.5}, {1.0001, 0.5}, {5, -1}}) {
    auto got = eval_float(d, x), want = ref(x);
    for (size_t k = 0; k < 3; ++k) EXPECT_DOUBLE_EQ(got[k], want[k]) << x[0] << "," << x[1] << " class " << k;
  }
  // Missing values: id4 tracks true (left), id9 (GT) does not: NaN goes to the false branch
  // (x <= 1 side, IR left).
  const ir::TreeNode& root = d.trees[0].nodes[0];
  EXPECT_TRUE(root.default_left);
}

TEST(OnnxMl, MixedComparisonFamiliesAreRejected) {
  expect_load_error(write_temp("mixed.onnx", onnx_classifier("BRANCH_LT")), {"mixed.onnx", "mixes BRANCH_LEQ"});
  expect_load_error(write_temp("eq.onnx", onnx_classifier("BRANCH_EQ")), {"eq.onnx", "BRANCH_EQ is not supported"});
}

TEST(Detection, ExtensionsAndContent) {
  EXPECT_FALSE(frontends::is_tree_model(write_temp("plain.json", R"({"a":1})")));
  EXPECT_FALSE(frontends::is_tree_model(write_temp("plain.onnx", "garbage")));
  EXPECT_FALSE(frontends::is_tree_model((temp_dir() / "missing.json").string()));
  expect_load_error(write_temp("plain2.json", R"({"a":1})"), {"plain2.json", "not a tree model"});
  expect_load_error(write_temp("what.bin", "hello"), {"what.bin", "unrecognized tree model format"});
  expect_load_error((temp_dir() / "nope.json").string(), {"nope.json", "no such file"});
  expect_load_error(temp_dir().string(), {"is a folder"});
}

}  // namespace
}  // namespace tachyon::trees_test
