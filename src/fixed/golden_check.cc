// Golden vector evaluation (see golden_check.h and the README next to the vectors).
#include "tachyon/fixed/golden_check.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>

#include "tachyon/fixed/fast.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/support/error.h"

namespace tachyon {

namespace {

using json = nlohmann::json;

const json& field(const json& j, const char* name) {
  if (!j.is_object() || !j.contains(name)) fail("missing field '{}'", name);
  return j.at(name);
}

std::string str_field(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_string()) fail("field '{}' must be a string", name);
  return v.get<std::string>();
}

int64_t int_field(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_number_integer()) fail("field '{}' must be an integer", name);
  return v.get<int64_t>();
}

bool bool_field(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_boolean()) fail("field '{}' must be true or false", name);
  return v.get<bool>();
}

int small_int(const json& j, const char* name, int lo, int hi) {
  int64_t v = int_field(j, name);
  if (v < lo || v > hi) fail("field '{}' = {} is out of range {}..{}", name, v, lo, hi);
  return static_cast<int>(v);
}

FixedType parse_type(const json& j) {
  std::string kind = str_field(j, "kind");
  FixedType t;
  if (kind == "int") {
    t = int_type(small_int(j, "W", 1, 4096), bool_field(j, "S"));
  } else if (kind == "fixed") {
    t.width = small_int(j, "W", 1, 4096);
    t.int_bits = small_int(j, "I", -8192, 8192);
    t.is_signed = bool_field(j, "S");
    std::string q = str_field(j, "Q"), o = str_field(j, "O");
    if (!parse_quant(q, &t.quant)) fail("unknown quantization mode '{}'", q);
    if (!parse_overflow(o, &t.overflow)) fail("unknown overflow mode '{}'", o);
    t.sat_bits = small_int(j, "N", 0, t.width);
  } else {
    fail("unknown type kind '{}' (expected fixed or int)", kind);
  }
  return t;
}

std::string type_desc(const FixedType& t) { return t.str(); }

double parse_double(const json& j) {
  if (str_field(j, "kind") != "double") fail("expected a double descriptor");
  BigInt bits;
  std::string hex = str_field(j, "bits");
  if (!BigInt::from_hex(hex, &bits) || bits.bit_length() > 64) fail("bad double bits '{}'", hex);
  return std::bit_cast<double>(bits.low_u64());
}

std::string double_bits(double d) { return fmt::format("0x{:016x}", std::bit_cast<uint64_t>(d)); }
std::string float_bits(float f) { return fmt::format("0x{:08x}", std::bit_cast<uint32_t>(f)); }

class Checker {
 public:
  explicit Checker(GoldenCaseResult& r) : r_(r) {}

  // A fixed-point input: its type, bits and (checked) value string.
  Fixed input(const json& rec, const char* name) {
    const json& j = field(rec, name);
    FixedType t = parse_type(j);
    Fixed x = Fixed::from_bits_hex(str_field(j, "bits"), t);
    expect(std::string(name) + ".value", str_field(j, "value"), x.to_decimal());
    return x;
  }

  void expect(const std::string& what, const std::string& expected, const std::string& got) {
    if (expected == got) return;
    r_.passed = false;
    r_.expected += (r_.expected.empty() ? "" : " ") + what + "=" + expected;
    r_.got += (r_.got.empty() ? "" : " ") + what + "=" + got;
  }
  void expect_type(const std::string& what, const json& rec, const FixedType& got) {
    FixedType t = parse_type(field(rec, what.c_str()));
    if (!(t == got)) expect(what, type_desc(t), type_desc(got));
  }
  // Top-level bits/value of the result.
  void expect_result(const json& rec, const Fixed& got) {
    expect("bits", str_field(rec, "bits"), got.bits_hex());
    expect("value", str_field(rec, "value"), got.to_decimal());
  }

  void expect_fast_double(double fast, double core) {
    r_.fast_checked = true;
    expect("fast.double", double_bits(core), double_bits(fast));
  }

  // A fast-path result (raw code and overflow flag) against the core's.
  void expect_fast(const FixedType& to, int64_t raw, bool ovf, const Fixed& core, bool core_ovf) {
    r_.fast_checked = true;
    expect("fast.bits", core.bits_hex(), Fixed::from_raw(BigInt(raw), to).bits_hex());
    expect("fast.overflow", core_ovf ? "true" : "false", ovf ? "true" : "false");
  }

