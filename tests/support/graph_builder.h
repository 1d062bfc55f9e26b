// Shared by the tests that build typed IR graphs by hand (emulator, HLS, Verilog, op suite):
// a node-at-a-time graph builder, attribute lists, and temporary folders.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tachyon/fixed/fixed_type.h"
#include "tachyon/ir/graph.h"

namespace tachyon::testing {

inline FixedType T(const std::string& s) { return FixedType::parse(s); }

inline ir::Attrs attrs(std::initializer_list<std::pair<std::string, ir::AttrValue>> kv) {
  ir::Attrs a;
  for (auto& [k, v] : kv) a.set(k, v);
  return a;
}

// Builds a typed graph one node at a time. Every name given to input(), constant(), node()
// and output() gets `prefix` in front (the op suite puts several cases into one graph).
struct GraphBuilder {
  ir::Graph g;
  std::string prefix;

  explicit GraphBuilder(const std::string& name = "test_model") { g.name = name; }
  ir::ValueId input(const std::string& name, ir::Shape shape, const FixedType& t, ir::Shape user_shape = {},
                    std::vector<int64_t> perm = {}) {
    ir::ValueId v = g.add_value(prefix + name, shape, t);
    g.inputs.push_back({v, prefix + name, user_shape.empty() ? shape : user_shape, std::move(perm)});
    return v;
  }
  ir::ValueId constant(const std::string& name, ir::Tensor t, const FixedType& type) {
    return g.add_constant(prefix + name, std::move(t), type);
  }
  ir::ValueId constant(const std::string& name, ir::Shape shape, std::vector<double> data, const FixedType& type) {
    return constant(name, ir::Tensor(std::move(shape), std::move(data)), type);
  }
  // Adds a node with one output of the given shape and type; returns the output value.
  ir::ValueId node(ir::Op op, const std::string& name, std::vector<ir::ValueId> ins, ir::Shape out_shape, const FixedType& t,
                   ir::Attrs attrs = {}, std::map<std::string, FixedType> types = {}) {
    ir::ValueId y = g.add_value(prefix + name + "_out", std::move(out_shape), t);
    ir::NodeId n = g.add_node(op, prefix + name, std::move(ins), {y});
    g.node(n).attrs = std::move(attrs);
    g.node(n).config.types = std::move(types);
    return y;
  }
  ir::Node& last() { return g.node(static_cast<ir::NodeId>(g.num_nodes_total() - 1)); }
  void output(ir::ValueId v, const std::string& name = "y", ir::Shape user_shape = {}, std::vector<int64_t> perm = {}) {
    g.outputs.push_back({v, prefix + name, user_shape.empty() ? g.value(v).shape : user_shape, std::move(perm)});
  }
};

// A temporary folder removed at the end of its scope (kept when TACHYON_KEEP_TEST_DIRS is set).
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    path_ = std::filesystem::temp_directory_path() / ("tachyon_test_" + std::to_string(getpid()) + "_" + name);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    if (!std::getenv("TACHYON_KEEP_TEST_DIRS")) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string sub(const std::string& s) const { return (path_ / s).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace tachyon::testing
