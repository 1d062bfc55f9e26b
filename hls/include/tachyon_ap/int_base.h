// ap_int_base<W,S>, ap_int<W>, ap_uint<W> and the operators between them (detail of
// ap_common.h).  Integer semantics: every conversion into an integer type wraps modulo 2^W;
// arithmetic results are exact (their type is wide enough).
#ifndef TACHYON_AP_INT_BASE_H
#define TACHYON_AP_INT_BASE_H

#include <string>
#include <type_traits>

namespace tachyon {
namespace ap {

template <int W, bool S> struct int_type { typedef ap_int<W> type; };
template <int W> struct int_type<W, false> { typedef ap_uint<W> type; };

// Result types of integer operators (operands <W1,S1>, <W2,S2>).
template <int W1, bool S1, int W2, bool S2> struct int_rt {
  static const int w1x = W1 + ((S2 && !S1) ? 1 : 0);
  static const int w2x = W2 + ((S1 && !S2) ? 1 : 0);
  static const int logic_w = w1x > w2x ? w1x : w2x;
  static const bool s = S1 || S2;
  static const int plus_w = logic_w + 1;
  static const int mult_w = W1 + W2;
  static const int div_w = W1 + (S2 ? 1 : 0);
  static const int mod_w0 = W2 + ((S1 && !S2) ? 1 : 0);
  static const int mod_w = W1 < mod_w0 ? W1 : mod_w0;
  typedef typename int_type<plus_w, s>::type plus;
  typedef typename int_type<plus_w, true>::type minus;
  typedef typename int_type<mult_w, s>::type mult;
  typedef typename int_type<div_w, s>::type div;
  typedef typename int_type<mod_w, S1>::type mod;
  typedef typename int_type<logic_w, s>::type logic;
};

// The C type an ap_int converts to implicitly.
template <int W, bool S> struct int_ret { typedef typename std::conditional<S, int, unsigned>::type type; };
template <int W, bool S, bool Big> struct int_ret_big { typedef typename int_ret<W, S>::type type; };
template <int W, bool S> struct int_ret_big<W, S, true> {
  typedef typename std::conditional<S, long long, unsigned long long>::type type;
};

template <class T> struct c_int_ap { typedef ap_int_base<c_int<T>::W, c_int<T>::S> type; };

}  // namespace ap
}  // namespace tachyon

