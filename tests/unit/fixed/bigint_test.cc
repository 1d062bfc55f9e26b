// BigInt: against native i128 arithmetic where it fits, and by algebraic identities on
// multi-limb values (up to ~2100 bits, the widest full-precision results).
#include "tachyon/fixed/bigint.h"

#include <gtest/gtest.h>

#include <string>

namespace tachyon {
namespace {

struct Rng {
  uint64_t s = 0x9e3779b97f4a7c15ULL;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

std::string i128_to_string(i128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  u128 a = neg ? static_cast<u128>(0) - static_cast<u128>(v) : static_cast<u128>(v);
  std::string s;
  while (a) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(a % 10)));
    a /= 10;
  }
  return neg ? "-" + s : s;
}

// A random i128 with a random number of significant bits (<= bits).
i128 random_i128(Rng& r, int bits) {
  int b = static_cast<int>(r.next() % static_cast<uint64_t>(bits + 1));
  u128 v = (static_cast<u128>(r.next()) << 64) | r.next();
  v = b == 0 ? 0 : (b >= 128 ? v : v & ((static_cast<u128>(1) << b) - 1));
  i128 x = static_cast<i128>(v >> 1);
  return (r.next() & 1) ? -x : x;
}

// A random multi-limb BigInt of up to `limbs` limbs.
BigInt random_big(Rng& r, int limbs) {
  int n = 1 + static_cast<int>(r.next() % static_cast<uint64_t>(limbs));
  std::string hex;
  for (int i = 0; i < n; ++i) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(r.next()));
    hex += buf;
  }
  BigInt x;
  EXPECT_TRUE(BigInt::from_hex(hex, &x));
  x = x.shr(static_cast<int64_t>(r.next() % 64));
  return (r.next() & 1) ? -x : x;
}

TEST(BigInt, MatchesI128) {
  Rng r;
  for (int it = 0; it < 20000; ++it) {
    i128 a = random_i128(r, 125), b = random_i128(r, 125);
    BigInt A = BigInt::from_i128(a), B = BigInt::from_i128(b);
    ASSERT_EQ(A.low_i128(), a);
    ASSERT_EQ((A + B).low_i128(), a + b);
    ASSERT_EQ((A - B).low_i128(), a - b);
    ASSERT_EQ((-A).low_i128(), -a);
    ASSERT_EQ(A.to_dec(), i128_to_string(a));
    BigInt parsed;
    ASSERT_TRUE(BigInt::from_dec(i128_to_string(a), &parsed));
    ASSERT_EQ(parsed, A);
    ASSERT_EQ(A < B, a < b);
    ASSERT_EQ(A == B, a == b);
    ASSERT_EQ(A.sign(), a < 0 ? -1 : (a > 0 ? 1 : 0));
    i128 sa = random_i128(r, 62), sb = random_i128(r, 62);
    ASSERT_EQ((BigInt::from_i128(sa) * BigInt::from_i128(sb)).low_i128(), sa * sb);
    int k = static_cast<int>(r.next() % 130);
    ASSERT_EQ(A.shr(k).low_i128(), k >= 127 ? (a < 0 ? -1 : 0) : (a >> k));
    ASSERT_EQ(A.low_bits_zero(k), k >= 127 ? a == 0 : (a & ((static_cast<i128>(1) << k) - 1)) == 0);
    int kk = static_cast<int>(r.next() % 3);
    ASSERT_EQ(BigInt::from_i128(sa).shl(kk).low_i128(), sa * (static_cast<i128>(1) << kk));
    int bit = static_cast<int>(r.next() % 140);
    ASSERT_EQ(A.bit(bit), bit >= 127 ? a < 0 : ((a >> bit) & 1) != 0);
    // bit_length: the smallest L with -2^L <= a < 2^L.
    int64_t L = A.bit_length();
    ASSERT_TRUE(L <= 127);
    if (L < 126) {
      ASSERT_LT(a, static_cast<i128>(1) << L);
      ASSERT_GE(a, -(static_cast<i128>(1) << L));
    }
    if (L > 0) {
      ASSERT_TRUE(a >= (static_cast<i128>(1) << (L - 1)) || a < -(static_cast<i128>(1) << (L - 1)));
    }
    // Wrapping to w bits.
    int w = 1 + static_cast<int>(r.next() % 100);
    i128 m = static_cast<i128>(1) << w;
    i128 u = a % m;
    if (u < 0) u += m;
    ASSERT_EQ(A.wrap_unsigned(w).low_i128(), u);
    ASSERT_EQ(A.wrap_signed(w).low_i128(), u >= m / 2 ? u - m : u);
    // Division by a small divisor, truncated toward zero as C's '/' on i128.
    uint64_t d = 1 + r.next() % ((r.next() & 1) ? 7 : (uint64_t{1} << 62));
    ASSERT_EQ(A.div_trunc(d).low_i128(), a / static_cast<i128>(d));
  }
}

