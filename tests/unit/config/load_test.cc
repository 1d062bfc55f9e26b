// Loading and checking configurations: types of values, errors with file, line and key path.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tachyon/config/config.h"
#include "tachyon/support/error.h"

using namespace tachyon;
using nlohmann::json;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / ("tachyon_config_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}

// The message of the error `f` throws ("" when it does not throw).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ConfigLoad, YamlWithHlsConfigAndTopLevelKeys) {
  const std::string path = write_temp("full.yaml", R"(OutputDir: my_prj
ProjectName: myproject
Part: xcvu13p-flga2577-2-e
ClockPeriod: 5
IOType: io_parallel
HLSConfig:
  Model:
    Precision: ap_fixed<16,6>
    ReuseFactor: 4
    Strategy: resource
    TraceOutput: false
  LayerName:
    fc1:
      Precision:
        weight: ap_fixed<8,2>
        result: "auto"
      ReuseFactor: 2
)");
  json c = config::load(path);
  EXPECT_EQ(c["ClockPeriod"], 5);
  EXPECT_TRUE(c["ClockPeriod"].is_number_integer());
  const json& h = config::hls_config(c);
  EXPECT_EQ(h["Model"]["ReuseFactor"], 4);
  EXPECT_EQ(h["Model"]["TraceOutput"], false);
  EXPECT_EQ(h["Model"]["Precision"], "ap_fixed<16,6>");
  EXPECT_EQ(h["LayerName"]["fc1"]["Precision"]["result"], "auto");
  EXPECT_EQ(config::where(path, {"HLSConfig", "LayerName", "fc1", "ReuseFactor"}), path + ":17");
  EXPECT_EQ(config::where(path, {"HLSConfig", "Model"}), path + ":7");
}

TEST(ConfigLoad, JsonWithLines) {
  const std::string path = write_temp("c.json", "{\n  \"Model\": {\n    \"ReuseFactor\": 0\n  }\n}\n");
  std::string msg = error_of([&] { config::load(path); });
  EXPECT_NE(msg.find(path + ":3: error: Model.ReuseFactor: ReuseFactor must be a positive integer, got 0"), std::string::npos)
      << msg;
}

TEST(ConfigLoad, EmptyFileMeansDefaults) {
  EXPECT_EQ(config::load(write_temp("empty.yaml", "")), json::object());
}

TEST(ConfigLoad, SyntaxErrorsNameFileAndLine) {
  std::string y = error_of([&] { config::load(write_temp("bad.yaml", "Model:\n  Precision: [ap_fixed<16,6>\n")); });
  EXPECT_NE(y.find("bad.yaml:"), std::string::npos) << y;
  EXPECT_NE(y.find("invalid YAML"), std::string::npos) << y;
  std::string j = error_of([&] { config::load(write_temp("bad.json", "{\n \"Model\": {\n  \"ReuseFactor\": ,\n }\n}")); });
  EXPECT_NE(j.find("bad.json:3: error: invalid JSON"), std::string::npos) << j;
  std::string d = error_of([&] { config::load(write_temp("dup.yaml", "Model:\n  ReuseFactor: 1\n  ReuseFactor: 2\n")); });
  EXPECT_NE(d.find("dup.yaml:3: error: duplicate key 'Model.ReuseFactor'"), std::string::npos) << d;
  std::string m = error_of([&] { config::load("/nonexistent/x.yaml"); });
  EXPECT_NE(m.find("/nonexistent/x.yaml: error: cannot open"), std::string::npos) << m;
}

TEST(ConfigCheck, UnknownKeysSuggestTheNearest) {
  std::string msg = error_of([] { config::check(json{{"Model", {{"ReuseFacter", 2}}}}, "c.yaml"); });
  EXPECT_NE(msg.find("unknown key 'ReuseFacter' in Model; did you mean 'ReuseFactor'?"), std::string::npos) << msg;
  msg = error_of([] { config::check(json{{"LayerType", {{"Dens", json::object()}}}}, "c.yaml"); });
  EXPECT_NE(msg.find("LayerType 'Dens' is not a known layer type; did you mean 'Dense'?"), std::string::npos) << msg;
  msg = error_of([] { config::check(json{{"Modle", json::object()}}, "c.yaml"); });
  EXPECT_NE(msg.find("did you mean 'Model'?"), std::string::npos) << msg;
  msg = error_of([] { config::check(json{{"Model", {{"Precision", {{"wieght", "ap_fixed<8,2>"}}}}}}); });
  EXPECT_NE(msg.find("config: error: unknown key 'wieght' in Model.Precision; did you mean 'weight'?"), std::string::npos) << msg;
  msg = error_of([] { config::check(json{{"HLSConfig", json::object()}, {"Model", json::object()}}); });
  EXPECT_NE(msg.find("belongs under HLSConfig"), std::string::npos) << msg;
}

