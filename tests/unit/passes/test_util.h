// Helpers for the pass tests: run passes with the verifier between them, find nodes, count ops.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tachyon/ir/graph.h"
#include "tachyon/ir/printer.h"
#include "tachyon/ir/verifier.h"
#include "tachyon/passes/pipeline.h"
#include "tachyon/support/error.h"

namespace tachyon::testing {

// Runs the named passes in order; ir::verify (Structure level) after each.
inline void run_passes(ir::Graph& g, const std::vector<std::string>& names,
                       passes::PassContext ctx = passes::PassContext{}) {
  for (const std::string& n : names) {
    const passes::Pass* p = passes::find_pass(n);
    ASSERT_NE(p, nullptr) << "no pass " << n;
    p->run(g, ctx);
    ASSERT_NO_THROW(ir::verify(g)) << "after " << n << ":\n" << ir::print_graph(g);
  }
}

// The whole default pipeline, verifying between passes (Typed at the end).
inline void run_all(ir::Graph& g, passes::PassContext ctx = passes::PassContext{}) {
  for (const passes::Pass& p : passes::default_pipeline()) {
    p.run(g, ctx);
    ir::verify(g);
  }
  ir::verify(g, ir::VerifyLevel::Typed);
}

inline const ir::Node& node(const ir::Graph& g, const std::string& name) {
  auto id = g.find_node(name);
  if (!id) throw Error("test: no node " + name + " in\n" + ir::print_graph(g));
  return g.node(*id);
}

inline int count_ops(const ir::Graph& g, ir::Op op) {
  int c = 0;
  for (ir::NodeId id : g.node_ids()) c += g.node(id).op == op;
  return c;
}

inline std::vector<ir::Op> op_sequence(const ir::Graph& g) {
  std::vector<ir::Op> ops;
  for (ir::NodeId id : g.node_ids()) ops.push_back(g.node(id).op);
  return ops;
}

// The message of the tachyon::Error that f throws ("" when it does not throw).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

inline std::vector<double> random_values(size_t n, double lo, double hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

// x[..., in] @ W(in, out) + b, in double (reference for Dense-producing passes).
inline std::vector<double> dense_ref(const std::vector<double>& x, const ir::Tensor& w, const ir::Tensor* b) {
  const int64_t in = w.shape[0], out = w.shape[1];
  const int64_t rows = static_cast<int64_t>(x.size()) / in;
  std::vector<double> y(static_cast<size_t>(rows * out), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < out; ++j) {
      double acc = b ? b->data[static_cast<size_t>(j)] : 0.0;
      for (int64_t i = 0; i < in; ++i)
        acc += x[static_cast<size_t>(r * in + i)] * w.data[static_cast<size_t>(i * out + j)];
      y[static_cast<size_t>(r * out + j)] = acc;
    }
  return y;
}

}  // namespace tachyon::testing
