// numpy <-> NdArray conversions shared by the compiled parts of the Python module.
#pragma once

#include <pybind11/numpy.h>

#include <algorithm>
#include <vector>

#include "tachyon/support/error.h"
#include "tachyon/support/npy.h"

namespace tachyon::python {

// Any numeric numpy array as float64, C order. Throws tachyon::Error for other objects.
inline NdArray to_ndarray(const pybind11::handle& in) {
  namespace py = pybind11;
  auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(in);
  if (!a) throw Error("input must be a numeric numpy array");
  NdArray r;
  for (py::ssize_t i = 0; i < a.ndim(); ++i) r.shape.push_back(a.shape(i));
  r.data.assign(a.data(), a.data() + a.size());
  return r;
}

inline pybind11::array_t<double> to_numpy(const NdArray& a) {
  std::vector<pybind11::ssize_t> shape(a.shape.begin(), a.shape.end());
  pybind11::array_t<double> r(shape);
  std::copy(a.data.begin(), a.data.end(), r.mutable_data());
  return r;
}

}  // namespace tachyon::python
