// Entry points of the Keras frontend and format detection.
#include <filesystem>
#include <fstream>

#include "frontends/keras/files.h"
#include "frontends/keras/model.h"
#include "tachyon/frontends/keras.h"
#include "tachyon/support/strings.h"

namespace tachyon::frontends {

using namespace keras_import;

bool is_keras_model(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  const std::string ext = to_lower(std::filesystem::path(path).extension().string());
  if (ext == ".keras" || ext == ".h5" || ext == ".hdf5") return true;  // the loader names what is wrong
  if (looks_like_zip(path)) return ext != ".onnx";
  if (ext != ".json") return false;
  // A Keras configuration starts with an object holding class_name and config; look at the
  // beginning only (tree JSON files are much larger and have other keys).
  std::ifstream f(path, std::ios::binary);
  std::string head(65536, '\0');
  f.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(f.gcount()));
  const bool keras_class = head.find("\"Sequential\"") != std::string::npos ||
                           head.find("\"Functional\"") != std::string::npos || head.find("\"Model\"") != std::string::npos;
  return keras_class && head.find("\"class_name\"") != std::string::npos && head.find("\"learner\"") == std::string::npos &&
         head.find("tachyon-trees") == std::string::npos;
}

ir::Graph load_keras(const std::string& path, const std::string& weights) {
  Model m = read_model(path, weights);
  return build_graph(m);
}

}  // namespace tachyon::frontends
