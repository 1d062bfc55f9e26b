// Replays the malformed inputs of the non-ONNX readers (tests/data/malformed/<target>/, among
// them every input a fuzzer found a problem with) through the same entry points as the fuzz
// targets (tests/fuzz/fuzz_common.h): each must fail with a tachyon::Error whose message
// contains the text its folder's EXPECTED file gives for it
//   <file name><TAB><expected text>
// and every file of the folder must be listed there.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "fuzz/fuzz_common.h"

namespace fs = std::filesystem;
using namespace tachyon;

namespace {

const fs::path kDir = fs::path(TACHYON_TEST_DATA) / "malformed";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, std::string> expected_of(const fs::path& dir) {
  std::map<std::string, std::string> m;
  std::ifstream in(dir / "EXPECTED");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto tab = line.find('\t');
    if (tab == std::string::npos) ADD_FAILURE() << dir << "/EXPECTED: line without a tab: " << line;
    else m[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return m;
}

}  // namespace

TEST(FuzzCorpus, EveryFileFailsWithItsMessage) {
  int checked = 0;
  for (const char* target : {"config_yaml", "config_json", "npy", "xgboost_json", "tachyon_tree_json", "onnx_ml_trees",
                             "tmva_xml", "lightgbm_text", "keras_json", "keras_h5", "keras_zip"}) {
    const fs::path dir = kDir / target;
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    const auto expected = expected_of(dir);
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string name = e.path().filename().string();
      if (name == "EXPECTED" || name == "make_corpus.py") continue;
      auto it = expected.find(name);
      if (it == expected.end()) {
        ADD_FAILURE() << target << "/" << name << " is not listed in EXPECTED";
        continue;
      }
      std::string message;
      try {
        fuzz::run_entry(target, slurp(e.path()));
      } catch (const Error& err) {
        message = err.what();
      }
      EXPECT_NE(message, "") << target << "/" << name << " was accepted";
      EXPECT_NE(message.find(it->second), std::string::npos)
          << target << "/" << name << ": message\n  " << message << "\nlacks\n  " << it->second;
      EXPECT_EQ(message.find("internal error"), std::string::npos) << target << "/" << name << ": " << message;
      ++checked;
    }
    for (const auto& [name, text] : expected)
      EXPECT_TRUE(fs::exists(dir / name)) << target << "/EXPECTED lists " << name << ", which does not exist";
  }
  EXPECT_GE(checked, 8);
}
