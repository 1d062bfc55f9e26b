// ap_int<W> / ap_uint<W> (and, as with the vendor headers, ap_fixed / ap_ufixed).
// Tachyon's own header-only implementation; see ap_common.h.
#ifndef TACHYON_AP_INT_H
#define TACHYON_AP_INT_H
#include "ap_common.h"
#endif  // TACHYON_AP_INT_H
