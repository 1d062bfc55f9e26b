// Internal model of the Keras frontend: the layers of a Keras 2 / Keras 3 model (from its
// JSON configuration) with their weights, before IR emission.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tachyon/ir/graph.h"
#include "tachyon/support/error.h"

namespace tachyon::frontends::keras_import {

using json = nlohmann::json;

// A reference to output `tensor` of call `node` of layer `layer` (Keras' inbound_nodes).
struct Ref {
  std::string layer;
  int node = 0;
  int tensor = 0;
};

struct Layer {
  std::string name;  // the Keras layer name
  std::string cls;   // class_name
  json cfg;          // its config object
  std::vector<Ref> inputs;
  // Weights in the layer's order, named by their short name ("kernel", "bias", "gamma", ...).
  std::vector<std::pair<std::string, ir::Tensor>> weights;
};

struct Model {
  std::string file;          // the model file (diagnostics)
  std::string weights_file;  // where the weights come from (diagnostics)
  int keras_major = 2;
  std::string name;
  std::vector<Layer> layers;  // in the file's order
  std::vector<Ref> inputs, outputs;
  // For the fuzz target of the model JSON (tests/fuzz): a weight the layer needs but the
  // model lacks is made up (the shape the layer expects, small deterministic values) instead
  // of being an error, so that everything after the weights is reached too.
  bool make_up_missing_weights = false;
};

// Reads a model: Keras 2 full-model .h5, Keras 3 .keras archive, or model JSON + weights
// (`weights` empty: NAME_weights.h5 beside NAME.json).
Model read_model(const std::string& path, const std::string& weights);
// The same for a file held in memory, recognised by its content (`display` names it): a .keras
// archive, a full-model .h5, or a model JSON (then without weights).
Model read_model_image(std::string bytes, const std::string& display);

// The weight short names a layer of class `cls` has, in Keras' order (empty when none).
std::vector<std::string> expected_weights(const std::string& cls, const json& cfg);

// Builds the frontend-level IR.
ir::Graph build_graph(const Model& m);

}  // namespace tachyon::frontends::keras_import
