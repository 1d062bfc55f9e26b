// Internal readers of the Keras frontend: HDF5 files (Debian's libhdf5, C API) and zip
// archives (libzip). Every failure throws tachyon::Error naming the file (`display`) and
// the object path; nothing is printed by the HDF5 library itself.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tachyon/ir/tensor.h"

namespace tachyon::frontends::keras_import {

inline constexpr int64_t kMaxFileBytes = int64_t{1} << 30;       // 1 GiB per file / archive member
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 26;  // one weight tensor
inline constexpr int64_t kMaxTotalElements = int64_t{1} << 27;   // all weights of a model
inline constexpr size_t kMaxLayers = size_t{1} << 20;              // layers of a model (as ONNX nodes)

class H5File {
 public:
  // Opens an HDF5 file on disk, or an HDF5 image held in memory (a .keras archive member).
  static std::shared_ptr<H5File> open(const std::string& path, const std::string& display);
  static std::shared_ptr<H5File> open_image(std::string bytes, const std::string& display);
  ~H5File();
  H5File(const H5File&) = delete;
  H5File& operator=(const H5File&) = delete;

  const std::string& display() const { return display_; }
  // "a/b/c": every component exists (no error when a parent is missing).
  bool exists(const std::string& path) const;
  bool is_group(const std::string& path) const;
  bool is_dataset(const std::string& path) const;
  std::vector<std::string> children(const std::string& group) const;  // names, in the file's order
  bool has_attr(const std::string& obj, const std::string& name) const;
  // A string attribute (scalar, fixed or variable length).
  std::string string_attr(const std::string& obj, const std::string& name) const;
  // A list of strings (weight_names, layer_names); an empty numeric array is an empty list.
  std::vector<std::string> string_list_attr(const std::string& obj, const std::string& name) const;
  // A numeric dataset, converted to double.
  ir::Tensor read(const std::string& path) const;

 private:
  H5File() = default;
  int64_t id_ = -1;
  std::string display_;
  std::string image_;  // keeps the memory image alive
};

// Reads one member of a zip archive (nullopt when absent). Throws when the archive cannot be read.
std::optional<std::string> read_zip_member(const std::string& zip_path, const std::string& member);
// The same for an archive held in memory (`display` names it in messages).
std::optional<std::string> read_zip_member_bytes(const std::string& bytes, const std::string& display,
                                                 const std::string& member);
// True when the file starts with the zip signature.
bool looks_like_zip(const std::string& path);
// True when the file starts with the HDF5 signature.
bool looks_like_hdf5(const std::string& path);

}  // namespace tachyon::frontends::keras_import
