// The HLS backend: registry entry point (see backends/registry.cc).
#include <memory>

#include "backends/hls/hls_internal.h"
#include "tachyon/backends/backend.h"

namespace tachyon::backends {

std::unique_ptr<Backend> make_hls_backend() { return std::make_unique<hls::HlsBackend>(); }

}  // namespace tachyon::backends
