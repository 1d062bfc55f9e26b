// Helpers of the tree tests: temporary files, a float reference evaluation of the IR, and
// running the emulator's TreeEnsemble kernel on given inputs.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tachyon/emulator/kernel_api.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/frontends/trees.h"
#include "tachyon/ir/trees.h"
#include "tachyon/support/error.h"

namespace tachyon::trees_test {

namespace fs = std::filesystem;

// A per-process scratch folder, removed when the process exits.
struct TempDir {
  fs::path path;
  TempDir() : path(fs::temp_directory_path() / ("tachyon_trees_test_" + std::to_string(::getpid()))) {
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
inline const fs::path& temp_dir() {
  static TempDir d;
  return d.path;
}

inline std::string write_temp(const std::string& name, const std::string& content) {
  fs::path p = temp_dir() / name;
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

inline const ir::TreeEnsembleData& trees_of(const ir::Graph& g) {
  auto ids = g.node_ids();
  EXPECT_EQ(ids.size(), 1u);
  const ir::Node& n = g.node(ids.at(0));
  EXPECT_EQ(n.op, ir::Op::TreeEnsemble);
  EXPECT_TRUE(n.trees != nullptr);
  return *n.trees;
}

// Float evaluation of the IR (double arithmetic): raw scores.
inline std::vector<double> eval_float(const ir::TreeEnsembleData& d, const std::vector<double>& x) {
  std::vector<double> s(d.base_score.begin(), d.base_score.end());
  for (const ir::Tree& t : d.trees) {
    int32_t i = 0;
    while (!t.nodes[static_cast<size_t>(i)].is_leaf()) {
      const ir::TreeNode& n = t.nodes[static_cast<size_t>(i)];
      double v = x.at(static_cast<size_t>(n.feature));
      bool left = d.compare == ir::TreeCompare::Less ? v < n.threshold : v <= n.threshold;
      i = left ? n.left : n.right;
    }
    s.at(static_cast<size_t>(t.class_id)) += t.nodes[static_cast<size_t>(i)].value;
  }
  return s;
}

// A graph around `d` typed for the kernel.
inline ir::Graph typed_graph(const ir::TreeEnsembleData& d, const FixedType& x_t, const FixedType& score_t,
                             const FixedType* thr_t = nullptr) {
  ir::Graph g;
  g.name = "trees";
  g.source_file = "test.json";
  ir::ValueId x = g.add_value("x", {d.n_features}, x_t);
  ir::ValueId y = g.add_value("y", {d.n_outputs}, score_t);
  ir::NodeId n = g.add_node(ir::Op::TreeEnsemble, "bdt", {x}, {y});
  g.node(n).trees = std::make_shared<ir::TreeEnsembleData>(d);
  g.node(n).config.types["score"] = score_t;
  if (thr_t) g.node(n).config.types["threshold"] = *thr_t;
  g.inputs.push_back({x, "x", {d.n_features}, {}});
  g.outputs.push_back({y, "y", {d.n_outputs}, {}});
  return g;
}

struct KernelRun {
  std::vector<std::vector<Fixed>> out;  // per sample, per output
  std::string flavour;
  std::vector<emulator::LayerStats> build_stats;
};

// Runs the TreeEnsemble kernel; inputs are doubles converted to the input type first.
inline KernelRun run_kernel(const ir::Graph& g, const std::vector<std::vector<double>>& xs, bool general = false) {
  ir::NodeId nid = g.node_ids().at(0);
  emulator::KernelContext ctx{g, nid, general};
  std::unique_ptr<emulator::Kernel> k = emulator::make_kernel(ctx);
  emulator::ValueLayout layout;
  for (size_t v = 0; v < g.num_values(); ++v) {
    const ir::Value& val = g.value(static_cast<ir::ValueId>(v));
    FixedType t = val.type.value_or(FixedType{});
    layout.type.push_back(t);
    layout.fast.push_back(emulator::is_fast_type(t) ? 1 : 0);
    layout.size.push_back(ir::num_elements(val.shape));
  }
  emulator::Workspace ws(&layout, k->scratch_size());
  const ir::Node& node = g.node(nid);
  ir::ValueId x = node.inputs[0], y = node.outputs[0];
  KernelRun r;
  r.flavour = k->flavour();
  r.build_stats = k->build_stats();
  for (const auto& row : xs) {
    for (size_t f = 0; f < row.size(); ++f) ws.set(x, static_cast<int64_t>(f), Fixed::from_double(row[f], *g.value(x).type));
    k->run(ws, nullptr);
    std::vector<Fixed> o;
    for (int64_t c = 0; c < ws.size(y); ++c) o.push_back(ws.get(y, c));
    r.out.push_back(std::move(o));
  }
  return r;
}

// Expects load_trees(path) to throw a tachyon::Error whose message contains every needle.
inline void expect_load_error(const std::string& path, const std::vector<std::string>& needles) {
  try {
    frontends::load_trees(path);
    ADD_FAILURE() << path << ": expected an error containing '" << (needles.empty() ? "" : needles[0]) << "'";
  } catch (const Error& e) {
    std::string msg = e.what();
    for (const std::string& n : needles) EXPECT_NE(msg.find(n), std::string::npos) << "message: " << msg << "\nmissing: " << n;
  } catch (const std::exception& e) {
    ADD_FAILURE() << path << ": threw a non-tachyon exception: " << e.what();
  }
}

}  // namespace tachyon::trees_test
