// Pooling: max in the input type (padding ignored), average = sum in accum_t, then the code
// divided by the cell count truncated toward zero (ap_fixed's `accum /= n`), then result_t.
#include <cmath>

#include "test_util.h"

namespace tachyon::emulator::testing {
namespace {

using ir::Op;

struct PoolCase {
  int64_t H, W, C, KH, KW, SH, SW, PT, PL, PB, PR;
  bool include_pad;
};

int64_t pool_out(int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1) { return (in + p0 + p1 - k) / s + 1; }

// Reference average: independent formulation in doubles (every code here is far below 2^53):
// sum in accum_t step by step, then the accum code divided by n with std::trunc.
Fixed avg_of(const std::vector<Fixed>& cells, const FixedType& acc_t, const FixedType& rt) {
  Fixed acc(acc_t);
  for (const Fixed& v : cells) acc = (acc + v).cast(acc_t);
  const double lsb = std::ldexp(1.0, -acc_t.frac_bits());
  const double code = acc.to_double() / lsb;
  const double q = std::trunc(code / static_cast<double>(cells.size()));
  return Fixed::from_double(q * lsb, acc_t).cast(rt);
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

TEST(Pool, AvgPool2DTruncatedDivision) {
  FixedType xt = T("ap_fixed<8,3>");
  // 2x2 windows: n = 4 (the quotient loses two bits of accum's grid).
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

TEST(Pool, DivisionTruncatesTowardZero) {
  // Three cells in accum ap_fixed<16,6> (10 fraction bits), written out by hand:
  //   [1, 0, 0]:      code 1024 / 3 = 341.33 -> 341 -> 0.3330078125; ap_fixed<8,2> (TRN):
  //                   0.3330078125 * 64 = 21.3125 -> 21 -> 0.328125.
  //   [-0.125, 0, 0]: code -128 / 3 = -42.67 -> -42 (toward zero, not -43) -> -0.041015625;
  //                   ap_fixed<8,2> (TRN = floor): -2.625 -> -3 -> -0.046875.
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {3, 2}, T("ap_fixed<8,3>"));
  ir::Attrs a = attrs({{"kernel_shape", std::vector<int64_t>{3}}});
  gb.output(gb.node(Op::AvgPool, "p1", {x}, {1, 2}, T("ap_fixed<24,2>"), a, {{"accum", T("ap_fixed<16,6>")}}), "a");
  gb.output(gb.node(Op::AvgPool, "p2", {x}, {1, 2}, T("ap_fixed<8,2>"), a, {{"accum", T("ap_fixed<16,6>")}}), "b");
  run_both(gb.g, {NdArray{{3, 2}, {1, -0.125, 0, 0, 0, 0}}}, {{0.3330078125, -0.041015625}, {0.328125, -0.046875}},
           "trunc");
}

}  // namespace
}  // namespace tachyon::emulator::testing
