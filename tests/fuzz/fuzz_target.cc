// The libFuzzer binary of every target: the environment variable TACHYON_FUZZ_TARGET names
// the reader (fuzz_common.h, run_entry: onnx_loader, config_yaml, config_json, npy,
// xgboost_json, tachyon_tree_json, onnx_ml_trees, tmva_xml, lightgbm_text, keras_json,
// keras_h5, keras_zip). One binary
// instead of one per target keeps the instrumented build short; scripts/fuzz.sh sets the
// variable.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"

namespace {
std::string g_target;
bool g_print = false;  // TACHYON_FUZZ_PRINT=1: print each input's error (to write EXPECTED files)
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* t = std::getenv("TACHYON_FUZZ_TARGET");
  if (!t || !*t) {
    std::fprintf(stderr, "set TACHYON_FUZZ_TARGET to the reader to fuzz (see scripts/fuzz.sh --list)\n");
    std::exit(2);
  }
  g_target = t;
  g_print = std::getenv("TACHYON_FUZZ_PRINT") != nullptr;
  // An unknown name aborts here rather than on the first input.
  tachyon::fuzz::expect_clean([] {
    try {
      tachyon::fuzz::run_entry(g_target, std::string());
    } catch (const tachyon::Error&) {
    }
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  tachyon::fuzz::expect_clean([&] {
    try {
      tachyon::fuzz::run_entry(g_target, bytes);
      if (g_print) std::fprintf(stderr, "MESSAGE: (accepted)\n");
    } catch (const tachyon::Error& e) {
      if (g_print) std::fprintf(stderr, "MESSAGE: %s\n", e.what());
      throw;
    }
  });
  return 0;
}