template <int W, bool S> class ap_int_base : public tachyon::ap::bits_base<W, S> {
  typedef tachyon::ap::bits_base<W, S> Base;
  typedef tachyon::ap::u64 u64;
  static const int NW = tachyon::ap::nwords<W>::value;

 public:
  static_assert(W >= 1, "ap_int width must be >= 1");
  typedef typename tachyon::ap::int_ret_big<W, S, (W > 32)>::type RetType;
  typedef typename tachyon::ap::int_type<W, S>::type self_type;
  static const int width = W;
  static const bool sign_flag = S;

  ap_int_base() {}
  template <int W2, bool S2> ap_int_base(const ap_int_base<W2, S2>& x) {
    tachyon::ap::wrap_to<W, S>(this->tachyon_w_, x.tachyon_w_, tachyon::ap::nwords<W2>::value, S2);
  }
  // From ap_fixed: truncation toward zero, then wrap (plus the I == 0 vendor quirk).
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_int_base(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& x) {
    if (tachyon::ap::quirk_int_from_fixed_i0(S2, I2, x.is_neg())) {
      for (int i = 0; i < NW; ++i) this->tachyon_w_[i] = ~0ULL;
      this->tachyon_normalize();
      return;
    }
    tachyon::ap::convert_to<W, S>(this->tachyon_w_, AP_TRN_ZERO, AP_WRAP, 0, x.tachyon_w_,
                                  tachyon::ap::nwords<W2>::value, S2, W2 - I2);
  }
  template <class T, typename std::enable_if<tachyon::ap::c_int<T>::ok, int>::type = 0> ap_int_base(T v) {
    u64 w = tachyon::ap::c_int_word(v);
    tachyon::ap::wrap_to<W, S>(this->tachyon_w_, &w, 1, tachyon::ap::c_int<T>::S);
  }
  template <class T, typename std::enable_if<std::is_enum<T>::value, int>::type = 0> ap_int_base(T v) {
    u64 w = static_cast<u64>(static_cast<long long>(v));
    tachyon::ap::wrap_to<W, S>(this->tachyon_w_, &w, 1, true);
  }
  // From floating point: truncation toward zero, then wrap.
  ap_int_base(double v) { from_double(v); }
  ap_int_base(float v) { from_double(v); }
  ap_int_base(long double v) { from_double(static_cast<double>(v)); }
  template <int W2, bool S2> ap_int_base(const tachyon::ap::range_ref<W2, S2>& r) {
    u64 w[tachyon::ap::nwords<W2>::value];
    r.get(w);
    tachyon::ap::wrap_to<W, S>(this->tachyon_w_, w, tachyon::ap::nwords<W2>::value, false);
  }
  template <int W2, bool S2> ap_int_base(const tachyon::ap::bit_ref<W2, S2>& b) {
    u64 w = b.get() ? 1U : 0U;
    tachyon::ap::wrap_to<W, S>(this->tachyon_w_, &w, 1, false);
  }
  // From text: [+-][0x|0b|0o]digits (radix 2/8/10/16); fractions truncate toward zero.
  ap_int_base(const char* s, signed char radix = 10) {
    tachyon::ap::convert_parsed<W, S>(this->tachyon_w_, 0, AP_TRN_ZERO, AP_WRAP, 0,
                                      tachyon::ap::parse_number(s, radix));
  }

  // ---- conversions ----
  operator RetType() const { return static_cast<RetType>(this->tachyon_w_[0]); }
  int to_int() const { return static_cast<int>(this->tachyon_w_[0]); }
  unsigned to_uint() const { return static_cast<unsigned>(this->tachyon_w_[0]); }
  long to_long() const { return static_cast<long>(this->tachyon_w_[0]); }
  unsigned long to_ulong() const { return static_cast<unsigned long>(this->tachyon_w_[0]); }
  long long to_int64() const { return static_cast<long long>(this->tachyon_w_[0]); }
  unsigned long long to_uint64() const { return this->tachyon_w_[0]; }
  bool to_bool() const { return !this->is_zero(); }
  double to_double() const { return tachyon::ap::words_to_double<NW>(this->tachyon_w_, S, 0); }
  float to_float() const { return tachyon::ap::words_to_float<NW>(this->tachyon_w_, S, 0); }
  // Exact text; radix 2/8/16 get a 0b/0o/0x prefix.  sign=false reads the bits unsigned.
  std::string to_string(int radix = 10, bool sign = S) const {
    if (sign || !S) return tachyon::ap::words_to_string<NW>(this->tachyon_w_, S, 0, radix);
    u64 w[NW];
    for (int i = 0; i < NW; ++i) w[i] = this->tachyon_w_[i];
    tachyon::ap::normalize(w, NW, W, false);
    return tachyon::ap::words_to_string<NW>(w, false, 0, radix);
  }

  // ---- compound assignment (exact result, then wrapped into this type) ----
#define TACHYON_AP_INT_CASSIGN(OP)                                                                   \
  template <int W2, bool S2> ap_int_base& operator OP##=(const ap_int_base<W2, S2>& b) {             \
    *this = ap_int_base(*this OP b);                                                                 \
    return *this;                                                                                    \
  }                                                                                                  \
  template <class T>                                                                                 \
  typename std::enable_if<tachyon::ap::c_int<T>::ok, ap_int_base&>::type operator OP##=(T b) {        \
    *this = ap_int_base(*this OP typename tachyon::ap::c_int_ap<T>::type(b));                         \
    return *this;                                                                                    \
  }
  TACHYON_AP_INT_CASSIGN(+)
  TACHYON_AP_INT_CASSIGN(-)
  TACHYON_AP_INT_CASSIGN(*)
  TACHYON_AP_INT_CASSIGN(/)
  TACHYON_AP_INT_CASSIGN(%)
  TACHYON_AP_INT_CASSIGN(&)
  TACHYON_AP_INT_CASSIGN(|)
  TACHYON_AP_INT_CASSIGN(^)