TEST(BigInt, DivTruncOnWideValues) {
  Rng r;
  for (int it = 0; it < 2000; ++it) {
    BigInt x = random_big(r, 30);
    uint64_t d = 1 + r.next() % (uint64_t{1} << 40);
    BigInt q = x.div_trunc(d), rem = x - q * BigInt::from_u64(d);
    // x = q d + rem with |rem| < d and rem carrying x's sign (or zero).
    ASSERT_LT(rem.abs(), BigInt::from_u64(d));
    ASSERT_TRUE(rem.is_zero() || rem.is_negative() == x.is_negative());
  }
}

TEST(BigInt, IdentitiesOnWideValues) {
  Rng r;
  for (int it = 0; it < 3000; ++it) {
    BigInt a = random_big(r, 34), b = random_big(r, 34), c = random_big(r, 20);
    ASSERT_EQ((a + b) - b, a);
    ASSERT_EQ(a - a, BigInt());
    ASSERT_EQ(a * b, b * a);
    ASSERT_EQ(a * (b + c), a * b + a * c);
    ASSERT_EQ(-(-a), a);
    ASSERT_EQ(a * BigInt(-1), -a);
    int k = static_cast<int>(r.next() % 700);
    ASSERT_EQ(a.shl(k).shr(k), a);
    ASSERT_EQ(a.shl(k), a * BigInt::pow2(k));
    // shr is floor division: q * 2^k <= a < (q + 1) * 2^k.
    BigInt q = a.shr(k);
    ASSERT_LE(q.shl(k), a);
    ASSERT_GT((q + BigInt(1)).shl(k), a);
    ASSERT_EQ(a.low_bits_zero(k), q.shl(k) == a);
    BigInt parsed;
    ASSERT_TRUE(BigInt::from_dec(a.to_dec(), &parsed));
    ASSERT_EQ(parsed, a);
    int w = 1 + static_cast<int>(r.next() % 2200);
    BigInt ws = a.wrap_signed(w), wu = a.wrap_unsigned(w);
    ASSERT_TRUE((a - ws).low_bits_zero(w));
    ASSERT_TRUE((a - wu).low_bits_zero(w));
    ASSERT_LT(ws.bit_length(), w);
    ASSERT_FALSE(wu.is_negative());
    ASSERT_LE(wu.bit_length(), w);
    BigInt hex_back;
    ASSERT_TRUE(BigInt::from_hex(wu.to_hex(w), &hex_back));
    ASSERT_EQ(hex_back, wu);
    ASSERT_EQ(a.abs() * b.abs(), (a * b).abs());
    ASSERT_EQ((a * b).is_negative(), !a.is_zero() && !b.is_zero() && (a.is_negative() != b.is_negative()));
  }
}

TEST(BigInt, PowersOfTwoInDecimal) {
  // 2^k by repeated decimal doubling of a string.
  std::string dec = "1";
  for (int k = 0; k <= 2100; ++k) {
    ASSERT_EQ(BigInt::pow2(k).to_dec(), dec) << k;
    ASSERT_EQ((-BigInt::pow2(k)).to_dec(), "-" + dec) << k;
    int carry = 0;
    for (size_t i = dec.size(); i-- > 0;) {
      int d = (dec[i] - '0') * 2 + carry;
      dec[i] = static_cast<char>('0' + d % 10);
      carry = d / 10;
    }
    if (carry) dec.insert(dec.begin(), '1');
  }
}

TEST(BigInt, HexAndEdgeCases) {
  BigInt x;
  ASSERT_TRUE(BigInt::from_hex("0xff", &x));
  EXPECT_EQ(x.to_dec(), "255");
  EXPECT_EQ(x.to_hex(12), "0x0ff");
  EXPECT_EQ(BigInt(-1).to_hex(10), "0x3ff");
  EXPECT_EQ(BigInt(-2).to_hex(5), "0x1e");
  EXPECT_FALSE(BigInt::from_hex("0x", &x));
  EXPECT_FALSE(BigInt::from_hex("12g", &x));
  EXPECT_FALSE(BigInt::from_dec("", &x));
  EXPECT_FALSE(BigInt::from_dec("1-2", &x));
  EXPECT_EQ(BigInt(INT64_MIN).to_dec(), "-9223372036854775808");
  EXPECT_EQ(BigInt(INT64_MIN) * BigInt(INT64_MIN), BigInt::pow2(126));
  EXPECT_EQ(BigInt::from_u64(~uint64_t{0}).to_dec(), "18446744073709551615");
  EXPECT_EQ(BigInt(-1).bit_length(), 0);
  EXPECT_EQ(BigInt(0).bit_length(), 0);
  EXPECT_EQ(BigInt(-2).bit_length(), 1);
  // Copies and moves keep values, inline and on the heap.
  BigInt big = BigInt::pow2(1000) - BigInt(3);
  BigInt copy = big, moved = std::move(copy);
  EXPECT_EQ(moved, big);
  BigInt small(5);
  small = big;
  EXPECT_EQ(small, big);
  small = BigInt(7);
  EXPECT_EQ(small.to_dec(), "7");
  BigInt self = big;
  self = static_cast<const BigInt&>(self);
  EXPECT_EQ(self, big);
}

}  // namespace
}  // namespace tachyon
