// TreeEnsemble in the Verilog backend: random ensembles (binary and multi-class, depths
// 1..5, thresholds beyond the input range so nodes fold, a threshold type narrower than the
// input type, both compare rules, saturating / wrapping / rounding output conversions),
// simulated with Icarus and compared bit for bit with the emulator. Inputs include the
// thresholds themselves and their neighbouring grid points, where <= and < differ.
#include <cmath>
#include <memory>
#include <optional>

#include "helpers.h"
#include "tachyon/emulator/tree_quant.h"
#include "tachyon/support/error.h"

using namespace vtest;

namespace {

FixedType T(const char* s) { return FixedType::parse(s); }

struct EnsembleSpec {
  int n_features = 4;
  int n_outputs = 1;
  int trees_per_class = 6;
  int max_depth = 5;
  ir::TreeCompare compare = ir::TreeCompare::LessEqual;
  double leaf_scale = 1.0;  // leaves uniform in [-leaf_scale, leaf_scale]
  double base = 0.25;
};

// A random tree of depth <= max_depth (every depth from 1 to max_depth is likely); about half
// the thresholds lie on the input grid (where the compare rule matters), some far outside
// the input range (the node folds).
void grow(ir::Tree& t, int depth, int max_depth, const EnsembleSpec& s, const FixedType& x_t, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  auto i = static_cast<int32_t>(t.nodes.size() - 1);
  bool leaf = depth == max_depth || (depth > 0 && u(rng) < 0.25);
  if (leaf) {
    t.nodes[static_cast<size_t>(i)].value = (2 * u(rng) - 1) * s.leaf_scale;
    return;
  }
  std::uniform_int_distribution<int> feat(0, s.n_features - 1);
  double r = u(rng), lo = x_t.min_value(), hi = x_t.max_value(), th;
  if (r < 0.1)
    th = hi + 1 + 4 * u(rng);  // above the range: always left
  else if (r < 0.2)
    th = lo - 1 - 4 * u(rng);  // below: always right
  else if (r < 0.6)
    th = std::ldexp(std::floor(std::ldexp(lo + (hi - lo) * u(rng), x_t.frac_bits())), -x_t.frac_bits());  // on the grid
  else
    th = lo + (hi - lo) * u(rng);
  {
    ir::TreeNode& n = t.nodes[static_cast<size_t>(i)];
    n.feature = feat(rng);
    n.threshold = th;
  }
  t.nodes.emplace_back();
  t.nodes[static_cast<size_t>(i)].left = static_cast<int32_t>(t.nodes.size() - 1);
  grow(t, depth + 1, max_depth, s, x_t, rng);
  t.nodes.emplace_back();
  t.nodes[static_cast<size_t>(i)].right = static_cast<int32_t>(t.nodes.size() - 1);
  grow(t, depth + 1, max_depth, s, x_t, rng);
}

ir::TreeEnsembleData random_ensemble(const EnsembleSpec& s, const FixedType& x_t, std::mt19937& rng) {
  ir::TreeEnsembleData d;
  d.n_features = s.n_features;
  d.n_outputs = s.n_outputs;
  d.compare = s.compare;
  d.source_format = "test";
  for (int c = 0; c < s.n_outputs; ++c) d.base_score.push_back(s.base * (c + 1));
  std::uniform_int_distribution<int> depth(1, s.max_depth);
  for (int k = 0; k < s.trees_per_class; ++k)
    for (int c = 0; c < s.n_outputs; ++c) {
      ir::Tree t;
      t.class_id = c;
      t.nodes.emplace_back();
      grow(t, 0, depth(rng), s, x_t, rng);
      d.trees.push_back(std::move(t));
    }
  return d;
}

ir::Graph tree_graph(const ir::TreeEnsembleData& d, const FixedType& x_t, const FixedType& out_t, const FixedType& score_t,
                     const FixedType* thr_t) {
  GraphBuilder b("trees");
  ValueId x = b.input("x", {d.n_features}, x_t);
  std::map<std::string, FixedType> types{{"score", score_t}};
  if (thr_t) types["threshold"] = *thr_t;
  ValueId y = b.node(Op::TreeEnsemble, "bdt", {x}, {d.n_outputs}, out_t, types);
  b.last().trees = std::make_shared<ir::TreeEnsembleData>(d);
  b.output(y, "y");
  return b.g;
}

// n samples: each feature is uniform over 1.2x the input range, or (half the time) a
// threshold of the ensemble, or a grid neighbour of one.
NdArray tree_inputs(const ir::TreeEnsembleData& d, const FixedType& x_t, int64_t n, std::mt19937& rng) {
  std::vector<std::vector<double>> th(static_cast<size_t>(d.n_features));
  for (const ir::Tree& t : d.trees)
    for (const ir::TreeNode& nd : t.nodes)
      if (!nd.is_leaf()) th[static_cast<size_t>(nd.feature)].push_back(nd.threshold);
  std::uniform_real_distribution<double> u(0, 1);
  NdArray a;
  a.shape = {n, d.n_features};
  for (int64_t i = 0; i < n; ++i)
    for (int32_t f = 0; f < d.n_features; ++f) {
      const auto& tf = th[static_cast<size_t>(f)];
      double r = u(rng);
      if (r < 0.5 || tf.empty()) {
        a.data.push_back(x_t.min_value() * 1.2 + (x_t.max_value() - x_t.min_value()) * 1.2 * u(rng));
      } else {
        double t = tf[static_cast<size_t>(u(rng) * static_cast<double>(tf.size())) % tf.size()];
        int step = static_cast<int>(u(rng) * 3) - 1;  // -1, 0, +1 grid step
        a.data.push_back(t + step * x_t.lsb());
      }
    }
  return a;
}

struct Case {
  std::string name;
  uint32_t seed;
  EnsembleSpec spec;
  const char *x_t, *thr_t, *score_t, *out_t;  // thr_t may be null (= x_t)
  bool expect_inexact = false;
  bool expect_fold = true;  // false: thr_t's range is narrower than x_t's (saturated thresholds never fold)
};

void run_case(const Case& c, const TempDir& tmp) {
  SCOPED_TRACE(c.name);
  std::mt19937 rng(c.seed);
  FixedType x_t = T(c.x_t), score_t = T(c.score_t), out_t = T(c.out_t);
  std::optional<FixedType> thr_t;
  if (c.thr_t) thr_t = T(c.thr_t);
  ir::TreeEnsembleData d = random_ensemble(c.spec, x_t, rng);
  // The ensemble exercises folding (and inexact thresholds when asked).
  emulator::TreeQuantized q = emulator::quantize_trees(d, {x_t, thr_t.value_or(x_t), score_t, out_t}, d.n_features,
                                                       d.n_outputs, nullptr);
  if (c.expect_fold) {
    EXPECT_GT(q.folded, 0);
  }
  EXPECT_GE(q.max_depth, 1);
  if (c.expect_inexact) {
    EXPECT_GT(q.inexact, 0);
  }
  ir::Graph g = tree_graph(d, x_t, out_t, score_t, thr_t ? &*thr_t : nullptr);
  NdArray x = tree_inputs(d, x_t, 160, rng);
  int lat = expect_rtl_matches_emulator(g, x, tmp, c.name, 5.0);
  EXPECT_GE(lat, 1);
}

}  // namespace

