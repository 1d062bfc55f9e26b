// The op suite's cases: one small typed graph per op (or per op variant), at hls4ml-style
// fixed-point types chosen so that the op's own conversions round and saturate or wrap on
// the generated inputs. See op_cases.h.
#include "op_cases.h"

#include <cmath>
#include <functional>
#include <memory>

#include "unit/element_quant_util.h"

namespace tachyon::opsuite {

using ir::Op;
using ir::ValueId;
using testing::attrs;
using testing::GraphBuilder;
using testing::T;

namespace {

// Random weights on the grid of t over its whole range, about a fifth of them zero.
ir::Tensor weights(ir::Shape shape, const FixedType& t, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(t.min_value(), t.max_value());
  std::vector<double> d(static_cast<size_t>(ir::num_elements(shape)));
  for (double& v : d) v = rng() % 5 == 0 ? 0.0 : Fixed::from_double(u(rng), t).to_double();
  return ir::Tensor(std::move(shape), std::move(d));
}

// x -> op -> y with the output typed `out`; returns nothing (the case's single output is y).
void unary(GraphBuilder& b, Op op, ir::Shape shape, const char* in, const char* out, ir::Attrs a = {},
           std::map<std::string, FixedType> types = {}, int table_size = 0) {
  ValueId x = b.input("x", shape, T(in));
  ValueId y = b.node(op, "op", {x}, shape, T(out), std::move(a), std::move(types));
  if (table_size > 0) b.last().config.table_size = table_size;
  b.output(y);
}

void softmax(GraphBuilder& b, const char* impl) {
  ValueId x = b.input("x", {2, 5}, T("ap_fixed<12,4>"));
  ValueId y = b.node(Op::Softmax, "op", {x}, {2, 5}, T("ap_ufixed<12,0,AP_RND,AP_SAT>"), {},
                     {{"inp_norm", T("ap_fixed<14,6,AP_RND,AP_SAT>")},
                      {"exp_table", T("ap_fixed<18,8,AP_RND,AP_SAT>")},
                      {"inv_table", T("ap_fixed<18,8,AP_RND,AP_SAT>")},
                      {"accum", T("ap_fixed<16,6>")},
                      {"inv_inp", T("ap_fixed<18,8,AP_RND,AP_SAT>")}});
  b.last().config.softmax_impl = impl;
  b.last().config.table_size = 256;
  b.last().config.inv_table_size = 256;
  b.output(y);
}

// A random tree ensemble over n_features inputs: depth <= 4, thresholds on and off the input
// grid and outside its range.
std::shared_ptr<ir::TreeEnsembleData> ensemble(int n_features, int n_outputs, ir::TreeCompare cmp, std::mt19937_64& rng) {
  auto d = std::make_shared<ir::TreeEnsembleData>();
  d->n_features = n_features;
  d->n_outputs = n_outputs;
  d->compare = cmp;
  d->source_format = "test";
  for (int c = 0; c < n_outputs; ++c) d->base_score.push_back(0.25 * (c + 1));
  std::uniform_real_distribution<double> th(-5, 5), leaf(-1.5, 1.5);
  for (int k = 0; k < 4 * n_outputs; ++k) {
    ir::Tree t;
    t.class_id = k % n_outputs;
    std::function<void(int)> grow = [&](int depth) {
      auto i = static_cast<size_t>(t.nodes.size() - 1);
      if (depth == 4 || (depth > 0 && rng() % 4 == 0)) {
        t.nodes[i].value = leaf(rng);
        return;
      }
      t.nodes[i].feature = static_cast<int32_t>(rng() % static_cast<uint64_t>(n_features));
      // Half the thresholds on the 2^-4 grid, where <= and < differ.
      double v = th(rng);
      t.nodes[i].threshold = rng() % 2 ? std::ldexp(std::floor(std::ldexp(v, 4)), -4) : v;
      t.nodes.emplace_back();
      t.nodes[i].left = static_cast<int32_t>(t.nodes.size() - 1);
      grow(depth + 1);
      t.nodes.emplace_back();
      t.nodes[i].right = static_cast<int32_t>(t.nodes.size() - 1);
      grow(depth + 1);
    };
    t.nodes.emplace_back();
    grow(0);
    d->trees.push_back(std::move(t));
  }
  return d;
}

}  // namespace

const std::vector<OpCase>& op_cases() {
  static const std::vector<OpCase> cases = [] {
    std::vector<OpCase> c;
    auto add = [&c](const char* name, Op op, std::function<void(GraphBuilder&, std::mt19937_64&)> f) {
      c.push_back({name, op, std::move(f)});
    };
    // ---- Dense and convolutions
    add("Dense", Op::Dense, [](GraphBuilder& b, std::mt19937_64& rng) {
      FixedType wt = T("ap_fixed<6,2>");
      ValueId x = b.input("x", {6}, T("ap_fixed<8,3>"));
      ValueId y = b.node(Op::Dense, "op", {x, b.constant("w", weights({6, 4}, wt, rng), wt), b.constant("b", weights({4}, wt, rng), wt)},
                         {4}, T("ap_fixed<8,3,AP_RND,AP_SAT>"), {}, {{"accum", T("ap_fixed<16,6>")}});
      b.output(y);
    });
    add("DenseWrapAccum", Op::Dense, [](GraphBuilder& b, std::mt19937_64& rng) {
      // A narrow wrapping accumulator: the order of the accumulation matters only through
      // the final wrap (modular sums).
      FixedType wt = T("ap_fixed<5,1>");
      ValueId x = b.input("x", {2, 5}, T("ap_fixed<8,4>"));
      ValueId y = b.node(Op::Dense, "op", {x, b.constant("w", weights({5, 3}, wt, rng), wt)}, {2, 3}, T("ap_fixed<7,2,AP_RND_CONV,AP_SAT>"),
                         {}, {{"accum", T("ap_fixed<9,3>")}});
      b.output(y);
    });
    add("DenseWide", Op::Dense, [](GraphBuilder& b, std::mt19937_64& rng) {
      // Wide types: 48-bit accumulator products beyond 32 bits, a 40-bit result.
      FixedType wt = T("ap_fixed<18,4>");
      ValueId x = b.input("x", {4}, T("ap_fixed<24,8>"));
      ValueId y = b.node(Op::Dense, "op", {x, b.constant("w", weights({4, 3}, wt, rng), wt), b.constant("b", weights({3}, wt, rng), wt)},
                         {3}, T("ap_fixed<40,10,AP_RND,AP_SAT>"), {}, {{"accum", T("ap_fixed<48,12,AP_RND_CONV,AP_SAT>")}});
      b.output(y);
    });
    add("DenseReuse4", Op::Dense, [](GraphBuilder& b, std::mt19937_64& rng) {
      FixedType wt = T("ap_fixed<6,2>");
      ValueId x = b.input("x", {8}, T("ap_fixed<8,3>"));
      ValueId y = b.node(Op::Dense, "op", {x, b.constant("w", weights({8, 2}, wt, rng), wt)}, {2}, T("ap_fixed<10,4,AP_RND,AP_SAT>"), {},
                         {{"accum", T("ap_fixed<14,6,AP_RND,AP_SAT>")}});
      b.last().config.reuse_factor = 4;
      b.output(y);
    });
    // Folded in the Verilog backend: 12 x 6 weights over 8 phases (4 input slices x 2 output
    // slices), wrapping accumulator with products truncated onto it.
    add("DenseReuse8Wrap", Op::Dense, [](GraphBuilder& b, std::mt19937_64& rng) {
      FixedType wt = T("ap_fixed<8,2>");
      ValueId x = b.input("x", {12}, T("ap_fixed<10,4>"));
      ValueId y = b.node(Op::Dense, "op", {x, b.constant("w", weights({12, 6}, wt, rng), wt), b.constant("b", weights({6}, wt, rng), wt)},
                         {6}, T("ap_fixed<10,4,AP_RND,AP_SAT>"), {}, {{"accum", T("ap_fixed<14,6>")}});
      b.last().config.reuse_factor = 8;
      b.output(y);
    });
    add("Conv1D", Op::Conv, [](GraphBuilder& b, std::mt19937_64& rng) {
      FixedType wt = T("ap_fixed<6,2>");
      ValueId x = b.input("x", {9, 2}, T("ap_fixed<8,3>"));
      ValueId y = b.node(Op::Conv, "op", {x, b.constant("w", weights({3, 2, 3}, wt, rng), wt), b.constant("b", weights({3}, wt, rng), wt)},
                         {5, 3}, T("ap_fixed<10,4,AP_RND,AP_SAT>"),
                         attrs({{"strides", std::vector<int64_t>{2}}, {"pads", std::vector<int64_t>{1, 1}}}),
                         {{"accum", T("ap_fixed<16,6>")}});
      b.output(y);
    });
    add("Conv2D", Op::Conv, [](GraphBuilder& b, std::mt19937_64& rng) {
      // Grouped, padded; a saturating accumulator.
      FixedType wt = T("ap_fixed<6,2>");
      ValueId x = b.input("x", {3, 3, 2}, T("ap_fixed<8,3>"));
      ValueId y = b.node(Op::Conv, "op", {x, b.constant("w", weights({2, 2, 1, 4}, wt, rng), wt)}, {3, 3, 4}, T("ap_fixed<8,3>"),
                         attrs({{"pads", std::vector<int64_t>{1, 0, 0, 1}}, {"group", int64_t{2}}}),
                         {{"accum", T("ap_fixed<10,4,AP_RND,AP_SAT>")}});
      b.output(y);
    });
    add("Conv2DStridedDilated", Op::Conv, [](GraphBuilder& b, std::mt19937_64& rng) {
      FixedType wt = T("ap_fixed<6,2>");
      ValueId x = b.input("x", {6, 6, 1}, T("ap_fixed<8,3>"));
      ValueId y = b.node(Op::Conv, "op", {x, b.constant("w", weights({2, 2, 1, 2}, wt, rng), wt)}, {2, 2, 2}, T("ap_fixed<12,5>"),
                         attrs({{"strides", std::vector<int64_t>{2, 2}}, {"dilations", std::vector<int64_t>{2, 2}}}),
                         {{"accum", T("ap_fixed<20,8>")}});
      b.output(y);
    });
    // ---- Pooling
    add("MaxPool1D", Op::MaxPool, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x = b.input("x", {8, 2}, T("ap_fixed<8,3>"));
      b.output(b.node(Op::MaxPool, "op", {x}, {4, 2}, T("ap_fixed<6,2,AP_RND,AP_SAT>"),
                      attrs({{"kernel_shape", std::vector<int64_t>{2}}, {"strides", std::vector<int64_t>{2}}})));
    });
    add("MaxPool2D", Op::MaxPool, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x = b.input("x", {4, 5, 2}, T("ap_fixed<8,3>"));
      ValueId y = b.node(Op::MaxPool, "op", {x}, {2, 3, 2}, T("ap_fixed<8,3>"),
                         attrs({{"kernel_shape", std::vector<int64_t>{2, 2}},
                                {"strides", std::vector<int64_t>{2, 2}},
                                {"pads", std::vector<int64_t>{0, 0, 0, 1}}}));
      b.output(y);
    });
    add("AvgPool1D", Op::AvgPool, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x = b.input("x", {7, 2}, T("ap_fixed<8,3>"));
      ValueId y = b.node(Op::AvgPool, "op", {x}, {4, 2}, T("ap_fixed<8,3,AP_RND>"),
                         attrs({{"kernel_shape", std::vector<int64_t>{3}},
                                {"strides", std::vector<int64_t>{2}},
                                {"pads", std::vector<int64_t>{1, 1}},
                                {"count_include_pad", int64_t{1}}}),
                         {{"accum", T("ap_fixed<12,5>")}});
      b.output(y);
    });
    add("AvgPool2D", Op::AvgPool, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x = b.input("x", {3, 3, 2}, T("ap_fixed<8,3>"));
      ValueId y = b.node(Op::AvgPool, "op", {x}, {3, 3, 2}, T("ap_fixed<10,3,AP_RND>"),
                         attrs({{"kernel_shape", std::vector<int64_t>{2, 2}},
                                {"pads", std::vector<int64_t>{1, 0, 0, 1}},
                                {"count_include_pad", int64_t{0}}}),
                         {{"accum", T("ap_fixed<10,4,AP_TRN,AP_SAT>")}});
      b.output(y);
    });
    add("GlobalMaxPool1D", Op::GlobalMaxPool, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x = b.input("x", {6, 3}, T("ap_fixed<8,3>"));
      b.output(b.node(Op::GlobalMaxPool, "op", {x}, {1, 3}, T("ap_fixed<6,2,AP_RND,AP_SAT>")));
    });
    add("GlobalAvgPool2D", Op::GlobalAvgPool, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x = b.input("x", {3, 4, 2}, T("ap_fixed<8,3>"));
      b.output(b.node(Op::GlobalAvgPool, "op", {x}, {1, 1, 2}, T("ap_fixed<12,3,AP_RND_CONV>"), {}, {{"accum", T("ap_fixed<14,7>")}}));
    });
    // ---- Activations
    add("Relu", Op::Relu, [](GraphBuilder& b, std::mt19937_64&) { unary(b, Op::Relu, {8}, "ap_fixed<10,4>", "ap_ufixed<6,2,AP_RND,AP_SAT>"); });
    add("ReluThresholded", Op::Relu, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::Relu, {8}, "ap_fixed<10,3>", "ap_fixed<8,2>", attrs({{"theta", 0.3}}), {{"param", T("ap_fixed<8,2>")}});
    });
    add("LeakyRelu", Op::LeakyRelu, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::LeakyRelu, {8}, "ap_fixed<10,4>", "ap_fixed<8,3,AP_RND,AP_SAT>", attrs({{"alpha", 0.3}}), {{"param", T("ap_fixed<8,1>")}});
    });
    add("LeakyReluCoarseAlpha", Op::LeakyRelu, [](GraphBuilder& b, std::mt19937_64&) {
      // alpha = 4 in a type whose LSB is 4 (negative fraction bits).
      unary(b, Op::LeakyRelu, {8}, "ap_fixed<10,4>", "ap_fixed<12,7>", attrs({{"alpha", 4.0}}), {{"param", T("ap_fixed<4,6>")}});
    });
    add("PRelu", Op::PRelu, [](GraphBuilder& b, std::mt19937_64& rng) {
      FixedType pt = T("ap_fixed<8,2>");
      ValueId x = b.input("x", {3, 4}, T("ap_fixed<10,4>"));
      ValueId y = b.node(Op::PRelu, "op", {x, b.constant("slope", weights({4}, pt, rng), pt)}, {3, 4}, T("ap_fixed<8,3,AP_RND,AP_SAT>"));
      b.output(y);
    });
    add("Elu", Op::Elu, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::Elu, {8}, "ap_fixed<12,4>", "ap_fixed<10,3,AP_RND,AP_SAT>", attrs({{"alpha", 0.7}}),
            {{"table", T("ap_fixed<18,8>")}, {"param", T("ap_fixed<8,2>")}}, 1024);
    });
    add("Sigmoid", Op::Sigmoid, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::Sigmoid, {8}, "ap_fixed<16,6>", "ap_fixed<16,6>", {}, {{"table", T("ap_fixed<18,8>")}}, 1024);
    });
    add("SigmoidSmallTable", Op::Sigmoid, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::Sigmoid, {8}, "ap_fixed<8,4>", "ap_ufixed<8,0,AP_RND,AP_SAT>", {}, {{"table", T("ap_fixed<18,8>")}}, 64);
    });
    add("Tanh", Op::Tanh, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::Tanh, {8}, "ap_fixed<10,4>", "ap_fixed<8,2,AP_RND,AP_SAT>", {}, {{"table", T("ap_fixed<18,8>")}}, 1024);
    });
    add("HardSigmoid", Op::HardSigmoid, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::HardSigmoid, {8}, "ap_fixed<9,4>", "ap_ufixed<8,1,AP_RND,AP_SAT>", attrs({{"alpha", 0.2}, {"beta", 0.5}}),
            {{"param", T("ap_fixed<8,1,AP_RND>")}});
    });
    add("HardSigmoidCoarseParam", Op::HardSigmoid, [](GraphBuilder& b, std::mt19937_64&) {
      // An integer input and a parameter type whose LSB is 4: alpha * x + beta has negative
      // fraction bits.
      unary(b, Op::HardSigmoid, {8}, "ap_fixed<6,6>", "ap_ufixed<8,1,AP_RND,AP_SAT>", attrs({{"alpha", 4.0}, {"beta", 8.0}}),
            {{"param", T("ap_fixed<4,6>")}});
    });
    add("Clip", Op::Clip, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::Clip, {8}, "ap_fixed<9,4>", "ap_fixed<8,3>", attrs({{"min", -1.3}, {"max", 2.2}}));
    });
    add("SoftmaxStable", Op::Softmax, [](GraphBuilder& b, std::mt19937_64&) { softmax(b, "stable"); });
    add("SoftmaxLatency", Op::Softmax, [](GraphBuilder& b, std::mt19937_64&) { softmax(b, "latency"); });
    add("SoftmaxArgmax", Op::Softmax, [](GraphBuilder& b, std::mt19937_64&) { softmax(b, "argmax"); });
    add("UnaryTableSoftplus", Op::UnaryTable, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::UnaryTable, {8}, "ap_fixed<12,5>", "ap_fixed<12,5>", attrs({{"function", std::string("softplus")}}),
            {{"table", T("ap_fixed<18,8>")}}, 1024);
    });
    add("UnaryTableSoftsign", Op::UnaryTable, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::UnaryTable, {8}, "ap_fixed<10,4>", "ap_fixed<8,1,AP_RND,AP_SAT>", attrs({{"function", std::string("softsign")}}),
            {{"table", T("ap_fixed<18,8>")}}, 100);
    });
    add("UnaryTableErf", Op::UnaryTable, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::UnaryTable, {8}, "ap_fixed<14,4>", "ap_fixed<10,2>", attrs({{"function", std::string("erf")}}),
            {{"table", T("ap_fixed<18,8>")}}, 63);
    });
    // ---- Quantizers and per-channel arithmetic
    add("Cast", Op::Cast, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::Cast, {8}, "ap_fixed<12,5>", "ap_fixed<6,2,AP_RND_CONV,AP_SAT_SYM>");
    });
    add("CastWrap", Op::Cast, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::Cast, {8}, "ap_fixed<12,5>", "ap_ufixed<5,3,AP_RND_INF,AP_WRAP>");
    });
    add("Scale", Op::Scale, [](GraphBuilder& b, std::mt19937_64& rng) {
      FixedType pt = T("ap_fixed<8,2>");
      ValueId x = b.input("x", {3, 4}, T("ap_fixed<10,4>"));
      b.output(b.node(Op::Scale, "op", {x, b.constant("s", weights({4}, pt, rng), pt)}, {3, 4}, T("ap_fixed<8,3,AP_RND,AP_SAT>")));
    });
    add("BatchNorm", Op::BatchNorm, [](GraphBuilder& b, std::mt19937_64& rng) {
      FixedType pt = T("ap_fixed<8,2>");
      ValueId x = b.input("x", {2, 3}, T("ap_fixed<8,3>"));
      b.output(b.node(Op::BatchNorm, "op", {x, b.constant("scale", weights({3}, pt, rng), pt), b.constant("shift", weights({3}, pt, rng), pt)},
                      {2, 3}, T("ap_fixed<10,4,AP_RND,AP_SAT>")));
    });
    add("ElementQuant", Op::ElementQuant, [](GraphBuilder& b, std::mt19937_64&) {
      // Behind a conversion: the Verilog backend builds each element's rounding and overflow.
      ValueId x = b.input("x", {8}, T("ap_fixed<14,6>"));
      ValueId pre = b.node(Op::Cast, "pre", {x}, {8}, T("ap_fixed<15,6>"));
      std::string p = b.prefix;
      b.output(eq_testing::add_element_quant(b.g, pre, p + "op", eq_testing::kMixed, "AP_RND", "AP_SAT", {8}), "y");
    });
    add("ElementQuantOnInput", Op::ElementQuant, [](GraphBuilder& b, std::mt19937_64&) {
      // Read only by the quantizer, the input carries each element in its own type (Verilog:
      // per-element bus fields, the quantization done by the code conversion).
      ValueId x = b.input("x", {8}, T("ap_fixed<14,6>"));
      std::string p = b.prefix;
      b.output(eq_testing::add_element_quant(b.g, x, p + "op", eq_testing::kMixed, "AP_RND", "AP_SAT", {8}), "y");
    });
    // ---- Element-wise arithmetic and merges
    add("Add", Op::Add, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x0 = b.input("x0", {2, 3}, T("ap_fixed<8,3>"));
      ValueId x1 = b.input("x1", {2, 3}, T("ap_fixed<10,2>"));
      b.output(b.node(Op::Add, "op", {x0, x1}, {2, 3}, T("ap_fixed<8,3,AP_RND,AP_SAT>")));
    });
    add("SubConstant", Op::Sub, [](GraphBuilder& b, std::mt19937_64& rng) {
      FixedType pt = T("ap_fixed<8,2>");
      ValueId x = b.input("x", {2, 3}, T("ap_fixed<8,3>"));
      b.output(b.node(Op::Sub, "op", {x, b.constant("c", weights({3}, pt, rng), pt)}, {2, 3}, T("ap_fixed<9,4,AP_RND_ZERO,AP_SAT_SYM>")));
    });
    add("Mul", Op::Mul, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x0 = b.input("x0", {6}, T("ap_fixed<8,3>"));
      ValueId x1 = b.input("x1", {6}, T("ap_fixed<9,4>"));
      b.output(b.node(Op::Mul, "op", {x0, x1}, {6}, T("ap_fixed<10,5,AP_RND_INF,AP_WRAP>")));
    });
    add("Concat", Op::Concat, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x0 = b.input("x0", {2, 3}, T("ap_fixed<8,3>"));
      ValueId x1 = b.input("x1", {2, 2}, T("ap_fixed<10,5>"));
      b.output(b.node(Op::Concat, "op", {x0, x1}, {2, 5}, T("ap_fixed<9,4,AP_RND,AP_SAT>"), attrs({{"axis", int64_t{1}}})));
    });
    // ---- Layout
    add("Reshape", Op::Reshape, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x = b.input("x", {2, 3, 2}, T("ap_fixed<8,3>"));
      b.output(b.node(Op::Reshape, "op", {x}, {3, 4}, T("ap_fixed<6,2,AP_RND,AP_SAT>")));
    });
    add("Transpose", Op::Transpose, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x = b.input("x", {2, 3, 4}, T("ap_fixed<8,3>"));
      b.output(b.node(Op::Transpose, "op", {x}, {4, 2, 3}, T("ap_fixed<8,3>"), attrs({{"perm", std::vector<int64_t>{2, 0, 1}}})));
    });
    add("TransposeRank5", Op::Transpose, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x = b.input("x", {2, 1, 2, 1, 3}, T("ap_fixed<8,3>"));
      b.output(b.node(Op::Transpose, "op", {x}, {3, 2, 1, 2, 1}, T("ap_fixed<8,3>"), attrs({{"perm", std::vector<int64_t>{4, 0, 1, 2, 3}}})));
    });
    add("Pad", Op::Pad, [](GraphBuilder& b, std::mt19937_64&) {
      ValueId x = b.input("x", {3, 2}, T("ap_fixed<8,3>"));
      b.output(b.node(Op::Pad, "op", {x}, {5, 3}, T("ap_fixed<9,4,AP_RND,AP_SAT>"),
                      attrs({{"pads", std::vector<int64_t>{1, 0, 1, 1}}, {"value", 0.75}})));
    });
    add("Identity", Op::Identity, [](GraphBuilder& b, std::mt19937_64&) {
      unary(b, Op::Identity, {6}, "ap_fixed<8,3>", "ap_fixed<8,3>");
    });
    // ---- Trees
    add("TreeEnsembleLessEqual", Op::TreeEnsemble, [](GraphBuilder& b, std::mt19937_64& rng) {
      ValueId x = b.input("x", {5}, T("ap_fixed<10,3,AP_RND,AP_SAT>"));
      ValueId y = b.node(Op::TreeEnsemble, "op", {x}, {3}, T("ap_fixed<14,5,AP_RND,AP_SAT>"), {},
                         {{"threshold", T("ap_fixed<10,3,AP_RND,AP_SAT>")}, {"score", T("ap_fixed<12,3,AP_RND_CONV>")}});
      b.last().trees = ensemble(5, 3, ir::TreeCompare::LessEqual, rng);
      b.output(y);
    });
    add("TreeEnsembleLess", Op::TreeEnsemble, [](GraphBuilder& b, std::mt19937_64& rng) {
      ValueId x = b.input("x", {4}, T("ap_fixed<10,3>"));
      ValueId y = b.node(Op::TreeEnsemble, "op", {x}, {1}, T("ap_fixed<8,2,AP_RND,AP_SAT>"), {},
                         {{"threshold", T("ap_fixed<8,2>")}, {"score", T("ap_fixed<12,3>")}});
      b.last().trees = ensemble(4, 1, ir::TreeCompare::Less, rng);
      b.output(y);
    });
    return c;
  }();
  return cases;
}

