// Helpers of the Verilog backend tests: typed IR graphs built by hand, temporary project
// folders, RTL-vs-emulator comparison.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

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

// A temporary folder removed at the end of the test (kept when TACHYON_KEEP_TEST_DIRS is set).
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    path_ = std::filesystem::temp_directory_path() /
            ("tachyon_vtest_" + std::to_string(getpid()) + "_" + name);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    if (!std::getenv("TACHYON_KEEP_TEST_DIRS")) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  std::string sub(const std::string& s) const { return (path_ / s).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Builds typed graphs.
struct GraphBuilder {
  ir::Graph g;
  explicit GraphBuilder(const std::string& name) { g.name = name; }
  ValueId input(const std::string& name, ir::Shape shape, const FixedType& t) {
    ValueId v = g.add_value(name, shape, t);
    g.inputs.push_back({v, name, shape, {}});
    return v;
  }
  ValueId constant(const std::string& name, ir::Tensor t, const FixedType& type) { return g.add_constant(name, std::move(t), type); }
  ValueId node(Op op, const std::string& name, std::vector<ValueId> ins, ir::Shape out_shape, const FixedType& out_t,
               std::map<std::string, FixedType> types = {}) {
    ValueId y = g.add_value(name + "_out", out_shape, out_t);
    ir::NodeId n = g.add_node(op, name, std::move(ins), {y});
    g.node(n).config.types = std::move(types);
    return y;
  }
  ir::Node& last() { return g.node(static_cast<ir::NodeId>(g.num_nodes_total() - 1)); }
  void output(ValueId v, const std::string& name) { g.outputs.push_back({v, name, g.value(v).shape, {}}); }
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
