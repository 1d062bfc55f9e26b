// Output folders are written completely or not at all.
//
// StagedDir writes into a hidden temporary folder next to the destination; commit()
// renames it into place. If the destination exists, construction fails unless `force`,
// in which case commit() replaces it. If commit() is never reached (an error was thrown),
// the destructor removes the temporary folder, so the user's disk holds either the old
// folder untouched or the complete new one.
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

// Reads a whole file; throws tachyon::Error naming it.
std::string read_file(const std::filesystem::path& p);
// Writes a whole file atomically (temporary + rename); refuses to overwrite without force.
void write_file_atomic(const std::filesystem::path& p, const std::string& content, bool force);

}  // namespace tachyon
