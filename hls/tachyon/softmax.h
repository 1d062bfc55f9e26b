// Softmax over the last axis (n_slices slices of n_in values).
//
// Table index of a value v of type T (W bits, raw code r read as unsigned), with
// B = log2(table_size):  idx(v) = r >> (W - B)  (or r << (B - W) when W < B).
//   stable:  m = max_i x_i (first maximum, compared in data_T);
//            d_i = (inp_norm_t)(m - x_i);          e_i = exp_table[idx(d_i)];
//            sum = 0 (accum_t); sum += e_i for i ascending;
//            inv = inv_table[idx(sum)];             y_i = (res_T)(e_i * inv)
//   latency: the same with d_i = (inp_norm_t)x_i (the table then holds exp(+v)).
//   argmax:  y_i = 1 for the first index of the maximum, else 0 (converted to res_T);
//            softmax_argmax, no tables.
// exp_table[k] holds exp(-/+ value of the inp_norm_t code whose top B bits are k),
// inv_table[k] holds 1 / (value of the accum_t code whose top B bits are k); both are
// written by Tachyon (the emulator's tables, bit for bit).
#ifndef TACHYON_HLS_SOFTMAX_H
#define TACHYON_HLS_SOFTMAX_H

#include "tachyon/common.h"

namespace tachyon_hls {

enum softmax_impl_t { softmax_stable = 0, softmax_latency = 1 };

struct softmax_config {
  static const unsigned n_slices = 1;
  static const unsigned n_in = 1;
  static const unsigned table_size = 1024;
  static const unsigned log2_table_size = 10;
  static const softmax_impl_t impl = softmax_stable;
  static const unsigned reuse_factor = 1;
  typedef ap_fixed<18, 8, AP_RND, AP_SAT> exp_table_t;
  typedef ap_fixed<18, 8, AP_RND, AP_SAT> inv_table_t;
  typedef ap_fixed<16, 6> inp_norm_t;
  typedef ap_fixed<16, 6> accum_t;
};

template <class data_T, class res_T, typename CONFIG_T>
void softmax_slice(const data_T* data, res_T* res,
                   const typename CONFIG_T::exp_table_t exp_table[CONFIG_T::table_size],
                   const typename CONFIG_T::inv_table_t inv_table[CONFIG_T::table_size]) {
  #pragma HLS INLINE
  const int B = (int)CONFIG_T::log2_table_size;
  data_T m = data[0];
  if (CONFIG_T::impl == softmax_stable) {
    for (unsigned i = 1; i < CONFIG_T::n_in; i++) {
      if (data[i] > m) m = data[i];
    }
  }
  typename CONFIG_T::exp_table_t e[CONFIG_T::n_in];
  #pragma HLS ARRAY_PARTITION variable = e complete
  typename CONFIG_T::accum_t sum = 0;
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    typename CONFIG_T::inp_norm_t d;
    if (CONFIG_T::impl == softmax_stable) {
      d = m - data[i];
    } else {
      d = data[i];
    }
    e[i] = exp_table[top_bits_index<B>(d)];
    sum += e[i];
  }
  const typename CONFIG_T::inv_table_t inv = inv_table[top_bits_index<B>(sum)];
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = (res_T)(e[i] * inv);
}

template <class data_T, class res_T, typename CONFIG_T>
void softmax(const data_T data[CONFIG_T::n_slices * CONFIG_T::n_in], res_T res[CONFIG_T::n_slices * CONFIG_T::n_in],
             const typename CONFIG_T::exp_table_t exp_table[CONFIG_T::table_size],
             const typename CONFIG_T::inv_table_t inv_table[CONFIG_T::table_size]) {
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
