// ElementQuant: the per-element conversions, generated into the layer's configuration struct
// (tachyon/quantizer.h). The element types are written once per period (the smallest row
// length over which they repeat: 1, the last axis, the last two axes, ..., everything), as one
// statement per element or one loop per run of equal types; pruned elements are set to 0.
#include <fmt/format.h>

#include <algorithm>

#include "backends/hls/hls_internal.h"
#include "tachyon/ir/element_quant.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::hls {

namespace {

using Types = std::vector<std::optional<FixedType>>;

// The smallest trailing block of axes over which the element types repeat.
int64_t period_of(const Types& types, const ir::Shape& shape) {
  const auto n = static_cast<int64_t>(types.size());
  int64_t p = 1;
  for (size_t a = shape.size() + 1; a-- > 0;) {
    bool repeats = n % p == 0;
    for (int64_t i = p; i < n && repeats; ++i)
      repeats = types[static_cast<size_t>(i)] == types[static_cast<size_t>(i % p)];
    if (repeats) return p;
    if (a > 0) p *= shape[a - 1];
  }
  return n;
}

std::string conversion(const std::optional<FixedType>& t, const std::string& index) {
  if (!t) return fmt::format("y[{0}] = 0;", index);
  return fmt::format("y[{0}] = (res_T)({1})x[{0}];", index, t->c_type());
}

}  // namespace

LayerCode emit_element_quant(ProjectBuilder& b, const ir::Node& n, const std::string& name) {
  const ir::Graph& g = b.graph();
  const std::string what = node_prefix(g, n);
  const Types types = ir::element_quant_types(g, n);
  const ir::ValueId x = n.inputs[0], y = n.outputs[0];
  b.value_type(x, n);
  const FixedType& yt = b.value_type(y, n);
  const FixedType container = ir::element_quant_container(types);
  if (yt != container)
    fail("{}the output type {} is not the container {} of the element types", what, yt.str(), container.str());
  const int64_t count = elements(g, y, n);
  if (elements(g, x, n) != count || static_cast<int64_t>(types.size()) != count)
    fail("{}input shape {} and output shape {} differ", what, ir::shape_str(g.value(x).shape), ir::shape_str(g.value(y).shape));
  const int64_t period = period_of(types, g.value(x).shape);
  const int64_t rows = count / period;
  const std::string ind = rows > 1 ? "      " : "    ";
  const std::string base = rows > 1 ? "o + " : "";
  std::string body;
  for (int64_t i = 0; i < period;) {
    int64_t j = i + 1;
    while (j < period && types[static_cast<size_t>(j)] == types[static_cast<size_t>(i)]) ++j;
    const std::optional<FixedType>& t = types[static_cast<size_t>(i)];
    if (j - i == 1)
      body += ind + conversion(t, fmt::format("{}{}", base, i)) + "\n";
    else
      body += ind + fmt::format("for (unsigned i = {}; i < {}; i++) {}\n", i, j, conversion(t, base + "i"));
    i = j;
  }
  std::string fn = "template <class data_T, class res_T>\n  static void quantize(const data_T x[n_in], res_T y[n_in]) {\n"
                   "    #pragma HLS INLINE\n";
  if (std::none_of(types.begin(), types.end(), [](const auto& t) { return t.has_value(); })) fn += "    (void)x;  // every element is pruned\n";
  if (rows > 1)
    fn += fmt::format("    for (unsigned r = 0; r < {}; r++) {{\n      #pragma HLS UNROLL\n      const unsigned o = r * {};\n{}    }}\n",
                      rows, period, body);
  else
    fn += body;
  fn += "  }";
  ConfigStruct c(b.claim("config_" + name), "element_quant_config");
  c.u("n_in", count).common(n);
  c.line(fmt::format("// element types repeat every {} elements ({} rows)", period, rows)).line(fn);
  const std::string x_arr = b.array(x, n, "in"), y_arr = b.array(y, n, "out");
  LayerCode code;
  code.header = "quantizer.h";
  code.config = c.str();
  code.call = "  " + call("element_quant", {b.type_name(x), b.type_name(y), c.name()}, {x_arr, y_arr}) + "\n";
  return code;
}

}  // namespace tachyon::backends::hls
