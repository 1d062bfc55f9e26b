// VAST printer and builders.
#include "tachyon/backends/verilog/vast.h"

#include <fmt/format.h>

#include <set>

#include "tachyon/support/error.h"

namespace tachyon::backends::verilog::vast {

namespace {

std::shared_ptr<Expr> make(Expr::Kind k) {
  auto e = std::make_shared<Expr>();
  e->kind = k;
  return e;
}

const char* un_text(UnOp op) {
  switch (op) {
    case UnOp::Neg: return "-";
    case UnOp::Not: return "~";
    case UnOp::LNot: return "!";
    case UnOp::RedOr: return "|";
    case UnOp::RedAnd: return "&";
  }
  return "?";
}

const char* bin_text(BinOp op) {
  switch (op) {
    case BinOp::Add: return "+";
    case BinOp::Sub: return "-";
    case BinOp::Mul: return "*";
    case BinOp::Shl: return "<<<";
    case BinOp::Ashr: return ">>>";
    case BinOp::Lshr: return ">>";
    case BinOp::And: return "&";
    case BinOp::Or: return "|";
    case BinOp::Xor: return "^";
    case BinOp::Lt: return "<";
    case BinOp::Le: return "<=";
    case BinOp::Gt: return ">";
    case BinOp::Ge: return ">=";
    case BinOp::Eq: return "==";
    case BinOp::Ne: return "!=";
    case BinOp::LAnd: return "&&";
    case BinOp::LOr: return "||";
  }
  return "?";
}

bool atomic(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Ref:
    case Expr::Kind::Slice:
    case Expr::Kind::Index:
    case Expr::Kind::Concat:
    case Expr::Kind::Replicate:
    case Expr::Kind::Signed:
    case Expr::Kind::Unsigned: return true;
    case Expr::Kind::Literal:
    case Expr::Kind::Number: return !e.value.is_negative();
    case Expr::Kind::Unary:
    case Expr::Kind::Binary:
    case Expr::Kind::Ternary: return false;
  }
  return false;
}

void print_to(std::string& out, const Expr& e);

void print_operand(std::string& out, const ExprP& e) {
  if (atomic(*e)) {
    print_to(out, *e);
  } else {
    out += '(';
    print_to(out, *e);
    out += ')';
  }
}

std::string literal_text(const Expr& e) {
  const BigInt& v = e.value;
  if (e.is_signed) {
    // The magnitude of a negative value needs one more bit than the value (e.g. -2 in 2 bits).
    if (v.is_negative()) return fmt::format("-{}'sd{}", e.width + 1, (-v).to_dec());
    return fmt::format("{}'sd{}", e.width, v.to_dec());
  }
  if (v.bit_length() <= 32) return fmt::format("{}'d{}", e.width, v.to_dec());
  return fmt::format("{}'h{}", e.width, v.to_hex(e.width).substr(2));
}

void print_to(std::string& out, const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Ref: out += e.name; return;
    case Expr::Kind::Literal: out += literal_text(e); return;
    case Expr::Kind::Number: out += e.value.to_dec(); return;
    case Expr::Kind::Slice:
      out += e.name;
      out += e.hi == e.lo ? fmt::format("[{}]", e.hi) : fmt::format("[{}:{}]", e.hi, e.lo);
      return;
    case Expr::Kind::Index:
      out += e.name;
      out += '[';
      if (e.args.empty())
        out += std::to_string(e.hi);
      else
        print_to(out, *e.args[0]);
      out += ']';
      return;
    case Expr::Kind::Unary:
      out += un_text(e.un);
      print_operand(out, e.args[0]);
      return;
    case Expr::Kind::Binary:
      print_operand(out, e.args[0]);
      out += ' ';
      out += bin_text(e.bin);
      out += ' ';
      print_operand(out, e.args[1]);
      return;
    case Expr::Kind::Ternary:
      print_operand(out, e.args[0]);
      out += " ? ";
      print_operand(out, e.args[1]);
      out += " : ";
      print_operand(out, e.args[2]);
      return;
    case Expr::Kind::Concat:
      out += '{';
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i) out += ", ";
        print_to(out, *e.args[i]);
      }
      out += '}';
      return;
    case Expr::Kind::Replicate:
      out += fmt::format("{{{}{{", e.hi);
      print_to(out, *e.args[0]);
      out += "}}";
      return;
    case Expr::Kind::Signed:
    case Expr::Kind::Unsigned:
      out += e.kind == Expr::Kind::Signed ? "$signed(" : "$unsigned(";
      print_to(out, *e.args[0]);
      out += ')';
      return;
  }
}

