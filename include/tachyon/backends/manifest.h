// Project folders' manifests (tachyon_project.json) and backend names, shared by every
// backend, the CLI and the Python module.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tachyon::backends {

// The parsed DIR/tachyon_project.json. Throws when DIR is not a project folder, the manifest
// is malformed, or (when `backend` is given) it was written by another backend, or a key of
// `required` is missing.
nlohmann::json read_manifest(const std::string& dir, const std::string& backend = {},
                             const std::vector<std::string>& required = {});
// The canonical name of a backend name or alias ("vitis" -> "hls"); throws for unknown names.
std::string canonical_backend_name(const std::string& name);

}  // namespace tachyon::backends
