// The Verilog project folder: determinism, manifest, errors, Verilator simulation, Yosys
// report.
#include <fstream>

#include "helpers.h"
#include "tachyon/backends/verilog/project.h"
#include "tachyon/support/error.h"

using namespace vtest;

namespace {

FixedType T(const char* s) { return FixedType::parse(s); }

ir::Graph small_mlp(uint32_t seed) {
  std::mt19937 rng(seed);
  FixedType t = T("ap_fixed<10,4>");
  GraphBuilder b("small_mlp");
  ValueId x = b.input("x", {6}, t);
  ValueId w1 = b.constant("w1", random_tensor({6, 5}, t, rng), t);
  ValueId h = b.node(Op::Dense, "fc1", {x, w1}, {5}, t, {{"accum", T("ap_fixed<24,10>")}});
  ValueId r = b.node(Op::Relu, "relu1", {h}, {5}, T("ap_ufixed<8,3>"));
  ValueId w2 = b.constant("w2", random_tensor({5, 3}, t, rng), t);
  ValueId y = b.node(Op::Dense, "fc2", {r, w2}, {3}, t, {{"accum", T("ap_fixed<16,6>")}});
  b.output(y, "y");
  return b.g;
}

std::map<std::string, std::string> read_tree(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files[std::filesystem::relative(e.path(), dir).string()] = read_file(e.path());
  return files;
}

}  // namespace

TEST(VerilogProject, ByteIdenticalReruns) {
  TempDir tmp("determinism");
  ir::Graph g = small_mlp(1);
  backends::BackendOptions o;
  o.project_name = "det";
  o.output_dir = tmp.sub("a");
  backends::verilog::write_project(g, o);
  o.output_dir = tmp.sub("b");
  backends::verilog::write_project(small_mlp(1), o);
  auto a = read_tree(tmp.sub("a")), b = read_tree(tmp.sub("b"));
  ASSERT_EQ(a.size(), 6u);  // design, testbench, harness, synth.ys, synth_plain.ys, manifest
  EXPECT_EQ(a, b);
  // A different model gives a different design.
  o.output_dir = tmp.sub("c");
  backends::verilog::write_project(small_mlp(2), o);
  EXPECT_NE(read_tree(tmp.sub("c")).at("det.v"), a.at("det.v"));
  // Refuses to overwrite without force; replaces with force.
  EXPECT_THROW(backends::verilog::write_project(g, o), Error);
  o.force = true;
  EXPECT_NO_THROW(backends::verilog::write_project(g, o));
}

TEST(VerilogProject, ManifestAndTopModule) {
  TempDir tmp("manifest");
  ir::Graph g = small_mlp(3);
  backends::BackendOptions o;
  o.project_name = "myproject";
  o.output_dir = tmp.sub("p");
  o.clock_period_ns = 2.5;
  backends::verilog::write_project(g, o);
  nlohmann::json m = nlohmann::json::parse(read_file(std::filesystem::path(o.output_dir) / "tachyon_project.json"));
  EXPECT_EQ(m["backend"], "verilog");
  EXPECT_EQ(m["top"], "myproject");
  EXPECT_EQ(m["input_bus_width"], 60);
  EXPECT_EQ(m["output_bus_width"], 30);
  EXPECT_EQ(m["clock_period_ns"], 2.5);
  int lat = m["latency_cycles"];
  EXPECT_GE(lat, 1);
  EXPECT_DOUBLE_EQ(m["latency_ns"].get<double>(), lat * 2.5);
  EXPECT_EQ(m["layers"].size(), 3u);
  EXPECT_EQ(m["layers"][0]["accumulation"]["exact"], 5);
  // Arithmetic figures per layer: adders, adder bits (at least one per adder), depth.
  EXPECT_EQ(m["arithmetic"], "cmvm");
  const auto& l0 = m["layers"][0];
  EXPECT_EQ(l0["cmvm_outputs"], 5);
  EXPECT_GT(l0["adders"].get<int>(), 0);
  EXPECT_GE(l0["adder_bits"].get<int64_t>(), l0["adders"].get<int64_t>());
  EXPECT_GE(l0["adder_depth"].get<int>(), 1);
  EXPECT_LE(l0["adder_depth"].get<int>(), l0["adders"].get<int>());
  // The plain cross-check flow is written beside synth.ys.
  std::string plain = read_file(std::filesystem::path(o.output_dir) / "synth_plain.ys");
  EXPECT_NE(plain.find("synth_xilinx -family xcup -top myproject -flatten -nodsp -abc9"), std::string::npos);
  std::string v = read_file(std::filesystem::path(o.output_dir) / "myproject.v");
  EXPECT_NE(v.find("// LATENCY = " + std::to_string(lat) + " cycles"), std::string::npos);
  EXPECT_NE(v.find("module myproject (\n  input wire clk,\n  input wire [59:0] in_data,\n  output wire [29:0] out_data\n);"),
            std::string::npos);
  EXPECT_NE(v.find("//   x [6] ap_fixed<10,4>: element e at bits [0 + 10*e +: 10]"), std::string::npos);
  // Verilog-2005 only: no SystemVerilog constructs.
  for (const char* sv : {"\n  logic ", "always_ff", "always_comb", "'{"}) EXPECT_EQ(v.find(sv), std::string::npos) << sv;
}

