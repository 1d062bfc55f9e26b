// .npy reader and writer (format: NumPy's NEP 1, "A Simple File Format for NumPy Arrays").
#include "tachyon/support/npy.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sstream>

#include <unistd.h>

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

uint32_t read_le(const char* b, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[i]);
  return v;
}

// How many leading bytes hold the magic string, the version and the header (the data start),
// from the first `have` bytes (at least min(total, 12)) of a file of `total` bytes.
size_t header_end(const char* b, size_t have, uint64_t total, const std::string& name) {
  if (have < kMagicLen || std::memcmp(b, kMagic, kMagicLen) != 0)
    fail("{}: not a .npy file (missing the \\x93NUMPY magic string)", name);
  if (total < kMagicLen + 4) fail("{}: truncated .npy file ({} bytes, header incomplete)", name, total);
  int major = static_cast<unsigned char>(b[6]);
  int minor = static_cast<unsigned char>(b[7]);
  if (major < 1 || major > 3 || minor != 0) fail("{}: unsupported .npy format version {}.{}", name, major, minor);
  size_t len_bytes = major == 1 ? 2 : 4;
  size_t start = kMagicLen + 2 + len_bytes;
  if (total < start || have < start) fail("{}: truncated .npy file ({} bytes, header incomplete)", name, total);
  size_t header_len = read_le(b + 8, static_cast<int>(len_bytes));
  if (total < start + header_len)
    fail("{}: truncated .npy file: the header says {} header bytes, only {} present", name, header_len, total - start);
  return start + header_len;
}

// Checks that the data after the header is exactly what the shape and dtype need.
void check_data_size(const NpyHeader& h, uint64_t avail, const std::string& name) {
  const uint64_t size = static_cast<uint64_t>(h.item_size);
  if (h.count > avail / size)
    fail("{}: truncated .npy file: shape {} of '{}' needs {} data bytes, only {} present", name, shape_string(h.shape),
         h.descr, h.count * size, avail);
  if (h.count * size != avail)
    fail("{}: corrupt .npy file: {} bytes after the data of shape {} ('{}')", name, avail - h.count * size,
         shape_string(h.shape), h.descr);
}

Dtype dtype_of(const NpyHeader& h) {
  Dtype t;
  t.kind = static_cast<Kind>(h.kind);
  t.size = h.item_size;
  t.big_endian = h.big_endian;
  return t;
}

void decode_values(const unsigned char* p, uint64_t count, const Dtype& dt, double* out) {
  if (dt.kind == Kind::Float && dt.size == 8 && !dt.big_endian && std::endian::native == std::endian::little) {
    if (count) std::memcpy(out, p, count * 8);
  } else {
    for (uint64_t i = 0; i < count; ++i) out[i] = decode(p + i * static_cast<uint64_t>(dt.size), dt);
  }
}

}  // namespace

NpyHeader parse_npy_header(const std::string& head, uint64_t total_size, const std::string& name) {
  const size_t data_start = header_end(head.data(), head.size(), total_size, name);
  if (head.size() < data_start) fail("{}: internal error: header bytes not read", name);
  const size_t prefix = static_cast<unsigned char>(head[6]) == 1 ? 10 : 12;
  std::string header = head.substr(prefix, data_start - prefix);

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

  uint64_t count = 1;
  bool too_big = false;
  for (int64_t d : shape) {
    if (d != 0 && count > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d)) too_big = true;
    count *= static_cast<uint64_t>(d);
  }
  if (too_big || count > (uint64_t{1} << 62))
    fail("{}: corrupt .npy file: shape {} is impossibly large", name, shape_string(shape));
  NpyHeader h;
  h.shape = std::move(shape);
  h.descr = descr;
  h.kind = static_cast<int>(dt.kind);
  h.item_size = dt.size;
  h.big_endian = dt.big_endian;
  h.count = count;
  h.data_start = data_start;
  check_data_size(h, total_size - data_start, name);
  return h;
}

NdArray npy_from_bytes(const std::string& bytes, const std::string& name) {
  const size_t end = header_end(bytes.data(), bytes.size(), bytes.size(), name);
  NpyHeader h = parse_npy_header(bytes.substr(0, end), bytes.size(), name);
  NdArray a;
  a.shape = h.shape;
  a.data.resize(h.count);
  decode_values(reinterpret_cast<const unsigned char*>(bytes.data() + h.data_start), h.count, dtype_of(h),
                a.data.data());
  return a;
}

