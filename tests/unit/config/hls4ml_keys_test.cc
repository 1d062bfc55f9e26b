// hls4ml's configuration keys are accepted unchanged (docs/hls4ml_compat.md, "Configuration
// keys"): layer keys through a snake_case conversion, and keys that change nothing in
// Tachyon with a warning.
#include <gtest/gtest.h>

#include "config/internal.h"
#include "tachyon/config/config.h"
#include "tachyon/support/error.h"

using namespace tachyon;

namespace {

nlohmann::json yaml(const std::string& text) { return config::parse(text, "k.yaml", false); }

// The warnings loading and checking `text` issue (joined by newlines).
std::string check_warnings(const std::string& text) {
  const size_t before = config::warnings_issued().size();
  config::check(yaml(text), "k.yaml");
  const std::vector<std::string> all = config::warnings_issued();
  std::string s;
  for (size_t i = before; i < all.size(); ++i) s += all[i] + "\n";
  return s;
}

}  // namespace

TEST(Hls4mlKeys, CamelCaseLayerKeysAreAccepted) {
  const std::string err = check_warnings(R"(LayerType:
  Softmax:
    TableSize: 256
    ExpTableSize: 128
    InvTableSize: 64
    Implementation: latency
    Skip: false
    inv_inp_t: ap_fixed<18,8,AP_RND,AP_SAT>
  Dense:
    reuse_factor: 2
)");
  EXPECT_EQ(err, "");
}

TEST(Hls4mlKeys, KeysWithoutEffectWarn) {
  const std::string err = check_warnings(R"(HLSConfig:
  Model:
    Precision: ap_fixed<16,6>
    ChannelsLastConversion: full
    TransposeOutputs: false
    PipelineStyle: auto
  LayerType:
    Conv2D:
      ParallelizationFactor: 4
  Flows: [vivado:optimize]
)");
  EXPECT_NE(err.find("k.yaml:4: warning: HLSConfig.Model.ChannelsLastConversion"), std::string::npos) << err;
  EXPECT_NE(err.find("HLSConfig.Model.TransposeOutputs"), std::string::npos) << err;
  EXPECT_NE(err.find("HLSConfig.Model.PipelineStyle"), std::string::npos) << err;
  EXPECT_NE(err.find("HLSConfig.LayerType.Conv2D.ParallelizationFactor"), std::string::npos) << err;
  EXPECT_NE(err.find("HLSConfig.Flows"), std::string::npos) << err;
}

TEST(Hls4mlKeys, StillCheckedValuesAndSpellings) {
  // Two spellings of one key, a non-power-of-two softmax table, an unknown key.
  EXPECT_THROW(config::check(yaml("LayerName:\n  sm:\n    TableSize: 256\n    table_size: 128\n"), "k.yaml"), Error);
  EXPECT_THROW(config::check(yaml("LayerType:\n  Softmax:\n    InvTableSize: 100\n"), "k.yaml"), Error);
  EXPECT_THROW(config::check(yaml("LayerType:\n  Softmax:\n    Skip: maybe\n"), "k.yaml"), Error);
  EXPECT_THROW(config::check(yaml("LayerType:\n  Dense:\n    TableSise: 256\n"), "k.yaml"), Error);
}
