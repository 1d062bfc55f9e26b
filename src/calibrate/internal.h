// Shared helpers of the calibrate library (not a public interface).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "tachyon/calibrate/calibrate.h"
#include "tachyon/ir/graph.h"
#include "tachyon/support/npy.h"

namespace tachyon::calibrate::detail {

// Running min/max, count and a fixed-seed reservoir sample of the values (for percentiles).
struct RangeAcc {
  static constexpr size_t kSample = 4096;
  double mn = std::numeric_limits<double>::infinity(), mx = -std::numeric_limits<double>::infinity();
  int64_t n = 0;
  uint64_t rng = 0x5eed;
  std::vector<double> sample;
  void add(double v);
  void merge_into(Range& r) const;
};

// The graph with every data-path type given `extra` more integer bits (same fractional bits).
ir::Graph widen(const ir::Graph& g, int extra);

// The inputs with a batch axis (checked against the graph); *n = the number of samples.
std::vector<NdArray> batch_inputs(const ir::Graph& g, const std::vector<NdArray>& inputs, int64_t* n);
// Rows [begin, end) of every input.
std::vector<NdArray> slice(const std::vector<NdArray>& in, int64_t begin, int64_t end);

}  // namespace tachyon::calibrate::detail
