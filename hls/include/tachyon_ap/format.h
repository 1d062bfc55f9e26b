// Exact text conversion of raw values (detail of ap_common.h).
#ifndef TACHYON_AP_FORMAT_H
#define TACHYON_AP_FORMAT_H

#include <string>
#include <vector>

namespace tachyon {
namespace ap {

// Decimal digits of the unsigned integer in `v` (destroyed).
inline std::string uint_to_decimal(std::vector<u64>& v) {
  std::string out;
  const u64 chunk = 10000000000000000000ULL;  // 10^19
  size_t n = v.size();
  while (n > 0 && v[n - 1] == 0) --n;
  if (n == 0) return "0";
  std::vector<u64> parts;
  while (n > 0) {
    u128 rem = 0;
    for (size_t i = n; i-- > 0;) {
      u128 cur = (rem << 64) | v[i];
      v[i] = static_cast<u64>(cur / chunk);
      rem = cur % chunk;
    }
    parts.push_back(static_cast<u64>(rem));
    while (n > 0 && v[n - 1] == 0) --n;
  }
  for (size_t i = parts.size(); i-- > 0;) {
    std::string s;
    u64 x = parts[i];
    do {
      s.insert(s.begin(), static_cast<char>('0' + x % 10));
      x /= 10;
    } while (x);
    if (i + 1 != parts.size()) s.insert(s.begin(), 19 - s.size(), '0');
    out += s;
  }
  return out;
}

// Split |value| = mag * 2^-F into integer part words and fraction words (F > 0 bits).
inline void split_fixed(const u64* mag, int nw, int F, std::vector<u64>& ip, std::vector<u64>& fp) {
  Src m(mag, nw, false, 0ULL);
  int total = 64 * nw;
  if (F <= 0) {
    int n = (total - F + 63) / 64;
    ip.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) ip[static_cast<size_t>(i)] = m.get64(64 * i + F);
    fp.clear();
    return;
  }
  int ni = total > F ? (total - F + 63) / 64 : 1;
  ip.resize(static_cast<size_t>(ni));
  for (int i = 0; i < ni; ++i) ip[static_cast<size_t>(i)] = m.get64(64 * i + F);
  int nf = (F + 63) / 64;
  fp.resize(static_cast<size_t>(nf));
  for (int i = 0; i < nf; ++i) fp[static_cast<size_t>(i)] = m.get64(64 * i);
  fp[static_cast<size_t>(nf - 1)] &= low_mask(F - 64 * (nf - 1));
}

// Exact text of sign * mag * 2^-F.  Radix 10: "-12.375" (no exponent, no trailing zeros,
// integers without '.'); radix 2 / 8 / 16: "-0b1100.011", "0o...", "0x...".
inline std::string mag_to_string(const u64* mag, int nw, bool neg, int F, int radix) {
  std::vector<u64> ip, fp;
  split_fixed(mag, nw, F, ip, fp);
  bool zero = top_bit(mag, nw) < 0;
  std::string s = (neg && !zero) ? "-" : "";
  if (radix == 10) {
    s += uint_to_decimal(ip);
    if (!fp.empty() && top_bit(&fp[0], static_cast<int>(fp.size())) >= 0) {
      // each *10 step yields one digit: the bits that move above position F
      std::string digits;
      int nf = static_cast<int>(fp.size());
      for (int step = 0; step < F && top_bit(&fp[0], nf) >= 0; ++step) {
        u64 carry = 0;
        for (int i = 0; i < nf; ++i) {
          u128 cur = static_cast<u128>(fp[static_cast<size_t>(i)]) * 10U + carry;
          fp[static_cast<size_t>(i)] = static_cast<u64>(cur);
          carry = static_cast<u64>(cur >> 64);
        }
        int fb = F - 64 * (nf - 1);  // fraction bits in the top word
        u64 top = fp[static_cast<size_t>(nf - 1)];
        u64 digit = fb == 64 ? carry : ((top >> fb) | (carry << (64 - fb)));
        fp[static_cast<size_t>(nf - 1)] = top & low_mask(fb);
        digits += static_cast<char>('0' + static_cast<int>(digit));
      }
      size_t end = digits.find_last_not_of('0');
      if (end != std::string::npos) s += "." + digits.substr(0, end + 1);
    }
    return s;
  }
  int k = radix == 2 ? 1 : (radix == 8 ? 3 : 4);
  s += radix == 2 ? "0b" : (radix == 8 ? "0o" : "0x");
  const char* hex = "0123456789abcdef";
  Src is(&ip[0], static_cast<int>(ip.size()), false, 0ULL);
  int h = top_bit(&ip[0], static_cast<int>(ip.size()));
  std::string idig;
  for (int pos = 0; pos <= h; pos += k) idig.insert(idig.begin(), hex[is.get64(pos) & low_mask(k)]);
  s += idig.empty() ? "0" : idig;
  if (!fp.empty() && top_bit(&fp[0], static_cast<int>(fp.size())) >= 0) {
    Src fs(&fp[0], static_cast<int>(fp.size()), false, 0ULL);
    std::string fdig;
    for (int pos = F - k; pos > -k; pos -= k) fdig += hex[fs.get64(pos) & low_mask(k)];
    size_t end = fdig.find_last_not_of('0');
    if (end != std::string::npos) s += "." + fdig.substr(0, end + 1);
  }
  return s;
}

template <int NW> inline std::string words_to_string(const u64* p, bool S, int F, int radix) {
  u64 mag[NW];
  bool neg = magnitude(mag, p, NW, S);
  return mag_to_string(mag, NW, neg, F, radix == 2 || radix == 8 || radix == 16 ? radix : 10);
}


// ---- parsing -----------------------------------------------------------------------------

inline void vec_mul_add(std::vector<u64>& v, u64 m, u64 add) {
  u64 carry = add;
  for (size_t i = 0; i < v.size(); ++i) {
    u128 t = static_cast<u128>(v[i]) * m + carry;
    v[i] = static_cast<u64>(t);
    carry = static_cast<u64>(t >> 64);
  }
  if (carry) v.push_back(carry);
}

inline void vec_shl(std::vector<u64>& v, int k) {
  if (k <= 0) return;
  std::vector<u64> r(v.size() + static_cast<size_t>(k / 64) + 1, 0);
  Src s(&v[0], static_cast<int>(v.size()), false, 0ULL);
  for (size_t i = 0; i < r.size(); ++i) r[i] = s.get64(64 * static_cast<int>(i) - k);
  v.swap(r);
}

// "[+-][0x|0b|0o]digits[.digits][e[+-]digits]" (exponent only in radix 10):
// value = (neg ? -1 : 1) * num * base^exp.  Parsing stops at the first invalid character.
struct parsed_number {
  std::vector<u64> num;
  int base, exp;
  bool neg;
};

inline parsed_number parse_number(const char* s, int radix) {
  parsed_number p;
  p.num.assign(1, 0);
  p.base = (radix == 2 || radix == 8 || radix == 16) ? radix : 10;
  p.exp = 0;
  p.neg = false;
  if (!s) return p;
  while (*s == ' ' || *s == '\t') ++s;
  if (*s == '-' || *s == '+') p.neg = *s++ == '-';
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { p.base = 16; s += 2; }
  else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) { p.base = 2; s += 2; }
  else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) { p.base = 8; s += 2; }
  bool frac = false;
  for (;; ++s) {
    char c = *s;
    int dgt = -1;
    if (c >= '0' && c <= '9') dgt = c - '0';
    else if (c >= 'a' && c <= 'f') dgt = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') dgt = c - 'A' + 10;
    if (c == '.' && !frac) { frac = true; continue; }
    if ((c == 'e' || c == 'E') && p.base == 10) {
      ++s;
      bool eneg = false;
      if (*s == '-' || *s == '+') eneg = *s++ == '-';
      int e = 0;
      while (*s >= '0' && *s <= '9' && e < 100000) e = e * 10 + (*s++ - '0');
      p.exp += eneg ? -e : e;
      break;
    }
    if (dgt < 0 || dgt >= p.base) break;
    vec_mul_add(p.num, static_cast<u64>(p.base), static_cast<u64>(dgt));
    if (frac) --p.exp;
  }
  return p;
}