// Signed nets always get a range (so bits of a 1-bit signed value can be selected).
std::string range_text(int width, bool is_signed = false) {
  return width == 1 && !is_signed ? std::string() : fmt::format("[{}:0] ", width - 1);
}

void print_stmts(std::string& out, const std::vector<StmtP>& body, int indent);

void print_stmt(std::string& out, const Stmt& s, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  switch (s.kind) {
    case Stmt::Kind::NonBlocking:
    case Stmt::Kind::Blocking:
      out += pad;
      print_to(out, *s.lhs);
      out += s.kind == Stmt::Kind::NonBlocking ? " <= " : " = ";
      print_to(out, *s.rhs);
      out += ";\n";
      return;
    case Stmt::Kind::If:
      out += pad + "if (";
      print_to(out, *s.rhs);
      out += ") begin\n";
      print_stmts(out, s.then_body, indent + 2);
      if (!s.else_body.empty()) {
        out += pad + "end else begin\n";
        print_stmts(out, s.else_body, indent + 2);
      }
      out += pad + "end\n";
      return;
    case Stmt::Kind::Case:
      out += pad + "case (";
      print_to(out, *s.subject);
      out += ")\n";
      for (const CaseItem& it : s.items) {
        out += pad + "  ";
        if (it.labels.empty()) {
          out += "default";
        } else {
          for (size_t i = 0; i < it.labels.size(); ++i) {
            if (i) out += ", ";
            print_to(out, *it.labels[i]);
          }
        }
        out += ":";
        if (it.body.size() == 1 && it.body[0]->kind != Stmt::Kind::If && it.body[0]->kind != Stmt::Kind::Case) {
          std::string one;
          print_stmt(one, *it.body[0], 0);
          out += " " + one;
        } else {
          out += " begin\n";
          print_stmts(out, it.body, indent + 4);
          out += pad + "  end\n";
        }
      }
      out += pad + "endcase\n";
      return;
    case Stmt::Kind::Comment: out += pad + "// " + s.text + "\n"; return;
  }
}

void print_stmts(std::string& out, const std::vector<StmtP>& body, int indent) {
  for (const StmtP& s : body) print_stmt(out, *s, indent);
}

void print_comment(std::string& out, const std::string& text, const std::string& pad) {
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    out += pad + (line.empty() ? "//" : "// " + line) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

}  // namespace

ExprP var(const std::string& name) {
  auto e = make(Expr::Kind::Ref);
  e->name = name;
  return e;
}

ExprP lit(int width, const BigInt& value, bool is_signed) {
  if (width < 1) fail("vast: literal width {} < 1", width);
  if (is_signed ? value.bit_length() >= width : (value.is_negative() || value.bit_length() > width))
    fail("vast: literal {} does not fit {} {} bits", value.to_dec(), is_signed ? "signed" : "unsigned", width);
  auto e = make(Expr::Kind::Literal);
  e->width = width;
  e->value = value;
  e->is_signed = is_signed;
  return e;
}

ExprP lit(int width, int64_t value, bool is_signed) { return lit(width, BigInt(value), is_signed); }

ExprP num(int64_t value) {
  auto e = make(Expr::Kind::Number);
  e->value = BigInt(value);
  return e;
}

ExprP slice(const std::string& name, int hi, int lo) {
  if (hi < lo || lo < 0) fail("vast: bad slice {}[{}:{}]", name, hi, lo);
  auto e = make(Expr::Kind::Slice);
  e->name = name;
  e->hi = hi;
  e->lo = lo;
  return e;
}

ExprP element(const std::string& name, int i) {
  auto e = make(Expr::Kind::Index);
  e->name = name;
  e->hi = i;
  return e;
}

ExprP element(const std::string& name, ExprP i) {
  auto e = make(Expr::Kind::Index);
  e->name = name;
  e->args = {std::move(i)};
  return e;
}

ExprP unary(UnOp op, ExprP a) {
  auto e = make(Expr::Kind::Unary);
  e->un = op;
  e->args = {std::move(a)};
  return e;
}

ExprP binary(ExprP a, BinOp op, ExprP b) {
  auto e = make(Expr::Kind::Binary);
  e->bin = op;
  e->args = {std::move(a), std::move(b)};
  return e;
}

ExprP ternary(ExprP cond, ExprP a, ExprP b) {
  auto e = make(Expr::Kind::Ternary);
  e->args = {std::move(cond), std::move(a), std::move(b)};
  return e;
}

