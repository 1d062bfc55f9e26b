// Output folders are written completely or not at all.
//
// StagedDir writes into a hidden temporary folder next to the destination
// (".<name>.tachyon-tmp-<pid>-<i>"); commit() renames it into place. If the destination
// exists, construction fails unless `force`, in which case commit() swaps the two folders in
// one atomic rename (renameat2 RENAME_EXCHANGE) and then removes the old one. If commit() is
// never reached (an error was thrown), the destructor removes the temporary folder, so the
// user's disk holds either the old folder untouched or the complete new one.
// A process killed outright (SIGKILL, power cut of the process) cannot clean up: its hidden
// temporary folder stays beside the destination, is ignored by everything, and is removed by
// the next StagedDir for the same destination (temporaries whose process no longer runs).
#pragma once

#include <filesystem>
#include <string>

namespace tachyon {

class StagedDir {
 public:
  StagedDir(const std::filesystem::path& destination, bool force);
  ~StagedDir();
  StagedDir(const StagedDir&) = delete;
  StagedDir& operator=(const StagedDir&) = delete;

  // Where to write now.
  const std::filesystem::path& path() const { return staging_; }
  const std::filesystem::path& destination() const { return destination_; }
  // Writes a text file (creating parent folders) below path().
  void write_file(const std::string& relative, const std::string& content) const;
  void commit();

 private:
  std::filesystem::path destination_;
  std::filesystem::path staging_;
  bool force_ = false;
  bool committed_ = false;
};

// Removes the entries of `parent` named "<prefix><pid>..." whose process no longer runs
// (temporaries of a killed run).
void remove_stale_temporaries(const std::filesystem::path& parent, const std::string& prefix);

// Reads a whole file; throws tachyon::Error naming it.
std::string read_file(const std::filesystem::path& p);
// Writes a whole file atomically (temporary "<p>.tmp-<pid>" + rename; stale temporaries of
// killed runs are removed first); refuses to overwrite without force.
void write_file_atomic(const std::filesystem::path& p, const std::string& content, bool force);

}  // namespace tachyon
