// Tachyon HLS layer library: every layer family.
#ifndef TACHYON_HLS_TACHYON_H
#define TACHYON_HLS_TACHYON_H

#include "tachyon/common.h"
#include "tachyon/activation.h"
#include "tachyon/conv.h"
#include "tachyon/dense.h"
#include "tachyon/layout.h"
#include "tachyon/merge.h"
#include "tachyon/pooling.h"
#include "tachyon/quantizer.h"
#include "tachyon/softmax.h"
#include "tachyon/tree.h"

#endif  // TACHYON_HLS_TACHYON_H
