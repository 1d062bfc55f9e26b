// Softmax (stable, latency, argmax): reference computed in the test from the documented
// index and table rules with BigInt / Fixed operations.
#include <cmath>

#include "tachyon/emulator/tables.h"
#include "test_util.h"

namespace tachyon::emulator::testing {
namespace {

using ir::Op;

struct SmTypes {
  FixedType norm, exp, inv, acc;
  FixedType inv_inp = FixedType::parse("ap_fixed<18,8,AP_RND,AP_SAT>");
};

int log2i(int n) {
  int b = 0;
  while ((1 << b) < n) ++b;
  return b;
}

// Top B bits of v's W-bit pattern.
int top_bits(const Fixed& v, int n) {
  int b = log2i(n), w = v.type().width;
  BigInt u = v.raw().wrap_unsigned(w);
  return static_cast<int>(w >= b ? u.shr(w - b).low_i64() : u.shl(b - w).low_i64());
}

// The value of T's code whose top B bits are k.
double point(int k, int n, const FixedType& t) {
  int b = log2i(n), w = t.width;
  BigInt code = w >= b ? BigInt(k).shl(w - b) : BigInt(k).shr(b - w);
  return Fixed::from_raw(code, t).to_double();
}

// Adder tree written out (hls4ml's nnet::reduce): the first 2^floor(log2(n-1)) terms, then the rest.
Fixed tree_sum(const std::vector<Fixed>& e, size_t lo, size_t n, const FixedType& acc) {
  if (n == 1) return e[lo];
  size_t left = 1;
  while (left * 2 <= n - 1) left *= 2;
  return (tree_sum(e, lo, left, acc) + tree_sum(e, lo + left, n - left, acc)).cast(acc);
}

std::vector<double> ref_softmax(const std::vector<double>& xs, int64_t cols, const FixedType& xt, const SmTypes& t,
                                const FixedType& rt, int n, const std::string& impl, int n_inv = 0) {
  if (n_inv == 0) n_inv = n;
  std::vector<double> out;
  for (size_t r = 0; r < xs.size() / static_cast<size_t>(cols); ++r) {
    std::vector<Fixed> x;
    for (int64_t i = 0; i < cols; ++i) x.push_back(Fixed::from_double(xs[r * static_cast<size_t>(cols) + static_cast<size_t>(i)], xt));
    if (impl == "argmax") {
      size_t best = 0;
      for (size_t i = 0; i < x.size(); ++i)
        if (x[i].to_double() > x[best].to_double()) best = i;
      for (size_t i = 0; i < x.size(); ++i) out.push_back(Fixed::from_double(i == best ? 1 : 0, rt).to_double());
      continue;
    }
    Fixed m = x[0];
    for (const Fixed& v : x)
      if (v.to_double() > m.to_double()) m = v;
    std::vector<Fixed> e;
    for (const Fixed& v : x) {
      Fixed d = (impl == "stable" ? m - v : v).cast(t.norm);
      float val = static_cast<float>(point(top_bits(d, n), n, t.norm));
      e.push_back(Fixed::from_double(impl == "stable" ? std::exp(-val) : std::exp(val), t.exp).cast(t.acc));
    }
    Fixed sum = tree_sum(e, 0, e.size(), t.acc).cast(t.inv_inp);
    Fixed inv = Fixed::from_double(1.0f / static_cast<float>(point(top_bits(sum, n_inv), n_inv, t.inv_inp)), t.inv);
    for (const Fixed& v : e) out.push_back((v * inv).cast(rt).to_double());
  }
  return out;
}

ir::Graph softmax_graph(const FixedType& xt, const SmTypes& t, const FixedType& rt, int64_t rows, int64_t cols, int n,
                        const std::string& impl, int n_inv = 0) {
  GraphBuilder gb;
  ir::ValueId x = gb.input("x", {rows, cols}, xt);
  ir::ValueId y = gb.node(Op::Softmax, "softmax", {x}, {rows, cols}, rt, {},
                          {{"inp_norm", t.norm}, {"exp_table", t.exp}, {"inv_table", t.inv}, {"accum", t.acc},
                           {"inv_inp", t.inv_inp}});
  gb.last().config.table_size = n;
  gb.last().config.inv_table_size = n_inv ? n_inv : n;
  gb.last().config.softmax_impl = impl;
  gb.output(y);
  return gb.g;
}

TEST(Softmax, StableLatencyArgmaxMatchReference) {
  std::mt19937_64 rng(42);
  FixedType xt = T("ap_fixed<16,6>"), rt = T("ap_fixed<16,6>");
  const SmTypes types[] = {
      {T("ap_fixed<18,8>"), T("ap_fixed<18,8,AP_RND,AP_SAT>"), T("ap_fixed<18,8,AP_RND,AP_SAT>"), T("ap_fixed<18,8>")},
      {T("ap_ufixed<12,5>"), T("ap_ufixed<16,1,AP_RND,AP_SAT>"), T("ap_ufixed<16,6,AP_RND,AP_SAT>"), T("ap_ufixed<16,4>")},
      // W < B for both indices (8-bit types, 1024-entry tables).
      {T("ap_ufixed<8,4>"), T("ap_fixed<18,8,AP_RND,AP_SAT>"), T("ap_fixed<18,8,AP_RND,AP_SAT>"), T("ap_ufixed<8,4,AP_TRN,AP_SAT>")},
      // hls4ml's defaults at ap_fixed<8,3>: 5 exponentials near 1 wrap the sum.
      {T("ap_ufixed<7,2>"), T("ap_fixed<18,8,AP_RND,AP_SAT>"), T("ap_fixed<18,8,AP_RND,AP_SAT>"), T("ap_fixed<8,3>"),
       T("ap_fixed<18,8,AP_RND,AP_SAT>")},
      // A saturating accumulator: the tree order matters.
      {T("ap_ufixed<15,5>"), T("ap_fixed<18,8,AP_RND,AP_SAT>"), T("ap_fixed<18,8,AP_RND,AP_SAT>"), T("ap_fixed<8,2,AP_RND,AP_SAT>"),
       T("ap_ufixed<10,3>")},
  };
  for (const SmTypes& t : types)
    for (const std::string impl : {"stable", "latency", "argmax"})
      for (int n : {1024, 256}) {
        std::vector<double> xs = uniform(rng, 6 * 5, -4, 4);
        xs[3] = xs[4];  // a tie for argmax in row 0 -> the first index wins
        xs[4] = xs[3];
        ir::Graph g = softmax_graph(xt, t, rt, 6, 5, n, impl);
        std::string what = impl + " " + t.norm.str() + " N=" + std::to_string(n);
        run_both(g, {NdArray{{6, 5}, xs}}, {ref_softmax(xs, 5, xt, t, rt, n, impl)}, what);
        // Separate sizes of the exp and inverse tables.
        ir::Graph g2 = softmax_graph(xt, t, rt, 6, 5, n, impl, 64);
        run_both(g2, {NdArray{{6, 5}, xs}}, {ref_softmax(xs, 5, xt, t, rt, n, impl, 64)}, what + " inv N=64");
      }
}

TEST(Softmax, StableIsCloseToTheRealSoftmax) {
  // Sanity of the index rule: with types whose top 10 bits resolve d and the sum finely
  // (steps of 1/64 and 1/128), the result approximates softmax. (Coarser types give coarser
  // results: the indices truncate.)
  std::mt19937_64 rng(3);
  SmTypes t{T("ap_ufixed<16,4>"), T("ap_ufixed<18,2,AP_RND,AP_SAT>"), T("ap_ufixed<18,8,AP_RND,AP_SAT>"), T("ap_ufixed<18,3>"),
            T("ap_ufixed<18,3>")};
  FixedType xt = T("ap_fixed<16,6>"), rt = T("ap_ufixed<16,0,AP_RND,AP_SAT>");
  std::vector<double> xs = uniform(rng, 50 * 5, -3, 3);
  Emulator emu(softmax_graph(xt, t, rt, 50, 5, 1024, "stable"));
  std::vector<double> y = emu.predict({NdArray{{50, 5}, xs}})[0].data;
  for (size_t r = 0; r < 50; ++r) {
    double z = 0;
    for (size_t i = 0; i < 5; ++i) z += std::exp(xs[r * 5 + i]);
    for (size_t i = 0; i < 5; ++i) EXPECT_NEAR(y[r * 5 + i], std::exp(xs[r * 5 + i]) / z, 0.03);
  }
}

TEST(Softmax, TableSizeMustBeAPowerOfTwo) {
  SmTypes t{T("ap_ufixed<16,6>"), T("ap_ufixed<18,2>"), T("ap_ufixed<18,8>"), T("ap_ufixed<18,6>")};
  EXPECT_THROW(Emulator(softmax_graph(T("ap_fixed<16,6>"), t, T("ap_fixed<16,6>"), 1, 5, 1000, "stable")), Error);
  EXPECT_THROW(Emulator(softmax_graph(T("ap_fixed<16,6>"), t, T("ap_fixed<16,6>"), 1, 5, 1024, "fancy")), Error);
}

// The table builders and index functions used by the backends.
TEST(Tables, IndexFunctions) {
  FixedType t = T("ap_fixed<16,6>");  // 10 fraction bits
  // sigmoid: trunc(x * N / 16) + N/2
  EXPECT_EQ(sigmoid_index(0, t, 1024), 512);
  EXPECT_EQ(sigmoid_index(-15, t, 1024), 512);  // x*64 = -0.94 -> 0
  EXPECT_EQ(sigmoid_index(-16, t, 1024), 511);  // x*64 = -1
  EXPECT_EQ(sigmoid_index(16, t, 1024), 513);
  EXPECT_EQ(sigmoid_index(-8 * 1024, t, 1024), 0);
  EXPECT_EQ(sigmoid_index(8 * 1024, t, 1024), 1023);  // 1024 clamped
  EXPECT_EQ(sigmoid_index(-32768, t, 1024), 0);
  // tanh: trunc(x * N / 8) + N/2
  EXPECT_EQ(tanh_index(-7, t, 1024), 512);
  EXPECT_EQ(tanh_index(-8, t, 1024), 511);
  EXPECT_EQ(tanh_index(4 * 1024 - 1, t, 1024), 1023);
  // elu: trunc(-x * N / 8)
  EXPECT_EQ(elu_index(-8, t, 1024), 1);
  EXPECT_EQ(elu_index(-7, t, 1024), 0);
  EXPECT_EQ(elu_index(-100000, T("ap_fixed<20,10>"), 1024), 1023);
  // Integer types and types with more integer bits than width (negative fraction bits).
  EXPECT_EQ(sigmoid_index(1, T("ap_int<8>"), 1024), 576);
  EXPECT_EQ(sigmoid_index(1, T("ap_fixed<4,8>"), 1024), 1023);  // x = 16 -> 1024 + 512 clamped
  EXPECT_EQ(sigmoid_index(-1, T("ap_fixed<4,6>"), 1024), 256);  // x = -4 -> -256 + 512
  // softmax: top bits of the W-bit pattern
  EXPECT_EQ(softmax_index(-1, T("ap_fixed<16,6>"), 1024), 1023);
  EXPECT_EQ(softmax_index(0x40, T("ap_ufixed<16,6>"), 1024), 1);
  EXPECT_EQ(softmax_index(0x3f, T("ap_ufixed<16,6>"), 1024), 0);
  EXPECT_EQ(softmax_index(0x5, T("ap_ufixed<8,4>"), 1024), 5 << 2);
  // Fixed overloads agree with the raw ones.
  std::mt19937_64 rng(5);
  for (int i = 0; i < 2000; ++i) {
    FixedType ty{static_cast<int>(rng() % 40) + 2, static_cast<int>(rng() % 30) - 10, (rng() & 1) != 0};
    int64_t raw = static_cast<int64_t>(rng() >> (64 - ty.width));
    Fixed f = Fixed::from_raw(BigInt::from_u64(static_cast<uint64_t>(raw)), ty);
    int64_t r = f.raw_int64();
    for (int n : {1024, 64, 1000}) {
      EXPECT_EQ(sigmoid_index(f, n), sigmoid_index(r, ty, n)) << f.str();
      EXPECT_EQ(tanh_index(f, n), tanh_index(r, ty, n)) << f.str();
      EXPECT_EQ(elu_index(f, n), elu_index(r, ty, n)) << f.str();
    }
    EXPECT_EQ(softmax_index(f, 1024), softmax_index(r, ty, 1024)) << f.str();
  }
}

TEST(Tables, Contents) {
  FixedType tt = T("ap_fixed<18,8>");
  std::vector<int64_t> s = sigmoid_table(1024, tt);
  ASSERT_EQ(s.size(), 1024u);
  EXPECT_EQ(s[512], 512);   // sigmoid(0) = 0.5 = 512 / 2^10
  EXPECT_EQ(s[0], 0);       // sigmoid(-8) = 0.000335 -> TRN -> 0
  EXPECT_EQ(s[1023], 1023); // sigmoid(7.98) = 0.99966 -> 1023.65 -> TRN 1023
  std::vector<int64_t> th = tanh_table(1024, tt);
  EXPECT_EQ(th[512], 0);
  EXPECT_EQ(th[0], -1024);  // tanh(-4) = -0.99933 -> floor(-1023.3) = -1024
  std::vector<int64_t> el = elu_table(1024, tt);
  EXPECT_EQ(el[0], 0);
  EXPECT_EQ(el[1023], -1024);  // exp(-7.99) - 1 = -0.99966 -> floor -> -1024 (TRN)
  // Softmax: stable table holds exp(-v); index 0 is v = 0 -> 1.0.
  FixedType et = T("ap_fixed<18,8,AP_RND,AP_SAT>");
  std::vector<int64_t> ex = softmax_exp_table(1024, T("ap_ufixed<16,6>"), et, true);
  EXPECT_EQ(ex[0], 1024);
  // Inverse table: k = 0 is 1/0 = +inf -> saturates to the maximum.
  std::vector<int64_t> inv = softmax_inv_table(1024, T("ap_ufixed<16,6>"), et);
  EXPECT_EQ(inv[0], (int64_t{1} << 17) - 1);
  EXPECT_EQ(inv[16], 1024);  // k = 16 -> code 16 << 6 = 1024 -> v = 1.0 -> 1/1
  // Wide table types need the Fixed builders.
  EXPECT_THROW(sigmoid_table(16, T("ap_fixed<80,8>")), Error);
  EXPECT_EQ(sigmoid_table_fixed(16, T("ap_fixed<80,8>"))[8].to_double(), 0.5);
  EXPECT_THROW(softmax_exp_table(1000, T("ap_ufixed<16,6>"), et, true), Error);
}

}  // namespace
}  // namespace tachyon::emulator::testing
