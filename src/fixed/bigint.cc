// BigInt implementation (two's complement limbs, see bigint.h).
#include "tachyon/fixed/bigint.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace tachyon {

namespace {
constexpr uint64_t kAllOnes = ~uint64_t{0};
}  // namespace

// ---- storage ---------------------------------------------------------------------------

void BigInt::reset(int n) {
  if (n > cap_) {
    delete[] heap_;
    heap_ = new uint64_t[static_cast<size_t>(n)];
    cap_ = n;
  }
  n_ = n;
}

BigInt::BigInt(const BigInt& o) : n_(1) {
  reset(o.n_);
  std::memcpy(data(), o.data(), sizeof(uint64_t) * static_cast<size_t>(n_));
}

BigInt::BigInt(BigInt&& o) noexcept : n_(o.n_), cap_(o.cap_), heap_(o.heap_) {
  if (!heap_) std::memcpy(inline_, o.inline_, sizeof(uint64_t) * static_cast<size_t>(n_));
  o.heap_ = nullptr;
  o.cap_ = kInline;
  o.n_ = 1;
  o.inline_[0] = 0;
}

BigInt& BigInt::operator=(const BigInt& o) {
  if (this != &o) {
    reset(o.n_);
    std::memcpy(data(), o.data(), sizeof(uint64_t) * static_cast<size_t>(n_));
  }
  return *this;
}

BigInt& BigInt::operator=(BigInt&& o) noexcept {
  if (this == &o) return *this;
  if (o.heap_) {
    delete[] heap_;
    heap_ = o.heap_;
    cap_ = o.cap_;
    n_ = o.n_;
    o.heap_ = nullptr;
    o.cap_ = kInline;
    o.n_ = 1;
    o.inline_[0] = 0;
  } else {
    reset(o.n_);
    std::memcpy(data(), o.inline_, sizeof(uint64_t) * static_cast<size_t>(n_));
  }
  return *this;
}

void BigInt::normalize() {
  uint64_t* d = data();
  while (n_ > 1) {
    uint64_t top = d[n_ - 1];
    bool below_neg = static_cast<int64_t>(d[n_ - 2]) < 0;
    if ((top == 0 && !below_neg) || (top == kAllOnes && below_neg))
      --n_;
    else
      break;
  }
}

// ---- construction ----------------------------------------------------------------------

BigInt BigInt::from_u64(uint64_t v) {
  BigInt r;
  r.reset(2);
  r.data()[0] = v;
  r.data()[1] = 0;
  r.normalize();
  return r;
}

BigInt BigInt::from_i128(i128 v) {
  BigInt r;
  r.reset(2);
  r.data()[0] = static_cast<uint64_t>(static_cast<u128>(v));
  r.data()[1] = static_cast<uint64_t>(static_cast<u128>(v) >> 64);
  r.normalize();
  return r;
}

i128 BigInt::low_i128() const {
  u128 v = (static_cast<u128>(limb(1)) << 64) | limb(0);
  return static_cast<i128>(v);
}

BigInt BigInt::pow2(int k) {
  BigInt r;
  int n = k / 64 + 2;
  r.reset(n);
  std::fill(r.data(), r.data() + n, 0);
  r.data()[k / 64] = uint64_t{1} << (k % 64);
  r.normalize();
  return r;
}

bool BigInt::from_hex(std::string_view hex, BigInt* out) {
  if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
  if (hex.empty()) return false;
  int nbits = static_cast<int>(hex.size()) * 4;
  BigInt r;
  int n = nbits / 64 + 2;
  r.reset(n);
  std::fill(r.data(), r.data() + n, 0);
  for (size_t i = 0; i < hex.size(); ++i) {
    char c = hex[hex.size() - 1 - i];
    uint64_t d;
    if (c >= '0' && c <= '9')
      d = static_cast<uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      d = static_cast<uint64_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      d = static_cast<uint64_t>(c - 'A' + 10);
    else
      return false;
    r.data()[i / 16] |= d << (4 * (i % 16));
  }
  r.normalize();
  *out = std::move(r);
  return true;
}

bool BigInt::from_dec(std::string_view dec, BigInt* out) {
  bool neg = false;
  if (!dec.empty() && dec[0] == '-') {
    neg = true;
    dec.remove_prefix(1);
  }
  if (dec.empty()) return false;
  BigInt r;
  const BigInt ten(10);
  for (char c : dec) {
    if (c < '0' || c > '9') return false;
    r = r * ten + BigInt(c - '0');
  }
  *out = neg ? -r : r;
  return true;
}

// ---- queries ---------------------------------------------------------------------------

bool BigInt::low_bits_zero(int64_t k) const {
  if (k <= 0) return true;
  if (k > int64_t{64} * n_) return is_zero();  // bits beyond the limbs are sign bits
  int64_t full = k >> 6;
  const uint64_t* d = data();
  for (int64_t i = 0; i < full; ++i)
    if (d[i] != 0) return false;
  int rem = static_cast<int>(k & 63);
  if (rem == 0) return true;
  return (limb(full) & ((uint64_t{1} << rem) - 1)) == 0;
}