const std::vector<Exclusion>& exclusions() {
  using testing::Executor;
  static const std::vector<Exclusion> list = {
      {"DenseReuse4", Executor::Netlist,
       "a folded layer (ReuseFactor > 1) adds in another order than the emulator: the Verilog backend needs a wrapping "
       "accumulator or one that cannot overflow, and this saturating one can"},
      {"DenseReuse4", Executor::RtlVerilator, "same as Netlist (saturating accumulator that can overflow, ReuseFactor > 1)"},
      {"DenseReuse4", Executor::RtlIcarus, "same as Netlist (saturating accumulator that can overflow, ReuseFactor > 1)"},
      {"HardSigmoidCoarseParam", Executor::Netlist,
       "the Verilog backend's HardSigmoid needs alpha * x and beta on a grid with >= 0 fraction bits"},
      {"HardSigmoidCoarseParam", Executor::RtlVerilator, "same as Netlist (HardSigmoid on a grid with negative fraction bits)"},
      {"HardSigmoidCoarseParam", Executor::RtlIcarus, "same as Netlist (HardSigmoid on a grid with negative fraction bits)"},
      {"TransposeRank5", Executor::HlsCsim, "the HLS backend's layout functions take tensors of rank <= 4"},
  };
  return list;
}

const Exclusion* find_exclusion(const std::string& case_name, testing::Executor e) {
  for (const Exclusion& x : exclusions())
    if (x.case_name == case_name && x.executor == e) return &x;
  return nullptr;
}

