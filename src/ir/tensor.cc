#include "tachyon/ir/tensor.h"
#include "tachyon/ir/user_layout.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tachyon/support/error.h"

namespace tachyon::ir {

int64_t num_elements(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

std::string shape_str(const Shape& s) { return fmt::format("[{}]", fmt::join(s, ",")); }

std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

Tensor::Tensor(Shape s, std::vector<double> d) : shape(std::move(s)), data(std::move(d)) {
  if (num_elements(shape) != static_cast<int64_t>(data.size()))
    fail("tensor of shape {} has {} values, expected {}", shape_str(shape), data.size(), num_elements(shape));
}

Tensor Tensor::zeros(Shape s) {
  auto n = static_cast<size_t>(num_elements(s));
  return Tensor(std::move(s), std::vector<double>(n, 0.0));
}

double Tensor::at(std::initializer_list<int64_t> idx) const {
  if (idx.size() != shape.size()) fail("tensor index of rank {} into shape {}", idx.size(), shape_str(shape));
  auto st = strides_of(shape);
  int64_t off = 0;
  size_t i = 0;
  for (int64_t v : idx) off += v * st[i++];
  return data.at(static_cast<size_t>(off));
}

Shape permute_shape(const Shape& s, const std::vector<int64_t>& perm) {
  if (perm.size() != s.size()) fail("permutation of rank {} applied to shape {}", perm.size(), shape_str(s));
  Shape r(s.size());
  for (size_t i = 0; i < perm.size(); ++i) r[i] = s.at(static_cast<size_t>(perm[i]));
  return r;
}

std::vector<int64_t> inverse_permutation(const std::vector<int64_t>& perm) {
  std::vector<int64_t> inv(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inv.at(static_cast<size_t>(perm[i])) = static_cast<int64_t>(i);
  return inv;
}

std::vector<int64_t> user_index_map(const Shape& user_shape, const std::vector<int64_t>& perm, const Shape& internal) {
  const int64_t n = num_elements(internal);
  std::vector<int64_t> map(static_cast<size_t>(n));
  if (perm.empty()) {
    if (num_elements(user_shape) != n)
      fail("user shape {} and internal shape {} differ in size", shape_str(user_shape), shape_str(internal));
    for (int64_t k = 0; k < n; ++k) map[static_cast<size_t>(k)] = k;
    return map;
  }
  std::vector<char> seen(user_shape.size(), 0);
  bool ok = perm.size() == user_shape.size();
  for (int64_t a : perm) ok = ok && a >= 0 && a < static_cast<int64_t>(seen.size()) && !seen[static_cast<size_t>(a)]++;
  if (!ok || permute_shape(user_shape, perm) != internal)
    fail("permutation {} does not map user shape {} to internal shape {}", shape_str(perm), shape_str(user_shape),
         shape_str(internal));
  const std::vector<int64_t> ustr = strides_of(user_shape);
  std::vector<int64_t> idx(internal.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t u = 0;
    for (size_t i = 0; i < idx.size(); ++i) u += idx[i] * ustr[static_cast<size_t>(perm[i])];
    map[static_cast<size_t>(k)] = u;
    for (size_t i = idx.size(); i-- > 0;) {
      if (++idx[i] < internal[i]) break;
      idx[i] = 0;
    }
  }
  return map;
}

Tensor Tensor::transposed(const std::vector<int64_t>& perm) const {
  Shape out_shape = permute_shape(shape, perm);
  Tensor out = zeros(out_shape);
  auto in_st = strides_of(shape);
  auto out_st = strides_of(out_shape);
  const size_t rank = shape.size();
  std::vector<int64_t> idx(rank, 0);
  for (int64_t o = 0; o < out.size(); ++o) {
    int64_t rem = o, in_off = 0;
    for (size_t i = 0; i < rank; ++i) {
      int64_t c = rem / out_st[i];
      rem %= out_st[i];
      in_off += c * in_st[static_cast<size_t>(perm[i])];
    }
    out.data[static_cast<size_t>(o)] = data[static_cast<size_t>(in_off)];
  }
  return out;
}

}  // namespace tachyon::ir
