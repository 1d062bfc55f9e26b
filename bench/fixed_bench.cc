// Throughput of the fixed-point core: the fast path (fast.h) for the emulator's inner
// loops, and the general Fixed class for comparison. Items/s = operations per second.
//
//   ninja -C build fixed_bench && ./build/bench/fixed_bench
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "tachyon/fixed/fast.h"
#include "tachyon/fixed/fixed.h"

namespace tachyon {
namespace {

constexpr int kN = 1024;

// Deterministic inputs.
std::vector<double> doubles(double lo, double hi) {
  std::vector<double> v(kN);
  uint64_t s = 42;
  for (double& x : v) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    x = lo + (hi - lo) * static_cast<double>(s >> 11) / 9007199254740992.0;
  }
  return v;
}

const FixedType kData = FixedType::parse("ap_fixed<16,6>");
const FixedType kAccum = FixedType::parse("ap_fixed<32,12>");
const FixedType kProduct = mul_type(kData, kData);  // ap_fixed<32,12>, F = 20

std::vector<int64_t> raws(const FixedType& t, double lo, double hi) {
  std::vector<int64_t> r;
  for (double x : doubles(lo, hi)) r.push_back(from_double_raw(x, t));
  return r;
}

// ---- double -> fixed -------------------------------------------------------------------

void BM_FromDoubleRaw(benchmark::State& state) {
  auto in = doubles(-40, 40);  // some values overflow ap_fixed<16,6> (range +-32)
  int64_t sink = 0;
  for (auto _ : state) {
    for (double x : in) sink += from_double_raw(x, kData);
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(state.iterations() * kN);
}
BENCHMARK(BM_FromDoubleRaw);

void BM_FromDoubleRaw_Plan(benchmark::State& state) {
  auto in = doubles(-40, 40);
  DoubleCastPlan plan(kData);
  int64_t sink = 0;
  for (auto _ : state) {
    for (double x : in) sink += plan.apply(x);
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(state.iterations() * kN);
}
BENCHMARK(BM_FromDoubleRaw_Plan);

void BM_Fixed_FromDouble(benchmark::State& state) {
  auto in = doubles(-40, 40);
  int64_t sink = 0;
  for (auto _ : state) {
    for (double x : in) sink += Fixed::from_double(x, kData).raw_int64();
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(state.iterations() * kN);
}
BENCHMARK(BM_Fixed_FromDouble);

// ---- product -> narrower type (quantization + overflow) ---------------------------------

// Products of ap_fixed<16,6> pairs (F = 20) cast to ap_fixed<16,6,Q,O> (F = 10).
template <Quant Q, Overflow O>
void BM_CastRaw_Product(benchmark::State& state) {
  auto a = raws(kData, -30, 30), b = raws(kData, -30, 30);
  std::vector<i128> prod(kN);
  for (int i = 0; i < kN; ++i) prod[i] = i128{a[i]} * b[i];
  FixedType to = kData;
  to.quant = Q;
  to.overflow = O;
  bool use_plan = state.range(0) != 0;
  CastPlan plan(kProduct.frac_bits(), to);
  int64_t sink = 0;
  for (auto _ : state) {
    if (use_plan)
      for (i128 p : prod) sink += plan.apply(p);
    else
      for (i128 p : prod) sink += cast_raw(p, kProduct.frac_bits(), to);
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(state.iterations() * kN);
  state.SetLabel(to.str() + (use_plan ? " CastPlan" : " cast_raw"));
}
BENCHMARK(BM_CastRaw_Product<Quant::RND, Overflow::SAT>)->Arg(0)->Arg(1);
BENCHMARK(BM_CastRaw_Product<Quant::TRN, Overflow::WRAP>)->Arg(0)->Arg(1);

void BM_Fixed_Cast_Product_RndSat(benchmark::State& state) {
  auto a = raws(kData, -30, 30), b = raws(kData, -30, 30);
  std::vector<Fixed> prod;
  for (int i = 0; i < kN; ++i)
    prod.push_back(Fixed::from_raw(BigInt(a[i]), kData) * Fixed::from_raw(BigInt(b[i]), kData));
  FixedType to = FixedType::parse("ap_fixed<16,6,AP_RND,AP_SAT>");
  int64_t sink = 0;
  for (auto _ : state) {
    for (const Fixed& p : prod) sink += p.cast(to).raw_int64();
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(state.iterations() * kN);
}
BENCHMARK(BM_Fixed_Cast_Product_RndSat);

// ---- multiply-accumulate ---------------------------------------------------------------

// acc (ap_fixed<32,12,Q,O>) += cast<accum>(a * b), a, b: ap_fixed<16,6>, fast path.
template <Quant Q, Overflow O>
void BM_Mac_Fast(benchmark::State& state) {
  auto a = raws(kData, -4, 4), b = raws(kData, -4, 4);
  FixedType acc_t = kAccum;
  acc_t.quant = Q;
  acc_t.overflow = O;
  CastPlan to_acc(kProduct.frac_bits(), acc_t);  // product -> accum_t
  CastPlan acc_add(acc_t.frac_bits(), acc_t);    // acc + x (same type) -> accum_t
  int64_t acc = 0;
  for (auto _ : state) {
    for (int i = 0; i < kN; ++i) acc = acc_add.apply(i128{acc} + to_acc.apply(i128{a[i]} * b[i]));
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(state.iterations() * kN);
  state.SetLabel(acc_t.str());
}
BENCHMARK(BM_Mac_Fast<Quant::TRN, Overflow::WRAP>);
BENCHMARK(BM_Mac_Fast<Quant::RND, Overflow::SAT>);

// ---- 64-element dot product (semantics.md §3 Dense) -----------------------------------

constexpr int kDot = 64;

void BM_Dot64_Fast(benchmark::State& state) {
  auto x = raws(kData, -4, 4), w = raws(kData, -1, 1);
  int64_t bias = from_double_raw(0.5, kData);
  CastPlan bias_to_acc(kData.frac_bits(), kAccum);
  CastPlan to_acc(kProduct.frac_bits(), kAccum);
  CastPlan acc_add(kAccum.frac_bits(), kAccum);
  CastPlan to_result(kAccum.frac_bits(), kData);
  int64_t sink = 0;
  int off = 0;
  for (auto _ : state) {
    const int64_t* xs = x.data() + off;
    const int64_t* ws = w.data() + off;
    int64_t acc = bias_to_acc.apply(bias);
    for (int i = 0; i < kDot; ++i) acc = acc_add.apply(i128{acc} + to_acc.apply(i128{xs[i]} * ws[i]));
    sink += to_result.apply(acc);
    off = (off + kDot) & (kN - 1);
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(state.iterations() * kDot);  // multiply-accumulates
  state.counters["dots/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Dot64_Fast);

void BM_Dot64_Fixed(benchmark::State& state) {
  auto xd = doubles(-4, 4), wd = doubles(-1, 1);
  std::vector<Fixed> x, w;
  for (int i = 0; i < kN; ++i) {
    x.push_back(Fixed::from_double(xd[i], kData));
    w.push_back(Fixed::from_double(wd[i], kData));
  }
  Fixed bias = Fixed::from_double(0.5, kData);
  int64_t sink = 0;
  int off = 0;
  for (auto _ : state) {
    Fixed acc = bias.cast(kAccum);
    for (int i = 0; i < kDot; ++i) acc.add_assign((x[off + i] * w[off + i]).cast(kAccum));
    sink += acc.cast(kData).raw_int64();
    off = (off + kDot) & (kN - 1);
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(state.iterations() * kDot);
  state.counters["dots/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Dot64_Fixed);

}  // namespace
}  // namespace tachyon

BENCHMARK_MAIN();
