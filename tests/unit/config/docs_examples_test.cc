// Every YAML and JSON example of the documentation loads: parsed and checked like a file
// given with -c (a fence ```yaml or ```json marks an example; ```jsonc / ```text blocks are
// formats or output, not configurations).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tachyon/config/config.h"
#include "tachyon/support/error.h"

using namespace tachyon;

namespace {

struct Example {
  std::string file;
  int line = 0;
  bool json = false;
  std::string text;
};

std::vector<Example> examples(const std::filesystem::path& md) {
  std::ifstream in(md);
  std::vector<Example> out;
  std::string line;
  int n = 0;
  Example* cur = nullptr;
  while (std::getline(in, line)) {
    ++n;
    if (cur) {
      if (line.rfind("```", 0) == 0) {
        cur = nullptr;
      } else {
        cur->text += line + "\n";
      }
      continue;
    }
    if (line == "```yaml" || line == "```json") {
      out.push_back({md.filename().string(), n, line == "```json", ""});
      cur = &out.back();
    } else if (line.rfind("```", 0) == 0) {
      // Skip any other fenced block to its end.
      while (std::getline(in, line)) {
        ++n;
        if (line.rfind("```", 0) == 0) break;
      }
    }
  }
  return out;
}

}  // namespace

TEST(DocsExamples, EveryYamlAndJsonExampleLoads) {
  const std::filesystem::path root = TACHYON_SOURCE_DIR;
  std::vector<std::filesystem::path> files{root / "README.md"};
  for (const auto& e : std::filesystem::directory_iterator(root / "docs"))
    if (e.path().extension() == ".md") files.push_back(e.path());
  int count = 0;
  for (const auto& f : files) {
    for (const Example& ex : examples(f)) {
      ++count;
      const std::string label = ex.file + ":" + std::to_string(ex.line);
      try {
        nlohmann::json cfg = config::parse(ex.text, label, ex.json);
        config::check(cfg, label);
        EXPECT_TRUE(cfg.is_object()) << label << ": not a mapping";
      } catch (const Error& e) {
        ADD_FAILURE() << label << ": the example does not load:\n" << e.what() << "\n" << ex.text;
      }
    }
  }
  // docs/config.md (1 example) and docs/trees.md (2) at least.
  EXPECT_GE(count, 3);
}

TEST(DocsExamples, FlowMappingPrecisionMustBeQuoted) {
  // The pitfall the docs warn about: unquoted, the comma of ap_fixed<24,10> splits the mapping.
  EXPECT_THROW(config::check(config::parse("LayerType:\n  Dense:\n    Precision: {accum: ap_fixed<24,10>}\n", "x.yaml", false), "x.yaml"),
               Error);
  EXPECT_NO_THROW(config::check(config::parse("LayerType:\n  Dense:\n    Precision: {accum: \"ap_fixed<24,10>\"}\n", "x.yaml", false), "x.yaml"));
}
