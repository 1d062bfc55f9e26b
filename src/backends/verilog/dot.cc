// Constant-weight dot products: multiple-constant multiplication, accumulation modes.
#include "tachyon/backends/verilog/dot.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <queue>
#include <tuple>

#include "tachyon/backends/verilog/cmvm.h"
#include "tachyon/backends/verilog/mcm.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::verilog {

namespace {

int depth_of(const Dfg& g, DNode n, std::vector<int>& depth) {
  if (static_cast<size_t>(n) < depth.size() && depth[static_cast<size_t>(n)] >= 0) return depth[static_cast<size_t>(n)];
  if (depth.size() < g.size()) depth.resize(g.size(), -1);
  // Iterative post-order (graphs can be deep: sequential chains).
  std::vector<DNode> stack{n};
  while (!stack.empty()) {
    DNode t = stack.back();
    const DfgNode& nd = g.node(t);
    bool ready = true;
    for (DNode a : nd.args)
      if (depth[static_cast<size_t>(a)] < 0) {
        stack.push_back(a);
        ready = false;
      }
    if (!ready) continue;
    stack.pop_back();
    int d = 0;
    for (DNode a : nd.args) d = std::max(d, depth[static_cast<size_t>(a)]);
    bool logic = nd.kind != DKind::Input && nd.kind != DKind::Const && nd.kind != DKind::Shr &&
                 nd.kind != DKind::Wrap && nd.kind != DKind::IsNeg;
    depth[static_cast<size_t>(t)] = d + (logic ? 1 : 0);
  }
  return depth[static_cast<size_t>(n)];
}

int trailing_zeros(const BigInt& v) {
  if (v.is_zero()) return 0;
  int k = 0;
  while (!v.bit(k)) ++k;
  return k;
}

// A product x * w as shifted terms of DFG nodes (sum = x_code * w_code exactly).
struct Product {
  std::vector<STerm> terms;
  int frac = 0;       // fraction bits of x_code * w_code
  int min_shift = 0;  // smallest term shift: the product is a multiple of 2^min_shift
  BigInt lo, hi;      // interval of x_code * w_code
};


BigInt shift_code(const BigInt& v, int s) { return s >= 0 ? v.shl(s) : v.shr(-s); }

// The outputs of L that sum exactly, or modulo 2^W with every product on accum_t's grid, as
// one constant matrix-vector multiplication over a common grid G (the finest of the products
// and biases); their nodes go to outs. Returns the indices of the other outputs.
std::vector<size_t> emit_cmvm_outputs(Dfg& g, const DotLayer& L, std::vector<DNode>& outs, DotStats& st,
                                      std::vector<int>& depth) {
  const FixedType& A = L.accum;
  const int Fa = A.frac_bits();
  BigInt kmin = code_min(A), kmax = code_max(A);
  if (A.overflow == Overflow::SAT_SYM && A.is_signed && A.width > 1) kmin += BigInt(1);
  bool modular = A.overflow == Overflow::WRAP && A.sat_bits == 0;
  std::vector<size_t> rest, mine;
  std::vector<bool> exact_of(L.outputs.size(), false);
  int G = -(1 << 30);
  for (size_t j = 0; j < L.outputs.size(); ++j) {
    const DotProduct& dp = L.outputs[j];
    bool on_grid = true;
    BigInt pos = dp.bias.is_negative() ? BigInt(0) : dp.bias, negs = dp.bias.is_negative() ? dp.bias : BigInt(0);
    for (const DotTerm& t : dp.terms) {
      if (t.w.is_zero()) continue;
      int drop = t.x.frac + L.wfrac - Fa;  // bits below accum_t's LSB
      if (drop > trailing_zeros(t.w)) {
        on_grid = false;
        break;
      }
      const DfgNode& x = g.node(t.x.node);
      BigInt a = shift_code(x.lo * t.w, -drop), b = shift_code(x.hi * t.w, -drop);
      BigInt lo = std::min(a, b), hi = std::max(a, b);
      if (hi.sign() > 0) pos += hi;
      if (lo.sign() < 0) negs += lo;
    }
    bool exact = on_grid && pos <= kmax && negs >= kmin;
    if (!exact && !(on_grid && modular)) {
      rest.push_back(j);
      continue;
    }
    exact_of[j] = exact;
    mine.push_back(j);
    for (const DotTerm& t : dp.terms)
      if (!t.w.is_zero()) G = std::max(G, t.x.frac + L.wfrac);
    if (!dp.bias.is_zero()) G = std::max(G, Fa - trailing_zeros(dp.bias));
  }
  if (mine.empty()) return rest;
  if (G == -(1 << 30)) G = Fa;
  // Inputs: the distinct non-constant signals, with their exact code intervals.
  std::map<DNode, int> index;
  std::vector<DNode> src;
  std::vector<CmvmSource> inputs;
  std::vector<std::vector<CmvmTerm>> terms(mine.size());
  std::vector<BigInt> consts(mine.size());
  for (size_t m = 0; m < mine.size(); ++m) {
    const DotProduct& dp = L.outputs[mine[m]];
    consts[m] = shift_code(dp.bias, G - Fa);
    for (const DotTerm& t : dp.terms) {
      if (t.w.is_zero()) continue;
      int sh = G - t.x.frac - L.wfrac;
      // A left-shifted signal (e.g. an element of a narrower fixed-point type aligned to its
      // tensor's grid) enters as its unshifted operand: the shift moves into the terms.
      DNode xn = t.x.node;
      while (g.node(xn).kind == DKind::Add && g.is_const(g.node(xn).args[1]) && g.node(g.node(xn).args[1]).value.is_zero()) {
        sh += g.node(xn).sa;
        xn = g.node(xn).args[0];
      }
      const DfgNode& x = g.node(xn);
      if (g.is_const(xn)) {
        consts[m] += (x.value * t.w).shl(sh);
        continue;
      }
      auto [it, fresh] = index.emplace(xn, static_cast<int>(src.size()));
      if (fresh) {
        src.push_back(xn);
        inputs.push_back(CmvmSource{x.lo, x.hi, 0});
      }
      append_csd_terms(it->second, t.w, sh, terms[m]);
    }
    int digits = dp.bias.is_zero() ? 0 : 1;
    for (const DotTerm& t : dp.terms) digits += csd_nonzeros(t.w);
    st.csd_adders += std::max(0, digits - 1);
  }
  // The depth bound counts the bias the final sum adds as one more term.
  CmvmOptions co{true, L.depth_slack, L.depth_arity, {}};
  for (const BigInt& c : consts) co.extra_terms.push_back(c.is_zero() ? 0 : 1);
  CmvmResult r = cmvm(inputs, std::move(terms), co);
  st.mcm_adders += static_cast<int>(r.adders.size());
  for (size_t k = 0; k < r.adders.size(); ++k) {
    const CmvmAdder& a = r.adders[k];
    src.push_back(g.add(src.at(static_cast<size_t>(a.a)), 0, src.at(static_cast<size_t>(a.b)), a.shift_b, a.sub,
                        fmt::format("{}_c{}", L.name, k)));
  }
  for (size_t m = 0; m < mine.size(); ++m) {
    size_t j = mine[m];
    std::string on = fmt::format("{}_o{}", L.name, j);
    std::vector<STerm> ts;
    for (const CmvmTerm& t : r.outputs[m]) ts.push_back({src.at(static_cast<size_t>(t.source)), t.shift, t.neg});
    if (!consts[m].is_zero()) ts.push_back({g.constant(consts[m]), 0, false});
    DNode s = sum_tree(g, ts, on, depth);
    DNode acc = s;
    if (exact_of[j]) {
      ++st.exact;
    } else {
      ++st.modular;
      int w = A.width - Fa + G;
      acc = w <= 0 ? g.constant(0) : g.wrap(s, w, A.is_signed, on + "_acc");
    }
    outs[j] = g.cast(acc, G, L.result, on);
  }
  st.cmvm_outputs += static_cast<int>(mine.size());
  return rest;
}

// Step 1 of emit_dot_layer: every distinct product x * w of the outputs in `rest`, grouped
// by input node, with multiple-constant multiplication per input (or a DSP multiplier).
std::map<std::pair<DNode, BigInt>, Product> build_products(Dfg& g, const DotLayer& L, const std::vector<size_t>& rest,
                                                            DotStats& st) {
  std::map<DNode, std::vector<BigInt>> by_input;
  std::map<DNode, int> input_frac;
  for (size_t j : rest)
    for (const DotTerm& t : L.outputs[j].terms) {
      if (t.w.is_zero()) continue;
      by_input[t.x.node].push_back(t.w);
      input_frac[t.x.node] = t.x.frac;
    }
  std::map<std::pair<DNode, BigInt>, Product> products;
  int input_index = 0;
  for (auto& [xn, ws] : by_input) {
    std::sort(ws.begin(), ws.end());
    ws.erase(std::unique(ws.begin(), ws.end()), ws.end());
    std::vector<BigInt> shared;
    const DfgNode& x = g.node(xn);
    BigInt xlo = x.lo, xhi = x.hi;
    const DNode xnode = xn;  // a lambda may not capture a structured binding (C++20 as clang 14 reads it)
    auto finish = [&](const BigInt& w, Product p) {
      p.frac = input_frac[xnode] + L.wfrac;
      BigInt a = xlo * w, b = xhi * w;
      p.lo = std::min(a, b);
      p.hi = std::max(a, b);
      p.min_shift = 1 << 30;
      for (const STerm& t : p.terms) p.min_shift = std::min(p.min_shift, t.shift);
      products[{xnode, w}] = std::move(p);
    };
    for (const BigInt& w : ws) {
      if (L.dsp && csd_nonzeros(w) > 2) {
        Product p;
        p.terms.push_back({g.mul(xn, g.constant(w), fmt::format("{}_x{}_dsp", L.name, input_index)), 0, false});
        finish(w, std::move(p));
        ++st.dsp_products;
      } else {
        shared.push_back(w);
      }
    }
    if (!shared.empty()) {
      McmResult r = mcm(shared, L.share);
      st.mcm_adders += r.adder_count();
      std::vector<DNode> src{xn};
      for (size_t k = 0; k < r.adders.size(); ++k) {
        const McmAdder& a = r.adders[k];
        DNode s1 = src.at(static_cast<size_t>(a.a.source)), s2 = src.at(static_cast<size_t>(a.b.source));
        src.push_back(g.add(s1, a.a.shift, s2, a.b.shift, a.b.negative, fmt::format("{}_x{}_m{}", L.name, input_index, k)));
      }
      for (size_t i = 0; i < shared.size(); ++i) {
        Product p;
        for (const McmTerm& t : r.terms[i]) p.terms.push_back({src.at(static_cast<size_t>(t.source)), t.shift, t.negative});
        finish(shared[i], std::move(p));
      }
    }
    ++input_index;
  }
  return products;
}

}  // namespace

