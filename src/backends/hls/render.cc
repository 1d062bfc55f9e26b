// Template rendering, C++ literals and identifiers for generated code.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "backends/hls/hls_internal.h"
#include "tachyon/ir/diagnostic.h"
#include "tachyon/support/error.h"
#include "tachyon/support/strings.h"

namespace tachyon::backends::hls {

namespace {
bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

std::string render(std::string_view tmpl, const std::map<std::string, std::string>& vars, std::string_view what) {
  std::string out;
  out.reserve(tmpl.size() * 2);
  std::set<std::string> used;
  size_t i = 0;
  while (i < tmpl.size()) {
    // A placeholder is {{name}} with a C identifier name ({{0}} in C++ code is not one).
    if (tmpl.compare(i, 2, "{{") == 0 && i + 2 < tmpl.size() &&
        (std::isalpha(static_cast<unsigned char>(tmpl[i + 2])) || tmpl[i + 2] == '_')) {
      size_t j = i + 2;
      while (j < tmpl.size() && ident_char(tmpl[j])) ++j;
      if (j > i + 2 && tmpl.compare(j, 2, "}}") == 0) {
        std::string key(tmpl.substr(i + 2, j - i - 2));
        auto it = vars.find(key);
        if (it == vars.end()) fail("internal error: {}: no value for placeholder '{{{{{}}}}}'", what, key);
        out += it->second;
        used.insert(key);
        i = j + 2;
        continue;
      }
    }
    out += tmpl[i++];
  }
  for (const auto& [k, v] : vars)
    if (!used.count(k)) fail("internal error: {}: value '{}' is not used by the template", what, k);
  return out;
}

std::string double_literal(double d) {
  if (std::isnan(d)) fail("cannot write NaN as a constant in generated code");
  if (std::isinf(d)) return d > 0 ? "HUGE_VAL" : "-HUGE_VAL";
  if (d == 0) return "0";
  // fmt's shortest representation round-trips exactly; make it a double literal.
  std::string s = fmt::format("{}", d);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string exact_literal(const Fixed& v) {
  // A value k * 2^e is a double when |k| has at most 53 significant bits (after removing
  // trailing zeros) and the exponent is in range; to_double() is then exact.
  BigInt k = v.raw().abs();
  if (k.is_zero()) return "0";
  int64_t tz = 0;
  while (!k.bit(tz)) ++tz;
  if (k.bit_length() - tz > 53) return "";
  double d = v.to_double();
  if (!std::isfinite(d)) return "";
  Fixed back = Fixed::from_double(d, v.type());
  if (!(back == v)) return "";
  return double_literal(d);
}

std::string call(const std::string& fn, const std::vector<std::string>& targs, const std::vector<std::string>& args) {
  std::string s = "tachyon_hls::" + fn;
  if (!targs.empty()) {
    s += "<";
    for (size_t i = 0; i < targs.size(); ++i) s += (i ? ", " : "") + targs[i];
    s += ">";
  }
  s += "(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
  return s + ");";
}

Names::Names() {
  // C++ keywords and names the generated code uses itself.
  static const char* const reserved[] = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
      "char", "char16_t", "char32_t", "class", "compl", "const", "constexpr", "const_cast", "continue", "decltype",
      "default", "delete", "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false",
      "float", "for", "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept",
      "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
      "reinterpret_cast", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
      "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename", "union",
      "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "main", "tachyon_hls", "ap_fixed",
      "ap_ufixed", "ap_int", "ap_uint", "std", "defines_h_", "parameters_h_"};
  for (const char* r : reserved) used_.insert(r);
}

std::string Names::claim(const std::string& base) {
  std::string b = ir::sanitize_identifier(base);
  // Names starting with an underscore followed by a capital or containing "__" are reserved.
  while (b.find("__") != std::string::npos) b.erase(b.find("__"), 1);
  std::string cand = b;
  for (int i = 2; used_.count(to_lower(cand)); ++i) cand = fmt::format("{}_{}", b, i);
  used_.insert(to_lower(cand));
  return cand;
}

std::string comment_text(const std::string& s) {
  std::string r = s;
  for (char& c : r) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (c == '\\') c = '/';  // a trailing backslash would continue the comment
  }
  return r;
}

std::string node_prefix(const ir::Graph& g, const ir::Node& n) {
  // The same file, node and op as ir::node_diag, as a prefix for a message.
  const Diagnostic d = ir::node_diag(g, n, "");
  return fmt::format("{}node '{}' ({}): ", d.file.empty() ? std::string() : d.file + ": ", d.node, d.op);
}

std::vector<std::string> constant_literals(const ir::Tensor& t, const FixedType& type, const std::string& what) {
  std::vector<std::string> out;
  out.reserve(t.data.size());
  for (double d : t.data) {
    if (std::isnan(d)) fail("{}: NaN in a constant", what);
    Fixed q = Fixed::from_double(d, type);
    std::string s = exact_literal(q);
    // Wider than a double: the original double, whose conversion (the constructor from
    // double, the same operation as the emulator's) gives the same value.
    out.push_back(s.empty() ? double_literal(d) : s);
  }
  return out;
}

}  // namespace tachyon::backends::hls
