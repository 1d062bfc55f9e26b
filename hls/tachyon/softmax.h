// Softmax over the last axis (n_slices slices of n_in values), as hls4ml >= 1.2 computes it.
//
// Table index of a value v of type T (W bits, raw code r read as unsigned), with
// B = log2(table size):  idx(v) = r >> (W - B)  (or r << (B - W) when W < B).
//   stable:  m = max_i x_i (first maximum, compared in data_T);
//            d_i = (inp_norm_t)(m - x_i);   e_i = (accum_t)exp_table[idx(d_i)];
//            sum = adder tree over e_i (softmax_tree_sum: the first 2^floor(log2(n-1)) terms,
//            then the rest; every partial sum in accum_t);
//            inv = inv_table[idx((inv_inp_t)sum)];   y_i = (res_T)(e_i * inv)
//   latency: the same with d_i = x_i (inp_norm_t is data_T; the table holds exp(+v)).
//   argmax:  y_i = 1 for the first index of the maximum, else 0 (converted to res_T);
//            softmax_argmax, no tables.
// exp_table (exp_table_size entries) holds exp(-/+ value of the inp_norm_t code whose top bits
// are k), inv_table (inv_table_size entries) 1 / (value of the inv_inp_t code whose top bits
// are k); both are written by Tachyon (the emulator's tables, bit for bit).
#ifndef TACHYON_HLS_SOFTMAX_H
#define TACHYON_HLS_SOFTMAX_H

#include "tachyon/common.h"

namespace tachyon_hls {

enum softmax_impl_t { softmax_stable = 0, softmax_latency = 1 };

struct softmax_config {
  static const unsigned n_slices = 1;
  static const unsigned n_in = 1;
  static const unsigned exp_table_size = 1024;
  static const unsigned log2_exp_table_size = 10;
  static const unsigned inv_table_size = 1024;
  static const unsigned log2_inv_table_size = 10;
  static const softmax_impl_t impl = softmax_stable;
  static const unsigned reuse_factor = 1;
  typedef ap_fixed<18, 8, AP_RND, AP_SAT> exp_table_t;
  typedef ap_fixed<18, 8, AP_RND, AP_SAT> inv_table_t;
  typedef ap_ufixed<15, 5> inp_norm_t;
  typedef ap_fixed<16, 6> accum_t;
  typedef ap_fixed<18, 8, AP_RND, AP_SAT> inv_inp_t;
};

// The largest power of two <= M (1 for M <= 1).
template <unsigned M>
struct softmax_pow2_floor {
  static const unsigned value = 2 * softmax_pow2_floor<M / 2>::value;
};
template <>
struct softmax_pow2_floor<1> {
  static const unsigned value = 1;
};
template <>
struct softmax_pow2_floor<0> {
  static const unsigned value = 1;
};

// Sum of x[0..N) in T along the adder tree described above.
template <class T, unsigned N>
struct softmax_tree {
  static const unsigned left = softmax_pow2_floor<N - 1>::value;
  static T sum(const T* x) {
    #pragma HLS INLINE
    return (T)(softmax_tree<T, left>::sum(x) + softmax_tree<T, N - left>::sum(x + left));
  }
};
template <class T>
struct softmax_tree<T, 1> {
  static T sum(const T* x) { return x[0]; }
};

template <class data_T, class res_T, typename CONFIG_T>
void softmax_slice(const data_T* data, res_T* res,
                   const typename CONFIG_T::exp_table_t exp_table[CONFIG_T::exp_table_size],
                   const typename CONFIG_T::inv_table_t inv_table[CONFIG_T::inv_table_size]) {
  #pragma HLS INLINE
  data_T m = data[0];
  if (CONFIG_T::impl == softmax_stable) {
    for (unsigned i = 1; i < CONFIG_T::n_in; i++) {
      if (data[i] > m) m = data[i];
    }
  }
  typename CONFIG_T::accum_t e[CONFIG_T::n_in];
  #pragma HLS ARRAY_PARTITION variable = e complete
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    typename CONFIG_T::inp_norm_t d;
    if (CONFIG_T::impl == softmax_stable) {
      d = m - data[i];
    } else {
      d = data[i];
    }
    e[i] = exp_table[top_bits_index<CONFIG_T::log2_exp_table_size>(d)];
  }
  const typename CONFIG_T::inv_inp_t sum = softmax_tree<typename CONFIG_T::accum_t, CONFIG_T::n_in>::sum(e);
  const typename CONFIG_T::inv_table_t inv = inv_table[top_bits_index<CONFIG_T::log2_inv_table_size>(sum)];
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = (res_T)(e[i] * inv);
}

template <class data_T, class res_T, typename CONFIG_T>
void softmax(const data_T data[CONFIG_T::n_slices * CONFIG_T::n_in], res_T res[CONFIG_T::n_slices * CONFIG_T::n_in],
             const typename CONFIG_T::exp_table_t exp_table[CONFIG_T::exp_table_size],
             const typename CONFIG_T::inv_table_t inv_table[CONFIG_T::inv_table_size]) {
  #pragma HLS INLINE off
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  for (unsigned s = 0; s < CONFIG_T::n_slices; s++) {
    softmax_slice<data_T, res_T, CONFIG_T>(data + s * CONFIG_T::n_in, res + s * CONFIG_T::n_in, exp_table, inv_table);
  }
}

struct softmax_argmax_config {
  static const unsigned n_slices = 1;
  static const unsigned n_in = 1;
  static const unsigned reuse_factor = 1;
};

// One-hot of the first maximum of each slice (no tables).
template <class data_T, class res_T, typename CONFIG_T>
void softmax_argmax(const data_T data[CONFIG_T::n_slices * CONFIG_T::n_in],
                    res_T res[CONFIG_T::n_slices * CONFIG_T::n_in]) {
  #pragma HLS INLINE off
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  for (unsigned s = 0; s < CONFIG_T::n_slices; s++) {
    unsigned arg = 0;
    for (unsigned i = 1; i < CONFIG_T::n_in; i++) {
      if (data[s * CONFIG_T::n_in + i] > data[s * CONFIG_T::n_in + arg]) arg = i;
    }
    for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[s * CONFIG_T::n_in + i] = (res_T)(i == arg ? 1 : 0);
  }
}

}  // namespace tachyon_hls

#endif  // TACHYON_HLS_SOFTMAX_H
