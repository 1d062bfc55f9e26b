// Exhaustive conversion tests against the independent reference (reference.h):
//  * every code of many source types up to 8 bits (both signedness, I < 0, 0 < I < W,
//    I = W, I > W) cast to many target types up to 8 bits in every (Q, O, N) mode,
//    through Fixed::cast, cast_raw and CastPlan;
//  * doubles on a dense grid (including every tie) and special doubles to small types in
//    every mode, through Fixed::from_double and from_double_raw.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "reference.h"
#include "tachyon/fixed/fast.h"
#include "tachyon/fixed/fixed.h"

namespace tachyon {
namespace {

std::vector<FixedType> with_all_modes(int w, int i, bool s) {
  std::vector<FixedType> out;
  for (int q = 0; q <= static_cast<int>(Quant::RND_CONV); ++q)
    for (int o = 0; o <= static_cast<int>(Overflow::SAT_SYM); ++o)
      for (int n = 0; n <= 2 && n <= w; ++n)
        out.push_back(FixedType{w, i, s, static_cast<Quant>(q), static_cast<Overflow>(o), n});
  return out;
}

std::vector<FixedType> source_types() {
  std::vector<FixedType> out;
  for (int w = 1; w <= 8; ++w) {
    // Three integer-bit counts per width, rotating so that I < 0, I = 0, 0 < I < W,
    // I = W and I > W all occur.
    int is[3] = {w % 2 ? -1 : 0, (w + 1) / 2, w % 2 ? w + 2 : w};
    for (int i : is)
      for (bool s : {true, false}) out.push_back(FixedType{w, i, s});
  }
  return out;
}

std::vector<FixedType> target_types() {
  const int shapes[][2] = {{1, 1}, {1, -1}, {2, 0}, {2, 3}, {3, 1}, {4, 2}, {4, 4},
                           {5, -2}, {6, 3}, {8, 3}, {8, 8}, {8, 0}, {7, 9}};
  std::vector<FixedType> out;
  for (auto& sh : shapes)
    for (bool s : {true, false})
      for (const FixedType& t : with_all_modes(sh[0], sh[1], s)) out.push_back(t);
  return out;
}

TEST(ExhaustiveCast, EverySmallSourceToEverySmallTargetAllModes) {
  auto sources = source_types();
  auto targets = target_types();
  long cases = 0;
  for (const FixedType& st : sources) {
    // Every code of the source, as Fixed and as exact rational.
    std::vector<Fixed> values;
    std::vector<ref::i128> codes;
    for (ref::i128 k = ref::min_code(st); k <= ref::max_code(st); ++k) {
      values.push_back(Fixed::from_raw(BigInt(static_cast<int64_t>(k)), st));
      codes.push_back(k);
      ASSERT_EQ(values.back().raw_int64(), static_cast<int64_t>(k));
    }
    for (const FixedType& tt : targets) {
      CastPlan plan(st.frac_bits(), tt);
      for (size_t v = 0; v < values.size(); ++v) {
        bool ref_changed = false;
        ref::i128 want = ref::convert(ref::value_of(codes[v], st.frac_bits()), tt, &ref_changed);
        bool ovf_core = false, ovf_fast = false, ovf_plan = false;
        Fixed got = values[v].cast(tt, &ovf_core);
        int64_t fast = cast_raw(codes[v], st.frac_bits(), tt, &ovf_fast);
        int64_t planned = plan.apply(codes[v], &ovf_plan);
        if (got.raw_int64() != want || fast != want || planned != want || ovf_core != ref_changed ||
            ovf_fast != ref_changed || ovf_plan != ref_changed) {
          FAIL() << values[v].str() << " -> " << tt.str() << ": reference " << static_cast<int64_t>(want)
                 << " (O step changed it: " << ref_changed << "), Fixed " << got.raw_int64() << " (" << ovf_core
                 << "), cast_raw " << fast << " (" << ovf_fast << "), CastPlan " << planned << " (" << ovf_plan
                 << ")";
        }
        ++cases;
      }
    }
  }
  std::printf("[   INFO   ] %ld casts checked\n", cases);
  EXPECT_GT(cases, 1000000);
}

// A double whose exact value is num / 2^d, as a reference rational.
ref::Rational rational_of(double x) {
  int e = 0;
  double m = std::frexp(x, &e);  // x = m * 2^e, 0.5 <= |m| < 1
  // m * 2^53 is an integer; x = (m * 2^53) * 2^(e - 53).
  auto num = static_cast<ref::i128>(std::ldexp(m, 53));
  int shift = e - 53;
  if (shift >= 0) return {num * ref::pow2(shift), 1};
  return {num, ref::pow2(-shift)};
}

TEST(ExhaustiveCast, DoubleGridAllModes) {
  // Targets: a few shapes in every mode (small W, so that the grid covers the whole
  // range and beyond).
  const int shapes[][2] = {{1, 1}, {3, 1}, {4, 2}, {6, -2}, {5, 9}, {8, 3}};
  long cases = 0;
  for (auto& sh : shapes) {
    for (bool s : {true, false}) {
      for (const FixedType& t : with_all_modes(sh[0], sh[1], s)) {
        DoubleCastPlan plan(t);
        // Grid: step lsb/4 from -2*range to +2*range: every code, every tie, the points a
        // quarter LSB below and above each tie, and overflow on both sides (wrapping by up
        // to one full period).
        double lsb = t.lsb();
        double range = std::ldexp(2.0, t.int_bits);
        double step = lsb / 4;
        auto check = [&](double x, const ref::Rational& exact) {
          bool ref_changed = false;
          ref::i128 want = ref::convert(exact, t, &ref_changed);
          bool ovf_core = false, ovf_fast = false;
          Fixed got = Fixed::from_double(x, t, &ovf_core);
          int64_t fast = plan.apply(x, &ovf_fast);
          int64_t fast2 = from_double_raw(x, t);
          if (got.raw_int64() != want || fast != want || fast2 != want || ovf_core != ref_changed ||
              ovf_fast != ref_changed)
            FAIL() << x << " -> " << t.str() << ": reference " << static_cast<int64_t>(want) << ", Fixed "
                   << got.raw_int64() << ", from_double_raw " << fast;
          ++cases;
        };
        for (double x = -range; x <= range; x += step) {
          check(x, rational_of(x));
          if (HasFatalFailure()) return;
        }
        // Special and random doubles (deterministic LCG), exact in the reference.
        uint64_t state = 12345;
        for (int r = 0; r < 300; ++r) {
          state = state * 6364136223846793005ULL + 1442695040888963407ULL;
          double u = static_cast<double>(state >> 11) / 9007199254740992.0;  // [0, 1)
          double x = std::ldexp(u - 0.5, (r % 12) - 6 + t.int_bits);
          check(x, rational_of(x));
          if (HasFatalFailure()) return;
        }
        check(0.0, ref::Rational{0, 1});
        check(-0.0, ref::Rational{0, 1});
        // Tiny doubles (also subnormal ones) round like any value far below lsb/2; the
        // reference gets such a stand-in with the same sign.
        ref::i128 tiny_den = ref::pow2(std::max(0, t.frac_bits()) + 4);
        for (double x : {1e-300, -1e-300, 5e-324, -5e-324, 2.2250738585072014e-308, -1e-310}) {
          check(x, ref::Rational{x > 0 ? 1 : -1, tiny_den});
          if (HasFatalFailure()) return;
        }
        // Huge values: code far beyond the range with zero low bits, e.g. ±inf = ±2^1024;
        // the reference gets an equivalent stand-in (same sign, low W bits zero, out of range).
        ref::i128 far = ref::pow2(t.width + 4 + std::max(0, t.frac_bits()));
        for (double x : {1e300, -1e300, std::numeric_limits<double>::infinity(),
                         -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::max(),
                         -std::numeric_limits<double>::max()}) {
          ref::Rational stand_in{x > 0 ? far : -far, ref::pow2(std::max(0, t.frac_bits()))};
          check(x, stand_in);
          if (HasFatalFailure()) return;
        }
      }
    }
  }
  std::printf("[   INFO   ] %ld double conversions checked\n", cases);
  EXPECT_GT(cases, 100000);
}

// Spot checks of tiny doubles by hand: they round by their sign (AP_TRN of -tiny is -lsb).
TEST(ExhaustiveCast, TinyDoublesRoundByTheirSign) {
  FixedType t{8, 3, true, Quant::TRN, Overflow::WRAP, 0};
  EXPECT_EQ(Fixed::from_double(-1e-300, t).raw_int64(), -1);
  EXPECT_EQ(Fixed::from_double(1e-300, t).raw_int64(), 0);
  EXPECT_EQ(Fixed::from_double(-5e-324, t).raw_int64(), -1);
  EXPECT_EQ(from_double_raw(-5e-324, t), -1);
  t.quant = Quant::TRN_ZERO;
  EXPECT_EQ(Fixed::from_double(-1e-300, t).raw_int64(), 0);
  t.quant = Quant::RND;
  EXPECT_EQ(from_double_raw(-1e-300, t), 0);
  FixedType u{8, 3, false, Quant::TRN, Overflow::WRAP, 0};
  EXPECT_EQ(Fixed::from_double(-1e-300, u).raw_int64(), 255);  // floor to -lsb, wraps
  EXPECT_EQ(from_double_raw(-1e-300, u), 255);
}

}  // namespace
}  // namespace tachyon
