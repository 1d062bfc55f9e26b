#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <memory>

#include "tachyon/backends/backend.h"
#include "tachyon/backends/manifest.h"
#include "tachyon/support/error.h"
#include "tachyon/support/output_dir.h"
#include "tachyon/support/strings.h"

namespace tachyon::backends {

// Defined by each backend (src/backends/<name>/).
std::unique_ptr<Backend> make_hls_backend();
std::unique_ptr<Backend> make_verilog_backend();

namespace {
struct Entry {
  std::vector<std::string> names;
  std::unique_ptr<Backend> backend;
};
const std::vector<Entry>& entries() {
  static const std::vector<Entry> list = [] {
    std::vector<Entry> l;
    l.push_back({{"hls", "vitis", "vivado", "vitishls", "vivadohls"}, make_hls_backend()});
    l.push_back({{"verilog", "rtl"}, make_verilog_backend()});
    return l;
  }();
  return list;
}

const Entry& entry_for(const std::string& name) {
  const std::string lower = to_lower(name);
  for (const Entry& e : entries())
    for (const std::string& n : e.names)
      if (n == lower) return e;
  fail("unknown backend '{}': choose one of {}", name, fmt::join(backend_names(), ", "));
}
}  // namespace

const Backend& get_backend(const std::string& name) { return *entry_for(name).backend; }

std::string canonical_backend_name(const std::string& name) { return entry_for(name).names.front(); }

std::vector<std::string> backend_names() {
  std::vector<std::string> r;
  for (const Entry& e : entries()) r.push_back(e.names.front());
  return r;
}

nlohmann::json read_manifest(const std::string& dir, const std::string& backend, const std::vector<std::string>& required) {
  std::filesystem::path manifest = std::filesystem::path(dir) / "tachyon_project.json";
  if (!std::filesystem::exists(manifest))
    fail("'{}' is not a Tachyon project folder (no tachyon_project.json); create one with `tachyon convert`", dir);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(manifest));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: malformed project manifest: {}", manifest.string(), e.what());
  }
  if (!j.is_object() || !j.contains("backend") || !j["backend"].is_string())
    fail("{}: no \"backend\" entry", manifest.string());
  if (!backend.empty() && j["backend"].get<std::string>() != backend)
    fail("{}: not a '{}' project (backend '{}')", manifest.string(), backend, j["backend"].get<std::string>());
  for (const std::string& key : required)
    if (!j.contains(key)) fail("{}: missing \"{}\"", manifest.string(), key);
  return j;
}

const Backend& backend_for_project(const std::string& dir) {
  return get_backend(read_manifest(dir)["backend"].get<std::string>());
}

}  // namespace tachyon::backends
