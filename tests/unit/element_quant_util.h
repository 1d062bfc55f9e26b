// Shared by the ElementQuant tests (emulator, HLS, Verilog): per-element types, a reference
// written from the definition, graph building and inputs.
//
// Reference, per element with B bits, I integer bits, f = B - I: q = floor(x * 2^f) (AP_TRN)
// or floor(x * 2^f + 1/2) (AP_RND); AP_WRAP keeps q modulo 2^B (read as signed for signed
// elements), AP_SAT clamps q to the element's code range; y = q * 2^-f; B = 0 gives 0.
#pragma once

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tachyon/fixed/fixed.h"
#include "tachyon/ir/element_quant.h"
#include "tachyon/ir/graph.h"
#include "tachyon/support/npy.h"

namespace tachyon::eq_testing {

struct Elem {
  int k, b, i;  // keep_negative, bits, integers
};

// Signed / unsigned, pruned, negative integer bits, integer bits above the width, one-bit
// types, 0 integer bits.
inline const std::vector<Elem> kMixed = {{1, 4, 2}, {0, 3, -1}, {1, 0, 3}, {0, 5, 7},
                                         {1, 1, 1}, {1, 6, 0},  {0, 1, 0}, {1, 7, 9}};

// The element's code after rounding (before the overflow step); x must be exact in double
// after scaling (a coarse grid, small |B - I|).
inline double rounded_code(double x, const Elem& e, bool rnd) {
  const double v = std::ldexp(x, e.b - e.i);
  return rnd ? std::floor(v + 0.5) : std::floor(v);
}
inline double code_lo(const Elem& e) { return e.k ? -std::ldexp(1.0, e.b - 1) : 0.0; }
inline double code_hi(const Elem& e) { return e.k ? std::ldexp(1.0, e.b - 1) - 1 : std::ldexp(1.0, e.b) - 1; }
inline bool overflows(double x, const Elem& e, bool rnd) {
  const double q = rounded_code(x, e, rnd);
  return e.b > 0 && (q < code_lo(e) || q > code_hi(e));
}

inline double reference(double x, const Elem& e, bool rnd, bool sat) {
  if (e.b == 0) return 0.0;
  double q = rounded_code(x, e, rnd);
  if (sat) {
    q = std::min(std::max(q, code_lo(e)), code_hi(e));
  } else {
    const double m = std::ldexp(1.0, e.b);
    q = q - m * std::floor(q / m);      // 0 .. 2^B - 1
    if (e.k && q > code_hi(e)) q -= m;  // signed reading
  }
  return std::ldexp(q, e.i - e.b);
}

// Adds y = ElementQuant(x) with constants of shape `cshape` (element j of `es` at flat index
// j), the output typed with the container. Returns y.
inline ir::ValueId add_element_quant(ir::Graph& g, ir::ValueId x, const std::string& name, const std::vector<Elem>& es,
                                     const std::string& rounding, const std::string& overflow, ir::Shape cshape) {
  std::vector<double> k, b, i;
  for (const Elem& e : es) {
    k.push_back(e.k);
    b.push_back(e.b);
    i.push_back(e.i);
  }
  const FixedType ct = fixed_type(8, 8);
  ir::ValueId kc = g.add_constant(name + "_k", ir::Tensor(cshape, k), ct);
  ir::ValueId bc = g.add_constant(name + "_b", ir::Tensor(cshape, b), ct);
  ir::ValueId ic = g.add_constant(name + "_i", ir::Tensor(cshape, i), ct);
  ir::ValueId y = g.add_value(name + "_out", g.value(x).shape);
  ir::NodeId id = g.add_node(ir::Op::ElementQuant, name, {x, kc, bc, ic}, {y});
  g.node(id).attrs.set("rounding", rounding);
  g.node(id).attrs.set("overflow", overflow);
  g.value(y).type = ir::element_quant_container(g, g.node(id));
  return y;
}

// n samples of shape `sample` with values on t's grid within [lo, hi] (exact doubles), the first 16
// values exact ties of the 2^-6 and 2^-4 grids of both signs.
inline NdArray grid_inputs(int64_t n, const ir::Shape& sample, const FixedType& t, double lo, double hi, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  ir::Shape shape{n};
  shape.insert(shape.end(), sample.begin(), sample.end());
  NdArray a{shape, std::vector<double>(static_cast<size_t>(n * ir::num_elements(sample)))};
  for (size_t j = 0; j < a.data.size(); ++j) {
    a.data[j] = Fixed::from_double(u(rng), t).to_double();
    if (j < 16) a.data[j] = (j % 2 ? -1.0 : 1.0) * std::ldexp(static_cast<double>(2 * j + 1), j < 8 ? -7 : -5);
  }
  return a;
}

}  // namespace tachyon::eq_testing