  // a op b at full precision through the fast path: the exact result in i128, cast_raw
  // into the result type (which must not change it), when everything fits.
  void check_fast_binary(const Fixed& a, char op, const Fixed& b, const Fixed& core) {
    if (core.type().width > 64 || !fits_i128(a.type())) return;
    check_fast(a.raw().low_i128(), a.type(), op, b, core.type(), core, false);
  }

  // acc op= b through the fast path (exact result in i128, then cast_raw into acc's
  // type), when every quantity fits.
  void check_fast_assign(const Fixed& acc, char op, const Fixed& b, const Fixed& core, bool core_ovf) {
    if (acc.type().width > 64) return;
    check_fast(acc.raw().low_i128(), acc.type(), op, b, acc.type(), core, core_ovf);
  }

  void check_fast(i128 x, const FixedType& at, char op, const Fixed& b, const FixedType& to, const Fixed& core,
                  bool core_ovf) {
    const FixedType& bt = b.type();
    if (!fits_i128(bt)) return;
    i128 y = b.raw().low_i128();
    i128 exact;
    int frac;
    if (op == '*') {
      if (!fits_i128(mul_type(at, bt))) return;
      exact = x * y;
      frac = at.frac_bits() + bt.frac_bits();
    } else {
      FixedType st = op == '+' ? add_type(at, bt) : sub_type(at, bt);
      if (!fits_i128(st)) return;
      frac = st.frac_bits();
      x *= static_cast<i128>(1) << (frac - at.frac_bits());
      y *= static_cast<i128>(1) << (frac - bt.frac_bits());
      exact = op == '+' ? x + y : x - y;
    }
    bool ovf = false;
    int64_t fast = cast_raw(exact, frac, to, &ovf);
    expect_fast(to, fast, ovf, core, core_ovf);
  }

 private:
  GoldenCaseResult& r_;
};

