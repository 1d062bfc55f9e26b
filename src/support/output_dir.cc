#include "tachyon/support/output_dir.h"

#include <fmt/format.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tachyon/support/error.h"

namespace fs = std::filesystem;

namespace tachyon {

namespace {

// The test hook of the kill tests (tests/crash_safety): TACHYON_TEST_WRITE_DELAY_MS=N
// sleeps N ms after every file a StagedDir writes and before its commit, so that a test
// can kill the process at known points of the write.
void test_write_delay() {
  static const int ms = [] {
    const char* v = std::getenv("TACHYON_TEST_WRITE_DELAY_MS");
    return v ? std::atoi(v) : 0;
  }();
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

bool process_alive(long pid) {
  if (pid <= 0) return false;
  if (pid == static_cast<long>(getpid())) return true;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

void remove_stale_temporaries(const fs::path& parent, const std::string& prefix) {
  std::error_code ec;
  fs::directory_iterator it(parent.empty() ? fs::path(".") : parent, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    // "<prefix><pid>..." left by a process that was killed before it cleaned up.
    char* rest = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &rest, 10);
    if (rest == name.c_str() + prefix.size() || process_alive(pid)) continue;
    std::error_code rm;
    fs::remove_all(it->path(), rm);
  }
}

StagedDir::StagedDir(const fs::path& destination, bool force) : destination_(destination), force_(force) {
  if (destination_.empty()) fail("no output folder given");
  std::error_code ec;
  if (fs::exists(destination_, ec) && !force_)
    fail("output folder '{}' already exists; use --force to replace it", destination_.string());
  if (fs::exists(destination_, ec) && !fs::is_directory(destination_, ec))
    fail("output path '{}' exists and is not a folder", destination_.string());
  fs::path parent = fs::absolute(destination_).parent_path();
  fs::create_directories(parent, ec);
  if (ec) fail("cannot create folder '{}': {}", parent.string(), ec.message());
  remove_stale_temporaries(parent, fmt::format(".{}.tachyon-tmp-", destination_.filename().string()));
  for (int i = 0;; ++i) {
    fs::path cand = parent / fmt::format(".{}.tachyon-tmp-{}-{}", destination_.filename().string(), getpid(), i);
    if (fs::create_directory(cand, ec)) {
      staging_ = cand;
      break;
    }
    if (ec || i > 1000) fail("cannot create a temporary folder next to '{}': {}", destination_.string(), ec.message());
  }
}

StagedDir::~StagedDir() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

void StagedDir::write_file(const std::string& relative, const std::string& content) const {
  fs::path p = staging_ / relative;
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  if (ec) fail("cannot create folder '{}': {}", p.parent_path().string(), ec.message());
  std::ofstream f(p, std::ios::binary);
  f << content;
  f.close();
  if (!f) fail("cannot write '{}'", (destination_ / relative).string());
  test_write_delay();
}

void StagedDir::commit() {
  test_write_delay();
  std::error_code ec;
  if (fs::exists(destination_, ec)) {
    if (!force_) fail("output folder '{}' appeared while writing; use --force to replace it", destination_.string());
    if (!fs::is_directory(destination_, ec))
      fail("output path '{}' exists and is not a folder", destination_.string());
    // One atomic step: the new folder takes the destination's name, the old one the staging
    // name (removed below). A kill at any moment leaves the old or the new folder in place.
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, destination_.c_str(), RENAME_EXCHANGE) == 0) {
      committed_ = true;
      test_write_delay();
      fs::remove_all(staging_, ec);
      return;
    }
    if (errno != EINVAL && errno != ENOSYS)
      fail("cannot replace '{}': {}", destination_.string(), std::generic_category().message(errno));
    // A file system without RENAME_EXCHANGE: move the old folder away first (a kill between
    // the two renames leaves no folder, and the old one under a hidden name that the next
    // run removes).
    fs::path old = staging_;
    old += ".old";
    fs::rename(destination_, old, ec);
    if (ec) fail("cannot move away the old '{}': {}", destination_.string(), ec.message());
    fs::rename(staging_, destination_, ec);
    if (ec) {
      fs::rename(old, destination_, ec);
      fail("cannot move the new folder into '{}'", destination_.string());
    }
    committed_ = true;
    fs::remove_all(old, ec);
    return;
  }
  fs::rename(staging_, destination_, ec);
  if (ec) fail("cannot move the new folder into '{}': {}", destination_.string(), ec.message());
  committed_ = true;
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) fail("{}: cannot open file", p.string());
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_file_atomic(const fs::path& p, const std::string& content, bool force) {
  std::error_code ec;
  if (fs::exists(p, ec) && !force) fail("'{}' already exists; use --force to overwrite it", p.string());
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  remove_stale_temporaries(p.parent_path(), p.filename().string() + ".tmp-");
  fs::path tmp = p;
  tmp += fmt::format(".tmp-{}", getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    f << content;
    f.close();
    if (!f) {
      fs::remove(tmp, ec);
      fail("cannot write '{}'", p.string());
    }
  }
  fs::rename(tmp, p, ec);
  if (ec) {
    fs::remove(tmp, ec);
    fail("cannot write '{}': {}", p.string(), ec.message());
  }
}

}  // namespace tachyon
