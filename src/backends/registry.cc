#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <memory>

#include "tachyon/backends/backend.h"
#include "tachyon/support/error.h"
#include "tachyon/support/output_dir.h"

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
}  // namespace

const Backend& get_backend(const std::string& name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const Entry& e : entries())
    for (const std::string& n : e.names)
      if (n == lower) return *e.backend;
  fail("unknown backend '{}': choose one of {}", name, fmt::join(backend_names(), ", "));
}

std::vector<std::string> backend_names() {
  std::vector<std::string> r;
  for (const Entry& e : entries()) r.push_back(e.names.front());
  return r;
}

const Backend& backend_for_project(const std::string& dir) {
  std::filesystem::path manifest = std::filesystem::path(dir) / "tachyon_project.json";
  if (!std::filesystem::exists(manifest))
    fail("'{}' is not a Tachyon project folder (no tachyon_project.json); create one with `tachyon convert`", dir);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(manifest));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: malformed project manifest: {}", manifest.string(), e.what());
  }
  if (!j.contains("backend") || !j["backend"].is_string()) fail("{}: no \"backend\" entry", manifest.string());
  return get_backend(j["backend"].get<std::string>());
}

}  // namespace tachyon::backends