DNode sum_tree(Dfg& g, std::vector<STerm> terms, const std::string& name, std::vector<int>& depth) {
  if (terms.empty()) return g.constant(0);
  using Item = std::tuple<int, int, STerm>;  // depth, sequence, term
  auto cmp = [](const Item& a, const Item& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) > std::tie(std::get<0>(b), std::get<1>(b));
  };
  std::priority_queue<Item, std::vector<Item>, decltype(cmp)> pq(cmp);
  int seq = 0;
  for (const STerm& t : terms) pq.push({depth_of(g, t.node, depth), seq++, t});
  int k = 0;
  const bool ternary = g.adder_arity() >= 3;
  auto pop = [&] {
    STerm t = std::get<2>(pq.top());
    pq.pop();
    return t;
  };
  while (pq.size() > 1) {
    // Ternary adders: each takes three terms and removes two, so with an even count one
    // two-input adder is needed; it goes first, on the shallowest terms.
    if (ternary && pq.size() % 2 == 1) {
      STerm t[3] = {pop(), pop(), pop()};
      int m = std::min({t[0].shift, t[1].shift, t[2].shift});
      int negs = t[0].neg + t[1].neg + t[2].neg;
      // Order: positive operands first (the adder's first operand is never subtracted); all
      // three negative: their sum, subtracted further up.
      std::stable_sort(std::begin(t), std::end(t), [&](const STerm& x, const STerm& y) {
        return negs < 3 && !x.neg && y.neg;
      });
      STerm r;
      r.shift = m;
      bool all_neg = negs == 3;
      r.node = g.add3(t[0].node, t[0].shift - m, t[1].node, t[1].shift - m, t[1].neg && !all_neg, t[2].node,
                      t[2].shift - m, t[2].neg && !all_neg, fmt::format("{}_a{}", name, k++));
      r.neg = all_neg;
      pq.push({depth_of(g, r.node, depth), seq++, r});
      continue;
    }
    STerm a = pop();
    STerm b = pop();
    int m = std::min(a.shift, b.shift);
    STerm r;
    r.shift = m;
    std::string nm = fmt::format("{}_a{}", name, k++);
    if (a.neg == b.neg) {
      r.node = g.add(a.node, a.shift - m, b.node, b.shift - m, false, nm);
      r.neg = a.neg;
    } else {
      const STerm& p = a.neg ? b : a;
      const STerm& q = a.neg ? a : b;
      r.node = g.add(p.node, p.shift - m, q.node, q.shift - m, true, nm);
      r.neg = false;
    }
    pq.push({depth_of(g, r.node, depth), seq++, r});
  }
  STerm r = std::get<2>(pq.top());
  DNode n = r.node;
  if (r.neg) n = g.neg(n, name + "_neg");
  return g.shl(n, r.shift, name + "_sh");
}

