// Runtime helpers and main() of the generated golden-vector test (see gen_golden_tests.py).
#include "golden_support.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace golden {

namespace {
long g_passed = 0, g_failed = 0;
const long kMaxReported = 25;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}
}  // namespace

void record(bool ok, const char* op, int id, const std::string& detail) {
  if (ok) {
    ++g_passed;
    return;
  }
  if (++g_failed <= kMaxReported) std::printf("FAIL %s case #%d: %s\n", op, id, detail.c_str());
}

void hex_to_words(const char* hex, u64* out, int nw) {
  for (int i = 0; i < nw; ++i) out[i] = 0;
  int len = static_cast<int>(std::strlen(hex));
  for (int i = 0; i < len; ++i) {
    int pos = 4 * (len - 1 - i);  // bit position of this digit
    if (pos / 64 < nw) out[pos / 64] |= static_cast<u64>(hex_digit(hex[i])) << (pos % 64);
  }
}

bool words_match(const u64* w, int nw, int W, const char* hex) {
  u64 buf[64];
  if (nw > 64) return false;
  hex_to_words(hex, buf, nw);
  for (int i = 0; i < nw; ++i) {
    u64 m = tachyon::ap::low_mask(W - 64 * i);
    if ((w[i] & m) != (buf[i] & m)) return false;
  }
  return true;
}

std::string words_hex(const u64* w, int nw, int W) {
  std::string s;
  const char* digits = "0123456789abcdef";
  for (int pos = ((W + 3) / 4 - 1) * 4; pos >= 0 && nw > 0; pos -= 4)
    s += digits[(w[pos / 64] >> (pos % 64)) & 15U];
  return "0x" + s;
}

u64 hex_u64(const char* hex) {
  u64 v = 0;
  hex_to_words(hex, &v, 1);
  return v;
}

double hex_double(const char* hex) {
  u64 b = hex_u64(hex);
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

long long dec_i64(const char* s) { return std::strtoll(s, nullptr, 10); }

}  // namespace golden

void tachyon_golden_run_all();  // generated

int main() {
  tachyon_golden_run_all();
  std::printf("%ld passed, %ld failed\n", golden::g_passed, golden::g_failed);
  return golden::g_failed == 0 && golden::g_passed > 0 ? 0 : 1;
}
