#include "tachyon/ir/element_quant.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tachyon/fixed/fixed.h"
#include "tachyon/support/error.h"

namespace tachyon::ir {

namespace {

const char* const kConstNames[] = {"keep_negative", "bits", "integers"};

// Does shape t broadcast to `to` (numpy rules, right-aligned; extra leading axes of size 1)?
bool broadcasts(const Shape& t, const Shape& to) {
  const size_t extra = t.size() > to.size() ? t.size() - to.size() : 0;
  for (size_t a = 0; a < extra; ++a)
    if (t[a] != 1) return false;
  for (size_t a = extra; a < t.size(); ++a) {
    const int64_t d = t[a], xd = to[to.size() - (t.size() - a)];
    if (d != 1 && d != xd) return false;
  }
  return true;
}

struct Mode {
  Quant quant = Quant::TRN;
  Overflow overflow = Overflow::WRAP;
};

// Rounding / overflow attributes; appends problems.
Mode mode_of(const Node& n, std::vector<std::string>& problems) {
  Mode m;
  try {
    const std::string r = n.attrs.get_string("rounding", "AP_TRN");
    if (!parse_quant(r, &m.quant))
      problems.push_back(fmt::format("attribute 'rounding' is '{}', not a quantization mode (AP_TRN, AP_TRN_ZERO, AP_RND, "
                                     "AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV)",
                                     r));
    const std::string o = n.attrs.get_string("overflow", "AP_WRAP");
    if (!parse_overflow(o, &m.overflow))
      problems.push_back(fmt::format(
          "attribute 'overflow' is '{}', not an overflow mode (AP_WRAP, AP_SAT, AP_SAT_ZERO, AP_SAT_SYM)", o));
  } catch (const Error& e) {  // present with another kind
    problems.push_back(e.what());
  }
  return m;
}

std::vector<std::optional<FixedType>> types_of(const Graph& g, const Node& n, const Mode& m) {
  const Shape& xs = g.value(n.inputs[0]).shape;
  const Tensor& kt = g.constant(n.inputs[1]);
  const Tensor& bt = g.constant(n.inputs[2]);
  const Tensor& it = g.constant(n.inputs[3]);
  const int64_t count = num_elements(xs);
  std::vector<std::optional<FixedType>> r(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const int b = static_cast<int>(broadcast_at(bt, xs, i));
    if (b == 0) continue;
    r[static_cast<size_t>(i)] =
        fixed_type(b, static_cast<int>(broadcast_at(it, xs, i)), broadcast_at(kt, xs, i) != 0, m.quant, m.overflow);
  }
  return r;
}

}  // namespace

double broadcast_at(const Tensor& t, const Shape& to, int64_t i) {
  if (t.size() == 1) return t.data[0];
  const std::vector<int64_t> st_to = strides_of(to);
  const std::vector<int64_t> st_t = strides_of(t.shape);
  const size_t extra = t.shape.size() > to.size() ? t.shape.size() - to.size() : 0;
  const size_t shift = to.size() + extra - t.shape.size();  // to-axes before t's first axis
  int64_t off = 0;
  for (size_t a = shift; a < to.size(); ++a) {
    const size_t ta = a - shift + extra;
    if (t.shape[ta] != 1) off += ((i / st_to[a]) % to[a]) * st_t[ta];
  }
  return t.data.at(static_cast<size_t>(off));
}

std::vector<std::string> element_quant_problems(const Graph& g, const Node& n) {
  std::vector<std::string> p;
  if (n.inputs.size() != 4) {
    p.push_back(fmt::format("expects 4 inputs (x, keep_negative, bits, integers), has {}", n.inputs.size()));
    return p;
  }
  if (n.outputs.size() != 1) p.push_back(fmt::format("expects 1 output, has {}", n.outputs.size()));
  const auto nv = static_cast<ValueId>(g.num_values());
  for (ValueId v : n.inputs)
    if (v < 0 || v >= nv) return p;  // the verifier reports missing values
  const Mode m = mode_of(n, p);
  const Shape& xs = g.value(n.inputs[0]).shape;
  bool constants_ok = true;
  for (size_t k = 1; k < 4; ++k) {
    const Value& v = g.value(n.inputs[k]);
    const char* what = kConstNames[k - 1];
    if (!v.is_constant()) {
      p.push_back(fmt::format("input {} ('{}', the {}) must be a constant", k, v.name, what));
      constants_ok = false;
      continue;
    }
    const Tensor& t = *v.constant;
    if (t.size() < 1 || static_cast<int64_t>(t.data.size()) != num_elements(t.shape)) {
      p.push_back(fmt::format("the {} constant '{}' has shape {} but {} values", what, v.name, shape_str(t.shape), t.data.size()));
      constants_ok = false;
      continue;
    }
    if (t.size() != 1 && !broadcasts(t.shape, xs)) {
      p.push_back(fmt::format("the {} constant '{}' of shape {} does not broadcast to the input shape {}", what, v.name,
                              shape_str(t.shape), shape_str(xs)));
      constants_ok = false;
      continue;
    }
    for (double d : t.data) {
      std::string bad;
      if (!std::isfinite(d) || d != std::floor(d))
        bad = "is not an integer";
      else if (k == 2 && (d < 0 || d > kElementQuantMaxBits))
        bad = fmt::format("is outside 0..{}", kElementQuantMaxBits);
      else if (k == 3 && std::fabs(d) > kMaxParsedIntBits)
        bad = fmt::format("is outside -{0}..{0}", kMaxParsedIntBits);
      if (!bad.empty()) {
        p.push_back(fmt::format("the {} constant '{}' holds {}, which {}", what, v.name, d, bad));
        constants_ok = false;
        break;
      }
    }
  }
  if (!constants_ok || !p.empty()) return p;
  const FixedType c = element_quant_container(types_of(g, n, m));
  if (c.width > kMaxParsedWidth)
    p.push_back(fmt::format("the element types need a container of {} bits ({} integer, {} fraction bits); the limit is {}",
                            c.width, c.int_bits, c.frac_bits(), kMaxParsedWidth));
  return p;
}

std::vector<std::optional<FixedType>> element_quant_types(const Graph& g, const Node& n) {
  std::vector<std::string> problems = element_quant_problems(g, n);
  if (!problems.empty()) {
    std::vector<Diagnostic> ds;
    for (std::string& m : problems)
      ds.push_back({g.source_file, n.source_name.empty() ? n.name : n.source_name, std::string(op_name(n.op)), std::move(m)});
    throw Error(std::move(ds));
  }
  std::vector<std::string> ignored;
  return types_of(g, n, mode_of(n, ignored));
}

FixedType element_quant_container(const std::vector<std::optional<FixedType>>& types) {
  bool any = false, is_signed = false;
  int ib = 0, fb = 0;
  for (const auto& t : types)
    if (t) is_signed = is_signed || t->is_signed;
  for (const auto& t : types) {
    if (!t) continue;
    const int need = t->int_bits + (is_signed && !t->is_signed ? 1 : 0);
    ib = any ? std::max(ib, need) : need;
    fb = any ? std::max(fb, t->frac_bits()) : t->frac_bits();
    any = true;
  }
  if (!any) return fixed_type(1, 1, false);
  return fixed_type(ib + fb, ib, is_signed);
}

FixedType element_quant_container(const Graph& g, const Node& n) {
  return element_quant_container(element_quant_types(g, n));
}

std::vector<ElementRange> element_quant_ranges(const Graph& g, const Node& n) {
  std::vector<ElementRange> r;
  for (const auto& t : element_quant_types(g, n)) {
    ElementRange e;
    e.type = t;
    if (t) {
      e.lo = code_min(*t);
      e.hi = code_max(*t);
      e.frac = t->frac_bits();
    }
    r.push_back(std::move(e));
  }
  return r;
}

}  // namespace tachyon::ir
