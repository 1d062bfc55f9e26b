// Missing values: a tree ensemble's emulator rejects NaN inputs with an error naming the
// input, the sample and the feature (the firmware has no NaN; docs/trees.md). Other models
// keep semantics.md §1 (NaN converts to 0).
#include <cmath>
#include <limits>
#include <memory>

#include "test_util.h"

using namespace tachyon;
using namespace tachyon::emulator;
using namespace tachyon::emulator::testing;
using ir::Op;

namespace {

// x[3] -> bdt: x[2] <= 0.5 ? -1 : 1 (default direction right: a NaN would go right in XGBoost).
GraphBuilder tree_model() {
  GraphBuilder gb;
  const FixedType t = T("ap_fixed<12,4>");
  ir::ValueId x = gb.input("x", {3}, t);
  gb.output(gb.node(Op::TreeEnsemble, "bdt", {x}, {1}, t, {}, {{"threshold", t}, {"score", t}}));
  auto d = std::make_shared<ir::TreeEnsembleData>();
  d->n_features = 3;
  d->n_outputs = 1;
  d->base_score = {0.0};
  ir::Tree tree;
  tree.nodes.resize(3);
  tree.nodes[0].feature = 2;
  tree.nodes[0].threshold = 0.5;
  tree.nodes[0].left = 1;
  tree.nodes[0].right = 2;
  tree.nodes[0].default_left = false;
  tree.nodes[1].value = -1.0;
  tree.nodes[2].value = 1.0;
  d->trees.push_back(tree);
  gb.last().trees = std::move(d);
  return gb;
}

std::string error_of(Emulator& emu, const NdArray& x) {
  try {
    emu.predict({x});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(TreeMissingValues, NaNInputIsAnErrorNamingInputSampleAndFeature) {
  GraphBuilder gb = tree_model();
  Emulator emu(gb.g);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Without NaN: the kernel runs (x[2] = 0.25 <= 0.5 -> -1; 0.75 -> 1).
  std::vector<NdArray> ok = emu.predict({NdArray{{2, 3}, {0, 0, 0.25, 0, 0, 0.75}}});
  ASSERT_EQ(ok[0].data.size(), 2u);
  EXPECT_EQ(ok[0].data[0], -1.0);
  EXPECT_EQ(ok[0].data[1], 1.0);
  // Sample 2, feature 1 (the first NaN in memory order is reported).
  NdArray x{{4, 3}, std::vector<double>(12, 0.0)};
  x.data[2 * 3 + 1] = nan;
  x.data[3 * 3 + 0] = -nan;
  const std::string msg = error_of(emu, x);
  EXPECT_NE(msg.find("input 'x'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sample 2 feature 1 is NaN"), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing value"), std::string::npos) << msg;
  // A single sample without the batch dimension; trace and several threads report it too.
  EXPECT_NE(error_of(emu, NdArray{{3}, {0, 0, nan}}).find("sample 0 feature 2"), std::string::npos);
  RunOptions two;
  two.threads = 2;
  EXPECT_THROW(emu.trace({x}, two), Error);
  EXPECT_THROW(emu.predict({x}, two), Error);
  // Infinities are not missing values: they saturate / wrap like any out-of-range input.
  EXPECT_EQ(error_of(emu, NdArray{{1, 3}, {0, 0, std::numeric_limits<double>::infinity()}}), "");
}

TEST(TreeMissingValues, OtherModelsStillConvertNaNToZero) {
  GraphBuilder gb;
  const FixedType t = T("ap_fixed<10,5>");
  ir::ValueId x = gb.input("x", {2}, t);
  gb.output(gb.node(Op::Relu, "relu", {x}, {2}, t));
  Emulator emu(gb.g);
  std::vector<NdArray> y = emu.predict({NdArray{{1, 2}, {std::numeric_limits<double>::quiet_NaN(), 3.0}}});
  EXPECT_EQ(y[0].data[0], 0.0);
  EXPECT_EQ(y[0].data[1], 3.0);
}