ExprP concat(std::vector<ExprP> parts) {
  if (parts.empty()) fail("vast: empty concatenation");
  auto e = make(Expr::Kind::Concat);
  e->args = std::move(parts);
  return e;
}

ExprP replicate(int n, ExprP a) {
  if (n < 1) fail("vast: replication count {} < 1", n);
  auto e = make(Expr::Kind::Replicate);
  e->hi = n;
  e->args = {std::move(a)};
  return e;
}

ExprP as_signed(ExprP a) {
  auto e = make(Expr::Kind::Signed);
  e->args = {std::move(a)};
  return e;
}

ExprP as_unsigned(ExprP a) {
  auto e = make(Expr::Kind::Unsigned);
  e->args = {std::move(a)};
  return e;
}

StmtP nonblocking(ExprP lhs, ExprP rhs) {
  auto s = std::make_shared<Stmt>();
  s->kind = Stmt::Kind::NonBlocking;
  s->lhs = std::move(lhs);
  s->rhs = std::move(rhs);
  return s;
}

StmtP blocking(ExprP lhs, ExprP rhs) {
  auto s = std::make_shared<Stmt>();
  s->kind = Stmt::Kind::Blocking;
  s->lhs = std::move(lhs);
  s->rhs = std::move(rhs);
  return s;
}

StmtP if_(ExprP cond, std::vector<StmtP> then_body, std::vector<StmtP> else_body) {
  auto s = std::make_shared<Stmt>();
  s->kind = Stmt::Kind::If;
  s->rhs = std::move(cond);
  s->then_body = std::move(then_body);
  s->else_body = std::move(else_body);
  return s;
}

StmtP case_(ExprP subject, std::vector<CaseItem> items) {
  auto s = std::make_shared<Stmt>();
  s->kind = Stmt::Kind::Case;
  s->subject = std::move(subject);
  s->items = std::move(items);
  return s;
}

StmtP comment_stmt(std::string text) {
  auto s = std::make_shared<Stmt>();
  s->kind = Stmt::Kind::Comment;
  s->text = std::move(text);
  return s;
}

void Module::comment(std::string text) {
  Item it;
  it.kind = Item::Kind::Comment;
  it.text = std::move(text);
  items.push_back(std::move(it));
}

void Module::blank() { items.push_back(Item{}); }

void Module::wire(const std::string& n, int width, bool is_signed, ExprP init) {
  Item it;
  it.kind = Item::Kind::Decl;
  it.net = NetKind::Wire;
  it.name = n;
  it.width = width;
  it.is_signed = is_signed;
  it.rhs = std::move(init);
  items.push_back(std::move(it));
}

void Module::reg(const std::string& n, int width, bool is_signed, ExprP init) {
  Item it;
  it.kind = Item::Kind::Decl;
  it.net = NetKind::Reg;
  it.name = n;
  it.width = width;
  it.is_signed = is_signed;
  it.rhs = std::move(init);
  items.push_back(std::move(it));
}

void Module::memory(const std::string& n, int width, bool is_signed, int depth) {
  Item it;
  it.kind = Item::Kind::Memory;
  it.net = NetKind::Reg;
  it.name = n;
  it.width = width;
  it.is_signed = is_signed;
  it.depth = depth;
  items.push_back(std::move(it));
}

void Module::assign(ExprP lhs, ExprP rhs) {
  Item it;
  it.kind = Item::Kind::Assign;
  it.lhs = std::move(lhs);
  it.rhs = std::move(rhs);
  items.push_back(std::move(it));
}

void Module::always_ff(const std::string& clock, std::vector<StmtP> body) {
  Item it;
  it.kind = Item::Kind::AlwaysFF;
  it.clock = clock;
  it.body = std::move(body);
  items.push_back(std::move(it));
}

void Module::initial(std::vector<StmtP> body) {
  Item it;
  it.kind = Item::Kind::Initial;
  it.body = std::move(body);
  items.push_back(std::move(it));
}

void Module::instance(const std::string& module, const std::string& n,
                      std::vector<std::pair<std::string, ExprP>> connections) {
  Item it;
  it.kind = Item::Kind::Instance;
  it.text = module;
  it.name = n;
  it.connections = std::move(connections);
  items.push_back(std::move(it));
}

std::string print_expr(const ExprP& e) {
  std::string s;
  print_to(s, *e);
  return s;
}

