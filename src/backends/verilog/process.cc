// Log tails and cache fingerprints for the Verilog backend.
#include <filesystem>
#include <fstream>

#include "tachyon/backends/verilog/project.h"
#include "tachyon/support/error.h"
#include "tachyon/support/output_dir.h"

namespace tachyon::backends::verilog {

std::string tail_of(const std::string& file, int lines) {
  std::ifstream f(file);
  std::vector<std::string> all;
  std::string line;
  while (std::getline(f, line)) all.push_back(line);
  std::string out;
  size_t start = all.size() > static_cast<size_t>(lines) ? all.size() - static_cast<size_t>(lines) : 0;
  for (size_t i = start; i < all.size(); ++i) out += all[i] + "\n";
  return out;
}

std::string fingerprint(const std::vector<std::string>& parts) {
  uint64_t h = 1469598103934665603ull;
  for (const std::string& p : parts) {
    for (unsigned char c : p) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace tachyon::backends::verilog
