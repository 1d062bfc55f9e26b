// NumPy .npy files: a small reader and writer.
//
// Reading accepts format versions 1.0, 2.0 and 3.0, C order only (fortran_order True is
// rejected), any shape (including 0-d and empty arrays), and the dtypes float16/32/64,
// int8..int64, uint8..uint64 and bool, little- or big-endian; every value is converted to
// double (int64/uint64 values beyond 2^53 are rounded to the nearest double).
// Writing produces version 1.0 (2.0 if the header would not fit), C order, float64 or int64.
// Every error names the file and what is wrong with it.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace tachyon {

// A dense array, row-major (C order).
struct NdArray {
  std::vector<int64_t> shape;
  std::vector<double> data;

  NdArray() = default;
  NdArray(std::vector<int64_t> s, std::vector<double> d) : shape(std::move(s)), data(std::move(d)) {}
  // Number of elements the shape describes (1 for a 0-d array).
  int64_t num_elements() const;
  bool operator==(const NdArray&) const = default;
};

// "[1000,16]"
std::string shape_string(const std::vector<int64_t>& shape);

enum class NpyDtype { Float64, Int64 };

// Reads a .npy file; throws tachyon::Error naming `path` on any problem, and refuses (with
// a message pointing to NpyReader / `tachyon predict`'s chunked reading) an array whose
// float64 values would need more than the machine's physical memory.
NdArray read_npy(const std::string& path);
// Writes a .npy file (float64 by default; Int64 requires integer values that fit, else
// throws). Replaces an existing file atomically.
void write_npy(const std::string& path, const NdArray& a, NpyDtype dtype = NpyDtype::Float64);

// The same on bytes in memory; `name` is used in error messages.
NdArray npy_from_bytes(const std::string& bytes, const std::string& name);
std::string npy_to_bytes(const NdArray& a, NpyDtype dtype = NpyDtype::Float64);

// What the header of a .npy file says (checked against the file's size: the data after the
// header is exactly count * item_size bytes).
struct NpyHeader {
  std::vector<int64_t> shape;
  std::string descr;    // as written, e.g. "<f4"
  int kind = 0;         // private to npy.cc
  int item_size = 8;
  bool big_endian = false;
  uint64_t count = 0;   // number of elements
  size_t data_start = 0;
};
// Parses the header from `head` (the file's first bytes, up to at least the data start) of a
// file of `total_size` bytes.
NpyHeader parse_npy_header(const std::string& head, uint64_t total_size, const std::string& name);

// Reads a .npy file in chunks of rows (the leading axis): memory stays proportional to the
// chunk, whatever the file's size. The header and the file size are checked on construction.
class NpyReader {
 public:
  explicit NpyReader(const std::string& path);
  NpyReader(const std::string& bytes, const std::string& name);  // from memory (tests, fuzzing)
  ~NpyReader();
  NpyReader(const NpyReader&) = delete;
  NpyReader& operator=(const NpyReader&) = delete;

  const std::vector<int64_t>& shape() const { return header_.shape; }
  int64_t rows() const { return rows_; }  // shape[0]; 1 for a 0-d array
  int64_t row_elements() const { return row_elements_; }
  int64_t rows_left() const;
  // The next n rows as an array of shape [n, shape[1:]...] (a 0-d array: n = 1, shape []).
  NdArray read_rows(int64_t n);
  // Every remaining row, with the file's own shape when nothing was read before.
  NdArray read_all();

 private:
  void init(uint64_t total);
  std::istream& stream();
  std::string name_;
  std::ifstream in_;
  std::unique_ptr<std::istringstream> mem_;
  NpyHeader header_;
  int64_t rows_ = 0, row_elements_ = 1, next_row_ = 0;
};

// Writes a .npy file of a shape fixed in advance, rows appended in order, into a temporary
// file next to `path` ("<path>.tmp-<pid>"); commit() (after exactly shape[0] rows) renames it
// into place. Without commit() (an error was thrown), the destructor removes the temporary
// file: `path` is either untouched or the complete new array.
class NpyWriter {
 public:
  NpyWriter(const std::string& path, std::vector<int64_t> shape, NpyDtype dtype = NpyDtype::Float64);
  ~NpyWriter();
  NpyWriter(const NpyWriter&) = delete;
  NpyWriter& operator=(const NpyWriter&) = delete;

  void write_rows(const NdArray& rows);  // rows: [n, shape[1:]...]
  void commit();
  const std::string& path() const { return path_; }
  const std::vector<int64_t>& shape() const { return shape_; }

 private:
  std::string path_, tmp_;
  std::vector<int64_t> shape_;
  NpyDtype dtype_;
  std::ofstream out_;
  int64_t rows_ = 0, row_elements_ = 1, written_ = 0;
  bool committed_ = false;
};

}  // namespace tachyon
