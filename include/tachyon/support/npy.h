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

// Reads a .npy file; throws tachyon::Error naming `path` on any problem.
NdArray read_npy(const std::string& path);
// Writes a .npy file (float64 by default; Int64 requires integer values that fit, else
// throws). Replaces an existing file atomically.
void write_npy(const std::string& path, const NdArray& a, NpyDtype dtype = NpyDtype::Float64);

// The same on bytes in memory; `name` is used in error messages.
NdArray npy_from_bytes(const std::string& bytes, const std::string& name);
std::string npy_to_bytes(const NdArray& a, NpyDtype dtype = NpyDtype::Float64);

}  // namespace tachyon
