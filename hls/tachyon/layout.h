// Layout operations: they move bits (the output type is the input type; a conversion is
// written anyway, which is the identity when the types are equal).
//
//   copy       Reshape / Flatten / Identity: res[i] = x[i]
//   transpose  rank <= 4, shapes padded with leading 1s: out[o0][o1][o2][o3] =
//              in[...] with in_index[perm_k] = o_k
//   pad        rank <= 4: out[o] = in[o - pad_begin] inside the input, else pad_value
#ifndef TACHYON_HLS_LAYOUT_H
#define TACHYON_HLS_LAYOUT_H

#include "tachyon/common.h"

namespace tachyon_hls {

struct copy_config {
  static const unsigned n_in = 1;
};

template <class data_T, class res_T, typename CONFIG_T>
void copy(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS INLINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = (res_T)data[i];
}

// Input dims d0..d3, output dim k = input dim perm_k.
struct transpose_config {
  static const unsigned d0 = 1, d1 = 1, d2 = 1, d3 = 1;
  static const unsigned perm0 = 0, perm1 = 1, perm2 = 2, perm3 = 3;
};

template <class data_T, class res_T, typename CONFIG_T>
void transpose(const data_T data[CONFIG_T::d0 * CONFIG_T::d1 * CONFIG_T::d2 * CONFIG_T::d3],
               res_T res[CONFIG_T::d0 * CONFIG_T::d1 * CONFIG_T::d2 * CONFIG_T::d3]) {
  #pragma HLS INLINE
  const unsigned in_dims[4] = {CONFIG_T::d0, CONFIG_T::d1, CONFIG_T::d2, CONFIG_T::d3};
  const unsigned perm[4] = {CONFIG_T::perm0, CONFIG_T::perm1, CONFIG_T::perm2, CONFIG_T::perm3};
  unsigned in_stride[4];
  in_stride[3] = 1;
  for (int k = 2; k >= 0; k--) in_stride[k] = in_stride[k + 1] * in_dims[k + 1];
  const unsigned o0n = in_dims[perm[0]], o1n = in_dims[perm[1]], o2n = in_dims[perm[2]], o3n = in_dims[perm[3]];
  unsigned out = 0;
  for (unsigned o0 = 0; o0 < o0n; o0++) {
    for (unsigned o1 = 0; o1 < o1n; o1++) {
      for (unsigned o2 = 0; o2 < o2n; o2++) {
        for (unsigned o3 = 0; o3 < o3n; o3++) {
          const unsigned src = o0 * in_stride[perm[0]] + o1 * in_stride[perm[1]] + o2 * in_stride[perm[2]] +
                               o3 * in_stride[perm[3]];
          res[out++] = (res_T)data[src];
        }
      }
    }
  }
}

// Input dims in0..in3, output dims out0..out3, pads before b0..b3; pad value from
// CONFIG_T::pad_value() (already of res_T).
struct pad_config {
  static const unsigned in0 = 1, in1 = 1, in2 = 1, in3 = 1;
  static const unsigned out0 = 1, out1 = 1, out2 = 1, out3 = 1;
  static const int b0 = 0, b1 = 0, b2 = 0, b3 = 0;
};

template <class data_T, class res_T, typename CONFIG_T>
void pad(const data_T data[CONFIG_T::in0 * CONFIG_T::in1 * CONFIG_T::in2 * CONFIG_T::in3],
         res_T res[CONFIG_T::out0 * CONFIG_T::out1 * CONFIG_T::out2 * CONFIG_T::out3]) {
  #pragma HLS INLINE
  const res_T value = CONFIG_T::pad_value();
  unsigned out = 0;
  for (unsigned o0 = 0; o0 < CONFIG_T::out0; o0++) {
    for (unsigned o1 = 0; o1 < CONFIG_T::out1; o1++) {
      for (unsigned o2 = 0; o2 < CONFIG_T::out2; o2++) {
        for (unsigned o3 = 0; o3 < CONFIG_T::out3; o3++) {
          const int i0 = (int)o0 - CONFIG_T::b0, i1 = (int)o1 - CONFIG_T::b1;
          const int i2 = (int)o2 - CONFIG_T::b2, i3 = (int)o3 - CONFIG_T::b3;
          const bool inside = i0 >= 0 && i0 < (int)CONFIG_T::in0 && i1 >= 0 && i1 < (int)CONFIG_T::in1 && i2 >= 0 &&
                              i2 < (int)CONFIG_T::in2 && i3 >= 0 && i3 < (int)CONFIG_T::in3;
          if (inside) {
            res[out] = (res_T)data[((i0 * CONFIG_T::in1 + i1) * CONFIG_T::in2 + i2) * CONFIG_T::in3 + i3];
          } else {
            res[out] = value;
          }
          out++;
        }
      }
    }
  }
}

}  // namespace tachyon_hls

#endif  // TACHYON_HLS_LAYOUT_H
