// Exhaustive tests of arithmetic, compound assignment, comparison, shifts, integer and
// floating conversion and decimal printing on small types, against the independent
// reference (reference.h) and exact rational arithmetic.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "reference.h"
#include "tachyon/fixed/fast.h"
#include "tachyon/fixed/fixed.h"

namespace tachyon {
namespace {

using ref::i128;
using ref::Rational;

// A few small operand types: signed/unsigned, I < 0, I = 0, 0 < I < W, I = W, I > W.
const FixedType kTypes[] = {
    {4, 2, true}, {3, 1, false}, {5, -1, true}, {4, 6, false}, {1, 1, true},  {3, 3, false},
    {5, 0, true}, {2, 5, true},  {6, 3, true},  {6, 2, false}, {7, -2, false}, {1, 0, false},
};

std::vector<i128> codes_of(const FixedType& t) {
  std::vector<i128> out;
  for (i128 k = ref::min_code(t); k <= ref::max_code(t); ++k) out.push_back(k);
  return out;
}

Fixed make(const FixedType& t, i128 k) { return Fixed::from_raw(BigInt(static_cast<int64_t>(k)), t); }

// Exact rational arithmetic.
Rational add(Rational a, Rational b) { return {a.num * b.den + b.num * a.den, a.den * b.den}; }
Rational sub(Rational a, Rational b) { return {a.num * b.den - b.num * a.den, a.den * b.den}; }
Rational mul(Rational a, Rational b) { return {a.num * b.num, a.den * b.den}; }
bool equal(Rational a, Rational b) { return a.num * b.den == b.num * a.den; }
int cmp(Rational a, Rational b) {
  i128 l = a.num * b.den, r = b.num * a.den;
  return l < r ? -1 : (l > r ? 1 : 0);
}
Rational value(const Fixed& x) { return ref::value_of(x.raw().low_i128(), x.type().frac_bits()); }

std::string show(const Fixed& x) { return x.str(); }

TEST(ExhaustiveArith, AddSubMulNegAllPairsExactAndFastPathAgrees) {
  long cases = 0;
  for (const FixedType& ta : kTypes) {
    for (const FixedType& tb : kTypes) {
      for (i128 ka : codes_of(ta)) {
        Fixed a = make(ta, ka);
        Rational va = ref::value_of(ka, ta.frac_bits());
        for (i128 kb : codes_of(tb)) {
          Fixed b = make(tb, kb);
          Rational vb = ref::value_of(kb, tb.frac_bits());
          Fixed s = a + b, d = a - b, p = a * b;
          ASSERT_TRUE(equal(value(s), add(va, vb))) << show(a) << " + " << show(b) << " = " << show(s);
          ASSERT_TRUE(equal(value(d), sub(va, vb))) << show(a) << " - " << show(b) << " = " << show(d);
          ASSERT_TRUE(equal(value(p), mul(va, vb))) << show(a) << " * " << show(b) << " = " << show(p);
          ASSERT_EQ(s.type(), add_type(ta, tb));
          ASSERT_EQ(d.type(), sub_type(ta, tb));
          ASSERT_EQ(p.type(), mul_type(ta, tb));
          // Fast path: the exact product/sum in i128, cast to the result type.
          int fa = ta.frac_bits(), fb = tb.frac_bits(), f = std::max(fa, fb);
          ASSERT_EQ(cast_raw(ka * kb, fa + fb, p.type()), p.raw_int64());
          i128 sum = ka * ref::pow2(f - fa) + kb * ref::pow2(f - fb);
          i128 dif = ka * ref::pow2(f - fa) - kb * ref::pow2(f - fb);
          ASSERT_EQ(cast_raw(sum, f, s.type()), s.raw_int64());
          ASSERT_EQ(cast_raw(dif, f, d.type()), d.raw_int64());
          ++cases;
        }
        Fixed n = -a;
        ASSERT_TRUE(equal(value(n), Rational{-va.num, va.den})) << "-" << show(a);
        ASSERT_EQ(n.type(), neg_type(ta));
      }
    }
  }
  EXPECT_GT(cases, 1000);
}

// acc op= b and acc += a * b in every (Q, O, N) mode of the accumulator.
TEST(ExhaustiveArith, CompoundAssignmentAllModes) {
  long cases = 0;
  const FixedType acc_shapes[] = {{4, 2, true}, {3, 1, false}, {5, -1, true}, {4, 6, false}, {1, 1, true}};
  const FixedType operand_types[] = {{4, 2, true}, {3, 1, false}, {5, 3, true}, {2, -1, false}};
  for (const FixedType& shape : acc_shapes) {
    for (int q = 0; q <= 6; ++q) {
      for (int o = 0; o <= 3; ++o) {
        for (int n = 0; n <= 2 && n <= shape.width; ++n) {
          FixedType at = shape;
          at.quant = static_cast<Quant>(q);
          at.overflow = static_cast<Overflow>(o);
          at.sat_bits = n;
          for (const FixedType& tb : operand_types) {
            for (i128 kacc : codes_of(at)) {
              Rational vacc = ref::value_of(kacc, at.frac_bits());
              for (i128 kb : codes_of(tb)) {
                Rational vb = ref::value_of(kb, tb.frac_bits());
                Fixed b = make(tb, kb);
                Fixed x = make(at, kacc), y = x, z = x, m = x;
                x.add_assign(b);
                y.sub_assign(b);
                z.mul_assign(b);
                m.add_assign(b * b);
                ASSERT_EQ(x.raw_int64(), ref::convert(add(vacc, vb), at)) << show(make(at, kacc)) << " += " << show(b);
                ASSERT_EQ(y.raw_int64(), ref::convert(sub(vacc, vb), at)) << show(make(at, kacc)) << " -= " << show(b);
                ASSERT_EQ(z.raw_int64(), ref::convert(mul(vacc, vb), at)) << show(make(at, kacc)) << " *= " << show(b);
                ASSERT_EQ(m.raw_int64(), ref::convert(add(vacc, mul(vb, vb)), at))
                    << show(make(at, kacc)) << " += b*b, b = " << show(b);
                ASSERT_EQ(x.type(), at);
                ++cases;
              }
            }
          }
        }
      }
    }
  }
  EXPECT_GT(cases, 10000);
}

TEST(ExhaustiveArith, ComparisonsOfSmallTypesAreExact) {
  // All aligned widths here are < 32, where even mixed signedness compares exactly.
  for (const FixedType& ta : kTypes) {
    for (const FixedType& tb : kTypes) {
      for (i128 ka : codes_of(ta)) {
        for (i128 kb : codes_of(tb)) {
          Fixed a = make(ta, ka), b = make(tb, kb);
          int c = cmp(ref::value_of(ka, ta.frac_bits()), ref::value_of(kb, tb.frac_bits()));
          Fixed::CmpResult r = Fixed::compare(a, b);
          Fixed::CmpResult want{c < 0, c <= 0, c > 0, c >= 0, c == 0, c != 0};
          ASSERT_EQ(r, want) << show(a) << " vs " << show(b);
          ASSERT_EQ(Fixed::compare_exact(a, b), c);
        }
      }
    }
  }
}

TEST(ExhaustiveArith, ShiftsAllAmounts) {
  for (const FixedType& t : kTypes) {
    i128 m = ref::pow2(t.width);
    for (i128 k : codes_of(t)) {
      Fixed a = make(t, k);
      for (int s = -t.width - 3; s <= t.width + 3; ++s) {
        // <<: code * 2^s keeping the low W bits; >>: floor(code / 2^s) (arithmetic for a
        // signed code, logical for an unsigned one since its code is non-negative).
        auto wrap = [&](i128 v) {
          i128 u = v % m;
          if (u < 0) u += m;
          if (t.is_signed && u >= m / 2) u -= m;
          return u;
        };
        auto left = [&](int sh) { return wrap(k * ref::pow2(sh)); };
        auto right = [&](int sh) { return ref::floor_div(k, ref::pow2(sh)); };
        i128 want_shl = s >= 0 ? left(s) : right(-s);
        i128 want_shr = s >= 0 ? right(s) : left(-s);
        ASSERT_EQ(a.shl(s).raw_int64(), want_shl) << show(a) << " << " << s;
        ASSERT_EQ(a.shr(s).raw_int64(), want_shr) << show(a) << " >> " << s;
        ASSERT_EQ(a.shl(s).type(), t);
      }
    }
  }
  // Extreme shift amounts.
  Fixed a = Fixed::from_double(-1.5, FixedType{8, 3, true});
  EXPECT_EQ(a.shl(1 << 30).raw_int64(), 0);
  EXPECT_EQ(a.shr(1 << 30).raw_int64(), -1);
  EXPECT_EQ(a.shl(-2147483647 - 1).raw_int64(), -1);
  EXPECT_EQ(a.shr(-2147483647 - 1).raw_int64(), 0);
}

TEST(ExhaustiveArith, ToApIntTruncatesTowardZeroThenWraps) {
  const FixedType sources[] = {{4, 2, true}, {3, 1, false}, {4, 6, false}, {5, 0, true}, {6, 0, false},
                               {2, 5, true}, {8, 4, true}, {7, 7, true}};
  for (const FixedType& t : sources) {
    for (i128 k : codes_of(t)) {
      Fixed a = make(t, k);
      Rational v = ref::value_of(k, t.frac_bits());
      i128 trunc = v.num / v.den;  // C++ division truncates toward zero
      // Vendor quirk (README note 7): signed I = 0, negative non-zero -> -1.
      if (t.is_signed && t.int_bits == 0 && k < 0) trunc = -1;
      for (int w = 1; w <= 9; ++w) {
        for (bool s : {true, false}) {
          i128 m = ref::pow2(w);
          i128 u = trunc % m;
          if (u < 0) u += m;
          if (s && u >= m / 2) u -= m;
          Fixed r = a.to_apint(w, s);
          ASSERT_EQ(r.raw_int64(), u) << show(a) << " -> " << (s ? "ap_int<" : "ap_uint<") << w << ">";
          ASSERT_EQ(r.type(), int_type(w, s));
        }
      }
      ASSERT_EQ(a.to_int(), static_cast<int>(trunc)) << show(a);
      ASSERT_EQ(a.to_int64(), static_cast<int64_t>(trunc)) << show(a);
    }
  }
  // Sources with I < 0 have |x| < 1/2: we give 0 (the vendor leaves it undefined).
  EXPECT_EQ(Fixed::from_double(-0.2, FixedType{8, -1, true}).to_int(), 0);
}

// Decimal digits of num/2^f computed by long division (independent of the core).
std::string long_division_decimal(i128 k, int f) {
  std::string s = k < 0 ? "-" : "";
  i128 a = k < 0 ? -k : k;
  if (f <= 0) {
    a *= ref::pow2(-f);
    std::string d;
    do {
      d.insert(d.begin(), static_cast<char>('0' + static_cast<int>(a % 10)));
      a /= 10;
    } while (a > 0);
    return s + d;
  }
  i128 den = ref::pow2(f);
  i128 ip = a / den, rem = a % den;
  std::string d;
  do {
    d.insert(d.begin(), static_cast<char>('0' + static_cast<int>(ip % 10)));
    ip /= 10;
  } while (ip > 0);
  s += d;
  if (rem != 0) {
    s += '.';
    while (rem != 0) {
      rem *= 10;
      s += static_cast<char>('0' + static_cast<int>(rem / den));
      rem %= den;
    }
  }
  return s;
}

TEST(ExhaustiveArith, DecimalDoubleAndFloatOfEveryCode) {
  const FixedType types[] = {{8, 3, true}, {8, 0, false}, {6, -2, true}, {5, 9, false}, {10, 10, true},
                             {12, 1, true}, {1, 1, true}, {1, -3, false}};
  for (const FixedType& t : types) {
    for (i128 k : codes_of(t)) {
      Fixed a = make(t, k);
      ASSERT_EQ(a.to_decimal(), long_division_decimal(k, t.frac_bits())) << show(a);
      // These values are exact in double and float.
      double want = std::ldexp(static_cast<double>(k), -t.frac_bits());
      ASSERT_EQ(a.to_double(), want);
      ASSERT_EQ(a.to_float(), static_cast<float>(want));
      ASSERT_EQ(raw_to_double(a.raw_int64(), t), want);
    }
  }
}

}  // namespace
}  // namespace tachyon
