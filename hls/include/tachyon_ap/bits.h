// Raw storage shared by ap_int_base and ap_fixed_base, and the bit / range references
// returned by x[i] and x.range(hi, lo) (detail of ap_common.h).
#ifndef TACHYON_AP_BITS_H
#define TACHYON_AP_BITS_H

#include <string>
#include <type_traits>

namespace tachyon {
namespace ap {

// C integer types and the ap_int they behave as (int -> ap_int<32>, unsigned -> ap_uint<32>).
template <class T> struct c_int { static const bool ok = false; static const int W = 1; static const bool S = false; };
#define TACHYON_AP_CINT(T, SIGNED)                       \
  template <> struct c_int<T> {                          \
    static const bool ok = true;                         \
    static const int W = static_cast<int>(sizeof(T) * 8); \
    static const bool S = SIGNED;                        \
  };
TACHYON_AP_CINT(char, (static_cast<char>(-1) < 0))
TACHYON_AP_CINT(signed char, true)
TACHYON_AP_CINT(unsigned char, false)
TACHYON_AP_CINT(short, true)
TACHYON_AP_CINT(unsigned short, false)
TACHYON_AP_CINT(int, true)
TACHYON_AP_CINT(unsigned int, false)
TACHYON_AP_CINT(long, true)
TACHYON_AP_CINT(unsigned long, false)
TACHYON_AP_CINT(long long, true)
TACHYON_AP_CINT(unsigned long long, false)
#undef TACHYON_AP_CINT
template <> struct c_int<bool> { static const bool ok = true; static const int W = 1; static const bool S = false; };

template <class T> struct c_float { static const bool ok = std::is_floating_point<T>::value; };

// The 64-bit two's-complement image of a C integer (sign- or zero-extended).
template <class T> inline u64 c_int_word(T v) {
  return c_int<T>::S ? static_cast<u64>(static_cast<i64>(v)) : static_cast<u64>(v);
}

template <int W, bool S> class bits_base;
template <int W, bool S> class range_ref;
template <int W, bool S> class bit_ref;

// Convert src * 2^-d (snw canonical words, signedness ss) into a canonical W-bit value.
template <int W, bool S>
inline void convert_to(u64* dst, int Q, int O, int N, const u64* src, int snw, bool ss, int d) {
  if (W <= 64 && snw == 1 && d >= -62) {
    i128 x = ss ? static_cast<i128>(static_cast<i64>(src[0])) : static_cast<i128>(src[0]);
    dst[0] = convert_small(x, d, W, S, Q, O, N);
    return;
  }
  const int TNW = nwords<W + 1>::value;
  u64 t[TNW];
  convert_generic(t, TNW, W, S, Q, O, N, Src(src, snw, ss), d);
  for (int i = 0; i < nwords<W>::value; ++i) dst[i] = t[i];
}

// Integer-style conversion: the value of src (sign/zero-extended), wrapped to W bits.
template <int W, bool S> inline void wrap_to(u64* dst, const u64* src, int snw, bool ss) {
  Src s(src, snw, ss);
  for (int i = 0; i < nwords<W>::value; ++i) dst[i] = s.word(i);
  normalize(dst, nwords<W>::value, W, S);
}

// Storage: canonical words plus bit-level access.  `tachyon_w_` is public so that the free
// operators and the test helpers can reach it; user code should not rely on it.
template <int W, bool S> class bits_base {
 public:
  static const int NW = nwords<W>::value;
  u64 tachyon_w_[NW];

  bits_base() {
    for (int i = 0; i < NW; ++i) tachyon_w_[i] = 0;
  }
  void tachyon_normalize() { normalize(tachyon_w_, NW, W, S); }

  int length() const { return W; }
  // Out-of-range bit indices read as 0 and are ignored on write (the vendor asserts).
  bool get_bit(int i) const { return i >= 0 && i < W && ap::get_bit(tachyon_w_, i) != 0; }
  bool test(int i) const { return get_bit(i); }
  void set_bit(int i, bool v) {
    if (i < 0 || i >= W) return;
    ap::set_bit(tachyon_w_, i, v);
    tachyon_normalize();
  }
  void set(int i) { set_bit(i, true); }
  void clear(int i) { set_bit(i, false); }
  void invert(int i) { set_bit(i, !get_bit(i)); }
  bool is_neg() const { return S && (tachyon_w_[NW - 1] >> 63) != 0; }
  bool is_zero() const {
    for (int i = 0; i < NW; ++i)
      if (tachyon_w_[i]) return false;
    return true;
  }
  bool iszero() const { return is_zero(); }

  bit_ref<W, S> operator[](int i) { return bit_ref<W, S>(this, i); }
  bool operator[](int i) const { return get_bit(i); }
  bit_ref<W, S> bit(int i) { return bit_ref<W, S>(this, i); }
  bool bit(int i) const { return get_bit(i); }

  range_ref<W, S> range(int hi, int lo) { return range_ref<W, S>(this, hi, lo); }
  range_ref<W, S> range() { return range_ref<W, S>(this, W - 1, 0); }
  range_ref<W, S> operator()(int hi, int lo) { return range_ref<W, S>(this, hi, lo); }
  // Read-only ranges: the reference is never written through.
  range_ref<W, S> range(int hi, int lo) const { return range_ref<W, S>(const_cast<bits_base*>(this), hi, lo); }
  range_ref<W, S> range() const { return range_ref<W, S>(const_cast<bits_base*>(this), W - 1, 0); }
  range_ref<W, S> operator()(int hi, int lo) const { return range(hi, lo); }

  // Bit concatenation {this, lo} as an unsigned value (the vendor's concat / comma operator).
  template <int W2, bool S2> ap_uint<W + W2> concat(const bits_base<W2, S2>& lo) const {
    u64 h[NW], l[nwords<W2>::value];
    for (int i = 0; i < NW; ++i) h[i] = tachyon_w_[i];
    for (int i = 0; i < nwords<W2>::value; ++i) l[i] = lo.tachyon_w_[i];
    normalize(h, NW, W, false);
    normalize(l, nwords<W2>::value, W2, false);
    Src hs(h, NW, false, 0ULL), ls(l, nwords<W2>::value, false, 0ULL);
    ap_uint<W + W2> r;
    for (int i = 0; i < nwords<W + W2>::value; ++i) r.tachyon_w_[i] = hs.get64(64 * i - W2) | ls.word(i);
    return r;
  }

  // Reductions.
  bool and_reduce() const { return bits_all(tachyon_w_, 0, W, true); }
  bool or_reduce() const { return bits_all(tachyon_w_, 0, W, false) == false; }
  bool xor_reduce() const {
    int c = 0;
    for (int i = 0; i < NW; ++i) c += __builtin_popcountll(tachyon_w_[i] & low_mask(W - 64 * i));
    return (c & 1) != 0;
  }
  bool nand_reduce() const { return !and_reduce(); }
  bool nor_reduce() const { return !or_reduce(); }
  bool xnor_reduce() const { return !xor_reduce(); }
  int countLeadingZeros() const {
    int n = 0;
    for (int i = W - 1; i >= 0 && !get_bit(i); --i) ++n;
    return n;
  }
  void reverse() {
    for (int i = 0, j = W - 1; i < j; ++i, --j) {
      bool a = get_bit(i), b = get_bit(j);
      ap::set_bit(tachyon_w_, i, b);
      ap::set_bit(tachyon_w_, j, a);
    }
    tachyon_normalize();
  }
};

// Reference to bits [lo, hi] of a value (hi < lo selects them in reversed order).  Reads
// give an unsigned integer of length() bits; writes store the low length() bits of a value.
template <int W, bool S> class range_ref {
 public:
  range_ref(bits_base<W, S>* d, int hi, int lo) : d_(d), hi_(hi), lo_(lo) {}
  range_ref(const range_ref& r) : d_(r.d_), hi_(r.hi_), lo_(r.lo_) {}

  int length() const { return (hi_ >= lo_ ? hi_ - lo_ : lo_ - hi_) + 1; }
  // Value bits (unsigned) into out[0..NW).
  void get(u64* out) const {
    const int NW = nwords<W>::value;
    int n = length();
    if (hi_ >= lo_) {
      Src s(d_->tachyon_w_, NW, false, 0ULL);
      for (int i = 0; i < NW; ++i) out[i] = s.get64(lo_ + 64 * i);
      for (int i = 0; i < NW; ++i) out[i] &= low_mask(n - 64 * i);
    } else {
      for (int i = 0; i < NW; ++i) out[i] = 0;
      for (int i = 0; i < n && i < 64 * NW; ++i) ap::set_bit(out, i, d_->get_bit(lo_ - i));
    }
  }
  // Store the infinite two's-complement integer `v` (low length() bits); positions outside
  // the value are ignored.
  void put(const Src& v) {
    int n = length();
    if (W <= 64 && hi_ >= lo_ && lo_ >= 0 && hi_ < W) {
      u64 m = low_mask(n) << lo_;
      d_->tachyon_w_[0] = (d_->tachyon_w_[0] & ~m) | ((v.word(0) << lo_) & m);
    } else {
      for (int i = 0; i < n; ++i) {
        int pos = hi_ >= lo_ ? lo_ + i : lo_ - i;
        if (pos >= 0 && pos < W) ap::set_bit(d_->tachyon_w_, pos, v.bit(i) != 0);
      }
    }
    d_->tachyon_normalize();
  }

  u64 to_uint64() const {
    u64 w[nwords<W>::value];
    get(w);
    return w[0];
  }
  i64 to_int64() const { return static_cast<i64>(to_uint64()); }
  unsigned to_uint() const { return static_cast<unsigned>(to_uint64()); }
  int to_int() const { return static_cast<int>(to_uint64()); }
  unsigned long to_ulong() const { return static_cast<unsigned long>(to_uint64()); }
  long to_long() const { return static_cast<long>(to_uint64()); }
  bool to_bool() const { return to_uint64() != 0; }
  operator u64() const { return to_uint64(); }
  std::string to_string(int radix = 10) const {
    u64 w[nwords<W>::value];
    get(w);
    return mag_to_string(w, nwords<W>::value, false, 0, radix == 2 || radix == 8 || radix == 16 ? radix : 10);
  }
  bool and_reduce() const { return all(true); }
  bool or_reduce() const { return !all(false); }

  range_ref& operator=(const range_ref& r) {
    u64 w[nwords<W>::value];
    r.get(w);
    put(Src(w, nwords<W>::value, false, 0ULL));
    return *this;
  }
  template <int W2, bool S2> range_ref& operator=(const range_ref<W2, S2>& r) {
    u64 w[nwords<W2>::value];
    r.get(w);
    put(Src(w, nwords<W2>::value, false, 0ULL));
    return *this;
  }
  // ap_int / ap_fixed right-hand sides store their raw bits (sign-extended).
  template <int W2, bool S2> range_ref& operator=(const bits_base<W2, S2>& v) {
    put(Src(v.tachyon_w_, nwords<W2>::value, S2));
    return *this;
  }
  template <class T> typename std::enable_if<c_int<T>::ok, range_ref&>::type operator=(T v) {
    u64 w = c_int_word(v);
    put(Src(&w, 1, c_int<T>::S));
    return *this;
  }

 private:
  bool all(bool one) const {
    int n = length();
    for (int i = 0; i < n; ++i)
      if (d_->get_bit(hi_ >= lo_ ? lo_ + i : lo_ - i) != one) return false;
    return true;
  }
  bits_base<W, S>* d_;
  int hi_, lo_;
};

template <int W, bool S> class bit_ref {
 public:
  bit_ref(bits_base<W, S>* d, int i) : d_(d), i_(i) {}
  bit_ref(const bit_ref& b) : d_(b.d_), i_(b.i_) {}
  operator bool() const { return d_->get_bit(i_); }
  bool to_bool() const { return d_->get_bit(i_); }
  bool get() const { return d_->get_bit(i_); }
  int length() const { return 1; }
  bool operator~() const { return !d_->get_bit(i_); }
  bool operator!() const { return !d_->get_bit(i_); }
  bit_ref& operator=(bool v) {
    d_->set_bit(i_, v);
    return *this;
  }
  bit_ref& operator=(const bit_ref& b) { return *this = b.get(); }
  template <int W2, bool S2> bit_ref& operator=(const bit_ref<W2, S2>& b) { return *this = b.get(); }
  template <class T> typename std::enable_if<c_int<T>::ok, bit_ref&>::type operator=(T v) {
    return *this = ((c_int_word(v) & 1U) != 0);
  }
  template <int W2, bool S2> bit_ref& operator=(const bits_base<W2, S2>& v) {
    return *this = ((v.tachyon_w_[0] & 1U) != 0);
  }
  void flip() { d_->set_bit(i_, !get()); }
  std::string to_string() const { return get() ? "1" : "0"; }

 private:
  bits_base<W, S>* d_;
  int i_;
};

}  // namespace ap
}  // namespace tachyon

#endif  // TACHYON_AP_BITS_H
