// QKeras quantizer specifications (a {"class_name", "config"} object or a string such as
// "quantized_bits(6, 0, alpha=1)") normalized to a class name and a config object.
#pragma once

#include <optional>
#include <string>

#include "frontends/keras/model.h"

namespace tachyon::frontends::keras_import {

struct QSpec {
  std::string cls;  // quantized_bits, quantized_relu, quantized_po2, binary, ternary, ...
  json cfg;         // every argument by name (positional ones named)
};

// nullopt for null / absent; throws tachyon::Error (message only) when malformed.
std::optional<QSpec> parse_quantizer(const json& spec);
// True when an activation spec names a QKeras quantizer rather than a plain activation.
bool is_quantizer_spec(const json& spec);

}  // namespace tachyon::frontends::keras_import
