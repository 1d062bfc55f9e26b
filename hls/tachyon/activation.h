// Element-wise activations. Every result is converted to res_T by assignment (res_T's
// quantization then overflow). Table-based activations receive their table as a constant
// array written by Tachyon (entries computed once, identical to the emulator's).
//
//   relu        y = x > 0 ? x : 0
//   thresholded_relu  y = x > theta ? x : 0   (theta in param_t, compared exactly)
//   leaky_relu  y = x > 0 ? x : alpha * x          (alpha in param_t, product full precision)
//   prelu       the same with a per-channel slope (last axis), slope[i % n_slope]
//   elu         y = x > 0 ? x : alpha * table[idx], idx = trunc(-x * N / 8) clamped to [0, N-1]
//   sigmoid     y = table[idx], idx = trunc(x * N / 16) + N/2 clamped to [0, N-1]; also
//               used for the table functions on the same range (softplus, softsign, erf)
//   tanh        y = table[idx], idx = trunc(x * N / 8) + N/2 clamped to [0, N-1]
//   hard_sigmoid  v = alpha * x + beta (full precision), clamped exactly to [0, 1]
//   clip        y = x < lo ? lo : (x > hi ? hi : x), lo/hi in x's W/I/sign with AP_RND, AP_SAT
//   linear      y = x (a conversion)
// The trunc(...) indices are exact integer arithmetic on x's raw code (see common.h).
#ifndef TACHYON_HLS_ACTIVATION_H
#define TACHYON_HLS_ACTIVATION_H

#include "tachyon/common.h"

namespace tachyon_hls {

struct activ_config {
  static const unsigned n_in = 1;
  static const unsigned reuse_factor = 1;
  static const unsigned table_size = 1024;
  typedef ap_fixed<18, 8> table_t;
  typedef ap_fixed<16, 6> param_t;
};

template <class data_T, class res_T, typename CONFIG_T>
void linear(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = (res_T)data[i];
}

template <class data_T, class res_T, typename CONFIG_T>
void relu(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    const data_T x = data[i];
    if (is_positive(x)) {
      res[i] = (res_T)x;
    } else {
      res[i] = (res_T)0;
    }
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void thresholded_relu(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  const typename CONFIG_T::param_t theta = CONFIG_T::theta();
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    const data_T x = data[i];
    if (exact_less(theta, x)) {
      res[i] = (res_T)x;
    } else {
      res[i] = (res_T)0;
    }
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void leaky_relu(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  const typename CONFIG_T::param_t alpha = CONFIG_T::alpha();
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    const data_T x = data[i];
    if (is_positive(x)) {
      res[i] = (res_T)x;
    } else {
      res[i] = (res_T)(alpha * x);
    }
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void prelu(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in],
           const typename CONFIG_T::param_t slope[CONFIG_T::n_slope]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    const data_T x = data[i];
    if (is_positive(x)) {
      res[i] = (res_T)x;
    } else {
      res[i] = (res_T)(slope[i % CONFIG_T::n_slope] * x);
    }
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void elu(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in],
         const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  const int N = (int)CONFIG_T::table_size;
  const typename CONFIG_T::param_t alpha = CONFIG_T::alpha();
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    const data_T x = data[i];
    if (is_positive(x)) {
      res[i] = (res_T)x;
    } else {
      // trunc(-x * N / 8) == -trunc(x * N / 8)
      const int idx = clamp_int(-scaled_trunc<data_T, (int)CONFIG_T::table_size, 3>(x), 0, N - 1);
      res[i] = (res_T)(alpha * table[idx]);
    }
  }
}

// y = table[clamp(trunc(x * N / 2^K) + N/2, 0, N-1)]
template <int K, class data_T, class res_T, typename CONFIG_T>
void table_activation(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in],
                      const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
  #pragma HLS INLINE
  const int N = (int)CONFIG_T::table_size;
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    const int idx = clamp_int(scaled_trunc<data_T, (int)CONFIG_T::table_size, K>(data[i]) + N / 2, 0, N - 1);
    res[i] = (res_T)table[idx];
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void sigmoid(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in],
             const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  table_activation<4, data_T, res_T, CONFIG_T>(data, res, table);  // range [-8, 8): N / 16
}

template <class data_T, class res_T, typename CONFIG_T>
void tanh(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in],
          const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  table_activation<3, data_T, res_T, CONFIG_T>(data, res, table);  // range [-4, 4): N / 8
}

template <class data_T, class res_T, typename CONFIG_T>
void hard_sigmoid(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  const typename CONFIG_T::param_t alpha = CONFIG_T::alpha();
  const typename CONFIG_T::param_t beta = CONFIG_T::beta();
  const ap_ufixed<1, 1> zero = 0;
  const ap_ufixed<1, 1> one = 1;
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    if (exact_less(alpha * data[i] + beta, zero)) {
      res[i] = (res_T)zero;
    } else if (exact_less(one, alpha * data[i] + beta)) {
      res[i] = (res_T)one;
    } else {
      res[i] = (res_T)(alpha * data[i] + beta);
    }
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void clip(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  const typename CONFIG_T::bound_t lo = CONFIG_T::lo();
  const typename CONFIG_T::bound_t hi = CONFIG_T::hi();
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    const data_T x = data[i];
    if (exact_less(x, lo)) {
      res[i] = (res_T)lo;
    } else if (exact_less(hi, x)) {
      res[i] = (res_T)hi;
    } else {
      res[i] = (res_T)x;
    }
  }
}

}  // namespace tachyon_hls

#endif  // TACHYON_HLS_ACTIVATION_H
