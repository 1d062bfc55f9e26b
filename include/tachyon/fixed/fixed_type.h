// Fixed-point type descriptors: ap_fixed<W,I,Q,O,N> / ap_ufixed / ap_int / ap_uint.
//
// A FixedType describes values raw * 2^(I-W) where raw is a W-bit two's-complement
// (is_signed) or unsigned integer. I (int_bits) may be negative or larger than W.
// Q is applied to bits below the LSB, then O to bits above the MSB (see
// docs: shared/design/semantics.md §1 and tests/data/golden/ap_fixed/README.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tachyon {

enum class Quant : uint8_t { TRN, TRN_ZERO, RND, RND_ZERO, RND_MIN_INF, RND_INF, RND_CONV };
enum class Overflow : uint8_t { WRAP, SAT, SAT_ZERO, SAT_SYM };

// Largest width a FixedType may be parsed with (results of arithmetic may be wider).
inline constexpr int kMaxParsedWidth = 1024;
// |int_bits| limit accepted by parse(); keeps shifts and decimal strings bounded.
inline constexpr int kMaxParsedIntBits = 4096;

struct FixedType {
  int width = 16;
  int int_bits = 6;
  bool is_signed = true;
  Quant quant = Quant::TRN;
  Overflow overflow = Overflow::WRAP;
  int sat_bits = 0;

  int frac_bits() const { return width - int_bits; }

  // Parses every spelling of semantics.md §1 (ap_fixed<16,6>, ap_fixed<16,6,AP_RND,AP_SAT>,
  // ap_ufixed<8,0>, ap_int<8>, ap_uint<4>, ap_fixed<8,3,AP_TRN,AP_WRAP,2>, the short forms
  // fixed<16,6,RND,SAT> / ufixed<..> / int<8> / uint<8>; whitespace anywhere between
  // tokens). Throws tachyon::Error quoting the string on anything malformed.
  static FixedType parse(std::string_view s);

  // Canonical vendor spelling with defaults omitted: "ap_fixed<16,6>",
  // "ap_ufixed<8,0,AP_RND,AP_SAT>", "ap_fixed<8,3,AP_TRN,AP_WRAP,2>"; a type with
  // int_bits == width and default modes (AP_TRN, AP_WRAP, 0) prints as "ap_int<W>" /
  // "ap_uint<W>". parse(t.str()) == t for every valid t.
  std::string str() const;

  // C++ type for generated code. Same as str(), EXCEPT that integer-shaped types are
  // spelled ap_fixed<W,W> / ap_ufixed<W,W>: in the vendor library an assignment of a
  // fractional value to ap_int<W> truncates toward zero, while ap_fixed<W,W> (what this
  // FixedType means, and what the emulator computes) rounds with AP_TRN (toward -inf).
  // Using ap_int<W> in generated code would therefore not be bit-exact.
  std::string c_type() const;

  double lsb() const;        // 2^(I-W) (0 / inf if out of double range)
  double max_value() const;  // largest value, rounded to double if not representable
  double min_value() const;  // smallest value (0 for unsigned)

  bool operator==(const FixedType&) const = default;

  bool is_integer() const { return int_bits == width; }  // ap_int / ap_uint shape

  // Throws tachyon::Error if the fields do not describe a valid type (width < 1,
  // sat_bits outside 0..width). `what` names the type in the message.
  void validate(std::string_view what = {}) const;
};

// Convenience constructors.
inline FixedType fixed_type(int w, int i, bool s = true, Quant q = Quant::TRN, Overflow o = Overflow::WRAP,
                            int n = 0) {
  return FixedType{w, i, s, q, o, n};
}
inline FixedType int_type(int w, bool s = true) { return FixedType{w, w, s, Quant::TRN, Overflow::WRAP, 0}; }

// Full-precision result types, exactly as the vendor headers give them (golden README
// note 4). The result types always use AP_TRN, AP_WRAP, N = 0.
FixedType mul_type(const FixedType& a, const FixedType& b);  // <W1+W2, I1+I2, S1||S2>
FixedType add_type(const FixedType& a, const FixedType& b);
FixedType sub_type(const FixedType& a, const FixedType& b);  // as add, always signed
FixedType neg_type(const FixedType& a);                      // <W+1, I+1, signed>

const char* to_string(Quant q);     // "AP_TRN", ...
const char* to_string(Overflow o);  // "AP_WRAP", ...
// Accept "AP_RND" or "RND" (case-sensitive, as in C++); return false if unknown.
bool parse_quant(std::string_view s, Quant* out);
bool parse_overflow(std::string_view s, Overflow* out);

}  // namespace tachyon
