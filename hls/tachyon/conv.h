// Convolution (1D and 2D, channels-last), computed as a dense product over the receptive
// field of each output pixel.
//
// Input  x[in_height][in_width][n_chan], output res[out_height][out_width][n_filt],
// weights w[filt_height][filt_width][n_chan / n_groups][n_filt], bias[n_filt].
// For each output pixel and filter f (group g = f / (n_filt / n_groups)):
//   acc = (accum_t) bias[f];
//   for kh, kw, c (this order):  input cell (ih, iw) = (oh*stride_h + kh*dil_h - pad_top, ...);
//     cells outside the input are zero padding and contribute nothing;
//     acc += (accum_t)(x[ih][iw][g * cin_g + c] * w[kh][kw][c][f]);
//   res[oh][ow][f] = (res_T) acc;
// 1D convolutions use in_height = filt_height = out_height = 1.
#ifndef TACHYON_HLS_CONV_H
#define TACHYON_HLS_CONV_H

#include "tachyon/common.h"

namespace tachyon_hls {

struct conv_config {
  static const unsigned in_height = 1;
  static const unsigned in_width = 1;
  static const unsigned n_chan = 1;
  static const unsigned out_height = 1;
  static const unsigned out_width = 1;
  static const unsigned n_filt = 1;
  static const unsigned filt_height = 1;
  static const unsigned filt_width = 1;
  static const unsigned stride_height = 1;
  static const unsigned stride_width = 1;
  static const unsigned dilation_height = 1;
  static const unsigned dilation_width = 1;
  static const int pad_top = 0;
  static const int pad_left = 0;
  static const unsigned n_groups = 1;
  static const unsigned reuse_factor = 1;
  static const unsigned multiplier_limit = 1;
  static const strategy_t strategy = latency;
  typedef ap_fixed<16, 6> accum_t;
  typedef ap_fixed<16, 6> weight_t;
  typedef ap_fixed<16, 6> bias_t;
};

// One output pixel: all filters.
template <class data_T, class res_T, typename CONFIG_T>
void conv_pixel(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                const typename CONFIG_T::weight_t
                    weights[CONFIG_T::filt_height * CONFIG_T::filt_width * (CONFIG_T::n_chan / CONFIG_T::n_groups) *
                            CONFIG_T::n_filt],
                const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt], unsigned oh, unsigned ow) {
  #pragma HLS INLINE
  const unsigned cin_g = CONFIG_T::n_chan / CONFIG_T::n_groups;
  const unsigned cout_g = CONFIG_T::n_filt / CONFIG_T::n_groups;
  for (unsigned f = 0; f < CONFIG_T::n_filt; f++) {
    const unsigned g = f / cout_g;
    typename CONFIG_T::accum_t acc = (typename CONFIG_T::accum_t)biases[f];
    for (unsigned kh = 0; kh < CONFIG_T::filt_height; kh++) {
      const int ih = (int)(oh * CONFIG_T::stride_height + kh * CONFIG_T::dilation_height) - CONFIG_T::pad_top;
      if (ih < 0 || ih >= (int)CONFIG_T::in_height) continue;
      for (unsigned kw = 0; kw < CONFIG_T::filt_width; kw++) {
        const int iw = (int)(ow * CONFIG_T::stride_width + kw * CONFIG_T::dilation_width) - CONFIG_T::pad_left;
        if (iw < 0 || iw >= (int)CONFIG_T::in_width) continue;
        const unsigned in_base = ((unsigned)ih * CONFIG_T::in_width + (unsigned)iw) * CONFIG_T::n_chan + g * cin_g;
        const unsigned w_base = (kh * CONFIG_T::filt_width + kw) * cin_g;
        for (unsigned c = 0; c < cin_g; c++) {
          acc += (typename CONFIG_T::accum_t)(data[in_base + c] * weights[(w_base + c) * CONFIG_T::n_filt + f]);
        }
      }
    }
    res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_filt + f] = (res_T)acc;
  }
}

// Both strategies pipeline the pixel loop with II = reuse_factor (everything inside is
// unrolled) and limit the multipliers to multiplier_limit.
template <class data_T, class res_T, typename CONFIG_T>
void conv2d(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
            res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
            const typename CONFIG_T::weight_t
                weights[CONFIG_T::filt_height * CONFIG_T::filt_width * (CONFIG_T::n_chan / CONFIG_T::n_groups) *
                        CONFIG_T::n_filt],
            const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  #pragma HLS INLINE off
  #pragma HLS ARRAY_PARTITION variable = biases complete
  #pragma HLS ALLOCATION operation instances = mul limit = CONFIG_T::multiplier_limit
  for (unsigned oh = 0; oh < CONFIG_T::out_height; oh++) {
    for (unsigned ow = 0; ow < CONFIG_T::out_width; ow++) {
      #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
      conv_pixel<data_T, res_T, CONFIG_T>(data, res, weights, biases, oh, ow);
    }
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void conv1d(const data_T data[CONFIG_T::in_width * CONFIG_T::n_chan],
            res_T res[CONFIG_T::out_width * CONFIG_T::n_filt],
            const typename CONFIG_T::weight_t
                weights[CONFIG_T::filt_width * (CONFIG_T::n_chan / CONFIG_T::n_groups) * CONFIG_T::n_filt],
            const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  #pragma HLS INLINE
  conv2d<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

}  // namespace tachyon_hls

#endif  // TACHYON_HLS_CONV_H
