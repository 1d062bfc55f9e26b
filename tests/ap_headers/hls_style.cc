// Typical generated HLS code (hls4ml-style layers) using ap_fixed / ap_int, compiled as
// C++11 with -Wall -Wextra -Wpedantic -Werror to keep the headers usable by generated
// projects.  api_test.cc checks the results.
#include "hls_style.h"

#include "ap_fixed.h"
#include "ap_int.h"

namespace hls_style {
namespace {

typedef ap_fixed<16, 6> input_t;
typedef ap_fixed<8, 3> weight_t;
typedef ap_fixed<32, 12> accum_t;
typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> result_t;

struct config1 {
  static const unsigned n_in = kIn;
  static const unsigned n_out = kOut;
  typedef accum_t accum_t_;
};

template <class data_T, class res_T, class w_T, class CONFIG_T>
void dense(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out], const w_T weights[CONFIG_T::n_in * CONFIG_T::n_out],
           const w_T biases[CONFIG_T::n_out]) {
  for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
    typename CONFIG_T::accum_t_ acc = biases[j];
    for (unsigned i = 0; i < CONFIG_T::n_in; i++) acc += data[i] * weights[i * CONFIG_T::n_out + j];
    res[j] = acc;
  }
}

template <class data_T, class res_T, unsigned N> void relu(const data_T data[N], res_T res[N]) {
  for (unsigned i = 0; i < N; i++) {
    data_T d = data[i];
    if (d > 0)
      res[i] = d;
    else
      res[i] = 0;
  }
}

}  // namespace

void dense_relu(const double in[kIn], const double w[kIn * kOut], const double b[kOut], double out[kOut]) {
  input_t x[kIn];
  weight_t wq[kIn * kOut], bq[kOut];
  result_t y[kOut], z[kOut];
  for (unsigned i = 0; i < kIn; i++) x[i] = in[i];
  for (unsigned i = 0; i < kIn * kOut; i++) wq[i] = w[i];
  for (unsigned i = 0; i < kOut; i++) bq[i] = b[i];
  dense<input_t, result_t, weight_t, config1>(x, y, wq, bq);
  relu<result_t, result_t, kOut>(y, z);
  for (unsigned i = 0; i < kOut; i++) out[i] = z[i].to_double();
}

unsigned bit_tricks(unsigned v) {
  ap_uint<16> u = v;
  ap_uint<4> lo = u.range(3, 0);
  ap_uint<16> r = 0;
  r.range(15, 12) = lo;            // move the low nibble to the top
  r[0] = u[15];                    // and the top bit to bit 0
  for (ap_uint<5> i = 4; i < 8; i++) r[i] = !u[i];  // inverted bits 4..7
  return r.to_uint() + static_cast<unsigned>(input_t::width + input_t::iwidth);  // + 22
}

int to_int_sum(double a, double b) {
  ap_fixed<12, 8> x = a, y = b;
  ap_int<9> s = x + y;  // truncation toward zero
  return s.to_int() + (x << 1).to_int() + (y >> 1).to_int();
}

}  // namespace hls_style
