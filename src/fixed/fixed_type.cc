// FixedType: parsing, printing, result-type rules.
#include "tachyon/fixed/fixed_type.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <vector>

#include "tachyon/support/error.h"

namespace tachyon {

namespace {

constexpr const char* kQuantNames[] = {"AP_TRN",     "AP_TRN_ZERO", "AP_RND",     "AP_RND_ZERO",
                                       "AP_RND_MIN_INF", "AP_RND_INF", "AP_RND_CONV"};
constexpr const char* kOverflowNames[] = {"AP_WRAP", "AP_SAT", "AP_SAT_ZERO", "AP_SAT_SYM"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string valid_quant_list() {
  std::string s;
  for (const char* n : kQuantNames) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}
std::string valid_overflow_list() {
  std::string s;
  for (const char* n : kOverflowNames) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

// Strips an optional "AP_" prefix so "RND" and "AP_RND" both match.
template <size_t N>
bool match_mode(std::string_view s, const char* const (&names)[N], int* index) {
  for (size_t i = 0; i < N; ++i) {
    std::string_view full = names[i];
    if (s == full || s == full.substr(3)) {
      *index = static_cast<int>(i);
      return true;
    }
  }
  return false;
}

class TypeParser {
 public:
  explicit TypeParser(std::string_view s) : src_(s) {}

  FixedType parse() {
    std::string_view s = trim(src_);
    if (s.empty()) err("empty type (expected e.g. ap_fixed<16,6>, ap_ufixed<8,0>, ap_int<8>)");
    size_t lt = s.find('<');
    if (lt == std::string_view::npos) {
      if (s == "auto") err("'auto' is not a concrete type here (it is only accepted where precision is inferred)");
      err("missing '<' (expected e.g. ap_fixed<16,6> or ap_int<8>)");
    }
    std::string_view name = trim(s.substr(0, lt));
    bool is_int = false, is_signed = true;
    if (name == "ap_fixed" || name == "fixed") {
    } else if (name == "ap_ufixed" || name == "ufixed") {
      is_signed = false;
    } else if (name == "ap_int" || name == "int") {
      is_int = true;
    } else if (name == "ap_uint" || name == "uint") {
      is_int = true;
      is_signed = false;
    } else {
      err(fmt::format("unknown type name '{}' (expected ap_fixed, ap_ufixed, ap_int, ap_uint, or the short forms "
                      "fixed, ufixed, int, uint)",
                      name));
    }
    std::string_view rest = s.substr(lt + 1);
    size_t gt = rest.find('>');
    if (gt == std::string_view::npos) err("missing '>'");
    if (!trim(rest.substr(gt + 1)).empty())
      err(fmt::format("unexpected text '{}' after '>'", trim(rest.substr(gt + 1))));
    std::vector<std::string_view> params;
    std::string_view body = rest.substr(0, gt);
    for (;;) {
      size_t comma = body.find(',');
      params.push_back(trim(body.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      body = body.substr(comma + 1);
    }
    for (size_t i = 0; i < params.size(); ++i)
      if (params[i].empty()) err(fmt::format("parameter {} is empty", i + 1));

    FixedType t;
    t.is_signed = is_signed;
    if (is_int) {
      if (params.size() != 1)
        err(fmt::format("{} takes exactly 1 parameter (the width), got {}", name, params.size()));
      t.width = integer(params[0], "width");
      check_width(t.width);
      t.int_bits = t.width;
      return t;
    }
    if (params.size() < 2)
      err(fmt::format("{} needs at least 2 parameters <W,I>, got {}", name, params.size()));
    if (params.size() > 5)
      err(fmt::format("too many parameters ({}); at most 5: <W,I,Q,O,N>", params.size()));
    t.width = integer(params[0], "width");
    check_width(t.width);
    t.int_bits = integer(params[1], "integer bits");
    if (t.int_bits < -kMaxParsedIntBits || t.int_bits > kMaxParsedIntBits)
      err(fmt::format("integer bits must be in -{0}..{0}, got {1}", kMaxParsedIntBits, t.int_bits));
    if (params.size() >= 3) {
      int qi = 0;
      if (!match_mode(params[2], kQuantNames, &qi))
        err(fmt::format("unknown quantization mode '{}' (valid: {}; the AP_ prefix may be omitted)", params[2],
                        valid_quant_list()));
      t.quant = static_cast<Quant>(qi);
    }
    if (params.size() >= 4) {
      int oi = 0;
      if (!match_mode(params[3], kOverflowNames, &oi)) {
        if (params[3] == "AP_WRAP_SM" || params[3] == "WRAP_SM")
          err(fmt::format("overflow mode '{}' is not supported (valid: {})", params[3], valid_overflow_list()));
        err(fmt::format("unknown overflow mode '{}' (valid: {}; the AP_ prefix may be omitted)", params[3],
                        valid_overflow_list()));
      }
      t.overflow = static_cast<Overflow>(oi);
    }
    if (params.size() == 5) {
      t.sat_bits = integer(params[4], "saturation bits");
      if (t.sat_bits < 0 || t.sat_bits > t.width)
        err(fmt::format("saturation bits must be in 0..{} (the width), got {}", t.width, t.sat_bits));
    }
    return t;
  }

 private:
  [[noreturn]] void err(const std::string& what) const {
    fail("invalid fixed-point type '{}': {}", src_, what);
  }
  void check_width(int w) const {
    if (w < 1 || w > kMaxParsedWidth) err(fmt::format("width must be 1..{}, got {}", kMaxParsedWidth, w));
  }
  int integer(std::string_view p, const char* what) const {
    std::string_view digits = p;
    bool neg = false;
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
      neg = digits[0] == '-';
      digits.remove_prefix(1);
    }
    long long v = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || ec == std::errc::invalid_argument || ptr != digits.data() + digits.size())
      err(fmt::format("{} '{}' is not an integer", what, p));
    if (ec == std::errc::result_out_of_range || v > 1000000000LL)
      err(fmt::format("{} '{}' is out of range", what, p));
    return static_cast<int>(neg ? -v : v);
  }

  std::string_view src_;
};

}  // namespace

FixedType FixedType::parse(std::string_view s) { return TypeParser(s).parse(); }

std::string FixedType::str() const {
  bool default_modes = quant == Quant::TRN && overflow == Overflow::WRAP && sat_bits == 0;
  if (is_integer() && default_modes) return fmt::format("{}<{}>", is_signed ? "ap_int" : "ap_uint", width);
  return c_type();
}

std::string FixedType::c_type() const {
  std::string s = fmt::format("{}<{},{}", is_signed ? "ap_fixed" : "ap_ufixed", width, int_bits);
  if (sat_bits != 0)
    s += fmt::format(",{},{},{}", to_string(quant), to_string(overflow), sat_bits);
  else if (overflow != Overflow::WRAP)
    s += fmt::format(",{},{}", to_string(quant), to_string(overflow));
  else if (quant != Quant::TRN)
    s += fmt::format(",{}", to_string(quant));
  return s + ">";
}

double FixedType::lsb() const { return std::ldexp(1.0, int_bits - width); }

double FixedType::max_value() const {
  // Both terms are powers of two (exact), so the difference is correctly rounded.
  int top = is_signed ? int_bits - 1 : int_bits;
  return std::ldexp(1.0, top) - std::ldexp(1.0, int_bits - width);
}

double FixedType::min_value() const { return is_signed ? -std::ldexp(1.0, int_bits - 1) : 0.0; }

void FixedType::validate(std::string_view what) const {
  std::string name = what.empty() ? std::string("fixed-point type") : std::string(what);
  if (width < 1) fail("{}: width must be >= 1, got {}", name, width);
  if (sat_bits < 0 || sat_bits > width)
    fail("{}: saturation bits must be in 0..{} (the width), got {}", name, width, sat_bits);
  if (static_cast<unsigned>(quant) > static_cast<unsigned>(Quant::RND_CONV))
    fail("{}: invalid quantization mode {}", name, static_cast<int>(quant));
  if (static_cast<unsigned>(overflow) > static_cast<unsigned>(Overflow::SAT_SYM))
    fail("{}: invalid overflow mode {}", name, static_cast<int>(overflow));
}

FixedType mul_type(const FixedType& a, const FixedType& b) {
  return FixedType{a.width + b.width, a.int_bits + b.int_bits, a.is_signed || b.is_signed};
}

FixedType add_type(const FixedType& a, const FixedType& b) {
  // An unsigned operand added to a signed one needs one more integer bit to stay exact.
  int ia = a.int_bits + (b.is_signed && !a.is_signed ? 1 : 0);
  int ib = b.int_bits + (a.is_signed && !b.is_signed ? 1 : 0);
  int i = std::max(ia, ib) + 1;
  int f = std::max(a.frac_bits(), b.frac_bits());
  return FixedType{i + f, i, a.is_signed || b.is_signed};
}

FixedType sub_type(const FixedType& a, const FixedType& b) {
  FixedType t = add_type(a, b);
  t.is_signed = true;
  return t;
}

FixedType neg_type(const FixedType& a) { return FixedType{a.width + 1, a.int_bits + 1, true}; }

const char* to_string(Quant q) {
  auto i = static_cast<unsigned>(q);
  return i < std::size(kQuantNames) ? kQuantNames[i] : "AP_?";
}

const char* to_string(Overflow o) {
  auto i = static_cast<unsigned>(o);
  return i < std::size(kOverflowNames) ? kOverflowNames[i] : "AP_?";
}

bool parse_quant(std::string_view s, Quant* out) {
  int i = 0;
  if (!match_mode(s, kQuantNames, &i)) return false;
  *out = static_cast<Quant>(i);
  return true;
}

bool parse_overflow(std::string_view s, Overflow* out) {
  int i = 0;
  if (!match_mode(s, kOverflowNames, &i)) return false;
  *out = static_cast<Overflow>(i);
  return true;
}

}  // namespace tachyon
