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

TEST(KerasHdf5Errors, DamagedSuperblockNamesHdf5Reason) {
  std::string bytes = slurp(kModel);
  bytes[8] = 9;  // the superblock version (0 in this file; HDF5 knows 0..3)
  const fs::path p = write_temp("bad_superblock.h5", bytes);
  const std::string m = load_error(p);
  EXPECT_NE(m.find(p.string() + ": the HDF5 file cannot be opened (truncated or damaged) (HDF5: "), std::string::npos) << m;
  EXPECT_NE(m.find("bad superblock version number"), std::string::npos) << m;
  fs::remove_all(p.parent_path());
}

TEST(KerasHdf5Errors, ExternalDataIsRefused) {
  // tests/data/malformed/keras_files/external_data_weights.h5 keeps the kernel of Dense 'd' in
  // /etc/hostname: a model file must not read other files of the machine into its weights.
  const std::string dir = std::string(TACHYON_TEST_DATA) + "/malformed/keras_files/";
  std::string m;
  try {
    frontends::load_keras(dir + "external_data.json", dir + "external_data_weights.h5");
  } catch (const Error& e) {
    m = e.what();
  }
  EXPECT_NE(m.find(dir + "external_data_weights.h5: dataset 'd/d/kernel:0': its data is stored outside the file "
                         "(external or virtual dataset), which is not read"),
            std::string::npos)
      << m;
}