TEST(VerilogTrees, BinaryLessEqual) {
  TempDir tmp("trees_bin");
  for (uint32_t seed : {1u, 2u}) {
    Case c{"bin", seed, {}, "ap_fixed<10,4>", nullptr, "ap_fixed<12,4>", "ap_fixed<12,4>", false, true};
    c.spec.trees_per_class = 12;
    c.name = "bin" + std::to_string(seed);
    run_case(c, tmp);
  }
}

TEST(VerilogTrees, BinaryLessNarrowThresholds) {
  TempDir tmp("trees_lt");
  // Thresholds with fewer fraction bits (and more integer bits) than the input: inexact
  // thresholds, and folding still happens.
  Case c{"lt", 3, {}, "ap_fixed<12,5>", "ap_fixed<10,6>", "ap_fixed<14,6>", "ap_fixed<16,8>", true, true};
  c.spec.compare = ir::TreeCompare::Less;
  c.spec.trees_per_class = 12;
  run_case(c, tmp);
}

TEST(VerilogTrees, ThreeClassesSaturatingOutput) {
  TempDir tmp("trees_3c");
  for (uint32_t seed : {4u, 5u}) {
    // Large leaves: the sums leave the output range (AP_SAT), and round (AP_RND). Thresholds
    // with fewer integer bits than the input: saturated, inexact (and never folded).
    Case c{"c3", seed, {}, "ap_fixed<11,4>", "ap_fixed<9,3>", "ap_fixed<12,5>", "ap_fixed<8,3,AP_RND,AP_SAT>", true, false};
    c.spec.n_outputs = 3;
    c.spec.n_features = 5;
    c.spec.trees_per_class = 6;
    c.spec.leaf_scale = 6.0;
    c.spec.compare = seed % 2 ? ir::TreeCompare::Less : ir::TreeCompare::LessEqual;
    c.name = "c3_" + std::to_string(seed);
    run_case(c, tmp);
  }
}

