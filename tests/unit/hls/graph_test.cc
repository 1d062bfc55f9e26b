// The HLS backend on hand-built typed graphs that cover every op and option the model zoo
// does not (depthwise / dilated / strided convolutions, padded pools, count_include_pad,
// Transpose, Pad with a value, PRelu, HardSigmoid, Elu, BatchNorm, Scale, Sub, Clip with
// one bound, Concat of four inputs, every softmax implementation, several outputs, types
// wider than 64 bits): the generated project's C simulation must reproduce the emulator
// bit for bit on random inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "tachyon/backends/backend.h"
#include "tachyon/backends/hls.h"
#include "tachyon/emulator/emulator.h"
#include "tachyon/support/error.h"
#include "tachyon/support/npy.h"
#include "support/graph_builder.h"
#include "unit/hls/csim_util.h"

namespace fs = std::filesystem;
using namespace tachyon;
using ir::Op;
using namespace tachyon::hls_testing;

namespace {

using ::tachyon::testing::attrs;
using ::tachyon::testing::T;

// The shared builder (tests/support/graph_builder.h) with random constants drawn from a
// generator seeded by the graph's name, and the node's ReuseFactor and strategy.
class GraphBuilder : public ::tachyon::testing::GraphBuilder {
 public:
  explicit GraphBuilder(const std::string& name) : ::tachyon::testing::GraphBuilder(name), rng_(std::hash<std::string>{}(name)) {}

  // A constant of random values in [-range, range).
  ir::ValueId constant(const std::string& name, ir::Shape shape, FixedType t, double range = 1.0) {
    std::uniform_real_distribution<double> u(-range, range);
    std::vector<double> d(static_cast<size_t>(ir::num_elements(shape)));
    for (double& x : d) x = u(rng_);
    return g.add_constant(name, ir::Tensor(shape, d), t);
  }
  ir::ValueId scalar(const std::string& name, double v, FixedType t) {
    return g.add_constant(name, ir::Tensor({1}, {v}), t);
  }
  ir::ValueId node(Op op, const std::string& name, std::vector<ir::ValueId> ins, ir::Shape out, FixedType t,
                   ir::Attrs attrs = {}, std::map<std::string, FixedType> types = {}, int reuse = 1,
                   ir::Strategy strategy = ir::Strategy::Latency) {
    ir::ValueId y = ::tachyon::testing::GraphBuilder::node(op, name, std::move(ins), std::move(out), t, std::move(attrs), std::move(types));
    last().config.reuse_factor = reuse;
    last().config.strategy = strategy;
    return y;
  }

