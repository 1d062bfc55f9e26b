// Helpers of the Verilog backend tests: typed IR graphs built by hand, temporary project
// folders, RTL-vs-emulator comparison.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "support/graph_builder.h"
#include "tachyon/backends/backend.h"
#include "tachyon/backends/verilog.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/ir/graph.h"
#include "tachyon/support/npy.h"
#include "tachyon/support/output_dir.h"

namespace vtest {

using namespace tachyon;
using ir::Op;
using ir::ValueId;

using ::tachyon::testing::TempDir;

// The shared builder (tests/support/graph_builder.h) with these tests' argument order: the
// node's internal types right after its output type (attributes set on last()).
struct GraphBuilder : ::tachyon::testing::GraphBuilder {
  using ::tachyon::testing::GraphBuilder::GraphBuilder;
  ValueId node(Op op, const std::string& name, std::vector<ValueId> ins, ir::Shape out_shape, const FixedType& out_t,
               std::map<std::string, FixedType> types = {}) {
    return ::tachyon::testing::GraphBuilder::node(op, name, std::move(ins), std::move(out_shape), out_t, {}, std::move(types));
  }
  void output(ValueId v, const std::string& name = "y") { ::tachyon::testing::GraphBuilder::output(v, name); }
};

// Random tensor with values on the grid of t (a few values outside its range when wide).
inline ir::Tensor random_tensor(ir::Shape shape, const FixedType& t, std::mt19937& rng, double zero_fraction = 0.2) {
  int64_t n = ir::num_elements(shape);
  std::vector<double> d;
  std::uniform_real_distribution<double> u(t.min_value(), t.max_value());
  std::uniform_real_distribution<double> z(0, 1);
  for (int64_t i = 0; i < n; ++i) d.push_back(z(rng) < zero_fraction ? 0.0 : u(rng));
  return ir::Tensor(shape, d);
}

// n samples of the graph's single input, uniform over the input type's range (plus some
// values beyond it, which the float -> fixed conversion wraps or saturates).
inline NdArray random_inputs(const ir::Graph& g, int64_t n, std::mt19937& rng, double spread = 1.2) {
  const ir::IoPort& p = g.inputs.at(0);
  const FixedType& t = *g.value(p.value).type;
  NdArray a;
  a.shape = {n};
  a.shape.insert(a.shape.end(), p.user_shape.begin(), p.user_shape.end());
  std::uniform_real_distribution<double> u(t.min_value() * spread, t.max_value() * spread + t.lsb());
  for (int64_t i = 0; i < a.num_elements(); ++i) a.data.push_back(u(rng));
  return a;
}

// Conv1D on x[9, 2] -> 3 filters, kernel 3, stride 2, pads 1/1, with bias: returns y[5, 3]
// (b.last() is the Conv node).
inline ValueId conv1d_stride2_pad1(GraphBuilder& b, std::mt19937& rng, const FixedType& xt, const FixedType& wt) {
  ValueId x = b.input("x", {9, 2}, xt);
  ValueId w = b.constant("w", random_tensor({3, 2, 3}, wt, rng), wt);
  ValueId bi = b.constant("b", random_tensor({3}, wt, rng), wt);
  ValueId y = b.node(Op::Conv, "conv", {x, w, bi}, {5, 3}, FixedType::parse("ap_fixed<10,4,AP_RND,AP_SAT>"),
                     {{"accum", FixedType::parse("ap_fixed<16,6>")}});
  b.last().attrs.set("strides", std::vector<int64_t>{2});
  b.last().attrs.set("pads", std::vector<int64_t>{1, 1});
  return y;
}

// Writes the project, simulates `x` and compares with the emulator bit for bit (values of
// types up to 53 bits are exact doubles). Returns the manifest's latency.
inline int expect_rtl_matches_emulator(const ir::Graph& g, const NdArray& x, const TempDir& tmp, const std::string& name,
                                        double period = 5.0, nlohmann::json extra = nlohmann::json::object()) {
  backends::BackendOptions o;
  o.output_dir = tmp.sub(name);
  o.project_name = name;
  o.clock_period_ns = period;
  o.force = true;
  o.extra = std::move(extra);
  if (!o.extra.contains("simulator")) o.extra["simulator"] = "icarus";
  backends::verilog::write_project(g, o);
  std::string in = tmp.sub(name + "_in.npy"), out = tmp.sub(name + "_out.npy");
  write_npy(in, x);
  backends::verilog::simulate_npy(o.output_dir, in, out);
  NdArray rtl = read_npy(out);
  emulator::Emulator emu(g);
  NdArray ref = emu.predict({x}).at(0);
  EXPECT_EQ(rtl.shape, ref.shape);
  int64_t bad = 0;
  for (size_t i = 0; i < ref.data.size() && i < rtl.data.size(); ++i)
    if (!(rtl.data[i] == ref.data[i])) {
      if (bad < 10) ADD_FAILURE() << name << ": element " << i << " rtl " << rtl.data[i] << " emulator " << ref.data[i];
      ++bad;
    }
  EXPECT_EQ(bad, 0) << name << ": mismatching elements";
  nlohmann::json m = nlohmann::json::parse(read_file(std::filesystem::path(o.output_dir) / "tachyon_project.json"));
  return m.at("latency_cycles").get<int>();
}

}  // namespace vtest
