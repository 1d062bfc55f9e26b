// FixedType: parsing every accepted spelling, canonical printing, round trips, error
// messages, result-type rules and range helpers.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tachyon/fixed/fixed_type.h"
#include "tachyon/support/error.h"

namespace tachyon {
namespace {

TEST(FixedTypeParse, AcceptsEverySpellingOfTheSemantics) {
  struct Case {
    const char* text;
    FixedType want;
  } cases[] = {
      {"ap_fixed<16,6>", {16, 6, true, Quant::TRN, Overflow::WRAP, 0}},
      {"ap_fixed<16,6,AP_RND,AP_SAT>", {16, 6, true, Quant::RND, Overflow::SAT, 0}},
      {"ap_fixed<16,6,AP_RND_CONV,AP_SAT_SYM>", {16, 6, true, Quant::RND_CONV, Overflow::SAT_SYM, 0}},
      {"ap_ufixed<8,0>", {8, 0, false, Quant::TRN, Overflow::WRAP, 0}},
      {"ap_int<8>", {8, 8, true, Quant::TRN, Overflow::WRAP, 0}},
      {"ap_uint<4>", {4, 4, false, Quant::TRN, Overflow::WRAP, 0}},
      {"ap_fixed<8,3,AP_TRN,AP_WRAP,2>", {8, 3, true, Quant::TRN, Overflow::WRAP, 2}},
      {"fixed<16,6,RND,SAT>", {16, 6, true, Quant::RND, Overflow::SAT, 0}},
      {"ufixed<10,2,RND_ZERO>", {10, 2, false, Quant::RND_ZERO, Overflow::WRAP, 0}},
      {"int<8>", {8, 8, true, Quant::TRN, Overflow::WRAP, 0}},
      {"uint<8>", {8, 8, false, Quant::TRN, Overflow::WRAP, 0}},
      {"  ap_fixed < 16 , 6 , AP_RND_INF , AP_SAT_ZERO >  ", {16, 6, true, Quant::RND_INF, Overflow::SAT_ZERO, 0}},
      {"ap_fixed<6,-2>", {6, -2, true, Quant::TRN, Overflow::WRAP, 0}},
      {"ap_ufixed<5,9,AP_RND_MIN_INF,AP_WRAP,1>", {5, 9, false, Quant::RND_MIN_INF, Overflow::WRAP, 1}},
      {"ap_fixed<1024,512,AP_TRN_ZERO,AP_SAT>", {1024, 512, true, Quant::TRN_ZERO, Overflow::SAT, 0}},
      {"ap_fixed<1,1>", {1, 1, true, Quant::TRN, Overflow::WRAP, 0}},
      {"fixed<8,3,RND,WRAP,8>", {8, 3, true, Quant::RND, Overflow::WRAP, 8}},
      {"ap_fixed<8,+3>", {8, 3, true, Quant::TRN, Overflow::WRAP, 0}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    FixedType t = FixedType::parse(c.text);
    EXPECT_EQ(t, c.want);
  }
}

TEST(FixedTypePrint, CanonicalVendorSpelling) {
  EXPECT_EQ(FixedType::parse("fixed<16,6>").str(), "ap_fixed<16,6>");
  EXPECT_EQ(FixedType::parse("ufixed<8,0,RND,SAT>").str(), "ap_ufixed<8,0,AP_RND,AP_SAT>");
  EXPECT_EQ(FixedType::parse("ap_fixed<16,6,AP_RND>").str(), "ap_fixed<16,6,AP_RND>");
  EXPECT_EQ(FixedType::parse("ap_fixed<16,6,AP_TRN,AP_SAT>").str(), "ap_fixed<16,6,AP_TRN,AP_SAT>");
  EXPECT_EQ(FixedType::parse("ap_fixed<16,6,AP_TRN,AP_WRAP>").str(), "ap_fixed<16,6>");
  EXPECT_EQ(FixedType::parse("ap_fixed<16,6,AP_TRN,AP_WRAP,0>").str(), "ap_fixed<16,6>");
  EXPECT_EQ(FixedType::parse("ap_fixed<8,3,AP_TRN,AP_WRAP,2>").str(), "ap_fixed<8,3,AP_TRN,AP_WRAP,2>");
  EXPECT_EQ(FixedType::parse("int<8>").str(), "ap_int<8>");
  EXPECT_EQ(FixedType::parse("ap_uint<4>").str(), "ap_uint<4>");
  EXPECT_EQ(FixedType::parse("ap_fixed<8,8>").str(), "ap_int<8>");
  EXPECT_EQ(FixedType::parse("ap_fixed<8,8,AP_RND,AP_SAT>").str(), "ap_fixed<8,8,AP_RND,AP_SAT>");
  // c_type() keeps ap_fixed<W,W> for integer shapes (assignment semantics differ).
  EXPECT_EQ(FixedType::parse("ap_int<8>").c_type(), "ap_fixed<8,8>");
  EXPECT_EQ(FixedType::parse("ap_uint<4>").c_type(), "ap_ufixed<4,4>");
  EXPECT_EQ(FixedType::parse("ap_fixed<16,6,AP_RND,AP_SAT>").c_type(), "ap_fixed<16,6,AP_RND,AP_SAT>");
  EXPECT_STREQ(to_string(Quant::RND_CONV), "AP_RND_CONV");
  EXPECT_STREQ(to_string(Overflow::SAT_SYM), "AP_SAT_SYM");
}

TEST(FixedTypePrint, RoundTripsEveryModeAndShape) {
  int count = 0;
  for (int w : {1, 2, 7, 16, 64, 65, 1024})
    for (int i : {-9, 0, 1, w, w + 5})
      for (bool s : {true, false})
        for (int q = 0; q <= 6; ++q)
          for (int o = 0; o <= 3; ++o)
            for (int n : {0, 1, 2}) {
              if (n > w) continue;
              FixedType t{w, i, s, static_cast<Quant>(q), static_cast<Overflow>(o), n};
              ASSERT_EQ(FixedType::parse(t.str()), t) << t.str();
              ASSERT_EQ(FixedType::parse(t.c_type()), t) << t.c_type();
              ++count;
            }
  EXPECT_GT(count, 5000);
}

// The error must quote the string and say what is wrong.
void expect_error(const std::string& text, const std::string& fragment) {
  try {
    FixedType::parse(text);
    ADD_FAILURE() << "no error for '" << text << "'";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'" + text + "'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << "message: " << msg << "\nexpected to contain: " << fragment;
  }
}

TEST(FixedTypeParse, ClearErrorsForMalformedStrings) {
  expect_error("ap_fixed<0,3>", "width must be 1..1024, got 0");
  expect_error("ap_fixed<1025,3>", "width must be 1..1024");
  expect_error("ap_int<0>", "width must be 1..1024");
  expect_error("ap_fixed<16,6,AP_FOO>", "unknown quantization mode 'AP_FOO'");
  expect_error("ap_fixed<16,6,AP_FOO>", "AP_TRN, AP_TRN_ZERO, AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV");
  expect_error("ap_fixed<16,6,AP_RND,AP_BAR>", "unknown overflow mode 'AP_BAR'");
  expect_error("ap_fixed<16,6,AP_RND,AP_BAR>", "AP_WRAP, AP_SAT, AP_SAT_ZERO, AP_SAT_SYM");
  expect_error("ap_fixed<16,6,AP_RND,AP_WRAP_SM>", "not supported");
  expect_error("ap_fixed<16,6", "missing '>'");
  expect_error("ap_fixed 16,6", "missing '<'");
  expect_error("ap_fixed<x,6>", "width 'x' is not an integer");
  expect_error("ap_fixed<16,6.5>", "integer bits '6.5' is not an integer");
  expect_error("ap_fixed<16,6,AP_RND,AP_SAT,1,2>", "too many parameters (6)");
  expect_error("ap_fixed<8,3,AP_TRN,AP_WRAP,9>", "saturation bits must be in 0..8");
  expect_error("ap_fixed<8,3,AP_TRN,AP_WRAP,-1>", "saturation bits must be in 0..8");
  expect_error("ap_fixed<8,3,AP_TRN,AP_WRAP,n>", "saturation bits 'n' is not an integer");
  expect_error("ap_fixed<16>", "needs at least 2 parameters");
  expect_error("ap_int<8,3>", "takes exactly 1 parameter");
  expect_error("ap_fixed<16,6>x", "unexpected text 'x' after '>'");
  expect_error("ap_float<16,6>", "unknown type name 'ap_float'");
  expect_error("ap_fixed<16,,AP_RND>", "parameter 2 is empty");
  expect_error("ap_fixed<>", "parameter 1 is empty");
  expect_error("", "empty type");
  expect_error("auto", "'auto' is not a concrete type");
  expect_error("ap_fixed<99999999999999999999,6>", "out of range");
  expect_error("ap_fixed<16,100000>", "integer bits must be in");
  expect_error("ap_fixed<16,6,ap_rnd>", "unknown quantization mode 'ap_rnd'");
}

TEST(FixedTypeRules, ResultTypesOfArithmetic) {
  FixedType a{8, 3, true}, b{6, 2, false};
  // README worked example: ap_fixed<8,3> + ap_ufixed<6,2> -> ap_fixed<9,4>.
  EXPECT_EQ(add_type(a, b), (FixedType{9, 4, true}));
  EXPECT_EQ(sub_type(a, b), (FixedType{9, 4, true}));
  EXPECT_EQ(mul_type(a, b), (FixedType{14, 5, true}));
  EXPECT_EQ(neg_type(b), (FixedType{7, 3, true}));
  // Unsigned + unsigned stays unsigned; unsigned - unsigned is signed.
  FixedType u1{4, 2, false}, u2{6, 1, false};
  EXPECT_EQ(add_type(u1, u2), (FixedType{8, 3, false}));
  EXPECT_EQ(sub_type(u1, u2), (FixedType{8, 3, true}));
  // Modes never propagate to results.
  FixedType m{8, 3, true, Quant::RND, Overflow::SAT, 1};
  EXPECT_EQ(mul_type(m, m), (FixedType{16, 6, true}));
  EXPECT_EQ(add_type(m, m).quant, Quant::TRN);
}

TEST(FixedTypeRules, RangeHelpers) {
  FixedType t = FixedType::parse("ap_fixed<8,3>");
  EXPECT_EQ(t.frac_bits(), 5);
  EXPECT_EQ(t.lsb(), 0.03125);
  EXPECT_EQ(t.max_value(), 3.96875);
  EXPECT_EQ(t.min_value(), -4.0);
  FixedType u = FixedType::parse("ap_ufixed<4,2>");
  EXPECT_EQ(u.max_value(), 3.75);
  EXPECT_EQ(u.min_value(), 0.0);
  FixedType i = FixedType::parse("ap_int<8>");
  EXPECT_TRUE(i.is_integer());
  EXPECT_EQ(i.max_value(), 127.0);
  EXPECT_EQ(i.min_value(), -128.0);
  FixedType n = FixedType::parse("ap_fixed<6,-2>");
  EXPECT_EQ(n.lsb(), std::ldexp(1.0, -8));
  EXPECT_EQ(n.max_value(), std::ldexp(31.0, -8));
  FixedType w = FixedType::parse("ap_ufixed<64,64>");
  EXPECT_EQ(w.max_value(), std::ldexp(1.0, 64));  // 2^64 - 1 rounds to 2^64
}

TEST(FixedTypeValidate, RejectsBadFields) {
  EXPECT_NO_THROW((FixedType{8, 3, true}).validate());
  EXPECT_THROW((FixedType{0, 3, true}).validate("accum_t"), Error);
  EXPECT_THROW((FixedType{8, 3, true, Quant::TRN, Overflow::WRAP, 9}).validate(), Error);
}

}  // namespace
}  // namespace tachyon
