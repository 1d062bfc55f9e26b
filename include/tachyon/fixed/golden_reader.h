// Header-only line reader for plain or gzip-compressed text files (golden vectors).
// Needs zlib: link ZLIB::ZLIB in the target that includes it (the `tachyon` executable
// and the unit tests do).
#pragma once

#include <zlib.h>

#include <string>

#include "tachyon/support/error.h"

namespace tachyon {

// Calls fn(line, line_number) for every line (without the newline) of a plain or .gz
// file (zlib reads both transparently). fn returns false to stop early.
template <typename Fn>
void for_each_line(const std::string& path, Fn&& fn) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) fail("{}: cannot open file", path);
  std::string line;
  char buf[1 << 16];
  long line_no = 0;
  bool stop = false;
  while (!stop) {
    char* got = gzgets(f, buf, sizeof buf);
    if (!got) break;
    line += got;
    if (!line.empty() && line.back() == '\n') {
      line.pop_back();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      stop = !fn(line, ++line_no);
      line.clear();
    }
  }
  int errnum = 0;
  const char* msg = gzerror(f, &errnum);
  std::string err = errnum < 0 ? std::string(msg ? msg : "read error") : std::string();
  if (!stop && err.empty() && !line.empty()) fn(line, ++line_no);
  gzclose(f);
  if (!err.empty()) fail("{}: read error after line {}: {}", path, line_no, err);
}

}  // namespace tachyon
