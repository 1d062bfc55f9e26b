// Fixed: a runtime fixed-point value of any FixedType (width 1..1024 and the wider
// full-precision results of arithmetic), bit-exact with the vendor's ap_fixed.
//
// A Fixed holds its type and the integer k = raw code read as signed (ap_fixed) or
// unsigned (ap_ufixed); its value is k * 2^(I-W). All arithmetic is exact (BigInt);
// conversions apply the target's quantization then overflow (README notes 1-3).
// For widths <= 64 in inner loops use fast.h instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tachyon/fixed/bigint.h"
#include "tachyon/fixed/fixed_type.h"
#include "tachyon/fixed/vendor_quirks.h"

namespace tachyon {

// Range of t's raw codes k (value k * 2^(I-W)): -2^(W-1) .. 2^(W-1)-1 signed, 0 .. 2^W-1 unsigned.
BigInt code_min(const FixedType& t);
BigInt code_max(const FixedType& t);

class Fixed {
 public:
  explicit Fixed(const FixedType& t);  // zero

  // Exact value of the double, then t's Q, then t's O. ±inf behave like ±2^1024; NaN
  // gives 0 (and sets *overflow). *overflow (if non-null) is set to true when the O step
  // changed the value, left untouched otherwise (same for every function below).
  static Fixed from_double(double v, const FixedType& t, bool* overflow = nullptr);
  // The low W bits of raw_bits (two's complement), read as t's raw code.
  static Fixed from_raw(const BigInt& raw_bits, const FixedType& t);
  // Hex digits (optional 0x) of the raw code, as in the golden vectors; throws
  // tachyon::Error if malformed or if bits above W are set.
  static Fixed from_bits_hex(std::string_view hex, const FixedType& t);
  // The exact value num * 2^(-frac) converted to t (Q then O).
  static Fixed from_exact(const BigInt& num, int64_t frac, const FixedType& t, bool* overflow = nullptr);

  const FixedType& type() const { return type_; }
  // The integer k (value = k * 2^(I-W)): sign-extended for signed types, zero-extended for
  // unsigned ones.
  const BigInt& raw() const { return raw_; }
  bool is_zero() const { return raw_.is_zero(); }

  // Conversion (assignment) to another type: `to`'s Q then O; the source's own Q/O/N
  // play no role.
  Fixed cast(const FixedType& to, bool* overflow = nullptr) const;

  // Full precision, result types mul_type/add_type/sub_type/neg_type (never overflow).
  friend Fixed operator+(const Fixed& a, const Fixed& b);
  friend Fixed operator-(const Fixed& a, const Fixed& b);
  friend Fixed operator*(const Fixed& a, const Fixed& b);
  Fixed operator-() const;

  // acc op= b: the full-precision result of acc op b, then one cast into acc's own type.
  Fixed& add_assign(const Fixed& b, bool* overflow = nullptr);
  Fixed& sub_assign(const Fixed& b, bool* overflow = nullptr);
  Fixed& mul_assign(const Fixed& b, bool* overflow = nullptr);

  // Vendor-exact comparisons, including the mixed-signedness quirks (vendor_quirks.h).
  using CmpResult = FixedCmpResult;
  static CmpResult compare(const Fixed& a, const Fixed& b);
  // Mathematically exact comparison: -1, 0 or 1.
  static int compare_exact(const Fixed& a, const Fixed& b);

  // a << k, a >> k with the vendor's semantics: same type (Q/O/N included), no
  // quantization or saturation; << drops bits shifted out (0 if k >= W); >> is arithmetic
  // for signed, logical for unsigned (all sign bits if k >= W); negative k shifts the
  // other way.
  Fixed shl(int k) const;
  Fixed shr(int k) const;

  double to_double() const;  // correctly rounded (nearest even), ±inf beyond range
  float to_float() const;    // correctly rounded, except the vendor's garbage when the
                             // float would overflow or be subnormal (vendor quirk 3)

  // ap_int<width> / ap_uint<width> from this value: truncation toward zero, then wrap to
  // width bits (vendor quirk 2 for signed I = 0). Result type is int_type(width, is_signed).
  Fixed to_apint(int width, bool is_signed) const;
  int64_t to_int64() const;  // to_apint(64, true)
  int to_int() const;        // to_apint(32, true)

  std::string bits_hex() const;    // "0x" + ceil(W/4) lower-case hex digits
  std::string to_decimal() const;  // exact: no exponent, no trailing zeros, no '.' for integers
  int64_t raw_int64() const { return raw_.low_i64(); }  // valid when W <= 64

  // "value (type)" for messages.
  std::string str() const;

  bool operator==(const Fixed& o) const = default;  // same type and same code

 private:
  Fixed(const FixedType& t, BigInt raw) : type_(t), raw_(std::move(raw)) {}
  Fixed shl_impl(int64_t k) const;  // k >= 0
  Fixed shr_impl(int64_t k) const;  // k >= 0

  FixedType type_;
  BigInt raw_;
};

// Quantization then overflow of the exact value num * 2^(-frac) into t; returns t's k.
// (The core of every conversion; exposed for the tests and the emulator's slow path.)
BigInt convert_exact(const BigInt& num, int64_t frac, const FixedType& t, bool* overflow = nullptr);

// Python-style repr of a double ("0.1", "1e-05", "-0.0", "inf", "nan"), as the golden
// vectors print doubles.
std::string double_repr(double v);

}  // namespace tachyon
