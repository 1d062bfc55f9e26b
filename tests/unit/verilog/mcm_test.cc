// CSD digits and multiple-constant multiplication: exact values, minimality properties,
// sharing, on random constants.
#include <gtest/gtest.h>

#include <random>

#include "tachyon/backends/verilog/mcm.h"

using namespace tachyon;
using namespace tachyon::backends::verilog;

namespace {

BigInt value_of(const std::vector<CsdDigit>& ds) {
  BigInt v;
  for (const CsdDigit& d : ds) v += d.sign > 0 ? BigInt::pow2(d.shift) : -BigInt::pow2(d.shift);
  return v;
}

int popcount(uint64_t v) { return __builtin_popcountll(v); }

}  // namespace

TEST(Csd, ExactNonAdjacentAndNoWorseThanBinary) {
  std::mt19937_64 rng(1);
  for (int it = 0; it < 20000; ++it) {
    int bits = 1 + static_cast<int>(rng() % 40);
    int64_t c = static_cast<int64_t>(rng() % (uint64_t{1} << bits)) - (int64_t{1} << (bits - 1));
    std::vector<CsdDigit> ds = csd(BigInt(c));
    ASSERT_EQ(value_of(ds), BigInt(c)) << c;
    for (size_t i = 1; i < ds.size(); ++i) ASSERT_GE(ds[i].shift - ds[i - 1].shift, 2) << "adjacent digits for " << c;
    uint64_t mag = static_cast<uint64_t>(c < 0 ? -c : c);
    EXPECT_LE(static_cast<int>(ds.size()), popcount(mag)) << c;
    // NAF weight is at most ceil((bits + 1) / 2).
    EXPECT_LE(static_cast<int>(ds.size()), (64 - __builtin_clzll(mag | 1) + 2) / 2) << c;
  }
  EXPECT_TRUE(csd(BigInt(0)).empty());
  // 7 = 8 - 1; 15 = 16 - 1; 0x5555 has no adjacent ones and stays binary.
  EXPECT_EQ(csd_nonzeros(BigInt(7)), 2);
  EXPECT_EQ(csd_nonzeros(BigInt(-15)), 2);
  EXPECT_EQ(csd_nonzeros(BigInt(0x5555)), 8);
  // Wide constants work too.
  BigInt wide = BigInt::pow2(100) - BigInt(1);
  EXPECT_EQ(value_of(csd(wide)), wide);
  EXPECT_EQ(csd_nonzeros(wide), 2);
}

TEST(Mcm, ReproducesEveryConstantAndShares) {
  std::mt19937_64 rng(2);
  int64_t total_mcm = 0, total_csd = 0;
  for (int it = 0; it < 300; ++it) {
    int n = 1 + static_cast<int>(rng() % 40);
    int bits = 3 + static_cast<int>(rng() % 14);
    std::vector<BigInt> cs;
    for (int i = 0; i < n; ++i) cs.push_back(BigInt(static_cast<int64_t>(rng() % (uint64_t{1} << bits)) - (int64_t{1} << (bits - 1))));
    McmResult r = mcm(cs);
    McmResult plain = mcm(cs, false);
    ASSERT_EQ(r.terms.size(), cs.size());
    for (size_t i = 0; i < cs.size(); ++i) {
      BigInt v;
      for (const McmTerm& t : r.terms[i]) v += term_value(r, t);
      ASSERT_EQ(v, cs[i]) << "constant " << i;
      // Evaluate the adder graph on a random x as the hardware would.
      int64_t x = static_cast<int64_t>(rng() % 2001) - 1000;
      std::vector<BigInt> node{BigInt(x)};
      for (const McmAdder& a : r.adders) {
        auto tv = [&](const McmTerm& t) {
          BigInt s = node.at(static_cast<size_t>(t.source)).shl(t.shift);
          return t.negative ? -s : s;
        };
        node.push_back(tv(a.a) + tv(a.b));
      }
      BigInt hw;
      for (const McmTerm& t : r.terms[i]) {
        BigInt s = node.at(static_cast<size_t>(t.source)).shl(t.shift);
        hw += t.negative ? -s : s;
      }
      ASSERT_EQ(hw, cs[i] * BigInt(x));
    }
    int cost = r.adder_count() + r.final_additions();
    int plain_cost = plain.adder_count() + plain.final_additions();
    EXPECT_LE(cost, plain_cost) << "sharing must never cost more adders";
    total_mcm += cost;
    total_csd += plain_cost;
  }
  // Over many random sets, sharing saves a clear fraction of the adders.
  EXPECT_LT(static_cast<double>(total_mcm), 0.9 * static_cast<double>(total_csd)) << total_mcm << " vs " << total_csd;
}

TEST(Mcm, IdenticalMagnitudesComputedOnce) {
  // 3, -3, 6, 12: one fundamental (3 = 1 + 2), everything else shifts and signs.
  McmResult r = mcm({BigInt(3), BigInt(-3), BigInt(6), BigInt(12), BigInt(0)});
  EXPECT_EQ(r.adder_count() + r.final_additions(), 1);
  EXPECT_TRUE(r.terms[4].empty());
}
