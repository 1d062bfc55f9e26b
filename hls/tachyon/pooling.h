// Pooling (max / average, 1D / 2D, global), channels-last.
//
// Windows: output (oh, ow) covers input rows oh*stride_h - pad_top + 0..pool_h-1 and the
// same for columns. Cells outside the input are padding:
//   max:  padding is ignored; the maximum is taken in the input type (data_T), then
//         converted to res_T.
//   avg:  sum = 0 in accum_t; sum += x for every input cell (row-major window order);
//         n = number of input cells, plus every other window cell (padding, counted as a
//         zero) when count_include_pad.
//         sum /= n in accum_t (ap_fixed division: the code divided by n, truncated toward
//         zero, fraction bits kept), then res = (res_T)sum. This is hls4ml's average.
// Global pooling reduces every axis but the last: input (n_cells, n_chan).
// 1D pooling uses in_height = pool_height = out_height = 1.
#ifndef TACHYON_HLS_POOLING_H
#define TACHYON_HLS_POOLING_H

#include "tachyon/common.h"

namespace tachyon_hls {

enum pool_op_t { pool_max = 0, pool_avg = 1 };

struct pool_config {
  static const unsigned in_height = 1;
  static const unsigned in_width = 1;
  static const unsigned n_chan = 1;
  static const unsigned out_height = 1;
  static const unsigned out_width = 1;
  static const unsigned pool_height = 1;
  static const unsigned pool_width = 1;
  static const unsigned stride_height = 1;
  static const unsigned stride_width = 1;
  static const int pad_top = 0;
  static const int pad_left = 0;
  static const bool count_include_pad = false;
  static const pool_op_t pool_op = pool_max;
  static const unsigned reuse_factor = 1;
  typedef ap_fixed<16, 6> accum_t;
};

struct global_pool_config {
  static const unsigned n_cells = 1;
  static const unsigned n_chan = 1;
  static const pool_op_t pool_op = pool_max;
  static const unsigned reuse_factor = 1;
  typedef ap_fixed<16, 6> accum_t;
};

// sum / n as ap_fixed computes `sum /= n` (1 <= n < 2^31), converted to res_T. When n is a
// compile-time constant (global pools, windows without excluded padding) the divider becomes
// a constant division.
template <class res_T, class sum_T> res_T average(sum_T sum, unsigned n) {
  #pragma HLS INLINE
  sum /= n;
  return (res_T)sum;
}

template <class data_T, class res_T, typename CONFIG_T>
void pool2d(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
            res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_chan]) {
  #pragma HLS INLINE off
  for (unsigned oh = 0; oh < CONFIG_T::out_height; oh++) {
    for (unsigned ow = 0; ow < CONFIG_T::out_width; ow++) {
      #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
        const int h0 = (int)(oh * CONFIG_T::stride_height) - CONFIG_T::pad_top;
        const int w0 = (int)(ow * CONFIG_T::stride_width) - CONFIG_T::pad_left;
        data_T m = 0;
        bool have = false;
        typename CONFIG_T::accum_t sum = 0;
        unsigned n = 0;
        for (unsigned kh = 0; kh < CONFIG_T::pool_height; kh++) {
          for (unsigned kw = 0; kw < CONFIG_T::pool_width; kw++) {
            const int ih = h0 + (int)kh;
            const int iw = w0 + (int)kw;
            const bool inside = ih >= 0 && ih < (int)CONFIG_T::in_height && iw >= 0 && iw < (int)CONFIG_T::in_width;
            if (inside) {
              const data_T x = data[((unsigned)ih * CONFIG_T::in_width + (unsigned)iw) * CONFIG_T::n_chan + c];
              if (CONFIG_T::pool_op == pool_max) {
                if (!have || x > m) m = x;
                have = true;
              } else {
                sum += x;
              }
              n++;
            } else if (CONFIG_T::count_include_pad) {
              n++;  // a padding cell: counted, adds 0
            }
          }
        }
        const unsigned o = (oh * CONFIG_T::out_width + ow) * CONFIG_T::n_chan + c;
        if (CONFIG_T::pool_op == pool_max) {
          res[o] = (res_T)m;
        } else {
          res[o] = average<res_T>(sum, n == 0 ? 1u : n);
        }
      }
    }
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void pool1d(const data_T data[CONFIG_T::in_width * CONFIG_T::n_chan],
            res_T res[CONFIG_T::out_width * CONFIG_T::n_chan]) {
  #pragma HLS INLINE
  pool2d<data_T, res_T, CONFIG_T>(data, res);
}

template <class data_T, class res_T, typename CONFIG_T>
void global_pool(const data_T data[CONFIG_T::n_cells * CONFIG_T::n_chan], res_T res[CONFIG_T::n_chan]) {
  #pragma HLS INLINE off
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
    if (CONFIG_T::pool_op == pool_max) {
      data_T m = data[c];
      for (unsigned s = 1; s < CONFIG_T::n_cells; s++) {
        if (data[s * CONFIG_T::n_chan + c] > m) m = data[s * CONFIG_T::n_chan + c];
      }
      res[c] = (res_T)m;
    } else {
      typename CONFIG_T::accum_t sum = 0;
      for (unsigned s = 0; s < CONFIG_T::n_cells; s++) sum += data[s * CONFIG_T::n_chan + c];
      res[c] = average<res_T>(sum, CONFIG_T::n_cells);
    }
  }
}

}  // namespace tachyon_hls

#endif  // TACHYON_HLS_POOLING_H
