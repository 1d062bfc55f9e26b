// Element-wise arithmetic (Add, Sub, Mul with broadcasting, Scale, BatchNorm, Cast),
// Concat and layout ops (Reshape, Transpose, Pad, Identity), and the user <-> internal
// layout of graph inputs and outputs.
#include "test_util.h"

namespace tachyon::emulator::testing {
namespace {

using ir::Op;

std::vector<Fixed> fixed_of(const std::vector<double>& v, const FixedType& t) {
  std::vector<Fixed> r;
  for (double d : v) r.push_back(Fixed::from_double(d, t));
  return r;
}

TEST(Merge, AddSubMulFullPrecisionThenResult) {
  std::mt19937_64 rng(11);
  FixedType at = T("ap_fixed<10,4>"), bt = T("ap_ufixed<9,2>"), rt = T("ap_fixed<9,3,AP_RND_INF,AP_SAT_SYM>");
  std::vector<double> a = uniform(rng, 24, -8, 8), b = uniform(rng, 24, 0, 4);
  std::vector<Fixed> fa = fixed_of(a, at), fb = fixed_of(b, bt);
  std::vector<double> eadd, esub, emul;
  for (size_t i = 0; i < 24; ++i) {
    eadd.push_back((fa[i] + fb[i]).cast(rt).to_double());
    esub.push_back((fb[i] - fa[i]).cast(rt).to_double());
    emul.push_back((fa[i] * fb[i]).cast(rt).to_double());
  }
  GraphBuilder gb;
  ir::ValueId x = gb.input("a", {4, 6}, at);
  ir::ValueId y = gb.input("b", {4, 6}, bt);
  gb.output(gb.node(Op::Add, "add", {x, y}, {4, 6}, rt), "add");
  gb.output(gb.node(Op::Sub, "sub", {y, x}, {4, 6}, rt), "sub");
  gb.output(gb.node(Op::Mul, "mul", {x, y}, {4, 6}, rt), "mul");
  run_both(gb.g, {NdArray{{4, 6}, a}, NdArray{{4, 6}, b}}, {eadd, esub, emul});
}

TEST(Merge, ConstantBroadcastLastAxisAndScalar) {
  std::mt19937_64 rng(12);
  FixedType xt = T("ap_fixed<10,4>"), ct = T("ap_fixed<6,2,AP_RND>"), rt = T("ap_fixed<12,5>");
  std::vector<double> xs = uniform(rng, 15, -8, 8), cv = uniform(rng, 5, -2, 2);
  std::vector<Fixed> fx = fixed_of(xs, xt), fc = fixed_of(cv, ct);  // constants converted to their own type first
  Fixed s = Fixed::from_double(0.3, ct);
  std::vector<double> emul, eadd, escale;
  for (size_t i = 0; i < 15; ++i) {
    emul.push_back((fx[i] * fc[i % 5]).cast(rt).to_double());
    eadd.push_back((fx[i] + s).cast(rt).to_double());
    escale.push_back((fx[i] * fc[i % 5]).cast(rt).to_double());
  }
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {3, 5}, xt);
  ir::ValueId c = gb.constant("c", {5}, cv, ct);
  ir::ValueId k = gb.constant("k", {}, {0.3}, ct);
  gb.output(gb.node(Op::Mul, "mul", {x, c}, {3, 5}, rt), "mul");
  gb.output(gb.node(Op::Add, "add", {x, k}, {3, 5}, rt), "add");
  gb.output(gb.node(Op::Scale, "scale", {x, c}, {3, 5}, rt), "scale");
  run_both(gb.g, {NdArray{{3, 5}, xs}}, {emul, eadd, escale});
}

TEST(Merge, BatchNormAndCast) {
  std::mt19937_64 rng(13);
  FixedType xt = T("ap_fixed<10,4>"), st = T("ap_fixed<8,2>"), bt = T("ap_fixed<8,3>"), rt = T("ap_fixed<8,4,AP_RND_CONV,AP_SAT>");
  std::vector<double> xs = uniform(rng, 12, -8, 8), sc = uniform(rng, 4, -2, 2), bi = uniform(rng, 4, -4, 4);
  std::vector<Fixed> fx = fixed_of(xs, xt), fs = fixed_of(sc, st), fb = fixed_of(bi, bt);
  std::vector<double> ebn, ecast;
  for (size_t i = 0; i < 12; ++i) {
    ebn.push_back((fx[i] * fs[i % 4] + fb[i % 4]).cast(rt).to_double());
    ecast.push_back(fx[i].cast(rt).to_double());
  }
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {3, 4}, xt);
  ir::ValueId s = gb.constant("s", {4}, sc, st);
  ir::ValueId b = gb.constant("b", {4}, bi, bt);
  gb.output(gb.node(Op::BatchNorm, "bn", {x, s, b}, {3, 4}, rt), "bn");
  gb.output(gb.node(Op::Cast, "cast", {x}, {3, 4}, rt), "cast");
  run_both(gb.g, {NdArray{{3, 4}, xs}}, {ebn, ecast});
}

