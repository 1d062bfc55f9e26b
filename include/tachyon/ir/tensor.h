// Shapes and constant tensors of the IR.
//
// Shapes never include the batch dimension. Inside the IR every tensor is channels-last
// (e.g. [H, W, C] for images, [L, C] for sequences); frontends convert channels-first models
// and record the user-facing layout in Graph::inputs/outputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tachyon::ir {

using Shape = std::vector<int64_t>;

int64_t num_elements(const Shape& s);
std::string shape_str(const Shape& s);  // "[16,64]"

// Row-major strides of a shape.
std::vector<int64_t> strides_of(const Shape& s);

// A constant: values in double (exact for every fixed-point type up to 53 significant bits;
// quantization to the value's FixedType happens where it is used), row-major.
struct Tensor {
  Shape shape;
  std::vector<double> data;

  Tensor() = default;
  Tensor(Shape s, std::vector<double> d);
  static Tensor zeros(Shape s);
  static Tensor scalar(double v) { return Tensor({}, {v}); }
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  bool is_scalar() const { return data.size() == 1; }
  double at(std::initializer_list<int64_t> idx) const;
  // Permutes axes: result.shape[i] = shape[perm[i]].
  Tensor transposed(const std::vector<int64_t>& perm) const;
};

// Applies a permutation to a shape: result[i] = s[perm[i]].
Shape permute_shape(const Shape& s, const std::vector<int64_t>& perm);
std::vector<int64_t> inverse_permutation(const std::vector<int64_t>& perm);

}  // namespace tachyon::ir
