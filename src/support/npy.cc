// .npy reader and writer (format: NumPy's NEP 1, "A Simple File Format for NumPy Arrays").
#include "tachyon/support/npy.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "tachyon/support/error.h"
#include "tachyon/support/output_dir.h"

namespace tachyon {

int64_t NdArray::num_elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

enum class Kind { Float, Int, UInt, Bool };

struct Dtype {
  Kind kind = Kind::Float;
  int size = 8;
  bool big_endian = false;
};

// A tiny parser for the header: a Python dict literal with string keys and values that are
// strings, True/False or tuples of integers.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& name) : s_(text), name_(name) {}

  [[noreturn]] void error(const std::string& what) const {
    fail("{}: not a valid .npy file: header {} (header: {})", name_, what, s_.substr(0, 200));
  }
  void skip_ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) ++p_;
  }
  bool eat(char c) {
    skip_ws();
    if (p_ < s_.size() && s_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) error(fmt::format("expected '{}' at offset {}", c, p_));
  }
  bool peek(char c) {
    skip_ws();
    return p_ < s_.size() && s_[p_] == c;
  }
  std::string string_lit() {
    skip_ws();
    if (p_ >= s_.size() || (s_[p_] != '\'' && s_[p_] != '"')) error(fmt::format("expected a string at offset {}", p_));
    char q = s_[p_++];
    size_t start = p_;
    while (p_ < s_.size() && s_[p_] != q) ++p_;
    if (p_ >= s_.size()) error("has an unterminated string");
    return s_.substr(start, p_++ - start);
  }
  bool bool_lit() {
    skip_ws();
    if (s_.compare(p_, 4, "True") == 0) {
      p_ += 4;
      return true;
    }
    if (s_.compare(p_, 5, "False") == 0) {
      p_ += 5;
      return false;
    }
    error(fmt::format("expected True or False at offset {}", p_));
  }
  int64_t int_lit() {
    skip_ws();
    size_t start = p_;
    int64_t v = 0;
    while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') {
      if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) error("has a dimension that is too large");
      v = v * 10 + (s_[p_++] - '0');
    }
    if (p_ == start) error(fmt::format("expected a non-negative integer at offset {}", p_));
    if (p_ < s_.size() && s_[p_] == 'L') ++p_;  // Python 2 long suffix
    return v;
  }
  std::vector<int64_t> tuple_lit() {
    std::vector<int64_t> v;
    expect('(');
    while (!eat(')')) {
      v.push_back(int_lit());
      if (!eat(',')) {
        expect(')');
        break;
      }
    }
    return v;
  }
  bool at_end() {
    skip_ws();
    return p_ >= s_.size();
  }
  size_t pos() const { return p_; }

 private:
  const std::string& s_;
  const std::string& name_;
  size_t p_ = 0;
};

Dtype parse_descr(const std::string& d, const std::string& name) {
  auto bad = [&]() -> Dtype {
    fail("{}: unsupported .npy dtype '{}' (supported: float16/32/64, int8..int64, uint8..uint64, bool)", name, d);
  };
  if (d.size() < 2) return bad();
  Dtype t;
  char order = d[0];
  std::string rest = d.substr(1);
  if (order == '>')
    t.big_endian = true;
  else if (order == '<' || order == '|' || order == '=')
    t.big_endian = std::endian::native == std::endian::big;
  else
    return bad();
  if (rest.size() < 2) return bad();
  char k = rest[0];
  int size = 0;
  for (size_t i = 1; i < rest.size(); ++i) {
    if (rest[i] < '0' || rest[i] > '9' || size > 100) return bad();
    size = size * 10 + (rest[i] - '0');
  }
  t.size = size;
  switch (k) {
    case 'f':
      t.kind = Kind::Float;
      if (size != 2 && size != 4 && size != 8) return bad();
      break;
    case 'i':
      t.kind = Kind::Int;
      if (size != 1 && size != 2 && size != 4 && size != 8) return bad();
      break;
    case 'u':
      t.kind = Kind::UInt;
      if (size != 1 && size != 2 && size != 4 && size != 8) return bad();
      break;
    case 'b':
      t.kind = Kind::Bool;
      if (size != 1) return bad();
      break;
    default:
      return bad();
  }
  return t;
}

