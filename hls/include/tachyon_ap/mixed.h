// Operators mixing ap_int / ap_fixed / C arithmetic types, and stream I/O (detail of
// ap_common.h).  Rules: an ap_int<W> operand behaves as ap_fixed<W,W>; a C integer behaves
// as the ap_int of its width and signedness (int -> ap_int<32>, unsigned -> ap_uint<32>,
// bool -> ap_uint<1>); a floating-point operand makes the operation a double operation
// (comparisons: `x.to_double() op d`).
#ifndef TACHYON_AP_MIXED_H
#define TACHYON_AP_MIXED_H

#include <istream>
#include <ostream>
#include <string>
#include <type_traits>

namespace tachyon {
namespace ap {
template <int W, bool S> struct int_as_fixed { typedef ap_fixed_base<W, W, S, AP_TRN, AP_WRAP, 0> type; };
template <class T> struct c_int_fixed {
  typedef ap_fixed_base<c_int<T>::W, c_int<T>::W, c_int<T>::S, AP_TRN, AP_WRAP, 0> type;
};
// Result types with a C integer operand; empty (SFINAE) unless T is a C integer type.
template <class T, int W1, int I1, bool S1, bool ok = c_int<T>::ok> struct fx_c_rt {};
template <class T, int W1, int I1, bool S1>
struct fx_c_rt<T, W1, I1, S1, true> : fx_rt<W1, I1, S1, c_int<T>::W, c_int<T>::W, c_int<T>::S> {};
template <class T, int W1, int I1, bool S1, bool ok = c_int<T>::ok> struct c_fx_rt {};
template <class T, int W1, int I1, bool S1>
struct c_fx_rt<T, W1, I1, S1, true> : fx_rt<c_int<T>::W, c_int<T>::W, c_int<T>::S, W1, I1, S1> {};
template <class T, int W1, bool S1, bool ok = c_int<T>::ok> struct int_c_rt {};
template <class T, int W1, bool S1> struct int_c_rt<T, W1, S1, true> : int_rt<W1, S1, c_int<T>::W, c_int<T>::S> {};
template <class T, int W1, bool S1, bool ok = c_int<T>::ok> struct c_int_rt {};
template <class T, int W1, bool S1> struct c_int_rt<T, W1, S1, true> : int_rt<c_int<T>::W, c_int<T>::S, W1, S1> {};
}  // namespace ap
}  // namespace tachyon

#define TACHYON_AP_FX1 int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1
#define TACHYON_AP_FXA const ap_fixed_base<W1, I1, S1, Q1, O1, N1>&
#define TACHYON_AP_ENABLE_CINT(T, R) typename std::enable_if<tachyon::ap::c_int<T>::ok, R>::type
#define TACHYON_AP_ENABLE_FLT(T, R) typename std::enable_if<std::is_floating_point<T>::value, R>::type

