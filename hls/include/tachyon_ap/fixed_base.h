// ap_fixed_base<W,I,S,Q,O,N>, ap_fixed, ap_ufixed and the operators between fixed types
// (detail of ap_common.h).  value = raw * 2^(I-W).  Conversions into a fixed type quantize
// (Q) then handle overflow (O, N); arithmetic results are exact full-precision types.
#ifndef TACHYON_AP_FIXED_BASE_H
#define TACHYON_AP_FIXED_BASE_H

#include <string>
#include <type_traits>

namespace tachyon {
namespace ap {

template <int W, int I, bool S, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0> struct fx_type {
  typedef ap_fixed<W, I, Q, O, N> type;
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N> struct fx_type<W, I, false, Q, O, N> {
  typedef ap_ufixed<W, I, Q, O, N> type;
};

// Result types of fixed-point operators (vendor rules, README note 4).
template <int W1, int I1, bool S1, int W2, int I2, bool S2> struct fx_rt {
  static const int F1 = W1 - I1, F2 = W2 - I2;
  static const int FM = F1 > F2 ? F1 : F2;
  static const int I1x = I1 + ((S2 && !S1) ? 1 : 0), I2x = I2 + ((S1 && !S2) ? 1 : 0);
  static const bool s = S1 || S2;
  static const int plus_i = (I1x > I2x ? I1x : I2x) + 1;
  static const int plus_w = plus_i + FM;
  static const int mult_w = W1 + W2, mult_i = I1 + I2;
  static const int F2p = F2 > 0 ? F2 : 0;
  static const int div_w = (S2 ? 1 : 0) + W1 + F2p, div_i = (S2 ? 1 : 0) + I1 + F2;
  typedef typename fx_type<plus_w, plus_i, s>::type plus;
  typedef typename fx_type<plus_w, plus_i, true>::type minus;
  typedef typename fx_type<mult_w, mult_i, s>::type mult;
  typedef typename fx_type<div_w, div_i, s>::type div;
};

}  // namespace ap
}  // namespace tachyon

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
class ap_fixed_base : public tachyon::ap::bits_base<W, S> {
  typedef tachyon::ap::u64 u64;
  static const int NW = tachyon::ap::nwords<W>::value;
  static const int kF = W - I;  // fraction bits (may be negative or exceed W)

 public:
  static_assert(W >= 1, "ap_fixed width must be >= 1");
  typedef typename tachyon::ap::fx_type<W, I, S, Q, O, N>::type self_type;
  static const int width = W;
  static const int iwidth = I;
  static const ap_q_mode qmode = Q;
  static const ap_o_mode omode = O;
  static const int sat_bits = N;
  static const bool sign_flag = S;

  ap_fixed_base() {}
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_fixed_base(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& x) {
    assign_from(x.tachyon_w_, tachyon::ap::nwords<W2>::value, S2, (W2 - I2) - kF);
  }
  template <int W2, bool S2> ap_fixed_base(const ap_int_base<W2, S2>& x) {
    assign_from(x.tachyon_w_, tachyon::ap::nwords<W2>::value, S2, -kF);
  }
  template <class T, typename std::enable_if<tachyon::ap::c_int<T>::ok, int>::type = 0> ap_fixed_base(T v) {
    u64 w = tachyon::ap::c_int_word(v);
    assign_from(&w, 1, tachyon::ap::c_int<T>::S, -kF);
  }
  template <class T, typename std::enable_if<std::is_enum<T>::value, int>::type = 0> ap_fixed_base(T v) {
    u64 w = static_cast<u64>(static_cast<long long>(v));
    assign_from(&w, 1, true, -kF);
  }
  // From floating point: the exact binary value of the double, quantized once.
  ap_fixed_base(double v) { from_double(v); }
  ap_fixed_base(float v) { from_double(v); }
  ap_fixed_base(long double v) { from_double(static_cast<double>(v)); }
  // A range reference converts as the unsigned integer it reads.
  template <int W2, bool S2> ap_fixed_base(const tachyon::ap::range_ref<W2, S2>& r) {
    u64 w[tachyon::ap::nwords<W2>::value];
    r.get(w);
    assign_from(w, tachyon::ap::nwords<W2>::value, false, -kF);
  }
  template <int W2, bool S2> ap_fixed_base(const tachyon::ap::bit_ref<W2, S2>& b) {
    u64 w = b.get() ? 1U : 0U;
    assign_from(&w, 1, false, -kF);
  }
  // From text: "[+-][0x|0b|0o]digits[.digits][e[+-]exp]", converted exactly then quantized.
  ap_fixed_base(const char* s, signed char radix = 10) {
    tachyon::ap::convert_parsed<W, S>(this->tachyon_w_, kF, Q, O, N, tachyon::ap::parse_number(s, radix));
  }