int64_t BigInt::bit_length() const {
  const uint64_t* d = data();
  uint64_t ext = is_negative() ? kAllOnes : 0;
  for (int i = n_ - 1; i >= 0; --i) {
    uint64_t v = d[i] ^ ext;
    if (v) return int64_t{64} * i + (64 - __builtin_clzll(v));
  }
  return 0;
}

BigInt BigInt::wrap_unsigned(int w) const {
  BigInt r;
  int n = (w + 63) / 64 + 1;  // one extra zero limb keeps it non-negative
  r.reset(n);
  for (int i = 0; i < n; ++i) r.data()[i] = limb(i);
  int top = w / 64, rem = w % 64;
  if (rem) r.data()[top] &= (uint64_t{1} << rem) - 1;
  else r.data()[top] = 0;
  for (int i = top + 1; i < n; ++i) r.data()[i] = 0;
  r.normalize();
  return r;
}

BigInt BigInt::wrap_signed(int w) const {
  BigInt r;
  int n = (w + 63) / 64;
  r.reset(n);
  for (int i = 0; i < n; ++i) r.data()[i] = limb(i);
  int rem = w % 64;
  if (rem) {
    int sh = 64 - rem;
    r.data()[n - 1] = static_cast<uint64_t>(static_cast<int64_t>(r.data()[n - 1] << sh) >> sh);
  }
  r.normalize();
  return r;
}

// ---- arithmetic ------------------------------------------------------------------------

BigInt operator+(const BigInt& a, const BigInt& b) {
  int n = std::max(a.n_, b.n_) + 1;
  BigInt r;
  r.reset(n);
  uint64_t* d = r.data();
  uint64_t carry = 0;
  for (int i = 0; i < n; ++i) {
    u128 s = static_cast<u128>(a.limb(i)) + b.limb(i) + carry;
    d[i] = static_cast<uint64_t>(s);
    carry = static_cast<uint64_t>(s >> 64);
  }
  r.normalize();
  return r;
}

BigInt operator-(const BigInt& a, const BigInt& b) {
  int n = std::max(a.n_, b.n_) + 1;
  BigInt r;
  r.reset(n);
  uint64_t* d = r.data();
  uint64_t carry = 1;  // a + ~b + 1
  for (int i = 0; i < n; ++i) {
    u128 s = static_cast<u128>(a.limb(i)) + static_cast<uint64_t>(~b.limb(i)) + carry;
    d[i] = static_cast<uint64_t>(s);
    carry = static_cast<uint64_t>(s >> 64);
  }
  r.normalize();
  return r;
}

BigInt BigInt::operator-() const { return BigInt() - *this; }

namespace {
// Magnitude of x as unsigned limbs (n limbs suffice: |x| <= 2^(64n-1)).
void magnitude(const BigInt& x, std::vector<uint64_t>& out) {
  int n = x.limb_count();
  out.resize(static_cast<size_t>(n));
  if (!x.is_negative()) {
    for (int i = 0; i < n; ++i) out[static_cast<size_t>(i)] = x.limb(i);
    return;
  }
  uint64_t carry = 1;
  for (int i = 0; i < n; ++i) {
    u128 s = static_cast<u128>(~x.limb(i)) + carry;
    out[static_cast<size_t>(i)] = static_cast<uint64_t>(s);
    carry = static_cast<uint64_t>(s >> 64);
  }
}
}  // namespace

class BigIntBuilder {
 public:
  // Builds a BigInt from an unsigned magnitude and a sign.
  static BigInt from_magnitude(const uint64_t* mag, int n, bool negative) {
    BigInt r;
    r.reset(n + 1);
    uint64_t* d = r.data();
    for (int i = 0; i < n; ++i) d[i] = mag[i];
    d[n] = 0;
    if (negative) {
      uint64_t carry = 1;
      for (int i = 0; i <= n; ++i) {
        u128 s = static_cast<u128>(~d[i]) + carry;
        d[i] = static_cast<uint64_t>(s);
        carry = static_cast<uint64_t>(s >> 64);
      }
    }
    r.normalize();
    return r;
  }
};

BigInt operator*(const BigInt& a, const BigInt& b) {
  if (a.n_ == 1 && b.n_ == 1) {
    i128 p = static_cast<i128>(a.low_i64()) * b.low_i64();
    return BigInt::from_i128(p);
  }
  thread_local std::vector<uint64_t> ma, mb, prod;
  magnitude(a, ma);
  magnitude(b, mb);
  size_t n = ma.size() + mb.size();
  prod.assign(n, 0);
  for (size_t i = 0; i < ma.size(); ++i) {
    uint64_t carry = 0;
    if (ma[i] == 0) continue;
    for (size_t j = 0; j < mb.size(); ++j) {
      u128 t = static_cast<u128>(ma[i]) * mb[j] + prod[i + j] + carry;
      prod[i + j] = static_cast<uint64_t>(t);
      carry = static_cast<uint64_t>(t >> 64);
    }
    prod[i + mb.size()] = carry;
  }
  return BigIntBuilder::from_magnitude(prod.data(), static_cast<int>(n), a.is_negative() != b.is_negative());
}