 private:
  std::mt19937_64 rng_;
};

using I = std::vector<int64_t>;

ir::Graph image_graph() {
  GraphBuilder b("image_ops");
  auto x = b.input("x", {6, 6, 3}, T("ap_fixed<12,4,AP_RND,AP_SAT>"), {3, 6, 6}, {1, 2, 0});
  auto dw = b.node(Op::Conv, "dw", {x, b.constant("dw_w", {3, 3, 1, 3}, T("ap_fixed<8,1,AP_RND>")),
                                    b.constant("dw_b", {3}, T("ap_fixed<8,2>"))},
                   {4, 4, 3}, T("ap_fixed<10,3,AP_RND_CONV,AP_SAT_SYM>"),
                   attrs({{"group", int64_t{3}}, {"strides", I{1, 1}}, {"pads", I{1, 1, 1, 1}}, {"dilations", I{2, 2}}}),
                   {{"accum", T("ap_fixed<20,6,AP_TRN_ZERO,AP_SAT>")}}, 2);
  auto mp = b.node(Op::MaxPool, "mp", {dw}, {4, 4, 3}, T("ap_fixed<8,2,AP_RND,AP_SAT>"),
                   attrs({{"kernel_shape", I{2, 2}}, {"strides", I{1, 1}}, {"pads", I{1, 0, 0, 1}}}));
  auto ap = b.node(Op::AvgPool, "ap", {mp}, {2, 2, 3}, T("ap_fixed<10,3,AP_RND>"),
                   attrs({{"kernel_shape", I{3, 3}}, {"strides", I{2, 2}}, {"pads", I{1, 1, 1, 1}},
                          {"count_include_pad", int64_t{1}}}),
                   {{"accum", T("ap_fixed<14,5>")}});
  auto tr = b.node(Op::Transpose, "tr", {ap}, {3, 2, 2}, T("ap_fixed<10,3,AP_RND>"), attrs({{"perm", I{2, 0, 1}}}));
  auto fl = b.node(Op::Reshape, "fl", {tr}, {12}, T("ap_fixed<10,3,AP_RND>"));
  auto pd = b.node(Op::Pad, "pd", {fl}, {15}, T("ap_fixed<10,3,AP_RND>"), attrs({{"pads", I{2, 1}}, {"value", 0.75}}));
  auto fc = b.node(Op::Dense, "fc", {pd, b.constant("fc_w", {15, 4}, T("ap_fixed<8,1>")), b.constant("fc_b", {4}, T("ap_fixed<8,2>"))},
                   {4}, T("ap_fixed<12,4>"), {}, {{"accum", T("ap_fixed<16,5,AP_RND,AP_SAT>")}}, 5,
                   ir::Strategy::Resource);
  auto am = b.node(Op::Softmax, "am", {fc}, {4}, T("ap_ufixed<2,1>"));
  b.last().config.softmax_impl = "argmax";
  b.output(am, "classes");
  auto ap2 = b.node(Op::AvgPool, "ap2", {mp}, {4, 4, 3}, T("ap_fixed<12,4,AP_RND_INF>"),
                    attrs({{"kernel_shape", I{3, 3}}, {"strides", I{1, 1}}, {"pads", I{1, 1, 1, 1}},
                           {"count_include_pad", int64_t{0}}}),
                    {{"accum", T("ap_fixed<16,6,AP_RND_CONV,AP_SAT>")}});
  auto gm = b.node(Op::GlobalMaxPool, "gm", {ap2}, {3}, T("ap_fixed<12,4>"));
  auto cv = b.node(Op::Conv, "cv", {x, b.constant("cv_w", {2, 3, 3, 2}, T("ap_fixed<8,1,AP_RND>"))}, {3, 5, 2},
                   T("ap_fixed<10,4,AP_TRN,AP_WRAP,1>"),
                   attrs({{"strides", I{2, 1}}, {"pads", I{0, 1, 1, 0}}}), {{"accum", T("ap_fixed<18,6>")}});
  auto ga = b.node(Op::GlobalAvgPool, "ga", {cv}, {2}, T("ap_fixed<12,4,AP_RND>"), {},
                   {{"accum", T("ap_fixed<14,6,AP_RND_CONV>")}});
  auto cc = b.node(Op::Concat, "cc", {gm, ga}, {5}, T("ap_fixed<10,3,AP_RND,AP_SAT>"), attrs({{"axis", int64_t{0}}}));
  auto ct = b.node(Op::Cast, "ct", {cc}, {5}, T("ap_fixed<6,2,AP_RND,AP_SAT>"));
  b.output(ct, "features");
  return b.g;
}

ir::Graph vector_graph() {
  GraphBuilder b("vector_ops");
  auto x = b.input("x", {2, 8}, T("ap_fixed<14,4>"));
  auto d1 = b.node(Op::Dense, "d1", {x, b.constant("d1_w", {8, 6}, T("ap_fixed<8,1,AP_RND>")), b.constant("d1_b", {6}, T("ap_fixed<8,2>"))},
                   {2, 6}, T("ap_fixed<12,4>"), {}, {{"accum", T("ap_fixed<18,6,AP_RND,AP_SAT>")}}, 3);
  auto p1 = b.node(Op::PRelu, "p1", {d1, b.constant("p1_s", {6}, T("ap_fixed<8,1,AP_RND>"))}, {2, 6},
                   T("ap_fixed<12,4,AP_RND>"));
  auto h1 = b.node(Op::HardSigmoid, "h1", {p1}, {2, 6}, T("ap_ufixed<8,1,AP_RND,AP_SAT>"),
                   attrs({{"alpha", 0.55}, {"beta", 0.4}}), {{"param", T("ap_fixed<10,2,AP_RND>")}});
  auto e1 = b.node(Op::Elu, "e1", {p1}, {2, 6}, T("ap_fixed<10,3>"), attrs({{"alpha", 0.7}}),
                   {{"param", T("ap_fixed<8,1,AP_RND>")}, {"table", T("ap_fixed<10,1,AP_RND>")}});
  b.last().config.table_size = 64;
  auto s1 = b.node(Op::Sigmoid, "s1", {d1}, {2, 6}, T("ap_ufixed<8,0>"), {}, {{"table", T("ap_ufixed<8,0,AP_RND,AP_SAT>")}});
  b.last().config.table_size = 100;
  auto t1 = b.node(Op::Tanh, "t1", {d1}, {2, 6}, T("ap_fixed<8,1>"), {}, {{"table", T("ap_fixed<8,1,AP_RND>")}});
  b.last().config.table_size = 64;
  auto bn = b.node(Op::BatchNorm, "bn", {d1, b.constant("bn_s", {6}, T("ap_fixed<8,2>"), 2.0), b.constant("bn_b", {6}, T("ap_fixed<8,3>"))},
                   {2, 6}, T("ap_fixed<12,5,AP_RND_ZERO>"));
  auto sc = b.node(Op::Scale, "sc", {bn, b.scalar("sc_s", 1.375, T("ap_ufixed<6,1>"))}, {2, 6}, T("ap_fixed<12,5>"));
  auto sb = b.node(Op::Sub, "sb", {sc, b.constant("sb_c", {6}, T("ap_fixed<8,2>"))}, {2, 6}, T("ap_fixed<11,4,AP_RND,AP_SAT>"));
  auto ad = b.node(Op::Add, "ad", {s1, t1}, {2, 6}, T("ap_fixed<10,2,AP_RND>"));
  auto mu = b.node(Op::Mul, "mu", {h1, b.scalar("mu_c", 1.5, T("ap_fixed<4,2>"))}, {2, 6}, T("ap_fixed<9,2>"));
  auto cl = b.node(Op::Clip, "cl", {sb}, {2, 6}, T("ap_fixed<8,3>"), attrs({{"min", -0.5}}));
  auto lr = b.node(Op::LeakyRelu, "lr", {cl}, {2, 6}, T("ap_fixed<9,3>"), attrs({{"alpha", 0.2}}),
                   {{"param", T("ap_fixed<8,0,AP_RND>")}});
  auto c1 = b.node(Op::Concat, "c1", {ad, mu, e1, lr}, {2, 24}, T("ap_fixed<12,4>"), attrs({{"axis", int64_t{1}}}));
  auto sm = b.node(Op::Softmax, "sm", {c1}, {2, 24}, T("ap_ufixed<12,0,AP_RND,AP_SAT>"), {},
                   {{"inp_norm", T("ap_ufixed<10,4,AP_RND,AP_SAT>")},
                    {"exp_table", T("ap_ufixed<12,1,AP_RND,AP_SAT>")},
                    {"accum", T("ap_ufixed<12,6,AP_RND,AP_SAT>")},
                    {"inv_table", T("ap_ufixed<14,4,AP_RND,AP_SAT>")},
                    {"inv_inp", T("ap_ufixed<10,5,AP_RND,AP_SAT>")}});
  b.last().config.table_size = 256;
  b.last().config.inv_table_size = 64;
  b.output(sm, "probs");
  auto sl = b.node(Op::Softmax, "sl", {sb}, {2, 6}, T("ap_ufixed<12,1,AP_RND>"), {},
                   {{"inp_norm", T("ap_fixed<8,3,AP_RND,AP_SAT>")},
                    {"exp_table", T("ap_ufixed<16,6,AP_RND,AP_SAT>")},
                    {"accum", T("ap_ufixed<16,8>")},
                    {"inv_table", T("ap_ufixed<16,2,AP_RND,AP_SAT>")},
                    {"inv_inp", T("ap_ufixed<16,8>")}});
  b.last().config.table_size = 128;
  b.last().config.inv_table_size = 128;
  b.last().config.softmax_impl = "latency";
  b.output(sl, "latency_probs");
  b.output(d1, "hidden");  // a graph output that other layers also read (copied to its port)
  return b.g;
}

ir::Graph wide_graph() {
  GraphBuilder b("wide_ops");
  auto x = b.input("x", {10, 4}, T("ap_fixed<70,20>"), {4, 10}, {1, 0});
  auto cv = b.node(Op::Conv, "cv", {x, b.constant("cv_w", {3, 2, 4}, T("ap_fixed<40,8>")), b.constant("cv_b", {4}, T("ap_fixed<36,10>"))},
                   {6, 4}, T("ap_fixed<80,30>"), attrs({{"group", int64_t{2}}, {"strides", I{2}}, {"pads", I{1, 2}}}),
                   {{"accum", T("ap_fixed<100,30,AP_RND_CONV,AP_SAT>")}});
  auto r = b.node(Op::Relu, "r", {cv}, {6, 4}, T("ap_fixed<66,20,AP_RND,AP_SAT>"));
  auto mp = b.node(Op::MaxPool, "mp", {r}, {3, 4}, T("ap_fixed<66,20,AP_RND,AP_SAT>"),
                   attrs({{"kernel_shape", I{2}}, {"strides", I{2}}, {"pads", I{0, 0}}}));
  auto fl = b.node(Op::Reshape, "fl", {mp}, {12}, T("ap_fixed<66,20,AP_RND,AP_SAT>"));
  auto dn = b.node(Op::Dense, "dn", {fl, b.constant("dn_w", {12, 3}, T("ap_fixed<50,4,AP_RND>"))}, {3},
                   T("ap_fixed<80,30,AP_RND_ZERO,AP_SAT_SYM>"), {}, {{"accum", T("ap_fixed<90,40>")}});
  b.output(dn, "y");
  return b.g;
}

}  // namespace