#undef TACHYON_AP_INT_CASSIGN
  ap_int_base& operator<<=(int k) {
    tachyon::ap::shift_words<W, S>(this->tachyon_w_, this->tachyon_w_, k);
    return *this;
  }
  ap_int_base& operator>>=(int k) {
    tachyon::ap::shift_words<W, S>(this->tachyon_w_, this->tachyon_w_, -k);
    return *this;
  }
  template <int W2, bool S2> ap_int_base& operator<<=(const ap_int_base<W2, S2>& k) { return *this <<= k.to_int(); }
  template <int W2, bool S2> ap_int_base& operator>>=(const ap_int_base<W2, S2>& k) { return *this >>= k.to_int(); }

  ap_int_base& operator++() { return step(1ULL); }
  ap_int_base& operator--() { return step(~0ULL); }
  self_type operator++(int) {
    self_type old(*this);
    step(1ULL);
    return old;
  }
  self_type operator--(int) {
    self_type old(*this);
    step(~0ULL);
    return old;
  }

  // ---- unary ----
  self_type operator+() const { return self_type(*this); }
  typename tachyon::ap::int_type<W + 1, true>::type operator-() const {
    typename tachyon::ap::int_type<W + 1, true>::type r;
    tachyon::ap::neg_words<W + 1, true>(r.tachyon_w_, this->tachyon_w_, NW, S);
    return r;
  }
  self_type operator~() const {
    self_type r;
    for (int i = 0; i < NW; ++i) r.tachyon_w_[i] = ~this->tachyon_w_[i];
    r.tachyon_normalize();
    return r;
  }
  bool operator!() const { return this->is_zero(); }

  // ---- shifts: same type, bits shifted out are lost; >> is arithmetic for signed ----
  self_type operator<<(int k) const {
    self_type r;
    tachyon::ap::shift_words<W, S>(r.tachyon_w_, this->tachyon_w_, k);
    return r;
  }
  self_type operator>>(int k) const {
    self_type r;
    tachyon::ap::shift_words<W, S>(r.tachyon_w_, this->tachyon_w_, -k);
    return r;
  }
  template <int W2, bool S2> self_type operator<<(const ap_int_base<W2, S2>& k) const { return *this << k.to_int(); }
  template <int W2, bool S2> self_type operator>>(const ap_int_base<W2, S2>& k) const { return *this >> k.to_int(); }

 private:
  void from_double(double v) {
    long long m;
    int e;
    tachyon::ap::decode_double(v, m, e);
    u64 w = static_cast<u64>(m);
    tachyon::ap::convert_to<W, S>(this->tachyon_w_, AP_TRN_ZERO, AP_WRAP, 0, &w, 1, true, -e);
  }
  ap_int_base& step(u64 delta) {  // += 1 (delta = 1) or -= 1 (delta = all ones), wrapping
    u64 ext = delta == 1ULL ? 0ULL : ~0ULL, carry = 0;
    for (int i = 0; i < NW; ++i) {
      tachyon::ap::u128 t = static_cast<tachyon::ap::u128>(this->tachyon_w_[i]) + (i == 0 ? delta : ext) + carry;
      this->tachyon_w_[i] = static_cast<u64>(t);
      carry = static_cast<u64>(t >> 64);
    }
    this->tachyon_normalize();
    return *this;
  }
};

template <int W, bool S> const int ap_int_base<W, S>::width;
template <int W, bool S> const bool ap_int_base<W, S>::sign_flag;

template <int W> class ap_int : public ap_int_base<W, true> {
  typedef ap_int_base<W, true> Base;

 public:
  using Base::Base;
  ap_int() {}
  ap_int(const Base& b) : Base(b) {}
};

template <int W> class ap_uint : public ap_int_base<W, false> {
  typedef ap_int_base<W, false> Base;

 public:
  using Base::Base;
  ap_uint() {}
  ap_uint(const Base& b) : Base(b) {}
};

// ---- binary operators between integer types (exact results) ------------------------------
#define TACHYON_AP_IT template <int W1, bool S1, int W2, bool S2>
#define TACHYON_AP_IA const ap_int_base<W1, S1>&a, const ap_int_base<W2, S2>&b
#define TACHYON_AP_RT(K) typename tachyon::ap::int_rt<W1, S1, W2, S2>::K
#define TACHYON_AP_NW(X) tachyon::ap::nwords<X>::value