BigInt BigInt::shl(int64_t k) const {
  if (k < 0) return shr(-k);
  if (k == 0 || is_zero()) return *this;
  int64_t words = k >> 6;
  int bits = static_cast<int>(k & 63);
  int n = n_ + static_cast<int>(words) + 1;
  BigInt r;
  r.reset(n);
  uint64_t* d = r.data();
  for (int64_t i = 0; i < words; ++i) d[i] = 0;
  for (int i = 0; i < n_ + 1; ++i) {
    uint64_t lo = limb(i);
    uint64_t v = bits ? (lo << bits) | (i > 0 ? limb(i - 1) >> (64 - bits) : 0) : lo;
    d[words + i] = v;
  }
  r.normalize();
  return r;
}

BigInt BigInt::shr(int64_t k) const {
  if (k < 0) return shl(-k);
  if (k == 0) return *this;
  int64_t words = k >> 6;
  int bits = static_cast<int>(k & 63);
  if (words >= n_) return BigInt(is_negative() ? -1 : 0);
  int n = n_ - static_cast<int>(words);
  BigInt r;
  r.reset(n);
  uint64_t* d = r.data();
  for (int i = 0; i < n; ++i) {
    uint64_t lo = limb(words + i);
    d[i] = bits ? (lo >> bits) | (limb(words + i + 1) << (64 - bits)) : lo;
  }
  r.normalize();
  return r;
}

BigInt BigInt::div_trunc(uint64_t d) const {
  std::vector<uint64_t> mag;
  magnitude(*this, mag);
  // Long division of the magnitude, most significant limb first.
  u128 rem = 0;
  for (size_t i = mag.size(); i-- > 0;) {
    u128 cur = (rem << 64) | mag[i];
    mag[i] = static_cast<uint64_t>(cur / d);
    rem = cur % d;
  }
  return BigIntBuilder::from_magnitude(mag.data(), static_cast<int>(mag.size()), is_negative());
}

bool operator==(const BigInt& a, const BigInt& b) {
  if (a.n_ != b.n_) return false;
  return std::memcmp(a.data(), b.data(), sizeof(uint64_t) * static_cast<size_t>(a.n_)) == 0;
}

std::strong_ordering operator<=>(const BigInt& a, const BigInt& b) {
  bool na = a.is_negative(), nb = b.is_negative();
  if (na != nb) return na ? std::strong_ordering::less : std::strong_ordering::greater;
  int n = std::max(a.n_, b.n_);
  for (int i = n - 1; i >= 0; --i) {
    uint64_t x = a.limb(i), y = b.limb(i);
    if (x != y) return x < y ? std::strong_ordering::less : std::strong_ordering::greater;
  }
  return std::strong_ordering::equal;
}

// ---- text ------------------------------------------------------------------------------

std::string BigInt::to_hex(int w) const {
  static const char kDigits[] = "0123456789abcdef";
  int nd = (w + 3) / 4;
  std::string s(static_cast<size_t>(nd) + 2, '0');
  s[1] = 'x';
  for (int i = 0; i < nd; ++i) {
    int bit = 4 * i;
    uint64_t d = (limb(bit / 64) >> (bit % 64)) & 0xf;
    int valid = std::min(4, w - bit);  // bits above w are 0
    d &= (uint64_t{1} << valid) - 1;
    s[s.size() - 1 - static_cast<size_t>(i)] = kDigits[d];
  }
  return s;
}

std::string BigInt::to_dec() const {
  if (is_zero()) return "0";
  thread_local std::vector<uint64_t> mag;
  magnitude(*this, mag);
  size_t n = mag.size();
  while (n > 0 && mag[n - 1] == 0) --n;
  constexpr uint64_t kChunk = 10000000000000000000ULL;  // 10^19
  std::vector<uint64_t> chunks;                          // base 10^19, little-endian
  while (n > 0) {
    u128 rem = 0;
    for (size_t i = n; i-- > 0;) {
      u128 cur = (rem << 64) | mag[i];
      mag[i] = static_cast<uint64_t>(cur / kChunk);
      rem = cur % kChunk;
    }
    chunks.push_back(static_cast<uint64_t>(rem));
    while (n > 0 && mag[n - 1] == 0) --n;
  }
  std::string s = is_negative() ? "-" : "";
  s += std::to_string(chunks.back());
  for (size_t i = chunks.size() - 1; i-- > 0;) {
    std::string part = std::to_string(chunks[i]);
    s.append(19 - part.size(), '0');
    s += part;
  }
  return s;
}

}  // namespace tachyon
