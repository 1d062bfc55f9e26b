// VAST printer: expressions, modules, determinism.
#include <gtest/gtest.h>

#include "tachyon/backends/verilog/vast.h"
#include "tachyon/support/error.h"

using namespace tachyon;
using namespace tachyon::backends::verilog::vast;

TEST(Vast, Expressions) {
  EXPECT_EQ(print_expr(var("a")), "a");
  EXPECT_EQ(print_expr(lit(8, 5, true)), "8'sd5");
  EXPECT_EQ(print_expr(lit(8, -5, true)), "-9'sd5");
  EXPECT_EQ(print_expr(lit(1, -1, true)), "-2'sd1");
  EXPECT_EQ(print_expr(lit(4, 3, false)), "4'd3");
  EXPECT_EQ(print_expr(lit(40, BigInt(int64_t{1} << 35), false)), "40'h0800000000");
  EXPECT_EQ(print_expr(binary(binary(var("a"), BinOp::Shl, num(2)), BinOp::Add, var("b"))), "(a <<< 2) + b");
  EXPECT_EQ(print_expr(ternary(var("c"), unary(UnOp::Neg, var("x")), lit(3, -2, true))), "c ? (-x) : (-4'sd2)");
  EXPECT_EQ(print_expr(as_signed(concat({lit(1, 0, false), slice("q", 7, 0)}))), "$signed({1'd0, q[7:0]})");
  EXPECT_EQ(print_expr(replicate(3, slice("s", 4, 4))), "{3{s[4]}}");
  EXPECT_EQ(print_expr(unary(UnOp::RedOr, slice("x", 3, 0))), "|x[3:0]");
  EXPECT_THROW(lit(3, 4, true), Error);   // does not fit signed 3 bits
  EXPECT_THROW(lit(3, -1, false), Error);
  EXPECT_THROW(slice("x", 1, 2), Error);
}

TEST(Vast, ModulePrintsDeterministically) {
  auto build = [] {
    Module m;
    m.name = "top";
    m.header = {"a test module"};
    m.ports = {Port{PortDir::Input, NetKind::Wire, "clk", 1, false}, Port{PortDir::Input, NetKind::Wire, "d", 8, false},
               Port{PortDir::Output, NetKind::Wire, "q", 8, false}};
    m.wire("x", 9, true, binary(as_signed(var("d")), BinOp::Add, lit(2, 1, true)));
    m.reg("r", 8, false);
    m.always_ff("clk", {nonblocking(var("r"), slice("x", 7, 0))});
    m.memory("mem", 4, true, 2);
    m.initial({blocking(element("mem", 0), lit(4, -3, true)), blocking(element("mem", 1), lit(4, 2, true))});
    m.assign(var("q"), var("r"));
    File f;
    f.header = {"file header"};
    f.modules.push_back(m);
    return print_file(f);
  };
  std::string a = build();
  EXPECT_EQ(a, build());
  EXPECT_NE(a.find("module top (\n  input wire clk,\n  input wire [7:0] d,\n  output wire [7:0] q\n);"), std::string::npos) << a;
  EXPECT_NE(a.find("  wire signed [8:0] x = $signed(d) + 2'sd1;"), std::string::npos) << a;
  EXPECT_NE(a.find("  always @(posedge clk) begin\n    r <= x[7:0];\n  end"), std::string::npos) << a;
  EXPECT_NE(a.find("  reg signed [3:0] mem [0:1];"), std::string::npos) << a;
  EXPECT_NE(a.find("    mem[0] = -5'sd3;"), std::string::npos) << a;
  EXPECT_NE(a.find("endmodule"), std::string::npos);
  EXPECT_TRUE(is_keyword("wire"));
  EXPECT_TRUE(is_keyword("logic"));
  EXPECT_FALSE(is_keyword("fc1"));
}