// Arithmetic operator OP with result kind K (plus/minus/mult/div).
#define TACHYON_AP_MIXED_ARITH(OP, K)                                                                         \
  /* fixed OP ap_int, ap_int OP fixed */                                                                     \
  template <TACHYON_AP_FX1, int W2, bool S2>                                                                  \
  inline typename tachyon::ap::fx_rt<W1, I1, S1, W2, W2, S2>::K operator OP(TACHYON_AP_FXA a,                 \
                                                                            const ap_int_base<W2, S2>& b) {   \
    return a OP typename tachyon::ap::int_as_fixed<W2, S2>::type(b);                                          \
  }                                                                                                           \
  template <TACHYON_AP_FX1, int W2, bool S2>                                                                  \
  inline typename tachyon::ap::fx_rt<W2, W2, S2, W1, I1, S1>::K operator OP(const ap_int_base<W2, S2>& b,     \
                                                                            TACHYON_AP_FXA a) {               \
    return typename tachyon::ap::int_as_fixed<W2, S2>::type(b) OP a;                                          \
  }                                                                                                           \
  /* fixed OP C integer, C integer OP fixed */                                                               \
  template <TACHYON_AP_FX1, class T>                                                                          \
  inline typename tachyon::ap::fx_c_rt<T, W1, I1, S1>::K operator OP(TACHYON_AP_FXA a, T b) {                 \
    return a OP typename tachyon::ap::c_int_fixed<T>::type(b);                                                \
  }                                                                                                           \
  template <TACHYON_AP_FX1, class T>                                                                          \
  inline typename tachyon::ap::c_fx_rt<T, W1, I1, S1>::K operator OP(T b, TACHYON_AP_FXA a) {                 \
    return typename tachyon::ap::c_int_fixed<T>::type(b) OP a;                                                \
  }                                                                                                           \
  /* ap_int OP C integer, C integer OP ap_int */                                                             \
  template <int W1, bool S1, class T>                                                                         \
  inline typename tachyon::ap::int_c_rt<T, W1, S1>::K operator OP(const ap_int_base<W1, S1>& a, T b) {        \
    return a OP typename tachyon::ap::c_int_ap<T>::type(b);                                                   \
  }                                                                                                           \
  template <int W1, bool S1, class T>                                                                         \
  inline typename tachyon::ap::c_int_rt<T, W1, S1>::K operator OP(T b, const ap_int_base<W1, S1>& a) {        \
    return typename tachyon::ap::c_int_ap<T>::type(b) OP a;                                                   \
  }                                                                                                           \
  /* with floating point: double arithmetic */                                                               \
  template <TACHYON_AP_FX1, class T>                                                                          \
  inline TACHYON_AP_ENABLE_FLT(T, double) operator OP(TACHYON_AP_FXA a, T b) {                                \
    return a.to_double() OP static_cast<double>(b);                                                           \
  }                                                                                                           \
  template <TACHYON_AP_FX1, class T>                                                                          \
  inline TACHYON_AP_ENABLE_FLT(T, double) operator OP(T b, TACHYON_AP_FXA a) {                                \
    return static_cast<double>(b) OP a.to_double();                                                           \
  }                                                                                                           \
  template <int W1, bool S1, class T>                                                                         \
  inline TACHYON_AP_ENABLE_FLT(T, double) operator OP(const ap_int_base<W1, S1>& a, T b) {                    \
    return a.to_double() OP static_cast<double>(b);                                                           \
  }                                                                                                           \
  template <int W1, bool S1, class T>                                                                         \
  inline TACHYON_AP_ENABLE_FLT(T, double) operator OP(T b, const ap_int_base<W1, S1>& a) {                    \
    return static_cast<double>(b) OP a.to_double();                                                           \
  }

TACHYON_AP_MIXED_ARITH(+, plus)
TACHYON_AP_MIXED_ARITH(-, minus)
TACHYON_AP_MIXED_ARITH(*, mult)
TACHYON_AP_MIXED_ARITH(/, div)
#undef TACHYON_AP_MIXED_ARITH

// Integer-only operators with C integers: % & | ^
#define TACHYON_AP_MIXED_INT(OP, K)                                                                 \
  template <int W1, bool S1, class T>                                                               \
  inline typename tachyon::ap::int_c_rt<T, W1, S1>::K operator OP(const ap_int_base<W1, S1>& a, T b) { \
    return a OP typename tachyon::ap::c_int_ap<T>::type(b);                                         \
  }                                                                                                 \
  template <int W1, bool S1, class T>                                                               \
  inline typename tachyon::ap::c_int_rt<T, W1, S1>::K operator OP(T b, const ap_int_base<W1, S1>& a) { \
    return typename tachyon::ap::c_int_ap<T>::type(b) OP a;                                         \
  }
TACHYON_AP_MIXED_INT(%, mod)
TACHYON_AP_MIXED_INT(&, logic)
TACHYON_AP_MIXED_INT(|, logic)
TACHYON_AP_MIXED_INT(^, logic)
#undef TACHYON_AP_MIXED_INT