TEST(HlsGraphs, ImageOpsBitExact) { check_bit_exact(image_graph(), 9.0); }
TEST(HlsGraphs, VectorOpsBitExact) { check_bit_exact(vector_graph(), 6.0); }
TEST(HlsGraphs, WideTypesBitExact) { check_bit_exact(wide_graph(), 1e5); }

TEST(HlsWriter, DeterministicFiles) {
  backends::BackendOptions opts;
  opts.project_name = "p";
  backends::hls::FileMap a = backends::hls::generate_project(vector_graph(), opts);
  backends::hls::FileMap b = backends::hls::generate_project(vector_graph(), opts);
  EXPECT_EQ(a, b);
  for (const char* f : {"firmware/p.cpp", "firmware/p.h", "firmware/defines.h", "firmware/parameters.h", "p_test.cpp",
                        "Makefile", "build_prj.tcl", "vivado_hls_build.tcl", "README.md", "tachyon_project.json"})
    EXPECT_TRUE(a.count(f)) << f;
}

TEST(HlsWriter, GeneratedCodeHasOneConfigPerLayerAndExactWeights) {
  backends::BackendOptions opts;
  opts.project_name = "p";
  opts.part = "xc7z020clg400-1";
  opts.clock_period_ns = 4.5;
  ir::Graph g = vector_graph();
  backends::hls::FileMap f = backends::hls::generate_project(g, opts);
  const std::string& params = f["firmware/parameters.h"];
  for (ir::NodeId id : g.node_ids())
    EXPECT_NE(params.find("struct config_" + g.node(id).name + " "), std::string::npos) << g.node(id).name;
  EXPECT_NE(params.find("static const unsigned reuse_factor = 3;"), std::string::npos);
  EXPECT_NE(f["firmware/defines.h"].find("typedef ap_fixed<18,6,AP_RND,AP_SAT> d1_accum_t;"), std::string::npos);
  EXPECT_NE(f["build_prj.tcl"].find("set_part {xc7z020clg400-1}"), std::string::npos);
  EXPECT_NE(f["build_prj.tcl"].find("create_clock -period 4.5"), std::string::npos);
  EXPECT_NE(f["firmware/p.cpp"].find("#pragma HLS PIPELINE II = 3"), std::string::npos);
  // Every weight literal converts exactly to its type and equals the emulator's value.
  const std::string& w = f["firmware/weights/d1_w.h"];
  size_t open = w.find("= {"), close = w.find("};");
  ASSERT_NE(open, std::string::npos);
  std::stringstream vals(w.substr(open + 3, close - open - 3));
  const ir::Tensor& t = g.constant(g.node(0).inputs[1]);
  FixedType wt = T("ap_fixed<8,1,AP_RND>");
  std::string tok;
  size_t i = 0;
  while (std::getline(vals, tok, ',')) {
    double d = std::strtod(tok.c_str(), nullptr);
    ASSERT_LT(i, t.data.size());
    EXPECT_EQ(Fixed::from_double(d, wt), Fixed::from_double(t.data[i], wt)) << tok;
    EXPECT_EQ(Fixed::from_double(d, wt).to_double(), d) << tok;  // the literal is the quantized value
    ++i;
  }
  EXPECT_EQ(i, t.data.size());
  nlohmann::json m = nlohmann::json::parse(f["tachyon_project.json"]);
  EXPECT_EQ(m["backend"], "hls");
  EXPECT_EQ(m["outputs"].size(), 3u);
  EXPECT_EQ(m["inputs"][0]["type"], "ap_fixed<14,4>");
}

