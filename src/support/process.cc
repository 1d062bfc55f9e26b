#include "tachyon/support/process.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "tachyon/support/error.h"

namespace tachyon {

std::string find_on_path(const std::string& program) {
  if (program.empty()) return "";
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

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd, const std::string& log_file) {
  if (argv.empty()) fail("internal error: empty command");
  const std::string exe = find_on_path(argv[0]);
  if (exe.empty()) fail("'{}' not found on PATH", argv[0]);
  // The child's stdout/stderr: the log file, or the write end of a pipe we read.
  int fds[2] = {-1, -1};
  if (log_file.empty()) {
    if (pipe(fds) != 0) fail("cannot create a pipe: {}", std::strerror(errno));
  } else {
    fds[1] = open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fds[1] < 0) fail("cannot write the log file {}: {}", log_file, std::strerror(errno));
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    const int err = errno;
    if (fds[0] >= 0) close(fds[0]);
    close(fds[1]);
    fail("cannot start '{}': {}", argv[0], std::strerror(err));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls.
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    if (fds[0] >= 0) close(fds[0]);
    close(fds[1]);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    execv(exe.c_str(), args.data());
    _exit(127);
  }
  close(fds[1]);
  ProcessResult r;
  if (fds[0] >= 0) {
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
  }
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

}  // namespace tachyon
