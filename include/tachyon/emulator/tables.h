// Lookup tables of the table-based activations (Sigmoid, Tanh, Elu, Softmax) and their
// index functions. The emulator AND every backend use these: backends emit the raw codes
// as ROM constants, so every executor holds identical tables, and the index functions are
// inline so that every executor computes indices the same way.
//
// Table contents (docs/semantics.md, "Tables"): the argument is computed exactly in double
// and rounded to float; the function is evaluated in single precision (std::exp/std::tanh
// on float, 1.0f / x); the float result is converted (exactly, as a double) to the table
// type with that type's quantization and overflow modes.
//
//   sigmoid_table[k] = 1 / (1 + exp(-a)),  a = float(16 (k - N/2) / N)      (N/2 = floor)
//   tanh_table[k]    = tanh(a),            a = float( 8 (k - N/2) / N)
//   elu_table[k]     = exp(a) - 1,         a = float(-8 k / N)
//   softmax_exp_table[k] = exp(-v) (stable) or exp(v) (latency), v = float(val_T(k)),
//                          T = inp_norm_t
//   softmax_inv_table[k] = 1 / v, v = float(val_T(k)), T = inv_inp_t (1/0 = +inf)
//   unary tables (op UnaryTable, attribute "function"), a = float(16 (k - N/2) / N) with the
//   exact N/2 (k - N/2 is a half-integer for odd N), as hls4ml's softplus / softsign tables:
//     softplus[k] = float(log(double(exp(a)) + 1))     (exp in float, the rest in double)
//     softsign[k] = float(a / (double(|a|) + 1))
//     erf[k]      = erf(a)                               (float)
//
// Index rules (exact integer arithmetic on the raw code r of x, value r * 2^-F, F = W - I):
//   sigmoid_index = clamp(trunc(x * N / 16) + N/2, 0, N-1)
//   tanh_index    = clamp(trunc(x * N / 8)  + N/2, 0, N-1)
//   elu_index     = clamp(trunc(-x * N / 8), 0, N-1)
//   unary tables  = sigmoid_index (input range [-8, 8))
//   softmax_index = top B = log2(N) bits of x's W-bit pattern: u >> (W - B), or u << (B - W)
//                   when W < B (u = the W-bit pattern read as unsigned). N must be a power of 2.
//   val_T(k)      = the value of T's code whose top B bits are k and lower bits zero
//                   (k << (W - B), or k >> (B - W) when W < B; signed T: two's complement).
// trunc is toward zero of the exact rational value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tachyon/fixed/bigint.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/fixed/fixed_type.h"

