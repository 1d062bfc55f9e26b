// Element-wise arithmetic (Add / Sub / Mul, also used for Scale and standalone BatchNorm)
// and Concat.
//
//   add / sub / mul:  res[i] = (res_T)(a[i % n_a] op b[i % n_b])   (full-precision op, one
//                     conversion; n_a, n_b = n_in, the last-axis size, or 1 for a broadcast
//                     operand)
//   batchnorm:        res[i] = (res_T)(x[i] * scale[i % n_scale] + bias[i % n_bias])
//   concat:           each input is converted to res_T and copied to its block of the
//                     output; concat_part copies one input: for every outer index o,
//                     res[o * n_inner_out + offset + k] = in[o * inner_in + k].
#ifndef TACHYON_HLS_MERGE_H
#define TACHYON_HLS_MERGE_H

#include "tachyon/common.h"

namespace tachyon_hls {

struct merge_config {
  static const unsigned n_in = 1;
  static const unsigned n_a = 1;
  static const unsigned n_b = 1;
  static const unsigned reuse_factor = 1;
};

template <class a_T, class b_T, class res_T, typename CONFIG_T>
void add(const a_T a[CONFIG_T::n_a], const b_T b[CONFIG_T::n_b], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = (res_T)(a[i % CONFIG_T::n_a] + b[i % CONFIG_T::n_b]);
}

template <class a_T, class b_T, class res_T, typename CONFIG_T>
void subtract(const a_T a[CONFIG_T::n_a], const b_T b[CONFIG_T::n_b], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = (res_T)(a[i % CONFIG_T::n_a] - b[i % CONFIG_T::n_b]);
}

template <class a_T, class b_T, class res_T, typename CONFIG_T>
void multiply(const a_T a[CONFIG_T::n_a], const b_T b[CONFIG_T::n_b], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = (res_T)(a[i % CONFIG_T::n_a] * b[i % CONFIG_T::n_b]);
}

struct batchnorm_config {
  static const unsigned n_in = 1;
  static const unsigned n_scale = 1;
  static const unsigned n_bias = 1;
  static const unsigned reuse_factor = 1;
  typedef ap_fixed<16, 6> scale_t;
  typedef ap_fixed<16, 6> bias_t;
};

template <class data_T, class res_T, typename CONFIG_T>
void batchnorm(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in],
               const typename CONFIG_T::scale_t scale[CONFIG_T::n_scale],
               const typename CONFIG_T::bias_t bias[CONFIG_T::n_bias]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    res[i] = (res_T)(data[i] * scale[i % CONFIG_T::n_scale] + bias[i % CONFIG_T::n_bias]);
  }
}

struct concat_config {
  static const unsigned n_outer = 1;      // product of the axes before the concat axis
  static const unsigned n_inner_out = 1;  // output elements per outer index
};

template <class in_T, class res_T, typename CONFIG_T, unsigned INNER_IN, unsigned OFFSET>
void concat_part(const in_T in[CONFIG_T::n_outer * INNER_IN], res_T res[CONFIG_T::n_outer * CONFIG_T::n_inner_out]) {
  #pragma HLS INLINE
  for (unsigned o = 0; o < CONFIG_T::n_outer; o++) {
    for (unsigned k = 0; k < INNER_IN; k++) {
      res[o * CONFIG_T::n_inner_out + OFFSET + k] = (res_T)in[o * INNER_IN + k];
    }
  }
}

}  // namespace tachyon_hls

#endif  // TACHYON_HLS_MERGE_H