// Convert a parsed number into a W-bit target with F fraction bits and modes Q/O/N.
template <int W, bool S> inline void convert_parsed(u64* dst, int F, int Q, int O, int N, const parsed_number& p) {
  std::vector<u64> num = p.num, src;
  int d;
  if (p.exp >= 0) {
    for (int i = 0; i < p.exp; ++i) vec_mul_add(num, static_cast<u64>(p.base), 0);
    src = num;
    d = -F;
  } else {
    std::vector<u64> den(1, 1);
    for (int i = 0; i < -p.exp; ++i) vec_mul_add(den, static_cast<u64>(p.base), 0);
    // X = floor(num * 2^(F+2) / den); src = 2X + (remainder != 0) stands for the exact
    // value * 2^(F+3): same floor at every dropped position, sticky preserved.
    if (F + 2 >= 0) vec_shl(num, F + 2); else vec_shl(den, -(F + 2));
    std::vector<u64> q(num.size(), 0), rem(den.size() + 1, 0);
    udivmod(&q[0], &rem[0], &num[0], static_cast<int>(num.size()), &den[0], static_cast<int>(den.size()));
    bool sticky = top_bit(&rem[0], static_cast<int>(rem.size())) >= 0;
    vec_mul_add(q, 2, sticky ? 1U : 0U);
    src = q;
    d = 3;
  }
  src.push_back(0);  // room for the sign
  if (p.neg) {
    u64 carry = 1;
    for (size_t i = 0; i < src.size(); ++i) {
      src[i] = ~src[i] + carry;
      carry = (carry && src[i] == 0) ? 1U : 0U;
    }
  }
  const int TNW = nwords<W + 1>::value;
  u64 t[TNW];
  convert_generic(t, TNW, W, S, Q, O, N, Src(&src[0], static_cast<int>(src.size()), true), d);
  for (int i = 0; i < nwords<W>::value; ++i) dst[i] = t[i];
}

}  // namespace ap
}  // namespace tachyon

#endif  // TACHYON_AP_FORMAT_H