TEST(HlsWriter, ClearErrors) {
  backends::BackendOptions opts;
  ir::Graph g = vector_graph();
  g.value(g.node(2).outputs[0]).type.reset();
  try {
    backends::hls::generate_project(g, opts);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no fixed-point type"), std::string::npos) << e.what();
  }
  opts.project_name = "2bad name";
  EXPECT_THROW(backends::hls::generate_project(vector_graph(), opts), Error);
  opts.project_name = "ok";
  opts.part = "bad part}";
  EXPECT_THROW(backends::hls::generate_project(vector_graph(), opts), Error);
  // A frontend-level op left in the graph.
  opts.part = "xcvu9p-flga2104-2L-e";
  ir::Graph f = vector_graph();
  f.node(1).op = Op::Gemm;
  try {
    backends::hls::generate_project(f, opts);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("p1"), std::string::npos) << e.what();
  }
}

TEST(HlsWriter, NoOverwriteWithoutForce) {
  fs::path dir = work_dir("existing");
  fs::create_directories(dir);
  std::ofstream(dir / "mine.txt") << "keep";
  backends::BackendOptions opts;
  opts.output_dir = dir.string();
  EXPECT_THROW(backends::get_backend("hls").write(vector_graph(), opts), Error);
  EXPECT_TRUE(fs::exists(dir / "mine.txt"));
  EXPECT_FALSE(fs::exists(dir / "tachyon_project.json"));
  // A failing generation leaves no folder behind.
  fs::path fresh = work_dir("fresh");
  fs::remove_all(fresh);
  ir::Graph bad = vector_graph();
  bad.node(1).op = Op::Gemm;
  opts.output_dir = fresh.string();
  EXPECT_THROW(backends::get_backend("hls").write(bad, opts), Error);
  EXPECT_FALSE(fs::exists(fresh));
  opts.force = true;
  opts.output_dir = dir.string();
  backends::get_backend("hls").write(vector_graph(), opts);
  EXPECT_FALSE(fs::exists(dir / "mine.txt"));
  EXPECT_TRUE(fs::exists(dir / "firmware" / "tachyon" / "dense.h"));
  EXPECT_TRUE(fs::exists(dir / "ap_types" / "ap_fixed.h"));
  fs::remove_all(dir.parent_path());
}

