// Running external programs (make, the C simulation, vitis_hls) with captured output.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "backends/hls/hls_internal.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::hls {

std::string find_on_path(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0 ? program : "";
  const char* path = std::getenv("PATH");
  if (!path) return "";
  std::string p = path;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    // An empty PATH entry means the current folder.
    const std::string dir = end > start ? p.substr(start, end - start) : std::string(1, '.');
    std::string cand = dir + "/" + program;
    struct stat st {};
    if (stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(cand.c_str(), X_OK) == 0) return cand;
    start = end + 1;
  }
  return "";
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd) {
  if (argv.empty()) fail("internal error: empty command");
  std::string exe = find_on_path(argv[0]);
  if (exe.empty()) fail("'{}' not found on PATH", argv[0]);
  int fds[2];
  if (pipe(fds) != 0) fail("cannot create a pipe: {}", std::strerror(errno));
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    fail("cannot start '{}': {}", argv[0], std::strerror(errno));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls.
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    execv(exe.c_str(), args.data());
    _exit(127);
  }
  close(fds[1]);
  ProcessResult r;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n > 0) {
      r.output.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    r.exit_code = WEXITSTATUS(status);
  else
    r.exit_code = 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  if (r.exit_code == 126 && !cwd.empty() && !std::filesystem::is_directory(cwd))
    fail("cannot run '{}' in '{}': no such folder", argv[0], cwd);
  return r;
}

}  // namespace tachyon::backends::hls
