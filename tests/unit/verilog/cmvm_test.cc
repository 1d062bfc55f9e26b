// Whole-layer constant matrix-vector multiplication: exact coefficients, sound intervals,
// sharing across inputs and outputs, the depth bound, and the Dense datapath it builds
// (DFG evaluation against the per-input MCM datapath and a direct fixed-point reference).
#include <gtest/gtest.h>

#include <random>

#include "tachyon/backends/verilog/cmvm.h"
#include "tachyon/backends/verilog/dot.h"
#include "tachyon/backends/verilog/mcm.h"
#include "tachyon/fixed/fixed.h"

using namespace tachyon;
using namespace tachyon::backends::verilog;

namespace {

struct Problem {
  std::vector<CmvmSource> inputs;
  std::vector<std::vector<BigInt>> w;  // w[j][i]
};

Problem random_problem(std::mt19937_64& rng, int n_in, int n_out, int bits, double zeros) {
  Problem p;
  for (int i = 0; i < n_in; ++i) {
    int xb = 2 + static_cast<int>(rng() % 10);
    bool sgn = rng() % 2;
    p.inputs.push_back(CmvmSource{sgn ? -BigInt::pow2(xb - 1) : BigInt(0), BigInt::pow2(sgn ? xb - 1 : xb) - BigInt(1), 0});
  }
  std::uniform_real_distribution<double> u(0, 1);
  p.w.assign(static_cast<size_t>(n_out), std::vector<BigInt>(static_cast<size_t>(n_in)));
  for (auto& row : p.w)
    for (auto& c : row)
      if (u(rng) >= zeros) c = BigInt(static_cast<int64_t>(rng() % (uint64_t{1} << bits)) - (int64_t{1} << (bits - 1)));
  return p;
}

std::vector<std::vector<CmvmTerm>> csd_terms(const Problem& p) {
  std::vector<std::vector<CmvmTerm>> out(p.w.size());
  for (size_t j = 0; j < p.w.size(); ++j)
    for (size_t i = 0; i < p.w[j].size(); ++i) append_csd_terms(static_cast<int>(i), p.w[j][i], 0, out[j]);
  return out;
}

int tree_adders(const CmvmResult& r) {
  int n = static_cast<int>(r.adders.size());
  for (const auto& ts : r.outputs) n += std::max(0, static_cast<int>(ts.size()) - 1);
  return n;
}

}  // namespace

TEST(Cmvm, ExactCoefficientsAndSoundIntervals) {
  std::mt19937_64 rng(7);
  for (int it = 0; it < 40; ++it) {
    Problem p = random_problem(rng, 2 + static_cast<int>(rng() % 14), 1 + static_cast<int>(rng() % 12),
                               3 + static_cast<int>(rng() % 6), 0.2);
    CmvmResult r = cmvm(p.inputs, csd_terms(p), CmvmOptions{});
    ASSERT_EQ(r.outputs.size(), p.w.size());
    for (size_t j = 0; j < p.w.size(); ++j) {
      std::vector<BigInt> c(p.inputs.size());
      for (const CmvmTerm& t : r.outputs[j]) {
        std::vector<BigInt> s = source_coefficients(r, t.source);
        for (size_t i = 0; i < c.size(); ++i) c[i] += t.neg ? -s[i].shl(t.shift) : s[i].shl(t.shift);
      }
      for (size_t i = 0; i < c.size(); ++i) ASSERT_EQ(c[i], p.w[j][i]) << "output " << j << " input " << i;
    }
    // Every adder's value stays in its interval on random inputs (including the extremes).
    for (int s = 0; s < 20; ++s) {
      std::vector<BigInt> v;
      for (const CmvmSource& in : p.inputs) {
        if (s == 0) v.push_back(in.lo);
        else if (s == 1) v.push_back(in.hi);
        else v.push_back(in.lo + BigInt(static_cast<int64_t>(rng() % static_cast<uint64_t>((in.hi - in.lo).low_i64() + 1))));
      }
      for (const CmvmAdder& a : r.adders) {
        BigInt x = v[static_cast<size_t>(a.a)], y = v[static_cast<size_t>(a.b)].shl(a.shift_b);
        BigInt z = a.sub ? x - y : x + y;
        ASSERT_TRUE(z >= a.lo && z <= a.hi);
        v.push_back(z);
      }
    }
  }
}

