#include "tachyon/support/output_dir.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tachyon/support/error.h"

namespace fs = std::filesystem;

namespace tachyon {

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
}

void StagedDir::commit() {
  std::error_code ec;
  fs::path old;
  if (fs::exists(destination_, ec)) {
    if (!force_) fail("output folder '{}' appeared while writing; use --force to replace it", destination_.string());
    old = staging_;
    old += ".old";
    fs::rename(destination_, old, ec);
    if (ec) fail("cannot move away the old '{}': {}", destination_.string(), ec.message());
  }
  fs::rename(staging_, destination_, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, destination_, ec);
    fail("cannot move the new folder into '{}'", destination_.string());
  }
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
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
