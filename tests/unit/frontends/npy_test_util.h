// A minimal .npy reader for the frontend tests (little-endian float32 / float64, C order).
// The production reader lives in src/support; this one keeps the tests independent of it.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tachyon::test {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<double> data;
  int64_t rows() const { return shape.empty() ? 1 : shape[0]; }
  int64_t row_size() const {
    int64_t n = 1;
    for (size_t i = 1; i < shape.size(); ++i) n *= shape[i];
    return n;
  }
};

inline NpyArray read_npy_test(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string b = ss.str();
  if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0) throw std::runtime_error(path + ": not a .npy file");
  const int major = static_cast<unsigned char>(b[6]);
  size_t hlen = 0, off = 0;
  if (major == 1) {
    hlen = static_cast<unsigned char>(b[8]) | (static_cast<size_t>(static_cast<unsigned char>(b[9])) << 8);
    off = 10;
  } else {
    if (b.size() < 12) throw std::runtime_error(path + ": truncated header");
    for (int i = 0; i < 4; ++i) hlen |= static_cast<size_t>(static_cast<unsigned char>(b[8 + i])) << (8 * i);
    off = 12;
  }
  if (off + hlen > b.size()) throw std::runtime_error(path + ": truncated header");
  const std::string h = b.substr(off, hlen);
  auto field = [&](const std::string& key) {
    size_t p = h.find("'" + key + "'");
    if (p == std::string::npos) throw std::runtime_error(path + ": header has no " + key);
    return h.substr(h.find(':', p) + 1);
  };
  std::string descr = field("descr");
  descr = descr.substr(descr.find('\'') + 1);
  descr = descr.substr(0, descr.find('\''));
  if (field("fortran_order").find("False") > 2) throw std::runtime_error(path + ": fortran order");
  std::string shape = field("shape");
  shape = shape.substr(shape.find('(') + 1, shape.find(')') - shape.find('(') - 1);
  NpyArray a;
  std::stringstream sh(shape);
  for (std::string tok; std::getline(sh, tok, ',');)
    if (tok.find_first_of("0123456789") != std::string::npos) a.shape.push_back(std::stoll(tok));
  int64_t n = 1;
  for (int64_t d : a.shape) n *= d;
  const size_t es = descr == "<f4" ? 4 : (descr == "<f8" ? 8 : 0);
  if (!es) throw std::runtime_error(path + ": unsupported dtype " + descr);
  const size_t data_off = off + hlen;
  if (b.size() - data_off != static_cast<size_t>(n) * es) throw std::runtime_error(path + ": wrong data size");
  a.data.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const char* p = b.data() + data_off + static_cast<size_t>(i) * es;
    if (es == 4) {
      float v;
      std::memcpy(&v, p, 4);
      a.data[static_cast<size_t>(i)] = v;
    } else {
      double v;
      std::memcpy(&v, p, 8);
      a.data[static_cast<size_t>(i)] = v;
    }
  }
  return a;
}

}  // namespace tachyon::test
