#include "tachyon/support/version.h"

namespace tachyon {

const char* version() { return TACHYON_VERSION; }

}  // namespace tachyon
