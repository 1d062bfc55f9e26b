#include "tachyon/ir/attrs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tachyon/support/error.h"

namespace tachyon::ir {

namespace {
const char* kind_name(const AttrValue& v) {
  switch (v.index()) {
    case 0: return "int";
    case 1: return "float";
    case 2: return "string";
    case 3: return "ints";
    default: return "floats";
  }
}
template <typename T>
const T& expect(const std::map<std::string, AttrValue>& m, const std::string& k, const char* want) {
  const AttrValue& v = m.at(k);
  if (!std::holds_alternative<T>(v)) fail("attribute '{}' is of kind {}, expected {}", k, kind_name(v), want);
  return std::get<T>(v);
}
}  // namespace

int64_t Attrs::get_int(const std::string& k, int64_t def) const {
  return has(k) ? expect<int64_t>(map_, k, "int") : def;
}

double Attrs::get_float(const std::string& k, double def) const {
  if (!has(k)) return def;
  if (auto* i = std::get_if<int64_t>(&map_.at(k))) return static_cast<double>(*i);
  return expect<double>(map_, k, "float");
}

std::string Attrs::get_string(const std::string& k, const std::string& def) const {
  return has(k) ? expect<std::string>(map_, k, "string") : def;
}

std::vector<int64_t> Attrs::get_ints(const std::string& k, const std::vector<int64_t>& def) const {
  return has(k) ? expect<std::vector<int64_t>>(map_, k, "ints") : def;
}

std::vector<double> Attrs::get_floats(const std::string& k, const std::vector<double>& def) const {
  return has(k) ? expect<std::vector<double>>(map_, k, "floats") : def;
}

int64_t Attrs::int_(const std::string& k) const {
  if (!has(k)) fail("required attribute '{}' is missing", k);
  return expect<int64_t>(map_, k, "int");
}

std::vector<int64_t> Attrs::ints(const std::string& k) const {
  if (!has(k)) fail("required attribute '{}' is missing", k);
  return expect<std::vector<int64_t>>(map_, k, "ints");
}

std::string Attrs::str() const {
  std::string s;
  for (const auto& [k, v] : map_) {
    if (!s.empty()) s += ' ';
    s += k + '=';
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::vector<int64_t>> || std::is_same_v<T, std::vector<double>>)
            s += fmt::format("[{}]", fmt::join(x, ","));
          else if constexpr (std::is_same_v<T, std::string>)
            s += fmt::format("\"{}\"", x);
          else
            s += fmt::format("{}", x);
        },
        v);
  }
  return s;
}

}  // namespace tachyon::ir