// ---- streaming reader ---------------------------------------------------------------------

NpyReader::NpyReader(const std::string& path) : name_(path) {
  in_.open(path, std::ios::binary);
  if (!in_) fail("{}: cannot open file", path);
  in_.seekg(0, std::ios::end);
  const auto size = in_.tellg();
  in_.seekg(0, std::ios::beg);
  if (size < 0) fail("{}: cannot determine the file size", path);
  init(static_cast<uint64_t>(size));
}

NpyReader::NpyReader(const std::string& bytes, const std::string& name) : name_(name) {
  mem_ = std::make_unique<std::istringstream>(bytes);
  init(bytes.size());
}

NpyReader::~NpyReader() = default;

std::istream& NpyReader::stream() { return mem_ ? static_cast<std::istream&>(*mem_) : in_; }

void NpyReader::init(uint64_t total) {
  std::string head(static_cast<size_t>(std::min<uint64_t>(total, 12)), '\0');
  stream().read(head.data(), static_cast<std::streamsize>(head.size()));
  if (!stream()) fail("{}: cannot read the .npy header", name_);
  const size_t end = header_end(head.data(), head.size(), total, name_);
  const size_t have = head.size();
  if (end > have) {
    head.resize(end);
    stream().read(head.data() + have, static_cast<std::streamsize>(end - have));
    if (!stream()) fail("{}: cannot read the .npy header", name_);
  } else {
    // A header shorter than the bytes already read (e.g. an empty one): the data starts
    // inside them.
    head.resize(end);
    stream().seekg(static_cast<std::streamoff>(end));
  }
  header_ = parse_npy_header(head, total, name_);
  row_elements_ = 1;
  for (size_t i = 1; i < header_.shape.size(); ++i) row_elements_ *= header_.shape[i];
  rows_ = header_.shape.empty() ? 1 : header_.shape[0];
}

int64_t NpyReader::rows_left() const { return rows_ - next_row_; }

NdArray NpyReader::read_rows(int64_t n) {
  if (n < 0 || n > rows_left())
    fail("{}: cannot read {} rows at row {} of {}", name_, n, next_row_, rows_);
  NdArray a;
  if (header_.shape.empty()) {
    a.shape = {};
  } else {
    a.shape = header_.shape;
    a.shape[0] = n;
  }
  const uint64_t count = static_cast<uint64_t>(n) * static_cast<uint64_t>(row_elements_);
  a.data.resize(count);
  const Dtype dt = dtype_of(header_);
  // Decode through a bounded buffer so that a chunk never needs its raw bytes and its
  // doubles in memory at once (beyond 1 MiB).
  const uint64_t per_block = std::max<uint64_t>(1, (uint64_t{1} << 20) / static_cast<uint64_t>(dt.size));
  std::vector<unsigned char> buf;
  for (uint64_t done = 0; done < count;) {
    const uint64_t k = std::min(per_block, count - done);
    buf.resize(k * static_cast<uint64_t>(dt.size));
    stream().read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    if (!stream()) fail("{}: read error at row {} (file changed or truncated while reading?)", name_, next_row_);
    decode_values(buf.data(), k, dt, a.data.data() + done);
    done += k;
  }
  next_row_ += n;
  return a;
}

NdArray NpyReader::read_all() {
  const double need = static_cast<double>(rows_left()) * static_cast<double>(row_elements_) * 8.0;
  const double phys = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  if (phys > 0 && need > phys)
    fail("{}: the array {} needs {:.1f} GiB as float64 values, more than this machine's {:.1f} GiB of memory; "
         "read it in chunks (tachyon predict does)",
         name_, shape_string(header_.shape), need / (1 << 30), phys / (1 << 30));
  NdArray a = read_rows(rows_left());
  a.shape = header_.shape;
  return a;
}

NdArray read_npy(const std::string& path) {
  NpyReader r(path);
  return r.read_all();
}

// ---- streaming writer ---------------------------------------------------------------------