TACHYON_AP_IT inline TACHYON_AP_RT(plus) operator+(TACHYON_AP_IA) {
  TACHYON_AP_RT(plus) r;
  tachyon::ap::add_words<tachyon::ap::int_rt<W1, S1, W2, S2>::plus_w, tachyon::ap::int_rt<W1, S1, W2, S2>::s>(
      r.tachyon_w_, a.tachyon_w_, TACHYON_AP_NW(W1), S1, 0, b.tachyon_w_, TACHYON_AP_NW(W2), S2, 0, false);
  return r;
}
TACHYON_AP_IT inline TACHYON_AP_RT(minus) operator-(TACHYON_AP_IA) {
  TACHYON_AP_RT(minus) r;
  tachyon::ap::add_words<tachyon::ap::int_rt<W1, S1, W2, S2>::plus_w, true>(
      r.tachyon_w_, a.tachyon_w_, TACHYON_AP_NW(W1), S1, 0, b.tachyon_w_, TACHYON_AP_NW(W2), S2, 0, true);
  return r;
}
TACHYON_AP_IT inline TACHYON_AP_RT(mult) operator*(TACHYON_AP_IA) {
  TACHYON_AP_RT(mult) r;
  tachyon::ap::mul_words<W1 + W2, S1 || S2>(r.tachyon_w_, a.tachyon_w_, TACHYON_AP_NW(W1), S1, b.tachyon_w_,
                                            TACHYON_AP_NW(W2), S2);
  return r;
}
// Division truncates toward zero (C semantics); x / 0 gives 0.
TACHYON_AP_IT inline TACHYON_AP_RT(div) operator/(TACHYON_AP_IA) {
  TACHYON_AP_RT(div) r;
  tachyon::ap::divmod_words<tachyon::ap::int_rt<W1, S1, W2, S2>::div_w, S1 || S2, TACHYON_AP_NW(W1),
                            TACHYON_AP_NW(W2)>(r.tachyon_w_, false, a.tachyon_w_, TACHYON_AP_NW(W1), S1, 0,
                                               b.tachyon_w_, TACHYON_AP_NW(W2), S2);
  return r;
}
// Remainder has the sign of the dividend (C semantics); x % 0 gives 0.
TACHYON_AP_IT inline TACHYON_AP_RT(mod) operator%(TACHYON_AP_IA) {
  TACHYON_AP_RT(mod) r;
  tachyon::ap::divmod_words<tachyon::ap::int_rt<W1, S1, W2, S2>::mod_w, S1, TACHYON_AP_NW(W1), TACHYON_AP_NW(W2)>(
      r.tachyon_w_, true, a.tachyon_w_, TACHYON_AP_NW(W1), S1, 0, b.tachyon_w_, TACHYON_AP_NW(W2), S2);
  return r;
}

#define TACHYON_AP_INT_LOGIC(OP)                                                            \
  TACHYON_AP_IT inline TACHYON_AP_RT(logic) operator OP(TACHYON_AP_IA) {                    \
    TACHYON_AP_RT(logic) r;                                                                 \
    tachyon::ap::Src A(a.tachyon_w_, TACHYON_AP_NW(W1), S1), B(b.tachyon_w_, TACHYON_AP_NW(W2), S2); \
    for (int i = 0; i < TACHYON_AP_NW((tachyon::ap::int_rt<W1, S1, W2, S2>::logic_w)); ++i) \
      r.tachyon_w_[i] = A.word(i) OP B.word(i);                                             \
    r.tachyon_normalize();                                                                  \
    return r;                                                                               \
  }
TACHYON_AP_INT_LOGIC(&)
TACHYON_AP_INT_LOGIC(|)
TACHYON_AP_INT_LOGIC(^)
#undef TACHYON_AP_INT_LOGIC

#define TACHYON_AP_INT_CMP(OP, K)                                                                     \
  TACHYON_AP_IT inline bool operator OP(TACHYON_AP_IA) {                                             \
    return tachyon::ap::compare_words(tachyon::ap::K, a.tachyon_w_, TACHYON_AP_NW(W1), W1, 0, S1,    \
                                      b.tachyon_w_, TACHYON_AP_NW(W2), W2, 0, S2);                   \
  }
TACHYON_AP_INT_CMP(<, CMP_LT)
TACHYON_AP_INT_CMP(<=, CMP_LE)
TACHYON_AP_INT_CMP(>, CMP_GT)
TACHYON_AP_INT_CMP(>=, CMP_GE)
TACHYON_AP_INT_CMP(==, CMP_EQ)
TACHYON_AP_INT_CMP(!=, CMP_NE)
#undef TACHYON_AP_INT_CMP

#undef TACHYON_AP_IT
#undef TACHYON_AP_IA
#undef TACHYON_AP_RT
#undef TACHYON_AP_NW

#endif  // TACHYON_AP_INT_BASE_H
