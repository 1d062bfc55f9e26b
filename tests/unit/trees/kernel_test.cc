// The emulator's TreeEnsemble kernel (docs/trees.md "Arithmetic"):
//  * threshold rule, exhaustively: for every code of small input types and many
//    thresholds (grid points, between grid points, one ulp off, out of range), a node goes
//    left exactly when the float model (x <= t, or x < t) does;
//  * a threshold type other than the input type: the documented t_q rule;
//  * scores bit-exact against an independent integer computation (leaves and base in the
//    score type, exact sum, result conversion with saturation or wrap-around);
//  * fast and general kernels agree; wide types work.
#include <cmath>
#include <random>

#include "trees_test_util.h"

namespace tachyon::trees_test {
namespace {

// One single-split tree per threshold: output c is 1 when tree c goes left, else 0.
ir::TreeEnsembleData split_probe(const std::vector<double>& thresholds, ir::TreeCompare cmp) {
  ir::TreeEnsembleData d;
  d.n_features = 1;
  d.n_outputs = static_cast<int32_t>(thresholds.size());
  d.compare = cmp;
  d.base_score.assign(thresholds.size(), 0.0);
  for (size_t c = 0; c < thresholds.size(); ++c) {
    ir::Tree t;
    t.class_id = static_cast<int32_t>(c);
    t.nodes.resize(3);
    t.nodes[0].feature = 0;
    t.nodes[0].threshold = thresholds[c];
    t.nodes[0].left = 1;
    t.nodes[0].right = 2;
    t.nodes[1].value = 1.0;
    t.nodes[2].value = 0.0;
    d.trees.push_back(t);
  }
  return d;
}

// Every value of type t (raw codes kmin..kmax), as doubles.
std::vector<std::vector<double>> all_values(const FixedType& t) {
  std::vector<std::vector<double>> r;
  int64_t kmin = t.is_signed ? -(int64_t{1} << (t.width - 1)) : 0;
  int64_t kmax = t.is_signed ? (int64_t{1} << (t.width - 1)) - 1 : (int64_t{1} << t.width) - 1;
  for (int64_t k = kmin; k <= kmax; ++k) r.push_back({std::ldexp(static_cast<double>(k), -t.frac_bits())});
  return r;
}

std::vector<double> probe_thresholds(const FixedType& t) {
  double lsb = t.lsb();
  std::vector<double> th = {0.0, -0.0, lsb, -lsb, 0.5 * lsb, -0.5 * lsb, 1.0, -1.0, 1.3, -2.7, 1e-30, -1e-30,
                            t.max_value(), t.min_value(), t.max_value() + lsb, t.min_value() - lsb, 1e9, -1e9,
                            t.max_value() - 0.5 * lsb, t.min_value() + 0.25 * lsb};
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(t.min_value() - 2, t.max_value() + 2);
  for (int i = 0; i < 40; ++i) {
    double v = u(rng);
    th.push_back(v);
    double g = std::floor(v / lsb) * lsb;  // a grid point and its neighbours in double
    th.push_back(g);
    th.push_back(std::nextafter(g, 1e300));
    th.push_back(std::nextafter(g, -1e300));
  }
  return th;
}

void check_threshold_rule(const FixedType& x_t, ir::TreeCompare cmp, bool general) {
  std::vector<double> th = probe_thresholds(x_t);
  ir::TreeEnsembleData d = split_probe(th, cmp);
  FixedType s_t = fixed_type(4, 2);
  ir::Graph g = typed_graph(d, x_t, s_t);
  std::vector<std::vector<double>> xs = all_values(x_t);
  KernelRun r = run_kernel(g, xs, general);
  EXPECT_EQ(r.flavour, general ? "general" : "fast");
  for (size_t i = 0; i < xs.size(); ++i) {
    double x = xs[i][0];
    for (size_t c = 0; c < th.size(); ++c) {
      bool want = cmp == ir::TreeCompare::Less ? x < th[c] : x <= th[c];
      bool got = r.out[i][c].to_double() == 1.0;
      if (want != got) {
        ADD_FAILURE() << x_t.str() << (cmp == ir::TreeCompare::Less ? " x < " : " x <= ") << th[c] << " at x = " << x
                      << ": kernel went " << (got ? "left" : "right");
        return;
      }
    }
  }
}

TEST(TreeKernel, ThresholdRuleExhaustiveLessEqual) {
  for (bool general : {false, true}) {
    check_threshold_rule(fixed_type(8, 3), ir::TreeCompare::LessEqual, general);
    check_threshold_rule(fixed_type(8, 3, false), ir::TreeCompare::LessEqual, general);
    check_threshold_rule(fixed_type(10, 12), ir::TreeCompare::LessEqual, general);  // lsb 4
    check_threshold_rule(fixed_type(6, -2), ir::TreeCompare::LessEqual, general);   // all bits fractional
  }
}

TEST(TreeKernel, ThresholdRuleExhaustiveLess) {
  for (bool general : {false, true}) {
    check_threshold_rule(fixed_type(8, 3), ir::TreeCompare::Less, general);
    check_threshold_rule(fixed_type(8, 3, false), ir::TreeCompare::Less, general);
    check_threshold_rule(fixed_type(10, 12), ir::TreeCompare::Less, general);
    check_threshold_rule(fixed_type(6, -2, true, Quant::RND, Overflow::SAT), ir::TreeCompare::Less, general);
  }
}

// A threshold type finer than the input type is exact; a coarser one decides x <= t_q with
// t_q = the smallest thr_t value >= k* lsb_x (saturated), and reports the inexact nodes.
TEST(TreeKernel, ThresholdTypeOtherThanInputType) {
  FixedType x_t = fixed_type(8, 3);
  std::vector<double> th = probe_thresholds(x_t);
  ir::TreeEnsembleData d = split_probe(th, ir::TreeCompare::LessEqual);
  std::vector<std::vector<double>> xs = all_values(x_t);
  FixedType fine = fixed_type(14, 5);
  ir::Graph gf = typed_graph(d, x_t, fixed_type(4, 2), &fine);
  KernelRun rf = run_kernel(gf, xs);
  for (size_t i = 0; i < xs.size(); ++i)
    for (size_t c = 0; c < th.size(); ++c) ASSERT_EQ(rf.out[i][c].to_double() == 1.0, xs[i][0] <= th[c]);

  FixedType coarse = fixed_type(5, 2);  // lsb 1/8 vs input lsb 1/32, range [-2, 2)
  ir::Graph gc = typed_graph(d, x_t, fixed_type(4, 2), &coarse);
  KernelRun rc = run_kernel(gc, xs);
  int64_t inexact_expected = 0;
  for (size_t c = 0; c < th.size(); ++c) {
    double lsb_x = x_t.lsb(), lsb_t = coarse.lsb();
    double kstar = std::floor(th[c] / lsb_x) * lsb_x;                   // largest passing grid value
    double tq = std::ceil(kstar / lsb_t) * lsb_t;                       // smallest thr value >= it
    tq = std::clamp(tq, coarse.min_value(), coarse.max_value());        // saturated
    bool same = true;
    for (size_t i = 0; i < xs.size(); ++i) {
      double x = xs[i][0];
      bool got = rc.out[i][c].to_double() == 1.0;
      ASSERT_EQ(got, x <= tq) << "threshold " << th[c] << " x " << x << " t_q " << tq;
      same = same && (got == (x <= th[c]));
    }
    inexact_expected += same ? 0 : 1;
  }
  int64_t inexact_reported = 0;
  for (const auto& s : rc.build_stats)
    if (s.what == "threshold (inexact)") inexact_reported = s.conversions;
  EXPECT_GT(inexact_expected, 0);
  EXPECT_EQ(inexact_reported, inexact_expected);

  FixedType unsigned_thr = fixed_type(8, 3, false);
  ir::Graph gu = typed_graph(d, x_t, fixed_type(4, 2), &unsigned_thr);
  EXPECT_THROW(run_kernel(gu, xs), Error);
}

// Random ensembles: output codes equal an independent integer computation.
ir::TreeEnsembleData random_ensemble(std::mt19937_64& rng, int n_trees, int n_out, int n_feat, int depth,
                                     double leaf_scale, ir::TreeCompare cmp) {
  ir::TreeEnsembleData d;
  d.n_features = n_feat;
  d.n_outputs = n_out;
  d.compare = cmp;
  std::uniform_real_distribution<double> u(-1, 1);
  for (int k = 0; k < n_out; ++k) d.base_score.push_back(u(rng) * leaf_scale);
  for (int t = 0; t < n_trees; ++t) {
    ir::Tree tr;
    tr.class_id = t % n_out;
    // Complete tree in heap order, leaves at depth `depth`.
    int n_nodes = (1 << (depth + 1)) - 1;
    tr.nodes.resize(static_cast<size_t>(n_nodes));
    for (int i = 0; i < n_nodes; ++i) {
      ir::TreeNode& n = tr.nodes[static_cast<size_t>(i)];
      if (i < (1 << depth) - 1) {
        n.feature = static_cast<int32_t>(rng() % static_cast<uint64_t>(n_feat));
        n.threshold = u(rng) * 8;
        if (rng() % 4 == 0) n.threshold = std::round(n.threshold * 32) / 32;  // on the grid
        n.left = 2 * i + 1;
        n.right = 2 * i + 2;
      } else {
        n.value = u(rng) * leaf_scale;
      }
    }
    d.trees.push_back(std::move(tr));
  }
  return d;
}

// Expected output codes: float decisions on the quantized inputs, leaves and base converted to
// score_t (Fixed::from_double), exact integer sums, then the result conversion to out_t.
std::vector<std::vector<Fixed>> expected(const ir::TreeEnsembleData& d, const std::vector<std::vector<double>>& xs,
                                         const FixedType& x_t, const FixedType& s_t) {
  std::vector<std::vector<Fixed>> r;
  FixedType wide = fixed_type(s_t.width + 24, s_t.int_bits + 24, s_t.is_signed);  // holds every sum exactly
  for (const auto& row : xs) {
    std::vector<double> xq;
    for (double v : row) xq.push_back(Fixed::from_double(v, x_t).to_double());
    std::vector<Fixed> acc;
    for (double b : d.base_score) acc.push_back(Fixed::from_double(b, s_t).cast(wide));
    for (const ir::Tree& t : d.trees) {
      int32_t i = 0;
      while (!t.nodes[static_cast<size_t>(i)].is_leaf()) {
        const ir::TreeNode& n = t.nodes[static_cast<size_t>(i)];
        double v = xq[static_cast<size_t>(n.feature)];
        bool left = d.compare == ir::TreeCompare::Less ? v < n.threshold : v <= n.threshold;
        i = left ? n.left : n.right;
      }
      acc[static_cast<size_t>(t.class_id)].add_assign(Fixed::from_double(t.nodes[static_cast<size_t>(i)].value, s_t));
    }
    std::vector<Fixed> out;
    for (const Fixed& a : acc) out.push_back(a.cast(s_t));
    r.push_back(std::move(out));
  }
  return r;
}

void check_scores(const FixedType& x_t, const FixedType& s_t, double leaf_scale, ir::TreeCompare cmp, uint64_t seed) {
  std::mt19937_64 rng(seed);
  ir::TreeEnsembleData d = random_ensemble(rng, 60, 3, 5, 3, leaf_scale, cmp);
  std::uniform_real_distribution<double> u(-9, 9);
  std::vector<std::vector<double>> xs(300, std::vector<double>(5));
  for (auto& row : xs)
    for (double& v : row) v = (rng() % 3 == 0) ? std::round(u(rng) * 32) / 32 : u(rng);
  ir::Graph g = typed_graph(d, x_t, s_t);
  auto want = expected(d, xs, x_t, s_t);
  KernelRun fast = run_kernel(g, xs, false);
  KernelRun gen = run_kernel(g, xs, true);
  EXPECT_EQ(gen.flavour, "general");
  for (size_t i = 0; i < xs.size(); ++i)
    for (size_t k = 0; k < 3; ++k) {
      ASSERT_EQ(fast.out[i][k], want[i][k]) << "sample " << i << " class " << k << " (fast " << fast.flavour << ")";
      ASSERT_EQ(gen.out[i][k], want[i][k]) << "sample " << i << " class " << k << " (general)";
    }
}

TEST(TreeKernel, ScoresBitExactRoundingAndSaturation) {
  check_scores(fixed_type(16, 6), fixed_type(18, 8, true, Quant::RND_CONV, Overflow::SAT), 0.5, ir::TreeCompare::LessEqual, 1);
  check_scores(fixed_type(16, 6), fixed_type(18, 8, true, Quant::RND_CONV, Overflow::SAT), 0.5, ir::TreeCompare::Less, 2);
  // Leaves large enough that the final conversion saturates / wraps (the accumulator never does).
  check_scores(fixed_type(12, 5, true, Quant::RND, Overflow::SAT), fixed_type(10, 4, true, Quant::TRN, Overflow::SAT), 3.0,
               ir::TreeCompare::LessEqual, 3);
  check_scores(fixed_type(12, 5), fixed_type(10, 4), 3.0, ir::TreeCompare::Less, 4);  // AP_TRN, AP_WRAP
  check_scores(fixed_type(12, 5), fixed_type(10, 4, true, Quant::RND_ZERO, Overflow::SAT_SYM), 3.0, ir::TreeCompare::Less, 5);
}

TEST(TreeKernel, WideTypesTakeTheGeneralPath) {
  FixedType x_t = fixed_type(90, 40), s_t = fixed_type(70, 10, true, Quant::RND, Overflow::SAT);
  std::mt19937_64 rng(11);
  ir::TreeEnsembleData d = random_ensemble(rng, 10, 2, 3, 2, 1.0, ir::TreeCompare::Less);
  std::vector<std::vector<double>> xs = {{0, 0, 0}, {1.5, -3.25, 7}, {-8, 8, 0.1}, {1e-12, -1e-12, 3}};
  ir::Graph g = typed_graph(d, x_t, s_t);
  KernelRun r = run_kernel(g, xs);
  EXPECT_EQ(r.flavour, "general");
  auto want = expected(d, xs, x_t, s_t);
  for (size_t i = 0; i < xs.size(); ++i)
    for (size_t k = 0; k < 2; ++k) EXPECT_EQ(r.out[i][k], want[i][k]);
}

// Folded nodes: thresholds outside the input range give constant decisions; the tree is
// evaluated as if those nodes were replaced by the reachable child.
TEST(TreeKernel, ConstantNodesFold) {
  ir::TreeEnsembleData d;
  d.n_features = 1;
  d.n_outputs = 1;
  d.base_score = {0};
  ir::Tree t;
  t.nodes.resize(5);
  t.nodes[0] = {0, -1000.0, 1, 2, true, 0};  // x <= -1000: never for ap_fixed<8,3> -> right
  t.nodes[1] = {-1, 0, -1, -1, true, 5.0};
  t.nodes[2] = {0, 1000.0, 3, 4, true, 0};   // always left
  t.nodes[3] = {-1, 0, -1, -1, true, 1.0};
  t.nodes[4] = {-1, 0, -1, -1, true, 9.0};
  d.trees.push_back(t);
  ir::Graph g = typed_graph(d, fixed_type(8, 3), fixed_type(8, 5));
  KernelRun r = run_kernel(g, all_values(fixed_type(8, 3)));
  for (const auto& o : r.out) EXPECT_EQ(o[0].to_double(), 1.0);
}

TEST(TreeKernel, MalformedNodeIsAnError) {
  ir::TreeEnsembleData d = split_probe({0.5}, ir::TreeCompare::LessEqual);
  d.trees[0].nodes[0].right = 17;
  ir::Graph g = typed_graph(d, fixed_type(8, 3), fixed_type(8, 3));
  EXPECT_THROW(run_kernel(g, {{0.0}}), Error);
  ir::TreeEnsembleData d2 = split_probe({0.5}, ir::TreeCompare::LessEqual);
  ir::Graph g2 = typed_graph(d2, fixed_type(8, 3), fixed_type(8, 3));
  g2.value(g2.inputs[0].value).shape = {3};
  EXPECT_THROW(run_kernel(g2, {{0.0, 0.0, 0.0}}), Error);
}

}  // namespace
}  // namespace tachyon::trees_test
