// Dense (fully connected) layer.
//
// For each row r (leading axes of the input) and output j:
//   acc = (accum_t) bias[j];
//   for i = 0 .. n_in-1:  acc += (accum_t)(x[i] * w[i][j]);   // product at full precision,
//                                                              // converted, then += in accum_t
//   res[j] = (res_T) acc;
// The i order is the same for both strategies (it matters with saturating accumulators).
// Weights are row-major (n_in, n_out): w[i * n_out + j].
#ifndef TACHYON_HLS_DENSE_H
#define TACHYON_HLS_DENSE_H

#include "tachyon/common.h"

namespace tachyon_hls {

struct dense_config {
  static const unsigned n_rows = 1;  // product of the leading axes
  static const unsigned n_in = 1;
  static const unsigned n_out = 1;
  static const unsigned reuse_factor = 1;
  static const unsigned multiplier_limit = 1;  // ceil(n_in * n_out / reuse_factor)
  static const strategy_t strategy = latency;
  typedef ap_fixed<16, 6> accum_t;
  typedef ap_fixed<16, 6> weight_t;
  typedef ap_fixed<16, 6> bias_t;
};

// Latency strategy: everything unrolled, pipelined with II = reuse_factor; the multiplier
// count is limited so that the products are shared over reuse_factor cycles.
template <class data_T, class res_T, typename CONFIG_T>
void dense_latency(const data_T data[CONFIG_T::n_rows * CONFIG_T::n_in],
                   res_T res[CONFIG_T::n_rows * CONFIG_T::n_out],
                   const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                   const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  #pragma HLS INLINE off
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  #pragma HLS ARRAY_PARTITION variable = weights complete
  #pragma HLS ARRAY_PARTITION variable = biases complete
  #pragma HLS ALLOCATION operation instances = mul limit = CONFIG_T::multiplier_limit
  typename CONFIG_T::accum_t acc[CONFIG_T::n_out];
  #pragma HLS ARRAY_PARTITION variable = acc complete
  for (unsigned r = 0; r < CONFIG_T::n_rows; r++) {
    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
      acc[j] = (typename CONFIG_T::accum_t)biases[j];
    }
    for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
      for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
        acc[j] += (typename CONFIG_T::accum_t)(data[r * CONFIG_T::n_in + i] * weights[i * CONFIG_T::n_out + j]);
      }
    }
    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
      res[r * CONFIG_T::n_out + j] = (res_T)acc[j];
    }
  }
}

// Resource strategy: the inputs are processed in reuse_factor blocks, one block per clock
// (PIPELINE II=1 over the blocks), so each multiplier is reused reuse_factor times. Every
// accumulator still receives its products in ascending i order.
template <class data_T, class res_T, typename CONFIG_T>
void dense_resource(const data_T data[CONFIG_T::n_rows * CONFIG_T::n_in],
                    res_T res[CONFIG_T::n_rows * CONFIG_T::n_out],
                    const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                    const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  #pragma HLS INLINE off
  #pragma HLS ARRAY_RESHAPE variable = weights block factor = CONFIG_T::reuse_factor
  #pragma HLS ALLOCATION operation instances = mul limit = CONFIG_T::multiplier_limit
  const unsigned block = (CONFIG_T::n_in + CONFIG_T::reuse_factor - 1) / CONFIG_T::reuse_factor;
  typename CONFIG_T::accum_t acc[CONFIG_T::n_out];
  #pragma HLS ARRAY_PARTITION variable = acc complete
  for (unsigned r = 0; r < CONFIG_T::n_rows; r++) {
    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
      #pragma HLS UNROLL
      acc[j] = (typename CONFIG_T::accum_t)biases[j];
    }
    for (unsigned k = 0; k < CONFIG_T::reuse_factor; k++) {
      #pragma HLS PIPELINE II = 1
      for (unsigned b = 0; b < block; b++) {
        const unsigned i = k * block + b;
        if (i >= CONFIG_T::n_in) continue;
        for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
          acc[j] += (typename CONFIG_T::accum_t)(data[r * CONFIG_T::n_in + i] * weights[i * CONFIG_T::n_out + j]);
        }
      }
    }
    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
      #pragma HLS UNROLL
      res[r * CONFIG_T::n_out + j] = (res_T)acc[j];
    }
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void dense(const data_T data[CONFIG_T::n_rows * CONFIG_T::n_in], res_T res[CONFIG_T::n_rows * CONFIG_T::n_out],
           const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
           const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  #pragma HLS INLINE
  if (CONFIG_T::strategy == resource) {
    dense_resource<data_T, res_T, CONFIG_T>(data, res, weights, biases);
  } else {
    dense_latency<data_T, res_T, CONFIG_T>(data, res, weights, biases);
  }
}

}  // namespace tachyon_hls

#endif  // TACHYON_HLS_DENSE_H