TEST(HlsBackend, BuildAndReportWithoutVendorTool) {
  fs::path dir = work_dir("nobuild");
  backends::BackendOptions opts;
  opts.output_dir = dir.string();
  opts.force = true;
  backends::get_backend("hls").write(vector_graph(), opts);
  std::string text;
  const std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  setenv("PATH", "/usr/bin:/bin", 1);  // no vitis_hls there
  try {
    backends::get_backend("hls").build(dir.string(), text);
    ADD_FAILURE() << "build without vitis_hls should fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("vitis_hls not found on PATH"), std::string::npos) << e.what();
  }
  setenv("PATH", saved.c_str(), 1);
  EXPECT_THROW(backends::get_backend("hls").report(dir.string(), text), Error);
  // With a report in place, `report` reads it.
  fs::path rep = dir / "myproject_prj" / "solution1" / "syn" / "report";
  fs::create_directories(rep);
  std::ofstream(rep / "myproject_csynth.xml")
      << "<profile><UserAssignments><TopModelName>myproject</TopModelName></UserAssignments><PerformanceEstimates>"
         "<SummaryOfOverallLatency><Best-caseLatency>3</Best-caseLatency><Worst-caseLatency>4</Worst-caseLatency>"
         "</SummaryOfOverallLatency></PerformanceEstimates></profile>";
  nlohmann::json j = backends::get_backend("hls").report(dir.string(), text);
  EXPECT_EQ(j["latency_max"], 4);
  EXPECT_NE(text.find("3 .. 4"), std::string::npos) << text;
  fs::remove_all(dir.parent_path());
}

