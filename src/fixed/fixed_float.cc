// Fixed -> double / float, and the Python-style double repr used by the golden vectors.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "tachyon/fixed/fixed.h"

namespace tachyon {

namespace {

// Rounds mag * 2^(-frac) (mag > 0) to `prec` significant bits, round half to even, with
// gradual underflow below 2^min_exp (fewer bits there). Result: sig * 2^exp, sig <= 2^prec
// (sig == 2^prec after a carry), sig == 0 if it rounds to zero.
void round_binary(const BigInt& mag, int64_t frac, int prec, int64_t min_exp, uint64_t* sig, int64_t* exp) {
  int64_t len = mag.bit_length();
  int64_t lead = len - 1 - frac;  // exponent of the leading bit
  int64_t p = prec;
  if (lead < min_exp) p = prec - (min_exp - lead);
  if (p < 0) {
    *sig = 0;
    *exp = 0;
    return;
  }
  int64_t s = len - p;  // bits to drop
  if (s <= 0) {
    *sig = mag.low_u64();
    *exp = -frac;
    return;
  }
  BigInt top = mag.shr(s);
  uint64_t v = top.low_u64();
  bool half = mag.bit(s - 1);
  bool rest = !mag.low_bits_zero(s - 1);
  if (half && (rest || (v & 1))) ++v;
  *sig = v;
  *exp = s - frac;
}

}  // namespace

double Fixed::to_double() const {
  if (raw_.is_zero()) return 0.0;
  uint64_t sig;
  int64_t exp;
  round_binary(raw_.abs(), type_.frac_bits(), 53, -1022, &sig, &exp);
  double r;
  if (sig == 0)
    r = 0.0;
  else if (exp > 2000)
    r = std::numeric_limits<double>::infinity();
  else
    r = std::ldexp(static_cast<double>(sig), static_cast<int>(std::max<int64_t>(exp, -2000)));
  return raw_.is_negative() ? -r : r;
}

float Fixed::to_float() const {
  if (raw_.is_zero()) return 0.0f;
  uint64_t sig;
  int64_t exp;
  // The vendor rounds to 24 significant bits regardless of the float's range (quirk 3).
  round_binary(raw_.abs(), type_.frac_bits(), 24, std::numeric_limits<int32_t>::min(), &sig, &exp);
  if (sig == (uint64_t{1} << 24)) {
    sig >>= 1;
    ++exp;
  }
  while (sig < (uint64_t{1} << 23)) {  // fewer than 24 significant bits: normalize
    sig <<= 1;
    --exp;
  }
  int64_t e = exp + 23;  // exponent of the leading bit
  bool neg = raw_.is_negative();
  uint32_t bits;
  if (e >= -126 && e <= 127)
    bits = (neg ? 0x80000000u : 0u) | (static_cast<uint32_t>(e + 127) << 23) | (static_cast<uint32_t>(sig) & 0x7fffffu);
  else
    bits = vendor_quirks::float_bits_out_of_range(neg, e, static_cast<uint32_t>(sig));
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

std::string double_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  size_t epos = sci.find('e');
  int x = std::stoi(sci.substr(epos + 1));
  std::string digits = sci.substr(0, epos);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  if (x < -4 || x >= 16) {
    std::string m = digits.substr(0, 1);
    if (digits.size() > 1) m += "." + digits.substr(1);
    std::string e = std::to_string(x < 0 ? -x : x);
    if (e.size() < 2) e = "0" + e;
    return sign + m + "e" + (x < 0 ? "-" : "+") + e;
  }
  if (x < 0) return sign + "0." + std::string(static_cast<size_t>(-x - 1), '0') + digits;
  size_t ip = static_cast<size_t>(x) + 1;
  if (digits.size() <= ip) return sign + digits + std::string(ip - digits.size(), '0') + ".0";
  return sign + digits.substr(0, ip) + "." + digits.substr(ip);
}

}  // namespace tachyon
