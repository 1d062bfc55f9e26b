// Entry points of hls_style.cc (typical generated HLS code, compiled as C++11).
#ifndef TACHYON_TESTS_AP_HEADERS_HLS_STYLE_H
#define TACHYON_TESTS_AP_HEADERS_HLS_STYLE_H

namespace hls_style {
const unsigned kIn = 8, kOut = 4;
// dense (ap_fixed<16,6> x ap_fixed<8,3> -> accum ap_fixed<32,12>) then relu into
// ap_fixed<16,6,AP_RND_CONV,AP_SAT>; weights / inputs are converted from doubles.
void dense_relu(const double in[kIn], const double w[kIn * kOut], const double b[kOut], double out[kOut]);
unsigned bit_tricks(unsigned v);
int to_int_sum(double a, double b);
}  // namespace hls_style

#endif  // TACHYON_TESTS_AP_HEADERS_HLS_STYLE_H
