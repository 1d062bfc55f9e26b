// Process runner, PATH lookup, cache fingerprints and manifest access for the Verilog backend.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tachyon/backends/verilog/project.h"
#include "tachyon/support/error.h"
#include "tachyon/support/output_dir.h"

namespace tachyon::backends::verilog {

int run_process(const std::vector<std::string>& argv, const std::string& log_file, const std::string& cwd) {
  if (argv.empty()) return -1;
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
      dup2(devnull, 0);
      close(devnull);
    }
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -1;
}

bool have_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    std::filesystem::path p = std::filesystem::path(dir) / program;
    if (access(p.c_str(), X_OK) == 0) return true;
  }
  return false;
}

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

nlohmann::json read_manifest(const std::string& dir) {
  std::filesystem::path p = std::filesystem::path(dir) / "tachyon_project.json";
  if (!std::filesystem::exists(p)) fail("'{}' is not a Tachyon project folder (no tachyon_project.json)", dir);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(p));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: malformed project manifest: {}", p.string(), e.what());
  }
  if (j.value("backend", "") != "verilog") fail("{}: not a Verilog project (backend '{}')", p.string(), j.value("backend", ""));
  for (const char* key : {"top", "design_file", "latency_cycles", "input_bus_width", "output_bus_width", "inputs", "outputs"})
    if (!j.contains(key)) fail("{}: missing \"{}\"", p.string(), key);
  return j;
}

}  // namespace tachyon::backends::verilog