  // ---- conversions ----
  operator double() const { return to_double(); }
  double to_double() const { return tachyon::ap::words_to_double<NW>(this->tachyon_w_, S, kF); }
  float to_float() const { return tachyon::ap::words_to_float<NW>(this->tachyon_w_, S, kF); }
  // Integer conversions truncate toward zero, then wrap (vendor I == 0 quirk included).
  int to_int() const { return ap_int_base<32, true>(*this).to_int(); }
  unsigned to_uint() const { return ap_int_base<32, false>(*this).to_uint(); }
  long to_long() const { return static_cast<long>(ap_int_base<64, true>(*this).to_int64()); }
  unsigned long to_ulong() const { return static_cast<unsigned long>(ap_int_base<64, false>(*this).to_uint64()); }
  long long to_int64() const { return ap_int_base<64, true>(*this).to_int64(); }
  unsigned long long to_uint64() const { return ap_int_base<64, false>(*this).to_uint64(); }
  bool to_bool() const { return !this->is_zero(); }
  ap_int_base<(I > 1 ? I : 1), S> to_ap_int_base() const { return ap_int_base<(I > 1 ? I : 1), S>(*this); }
  // Exact text (radix 10: "-12.375"; 2/8/16 with 0b/0o/0x prefix).
  std::string to_string(int radix = 10, bool sign = S) const {
    if (sign || !S) return tachyon::ap::words_to_string<NW>(this->tachyon_w_, S, kF, radix);
    u64 w[NW];
    for (int i = 0; i < NW; ++i) w[i] = this->tachyon_w_[i];
    tachyon::ap::normalize(w, NW, W, false);
    return tachyon::ap::words_to_string<NW>(w, false, kF, radix);
  }

  // ---- compound assignment: exact result of `*this op b`, then converted into this type ----
#define TACHYON_AP_FX_CASSIGN(OP)                                                                   \
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>                            \
  ap_fixed_base& operator OP##=(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& b) {                   \
    *this = ap_fixed_base(*this OP b);                                                              \
    return *this;                                                                                   \
  }                                                                                                 \
  template <int W2, bool S2> ap_fixed_base& operator OP##=(const ap_int_base<W2, S2>& b) {          \
    *this = ap_fixed_base(*this OP ap_fixed_base<W2, W2, S2, AP_TRN, AP_WRAP, 0>(b));               \
    return *this;                                                                                   \
  }                                                                                                 \
  template <class T>                                                                                \
  typename std::enable_if<tachyon::ap::c_int<T>::ok, ap_fixed_base&>::type operator OP##=(T b) {     \
    typedef ap_fixed_base<tachyon::ap::c_int<T>::W, tachyon::ap::c_int<T>::W, tachyon::ap::c_int<T>::S, \
                          AP_TRN, AP_WRAP, 0>                                                       \
        CT;                                                                                         \
    *this = ap_fixed_base(*this OP CT(b));                                                          \
    return *this;                                                                                   \
  }                                                                                                 \
  /* floating point right-hand side: computed in double, then converted */                         \
  template <class T>                                                                                \
  typename std::enable_if<std::is_floating_point<T>::value, ap_fixed_base&>::type operator OP##=(T b) { \
    *this = ap_fixed_base(to_double() OP static_cast<double>(b));                                   \
    return *this;                                                                                   \
  }
  TACHYON_AP_FX_CASSIGN(+)
  TACHYON_AP_FX_CASSIGN(-)
  TACHYON_AP_FX_CASSIGN(*)
  TACHYON_AP_FX_CASSIGN(/)
#undef TACHYON_AP_FX_CASSIGN
  // Shifts in place: no quantization or overflow handling (bits are lost).
  ap_fixed_base& operator<<=(int k) {
    tachyon::ap::shift_words<W, S>(this->tachyon_w_, this->tachyon_w_, k);
    return *this;
  }
  ap_fixed_base& operator>>=(int k) {
    tachyon::ap::shift_words<W, S>(this->tachyon_w_, this->tachyon_w_, -k);
    return *this;
  }
  ap_fixed_base& operator++() { return *this += ap_int_base<1, false>(1); }
  ap_fixed_base& operator--() { return *this -= ap_int_base<1, false>(1); }
  self_type operator++(int) {
    self_type old(*this);
    ++*this;
    return old;
  }
  self_type operator--(int) {
    self_type old(*this);
    --*this;
    return old;
  }

  // ---- unary ----
  self_type operator+() const { return self_type(*this); }
  typename tachyon::ap::fx_type<W + 1, I + 1, true>::type operator-() const {
    typename tachyon::ap::fx_type<W + 1, I + 1, true>::type r;
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

  // ---- shifts (README note 6): same type, no quantization/saturation; >> is arithmetic
  // for ap_fixed, logical for ap_ufixed; a negative amount shifts the other way ----
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
  void assign_from(const u64* src, int snw, bool ss, int d) {
    tachyon::ap::convert_to<W, S>(this->tachyon_w_, Q, O, N, src, snw, ss, d);
  }
  void from_double(double v) {
    long long m;
    int e;
    tachyon::ap::decode_double(v, m, e);
    u64 w = static_cast<u64>(m);
    assign_from(&w, 1, true, -e - kF);
  }
};

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N> const int ap_fixed_base<W, I, S, Q, O, N>::width;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N> const int ap_fixed_base<W, I, S, Q, O, N>::iwidth;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
const ap_q_mode ap_fixed_base<W, I, S, Q, O, N>::qmode;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
const ap_o_mode ap_fixed_base<W, I, S, Q, O, N>::omode;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N> const int ap_fixed_base<W, I, S, Q, O, N>::sat_bits;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
const bool ap_fixed_base<W, I, S, Q, O, N>::sign_flag;

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N> class ap_fixed : public ap_fixed_base<W, I, true, Q, O, N> {
  typedef ap_fixed_base<W, I, true, Q, O, N> Base;

 public:
  using Base::Base;
  ap_fixed() {}
  ap_fixed(const Base& b) : Base(b) {}
};

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
class ap_ufixed : public ap_fixed_base<W, I, false, Q, O, N> {
  typedef ap_fixed_base<W, I, false, Q, O, N> Base;

