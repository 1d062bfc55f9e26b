// Runs every golden ap_fixed vector file through the runtime core (same logic as
// `tachyon fixed-check`) and requires zero failures. check_golden_line also runs every
// cast (target width <= 64) and compound assignment that fits through the fast path
// (cast_raw, CastPlan, from_double_raw) and requires it to agree with Fixed (bits and
// overflow flag); the test checks that this happened on enough cases.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tachyon/fixed/golden_check.h"
#include "tachyon/fixed/golden_reader.h"

namespace tachyon {
namespace {

// Sanitizer builds (Debug + ASan/UBSan, where JSON parsing is ~30x slower) check every
// 3rd record to keep the binary under a minute; every other build checks all 204,079.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kStride = 3;
#else
constexpr long kStride = 1;
#endif

const char* const kFiles[] = {"cast_double", "cast_fixed", "arith", "assign", "cmp", "to_double", "to_int", "shift"};

std::string golden_path(const std::string& name) {
  return std::string(TACHYON_TEST_DATA) + "/golden/ap_fixed/" + name + ".jsonl.gz";
}

class GoldenFile : public ::testing::TestWithParam<const char*> {};

TEST_P(GoldenFile, AllVectorsPass) {
  std::string path = golden_path(GetParam());
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  long passed = 0, failed = 0, fast = 0;
  for_each_line(path, [&](const std::string& line, long line_no) {
    if ((line_no - 1) % kStride != 0) return true;
    GoldenCaseResult r = check_golden_line(line);
    if (r.fast_checked) ++fast;
    if (r.passed) {
      ++passed;
    } else {
      if (++failed <= 10)
        ADD_FAILURE() << path << ":" << line_no << " " << r.id << " (" << r.op << ")\n  inputs:   " << r.inputs
                      << "\n  expected: " << r.expected << "\n  got:      " << r.got;
    }
    return true;
  });
  EXPECT_EQ(failed, 0) << passed << " passed";
  EXPECT_GT(passed, 1000 / kStride);
  std::printf("[   INFO   ] %s: %ld passed, %ld failed, %ld also through the fast path%s\n", GetParam(), passed,
              failed, fast, kStride > 1 ? " (sanitizer build: every 3rd record)" : "");
  std::string name = GetParam();
  if (name == "cast_double" || name == "cast_fixed") {
    EXPECT_GT(fast, 40000 / kStride);
  }
  if (name == "assign") {
    EXPECT_GT(fast, 10000 / kStride);
  }
}

INSTANTIATE_TEST_SUITE_P(ApFixed, GoldenFile, ::testing::ValuesIn(kFiles));

TEST(GoldenFiles, EveryCaseOfTheManifestIsRead) {
  // The files hold exactly the cases MANIFEST.json lists (so no file is silently skipped
  // or truncated).
  std::ifstream in(std::string(TACHYON_TEST_DATA) + "/golden/ap_fixed/MANIFEST.json");
  ASSERT_TRUE(in);
  nlohmann::json manifest = nlohmann::json::parse(in);
  long total = 0;
  for (const char* f : kFiles) {
    long n = 0;
    for_each_line(golden_path(f), [&](const std::string&, long) {
      ++n;
      return true;
    });
    EXPECT_EQ(n, manifest["files"][std::string(f) + ".jsonl.gz"]["cases"].get<long>()) << f;
    total += n;
  }
  EXPECT_EQ(total, manifest["total_cases"].get<long>());
  EXPECT_EQ(manifest["files"].size(), std::size(kFiles));
}

}  // namespace
}  // namespace tachyon
