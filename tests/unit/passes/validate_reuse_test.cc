#include <sstream>

#include "test_util.h"

using namespace tachyon;
using namespace tachyon::ir;
using namespace tachyon::testing;
using nlohmann::json;

namespace {

Graph dense_16x64() {
  Graph g;
  ValueId x = g.add_value("x", {16});
  ValueId y = g.add_value("y", {64});
  g.add_node(Op::Dense, "fc1", {x, g.add_constant("w", Tensor::zeros({16, 64}))}, {y});
  ValueId z = g.add_value("z", {3, 8});
  NodeId c = g.add_node(Op::Conv, "conv", {g.add_value("img", {5, 2}), g.add_constant("cw", Tensor::zeros({3, 2, 8}))}, {z});
  (void)c;
  g.inputs.push_back({x, "x", {16}, {}});
  g.inputs.push_back({g.node(1).inputs[0], "img", {5, 2}, {}});
  g.outputs.push_back({y, "y", {64}, {}});
  g.outputs.push_back({z, "z", {3, 8}, {}});
  return g;
}

}  // namespace

TEST(ValidateReuse, AcceptsDivisors) {
  for (int r : {1, 2, 4, 64, 128, 1024}) {
    Graph g = dense_16x64();
    g.node(0).config.reuse_factor = r;
    g.node(1).config.reuse_factor = 48;  // conv: 3*2 inputs x 8 outputs
    passes::PassContext ctx;
    EXPECT_NO_THROW(passes::validate_reuse(g, ctx)) << r;
  }
}

TEST(ValidateReuse, RejectsOthersListingValidValues) {
  Graph g = dense_16x64();
  g.node(0).config.reuse_factor = 5;
  g.node(1).config.reuse_factor = 49;
  g.node(0).config.reuse_named = g.node(1).config.reuse_named = true;  // given by LayerName
  passes::PassContext ctx;
  std::string msg = error_of([&] { passes::validate_reuse(g, ctx); });
  EXPECT_NE(msg.find("node 'fc1' (Dense): error: ReuseFactor 5 is not valid for layer 'fc1' (16x64): valid values are 1, 2, 4, "
                     "8, 16, 32, 64, 128, ..."),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("ReuseFactor 49 is not valid for layer 'conv' (6x8): valid values are "), std::string::npos) << msg;
  EXPECT_NE(msg.find("48"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 errors"), std::string::npos) << msg;
  g.node(0).config.reuse_factor = 2048;
  g.node(1).config.reuse_factor = 1;
  EXPECT_NE(error_of([&] { passes::validate_reuse(g, ctx); }).find("ReuseFactor 2048 is not valid"), std::string::npos);
  // A Model / LayerType value is a target (hls4ml): the nearest valid value, with a warning.
  g.node(0).config.reuse_named = false;
  g.node(0).config.reuse_factor = 5;
  std::ostringstream log;
  ctx.log = &log;
  EXPECT_NO_THROW(passes::validate_reuse(g, ctx));
  EXPECT_EQ(g.node(0).config.reuse_factor, 4);
  EXPECT_NE(log.str().find("using 4"), std::string::npos) << log.str();
}

TEST(ValidateReuse, FromTheConfig) {
  Graph g = dense_16x64();
  passes::PassContext ctx;
  ctx.config = json{{"LayerName", {{"fc1", {{"ReuseFactor", 3}}}}}};
  ctx.config_file = "c.yaml";
  EXPECT_NE(error_of([&] { run_all(g, ctx); }).find("ReuseFactor 3 is not valid for layer 'fc1'"), std::string::npos);
}
