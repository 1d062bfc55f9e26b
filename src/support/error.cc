#include "tachyon/support/error.h"

namespace tachyon {

std::string Diagnostic::str() const {
  std::string s;
  if (!file.empty()) s += file + ": ";
  if (!node.empty()) s += fmt::format("node '{}' ", node);
  if (!op.empty()) s += fmt::format("({})", op);
  if (!node.empty() || !op.empty()) s += ": ";
  s += "error: " + message;
  return s;
}

static std::string join(const std::vector<Diagnostic>& ds) {
  std::string s;
  for (size_t i = 0; i < ds.size(); ++i) {
    if (i) s += '\n';
    s += ds[i].str();
  }
  if (ds.size() > 1) s += fmt::format("\n{} errors", ds.size());
  return s;
}

Error::Error(std::vector<Diagnostic> ds) : std::runtime_error(join(ds)), diagnostics_(std::move(ds)) {}

}  // namespace tachyon
