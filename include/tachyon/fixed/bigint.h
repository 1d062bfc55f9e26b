// BigInt: a small arbitrary-precision signed integer for the fixed-point core.
//
// Representation: two's complement in 64-bit limbs, little-endian, normalized to the
// fewest limbs whose sign extension gives the value (so 0 and -1 are one limb). Values up
// to 4 limbs (256 bits) live inline; wider ones use the heap. Only the operations the
// fixed-point core needs are provided; all of them are exact.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace tachyon {

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

class BigInt {
 public:
  BigInt() : n_(1) { inline_[0] = 0; }
  explicit BigInt(int64_t v) : n_(1) { inline_[0] = static_cast<uint64_t>(v); }
  static BigInt from_u64(uint64_t v);
  static BigInt from_i128(i128 v);
  static BigInt pow2(int k);  // 2^k, k >= 0
  // Non-negative integer from hex digits (optional 0x prefix, no sign). Returns false on
  // an empty string or a non-hex character.
  static bool from_hex(std::string_view hex, BigInt* out);
  // Decimal integer with optional leading '-'. Returns false if malformed.
  static bool from_dec(std::string_view dec, BigInt* out);

  BigInt(const BigInt& o);
  BigInt(BigInt&& o) noexcept;
  BigInt& operator=(const BigInt& o);
  BigInt& operator=(BigInt&& o) noexcept;
  ~BigInt() { delete[] heap_; }

  bool is_zero() const { return n_ == 1 && data()[0] == 0; }
  bool is_negative() const { return static_cast<int64_t>(data()[n_ - 1]) < 0; }
  int sign() const { return is_negative() ? -1 : (is_zero() ? 0 : 1); }
  bool is_odd() const { return data()[0] & 1; }

  // Bit i of the (infinitely sign-extended) two's-complement representation.
  bool bit(int64_t i) const {
    int64_t l = i >> 6;
    return (limb(l) >> (i & 63)) & 1;
  }
  // True iff bits 0..k-1 are all zero (i.e. the value is a multiple of 2^k).
  bool low_bits_zero(int64_t k) const;
  // Number of bits needed excluding the sign: for x >= 0 the position of the highest set
  // bit + 1 (0 for 0); for x < 0 that of ~x. A signed W-bit container holds x iff
  // bit_length() < W.
  int64_t bit_length() const;

  // Value modulo 2^w in [0, 2^w) (w >= 1).
  BigInt wrap_unsigned(int w) const;
  // Value modulo 2^w in [-2^(w-1), 2^(w-1)) (w >= 1).
  BigInt wrap_signed(int w) const;

  bool fits_int64() const { return n_ == 1; }
  bool fits_i128() const { return n_ <= 2; }
  int64_t low_i64() const { return static_cast<int64_t>(data()[0]); }  // value mod 2^64
  uint64_t low_u64() const { return data()[0]; }
  i128 low_i128() const;  // value mod 2^128, as signed

  BigInt operator-() const;
  BigInt abs() const { return is_negative() ? -*this : *this; }
  friend BigInt operator+(const BigInt& a, const BigInt& b);
  friend BigInt operator-(const BigInt& a, const BigInt& b);
  friend BigInt operator*(const BigInt& a, const BigInt& b);
  BigInt& operator+=(const BigInt& b) { return *this = *this + b; }
  BigInt& operator-=(const BigInt& b) { return *this = *this - b; }
  BigInt shl(int64_t k) const;  // * 2^k (k < 0: shr(-k))
  BigInt shr(int64_t k) const;  // floor(x / 2^k) (k < 0: shl(-k))
  // x / d truncated toward zero (C's integer division), d >= 1.
  BigInt div_trunc(uint64_t d) const;

  friend bool operator==(const BigInt& a, const BigInt& b);
  friend std::strong_ordering operator<=>(const BigInt& a, const BigInt& b);

  // Low `w` bits as "0x" + ceil(w/4) lower-case hex digits (w >= 1).
  std::string to_hex(int w) const;
  std::string to_dec() const;  // exact decimal, '-' for negative values

  int limb_count() const { return n_; }
  uint64_t limb(int64_t i) const {
    if (i < n_) return data()[i];
    return is_negative() ? ~uint64_t{0} : 0;
  }

 private:
  static constexpr int kInline = 4;
  const uint64_t* data() const { return heap_ ? heap_ : inline_; }
  uint64_t* data() { return heap_ ? heap_ : inline_; }
  // Makes room for n limbs (contents unspecified) and sets n_ = n.
  void reset(int n);
  void normalize();
  friend class BigIntBuilder;

  int n_;
  int cap_ = kInline;
  uint64_t inline_[kInline];
  uint64_t* heap_ = nullptr;
};

}  // namespace tachyon