TEST(Cmvm, SharesAcrossInputsBeyondPerInputMcm) {
  // Hand count: y0 = 3 x0 + 5 x1, y1 = 3 x0 + 5 x1 + x2. Plain CSD: 3 = 4 - 1, 5 = 4 + 1, so
  // y0 has 4 digits (3 adders) and y1 5 (4 adders): 7. Per-input MCM shares nothing here (one
  // weight per input). Whole-matrix: y0 itself is shared, then y1 = y0 + x2: at most 3 + 1.
  Problem p;
  for (int i = 0; i < 3; ++i) p.inputs.push_back(CmvmSource{BigInt(-128), BigInt(127), 0});
  p.w = {{BigInt(3), BigInt(5), BigInt(0)}, {BigInt(3), BigInt(5), BigInt(1)}};
  CmvmResult plain = cmvm(p.inputs, csd_terms(p), CmvmOptions{false, -1, 2, {}});
  CmvmResult shared = cmvm(p.inputs, csd_terms(p), CmvmOptions{});
  EXPECT_EQ(tree_adders(plain), 7);
  EXPECT_LE(tree_adders(shared), 4);
  // Random 8-bit layers: fewer adders and fewer adder bits than sharing within each column.
  std::mt19937_64 rng(11);
  int64_t total_cmvm = 0, total_mcm = 0;
  for (int it = 0; it < 6; ++it) {
    Problem q = random_problem(rng, 16, 16, 8, 0.1);
    CmvmResult r = cmvm(q.inputs, csd_terms(q), CmvmOptions{});
    total_cmvm += tree_adders(r);
    for (size_t i = 0; i < q.inputs.size(); ++i) {
      std::vector<BigInt> col;
      for (const auto& row : q.w) col.push_back(row[i]);
      McmResult m = mcm(col);
      total_mcm += m.adder_count();
      // Each nonzero product is one term of its output's tree.
      for (size_t j = 0; j < col.size(); ++j) total_mcm += static_cast<int64_t>(m.terms[j].size());
    }
    total_mcm -= static_cast<int64_t>(q.w.size());  // n terms need n - 1 adders per output
  }
  EXPECT_LT(static_cast<double>(total_cmvm), 0.9 * static_cast<double>(total_mcm)) << total_cmvm << " vs " << total_mcm;
}

TEST(Cmvm, DepthBoundHolds) {
  std::mt19937_64 rng(13);
  for (int slack : {0, 1, 2}) {
    Problem p = random_problem(rng, 12, 10, 8, 0.1);
    auto terms = csd_terms(p);
    std::vector<int> limit;
    for (const auto& ts : terms) {
      int l = 0;
      while ((size_t{1} << l) < ts.size()) ++l;
      limit.push_back(l + slack);
    }
    CmvmResult r = cmvm(p.inputs, terms, CmvmOptions{true, slack, 2, {}});
    CmvmResult free = cmvm(p.inputs, terms, CmvmOptions{});
    for (size_t j = 0; j < r.outputs.size(); ++j) {
      uint64_t w = 0;
      for (const CmvmTerm& t : r.outputs[j]) w += uint64_t{1} << r.sources[static_cast<size_t>(t.source)].depth;
      EXPECT_LE(w, uint64_t{1} << limit[j]) << "slack " << slack << " output " << j;
    }
    EXPECT_GE(tree_adders(r), tree_adders(free) - 40);  // sanity: the bound only restricts
    EXPECT_LT(tree_adders(r), static_cast<int>([&] {
                int n = 0;
                for (const auto& ts : terms) n += static_cast<int>(ts.size()) - 1;
                return n;
              }()));
  }
}

