// Lookup tables of the table-based activations; see tables.h for the exact definitions.
#include "tachyon/emulator/tables.h"

#include <cmath>

#include "tachyon/fixed/fast.h"
#include "tachyon/support/error.h"

namespace tachyon::emulator {

namespace {

void check_size(int n, const char* what) {
  if (n < 1 || n > (1 << 24)) fail("{}: table size {} is out of range (1..16777216)", what, n);
}

void check_pow2(int n, const char* what) {
  check_size(n, what);
  if (table_bits(n) < 0) fail("{}: table size {} is not a power of two", what, n);
}

bool raw_fits(const FixedType& t) { return t.width < 64 || (t.width == 64 && t.is_signed); }

template <typename F>
std::vector<int64_t> raw_table(int n, const FixedType& t, const char* what, F value) {
  if (!raw_fits(t)) fail("{}: table type {} is wider than 64 bits; use the *_fixed table builders", what, t.str());
  DoubleCastPlan plan(t);
  std::vector<int64_t> r(static_cast<size_t>(n));
  for (int k = 0; k < n; ++k) r[static_cast<size_t>(k)] = plan.apply(static_cast<double>(value(k)));
  return r;
}

template <typename F>
std::vector<Fixed> fixed_table(int n, const FixedType& t, F value) {
  std::vector<Fixed> r;
  r.reserve(static_cast<size_t>(n));
  for (int k = 0; k < n; ++k) r.push_back(Fixed::from_double(static_cast<double>(value(k)), t));
  return r;
}

float stable_exp(int k, int n, const FixedType& t, bool stable) {
  float v = static_cast<float>(softmax_table_point(k, n, t));
  return stable ? std::exp(-v) : std::exp(v);
}

float inverse(int k, int n, const FixedType& t) {
  float v = static_cast<float>(softmax_table_point(k, n, t));
  return 1.0f / v;  // 1/0 = +inf (IEEE), converted like from_double(+inf)
}

// trunc(raw * mul / 2^e), saturated to +-2^40 (see table_detail::trunc_scaled).
int64_t trunc_scaled_big(const BigInt& raw, int64_t mul, int64_t e) {
  constexpr int64_t kBig = int64_t{1} << 40;
  BigInt num = raw * BigInt(mul);
  if (num.is_zero()) return 0;
  bool neg = num.is_negative();
  BigInt mag = num.abs();
  BigInt q;
  if (e >= 0) {
    q = mag.bit_length() <= e ? BigInt(0) : mag.shr(e);
  } else {
    if (mag.bit_length() - e > 41) return neg ? -kBig : kBig;
    q = mag.shl(-e);
  }
  int64_t r = q.bit_length() > 40 ? kBig : q.low_i64();
  return neg ? -r : r;
}

}  // namespace

float sigmoid_table_float(int k, int n) {
  float a = static_cast<float>(16.0 * static_cast<double>(k - n / 2) / n);
  return 1.0f / (1.0f + std::exp(-a));
}

float tanh_table_float(int k, int n) {
  float a = static_cast<float>(8.0 * static_cast<double>(k - n / 2) / n);
  return std::tanh(a);
}

float elu_table_float(int k, int n) {
  float a = static_cast<float>(-8.0 * static_cast<double>(k) / n);
  return std::exp(a) - 1.0f;
}

std::optional<TableFunction> table_function(const std::string& name) {
  if (name == "softplus") return TableFunction::Softplus;
  if (name == "softsign") return TableFunction::Softsign;
  if (name == "erf") return TableFunction::Erf;
  return std::nullopt;
}

const char* table_function_name(TableFunction f) {
  switch (f) {
    case TableFunction::Softplus: return "softplus";
    case TableFunction::Softsign: return "softsign";
    case TableFunction::Erf: return "erf";
  }
  return "?";
}

const char* table_function_names() { return "softplus, softsign, erf"; }

float unary_table_float(TableFunction f, int k, int n) {
  // 16 (k - n/2) / n with the exact half: 8 (2k - n) / n.
  const float a = static_cast<float>(8.0 * static_cast<double>(2 * int64_t{k} - n) / n);
  switch (f) {
    case TableFunction::Softplus: return static_cast<float>(std::log(static_cast<double>(std::exp(a)) + 1.0));
    case TableFunction::Softsign: return static_cast<float>(static_cast<double>(a) / (static_cast<double>(std::fabs(a)) + 1.0));
    case TableFunction::Erf: return std::erf(a);
  }
  return 0.0f;
}

double softmax_table_point(int k, int n, const FixedType& t) {
  int b = table_bits(n);
  if (b < 0) fail("softmax table size {} is not a power of two", n);
  // code = k << (W - B) (or k >> (B - W)); value = signed code * 2^-F.
  int w = t.width;
  int64_t code_top;  // the code's value divided by 2^(W - B) (W >= B) or the code itself
  int64_t scale_exp;  // value = code_top * 2^scale_exp
  if (w >= b) {
    code_top = k;
    if (t.is_signed && b > 0 && (k >> (b - 1)) & 1) code_top -= int64_t{1} << b;
    if (t.is_signed && b == 0) code_top = 0;
    scale_exp = int64_t{w - b} - t.frac_bits();
  } else {
    code_top = k >> (b - w);
    if (t.is_signed && (code_top >> (w - 1)) & 1) code_top -= int64_t{1} << w;
    scale_exp = -int64_t{t.frac_bits()};
  }
  if (scale_exp > 2000) return code_top == 0 ? 0.0 : (code_top > 0 ? HUGE_VAL : -HUGE_VAL);
  if (scale_exp < -2000) return code_top < 0 ? -0.0 : 0.0;
  return std::ldexp(static_cast<double>(code_top), static_cast<int>(scale_exp));
}

std::vector<int64_t> sigmoid_table(int n, const FixedType& t) {
  check_size(n, "sigmoid table");
  return raw_table(n, t, "sigmoid table", [n](int k) { return sigmoid_table_float(k, n); });
}
std::vector<int64_t> tanh_table(int n, const FixedType& t) {
  check_size(n, "tanh table");
  return raw_table(n, t, "tanh table", [n](int k) { return tanh_table_float(k, n); });
}
std::vector<int64_t> elu_table(int n, const FixedType& t) {
  check_size(n, "elu table");
  return raw_table(n, t, "elu table", [n](int k) { return elu_table_float(k, n); });
}
std::vector<int64_t> unary_table(TableFunction f, int n, const FixedType& t) {
  check_size(n, table_function_name(f));
  return raw_table(n, t, table_function_name(f), [f, n](int k) { return unary_table_float(f, k, n); });
}
std::vector<int64_t> softmax_exp_table(int n, const FixedType& inp_norm_t, const FixedType& exp_table_t, bool stable) {
  check_pow2(n, "softmax exp table");
  return raw_table(n, exp_table_t, "softmax exp table",
                   [&](int k) { return stable_exp(k, n, inp_norm_t, stable); });
}
std::vector<int64_t> softmax_inv_table(int n, const FixedType& inv_inp_t, const FixedType& inv_table_t) {
  check_pow2(n, "softmax inverse table");
  return raw_table(n, inv_table_t, "softmax inverse table", [&](int k) { return inverse(k, n, inv_inp_t); });
}

std::vector<Fixed> sigmoid_table_fixed(int n, const FixedType& t) {
  check_size(n, "sigmoid table");
  return fixed_table(n, t, [n](int k) { return sigmoid_table_float(k, n); });
}
std::vector<Fixed> tanh_table_fixed(int n, const FixedType& t) {
  check_size(n, "tanh table");
  return fixed_table(n, t, [n](int k) { return tanh_table_float(k, n); });
}
std::vector<Fixed> elu_table_fixed(int n, const FixedType& t) {
  check_size(n, "elu table");
  return fixed_table(n, t, [n](int k) { return elu_table_float(k, n); });
}
std::vector<Fixed> unary_table_fixed(TableFunction f, int n, const FixedType& t) {
  check_size(n, table_function_name(f));
  return fixed_table(n, t, [f, n](int k) { return unary_table_float(f, k, n); });
}
std::vector<Fixed> softmax_exp_table_fixed(int n, const FixedType& inp_norm_t, const FixedType& exp_table_t,
                                           bool stable) {
  check_pow2(n, "softmax exp table");
  return fixed_table(n, exp_table_t, [&](int k) { return stable_exp(k, n, inp_norm_t, stable); });
}
std::vector<Fixed> softmax_inv_table_fixed(int n, const FixedType& inv_inp_t, const FixedType& inv_table_t) {
  check_pow2(n, "softmax inverse table");
  return fixed_table(n, inv_table_t, [&](int k) { return inverse(k, n, inv_inp_t); });
}

int sigmoid_index(const Fixed& x, int n) {
  return table_detail::clamp_index(trunc_scaled_big(x.raw(), n, int64_t{x.type().frac_bits()} + 4) + n / 2, n);
}
int tanh_index(const Fixed& x, int n) {
  return table_detail::clamp_index(trunc_scaled_big(x.raw(), n, int64_t{x.type().frac_bits()} + 3) + n / 2, n);
}
int elu_index(const Fixed& x, int n) {
  return table_detail::clamp_index(-trunc_scaled_big(x.raw(), n, int64_t{x.type().frac_bits()} + 3), n);
}
int softmax_index(const Fixed& x, int n) {
  int b = table_bits(n);
  if (b < 0) fail("softmax table size {} is not a power of two", n);
  int w = x.type().width;
  BigInt u = x.raw().wrap_unsigned(w);
  if (w >= b) return static_cast<int>(u.shr(w - b).low_i64());
  return static_cast<int>(u.shl(b - w).low_i64());
}

}  // namespace tachyon::emulator
