// Fixed: conversions (quantize + overflow), arithmetic, shifts, integer conversion, text.
#include "tachyon/fixed/fixed.h"

#include <fmt/format.h>

#include <algorithm>

#include "tachyon/support/error.h"

namespace tachyon {

namespace {

// Is q representable in t (before the overflow step)?
bool in_range(const BigInt& q, const FixedType& t) {
  if (t.is_signed) return q.bit_length() < t.width;
  return !q.is_negative() && q.bit_length() <= t.width;
}

// q == -2^(W-1), the most negative code of a signed type.
bool is_signed_min(const BigInt& q, const FixedType& t) {
  return q.is_negative() && q.bit_length() == t.width - 1 && q.low_bits_zero(t.width - 1);
}

// AP_WRAP with N >= 1 saturation bits, on overflow (README note 2): wrap to W bits, then
// signed: MSB := sign of q, the next N-1 bits := NOT sign; unsigned: top N bits := 1.
BigInt wrap_with_sat_bits(const BigInt& q, const FixedType& t) {
  int w = t.width, n = t.sat_bits;
  bool neg = q.is_negative();
  BigInt low = w - n >= 1 ? q.wrap_unsigned(w - n) : BigInt(0);
  BigInt pattern;
  if (t.is_signed)
    pattern = neg ? BigInt::pow2(n - 1) : BigInt::pow2(n - 1) - BigInt(1);
  else
    pattern = BigInt::pow2(n) - BigInt(1);
  BigInt u = low + pattern.shl(w - n);
  return t.is_signed ? u.wrap_signed(w) : u;
}

// The O step: q is the quantized value in units of t's LSB.
BigInt overflow_step(BigInt q, const FixedType& t, bool* overflow) {
  Overflow mode = t.overflow;
  if (mode == Overflow::SAT_SYM && vendor_quirks::sat_sym_acts_as_sat(t.is_signed, t.width)) mode = Overflow::SAT;
  if (in_range(q, t)) {
    // AP_SAT_SYM never produces the most negative code of a signed type (note 2).
    if (mode == Overflow::SAT_SYM && t.is_signed && is_signed_min(q, t)) {
      BigInt r = -code_max(t);
      if (r != q && overflow) *overflow = true;
      return r;
    }
    return q;
  }
  if (overflow) *overflow = true;
  bool neg = q.is_negative();
  switch (mode) {
    case Overflow::WRAP:
      if (t.sat_bits > 0) return wrap_with_sat_bits(q, t);
      return t.is_signed ? q.wrap_signed(t.width) : q.wrap_unsigned(t.width);
    case Overflow::SAT:
      return neg ? code_min(t) : code_max(t);
    case Overflow::SAT_ZERO:
      return BigInt(0);
    case Overflow::SAT_SYM:
      if (!t.is_signed) return neg ? BigInt(0) : code_max(t);
      return neg ? -code_max(t) : code_max(t);
  }
  return q;
}

// Rounding increment (0 or 1) for the Q step. q = floor(x), x not an integer; half/rest
// describe the discarded fraction: half = its top bit (fraction >= 1/2), rest = any bit
// below that.
bool round_up(Quant mode, const BigInt& q, bool half, bool rest) {
  bool neg = q.is_negative();  // x in (q, q+1), so x < 0 iff q < 0
  switch (mode) {
    case Quant::TRN: return false;
    case Quant::TRN_ZERO: return neg;
    case Quant::RND: return half;
    case Quant::RND_ZERO: return half && (rest || neg);
    case Quant::RND_MIN_INF: return half && rest;
    case Quant::RND_INF: return half && (rest || !neg);
    case Quant::RND_CONV: return half && (rest || q.is_odd());
  }
  return false;
}

BigInt aligned(const Fixed& x, int frac) { return x.raw().shl(frac - x.type().frac_bits()); }

// Every type a Fixed is built with must be valid (cheap check; throws tachyon::Error).
inline void check_type(const FixedType& t) {
  if (t.width < 1 || t.sat_bits < 0 || t.sat_bits > t.width || static_cast<unsigned>(t.quant) > 6u ||
      static_cast<unsigned>(t.overflow) > 3u)
    t.validate();
}

}  // namespace

BigInt code_min(const FixedType& t) { return t.is_signed ? -BigInt::pow2(t.width - 1) : BigInt(0); }
BigInt code_max(const FixedType& t) { return BigInt::pow2(t.is_signed ? t.width - 1 : t.width) - BigInt(1); }

BigInt convert_exact(const BigInt& num, int64_t frac, const FixedType& t, bool* overflow) {
  check_type(t);
  int64_t shift = frac - t.frac_bits();
  BigInt q;
  if (shift > 0) {
    // Vendor quirk 5 (README note 11, "ndebug" vectors) needs nothing here: when all
    // source bits lie below the rounding bit the NDEBUG header gives this textbook result.
    q = num.shr(shift);
    if (t.quant != Quant::TRN && !num.low_bits_zero(shift)) {
      bool half = num.bit(shift - 1);
      bool rest = !num.low_bits_zero(shift - 1);
      if (round_up(t.quant, q, half, rest)) q += BigInt(1);
    }
  } else if (shift < 0) {
    if (!num.is_zero() && -shift > int64_t{t.width} + 2) {
      // Certain overflow, and the low W bits of num << -shift are zero: keep the sign only
      // (avoids building huge numbers, e.g. for inf = 2^1024).
      q = BigInt::pow2(t.width + 2);
      if (num.is_negative()) q = -q;
    } else {
      q = num.shl(-shift);
    }
  } else {
    q = num;
  }
  return overflow_step(std::move(q), t, overflow);
}

Fixed::Fixed(const FixedType& t) : type_(t) { check_type(t); }

Fixed Fixed::from_exact(const BigInt& num, int64_t frac, const FixedType& t, bool* overflow) {
  return Fixed(t, convert_exact(num, frac, t, overflow));
}

Fixed Fixed::from_double(double v, const FixedType& t, bool* overflow) {
  bool neg = false;
  uint64_t mant = 0;
  int exp2 = 0;
  if (!vendor_quirks::decode_double(v, &neg, &mant, &exp2)) {
    if (v != v) {  // NaN: the vendor yields garbage; we give 0 and report it
      if (overflow) *overflow = true;
      return Fixed(t);
    }
    mant = 1;  // ±inf behaves like ±2^1024
    exp2 = 1024;
  }
  BigInt num = BigInt::from_u64(mant);
  if (neg) num = -num;
  return from_exact(num, -int64_t{exp2}, t, overflow);
}

Fixed Fixed::from_raw(const BigInt& raw_bits, const FixedType& t) {
  check_type(t);
  return Fixed(t, t.is_signed ? raw_bits.wrap_signed(t.width) : raw_bits.wrap_unsigned(t.width));
}

Fixed Fixed::from_bits_hex(std::string_view hex, const FixedType& t) {
  BigInt bits;
  if (!BigInt::from_hex(hex, &bits)) fail("invalid raw bits '{}' for {}: expected hex digits", hex, t.str());
  if (bits.bit_length() > t.width) fail("raw bits '{}' do not fit in {} ({} bits)", hex, t.str(), t.width);
  return from_raw(bits, t);
}

Fixed Fixed::cast(const FixedType& to, bool* overflow) const {
  return Fixed(to, convert_exact(raw_, type_.frac_bits(), to, overflow));
}

Fixed operator+(const Fixed& a, const Fixed& b) {
  FixedType t = add_type(a.type_, b.type_);
  return Fixed(t, aligned(a, t.frac_bits()) + aligned(b, t.frac_bits()));
}

Fixed operator-(const Fixed& a, const Fixed& b) {
  FixedType t = sub_type(a.type_, b.type_);
  return Fixed(t, aligned(a, t.frac_bits()) - aligned(b, t.frac_bits()));
}

Fixed operator*(const Fixed& a, const Fixed& b) { return Fixed(mul_type(a.type_, b.type_), a.raw_ * b.raw_); }

Fixed Fixed::operator-() const { return Fixed(neg_type(type_), -raw_); }

Fixed& Fixed::add_assign(const Fixed& b, bool* overflow) { return *this = (*this + b).cast(type_, overflow); }
Fixed& Fixed::sub_assign(const Fixed& b, bool* overflow) { return *this = (*this - b).cast(type_, overflow); }
Fixed& Fixed::mul_assign(const Fixed& b, bool* overflow) { return *this = (*this * b).cast(type_, overflow); }

int Fixed::compare_exact(const Fixed& a, const Fixed& b) {
  int f = std::max(a.type_.frac_bits(), b.type_.frac_bits());
  auto c = aligned(a, f) <=> aligned(b, f);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

Fixed::CmpResult Fixed::compare(const Fixed& a, const Fixed& b) {
  int fa = a.type_.frac_bits(), fb = b.type_.frac_bits();
  int f = std::max(fa, fb);
  BigInt xa = aligned(a, f), xb = aligned(b, f);
  if (a.type_.is_signed != b.type_.is_signed) {
    int wa = a.type_.width + (fa < fb ? fb - fa + 1 : 0);
    int wb = b.type_.width + (fb < fa ? fa - fb : 0);
    return vendor_quirks::mixed_signedness_compare(xa, wa, a.type_.is_signed, xb, wb, b.type_.is_signed);
  }
  auto c = xa <=> xb;
  return CmpResult{c < 0, c <= 0, c > 0, c >= 0, c == 0, c != 0};
}

Fixed Fixed::shl(int k) const {
  if (k < 0) return shr_impl(-int64_t{k});
  return shl_impl(k);
}

Fixed Fixed::shr(int k) const {
  if (k < 0) return shl_impl(-int64_t{k});
  return shr_impl(k);
}

Fixed Fixed::shl_impl(int64_t k) const {
  if (k >= type_.width) return Fixed(type_);
  return from_raw(raw_.shl(k), type_);
}

Fixed Fixed::shr_impl(int64_t k) const {
  // raw_ is sign-extended for signed and non-negative for unsigned types, so a floor
  // shift is arithmetic resp. logical; for k >= W it gives all sign bits.
  if (k >= type_.width) return Fixed(type_, BigInt(raw_.is_negative() ? -1 : 0));
  return Fixed(type_, raw_.shr(k));
}

Fixed Fixed::to_apint(int width, bool is_signed) const {
  FixedType t = int_type(width, is_signed);
  check_type(t);
  int f = type_.frac_bits();
  BigInt v;
  if (vendor_quirks::apint_from_signed_i0(type_.is_signed, type_.int_bits, raw_)) {
    v = BigInt(-1);
  } else if (f > 0) {
    v = raw_.shr(f);  // floor; truncation toward zero for negative non-integers
    if (raw_.is_negative() && !raw_.low_bits_zero(f)) v += BigInt(1);
  } else if (-int64_t{f} >= width) {
    v = BigInt(0);  // every remaining bit is shifted out of the W-bit result
  } else {
    v = raw_.shl(-f);
  }
  return from_raw(v, t);
}

int64_t Fixed::to_int64() const { return to_apint(64, true).raw_int64(); }
int Fixed::to_int() const { return static_cast<int>(to_apint(32, true).raw_int64()); }

std::string Fixed::bits_hex() const { return raw_.to_hex(type_.width); }

std::string Fixed::to_decimal() const {
  int f = type_.frac_bits();
  if (f <= 0) return raw_.shl(-f).to_dec();
  BigInt mag = raw_.abs();
  std::string s = raw_.is_negative() ? "-" : "";
  s += mag.shr(f).to_dec();
  BigInt frac = mag - mag.shr(f).shl(f);
  if (frac.is_zero()) return s;
  // frac / 2^f = frac * 5^f / 10^f: exactly f decimal digits.
  BigInt p5(1);
  const BigInt five27(7450580596923828125LL);  // 5^27
  int left = f;
  while (left >= 27) {
    p5 = p5 * five27;
    left -= 27;
  }
  int64_t small = 1;
  for (int i = 0; i < left; ++i) small *= 5;
  p5 = p5 * BigInt(small);
  std::string digits = (frac * p5).to_dec();
  digits.insert(0, static_cast<size_t>(f) - digits.size(), '0');
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return s + "." + digits;
}

std::string Fixed::str() const { return fmt::format("{} ({} {})", to_decimal(), type_.str(), bits_hex()); }

}  // namespace tachyon
