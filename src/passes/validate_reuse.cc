// validate_reuse: the ReuseFactor R of a Dense or Conv with n_in inputs and n_out outputs per
// output position (Conv: n_in = kernel size x input channels per group, n_out = output
// channels) must divide n_in * n_out (so n_in * n_out / R multipliers each do R
// multiplications) and be at most n_in * n_out. Every invalid R is reported with the valid
// values near it when it comes from LayerName; a Model or LayerType value is a target, as in
// hls4ml (FPGABackend.set_closest_reuse_factor): the nearest valid value is used (the smaller
// one on a tie) with a warning. Other layers accept any ReuseFactor >= 1 (it does not change
// them).
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "passes/detail/util.h"
#include "tachyon/passes/pass.h"

namespace tachyon::passes {

namespace {

// Up to `count` divisors of n closest to r, ascending.
std::vector<int64_t> divisors_near(int64_t n, int64_t r, size_t count) {
  std::vector<int64_t> d;
  for (int64_t i = 1; i * i <= n; ++i)
    if (n % i == 0) {
      d.push_back(i);
      if (i != n / i) d.push_back(n / i);
    }
  std::sort(d.begin(), d.end(), [&](int64_t a, int64_t b) {
    int64_t da = std::llabs(a - r), db = std::llabs(b - r);
    return da != db ? da < db : a < b;
  });
  if (d.size() > count) d.resize(count);
  std::sort(d.begin(), d.end());
  return d;
}

// The valid value nearest to r (the smaller one on a tie).
int64_t closest_divisor(int64_t n, int64_t r) {
  std::vector<int64_t> d = divisors_near(n, r, 1);
  return d.empty() ? 1 : d.front();
}

}  // namespace

bool validate_reuse(ir::Graph& g, PassContext& ctx) {
  Diagnostics diags(g.source_file);
  for (ir::NodeId id : g.node_ids()) {
    ir::Node& n = g.node(id);
    if (n.op != ir::Op::Dense && n.op != ir::Op::Conv) continue;
    const ir::Shape& w = g.value(n.inputs.at(1)).shape;
    if (w.size() < 2) continue;
    const int64_t n_out = w.back();
    const int64_t n_in = ir::num_elements(w) / n_out;
    const int64_t total = n_in * n_out;
    const int64_t r = n.config.reuse_factor;
    if (r >= 1 && r <= total && total % r == 0) continue;
    if (!n.config.reuse_named) {
      const int64_t c = closest_divisor(total, r);
      std::ostream& log = ctx.log ? *ctx.log : std::cerr;
      log << fmt::format("warning: ReuseFactor {} is not valid for layer '{}' ({}x{}); using {} (the nearest divisor of {})\n", r,
                         n.name, n_in, n_out, c, total);
      n.config.reuse_factor = static_cast<int>(c);
      continue;
    }
    std::vector<int64_t> near = divisors_near(total, r, 8);
    std::string list;
    for (int64_t v : near) list += (list.empty() ? "" : ", ") + std::to_string(v);
    const bool more = near.size() == 8;
    diags.add(detail::node_diag(
        g, n,
        fmt::format("ReuseFactor {} is not valid for layer '{}' ({}x{}): valid values are {}{} (divisors of {} = {}x{})", r,
                    n.name, n_in, n_out, list, more ? ", ..." : "", total, n_in, n_out)));
  }
  diags.throw_if_any();
  return false;
}

}  // namespace tachyon::passes
