// ElementQuant in the IR: per-element types, the container, and the verifier's checks.
#include <gtest/gtest.h>

#include <cmath>

#include "tachyon/ir/element_quant.h"
#include "tachyon/ir/printer.h"
#include "tachyon/ir/verifier.h"
#include "tachyon/support/error.h"

using namespace tachyon;
using namespace tachyon::ir;

namespace {

// x[2,3] -> ElementQuant(k, b, i) -> y; constants as given.
struct Q {
  Graph g;
  NodeId id = 0;
  Q(Tensor k, Tensor b, Tensor i, const std::string& rounding = "AP_RND", const std::string& overflow = "AP_SAT") {
    g.name = "q";
    g.source_file = "model.h5";
    ValueId x = g.add_value("x", {2, 3});
    ValueId y = g.add_value("y", {2, 3});
    id = g.add_node(Op::ElementQuant, "q", {x, g.add_constant("k", std::move(k)), g.add_constant("b", std::move(b)),
                                            g.add_constant("i", std::move(i))},
                    {y});
    g.node(id).source_name = "fixed_point_quantizer";
    g.node(id).attrs.set("rounding", rounding);
    g.node(id).attrs.set("overflow", overflow);
    g.inputs.push_back({x, "x", {2, 3}, {}});
    g.outputs.push_back({y, "y", {2, 3}, {}});
  }
  const Node& n() const { return g.node(id); }
  std::string error() const {
    try {
      verify(g);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
};

}  // namespace

TEST(ElementQuant, TypesBroadcastPerLastAxisAndContainerHoldsEveryType) {
  // Per last-axis element: signed <4,2>, unsigned <3,-1> (negative integer bits), pruned.
  Q q(Tensor({3}, {1, 0, 1}), Tensor({3}, {4, 3, 0}), Tensor({3}, {2, -1, 7}));
  ASSERT_NO_THROW(verify(q.g));
  auto t = element_quant_types(q.g, q.n());
  ASSERT_EQ(t.size(), 6u);
  for (size_t r = 0; r < 2; ++r) {
    EXPECT_EQ(t[r * 3 + 0], FixedType::parse("ap_fixed<4,2,AP_RND,AP_SAT>"));
    EXPECT_EQ(t[r * 3 + 1], FixedType::parse("ap_ufixed<3,-1,AP_RND,AP_SAT>"));
    EXPECT_FALSE(t[r * 3 + 2].has_value());
  }
  // Signed container: integer bits max(2, -1 + 1 for the unsigned element) = 2, fraction
  // bits max(2, 4) = 4 (the pruned element's integers value 7 plays no role).
  EXPECT_EQ(element_quant_container(q.g, q.n()), FixedType::parse("ap_fixed<6,2>"));
  auto r = element_quant_ranges(q.g, q.n());
  EXPECT_EQ(r[1].lo, BigInt(0));
  EXPECT_EQ(r[1].hi, BigInt(7));
  EXPECT_EQ(r[1].frac, 4);
  EXPECT_EQ(r[0].lo, BigInt(-8));
  EXPECT_FALSE(r[2].type.has_value());
  EXPECT_EQ(r[2].hi, BigInt(0));
  std::string s = print_graph(q.g);
  EXPECT_NE(s.find("element types 2  pruned 2"), std::string::npos) << s;
  EXPECT_NE(s.find("bits "), std::string::npos) << s;
}

TEST(ElementQuant, ContainerRules) {
  using T = std::optional<FixedType>;
  // All unsigned: unsigned container; I > B keeps its integer bits.
  EXPECT_EQ(element_quant_container(std::vector<T>{fixed_type(3, 5, false), fixed_type(4, 1, false)}),
            FixedType::parse("ap_ufixed<8,5>"));
  // A signed element makes the unsigned one need one more integer bit.
  EXPECT_EQ(element_quant_container(std::vector<T>{fixed_type(3, 5, false), fixed_type(2, 1, true)}),
            FixedType::parse("ap_fixed<7,6>"));
  // Everything pruned.
  EXPECT_EQ(element_quant_container(std::vector<T>{std::nullopt, std::nullopt}), FixedType::parse("ap_uint<1>"));
  // Full-shape constants and scalars mix.
  Q q(Tensor::scalar(0), Tensor({2, 3}, {1, 2, 3, 4, 5, 6}), Tensor({1, 3}, {0, 1, 2}), "AP_TRN", "AP_WRAP");
  ASSERT_NO_THROW(verify(q.g)) << q.error();
  auto t = element_quant_types(q.g, q.n());
  EXPECT_EQ(t[4], FixedType::parse("ap_ufixed<5,1>"));
  EXPECT_EQ(element_quant_container(q.g, q.n()), FixedType::parse("ap_ufixed<6,2>"));
}

TEST(ElementQuant, VerifierNamesNodeOpAndProblem) {
  auto err = [](Q q) { return q.error(); };
  std::string e = err(Q(Tensor::scalar(1), Tensor({3}, {4, 65, 2}), Tensor::scalar(1)));
  EXPECT_NE(e.find("model.h5: node 'fixed_point_quantizer' (ElementQuant)"), std::string::npos) << e;
  EXPECT_NE(e.find("the bits constant 'b' holds 65, which is outside 0..64"), std::string::npos) << e;
  e = err(Q(Tensor::scalar(1), Tensor({3}, {4, 2.5, 2}), Tensor::scalar(1)));
  EXPECT_NE(e.find("holds 2.5, which is not an integer"), std::string::npos) << e;
  e = err(Q(Tensor::scalar(1), Tensor({3}, {4, 4, 2}), Tensor({4}, {1, 1, 1, 1})));
  EXPECT_NE(e.find("the integers constant 'i' of shape [4] does not broadcast to the input shape [2,3]"), std::string::npos) << e;
  e = err(Q(Tensor::scalar(1), Tensor::scalar(4), Tensor::scalar(1), "AP_ROUND"));
  EXPECT_NE(e.find("attribute 'rounding' is 'AP_ROUND'"), std::string::npos) << e;
  e = err(Q(Tensor::scalar(1), Tensor::scalar(4), Tensor::scalar(1), "AP_RND", "CLAMP"));
  EXPECT_NE(e.find("attribute 'overflow' is 'CLAMP'"), std::string::npos) << e;
  e = err(Q(Tensor::scalar(1), Tensor({3}, {64, 64, 1}), Tensor({3}, {4000, -4000, 0})));
  EXPECT_NE(e.find("need a container of"), std::string::npos) << e;
  e = err(Q(Tensor::scalar(std::nan("")), Tensor::scalar(4), Tensor::scalar(1)));
  EXPECT_NE(e.find("keep_negative constant 'k' holds nan"), std::string::npos) << e;
  // Not a constant, wrong input count, rounding of the wrong kind.
  Q q(Tensor::scalar(1), Tensor::scalar(4), Tensor::scalar(1));
  q.g.node(q.id).inputs[2] = q.g.inputs[0].value;
  EXPECT_NE(q.error().find("input 2 ('x', the bits) must be a constant"), std::string::npos) << q.error();
  q.g.node(q.id).inputs.pop_back();
  EXPECT_NE(q.error().find("expects 4 inputs (x, keep_negative, bits, integers), has 3"), std::string::npos) << q.error();
  Q r(Tensor::scalar(1), Tensor::scalar(4), Tensor::scalar(1));
  r.g.node(r.id).attrs.set("rounding", int64_t{3});
  EXPECT_NE(r.error().find("rounding"), std::string::npos) << r.error();
  EXPECT_THROW(element_quant_types(r.g, r.n()), Error);
  // Typed level: the output must carry exactly the container.
  Q t(Tensor::scalar(1), Tensor::scalar(4), Tensor({3}, {1, 2, 3}));
  for (size_t v = 0; v < t.g.num_values(); ++v) t.g.value(static_cast<ValueId>(v)).type = FixedType::parse("ap_fixed<8,4>");
  e = err(t);
  EXPECT_EQ(e, "");
  try {
    verify(t.g, VerifyLevel::Typed);
    FAIL();
  } catch (const Error& ex) {
    EXPECT_NE(std::string(ex.what()).find("output 'y' has type ap_fixed<8,4>, but the element types need exactly the container "
                                          "ap_fixed<6,3>"),
              std::string::npos)
        << ex.what();
  }
  t.g.value(t.g.outputs[0].value).type = element_quant_container(t.g, t.n());
  EXPECT_NO_THROW(verify(t.g, VerifyLevel::Typed));
}
