// Helpers for the generated testbench (not synthesised).
#ifndef TACHYON_HLS_TESTBENCH_H
#define TACHYON_HLS_TESTBENCH_H

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tachyon/common.h"

namespace tachyon_hls {

// Reads the next non-empty line of `in` into `values` (numbers separated by spaces, commas
// or tabs, parsed with strtod so a %.17g number gives back the exact double; "inf" and
// "nan" are accepted, NaN is read as 0 like the emulator does).
// Returns 1 on success, 0 at the end of the file, -1 (after printing why) on a malformed
// line or a line without exactly `expected` numbers.
inline int tb_read_line(std::FILE* in, unsigned expected, std::vector<double>& values, long& line_no) {
  std::string line;
  for (;;) {
    line.clear();
    int c;
    while ((c = std::fgetc(in)) != EOF && c != '\n') line += (char)c;
    if (line.empty() && c == EOF) return 0;
    line_no++;
    if (line.find_first_not_of(" \t\r,") != std::string::npos) break;
    if (c == EOF) return 0;
  }
  values.clear();
  const char* p = line.c_str();
  for (;;) {
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == ',') p++;
    if (*p == 0) break;
    char* end = 0;
    errno = 0;
    const double d = std::strtod(p, &end);
    if (end == p) {
      std::fprintf(stderr, "line %ld: not a number: '%.40s'\n", line_no, p);
      return -1;
    }
    // NaN has no fixed-point value: the emulator converts it to 0, so does the testbench.
    values.push_back(d != d ? 0.0 : d);
    p = end;
  }
  if (values.size() != expected) {
    std::fprintf(stderr, "line %ld: %u values expected, got %u\n", line_no, expected, (unsigned)values.size());
    return -1;
  }
  return 1;
}

// Prints x exactly: %.17g of the double when the type has at most 53 bits (to_double is
// then exact), else "0x" and the raw code in hexadecimal.
template <class T> void tb_print(std::FILE* out, const T& x) {
  const int W = fixed_traits<T>::width;
  if (W <= 53) {
    std::fprintf(out, "%.17g", x.to_double());
    return;
  }
  const ap_uint<W> u = raw_bits(x);
  std::fputs("0x", out);
  for (int top = ((W + 3) / 4) * 4 - 1; top >= 3; top -= 4) {
    unsigned digit = 0;
    for (int b = top; b > top - 4; b--) digit = digit * 2 + ((b < W && u[b]) ? 1u : 0u);
    std::fputc("0123456789abcdef"[digit], out);
  }
}

}  // namespace tachyon_hls

#endif  // TACHYON_HLS_TESTBENCH_H