TEST(Merge, ConcatConvertsEachInput) {
  FixedType at = T("ap_fixed<10,4>"), bt = T("ap_fixed<6,5>"), rt = T("ap_fixed<8,4>");
  std::vector<double> a{1.5625, -2.015625, 3.25, 7.9, -8, 0.03}, b{15, -16, 3, 4};
  std::vector<Fixed> fa = fixed_of(a, at), fb = fixed_of(b, bt);
  // a (2,3), b (2,2): axis 1 -> (2,5); axis -1 the same.
  std::vector<double> e;
  for (int r = 0; r < 2; ++r) {
    for (int i = 0; i < 3; ++i) e.push_back(fa[static_cast<size_t>(r * 3 + i)].cast(rt).to_double());
    for (int i = 0; i < 2; ++i) e.push_back(fb[static_cast<size_t>(r * 2 + i)].cast(rt).to_double());
  }
  GraphBuilder gb;
  ir::ValueId x = gb.input("a", {2, 3}, at);
  ir::ValueId y = gb.input("b", {2, 2}, bt);
  gb.output(gb.node(Op::Concat, "cat", {x, y}, {2, 5}, rt, attrs({{"axis", int64_t{1}}})), "c1");
  gb.output(gb.node(Op::Concat, "cat2", {x, y}, {2, 5}, rt, attrs({{"axis", int64_t{-1}}})), "c2");
  // axis 0 with equal widths: a (2,3) and a (2,3) -> (4,3).
  std::vector<double> e0;
  for (int k = 0; k < 2; ++k)
    for (const Fixed& v : fa) e0.push_back(v.cast(rt).to_double());
  gb.output(gb.node(Op::Concat, "cat0", {x, x}, {4, 3}, rt, attrs({{"axis", int64_t{0}}})), "c0");
  run_both(gb.g, {NdArray{{2, 3}, a}, NdArray{{2, 2}, b}}, {e, e, e0});
}

TEST(Layout, ReshapeTransposePadIdentity) {
  FixedType t = T("ap_fixed<8,4>");
  std::vector<double> xs;
  for (int i = 0; i < 24; ++i) xs.push_back(i * 0.25 - 3);
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {2, 3, 4}, t);
  gb.output(gb.node(Op::Reshape, "flat", {x}, {24}, t), "flat");
  gb.output(gb.node(Op::Transpose, "tr", {x}, {4, 2, 3}, t, attrs({{"perm", std::vector<int64_t>{2, 0, 1}}})), "tr");
  gb.output(gb.node(Op::Pad, "pad", {x}, {3, 3, 6}, t, attrs({{"pads", std::vector<int64_t>{1, 0, 1, 0, 0, 1}}})), "pad");
  gb.output(gb.node(Op::Identity, "id", {x}, {2, 3, 4}, t), "id");
  std::vector<double> etr, epad;
  for (int c = 0; c < 4; ++c)
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 3; ++b) etr.push_back(xs[static_cast<size_t>((a * 3 + b) * 4 + c)]);
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 6; ++c) {
        int ia = a - 1, ic = c - 1;
        bool in = ia >= 0 && ia < 2 && ic >= 0 && ic < 4;
        epad.push_back(in ? xs[static_cast<size_t>((ia * 3 + b) * 4 + ic)] : 0.0);
      }
  run_both(gb.g, {NdArray{{2, 3, 4}, xs}}, {xs, etr, epad, xs});
}

TEST(Layout, UserLayoutIsTransposedAtTheBoundary) {
  // The user gives (C, H, W) = (2, 3, 4); internally (H, W, C) = perm {1, 2, 0}. A Relu in
  // between; the output is given back as (C, H, W) too.
  FixedType t = T("ap_fixed<8,4>");
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {3, 4, 2}, t, {2, 3, 4}, {1, 2, 0});
  ir::ValueId y = gb.node(Op::Relu, "relu", {x}, {3, 4, 2}, t);
  gb.output(y, "y", {2, 3, 4}, {1, 2, 0});
  std::vector<double> xs;
  for (int i = 0; i < 24; ++i) xs.push_back(i % 5 == 0 ? -1.0 : i * 0.25);
  std::vector<double> e;
  for (double v : xs) e.push_back(v > 0 ? v : 0);
  // A batch of 2 samples, and a single sample without the batch axis.
  std::vector<double> two = xs;
  two.insert(two.end(), xs.begin(), xs.end());
  std::vector<double> e2 = e;
  e2.insert(e2.end(), e.begin(), e.end());
  run_both(gb.g, {NdArray{{2, 2, 3, 4}, two}}, {e2});
  Emulator emu(gb.g);
  std::vector<NdArray> out = emu.predict({NdArray{{2, 3, 4}, xs}});
  EXPECT_EQ(out[0].shape, (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(out[0].data, e);
  // trace() is in the internal layout: element (h, w, c) = user (c, h, w).
  std::map<std::string, NdArray> tr = emu.trace({NdArray{{2, 3, 4}, xs}});
  ASSERT_EQ(tr.count("relu"), 1u);
  EXPECT_EQ(tr["relu"].shape, (std::vector<int64_t>{1, 3, 4, 2}));
  for (int h = 0; h < 3; ++h)
    for (int w = 0; w < 4; ++w)
      for (int c = 0; c < 2; ++c)
        EXPECT_EQ(tr["relu"].data[static_cast<size_t>((h * 4 + w) * 2 + c)], e[static_cast<size_t>((c * 3 + h) * 4 + w)]);
}

}  // namespace
}  // namespace tachyon::emulator::testing