std::vector<DNode> emit_dot_layer(Dfg& g, const DotLayer& L, DotStats* stats) {
  DotStats st;
  std::vector<int> depth;
  std::vector<DNode> outs(L.outputs.size(), -1);
  // 0. Whole-layer CMVM for the outputs it can build; the rest below.
  std::vector<size_t> rest;
  if (L.cmvm && L.share && !L.dsp) {
    rest = emit_cmvm_outputs(g, L, outs, st, depth);
  } else {
    for (size_t j = 0; j < L.outputs.size(); ++j) rest.push_back(j);
  }
  // 1. Products: group weights by input node, multiple-constant multiplication per input.
  const std::map<std::pair<DNode, BigInt>, Product> products = build_products(g, L, rest, st);

  // 2. One output at a time.
  const FixedType& A = L.accum;
  const int Fa = A.frac_bits();
  BigInt kmin = code_min(A), kmax = code_max(A);
  if (A.overflow == Overflow::SAT_SYM && A.is_signed && A.width > 1) kmin += BigInt(1);
  bool modular = A.overflow == Overflow::WRAP && A.sat_bits == 0;
  // accum_t(x * w) as a node, built once per distinct product (outputs share it).
  std::map<const Product*, DNode> in_accum;
  auto product_in_accum = [&](const Product* p, const std::string& name) {
    auto it = in_accum.find(p);
    if (it != in_accum.end()) return it->second;
    DNode pc;
    if (p->frac - Fa <= p->min_shift) {  // on accum's grid: only the overflow step can act
      std::vector<STerm> ts;
      for (const STerm& t : p->terms) ts.push_back({t.node, t.shift + (Fa - p->frac), t.neg});
      pc = g.cast(sum_tree(g, ts, name, depth), Fa, A, name + "q");
    } else {
      pc = g.cast(sum_tree(g, p->terms, name, depth), p->frac, A, name + "q");
    }
    in_accum[p] = pc;
    return pc;
  };
  for (size_t j : rest) {
    const DotProduct& dp = L.outputs[j];
    std::string on = fmt::format("{}_o{}", L.name, j);
    std::vector<const Product*> ps;
    int digits = dp.bias.is_zero() ? 0 : 1;
    for (const DotTerm& t : dp.terms)
      if (!t.w.is_zero()) {
        ps.push_back(&products.at({t.x.node, t.w}));
        digits += csd_nonzeros(t.w);
      }
    st.csd_adders += std::max(0, digits - 1);  // one plain CSD adder tree per output
    int bias_frac = dp.bias.is_zero() ? -(1 << 30) : Fa - trailing_zeros(dp.bias);
    // Exactness: every product on accum's grid, all subset sums in range.
    bool exact = true;
    BigInt pos = dp.bias.is_negative() ? BigInt(0) : dp.bias, negs = dp.bias.is_negative() ? dp.bias : BigInt(0);
    for (const Product* p : ps) {
      int drop = p->frac - Fa;  // bits below accum's LSB
      if (drop > p->min_shift) {
        exact = false;
        break;
      }
      BigInt lo = p->lo.shr(drop), hi = p->hi.shr(drop);  // exact: multiples of 2^drop (or left shifts)
      if (hi.sign() > 0) pos += hi;
      if (lo.sign() < 0) negs += lo;
    }
    exact = exact && pos <= kmax && negs >= kmin;
    DNode acc_node = -1;
    int acc_frac = Fa;
    if (exact || modular) {
      // Grid of the sum: the finest needed by any term.
      int F = bias_frac;
      std::vector<STerm> terms;
      std::vector<std::pair<const Product*, DNode>> cast_products;  // modular: quantized products
      for (const Product* p : ps) {
        int eff = p->frac - p->min_shift;
        if (p->frac - Fa <= p->min_shift) {
          F = std::max(F, eff);
        } else {
          F = std::max(F, Fa);
        }
      }
      F = std::min(F, Fa);
      if (ps.empty() && dp.bias.is_zero()) F = Fa;
      for (size_t i = 0; i < ps.size(); ++i) {
        const Product* p = ps[i];
        if (p->frac - Fa <= p->min_shift) {
          int adj = F - p->frac;  // shift change to move to grid F (>= -min_shift)
          for (const STerm& t : p->terms) terms.push_back({t.node, t.shift + adj, t.neg});
        } else {
          // modular mode only: this product is quantized on its own.
          terms.push_back({product_in_accum(p, fmt::format("{}_p{}", on, i)), 0, false});  // F == Fa here
        }
      }
      if (!dp.bias.is_zero()) terms.push_back({g.constant(dp.bias.shr(Fa - F)), 0, false});
      DNode s = sum_tree(g, terms, on, depth);
      if (exact) {
        ++st.exact;
        acc_node = s;
        acc_frac = F;
      } else {
        ++st.modular;
        int d = Fa - F;
        if (A.width - d <= 0) {
          acc_node = g.constant(0);
        } else {
          acc_node = g.wrap(s, A.width - d, A.is_signed, on + "_acc");
        }
        acc_frac = F;
      }
    } else {
      ++st.sequential;
      DNode acc = g.constant(dp.bias);
      for (size_t i = 0; i < ps.size(); ++i) {
        const Product* p = ps[i];
        DNode pc = product_in_accum(p, fmt::format("{}_p{}", on, i));
        DNode sum = g.add(acc, pc, fmt::format("{}_s{}", on, i));
        acc = g.cast(sum, Fa, A, fmt::format("{}_acc{}", on, i));
      }
      acc_node = acc;
      acc_frac = Fa;
    }
    outs[j] = g.cast(acc_node, acc_frac, L.result, on);
  }
  if (stats) {
    stats->exact += st.exact;
    stats->modular += st.modular;
    stats->sequential += st.sequential;
    stats->mcm_adders += st.mcm_adders;
    stats->cmvm_outputs += st.cmvm_outputs;
    stats->csd_adders += st.csd_adders;
    stats->dsp_products += st.dsp_products;
  }
  return outs;
}

}  // namespace tachyon::backends::verilog