// Comparisons.
#define TACHYON_AP_MIXED_CMP(OP)                                                                       \
  template <TACHYON_AP_FX1, int W2, bool S2>                                                            \
  inline bool operator OP(TACHYON_AP_FXA a, const ap_int_base<W2, S2>& b) {                             \
    return a OP typename tachyon::ap::int_as_fixed<W2, S2>::type(b);                                    \
  }                                                                                                     \
  template <TACHYON_AP_FX1, int W2, bool S2>                                                            \
  inline bool operator OP(const ap_int_base<W2, S2>& b, TACHYON_AP_FXA a) {                             \
    return typename tachyon::ap::int_as_fixed<W2, S2>::type(b) OP a;                                    \
  }                                                                                                     \
  template <TACHYON_AP_FX1, class T> inline TACHYON_AP_ENABLE_CINT(T, bool) operator OP(TACHYON_AP_FXA a, T b) { \
    return a OP typename tachyon::ap::c_int_fixed<T>::type(b);                                          \
  }                                                                                                     \
  template <TACHYON_AP_FX1, class T> inline TACHYON_AP_ENABLE_CINT(T, bool) operator OP(T b, TACHYON_AP_FXA a) { \
    return typename tachyon::ap::c_int_fixed<T>::type(b) OP a;                                          \
  }                                                                                                     \
  template <int W1, bool S1, class T>                                                                   \
  inline TACHYON_AP_ENABLE_CINT(T, bool) operator OP(const ap_int_base<W1, S1>& a, T b) {               \
    return a OP typename tachyon::ap::c_int_ap<T>::type(b);                                             \
  }                                                                                                     \
  template <int W1, bool S1, class T>                                                                   \
  inline TACHYON_AP_ENABLE_CINT(T, bool) operator OP(T b, const ap_int_base<W1, S1>& a) {               \
    return typename tachyon::ap::c_int_ap<T>::type(b) OP a;                                             \
  }                                                                                                     \
  template <TACHYON_AP_FX1, class T> inline TACHYON_AP_ENABLE_FLT(T, bool) operator OP(TACHYON_AP_FXA a, T b) { \
    return a.to_double() OP static_cast<double>(b);                                                     \
  }                                                                                                     \
  template <TACHYON_AP_FX1, class T> inline TACHYON_AP_ENABLE_FLT(T, bool) operator OP(T b, TACHYON_AP_FXA a) { \
    return static_cast<double>(b) OP a.to_double();                                                     \
  }                                                                                                     \
  template <int W1, bool S1, class T>                                                                   \
  inline TACHYON_AP_ENABLE_FLT(T, bool) operator OP(const ap_int_base<W1, S1>& a, T b) {                \
    return a.to_double() OP static_cast<double>(b);                                                     \
  }                                                                                                     \
  template <int W1, bool S1, class T>                                                                   \
  inline TACHYON_AP_ENABLE_FLT(T, bool) operator OP(T b, const ap_int_base<W1, S1>& a) {                \
    return static_cast<double>(b) OP a.to_double();                                                     \
  }
TACHYON_AP_MIXED_CMP(<)
TACHYON_AP_MIXED_CMP(<=)
TACHYON_AP_MIXED_CMP(>)
TACHYON_AP_MIXED_CMP(>=)
TACHYON_AP_MIXED_CMP(==)
TACHYON_AP_MIXED_CMP(!=)
#undef TACHYON_AP_MIXED_CMP

// ---- stream I/O ------------------------------------------------------------------------
// ap_int: exact decimal (hex / oct stream flags print the raw W-bit pattern);
// ap_fixed: printed as its double value, honouring the stream's precision and flags.
template <int W, bool S> inline std::ostream& operator<<(std::ostream& os, const ap_int_base<W, S>& x) {
  std::ios_base::fmtflags base = os.flags() & std::ios_base::basefield;
  if (base == std::ios_base::hex || base == std::ios_base::oct) {
    std::string s = x.to_string(base == std::ios_base::hex ? 16 : 8, false).substr(2);
    if (os.flags() & std::ios_base::showbase) s = (base == std::ios_base::hex ? "0x" : "0") + s;
    return os << s;
  }
  return os << x.to_string(10);
}
template <TACHYON_AP_FX1> inline std::ostream& operator<<(std::ostream& os, TACHYON_AP_FXA x) {
  return os << x.to_double();
}
template <int W, bool S> inline std::istream& operator>>(std::istream& is, ap_int_base<W, S>& x) {
  std::string s;
  is >> s;
  x = ap_int_base<W, S>(s.c_str());
  return is;
}
template <TACHYON_AP_FX1> inline std::istream& operator>>(std::istream& is, ap_fixed_base<W1, I1, S1, Q1, O1, N1>& x) {
  std::string s;
  is >> s;
  x = ap_fixed_base<W1, I1, S1, Q1, O1, N1>(s.c_str());
  return is;
}

#undef TACHYON_AP_FX1
#undef TACHYON_AP_FXA
#undef TACHYON_AP_ENABLE_CINT
#undef TACHYON_AP_ENABLE_FLT

#endif  // TACHYON_AP_MIXED_H