TEST(VerilogTrees, UnsignedInputWrappingOutput) {
  TempDir tmp("trees_u");
  // Unsigned features, threshold type narrower, score sums wrap around in the output type.
  Case c{"uw", 6, {}, "ap_ufixed<8,4>", "ap_ufixed<6,3>", "ap_fixed<10,4>", "ap_fixed<7,2,AP_RND_CONV,AP_WRAP>", true, false};
  c.spec.n_outputs = 2;
  c.spec.trees_per_class = 8;
  c.spec.leaf_scale = 3.0;
  run_case(c, tmp);
}

TEST(VerilogTrees, StumpsAndSingleLeafTrees) {
  TempDir tmp("trees_d1");
  // Depth-1 trees and trees folded down to one leaf (constant contributions).
  Case c{"d1", 7, {}, "ap_fixed<8,3>", nullptr, "ap_fixed<10,3>", "ap_fixed<10,3>", false, true};
  c.spec.max_depth = 1;
  c.spec.trees_per_class = 30;
  run_case(c, tmp);
}

TEST(VerilogTrees, ManifestAndErrors) {
  TempDir tmp("trees_err");
  std::mt19937 rng(8);
  FixedType x_t = T("ap_fixed<10,4>"), s_t = T("ap_fixed<12,4>");
  EnsembleSpec s;
  s.n_outputs = 2;
  ir::TreeEnsembleData d = random_ensemble(s, x_t, rng);
  ir::Graph g = tree_graph(d, x_t, s_t, s_t, nullptr);
  backends::BackendOptions o;
  o.project_name = "trees";
  o.output_dir = tmp.sub("ok");
  o.clock_period_ns = 2.0;
  backends::verilog::write_project(g, o);
  nlohmann::json m = nlohmann::json::parse(read_file(std::filesystem::path(o.output_dir) / "tachyon_project.json"));
  ASSERT_EQ(m["layers"].size(), 1u);
  EXPECT_EQ(m["layers"][0]["op"], "TreeEnsemble");
  EXPECT_EQ(m["layers"][0]["accumulation"]["exact"], 2);
  EXPECT_GE(m["latency_cycles"].get<int>(), 2);  // comparators, leaf selection and sums do not fit 2 ns
  // A threshold type of the other signedness is refused with the node's name.
  FixedType u_t = T("ap_ufixed<8,4>");
  ir::Graph bad = tree_graph(d, x_t, s_t, s_t, &u_t);
  o.output_dir = tmp.sub("bad");
  try {
    backends::verilog::write_project(bad, o);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("bdt"), std::string::npos) << msg;
    EXPECT_NE(msg.find("signedness"), std::string::npos) << msg;
  }
  // Inputs that do not match the ensemble's features.
  ir::Graph wrong = tree_graph(d, x_t, s_t, s_t, nullptr);
  ir::TreeEnsembleData d2 = d;
  d2.n_features = 7;
  wrong.node(wrong.node_ids().at(0)).trees = std::make_shared<ir::TreeEnsembleData>(d2);
  o.output_dir = tmp.sub("wrong");
  EXPECT_THROW(backends::verilog::write_project(wrong, o), Error);
}
