// Format detection for tree-ensemble files.
#include <filesystem>
#include <fstream>

#include "frontends/trees/tree_common.h"
#include "tachyon/support/strings.h"

namespace tachyon::frontends {

namespace fs = std::filesystem;
using namespace trees_detail;

namespace {

std::string read_head(const std::string& path, size_t n = 4096) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::string s(n, '\0');
  in.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

std::string lower_ext(const std::string& path) {
  return to_lower(fs::path(path).extension().string());
}

}  // namespace

bool is_tree_model(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  if (lower_ext(path) == ".onnx") return onnx_ml_is_tree_model(path);
  std::string head = read_head(path);
  return looks_like_xgboost_json(head) || looks_like_tachyon_json(head) || looks_like_tmva_xml(head) ||
         looks_like_lightgbm_text(head);
}

ir::Graph load_trees(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail("{}: no such file", path);
  if (fs::is_directory(path, ec)) fail("{}: is a folder, expected a model file", path);
  std::string ext = lower_ext(path);
  if (ext == ".onnx") return load_onnx_ml_trees(path);
  std::string head = read_head(path);
  if (looks_like_tachyon_json(head)) return load_tachyon_tree_json(path);
  if (looks_like_xgboost_json(head)) return load_xgboost_json(path);
  if (looks_like_tmva_xml(head)) return load_tmva_xml(path);
  if (looks_like_lightgbm_text(head)) return load_lightgbm_text(path);
  if (ext == ".json")
    fail("{}: not a tree model this version reads (expected an XGBoost JSON model with a \"learner\" "
         "object or a Tachyon tree JSON with \"format\": \"tachyon-trees\")",
         path);
  if (ext == ".xml") fail("{}: not a TMVA BDT weight file (no <MethodSetup Method=\"BDT::...\">)", path);
  if (ext == ".txt") fail("{}: not a LightGBM text model (expected a first line \"tree\" and \"version=\")", path);
  fail("{}: unrecognized tree model format (supported: XGBoost JSON, Tachyon tree JSON, ONNX-ML, TMVA XML, "
       "LightGBM text)",
       path);
}

}  // namespace tachyon::frontends