 public:
  using Base::Base;
  ap_ufixed() {}
  ap_ufixed(const Base& b) : Base(b) {}
};

// ---- binary operators between fixed types (exact, README note 4) -------------------------
#define TACHYON_AP_FT \
  template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, int W2, int I2, bool S2, ap_q_mode Q2, \
            ap_o_mode O2, int N2>
#define TACHYON_AP_FA \
  const ap_fixed_base<W1, I1, S1, Q1, O1, N1>&a, const ap_fixed_base<W2, I2, S2, Q2, O2, N2>&b
#define TACHYON_AP_FR tachyon::ap::fx_rt<W1, I1, S1, W2, I2, S2>
#define TACHYON_AP_NW(X) tachyon::ap::nwords<X>::value

TACHYON_AP_FT inline typename TACHYON_AP_FR::plus operator+(TACHYON_AP_FA) {
  typedef TACHYON_AP_FR R;
  typename R::plus r;
  tachyon::ap::add_words<R::plus_w, R::s>(r.tachyon_w_, a.tachyon_w_, TACHYON_AP_NW(W1), S1, R::FM - R::F1,
                                          b.tachyon_w_, TACHYON_AP_NW(W2), S2, R::FM - R::F2, false);
  return r;
}
TACHYON_AP_FT inline typename TACHYON_AP_FR::minus operator-(TACHYON_AP_FA) {
  typedef TACHYON_AP_FR R;
  typename R::minus r;
  tachyon::ap::add_words<R::plus_w, true>(r.tachyon_w_, a.tachyon_w_, TACHYON_AP_NW(W1), S1, R::FM - R::F1,
                                          b.tachyon_w_, TACHYON_AP_NW(W2), S2, R::FM - R::F2, true);
  return r;
}
TACHYON_AP_FT inline typename TACHYON_AP_FR::mult operator*(TACHYON_AP_FA) {
  typename TACHYON_AP_FR::mult r;
  tachyon::ap::mul_words<W1 + W2, S1 || S2>(r.tachyon_w_, a.tachyon_w_, TACHYON_AP_NW(W1), S1, b.tachyon_w_,
                                            TACHYON_AP_NW(W2), S2);
  return r;
}
// Quotient with the vendor's result type, truncated toward zero; x / 0 gives 0.
TACHYON_AP_FT inline typename TACHYON_AP_FR::div operator/(TACHYON_AP_FA) {
  typedef TACHYON_AP_FR R;
  typename R::div r;
  tachyon::ap::divmod_words<R::div_w, R::s, TACHYON_AP_NW(W1 + R::F2p), TACHYON_AP_NW(W2)>(
      r.tachyon_w_, false, a.tachyon_w_, TACHYON_AP_NW(W1), S1, R::F2p, b.tachyon_w_, TACHYON_AP_NW(W2), S2);
  return r;
}

#define TACHYON_AP_FX_CMP(OP, K)                                                                      \
  TACHYON_AP_FT inline bool operator OP(TACHYON_AP_FA) {                                             \
    return tachyon::ap::compare_words(tachyon::ap::K, a.tachyon_w_, TACHYON_AP_NW(W1), W1, W1 - I1, S1, \
                                      b.tachyon_w_, TACHYON_AP_NW(W2), W2, W2 - I2, S2);              \
  }
TACHYON_AP_FX_CMP(<, CMP_LT)
TACHYON_AP_FX_CMP(<=, CMP_LE)
TACHYON_AP_FX_CMP(>, CMP_GT)
TACHYON_AP_FX_CMP(>=, CMP_GE)
TACHYON_AP_FX_CMP(==, CMP_EQ)
TACHYON_AP_FX_CMP(!=, CMP_NE)
#undef TACHYON_AP_FX_CMP

#undef TACHYON_AP_FT
#undef TACHYON_AP_FA
#undef TACHYON_AP_FR
#undef TACHYON_AP_NW

#endif  // TACHYON_AP_FIXED_BASE_H
