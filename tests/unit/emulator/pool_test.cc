// Pooling: max in the input type (padding ignored), average = sum in accum_t then a shift
// (n a power of two) or a multiplication by 1/n in ap_ufixed<18,0,AP_RND>.
#include "test_util.h"

namespace tachyon::emulator::testing {
namespace {

using ir::Op;

struct PoolCase {
  int64_t H, W, C, KH, KW, SH, SW, PT, PL, PB, PR;
  bool include_pad;
};

int64_t pool_out(int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1) { return (in + p0 + p1 - k) / s + 1; }

// Reference average: independent formulation with exact rationals in the test:
// sum in accum_t step by step, then y = sum / n rounded as documented.
Fixed avg_of(const std::vector<Fixed>& cells, const FixedType& acc_t, const FixedType& rt) {
  Fixed acc(acc_t);
  for (const Fixed& v : cells) acc = (acc + v).cast(acc_t);
  auto n = static_cast<int64_t>(cells.size());
  int k = 0;
  while ((int64_t{1} << k) < n) ++k;
  if ((int64_t{1} << k) == n) {
    // sum * 2^-k: the same raw code read with k more fraction bits.
    FixedType shifted{acc_t.width, acc_t.int_bits - k, acc_t.is_signed};
    return Fixed::from_raw(acc.raw(), shifted).cast(rt);
  }
  // r = 1/n in ap_ufixed<18,0,AP_RND>: from the double 1/n (18 bits: no double rounding issue
  // for the small n used here).
  Fixed r = Fixed::from_double(1.0 / static_cast<double>(n), T("ap_ufixed<18,0,AP_RND>"));
  return (acc * r).cast(rt);
}

void check_pool(const PoolCase& c, bool is_max, const FixedType& xt, const FixedType& acc_t, const FixedType& rt,
                uint64_t seed, bool one_d = false) {
  std::mt19937_64 rng(seed);
  int64_t OH = pool_out(c.H, c.KH, c.SH, c.PT, c.PB), OW = pool_out(c.W, c.KW, c.SW, c.PL, c.PR);
  std::vector<double> xs = uniform(rng, static_cast<size_t>(c.H * c.W * c.C), -4, 4);
  std::vector<double> expected;
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow)
      for (int64_t ch = 0; ch < c.C; ++ch) {
        std::vector<Fixed> cells;
        for (int64_t kh = 0; kh < c.KH; ++kh)
          for (int64_t kw = 0; kw < c.KW; ++kw) {
            int64_t h = oh * c.SH - c.PT + kh, w = ow * c.SW - c.PL + kw;
            bool inside = h >= 0 && h < c.H && w >= 0 && w < c.W;
            if (inside)
              cells.push_back(Fixed::from_double(xs[static_cast<size_t>((h * c.W + w) * c.C + ch)], xt));
            else if (!is_max && c.include_pad)
              cells.push_back(Fixed(xt));
          }
        if (is_max) {
          Fixed m = cells[0];
          for (const Fixed& v : cells)
            if (v.to_double() > m.to_double()) m = v;
          expected.push_back(m.cast(rt).to_double());
        } else {
          expected.push_back(avg_of(cells, acc_t, rt).to_double());
        }
      }
  GraphBuilder gb;
  ir::ValueId x = one_d ? gb.input("x", {c.W, c.C}, xt) : gb.input("x", {c.H, c.W, c.C}, xt);
  ir::Attrs a = one_d ? attrs({{"kernel_shape", std::vector<int64_t>{c.KW}},
                               {"strides", std::vector<int64_t>{c.SW}},
                               {"pads", std::vector<int64_t>{c.PL, c.PR}},
                               {"count_include_pad", int64_t{c.include_pad}}})
                      : attrs({{"kernel_shape", std::vector<int64_t>{c.KH, c.KW}},
                               {"strides", std::vector<int64_t>{c.SH, c.SW}},
                               {"pads", std::vector<int64_t>{c.PT, c.PL, c.PB, c.PR}},
                               {"count_include_pad", int64_t{c.include_pad}}});
  ir::Shape ys = one_d ? ir::Shape{OW, c.C} : ir::Shape{OH, OW, c.C};
  std::map<std::string, FixedType> types;
  if (!is_max) types["accum"] = acc_t;
  ir::ValueId y = gb.node(is_max ? Op::MaxPool : Op::AvgPool, "pool", {x}, ys, rt, a, types);
  gb.output(y);
  NdArray in{one_d ? std::vector<int64_t>{c.W, c.C} : std::vector<int64_t>{c.H, c.W, c.C}, xs};
  run_both(gb.g, {in}, {expected}, is_max ? "max" : "avg");
}

TEST(Pool, MaxPool2D) {
  check_pool({6, 6, 2, 2, 2, 2, 2, 0, 0, 0, 0, false}, true, T("ap_fixed<8,3>"), {}, T("ap_fixed<6,2,AP_RND,AP_SAT>"), 1);
  // Overlapping windows with padding (padding cells never win, even over negative values).
  check_pool({5, 4, 3, 3, 3, 2, 1, 1, 1, 1, 1, false}, true, T("ap_fixed<8,3>"), {}, T("ap_fixed<8,3>"), 2);
}

TEST(Pool, AvgPool2DPowerOfTwoAndReciprocal) {
  FixedType xt = T("ap_fixed<8,3>");
  // 2x2 windows: n = 4, exact shift.
  check_pool({6, 6, 2, 2, 2, 2, 2, 0, 0, 0, 0, false}, false, xt, T("ap_fixed<12,5>"), T("ap_fixed<8,3,AP_RND,AP_SAT>"), 3);
  // 3x3 windows with padding: n = 9, 6, 4 at borders (excluded padding).
  check_pool({5, 5, 2, 3, 3, 2, 2, 1, 1, 1, 1, false}, false, xt, T("ap_fixed<12,5>"), T("ap_fixed<10,3>"), 4);
  // count_include_pad: n = 9 everywhere.
  check_pool({5, 5, 2, 3, 3, 2, 2, 1, 1, 1, 1, true}, false, xt, T("ap_fixed<12,5>"), T("ap_fixed<10,3>"), 5);
  // A narrow saturating accumulator (sum overflows).
  check_pool({4, 4, 1, 2, 2, 2, 2, 0, 0, 0, 0, false}, false, xt, T("ap_fixed<6,3,AP_RND,AP_SAT>"), T("ap_fixed<10,3>"), 6);
}

TEST(Pool, Pool1D) {
  check_pool({1, 11, 3, 1, 3, 1, 2, 0, 1, 0, 1, false}, false, T("ap_fixed<8,3>"), T("ap_fixed<16,6>"), T("ap_fixed<10,3>"), 7,
             true);
  check_pool({1, 11, 3, 1, 2, 1, 2, 0, 0, 0, 0, false}, true, T("ap_fixed<8,3>"), {}, T("ap_fixed<10,3>"), 8, true);
}

TEST(Pool, GlobalPools) {
  std::mt19937_64 rng(9);
  FixedType xt = T("ap_fixed<8,3>"), acc_t = T("ap_fixed<14,7>"), rt = T("ap_fixed<10,3,AP_RND,AP_SAT>");
  for (auto [H, W] : {std::pair<int64_t, int64_t>{3, 3}, {4, 2}}) {
    const int64_t C = 3;
    std::vector<double> xs = uniform(rng, static_cast<size_t>(H * W * C), -4, 4);
    std::vector<double> emax, eavg;
    for (int64_t ch = 0; ch < C; ++ch) {
      std::vector<Fixed> cells;
      for (int64_t k = 0; k < H * W; ++k) cells.push_back(Fixed::from_double(xs[static_cast<size_t>(k * C + ch)], xt));
      Fixed m = cells[0];
      for (const Fixed& v : cells)
        if (v.to_double() > m.to_double()) m = v;
      emax.push_back(m.cast(rt).to_double());
      eavg.push_back(avg_of(cells, acc_t, rt).to_double());
    }
    GraphBuilder gb;
    ir::ValueId x = gb.input("x", {H, W, C}, xt);
    gb.output(gb.node(Op::GlobalMaxPool, "gmax", {x}, {C}, rt), "max");
    gb.output(gb.node(Op::GlobalAvgPool, "gavg", {x}, {1, 1, C}, rt, {}, {{"accum", acc_t}}), "avg");
    run_both(gb.g, {NdArray{{H, W, C}, xs}}, {emax, eavg}, "global");
  }
}

TEST(Pool, ReciprocalIsRoundedNotTruncated) {
  // 1/3 in ap_ufixed<18,0,AP_RND>: 2^18/3 = 87381.33 -> 87381; 1/5 -> 52428.8 -> 52429.
  // Average of three cells [1, 1, 1] (sum 3): 3 * 87381 / 2^18 = 0.99999237... -> result
  // ap_fixed<24,2> keeps it; TRN to ap_fixed<8,2> gives 0.984375 (63/64), not 1.
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {3, 1}, T("ap_fixed<8,3>"));
  ir::Attrs a = attrs({{"kernel_shape", std::vector<int64_t>{3}}});
  gb.output(gb.node(Op::AvgPool, "p1", {x}, {1, 1}, T("ap_fixed<24,2>"), a, {{"accum", T("ap_fixed<16,6>")}}), "a");
  gb.output(gb.node(Op::AvgPool, "p2", {x}, {1, 1}, T("ap_fixed<8,2>"), a, {{"accum", T("ap_fixed<16,6>")}}), "b");
  run_both(gb.g, {NdArray{{3, 1}, {1, 1, 1}}}, {{3.0 * 87381 / 262144}, {63.0 / 64}}, "recip");
}

}  // namespace
}  // namespace tachyon::emulator::testing
