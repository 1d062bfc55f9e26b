// Window geometry is computed in one place (ir/window.h) and every executor reads it. Before,
// the HLS writer defaulted a pool's missing `strides` to the kernel size while shape
// inference, the emulator and the Verilog writer used 1; these tests pin the shared default.
#include <gtest/gtest.h>

#include <algorithm>

#include "tachyon/backends/hls.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/ir/verifier.h"
#include "tachyon/ir/window.h"
#include "tachyon/support/error.h"

using namespace tachyon;
using ir::Op;

namespace {

// x (5, 4, 2) -> MaxPool 2x2 without a `strides` attribute -> y.
// Stride 1 gives (5 - 2) / 1 + 1 = 4 rows and (4 - 2) / 1 + 1 = 3 columns.
ir::Graph pool_without_strides(ir::Shape y_shape) {
  const FixedType t = FixedType::parse("ap_fixed<8,3>");
  ir::Graph g;
  g.name = "pool_default_strides";
  ir::ValueId x = g.add_value("x", {5, 4, 2}, t);
  ir::ValueId y = g.add_value("y", y_shape, t);
  ir::NodeId p = g.add_node(Op::MaxPool, "pool", {x}, {y});
  g.node(p).attrs.set("kernel_shape", std::vector<int64_t>{2, 2});
  g.inputs.push_back({x, "x", {5, 4, 2}, {}});
  g.outputs.push_back({y, "y", y_shape, {}});
  return g;
}

std::string config_of(const backends::hls::FileMap& files) {
  auto it = files.find("firmware/parameters.h");
  return it == files.end() ? std::string() : it->second;
}

}  // namespace

TEST(WindowGeometry, PoolStridesDefaultToOne) {
  ir::Graph g = pool_without_strides({4, 3, 2});
  const ir::Window w = ir::window_of(g, g.node(0));
  EXPECT_EQ(w.SH, 1);
  EXPECT_EQ(w.SW, 1);
  EXPECT_EQ(w.OH, 4);
  EXPECT_EQ(w.OW, 3);
  EXPECT_NO_THROW(ir::verify(g, ir::VerifyLevel::Typed));
}

TEST(WindowGeometry, VerifierRejectsAnOutputTheWindowDoesNotGive) {
  // (2, 2, 2) is what a stride of 2 (the kernel size) would give.
  ir::Graph g = pool_without_strides({2, 2, 2});
  try {
    ir::verify(g, ir::VerifyLevel::Typed);
    FAIL() << "verify accepted an output shape the window does not give";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'pool' (MaxPool)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("4 x 3 x 2"), std::string::npos) << e.what();
  }
}

TEST(WindowGeometry, HlsPoolUsesTheSameStridesAsTheEmulator) {
  ir::Graph g = pool_without_strides({4, 3, 2});
  backends::BackendOptions opts;
  opts.project_name = "p";
  const std::string cfg = config_of(backends::hls::generate_project(g, opts));
  ASSERT_FALSE(cfg.empty());
  EXPECT_NE(cfg.find("static const unsigned stride_height = 1;"), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("static const unsigned stride_width = 1;"), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("static const unsigned out_height = 4;"), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("static const unsigned out_width = 3;"), std::string::npos) << cfg;
  // The emulator computes the same 4 x 3 windows: the maximum of each 2 x 2 block.
  emulator::Emulator emu(g);
  NdArray x;
  x.shape = {5, 4, 2};
  for (int64_t i = 0; i < 40; ++i) x.data.push_back(static_cast<double>(i % 7) * 0.25);
  const NdArray y = emu.predict({x}).at(0);
  ASSERT_EQ(y.data.size(), 24u);
  for (int64_t oh = 0; oh < 4; ++oh)
    for (int64_t ow = 0; ow < 3; ++ow)
      for (int64_t c = 0; c < 2; ++c) {
        double m = -1e9;
        for (int64_t kh = 0; kh < 2; ++kh)
          for (int64_t kw = 0; kw < 2; ++kw) m = std::max(m, x.data[static_cast<size_t>(((oh + kh) * 4 + ow + kw) * 2 + c)]);
        EXPECT_EQ(y.data[static_cast<size_t>((oh * 3 + ow) * 2 + c)], m) << oh << "," << ow << "," << c;
      }
}
