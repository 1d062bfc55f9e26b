// Entry points: read the file (with a size limit), parse the protobuf with CodedInputStream
// limits, and run the importer.
#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "frontends/onnx/importer.h"
#include "tachyon/frontends/onnx.h"

namespace tachyon::frontends {

using namespace onnx_import;

ir::Graph load_onnx_bytes(const std::string& bytes, const std::string& name) {
  if (bytes.empty()) fail("not an ONNX model: {}: the file is empty", name);
  if (static_cast<int64_t>(bytes.size()) > kMaxFileBytes)
    fail("{}: the model is {} bytes, more than the limit of {}", name, bytes.size(), kMaxFileBytes);
  onnx::ModelProto model;
  {
    google::protobuf::io::ArrayInputStream raw(bytes.data(), static_cast<int>(bytes.size()));
    google::protobuf::io::CodedInputStream in(&raw);
    in.SetTotalBytesLimit(static_cast<int>(kMaxFileBytes));
    in.SetRecursionLimit(64);
    if (!model.ParseFromCodedStream(&in) || !in.ConsumedEntireMessage())
      fail("not an ONNX model: {}: the protobuf data cannot be parsed (truncated, or not an ONNX ModelProto)", name);
  }
  if (model.ir_version() <= 0 || !model.has_graph())
    fail("not an ONNX model: {}: {}", name, model.ir_version() <= 0 ? "no ir_version" : "no graph");
  Importer im(model, name);
  return im.run();
}

ir::Graph load_onnx(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail("cannot read ONNX model '{}': it is a directory", path);
  std::ifstream f(path, std::ios::binary);
  if (!f) fail("cannot open ONNX model '{}': {}", path, std::strerror(errno));
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  if (size < 0) fail("cannot read ONNX model '{}'", path);
  if (size > kMaxFileBytes) fail("{}: the model is {} bytes, more than the limit of {}", path, size, kMaxFileBytes);
  f.seekg(0, std::ios::beg);
  std::string bytes(static_cast<size_t>(size), '\0');
  if (size > 0 && !f.read(bytes.data(), size)) fail("cannot read ONNX model '{}'", path);
  return load_onnx_bytes(bytes, path);
}

}  // namespace tachyon::frontends
