// `tachyon compare A.npy B.npy`: how far two prediction arrays are apart (bit-identical?
// max |difference|, argmax agreement), and optionally accuracy against labels.
#include <fmt/format.h>

#include <cmath>

#include "cli.h"
#include "tachyon/support/error.h"
#include "tachyon/support/npy.h"

namespace {

int64_t row_argmax(const tachyon::NdArray& a, int64_t row, int64_t width) {
  int64_t best = 0;
  for (int64_t j = 1; j < width; ++j)
    if (a.data[static_cast<size_t>(row * width + j)] > a.data[static_cast<size_t>(row * width + best)]) best = j;
  return best;
}

struct Args {
  std::string a, b, labels;
  bool require_equal = false;
};

tachyon::cli::Registrar reg("compare", "Compare two prediction arrays (.npy): bit-identity, max difference, argmax agreement",
                            [](CLI::App& app) -> tachyon::cli::Action {
                              auto a = std::make_shared<Args>();
                              app.add_option("a", a->a, "First .npy (e.g. tachyon's predictions)")->required();
                              app.add_option("b", a->b, "Second .npy (e.g. the float model's outputs)")->required();
                              app.add_option("--labels", a->labels, "Optional .npy of class labels: print both accuracies");
                              app.add_flag("--require-equal", a->require_equal, "Exit 1 unless the arrays are identical");
                              return [a] {
                                auto x = tachyon::read_npy(a->a);
                                auto y = tachyon::read_npy(a->b);
                                if (x.shape != y.shape)
                                  tachyon::fail("{} has shape {} but {} has shape {}", a->a, tachyon::shape_string(x.shape),
                                                a->b, tachyon::shape_string(y.shape));
                                int64_t n = x.shape.empty() ? 1 : x.shape[0];
                                int64_t width = n ? x.num_elements() / n : 0;
                                double max_diff = 0;
                                int64_t different = 0, agree = 0;
                                for (size_t i = 0; i < x.data.size(); ++i) {
                                  double d = std::fabs(x.data[i] - y.data[i]);
                                  if (x.data[i] != y.data[i]) ++different;
                                  if (d > max_diff) max_diff = d;
                                }
                                for (int64_t r = 0; r < n && width > 1; ++r) agree += row_argmax(x, r, width) == row_argmax(y, r, width);
                                fmt::print("{} values: {} identical, {} different; max |difference| {:.6g}\n", x.data.size(),
                                           static_cast<int64_t>(x.data.size()) - different, different, max_diff);
                                if (width > 1)
                                  fmt::print("argmax agreement: {}/{} ({:.2f}%)\n", agree, n, n ? 100.0 * static_cast<double>(agree) / static_cast<double>(n) : 0.0);
                                if (!a->labels.empty()) {
                                  auto l = tachyon::read_npy(a->labels);
                                  if (l.num_elements() != n) tachyon::fail("{} has {} labels for {} rows", a->labels, l.num_elements(), n);
                                  int64_t ca = 0, cb = 0;
                                  for (int64_t r = 0; r < n; ++r) {
                                    auto lab = static_cast<int64_t>(l.data[static_cast<size_t>(r)]);
                                    ca += row_argmax(x, r, width) == lab;
                                    cb += row_argmax(y, r, width) == lab;
                                  }
                                  fmt::print("accuracy: {} {:.2f}%, {} {:.2f}%\n", a->a, 100.0 * static_cast<double>(ca) / static_cast<double>(n), a->b,
                                             100.0 * static_cast<double>(cb) / static_cast<double>(n));
                                }
                                return (a->require_equal && different) ? 1 : 0;
                              };
                            });
}  // namespace