ir::Graph build_cases(const std::vector<const OpCase*>& cases, const std::string& graph_name, bool prefix_names,
                      std::vector<CaseSpan>* spans) {
  GraphBuilder b(graph_name);
  for (const OpCase* c : cases) {
    b.prefix = prefix_names ? c->name + "_" : "";
    CaseSpan s{b.g.inputs.size(), 0, b.g.outputs.size(), 0};
    std::mt19937_64 rng(seed_of(c->name));
    c->build(b, rng);
    s.input_count = b.g.inputs.size() - s.first_input;
    s.output_count = b.g.outputs.size() - s.first_output;
    if (spans) spans->push_back(s);
  }
  return b.g;
}

uint64_t seed_of(const std::string& name) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: the same on every platform
  for (unsigned char ch : name) h = (h ^ ch) * 1099511628211ull;
  return h;
}

NdArray edge_inputs(const ir::Shape& shape, const FixedType& t, int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> in_range(t.min_value(), t.max_value() + t.lsb()), u01(0, 1);
  const double specials[] = {0.0, t.lsb(), -t.lsb(), t.min_value(), t.max_value(), t.lsb() / 2, -t.lsb() / 2, 1.5 * t.lsb()};
  NdArray a;
  a.shape = {n};
  a.shape.insert(a.shape.end(), shape.begin(), shape.end());
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    const double r = u01(rng);
    double v;
    if (r < 0.6) {
      v = Fixed::from_double(in_range(rng), t).to_double();  // on the grid
    } else if (r < 0.75) {
      v = specials[rng() % std::size(specials)];  // extremes, exact ties of the LSB
    } else if (r < 0.9) {
      v = in_range(rng);  // between grid points: the input conversion's Q step
    } else {
      v = (u01(rng) < 0.5 ? t.min_value() : t.max_value()) * (1.1 + u01(rng));  // beyond the range: its O step
    }
    a.data.push_back(v);
  }
  return a;
}

}  // namespace tachyon::opsuite
