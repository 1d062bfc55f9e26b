// Per-element quantizer (ElementQuant, HGQ's FixedPointQuantizer): element i of the input is
// converted to its own fixed-point type (assignment: that type's quantization then overflow)
// and then held in res_T, which holds every element type exactly; pruned elements are 0.
// Tachyon writes the per-element conversions into the layer's configuration struct
// (CONFIG_T::quantize in parameters.h): one statement per element, or one loop per run of
// elements of the same type, repeated over the rows when the types repeat per row.
#ifndef TACHYON_HLS_QUANTIZER_H
#define TACHYON_HLS_QUANTIZER_H

#include "tachyon/common.h"

namespace tachyon_hls {

struct element_quant_config {
  static const unsigned n_in = 1;
  static const unsigned reuse_factor = 1;
};

template <class data_T, class res_T, typename CONFIG_T>
void element_quant(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS INLINE
  CONFIG_T::template quantize<data_T, res_T>(data, res);
}

}  // namespace tachyon_hls

#endif  // TACHYON_HLS_QUANTIZER_H