namespace tachyon::emulator {

// ---- table builders: raw codes (table types of width <= 64, signed or < 64 bits unsigned;
// throws tachyon::Error for wider table types, use the *_fixed variants) --------------------
std::vector<int64_t> sigmoid_table(int n, const FixedType& table_t);
std::vector<int64_t> tanh_table(int n, const FixedType& table_t);
std::vector<int64_t> elu_table(int n, const FixedType& table_t);
std::vector<int64_t> softmax_exp_table(int n, const FixedType& inp_norm_t, const FixedType& exp_table_t, bool stable);
std::vector<int64_t> softmax_inv_table(int n, const FixedType& inv_inp_t, const FixedType& inv_table_t);

// The same tables for any table type width.
std::vector<Fixed> sigmoid_table_fixed(int n, const FixedType& table_t);
std::vector<Fixed> tanh_table_fixed(int n, const FixedType& table_t);
std::vector<Fixed> elu_table_fixed(int n, const FixedType& table_t);
std::vector<Fixed> softmax_exp_table_fixed(int n, const FixedType& inp_norm_t, const FixedType& exp_table_t,
                                           bool stable);
std::vector<Fixed> softmax_inv_table_fixed(int n, const FixedType& inv_inp_t, const FixedType& inv_table_t);

// The functions of the UnaryTable op (IR attribute "function" holds the name).
enum class TableFunction { Softplus, Softsign, Erf };
std::optional<TableFunction> table_function(const std::string& name);
const char* table_function_name(TableFunction f);
// The names accepted by table_function(), comma separated (for error messages).
const char* table_function_names();
std::vector<int64_t> unary_table(TableFunction f, int n, const FixedType& table_t);
std::vector<Fixed> unary_table_fixed(TableFunction f, int n, const FixedType& table_t);

// The float values the tables hold before conversion (exposed for tests and reports).
float unary_table_float(TableFunction f, int k, int n);
float sigmoid_table_float(int k, int n);
float tanh_table_float(int k, int n);
float elu_table_float(int k, int n);
// val_T(k) of the softmax tables as a double (exact for T up to 53 significant bits).
double softmax_table_point(int k, int n, const FixedType& t);

// log2(n) for a power of two n >= 1, else -1.
inline int table_bits(int n) {
  if (n < 1 || (n & (n - 1)) != 0) return -1;
  int b = 0;
  while ((1 << b) < n) ++b;
  return b;
}

namespace table_detail {
// trunc(raw * mul / 2^e) (e may be negative), saturated to [-2^40, 2^40] (callers clamp to
// a table of at most 2^31 entries, so saturation never changes their result).
inline int64_t trunc_scaled(int64_t raw, int64_t mul, int64_t e) {
  constexpr int64_t kBig = int64_t{1} << 40;
  i128 num = static_cast<i128>(raw) * mul;  // |num| < 2^95 for mul < 2^31
  if (num == 0) return 0;
  bool neg = num < 0;
  u128 mag = neg ? static_cast<u128>(-num) : static_cast<u128>(num);
  u128 q;
  if (e >= 0) {
    q = e >= 127 ? 0 : mag >> e;
  } else {
    if (-e > 31) return neg ? -kBig : kBig;
    q = mag << (-e);  // < 2^126
  }
  int64_t r = q > static_cast<u128>(kBig) ? kBig : static_cast<int64_t>(q);
  return neg ? -r : r;
}
inline int clamp_index(int64_t v, int n) { return v < 0 ? 0 : (v > n - 1 ? n - 1 : static_cast<int>(v)); }
}  // namespace table_detail

// Index functions on raw codes: raw is x's code (x_type of width <= 64) sign-/zero-extended
// into int64_t (unsigned 64-bit types are not supported by these overloads).
inline int sigmoid_index(int64_t raw, const FixedType& x_type, int n) {
  return table_detail::clamp_index(table_detail::trunc_scaled(raw, n, int64_t{x_type.frac_bits()} + 4) + n / 2, n);
}
inline int tanh_index(int64_t raw, const FixedType& x_type, int n) {
  return table_detail::clamp_index(table_detail::trunc_scaled(raw, n, int64_t{x_type.frac_bits()} + 3) + n / 2, n);
}
inline int elu_index(int64_t raw, const FixedType& x_type, int n) {
  return table_detail::clamp_index(-table_detail::trunc_scaled(raw, n, int64_t{x_type.frac_bits()} + 3), n);
}
// Top log2(n) bits of the W-bit pattern of raw (type t, width <= 64); n a power of two.
inline int softmax_index(int64_t raw, const FixedType& t, int n) {
  int b = table_bits(n);
  if (b <= 0) return 0;
  int w = t.width;
  uint64_t u = static_cast<uint64_t>(raw);
  if (w < 64) u &= (uint64_t{1} << w) - 1;
  if (w >= b) return static_cast<int>(u >> (w - b));
  return static_cast<int>(u << (b - w));
}

// The same for values of any width.
int sigmoid_index(const Fixed& x, int n);
int tanh_index(const Fixed& x, int n);
int elu_index(const Fixed& x, int n);
int softmax_index(const Fixed& x, int n);

// The order in which softmax adds its exponentials (hls4ml's nnet::reduce adder tree, every
// partial sum converted by `add`): the first 2^floor(log2(n - 1)) terms, then the rest.
template <typename T, typename Add>
T tree_reduce(const T* x, int64_t n, const Add& add) {
  if (n == 1) return x[0];
  int64_t left = 1;
  while (left * 2 <= n - 1) left *= 2;
  return add(tree_reduce(x, left, add), tree_reduce(x + left, n - left, add));
}

}  // namespace tachyon::emulator
