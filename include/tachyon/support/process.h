// Running external programs (make, compilers, simulators, synthesis tools) without a shell.
#pragma once

#include <string>
#include <vector>

namespace tachyon {

struct ProcessResult {
  int exit_code = -1;  // the program's exit status; 128 + signal number when it was killed
  std::string output;  // stdout + stderr (empty when they went to a log file)
};

// Full path of `program` (looked up on PATH unless it contains a '/'; an empty PATH entry
// means the current folder, as in POSIX shells), or "" when there is no such executable.
std::string find_on_path(const std::string& program);

// Runs argv in `cwd` (empty: the current folder) with stdin from /dev/null. stdout and stderr
// are captured into ProcessResult::output, or written to `log_file` when one is given.
// Throws tachyon::Error when the program is not found or cannot be started; a program that
// fails just returns its exit code.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd = {},
                          const std::string& log_file = {});

}  // namespace tachyon