namespace {

// The magic string, version, header length and header dict (padded so that the data starts
// at a multiple of 64 bytes) of an array of `shape`.
std::string npy_header(const std::vector<int64_t>& shape, NpyDtype dtype) {
  std::string dims = "(";
  for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";
  dims += ")";
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
                                 dtype == NpyDtype::Float64 ? "<f8" : "<i8", dims);
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
  return out + dict;
}

// Appends the little-endian encoding of `values` (float64 or int64) to `out`.
void encode_values(const std::vector<double>& values, NpyDtype dtype, std::string& out) {
  size_t base = out.size();
  out.resize(base + values.size() * 8);
  for (size_t i = 0; i < values.size(); ++i) {
    uint64_t u;
    if (dtype == NpyDtype::Float64) {
      u = std::bit_cast<uint64_t>(values[i]);
    } else {
      double v = values[i];
      if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0) || v != std::floor(v))
        fail("cannot write value {} (element {}) as int64", v, i);
      u = static_cast<uint64_t>(static_cast<int64_t>(v));
    }
    for (int b = 0; b < 8; ++b) out[base + i * 8 + static_cast<size_t>(b)] = static_cast<char>((u >> (8 * b)) & 0xff);
  }
}

}  // namespace

std::string npy_to_bytes(const NdArray& a, NpyDtype dtype) {
  int64_t n = 1;
  for (int64_t d : a.shape) {
    if (d < 0) fail("cannot write an array with negative dimension {}", shape_string(a.shape));
    n *= d;
  }
  if (n != static_cast<int64_t>(a.data.size()))
    fail("cannot write an array of shape {} with {} values", shape_string(a.shape), a.data.size());
  std::string out = npy_header(a.shape, dtype);
  encode_values(a.data, dtype, out);
  return out;
}

NpyWriter::NpyWriter(const std::string& path, std::vector<int64_t> shape, NpyDtype dtype)
    : path_(path), shape_(std::move(shape)), dtype_(dtype) {
  rows_ = shape_.empty() ? 1 : shape_[0];
  row_elements_ = 1;
  for (size_t i = 0; i < shape_.size(); ++i) {
    if (shape_[i] < 0) fail("cannot write an array with negative dimension {}", shape_string(shape_));
    if (i) row_elements_ *= shape_[i];
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(path_);
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  remove_stale_temporaries(p.parent_path(), p.filename().string() + ".tmp-");
  tmp_ = fmt::format("{}.tmp-{}", path_, getpid());
  out_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!out_) fail("cannot write '{}' (cannot create '{}')", path_, tmp_);
  const std::string h = npy_header(shape_, dtype_);
  out_.write(h.data(), static_cast<std::streamsize>(h.size()));
}

NpyWriter::~NpyWriter() {
  if (!committed_) {
    out_.close();
    std::error_code ec;
    std::filesystem::remove(tmp_, ec);
  }
}

void NpyWriter::write_rows(const NdArray& rows) {
  const bool same_row_shape =
      shape_.empty() ? rows.shape.empty()
                     : rows.shape.size() == shape_.size() && std::equal(shape_.begin() + 1, shape_.end(), rows.shape.begin() + 1);
  const int64_t n = shape_.empty() ? 1 : rows.shape[0];
  if (!same_row_shape || n < 0 || static_cast<int64_t>(rows.data.size()) != n * row_elements_)
    fail("cannot write rows of shape {} into '{}' of shape {}", shape_string(rows.shape), path_, shape_string(shape_));
  if (written_ + n > rows_)
    fail("cannot write rows {}..{} into '{}' of shape {}", written_, written_ + n, path_, shape_string(shape_));
  std::string buf;
  encode_values(rows.data, dtype_, buf);
  out_.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  if (!out_) fail("cannot write '{}' (disk full?)", path_);
  written_ += n;
}

void NpyWriter::commit() {
  if (committed_) return;
  if (written_ != rows_)
    fail("internal error: '{}' holds {} of its {} rows", path_, written_, rows_);
  out_.close();
  if (!out_) fail("cannot write '{}' (disk full?)", path_);
  std::error_code ec;
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) fail("cannot write '{}': {}", path_, ec.message());
  committed_ = true;
}

void write_npy(const std::string& path, const NdArray& a, NpyDtype dtype) {
  write_file_atomic(path, npy_to_bytes(a, dtype), /*force=*/true);
}

}  // namespace tachyon