void run(const json& rec, GoldenCaseResult& r) {
  Checker c(r);
  const std::string& op = r.op;
  if (op == "cast") {
    FixedType to = parse_type(field(rec, "to"));
    const json& from = field(rec, "from");
    Fixed got(to);
    bool ovf = false;
    if (str_field(from, "kind") == "double") {
      double d = parse_double(from);
      c.expect("from.value", str_field(from, "value"), double_repr(d));
      got = Fixed::from_double(d, to, &ovf);
      if (to.width <= 64) {
        bool ovf_fast = false, ovf_plan = false;
        int64_t fast = from_double_raw(d, to, &ovf_fast);
        int64_t planned = DoubleCastPlan(to).apply(d, &ovf_plan);
        c.expect_fast(to, fast, ovf_fast, got, ovf);
        c.expect_fast(to, planned, ovf_plan, got, ovf);
      }
    } else {
      Fixed src = c.input(rec, "from");
      got = src.cast(to, &ovf);
      if (to.width <= 64 && fits_i128(src.type())) {
        bool ovf_fast = false, ovf_plan = false;
        int f = src.type().frac_bits();
        int64_t fast = cast_raw(src.raw().low_i128(), f, to, &ovf_fast);
        int64_t planned = CastPlan(f, to).apply(src.raw().low_i128(), &ovf_plan);
        c.expect_fast(to, fast, ovf_fast, got, ovf);
        c.expect_fast(to, planned, ovf_plan, got, ovf);
      }
    }
    c.expect_result(rec, got);
  } else if (op == "add" || op == "sub" || op == "mul") {
    Fixed a = c.input(rec, "a"), b = c.input(rec, "b");
    Fixed got = op == "add" ? a + b : op == "sub" ? a - b : a * b;
    c.expect_type("result_type", rec, got.type());
    c.expect_result(rec, got);
    c.check_fast_binary(a, op == "add" ? '+' : op == "sub" ? '-' : '*', b, got);
  } else if (op == "neg") {
    Fixed got = -c.input(rec, "a");
    c.expect_type("result_type", rec, got.type());
    c.expect_result(rec, got);
  } else if (op == "add_assign" || op == "sub_assign" || op == "mul_assign") {
    Fixed acc = c.input(rec, "acc");
    Fixed b = c.input(rec, "b");
    Fixed start = acc;
    bool ovf = false;
    if (op == "add_assign") acc.add_assign(b, &ovf);
    else if (op == "sub_assign") acc.sub_assign(b, &ovf);
    else acc.mul_assign(b, &ovf);
    c.expect_type("result_type", rec, acc.type());
    c.expect_result(rec, acc);
    char kind = op == "add_assign" ? '+' : op == "sub_assign" ? '-' : '*';
    c.check_fast_assign(start, kind, b, acc, ovf);
  } else if (op == "mac") {
    Fixed acc = c.input(rec, "acc");
    Fixed a = c.input(rec, "a"), b = c.input(rec, "b");
    Fixed p = a * b;
    c.expect_type("product_type", rec, p.type());
    Fixed start = acc;
    bool ovf = false;
    acc.add_assign(p, &ovf);
    c.expect_type("result_type", rec, acc.type());
    c.expect_result(rec, acc);
    if (fits_i128(a.type()) && fits_i128(b.type()) && fits_i128(p.type())) c.check_fast_assign(start, '+', p, acc, ovf);
  } else if (op == "cmp") {
    Fixed a = c.input(rec, "a"), b = c.input(rec, "b");
    Fixed::CmpResult got = Fixed::compare(a, b);
    const json& res = field(rec, "result");
    auto flag = [&](const char* name, bool g) {
      c.expect(std::string("result.") + name, bool_field(res, name) ? "true" : "false", g ? "true" : "false");
    };
    flag("lt", got.lt);
    flag("le", got.le);
    flag("gt", got.gt);
    flag("ge", got.ge);
    flag("eq", got.eq);
    flag("ne", got.ne);
  } else if (op == "to_double") {
    Fixed a = c.input(rec, "a");
    double d = a.to_double();
    float f = a.to_float();
    const json& res = field(rec, "result");
    c.expect("result.bits", str_field(res, "bits"), double_bits(d));
    if (a.type().width <= 64) c.expect_fast_double(raw_to_double(a.raw_int64(), a.type()), d);
    c.expect("result.value", str_field(res, "value"), double_repr(d));
    c.expect("float_bits", str_field(rec, "float_bits"), float_bits(f));
    c.expect("float_value", str_field(rec, "float_value"), double_repr(static_cast<double>(f)));
  } else if (op == "to_apint") {
    Fixed a = c.input(rec, "a");
    FixedType to = parse_type(field(rec, "to"));
    c.expect_result(rec, a.to_apint(to.width, to.is_signed));
    c.expect("to_int", std::to_string(int_field(rec, "to_int")), std::to_string(a.to_int()));
    c.expect("to_int64", std::to_string(int_field(rec, "to_int64")), std::to_string(a.to_int64()));
  } else if (op == "shl" || op == "shr") {
    Fixed a = c.input(rec, "a");
    int64_t k = int_field(rec, "shift");
    if (k < INT32_MIN || k > INT32_MAX) fail("shift {} does not fit in an int", k);
    Fixed got = op == "shl" ? a.shl(static_cast<int>(k)) : a.shr(static_cast<int>(k));
    c.expect_type("result_type", rec, got.type());
    c.expect_result(rec, got);
  } else {
    fail("unknown op '{}' (expected cast, add, sub, mul, neg, add_assign, sub_assign, mul_assign, mac, cmp, "
         "to_double, to_apint, shl, shr)",
         op);
  }
}

// The inputs of a record, human readable (only built for failures).
std::string describe_inputs(const json& rec) {
  std::string s;
  for (const char* name : {"from", "acc", "a", "b", "to", "shift"}) {
    if (!rec.contains(name)) continue;
    const json& j = rec.at(name);
    std::string d;
    if (j.is_object() && j.value("kind", "") == "double")
      d = fmt::format("{} ({})", j.value("bits", "?"), j.value("value", "?"));
    else if (j.is_object() && j.contains("bits"))
      d = fmt::format("{} {} ({})", j.value("bits", "?"), type_desc(parse_type(j)), j.value("value", "?"));
    else if (j.is_object())
      d = type_desc(parse_type(j));
    else
      d = j.dump();
    s += (s.empty() ? "" : ", ") + std::string(name) + "=" + d;
  }
  return s;
}

}  // namespace

GoldenCaseResult check_golden_line(std::string_view json_line) {
  json rec = json::parse(json_line.begin(), json_line.end(), nullptr, /*allow_exceptions=*/false);
  if (rec.is_discarded()) fail("not valid JSON");
  if (!rec.is_object()) fail("expected a JSON object");
  GoldenCaseResult r;
  r.id = rec.contains("id") && rec["id"].is_string() ? rec["id"].get<std::string>() : "?";
  r.op = str_field(rec, "op");
  try {
    run(rec, r);
    if (!r.passed) r.inputs = describe_inputs(rec);
  } catch (const nlohmann::json::exception& e) {
    fail("case {}: malformed record: {}", r.id, e.what());
  } catch (const Error& e) {
    fail("case {}: {}", r.id, e.what());
  }
  return r;
}

}  // namespace tachyon
