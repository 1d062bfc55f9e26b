// Range analysis and calibration search on small models checked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "tachyon/calibrate/calibrate.h"
#include "tachyon/driver/driver.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/support/error.h"
#include "unit/frontends/onnx_test_builder.h"

namespace tachyon::test {
namespace {

using calibrate::int_bits_needed;

TEST(IntBits, HandChecked) {
  // ap_fixed<W,3> holds [-4, 4): -4 fits, 3.9 fits, 4 does not.
  EXPECT_EQ(int_bits_needed(-4, 3.9, true), 3);
  EXPECT_EQ(int_bits_needed(-4.01, 0, true), 4);
  EXPECT_EQ(int_bits_needed(0, 4, true), 4);
  // ap_ufixed<W,3> holds [0, 8).
  EXPECT_EQ(int_bits_needed(0, 4, false), 3);
  EXPECT_EQ(int_bits_needed(0, 7.99, false), 3);
  EXPECT_EQ(int_bits_needed(0, 8, false), 4);
  // |v| < 0.25 signed: ap_fixed<W,-1> holds [-0.25, 0.25).
  EXPECT_EQ(int_bits_needed(-0.2, 0.2, true), -1);
  EXPECT_EQ(int_bits_needed(-0.25, 0.2, true), -1);
  EXPECT_EQ(int_bits_needed(0, 0, true), 1);
  EXPECT_EQ(int_bits_needed(0, 0, false), 0);
  // A mass up to 270 needs 10 signed integer bits (ap_fixed<16,6> holds [-32, 32)).
  EXPECT_EQ(int_bits_needed(0, 270, true), 10);
}

TEST(FracBits, EightSignificantBits) {
  EXPECT_EQ(calibrate::frac_bits_needed(1.0), 7);   // 1.0000000b
  EXPECT_EQ(calibrate::frac_bits_needed(0.3), 9);   // 2^-2 <= 0.3 < 2^-1
  EXPECT_EQ(calibrate::frac_bits_needed(200), 0);
  EXPECT_EQ(calibrate::frac_bits_needed(0), 0);
}

std::string temp_model(const std::string& name, const ModelBuilder& b) {
  // One folder per process (ctest runs the tests of this file in parallel processes), removed
  // when the process ends.
  struct Folder {
    std::filesystem::path path;
    ~Folder() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Folder dir{std::filesystem::temp_directory_path() / ("tachyon_calibrate_test_" + std::to_string(::getpid()))};
  std::filesystem::create_directories(dir.path);
  std::string path = (dir.path / name).string();
  std::ofstream(path, std::ios::binary) << b.bytes();
  return path;
}

// y = x W + b with W (2 x 1) = [0.5, -2]^T, b = 1.
std::string dense_2to1() {
  ModelBuilder b;
  b.input("x", {-1, 2});
  b.init("W", Tensor({2, 1}, {0.5, -2}));
  b.init("B", Tensor({1}, {1}));
  b.node("Gemm", {"x", "W", "B"}, {"y"}, "fc");
  b.output("y");
  return temp_model("dense_2to1.onnx", b);
}

const calibrate::ProfileEntry& entry(const calibrate::Profile& p, const std::string& what) {
  for (const auto& e : p.entries)
    if ((e.op == "Dense" || e.op == "Input") && e.what == what) return e;
  throw std::runtime_error("no entry " + what);
}

TEST(Profile, DenseRangesByHand) {
  // Two samples: x = (3, 1) and (-1, 2).
  //   sample 1: bias 1; products 3*0.5 = 1.5, 1*(-2) = -2; running sums 2.5, 0.5; result 0.5
  //   sample 2: bias 1; products -0.5, -4;                running sums 0.5, -3.5; result -3.5
  NdArray x;
  x.shape = {2, 2};
  x.data = {3, 1, -1, 2};
  // accum ap_fixed<4,2> holds [-2, 1.75]: of the four products only -4 is out of range.
  nlohmann::json cfg = nlohmann::json::parse(R"({"LayerName": {"fc": {"Precision": {"accum": "ap_fixed<4,2>"}}}})");
  calibrate::Profile p = calibrate::profile(dense_2to1(), cfg, {x});
  EXPECT_EQ(p.samples, 2);
  const auto& in = entry(p, "input");
  EXPECT_EQ(in.range.min, -1);
  EXPECT_EQ(in.range.max, 3);
  EXPECT_EQ(in.int_bits, 3);  // [-4, 4)
  const auto& w = entry(p, "weight");
  EXPECT_EQ(w.range.min, -2);
  EXPECT_EQ(w.range.max, 0.5);
  const auto& prod = entry(p, "product");
  EXPECT_EQ(prod.range.min, -4);
  EXPECT_EQ(prod.range.max, 1.5);
  EXPECT_EQ(prod.range.count, 4);
  EXPECT_EQ(prod.int_bits, 3);
  EXPECT_EQ(prod.type, "ap_fixed<4,2>");
  EXPECT_EQ(prod.conversions, 4);
  EXPECT_EQ(prod.wrapped, 1);
  const auto& acc = entry(p, "accum");
  EXPECT_EQ(acc.range.min, -3.5);
  EXPECT_EQ(acc.range.max, 2.5);
  EXPECT_EQ(acc.int_bits, 3);
  const auto& res = entry(p, "result");
  EXPECT_EQ(res.range.min, -3.5);
  EXPECT_EQ(res.range.max, 0.5);
  // The reports: the table flags the out-of-range accumulator; the HTML is self-contained.
  std::string table = calibrate::profile_table(p);
  EXPECT_NE(table.find("OUT OF RANGE"), std::string::npos);
  std::string html = calibrate::profile_html(p);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no other network resource
  EXPECT_EQ(html.find("https://"), std::string::npos);
  nlohmann::json j = calibrate::profile_json(p);
  EXPECT_EQ(j["entries"].size(), p.entries.size());
}

TEST(Profile, ErrorsNameTheProblem) {
  NdArray x;
  x.shape = {2, 3};
  x.data = {1, 2, 3, 4, 5, 6};
  try {
    calibrate::profile(dense_2to1(), nlohmann::json::object(), {x});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expects [N,2]"), std::string::npos) << e.what();
  }
}

// y = (-x, x): the class is 1 exactly when x > 0 (a tie goes to class 0).
std::string sign_model() {
  ModelBuilder b;
  b.input("x", {-1, 1});
  b.init("W", Tensor({1, 2}, {-1, 1}));
  b.init("B", Tensor({2}, {0, 0}));
  b.node("Gemm", {"x", "W", "B"}, {"y"}, "fc");
  b.output("y");
  return temp_model("sign.onnx", b);
}

double agreement_by_hand(const std::string& model, const nlohmann::json& cfg, const NdArray& x) {
  emulator::Emulator emu(driver::compile(driver::load_model(model), cfg));
  NdArray y = emu.predict({x})[0];
  int same = 0;
  for (int64_t i = 0; i < x.shape[0]; ++i) {
    int cls = y.data[static_cast<size_t>(2 * i + 1)] > y.data[static_cast<size_t>(2 * i)] ? 1 : 0;
    same += cls == (x.data[static_cast<size_t>(i)] > 0 ? 1 : 0);
  }
  return static_cast<double>(same) / static_cast<double>(x.shape[0]);
}

TEST(Calibrate, SignModelReachesTargetAndIsMinimal) {
  NdArray x;
  x.shape = {6, 1};
  x.data = {0.05, -0.3, 0.7, 0.1, -0.02, 0.4};
  // Without calibration, ap_fixed<16,6> has 10 fractional bits: every sign survives.
  std::string model = sign_model();
  calibrate::CalibrateOptions o;
  o.min_agreement = 1.0;
  o.granularity = "name";
  calibrate::Calibration c = calibrate::calibrate(model, nlohmann::json::object(), {x}, o);
  EXPECT_EQ(c.metric_after, 1.0);
  EXPECT_EQ(agreement_by_hand(model, c.config, x), 1.0);
  EXPECT_EQ(c.overflows_after, 0);
  EXPECT_LT(c.cost_after, c.cost_before);
  // Integer bits: the input range [-0.3, 0.7] needs 1 signed bit ([-1, 1)), plus the margin 1.
  bool saw_input = false;
  for (const calibrate::Knob& k : c.knobs) {
    if (k.path == std::vector<std::string>{"LayerName", "x", "Precision", "result"}) {
      saw_input = true;
      EXPECT_EQ(k.int_bits, 2) << k.after;
    }
  }
  EXPECT_TRUE(saw_input);
  // Minimal: no single precision can lose one more fractional bit (checked independently).
  for (const calibrate::Knob& k : c.knobs) {
    if (k.path.back() == "table_size" || k.frac_bits + k.int_bits <= 1 || k.frac_bits <= 0) continue;
    nlohmann::json cfg = c.config;
    FixedType t = FixedType::parse(k.after);
    t.width -= 1;
    nlohmann::json* j = &cfg;
    for (const std::string& p : k.path) j = &(*j)[p];
    *j = t.str();
    EXPECT_LT(agreement_by_hand(model, cfg, x), 1.0) << k.after << " -> " << t.str();
  }
}

TEST(Calibrate, AccuracyTargetAndModelGranularity) {
  NdArray x;
  x.shape = {6, 1};
  x.data = {0.05, -0.3, 0.7, 0.1, -0.02, 0.4};
  calibrate::CalibrateOptions o;
  o.target = calibrate::Target::Accuracy;
  o.labels = {1, 0, 1, 1, 0, 1};  // the reference gets them all right
  o.max_accuracy_drop = 0.0;
  o.granularity = "model";
  calibrate::Calibration c = calibrate::calibrate(sign_model(), nlohmann::json::object(), {x}, o);
  EXPECT_EQ(c.reference_metric, 1.0);
  EXPECT_EQ(c.metric_after, 1.0);
  for (const calibrate::Knob& k : c.knobs) EXPECT_EQ(k.path.front(), "Model");
  EXPECT_EQ(agreement_by_hand(sign_model(), c.config, x), 1.0);
}

}  // namespace
}  // namespace tachyon::test

namespace tachyon::test {
namespace {

// The command line on the raw-feature jet tagger: profile reports, a calibrated config that
// loads and compiles, and errors that name the file.
TEST(CalibrateCli, ProfileAndCalibrate) {
  namespace fs = std::filesystem;
  const std::string bin = TACHYON_BINARY, d = std::string(TACHYON_TEST_DATA) + "/calib/";
  const fs::path out = fs::temp_directory_path() / ("tachyon_calibrate_cli_" + std::to_string(::getpid()));
  fs::remove_all(out);
  fs::create_directories(out);
  const std::string model = d + "jet_raw.onnx", x = d + "jets_raw_a.npy";
  auto run = [](const std::string& cmd) { return std::system((cmd + " > /dev/null 2>&1").c_str()); };
  EXPECT_EQ(run(bin + " profile " + model + " -i " + x + " --html " + (out / "p.html").string() + " --json " +
                (out / "p.json").string()),
            0);
  std::ifstream html(out / "p.html");
  std::string page((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("layer0_Gemm"), std::string::npos);
  EXPECT_TRUE(fs::exists(out / "p.json"));
  // The files exist now: refused without --force.
  EXPECT_NE(run(bin + " profile " + model + " -i " + x + " --json " + (out / "p.json").string()), 0);
  const std::string cfg = (out / "cal.yml").string();
  EXPECT_EQ(run(bin + " config " + model + " --calibrate " + x + " --labels " + d + "labels_a.npy -o " + cfg), 0);
  ir::Graph g = driver::compile_file(model, cfg);  // an ordinary configuration
  EXPECT_EQ(g.value(g.inputs[0].value).type->int_bits, 10);  // raw features up to ~240: 9 bits + margin 1
  // Labels as inputs: wrong shape, non-zero exit.
  EXPECT_NE(run(bin + " config " + model + " --calibrate " + d + "labels_a.npy -o " + (out / "x.yml").string()), 0);
  EXPECT_FALSE(fs::exists(out / "x.yml"));
  fs::remove_all(out);
}

}  // namespace
}  // namespace tachyon::test