std::string print_module(const Module& m) {
  std::string out;
  for (const std::string& h : m.header) print_comment(out, h, "");
  out += "module " + m.name + " (";
  for (size_t i = 0; i < m.ports.size(); ++i) {
    const Port& p = m.ports[i];
    out += i ? ",\n  " : "\n  ";
    out += p.dir == PortDir::Input ? "input " : "output ";
    out += p.kind == NetKind::Reg ? "reg " : "wire ";
    if (p.is_signed) out += "signed ";
    out += range_text(p.width, p.is_signed);
    out += p.name;
  }
  out += m.ports.empty() ? ");\n" : "\n);\n";
  for (const Item& it : m.items) {
    switch (it.kind) {
      case Item::Kind::Comment: print_comment(out, it.text, "  "); break;
      case Item::Kind::Blank: out += "\n"; break;
      case Item::Kind::Decl:
        out += it.net == NetKind::Wire ? "  wire " : "  reg ";
        if (it.is_signed) out += "signed ";
        out += range_text(it.width, it.is_signed) + it.name;
        if (it.rhs) {
          out += " = ";
          print_to(out, *it.rhs);
        }
        out += ";\n";
        break;
      case Item::Kind::Memory:
        out += "  reg ";
        if (it.is_signed) out += "signed ";
        out += range_text(it.width, it.is_signed) + it.name + fmt::format(" [0:{}];\n", it.depth - 1);
        break;
      case Item::Kind::Assign:
        out += "  assign ";
        print_to(out, *it.lhs);
        out += " = ";
        print_to(out, *it.rhs);
        out += ";\n";
        break;
      case Item::Kind::AlwaysFF:
        out += "  always @(posedge " + it.clock + ") begin\n";
        print_stmts(out, it.body, 4);
        out += "  end\n";
        break;
      case Item::Kind::Initial:
        out += "  initial begin\n";
        print_stmts(out, it.body, 4);
        out += "  end\n";
        break;
      case Item::Kind::Instance:
        out += "  " + it.text + " " + it.name + " (";
        for (size_t i = 0; i < it.connections.size(); ++i) {
          out += i ? ",\n    ." : "\n    .";
          out += it.connections[i].first + "(";
          if (it.connections[i].second) print_to(out, *it.connections[i].second);
          out += ")";
        }
        out += it.connections.empty() ? ");\n" : "\n  );\n";
        break;
    }
  }
  out += "endmodule\n";
  return out;
}

std::string print_file(const File& f) {
  std::string out;
  for (const std::string& h : f.header) print_comment(out, h, "");
  if (!f.header.empty()) out += "\n";
  for (size_t i = 0; i < f.modules.size(); ++i) {
    if (i) out += "\n";
    out += print_module(f.modules[i]);
  }
  return out;
}

bool is_keyword(const std::string& name) {
  static const std::set<std::string> kw = {
      "always", "and", "assign", "automatic", "begin", "buf", "bufif0", "bufif1", "case", "casex", "casez",
      "cell", "cmos", "config", "deassign", "default", "defparam", "design", "disable", "edge", "else", "end",
      "endcase", "endconfig", "endfunction", "endgenerate", "endmodule", "endprimitive", "endspecify",
      "endtable", "endtask", "event", "for", "force", "forever", "fork", "function", "generate", "genvar",
      "highz0", "highz1", "if", "ifnone", "incdir", "include", "initial", "inout", "input", "instance",
      "integer", "join", "large", "liblist", "library", "localparam", "macromodule", "medium", "module",
      "nand", "negedge", "nmos", "nor", "noshowcancelled", "not", "notif0", "notif1", "or", "output",
      "parameter", "pmos", "posedge", "primitive", "pull0", "pull1", "pulldown", "pullup",
      "pulsestyle_onevent", "pulsestyle_ondetect", "rcmos", "real", "realtime", "reg", "release", "repeat",
      "rnmos", "rpmos", "rtran", "rtranif0", "rtranif1", "scalared", "showcancelled", "signed", "small",
      "specify", "specparam", "strong0", "strong1", "supply0", "supply1", "table", "task", "time", "tran",
      "tranif0", "tranif1", "tri", "tri0", "tri1", "triand", "trior", "trireg", "unsigned", "use",
      "uwire", "vectored", "wait", "wand", "weak0", "weak1", "while", "wire", "wor", "xnor", "xor",
      // SystemVerilog words that Verilator / Yosys in SV mode would reject as identifiers
      "logic", "bit", "byte", "int", "shortint", "longint", "type", "class", "interface", "package",
      "program", "property", "sequence", "string", "this", "super", "new", "final", "unique", "priority"};
  return kw.count(name) != 0;
}

}  // namespace tachyon::backends::verilog::vast
