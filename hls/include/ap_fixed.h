// ap_fixed<W,I,Q,O,N> / ap_ufixed<W,I,Q,O,N> (and ap_int / ap_uint).
// Tachyon's own header-only implementation; see ap_common.h.
#ifndef TACHYON_AP_FIXED_H
#define TACHYON_AP_FIXED_H
#include "ap_common.h"
#endif  // TACHYON_AP_FIXED_H
