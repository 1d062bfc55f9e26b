// Helpers for the emulator tests: small typed graphs built by hand (the shared builder), and
// running them on both kernel flavours (fast and general).
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "support/graph_builder.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/ir/graph.h"
#include "tachyon/support/error.h"

namespace tachyon::emulator::testing {

// The graph builder shared by every hand-built-graph test (tests/support/graph_builder.h).
using ::tachyon::testing::attrs;
using ::tachyon::testing::GraphBuilder;
using ::tachyon::testing::T;

// Random doubles in [lo, hi).
inline std::vector<double> uniform(std::mt19937_64& rng, size_t n, double lo, double hi) {
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

// Random values that are exactly representable in t (a few zeros included), within [lo, hi].
inline std::vector<double> on_grid(std::mt19937_64& rng, size_t n, const FixedType& t, double lo, double hi) {
  std::vector<double> v = uniform(rng, n, lo, hi);
  for (size_t i = 0; i < n; ++i) v[i] = i % 7 == 3 ? 0.0 : Fixed::from_double(v[i], t).to_double();
  return v;
}

inline std::vector<double> to_doubles(const std::vector<Fixed>& v) {
  std::vector<double> r;
  for (const Fixed& f : v) r.push_back(f.to_double());
  return r;
}

// Runs the graph with the fast kernels and with the general ones; both must give `expected`
// bit for bit (as doubles, exact for the types used in tests). Returns the fast result.
inline std::vector<NdArray> run_both(const ir::Graph& g, const std::vector<NdArray>& inputs,
                                     const std::vector<std::vector<double>>& expected, const std::string& what = "") {
  std::vector<NdArray> fast;
  // Fast kernels without and with statistics (different inner loops), then the general ones.
  for (int variant = 0; variant < 3; ++variant) {
    bool general = variant == 2;
    Emulator emu(g, EmulatorOptions{general});
    std::vector<NdArray> out = emu.predict(inputs, RunOptions{1, variant != 0});
    EXPECT_EQ(out.size(), expected.size()) << what;
    for (size_t i = 0; i < out.size() && i < expected.size(); ++i) {
      EXPECT_EQ(out[i].data.size(), expected[i].size()) << what;
      size_t bad = 0;
      for (size_t k = 0; k < expected[i].size() && k < out[i].data.size(); ++k) {
        if (out[i].data[k] != expected[i][k] && bad++ < 5)
          ADD_FAILURE() << what << (general ? " [general]" : variant ? " [fast+stats]" : " [fast]") << " output " << i << " element " << k
                        << ": got " << out[i].data[k] << ", expected " << expected[i][k];
      }
      EXPECT_EQ(bad, 0u) << what << (general ? " [general]" : variant ? " [fast+stats]" : " [fast]") << ": " << bad << " elements differ";
    }
    if (variant == 0) fast = std::move(out);
  }
  return fast;
}

inline std::string kernel_flavour(const ir::Graph& g, const std::string& node, bool force_general = false) {
  Emulator emu(g, EmulatorOptions{force_general});
  return emu.kernel_flavours().at(node);
}

}  // namespace tachyon::emulator::testing
