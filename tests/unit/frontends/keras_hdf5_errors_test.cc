// Damaged HDF5 files given to the Keras reader: HDF5's own messages (its error stack) end up
// in the tachyon::Error, after the file and the object, and HDF5 prints nothing itself.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "tachyon/frontends/keras.h"
#include "tachyon/support/error.h"

namespace fs = std::filesystem;
using namespace tachyon;

namespace {

const std::string kModel = std::string(TACHYON_TEST_DATA) + "/keras/hgq_mnist_homogeneous.h5";

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path write_temp(const std::string& name, const std::string& bytes) {
  const fs::path dir = fs::temp_directory_path() / ("tachyon_keras_h5_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

// Loads `path`, which must fail; returns the message and checks that HDF5 printed nothing.
std::string load_error(const fs::path& path) {
  std::string message;
  testing::internal::CaptureStderr();
  try {
    frontends::load_keras(path.string());
  } catch (const Error& e) {
    message = e.what();
  }
  const std::string printed = testing::internal::GetCapturedStderr();
  EXPECT_EQ(printed, "") << "HDF5 printed its error stack for " << path;
  EXPECT_NE(message, "") << path << " was accepted";
  return message;
}

}  // namespace

TEST(KerasHdf5Errors, TruncatedFileNamesFileAndHdf5Reason) {
  const std::string bytes = slurp(kModel);
  ASSERT_GT(bytes.size(), 4096u);
  const fs::path p = write_temp("truncated.h5", bytes.substr(0, bytes.size() / 2));
  const std::string m = load_error(p);
  EXPECT_NE(m.find(p.string() + ": the HDF5 file cannot be opened (truncated or damaged) (HDF5: "), std::string::npos) << m;
  // HDF5's own diagnosis: the end of file it expected and the size it found.
  EXPECT_NE(m.find("truncated file: eof = " + std::to_string(bytes.size() / 2)), std::string::npos) << m;
  fs::remove_all(p.parent_path());
}

TEST(KerasHdf5Errors, CorruptedBytesGiveErrorsNotCrashes) {
  // Every 97th byte past the superblock overwritten, in eight windows over the file: each
  // load either succeeds or fails with a tachyon::Error naming the file; HDF5 stays quiet.
  const std::string bytes = slurp(kModel);
  int failed = 0, with_hdf5_text = 0;
  for (int w = 0; w < 8; ++w) {
    std::string b = bytes;
    const size_t begin = 96 + w * (bytes.size() - 96) / 8, end = begin + (bytes.size() - 96) / 8;
    for (size_t i = begin; i < end && i < b.size(); i += 97) b[i] = static_cast<char>(b[i] ^ 0x5a);
    const fs::path p = write_temp("corrupt" + std::to_string(w) + ".h5", b);
    testing::internal::CaptureStderr();
    try {
      frontends::load_keras(p.string());
    } catch (const Error& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(p.string()), std::string::npos) << m;
      ++failed;
      with_hdf5_text += m.find("(HDF5: ") != std::string::npos;
    }
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  }
  EXPECT_GT(failed, 0);
  EXPECT_GT(with_hdf5_text, 0);
  fs::remove_all(fs::temp_directory_path() / ("tachyon_keras_h5_" + std::to_string(::getpid())));
}
