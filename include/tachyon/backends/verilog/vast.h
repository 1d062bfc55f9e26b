// VAST: a small Verilog-2005 AST and its printer.
//
// The Verilog backend builds every generated design as this tree and prints it; no
// generated RTL is assembled from strings. The printer is deterministic (same tree, same
// bytes), indents with two spaces and fully parenthesises nested binary / ternary
// expressions so precedence never depends on the reader's memory.
//
// Scope: what synthesisable pipelined datapaths need — modules with ports, wire / reg
// declarations (widths, signedness, memories), continuous assignments, always @(posedge clk)
// blocks with non-blocking assignments, initial blocks for ROM contents, case statements,
// module instances, comments.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tachyon/fixed/bigint.h"

namespace tachyon::backends::verilog::vast {

// ---------------------------------------------------------------- expressions
enum class UnOp { Neg, Not, LNot, RedOr, RedAnd };
enum class BinOp { Add, Sub, Mul, Shl, Ashr, Lshr, And, Or, Xor, Lt, Le, Gt, Ge, Eq, Ne, LAnd, LOr };

struct Expr;
using ExprP = std::shared_ptr<const Expr>;

struct Expr {
  enum class Kind { Ref, Literal, Number, Slice, Index, Unary, Binary, Ternary, Concat, Replicate, Signed, Unsigned };
  Kind kind = Kind::Ref;
  std::string name;        // Ref, Slice, Index: the referenced identifier
  int width = 0;           // Literal width (bits)
  bool is_signed = false;  // Literal: printed with 's'
  BigInt value;            // Literal value (in range of width/signedness)
  int hi = 0, lo = 0;      // Slice [hi:lo]; Index [hi]; Replicate count (hi)
  UnOp un{};
  BinOp bin{};
  std::vector<ExprP> args;
};

ExprP var(const std::string& name);
// Sized literal. Signed literals print in decimal (negative: -W'sdM), unsigned ones in
// decimal below 2^32 and hex above. `width` must hold `value`.
ExprP lit(int width, const BigInt& value, bool is_signed);
ExprP lit(int width, int64_t value, bool is_signed);
// Unsized decimal number (shift amounts, indices): prints as "3".
ExprP num(int64_t value);
ExprP slice(const std::string& name, int hi, int lo);
ExprP element(const std::string& name, int i);
ExprP element(const std::string& name, ExprP i);  // memory / bit index by expression
ExprP unary(UnOp op, ExprP a);
ExprP binary(ExprP a, BinOp op, ExprP b);
ExprP ternary(ExprP cond, ExprP a, ExprP b);
ExprP concat(std::vector<ExprP> parts);  // {a, b, ...}: a is the most significant part
ExprP replicate(int n, ExprP a);         // {n{a}}
ExprP as_signed(ExprP a);                // $signed(a)
ExprP as_unsigned(ExprP a);              // $unsigned(a)

// ---------------------------------------------------------------- statements
struct Stmt;
using StmtP = std::shared_ptr<const Stmt>;

struct CaseItem {
  std::vector<ExprP> labels;  // empty: default
  std::vector<StmtP> body;
};

struct Stmt {
  enum class Kind { NonBlocking, Blocking, If, Case, Comment };
  Kind kind = Kind::NonBlocking;
  ExprP lhs, rhs;  // assignments; If: rhs is the condition
  std::vector<StmtP> then_body, else_body;
  ExprP subject;  // Case
  std::vector<CaseItem> items;
  std::string text;  // Comment
};

StmtP nonblocking(ExprP lhs, ExprP rhs);
StmtP blocking(ExprP lhs, ExprP rhs);
StmtP if_(ExprP cond, std::vector<StmtP> then_body, std::vector<StmtP> else_body = {});
StmtP case_(ExprP subject, std::vector<CaseItem> items);
StmtP comment_stmt(std::string text);

// ---------------------------------------------------------------- module items
enum class NetKind { Wire, Reg };
enum class PortDir { Input, Output };

struct Port {
  PortDir dir = PortDir::Input;
  NetKind kind = NetKind::Wire;
  std::string name;
  int width = 1;
  bool is_signed = false;
};

struct Item {
  enum class Kind { Comment, Blank, Decl, Memory, Assign, AlwaysFF, Initial, Instance };
  Kind kind = Kind::Blank;
  std::string text;           // Comment (may hold several lines); Instance: module name
  NetKind net = NetKind::Wire;  // Decl / Memory
  std::string name;           // Decl / Memory / Instance name
  int width = 1;              // Decl / Memory word width
  bool is_signed = false;     // Decl / Memory
  int depth = 0;              // Memory: number of words [0:depth-1]
  ExprP lhs, rhs;             // Assign; Decl with initialiser (wire x = rhs;)
  std::string clock;          // AlwaysFF
  std::vector<StmtP> body;    // AlwaysFF / Initial
  std::vector<std::pair<std::string, ExprP>> connections;  // Instance (.port(expr))
};

struct Module {
  std::string name;
  std::vector<std::string> header;  // comment lines printed above the module
  std::vector<Port> ports;
  std::vector<Item> items;

  // Builders (append an item).
  void comment(std::string text);
  void blank();
  void wire(const std::string& name, int width, bool is_signed, ExprP init = nullptr);
  void reg(const std::string& name, int width, bool is_signed, ExprP init = nullptr);  // init: power-up value
  void memory(const std::string& name, int width, bool is_signed, int depth);
  void assign(ExprP lhs, ExprP rhs);
  void always_ff(const std::string& clock, std::vector<StmtP> body);
  void initial(std::vector<StmtP> body);
  void instance(const std::string& module, const std::string& name,
                std::vector<std::pair<std::string, ExprP>> connections);
};

struct File {
  std::vector<std::string> header;  // comment lines at the top of the file
  std::vector<Module> modules;
};

// Printing. Unsigned nets of width 1 print without a range.
std::string print_expr(const ExprP& e);
std::string print_module(const Module& m);
std::string print_file(const File& f);

// True when `name` is a Verilog-2005 reserved word.
bool is_keyword(const std::string& name);

}  // namespace tachyon::backends::verilog::vast