TEST(ConfigCheck, ImpossibleValuesNameTheKeyPath) {
  struct Case {
    json cfg;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{{"Model", {{"ReuseFactor", 0}}}}, "Model.ReuseFactor: ReuseFactor must be a positive integer, got 0"},
      {{{"Model", {{"ReuseFactor", "2"}}}}, "Model.ReuseFactor: ReuseFactor must be a positive integer"},
      {{{"Model", {{"Precision", "ap_fixd<16,6>"}}}}, "Model.Precision: invalid fixed-point type 'ap_fixd<16,6>'"},
      {{{"Model", {{"Precision", {{"accum", "ap_fixed<0,6>"}}}}}}, "Model.Precision.accum: invalid fixed-point type"},
      {{{"Model", {{"Strategy", "Fast"}}}}, "Model.Strategy: Strategy must be Latency or Resource"},
      {{{"Model", {{"IOType", "io_stream"}}}}, "IOType io_stream is not supported yet"},
      {{{"IOType", "io_stream"}, {"HLSConfig", json::object()}}, "IOType: IOType io_stream is not supported yet"},
      {{{"LayerType", {{"Softmax", {{"table_size", 1000}}}}}}, "LayerType.Softmax.table_size: table_size 1000 is not a power of two"},
      {{{"LayerName", {{"fc1", {{"table_size", 0}}}}}}, "LayerName.fc1.table_size: table_size must be a positive integer"},
      {{{"LayerName", {{"sm", {{"implementation", "fast"}}}}}}, "implementation must be stable, latency or argmax"},
      {{{"LayerName", {{"sm", {{"exp_table_t", "ap_fixed<18,8>"}, {"Precision", {{"exp_table", "ap_fixed<18,8>"}}}}}}}},
       "given twice"},
  };
  for (const Case& c : cases) {
    std::string msg = error_of([&] { config::check(c.cfg, "cfg.yaml"); });
    EXPECT_NE(msg.find(c.expect), std::string::npos) << "config " << c.cfg.dump() << "\nmessage: " << msg;
    EXPECT_EQ(msg.rfind("cfg.yaml", 0), 0u) << msg;
  }
}

TEST(ConfigCheck, AcceptsEverySpelling) {
  json ok = {{"Model",
              {{"Precision", {{"default", "fixed<16,6,RND,SAT>"}, {"table", "ap_ufixed<8,0>"}, {"param", "auto"}}},
               {"ReuseFactor", 2},
               {"Strategy", "LATENCY"},
               {"IOType", "io_parallel"},
               {"BramFactor", 1000000000},
               {"TraceOutput", true}}},
             {"LayerType",
              {{"Dense", {{"Precision", "ap_int<8>"}, {"accum_t", "ap_fixed<32,16>"}}},
               {"softmax", {{"table_size", 2048}, {"implementation", "Latency"}, {"exp_table_t", "ap_fixed<18,8,AP_RND,AP_SAT>"}}},
               {"Activation", {{"table_t", "ap_fixed<18,8>"}}},
               {"Conv2D", {{"Strategy", "Resource"}}},
               {"Input", {{"Precision", {{"result", "ap_fixed<10,4>"}}}}}}}};
  EXPECT_NO_THROW(config::check(ok));
}

TEST(ConfigCheck, MultipleErrorsAtOnce) {
  std::string msg = error_of([] {
    config::check(json{{"Model", {{"ReuseFactor", -1}, {"Strategy", 3}}}});
  });
  EXPECT_NE(msg.find("ReuseFactor must be"), std::string::npos);
  EXPECT_NE(msg.find("Strategy must be"), std::string::npos);
  EXPECT_NE(msg.find("2 errors"), std::string::npos) << msg;
}

TEST(ConfigNames, Nearest) {
  EXPECT_EQ(config::nearest("fc_1", {"fc1", "fc2", "relu1"}), "fc1");
  EXPECT_EQ(config::nearest("totally_different", {"fc1", "fc2"}), "");
  EXPECT_EQ(config::nearest("dense", {"Dense", "Conv2D"}), "Dense");
}

TEST(ConfigWrite, YamlRoundTrip) {
  json c = {{"Model", {{"Precision", {{"default", "ap_fixed<16,6>"}, {"table", "ap_fixed<18,8,AP_RND,AP_SAT>"}}},
                       {"ReuseFactor", 1}, {"Strategy", "Latency"}, {"TraceOutput", false}}},
            {"LayerName", {{"true", {{"Precision", {{"result", "auto"}}}}}, {"1x", {{"ReuseFactor", 3}}}}}};
  std::string y = config::to_yaml(c);
  EXPECT_EQ(config::parse(y, "roundtrip.yaml", false), c) << y;
  EXPECT_LT(y.find("Model:"), y.find("LayerName:")) << y;  // hls4ml order, not alphabetical
  EXPECT_NE(y.find("default: ap_fixed<16,6>\n"), std::string::npos) << y;  // precisions unquoted
  EXPECT_NE(y.find("\"true\":"), std::string::npos) << y;                 // but not a bool-looking key
  EXPECT_EQ(config::parse(config::to_json_text(c), "roundtrip.json", true), c);
}

TEST(ConfigGranularity, Parse) {
  EXPECT_EQ(config::parse_granularity("Name"), config::Granularity::Name);
  EXPECT_EQ(config::parse_granularity("type"), config::Granularity::Type);
  EXPECT_THROW(config::parse_granularity("layer"), Error);
}