TEST(HlsBackend, SimulateBuildsOnceAndReportsCompileErrors) {
  ir::Graph g = wide_graph();
  fs::path dir = work_dir("cache");
  backends::BackendOptions opts;
  opts.output_dir = dir.string();
  opts.force = true;
  const backends::Backend& hls = backends::get_backend("hls");
  hls.write(g, opts);
  NdArray x = random_inputs(g, 3, 10.0);
  fs::path in = dir.parent_path() / "cache_in.npy";
  write_npy(in.string(), x);
  setenv("TACHYON_HLS_CSIM_OPT", "-O0", 1);
  hls.simulate(dir.string(), in.string(), (dir / "a.npy").string());
  auto slurp = [](const fs::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  };
  EXPECT_NE(slurp(dir / "build" / "csim_build.log").find("g++"), std::string::npos);
  hls.simulate(dir.string(), in.string(), (dir / "b.npy").string());
  EXPECT_EQ(slurp(dir / "build" / "csim_build.log").find("g++"), std::string::npos)
      << "the C simulation was rebuilt although nothing changed";
  EXPECT_EQ(read_npy((dir / "a.npy").string()), read_npy((dir / "b.npy").string()));
  // A wrong input shape names the file and the expected shape.
  NdArray bad({3, 5}, std::vector<double>(15, 0.0));
  write_npy(in.string(), bad);
  try {
    hls.simulate(dir.string(), in.string(), (dir / "c.npy").string());
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[N,4,10]"), std::string::npos) << e.what();
  }
  write_npy(in.string(), x);
  // A broken source: the first compiler errors are shown.
  std::ofstream(dir / "firmware" / "parameters.h", std::ios::app) << "\nthis is not C++;\n";
  try {
    hls.simulate(dir.string(), in.string(), (dir / "c.npy").string());
    ADD_FAILURE() << "a broken project compiled";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not compile"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("parameters.h"), std::string::npos) << e.what();
  }
  fs::remove_all(dir.parent_path());
}