double half_to_double(uint16_t h) {
  int sign = (h >> 15) & 1;
  int exp = (h >> 10) & 0x1f;
  int frac = h & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(frac, -24);
  else if (exp == 31)
    v = frac ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  else
    v = std::ldexp(frac + 1024, exp - 25);
  return sign ? -v : v;
}

double decode(const unsigned char* p, const Dtype& t) {
  uint64_t u = 0;
  for (int i = 0; i < t.size; ++i) {
    int b = t.big_endian ? i : t.size - 1 - i;
    u = (u << 8) | p[b];
  }
  switch (t.kind) {
    case Kind::Bool:
      return u != 0 ? 1.0 : 0.0;
    case Kind::UInt:
      return static_cast<double>(u);
    case Kind::Int: {
      int bits = 8 * t.size;
      if (bits < 64 && (u >> (bits - 1)) & 1) u |= ~uint64_t{0} << bits;
      return static_cast<double>(static_cast<int64_t>(u));
    }
    case Kind::Float:
      if (t.size == 2) return half_to_double(static_cast<uint16_t>(u));
      if (t.size == 4) return static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(u)));
      return std::bit_cast<double>(u);
  }
  return 0.0;
}

uint32_t read_le(const std::string& b, size_t off, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[off + static_cast<size_t>(i)]);
  return v;
}

}  // namespace

NdArray npy_from_bytes(const std::string& bytes, const std::string& name) {
  if (bytes.size() < kMagicLen || bytes.compare(0, kMagicLen, kMagic, kMagicLen) != 0)
    fail("{}: not a .npy file (missing the \\x93NUMPY magic string)", name);
  if (bytes.size() < kMagicLen + 4) fail("{}: truncated .npy file ({} bytes, header incomplete)", name, bytes.size());
  int major = static_cast<unsigned char>(bytes[6]);
  int minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0) fail("{}: unsupported .npy format version {}.{}", name, major, minor);
  size_t len_bytes = major == 1 ? 2 : 4;
  size_t start = kMagicLen + 2 + len_bytes;
  if (bytes.size() < start) fail("{}: truncated .npy file ({} bytes, header incomplete)", name, bytes.size());
  size_t header_len = read_le(bytes, 8, static_cast<int>(len_bytes));
  if (bytes.size() < start + header_len)
    fail("{}: truncated .npy file: the header says {} header bytes, only {} present", name, header_len,
         bytes.size() - start);
  std::string header = bytes.substr(start, header_len);

  HeaderParser hp(header, name);
  std::string descr;
  bool fortran = false, have_descr = false, have_order = false, have_shape = false;
  std::vector<int64_t> shape;
  hp.expect('{');
  while (!hp.eat('}')) {
    std::string key = hp.string_lit();
    hp.expect(':');
    if (key == "descr") {
      if (hp.peek('[')) fail("{}: structured .npy dtypes are not supported", name);
      descr = hp.string_lit();
      have_descr = true;
    } else if (key == "fortran_order") {
      fortran = hp.bool_lit();
      have_order = true;
    } else if (key == "shape") {
      shape = hp.tuple_lit();
      have_shape = true;
    } else {
      hp.error(fmt::format("has an unknown key '{}'", key));
    }
    if (!hp.eat(',')) {
      hp.expect('}');
      break;
    }
  }
  if (!hp.at_end()) hp.error(fmt::format("has unexpected text after the dictionary at offset {}", hp.pos()));
  if (!have_descr || !have_order || !have_shape)
    hp.error("lacks one of the keys 'descr', 'fortran_order', 'shape'");
  if (fortran)
    fail("{}: the array is stored in Fortran order (fortran_order: True); save it in C order, e.g. "
         "np.save(path, np.ascontiguousarray(a))",
         name);
  Dtype dt = parse_descr(descr, name);

  size_t data_start = start + header_len;
  uint64_t avail = bytes.size() - data_start;
  uint64_t count = 1;
  bool too_big = false;
  for (int64_t d : shape) {
    if (d != 0 && count > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d)) too_big = true;
    count *= static_cast<uint64_t>(d);
  }
  if (too_big || count > avail / static_cast<uint64_t>(dt.size)) {
    if (too_big || count > (uint64_t{1} << 62))
      fail("{}: corrupt .npy file: shape {} is impossibly large", name, shape_string(shape));
    fail("{}: truncated .npy file: shape {} of '{}' needs {} data bytes, only {} present", name, shape_string(shape),
         descr, count * static_cast<uint64_t>(dt.size), avail);
  }
  if (count * static_cast<uint64_t>(dt.size) != avail)
    fail("{}: corrupt .npy file: {} bytes after the data of shape {} ('{}')", name,
         avail - count * static_cast<uint64_t>(dt.size), shape_string(shape), descr);

  NdArray a;
  a.shape = shape;
  a.data.resize(count);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + data_start);
  if (dt.kind == Kind::Float && dt.size == 8 && !dt.big_endian && std::endian::native == std::endian::little) {
    if (count) std::memcpy(a.data.data(), p, count * 8);
  } else {
    for (uint64_t i = 0; i < count; ++i) a.data[i] = decode(p + i * static_cast<uint64_t>(dt.size), dt);
  }
  return a;
}