// A Dense datapath: the CMVM build, the per-input MCM build and a direct fixed-point
// evaluation of acc = accum_t(acc + accum_t(x * w)) agree on random inputs.
TEST(Cmvm, DenseDatapathMatchesReference) {
  std::mt19937_64 rng(17);
  // exact; wrapping on the products' grid (CMVM, modulo 2^W); products quantized one by one
  // (not on accum_t's grid: the per-input MCM path).
  const char* accs[] = {"ap_fixed<24,10>", "ap_fixed<12,2>", "ap_fixed<10,4>"};
  for (const char* acc_s : accs) {
    bool on_grid = std::string(acc_s) != "ap_fixed<10,4>";
    SCOPED_TRACE(acc_s);
    FixedType xt = FixedType::parse("ap_fixed<8,3>"), wt = FixedType::parse("ap_fixed<6,1>");
    FixedType acc = FixedType::parse(acc_s), rt = FixedType::parse("ap_fixed<10,4,AP_RND,AP_SAT>");
    const int n_in = 10, n_out = 6;
    std::vector<std::vector<BigInt>> w(n_out, std::vector<BigInt>(n_in));
    std::vector<BigInt> bias(n_out);
    for (auto& row : w)
      for (auto& c : row) c = BigInt(static_cast<int64_t>(rng() % 64) - 32);
    for (auto& b : bias) b = BigInt(static_cast<int64_t>(rng() % 64) - 32).shl(acc.frac_bits() - 5);
    auto build = [&](bool use_cmvm, Dfg& g, std::vector<DNode>& xs) {
      for (int i = 0; i < n_in; ++i) xs.push_back(g.input("x" + std::to_string(i), i * 8, xt));
      DotLayer L;
      L.name = "fc";
      L.wfrac = wt.frac_bits();
      L.accum = acc;
      L.result = rt;
      L.cmvm = use_cmvm;
      for (int j = 0; j < n_out; ++j) {
        DotProduct dp;
        dp.bias = bias[static_cast<size_t>(j)];
        for (int i = 0; i < n_in; ++i)
          if (!w[static_cast<size_t>(j)][static_cast<size_t>(i)].is_zero())
            dp.terms.push_back({FSig{xs[static_cast<size_t>(i)], xt.frac_bits()}, w[static_cast<size_t>(j)][static_cast<size_t>(i)]});
        L.outputs.push_back(dp);
      }
      DotStats st;
      std::vector<DNode> ys = emit_dot_layer(g, L, &st);
      EXPECT_EQ(st.cmvm_outputs, use_cmvm && on_grid ? n_out : 0);
      return ys;
    };
    Dfg g1, g2;
    std::vector<DNode> x1, x2;
    std::vector<DNode> y1 = build(true, g1, x1), y2 = build(false, g2, x2);
    for (int s = 0; s < 300; ++s) {
      std::vector<BigInt> in1(g1.size()), in2(g2.size());
      std::vector<BigInt> codes;
      for (int i = 0; i < n_in; ++i) {
        BigInt c(static_cast<int64_t>(rng() % 256) - 128);
        codes.push_back(c);
        in1[static_cast<size_t>(x1[static_cast<size_t>(i)])] = c;
        in2[static_cast<size_t>(x2[static_cast<size_t>(i)])] = c;
      }
      std::vector<BigInt> v1 = g1.evaluate_all(in1), v2 = g2.evaluate_all(in2);
      for (int j = 0; j < n_out; ++j) {
        // Reference: the layer semantics with the fixed-point library.
        Fixed a = Fixed::from_raw(bias[static_cast<size_t>(j)], acc);
        for (int i = 0; i < n_in; ++i) {
          const BigInt& c = w[static_cast<size_t>(j)][static_cast<size_t>(i)];
          if (c.is_zero()) continue;
          BigInt prod = codes[static_cast<size_t>(i)] * c;  // xfrac + wfrac fraction bits
          Fixed p = Fixed::from_raw(convert_exact(prod, xt.frac_bits() + wt.frac_bits(), acc), acc);
          a = Fixed::from_raw(convert_exact(a.raw() + p.raw(), acc.frac_bits(), acc), acc);
        }
        BigInt want = convert_exact(a.raw(), acc.frac_bits(), rt);
        ASSERT_EQ(v1[static_cast<size_t>(y1[static_cast<size_t>(j)])], want) << "cmvm, output " << j;
        ASSERT_EQ(v2[static_cast<size_t>(y2[static_cast<size_t>(j)])], want) << "mcm, output " << j;
      }
    }
  }
}
