// Tree-ensemble frontends: XGBoost JSON, Tachyon tree JSON (written by the Python module's
// save_trees for scikit-learn models), ONNX-ML TreeEnsembleClassifier/Regressor, TMVA XML,
// LightGBM text. Each returns a graph with one TreeEnsemble node: input "x" [n_features],
// output "y" [n_outputs] (raw scores; see docs/trees.md for every format's conventions).
#pragma once

#include <string>

#include "tachyon/ir/graph.h"

namespace tachyon::frontends {

// Detects the format from the content (and extension) and loads it; throws tachyon::Error
// naming the file, tree and node on malformed input.
ir::Graph load_trees(const std::string& path);

// True when the file looks like a tree model this frontend reads (used by driver::load_model).
// For .onnx files: true when the graph's only compute node is an ai.onnx.ml
// TreeEnsembleClassifier / TreeEnsembleRegressor (ZipMap, Identity and Cast nodes on its
// outputs are ignored).
bool is_tree_model(const std::string& path);

// The individual formats (load_trees dispatches to them).
ir::Graph load_xgboost_json(const std::string& path);       // XGBoost save_model(".json")
ir::Graph load_tachyon_tree_json(const std::string& path);  // python/tachyon/trees.py save_trees
ir::Graph load_onnx_ml_trees(const std::string& path);      // ONNX-ML TreeEnsemble{Classifier,Regressor}
ir::Graph load_tmva_xml(const std::string& path);           // TMVA BDT weight file (.weights.xml)
ir::Graph load_lightgbm_text(const std::string& path);      // LightGBM save_model() text

// The same on the file's bytes in memory; `name` is the file name used in error messages.
ir::Graph load_xgboost_json_bytes(const std::string& bytes, const std::string& name);
ir::Graph load_tachyon_tree_json_bytes(const std::string& bytes, const std::string& name);
ir::Graph load_onnx_ml_trees_bytes(const std::string& bytes, const std::string& name);
ir::Graph load_tmva_xml_bytes(const std::string& bytes, const std::string& name);
ir::Graph load_lightgbm_text_bytes(const std::string& bytes, const std::string& name);

}  // namespace tachyon::frontends