NdArray read_npy(const std::string& path) { return npy_from_bytes(read_file(path), path); }

std::string npy_to_bytes(const NdArray& a, NpyDtype dtype) {
  int64_t n = 1;
  for (int64_t d : a.shape) {
    if (d < 0) fail("cannot write an array with negative dimension {}", shape_string(a.shape));
    n *= d;
  }
  if (n != static_cast<int64_t>(a.data.size()))
    fail("cannot write an array of shape {} with {} values", shape_string(a.shape), a.data.size());
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(a.shape[i]);
  if (a.shape.size() == 1) shape += ",";
  shape += ")";
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
                                 dtype == NpyDtype::Float64 ? "<f8" : "<i8", shape);
  // Pad with spaces and a final newline so that the data starts at a multiple of 64.
  int version = dict.size() + 1 + 10 > 65535 ? 2 : 1;
  size_t prefix = version == 1 ? 10 : 12;
  size_t total = prefix + dict.size() + 1;
  size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicLen);
  out += static_cast<char>(version);
  out += '\0';
  uint32_t hl = static_cast<uint32_t>(dict.size());
  for (size_t i = 0; i < (version == 1 ? 2u : 4u); ++i) out += static_cast<char>((hl >> (8 * i)) & 0xff);
  out += dict;
  size_t base = out.size();
  out.resize(base + a.data.size() * 8);
  for (size_t i = 0; i < a.data.size(); ++i) {
    uint64_t u;
    if (dtype == NpyDtype::Float64) {
      u = std::bit_cast<uint64_t>(a.data[i]);
    } else {
      double v = a.data[i];
      if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0) || v != std::floor(v))
        fail("cannot write value {} (element {}) as int64", v, i);
      u = static_cast<uint64_t>(static_cast<int64_t>(v));
    }
    for (int b = 0; b < 8; ++b) out[base + i * 8 + static_cast<size_t>(b)] = static_cast<char>((u >> (8 * b)) & 0xff);
  }
  return out;
}

void write_npy(const std::string& path, const NdArray& a, NpyDtype dtype) {
  write_file_atomic(path, npy_to_bytes(a, dtype), /*force=*/true);
}

}  // namespace tachyon
