// Configuration of TreeEnsemble nodes: the threshold type defaults to the tree's input type
// ("auto"), not to a level's default precision; the score follows the default like every
// data-path precision; templates show both keys (docs/trees.md, docs/config.md).
#include <memory>

#include "tachyon/config/config.h"
#include "tachyon/config/resolve.h"
#include "tachyon/ir/trees.h"
#include "test_util.h"

using namespace tachyon;
using namespace tachyon::ir;
using namespace tachyon::testing;
using nlohmann::json;

namespace {

// x[2] -> bdt (one tree: x[1] <= 0.3 ? -0.5 : 0.75) -> y[1].
Graph tree_graph() {
  auto d = std::make_shared<TreeEnsembleData>();
  d->n_features = 2;
  d->n_outputs = 1;
  d->base_score = {0.0};
  Tree t;
  t.nodes.resize(3);
  t.nodes[0].feature = 1;
  t.nodes[0].threshold = 0.3;
  t.nodes[0].left = 1;
  t.nodes[0].right = 2;
  t.nodes[1].value = -0.5;
  t.nodes[2].value = 0.75;
  d->trees.push_back(t);
  Graph g;
  g.name = "trees";
  ValueId x = g.add_value("x", {2});
  ValueId y = g.add_value("y", {1});
  NodeId n = g.add_node(Op::TreeEnsemble, "bdt", {x}, {y});
  g.node(n).trees = std::move(d);
  g.inputs.push_back({x, "x", {2}, {}});
  g.outputs.push_back({y, "y", {1}, {}});
  return g;
}

passes::PassContext ctx_of(json cfg) {
  passes::PassContext ctx;
  ctx.config = std::move(cfg);
  return ctx;
}

const FixedType& type_of_slot(const Graph& g, const std::string& slot) { return node(g, "bdt").config.types.at(slot); }

}  // namespace

TEST(TreeConfig, ThresholdDefaultsToTheInputTypeNotTheModelDefault) {
  Graph g = tree_graph();
  json cfg = {{"Model", {{"Precision", "ap_fixed<8,3>"}}},
              {"LayerName", {{"x", {{"Precision", "ap_fixed<20,10,AP_RND_CONV,AP_SAT>"}}}}}};
  run_passes(g, {"apply_config", "infer_precision", "verify"}, ctx_of(cfg));
  EXPECT_EQ(type_of_slot(g, "threshold"), FixedType::parse("ap_fixed<20,10,AP_RND_CONV,AP_SAT>"));
  EXPECT_EQ(type_of_slot(g, "score"), FixedType::parse("ap_fixed<8,3>"));  // follows the default
  EXPECT_EQ(g.type_of(node(g, "bdt").outputs[0]), FixedType::parse("ap_fixed<8,3>"));
}

TEST(TreeConfig, ThresholdDefaultWithoutAnyConfigurationIsTheInputType) {
  Graph g = tree_graph();
  run_passes(g, {"apply_config", "infer_precision", "verify"}, ctx_of(json::object()));
  EXPECT_EQ(type_of_slot(g, "threshold"), g.type_of(g.inputs[0].value));
  EXPECT_EQ(type_of_slot(g, "score"), FixedType::parse(config::builtin_default("score", Op::TreeEnsemble)));
}

TEST(TreeConfig, LayerDefaultPrecisionDoesNotChangeTheThreshold) {
  Graph g = tree_graph();
  json cfg = {{"LayerName",
               {{"x", {{"Precision", "ap_fixed<18,9>"}}}, {"bdt", {{"Precision", {{"default", "ap_fixed<12,5>"}}}}}}}};
  run_passes(g, {"apply_config", "infer_precision", "verify"}, ctx_of(cfg));
  EXPECT_EQ(type_of_slot(g, "threshold"), FixedType::parse("ap_fixed<18,9>"));
  EXPECT_EQ(type_of_slot(g, "score"), FixedType::parse("ap_fixed<12,5>"));
}

TEST(TreeConfig, NamedThresholdIsUsedAtEveryLevel) {
  for (const char* level : {"Model", "LayerType", "LayerName"}) {
    Graph g = tree_graph();
    json prec = {{"threshold", "ap_fixed<14,6>"}, {"score", "ap_fixed<18,8,AP_RND_CONV,AP_SAT>"}};
    json cfg = {{"LayerName", {{"x", {{"Precision", "ap_fixed<18,9>"}}}}}};
    if (std::string(level) == "Model")
      cfg["Model"] = {{"Precision", prec}};
    else if (std::string(level) == "LayerType")
      cfg["LayerType"] = {{"TreeEnsemble", {{"Precision", prec}}}};
    else
      cfg["LayerName"]["bdt"] = {{"Precision", prec}};
    run_passes(g, {"apply_config", "infer_precision", "verify"}, ctx_of(cfg));
    EXPECT_EQ(type_of_slot(g, "threshold"), FixedType::parse("ap_fixed<14,6>")) << level;
    EXPECT_EQ(type_of_slot(g, "score"), FixedType::parse("ap_fixed<18,8,AP_RND_CONV,AP_SAT>")) << level;
  }
}

TEST(TreeConfig, ExplicitAutoThresholdIsTheInputType) {
  Graph g = tree_graph();
  json cfg = {{"Model", {{"Precision", {{"default", "ap_fixed<10,4>"}, {"threshold", "auto"}}}}},
              {"LayerName", {{"x", {{"Precision", "ap_fixed<18,9>"}}}}}};
  run_passes(g, {"apply_config", "infer_precision", "verify"}, ctx_of(cfg));
  EXPECT_EQ(type_of_slot(g, "threshold"), FixedType::parse("ap_fixed<18,9>"));
}

TEST(TreeConfig, TemplatesShowThresholdAutoAndTheScore) {
  Graph g = tree_graph();
  const json model = config::make_template(g, config::Granularity::Model);
  EXPECT_EQ(model["Model"]["Precision"]["threshold"], "auto");
  EXPECT_EQ(model["Model"]["Precision"]["default"], "ap_fixed<16,6>");
  const json names = config::make_template(g, config::Granularity::Name);
  const json& p = names["LayerName"]["bdt"]["Precision"];
  EXPECT_EQ(p["threshold"], "auto");
  EXPECT_EQ(p["score"], "ap_fixed<16,6>");
  EXPECT_EQ(p["result"], "ap_fixed<16,6>");
  const json types = config::make_template(g, config::Granularity::Type);
  EXPECT_EQ(types["LayerType"]["TreeEnsemble"]["Precision"]["threshold"], "auto");
  // The template is a valid configuration that gives the same types as no configuration.
  Graph a = tree_graph(), b = tree_graph();
  run_passes(a, {"apply_config", "infer_precision", "verify"}, ctx_of(names));
  run_passes(b, {"apply_config", "infer_precision", "verify"}, ctx_of(json::object()));
  EXPECT_EQ(type_of_slot(a, "threshold"), type_of_slot(b, "threshold"));
  EXPECT_EQ(type_of_slot(a, "score"), type_of_slot(b, "score"));
}
