// libFuzzer entry point: any byte string must either load or fail with a tachyon::Error —
// never crash, hang, leak or allocate without bound. An "internal error" (a std::exception the
// importer converted) is a bug too, so it aborts here for the fuzzer to report.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tachyon/frontends/onnx.h"
#include "tachyon/support/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    tachyon::frontends::load_onnx_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz.onnx");
  } catch (const tachyon::Error& e) {
    // Only the importer's own wording counts (the input's names may contain anything).
    for (const tachyon::Diagnostic& d : e.diagnostics())
      if (d.message.rfind("internal error: ", 0) == 0) {
        std::fprintf(stderr, "%s\n", e.what());
        std::abort();
      }
  }
  return 0;
}
