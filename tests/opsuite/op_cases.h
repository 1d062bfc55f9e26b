// The op suite: one small typed graph per op (or op variant), run on every executor
// (tests/support/executors.h) and compared bit for bit with the emulator. Adding an op case:
// docs/testing.md ("The op suite").
#pragma once

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "support/executors.h"
#include "support/graph_builder.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/support/npy.h"

namespace tachyon::opsuite {

struct OpCase {
  std::string name;  // a C identifier (it prefixes node names in the batched projects)
  ir::Op op;         // the op under test
  // Adds the case's inputs, nodes and outputs (names relative to b.prefix); rng draws its
  // weights (seeded from the name: every build of a case gives the same graph).
  std::function<void(testing::GraphBuilder& b, std::mt19937_64& rng)> build;
};

const std::vector<OpCase>& op_cases();

// An executor that cannot run a case, and why. OpSuiteExclusions.StillNeeded checks that the
// executor really rejects the case with a tachyon::Error, so the list cannot go stale.
struct Exclusion {
  std::string case_name;
  testing::Executor executor;
  std::string reason;
};
const std::vector<Exclusion>& exclusions();
const Exclusion* find_exclusion(const std::string& case_name, testing::Executor e);

// Where one case's ports are in a graph built from several cases.
struct CaseSpan {
  size_t first_input, input_count, first_output, output_count;
};
// One graph holding the given cases side by side (disjoint subgraphs; inputs and outputs in
// case order); names are prefixed with "<case>_" when prefix_names.
ir::Graph build_cases(const std::vector<const OpCase*>& cases, const std::string& graph_name, bool prefix_names,
                      std::vector<CaseSpan>* spans = nullptr);

uint64_t seed_of(const std::string& name);

// n samples of `shape` for an input of type t: values on t's grid over its whole range, its
// extremes and +-LSB, exact half-LSB ties, values between grid points (rounded by the input
// conversion) and values beyond the range (saturated or wrapped by it).
NdArray edge_inputs(const ir::Shape& shape, const FixedType& t, int64_t n, uint64_t seed);

}  // namespace tachyon::opsuite
