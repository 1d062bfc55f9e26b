// TensorProto -> constant tensor, with every check a hostile file needs.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <bit>
#include <cmath>
#include <cstring>

#include "frontends/onnx/importer.h"

namespace tachyon::frontends::onnx_import {

using TP = onnx::TensorProto;
static_assert(std::endian::native == std::endian::little, "raw_data is read as little-endian");

const char* dtype_name(int32_t dt) {
  switch (dt) {
    case TP::FLOAT: return "float32";
    case TP::UINT8: return "uint8";
    case TP::INT8: return "int8";
    case TP::UINT16: return "uint16";
    case TP::INT16: return "int16";
    case TP::INT32: return "int32";
    case TP::INT64: return "int64";
    case TP::STRING: return "string";
    case TP::BOOL: return "bool";
    case TP::FLOAT16: return "float16";
    case TP::DOUBLE: return "float64";
    case TP::UINT32: return "uint32";
    case TP::UINT64: return "uint64";
    case TP::COMPLEX64: return "complex64";
    case TP::COMPLEX128: return "complex128";
    case TP::BFLOAT16: return "bfloat16";
    case TP::UNDEFINED: return "undefined";
    default: return "unknown dtype";
  }
}

bool is_int_dtype(int32_t dt) {
  return dt == TP::UINT8 || dt == TP::INT8 || dt == TP::INT16 || dt == TP::UINT16 || dt == TP::INT32 ||
         dt == TP::INT64 || dt == TP::UINT32 || dt == TP::UINT64 || dt == TP::BOOL;
}

bool ConstVal::is_int() const { return is_int_dtype(dtype); }

std::string shape_string(const ir::Shape& s) { return fmt::format("[{}]", fmt::join(s, ",")); }

int64_t checked_numel(const ir::Shape& s, int64_t limit) {
  int64_t n = 1;
  for (int64_t d : s) {
    if (d < 0) return -1;
    if (d == 0) return 0;
  }
  for (int64_t d : s) {
    if (d > limit || n > limit / d) return -1;
    n *= d;
  }
  return n;
}

namespace {

size_t elem_size(int32_t dt) {
  switch (dt) {
    case TP::FLOAT:
    case TP::INT32: return 4;
    case TP::DOUBLE:
    case TP::INT64: return 8;
    case TP::INT8:
    case TP::UINT8:
    case TP::BOOL: return 1;
    default: return 0;
  }
}

template <typename T>
void read_raw(const std::string& raw, std::vector<double>& out) {
  for (size_t i = 0; i < out.size(); ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(v);
  }
}

}  // namespace

std::optional<ConstVal> tensor_from_proto(const onnx::TensorProto& tp, std::string* err) {
  if (tp.data_location() == TP::EXTERNAL || tp.external_data_size() > 0) {
    *err = "stores its data in an external file; external data is not supported (save the model with "
           "all tensors inside the .onnx file)";
    return std::nullopt;
  }
  if (tp.has_segment()) {
    *err = "is a segmented tensor, which is not supported";
    return std::nullopt;
  }
  if (tp.dims_size() > 2 * kMaxRank) {
    *err = fmt::format("has rank {}, more than the supported {}", tp.dims_size(), 2 * kMaxRank);
    return std::nullopt;
  }
  ir::Shape shape(tp.dims().begin(), tp.dims().end());
  for (int64_t d : shape)
    if (d < 0) {
      *err = fmt::format("has a negative dimension in shape {}", shape_string(shape));
      return std::nullopt;
    }
  const int64_t n = checked_numel(shape, kMaxConstElements);
  if (n < 0) {
    *err = fmt::format("has shape {}, more than the limit of {} elements", shape_string(shape), kMaxConstElements);
    return std::nullopt;
  }
  const int32_t dt = tp.data_type();
  const size_t es = elem_size(dt);
  if (es == 0) {
    *err = fmt::format("has dtype {}; supported constant dtypes are float32, float64, int64, int32, int8, "
                       "uint8 and bool",
                       dtype_name(dt));
    return std::nullopt;
  }
  ConstVal c;
  c.dtype = dt;
  std::vector<double> v(static_cast<size_t>(n));
  if (tp.has_raw_data()) {
    const std::string& raw = tp.raw_data();
    const size_t want = static_cast<size_t>(n) * es;
    if (raw.size() != want) {
      *err = fmt::format("has {} bytes of raw_data, expected {} for shape {} of {}", raw.size(), want,
                         shape_string(shape), dtype_name(dt));
      return std::nullopt;
    }
    switch (dt) {
      case TP::FLOAT: read_raw<float>(raw, v); break;
      case TP::DOUBLE: read_raw<double>(raw, v); break;
      case TP::INT64: read_raw<int64_t>(raw, v); break;
      case TP::INT32: read_raw<int32_t>(raw, v); break;
      case TP::INT8: read_raw<int8_t>(raw, v); break;
      case TP::UINT8: read_raw<uint8_t>(raw, v); break;
      case TP::BOOL: read_raw<uint8_t>(raw, v); break;
      default: break;
    }
  } else {
    int64_t count = 0;
    switch (dt) {
      case TP::FLOAT: count = tp.float_data_size(); break;
      case TP::DOUBLE: count = tp.double_data_size(); break;
      case TP::INT64: count = tp.int64_data_size(); break;
      default: count = tp.int32_data_size(); break;
    }
    if (count != n) {
      *err = fmt::format("has {} values, expected {} for shape {}", count, n, shape_string(shape));
      return std::nullopt;
    }
    for (int64_t i = 0; i < n; ++i) {
      const int k = static_cast<int>(i);
      switch (dt) {
        case TP::FLOAT: v[static_cast<size_t>(i)] = static_cast<double>(tp.float_data(k)); break;
        case TP::DOUBLE: v[static_cast<size_t>(i)] = tp.double_data(k); break;
        case TP::INT64: v[static_cast<size_t>(i)] = static_cast<double>(tp.int64_data(k)); break;
        default: {
          const int32_t x = tp.int32_data(k);
          const bool ok = dt == TP::INT32 || (dt == TP::INT8 && x >= -128 && x <= 127) ||
                          (dt == TP::UINT8 && x >= 0 && x <= 255) || (dt == TP::BOOL && (x == 0 || x == 1));
          if (!ok) {
            *err = fmt::format("holds {} which is out of range for {}", x, dtype_name(dt));
            return std::nullopt;
          }
          v[static_cast<size_t>(i)] = static_cast<double>(x);
        }
      }
    }
  }
  c.t = ir::Tensor(std::move(shape), std::move(v));
  return c;
}

bool to_int_list(const ConstVal& c, std::vector<int64_t>* out, std::string* err, bool allow_batch,
                 int64_t batch_marker) {
  out->clear();
  for (double d : c.t.data) {
    if (std::isnan(d)) {
      if (!allow_batch) {
        *err = "depends on the batch size";
        return false;
      }
      out->push_back(batch_marker);
      continue;
    }
    if (d != std::floor(d) || std::fabs(d) > 4.0e18) {
      *err = fmt::format("holds {} which is not an integer", d);
      return false;
    }
    out->push_back(static_cast<int64_t>(d));
  }
  return true;
}

}  // namespace tachyon::frontends::onnx_import
