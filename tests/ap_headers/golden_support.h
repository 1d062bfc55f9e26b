// Runtime support for the generated golden-vector tests of hls/include/ap_*.h.
// Each generated function instantiates the exact types of one (op, type signature) group
// and runs its table of cases through one of the run_* templates below.
#ifndef TACHYON_TESTS_AP_HEADERS_GOLDEN_SUPPORT_H
#define TACHYON_TESTS_AP_HEADERS_GOLDEN_SUPPORT_H

#include <cstring>
#include <string>
#include <type_traits>

#include "ap_fixed.h"

namespace golden {

typedef tachyon::ap::u64 u64;

// Records one case result; prints the first failures in detail.
void record(bool ok, const char* op, int id, const std::string& detail);
// Hex digits (no 0x) -> words, then masked to W bits.
void hex_to_words(const char* hex, u64* out, int nw);
bool words_match(const u64* w, int nw, int W, const char* hex);
std::string words_hex(const u64* w, int nw, int W);
u64 hex_u64(const char* hex);
double hex_double(const char* hex);
long long dec_i64(const char* s);

template <class T> T from_hex(const char* hex) {
  T x;
  hex_to_words(hex, x.tachyon_w_, tachyon::ap::nwords<T::width>::value);
  x.tachyon_normalize();
  return x;
}

// Bits and exact decimal text of a result.
template <class T> bool result_ok(const T& r, const char* hex, const char* value, std::string& detail) {
  const int nw = tachyon::ap::nwords<T::width>::value;
  bool bits = words_match(r.tachyon_w_, nw, T::width, hex);
  std::string text = r.to_string();
  bool ok = bits && text == value;
  if (!ok) detail = std::string("expected ") + hex + " (" + value + ") got " + words_hex(r.tachyon_w_, nw, T::width) +
                    " (" + text + ")";
  return ok;
}

struct OpAdd { template <class A, class B> static auto apply(const A& a, const B& b) -> decltype(a + b) { return a + b; } };
struct OpSub { template <class A, class B> static auto apply(const A& a, const B& b) -> decltype(a - b) { return a - b; } };
struct OpMul { template <class A, class B> static auto apply(const A& a, const B& b) -> decltype(a * b) { return a * b; } };
struct OpAddAssign { template <class A, class B> static void apply(A& a, const B& b) { a += b; } };
struct OpSubAssign { template <class A, class B> static void apply(A& a, const B& b) { a -= b; } };
struct OpMulAssign { template <class A, class B> static void apply(A& a, const B& b) { a *= b; } };

// d: {from double bits, bits, value} per case.
template <class To> void run_cast_double(const char* const* d, const int* ids, int n) {
  for (int i = 0; i < n; ++i, d += 3) {
    To r = hex_double(d[0]);
    std::string detail;
    record(result_ok(r, d[1], d[2], detail), "cast_double", ids[i], detail);
  }
}

// d: {from bits, bits, value}
template <class From, class To> void run_cast_fixed(const char* const* d, const int* ids, int n) {
  for (int i = 0; i < n; ++i, d += 3) {
    From a = from_hex<From>(d[0]);
    To r = a;
    std::string detail;
    record(result_ok(r, d[1], d[2], detail), "cast_fixed", ids[i], detail);
  }
}

// d: {a bits, b bits, bits, value}; R: the expected full-precision result type.
template <class Op, class A, class B, class R> void run_binary(const char* name, const char* const* d, const int* ids, int n) {
  typedef decltype(Op::apply(A(), B())) Got;
  bool type_ok = std::is_same<Got, R>::value;
  for (int i = 0; i < n; ++i, d += 4) {
    A a = from_hex<A>(d[0]);
    B b = from_hex<B>(d[1]);
    Got r = Op::apply(a, b);
    std::string detail;
    bool ok = result_ok(r, d[2], d[3], detail);
    if (!type_ok) detail = "wrong result type " + std::to_string(Got::width) + "," + std::to_string(Got::iwidth);
    record(ok && type_ok, name, ids[i], detail);
  }
}

// d: {a bits, bits, value}
template <class A, class R> void run_neg(const char* const* d, const int* ids, int n) {
  typedef decltype(-A()) Got;
  bool type_ok = std::is_same<Got, R>::value;
  for (int i = 0; i < n; ++i, d += 3) {
    A a = from_hex<A>(d[0]);
    Got r = -a;
    std::string detail;
    bool ok = result_ok(r, d[1], d[2], detail);
    if (!type_ok) detail = "wrong result type";
    record(ok && type_ok, "neg", ids[i], detail);
  }
}

// d: {acc bits, b bits, bits, value}
template <class Op, class Acc, class B> void run_assign(const char* name, const char* const* d, const int* ids, int n) {
  for (int i = 0; i < n; ++i, d += 4) {
    Acc acc = from_hex<Acc>(d[0]);
    B b = from_hex<B>(d[1]);
    Op::apply(acc, b);
    std::string detail;
    record(result_ok(acc, d[2], d[3], detail), name, ids[i], detail);
  }
}

// d: {acc bits, a bits, b bits, bits, value}; P: the expected type of a * b.
template <class Acc, class A, class B, class P> void run_mac(const char* const* d, const int* ids, int n) {
  bool type_ok = std::is_same<decltype(A() * B()), P>::value;
  for (int i = 0; i < n; ++i, d += 5) {
    Acc acc = from_hex<Acc>(d[0]);
    A a = from_hex<A>(d[1]);
    B b = from_hex<B>(d[2]);
    acc += a * b;
    std::string detail;
    bool ok = result_ok(acc, d[3], d[4], detail);
    if (!type_ok) detail = "wrong product type";
    record(ok && type_ok, "mac", ids[i], detail);
  }
}

// d: {a bits, b bits, "lt le gt ge eq ne" as six 0/1 characters}
template <class A, class B> void run_cmp(const char* const* d, const int* ids, int n) {
  for (int i = 0; i < n; ++i, d += 3) {
    A a = from_hex<A>(d[0]);
    B b = from_hex<B>(d[1]);
    char got[7] = {char('0' + (a < b)), char('0' + (a <= b)), char('0' + (a > b)), char('0' + (a >= b)),
                   char('0' + (a == b)), char('0' + (a != b)), 0};
    bool ok = std::string(got) == d[2];
    record(ok, "cmp", ids[i], ok ? "" : std::string("expected lt,le,gt,ge,eq,ne=") + d[2] + " got " + got);
  }
}

// d: {a bits, double bits, float bits}
template <class A> void run_to_double(const char* const* d, const int* ids, int n) {
  for (int i = 0; i < n; ++i, d += 3) {
    A a = from_hex<A>(d[0]);
    double x = a.to_double();
    float f = a.to_float();
    u64 xb;
    unsigned fb;
    std::memcpy(&xb, &x, sizeof xb);
    std::memcpy(&fb, &f, sizeof fb);
    bool ok = xb == hex_u64(d[1]) && fb == static_cast<unsigned>(hex_u64(d[2]));
    u64 fb64 = fb;
    record(ok, "to_double", ids[i],
           ok ? "" : std::string("expected ") + d[1] + "/" + d[2] + " got " + words_hex(&xb, 1, 64) + "/" +
                         words_hex(&fb64, 1, 32));
  }
}

// d: {a bits, bits, value, to_int, to_int64}
template <class A, class To> void run_to_apint(const char* const* d, const int* ids, int n) {
  for (int i = 0; i < n; ++i, d += 5) {
    A a = from_hex<A>(d[0]);
    To r = a;
    std::string detail;
    bool ok = result_ok(r, d[1], d[2], detail);
    bool ints = a.to_int() == dec_i64(d[3]) && a.to_int64() == dec_i64(d[4]);
    if (!ints) detail += " to_int/to_int64 expected " + std::string(d[3]) + "/" + d[4] + " got " +
                         std::to_string(a.to_int()) + "/" + std::to_string(a.to_int64());
    record(ok && ints, "to_apint", ids[i], detail);
  }
}

// d: {a bits, shift, bits, value}; left: <<, else >>; result type must be A's own type.
template <class A> void run_shift(bool left, const char* const* d, const int* ids, int n) {
  bool type_ok = std::is_same<decltype(A() << 1), A>::value && std::is_same<decltype(A() >> 1), A>::value;
  for (int i = 0; i < n; ++i, d += 4) {
    A a = from_hex<A>(d[0]);
    int k = static_cast<int>(dec_i64(d[1]));
    A r = left ? (a << k) : (a >> k);
    std::string detail;
    bool ok = result_ok(r, d[2], d[3], detail);
    if (!type_ok) detail = "wrong result type";
    record(ok && type_ok, left ? "shl" : "shr", ids[i], detail);
  }
}

}  // namespace golden

#endif  // TACHYON_TESTS_AP_HEADERS_GOLDEN_SUPPORT_H
