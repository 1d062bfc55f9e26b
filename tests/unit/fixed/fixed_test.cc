// Fixed: the README's worked examples, the vendor quirks, wide types (up to 1024 bits,
// ~2100-bit results), double/float edge cases and input validation.
#include "tachyon/fixed/fixed.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <string>

#include "tachyon/fixed/fast.h"
#include "tachyon/support/error.h"

namespace tachyon {
namespace {

FixedType T(const char* s) { return FixedType::parse(s); }
Fixed D(double v, const char* t) { return Fixed::from_double(v, T(t)); }

// ---- the worked examples of the golden README (spec) -----------------------------------

TEST(FixedSpec, DoubleToFixed) {
  EXPECT_EQ(D(0.3, "ap_fixed<8,3,AP_RND,AP_SAT>").bits_hex(), "0x0a");
  EXPECT_EQ(D(0.3, "ap_fixed<8,3,AP_RND,AP_SAT>").to_decimal(), "0.3125");
  EXPECT_EQ(D(0.3, "ap_fixed<8,3>").to_decimal(), "0.28125");
  EXPECT_EQ(D(-0.3, "ap_fixed<8,3>").bits_hex(), "0xf6");
  EXPECT_EQ(D(-0.3, "ap_fixed<8,3,AP_TRN_ZERO>").bits_hex(), "0xf7");
  EXPECT_EQ(D(0.1, "ap_fixed<64,2,AP_RND>").bits_hex(), "0x0666666666666680");
  // Ties on ap_fixed<4,4,Q>: 2.5 and -2.5 in the seven modes.
  const char* modes[] = {"AP_RND", "AP_RND_ZERO", "AP_RND_MIN_INF", "AP_RND_INF", "AP_RND_CONV", "AP_TRN", "AP_TRN_ZERO"};
  const int pos[] = {3, 2, 2, 3, 2, 2, 2}, neg[] = {-2, -2, -3, -3, -2, -3, -2};
  for (int i = 0; i < 7; ++i) {
    std::string t = std::string("ap_fixed<4,4,") + modes[i] + ">";
    EXPECT_EQ(D(2.5, t.c_str()).to_int(), pos[i]) << t;
    EXPECT_EQ(D(-2.5, t.c_str()).raw_int64(), neg[i]) << t;
  }
  EXPECT_EQ(D(3.5, "ap_fixed<4,4,AP_RND_CONV>").to_int(), 4);
  EXPECT_EQ(D(-3.5, "ap_fixed<4,4,AP_RND_CONV>").to_int(), -4);
}

TEST(FixedSpec, Overflow) {
  const char* t6[][2] = {{"ap_fixed<6,3>", "0x28"},
                         {"ap_fixed<6,3,AP_TRN,AP_SAT>", "0x1f"},
                         {"ap_fixed<6,3,AP_TRN,AP_SAT_ZERO>", "0x00"},
                         {"ap_fixed<6,3,AP_TRN,AP_SAT_SYM>", "0x1f"},
                         {"ap_fixed<6,3,AP_TRN,AP_WRAP,1>", "0x08"},
                         {"ap_fixed<6,3,AP_TRN,AP_WRAP,2>", "0x18"}};
  for (auto& c : t6) EXPECT_EQ(D(5.0, c[0]).bits_hex(), c[1]) << c[0];
  EXPECT_EQ(D(-5.0, "ap_fixed<6,3,AP_TRN,AP_SAT>").bits_hex(), "0x20");
  EXPECT_EQ(D(-5.0, "ap_fixed<6,3,AP_TRN,AP_SAT_SYM>").bits_hex(), "0x21");
  EXPECT_EQ(D(-5.0, "ap_fixed<6,3,AP_TRN,AP_WRAP,1>").bits_hex(), "0x38");
  EXPECT_EQ(D(-5.0, "ap_fixed<6,3,AP_TRN,AP_WRAP,2>").bits_hex(), "0x28");
  EXPECT_EQ(D(-4.0, "ap_fixed<6,3,AP_TRN,AP_SAT_SYM>").bits_hex(), "0x21");  // kmin -> -kmax
  EXPECT_EQ(D(-0.25, "ap_ufixed<4,2,AP_TRN,AP_SAT>").bits_hex(), "0x0");
  EXPECT_EQ(D(-0.25, "ap_ufixed<4,2>").bits_hex(), "0xf");
  EXPECT_EQ(D(-0.25, "ap_ufixed<4,2,AP_TRN,AP_WRAP,1>").bits_hex(), "0xf");
  EXPECT_EQ(D(5.0, "ap_ufixed<4,2,AP_TRN,AP_WRAP,1>").bits_hex(), "0xc");
  EXPECT_EQ(D(-1.0, "ap_ufixed<4,2,AP_TRN,AP_WRAP,2>").bits_hex(), "0xc");
  EXPECT_EQ(D(3.984375, "ap_fixed<8,3,AP_RND,AP_SAT>").bits_hex(), "0x7f");
  EXPECT_EQ(D(3.984375, "ap_fixed<8,3,AP_RND,AP_WRAP>").bits_hex(), "0x80");
  EXPECT_EQ(D(3.984375, "ap_fixed<8,3,AP_RND_CONV,AP_SAT>").bits_hex(), "0x7f");
  bool ovf = false;
  D(3.5, "ap_fixed<8,3>");
  Fixed::from_double(4.0, T("ap_fixed<8,3,AP_TRN,AP_SAT>"), &ovf);
  EXPECT_TRUE(ovf);
  ovf = false;
  Fixed::from_double(3.9, T("ap_fixed<8,3,AP_TRN,AP_SAT>"), &ovf);
  EXPECT_FALSE(ovf);
}

TEST(FixedSpec, CastArithmeticAssignmentShiftsIntegers) {
  Fixed x = D(2.718281828, "ap_fixed<16,6>");
  EXPECT_EQ(x.bits_hex(), "0x0adf");
  EXPECT_EQ(x.cast(T("ap_fixed<8,3,AP_RND_CONV,AP_SAT>")).bits_hex(), "0x57");
  Fixed a = D(-1.25, "ap_fixed<8,3>"), b = D(1.5, "ap_ufixed<6,2>");
  EXPECT_EQ((a + b).type(), T("ap_fixed<9,4>"));
  EXPECT_EQ((a + b).bits_hex(), "0x008");
  EXPECT_EQ((a - b).bits_hex(), "0x1a8");
  EXPECT_EQ((a * b).type(), T("ap_fixed<14,5>"));
  EXPECT_EQ((a * b).bits_hex(), "0x3c40");
  EXPECT_EQ((-b).type(), T("ap_fixed<7,3>"));
  EXPECT_EQ((-b).bits_hex(), "0x68");
  Fixed acc = D(3.5, "ap_fixed<8,3,AP_RND,AP_SAT>");
  acc.add_assign(D(0.40625, "ap_fixed<16,6>"));
  EXPECT_EQ(acc.bits_hex(), "0x7d");
  Fixed m = D(-7.5, "ap_fixed<8,4>");
  EXPECT_EQ(m.to_apint(8, true).bits_hex(), "0xf9");
  EXPECT_EQ(m.to_apint(3, false).bits_hex(), "0x1");
  EXPECT_EQ(m.to_int(), -7);
  EXPECT_EQ(D(-0.25, "ap_fixed<8,0>").to_int(), -1);  // vendor quirk 2
  Fixed s = D(1.75, "ap_fixed<8,3>");
  EXPECT_EQ(s.shl(1).bits_hex(), "0x70");
  EXPECT_EQ(s.shr(2).bits_hex(), "0x0e");
}

TEST(FixedQuirks, MixedSignednessComparisons) {
  auto lt = [](const Fixed& a, const Fixed& b) { return Fixed::compare(a, b).lt; };
  EXPECT_TRUE(lt(D(-1, "ap_fixed<8,4>"), D(1, "ap_ufixed<8,4>")));
  EXPECT_FALSE(lt(D(-1, "ap_fixed<40,20>"), D(1, "ap_ufixed<40,20>")));
  EXPECT_EQ(Fixed::compare_exact(D(-1, "ap_fixed<40,20>"), D(1, "ap_ufixed<40,20>")), -1);
  EXPECT_TRUE(Fixed::compare(D(-2, "ap_fixed<42,2>"), D(8388606, "ap_ufixed<39,23>")).eq);
  // A signed operand wider than the unsigned one compares exactly.
  EXPECT_TRUE(lt(D(-1, "ap_fixed<48,28>"), D(1, "ap_ufixed<40,20>")));
  // Same signedness is always exact.
  EXPECT_TRUE(lt(D(-1, "ap_fixed<100,50>"), D(1, "ap_fixed<90,40>")));
}

TEST(FixedQuirks, SatSymOnSignedOneBitActsAsSat) {
  FixedType t = T("ap_fixed<1,12,AP_TRN,AP_SAT_SYM>");  // range {-2048, 0}
  EXPECT_EQ(Fixed::from_double(-2048, t).raw_int64(), -1);
  EXPECT_EQ(Fixed::from_double(-5000, t).raw_int64(), -1);
  EXPECT_EQ(Fixed::from_double(5000, t).raw_int64(), 0);
  EXPECT_EQ(from_double_raw(-2048, t), -1);
  EXPECT_EQ(from_double_raw(-5000, t), -1);
}

TEST(FixedQuirks, ToFloatOutOfRangeWrapsTheExponent) {
  // 2^130: float exponent field (130 + 127) mod 256 = 1.
  Fixed big = Fixed::from_exact(BigInt(1), -130, T("ap_fixed<8,135>"));
  EXPECT_EQ(std::bit_cast<uint32_t>(big.to_float()), (1u << 23));
  EXPECT_EQ(big.to_double(), std::ldexp(1.0, 130));
  // -2^-130: exponent field (-130 + 127) mod 256 = 253.
  Fixed tiny = Fixed::from_exact(BigInt(-1), 130, T("ap_fixed<8,-122>"));
  EXPECT_EQ(std::bit_cast<uint32_t>(tiny.to_float()), 0x80000000u | (253u << 23));
  EXPECT_EQ(tiny.to_double(), -std::ldexp(1.0, -130));
  // In range: correctly rounded (ties to even at 24 bits).
  Fixed f = Fixed::from_exact(BigInt((1 << 24) + 1), 0, T("ap_fixed<40,40>"));
  EXPECT_EQ(f.to_float(), 16777216.0f);
  Fixed g = Fixed::from_exact(BigInt((1 << 24) + 3), 0, T("ap_fixed<40,40>"));
  EXPECT_EQ(g.to_float(), 16777220.0f);
}

TEST(FixedDouble, SpecialInputs) {
  FixedType t = T("ap_fixed<16,6>");
  bool ovf = false;
  EXPECT_TRUE(Fixed::from_double(std::numeric_limits<double>::quiet_NaN(), t, &ovf).is_zero());
  EXPECT_TRUE(ovf);
  ovf = false;
  EXPECT_EQ(from_double_raw(std::numeric_limits<double>::quiet_NaN(), t, &ovf), 0);
  EXPECT_TRUE(ovf);
  double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(Fixed::from_double(inf, t).is_zero());  // 2^1024 wraps to 0
  EXPECT_EQ(Fixed::from_double(inf, T("ap_fixed<16,6,AP_TRN,AP_SAT>")).to_double(), t.max_value());
  EXPECT_EQ(Fixed::from_double(-inf, T("ap_fixed<16,6,AP_TRN,AP_SAT>")).to_double(), t.min_value());
  // A type wide enough to hold 2^1024 exactly.
  Fixed w = Fixed::from_double(inf, T("ap_fixed<8,1030>"));  // lsb 2^1022
  EXPECT_EQ(w.bits_hex(), "0x04");
  EXPECT_EQ(w.to_double(), inf);
  EXPECT_TRUE(Fixed::from_double(-0.0, t).is_zero());
}

TEST(FixedDouble, ToDoubleRoundsCorrectlyIncludingSubnormals) {
  FixedType t = T("ap_ufixed<8,-1070>");  // lsb 2^-1078
  auto val = [&](int k) { return Fixed::from_raw(BigInt(k), t).to_double(); };
  double min_sub = std::numeric_limits<double>::denorm_min();  // 2^-1074
  EXPECT_EQ(val(4), 0.0);       // 2^-1076 < half
  EXPECT_EQ(val(8), 0.0);       // 2^-1075: tie, to even (0)
  EXPECT_EQ(val(9), min_sub);   // above the tie
  EXPECT_EQ(val(16), min_sub);  // exact
  EXPECT_EQ(val(24), 2 * min_sub);  // 1.5 ulp: tie to even (2)
  EXPECT_EQ(val(40), 2 * min_sub);  // 2.5: tie to even (2)
  EXPECT_EQ(raw_to_double(40, t), 2 * min_sub);
  // 53-bit rounding of a 64-bit code: 2^53 + 1 is a tie, to even.
  FixedType i64 = T("ap_int<64>");
  EXPECT_EQ(Fixed::from_raw(BigInt((int64_t{1} << 53) + 1), i64).to_double(), 9007199254740992.0);
  EXPECT_EQ(Fixed::from_raw(BigInt((int64_t{1} << 53) + 3), i64).to_double(), 9007199254740996.0);
  EXPECT_EQ(raw_to_double((int64_t{1} << 53) + 3, i64), 9007199254740996.0);
  EXPECT_EQ(raw_to_double(-1, T("ap_uint<64>")), 18446744073709551616.0);
  // Beyond the double range.
  Fixed huge = Fixed::from_raw(BigInt(3), T("ap_fixed<4,1027>"));  // 3 * 2^1023
  EXPECT_EQ(huge.to_double(), std::numeric_limits<double>::infinity());
  Fixed below = Fixed::from_raw(BigInt(3), T("ap_fixed<4,1026>"));  // 3 * 2^1022
  EXPECT_EQ(below.to_double(), std::ldexp(3.0, 1022));
}

// ---- wide types ----------------------------------------------------------------------

TEST(FixedWide, EmbeddingInAWideTypeDoesNotChangeCasts) {
  // x in ap_fixed<16,6>, embedded exactly in ap_fixed<1024,500>, then cast to small
  // targets in every mode: same result as casting directly.
  FixedType small = T("ap_fixed<16,6>"), wide = T("ap_fixed<1024,500>");
  for (int k = -32768; k < 32768; k += 97) {
    Fixed x = Fixed::from_raw(BigInt(k), small);
    Fixed xw = x.cast(wide);
    ASSERT_EQ(Fixed::compare_exact(x, xw), 0);
    for (int q = 0; q <= 6; ++q)
      for (int o = 0; o <= 3; ++o) {
        FixedType to{8, 2, true, static_cast<Quant>(q), static_cast<Overflow>(o), o == 0 ? 1 : 0};
        ASSERT_EQ(xw.cast(to), x.cast(to)) << x.str() << " -> " << to.str();
      }
  }
}

TEST(FixedWide, ArithmeticAt1024Bits) {
  FixedType t = T("ap_fixed<1024,512>");
  // Doubles within range survive the round trip exactly.
  double xs[] = {1.0, -1.5, 3.0e100, -7.25e-100, 1.0e150, 0.1, std::ldexp(-29.0, -102)};
  for (double x : xs) {
    Fixed a = Fixed::from_double(x, t);
    EXPECT_EQ(a.to_double(), x);
    for (double y : xs) {
      Fixed b = Fixed::from_double(y, t);
      Fixed p = a * b;
      EXPECT_EQ(p.type(), (FixedType{2048, 1024, true}));
      EXPECT_EQ(p.to_double(), x * y) << x << " * " << y;  // exact product, rounded once
      Fixed s = a + b;
      EXPECT_EQ(s.type(), (FixedType{1025, 513, true}));
      EXPECT_EQ(s.to_double(), x + y) << x << " + " << y;
      EXPECT_EQ((s - b).cast(t), a);
      // a*b has 2048 bits; a third factor gives 3072-bit results (associative, exact).
      Fixed ppp = p * a;
      EXPECT_EQ(ppp.type(), (FixedType{3072, 1536, true}));
      EXPECT_EQ(ppp, a * (b * a));
      EXPECT_EQ(Fixed::compare_exact(ppp, a * b * a), 0);
    }
  }
}

TEST(FixedWide, DecimalOfTinyAndHugeValues) {
  // 2^-1000 = 5^1000 / 10^1000: 1000 decimals, the last non-zero digits being 5^1000.
  Fixed tiny = Fixed::from_raw(BigInt(1), T("ap_ufixed<8,-992>"));
  std::string s = tiny.to_decimal();
  ASSERT_EQ(s.size(), 1002u);
  EXPECT_EQ(s.substr(0, 2), "0.");
  // Compute 5^1000 by schoolbook decimal multiplication.
  std::string p5 = "1";
  for (int i = 0; i < 1000; ++i) {
    int carry = 0;
    for (size_t j = p5.size(); j-- > 0;) {
      int d = (p5[j] - '0') * 5 + carry;
      p5[j] = static_cast<char>('0' + d % 10);
      carry = d / 10;
    }
    while (carry) {
      p5.insert(p5.begin(), static_cast<char>('0' + carry % 10));
      carry /= 10;
    }
  }
  EXPECT_EQ(s.substr(s.size() - p5.size()), p5);
  EXPECT_EQ(s.find_first_not_of('0', 2), s.size() - p5.size());
  // -2^1030 as an integer.
  Fixed huge = Fixed::from_raw(BigInt(-1), T("ap_fixed<1,1031>"));
  EXPECT_EQ(huge.to_decimal(), "-" + BigInt::pow2(1030).to_dec());
  EXPECT_EQ(huge.to_apint(8, true).raw_int64(), 0);
}

TEST(FixedInput, BitsHexValidation) {
  FixedType t = T("ap_fixed<10,3>");
  EXPECT_EQ(Fixed::from_bits_hex("0x3ff", t).raw_int64(), -1);
  EXPECT_EQ(Fixed::from_bits_hex("1ff", t).raw_int64(), 511);
  EXPECT_THROW(Fixed::from_bits_hex("0x400", t), Error);
  EXPECT_THROW(Fixed::from_bits_hex("0xzz", t), Error);
  EXPECT_THROW(Fixed::from_bits_hex("", t), Error);
  EXPECT_EQ(Fixed::from_raw(BigInt(-1), T("ap_ufixed<70,3>")).bits_hex(), "0x3fffffffffffffffff");
  EXPECT_EQ(Fixed(t).to_decimal(), "0");
  // Invalid types are errors, not crashes.
  FixedType bad{0, 0, true};
  EXPECT_THROW(Fixed{bad}, Error);
  EXPECT_THROW(Fixed::from_raw(BigInt(1), bad), Error);
  EXPECT_THROW(Fixed(t).cast(bad), Error);
  EXPECT_THROW(Fixed(t).cast(FixedType{8, 3, true, Quant::TRN, Overflow::WRAP, 9}), Error);
  EXPECT_THROW(Fixed(t).to_apint(0, true), Error);
  EXPECT_THROW(cast_raw(0, 0, FixedType{65, 3, true}), Error);
  EXPECT_THROW(CastPlan(0, FixedType{0, 3, true}), Error);
  EXPECT_EQ(Fixed::from_raw(BigInt(-3), t).str(), "-0.0234375 (ap_fixed<10,3> 0x3fd)");
}

}  // namespace
}  // namespace tachyon