TEST(VerilogProject, ErrorsNameTheProblem) {
  TempDir tmp("errors");
  ir::Graph g = small_mlp(4);
  // Unsupported op (every typed-IR op has a Verilog lowering; Dropout is a frontend-level op
  // the passes remove): all such nodes are reported at once.
  GraphBuilder b("dropouts");
  ValueId x = b.input("x", {3}, T("ap_fixed<8,3>"));
  ValueId y1 = b.node(Op::Dropout, "forest_a", {x}, {3}, T("ap_fixed<8,3>"));
  ValueId y2 = b.node(Op::Dropout, "forest_b", {x}, {3}, T("ap_fixed<8,3>"));
  b.output(y1, "a");
  b.output(y2, "b");
  backends::BackendOptions o;
  o.output_dir = tmp.sub("t");
  try {
    backends::verilog::write_project(b.g, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("forest_a"), std::string::npos) << msg;
    EXPECT_NE(msg.find("forest_b"), std::string::npos) << msg;
    EXPECT_NE(msg.find("frontend-level op"), std::string::npos) << msg;
  }
  EXPECT_FALSE(std::filesystem::exists(tmp.sub("t")));  // nothing written
  // Missing accumulator type.
  ir::Graph g2 = small_mlp(5);
  for (ir::NodeId n : g2.node_ids()) g2.node(n).config.types.clear();
  EXPECT_THROW(backends::verilog::write_project(g2, o), Error);
  // Bad input shape for simulation.
  o.output_dir = tmp.sub("ok");
  backends::verilog::write_project(g, o);
  NdArray bad({4, 7}, std::vector<double>(28, 0.0));
  write_npy(tmp.sub("bad.npy"), bad);
  try {
    backends::verilog::simulate_npy(o.output_dir, tmp.sub("bad.npy"), tmp.sub("out.npy"), backends::verilog::Simulator::Icarus);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[4,7]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(backends::verilog::simulate_npy(tmp.sub("nothing"), tmp.sub("bad.npy"), tmp.sub("o.npy")), Error);
}

TEST(VerilogProject, VerilatorAgreesWithIcarus) {
  if (!backends::verilog::have_program("verilator")) GTEST_SKIP() << "verilator not installed";
  TempDir tmp("verilator");
  ir::Graph g = small_mlp(6);
  std::mt19937 rng(6);
  NdArray x = random_inputs(g, 500, rng);
  expect_rtl_matches_emulator(g, x, tmp, "vl", 2.0, {{"simulator", "verilator"}});
  // Second run reuses the cached build (same stamp).
  std::filesystem::path stamp = tmp.path() / "vl" / "sim" / "verilator" / "stamp";
  ASSERT_TRUE(std::filesystem::exists(stamp));
  auto t0 = std::filesystem::last_write_time(stamp);
  write_npy(tmp.sub("x.npy"), x);
  backends::verilog::simulate_npy(tmp.sub("vl"), tmp.sub("x.npy"), tmp.sub("y.npy"), backends::verilog::Simulator::Verilator);
  EXPECT_EQ(std::filesystem::last_write_time(stamp), t0);
  backends::verilog::simulate_npy(tmp.sub("vl"), tmp.sub("x.npy"), tmp.sub("z.npy"), backends::verilog::Simulator::Icarus);
  EXPECT_EQ(read_npy(tmp.sub("y.npy")), read_npy(tmp.sub("z.npy")));
}

TEST(VerilogProject, YosysReport) {
  if (!backends::verilog::have_program("yosys")) GTEST_SKIP() << "yosys not installed";
  TempDir tmp("yosys");
  ir::Graph g = small_mlp(7);
  backends::BackendOptions o;
  o.project_name = "rep";
  o.output_dir = tmp.sub("p");
  backends::verilog::write_project(g, o);
  std::string text;
  nlohmann::json j = backends::get_backend("verilog").report(o.output_dir, text);
  const auto& r = j["resources"];
  EXPECT_GT(r["LUT"].get<int64_t>(), 10);
  EXPECT_GE(r["FF"].get<int64_t>() + r["SRL"].get<int64_t>(), 60 + 30);  // input and output registers at least
  EXPECT_EQ(r["DSP"].get<int64_t>(), 0);  // -nodsp, shift-and-add
  EXPECT_EQ(j["latency"]["cycles"], nlohmann::json::parse(read_file(tmp.path() / "p" / "tachyon_project.json"))["latency_cycles"]);
  EXPECT_NE(text.find("LUT"), std::string::npos);
  // The report states its flow and lists the layers' adders beside the resources.
  EXPECT_NE(text.find("Yosys flow: synth_xilinx -family xcup -flatten -nodsp (adder trees kept"), std::string::npos) << text;
  EXPECT_NE(text.find("adder bits"), std::string::npos) << text;
  nlohmann::json man = nlohmann::json::parse(read_file(tmp.path() / "p" / "tachyon_project.json"));
  ASSERT_EQ(j["layers"].size(), man["layers"].size());
  EXPECT_EQ(j["layers"][0]["adder_bits"], man["layers"][0]["adder_bits"]);
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "p" / "reports" / "report.json"));
  // Cached: a second call gives the same JSON without running Yosys again.
  std::string text2;
  EXPECT_EQ(backends::get_backend("verilog").build(o.output_dir, text2), j);
}
