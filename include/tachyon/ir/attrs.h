// Node attributes: a small typed map with getters that name what is missing or wrong.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace tachyon::ir {

using AttrValue = std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>>;

class Attrs {
 public:
  bool has(const std::string& k) const { return map_.count(k) != 0; }
  void set(const std::string& k, AttrValue v) { map_[k] = std::move(v); }
  void erase(const std::string& k) { map_.erase(k); }

  // Getters throw tachyon::Error("attribute 'k' ...") when present with another type.
  int64_t get_int(const std::string& k, int64_t def) const;
  double get_float(const std::string& k, double def) const;  // accepts ints too
  std::string get_string(const std::string& k, const std::string& def) const;
  std::vector<int64_t> get_ints(const std::string& k, const std::vector<int64_t>& def = {}) const;
  std::vector<double> get_floats(const std::string& k, const std::vector<double>& def = {}) const;
  // Required variants: throw when absent.
  int64_t int_(const std::string& k) const;
  std::vector<int64_t> ints(const std::string& k) const;

  const std::map<std::string, AttrValue>& map() const { return map_; }
  std::string str() const;  // "alpha=0.1 pads=[1,1,1,1]"

 private:
  std::map<std::string, AttrValue> map_;
};

}  // namespace tachyon::ir