namespace {
// Random trees: thresholds inside and outside the input range (folded branches), some
// exactly on the input grid (equality decides), both comparison rules.
ir::Graph tree_graph(ir::TreeCompare cmp, const char* thr_type) {
  GraphBuilder b(cmp == ir::TreeCompare::Less ? "trees_lt" : "trees_le");
  std::mt19937_64 rng(cmp == ir::TreeCompare::Less ? 11 : 12);
  auto d = std::make_shared<ir::TreeEnsembleData>();
  d->n_features = 5;
  d->n_outputs = 3;
  d->compare = cmp;
  d->base_score = {0.25, -0.5, 0.125};
  std::uniform_real_distribution<double> u(-6, 6), leaf(-1, 1);
  for (int t = 0; t < 12; ++t) {
    ir::Tree tree;
    tree.class_id = t % 3;
    std::function<int32_t(int)> grow = [&](int depth) -> int32_t {
      auto idx = static_cast<int32_t>(tree.nodes.size());
      tree.nodes.emplace_back();
      if (depth >= 4 || (depth > 0 && rng() % 4 == 0)) {
        tree.nodes[static_cast<size_t>(idx)].value = leaf(rng);
        return idx;
      }
      ir::TreeNode n;
      n.feature = static_cast<int32_t>(rng() % 5);
      n.threshold = (rng() % 3 == 0) ? static_cast<double>(static_cast<int>(rng() % 1024) - 512) / 128.0 : u(rng);
      n.left = grow(depth + 1);
      n.right = grow(depth + 1);
      tree.nodes[static_cast<size_t>(idx)] = n;
      return idx;
    };
    grow(0);
    d->trees.push_back(std::move(tree));
  }
  auto x = b.input("x", {5}, T("ap_fixed<10,3,AP_RND,AP_SAT>"));
  auto y = b.node(Op::TreeEnsemble, "bdt", {x}, {3}, T("ap_fixed<14,5,AP_RND,AP_SAT>"), {},
                  {{"threshold", T(thr_type)}, {"score", T("ap_fixed<12,3,AP_RND_CONV>")}});
  b.last().trees = d;
  b.output(y, "scores");
  return b.g;
}
}  // namespace

TEST(HlsGraphs, TreeEnsembleBitExact) {
  check_bit_exact(tree_graph(ir::TreeCompare::LessEqual, "ap_fixed<10,3,AP_RND,AP_SAT>"), 5.0);
  check_bit_exact(tree_graph(ir::TreeCompare::Less, "ap_fixed<8,2>"), 5.0);
}

TEST(HlsWriter, ModelNamesCannotBreakTheGeneratedCode) {
  ir::Graph g = vector_graph();
  g.node(0).source_name = "evil\nname\\";
  g.node(0).source_op = "Gemm";
  g.inputs[0].name = "in put\\";
  backends::BackendOptions opts;
  opts.project_name = "p";
  backends::hls::FileMap f = backends::hls::generate_project(g, opts);
  for (const auto& [path, text] : f) {
    EXPECT_EQ(text.find("evil\nname"), std::string::npos) << path;
    EXPECT_EQ(text.find("\\\n"), std::string::npos) << path;
  }
  EXPECT_NE(f["firmware/p.cpp"].find("(model node 'evil name/', Gemm)"), std::string::npos) << f["firmware/p.cpp"];
  EXPECT_NE(f["firmware/p.h"].find("const input_t in_put[N_IN_PUT]"), std::string::npos) << f["firmware/p.h"];
}
