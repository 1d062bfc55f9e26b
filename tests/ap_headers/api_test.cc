// API surface of hls/include/ap_*.h not covered by the golden vectors: bit / range access,
// ap_int operators and result types, mixed C types, wide (multiword) values, text and
// streams, and typical generated HLS code (hls_style.cc).  Expected values are computed
// independently (__int128 / double arithmetic on small grids), never copied outputs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>

#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_style.h"

namespace {

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;
// Types with commas, for use inside gtest macros.
typedef ap_fixed<8, 0> fx8_0;
typedef ap_fixed<8, 1> fx8_1;
typedef ap_fixed<16, 6> fx16_6;
typedef ap_fixed<8, 12> fx8_12;
typedef ap_fixed<9, 4> fx9_4;
typedef ap_ufixed<6, 2> ufx6_2;
typedef ap_fixed<6, 3, AP_TRN, AP_SAT_SYM> fx6_3_sym;
typedef ap_fixed<64, 2, AP_RND> fx64_2_rnd;
typedef ap_fixed<16, 8> fx16_8;
typedef ap_fixed<4, 4, AP_RND, AP_WRAP_SM> fx4_4_wsm;
typedef ap_fixed<4, 4, AP_RND, AP_WRAP> fx4_4_w;
typedef ap_ufixed<4, 4, AP_RND, AP_WRAP> ufx4_4_w;
typedef ap_ufixed<12, -3> ufx12_m3;
typedef ap_fixed<24, 24> fx24_24;

template <class T> i128 wrap(i128 v, int W, bool S) {
  u128 m = W >= 128 ? ~static_cast<u128>(0) : ((static_cast<u128>(1) << W) - 1);
  u128 u = static_cast<u128>(v) & m;
  if (S && W < 128 && ((u >> (W - 1)) & 1)) return static_cast<i128>(u) - (static_cast<i128>(1) << W);
  return static_cast<i128>(u);
}

template <int W, bool S> i128 value_of(const ap_int_base<W, S>& x) {
  // reassemble from the bit interface only (independent of the storage layout)
  i128 v = 0;
  for (int i = W - 1; i >= 0; --i) v = v * 2 + (x[i] ? 1 : 0);
  if (S && x[W - 1]) v -= static_cast<i128>(1) << W;
  return v;
}

template <class A, class B> constexpr bool same() { return std::is_same<A, B>::value; }

TEST(ApInt, DefaultConstructsToZero) {
  ap_fixed<16, 6> f;
  ap_int<100> i;
  ap_ufixed<300, 10> u;
  EXPECT_EQ(f.to_double(), 0.0);
  EXPECT_TRUE(i == 0);
  EXPECT_EQ(u.to_string(), "0");
}

TEST(ApInt, ResultTypes) {
  ap_int<8> a = -3;
  ap_uint<8> b = 200;
  static_assert(same<decltype(a + a), ap_int<9>>(), "int+int");
  static_assert(same<decltype(a + b), ap_int<10>>(), "int+uint");
  static_assert(same<decltype(b + b), ap_uint<9>>(), "uint+uint");
  static_assert(same<decltype(b - b), ap_int<9>>(), "uint-uint");
  static_assert(same<decltype(a * b), ap_int<16>>(), "int*uint");
  static_assert(same<decltype(a / b), ap_int<8>>(), "int/uint");
  static_assert(same<decltype(b / a), ap_int<9>>(), "uint/int");
  static_assert(same<decltype(a & b), ap_int<9>>(), "int&uint");
  static_assert(same<decltype(-b), ap_int<9>>(), "-uint");
  static_assert(same<decltype(~b), ap_uint<8>>(), "~uint");
  static_assert(same<decltype(a + 1), ap_int<33>>(), "int+C int");
  static_assert(same<decltype(b + 1u), ap_uint<33>>(), "uint+C unsigned");
  static_assert(same<decltype(2 * b), ap_int<40>>(), "C int*uint");
  static_assert(same<decltype(b << 3), ap_uint<8>>(), "shift keeps type");
  static_assert(same<decltype(a * 0.5), double>(), "int*double");
  ap_fixed<8, 3> f = 1.25;
  static_assert(same<decltype(f + 1), ap_fixed<38, 33>>(), "fixed+int");
  static_assert(same<decltype(f * a), ap_fixed<16, 11>>(), "fixed*ap_int");
  static_assert(same<decltype(b - f), ap_fixed<15, 10>>(), "ap_uint-fixed");
  static_assert(same<decltype(f * 2.0), double>(), "fixed*double");
  static_assert(same<decltype(f << 2), ap_fixed<8, 3>>(), "fixed shift");
  static_assert(same<decltype(f / ap_fixed<8, 4>(2)), ap_fixed<13, 8>>(), "fixed/fixed");
  EXPECT_EQ((a + 1).to_int(), -2);
  EXPECT_EQ((2 * b).to_int(), 400);
  EXPECT_EQ((f + 1).to_double(), 2.25);
  EXPECT_EQ((f * 2.0), 2.5);
}

TEST(ApInt, RandomOperatorsMatchInt128) {
  std::mt19937_64 rng(7);
  for (int it = 0; it < 3000; ++it) {
    long long x = static_cast<long long>(rng()), y = static_cast<long long>(rng());
    ap_int<37> a = x;
    ap_uint<29> b = y;
    ap_int<64> c = y;
    i128 va = wrap<int>(x, 37, true), vb = wrap<int>(y, 29, false), vc = wrap<int>(y, 64, true);
    ASSERT_EQ(value_of(a), va);
    ASSERT_EQ(value_of(b), vb);
    EXPECT_EQ(value_of(a + b), va + vb);
    EXPECT_EQ(value_of(a - b), va - vb);
    EXPECT_EQ(value_of(b - a), vb - va);
    EXPECT_EQ(value_of(a * b), va * vb);
    EXPECT_EQ(value_of(a * c), va * vc);
    EXPECT_EQ(value_of(c + c), vc + vc);
    EXPECT_EQ(value_of(a & b), va & vb);
    EXPECT_EQ(value_of(a | b), va | vb);
    EXPECT_EQ(value_of(a ^ c), va ^ vc);
    EXPECT_EQ(value_of(~a), ~va);
    EXPECT_EQ(value_of(-c), -vc);
    if (vb != 0) {
      EXPECT_EQ(value_of(a / b), va / vb);
      EXPECT_EQ(value_of(a % b), va % vb);
      EXPECT_EQ(value_of(c / b), vc / vb);
    }
    if (va != 0) {
      EXPECT_EQ(value_of(c % a), vc % va);
    }
    int k = static_cast<int>(rng() % 40);
    EXPECT_EQ(value_of(a << k), wrap<int>(va * (static_cast<i128>(1) << k), 37, true));
    EXPECT_EQ(value_of(a >> k), va >> k);
    EXPECT_EQ(value_of(b >> k), vb >> k);
    EXPECT_EQ(a < b, va < vb);
    EXPECT_EQ(a == c, va == vc);
    EXPECT_EQ(a >= 0, va >= 0);
    ap_int<37> d = a;
    d += b;
    EXPECT_EQ(value_of(d), wrap<int>(va + vb, 37, true));
    d *= 3;
    EXPECT_EQ(value_of(d), wrap<int>(wrap<int>(va + vb, 37, true) * 3, 37, true));
  }
}

TEST(ApInt, WideValues) {
  ap_uint<1024> m = 0;
  m = ~m;  // 2^1024 - 1
  ap_uint<1024> z = m;
  ++z;
  EXPECT_TRUE(z == 0);
  ap_int<1024> big = 1;
  big <<= 1022;
  ap_int<1024> x = big - 1 + big;  // 2^1023 - 1 (exact result type is wider, then wrapped back)
  auto sq = x * x;                 // ap_int<2048>
  static_assert(same<decltype(sq), ap_int<2048>>(), "1024x1024 -> 2048");
  ap_int<2048> one = 1;
  ap_int<2048> expect = (one << 2046) - (one << 1024) + 1;  // (2^1023-1)^2
  EXPECT_TRUE(sq == expect);
  EXPECT_TRUE(sq / x == x);
  EXPECT_EQ((sq % x).to_int(), 0);
  EXPECT_EQ(ap_uint<200>(1).to_string(), "1");
  ap_uint<200> p = 1;
  p <<= 199;
  EXPECT_EQ(p.to_string(), "803469022129495137770981046170581301261101496891396417650688");  // 2^199
  EXPECT_EQ(p.to_string(16), "0x80000000000000000000000000000000000000000000000000");
  EXPECT_EQ(ap_int<130>(-5).to_string(), "-5");
  EXPECT_EQ(ap_int<130>("-123456789012345678901234567890").to_string(), "-123456789012345678901234567890");
  EXPECT_DOUBLE_EQ(p.to_double(), std::ldexp(1.0, 199));
  ap_fixed<1024, 512> f = -1.5;
  EXPECT_EQ(f.to_double(), -1.5);
  EXPECT_EQ(f.to_string(), "-1.5");
  auto f2 = f * f;  // ap_fixed<2048, 1024>
  EXPECT_EQ(f2.to_double(), 2.25);
}

TEST(ApInt, BitAndRangeAccess) {
  ap_uint<16> u = 0xA5C3;
  EXPECT_EQ(u.range(7, 0).to_uint(), 0xC3u);
  EXPECT_EQ(u(15, 8).to_uint(), 0xA5u);
  // hi < lo reads the bits in reversed order: the value's MSB is bit hi
  ap_uint<8> r2 = ap_uint<16>(0x0001).range(0, 7);
  EXPECT_EQ(r2.to_uint(), 0x80u);
  ap_uint<16> r3 = 0;
  r3.range(0, 3) = 0x1;  // value bit 0 -> bit 3
  EXPECT_EQ(r3.to_uint(), 0x8u);
  u.range(11, 4) = 0xFF;
  EXPECT_EQ(u.to_uint(), 0xAFF3u);
  u[0] = 0;
  u[15] = false;
  EXPECT_EQ(u.to_uint(), 0x2FF2u);
  EXPECT_TRUE(u[1]);
  EXPECT_FALSE(u[0]);
  u.range(3, 0) = u.range(15, 12);
  EXPECT_EQ(u.to_uint(), 0x2FF2u);
  ap_int<8> s = -1;
  s.range(7, 7) = 0;  // clearing the sign bit
  EXPECT_EQ(s.to_int(), 127);
  s[7] = 1;
  EXPECT_EQ(s.to_int(), -1);
  ap_fixed<8, 4> f = 0;
  f.range(7, 0) = 0x18;  // raw bits: 1.5
  EXPECT_EQ(f.to_double(), 1.5);
  EXPECT_EQ(f.range(7, 0).to_int(), 0x18);
  f[7] = 1;
  EXPECT_EQ(f.to_double(), -6.5);
  EXPECT_TRUE(f.is_neg());
  EXPECT_EQ(f.length(), 8);
  ap_uint<130> w = 0;
  w.range(129, 64) = ap_uint<66>(3);
  EXPECT_TRUE(w == (ap_uint<130>(3) << 64));
  EXPECT_EQ(w.range(65, 64).to_uint(), 3u);
  unsigned long long raw = ap_uint<64>(0x123456789abcdefULL).range(63, 0);
  EXPECT_EQ(raw, 0x123456789abcdefULL);
  ap_uint<12> cat = ap_uint<4>(0xA).concat(ap_int<8>(-2));
  EXPECT_EQ(cat.to_uint(), 0xAFEu);
  auto wide_cat = ap_int<70>(-1).concat(ap_uint<2>(1));
  static_assert(same<decltype(wide_cat), ap_uint<72>>(), "concat type");
  ap_uint<72> cat_expect = 0;
  cat_expect = ~cat_expect;  // 70 ones from ap_int<70>(-1), then 01
  cat_expect[1] = 0;
  EXPECT_TRUE(wide_cat == cat_expect);
  ap_uint<8> oob = 5;
  oob[8] = 1;     // out of range: ignored
  oob[-1] = 1;
  oob.range(12, 6) = 0x7f;  // bits 8..12 are outside: only 6..7 are written
  EXPECT_EQ(oob.to_uint(), 0xC5u);
  EXPECT_TRUE(ap_uint<4>(15).and_reduce());
  EXPECT_FALSE(ap_uint<4>(7).and_reduce());
  EXPECT_TRUE(ap_uint<4>(7).xor_reduce());
  EXPECT_FALSE(ap_uint<4>(0).or_reduce());
}

TEST(ApFixed, ConversionsAndQuirks) {
  ap_fixed<8, 4> f = -7.5;
  EXPECT_EQ(f.to_int(), -7);
  EXPECT_EQ(f.to_int64(), -7);
  EXPECT_EQ(ap_uint<3>(f).to_uint(), 1u);
  EXPECT_EQ(fx8_0(-0.25).to_int(), -1);  // vendor I == 0 quirk
  EXPECT_EQ(fx8_1(-0.25).to_int(), 0);
  double d = fx16_6(2.718281828);
  EXPECT_EQ(d, 2783.0 / 1024);
  EXPECT_EQ(fx16_6(2.718281828).to_float(), 2783.0f / 1024);
  EXPECT_EQ(fx8_12(1234.0).to_string(), "1232");
  EXPECT_EQ(fx9_4(-2.75).to_string(16), "-0x2.c");
  EXPECT_EQ(ufx6_2(1.5).to_string(2), "0b1.1");
  EXPECT_EQ(fx6_3_sym(-4.0).to_double(), -3.875);
  fx16_6 s("2.718281828");
  EXPECT_TRUE(s == fx16_6(2.718281828));
  // decimal text is converted exactly (not via double): the two differ at 62 fraction bits
  unsigned long long tenth = static_cast<unsigned long long>((static_cast<u128>(1) << 62) / 10);  // .4 rounds down
  EXPECT_EQ(fx64_2_rnd("0.1").range(63, 0).to_uint64(), tenth);
  EXPECT_FALSE(fx64_2_rnd("0.1") == fx64_2_rnd(0.1));
  EXPECT_EQ(fx16_8("-0x1.8").to_double(), -1.5);
  EXPECT_EQ(fx16_8("1.25e1").to_double(), 12.5);
  // UG1399's overflow examples, including the sign-magnitude wrap
  EXPECT_EQ(fx4_4_wsm(19.0).to_int(), -4);
  EXPECT_EQ(fx4_4_wsm(-19.0).to_int(), 2);
  EXPECT_EQ(fx4_4_w(31.0).to_int(), -1);
  EXPECT_EQ(ufx4_4_w(-19.0).to_int(), 13);
}

TEST(ApFixed, CompoundIncrementAndMixedTypes) {
  ap_fixed<8, 3, AP_RND, AP_SAT> acc = 3.5;
  acc += ap_fixed<16, 6>(0.40625);
  EXPECT_EQ(acc.to_double(), 3.90625);
  acc += 1;  // saturates
  EXPECT_EQ(acc.to_double(), 3.96875);
  acc -= 0.5;
  EXPECT_EQ(acc.to_double(), 3.46875);
  acc *= 2;
  EXPECT_EQ(acc.to_double(), 3.96875);
  acc = -1.0;
  acc /= ap_fixed<8, 4>(4);
  EXPECT_EQ(acc.to_double(), -0.25);
  ap_ufixed<4, 2> u = 3.5;
  ++u;  // wraps: 4.5 -> 0.5
  EXPECT_EQ(u.to_double(), 0.5);
  u--;
  EXPECT_EQ(u.to_double(), 3.5);
  ap_fixed<8, 3> a = -1.25;
  EXPECT_TRUE(a < 0);
  EXPECT_TRUE(0 > a);
  EXPECT_TRUE(a == -1.25);
  EXPECT_TRUE(a > -2.0f);
  EXPECT_TRUE(a != ap_int<4>(-1));
  EXPECT_EQ((a * 4).to_int(), -5);
  EXPECT_EQ((a - 1u).to_double(), -2.25);
  ap_int<8> i8 = 5;
  EXPECT_EQ((a + i8).to_double(), 3.75);
  // quotient keeps the dividend's fraction bits (none for an ap_int): 5 / 2 -> 2
  EXPECT_EQ((i8 / ap_fixed<8, 4>(2)).to_double(), 2.0);
  EXPECT_EQ((ap_fixed<12, 8>(5) / ap_fixed<8, 4>(2)).to_double(), 2.5);
  EXPECT_EQ(((a << 1) >> 2).to_double(), -0.625);
  EXPECT_EQ((ap_ufixed<8, 3>(7.75) >> 1).to_double(), 3.875);
  EXPECT_EQ((ap_fixed<8, 3>(1.75) << 1).to_double(), 3.5);
  int arr[4] = {10, 11, 12, 13};
  ap_uint<2> idx = 3;
  EXPECT_EQ(arr[idx], 13);
  int sum = 0;
  for (ap_uint<3> k = 0; k < 4; ++k) sum += k;
  EXPECT_EQ(sum, 6);
}

TEST(ApFixed, StreamsAndText) {
  std::ostringstream os;
  os << ap_fixed<8, 3, AP_RND, AP_SAT>(0.3) << " " << ap_int<100>(-42) << " " << std::hex << ap_uint<12>(0xabc) << " "
     << ap_int<8>(-1) << std::dec;
  EXPECT_EQ(os.str(), "0.3125 -42 abc ff");
  std::istringstream is("-2.5 77");
  ap_fixed<8, 4> f;
  ap_uint<7> n;
  is >> f >> n;
  EXPECT_EQ(f.to_double(), -2.5);
  EXPECT_EQ(n.to_uint(), 77u);
  EXPECT_EQ(ufx12_m3(0.0625).to_string(), "0.0625");
  EXPECT_EQ(fx24_24(-8388608).to_string(), "-8388608");
  EXPECT_EQ(ap_int<8>(-1).to_string(10, false), "255");
}

TEST(HlsStyle, DenseReluMatchesIndependentModel) {
  using hls_style::kIn;
  using hls_style::kOut;
  std::mt19937 rng(11);
  for (int trial = 0; trial < 50; ++trial) {
    double in[kIn], w[kIn * kOut], b[kOut], out[kOut];
    // on-grid values: inputs k/1024 within ap_fixed<16,6>, weights k/32 within ap_fixed<8,3>
    for (unsigned i = 0; i < kIn; ++i) in[i] = static_cast<int>(rng() % 40000 - 20000) / 1024.0;
    for (unsigned i = 0; i < kIn * kOut; ++i) w[i] = static_cast<int>(rng() % 256 - 128) / 32.0;
    for (unsigned i = 0; i < kOut; ++i) b[i] = static_cast<int>(rng() % 256 - 128) / 32.0;
    hls_style::dense_relu(in, w, b, out);
    for (unsigned j = 0; j < kOut; ++j) {
      double acc = b[j];
      for (unsigned i = 0; i < kIn; ++i) acc += in[i] * w[i * kOut + j];  // exact: 2^-15 grid, < 2^53
      // accum ap_fixed<32,12> holds it exactly; result ap_fixed<16,6,AP_RND_CONV,AP_SAT>:
      double r = std::nearbyint(acc * 1024) / 1024;  // ties to even
      r = std::fmin(std::fmax(r, -32.0), 32.0 - 1.0 / 1024);
      if (r < 0) r = 0;  // relu
      EXPECT_EQ(out[j], r) << "trial " << trial << " output " << j;
    }
  }
}

TEST(HlsStyle, BitTricksAndIntConversions) {
  unsigned v = 0x8A5Bu;  // top bit 1, low nibble 0xB, bits 4..7 = 0x5
  unsigned expect = (0xBu << 12) | 1u | (static_cast<unsigned>((~0x5u) & 0xFu) << 4);
  EXPECT_EQ(hls_style::bit_tricks(v), expect + 22u);
  // ap_fixed<12,8>: 3.75 + (-2.5) = 1.25 -> 1; (3.75 << 1) = 7.5 -> 7; (-2.5 >> 1) = -1.25 -> -1
  EXPECT_EQ(hls_style::to_int_sum(3.75, -2.5), 1 + 7 - 1);
}

}  // namespace
